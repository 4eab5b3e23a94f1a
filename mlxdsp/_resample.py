"""Band-limited resampling by a rational factor, written in MLX: overlap-save FFT blocks or banded tap
matmuls, whichever is cheaper for the kernel.

After reducing ``orig_sr/target_sr`` to ``down/up`` by their gcd, output sample ``n = m*up + r`` (block
``m``, phase ``r``) is a dot product of a fixed set of taps with the input samples ``x[m*down + c]``; the
taps are one zero-phase kernel sampled at offset ``c - r*down/up`` input samples. Only the kernel depends
on the method:

- ``"sinc_interp_hann"`` / ``"sinc_interp_kaiser"``: torchaudio's ``functional.resample`` kernels
  (``lowpass_filter_width`` zero crossings, ``rolloff``, ``beta``), same alignment and output length.
- ``"polyphase"``: ``scipy.signal.resample_poly``'s default design (``firwin(20*max(up,down)+1,
  1/max(up,down), window=("kaiser", 5.0))``), same alignment.
- ``"fft"``: ``scipy.signal.resample`` (ideal brick-wall in the DFT domain; periodic signal assumed).
- ``"hq"`` (default): a Kaiser-windowed sinc (torchaudio's kernel form) with cutoff at 0.94 of the lower
  Nyquist, 64 zero crossings each side and beta=12, applied in the frequency domain up to the lower
  Nyquist: passband within 0.036 dB up to 0.9 of the lower Nyquist, stopband >= 118 dB for the kernel and
  measured end to end below -135 dB (nothing above the lower Nyquist is kept).

Engines (``_resample_ratio`` picks one with ``choose_engine``):

- FFT (``_fft_engine``): overlap-save blocks of ``N = k*down`` input samples (k even and 7-smooth), framed
  by reshape/slice/concatenate and transformed by ONE batched ``rfft``; each block's bins are multiplied by
  the kernel's real response, bins past the output band are folded onto it (aliasing, exactly as the
  time-domain kernel aliases), one batched ``irfft`` of ``N*up/down`` points gives the block's outputs and
  the part that did not wrap is kept. For the exact methods the response is the DFT of the method's own
  taps on the ``up``-times finer grid, cut where the response left out is below 1e-7 (relative L2): the
  result equals the time-domain form to float32 rounding. For ``"hq"`` it is the prototype's continuous
  Fourier transform, kept up to the lower Nyquist. hq's blocks are framed by phases (strided views of
  the input, no framing copy); on the CPU, long signals run in pieces of blocks alternating between two
  CPU streams (both bit-identical to one piece framed by a copy).
- direct (``_polyphase``): frames of hop ``down``; each group of consecutive phases is one matmul of the
  frames with a small banded tap matrix. Cheaper for short kernels whose response spans many times the
  output band (torchaudio's Hann kernel, scipy's Kaiser design at large ``up``): see ``choose_engine``.

The measured figures are in ``docs/filters.md`` and pinned by ``tests/test_resample.py``."""

from __future__ import annotations

import functools
import itertools
import math

import mlx.core as mx
import numpy as np

from . import _checks, _parallel
from ._complex_views import as_complex, as_real
from ._typing import ResampleMethod

__all__ = ["resample"]

HQ_ROLLOFF = 0.94
HQ_ZEROS = 64
HQ_BETA = 12.0
_MAX_GROUPS = 512
_GROUP_PHASES = 32


