"""Window functions, computed in float64 NumPy (SciPy's definitions) and cached as float32 constants."""

from __future__ import annotations

import functools
import math
import numbers

import mlx.core as mx
import numpy as np

from . import _checks
from ._errors import ParameterError
from ._typing import WindowName

# Parameterised windows take their parameter from a tuple, as in scipy.signal.get_window.
_PARAMETER = {"kaiser": "beta", "tukey": "alpha", "gaussian": "std"}
_DEFAULT_PARAMETER = {"tukey": 0.5}


def _general_cosine(m: int, coefficients) -> np.ndarray:
    fac = np.linspace(-np.pi, np.pi, m)
    w = np.zeros(m)
    for k, a in enumerate(coefficients):
        w += a * np.cos(k * fac)
    return w


def _symmetric(name: str, m: int, param: float | None) -> np.ndarray:
    if m == 1:
        return np.ones(1)
    n = np.arange(m, dtype=np.float64)
    if name == "hann":
        return _general_cosine(m, [0.5, 0.5])
    if name == "hamming":
        return _general_cosine(m, [0.54, 0.46])
    if name == "blackman":
        return _general_cosine(m, [0.42, 0.50, 0.08])
    if name == "bartlett":
        return np.where(n <= (m - 1) / 2.0, 2.0 * n / (m - 1), 2.0 - 2.0 * n / (m - 1))
    if name in ("boxcar", "rectangular", "ones"):
        return np.ones(m)
    if name == "cosine":
        return np.sin(np.pi / m * (n + 0.5))
    if name == "kaiser":
        alpha = (m - 1) / 2.0
        return np.i0(param * np.sqrt(1 - ((n - alpha) / alpha) ** 2.0)) / np.i0(param)
    if name == "gaussian":
        return np.exp(-0.5 * ((n - (m - 1.0) / 2.0) / param) ** 2)
    if name == "tukey":
        if param <= 0:
            return np.ones(m)
        if param >= 1.0:
            return _general_cosine(m, [0.5, 0.5])
        width = int(np.floor(param * (m - 1) / 2.0))
        n1, n2, n3 = n[0 : width + 1], n[width + 1 : m - width - 1], n[m - width - 1 :]
        w1 = 0.5 * (1 + np.cos(np.pi * (-1 + 2.0 * n1 / param / (m - 1))))
        w2 = np.ones(n2.shape)
        w3 = 0.5 * (1 + np.cos(np.pi * (-2.0 / param + 1 + 2.0 * n3 / param / (m - 1))))
        return np.concatenate((w1, w2, w3))
    raise AssertionError(name)


def _parse(fn: str, window) -> tuple[str, float | None]:
    """Window spec -> (canonical name, parameter). Accepts 'hann' or ('kaiser', 8.0)."""
    if isinstance(window, tuple):
        if not window or not isinstance(window[0], str):
            raise ParameterError(f"[{fn}] window={window!r} must be a name or (name, parameter)")
        name, rest = window[0], window[1:]
    else:
        name, rest = window, ()
    _checks.choice(fn, "window", name, WindowName)
    if name in _PARAMETER:
        if len(rest) != 1:
            if not rest and name in _DEFAULT_PARAMETER:
                return name, _DEFAULT_PARAMETER[name]
            raise ParameterError(
                f"[{fn}] window={window!r} needs its {_PARAMETER[name]}: pass ({name!r}, value)"
            )
        param = rest[0]
        if (
            isinstance(param, bool)
            or not isinstance(param, numbers.Real)
            or not math.isfinite(param)
        ):
            raise ParameterError(
                f"[{fn}] window={window!r} {_PARAMETER[name]} must be a finite number"
            )
        if name == "gaussian" and param <= 0:
            raise ParameterError(f"[{fn}] window={window!r} std must be > 0")
        return name, float(param)
    if rest:
        raise ParameterError(f"[{fn}] window={window!r}: {name!r} takes no parameter")
    return name, None


