"""Ogg Vorbis decoded through libvorbis directly (``mlxdsp._ext._oggread``): the same libvorbis and
the same samples as libsndfile's reader, without its per-open decoder set-up (~0.4 ms of codebook
unpacking) and page-bisecting seek. Each file is indexed once per process (every page and packet
checked) and the index kept while the file is unchanged: same device, inode, size, mtime and ctime,
and the same bytes in its header pages and end page (a file rewritten in place within one tick of the
file system's coarse clock keeps its times; anything else changed in it fails the page CRCs and
granule checks while decoding, with an error, never other samples). Its readers share a pool of
synthesis states, so a short read of a file read before costs an open, two small preads, a table
lookup and the decoding.

Only what it decodes exactly as libsndfile does (``_oggread.vorbis_index`` says which); anything else,
and any file when ``MLXDSP_VORBIS_DECODER=libsndfile``, is read by libsndfile as before.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

from ._errors import AudioFileError

try:
    from ._ext import _oggread
except ImportError:  # built without libogg/libvorbis development files: libsndfile decodes
    _oggread = None

DISABLE_ENV = "MLXDSP_VORBIS_DECODER"  # "libsndfile": decode Ogg Vorbis through libsndfile
# A later part of a split decode costs ~0.2 ms (a thread start, an open with its index check, the
# restart, half a page of decoding) against ~1.9 ms of decoding per second: measured on the 180 s
# benchmark file at 120 s (quiet), one thread / two parts: 0.3 s 0.57 / 0.62 ms, 0.5 s 0.94 / 0.82,
# 1 s 1.91 / 1.32 (the first part longer by 0.05 s; 0 s or 0.1 s: 1.33, 1.37).
SPLIT_MIN_SECONDS = 0.4
SPLIT_EXTRA_SECONDS = 0.05
_CACHED_FILES = 16

VorbisReader = _oggread.VorbisReader if _oggread is not None else type("VorbisReader", (), {})
_indexes: OrderedDict = OrderedDict()  # file identity -> VorbisIndex, or None (not ours to decode)
_lock = threading.Lock()


def available() -> bool:
    return _oggread is not None


def vorbis_header(head: bytes) -> bool:
    """Whether the first bytes of an Ogg file are a first page holding one Vorbis identification
    header (30 bytes in one segment), as every Ogg Vorbis file's are."""
    return head[26:28] == b"\x01\x1e" and head[28:35] == b"\x01vorbis"


def open_read(raw: bytes, name: str, build: bool = True):
    """A reader of the Ogg Vorbis file at ``raw`` positioned at its first frame, or None when this
    module does not decode it (libsndfile does, or libavcodec with ``MLXDSP_OGG_DECODER=ffmpeg``).
    ``build=False``: None unless the file is indexed already (``info``: building an index and its
    first synthesis state costs twice libsndfile's open, and only a decode gains from them)."""
    if (
        _oggread is None
        or os.environ.get(DISABLE_ENV) == "libsndfile"
        or os.environ.get("MLXDSP_OGG_DECODER", "reference") != "reference"
    ):
        return None
    try:
        fd = os.open(raw, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        index = _index(fd, build)
    except BaseException:
        os.close(fd)
        raise
    if index is None:
        os.close(fd)
        return None
    return _oggread.open_vorbis(index, fd, name, SPLIT_MIN_SECONDS)  # it owns fd from here


def _index(fd: int, build: bool = True):
    """The file's ``VorbisIndex`` (built on first use, remembered by identity), or None."""
    st = os.fstat(fd)
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    with _lock:
        found = _indexes.get(key, False)
        if found is not False:
            _indexes.move_to_end(key)
    if found is None or (found is not False and found.matches(fd)):
        return found
    if not build:
        return None
    found = _oggread.vorbis_index(fd)
    with _lock:
        _indexes[key] = found
        while len(_indexes) > _CACHED_FILES:
            _indexes.popitem(last=False)
    return found


def reopen(raw: bytes, name: str):
    """Another reader of a file this module reads (for the parts of a split decode)."""
    g = open_read(raw, name)
    if g is None:
        raise AudioFileError(f"'{name}': the Ogg Vorbis file changed while it was read", name)
    return g
