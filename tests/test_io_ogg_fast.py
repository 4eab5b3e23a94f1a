"""Ogg Opus through libopus's single-stream decoder (``mlxdsp._io_ogg``): the samples must be
soundfile's (libsndfile drives the same libopus through its multistream API) bit for bit, block
reads and restarts (the split decode's parts) the full decode's, and every file it does not take
(chained, multichannel, other rates, damaged) must still load as before.
"""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

import mlxdsp
from mlxdsp import AudioFileError, _io, _io_libav, _io_ogg

pytestmark = pytest.mark.skipif(
    _io._sndfile is None or not _io_ogg.available(),
    reason="built without the Ogg Opus reader (libogg/libopus development files)",
)


def _signal(n: int, ch: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 48000
    x = 0.3 * np.sin(2 * np.pi * 440 * t)[:, None] * np.ones(ch)
    x[n // 3 : n // 2] += 0.2 * rng.standard_normal((n // 2 - n // 3, ch))  # a burst
    x[: n // 10] *= 1e-3  # near silence
    return x.clip(-1, 1).astype(np.float32)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("ogg_fast")
    out = {}
    for name, n, ch, quality in [
        ("stereo", 48000 * 9 + 123, 2, None),
        ("mono", 48000 * 5 + 7, 1, None),
        ("low", 48000 * 6 + 999, 2, 0.0),  # lowest quality: SILK/hybrid packets
        ("short", 311, 2, None),  # shorter than the pre-skip
    ]:
        p = d / f"{name}.opus"
        level = {} if quality is None else {"compression_level": 1.0 - quality}
        sf.write(p, _signal(n, ch, seed=len(out)), 48000, format="OGG", subtype="OPUS", **level)
        out[name] = p
    return out


def _sf(path, start=0, stop=None) -> np.ndarray:
    return sf.read(path, dtype="float32", always_2d=True, start=start, stop=stop)[0]


def _reader(path):
    info = sf.info(path)
    return _io_ogg.open_opus(
        str(path).encode(), str(path), info.frames, info.samplerate, info.channels
    )


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


def _pages(raw: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each Ogg page."""
    out, pos = [], 0
    while pos < len(raw):
        assert raw[pos : pos + 4] == b"OggS"
        nseg = raw[pos + 26]
        body = sum(raw[pos + 27 : pos + 27 + nseg])
        out.append((pos, 27 + nseg + body))
        pos += 27 + nseg + body
    return out


def _recrc(page: bytearray) -> None:
    page[22:26] = b"\0\0\0\0"
    page[22:26] = _ogg_crc(bytes(page)).to_bytes(4, "little")


@pytest.mark.parametrize("name", ["stereo", "mono", "low", "short"])
def test_load_equals_soundfile_bit_for_bit(files, name, monkeypatch):
    ref = _sf(files[name])
    with _reader(files[name]) as r:
        assert r is not None and r.frames == ref.shape[0]
        buf = np.empty_like(ref)
        assert r.readf_into(buf, 0, ref.shape[0]) == ref.shape[0]
        np.testing.assert_array_equal(buf, ref)
        assert r.readf_into(buf, 0, 1) == 0  # the end
    for threads in ("1", "2"):
        monkeypatch.setenv("MLXDSP_DECODE_THREADS", threads)
        monkeypatch.setattr(_io, "_OPUS_SPLIT_MIN_SECONDS", 1.0)  # split even these short files
        x, sr = mlxdsp.load(files[name], layout="channels_last")
        assert sr == 48000
        np.testing.assert_array_equal(np.asarray(x), ref)


def test_load_goes_through_the_direct_reader(files):
    f, *_ = _io._open_read("test", files["stereo"])
    with f:
        assert isinstance(f, _io_libav.OggLibavReader)
        f.readf_into(np.empty((10, 2), np.float32), 0, 10)
        assert type(f._g).__name__ == "OpusReader"


def test_blocks_of_any_size_equal_the_full_decode(files):
    ref = _sf(files["low"])
    n = ref.shape[0]
    rng = np.random.default_rng(1)
    with _reader(files["low"]) as r:
        out = np.empty_like(ref)
        pos = 0
        while pos < n:
            k = int(rng.choice([1, 7, 960, 5759, 5760, 5761, 20000]))
            got = r.readf_into(out, pos, min(k, n - pos))
            assert got == min(k, n - pos)
            pos += got
    np.testing.assert_array_equal(out, ref)


def test_stream_equals_soundfile(files):
    ref = _sf(files["stereo"])
    chunks = [np.asarray(c) for c in mlxdsp.stream(files["stereo"], chunk_frames=10007)]
    np.testing.assert_array_equal(np.concatenate(chunks, axis=1).T, ref)


def test_restart_two_seconds_early_is_the_full_decode(files):
    # The split decode's parts: a fresh decoder on a page boundary >= 2 s before the target (as
    # open_opus_part asks). Random points, the first and last frames and the last page included.
    # Measured, not proven (docs/io.md): on the low-quality file (SILK) a pure tone after the
    # noise burst keeps a restart 2.03 s early ~1e-3 off for over 20 000 frames (libav's seek
    # happens to land a page earlier there); the split decode's junction check catches that
    # (test_load_equals_soundfile_bit_for_bit["low"] splits at its middle).
    ref = _sf(files["stereo"])
    n = ref.shape[0]
    rng = np.random.default_rng(2)
    points = [0, 1, 311, 312, n - 1, n - 5000, *rng.integers(0, n, 40).tolist()]
    with _reader(files["stereo"]) as r:
        r.preroll = 96000
        for p in points:
            assert r.seek(p) == p
            m = min(3000, n - p)
            out = np.empty((m, ref.shape[1]), np.float32)
            assert r.readf_into(out, 0, m) == m
            np.testing.assert_array_equal(out, ref[p : p + m], err_msg=f"restart at {p}")


def test_a_short_restart_is_not_exact(files):
    # The control for the test above: libopus restarted at the page just before the target does
    # not reproduce the full decode everywhere (what the 2 s and the junction check are for).
    ref = _sf(files["stereo"])
    n = ref.shape[0]
    differ = 0
    with _reader(files["stereo"]) as r:
        r.preroll = 0
        for p in np.random.default_rng(3).integers(48000, n - 3000, 20):
            r.seek(int(p))
            out = np.empty((3000, 2), np.float32)
            r.readf_into(out, 0, 3000)
            differ += not np.array_equal(out, ref[p : p + 3000])
    assert differ >= 2


def test_output_gain_is_applied_as_libsndfile_does(files, tmp_path):
    raw = bytearray(files["stereo"].read_bytes())
    off, length = _pages(bytes(raw))[0]
    page = bytearray(raw[off : off + length])
    head = 27 + page[26]
    page[head + 16 : head + 18] = (-1536).to_bytes(2, "little", signed=True)  # -6 dB (Q7.8)
    _recrc(page)
    raw[off : off + length] = page
    p = tmp_path / "gain.opus"
    p.write_bytes(bytes(raw))
    ref = _sf(p)
    assert np.abs(ref).max() < 0.6 * np.abs(_sf(files["stereo"])).max()  # the gain is applied
    with _reader(p) as r:
        assert r is not None
    np.testing.assert_array_equal(np.asarray(mlxdsp.load(p, layout="channels_last")[0]), ref)


def test_files_it_does_not_take_load_as_before(files, tmp_path):
    # Chained (two streams end to end), 3 channels (mapping family 1), 16 kHz: other decoders.
    chained = tmp_path / "chained.opus"
    chained.write_bytes(files["mono"].read_bytes() + files["mono"].read_bytes())
    three = tmp_path / "three.opus"
    sf.write(three, np.tile(_signal(48000, 1, 5), (1, 3)), 48000, format="OGG", subtype="OPUS")
    narrow = tmp_path / "narrow.opus"
    sf.write(narrow, _signal(16000, 1, 6), 16000, format="OGG", subtype="OPUS")
    for p in (chained, three, narrow):
        info = sf.info(p)
        if info.samplerate == 48000:
            assert _reader(p) is None, p.name
        x = np.asarray(mlxdsp.load(p, layout="channels_last")[0])
        np.testing.assert_array_equal(x, _sf(p), err_msg=p.name)


def test_stated_length_must_match_the_end_granule(files):
    info = sf.info(files["stereo"])
    raw = str(files["stereo"]).encode()
    assert _io_ogg.open_opus(raw, "x", info.frames + 1, 48000, 2) is None
    assert _io_ogg.open_opus(raw, "x", info.frames, 44100, 2) is None
    assert _io_ogg.open_opus(raw, "x", info.frames, 48000, 1) is None


def _damaged(files, tmp_path, where: float) -> tuple:
    raw = bytearray(files["stereo"].read_bytes())
    pages = _pages(bytes(raw))
    off, length = pages[int(where * (len(pages) - 1))]
    raw[off + length - 10] ^= 0x55  # a body byte: the page's CRC no longer matches
    p = tmp_path / f"damaged{where}.opus"
    p.write_bytes(bytes(raw))
    return p, off


def test_damaged_page_stops_the_direct_read_with_the_frames_decoded(files, tmp_path):
    p, _ = _damaged(files, tmp_path, 0.5)
    ref_ok = _sf(files["stereo"])
    with _reader(p) as r:
        buf = np.empty_like(ref_ok)
        with pytest.raises(AudioFileError) as err:
            r.readf_into(buf, 0, ref_ok.shape[0])
        k = err.value.frames_decoded
        assert 0 < k < ref_ok.shape[0]
        np.testing.assert_array_equal(buf[:k], ref_ok[:k])  # what came before the damage


def test_damaged_file_loads_as_libsndfile_decides(files, tmp_path):
    # The reader hands a damaged file to libsndfile where it stopped: the frame count is
    # libsndfile's (it drops the page: soundfile returns the shorter decode, mlxdsp says it is
    # short), and the frames before the damaged page are the undamaged file's.
    for where in (0.3, 0.9):
        p, off = _damaged(files, tmp_path, where)
        ref = _sf(p)
        ok = _sf(files["stereo"])
        with pytest.raises(AudioFileError) as err:
            mlxdsp.load(p)
        assert err.value.frames_decoded == ref.shape[0] < ok.shape[0]
        with pytest.warns(RuntimeWarning, match="truncated or corrupt"):
            x = np.asarray(mlxdsp.load(p, layout="channels_last", strict=False)[0])
        assert x.shape == ref.shape
        before = int(where * ok.shape[0]) - 96000  # well before the damaged page
        np.testing.assert_array_equal(x[:before], ok[:before])
        np.testing.assert_array_equal(x[:before], ref[:before])


@pytest.mark.parametrize("n", [10, 1000, 7938000])
@pytest.mark.parametrize("parts", [1, 2, 3])
@pytest.mark.parametrize("extra", [0, 96000, 120000])
def test_part_bounds_give_every_part_the_same_work(n, parts, extra):
    b = _io._split_bounds(n, parts, extra)
    assert b[0] == 0 and b[-1] == n and len(b) == parts + 1
    assert all(lo < hi for lo, hi in zip(b[:-1], b[1:], strict=True)) or n < parts
    work = [b[1]] + [hi - lo + extra for lo, hi in zip(b[1:-1], b[2:], strict=True)]
    if parts > 1 and (n + (parts - 1) * extra) // parts > extra:
        assert max(work) - min(work) <= parts  # the integer division's remainder
    else:
        assert b == [n * i // parts for i in range(parts + 1)]  # equal parts
