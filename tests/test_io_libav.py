"""The optional FFmpeg (libav*) backend: M4A/AAC/ALAC (+ ADTS AAC, Opus in WebM) decoded to float32.

References: PyAV (its own bundled FFmpeg, independent of the system libav* mlxdsp links) decoding the
same files; for ALAC also the PCM that went into the files (``tests/data/io/*.npy``, written by
``tests/data/io/make_libav_fixtures.py`` together with the fixtures); python-soxr for ``sr=``.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import mlx.core as mx
import numpy as np
import pytest

import mlxdsp
from mlxdsp import AudioFileError, ParameterError, _io, _io_libav, _io_ogg
from tests.conftest import rel_err

pytestmark = pytest.mark.skipif(
    _io._sndfile is None or not _io_libav.available(),
    reason="FFmpeg (libav) backend not built (-Dlibav=disabled or no FFmpeg dev files)",
)

DATA = Path(__file__).parent / "data" / "io"
FIXTURES = {
    "aac_tone": (DATA / "aac_tone.m4a", 44100, 2, 110250, "M4A", "AAC"),
    "aac_noise": (DATA / "aac_noise.m4a", 44100, 2, 57330, "M4A", "AAC"),
    "alac16": (DATA / "alac16.m4a", 44100, 2, 9000, "M4A", "ALAC"),
    "alac24": (DATA / "alac24.m4a", 48000, 1, 7000, "M4A", "ALAC"),
    "adts": (DATA / "adts_mono.aac", 22050, 1, None, "AAC", "AAC"),
    "opus_webm": (DATA / "opus.webm", 48000, 2, 48000, "MATROSKA", "OPUS"),
}


def _np(a):
    mx.eval(a)
    return np.array(a)


def _pyav(path) -> tuple[np.ndarray, int | None]:
    """PyAV's decode as float32 [frames, channels] (its own FFmpeg) and the container's stated length."""
    av = pytest.importorskip("av")
    out = []
    with av.open(str(path)) as c:
        st = c.streams.audio[0]
        stated = (
            int(st.duration * st.time_base * st.codec_context.sample_rate)
            if st.duration and c.format.name.startswith("mov")
            else None
        )
        for fr in c.decode(st):
            a = fr.to_ndarray()
            name = fr.format.name.rstrip("p")
            if name == "s16":
                a = a.astype(np.float32) / np.float32(32768)
            elif name == "s32":
                a = a.astype(np.float32) * np.float32(2.0**-31)
            a = a.T if fr.format.is_planar else a.reshape(-1, len(fr.layout.channels))
            out.append(a.astype(np.float32))
    ref = np.concatenate(out)
    return (ref[:stated] if stated is not None else ref), stated


# --- parity ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(FIXTURES))
def test_decode_matches_pyav(key):
    path, rate, ch, frames, fmt, sub = FIXTURES[key]
    ref, stated = _pyav(path)
    y, sr = mlxdsp.load(path, layout="channels_last")
    assert y.dtype == mx.float32 and y.shape == ref.shape and sr == rate
    assert y.shape[1] == ch
    if frames is not None:
        assert y.shape[0] == frames  # priming and end padding removed
    y = _np(y)
    if sub == "ALAC":  # lossless: bit-identical
        np.testing.assert_array_equal(y, ref)
    else:  # FFmpeg 5.1 vs PyAV's FFmpeg: float rounding differences only
        assert np.abs(y - ref).max() <= 2e-6
        assert rel_err(y, ref) <= 1e-5
    meta = mlxdsp.info(path)
    assert meta == (y.shape[0], rate, ch, y.shape[0] / rate, fmt, sub)
    if stated is not None:
        assert meta.frames == stated


@pytest.mark.parametrize("key,dtype,bits", [("alac16", np.int16, 15), ("alac24", np.int32, 23)])
def test_alac_equals_source_pcm(key, dtype, bits):
    src = np.load(DATA / f"{key}.npy")
    assert src.dtype == dtype
    y, _ = mlxdsp.load(FIXTURES[key][0])
    np.testing.assert_array_equal(_np(y), (src / 2.0**bits).astype(np.float32))


# --- partial reads, stream, batch ---------------------------------------------------------------


@pytest.mark.parametrize("key", ["aac_tone", "alac16", "alac24", "opus_webm", "adts"])
def test_partial_reads_equal_slice_of_full_decode(key):
    """Bit-identical to the slice of a full decode, except after a real AAC seek: FFmpeg's AAC decoder
    draws noise-substituted (PNS) bands from a generator whose state persists across frames, so
    those bands differ (measured on this tonal file: max 1e-5 in its body, up to 8e-3 in the last
    two frames, where the abrupt end is coded as noise). Never a shift (test below)."""
    path = FIXTURES[key][0]
    full, rate = mlxdsp.load(path, layout="channels_last")
    full = _np(full)
    n_total = full.shape[0]
    # Inside the first frames, across AAC (1024) / ALAC (4096) frame edges, past the pre-roll
    # (real seeks), and at the end.
    starts = [0, 1, 1023, 1024, 1025, 4095, 4096, 4097, 5000, 8193, 20000, 33333, 70000, 100000]
    for start in [s for s in starts if s < n_total] + [n_total - 300, n_total - 1]:
        for n in (1, 300, 2500):
            part, _ = mlxdsp.load(
                path, offset=start / rate, duration=n / rate, layout="channels_last"
            )
            part, ref = _np(part), full[start : start + n]
            assert part.shape == ref.shape, f"{start}+{n}"
            if key in ("aac_tone", "adts"):  # PNS bands: noise of the band's energy (full scale 1)
                assert np.abs(part - ref).max() <= 1e-2, f"{start}+{n}"
            else:
                np.testing.assert_array_equal(part, ref, err_msg=f"{start}+{n}")
    assert mlxdsp.load(path, offset=n_total / rate + 1.0)[0].shape == (full.shape[1], 0)


def test_partial_reads_with_noise_substitution():
    """AAC PNS fills noisy bands with a pseudo-random generator whose state persists across frames:
    after a seek it differs from a full decode there. Tonal parts and timing are identical; the
    difference is noise of the coded band energy, never a shift."""
    path = FIXTURES["aac_noise"][0]
    full = _np(mlxdsp.load(path, layout="channels_last")[0])
    for start in (100, 5000):  # within the pre-roll: decoded from the start, bit-identical
        part = _np(
            mlxdsp.load(path, offset=start / 44100, duration=0.05, layout="channels_last")[0]
        )
        np.testing.assert_array_equal(part, full[start : start + part.shape[0]])
    start = 40000  # a real seek
    part = _np(mlxdsp.load(path, offset=start / 44100, duration=0.2, layout="channels_last")[0])
    ref = full[start : start + part.shape[0]]
    assert part.shape == ref.shape
    aligned = rel_err(part, ref)
    shifted = min(rel_err(part, full[start + d : start + d + part.shape[0]]) for d in (-1024, 1024))
    assert aligned < 0.2 < shifted


@pytest.mark.parametrize(
    "key,opts",
    [
        ("aac_tone", {"chunk_frames": 4096}),
        ("aac_tone", {"sr": 16000, "mono": True, "chunk_frames": 1000, "offset": 1.2}),
        ("alac24", {"chunk_duration": 0.01, "dtype": "float16", "layout": "channels_last"}),
        ("opus_webm", {"sr": 22050, "chunk_frames": 777, "duration": 0.6}),
    ],
)
def test_stream_concatenates_to_load(key, opts):
    path = FIXTURES[key][0]
    chunk_opts = {k: opts.pop(k) for k in ("chunk_frames", "chunk_duration") if k in opts}
    full, _ = mlxdsp.load(path, **opts)
    chunks = list(mlxdsp.stream(path, **chunk_opts, **opts))
    axis = 0 if opts.get("layout") == "channels_last" else 1
    assert len(chunks) > 1 and chunks[0].dtype == full.dtype
    np.testing.assert_array_equal(_np(mx.concatenate(chunks, axis=axis)), _np(full))


def test_batch_load_threads_equal_sequential():
    paths = [str(v[0]) for v in FIXTURES.values()] * 2
    seq = [mlxdsp.load(p, sr=16000, mono=True) for p in paths]
    par = mlxdsp.batch_load(paths, num_workers=4, sr=16000, mono=True)
    for (a, ra), (b, rb) in zip(par, seq, strict=True):
        assert ra == rb == 16000
        np.testing.assert_array_equal(_np(a), _np(b))


def test_resample_matches_python_soxr():
    soxr = pytest.importorskip("soxr")
    path = FIXTURES["aac_tone"][0]
    full = _np(mlxdsp.load(path, layout="channels_last")[0])
    y, rate = mlxdsp.load(path, sr=16000, layout="channels_last")
    ref = soxr.resample(full, 44100, 16000, quality="hq")
    assert rate == 16000 and y.shape == ref.shape
    assert np.abs(_np(y) - ref).max() <= 1e-6


def test_mono_dtype_layout():
    path = FIXTURES["alac16"][0]
    ref = _np(mlxdsp.load(path, layout="channels_last")[0])
    y, _ = mlxdsp.load(path, mono=True)
    assert y.shape == (1, ref.shape[0]) and y.dtype == mx.float32
    np.testing.assert_array_equal(_np(y)[0], np.mean(ref, axis=1))
    h, _ = mlxdsp.load(path, dtype="float16")
    assert h.dtype == mx.float16 and h.shape == (2, ref.shape[0])
    np.testing.assert_array_equal(_np(h), ref.T.astype(np.float16))


# --- save ------------------------------------------------------------------------------------------


def _pcm(n, ch, bits, seed=0):
    rng = np.random.default_rng(seed)
    lim = 2 ** (bits - 1)
    return (rng.integers(-lim, lim, (ch, n)) / lim).astype(np.float32)


@pytest.mark.parametrize(
    "name,encoding,bits,ch,rate",
    [
        ("a.m4a", "alac16", 16, 2, 44100),
        ("b.M4A", "alac24", 24, 1, 96000),
        ("c.mp4", "alac16", 16, 3, 8000),
    ],
)
def test_alac_round_trip_is_exact(tmp_path, name, encoding, bits, ch, rate):
    x = _pcm(10001, ch, bits)  # full-scale integers, not a multiple of the ALAC frame (4096)
    x[0, :3] = [-1.0, 1.0 - 2.0 ** (1 - bits), 0.0]
    p = tmp_path / name
    mlxdsp.save(p, mx.array(x), rate, encoding=encoding)
    assert mlxdsp.info(p) == (10001, rate, ch, 10001 / rate, "M4A", "ALAC")
    y, r = mlxdsp.load(p)
    assert r == rate and y.shape == x.shape
    np.testing.assert_array_equal(_np(y), x)
    ref, _ = _pyav(p)  # an independent decoder reads the same samples
    np.testing.assert_array_equal(ref.T, x)
    assert os.listdir(tmp_path) == [name]  # no temporary file left


def test_save_aac(tmp_path):
    rate = 44100
    t = np.arange(2 * rate) / rate
    x = np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 1000 * t)])
    x = x.astype(np.float32)
    sizes = {}
    for kbps in (64, 192):
        p = tmp_path / f"{kbps}.m4a"
        mlxdsp.save(p, x, rate, bitrate=kbps)
        sizes[kbps] = p.stat().st_size
        meta = mlxdsp.info(p)
        assert meta == (x.shape[1], rate, 2, 2.0, "M4A", "AAC")  # priming/padding trimmed
        y = _np(mlxdsp.load(p)[0])
        ref, stated = _pyav(p)  # PyAV trims by the same edit list
        assert stated == x.shape[1] and np.abs(y - ref.T).max() <= 2e-6
        snr = 10 * np.log10(np.sum(x * x) / np.sum((y - x) ** 2))
        assert snr > (25 if kbps == 192 else 10), f"{kbps} kbit/s: SNR {snr:.1f} dB"
    for kbps, size in sizes.items():
        assert size == pytest.approx(kbps * 1000 / 8 * 2, rel=0.25)
    adts = tmp_path / "x.aac"
    mlxdsp.save(adts, x[:1], rate, bitrate=48)
    meta = mlxdsp.info(adts)
    # ADTS states no length and no priming: the decode includes the encoder's 1024 priming samples
    # and pads to whole frames.
    assert (meta.format, meta.subtype, meta.channels) == ("AAC", "AAC", 1)
    assert meta.frames == 1024 * -(-(x.shape[1] + 1024) // 1024)


def test_save_is_atomic_on_error(tmp_path):
    dest = tmp_path / "keep.m4a"
    dest.write_bytes(b"original")
    with pytest.raises(AudioFileError, match=r"cannot write \.m4a aac at 1000 Hz"):
        mlxdsp.save(dest, np.zeros((2, 100), np.float32), 1000)  # AAC has no 1 kHz mode
    assert dest.read_bytes() == b"original"
    assert os.listdir(tmp_path) == ["keep.m4a"]


@pytest.mark.parametrize(
    "kwargs,pattern",
    [
        (
            {"encoding": "pcm16"},
            r"\[save\] encoding='pcm16' must be one of 'aac', 'alac16', 'alac24' for \.m4a",
        ),
        ({"quality": 0.5}, r"\[save\] quality=0.5 is not supported for 'aac'; give bitrate="),
        ({"bitrate": 8}, r"\[save\] bitrate=8 must be in 16..512 kbit/s"),
        (
            {"bitrate": 128, "encoding": "alac16"},
            r"\[save\] bitrate=128 applies to lossy encodings only, not 'alac16'",
        ),
        (
            {"encoding": "alac24", "clip": False},
            r"\[save\] clip=False is not supported for 'alac24'",
        ),
    ],
)
def test_bad_save_options(tmp_path, kwargs, pattern):
    with pytest.raises(ParameterError, match=pattern):
        mlxdsp.save(tmp_path / "a.m4a", np.zeros((2, 100), np.float32), 44100, **kwargs)
    assert os.listdir(tmp_path) == []


# --- errors, routing ------------------------------------------------------------------------------


def _faststart_alac(tmp_path):
    """An ALAC M4A with the index (moov) before the data, as mlxdsp.save writes it."""
    x = _pcm(30000, 2, 16, seed=5)
    p = tmp_path / "src.m4a"
    mlxdsp.save(p, x, 44100, encoding="alac16")
    return p, x


def test_truncated_m4a(tmp_path, capfd):
    src, x = _faststart_alac(tmp_path)
    data = src.read_bytes()
    cut = tmp_path / "cut.m4a"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    with pytest.raises(AudioFileError, match="truncated or corrupt") as exc:
        mlxdsp.load(cut)
    decoded = exc.value.frames_decoded
    assert decoded is not None and 0 < decoded < x.shape[1] and str(cut) in str(exc.value)
    with pytest.warns(RuntimeWarning, match="truncated or corrupt"):
        y, _ = mlxdsp.load(cut, strict=False)
    assert y.shape == (2, decoded)  # the prefix, never zero padding
    np.testing.assert_array_equal(_np(y), x[:, :decoded])
    with pytest.raises(AudioFileError, match="truncated or corrupt"):
        list(mlxdsp.stream(cut, chunk_frames=4096))
    # Cut before the index: nothing decodable at all.
    head = tmp_path / "head.m4a"
    head.write_bytes(data[:200])
    with pytest.raises(
        AudioFileError, match="truncated or corrupt MP4/M4A stream: decoded 0"
    ) as exc:
        mlxdsp.info(head)
    assert exc.value.frames_decoded == 0
    assert capfd.readouterr().err == ""  # FFmpeg's logging is off: errors travel in the exceptions


@pytest.mark.parametrize(
    "content,pattern",
    [
        (
            b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + b"\x00" * 64,
            "truncated or corrupt MP4/M4A",
        ),
        (b"\x1aE\xdf\xa3" + bytes(range(200)), "truncated or corrupt Matroska/WebM"),
        (b"hello world, not audio" * 20, "cannot decode .*found 440 bytes of text"),
        (bytes(range(256)) * 4, "cannot decode .*unrecognised data starting 00 01 02"),
    ],
)
def test_garbage_names_the_path(tmp_path, content, pattern):
    p = tmp_path / "ß ünïcödé ♫.m4a"
    p.write_bytes(content)
    for call in (mlxdsp.load, mlxdsp.info, mlxdsp.stream):
        with pytest.raises(AudioFileError, match=pattern) as exc:
            call(p)
        assert exc.value.path == str(p) and str(p) in str(exc.value)


def test_content_decides_and_non_ascii_paths(tmp_path):
    odd = tmp_path / "Müsik — ♫ 音.wav"  # M4A content behind a .wav name
    shutil.copyfile(FIXTURES["alac16"][0], odd)
    assert mlxdsp.info(odd).format == "M4A"
    np.testing.assert_array_equal(
        _np(mlxdsp.load(odd)[0]), _np(mlxdsp.load(FIXTURES["alac16"][0])[0])
    )
    out = tmp_path / "ausgabe ü.m4a"
    mlxdsp.save(out, mlxdsp.load(odd)[0], 44100, encoding="alac16")
    np.testing.assert_array_equal(_np(mlxdsp.load(out)[0]), _np(mlxdsp.load(odd)[0]))


def test_without_libav_says_how_to_enable(monkeypatch, tmp_path):
    monkeypatch.setattr(_io_libav, "_libav", None)
    path = FIXTURES["aac_tone"][0]
    for call in (mlxdsp.load, mlxdsp.info, mlxdsp.stream):
        with pytest.raises(
            AudioFileError, match=r"found MP4/M4A; .*libavformat-dev.*-Dlibav=enabled"
        ):
            call(path)
    with pytest.raises(AudioFileError, match=r"writing \.m4a needs libav.*-Dlibav=enabled"):
        mlxdsp.save(tmp_path / "a.m4a", np.zeros((1, 10), np.float32), 8000)


def test_threads_decode_and_encode_concurrently(tmp_path):
    paths = [str(v[0]) for v in FIXTURES.values()]
    expected = [_np(mlxdsp.load(p)[0]) for p in paths]
    errors = []
    barrier = threading.Barrier(len(paths))

    def work(i):
        try:
            barrier.wait()
            for rep in range(2):
                y, rate = mlxdsp.load(paths[i])
                np.testing.assert_array_equal(_np(y), expected[i])
                out = str(tmp_path / f"o{i}-{rep}.m4a")
                mlxdsp.save(out, y, rate, encoding="alac24")
                np.testing.assert_array_equal(_np(mlxdsp.load(out)[0]).shape, expected[i].shape)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append((i, repr(err)))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(paths))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


@pytest.mark.parametrize(
    "container,codec,sample_fmt,fmt,sub",
    [
        ("ac3", "ac3", "fltp", "AC3", "AC3"),
        ("asf", "wmav2", "fltp", "ASF", "WMAV2"),
        ("matroska", "flac", "s16", "MATROSKA", "FLAC"),
    ],
)
def test_other_containers_go_to_libav(tmp_path, container, codec, sample_fmt, fmt, sub):
    """Raw AC-3 (no magic mlxdsp knows: libsndfile refuses it, then libavformat recognises it), WMA
    (sniffed as ASF) and FLAC in Matroska (packed int16 from the decoder), written by PyAV; decoded
    like PyAV, partial reads exact."""
    av = pytest.importorskip("av")
    p = tmp_path / "x.bin"
    t = np.arange(48000) / 48000
    x = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 660 * t)])
    x = x.astype(np.float32)
    with av.open(str(p), "w", format=container) as out:
        st = out.add_stream(codec, rate=48000, layout="stereo")
        st.codec_context.format, st.bit_rate = sample_fmt, 128000
        st.codec_context.open()
        size = st.codec_context.frame_size or 4608
        for i in range(0, x.shape[1] - size + 1, size):
            blk = x[:, i : i + size]
            if sample_fmt == "s16":  # packed: one interleaved row
                blk = np.round(blk.T * 32767).astype(np.int16).reshape(1, -1)
            fr = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(blk), format=sample_fmt, layout="stereo"
            )
            fr.sample_rate, fr.pts = 48000, i
            for pkt in st.encode(fr):
                out.mux(pkt)
        for pkt in st.encode(None):
            out.mux(pkt)
    with pytest.raises(AudioFileError):
        _io._sndfile.open_read(os.fsencode(p), str(p))
    meta = mlxdsp.info(p)
    assert (meta.format, meta.subtype, meta.sample_rate, meta.channels) == (fmt, sub, 48000, 2)
    y = _np(mlxdsp.load(p, layout="channels_last")[0])
    ref, _ = _pyav(p)
    assert y.shape == ref.shape == (meta.frames, 2)
    if sub == "FLAC":
        np.testing.assert_array_equal(y, ref)
    assert rel_err(y, ref) <= 1e-5
    for start in (0, 5000, 30000):
        part = _np(mlxdsp.load(p, offset=start / 48000, duration=0.1, layout="channels_last")[0])
        np.testing.assert_array_equal(part, y[start : start + 4800])


# --- Ogg Opus: libsndfile's handle, reads from the start through libavcodec's "libopus" ---------------


@pytest.fixture(scope="module")
def ogg_opus(tmp_path_factory):
    sf = pytest.importorskip("soundfile")
    if not _io_libav._libav.has_decoder("libopus"):
        pytest.skip("this libavcodec has no libopus decoder")
    rng = np.random.default_rng(3)
    t = np.arange(3 * 48000) / 48000
    x = 0.3 * np.sin(2 * np.pi * 330 * t)[:, None] + 0.05 * rng.standard_normal((t.size, 2))
    path = tmp_path_factory.mktemp("opus") / "three_s.opus"
    sf.write(path, x.astype(np.float32), 48000, format="OGG", subtype="OPUS")
    return str(path), sf.read(path, dtype="float32", always_2d=True)[0]


def test_ogg_opus_reads_through_libopus_bit_identical_to_soundfile(ogg_opus):
    path, ref = ogg_opus
    f, raw, name, _ = _io._open_read("load", path)
    with f:
        assert isinstance(f, _io_libav.OggLibavReader) and f.frames == ref.shape[0]
        buf = np.empty(ref.shape, np.float32)
        assert f.readf_into(buf, 0, ref.shape[0]) == ref.shape[0]
        assert f.decoder == ("libopus (direct)" if _io_ogg.available() else "libopus (libav)")
    np.testing.assert_array_equal(buf, ref)
    y, rate = mlxdsp.load(path, layout="channels_last")
    assert rate == 48000 and y.shape == ref.shape and y.dtype == mx.float32
    np.testing.assert_array_equal(_np(y), ref)
    chunks = list(mlxdsp.stream(path, chunk_frames=10000, layout="channels_last"))
    np.testing.assert_array_equal(_np(mx.concatenate(chunks, axis=0)), ref)
    # A seek hands reading to libsndfile (its seeks are the reference for partial reads).
    f, _, _, _ = _io._open_read("load", path)
    with f:
        f.seek(50000)
        assert f.decoder == "libsndfile"
        part = np.empty((1000, 2), np.float32)
        assert f.readf_into(part, 0, 1000) == 1000
    np.testing.assert_array_equal(part, ref[50000:51000])


class _LibavEndsAfter:
    """A libav decoder that decodes ``left`` frames, then ends: with an error like a damaged packet's
    when ``failing`` is the file's path, else quietly (a short read)."""

    def __init__(self, dec, left, failing=None):
        self._d, self._left, self._failing = dec, left, failing

    def __getattr__(self, key):
        return getattr(self._d, key)

    def readf_into(self, buf, start, frames):
        got = self._d.readf_into(buf, start, min(frames, self._left))
        self._left -= got
        if self._failing is not None and got < frames:
            raise AudioFileError("libav: decoding: Invalid data", self._failing, frames_decoded=got)
        return got


