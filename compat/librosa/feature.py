"""librosa.feature: ``melspectrogram``, ``mfcc``, ``delta``."""

from __future__ import annotations

import mlx.core as mx

import mlxdsp


def _mel_options(n_mels=128, fmin=0.0, fmax=None, htk=False, norm="slaney", dtype=None):
    return dict(
        n_mels=n_mels, fmin=fmin, fmax=fmax, mel_scale="htk" if htk else "slaney", norm=norm
    )


def melspectrogram(
    *,
    y=None,
    sr: float = 22050,
    S=None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
    **kwargs,
) -> mx.array:
    """librosa.feature.melspectrogram from ``y`` (a waveform) or ``S`` (a magnitude spectrogram)."""
    mel = _mel_options(**kwargs)
    if S is not None:
        fb = mlxdsp.mel_filterbank(sr=sr, n_fft=2 * (S.shape[-2] - 1), **mel)
        return fb @ S
    return mlxdsp.mel_spectrogram(
        y,
        sr=sr,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
        power=power,
        **mel,
    )


def mfcc(
    *,
    y=None,
    sr: float = 22050,
    S=None,
    n_mfcc: int = 20,
    dct_type: int = 2,
    norm="ortho",
    lifter: float = 0,
    **kwargs,
) -> mx.array:
    """librosa.feature.mfcc from ``y`` or a log-power mel spectrogram ``S``."""
    if S is None:
        S = mlxdsp.power_to_db(melspectrogram(y=y, sr=sr, **kwargs))
    M = mlxdsp.dct(S, type=dct_type, norm=norm, n_out=n_mfcc, axis=-2)
    if lifter > 0:
        import numpy as np

        li = 1 + (lifter / 2) * np.sin(np.pi * np.arange(1, 1 + n_mfcc) / lifter)
        M = M * mx.array(li.astype(np.float32)[:, None])
    return M


def delta(
    data, *, width: int = 9, order: int = 1, axis: int = -1, mode: str = "interp"
) -> mx.array:
    """librosa.feature.delta along the last axis."""
    if axis != -1:
        data = mx.moveaxis(data, axis, -1)
    out = mlxdsp.delta(data, width=width, order=order, mode=mode)
    return out if axis == -1 else mx.moveaxis(out, -1, axis)
