"""Transform-table cases for resampling, filtering and effects (issue 5)."""

from __future__ import annotations

import math

import numpy as np
import scipy.signal as ss

import mlxdsp
from tests.cases import Case

CASES: list[Case] = []
NOT_ARRAY_FUNCTIONS: dict[str, str] = {}


def _sig(n):
    return lambda rng: (rng.standard_normal((3, n)),)


def _poly64(x, up, down):
    return ss.resample_poly(x, up, down, axis=-1)


CASES += [
    Case("resample", lambda x: mlxdsp.resample(x, orig_sr=44100, target_sr=16000), _sig(600), label="hq"),
    Case(
        "resample",
        lambda x: mlxdsp.resample(x, orig_sr=48000, target_sr=44100, method="polyphase"),
        _sig(400),
        ref64=lambda x: _poly64(x, 147, 160),
        label="polyphase",
    ),
    Case(
        "resample",
        lambda x: mlxdsp.resample(x, orig_sr=8000, target_sr=22050, method="sinc_interp_kaiser"),
        _sig(200),
        label="sinc_kaiser",
    ),
    Case(
        "resample",
        lambda x: mlxdsp.resample(x, orig_sr=3, target_sr=2, method="fft"),
        _sig(301),
        ref64=lambda x: ss.resample(x, math.ceil(301 * 2 / 3), axis=-1),
        label="fft",
    ),
]


# ---- lfilter family: gradients with respect to x, b and a are checked against float64 scipy ----------

_B = np.array([0.2, -0.1, 0.05])
_A = np.array([1.0, -1.2, 0.5])  # poles at radius 0.71
_SOS = ss.butter(4, 0.2, output="sos")


def _coef(rng, base, n=3, scale=0.02):
    return lambda rng: base + scale * rng.standard_normal((n, base.size))


def _x_b_a(rng):
    return (rng.standard_normal((3, 300)), _B + 0.02 * rng.standard_normal((3, 3)), _A + 0.02 * rng.standard_normal((3, 3)))


def _rows64(fn):
    """Apply a 1-D scipy routine row by row (one filter per batch row)."""
    return lambda *arrs: np.stack([fn(*[a[i] for a in arrs]) for i in range(arrs[0].shape[0])])


CASES += [
    Case(
        "lfilter",
        lambda x, b, a: mlxdsp.lfilter(x, b, a),
        _x_b_a,
        grad_argnums=(0, 1, 2),
        ref64=_rows64(lambda x, b, a: ss.lfilter(b, a, x)),
        label="x_b_a",
    ),
    Case(
        "lfilter",
        lambda x, zi: mlxdsp.lfilter(x, mx_const(_B), mx_const(_A), zi=zi),
        lambda rng: (rng.standard_normal((3, 200)), rng.standard_normal((3, 2))),
        grad_argnums=(0, 1),
        ref64=_rows64(lambda x, zi: ss.lfilter(_B, _A, x, zi=zi)[0]),
        label="zi",
    ),
    Case(
        "lfilter_zi",
        lambda b, a: mlxdsp.lfilter_zi(b, a),
        lambda rng: _x_b_a(rng)[1:],
        grad_argnums=(0, 1),
        ref64=_rows64(lambda b, a: ss.lfilter_zi(b, a)),
    ),
    Case(
        "sosfilt",
        lambda x, sos: mlxdsp.sosfilt(x, sos),
        lambda rng: (rng.standard_normal((3, 300)), _SOS + 0.01 * rng.standard_normal((3, *_SOS.shape))),
        grad_argnums=(0, 1),
        ref64=_rows64(lambda x, sos: ss.sosfilt(sos / sos[:, 3:4], x)),
    ),
    Case(
        "sosfilt_zi",
        lambda sos: mlxdsp.sosfilt_zi(sos),
        lambda rng: (_SOS + 0.01 * rng.standard_normal((3, *_SOS.shape)),),
        ref64=_rows64(lambda sos: ss.sosfilt_zi(sos / sos[:, 3:4])),
    ),
    Case(
        "filtfilt",
        lambda x, b, a: mlxdsp.filtfilt(x, b, a),
        _x_b_a,
        grad_argnums=(0, 1, 2),
        ref64=_rows64(lambda x, b, a: ss.filtfilt(b, a, x)),
    ),
    Case(
        "sosfiltfilt",
        lambda x: mlxdsp.sosfiltfilt(x, mx_const(_SOS)),
        _sig(300),
        ref64=lambda x: ss.sosfiltfilt(_SOS, x, axis=-1),
    ),
]


