"""The ``mlxdsp`` command line: ``mlxdsp demo``."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mlxdsp", description="Functional, differentiable DSP on MLX."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the main job on the embedded clip and write a PNG")
    demo.add_argument(
        "--out", default=".", help="folder for mlxdsp-demo.png (default: current folder)"
    )
    demo.add_argument("--no-plot", action="store_true", help="skip the PNG")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        return run_demo(args.out, plot=not args.no_plot)
    return 2
