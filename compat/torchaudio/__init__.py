"""torchaudio-compatible names over mlxdsp: ``from mlxdsp.compat import torchaudio``.

``functional`` keeps torchaudio 2.x's signatures and conventions (HTK mel scale, unnormalised filters,
per-example ``top_db``, ``(n_freq, n_mels)`` filterbank layout); ``transforms`` holds the option-carrying
callables (``Spectrogram``, ``MelSpectrogram``, ``MFCC``, ``AmplitudeToDB``) as plain Python objects
that call pure functions - no parameters, no state; ``load``/``save``/``info`` wrap mlxdsp's file I/O.
Arrays are ``mx.array``.
"""

from . import functional as functional
from . import transforms as transforms
from ._io import AudioMetaData as AudioMetaData
from ._io import info as info
from ._io import load as load
from ._io import save as save

__all__ = ["AudioMetaData", "functional", "info", "load", "save", "transforms"]
