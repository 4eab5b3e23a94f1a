"""The plain-WAV reader (``mlxdsp/_io_wav.py``, ``_ext/_wavread.pyx``): short ``load`` spans and
``stream`` chunks of PCM 16/24/32 and float WAV files read without libsndfile.

References: ``soundfile.read(dtype="float32")`` (libsndfile) and mlxdsp's own libsndfile path with
the plain reader switched off; every result must equal both bit for bit. Headers the plain reader
cannot read exactly as libsndfile does must be declined (the libsndfile path then runs, with its
errors and ``strict=False`` behaviour): a hypothesis test builds random chunk layouts and checks
that the reader either declines or equals soundfile.
"""

from __future__ import annotations

import os
import struct
import threading
import warnings
from pathlib import Path

import mlx.core as mx
import numpy as np
import pytest
import soundfile as sf
from hypothesis import event, given, settings
from hypothesis import strategies as st

import mlxdsp
from mlxdsp import AudioFileError, _io_wav

pytestmark = pytest.mark.skipif(
    _io_wav._wavread is None, reason="I/O extension not built (-Dio=disabled)"
)

SR = 44100
SUBTYPES = ["PCM_16", "PCM_24", "PCM_32", "FLOAT"]


def _plain(path) -> bool:
    """Whether the plain reader takes the file (not declined)."""
    f = _io_wav._wavread.open_plain(str(path).encode())
    if f is None:
        return False
    f.close()
    return True


@pytest.fixture
def no_fast(monkeypatch):
    """mlxdsp with the plain reader switched off: the libsndfile path only."""

    def off():
        monkeypatch.setattr(_io_wav, "_wavread", None)

    return off


def _np(a: mx.array) -> np.ndarray:
    return np.array(a)


def _signal(n, ch, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, ch)).astype(np.float32)
    x[::97] = 1.0  # full scale both ways, and values that round differently per bit depth
    x[1::89] = -1.0
    return x


def _write(path, n, ch, subtype, fmt=None, rate=SR):
    sf.write(path, _signal(n, ch), rate, subtype=subtype, format=fmt)
    return path


def _ref(path, start, frames):
    """soundfile's frames ``start:start+frames`` (clamped), float32 [frames, ch]."""
    with sf.SoundFile(path) as f:
        start = min(start, f.frames)
        f.seek(start)
        return f.read(frames, dtype="float32", always_2d=True)


def _same(a: mx.array, b: np.ndarray):
    assert a.dtype == mx.float32 and a.shape == b.shape, (a.dtype, a.shape, b.shape)
    np.testing.assert_array_equal(_np(a).view(np.uint32), b.view(np.uint32))


# --- load: parity ------------------------------------------------------------------------------


@pytest.mark.parametrize("subtype", SUBTYPES)
@pytest.mark.parametrize("ch", [1, 2, 6])
@pytest.mark.parametrize("fmt", ["WAV", "WAVEX"])
def test_load_span_equals_soundfile(tmp_path, subtype, ch, fmt, no_fast):
    n = 30011
    p = _write(tmp_path / "a.wav", n, ch, subtype, fmt)
    assert _plain(p)
    spans = [(0.0, 0.25), (0.1234567, 0.0917), (0.5, None), (0.68, 1.0), (0.0, 0.0), (1e-9, 1e-5)]
    got = {}
    for offset, duration in spans:
        start = int(round(offset * SR))
        frames = n if duration is None else int(round(duration * SR))
        ref = _ref(p, start, frames)
        y, rate = mlxdsp.load(p, offset=offset, duration=duration)
        assert rate == SR
        _same(y, ref.T)
        y2, _ = mlxdsp.load(p, offset=offset, duration=duration, layout="channels_last")
        _same(y2, ref)
        got[offset, duration] = y
    no_fast()  # the libsndfile path gives the same arrays
    for (offset, duration), y in got.items():
        _same(y, _np(mlxdsp.load(p, offset=offset, duration=duration)[0]))


