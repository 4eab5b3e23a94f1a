"""Mel scale, mel filterbanks and mel spectrograms (librosa's Slaney and HTK conventions)."""

from __future__ import annotations

import functools
import math

import mlx.core as mx
import numpy as np

from . import _checks, _kernels, _parallel
from ._db import power_to_db
from ._errors import ParameterError
from ._stft import stft_in_pieces, stft_row_bytes
from ._typing import MelNorm, MelScale

# Slaney's Auditory Toolbox: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = math.log(6.4) / 27.0


def _hz_to_mel_np(f: np.ndarray, scale: str) -> np.ndarray:
    f = np.asarray(f, dtype=np.float64)
    if scale == "htk":
        return 2595.0 * np.log10(1.0 + f / 700.0)
    mels = f / _F_SP
    log_part = _MIN_LOG_MEL + np.log(np.maximum(f, _MIN_LOG_HZ) / _MIN_LOG_HZ) / _LOGSTEP
    return np.where(f >= _MIN_LOG_HZ, log_part, mels)


def _mel_to_hz_np(m: np.ndarray, scale: str) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    if scale == "htk":
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    freqs = _F_SP * m
    log_part = _MIN_LOG_HZ * np.exp(_LOGSTEP * (np.maximum(m, _MIN_LOG_MEL) - _MIN_LOG_MEL))
    return np.where(m >= _MIN_LOG_MEL, log_part, freqs)


def hz_to_mel(frequencies, *, mel_scale: str = "slaney"):
    """Hz to mels. Python numbers and NumPy arrays give float64 NumPy; ``mx.array`` gives float32 mx.

    Parameters
    ----------
    frequencies : float, array-like or mx.array
    mel_scale : {"slaney", "htk"}
        "slaney" (librosa's default): linear below 1 kHz, logarithmic above; "htk": 2595 log10(1 + f/700).

    Transforms: compile, grad, vjp, jvp, vmap (``mx.array`` input).
    """
    _checks.choice("hz_to_mel", "mel_scale", mel_scale, MelScale)
    if not isinstance(frequencies, mx.array):
        out = _hz_to_mel_np(frequencies, mel_scale)
        return float(out) if out.ndim == 0 else out
    f = frequencies.astype(mx.float32)
    if mel_scale == "htk":
        return (2595.0 / math.log(10.0)) * mx.log1p(f / 700.0)  # log1p: exact near 0 Hz in float32
    log_part = _MIN_LOG_MEL + mx.log(mx.maximum(f, _MIN_LOG_HZ) / _MIN_LOG_HZ) / _LOGSTEP
    return mx.where(f >= _MIN_LOG_HZ, log_part, f / _F_SP)


def mel_to_hz(mels, *, mel_scale: str = "slaney"):
    """Mels to Hz, the inverse of :func:`hz_to_mel` (same input/output types).

    Transforms: compile, grad, vjp, jvp, vmap (``mx.array`` input).
    """
    _checks.choice("mel_to_hz", "mel_scale", mel_scale, MelScale)
    if not isinstance(mels, mx.array):
        out = _mel_to_hz_np(mels, mel_scale)
        return float(out) if out.ndim == 0 else out
    m = mels.astype(mx.float32)
    if mel_scale == "htk":
        return 700.0 * mx.expm1(m * (math.log(10.0) / 2595.0))  # expm1: exact near 0 mel in float32
    log_part = _MIN_LOG_HZ * mx.exp(_LOGSTEP * (mx.maximum(m, _MIN_LOG_MEL) - _MIN_LOG_MEL))
    return mx.where(m >= _MIN_LOG_MEL, log_part, _F_SP * m)


def fft_frequencies(*, sr: float, n_fft: int) -> mx.array:
    """Centre frequencies of the ``n_fft // 2 + 1`` rFFT bins, ``k * sr / n_fft`` (float32).

    Transforms: none apply (no array inputs).
    """
    sr = _checks.positive_number("fft_frequencies", "sr", sr)
    n_fft = _checks.positive_int("fft_frequencies", "n_fft", n_fft)
    return mx.array(np.fft.rfftfreq(n_fft, 1.0 / sr).astype(np.float32))


