"""stack_memory: parity with librosa.feature.stack_memory (float64), eagerly and under mx.compile, for
positive and negative delays, constant (any value) and edge padding, 1-D and batched input; errors pinned.
"""

from __future__ import annotations

import librosa
import mlx.core as mx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mlxdsp
from mlxdsp._stack_memory import stack_memory
from tests.cases.spectral import check_parity, rel_err


def _reference(data, n_steps, delay, mode, value):
    extra = dict(constant_values=value) if mode == "constant" else {}
    return librosa.feature.stack_memory(data, n_steps=n_steps, delay=delay, mode=mode, **extra)


@pytest.mark.parametrize("shape", [(17,), (2, 3, 17)], ids=str)
@pytest.mark.parametrize("n_steps,delay", [(1, 1), (2, 1), (3, -2), (4, 5), (3, -9)])
@pytest.mark.parametrize("mode,value", [("constant", 0.0), ("constant", -1.5), ("edge", 0.0)])
def test_stack_memory_matches_librosa(shape, n_steps, delay, mode, value):
    data = np.random.default_rng(0).standard_normal(shape)
    check_parity(
        lambda d: stack_memory(d, n_steps=n_steps, delay=delay, mode=mode, value=value),
        (mx.array(data.astype(np.float32)),),
        _reference(data, n_steps, delay, mode, value),
        dtype=mx.float32,
        what=f"stack_memory {shape} n_steps={n_steps} delay={delay} {mode}",
    )


@given(
    lead=st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple),
    d=st.integers(1, 4),
    t=st.integers(1, 30),
    n_steps=st.integers(1, 6),
    delay=st.integers(-8, 8).filter(bool),
    mode=st.sampled_from(["constant", "edge"]),
)
def test_property_stack_memory_matches_librosa(lead, d, t, n_steps, delay, mode):
    data = np.random.default_rng(t).standard_normal((*lead, d, t))
    got = stack_memory(mx.array(data.astype(np.float32)), n_steps=n_steps, delay=delay, mode=mode)
    expected = _reference(data, n_steps, delay, mode, 0.0)
    assert got.shape == expected.shape
    assert rel_err(np.array(got), expected) <= 1e-7


X = mx.ones((3, 5))


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: stack_memory(X, n_steps=0), r"\[stack_memory\] n_steps=0 must be a positive int"),
        (lambda: stack_memory(X, delay=0), r"\[stack_memory\] delay=0 must be a non-zero int"),
        (lambda: stack_memory(X, delay=1.5), r"\[stack_memory\] delay=1\.5 must be a non-zero int"),
        (
            lambda: stack_memory(X, mode="reflect"),
            r"\[stack_memory\] mode='reflect' must be one of 'constant', 'edge'",
        ),
        (lambda: stack_memory(X, value=None), r"\[stack_memory\] value=None must be a real number"),
        (
            lambda: stack_memory(mx.ones((3, 0))),
            r"\[stack_memory\] data\.shape=\(3, 0\) must have at least one frame",
        ),
    ],
)
def test_errors(call, match):
    with pytest.raises(mlxdsp.ParameterError, match=match):
        call()
