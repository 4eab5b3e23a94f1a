"""torchaudio.transforms as option-carrying callables over pure functions (no parameters, no state)."""

from __future__ import annotations

from collections.abc import Callable

import mlx.core as mx

import mlxdsp

from . import functional as F


def _window(window_fn: Callable | None, win_length: int, wkwargs: dict | None) -> mx.array:
    if window_fn is None:
        return mlxdsp.get_window("hann", win_length)
    return mx.array(window_fn(win_length, **(wkwargs or {})), dtype=mx.float32)


class Spectrogram:
    """torchaudio.transforms.Spectrogram (defaults n_fft=400, hop=win_length // 2, periodic Hann).

    ``window_fn`` is a callable ``n -> array`` (default: mlxdsp's periodic Hann, torch.hann_window's twin).
    """

    def __init__(
        self,
        n_fft: int = 400,
        win_length: int | None = None,
        hop_length: int | None = None,
        pad: int = 0,
        window_fn: Callable | None = None,
        power: float | None = 2.0,
        normalized=False,
        wkwargs: dict | None = None,
        center: bool = True,
        pad_mode: str = "reflect",
        onesided: bool = True,
    ):
        self.n_fft = n_fft
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.pad, self.power, self.normalized = pad, power, normalized
        self.center, self.pad_mode, self.onesided = center, pad_mode, onesided
        self.window = _window(window_fn, self.win_length, wkwargs)

    def __call__(self, waveform) -> mx.array:
        return F.spectrogram(
            waveform,
            self.pad,
            self.window,
            self.n_fft,
            self.hop_length,
            self.win_length,
            self.power,
            self.normalized,
            self.center,
            self.pad_mode,
            self.onesided,
        )


class MelSpectrogram:
    """torchaudio.transforms.MelSpectrogram (sample_rate=16000, n_fft=400, n_mels=128, HTK, no norm)."""

    def __init__(
        self,
        sample_rate: int = 16000,
        n_fft: int = 400,
        win_length: int | None = None,
        hop_length: int | None = None,
        f_min: float = 0.0,
        f_max: float | None = None,
        pad: int = 0,
        n_mels: int = 128,
        window_fn: Callable | None = None,
        power: float = 2.0,
        normalized=False,
        wkwargs: dict | None = None,
        center: bool = True,
        pad_mode: str = "reflect",
        onesided: bool | None = None,
        norm: str | None = None,
        mel_scale: str = "htk",
    ):
        self.spectrogram = Spectrogram(
            n_fft,
            win_length,
            hop_length,
            pad,
            window_fn,
            power,
            normalized,
            wkwargs,
            center,
            pad_mode,
            True,
        )
        f_max = f_max if f_max is not None else float(sample_rate // 2)
        self.fb = F.melscale_fbanks(
            n_fft // 2 + 1, f_min, f_max, n_mels, sample_rate, norm, mel_scale
        )
        # With an even rate torchaudio's bins (linspace(0, sr // 2)) are mlxdsp's (k * sr / n_fft), so
        # mlxdsp.mel_spectrogram's sparse banded projection applies; otherwise the dense product.
        self.sparse = None
        if sample_rate % 2 == 0 and pad == 0 and not normalized:
            s = self.spectrogram
            self.sparse = dict(
                sr=sample_rate,
                n_fft=n_fft,
                hop_length=s.hop_length,
                win_length=s.win_length,
                window=s.window,
                center=center,
                pad_mode="edge" if pad_mode == "replicate" else pad_mode,
                power=power,
                n_mels=n_mels,
                fmin=f_min,
                fmax=f_max,
                mel_scale=mel_scale,
                norm=norm,
            )

    def __call__(self, waveform) -> mx.array:
        if self.sparse is not None:
            return mlxdsp.mel_spectrogram(waveform, **self.sparse)
        spec = self.spectrogram(waveform)
        return mx.swapaxes(mx.swapaxes(spec, -1, -2) @ self.fb, -1, -2)


class AmplitudeToDB:
    """torchaudio.transforms.AmplitudeToDB(stype="power"|"magnitude", top_db=None)."""

    def __init__(self, stype: str = "power", top_db: float | None = None):
        if stype not in ("power", "magnitude"):
            raise mlxdsp.ParameterError(
                f"[compat.torchaudio.AmplitudeToDB] stype={stype!r} must be 'power' or 'magnitude'"
            )
        self.multiplier = 10.0 if stype == "power" else 20.0
        self.top_db = top_db
        self.amin = 1e-10

    def __call__(self, x) -> mx.array:
        return F.amplitude_to_DB(x, self.multiplier, self.amin, 0.0, self.top_db)


class MFCC:
    """torchaudio.transforms.MFCC (n_mfcc=40, DCT-II ortho, power dB with top_db=80, per example)."""

    def __init__(
        self,
        sample_rate: int = 16000,
        n_mfcc: int = 40,
        dct_type: int = 2,
        norm: str = "ortho",
        log_mels: bool = False,
        melkwargs: dict | None = None,
    ):
        if dct_type != 2:
            raise mlxdsp.ParameterError(f"[compat.torchaudio.MFCC] dct_type={dct_type!r} must be 2")
        self.mel = MelSpectrogram(sample_rate=sample_rate, **(melkwargs or {}))
        self.log_mels = log_mels
        self.to_db = AmplitudeToDB("power", 80.0)
        self.dct = F.create_dct(n_mfcc, self.mel.fb.shape[1], norm)

    def __call__(self, waveform) -> mx.array:
        mel = self.mel(waveform)
        mel = mx.log(mel + 1e-6) if self.log_mels else self.to_db(mel)
        return mx.swapaxes(mx.swapaxes(mel, -1, -2) @ self.dct, -1, -2)


__all__ = ["MFCC", "AmplitudeToDB", "MelSpectrogram", "Spectrogram"]
