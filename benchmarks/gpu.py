"""GPU: mlxdsp with kernels vs mlxdsp pure MLX vs torch CUDA (+ torchaudio), and the HBM floor.

    python -m benchmarks gpu [--runs 30] [--json PATH] [--quick]

Run on the lent GPU machine (see docs/gpu.md). Every number is the median of >= ``--runs`` timed runs
after warm-up, with ``mx.eval`` / ``torch.cuda.synchronize`` inside the timed region, cycling over 3
input sets. mlxdsp functions are ``mx.compile``d per shape; "pure" traces them under
``kernels_disabled()``. The floor is the bytes that must move (each input read once, each output written
once) over the device-copy bandwidth measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import mlx.core as mx
import numpy as np

import mlxdsp
from mlxdsp import _kernels

from .timing import format_table

SR = 16000
N_MELS = 128
SIZES = [  # n_fft, hop, batch, samples
    (1024, 256, 4, 160_000),
    (1024, 256, 8, 480_000),
    (1024, 256, 4, 1_320_000),
    (2048, 512, 16, 1_320_000),
]
MRSTFT = [(512, 128), (1024, 256), (2048, 512)]


def _median_ms(fn, runs: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(samples)


def _cycle(items):
    state = {"i": 0}

    def nxt():
        state["i"] = (state["i"] + 1) % len(items)
        return items[state["i"]]

    return nxt


def _mlx_timer(fn, inputs, runs):
    nxt = _cycle(inputs)

    def once():
        out = fn(*nxt())
        mx.eval(out)

    # 12 warm-up calls: until MLX's buffer cache holds every size the call allocates, single calls
    # take 0.2-0.3 ms more (fresh device allocations; tests/kernel_harness/istft_modes.py, run 12)
    return _median_ms(once, runs, warmup=12)


def _pure(fn):
    def wrapped(*args):
        with _kernels.kernels_disabled():
            return fn(*args)

    return wrapped


def _copy_bandwidth(runs: int, torch=None) -> dict:
    n = 256 * 2**20  # 1 GiB of float32
    x = mx.random.normal((n,))
    mx.eval(x)
    copy = mx.compile(lambda a: a * 1.0 + 0.0)
    ms = _mlx_timer(copy, [(x,)], runs)
    out = {"mlx_gbs": 2 * 4 * n / ms / 1e6}
    del x
    if torch is not None:
        a = torch.randn(n, device="cuda")
        b = torch.empty_like(a)

        def once():
            b.copy_(a)
            torch.cuda.synchronize()

        ms = _median_ms(once, runs)
        out["torch_gbs"] = 2 * 4 * n / ms / 1e6
        del a, b
        torch.cuda.empty_cache()
    out["gbs"] = max(out.values())
    return out


def _mr_loss_mlx(x, y):
    total = 0.0
    for n_fft, hop in MRSTFT:
        X = mlxdsp.stft(x, n_fft=n_fft, hop_length=hop)
        Y = mlxdsp.stft(y, n_fft=n_fft, hop_length=hop)
        mx_ = mx.sqrt(mx.real(X) ** 2 + mx.imag(X) ** 2 + 1e-7)
        my_ = mx.sqrt(mx.real(Y) ** 2 + mx.imag(Y) ** 2 + 1e-7)
        total = total + mx.mean(mx.abs(mx_ - my_)) + mx.mean(mx.abs(mx.log(mx_) - mx.log(my_)))
    return total


def _mr_loss_torch(torch, windows, x, y):
    total = 0.0
    for n_fft, hop in MRSTFT:
        w = windows[n_fft]
        X = torch.stft(
            x, n_fft, hop, window=w, center=True, pad_mode="reflect", return_complex=True
        )
        Y = torch.stft(
            y, n_fft, hop, window=w, center=True, pad_mode="reflect", return_complex=True
        )
        mx_ = torch.sqrt(X.real**2 + X.imag**2 + 1e-7)
        my_ = torch.sqrt(Y.real**2 + Y.imag**2 + 1e-7)
        total = total + (mx_ - my_).abs().mean() + (mx_.log() - my_.log()).abs().mean()
    return total


def run(runs: int, quick: bool) -> list[dict]:
    try:
        import torch
        import torchaudio

        has_torch = torch.cuda.is_available()
    except Exception:  # pragma: no cover - device-only peers
        torch = torchaudio = None
        has_torch = False
    bw = _copy_bandwidth(runs, torch if has_torch else None)
    print(f"device copy bandwidth: {bw}", flush=True)
    rows = []
    sizes = SIZES[:2] if quick else SIZES
    rng = np.random.default_rng(0)
    for n_fft, hop, batch, samples in sizes:
        xs_np = [rng.standard_normal((batch, samples)).astype(np.float32) for _ in range(3)]
        xs = [mx.array(a) for a in xs_np]
        n_frames = 1 + samples // hop
        n_freq = n_fft // 2 + 1
        opts = dict(n_fft=n_fft, hop_length=hop)

        def stft(x, opts=opts):
            return mlxdsp.stft(x, **opts)

        def istft(X, opts=opts, samples=samples):
            return mlxdsp.istft(X, length=samples, **opts)

        def spec(x, opts=opts):
            return mlxdsp.spectrogram(x, power=2.0, **opts)

        def mel(x, opts=opts):
            return mlxdsp.mel_spectrogram(
                x, sr=SR, n_mels=N_MELS, mel_scale="htk", norm=None, pad_mode="reflect", **opts
            )

        def grad_power(x, opts=opts):
            def loss(x):
                X = mlxdsp.stft(x, **opts)
                return mx.mean(mx.real(X) ** 2 + mx.imag(X) ** 2)

            return mx.value_and_grad(loss)(x)

        Xs = [mx.compile(stft)(x) for x in xs]
        mx.eval(Xs)
        in_bytes = batch * samples * 4
        spec_bytes = batch * n_frames * n_freq * 8
        cases = [
            ("stft", stft, [(x,) for x in xs], in_bytes + spec_bytes),
            ("istft", istft, [(X,) for X in Xs], spec_bytes + in_bytes),
            ("spectrogram", spec, [(x,) for x in xs], in_bytes + spec_bytes // 2),
            ("mel", mel, [(x,) for x in xs], in_bytes + batch * n_frames * N_MELS * 4),
            ("grad |stft|^2", grad_power, [(x,) for x in xs], 2 * in_bytes),
        ]
        torch_cases = {}
        if has_torch:
            tx = [torch.from_numpy(a).cuda() for a in xs_np]
            win = torch.hann_window(n_fft, device="cuda")
            tX = [
                torch.stft(t, n_fft, hop, window=win, center=True, return_complex=True) for t in tx
            ]
            tspec = torchaudio.transforms.Spectrogram(n_fft=n_fft, hop_length=hop, power=2.0).cuda()
            tmel = torchaudio.transforms.MelSpectrogram(
                sample_rate=SR, n_fft=n_fft, hop_length=hop, n_mels=N_MELS
            ).cuda()

            def t_grad(t, n_fft=n_fft, hop=hop, win=win):
                t = t.detach().requires_grad_(True)
                X = torch.stft(t, n_fft, hop, window=win, center=True, return_complex=True)
                loss = (X.real**2 + X.imag**2).mean()
                loss.backward()
                return loss, t.grad

            torch_cases = {
                "stft": (
                    lambda t, n_fft=n_fft, hop=hop, win=win: torch.stft(
                        t, n_fft, hop, window=win, center=True, return_complex=True
                    ),
                    tx,
                ),
                "istft": (
                    lambda X, n_fft=n_fft, hop=hop, win=win, samples=samples: torch.istft(
                        X, n_fft, hop, window=win, center=True, length=samples
                    ),
                    tX,
                ),
                "spectrogram": (tspec, tx),
                "mel": (tmel, tx),
                "grad |stft|^2": (t_grad, tx),
            }
        # one pass per path (kernels, pure, torch) over the ops: interleaving the paths left MLX's
        # buffer cache cold for some rows (0.2-0.3 ms more per call; runs 11-13)
        ms_k = {name: _mlx_timer(mx.compile(fn), inputs, runs) for name, fn, inputs, _ in cases}
        ms_p = {
            name: _mlx_timer(mx.compile(_pure(fn)), inputs, runs) for name, fn, inputs, _ in cases
        }
        ms_t = {}
        for name, (tfn, tin) in torch_cases.items():
            nxt = _cycle(tin)
            grad_ctx = torch.enable_grad if name.startswith("grad") else torch.no_grad

            def once(tfn=tfn, nxt=nxt, grad_ctx=grad_ctx):
                with grad_ctx():
                    tfn(nxt())
                torch.cuda.synchronize()

            ms_t[name] = _median_ms(once, runs)
        for name, _, _, floor_bytes in cases:
            floor = floor_bytes / bw["gbs"] / 1e6
            row = dict(
                op=name, n_fft=n_fft, hop=hop, batch=batch, samples=samples,
                kernels_ms=ms_k[name], pure_ms=ms_p[name], torch_ms=ms_t.get(name), floor_ms=floor,
            )  # fmt: skip
            rows.append(row)
            print(json.dumps(row), flush=True)
        if has_torch:
            del tx, tX
            torch.cuda.empty_cache()
        del xs, Xs
    # where the stft/istft time goes (kernels path, 1024/256, 4 x 1.32M): each stage alone
    n_fft, hop, batch, samples = 1024, 256, 4, 1_320_000
    x = mx.array(rng.standard_normal((batch, samples)).astype(np.float32))
    w = mx.array(np.hanning(n_fft + 1)[:-1].astype(np.float32))
    n_frames = 1 + samples // hop
    padded = mx.pad(x, [(0, 0), (n_fft // 2, n_fft // 2)])  # the pure path's input (unused here)
    mx.eval(x, w, padded)

    def frames_only(x):
        return _kernels.windowed_frames(
            padded, w, n_fft, hop, n_frames, source=x, padding=(n_fft // 2, n_fft // 2, "reflect")
        )

    def fused_only(x):
        return _kernels.windowed_rfft(
            padded, w, n_fft, hop, n_frames, source=x, padding=(n_fft // 2, n_fft // 2, "reflect")
        )

    framed = mx.compile(frames_only)(x)
    spec = mx.fft.rfft(framed, axis=-1)
    back = mx.fft.irfft(spec, n=n_fft, axis=-1)
    scale = mx.ones(((n_frames - 1) * hop + n_fft,))
    mx.eval(framed, spec, back, scale)
    frame_bytes = batch * n_frames * n_fft * 4
    stages = [
        ("stft_rfft kernel (fused)", fused_only, (x,), batch * samples * 4 + spec.nbytes),
        ("frames kernel", frames_only, (x,), batch * samples * 4 + frame_bytes),
        ("mx.fft.rfft", lambda r: mx.fft.rfft(r, axis=-1), (framed,), frame_bytes + spec.nbytes),
        (
            "mx.fft.irfft",
            lambda z: mx.fft.irfft(z, n=n_fft, axis=-1),
            (spec,),
            spec.nbytes + frame_bytes,
        ),
        (
            "irfft kernel",
            lambda z: _kernels.irfft_rows(z, n_fft),
            (spec,),
            spec.nbytes + frame_bytes,
        ),
        (
            "fused istft back end (irfft + window + overlap-add + scale)",
            lambda z: _kernels.irfft_overlap_add(z, w, scale, n_fft, hop),
            (spec,),
            spec.nbytes + scale.size * 4 * batch,
        ),
        (
            "overlap_add kernel",
            lambda r: _kernels.overlap_add_scaled(r, w, scale, hop),
            (back,),
            frame_bytes + scale.size * 4 * batch,
        ),
    ]
    for name, fn, args, nbytes in stages:
        ms = _mlx_timer(mx.compile(fn), [args], runs)
        row = dict(
            op=f"stage: {name}", n_fft=n_fft, hop=hop, batch=batch, samples=samples,
            kernels_ms=ms, pure_ms=None, torch_ms=None, floor_ms=nbytes / bw["gbs"] / 1e6,
        )  # fmt: skip
        rows.append(row)
        print(json.dumps(row), flush=True)
    del x, framed, spec, back

    # istft: the fused back end (irfft_ola) vs the two kernels (irfft, overlap_add), and its layout
    # (threads per threadgroup, threadgroups per launch), in this run
    for n_fft, hop, batch, samples in [] if quick else [SIZES[2], SIZES[3]]:
        xs = [mx.array(rng.standard_normal((batch, samples)).astype(np.float32)) for _ in range(3)]
        Xs = [
            mx.compile(lambda x, n_fft=n_fft, hop=hop: mlxdsp.stft(x, n_fft=n_fft, hop_length=hop))(
                x
            )
            for x in xs
        ]
        mx.eval(Xs)
        nbytes = batch * samples * 4 + batch * (1 + samples // hop) * (n_fft // 2 + 1) * 8
        saved = (_kernels.ISTFT_FUSION, _kernels.OLA_THREADS, _kernels.OLA_GROUPS)
        variants = [
            ("istft two kernels (irfft, overlap_add)", "", 128, 1024),
            ("istft fused, atomic (irfft_add)", "atomic", 128, 1024),
            ("istft fused, ring threads=128 groups=1024", "ring", 128, 1024),
            ("istft fused, ring threads=256 groups=2048", "ring", 256, 2048),
            ("istft fused, ring threads=128 groups=2048", "ring", 128, 2048),
        ]
        for name, fusion, threads, groups in variants:
            _kernels.ISTFT_FUSION, _kernels.OLA_THREADS, _kernels.OLA_GROUPS = (
                fusion,
                threads,
                groups,
            )

            def inverse(X, n_fft=n_fft, hop=hop, samples=samples):
                return mlxdsp.istft(X, n_fft=n_fft, hop_length=hop, length=samples)

            ms = _mlx_timer(mx.compile(inverse), [(X,) for X in Xs], runs)
            row = dict(
                op=name, n_fft=n_fft, hop=hop, batch=batch, samples=samples, kernels_ms=ms,
                pure_ms=None, torch_ms=None, floor_ms=nbytes / bw["gbs"] / 1e6,
            )  # fmt: skip
            rows.append(row)
            print(json.dumps(row), flush=True)
        _kernels.ISTFT_FUSION, _kernels.OLA_THREADS, _kernels.OLA_GROUPS = saved
        del xs, Xs

    # multi-resolution STFT loss, value_and_grad (B=4, T=160k and 4 x 1.32M)
    for batch, samples in [(4, 160_000)] if quick else [(4, 160_000), (4, 1_320_000)]:
        a = [rng.standard_normal((batch, samples)).astype(np.float32) for _ in range(4)]
        pairs = [(mx.array(a[i]), mx.array(a[i + 1])) for i in range(3)]
        step = mx.value_and_grad(_mr_loss_mlx)
        ms_k = _mlx_timer(mx.compile(step), pairs, runs)
        ms_p = _mlx_timer(mx.compile(_pure(step)), pairs, runs)
        ms_t = None
        if has_torch:
            windows = {n: torch.hann_window(n, device="cuda") for n, _ in MRSTFT}
            tp = [
                (torch.from_numpy(a[i]).cuda(), torch.from_numpy(a[i + 1]).cuda()) for i in range(3)
            ]
            nxt = _cycle(tp)

            def once(nxt=nxt, windows=windows):
                x, y = nxt()
                x = x.detach().requires_grad_(True)
                loss = _mr_loss_torch(torch, windows, x, y)
                loss.backward()
                torch.cuda.synchronize()

            ms_t = _median_ms(once, runs)
        row = dict(
            op="MR-STFT loss v&g", n_fft=0, hop=0, batch=batch, samples=samples,
            kernels_ms=ms_k, pure_ms=ms_p, torch_ms=ms_t, floor_ms=None,
        )  # fmt: skip
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows, bw


def _fmt(v, digits=3):
    return "-" if v is None else f"{v:.{digits}f}"


def table(rows: list[dict]) -> str:
    header = ["op", "n_fft/hop", "B x T", "kernels ms", "pure ms", "torch ms", "torch/kern",
              "pure/kern", "floor ms", "kern/floor"]  # fmt: skip
    body = []
    for r in rows:
        k, p, t, f = r["kernels_ms"], r["pure_ms"], r["torch_ms"], r["floor_ms"]
        body.append(
            [
                r["op"],
                f"{r['n_fft']}/{r['hop']}" if r["n_fft"] else "512..2048",
                f"{r['batch']} x {r['samples'] / 1000:g}k",
                _fmt(k),
                _fmt(p),
                _fmt(t),
                _fmt(t / k if t else None, 2),
                _fmt(p / k if p else None, 2),
                _fmt(f),
                _fmt(k / f if f else None, 1),
            ]
        )
    return format_table(header, body)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks gpu")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--json", default=None)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    print(f"device: {mx.default_device()} backend={_kernels.enabled()}", flush=True)
    rows, bw = run(args.runs, args.quick)
    bad = {k: v for k, v in _kernels._validated.items() if not v}
    print(f"kernel configurations validated: {len(_kernels._validated)}, failed: {bad}")
    out = table(rows)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"bandwidth": bw, "rows": rows}, fh, indent=1)
    print(f"copy bandwidth {bw['gbs']:.0f} GB/s (read + write)")
    print(out)
