"""A single long row's frame-wise work in pieces of frames on two CPU streams.

Frames are independent, so the STFT of one long signal (and any frame-wise map of it) can run in pieces
of frames alternating over two CPU streams (MLX runs each on its own thread); each piece's frames are
taken by phases when the hop divides n_fft (no framing copy), and only the small per-frame results are
joined. Every frame sees the same samples and operations as in one pass: bit-identical. Pieces keep their
intermediates small enough for MLX's buffer cache to reuse them (at 180 s a spectrum-sized intermediate
is a fresh 32 MB mapping whose pages fault on every call). Used by the descriptors, chroma_stft and
onset_strength.
"""

from __future__ import annotations

import typing

import mlx.core as mx

from . import _parallel
from ._errors import ParameterError
from ._fft import rfft_rows
from ._frames import pad_signal
from ._spectrum import magnitude_from_power, power_of, reduced_spectrogram
from ._stft import _geometry as _stft_geometry
from ._stft import cpu_frame_geometry, stft
from ._typing import PadMode
from ._window import analysis_window


def padded_slice(x: mx.array, a: int, b: int, left: int, right: int, mode: str) -> mx.array:
    """``pad_signal(x, left, right, mode)[..., a:b]`` without padding (copying) all of ``x``: interior
    slices are views of ``x``; an edge slice pads only a stretch of ``x`` long enough to reflect."""
    length = x.shape[-1]
    lo, hi = a - left, b - left
    if lo >= 0 and hi <= length:
        return x[..., lo:hi]
    pad_lo, pad_hi = max(0, -lo), max(0, hi - length)
    # reflect reads pad_lo + 1 samples from the start and pad_hi + 1 from the end.
    start = min(max(lo, 0), max(0, length - 1 - pad_hi))
    stop = max(min(hi, length), min(length, pad_lo + 1))
    padded = pad_signal("stft", x[..., start:stop], pad_lo if start == 0 else 0,
                        pad_hi if stop == length else 0, mode)  # fmt: skip
    offset = (pad_lo if start == 0 else 0) + lo - start
    return padded[..., offset : offset + (b - a)]


