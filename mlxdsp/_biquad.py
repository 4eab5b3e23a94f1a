"""torchaudio's biquad family (RBJ cookbook / SoX designs) on top of :func:`lfilter`.

Coefficients are computed from plain-float options; filtering is :func:`lfilter` (block-parallel,
differentiable with respect to the signal). ``clamp=True`` clips the output to [-1, 1] as
torchaudio.functional.lfilter does by default.
"""

from __future__ import annotations

import math

import mlx.core as mx

from . import _checks
from ._filter import _lfilter

__all__ = [
    "allpass_biquad",
    "bandpass_biquad",
    "bandreject_biquad",
    "bass_biquad",
    "biquad",
    "equalizer_biquad",
    "highpass_biquad",
    "highshelf_biquad",
    "lowpass_biquad",
    "lowshelf_biquad",
    "treble_biquad",
]


def _run(x, b, a, clamp):
    y = _lfilter(x, b, a, None, False)
    return mx.clip(y, -1.0, 1.0) if clamp else y


def biquad(x: mx.array, b: mx.array, a: mx.array, *, clamp: bool = True) -> mx.array:
    """Second-order IIR filter with coefficients ``b = [b0, b1, b2]``, ``a = [a0, a1, a2]``
    (torchaudio.functional.biquad). Differentiable with respect to ``x``, ``b`` and ``a``.

    Transforms: compile, grad (x, b, a), jvp, vmap.
    """
    fn = "biquad"
    x = _checks.real_signal(fn, "x", x).astype(mx.float32)
    b = _checks.real_signal(fn, "b", b).astype(mx.float32)
    a = _checks.real_signal(fn, "a", a).astype(mx.float32)
    return _run(x, b, a, _checks.boolean(fn, "clamp", clamp))


def _common(fn, x, sample_rate, freq, freq_name, q, clamp):
    x = _checks.real_signal(fn, "x", x).astype(mx.float32)
    sr = _checks.positive_number(fn, "sample_rate", sample_rate)
    freq = _checks.positive_number(fn, freq_name, freq)
    q = _checks.positive_number(fn, "Q", q)
    clamp = _checks.boolean(fn, "clamp", clamp)
    w0 = 2 * math.pi * freq / sr
    return x, w0, math.sin(w0) / 2 / q, clamp


def _apply(x, coeffs, clamp):
    b0, b1, b2, a0, a1, a2 = coeffs
    return _run(x, mx.array([b0, b1, b2]), mx.array([a0, a1, a2]), clamp)


