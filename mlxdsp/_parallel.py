"""Two-core CPU parallelism for batched pipelines through MLX streams.

MLX's CPU operations run single-threaded, one stream per thread. A pipeline whose output is much smaller
than its intermediates (mel spectrograms: the FFT and the power spectrum are discarded) runs on two CPU
streams, one half of the batch each, and pays only for concatenating the small outputs: measured 1.7x on
mel_spectrogram at 4 x 160000 on the project's 2-core machine. Results are bit-identical (the same ops on
the same rows). ``MLXDSP_CPU_STREAMS=0`` turns it off; it never applies on a GPU.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

import mlx.core as mx

# Below this many input samples the second stream's scheduling costs more than it saves.
MIN_SAMPLES = 1 << 18


@functools.lru_cache(maxsize=1)
def _second_stream() -> mx.Stream:
    return mx.new_stream(mx.cpu)


def _applies(x: mx.array) -> bool:
    if os.environ.get("MLXDSP_CPU_STREAMS", "1") == "0" or mx.default_device() != mx.cpu:
        return False
    return x.ndim >= 2 and x.size >= MIN_SAMPLES and x.size // x.shape[-1] >= 2


def batch_halves(fn: Callable[[mx.array], mx.array], x: mx.array) -> mx.array:
    """``fn(x)`` for ``fn`` mapping [B, ...] to [B, ...] row by row, the two halves of the flattened
    leading dims computed on two CPU streams when that pays off."""
    if not _applies(x):
        return fn(x)
    lead = x.shape[:-1]
    flat = x.reshape(-1, x.shape[-1])
    half = flat.shape[0] // 2
    first = fn(flat[:half])
    with mx.stream(_second_stream()):
        second = fn(flat[half:])
    out = mx.concatenate([first, second], axis=0)
    return out.reshape(*lead, *out.shape[1:])
