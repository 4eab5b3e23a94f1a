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
# Samples per part: small enough that the threads finish together on a loaded machine (the tasks are
# taken in order by whichever thread is free), large enough that a part's setup (~0.1 ms) is noise.
PART_SAMPLES = 1 << 20
_MD5_FRAMES = 1 << 14
_BITS = {"pcm16": 16, "pcm24": 24}


def _bounds(frames: int, channels: int, threads: int) -> list[tuple[int, int]]:
    """(start, frames) of each part: whole blocks except the last part's tail, at least 2 blocks each."""
    block = _flacsave.BLOCKSIZE
    blocks = -(-frames // block)
    n_parts = max(threads, round(frames * channels / PART_SAMPLES))
    n_parts = max(1, min(n_parts, blocks // 2))
    per, extra = divmod(blocks, n_parts)
    out, start = [], 0
    for i in range(n_parts):
        stop = min(frames, start + (per + (i < extra)) * block)
        out.append((start, stop - start))
        start = stop
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
    ``threads`` threads. False: declined, nothing written (use the one-pass path)."""
    bps = _BITS.get(encoding)
    frames, channels = data.shape
    if _flacsave is None or bps is None or threads < 2 or frames * channels < MIN_SAMPLES:
        return False
    parts = [_flacsave.Part(s, n) for s, n in _bounds(frames, channels, threads)]
    if len(parts) < 2:
        return False
    stop = np.zeros(1, np.uint8)
    tasks: list = ["md5", *parts]
    results: dict = {}
    errors: list[BaseException] = []
    lock = threading.Lock()
    taken = [0]

    def work() -> None:
        while True:
            with lock:
                i = taken[0]
                taken[0] += 1
            if i >= len(tasks) or stop[0]:
                return
            try:
                if i == 0:
                    results["md5"] = _md5(data, bps, clip, stop)
                elif tasks[i].encode(data, sr, fmt, bps, clip, stop) != 0:
                    stop[0] = 1
            except BaseException as err:  # re-raised on the calling thread
                stop[0] = 1
                errors.append(err)
                return

    helpers = [
        threading.Thread(target=work, name="mlxdsp-flac-save", daemon=True)
        for _ in range(min(threads, len(tasks)) - 1)
    ]
    for t in helpers:
        t.start()
    work()
    for t in helpers:
        t.join()
    if errors:
        raise errors[0]
    digest = results.get("md5")
    if stop[0] or digest is None:
        return False
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    except OSError:
        return False  # the one-pass path reports it
    try:
        written = _flacsave.write_stream(fd, parts, digest, frames) == 0
    except OSError as err:
        raise AudioFileError(f"[{fn}] '{name}': writing FLAC failed ({err})", name) from None
    finally:
        os.close(fd)
    if not written:
        os.unlink(tmp)
    return written
