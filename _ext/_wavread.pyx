# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Plain PCM/float WAV reads without libsndfile: open + fstat + one ``pread`` of the header, a
``pread`` of exactly the frames asked for, converted into the caller's buffer, GIL released.

Only files whose header libsndfile 1.2 reads the same way are taken (:c:func:`_parse`): RIFF/WAVE,
one ``fmt `` chunk (WAVE_FORMAT_PCM 16/24/32-bit, WAVE_FORMAT_IEEE_FLOAT 32-bit, or
WAVE_FORMAT_EXTENSIBLE with the PCM or IEEE-float subformat GUID), block align = channels x bytes,
``fact``/``PEAK``/``LIST``/``JUNK``/``PAD ``/``FLLR``/``iXML`` chunks before ``data`` (each walked
the way libsndfile 1.2's ``wav_read_header`` walks it), and a ``data`` chunk that is not empty,
holds whole frames, lies inside the file and ends it (at most 3 trailing bytes, where libsndfile's
header parser stops too). Everything else (RF64, RIFX, other codecs, a data chunk past EOF, chunks
after the data, any header that needs more than the first 4 KiB, any failing system call) is
declined: the caller then takes the libsndfile path, so error messages, truncation reports and
``strict=False`` behave exactly as there.

Samples: libsndfile's arithmetic, exact in float32 (``int16 * 2^-15``; 24-bit as ``int32(b << 8)
* 2^-31``; ``float(int32) * 2^-31``, rounded to nearest as libsndfile's cast; float32 copied bit
for bit), so the result is bit-identical to ``soundfile.read(dtype="float32")``.
"""
from libc.errno cimport EINTR, errno
from libc.math cimport isfinite, nearbyint
from libc.stdint cimport int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t
from libc.string cimport memcpy
from posix.fcntl cimport O_RDONLY, open as c_open
from posix.stat cimport S_ISREG, fstat, struct_stat
from posix.unistd cimport close as c_close, pread

cdef extern from "<fcntl.h>":
    int O_CLOEXEC
    int O_NOCTTY
    int O_NONBLOCK  # a FIFO must not block the open: fstat then declines anything not regular

cdef extern from *:
    """
    #if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    #define MLXDSP_WAV_HOST_LE 1
    #else
    #define MLXDSP_WAV_HOST_LE 0
    #endif
    """
    int MLXDSP_WAV_HOST_LE

cdef extern from *:
    """
    #include <stdint.h>
    #if defined(__SSE2__)
    #include <emmintrin.h>
    #endif
    #if defined(__GNUC__) && defined(__x86_64__)
    #include <immintrin.h>
    #define MLXDSP_WAV_AVX2 1
    #else
    #define MLXDSP_WAV_AVX2 0
    #endif

    /* 16-bit PCM -> float32, ``sample * 2^-15`` (exact in float32, as libsndfile). Stereo to two
       rows: each 32-bit lane holds one frame, the left sample in its low half (sign-extended by
       shifting left then arithmetically right), the right sample in its high half. AVX2 where the
       CPU has it (checked once), else SSE2, else scalar: the same products. */
    static const float mlxdsp_wav_c16 = 1.0f / 32768.0f;

    #if MLXDSP_WAV_AVX2
    __attribute__((target("avx2")))
    static Py_ssize_t mlxdsp_wav_s16x2_avx2(const int16_t *s, float *l, float *r, Py_ssize_t n) {
        const __m256 sc = _mm256_set1_ps(mlxdsp_wav_c16);
        Py_ssize_t i = 0;
        for (; i + 16 <= n; i += 16) {
            __m256i a = _mm256_loadu_si256((const __m256i *) (s + 2 * i));
            __m256i b = _mm256_loadu_si256((const __m256i *) (s + 2 * i + 16));
            __m256i al = _mm256_srai_epi32(_mm256_slli_epi32(a, 16), 16);
            __m256i bl = _mm256_srai_epi32(_mm256_slli_epi32(b, 16), 16);
            _mm256_storeu_ps(l + i, _mm256_mul_ps(_mm256_cvtepi32_ps(al), sc));
            _mm256_storeu_ps(l + i + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(bl), sc));
            _mm256_storeu_ps(r + i, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srai_epi32(a, 16)), sc));
            _mm256_storeu_ps(r + i + 8,
                             _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srai_epi32(b, 16)), sc));
        }
        return i;
    }

    __attribute__((target("avx2")))
    static Py_ssize_t mlxdsp_wav_s16_avx2(const int16_t *s, float *d, Py_ssize_t n) {
        const __m256 sc = _mm256_set1_ps(mlxdsp_wav_c16);
        Py_ssize_t i = 0;
        for (; i + 16 <= n; i += 16) {
            __m256i a = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *) (s + i)));
            __m256i b = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *) (s + i + 8)));
            _mm256_storeu_ps(d + i, _mm256_mul_ps(_mm256_cvtepi32_ps(a), sc));
            _mm256_storeu_ps(d + i + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(b), sc));
        }
        return i;
    }

    static int mlxdsp_wav_avx2 = -1;
    static int mlxdsp_wav_has_avx2(void) {
        if (mlxdsp_wav_avx2 < 0)  /* a benign race: every thread computes the same value */
            mlxdsp_wav_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
        return mlxdsp_wav_avx2;
    }
    #endif

    static void mlxdsp_wav_s16x2_planar(const int16_t *s, float *l, float *r, Py_ssize_t n) {
        const float c = mlxdsp_wav_c16;
        Py_ssize_t i = 0;
    #if MLXDSP_WAV_AVX2
        if (mlxdsp_wav_has_avx2())
            i = mlxdsp_wav_s16x2_avx2(s, l, r, n);
    #endif
    #if defined(__SSE2__)
        const __m128 sc = _mm_set1_ps(c);
        for (; i + 8 <= n; i += 8) {
            __m128i a = _mm_loadu_si128((const __m128i *) (s + 2 * i));
            __m128i b = _mm_loadu_si128((const __m128i *) (s + 2 * i + 8));
            __m128i al = _mm_srai_epi32(_mm_slli_epi32(a, 16), 16);
            __m128i bl = _mm_srai_epi32(_mm_slli_epi32(b, 16), 16);
            __m128i ar = _mm_srai_epi32(a, 16);
            __m128i br = _mm_srai_epi32(b, 16);
            _mm_storeu_ps(l + i, _mm_mul_ps(_mm_cvtepi32_ps(al), sc));
            _mm_storeu_ps(l + i + 4, _mm_mul_ps(_mm_cvtepi32_ps(bl), sc));
            _mm_storeu_ps(r + i, _mm_mul_ps(_mm_cvtepi32_ps(ar), sc));
            _mm_storeu_ps(r + i + 4, _mm_mul_ps(_mm_cvtepi32_ps(br), sc));
        }
    #endif
        for (; i < n; i++) {
            l[i] = s[2 * i] * c;
            r[i] = s[2 * i + 1] * c;
        }
    }

    static void mlxdsp_wav_s16(const int16_t *s, float *d, Py_ssize_t n) {
        const float c = mlxdsp_wav_c16;
        Py_ssize_t i = 0;
    #if MLXDSP_WAV_AVX2
        if (mlxdsp_wav_has_avx2())
            i = mlxdsp_wav_s16_avx2(s, d, n);
    #endif
        for (; i < n; i++)
            d[i] = s[i] * c;
    }
    """
    void mlxdsp_wav_s16x2_planar(const int16_t *s, float *l, float *r, Py_ssize_t n) noexcept nogil
    void mlxdsp_wav_s16(const int16_t *s, float *d, Py_ssize_t n) noexcept nogil

DEF _HEAD = 4096          # header bytes read at open; a data chunk that starts later is declined
DEF _MAX_CHANNELS = 1024  # libsndfile's SF_MAX_CHANNELS
DEF _SUB_BUF = 2048       # wavlike_subchunk_parse's string buffer

# Encodings (libsndfile's SF_FORMAT_* subtype codes, so callers can compare with sf_info.format).
cdef enum:
    _PCM_16 = 0x0002
    _PCM_24 = 0x0003
    _PCM_32 = 0x0004
    _FLOAT = 0x0006

PCM_16 = _PCM_16
PCM_24 = _PCM_24
PCM_32 = _PCM_32
FLOAT = _FLOAT

cdef struct Wav:
    int64_t size       # file size
    int64_t data_off   # first byte of the samples
    int64_t frames
    int channels
    int samplerate
    int width          # bytes per sample
    int subtype        # _PCM_16 / _PCM_24 / _PCM_32 / _FLOAT


cdef inline uint32_t _u32(const uint8_t *p) noexcept nogil:
    return p[0] | (<uint32_t> p[1] << 8) | (<uint32_t> p[2] << 16) | (<uint32_t> p[3] << 24)


cdef inline uint32_t _u16(const uint8_t *p) noexcept nogil:
    return p[0] | (<uint32_t> p[1] << 8)


cdef inline uint32_t _tag(const char *s) noexcept nogil:
    return _u32(<const uint8_t *> s)


# wavlike_subchunk_parse's string subchunks (read into its 2 KiB buffer; longer ones end the walk).
cdef inline bint _info_string(uint32_t m) noexcept nogil:
    return (m == _tag(b"ISFT") or m == _tag(b"ICOP") or m == _tag(b"IARL") or m == _tag(b"IART")
            or m == _tag(b"ICMT") or m == _tag(b"ICRD") or m == _tag(b"IENG") or m == _tag(b"IGNR")
            or m == _tag(b"INAM") or m == _tag(b"IPRD") or m == _tag(b"ISBJ") or m == _tag(b"ISRC")
            or m == _tag(b"IAUT") or m == _tag(b"ITRK"))


cdef bint _list_ok(const uint8_t *b, uint32_t length) noexcept nogil:
    """A LIST chunk body of ``length`` bytes (all in the header buffer) that libsndfile 1.2's
    ``wavlike_subchunk_parse`` leaves exactly at its end (it then skips a pad byte); anything it
    would overshoot, back out of (a ``data`` marker inside) or treat specially: declined."""
    cdef uint32_t br = 0, m, sz
    if length <= 8:  # libsndfile's "weird length" branch
        return False
    while br < length:
        if length - br < 4:
            return False  # the marker read would run past the chunk
        m = _u32(b + br)
        br += 4
        if m == _tag(b"adtl") or m == _tag(b"INFO"):
            continue
        if m == 0 or m == _tag(b"exif") or m == _tag(b"data") or m == _tag(b"labl"):
            return False
        if length - br < 4:
            return False
        sz = _u32(b + br)
        br += 4
        if sz >= 0x7FFFFFF0:
            return False
        sz += sz & 1
        if m == _tag(b"DISP") or m == _tag(b"ltxt") or m == _tag(b"note"):
            return True  # libsndfile jumps to the end of the chunk
        if _info_string(m) and sz >= _SUB_BUF:
            return True  # "too big": jumps to the end
        if sz > length - br:
            return True  # "too big": jumps to the end
        br += sz
    return True


cdef bint _fmt(const uint8_t *b, uint32_t size, Wav *w) noexcept nogil:
    cdef uint32_t tag, ch, rate, align, bits
    cdef bint is_float
    if size < 16:  # before any read: the chunk may end at the end of the header buffer
        return False
    tag, ch, rate = _u16(b), _u16(b + 2), _u32(b + 4)
    align, bits = _u16(b + 12), _u16(b + 14)
    if tag == 0xFFFE:  # WAVE_FORMAT_EXTENSIBLE: libsndfile reads 40 bytes of it
        if size < 40:
            return False
        # SubFormat GUID {0000000X-0000-0010-8000-00aa00389b71}, X = 1 (PCM) or 3 (IEEE float)
        if (_u16(b + 28) != 0 or _u16(b + 30) != 0x0010 or b[32] != 0x80 or b[33] != 0
                or b[34] != 0 or b[35] != 0xAA or b[36] != 0 or b[37] != 0x38 or b[38] != 0x9B
                or b[39] != 0x71):
            return False
        tag = _u32(b + 24)
    if tag == 1:
        is_float = False
    elif tag == 3:
        is_float = True
    else:
        return False
    if is_float:
        if bits != 32:
            return False
        w.subtype = _FLOAT
    elif bits == 16:
        w.subtype = _PCM_16
    elif bits == 24:
        w.subtype = _PCM_24
    elif bits == 32:
        w.subtype = _PCM_32
    else:
        return False
    if ch < 1 or ch > _MAX_CHANNELS or rate < 1 or rate > 0x7FFFFFFF:
        return False
    w.width = bits // 8
    if align != ch * w.width:  # also excludes libsndfile's "ambiguous 24-bit" analysis
        return False
    w.channels = ch
    w.samplerate = rate
    return True


cdef bint _parse(const uint8_t *h, int64_t hn, int64_t size, Wav *w) noexcept nogil:
    """Fill ``w`` from the first ``hn`` bytes of a file of ``size`` bytes, or decline (False)."""
    cdef int64_t pos = 12, body, nxt, riff, end
    cdef uint32_t m, cs
    cdef bint have_fmt = False
    if hn < 12 or _u32(h) != _tag(b"RIFF") or _u32(h + 8) != _tag(b"WAVE"):
        return False
    riff = _u32(h + 4)
    # A RIFF size past the end is logged as "RIFF : n (should be m)", which the caller's truncation
    # check reads (mlxdsp._io_sniff.header_truncation): leave those files to that path.
    if riff + 8 > size and riff != <uint32_t> -1 and riff != 0x7FFFFFFF and riff - (size - 8) > 16:
        return False
    while True:
        if pos + 8 > hn:
            return False
        m = _u32(h + pos)
        cs = _u32(h + pos + 4)
        body = pos + 8
        if m == 0 or cs >= size:  # libsndfile stops parsing on either
            return False
        if m == _tag(b"data"):
            if not have_fmt or cs == 0 or cs % (w.channels * w.width) != 0:
                return False
            end = body + cs
            if end > size or end + (cs & 1) < size - 4:  # past EOF, or chunks after the data
                return False
            if body + 4 > hn:
                return False
            m = _u32(h + body)
            if m == _tag(b"wvpk") or m == _tag(b"OggS"):  # libsndfile refuses these
                return False
            w.size = size
            w.data_off = body
            w.frames = cs // (w.channels * w.width)
            return True
        nxt = body + cs + (cs & 1)
        if m == _tag(b"fmt "):
            if have_fmt or body + cs > hn or not _fmt(h + body, cs, w):
                return False
            have_fmt = True
        elif m == _tag(b"fact"):
            if cs < 4:  # libsndfile reads 4 bytes whatever the size says
                return False
        elif m == _tag(b"PEAK"):
            if not have_fmt or cs != 8 + 8 * <uint32_t> w.channels:
                return False
        elif m == _tag(b"LIST"):
            if body + cs > hn or not _list_ok(h + body, cs):
                return False
        elif not (m == _tag(b"JUNK") or m == _tag(b"PAD ") or m == _tag(b"FLLR")
                  or m == _tag(b"iXML")):
            return False
        if nxt >= size - 8:
            return False
        pos = nxt


cdef bint _pread_all(int fd, uint8_t *dst, int64_t n, int64_t off) noexcept nogil:
    cdef Py_ssize_t got
    while n > 0:
        got = pread(fd, dst, n, off)
        if got < 0:
            if errno == EINTR:
                continue
            return False
        if got == 0:
            return False
        dst += got
        off += got
        n -= got
    return True


cdef void _convert(const uint8_t *src, float *dst, Py_ssize_t n, int ch, int subtype,
                   bint planar, Py_ssize_t stride) noexcept nogil:
    """``n`` frames of raw little-endian samples -> float32, [n, ch] or (``planar``) ``ch`` rows
    of ``n`` floats, ``stride`` floats apart."""
    cdef Py_ssize_t i, j, k = n * ch
    cdef const int16_t *s16 = <const int16_t *> src
    cdef const int32_t *s32 = <const int32_t *> src
    cdef const uint32_t *u32 = <const uint32_t *> src
    cdef uint32_t *d32 = <uint32_t *> dst
    cdef float *d1
    cdef float c16 = 1.0 / 32768.0
    cdef float c31 = 1.0 / 2147483648.0
    cdef const uint8_t *p
    if not planar or ch == 1:
        if subtype == _PCM_16:
            mlxdsp_wav_s16(s16, dst, k)
        elif subtype == _PCM_24:
            for i in range(k):
                p = src + 3 * i
                dst[i] = (<int32_t> ((<uint32_t> p[0] << 8) | (<uint32_t> p[1] << 16)
                                     | (<uint32_t> p[2] << 24))) * c31
        elif subtype == _PCM_32:
            for i in range(k):
                dst[i] = (<float> s32[i]) * c31
        elif <const void *> dst != <const void *> src:  # float32 converted in place: nothing to do
            memcpy(dst, src, k * 4)
        return
    if subtype == _PCM_16 and ch == 2:  # the common case
        mlxdsp_wav_s16x2_planar(s16, dst, dst + stride, n)
        return
    for j in range(ch):
        d1 = dst + j * stride
        if subtype == _PCM_16:
            for i in range(n):
                d1[i] = s16[i * ch + j] * c16
        elif subtype == _PCM_24:
            for i in range(n):
                p = src + 3 * (i * ch + j)
                d1[i] = (<int32_t> ((<uint32_t> p[0] << 8) | (<uint32_t> p[1] << 16)
                                    | (<uint32_t> p[2] << 24))) * c31
        elif subtype == _PCM_32:
            for i in range(n):
                d1[i] = (<float> s32[i * ch + j]) * c31
        else:
            for i in range(n):
                d32[j * stride + i] = u32[i * ch + j]


cdef inline bint _in_place(const Wav *w, bint planar) noexcept nogil:
    """Whether the raw bytes are read into the result's own memory, right-aligned, and converted
    forward in place: interleaved output (a later sample's raw bytes start at or after the end of
    the float being written: 4k - width * (k - j) >= 4i + 4 for j > i, width <= 4; the SIMD loops
    load a block before storing it), and two-channel 16-bit planar output (the second row's float i
    covers exactly frame i's raw bytes, read in the same step). Other planar output is converted
    channel by channel: from raw bytes after the result."""
    return not planar or w.channels == 1 or (w.channels == 2 and w.subtype == _PCM_16)


cdef inline Py_ssize_t _need(const Wav *w, Py_ssize_t n, bint planar) noexcept nogil:
    """float32 elements of a buffer for ``n`` frames: the result, plus the raw bytes when not
    :func:`_in_place`."""
    cdef Py_ssize_t k = n * w.channels
    if _in_place(w, planar):
        return k
    return k + (k * w.width + 3) // 4


cdef inline uint8_t *_raw_at(const Wav *w, float *out, Py_ssize_t n, bint planar) noexcept nogil:
    cdef Py_ssize_t k = n * w.channels
    if _in_place(w, planar):
        return (<uint8_t *> out) + 4 * k - k * w.width
    return <uint8_t *> (out + k)


cdef class WavFile:
    """An open plain WAV file (from :func:`open_plain`); ``close`` or garbage collection closes it."""

    cdef int fd
    cdef Wav w

    def __cinit__(self):
        self.fd = -1

    def __dealloc__(self):
        if self.fd >= 0:
            c_close(self.fd)
            self.fd = -1

    def close(self):
        cdef int fd = self.fd
        self.fd = -1
        if fd >= 0:
            c_close(fd)  # read-only descriptor: nothing to flush, a failure loses nothing

    @property
    def samplerate(self):
        return self.w.samplerate

    @property
    def channels(self):
        return self.w.channels

    @property
    def frames(self):
        return self.w.frames

    @property
    def subtype(self):
        return self.w.subtype

    def scratch_floats(self, Py_ssize_t n, bint planar):
        """float32 elements a buffer needs for :meth:`read_into` of ``n`` frames."""
        return _need(&self.w, n, planar)

    def read_into(self, float[::1] buf, int64_t start, Py_ssize_t n, bint planar):
        """Frames ``start:start+n`` into ``buf[:n*channels]`` as [n, channels] or (``planar``)
        [channels, n]. False when the read fails or comes up short (the file changed since it was
        opened): the caller then reads through libsndfile, which reports it."""
        cdef Py_ssize_t ch = self.w.channels, k = n * ch
        cdef int64_t nbytes = <int64_t> k * self.w.width
        cdef bint ok
        if self.fd < 0:
            raise ValueError("read from a closed WavFile")
        if start < 0 or n < 0 or start + n > self.w.frames:
            raise ValueError(f"frames {start}:{start + n} outside 0:{self.w.frames}")
        if buf.shape[0] < _need(&self.w, n, planar):
            raise ValueError(f"buffer of {buf.shape[0]} floats, need {_need(&self.w, n, planar)}")
        if n == 0:
            return True
        cdef float *out = &buf[0]
        cdef uint8_t *raw = _raw_at(&self.w, out, n, planar)
        cdef int64_t off = self.w.data_off + start * ch * self.w.width
        with nogil:
            ok = _pread_all(self.fd, raw, nbytes, off)
            if ok:
                _convert(raw, out, n, <int> ch, self.w.subtype, planar, n)
        return ok


cdef int _open(const char *path, Wav *w) noexcept nogil:
    """A descriptor of ``path`` with ``w`` filled in, or -1 (declined, or a system call failed)."""
    cdef struct_stat st
    cdef uint8_t head[_HEAD]
    cdef Py_ssize_t got
    cdef int fd
    if not MLXDSP_WAV_HOST_LE:
        return -1
    fd = c_open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    if fd < 0:
        return -1
    if fstat(fd, &st) == 0 and S_ISREG(st.st_mode) and st.st_size >= 44:
        got = pread(fd, head, _HEAD, 0)
        if got > 0 and _parse(head, got, st.st_size, w):
            return fd
    c_close(fd)
    return -1


def open_plain(bytes path):
    """A :class:`WavFile` when ``path`` is a plain PCM/float WAV this module reads exactly as
    libsndfile does; None otherwise (including any failing system call)."""
    cdef const char *p = path
    cdef int fd
    cdef Wav w
    with nogil:
        fd = _open(p, &w)
    if fd < 0:
        return None
    cdef WavFile f = WavFile.__new__(WavFile)
    f.fd = fd
    f.w = w
    return f


cdef inline int64_t _frames_of(double seconds, int rate, int64_t cap) noexcept nogil:
    """``min(cap, int(round(seconds * rate)))`` as Python computes it (round half to even: C's
    ``nearbyint`` in the default rounding mode), or -1 when the product is not finite (Python's
    ``int(round(inf))`` raises: the caller's general path reports that)."""
    cdef double x = nearbyint(seconds * rate)
    if not isfinite(x):
        return -1
    if x >= <double> cap:  # cap < 2^53: exact
        return cap
    return <int64_t> x


def read_span(bytes path, double offset, double duration, object want_rate, bint planar,
              float[::1] buf, double max_seconds, Py_ssize_t max_bytes):
    """``mlxdsp.load``'s span of a plain WAV file into ``buf`` in one call: open, parse the
    header, ``start = round(offset * sr)`` clamped to the end, ``n = round(duration * sr)``
    clamped (``duration < 0``: to the end), read and convert frames ``start:start+n`` into
    ``buf[:n*channels]`` ([n, channels], or [channels, n] when ``planar``), close.

    Returns ``(samplerate, channels, n)``; an int when ``buf`` is too small (the floats needed:
    call again with a larger one); None when declined: not a plain WAV, ``want_rate`` given and
    not the file's rate, ``n >= max_seconds * samplerate``, ``4 * n * channels > max_bytes``, an
    offset or duration too large for a float product, a failing or short read."""
    cdef const char *p = path
    cdef Wav w
    cdef int fd
    cdef int64_t start = -1, n = -1
    cdef Py_ssize_t k = 0, need = 0
    cdef float *out
    cdef uint8_t *raw
    cdef bint ok = False
    with nogil:
        fd = _open(p, &w)
    if fd < 0:
        return None
    if want_rate is not None and want_rate != w.samplerate:
        c_close(fd)
        return None
    with nogil:
        start = _frames_of(offset, w.samplerate, w.frames)
        if start >= 0:
            n = w.frames - start
            if duration >= 0:
                n = _frames_of(duration, w.samplerate, n)
        if n >= 0 and n < max_seconds * w.samplerate and 4 * n * w.channels <= max_bytes:
            k = n * w.channels
            need = _need(&w, n, planar)
            if need <= buf.shape[0]:
                ok = True
                if n > 0:
                    out = &buf[0]
                    raw = _raw_at(&w, out, n, planar)
                    ok = _pread_all(fd, raw, <int64_t> k * w.width,
                                    w.data_off + start * w.channels * w.width)
                    if ok:
                        _convert(raw, out, n, w.channels, w.subtype, planar, n)
            else:
                n = -1
        else:
            need = 0
        c_close(fd)
    if ok:
        return (w.samplerate, w.channels, n)
    if need > buf.shape[0]:
        return need
    return None
