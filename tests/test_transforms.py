"""The transform table: every public array function under mx.compile, mx.grad/vjp, mx.jvp and mx.vmap.

Gradients are checked against central finite differences of a random projection: in float64 on the case's
independent reference twin when it has one (``ref64``), otherwise in float32 on the function itself.
jvp is checked against the same directional derivative and for consistency with vjp (<u, Jv> = <J^T u, v>).
"""

from __future__ import annotations

import inspect

import mlx.core as mx
import numpy as np
import pytest

import mlxdsp
from tests.cases import all_cases

CASES, NOT_ARRAY = all_cases()
IDS = [c.id for c in CASES]


def _public_functions():
    return sorted(
        n for n in mlxdsp.__all__ if inspect.isfunction(getattr(mlxdsp, n)) and not n[0].isupper()
    )


def test_every_public_function_is_walked():
    covered = {c.name for c in CASES} | set(NOT_ARRAY)
    missing = [n for n in _public_functions() if n not in covered]
    assert not missing, f"public functions with no transform-table case: {missing}"


def _real_view(y: mx.array) -> mx.array:
    if mx.issubdtype(y.dtype, mx.complexfloating):
        return mx.stack([mx.real(y), mx.imag(y)], axis=-1)
    return y.astype(mx.float32)


def _inputs(case, batch=3):
    rng = np.random.default_rng(1234)
    arrays = case.make_inputs(rng)
    return [mx.array(np.ascontiguousarray(a[:batch]).astype(np.float32)) for a in arrays]


def _close(a, b, rtol, what):
    a = np.array(_real_view(a), dtype=np.float64)
    b = np.array(_real_view(b), dtype=np.float64)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    denom = max(np.linalg.norm(b), 1e-30)
    err = np.linalg.norm(a - b) / denom
    assert err <= rtol, f"{what}: relative error {err:.2e} > {rtol:.0e}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_compile_equals_eager(case):
    if "compile" in case.skip:
        pytest.skip(case.skip["compile"])
    xs = _inputs(case)
    _close(mx.compile(case.fn)(*xs), case.fn(*xs), 1e-6, f"{case.id} compiled vs eager")


def _projection(case, xs):
    y = _real_view(case.fn(*xs))
    u = mx.array(np.random.default_rng(7).standard_normal(y.shape).astype(np.float32))
    return u


def _directional_fd(case, xs, u, vs):
    """d/dh <u, f(x + h v)> at h=0, central differences."""
    xs_np = [np.array(x, dtype=np.float64) for x in xs]
    u_np = np.array(u, dtype=np.float64)
    if case.ref64 is not None:

        def scalar(h):
            shifted = list(xs_np)
            for i, v in zip(case.grad_argnums, vs, strict=True):
                shifted[i] = xs_np[i] + h * v
            out = np.asarray(case.ref64(*shifted))
            if np.iscomplexobj(out):
                out = np.stack([out.real, out.imag], axis=-1)
            return float(np.sum(u_np * out))

        eps = 1e-4 * max(1.0, max(np.abs(x).max() for x in xs_np))
    else:

        def scalar(h):
            shifted = list(xs)
            for i, v in zip(case.grad_argnums, vs, strict=True):
                shifted[i] = xs[i] + h * mx.array(v.astype(np.float32))
            out = _real_view(case.fn(*shifted))
            return float(mx.sum(out.astype(mx.float32) * u).item())

        eps = case.fd_eps
    return (scalar(eps) - scalar(-eps)) / (2 * eps)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_grad_matches_finite_differences(case):
    if "grad" in case.skip:
        pytest.skip(case.skip["grad"])
    xs = _inputs(case, batch=2)
    u = _projection(case, xs)

    def loss(*args):
        full = list(xs)
        for i, a in zip(case.grad_argnums, args, strict=True):
            full[i] = a
        return mx.sum(_real_view(case.fn(*full)) * u)

    primals = [xs[i] for i in case.grad_argnums]
    grads = mx.grad(loss, argnums=tuple(range(len(primals))))(*primals)
    grads = grads if isinstance(grads, (tuple, list)) else (grads,)
    rng = np.random.default_rng(3)
    vs = [rng.standard_normal(p.shape) for p in primals]
    analytic = sum(
        float(np.sum(np.array(g, dtype=np.float64) * v)) for g, v in zip(grads, vs, strict=True)
    )
    numeric = _directional_fd(case, xs, u, vs)
    scale = max(abs(numeric), 1e-6)
    assert abs(analytic - numeric) <= case.grad_rtol * scale, (
        f"{case.id}: <grad, v>={analytic:.6g} vs finite differences {numeric:.6g}"
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jvp_matches_vjp_and_finite_differences(case):
    if "jvp" in case.skip:
        pytest.skip(case.skip["jvp"])
    xs = _inputs(case, batch=2)
    u = _projection(case, xs)
    rng = np.random.default_rng(5)
    vs = [rng.standard_normal(xs[i].shape) for i in case.grad_argnums]

    def f(*args):
        full = list(xs)
        for i, a in zip(case.grad_argnums, args, strict=True):
            full[i] = a
        return _real_view(case.fn(*full))

    primals = [xs[i] for i in case.grad_argnums]
    tangents = [mx.array(v.astype(np.float32)) for v in vs]
    _, (jv,) = mx.jvp(f, primals, tangents)
    _, vjps = mx.vjp(f, primals, [u])
    u_jv = float(mx.sum(jv * u).item())
    vjp_v = sum(
        float(np.sum(np.array(g, dtype=np.float64) * v)) for g, v in zip(vjps, vs, strict=True)
    )
    scale = max(abs(u_jv), abs(vjp_v), 1e-6)
    assert abs(u_jv - vjp_v) <= 1e-4 * scale, (
        f"{case.id}: <u,Jv>={u_jv:.6g} != <J^T u,v>={vjp_v:.6g}"
    )
    numeric = _directional_fd(case, xs, u, vs)
    assert abs(u_jv - numeric) <= case.grad_rtol * max(abs(numeric), 1e-6), (
        f"{case.id}: jvp {u_jv:.6g} vs finite differences {numeric:.6g}"
    )


@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vmap_equals_batched_call(case, batch):
    if "vmap" in case.skip:
        pytest.skip(case.skip["vmap"])
    xs = _inputs(case, batch=batch)
    batched = case.fn(*xs)
    mapped = mx.vmap(case.fn)(*xs)
    _close(mapped, batched, 1e-6, f"{case.id} vmap(batch={batch}) vs batched call")
    first = case.fn(*[x[0] for x in xs])
    _close(mapped[0], first, 1e-6, f"{case.id} vmap row 0 vs unbatched call")
