"""The optional FFmpeg (libav*) backend of :mod:`mlxdsp._io`: M4A/AAC/ALAC and whatever else
libavformat opens (Matroska/WebM, ASF/WMA, ADTS AAC, ...), decoded to float32 through libswresample.

``LibavFile`` gives a decoder the interface ``_io`` uses for libsndfile handles (``frames``,
``samplerate``, ``channels``, ``seek``, ``readf_into``, ``close``), so load/stream/batch_load/sr= share
one code path. Sample positions are those of a full decode: encoder priming is removed by libavcodec
(edit list / ``initial_padding`` -> skip-samples side data) and end padding by the container's stated
length (``frames``).
"""

from __future__ import annotations

import functools
import os

from . import _io_ogg
from ._errors import AudioFileError, ParameterError

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


def open_read(raw: bytes, name: str, decoder: str | None = None) -> LibavFile:
    """Open with libavformat (content-probed). Raises ``AudioFileError`` (message from libav).

    ``decoder``: a libavcodec decoder name to use when it decodes the stream's codec.
    """
    return LibavFile(_libav.open_read(raw, name, decoder))


_SF_OGG_OPUS = 0x200000 | 0x0064  # libsndfile SF_FORMAT_OGG | SF_FORMAT_OPUS
_SF_OGG_VORBIS = 0x200000 | 0x0060
OGG_DECODER_ENV = "MLXDSP_OGG_DECODER"
# MLXDSP_OGG_DECODER -> {libsndfile format: libavcodec decoder}
_OGG_DECODERS = {
    "reference": {_SF_OGG_OPUS: "libopus"},  # bit-identical to libsndfile (the same libopus)
    "ffmpeg": {_SF_OGG_OPUS: "opus", _SF_OGG_VORBIS: "vorbis"},  # FFmpeg's own: faster, not exact
}


@functools.cache
def _has_decoder(name: str) -> bool:
    return _libav.has_decoder(name)


def fast_reader(fn: str, f, raw: bytes, name: str):
    """``f`` (a libsndfile handle), or for Ogg Opus (and, with ``MLXDSP_OGG_DECODER=ffmpeg``, Ogg
    Vorbis) an :class:`OggLibavReader` around it when libopus can be driven directly
    (:mod:`mlxdsp._io_ogg`) or libavcodec has the decoder."""
    choice = os.environ.get(OGG_DECODER_ENV, "reference")
    if choice not in _OGG_DECODERS:
        f.close()
        raise ParameterError(
            f"[{fn}] {OGG_DECODER_ENV}={choice!r} must be one of 'reference', 'ffmpeg'"
        )
    decoder = _OGG_DECODERS[choice].get(f.format)
    if decoder is None or f.channels > 2:
        # More than 2 channels: libavcodec reorders them to FFmpeg's layout (an Ogg Opus file's
        # 3 channels L C R come out L R C), libsndfile keeps the file's order.
        return f
    direct = decoder == "libopus" and _io_ogg.available() and f.samplerate == 48000
    if direct or (_libav is not None and _has_decoder(decoder)):
        return OggLibavReader(f, raw, name, decoder, direct=direct)
    return f


# A libopus decoder restarted this long before a sample reproduces the full decode's output there bit
# for bit (measured, docs/io.md: with 1 s, 0 of ~2,900 random points differed on seven files, CELT,
# SILK and hybrid; with 0.5 s, 128 did, by <= 3.9e-7; with libsndfile's own 80 ms, 2-4 %). Twice
# that, for a margin.
OPUS_EXACT_PREROLL_SECONDS = 2.0


def open_opus_part(f: OggLibavReader):
    """A fresh handle of ``f``'s Ogg Opus file for a part of a split decode: the same libopus as
    ``f``'s reads from the start (driven directly, :mod:`mlxdsp._io_ogg`, else through libav), and
    seeks that restart it :data:`OPUS_EXACT_PREROLL_SECONDS` before their target, so the samples
    are the full decode's."""
    preroll = int(OPUS_EXACT_PREROLL_SECONDS * f.samplerate)
    if f._direct:
        g = _io_ogg.open_opus(f._raw, f._name, f.frames, f.samplerate, f.channels)
        if g is not None:
            g.preroll = max(g.preroll, preroll)
            return g
    if _libav is None:
        raise AudioFileError(f"'{f._name}': no decoder for a part of the split decode", f._name)
    g = open_read(f._raw, f._name, f._want)
    d = g._d
    if (d.decoder, d.samplerate, d.channels) != (f._want, f.samplerate, f.channels):
        g.close()
        raise AudioFileError(f"'{f._name}': libav disagrees with libsndfile", f._name)
    d.preroll = max(d.preroll, preroll)
    return g


