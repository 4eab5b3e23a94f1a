"""Audio file I/O (placeholder until the I/O work lands)."""

from __future__ import annotations

from typing import NamedTuple


class AudioInfo(NamedTuple):
    frames: int
    sample_rate: int
    channels: int
    duration: float
    format: str
    subtype: str


def _missing(*args, **kwargs):
    raise NotImplementedError("mlxdsp audio file I/O is not built yet")


load = save = info = stream = batch_load = _missing
