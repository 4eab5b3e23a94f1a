"""IIR/FIR filtering along the last axis without a per-sample loop: lfilter, sosfilt, filtfilt, sosfiltfilt.

One core runs a linear state space ``s' = A s + B x, y = C s + D x`` (p states) in blocks of ``L``
samples (``_run_system``):

- inside a block, ``y = T x + C_L s`` where ``T`` is the ``L x L`` lower-triangular Toeplitz matrix of the
  Markov parameters ``D, C B, C A B, ...`` and ``C_L[i] = C A^i`` (one matmul each, all blocks at once);
- across blocks, ``s_{k+1} = A^L s_k + G^T x_k`` (``G[i] = A^(L-1-i) B``) is a first-order vector
  recurrence, solved by grouping blocks (group totals by a matmul, recursively), down to a log-depth
  doubling scan (``_solve_states``), in a basis where ``A^L`` is a contraction (``_contracting_basis``).

``lfilter`` realises ``b/a`` in SciPy's transposed direct form II (its ``zi``); ``sosfilt`` fuses up to three
sections into one block-triangular state space (the sections' DF2T states side by side). The small
operators are MLX ops on the coefficients (powers of ``A`` by doubling, in float64 on the CPU), so every
filter is differentiable with respect to the signal, the coefficients and the initial state, and composes
with ``mx.compile``/``mx.vmap`` (reshape/pad/slice/matmul only).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import mlx.core as mx
import numpy as np

from . import _checks, _parallel
from ._errors import ParameterError
from ._typing import PadType

__all__ = ["filtfilt", "lfilter", "lfilter_zi", "sosfilt", "sosfilt_zi", "sosfiltfilt"]

_FIR_DIRECT_MAX = 64
# Blocks per group at each level of the block-state recurrence, and the group count below which the
# top level runs a plain log-depth doubling scan instead.
_GROUP = 4
_SCAN_MAX = 64
# Second-order sections fused into one state space per pass of sosfilt: up to 3 the fused cascade is as
# accurate as scipy's float32 loop; a whole 10-section butter(20) cascade in one pass lost 100x.
_SECTIONS_PER_PASS = 3
# A numerator this much longer than the denominator runs as an FIR followed by the all-pole filter
# (the state space of max(nb, na) - 1 dimensions would cost ~p^2 per block).
_LONGER_NUMERATOR = 3


def _coeffs(fn, name, value):
    value = _checks.real_signal(fn, name, value)
    return value.astype(mx.float32) if value.dtype != mx.float32 else value


def _block_size(n: int, p: int) -> int:
    """Block length L for a state of dimension p: the in-block Toeplitz matmul costs L multiply-adds per
    sample, the block-state recurrence ~2 p^2 / L in matmuls with inner dimensions of p (slow in the
    reference BLAS); measured best at L ~ 2.8 p (16 for 6 states: 8 and 32 were slower); a power of two
    between 8 and 128, no longer than the signal needs."""
    size = 8
    while size < min(128, 2.8 * p):
        size *= 2
    return min(size, max(8, 1 << (max(n, 1) - 1).bit_length()))


def _operator_dtype():
    """The small block operators (matrix powers, the state recurrence) run in float64 on the CPU: for
    clustered poles (high-order filters in transfer-function form) the block transition A^L is so far
    from normal that rounding it to float32 moves its eigenvalues out of the unit circle. GPUs have no
    float64; there they stay float32."""
    return mx.float64 if mx.default_device() == mx.cpu else mx.float32


@functools.lru_cache(maxsize=64)
def _toeplitz_index(rows: int, cols: int, offset: int):
    """Index of h[j - i + offset] in a rows x cols matrix, and the mask of 0 <= j - i + offset."""
    j = np.arange(rows)[:, None]
    i = np.arange(cols)[None, :]
    d = j - i + offset
    return mx.array(np.clip(d, 0, None).reshape(-1).astype(np.int32)), mx.array(
        (d >= 0).astype(np.float32)
    )


def _fir(x: mx.array, b: mx.array) -> mx.array:
    """Causal FIR, same length as x: v[n] = sum_k b[k] x[n-k]."""
    nb = b.shape[-1]
    n = x.shape[-1]
    if nb > _FIR_DIRECT_MAX:
        from ._convolve import fftconvolve

        return fftconvolve(x, b, mode="full")[..., :n]
    widths = [(0, 0)] * (x.ndim - 1)
    xp = mx.pad(x, widths + [(nb - 1, 0)])
    out = b[..., 0:1] * x
    for k in range(1, nb):
        out = out + b[..., k : k + 1] * xp[..., nb - 1 - k : nb - 1 - k + n]
    return out


def _powers(comp: mx.array, count: int) -> mx.array:
    """comp^0 .. comp^(count-1) stacked on axis -3, by doubling."""
    p = comp.shape[-1]
    eye = mx.broadcast_to(mx.eye(p, dtype=comp.dtype), comp.shape)
    pw = mx.stack([eye, comp], axis=-3)
    while pw.shape[-3] < count:
        step = pw[..., -1, :, :] @ comp  # comp^len
        pw = mx.concatenate([pw, pw @ mx.expand_dims(step, -3)], axis=-3)
    return pw[..., :count, :, :]


def _sum_to(a: mx.array, shape: tuple[int, ...]) -> mx.array:
    """Sum a broadcast cotangent back to ``shape``."""
    extra = a.ndim - len(shape)
    if extra:
        a = mx.sum(a, axis=tuple(range(extra)))
    axes = tuple(
        i for i, (m, n) in enumerate(zip(a.shape, shape, strict=True)) if n == 1 and m != 1
    )
    return mx.sum(a, axis=axes, keepdims=True) if axes else a


@mx.custom_function
def _mm(x: mx.array, w: mx.array) -> mx.array:
    """x @ w for a tall x [..., rows, k] and a small operator w [..., k, m]. Its vjp multiplies by a
    row-contiguous w^T and forms x^T g as one matmul: MLX's autodiff uses transposed views, which its
    CPU matmul runs at half speed (the backward pass of the filters 1.3x faster)."""
    return x @ w


@_mm.vjp
def _mm_vjp(primals, cotangent, output):
    x, w = primals
    gx = cotangent @ mx.contiguous(mx.swapaxes(w, -1, -2))
    if w.ndim == 2:
        gw = mx.swapaxes(x.reshape(-1, x.shape[-1]), 0, 1) @ cotangent.reshape(-1, w.shape[-1])
    else:
        gw = mx.swapaxes(x, -1, -2) @ cotangent
    return _sum_to(gx, x.shape), _sum_to(gw, w.shape)


@_mm.jvp
def _mm_jvp(primals, tangents):
    x, w = primals
    tx, tw = tangents  # None for an input the jvp does not vary
    terms = ([] if tx is None else [tx @ w]) + ([] if tw is None else [x @ tw])
    return terms[0] + terms[1] if len(terms) == 2 else terms[0]


class _System(NamedTuple):
    """State space s' = A s + B x, y = C s + D x (leading dims: one system per row)."""

    a: mx.array  # [..., p, p]
    b: mx.array  # [..., p]
    c: mx.array  # [..., p]
    d: mx.array  # [..., 1]


