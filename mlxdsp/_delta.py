"""Local derivative estimates of feature sequences (librosa's Savitzky-Golay ``delta``)."""

from __future__ import annotations

import functools
import math

import mlx.core as mx
import numpy as np

from . import _checks
from ._errors import ParameterError

_MODES = ("interp", "nearest", "mirror", "constant", "wrap")


@functools.lru_cache(maxsize=64)
def savgol_derivative_weights(width: int, order: int) -> np.ndarray:
    """Least-squares weights w with ``sum_i w[i] x[t - h + i]`` = the order-th derivative at t of the
    degree-``order`` polynomial fitted to the window (h = width // 2); SciPy's savgol_coeffs, use='dot'."""
    half = width // 2
    positions = np.arange(-half, width - half, dtype=np.float64)
    vander = positions[None, :] ** np.arange(order + 1)[:, None]  # [order + 1, width]
    weights = math.factorial(order) * np.linalg.pinv(vander.T)[order]
    weights.setflags(write=False)
    return weights


def _extension_indices(t: int, half: int, mode: str) -> np.ndarray:
    """Source index of every sample of the signal extended by ``half`` on both sides, for any
    ``half`` (SciPy's ndimage modes: "nearest" repeats the edge, "wrap" is periodic, "mirror"
    reflects about the edge samples without repeating them)."""
    i = np.arange(-half, t + half)
    if mode == "nearest":
        return np.clip(i, 0, t - 1).astype(np.int32)
    if mode == "wrap":
        return np.mod(i, t).astype(np.int32)
    if t == 1:
        return np.zeros_like(i, dtype=np.int32)
    period = 2 * (t - 1)
    j = np.mod(i, period)
    return np.where(j < t, j, period - j).astype(np.int32)


def delta(data, *, width: int = 9, order: int = 1, mode: str = "interp") -> mx.array:
    """Delta features along the last axis, equal to ``librosa.feature.delta`` (Savitzky-Golay).

    Parameters
    ----------
    data : mx.array [shape=(..., t)], real floating
    width : int
        Odd window length >= 3; with ``mode="interp"``, at most t.
    order : int >= 1
        Derivative order (the fitted polynomial has this degree).
    mode : {"interp", "nearest", "mirror", "constant", "wrap"}
        Edge handling, as ``scipy.signal.savgol_filter``. For "interp" (default) the derivative of the
        edge window's polynomial fit is constant across that window, so the edges repeat the first and
        last interior values: exact, and no polynomial fitting at run time.

    Returns
    -------
    mx.array [shape=(..., t)], float32.

    Transforms: compile, grad, vjp, jvp, vmap.
    """
    fn = "delta"
    data = _checks.real_signal(fn, "data", data).astype(mx.float32)
    width = _checks.positive_int(fn, "width", width)
    order = _checks.positive_int(fn, "order", order)
    _checks.choice(fn, "mode", mode, _MODES)
    if width < 3 or width % 2 == 0:
        raise ParameterError(f"[{fn}] width={width} must be an odd integer >= 3")
    if order >= width:
        raise ParameterError(f"[{fn}] order={order} must be < width={width}")
    t = data.shape[-1]
    half = width // 2
    if mode == "interp" and width > t:
        raise ParameterError(
            f"[{fn}] width={width} must be <= the data length {t} for mode='interp'"
        )
    weights = savgol_derivative_weights(width, order)
    if mode == "interp":
        padded = data
    elif mode == "constant":
        padded = mx.pad(data, [(0, 0)] * (data.ndim - 1) + [(half, half)])
    else:
        padded = mx.take(data, mx.array(_extension_indices(t, half, mode)), axis=-1)
    n_out = padded.shape[-1] - width + 1
    out = None
    for i, w in enumerate(weights.tolist()):
        if w == 0.0:
            continue
        term = float(w) * padded[..., i : i + n_out]
        out = term if out is None else out + term
    if mode == "interp":
        out = mx.pad(out, [(0, 0)] * (out.ndim - 1) + [(half, half)], mode="edge")
    return out
