"""Ogg Vorbis through libvorbis directly (``mlxdsp._io_vorbis``).

Reference: libsndfile's own Vorbis reader driving the same libvorbis. In a process that imports
soundfile first, mlxdsp's libsndfile is soundfile's bundled build, whose statically linked libvorbis
(built with libmvec) rounds differently by ~1 ulp; so the bit-for-bit comparison runs in a child
process that never imports soundfile, where both readers use the system libsndfile and libvorbis.
In this process the samples are compared with soundfile within 2e-7 (the test_io.py tolerance).
Files the reader does not take (chained, trimmed start, junk after the end, cut off) must load as
before, through libsndfile; a damaged page stops the read with the exact frame count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest
import soundfile as sf

import mlxdsp
from mlxdsp import AudioFileError, _io, _io_vorbis
from tests.test_io_ogg_fast import _pages, _recrc

pytestmark = pytest.mark.skipif(
    _io._sndfile is None or not _io_vorbis.available(),
    reason="built without the Ogg Vorbis reader (libogg/libvorbis development files)",
)

SR = 44100


def _signal(n: int, ch: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    x = 0.3 * np.sin(2 * np.pi * 330 * t)[:, None] * np.linspace(0.5, 1.0, ch)
    x[n // 3 : n // 2] += 0.2 * rng.standard_normal((n // 2 - n // 3, ch))  # a burst: short blocks
    x[: n // 10] *= 1e-3  # near silence
    return x.clip(-1, 1).astype(np.float32)


def _write_sf(path, n, ch, rate=SR, level=None, block=None, seed=0):
    x = _signal(n, ch, seed)
    kw = {} if level is None else {"compression_level": level}
    with sf.SoundFile(path, "w", rate, ch, "VORBIS", format="OGG", **kw) as f:
        for i in range(0, n, block or n):
            f.write(x[i : i + (block or n)])
    return str(path)


def _remux_ffmpeg(src, path):
    """``src``'s Vorbis packets in FFmpeg's Ogg muxer's pages and granules (through PyAV)."""
    av = pytest.importorskip("av")
    with av.open(src) as inp, av.open(str(path), "w", format="ogg") as out:
        audio = inp.streams.audio[0]
        stream = out.add_stream_from_template(audio)
        for packet in inp.demux(audio):
            if packet.dts is not None:  # not the demuxer's final empty packet
                packet.stream = stream
                out.mux(packet)
    return str(path)


def _bytes(path) -> bytes:
    with open(path, "rb") as fp:
        return fp.read()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("vorbis_fast")
    return {
        "stereo": _write_sf(d / "stereo.ogg", 6 * SR + 123, 2, block=4096),
        "mono": _write_sf(d / "mono.ogg", int(1.3 * 22050), 1, rate=22050),
        "six": _write_sf(d / "six.ogg", 2 * 48000 + 5, 6, rate=48000),
        "low": _write_sf(d / "low.ogg", 3 * SR, 2, level=1.0),
        "high": _write_sf(d / "high.ogg", 3 * SR, 2, level=0.0),
        "tiny": _write_sf(d / "tiny.ogg", 100, 2),  # one audio page, its end cut by the granule
    } | {"ffmpeg": _remux_ffmpeg(str(d / "stereo.ogg"), d / "ffmpeg.ogg")}


# The reference run: a child process that never imports soundfile (see the module docstring).
_CHILD = r"""
import json, sys
import numpy as np
from mlxdsp import _io_vorbis
from mlxdsp._ext import _sndfile
assert "soundfile" not in sys.modules
out = {}
for path in sys.argv[1:]:
    f = _sndfile.open_read(path.encode(), path)
    n, ch = f.frames, f.channels
    ref = np.empty((n, ch), np.float32)
    assert f.readf_into(ref, 0, n) == n
    f.close()
    r = _io_vorbis.open_read(path.encode(), path)
    res = {"taken": r is not None, "frames": n}
    if r is not None:
        res["reader_frames"] = r.frames
        full = np.empty((n, ch), np.float32)
        res["full"] = r.readf_into(full, 0, n) == n and np.array_equal(full, ref)
        res["end"] = r.readf_into(full, 0, 1) == 0
        r.seek(0)
        planar = np.empty((ch, n), np.float32)
        res["planar"] = r.readf_planar_into(planar, 0, n) == n and np.array_equal(planar.T, ref)
        rng = np.random.default_rng(n)
        r.seek(0)  # reads of random sizes, back to back
        pos, same = 0, True
        while pos < n:
            k = int(rng.integers(1, 5000))
            got = r.readf_into(full, pos, min(k, n - pos))
            same = same and got == min(k, n - pos)
            pos += max(got, 1)
        res["blocks"] = same and np.array_equal(full, ref)
        bad = []  # seeks anywhere (both ends, and in the last page), then reads
        for start in [0, 1, 2, 255, 256, 1023, 1024, n // 2, n - 4097, n - 1000, n - 1, n] + list(
            rng.integers(0, n, 60)
        ):
            start = int(min(max(start, 0), n))
            k = min(3000, n - start)
            r.seek(start)
            buf = np.empty((k, ch), np.float32)
            if r.readf_into(buf, 0, k) != k or not np.array_equal(buf, ref[start : start + k]):
                bad.append(start)
        res["seek_mismatches"] = bad
        r.close()
    out[path] = res
print(json.dumps(out))
"""