def _companion(b: mx.array, a: mx.array) -> _System:
    """Transposed direct form II of b/a (a[0] = 1, equal lengths p + 1), SciPy's zi convention:
    A[i, 0] = -a[i+1], A[i, i+1] = 1, B = b[1:] - a[1:] b0, C = e_0, D = b0. Its Markov parameters
    (b0, A^j B ...) never cancel large terms, so float32 error stays at the level of a sequential loop."""
    p = b.shape[-1] - 1
    lead = b.shape[:-1]
    b0 = b[..., 0:1]
    col = -mx.expand_dims(a[..., 1:], -1)
    shift = mx.broadcast_to(mx.eye(p, dtype=b.dtype)[:, : p - 1], (*lead, p, p - 1))
    amat = mx.concatenate([col, shift], axis=-1) if p > 1 else col
    c = mx.broadcast_to(mx.eye(p, dtype=b.dtype)[0], (*lead, p))
    return _System(amat, b[..., 1:] - a[..., 1:] * b0, c, b0)


def _cascade(sos: mx.array) -> _System:
    """One state space for a cascade of second-order sections (rows normalised by a0): the state is the
    sections' DF2T states side by side, A is block lower triangular (section i sees section j < i through
    B_i D_{j+1} ... D_{i-1} C_j). Built from the sections, never through the expanded polynomial."""
    m = sos.shape[-2]
    lead = sos.shape[:-2]
    secs = [_companion(sos[..., i, :3], sos[..., i, 3:]) for i in range(m)]
    zero = mx.zeros((*lead, 2, 2), dtype=sos.dtype)
    rows, bs, cs = [], [], []
    gain_before = mx.ones((*lead, 1), dtype=sos.dtype)
    for i, si in enumerate(secs):
        blocks = []
        for j, sj in enumerate(secs):
            if j < i:
                between = mx.ones((*lead, 1), dtype=sos.dtype)
                for q in range(j + 1, i):
                    between = between * secs[q].d
                blocks.append(
                    mx.expand_dims(si.b * between, -1) * mx.expand_dims(sj.c, -2)
                )  # B_i (D...) C_j
            else:
                blocks.append(si.a if j == i else zero)
        rows.append(mx.concatenate(blocks, axis=-1))
        bs.append(si.b * gain_before)
        gain_before = gain_before * si.d
        after = mx.ones((*lead, 1), dtype=sos.dtype)
        for q in range(i + 1, m):
            after = after * secs[q].d
        cs.append(si.c * after)
    return _System(
        mx.concatenate(rows, axis=-2),
        mx.concatenate(bs, axis=-1),
        mx.concatenate(cs, axis=-1),
        gain_before,
    )


