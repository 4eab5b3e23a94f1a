"""Energy-based trimming and splitting (librosa.effects.trim / split).

The frame energies are computed with MLX ops; where the cut falls depends on the data, so ``trim`` and
``split`` read the (small, per-frame) non-silence mask back to the host: they are eager-only.
``nonsilent_frames`` is the traceable part.
"""

from __future__ import annotations

import mlx.core as mx
import numpy as np

from . import _checks

__all__ = ["nonsilent_frames", "split", "trim"]


def _frame_power(y, frame_length, hop_length):
    """Mean square of centred, zero-padded frames (librosa.feature.rms(...) ** 2, center=True)."""
    pad = frame_length // 2
    yp = mx.pad(y * y, [(0, 0)] * (y.ndim - 1) + [(pad, pad)])
    n = yp.shape[-1]
    n_frames = 1 + (n - frame_length) // hop_length
    # cumulative sums in blocks of the hop keep float32 error local: sum of blocks, then a short window
    from math import gcd

    g = gcd(frame_length, hop_length)
    n_blocks = -(-n // g)
    blocks = mx.pad(yp, [(0, 0)] * (y.ndim - 1) + [(0, n_blocks * g - n)]).reshape(
        *y.shape[:-1], n_blocks, g
    )
    bsum = mx.sum(blocks, axis=-1)
    per = frame_length // g
    step = hop_length // g
    total = None
    for j in range(per):
        part = bsum[..., j : j + (n_frames - 1) * step + 1 : step]
        total = part if total is None else total + part
    return total / frame_length


def nonsilent_frames(
    y: mx.array, *, top_db: float = 60.0, frame_length: int = 2048, hop_length: int = 512
) -> mx.array:
    """Boolean mask over frames: frame RMS within ``top_db`` of the loudest frame (librosa's
    ``_signal_to_frame_nonsilent`` with ref=max and aggregate=max over leading dims).

    Returns
    -------
    mx.array [shape=(n_frames,)], bool

    Transforms: compile, vmap (boolean output: no gradient).
    """
    fn = "nonsilent_frames"
    y = _checks.real_signal(fn, "y", y).astype(mx.float32)
    top_db = _checks.positive_number(fn, "top_db", top_db)
    frame_length = _checks.positive_int(fn, "frame_length", frame_length)
    hop_length = _checks.positive_int(fn, "hop_length", hop_length)
    power = _frame_power(y, frame_length, hop_length)
    db = 10.0 * mx.log10(mx.maximum(power, 1e-10))
    ref = 10.0 * mx.log10(mx.maximum(mx.max(power), 1e-10))
    db = db - ref
    if db.ndim > 1:
        db = mx.max(db.reshape(-1, db.shape[-1]), axis=0)
    return db > -top_db


def trim(
    y: mx.array, *, top_db: float = 60.0, frame_length: int = 2048, hop_length: int = 512
) -> tuple[mx.array, tuple[int, int]]:
    """Cut leading and trailing silence (librosa.effects.trim with ref=max).

    Returns
    -------
    (y[..., start:end], (start, end))

    Transforms: none (the output length depends on the data; eager only).
    """
    mask = np.array(
        nonsilent_frames(y, top_db=top_db, frame_length=frame_length, hop_length=hop_length)
    )
    y = _checks.real_signal("trim", "y", y)
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        start, end = 0, 0
    else:
        start = int(idx[0] * hop_length)
        end = min(y.shape[-1], int((idx[-1] + 1) * hop_length))
    return y[..., start:end], (start, end)


def split(
    y: mx.array, *, top_db: float = 60.0, frame_length: int = 2048, hop_length: int = 512
) -> np.ndarray:
    """Sample intervals ``[[start, end], ...]`` of non-silent regions (librosa.effects.split with ref=max).

    Returns
    -------
    np.ndarray [shape=(n_intervals, 2)], int

    Transforms: none (the number of intervals depends on the data; eager only).
    """
    mask = np.array(
        nonsilent_frames(y, top_db=top_db, frame_length=frame_length, hop_length=hop_length)
    )
    edges = [np.flatnonzero(np.diff(mask.astype(int))) + 1]
    if mask[0]:
        edges.insert(0, np.array([0]))
    if mask[-1]:
        edges.append(np.array([len(mask)]))
    edges = np.concatenate(edges) * hop_length
    edges = np.minimum(edges, y.shape[-1])
    return edges.reshape(-1, 2)