def frame_plan(x, n_fft, hop_length, win_length, center, scale=1):
    """(left, right, hop, n_frames, [(first, last), ...]) for a CPU STFT in pieces of frames, or None
    where one piece does (GPU, short input, options that stft itself must reject).

    Pieces keep a piece's frames and spectrum under ``_parallel.PIECE_BYTES`` (their buffers are then
    reused, not page-faulted afresh) and alternate over two CPU streams: the frames of even a single
    row are independent, so both cores work on it. ``scale``: the piece's frames are processed that
    many at a time (:func:`phase_spectra`), so pieces may hold that many times the frames."""
    geometry = cpu_frame_geometry(x, n_fft, hop_length, win_length, center)
    if geometry is None or x.size != x.shape[-1]:
        return None  # batches: _parallel.batch_halves splits the rows (reduced_spectrogram)
    n_fft, left, right, hop, count = geometry
    per_piece = max(1, _parallel.PIECE_BYTES // (8 * n_fft)) * scale
    pieces = _piece_bounds(count, per_piece, len(_parallel.cpu_streams(x)) > 1)
    return None if pieces is None else (left, right, hop, count, pieces)


def _piece_bounds(count: int, per_piece: int, two: bool) -> list[tuple[int, int]] | None:
    """[(first, last), ...]: ``count`` frames in near-equal pieces of about ``per_piece``, an even number
    of them on ``two`` streams (both get the same number of frames, at least two pieces); None where one
    stream would do it in one piece."""
    if two:
        per_piece = min(per_piece, -(-count // 2))
    elif count <= per_piece + per_piece // 2:
        return None
    n_pieces = max(1, round(count / per_piece))
    n_pieces += n_pieces % 2 if two else 0
    bounds = [count * k // n_pieces for k in range(n_pieces + 1)]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def in_frame_pieces(x, per_piece, *, n_fft, hop_length, win_length, center, pad_mode, scale=1):
    """``per_piece(stretch)`` for each piece of :func:`frame_plan`, concatenated along the last axis, or
    None when no plan applies (the caller then makes one call). ``per_piece`` maps an un-centred stretch
    of the padded signal to its frame-wise result [..., k, frames] (the frames that stretch holds), so
    the result is bit-identical to the frame-wise function of the whole (centred) signal."""
    if not isinstance(pad_mode, str) or pad_mode not in typing.get_args(PadMode):
        return None
    plan = frame_plan(x, n_fft, hop_length, win_length, center, scale)
    if plan is None:
        return None
    left, right, hop, _, pieces = plan
    streams = _parallel.cpu_streams(x)
    parts = []
    for k, (first, last) in enumerate(pieces):
        with _parallel.on_stream(streams[k % len(streams)]):
            stretch = padded_slice(x, first * hop, (last - 1) * hop + n_fft, left, right, pad_mode)
            parts.append(per_piece(stretch))
    return mx.concatenate(parts, axis=-1)


def phase_spectra(stretch: mx.array, window: mx.array, n_fft: int, hop: int, per_spectrum):
    """``per_spectrum(stft(stretch, center=False))`` for ``n_fft = r * hop`` without framing copies.

    Frames j, j + r, j + 2r, ... of the stretch (phase j) are consecutive, non-overlapping runs of n_fft
    samples: a reshape of a contiguous slice, windowed on the way into the rFFT. ``per_spectrum`` (a
    frame-wise map of a complex spectrum in stft's layout [..., n_freq, frames] to [..., k, frames]) runs
    on each phase; only its small outputs are interleaved back into frame order. Bit-identical to
    framing (the same products and row FFTs); saves the framing copy (0.9 ms of 2.8 per 516 frames of
    2048 every 512)."""
    r = n_fft // hop
    count = (stretch.shape[-1] - n_fft) // hop + 1
    lead = stretch.shape[:-1]
    outs = []
    for j in range(min(r, count)):
        m = -(-(count - j) // r)
        rows = stretch[..., j * hop : j * hop + m * n_fft].reshape(*lead, m, n_fft)
        outs.append(per_spectrum(mx.swapaxes(rfft_rows(rows * window), -1, -2)))
    if len(outs) == 1:
        return outs[0]
    m0 = outs[0].shape[-1]
    widths = [(0, 0)] * (outs[0].ndim - 1)
    outs = [o if o.shape[-1] == m0 else mx.pad(o, widths + [(0, m0 - o.shape[-1])]) for o in outs]
    merged = mx.stack(outs, axis=-1)
    return merged.reshape(*merged.shape[:-2], m0 * len(outs))[..., :count]


# Frames per piece may be this many times more with phases (each phase holds 1 / r of them).
_MAX_PHASES = 8


def spectra_in_pieces(
    x, per_spectrum, *, n_fft, hop_length, win_length, window, center, pad_mode, wide=False
):
    """``per_spectrum(stft(x, ...))`` for a frame-wise ``per_spectrum`` (complex [..., n_freq, frames]
    -> [..., k, frames]) of a single long row: pieces of frames on two CPU streams
    (:func:`in_frame_pieces`), each piece's frames by phases (:func:`phase_spectra`) when the hop
    divides n_fft. None where no plan applies (the caller then makes one call).

    Pieces hold the frames of one piece of the framed path (phases of 1 / r of them), or with ``wide``
    r times as many (phases as large as those pieces). Measured at 180 s, 2048 / 512: wide pieces keep
    more bytes alive than MLX's buffer cache holds (16-25k page faults per call: rolloff, flatness,
    chroma 50-60 ms of CPU more); narrow ones cost more op dispatches, which the many small
    selections of spectral_contrast (150 against 185 ms of CPU) and the banded mel projection of
    onset_strength (77 against 97 ms) feel."""
    options = dict(n_fft=n_fft, hop_length=hop_length, win_length=win_length)
    try:
        n_fft, hop, win = _stft_geometry("stft", n_fft, hop_length, win_length)
    except ParameterError:
        return None
    r = n_fft // hop
    if n_fft % hop == 0 and r <= _MAX_PHASES:
        w, _ = analysis_window("stft", window, win, n_fft)
        x = x.astype(mx.float32)  # as stft (no copy for float32)

        def per_piece(stretch):
            return phase_spectra(stretch, w, n_fft, hop, per_spectrum)

        scale = r if wide else 1
        return in_frame_pieces(
            x, per_piece, center=center, pad_mode=pad_mode, scale=scale, **options
        )

    def per_piece(stretch):
        return per_spectrum(stft(stretch, window=window, center=False, **options))

    return in_frame_pieces(x, per_piece, center=center, pad_mode=pad_mode, **options)


def reduced_spectrogram_in_pieces(
    x, reduce, *, n_fft, hop_length, win_length, window, center, pad_mode, power, wide=False
) -> mx.array:
    """``reduce(|stft(x)| ** power)`` for a frame-wise ``reduce`` ([..., n_freq, frames] ->
    [..., k, frames]): a single long row by :func:`spectra_in_pieces`, batches through
    ``_spectrum.reduced_spectrogram``."""
    options = dict(n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window)
    out = spectra_in_pieces(
        x, lambda X: reduce(magnitude_from_power(power_of(X), power)), center=center,
        pad_mode=pad_mode, wide=wide, **options,
    )  # fmt: skip
    if out is None:
        out = reduced_spectrogram(
            x, reduce, center=center, pad_mode=pad_mode, power=power, **options
        )
    return out


def frames_in_pieces(S: mx.array, reduce) -> mx.array:
    """``reduce(S)`` for a frame-wise ``reduce`` ([..., n_freq, n_frames] -> [..., k, n_frames]) of a
    given spectrogram, on the CPU in pieces of frames under ``_parallel.PIECE_BYTES`` alternating over
    two CPU streams (bit-identical: the same ops on each frame). A whole 180 s spectrogram's
    intermediates are 32 MB buffers that fault in afresh on every call."""
    if mx.default_device() != mx.cpu or S.ndim < 2 or S.shape[-1] < 2:
        return reduce(S)
    count = S.shape[-1]
    # A reduction keeps a few spectrum-sized float32 intermediates alive (flatness: the floored power,
    # the ratios, their logs): pieces of a quarter of PIECE_BYTES each. With 2046 frames of 1025 bins,
    # 180 s of spectral_flatness faulted 17k pages per call (60 ms of CPU; 512 frames: ~25 ms).
    per_piece = max(1, _parallel.PIECE_BYTES // (16 * (S.size // count)))
    streams = _parallel.cpu_streams(S)
    pieces = _piece_bounds(count, per_piece, len(streams) > 1)
    if pieces is None:
        return reduce(S)
    parts = []
    for k, (first, last) in enumerate(pieces):
        with _parallel.on_stream(streams[k % len(streams)]):
            parts.append(reduce(S[..., first:last]))
    return mx.concatenate(parts, axis=-1)
