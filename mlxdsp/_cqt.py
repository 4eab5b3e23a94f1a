"""Constant-Q and variable-Q transforms (librosa 0.11's ``cqt``, ``vqt``, ``hybrid_cqt``, ``pseudo_cqt``,
``icqt``).

The multirate structure is librosa's: per octave (top first) an rFFT of rectangular frames of the
signal at the current rate is projected onto that octave's sparsified wavelet basis, and the signal is
decimated 2:1 before the next octave while the hop is even. The bases (and which coefficients survive
the sparsification) are librosa's, built in :mod:`mlxdsp._cqt_filters`. The 2:1 decimator is the only
free part: ``res_type="soxr_hq"`` (the default, as librosa) applies soxr's own HQ half-band FIR, measured
once and stored as 201 taps, through overlap-save FFT blocks; ``res_type="fft"`` is SciPy's Fourier
resampling (librosa's ``res_type="fft"``).

Measured against librosa 0.11 (float64 input; tests/test_cqt.py): cqt/vqt 4e-7 to 6e-7 relative in
librosa's default configuration, music- and speech-like signals; the same with every option that keeps
the decimation 2:1. Where librosa decimates early by 2**k >= 4 in one soxr call (few bins at a high sr)
this uses k half-band stages: 4e-7 for 4x, 2e-5 to 5e-5 for 16x-32x (first and last frames only, the
two filters' transition bands ring differently at the signal's hard edges). pseudo_cqt 1e-7 (float32
bound for very long FFTs: 7e-5, as librosa's own float32), hybrid_cqt 3e-7 to 2e-6. icqt: exact with an
odd hop or res_type="fft" (1e-7); with soxr_hq, librosa upsamples each octave by 2**k in one soxr call,
here k exact 1:2 stages (1e-4 to 5e-4 of the output).

Not offered: librosa's ``tuning=None`` (estimates from data; cannot trace), ``intervals`` other than
"equal", callable windows, ``norm`` of 0 or -inf, ``dtype`` (outputs are complex64/float32), res_type
other than "soxr_hq"/"fft"/"scipy".
"""

from __future__ import annotations

import contextlib
import functools

import mlx.core as mx
import numpy as np

from . import _checks, _cqt_filters, _framing, _parallel
from ._complex_views import as_complex, as_real
from ._errors import ParameterError
from ._frames import fit_length, frame_rows, overlap_add_rows, pad_signal
from ._mel import apply_filterbank
from ._resample import _fft_resample
from ._spectrum import magnitude_from_power
from ._typing import PadMode
from ._window import _window_mx

RES_TYPES = ("soxr_hq", "fft", "scipy")


def cqt_frequencies(n_bins: int, *, fmin: float, bins_per_octave: int = 12, tuning: float = 0.0):
    """Centre frequencies (Hz) of the constant-Q bins: ``fmin * 2 ** ((k + tuning) / bins_per_octave)``.

    Parameters
    ----------
    n_bins : int > 0
    fmin : float > 0
        Frequency of the lowest bin before tuning (Hz).
    bins_per_octave : int > 0
    tuning : float
        Deviation from ``fmin`` in fractions of a bin.

    Returns
    -------
    mx.array [shape=(n_bins,)], float32 (librosa returns float64 NumPy).

    Transforms: none apply (no array inputs).

    Examples
    --------
    >>> from mlxdsp._cqt import cqt_frequencies
    >>> [round(f, 2) for f in cqt_frequencies(3, fmin=440.0).tolist()]
    [440.0, 466.16, 493.88]
    """
    fn = "cqt_frequencies"
    n_bins = _checks.positive_int(fn, "n_bins", n_bins)
    fmin = _checks.positive_number(fn, "fmin", fmin)
    bins_per_octave = _checks.positive_int(fn, "bins_per_octave", bins_per_octave)
    tuning = _checks.real_number(fn, "tuning", tuning)
    freqs = _cqt_filters.cqt_frequencies_np(n_bins, fmin, bins_per_octave, tuning)
    return mx.array(freqs.astype(np.float32))


# ----------------------------------------------------------------------------------------------------
# 2:1 decimation
# ----------------------------------------------------------------------------------------------------


