"""FLAC save in parts (mlxdsp/_io_flac_save.py): byte-identical to libsndfile's one-pass encode.

References: libsndfile itself (the ``libsndfile.so.1`` this process loaded, driven through ctypes:
``sf_open`` + ``SFC_SET_CLIPPING`` + ``sf_writef_float``, i.e. what ``soundfile.write`` does), and
``soundfile.write`` in a fresh process that imports soundfile first (then both use soundfile's bundled
libsndfile); decoding by soundfile (libFLAC) and PyAV (FFmpeg's FLAC decoder); the STREAMINFO MD5
recomputed from the decoded samples.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

import mlxdsp
from mlxdsp import AudioFileError, _io_flac_save

pytestmark = pytest.mark.skipif(_io_flac_save._flacsave is None, reason="built without libFLAC")

SR = 44100
BLOCK = 4096
MIN_FRAMES_STEREO = _io_flac_save.MIN_SAMPLES // 2


class _SFInfo(ctypes.Structure):
    _fields_ = [
        ("frames", ctypes.c_int64),
        ("samplerate", ctypes.c_int),
        ("channels", ctypes.c_int),
        ("format", ctypes.c_int),
        ("sections", ctypes.c_int),
        ("seekable", ctypes.c_int),
    ]


def _libsndfile_flac(path, x: np.ndarray, subtype: int, clip: bool) -> bytes:
    """libsndfile's one-pass FLAC encode of x [frames, channels] float32 (the same library mlxdsp uses:
    dlopen by soname returns the loaded one)."""
    lib = ctypes.CDLL("libsndfile.so.1")
    lib.sf_open.restype = ctypes.c_void_p
    lib.sf_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(_SFInfo)]
    lib.sf_command.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
    lib.sf_writef_float.restype = ctypes.c_int64
    lib.sf_writef_float.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    lib.sf_close.argtypes = [ctypes.c_void_p]
    x = np.ascontiguousarray(x, np.float32)
    info = _SFInfo(0, SR, x.shape[1], 0x170000 | subtype, 0, 0)
    h = lib.sf_open(os.fsencode(path), 0x20, ctypes.byref(info))  # SFM_WRITE
    assert h, "libsndfile refused the reference file"
    lib.sf_command(h, 0x10C0, None, int(clip))  # SFC_SET_CLIPPING
    assert lib.sf_writef_float(h, x.ctypes.data, x.shape[0]) == x.shape[0]
    assert lib.sf_close(h) == 0
    with open(path, "rb") as fp:
        return fp.read()


def _signal(frames, channels, seed=0, scale=1.0):
    """Music-like: a few tones plus noise, on the 16-bit grid (exact round trips at pcm16)."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / SR
    tones = sum(0.2 * np.sin(2 * np.pi * f * t + k) for k, f in enumerate((220.0, 331.0, 1234.5)))
    x = tones[:, None] + 0.05 * rng.standard_normal((frames, channels))
    x = np.round(np.clip(x * scale, -2.0, 2.0) * 32768) / 32768
    return x.astype(np.float32)


@pytest.fixture
def spy(monkeypatch):
    """Records whether each save took the parts path."""
    taken: list[bool] = []
    real = _io_flac_save.save

    def wrapped(*args, **kwargs):
        taken.append(real(*args, **kwargs))
        return taken[-1]

    monkeypatch.setattr(_io_flac_save, "save", wrapped)
    monkeypatch.delenv("MLXDSP_DECODE_THREADS", raising=False)
    monkeypatch.setattr(mlxdsp._io, "_cores", lambda: 2)
    return taken


def _streaminfo_md5(data: bytes) -> bytes:
    assert data[:4] == b"fLaC" and data[4] & 0x7F == 0
    return data[26:42]


