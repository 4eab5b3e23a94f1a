"""librosa.filters: ``mel``, ``get_window``, ``chroma``, ``cq_to_chroma``."""

from __future__ import annotations

import mlx.core as mx
import numpy as np

import mlxdsp

from ._common import _float32_only


def mel(
    *,
    sr: float,
    n_fft: int,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
    htk: bool = False,
    norm="slaney",
    dtype=np.float32,
) -> mx.array:
    """librosa.filters.mel: float32 [n_mels, 1 + n_fft // 2]."""
    _float32_only("filters.mel", dtype)
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


def chroma(
    *,
    sr: float,
    n_fft: int,
    n_chroma: int = 12,
    tuning: float = 0.0,
    ctroct: float = 5.0,
    octwidth: float | None = 2,
    norm: float | None = 2,
    base_c: bool = True,
    dtype=np.float32,
) -> mx.array:
    """librosa.filters.chroma: float32 [n_chroma, 1 + n_fft // 2] (``norm=2`` only: the basis that
    :func:`mlxdsp.chroma_stft` applies, read off by projecting the identity)."""
    if norm != 2:
        raise mlxdsp.ParameterError(
            f"[compat.librosa.filters.chroma] norm={norm!r} is not supported (use 2)"
        )
    _float32_only("filters.chroma", dtype)
    eye = mx.eye(1 + n_fft // 2)
    return mlxdsp.chroma_stft(
        S=eye,
        sr=sr,
        n_fft=n_fft,
        norm=None,
        tuning=tuning,
        n_chroma=n_chroma,
        ctroct=ctroct,
        octwidth=octwidth,
        base_c=base_c,
    )


def cq_to_chroma(
    n_input: int,
    *,
    bins_per_octave: int = 12,
    n_chroma: int = 12,
    fmin: float | None = None,
    window=None,
    base_c: bool = True,
    dtype=np.float32,
) -> mx.array:
    """librosa.filters.cq_to_chroma: float32 [n_chroma, n_input] (``dtype``: float32 only)."""
    _float32_only("filters.cq_to_chroma", dtype)
    return mlxdsp.cq_to_chroma(
        n_input,
        bins_per_octave=bins_per_octave,
        n_chroma=n_chroma,
        fmin=fmin,
        window=window,
        base_c=base_c,
    )
