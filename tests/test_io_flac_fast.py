"""FLAC through libFLAC directly (``mlxdsp/_io_flac.py``, ``_ext/_flacread.pyx``): bit-identical to
soundfile (libsndfile's FLAC path) for 8/16/24-bit, 1/2/6 channels, libsndfile- and FFmpeg-written
files (block sizes 1152..16384), with a SEEKTABLE, a large metadata block or an ID3v2 prefix; seeks
by frame-header interpolation exact at many points (frame boundaries included); truncated and
corrupted files fail with the frames before the first damaged frame, the frame boundaries taken
from FFmpeg's demuxer (PyAV), and ``strict=False`` returns exactly that prefix.
"""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import mlx.core as mx
import numpy as np
import pytest
import soundfile as sf

import mlxdsp
from mlxdsp import AudioFileError, _io, _io_flac

av = pytest.importorskip("av")

pytestmark = pytest.mark.skipif(
    _io._sndfile is None or not _io_flac.available(),
    reason="I/O extension or libFLAC reader not built",
)

SR = 44100


def _np(a):
    mx.eval(a)
    return np.array(a)


def _noise(frames, channels, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / SR
    x = 0.3 * np.sin(2 * np.pi * 330 * t)[:, None] + 0.2 * rng.standard_normal((frames, channels))
    return x.clip(-1, 1).astype(np.float32)


def _sf_write(path, frames, channels, subtype, seed=0):
    sf.write(path, _noise(frames, channels, seed), SR, subtype=subtype, format="FLAC")
    return str(path)


def _ff_write(path, frames, frame_size, level, seed=0):
    """Stereo 16-bit FLAC written by FFmpeg's encoder (PyAV)."""
    x = (_noise(frames, 2, seed) * 32767).astype(np.int16)
    with av.open(str(path), "w", format="flac") as out:
        st = out.add_stream(
            "flac",
            rate=SR,
            layout="stereo",
            options={"compression_level": str(level), "frame_size": str(frame_size)},
        )
        for i in range(0, frames, 1000):
            fr = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(x[i : i + 1000].reshape(1, -1)), format="s16", layout="stereo"
            )
            fr.sample_rate, fr.pts = SR, i
            for pkt in st.encode(fr):
                out.mux(pkt)
        for pkt in st.encode(None):
            out.mux(pkt)
    return str(path)


def _blocks(data: bytes) -> tuple[int, list[tuple[bytes, bytes]]]:
    """(offset of the first frame, [(block header, body)]) of a native FLAC file."""
    assert data[:4] == b"fLaC"
    pos, out = 4, []
    while True:
        head = data[pos : pos + 4]
        n = int.from_bytes(head[1:4], "big")
        out.append((head, data[pos + 4 : pos + 4 + n]))
        pos += 4 + n
        if head[0] & 0x80:
            return pos, out


def _with_blocks(src: str, dst, extra: list[tuple[int, bytes]], prefix: bytes = b"") -> str:
    """Copy ``src`` with metadata blocks ``(type, body)`` added after STREAMINFO."""
    data = Path(src).read_bytes()
    first, blocks = _blocks(data)
    allb = (
        [(h[0] & 0x7F, b) for h, b in blocks[:1]]
        + extra
        + [(h[0] & 0x7F, b) for h, b in blocks[1:]]
    )
    meta = b"".join(
        bytes([t | (0x80 if i == len(allb) - 1 else 0)]) + len(b).to_bytes(3, "big") + b
        for i, (t, b) in enumerate(allb)
    )
    with open(dst, "wb") as fp:
        fp.write(prefix + b"fLaC" + meta + data[first:])
    return str(dst)


def _frames(path) -> list[tuple[int, int, int]]:
    """(byte offset, byte size, first sample) of every frame, from FFmpeg's FLAC demuxer."""
    with av.open(str(path)) as c:
        s = c.streams.audio[0]
        return [(p.pos, p.size, p.pts) for p in c.demux(s) if p.size]


def _seektable(path) -> bytes:
    first, _ = _blocks(Path(path).read_bytes())
    pts = _frames(path)[::4]
    return b"".join(struct.pack(">QQH", s, pos - first, 4096) for pos, _, s in pts)


