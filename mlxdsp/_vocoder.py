"""Phase-vocoder time stretching and pitch shifting (librosa.phase_vocoder / effects.time_stretch /
effects.pitch_shift), vectorised over frames: the per-frame phase accumulation is a cumulative sum."""

from __future__ import annotations

import contextlib
import fractions
import functools
import itertools
import math
import typing

import mlx.core as mx
import numpy as np

from . import _checks, _framing, _parallel
from ._complex_views import as_real
from ._errors import ParameterError
from ._frames import fit_length, frame_rows, pad_signal
from ._griffinlim import _round_trip
from ._resample import _fft_resample, resample
from ._stft import _geometry, _inverse_rfft, istft, stft
from ._typing import PadMode, ResampleMethod
from ._window import analysis_window

__all__ = ["phase_vocoder", "pitch_shift", "time_stretch"]


# Outputs per block of the blocked prefix product (see _prefix_product).
_SCAN_BLOCK = 8
# Intermediate bytes per frequency bin and output step in _vocoder_steps (measured graph, rounded up).
_BYTES_PER_BIN_STEP = 100
# Bins per piece of the vocoder: intermediates up to 4 x _parallel.PIECE_BYTES. Narrow pieces pay MLX's
# per-op cost many times over (the blocked prefix product is ~100 small ops): at 10 s, 22.05 kHz, n_fft
# 2048 (513 steps), one piece per half of the bins took 11-15 ms for pitch_shift(+3) against 17-19 ms in
# four (quiet 2 cores); at 60 s the piece width made no clear difference.
_PIECE_BYTES = 4 * _parallel.PIECE_BYTES


@mx.compile
def _unit_phasors(Dt: mx.array):
    """|D| and the real/imaginary parts of D / |D| (1 where D == 0, whose angle is 0). The parts are
    read through an interleaved float view (mx.real/mx.imag copy)."""
    pairs = as_real(Dt)
    re, im = pairs[..., 0::2], pairs[..., 1::2]
    r2 = re * re + im * im
    nz = r2 > 0
    mag = mx.sqrt(mx.where(nz, r2, 1.0))  # no sqrt at 0: its derivative would make NaN tangents
    inv = 1.0 / mag
    return mx.where(nz, mag, 0.0), mx.where(nz, re * inv, 1.0), im * inv


def _chain(re, im):
    """Inclusive running product along axis -2 by an unrolled chain (short axes)."""
    n = re.shape[-2]
    if n <= 1:
        return re, im
    rows_re, rows_im = mx.split(re, n, axis=-2), mx.split(im, n, axis=-2)  # one primitive each
    out_re, out_im = [rows_re[0]], [rows_im[0]]
    for j in range(1, n):
        a_re, a_im = out_re[-1], out_im[-1]
        b_re, b_im = rows_re[j], rows_im[j]
        out_re.append(a_re * b_re - a_im * b_im)
        out_im.append(a_re * b_im + a_im * b_re)
    return mx.concatenate(out_re, axis=-2), mx.concatenate(out_im, axis=-2)


