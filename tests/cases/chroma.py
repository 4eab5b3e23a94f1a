"""chroma_stft, chroma_cqt, chroma_cens, tonnetz: transform-table cases, with librosa 0.11 (float64 input,
tuning given) as ``ref64``; and the music-like / speech-like test signals shared by test_chroma.py and
test_tonnetz.py."""

from __future__ import annotations

import functools
import warnings

import librosa
import numpy as np

import mlxdsp
from mlxdsp._chroma import chroma_cens, chroma_cqt
from mlxdsp._tonnetz import tonnetz

from . import Case


def music_like(sr: int, seconds: float, *, seed: int = 0) -> np.ndarray:
    """Three chords of harmonic tones (5 partials, 1/k amplitudes, slight detuning) plus noise."""
    rng = np.random.default_rng(seed)
    n = int(sr * seconds)
    t = np.arange(n) / sr
    chords = [(220.0, 277.18, 329.63), (196.0, 246.94, 293.66), (261.63, 329.63, 392.0)]
    y = np.zeros(n)
    edges = np.linspace(0, n, len(chords) + 1).astype(int)
    for (lo, hi), chord in zip(zip(edges[:-1], edges[1:], strict=True), chords, strict=True):
        seg = t[lo:hi] - t[lo]
        env = np.minimum(1.0, seg / 0.02) * np.exp(-1.5 * seg)
        for f0 in chord:
            f0 *= 2.0 ** (rng.uniform(-0.1, 0.1) / 12)
            for k in range(1, 6):
                if k * f0 < sr / 2:
                    y[lo:hi] += (
                        env * np.sin(2 * np.pi * k * f0 * seg + rng.uniform(0, 2 * np.pi)) / k
                    )
    return 0.3 * y + 0.02 * rng.standard_normal(n)


def speech_like(sr: int, seconds: float, *, seed: int = 1) -> np.ndarray:
    """A gliding glottal pulse train (f0 100-180 Hz) through two formant resonators, syllable-gated,
    plus breath noise."""
    rng = np.random.default_rng(seed)
    n = int(sr * seconds)
    t = np.arange(n) / sr
    f0 = 140 + 40 * np.sin(2 * np.pi * 1.3 * t)
    phase = np.cumsum(f0) / sr
    source = (np.diff(np.floor(phase), prepend=0.0) > 0).astype(float)  # one impulse per period
    y = source
    for fc, bw in ((700.0, 110.0), (1200.0, 150.0)):  # two-pole resonators (formants)
        r = np.exp(-np.pi * bw / sr)
        a1, a2 = -2 * r * np.cos(2 * np.pi * fc / sr), r * r
        out = np.zeros(n)
        for i in range(n):  # short signals only: a plain loop keeps scipy out of the case module
            out[i] = y[i] - a1 * (out[i - 1] if i else 0.0) - a2 * (out[i - 2] if i > 1 else 0.0)
        y = out
    gate = 0.5 * (1 - np.cos(2 * np.pi * 3.0 * t)) ** 2
    return 0.05 * y * gate + 0.005 * rng.standard_normal(n)


@functools.lru_cache(maxsize=16)
def reference_cqt_magnitude(
    kind: str,
    sr: int,
    seconds: float,
    n_bins: int,
    bins_per_octave: int,
    fmin: float | None = None,
    hop_length: int = 512,
) -> np.ndarray:
    """|librosa.cqt| (float64 input, tuning 0) of a test signal: the ``C=`` input of the chroma tests."""
    y = (music_like if kind == "music" else speech_like)(sr, seconds)
    C = librosa.cqt(
        y,
        sr=sr,
        hop_length=hop_length,
        fmin=fmin,
        n_bins=n_bins,
        bins_per_octave=bins_per_octave,
        tuning=0.0,
    )
    return np.abs(C)


def _noise(*shape):
    return lambda rng: (rng.standard_normal((3, *shape)).astype(np.float32),)


def _powers(*shape):
    return lambda rng: (rng.uniform(0.1, 2.0, (3, *shape)).astype(np.float32),)


_OPTS = dict(sr=8000, n_fft=128, hop_length=32, tuning=0.0)
# Waveform input through mlxdsp's cqt: 3 octaves from 110 Hz at 8 kHz (fast, short signals). The odd
# hop keeps librosa single-rate: its soxr_hq 2:1 decimator is accurate to ~1e-6 only, which makes
# float64 finite differences of the reference noisy at the 1e-3 level (measured: -0.5836 to -0.5861
# for eps 1e-3 to 1e-4 on the projection below, with hop 64).
_CQ_OPTS = dict(sr=8000, hop_length=63, fmin=110.0, n_octaves=3, bins_per_octave=12, tuning=0.0)


def _quiet(fn, **kw):
    def ref(x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # librosa: "n_fft too large" on the short test signals
            return fn(y=x, **_CQ_OPTS, **kw)

    return ref


_WINDOW = (0.25, 1.0, 0.25)

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
    Case(
        "chroma_cqt",
        lambda C: chroma_cqt(C=C, norm=2),
        _powers(80, 5),
        ref64=lambda C: librosa.feature.chroma_cqt(C=C, norm=2),
        label="C=,bins_per_octave=36,norm=2",
    ),
    Case(
        "chroma_cqt",
        lambda C: chroma_cqt(C=C, bins_per_octave=24, n_chroma=24, fmin=55.0, window=_WINDOW),
        _powers(60, 5),
        ref64=lambda C: librosa.feature.chroma_cqt(
            C=C, bins_per_octave=24, n_chroma=24, fmin=55.0, window=np.array(_WINDOW)
        ),
        label="C=,window,norm=inf",
    ),
    # The quantization makes chroma_cens piecewise constant in C: the gradient and jvp are zero, and so
    # are librosa's finite differences (no value of these inputs lies within the step of a threshold).
    Case(
        "chroma_cens",
        lambda C: chroma_cens(C=C, bins_per_octave=12, win_len_smooth=3),
        _powers(36, 6),
        ref64=lambda C: librosa.feature.chroma_cens(C=C, bins_per_octave=12, win_len_smooth=3),
        label="C=,zero gradient",
    ),
    Case(
        "tonnetz",
        lambda chroma: tonnetz(chroma=chroma),
        _powers(12, 5),
        ref64=lambda chroma: librosa.feature.tonnetz(chroma=chroma),
        label="chroma=",
    ),
    Case(
        "tonnetz",
        lambda C: tonnetz(C=C, bins_per_octave=12, norm=2),
        _powers(36, 5),
        ref64=lambda C: librosa.feature.tonnetz(
            chroma=librosa.feature.chroma_cqt(C=C, bins_per_octave=12, norm=2)
        ),
        label="C=,norm=2",
    ),
    Case(
        "chroma_cqt",
        lambda x: chroma_cqt(x, norm=2, **_CQ_OPTS),
        _noise(1200),
        ref64=_quiet(librosa.feature.chroma_cqt, norm=2),
        fd_eps=1e-3,
        label="waveform,norm=2",
    ),
    Case(
        "tonnetz",
        lambda x: tonnetz(x, **_CQ_OPTS),
        _noise(1200),
        ref64=_quiet(librosa.feature.tonnetz),
        fd_eps=1e-3,
        label="waveform",
    ),
]

NOT_ARRAY_FUNCTIONS = {
    "cq_to_chroma": "options only (n_input, bins_per_octave, n_chroma, ...); returns a constant",
}
