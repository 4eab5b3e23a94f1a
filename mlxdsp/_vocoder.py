"""Phase-vocoder time stretching and pitch shifting (librosa.phase_vocoder / effects.time_stretch /
effects.pitch_shift), vectorised over frames: the per-frame phase accumulation is a cumulative sum."""

from __future__ import annotations

import fractions
import math

import mlx.core as mx
import numpy as np

from . import _checks
from ._resample import resample
from ._stft import istft, stft
from ._typing import PadMode, ResampleMethod

__all__ = ["phase_vocoder", "pitch_shift", "time_stretch"]


def _polar(z: mx.array) -> tuple[mx.array, mx.array]:
    """Magnitude and angle with finite derivatives at z == 0 (where both are defined as 0)."""
    re, im = mx.real(z), mx.imag(z)
    r2 = re * re + im * im
    nz = r2 > 0
    mag = mx.where(nz, mx.sqrt(mx.where(nz, r2, 1.0)), 0.0)
    return mag, mx.arctan2(im, mx.where(nz, re, 1.0))


def _phase_vocoder(D: mx.array, rate: float, hop_length: int, n_fft: int) -> mx.array:
    n_frames = D.shape[-1]
    steps = np.arange(0, n_frames, rate, dtype=np.float64)
    i0 = np.floor(steps).astype(np.int32)
    alpha = mx.array((steps - i0).astype(np.float32))
    Dp = mx.pad(D, [(0, 0)] * (D.ndim - 1) + [(0, 2)])
    mag, ang = _polar(Dp)
    idx0, idx1 = mx.array(i0), mx.array(i0 + 1)
    m0, m1 = mx.take(mag, idx0, axis=-1), mx.take(mag, idx1, axis=-1)
    a0, a1 = mx.take(ang, idx0, axis=-1), mx.take(ang, idx1, axis=-1)
    out_mag = (1.0 - alpha) * m0 + alpha * m1
    n_bins = D.shape[-2]
    phi_advance = mx.array((hop_length * 2 * np.pi * np.arange(n_bins) / n_fft).astype(np.float32))[
        :, None
    ]
    dphase = a1 - a0 - phi_advance
    dphase = dphase - 2.0 * math.pi * mx.round(dphase / (2.0 * math.pi))
    # wrapping each increment keeps the float32 running sum small; phases only matter modulo 2 pi
    inc = phi_advance + dphase
    inc = inc - 2.0 * math.pi * mx.round(inc / (2.0 * math.pi))
    acc = mx.cumsum(inc, axis=-1) - inc  # exclusive: frame t uses the advances of frames < t
    phase = ang[..., 0:1] + acc
    return out_mag * mx.cos(phase) + 1j * (out_mag * mx.sin(phase))


def phase_vocoder(
    D: mx.array, *, rate: float, hop_length: int | None = None, n_fft: int | None = None
) -> mx.array:
    """Speed up (``rate > 1``) or slow down a complex STFT by ``rate`` (librosa.phase_vocoder).

    Parameters
    ----------
    D : mx.array [shape=(..., n_freq, n_frames)], complex64
    rate : float > 0
    hop_length : int, optional   default ``n_fft // 4``
    n_fft : int, optional        default ``2 * (n_freq - 1)``

    Returns
    -------
    mx.array [shape=(..., n_freq, ceil(n_frames / rate))], complex64

    Transforms: compile, grad, jvp, vmap (``rate`` is a plain float: it sets the output shape).
    """
    fn = "phase_vocoder"
    D = _checks.complex_spectrum(fn, "D", D)
    rate = _checks.positive_number(fn, "rate", rate)
    n_fft = 2 * (D.shape[-2] - 1) if n_fft is None else _checks.positive_int(fn, "n_fft", n_fft)
    hop_length = (
        n_fft // 4 if hop_length is None else _checks.positive_int(fn, "hop_length", hop_length)
    )
    return _phase_vocoder(D, rate, hop_length, n_fft)


def time_stretch(
    y: mx.array,
    *,
    rate: float,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
) -> mx.array:
    """Change duration by ``1 / rate`` keeping the pitch (librosa.effects.time_stretch): STFT, phase vocoder,
    iSTFT to ``round(n / rate)`` samples. ``pad_mode`` defaults to librosa 0.11's "constant".

    Transforms: compile, grad, jvp, vmap.
    """
    fn = "time_stretch"
    y = _checks.real_signal(fn, "y", y)
    rate = _checks.positive_number(fn, "rate", rate)
    kw = dict(
        n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center
    )
    D = stft(y, pad_mode=pad_mode, **kw)
    hop = (win_length or n_fft) // 4 if hop_length is None else hop_length
    stretched = _phase_vocoder(D, rate, hop, n_fft)
    return istft(stretched, length=int(round(y.shape[-1] / rate)), **kw)


def rational_rate(rate: float, max_denominator: int = 1000) -> tuple[int, int]:
    """(p, q) with p / q ~ rate, denominators bounded so that resampling filters stay small."""
    frac = fractions.Fraction(rate).limit_denominator(max_denominator)
    return frac.numerator, frac.denominator


def pitch_shift(
    y: mx.array,
    *,
    sr: int,
    n_steps: float,
    bins_per_octave: int = 12,
    method: ResampleMethod = "hq",
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
) -> mx.array:
    """Shift the pitch by ``n_steps`` of ``1 / bins_per_octave`` octave, keeping the duration
    (librosa.effects.pitch_shift): time-stretch by ``rate = 2 ** (-n_steps / bins_per_octave)``, resample by
    ``rate`` (approximated by a fraction with denominator <= 1000: pitch error < 0.01 cent), fix the length.

    ``method`` is :func:`resample`'s; ``"fft"`` matches librosa's ``res_type="fft"``.

    Transforms: compile, grad, jvp, vmap.
    """
    fn = "pitch_shift"
    y = _checks.real_signal(fn, "y", y)
    _checks.positive_int(fn, "sr", sr)
    n_steps = _checks.real_number(fn, "n_steps", n_steps)
    bins_per_octave = _checks.positive_int(fn, "bins_per_octave", bins_per_octave)
    rate = 2.0 ** (-n_steps / bins_per_octave)
    stretched = time_stretch(
        y,
        rate=rate,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
    )
    p, q = rational_rate(rate)
    shifted = resample(stretched, orig_sr=q, target_sr=p, method=method)
    n = y.shape[-1]
    if shifted.shape[-1] >= n:
        return shifted[..., :n]
    return mx.pad(shifted, [(0, 0)] * (shifted.ndim - 1) + [(0, n - shifted.shape[-1])])
