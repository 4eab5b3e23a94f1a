"""mlxdsp._fft: rfft whose vjp is one inverse real FFT.

References: the adjoint identity <rfft(x), C> = <x, rfft^T(C)> in float64 NumPy (``numpy.fft.rfft``),
and MLX's own vjp of ``mx.fft.rfft`` (a different implementation of the same map).
"""

from __future__ import annotations

import mlx.core as mx
import numpy as np
import pytest

from mlxdsp._fft import rfft_rows
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
