# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Thin wrapper over libsndfile: open/read/seek/write/close with the GIL released.

Every return code is checked; errors carry the path. libsndfile keeps the reason a failed ``sf_open``
failed in process-global state (``sf_error(NULL)``/``sf_strerror(NULL)``), so opens run under a C lock
and the message is copied out before the lock is released: one thread's failure never shows up as
another thread's message. Once a handle exists, only its own ``sf_error(handle)`` is consulted.
Validation and conversion to ``mx.array`` live in Python (``mlxdsp/_io.py``).

Files opened for reading go through libsndfile's virtual I/O with a buffered ``pread`` source
(:c:type:`Source`): libsndfile reads unbuffered, so parsing a header costs one system call per field
and libmpg123 (MP3) reads every frame header and body with its own ``read`` call, also while it
parses its way to a seek target. From the buffer those are memory copies: the same bytes reach the
same decoders, so the samples are the same; reads of 8 KiB or more that the buffer does not hold
go straight to ``pread`` into the caller's memory.
"""

from cpython.pythread cimport (
    PyThread_type_lock, PyThread_allocate_lock, PyThread_acquire_lock, PyThread_release_lock, WAIT_LOCK,
)
from libc.errno cimport errno
from libc.stdint cimport int64_t
from libc.stdio cimport SEEK_CUR, SEEK_END, SEEK_SET
from libc.math cimport lrintf
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, strerror, strncpy
from posix.fcntl cimport O_RDONLY, open as c_open
from posix.stat cimport fstat, struct_stat
from posix.unistd cimport close as c_close, pread

cimport c_sndfile as c

from mlxdsp._errors import AudioFileError

cdef PyThread_type_lock _open_lock = PyThread_allocate_lock()
if _open_lock == NULL:
    raise MemoryError("cannot allocate the libsndfile open lock")

DEF _MSG = 512
# Read buffer of a Source: under glibc's mmap threshold (128 KiB), so it comes from the heap and its
# pages are reused instead of faulted in afresh for every open. Fills start at 4 KiB (a header
# parse reads a few hundred bytes) and double while reads continue.
DEF _BUF = 1 << 16
DEF _FIRST_FILL = 1 << 12
DEF _DIRECT = 1 << 13  # reads of at least this much (not in the buffer) bypass it

cdef extern from "<fcntl.h>":
    int O_CLOEXEC


cdef struct Source:
    int fd
    int64_t size
    int64_t pos     # logical position
    int64_t bstart  # file offset of buf[0]
    int64_t blen    # valid bytes in buf
    int64_t fill    # bytes the next refill asks for
    char *buf


cdef c.sf_count_t _src_len(void *h) noexcept nogil:
    return (<Source *> h).size


cdef c.sf_count_t _src_tell(void *h) noexcept nogil:
    return (<Source *> h).pos


cdef c.sf_count_t _src_seek(c.sf_count_t off, int whence, void *h) noexcept nogil:
    cdef Source *s = <Source *> h
    cdef int64_t p
    if whence == SEEK_SET:
        p = off
    elif whence == SEEK_CUR:
        p = s.pos + off
    elif whence == SEEK_END:
        p = s.size + off
    else:
        return -1
    if p < 0:
        return -1
    s.pos = p
    return p


cdef c.sf_count_t _src_read(void *dst, c.sf_count_t n, void *h) noexcept nogil:
    cdef Source *s = <Source *> h
    cdef char *out = <char *> dst
    cdef int64_t done = 0, k
    cdef Py_ssize_t got
    while done < n:
        if s.bstart <= s.pos < s.bstart + s.blen:  # from the buffer
            k = min(n - done, s.bstart + s.blen - s.pos)
            memcpy(out + done, s.buf + (s.pos - s.bstart), k)
            done += k
            s.pos += k
            continue
        if s.pos >= s.size:
            break
        if n - done >= _DIRECT:  # large reads go straight to the caller's memory
            got = pread(s.fd, out + done, n - done, s.pos)
            if got < 0:
                return -1 if done == 0 else done
            if got == 0:
                break
            done += got
            s.pos += got
            continue
        if s.pos != s.bstart + s.blen:
            s.fill = _FIRST_FILL  # a jump: start small again
        got = pread(s.fd, s.buf, s.fill, s.pos)
        if got < 0:
            return -1 if done == 0 else done
        if got == 0:
            break
        s.bstart = s.pos
        s.blen = got
        s.fill = min(<int64_t> _BUF, 2 * s.fill)
    return done


cdef c.SF_VIRTUAL_IO _vio
_vio.get_filelen = _src_len
_vio.seek = _src_seek
_vio.read = _src_read
_vio.write = NULL
_vio.tell = _src_tell

READ = c.SFM_READ
WRITE = c.SFM_WRITE
SUBMASK = c.SF_FORMAT_SUBMASK
TYPEMASK = c.SF_FORMAT_TYPEMASK
BITRATE_CONSTANT = c.SF_BITRATE_MODE_CONSTANT
BITRATE_AVERAGE = c.SF_BITRATE_MODE_AVERAGE
BITRATE_VARIABLE = c.SF_BITRATE_MODE_VARIABLE


def version():
    return c.sf_version_string().decode("ascii", "replace")


def format_check(int fmt, int samplerate, int channels):
    """True when libsndfile can write ``fmt`` with this rate and channel count."""
    cdef c.SF_INFO info
    info.frames = 0
    info.samplerate = samplerate
    info.channels = channels
    info.format = fmt
    info.sections = 0
    info.seekable = 0
    return c.sf_format_check(&info) == c.SF_TRUE


cdef class SndFile:
    """One open libsndfile handle. Use :func:`open_read` / :func:`open_write` to make one."""

    cdef c.SNDFILE *_sf
    cdef c.SF_INFO _info
    cdef Source _src  # reads of a handle opened for reading (libsndfile's virtual I/O)
    cdef readonly str path

    def __cinit__(self):
        self._sf = NULL
        self._src.fd = -1
        self._src.buf = NULL

    def __dealloc__(self):
        if self._sf != NULL:
            c.sf_close(self._sf)
            self._sf = NULL
        self._release_source()

    cdef void _release_source(self) noexcept:
        if self._src.fd >= 0:
            c_close(self._src.fd)
            self._src.fd = -1
        if self._src.buf != NULL:
            free(self._src.buf)
            self._src.buf = NULL

    @property
    def frames(self):
        return self._info.frames

    @property
    def samplerate(self):
        return self._info.samplerate

    @property
    def channels(self):
        return self._info.channels

    @property
    def format(self):
        return self._info.format

    @property
    def seekable(self):
        return bool(self._info.seekable)

    @property
    def closed(self):
        return self._sf == NULL

    cdef int _check_open(self) except -1:
        if self._sf == NULL:
            raise AudioFileError(f"'{self.path}': file is closed", self.path)
        return 0

    cdef str _strerror(self):
        return c.sf_strerror(self._sf).decode("utf-8", "replace")

    def seek(self, long long frame):
        """Seek to an absolute frame; returns the new position."""
        self._check_open()
        cdef c.sf_count_t pos
        with nogil:
            pos = c.sf_seek(self._sf, frame, SEEK_SET)
        if pos < 0:
            raise AudioFileError(
                f"'{self.path}': cannot seek to frame {frame}: {self._strerror()}", self.path
            )
        return pos

    def readf_into(self, float[:, ::1] out, Py_ssize_t start, Py_ssize_t frames):
        """Decode up to ``frames`` frames into rows ``start:start+frames`` of ``out`` [n, channels].

        Returns the number of frames decoded (fewer at end of stream). A decoder error raises.
        """
        self._check_open()
        if out.shape[1] != self._info.channels:
            raise ValueError(f"buffer has {out.shape[1]} channels, file has {self._info.channels}")
        if start < 0 or frames < 0 or start + frames > out.shape[0]:
            raise ValueError(f"rows {start}:{start + frames} outside buffer of {out.shape[0]}")
        if frames == 0:
            return 0
        cdef float *ptr = &out[start, 0]
        cdef c.sf_count_t got
        cdef int err
        with nogil:
            got = c.sf_readf_float(self._sf, ptr, frames)
            err = c.sf_error(self._sf)
        if got < 0 or (err != 0 and got < frames):
            raise AudioFileError(
                f"'{self.path}': decoding failed after {max(got, 0)} frames: {self._strerror()}",
                self.path,
                frames_decoded=max(got, 0),
            )
        return got

    def raw_needs_endswap(self):
        """True when the file's raw sample bytes are in the other byte order than this machine's."""
        self._check_open()
        return c.sf_command(self._sf, c.SFC_RAW_DATA_NEEDS_ENDSWAP, NULL, 0) == c.SF_TRUE

    def read_pcm16_into(self, float[:, ::1] out, Py_ssize_t start, Py_ssize_t frames, bint swap,
                        bint planar=False):
        """``readf_into`` for 16-bit PCM files: raw bytes in 256 KiB blocks, converted here.

        Same arithmetic as libsndfile (``sample * (1.0f / 0x8000)``, exact in float32), so the result
        is bit-identical, without libsndfile's small-buffer read loop. Only for PCM_16 containers
        (WAV/W64/RF64/AIFF/CAF/AU); ``swap`` from :meth:`raw_needs_endswap`. With ``planar``, ``out``
        is [channels, n] and frames go to columns ``start:start+frames`` (de-interleaved here, so a
        channels-first result needs no transpose).
        """
        self._check_open()
        cdef Py_ssize_t ch = self._info.channels
        cdef Py_ssize_t rows = out.shape[1] if planar else out.shape[0]
        if (out.shape[0] if planar else out.shape[1]) != ch:
            raise ValueError(f"buffer has shape ({out.shape[0]}, {out.shape[1]}), file has {ch} channels")
        if start < 0 or frames < 0 or start + frames > rows:
            raise ValueError(f"frames {start}:{start + frames} outside buffer of {rows}")
        if frames == 0:
            return 0
        cdef Py_ssize_t block = max(1, 131072 // ch)
        cdef short *tmp = <short *> malloc(block * ch * sizeof(short))
        if tmp == NULL:
            raise MemoryError()
        cdef float *base = &out[0, 0]
        cdef float *dst = base + (start if planar else start * ch)
        cdef float *d1
        cdef Py_ssize_t done = 0, want, i, n, k, j
        cdef c.sf_count_t got
        cdef unsigned short u
        cdef float scale = 1.0 / 32768.0
        cdef int err = 0
        with nogil:
            while done < frames:
                want = min(block, frames - done)
                got = c.sf_read_raw(self._sf, tmp, want * ch * sizeof(short))
                if got <= 0:
                    break
                n = <Py_ssize_t> (got // (ch * sizeof(short))) * ch
                if swap:
                    for i in range(n):
                        u = <unsigned short> tmp[i]
                        tmp[i] = <short> ((u >> 8) | (u << 8))
                if planar:
                    k = n // ch
                    if ch == 2:  # the common case, in a form the compiler vectorises
                        d1 = dst + rows
                        for i in range(k):
                            dst[i] = tmp[2 * i] * scale
                            d1[i] = tmp[2 * i + 1] * scale
                    else:
                        for i in range(k):
                            for j in range(ch):
                                dst[j * rows + i] = tmp[i * ch + j] * scale
                    dst += k
                else:
                    for i in range(n):
                        dst[i] = tmp[i] * scale
                    dst += n
                done += n // ch
                if got < want * ch * <c.sf_count_t> sizeof(short):
                    break
            err = c.sf_error(self._sf)
        free(tmp)
        if err != 0:
            raise AudioFileError(
                f"'{self.path}': decoding failed after {done} frames: {self._strerror()}",
                self.path,
                frames_decoded=done,
            )
        return done

    def writef(self, const float[:, ::1] data):
        """Encode all rows of ``data`` [n, channels]; raises unless every frame was written."""
        self._check_open()
        if data.shape[1] != self._info.channels:
            raise ValueError(f"data has {data.shape[1]} channels, file has {self._info.channels}")
        cdef Py_ssize_t n = data.shape[0]
        if n == 0:
            return 0
        cdef const float *ptr = &data[0, 0]
        cdef c.sf_count_t done
        with nogil:
            done = c.sf_writef_float(self._sf, ptr, n)
        if done != n:
            raise AudioFileError(
                f"'{self.path}': wrote {done} of {n} frames: {self._strerror()}", self.path
            )
        return done

    def write_pcm16(self, const float[:, :] data, bint clip, bint swap):
        """``writef`` for 16-bit PCM: convert here (any strides: a transposed view interleaves for
        free) and write raw bytes in 256 KiB blocks.

        The arithmetic is libsndfile's (pcm.c, f2les/f2les_clip): with clipping,
        ``lrintf(x * 2^31) >> 16`` saturated at +-1; without, ``lrintf(x * 32767)`` wrapping. So the file
        is byte-identical to ``writef`` with ``set_clipping(clip)``.
        """
        self._check_open()
        cdef Py_ssize_t ch = self._info.channels
        if data.shape[1] != ch:
            raise ValueError(f"data has {data.shape[1]} channels, file has {ch}")
        cdef Py_ssize_t n = data.shape[0]
        if n == 0:
            return 0
        cdef Py_ssize_t block = max(1, 131072 // ch)
        cdef short *tmp = <short *> malloc(block * ch * sizeof(short))
        if tmp == NULL:
            raise MemoryError()
        cdef Py_ssize_t done = 0, want, i, k, j
        cdef c.sf_count_t put = 0
        cdef float s
        cdef int v
        cdef unsigned short u
        cdef bint short_write = False
        with nogil:
            while done < n:
                want = min(block, n - done)
                j = 0
                for i in range(done, done + want):
                    for k in range(ch):
                        if clip:
                            s = data[i, k] * <float> 2147483648.0
                            if s >= <float> 2147483647.0:
                                v = 0x7FFF
                            elif s <= <float> -2147483648.0:
                                v = -0x8000
                            else:
                                v = (<int> lrintf(s)) >> 16
                        else:
                            v = <int> lrintf(data[i, k] * <float> 32767.0)
                        if swap:
                            u = <unsigned short> v
                            v = <short> ((u >> 8) | (u << 8))
                        tmp[j] = <short> v
                        j += 1
                put = c.sf_write_raw(self._sf, tmp, want * ch * sizeof(short))
                if put != want * ch * <c.sf_count_t> sizeof(short):
                    short_write = True
                    break
                done += want
        free(tmp)
        if short_write:
            raise AudioFileError(f"'{self.path}': wrote {done} of {n} frames: {self._strerror()}", self.path)
        return done

    def set_clipping(self, bint on):
        self._check_open()
        cdef int r = c.sf_command(self._sf, c.SFC_SET_CLIPPING, NULL, c.SF_TRUE if on else c.SF_FALSE)
        if bool(r) != bool(on):
            raise AudioFileError(f"'{self.path}': cannot set clipping={on}", self.path)

    def set_compression_level(self, double level):
        self._check_open()
        cdef double value = level
        cdef int r = c.sf_command(self._sf, c.SFC_SET_COMPRESSION_LEVEL, &value, sizeof(double))
        # libsndfile 1.2.0's MPEG encoder answers SF_FALSE on success: trust the handle's error code.
        if r != c.SF_TRUE and c.sf_error(self._sf) != 0:
            raise AudioFileError(
                f"'{self.path}': cannot set compression level {level}: {self._strerror()}", self.path
            )

    def set_bitrate_mode(self, int mode):
        self._check_open()
        cdef int value = mode
        cdef int r = c.sf_command(self._sf, c.SFC_SET_BITRATE_MODE, &value, sizeof(int))
        # libsndfile 1.2.0's MPEG encoder answers SF_FALSE on success: trust the handle's error code.
        if r != c.SF_TRUE and c.sf_error(self._sf) != 0:
            raise AudioFileError(
                f"'{self.path}': cannot set bitrate mode {mode}: {self._strerror()}", self.path
            )

    def log_info(self):
        """libsndfile's parse log of this handle (header warnings, e.g. a data chunk longer than the file)."""
        self._check_open()
        cdef char buf[4096]
        buf[0] = 0
        c.sf_command(self._sf, c.SFC_GET_LOG_INFO, buf, sizeof(buf))
        buf[sizeof(buf) - 1] = 0
        return buf.decode("utf-8", "replace")

    def close(self):
        """Close the handle (flushes and finalises headers when writing); raises on failure."""
        if self._sf == NULL:
            return
        cdef c.SNDFILE *sf = self._sf
        cdef int err
        self._sf = NULL
        with nogil:
            err = c.sf_close(sf)
        self._release_source()
        if err != 0:
            raise AudioFileError(
                f"'{self.path}': closing failed: {c.sf_error_number(err).decode('utf-8', 'replace')}",
                self.path,
            )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.close()
        elif self._sf != NULL:
            c.sf_close(self._sf)
            self._sf = NULL
            self._release_source()


