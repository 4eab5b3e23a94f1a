"""librosa-compatible names over mlxdsp: ``from mlxdsp.compat import librosa`` and keep your calls.

Signatures and defaults are librosa 0.11's (``pad_mode="constant"``, ``sr=22050``, ``htk=False``, ...);
arrays are ``mx.array`` in and out. Only the functions listed here are provided; anything else raises
AttributeError rather than silently doing something different.
"""

from __future__ import annotations

import mlx.core as mx

import mlxdsp

from . import feature as feature
from . import filters as filters
from . import util as util
from .filters import get_window as get_window

__all__ = [
    "amplitude_to_db",
    "db_to_amplitude",
    "db_to_power",
    "feature",
    "fft_frequencies",
    "filters",
    "get_window",
    "hz_to_mel",
    "istft",
    "magphase",
    "mel_frequencies",
    "mel_to_hz",
    "power_to_db",
    "stft",
    "util",
]


def stft(
    y,
    *,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    dtype=None,
    pad_mode: str = "constant",
    out=None,
) -> mx.array:
    """librosa.stft: complex64 [..., 1 + n_fft // 2, n_frames] (``dtype``/``out`` must be None)."""
    _unsupported("stft", dtype=dtype, out=out)
    return mlxdsp.stft(
        y,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
    )


def istft(
    stft_matrix,
    *,
    hop_length: int | None = None,
    win_length: int | None = None,
    n_fft: int | None = None,
    window="hann",
    center: bool = True,
    dtype=None,
    length: int | None = None,
    out=None,
) -> mx.array:
    """librosa.istft."""
    _unsupported("istft", dtype=dtype, out=out)
    n_freq = stft_matrix.shape[-2]
    n_fft = 2 * (n_freq - 1) if n_fft is None else n_fft
    win_length = n_fft if win_length is None else win_length
    return mlxdsp.istft(
        stft_matrix,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        length=length,
    )


def magphase(D, *, power: float = 1):
    return mlxdsp.magphase(D, power=power)


def power_to_db(S, *, ref=1.0, amin: float = 1e-10, top_db: float | None = 80.0) -> mx.array:
    return mlxdsp.power_to_db(S, ref=ref, amin=amin, top_db=top_db)


def amplitude_to_db(S, *, ref=1.0, amin: float = 1e-5, top_db: float | None = 80.0) -> mx.array:
    return mlxdsp.amplitude_to_db(S, ref=ref, amin=amin, top_db=top_db)


def db_to_power(S_db, *, ref: float = 1.0) -> mx.array:
    return mlxdsp.db_to_power(S_db, ref=ref)


def db_to_amplitude(S_db, *, ref: float = 1.0) -> mx.array:
    return mlxdsp.db_to_amplitude(S_db, ref=ref)


def hz_to_mel(frequencies, *, htk: bool = False):
    return mlxdsp.hz_to_mel(frequencies, mel_scale="htk" if htk else "slaney")


def mel_to_hz(mels, *, htk: bool = False):
    return mlxdsp.mel_to_hz(mels, mel_scale="htk" if htk else "slaney")


def fft_frequencies(*, sr: float = 22050, n_fft: int = 2048) -> mx.array:
    return mlxdsp.fft_frequencies(sr=sr, n_fft=n_fft)


def mel_frequencies(
    n_mels: int = 128, *, fmin: float = 0.0, fmax: float = 11025.0, htk: bool = False
) -> mx.array:
    return mlxdsp.mel_frequencies(
        n_mels, fmin=fmin, fmax=fmax, mel_scale="htk" if htk else "slaney"
    )


def _unsupported(fn: str, **options) -> None:
    for name, value in options.items():
        if value is not None:
            raise mlxdsp.ParameterError(
                f"[compat.librosa.{fn}] {name}={value!r} is not supported (use None)"
            )
