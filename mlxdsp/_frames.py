"""Framing and overlap-add on the last axis, written without ``as_strided`` so ``mx.vmap`` works.

A frame of length n starting every hop samples is the concatenation of ceil(n / hop) consecutive
hop-sized blocks: reshape the signal into blocks and concatenate shifted slices. Overlap-add is the
adjoint: split each frame into blocks, shift each block stream by its index and sum. Both are plain
slice/pad/reshape/concatenate graphs, so compile, grad, jvp and vmap all apply.
"""

from __future__ import annotations

import functools
import math

import mlx.core as mx
import numpy as np

from . import _checks, _framing
from ._errors import ParameterError
from ._typing import PadMode

# Beyond this many blocks per frame (hop much smaller than n), a single scatter beats a graph of that
# many slices for overlap-add, and framing concatenates in two levels (frame_rows).
_MAX_BLOCK_SLICES = 32


def _pad_last(x: mx.array, left: int, right: int) -> mx.array:
    return mx.pad(x, [(0, 0)] * (x.ndim - 1) + [(left, right)])


def pad_signal(fn: str, x: mx.array, left: int, right: int, mode: str) -> mx.array:
    """Pad the last axis. ``reflect`` mirrors without repeating the edge (NumPy/torch ``reflect``)."""
    _checks.choice(fn, "pad_mode", mode, PadMode)
    if left == 0 and right == 0:
        return x
    if mode == "constant":
        return _pad_last(x, left, right)
    if mode == "edge":
        return mx.pad(x, [(0, 0)] * (x.ndim - 1) + [(left, right)], mode="edge")
    length = x.shape[-1]
    if max(left, right) >= length:
        raise ParameterError(
            f"[{fn}] pad_mode='reflect' needs the signal longer than the padding: "
            f"length {length} <= padding {max(left, right)}"
        )
    parts = []
    if left:
        parts.append(x[..., left:0:-1])
    parts.append(x)
    if right:
        stop = length - 2 - right
        parts.append(x[..., length - 2 : (stop if stop >= 0 else None) : -1])
    return mx.concatenate(parts, axis=-1)