@pytest.mark.parametrize("ch", [1, 2, 3])
@pytest.mark.parametrize("layout", ["channels_first", "channels_last"])
def test_load_mono_and_float16_equal_libsndfile_path(tmp_path, ch, layout, no_fast):
    p = _write(tmp_path / "m.wav", 20000, ch, "PCM_24")
    assert _plain(p)
    kw = dict(offset=0.01, duration=0.3, layout=layout)
    mono, _ = mlxdsp.load(p, mono=True, **kw)
    half, _ = mlxdsp.load(p, dtype="float16", **kw)
    ref = _ref(p, 441, 13230)
    want = np.mean(ref, axis=1, keepdims=True)  # librosa.to_mono's float32 mean
    _same(mono, want.T if layout == "channels_first" else want)
    assert half.dtype == mx.float16
    np.testing.assert_array_equal(
        _np(half), (ref.T if layout == "channels_first" else ref).astype(np.float16)
    )
    no_fast()
    _same(mono, _np(mlxdsp.load(p, mono=True, **kw)[0]))
    np.testing.assert_array_equal(_np(half), _np(mlxdsp.load(p, dtype="float16", **kw)[0]))


def test_offsets_at_and_after_the_end(tmp_path, no_fast):
    p = _write(tmp_path / "e.wav", 1000, 2, "PCM_16", rate=8000)
    assert _plain(p)
    cases = [(1000 / 8000, None), (1000 / 8000, 0.5), (0.2, 0.1), (999 / 8000, 1.0), (1e6, 0.1)]
    out = []
    for offset, duration in cases:
        y, rate = mlxdsp.load(p, offset=offset, duration=duration)
        want = _ref(p, int(round(offset * 8000)), 8000).T
        _same(y, want)
        out.append(y)
    assert out[0].shape == (2, 0) and out[3].shape == (2, 1)
    no_fast()
    for (offset, duration), y in zip(cases, out, strict=True):
        _same(y, _np(mlxdsp.load(p, offset=offset, duration=duration)[0]))


def test_rounding_is_half_to_even_like_the_general_path(tmp_path, no_fast):
    p = _write(tmp_path / "r.wav", 400, 1, "PCM_16", rate=8000)
    # offset * 8000 lands exactly on .5: Python's round() takes the even neighbour
    spans = [(0.0000625, 0.0001875), (0.0001875, 0.0003125), (0.0123125, 0.0000625)]
    got = [mlxdsp.load(p, offset=o, duration=d)[0] for o, d in spans]
    for (o, d), y in zip(spans, got, strict=True):
        _same(y, _ref(p, int(round(o * 8000)), int(round(d * 8000))).T)
    no_fast()
    for (o, d), y in zip(spans, got, strict=True):
        _same(y, _np(mlxdsp.load(p, offset=o, duration=d)[0]))


def test_sr_equal_to_native_is_taken_other_sr_is_not(tmp_path, monkeypatch):
    p = _write(tmp_path / "s.wav", 8000, 2, "PCM_16", rate=8000)
    y, rate = mlxdsp.load(p, sr=8000, duration=0.5)
    assert rate == 8000
    _same(y, _ref(p, 0, 4000).T)
    assert _io_wav.load(p, 16000, 0.0, 0.5, False, "float32", "channels_first", 2.0) is None


def test_long_spans_and_large_results_go_to_the_general_path(tmp_path):
    p = _write(tmp_path / "l.wav", 3 * 8000, 2, "PCM_16", rate=8000)
    assert _io_wav.load(p, None, 0.0, 1.9, False, "float32", "channels_first", 2.0) is not None
    assert _io_wav.load(p, None, 0.0, 2.0, False, "float32", "channels_first", 2.0) is None
    assert _io_wav.load(p, None, 0.0, None, False, "float32", "channels_first", 2.0) is None
    y, _ = mlxdsp.load(p)  # the general path, same samples
    _same(y, _ref(p, 0, 3 * 8000).T)


def test_upper_case_extension_and_non_ascii_path(tmp_path, no_fast):
    d = tmp_path / "dossier été ✓"
    d.mkdir()
    p = _write(d / "Ünïcødé.WAV", 9000, 2, "PCM_16")
    assert _plain(p)
    y, _ = mlxdsp.load(p, offset=0.05, duration=0.1)
    y2, _ = mlxdsp.load(Path(p), offset=0.05, duration=0.1)
    want = _ref(p, 2205, 4410).T
    _same(y, want)
    _same(y2, want)
    no_fast()
    _same(y, _np(mlxdsp.load(p, offset=0.05, duration=0.1)[0]))


