"""Constant-Q family: mlxdsp (eager and mx.compile) vs librosa 0.11 and nnAudio (CPU torch).

    python -m benchmarks cqt [--quick] [--budget SECONDS]

84 bins, 12 per octave from C1, hop 512, 22.05 kHz mono, 30 s and 180 s of noise + tones. Every number
is the median of repeated runs on the same input in this process; ratios are peer time / mlxdsp time
(> 1 means mlxdsp is faster), against mlxdsp's faster of eager/compiled.

librosa gets the same options (tuning=0.0, its default res_type="soxr_hq"); it rebuilds its filters on
every call (no cache), which is part of its time. nnAudio's layers are built once outside the timed
region (their kernels are then constants) and run under torch.no_grad(); their output is
(batch, n_bins, n_frames) magnitudes (output_format="Magnitude", nnAudio's default) with their own
normalisation and reflect padding, so only the timing is comparable, not the values. nnAudio has no
VQT, hybrid or chroma: those cells are "-".
"""

from __future__ import annotations

import argparse
import os
import platform

import mlx.core as mx
import numpy as np

from mlxdsp._cqt import cqt, hybrid_cqt, vqt

from .timing import format_table, median_ms

SR = 22050
HOP = 512
N_BINS = 84
BPO = 12
DURATIONS = (30, 180)


def _signal(seconds: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(seconds * SR) / SR
    tones = sum(np.sin(2 * np.pi * f * t) for f in (110.0, 220.0, 440.0, 1760.0))
    return (0.1 * tones + 0.05 * rng.standard_normal(t.size)).astype(np.float32)


def _chroma():
    try:
        from mlxdsp._chroma import chroma_cqt
    except ImportError:
        return None
    return chroma_cqt


def _mlx_cases():
    opts = dict(sr=SR, hop_length=HOP, n_bins=N_BINS, bins_per_octave=BPO)
    cases = {
        "cqt": lambda v: cqt(v, **opts),
        "vqt": lambda v: vqt(v, **opts),
        "hybrid_cqt": lambda v: hybrid_cqt(v, **opts),
    }
    chroma_cqt = _chroma()
    if chroma_cqt is not None:
        cases["chroma_cqt"] = lambda v: chroma_cqt(v, sr=SR, hop_length=HOP)
    return cases


def _librosa_cases(x: np.ndarray):
    import librosa

    opts = dict(sr=SR, hop_length=HOP, n_bins=N_BINS, bins_per_octave=BPO, tuning=0.0)
    return {
        "cqt": lambda: librosa.cqt(x, **opts),
        "vqt": lambda: librosa.vqt(x, **opts),
        "hybrid_cqt": lambda: librosa.hybrid_cqt(x, **opts),
        "chroma_cqt": lambda: librosa.feature.chroma_cqt(y=x, sr=SR, hop_length=HOP, tuning=0.0),
    }


def _nnaudio_layers():
    try:
        from nnAudio.features import CQT1992v2, CQT2010v2
    except ImportError:
        return {}
    opts = dict(sr=SR, hop_length=HOP, n_bins=N_BINS, bins_per_octave=BPO, verbose=False)
    return {"nnAudio CQT2010v2": CQT2010v2(**opts), "nnAudio CQT1992v2": CQT1992v2(**opts)}


def _torch_runner(layer, x: np.ndarray):
    import torch

    signal = torch.from_numpy(x)[None]

    def run():
        with torch.no_grad():
            return layer(signal)

    return run


def run(durations, budget_s: float):
    layers = _nnaudio_layers()
    if not layers:
        print("# nnAudio is not installed (pip install nnAudio): its columns are '-'")
    if _chroma() is None:
        print("# mlxdsp._chroma.chroma_cqt does not exist yet: chroma_cqt row skipped")
    rows = []
    for seconds in durations:
        x_np = _signal(seconds)
        x = mx.array(x_np)
        librosa_cases = _librosa_cases(x_np)
        nn = {name: _torch_runner(layer, x_np) for name, layer in layers.items()}
        for op, fn in _mlx_cases().items():
            compiled = mx.compile(fn)
            eager_ms = median_ms(lambda fn=fn, x=x: mx.eval(fn(x)), budget_s=budget_s)
            compiled_ms = median_ms(lambda c=compiled, x=x: mx.eval(c(x)), budget_s=budget_s)
            ours = min(eager_ms, compiled_ms)
            row = [op, f"{seconds} s", f"{eager_ms:.1f}", f"{compiled_ms:.1f}"]
            peer_ms = median_ms(librosa_cases[op], budget_s=budget_s)
            row.append(f"{peer_ms:.1f} ({peer_ms / ours:.2f}x)")
            for name in ("nnAudio CQT2010v2", "nnAudio CQT1992v2"):
                if op != "cqt" or name not in nn:
                    row.append("-")
                    continue
                peer_ms = median_ms(nn[name], budget_s=budget_s)
                row.append(f"{peer_ms:.1f} ({peer_ms / ours:.2f}x)")
            rows.append(row)
            print("  ".join(row), flush=True)
    return rows


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks cqt")
    parser.add_argument("--quick", action="store_true", help="30 s only, shorter budget")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds per measurement")
    args = parser.parse_args(argv)
    import torch

    print(
        f"# cqt benchmark: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"mlx {mx.__version__} ({mx.default_device()}), torch {torch.__version__} "
        f"({torch.get_num_threads()} threads); {N_BINS} bins, {BPO}/octave, hop {HOP}, {SR} Hz mono; "
        "medians in ms; (ratio) = peer / mlxdsp best; "
        f"load average {os.getloadavg()[0]:.2f} (2 cores: above ~1 the second CPU stream is contended)"
    )
    durations = DURATIONS[:1] if args.quick else DURATIONS
    rows = run(durations, 0.6 if args.quick else args.budget)
    header = ["op", "signal", "mlxdsp eager", "mlxdsp compiled", "librosa", "nnAudio 2010v2"]
    header.append("nnAudio 1992v2")
    print()
    print(format_table(header, rows))
    print(f"# load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(__import__("sys").argv[1:])
