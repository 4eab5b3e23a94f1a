"""chroma_stft: transform-table cases, with librosa 0.11 (float64 input, tuning given) as ``ref64``."""

from __future__ import annotations

import librosa
import numpy as np

import mlxdsp

from . import Case


def _noise(*shape):
    return lambda rng: (rng.standard_normal((3, *shape)).astype(np.float32),)


def _powers(*shape):
    return lambda rng: (rng.uniform(0.1, 2.0, (3, *shape)).astype(np.float32),)


_OPTS = dict(sr=8000, n_fft=128, hop_length=32, tuning=0.0)

CASES = [
    Case(
        "chroma_stft",
        lambda x: mlxdsp.chroma_stft(x, norm=2, **_OPTS),
        _noise(300),
        ref64=lambda x: librosa.feature.chroma_stft(y=x, norm=2, **_OPTS),
        label="waveform,norm=2",
    ),
    Case(
        "chroma_stft",
        lambda S: mlxdsp.chroma_stft(S=S, sr=8000),
        _powers(65, 5),
        ref64=lambda S: librosa.feature.chroma_stft(S=S, sr=8000, tuning=0.0),
        label="S=,norm=inf",
    ),
]
