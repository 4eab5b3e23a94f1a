"""Constant-Q family: transform-table cases (librosa 0.11, float64 input, as ``ref64``) and the test
signals the CQT tests share (music-like: harmonic tones + noise; speech-like: AR(2) noise, syllabic
envelope)."""

from __future__ import annotations

import warnings

import librosa
import mlx.core as mx
import numpy as np

from mlxdsp._cqt import cqt, hybrid_cqt, icqt, pseudo_cqt, vqt

from . import Case


def music_like(sr: float, n: int, lead=(), seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sr
    tones = [(55.0, 0.6), (110.0, 1.0), (220.0, 0.5), (329.6, 0.3), (440.0, 0.8), (523.25, 0.4)]
    tones += [(1760.0, 0.2), (3520.0, 0.1)]
    y = sum(a * np.sin(2 * np.pi * f * t + i) for i, (f, a) in enumerate(tones))
    return y + 0.05 * rng.standard_normal((*lead, n))


def speech_like(sr: float, n: int, lead=(), seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    e = rng.standard_normal((*lead, n))
    y = np.zeros_like(e)
    # AR(2) resonance near 700 Hz at 22.05 kHz (a formant), then a 4 Hz syllabic envelope.
    a1, a2 = 1.8 * np.cos(2 * np.pi * 700 / 22050), -0.81
    for i in range(2, n):  # small n only
        y[..., i] = e[..., i] + a1 * y[..., i - 1] + a2 * y[..., i - 2]
    t = np.arange(n) / sr
    return y * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)) ** 2


def _signals(n):
    return lambda rng: (rng.standard_normal((3, n)).astype(np.float32),)


# Small, fast configurations: 4 octaves at 8 kHz, hop 64 (three 2:1 decimations).
_OPTS = dict(sr=8000, hop_length=64, fmin=110.0, n_bins=40, bins_per_octave=10)


_INVERSE = {k: v for k, v in _OPTS.items() if k != "n_bins"}


def _librosa(fn, **kw):
    def ref(x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "n_fft too large" on the short test signals
            return fn(y=x, **_OPTS, **kw)

    return ref


CASES = [
    Case(
        "cqt",
        lambda x: cqt(x, **_OPTS),
        _signals(1200),
        ref64=_librosa(librosa.cqt),
        fd_eps=1e-3,
        label="complex",
    ),
    Case(
        "cqt",
        lambda x: mx.abs(cqt(x, **_OPTS)),
        _signals(1200),
        ref64=lambda x: np.abs(_librosa(librosa.cqt)(x)),
        fd_eps=1e-3,
        label="abs",
    ),
    Case(
        "vqt",
        lambda x: mx.abs(vqt(x, **_OPTS)),
        _signals(1200),
        ref64=lambda x: np.abs(_librosa(librosa.vqt)(x)),
        fd_eps=1e-3,
        label="abs,gamma=None",
    ),
    Case(
        "pseudo_cqt",
        lambda x: pseudo_cqt(x, **_OPTS),
        _signals(1200),
        ref64=_librosa(librosa.pseudo_cqt),
        fd_eps=1e-3,
    ),
    Case(
        "icqt",
        lambda x: icqt(cqt(x, **_OPTS), length=1200, **_INVERSE),
        _signals(1200),
        ref64=lambda x: librosa.icqt(_librosa(librosa.cqt)(x), length=1200, **_INVERSE),
        fd_eps=1e-3,
        label="icqt(cqt(x))",
    ),
    Case(
        "hybrid_cqt",
        lambda x: hybrid_cqt(x, **_OPTS),
        _signals(1200),
        ref64=_librosa(librosa.hybrid_cqt),
        fd_eps=1e-3,
    ),
]

NOT_ARRAY_FUNCTIONS = {
    "cqt_frequencies": "takes no array data (frequencies from plain options)",
}
