"""Constant-Q filter design (librosa 0.11's ``filters.wavelet`` and ``core.constantq`` arithmetic).

Everything here is float64 NumPy on plain Python options, cached with ``functools.lru_cache``:
frequencies, relative bandwidths, wavelet lengths, the time-domain wavelets, the per-octave sparsified
FFT bases and the multirate plan (which octave runs at which rate and hop). librosa builds its wavelets
in complex64 (``filters.wavelet``'s default dtype) before the FFT and sparsifies in that precision; the
same steps are repeated here so that the sparsity pattern (which coefficients survive) is librosa's.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import mlx.core as mx
import numpy as np

from . import _checks
from ._errors import ParameterError
from ._window import window_f64

# librosa.filters.WINDOW_BANDWIDTHS for the window names mlxdsp knows (other specs are computed as
# librosa does: n * sum(w^2) / sum(w)^2 for a 1000-point periodic window).
_WINDOW_BANDWIDTHS = {
    "hann": 1.50018310546875,
    "hamming": 1.3629455320350348,
    "blackman": 1.7269681554262326,
    "bartlett": 1.3334961334912805,
    "boxcar": 1.0,
    "rectangular": 1.0,
    "ones": 1.0,
    "cosine": 1.2337005350199792,
}

# librosa.note_to_hz("C1")
C1_HZ = 440.0 * 2.0 ** ((24 - 69) / 12.0)


def window_bandwidth(name: str, param: float | None) -> float:
    if param is None and name in _WINDOW_BANDWIDTHS:
        return _WINDOW_BANDWIDTHS[name]
    w = window_f64(name, param, 1000, True)
    return float(1000 * np.sum(w**2) / (np.sum(w) ** 2 + np.finfo(np.float64).tiny))


def cqt_frequencies_np(n_bins: int, fmin: float, bins_per_octave: int, tuning: float) -> np.ndarray:
    """librosa.cqt_frequencies, float64."""
    correction = 2.0 ** (float(tuning) / bins_per_octave)
    return correction * fmin * 2.0 ** (np.arange(0, n_bins, dtype=float) / bins_per_octave)


def equal_frequencies_np(n_bins: int, fmin: float, bins_per_octave: int) -> np.ndarray:
    """librosa.interval_frequencies(intervals="equal", sort=True) (vqt's frequency grid), float64."""
    ratios = 2.0 ** (np.arange(0, bins_per_octave, dtype=float) / bins_per_octave)
    n_octaves = np.ceil(n_bins / bins_per_octave)
    return np.sort(np.multiply.outer(2.0 ** np.arange(n_octaves), ratios).flatten()[:n_bins]) * fmin


def relative_bandwidth(freqs: np.ndarray, bins_per_octave: int) -> np.ndarray:
    """librosa.filters._relative_bandwidth (or the equal-temperament value for a single bin)."""
    if len(freqs) == 1:
        r = 2 ** (1 / bins_per_octave)
        return np.atleast_1d((r**2 - 1) / (r**2 + 1))
    bpo = np.empty_like(freqs)
    logf = np.log2(freqs)
    bpo[0] = 1 / (logf[1] - logf[0])
    bpo[-1] = 1 / (logf[-1] - logf[-2])
    bpo[1:-1] = 2 / (logf[2:] - logf[:-2])
    return (2.0 ** (2 / bpo) - 1) / (2.0 ** (2 / bpo) + 1)


def wavelet_lengths(freqs, alpha, sr, window, filter_scale, gamma) -> tuple[np.ndarray, float]:
    """librosa.filters.wavelet_lengths: (lengths in samples, highest cutoff frequency in Hz).
    ``gamma=None`` is the ERB-derived bandwidth offset ``alpha * 24.7 / 0.108``."""
    gamma_ = alpha * 24.7 / 0.108 if gamma is None else gamma
    q = float(filter_scale) / alpha
    cutoff = float(np.max(freqs * (1 + 0.5 * window_bandwidth(*window) / q) + 0.5 * gamma_))
    return q * sr / (freqs + gamma_ / alpha), cutoff


def _normalize(sig: np.ndarray, norm: float | None) -> np.ndarray:
    """librosa.util.normalize on one vector (fill=None: a vector below float64 tiny is left alone)."""
    if norm is None:
        return sig
    mag = np.abs(sig)
    if norm == math.inf:
        length = np.max(mag)
    else:
        length = np.sum(mag**norm) ** (1.0 / norm)
    return sig / (1.0 if length < np.finfo(np.float64).tiny else length)


def wavelet_basis(freqs, lengths, sr, window, norm) -> np.ndarray:
    """librosa.filters.wavelet(pad_fft=True): [n, 2**ceil(log2(max(lengths)))] complex64 wavelets."""
    rows = []
    for ilen, freq in zip(lengths, freqs, strict=True):
        n = np.arange(-ilen // 2, ilen // 2, dtype=float)
        angles = n * 2 * np.pi * freq / sr
        sig = (np.cos(angles) + 1j * np.sin(angles)) * window_f64(*window, len(n), True)
        rows.append(_normalize(sig, norm))
    size = int(2.0 ** np.ceil(np.log2(max(lengths))))
    out = np.zeros((len(rows), size), dtype=np.complex64)
    for i, sig in enumerate(rows):
        if len(sig) > size:
            raise AssertionError("wavelet longer than its padded size")
        lpad = (size - len(sig)) // 2
        out[i, lpad : lpad + len(sig)] = sig
    return out


def sparsify_rows(x: np.ndarray, quantile: float) -> np.ndarray:
    """librosa.util.sparsify_rows as a dense array: per row, drop the smallest-magnitude entries whose
    magnitudes sum to less than ``quantile`` of the row's L1 norm."""
    mags = np.abs(x)
    norms = np.sum(mags, axis=1, keepdims=True)
    mag_sort = np.sort(mags, axis=1)
    cumulative = np.cumsum(mag_sort / norms, axis=1)
    threshold_idx = np.argmin(cumulative < quantile, axis=1)
    keep = mags >= mag_sort[np.arange(x.shape[0]), threshold_idx][:, None]
    return np.where(keep, x, 0)


def filter_fft(sr, freqs, alpha, window, filter_scale, norm, sparsity, gamma, hop_length=None):
    """librosa.core.constantq.__vqt_filter_fft: (sparsified basis [n, n_fft // 2 + 1] complex128
    (zeros where dropped), n_fft, lengths)."""
    lengths, _ = wavelet_lengths(freqs, alpha, sr, window, filter_scale, gamma)
    basis = wavelet_basis(freqs, lengths, sr, window, norm)
    n_fft = basis.shape[1]
    if hop_length is not None and n_fft < 2.0 ** (1 + np.ceil(np.log2(hop_length))):
        n_fft = int(2.0 ** (1 + np.ceil(np.log2(hop_length))))
    basis *= lengths[:, np.newaxis] / float(n_fft)
    fft_basis = np.fft.fft(basis, n=n_fft, axis=1)[:, : n_fft // 2 + 1]
    return sparsify_rows(fft_basis, sparsity).astype(np.complex128), n_fft, lengths


def _num_two_factors(x: int) -> int:
    count = 0
    while x > 0 and x % 2 == 0:
        count += 1
        x //= 2
    return count


# soxr's "HQ" 2:1 decimator (libsoxr 0.1.3 as used by librosa's default res_type="soxr_hq") is a
# linear-phase FIR applied to the zero-extended signal, y[m] = sum_n h[n] x[2m - n], with
# len(y) = ceil(len(x) / 2). h is symmetric; these are h[0], h[1], ..., h[200] (|h[n]| < 3e-8 beyond,
# the float32 noise floor of soxr's own output). Measured by feeding soxr.resample(.., 2, 1,
# quality="soxr_hq") unit impulses at even and odd positions (tests/test_cqt.py re-measures them and
# checks the emulation against live soxr to 1e-6).
SOXR_HQ_HALFBAND = (
    4.784359038e-01,
    3.175271302e-01,
    2.148393448e-02,
    -1.037647426e-01,
    -2.124477085e-02,
    5.979646742e-02,
    2.085046191e-02,
    -4.012784921e-02,
    -2.030736487e-02,
    2.860845160e-02,
    1.962416992e-02,
    -2.084524371e-02,
    -1.881171856e-02,
    1.515715150e-02,
    1.788276434e-02,
    -1.076579420e-02,
    -1.685171202e-02,
    7.263198495e-03,
    1.573427394e-02,
    -4.415580304e-03,
    -1.454717340e-02,
    2.079243306e-03,
    1.330778003e-02,
    -1.603092242e-04,
    -1.203374565e-02,
    -1.406171592e-03,
    1.074267924e-02,
    2.667796449e-03,
    -9.451780468e-03,
    -3.661508672e-03,
    8.177526761e-03,
    4.417633871e-03,
    -6.935380166e-03,
    -4.962347448e-03,
    5.739528453e-03,
    5.319193937e-03,
    -4.602651577e-03,
    -5.510015413e-03,
    3.535752068e-03,
    5.555493059e-03,
    -2.548004617e-03,
    -5.475431681e-03,
    1.646684541e-03,
    5.288885906e-03,
    -8.371209551e-04,
    -5.014159717e-03,
    1.226935492e-04,
    4.668748239e-03,
    4.950996081e-04,
    -4.269246478e-03,
    -1.016576542e-03,
    3.831200884e-03,
    1.443714951e-03,
    -3.369020065e-03,
    -1.780023973e-03,
    2.895840327e-03,
    2.030348638e-03,
    -2.423413331e-03,
    -2.200659597e-03,
    1.962062670e-03,
    2.297862549e-03,
    -1.520605583e-03,
    -2.329549752e-03,
    1.106344280e-03,
    2.303799149e-03,
    -7.250946364e-04,
    -2.228962374e-03,
    3.811814095e-04,
    2.113427036e-03,
    -7.755708066e-05,
    -1.965466072e-03,
    -1.841506019e-04,
    1.793048636e-03,
    4.035054881e-04,
    -1.603691897e-03,
    -5.811349547e-04,
    1.404340728e-03,
    7.185970899e-04,
    -1.201265841e-03,
    -8.182320744e-04,
    9.999996983e-04,
    8.830038714e-04,
    -8.052769990e-04,
    -9.163541254e-04,
    6.210299616e-04,
    9.220539359e-04,
    -4.503741075e-04,
    -9.040610166e-04,
    2.956412791e-04,
    8.664025227e-04,
    -1.584101701e-04,
    -8.130427741e-04,
    3.957968875e-05,
    7.477976615e-04,
    6.058076360e-05,
    -6.742550759e-04,
    -1.423558351e-04,
    5.956796231e-04,
    2.064610017e-04,
    -5.150086363e-04,
    -2.540341229e-04,
    4.347794020e-04,
    2.864779526e-04,
    -3.571234556e-04,
    -3.054075351e-04,
    2.837782231e-04,
    3.125819640e-04,
    -2.160655204e-04,
    -3.098052111e-04,
    1.549484004e-04,
    2.988902997e-04,
    -1.010282649e-04,
    -2.815912012e-04,
    5.458831220e-05,
    2.595638798e-04,
    -1.565686580e-05,
    -2.343217056e-04,
    -1.598888957e-05,
    2.072209172e-04,
    4.075414108e-05,
    -1.794358614e-04,
    -5.918417264e-05,
    1.519550933e-04,
    7.192578050e-05,
    -1.255852039e-04,
    -7.969772196e-05,
    1.009390180e-04,
    8.324562077e-05,
    -7.846786320e-05,
    -8.330673518e-05,
    5.845868691e-05,
    8.060404798e-05,
    -4.106624874e-05,
    -7.580953752e-05,
    2.632426731e-05,
    6.953559932e-05,
    -1.416740179e-05,
    -6.232466330e-05,
    4.449771041e-06,
    5.463884736e-05,
    3.027600314e-06,
    -4.686489956e-05,
    -8.504510333e-06,
    3.930809908e-05,
    1.224518155e-05,
    -3.219697464e-05,
    -1.452196011e-05,
    2.570457764e-05,
    1.559790871e-05,
    -1.993287788e-05,
    -1.573322879e-05,
    1.493072659e-05,
    1.515592476e-05,
    -1.070793451e-05,
    -1.407943273e-05,
    7.237075806e-06,
    1.267708740e-05,
    -4.475441983e-06,
    -1.110091489e-05,
    2.347353529e-06,
    9.474172657e-06,
    -7.673722280e-07,
    -7.878102679e-06,
    -3.367302668e-07,
    6.386655741e-06,
    1.049466448e-06,
    -5.046778142e-06,
    -1.459420673e-06,
    3.877901463e-06,
    1.635820809e-06,
    -2.889723305e-06,
    -1.643128485e-06,
    2.080045761e-06,
    1.537789217e-06,
    -1.435990271e-06,
    -1.362374633e-06,
    9.454325891e-07,
    1.149230513e-06,
    -5.801118732e-07,
    -9.339065912e-07,
    3.237494610e-07,
    7.269350135e-07,
    -1.534235139e-07,
    -5.431299144e-07,
    4.598753200e-08,
    3.876226486e-07,
    1.077877521e-08,
    -2.616874326e-07,
    -3.502502111e-08,
    1.682958555e-07,
    4.103817375e-08,
    -9.662628386e-08,
    -3.614806587e-08,
    4.845291812e-08,
    2.550175893e-08,
    -9.660694911e-09,
    2.054768578e-10,
    7.242690003e-09,
    -5.088195199e-09,
    -2.954673284e-09,
    6.329011537e-09,
)


@functools.lru_cache(maxsize=32)
def halfband_response(fft_size: int) -> np.ndarray:
    """Zero-phase frequency response of the soxr_hq 2:1 filter on an rfft grid of ``fft_size``."""
    h = np.asarray(SOXR_HQ_HALFBAND)
    omega = 2 * np.pi * np.arange(fft_size // 2 + 1) / fft_size
    taps = np.arange(1, len(h))
    response = h[0] + 2 * np.cos(np.outer(omega, taps)) @ h[1:]
    response.setflags(write=False)
    return response


def fft_size(n: int, multiple: int = 4) -> int:
    """Smallest multiple of ``multiple`` >= n whose quotient is 2^a 3^b 5^c (fast FFT sizes)."""
    q = -(-n // multiple)
    while True:
        r = q
        for p in (2, 3, 5):
            while r % p == 0:
                r //= p
        if r == 1:
            return q * multiple
        q += 1


class Octave(NamedTuple):
    """One octave of the multirate transform: output bins [lo, hi), how many 2:1 decimations of the
    input signal it reads (``stages``), its hop and FFT size, and its basis (already multiplied by
    librosa's sqrt(sr / my_sr), the resampler's sqrt(2) gains and, when ``scale``, 1 / sqrt(lengths)),
    complex128 [hi - lo, n_fft // 2 + 1], split into bands: ``groups`` of consecutive filters, each
    (bin_lo, bin_hi, matrix [2 * (bin_hi - bin_lo), 2 * n_group] float32 on interleaved pairs)."""

    lo: int
    hi: int
    stages: int
    hop: int
    n_fft: int
    basis: np.ndarray
    groups: tuple


class Plan(NamedTuple):
    octaves: tuple[Octave, ...]  # top octave first, as librosa computes them
    early: int  # number of early 2:1 decimations (librosa's __early_downsample, factor 2**early)
    n_bins: int


def _real_pair(basis: np.ndarray) -> mx.array:
    """C = D @ basis.T as one real matmul on interleaved pairs: rows (Re D_j, Im D_j), columns
    (Re C_b, Im C_b)."""
    b = basis.T  # [n_band, n_filters]
    out = np.empty((2 * b.shape[0], 2 * b.shape[1]))
    out[0::2, 0::2], out[0::2, 1::2] = b.real, b.imag
    out[1::2, 0::2], out[1::2, 1::2] = -b.imag, b.real
    return mx.array(out.astype(np.float32))


def _band(basis: np.ndarray) -> tuple[int, int]:
    cols = np.flatnonzero(np.any(basis != 0, axis=0))
    return (int(cols[0]), int(cols[-1]) + 1) if cols.size else (0, 1)


# Cost of one more matmul, in units of (bins x filters) multiply-adds per frame: measured on the
# 2-core CPU at 30 s (84 and 252 bins), 24-200 are equally fast, below 6 small matmuls cost 2x.
_GROUP_OVERHEAD = 48


def projection_groups(basis: np.ndarray) -> tuple:
    """Split the filters (rows) into runs of consecutive filters whose bands overlap, minimising
    sum(band width x filters) + overhead per run (dynamic programming): a sparse projection as a few
    small dense matmuls instead of one over the union band (the Linux CPU BLAS is slow)."""
    n = basis.shape[0]
    spans = [_band(basis[i : i + 1]) for i in range(n)]
    best = [0.0] + [math.inf] * n
    cut = [0] * (n + 1)
    for stop in range(1, n + 1):
        lo, hi = math.inf, -math.inf
        for start in range(stop - 1, -1, -1):
            lo, hi = min(lo, spans[start][0]), max(hi, spans[start][1])
            cost = best[start] + (hi - lo) * (stop - start) + _GROUP_OVERHEAD
            if cost < best[stop]:
                best[stop], cut[stop] = cost, start
    bounds = []
    stop = n
    while stop > 0:
        bounds.append((cut[stop], stop))
        stop = cut[stop]
    groups = []
    for start, stop in reversed(bounds):
        b_lo, b_hi = _band(basis[start:stop])
        groups.append((b_lo, b_hi, _real_pair(np.ascontiguousarray(basis[start:stop, b_lo:b_hi]))))
    return tuple(groups)


class Options(NamedTuple):
    """Validated constant-Q options (hashable: the key of the cached plans). ``fmin`` includes tuning."""

    sr: float
    hop_length: int
    fmin: float
    n_bins: int
    bins_per_octave: int
    filter_scale: float
    norm: float | None
    sparsity: float
    window: tuple  # (name, parameter), as _window._parse returns it
    scale: bool


def options(fn: str, kw: dict) -> Options:
    """Check the options every constant-Q function shares (``kw``: the public keyword arguments)."""
    from ._window import _parse

    sr = _checks.positive_number(fn, "sr", kw["sr"])
    hop_length = _checks.positive_int(fn, "hop_length", kw["hop_length"])
    fmin = kw["fmin"]
    fmin = C1_HZ if fmin is None else _checks.positive_number(fn, "fmin", fmin)
    n_bins = _checks.positive_int(fn, "n_bins", kw["n_bins"])
    bins_per_octave = _checks.positive_int(fn, "bins_per_octave", kw["bins_per_octave"])
    tuning = _checks.real_number(fn, "tuning", kw["tuning"])
    filter_scale = _checks.positive_number(fn, "filter_scale", kw["filter_scale"])
    norm = kw["norm"]
    if norm is not None:
        norm = _checks.positive_number(fn, "norm", norm)
    sparsity = _checks.real_number(fn, "sparsity", kw["sparsity"], low=0.0)
    if sparsity >= 1.0:
        raise ParameterError(f"[{fn}] sparsity={sparsity!r} must be < 1")
    window = kw["window"]
    window = _parse(fn, tuple(window) if isinstance(window, list) else window)
    scale = _checks.boolean(fn, "scale", kw["scale"])
    fmin = fmin * 2.0 ** (tuning / bins_per_octave)
    return Options(
        sr, hop_length, fmin, n_bins, bins_per_octave, filter_scale, norm, sparsity, window, scale
    )


def check_gamma(fn: str, gamma) -> float | None:
    return None if gamma is None else _checks.real_number(fn, "gamma", gamma, low=0.0)


@functools.lru_cache(maxsize=64)
def vqt_plan(fn: str, o: Options, gamma: float | None) -> Plan:
    """librosa.vqt's multirate schedule and per-octave bases."""
    sr, hop_length, n_bins, bins_per_octave = o.sr, o.hop_length, o.n_bins, o.bins_per_octave
    window, filter_scale, scale = o.window, o.filter_scale, o.scale
    n_octaves = int(np.ceil(float(n_bins) / bins_per_octave))
    n_filters = min(bins_per_octave, n_bins)
    freqs = equal_frequencies_np(n_bins, o.fmin, bins_per_octave)
    fmax_t = float(np.max(freqs[-bins_per_octave:]))
    alpha = relative_bandwidth(freqs, bins_per_octave)
    lengths, cutoff = wavelet_lengths(freqs, alpha, sr, window, filter_scale, gamma)
    nyquist = sr / 2.0
    if cutoff > nyquist:
        raise ParameterError(
            f"[{fn}] wavelet basis with max frequency={fmax_t} would exceed the Nyquist frequency="
            f"{nyquist} (filter cutoff {cutoff:.6g} Hz); reduce n_bins or fmin"
        )
    # librosa.core.constantq.__early_downsample_count
    count1 = max(0, int(np.ceil(np.log2(nyquist / cutoff)) - 1) - 1)
    count2 = max(0, _num_two_factors(hop_length) - n_octaves + 1)
    early = min(count1, count2)
    factor = 2**early
    hop = hop_length // factor
    sr_e = sr / float(factor)
    # Resampling with scale=True multiplies by sqrt(factor); librosa multiplies again when not scale.
    gain = np.sqrt(factor) if scale else float(factor)
    if scale:
        lengths_e, _ = wavelet_lengths(freqs, alpha, sr_e, window, filter_scale, gamma)
    octaves = []
    my_sr, my_hop, stages = sr_e, hop, early
    for i in range(n_octaves):
        hi = n_bins - n_filters * i
        lo = max(0, hi - n_filters)
        basis, n_fft, _ = filter_fft(
            my_sr, freqs[lo:hi], alpha[lo:hi], window, filter_scale, o.norm, o.sparsity, gamma
        )
        basis = basis * (np.sqrt(sr_e / my_sr) * gain * np.sqrt(2.0) ** (stages - early))
        if scale:
            basis = basis / np.sqrt(lengths_e[lo:hi])[:, None]
        basis.setflags(write=False)
        octaves.append(Octave(lo, hi, stages, my_hop, n_fft, basis, projection_groups(basis)))
        if my_hop % 2 == 0:
            my_hop //= 2
            my_sr /= 2.0
            stages += 1
    return Plan(tuple(octaves), early, n_bins)


def banded(weights: np.ndarray, per_group: int = 8) -> tuple:
    """Non-negative sparse [n_rows, n_freq] weights as groups of ``per_group`` consecutive rows, each a
    dense float32 block over only the bins it touches, in ``_mel.apply_filterbank``'s layout:
    (bin_lo, bin_hi, row_lo, row_hi, mx.array [bin_hi - bin_lo, row_hi - row_lo])."""
    groups = []
    for row in range(0, weights.shape[0], per_group):
        stop = min(row + per_group, weights.shape[0])
        lo, hi = _band(weights[row:stop])
        block = np.ascontiguousarray(weights[row:stop, lo:hi].T).astype(np.float32)
        groups.append((lo, hi, row, stop, mx.array(block)))
    return tuple(groups)


class PseudoPlan(NamedTuple):
    n_fft: int
    groups: tuple  # banded(|basis| with librosa's scaling folded in)


@functools.lru_cache(maxsize=64)
def pseudo_plan(o: Options) -> PseudoPlan:
    """librosa.pseudo_cqt: one Hann STFT at the input rate, magnitudes projected on |basis|."""
    freqs = cqt_frequencies_np(o.n_bins, o.fmin, o.bins_per_octave, 0.0)
    alpha = relative_bandwidth(freqs, o.bins_per_octave)
    basis, n_fft, lengths = filter_fft(
        o.sr, freqs, alpha, o.window, o.filter_scale, o.norm, o.sparsity, 0.0, o.hop_length
    )
    weights = np.abs(basis)
    if o.scale:
        weights /= np.sqrt(n_fft)
    else:
        weights *= np.sqrt(lengths / n_fft)[:, None]
    return PseudoPlan(n_fft, banded(weights))


@functools.lru_cache(maxsize=64)
def hybrid_split(o: Options) -> tuple[int, float]:
    """librosa.hybrid_cqt: (number of top bins whose wavelets, rounded up to a power of two, are shorter
    than 2 * hop_length and so go to pseudo_cqt, the lowest frequency among them)."""
    freqs = cqt_frequencies_np(o.n_bins, o.fmin, o.bins_per_octave, 0.0)
    alpha = relative_bandwidth(freqs, o.bins_per_octave)
    lengths, _ = wavelet_lengths(freqs, alpha, o.sr, o.window, o.filter_scale, 0.0)
    pseudo = 2.0 ** np.ceil(np.log2(lengths)) < 2 * o.hop_length
    n_pseudo = int(np.sum(pseudo))
    return n_pseudo, (float(np.min(freqs[pseudo])) if n_pseudo else 0.0)


class InverseOctave(NamedTuple):
    """One octave of librosa's icqt (lowest first): bins [lo, hi), inverse STFT geometry at its rate,
    the band of rfft bins it writes, the projection C -> D on interleaved pairs, and how many 1:2
    upsampling stages bring it back to the input rate."""

    lo: int
    hi: int
    hop: int
    n_fft: int
    bin_lo: int
    bin_hi: int
    matrix: mx.array  # [2 * n_filters, 2 * n_band] float32
    up_stages: int


@functools.lru_cache(maxsize=64)
def icqt_plan(o: Options) -> tuple[tuple[InverseOctave, ...], float]:
    """librosa.icqt's per-octave inverse bases; also the longest wavelet (for ``length``)."""
    n_bins, bpo = o.n_bins, o.bins_per_octave
    n_octaves = int(np.ceil(float(n_bins) / bpo))
    freqs = cqt_frequencies_np(n_bins, o.fmin, bpo, 0.0)
    alpha = relative_bandwidth(freqs, bpo)
    lengths, _ = wavelet_lengths(freqs, alpha, o.sr, o.window, o.filter_scale, 0.0)
    srs, hops = [o.sr], [o.hop_length]
    for _ in range(n_octaves - 1):
        halve = hops[0] % 2 == 0
        srs.insert(0, srs[0] * 0.5 if halve else srs[0])
        hops.insert(0, hops[0] // 2 if halve else hops[0])
    octaves = []
    for i, (my_sr, my_hop) in enumerate(zip(srs, hops, strict=True)):
        lo = bpo * i
        hi = lo + min(bpo, n_bins - lo)
        basis, n_fft, _ = filter_fft(
            my_sr, freqs[lo:hi], alpha[lo:hi], o.window, o.filter_scale, o.norm, o.sparsity, 0.0
        )
        inverse = basis.conj().T  # [n_freq, n_filters]
        weight = 1 / np.sum(np.abs(inverse) ** 2, axis=0) * (n_fft / lengths[lo:hi])
        if o.scale:
            weight = weight * np.sqrt(lengths[lo:hi])
        inverse = inverse * weight[None, :]
        b_lo, b_hi = _band(inverse.T)
        up = int(round(np.log2(o.sr // my_sr)))
        matrix = _real_pair(np.ascontiguousarray(inverse[b_lo:b_hi]))
        octaves.append(InverseOctave(lo, hi, my_hop, n_fft, b_lo, b_hi, matrix, up))
    return tuple(octaves), float(np.max(lengths))


@functools.lru_cache(maxsize=64)
def upsample_response(size: int, stages: int) -> np.ndarray:
    """2**stages * prod_j H_j on the lowest size // 2 + 1 bins of a ``size`` rfft: soxr_hq's 1:2
    interpolator (zero-stuffing then 2 * h) applied ``stages`` times, each H on its output grid;
    interleaved for (re, im) pairs."""
    keep = size // 2 + 1
    response = np.full(keep, 2.0**stages)
    for j in range(stages):
        response *= halfband_response(size * 2 ** (j + 1))[:keep]
    return np.repeat(response, 2)
