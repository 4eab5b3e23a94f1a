"""Work in progress."""
def spectrogram(*a, **k):
    raise NotImplementedError
def magphase(*a, **k):
    raise NotImplementedError