@pytest.mark.parametrize(
    "frames,channels,encoding,scale,clip",
    [
        (
            MIN_FRAMES_STEREO + 1,
            2,
            "pcm16",
            1.0,
            True,
        ),  # just above the threshold, not whole blocks
        (BLOCK * 200, 1, "pcm16", 1.0, True),  # whole blocks; frame numbers past 127 (2-byte UTF-8)
        (BLOCK * 40 + 77, 6, "pcm16", 1.0, True),
        (300001, 2, "pcm24", 1.0, True),
        (BLOCK * 30 + 4095, 6, "pcm24", 1.0, True),
        (400000, 2, "pcm16", 1.6, True),  # out of range, clamped (libsndfile's clipping)
        (400000, 2, "pcm24", 1.6, True),
        (400000, 2, "pcm16", 0.9, False),  # in range without clipping: the 32767 scale
        (400000, 2, "pcm24", 0.9, False),
    ],
)
def test_parts_equal_libsndfile_one_pass(tmp_path, spy, frames, channels, encoding, scale, clip):
    x = _signal(frames, channels, seed=frames, scale=scale)
    ours = tmp_path / "ours.flac"
    mlxdsp.save(ours, x, SR, layout="channels_last", encoding=encoding, clip=clip)
    assert spy == [True]
    ref = _libsndfile_flac(tmp_path / "ref.flac", x, {"pcm16": 2, "pcm24": 3}[encoding], clip)
    data = ours.read_bytes()
    assert len(data) == len(ref) and data == ref
    assert sorted(os.listdir(tmp_path)) == ["ours.flac", "ref.flac"]  # no temp file left


def test_channels_first_strided_input(tmp_path, spy):
    x = _signal(MIN_FRAMES_STEREO + 5000, 2, seed=1)
    mlxdsp.save(
        tmp_path / "a.flac", mlxdsp._io.mx.array(x.T), SR
    )  # [channels, frames]: a transposed view
    assert spy == [True]
    assert (tmp_path / "a.flac").read_bytes() == _libsndfile_flac(tmp_path / "r.flac", x, 2, True)


@pytest.mark.parametrize(
    "frames,threads",
    [(MIN_FRAMES_STEREO - 1, None), (400000, "1")],  # below the threshold; one thread
)
def test_declines_to_one_pass(tmp_path, spy, monkeypatch, frames, threads):
    if threads:
        monkeypatch.setenv("MLXDSP_DECODE_THREADS", threads)
    x = _signal(frames, 2, seed=2)
    ours = tmp_path / "ours.flac"
    mlxdsp.save(ours, x, SR, layout="channels_last")
    assert spy == [False]
    assert ours.read_bytes() == _libsndfile_flac(tmp_path / "ref.flac", x, 2, True)


@pytest.mark.parametrize("scale,clip,nan", [(1.5, False, False), (1.0, True, True)])
def test_samples_that_do_not_fit_go_to_one_pass(tmp_path, spy, scale, clip, nan):
    """Out of range without clipping, or NaN: libFLAC 1.4 refuses samples outside the bit depth, and
    the one-pass path reports it; the parts path declines rather than encode something else."""
    x = _signal(400000, 2, seed=3, scale=scale)
    if nan:
        x[200000, 1] = np.nan
    with pytest.raises(AudioFileError, match="wrote .* of .* frames"):
        mlxdsp.save(tmp_path / "ours.flac", x, SR, layout="channels_last", clip=clip)
    assert spy == [False]
    assert os.listdir(tmp_path) == []
    with pytest.raises(AssertionError):  # libsndfile's own one-pass write fails the same way
        _libsndfile_flac(tmp_path / "ref.flac", x, 2, clip)


