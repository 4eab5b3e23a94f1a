"""mlxdsp._fft: rfft whose vjp is one inverse real FFT.

References: the adjoint identity <rfft(x), C> = <x, rfft^T(C)> in float64 NumPy (``numpy.fft.rfft``),
and MLX's own vjp of ``mx.fft.rfft`` (a different implementation of the same map).
"""

from __future__ import annotations

import mlx.core as mx
import numpy as np
import pytest

from mlxdsp._fft import inverse_rfft, rfft_rows
from tests.conftest import rel_err


def _adjoint64(cot, n):
    full = np.zeros((*cot.shape[:-1], n), complex)
    full[..., : n // 2 + 1] = cot
    return np.real(np.fft.ifft(full, axis=-1)) * n


@pytest.mark.parametrize("n", [1, 2, 3, 15, 16, 257, 1024])
@pytest.mark.parametrize("lead", [(), (3,), (2, 2)])
def test_rfft_rows_forward_vjp_and_jvp(n, lead):
    rng = np.random.default_rng(n)
    x = rng.standard_normal((*lead, n))
    cot = rng.standard_normal((*lead, n // 2 + 1)) + 1j * rng.standard_normal((*lead, n // 2 + 1))
    xm, cm = mx.array(x, mx.float32), mx.array(cot.astype(np.complex64))
    out, (back,) = mx.vjp(rfft_rows, [xm], [cm])
    assert out[0].shape == (*lead, n // 2 + 1) and out[0].dtype == mx.complex64
    assert back.shape == x.shape and back.dtype == mx.float32
    assert rel_err(np.array(out[0]), np.fft.rfft(x)) <= 1e-6
    # <rfft(x), C> (real inner product of complex vectors) == <x, adjoint(C)>, for every x:
    # the adjoint is sum_k Re(C_k e^{2 pi i k t / n}), evaluated in float64 by the full inverse DFT.
    assert rel_err(np.array(back), _adjoint64(cot, n)) <= 1e-6
    _, (mlx_back,) = mx.vjp(lambda v: mx.fft.rfft(v, axis=-1), [xm], [cm])
    assert rel_err(np.array(back), np.array(mlx_back)) <= 1e-6
    _, (tangent_out,) = mx.jvp(rfft_rows, [xm], [xm])
    assert rel_err(np.array(tangent_out), np.fft.rfft(x)) <= 1e-6


@pytest.mark.parametrize("n", [15, 16])
def test_rfft_rows_second_order(n):
    """Forward-over-reverse through the custom vjp: the Hessian-vector product of the quadratic
    sum(re^2 + 3 im^2) of rfft(x) is A^T (2 re(A t) + 6i im(A t)), in float64 NumPy. (MLX's own rfft
    fails this for odd n: the jvp of irfft(n=odd) returns n - 1 samples.)"""
    rng = np.random.default_rng(0)
    t64 = rng.standard_normal((2, n))
    x = mx.array(rng.standard_normal((2, n)), mx.float32)
    t = mx.array(t64, mx.float32)

    def loss(v):
        y = rfft_rows(v)
        re, im = mx.real(y), mx.imag(y)
        return mx.sum(re * re + 3 * im * im)

    _, (hvp,) = mx.jvp(mx.grad(loss), [x], [t])
    at = np.fft.rfft(t64)
    expected = _adjoint64(2 * at.real + 6j * at.imag, n)
    assert hvp.shape == (2, n)
    assert rel_err(np.array(hvp), expected) <= 1e-5


@pytest.mark.parametrize("n", [1, 2, 3, 15, 16, 257, 1024])
@pytest.mark.parametrize("lead", [(), (3,)])
def test_inverse_rfft_forward_vjp_and_jvp(n, lead):
    """irfft with its one-rfft adjoint: forward vs numpy.fft.irfft, vjp vs the float64 adjoint (the
    gradient of <irfft(C), g> in the real and imaginary parts of C), jvp = the forward map."""
    rng = np.random.default_rng(n)
    h = n // 2 + 1
    spec = rng.standard_normal((*lead, h)) + 1j * rng.standard_normal((*lead, h))
    g = rng.standard_normal((*lead, n))
    sm = mx.array(spec.astype(np.complex64))
    out, (back,) = mx.vjp(lambda c: inverse_rfft(c, n), [sm], [mx.array(g, mx.float32)])
    assert out[0].shape == (*lead, n) and out[0].dtype == mx.float32
    assert back.shape == spec.shape and back.dtype == mx.complex64
    assert rel_err(np.array(out[0]), np.fft.irfft(spec, n=n)) <= 1e-6
    # d<irfft(C), g>/dRe C_k + i d/dIm C_k, column by column of the float64 map.
    expected = np.zeros(spec.shape, complex)
    for k in range(h):
        unit = np.zeros(h, complex)
        unit[k] = 1.0
        d_re = np.fft.irfft(unit, n=n)
        unit[k] = 1j
        d_im = np.fft.irfft(unit, n=n)
        expected[..., k] = (g * d_re).sum(-1) + 1j * (g * d_im).sum(-1)
    assert rel_err(np.array(back), expected) <= 1e-6
    _, (tangent_out,) = mx.jvp(lambda c: inverse_rfft(c, n), [sm], [sm])
    assert rel_err(np.array(tangent_out), np.fft.irfft(spec, n=n)) <= 1e-6
