"""librosa.feature: mel/MFCC/delta, chroma, tonnetz, spectral descriptors, rms, zero_crossing_rate,
stack_memory, and ``feature.inverse``."""

from __future__ import annotations

import mlx.core as mx
import numpy as np

import mlxdsp

from . import _inverse as inverse
from ._common import _float32_only, _tuning, _unsupported

__all__ = [
    "chroma_cens",
    "chroma_cqt",
    "chroma_stft",
    "delta",
    "inverse",
    "melspectrogram",
    "mfcc",
    "poly_features",
    "rms",
    "spectral_bandwidth",
    "spectral_centroid",
    "spectral_contrast",
    "spectral_flatness",
    "spectral_rolloff",
    "stack_memory",
    "tonnetz",
    "zero_crossing_rate",
]


def _mel_options(n_mels=128, fmin=0.0, fmax=None, htk=False, norm="slaney", dtype=None):
    return dict(
        n_mels=n_mels, fmin=fmin, fmax=fmax, mel_scale="htk" if htk else "slaney", norm=norm
    )


def melspectrogram(
    *,
    y=None,
    sr: float = 22050,
    S=None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
    **kwargs,
) -> mx.array:
    """librosa.feature.melspectrogram from ``y`` (a waveform) or ``S`` (a magnitude spectrogram)."""
    mel = _mel_options(**kwargs)
    if S is not None:
        fb = mlxdsp.mel_filterbank(sr=sr, n_fft=2 * (S.shape[-2] - 1), **mel)
        return fb @ S
    return mlxdsp.mel_spectrogram(
        y,
        sr=sr,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
        power=power,
        **mel,
    )


def mfcc(
    *,
    y=None,
    sr: float = 22050,
    S=None,
    n_mfcc: int = 20,
    dct_type: int = 2,
    norm="ortho",
    lifter: float = 0,
    mel_norm="slaney",
    **kwargs,
) -> mx.array:
    """librosa.feature.mfcc from ``y`` or a log-power mel spectrogram ``S``."""
    if S is None:
        S = mlxdsp.power_to_db(melspectrogram(y=y, sr=sr, norm=mel_norm, **kwargs))
    M = mlxdsp.dct(S, type=dct_type, norm=norm, n_out=n_mfcc, axis=-2)
    if lifter > 0:
        li = 1 + (lifter / 2) * np.sin(np.pi * np.arange(1, 1 + n_mfcc) / lifter)
        M = M * mx.array(li.astype(np.float32)[:, None])
    return M


def delta(
    data, *, width: int = 9, order: int = 1, axis: int = -1, mode: str = "interp", **kwargs
) -> mx.array:
    """librosa.feature.delta (``kwargs``, SciPy savgol_filter's extra options, are not supported)."""
    if kwargs:
        raise mlxdsp.ParameterError(
            f"[compat.librosa.feature.delta] {', '.join(sorted(kwargs))} not supported"
        )
    if axis != -1:
        data = mx.moveaxis(data, axis, -1)
    out = mlxdsp.delta(data, width=width, order=order, mode=mode)
    return out if axis == -1 else mx.moveaxis(out, -1, axis)


# --- chroma and tonal features ---


def chroma_stft(
    *,
    y=None,
    sr: float = 22050,
    S=None,
    norm: float | None = np.inf,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
    tuning: float | None = None,
    n_chroma: int = 12,
    **kwargs,
) -> mx.array:
    """librosa.feature.chroma_stft. ``tuning=None`` (librosa's default: estimate it) raises: pass
    ``tuning=0.0`` or ``librosa.estimate_tuning``'s value. ``kwargs``: filters.chroma's ``ctroct``,
    ``octwidth``, ``base_c`` (``norm=2`` and ``dtype=np.float32`` only, its defaults)."""
    filt = _chroma_filter_options("chroma_stft", **kwargs)
    return mlxdsp.chroma_stft(
        y,
        sr=sr,
        S=S,
        norm=norm,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
        tuning=_tuning("feature.chroma_stft", tuning),
        n_chroma=n_chroma,
        **filt,
    )


def _chroma_filter_options(fn, ctroct=5.0, octwidth=2, norm=2, base_c=True, dtype=np.float32):
    if norm != 2:
        raise mlxdsp.ParameterError(
            f"[compat.librosa.{fn}] filter norm={norm!r} is not supported (use 2)"
        )
    _float32_only(fn, dtype)
    return dict(ctroct=ctroct, octwidth=octwidth, base_c=base_c)


