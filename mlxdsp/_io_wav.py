"""Short reads and streams of plain PCM/float WAV files without libsndfile (``_ext/_wavread.pyx``).

A 1 s read of a WAV file is mostly fixed cost: libsndfile's open (virtual I/O, header parse), the
Python glue of the general path, a fresh NumPy buffer. Here one C call opens the file and parses
its header (4 KiB, one ``pread``), a second reads exactly the frames asked for and converts them
(libsndfile's arithmetic: bit-identical) into a reused per-thread buffer, in the requested layout,
and ``mx.array`` copies that into MLX.

Only headers :mod:`mlxdsp._ext._wavread` reads exactly as libsndfile 1.2 does are taken; for any
other file, or a read that fails or comes up short, these functions return ``None`` / ``0`` and
the caller's libsndfile path runs unchanged (same samples, same errors, same ``strict=False``
prefix). Spans shorter than the general path's split threshold and results up to
:data:`_MAX_BYTES` only: longer spans are decoded in parts on several threads there, and the
buffer reused here stays small.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Generator

import mlx.core as mx
import numpy as np

try:
    from ._ext import _wavread
except ImportError:  # built without the I/O extension: the general path reports that
    _wavread = None

__all__ = ["load", "stream_chunks"]

# Largest result (float32 bytes) read here; the per-thread buffer holds one result plus its raw
# bytes (at most 2x), so it never exceeds 2 * _MAX_BYTES.
_MAX_BYTES = 2 << 20

_DTYPES = {"float16": mx.float16}
_local = threading.local()


# Where in a 4 KiB page the samples handed to mx.array start. MLX copies them into a fresh buffer
# that glibc places 24 bytes into a page (an mmap'd chunk, default malloc); a source at nearly the
# same page offset makes every load of the copy loop wait on an earlier store to the same 4 KiB
# alias (measured: 1 s stereo 300 us instead of 22 us). Half a page away never aliases.
_PAGE_OFFSET = 2048 + 24


def _unaliased(floats: int) -> np.ndarray:
    """A fresh float32 buffer of ``floats`` elements starting at :data:`_PAGE_OFFSET` in a page."""
    base = np.empty(floats + 1024, np.float32)
    skip = (_PAGE_OFFSET - base.ctypes.data) % 4096 // 4
    return base[skip : skip + floats]


def _buffer(floats: int) -> np.ndarray:
    """This thread's reused float32 buffer, grown to at least ``floats`` elements."""
    buf = getattr(_local, "buf", None)
    if buf is None or buf.shape[0] < floats:
        buf = _local.buf = _unaliased(max(floats, 1 << 16))
    return buf


def _to_mlx(x: np.ndarray, dtype: str) -> mx.array:
    a = mx.array(x)  # copies: the buffer is reused
    if dtype != "float32":
        a = a.astype(_DTYPES[dtype])
        mx.eval(a)
    return a


def load(path, sr, offset: float, duration, mono: bool, dtype: str, layout: str, max_seconds):
    """``(audio, rate)`` as ``mlxdsp.load`` returns it for a span shorter than ``max_seconds`` of a
    plain WAV file, or None (any other file or span; the caller then takes the general path).
    ``max_seconds``: the caller's split threshold (longer spans are decoded in parts there)."""
    if _wavread is None:
        return None
    try:
        raw = os.fsencode(path)
    except TypeError:
        return None  # the general path reports the bad path
    planar = layout == "channels_first" and not mono
    buf = _buffer(0)
    args = (offset, -1.0 if duration is None else duration, sr, planar)
    got = _wavread.read_span(raw, *args, buf, max_seconds, _MAX_BYTES)
    if type(got) is int:  # the buffer is too small: grow it and read again
        buf = _buffer(got)
        got = _wavread.read_span(raw, *args, buf, max_seconds, _MAX_BYTES)
    if type(got) is not tuple:
        return None
    rate, ch, n = got
    if mono and ch > 1:  # as mlxdsp._io._decode: NumPy's float32 mean over the interleaved frames
        out = np.empty((n, 1), np.float32)
        if n:
            np.mean(buf[: n * ch].reshape(n, ch), axis=1, keepdims=True, out=out)
        x = out.T if layout == "channels_first" else out
    else:  # (one channel: [n, 1] and [1, n] are the same memory)
        x = buf[: n * ch].reshape((ch, n) if layout == "channels_first" else (n, ch))
    return _to_mlx(x, dtype), rate


def stream_chunks(
    path: bytes, f, start: int, n: int, chunk: int, layout: str, dtype: str
) -> Generator[mx.array, None, int]:
    """Yield ``mlxdsp.stream``'s chunks of ``n`` frames from ``start`` (no resampling, no
    down-mix) when ``path`` is a plain WAV file that libsndfile's handle ``f`` describes the same
    way; return the frames yielded. Fewer than ``n`` (0 for any other file): the caller continues
    from ``start`` plus that many with ``f``, which reports whatever stopped this reader."""
    if _wavread is None or n <= 0:
        return 0
    r = _wavread.open_plain(path)
    if r is None:
        return 0
    try:
        ch = r.channels
        same = (r.samplerate, ch, r.frames, r.subtype) == (
            f.samplerate,
            f.channels,
            f.frames,
            f.format & 0xFFFF,
        )
        if not same or 4 * chunk * ch > _MAX_BYTES:
            return 0
        planar = layout == "channels_first"
        need = r.scratch_floats(min(chunk, n), planar)
        done = 0
        while done < n:
            k = min(chunk, n - done)
            # the thread's buffer: nothing else runs on this thread between the read and the copy
            buf = _buffer(need)
            if not r.read_into(buf, start + done, k, planar):
                break
            x = buf[: k * ch].reshape((ch, k) if planar else (k, ch))
            done += k
            yield _to_mlx(x, dtype)
        return done
    finally:
        r.close()
