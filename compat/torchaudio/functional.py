"""torchaudio.functional: torchaudio 2.x's names, positional signatures and defaults over mlxdsp.

Where torchaudio's semantics differ from mlxdsp's function the torchaudio behaviour is reproduced here:
``lfilter``/``biquad``/``deemphasis`` clamp to [-1, 1] by default, ``lfilter`` takes ``(a, b)`` and
batches filters over the channel axis, ``filtfilt`` runs forward then backward without edge padding,
``griffinlim`` uses reflect padding and torchaudio's initial phases, ``phase_vocoder`` takes an explicit
``phase_advance``.
"""

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


def _coeffs(v) -> mx.array:
    return v.astype(mx.float32) if isinstance(v, mx.array) else mx.array(v, dtype=mx.float32)


def DB_to_amplitude(x, ref: float, power: float) -> mx.array:  # noqa: N802
    """torchaudio.functional.DB_to_amplitude: ``ref * (10 ** (0.1 * x)) ** power``."""
    return ref * mx.power(10.0, (0.1 * power) * x)


def gain(waveform, gain_db: float = 1.0) -> mx.array:
    """torchaudio.functional.gain: ``waveform * 10 ** (gain_db / 20)`` (no clamping)."""
    if gain_db == 0:
        return waveform
    return waveform * (10.0 ** (gain_db / 20.0))