def mel_frequencies(
    n_mels: int = 128, *, fmin: float = 0.0, fmax: float = 11025.0, mel_scale: str = "slaney"
) -> mx.array:
    """``n_mels`` frequencies (Hz) evenly spaced on the mel scale from fmin to fmax (float32).

    Transforms: none apply (no array inputs).
    """
    fn = "mel_frequencies"
    n_mels = _checks.positive_int(fn, "n_mels", n_mels)
    fmin = _checks.real_number(fn, "fmin", fmin, low=0.0)
    fmax = _checks.real_number(fn, "fmax", fmax, low=fmin)
    _checks.choice(fn, "mel_scale", mel_scale, MelScale)
    return mx.array(_mel_frequencies_np(n_mels, fmin, fmax, mel_scale).astype(np.float32))


def _mel_frequencies_np(n_mels: int, fmin: float, fmax: float, scale: str) -> np.ndarray:
    lo, hi = _hz_to_mel_np(fmin, scale), _hz_to_mel_np(fmax, scale)
    return _mel_to_hz_np(np.linspace(lo, hi, n_mels), scale)


@functools.lru_cache(maxsize=64)
def mel_basis_f64(
    sr: float, n_fft: int, n_mels: int, fmin: float, fmax: float, scale: str, norm: str | None
) -> np.ndarray:
    """[n_mels, n_fft // 2 + 1] triangular filters, librosa.filters.mel's arithmetic in float64."""
    fftfreqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_f = _mel_frequencies_np(n_mels + 2, fmin, fmax, scale)
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    if norm == "slaney":
        weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, None]
    weights.setflags(write=False)
    return weights


def _filterbank_options(fn, sr, n_fft, n_mels, fmin, fmax, mel_scale, norm):
    sr = _checks.positive_number(fn, "sr", sr)
    n_fft = _checks.positive_int(fn, "n_fft", n_fft)
    n_mels = _checks.positive_int(fn, "n_mels", n_mels)
    fmin = _checks.real_number(fn, "fmin", fmin, low=0.0)
    fmax = (
        sr / 2.0 if fmax is None else _checks.real_number(fn, "fmax", fmax, low=fmin, low_open=True)
    )
    _checks.choice(fn, "mel_scale", mel_scale, MelScale)
    _checks.optional_choice(fn, "norm", norm, MelNorm)
    return sr, n_fft, n_mels, fmin, fmax


def mel_filterbank(
    *,
    sr: float,
    n_fft: int,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
    mel_scale: str = "slaney",
    norm: str | None = "slaney",
) -> mx.array:
    """Triangular mel filters, identical to ``librosa.filters.mel`` (computed in float64, rounded once).

    Parameters
    ----------
    sr : float
        Sample rate (Hz).
    n_fft : int
        FFT size; the filters act on its ``n_fft // 2 + 1`` bins.
    n_mels : int
    fmin, fmax : float
        Band edges in Hz; ``fmax=None`` means ``sr / 2``.
    mel_scale : {"slaney", "htk"}
    norm : {"slaney", None}
        "slaney" divides each triangle by its width in Hz (constant energy per band); None leaves peaks at 1.
        torchaudio's ``melscale_fbanks`` defaults are ``mel_scale="htk", norm=None``.

    Returns
    -------
    mx.array [shape=(n_mels, n_fft // 2 + 1)], float32.

    Transforms: none apply (no array inputs); pass it to ``mel_spectrogram(..., filterbank=...)`` to learn it.
    """
    args = _filterbank_options("mel_filterbank", sr, n_fft, n_mels, fmin, fmax, mel_scale, norm)
    return _mel_basis_mx(*args, mel_scale, norm)


@functools.lru_cache(maxsize=64)
def _mel_basis_mx(sr, n_fft, n_mels, fmin, fmax, scale, norm) -> mx.array:
    return mx.array(mel_basis_f64(sr, n_fft, n_mels, fmin, fmax, scale, norm).astype(np.float32))


def _filter_groups(options: tuple, per_group: int) -> tuple[int, list]:
    """The filterbank of ``options`` split into groups of ``per_group`` consecutive bands, each a dense
    float64 block [bands, bin_hi - bin_lo] over only the bins its bands touch (empty: bin_hi == bin_lo).
    Returns (multiply-adds per frame, [(bin_lo, bin_hi, band_lo, band_hi, block), ...])."""
    w = mel_basis_f64(*options)
    touched = w != 0
    groups, work = [], 0
    for band in range(0, w.shape[0], per_group):
        stop = min(band + per_group, w.shape[0])
        bins = np.flatnonzero(touched[band:stop].any(axis=0))
        lo, hi = (int(bins[0]), int(bins[-1]) + 1) if bins.size else (0, 0)
        groups.append((lo, hi, band, stop, w[band:stop, lo:hi]))
        work += (stop - band) * (hi - lo)
    return work, groups


