"""The fused STFT kernel body (kernels/shared/stft_rfft.inc) run on the CPU, and its dispatch.

The body is compiled with g++ against tests/kernel_harness/emulator.h, which runs each threadgroup's
threads as coroutines switched at every barrier, in forward and in reversed order (a missing barrier
then gives a wrong answer deterministically). Outputs are compared with NumPy's float64 rFFT of the
padded, windowed frames, and with the pure-MLX reference of the kernel (frames + ``mx.fft.rfft``). The
same body is what the CUDA and Metal sources carry (string-level checks at the end).
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import mlx.core as mx
import numpy as np
import pytest

from mlxdsp import _kernels
from tests.conftest import assert_close, rel_err

HARNESS = Path(__file__).parent / "kernel_harness"

_SOURCE = """
#include <cstdint>
{constants}
static const float* x;
static const int* x_shape;
static const float* window;
static const float* twiddle;
static float* spec;
#include "emulator.h"
static void dsp_body() {{
{body}
}}
extern "C" int run(const float* x_, const int* xs_, const float* w_, const float* tw_, float* out_,
                   int groups, int groups_y, int order) {{
  x = x_;
  x_shape = xs_;
  window = w_;
  twiddle = tw_;
  spec = out_;
  return dsp_emu::run_groups(groups, groups_y, TPF * FPG, order);
}}
"""


def build(kind: str, g, source: str, directory: Path, body: str | None = None):
    """g++-compile the shared body of ``kind`` (or ``body``) with ``g``'s template constants into
    ``source`` (a host wrapper around tests/kernel_harness/emulator.h); returns the loaded library."""
    if shutil.which("g++") is None:
        pytest.skip("g++ not available")
    body = _kernels.kernel_body(kind) if body is None else body
    constants = "\n".join(
        f"constexpr int {name} = {int(value)};" for name, value in _kernels.template_args(kind, g)
    )
    cpp = directory / "k.cpp"
    cpp.write_text(source.format(constants=constants, body=body))
    so = directory / "k.so"
    subprocess.run(
        ["g++", "-O1", "-std=c++17", "-Wall", "-Werror", "-Wno-unused-variable",
         "-shared", "-fPIC", f"-I{HARNESS}", str(cpp), "-o", str(so)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    lib = ctypes.CDLL(str(so))
    lib.run.restype = ctypes.c_int
    return lib


def _compile(g: _kernels.FFTGeometry, directory: Path, body: str | None = None):
    return build("stft_rfft", g, _SOURCE, directory, body)


def _run(lib, g, x, window, order, extra_groups=1, offset=0):
    """Launch like the GPU: a whole number of groups (plus spare ones), batch rows on y (plus one).
    ``offset`` floats shift the signal's address (1: not 8-byte aligned, the scalar-load path)."""
    f32 = ctypes.POINTER(ctypes.c_float)
    i32 = ctypes.POINTER(ctypes.c_int)
    buffer = np.empty(x.size + 2, np.float32)
    start = (offset + (buffer.ctypes.data // 4)) % 2  # floats to skip for the requested parity
    buffer[start : start + x.size] = x.reshape(-1)
    x = buffer[start : start + x.size].reshape(x.shape)
    assert (x.ctypes.data % 8 == 0) == (offset % 2 == 0)
    window = np.ascontiguousarray(window, np.float32)
    tw = _kernels._twiddle_np(g.n_fft)
    dims = np.array(x.shape, np.int32)
    frames = g.frames_for(x.shape[1])
    shape = (x.shape[0], frames, g.n_fft + 2)
    total = int(np.prod(shape))
    out = np.full(total + 64, np.nan, np.float32)
    groups = -(-frames // g.fpg) + extra_groups
    code = lib.run(
        x.ctypes.data_as(f32), dims.ctypes.data_as(i32), window.ctypes.data_as(f32),
        tw.ctypes.data_as(f32), out.ctypes.data_as(f32), groups, x.shape[0] + 1, order,
    )  # fmt: skip
    assert code == 0, "divergent barrier"
    assert np.all(np.isnan(out[total:])), "a thread past the output wrote"
    assert not np.any(np.isnan(out[:total])), "an output element was not written"
    out = out[:total].reshape(shape)
    return out[..., 0::2] + 1j * out[..., 1::2]


def _reference(g, x, window):
    """float64 NumPy: pad, frame, window, rfft."""
    mode = {0: "constant", 1: "reflect", 2: "edge"}[g.pad_mode]
    padded = np.pad(x.astype(np.float64), [(0, 0), (g.left, g.right)], mode=mode)
    frames = g.frames_for(x.shape[1])
    index = np.arange(frames)[:, None] * g.hop + np.arange(g.n_fft)[None, :]
    return np.fft.rfft(padded[:, index] * window.astype(np.float64), axis=-1)


GEOMETRIES = [
    # n_fft, hop, left, right, pad mode, T, frames per threadgroup (0: the default layout)
    (16, 4, 8, 8, "reflect", 61, 0),  # radix 8 only
    (32, 5, 16, 16, "edge", 47, 0),  # 2 x 8
    (64, 16, 0, 0, "constant", 200, 0),  # 4 x 8
    (128, 32, 64, 64, "constant", 300, 0),  # 8 x 8
    (256, 100, 128, 128, "reflect", 700, 0),  # 2 x 8 x 8
    (512, 128, 256, 256, "reflect", 1100, 3),  # 4 x 8 x 8, 3 frames per group
    (1024, 256, 512, 512, "reflect", 1500, 0),  # 8 x 8 x 8
    (2048, 512, 1024, 1024, "edge", 1500, 1),  # 2 x 8 x 8 x 8
    (4096, 1000, 2048, 2048, "reflect", 3000, 0),  # 4 x 8 x 8 x 8
]


@pytest.mark.parametrize("geom", GEOMETRIES, ids=[str(g) for g in GEOMETRIES])
def test_host_body_matches_float64_rfft(tmp_path, geom):
    n_fft, hop, left, right, mode, length, fpg = geom
    tpf, default_fpg = _kernels.fft_layout(n_fft)
    g = _kernels.FFTGeometry(
        n_fft, hop, left, right, _kernels.PAD_MODES[mode], tpf, fpg or default_fpg
    )
    rng = np.random.default_rng(n_fft + length)
    x = rng.standard_normal((2, length)).astype(np.float32)
    w = rng.uniform(0.1, 1.0, n_fft).astype(np.float32)
    lib = _compile(g, tmp_path)
    want = _reference(g, x, w)
    ref32 = _kernels.stft_rfft_pure(
        g, mx.array(x), mx.array(w), mx.array(_kernels._twiddle_np(n_fft))
    )
    ref32 = np.array(ref32)
    ref32 = ref32[..., 0::2] + 1j * ref32[..., 1::2]
    for order, offset in [(0, 0), (1, 0), (0, 1)]:  # thread orders; 8-byte / 4-byte aligned signal
        got = _run(lib, g, x, w, order, offset=offset)
        assert got.shape == want.shape
        err = rel_err(got, want)
        assert err <= 1e-6, f"order {order}, offset {offset}: {err:.2e}"
        assert_close(got, ref32, 1e-6, "vs mx.fft.rfft of the frames")


_IRFFT_SOURCE = """
#include <cstdint>
{constants}
static const float* spec;
static const int* spec_shape;
static const float* twiddle;
static float* rows;
#include "emulator.h"
static void dsp_body() {{
{body}
}}
extern "C" int run(const float* s_, const int* ss_, const float* tw_, float* out_, int groups,
                   int order) {{
  spec = s_;
  spec_shape = ss_;
  twiddle = tw_;
  rows = out_;
  return dsp_emu::run_groups(groups, 1, TPF * FPG, order);
}}
"""


IRFFT_CASES = [
    (16, False),
    (32, False),
    (64, False),
    (1024, False),
    (4096, False),
    (32, True),
    (512, True),
]  # first radix 8, 2, 4, 8, 4; ADJ: 2, 8; fmt: skip


@pytest.mark.parametrize("n_fft, adjoint", IRFFT_CASES)
def test_host_irfft_body_matches_numpy(tmp_path, n_fft, adjoint):
    """irfft of each row; with ADJ the adjoint of rfft (the STFT backward), vs MLX's own vjp rule."""
    tpf = _kernels.fft_layout(n_fft)[0]
    g = _kernels.FFTGeometry(n_fft, 0, tpf=tpf, fpg=2, adjoint=adjoint)
    lib = build("irfft", g, _IRFFT_SOURCE, tmp_path)
    rng = np.random.default_rng(n_fft)
    count = 5  # 3 threadgroups of 2 rows, the last one partly filled
    spec = rng.standard_normal((count, n_fft + 2)).astype(np.float32)
    half = spec[:, 0::2].astype(np.float64) + 1j * spec[:, 1::2]
    if adjoint:  # d rows[n] = sum_k Re(X[k] exp(2 pi i k n / N)), k <= N/2
        phase = np.exp(2j * np.pi * np.outer(np.arange(n_fft // 2 + 1), np.arange(n_fft)) / n_fft)
        want = (half @ phase).real
    else:
        want = np.fft.irfft(half, n=n_fft, axis=-1)  # ignores Im X[0], Im X[n/2] as the kernel must
    f32, i32 = ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_int)
    tw = _kernels._twiddle_np(n_fft)
    dims = np.array(spec.shape, np.int32)
    ref32 = np.array(_kernels.irfft_pure(g, mx.array(spec), mx.array(tw)))
    for order in (0, 1):
        out = np.full(count * n_fft + 64, np.nan, np.float32)
        code = lib.run(
            spec.ctypes.data_as(f32), dims.ctypes.data_as(i32), tw.ctypes.data_as(f32),
            out.ctypes.data_as(f32), 4, order,
        )  # fmt: skip
        assert code == 0, "divergent barrier"
        assert np.all(np.isnan(out[count * n_fft :])), "a thread past the output wrote"
        got = out[: count * n_fft].reshape(count, n_fft)
        assert not np.any(np.isnan(got))
        assert rel_err(got, want) <= 1e-6, f"order {order}: {rel_err(got, want):.2e}"
        assert_close(got, ref32, 1e-6, "vs mx.fft.irfft")


def test_missing_barrier_is_caught(tmp_path):
    """The emulator is able to fail: without its barriers the body is wrong in some thread order."""
    g = _kernels.FFTGeometry(64, 16, 32, 32, 1, *_kernels.fft_layout(64))
    body = _kernels.kernel_body("stft_rfft").replace("DSP_BARRIER();", "")
    lib = _compile(g, tmp_path, body)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 300)).astype(np.float32)
    w = rng.uniform(0.1, 1.0, 64).astype(np.float32)
    errors = [rel_err(_run(lib, g, x, w, order), _reference(g, x, w)) for order in (0, 1)]
    assert max(errors) > 1e-2


@pytest.mark.parametrize("n_fft", [8, 12, 15, 48, 1000, 8192])
def test_other_sizes_are_not_fused(n_fft):
    assert not _kernels.fft_eligible(n_fft)


@pytest.mark.parametrize("n_fft", [16, 32, 1024, 4096])
def test_layout(n_fft):
    tpf, fpg = _kernels.fft_layout(n_fft)
    assert _kernels.fft_eligible(n_fft)
    assert tpf & (tpf - 1) == 0 and 1 <= tpf <= n_fft // 8
    assert tpf * fpg <= 1024
    g = _kernels.FFTGeometry(n_fft, n_fft // 4, tpf=tpf, fpg=fpg)
    # threadgroup memory: two padded float arrays per frame, within Metal's 32 KiB
    m = n_fft // 2
    assert 2 * 4 * fpg * (m + m // 32) <= 32 * 1024
    grid = _kernels.launch_grid("stft_rfft", (3, 2 * fpg + 1, n_fft + 2), g)
    assert grid == (3 * tpf * fpg, 3, 1)
    assert dict(_kernels.template_args("stft_rfft", g))["LOG2M"] == int(np.log2(m))
