"""torchaudio.functional: spectrogram, melscale_fbanks, amplitude_to_DB, create_dct, compute_deltas."""

from __future__ import annotations

import mlx.core as mx
import numpy as np

import mlxdsp

_FN = "compat.torchaudio.functional"


def spectrogram(
    waveform,
    pad: int,
    window,
    n_fft: int,
    hop_length: int,
    win_length: int,
    power: float | None,
    normalized,
    center: bool = True,
    pad_mode: str = "reflect",
    onesided: bool = True,
) -> mx.array:
    """torchaudio.functional.spectrogram. ``normalized=True``/``"window"`` divides by the window's L2
    norm, ``"frame_length"`` by sqrt(n_fft) (torch.stft's); ``power=None`` returns the complex STFT."""
    if pad > 0:
        waveform = mx.pad(waveform, [(0, 0)] * (waveform.ndim - 1) + [(pad, pad)])
    frame_norm = normalized == "frame_length"
    X = mlxdsp.stft(
        waveform,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode="edge" if pad_mode == "replicate" else pad_mode,
        normalized=frame_norm,
        onesided=onesided,
    )
    if normalized is True or normalized == "window":
        X = X / mx.sqrt(mx.sum(mx.square(mx.array(window, dtype=mx.float32))))
    if power is None:
        return X
    return mlxdsp.magphase(X, power=power)[0]


def melscale_fbanks(
    n_freqs: int,
    f_min: float,
    f_max: float,
    n_mels: int,
    sample_rate: int,
    norm: str | None = None,
    mel_scale: str = "htk",
) -> mx.array:
    """torchaudio.functional.melscale_fbanks: [n_freqs, n_mels], bins at linspace(0, sample_rate // 2)."""
    all_freqs = np.linspace(0, sample_rate // 2, n_freqs)
    m_min = mlxdsp.hz_to_mel(float(f_min), mel_scale=mel_scale)
    m_max = mlxdsp.hz_to_mel(float(f_max), mel_scale=mel_scale)
    f_pts = mlxdsp.mel_to_hz(np.linspace(m_min, m_max, n_mels + 2), mel_scale=mel_scale)
    f_diff = np.diff(f_pts)
    slopes = f_pts[None, :] - all_freqs[:, None]
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    fb = np.maximum(0.0, np.minimum(down, up))
    if norm == "slaney":
        fb *= 2.0 / (f_pts[2 : n_mels + 2] - f_pts[:n_mels])
    elif norm is not None:
        raise mlxdsp.ParameterError(
            f"[{_FN}.melscale_fbanks] norm={norm!r} must be one of 'slaney', None"
        )
    return mx.array(fb.astype(np.float32))


def amplitude_to_DB(
    x, multiplier: float, amin: float, db_multiplier: float, top_db: float | None = None
):  # noqa: N802
    """torchaudio.functional.amplitude_to_DB: ``multiplier * log10(max(x, amin)) - multiplier *
    db_multiplier``, clipped to each example's peak - top_db (the last three axes)."""
    scale = multiplier / 10.0
    db = mlxdsp.power_to_db(
        x,
        ref=10.0**db_multiplier,
        amin=amin,
        top_db=None if top_db is None else top_db / scale,
        top_db_scope="per_example",
    )
    return db * scale


def create_dct(n_mfcc: int, n_mels: int, norm: str | None) -> mx.array:
    """torchaudio.functional.create_dct: [n_mels, n_mfcc], DCT-II (``norm="ortho"`` or None)."""
    basis = mlxdsp.dct(mx.eye(n_mels), type=2, norm=norm, n_out=n_mfcc, axis=-1)
    return basis.astype(mx.float32) if norm is None else basis


def compute_deltas(specgram, win_length: int = 5, mode: str = "replicate") -> mx.array:
    """torchaudio.functional.compute_deltas: the least-squares slope over ``win_length`` frames, edges
    padded by ``mode`` ("replicate"); equal to ``mlxdsp.delta(width=win_length, order=1, mode="nearest")``."""
    if win_length < 3 or win_length % 2 == 0:
        raise mlxdsp.ParameterError(
            f"[{_FN}.compute_deltas] win_length={win_length} must be odd and >= 3"
        )
    modes = {
        "replicate": "nearest",
        "constant": "constant",
        "reflect": "mirror",
        "circular": "wrap",
    }
    if mode not in modes:
        raise mlxdsp.ParameterError(
            f"[{_FN}.compute_deltas] mode={mode!r} must be one of {', '.join(map(repr, modes))}"
        )
    return mlxdsp.delta(specgram, width=win_length, order=1, mode=modes[mode])


__all__ = ["amplitude_to_DB", "compute_deltas", "create_dct", "melscale_fbanks", "spectrogram"]
