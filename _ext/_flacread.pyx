# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""FLAC decoding straight through libFLAC's stream decoder, with the GIL released.

libsndfile's FLAC path hands each decoded frame through its own buffer and converts in a second loop;
here the write callback converts libFLAC's int32 samples to float32 straight into the caller's memory
(interleaved or planar), with libsndfile's arithmetic (``sample * (1.0f / 2^(bps-1))``, exact for
8/16/24-bit): the floats are bit-identical to ``soundfile.read(dtype="float32")``.

Seeking: libFLAC's ``seek_absolute`` without a SEEKTABLE bisects the file and decodes a frame at
every probe. Here the frame that holds the target is located by interpolation over frame headers
(sync code, header CRC-8, channel count and sample size equal to STREAMINFO's, frame/sample number
in range), the decoder is flushed and fed from that byte, and the write callback drops the samples
before the target using libFLAC's own sample number of each decoded frame. Any doubt (a decode
error while landing, a frame that starts after the target) falls back to ``seek_absolute``, so a
false sync costs time only.

Errors: libFLAC replaces a frame that fails its CRC with silence and reports it through the error
callback; every error callback here fails the read (frames before the damaged one are kept: the
caller reports ``frames_decoded``), never zero-filled frames.
"""
from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy
from posix.fcntl cimport O_RDONLY, open as c_open
from posix.stat cimport fstat, struct_stat
from posix.unistd cimport close as c_close, pread

cimport c_flac as c

from mlxdsp._errors import AudioFileError


cdef extern from "<fcntl.h>":
    int O_CLOEXEC


DEF _BUF = 1 << 16      # read buffer of a handle (libFLAC asks for a few KiB at a time)
DEF _WINDOW = 1 << 14   # bytes scanned for a frame header per pread while seeking
DEF _HEADER_MAX = 16    # longest frame header: 2+1+1+7 (coded number)+2 (block size)+2 (rate)+1 (CRC)
DEF _LOCATE_STEPS = 48  # interpolation steps before decoding forward from the last frame found

# Our own failure codes (libFLAC's error statuses are stored as 1 + status).
DEF ERR_CHANNELS = 100
DEF ERR_BPS = 101
DEF ERR_SEEK_MISS = 102
DEF ERR_NOMEM = 103
DEF ERR_IO = 104
DEF ERR_STALLED = 105

FORMAT_FLAC = 0x170000
_SUBTYPES = {8: 0x0001, 16: 0x0002, 24: 0x0003}

cdef uint8_t _CRC8[256]
cdef int _i, _j
cdef uint32_t _r
for _i in range(256):
    _r = _i
    for _j in range(8):
        _r = ((_r << 1) ^ 0x07) & 0xFF if _r & 0x80 else (_r << 1) & 0xFF
    _CRC8[_i] = <uint8_t> _r

cdef int _SAMPLE_SIZE[8]
_SAMPLE_SIZE[:] = [0, 8, 12, -1, 16, 20, 24, 32]


cdef struct State:
    # source: the file through pread and one buffer
    int fd
    int64_t size
    int64_t pos
    int64_t bstart
    int64_t blen
    uint8_t *buf
    uint8_t *scan
    # STREAMINFO
    int have_info
    int channels
    int bps
    uint32_t rate
    uint32_t min_bs
    uint32_t max_bs
    uint64_t total
    # frame headers, for seeking
    int64_t first_off
    int variable
    # the current read
    float *out
    Py_ssize_t rows  # planar: the row stride of out (frames); 0: interleaved
    Py_ssize_t want
    Py_ssize_t got
    # samples of the last decoded frame beyond the current read, interleaved
    float *over
    Py_ssize_t over_cap
    Py_ssize_t over_n
    Py_ssize_t over_pos
    int64_t target  # seeking: drop samples before this one; -1 when not seeking
    int err


# --- callbacks -------------------------------------------------------------------------------------

cdef c.FLAC__StreamDecoderReadStatus _read_cb(
    const c.FLAC__StreamDecoder *d, c.FLAC__byte *buffer, size_t *nbytes, void *cd
) noexcept nogil:
    cdef State *s = <State *> cd
    cdef size_t n = nbytes[0]
    cdef int64_t k
    cdef Py_ssize_t got
    nbytes[0] = 0
    if n == 0:
        return c.FLAC__STREAM_DECODER_READ_STATUS_ABORT
    if s.pos >= s.size:
        return c.FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM
    if not (s.bstart <= s.pos < s.bstart + s.blen):
        if n >= _BUF:
            got = pread(s.fd, buffer, n, s.pos)
            if got < 0:
                s.err = ERR_IO
                return c.FLAC__STREAM_DECODER_READ_STATUS_ABORT
            if got == 0:
                return c.FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM
            s.pos += got
            nbytes[0] = got
            return c.FLAC__STREAM_DECODER_READ_STATUS_CONTINUE
        got = pread(s.fd, s.buf, _BUF, s.pos)
        if got < 0:
            s.err = ERR_IO
            return c.FLAC__STREAM_DECODER_READ_STATUS_ABORT
        if got == 0:
            return c.FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM
        s.bstart = s.pos
        s.blen = got
    k = min(<int64_t> n, s.bstart + s.blen - s.pos)
    memcpy(buffer, s.buf + (s.pos - s.bstart), k)
    s.pos += k
    nbytes[0] = k
    return c.FLAC__STREAM_DECODER_READ_STATUS_CONTINUE


cdef c.FLAC__StreamDecoderSeekStatus _seek_cb(
    const c.FLAC__StreamDecoder *d, c.FLAC__uint64 offset, void *cd
) noexcept nogil:
    cdef State *s = <State *> cd
    if offset > <uint64_t> s.size:
        return c.FLAC__STREAM_DECODER_SEEK_STATUS_ERROR
    s.pos = offset
    return c.FLAC__STREAM_DECODER_SEEK_STATUS_OK


cdef c.FLAC__StreamDecoderTellStatus _tell_cb(
    const c.FLAC__StreamDecoder *d, c.FLAC__uint64 *offset, void *cd
) noexcept nogil:
    offset[0] = (<State *> cd).pos
    return c.FLAC__STREAM_DECODER_TELL_STATUS_OK


cdef c.FLAC__StreamDecoderLengthStatus _length_cb(
    const c.FLAC__StreamDecoder *d, c.FLAC__uint64 *length, void *cd
) noexcept nogil:
    length[0] = (<State *> cd).size
    return c.FLAC__STREAM_DECODER_LENGTH_STATUS_OK


cdef c.FLAC__bool _eof_cb(const c.FLAC__StreamDecoder *d, void *cd) noexcept nogil:
    cdef State *s = <State *> cd
    return s.pos >= s.size


cdef void _metadata_cb(
    const c.FLAC__StreamDecoder *d, const c.FLAC__StreamMetadata *m, void *cd
) noexcept nogil:
    cdef State *s = <State *> cd
    if m.type == c.FLAC__METADATA_TYPE_STREAMINFO:
        s.have_info = 1
        s.channels = m.data.stream_info.channels
        s.bps = m.data.stream_info.bits_per_sample
        s.rate = m.data.stream_info.sample_rate
        s.min_bs = m.data.stream_info.min_blocksize
        s.max_bs = m.data.stream_info.max_blocksize
        s.total = m.data.stream_info.total_samples


cdef void _error_cb(
    const c.FLAC__StreamDecoder *d, c.FLAC__StreamDecoderErrorStatus status, void *cd
) noexcept nogil:
    cdef State *s = <State *> cd
    if s.err == 0:
        s.err = 1 + <int> status


cdef inline void _convert(
    const c.FLAC__int32 * const *src, Py_ssize_t skip, Py_ssize_t k, int ch, float norm,
    float *dst, Py_ssize_t rows
) noexcept nogil:
    """Frames ``skip:skip+k`` of a decoded block to float32: ``dst`` interleaved ([k, ch] from its
    start) when ``rows`` is 0, else planar (channel ``j`` at ``dst + j * rows``)."""
    cdef Py_ssize_t i
    cdef int j
    cdef const c.FLAC__int32 *a
    cdef const c.FLAC__int32 *b
    cdef float *o
    if rows:
        for j in range(ch):
            a = src[j] + skip
            o = dst + j * rows
            for i in range(k):
                o[i] = a[i] * norm
    elif ch == 1:
        a = src[0] + skip
        for i in range(k):
            dst[i] = a[i] * norm
    elif ch == 2:
        a = src[0] + skip
        b = src[1] + skip
        for i in range(k):
            dst[2 * i] = a[i] * norm
            dst[2 * i + 1] = b[i] * norm
    else:
        for j in range(ch):
            a = src[j] + skip
            for i in range(k):
                dst[i * ch + j] = a[i] * norm


cdef c.FLAC__StreamDecoderWriteStatus _write_cb(
    const c.FLAC__StreamDecoder *d, const c.FLAC__Frame *frame,
    const c.FLAC__int32 * const *buffer, void *cd
) noexcept nogil:
    cdef State *s = <State *> cd
    cdef Py_ssize_t bs = frame.header.blocksize
    cdef Py_ssize_t skip = 0, n, k
    cdef int64_t first
    cdef int bps = frame.header.bits_per_sample
    cdef int ch = s.channels
    cdef float norm
    cdef float *grown
    if s.err:
        return c.FLAC__STREAM_DECODER_WRITE_STATUS_ABORT
    if <int> frame.header.channels != ch:
        s.err = ERR_CHANNELS
        return c.FLAC__STREAM_DECODER_WRITE_STATUS_ABORT
    if bps < 4 or bps > 24:
        s.err = ERR_BPS
        return c.FLAC__STREAM_DECODER_WRITE_STATUS_ABORT
    if s.target >= 0:
        if frame.header.number_type != c.FLAC__FRAME_NUMBER_TYPE_SAMPLE_NUMBER:
            s.err = ERR_SEEK_MISS
            return c.FLAC__STREAM_DECODER_WRITE_STATUS_ABORT
        first = <int64_t> frame.header.number.sample_number
        if first > s.target:
            s.err = ERR_SEEK_MISS
            return c.FLAC__STREAM_DECODER_WRITE_STATUS_ABORT
        if first + bs <= s.target:
            return c.FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE
        skip = s.target - first
        s.target = -1
    # libsndfile (flac.c, flac_buffer_copy): float norm = 1.0 / (1 << (bits_per_sample - 1))
    norm = <float> (1.0 / (1 << (bps - 1)))
    n = bs - skip
    k = min(n, s.want - s.got)
    if k > 0:
        _convert(buffer, skip, k, ch, norm,
                 s.out + (s.got if s.rows else s.got * ch), s.rows)
        s.got += k
    if n > k:
        if (n - k) * ch > s.over_cap:
            grown = <float *> realloc(s.over, (n - k) * ch * sizeof(float))
            if grown == NULL:
                s.err = ERR_NOMEM
                return c.FLAC__STREAM_DECODER_WRITE_STATUS_ABORT
            s.over = grown
            s.over_cap = (n - k) * ch
        _convert(buffer, skip + k, n - k, ch, norm, s.over, 0)
        s.over_n = n - k
        s.over_pos = 0
    return c.FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE


# --- frame headers (seeking) -----------------------------------------------------------------------

cdef int _parse_header(const uint8_t *p, Py_ssize_t avail, const State *s,
                       int64_t *sample, int64_t *blocksize) noexcept nogil:
    """Length of a valid frame header at ``p`` (0: none): sync code with the stream's blocking
    strategy, no reserved values, STREAMINFO's channel count and sample size, a well-formed coded
    number, a block size within STREAMINFO's, and the header CRC-8."""
    cdef int variable, bsc, src, cha, ssc, nch, extra, i, k
    cdef uint8_t b, crc, mask
    cdef uint64_t v
    cdef int64_t bs
    if avail < 6 or p[0] != 0xFF or (p[1] & 0xFE) != 0xF8:
        return 0
    variable = p[1] & 1
    if variable != s.variable:
        return 0
    bsc = p[2] >> 4
    src = p[2] & 15
    cha = p[3] >> 4
    ssc = (p[3] >> 1) & 7
    if bsc == 0 or src == 15 or cha >= 11 or (p[3] & 1) or ssc == 3:
        return 0
    nch = cha + 1 if cha < 8 else 2
    if nch != s.channels or (ssc != 0 and _SAMPLE_SIZE[ssc] != s.bps):
        return 0
    b = p[4]
    i = 5
    extra = 0  # UTF-8-style coded number: 0xxxxxxx, 110xxxxx 10xxxxxx, ... up to 11111110 + 6
    mask = 0x80
    if b & 0x80:
        mask = 0x40
        while b & mask:
            extra += 1
            mask >>= 1
        if extra == 0 or extra > 6 or (extra == 6 and not variable):
            return 0
    v = b & (mask - 1)
    if i + extra > avail:
        return 0
    for k in range(extra):
        b = p[i]
        if (b & 0xC0) != 0x80:
            return 0
        v = (v << 6) | (b & 0x3F)
        i += 1
    if bsc == 1:
        bs = 192
    elif bsc <= 5:
        bs = 576 << (bsc - 2)
    elif bsc == 6:
        if i + 1 > avail:
            return 0
        bs = p[i] + 1
        i += 1
    elif bsc == 7:
        if i + 2 > avail:
            return 0
        bs = ((p[i] << 8) | p[i + 1]) + 1
        i += 2
    else:
        bs = 256 << (bsc - 8)
    if src == 12:
        i += 1
    elif src == 13 or src == 14:
        i += 2
    if i + 1 > avail or bs > s.max_bs:
        return 0
    crc = 0
    for k in range(i):
        crc = _CRC8[crc ^ p[k]]
    if crc != p[i]:
        return 0
    sample[0] = <int64_t> v if variable else <int64_t> v * s.max_bs
    if sample[0] >= <int64_t> s.total:
        return 0
    if not variable and bs != s.max_bs and sample[0] + bs < <int64_t> s.total:
        return 0  # fixed-size frames: only the last one may be shorter
    blocksize[0] = bs
    return i + 1


