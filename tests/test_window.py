"""get_window: parity with scipy.signal.get_window (every family, periodic and symmetric) and torch.

Reference: scipy.signal.get_window(spec, n, fftbins=periodic) in float64; ours is float32, rounded once.
"""

from __future__ import annotations

import mlx.core as mx
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import mlxdsp
from tests.cases.spectral import PLAIN_WINDOWS, check_parity, rel_err, scipy_window, window_specs

FIXED_SPECS = [
    *PLAIN_WINDOWS,
    ("kaiser", 0.0),
    ("kaiser", 8.6),
    ("kaiser", 14.0),
    ("kaiser", -3.0),  # SciPy accepts a negative beta (i0 is even): same window
    ("tukey", 0.0),  # boxcar
    ("tukey", 0.25),
    ("tukey", 1.0),  # hann
    ("gaussian", 0.7),
    ("gaussian", 7.0),
]


def _window_fn(spec, n, periodic):
    # get_window takes no array: compile a zero-argument function (the constant must survive it).
    return lambda: mlxdsp.get_window(spec, n, periodic=periodic)


@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("n", [2, 3, 4, 7, 16, 255, 256, 1024])
@pytest.mark.parametrize("spec", FIXED_SPECS, ids=str)
def test_scipy_parity_fixed(spec, n, periodic):
    """scipy.signal.get_window(spec, n, fftbins=periodic), float64."""
    expected = scipy_window(spec, n, periodic)
    check_parity(
        _window_fn(spec, n, periodic),
        (),
        expected,
        dtype=mx.float32,
        what=f"get_window vs scipy {spec}",
    )
    # Rounded once from float64: every sample within float32 half-ulp rounding of the reference.
    got = np.array(mlxdsp.get_window(spec, n, periodic=periodic), dtype=np.float64)
    np.testing.assert_allclose(got, expected.astype(np.float32), rtol=0, atol=1e-7)


@given(spec=window_specs(), n=st.integers(2, 4096), periodic=st.booleans())
def test_scipy_parity_drawn(spec, n, periodic):
    """scipy.signal.get_window(spec, n, fftbins=periodic), float64, drawn families and parameters."""
    check_parity(
        _window_fn(spec, n, periodic),
        (),
        scipy_window(spec, n, periodic),
        dtype=mx.float32,
        what="get_window vs scipy",
    )


@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("spec", FIXED_SPECS, ids=str)
def test_length_one(spec, periodic):
    """scipy.signal.get_window(spec, 1) is [1.0] for every family, periodic or not (as torch's)."""
    got = np.array(mlxdsp.get_window(spec, 1, periodic=periodic))
    assert got.shape == (1,)
    np.testing.assert_array_equal(got, scipy_window(spec, 1, periodic))


TORCH_WINDOWS = {
    "hann": lambda n, p: torch.hann_window(n, periodic=p, dtype=torch.float64),
    "hamming": lambda n, p: torch.hamming_window(n, periodic=p, dtype=torch.float64),
    "blackman": lambda n, p: torch.blackman_window(n, periodic=p, dtype=torch.float64),
    "bartlett": lambda n, p: torch.bartlett_window(n, periodic=p, dtype=torch.float64),
    ("kaiser", 12.0): lambda n, p: torch.kaiser_window(
        n, periodic=p, beta=12.0, dtype=torch.float64
    ),
}


@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("n", [2, 5, 400, 512])
@pytest.mark.parametrize("spec", list(TORCH_WINDOWS), ids=str)
def test_torch_parity(spec, n, periodic):
    """torch.{hann,hamming,blackman,bartlett,kaiser}_window(n, periodic), float64."""
    expected = TORCH_WINDOWS[spec](n, periodic).numpy()
    check_parity(
        _window_fn(spec, n, periodic),
        (),
        expected,
        dtype=mx.float32,
        what=f"get_window vs torch {spec}",
    )


def test_aliases_and_defaults():
    """'rectangular' and 'ones' are 'boxcar'; bare 'tukey' is alpha 0.5 (SciPy's default)."""
    box = np.array(mlxdsp.get_window("boxcar", 9))
    np.testing.assert_array_equal(np.array(mlxdsp.get_window("rectangular", 9)), box)
    np.testing.assert_array_equal(np.array(mlxdsp.get_window("ones", 9)), box)
    np.testing.assert_array_equal(
        np.array(mlxdsp.get_window("tukey", 33)), np.array(mlxdsp.get_window(("tukey", 0.5), 33))
    )


def test_periodic_is_truncated_symmetric():
    """The DFT-even window of n is the symmetric window of n + 1 without its last sample."""
    for spec in FIXED_SPECS:
        per = np.array(mlxdsp.get_window(spec, 64, periodic=True))
        sym = np.array(mlxdsp.get_window(spec, 65, periodic=False))
        np.testing.assert_array_equal(per, sym[:-1])


def test_integer_like_n_and_parameter():
    """numpy integers are accepted for n; an int parameter is a number like any other."""
    a = np.array(mlxdsp.get_window(("kaiser", 8), np.int64(32)))
    assert rel_err(a, scipy_window(("kaiser", 8.0), 32)) <= 1e-6


def test_result_is_constant_and_cached():
    """Same options, same constant; it is float32 and 1-D."""
    w = mlxdsp.get_window("hann", 128)
    assert w.dtype == mx.float32 and w.shape == (128,)
    assert mlxdsp.get_window("hann", 128) is w
