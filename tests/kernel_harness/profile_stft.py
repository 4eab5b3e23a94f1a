"""Device-side timing of the fused STFT kernel body against an earlier body, MLX's rFFT and torch.

    python tests/kernel_harness/profile_stft.py [--quick] [--body NAME=PATH ...]

Not collected by pytest (needs a GPU). Each body is launched directly with mx.fast.cuda_kernel (same
template constants and inputs as mlxdsp/_kernels.py). Device time per call = one mx.eval of K calls on
3 rotating inputs, over K (no per-call host overhead); "call" = median of single evaluated calls.
Checks each body against NumPy's float64 rFFT first. Run under ncu with ``--kernel-name regex:stft``.
"""

# ruff: noqa: B023  (closures are called within the loop iteration that defines them)
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import mlx.core as mx
import numpy as np

from mlxdsp import _kernels

ROOT = Path(__file__).resolve().parents[2]
SIZES = [(1024, 256, 4, 1_320_000), (2048, 512, 16, 1_320_000), (512, 128, 4, 1_320_000),
         (4096, 1024, 4, 1_320_000), (256, 64, 4, 1_320_000)]  # fmt: skip


def layout(tag: str, n_fft: int, group: int) -> tuple[int, int]:
    if tag == "v4":  # radix-4 in-place body: min(n_fft / 8, 256) threads per frame
        tpf = max(1, min(n_fft // 8, 256))
    else:
        tpf = max(1, n_fft // 16)
    return tpf, max(1, group // tpf)


def launch_bounds_header(min_blocks: int) -> str:
    """A header that gives the generated kernel ``__launch_bounds__(256, min_blocks)`` (registers per
    thread <= 65536 / (256 min_blocks)): mx.fast.cuda_kernel writes ``__global__ void name(`` after the
    header, and offers no other way to bound the registers."""
    return (
        "#undef __global__\n"
        f"#define __global__ __attribute__((global)) __launch_bounds__(256, {min_blocks})\n"
    )


def make(tag: str, path: Path, header: str = ""):
    source = (ROOT / "kernels/cuda/prelude.cu").read_text() + "\n" + path.read_text()
    if path.name == "stft_rfft.inc":
        source = (ROOT / "kernels/cuda/prelude.cu").read_text() + "\n"
        source += _kernels.kernel_body("stft_rfft")
    return mx.fast.cuda_kernel(
        name=f"mlxdsp_stft_{tag}",
        input_names=["x", "window", "twiddle"],
        output_names=["spec"],
        source=source,
        header=header,
    )


def launch(kernel, g, x, window):
    shape = (x.shape[0], g.frames_for(x.shape[1]), g.n_fft + 2)
    return kernel(
        inputs=[x, window, _kernels._twiddle(g.n_fft)],
        template=_kernels.template_args("stft_rfft", g),
        grid=_kernels.launch_grid("stft_rfft", shape, g),
        threadgroup=(g.threads, 1, 1),
        output_shapes=[shape],
        output_dtypes=[mx.float32],
    )[0]


def device_ms(fn, inputs, k=20) -> float:
    mx.eval([fn(*inputs[i % len(inputs)]) for i in range(3)])
    best = []
    for _ in range(5):
        t0 = time.perf_counter()
        mx.eval([fn(*inputs[i % len(inputs)]) for i in range(k)])
        best.append((time.perf_counter() - t0) / k)
    return 1e3 * statistics.median(best)


def call_ms(fn, inputs, runs=30) -> float:
    samples = []
    for i in range(runs + 3):
        t0 = time.perf_counter()
        mx.eval(fn(*inputs[i % len(inputs)]))
        samples.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(samples[3:])


def sanitize() -> None:
    """Small inputs through the real dispatch (mlxdsp.stft and its gradient): every fused size, every
    pad mode, partly filled last threadgroups, 2 batch rows. For compute-sanitizer memcheck/racecheck."""
    import mlxdsp

    rng = np.random.default_rng(1)
    cases = [
        (16, "reflect", 4),
        (32, "edge", 8),
        (64, "constant", 17),
        (1024, "reflect", 256),
        (2048, "edge", 301),  # istft: the ring form would not fit (two kernels there)
        (2048, "reflect", 512),  # istft: the ring form's largest ring (4 slots of 2048)
        (4096, "constant", 1024),
    ]  # radix 8; 2 x 8; 4 x 8; ...; fmt: skip
    for n_fft, mode, hop in cases:
        x = mx.array(rng.standard_normal((2, 3 * n_fft + 7)).astype(np.float32))
        opts = dict(n_fft=n_fft, hop_length=hop, pad_mode=mode)
        spec = mlxdsp.stft(x, **opts)
        grad = mx.grad(lambda x, opts=opts: mx.sum(mx.abs(mlxdsp.stft(x, **opts))))(x)
        iopts = dict(n_fft=n_fft, hop_length=hop, length=x.shape[-1])
        y = mlxdsp.istft(spec, **iopts)
        u = mx.array(rng.standard_normal(y.shape).astype(np.float32))
        gspec = mx.grad(lambda s, iopts=iopts, u=u: mx.sum(mlxdsp.istft(s, **iopts) * u))(spec)
        mx.eval(spec, grad, y, gspec)
        print(f"sanitize: n_fft {n_fft} {mode} hop {hop} done", flush=True)
    kinds = ("stft_rfft", "irfft", "irfft_ola", "irfft_add")
    fused = [k for k, ok in _kernels._validated.items() if ok and k[0] in kinds]
    failed = [k for k, ok in _kernels._validated.items() if not ok]
    print(
        f"sanitize: {len(fused)} fused kernel configurations ran, {len(failed)} failed validation"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sanitize", action="store_true")
    parser.add_argument(
        "--once", action="store_true", help="one full-size launch per body (for ncu)"
    )
    parser.add_argument("--body", action="append", default=[])
    parser.add_argument(
        "--bounds", type=int, action="append", default=[],
        help="also the current body under __launch_bounds__(256, N)",
    )  # fmt: skip
    parser.add_argument("--group", type=int, default=_kernels.FFT_GROUP)
    args = parser.parse_args()
    if args.sanitize:
        sanitize()
        return
    bodies = {"cur": ROOT / "kernels/shared/stft_rfft.inc"}
    for item in args.body:
        name, path = item.split("=", 1)
        bodies[name] = ROOT / path
    kernels = {tag: make(tag, path) for tag, path in bodies.items()}
    for n in args.bounds:
        kernels[f"lb{n}"] = make(f"lb{n}", bodies["cur"], launch_bounds_header(n))
    try:
        import torch

        has_torch = torch.cuda.is_available()
    except Exception:
        has_torch = False
    rng = np.random.default_rng(0)
    print("| n_fft/hop | B x T | body | tpf x fpg | err vs f64 | device ms | call ms | floor ms |")
    for n_fft, hop, batch, samples in SIZES[:1] if args.quick else SIZES:
        xs = [mx.array(rng.standard_normal((batch, samples)).astype(np.float32)) for _ in range(3)]
        w64 = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
        w = mx.array(w64.astype(np.float32))
        mx.eval(xs, w)
        left = n_fft // 2
        frames = 1 + samples // hop
        floor = (
            batch * samples * 4 + batch * frames * (n_fft // 2 + 1) * 8
        ) / 3.0e9  # ms at 3 TB/s
        a = np.array(xs[0][:1, : 40 * hop]).astype(np.float64)
        padded = np.pad(a, [(0, 0), (left, left)], mode="reflect")
        nf = 1 + (padded.shape[1] - n_fft) // hop
        idx = np.arange(nf)[:, None] * hop + np.arange(n_fft)[None, :]
        want = np.fft.rfft(padded[:, idx] * w64, axis=-1)
        for tag, kernel in kernels.items():
            g = _kernels.FFTGeometry(n_fft, hop, left, left, 1, *layout(tag, n_fft, args.group))
            try:
                got = np.array(launch(kernel, g, xs[0][:1, : 40 * hop], w))
            except Exception as exc:  # a variant that does not compile: say so, go on
                print(f"| {n_fft}/{hop} | {tag} | failed: {type(exc).__name__}: {exc} |"[:400])
                continue
            got = got[..., 0::2] + 1j * got[..., 1::2]
            err = np.linalg.norm(got - want) / np.linalg.norm(want)
            fn = lambda x, g=g, kernel=kernel: launch(kernel, g, x, w)  # noqa: E731
            if args.once:
                mx.eval(fn(xs[0]))
                print(f"| {n_fft}/{hop} | {batch} x {samples} | {tag} | {err:.1e} | (ncu) |")
                continue
            d, c = device_ms(fn, [(x,) for x in xs]), call_ms(fn, [(x,) for x in xs])
            print(f"| {n_fft}/{hop} | {batch} x {samples} | {tag} | {g.tpf} x {g.fpg} | {err:.1e} "
                  f"| {d:.3f} | {c:.3f} | {floor:.3f} |", flush=True)  # fmt: skip
        if args.once:
            continue
        ones = mx.ones((1,), dtype=mx.float32)
        fg = _kernels.Geometry(n_fft, hop, left, left, 1, (samples + 2 * left - n_fft) % hop)
        framed = _kernels._launch("frames", "cuda", fg, [xs[0], w, ones], (batch, frames, n_fft))
        mx.eval(framed)
        for name, fn, inp in [
            ("frames kernel", lambda x: _kernels._launch(
                "frames", "cuda", fg, [x, w, ones], (batch, frames, n_fft)), [(x,) for x in xs]),
            ("mx.fft.rfft", lambda r: mx.fft.rfft(r, axis=-1), [(framed,)]),
        ]:  # fmt: skip
            print(f"| {n_fft}/{hop} | {batch} x {samples} | {name} | - | - "
                  f"| {device_ms(fn, inp):.3f} | {call_ms(fn, inp):.3f} | - |", flush=True)  # fmt: skip
        if has_torch:
            tx = [torch.from_numpy(np.array(x)).cuda() for x in xs]
            tw = torch.hann_window(n_fft, device="cuda")

            def tstft(t):
                return torch.stft(t, n_fft, hop, window=tw, center=True, return_complex=True)

            for _ in range(3):
                tstft(tx[0])
            torch.cuda.synchronize()
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for i in range(20):
                tstft(tx[i % 3])
            stop.record()
            torch.cuda.synchronize()
            print(f"| {n_fft}/{hop} | {batch} x {samples} | torch.stft | - | - "
                  f"| {start.elapsed_time(stop) / 20:.3f} | - | - |", flush=True)  # fmt: skip
            del tx
        del xs, framed


if __name__ == "__main__":
    main()
