"""Write the small libav fixtures of ``tests/test_io_libav.py`` with PyAV (its own bundled FFmpeg, an
encoder independent of the system libav* that mlxdsp links):

    python tests/data/io/make_libav_fixtures.py

Deterministic signals; each file < 100 KB. The exact PCM that went into the lossless (ALAC) files is
stored next to them as ``.npy`` (int16/int32), so the tests check ALAC decoding against the source
itself, not only against another decoder.
"""

from __future__ import annotations

import os

import av
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def _signal(n: int, sr: int, channels: int, noise: float, seed: int) -> np.ndarray:
    """[channels, n] float32: a chirp and a tone per channel (+ white noise when ``noise`` > 0)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sr
    rows = []
    for c in range(channels):
        f0 = 220.0 * (c + 1)
        chirp = np.sin(2 * np.pi * (f0 * t + 400.0 * t * t))
        tone = np.sin(2 * np.pi * 1000.0 * (c + 1) * t)
        rows.append(0.3 * chirp + 0.2 * tone + noise * rng.standard_normal(n))
    return np.clip(np.array(rows), -1, 1).astype(np.float32)


def _write(path, codec, x, sr, *, fmt, frame, bit_rate=None, container=None):
    layout = "mono" if x.shape[0] == 1 else "stereo"
    with av.open(path, "w", format=container) as out:
        st = out.add_stream(codec, rate=sr, layout=layout)
        st.codec_context.format = fmt
        if bit_rate:
            st.bit_rate = bit_rate
        for i in range(0, x.shape[1], frame):
            blk = np.ascontiguousarray(x[:, i : i + frame])
            if not fmt.endswith("p"):  # packed: one interleaved row
                blk = np.ascontiguousarray(blk.T).reshape(1, -1)
            fr = av.AudioFrame.from_ndarray(blk, format=fmt, layout=layout)
            fr.sample_rate, fr.pts = sr, i
            for pkt in st.encode(fr):
                out.mux(pkt)
        for pkt in st.encode(None):
            out.mux(pkt)
    assert os.path.getsize(path) < 100_000, path


def main() -> None:
    sr = 44100
    # AAC-LC 128 kbit/s, tonal (no noise substitution): partial reads are bit-exact.
    _write(
        os.path.join(HERE, "aac_tone.m4a"),
        "aac",
        _signal(int(2.5 * sr), sr, 2, 0.0, 0),
        sr,
        fmt="fltp",
        frame=1024,
        bit_rate=128000,
    )
    # AAC-LC with white noise: the encoder codes noisy bands with PNS (random noise at decode).
    _write(
        os.path.join(HERE, "aac_noise.m4a"),
        "aac",
        _signal(int(1.3 * sr), sr, 2, 0.05, 1),
        sr,
        fmt="fltp",
        frame=1024,
        bit_rate=96000,
    )
    # ALAC 16-bit stereo and 24-bit mono; the source PCM is kept as .npy.
    x16 = np.round(_signal(9000, sr, 2, 0.0, 2) * 0.5 * 32768).astype(np.int16)
    np.save(os.path.join(HERE, "alac16.npy"), x16)
    _write(os.path.join(HERE, "alac16.m4a"), "alac", x16, sr, fmt="s16p", frame=4096)
    x24 = np.round(_signal(7000, 48000, 1, 0.001, 3) * 0.5 * 2**23).astype(np.int32)
    np.save(os.path.join(HERE, "alac24.npy"), x24)
    _write(
        os.path.join(HERE, "alac24.m4a"), "alac", x24 << 8, 48000, fmt="s32p", frame=4096
    )  # s32p: FFmpeg's ALAC encoder stores the top 24 bits
    # ADTS AAC (no container length, no priming info) and Opus in WebM (1 ms timestamps).
    _write(
        os.path.join(HERE, "adts_mono.aac"),
        "aac",
        _signal(22050, 22050, 1, 0.0, 4),
        22050,
        fmt="fltp",
        frame=1024,
        bit_rate=48000,
        container="adts",
    )
    _write(
        os.path.join(HERE, "opus.webm"),
        "libopus" if "libopus" in av.codecs_available else "opus",
        _signal(48000, 48000, 2, 0.0, 5),
        48000,
        fmt="flt" if "libopus" in av.codecs_available else "fltp",
        frame=960,
        bit_rate=64000,
        container="webm",
    )


if __name__ == "__main__":
    main()
