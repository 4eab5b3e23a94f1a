"""mlxdsp: functional, differentiable DSP on MLX.

Every array function is a stateless pure function: signal first, options keyword-only, time on the last
axis, any number of leading batch dimensions; each composes with ``mx.compile``, ``mx.grad``/``mx.vjp``,
``mx.jvp`` and ``mx.vmap`` (exceptions are listed in the README's transform table).
"""

from ._errors import AudioFileError as AudioFileError
from ._errors import AudioFileNotFoundError as AudioFileNotFoundError
from ._errors import ParameterError as ParameterError

# --- spectral core (issue 2) ---
from ._window import get_window as get_window
from ._frames import frame as frame
from ._frames import overlap_add as overlap_add
from ._stft import stft as stft
from ._stft import istft as istft
from ._spectrum import spectrogram as spectrogram
from ._spectrum import magphase as magphase
from ._db import power_to_db as power_to_db
from ._db import amplitude_to_db as amplitude_to_db
from ._db import db_to_power as db_to_power
from ._db import db_to_amplitude as db_to_amplitude
from ._mel import hz_to_mel as hz_to_mel
from ._mel import mel_to_hz as mel_to_hz
from ._mel import fft_frequencies as fft_frequencies
from ._mel import mel_frequencies as mel_frequencies
from ._mel import mel_filterbank as mel_filterbank
from ._mel import mel_spectrogram as mel_spectrogram
from ._mel import log_mel_spectrogram as log_mel_spectrogram
from ._mfcc import dct as dct
from ._mfcc import mfcc as mfcc
from ._delta import delta as delta

# --- audio file I/O (issue 3) ---
from ._io import AudioInfo as AudioInfo
from ._io import batch_load as batch_load
from ._io import info as info
from ._io import load as load
from ._io import save as save
from ._io import stream as stream

# --- resampling, filtering, effects (issue 5) ---
from ._resample import resample as resample

__version__ = "0.1.0"

__all__ = [
    "AudioFileError",
    "AudioFileNotFoundError",
    "ParameterError",
    # spectral core
    "get_window",
    "frame",
    "overlap_add",
    "stft",
    "istft",
    "spectrogram",
    "magphase",
    "power_to_db",
    "amplitude_to_db",
    "db_to_power",
    "db_to_amplitude",
    "hz_to_mel",
    "mel_to_hz",
    "fft_frequencies",
    "mel_frequencies",
    "mel_filterbank",
    "mel_spectrogram",
    "log_mel_spectrogram",
    "dct",
    "mfcc",
    "delta",
    # audio file I/O
    "AudioInfo",
    "batch_load",
    "info",
    "load",
    "save",
    "stream",
    # resampling, filtering, effects
    "resample",
]