def _libav_ending_after(left, failing=None):
    """A stand-in for the ``_libav`` extension whose decoders are :class:`_LibavEndsAfter`."""
    real = _io_libav._libav

    class Shim:
        has_decoder = staticmethod(real.has_decoder)

        @staticmethod
        def open_read(raw, name, decoder=None):
            return _LibavEndsAfter(real.open_read(raw, name, decoder), left, failing)

    return Shim


def test_ogg_opus_libsndfile_takes_over_where_libav_stops(monkeypatch, ogg_opus):
    path, ref = ogg_opus
    # libav decodes 30000 frames, then fails like a damaged packet (the direct reader, which would
    # take this file before libav, is switched off)
    monkeypatch.setattr(_io_ogg, "_oggread", None)
    monkeypatch.setattr(_io_libav, "_libav", _libav_ending_after(30000, failing=path))
    y, _ = mlxdsp.load(path, layout="channels_last")
    assert y.shape == ref.shape
    np.testing.assert_array_equal(_np(y), ref)


def test_ogg_opus_failure_after_the_takeover_counts_libavs_frames(monkeypatch, ogg_opus):
    path, ref = ogg_opus

    class Damaged:  # libsndfile decodes 5000 more frames, then fails
        def __init__(self, f):
            self._f = f

        def __getattr__(self, key):
            return getattr(self._f, key)

        def readf_into(self, buf, start, frames):
            got = self._f.readf_into(buf, start, min(frames, 5000))
            raise AudioFileError("decoding failed after 5000 frames", path, frames_decoded=got)

    # libav ends early (without an error) after 30000 frames
    monkeypatch.setattr(_io_libav, "_libav", _libav_ending_after(30000))
    raw = str(path).encode()
    reader = _io_libav.OggLibavReader(
        Damaged(_io._sndfile.open_read(raw, str(path))), raw, str(path)
    )
    buf = np.empty(ref.shape, np.float32)
    with reader, pytest.raises(AudioFileError) as exc:
        reader.readf_into(buf, 0, ref.shape[0])
    assert exc.value.frames_decoded == 35000
    np.testing.assert_array_equal(buf[:35000], ref[:35000])


