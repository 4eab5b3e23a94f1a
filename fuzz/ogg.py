"""Fuzz the Ogg Opus reader (``mlxdsp._ext._oggread``: page index, header checks, libogg demuxing,
libopus decode, restarts) with atheris over Ogg Opus files.

    python -m fuzz.ogg --seconds 600 [--corpus DIR] [-- extra libFuzzer flags]

``fuzz/load.py`` reaches this reader only after libsndfile has opened the file, and a mutated byte
almost always breaks an Ogg page CRC, which stops the reader at that page. Here the CRC of every
page of the input is recomputed first, so mutations reach the demuxer and libopus; the input then
goes to the reader directly (``open_opus`` with the length its end granule states, reads of varying
sizes, restarts at positions taken from the input's last bytes) and to ``mlxdsp.load`` split in two
parts. Seeds: small libsndfile Ogg Opus files (mono, stereo, several pages, low and high quality, a
header gain). A finding is anything but success or ``AudioFileError`` (see fuzz/load.py).
"""

from __future__ import annotations

import os

import atheris

from fuzz import _run

with atheris.instrument_imports(include=["mlxdsp"]):
    import numpy as np
    from mlxdsp._ext import _oggread

    import mlxdsp
    from mlxdsp import _io

HERE = os.path.dirname(os.path.abspath(__file__))
_TMP = _run.scratch_dir("mlxdsp-fuzz-ogg-")
_PATH = os.path.join(_TMP, "input.opus")


def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else r << 1
        table.append(r & 0xFFFFFFFF)
    return table


_CRC = _crc_table()


def _fix_crcs(data: bytes) -> tuple[bytes, int, int]:
    """``data`` with every well-formed page's CRC recomputed; the last page's granule and the
    pre-skip of an OpusHead (0 if none), for the length the reader is asked for."""
    out = bytearray(data)
    pos, granule, preskip = 0, 0, 0
    while True:
        pos = out.find(b"OggS", pos)
        if pos < 0 or pos + 27 > len(out):
            break
        nseg = out[pos + 26]
        end = pos + 27 + nseg + sum(out[pos + 27 : pos + 27 + nseg])
        if end > len(out):
            break
        out[pos + 22 : pos + 26] = b"\0\0\0\0"
        crc = 0
        for byte in out[pos:end]:
            crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC[(crc >> 24) ^ byte]
        out[pos + 22 : pos + 26] = crc.to_bytes(4, "little")
        granule = int.from_bytes(out[pos + 6 : pos + 14], "little", signed=True)
        head = out.find(b"OpusHead", pos + 27, end)
        if head >= 0 and head + 12 <= end:
            preskip = int.from_bytes(out[head + 10 : head + 12], "little")
        pos = end
    return bytes(out), granule, preskip


def _seed(corpus: str) -> None:
    import soundfile as sf

    os.makedirs(corpus, exist_ok=True)
    if any(n.startswith("seed-") for n in os.listdir(corpus)):
        return
    rng = np.random.default_rng(0)
    for i, (n, ch, level) in enumerate(
        [(600, 2, 0.5), (600, 1, 0.5), (3000, 2, 0.0), (50000, 1, 0.5), (60000, 2, 1.0)]
    ):
        t = np.arange(n) / 48000
        x = 0.3 * np.sin(2 * np.pi * 440 * t)[:, None] + 0.1 * rng.standard_normal((n, ch))
        path = os.path.join(corpus, f"seed-opus-{i}.opus")
        sf.write(path, x.clip(-1, 1), 48000, format="OGG", subtype="OPUS", compression_level=level)
    raw = bytearray(open(os.path.join(corpus, "seed-opus-4.opus"), "rb").read())
    raw[28 + 16 : 28 + 18] = (-700).to_bytes(2, "little", signed=True)  # header gain
    with open(os.path.join(corpus, "seed-opus-gain.opus"), "wb") as fp:
        fp.write(_fix_crcs(bytes(raw))[0])


def one_input(data: bytes) -> None:
    fixed, granule, preskip = _fix_crcs(data)
    with open(_PATH, "wb") as fp:
        fp.write(fixed)
    pick = data[-4:] if len(data) >= 4 else b"\0\0\0\0"
    frames = max(1, min(granule - preskip, 1 << 24))
    with _run.public_calls():
        r = _oggread.open_opus(_PATH.encode(), _PATH, frames)
        if r is not None:
            with r:
                buf = np.empty((frames, r.channels), np.float32)
                step = [1, 311, 960, 5760, 1 << 20][pick[0] % 5]
                pos = 0
                while pos < frames:
                    got = r.readf_into(buf, pos, min(step, frames - pos))
                    if got == 0:
                        break
                    pos += got
                r.preroll = pick[1] * 400
                r.seek(int.from_bytes(pick[2:4], "little") * frames // 65536)
                r.readf_into(buf, 0, min(frames, 4096))
        mlxdsp.load(_PATH, strict=pick[0] % 2 == 0)


def main(argv: list[str] | None = None) -> None:
    parser = _run.arguments("python -m fuzz.ogg", __doc__, corpus=os.path.join(HERE, "corpus-ogg"))
    args = parser.parse_args(argv)
    _seed(args.corpus)
    # Split every load that has two parts' worth of frames (the parts restart the reader).
    _io._OPUS_SPLIT_MIN_SECONDS = _io._SPLIT_MIN_SECONDS = 0.01
    os.environ.setdefault("MLXDSP_DECODE_THREADS", "2")
    _run.fuzz(one_input, args, max_len=131072)


if __name__ == "__main__":
    main()
