"""GPU kernel dispatch, fallback, self-validation and source assembly, exercised without a GPU.

* String level: the CUDA and Metal sources are the shared body plus a thin prelude (names, inputs,
  outputs, bounds checks).
* The shared bodies themselves run on the CPU through a third, host prelude compiled with g++: every
  geometry the GPU will see (pad modes, odd n_fft, hop not dividing n_fft, samples past the last frame)
  is checked against the pure-MLX path, out-of-range grid threads included.
* Dispatch: a fake backend whose "kernels" compute the reference function lets the custom_function
  wiring (forward, vjp, jvp, leading dims) run on the CPU; a broken fake exercises the one warning
  and the fallback.
"""

from __future__ import annotations

import ctypes
import math
import shutil
import subprocess
import warnings

import mlx.core as mx
import numpy as np
import pytest

import mlxdsp
from mlxdsp import _kernels
from tests.conftest import assert_close

BACKENDS = ("cuda", "metal")
BACKEND_TOKENS = {
    "cuda": ("blockIdx", "threadIdx", "__global__"),
    "metal": ("thread_position_in_grid", "[[", "device "),
}


# ---------------------------------------------------------------------------------------------------
# Source assembly


def test_sources_resolve_from_the_checkout_or_the_package():
    root = _kernels._kernel_root()
    assert (root / "shared" / "frames.inc").is_file()
    assert (root / "cuda" / "prelude.cu").is_file()
    assert (root / "metal" / "prelude.metal").is_file()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", sorted(_kernels.KERNELS))
def test_generated_source(kind, backend):
    spec = _kernels.kernel_source(kind, backend)
    inputs, outputs = _kernels.KERNELS[kind]
    assert spec.name == f"mlxdsp_{kind}"
    assert spec.input_names == inputs and spec.output_names == outputs
    body = _kernels.kernel_body(kind)
    # prelude + the one shared body (its includes resolved), nothing else
    assert spec.source.endswith(body)
    prelude = spec.source[: -len(body)]
    assert "#define DSP_THREAD_INDEX" in prelude and "#define DSP_THREAD_Y" in prelude
    body = "\n".join(line.split("//")[0] for line in body.splitlines())  # code only
    for token in BACKEND_TOKENS[backend][:1]:
        assert token in prelude
    # the body is backend-neutral
    for tokens in BACKEND_TOKENS.values():
        for token in tokens:
            assert token not in body, f"{kind} body uses backend token {token!r}"
    # every input and output is used; shapes come from the first input
    for name in (*inputs, *outputs):
        used = f"{name}[" in body or f"DSP_ATOMIC_ADD({name}," in body
        assert used, f"{name} unused in {kind}"
    assert f"{inputs[0]}_shape[0]" in body
    if kind in ("stft_rfft", "irfft", "irfft_add"):
        # threadgroup kernel: every thread reaches every barrier; the bounds check (frames past the
        # end, rows past the batch) comes after the last barrier and before the only store
        active = "f < frames && b < batch" if kind == "stft_rfft" else "f < count"
        assert f"const bool active = {active};" in body
        check = body.index("if (!active) {")
        assert "return;" in body[check : check + 30]
        store = f"DSP_ATOMIC_ADD({outputs[0]}," if kind == "irfft_add" else f"{outputs[0]}["
        assert body.rindex("DSP_BARRIER()") < check < body.index(store)
        if kind == "irfft_add":
            assert "#define DSP_ATOMIC_ADD" in prelude
        assert "DSP_SHARED" in body and "#define DSP_SHARED" in prelude
    elif kind == "irfft_ola":
        # threadgroup kernel whose stores sit inside its barrier loop: each guarded by the row and
        # the output length, the frame reads by `active`; the loop ends at a barrier
        assert "const bool active = b < batch && f >= 0 && f < count;" in body
        check = body.index("if (b < batch && s < len) {")
        assert check < body.index(f"{outputs[0]}[") < body.rindex("DSP_BARRIER()")
        assert body.index("if (active) {") < body.index("spec[")
        assert "DSP_SHARED" in body and "#define DSP_SHARED" in prelude
    else:
        # the grid may be rounded up: the bounds check precedes the only store
        check = body.index("if (gid >= ")
        if kind in ("frames", "overlap_add"):
            assert "b >= batch" in body[check : check + 60]  # the y axis is checked too
        assert "return;" in body[check : check + 80]
        store = body.index(f"{outputs[0]}[")
        assert check < store
    # template constants the body needs are exactly the ones passed
    if kind.startswith("mel"):
        sample = _kernels.MelGeometry(5, 3, 2)
    elif kind in ("stft_rfft", "irfft", "irfft_add"):
        sample = _kernels.FFTGeometry(16, 4, 8, 8, 1, 2, 128)
    elif kind == "irfft_ola":
        sample = _kernels.OLAGeometry(16, 4, 1, 128, 128)
    else:
        sample = _kernels.Geometry(8, 2)
    names = {n for n, _ in _kernels.template_args(kind, sample)}
    for name in names:
        assert name in body
    if backend == "metal":
        # MLX's Metal wrapper adds thread_position_in_grid to the signature only when the source names it
        assert "thread_position_in_grid" in spec.source