def test_threads_each_read_their_own_span(tmp_path):
    p = _write(tmp_path / "t.wav", 44100, 2, "PCM_16")
    spans = [(i * 0.01, 0.05 + 0.01 * (i % 5)) for i in range(24)]
    want = [_ref(p, int(round(o * SR)), int(round(d * SR))).T for o, d in spans]
    errors = []

    def work(k):
        try:
            for _ in range(20):
                for i in range(k, len(spans), 4):
                    _same(mlxdsp.load(p, offset=spans[i][0], duration=spans[i][1])[0], want[i])
        except BaseException as e:  # reported on the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


# --- hand-built headers -------------------------------------------------------------------------


def _chunk(tag: bytes, body: bytes, size: int | None = None, pad: bool = True) -> bytes:
    size = len(body) if size is None else size
    out = tag + struct.pack("<I", size) + body
    return out + b"\0" if pad and len(body) % 2 else out


def _fmt(tag=1, ch=2, rate=SR, bits=16, align=None, bps=None, ext=None) -> bytes:
    width = (bits + 7) // 8
    align = ch * width if align is None else align
    bps = rate * align if bps is None else bps
    body = struct.pack("<HHIIHH", tag, ch, rate & 0xFFFFFFFF, bps & 0xFFFFFFFF, align, bits)
    if ext is not None:  # WAVE_FORMAT_EXTENSIBLE: cbSize, valid bits, mask, GUID
        body += struct.pack("<HHI", 22, bits, 3) + struct.pack("<IHH", ext, 0, 0x10)
        body += bytes([0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71])
    return _chunk(b"fmt ", body)


def _riff(chunks: bytes, riff_size=None) -> bytes:
    size = 4 + len(chunks) if riff_size is None else riff_size
    return b"RIFF" + struct.pack("<I", size & 0xFFFFFFFF) + b"WAVE" + chunks


def _pcm16(frames, ch, seed=1) -> bytes:
    return np.random.default_rng(seed).integers(-32768, 32768, frames * ch).astype("<i2").tobytes()


def _list_info(*items) -> bytes:
    body = b"INFO"
    for tag, text in items:
        body += _chunk(tag, text)
    return _chunk(b"LIST", body)


def _check_equal_or_declined(path, taken=None, spans=((0.0, None), (0.001, 0.002))):
    """The plain reader declines, or equals soundfile and mlxdsp's libsndfile path."""
    ok = _plain(path)
    if taken is not None:
        assert ok == taken
    if not ok:
        return False
    info = sf.info(path)  # libsndfile opens it
    for offset, duration in spans:
        got = _io_wav.load(path, None, offset, duration, False, "float32", "channels_last", 2.0)
        if got is None:
            continue
        y, rate = got
        assert rate == info.samplerate
        start = int(round(offset * rate))
        frames = info.frames if duration is None else int(round(duration * rate))
        _same(y, _ref(path, start, frames))
        saved = _io_wav._wavread
        try:
            _io_wav._wavread = None
            general, _ = mlxdsp.load(path, offset=offset, duration=duration, layout="channels_last")
        finally:
            _io_wav._wavread = saved
        _same(y, _np(general))
    return True


def test_chunks_before_data_and_pad_bytes(tmp_path):
    fmt = _fmt(ch=2)
    data = _chunk(b"data", _pcm16(301, 2))
    layouts = {
        "fact": fmt + _chunk(b"fact", struct.pack("<I", 301)) + data,
        "junk-odd": _chunk(b"JUNK", b"abc") + fmt + data,  # odd size: libsndfile skips the pad
        "list": fmt + _list_info((b"ISFT", b"Lavf60.3.100"), (b"INAM", b"odd")) + data,
        "list-before-fmt": _list_info((b"ICMT", b"x" * 11)) + fmt + data,
        "fmt-18": _chunk(b"fmt ", fmt[8:] + b"\0\0") + data,
        "fmt-odd": _chunk(b"fmt ", fmt[8:] + b"\0") + data,
        "pad-fllr-ixml": _chunk(b"PAD ", b"\0" * 6)
        + fmt
        + _chunk(b"FLLR", b"\0" * 5)
        + _chunk(b"iXML", b"<x/>")
        + data,
    }
    for name, chunks in layouts.items():
        p = tmp_path / f"{name}.wav"
        p.write_bytes(_riff(chunks))
        assert _check_equal_or_declined(p, taken=True), name


