"""Fuzz ``mlxdsp.info``/``load``/``stream`` over arbitrary bytes with atheris (libFuzzer).

    python -m fuzz.load --seconds 600 [--corpus DIR] [--jobs 1] [-- extra libFuzzer flags]
    python -m fuzz.load --backend libav --seconds 600     # M4A/AAC/ALAC-seeded: the FFmpeg backend

Seeds are small valid files of every libsndfile format, written by soundfile into the corpus folder on
first run (``--backend libav``: M4A AAC/ALAC, MP4, ADTS AAC written by mlxdsp.save through libav, and
Matroska/WebM Opus written by PyAV when it is installed, in ``fuzz/corpus-libav``). A finding is anything other than success or ``AudioFileError`` (a Python exception of another
type, a crash or abort in C, a hang past ``-timeout``, memory past ``-rss_limit_mb``); libFuzzer writes the
input to ``crash-*``/``timeout-*``/``oom-*`` in the current folder. Keep small inputs that once crashed
under ``tests/data/io/fuzz/`` (``tests/test_io_fuzz_corpus.py`` replays them).
"""

from __future__ import annotations

import os
import sys

import atheris

from fuzz import _run

with atheris.instrument_imports(include=["mlxdsp"]):
    import mlxdsp

HERE = os.path.dirname(os.path.abspath(__file__))
_TMP = _run.scratch_dir("mlxdsp-fuzz-")
_PATH = os.path.join(_TMP, "input.bin")


def _seed(corpus: str) -> None:
    """Small valid files of each format (deterministic), so mutations start from real headers."""
    import numpy as np
    import soundfile as sf

    os.makedirs(corpus, exist_ok=True)
    if any(n.startswith("seed-") for n in os.listdir(corpus)):
        return
    rng = np.random.default_rng(0)
    x = (0.5 * rng.standard_normal((600, 2))).clip(-1, 1).astype(np.float32)
    specs = [
        ("wav", "PCM_16"),
        ("wav", "FLOAT"),
        ("wav", "PCM_U8"),
        ("wav", "ULAW"),
        ("wav", "IMA_ADPCM"),
        ("wav", "MS_ADPCM"),
        ("wav", "GSM610"),
        ("aiff", "PCM_24"),
        ("caf", "ALAC_16"),
        ("au", "ALAW"),
        ("w64", "PCM_16"),
        ("rf64", "PCM_32"),
        ("flac", "PCM_16"),
        ("flac", "PCM_24"),
        ("ogg", "VORBIS"),
        ("ogg", "OPUS"),
        ("mp3", "MPEG_LAYER_III"),
        ("voc", "PCM_16"),
        ("nist", "PCM_16"),
        ("ircam", "PCM_16"),
        ("mat5", "FLOAT"),
        ("wavex", "PCM_16"),
    ]
    for ext, sub in specs:
        rate = 48000 if sub == "OPUS" else 8000
        fmt = "WAVEX" if ext == "wavex" else None
        path = os.path.join(corpus, f"seed-{ext}-{sub.lower()}.{'wav' if ext == 'wavex' else ext}")
        try:
            sf.write(path, x[:, :1] if ext == "voc" else x, rate, subtype=sub, format=fmt)
        except Exception as err:  # a format this libsndfile cannot write
            print(f"seed {ext}/{sub} skipped: {err}", file=sys.stderr)


def _seed_libav(corpus: str) -> None:
    """Small valid M4A/MP4/ADTS files (mlxdsp's own libav encoder) and, with PyAV, Matroska/WebM."""
    import numpy as np

    os.makedirs(corpus, exist_ok=True)
    if any(n.startswith("seed-") for n in os.listdir(corpus)):
        return
    rng = np.random.default_rng(0)
    x = (0.5 * rng.standard_normal((2, 3000))).clip(-1, 1).astype(np.float32)
    specs = [
        ("m4a", "aac", 8000, 2),
        ("m4a", "aac", 22050, 1),
        ("m4a", "alac16", 8000, 2),
        ("m4a", "alac24", 8000, 1),
        ("mp4", "aac", 16000, 2),
        ("aac", "aac", 8000, 2),
    ]
    for ext, enc, rate, ch in specs:
        path = os.path.join(corpus, f"seed-{enc}-{rate}-{ch}.{ext}")
        mlxdsp.save(path, x[:ch], rate, encoding=enc, **({"bitrate": 32} if enc == "aac" else {}))
    try:
        import av
    except ImportError:
        return
    for ext, codec in (("mka", "opus"), ("webm", "opus"), ("mka", "flac")):
        path = os.path.join(corpus, f"seed-{codec}.{ext}")
        with av.open(path, "w") as out:
            st = out.add_stream(codec, rate=48000, layout="stereo")
            fmt = "fltp" if codec == "opus" else "s16"
            for i in range(0, x.shape[1] - 960 + 1, 960):
                blk = x[:, i : i + 960]
                if codec == "flac":
                    blk = (blk.T * 32767).astype(np.int16).reshape(1, -1)
                fr = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(blk), format=fmt, layout="stereo"
                )
                fr.sample_rate, fr.pts = 48000, i
                for pkt in st.encode(fr):
                    out.mux(pkt)
            for pkt in st.encode(None):
                out.mux(pkt)


def one_input(data: bytes) -> None:
    # The whole input is the file (seeds stay valid files); its last bytes pick the call.
    mode = data[-1] % 4 if data else 0
    offset = (data[-2] if len(data) > 1 else 0) / 100.0
    with open(_PATH, "wb") as fp:
        fp.write(data)
    with _run.public_calls():
        meta = mlxdsp.info(_PATH)
        if mode == 0:
            mlxdsp.load(_PATH)
        elif mode == 1:
            mlxdsp.load(_PATH, offset=offset, duration=0.05, mono=True, strict=False)
        elif mode == 2:
            for _ in mlxdsp.stream(_PATH, chunk_frames=257, strict=False):
                pass
        elif 4000 <= meta.sample_rate <= 192000 and meta.frames * meta.channels < (1 << 22):
            mlxdsp.load(_PATH, sr=16000, duration=0.5)


def main(argv: list[str] | None = None) -> None:
    parser = _run.arguments("python -m fuzz.load", __doc__, corpus=None)
    parser.add_argument(
        "--backend",
        choices=("sndfile", "libav"),
        default="sndfile",
        help="seed with libsndfile formats, or with M4A/AAC/ALAC/Matroska for the FFmpeg backend",
    )
    args = parser.parse_args(argv)
    if args.corpus is None:
        args.corpus = os.path.join(HERE, "corpus" if args.backend == "sndfile" else "corpus-libav")
    if args.backend == "libav":
        _seed_libav(args.corpus)
    else:
        _seed(args.corpus)
    _run.fuzz(one_input, args, max_len=65536)


if __name__ == "__main__":
    main()
