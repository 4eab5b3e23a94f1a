"""librosa.onset: ``onset_strength``, ``onset_strength_multi``.

``feature`` and ``aggregate`` must take and return ``mx.array`` (e.g. ``mx.max``), not NumPy functions;
``kwargs`` are the mel spectrogram's, in librosa's names (``n_mels``, ``fmin``, ``fmax``, ``htk``, ...).
"""

from __future__ import annotations

import mlx.core as mx

import mlxdsp


def _feature_options(kwargs: dict) -> dict:
    if "htk" in kwargs:
        kwargs["mel_scale"] = "htk" if kwargs.pop("htk") else "slaney"
    return kwargs


def onset_strength(
    *,
    y=None,
    sr: float = 22050,
    S=None,
    lag: int = 1,
    max_size: int = 1,
    ref=None,
    detrend: bool = False,
    center: bool = True,
    feature=None,
    aggregate=None,
    **kwargs,
) -> mx.array:
    """librosa.onset.onset_strength: [..., n_frames]."""
    return mlxdsp.onset_strength(
        y,
        sr=sr,
        S=S,
        lag=lag,
        max_size=max_size,
        ref=ref,
        detrend=detrend,
        center=center,
        feature=feature,
        aggregate=aggregate,
        **_feature_options(kwargs),
    )


def onset_strength_multi(
    *,
    y=None,
    sr: float = 22050,
    S=None,
    n_fft: int = 2048,
    hop_length: int = 512,
    lag: int = 1,
    max_size: int = 1,
    ref=None,
    detrend: bool = False,
    center: bool = True,
    feature=None,
    aggregate=None,
    channels=None,
    **kwargs,
) -> mx.array:
    """librosa.onset.onset_strength_multi: [..., n_channels, n_frames]."""
    return mlxdsp.onset_strength_multi(
        y,
        sr=sr,
        S=S,
        n_fft=n_fft,
        hop_length=hop_length,
        lag=lag,
        max_size=max_size,
        ref=ref,
        detrend=detrend,
        center=center,
        feature=feature,
        aggregate=aggregate,
        channels=channels,
        **_feature_options(kwargs),
    )