@functools.lru_cache(maxsize=256)
def window_f64(name: str, param: float | None, n: int, periodic: bool) -> np.ndarray:
    """Float64 window (read-only), SciPy's definition; periodic = symmetric of n + 1, truncated.
    A window of length 1 is [1.0] for every name and symmetry, as in SciPy."""
    if n == 1:
        w = np.ones(1)
        w.setflags(write=False)
        return w
    w = _symmetric(name, n + 1, param)[:-1] if periodic else _symmetric(name, n, param)
    w.setflags(write=False)
    return w


@functools.lru_cache(maxsize=256)
def _window_mx(name: str, param: float | None, n: int, periodic: bool) -> mx.array:
    return mx.array(window_f64(name, param, n, periodic).astype(np.float32))


def get_window(name, n: int, *, periodic: bool = True) -> mx.array:
    """A window of length ``n`` as a float32 array, identical to ``scipy.signal.get_window``.

    Parameters
    ----------
    name : str or tuple
        ``"hann"``, ``"hamming"``, ``"blackman"``, ``"bartlett"``, ``"boxcar"`` (alias
        ``"rectangular"``, ``"ones"``), ``"cosine"``, ``"tukey"`` (alpha 0.5 by default), or a tuple with
        the parameter: ``("kaiser", beta)``, ``("tukey", alpha)``, ``("gaussian", std)``.
    n : int
        Window length.
    periodic : bool
        True (default) gives the DFT-even window used for spectral analysis (SciPy ``fftbins=True``,
        torch ``periodic=True``); False gives the symmetric window used for filter design.

    Returns
    -------
    mx.array [shape=(n,)], float32. Computed in float64 and rounded once.

    Transforms: none apply (no array inputs); the result is a constant.

    Examples
    --------
    >>> import mlxdsp
    >>> mlxdsp.get_window("hann", 4).tolist()
    [0.0, 0.5, 1.0, 0.5]
    """
    n = _checks.positive_int("get_window", "n", n)
    _checks.boolean("get_window", "periodic", periodic)
    kind, param = _parse("get_window", name)
    return _window_mx(kind, param, n, periodic)


def analysis_window(fn: str, window, win_length: int, n_fft: int):
    """The STFT window zero-padded (centred) to n_fft.

    Returns ``(mx.array [n_fft], float64 NumPy copy or None)``. Named windows and NumPy/list arrays are
    constants (the NumPy copy drives the NOLA check and the iSTFT envelope); an ``mx.array`` window is
    data: it may be traced and receive gradients, so it is never inspected.
    """
    left = (n_fft - win_length) // 2
    right = n_fft - win_length - left
    if isinstance(window, (str, tuple)):
        kind, param = _parse(fn, window)
        return _padded_named(kind, param, win_length, n_fft)
    if isinstance(window, mx.array):
        if window.ndim != 1 or window.shape[0] != win_length:
            raise ParameterError(
                f"[{fn}] window.shape={tuple(window.shape)} must be (win_length,)=({win_length},)"
            )
        w = window.astype(mx.float32)
        return (mx.pad(w, [(left, right)]) if left or right else w), None
    try:
        w64 = np.asarray(window, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ParameterError(
            f"[{fn}] window of type {type(window).__name__} is not a window"
        ) from err
    if w64.ndim != 1 or w64.shape[0] != win_length:
        raise ParameterError(
            f"[{fn}] window.shape={w64.shape} must be (win_length,)=({win_length},)"
        )
    w64 = np.pad(w64, (left, right))
    return mx.array(w64.astype(np.float32)), w64


@functools.lru_cache(maxsize=256)
def _padded_named(kind: str, param: float | None, win_length: int, n_fft: int):
    left = (n_fft - win_length) // 2
    w64 = np.pad(window_f64(kind, param, win_length, True), (left, n_fft - win_length - left))
    w64.setflags(write=False)
    return mx.array(w64.astype(np.float32)), w64
