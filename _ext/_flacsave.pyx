# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""FLAC save in parts: each part is a whole FLAC stream written by libsndfile (the libsndfile, hence the
libFLAC, that this process loaded: the bundled one of ``soundfile`` when it was imported first) to
memory; the parts are stitched into one stream.

libsndfile encodes FLAC at libFLAC's compression level 5: fixed 4096-sample blocks, mid/side chosen
per frame (no loose mid/side), so a frame's bytes depend only on its own samples and its number. A
part that starts on a block boundary therefore yields the frames the whole-signal encode would, but
for the frame number in each header (UTF-8 coded, so its length can change), the header's CRC-8 and
the frame's CRC-16. :meth:`Part.finish` rewrites those three (the CRC-16 from the stored one, without
reading the frame body), :meth:`Part.write` appends the frames with ``writev`` (the first part with
its metadata), and :func:`write_streaminfo` patches STREAMINFO at the end (total samples, min/max frame
size, the MD5 of the whole signal, which the caller computes from :func:`pcm_bytes`). Each part is
checked on the way (block size, frame count, sync codes, frame numbers, header CRC-8s); anything
unexpected makes the caller fall back to the one-pass libsndfile encode.

The samples reach libsndfile as integers (``sf_writef_int``: ``v << 16`` for 16-bit, which libsndfile
shifts back): the float -> integer conversion is done here, with libsndfile 1.2's arithmetic for FLAC
(flac.c: ``f2flac16_clip_array``/``f2flac16_array`` and the 24-bit ones), so the MD5 is over exactly
the samples encoded and the stream equals libsndfile's float path bit for bit. Any sample that does not
fit the bit depth (``clip=False`` out of range, NaN) is refused here: the caller then uses the one-pass
path, whose behaviour for such samples is libsndfile's.
"""

from libc.errno cimport EINTR, errno
from libc.math cimport lrintf
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy
from posix.uio cimport iovec, writev
from posix.unistd cimport pwrite
from os import strerror as os_strerror

cimport c_sndfile as c

cdef extern from "sndfile.h" nogil:
    c.sf_count_t sf_writef_int(c.SNDFILE *sndfile, const int *ptr, c.sf_count_t frames)

DEF _CHUNK = 4096       # frames converted and handed to libsndfile at a time
DEF _IOV_MAX = 1024
DEF _MAX_HEADER = 16    # sync(2) + codes(2) + number(<= 7) + block size(<= 2) + rate(<= 2) + CRC-8
DEF _STREAMINFO_END = 42  # "fLaC" + block header + 34 bytes

DEF _BLOCKSIZE = 4096
BLOCKSIZE = _BLOCKSIZE  # libFLAC's block size at compression level 5 (libsndfile's default)

# Failure codes of Part.encode (0 = success).
cpdef enum:
    OUT_OF_RANGE = 1  # a sample does not fit the bit depth: use the one-pass path
    OPEN_FAILED = 2
    WRITE_FAILED = 3
    NO_MEMORY = 4
    STOPPED = 5       # another part failed first


cdef uint8_t _CRC8[256]
cdef uint16_t _CRC16[256]


cdef void _init_tables() noexcept:
    cdef int i, j
    cdef unsigned int r
    for i in range(256):
        r = i
        for j in range(8):
            r = ((r << 1) ^ 0x07) if r & 0x80 else (r << 1)
        _CRC8[i] = <uint8_t> (r & 0xFF)
        r = i << 8
        for j in range(8):
            r = ((r << 1) ^ 0x8005) if r & 0x8000 else (r << 1)
        _CRC16[i] = <uint16_t> (r & 0xFFFF)


_init_tables()


cdef inline uint8_t _crc8(const uint8_t *p, Py_ssize_t n) noexcept nogil:
    cdef uint8_t crc = 0
    cdef Py_ssize_t i
    for i in range(n):
        crc = _CRC8[crc ^ p[i]]
    return crc


cdef inline uint16_t _crc16(const uint8_t *p, Py_ssize_t n) noexcept nogil:
    cdef uint16_t crc = 0
    cdef Py_ssize_t i
    for i in range(n):
        crc = <uint16_t> ((crc << 8) ^ _CRC16[(crc >> 8) ^ p[i]])
    return crc


cdef inline uint16_t _mulmod(uint16_t a, uint16_t b) noexcept nogil:
    """a * b modulo FLAC's CRC-16 polynomial x^16 + x^15 + x^2 + 1 (GF(2) coefficients)."""
    cdef unsigned int r = 0
    cdef int i
    for i in range(15, -1, -1):
        r = ((r << 1) ^ 0x8005) if r & 0x8000 else (r << 1)
        r &= 0xFFFF
        if (b >> i) & 1:
            r ^= a
    return <uint16_t> r