def test_ogg_decoder_ffmpeg_opt_in(monkeypatch, tmp_path, ogg_opus):
    """MLXDSP_OGG_DECODER=ffmpeg: FFmpeg's own Opus/Vorbis decoders for reads from the start (within
    1e-6 of soundfile, not bit-identical); seeks stay libsndfile's; unset, Vorbis stays libsndfile's."""
    sf = pytest.importorskip("soundfile")
    vorbis = tmp_path / "v.ogg"
    x = np.random.default_rng(5).uniform(-0.5, 0.5, (30000, 2)).astype(np.float32)
    sf.write(vorbis, x, 44100, format="OGG", subtype="VORBIS")
    vref = sf.read(vorbis, dtype="float32", always_2d=True)[0]
    f, _, _, _ = _io._open_read("load", str(vorbis))
    with f:
        assert not isinstance(f, _io_libav.OggLibavReader)  # the default: libsndfile decodes Vorbis
    monkeypatch.setenv("MLXDSP_OGG_DECODER", "ffmpeg")
    for path, ref, codec in ((ogg_opus[0], ogg_opus[1], "opus"), (str(vorbis), vref, "vorbis")):
        if not _io_libav._libav.has_decoder(codec):
            continue
        f, _, _, _ = _io._open_read("load", path)
        with f:
            buf = np.empty(ref.shape, np.float32)
            assert f.readf_into(buf, 0, ref.shape[0]) == ref.shape[0]
            assert f.decoder == f"{codec} (libav)"
        y, _ = mlxdsp.load(path, layout="channels_last")
        assert y.shape == ref.shape and y.dtype == mx.float32
        assert np.abs(_np(y) - ref).max() <= 1e-6
        part, _ = mlxdsp.load(path, offset=0.5, duration=0.1, layout="channels_last")
        rate = sf.info(path).samplerate
        exp = sf.read(path, start=rate // 2, frames=rate // 10, dtype="float32", always_2d=True)[0]
        assert np.abs(_np(part) - exp).max() <= 2e-7  # libsndfile's seek (Vorbis: its -ffast-math)
    monkeypatch.setenv("MLXDSP_OGG_DECODER", "fast")
    with pytest.raises(
        ParameterError,
        match=r"\[load\] MLXDSP_OGG_DECODER='fast' must be one of 'reference', 'ffmpeg'",
    ):
        mlxdsp.load(ogg_opus[0])