def test_decodes_to_input_md5_checked(tmp_path, spy):
    av = pytest.importorskip("av")
    x = _signal(BLOCK * 150 + 1000, 2, seed=5)
    p = tmp_path / "a.flac"
    mlxdsp.save(p, x, SR, layout="channels_last")
    assert spy == [True]
    want = np.round(x * 32768).astype(np.int16)
    got, rate = sf.read(p, dtype="int16")
    assert rate == SR
    np.testing.assert_array_equal(got, want)
    with av.open(str(p)) as container:
        frames = [f.to_ndarray() for f in container.decode(audio=0)]
    pcm = np.concatenate(frames, axis=-1)  # s16 planar [channels, n] or packed [1, n * channels]
    pcm = pcm.T if pcm.shape[0] == 2 else pcm.reshape(-1, 2)
    np.testing.assert_array_equal(pcm, want)
    data = p.read_bytes()
    assert _streaminfo_md5(data) == hashlib.md5(want.astype("<i2").tobytes()).digest()
    total = int.from_bytes(data[21:26], "big") & ((1 << 36) - 1)
    assert total == x.shape[0]


def test_byte_identical_to_soundfile_write(tmp_path):
    """In a process that imports soundfile first, mlxdsp uses soundfile's bundled libsndfile: the file
    equals soundfile.write's (the benchmark's situation)."""
    code = f"""
import numpy as np, soundfile as sf
import mlxdsp
from mlxdsp import _io_flac_save
taken = []
real = _io_flac_save.save
_io_flac_save.save = lambda *a, **k: taken.append(real(*a, **k)) or taken[-1]
rng = np.random.default_rng(7)
x = (np.round(np.clip(0.3 * rng.standard_normal((600000, 2)), -1.2, 1.2) * 32768) / 32768).astype(np.float32)
for enc, sub in (("pcm16", "PCM_16"), ("pcm24", "PCM_24")):
    mlxdsp.save({str(tmp_path)!r} + "/a.flac", x, 44100, layout="channels_last", encoding=enc)
    sf.write({str(tmp_path)!r} + "/b.flac", x, 44100, subtype=sub)
    a = open({str(tmp_path)!r} + "/a.flac", "rb").read()
    b = open({str(tmp_path)!r} + "/b.flac", "rb").read()
    assert a == b, enc
assert taken == [True, True], taken
print("ok")
"""
    env = {**os.environ, "MLXDSP_DECODE_THREADS": "2"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_write_error_leaves_destination(tmp_path, spy, monkeypatch):
    dest = tmp_path / "keep.flac"
    dest.write_bytes(b"original")

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_io_flac_save._flacsave, "write_streaminfo", full)
    with pytest.raises(
        AudioFileError, match=r"\[save\] '.*keep.flac': writing FLAC failed \(\[Errno 28\]"
    ):
        mlxdsp.save(dest, _signal(400000, 2), SR, layout="channels_last")
    assert dest.read_bytes() == b"original"
    assert os.listdir(tmp_path) == ["keep.flac"]


def test_part_bounds():
    least = _io_flac_save.MIN_PART_SAMPLES // (2 * BLOCK)
    for frames in (MIN_FRAMES_STEREO, 7938000, BLOCK * 64, BLOCK * 64 + 1, BLOCK * 2100 + 3):
        b = _io_flac_save._bounds(frames, 2, 2)
        assert len(b) >= 2 and b[0][0] == 0 and sum(n for _, n in b) == frames
        assert all(s2 == s1 + n1 for (s1, n1), (s2, _) in zip(b[:-1], b[1:], strict=True))
        assert all(n % BLOCK == 0 and n >= least * BLOCK for _, n in b[:-1]) and b[-1][1] > BLOCK
        assert [n for _, n in b[:-1]] == sorted((n for _, n in b[:-1]), reverse=True)


@pytest.mark.slow
def test_three_byte_frame_numbers(tmp_path, spy):
    """Frame numbers from 2048 on take 3 UTF-8 bytes: a part starting below and one above."""
    x = _signal(BLOCK * 2100 + 3, 1, seed=9)
    ours = tmp_path / "ours.flac"
    mlxdsp.save(ours, x, SR, layout="channels_last")
    assert spy == [True]
    assert ours.read_bytes() == _libsndfile_flac(tmp_path / "ref.flac", x, 2, True)
