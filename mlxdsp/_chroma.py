"""Chroma features from a short-time Fourier transform (librosa 0.11's ``feature.chroma_stft``)."""

from __future__ import annotations

import functools
import math

import mlx.core as mx
import numpy as np

from . import _checks
from ._errors import ParameterError
from ._spectrum import spectrogram as _spectrogram

_TINY32 = float(np.finfo(np.float32).tiny)


@functools.lru_cache(maxsize=64)
def _chroma_basis_f64(
    sr: float,
    n_fft: int,
    n_chroma: int,
    tuning: float,
    ctroct: float,
    octwidth: float | None,
    base_c: bool,
) -> np.ndarray:
    """[n_chroma, n_fft // 2 + 1] Gaussian chroma filters: librosa.filters.chroma's arithmetic, float64."""
    frequencies = np.linspace(0, sr, n_fft, endpoint=False)[1:]
    a440 = 440.0 * 2.0 ** (tuning / n_chroma)
    frqbins = n_chroma * np.log2(frequencies / (a440 / 16))
    # The 0 Hz bin: 1.5 octaves below bin 1 (so chroma is 50% rotated from bin 1, and broad).
    frqbins = np.concatenate(([frqbins[0] - 1.5 * n_chroma], frqbins))
    binwidthbins = np.concatenate((np.maximum(frqbins[1:] - frqbins[:-1], 1.0), [1]))
    D = np.subtract.outer(frqbins, np.arange(0, n_chroma, dtype="d")).T
    n_chroma2 = np.round(float(n_chroma) / 2)
    D = np.remainder(D + n_chroma2 + 10 * n_chroma, n_chroma) - n_chroma2
    wts = np.exp(-0.5 * (2 * D / np.tile(binwidthbins, (n_chroma, 1))) ** 2)
    # Unit L2 norm per column (librosa.util.normalize, norm=2: columns below tiny left alone).
    length = np.sqrt(np.sum(wts**2, axis=0, keepdims=True))
    wts = wts / np.where(length < np.finfo(np.float64).tiny, 1.0, length)
    if octwidth is not None:
        wts *= np.exp(-0.5 * (((frqbins / n_chroma - ctroct) / octwidth) ** 2))[None, :]
    if base_c:
        wts = np.roll(wts, -3 * (n_chroma // 12), axis=0)
    return np.ascontiguousarray(wts[:, : int(1 + n_fft / 2)])


@functools.lru_cache(maxsize=64)
def _chroma_basis_mx(*args) -> mx.array:
    # float32, as librosa's chroma_stft builds its filterbank (filters.chroma's default dtype).
    return mx.array(_chroma_basis_f64(*args).astype(np.float32))


def _normalize(C: mx.array, norm) -> mx.array:
    """librosa.util.normalize(C, norm=norm, axis=-2) for non-negative C (small columns left alone)."""
    if norm is None:
        return C
    if norm == math.inf:
        length = mx.max(C, axis=-2, keepdims=True)
    elif norm == 1:
        length = mx.sum(C, axis=-2, keepdims=True)
    elif norm == 2:
        squares = mx.sum(C * C, axis=-2, keepdims=True)
        positive = squares > 0
        length = mx.where(positive, mx.sqrt(mx.where(positive, squares, 1.0)), 0.0)
    else:
        total = mx.sum(mx.power(C, norm), axis=-2, keepdims=True)
        positive = total > 0
        length = mx.where(positive, mx.power(mx.where(positive, total, 1.0), 1.0 / norm), 0.0)
    return C / mx.where(length < _TINY32, 1.0, length)


def chroma_stft(
    x=None,
    *,
    sr: float = 22050,
    S=None,
    norm: float | None = math.inf,
    n_fft: int = 2048,
    hop_length: int | None = 512,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
    tuning: float = 0.0,
    n_chroma: int = 12,
    ctroct: float = 5.0,
    octwidth: float | None = 2.0,
    base_c: bool = True,
) -> mx.array:
    """Chromagram: the power spectrogram projected onto ``n_chroma`` pitch classes (librosa's chroma_stft).

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating, optional
        Waveform; its power spectrogram (``power=2``) is used.
    sr : float
        Sample rate (Hz).
    S : mx.array [shape=(..., n_fft // 2 + 1, n_frames)], optional
        Power spectrogram instead of ``x``; ``n_fft`` is then ``2 * (S.shape[-2] - 1)``.
    norm : float > 0 or None
        Per-frame normalization of the chroma vector (``math.inf``: max = 1, librosa's default; 1, 2, any
        p > 0; None: raw). Frames whose norm is below float32's tiny are left as they are.
    n_fft, hop_length, win_length, window, center, pad_mode
        As :func:`stft`, with librosa's defaults: ``hop_length=512`` and ``pad_mode="constant"``.
    tuning : float
        Deviation from A440 in fractions of a chroma bin. Default 0.0. librosa's default ``tuning=None``
        estimates it from the data (``librosa.estimate_tuning``, a pitch tracker): that looks at array
        values and cannot trace, so here it is an explicit number; pass librosa's estimate to match it.
    n_chroma : int
        Pitch classes per octave.
    ctroct, octwidth : float
        Gaussian weighting over octaves: centre ``ctroct`` (octaves above A0 = 27.5 Hz), half-width
        ``octwidth``; ``octwidth=None`` weights all octaves equally (librosa.filters.chroma).
    base_c : bool
        Start the chroma axis at C (True, librosa's default) rather than A.

    Returns
    -------
    mx.array [shape=(..., n_chroma, n_frames)], float32.

    Transforms: compile, grad, vjp, jvp, vmap.
    """
    fn = "chroma_stft"
    sr = _checks.positive_number(fn, "sr", sr)
    tuning = _checks.real_number(fn, "tuning", tuning)
    n_chroma = _checks.positive_int(fn, "n_chroma", n_chroma)
    ctroct = _checks.real_number(fn, "ctroct", ctroct)
    if octwidth is not None:
        octwidth = _checks.positive_number(fn, "octwidth", octwidth)
    base_c = _checks.boolean(fn, "base_c", base_c)
    if norm is not None:
        norm = _checks.positive_number(fn, "norm", norm)
    if S is not None:
        if x is not None:
            raise ParameterError(f"[{fn}] pass either a waveform x or a spectrogram S=, not both")
        S = _checks.real_signal(fn, "S", S, min_ndim=2).astype(mx.float32)
        n_fft = 2 * (S.shape[-2] - 1)
        if n_fft < 2:
            raise ParameterError(f"[{fn}] S.shape[-2]={S.shape[-2]} must be at least 2")
    elif x is None:
        raise ParameterError(f"[{fn}] pass a waveform x or a spectrogram S=")
    else:
        n_fft = _checks.positive_int(fn, "n_fft", n_fft)
        S = _spectrogram(
            x,
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
            power=2.0,
        )
    basis = _chroma_basis_mx(sr, n_fft, n_chroma, tuning, ctroct, octwidth, base_c)
    return _normalize(basis @ S, norm)
