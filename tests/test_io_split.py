"""Parallel decoding (``MLXDSP_DECODE_THREADS``): full loads split into parts decoded by separate
handles, resampled loads and streams decoded ahead. Every result must equal the one-thread decode
bit for bit, for every format the split admits and over many split points, and a truncated file
must fail exactly as it does on one thread.

The reference is the sequential decode (``MLXDSP_DECODE_THREADS=1``, today's path), itself
bit-identical to soundfile (tests/test_io.py); one check here also compares with soundfile directly.
"""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

import mlx.core as mx
import numpy as np
import pytest
import soundfile as sf

import mlxdsp
from mlxdsp import AudioFileError, ParameterError, _io, _io_libav, _io_vorbis
from tests.test_io import FORMATS as IO_FORMATS
from tests.test_io import _signal
from tests.test_io_ogg_fast import _pages as _ogg_pages

pytestmark = pytest.mark.skipif(
    _io._sndfile is None, reason="I/O extension not built (-Dio=disabled)"
)

SR = 44100
DATA = Path(__file__).parent / "data" / "io"
# Every libsndfile format of tests/test_io.py but Opus, plus ALAC 24 in CAF and 8-bit signed PCM.
FORMATS = [f for f in IO_FORMATS if f[1] != "OPUS"] + [
    ("aiff", "PCM_S8", SR),
    ("caf", "ALAC_24", SR),
]
# Ogg Opus: split only through libav's libopus from the first sample (its later parts restart
# libopus 2 s early); libsndfile's own seek (80 ms pre-roll) is within 1.5e-7, not exact.
SEQUENTIAL = [("ogg", "OPUS", 48000)]
LONG = ["wav-PCM_16", "flac-PCM_16", "mp3-MPEG_LAYER_III", "ogg-VORBIS", "ogg-OPUS"]


def _write(root, seconds):
    out = {}
    x = _signal(int(seconds * SR))
    for ext, sub, rate in FORMATS + SEQUENTIAL:
        path = root / f"{sub.lower()}.{ext}"
        fmt = "WAVEX" if sub == "PCM_32" else None
        with sf.SoundFile(path, "w", rate, 2, sub, format=fmt) as f:
            for i in range(0, len(x), 4096):  # blocks: libsndfile's Vorbis writer and big writes
                f.write(x[i : i + 4096])
        out[f"{ext}-{sub}"] = str(path)
    return out


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """1.3 s stereo per format (short: the split is forced by the tests)."""
    return _write(tmp_path_factory.mktemp("split"), 1.3)


@pytest.fixture(scope="module")
def long_files(tmp_path_factory):
    """5 s stereo per format: several 64 Ki-frame blocks for resampled loads."""
    return _write(tmp_path_factory.mktemp("split5"), 5.0)


def _np(a):
    mx.eval(a)
    return np.array(a)


class Spy:
    """Forces splitting at chosen points and counts the extra handles opened."""

    def __init__(self, monkeypatch, points=None):
        self.opened = 0
        reopen = _io._reopen

        def counting(f, raw, name):
            self.opened += 1
            return reopen(f, raw, name)

        monkeypatch.setattr(_io, "_reopen", counting)
        monkeypatch.setattr(_io, "_SPLIT_MIN_SECONDS", 0.0)
        monkeypatch.setattr(_io, "_OPUS_SPLIT_MIN_SECONDS", 0.0)
        monkeypatch.setattr(_io, "_MIN_AHEAD_BLOCK", 0)
        monkeypatch.setattr(_io, "_cheap_to_decode", lambda f: False)  # PCM decoded ahead too
        if points is not None:
            monkeypatch.setattr(_io, "_split_bounds", lambda n, parts, extra=0: [0, *points(n), n])


def _load(path, threads, monkeypatch, **kw):
    monkeypatch.setenv(_io.THREADS_ENV, str(threads))
    y, rate = mlxdsp.load(path, **kw)
    return _np(y), rate


