"""Linear convolution along the last axis: fftconvolve, oaconvolve, convolve (scipy.signal semantics)."""

from __future__ import annotations

import mlx.core as mx

from . import _checks
from ._errors import ParameterError
from ._typing import ConvolveMethod, ConvolveMode

__all__ = ["convolve", "fftconvolve", "oaconvolve"]

_DIRECT_MAX = 64


def _fast_len(n: int) -> int:
    """Smallest even 2^a 3^b 5^c >= n (even: MLX 0.32's jvp of irfft miscounts odd lengths)."""
    best = max(2, 1 << (max(n, 1) - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = 2 * p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def _inputs(fn, x, h, mode):
    x = _checks.real_signal(fn, "x", x)
    h = _checks.real_signal(fn, "h", h)
    mode = _checks.choice(fn, "mode", mode, ConvolveMode)
    x = x.astype(mx.float32) if x.dtype != mx.float32 else x
    h = h.astype(mx.float32) if h.dtype != mx.float32 else h
    n, m = x.shape[-1], h.shape[-1]
    if n == 0 or m == 0:
        raise ParameterError(
            f"[{fn}] inputs must be non-empty (x.shape={tuple(x.shape)}, h.shape={tuple(h.shape)})"
        )
    return x, h, mode


def _crop(y, n, m, mode):
    full = n + m - 1
    if mode == "full":
        return y[..., :full]
    size = n if mode == "same" else max(n, m) - min(n, m) + 1
    start = (full - size) // 2
    return y[..., start : start + size]


def _fft_full(x, h):
    n, m = x.shape[-1], h.shape[-1]
    nfft = _fast_len(n + m - 1)
    spec = mx.fft.rfft(x, n=nfft, axis=-1) * mx.fft.rfft(h, n=nfft, axis=-1)
    return mx.fft.irfft(spec, n=nfft, axis=-1)[..., : n + m - 1]


def _direct_full(x, h):
    """Sum of shifted copies of the longer input, one per tap of the shorter one."""
    if h.shape[-1] > x.shape[-1]:
        x, h = h, x
    n, m = x.shape[-1], h.shape[-1]
    full = n + m - 1
    out = None
    for k in range(m):
        term = h[..., k : k + 1] * x
        term = mx.pad(term, [(0, 0)] * (term.ndim - 1) + [(k, full - n - k)])
        out = term if out is None else out + term
    return out


def fftconvolve(x: mx.array, h: mx.array, *, mode: ConvolveMode = "full") -> mx.array:
    """Convolve ``x`` and ``h`` along the last axis by FFT (scipy.signal.fftconvolve on axis -1).

    Parameters
    ----------
    x : mx.array [shape=(..., n)]
    h : mx.array [shape=(..., m)]  leading dims broadcast against ``x``
    mode : {"full", "same", "valid"}
        ``full``: length n+m-1; ``same``: length n, centred; ``valid``: length max(n,m)-min(n,m)+1.

    Transforms: compile, grad (x, h), jvp, vmap.
    """
    x, h, mode = _inputs("fftconvolve", x, h, mode)
    return _crop(_fft_full(x, h), x.shape[-1], h.shape[-1], mode)


def oaconvolve(x: mx.array, h: mx.array, *, mode: ConvolveMode = "full") -> mx.array:
    """Overlap-add convolution along the last axis (scipy.signal.oaconvolve): ``x`` is cut into blocks
    (reshape, no strides), each block convolved with ``h`` by FFT, tails added to the next block.

    Transforms: compile, grad (x, h), jvp, vmap.
    """
    fn = "oaconvolve"
    x, h, mode = _inputs(fn, x, h, mode)
    n_x = x.shape[-1]
    n, m = x.shape[-1], h.shape[-1]
    if m > n:
        x, h = h, x
        n, m = m, n
    block = max(m, _fast_len(4 * m) - m + 1)
    if n <= block:
        return _crop(_fft_full(x, h), n_x, n + m - n_x, mode)
    n_blocks = -(-n // block)
    nfft = _fast_len(block + m - 1)
    lead = x.shape[:-1]
    xb = mx.pad(x, [(0, 0)] * len(lead) + [(0, n_blocks * block - n)]).reshape(
        *lead, n_blocks, block
    )
    hs = mx.expand_dims(mx.fft.rfft(h, n=nfft, axis=-1), -2)
    yb = mx.fft.irfft(mx.fft.rfft(xb, n=nfft, axis=-1) * hs, n=nfft, axis=-1)[..., : block + m - 1]
    head, tail = yb[..., :block], yb[..., block:]
    tail = mx.pad(tail, [(0, 0)] * (tail.ndim - 2) + [(1, 0), (0, block - (m - 1))])
    head = mx.pad(head, [(0, 0)] * (head.ndim - 2) + [(0, 1), (0, 0)])
    y = (head + tail).reshape(*head.shape[:-2], (n_blocks + 1) * block)
    return _crop(y, n_x, n + m - n_x, mode)


def convolve(
    x: mx.array, h: mx.array, *, mode: ConvolveMode = "full", method: ConvolveMethod = "auto"
) -> mx.array:
    """Convolve along the last axis (scipy.signal.convolve on axis -1).

    ``method="direct"`` sums shifted copies (exact, one term per tap of the shorter input); ``"fft"`` is
    :func:`fftconvolve`; ``"auto"`` takes direct when the shorter input has at most 64 samples.

    Transforms: compile, grad (x, h), jvp, vmap.
    """
    fn = "convolve"
    x, h, mode = _inputs(fn, x, h, mode)
    method = _checks.choice(fn, "method", method, ConvolveMethod)
    n, m = x.shape[-1], h.shape[-1]
    if method == "auto":
        method = "direct" if min(n, m) <= _DIRECT_MAX else "fft"
    full = _direct_full(x, h) if method == "direct" else _fft_full(x, h)
    return _crop(full, n, m, mode)
