"""The optional FFmpeg (libav*) backend of :mod:`mlxdsp._io`: M4A/AAC/ALAC and whatever else
libavformat opens (Matroska/WebM, ASF/WMA, ADTS AAC, ...), decoded to float32 through libswresample.

``LibavFile`` gives a decoder the interface ``_io`` uses for libsndfile handles (``frames``,
``samplerate``, ``channels``, ``seek``, ``readf_into``, ``close``), so load/stream/batch_load/sr= share
one code path. Sample positions are those of a full decode: encoder priming is removed by libavcodec
(edit list / ``initial_padding`` -> skip-samples side data) and end padding by the container's stated
length (``frames``).
"""

from __future__ import annotations

try:
    from ._ext import _libav
except ImportError:  # built without the FFmpeg development files (or -Dlibav=disabled)
    _libav = None

UNKNOWN_FRAMES = (1 << 63) - 1  # as SF_COUNT_MAX in _io: length not stated by the container

# libavformat demuxer name -> format name reported by info()
_FORMATS = {
    "mov,mp4,m4a,3gp,3g2,mj2": "M4A",
    "matroska,webm": "MATROSKA",
    "aac": "AAC",
    "asf": "ASF",
    "wv": "WAVPACK",
    "ape": "APE",
    "amr": "AMR",
    "ogg": "OGG",
    "mp3": "MP3",
    "flac": "FLAC",
    "wav": "WAV",
}
# libavcodec codec name -> subtype reported by info() (soundfile's names where it has one)
_SUBTYPES = {"mp3": "MPEG_LAYER_III", "mp2": "MPEG_LAYER_II", "mp1": "MPEG_LAYER_I"}

# save: extension -> (libavformat muxer, {encoding: (codec, bits)}, default encoding)
_M4A = {"aac": ("aac", 0), "alac16": ("alac", 16), "alac24": ("alac", 24)}
SAVE_FORMATS: dict[str, tuple[str, dict[str, tuple[str, int]], str]] = {
    ".m4a": ("ipod", _M4A, "aac"),
    ".m4b": ("ipod", _M4A, "aac"),
    ".mp4": ("mp4", _M4A, "aac"),
    ".aac": ("adts", {"aac": ("aac", 0)}, "aac"),
}
DEFAULT_AAC_KBPS = 128


def available() -> bool:
    return _libav is not None


class LibavFile:
    """A decoder with the libsndfile handle's reading interface (see module docstring)."""

    def __init__(self, dec):
        self._d = dec
        self.samplerate = dec.samplerate
        self.channels = dec.channels
        self.frames = dec.frames_declared if dec.frames_declared >= 0 else UNKNOWN_FRAMES
        self.path = dec.path
        self.probe_score = dec.probe_score  # 100: certain; <= 25: guessed from too little data

    @property
    def names(self) -> tuple[str, str]:
        """``(format, subtype)``, e.g. ``("M4A", "AAC")``."""
        demuxer, codec = self._d.container, self._d.codec
        fmt = _FORMATS.get(demuxer, demuxer.split(",")[0].upper())
        return fmt, _SUBTYPES.get(codec, codec.upper())

    def seek(self, frame: int) -> int:
        return self._d.seek(frame)

    def readf_into(self, buf, start: int, frames: int) -> int:
        return self._d.readf_into(buf, start, frames)

    def count_frames(self) -> int:
        """Decode to the end and count (for containers that do not state their length)."""
        return self._d.count_frames()

    def close(self) -> None:
        self._d.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_read(raw: bytes, name: str) -> LibavFile:
    """Open with libavformat (content-probed). Raises ``AudioFileError`` (message from libav)."""
    return LibavFile(_libav.open_read(raw, name))


def open_write(tmp: bytes, name: str, ext: str, encoding: str, sr: int, channels: int, kbps: int):
    """An encoder writing ``tmp`` in the container of ``ext``; ``write`` blocks, then ``close``."""
    muxer, encodings, _ = SAVE_FORMATS[ext]
    codec, bits = encodings[encoding]
    return _libav.open_write(
        tmp,
        name,
        muxer,
        codec,
        sr,
        channels,
        bitrate=kbps * 1000 if codec == "aac" else 0,
        bits=bits or 16,
        faststart=muxer != "adts",
    )