class OggLibavReader:
    """A libsndfile Ogg Opus/Vorbis handle whose reads from the first sample go through a libavcodec
    decoder instead of libsndfile's Ogg reader.

    By default (``MLXDSP_OGG_DECODER`` unset or ``reference``) only Opus, through the same libopus
    as libsndfile with the same header gain, pre-skip and end trimming, so the samples are
    bit-identical to libsndfile's: driven directly through its single-stream decoder
    (:mod:`mlxdsp._io_ogg`, ~1.8x faster per core than libsndfile on a virtual machine) where that
    reader takes the file and ``direct`` is set (:func:`fast_reader` sets it), else through
    libavcodec's "libopus" wrapper asked for float output. The ``decoder`` name stays
    ``"libopus (direct)"`` for the first (also before the first read, while it is the one to be
    tried), ``"libopus (libav)"`` for the second. With ``MLXDSP_OGG_DECODER=ffmpeg``,
    FFmpeg's own "opus" and "vorbis" decoders: ~2.5-3x faster than libsndfile, within 3e-7 of it (not
    bit-identical).
    Everything else is libsndfile's: the header checks made on open, ``frames``, ``format``, the
    truncation checks, and any ``seek`` (which hands reading back to libsndfile for good, so partial
    reads stay libsndfile's). libav is opened lazily on the first read (``info`` never opens it); if
    it cannot open the file or disagrees about rate, channels or length, libsndfile reads it.
    """

    def __init__(self, f, raw: bytes, name: str, decoder: str = "libopus", direct: bool = False):
        self._f = f
        self._direct = direct and decoder == "libopus"  # try mlxdsp._io_ogg before libav
        self._raw = raw
        self._name = name
        self._want = decoder
        self._g = None
        self._pos = 0  # frames delivered through libav
        self._sndfile = False  # reading through libsndfile (after a seek or a libav refusal)
        self._via_libav = False  # the direct reader refused the file: libavcodec decodes it
        self.samplerate, self.channels, self.frames = f.samplerate, f.channels, f.frames
        self.format = f.format

    def __getattr__(self, key):  # log_info, raw_needs_endswap, ...: libsndfile's
        return getattr(self._f, key)

    @property
    def decoder(self) -> str:
        """Which decoder the reads go through: ``"libopus (direct)"`` (:mod:`mlxdsp._io_ogg`),
        ``"libopus (libav)"``, ``"opus (libav)"``/``"vorbis (libav)"`` (FFmpeg's own), or
        ``"libsndfile"``."""
        if self._sndfile:
            return "libsndfile"
        if self._direct and not self._via_libav:
            return "libopus (direct)"
        return f"{self._want} (libav)"

    def _drop_libav(self) -> None:
        if self._g is not None:
            self._g.close()
            self._g = None
        self._sndfile = True

    def seek(self, frame: int) -> int:
        self._drop_libav()
        return self._f.seek(frame)

    def _libav(self):
        if self._g is None and self._direct:
            try:
                self._g = _io_ogg.open_opus(
                    self._raw, self._name, self.frames, self.samplerate, self.channels
                )
            except Exception:  # noqa: BLE001 - any refusal: libav or libsndfile reads the file
                self._g = None
        if self._g is None:
            if _libav is None:
                self._sndfile = True
                return None
            try:
                g = _libav.open_read(self._raw, self._name, self._want)
            except Exception:  # noqa: BLE001 - any refusal: libsndfile reads the file
                self._sndfile = True
                return None
            # libavformat's Ogg duration still counts the Opus pre-skip: at least ours is fine.
            if (g.decoder, g.samplerate, g.channels) != (
                self._want,
                self.samplerate,
                self.channels,
            ) or g.frames_declared < self.frames:
                g.close()
                self._sndfile = True
                return None
            self._g = g
            self._via_libav = True
        return self._g

    def readf_into(self, buf, start: int, frames: int) -> int:
        g = None if self._sndfile else self._libav()
        if g is None:
            return self._f.readf_into(buf, start, frames)
        try:
            got = g.readf_into(buf, start, frames)
        except AudioFileError as err:
            got, failed = err.frames_decoded or 0, True
        else:
            failed = False
        self._pos += got
        if not failed and (got == frames or self._pos >= self.frames):
            return got
        # libav stopped short of libsndfile's length (or failed): libsndfile takes over from here,
        # so where the file ends and how a damaged file fails are libsndfile's.
        self.seek(self._pos)
        try:
            return got + self._f.readf_into(buf, start + got, frames - got)
        except AudioFileError as err:  # count the frames libav delivered in this call too
            err.frames_decoded = got + (err.frames_decoded or 0)
            raise

    def close(self) -> None:
        self._drop_libav()
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


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
