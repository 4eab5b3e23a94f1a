"""Fuzz FLAC save in parts (mlxdsp/_io_flac_save.py) against the one-pass libsndfile encode.

    python -m fuzz.flac_save --seconds 300 [-- extra libFuzzer flags]

The input picks channels (1-8), pcm16/pcm24, clip, layout and a length of 2-9 minimum-size parts; the
rest of it is the signal (int16 values times a scale, or raw float32 bits: NaN, infinities, huge
values), tiled to that length. The part sizes are lowered so every input is cut into several parts. A
finding is any difference between the two files, one path failing where the other does not, any
exception other than ``AudioFileError``, or a crash.
"""

from __future__ import annotations

import os

import atheris

from fuzz import _run

with atheris.instrument_imports(include=["mlxdsp"]):
    import mlxdsp
    from mlxdsp import _io, _io_flac_save

import numpy as np

_TMP = _run.scratch_dir("mlxdsp-fuzz-flac-save-")
BLOCK = 4096


def _save(path: str, x: np.ndarray, threads: str, **opts) -> bytes | None:
    os.environ["MLXDSP_DECODE_THREADS"] = threads
    try:
        mlxdsp.save(path, x, 8000, **opts)
    except mlxdsp.AudioFileError:
        assert not os.path.exists(path)
        return None
    with open(path, "rb") as fp:
        return fp.read()


def one_input(data: bytes) -> None:
    if len(data) < 8:
        return
    ch = 1 + data[0] % 8
    encoding = "pcm24" if data[1] & 1 else "pcm16"
    clip = not data[1] & 2
    layout = "channels_last" if data[1] & 4 else "channels_first"
    raw_floats = data[1] & 8
    scale = data[2] / 64.0
    least = _io_flac_save.MIN_PART_SAMPLES // ch // BLOCK + 1
    frames = 2 * least * BLOCK + (data[3] | data[4] << 8) % (7 * least * BLOCK)
    body = data[5:]
    if raw_floats:
        body = body[: len(body) // 4 * 4]
        sig = np.frombuffer(body, np.float32) if body else np.zeros(1, np.float32)
    else:
        body = body[: len(body) // 2 * 2]
        sig = np.frombuffer(body, np.int16).astype(np.float32) / 32768 * scale if body else None
        sig = np.zeros(1, np.float32) if sig is None else sig
    x = np.resize(sig, frames * ch).reshape(frames, ch)
    if layout == "channels_first":
        x = np.ascontiguousarray(x.T)
    opts = {"encoding": encoding, "clip": clip, "layout": layout}
    taken: list[bool] = []
    real = _io_flac_save.save
    _io_flac_save.save = lambda *a, **k: taken.append(real(*a, **k)) or taken[-1]
    try:
        parts = _save(os.path.join(_TMP, "parts.flac"), x, "2", **opts)
    finally:
        _io_flac_save.save = real
    one = _save(os.path.join(_TMP, "one.flac"), x, "1", **opts)
    assert parts == one, f"parts path ({taken}) differs from the one-pass encode"
    assert os.listdir(_TMP) == [n for n in ("one.flac", "parts.flac") if n in os.listdir(_TMP)]
    for name in os.listdir(_TMP):
        os.unlink(os.path.join(_TMP, name))


def main(argv: list[str] | None = None) -> None:
    args = _run.arguments("python -m fuzz.flac_save", __doc__, seconds=300, timeout=60).parse_args(
        argv
    )
    # Small parts, so that short inputs are cut into several; two threads whatever the machine has.
    _io_flac_save.MIN_SAMPLES = 1
    _io_flac_save.MIN_PART_SAMPLES = 2 * BLOCK
    _io._cores = lambda: 2
    _run.fuzz(one_input, args, max_len=4096)


if __name__ == "__main__":
    main()