cdef uint16_t _x8n(uint64_t n) noexcept nogil:
    """x^(8 n) modulo the CRC-16 polynomial: what appending n bytes does to a CRC."""
    cdef uint16_t result = 1, base = 0x0100
    while n:
        if n & 1:
            result = _mulmod(result, base)
        base = _mulmod(base, base)
        n >>= 1
    return result


cdef inline int _utf8_len(uint8_t b) noexcept nogil:
    if b < 0x80:
        return 1
    if b & 0xE0 == 0xC0:
        return 2
    if b & 0xF0 == 0xE0:
        return 3
    if b & 0xF8 == 0xF0:
        return 4
    if b & 0xFC == 0xF8:
        return 5
    if b & 0xFE == 0xFC:
        return 6
    if b == 0xFE:
        return 7
    return 0


cdef inline uint64_t _utf8_value(const uint8_t *p, int n) noexcept nogil:
    cdef uint64_t v
    cdef int i
    if n == 1:
        return p[0]
    v = p[0] & (0xFF >> (n + 1)) if n < 7 else 0
    for i in range(1, n):
        v = (v << 6) | (p[i] & 0x3F)
    return v


cdef inline int _utf8_put(uint8_t *out, uint64_t v) noexcept nogil:
    cdef int n, i
    if v < 0x80:
        out[0] = <uint8_t> v
        return 1
    if v < 0x800:
        n = 2
    elif v < 0x10000:
        n = 3
    elif v < 0x200000:
        n = 4
    elif v < 0x4000000:
        n = 5
    elif v < (<uint64_t> 1 << 31):
        n = 6
    else:
        n = 7
    for i in range(n - 1, 0, -1):
        out[i] = <uint8_t> (0x80 | (v & 0x3F))
        v >>= 6
    out[0] = <uint8_t> (((0xFF00 >> n) & 0xFF) | v) if n < 7 else 0xFE
    return n


cdef extern from *:
    """
    /* libsndfile 1.2 flac.c's float -> integer conversion for FLAC (f2flac16_clip_array,
       f2flac16_array and the 24-bit ones), in float arithmetic as there: with clipping
       x * 2^(bps-1) saturated at 2^(bps-1) - 1 and -2^(bps-1), else rounded to nearest (lrintf);
       without, lrintf(x * (2^(bps-1) - 1)). Any sample that does not fit (NaN, or out of range
       without clipping) makes it return -1. One channel at a time, so the inner loops are plain
       strided reads the compiler vectorises when the channel is contiguous.
       mode 0: int32 shifted left by 32 - bps (what sf_writef_int takes back to bps bits);
       mode 1: little-endian bps/8-byte integers (the bytes FLAC's MD5 is over). */
    static int mlxdsp_flac_convert(const char *base, Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t start,
                                   Py_ssize_t n, int ch, int bps, int clip, int mode, void *out)
    {
        const float scale = clip ? (float) (1L << (bps - 1)) : (float) ((1L << (bps - 1)) - 1);
        const float hi = (float) ((1L << (bps - 1)) - 1), lo = -(float) (1L << (bps - 1));
        const int top = (1 << (bps - 1)) - 1, bottom = -(1 << (bps - 1)), shift = 32 - bps;
        const int width = bps / 8;
        int bad = 0;
        for (int k = 0; k < ch; k++) {
            const char *p = base + start * s0 + k * s1;
            int32_t *o32 = (int32_t *) out + k;
            unsigned char *o8 = (unsigned char *) out + (Py_ssize_t) k * width;
            for (Py_ssize_t i = 0; i < n; i++) {
                float s = *(const float *) (p + i * s0) * scale;
                int v;
                if (clip) {
                    bad |= s != s;
                    s = s < hi ? s : hi;
                    s = s > lo ? s : lo;
                    v = (int) lrintf(s);
                } else {
                    long w = lrintf(s);
                    bad |= (w > top) | (w < bottom);
                    v = (int) w;
                }
                if (mode == 0) {
                    o32[i * ch] = (int32_t) ((uint32_t) v << shift);
                } else {
                    unsigned char *q = o8 + (i * ch) * width;
                    q[0] = (unsigned char) v;
                    q[1] = (unsigned char) (v >> 8);
                    if (width == 3)
                        q[2] = (unsigned char) (v >> 16);
                }
            }
        }
        return bad ? -1 : 0;
    }
    """
    int _convert "mlxdsp_flac_convert" (const char *base, Py_ssize_t s0, Py_ssize_t s1,
                                        Py_ssize_t start, Py_ssize_t n, int ch, int bps, int clip,
                                        int mode, void *out) nogil