def frame_rows(
    x: mx.array,
    frame_length: int,
    hop_length: int,
    n_frames: int,
    *,
    max_slices: int = _MAX_BLOCK_SLICES,
) -> mx.array:
    """[..., T] -> [..., n_frames, frame_length]; needs T >= (n_frames - 1) * hop + frame_length.

    Frames of r = ceil(frame_length / hop) hop-blocks are one concatenation of r shifted block views;
    beyond ``max_slices`` blocks, two levels (rows of a blocks, then b of those, a * b >= r): MLX's
    concatenate costs ~1 ns per element whatever the piece width, so this beats r narrow slices and a
    gather (STFT 2048/32: 2.6x). Between 8 and 32 blocks the two levels win for the CQT's short rows
    (``max_slices=8``) and lose ~7% for an STFT's."""
    r = _framing.blocks_per_frame(frame_length, hop_length)
    if r > max_slices:
        a = math.isqrt(r - 1) + 1  # ceil(sqrt(r))
        b = -(-r // a)
        inner = frame_rows(x, a * hop_length, hop_length, n_frames + (b - 1) * a)
        rows = mx.concatenate([inner[..., j * a : j * a + n_frames, :] for j in range(b)], axis=-1)
        return rows if a * b * hop_length == frame_length else rows[..., :frame_length]
    n_blocks = n_frames + r - 1
    need = n_blocks * hop_length
    have = x.shape[-1]
    x = x[..., :need] if have >= need else _pad_last(x, 0, need - have)
    blocks = x.reshape(*x.shape[:-1], n_blocks, hop_length)
    if r == 1:
        rows = blocks
    else:
        rows = mx.concatenate([blocks[..., k : k + n_frames, :] for k in range(r)], axis=-1)
    return rows if r * hop_length == frame_length else rows[..., :frame_length]


@functools.lru_cache(maxsize=64)
def _scatter_overlap_add(n_frames: int, frame_length: int, hop_length: int):
    """Overlap-add of flattened rows [B, n_frames * frame_length] by one scatter-add.

    MLX 0.32 has no jvp for scatter, so the linear map carries its own rules: jvp applies the map to
    the tangent, vjp is the adjoint gather (framing). The forward sees its input through stop_gradient
    because MLX's jvp also walks a custom function's forward graph.
    """
    index = mx.array(
        (np.arange(n_frames)[:, None] * hop_length + np.arange(frame_length)[None, :])
        .reshape(-1)
        .astype(np.int32)
    )
    out_length = _framing.overlap_add_length(n_frames, frame_length, hop_length)

    @mx.custom_function
    def overlap_add(flat):
        out = mx.zeros((flat.shape[0], out_length), dtype=flat.dtype)
        return out.at[:, index].add(mx.stop_gradient(flat))

    @overlap_add.jvp
    def overlap_add_jvp(primals, tangents):
        return overlap_add(tangents)  # one input: MLX passes the arrays themselves, not tuples

    @overlap_add.vjp
    def overlap_add_vjp(primals, cotangent, output):
        return mx.take(cotangent, index, axis=-1)

    return overlap_add


def overlap_add_rows(rows: mx.array, hop_length: int) -> mx.array:
    """[..., n_frames, frame_length] -> [..., (n_frames - 1) * hop + frame_length] (sum of overlaps)."""
    n_frames, frame_length = rows.shape[-2], rows.shape[-1]
    out_length = _framing.overlap_add_length(n_frames, frame_length, hop_length)
    r = _framing.blocks_per_frame(frame_length, hop_length)
    lead = rows.shape[:-2]
    if r > _MAX_BLOCK_SLICES:
        flat = rows.reshape(-1, n_frames * frame_length)
        out = _scatter_overlap_add(n_frames, frame_length, hop_length)(flat)
        return out.reshape(*lead, out_length)
    if r * hop_length != frame_length:
        rows = _pad_last(rows, 0, r * hop_length - frame_length)
    pieces = rows.reshape(*lead, n_frames, r, hop_length)
    n_blocks = n_frames + r - 1
    total = None
    for k in range(r):
        shifted = mx.pad(pieces[..., k, :], [(0, 0)] * len(lead) + [(k, r - 1 - k), (0, 0)])
        total = shifted if total is None else total + shifted
    return total.reshape(*lead, n_blocks * hop_length)[..., :out_length]


def frame(x, *, frame_length: int, hop_length: int) -> mx.array:
    """Slice a signal into overlapping frames (no padding), librosa's ``util.frame`` layout.

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real or complex
    frame_length : int
        Samples per frame.
    hop_length : int
        Samples between frame starts.

    Returns
    -------
    mx.array [shape=(..., frame_length, n_frames)], dtype of ``x``;
    ``n_frames = 1 + (n - frame_length) // hop_length``.

    See Also
    --------
    overlap_add : the adjoint.

    Transforms: compile, grad, vjp, jvp, vmap.

    Examples
    --------
    >>> import mlx.core as mx, mlxdsp
    >>> mlxdsp.frame(mx.arange(6.0), frame_length=3, hop_length=2).tolist()
    [[0.0, 2.0], [1.0, 3.0], [2.0, 4.0]]
    """
    fn = "frame"
    x = _checks.array(fn, "x", x)
    frame_length = _checks.positive_int(fn, "frame_length", frame_length)
    hop_length = _checks.positive_int(fn, "hop_length", hop_length)
    count = _framing.n_frames(fn, x.shape[-1], frame_length, hop_length)
    return mx.swapaxes(frame_rows(x, frame_length, hop_length, count), -1, -2)


def overlap_add(frames, *, hop_length: int, length: int | None = None) -> mx.array:
    """Sum overlapping frames back into a signal (the adjoint of :func:`frame`).

    Parameters
    ----------
    frames : mx.array [shape=(..., frame_length, n_frames)]
    hop_length : int
    length : int, optional
        Trim (or zero-extend) the result to this many samples; default
        ``frame_length + hop_length * (n_frames - 1)``.

    Returns
    -------
    mx.array [shape=(..., length)], dtype of ``frames``.

    Transforms: compile, grad, vjp, jvp, vmap.

    Examples
    --------
    >>> import mlx.core as mx, mlxdsp
    >>> mlxdsp.overlap_add(mx.ones((3, 2)), hop_length=2).tolist()
    [1.0, 1.0, 2.0, 1.0, 1.0]
    """
    fn = "overlap_add"
    frames = _checks.array(fn, "frames", frames, min_ndim=2)
    hop_length = _checks.positive_int(fn, "hop_length", hop_length)
    length = _checks.optional_positive_int(fn, "length", length)
    y = overlap_add_rows(mx.swapaxes(frames, -1, -2), hop_length)
    return fit_length(y, length)


def fit_length(y: mx.array, length: int | None) -> mx.array:
    """Trim or zero-extend the last axis to ``length`` (None: unchanged)."""
    if length is None or length == y.shape[-1]:
        return y
    if length < y.shape[-1]:
        return y[..., :length]
    return _pad_last(y, 0, length - y.shape[-1])
