"""Pre-emphasis and de-emphasis (librosa.effects.preemphasis / deemphasis, state conventions included)."""

from __future__ import annotations

import mlx.core as mx
import numpy as np

from . import _checks
from ._filter import _lfilter

__all__ = ["deemphasis", "preemphasis"]


def _state(fn, zi, x):
    if zi is None:
        return None
    zi = mx.array(zi, dtype=mx.float32) if not isinstance(zi, mx.array) else zi.astype(mx.float32)
    if zi.ndim == 0:
        zi = zi.reshape(1)
    return zi


def preemphasis(x: mx.array, *, coef: float = 0.97, zi=None, return_zf: bool = False):
    """``y[n] = x[n] - coef * x[n-1]`` along the last axis (librosa.effects.preemphasis).

    Parameters
    ----------
    x : mx.array [shape=(..., n)], n >= 2
    coef : float
    zi : float or mx.array [shape=(..., 1)], optional
        Filter state in SciPy's transposed-direct-form convention, so ``y[0] = x[0] + zi``; librosa's
        default ``2 * x[0] - x[1]`` when omitted. Pass the previous call's ``zf`` to stream.
    return_zf : bool
        Also return the final state ``-coef * x[..., -1:]``.

    Transforms: compile, grad, jvp, vmap.
    """
    fn = "preemphasis"
    x = _checks.real_signal(fn, "x", x).astype(mx.float32)
    coef = _checks.real_number(fn, "coef", coef)
    return_zf = _checks.boolean(fn, "return_zf", return_zf)
    zi = _state(fn, zi, x)
    if zi is None:
        zi = 2 * x[..., 0:1] - x[..., 1:2]
    zi = mx.broadcast_to(zi, (*x.shape[:-1], 1))
    y = x + mx.concatenate([zi, -coef * x[..., :-1]], axis=-1)
    return (y, -coef * x[..., -1:]) if return_zf else y


def deemphasis(x: mx.array, *, coef: float = 0.97, zi=None, return_zf: bool = False):
    """Invert :func:`preemphasis`: ``y[n] = x[n] + coef * y[n-1]`` (librosa.effects.deemphasis).

    With ``zi=None`` the output is corrected, as librosa does, to invert ``preemphasis``'s default state
    (and, as in librosa, ``zf`` is then the state before that correction).

    Transforms: compile, grad, jvp, vmap.
    """
    fn = "deemphasis"
    x = _checks.real_signal(fn, "x", x).astype(mx.float32)
    coef = _checks.real_number(fn, "coef", coef)
    return_zf = _checks.boolean(fn, "return_zf", return_zf)
    zi = _state(fn, zi, x)
    b = mx.array([1.0])
    a = mx.array([1.0, -coef])
    if zi is None:
        y, zf = _lfilter(x, b, a, mx.zeros((*x.shape[:-1], 1)), True)
        decay = mx.array((coef ** np.arange(x.shape[-1])).astype(np.float32))
        y = y - ((2 - coef) * x[..., 0:1] - x[..., 1:2]) / (3 - coef) * decay
    else:
        y, zf = _lfilter(x, b, a, mx.broadcast_to(zi, (*x.shape[:-1], 1)), True)
    return (y, zf) if return_zf else y
