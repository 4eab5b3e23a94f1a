"""FLAC save on several cores, byte-identical to libsndfile's one-pass encode.

libsndfile writes FLAC through libFLAC at compression level 5, whose frames (fixed 4096-sample blocks,
mid/side decided per frame) depend only on their own samples and their number. So the signal is cut
on block boundaries into parts that worker threads encode at the same time, each through libsndfile
into memory (:class:`mlxdsp._ext._flacsave.Part`), while one task hashes the whole signal for
STREAMINFO's MD5; :func:`mlxdsp._ext._flacsave.write_stream` renumbers the frames (header CRC-8 and
frame CRC-16 updated) and writes one stream. The encoder is whatever libsndfile (and with it libFLAC)
this process loaded, as for the one-pass path, so the bytes are those of ``soundfile.write`` with
``subtype="PCM_16"``/``"PCM_24"`` whichever of the two paths runs.

:func:`save` declines (returns False, having written nothing) for short signals, one thread,
``pcm_s8``, samples that do not fit the bit depth (``clip=False`` out of range, NaN) and anything the
stitcher does not recognise; ``save()`` then runs the one-pass libsndfile encode.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading

import numpy as np

from ._errors import AudioFileError

try:
    from ._ext import _flacsave
except ImportError:  # built without libFLAC: the one-pass path only
    _flacsave = None

# Below this many samples (frames x channels; ~6 s of 44.1 kHz stereo) one pass is as fast: the parts'
# setup and the separate MD5 pass are not repaid.
MIN_SAMPLES = 1 << 19
# Smallest part (samples). Parts shrink towards the end of the signal (each about a quarter of what is
# left per thread), so the threads finish together on a busy machine; a part's setup is ~0.1 ms.
MIN_PART_SAMPLES = 1 << 18
_MD5_FRAMES = 1 << 14
_BITS = {"pcm16": 16, "pcm24": 24}


def _bounds(frames: int, channels: int, threads: int) -> list[tuple[int, int]]:
    """(start, frames) of each part: whole blocks but for the last part's tail, at least
    ``MIN_PART_SAMPLES`` each, sizes decreasing (guided scheduling)."""
    block = _flacsave.BLOCKSIZE
    blocks = -(-frames // block)
    least = max(2, -(-MIN_PART_SAMPLES // (channels * block)))
    out, b = [], 0
    while b < blocks:
        size = max(least, -(-(blocks - b) // (2 * threads)))
        if blocks - b - size < least:
            size = blocks - b
        start, stop = b * block, min(frames, (b + size) * block)
        out.append((start, stop - start))
        b += size
    return out


def _md5(data: np.ndarray, bps: int, clip: bool, stop: np.ndarray) -> bytes | None:
    """MD5 of the samples as FLAC hashes them (little-endian ``bps // 8``-byte integers, interleaved);
    None if a sample does not fit or another task failed."""
    h = hashlib.md5(usedforsecurity=False)
    buf = np.empty(_MD5_FRAMES * data.shape[1] * (bps // 8), np.uint8)
    for s in range(0, data.shape[0], _MD5_FRAMES):
        if stop[0]:
            return None
        k = _flacsave.pcm_bytes(data, s, min(_MD5_FRAMES, data.shape[0] - s), bps, clip, buf)
        if k < 0:
            stop[0] = 1
            return None
        h.update(buf[:k])  # releases the GIL (hashlib does for >= 2 KiB)
    return h.digest()


class _Job:
    """The tasks of one save (the MD5, then the parts in signal order), taken by whichever thread is
    free; finished parts are appended to the file in order as soon as their predecessors are."""

    def __init__(self, fd, data, sr, fmt, bps, clip, parts):
        self.fd, self.data, self.sr, self.fmt, self.bps, self.clip = fd, data, sr, fmt, bps, clip
        self.parts = parts
        self.stop = np.zeros(1, np.uint8)
        self.md5: bytes | None = None
        self.errors: list[BaseException] = []
        self.ready = [False] * len(parts)
        self.written = 0
        self.lock = threading.Lock()
        self.write_lock = threading.Lock()
        self.taken = 0

    def work(self) -> None:
        while True:
            with self.lock:
                i = self.taken
                self.taken += 1
            if i > len(self.parts) or self.stop[0]:
                return
            try:
                if i == 0:
                    self.md5 = _md5(self.data, self.bps, self.clip, self.stop)
                else:
                    self._part(i - 1)
            except BaseException as err:  # re-raised on the calling thread
                self.stop[0] = 1
                self.errors.append(err)
                return

    def _part(self, i: int) -> None:
        part = self.parts[i]
        last = i == len(self.parts) - 1
        if part.encode(self.data, self.sr, self.fmt, self.bps, self.clip, self.stop) != 0:
            self.stop[0] = 1
            return
        if part.finish(_flacsave.BLOCKSIZE, last) != 0:
            self.stop[0] = 1
            return
        with self.write_lock:
            self.ready[i] = True
            while self.written < len(self.parts) and self.ready[self.written] and not self.stop[0]:
                self.parts[self.written].write(self.fd, self.written == 0)
                self.written += 1


def save(
    fn: str,
    tmp: bytes,
    name: str,
    data: np.ndarray,
    sr: int,
    fmt: int,
    encoding: str,
    clip: bool,
    threads: int,
) -> bool:
    """Write ``data`` [frames, channels] float32 (any strides) as FLAC to ``tmp`` in parts on
    ``threads`` threads. False: declined, ``tmp`` removed (use the one-pass path)."""
    bps = _BITS.get(encoding)
    frames, channels = data.shape
    if _flacsave is None or bps is None or threads < 2 or frames * channels < MIN_SAMPLES:
        return False
    bounds = _bounds(frames, channels, threads)
    if len(bounds) < 2:
        return False
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    except OSError:
        return False  # the one-pass path reports it
    ok = False
    try:
        job = _Job(fd, data, sr, fmt, bps, clip, [_flacsave.Part(s, n) for s, n in bounds])
        helpers = [
            threading.Thread(target=job.work, name="mlxdsp-flac-save", daemon=True)
            for _ in range(min(threads, len(bounds) + 1) - 1)
        ]
        for t in helpers:
            t.start()
        try:
            job.work()
        finally:  # also on KeyboardInterrupt: no thread may write to fd once it is closed
            if sys.exc_info()[0] is not None:
                job.stop[0] = 1
            for t in helpers:
                t.join()
        if job.errors:
            err = job.errors[0]
            if isinstance(err, OSError):
                raise AudioFileError(
                    f"[{fn}] '{name}': writing FLAC failed ({err})", name
                ) from None
            raise err
        if job.stop[0] or job.md5 is None or job.written != len(job.parts):
            return False
        try:
            _flacsave.write_streaminfo(
                fd,
                job.parts[0],
                job.md5,
                frames,
                min(p.min_size for p in job.parts),
                max(p.max_size for p in job.parts),
            )
        except OSError as err:
            raise AudioFileError(f"[{fn}] '{name}': writing FLAC failed ({err})", name) from None
        ok = True
    finally:
        os.close(fd)
        if not ok:
            os.unlink(
                tmp
            )  # declined or failed: nothing left behind (save() also cleans up on errors)
    return True