def test_template_args_are_plain_ints_and_bools():
    g = _kernels.Geometry(1024, 256, 512, 512, 1, 3, True)
    args = dict(_kernels.template_args("overlap_add", g))
    assert args == {
        "NFFT": 1024,
        "HOP": 256,
        "LEFT": 512,
        "RIGHT": 512,
        "PAD_MODE": 1,
        "HAS_SCALE": True,
        "EXTRA": 3,
    }
    assert "EXTRA" not in dict(_kernels.template_args("frames", g))


# ---------------------------------------------------------------------------------------------------
# The shared bodies on the host (g++), against the pure path

_HOST = """
#include <cstdint>
#define DSP_THREAD_INDEX gid_
#define DSP_THREAD_Y gy_
extern "C" void run(const float* {i0}, const int* {i0}_shape, const float* {i1}, const float* {i2},
                    float* {o0}, int threads, int threads_y, int NFFT, int HOP, int LEFT, int RIGHT,
                    int PAD_MODE, int EXTRA, int HAS_SCALE) {{
  (void)EXTRA;
  for (int gy_ = 0; gy_ < threads_y; ++gy_) {{
    for (int gid_ = 0; gid_ < threads; ++gid_) {{
      [&]() {{
{body}
      }}();
    }}
  }}
}}
"""


_HOST_MEL = """
#define DSP_THREAD_INDEX gid_
extern "C" void run(const float* {i0}, const int* {i0}_shape, const float* {i1}, const int* {i2},
                    float* {o0}, int threads, int NFREQ, int NMELS, int MAXW) {{
  for (int gid_ = 0; gid_ < threads; ++gid_) {{
    [&]() {{
{body}
    }}();
  }}
}}
"""


@pytest.fixture(scope="module")
def host_kernels(tmp_path_factory):
    if shutil.which("g++") is None:
        pytest.skip("g++ not available")
    out = {}
    for kind, (inputs, outputs) in _kernels.KERNELS.items():
        if kind in ("mel_adjoint", "stft_rfft", "irfft", "irfft_ola", "irfft_add"):
            continue  # fake backend + GPU; the FFT kernels: tests/test_kernel_{stft_rfft,irfft_ola}.py
        body = _kernels._read(f"shared/{kind}.inc")
        template = _HOST_MEL if kind == "mel" else _HOST
        src = template.format(i0=inputs[0], i1=inputs[1], i2=inputs[2], o0=outputs[0], body=body)
        d = tmp_path_factory.mktemp(kind)
        (d / "k.cpp").write_text(src)
        so = d / "k.so"
        subprocess.run(
            [
                "g++",
                "-O1",
                "-std=c++17",
                "-Wall",
                "-Werror",
                "-Wno-unused-variable",
                "-shared",
                "-fPIC",
                str(d / "k.cpp"),
                "-o",
                str(so),
            ],
            check=True,
            capture_output=True,
        )
        lib = ctypes.CDLL(str(so))
        lib.run.restype = None
        out[kind] = lib
    return out


