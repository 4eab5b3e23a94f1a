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
        return self._drain(np.ascontiguousarray(x, dtype=np.float32))

    def flush(self) -> np.ndarray:
        return self._drain(None)