@functools.lru_cache(maxsize=64)
def _banded_projection(sr, n_fft, n_mels, fmin, fmax, scale, norm):
    """Groups of 8 consecutive bands with their bin ranges, in rows layout: a tuple of (bin_lo, bin_hi,
    band_lo, band_hi, mx.array [bin_hi - bin_lo, band_hi - band_lo]) (the GPU mel kernel's packing;
    a group touching no bin is one zero row at bin 0)."""
    _, groups = _filter_groups((sr, n_fft, n_mels, fmin, fmax, scale, norm), 8)
    banded = []
    for lo, hi, band, stop, block in groups:
        if hi == lo:
            hi, block = 1, np.zeros((stop - band, 1))
        banded.append((lo, hi, band, stop, _float32(block.T)))
    return tuple(banded)


def apply_filterbank(spec_rows: mx.array, banded) -> mx.array:
    """[..., frames, n_freq] rows -> [..., frames, n_bands] through ``banded`` groups (bin_lo, bin_hi,
    band_lo, band_hi, block [bins, bands]) (the CQT's octave projections)."""
    parts = [spec_rows[..., lo:hi] @ block for lo, hi, _, _, block in banded]
    return parts[0] if len(parts) == 1 else mx.concatenate(parts, axis=-1)


# Cost of one filter group's product on the CPU (reference BLAS, measured at 4 x 160000, 1024/256):
# a fixed ~13 us per product plus ~0.47 ns per multiply-add. Few bands per group waste no work on the
# zeros between triangles; many bands per group save calls: the best group size depends on the frames.
_GROUP_CALL_S = 13e-6
_MULTIPLY_ADD_S = 0.47e-9
_GROUP_SIZES = (1, 2, 4, 8, 16)


def _float32(block: np.ndarray) -> mx.array:
    return mx.array(np.ascontiguousarray(block, np.float32))


@functools.lru_cache(maxsize=256)
def _column_projection(options: tuple, per_group: int):
    """(multiply-adds per frame, the linear map [..., n_freq, frames] -> [..., n_mels, frames]) for the
    filterbank of ``options`` split into groups of ``per_group`` consecutive bands, each a dense float32
    block over only the bins its bands touch.

    The map carries its adjoint: autodiff of the forward would expand every group's slice into a
    full-size zero spectrum; a group's bins overlap only its neighbours', so the groups fall into a few
    layers of disjoint bin ranges (two for triangular filters) and the adjoint is one concatenate per layer.
    """
    work, blocks = _filter_groups(options, per_group)
    n_freq = options[1] // 2 + 1
    groups = [
        (lo, hi, band, stop, _float32(block), _float32(block.T))
        for lo, hi, band, stop, block in blocks
    ]
    layers: list[list[int]] = []
    for index in sorted(
        (i for i, g in enumerate(groups) if g[1] > g[0]), key=lambda i: groups[i][0]
    ):
        free = next((layer for layer in layers if groups[layer[-1]][1] <= groups[index][0]), None)
        if free is None:
            layers.append([index])
        else:
            free.append(index)

    def forward(spec):
        lead, frames = spec.shape[:-2], spec.shape[-1]
        parts = [
            block @ spec[..., lo:hi, :] if hi > lo else mx.zeros((*lead, stop - band, frames))
            for lo, hi, band, stop, block, _ in groups
        ]
        return parts[0] if len(parts) == 1 else mx.concatenate(parts, axis=-2)

    def adjoint(cot):
        lead, frames = cot.shape[:-2], cot.shape[-1]
        total = mx.zeros((*lead, n_freq, frames)) if not layers else None
        for layer in layers:
            pieces, at = [], 0
            for index in layer:
                lo, hi, band, stop, _, block_t = groups[index]
                if lo > at:
                    pieces.append(mx.zeros((*lead, lo - at, frames)))
                pieces.append(block_t @ cot[..., band:stop, :])
                at = hi
            if at < n_freq:
                pieces.append(mx.zeros((*lead, n_freq - at, frames)))
            part = mx.concatenate(pieces, axis=-2)
            total = part if total is None else total + part
        return total

    @mx.custom_function
    def project(spec):
        return forward(mx.stop_gradient(spec))

    @project.vjp
    def _project_vjp(primals, cotangent, output):
        return adjoint(cotangent)

    @project.jvp
    def _project_jvp(primals, tangents):
        return forward(tangents)

    return work, project


