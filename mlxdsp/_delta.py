"""Work in progress."""
def delta(*a, **k):
    raise NotImplementedError