def output_length(n: int, up: int, down: int) -> int:
    """Output length of every method: ``ceil(n * up / down)`` (torchaudio, scipy, librosa agree)."""
    return -(-n * up // down)


# --------------------------------------------------------------------------------------------------
# Tap designs. Each returns (band, taps): band(r) -> (c_lo, c_hi) inclusive input offsets used by phase r,
# taps(c [k,1], r [1,g]) -> float64 coefficients of x[m*down + c] in output m*up + r.


def _sinc_design(up, down, lpfw, rolloff, window, beta):
    """torchaudio's kernel: orig=down, new=up. t = (c/orig - r/new) * base, |t| <= lpfw."""
    orig, new = down, up
    base = min(orig, new) * rolloff
    width = math.ceil(lpfw * orig / base)

    def taps(c, r):
        t = (c / orig - r / new) * base
        t = np.clip(t, -lpfw, lpfw)
        if window == "hann":
            win = np.cos(t * np.pi / lpfw / 2) ** 2
        else:
            win = np.i0(beta * np.sqrt(np.maximum(1 - (t / lpfw) ** 2, 0.0))) / np.i0(beta)
        t = t * np.pi
        safe = np.where(t == 0, 1.0, t)
        kern = np.where(t == 0, 1.0, np.sin(safe) / safe)
        out = kern * win * (base / orig)
        inside = (c >= -width) & (c < width + orig)
        return np.where(inside, out, 0.0)

    def band(r):
        lo = math.floor((r / new - lpfw / base) * orig) - 1
        hi = math.ceil((r / new + lpfw / base) * orig) + 1
        return max(lo, -width), min(hi, width + orig - 1)

    return band, taps


def _poly_design(up, down):
    max_rate = max(up, down)
    half = 10 * max_rate
    n = 2 * half + 1
    m = np.arange(n) - half
    h = (1.0 / max_rate) * np.sinc(m / max_rate) * np.kaiser(n, 5.0)
    h = h / h.sum() * up

    def taps(c, r):
        k = r * down - c * up
        inside = np.abs(k) <= half
        return np.where(inside, h[np.clip(k + half, 0, n - 1)], 0.0)

    def band(r):
        return -((half - r * down) // up), (r * down + half) // up

    return band, taps


@functools.lru_cache(maxsize=32)
def _plan(method: str, up: int, down: int, lpfw: int, rolloff: float, beta: float):
    """Groups of consecutive phases: (col_lo, col_hi, tap matrix [cols, phases]) plus the left pad."""
    if method == "polyphase":
        band, taps = _poly_design(up, down)
    elif method == "hq":
        band, taps = _sinc_design(up, down, HQ_ZEROS, HQ_ROLLOFF, "kaiser", HQ_BETA)
    else:
        window = "hann" if method == "sinc_interp_hann" else "kaiser"
        band, taps = _sinc_design(up, down, lpfw, rolloff, window, beta)
    bands = [band(r) for r in range(up)]
    span = np.mean([hi - lo + 1 for lo, hi in bands])
    # A group of g phases reads span + (g-1)*down/up input columns (copied out of the frames, then one
    # matmul). Column copies cost more than the extra multiply-adds on this CPU: groups reading about
    # 3x span, at most 32 phases (reference BLAS slows down on wider products), measured fastest.
    g = max(1, min(int(2 * span * up / down) + 1, _GROUP_PHASES), -(-up // _MAX_GROUPS))
    g = min(g, up)
    c_min = min(lo for lo, _ in bands)
    pad_left = max(0, -c_min)
    groups = []
    for r0 in range(0, up, g):
        r1 = min(up, r0 + g)
        lo = min(bands[r][0] for r in range(r0, r1))
        hi = max(bands[r][1] for r in range(r0, r1))
        c = np.arange(lo, hi + 1)[:, None]
        r = np.arange(r0, r1)[None, :]
        mat = taps(c, r)
        groups.append((lo + pad_left, hi + 1 + pad_left, mx.array(mat.astype(np.float32))))
    return pad_left, tuple(groups)


def _polyphase(x: mx.array, up: int, down: int, plan) -> mx.array:
    pad_left, groups = plan
    n = x.shape[-1]
    n_out = output_length(n, up, down)
    blocks_out = -(-n_out // up)
    col_hi = max(hi for _, hi, _ in groups)
    span_blocks = -(-col_hi // down)
    total = (blocks_out - 1 + span_blocks) * down
    lead = x.shape[:-1]
    right = total - pad_left - n
    widths = [(0, 0)] * (x.ndim - 1)
    xp = mx.pad(x, widths + [(pad_left, max(0, right))])[..., :total]
    blocks = xp.reshape(*lead, blocks_out - 1 + span_blocks, down)
    frames = mx.concatenate(
        [blocks[..., q : q + blocks_out, :] for q in range(span_blocks)], axis=-1
    )
    outs = [frames[..., lo:hi] @ mat for lo, hi, mat in groups]
    y = mx.concatenate(outs, axis=-1) if len(outs) > 1 else outs[0]
    return y.reshape(*lead, blocks_out * up)[..., :n_out]


# --------------------------------------------------------------------------------------------------
# Frequency-domain engine (overlap-save block FFT). Geometry: blocks of N = k*down input samples with hop
# H = h*down, p*down samples of left and r*down of right context (k = p + h + r); each block's rfft is
# multiplied by the kernel's response on its bins, folded into the M = k*up output bins, and irfft'd; the
# h*up outputs after the left context are kept. Because N is a multiple of ``down``, block starts fall on
# the output grid and every block uses the same real (zero-phase kernel) response.

FFT_TAIL = 1e-7  # exact methods: relative L2 norm of the kernel response left out of the kept band
_FFT_MAX_GRID = 1 << 24  # exact methods: longest N*up DFT of the kernel built for the response


def kernel_reach(method: str, up: int, down: int, lpfw: int, rolloff: float) -> float:
    """Half support of the method's kernel in input samples."""
    if method == "polyphase":
        return 10 * max(up, down) / up
    zeros, roll = (HQ_ZEROS, HQ_ROLLOFF) if method == "hq" else (lpfw, rolloff)
    return zeros / (roll * min(1.0, up / down))


def _smooth_even(k: int) -> int:
    """Smallest even integer >= k whose prime factors are 2, 3, 5 or 7."""
    k += k % 2
    while True:
        m = k
        for f in (2, 3, 5, 7):
            while m % f == 0:
                m //= f
        if m == 1:
            return k
        k += 2


def block_geometry(n: int, up: int, down: int, reach: float) -> tuple[int, int, int]:
    """(p, h, r): left context, hop and right context of the blocks, in units of ``down`` samples."""
    p = r = math.ceil((reach + 1) / down)
    target = max(64 * reach, min(16 * (p + r) * down, 1 << 15))
    h = max(p + r, math.ceil(target / down) - p - r)
    short = max(p, -(-n // down))
    if short < h:  # a short signal is one block, of a power-of-two length so few plans get built
        k = 1 << (p + short + r - 1).bit_length()
        return p, min(k, _smooth_even(p + h + r)) - p - r, r
    k = _smooth_even(p + h + r)
    return p, k - p - r, r


def _hq_response(n_keep: int, step: float) -> np.ndarray:
    """Fourier transform of the hq prototype sinc(u) * kaiser(u / HQ_ZEROS) at nu = s * step, s < n_keep
    (nu in cycles per unit of u), by the midpoint rule on 32 points per zero crossing: the integrand is
    smooth inside and vanishes at the ends, so the rule's error is the prototype's response 32 cycles
    away (< 1e-10). Bins in rows of 256 share one table of rotations: two matmuls instead of a cosine
    per bin and point."""
    du = 1.0 / 32
    u = (np.arange(HQ_ZEROS * 32) + 0.5) * du
    win = np.i0(HQ_BETA * np.sqrt(1 - (u / HQ_ZEROS) ** 2)) / np.i0(HQ_BETA)
    weights = np.sinc(u) * win * (2 * du)  # even integrand: twice the half line
    rows = 256
    a = 2 * np.pi * step * np.outer(np.arange(rows), u)  # [rows, points]: offsets inside a row
    b = 2 * np.pi * step * np.outer(u, np.arange(0, n_keep, rows))  # [points, row starts]
    # cos(a + b) = cos a cos b - sin a sin b: two real matmuls for every row at once.
    out = np.cos(a) @ (weights[:, None] * np.cos(b)) - np.sin(a) @ (weights[:, None] * np.sin(b))
    out = out.T.reshape(-1)
    return out[:n_keep]


def _exact_kernel(method, up, down, lpfw, rolloff, beta, reach):
    """The method's taps as one sequence g[q] on the up-times finer grid, q = c*up - r*down (input offset c,
    output phase r); symmetric in q. Returns (g for q = 0..qmax)."""
    qmax = int(math.ceil(reach * up)) + 1
    q = np.arange(qmax + 1, dtype=np.float64)
    if method == "polyphase":
        max_rate = max(up, down)
        half = 10 * max_rate
        m = np.arange(2 * half + 1) - half
        h = (1.0 / max_rate) * np.sinc(m / max_rate) * np.kaiser(2 * half + 1, 5.0)
        h = h / h.sum() * up
        return np.where(q <= half, h[np.minimum(q, half).astype(int) + half], 0.0)
    base = min(up, down) * rolloff
    t = q * base / (up * down)
    tc = np.minimum(t, lpfw)
    if method == "sinc_interp_hann":
        win = np.cos(tc * np.pi / lpfw / 2) ** 2
    else:
        win = np.i0(beta * np.sqrt(np.maximum(1 - (tc / lpfw) ** 2, 0.0))) / np.i0(beta)
    return np.where(t <= lpfw, np.sinc(tc) * win * (base / down), 0.0)


def _gains(resp: np.ndarray) -> mx.array:
    """float32 [n, 2]: each bin's gain for its (re, im) pair, so the product with the interleaved spectrum
    broadcasts over the blocks only."""
    return mx.array(np.repeat(resp[:, None], 2, axis=1).astype(np.float32))


@functools.lru_cache(maxsize=32)
def _fft_plan(method, up, down, lpfw, rolloff, beta, geometry):
    """(geometry, n_keep, folded, response) or None when the exact response needs too large a DFT.

    response: float32 [n_keep, 2] real gains on bins 0..n_keep-1 of the input block (twice: re, im), divided
    by ``down``.
    When ``folded``, bins s >= M/2 alias onto output bin s mod M and _fft_engine adds the mirrored
    (negative-frequency) fold, so bin 0, which has no mirror, carries half its gain."""
    p, h, r = geometry
    k = p + h + r
    n_in, n_out = k * down, k * up
    if method == "hq":
        n_keep = min(n_in, n_out) // 2  # the response is < -118 dB from the lower Nyquist on
        rho = HQ_ROLLOFF * min(1.0, up / down)
        resp = _hq_response(n_keep, 1.0 / (n_in * rho)) * (up / down)
        return geometry, n_keep, False, _gains(resp)
    grid = n_in * up
    if grid > _FFT_MAX_GRID:
        return None
    g = _exact_kernel(
        method, up, down, lpfw, rolloff, beta, kernel_reach(method, up, down, lpfw, rolloff)
    )
    circ = np.zeros(grid)
    circ[: g.size] = g
    circ[grid - g.size + 1 :] = g[:0:-1]
    resp = np.fft.rfft(circ).real
    energy = resp * resp
    energy[1:] *= 2
    tail = np.cumsum(energy[::-1])[::-1]  # tail[s] = energy of bins >= s (both signs)
    n_keep = int(np.argmax(tail <= FFT_TAIL**2 * tail[0])) or resp.size
    resp = resp[:n_keep] / down
    if n_keep > grid // 2:  # the grid's Nyquist bin stands for +grid/2 and -grid/2 at once
        resp[grid // 2] *= 0.5
    folded = n_keep > n_out // 2
    if folded:
        resp[0] *= 0.5
    return geometry, n_keep, folded, _gains(resp)


_CONJ = (1.0, -1.0)
# Intermediate bytes the FFT engine's piece pipeline is sized by (frames, spectrum, kept bins, irfft output of
# the blocks in a piece). Pieces of about this size keep a block's FFT data in the core's L2 cache and every
# buffer reused from MLX's cache instead of page-faulted in afresh (see _fft_engine).
_PIECE_BYTES = 2 << 20
# The same when the blocks are framed by phases (no framing copy): measured on a quiet 2-core slice, 180 s
# stereo 44.1k -> 16k, pieces of 16 / 24 / 32 / 48 / 64 blocks: two streams 43 / 42 / 40 / 47 / 51 ms,
# one stream 71 / 69 / 69 / 67 / 84 ms (the copy framing, 12-block pieces: 43 / 77).
_PHASE_PIECE_BYTES = 4 << 20


# MLX's CPU FFT (pocketfft) transforms rows 4 at a time with SIMD; the rows left over run one at a time,
# 2-3x slower each (rfft of 14112 points: 1200 rows in calls of 1 / 4 / 12 rows: 145 / 71 / 50 ms).
_SIMD_ROWS = 4
# Framing by phases (see _fft_blocks) up to this many hops per block; beyond, one framing copy.
_MAX_PHASES = 4


def _phases(plan, down: int) -> int:
    """Hops spanned by one block when the blocks are framed by phases (no framing copy), else 0: when the
    bins need neither folding nor the continuation past the input Nyquist (hq; the exact kernels reach
    past the output Nyquist and fold)."""
    (p, h, r), n_keep, folded, _ = plan
    k = p + h + r
    q = -(-k // h)
    plain = not folded and n_keep <= k * down // 2 + 1
    return q if plain and q <= _MAX_PHASES else 0


@functools.lru_cache(maxsize=64)
def _plain_gains(m_half: int, q: int):
    """Compiled: the spectra of the q phases' blocks, [..., M, half] each, and gains [n_keep, 2] (n_keep <=
    half) -> [..., M * q, m_half] complex bins of the output blocks in block order (block m * q + j from
    phase j), zero from n_keep on. One fused pass: the products over the interleaved (re, im) views and
    the interleaving of the phases by a broadcast ``where`` (MLX's copies, a concatenation or a stack, run
    ~3.5x slower than an elementwise pass)."""

    def gained(resp, *specs):
        n_keep = resp.shape[0]
        # output band inside the input's: zero gains up to it, no padding copy of the products
        if m_half <= specs[0].shape[-1]:
            resp = mx.pad(resp, [(0, m_half - n_keep), (0, 0)])
            n_keep = m_half
        gains = resp.reshape(-1)
        parts = [(as_real(s)[..., : 2 * n_keep] * gains)[..., None, :] for s in specs]
        phase = mx.arange(q).reshape(q, 1)
        z = parts[-1]
        for j in range(q - 2, -1, -1):
            z = mx.where(phase == j, parts[j], z)
        z = z.reshape(*z.shape[:-3], z.shape[-3] * q, 2 * n_keep)
        if n_keep < m_half:
            z = mx.pad(z, [(0, 0)] * (z.ndim - 1) + [(0, 2 * (m_half - n_keep))])
        return as_complex(z)

    return mx.compile(gained)


def _fft_blocks(seg: mx.array, nb: int, up: int, down: int, plan, phased: bool) -> mx.array:
    """Overlap-save blocks of one piece: seg [g, (nb + q - 1) * hop] (the padded input from block
    ``b0``'s left context on; q = hops spanned by one block) -> [g, nb, h * up] (each block's kept
    outputs). ``phased`` (``q = _phases(plan, down)`` > 0 dividing nb): the blocks are framed by phases:
    blocks j, j + q, j + 2q, ... start q hops >= one block apart, so they are the rows of a reshape of a
    contiguous slice, cut to the block length: a strided view that ``rfft`` reads in place (no framing
    copy; MLX's CPU FFT takes strided rows at no extra cost)."""
    (p, h, r), n_keep, folded, resp = plan
    k = p + h + r
    n_in, n_out_blk, hop = k * down, k * up, h * down
    g = seg.shape[0]
    q = -(-n_in // hop)  # hops spanned by one block
    half = n_in // 2 + 1
    m_half = n_out_blk // 2 + 1

    def kept(y):  # the inverse transforms, each block cut to its h * up new outputs
        return mx.fft.irfft(y, n=n_out_blk, axis=-1)[..., p * up : (p + h) * up]

    if phased:
        rows = nb // q
        specs = [
            mx.fft.rfft(
                seg[:, j * hop : (j + rows * q) * hop].reshape(g, rows, q * hop)[..., :n_in],
                axis=-1,
            )
            for j in range(q)
        ]
        return kept(_plain_gains(m_half, q)(resp, *specs))
    chunks = seg.reshape(g, nb + q - 1, hop)
    tail = n_in - (q - 1) * hop
    parts = [chunks[:, i : i + nb, :] for i in range(q - 1)]
    frames = mx.concatenate([*parts, chunks[:, q - 1 : q - 1 + nb, :tail]], axis=-1)
    if (
        not folded and n_keep <= half
    ):  # plain, framed by a copy (too many hops, or nb not a multiple)
        return kept(_plain_gains(m_half, 1)(resp, mx.fft.rfft(frames, axis=-1)))
    spec = as_real(mx.fft.rfft(frames, axis=-1)).reshape(g, nb, half, 2)
    conj = mx.array(_CONJ)
    if n_keep > half:  # bins beyond the input Nyquist: the periodic, Hermitian continuation
        period = mx.concatenate([spec, spec[..., n_in - half : 0 : -1, :] * conj], axis=-2)
        reps = -(-n_keep // n_in)
        spec = mx.concatenate([period] * reps, axis=-2) if reps > 1 else period
    if not folded and m_half <= spec.shape[-2]:  # output band inside the input's: no padding copy
        resp = mx.pad(resp, [(0, m_half - n_keep), (0, 0)])
        n_keep = m_half
    z = spec[..., :n_keep, :] * resp  # resp [n_keep, 2]: the gain on (re, im)
    if not folded:
        y = mx.pad(z, [(0, 0), (0, 0), (0, m_half - n_keep), (0, 0)])
    else:
        rows = -(-n_keep // n_out_blk)
        z = mx.pad(z, [(0, 0), (0, 0), (0, rows * n_out_blk - n_keep), (0, 0)])
        w = z.reshape(g, nb, rows, n_out_blk, 2).sum(axis=-3)
        mirror = mx.concatenate(
            [w[..., :1, :], w[..., n_out_blk - 1 : n_out_blk - m_half : -1, :]], axis=-2
        )
        y = w[..., :m_half, :] + mirror * conj
    return kept(as_complex(y.reshape(g, nb, 2 * m_half)))


def block_pieces(rows: int, blocks: int, per_piece: int) -> list[tuple[int, int, int, int]]:
    """(row_lo, row_hi, block_lo, block_hi) of the pieces covering ``rows`` x ``blocks`` blocks in row-major
    order with at most ``per_piece`` blocks each (at least one block): groups of whole rows when a row has
    fewer blocks, else each row in runs of ``per_piece`` blocks and one shorter run (equal sizes let MLX
    reuse the buffers; a multiple of 4 rows per FFT call keeps pocketfft on its SIMD path)."""
    if rows * blocks <= per_piece:
        return [(0, rows, 0, blocks)]
    if blocks >= per_piece:
        edges = [*range(0, blocks, per_piece), blocks]
        return [(i, i + 1, a, b) for i in range(rows) for a, b in itertools.pairwise(edges)]
    g = per_piece // blocks
    return [(i, min(rows, i + g), 0, blocks) for i in range(0, rows, g)]


def _piece_blocks(plan, up: int, down: int) -> int:
    """Blocks per piece on the CPU: intermediates near the budget, every FFT call a multiple of
    ``_SIMD_ROWS`` rows (per phase)."""
    (p, h, r), n_keep, _, _ = plan
    k = p + h + r
    n_in, n_out_blk = k * down, k * up
    phases = _phases(plan, down)
    if phases:  # spectra, kept bins and outputs (the frames are views of x)
        per_block, budget = 4 * (n_in + 2 * max(n_keep, n_out_blk) + n_out_blk), _PHASE_PIECE_BYTES
    else:  # the frames too
        per_block, budget = 4 * (2 * n_in + 2 * max(n_keep, n_out_blk) + n_out_blk), _PIECE_BYTES
    unit = _SIMD_ROWS * (phases or 1)
    return max(unit, budget // per_block // unit * unit)


def _fft_engine(x: mx.array, up: int, down: int, plan) -> mx.array:
    """The overlap-save engine over ``x`` [..., n]. On the CPU, long signals run in pieces of blocks (of
    whole rows, or of a row's blocks; ``_piece_blocks`` sizes them), alternating between two CPU streams;
    a piece reads only its slice of ``x`` (zero-padded at the signal's ends), and the pieces' outputs are
    joined by one concatenation. Every block sees the same samples and goes through the same operations
    as in one piece: bit-identical."""
    p, h, r = plan[0]
    k = p + h + r
    n_in, hop, kept = k * down, h * down, h * up
    n = x.shape[-1]
    lead = x.shape[:-1]
    n_out = output_length(n, up, down)
    blocks = -(-n_out // kept)
    q = -(-n_in // hop)
    rows = math.prod(lead)
    x2 = x.reshape(rows, n)
    phases = _phases(plan, down)
    per_piece = _piece_blocks(plan, up, down) if mx.default_device() == mx.cpu else rows * blocks
    if 1 < rows * blocks <= per_piece and len(_parallel.cpu_streams(x)) > 1:
        # One piece would leave the second core idle: two halves, whole phases each (pitch_shift's
        # 37/44 step of 262k samples: 2.2 -> 1.4 ms).
        unit = phases or 1
        half = -(-rows * blocks // 2)
        per_piece = -(-half // unit) * unit
    pieces = block_pieces(rows, blocks, per_piece)
    streams = _parallel.cpu_streams(x) if len(pieces) > 1 else (None,)
    outs = []
    for i, (r0, r1, b0, b1) in enumerate(pieces):
        nb = b1 - b0
        start = b0 * hop - p * down
        stop = start + (nb + q - 1) * hop
        lo, hi = max(0, start), min(n, stop)
        seg = x2[r0:r1, lo:hi]
        if lo > start or hi < stop:
            seg = mx.pad(seg, [(0, 0), (lo - start, stop - hi)])
        with _parallel.on_stream(streams[i % len(streams)]):
            y = _fft_blocks(seg, nb, up, down, plan, phases > 0 and nb % phases == 0)
            outs.append(y.reshape(-1, kept))
    y = mx.concatenate(outs, axis=0) if len(outs) > 1 else outs[0]
    return y.reshape(rows, blocks * kept)[:, :n_out].reshape(*lead, n_out)


def _fft_resample(x: mx.array, num: int) -> mx.array:
    n = x.shape[-1]
    m = min(num, n)
    m2 = m // 2 + 1
    scale = np.full(m2, num / n, dtype=np.float32)
    if m % 2 == 0 and num != n:
        scale[m // 2] *= 2.0 if num < n else 0.5
    scale = mx.array(scale)

    def linear(v):
        return mx.fft.irfft(mx.fft.rfft(v, axis=-1)[..., :m2] * scale, n=num, axis=-1)

    # MLX 0.32's jvp of irfft with odd n returns the wrong length; the map is linear, so its jvp is itself.
    fn = mx.custom_function(linear)

    @fn.jvp
    def _jvp(primals, tangents):
        t = tangents[0] if isinstance(tangents, (tuple, list)) else tangents
        return linear(t)

    return fn(x)


def resample(
    x: mx.array,
    *,
    orig_sr: int,
    target_sr: int,
    method: ResampleMethod = "hq",
    lowpass_filter_width: int = 6,
    rolloff: float = 0.99,
    beta: float | None = None,
) -> mx.array:
    """Resample along the last axis from ``orig_sr`` to ``target_sr``.

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating
    orig_sr, target_sr : int
        Rates; only their ratio matters (reduced by the gcd, so 44100 -> 16000 is 160/441).
    method : {"hq", "sinc_interp_hann", "sinc_interp_kaiser", "polyphase", "fft"}
        ``"hq"`` (default): Kaiser-windowed sinc applied in the frequency domain, within 0.036 dB up to
        0.9 of the lower Nyquist, nothing kept above the lower Nyquist (measured end to end: tones there
        come out below -135 dB; docs/filters.md). ``"sinc_interp_*"``: torchaudio's
        ``functional.resample``. ``"polyphase"``: ``scipy.signal.resample_poly`` with its default Kaiser
        design. ``"fft"``: ``scipy.signal.resample`` (assumes a periodic signal). The kernel methods run
        as overlap-save FFT blocks or as banded tap matmuls, whichever is cheaper for the kernel; both
        give the reference's result to float32 rounding. On the CPU, long signals are resampled in pieces
        of blocks on two CPU streams (``MLXDSP_CPU_STREAMS=0``: one stream; the result is the same).
    lowpass_filter_width, rolloff, beta
        torchaudio's options, used by the ``"sinc_interp_*"`` methods only (``beta`` defaults to
        14.769656459379492 as in torchaudio).

    Returns
    -------
    y : mx.array [shape=(..., ceil(n * target_sr / orig_sr))], float32

    Transforms: compile, grad, jvp, vmap (reshape/slice framing, no as_strided; rfft/irfft blocks).

    Examples
    --------
    >>> y = resample(mx.random.normal((2, 44100)), orig_sr=44100, target_sr=16000)
    >>> y.shape
    (2, 16000)
    """
    fn = "resample"
    x = _checks.real_signal(fn, "x", x)
    orig_sr = _checks.positive_int(fn, "orig_sr", orig_sr)
    target_sr = _checks.positive_int(fn, "target_sr", target_sr)
    method = _checks.choice(fn, "method", method, ResampleMethod)
    lpfw = _checks.positive_int(fn, "lowpass_filter_width", lowpass_filter_width)
    rolloff = _checks.real_number(fn, "rolloff", rolloff, low=0.0, low_open=True, high=1.0)
    beta = 14.769656459379492 if beta is None else _checks.real_number(fn, "beta", beta, low=0.0)
    if x.dtype != mx.float32:
        x = x.astype(mx.float32)
    g = math.gcd(orig_sr, target_sr)
    down, up = orig_sr // g, target_sr // g
    if up == down:
        return x
    n = x.shape[-1]
    if method == "fft":
        return _fft_resample(x, output_length(n, up, down))
    return _resample_ratio(x, method, up, down, lpfw, rolloff, beta)


def _resample_ratio(x, method, up, down, lpfw, rolloff, beta, engine=None):
    """The kernel methods by the cheaper engine (or by ``engine``: "fft" / "direct")."""
    reach = kernel_reach(method, up, down, lpfw, rolloff)
    geometry = block_geometry(x.shape[-1], up, down, reach)
    options = (method, up, down, lpfw, rolloff, beta)
    engine = engine or choose_engine(*options, geometry)
    plan = _fft_plan(*options, geometry) if engine == "fft" else None
    if plan is not None:
        return _fft_engine(x, up, down, plan)
    return _polyphase(x, up, down, _plan(*options))


# Measured costs on this project's 2-core x86_64 CPU (ns; MLX 0.32 CPU, reference BLAS): FFT engine per
# block input sample, per kept bin (plain / folded / beyond the input Nyquist) and per block output
# sample; direct engine per frame column copied into a group and per multiply-add. Bins past the input
# Nyquist re-fitted after the FFT engine went to pieces on two streams (50 -> 20 ns: 52 configurations of
# 3 methods x 5 ratios x 1 s / 30 s stereo; the two choices left wrong are within 1.25x of each other).
_COST_FFT_IN, _COST_BIN, _COST_FFT_OUT = 10.0, (8.0, 25.0, 20.0), 5.0
_COST_COPY, _COST_MAC = 15.0, 1.0


@functools.lru_cache(maxsize=64)
def choose_engine(method, up, down, lpfw, rolloff, beta, geometry) -> str:
    """ "fft" or "direct", whichever the cost model above says is faster per output sample. "hq" always
    takes the FFT engine (its kernel spans hundreds of input samples)."""
    if method == "hq":
        return "fft"
    plan = _fft_plan(method, up, down, lpfw, rolloff, beta, geometry)
    if plan is None:
        return "direct"
    (p, h, r), n_keep, folded, _ = plan
    k = p + h + r
    kind = 2 if n_keep > k * down // 2 + 1 else int(folded)
    fft = (_COST_FFT_IN * k * down + _COST_BIN[kind] * n_keep + _COST_FFT_OUT * k * up) / (h * up)
    _, groups = _plan(method, up, down, lpfw, rolloff, beta)
    cols = sum((hi - lo) * (_COST_COPY + _COST_MAC * mat.shape[1]) for lo, hi, mat in groups)
    return "fft" if fft < cols / up else "direct"
