"""librosa.filters: ``mel`` and ``get_window``."""

from __future__ import annotations

import mlx.core as mx

import mlxdsp


def mel(
    *,
    sr: float,
    n_fft: int,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
    htk: bool = False,
    norm="slaney",
    dtype=None,
) -> mx.array:
    """librosa.filters.mel: float32 [n_mels, 1 + n_fft // 2]."""
    return mlxdsp.mel_filterbank(
        sr=sr,
        n_fft=n_fft,
        n_mels=n_mels,
        fmin=fmin,
        fmax=fmax,
        mel_scale="htk" if htk else "slaney",
        norm=norm,
    )


def get_window(window, Nx: int, *, fftbins: bool = True) -> mx.array:
    """librosa.filters.get_window (SciPy's windows; ``fftbins=True`` is periodic)."""
    return mlxdsp.get_window(window, Nx, periodic=fftbins)