def test_odd_data_length_and_trailing_bytes(tmp_path):
    # 24-bit mono, 3 frames: 9 data bytes, then the pad byte (or not), then stray bytes.
    # libsndfile stops parsing when fewer than 4 bytes follow the padded data chunk.
    body = bytes(range(9))
    for tail in [b"", b"\0", b"\0ab", b"\0abcd", b"\0abcde"]:
        p = tmp_path / f"odd{len(tail)}.wav"
        p.write_bytes(_riff(_fmt(ch=1, bits=24) + _chunk(b"data", body, pad=False) + tail))
        _check_equal_or_declined(p, taken=len(tail) <= 5)


def test_float_wav_with_peak_chunk_and_extensible_float(tmp_path):
    p = _write(tmp_path / "f.wav", 5000, 2, "FLOAT")  # libsndfile writes fact + PEAK chunks
    assert b"PEAK" in p.read_bytes()[:200]
    assert _check_equal_or_declined(p, taken=True)
    x = _signal(700, 3).astype("<f4")
    x[5, 1] = np.nan
    x[6, 2] = -0.0
    q = tmp_path / "fx.wav"
    q.write_bytes(_riff(_fmt(0xFFFE, ch=3, bits=32, ext=3) + _chunk(b"data", x.tobytes())))
    assert _check_equal_or_declined(q, taken=True)


def test_declines_what_libsndfile_reads_otherwise(tmp_path):
    data = _chunk(b"data", _pcm16(100, 2))
    cases = {
        "rifx": b"RIFX" + _riff(_fmt() + data)[4:],
        "pcm8": _riff(_fmt(bits=8) + _chunk(b"data", bytes(200))),
        "pcm20": _riff(_fmt(bits=20, align=6) + _chunk(b"data", bytes(600))),
        "alaw": _riff(_fmt(tag=6, bits=8) + _chunk(b"data", bytes(200))),
        "bad-align": _riff(_fmt(align=8) + data),
        "24-in-32": _riff(_fmt(bits=24, align=8) + _chunk(b"data", bytes(800))),
        "ambisonic-guid": _riff(_fmt(0xFFFE, ext=2) + data),
        "data-empty": _riff(_fmt() + _chunk(b"data", b"")),
        "data-part-frame": _riff(_fmt() + _chunk(b"data", bytes(402))),
        "no-fmt": _riff(data),
        "two-fmt": _riff(_fmt() + _fmt() + data),
        "fact-short": _riff(_fmt() + _chunk(b"fact", b"\1\0") + data),
        "peak-wrong-size": _riff(_fmt() + _chunk(b"PEAK", bytes(20)) + data),
        "bext": _riff(_fmt() + _chunk(b"bext", bytes(602)) + data),
        "chunk-after-data": _riff(_fmt() + data + _list_info((b"ISFT", b"late"))),
        "wvpk-data": _riff(_fmt() + _chunk(b"data", b"wvpk" + bytes(396))),
        "ogg-data": _riff(_fmt() + _chunk(b"data", b"OggS" + bytes(396))),
        "list-data-inside": _riff(_fmt() + _chunk(b"LIST", b"INFOdata" + bytes(8)) + data),
        "list-weird-length": _riff(_fmt() + _chunk(b"LIST", b"INFO") + data),
        "header-past-4k": _riff(_chunk(b"JUNK", bytes(5000)) + _fmt() + data),
        "riff-size-large": _riff(_fmt() + data, riff_size=10**6),
    }
    for name, raw in cases.items():
        p = tmp_path / f"{name}.wav"
        p.write_bytes(raw)
        assert not _plain(p), name
    # placeholder RIFF sizes and a size within 16 bytes of the truth are read as libsndfile does
    for riff in (0, 0xFFFFFFFF, 4 + len(_fmt() + data) + 16):
        p = tmp_path / f"riff{riff}.wav"
        p.write_bytes(_riff(_fmt() + data, riff_size=riff))
        assert _check_equal_or_declined(p, taken=True), riff


