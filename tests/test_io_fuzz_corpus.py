"""Replay the fuzz corpus (``tests/data/io/fuzz``, inputs found by ``python -m fuzz.load``): every entry
point either succeeds or raises ``AudioFileError`` - no other exception, crash, hang or huge allocation."""

from __future__ import annotations

import os
import shutil
import warnings

import pytest

import mlxdsp
from mlxdsp import _io

HERE = os.path.join(os.path.dirname(__file__), "data", "io", "fuzz")
CORPUS = sorted(os.listdir(HERE)) if os.path.isdir(HERE) else []

pytestmark = pytest.mark.skipif(
    _io._sndfile is None, reason="I/O extension not built (-Dio=disabled)"
)


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_entry(tmp_path, name):
    path = tmp_path / "input.bin"  # no telling extension: formats are detected from content
    shutil.copyfile(os.path.join(HERE, name), path)
    calls = [
        lambda: mlxdsp.info(path),
        lambda: mlxdsp.load(path),
        lambda: mlxdsp.load(path, offset=0.01, duration=0.05, mono=True, strict=False),
        lambda: list(mlxdsp.stream(path, chunk_frames=257, strict=False)),
        lambda: mlxdsp.load(path, sr=16000, duration=0.5, strict=False),
    ]
    for call in calls:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # strict=False prefixes warn
            try:
                call()
            except mlxdsp.AudioFileError:
                pass


def test_corpus_is_small():
    total = sum(os.path.getsize(os.path.join(HERE, n)) for n in CORPUS)
    assert len(CORPUS) >= 20 and total < 200_000
