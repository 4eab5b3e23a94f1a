"""librosa.feature.inverse: ``mel_to_stft``, ``mel_to_audio``, ``mfcc_to_mel``, ``mfcc_to_audio``.

Reached as ``librosa.feature.inverse`` (an attribute of the ``feature`` module, not an importable
``feature.inverse`` module path).
"""

from __future__ import annotations

import mlx.core as mx
import numpy as np

import mlxdsp

from ._common import _float32_only


def _mel_basis_options(fmin=0.0, fmax=None, htk=False, norm="slaney", dtype=np.float32):
    _float32_only("feature.inverse", dtype)
    return dict(fmin=fmin, fmax=fmax, mel_scale="htk" if htk else "slaney", norm=norm)


def mel_to_stft(M, *, sr: float = 22050, n_fft: int = 2048, power: float = 2.0, **kwargs):
    """librosa.feature.inverse.mel_to_stft (``kwargs``: filters.mel's ``fmin``, ``fmax``, ``htk``,
    ``norm``). librosa solves the non-negative least squares with SciPy's L-BFGS-B, mlxdsp with 100
    FISTA steps from the same start: the two optima agree only approximately (see the tests)."""
    return mlxdsp.mel_to_stft(M, sr=sr, n_fft=n_fft, power=power, **_mel_basis_options(**kwargs))


def mel_to_audio(
    M,
    *,
    sr: float = 22050,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
    n_iter: int = 32,
    length: int | None = None,
    dtype=np.float32,
    **kwargs,
) -> mx.array:
    """librosa.feature.inverse.mel_to_audio: mel_to_stft (``kwargs``: filters.mel's ``fmin``, ``fmax``,
    ``htk``, ``norm``) then this shim's :func:`griffinlim` with librosa's random initial phases (NumPy's
    default generator, unseeded, as librosa)."""
    S = mlxdsp.mel_to_stft(
        M, sr=sr, n_fft=n_fft, power=power, **_mel_basis_options(dtype=dtype, **kwargs)
    )
    from . import griffinlim

    return griffinlim(
        S,
        n_iter=n_iter,
        hop_length=hop_length,
        win_length=win_length,
        n_fft=n_fft,
        window=window,
        center=center,
        length=length,
        pad_mode=pad_mode,
    )


def mfcc_to_mel(
    mfcc, *, n_mels: int = 128, dct_type: int = 2, norm="ortho", ref: float = 1.0, lifter: float = 0
) -> mx.array:
    """librosa.feature.inverse.mfcc_to_mel."""
    return mlxdsp.mfcc_to_mel(
        mfcc, n_mels=n_mels, dct_type=dct_type, norm=norm, ref=ref, lifter=lifter
    )


def mfcc_to_audio(
    mfcc,
    *,
    n_mels: int = 128,
    dct_type: int = 2,
    norm="ortho",
    ref: float = 1.0,
    lifter: float = 0,
    **kwargs,
) -> mx.array:
    """librosa.feature.inverse.mfcc_to_audio: mfcc_to_mel then mel_to_audio(``**kwargs``)."""
    M = mfcc_to_mel(mfcc, n_mels=n_mels, dct_type=dct_type, norm=norm, ref=ref, lifter=lifter)
    return mel_to_audio(M, **kwargs)
