"""Streaming libsoxr resampling of decoded float32 frames (used by ``load``/``stream`` with ``sr=``).

The same object serves a whole-file load (one push, then flush) and a stream (many pushes): libsoxr's
output does not depend on how its input is split, so chunks concatenate to the one-shot result.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

Quality = Literal["hq", "vhq", "mq", "lq", "quick"]

# mlxdsp name -> libsoxr recipe (soxr.h): librosa's "soxr_hq" is "hq".
_BLOCK = 1 << 16  # input frames per libsoxr call

_RECIPES = {"quick": 0, "lq": 1, "mq": 2, "hq": 4, "vhq": 6}


class Resampler:
    """``push(x [n, ch]) -> y [m, ch]`` as frames become available; ``flush()`` at end of input."""

    def __init__(self, ext, in_rate: int, out_rate: int, channels: int, quality: str):
        self._r = ext.Resampler(float(in_rate), float(out_rate), int(channels), _RECIPES[quality])
        self._ratio = out_rate / in_rate
        self._ch = channels

    def _drain(self, x: np.ndarray | None) -> np.ndarray:
        pieces = []
        pos = 0
        n = 0 if x is None else x.shape[0]
        while True:
            cap = max(4096, math.ceil((n - pos) * self._ratio) + 64)
            out = np.empty((cap, self._ch), np.float32)
            idone, odone = self._r.process(None if x is None else x[pos:], out)
            pos += idone
            if odone:
                pieces.append(out[:odone])
            if x is None:
                if odone == 0:
                    break
            elif pos >= n and odone < cap:
                break
        if not pieces:
            return np.empty((0, self._ch), np.float32)
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    def push(self, x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float32)
        if x.shape[0] <= _BLOCK:
            return self._drain(x)
        # libsoxr runs about 2x faster fed in cache-sized blocks (its output does not change).
        parts = [self._drain(x[i : i + _BLOCK]) for i in range(0, x.shape[0], _BLOCK)]
        return np.concatenate(parts)

    def capacity(self, frames: int) -> int:
        """An upper bound on the output frames for ``frames`` input frames, flush included."""
        return math.ceil(frames * self._ratio) + 64

    def run_into(self, x: np.ndarray, out: np.ndarray) -> int:
        """Resample all of ``x`` and flush, writing into ``out`` [>= capacity(n), ch]; returns frames."""
        pos = 0
        for i in range(0, x.shape[0], _BLOCK):
            pos = self.feed_into(x[i : i + _BLOCK], out, pos)
        return self.flush_into(out, pos)

    def feed_into(self, blk: np.ndarray, out: np.ndarray, pos: int) -> int:
        """Feed one block, writing output at ``out[pos:]``; returns the new write position."""
        used = 0
        while True:
            idone, odone = self._r.process(blk[used:], out[pos:])
            used += idone
            pos += odone
            if used >= blk.shape[0] and (odone == 0 or pos < out.shape[0]):
                return pos
            if pos >= out.shape[0]:
                raise RuntimeError("libsoxr produced more frames than its capacity bound")

    def flush_into(self, out: np.ndarray, pos: int) -> int:
        """Signal end of input and write the remaining output at ``out[pos:]``; returns the end."""
        while True:
            _, odone = self._r.process(None, out[pos:])
            pos += odone
            if odone == 0:
                return pos
            if pos >= out.shape[0]:
                raise RuntimeError("libsoxr produced more frames than its capacity bound")

    def flush(self) -> np.ndarray:
        return self._drain(None)
