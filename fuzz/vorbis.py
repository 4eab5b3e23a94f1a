"""Fuzz the Ogg Vorbis reader (``mlxdsp._ext._oggread``: page walk, header, packet and granule checks,
the index, libogg demuxing, libvorbis decode, seeks) with atheris, differentially against libsndfile.

    python -m fuzz.vorbis --seconds 600 [--corpus DIR] [-- extra libFuzzer flags]

Every page's CRC is recomputed first (``fuzz.ogg._fix_crcs``), so mutations reach the checks and
libvorbis instead of stopping at a CRC. For each input the index is built afresh; when the reader
takes the file it decodes it in blocks of varying size, then planar, then from seek points taken
from the input's last bytes; when it decoded the whole file, libsndfile (the system library, with
the same libvorbis: soundfile is not imported before mlxdsp here) must give the same frame count
and the same samples bit for bit. Seeds: small libsndfile Ogg Vorbis files (mono, stereo, one
audio page, low and high quality, written in blocks). A finding is a crash, an exception other
than ``AudioFileError``, or a difference from libsndfile.
"""

from __future__ import annotations

import os
import sys

import atheris

from fuzz import _run
from fuzz.ogg import _fix_crcs

with atheris.instrument_imports(include=["mlxdsp"]):
    import numpy as np
    from mlxdsp._ext import _sndfile

    import mlxdsp
    from mlxdsp import _io, _io_vorbis

HERE = os.path.dirname(os.path.abspath(__file__))
_TMP = _run.scratch_dir("mlxdsp-fuzz-vorbis-")
_PATH = os.path.join(_TMP, "input.ogg")


def _seed(corpus: str) -> None:
    import soundfile as sf

    os.makedirs(corpus, exist_ok=True)
    if any(n.startswith("seed-") for n in os.listdir(corpus)):
        return
    rng = np.random.default_rng(0)
    for i, (n, ch, rate, level, block) in enumerate(
        [
            (100, 2, 44100, None, None),
            (3000, 1, 22050, None, None),
            (20000, 2, 44100, 1.0, None),
            (30000, 1, 8000, 0.0, 4096),
            (60000, 2, 44100, None, 4096),
        ]
    ):
        t = np.arange(n) / rate
        x = 0.3 * np.sin(2 * np.pi * 440 * t)[:, None] + 0.1 * rng.standard_normal((n, ch))
        kw = {} if level is None else {"compression_level": level}
        path = os.path.join(corpus, f"seed-vorbis-{i}.ogg")
        with sf.SoundFile(path, "w", rate, ch, "VORBIS", format="OGG", **kw) as f:
            for k in range(0, n, block or n):
                f.write(x[k : k + (block or n)].clip(-1, 1))


def _reference(frames: int, channels: int) -> np.ndarray | None:
    """libsndfile's decode of the input, or None when it does not state this length."""
    f = _sndfile.open_read(_PATH.encode(), _PATH)
    with f:
        if (f.frames, f.channels) != (frames, channels):
            raise AssertionError(
                f"libsndfile states {f.frames} frames x {f.channels}, the reader {frames} x {channels}"
            )
        ref = np.empty((frames, channels), np.float32)
        got = f.readf_into(ref, 0, frames)
    return ref if got == frames else ref[:got]


def one_input(data: bytes) -> None:
    fixed, _, _ = _fix_crcs(data)
    with open(_PATH, "wb") as fp:
        fp.write(fixed)
    pick = data[-4:] if len(data) >= 4 else b"\0\0\0\0"
    _io_vorbis._indexes.clear()
    with _run.public_calls():
        r = _io_vorbis.open_read(_PATH.encode(), _PATH)
        if r is not None:
            with r:
                n, ch = r.frames, r.channels
                if n > 1 << 22:
                    return
                full = np.empty((n, ch), np.float32)
                step = [1, 311, 1024, 8192, 1 << 22][pick[0] % 5]
                pos = 0
                while pos < n:
                    got = r.readf_into(full, pos, min(step, n - pos))
                    if got == 0:
                        break
                    pos += got
                if pos == n:  # decoded all: libsndfile must agree
                    ref = _reference(n, ch)
                    if ref.shape != full.shape or not np.array_equal(ref, full):
                        raise AssertionError("the reader's samples differ from libsndfile's")
                r.seek(0)
                planar = np.empty((ch, n), np.float32)
                got = r.readf_planar_into(planar, 0, n)
                if pos == n and (got != n or not np.array_equal(planar.T, full)):
                    raise AssertionError("planar decode differs from the interleaved one")
                start = int.from_bytes(pick[1:3], "little") * n // 65536
                r.seek(start)
                k = min(n - start, 2048 + pick[3] * 16)
                part = np.empty((k, ch), np.float32)
                got = r.readf_into(part, 0, k)
                if pos == n and (got != k or not np.array_equal(part, full[start : start + k])):
                    raise AssertionError(f"a read from frame {start} differs from the full decode")
        mlxdsp.load(_PATH, strict=pick[0] % 2 == 0)


def main(argv: list[str] | None = None) -> None:
    if "soundfile" in sys.modules:
        raise SystemExit("soundfile was imported before mlxdsp: the reference would differ")
    parser = _run.arguments(
        "python -m fuzz.vorbis", __doc__, corpus=os.path.join(HERE, "corpus-vorbis")
    )
    args = parser.parse_args(argv)
    _seed(args.corpus)
    _io._SPLIT_MIN_SECONDS = 0.01  # split every load that has two parts' worth of frames
    os.environ.setdefault("MLXDSP_DECODE_THREADS", "2")
    _run.fuzz(one_input, args, max_len=131072)


if __name__ == "__main__":
    main()