cdef SndFile _open(bytes fspath, str path, int mode, int fmt, int samplerate, int channels):
    cdef SndFile f = SndFile.__new__(SndFile)
    cdef const char *cpath = fspath
    cdef c.SF_INFO info
    cdef c.SNDFILE *sf
    cdef int err = 0
    cdef char msg[_MSG]
    info.frames = 0
    info.samplerate = samplerate
    info.channels = channels
    info.format = fmt
    info.sections = 0
    info.seekable = 0
    msg[0] = 0
    cdef struct_stat st
    cdef int fd = -1
    if mode == c.SFM_READ:
        with nogil:
            fd = c_open(cpath, O_RDONLY | O_CLOEXEC)
            if fd >= 0 and fstat(fd, &st) != 0:
                c_close(fd)
                fd = -1
        if fd < 0:
            raise AudioFileError(f"System error : {strerror(errno).decode('utf-8', 'replace')}.", path)
        f._src.fd = fd
        f._src.size = st.st_size
        f._src.pos = f._src.bstart = f._src.blen = 0
        f._src.fill = _FIRST_FILL
        f._src.buf = <char *> malloc(_BUF)
        if f._src.buf == NULL:
            f._release_source()
            raise MemoryError()
    with nogil:
        PyThread_acquire_lock(_open_lock, WAIT_LOCK)
        if fd >= 0:
            sf = c.sf_open_virtual(&_vio, mode, &info, &f._src)
        else:
            sf = c.sf_open(cpath, mode, &info)
        if sf == NULL:
            err = c.sf_error(NULL)
            strncpy(msg, c.sf_strerror(NULL), _MSG - 1)
            msg[_MSG - 1] = 0
        PyThread_release_lock(_open_lock)
    f.path = path
    if sf == NULL:
        f._release_source()
        raise AudioFileError(msg.decode("utf-8", "replace"), path)
    f._sf = sf
    f._info = info
    if mode == c.SFM_READ and (info.channels <= 0 or info.samplerate <= 0 or info.frames < 0):
        f.close()
        raise AudioFileError(
            f"implausible header (channels={info.channels}, samplerate={info.samplerate}, "
            f"frames={info.frames})",
            path,
        )
    return f


def open_read(bytes fspath, str path):
    """Open for reading; the format is detected from the content. Raises AudioFileError(reason)."""
    return _open(fspath, path, c.SFM_READ, 0, 0, 0)


def open_write(bytes fspath, str path, int fmt, int samplerate, int channels):
    """Create ``fspath`` for writing with libsndfile format ``fmt``."""
    return _open(fspath, path, c.SFM_WRITE, fmt, samplerate, channels)