def pcm_bytes(const float[:, :] data, Py_ssize_t start, Py_ssize_t n, int bps, bint clip,
              unsigned char[::1] out):
    """Frames [start, start + n) of ``data`` [frames, channels] as the little-endian ``bps // 8``-byte
    integers FLAC's MD5 is over, into ``out``; returns the byte count, or -1 if a sample does not fit."""
    cdef int ch = data.shape[1]
    cdef Py_ssize_t nbytes = n * ch * (bps // 8)
    if bps not in (16, 24) or start < 0 or n < 0 or start + n > data.shape[0] or out.shape[0] < nbytes:
        raise ValueError(f"pcm_bytes: bad range {start}+{n} of {data.shape[0]}, bps or buffer size")
    if n == 0:
        return 0
    cdef const char *base = <const char *> &data[0, 0]
    cdef Py_ssize_t s0 = data.strides[0], s1 = data.strides[1]
    cdef int bad
    with nogil:
        bad = _convert(base, s0, s1, start, n, ch, bps, clip, 1, &out[0])
    return -1 if bad else nbytes


cdef struct MemFile:
    uint8_t *buf
    int64_t size
    int64_t cap
    int64_t pos
    int64_t *appends  # offsets of the writes that extended the file, in order
    Py_ssize_t n_appends
    Py_ssize_t cap_appends
    bint failed


cdef c.sf_count_t _mem_len(void *h) noexcept nogil:
    return (<MemFile *> h).size


cdef c.sf_count_t _mem_tell(void *h) noexcept nogil:
    return (<MemFile *> h).pos


cdef c.sf_count_t _mem_seek(c.sf_count_t off, int whence, void *h) noexcept nogil:
    cdef MemFile *m = <MemFile *> h
    cdef int64_t p
    if whence == 0:
        p = off
    elif whence == 1:
        p = m.pos + off
    elif whence == 2:
        p = m.size + off
    else:
        return -1
    if p < 0:
        return -1
    m.pos = p
    return p


cdef c.sf_count_t _mem_read(void *dst, c.sf_count_t n, void *h) noexcept nogil:
    cdef MemFile *m = <MemFile *> h
    cdef int64_t k = 0
    if m.pos < m.size:
        k = min(n, m.size - m.pos)
        memcpy(dst, m.buf + m.pos, k)
        m.pos += k
    return k


cdef c.sf_count_t _mem_write(const void *src, c.sf_count_t n, void *h) noexcept nogil:
    cdef MemFile *m = <MemFile *> h
    cdef int64_t end = m.pos + n, cap
    cdef void *p
    if n <= 0:
        return 0
    if end > m.cap:
        cap = max(end, 2 * m.cap)
        p = realloc(m.buf, cap)
        if p == NULL:
            m.failed = True
            return 0
        m.buf = <uint8_t *> p
        m.cap = cap
    if m.pos == m.size:
        if m.n_appends == m.cap_appends:
            p = realloc(m.appends, 2 * m.cap_appends * sizeof(int64_t))
            if p == NULL:
                m.failed = True
                return 0
            m.appends = <int64_t *> p
            m.cap_appends *= 2
        m.appends[m.n_appends] = m.pos
        m.n_appends += 1
    elif end > m.size:
        m.failed = True  # a write across the end: not libFLAC's pattern, refuse the part
        return 0
    memcpy(m.buf + m.pos, src, n)
    m.pos = end
    if end > m.size:
        m.size = end
    return n


cdef c.SF_VIRTUAL_IO _vio
_vio.get_filelen = _mem_len
_vio.seek = _mem_seek
_vio.read = _mem_read
_vio.write = _mem_write
_vio.tell = _mem_tell


cdef class Part:
    """One part of the signal encoded as a whole FLAC stream in memory, then parsed for stitching."""

    cdef MemFile mf
    cdef readonly Py_ssize_t start, frames
    cdef Py_ssize_t meta_end        # end of the metadata blocks
    cdef readonly Py_ssize_t n_frames  # FLAC frames
    cdef int64_t *frame_off         # offset of each FLAC frame in mf.buf (+ one past the last)
    cdef uint8_t *headers           # rewritten frame headers, _MAX_HEADER bytes each
    cdef uint8_t *crcs              # rewritten CRC-16s, 2 bytes each
    cdef uint8_t *header_len
    cdef readonly int64_t min_size, max_size  # of the frames as they will be written
    cdef uint8_t streaminfo[_STREAMINFO_END]  # the part's own, kept for write_streaminfo

    def __cinit__(self, Py_ssize_t start, Py_ssize_t frames):
        self.start = start
        self.frames = frames
        self.mf.buf = NULL
        self.mf.appends = NULL
        self.frame_off = NULL
        self.headers = NULL
        self.crcs = NULL
        self.header_len = NULL

    def __dealloc__(self):
        free(self.mf.buf)
        free(self.mf.appends)
        free(self.frame_off)
        free(self.headers)
        free(self.crcs)
        free(self.header_len)

    @property
    def nbytes(self):
        return self.mf.size

    def finish(self, int blocksize, bint last):
        """After :meth:`encode`: find the frames and rewrite their numbers to start at
        ``start // blocksize``. 0, or a negative number naming the check that failed (then use the
        one-pass path)."""
        if self.mf.buf == NULL or self.frame_off != NULL or self.start % blocksize:
            return -100
        if not last and self.frames % blocksize:
            return -101
        cdef int r
        cdef int64_t first = self.start // blocksize
        with nogil:
            r = self._parse(blocksize, first, last)
        return r

    def write(self, int fd, bint metadata):
        """Append this part's frames (after :meth:`finish`), preceded by its metadata if asked, to
        ``fd``; raises OSError."""
        if self.frame_off == NULL or self.mf.buf == NULL:
            raise ValueError("Part.write: not finished, or already written")
        cdef int err
        with nogil:
            err = _write_frames(fd, self.mf.buf, self.frame_off, self.n_frames, self.headers,
                                self.header_len, self.crcs, self.meta_end if metadata else 0)
        if err:
            raise OSError(err, os_strerror(err))
        # Written: give the memory back now, so the parts still being encoded can reuse it.
        free(self.mf.buf)
        self.mf.buf = NULL
        self.mf.size = 0

    def encode(self, const float[:, :] data, int samplerate, int fmt, int bps, bint clip, stop):
        """Encode frames [start, start + frames) of ``data`` [frames, channels] through libsndfile into
        memory. Returns 0 or a failure code (OUT_OF_RANGE, OPEN_FAILED, WRITE_FAILED, NO_MEMORY,
        STOPPED). ``stop``: a one-element uint8 array; set to 1 on failure, checked between chunks so
        the other parts stop early."""
        cdef unsigned char[::1] flag = stop
        cdef int ch = data.shape[1]
        if self.start < 0 or self.frames <= 0 or self.start + self.frames > data.shape[0]:
            raise ValueError("Part.encode: part outside the data")
        if self.mf.buf != NULL:
            raise ValueError("Part.encode: already encoded")
        cdef const char *base = <const char *> &data[0, 0]
        cdef Py_ssize_t s0 = data.strides[0], s1 = data.strides[1]
        cdef int64_t guess = self.frames * ch * (bps // 8) + 65536  # raw size: no realloc for audio
        cdef c.SF_INFO info
        info.frames = 0
        info.samplerate = samplerate
        info.channels = ch
        info.format = fmt
        info.sections = 0
        info.seekable = 0
        cdef int32_t *tmp = NULL
        cdef c.SNDFILE *sf = NULL
        cdef Py_ssize_t done = 0, m, i
        cdef int code = 0
        with nogil:
            self.mf.buf = <uint8_t *> malloc(guess)
            self.mf.cap = guess
            self.mf.size = 0
            self.mf.pos = 0
            self.mf.appends = <int64_t *> malloc(256 * sizeof(int64_t))
            self.mf.cap_appends = 256
            self.mf.n_appends = 0
            self.mf.failed = False
            tmp = <int32_t *> malloc(_CHUNK * ch * sizeof(int32_t))
            if self.mf.buf == NULL or self.mf.appends == NULL or tmp == NULL:
                code = NO_MEMORY
            else:
                sf = c.sf_open_virtual(&_vio, c.SFM_WRITE, &info, &self.mf)
                if sf == NULL:
                    code = OPEN_FAILED
            while code == 0 and done < self.frames:
                if flag[0]:
                    code = STOPPED
                    break
                m = min(<Py_ssize_t> _CHUNK, self.frames - done)
                if _convert(base, s0, s1, self.start + done, m, ch, bps, clip, 0, tmp) != 0:
                    code = OUT_OF_RANGE
                    break
                if sf_writef_int(sf, <const int *> tmp, m) != m:
                    code = WRITE_FAILED
                    break
                done += m
            if sf != NULL and c.sf_close(sf) != 0 and code == 0:
                code = WRITE_FAILED
            if self.mf.failed and code == 0:
                code = NO_MEMORY
            free(tmp)
            if code != 0:
                flag[0] = 1
        return code

    cdef int _parse(self, int blocksize, int64_t first_frame, bint last) noexcept nogil:
        """Find the metadata end and the frames; rewrite the frame numbers to start at
        ``first_frame``. 0, or a negative number naming the first check that failed."""
        cdef const uint8_t *b = self.mf.buf
        cdef int64_t size = self.mf.size, pos, length, off
        cdef Py_ssize_t i, k, want
        cdef int nlen, extra, hl, code, rate
        cdef uint8_t *h
        cdef uint16_t stored, old_crc, new_crc
        cdef int64_t body
        if size < _STREAMINFO_END or b[0] != 0x66 or b[1] != 0x4C or b[2] != 0x61 or b[3] != 0x43:
            return -1
        if (b[4] & 0x7F) != 0 or b[5] != 0 or b[6] != 0 or b[7] != 34:
            return -2
        if ((b[8] << 8) | b[9]) != blocksize or ((b[10] << 8) | b[11]) != blocksize:
            return -3
        pos = 4
        while True:
            if pos + 4 > size:
                return -4
            length = (<int64_t> b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]
            off = pos
            pos += 4 + length
            if b[off] & 0x80:
                break
        if pos > size:
            return -4
        self.meta_end = pos
        memcpy(self.streaminfo, b, _STREAMINFO_END)
        want = (self.frames + blocksize - 1) // blocksize
        k = 0
        while k < self.mf.n_appends and self.mf.appends[k] < pos:
            k += 1
        if self.mf.n_appends - k != want or self.mf.appends[k] != pos:
            return -5
        self.n_frames = want
        self.frame_off = <int64_t *> malloc((want + 1) * sizeof(int64_t))
        self.headers = <uint8_t *> malloc(want * _MAX_HEADER)
        self.crcs = <uint8_t *> malloc(want * 2)
        self.header_len = <uint8_t *> malloc(want)
        if self.frame_off == NULL or self.headers == NULL or self.crcs == NULL or self.header_len == NULL:
            return -6
        for i in range(want):
            self.frame_off[i] = self.mf.appends[k + i]
        self.frame_off[want] = size
        self.min_size = -1
        self.max_size = 0
        for i in range(want):
            off = self.frame_off[i]
            length = self.frame_off[i + 1] - off
            if length < 8 or b[off] != 0xFF or b[off + 1] != 0xF8:
                return -7
            code = b[off + 2] >> 4
            rate = b[off + 2] & 0x0F
            nlen = _utf8_len(b[off + 4])
            hl = _old_header_len(b + off)
            extra = hl - 5 - nlen
            if nlen == 0 or hl + 2 > length or _utf8_value(b + off + 4, nlen) != <uint64_t> i:
                return -8
            if _crc8(b + off, hl - 1) != b[off + hl - 1]:
                return -9
            if (i < want - 1 or not last) and code != 12:  # 4096 samples; only the very last frame may differ
                return -10
            h = self.headers + i * _MAX_HEADER
            h[0] = b[off]
            h[1] = b[off + 1]
            h[2] = b[off + 2]
            h[3] = b[off + 3]
            nlen = _utf8_put(h + 4, <uint64_t> (first_frame + i))
            memcpy(h + 4 + nlen, b + off + hl - 1 - extra, extra)
            self.header_len[i] = <uint8_t> (4 + nlen + extra + 1)
            h[self.header_len[i] - 1] = _crc8(h, self.header_len[i] - 1)
            # CRC-16 of the new frame from the stored one: crc(A || B) = crc(A) x^(8 |B|) + crc(B).
            body = length - hl - 2
            stored = <uint16_t> ((b[off + length - 2] << 8) | b[off + length - 1])
            old_crc = _crc16(b + off, hl)
            new_crc = _crc16(h, self.header_len[i])
            stored ^= _mulmod(old_crc ^ new_crc, _x8n(<uint64_t> body))
            self.crcs[2 * i] = <uint8_t> (stored >> 8)
            self.crcs[2 * i + 1] = <uint8_t> (stored & 0xFF)
            length = self.header_len[i] + body + 2
            if self.min_size < 0 or length < self.min_size:
                self.min_size = length
            if length > self.max_size:
                self.max_size = length
        return 0


cdef int _flush(int fd, iovec *iov, int n) noexcept nogil:
    """writev all of ``iov[:n]``, resuming after short writes; 0 or errno."""
    cdef ssize_t w
    cdef int i = 0
    while i < n:
        w = writev(fd, iov + i, n - i)
        if w < 0:
            if errno == EINTR:
                continue
            return errno
        while i < n and <size_t> w >= iov[i].iov_len:
            w -= iov[i].iov_len
            i += 1
        if i < n and w > 0:
            iov[i].iov_base = <char *> iov[i].iov_base + w
            iov[i].iov_len -= w
    return 0


cdef int _write_frames(int fd, const uint8_t *buf, const int64_t *frame_off, Py_ssize_t n_frames,
                       const uint8_t *headers, const uint8_t *header_len, const uint8_t *crcs,
                       Py_ssize_t meta_end) noexcept nogil:
    """writev: the metadata (if ``meta_end``), then every frame as (new header, unchanged body, new
    CRC-16). 0 or errno."""
    cdef iovec iov[_IOV_MAX]
    cdef Py_ssize_t i
    cdef int nv = 0, err, old
    cdef int64_t off
    if meta_end:
        iov[0].iov_base = <void *> buf
        iov[0].iov_len = meta_end
        nv = 1
    for i in range(n_frames):
        if nv + 3 > _IOV_MAX:
            err = _flush(fd, iov, nv)
            if err:
                return err
            nv = 0
        off = frame_off[i]
        old = _old_header_len(buf + off)
        iov[nv].iov_base = <void *> (headers + i * _MAX_HEADER)
        iov[nv].iov_len = header_len[i]
        iov[nv + 1].iov_base = <void *> (buf + off + old)
        iov[nv + 1].iov_len = frame_off[i + 1] - off - old - 2
        iov[nv + 2].iov_base = <void *> (crcs + 2 * i)
        iov[nv + 2].iov_len = 2
        nv += 3
    return _flush(fd, iov, nv)


def write_streaminfo(int fd, Part first, bytes md5, Py_ssize_t total_frames, Py_ssize_t min_size,
                     Py_ssize_t max_size):
    """Overwrite the STREAMINFO that ``first.write(fd, True)`` wrote with the whole stream's (what
    libFLAC's update at the end of a stream writes: frame sizes, total samples, MD5)."""
    cdef uint8_t head[_STREAMINFO_END]
    cdef ssize_t w
    if first.meta_end == 0 or len(md5) != 16 or not 0 < total_frames < (<int64_t> 1 << 36):
        raise ValueError("write_streaminfo: part not finished, bad MD5 or frame count")
    if not 0 < min_size <= max_size < (1 << 24):
        raise ValueError(f"write_streaminfo: frame sizes {min_size}..{max_size}")
    memcpy(head, first.streaminfo, _STREAMINFO_END)
    head[12] = <uint8_t> (min_size >> 16)
    head[13] = <uint8_t> (min_size >> 8)
    head[14] = <uint8_t> min_size
    head[15] = <uint8_t> (max_size >> 16)
    head[16] = <uint8_t> (max_size >> 8)
    head[17] = <uint8_t> max_size
    head[21] = <uint8_t> ((head[21] & 0xF0) | ((total_frames >> 32) & 0x0F))
    head[22] = <uint8_t> (total_frames >> 24)
    head[23] = <uint8_t> (total_frames >> 16)
    head[24] = <uint8_t> (total_frames >> 8)
    head[25] = <uint8_t> total_frames
    memcpy(head + 26, <const char *> md5, 16)
    with nogil:
        while True:
            w = pwrite(fd, head, _STREAMINFO_END, 0)
            if w >= 0 or errno != EINTR:
                break
    if w != _STREAMINFO_END:
        raise OSError(errno if w < 0 else 5, "writing STREAMINFO failed")


cdef inline int _old_header_len(const uint8_t *f) noexcept nogil:
    cdef int code = f[2] >> 4, rate = f[2] & 0x0F
    return (4 + _utf8_len(f[4]) + (1 if code == 6 else 2 if code == 7 else 0)
            + (1 if rate == 12 else 2 if rate == 13 or rate == 14 else 0) + 1)
