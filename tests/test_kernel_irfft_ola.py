"""The fused iSTFT kernel bodies (kernels/shared/irfft_ola.inc, irfft_add.inc) run on the CPU.

The body is compiled with g++ against tests/kernel_harness/emulator.h (each threadgroup's threads run
as coroutines switched at every barrier, in forward and in reversed order), launched like the GPU
(whole threadgroups, spare ones past the end, batch rows on y plus a spare row), and compared with
NumPy's float64 irfft + window + overlap-add + scale, and with the pure-MLX reference of the kernel.
irfft_ola (the ring form) also has its layout checked; irfft_add (the atomic form) adds into a zeroed
output (the emulator runs a group's threads one at a time, so its adds are plain adds).
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import mlx.core as mx
import numpy as np
import pytest

from mlxdsp import _kernels
from tests.conftest import assert_close, rel_err
from tests.test_kernel_stft_rfft import build

_SOURCE = """
#include <cstdint>
{constants}
static const float* spec;
static const int* spec_shape;
static const float* window;
static const float* scale;
static const float* twiddle;
static float* y;
#include "emulator.h"
static void dsp_body() {{
{body}
}}
extern "C" int run(const float* s_, const int* ss_, const float* w_, const float* sc_,
                   const float* tw_, float* out_, int groups, int groups_y, int order) {{
  spec = s_;
  spec_shape = ss_;
  window = w_;
  scale = sc_;
  twiddle = tw_;
  y = out_;
  return dsp_emu::run_groups(groups, groups_y, TPF * FPG, order);
}}
"""


def _compile(g: _kernels.OLAGeometry, directory: Path, body: str | None = None):
    return build("irfft_ola", g, _SOURCE, directory, body)


def _run(lib, g, spec, window, scale, order):
    """Launch like the GPU: the grid of launch_grid plus a spare threadgroup and a spare batch row."""
    f32 = ctypes.POINTER(ctypes.c_float)
    i32 = ctypes.POINTER(ctypes.c_int)
    rows, frames = spec.shape[:2]
    length = g.length_for(frames)
    grid = _kernels.launch_grid("irfft_ola", (rows, length), g)
    assert grid[0] % g.threads == 0 and grid[1] == rows
    groups = grid[0] // g.threads + 1
    dims = np.array(spec.shape, np.int32)
    tw = _kernels._twiddle_np(g.n_fft)
    total = rows * length
    out = np.full(total + 4 * g.n_fft * g.span, np.nan, np.float32)
    code = lib.run(
        spec.ctypes.data_as(f32), dims.ctypes.data_as(i32), window.ctypes.data_as(f32),
        scale.ctypes.data_as(f32), tw.ctypes.data_as(f32), out.ctypes.data_as(f32),
        groups, rows + 1, order,
    )  # fmt: skip
    assert code == 0, "divergent barrier"
    assert np.all(np.isnan(out[total:])), "a thread past the output wrote"
    assert not np.any(np.isnan(out[:total])), "an output element was not written"
    return out[:total].reshape(rows, length)


def _reference(g, spec, window, scale):
    """float64 NumPy: irfft of each frame (Im of bins 0 and n_fft/2 ignored), window, overlap-add, scale."""
    half = spec[..., 0::2].astype(np.float64) + 1j * spec[..., 1::2]
    frames = np.fft.irfft(half, n=g.n_fft, axis=-1) * window.astype(np.float64)
    rows, count = spec.shape[:2]
    y = np.zeros((rows, (count - 1) * g.hop + g.n_fft))
    for f in range(count):
        y[:, f * g.hop : f * g.hop + g.n_fft] += frames[:, f]
    return y * scale


CASES = [
    # n_fft, hop, frames, fpg, span (fpg/span 0: ola_layout's)
    (16, 4, 70, 0, 0),  # 128 frames at once, radix 8 only
    (32, 5, 50, 4, 8),  # hop not dividing n_fft (cover 7), 2 x 8
    (64, 16, 40, 2, 4),  # 4 x 8
    (64, 64, 9, 1, 2),  # hop = n_fft: cover 1, no frame shared between spans
    (128, 40, 30, 1, 3),  # span not a multiple of fpg, cover 4
    (256, 64, 21, 2, 6),  # 2 x 8 x 8
    (1024, 256, 20, 0, 0),  # 8 x 8 x 8, the benchmark's geometry
    (2048, 512, 9, 1, 4),  # 2 x 8 x 8 x 8
]


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
def test_host_body_matches_float64(tmp_path, case):
    n_fft, hop, frames, fpg, span = case
    rows = 2
    g = _kernels.ola_layout(n_fft, hop, frames, rows, "cuda")
    if fpg:
        g = g._replace(fpg=fpg, span=span)
    assert g.shared_bytes <= 48 * 1024 and g.ring >= g.fpg + g.cover - 1
    rng = np.random.default_rng(n_fft + hop)
    spec = rng.standard_normal((rows, frames, n_fft + 2)).astype(np.float32)
    window = rng.uniform(0.1, 1.0, n_fft).astype(np.float32)
    scale = rng.uniform(0.5, 2.0, g.length_for(frames)).astype(np.float32)
    want = _reference(g, spec, window, scale)
    ref32 = _kernels.irfft_ola_pure(
        g, mx.array(spec), mx.array(window), mx.array(scale), mx.array(_kernels._twiddle_np(n_fft))
    )
    ref32 = np.array(ref32)
    assert ref32.shape == want.shape and ref32.dtype == np.float32
    lib = _compile(g, tmp_path)
    for order in (0, 1):
        got = _run(lib, g, spec, window, scale, order)
        assert got.shape == want.shape
        err = rel_err(got, want)
        assert err <= 1e-6, f"order {order}: {err:.2e}"
        assert_close(got, ref32, 1e-6, "vs mx.fft.irfft + overlap-add")


def test_ring_barrier_is_needed(tmp_path):
    """The emulator is able to fail: without the barrier that ends each batch, the next batch's first
    pass overwrites ring slots that threads still gather from (in one of the two thread orders)."""
    g = _kernels.OLAGeometry(64, 16, 4, 2, 4)
    body = _kernels.kernel_body("irfft_ola")
    tail = "DSP_BARRIER();  // the next batch overwrites slots this one read"
    assert body.count(tail) == 1
    lib = _compile(g, tmp_path, body.replace(tail, ""))
    rng = np.random.default_rng(3)
    spec = rng.standard_normal((1, 30, 66)).astype(np.float32)
    window = rng.uniform(0.1, 1.0, 64).astype(np.float32)
    scale = np.ones(g.length_for(30), np.float32)
    want = _reference(g, spec, window, scale)
    errors = [rel_err(_run(lib, g, spec, window, scale, order), want) for order in (0, 1)]
    assert max(errors) > 1e-2


FITS = [
    (16, 1, "cuda"), (16, 1, "metal"), (64, 16, "metal"), (1024, 256, "cuda"), (1024, 200, "metal"),
    (1024, 128, "cuda"), (2048, 512, "cuda"),
]  # fmt: skip


@pytest.mark.parametrize("n_fft, hop, backend", FITS)
def test_layout_fits_threadgroup_memory(n_fft, hop, backend):
    limit = {"cuda": 48 * 1024, "metal": 32 * 1024}[backend]
    g = _kernels.ola_layout(n_fft, hop, 5000, 4, backend)
    assert g is not None
    assert g.shared_bytes <= limit
    assert g.tpf == n_fft // 16 and g.threads <= _kernels.OLA_THREADS
    assert g.ring == g.fpg + -(-n_fft // hop) - 1
    # the span: a power-of-two multiple of fpg, at least twice the re-transformed frames
    assert g.span % g.fpg == 0 and (g.span // g.fpg) & (g.span // g.fpg - 1) == 0
    assert g.span >= 2 * (g.cover - 1)
    hops = -(-g.length_for(5000) // hop)
    assert 4 * -(-hops // g.span) <= _kernels.OLA_GROUPS or g.span <= max(g.fpg, 2 * g.cover)


@pytest.mark.parametrize(
    "n_fft, hop, backend",
    [(4096, 1024, "cuda"), (2048, 256, "cuda"), (8192, 2048, "cuda"), (1000, 250, "cuda"),
     (1024, 128, "metal"), (2048, 512, "metal")],
)  # fmt: skip
def test_layout_refuses_what_does_not_fit(n_fft, hop, backend):
    """A ring over the static threadgroup memory (48 KiB CUDA, 32 KiB Metal), or no power of two: the
    iSTFT then runs its two stages (irfft kernel, overlap-add kernel)."""
    assert _kernels.ola_layout(n_fft, hop, 100, 1, backend) is None
    assert _kernels.ola_layout(1024, 128, 100, 1, "cuda") is not None


ADD_CASES = [(16, 4, 21), (32, 5, 13), (64, 64, 9), (256, 100, 7), (1024, 256, 6), (2048, 300, 5)]


@pytest.mark.parametrize("n_fft, hop, frames", ADD_CASES)
def test_host_atomic_body_matches_float64(tmp_path, n_fft, hop, frames):
    """irfft_add: the irfft kernel's transform, then each windowed, scaled frame added into y."""
    tpf, fpg = _kernels.fft_layout(n_fft)
    g = _kernels.FFTGeometry(n_fft, hop, tpf=tpf, fpg=fpg)
    lib = build("irfft_add", g, _SOURCE, tmp_path)
    rows = 2
    rng = np.random.default_rng(n_fft + frames)
    spec = rng.standard_normal((rows, frames, n_fft + 2)).astype(np.float32)
    window = rng.uniform(0.1, 1.0, n_fft).astype(np.float32)
    length = (frames - 1) * hop + n_fft
    scale = rng.uniform(0.5, 2.0, length).astype(np.float32)
    want = _reference(g, spec, window, scale)
    grid = _kernels.launch_grid("irfft_add", (rows, length), g)
    assert grid[0] % g.threads == 0 and grid[0] // g.threads == -(-rows * frames // g.fpg)
    f32, i32 = ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_int)
    dims = np.array(spec.shape, np.int32)
    tw = _kernels._twiddle_np(n_fft)
    for order in (0, 1):
        out = np.full(rows * length + 4 * n_fft, 7.0, np.float32)
        out[: rows * length] = 0.0  # init_value
        code = lib.run(
            spec.ctypes.data_as(f32), dims.ctypes.data_as(i32), window.ctypes.data_as(f32),
            scale.ctypes.data_as(f32), tw.ctypes.data_as(f32), out.ctypes.data_as(f32),
            grid[0] // g.threads + 1, 1, order,
        )  # fmt: skip
        assert code == 0, "divergent barrier"
        assert np.all(out[rows * length :] == 7.0), "a thread past the output wrote"
        got = out[: rows * length].reshape(rows, length)
        assert rel_err(got, want) <= 1e-6, f"order {order}: {rel_err(got, want):.2e}"
