"""Onset strength: spectral flux of a log-power mel spectrogram (librosa 0.11's ``onset`` module).

``onset_strength_multi`` computes, per frame ``t`` and frequency ``f``, the rectified difference
``max(0, S[f, t] - ref[f, t - lag])`` (``ref``: ``S`` max-filtered over frequency), aggregates it over
frequency channels, shifts it by ``lag`` (+ ``n_fft // (2 * hop_length)`` frames with ``center``, the
framing delay) and optionally removes the DC trend with ``lfilter([1, -1], [1, -0.99])``.
"""

from __future__ import annotations

import math
import numbers

import mlx.core as mx
import numpy as np

from . import _checks
from ._errors import ParameterError
from ._fastmath import fast_log
from ._filter import lfilter
from ._frame_pieces import spectra_in_pieces
from ._kernels import mel_projection
from ._mel import _filterbank_options, mel_spectrogram
from ._pcen import frequency_max_filter


def _channel_slices(fn: str, channels, n_bins: int) -> list[slice]:
    """librosa.util.index_to_slice(channels, idx_min=0, idx_max=n_bins, pad=False) (util.sync)."""
    if channels is None:
        return [slice(None)]
    channels = list(channels)
    if channels and all(isinstance(c, slice) for c in channels):
        return channels
    if not channels or not all(
        isinstance(c, numbers.Integral) and not isinstance(c, bool) for c in channels
    ):
        raise ParameterError(
            f"[{fn}] channels={channels!r} must be a non-empty list of ints or of slices"
        )
    if min(channels) < 0:
        raise ParameterError(f"[{fn}] channels={channels!r} must be non-negative")
    bounds = np.unique([c for c in channels if c <= n_bins])
    if bounds.size < 2:
        raise ParameterError(
            f"[{fn}] channels={channels!r} must hold two boundaries <= {n_bins} (one band) or more"
        )
    return [slice(int(lo), int(hi)) for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]


def _spectrum(fn, x, sr, S, n_fft, hop_length, feature, kwargs):
    """The (log-power) spectrogram the flux is taken on, [..., n_bins, n_frames] float32."""
    if S is not None:
        if x is not None:
            raise ParameterError(f"[{fn}] pass either a waveform x or a spectrogram S=, not both")
        if kwargs:
            raise ParameterError(
                f"[{fn}] options {sorted(kwargs)} are for the feature of a waveform x, not for S="
            )
        S = _checks.real_signal(fn, "S", S).astype(mx.float32)
        return S[None] if S.ndim == 1 else S
    if x is None:
        raise ParameterError(f"[{fn}] pass a waveform x or a spectrogram S=")
    if feature is None:
        kwargs = {"pad_mode": "constant", **kwargs}
        S = None
        if isinstance(x, mx.array) and mx.issubdtype(x.dtype, mx.floating):
            # A long row: the mel spectrogram in pieces of frames on two CPU streams.
            S = _mel_in_pieces(x, sr, n_fft, hop_length, kwargs)
        if S is None:
            S = mel_spectrogram(x, sr=sr, n_fft=n_fft, hop_length=hop_length, **kwargs)
    elif callable(feature):
        S = mx.abs(feature(x, sr=sr, n_fft=n_fft, hop_length=hop_length, **kwargs))
    else:
        raise ParameterError(f"[{fn}] feature={feature!r} must be callable or None")
    S = _power_db(S.astype(mx.float32))
    return S[None] if S.ndim == 1 else S


_AMIN, _TOP_DB = 1e-10, 80.0
_MEL_OPTIONS = {
    "n_mels",
    "fmin",
    "fmax",
    "mel_scale",
    "norm",
    "window",
    "win_length",
    "pad_mode",
    "power",
}


def _mel_in_pieces(x, sr, n_fft, hop_length, kwargs):
    """mel_spectrogram(x, sr=sr, n_fft=n_fft, hop_length=hop_length, **kwargs) of a single long row by
    _frame_pieces.spectra_in_pieces (pieces of frames on two CPU streams, frames by phases, the same
    projection per piece), or None where that does not apply (the plain call then runs, and raises
    what it raises)."""
    if not set(kwargs) <= _MEL_OPTIONS:
        return None
    scale, norm = kwargs.get("mel_scale", "slaney"), kwargs.get("norm", "slaney")
    try:
        args = _filterbank_options(
            "mel_spectrogram", sr, n_fft, kwargs.get("n_mels", 128), kwargs.get("fmin", 0.0),
            kwargs.get("fmax"), scale, norm,
        )  # fmt: skip
        power = _checks.positive_number("mel_spectrogram", "power", kwargs.get("power", 2.0))
    except ParameterError:
        return None
    options = (*args, scale, norm)
    return spectra_in_pieces(
        x, lambda X: mel_projection(X, power, None, options), n_fft=n_fft, hop_length=hop_length,
        win_length=kwargs.get("win_length"), window=kwargs.get("window", "hann"), center=True,
        pad_mode=kwargs["pad_mode"], wide=True,
    )  # fmt: skip


