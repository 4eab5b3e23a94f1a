"""Work in progress."""
def power_to_db(*a, **k):
    raise NotImplementedError
def amplitude_to_db(*a, **k):
    raise NotImplementedError
def db_to_power(*a, **k):
    raise NotImplementedError
def db_to_amplitude(*a, **k):
    raise NotImplementedError