def _id3(n: int) -> bytes:
    size = bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])
    return b"ID3\x04\x00\x00" + size + b"\x00" * n


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("flacfast")
    out = {}
    for sub in ("PCM_S8", "PCM_16", "PCM_24"):
        for ch in (1, 2, 6):
            out[f"sf-{sub}-{ch}"] = _sf_write(root / f"{sub}-{ch}.flac", 3 * SR + 123, ch, sub)
    for fs, level in ((1152, 0), (4608, 5), (16384, 12)):
        out[f"ff-{fs}"] = _ff_write(root / f"ff-{fs}.flac", 3 * SR + 77, fs, level)
    base = out["sf-PCM_16-2"]
    out["seektable"] = _with_blocks(base, root / "seektable.flac", [(3, _seektable(base))])
    out["padding"] = _with_blocks(base, root / "padding.flac", [(1, b"\x00" * 200_000)])
    out["id3"] = _with_blocks(base, root / "id3.flac", [], prefix=_id3(3000))
    return out


def _reader(path):
    f, _, _, _ = _io._open_read("test", path)
    return f


def test_libflac_reader_is_used(files):
    for key, path in files.items():
        with _reader(path) as f:
            assert isinstance(f, _io_flac.FlacFile), key
            assert f.fast_seek, key


def test_disable_switch(monkeypatch, files):
    monkeypatch.setenv(_io_flac.DISABLE_ENV, "libsndfile")
    with _reader(files["sf-PCM_16-2"]) as f:
        assert not isinstance(f, _io_flac.FlacFile)


@pytest.mark.parametrize("threads", ["1", "2"])
def test_full_load_bit_identical_to_soundfile(monkeypatch, files, threads):
    monkeypatch.setenv(_io.THREADS_ENV, threads)
    for key, path in files.items():
        ref, rate = sf.read(path, dtype="float32", always_2d=True)
        y, r = mlxdsp.load(path)
        assert r == rate == SR
        y = _np(y)
        assert y.shape == ref.T.shape, key
        np.testing.assert_array_equal(y, ref.T, err_msg=key)
        y, _ = mlxdsp.load(path, layout="channels_last")
        np.testing.assert_array_equal(_np(y), ref, err_msg=key)


@pytest.mark.parametrize("threads", ["1", "2"])
def test_partial_loads_are_slices(monkeypatch, files, threads):
    monkeypatch.setenv(_io.THREADS_ENV, threads)
    rng = np.random.default_rng(7)
    for key in (
        "sf-PCM_16-2",
        "sf-PCM_24-6",
        "sf-PCM_S8-1",
        "ff-1152",
        "ff-16384",
        "seektable",
        "id3",
    ):
        path = files[key]
        ref, _ = sf.read(path, dtype="float32", always_2d=True)
        n = len(ref)
        for _ in range(12):
            start = int(rng.integers(0, n))
            frames = int(rng.integers(1, 2 * SR))
            y, _ = mlxdsp.load(path, offset=start / SR, duration=frames / SR)
            np.testing.assert_array_equal(_np(y), ref[start : start + frames].T, err_msg=key)


def test_seek_exact_at_frame_boundaries_and_random_points(files):
    rng = np.random.default_rng(3)
    for key in ("sf-PCM_16-2", "sf-PCM_24-1", "ff-1152", "ff-4608", "ff-16384", "padding", "id3"):
        path = files[key]
        ref, _ = sf.read(path, dtype="float32", always_2d=True)
        n = len(ref)
        starts = [s for _, _, s in _frames(path)]
        points = {0, 1, n - 1, n}
        for s in starts:
            points |= {s - 1, s, s + 1}
        points |= set(rng.integers(0, n, 40).tolist())
        with _reader(path) as f:
            buf = np.empty((700, ref.shape[1]), np.float32)
            for p in sorted(q for q in points if 0 <= q <= n):
                assert f.seek(p, exact_only=True) == p
                got = f.readf_into(buf, 0, 700)
                assert got == min(700, n - p), (key, p)
                np.testing.assert_array_equal(buf[:got], ref[p : p + got], err_msg=f"{key} at {p}")