def test_bit_identical_to_libsndfile_with_the_same_libvorbis(files):
    env = {k: v for k, v in os.environ.items() if k != _io_vorbis.DISABLE_ENV}
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, *files.values()],
        capture_output=True,
        text=True,
        env=env,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])
    for name, path in files.items():
        res = results[path]
        assert res["taken"], f"{name}: the reader declined it"
        assert res["reader_frames"] == res["frames"], name
        for check in ("full", "end", "planar", "blocks"):
            assert res[check], (name, check)
        assert res["seek_mismatches"] == [], name


@pytest.mark.parametrize("name", ["stereo", "mono", "six", "tiny", "ffmpeg"])
def test_load_matches_soundfile(files, name, monkeypatch):
    ref = sf.read(files[name], dtype="float32", always_2d=True)[0]
    f, *_ = _io._open_read("test", files[name])
    with f:
        assert isinstance(f, _io_vorbis.VorbisReader) and f.decoder == "libvorbis"
        assert (f.frames, f.channels) == ref.shape
    for threads in ("1", "2"):
        monkeypatch.setenv("MLXDSP_DECODE_THREADS", threads)
        x, rate = mlxdsp.load(files[name], layout="channels_last")
        assert rate == sf.info(files[name]).samplerate and x.shape == ref.shape
        assert np.abs(np.asarray(x) - ref).max() <= 2e-7
    info = mlxdsp.info(files[name])
    assert (info.frames, info.format, info.subtype) == (ref.shape[0], "OGG", "VORBIS")


def test_split_and_stream_equal_one_decode(files, monkeypatch):
    path = files["stereo"]
    monkeypatch.setenv("MLXDSP_DECODE_THREADS", "1")
    one = np.asarray(mlxdsp.load(path)[0])
    n = one.shape[1]
    monkeypatch.setenv("MLXDSP_DECODE_THREADS", "2")
    monkeypatch.setattr(_io, "_idle_core", lambda: True)
    for offset, duration in [(0.0, None), (1.0, 0.3), (2.5, 1.0), ((n - 5000) / SR, None)]:
        start = round(offset * SR)
        stop = n if duration is None else start + round(duration * SR)
        y = np.asarray(mlxdsp.load(path, offset=offset, duration=duration)[0])
        np.testing.assert_array_equal(y, one[:, start:stop])
        chunks = [np.asarray(c) for c in mlxdsp.stream(path, offset=offset, chunk_frames=1111)]
        np.testing.assert_array_equal(np.concatenate(chunks, axis=1), one[:, start:])