@mx.compile
def _db_values(S: mx.array) -> mx.array:
    return (10.0 / math.log(10.0)) * fast_log(mx.maximum(S, _AMIN))


def _power_db(S: mx.array) -> mx.array:
    """power_to_db(S) with its defaults (ref 1, amin 1e-10, top_db 80 below the peak of the whole
    array), the logarithm from exponent bits (_fastmath.fast_log: 128 x 7752 in ~1.5 ms against
    8 ms through mx.log10, within a few float32 ulps). The peak is 10 log10 of the largest power (the
    dB map is increasing), so a NaN anywhere makes every value NaN, as power_to_db."""
    peak = 10.0 * mx.log10(mx.maximum(mx.max(S), _AMIN))
    return mx.maximum(_db_values(S), peak - _TOP_DB)


def _onset_multi(
    fn, x, sr, S, n_fft, hop_length, lag, max_size, ref, detrend, center, feature, aggregate,
    channels, kwargs,
):  # fmt: skip
    sr = _checks.positive_number(fn, "sr", sr)
    n_fft = _checks.positive_int(fn, "n_fft", n_fft)
    hop_length = _checks.positive_int(fn, "hop_length", hop_length)
    lag = _checks.positive_int(fn, "lag", lag)
    max_size = _checks.positive_int(fn, "max_size", max_size)
    detrend = _checks.boolean(fn, "detrend", detrend)
    center = _checks.boolean(fn, "center", center)
    if aggregate is None:
        aggregate = mx.mean
    elif aggregate is not False and not callable(aggregate):
        raise ParameterError(f"[{fn}] aggregate={aggregate!r} must be callable, None or False")
    S = _spectrum(fn, x, sr, S, n_fft, hop_length, feature, kwargs)
    n_frames = S.shape[-1]
    if n_frames <= lag:
        raise ParameterError(f"[{fn}] {n_frames} frames must be more than lag={lag}")
    if ref is None:
        ref = frequency_max_filter(S, max_size)
    else:
        ref = _checks.real_signal(fn, "ref", ref).astype(mx.float32)
        ref = ref[None] if ref.ndim == 1 else ref
        if tuple(ref.shape) != tuple(S.shape):
            raise ParameterError(
                f"[{fn}] ref.shape={tuple(ref.shape)} must equal the spectrogram's {tuple(S.shape)}"
            )
    env = mx.maximum(S[..., lag:] - ref[..., :-lag], 0.0)
    if callable(aggregate):
        slices = _channel_slices(fn, channels, S.shape[-2])
        env = mx.stack([aggregate(env[..., s, :], axis=-2) for s in slices], axis=-2)
    pad = lag + (n_fft // (2 * hop_length) if center else 0)
    env = mx.pad(env, [(0, 0)] * (env.ndim - 1) + [(pad, 0)])
    if detrend:
        env = lfilter(env, mx.array([1.0, -1.0]), mx.array([1.0, -0.99]))
    if center:
        env = env[..., :n_frames]
    return env


def onset_strength_multi(
    x=None,
    *,
    sr: float = 22050,
    S=None,
    n_fft: int = 2048,
    hop_length: int = 512,
    lag: int = 1,
    max_size: int = 1,
    ref=None,
    detrend: bool = False,
    center: bool = True,
    feature=None,
    aggregate=None,
    channels=None,
    **kwargs,
) -> mx.array:
    """Onset strength per frequency channel: rectified spectral flux aggregated over channel bands.

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating, optional
        Waveform (librosa's ``y``).
    sr : float
        Sample rate (Hz), default 22050.
    S : mx.array [shape=(..., n_bins, n_frames)], optional
        A (log-power) spectrogram instead of ``x``, used as is.
    n_fft, hop_length : int
        Frame geometry of the spectrogram (also sets the ``center`` shift when ``S`` is given).
    lag : int > 0
        Time lag (frames) of the difference.
    max_size : int > 0
        Maximum-filter size over frequency for the reference (1: no filter; >1: SuperFlux, Böck and
        Widmer 2013).
    ref : mx.array [shape=S.shape], optional
        Reference spectrogram instead of the max-filtered ``S``.
    detrend : bool
        Remove the DC component with ``lfilter([1, -1], [1, -0.99])`` along time.
    center : bool
        Shift by ``n_fft // (2 * hop_length)`` frames to undo the framing delay and trim to the
        spectrogram's frame count.
    feature : callable, optional
        Spectrogram of ``x``, called as ``feature(x, sr=sr, n_fft=n_fft, hop_length=hop_length,
        **kwargs)`` and converted with ``power_to_db(abs(.))``; an mlxdsp function or any MLX function
        with that signature (librosa passes ``y=`` by keyword and accepts NumPy functions; these must
        take and return ``mx.array``). Default: :func:`mel_spectrogram` with librosa's
        ``melspectrogram`` defaults (``pad_mode="constant"``, 128 slaney mel bands up to ``sr / 2``).
    aggregate : callable, None or False
        Reduction over the frequency bins of a channel, called as ``aggregate(x, axis=-2)``: an MLX
        reduction such as ``mx.mean`` (default) or ``mx.max`` (librosa takes NumPy functions such as
        ``np.median``; those would force evaluation and are not supported). False: no aggregation.
    channels : list of int or list of slice, optional
        Channel boundaries (bin indices; out-of-range ones are dropped, librosa's ``util.sync`` with
        ``pad=False``) or slices. Default: one channel with every bin.
    **kwargs
        Options for ``feature`` (for the default: :func:`mel_spectrogram`'s, e.g. ``n_mels``,
        ``fmax``, ``window``, ``mel_scale``; mlxdsp's names, not librosa's ``htk=``).

    Returns
    -------
    mx.array [shape=(..., n_channels, n_frames)], float32 (without ``center``: the frame count minus
    nothing, as librosa: ``n_frames - lag + lag``).

    Notes
    -----
    The default ``power_to_db`` floors at 80 dB below the peak of the whole array, leading dims
    included (librosa), so a batch of waveforms is not the same as each one alone: pass ``S=`` (e.g.
    ``log_mel_spectrogram(..., top_db_scope="per_example")``) for independent examples.

    Transforms: compile, grad, vjp, jvp; vmap with ``S=`` (the dB floor couples a waveform batch).

    Examples
    --------
    >>> import mlx.core as mx
    >>> env = onset_strength_multi(mx.random.normal((22050,)), sr=22050, channels=[0, 32, 64, 128])
    >>> env.shape
    (3, 44)
    """
    return _onset_multi(
        "onset_strength_multi", x, sr, S, n_fft, hop_length, lag, max_size, ref, detrend, center,
        feature, aggregate, channels, kwargs,
    )  # fmt: skip


def onset_strength(
    x=None,
    *,
    sr: float = 22050,
    S=None,
    n_fft: int = 2048,
    hop_length: int = 512,
    lag: int = 1,
    max_size: int = 1,
    ref=None,
    detrend: bool = False,
    center: bool = True,
    feature=None,
    aggregate=None,
    **kwargs,
) -> mx.array:
    """Onset strength envelope: spectral flux of a log-power mel spectrogram, averaged over frequency.

    Parameters are those of :func:`onset_strength_multi` with one channel holding every bin;
    ``aggregate=False`` is refused (it gives one envelope per bin: use ``onset_strength_multi``).

    Returns
    -------
    mx.array [shape=(..., n_frames)], float32.

    Transforms: compile, grad, vjp, jvp; vmap with ``S=`` (the dB floor couples a waveform batch).

    Examples
    --------
    >>> import mlx.core as mx
    >>> onset_strength(mx.random.normal((22050,)), sr=22050).shape
    (44,)
    """
    fn = "onset_strength"
    if aggregate is False:
        raise ParameterError(
            f"[{fn}] aggregate=False gives one envelope per bin: use onset_strength_multi"
        )
    env = _onset_multi(
        fn, x, sr, S, n_fft, hop_length, lag, max_size, ref, detrend, center, feature, aggregate,
        None, kwargs,
    )  # fmt: skip
    return env[..., 0, :]
