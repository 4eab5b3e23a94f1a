"""Work in progress."""
def stft(*a, **k):
    raise NotImplementedError
def istft(*a, **k):
    raise NotImplementedError