def project_columns(spec_cols: mx.array, filterbank, options) -> mx.array:
    """[..., n_freq, frames] power (or magnitude) spectrum -> [..., n_mels, frames], frames on the
    last axis of every product: the reference BLAS of MLX's Linux wheel runs its inner loop along the
    output's last axis, so this orientation is 2-4x faster than rows of bands. ``options``: the
    filterbank's (sr, n_fft, n_mels, fmin, fmax, mel_scale, norm), used when ``filterbank`` is None."""
    if filterbank is not None:
        return filterbank.astype(mx.float32) @ spec_cols
    frames = spec_cols.size // max(1, spec_cols.shape[-2])

    def cost(per_group):
        work, project = _column_projection(options, per_group)
        return -(-options[2] // per_group) * _GROUP_CALL_S + work * frames * _MULTIPLY_ADD_S

    return _column_projection(options, min(_GROUP_SIZES, key=cost))[1](spec_cols)


def mel_spectrogram(
    x,
    *,
    sr: float,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
    power: float = 2.0,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
    mel_scale: str = "slaney",
    norm: str | None = "slaney",
    filterbank=None,
) -> mx.array:
    """Mel spectrogram: the filterbank applied to ``|stft(x)| ** power``.

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating
    sr : float
        Sample rate in Hz (required: a silent default is a classic source of wrong features).
    n_fft, hop_length, win_length, window, center, pad_mode, normalized
        As :func:`stft`. For librosa's defaults pass ``pad_mode="constant"``; torchaudio's
        ``MelSpectrogram`` uses ``pad_mode="reflect"``, ``mel_scale="htk"``, ``norm=None``.
    power : float > 0
        1 for magnitude, 2 for power.
    n_mels, fmin, fmax, mel_scale, norm
        As :func:`mel_filterbank`.
    filterbank : mx.array [shape=(n_mels, n_fft // 2 + 1)], optional
        Use this filterbank (e.g. a learned one, which then receives gradients) instead of building one.

    Returns
    -------
    mx.array [shape=(..., n_mels, n_frames)], float32.

    Transforms: compile, grad, vjp, jvp, vmap.
    """
    fn = "mel_spectrogram"
    x = _checks.real_signal(fn, "x", x)
    power = _checks.positive_number(fn, "power", power)
    options = None
    if filterbank is None:
        args = _filterbank_options(fn, sr, n_fft, n_mels, fmin, fmax, mel_scale, norm)
        options = (*args, mel_scale, norm)
    else:
        filterbank = _checks.array(fn, "filterbank", filterbank, min_ndim=2)
        if filterbank.ndim != 2 or filterbank.shape[1] != n_fft // 2 + 1:
            raise ParameterError(
                f"[{fn}] filterbank.shape={tuple(filterbank.shape)} must be (n_mels, {n_fft // 2 + 1})"
            )

    def to_mel(X: mx.array) -> mx.array:
        return _kernels.mel_projection(X, power, filterbank, options)

    def pipeline(signal: mx.array) -> mx.array:
        return stft_in_pieces(
            signal,
            to_mel,
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
            normalized=normalized,
        )

    # The spectrum is discarded, so both CPU cores can work on half the batch each, in pieces of rows
    # whose spectra stay small (_parallel.py).
    return _parallel.batch_halves(
        pipeline, x, row_bytes=stft_row_bytes(x, n_fft, hop_length, win_length)
    )


def log_mel_spectrogram(
    x,
    *,
    sr: float,
    ref=1.0,
    amin: float = 1e-10,
    top_db: float | None = 80.0,
    top_db_scope: str = "global",
    **mel_options,
) -> mx.array:
    """``power_to_db(mel_spectrogram(x, sr=sr, **mel_options), ref=..., amin=..., top_db=...)``.

    Returns
    -------
    mx.array [shape=(..., n_mels, n_frames)], float32, in dB.

    Transforms: compile, grad, vjp, jvp, vmap.
    """
    S = mel_spectrogram(x, sr=sr, **mel_options)
    return power_to_db(S, ref=ref, amin=amin, top_db=top_db, top_db_scope=top_db_scope)
