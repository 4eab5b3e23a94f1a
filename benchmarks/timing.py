"""Timing helpers: warm up, then the median of repeated runs (evaluation inside the timed region)."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable


def median_ms(
    fn: Callable[[], object],
    *,
    budget_s: float = 2.0,
    min_runs: int = 5,
    max_runs: int = 50,
    warmup_runs: int = 1,
    warmup_s: float = 0.0,
) -> float:
    """Median wall time of ``fn()`` in milliseconds; ``fn`` must block until its result exists.

    Warm-up (JIT, caches, allocator): ``warmup_runs`` calls, continued until ``warmup_s`` seconds
    have passed. A cell measured right after another library's cell otherwise inherits that
    library's heap: a process's first few rounds of fresh arrays fault their pages in (measured: 180
    chunks of 353 KB copied into MLX fault 15,700 / 7,300 / 7,300 pages in the first three rounds, 0
    after), whoever does the copying, so the first peer of a row would pay for the ones after it."""
    t0 = time.perf_counter()
    for _ in range(max(1, warmup_runs)):
        fn()
    while time.perf_counter() - t0 < warmup_s:
        fn()
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    runs = int(min(max_runs, max(min_runs, budget_s / max(first, 1e-6))))
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return 1e3 * statistics.median(samples)


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
        for r in rows
    ]
    return "\n".join([line, sep, *body])


def with_env(fn: Callable, name: str, value: str) -> Callable:
    """``fn`` run with the environment variable ``name`` set to ``value`` (mlxdsp reads its switches,
    e.g. MLXDSP_CPU_STREAMS and MLXDSP_DECODE_THREADS, at each call), restored afterwards."""

    def run(*args):
        before = os.environ.get(name)
        os.environ[name] = value
        try:
            return fn(*args)
        finally:
            if before is None:
                del os.environ[name]
            else:
                os.environ[name] = before

    return run
