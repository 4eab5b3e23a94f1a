"""Audio file I/O: ``load``, ``save``, ``info``, ``stream``, ``batch_load``.

Decoding runs in C (libsndfile, libsoxr through the Cython wrappers in ``mlxdsp._ext``) with the GIL
released. A full load decodes straight into a freshly allocated ``mx.array`` buffer (one pass, no second
buffer: DESIGN.md, "decoded audio must be copied into MLX on Linux"). Options are validated here; the
wrappers only open, read, seek, write and report errors.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import stat
import threading
import uuid
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import mlx.core as mx
import numpy as np

from . import _checks, _io_flac, _io_libav, _io_vorbis, _io_wav
from ._audioinfo import (
    CONTAINERS,
    INTEGER_ENCODINGS,
    LIBAV_EXTENSIONS,
    LOSSY,
    AudioInfo,
    format_names,
)
from ._errors import AudioFileError, AudioFileNotFoundError, ParameterError
from ._io_libav import LibavFile, OggLibavReader
from ._io_resample import Quality, Resampler
from ._io_sniff import LIBAV_ONLY, describe, header_truncation, kind, ogg_truncated

try:
    from ._ext import _sndfile, _soxr
except ImportError as _err:  # built with -Dio=disabled, or libsndfile/libsoxr were missing
    _sndfile = _soxr = None
    _EXT_ERROR: ImportError | None = _err
else:
    _EXT_ERROR = None

__all__ = ["AudioInfo", "batch_load", "info", "load", "save", "stream"]

Layout = Literal["channels_first", "channels_last"]
DType = Literal["float32", "float16"]
_DTYPES = {"float32": mx.float32, "float16": mx.float16}

_ENABLE_IO = (
    "install the libsndfile and libsoxr development files (Debian/Ubuntu: apt-get install "
    "libsndfile1-dev libsoxr-dev pkg-config, or run ./dev setup as root) and reinstall mlxdsp "
    "(pip install --no-build-isolation -e . -Csetup-args=-Dio=enabled)"
)
_ENABLE_LIBAV = (
    "this build has no FFmpeg (libav) backend; install the FFmpeg development files (apt-get install "
    "libavformat-dev libavcodec-dev libavutil-dev libswresample-dev) and reinstall mlxdsp with "
    "-Csetup-args=-Dlibav=enabled"
)

# A header may claim any frame count; a claim this far beyond what the file size can hold is read in
# blocks instead of being allocated up front (fuzzed or corrupt headers must not allocate terabytes).
_MAX_BYTES_PER_FILE_BYTE = 1024
_BLOCK_FRAMES = 1 << 18
_UNKNOWN_FRAMES = (1 << 63) - 1  # SF_COUNT_MAX: length not known
_LIBAV_MIN_SCORE = 25  # AVPROBE_SCORE_RETRY: libavformat guesses at or below this score


# --- opening ---------------------------------------------------------------------------------------


def _require_ext(fn: str) -> None:
    if _sndfile is None:
        raise AudioFileError(
            f"[{fn}] the audio I/O extension was not built ({_EXT_ERROR}); {_ENABLE_IO}"
        )


def _fspath(fn: str, path) -> tuple[bytes, str]:
    try:
        raw = os.fspath(path)
    except TypeError:
        raise ParameterError(f"[{fn}] path={path!r} must be a str or os.PathLike") from None
    return os.fsencode(raw), os.fsdecode(raw)


def _head(name: bytes, n: int = 64) -> bytes:
    try:  # os-level calls: a Python file object costs twice as much for 64 bytes
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return b""
    try:
        return os.pread(fd, n, 0) if hasattr(os, "pread") else os.read(fd, n)
    except OSError:
        return b""
    finally:
        os.close(fd)


def _open_read(fn: str, path):
    """Open a file for decoding; every failure becomes an AudioFileError naming path and content."""
    _require_ext(fn)
    raw, name = _fspath(fn, path)
    try:
        st = os.stat(raw)
    except FileNotFoundError:
        raise AudioFileNotFoundError(f"[{fn}] '{name}': no such file", name) from None
    except OSError as err:
        raise AudioFileError(f"[{fn}] '{name}': cannot access: {err.strerror}", name) from None
    if stat.S_ISDIR(st.st_mode):  # from the stat above: no second system call
        raise AudioFileError(f"[{fn}] '{name}' is a directory, not an audio file", name)
    if st.st_size == 0:
        raise AudioFileError(f"[{fn}] '{name}' is empty (0 bytes)", name)
    head = _head(raw)
    found = kind(head)
    if found in LIBAV_ONLY:  # straight to libav: libsndfile cannot read these
        if not _io_libav.available():
            raise AudioFileError(f"[{fn}] '{name}': found {found}; {_ENABLE_LIBAV}", name)
        try:
            return _io_libav.open_read(raw, name), raw, name, st.st_size
        except AudioFileError as err:
            raise AudioFileError(
                f"[{fn}] '{name}': truncated or corrupt {found} stream: decoded 0 frames ({err})",
                name,
                frames_decoded=0,
            ) from None
    if found == "OGG" and _io_vorbis.vorbis_header(head):
        # libvorbis directly (mlxdsp/_io_vorbis.py); info only uses an index already built
        g = _io_vorbis.open_read(raw, name, build=fn != "info")
        if g is not None:
            return g, raw, name, st.st_size
    try:
        f = _sndfile.open_read(raw, name)
    except AudioFileError as err:
        if _io_libav.available():  # whatever else libavformat recognises from the content
            try:
                g = _io_libav.open_read(raw, name)
            except AudioFileError:
                pass  # report libsndfile's view of the file
            else:
                if g.probe_score > _LIBAV_MIN_SCORE:
                    return g, raw, name, st.st_size
                g.close()  # a low-confidence guess (FFmpeg's AVPROBE_SCORE_RETRY): not audio
        if found is not None and "malformed" in str(err):
            raise AudioFileError(
                f"[{fn}] '{name}': truncated or corrupt {found} stream: decoded 0 frames ({err})",
                name,
                frames_decoded=0,
            ) from None
        raise AudioFileError(
            f"[{fn}] '{name}': cannot decode ({err}); {describe(head, st.st_size)}", name
        ) from None
    f = _io_flac.reader(f, raw, name)  # native FLAC: libFLAC directly (mlxdsp/_io_flac.py)
    return _io_libav.fast_reader(fn, f, raw, name), raw, name, st.st_size


def _declared_frames(f, raw: bytes, size: int) -> int | None:
    """Frames the container header promised, when the file holds fewer (a cut-off download)."""
    if isinstance(f, (LibavFile, _io_vorbis.VorbisReader)):
        # Its stated length is f.frames, and a short decode says so itself (the Vorbis reader's
        # index found the end page at the end of the file).
        return None
    fmt, _ = format_names(f.format)
    if fmt in ("WAV", "WAVEX", "W64", "RF64", "AIFF", "CAF", "AU"):
        cut = header_truncation(f.log_info())
        if cut is not None:
            declared, present = cut
            per_byte = f.frames / present if present else 0
            return max(f.frames + 1, int(declared * per_byte))
    elif fmt == "OGG":
        with open(raw, "rb") as fp:
            if ogg_truncated(fp, size):
                return f.frames + 1  # unknown how much is missing, but something is
    return None


_RAW_PCM16_CONTAINERS = (0x010000, 0x0B0000, 0x220000, 0x020000, 0x180000, 0x030000, 0x130000)


# ``_direct_mode``: the reader writes float32 itself, interleaved or planar (``readf_planar_into``).
_OWN_LAYOUT = "own"


def _direct_mode(f) -> bool | str | None:
    """How :func:`_readf` reads ``f``: None, ``readf_into`` (interleaved); True/False, libsndfile's
    raw 16-bit PCM reader (byte swap or not; planar possible); :data:`_OWN_LAYOUT`, a reader of our
    own that writes float32 in either layout (``readf_into`` / ``readf_planar_into``)."""
    if isinstance(f, LibavFile):
        return None
    if hasattr(f, "readf_planar_into"):
        return _OWN_LAYOUT
    fmt = f.format
    if fmt & 0xFFFF != 0x0002 or fmt & 0x0FFF0000 not in _RAW_PCM16_CONTAINERS:
        return None
    return f.raw_needs_endswap()


def _readf(f, buf, start: int, want: int, mode=..., planar=False) -> tuple[int, str | None]:
    """``readf_into`` that reports a decoder error as ``(frames decoded, reason)`` instead of raising.

    ``mode`` (from :func:`_direct_mode`) may be passed in to skip the per-call check. ``planar``
    (``mode`` not None): ``buf`` is [channels, n].
    """
    if want == 0:
        return 0, None
    try:
        fast = _direct_mode(f) if mode is ... else mode
        if fast is _OWN_LAYOUT:
            if planar:
                return f.readf_planar_into(buf, start, want), None
            return f.readf_into(buf, start, want), None
        if fast is not None:
            return f.read_pcm16_into(buf, start, want, fast, planar), None
        return f.readf_into(buf, start, want), None
    except AudioFileError as err:
        return err.frames_decoded or 0, str(err).split(": ", 1)[-1]


# --- decoding in parallel parts -------------------------------------------------------------------

THREADS_ENV = "MLXDSP_DECODE_THREADS"
# Spans shorter than this decode on one thread: a second handle's open + seek + thread start cost
# about as much as decoding this many seconds on the other core (measured break-even, docs/io.md).
_SPLIT_MIN_SECONDS = 2.0
# Readers of our own state a lower break-even as the attribute ``split_min_seconds`` (the libFLAC
# and libvorbis readers: a second handle of theirs is cheap), measured on the 180 s 44.1 kHz stereo
# benchmark files at 120 s (quiet).
# Ogg Opus: each later part first decodes _io_libav.OPUS_EXACT_PREROLL_SECONDS (2 s) and drops it.
_OPUS_SPLIT_MIN_SECONDS = 12.0
# Ogg Opus parts are exact by measurement, not by construction (a restarted libopus converges on the
# full decode's state): each later part also decodes this many frames before its own first frame,
# which must equal the previous part's last frames, or the part is decoded sequentially instead.
_JUNCTION_FRAMES = 2048
# libsndfile containers and encodings whose seeks land on exactly the samples of a full decode, so
# parts decoded by separate handles are bit-identical to one sequential decode (tests/test_io_split.py
# checks every pair over many split points). Containers: WAV, AIFF, AU, W64, WAVEX, FLAC, CAF, OGG,
# RF64, MPEG; encodings: PCM s8/16/24/32/u8, float, double, mu-law, A-law, IMA/MS ADPCM,
# ALAC 16/20/24/32, MP3. Not Opus: after a seek (80 ms pre-roll) libopus reproduces the full
# decode exactly at most points but not all (measured: 2-4 % of random points differ by <= 1.5e-7).
# Not Vorbis: libsndfile's Vorbis seek is never called (_seek); the libvorbis reader splits itself.
_SPLIT_CONTAINERS = frozenset(
    {0x010000, 0x020000, 0x030000, 0x0B0000, 0x130000, 0x170000, 0x180000, 0x200000, 0x220000}
    | {0x230000}
)
_SPLIT_ENCODINGS = frozenset(
    {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13}
    | {0x70, 0x71, 0x72, 0x73, 0x82}
)
_SF_VORBIS = 0x0060


_cores_seen: tuple = (None, 1)


def _cores() -> int:
    """``os.cpu_count() or 1``, remembered: on Linux each call reads /sys (~8 us, a tenth of a 1 s
    WAV read). Remembered per function object, so a replaced ``os.cpu_count`` is asked again."""
    global _cores_seen
    fn, n = _cores_seen
    if fn is not os.cpu_count:
        fn = os.cpu_count
        n = fn() or 1
        _cores_seen = (fn, n)
    return n


def decode_threads(fn: str, cap: int | None = None) -> int:
    """Threads one decode may use: ``MLXDSP_DECODE_THREADS`` (default ``min(2, cores)``), never more
    than the cores (or ``cap``). 1 decodes sequentially on the calling thread."""
    cores = _cores()
    raw = os.environ.get(THREADS_ENV)
    if raw is None:
        k = 2
    else:
        try:
            k = int(raw)
        except ValueError:
            k = 0
        if k < 1:
            raise ParameterError(f"[{fn}] {THREADS_ENV}={raw!r} must be a positive int")
    return max(1, min(k, cores, cores if cap is None else cap))


def _split_limit(f, raw: bytes, size: int) -> int:
    """Frames before which part boundaries may fall for a split decode of ``f``; 0: decode it
    sequentially (a format whose seek is not bit-exact, or a length the header does not state)."""
    if f.frames == _UNKNOWN_FRAMES:
        return 0
    if isinstance(f, LibavFile):
        # ALAC seeks exactly; AAC does not (noise substitution draws other noise after a seek);
        # others (Opus in WebM, ...) decode from the start on seek: nothing to gain.
        return f.frames if f.names[1] == "ALAC" else 0
    if isinstance(f, _io_vorbis.VorbisReader):
        return f.frames  # seeks exactly anywhere (restarts libvorbis where the index says)
    if isinstance(f, OggLibavReader) and f.decoder != "libsndfile":
        # Ogg Opus through libopus from the first sample (48 kHz: libav's libopus decodes at that
        # rate only) splits, each later part restarting libopus long enough before its first
        # sample to reproduce the full decode (_io_libav.open_opus_part); FFmpeg's own decoders
        # (MLXDSP_OGG_DECODER=ffmpeg) would differ.
        return f.frames if f.decoder.startswith("libopus (") and f.samplerate == 48000 else 0
    fmt = f.format
    if fmt & 0x0FFF0000 not in _SPLIT_CONTAINERS or fmt & 0xFFFF not in _SPLIT_ENCODINGS:
        return 0
    return f.frames


def _reseeks_exactly(f) -> bool:
    """Whether a handle that has decoded a while still seeks exactly. Each Ogg Opus segment gets a
    fresh handle (a seek of ``f`` itself would hand it back to libsndfile, whose 80 ms pre-roll is
    not exact). (libsndfile's Vorbis, which also lands wrong after ~30000 decoded frames, is never
    split: :func:`_seek`.)"""
    return not isinstance(f, OggLibavReader)


_CHEAP_ENCODINGS = frozenset({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11})
_COMPRESSED_CONTAINERS = frozenset({0x170000, 0x200000, 0x230000})  # FLAC, OGG, MPEG


def _cheap_to_decode(f) -> bool:
    """Uncompressed PCM/float/mu-law/A-law: decoding is a copy, so decoding ahead on another thread
    costs more than it saves (measured on a 180 s WAV: stream 1.57x the CPU time, sr= load 1.08x
    for at most 1.1x less wall time). A full load still splits (3 % more CPU for up to 1.9x)."""
    return (
        isinstance(f, _sndfile.SndFile)
        and f.format & 0xFFFF in _CHEAP_ENCODINGS
        and f.format & 0x0FFF0000 not in _COMPRESSED_CONTAINERS
    )


def _split_bounds(n: int, parts: int, extra: int = 0) -> list[int]:
    """Part boundaries ``[0, b1, ..., n]`` of a span of ``n`` frames decoded in ``parts`` parts at
    once, when every part but the first also costs ``extra`` frames' worth of decoding first (a
    second handle's open and seek; an Ogg Opus part's libopus restart): the first part takes more,
    so that all parts finish together. Equal parts when ``extra`` is 0 or of the order of the span."""
    share = (n + (parts - 1) * extra) // parts  # frames' worth of work per part
    if parts < 2 or extra <= 0 or share - extra < 1:
        return [n * i // parts for i in range(parts + 1)]
    return [0, *(share + (i - 1) * (share - extra) for i in range(1, parts)), n]


# What a later part costs before its first frame, in frames of decoding: an Ogg Opus part decodes
# the libopus restart (OPUS_EXACT_PREROLL_SECONDS, plus half a page on average); a libvorbis reader
# part, half a page and a thread start (_io_vorbis.SPLIT_EXTRA_SECONDS).
def _split_extra_frames(f) -> int:
    if isinstance(f, OggLibavReader):
        return int((_io_libav.OPUS_EXACT_PREROLL_SECONDS + 0.5) * f.samplerate)
    if isinstance(f, _io_vorbis.VorbisReader):
        return int(_io_vorbis.SPLIT_EXTRA_SECONDS * f.samplerate)
    return 0


_FAILED_AFTER = re.compile(r"^([\w ]*? after )(\d+)( frames)")


def _reopen(f, raw: bytes, name: str):
    if isinstance(f, LibavFile):
        return _io_libav.open_read(raw, name)
    if isinstance(f, OggLibavReader):  # Ogg Opus split (_split_limit admits nothing else)
        return _io_libav.open_opus_part(f)
    if isinstance(f, _io_flac.FlacFile):
        return _io_flac.open_read(raw, name)
    if isinstance(f, _io_vorbis.VorbisReader):
        return _io_vorbis.reopen(raw, name)
    return _sndfile.open_read(raw, name)


def _readf_parts(f, raw, name, buf, pos, n, threads, limit, mode=..., planar=False):
    """``_readf(f, buf, 0, n, mode, planar)`` for ``f`` positioned at file frame ``pos``, decoded
    in ``threads`` parts at once: the first by ``f`` on this thread, each other by a fresh handle of
    the same file seeked to its first frame, on its own thread (the decoders release the GIL), each
    writing its own rows (columns when ``planar``) of ``buf``.

    Bit-identical to the sequential decode for the formats :func:`_split_limit` admits. Errors keep
    the sequential semantics exactly: a short or failed first part is the result (the other parts
    are dropped); if a later part fails, ``f`` decodes on from the end of the first part, so frame
    counts and reasons are those of one sequential read."""
    if threads < 2 or not limit:
        return _readf(f, buf, 0, n, mode, planar)
    for bounds in (_split_bounds(n, threads, _split_extra_frames(f)), _split_bounds(n, threads)):
        if all(0 < b < n and pos + b < limit for b in bounds[1:-1]):
            break  # balanced parts, else equal parts, else (a boundary past the limit) one thread
    else:
        return _readf(f, buf, 0, n, mode, planar)
    results: list = [None] * (len(bounds) - 1)
    junctions: list = [None] * (len(bounds) - 1)
    checked = _JUNCTION_FRAMES if isinstance(f, OggLibavReader) and not planar else 0

    def part(i: int) -> None:
        lo, hi = bounds[i], bounds[i + 1]
        back = min(checked, lo - bounds[i - 1])
        try:
            with _reopen(f, raw, name) as g:
                g.seek(pos + lo - back)
                if back:
                    junctions[i] = np.empty((back, f.channels), np.float32)
                    if _readf(g, junctions[i], 0, back) != (back, None):
                        return
                results[i] = _readf(g, buf, lo, hi - lo, mode, planar)
        except Exception:  # noqa: BLE001 - any failure: f decodes this part sequentially
            results[i] = None

    workers = [
        threading.Thread(target=part, args=(i,), name="mlxdsp-decode", daemon=True)
        for i in range(1, len(bounds) - 1)
    ]
    for t in workers:
        t.start()
    try:
        results[0] = _readf(f, buf, 0, bounds[1], mode, planar)
    finally:
        for t in workers:
            t.join()
    got, reason = results[0]
    if got < bounds[1] or reason is not None:
        return got, reason
    if checked:
        decoded = buf if isinstance(buf, np.ndarray) else np.asarray(memoryview(buf))
        for i, junction in enumerate(junctions):
            lo = bounds[i]
            if junction is not None and not np.array_equal(
                decoded[lo - len(junction) : lo], junction
            ):
                results[i] = None
    if all(
        r is not None and r[1] is None and r[0] == hi - lo
        for r, lo, hi in zip(results[1:], bounds[1:-1], bounds[2:], strict=True)
    ):
        return n, None
    first = bounds[1]
    more, reason = _readf(f, buf, first, n - first, mode, planar)
    if reason is not None:  # "decoding failed after k frames": counted from the start of the read
        reason = _FAILED_AFTER.sub(lambda m: f"{m[1]}{int(m[2]) + first}{m[3]}", reason, count=1)
    return first + more, reason


# Decoding ahead (resampled loads, streams): each handle decodes segments of this many seconds
# between seeks, the handles taking turns; at most (blocks per segment + 1) blocks per handle are
# decoded and not yet consumed, so memory stays bounded.
_SEGMENT_SECONDS = 8.0
_MIN_AHEAD_BLOCK = 4096  # frames: streams in smaller chunks decode on the calling thread


def _same_reader(f, raw: bytes, name: str):
    """A fresh handle reading the file as ``f`` does (Ogg Opus through libav from the start)."""
    if isinstance(f, LibavFile):
        return _io_libav.open_read(raw, name)
    if isinstance(f, _io_flac.FlacFile):
        return _io_flac.open_read(raw, name)
    if isinstance(f, _io_vorbis.VorbisReader):
        return _io_vorbis.reopen(raw, name)
    g = _sndfile.open_read(raw, name)
    if isinstance(f, OggLibavReader) and f.decoder != "libsndfile":
        return OggLibavReader(g, raw, name, f.decoder.split(" ")[0], direct=f._direct)
    return g


def _block_buffer(ch: int, step: int, planar: bool) -> np.ndarray:
    return np.empty((ch, step) if planar else (step, ch), np.float32)


def _blocks_sequential(f, n, step, mode, planar, skip=0):
    """Decode ``n`` frames from ``f``'s position in blocks of ``step``; yields ``(buf, got, want,
    reason)`` (``buf`` is reused: consume it before the next step) and stops after a short block.
    Blocks before frame ``skip`` are decoded but not yielded, unless one of them fails."""
    buf = _block_buffer(f.channels, min(step, n), planar) if n else None
    done = 0
    while done < n:
        want = min(step, n - done)
        got, reason = _readf(f, buf, 0, want, mode, planar)
        short = got < want
        if done >= skip:
            yield buf, got, want, reason
        elif short:
            yield buf, 0, want, reason or "the decode stopped early on a second pass"
        done += got
        if short:
            return


def _blocks(f, raw, name, pos, n, step, threads, limit, mode=..., planar=False):
    """:func:`_blocks_sequential` of ``f`` (positioned at file frame ``pos``), decoded ahead on
    ``threads`` threads: with ``limit`` (:func:`_split_limit`), segments of whole blocks are decoded
    by ``f`` and fresh handles in turn (each seeks to its segment) and handed over in order, the
    same blocks bit for bit; otherwise ``f`` alone decodes a few blocks ahead on another thread.
    A failure outside the first segment is re-decoded sequentially by a fresh handle from ``pos``,
    so frame counts and reasons are those of one sequential decode (costs time only for broken
    files)."""
    seg_blocks = max(1, int(_SEGMENT_SECONDS * f.samplerate) // step)
    seg = seg_blocks * step
    starts = [0]
    while threads > 1 and limit and starts[-1] + seg < n and pos + starts[-1] + seg < limit:
        starts.append(starts[-1] + seg)
    segs = list(zip(starts, [*starts[1:], n], strict=True))
    hs = min(threads, len(segs))
    if threads < 2 or n <= step:
        yield from _blocks_sequential(f, n, step, mode, planar)
        return
    # One handle (a format that is not split): decodes ahead of the consumer by a few blocks.
    ahead = seg_blocks + 1 if hs > 1 else 4
    ch = f.channels
    stop = threading.Event()
    ready = [queue.SimpleQueue() for _ in range(hs)]
    pools = [queue.SimpleQueue() for _ in range(hs)]
    for pool in pools:
        for _ in range(ahead):
            pool.put(_block_buffer(ch, min(step, n), planar))

    reseek = _reseeks_exactly(f)

    def produce(h: int) -> None:
        handle = f if h == 0 else None
        try:
            for s in range(h, len(segs), hs):
                lo, hi = segs[s]
                if handle is None or (s and not reseek):
                    if handle is not None and handle is not f:
                        handle.close()
                    handle = _reopen(f, raw, name)
                if s:
                    handle.seek(pos + lo)
                while lo < hi:
                    buf = pools[h].get()
                    if buf is None or stop.is_set():
                        return
                    want = min(step, hi - lo)
                    got, reason = _readf(handle, buf, 0, want, mode, planar)
                    ready[h].put((buf, got, want, reason))
                    lo += got
                    if got < want:
                        return
        except Exception:  # noqa: BLE001 - the consumer re-decodes sequentially
            ready[h].put(None)
        finally:
            if handle is not None and handle is not f:
                handle.close()

    workers = [
        threading.Thread(target=produce, args=(h,), name="mlxdsp-decode", daemon=True)
        for h in range(hs)
    ]
    for t in workers:
        t.start()
    fallback = None
    try:
        for s, (lo, hi) in enumerate(segs):
            h = s % hs
            while lo < hi:
                item = ready[h].get()
                if item is None or (s and (item[1] < item[2] or item[3] is not None)):
                    fallback = lo
                    break
                buf, got, want, reason = item
                yield buf, got, want, reason
                pools[h].put(buf)
                lo += got
                if got < want:
                    return
            if fallback is not None:
                break
    finally:
        stop.set()
        for pool in pools:
            pool.put(None)
        for t in workers:
            t.join()
    if fallback is not None:
        with _same_reader(f, raw, name) as g:
            if pos:
                _seek(g, raw, os.stat(raw).st_size, pos)
            yield from _blocks_sequential(g, n, step, mode, planar, skip=fallback)


def _expected(f, n: int) -> int | None:
    """Frames a read of ``n`` must deliver; None when the file states no length (a short read is
    then the end of the stream, not a truncation)."""
    return None if n == _UNKNOWN_FRAMES or f.frames == _UNKNOWN_FRAMES else n


def _truncated(fn, name, decoded, expected, strict, reason=None):
    msg = (
        f"[{fn}] '{name}': truncated or corrupt stream: decoded {decoded} of {expected} frames"
        if expected is not None
        else f"[{fn}] '{name}': truncated or corrupt stream after {decoded} frames"
    )
    if reason:
        msg += f" ({reason})"
    if strict:
        raise AudioFileError(msg, name, frames_decoded=decoded)
    warnings.warn(
        msg + " (strict=False: returning the decoded prefix)", RuntimeWarning, stacklevel=3
    )


# --- reading ---------------------------------------------------------------------------------------


def _seek(f, raw: bytes, size: int, start: int) -> None:
    """``f.seek(start)`` for ``f`` at frame 0 (just opened), except where libsndfile decodes Ogg
    Vorbis (a file the libvorbis reader leaves to it: chained, cut off, damaged, not starting at 0):
    there the frames before ``start`` are decoded and dropped. libsndfile 1.2's Vorbis seek runs
    libvorbis's ``vorbis_synthesis_trackonly``, which dereferences NULL on a packet naming a mode
    the stream does not have (a damaged packet: the process dies, soundfile's too), and it lands on
    wrong samples inside the last page (up to 0.7 off)."""
    if isinstance(f, (LibavFile, _io_vorbis.VorbisReader)) or f.format & 0xFFFF != _SF_VORBIS:
        f.seek(start)
        return
    skip = np.empty((min(_BLOCK_FRAMES, start), f.channels), np.float32)
    at = 0
    while at < start:
        want = min(skip.shape[0], start - at)
        got, _ = _readf(f, skip, 0, want, None)
        at += got
        if got < want:  # a damaged or short file: the reads after this report it
            break


def _span(fn, f, raw, size, offset: float, duration: float | None) -> tuple[int, int]:
    """``(start, frames)`` in native frames, sample-accurate: round(offset * sr), round(duration * sr)."""
    start = int(round(offset * f.samplerate))
    total = f.frames
    if total != _UNKNOWN_FRAMES:
        start = min(start, total)
        avail = total - start
    else:
        avail = _UNKNOWN_FRAMES
    n = avail if duration is None else min(avail, int(round(duration * f.samplerate)))
    if start:
        _seek(f, raw, size, start)
    return start, n


def _read_blocks(f, n: int) -> tuple[np.ndarray, int, str | None]:
    """Decode up to ``n`` frames in blocks (for lengths the header cannot be trusted on)."""
    blocks, got, reason = [], 0, None
    while got < n:
        want = min(_BLOCK_FRAMES, n - got)
        buf = np.empty((want, f.channels), np.float32)
        k, reason = _readf(f, buf, 0, want)
        if k:
            blocks.append(buf[:k])
            got += k
        if k < want:
            break
    if not blocks:
        return np.empty((0, f.channels), np.float32), 0, reason
    return (blocks[0] if len(blocks) == 1 else np.concatenate(blocks)), got, reason


def _split_min_seconds(f) -> float:
    """Shortest span worth a second handle for ``f``: the reader's own ``split_min_seconds``, else
    (and never more than) :data:`_SPLIT_MIN_SECONDS` (tests set that to 0 to force splits). A lower break-even counts only
    while the 1-minute load average leaves a core idle: for so short a span the second handle's fixed
    cost is a bet on the other core being free, lost on a busy machine (measured at load 8 on 2
    cores: a 1 s FLAC read in two parts 1.2 ms, on one thread 0.9 ms)."""
    own = getattr(f, "split_min_seconds", None)
    if own is None or own >= _SPLIT_MIN_SECONDS or not _idle_core():
        return _SPLIT_MIN_SECONDS
    return own


def _idle_core() -> bool:
    """Whether the 1-minute load average (this process included) leaves a core idle."""
    try:
        return os.getloadavg()[0] < _cores() - 0.5
    except (AttributeError, OSError):  # no load average on this platform
        return False


def _split_ok(f, raw, size, pos, n, threads) -> int:
    """:func:`_split_limit` when the span of ``n`` frames from ``pos`` is long enough to split,
    else 0. (An MP3 seek parses the frame headers from the start of the file, but from the read
    buffer of ``_sndfile``'s virtual I/O that costs ~4 us per second of audio: any split pays.)"""
    if threads < 2 or n == _UNKNOWN_FRAMES or n < _split_min_seconds(f) * f.samplerate:
        return 0
    if isinstance(f, OggLibavReader) and n < _OPUS_SPLIT_MIN_SECONDS * f.samplerate:
        return 0  # a later part also decodes the restart pre-roll
    return _split_limit(f, raw, size)


# Below this, a result is decoded into NumPy memory and copied into MLX once: allocating, zeroing and
# evaluating an mx.array costs more than copying a small buffer (a 1 s stereo read: 0.35 -> 0.2 ms).
# Above it, decoding straight into the mx.array saves the second buffer.
_SMALL_RESULT_BYTES = 1 << 20


def _result_buffer(shape: tuple[int, int]):
    if 4 * shape[0] * shape[1] <= _SMALL_RESULT_BYTES:
        return np.empty(shape, np.float32)
    out = mx.zeros(shape, mx.float32)
    mx.eval(out)
    return out


def _decode(fn, f, raw, name, size, start, n, *, mono, strict, planar=False, threads=1):
    """Decode ``n`` frames from the current position. Returns [m, ch'] (ch' = 1 if mono): an evaluated
    mx.array, or for a small result (:data:`_SMALL_RESULT_BYTES`) the NumPy buffer it was decoded
    into (:func:`_finish` copies it into MLX); ``ch'`` and whether the array is [ch', m] instead:
    ``planar`` asks for that where the decoder can write it directly (raw 16-bit PCM, or a reader of
    our own, into a large result; a channels-first result then needs no transpose). ``threads``: decode in that many parts
    at once where bit-identical (:func:`_readf_parts`)."""
    ch = f.channels
    out_ch = 1 if mono else ch
    trusted = n != _UNKNOWN_FRAMES and n * ch * 4 <= _MAX_BYTES_PER_FILE_BYTE * size + (64 << 20)
    limit = _split_ok(f, raw, size, start, n, threads) if trusted else 0
    # Planar (de-interleaved by the reader) only where the result is decoded into its own buffer:
    # a small result is copied into MLX anyway (in the requested layout, :func:`_finish`), and the
    # interleaved conversion is cheaper (1 s stereo: 20 vs 27 us).
    planar = planar and n * ch * 4 > _SMALL_RESULT_BYTES
    mode = _direct_mode(f) if planar and trusted and not (mono and ch > 1) else None
    if mode is not None:
        out = _result_buffer((ch, n))
        got, reason = _readf_parts(f, raw, name, out, start, n, threads, limit, mode, True)
        data = out if got == n else out[:, :got]
    elif trusted and not (mono and ch > 1):
        # The fast path: decode straight into the buffer that becomes the result.
        out = _result_buffer((n, ch))
        got, reason = _readf_parts(f, raw, name, out, start, n, threads, limit)
        data = out
    else:
        if trusted:
            tmp = np.empty((n, ch), np.float32)
            got, reason = _readf_parts(f, raw, name, tmp, start, n, threads, limit)
            tmp = tmp[:got]
        else:
            tmp, got, reason = _read_blocks(f, n)
        if mono and ch > 1:
            data = _result_buffer((got, 1))
            if got:
                out = data if isinstance(data, np.ndarray) else np.asarray(memoryview(data))
                np.mean(tmp, axis=1, keepdims=True, out=out)
        else:
            data = tmp if 4 * tmp.size <= _SMALL_RESULT_BYTES else mx.array(tmp)
    expected = _expected(f, n)
    if reason is not None or (expected is not None and got < expected):
        _truncated(fn, name, got, expected, strict, reason)
    elif start + got == f.frames or expected is None:
        # Reached the end the header promised: check whether the container says more was cut off.
        declared = _declared_frames(f, raw, size)
        if declared is not None:
            _truncated(fn, name, start + got, declared, strict)
    if mode is None and got < data.shape[0]:
        data = data[:got]
    return data, out_ch, mode is not None


def _finish(data, layout: str, dtype: str, planar: bool = False) -> mx.array:
    """[frames, ch] float32 (``planar``: [ch, frames]), an mx.array or NumPy -> the requested layout
    and dtype, evaluated. NumPy data is copied into MLX in the requested layout (MLX copies a strided
    view contiguously at the cost of a plain copy; a lazy transpose costs an evaluation, ~20 us)."""
    flip = (layout == "channels_first") != planar
    if isinstance(data, np.ndarray):
        data = mx.array(data.T if flip else data)
        if dtype == "float32":
            return data
    elif flip:
        data = data.T
    if dtype != "float32":
        data = data.astype(_DTYPES[dtype])
    mx.eval(data)
    return data


def _check_load_options(fn, sr, offset, duration, mono, dtype, layout, quality, strict):
    if sr is not None:
        sr = _checks.positive_int(fn, "sr", sr)
    offset = _checks.real_number(fn, "offset", offset, low=0.0)
    if duration is not None:
        duration = _checks.real_number(fn, "duration", duration, low=0.0)
    _checks.boolean(fn, "mono", mono)
    _checks.choice(fn, "dtype", dtype, DType)
    _checks.choice(fn, "layout", layout, Layout)
    _checks.choice(fn, "quality", quality, Quality)
    _checks.boolean(fn, "strict", strict)
    return sr, offset, duration


def _decode_resampled(fn, f, raw, name, size, start, n, *, sr, mono, quality, strict, threads=1):
    """Decode block by block straight into libsoxr, which writes into the result buffer: the native-
    rate signal never exists in full (less memory, and each block is resampled while in cache).
    With ``threads`` > 1, the blocks are decoded ahead on other threads (:func:`_blocks`) while this
    one resamples: the same blocks in the same order, so the same output."""
    ch = f.channels
    out_ch = 1 if mono else ch
    r = Resampler(_soxr, f.samplerate, sr, out_ch, quality)
    out = mx.zeros((r.capacity(n), out_ch), mx.float32)
    mx.eval(out)
    outv = np.asarray(memoryview(out))
    if _cheap_to_decode(f):
        threads = 1
    limit = _split_ok(f, raw, size, start, n, threads)
    got_total, pos, reason = 0, 0, None
    with contextlib.closing(_blocks(f, raw, name, start, n, 1 << 16, threads, limit)) as it:
        for buf, got, _, why in it:
            reason = why
            got_total += got
            x = buf[:got]
            if mono and ch > 1:
                x = np.mean(x, axis=1, keepdims=True)
            pos = r.feed_into(x, outv, pos)
    expected = _expected(f, n)
    if reason is not None or (expected is not None and got_total < expected):
        _truncated(fn, name, got_total, expected, strict, reason)
    elif start + got_total == f.frames:
        declared = _declared_frames(f, raw, size)
        if declared is not None:
            _truncated(fn, name, start + got_total, declared, strict)
    pos = r.flush_into(outv, pos)
    return out[:pos]


def _load_one(fn, path, sr, offset, duration, mono, dtype, layout, quality, strict, threads=1):
    # A short span of a plain PCM/float WAV file: one pread, no libsndfile (mlxdsp/_io_wav.py).
    fast = _io_wav.load(path, sr, offset, duration, mono, dtype, layout, _SPLIT_MIN_SECONDS)
    if fast is not None:
        return fast
    f, raw, name, size = _open_read(fn, path)
    with f:
        native = f.samplerate
        start, n = _span(fn, f, raw, size, offset, duration)
        if (
            sr is not None
            and sr != native
            and n != _UNKNOWN_FRAMES
            and n * f.channels * 4 <= (_MAX_BYTES_PER_FILE_BYTE * size + (64 << 20))
        ):
            data = _decode_resampled(
                fn,
                f,
                raw,
                name,
                size,
                start,
                n,
                sr=sr,
                mono=mono,
                quality=quality,
                strict=strict,
                threads=threads,
            )
            return _finish(data, layout, dtype), sr
        planar = layout == "channels_first" and (sr is None or sr == native)
        data, ch, planar = _decode(
            fn,
            f,
            raw,
            name,
            size,
            start,
            n,
            mono=mono,
            strict=strict,
            planar=planar,
            threads=threads,
        )
    if sr is not None and sr != native:
        r = Resampler(_soxr, native, sr, ch, quality)
        x = np.asarray(data) if data.shape[0] else np.empty((0, ch), np.float32)
        out = mx.zeros((r.capacity(x.shape[0]), ch), mx.float32)
        mx.eval(out)
        k = r.run_into(np.ascontiguousarray(x), np.asarray(memoryview(out)))
        data = out[:k]
        rate = sr
    else:
        rate = native
    return _finish(data, layout, dtype, planar), rate


def load(
    path,
    *,
    sr: int | None = None,
    offset: float = 0.0,
    duration: float | None = None,
    mono: bool = False,
    dtype: DType = "float32",
    layout: Layout = "channels_first",
    quality: Quality = "hq",
    strict: bool = True,
) -> tuple[mx.array, int]:
    """Decode an audio file into an ``mx.array``.

    The format is detected from the content, not the extension: WAV (PCM, float, u8, mu-law, A-law,
    IMA-ADPCM, EXTENSIBLE), RF64, W64, AIFF/AIFC, CAF, AU, FLAC, OGG Vorbis, Opus, MP3 (libsndfile);
    with the optional FFmpeg backend also M4A/MP4 (AAC, ALAC), ADTS AAC, Matroska/WebM, ASF/WMA and
    whatever else libavformat recognises (gapless: encoder priming and padding removed). With the
    FFmpeg backend, Ogg Opus read from the start is decoded by libavcodec's ``libopus`` wrapper (the
    same libopus: bit-identical to libsndfile, faster); the environment variable
    ``MLXDSP_OGG_DECODER=ffmpeg`` opts in to FFmpeg's own Opus and Vorbis decoders instead (faster
    still, within 3e-7 of soundfile rather than bit-identical; partial reads stay libsndfile's).

    Decoding uses up to ``MLXDSP_DECODE_THREADS`` threads (environment, read at each call; default
    ``min(2, os.cpu_count())``; ``1`` decodes on the calling thread only). A span of at least 2 s
    in a format whose seeks are sample-exact (every libsndfile format above but Opus, and ALAC) is
    decoded in that many parts at once, each by its own handle of the file writing its own part of
    the result: bit-identical to one sequential decode, and a truncated or corrupt file fails
    exactly as a sequential decode does. 48 kHz Ogg Opus read from the start (through libav's
    libopus) splits from 12 s, each later part restarting libopus 2 s before its first sample,
    which reproduces the full decode (measured; a seek with libsndfile's 80 ms pre-roll does not).
    AAC (its noise substitution is not reproducible after a seek) and the other FFmpeg-backend
    formats decode on one thread. With ``sr=`` the blocks are decoded ahead on the other threads
    while the calling thread resamples (the same output).

    Parameters
    ----------
    path : str or os.PathLike
    sr : int, optional
        Resample to this rate with libsoxr (``quality``). ``None`` keeps the native rate.
    offset : float
        Start, in seconds: the first frame is ``round(offset * native_sr)``. Seeking costs the same at
        any offset (no decoding from the start), except MP3 (mpg123 parses the frame headers from
        the start, from a read buffer: ~4 us per second of offset) and FFmpeg-backend files whose
        timestamps do not resolve single samples (WebM's 1 ms, ASF): those decode forward from the
        start, still sample-accurately. An offset past the end gives zero frames.
    duration : float, optional
        Length in seconds, ``round(duration * native_sr)`` frames; ``None`` reads to the end.
    mono : bool
        Average the channels (NumPy ``mean`` in float32, as ``librosa.to_mono``) before resampling.
    dtype : {"float32", "float16"}
        Samples are decoded in float32 (bit-identical to ``soundfile.read(dtype="float32")``) and then
        cast.
    layout : {"channels_first", "channels_last"}
        ``[channels, frames]`` (default) or ``[frames, channels]``. Mono files and ``mono=True`` keep a
        channel axis of size 1.
    quality : {"hq", "vhq", "mq", "lq", "quick"}
        libsoxr recipe for ``sr=`` (``"hq"`` is librosa's ``"soxr_hq"``).
    strict : bool
        A stream that ends before its header says (truncated download, corrupt data) raises
        :class:`AudioFileError` with ``frames_decoded``. ``strict=False`` returns the decoded prefix and
        warns with a ``RuntimeWarning`` instead.

    Returns
    -------
    audio : mx.array [shape=(channels, frames)] or (frames, channels), float32 or float16, evaluated
    sr : int
        Sample rate of ``audio``.

    Raises
    ------
    AudioFileNotFoundError
        The path does not exist (also a ``FileNotFoundError``).
    AudioFileError
        A directory, an empty or unrecognised file, a format this build cannot decode (M4A/AAC
        without the FFmpeg backend), a truncated or corrupt stream.
    ParameterError
        A bad option, e.g. ``[load] offset=-1.0 must be >= 0.0``.

    See Also
    --------
    stream : the same samples in bounded memory, chunk by chunk.
    info : frames, rate and format without decoding.

    Transforms: none (file I/O; the result is a plain evaluated array).

    Examples
    --------
    >>> import mlxdsp, numpy as np, soundfile, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.wav")
    >>> soundfile.write(p, np.zeros((800, 2), np.float32), 8000)
    >>> y, sr = mlxdsp.load(p, offset=0.01, duration=0.05, mono=True)
    >>> y.shape, sr
    ((1, 400), 8000)
    """
    fn = "load"
    sr, offset, duration = _check_load_options(
        fn, sr, offset, duration, mono, dtype, layout, quality, strict
    )
    threads = decode_threads(fn)
    return _load_one(fn, path, sr, offset, duration, mono, dtype, layout, quality, strict, threads)


def info(path) -> AudioInfo:
    """Frames, sample rate, channels, duration, container format and encoding, without decoding.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    AudioInfo
        ``(frames, sample_rate, channels, duration, format, subtype)``; ``format``/``subtype`` use
        soundfile's names (``"WAV"``/``"PCM_16"``, ``"OGG"``/``"OPUS"``, ``"MP3"``/``"MPEG_LAYER_III"``).
        MP3 and Opus frame counts are exact (gapless: encoder delay and padding removed). Files read
        by the FFmpeg backend: ``"M4A"``/``"AAC"``, ``"M4A"``/``"ALAC"``, ``"MATROSKA"``/``"OPUS"``,
        ``"AAC"``/``"AAC"`` (ADTS)...; their length comes from the container, or from decoding the
        file when the container does not state it exactly.

    Raises
    ------
    AudioFileNotFoundError, AudioFileError
        As :func:`load`.

    Transforms: none (file I/O).
    """
    f, _, _, _ = _open_read("info", path)
    with f:
        if isinstance(f, LibavFile):
            fmt, sub = f.names
            frames = f.frames if f.frames != _UNKNOWN_FRAMES else f.count_frames()
        else:
            fmt, sub = format_names(f.format)
            frames = f.frames
        rate, ch = f.samplerate, f.channels
    return AudioInfo(frames, rate, ch, frames / rate, fmt, sub)


def stream(
    path,
    *,
    chunk_frames: int | None = None,
    chunk_duration: float | None = None,
    sr: int | None = None,
    offset: float = 0.0,
    duration: float | None = None,
    mono: bool = False,
    dtype: DType = "float32",
    layout: Layout = "channels_first",
    quality: Quality = "hq",
    strict: bool = True,
) -> Iterator[mx.array]:
    """Decode a file chunk by chunk in bounded memory.

    Every chunk but the last has ``chunk_frames`` frames at the output rate (``sr`` or native). The
    chunks concatenated along the time axis equal ``load(path, ...)`` with the same options exactly,
    also with ``sr=`` (libsoxr's output does not depend on how its input is split).

    Parameters
    ----------
    chunk_frames : int, optional
        Frames per chunk at the output rate. Give this or ``chunk_duration``; default one second.
    chunk_duration : float, optional
        Seconds per chunk: ``round(chunk_duration * output_sr)`` frames.
    sr, offset, duration, mono, dtype, layout, quality, strict
        As :func:`load`.

    Yields
    ------
    mx.array [shape=(channels, chunk)] (or (chunk, channels)), evaluated

    The file is opened (and missing files reported) when ``stream`` is called; it is closed when the
    iterator is exhausted, closed or garbage-collected.

    With ``MLXDSP_DECODE_THREADS`` > 1 (the default on machines with 2+ cores; see :func:`load`),
    compressed formats are decoded ahead on other threads while the chunks are consumed (two handles
    taking 8 s segments in turn where that is bit-identical), for chunks of 4096 frames or more;
    per handle at most one segment plus one block waits. The chunks are the same.

    Transforms: none (file I/O).
    """
    fn = "stream"
    sr, offset, duration = _check_load_options(
        fn, sr, offset, duration, mono, dtype, layout, quality, strict
    )
    if chunk_frames is not None and chunk_duration is not None:
        raise ParameterError(
            f"[{fn}] give chunk_frames={chunk_frames!r} or chunk_duration={chunk_duration!r}, not both"
        )
    if chunk_frames is not None:
        chunk_frames = _checks.positive_int(fn, "chunk_frames", chunk_frames)
    if chunk_duration is not None:
        chunk_duration = _checks.positive_number(fn, "chunk_duration", chunk_duration)
    f, raw, name, size = _open_read(fn, path)
    try:
        native = f.samplerate
        out_rate = sr or native
        if chunk_frames is None:
            secs = 1.0 if chunk_duration is None else chunk_duration
            chunk_frames = max(1, int(round(secs * out_rate)))
        start, n = _span(fn, f, raw, size, offset, duration)
        threads = decode_threads(fn)
    except BaseException:
        f.close()
        raise
    return _stream(
        fn,
        f,
        raw,
        name,
        size,
        start,
        n,
        native,
        out_rate,
        chunk_frames,
        mono,
        dtype,
        layout,
        quality,
        strict,
        threads,
    )


def _stream(
    fn,
    f,
    raw,
    name,
    size,
    start,
    n,
    native,
    out_rate,
    chunk,
    mono,
    dtype,
    layout,
    quality,
    strict,
    threads=1,
):
    with f:
        ch = f.channels
        out_ch = 1 if mono else ch
        resampler = (
            Resampler(_soxr, native, out_rate, out_ch, quality) if out_rate != native else None
        )
        # Input block per step: about one output chunk's worth of native frames.
        block = max(1, min(_BLOCK_FRAMES * 4, int(chunk * native / out_rate) or 1))
        left = n
        got_total = 0
        reason = None
        pending: list[np.ndarray] = []
        pending_len = 0
        direct = resampler is None and not (mono and ch > 1)
        mode = _direct_mode(f)  # raw PCM16 or a reader of our own, decided once per stream
        # Raw PCM16 to channels_first: de-interleaved by the reader, no transpose per chunk.
        # (only for chunks decoded into their own buffer: small ones are read interleaved, as in
        # _decode)
        planar = (
            direct
            and mode is not None
            and layout == "channels_first"
            and chunk * ch * 4 > _SMALL_RESULT_BYTES
        )
        if direct:
            block = chunk
        if block < _MIN_AHEAD_BLOCK or _cheap_to_decode(f):
            threads = 1  # handing blocks between threads would cost more than it saves
        if direct and threads < 2 and left > 0:  # plain WAV: a pread per chunk (mlxdsp/_io_wav.py)
            done = yield from _io_wav.stream_chunks(raw, f, start, n, block, layout, dtype)
            got_total += done
            left -= done
            if done and left > 0:  # that reader stopped early: libsndfile goes on (and reports)
                f.seek(start + done)
        small = None  # small chunks: one NumPy buffer, copied into MLX by _finish for each chunk
        while direct and threads < 2 and left > 0:  # decode straight into the yielded chunk
            want = min(block, left)
            shape = (ch, want) if planar else (want, ch)
            if 4 * ch * want > _SMALL_RESULT_BYTES:
                out = _result_buffer(shape)
            else:
                if small is None or small.shape != shape:
                    small = np.empty(shape, np.float32)
                out = small
            got, why = _readf(f, out, 0, want, mode, planar)
            reason = reason or why
            got_total += got
            left -= got
            if got < want:
                out = out[:, :got] if planar else out[:got]
            if got:
                yield _finish(out, layout, dtype, planar)
            if got < want:
                break
        # Otherwise blocks (decoded ahead on other threads when ``threads`` > 1, two handles taking
        # turns where that is bit-identical), copied out of the reused block buffers here.
        limit = _split_ok(f, raw, size, start, n, threads)
        blocks = _blocks(
            f,
            raw,
            name,
            start,
            0 if direct and threads < 2 else n,
            block,
            threads,
            limit,
            mode if direct else ...,
            planar,
        )
        with contextlib.closing(blocks):
            for buf, got, _, why in blocks:
                reason = reason or why
                got_total += got
                if direct:
                    if got:  # copied out of the reused block buffer by _finish
                        yield _finish(buf[:, :got] if planar else buf[:got], layout, dtype, planar)
                    continue
                x = buf[:got]
                if mono and ch > 1:
                    x = np.mean(x, axis=1, keepdims=True)
                if resampler is not None:
                    x = resampler.push(x)
                if x.shape[0]:
                    pending.append(x)
                    pending_len += x.shape[0]
                while pending_len >= chunk:
                    pending, pending_len, out = _take(pending, pending_len, chunk)
                    yield _finish(out, layout, dtype)
        expected = _expected(f, n)
        if reason is not None or (expected is not None and got_total < expected):
            _truncated(fn, name, got_total, expected, strict, reason)
        elif start + got_total == f.frames or expected is None:
            declared = _declared_frames(f, raw, size)
            if declared is not None:
                _truncated(fn, name, start + got_total, declared, strict)
        if resampler is not None:
            tail = resampler.flush()
            if tail.shape[0]:
                pending.append(tail)
                pending_len += tail.shape[0]
        while pending_len > 0:
            pending, pending_len, out = _take(pending, pending_len, min(chunk, pending_len))
            yield _finish(out, layout, dtype)


def _take(pending, pending_len, k):
    """Pop the first ``k`` frames off a list of [n, ch] blocks."""
    out, need, rest = [], k, []
    for i, blk in enumerate(pending):
        if need == 0:
            rest = pending[i:]
            break
        if blk.shape[0] <= need:
            out.append(blk)
            need -= blk.shape[0]
        else:
            out.append(blk[:need])
            rest = [blk[need:], *pending[i + 1 :]]
            need = 0
            break
    merged = out[0] if len(out) == 1 else np.concatenate(out)
    return rest, pending_len - k, merged


def batch_load(
    paths: Sequence,
    *,
    num_workers: int | None = None,
    sr: int | None = None,
    offset: float = 0.0,
    duration: float | None = None,
    mono: bool = False,
    dtype: DType = "float32",
    layout: Layout = "channels_first",
    quality: Quality = "hq",
    strict: bool = True,
) -> list[tuple[mx.array, int]]:
    """Load many files on a thread pool; decoding and resampling release the GIL.

    Results are in the order of ``paths`` and identical to ``[load(p, ...) for p in paths]``. The first
    failing file's error is raised (after the others finish).

    Parameters
    ----------
    paths : sequence of str or os.PathLike
    num_workers : int, optional
        Threads; default ``min(len(paths), os.cpu_count())``. Each file is decoded in
        ``os.cpu_count() // min(num_workers, len(paths))`` parts at once (at most
        ``MLXDSP_DECODE_THREADS``; see :func:`load`), so the threads never outnumber the cores.
    sr, offset, duration, mono, dtype, layout, quality, strict
        As :func:`load`, applied to every file.

    Returns
    -------
    list of (mx.array, int)

    Transforms: none (file I/O).
    """
    fn = "batch_load"
    if isinstance(paths, (str, bytes, os.PathLike)):
        raise ParameterError(f"[{fn}] paths={paths!r} must be a sequence of paths, not one path")
    paths = list(paths)
    sr, offset, duration = _check_load_options(
        fn, sr, offset, duration, mono, dtype, layout, quality, strict
    )
    if num_workers is None:
        num_workers = max(1, min(len(paths), os.cpu_count() or 1))
    num_workers = _checks.positive_int(fn, "num_workers", num_workers)
    _require_ext(fn)
    if not paths:
        return []

    # Never more decoding threads than cores: files in parallel first, then parts of each file.
    workers = min(num_workers, len(paths))
    threads = decode_threads(fn, cap=max(1, (os.cpu_count() or 1) // workers))

    def one(p):
        return _load_one(fn, p, sr, offset, duration, mono, dtype, layout, quality, strict, threads)

    if num_workers == 1 or len(paths) == 1:
        return [one(p) for p in paths]
    with ThreadPoolExecutor(max_workers=num_workers, thread_name_prefix="mlxdsp-load") as pool:
        futures = [pool.submit(one, p) for p in paths]
        return [fut.result() for fut in futures]


# --- writing ---------------------------------------------------------------------------------------

_MAX_CHANNELS = 1024


def _mp3_level(kbps: int, sr: int) -> float:
    """libsndfile's compression level for a constant MP3 bitrate (it maps level c linearly onto the
    bitrate range of the MPEG version the sample rate selects: 320..32 kbit/s for MPEG-1)."""
    lo, hi = (32, 320) if sr >= 32000 else (8, 160) if sr >= 16000 else (8, 64)
    return min(1.0, max(0.0, (hi - kbps) / (hi - lo)))


def _interleaved(fn: str, audio, layout: str) -> np.ndarray:
    """Any array -> float32 NumPy [frames, channels], possibly a strided view (no copy for float32)."""
    if isinstance(audio, mx.array):
        if not mx.issubdtype(audio.dtype, mx.floating) and not mx.issubdtype(
            audio.dtype, mx.integer
        ):
            raise ParameterError(f"[{fn}] audio.dtype={audio.dtype} must be real")
        if audio.dtype != mx.float32:
            audio = audio.astype(mx.float32)
        mx.eval(audio)
        x = np.asarray(audio)
    else:
        try:
            x = np.asarray(audio)
        except (TypeError, ValueError) as err:
            raise ParameterError(
                f"[{fn}] audio of type {type(audio).__name__} is not an array"
            ) from err
        if x.dtype.kind not in "fiub":
            raise ParameterError(f"[{fn}] audio.dtype={x.dtype} must be real")
        x = x.astype(np.float32, copy=False)
    if x.ndim == 1:
        x = x[:, None]
    elif x.ndim != 2:
        raise ParameterError(f"[{fn}] audio.shape={tuple(x.shape)} must be (frames,) or 2-D")
    elif layout == "channels_first":
        x = x.T
    if not 1 <= x.shape[1] <= _MAX_CHANNELS:
        hint = " (did you mean layout='channels_last'?)" if layout == "channels_first" else ""
        raise ParameterError(
            f"[{fn}] audio.shape={tuple(audio.shape)} with layout={layout!r} gives {x.shape[1]} "
            f"channels; must be 1..{_MAX_CHANNELS}{hint}"
        )
    return x


def save(
    path,
    audio,
    sr: int,
    *,
    layout: Layout = "channels_first",
    encoding: str | None = None,
    quality: float | None = None,
    bitrate: int | None = None,
    clip: bool = True,
) -> None:
    """Encode ``audio`` to ``path`` atomically; the extension picks the container.

    The file is written to a temporary name in the destination folder and renamed over ``path`` only
    after the encoder (libsndfile, or libav for M4A/MP4/AAC) has closed it without error: on any
    failure ``path`` is untouched. FLAC of at least 2^19 samples (pcm16/pcm24) is encoded in parts on
    ``MLXDSP_DECODE_THREADS`` threads (default 2) and stitched into the bytes one libsndfile pass writes.

    Parameters
    ----------
    path : str or os.PathLike
        ``.wav .w64 .rf64 .aiff/.aif/.aifc .caf .au .flac .ogg/.oga .opus .mp3``, and with the
        FFmpeg backend ``.m4a/.m4b .mp4 .aac`` (case-insensitive).
    audio : mx.array or array-like [shape=(channels, frames)] or (frames, channels) or (frames,)
        Real samples, nominally in [-1, 1]; cast to float32.
    sr : int
        Sample rate in Hz.
    layout : {"channels_first", "channels_last"}
        Layout of a 2-D ``audio``.
    encoding : str, optional
        WAV/W64/RF64/AIFF/CAF/AU: ``"float32"`` (default, lossless round trip), ``"pcm16"``, ``"pcm24"``,
        ``"pcm32"``, ``"float64"``, ``"pcm_u8"``, ``"ulaw"``, ``"alaw"`` (+ ``"ima_adpcm"`` in WAV);
        FLAC: ``"pcm16"`` (default), ``"pcm24"``; ``.ogg``: ``"vorbis"`` (default), ``"opus"``;
        ``.opus``: ``"opus"``; ``.mp3``: ``"mp3"``; ``.m4a/.m4b/.mp4``: ``"aac"`` (default),
        ``"alac16"``, ``"alac24"`` (lossless); ``.aac``: ``"aac"`` (ADTS).
    quality : float in [0, 1], optional
        Lossy encodings only: variable bitrate at this quality (1 = best); libsndfile's compression
        level is ``1 - quality``.
    bitrate : int, optional
        MP3: constant bitrate in kbit/s (32..320). AAC: 16..512 kbit/s (default 128).
    clip : bool
        Clamp to [-1, 1) before integer encodings (libsndfile's clipping); ``False`` lets values
        outside wrap around.

    Raises
    ------
    ParameterError
        Unknown extension, an encoding the container does not take, bad options or shapes.
    AudioFileError
        The encoder refused the format/rate/channels or writing failed; M4A needs the FFmpeg backend.

    Transforms: none (file I/O).
    """
    from . import _io_flac_save

    fn = "save"
    _require_ext(fn)
    raw, name = _fspath(fn, path)
    sr = _checks.positive_int(fn, "sr", sr)
    _checks.choice(fn, "layout", layout, Layout)
    _checks.boolean(fn, "clip", clip)
    ext = os.path.splitext(name)[1].lower()
    if ext in LIBAV_EXTENSIONS:
        if not _io_libav.available():
            raise AudioFileError(
                f"[{fn}] '{name}': writing {ext} needs libav; {_ENABLE_LIBAV}", name
            )
        _save_libav(fn, raw, name, ext, audio, sr, layout, encoding, quality, bitrate, clip)
        return
    if ext not in CONTAINERS:
        listed = ", ".join(sorted(CONTAINERS))
        raise ParameterError(f"[{fn}] extension {ext!r} of '{name}' is not one of {listed}")
    container, major, encodings, default = CONTAINERS[ext]
    encoding = _pick_encoding(fn, encoding, encodings, default, container)
    if quality is not None:
        quality = _checks.real_number(fn, "quality", quality, low=0.0, high=1.0)
        if encoding not in LOSSY:
            raise ParameterError(
                f"[{fn}] quality={quality!r} applies to lossy encodings only, not {encoding!r}"
            )
    if bitrate is not None:
        bitrate = _checks.positive_int(fn, "bitrate", bitrate)
        if encoding != "mp3":
            raise ParameterError(f"[{fn}] bitrate={bitrate!r} applies to encoding='mp3' only")
        if not 32 <= bitrate <= 320:
            raise ParameterError(f"[{fn}] bitrate={bitrate!r} must be in 32..320 kbit/s")
        if quality is not None:
            raise ParameterError(f"[{fn}] give quality or bitrate, not both")
    data = _interleaved(fn, audio, layout)
    tmp = _temp_target(fn, raw, name)
    fmt = major | encodings[encoding]
    with _replace_when_done(tmp, raw):
        # Long FLAC: parts encoded on several cores and stitched (mlxdsp/_io_flac_save.py), the same bytes.
        if container == "FLAC" and _io_flac_save.save(
            fn, tmp, name, data, sr, fmt, encoding, clip, decode_threads(fn)
        ):
            return
        try:
            f = _sndfile.open_write(tmp, name, fmt, sr, data.shape[1])
        except AudioFileError as err:
            raise _cannot_write(fn, name, f"{container} {encoding}", sr, data, err) from None
        with f:
            if encoding in INTEGER_ENCODINGS:
                f.set_clipping(clip)
            # libsndfile wants the compression level before the bitrate mode.
            if bitrate is not None:
                f.set_compression_level(_mp3_level(bitrate, sr))
                f.set_bitrate_mode(_sndfile.BITRATE_CONSTANT)
            elif quality is not None:
                f.set_compression_level(1.0 - quality)
                if encoding == "mp3":
                    f.set_bitrate_mode(_sndfile.BITRATE_VARIABLE)
            if encoding == "pcm16" and fmt & 0x0FFF0000 in _RAW_PCM16_CONTAINERS:
                f.write_pcm16(data, clip, f.raw_needs_endswap())
            else:
                # Blocks: libsndfile 1.2's Vorbis writer crashes on one multi-million-frame write
                # (found by the benchmark: 60 s stereo); blocks also avoid an interleaved full copy.
                step = 1 << 15 if encoding in LOSSY else 1 << 16
                for i in range(0, data.shape[0], step):
                    f.writef(np.ascontiguousarray(data[i : i + step]))


def _pick_encoding(fn, encoding, encodings, default, container):
    encoding = default if encoding is None else encoding
    if encoding not in encodings:
        listed = ", ".join(repr(e) for e in encodings)
        raise ParameterError(
            f"[{fn}] encoding={encoding!r} must be one of {listed} for {container}"
        )
    return encoding


def _cannot_write(fn, name, what, sr, data, err) -> AudioFileError:
    return AudioFileError(
        f"[{fn}] '{name}': cannot write {what} at {sr} Hz with {data.shape[1]} channels ({err})",
        name,
    )


@contextlib.contextmanager
def _replace_when_done(tmp: bytes, raw: bytes):
    """Rename ``tmp`` over ``raw`` when the block succeeds; delete ``tmp`` on any error."""
    try:
        yield
        os.replace(tmp, raw)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _temp_target(fn: str, raw: bytes, name: str) -> bytes:
    """A fresh temporary name next to ``raw`` (same folder: the final rename is atomic)."""
    folder = os.path.dirname(raw) or b"."
    if not os.path.isdir(folder):
        raise AudioFileNotFoundError(
            f"[{fn}] '{name}': folder {os.fsdecode(folder)!r} does not exist", name
        )
    if os.path.isdir(raw):
        raise AudioFileError(f"[{fn}] '{name}' is a directory", name)
    base = os.path.basename(raw)
    return os.path.join(
        folder, b".%s.%d.%s.tmp" % (base, threading.get_ident(), uuid.uuid4().hex[:12].encode())
    )


def _save_libav(fn, raw, name, ext, audio, sr, layout, encoding, quality, bitrate, clip):
    """``save`` to M4A/MP4 (AAC, ALAC) or ADTS AAC through libavformat/libavcodec, atomically."""
    _, encodings, default = _io_libav.SAVE_FORMATS[ext]
    encoding = _pick_encoding(fn, encoding, encodings, default, ext)
    if quality is not None:
        raise ParameterError(
            f"[{fn}] quality={quality!r} is not supported for {encoding!r}; give bitrate= (AAC)"
        )
    if bitrate is not None:
        bitrate = _checks.positive_int(fn, "bitrate", bitrate)
        if encoding != "aac":
            raise ParameterError(
                f"[{fn}] bitrate={bitrate!r} applies to lossy encodings only, not {encoding!r}"
            )
        if not 16 <= bitrate <= 512:
            raise ParameterError(f"[{fn}] bitrate={bitrate!r} must be in 16..512 kbit/s")
    if not clip and encoding != "aac":
        raise ParameterError(
            f"[{fn}] clip=False is not supported for {encoding!r} (libswresample saturates)"
        )
    data = _interleaved(fn, audio, layout)
    tmp = _temp_target(fn, raw, name)
    kbps = bitrate or _io_libav.DEFAULT_AAC_KBPS
    with _replace_when_done(tmp, raw):
        try:
            enc = _io_libav.open_write(tmp, name, ext, encoding, sr, data.shape[1], kbps)
        except AudioFileError as err:
            raise _cannot_write(fn, name, f"{ext} {encoding}", sr, data, err) from None
        try:
            step = 1 << 15
            for i in range(0, data.shape[0], step):
                enc.write(np.ascontiguousarray(data[i : i + step]))
            enc.close()
        except AudioFileError as err:
            enc.abort()
            raise AudioFileError(f"[{fn}] '{name}': writing failed ({err})", name) from None
        except BaseException:
            enc.abort()
            raise
