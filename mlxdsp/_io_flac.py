"""FLAC decoding through libFLAC directly (``mlxdsp._ext._flacread``) instead of libsndfile's FLAC path.

Same samples bit for bit (libFLAC decodes both; the int -> float32 scale is libsndfile's), without
libsndfile's intermediate buffer, and with seeks that locate the target frame from frame headers
instead of libFLAC's bisection that decodes a frame at every probe. Used for native FLAC files with
8, 16 or 24 bits per sample and a stated length; anything else (Ogg FLAC, other sample sizes, a
file libFLAC refuses) stays with libsndfile.
"""

from __future__ import annotations

import os

try:
    from ._ext import _flacread
except ImportError:  # built without libFLAC's development files
    _flacread = None

__all__ = ["FlacFile", "available", "open_read", "reader"]

DISABLE_ENV = "MLXDSP_FLAC_DECODER"  # "libsndfile": decode FLAC through libsndfile as before
_SF_FLAC = 0x170000
_SUBTYPES = frozenset({0x0001, 0x0002, 0x0003})  # PCM_S8, PCM_16, PCM_24
_UNKNOWN_FRAMES = (1 << 63) - 1

FlacFile = _flacread.FlacFile if _flacread is not None else type("FlacFile", (), {})


def available() -> bool:
    return _flacread is not None


def open_read(raw: bytes, name: str):
    """A fresh libFLAC handle of the file (for the parts of a split decode)."""
    return _flacread.open_read(raw, name)


def reader(f, raw: bytes, name: str):
    """For a libsndfile handle ``f`` of a native FLAC file this reader takes: a libFLAC handle of
    the same file (``f`` closed), else ``f`` itself."""
    if (
        _flacread is None
        or f.format & 0x0FFF0000 != _SF_FLAC
        or f.format & 0xFFFF not in _SUBTYPES
        or f.frames == _UNKNOWN_FRAMES
        or os.environ.get(DISABLE_ENV) == "libsndfile"
    ):
        return f
    try:
        g = _flacread.open_read(raw, name)
    except Exception:  # noqa: BLE001 - libsndfile reads what libFLAC's stream decoder does not take
        return f
    if (g.frames, g.samplerate, g.channels, g.format) != (
        f.frames,
        f.samplerate,
        f.channels,
        f.format,
    ):
        g.close()
        return f
    f.close()
    return g