@pytest.mark.parametrize("strict", [True, False])
def test_data_chunk_past_eof_fails_as_before(tmp_path, strict, no_fast):
    good = _write(tmp_path / "g.wav", 20000, 2, "PCM_16")
    raw = good.read_bytes()
    p = tmp_path / "cut.wav"
    p.write_bytes(raw[: len(raw) * 6 // 10])
    assert not _plain(p)

    def run():
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                y, _ = mlxdsp.load(p, offset=0.1, duration=0.5, strict=strict)
            except AudioFileError as e:
                return ("error", str(e), e.frames_decoded)
        return ("ok", _np(y).tobytes(), [str(x.message) for x in w])

    first = run()
    if strict:
        assert first[0] == "error" and first[2] is not None
    no_fast()
    assert run() == first


def test_size_zero_fifo_directory_and_missing_are_declined(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    os.mkfifo(tmp_path / "fifo.wav")  # opening it must not wait for a writer
    for p in [tmp_path / "empty.wav", tmp_path / "fifo.wav", tmp_path, tmp_path / "missing.wav"]:
        assert _io_wav.load(p, None, 0.0, 0.1, False, "float32", "channels_first", 2.0) is None
    with pytest.raises(mlxdsp.AudioFileNotFoundError):
        mlxdsp.load(tmp_path / "missing.wav", duration=0.1)


def _mostly(valid, *others):
    """``valid`` three times out of four, else one of ``others``."""
    return st.one_of(st.just(valid), st.just(valid), st.just(valid), st.sampled_from(others))


@settings(max_examples=600, deadline=None)
@given(
    st.data(),
    _mostly((1, 16), (1, 24), (1, 32), (3, 32), (0xFFFE, 16), (3, 64), (1, 8), (6, 8), (2, 4)),
    st.integers(1, 3),
    _mostly(8000, 44100, 1, 0, 0x7FFFFFFF, 0x80000000),
)
def test_random_headers_decline_or_equal_soundfile(tmp_path_factory, data, fmt, ch, rate):
    """Chunk layouts built at random from what real files hold (fact, LIST INFO/adtl with string
    and other subchunks, JUNK, PEAK, PAD, unknown and zero markers, odd sizes with and without pad
    bytes, wrong sizes, trailing bytes, placeholder RIFF sizes), mostly valid so that both branches
    run: the plain reader declines, or it equals soundfile and the libsndfile path."""
    tag, bits = fmt
    ext = None
    if tag == 0xFFFE:
        ext = data.draw(_mostly(1, 3, 2), label="guid")
        bits = 32 if ext == 3 else data.draw(st.sampled_from([16, 24, 32]), label="bits")
    width = (bits + 7) // 8
    align = data.draw(_mostly(ch * width, ch * width + 1, 0), label="align")
    parts = [_fmt(tag, ch, rate, bits, align, ext=ext)]
    names = [b"fact", b"LIST", b"JUNK", b"junk", b"PEAK", b"PAD ", b"cue ", b"abcd", b"\0\0\0\0"]
    for _ in range(data.draw(st.integers(0, 3), label="extra")):
        name = data.draw(st.sampled_from(names), label="name")
        if name == b"LIST":
            body = data.draw(_mostly(b"INFO", b"adtl", b"abcd"))
            for _ in range(data.draw(st.integers(0, 3))):
                sub = data.draw(st.sampled_from([b"ISFT", b"INAM", b"labl", b"note", b"xyzw"]))
                text = data.draw(st.binary(max_size=12))
                body += _chunk(sub, text, data.draw(_mostly(None, len(text) + 7, 3000)))
        elif name == b"PEAK":
            body = bytes(8 + 8 * data.draw(_mostly(ch, ch + 1, ch - 1)))
        elif name == b"fact":
            body = bytes(data.draw(_mostly(4, 0, 2, 5, 8)))
        else:
            body = data.draw(st.binary(max_size=24))
        size = data.draw(_mostly(None, len(body) + 1, max(0, len(body) - 1)))
        parts.insert(data.draw(st.integers(0, len(parts))), _chunk(name, body, size))
    frames = data.draw(st.integers(0, 40), label="frames")
    samples = np.random.default_rng(frames).integers(0, 256, frames * ch * width, dtype=np.uint8)
    body = samples.tobytes()
    size = data.draw(_mostly(None, len(body) + 2, max(0, len(body) - 1), 0xFFFFFFFF))
    parts.append(_chunk(b"data", body, size, pad=data.draw(st.booleans())))
    parts.append(data.draw(_mostly(b"", b"x", b"xyz", b"xyzwv", b"LIST" + bytes(8))))
    raw = _riff(b"".join(parts))
    riff = data.draw(_mostly(None, 0, 0xFFFFFFFF, len(raw) + 100, len(raw) - 8 + 16), label="riff")
    if riff is not None:
        raw = raw[:4] + struct.pack("<I", riff) + raw[8:]
    p = tmp_path_factory.mktemp("hyp") / "h.wav"
    p.write_bytes(raw)
    spans = ((0.0, None), (0.0, 0.0005), (frames / max(rate, 1), 1.0))
    event("taken" if _check_equal_or_declined(p, spans=spans) else "declined")


# --- stream -------------------------------------------------------------------------------------


@pytest.mark.parametrize("subtype,ch", [("PCM_16", 2), ("PCM_24", 6), ("FLOAT", 1), ("PCM_32", 3)])
@pytest.mark.parametrize("layout", ["channels_first", "channels_last"])
def test_stream_chunks_concatenate_to_load(tmp_path, subtype, ch, layout, no_fast):
    p = _write(tmp_path / "s.wav", 50021, ch, subtype)
    assert _plain(p)
    axis = 1 if layout == "channels_first" else 0
    cases = [dict(chunk_frames=4410), dict(chunk_frames=9999, offset=0.2, duration=0.61)]
    got = []
    for kw in cases:
        chunks = list(mlxdsp.stream(p, layout=layout, **kw))
        assert all(c.shape[axis] == kw["chunk_frames"] for c in chunks[:-1])
        whole = np.concatenate([_np(c) for c in chunks], axis=axis)
        full = _ref(p, 0, 50021)
        start = int(round(kw.get("offset", 0.0) * SR))
        stop = 50021 if "duration" not in kw else start + int(round(kw["duration"] * SR))
        want = full[start:stop]
        np.testing.assert_array_equal(
            whole.view(np.uint32), (want.T if axis else want).view(np.uint32)
        )
        loaded, _ = mlxdsp.load(
            p, layout=layout, offset=kw.get("offset", 0.0), duration=kw.get("duration")
        )
        np.testing.assert_array_equal(whole, _np(loaded))
        got.append(whole)
    no_fast()
    for kw, whole in zip(cases, got, strict=True):
        chunks = list(mlxdsp.stream(p, layout=layout, **kw))
        np.testing.assert_array_equal(whole, np.concatenate([_np(c) for c in chunks], axis=axis))


def test_stream_float16_and_early_close(tmp_path):
    p = _write(tmp_path / "h.wav", 30000, 2, "PCM_16")
    chunks = list(mlxdsp.stream(p, chunk_frames=7000, dtype="float16"))
    assert all(c.dtype == mx.float16 for c in chunks)
    want = _ref(p, 0, 30000).T.astype(np.float16)
    np.testing.assert_array_equal(np.concatenate([_np(c) for c in chunks], axis=1), want)
    it = mlxdsp.stream(p, chunk_frames=1000)
    next(it)
    it.close()  # closes both the libsndfile handle and the plain reader's descriptor


def test_stream_reader_that_stops_early_hands_over_to_libsndfile(tmp_path, monkeypatch):
    p = _write(tmp_path / "x.wav", 40000, 2, "PCM_24")
    real = _io_wav._wavread.open_plain

    class Flaky:  # reads two chunks, then reports a short read (as after a truncation)
        def __init__(self, f):
            self.f, self.reads = f, 0

        def __getattr__(self, name):
            return getattr(self.f, name)

        def read_into(self, *args):
            self.reads += 1
            return self.reads <= 2 and self.f.read_into(*args)

    monkeypatch.setattr(_io_wav._wavread, "open_plain", lambda path: Flaky(real(path)))
    chunks = list(mlxdsp.stream(p, chunk_frames=6000))
    assert [c.shape[1] for c in chunks] == [6000] * 6 + [4000]
    np.testing.assert_array_equal(
        np.concatenate([_np(c) for c in chunks], axis=1), _ref(p, 0, 40000).T
    )


def test_stream_of_a_truncated_wav_fails_as_before(tmp_path, no_fast):
    good = _write(tmp_path / "g.wav", 20000, 2, "PCM_16")
    raw = good.read_bytes()
    p = tmp_path / "cut.wav"
    p.write_bytes(raw[: len(raw) // 2])

    def run():
        got = []
        try:
            for c in mlxdsp.stream(p, chunk_frames=3000):
                got.append(_np(c))
        except AudioFileError as e:
            return len(got), str(e), e.frames_decoded
        return len(got), None, None

    first = run()
    assert first[1] is not None
    no_fast()
    assert run() == first
