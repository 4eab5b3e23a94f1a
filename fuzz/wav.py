"""Differential fuzzing of the plain-WAV reader (``_ext/_wavread.pyx``) against libsndfile.

    python -m fuzz.wav --seconds 600 [--corpus DIR] [-- extra libFuzzer flags]

Each input is a file. The plain reader must either decline it (``mlxdsp._io_wav.load`` returns
None) or give exactly soundfile's samples; ``mlxdsp.load``/``stream`` must end in success or
``AudioFileError``. A finding is a mismatch, an accepted file soundfile cannot open, any other
exception, a crash, a hang past ``-timeout`` or memory past ``-rss_limit_mb``. Seeds (written into
the corpus folder on first run) are small WAV files as real writers lay them out: PCM 16/24/32 and
float, WAVE_FORMAT_EXTENSIBLE, 1/2/6 channels, with fact, PEAK, LIST INFO and JUNK chunks, odd
sizes with pad bytes. The C parser is not coverage-instrumented (atheris sees Python only): the
seeds carry the structure, libFuzzer's mutations (byte flips, inserted/erased/copied ranges,
integer replacements) do the rest.
"""

from __future__ import annotations

import os
import struct

import atheris

from fuzz import _run

with atheris.instrument_imports(include=["mlxdsp"]):
    import mlxdsp
    from mlxdsp import _io_wav

import numpy as np
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
_TMP = _run.scratch_dir("mlxdsp-fuzz-wav-")
_PATH = os.path.join(_TMP, "input.wav")


def _chunk(tag: bytes, body: bytes) -> bytes:
    return tag + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def _seed(corpus: str) -> None:
    os.makedirs(corpus, exist_ok=True)
    if any(n.startswith("seed-") for n in os.listdir(corpus)):
        return
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (300, 6)).astype(np.float32)
    for sub in ("PCM_16", "PCM_24", "PCM_32", "FLOAT"):
        for ch in (1, 2, 6):
            for fmt in ("WAV", "WAVEX"):
                path = os.path.join(corpus, f"seed-{fmt.lower()}-{sub.lower()}-{ch}.wav")
                sf.write(path, x[:, :ch], 8000, subtype=sub, format=fmt)
    # hand-built layouts: LIST INFO (as ffmpeg writes it), JUNK, odd chunk sizes with pad bytes
    fmt = struct.pack("<HHIIHH", 1, 2, 8000, 32000, 4, 16)
    data = _chunk(b"data", (x[:100, :2] * 32767).astype("<i2").tobytes())
    info = _chunk(b"LIST", b"INFO" + _chunk(b"ISFT", b"Lavf60.3.100") + _chunk(b"INAM", b"abc"))
    layouts = {
        "list": _chunk(b"fmt ", fmt) + info + data,
        "junk-odd": _chunk(b"JUNK", b"xyz") + _chunk(b"fmt ", fmt) + data,
        "fact-fmt18": _chunk(b"fmt ", fmt + b"\0\0") + _chunk(b"fact", b"\x64\0\0\0") + data,
        "odd-data": _chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 8000, 24000, 3, 24))
        + _chunk(b"data", bytes(range(33))),
    }
    for name, chunks in layouts.items():
        raw = b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks
        with open(os.path.join(corpus, f"seed-{name}.wav"), "wb") as fp:
            fp.write(raw)


class Mismatch(AssertionError):
    pass


def one_input(data: bytes) -> None:
    with open(_PATH, "wb") as fp:
        fp.write(data)
    tail = data[-1] if data else 0
    offset = (data[-2] if len(data) > 1 else 0) / 5000.0
    duration = None if tail & 1 else (tail >> 1) / 3000.0
    layout = "channels_last"
    got = _io_wav.load(_PATH, None, offset, duration, False, "float32", layout, 1e12)
    if got is not None:
        y, rate = got
        try:
            with sf.SoundFile(_PATH) as f:
                if f.samplerate != rate:
                    raise Mismatch(f"rate {rate} != soundfile's {f.samplerate}")
                start = min(int(round(offset * rate)), f.frames)
                n = f.frames - start
                if duration is not None:
                    n = min(n, int(round(duration * rate)))
                f.seek(start)
                want = f.read(n, dtype="float32", always_2d=True)
        except sf.LibsndfileError as err:
            raise Mismatch(f"accepted a file libsndfile refuses: {err}") from None
        have = np.array(y)
        if have.shape != want.shape or not np.array_equal(
            have.view(np.uint32), want.view(np.uint32)
        ):
            raise Mismatch(f"samples differ: {have.shape} vs soundfile {want.shape}")
    with _run.public_calls():
        mlxdsp.load(_PATH, offset=offset, duration=duration, mono=bool(tail & 2))
        for _ in mlxdsp.stream(_PATH, chunk_frames=97 + tail, strict=False):
            pass


def main(argv: list[str] | None = None) -> None:
    parser = _run.arguments(
        "python -m fuzz.wav", __doc__, corpus=os.path.join(HERE, "corpus", "wav")
    )
    args = parser.parse_args(argv)
    _seed(args.corpus)
    _run.fuzz(one_input, args, max_len=16384)


if __name__ == "__main__":
    main()
