"""Per-call time distribution of the iSTFT back ends on the device (bimodal-timing diagnosis).

    python tests/kernel_harness/istft_modes.py

Not collected by pytest (needs a GPU). For each size and each back end (two kernels, atomic, ring),
times 60 single evaluated calls of a compiled istft on 3 rotating spectra and prints the 10/50/90th
percentiles and the MLX memory counters, twice in a row (a state that flips between series shows as a
different median for the same row).
"""

from __future__ import annotations

import time

import mlx.core as mx
import numpy as np

import mlxdsp
from mlxdsp import _kernels


def series(fn, inputs, runs=60):
    for i in range(3):
        mx.eval(fn(inputs[i % 3]))
    out = []
    for i in range(runs):
        t0 = time.perf_counter()
        mx.eval(fn(inputs[i % 3]))
        out.append(1e3 * (time.perf_counter() - t0))
    return np.percentile(out, [10, 50, 90])


def main() -> None:
    rng = np.random.default_rng(0)
    for n_fft, hop, batch, samples in [(1024, 256, 8, 480_000), (1024, 256, 4, 1_320_000)]:
        xs = [mx.array(rng.standard_normal((batch, samples)).astype(np.float32)) for _ in range(3)]
        Xs = [mlxdsp.stft(x, n_fft=n_fft, hop_length=hop) for x in xs]
        mx.eval(Xs)
        for rep in range(2):
            for fusion in ("", "atomic", "ring"):
                _kernels.ISTFT_FUSION = fusion
                fn = mx.compile(
                    lambda X, n_fft=n_fft, hop=hop, samples=samples: mlxdsp.istft(
                        X, n_fft=n_fft, hop_length=hop, length=samples
                    )
                )
                p10, p50, p90 = series(fn, Xs)
                print(
                    f"{n_fft}/{hop} {batch} x {samples} rep {rep} {fusion or 'two':6s} "
                    f"p10 {p10:.3f} p50 {p50:.3f} p90 {p90:.3f} ms  active "
                    f"{mx.get_active_memory() / 2**20:.0f} MB cache "
                    f"{mx.get_cache_memory() / 2**20:.0f} MB",
                    flush=True,
                )
        del xs, Xs
    _kernels.ISTFT_FUSION = "atomic"


if __name__ == "__main__":
    main()