_BLOCK = 4096  # FFT size of the overlap-save blocks (batched small FFTs beat one long FFT on CPU)
# Largest intermediate per piece of work. MLX's CPU buffer cache holds 32 MiB by default; arrays beyond
# it are returned to the OS and every op then pays page faults (measured: 0.4 -> 5.5 ns per element
# at 32 MB). Long signals are therefore processed in pieces whose largest array stays near 1 MiB
# (180 s at 22.05 kHz: about 3x faster; 30 s: unchanged).
_PIECE_BYTES = 1 << 20


def _batch(x: mx.array) -> int:
    return int(np.prod(x.shape[:-1], dtype=np.int64)) if x.ndim > 1 else 1


def _span(y: mx.array, a: int, b: int, pad_mode: str) -> mx.array:
    """``padded[..., a:b]`` of the signal padded by ``pad_mode`` on both sides (``a`` may be negative,
    ``b`` beyond the end), without copying the whole padded signal. Needs len(y) > the padding used."""
    n = y.shape[-1]
    left, right = max(0, -a), max(0, b - n)
    parts = []
    if left:
        parts.append(pad_signal("cqt", y[..., : left + 1], left, 0, pad_mode)[..., :left])
    parts.append(y[..., max(a, 0) : min(b, n)])
    if right:
        parts.append(pad_signal("cqt", y[..., n - right - 1 :], 0, right, pad_mode)[..., -right:])
    return mx.concatenate(parts, axis=-1) if len(parts) > 1 else parts[0]


# Work (bytes of the largest intermediate) below which a stage is not split over two CPU streams.
_SPLIT_BYTES = 1 << 18


