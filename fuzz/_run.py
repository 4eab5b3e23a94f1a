"""What every fuzz entry point shares: a scratch folder for the input under test, the command-line
options, and the libFuzzer run (atheris) with the flags the entry points agree on."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import warnings

import atheris

_KEEP_CORPUS = object()  # arguments(): the entry point keeps no corpus folder


def scratch_dir(prefix: str) -> str:
    """A fresh folder for the file each input is written to: in /dev/shm where there is one, so an
    input costs no disk write."""
    return tempfile.mkdtemp(prefix=prefix, dir="/dev/shm" if os.path.isdir("/dev/shm") else None)


@contextlib.contextmanager
def public_calls():
    """Around calls of mlxdsp's public functions on a fuzzed file: success or ``AudioFileError`` (the
    documented failure, swallowed); the RuntimeWarning of a ``strict=False`` prefix is ignored.
    Anything else propagates: a finding."""
    from mlxdsp import AudioFileError  # not at import: the entry points instrument mlxdsp first

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            yield
        except AudioFileError:
            pass


def arguments(
    prog: str, doc: str, *, corpus=_KEEP_CORPUS, seconds: int = 600, timeout: int = 30
) -> argparse.ArgumentParser:
    """The options of an entry point: ``--seconds``, ``--corpus`` (default ``corpus``; not offered
    when left out), ``--rss-mb``, ``--timeout``, and extra libFuzzer flags after ``--``."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=seconds, help="total fuzzing time")
    if corpus is not _KEEP_CORPUS:
        parser.add_argument("--corpus", default=corpus, help="corpus folder (grows)")
    parser.add_argument("--rss-mb", type=int, default=3072, help="memory limit: above is a finding")
    parser.add_argument(
        "--timeout", type=int, default=timeout, help="seconds per input: above is a hang"
    )
    parser.add_argument("libfuzzer", nargs="*", help="extra libFuzzer flags after --")
    return parser


def fuzz(one_input, args: argparse.Namespace, *, max_len: int) -> None:
    """Run libFuzzer over ``one_input`` with the options :func:`arguments` parsed: inputs up to
    ``max_len`` bytes, a finding past ``--rss-mb`` MB or ``--timeout`` seconds for one input."""
    flags = [
        sys.argv[0],
        f"-max_total_time={args.seconds}",
        f"-rss_limit_mb={args.rss_mb}",
        f"-timeout={args.timeout}",
        f"-max_len={max_len}",
        "-print_final_stats=1",
        *args.libfuzzer,
    ]
    if getattr(args, "corpus", None) is not None:
        flags.append(args.corpus)
    atheris.Setup(flags, one_input)
    atheris.Fuzz()
