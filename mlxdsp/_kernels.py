"""GPU kernel dispatch: one entry point per fused stage, each falling back to its pure-MLX path.

The pure-MLX path is the CPU path and the reference. (GPU kernels land with issue 6.)
"""

from __future__ import annotations

import mlx.core as mx

from ._frames import frame_rows, overlap_add_rows


def windowed_frames(x: mx.array, window: mx.array, n_fft: int, hop_length: int, n_frames: int) -> mx.array:
    """[..., T] padded signal -> [..., n_frames, n_fft] frames times the window (STFT front end)."""
    return frame_rows(x, n_fft, hop_length, n_frames) * window


def overlap_add_scaled(rows: mx.array, window: mx.array, scale: mx.array, hop_length: int) -> mx.array:
    """[..., n_frames, n_fft] inverse-FFT rows -> window, overlap-add, times the envelope reciprocal."""
    return overlap_add_rows(rows * window, hop_length) * scale