cdef int64_t _find_header(State *s, int64_t start, int64_t end,
                          int64_t *sample, int64_t *bs) noexcept nogil:
    """Byte offset of the first valid frame header in ``[start, end)``; -1 when none (or on a read
    error: the caller then decodes forward instead)."""
    cdef int64_t at = start
    cdef Py_ssize_t got, i, lim
    while at < end:
        got = pread(s.fd, s.scan, _WINDOW + _HEADER_MAX, at)
        if got <= 0:
            return -1
        lim = min(<int64_t> got, end - at)
        for i in range(lim):
            if s.scan[i] == 0xFF and _parse_header(s.scan + i, got - i, s, sample, bs):
                return at + i
        if got < _WINDOW + _HEADER_MAX:
            return -1
        at += _WINDOW
    return -1


cdef int64_t _locate(State *s, int64_t target) noexcept nogil:
    """Byte offset of a frame header at or before the frame that holds sample ``target``:
    interpolation between a frame known to start at or before it (``lo``) and a byte offset from
    which no frame starts at or before it (``hi``)."""
    cdef int64_t lo_b = s.first_off, lo_s = 0, lo_n
    cdef int64_t hi_b = s.size, hi_s = <int64_t> s.total
    cdef int64_t guess, p, smp = 0, bs = 0, aim
    cdef double per
    cdef int step
    if _find_header(s, lo_b, lo_b + 1, &smp, &lo_n) != lo_b or smp != 0:
        return lo_b
    for step in range(_LOCATE_STEPS):
        if lo_s + lo_n > target or hi_b - lo_b <= 1 or hi_s <= lo_s:
            break
        aim = target - (target % s.max_bs if not s.variable else s.max_bs // 2)
        per = <double> (hi_b - lo_b) / <double> (hi_s - lo_s)
        guess = lo_b + <int64_t> ((aim - lo_s) * per - 0.125 * s.max_bs * per)
        if guess <= lo_b:
            guess = lo_b + 1
        if guess >= hi_b:
            guess = hi_b - 1
        p = _find_header(s, guess, hi_b, &smp, &bs)
        if p < 0 or smp > target:
            hi_b = guess
            if p >= 0:
                hi_s = smp
            continue
        lo_b = p
        lo_s = smp
        lo_n = bs
    return lo_b


# --- the handle ------------------------------------------------------------------------------------

cdef str _reason(int err):
    if err == ERR_CHANNELS:
        return "a frame has another channel count than the stream"
    if err == ERR_BPS:
        return "a frame has an unsupported sample size"
    if err == ERR_SEEK_MISS:
        return "a frame starts after the seek target"
    if err == ERR_NOMEM:
        return "out of memory"
    if err == ERR_IO:
        return "read error"
    if err == ERR_STALLED:
        return "the decoder made no progress"
    if 1 <= err <= 5:
        return {
            1: "lost sync (garbage between frames)",
            2: "corrupt frame header",
            3: "frame CRC mismatch (corrupt data)",
            4: "unparseable stream",
            5: "corrupt metadata",
        }[err]
    return f"decoder error {err}"


cdef class FlacFile:
    """One FLAC file open for decoding through libFLAC. Use :func:`open_read`."""

    cdef c.FLAC__StreamDecoder *_dec
    cdef State _s
    cdef int64_t _pos
    cdef bint _fast
    cdef readonly str path

    # Spans from this long decode in two parts on two handles while a core is idle (mlxdsp/_io.py,
    # _split_min_seconds): a second handle costs ~0.15 ms (open + header seek + thread start)
    # against ~0.7 ms per second decoded, break-even ~0.45 s.
    split_min_seconds = 0.75

    def __cinit__(self):
        self._dec = NULL
        self._s.fd = -1
        self._s.buf = NULL
        self._s.scan = NULL
        self._s.over = NULL

    def __dealloc__(self):
        self._release()

    cdef void _release(self) noexcept:
        if self._dec != NULL:
            c.FLAC__stream_decoder_finish(self._dec)  # frees its buffers; MD5 checking is off
            c.FLAC__stream_decoder_delete(self._dec)
            self._dec = NULL
        if self._s.fd >= 0:
            c_close(self._s.fd)
            self._s.fd = -1
        free(self._s.buf)
        self._s.buf = NULL
        free(self._s.scan)
        self._s.scan = NULL
        free(self._s.over)
        self._s.over = NULL

    cdef int _open(self, bytes raw) except -1:
        cdef const char *cpath = raw
        cdef struct_stat st
        cdef int fd
        cdef c.FLAC__StreamDecoderInitStatus init
        cdef c.FLAC__bool ok
        cdef c.FLAC__uint64 first = 0
        cdef int64_t smp = 0, bs = 0
        cdef uint8_t head[_HEADER_MAX]
        cdef Py_ssize_t got
        cdef State *s = &self._s
        with nogil:
            fd = c_open(cpath, O_RDONLY | O_CLOEXEC)
        if fd < 0:
            raise AudioFileError(f"'{self.path}': cannot open", self.path)
        self._s.fd = fd
        if fstat(fd, &st) != 0:
            raise AudioFileError(f"'{self.path}': cannot stat", self.path)
        self._s.size = st.st_size
        self._s.pos = 0
        self._s.bstart = 0
        self._s.blen = 0
        self._s.buf = <uint8_t *> malloc(_BUF)
        self._s.scan = <uint8_t *> malloc(_WINDOW + _HEADER_MAX)
        if self._s.buf == NULL or self._s.scan == NULL:
            raise MemoryError()
        self._s.have_info = 0
        self._s.target = -1
        self._s.err = 0
        self._s.over_n = 0
        self._s.over_pos = 0
        self._s.over_cap = 0
        self._s.want = 0
        self._s.got = 0
        self._s.out = NULL
        self._s.rows = 0
        self._dec = c.FLAC__stream_decoder_new()
        if self._dec == NULL:
            raise MemoryError()
        init = c.FLAC__stream_decoder_init_stream(
            self._dec, _read_cb, _seek_cb, _tell_cb, _length_cb, _eof_cb, _write_cb,
            _metadata_cb, _error_cb, &self._s,
        )
        if init != c.FLAC__STREAM_DECODER_INIT_STATUS_OK:
            raise AudioFileError(f"'{self.path}': libFLAC cannot start a decoder", self.path)
        with nogil:
            ok = c.FLAC__stream_decoder_process_until_end_of_metadata(self._dec)
            if ok:
                ok = c.FLAC__stream_decoder_get_decode_position(self._dec, &first)
        if not ok or not s.have_info or s.err:
            raise AudioFileError(f"'{self.path}': not a FLAC stream libFLAC can read", self.path)
        if not (1 <= s.channels <= 8 and 4 <= s.bps <= 24 and s.rate > 0 and s.total > 0
                and 16 <= s.min_bs <= s.max_bs <= 65535):
            raise AudioFileError(
                f"'{self.path}': STREAMINFO outside what this reader takes "
                f"({s.channels} channels, {s.bps} bits, {s.rate} Hz, {s.total} frames, "
                f"blocks {s.min_bs}..{s.max_bs})",
                self.path,
            )
        s.first_off = first
        self._s.over = <float *> malloc(s.max_bs * s.channels * sizeof(float))
        if self._s.over == NULL:
            raise MemoryError()
        self._s.over_cap = s.max_bs * s.channels
        # The first frame's header gives the blocking strategy; seeks interpolate over headers only
        # when it parses (else libFLAC's own seek).
        self._fast = False
        got = pread(fd, head, _HEADER_MAX, first)
        if got >= 6 and head[0] == 0xFF and (head[1] & 0xFE) == 0xF8:
            s.variable = head[1] & 1
            if s.variable or s.min_bs == s.max_bs:
                self._fast = _parse_header(head, got, s, &smp, &bs) > 0 and smp == 0
        self._pos = 0
        return 0

    @property
    def frames(self):
        return self._s.total

    @property
    def samplerate(self):
        return self._s.rate

    @property
    def channels(self):
        return self._s.channels

    @property
    def bits_per_sample(self):
        return self._s.bps

    @property
    def format(self):
        """libsndfile's format code (``SF_FORMAT_FLAC | PCM_S8/16/24``; 0 subtype for other sizes)."""
        return FORMAT_FLAC | _SUBTYPES.get(self._s.bps, 0)

    @property
    def seekable(self):
        return True

    @property
    def closed(self):
        return self._dec == NULL

    @property
    def fast_seek(self):
        """Whether seeks locate frames by their headers (else libFLAC's ``seek_absolute``)."""
        return bool(self._fast)

    cdef int _check_open(self) except -1:
        if self._dec == NULL:
            raise AudioFileError(f"'{self.path}': file is closed", self.path)
        return 0

    def tell(self):
        return self._pos

    def seek(self, long long frame, bint exact_only=False):
        """Seek to an absolute frame; returns it. ``exact_only`` (tests): no fallback to libFLAC's
        own seek, raise instead."""
        self._check_open()
        cdef State *s = &self._s
        cdef int64_t target = frame
        cdef int64_t at
        cdef c.FLAC__bool ok = True
        cdef c.FLAC__StreamDecoderState st
        cdef bint landed = False
        cdef int guard
        if frame < 0 or frame > <long long> s.total:
            raise AudioFileError(
                f"'{self.path}': cannot seek to frame {frame} of {s.total}", self.path
            )
        with nogil:
            s.over_n = 0
            s.over_pos = 0
            s.want = 0
            s.got = 0
            s.out = NULL
            s.err = 0
            s.target = -1
            if target == <int64_t> s.total:  # the end: the next read decodes nothing
                s.pos = s.size
                ok = c.FLAC__stream_decoder_flush(self._dec)
                landed = ok
            elif self._fast:
                at = _locate(s, target)
                s.pos = at
                ok = c.FLAC__stream_decoder_flush(self._dec)
                s.target = target
                guard = 0
                while ok and s.target >= 0 and s.err == 0 and guard < 1 << 20:
                    ok = c.FLAC__stream_decoder_process_single(self._dec)
                    st = c.FLAC__stream_decoder_get_state(self._dec)
                    if st >= c.FLAC__STREAM_DECODER_END_OF_STREAM:
                        break
                    guard += 1
                landed = ok and s.target < 0 and s.err == 0
            if not landed and not exact_only:
                s.over_n = 0
                s.over_pos = 0
                s.err = 0
                s.target = -1
                ok = True
                if c.FLAC__stream_decoder_get_state(self._dec) >= c.FLAC__STREAM_DECODER_END_OF_STREAM:
                    ok = c.FLAC__stream_decoder_flush(self._dec)  # seek_absolute refuses ABORTED
                if ok:
                    ok = c.FLAC__stream_decoder_seek_absolute(self._dec, target)
                landed = ok and s.err == 0
                # A flush is required after a SEEK_ERROR; only a failed allocation fails it (and
                # reads then fail on the decoder's state as well).
                if not ok and not c.FLAC__stream_decoder_flush(self._dec) and s.err == 0:
                    s.err = ERR_NOMEM
        if not landed:
            reason = _reason(s.err) if s.err else "no frame holds it"
            s.err = 0
            s.over_n = 0
            s.target = -1
            raise AudioFileError(
                f"'{self.path}': cannot seek to frame {frame}: {reason}", self.path
            )
        self._pos = target
        return target

    cdef Py_ssize_t _decode(self, float *out, Py_ssize_t rows, Py_ssize_t want) noexcept nogil:
        """Decode up to ``want`` frames into ``out``; stops early at the end, on an error (``err``
        set) or when libFLAC fails."""
        cdef State *s = &self._s
        cdef Py_ssize_t k, i
        cdef int j, ch = s.channels, idle = 0
        cdef c.FLAC__bool ok
        cdef c.FLAC__StreamDecoderState st
        cdef float *src
        s.out = out
        s.rows = rows
        s.want = want
        s.got = 0
        if s.over_n > s.over_pos and s.err == 0:  # the rest of the previous frame first
            k = min(s.over_n - s.over_pos, want)
            src = s.over + s.over_pos * ch
            if rows:
                for j in range(ch):
                    for i in range(k):
                        out[j * rows + i] = src[i * ch + j]
            else:
                memcpy(out, src, k * ch * sizeof(float))
            s.over_pos += k
            s.got = k
        while s.got < want and s.err == 0:
            if s.over_n > s.over_pos:  # cannot happen: a frame's rest goes out before decoding on
                break
            k = s.got
            ok = c.FLAC__stream_decoder_process_single(self._dec)
            st = c.FLAC__stream_decoder_get_state(self._dec)
            if not ok or st >= c.FLAC__STREAM_DECODER_END_OF_STREAM:
                if s.err == 0 and st > c.FLAC__STREAM_DECODER_END_OF_STREAM:
                    s.err = ERR_IO if st != c.FLAC__STREAM_DECODER_MEMORY_ALLOCATION_ERROR else ERR_NOMEM
                break
            if s.got == k:
                idle += 1
                if idle > 64:
                    s.err = ERR_STALLED
                    break
            else:
                idle = 0
        s.out = NULL
        s.want = 0
        return s.got

    cdef object _read(self, float *out, Py_ssize_t rows, Py_ssize_t frames):
        cdef Py_ssize_t got
        cdef int err
        if self._s.err:  # an earlier error sticks until a seek
            got = 0
        else:
            with nogil:
                got = self._decode(out, rows, frames)
        self._pos += got
        err = self._s.err
        if err:
            raise AudioFileError(
                f"'{self.path}': decoding failed after {got} frames: {_reason(err)}",
                self.path,
                frames_decoded=got,
            )
        return got

    def readf_into(self, float[:, ::1] out, Py_ssize_t start, Py_ssize_t frames):
        """Decode up to ``frames`` frames into rows ``start:start+frames`` of ``out`` [n, channels].
        Returns the number decoded (fewer at the end of the stream). A decoder error raises
        :class:`AudioFileError` with ``frames_decoded`` (frames written by this call)."""
        self._check_open()
        if out.shape[1] != self._s.channels:
            raise ValueError(f"buffer has {out.shape[1]} channels, file has {self._s.channels}")
        if start < 0 or frames < 0 or start + frames > out.shape[0]:
            raise ValueError(f"rows {start}:{start + frames} outside buffer of {out.shape[0]}")
        if frames == 0:
            return 0
        return self._read(&out[start, 0], 0, frames)

    def readf_planar_into(self, float[:, ::1] out, Py_ssize_t start, Py_ssize_t frames):
        """:meth:`readf_into` for ``out`` [channels, n]: frames go to columns ``start:start+frames``."""
        self._check_open()
        if out.shape[0] != self._s.channels:
            raise ValueError(f"buffer has {out.shape[0]} channels, file has {self._s.channels}")
        if start < 0 or frames < 0 or start + frames > out.shape[1]:
            raise ValueError(f"columns {start}:{start + frames} outside buffer of {out.shape[1]}")
        if frames == 0:
            return 0
        return self._read(&out[0, start], out.shape[1], frames)

    def log_info(self):
        return ""

    def close(self):
        self._release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def open_read(bytes raw, str name):
    """Open ``raw`` (a filesystem path) for decoding; ``name`` is the path as shown in messages.
    Raises :class:`AudioFileError` when libFLAC cannot read its STREAMINFO or the stream is outside
    what this reader takes (then libsndfile's reader is used)."""
    f = FlacFile()
    f.path = name
    try:
        f._open(raw)
    except BaseException:
        f.close()
        raise
    return f
