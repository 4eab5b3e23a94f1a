"""Work in progress."""
def get_window(*a, **k):
    raise NotImplementedError