def chroma_cqt(
    *,
    y=None,
    sr: float = 22050,
    C=None,
    hop_length: int = 512,
    fmin: float | None = None,
    norm: float | None = np.inf,
    threshold: float = 0.0,
    tuning: float | None = None,
    n_chroma: int = 12,
    n_octaves: int = 7,
    window=None,
    bins_per_octave: int | None = 36,
    cqt_mode: str = "full",
) -> mx.array:
    """librosa.feature.chroma_cqt (``tuning=None`` raises unless ``C`` is given: pass ``tuning=0.0`` or
    ``librosa.estimate_tuning``'s value)."""
    return mlxdsp.chroma_cqt(
        y,
        sr=sr,
        C=C,
        hop_length=hop_length,
        fmin=fmin,
        norm=norm,
        threshold=threshold,
        tuning=_cq_tuning("feature.chroma_cqt", tuning, C),
        n_chroma=n_chroma,
        n_octaves=n_octaves,
        window=window,
        bins_per_octave=bins_per_octave,
        cqt_mode=cqt_mode,
    )


def chroma_cens(
    *,
    y=None,
    sr: float = 22050,
    C=None,
    hop_length: int = 512,
    fmin: float | None = None,
    tuning: float | None = None,
    n_chroma: int = 12,
    n_octaves: int = 7,
    bins_per_octave: int = 36,
    cqt_mode: str = "full",
    window=None,
    norm: float | None = 2,
    win_len_smooth: int | None = 41,
    smoothing_window="hann",
) -> mx.array:
    """librosa.feature.chroma_cens (``tuning=None`` raises unless ``C`` is given, as chroma_cqt)."""
    return mlxdsp.chroma_cens(
        y,
        sr=sr,
        C=C,
        hop_length=hop_length,
        fmin=fmin,
        tuning=_cq_tuning("feature.chroma_cens", tuning, C),
        n_chroma=n_chroma,
        n_octaves=n_octaves,
        bins_per_octave=bins_per_octave,
        cqt_mode=cqt_mode,
        window=window,
        norm=norm,
        win_len_smooth=win_len_smooth,
        smoothing_window=smoothing_window,
    )


def _cq_tuning(fn, tuning, C):
    # With C given librosa never uses tuning; without it, None means estimation, which we refuse.
    return 0.0 if (tuning is None and C is not None) else _tuning(fn, tuning)


def tonnetz(*, y=None, sr: float = 22050, chroma=None, **kwargs) -> mx.array:
    """librosa.feature.tonnetz; from ``y`` it runs :func:`chroma_cqt` with ``kwargs``, so ``tuning=``
    must be passed (librosa's default estimates it)."""
    if chroma is None:
        kwargs["tuning"] = _cq_tuning("feature.tonnetz", kwargs.get("tuning"), kwargs.get("C"))
    return mlxdsp.tonnetz(y, sr=sr, chroma=chroma, **kwargs)


# --- spectral descriptors ---


def _stft_options(n_fft, hop_length, win_length, window, center, pad_mode):
    return dict(
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
    )


def spectral_centroid(
    *,
    y=None,
    sr: float = 22050,
    S=None,
    n_fft: int = 2048,
    hop_length: int = 512,
    freq=None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
) -> mx.array:
    """librosa.feature.spectral_centroid: [..., 1, n_frames] (``freq`` must be None)."""
    _unsupported("feature.spectral_centroid", freq=freq)
    opts = _stft_options(n_fft, hop_length, win_length, window, center, pad_mode)
    return mlxdsp.spectral_centroid(y, sr=sr, S=S, **opts)


def spectral_bandwidth(
    *,
    y=None,
    sr: float = 22050,
    S=None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
    freq=None,
    centroid=None,
    norm: bool = True,
    p: float = 2,
) -> mx.array:
    """librosa.feature.spectral_bandwidth (``freq`` and ``centroid`` must be None)."""
    _unsupported("feature.spectral_bandwidth", freq=freq, centroid=centroid)
    opts = _stft_options(n_fft, hop_length, win_length, window, center, pad_mode)
    return mlxdsp.spectral_bandwidth(y, sr=sr, S=S, norm=norm, p=p, **opts)


