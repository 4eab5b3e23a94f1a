"""Harmonic-percussive source separation by median filtering (librosa.decompose.hpss)."""

from __future__ import annotations

import functools

import mlx.core as mx
import numpy as np

from . import _checks, _parallel
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


# Median networks are generated up to this window size (librosa's default kernel is 31); larger windows
# take the gathered window stack and a partition.
_MAX_NETWORK_SIZE = 35
# Outputs that share one sorted core (see _median_program).
_OUTPUTS_PER_CORE = 4


def _batcher_pairs(n: int) -> list[tuple[int, int]]:
    """Batcher's odd-even merge sort network for a power-of-two n, as compare-exchange wire pairs."""
    pairs, p = [], 1
    while p < n:
        k = p
        while k >= 1:
            for j in range(k % p, n - k, 2 * k):
                for i in range(min(k, n - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return pairs


@functools.lru_cache(maxsize=64)
def _selection_program(n_in: int, ranks: tuple[int, ...]):
    """Min/max program computing the given order statistics (0 = smallest) of ``n_in`` values: Batcher's
    network on the next power of two with +inf inputs folded away, pruned to what the ranks need.
    Returns ``(steps, outputs)``: steps ``(dest, is_max, a, b)`` on value ids (inputs are 0..n_in-1)."""
    size = 1
    while size < n_in:
        size *= 2
    wires = [*range(n_in), *([None] * (size - n_in))]  # None: +inf
    steps, next_id = [], n_in
    for a, b in _batcher_pairs(size):
        va, vb = wires[a], wires[b]
        if vb is None:
            continue
        if va is None:
            wires[a], wires[b] = vb, None
            continue
        steps += [(next_id, False, va, vb), (next_id + 1, True, va, vb)]
        wires[a], wires[b] = next_id, next_id + 1
        next_id += 2
    outputs = [wires[r] for r in ranks]
    live, kept = set(outputs), []
    for step in reversed(steps):
        if step[0] in live:
            kept.append(step)
            live.update(step[2:])
    return tuple(reversed(kept)), tuple(outputs)


def _run_program(program, values: list[mx.array]) -> list[mx.array]:
    steps, outputs = program
    v = dict(enumerate(values))
    for dest, is_max, a, b in steps:
        v[dest] = mx.maximum(v[a], v[b]) if is_max else mx.minimum(v[a], v[b])
    return [v[o] for o in outputs]


@functools.lru_cache(maxsize=32)
def _median_network(size: int, axis: int):
    """Compiled exact running median of odd ``size`` along ``axis`` (reflected edges), by min/max networks
    on strided slices, with no gather.

    Outputs come in groups of m consecutive positions whose windows share a core of ``size - m + 1``
    samples. One selection network gives the core's order statistics h - m + 1 .. h (h = size // 2);
    each output then adds its m - 1 own samples (sorted by a small network) and takes the h-th of the
    union: ``min_t max(core[h - t], extra[t - 1])`` (t = 0 .. m - 1, ``extra[-1] = -inf``). For 31 and
    m = 4 that is about 90 min/max per output instead of 270 for a median network per window."""
    half = size // 2
    m = min(_OUTPUTS_PER_CORE, half + 1)
    core_size = size - m + 1
    core_program = _selection_program(core_size, tuple(range(half - m + 1, half + 1)))
    extra_program = _selection_program(m - 1, tuple(range(m - 1))) if m > 2 else None

    def median(x):
        x = mx.moveaxis(x, axis, -1)
        n = x.shape[-1]
        groups = -(-n // m)
        right = half + groups * m - n
        padded = mx.concatenate([x[..., half - 1 :: -1], x, x[..., n - 1 : n - 1 - right : -1]], -1)
        span = m * (groups - 1) + 1

        def column(offset):  # sample offset of each group's first window, one value per group
            return padded[..., offset : offset + span : m]

        stats = _run_program(core_program, [column(m - 1 + c) for c in range(core_size)])
        outs = []
        for j in range(m):  # output j of each group: window starts at j
            extra = [
                column(e)
                for e in [*range(j, m - 1), *range(m - 1 + core_size, m - 1 + core_size + j)]
            ]
            if extra_program is not None:
                extra = _run_program(extra_program, extra)
            value = stats[-1]
            for t in range(1, m):
                value = mx.minimum(value, mx.maximum(stats[-1 - t], extra[t - 1]))
            outs.append(value)
        med = mx.stack(outs, axis=-1).reshape(*x.shape[:-1], groups * m)[..., :n]
        return mx.moveaxis(med, -1, axis)

    return mx.compile(median)


def median_filter(x: mx.array, *, size: int, axis: int = -1) -> mx.array:
    """Running median of odd ``size`` along ``axis``, edges reflected (scipy.ndimage.median_filter with a
    1-D footprint, mode="reflect").

    Parameters
    ----------
    x : mx.array [shape=(..., n, ...)], real
    size : int, odd
    axis : int

    Returns
    -------
    mx.array, shaped and typed like ``x``; bit-identical to scipy's (a median selects an input).

    Notes
    -----
    For ``size <= 35`` and ``n >= size // 2 + 4`` the median is a compiled network of min/max on strided
    slices of the reflected signal (no window stack is gathered): four consecutive outputs share the
    ``size - 3`` samples common to their windows, whose middle order statistics one selection network
    finds; each output then merges its own three samples. Larger windows or shorter axes gather the
    windows and partition them. The first call per size compiles a C++ kernel (seconds; cached on disk).

    Transforms: compile, grad, jvp, vmap (the gradient flows to the median element).

    Examples
    --------
    >>> import mlx.core as mx, mlxdsp
    >>> mlxdsp.median_filter(mx.array([1.0, 9.0, 2.0, 3.0, 8.0]), size=3).tolist()
    [1.0, 2.0, 3.0, 3.0, 8.0]
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
    n = x.shape[axis]
    if size <= _MAX_NETWORK_SIZE and n >= size // 2 + _OUTPUTS_PER_CORE:
        return _median_network(size, axis if axis < 0 else axis - x.ndim)(x)
    xt = mx.moveaxis(x, axis, -1)
    win = mx.take(xt, _window_index(n, size), axis=-1).reshape(*xt.shape[:-1], n, size)
    med = mx.partition(win, size // 2, axis=-1)[..., size // 2]
    return mx.moveaxis(med, -1, axis)


def _softmask(X, X_ref, power, split_zeros):
    Z = mx.maximum(X, X_ref)
    bad = Z < np.finfo(np.float32).tiny
    Zs = mx.where(bad, 1.0, Z)
    m, r = _power(X / Zs, power), _power(X_ref / Zs, power)
    out = m / mx.where(bad, 1.0, m + r)
    return mx.where(bad, 0.5 if split_zeros else 0.0, out)


def _power(x, p):
    if p == 1.0:
        return x
    return x * x if p == 2.0 else x**p


@functools.lru_cache(maxsize=32)
def _masking(power: float, margins: tuple[float, float], mask: bool, is_complex: bool):
    """Compiled soft masks and their application (one pass instead of a dozen)."""
    m_h, m_p = margins
    split_zeros = m_h == 1 and m_p == 1

    def apply(S, mag, harm, perc):
        mask_h = _softmask(harm, perc * m_h, power, split_zeros)
        mask_p = _softmask(perc, harm * m_p, power, split_zeros)
        if mask:
            return mask_h, mask_p
        if not is_complex:
            return mag * mask_h, mag * mask_p
        # librosa: (|S| mask) * S / |S| (phase 1 where S == 0); re/im parts: complex products are slow
        re, im = mx.real(S), mx.imag(S)
        nz = mag != 0
        inv = 1.0 / mx.where(nz, mag, 1.0)
        p_re, p_im = mx.where(nz, re * inv, 1.0), im * inv
        h, p = mag * mask_h, mag * mask_p
        return h * p_re + 1j * (h * p_im), p * p_re + 1j * (p * p_im)

    return mx.compile(apply)


@mx.compile
def _magnitude(S):
    re, im = mx.real(S), mx.imag(S)
    return mx.sqrt(re * re + im * im)


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

    Notes
    -----
    The medians are :func:`median_filter`'s (exact, compiled min/max networks); on the CPU the two run on
    two streams, and the masks are one compiled pass.

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
    is_complex = mx.issubdtype(S.dtype, mx.complexfloating)
    mag = _magnitude(S) if is_complex else S.astype(mx.float32)
    # The two medians are independent: on the CPU, one stream each (MLX runs a CPU stream on one core).
    if _parallel.two_streams_allowed():
        harm = _median(mag, k_h, -1)
        with mx.stream(_parallel.second_stream()):
            perc = _median(mag, k_p, -2)
    else:
        harm, perc = _median(mag, k_h, -1), _median(mag, k_p, -2)
    return _masking(power, (m_h, m_p), mask, is_complex)(S, mag, harm, perc)
