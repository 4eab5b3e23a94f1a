"""Shared test configuration: tolerances per dtype, hypothesis profiles, reference availability."""

from __future__ import annotations

import os

import mlx.core as mx
import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# Relative (Frobenius) tolerances, stated once. float32 parity is the library's promise.
RTOL = {mx.float32: 1e-5, mx.float16: 2e-3, mx.bfloat16: 2e-2}

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("MLXDSP_HYPOTHESIS_PROFILE", "ci"))


def rel_err(actual, expected) -> float:
    """Norm of the difference over norm of the reference (Frobenius), in float64."""
    a = np.asarray(actual, dtype=np.complex128 if np.iscomplexobj(actual) else np.float64)
    e = np.asarray(expected, dtype=np.complex128 if np.iscomplexobj(expected) else np.float64)
    assert a.shape == e.shape, f"shape {a.shape} != reference {e.shape}"
    denom = np.linalg.norm(e.ravel())
    diff = np.linalg.norm((a - e).ravel())
    return float(diff / denom) if denom > 0 else float(diff)


def assert_close(actual, expected, rtol=1e-5, what=""):
    err = rel_err(actual, expected)
    assert err <= rtol, f"{what} relative error {err:.3e} > {rtol:.1e}"


def to_np(x) -> np.ndarray:
    if isinstance(x, mx.array):
        mx.eval(x)
        return np.array(x)
    return np.asarray(x)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
