"""Harmonic-percussive source separation by median filtering (librosa.decompose.hpss)."""

from __future__ import annotations

import functools

import mlx.core as mx
import numpy as np

from . import _checks
from ._errors import ParameterError

__all__ = ["hpss", "median_filter"]


@functools.lru_cache(maxsize=64)
def _window_index(n: int, size: int) -> mx.array:
    """[n * size] indices of the centred windows of a length-n axis, extended by half-sample symmetric
    reflection (scipy.ndimage mode="reflect": d c b a | a b c d | d c b a)."""
    half = size // 2
    pos = np.arange(n)[:, None] + np.arange(size)[None, :] - half
    period = 2 * n
    pos = np.mod(pos, period)
    pos = np.where(pos >= n, period - 1 - pos, pos)
    return mx.array(pos.reshape(-1).astype(np.int32))


def median_filter(x: mx.array, *, size: int, axis: int = -1) -> mx.array:
    """Running median of odd ``size`` along ``axis``, edges reflected (scipy.ndimage.median_filter with a
    1-D footprint, mode="reflect").

    Transforms: compile, grad, jvp, vmap (the gradient flows to the median element).
    """
    fn = "median_filter"
    x = _checks.real_signal(fn, "x", x)
    size = _checks.positive_int(fn, "size", size)
    if size % 2 == 0:
        raise ParameterError(f"[{fn}] size={size} must be odd")
    if not -x.ndim <= axis < x.ndim:
        raise ParameterError(f"[{fn}] axis={axis} is out of range for x.ndim={x.ndim}")
    return _median(x, size, axis)


def _median(x, size, axis):
    if size == 1:
        return x
    xt = mx.moveaxis(x, axis, -1)
    n = xt.shape[-1]
    win = mx.take(xt, _window_index(n, size), axis=-1).reshape(*xt.shape[:-1], n, size)
    med = mx.partition(win, size // 2, axis=-1)[..., size // 2]
    return mx.moveaxis(med, -1, axis)


def _softmask(X, X_ref, power, split_zeros):
    Z = mx.maximum(X, X_ref)
    bad = Z < np.finfo(np.float32).tiny
    Zs = mx.where(bad, 1.0, Z)
    m = (X / Zs) ** power
    r = (X_ref / Zs) ** power
    out = m / mx.where(bad, 1.0, m + r)
    return mx.where(bad, 0.5 if split_zeros else 0.0, out)


def hpss(
    S: mx.array,
    *,
    kernel_size: int | tuple[int, int] = 31,
    power: float = 2.0,
    mask: bool = False,
    margin: float | tuple[float, float] = 1.0,
) -> tuple[mx.array, mx.array]:
    """Split a spectrogram into harmonic and percussive parts (librosa.decompose.hpss).

    The harmonic estimate is a median over time (``kernel_size[0]`` frames), the percussive one a median over
    frequency (``kernel_size[1]`` bins); soft masks ``H^p / (H^p + (margin P)^p)`` split ``S``.

    Parameters
    ----------
    S : mx.array [shape=(..., n_freq, n_frames)], magnitude (real) or complex64 STFT
    kernel_size : int or (harmonic, percussive), odd
    power : float > 0
    mask : bool
        Return the masks instead of the masked spectrograms.
    margin : float or (harmonic, percussive), >= 1

    Returns
    -------
    (harmonic, percussive) : two arrays shaped like ``S`` (complex when ``S`` is, phase kept)

    Transforms: compile, grad, jvp, vmap.
    """
    fn = "hpss"
    S = _checks.array(fn, "S", S, min_ndim=2)
    k_h, k_p = kernel_size if isinstance(kernel_size, tuple) else (kernel_size, kernel_size)
    k_h = _checks.positive_int(fn, "kernel_size", k_h)
    k_p = _checks.positive_int(fn, "kernel_size", k_p)
    if k_h % 2 == 0 or k_p % 2 == 0:
        raise ParameterError(f"[{fn}] kernel_size={kernel_size!r} must be odd")
    m_h, m_p = margin if isinstance(margin, tuple) else (margin, margin)
    m_h = _checks.real_number(fn, "margin", m_h, low=1.0)
    m_p = _checks.real_number(fn, "margin", m_p, low=1.0)
    power = _checks.positive_number(fn, "power", power)
    mask = _checks.boolean(fn, "mask", mask)
    if mx.issubdtype(S.dtype, mx.complexfloating):
        mag = mx.abs(S)
        phase = S / mx.where(mag == 0, 1.0, mag).astype(mx.complex64) + (mag == 0).astype(
            mx.complex64
        )
    else:
        mag = S.astype(mx.float32)
        phase = None
    harm = _median(mag, k_h, -1)
    perc = _median(mag, k_p, -2)
    split_zeros = m_h == 1 and m_p == 1
    mask_h = _softmask(harm, perc * m_h, power, split_zeros)
    mask_p = _softmask(perc, harm * m_p, power, split_zeros)
    if mask:
        return mask_h, mask_p
    if phase is None:
        return mag * mask_h, mag * mask_p
    return (mag * mask_h) * phase, (mag * mask_p) * phase