def _points(n, seed):
    rng = np.random.default_rng(seed)
    fixed = [1, 2, n // 7, n // 3, n // 2, n // 2 + 1, 2 * n // 3, n - 4097, n - 1]
    return sorted({p for p in fixed + list(rng.integers(1, n - 1, 8)) if 0 < p < n})


def _limit(path):
    f, raw, _, size = _io._open_read("test", path)
    with f:
        return _io._split_limit(f, raw, size)


@pytest.mark.parametrize("key", [f"{e}-{s}" for e, s, _ in FORMATS])
def test_split_load_bit_identical_at_many_points(monkeypatch, files, key):
    path = files[key]
    ref, rate = _load(path, 1, monkeypatch)
    n = ref.shape[1]
    limit = _limit(path)
    assert limit > 0, f"{key} must be splittable"
    for i, p in enumerate(_points(n, seed=hash(key) % 1000)):
        spy = Spy(monkeypatch, lambda n, p=p: [p])
        y, r2 = _load(path, 2, monkeypatch)
        assert y.shape == ref.shape and y.dtype == ref.dtype and r2 == rate
        np.testing.assert_array_equal(y, ref, err_msg=f"{key} split at {p}")
        assert spy.opened == (1 if p < limit else 0), (key, p, limit)
        if i % 3 == 0:  # three parts as well
            spy = Spy(monkeypatch, lambda n, p=p: sorted({p // 2 + 1, p, (p + n) // 2}))
            np.testing.assert_array_equal(_load(path, 2, monkeypatch)[0], ref)


@pytest.mark.parametrize("key", ["flac-PCM_16", "wav-PCM_16", "mp3-MPEG_LAYER_III", "ogg-VORBIS"])
def test_split_load_options(monkeypatch, files, key):
    path = files[key]
    for kw in [
        {"mono": True},
        {"layout": "channels_last"},
        {"dtype": "float16"},
        {"offset": 0.21, "duration": 0.8},
        {"offset": 0.5, "mono": True, "layout": "channels_last"},
    ]:
        Spy(monkeypatch)
        ref, _ = _load(path, 1, monkeypatch, **kw)
        spy = Spy(monkeypatch)
        y, _ = _load(path, 2, monkeypatch, **kw)
        assert y.shape == ref.shape and y.dtype == ref.dtype
        np.testing.assert_array_equal(y, ref, err_msg=f"{key} {kw}")
        assert spy.opened == 1


@pytest.mark.parametrize(
    ("key", "seconds", "split"),
    [
        ("flac-PCM_16", 0.8, True),  # the libFLAC reader: from 0.75 s (split_min_seconds)
        ("flac-PCM_16", 0.7, False),
        ("ogg-VORBIS", 0.5, True),  # the libvorbis reader: from 0.4 s (split_min_seconds)
        ("ogg-VORBIS", 0.3, False),
        ("mp3-MPEG_LAYER_III", 1.0, False),  # others: from _SPLIT_MIN_SECONDS (2 s)
    ],
)
def test_short_spans_split_by_format(monkeypatch, long_files, key, seconds, split):
    """Without forcing: the per-format thresholds decide (while a core is idle), and the parts
    equal one decode."""
    path = long_files[key]
    ref, _ = _load(path, 1, monkeypatch, offset=1.3, duration=seconds)
    assert ref.shape[1] == round(seconds * SR)
    opened = []
    reopen = _io._reopen
    monkeypatch.setattr(_io, "_reopen", lambda *a: opened.append(1) or reopen(*a))
    for idle in (False, True):  # busy machine: every format from _SPLIT_MIN_SECONDS
        opened.clear()
        monkeypatch.setattr(_io, "_idle_core", lambda idle=idle: idle)
        y, _ = _load(path, 2, monkeypatch, offset=1.3, duration=seconds)
        np.testing.assert_array_equal(y, ref)
        assert len(opened) == int(split and idle), (key, seconds, idle)
    if split:  # and at many points of a short span
        for p in _points(ref.shape[1], seed=3):
            Spy(monkeypatch, lambda n, p=p: [p])
            y, _ = _load(path, 2, monkeypatch, offset=1.3, duration=seconds)
            np.testing.assert_array_equal(y, ref)


def test_split_equals_soundfile(monkeypatch, long_files):
    Spy(monkeypatch)
    path = long_files["flac-PCM_24"]
    y, _ = _load(path, 2, monkeypatch)
    np.testing.assert_array_equal(y.T, sf.read(path, dtype="float32")[0])


def _vorbis_in_writes_of_4096(path):
    """A 6 s stereo Vorbis file written 4096 frames at a time (its last Ogg page holds the tail)."""
    with sf.SoundFile(path, "w", SR, 2, "VORBIS") as f:
        x = _signal(6 * SR)
        for i in range(0, len(x), 4096):
            f.write(x[i : i + 4096])
    return path


def test_vorbis_through_libsndfile_is_not_split(monkeypatch, tmp_path):
    # Where libsndfile decodes Vorbis (files the libvorbis reader leaves to it), its seek is not
    # safe (mlxdsp/_io.py _seek): no part boundary, the one-thread decode.
    monkeypatch.setenv(_io_vorbis.DISABLE_ENV, "libsndfile")
    path = _vorbis_in_writes_of_4096(tmp_path / "v.ogg")
    ref, _ = _load(path, 1, monkeypatch)
    assert _limit(path) == 0
    spy = Spy(monkeypatch, lambda n: [n // 2])
    np.testing.assert_array_equal(_load(path, 2, monkeypatch)[0], ref)
    assert spy.opened == 0


def _last_page_start(path) -> int:
    """The frame at which the last Ogg page's samples start (the granule of the page before it)."""
    raw = Path(path).read_bytes()
    pos, _ = _ogg_pages(raw)[-2]
    return int.from_bytes(raw[pos + 6 : pos + 14], "little")


def test_vorbis_reader_splits_anywhere(monkeypatch, tmp_path):
    # The libvorbis reader's seeks are exact up to the last frame: parts may start in the last page.
    if not _io_vorbis.available():
        pytest.skip("built without libogg/libvorbis development files")
    path = _vorbis_in_writes_of_4096(tmp_path / "v.ogg")
    ref, _ = _load(path, 1, monkeypatch)
    n = ref.shape[1]
    assert _limit(path) == n
    for p in (n - 4097, n - 2000, n - 1):
        spy = Spy(monkeypatch, lambda n, p=p: [p])
        np.testing.assert_array_equal(_load(path, 2, monkeypatch)[0], ref)
        assert spy.opened == 1


@pytest.mark.parametrize("decoder", ["libvorbis", "libsndfile"])
def test_vorbis_partial_reads_in_the_last_page_match_the_full_decode(
    monkeypatch, tmp_path, decoder
):
    # libsndfile's own seek there is wrong (soundfile.read(start=...) is off by up to ~0.7):
    # mlxdsp decodes from the start instead, or its own reader seeks exactly.
    if decoder == "libsndfile":
        monkeypatch.setenv(_io_vorbis.DISABLE_ENV, "libsndfile")
    elif not _io_vorbis.available():
        pytest.skip("built without libogg/libvorbis development files")
    path = _vorbis_in_writes_of_4096(tmp_path / "v.ogg")
    full, _ = _load(path, 1, monkeypatch)
    n = full.shape[1]
    limit = _last_page_start(path)
    starts = [limit - 1, limit, limit + 1, (limit + n) // 2, n - 2000, n - 1]
    off = sf.read(path, start=n - 2000, dtype="float32")[0].T
    assert np.abs(off - full[:, n - 2000 :]).max() > 1e-3  # the libsndfile seek it works around
    for start in starts:
        y, _ = _load(path, 1, monkeypatch, offset=start / SR)
        assert y.shape == (2, n - start)
        np.testing.assert_array_equal(y, full[:, start:], err_msg=f"offset {start}")
        chunks = list(mlxdsp.stream(path, offset=start / SR, chunk_frames=700))
        np.testing.assert_array_equal(np.concatenate([_np(c) for c in chunks], axis=1), y)


@pytest.mark.parametrize("name", ["alac16", "alac24"])
def test_split_alac_bit_identical(monkeypatch, name):
    if not _io_libav.available():
        pytest.skip("built without the FFmpeg backend")
    path = DATA / f"{name}.m4a"
    ref, _ = _load(path, 1, monkeypatch)
    n = ref.shape[1]
    for p in _points(n, seed=1):
        spy = Spy(monkeypatch, lambda n, p=p: [p])
        np.testing.assert_array_equal(_load(path, 2, monkeypatch)[0], ref)
        assert spy.opened == 1


def _opus_libav() -> bool:
    """Whether Ogg Opus read from the start goes through libav's libopus (and so may split)."""
    return _io_libav.available() and _io_libav._has_decoder("libopus")


def _opus_through_libav():
    if not _opus_libav():
        pytest.skip("built without the FFmpeg backend or its libopus decoder")


def test_opus_split_restarts_libopus_early_enough(monkeypatch, long_files):
    # Each later part is decoded by a fresh libav handle that restarts libopus 2 s before its first
    # sample: the same samples as the one-thread decode (which is soundfile's, tests/test_io.py).
    _opus_through_libav()
    path = long_files["ogg-OPUS"]
    ref, rate = _load(path, 1, monkeypatch)
    n = ref.shape[1]
    assert rate == 48000 and _limit(path) == n
    for i, p in enumerate(_points(n, seed=7)):
        spy = Spy(monkeypatch, lambda n, p=p: [p])
        np.testing.assert_array_equal(_load(path, 2, monkeypatch)[0], ref, err_msg=f"split at {p}")
        assert spy.opened == 1
        if i % 3 == 0:
            spy = Spy(monkeypatch, lambda n, p=p: sorted({p // 2 + 1, p, (p + n) // 2}))
            np.testing.assert_array_equal(_load(path, 2, monkeypatch)[0], ref)


@pytest.mark.slow
@pytest.mark.parametrize("quality", [1.0, 0.05])  # best (CELT) and lowest bitrate (SILK/hybrid)
def test_opus_split_exact_at_many_points_of_a_long_file(monkeypatch, tmp_path, quality):
    _opus_through_libav()
    rng = np.random.default_rng(11)
    t = np.arange(40 * 48000) / 48000
    gate = (np.sin(2 * np.pi * 0.9 * t) > 0.2)[:, None]  # speech-like bursts and silences
    voice = np.sin(2 * np.pi * 150 * t + 3 * np.sin(2 * np.pi * 3 * t))[:, None]
    x = (0.4 * gate * voice + 0.05 * rng.standard_normal((len(t), 2))).astype(np.float32)
    path = tmp_path / "long.opus"
    mlxdsp.save(path, x, 48000, layout="channels_last", quality=quality)
    ref, _ = _load(path, 1, monkeypatch)
    np.testing.assert_array_equal(ref.T, sf.read(path, dtype="float32")[0])
    n = ref.shape[1]
    for p in sorted(rng.integers(1, n - 1, 60)):
        Spy(monkeypatch, lambda n, p=p: [p])
        np.testing.assert_array_equal(_load(path, 2, monkeypatch)[0], ref, err_msg=f"split at {p}")


@pytest.mark.parametrize("junction", [0, 2048])
def test_opus_split_short_restart_differs_unless_the_junction_is_checked(
    monkeypatch, long_files, junction
):
    # The control: restarted only libav's default 4096 samples early, parts differ (by ~1e-7); with
    # the junction check on, each part whose first frames differ from the previous part's last ones
    # is decoded sequentially, so every load is the one-thread decode.
    _opus_through_libav()
    path = long_files["ogg-OPUS"]
    ref, _ = _load(path, 1, monkeypatch)
    n = ref.shape[1]
    monkeypatch.setattr(_io_libav, "OPUS_EXACT_PREROLL_SECONDS", 0.0)
    monkeypatch.setattr(_io, "_JUNCTION_FRAMES", junction)
    differ = 0
    for p in _points(n, seed=7):
        Spy(monkeypatch, lambda n, p=p: [p])
        differ += not np.array_equal(_load(path, 2, monkeypatch)[0], ref)
    assert differ == 0 if junction else differ >= 2


def test_opus_partial_reads_are_not_split(monkeypatch, long_files):
    # A seek hands Ogg Opus back to libsndfile, whose seeks are not exact: one handle only.
    path = long_files["ogg-OPUS"]
    ref, _ = _load(path, 1, monkeypatch, offset=0.2)
    spy = Spy(monkeypatch)
    np.testing.assert_array_equal(_load(path, 2, monkeypatch, offset=0.2)[0], ref)
    assert spy.opened == 0


def test_opus_is_split_only_when_long(monkeypatch, long_files):
    path = long_files["ogg-OPUS"]
    f, raw, _, size = _io._open_read("test", path)
    with f:
        n = f.frames
        assert _io._split_ok(f, raw, size, 0, n, 2) == 0  # 5 s < 12 s: the restart would not pay
        monkeypatch.setattr(_io, "_OPUS_SPLIT_MIN_SECONDS", 4.0)
        assert _io._split_ok(f, raw, size, 0, n, 2) == (n if _opus_libav() else 0)


def test_aac_is_not_split(monkeypatch):
    if not _io_libav.available():
        pytest.skip("built without the FFmpeg backend")
    path = DATA / "aac_tone.m4a"
    ref, _ = _load(path, 1, monkeypatch)
    spy = Spy(monkeypatch)
    np.testing.assert_array_equal(_load(path, 2, monkeypatch)[0], ref)
    assert spy.opened == 0


def _check_opened(key, spy, kw):
    if key == "ogg-OPUS" and (kw.get("offset") or not _opus_libav()):
        assert spy.opened == 0  # read by libsndfile (after a seek): one handle decodes ahead
    elif key in ("ogg-VORBIS", "ogg-OPUS"):  # a fresh handle per segment (a used one seeks wrongly)
        assert spy.opened >= 1
    else:  # the second handle takes every other segment
        assert spy.opened == 1


@pytest.mark.parametrize("key", LONG)
@pytest.mark.parametrize("kw", [{"sr": 16000}, {"sr": 22050, "mono": True, "offset": 0.3}])
def test_resampled_load_decoded_ahead_is_identical(monkeypatch, long_files, key, kw):
    path = long_files[key]
    ref, rate = _load(path, 1, monkeypatch, **kw)
    for seconds in (1.0, 3.0):  # segments of one block (four handles' turns) and of two
        monkeypatch.setattr(_io, "_SEGMENT_SECONDS", seconds)
        spy = Spy(monkeypatch)
        y, r2 = _load(path, 2, monkeypatch, **kw)
        assert y.shape == ref.shape and y.dtype == ref.dtype and r2 == rate
        np.testing.assert_array_equal(y, ref, err_msg=f"{key} {kw} segments {seconds}s")
        _check_opened(key, spy, kw)


@pytest.mark.parametrize("key", LONG)
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"chunk_frames": 1000, "layout": "channels_last"},
        {"sr": 16000, "chunk_frames": 5000},
        {"mono": True, "offset": 0.7, "duration": 3.1, "dtype": "float16"},
    ],
)
def test_stream_decoded_ahead_equals_load(monkeypatch, long_files, key, kw):
    path = long_files[key]
    kw = {"chunk_frames": 4096, **kw}
    load_kw = {k: v for k, v in kw.items() if k != "chunk_frames"}
    ref, _ = _load(path, 1, monkeypatch, **load_kw)
    axis = 0 if kw.get("layout") == "channels_last" else 1
    monkeypatch.setattr(_io, "_SEGMENT_SECONDS", 0.3)
    spy = Spy(monkeypatch)
    monkeypatch.setenv(_io.THREADS_ENV, "2")
    chunks = [_np(c) for c in mlxdsp.stream(path, **kw)]
    assert all(c.shape[axis] == kw["chunk_frames"] for c in chunks[:-1])
    y = np.concatenate(chunks, axis=axis)
    assert y.shape == ref.shape and y.dtype == ref.dtype
    np.testing.assert_array_equal(y, ref)
    _check_opened(key, spy, kw)


def test_pcm_streams_and_resampled_loads_stay_on_one_thread(monkeypatch, long_files):
    path = long_files["wav-PCM_16"]
    monkeypatch.setattr(_io, "_SEGMENT_SECONDS", 0.3)
    monkeypatch.setenv(_io.THREADS_ENV, "2")
    opened, real = [], _io._reopen
    monkeypatch.setattr(_io, "_reopen", lambda *a: opened.append(a) or real(*a))
    before = threading.active_count()
    it = mlxdsp.stream(path, chunk_frames=8192)
    next(it)
    assert threading.active_count() == before
    it.close()
    ref, _ = _load(path, 1, monkeypatch, sr=16000)
    np.testing.assert_array_equal(_load(path, 2, monkeypatch, sr=16000)[0], ref)
    assert not opened


def test_stream_closed_early_stops_its_threads(monkeypatch, long_files):
    monkeypatch.setattr(_io, "_SEGMENT_SECONDS", 0.3)
    monkeypatch.setenv(_io.THREADS_ENV, "2")
    before = threading.active_count()
    it = mlxdsp.stream(long_files["flac-PCM_16"], chunk_frames=4096)
    first = _np(next(it))
    assert first.shape == (2, 4096)
    assert threading.active_count() > before
    it.close()
    assert threading.active_count() == before
    it = mlxdsp.stream(long_files["flac-PCM_16"], chunk_frames=4095)  # tiny: calling thread only
    assert _np(next(it)).shape == (2, 4095)
    assert threading.active_count() == before
    it.close()


def _cut(tmp_path, path, fraction):
    data = Path(path).read_bytes()
    p = tmp_path / f"cut{int(fraction * 100)}_{Path(path).name}"
    p.write_bytes(data[: int(len(data) * fraction)])
    return p


def _outcome(fn, threads, monkeypatch):
    """(error message, frames_decoded) of a strict call, and the strict=False result + warning."""
    monkeypatch.setenv(_io.THREADS_ENV, str(threads))
    try:
        fn(True)
        err = None
    except AudioFileError as e:
        err = (str(e), e.frames_decoded)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            y = fn(False)
        except AudioFileError as e:
            y = str(e)
    return err, y, [str(m.message) for m in w]


@pytest.mark.parametrize(
    "key", ["wav-PCM_16", "flac-PCM_16", "mp3-MPEG_LAYER_III", "ogg-VORBIS", "ogg-OPUS"]
)
@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.8])
def test_truncated_split_fails_as_sequential(monkeypatch, tmp_path, long_files, key, fraction):
    p = _cut(tmp_path, long_files[key], fraction)
    monkeypatch.setattr(_io, "_SEGMENT_SECONDS", 0.5)
    calls = {
        "load": lambda strict: _np(mlxdsp.load(p, strict=strict)[0]),
        "load sr": lambda strict: _np(mlxdsp.load(p, sr=16000, strict=strict)[0]),
        "stream": lambda strict: np.concatenate(
            [_np(c) for c in mlxdsp.stream(p, chunk_frames=3000, strict=strict)], axis=1
        ),
    }
    for what, fn in calls.items():
        Spy(monkeypatch)
        err1, y1, w1 = _outcome(fn, 1, monkeypatch)
        Spy(monkeypatch)
        err2, y2, w2 = _outcome(fn, 2, monkeypatch)
        assert err1 is not None, f"{key} cut at {fraction} must be reported ({what})"
        assert err2 == err1, what
        assert w2 == w1, what
        if isinstance(y1, str):
            assert y2 == y1
        else:
            assert y2.shape == y1.shape
            np.testing.assert_array_equal(y2, y1)


def test_failed_later_part_is_decoded_sequentially(monkeypatch, long_files):
    path = long_files["flac-PCM_16"]
    ref, _ = _load(path, 1, monkeypatch)

    def broken(f, raw, name):
        raise AudioFileError("injected", name)

    for target in ("full", "ahead"):
        Spy(monkeypatch)
        monkeypatch.setattr(_io, "_reopen", broken)
        monkeypatch.setattr(_io, "_SEGMENT_SECONDS", 0.5)
        if target == "full":
            y, _ = _load(path, 2, monkeypatch)
        else:
            monkeypatch.setenv(_io.THREADS_ENV, "2")
            y = np.concatenate([_np(c) for c in mlxdsp.stream(path, chunk_frames=8192)], axis=1)
        np.testing.assert_array_equal(y, ref)


def test_batch_load_threads_never_exceed_cores(monkeypatch, long_files):
    paths = [long_files[k] for k in LONG]
    seq = [_load(p, 1, monkeypatch)[0] for p in paths]
    spy = Spy(monkeypatch)
    monkeypatch.setenv(_io.THREADS_ENV, "2")
    monkeypatch.setattr(_io.os, "cpu_count", lambda: 2)
    out = mlxdsp.batch_load(paths, num_workers=2)  # two files at once: one thread each
    assert spy.opened == 0
    for (a, _), b in zip(out, seq, strict=True):
        np.testing.assert_array_equal(_np(a), b)
    out = mlxdsp.batch_load(paths, num_workers=1)  # one file at a time: split in two
    assert spy.opened == len(paths) - (0 if _opus_libav() else 1)  # Opus: through libav only
    for (a, _), b in zip(out, seq, strict=True):
        np.testing.assert_array_equal(_np(a), b)


@pytest.mark.parametrize("value", ["0", "-1", "two", ""])
def test_bad_thread_count(monkeypatch, files, value):
    monkeypatch.setenv(_io.THREADS_ENV, value)
    pattern = rf"\[load\] MLXDSP_DECODE_THREADS='{value}' must be a positive int"
    with pytest.raises(ParameterError, match=pattern):
        mlxdsp.load(files["wav-PCM_16"])
    with pytest.raises(ParameterError, match=pattern.replace("load", "stream")):
        mlxdsp.stream(files["wav-PCM_16"])
    with pytest.raises(ParameterError, match=pattern.replace("load", "batch_load")):
        mlxdsp.batch_load([files["wav-PCM_16"]])


def test_thread_count_default_and_cap(monkeypatch):
    monkeypatch.delenv(_io.THREADS_ENV, raising=False)
    monkeypatch.setattr(_io.os, "cpu_count", lambda: 8)
    assert _io.decode_threads("load") == 2
    monkeypatch.setattr(_io.os, "cpu_count", lambda: 1)
    assert _io.decode_threads("load") == 1
    monkeypatch.setenv(_io.THREADS_ENV, "16")
    monkeypatch.setattr(_io.os, "cpu_count", lambda: 4)
    assert _io.decode_threads("load") == 4
    assert _io.decode_threads("load", cap=1) == 1
