"""``python -m benchmarks SUITE``: spectral, parity, io, filters, cqt, features, gpu (gpu: on the device)."""

from __future__ import annotations

import importlib
import sys

SUITES = ("spectral", "parity", "io", "filters", "cqt", "features", "gpu")


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in SUITES:
        print(f"usage: python -m benchmarks {{{','.join(SUITES)}}} [options]")
        raise SystemExit(2)
    importlib.import_module(f"benchmarks.{argv[0]}").main(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