def spectral_rolloff(
    *,
    y=None,
    sr: float = 22050,
    S=None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
    freq=None,
    roll_percent: float = 0.85,
) -> mx.array:
    """librosa.feature.spectral_rolloff (``freq`` must be None)."""
    _unsupported("feature.spectral_rolloff", freq=freq)
    opts = _stft_options(n_fft, hop_length, win_length, window, center, pad_mode)
    return mlxdsp.spectral_rolloff(y, sr=sr, S=S, roll_percent=roll_percent, **opts)


def spectral_contrast(
    *,
    y=None,
    sr: float = 22050,
    S=None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
    freq=None,
    fmin: float = 200.0,
    n_bands: int = 6,
    quantile: float = 0.02,
    linear: bool = False,
) -> mx.array:
    """librosa.feature.spectral_contrast: [..., n_bands + 1, n_frames] (``freq`` must be None)."""
    _unsupported("feature.spectral_contrast", freq=freq)
    opts = _stft_options(n_fft, hop_length, win_length, window, center, pad_mode)
    return mlxdsp.spectral_contrast(
        y, sr=sr, S=S, fmin=fmin, n_bands=n_bands, quantile=quantile, linear=linear, **opts
    )


def spectral_flatness(
    *,
    y=None,
    S=None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
    amin: float = 1e-10,
    power: float = 2.0,
) -> mx.array:
    """librosa.feature.spectral_flatness."""
    opts = _stft_options(n_fft, hop_length, win_length, window, center, pad_mode)
    return mlxdsp.spectral_flatness(y, S=S, amin=amin, power=power, **opts)


def poly_features(
    *,
    y=None,
    sr: float = 22050,
    S=None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
    order: int = 1,
    freq=None,
) -> mx.array:
    """librosa.feature.poly_features: [..., order + 1, n_frames] (``freq``: 1-D only)."""
    opts = _stft_options(n_fft, hop_length, win_length, window, center, pad_mode)
    return mlxdsp.poly_features(y, sr=sr, S=S, order=order, freq=freq, **opts)


def rms(
    *,
    y=None,
    S=None,
    frame_length: int = 2048,
    hop_length: int = 512,
    center: bool = True,
    pad_mode: str = "constant",
    dtype=np.float32,
) -> mx.array:
    """librosa.feature.rms: [..., 1, n_frames] (``dtype``: float32 only)."""
    _float32_only("feature.rms", dtype)
    return mlxdsp.rms(
        y, S=S, frame_length=frame_length, hop_length=hop_length, center=center, pad_mode=pad_mode
    )


def zero_crossing_rate(
    y, *, frame_length: int = 2048, hop_length: int = 512, center: bool = True, **kwargs
) -> mx.array:
    """librosa.feature.zero_crossing_rate: [..., 1, n_frames]. Of librosa.zero_crossings' ``kwargs``
    only ``threshold`` is supported (the others must keep their defaults)."""
    threshold = kwargs.pop("threshold", 1e-10)
    for name, default in (("ref_magnitude", None), ("pad", False), ("zero_pos", True)):
        value = kwargs.pop(name, default)
        if value is not default and value != default:
            raise mlxdsp.ParameterError(
                f"[compat.librosa.feature.zero_crossing_rate] {name}={value!r} is not supported "
                f"(use {default!r})"
            )
    if kwargs:
        raise mlxdsp.ParameterError(
            f"[compat.librosa.feature.zero_crossing_rate] {', '.join(sorted(kwargs))} not supported"
        )
    return mlxdsp.zero_crossing_rate(
        y, frame_length=frame_length, hop_length=hop_length, center=center, threshold=threshold
    )


def stack_memory(data, *, n_steps: int = 2, delay: int = 1, **kwargs) -> mx.array:
    """librosa.feature.stack_memory; ``kwargs`` are np.pad's ``mode`` (default "constant") and
    ``constant_values``."""
    mode = kwargs.pop("mode", "constant")
    value = kwargs.pop("constant_values", 0.0)
    if kwargs:
        raise mlxdsp.ParameterError(
            f"[compat.librosa.feature.stack_memory] {', '.join(sorted(kwargs))} not supported"
        )
    return mlxdsp.stack_memory(data, n_steps=n_steps, delay=delay, mode=mode, value=value)
