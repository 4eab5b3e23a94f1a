"""What every fuzz entry point shares: a scratch folder for the input under test, and the libFuzzer
run (atheris) with the flags the entry points agree on."""

from __future__ import annotations

import os
import sys
import tempfile

import atheris


def scratch_dir(prefix: str) -> str:
    """A fresh folder for the file each input is written to: in /dev/shm where there is one, so an
    input costs no disk write."""
    return tempfile.mkdtemp(prefix=prefix, dir="/dev/shm" if os.path.isdir("/dev/shm") else None)


def fuzz(
    one_input,
    *,
    seconds: int,
    max_len: int,
    corpus: str | None = None,
    rss_mb: int = 3072,
    timeout: int = 30,
    extra: list[str] | tuple[str, ...] = (),
) -> None:
    """Run libFuzzer over ``one_input`` for ``seconds``: inputs up to ``max_len`` bytes, a finding
    past ``rss_mb`` MB of memory or ``timeout`` seconds for one input; ``corpus`` (a folder of
    seeds, grown with what the run finds) is optional; ``extra`` libFuzzer flags go last."""
    flags = [
        sys.argv[0],
        f"-max_total_time={seconds}",
        f"-rss_limit_mb={rss_mb}",
        f"-timeout={timeout}",
        f"-max_len={max_len}",
        "-print_final_stats=1",
        *extra,
    ]
    if corpus is not None:
        flags.append(corpus)
    atheris.Setup(flags, one_input)
    atheris.Fuzz()
