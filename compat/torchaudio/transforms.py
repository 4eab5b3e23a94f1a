"""torchaudio.transforms as option-carrying callables over pure functions (no parameters, no state)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import mlx.core as mx
import numpy as np

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


class MelScale:
    """torchaudio.transforms.MelScale: [..., n_stft, time] -> [..., n_mels, time] (HTK, no norm)."""

    def __init__(
        self,
        n_mels: int = 128,
        sample_rate: int = 16000,
        f_min: float = 0.0,
        f_max: float | None = None,
        n_stft: int = 201,
        norm: str | None = None,
        mel_scale: str = "htk",
    ):
        f_max = f_max if f_max is not None else float(sample_rate // 2)
        self.fb = F.melscale_fbanks(n_stft, f_min, f_max, n_mels, sample_rate, norm, mel_scale)

    def __call__(self, specgram) -> mx.array:
        return mx.swapaxes(mx.swapaxes(specgram, -1, -2) @ self.fb, -1, -2)


class InverseSpectrogram:
    """torchaudio.transforms.InverseSpectrogram (n_fft=400, hop=win_length // 2, periodic Hann);
    ``__call__(spectrogram, length=None)``."""

    def __init__(
        self,
        n_fft: int = 400,
        win_length: int | None = None,
        hop_length: int | None = None,
        pad: int = 0,
        window_fn: Callable | None = None,
        normalized=False,
        wkwargs: dict | None = None,
        center: bool = True,
        pad_mode: str = "reflect",
        onesided: bool = True,
    ):
        self.n_fft = n_fft
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.pad, self.normalized = pad, normalized
        self.center, self.pad_mode, self.onesided = center, pad_mode, onesided
        self.window = _window(window_fn, self.win_length, wkwargs)

    def __call__(self, spectrogram, length: int | None = None) -> mx.array:
        return F.inverse_spectrogram(
            spectrogram,
            length,
            self.pad,
            self.window,
            self.n_fft,
            self.hop_length,
            self.win_length,
            self.normalized,
            self.center,
            self.pad_mode,
            self.onesided,
        )


class GriffinLim:
    """torchaudio.transforms.GriffinLim (n_fft=400, n_iter=32, power=2, momentum=0.99, random init).

    ``__call__(specgram, key=None)``: ``key`` (mlxdsp's) seeds the random initial phases.
    """

    def __init__(
        self,
        n_fft: int = 400,
        n_iter: int = 32,
        win_length: int | None = None,
        hop_length: int | None = None,
        window_fn: Callable | None = None,
        power: float = 2.0,
        wkwargs: dict | None = None,
        momentum: float = 0.99,
        length: int | None = None,
        rand_init: bool = True,
    ):
        if not 0 <= momentum < 1:
            raise mlxdsp.ParameterError(
                f"[compat.torchaudio.GriffinLim] momentum={momentum!r} must be in [0, 1)"
            )
        self.n_fft, self.n_iter = n_fft, n_iter
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.window = _window(window_fn, self.win_length, wkwargs)
        self.power, self.momentum, self.length, self.rand_init = power, momentum, length, rand_init

    def __call__(self, specgram, key: mx.array | None = None) -> mx.array:
        return F.griffinlim(
            specgram,
            self.window,
            self.n_fft,
            self.hop_length,
            self.win_length,
            self.power,
            self.n_iter,
            self.momentum,
            self.length,
            self.rand_init,
            key=key,
        )


class Resample:
    """torchaudio.transforms.Resample (16000 -> 16000, sinc_interp_hann, width 6, rolloff 0.99)."""

    def __init__(
        self,
        orig_freq: int = 16000,
        new_freq: int = 16000,
        resampling_method: str = "sinc_interp_hann",
        lowpass_filter_width: int = 6,
        rolloff: float = 0.99,
        beta: float | None = None,
        *,
        dtype=None,
    ):
        self.orig_freq, self.new_freq = orig_freq, new_freq
        self.resampling_method, self.lowpass_filter_width = resampling_method, lowpass_filter_width
        self.rolloff, self.beta = rolloff, beta

    def __call__(self, waveform) -> mx.array:
        return F.resample(
            waveform,
            self.orig_freq,
            self.new_freq,
            self.lowpass_filter_width,
            self.rolloff,
            self.resampling_method,
            self.beta,
        )


class TimeStretch:
    """torchaudio.transforms.TimeStretch (n_freq=201, hop_length=n_fft // 2): phase vocoder with
    ``phase_advance = linspace(0, pi * hop_length, n_freq)``; ``__call__(spec, overriding_rate=None)``."""

    def __init__(
        self, hop_length: int | None = None, n_freq: int = 201, fixed_rate: float | None = None
    ):
        n_fft = (n_freq - 1) * 2
        hop_length = hop_length if hop_length is not None else n_fft // 2
        self.fixed_rate = fixed_rate
        self.phase_advance = mx.array(
            np.linspace(0, math.pi * hop_length, n_freq, dtype=np.float32)[:, None]
        )

    def __call__(self, complex_specgrams, overriding_rate: float | None = None) -> mx.array:
        rate = overriding_rate if overriding_rate is not None else self.fixed_rate
        if rate is None:
            raise mlxdsp.ParameterError(
                "[compat.torchaudio.TimeStretch] overriding_rate=None needs fixed_rate to be set"
            )
        return F.phase_vocoder(complex_specgrams, rate, self.phase_advance)


class SpectralCentroid:
    """torchaudio.transforms.SpectralCentroid (n_fft=400, hop=win_length // 2, periodic Hann)."""

    def __init__(
        self,
        sample_rate: int,
        n_fft: int = 400,
        win_length: int | None = None,
        hop_length: int | None = None,
        pad: int = 0,
        window_fn: Callable | None = None,
        wkwargs: dict | None = None,
    ):
        self.sample_rate, self.n_fft, self.pad = sample_rate, n_fft, pad
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.window = _window(window_fn, self.win_length, wkwargs)

    def __call__(self, waveform) -> mx.array:
        return F.spectral_centroid(
            waveform,
            self.sample_rate,
            self.pad,
            self.window,
            self.n_fft,
            self.hop_length,
            self.win_length,
        )


class _Unary:
    """An option-carrying callable over one functional: ``fn(x, *self.args)``."""

    fn: Callable

    def __init__(self, *args):
        self.args = args

    def __call__(self, x) -> mx.array:
        return type(self).fn(x, *self.args)


class MuLawEncoding(_Unary):
    """torchaudio.transforms.MuLawEncoding(quantization_channels=256)."""

    fn = staticmethod(F.mu_law_encoding)

    def __init__(self, quantization_channels: int = 256):
        super().__init__(quantization_channels)


class MuLawDecoding(_Unary):
    """torchaudio.transforms.MuLawDecoding(quantization_channels=256)."""

    fn = staticmethod(F.mu_law_decoding)

    def __init__(self, quantization_channels: int = 256):
        super().__init__(quantization_channels)


class Preemphasis(_Unary):
    """torchaudio.transforms.Preemphasis(coeff=0.97)."""

    fn = staticmethod(F.preemphasis)

    def __init__(self, coeff: float = 0.97):
        super().__init__(coeff)


class Deemphasis(_Unary):
    """torchaudio.transforms.Deemphasis(coeff=0.97) (clamped to [-1, 1], as torchaudio)."""

    fn = staticmethod(F.deemphasis)

    def __init__(self, coeff: float = 0.97):
        super().__init__(coeff)


class ComputeDeltas(_Unary):
    """torchaudio.transforms.ComputeDeltas(win_length=5, mode="replicate")."""

    fn = staticmethod(F.compute_deltas)

    def __init__(self, win_length: int = 5, mode: str = "replicate"):
        super().__init__(win_length, mode)


class Vol:
    """torchaudio.transforms.Vol(gain, gain_type="amplitude"|"db"|"power"), output clamped to [-1, 1]."""

    def __init__(self, gain: float, gain_type: str = "amplitude"):
        if gain_type not in ("amplitude", "db", "power"):
            raise mlxdsp.ParameterError(
                f"[compat.torchaudio.Vol] gain_type={gain_type!r} must be one of "
                "'amplitude', 'db', 'power'"
            )
        if gain_type in ("amplitude", "power") and gain < 0:
            raise mlxdsp.ParameterError(
                f"[compat.torchaudio.Vol] gain={gain!r} must be >= 0 for gain_type={gain_type!r}"
            )
        self.gain, self.gain_type = gain, gain_type

    def __call__(self, waveform) -> mx.array:
        if self.gain_type == "amplitude":
            waveform = waveform * self.gain
        elif self.gain_type == "db":
            waveform = F.gain(waveform, self.gain)
        else:
            waveform = F.gain(waveform, 10 * math.log10(self.gain))
        return mx.clip(waveform, -1.0, 1.0)


class PitchShift:
    """torchaudio.transforms.PitchShift(sample_rate, n_steps, bins_per_octave=12, n_fft=512,
    win_length=None, hop_length=None (win_length // 4), window_fn=hann, wkwargs=None)."""

    def __init__(
        self,
        sample_rate: int,
        n_steps: float,
        bins_per_octave: int = 12,
        n_fft: int = 512,
        win_length: int | None = None,
        hop_length: int | None = None,
        window_fn: Callable | None = None,
        wkwargs: dict | None = None,
    ):
        self.sample_rate, self.n_steps, self.bins_per_octave = sample_rate, n_steps, bins_per_octave
        self.n_fft = n_fft
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 4
        self.window = _window(window_fn, self.win_length, wkwargs)

    def __call__(self, waveform) -> mx.array:
        return F.pitch_shift(
            waveform,
            self.sample_rate,
            self.n_steps,
            self.bins_per_octave,
            self.n_fft,
            self.win_length,
            self.hop_length,
            self.window,
        )


_FADE_SHAPES = ("quarter_sine", "half_sine", "linear", "logarithmic", "exponential")


@functools.lru_cache(maxsize=64)
def _fade_envelope(n: int, fade_in_len: int, fade_out_len: int, shape: str) -> mx.array:
    """Product of torchaudio's fade-in and fade-out curves over ``n`` samples (float64 design)."""
    t = np.linspace(0.0, 1.0, fade_in_len)
    fade_in = {
        "linear": t,
        "exponential": np.power(2.0, t - 1) * t,
        "logarithmic": np.log10(0.1 + t) + 1,
        "quarter_sine": np.sin(t * math.pi / 2),
        "half_sine": np.sin(t * math.pi - math.pi / 2) / 2 + 0.5,
    }[shape]
    t = np.linspace(0.0, 1.0, fade_out_len)
    fade_out = {
        "linear": 1 - t,
        "exponential": np.power(2.0, -t) * (1 - t),
        "logarithmic": np.log10(1.1 - t) + 1,
        "quarter_sine": np.sin(t * math.pi / 2 + math.pi / 2),
        "half_sine": np.sin(t * math.pi + math.pi / 2) / 2 + 0.5,
    }[shape]
    env_in = np.clip(np.concatenate([fade_in, np.ones(n - fade_in_len)]), 0, 1)
    env_out = np.clip(np.concatenate([np.ones(n - fade_out_len), fade_out]), 0, 1)
    return mx.array((env_in * env_out).astype(np.float32))


class Fade:
    """torchaudio.transforms.Fade(fade_in_len=0, fade_out_len=0, fade_shape="linear"): the waveform
    times torchaudio's fade-in and fade-out curves (envelope built once per length, float64 design)."""

    def __init__(self, fade_in_len: int = 0, fade_out_len: int = 0, fade_shape: str = "linear"):
        if fade_shape not in _FADE_SHAPES:
            raise mlxdsp.ParameterError(
                f"[compat.torchaudio.Fade] fade_shape={fade_shape!r} must be one of "
                + ", ".join(map(repr, _FADE_SHAPES))
            )
        self.fade_in_len, self.fade_out_len = int(fade_in_len), int(fade_out_len)
        self.fade_shape = fade_shape

    def __call__(self, waveform) -> mx.array:
        n = waveform.shape[-1]
        if max(self.fade_in_len, self.fade_out_len) > n:
            raise mlxdsp.ParameterError(
                f"[compat.torchaudio.Fade] fade_in_len={self.fade_in_len}, "
                f"fade_out_len={self.fade_out_len} must not exceed the waveform length {n}"
            )
        env = _fade_envelope(n, self.fade_in_len, self.fade_out_len, self.fade_shape)
        return waveform * env


__all__ = [
    "MFCC",
    "AmplitudeToDB",
    "ComputeDeltas",
    "Deemphasis",
    "Fade",
    "GriffinLim",
    "InverseSpectrogram",
    "MelScale",
    "MelSpectrogram",
    "MuLawDecoding",
    "MuLawEncoding",
    "PitchShift",
    "Preemphasis",
    "Resample",
    "SpectralCentroid",
    "Spectrogram",
    "TimeStretch",
    "Vol",
]
