"""librosa.util: ``frame``."""

from __future__ import annotations

import mlx.core as mx

import mlxdsp


def frame(
    x,
    *,
    frame_length: int,
    hop_length: int,
    axis: int = -1,
    writeable: bool = False,
    subok: bool = False,
) -> mx.array:
    """librosa.util.frame for ``axis=-1``: [..., frame_length, n_frames] (``writeable``/``subok`` have
    no meaning for an ``mx.array`` result: a new array, never a view)."""
    if axis != -1:
        raise mlxdsp.ParameterError(
            f"[compat.librosa.util.frame] axis={axis!r} is not supported (use -1)"
        )
    return mlxdsp.frame(x, frame_length=frame_length, hop_length=hop_length)