def _chunks(count: int, bytes_per_item: int) -> list[tuple[int, int]]:
    """Split ``count`` items (blocks, frames) into runs of at most ~_PIECE_BYTES; on the CPU, into at
    least two runs when the work is large enough for both cores (see :func:`_streams`)."""
    per = max(1, _PIECE_BYTES // max(1, bytes_per_item))
    if len(_streams()) > 1 and count > 1 and count * bytes_per_item >= _SPLIT_BYTES:
        per = min(per, -(-count // 2))
    return [(start, min(count, start + per)) for start in range(0, count, per)]


def _streams() -> tuple:
    """The CPU streams the pieces of one stage alternate over: MLX runs each CPU stream on its own
    thread, so the independent pieces of a decimation stage or of an octave's frames run on two
    cores (bit-identical: the same ops on the same data). ``MLXDSP_CPU_STREAMS=0`` or a GPU default
    device: one stream (None = the current default)."""
    if not _parallel.two_streams_allowed():
        return (None,)
    return (None, _parallel.second_stream())


def _on(streams: tuple, index: int):
    stream = streams[index % len(streams)]
    return contextlib.nullcontext() if stream is None else mx.stream(stream)


def _waiting(x: mx.array, dependency: mx.array) -> mx.array:
    """``x``, computed only once ``dependency`` is. mx.depends would do, but it has no jvp or vmap;
    a where() on a constant True reads one element of the dependency and passes x through (no
    arithmetic: NaN or inf there cannot leak into x; zero gradient to the dependency)."""
    return mx.where(mx.array(True), x, dependency[(0,) * dependency.ndim].astype(x.dtype))


_REACH = len(_cqt_filters.SOXR_HQ_HALFBAND) - 1  # filter half-length (200 taps)


@functools.lru_cache(maxsize=64)
def _decimator_mx(size: int, stages: int) -> mx.array:
    """2**-stages * prod_j H(2**j w) (``stages`` soxr_hq 2:1 filters in cascade, each at its own
    rate) on the lowest size // 2**(stages + 1) + 1 bins of an rfft of ``size`` (the bins kept after
    decimation by 2**stages), each value twice (it scales interleaved re, im pairs)."""
    keep = size // 2 ** (stages + 1) + 1
    response = np.full(keep, 0.5**stages)
    for j in range(stages):
        response = response * _cqt_filters.halfband_response(size >> j)[:keep]
    return mx.array(np.repeat(response, 2).astype(np.float32))


def _halving_rows(
    y: mx.array, start: int, stop: int, size: int, step: int, reach: int = _REACH
) -> mx.array:
    """Overlap-save rows start..stop-1 of the zero-extended signal: row i is y[i * step - reach :][:size].
    Each step-block followed by the next block's first 2 * reach samples: one concatenation of exactly
    the rows (frame_rows would copy two whole blocks per row)."""
    a = start * step - reach
    if step < 2 * reach:  # short signal: one row
        return frame_rows(
            _span(y, a, (stop - 1) * step + size - reach, "constant"), size, step, stop - start
        )
    blocks = _span(y, a, (stop + 1) * step - reach, "constant")
    blocks = blocks.reshape(*blocks.shape[:-1], stop - start + 1, step)
    return mx.concatenate([blocks[..., :-1, :], blocks[..., 1:, : 2 * reach]], axis=-1)


def _soxr_halve(y: mx.array, length: int | None = None, after: mx.array | None = None) -> mx.array:
    """soxr_hq 2:1: y[m] = sum_n h[n] x[2m - n] on the zero-extended signal, ``length`` samples
    (default ceil(n / 2), soxr's; at most (n + 201) // 2, where the filter's reach ends).
    ``after``: an array the first block waits for (see :func:`_waiting`)."""
    return _soxr_decimate(y, 1, (y.shape[-1] + 1) // 2 if length is None else length, after)


def _soxr_decimate(
    y: mx.array, stages: int, length: int, after: mx.array | None = None
) -> mx.array:
    """``stages`` soxr_hq 2:1 filters in cascade without cutting the intermediate signals (an LTI
    composite on the zero-extended signal), ``length`` samples at 1 / 2**stages of the rate.

    Overlap-save: blocks of ``size`` samples overlapping by twice the composite's reach are rFFT'd
    together, multiplied by the cascade's zero-phase response, cut to the lowest 1 / 2**stages of the
    band and inverse-FFT'd at 1 / 2**stages of the size (for 2:1, z[2m] = irfft_{size/2}(Z[:size/4 +
    1]) / 2), keeping each block's middle. The alias terms dropped lie in soxr's stopband (below 4e-7),
    as at every stage of the cascade."""
    factor = 2**stages
    # The composite filter reaches 200 * (2**stages - 1) input samples; a multiple of the factor keeps
    # the output grid aligned with the blocks.
    reach = -(-_REACH * (factor - 1) // factor) * factor
    n = max(y.shape[-1], factor * (length - 1) + 1)
    block = _BLOCK * factor // 2
    if n + 2 * reach > block:
        size = block
    else:
        size = _cqt_filters.fft_size(n + 2 * reach, multiple=2 * factor)
    step = size - 2 * reach
    count = -(-n // step)
    keep = size // (2 * factor) + 1
    response = _decimator_mx(size, stages)
    streams = _streams()
    outs = []
    for index, (start, stop) in enumerate(_chunks(count, _batch(y) * 8 * (size // 2 + 1))):
        with _on(streams, index):
            rows = _halving_rows(y, start, stop, size, step, reach)
            if after is not None and not outs:
                rows = _waiting(rows, after)
            pairs = as_real(mx.fft.rfft(rows, axis=-1))[..., : 2 * keep]
            out = mx.fft.irfft(as_complex(pairs * response), n=size // factor, axis=-1)
            out = out[..., reach // factor : (reach + step) // factor]
            outs.append(out.reshape(*out.shape[:-2], (stop - start) * (step // factor)))
    out = mx.concatenate(outs, axis=-1) if len(outs) > 1 else outs[0]
    return out[..., :length]


def _halve(y: mx.array, res_type: str, after: mx.array | None = None) -> mx.array:
    if res_type == "soxr_hq":
        return _soxr_halve(y, after=after)
    y = y if after is None else _waiting(y, after)
    return _fft_resample(y, (y.shape[-1] + 1) // 2)


# Leading output samples of an early decimation taken from the 2:1 stages themselves (the dropped
# ringing of stage j reaches at most 200 samples into the final output).
_EARLY_HEAD = 256


def _staged_decimate(x: mx.array, stages: int) -> mx.array:
    """``stages`` soxr_hq 2:1 stages, each output kept whole to the right (where the filter's reach
    ends) and, as soxr's, starting at sample 0."""
    for _ in range(stages):
        x = _soxr_halve(x, (x.shape[-1] + _REACH + 1) // 2)
    return x


def _early_decimate(x: mx.array, stages: int, res_type: str) -> mx.array:
    """librosa's early downsampling by 2**stages (one resampler call with that ratio).

    "soxr_hq": soxr's ratio-2**k filter has the same flat passband as its 2:1 filter but its own
    transition band; ``stages`` 2:1 stages are applied here without cutting the intermediate signals
    at the right (each starts at sample 0, as soxr's output), then cut to soxr's round(n / 2**stages)
    samples and zero-padded to librosa's ceil(n / 2**stages). Past the first 256 output samples the
    stages are one LTI cascade, computed in one pass (:func:`_soxr_decimate`).
    "fft": one Fourier resampling to that length, as SciPy does."""
    n = x.shape[-1]
    final = -(-n // 2**stages)
    if res_type != "soxr_hq":
        return _fft_resample(x, final)
    # soxr returns round(n / R) samples (half up); librosa's fix_length zero-pads to ceil(n / R).
    kept = (n + 2 ** (stages - 1)) // 2**stages
    factor = 2**stages
    prefix = factor * (_EARLY_HEAD + 64) + _REACH * factor
    if stages == 1 or n <= prefix:
        x = _staged_decimate(x, stages)[..., :kept]
    else:
        # Each stage drops the ringing before its first output sample (soxr's), which changes the
        # first outputs of the next stage: those come from the stages run on a prefix of the signal,
        # the rest from the cascade in one pass (180 s, 8x: 45 -> 27 ms CPU).
        head = _staged_decimate(x[..., :prefix], stages)[..., :_EARLY_HEAD]
        rest = _soxr_decimate(x, stages, kept)[..., _EARLY_HEAD:]
        x = mx.concatenate([head, rest], axis=-1)
    return mx.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, final - kept)]) if final > kept else x


# ----------------------------------------------------------------------------------------------------
# Multirate transform
# ----------------------------------------------------------------------------------------------------


def _pad_reflect_any(x: mx.array, left: int, right: int) -> mx.array:
    """NumPy's ``np.pad(mode="reflect")`` for any width (librosa's stft pads with it): a padding wider
    than the signal reflects the already-padded signal again; a single sample is repeated."""
    lead = [(0, 0)] * (x.ndim - 1)
    if x.shape[-1] == 1:
        return mx.pad(x, lead + [(left, right)], mode="edge")
    while left > 0 or right > 0:
        n = x.shape[-1]
        step_left, step_right = min(left, n - 1), min(right, n - 1)
        parts = [x[..., step_left:0:-1]] if step_left else []
        parts.append(x)
        if step_right:
            stop = n - 2 - step_right
            parts.append(x[..., n - 2 : (stop if stop >= 0 else None) : -1])
        x = mx.concatenate(parts, axis=-1)
        left, right = left - step_left, right - step_right
    return x


def _framed(y: mx.array, n_fft: int, hop: int, pad_mode: str, fn: str, per_piece) -> mx.array:
    """librosa's centred framing (padding n_fft // 2 with ``pad_mode``), in pieces of ~_PIECE_BYTES:
    ``per_piece(rows [..., frames, n_fft])`` -> [..., frames, k], concatenated over frames."""
    half = n_fft // 2
    count = 1 + (y.shape[-1] + 2 * half - n_fft) // hop
    pieces = _chunks(count, _batch(y) * 8 * (half + 1))
    padded = None
    if pad_mode == "reflect" and half >= y.shape[-1]:
        padded = _pad_reflect_any(y, half, half)  # short low octaves (librosa pads with NumPy)
    elif len(pieces) == 1:
        padded = pad_signal(fn, y, half, half, pad_mode)
    streams = _streams()
    outs = []
    for index, (start, stop) in enumerate(pieces):
        with _on(streams, index):
            a, b = start * hop, (stop - 1) * hop + n_fft  # padded coordinates
            segment = (
                padded[..., a:b] if padded is not None else _span(y, a - half, b - half, pad_mode)
            )
            outs.append(per_piece(frame_rows(segment, n_fft, hop, stop - start, max_slices=8)))
    return mx.concatenate(outs, axis=-2) if len(outs) > 1 else outs[0]


def _octave_response(y: mx.array, octave, pad_mode: str, fn: str) -> mx.array:
    """librosa's __cqt_response on one octave: [..., L] -> [..., n_frames, 2 * n_filters] (re, im
    interleaved per filter)."""

    def project(rows):
        pairs = as_real(mx.fft.rfft(rows, axis=-1))
        parts = [pairs[..., 2 * lo : 2 * hi] @ matrix for lo, hi, matrix in octave.groups]
        return mx.concatenate(parts, axis=-1) if len(parts) > 1 else parts[0]

    return _framed(y, octave.n_fft, octave.hop, pad_mode, fn, project)


def _multirate(fn, x, plan, pad_mode, res_type, magnitude=False):
    """[..., n] float32 -> [..., n_bins, n_frames]: complex64, or float32 magnitudes."""
    if plan.early:
        if x.shape[-1] < 2**plan.early:
            raise ParameterError(
                f"[{fn}] input signal length={x.shape[-1]} is too short for "
                f"{len(plan.octaves)}-octave CQT"
            )
        x = _early_decimate(x, plan.early, res_type)
    signal, stages = x, plan.early
    parts = []
    for octave in plan.octaves:
        while stages < octave.stages:
            # One octave after the other (its projection, then the next halving), each while its
            # signal is in cache: MLX would otherwise interleave the stages' pieces (252 bins at 30 s:
            # 85 -> 76 ms CPU; 84 bins: within noise).
            signal = _halve(signal, res_type, after=parts[-1] if parts else None)
            stages += 1
        parts.append(_octave_response(signal, octave, pad_mode, fn))
    n_frames = min(p.shape[-2] for p in parts)
    parts = [p[..., :n_frames, :] for p in reversed(parts)]  # lowest octave first
    pairs = mx.concatenate(parts, axis=-1) if len(parts) > 1 else parts[0]
    if magnitude:
        pairs = pairs.reshape(*pairs.shape[:-1], -1, 2)
        out = magnitude_from_power(mx.sum(pairs * pairs, axis=-1))
    else:
        out = as_complex(pairs)
    return mx.swapaxes(out, -1, -2)


def _prepare(fn: str, x, kw: dict):
    """(float32 signal, Options) from a public function's ``locals()``; checks pad_mode/res_type."""
    x = _checks.real_signal(fn, "x", x).astype(mx.float32)
    opts = _cqt_filters.options(fn, kw)
    _checks.choice(fn, "pad_mode", kw["pad_mode"], PadMode)
    if "res_type" in kw:
        _checks.choice(fn, "res_type", kw["res_type"], RES_TYPES)
    return x, opts


def _vqt(fn: str, x, kw: dict, gamma, magnitude=False) -> mx.array:
    x, opts = _prepare(fn, x, kw)
    plan = _cqt_filters.vqt_plan(fn, opts, _cqt_filters.check_gamma(fn, gamma))
    return _multirate(fn, x, plan, kw["pad_mode"], kw["res_type"], magnitude)


def vqt(
    x,
    *,
    sr: float = 22050,
    hop_length: int = 512,
    fmin: float | None = None,
    n_bins: int = 84,
    intervals: str = "equal",
    gamma: float | None = None,
    bins_per_octave: int = 12,
    tuning: float = 0.0,
    filter_scale: float = 1,
    norm: float | None = 1,
    sparsity: float = 0.01,
    window="hann",
    scale: bool = True,
    pad_mode: str = "constant",
    res_type: str = "soxr_hq",
) -> mx.array:
    """Variable-Q transform (librosa.vqt): constant-Q filters widened by ``gamma`` Hz at low frequencies.

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating
        Signal; computed in float32.
    sr : float
        Sample rate (Hz).
    hop_length : int
        Samples between frames. While it is even, each lower octave runs on the signal decimated 2:1
        with half the hop (librosa's recursive sub-sampling); an odd hop stops the decimation.
    fmin : float, optional
        Lowest bin frequency (Hz) before tuning; None is C1 (32.70 Hz).
    n_bins, bins_per_octave : int
        Number of bins (any number, not only whole octaves) and bins per octave.
    intervals : "equal"
        Equal-tempered bin spacing; librosa's just-intonation interval sets are not supported.
    gamma : float >= 0, optional
        Bandwidth offset (Hz); None is librosa's ERB-derived ``alpha * 24.7 / 0.108``; 0 gives :func:`cqt`.
    tuning : float
        Deviation from ``fmin`` in fractions of a bin. Default 0.0; librosa's ``tuning=None`` (estimate
        from the data) looks at array values and is not offered: pass librosa's estimate to match it.
    filter_scale : float > 0
        Wavelet length factor (< 1: shorter wavelets, better time resolution).
    norm : float > 0 or None
        Norm of each time-domain wavelet (1, 2, ``math.inf``, any p > 0) or None for none.
    sparsity : float in [0, 1)
        Per wavelet, the fraction of the L1 norm of its FFT dropped (the smallest coefficients).
    window : str or tuple
        Wavelet window, a :func:`get_window` spec (callables are not supported).
    scale : bool
        Divide each bin by the square root of its wavelet length (librosa's ``scale=True``).
    pad_mode : {"constant", "reflect", "edge"}
        Padding of the frames at the signal edges (librosa's default "constant").
    res_type : {"soxr_hq", "fft", "scipy"}
        2:1 decimator. "soxr_hq" (default) emulates soxr's HQ filter from its measured taps; "fft" and
        "scipy" are Fourier resampling as librosa's ``res_type="fft"``. Early decimation by 2**k > 2
        (librosa calls soxr once with ratio 2**k) is done as k successive 2:1 stages (see Notes).

    Returns
    -------
    mx.array [shape=(..., n_bins, n_frames)], complex64, ``n_frames = 1 + n // hop_length``.

    Notes
    -----
    Where librosa decimates early by a factor 2**k with k >= 2 (high sr and few octaves), its single
    soxr call uses a different (longer) filter than k successive half-band stages; both are flat to
    1e-6 well below the new Nyquist, so only frames near the transition band differ.

    Transforms: compile, grad, vjp, jvp, vmap.

    Examples
    --------
    >>> import mlx.core as mx
    >>> from mlxdsp._cqt import vqt
    >>> vqt(mx.zeros(22050), sr=22050).shape
    (84, 44)
    """
    if intervals != "equal":
        raise ParameterError(f"[vqt] intervals={intervals!r} must be 'equal'")
    return _vqt("vqt", x, locals(), gamma)


def cqt(
    x,
    *,
    sr: float = 22050,
    hop_length: int = 512,
    fmin: float | None = None,
    n_bins: int = 84,
    bins_per_octave: int = 12,
    tuning: float = 0.0,
    filter_scale: float = 1,
    norm: float | None = 1,
    sparsity: float = 0.01,
    window="hann",
    scale: bool = True,
    pad_mode: str = "constant",
    res_type: str = "soxr_hq",
) -> mx.array:
    """Constant-Q transform (librosa.cqt): :func:`vqt` with ``gamma=0``.

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating
    sr, hop_length, fmin, n_bins, bins_per_octave, tuning, filter_scale, norm, sparsity, window, scale,
    pad_mode, res_type
        As :func:`vqt`.

    Returns
    -------
    mx.array [shape=(..., n_bins, 1 + n // hop_length)], complex64.

    Transforms: compile, grad, vjp, jvp, vmap.

    Examples
    --------
    >>> import mlx.core as mx
    >>> from mlxdsp._cqt import cqt
    >>> cqt(mx.zeros((2, 22050)), sr=22050, n_bins=60).shape
    (2, 60, 44)
    """
    return _vqt("cqt", x, locals(), 0.0)


def _pseudo(fn: str, x: mx.array, opts, pad_mode: str) -> mx.array:
    """librosa's pseudo_cqt: |Hann STFT| projected on |basis| (banded), [..., n_bins, n_frames]."""
    plan = _cqt_filters.pseudo_plan(opts)
    window = _window_mx("hann", None, plan.n_fft, True)

    def project(rows):
        pairs = as_real(mx.fft.rfft(rows * window, axis=-1))
        pairs = pairs.reshape(*pairs.shape[:-1], -1, 2)
        magnitudes = magnitude_from_power(mx.sum(pairs * pairs, axis=-1))
        return apply_filterbank(magnitudes, plan.groups)

    rows = _framed(x, plan.n_fft, opts.hop_length, pad_mode, fn, project)
    return mx.swapaxes(rows, -1, -2)


def pseudo_cqt(
    x,
    *,
    sr: float = 22050,
    hop_length: int = 512,
    fmin: float | None = None,
    n_bins: int = 84,
    bins_per_octave: int = 12,
    tuning: float = 0.0,
    filter_scale: float = 1,
    norm: float | None = 1,
    sparsity: float = 0.01,
    window="hann",
    scale: bool = True,
    pad_mode: str = "constant",
) -> mx.array:
    """Pseudo constant-Q transform (librosa.pseudo_cqt): one Hann STFT at the full rate, its magnitudes
    projected on the magnitudes of the constant-Q wavelets' spectra. Single-rate, so cheap for high bins
    but with an FFT as long as the longest wavelet.

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating
    sr, hop_length, fmin, n_bins, bins_per_octave, tuning, filter_scale, norm, sparsity, window, scale,
    pad_mode
        As :func:`cqt`. The FFT size is the longest wavelet rounded up to a power of two, and at least
        twice ``hop_length`` rounded up likewise.

    Returns
    -------
    mx.array [shape=(..., n_bins, 1 + n // hop_length)], float32 (magnitudes, as librosa).

    Transforms: compile, grad, vjp, jvp, vmap.

    Examples
    --------
    >>> import mlx.core as mx
    >>> from mlxdsp._cqt import pseudo_cqt
    >>> pseudo_cqt(mx.zeros(22050), sr=22050, fmin=500.0, n_bins=48).shape
    (48, 44)
    """
    x, opts = _prepare("pseudo_cqt", x, locals())
    return _pseudo("pseudo_cqt", x, opts, pad_mode)


def hybrid_cqt(
    x,
    *,
    sr: float = 22050,
    hop_length: int = 512,
    fmin: float | None = None,
    n_bins: int = 84,
    bins_per_octave: int = 12,
    tuning: float = 0.0,
    filter_scale: float = 1,
    norm: float | None = 1,
    sparsity: float = 0.01,
    window="hann",
    scale: bool = True,
    pad_mode: str = "constant",
    res_type: str = "soxr_hq",
) -> mx.array:
    """Hybrid constant-Q transform (librosa.hybrid_cqt): :func:`pseudo_cqt` for the high bins whose
    wavelets (rounded up to a power of two) are shorter than ``2 * hop_length``, ``|cqt|`` for the rest.

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating
    sr, hop_length, fmin, n_bins, bins_per_octave, tuning, filter_scale, norm, sparsity, window, scale,
    pad_mode, res_type
        As :func:`cqt`.

    Returns
    -------
    mx.array [shape=(..., n_bins, n_frames)], float32 magnitudes.

    Transforms: compile, grad, vjp, jvp, vmap.

    Examples
    --------
    >>> import mlx.core as mx
    >>> from mlxdsp._cqt import hybrid_cqt
    >>> hybrid_cqt(mx.zeros(22050), sr=22050).shape
    (84, 44)
    """
    fn = "hybrid_cqt"
    signal, opts = _prepare(fn, x, locals())
    n_pseudo, fmin_pseudo = _cqt_filters.hybrid_split(opts)
    n_full = opts.n_bins - n_pseudo
    parts = []
    if n_full > 0:
        full = opts._replace(n_bins=n_full)
        plan = _cqt_filters.vqt_plan(fn, full, 0.0)
        parts.append(_multirate(fn, signal, plan, pad_mode, res_type, magnitude=True))
    if n_pseudo > 0:
        parts.append(
            _pseudo(fn, signal, opts._replace(fmin=fmin_pseudo, n_bins=n_pseudo), pad_mode)
        )
    n_frames = min(p.shape[-1] for p in parts)
    parts = [p[..., :n_frames] for p in parts]
    return mx.concatenate(parts, axis=-2) if len(parts) > 1 else parts[0]


@functools.lru_cache(maxsize=64)
def _upsample_mx(size: int, stages: int) -> mx.array:
    return mx.array(_cqt_filters.upsample_response(size, stages).astype(np.float32))


def _soxr_upsample(y: mx.array, stages: int) -> mx.array:
    """soxr_hq 1:2**stages as ``stages`` 1:2 interpolations (exact for one stage: soxr's 1:2 is
    2 * (h * zero-stuffed x), n * 2 samples); one zero-padded rFFT, the cascade's response, one irFFT."""
    n = y.shape[-1]
    size = _cqt_filters.fft_size(n + 2 * _REACH, multiple=2)
    pairs = as_real(mx.fft.rfft(y, n=size, axis=-1)) * _upsample_mx(size, stages)
    out_size = size * 2**stages
    pairs = mx.pad(pairs, [(0, 0)] * (pairs.ndim - 1) + [(0, out_size + 2 - pairs.shape[-1])])
    return mx.fft.irfft(as_complex(pairs), n=out_size, axis=-1)[..., : n * 2**stages]


def _octave_inverse(C: mx.array, octave, fn: str) -> mx.array:
    """librosa's icqt octave: D = W @ C, then istft(D, window="ones", center) on the octave's rate."""
    frames = C.shape[-1]
    pairs = as_real(mx.swapaxes(C[..., octave.lo : octave.hi, :], -1, -2)) @ octave.matrix
    n_freq = octave.n_fft // 2 + 1
    lead = [(0, 0)] * (pairs.ndim - 1)
    pairs = mx.pad(pairs, lead + [(2 * octave.bin_lo, 2 * (n_freq - octave.bin_hi))])
    rows = mx.fft.irfft(as_complex(pairs), n=octave.n_fft, axis=-1)
    y = overlap_add_rows(rows, octave.hop)
    ones = np.ones(octave.n_fft)
    y = y * mx.array(_framing.inverse_envelope(ones, octave.hop, frames))
    start = octave.n_fft // 2
    return y[..., start : start + octave.hop * (frames - 1)]


def icqt(
    C,
    *,
    sr: float = 22050,
    hop_length: int = 512,
    fmin: float | None = None,
    bins_per_octave: int = 12,
    tuning: float = 0.0,
    filter_scale: float = 1,
    norm: float | None = 1,
    sparsity: float = 0.01,
    window="hann",
    scale: bool = True,
    length: int | None = None,
    res_type: str = "soxr_hq",
) -> mx.array:
    """Inverse constant-Q transform (librosa.icqt): per octave, the conjugate basis weighted to unit
    power brings the bins back to an STFT at the octave's rate, a rectangular-window iSTFT makes a
    signal, and it is upsampled to ``sr`` and summed.

    Parameters
    ----------
    C : mx.array [shape=(..., n_bins, n_frames)], complex64
        Constant-Q transform (as :func:`cqt` returns).
    sr, hop_length, fmin, bins_per_octave, tuning, filter_scale, norm, sparsity, window, scale
        The options the transform was computed with.
    length : int, optional
        Output length: frames beyond ``ceil((length + longest wavelet) / hop_length)`` are dropped and
        the signal is trimmed or zero-padded to ``length``.
    res_type : {"soxr_hq", "fft", "scipy"}
        Upsampler. "soxr_hq" reproduces soxr's 1:2 interpolator; a ratio 2**k > 2 (librosa makes one
        soxr call) is done as k 1:2 stages. "fft"/"scipy" is SciPy's Fourier resampling.

    Returns
    -------
    mx.array [shape=(..., hop_length * (n_frames - 1))] (or ``length``), float32.

    Notes
    -----
    Like librosa's, this is an approximate inverse (the constant-Q frames do not tile the spectrum
    exactly); see the parity figures for ``icqt(cqt(x))`` against librosa's own round trip.

    Transforms: compile, grad, vjp, jvp, vmap.

    Examples
    --------
    >>> import mlx.core as mx
    >>> from mlxdsp._cqt import cqt, icqt
    >>> icqt(cqt(mx.zeros(22050), sr=22050), sr=22050, length=22050).shape
    (22050,)
    """
    fn = "icqt"
    C = _checks.complex_spectrum(fn, "C", C)
    kw = dict(locals(), n_bins=C.shape[-2], pad_mode="constant")
    opts = _cqt_filters.options(fn, kw)
    _checks.choice(fn, "res_type", res_type, RES_TYPES)
    length = _checks.optional_positive_int(fn, "length", length)
    octaves, longest = _cqt_filters.icqt_plan(opts)
    if length is not None:
        C = C[..., : int(np.ceil((length + longest) / opts.hop_length))]
    y = None
    for octave in octaves:
        part = _octave_inverse(C, octave, fn)
        if octave.up_stages:
            if res_type == "soxr_hq":
                part = _soxr_upsample(part, octave.up_stages)
            else:
                part = _fft_resample(part, part.shape[-1] * 2**octave.up_stages)
        if y is None:
            y = part
        else:
            width = min(y.shape[-1], part.shape[-1])
            y = mx.concatenate([y[..., :width] + part[..., :width], y[..., width:]], axis=-1)
    return fit_length(y, length)