def test_short_reads_keep_the_rest_of_a_frame(files):
    path = files["ff-4608"]
    ref, _ = sf.read(path, dtype="float32", always_2d=True)
    with _reader(path) as f:
        f.seek(5000)
        parts, pos = [], 5000
        for k in (1, 2, 3, 4607, 4608, 9999, 17):
            buf = np.empty((k, 2), np.float32)
            assert f.readf_into(buf, 0, k) == k
            parts.append(buf)
            pos += k
        np.testing.assert_array_equal(np.concatenate(parts), ref[5000:pos])
        planar = np.empty((2, 3000), np.float32)
        assert f.readf_planar_into(planar, 0, 3000) == 3000
        np.testing.assert_array_equal(planar, ref[pos : pos + 3000].T)


def _outcome(path, **kw):
    try:
        mlxdsp.load(path, **kw)
    except AudioFileError as err:
        return err
    return None


def test_truncated_at_random_bytes(tmp_path, files):
    path = files["sf-PCM_16-2"]
    data = Path(path).read_bytes()
    ref, _ = sf.read(path, dtype="float32", always_2d=True)
    frames = _frames(path)
    rng = np.random.default_rng(11)
    cuts = [frames[3][0], frames[3][0] + frames[3][1], frames[-1][0] + 5]
    cuts += rng.integers(frames[0][0] + 1, len(data) - 1, 12).tolist()
    for cut in cuts:
        p = tmp_path / "cut.flac"
        p.write_bytes(data[:cut])
        whole = [s for pos, size, s in frames if pos + size > cut]
        expected = whole[0]  # frames before the first frame not wholly present
        err = _outcome(p)
        assert err is not None and err.frames_decoded == expected, (cut, expected, err)
        assert "truncated or corrupt" in str(err) and f"decoded {expected} of {len(ref)}" in str(
            err
        )
        with pytest.raises(Exception):  # noqa: B017 - libsndfile also fails (any of its errors)
            got, _ = sf.read(p, dtype="float32")
            assert len(got) == len(ref)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            y, _ = mlxdsp.load(p, strict=False)
        np.testing.assert_array_equal(_np(y), ref[:expected].T)


def test_flipped_bytes_fail_at_the_damaged_frame(tmp_path, files):
    path = files["ff-4608"]
    data = Path(path).read_bytes()
    ref, _ = sf.read(path, dtype="float32", always_2d=True)
    frames = _frames(path)
    rng = np.random.default_rng(5)
    for m in [0, 1, *rng.integers(2, len(frames), 6).tolist()]:
        pos, size, start = frames[m]
        at = pos + int(rng.integers(0, size))
        bad = bytearray(data)
        bad[at] ^= 1 << int(rng.integers(0, 8))
        p = tmp_path / "flip.flac"
        p.write_bytes(bytes(bad))
        with pytest.raises(Exception):  # noqa: B017 - libsndfile fails on it too
            sf.read(p, dtype="float32")
        for threads in ("1", "2"):
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv(_io.THREADS_ENV, threads)
                err = _outcome(p)
                assert err is not None and err.frames_decoded == start, (m, at, threads, err)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    y, _ = mlxdsp.load(p, strict=False)
                np.testing.assert_array_equal(_np(y), ref[:start].T)
        # A read that starts after the damaged frame is exact; one over it fails.
        if m + 2 < len(frames):
            after = frames[m + 2][2] + 100
            y, _ = mlxdsp.load(p, offset=after / SR, duration=0.05)
            np.testing.assert_array_equal(_np(y), ref[after : after + int(round(0.05 * SR))].T)
        if m >= 1:
            err = _outcome(p, offset=frames[m - 1][2] / SR, duration=3 * 4608 / SR)
            assert err is not None and err.frames_decoded == start - frames[m - 1][2]


def test_stream_and_batch_equal_load(files):
    path = files["sf-PCM_24-6"]
    ref = _np(mlxdsp.load(path)[0])
    chunks = [_np(c) for c in mlxdsp.stream(path, chunk_frames=5000)]
    np.testing.assert_array_equal(np.concatenate(chunks, axis=1), ref)
    out = mlxdsp.batch_load([files["sf-PCM_16-1"], path, files["ff-1152"]])
    for (y, _), p in zip(out, [files["sf-PCM_16-1"], path, files["ff-1152"]], strict=True):
        np.testing.assert_array_equal(_np(y), sf.read(p, dtype="float32", always_2d=True)[0].T)