def _run_host(lib, g, first, window, scale, shape):
    f32 = ctypes.POINTER(ctypes.c_float)
    i32 = ctypes.POINTER(ctypes.c_int)
    first = np.ascontiguousarray(first, np.float32)
    window = np.ascontiguousarray(window, np.float32)
    scale = np.ascontiguousarray(scale, np.float32)
    dims = np.array(first.shape, np.int32)
    total = math.prod(shape)
    per_row = math.prod(shape[1:])
    threads = -(-per_row // 256) * 256 + 256  # rounded-up grid: the tail threads must write nothing
    out = np.full(total + 512, np.nan, np.float32)
    lib.run(
        first.ctypes.data_as(f32),
        dims.ctypes.data_as(i32),
        window.ctypes.data_as(f32),
        scale.ctypes.data_as(f32),
        out.ctypes.data_as(f32),
        threads,
        shape[0] + 1,
        g.n_fft,
        g.hop,
        g.left,
        g.right,
        g.pad_mode,
        g.extra,
        int(g.has_scale),
    )
    assert np.all(np.isnan(out[total:])), "a thread past the output wrote"
    return out[:total].reshape(shape)


GEOMETRIES = [
    # n_fft, hop, left, right, mode, T
    (16, 4, 8, 8, "reflect", 37),
    (16, 4, 8, 8, "constant", 40),
    (16, 4, 8, 8, "edge", 41),
    (15, 4, 7, 7, "reflect", 30),
    (9, 5, 4, 4, "reflect", 23),
    (12, 5, 0, 0, "constant", 33),
    (7, 7, 3, 3, "edge", 19),
    (8, 3, 4, 4, "reflect", 5),
    (20, 3, 10, 10, "constant", 11),
]


@pytest.mark.parametrize("geom", GEOMETRIES, ids=[str(g) for g in GEOMETRIES])
@pytest.mark.parametrize("has_scale", [False, True])
def test_host_bodies_match_pure_path(host_kernels, geom, has_scale):
    n_fft, hop, left, right, mode, length = geom
    rng = np.random.default_rng(sum(geom[:4]) + length)
    g = _kernels.Geometry(n_fft, hop, left, right, _kernels.PAD_MODES[mode])
    g = g._replace(extra=(length + left + right - n_fft) % hop, has_scale=has_scale)
    frames = g.frames_for(length)
    assert g.length_for(frames) == length
    x = rng.standard_normal((3, length)).astype(np.float32)
    w = rng.standard_normal(n_fft).astype(np.float32)
    s = rng.uniform(0.5, 2, length if has_scale else 1).astype(np.float32)
    got = _run_host(host_kernels["frames"], g, x, w, s, (3, frames, n_fft))
    want = _kernels.frames_pure(g, mx.array(x), mx.array(w), mx.array(s))
    assert_close(got, np.array(want), 1e-6, "frames body")
    rows = rng.standard_normal((3, frames, n_fft)).astype(np.float32)
    got = _run_host(host_kernels["overlap_add"], g, rows, w, s, (3, length))
    want = _kernels.overlap_add_pure(g, mx.array(rows), mx.array(w), mx.array(s))
    assert_close(got, np.array(want), 1e-6, "overlap_add body")
    # overlap-add with padding is the adjoint of framing with padding: <F x, r> == <x, F^T r>
    fx = _run_host(host_kernels["frames"], g, x, w, s, (3, frames, n_fft))
    lhs = float(np.sum(fx.astype(np.float64) * rows))
    rhs = float(np.sum(x.astype(np.float64) * got))
    assert abs(lhs - rhs) <= 1e-4 * max(1.0, abs(lhs))


def test_host_mel_body_matches_pure_path(host_kernels):
    rng = np.random.default_rng(11)
    g = _kernels.MelGeometry(33, 7, 5)
    spec = rng.standard_normal((4, 2 * g.n_freq)).astype(np.float32)
    weights = rng.uniform(0, 1, g.n_mels * g.max_width).astype(np.float32)
    starts = np.array([0, 3, 9, 20, 28, 30, 32], np.int32)  # bands running past the last bin
    total = 4 * g.n_mels
    threads = -(-total // 256) * 256 + 256
    out = np.full(total + 512, np.nan, np.float32)
    f32, i32 = ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_int)
    dims = np.array(spec.shape, np.int32)
    host_kernels["mel"].run(
        spec.ctypes.data_as(f32),
        dims.ctypes.data_as(i32),
        weights.ctypes.data_as(f32),
        starts.ctypes.data_as(i32),
        out.ctypes.data_as(f32),
        threads,
        g.n_freq,
        g.n_mels,
        g.max_width,
    )
    assert np.all(np.isnan(out[total:]))
    want = _kernels.mel_pure(g, mx.array(spec), mx.array(weights), mx.array(starts))
    assert_close(out[:total].reshape(4, g.n_mels), np.array(want), 1e-6, "mel body")


# ---------------------------------------------------------------------------------------------------
# Dispatch through a fake backend


@mx.custom_function
def _opaque(a):
    return a


@_opaque.vjp
def _opaque_vjp(primals, cotangent, output):
    raise ValueError("[Primitive::vjp] Not implemented for CustomKernel (fake)")


@_opaque.jvp
def _opaque_jvp(primals, tangents):
    raise ValueError("[Primitive::jvp] Not implemented for CustomKernel (fake)")


class FakeKernel:
    """Stands in for mx.fast.metal_kernel(...): computes the reference (optionally corrupted).

    Like a real kernel primitive, its output cannot be differentiated (vjp/jvp raise).
    """

    def __init__(self, kind, mode="ok"):
        self.kind, self.mode, self.calls = kind, mode, 0

    def __call__(
        self, *, inputs, template, grid, threadgroup, output_shapes, output_dtypes, init_value=None
    ):
        self.calls += 1
        assert (init_value == 0.0) == (self.kind in _kernels._ATOMIC_KERNELS)
        if self.mode == "raise":
            raise RuntimeError("compile failed (fake)")
        t = dict(template)
        if self.kind == "irfft_add":
            g = _kernels.FFTGeometry(t["NFFT"], t["HOP"], tpf=t["TPF"], fpg=t["FPG"])
            assert not t["ADJ"] and t["LOG2M"] == g.log2m
            out = _kernels.irfft_ola_pure(g, *inputs)
            assert tuple(out.shape) == tuple(output_shapes[0]) and output_dtypes[0] == mx.float32
            assert tuple(grid) == _kernels.launch_grid(self.kind, tuple(output_shapes[0]), g)
            assert threadgroup[0] == g.threads and grid[0] % threadgroup[0] == 0
            frames = inputs[0].shape[0] * inputs[0].shape[1]
            assert grid[0] // g.threads == -(-frames // g.fpg)
            return [_opaque(out + 1e-3 if self.mode == "wrong" else out)]
        if self.kind == "irfft_ola":
            g = _kernels.OLAGeometry(t["NFFT"], t["HOP"], t["TPF"], t["FPG"], t["SPAN"])
            assert t["RING"] == g.ring and t["LOG2M"] == g.log2m
            out = _kernels.irfft_ola_pure(g, *inputs)
            assert tuple(out.shape) == tuple(output_shapes[0]) and output_dtypes[0] == mx.float32
            assert tuple(grid) == _kernels.launch_grid(self.kind, tuple(output_shapes[0]), g)
            assert threadgroup[0] == g.threads and grid[0] % threadgroup[0] == 0
            assert grid[0] // g.threads * g.span * g.hop >= output_shapes[0][1]
            return [_opaque(out + 1e-3 if self.mode == "wrong" else out)]
        if self.kind == "irfft":
            g = _kernels.FFTGeometry(t["NFFT"], 0, tpf=t["TPF"], fpg=t["FPG"], adjoint=t["ADJ"])
            out = _kernels.irfft_pure(g, *inputs)
            assert tuple(out.shape) == tuple(output_shapes[0]) and output_dtypes[0] == mx.float32
            assert tuple(grid) == _kernels.launch_grid(self.kind, tuple(output_shapes[0]), g)
            assert threadgroup[0] == g.tpf * g.fpg and grid[0] % threadgroup[0] == 0
            return [_opaque(out + 1e-3 if self.mode == "wrong" else out)]
        if self.kind == "stft_rfft":
            g = _kernels.FFTGeometry(
                t["NFFT"], t["HOP"], t["LEFT"], t["RIGHT"], t["PAD_MODE"], t["TPF"], t["FPG"]
            )
            out = _kernels.stft_rfft_pure(g, *inputs)
            assert tuple(out.shape) == tuple(output_shapes[0]) and output_dtypes[0] == mx.float32
            assert tuple(grid) == _kernels.launch_grid(self.kind, tuple(output_shapes[0]), g)
            assert threadgroup[0] == g.tpf * g.fpg and grid[0] % threadgroup[0] == 0
            np.testing.assert_array_equal(np.array(inputs[2]), _kernels._twiddle_np(g.n_fft))
            return [_opaque(out + 1e-3 if self.mode == "wrong" else out)]
        if self.kind in ("mel", "mel_adjoint"):
            g = _kernels.MelGeometry(t["NFREQ"], t["NMELS"], t.get("MAXW", t.get("MAXM")))
            out = _kernels._PURE[self.kind](g, *inputs)
            out = out + 1e-3 if self.mode == "wrong" else out
            return [_opaque(out)]
        g = _kernels.Geometry(
            t["NFFT"],
            t["HOP"],
            t["LEFT"],
            t["RIGHT"],
            t["PAD_MODE"],
            t.get("EXTRA", 0),
            t["HAS_SCALE"],
        )
        if self.kind == "frames":
            g = g._replace(extra=(inputs[0].shape[1] + g.left + g.right - g.n_fft) % g.hop)
        out = _kernels._PURE[self.kind](g, *inputs)
        assert tuple(out.shape) == tuple(output_shapes[0]) and output_dtypes[0] == mx.float32
        assert grid[0] * grid[1] >= math.prod(output_shapes[0]) and threadgroup[0] > 0
        assert tuple(grid) == _kernels.launch_grid(self.kind, tuple(output_shapes[0]))
        if self.mode == "wrong":
            out = out + 1e-3
        return [_opaque(out)]


@pytest.fixture
def fake_gpu(monkeypatch):
    """Pretend the default device is a Metal GPU whose kernels are FakeKernel instances."""
    made = {}

    def install(mode="ok"):
        def make(kind, backend):
            made[kind] = FakeKernel(kind, mode)
            return made[kind]

        monkeypatch.setattr(_kernels, "_backend", lambda: "metal")
        monkeypatch.setattr(_kernels, "_make_kernel", make)
        monkeypatch.setattr(_kernels, "_built", {})
        monkeypatch.setattr(_kernels, "_validated", {})
        monkeypatch.delenv("MLXDSP_KERNELS", raising=False)
        return made

    return install


def test_cpu_has_no_kernels():
    if mx.default_device().type == mx.gpu:
        pytest.skip("running on a GPU")
    assert _kernels.enabled() is None


def test_env_and_context_manager_disable(fake_gpu, monkeypatch):
    fake_gpu()
    assert _kernels.enabled() == "metal"
    with _kernels.kernels_disabled():
        assert _kernels.enabled() is None
        with _kernels.kernels_disabled():
            assert _kernels.enabled() is None
        assert _kernels.enabled() is None
    assert _kernels.enabled() == "metal"
    monkeypatch.setenv("MLXDSP_KERNELS", "0")
    assert _kernels.enabled() is None


def _signal(rng, lead, n):
    return mx.array(rng.standard_normal((*lead, n)).astype(np.float32))


CONFIGS = [
    # n_fft, hop, win_length, pad_mode, center, lead, T
    (64, 16, None, "reflect", True, (2,), 300),
    (63, 10, None, "constant", True, (1, 2), 257),
    (50, 12, 40, "edge", True, (2, 1, 2), 181),
    (32, 8, 20, "reflect", False, (), 200),
    (31, 7, None, "reflect", True, (3,), 100),
]


def _stft(cfg, x):
    n_fft, hop, win, mode, center, _, _ = cfg
    return mlxdsp.stft(x, n_fft=n_fft, hop_length=hop, win_length=win, pad_mode=mode, center=center)


def _istft(cfg, X, length):
    n_fft, hop, win, _, center, _, _ = cfg
    return mlxdsp.istft(
        X, n_fft=n_fft, hop_length=hop, win_length=win, center=center, length=length
    )


def _pure(fn, *args):
    with _kernels.kernels_disabled():
        return fn(*args)


@pytest.mark.parametrize("fusion", ["atomic", "ring", ""])
@pytest.mark.parametrize("cfg", CONFIGS, ids=[str(c) for c in CONFIGS])
def test_fake_kernels_forward_and_gradients(fake_gpu, monkeypatch, cfg, fusion):
    made = fake_gpu()
    monkeypatch.setattr(_kernels, "ISTFT_FUSION", fusion)
    rng = np.random.default_rng(5)
    x = _signal(rng, cfg[5], cfg[6])
    X = _stft(cfg, x)
    # validation + the call itself; power-of-two n_fft: the fused frame + window + rFFT kernel
    assert made["stft_rfft" if _kernels.fft_eligible(cfg[0]) else "frames"].calls >= 2
    assert_close(np.array(X), np.array(_pure(_stft, cfg, x)), 1e-6, "stft")
    y = _istft(cfg, X, cfg[6])
    # power-of-two n_fft: a fused irfft + overlap-add kernel (atomic or ring form), else (or with
    # fusion off) the irfft kernel / mx.fft.irfft, then the overlap-add kernel
    fused = {"atomic": "irfft_add", "ring": "irfft_ola", "": "overlap_add"}[fusion]
    assert made[fused if _kernels.fft_eligible(cfg[0]) else "overlap_add"].calls >= 2
    assert_close(np.array(y), np.array(_pure(_istft, cfg, X, cfg[6])), 1e-6, "istft")

    # value_and_grad through both kernels (x -> stft -> istft -> loss), and w.r.t. a window array
    n_fft, hop, win, mode, center = cfg[:5]
    w = mx.array(rng.uniform(0.2, 1.0, win or n_fft).astype(np.float32))
    u = _signal(rng, cfg[5], cfg[6])

    def loss(x, w):
        opts = dict(n_fft=n_fft, hop_length=hop, win_length=win, window=w, center=center)
        Z = mlxdsp.stft(x, pad_mode=mode, **opts)
        power = mx.real(Z) ** 2 + mx.imag(Z) ** 2
        back = mlxdsp.istft(Z, length=cfg[6], **opts)
        return mx.sum(power) * 1e-3 + mx.sum(back * u)

    grad = mx.value_and_grad(loss, argnums=(0, 1))
    value, (gx, gw) = grad(x, w)
    value_p, (gx_p, gw_p) = _pure(grad, x, w)
    assert_close(np.array(value), np.array(value_p), 1e-6, "loss")
    assert_close(np.array(gx), np.array(gx_p), 1e-5, "grad x")
    assert_close(np.array(gw), np.array(gw_p), 1e-5, "grad window")

    # jvp in x and in the window (odd n_fft too: mlxdsp._fft works around MLX's irfft(n=odd) jvp)
    dx = _signal(rng, cfg[5], cfg[6])
    dw = mx.array(rng.standard_normal(w.shape).astype(np.float32))
    _, (t,) = mx.jvp(loss, (x, w), (dx, dw))
    _, (t_p,) = _pure(mx.jvp, loss, (x, w), (dx, dw))
    assert_close(np.array(t), np.array(t_p), 1e-5, "jvp")


def test_deterministic_env_selects_the_two_kernel_istft(fake_gpu, monkeypatch):
    """MLXDSP_DETERMINISTIC=1: no atomic adds (irfft + overlap_add kernels), the same result."""
    made = fake_gpu()
    monkeypatch.setattr(_kernels, "ISTFT_FUSION", "atomic")
    cfg = CONFIGS[0]
    x = _signal(np.random.default_rng(1), cfg[5], cfg[6])
    X = _stft(cfg, x)
    monkeypatch.setenv("MLXDSP_DETERMINISTIC", "1")
    y = _istft(cfg, X, cfg[6])
    assert "irfft_add" not in made and made["overlap_add"].calls >= 2
    assert_close(np.array(y), np.array(_pure(_istft, cfg, X, cfg[6])), 1e-6, "istft")
    monkeypatch.setenv("MLXDSP_DETERMINISTIC", "0")
    mx.eval(_istft(cfg, X, cfg[6]))
    assert made["irfft_add"].calls >= 2


def test_fake_kernels_under_compile_and_second_order(fake_gpu):
    fake_gpu()
    rng = np.random.default_rng(9)
    x = _signal(rng, (2,), 256)

    def f(x):
        y = mlxdsp.istft(mlxdsp.stft(x, n_fft=32, hop_length=8), n_fft=32, hop_length=8)
        return mx.sum(y**2)

    assert_close(np.array(mx.compile(f)(x)), np.array(_pure(f, x)), 1e-6, "compiled")
    g = mx.grad(lambda x: mx.sum(mx.grad(f)(x) ** 2))
    assert_close(np.array(g(x)), np.array(_pure(g, x)), 1e-5, "second order")


@pytest.mark.parametrize("mode", ["wrong", "raise"])
@pytest.mark.parametrize("n_fft", [63, 64])
def test_broken_kernel_warns_once_and_falls_back(fake_gpu, mode, n_fft):
    """n_fft=63: the frames kernel; 64: the fused kernel first, then its fallback, the frames kernel."""
    made = fake_gpu(mode)
    kinds = ["stft_rfft", "frames"] if _kernels.fft_eligible(n_fft) else ["frames"]
    rng = np.random.default_rng(2)
    x = _signal(rng, (2,), 400)
    with pytest.warns(_kernels.KernelWarning, match="failed self-validation") as record:
        X = mlxdsp.stft(x, n_fft=n_fft, hop_length=16)
    assert [str(r.message).split("'")[1] for r in record] == kinds
    assert all(made[kind].calls == 1 for kind in kinds)  # the validation run only
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X2 = mlxdsp.stft(x, n_fft=n_fft, hop_length=16)  # no second warning, still the pure path
    assert all(made[kind].calls == 1 for kind in kinds)
    with _kernels.kernels_disabled():
        ref = mlxdsp.stft(x, n_fft=n_fft, hop_length=16)
    np.testing.assert_array_equal(np.array(X), np.array(ref))
    np.testing.assert_array_equal(np.array(X2), np.array(ref))


def test_disabled_path_is_the_plain_pure_graph(fake_gpu, monkeypatch):
    made = fake_gpu()
    monkeypatch.setenv("MLXDSP_KERNELS", "0")
    x = _signal(np.random.default_rng(3), (2,), 300)
    mlxdsp.istft(mlxdsp.stft(x, n_fft=64, hop_length=16), n_fft=64, hop_length=16)
    assert made == {}


def test_vmap_with_kernels_disabled(fake_gpu):
    fake_gpu()
    x = _signal(np.random.default_rng(4), (3,), 300)
    with _kernels.kernels_disabled():
        y = mx.vmap(lambda s: mlxdsp.stft(s, n_fft=64, hop_length=16))(x)
    assert_close(
        np.array(y), np.array(_pure(lambda: mlxdsp.stft(x, n_fft=64, hop_length=16))), 1e-6, "vmap"
    )


@pytest.mark.parametrize("lead", [(), (2,), (1, 2, 2)])
def test_fake_mel_kernel_forward_and_gradients(fake_gpu, lead):
    made = fake_gpu()
    rng = np.random.default_rng(12)
    x = _signal(rng, lead, 2000)
    u = mx.array(rng.standard_normal((*lead, 40, 1 + 2000 // 64)).astype(np.float32))

    def mel(x):
        return mlxdsp.mel_spectrogram(x, sr=16000, n_fft=256, hop_length=64, n_mels=40)

    def loss(x):
        return mx.sum(mel(x) * u)

    assert_close(np.array(mel(x)), np.array(_pure(mel, x)), 1e-5, "mel")
    assert made["mel"].calls >= 2
    assert_close(np.array(mx.grad(loss)(x)), np.array(_pure(mx.grad(loss), x)), 1e-5, "grad")
    assert made["mel_adjoint"].calls >= 2
    dx = _signal(rng, lead, 2000)
    _, (t,) = mx.jvp(loss, (x,), (dx,))
    _, (t_p,) = _pure(mx.jvp, loss, (x,), (dx,))
    assert_close(np.array(t), np.array(t_p), 1e-5, "jvp")
    # power != 2 and learned filterbanks take the pure path
    calls = made["mel"].calls
    m1 = mlxdsp.mel_spectrogram(x, sr=16000, n_fft=256, hop_length=64, n_mels=40, power=1.0)
    assert made["mel"].calls == calls
    ref = _pure(
        lambda: mlxdsp.mel_spectrogram(x, sr=16000, n_fft=256, hop_length=64, n_mels=40, power=1.0)
    )
    assert_close(np.array(m1), np.array(ref), 1e-5, "power=1")
