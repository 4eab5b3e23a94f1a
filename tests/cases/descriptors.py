"""Spectral descriptors: transform-table cases, with librosa 0.11 (float64 input) as the ``ref64`` twins."""

from __future__ import annotations

import librosa
import numpy as np

import mlxdsp
from mlxdsp._descriptors import poly_features

from . import Case

_SPEC = dict(sr=8000, n_fft=64, hop_length=16)
_FRAMES = dict(frame_length=64, hop_length=16)
_PIECEWISE = (
    "piecewise constant in the input: the gradient is zero almost everywhere, and finite differences "
    "straddle its jumps"
)


def _noise(*shape):
    return lambda rng: (rng.standard_normal((3, *shape)).astype(np.float32),)


def _magnitudes(*shape):
    return lambda rng: (rng.uniform(0.1, 2.0, (3, *shape)).astype(np.float32),)


CASES = [
    Case(
        "spectral_centroid",
        lambda x: mlxdsp.spectral_centroid(x, **_SPEC),
        _noise(200),
        ref64=lambda x: librosa.feature.spectral_centroid(y=x, **_SPEC),
        label="waveform",
    ),
    Case(
        "spectral_centroid",
        lambda S: mlxdsp.spectral_centroid(S=S, sr=8000),
        _magnitudes(33, 7),
        ref64=lambda S: librosa.feature.spectral_centroid(S=S, sr=8000),
        label="S=",
    ),
    Case(
        "spectral_bandwidth",
        lambda x: mlxdsp.spectral_bandwidth(x, **_SPEC),
        _noise(200),
        ref64=lambda x: librosa.feature.spectral_bandwidth(y=x, **_SPEC),
        label="waveform,p=2",
    ),
    Case(
        "spectral_bandwidth",
        lambda S: mlxdsp.spectral_bandwidth(S=S, sr=8000, p=3.0, norm=False),
        _magnitudes(33, 7),
        ref64=lambda S: librosa.feature.spectral_bandwidth(S=S, sr=8000, p=3.0, norm=False),
        label="S=,p=3,norm=False",
    ),
    Case(
        "spectral_rolloff",
        lambda x: mlxdsp.spectral_rolloff(x, **_SPEC),
        _noise(200),
        skip={"grad": _PIECEWISE, "jvp": _PIECEWISE},
        label="waveform",
    ),
    Case(
        "spectral_contrast",
        lambda S: mlxdsp.spectral_contrast(S=S, sr=8000, fmin=300.0, n_bands=3, linear=True),
        _magnitudes(65, 5),
        ref64=lambda S: librosa.feature.spectral_contrast(
            S=S, sr=8000, fmin=300.0, n_bands=3, linear=True
        ),
        label="S=,linear",
    ),
    Case(
        "spectral_contrast",
        lambda x: mlxdsp.spectral_contrast(x, sr=8000, n_fft=128, hop_length=32, n_bands=3),
        _noise(300),
        ref64=lambda x: librosa.feature.spectral_contrast(
            y=x, sr=8000, n_fft=128, hop_length=32, n_bands=3
        ),
        skip={
            "vmap": "the dB floor (top_db) is taken over every leading dim (librosa), so a batch is "
            "one signal"
        },
        label="waveform,dB",
    ),
    Case(
        "spectral_flatness",
        lambda x: mlxdsp.spectral_flatness(x, n_fft=64, hop_length=16),
        _noise(200),
        ref64=lambda x: librosa.feature.spectral_flatness(y=x, n_fft=64, hop_length=16),
        # log |S|^2 is strongly curved at the input's smallest bin (|S| = 6e-3): the harness's fixed step
        # (4e-4) is off by 0.7%, while steps of 1e-5..1e-6 agree with the analytic value to 1e-4.
        grad_rtol=1e-2,
        label="waveform",
    ),
    Case(
        "spectral_flatness",
        lambda S: mlxdsp.spectral_flatness(S=S, power=1.0),
        _magnitudes(33, 7),
        ref64=lambda S: librosa.feature.spectral_flatness(S=S, power=1.0),
        label="S=,power=1",
    ),
    Case(
        "rms",
        lambda x: mlxdsp.rms(x, **_FRAMES),
        _noise(200),
        ref64=lambda x: librosa.feature.rms(y=x, dtype=np.float64, **_FRAMES),
        label="waveform",
    ),
    Case(
        "rms",
        lambda S: mlxdsp.rms(S=S, frame_length=64),
        _magnitudes(33, 7),
        ref64=lambda S: librosa.feature.rms(S=S, frame_length=64, dtype=np.float64),
        label="S=",
    ),
    Case(
        "zero_crossing_rate",
        lambda x: mlxdsp.zero_crossing_rate(x, **_FRAMES),
        _noise(200),
        skip={"grad": _PIECEWISE, "jvp": _PIECEWISE},
        label="waveform",
    ),
    Case(
        "poly_features",
        lambda x: poly_features(x, order=2, **_SPEC),
        _noise(200),
        ref64=lambda x: librosa.feature.poly_features(y=x, order=2, **_SPEC),
        label="waveform,order=2",
    ),
    Case(
        "poly_features",
        lambda S: poly_features(S=S, sr=8000, order=1),
        _magnitudes(33, 7),
        ref64=lambda S: librosa.feature.poly_features(S=S, sr=8000, order=1),
        label="S=,order=1",
    ),
]