def mx_const(a):
    import mlx.core as mx

    return mx.array(np.asarray(a, dtype=np.float32))


def _conv_inputs(n, m):
    return lambda rng: (rng.standard_normal((3, n)), rng.standard_normal((3, m)))


for _name in ("fftconvolve", "oaconvolve", "convolve"):
    for _mode, (_n, _m) in (("full", (200, 31)), ("same", (300, 64)), ("valid", (257, 100))):
        CASES.append(
            Case(
                _name,
                (lambda f, md: lambda x, h: getattr(mlxdsp, f)(x, h, mode=md))(_name, _mode),
                _conv_inputs(_n, _m),
                grad_argnums=(0, 1),
                ref64=(lambda md: _rows64(lambda x, h: ss.convolve(x, h, mode=md, method="direct")))(_mode),
                label=_mode,
            )
        )

_SR = 16000
_BIQUAD_CALLS = {
    "lowpass_biquad": dict(cutoff_freq=1000.0),
    "highpass_biquad": dict(cutoff_freq=800.0),
    "allpass_biquad": dict(central_freq=1000.0),
    "bandpass_biquad": dict(central_freq=1000.0, Q=2.0),
    "bandreject_biquad": dict(central_freq=1000.0),
    "equalizer_biquad": dict(center_freq=1000.0, gain=4.0),
    "lowshelf_biquad": dict(cutoff_freq=500.0, gain=4.0),
    "highshelf_biquad": dict(cutoff_freq=3000.0, gain=-4.0),
    "bass_biquad": dict(gain=3.0),
    "treble_biquad": dict(gain=-3.0),
}
for _name, _kw in _BIQUAD_CALLS.items():
    CASES.append(
        Case(
            _name,
            (lambda f, kw: lambda x: getattr(mlxdsp, f)(x, sample_rate=_SR, clamp=False, **kw))(_name, _kw),
            lambda rng: (0.3 * rng.standard_normal((3, 300)),),
        )
    )
CASES += [
    Case(
        "biquad",
        lambda x, b, a: mlxdsp.biquad(x, b, a, clamp=False),
        lambda rng: (0.3 * rng.standard_normal((3, 300)), _B + 0.02 * rng.standard_normal((3, 3)), _A + 0.02 * rng.standard_normal((3, 3))),
        grad_argnums=(0, 1, 2),
        ref64=_rows64(lambda x, b, a: ss.lfilter(b, a, x)),
    ),
    Case(
        "mu_law_encoding",
        lambda x: mlxdsp.mu_law_encoding(x),
        lambda rng: (np.tanh(rng.standard_normal((3, 200))),),
        skip={
            "grad": "integer codes: piecewise constant, the derivative is zero almost everywhere",
            "jvp": "integer codes: piecewise constant, the derivative is zero almost everywhere",
        },
    ),
    Case(
        "mu_law_decoding",
        lambda c: mlxdsp.mu_law_decoding(c),
        lambda rng: (rng.uniform(0, 255, (3, 200)),),
        fd_eps=1e-1,
    ),
    Case(
        "preemphasis",
        lambda x: mlxdsp.preemphasis(x, coef=0.9),
        _sig(200),
    ),
    Case(
        "deemphasis",
        lambda x: mlxdsp.deemphasis(x, coef=0.9),
        _sig(200),
    ),
]
