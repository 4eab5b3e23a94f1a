"""torchaudio-compatible names over mlxdsp: ``from mlxdsp.compat import torchaudio``.

``functional`` keeps torchaudio 2.x's signatures and conventions (HTK mel scale, unnormalised filters,
per-example ``top_db``, ``(n_freq, n_mels)`` filterbank layout); ``transforms`` holds the option-carrying
callables (``Spectrogram``, ``MelSpectrogram``, ``MFCC``, ``AmplitudeToDB``) as plain Python objects
that call pure functions - no parameters, no state. Arrays are ``mx.array``.
"""

from . import functional as functional
from . import transforms as transforms

__all__ = ["functional", "transforms"]
