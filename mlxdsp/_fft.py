"""Real FFTs along the last axis whose adjoints cost one transform the other way.

MLX 0.32's own vjps of ``mx.fft.rfft`` and ``mx.fft.irfft`` take ~4-5x the time of the forward transforms on
the CPU (2504 frames of 1024: 62-72 ms against 13-16), and they are most of an STFT's or iSTFT's
backward pass. The adjoint of rfft is ``(n / 2) irfft(C)`` plus half the real part of the DC bin (and of
the Nyquist bin, with alternating sign, for even n): irfft weighs those bins half as much as the others.
The adjoint of irfft is ``rfft(g)`` weighted 2/n (1/n at DC and Nyquist).
"""

from __future__ import annotations

import functools

import mlx.core as mx
import numpy as np

from ._complex_views import as_complex, as_real


def inverse_rfft(spectra: mx.array, n: int) -> mx.array:
    """irfft along the last axis: [..., n // 2 + 1] complex64 -> [..., n] float32, with a one-rfft
    adjoint (``_kernels.irfft_rows`` takes a GPU kernel where one applies, else this)."""
    return _irfft_with_adjoint(n)(spectra)


def _plain_irfft(spectra: mx.array, n: int) -> mx.array:
    """For odd n, MLX 0.32's jvp of ``irfft(z, n=odd)`` returns n - 1 samples, so odd sizes go through
    the full Hermitian spectrum and a complex ifft instead (exactly irfft's result: the imaginary part
    of the DC bin only adds an imaginary constant)."""
    if n % 2 == 0:
        return mx.fft.irfft(spectra, n=n, axis=-1)
    mirrored = mx.conj(spectra[..., :0:-1])
    return mx.real(mx.fft.ifft(mx.concatenate([spectra, mirrored], axis=-1), axis=-1))


@functools.lru_cache(maxsize=64)
def _irfft_with_adjoint(n: int):
    weights = np.full((n // 2 + 1, 2), 2.0 / n)
    weights[0] = 1.0 / n
    if n % 2 == 0:
        weights[-1] = 1.0 / n
    # (re, im) pairs times real weights: a complex multiply is ~40x slower on the CPU (DESIGN.md).
    pair_weights = mx.array(weights.reshape(-1).astype(np.float32))

    @mx.custom_function
    def irfft(spectra):
        return _plain_irfft(mx.stop_gradient(spectra), n)

    @irfft.vjp
    def _irfft_vjp(primals, cotangent, output):
        return as_complex(as_real(mx.fft.rfft(cotangent, axis=-1)) * pair_weights)

    @irfft.jvp
    def _irfft_jvp(primals, tangents):
        return _plain_irfft(tangents, n)

    return irfft


@functools.lru_cache(maxsize=64)
def _rfft_with_adjoint(n: int):
    scale = n / 2.0
    nyquist_sign = mx.array(np.where(np.arange(n) % 2 == 0, 0.5, -0.5).astype(np.float32))

    @mx.compile
    def finish(frames, dc, nyquist):
        out = frames * scale + 0.5 * dc
        return out + nyquist * nyquist_sign if n % 2 == 0 else out

    def adjoint(cotangent):
        nyquist = mx.real(cotangent[..., -1:]) if n % 2 == 0 else mx.zeros((1,))
        return finish(_plain_irfft(cotangent, n), mx.real(cotangent[..., :1]), nyquist)

    @mx.custom_function
    def rfft(frames):
        return mx.fft.rfft(mx.stop_gradient(frames), axis=-1)

    @rfft.vjp
    def _rfft_vjp(primals, cotangent, output):
        return adjoint(cotangent)

    @rfft.jvp
    def _rfft_jvp(primals, tangents):
        return mx.fft.rfft(tangents, axis=-1)

    return rfft


def rfft_rows(frames: mx.array) -> mx.array:
    """``mx.fft.rfft(frames, axis=-1)`` (float32 [..., n] -> complex64 [..., n // 2 + 1]), whose vjp is
    one inverse real FFT."""
    return _rfft_with_adjoint(frames.shape[-1])(frames)
