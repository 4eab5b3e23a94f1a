"""Fuzz the libFLAC reader (``mlxdsp._ext._flacread``: frame-header seek, decode, error paths) with
atheris over FLAC files.

    python -m fuzz.flac --seconds 600 [--corpus DIR] [-- extra libFuzzer flags]

``fuzz/load.py`` reaches this reader only through libsndfile's FLAC detection and spreads its time
over every format; here every input goes to the reader directly (``open_read``), then to seeks at
positions taken from the input's last bytes (with and without libFLAC's fallback seek), reads of
varying sizes (interleaved and planar), and to ``mlxdsp.load`` with an offset. Seeds: small FLAC
files with many frames (FFmpeg's encoder at block sizes 192..1152, libsndfile's at 4096; 8/16/24-bit;
1, 2 and 6 channels). A finding is anything but success or ``AudioFileError`` (see fuzz/load.py).
"""

from __future__ import annotations

import os

import atheris

from fuzz import _run

with atheris.instrument_imports(include=["mlxdsp"]):
    import numpy as np
    from mlxdsp._ext import _flacread

    import mlxdsp

HERE = os.path.dirname(os.path.abspath(__file__))
_TMP = _run.scratch_dir("mlxdsp-fuzz-flac-")
_PATH = os.path.join(_TMP, "input.flac")


def _seed(corpus: str) -> None:
    import soundfile as sf

    os.makedirs(corpus, exist_ok=True)
    if any(n.startswith("seed-") for n in os.listdir(corpus)):
        return
    rng = np.random.default_rng(0)
    x = (0.3 * rng.standard_normal((6000, 6))).clip(-1, 1).astype(np.float32)
    for sub, ch in (("PCM_S8", 1), ("PCM_16", 2), ("PCM_24", 6), ("PCM_16", 1)):
        sf.write(os.path.join(corpus, f"seed-sf-{sub}-{ch}.flac"), x[:, :ch], 8000, subtype=sub)
    try:
        import av
    except ImportError:
        return
    y = (x[:, :2] * 32767).astype(np.int16)
    for fs in (192, 576, 1152):
        path = os.path.join(corpus, f"seed-ff-{fs}.flac")
        with av.open(path, "w", format="flac") as out:
            st = out.add_stream("flac", rate=8000, layout="stereo", options={"frame_size": str(fs)})
            for i in range(0, len(y), 500):
                fr = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(y[i : i + 500].reshape(1, -1)),
                    format="s16",
                    layout="stereo",
                )
                fr.sample_rate, fr.pts = 8000, i
                for pkt in st.encode(fr):
                    out.mux(pkt)
            for pkt in st.encode(None):
                out.mux(pkt)


def one_input(data: bytes) -> None:
    tail = data[-4:] if len(data) >= 4 else b"\0\0\0\0"
    with open(_PATH, "wb") as fp:
        fp.write(data)
    try:
        f = _flacread.open_read(_PATH.encode(), _PATH)
    except mlxdsp.AudioFileError:
        f = None
    if f is not None:
        with f:
            n = f.frames
            ch = f.channels
            for i, b in enumerate(tail):
                pos = (n * b) // 255
                size = 1 + (b * 37) % 3000
                try:
                    f.seek(pos, exact_only=bool(i & 1))
                    if i & 2:
                        f.readf_planar_into(np.empty((ch, size), np.float32), 0, size)
                    else:
                        f.readf_into(np.empty((size, ch), np.float32), 0, size)
                except mlxdsp.AudioFileError:
                    pass
    with _run.public_calls():
        mlxdsp.load(_PATH, offset=tail[0] / 255 * 0.7, duration=0.2, strict=False)
        if tail[1] & 1:
            mlxdsp.load(_PATH)


def main(argv: list[str] | None = None) -> None:
    parser = _run.arguments(
        "python -m fuzz.flac", __doc__, corpus=os.path.join(HERE, "corpus-flac")
    )
    args = parser.parse_args(argv)
    _seed(args.corpus)
    _run.fuzz(one_input, args, max_len=65536)


if __name__ == "__main__":
    main()