def test_threads_share_the_file_index_and_decoders(files, monkeypatch):
    monkeypatch.setenv("MLXDSP_DECODE_THREADS", "1")
    path = files["stereo"]
    ref = np.asarray(mlxdsp.load(path)[0])
    starts = np.random.default_rng(1).integers(0, ref.shape[1] - 20000, 64)
    results: dict = {}

    def work(i):
        start = int(starts[i])
        results[i] = np.asarray(mlxdsp.load(path, offset=start / SR, duration=20000 / SR)[0])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(starts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, start in enumerate(starts):
        np.testing.assert_array_equal(results[i], ref[:, start : start + 20000])


def test_a_changed_file_is_indexed_again(tmp_path):
    path = str(tmp_path / "changing.ogg")
    for seed in (1, 2):  # same length, other samples: a stale index would give the old ones
        x = _signal(SR, 2, seed)
        sf.write(path + ".tmp", x, SR, format="OGG", subtype="VORBIS")
        os.replace(path + ".tmp", path)
        y = np.asarray(mlxdsp.load(path, layout="channels_last")[0])
        ref = sf.read(path, dtype="float32")[0]
        assert np.abs(y - ref).max() <= 2e-7


def test_a_file_rewritten_within_one_clock_tick_is_indexed_again(tmp_path):
    # Same inode, size and times (file system timestamps come from a coarse clock): the index's
    # header and end pages are compared with the file's.
    path = str(tmp_path / "rewritten.ogg")
    sf.write(path, _signal(SR, 2, 1), SR, format="OGG", subtype="VORBIS")
    first = np.asarray(mlxdsp.load(path)[0])
    (key, index), *_ = [(k, v) for k, v in _io_vorbis._indexes.items() if v is not None][-1:]
    other = str(tmp_path / "other.ogg")
    sf.write(other, _signal(SR, 2, 2), SR, format="OGG", subtype="VORBIS", compression_level=0.9)
    with open(path, "r+b") as fp:  # in place: the same inode
        fp.write(_bytes(other))
        fp.truncate()
    st = os.stat(path)
    stale = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    _io_vorbis._indexes[stale] = index  # as if size and times had not changed
    y = np.asarray(mlxdsp.load(path, layout="channels_last")[0])
    ref = sf.read(other, dtype="float32")[0]
    assert y.shape == ref.shape and np.abs(y - ref).max() <= 2e-7
    assert not np.array_equal(y.T[:, : first.shape[1]], first[:, : y.shape[0]])
    assert _io_vorbis._indexes[stale] is not index


def test_switched_off(files, monkeypatch):
    monkeypatch.setenv(_io_vorbis.DISABLE_ENV, "libsndfile")
    f, *_ = _io._open_read("test", files["stereo"])
    with f:
        assert not isinstance(f, _io_vorbis.VorbisReader)


# --- files it leaves to libsndfile, and damage ----------------------------------------------------


def _rewrite(raw: bytes, edit) -> bytes:
    """``raw`` with ``edit(index, page)`` applied to each page (a bytearray) and CRCs recomputed."""
    out = bytearray()
    for i, (pos, length) in enumerate(_pages(raw)):
        page = bytearray(raw[pos : pos + length])
        edit(i, page)
        _recrc(page)
        out += page
    return bytes(out)


def _shift_granules(i: int, page: bytearray) -> None:
    g = int.from_bytes(page[6:14], "little", signed=True)
    if i >= 3 and g != -1:  # audio pages (the headers take pages 0-2 in libsndfile's files)
        page[6:14] = (g + 4410).to_bytes(8, "little", signed=True)


def _outcome(path, **kw):
    """The array mlxdsp.load returns, or the message of the AudioFileError it raises."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # strict=False prefixes warn
            return np.asarray(mlxdsp.load(path, **kw)[0])
    except AudioFileError as err:
        return str(err)


@pytest.mark.parametrize("case", ["chained", "junk", "start_offset", "cut"])
def test_files_it_declines_load_as_before(files, tmp_path, case, monkeypatch):
    raw = _bytes(files["stereo"])
    data = {
        "chained": raw + _bytes(files["low"]),
        "junk": raw + b"\0" * 100,
        "start_offset": _rewrite(raw, _shift_granules),  # a stream that starts at 0.1 s
        "cut": raw[: len(raw) * 2 // 3],
    }[case]
    path = str(tmp_path / f"{case}.ogg")
    with open(path, "wb") as fp:
        fp.write(data)
    assert _io_vorbis.open_read(path.encode(), path) is None
    monkeypatch.setenv("MLXDSP_DECODE_THREADS", "1")
    for kw in ({}, {"strict": False}, {"offset": 1.0, "duration": 0.5}):
        now = _outcome(path, **kw)
        with monkeypatch.context() as m:
            m.setenv(_io_vorbis.DISABLE_ENV, "libsndfile")
            before = _outcome(path, **kw)
        if isinstance(before, str):
            assert now == before, kw
        else:
            np.testing.assert_array_equal(now, before, err_msg=str(kw))


def test_a_packet_that_kills_libsndfiles_seek_does_not_kill_the_process():
    # A damaged audio packet names a mode the stream lacks: the reader declines the file, and
    # libsndfile 1.2's Vorbis seek to frame 1152 would dereference NULL in libvorbis
    # (vorbis_synthesis_trackonly; soundfile.SoundFile.seek(1152) dies the same way). mlxdsp
    # decodes from the start instead. In a child process, so a regression fails this test only.
    path = os.path.join(
        os.path.dirname(__file__), "data", "io", "fuzz", "vorbis-seek-trackonly-null-mode.ogg"
    )
    code = (
        "import sys, mlxdsp\n"
        "for kw in ({'offset': 1152 / 22050}, {'offset': 0.05, 'duration': 0.01}):\n"
        "    try:\n"
        "        mlxdsp.load(sys.argv[1], **kw)\n"
        "    except mlxdsp.AudioFileError as err:\n"
        "        print(err.frames_decoded)\n"
        "    list(mlxdsp.stream(sys.argv[1], offset=kw['offset'], strict=False))\n"
    )
    run = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code, path],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert _io_vorbis.open_read(path.encode(), path) is None


def test_headers_libvorbis_cannot_set_up_are_declined(monkeypatch):
    # A first vorbis_synthesis_init that fails leaves half-built codebooks in the shared
    # vorbis_info; a second one would succeed on them and crash in the residue decode (found by
    # fuzz/load.py with a split load). The index runs the first one and declines the file.
    path = os.path.join(
        os.path.dirname(__file__), "data", "io", "fuzz", "vorbis-codebooks-fail-to-set-up.ogg"
    )
    fd = os.open(path, os.O_RDONLY)
    try:
        assert _io_vorbis._oggread.vorbis_index(fd) is None
    finally:
        os.close(fd)
    assert _io_vorbis._oggread.declined() == (8, 0)
    monkeypatch.setenv("MLXDSP_DECODE_THREADS", "2")
    with pytest.raises(AudioFileError, match="malformed"):  # libsndfile's verdict, as before
        mlxdsp.load(path)


def test_info_uses_an_index_only_once_one_is_built(files):
    path = files["mono"]
    _io_vorbis._indexes.clear()
    f, *_ = _io._open_read("info", path)
    with f:
        assert not isinstance(f, _io_vorbis.VorbisReader)  # libsndfile's open: half the cost
    mlxdsp.load(path)
    f, *_ = _io._open_read("info", path)
    with f:
        assert isinstance(f, _io_vorbis.VorbisReader)
    assert mlxdsp.info(path).frames == sf.info(path).frames


_CUT_WHILE_OPEN = r"""
import os, shutil, sys
import numpy as np
import mlxdsp
from mlxdsp import _io
src, path = sys.argv[1], sys.argv[2]
for n in range(2):
    shutil.copyfile(src, path)
    f, *_ = _io._open_read("test", path)
    buf = np.empty((f.frames, f.channels), np.float32)
    assert f.readf_into(buf, 0, 4096) == 4096  # the reader is decoding
    size = os.path.getsize(path)
    with open(path, "r+b") as fp:  # cut in place by "another process" while the reader is open
        fp.truncate(size // 3 if n else 0)
    try:
        got = f.readf_into(buf, 4096, f.frames - 4096)
        print("short", got < f.frames - 4096)
    except mlxdsp.AudioFileError as err:
        print("error", (err.frames_decoded or 0) < f.frames - 4096)
    f.close()
"""


@pytest.mark.parametrize("kind", ["vorbis", "opus"])
def test_a_file_cut_while_open_fails_the_read_not_the_process(files, tmp_path, kind):
    # The Ogg readers read pages with pread: a mapping would raise SIGBUS past the new end. (A
    # 40 s file: more than the first read's 64 KiB of pages.)
    src = str(tmp_path / f"src.{kind}")
    rate = SR if kind == "vorbis" else 48000
    sf.write(src, _signal(40 * rate, 2, 5), rate, format="OGG", subtype=kind.upper())
    run = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _CUT_WHILE_OPEN, src, str(tmp_path / "cut.ogg")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    words = run.stdout.split()  # per cut: how the read ended, and whether it was short
    assert len(words) == 4 and words[1] == words[3] == "True", run.stdout


def test_a_damaged_page_stops_the_read_at_the_exact_frame(files, tmp_path, monkeypatch):
    monkeypatch.setenv("MLXDSP_DECODE_THREADS", "1")
    src = files["stereo"]
    raw = _bytes(src)
    pages = _pages(raw)
    k = len(pages) // 2
    pos, length = pages[k]
    damaged = bytearray(raw)
    damaged[pos + length - 10] ^= 0x5A  # a body byte: the page's CRC no longer matches
    path = str(tmp_path / "damaged.ogg")
    with open(path, "wb") as fp:
        fp.write(damaged)
    # Decoded up to the end of the last packet before that page: the previous page's granule.
    before = int.from_bytes(raw[pages[k - 1][0] + 6 : pages[k - 1][0] + 14], "little")
    intact = np.asarray(mlxdsp.load(src)[0])
    with pytest.raises(AudioFileError, match="damaged Ogg Vorbis page") as err:
        mlxdsp.load(path)
    assert err.value.frames_decoded == before
    with pytest.warns(RuntimeWarning):
        y = np.asarray(mlxdsp.load(path, strict=False)[0])
    np.testing.assert_array_equal(y, intact[:, :before])
    # A read that ends before the damage does not see it.
    y = np.asarray(mlxdsp.load(path, duration=(before - 1000) / SR)[0])
    np.testing.assert_array_equal(y, intact[:, : before - 1000])
