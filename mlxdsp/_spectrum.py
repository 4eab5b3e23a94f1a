"""Magnitude and power spectrograms, and magnitude/phase separation."""

from __future__ import annotations

import functools

import mlx.core as mx

from . import _checks, _parallel
from ._complex_views import as_complex
from ._stft import stft, stft_in_pieces, stft_row_bytes


# Elementwise chains over spectra are compiled: eagerly, each MLX op allocates a fresh spectrum-sized
# buffer (page faults dominate at these sizes on Linux); fused, |X|^2 of a 7752 x 1025 spectrum takes
# 5 ms instead of 160. Inside a caller's mx.compile they are inlined; grad, jvp and vmap see through them.
@functools.partial(mx.compile, shapeless=True)
def _power(X: mx.array) -> mx.array:
    re, im = mx.real(X), mx.imag(X)
    return re * re + im * im


@functools.partial(mx.compile, shapeless=True)
def _power_cotangent_pairs(X: mx.array, g: mx.array) -> mx.array:
    twice = g + g
    return mx.stack([mx.real(X) * twice, mx.imag(X) * twice], axis=-1)


@functools.partial(mx.compile, shapeless=True)
def _power_tangent(X: mx.array, T: mx.array) -> mx.array:
    dot = mx.real(X) * mx.real(T) + mx.imag(X) * mx.imag(T)
    return dot + dot


@mx.custom_function
def power_of(X: mx.array) -> mx.array:
    """|X|^2 as re^2 + im^2: exact, cheap on CPU, and JIT-safe on CUDA (DESIGN.md).

    Its vjp builds the complex cotangent 2 g X from (re, im) pairs: MLX's own, through real() and
    imag(), multiplies complex arrays and takes ~6x as long on the CPU."""
    return _power(mx.stop_gradient(X))


@power_of.vjp
def _power_of_vjp(primals, cotangent, output):
    if not mx.issubdtype(primals.dtype, mx.complexfloating):
        return 2 * primals * cotangent
    pairs = _power_cotangent_pairs(primals, cotangent)
    return as_complex(pairs.reshape(*pairs.shape[:-2], -1))


@power_of.jvp
def _power_of_jvp(primals, tangents):
    return _power_tangent(primals, tangents)


@functools.lru_cache(maxsize=16)
def _root(exponent: float):
    def root(power: mx.array) -> mx.array:
        positive = power > 0
        safe = mx.where(positive, power, 1.0)
        value = mx.sqrt(safe) if exponent == 1.0 else mx.power(safe, exponent / 2.0)
        return mx.where(positive, value, 0.0)

    return mx.compile(root, shapeless=True)


def magnitude_from_power(power: mx.array, exponent: float = 1.0) -> mx.array:
    """power ** (exponent / 2) with a zero (not NaN) gradient where power == 0, as torch's abs."""
    if exponent == 2.0:
        return power
    return _root(float(exponent))(power)


def spectrogram(
    x,
    *,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
    power: float = 2.0,
) -> mx.array:
    """Magnitude (``power=1``) or power (``power=2``, default) spectrogram ``|stft(x)| ** power``.

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating
    power : float > 0
        Exponent of the magnitude. Zero bins have a zero gradient (torch's convention for ``abs``).
    n_fft, hop_length, win_length, window, center, pad_mode, normalized
        As :func:`stft`.

    Returns
    -------
    mx.array [shape=(..., n_fft // 2 + 1, n_frames)], float32.

    Transforms: compile, grad, vjp, jvp, vmap.
    """
    x = _checks.real_signal("spectrogram", "x", x)
    power = _checks.positive_number("spectrogram", "power", power)

    def pipeline(signal: mx.array) -> mx.array:
        X = stft(
            signal,
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
            normalized=normalized,
        )
        return magnitude_from_power(power_of(X), power)

    # The complex spectrum is discarded: two CPU cores, half the batch each, in pieces (_parallel.py).
    return _parallel.batch_halves(
        pipeline, x, row_bytes=stft_row_bytes(x, n_fft, hop_length, win_length)
    )


def reduced_spectrogram(
    x: mx.array,
    reduce,
    *,
    n_fft: int,
    hop_length,
    win_length,
    window,
    center: bool,
    pad_mode: str,
    power: float = 1.0,
) -> mx.array:
    """``reduce(spectrogram(x, ...))`` for a frame-wise ``reduce`` ([..., n_freq, n_frames] ->
    [..., k, n_frames]), computed in runs of frames so a long signal's spectrogram never exists whole
    (``_stft.stft_in_pieces``: at 180 s no 32 MB buffers to fault in), on two CPU streams for batches."""

    def pipeline(signal: mx.array) -> mx.array:
        return stft_in_pieces(
            signal,
            lambda X: reduce(magnitude_from_power(power_of(X), power)),
            n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
            center=center, pad_mode=pad_mode, normalized=False,
        )  # fmt: skip

    row_bytes = stft_row_bytes(x, n_fft, hop_length, win_length)
    return _parallel.batch_halves(pipeline, x, row_bytes=row_bytes)


def magphase(D, *, power: float = 1.0) -> tuple[mx.array, mx.array]:
    """Split a complex spectrogram into magnitude ** power and unit-modulus phase (librosa's magphase).

    Parameters
    ----------
    D : mx.array [shape=(...)], complex64
    power : float > 0

    Returns
    -------
    (mx.array float32, mx.array complex64), shapes of ``D``; the phase is ``1`` where ``D == 0``.

    Transforms: compile, grad, vjp, jvp, vmap.
    """
    fn = "magphase"
    D = _checks.complex_spectrum(fn, "D", D, min_ndim=0)
    power = _checks.positive_number(fn, "power", power)
    p = power_of(D)
    mag = magnitude_from_power(p, 1.0)
    positive = p > 0
    inv = mx.where(positive, 1.0 / mx.where(positive, mag, 1.0), 0.0)
    re = mx.where(positive, mx.real(D) * inv, 1.0)
    im = mx.imag(D) * inv
    phase = re.astype(mx.complex64) + 1j * im.astype(mx.complex64)
    return magnitude_from_power(p, power), phase
