"""Framing geometry: frame counts, padding widths, output lengths and window envelopes.

Plain integer (and float64 NumPy) code: no MLX arrays, testable on its own.
"""

from __future__ import annotations

import functools

import numpy as np

from ._errors import ParameterError

# Below this, the squared-window envelope is treated as zero (torch.istft uses 1e-11, SciPy 1e-10).
NOLA_TOLERANCE = 1e-10
# Where the overlap-added squared window is below this, iSTFT leaves samples unscaled (librosa's choice).
SMALLEST_ENVELOPE = 1e-11


def n_frames(fn: str, length: int, frame_length: int, hop_length: int) -> int:
    """Frames of ``frame_length`` every ``hop_length`` that fit in ``length`` samples (no padding)."""
    if length < frame_length:
        raise ParameterError(
            f"[{fn}] input length {length} is shorter than the frame length {frame_length}"
        )
    return 1 + (length - frame_length) // hop_length


def center_padding(n_fft: int) -> tuple[int, int]:
    """torch/librosa ``center=True``: n_fft // 2 on both sides."""
    return n_fft // 2, n_fft // 2


def overlap_add_length(n_frames: int, frame_length: int, hop_length: int) -> int:
    return frame_length + hop_length * (n_frames - 1)


def istft_trim(n_frames: int, n_fft: int, hop_length: int, center: bool) -> tuple[int, int]:
    """(start, stop) of the signal inside the overlap-added frames when no ``length`` is given."""
    total = overlap_add_length(n_frames, n_fft, hop_length)
    if center:
        return n_fft // 2, total - n_fft // 2
    return 0, total


def blocks_per_frame(frame_length: int, hop_length: int) -> int:
    """How many hop-sized blocks span one frame: ceil(frame_length / hop_length)."""
    return -(-frame_length // hop_length)


def nola_holds(window_sq: np.ndarray, hop_length: int) -> bool:
    """Nonzero overlap-add: the squared window folded modulo hop is positive everywhere.

    Decided from the window alone (SciPy's ``check_NOLA``), so it holds for any signal length.
    """
    n = window_sq.shape[0]
    if hop_length > n:
        return False
    folded = np.zeros(hop_length)
    for start in range(0, n, hop_length):
        chunk = window_sq[start : start + hop_length]
        folded[: chunk.shape[0]] += chunk
    return bool(folded.min() > NOLA_TOLERANCE)


@functools.lru_cache(maxsize=128)
def _envelope_cached(window_bytes: bytes, n: int, hop_length: int, frames: int) -> np.ndarray:
    window_sq = np.frombuffer(window_bytes, dtype=np.float64, count=n)
    return _envelope(window_sq, hop_length, frames)


def _envelope(window_sq: np.ndarray, hop_length: int, frames: int) -> np.ndarray:
    n = window_sq.shape[0]
    r = blocks_per_frame(n, hop_length)
    pieces = np.zeros(r * hop_length)
    pieces[:n] = window_sq
    pieces = pieces.reshape(r, hop_length)
    blocks = np.zeros((frames + r - 1, hop_length))
    for k in range(r):  # r = ceil(n / hop) shifted copies, each vectorised over all frames
        blocks[k : k + frames] += pieces[k]
    env = blocks.reshape(-1)[: overlap_add_length(frames, n, hop_length)].copy()
    env.setflags(write=False)
    return env


def window_envelope(window: np.ndarray, hop_length: int, frames: int) -> np.ndarray:
    """Sum over frames of the shifted squared window: what iSTFT divides by (float64)."""
    window_sq = np.ascontiguousarray(window, dtype=np.float64) ** 2
    return _envelope_cached(window_sq.tobytes(), window_sq.shape[0], hop_length, frames)


def inverse_envelope(window: np.ndarray, hop_length: int, frames: int) -> np.ndarray:
    """float32 reciprocal of :func:`window_envelope`, 1 where the envelope is below SMALLEST_ENVELOPE."""
    env = window_envelope(window, hop_length, frames)
    big = env > SMALLEST_ENVELOPE
    return np.where(big, 1.0 / np.where(big, env, 1.0), 1.0).astype(np.float32)
