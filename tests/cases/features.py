"""onset_strength(_multi), pcen, stack_memory: transform-table cases with librosa 0.11 (float64 input) as
the ``ref64`` twins, and the music-like / speech-like test signals the feature tests share.

pcen is walked twice for gradients: with respect to S (b a number: the block cumulative-sum smoother)
and with respect to S and every parameter at once (gain, bias, power, time_constant, eps as arrays: the
lfilter smoother), against float64 finite differences of librosa.pcen, one example at a time.
"""

from __future__ import annotations

import librosa
import numpy as np

from mlxdsp._onset import onset_strength, onset_strength_multi
from mlxdsp._pcen import pcen
from mlxdsp._stack_memory import stack_memory

from . import Case


def music_like(lead=(), n=8000, sr=16000, seed=0):
    """Harmonic tones (three notes, four partials each, note changes) plus a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sr
    out = 0.02 * rng.standard_normal((*lead, n))
    for k, f0 in enumerate((196.0, 261.6, 329.6)):
        gate = (np.floor(t * (2.0 + k)) % 2 == 0).astype(np.float64)
        for h in range(1, 5):
            out = out + gate * np.sin(2 * np.pi * f0 * h * t + k) / h
    return out


def speech_like(lead=(), n=8000, sr=16000, seed=0):
    """Amplitude-modulated noise bursts (syllable-rate envelope, silent gaps)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sr
    envelope = np.maximum(np.sin(2 * np.pi * 4.0 * t), 0.0) ** 2 * (1 + 0.5 * np.sin(2 * np.pi * t))
    return rng.standard_normal((*lead, n)) * envelope


def _noise(*shape):
    return lambda rng: (rng.standard_normal((3, *shape)).astype(np.float32),)


def _positive(*shape, low=0.1, high=2.0):
    return lambda rng: (rng.uniform(low, high, (3, *shape)).astype(np.float32),)


_ONSET = dict(sr=8000, n_fft=128, hop_length=32, n_mels=16)
_ONSET_REF = dict(sr=8000, n_fft=128, hop_length=32, n_mels=16)

# pcen with every parameter an array: [3] per parameter, one value per example.
_PARAMS = dict(gain=(0.5, 1.0), bias=(1.0, 3.0), power=(0.3, 0.7), time_constant=(0.2, 0.6))
_PCEN_SR, _PCEN_HOP = 8000, 128


def _pcen_inputs(rng):
    S = rng.uniform(0.1, 2.0, (3, 6, 40)).astype(np.float32)
    params = [rng.uniform(lo, hi, 3).astype(np.float32) for lo, hi in _PARAMS.values()]
    eps = rng.uniform(0.5, 1.0, 3).astype(np.float32)
    return (S, *params, eps)


def _pcen_arrays(S, gain, bias, power, time_constant, eps):
    def per_frame(v):
        return v[..., None, None]

    return pcen(
        S,
        sr=_PCEN_SR,
        hop_length=_PCEN_HOP,
        gain=per_frame(gain),
        bias=per_frame(bias),
        power=per_frame(power),
        time_constant=per_frame(time_constant),
        eps=per_frame(eps),
    )


def _pcen_arrays_ref(S, gain, bias, power, time_constant, eps):
    return np.stack(
        [
            librosa.pcen(
                S[i],
                sr=_PCEN_SR,
                hop_length=_PCEN_HOP,
                gain=float(gain[i]),
                bias=float(bias[i]),
                power=float(power[i]),
                time_constant=float(time_constant[i]),
                eps=float(eps[i]),
            )
            for i in range(S.shape[0])
        ]
    )


_VMAP_DB = (
    "the dB floor (top_db) is taken over every leading dim (librosa), so a batch is one signal"
)

CASES = [
    Case(
        "onset_strength",
        lambda x: onset_strength(x, **_ONSET),
        _noise(600),
        ref64=lambda x: librosa.onset.onset_strength(y=x, **_ONSET_REF),
        skip={"vmap": _VMAP_DB},
        label="waveform",
    ),
    Case(
        "onset_strength",
        lambda S: onset_strength(S=S, lag=2, max_size=3, detrend=True),
        _noise(12, 20),
        ref64=lambda S: librosa.onset.onset_strength(S=S, lag=2, max_size=3, detrend=True),
        label="S=,lag=2,max_size=3,detrend",
    ),
    Case(
        "onset_strength_multi",
        lambda S: onset_strength_multi(S=S, channels=[0, 4, 9, 12], center=False),
        _noise(12, 20),
        ref64=lambda S: librosa.onset.onset_strength_multi(
            S=S, channels=[0, 4, 9, 12], center=False
        ),
        label="S=,channels",
    ),
    Case(
        "onset_strength_multi",
        lambda x: onset_strength_multi(x, channels=[0, 8, 16], **_ONSET),
        _noise(600),
        ref64=lambda x: librosa.onset.onset_strength_multi(y=x, channels=[0, 8, 16], **_ONSET_REF),
        skip={"vmap": _VMAP_DB},
        label="waveform,channels",
    ),
    Case(
        "pcen",
        lambda S: pcen(S, sr=_PCEN_SR, hop_length=_PCEN_HOP, max_size=3),
        _positive(6, 40),
        ref64=lambda S: np.stack(
            [librosa.pcen(s, sr=_PCEN_SR, hop_length=_PCEN_HOP, max_size=3) for s in S]
        ),
        label="S,max_size=3",
    ),
    Case(
        "pcen",
        _pcen_arrays,
        _pcen_inputs,
        grad_argnums=(0, 1, 2, 3, 4, 5),
        ref64=_pcen_arrays_ref,
        label="S,gain,bias,power,time_constant,eps arrays",
    ),
    Case(
        "pcen",
        lambda S, b: pcen(S, b=b[..., None, None], power=0.0, gain=0.7),
        lambda rng: (
            rng.uniform(0.1, 2.0, (3, 5, 30)).astype(np.float32),
            rng.uniform(0.05, 0.5, 3).astype(np.float32),
        ),
        grad_argnums=(0, 1),
        ref64=lambda S, b: np.stack(
            [librosa.pcen(S[i], b=float(b[i]), power=0.0, gain=0.7) for i in range(len(S))]
        ),
        label="S,b array,power=0",
    ),
    Case(
        "pcen",
        lambda S, b: pcen(S, b=b[..., None, None], bias=0.0),
        lambda rng: (
            rng.uniform(0.1, 2.0, (3, 5, 30)).astype(np.float32),
            rng.uniform(0.05, 0.5, 3).astype(np.float32),
        ),
        grad_argnums=(0, 1),
        ref64=lambda S, b: np.stack(
            [librosa.pcen(S[i], b=float(b[i]), bias=0.0) for i in range(len(S))]
        ),
        label="S,b array,bias=0",
    ),
    Case(
        "stack_memory",
        lambda d: stack_memory(d, n_steps=3, delay=-2, mode="edge"),
        _noise(4, 10),
        ref64=lambda d: librosa.feature.stack_memory(d, n_steps=3, delay=-2, mode="edge"),
        label="n_steps=3,delay=-2,edge",
    ),
    Case(
        "stack_memory",
        lambda d: stack_memory(d, n_steps=2, delay=3, value=0.5),
        _noise(4, 10),
        ref64=lambda d: librosa.feature.stack_memory(
            d, n_steps=2, delay=3, mode="constant", constant_values=0.5
        ),
        label="delay=3,constant",
    ),
]