def _solve_states(v: mx.array, phi: mx.array, s0: mx.array | None) -> mx.array:
    """States s_t (t = 0..count-1) of s_{t+1} = phi s_t + v_t, s_0 = s0, for v [..., count, p].

    Recursive grouping: the totals of ``_GROUP`` consecutive steps (one matmul of the group's inputs with
    the stacked phi^(m-1-i)) form the same recurrence with phi^m, solved recursively; from the group
    starts, the states inside a group follow by m - 1 sequential steps over all groups at once. A short
    sequence runs a log-depth doubling scan. ~2 p^2 multiply-adds per step. (A block-Toeplitz matmul for
    the partial states of each group costs (m + 2) p^2 per step and measured ~1.5x slower.)"""
    count, p = v.shape[-2], v.shape[-1]
    lead = v.shape[:-2]
    if count > _SCAN_MAX:
        m = _GROUP
        groups = -(-count // m)
        vg = mx.pad(v, [(0, 0)] * len(lead) + [(0, groups * m - count), (0, 0)])
        vg = vg.reshape(*lead, groups, m * p)
        pt = mx.swapaxes(_powers(phi, m + 1), -1, -2)  # (phi^j)^T, j = 0..m
        total = mx.contiguous(mx.concatenate([pt[..., m - 1 - i, :, :] for i in range(m)], -2))
        s = _solve_states(_mm(vg, total), mx.swapaxes(pt[..., m, :, :], -1, -2), s0)
        step = mx.contiguous(pt[..., 1, :, :])
        states = [s]
        for j in range(m - 1):
            s = _mm(s, step) + vg[..., j * p : (j + 1) * p]
            states.append(s)
        return mx.stack(states, axis=-2).reshape(*lead, groups * m, p)[..., :count, :]
    first = (
        mx.zeros_like(v[..., :1, :])
        if s0 is None
        else mx.broadcast_to(mx.expand_dims(s0, -2), v[..., :1, :].shape).astype(v.dtype)
    )
    w = mx.concatenate([first, v[..., :-1, :]], axis=-2)
    d = 1
    phi_d = mx.contiguous(mx.swapaxes(phi, -1, -2))
    while d < count:
        shifted = mx.pad(w[..., :-d, :], [(0, 0)] * (w.ndim - 2) + [(d, 0), (0, 0)])
        w = w + _mm(shifted, phi_d)
        d *= 2
        if d < count:
            phi_d = phi_d @ phi_d
    return w


def _cholesky(w: mx.array) -> mx.array:
    """Lower Cholesky factor of the small SPD matrices w [..., p, p], column by column (MLX's
    ``linalg.cholesky`` runs on one CPU stream only and has no vmap)."""
    p = w.shape[-1]
    cols = []
    for j in range(p):
        v = w[..., :, j]
        for col in cols:
            v = v - col * col[..., j : j + 1]
        mask = mx.array((np.arange(p) >= j).astype(np.float32)).astype(w.dtype)
        cols.append(v * mask / mx.sqrt(mx.maximum(v[..., j : j + 1], 1e-30)))
    return mx.stack(cols, axis=-1)


def _lower_inverse(lo: mx.array) -> mx.array:
    """Inverse of lower-triangular matrices [..., p, p] by forward substitution, row by row."""
    p = lo.shape[-1]
    eye = mx.eye(p, dtype=lo.dtype)
    rows = []
    for i in range(p):
        r = eye[i]
        for k, row in enumerate(rows):
            r = r - lo[..., i, k : k + 1] * row
        rows.append(r / lo[..., i, i : i + 1])
    return mx.stack(rows, axis=-2)


def _contracting_basis(phi: mx.array, steps: int = 24):
    """S, S^-1 with S S^T = W = sum_k phi^k phi^kT (Smith's doubling, 2^steps terms): in the state
    s' = S^-1 s the block transition S^-1 phi S is a contraction (its norm is below one), so the
    block-state recurrence stays accurate in float32 however far from normal phi is (the companion
    form of a high-order filter with clustered poles: ||A^16|| ~ 4e3 for butter(6, 0.1)). The output does
    not depend on S, so S carries no gradient."""
    phi = mx.stop_gradient(phi)
    p = phi.shape[-1]
    w = mx.broadcast_to(mx.eye(p, dtype=phi.dtype), phi.shape)
    power = phi
    for _ in range(steps):
        w = w + power @ w @ mx.swapaxes(power, -1, -2)
        power = power @ power
    s = _cholesky(w)
    return s, _lower_inverse(s)


def _operator(v: mx.array) -> mx.array:
    """A block operator as the per-sample matmuls want it: float32, row-contiguous (MLX's CPU matmul
    takes ~2x as long with a transposed operand) and without subnormals (slow on x86)."""
    v = v.astype(mx.float32)
    return mx.contiguous(mx.where(mx.abs(v) < 1e-37, 0.0, v))


class _Blocks(NamedTuple):
    """Operators of a state space for blocks of ``size`` samples (see ``_run_blocks``)."""

    size: int
    tg: mx.array  # [..., L, L + p] (T^T | G S^-T), float32
    cmt: mx.array  # [..., p, L] (C_L S)^T, float32
    phi: mx.array  # [..., p, p] S^-1 A^L S, float32
    basis: mx.array  # [..., p, p] S, operator dtype
    inv_t: mx.array  # [..., p, p] S^-T, operator dtype
    powers: mx.array  # [..., L + 1, p, p] A^0 .. A^L, operator dtype
    ab: mx.array  # [..., L, p] A^j B, operator dtype


def _block_operators(system: _System, n: int) -> _Blocks:
    """The block operators of ``system`` for signals of n samples, from float64 powers of A
    (``_operator_dtype``), each cast once; built once per call and shared by both CPU streams."""
    p = system.a.shape[-1]
    size = _block_size(n, p)
    amat, bvec, cvec, d = (v.astype(_operator_dtype()) for v in system)
    pw = _powers(amat, size + 1)  # A^0 .. A^L
    ab = (pw[..., :size, :, :] @ mx.expand_dims(mx.expand_dims(bvec, -2), -1))[..., 0]  # A^j B
    h = mx.concatenate([d, mx.sum(ab[..., : size - 1, :] * mx.expand_dims(cvec, -2), -1)], -1)
    idx, mask = _toeplitz_index(size, size, 0)
    t_mat = mx.take(h, idx, axis=-1).reshape(*h.shape[:-1], size, size) * mask
    cm = mx.sum(pw[..., :size, :, :] * mx.expand_dims(mx.expand_dims(cvec, -1), -3), -2)  # C A^i
    phi = pw[..., size, :, :]
    basis, basis_inv = _contracting_basis(phi)
    inv_t = mx.swapaxes(basis_inv, -1, -2)
    return _Blocks(
        size,
        _operator(mx.concatenate([mx.swapaxes(t_mat, -1, -2), ab[..., ::-1, :] @ inv_t], axis=-1)),
        _operator(mx.swapaxes(cm @ basis, -1, -2)),
        _operator(basis_inv @ phi @ basis),
        basis,
        inv_t,
        pw,
        ab,
    )


def _run_blocks(x: mx.array, ops: _Blocks, s0: mx.array | None, return_state: bool):
    """y of a state space for x [..., n] from state s0, in blocks of L samples:

    y_k = T x_k + C_L s_k (T: L x L lower-triangular Toeplitz of the Markov parameters D, C A^j B;
    C_L[i] = C A^i), s_{k+1} = A^L s_k + G^T x_k (G[i] = A^(L-1-i) B), the block states solved by
    ``_solve_states`` in the contracting basis of ``_contracting_basis``. Every array of the size of the
    signal is float32."""
    size = ops.size
    n = x.shape[-1]
    n_blocks = -(-n // size)
    dt = ops.basis.dtype
    if s0 is not None:  # s' = S^-1 s0, as the row vector s0 S^-T
        s0 = (mx.expand_dims(s0.astype(dt), -2) @ ops.inv_t)[..., 0, :].astype(mx.float32)
    lead = x.shape[:-1]
    xb = mx.pad(x, [(0, 0)] * len(lead) + [(0, n_blocks * size - n)]).reshape(*lead, n_blocks, size)
    out = _mm(xb, ops.tg)  # one pass over the signal for both (5% faster than two matmuls)
    states = _solve_states(out[..., size:], ops.phi, s0)
    y = out[..., :size] + _mm(states, ops.cmt)
    y = y.reshape(*y.shape[:-2], n_blocks * size)[..., :n]
    if not return_state:
        return y
    # state after the last sample: from the last block's state and the samples of that block
    last = (n - 1) // size
    tail = n - last * size
    x_tail = mx.expand_dims(x[..., last * size :].astype(dt), -2)
    s_last = mx.expand_dims(states[..., last, :].astype(dt), -2) @ mx.swapaxes(ops.basis, -1, -2)
    s_n = (
        s_last @ mx.swapaxes(ops.powers[..., tail, :, :], -1, -2)
        + x_tail @ ops.ab[..., :tail, :][..., ::-1, :]
    )
    return y, s_n[..., 0, :].astype(mx.float32)


def _run_system(x: mx.array, system: _System, s0: mx.array | None, return_state: bool):
    """``_run_blocks`` with the operators of ``system``."""
    return _run_blocks(x, _block_operators(system, x.shape[-1]), s0, return_state)


def _on_rows(run, x: mx.array, s0: mx.array | None, shared: bool) -> mx.array:
    """``run(x, s0)`` with the rows split over two CPU streams when the filter is shared by every row
    (``_parallel.batch_halves``; per-row initial states travel with their rows)."""
    if not shared or x.ndim < 2:
        return run(x, s0)
    if s0 is None or s0.ndim == 1:
        return _parallel.batch_halves(lambda rows: run(rows, s0), x)
    n = x.shape[-1]
    s0 = mx.broadcast_to(s0, (*x.shape[:-1], s0.shape[-1])).astype(x.dtype)
    both = mx.concatenate([x, s0], axis=-1)
    return _parallel.batch_halves(lambda rows: run(rows[..., :n], rows[..., n:]), both)


def _filter_rows(x: mx.array, system: _System, s0: mx.array | None) -> mx.array:
    """``_run_system`` without the final state, on two CPU streams where that pays (``_on_rows``)."""
    return _on_rows(lambda rows, z: _run_system(rows, system, z, False), x, s0, system.a.ndim == 2)


def _lfilter(x, b, a, zi, return_zf):
    a0 = a[..., 0:1]
    b = b / a0
    a = a / a0
    nb, na = b.shape[-1], a.shape[-1]
    k = max(nb, na)
    n = x.shape[-1]
    if k == 1:
        y = b * x
    elif na == 1 or nb > _FIR_DIRECT_MAX or nb > na + _LONGER_NUMERATOR:
        v = _fir(x, b)
        if zi is not None:
            v = v + (
                mx.pad(zi, [(0, 0)] * (zi.ndim - 1) + [(0, n - (k - 1))])
                if n >= k - 1
                else zi[..., :n]
            )
        if na > 1:
            one = mx.pad(mx.ones((*a.shape[:-1], 1)), [(0, 0)] * (a.ndim - 1) + [(0, na - 1)])
            v = _filter_rows(v, _companion(one, a), None)
        y = v
    else:
        bp = mx.pad(b, [(0, 0)] * (b.ndim - 1) + [(0, k - nb)])
        ap = mx.pad(a, [(0, 0)] * (a.ndim - 1) + [(0, k - na)])
        if return_zf:
            return _run_system(x, _companion(bp, ap), zi, True)
        y = _filter_rows(x, _companion(bp, ap), zi)
    if not return_zf:
        return y
    # DF2T final state from the last k - 1 samples of x and y (the FIR and long-numerator paths)
    b_full = mx.pad(b, [(0, 0)] * (b.ndim - 1) + [(0, k - nb)])
    a_full = mx.pad(a, [(0, 0)] * (a.ndim - 1) + [(0, k - na)])
    widths = [(0, 0)] * (x.ndim - 1)
    xe = mx.pad(x, widths + [(k - 1, k - 1)])
    ye = mx.pad(y, [(0, 0)] * (y.ndim - 1) + [(k - 1, k - 1)])
    steps = np.arange(k - 1)
    zf = 0.0
    for j in range(1, k):
        start = n + k - 1 - j
        m = mx.array((steps < j).astype(np.float32))
        zf = zf + m * (
            b_full[..., j : j + 1] * xe[..., start : start + k - 1]
            - a_full[..., j : j + 1] * ye[..., start : start + k - 1]
        )
    if zi is not None and n < k - 1:
        zf = zf + mx.pad(zi[..., n:], [(0, 0)] * (zi.ndim - 1) + [(0, n)])
    return y, zf


def lfilter(
    x: mx.array, b: mx.array, a: mx.array, *, zi: mx.array | None = None, return_zf: bool = False
) -> mx.array | tuple[mx.array, mx.array]:
    """Filter ``x`` along the last axis with the rational transfer function ``B(z)/A(z)`` (scipy.signal.lfilter).

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating
    b : mx.array [shape=(..., nb)]
        Numerator coefficients; leading dims broadcast against those of ``x`` (one filter per row).
    a : mx.array [shape=(..., na)]
        Denominator coefficients, ``a[..., 0] != 0`` (both are divided by it). ``na == 1`` is an FIR filter.
    zi : mx.array [shape=(..., max(na, nb) - 1)], optional
        Initial state of the transposed direct form II (SciPy's convention); zeros when omitted.
    return_zf : bool
        Also return the final state (shape of ``zi``), to filter a stream in pieces.

    Returns
    -------
    y : mx.array [shape=(..., n)], float32 (and ``zf`` when ``return_zf``)

    Notes
    -----
    Block-parallel: see the module docstring. Cost per sample ~ L + 2p multiply-adds (L = 8..128, ~2.8p)
    plus ~2 p^2 / L for the block states. Float32 error stays at the level of scipy's own loop on float32
    data, also for clustered poles (butter(6, 0.1) as (b, a): 2.7e-4 vs scipy's 4.0e-4) and poles at
    radius 0.9999 (4.9e-4 vs 5.0e-4; tests/test_filter.py). High orders are better conditioned as
    :func:`sosfilt`, as in SciPy.

    Transforms: compile, grad (x, b, a, zi), jvp, vmap.

    Examples
    --------
    >>> y = lfilter(mx.random.normal((2, 1000)), mx.array([0.2, 0.2]), mx.array([1.0, -0.6]))
    """
    fn = "lfilter"
    x = _coeffs(fn, "x", x)
    b = _coeffs(fn, "b", b)
    a = _coeffs(fn, "a", a)
    return_zf = _checks.boolean(fn, "return_zf", return_zf)
    k = max(b.shape[-1], a.shape[-1])
    if zi is not None:
        zi = _coeffs(fn, "zi", zi)
        if zi.shape[-1] != k - 1:
            raise ParameterError(
                f"[{fn}] zi.shape={tuple(zi.shape)} must end in max(len(a), len(b)) - 1 = {k - 1}"
            )
    return _lfilter(x, b, a, zi, return_zf)


def lfilter_zi(b: mx.array, a: mx.array) -> mx.array:
    """Steady-state initial state for a unit step input (scipy.signal.lfilter_zi), in closed form.

    ``zi[i] = sum_{k>i} (b[k] - a[k] * H(1))`` with ``H(1) = sum(b) / sum(a)`` (normalised by ``a[0]``).

    Returns
    -------
    zi : mx.array [shape=(..., max(na, nb) - 1)]

    Transforms: compile, grad, jvp, vmap.
    """
    fn = "lfilter_zi"
    b = _coeffs(fn, "b", b)
    a = _coeffs(fn, "a", a)
    return _lfilter_zi(b, a)


def _lfilter_zi(b, a):
    a0 = a[..., 0:1]
    b, a = b / a0, a / a0
    nb, na = b.shape[-1], a.shape[-1]
    k = max(nb, na)
    b = mx.pad(b, [(0, 0)] * (b.ndim - 1) + [(0, k - nb)])
    a = mx.pad(a, [(0, 0)] * (a.ndim - 1) + [(0, k - na)])
    gain = mx.sum(b, axis=-1, keepdims=True) / mx.sum(a, axis=-1, keepdims=True)
    terms = (b - a * gain)[..., 1:]
    # reverse cumulative sum: zi[i] = sum_{j >= i} terms[j]
    return mx.cumsum(terms[..., ::-1], axis=-1)[..., ::-1]


def _sos(fn, sos):
    sos = _coeffs(fn, "sos", sos)
    if sos.ndim < 2 or sos.shape[-1] != 6:
        raise ParameterError(f"[{fn}] sos.shape={tuple(sos.shape)} must be (..., n_sections, 6)")
    return sos


def sosfilt(x: mx.array, sos: mx.array, *, zi: mx.array | None = None, return_zf: bool = False):
    """Cascade of second-order sections (scipy.signal.sosfilt): up to three sections run as one state
    space per pass (one pass for a 6th-order filter).

    Parameters
    ----------
    x : mx.array [shape=(..., n)]
    sos : mx.array [shape=(..., n_sections, 6)]  rows ``[b0, b1, b2, a0, a1, a2]``
    zi : mx.array [shape=(..., n_sections, 2)], optional
        Per-section DF2T states. Batch dims lead, as everywhere in mlxdsp (SciPy puts sections first:
        ``np.moveaxis(zi_scipy, 0, -2)``).
    return_zf : bool
        Also return the final per-section states (shape of ``zi``).

    Returns
    -------
    y : mx.array [shape=(..., n)], float32 (and ``zf`` when ``return_zf``)

    Transforms: compile, grad (x, sos, zi), jvp, vmap.

    Examples
    --------
    >>> sos = mx.array([[0.1, 0.2, 0.1, 1.0, -0.9, 0.3], [1.0, 0.0, -1.0, 1.0, -1.2, 0.5]])
    >>> y = sosfilt(mx.random.normal((2, 1000)), sos)
    """
    fn = "sosfilt"
    x = _coeffs(fn, "x", x)
    sos = _sos(fn, sos)
    return_zf = _checks.boolean(fn, "return_zf", return_zf)
    if zi is not None:
        zi = _coeffs(fn, "zi", zi)
        if zi.shape[-2:] != (sos.shape[-2], 2):
            raise ParameterError(
                f"[{fn}] zi.shape={tuple(zi.shape)} must end in (n_sections, 2) = ({sos.shape[-2]}, 2)"
            )
    return _sosfilt(x, sos, zi, return_zf)


def _section_passes(m: int) -> list[tuple[int, int]]:
    """Sections [start, stop) fused into each pass: at most ``_SECTIONS_PER_PASS``, balanced."""
    passes = -(-m // _SECTIONS_PER_PASS)
    bounds = [round(i * m / passes) for i in range(passes + 1)]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _sosfilt(x, sos, zi, return_zf):
    """The cascade in passes of ``_run_system``, each fusing up to three sections into one state space
    (state: those sections' DF2T states side by side)."""
    sos = sos / sos[..., 3:4]
    m = sos.shape[-2]
    passes = [(_cascade(sos[..., i:j, :]), i, j) for i, j in _section_passes(m)]
    s0 = None if zi is None else zi.reshape(*zi.shape[:-2], 2 * m)
    if return_zf:
        finals = []
        for system, i, j in passes:
            x, s_n = _run_system(x, system, None if s0 is None else s0[..., 2 * i : 2 * j], True)
            finals.append(s_n)
        zf = mx.concatenate(finals, axis=-1)
        return x, zf.reshape(*zf.shape[:-1], m, 2)

    ops = [(_block_operators(system, x.shape[-1]), i, j) for system, i, j in passes]

    def run(rows, z):
        for blocks, i, j in ops:
            rows = _run_blocks(rows, blocks, None if z is None else z[..., 2 * i : 2 * j], False)
        return rows

    return _on_rows(run, x, s0, sos.ndim == 2)


def sosfilt_zi(sos: mx.array) -> mx.array:
    """Steady-state step-response state of each section (scipy.signal.sosfilt_zi): ``[..., n_sections, 2]``.

    Transforms: compile, grad, jvp, vmap.
    """
    return _sosfilt_zi(_sos("sosfilt_zi", sos))


def _sosfilt_zi(sos):
    out = []
    scale = 1.0
    for s in range(sos.shape[-2]):
        b, a = sos[..., s, :3], sos[..., s, 3:]
        out.append(scale * _lfilter_zi(b, a))
        scale = scale * mx.sum(b, axis=-1, keepdims=True) / mx.sum(a, axis=-1, keepdims=True)
    return mx.stack(out, axis=-2)


def _extend(fn, x, padtype, padlen):
    n = x.shape[-1]
    if padlen == 0 or padtype is None:
        return x
    if n <= padlen:
        raise ParameterError(f"[{fn}] x.shape[-1]={n} must be greater than padlen={padlen}")
    first, last = x[..., 0:1], x[..., -1:]
    left = x[..., padlen:0:-1]
    right = x[..., n - 2 : n - 2 - padlen : -1] if n - 2 - padlen >= 0 else x[..., n - 2 :: -1]
    if padtype == "odd":
        left, right = 2 * first - left, 2 * last - right
    elif padtype == "constant":
        left = mx.broadcast_to(first, (*x.shape[:-1], padlen))
        right = mx.broadcast_to(last, (*x.shape[:-1], padlen))
    return mx.concatenate([left, x, right], axis=-1)


def _pad_options(fn, padtype, padlen, default_len):
    if padtype is not None:
        _checks.choice(fn, "padtype", padtype, PadType)
    padlen = default_len if padlen is None else _checks.nonnegative_int(fn, "padlen", padlen)
    return padtype, padlen


def filtfilt(
    x: mx.array,
    b: mx.array,
    a: mx.array,
    *,
    padtype: PadType | None = "odd",
    padlen: int | None = None,
) -> mx.array:
    """Zero-phase forward-backward filtering (scipy.signal.filtfilt, method="pad").

    Parameters
    ----------
    x, b, a : as in :func:`lfilter`
    padtype : {"odd", "even", "constant", None}
        Edge extension before filtering (SciPy's default "odd").
    padlen : int, optional
        Extension length; default ``3 * max(len(a), len(b))`` as in SciPy.

    Transforms: compile, grad (x, b, a), jvp, vmap.
    """
    fn = "filtfilt"
    x = _coeffs(fn, "x", x)
    b = _coeffs(fn, "b", b)
    a = _coeffs(fn, "a", a)
    padtype, padlen = _pad_options(fn, padtype, padlen, 3 * max(a.shape[-1], b.shape[-1]))
    ext = _extend(fn, x, padtype, padlen)
    zi = _lfilter_zi(b, a)
    y = _lfilter(ext, b, a, zi * ext[..., 0:1], False)
    y = _lfilter(y[..., ::-1], b, a, zi * y[..., -1:], False)[..., ::-1]
    return y[..., padlen : padlen + x.shape[-1]] if padlen and padtype is not None else y


def sosfiltfilt(
    x: mx.array, sos: mx.array, *, padtype: PadType | None = "odd", padlen: int | None = None
) -> mx.array:
    """Zero-phase forward-backward second-order-section filtering (scipy.signal.sosfiltfilt).

    ``padlen`` defaults to ``3 * (2 * n_sections + 1)``. SciPy subtracts the number of sections whose
    ``b2`` and ``a2`` are both zero (first-order sections); that depends on coefficient values, which this
    function never inspects: pass ``padlen`` explicitly for such filters to match SciPy.

    Transforms: compile, grad (x, sos), jvp, vmap.
    """
    fn = "sosfiltfilt"
    x = _coeffs(fn, "x", x)
    sos = _sos(fn, sos)
    padtype, padlen = _pad_options(fn, padtype, padlen, 3 * (2 * sos.shape[-2] + 1))
    ext = _extend(fn, x, padtype, padlen)
    zi = _sosfilt_zi(sos)
    y = _sosfilt(ext, sos, zi * mx.expand_dims(ext[..., 0:1], -2), False)
    y = _sosfilt(y[..., ::-1], sos, zi * mx.expand_dims(y[..., -1:], -2), False)[..., ::-1]
    return y[..., padlen : padlen + x.shape[-1]] if padlen and padtype is not None else y