def spectral_centroid(
    waveform, sample_rate: int, pad: int, window, n_fft: int, hop_length: int, win_length: int
) -> mx.array:
    """torchaudio.functional.spectral_centroid: magnitude-weighted mean of linspace(0, sr // 2) bins."""
    spec = spectrogram(waveform, pad, window, n_fft, hop_length, win_length, 1.0, False)
    freqs = mx.array(np.linspace(0, sample_rate // 2, 1 + n_fft // 2, dtype=np.float32))[:, None]
    return mx.sum(freqs * spec, axis=-2) / mx.sum(spec, axis=-2)


def inverse_spectrogram(
    spectrogram,
    length: int | None,
    pad: int,
    window,
    n_fft: int,
    hop_length: int,
    win_length: int,
    normalized,
    center: bool = True,
    pad_mode: str = "reflect",
    onesided: bool = True,
) -> mx.array:
    """torchaudio.functional.inverse_spectrogram: torch.istft of a complex spectrogram; ``pad`` samples
    are cut from both ends only when ``length`` is given (as torchaudio does)."""
    if not mx.issubdtype(spectrogram.dtype, mx.complexfloating):
        raise mlxdsp.ParameterError(
            f"[{_FN}.inverse_spectrogram] spectrogram dtype={spectrogram.dtype} must be complex"
        )
    if normalized is True or normalized == "window":
        w = mx.array(window, dtype=mx.float32)
        spectrogram = spectrogram * mx.sqrt(mx.sum(w * w))
    y = mlxdsp.istft(
        spectrogram,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        normalized=normalized == "frame_length",
        onesided=onesided,
        length=None if length is None else length + 2 * pad,
    )
    if length is not None and pad > 0:
        y = y[..., pad:-pad]
    return y


def griffinlim(
    specgram,
    window,
    n_fft: int,
    hop_length: int,
    win_length: int,
    power: float,
    n_iter: int,
    momentum: float,
    length: int | None,
    rand_init: bool,
    *,
    key: mx.array | None = None,
) -> mx.array:
    """torchaudio.functional.griffinlim: fast Griffin-Lim on ``specgram ** (1 / power)`` with
    torch.stft's reflect padding. ``rand_init=True`` starts, as torchaudio, from complex phases whose
    real and imaginary parts are uniform in [0, 1) (from ``key``, an ``mx.random.key``: torch's random
    stream cannot be reproduced), ``False`` from phase zero. Extra keyword ``key`` is mlxdsp's."""
    if not 0 <= momentum < 1:
        raise mlxdsp.ParameterError(f"[{_FN}.griffinlim] momentum={momentum!r} must be in [0, 1)")
    S = mx.power(specgram, 1.0 / power) if power != 1.0 else specgram
    if rand_init:
        k1, k2 = mx.random.split(key if key is not None else mx.random.key(0))
        init = mx.random.uniform(shape=S.shape, key=k1) + 1j * mx.random.uniform(
            shape=S.shape, key=k2
        )
    else:
        init = "zeros"
    return mlxdsp.griffin_lim(
        S,
        n_iter=n_iter,
        hop_length=hop_length,
        win_length=win_length,
        n_fft=n_fft,
        window=window,
        center=True,
        length=length,
        pad_mode="reflect",
        momentum=momentum,
        init=init,
    )


def phase_vocoder(complex_specgrams, rate: float, phase_advance) -> mx.array:
    """torchaudio.functional.phase_vocoder: ``complex_specgrams`` [..., freq, time] sped up by ``rate``
    (output length ``ceil(time / rate)``); ``phase_advance`` [freq, 1] is the expected per-hop phase
    advance (TimeStretch's ``linspace(0, pi * hop_length, freq)``).

    Notes
    -----
    In torchaudio's recursion ``phase_advance`` only unwraps: it adds multiples of 2 pi to each phase
    increment, so the output does not depend on it in exact arithmetic. This shim therefore runs
    ``mlxdsp.phase_vocoder`` (the same algorithm, librosa's) with ``hop_length=1``, which keeps the
    accumulated phase small: within 1e-6 of a float64 evaluation, where torchaudio's own float32
    accumulation of ``pi * hop_length``-sized advances drifts by ~1e-4 relative.
    """
    del phase_advance  # only adds multiples of 2 pi: see Notes
    if rate == 1.0:
        return complex_specgrams
    return mlxdsp.phase_vocoder(complex_specgrams, rate=rate, hop_length=1)


_METHODS = ("sinc_interp_hann", "sinc_interp_kaiser")


def resample(
    waveform,
    orig_freq: int,
    new_freq: int,
    lowpass_filter_width: int = 6,
    rolloff: float = 0.99,
    resampling_method: str = "sinc_interp_hann",
    beta: float | None = None,
) -> mx.array:
    """torchaudio.functional.resample: windowed-sinc interpolation (``"sinc_interp_hann"`` or
    ``"sinc_interp_kaiser"``), output length ``ceil(n * new_freq / orig_freq)``."""
    if orig_freq <= 0 or new_freq <= 0:
        raise mlxdsp.ParameterError(
            f"[{_FN}.resample] orig_freq={orig_freq!r}, new_freq={new_freq!r} must be positive"
        )
    if resampling_method not in _METHODS:
        raise mlxdsp.ParameterError(
            f"[{_FN}.resample] resampling_method={resampling_method!r} must be one of "
            + ", ".join(map(repr, _METHODS))
        )
    if orig_freq == new_freq:
        return waveform
    return mlxdsp.resample(
        waveform,
        orig_sr=int(orig_freq),
        target_sr=int(new_freq),
        method=resampling_method,
        lowpass_filter_width=lowpass_filter_width,
        rolloff=rolloff,
        beta=beta,
    )


def lfilter(waveform, a_coeffs, b_coeffs, clamp: bool = True, batching: bool = True) -> mx.array:
    """torchaudio.functional.lfilter: note the ``(a, b)`` order. 1-D coefficients filter every row;
    2-D ``[n_filters, order + 1]`` with ``batching=True`` filter row ``i`` of the second-to-last axis
    with filter ``i``, with ``batching=False`` apply every filter to every row (a new ``n_filters`` axis
    before time). Zero initial state; output clamped to [-1, 1] when ``clamp``."""
    a, b = _coeffs(a_coeffs), _coeffs(b_coeffs)
    if a.shape != b.shape or a.ndim not in (1, 2):
        raise mlxdsp.ParameterError(
            f"[{_FN}.lfilter] a_coeffs.shape={tuple(a.shape)} and b_coeffs.shape={tuple(b.shape)} "
            "must be equal, 1-D or 2-D"
        )
    if a.ndim == 2:
        if batching:
            if waveform.ndim < 2 or waveform.shape[-2] != a.shape[0]:
                raise mlxdsp.ParameterError(
                    f"[{_FN}.lfilter] waveform.shape={tuple(waveform.shape)} must have "
                    f"{a.shape[0]} rows (one per filter) on its second-to-last axis"
                )
        else:
            waveform = mx.repeat(mx.expand_dims(waveform, -2), a.shape[0], axis=-2)
    y = mlxdsp.lfilter(waveform, b, a)
    return mx.clip(y, -1.0, 1.0) if clamp else y


def filtfilt(waveform, a_coeffs, b_coeffs, clamp: bool = True) -> mx.array:
    """torchaudio.functional.filtfilt: ``lfilter`` forward (unclamped), then backward (clamped when
    ``clamp``), zero initial state and no edge padding (unlike scipy/mlxdsp ``filtfilt``)."""
    forward = lfilter(waveform, a_coeffs, b_coeffs, clamp=False, batching=True)
    backward = lfilter(forward[..., ::-1], a_coeffs, b_coeffs, clamp=clamp, batching=True)
    return backward[..., ::-1]


def biquad(waveform, b0, b1, b2, a0, a1, a2) -> mx.array:
    """torchaudio.functional.biquad: second-order IIR, output clamped to [-1, 1]."""
    b = mx.stack([mx.array(v, dtype=mx.float32) for v in (b0, b1, b2)])
    a = mx.stack([mx.array(v, dtype=mx.float32) for v in (a0, a1, a2)])
    return mlxdsp.biquad(waveform, b, a, clamp=True)


def lowpass_biquad(waveform, sample_rate: int, cutoff_freq: float, Q: float = 0.707) -> mx.array:  # noqa: N803
    """torchaudio.functional.lowpass_biquad (RBJ cookbook, clamped)."""
    return mlxdsp.lowpass_biquad(waveform, sample_rate=sample_rate, cutoff_freq=cutoff_freq, Q=Q)


def highpass_biquad(waveform, sample_rate: int, cutoff_freq: float, Q: float = 0.707) -> mx.array:  # noqa: N803
    """torchaudio.functional.highpass_biquad (RBJ cookbook, clamped)."""
    return mlxdsp.highpass_biquad(waveform, sample_rate=sample_rate, cutoff_freq=cutoff_freq, Q=Q)


def bandpass_biquad(
    waveform,
    sample_rate: int,
    central_freq: float,
    Q: float = 0.707,  # noqa: N803
    const_skirt_gain: bool = False,
) -> mx.array:
    """torchaudio.functional.bandpass_biquad (RBJ cookbook, clamped)."""
    return mlxdsp.bandpass_biquad(
        waveform,
        sample_rate=sample_rate,
        central_freq=central_freq,
        Q=Q,
        const_skirt_gain=const_skirt_gain,
    )


def bandreject_biquad(
    waveform, sample_rate: int, central_freq: float, Q: float = 0.707
) -> mx.array:  # noqa: N803
    """torchaudio.functional.bandreject_biquad (RBJ cookbook, clamped)."""
    return mlxdsp.bandreject_biquad(
        waveform, sample_rate=sample_rate, central_freq=central_freq, Q=Q
    )


def allpass_biquad(waveform, sample_rate: int, central_freq: float, Q: float = 0.707) -> mx.array:  # noqa: N803
    """torchaudio.functional.allpass_biquad (RBJ cookbook, clamped)."""
    return mlxdsp.allpass_biquad(waveform, sample_rate=sample_rate, central_freq=central_freq, Q=Q)


def equalizer_biquad(
    waveform,
    sample_rate: int,
    center_freq: float,
    gain: float,
    Q: float = 0.707,  # noqa: N803
) -> mx.array:
    """torchaudio.functional.equalizer_biquad (RBJ peaking EQ, clamped)."""
    return mlxdsp.equalizer_biquad(
        waveform, sample_rate=sample_rate, center_freq=center_freq, gain=gain, Q=Q
    )


def bass_biquad(
    waveform,
    sample_rate: int,
    gain: float,
    central_freq: float = 100,
    Q: float = 0.707,  # noqa: N803
) -> mx.array:
    """torchaudio.functional.bass_biquad (low shelf, clamped)."""
    return mlxdsp.bass_biquad(
        waveform, sample_rate=sample_rate, gain=gain, central_freq=central_freq, Q=Q
    )


def treble_biquad(
    waveform,
    sample_rate: int,
    gain: float,
    central_freq: float = 3000,
    Q: float = 0.707,  # noqa: N803
) -> mx.array:
    """torchaudio.functional.treble_biquad (high shelf, clamped)."""
    return mlxdsp.treble_biquad(
        waveform, sample_rate=sample_rate, gain=gain, central_freq=central_freq, Q=Q
    )


def pitch_shift(
    waveform,
    sample_rate: int,
    n_steps: float,
    bins_per_octave: int = 12,
    n_fft: int = 512,
    win_length: int | None = None,
    hop_length: int | None = None,
    window=None,
) -> mx.array:
    """torchaudio.functional.pitch_shift: STFT (reflect), ``phase_vocoder`` by
    ``rate = 2 ** (-n_steps / bins_per_octave)``, inverse STFT to ``round(n / rate)`` samples, then
    ``resample`` from ``int(sample_rate / rate)`` to ``sample_rate`` and cut/zero-pad to ``n``.
    Defaults: ``win_length = n_fft``, ``hop_length = n_fft // 4``, periodic Hann. As in torchaudio the
    resampling ratio is rarely reducible, so most ``n_steps`` build a large sinc kernel."""
    win_length = n_fft if win_length is None else win_length
    hop_length = n_fft // 4 if hop_length is None else hop_length
    window = mlxdsp.get_window("hann", win_length) if window is None else window
    n = waveform.shape[-1]
    rate = 2.0 ** (-float(n_steps) / bins_per_octave)
    spec = spectrogram(waveform, 0, window, n_fft, hop_length, win_length, None, False)
    spec = phase_vocoder(spec, rate, None)
    y = mlxdsp.istft(
        spec,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        length=int(round(n / rate)),
    )
    y = resample(y, int(sample_rate / rate), sample_rate)
    if y.shape[-1] >= n:
        return y[..., :n]
    return mx.pad(y, [(0, 0)] * (y.ndim - 1) + [(0, n - y.shape[-1])])


def preemphasis(waveform, coeff: float = 0.97) -> mx.array:
    """torchaudio.functional.preemphasis: ``y[n] = x[n] - coeff x[n-1]``, ``y[0] = x[0]``."""
    return mlxdsp.preemphasis(waveform, coef=coeff, zi=0.0)


def deemphasis(waveform, coeff: float = 0.97) -> mx.array:
    """torchaudio.functional.deemphasis: ``y[n] = x[n] + coeff y[n-1]`` from rest, clamped to [-1, 1]
    (torchaudio runs it through ``lfilter``'s default ``clamp=True``)."""
    return mx.clip(mlxdsp.deemphasis(waveform, coef=coeff, zi=0.0), -1.0, 1.0)


def mu_law_encoding(x, quantization_channels: int) -> mx.array:
    """torchaudio.functional.mu_law_encoding (codes as int32; torchaudio returns int64)."""
    return mlxdsp.mu_law_encoding(x, quantization_channels=quantization_channels)


def mu_law_decoding(x_mu, quantization_channels: int) -> mx.array:
    """torchaudio.functional.mu_law_decoding: codes back to [-1, 1] floats."""
    return mlxdsp.mu_law_decoding(x_mu, quantization_channels=quantization_channels)


def fftconvolve(x, y, mode: str = "full") -> mx.array:
    """torchaudio.functional.fftconvolve along the last axis, leading dims broadcast."""
    return mlxdsp.fftconvolve(x, y, mode=mode)


def convolve(x, y, mode: str = "full") -> mx.array:
    """torchaudio.functional.convolve along the last axis, leading dims broadcast."""
    return mlxdsp.convolve(x, y, mode=mode)


__all__ = [
    "DB_to_amplitude",
    "allpass_biquad",
    "amplitude_to_DB",
    "bandpass_biquad",
    "bandreject_biquad",
    "bass_biquad",
    "biquad",
    "compute_deltas",
    "convolve",
    "create_dct",
    "deemphasis",
    "equalizer_biquad",
    "fftconvolve",
    "filtfilt",
    "gain",
    "griffinlim",
    "highpass_biquad",
    "inverse_spectrogram",
    "lfilter",
    "lowpass_biquad",
    "melscale_fbanks",
    "mu_law_decoding",
    "mu_law_encoding",
    "phase_vocoder",
    "pitch_shift",
    "preemphasis",
    "resample",
    "spectral_centroid",
    "spectrogram",
    "treble_biquad",
]