def lowpass_biquad(
    x, *, sample_rate: float, cutoff_freq: float, Q: float = 0.707, clamp: bool = True
):
    """Two-pole low-pass (torchaudio.functional.lowpass_biquad). ``x``: [..., n].

    Transforms: compile, grad (x), jvp, vmap.
    """
    x, w0, alpha, clamp = _common(
        "lowpass_biquad", x, sample_rate, cutoff_freq, "cutoff_freq", Q, clamp
    )
    c = math.cos(w0)
    return _apply(x, ((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha), clamp)


def highpass_biquad(
    x, *, sample_rate: float, cutoff_freq: float, Q: float = 0.707, clamp: bool = True
):
    """Two-pole high-pass (torchaudio.functional.highpass_biquad).

    Transforms: compile, grad (x), jvp, vmap.
    """
    x, w0, alpha, clamp = _common(
        "highpass_biquad", x, sample_rate, cutoff_freq, "cutoff_freq", Q, clamp
    )
    c = math.cos(w0)
    return _apply(x, ((1 + c) / 2, -1 - c, (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha), clamp)


def allpass_biquad(
    x, *, sample_rate: float, central_freq: float, Q: float = 0.707, clamp: bool = True
):
    """Two-pole all-pass (torchaudio.functional.allpass_biquad).

    Transforms: compile, grad (x), jvp, vmap.
    """
    x, w0, alpha, clamp = _common(
        "allpass_biquad", x, sample_rate, central_freq, "central_freq", Q, clamp
    )
    c = math.cos(w0)
    return _apply(x, (1 - alpha, -2 * c, 1 + alpha, 1 + alpha, -2 * c, 1 - alpha), clamp)


def bandpass_biquad(
    x,
    *,
    sample_rate: float,
    central_freq: float,
    Q: float = 0.707,
    const_skirt_gain: bool = False,
    clamp: bool = True,
):
    """Two-pole band-pass (torchaudio.functional.bandpass_biquad): constant 0 dB peak gain, or constant
    skirt gain (peak gain = Q) when ``const_skirt_gain``.

    Transforms: compile, grad (x), jvp, vmap.
    """
    fn = "bandpass_biquad"
    x, w0, alpha, clamp = _common(fn, x, sample_rate, central_freq, "central_freq", Q, clamp)
    c = math.cos(w0)
    temp = math.sin(w0) / 2 if _checks.boolean(fn, "const_skirt_gain", const_skirt_gain) else alpha
    return _apply(x, (temp, 0.0, -temp, 1 + alpha, -2 * c, 1 - alpha), clamp)


def bandreject_biquad(
    x, *, sample_rate: float, central_freq: float, Q: float = 0.707, clamp: bool = True
):
    """Two-pole band-reject (notch) filter (torchaudio.functional.bandreject_biquad).

    Transforms: compile, grad (x), jvp, vmap.
    """
    x, w0, alpha, clamp = _common(
        "bandreject_biquad", x, sample_rate, central_freq, "central_freq", Q, clamp
    )
    c = math.cos(w0)
    return _apply(x, (1.0, -2 * c, 1.0, 1 + alpha, -2 * c, 1 - alpha), clamp)


def equalizer_biquad(
    x, *, sample_rate: float, center_freq: float, gain: float, Q: float = 0.707, clamp: bool = True
):
    """Peaking equaliser, ``gain`` in dB (torchaudio.functional.equalizer_biquad).

    Transforms: compile, grad (x), jvp, vmap.
    """
    fn = "equalizer_biquad"
    x, w0, alpha, clamp = _common(fn, x, sample_rate, center_freq, "center_freq", Q, clamp)
    big_a = math.exp(_checks.real_number(fn, "gain", gain) / 40.0 * math.log(10))
    c = math.cos(w0)
    coeffs = (
        1 + alpha * big_a,
        -2 * c,
        1 - alpha * big_a,
        1 + alpha / big_a,
        -2 * c,
        1 - alpha / big_a,
    )
    return _apply(x, coeffs, clamp)


def _shelf(fn, x, sample_rate, freq, freq_name, gain, q, clamp, low):
    x, w0, alpha, clamp = _common(fn, x, sample_rate, freq, freq_name, q, clamp)
    big_a = math.exp(_checks.real_number(fn, "gain", gain) / 40 * math.log(10))
    t1 = 2 * math.sqrt(big_a) * alpha
    t2 = (big_a - 1) * math.cos(w0)
    t3 = (big_a + 1) * math.cos(w0)
    if low:
        coeffs = (
            big_a * ((big_a + 1) - t2 + t1),
            2 * big_a * ((big_a - 1) - t3),
            big_a * ((big_a + 1) - t2 - t1),
            (big_a + 1) + t2 + t1,
            -2 * ((big_a - 1) + t3),
            (big_a + 1) + t2 - t1,
        )
    else:
        coeffs = (
            big_a * ((big_a + 1) + t2 + t1),
            -2 * big_a * ((big_a - 1) + t3),
            big_a * ((big_a + 1) + t2 - t1),
            (big_a + 1) - t2 + t1,
            2 * ((big_a - 1) - t3),
            (big_a + 1) - t2 - t1,
        )
    return _apply(x, coeffs, clamp)


def lowshelf_biquad(
    x, *, sample_rate: float, cutoff_freq: float, gain: float, Q: float = 0.707, clamp: bool = True
):
    """Low shelf, ``gain`` dB below ``cutoff_freq`` (RBJ cookbook; torchaudio's bass_biquad design).

    Transforms: compile, grad (x), jvp, vmap.
    """
    return _shelf(
        "lowshelf_biquad", x, sample_rate, cutoff_freq, "cutoff_freq", gain, Q, clamp, True
    )


def highshelf_biquad(
    x, *, sample_rate: float, cutoff_freq: float, gain: float, Q: float = 0.707, clamp: bool = True
):
    """High shelf, ``gain`` dB above ``cutoff_freq`` (RBJ cookbook; torchaudio's treble_biquad design).

    Transforms: compile, grad (x), jvp, vmap.
    """
    return _shelf(
        "highshelf_biquad", x, sample_rate, cutoff_freq, "cutoff_freq", gain, Q, clamp, False
    )


def bass_biquad(
    x,
    *,
    sample_rate: float,
    gain: float,
    central_freq: float = 100.0,
    Q: float = 0.707,
    clamp: bool = True,
):
    """Bass tone control (torchaudio.functional.bass_biquad): a low shelf at ``central_freq``.

    Transforms: compile, grad (x), jvp, vmap.
    """
    return _shelf("bass_biquad", x, sample_rate, central_freq, "central_freq", gain, Q, clamp, True)


def treble_biquad(
    x,
    *,
    sample_rate: float,
    gain: float,
    central_freq: float = 3000.0,
    Q: float = 0.707,
    clamp: bool = True,
):
    """Treble tone control (torchaudio.functional.treble_biquad): a high shelf at ``central_freq``.

    Transforms: compile, grad (x), jvp, vmap.
    """
    return _shelf(
        "treble_biquad", x, sample_rate, central_freq, "central_freq", gain, Q, clamp, False
    )
