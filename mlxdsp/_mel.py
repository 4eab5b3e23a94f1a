"""Work in progress."""
def hz_to_mel(*a, **k):
    raise NotImplementedError
def mel_to_hz(*a, **k):
    raise NotImplementedError
def fft_frequencies(*a, **k):
    raise NotImplementedError
def mel_frequencies(*a, **k):
    raise NotImplementedError
def mel_filterbank(*a, **k):
    raise NotImplementedError
def mel_spectrogram(*a, **k):
    raise NotImplementedError
def log_mel_spectrogram(*a, **k):
    raise NotImplementedError