def _prefix_product(re, im):
    """Inclusive running product of complex numbers (real and imaginary parts) along axis -2: products
    inside blocks of _SCAN_BLOCK by unrolled chains, the blocks' totals scanned recursively, applied
    back. Real arithmetic only (complex products and ``cumprod`` are slow on the CPU), each output
    the result of O(log n) rounded products instead of n."""
    n = re.shape[-2]
    if n <= _SCAN_BLOCK:
        return _chain(re, im)
    blocks = -(-n // _SCAN_BLOCK)
    if n % _SCAN_BLOCK:
        pad = [(0, 0)] * (re.ndim - 2) + [(0, blocks * _SCAN_BLOCK - n), (0, 0)]
        re, im = mx.pad(re, pad, constant_values=1.0), mx.pad(im, pad)
    shape = (*re.shape[:-2], blocks, _SCAN_BLOCK, re.shape[-1])
    re, im = re.reshape(shape), im.reshape(shape)
    l_re, l_im = _chain(re, im)  # each block's own running product
    t_re, t_im = _prefix_product(l_re[..., -1, :], l_im[..., -1, :])  # [..., blocks, F]
    # exclusive: block b is multiplied by the product of blocks < b
    shift = [(0, 0)] * (t_re.ndim - 2) + [(1, 0), (0, 0)]
    e_re = mx.pad(t_re[..., :-1, :], shift, constant_values=1.0)[..., None, :]
    e_im = mx.pad(t_im[..., :-1, :], shift)[..., None, :]
    p_re, p_im = l_re * e_re - l_im * e_im, l_re * e_im + l_im * e_re
    flat = (*re.shape[:-3], blocks * _SCAN_BLOCK, re.shape[-1])
    p_re, p_im = p_re.reshape(flat), p_im.reshape(flat)
    return (p_re[..., :n, :], p_im[..., :n, :]) if n % _SCAN_BLOCK else (p_re, p_im)


@mx.compile
def _frame_increments(Dt: mx.array):
    """Frame-major [..., R, F] spectrum -> |D| [..., R, F] and the phase increments ``u(D[k + 1])
    conj(u(D[k]))`` [..., R, F] (real, imaginary), row 0 holding u(D[0]) itself (the first step's
    phase): computed once per frame, before the steps gather them."""
    mag, u_re, u_im = _unit_phasors(Dt)
    a_re, a_im, b_re, b_im = (
        u_re[..., :-1, :],
        u_im[..., :-1, :],
        u_re[..., 1:, :],
        u_im[..., 1:, :],
    )
    inc_re = mx.concatenate([u_re[..., :1, :], b_re * a_re + b_im * a_im], axis=-2)
    inc_im = mx.concatenate([u_im[..., :1, :], b_im * a_re - b_re * a_im], axis=-2)
    return mag, inc_re, inc_im


@mx.compile
def _vocoder_steps(mag, inc_re, inc_im, idx0, idx1, jdx, alpha):
    """|D| and frame increments (:func:`_frame_increments`) -> [..., len(idx0), F] stretched spectrum:
    step t's increment is row ``jdx[t]`` (0, then 1 + idx0[t - 1]; jdx may run on, see _step_indices)."""
    n = alpha.shape[0]
    m0, m1 = mx.take(mag, idx0, axis=-2), mx.take(mag, idx1, axis=-2)
    p_re, p_im = _prefix_product(mx.take(inc_re, jdx, axis=-2), mx.take(inc_im, jdx, axis=-2))
    if p_re.shape[-2] != n:
        p_re, p_im = p_re[..., :n, :], p_im[..., :n, :]
    # |p| stays within ~1e-6 of 1 (O(log n) rounded products per output): not renormalised
    scale = (1.0 - alpha) * m0 + alpha * m1
    return p_re * scale + 1j * (p_im * scale)  # one fused pass when compiled


def _phase_vocoder(D: mx.array, rate: float) -> mx.array:
    """[..., n_freq, frames] -> [..., n_freq, ceil(frames / rate)] (see phase_vocoder's Notes)."""
    Dt = mx.pad(mx.swapaxes(D, -1, -2), [(0, 0)] * (D.ndim - 2) + [(0, 2), (0, 0)])
    return mx.swapaxes(_vocoder_rows(Dt, D.shape[-1], rate), -1, -2)


@functools.lru_cache(maxsize=64)
def _step_indices(n_frames: int, rate: float, rows: int):
    """Interpolation weights [steps, 1] and the frame rows that the vocoder's steps gather (magnitudes at
    idx0 and idx1, increments at jdx), built once per geometry. Increments are gathered to a whole number
    of prefix-product blocks (no padding copy there): the extra rows are the last frame row, the (1, 0)
    increment between the two appended zero frames, and their products are dropped."""
    steps = np.arange(0, n_frames, rate, dtype=np.float64)
    i0 = np.floor(steps).astype(np.int32)
    alpha = mx.array((steps - i0).astype(np.float32))[:, None]
    extra = -steps.size % _SCAN_BLOCK if steps.size > _SCAN_BLOCK else 0
    last = np.full(extra, rows - 1, dtype=np.int32)
    first = np.concatenate([[0], i0[:-1] + 1])[: steps.size]  # step t: 0, then 1 + i0[t - 1]
    jdx = mx.array(np.concatenate([first, last]).astype(np.int32))
    return alpha, mx.array(i0), mx.array(i0 + 1), jdx


def _vocoder_rows(Dt: mx.array, n_frames: int, rate: float) -> mx.array:
    """Frame-major vocoder: [..., n_frames + 2, F] (two zero frames appended) -> [..., steps, F]. On the
    CPU the two halves of the frequency bins run on two streams."""
    parts = _vocoder_parts(lambda lo, hi: Dt[..., lo:hi], Dt.shape, n_frames, rate)
    return parts[0] if len(parts) == 1 else mx.concatenate(parts, axis=-1)


def _vocoder_row_halves(frames: list[mx.array], rate: float) -> tuple[mx.array, mx.array]:
    """The vocoder of a mono STFT given as two halves of frame-major rows [h_i, F] (:func:`_stft_rows`)
    -> the two halves of its steps' rows (for :func:`_istft_rows`). Each stream joins its bins of the two
    halves (and two zero frames), and then the two halves of the steps' rows, so that no join runs alone on
    one stream (joining the whole [steps, F] result took 2.5 ms of one stream at 10 s)."""
    n_frames, n_bins = sum(f.shape[-2] for f in frames), frames[0].shape[-1]

    def columns(lo, hi):
        zeros = mx.zeros((2, hi - lo), dtype=frames[0].dtype)
        return mx.concatenate([f[..., lo:hi] for f in frames] + [zeros], axis=-2)

    parts = _vocoder_parts(columns, (n_frames + 2, n_bins), n_frames, rate)
    n_steps = parts[0].shape[-2]
    h = n_steps // 2
    if len(parts) == 1 or not _parallel.two_streams_allowed(
        (n_frames + 2) * n_bins
    ):  # as _vocoder_parts
        whole = parts[0] if len(parts) == 1 else mx.concatenate(parts, axis=-1)
        return whole[:h], whole[h:]
    halves = []
    for stream, (a, b) in zip(_streams(), ((0, h), (h, n_steps)), strict=True):
        with mx.stream(stream):
            halves.append(mx.concatenate([p[a:b] for p in parts], axis=-1))
    return halves[0], halves[1]


def _vocoder_parts(columns, shape, n_frames: int, rate: float) -> list[mx.array]:
    """Stretched spectra [..., steps, hi - lo] of the bins [lo, hi) of a frame-major [..., n_frames + 2, F]
    spectrum of ``shape`` (``columns(lo, hi)`` gives them), in pieces of bins; on the CPU the two halves of
    the bins on two streams."""
    alpha, idx0, idx1, jdx = _step_indices(n_frames, rate, shape[-2])
    n_steps = alpha.shape[0]
    n_bins = shape[-1]
    # Bins in pieces whose intermediates (~100 bytes per bin and step) stay under _PIECE_BYTES, so that long
    # signals do not page-fault fresh intermediates on every call.
    per_piece = max(16, _PIECE_BYTES // (_BYTES_PER_BIN_STEP * max(1, n_steps)))
    halves = _parallel.two_streams_allowed(math.prod(shape)) and n_bins >= 64
    bounds = ((0, n_bins // 2), (n_bins // 2, n_bins)) if halves else ((0, n_bins),)
    streams = _streams() if halves else (None,)
    parts = []
    for stream, (a, b) in zip(streams, bounds, strict=True):
        with mx.stream(stream) if stream is not None else contextlib.nullcontext():
            count = -(
                -(b - a) // per_piece
            )  # equal pieces: their buffers are reused, not re-faulted
            edges = [a + (b - a) * i // count for i in range(count + 1)]
            for lo, hi in itertools.pairwise(edges):
                increments = _frame_increments(columns(lo, hi))
                parts.append(_vocoder_steps(*increments, idx0, idx1, jdx, alpha))
    return parts


# A mono signal's STFT/iSTFT runs in two halves of frames from this length (3 s at 22.05 kHz: a few ms of
# FFTs per half against tens of microseconds of stream scheduling).
_MIN_FRAME_HALVES_SAMPLES = 1 << 16


class _Halves(typing.NamedTuple):
    """Geometry of a mono STFT / iSTFT computed in two halves of frames on two CPU streams."""

    n_fft: int
    hop: int
    window: mx.array
    window64: np.ndarray  # the window in float64, for the overlap-add envelope


def _halves_plan(fn, y, n_fft, hop_length, win_length, window, center) -> _Halves | None:
    """Where a mono signal's STFT and iSTFT run in two halves of frames (the generic stft/istft, which
    also reject bad options, otherwise)."""
    if (
        y.ndim != 1
        or not _parallel.two_streams_allowed(y.size, _MIN_FRAME_HALVES_SAMPLES)
        or not isinstance(center, bool)
    ):
        return None
    try:
        n_fft, hop, win_length = _geometry(fn, n_fft, hop_length, win_length)
        w, w64 = analysis_window(fn, window, win_length, n_fft)
    except ParameterError:
        return None
    if w64 is None or n_fft % hop or not _framing.nola_holds(w64**2, hop):
        return None
    return _Halves(n_fft, hop, w, w64)


def _stft_rows(y, plan: _Halves, center, pad_mode) -> list[mx.array]:
    """Frame-major STFT as two halves of frames [h_i, F] computed on two streams: each half is the
    un-centred STFT of its slice of the padded signal (bit-identical)."""
    n_fft, hop = plan.n_fft, plan.hop
    left, right = _framing.center_padding(n_fft) if center else (0, 0)
    padded = pad_signal("stft", y, left, right, pad_mode) if center else y
    count = _framing.n_frames("stft", padded.shape[-1], n_fft, hop)
    h = count // 2
    pieces = (padded[: (h - 1) * hop + n_fft], padded[h * hop : (count - 1) * hop + n_fft])
    parts = []
    for stream, piece in zip(_streams(), pieces, strict=True):
        with mx.stream(stream):
            rows = frame_rows(piece, n_fft, hop, piece.shape[-1] // hop - n_fft // hop + 1)
            parts.append(mx.fft.rfft(rows * plan.window, axis=-1))
    return parts


def _istft_rows(halves, plan: _Halves, center, length):
    """iSTFT of frame-major rows given as two halves [h_i, F] (trimmed and fitted to ``length``): inverse
    FFTs and overlap-adds of the halves on two streams, joined where they overlap."""
    n_fft, hop = plan.n_fft, plan.hop
    r, h, count = n_fft // hop, halves[0].shape[0], halves[0].shape[0] + halves[1].shape[0]
    blocks_of = _round_trip(r, hop, "blocks")
    blocks = []
    for stream, rows in zip(_streams(), halves, strict=True):
        with mx.stream(stream):
            blocks.append(blocks_of(_inverse_rfft(rows, n_fft), plan.window))
    first, second = blocks
    parts = [first[:h], second[: r - 1] + first[h:], second[r - 1 :]] if r > 1 else blocks
    scale = _inverse_envelope(plan.window64.tobytes(), hop, count)
    y = (mx.concatenate(parts, axis=0) * scale).reshape(-1)
    start, stop = _framing.istft_trim(count, n_fft, hop, center)
    if length is not None:
        stop = min(start + length, y.shape[-1])
    return fit_length(y[start:stop], length)


@functools.lru_cache(maxsize=16)
def _inverse_envelope(window64: bytes, hop: int, count: int) -> mx.array:
    """[blocks, hop] float32 reciprocal overlap-add envelope (built in NumPy, ~1-2 ms: once per geometry)."""
    window = np.frombuffer(window64, dtype=np.float64)
    return mx.array(_framing.inverse_envelope(window, hop, count).reshape(-1, hop))


def _streams():
    return mx.default_stream(mx.cpu), _parallel.second_stream()


def phase_vocoder(
    D: mx.array, *, rate: float, hop_length: int | None = None, n_fft: int | None = None
) -> mx.array:
    """Speed up (``rate > 1``) or slow down a complex STFT by ``rate`` (librosa.phase_vocoder).

    Parameters
    ----------
    D : mx.array [shape=(..., n_freq, n_frames)], complex64
    rate : float > 0
    hop_length : int, optional   default ``n_fft // 4``
    n_fft : int, optional        default ``2 * (n_freq - 1)``

    Returns
    -------
    mx.array [shape=(..., n_freq, ceil(n_frames / rate))], complex64

    Notes
    -----
    librosa advances each bin's phase by ``phi + wrap(angle(D[t+1]) - angle(D[t]) - phi)`` with
    ``phi = 2 pi hop_length k / n_fft``: modulo 2 pi that is ``angle(D[t+1]) - angle(D[t])`` whatever
    ``phi`` is. Here the output phasor is the running product of the unit phasors
    ``u(D[t+1]) conj(u(D[t]))`` (``u = D / |D|``, 1 where ``D == 0``), with no trigonometry and no phase
    wrapping, so ``hop_length`` and ``n_fft`` are validated but do not change the result, and the map is
    smooth where ``D != 0``. Against librosa in float64 this is more accurate than accumulating float32
    phases (measured 1e-6 relative where a float32 phase sum reaches 1e-4 over 10 s).

    Transforms: compile, grad, jvp, vmap (``rate`` is a plain float: it sets the output shape).

    Examples
    --------
    >>> import mlx.core as mx, mlxdsp
    >>> D = mlxdsp.stft(mx.random.normal((8000,)), n_fft=512)
    >>> mlxdsp.phase_vocoder(D, rate=2.0).shape
    (257, 32)
    """
    fn = "phase_vocoder"
    D = _checks.complex_spectrum(fn, "D", D)
    rate = _checks.positive_number(fn, "rate", rate)
    n_fft = 2 * (D.shape[-2] - 1) if n_fft is None else _checks.positive_int(fn, "n_fft", n_fft)
    hop_length = (
        n_fft // 4 if hop_length is None else _checks.positive_int(fn, "hop_length", hop_length)
    )
    return _phase_vocoder(D, rate)


def time_stretch(
    y: mx.array,
    *,
    rate: float,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
) -> mx.array:
    """Change duration by ``1 / rate`` keeping the pitch (librosa.effects.time_stretch): STFT, phase vocoder,
    iSTFT to ``round(n / rate)`` samples. ``pad_mode`` defaults to librosa 0.11's "constant".

    On the CPU, a mono signal of 65536 samples or more runs on two streams throughout: the STFT and
    iSTFT in two halves of frames (the iSTFT's halves joined where their overlap-adds meet), the vocoder
    in two halves of the frequency bins (``MLXDSP_CPU_STREAMS=0``: one stream).

    Transforms: compile, grad, jvp, vmap.
    """
    fn = "time_stretch"
    y = _checks.real_signal(fn, "y", y)
    rate = _checks.positive_number(fn, "rate", rate)
    kw = dict(
        n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center
    )
    out_length = int(round(y.shape[-1] / rate))
    plan = _halves_plan(fn, y, n_fft, hop_length, win_length, window, center)
    if plan is not None:  # each half of the input and of the stretched frames must span a seam
        padding = 2 * (plan.n_fft // 2) if center else 0
        frames = 1 + (y.shape[-1] + padding - plan.n_fft) // plan.hop
        if min(frames, np.arange(0, frames, rate).size) < 4 * (plan.n_fft // plan.hop):
            plan = None
    if plan is None or pad_mode not in typing.get_args(PadMode):
        D = stft(y, pad_mode=pad_mode, **kw)
        return istft(_phase_vocoder(D, rate), length=out_length, **kw)
    frames = _stft_rows(y.astype(mx.float32), plan, center, pad_mode)
    return _istft_rows(_vocoder_row_halves(frames, rate), plan, center, out_length)


# Pitch error allowed when a smaller fraction makes the resampler cheaper: the worst error of the
# denominator-1000 approximations over the semitones -12..12 (0.026 cent at +-9; hearing resolves ~5 cents).
PITCH_TOLERANCE_CENTS = 0.03


def rational_rate(
    rate: float, max_denominator: int = 1000, cents: float | None = None
) -> tuple[int, int]:
    """(p, q) with p / q ~ rate, denominators bounded so that resampling filters stay small. With
    ``cents``, the fraction of smallest denominator (tried at 4, 8, 16, ...) whose pitch error is within
    ``cents``: a resampler with p phases costs about p times one with a single phase."""
    frac = fractions.Fraction(rate).limit_denominator(max_denominator)
    if cents is not None:
        bound = 4
        while bound < max_denominator:
            small = fractions.Fraction(rate).limit_denominator(bound)
            if abs(1200 * math.log2(small / rate)) <= cents:
                frac = small
                break
            bound *= 2
    return frac.numerator, frac.denominator


def pitch_shift(
    y: mx.array,
    *,
    sr: int,
    n_steps: float,
    bins_per_octave: int = 12,
    method: ResampleMethod = "hq",
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
) -> mx.array:
    """Shift the pitch by ``n_steps`` of ``1 / bins_per_octave`` octave, keeping the duration
    (librosa.effects.pitch_shift): time-stretch by ``rate = 2 ** (-n_steps / bins_per_octave)``, resample by
    ``rate`` approximated by a fraction p / q, fix the length.

    ``method`` is :func:`resample`'s; ``"fft"`` matches librosa's ``res_type="fft"``.

    Notes
    -----
    librosa resamples by the exact ratio (soxr takes a real ratio). ``"fft"`` does too (the DFT resampling
    to librosa's output length ``ceil(n * rate)``). The polyphase resamplers need a fraction: the one of
    smallest denominator whose pitch error is within ``PITCH_TOLERANCE_CENTS`` (0.03 cent, the worst error
    of the denominator-1000 fractions over the semitones): +3 semitones resamples by 37/44 instead of
    835/993, about 3x cheaper. The tempo then differs from librosa's by the same ratio (<= 1.7e-5).

    Transforms: compile, grad, jvp, vmap.
    """
    fn = "pitch_shift"
    y = _checks.real_signal(fn, "y", y)
    _checks.positive_int(fn, "sr", sr)
    n_steps = _checks.real_number(fn, "n_steps", n_steps)
    bins_per_octave = _checks.positive_int(fn, "bins_per_octave", bins_per_octave)
    rate = 2.0 ** (-n_steps / bins_per_octave)
    stretched = time_stretch(
        y,
        rate=rate,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
    )
    if method == "fft":
        # librosa's length: ceil(n * ratio) for its float ratio sr / (sr / rate); a fraction's length can
        # differ by a sample, which re-times the whole DFT resampling (0.1-0.2 relative error at 10 s)
        n_out = math.ceil(stretched.shape[-1] * (float(sr) / (float(sr) / rate)))
        shifted = stretched if n_out == stretched.shape[-1] else _fft_resample(stretched, n_out)
    else:
        p, q = rational_rate(rate, cents=PITCH_TOLERANCE_CENTS)
        shifted = resample(stretched, orig_sr=q, target_sr=p, method=method)
    n = y.shape[-1]
    if shifted.shape[-1] >= n:
        return shifted[..., :n]
    return mx.pad(shifted, [(0, 0)] * (shifted.ndim - 1) + [(0, n - shifted.shape[-1])])
