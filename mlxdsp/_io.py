"""Audio file I/O: ``load``, ``save``, ``info``, ``stream``, ``batch_load``.

Decoding runs in C (libsndfile, libsoxr through the Cython wrappers in ``mlxdsp._ext``) with the GIL
released. A full load decodes straight into a freshly allocated ``mx.array`` buffer (one pass, no second
buffer: DESIGN.md, "decoded audio must be copied into MLX on Linux"). Options are validated here; the
wrappers only open, read, seek, write and report errors.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import uuid
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import mlx.core as mx
import numpy as np

from . import _checks, _io_libav
from ._audioinfo import (
    CONTAINERS,
    INTEGER_ENCODINGS,
    LIBAV_EXTENSIONS,
    LOSSY,
    AudioInfo,
    format_names,
)
from ._errors import AudioFileError, AudioFileNotFoundError, ParameterError
from ._io_libav import LibavFile
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


def _head(name: str, n: int = 64) -> bytes:
    try:
        with open(name, "rb") as fp:
            return fp.read(n)
    except OSError:
        return b""


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
    return _io_libav.fast_reader(fn, f, raw, name), raw, name, st.st_size


def _declared_frames(f, raw: bytes, size: int) -> int | None:
    """Frames the container header promised, when the file holds fewer (a cut-off download)."""
    if isinstance(f, LibavFile):  # its stated length is f.frames: a short decode says so itself
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


def _pcm16_swap(f) -> bool | None:
    """For 16-bit PCM in a plain container: whether raw samples need a byte swap; otherwise None."""
    if isinstance(f, LibavFile):
        return None
    fmt = f.format
    if fmt & 0xFFFF != 0x0002 or fmt & 0x0FFF0000 not in _RAW_PCM16_CONTAINERS:
        return None
    return f.raw_needs_endswap()


def _readf(f, buf, start: int, want: int, swap=..., planar=False) -> tuple[int, str | None]:
    """``readf_into`` that reports a decoder error as ``(frames decoded, reason)`` instead of raising.

    16-bit PCM goes through the raw reader; ``swap`` (from :func:`_pcm16_swap`) may be passed in
    to skip the per-call format check. ``planar`` (raw 16-bit PCM only): ``buf`` is [channels, n].
    """
    if want == 0:
        return 0, None
    try:
        fast = _pcm16_swap(f) if swap is ... else swap
        if fast is not None:
            return f.read_pcm16_into(buf, start, want, fast, planar), None
        return f.readf_into(buf, start, want), None
    except AudioFileError as err:
        return err.frames_decoded or 0, str(err).split(": ", 1)[-1]


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


def _span(fn, f, offset: float, duration: float | None) -> tuple[int, int]:
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
        f.seek(start)
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


def _decode(fn, f, raw, name, size, start, n, *, mono, strict, planar=False):
    """Decode ``n`` frames from the current position. Returns mx [m, ch'] (ch' = 1 if mono), evaluated,
    ``ch'`` and whether the array is [ch', m] instead: ``planar`` asks for that where the decoder can
    write it directly (raw 16-bit PCM; a channels-first result then needs no transpose)."""
    ch = f.channels
    out_ch = 1 if mono else ch
    trusted = n != _UNKNOWN_FRAMES and n * ch * 4 <= _MAX_BYTES_PER_FILE_BYTE * size + (64 << 20)
    swap = _pcm16_swap(f) if planar and trusted and not (mono and ch > 1) else None
    if swap is not None:
        out = mx.zeros((ch, n), mx.float32)
        mx.eval(out)
        got, reason = _readf(f, out, 0, n, swap, planar=True)
        data = out if got == n else out[:, :got]
    elif trusted and not (mono and ch > 1):
        # The fast path: decode straight into the buffer that becomes the result.
        out = mx.zeros((n, ch), mx.float32)
        mx.eval(out)
        got, reason = _readf(f, out, 0, n)
        data = out
    else:
        if trusted:
            tmp = np.empty((n, ch), np.float32)
            got, reason = _readf(f, tmp, 0, n)
            tmp = tmp[:got]
        else:
            tmp, got, reason = _read_blocks(f, n)
        data = None
        if mono and ch > 1:
            data = mx.zeros((got, 1), mx.float32)
            mx.eval(data)
            if got:
                np.mean(tmp, axis=1, keepdims=True, out=np.asarray(memoryview(data)))
        else:
            data = mx.array(tmp)
    expected = _expected(f, n)
    if reason is not None or (expected is not None and got < expected):
        _truncated(fn, name, got, expected, strict, reason)
    elif start + got == f.frames or expected is None:
        # Reached the end the header promised: check whether the container says more was cut off.
        declared = _declared_frames(f, raw, size)
        if declared is not None:
            _truncated(fn, name, start + got, declared, strict)
    if swap is None and got < data.shape[0]:
        data = data[:got]
    return data, out_ch, swap is not None


def _finish(data: mx.array, layout: str, dtype: str, planar: bool = False) -> mx.array:
    """[frames, ch] float32 (``planar``: [ch, frames]) -> the requested layout and dtype, evaluated."""
    if (layout == "channels_first") != planar:
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


def _decode_resampled(fn, f, raw, name, size, start, n, *, sr, mono, quality, strict):
    """Decode block by block straight into libsoxr, which writes into the result buffer: the native-
    rate signal never exists in full (less memory, and each block is resampled while in cache)."""
    ch = f.channels
    out_ch = 1 if mono else ch
    r = Resampler(_soxr, f.samplerate, sr, out_ch, quality)
    out = mx.zeros((r.capacity(n), out_ch), mx.float32)
    mx.eval(out)
    outv = np.asarray(memoryview(out))
    step = 1 << 16
    buf = np.empty((min(step, n), ch), np.float32)
    got_total, pos, reason = 0, 0, None
    while got_total < n:
        want = min(step, n - got_total)
        got, reason = _readf(f, buf, 0, want)
        got_total += got
        x = buf[:got]
        if mono and ch > 1:
            x = np.mean(x, axis=1, keepdims=True)
        pos = r.feed_into(x, outv, pos)
        if got < want:
            break
    expected = _expected(f, n)
    if reason is not None or (expected is not None and got_total < expected):
        _truncated(fn, name, got_total, expected, strict, reason)
    elif start + got_total == f.frames:
        declared = _declared_frames(f, raw, size)
        if declared is not None:
            _truncated(fn, name, start + got_total, declared, strict)
    pos = r.flush_into(outv, pos)
    return out[:pos]


def _load_one(fn, path, sr, offset, duration, mono, dtype, layout, quality, strict):
    f, raw, name, size = _open_read(fn, path)
    with f:
        native = f.samplerate
        start, n = _span(fn, f, offset, duration)
        if (
            sr is not None
            and sr != native
            and n != _UNKNOWN_FRAMES
            and n * f.channels * 4 <= (_MAX_BYTES_PER_FILE_BYTE * size + (64 << 20))
        ):
            data = _decode_resampled(
                fn, f, raw, name, size, start, n, sr=sr, mono=mono, quality=quality, strict=strict
            )
            return _finish(data, layout, dtype), sr
        planar = layout == "channels_first" and (sr is None or sr == native)
        data, ch, planar = _decode(
            fn, f, raw, name, size, start, n, mono=mono, strict=strict, planar=planar
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

    Parameters
    ----------
    path : str or os.PathLike
    sr : int, optional
        Resample to this rate with libsoxr (``quality``). ``None`` keeps the native rate.
    offset : float
        Start, in seconds: the first frame is ``round(offset * native_sr)``. Seeking costs the same at
        any offset (no decoding from the start), except MP3 (mpg123 parses frame headers from the start)
        and FFmpeg-backend files whose timestamps do not resolve single samples (WebM's 1 ms, ASF):
        those decode forward from the start, still sample-accurately. An offset past the end gives zero
        frames.
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
    return _load_one(fn, path, sr, offset, duration, mono, dtype, layout, quality, strict)


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
        start, n = _span(fn, f, offset, duration)
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
    )


def _stream(
    fn, f, raw, name, size, start, n, native, out_rate, chunk, mono, dtype, layout, quality, strict
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
        swap = _pcm16_swap(f)  # raw PCM16 reader, decided once per stream
        # Raw PCM16 to channels_first: de-interleaved by the reader, no transpose per chunk.
        planar = direct and swap is not None and layout == "channels_first"
        if direct:
            block = chunk
        while left > 0:
            want = min(block, left)
            if direct:  # decode straight into the chunk that is yielded
                out = mx.zeros((ch, want) if planar else (want, ch), mx.float32)
                mx.eval(out)
                got, why = _readf(f, out, 0, want, swap, planar)
                reason = reason or why
                got_total += got
                left -= got
                if got < want:
                    out = out[:, :got] if planar else out[:got]
                if got:
                    yield _finish(out, layout, dtype, planar)
                if got < want:
                    break
                continue
            buf = np.empty((want, ch), np.float32)
            got, why = _readf(f, buf, 0, want)
            reason = reason or why
            got_total += got
            left -= got
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
                yield _finish(mx.array(out), layout, dtype)
            if got < want:
                break
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
            yield _finish(mx.array(out), layout, dtype)


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
        Threads; default ``min(len(paths), os.cpu_count())``.
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

    def one(p):
        return _load_one(fn, p, sr, offset, duration, mono, dtype, layout, quality, strict)

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
    failure ``path`` is untouched.

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
