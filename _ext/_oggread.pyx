# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Ogg Opus and Ogg Vorbis decoding driven directly, demuxed by libogg (GIL released).

Ogg Vorbis: :class:`VorbisIndex` (one per file) and :class:`VorbisReader`; why, and which files, in
the comment block before them. Ogg Opus through libopus's single-stream decoder (:class:`OpusReader`):

Why not libsndfile's reader or libavcodec's ``libopus`` wrapper: both drive libopus through its
multistream API, and libopus 1.3's ``opus_multistream_decode_float`` asks ``opus_decoder_get_size``
four times per packet, each of which runs ``cpuid`` (CPU feature detection). On a virtual machine
every ``cpuid`` traps to the hypervisor: measured on the 180 s benchmark file, 40 % of the decode
time. For a mono or stereo stream (channel mapping family 0, one Opus stream) the multistream
decoder only forwards to one ``OpusDecoder`` and copies its output, so ``opus_decode_float`` on that
decoder, with the same output gain, gives the same samples bit for bit, ~1.8x faster per core.

What this module decodes, and what it leaves to the others: one logical stream (no chaining or
multiplexing), pages back to back from the start of the file to its end page, mapping family 0
with 1 or 2 channels, granule positions consistent with the packets (no trimmed start), and an end
granule that gives the length the caller states (libsndfile's). :func:`open_opus` returns None
for anything else; a damaged page found while decoding (CRC, a gap, a packet libopus refuses) stops
the read with an ``AudioFileError`` that counts the frames delivered, so the caller can hand the
rest to libsndfile. Output frame ``k`` is decoded sample ``pre-skip + k``.
"""

from libc.stdint cimport int64_t, uint8_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcmp, memcpy
from posix.fcntl cimport O_RDONLY, open as c_open
from posix.mman cimport MAP_FAILED, MAP_PRIVATE, PROT_READ, mmap, munmap
from posix.stat cimport fstat, struct_stat
from posix.unistd cimport close as c_close, pread

cimport c_ogg as og
cimport c_opus as op
cimport c_vorbis as vb

from mlxdsp._errors import AudioFileError

cdef extern from "<fcntl.h>":
    int O_CLOEXEC

DEF _RATE = 48000       # libopus decodes at 48 kHz here (libsndfile's rate for 48 kHz input)
DEF _MAX_PACKET = 5760  # samples per channel of the longest Opus packet (120 ms at 48 kHz)
DEF _FEED = 1 << 16     # bytes handed to libogg's sync buffer at a time
DEF _PAGE_HEADER = 27

# read states
DEF _READING = 0
DEF _ENDED = 1   # no more pages (the file ended before the stated length: the caller decides)
DEF _FAILED = 2  # a damaged page or packet (msg says which)

cdef inline int64_t _le64(const uint8_t *p) noexcept nogil:
    cdef uint64_t v = 0
    cdef int i
    for i in range(7, -1, -1):
        v = (v << 8) | p[i]
    return <int64_t> v


cdef inline unsigned int _le32(const uint8_t *p) noexcept nogil:
    return p[0] | (<unsigned int> p[1] << 8) | (<unsigned int> p[2] << 16) | (<unsigned int> p[3] << 24)


cdef struct Pages:
    int64_t *off      # byte offset of each page
    int64_t *gran     # granule position of each page (-1: no packet ends there)
    uint8_t *cont     # page starts with the continuation of a packet
    int n
    unsigned int serial


cdef void _pages_free(Pages *pg) noexcept:
    free(pg.off)
    free(pg.gran)
    free(pg.cont)
    pg.off = pg.gran = NULL
    pg.cont = NULL
    pg.n = 0


cdef int _walk(const uint8_t *m, int64_t size, Pages *pg) except -1:
    """Index every page of the mapped file ``m``; 0 if it is one logical stream of back-to-back
    pages, numbered from 0, ending in its end page at the end of the file; 1 otherwise."""
    cdef int64_t off = 0, body, cap = 0
    cdef const uint8_t *h
    cdef int nseg, i, n = 0
    cdef unsigned int seq
    cdef void *p
    while off < size:
        if off + _PAGE_HEADER > size:
            return 1
        h = m + off
        if memcmp(h, b"OggS", 4) != 0 or h[4] != 0:
            return 1
        nseg = h[26]
        if off + _PAGE_HEADER + nseg > size:
            return 1
        body = 0
        for i in range(nseg):
            body += h[_PAGE_HEADER + i]
        if off + _PAGE_HEADER + nseg + body > size:
            return 1
        seq = _le32(h + 18)
        if n == 0:
            if not (h[5] & 2):
                return 1
            pg.serial = _le32(h + 14)
        elif _le32(h + 14) != pg.serial or seq != <unsigned int> n or (h[5] & 2):
            return 1
        if n == cap:
            cap = 2 * cap + 64
            p = realloc(pg.off, cap * sizeof(int64_t))
            if p == NULL:
                raise MemoryError()
            pg.off = <int64_t *> p
            p = realloc(pg.gran, cap * sizeof(int64_t))
            if p == NULL:
                raise MemoryError()
            pg.gran = <int64_t *> p
            p = realloc(pg.cont, cap)
            if p == NULL:
                raise MemoryError()
            pg.cont = <uint8_t *> p
        pg.off[n] = off
        pg.gran[n] = _le64(h + 6)
        pg.cont[n] = h[5] & 1
        n += 1
        pg.n = n
        off += _PAGE_HEADER + nseg + body
        if h[5] & 4:  # end of stream: nothing may follow (a chained stream)
            return 0 if off == size else 1
    return 1  # no end page


cdef const uint8_t *_map_fd(int fd, int64_t *size) noexcept:
    """The whole file open at ``fd`` mapped read-only (its size in ``size``), or NULL."""
    cdef struct_stat st
    cdef void *m
    if fstat(fd, &st) != 0 or st.st_size < 3 * _PAGE_HEADER:
        return NULL
    m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)
    if m == MAP_FAILED:
        return NULL
    size[0] = st.st_size
    return <const uint8_t *> m


cdef class _OggReader:
    """What the Ogg readers share: libogg's page sync and stream state, fed by ``pread`` from
    ``_fd`` (never from a mapping while decoding: a file cut short by another process would raise
    SIGBUS); the page being decoded; the read state; the interface ``readf_into`` /
    ``readf_planar_into`` / ``close`` over each reader's ``_fill``."""

    cdef og.ogg_sync_state _oy
    cdef og.ogg_stream_state _os
    cdef bint _oy_init, _os_init
    cdef const uint8_t *_map  # the whole file, mapped only while a reader is being opened
    cdef int _fd
    cdef int64_t _size
    cdef unsigned int _serial
    cdef int64_t _feed        # next byte to hand to libogg
    cdef int64_t _page_gran   # granule of the page whose packets are being decoded
    cdef bint _page_eos, _have_page
    cdef int _state
    cdef readonly int channels, samplerate, format
    cdef readonly str path, decoder

    def __cinit__(self):
        self._map = NULL
        self._fd = -1
        self._oy_init = False
        self._os_init = False

    def __dealloc__(self):
        self._release_demux()

    cdef void _release_demux(self) noexcept:
        if self._os_init:
            og.ogg_stream_clear(&self._os)
            self._os_init = False
        if self._oy_init:
            og.ogg_sync_clear(&self._oy)
            self._oy_init = False
        if self._map != NULL:
            munmap(<void *> self._map, self._size)
            self._map = NULL
        if self._fd >= 0:
            c_close(self._fd)
            self._fd = -1

    cdef void _release(self) noexcept:
        """Free everything (each reader adds its own)."""
        self._release_demux()

    cdef int _demux_init(self) except -1:
        og.ogg_sync_init(&self._oy)
        self._oy_init = True
        if og.ogg_stream_init(&self._os, <int> self._serial) != 0:
            raise MemoryError()
        self._os_init = True
        return 0

    cdef int _demux_reset(self, int64_t offset) except -1:
        """Read pages from byte ``offset`` on (the start of a page)."""
        if og.ogg_sync_reset(&self._oy) != 0:
            raise AudioFileError(f"'{self.path}': libogg cannot reset its sync state", self.path)
        if og.ogg_stream_reset_serialno(&self._os, <int> self._serial) != 0:
            raise AudioFileError(f"'{self.path}': libogg cannot reset its stream", self.path)
        self._feed = offset
        self._have_page = False
        self._state = _READING
        return 0

    cdef int _next_page(self) noexcept nogil:
        """Hand libogg the next page; 0, or 1 at the end of the data, or -1 (``_state`` set)."""
        cdef og.ogg_page page
        cdef int r
        cdef int64_t k
        cdef Py_ssize_t got
        cdef char *dst
        while True:
            r = og.ogg_sync_pageout(&self._oy, &page)
            if r == 1:
                break
            if r < 0:  # bytes skipped: a damaged page (bad CRC) or garbage between pages
                self._state = _FAILED
                return -1
            if self._feed >= self._size:
                self._state = _ENDED
                return 1
            k = min(<int64_t> _FEED, self._size - self._feed)
            dst = og.ogg_sync_buffer(&self._oy, k)
            if dst == NULL:
                self._state = _FAILED
                return -1
            got = pread(self._fd, dst, <size_t> k, self._feed)
            if got != k:  # a read error, or the file shrank
                self._state = _FAILED
                return -1
            if og.ogg_sync_wrote(&self._oy, k) != 0:
                self._state = _FAILED
                return -1
            self._feed += k
        if <unsigned int> og.ogg_page_serialno(&page) != self._serial:
            self._state = _FAILED
            return -1
        if og.ogg_stream_pagein(&self._os, &page) != 0:
            self._state = _FAILED
            return -1
        self._page_gran = og.ogg_page_granulepos(&page)
        self._page_eos = og.ogg_page_eos(&page) != 0
        self._have_page = True
        return 0

    cdef int64_t _fill(self, float *dst, Py_ssize_t rows, int64_t want) noexcept nogil:
        """Decode up to ``want`` frames into ``dst``: interleaved when ``rows`` is 0, else planar
        (channel ``j`` at ``dst + j * rows``). Stops early at the end or on a failure (``_state``)."""
        return 0

    cdef str _what(self):
        return "Ogg"

    def readf_into(self, float[:, ::1] out, Py_ssize_t start, Py_ssize_t frames):
        """Decode up to ``frames`` frames into rows ``start:start+frames`` of ``out`` [n, channels].

        Returns the frames decoded (fewer at the end, or where the data end). A damaged page or
        packet raises ``AudioFileError`` with ``frames_decoded``."""
        self._check_region(out.shape[1], out.shape[0], start, frames, "rows")
        return self._read(&out[start, 0], 0, frames) if frames else 0

    def readf_planar_into(self, float[:, ::1] out, Py_ssize_t start, Py_ssize_t frames):
        """:meth:`readf_into` for ``out`` [channels, n]: frames go to columns ``start:start+frames``."""
        self._check_region(out.shape[0], out.shape[1], start, frames, "columns")
        return self._read(&out[0, start], out.shape[1], frames) if frames else 0

    cdef int _check_region(self, Py_ssize_t ch, Py_ssize_t n, Py_ssize_t start, Py_ssize_t frames,
                           str what) except -1:
        self._check_open()
        if ch != self.channels:
            raise ValueError(f"buffer has {ch} channels, file has {self.channels}")
        if start < 0 or frames < 0 or start + frames > n:
            raise ValueError(f"{what} {start}:{start + frames} outside buffer of {n}")
        return 0

    cdef int _prepare(self) except -1:
        """What a reader needs before it decodes (GIL held)."""
        return 0

    cdef int64_t _read(self, float *dst, Py_ssize_t rows, int64_t frames) except -1:
        cdef int64_t got
        self._prepare()
        with nogil:
            got = self._fill(dst, rows, frames)
        if self._state == _FAILED and got < frames:
            raise AudioFileError(
                f"'{self.path}': decoding failed after {got} frames: damaged {self._what()} page "
                f"or packet near byte {self._feed}",
                self.path,
                frames_decoded=got,
            )
        return got

    cdef int _check_open(self) except -1:
        if self._fd < 0:
            raise ValueError(f"'{self.path}': the {self._what()} reader is closed")
        return 0

    def close(self):
        self._release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


cdef class OpusReader(_OggReader):
    """An Ogg Opus file decoded by one libopus ``OpusDecoder``. Made by :func:`open_opus`."""

    cdef Pages _pg
    cdef int _audio           # index of the first audio page
    cdef int _gain
    cdef op.OpusDecoder *_dec
    cdef float *_pend         # one decoded packet not yet (fully) delivered
    cdef int _pend_off, _pend_n
    cdef int64_t _dec_pos     # granule (48 kHz sample) of the next decoded sample
    cdef int64_t _skip_to     # decoded samples before this granule are dropped
    cdef int64_t _out_pos     # output frame of the next delivered frame
    cdef readonly int preskip
    cdef readonly int64_t frames_declared
    cdef public int64_t preroll  # a seek restarts libopus at least this many samples early

    def __cinit__(self):
        self._dec = NULL
        self._pend = NULL

    def __dealloc__(self):
        self._release_own()

    cdef void _release_own(self) noexcept:
        if self._dec != NULL:
            op.opus_decoder_destroy(self._dec)
            self._dec = NULL
        _pages_free(&self._pg)
        free(self._pend)
        self._pend = NULL

    cdef void _release(self) noexcept:
        self._release_own()
        self._release_demux()

    cdef str _what(self):
        return "Ogg Opus"

    # --- opening ----------------------------------------------------------------------------------

    cdef int _headers(self, int64_t frames) except -1:
        """Check the OpusHead/OpusTags pages and the end granule; 0 if this reader decodes it."""
        cdef const uint8_t *h = self._map
        cdef const uint8_t *b
        cdef int nseg = 0, i, k, done = 0
        cdef int64_t prev = 0, g
        if self._pg.n < 3:
            return 1
        # OpusHead alone on the first page: one packet of 19 bytes (family 0 has no mapping table).
        nseg = h[26]
        if nseg != 1 or h[_PAGE_HEADER] != 19 or self._pg.gran[0] != 0:
            return 1
        b = h + _PAGE_HEADER + 1
        if memcmp(b, b"OpusHead", 8) != 0 or b[8] >= 16 or b[18] != 0 or not 1 <= b[9] <= 2:
            return 1
        self.channels = b[9]
        self.preskip = b[10] | (b[11] << 8)
        self._gain = <short> (b[16] | (b[17] << 8))
        # OpusTags: the only packet on pages 1..k, ending on page k; audio starts on page k + 1.
        if self._pg.cont[1]:
            return 1
        k = 1
        while k < self._pg.n:
            h = self._map + self._pg.off[k]
            nseg = h[26]
            if self._pg.gran[k] != 0 and self._pg.gran[k] != -1:
                return 1
            for i in range(nseg):
                if h[_PAGE_HEADER + i] < 255:
                    done += 1
            if done:
                break
            k += 1
        if done != 1 or h[_PAGE_HEADER + nseg - 1] == 255:
            return 1
        h = self._map + self._pg.off[1]
        if memcmp(h + _PAGE_HEADER + h[26], b"OpusTags", 8) != 0:
            return 1
        self._audio = k + 1
        if self._audio >= self._pg.n or self._pg.cont[self._audio]:
            return 1
        # Granules never decrease; the last one gives the stated length.
        for i in range(self._audio, self._pg.n):
            g = self._pg.gran[i]
            if g == -1:
                continue
            if g < prev:
                return 1
            prev = g
        if self._pg.gran[self._pg.n - 1] - self.preskip != frames or frames <= 0:
            return 1
        return 0

    cdef int _new_decoder(self) except -1:
        cdef int err = 0
        if self._dec != NULL:
            op.opus_decoder_destroy(self._dec)
            self._dec = NULL
        self._dec = op.opus_decoder_create(_RATE, self.channels, &err)
        if self._dec == NULL or err != op.OPUS_OK:
            raise AudioFileError(
                f"'{self.path}': libopus cannot make a decoder: "
                f"{op.opus_strerror(err).decode('ascii', 'replace')}", self.path
            )
        err = op.opus_decoder_ctl(self._dec, op.OPUS_SET_GAIN_REQUEST, <op.opus_int32> self._gain)
        if err != op.OPUS_OK:
            raise AudioFileError(
                f"'{self.path}': libopus refuses the output gain {self._gain}: "
                f"{op.opus_strerror(err).decode('ascii', 'replace')}", self.path
            )
        return 0

    cdef int _restart(self, int page, int64_t target) except -1:
        """Decode from ``page`` (not continued) with a fresh decoder; deliver from frame ``target``."""
        self._new_decoder()
        self._demux_reset(self._pg.off[page])
        self._dec_pos = 0 if page == self._audio else self._pg.gran[page - 1]
        self._skip_to = target + self.preskip
        self._out_pos = target
        self._pend_off = self._pend_n = 0
        return 0

    # --- decoding ---------------------------------------------------------------------------------

    cdef int64_t _fill(self, float *dst, Py_ssize_t rows, int64_t want) noexcept nogil:
        cdef int64_t got = 0, k, first, frames = self.frames_declared
        cdef int ch = self.channels, ns, r, drop, j
        cdef Py_ssize_t i
        cdef const float *src
        cdef og.ogg_packet pkt
        while got < want:
            if self._pend_n > 0:
                k = min(<int64_t> self._pend_n, want - got)
                src = self._pend + self._pend_off * ch
                if rows:
                    for j in range(ch):
                        for i in range(k):
                            dst[j * rows + got + i] = src[i * ch + j]
                else:
                    memcpy(dst + got * ch, src, k * ch * sizeof(float))
                self._pend_off += k
                self._pend_n -= k
                got += k
                self._out_pos += k
                continue
            if self._out_pos >= frames or self._state != _READING:
                break
            r = og.ogg_stream_packetout(&self._os, &pkt)
            if r < 0:  # a gap: a page is missing
                self._state = _FAILED
                break
            if r == 0:
                # The page's packets are all decoded: its granule must count exactly those samples
                # (the end page may count fewer: the end trimming).
                if self._have_page and self._page_gran != -1 and (
                    self._page_gran > self._dec_pos
                    or (self._page_gran != self._dec_pos and not self._page_eos)
                ):
                    self._state = _FAILED
                    break
                if self._have_page and self._page_eos:
                    self._state = _ENDED
                    break
                if self._next_page() != 0:
                    break
                continue
            ns = op.opus_packet_get_nb_samples(pkt.packet, <op.opus_int32> pkt.bytes, _RATE)
            if ns <= 0 or ns > _MAX_PACKET:
                self._state = _FAILED
                break
            drop = <int> max(0, min(<int64_t> ns, self._skip_to - self._dec_pos))
            first = self._dec_pos + drop - self.preskip  # output frame of the first kept sample
            if rows == 0 and drop == 0 and want - got >= ns and first + ns <= frames:
                r = op.opus_decode_float(
                    self._dec, pkt.packet, <op.opus_int32> pkt.bytes, dst + got * ch, ns, 0
                )
                if r != ns:
                    self._state = _FAILED
                    break
                got += ns
                self._out_pos += ns
            else:
                r = op.opus_decode_float(
                    self._dec, pkt.packet, <op.opus_int32> pkt.bytes, self._pend, _MAX_PACKET, 0
                )
                if r != ns:
                    self._state = _FAILED
                    break
                self._pend_off = drop
                self._pend_n = <int> max(0, min(<int64_t> (ns - drop), frames - first))
            self._dec_pos += ns
        return got

    def seek(self, int64_t frame):
        """Position at output ``frame``: libopus restarts on the last page boundary at least
        :attr:`preroll` samples before it (a fresh decoder) and decodes forward."""
        self._check_open()
        if frame < 0:
            raise ValueError(f"frame={frame} must be >= 0")
        frame = min(frame, self.frames_declared)
        cdef int64_t back = frame + self.preskip - max(self.preroll, 0)
        cdef int page = self._audio, i
        for i in range(self._pg.n - 1, self._audio, -1):
            if not self._pg.cont[i] and 0 <= self._pg.gran[i - 1] <= back:
                page = i
                break
        self._restart(page, frame)
        return frame

    @property
    def frames(self):
        return self.frames_declared


def open_opus(bytes raw, str name, long long frames):
    """An :class:`OpusReader` of the file at ``raw`` positioned at its first frame, or None when
    this reader does not decode it (see the module docstring; the caller's other decoders do).
    ``frames``: the length libsndfile states; the file's end granule must give the same."""
    cdef OpusReader r = OpusReader.__new__(OpusReader)
    r.path = name
    r.decoder = "libopus"
    r.samplerate = _RATE
    r.format = 0x200064  # libsndfile's SF_FORMAT_OGG | SF_FORMAT_OPUS
    r.frames_declared = frames
    r.preroll = 3840  # 80 ms (RFC 7845's recommendation); open_opus_part asks for more
    r._fd = c_open(raw, O_RDONLY | O_CLOEXEC)  # released with r from here on
    if r._fd < 0:
        return None
    r._map = _map_fd(r._fd, &r._size)
    if r._map == NULL:
        r._release()
        return None
    if _walk(r._map, r._size, &r._pg) != 0 or r._headers(frames) != 0:
        r._release()
        return None
    # Decode by pread, not from the mapping: a file cut short by another process while it is read
    # then fails the read instead of raising SIGBUS.
    munmap(<void *> r._map, r._size)
    r._map = NULL
    r._serial = r._pg.serial
    r._pend = <float *> malloc(_MAX_PACKET * r.channels * sizeof(float))
    if r._pend == NULL:
        r._release()
        raise MemoryError()
    r._demux_init()
    r._restart(r._audio, 0)
    return r


# --- Ogg Vorbis ------------------------------------------------------------------------------------
#
# Why not libsndfile's reader: every open runs vorbis_synthesis_init, which unpacks the codebooks and
# sets up the MDCT (~0.4 ms: a fifth of a 1 s read), and its seek bisects the file by reading pages.
# Here a file is indexed once (VorbisIndex: headers parsed, every page and packet checked, each
# page's first packet's end position computed) and keeps its synthesis states; a reader borrows one
# (vorbis_synthesis_restart, ~1 us), finds its page in the index and decodes from there.
#
# Same samples as libsndfile: the same libvorbis decodes the same packets, and a restarted decoder
# gives the full decode's samples from its second packet on (the first only primes the overlap).
# Positions come from block sizes, not granules: packet n returns blocksize(n-1)/4 + blocksize(n)/4
# samples (the first returns none), which the index checks against every page's granule.
#
# What it decodes, and what it leaves to libsndfile (vorbis_index returns None): one logical stream
# of back-to-back pages ending in its end page at the end of the file; the three headers alone on
# their pages; audio packets that are all non-empty audio packets; every page's granule equal to
# the end of its last packet, except the end page's, which may cut its last packet short
# (libsndfile's frame count is that granule); so frame k is decoded sample k (no start offset).

DEF _POOL = 4               # synthesis states kept per file


cdef bint _same_bytes(int fd, bytes want, int64_t offset) except -1:
    cdef Py_ssize_t n = len(want)
    cdef char *buf = <char *> malloc(n if n else 1)
    cdef Py_ssize_t got
    cdef const char *ref = want
    if buf == NULL:
        raise MemoryError()
    try:
        with nogil:
            got = pread(fd, buf, <size_t> n, offset)
        return got == n and memcmp(buf, ref, n) == 0
    finally:
        free(buf)


cdef int _declined[2]


cdef int _why(int reason, int page) noexcept:
    _declined[0] = reason
    _declined[1] = page
    return reason


def declined():
    """Why the last :func:`vorbis_index` call returned None (diagnostics, tests): ``(reason,
    page)``; reason 0: it did not; 1: not one stream of whole pages ending in its end page at the
    end of the file; 2: headers not alone on their pages, or not Vorbis; 3: an empty audio packet;
    4: a packet that is not audio; 5: the end page's granule; 6: a page's granule other than its
    packets' block sizes count (a stream not starting at 0); 7: no audio packet; 8: libvorbis cannot
    set up a decoder from the headers."""
    return _declined[0], _declined[1]


cdef struct Decoder:
    vb.vorbis_dsp_state vd
    vb.vorbis_block blk


cdef void _decoder_free(Decoder *d) noexcept:
    vb.vorbis_block_clear(&d.blk)
    vb.vorbis_dsp_clear(&d.vd)
    free(d)


cdef class VorbisIndex:
    """One Ogg Vorbis file, indexed (made by :func:`vorbis_index`): its parsed headers, the byte
    offset of every page, the decoded position at which each page's first packet ends, and a pool of
    synthesis states for its readers."""

    cdef vb.vorbis_info _vi
    cdef bint _vi_init
    cdef Pages _pg
    cdef int64_t *_start_page  # pages on which a packet starts, in order
    cdef int64_t *_start_end   # end position (decoded samples) of the first packet starting there
    cdef int _nstarts
    cdef int _bs_long
    cdef Decoder **_pool
    cdef int _npool
    cdef bytes _head, _tail   # the header pages (up to 16 KiB) and the end page, as indexed
    cdef readonly int64_t frames, size
    cdef readonly int channels, samplerate

    def __cinit__(self):
        self._start_page = NULL
        self._start_end = NULL
        self._pool = NULL
        self._vi_init = False

    def __dealloc__(self):
        cdef int i
        for i in range(self._npool):
            _decoder_free(self._pool[i])
        free(self._pool)
        self._npool = 0
        _pages_free(&self._pg)
        free(self._start_page)
        free(self._start_end)
        if self._vi_init:
            vb.vorbis_info_clear(&self._vi)

    cdef int _headers(self, const uint8_t *m) except -2:
        """Parse the three header packets; the index of the first audio page, or -1."""
        cdef og.ogg_stream_state os
        cdef og.ogg_page page
        cdef og.ogg_packet pkt
        cdef vb.vorbis_comment vc
        cdef const uint8_t *h
        cdef int i = 0, got = 0, r, bad = 0
        if og.ogg_stream_init(&os, <int> self._pg.serial) != 0:
            raise MemoryError()
        vb.vorbis_info_init(&self._vi)
        self._vi_init = True
        vb.vorbis_comment_init(&vc)
        # The identification header alone on the first page; the comment and setup headers end on
        # the last header page; audio starts on the next page.
        while got < 3 and i < self._pg.n:
            h = m + self._pg.off[i]
            page.header = <unsigned char *> h
            page.header_len = _PAGE_HEADER + h[26]
            page.body = <unsigned char *> (h + page.header_len)
            page.body_len = 0
            for r in range(h[26]):
                page.body_len += h[_PAGE_HEADER + r]
            if og.ogg_stream_pagein(&os, &page) != 0:
                bad = 1
                break
            while got < 3:
                r = og.ogg_stream_packetout(&os, &pkt)
                if r == 0:
                    break
                if r < 0 or vb.vorbis_synthesis_headerin(&self._vi, &vc, &pkt) != 0:
                    bad = 1
                    break
                got += 1
                if got == 1:  # the identification header, alone on the first page
                    if i != 0 or og.ogg_stream_packetout(&os, &pkt) != 0:
                        bad = 1
                    break
            if bad:
                break
            i += 1
        if not bad and (got < 3 or og.ogg_stream_packetout(&os, &pkt) != 0):
            bad = 1  # a header page also holds audio
        vb.vorbis_comment_clear(&vc)
        og.ogg_stream_clear(&os)
        if bad or i >= self._pg.n or self._pg.cont[i] or self._pg.gran[0] != 0:
            _why(2, i)
            return -1
        return i

    cdef int _packets(self, const uint8_t *m, int audio) except -1:
        """Check every audio packet and granule; fill the packet-start index. 0 if decodable."""
        cdef og.ogg_packet pkt
        cdef const uint8_t *h
        cdef const uint8_t *body
        cdef int i, k, nseg, lv, n = 0
        cdef long bs, prev_bs = 0
        cdef int64_t pos = 0, end = -1, g, at
        cdef bint starting
        cdef void *p
        self._start_page = <int64_t *> malloc(self._pg.n * sizeof(int64_t))
        self._start_end = <int64_t *> malloc(self._pg.n * sizeof(int64_t))
        if self._start_page == NULL or self._start_end == NULL:
            raise MemoryError()
        pkt.b_o_s = pkt.e_o_s = 0
        pkt.granulepos = -1
        pkt.packetno = 0
        for i in range(audio, self._pg.n):
            h = m + self._pg.off[i]
            nseg = h[26]
            body = h + _PAGE_HEADER + nseg
            at = 0
            end = -1
            starting = not self._pg.cont[i]
            for k in range(nseg):
                lv = h[_PAGE_HEADER + k]
                if starting:
                    if lv == 0:
                        return _why(3, i)  # an empty packet: libsndfile skips it
                    pkt.packet = <unsigned char *> body + at
                    pkt.bytes = lv
                    bs = vb.vorbis_packet_blocksize(&self._vi, &pkt)
                    if bs <= 0:
                        return _why(4, i)  # not an audio packet
                    if prev_bs:
                        pos += (prev_bs + bs) >> 2
                    prev_bs = bs
                    if n == 0 or self._start_page[n - 1] != i:
                        self._start_page[n] = i
                        self._start_end[n] = pos
                        n += 1
                    starting = False
                at += lv
                if lv < 255:
                    starting = True
                    end = pos
            g = self._pg.gran[i]
            if i == self._pg.n - 1:
                # The end page: its granule may cut the decoded end short (libvorbis trims the last
                # packet, and libsndfile's reads stop at the frame count, which is this granule).
                if end < 0 or not starting or not 0 < g <= end:
                    return _why(5, i)
                self.frames = g
            elif g != end:
                return _why(6, i)  # a granule other than the block sizes count (or a start offset)
        self._nstarts = n
        return 0 if n > 0 else _why(7, 0)

    def matches(self, int fd):
        """Whether the file open at ``fd``, of the indexed size (the caller's cache key holds it),
        still starts with the header bytes and ends with the end page indexed (a file rewritten in
        place within one tick of the file system's clock keeps its size and times)."""
        return _same_bytes(fd, self._head, 0) and _same_bytes(
            fd, self._tail, self.size - len(self._tail)
        )

    cdef Decoder *_take(self) except NULL:
        """A synthesis state for this file's stream, from the pool or new (GIL held: libvorbis
        unpacks the codebooks into the shared ``vorbis_info`` on the first ``vorbis_synthesis_init``
        of a stream, so no two may run at once; :func:`vorbis_index` runs that first one)."""
        cdef Decoder *d
        if self._npool > 0:
            self._npool -= 1
            return self._pool[self._npool]
        d = <Decoder *> malloc(sizeof(Decoder))
        if d == NULL:
            raise MemoryError()
        if vb.vorbis_synthesis_init(&d.vd, &self._vi) != 0:
            # (libvorbis has already cleared d.vd.) A first init that fails leaves the codebooks
            # half built in the vorbis_info, and a second would then succeed on them and crash in
            # the residue decode: vorbis_index declines such a file after its first failure.
            free(d)
            raise AudioFileError("libvorbis cannot set up a decoder", None)
        if vb.vorbis_block_init(&d.vd, &d.blk) != 0:
            vb.vorbis_dsp_clear(&d.vd)
            free(d)
            raise MemoryError()
        return d

    cdef void _give(self, Decoder *d) noexcept:
        """Return ``d`` to the pool (GIL held)."""
        if self._pool == NULL:
            self._pool = <Decoder **> malloc(_POOL * sizeof(Decoder *))
        if self._pool == NULL or self._npool >= _POOL:
            _decoder_free(d)
            return
        self._pool[self._npool] = d
        self._npool += 1

    cdef int _restart_at(self, int64_t frame, int64_t *pos) noexcept nogil:
        """The last page on which a packet ending at or before ``frame`` starts (the first packet
        starting there ends at ``pos``)."""
        cdef int lo = 0, hi = self._nstarts - 1, mid
        while lo < hi:
            mid = (lo + hi + 1) >> 1
            if self._start_end[mid] <= frame:
                lo = mid
            else:
                hi = mid - 1
        pos[0] = self._start_end[lo]
        return <int> self._start_page[lo]


def vorbis_index(int fd):
    """A :class:`VorbisIndex` of the Ogg Vorbis file open at ``fd``, or None when the file is not
    one this module decodes exactly as libsndfile (see above)."""
    cdef VorbisIndex ix = VorbisIndex.__new__(VorbisIndex)
    cdef int64_t size = 0
    cdef const uint8_t *m = _map_fd(fd, &size)
    cdef int audio
    cdef Decoder *d
    _why(0, 0)
    if m == NULL:
        return None
    try:
        if _walk(m, size, &ix._pg) != 0:
            _why(1, ix._pg.n)
            return None
        audio = ix._headers(m)
        if audio < 0 or ix._packets(m, audio) != 0:
            return None
        # (The comment header may hold pictures: megabytes. 16 KiB of the headers, the serial number
        # in every page header, and the end page tell a rewritten file.)
        ix._head = (<const char *> m)[:min(ix._pg.off[audio], 1 << 14)]
        ix._tail = (<const char *> m + ix._pg.off[ix._pg.n - 1])[:size - ix._pg.off[ix._pg.n - 1]]
    finally:
        munmap(<void *> m, size)
    ix.size = size
    ix.channels = ix._vi.channels
    ix.samplerate = <int> ix._vi.rate
    ix._bs_long = vb.vorbis_info_blocksize(&ix._vi, 1)
    if ix.channels < 1 or ix.samplerate < 1 or ix._bs_long <= 0:
        return None
    try:
        d = ix._take()  # the first synthesis state: it must be set up before any other
    except AudioFileError:
        _why(8, 0)
        return None
    ix._give(d)
    return ix


cdef class VorbisReader(_OggReader):
    """An Ogg Vorbis file decoded through its :class:`VorbisIndex` (``readf_into``,
    ``readf_planar_into``, ``seek``, ``close``). Made by :func:`open_vorbis`."""

    cdef VorbisIndex _ix
    cdef Decoder *_dec
    cdef int64_t _pkt_end     # decoded position at which the last packet pulled ends
    cdef long _prev_bs        # its block size (0: none pulled since the seek)
    cdef bint _decoding       # the decoder has been restarted and fed since the seek
    cdef int64_t _dec_pos     # position of the next sample the decoder returns
    cdef int64_t _out_pos     # output frame of the next delivered frame
    cdef readonly int64_t frames
    cdef readonly double split_min_seconds

    def __cinit__(self):
        self._dec = NULL

    def __dealloc__(self):
        self._release_own()

    cdef void _release_own(self) noexcept:
        if self._dec != NULL:
            if self._ix is not None:
                self._ix._give(self._dec)
            else:
                _decoder_free(self._dec)
            self._dec = NULL

    cdef void _release(self) noexcept:
        self._release_own()
        self._release_demux()

    cdef str _what(self):
        return "Ogg Vorbis"

    cdef int _prepare(self) except -1:
        # A synthesis state from the pool only once something is decoded (``info`` needs none).
        if self._dec == NULL:
            self._dec = self._ix._take()
        return 0

    cdef int _packet(self) noexcept nogil:
        """Pull the next packet and decode it if its samples (or the next packet's) are wanted;
        0, 1 at the end of the stream, -1 on failure (``_state`` set)."""
        cdef og.ogg_packet pkt
        cdef long bs
        cdef int r, n
        cdef Decoder *d = self._dec
        while True:
            r = og.ogg_stream_packetout(&self._os, &pkt)
            if r > 0:
                break
            if r < 0:  # a gap: a page is missing
                self._state = _FAILED
                return -1
            # The page's packets are all pulled: its granule is where the last of them ends.
            if self._have_page and not self._page_eos and self._page_gran != -1 and (
                self._page_gran != self._pkt_end
            ):
                self._state = _FAILED
                return -1
            if self._have_page and self._page_eos:
                self._state = _ENDED
                return 1
            if self._next_page() != 0:
                return -1
        bs = vb.vorbis_packet_blocksize(&self._ix._vi, &pkt)
        if bs <= 0:
            self._state = _FAILED
            return -1
        if self._prev_bs:
            self._pkt_end += (self._prev_bs + bs) >> 2
        self._prev_bs = bs
        if not self._decoding:
            # Its output is not wanted; it must be decoded if the next packet's is (the next one
            # ends at most blocksize/4 + the long blocksize/4 later).
            if self._pkt_end + ((bs + self._ix._bs_long) >> 2) <= self._out_pos:
                return 0
            if vb.vorbis_synthesis_restart(&d.vd) != 0:
                self._state = _FAILED
                return -1
            self._decoding = True
            self._dec_pos = self._pkt_end  # a restarted decoder's first packet returns nothing
        if vb.vorbis_synthesis(&d.blk, &pkt) != 0 or vb.vorbis_synthesis_blockin(&d.vd, &d.blk) != 0:
            self._state = _FAILED
            return -1
        n = vb.vorbis_synthesis_pcmout(&d.vd, NULL)
        # The packet returns exactly up to its end, or at the end of the stream up to fewer.
        if n > self._pkt_end - self._dec_pos or (n < self._pkt_end - self._dec_pos and not pkt.e_o_s):
            self._state = _FAILED
            return -1
        return 0

    cdef int64_t _fill(self, float *dst, Py_ssize_t rows, int64_t want) noexcept nogil:
        """Decode up to ``want`` frames into ``dst``: interleaved when ``rows`` is 0, else planar
        (channel ``j`` at ``dst + j * rows``). Stops early at the end or on a failure."""
        cdef int64_t got = 0, k, skip
        cdef int n, ch = self.channels, j
        cdef Py_ssize_t i
        cdef float **pcm
        cdef float *o
        cdef Decoder *d = self._dec
        while got < want:
            if self._decoding:
                n = vb.vorbis_synthesis_pcmout(&d.vd, &pcm)
                if n > 0:
                    skip = min(<int64_t> n, self._out_pos - self._dec_pos)
                    if skip > 0:  # before the seek target
                        vb.vorbis_synthesis_read(&d.vd, <int> skip)
                        self._dec_pos += skip
                        continue
                    k = min(<int64_t> n, want - got, self._ix.frames - self._out_pos)
                    if k <= 0:
                        break
                    if rows:
                        for j in range(ch):
                            memcpy(dst + j * rows + got, pcm[j], k * sizeof(float))
                    else:
                        o = dst + got * ch
                        for i in range(k):
                            for j in range(ch):
                                o[i * ch + j] = pcm[j][i]
                    vb.vorbis_synthesis_read(&d.vd, <int> k)
                    self._dec_pos += k
                    self._out_pos += k
                    got += k
                    continue
            if self._out_pos >= self._ix.frames or self._state != _READING:
                break
            if self._packet() != 0:
                break
        return got

    def seek(self, int64_t frame):
        """Position at output ``frame`` (exact anywhere: the decoder restarts at the last page
        boundary before it and decodes forward). Returns the frame."""
        self._check_open()
        if frame < 0:
            raise ValueError(f"frame={frame} must be >= 0")
        frame = min(frame, self._ix.frames)
        cdef int64_t pos = 0
        cdef int page = self._ix._restart_at(frame, &pos)
        self._demux_reset(self._ix._pg.off[page])
        self._pkt_end = pos
        self._prev_bs = 0
        self._decoding = False
        self._dec_pos = pos
        self._out_pos = frame
        return frame


def open_vorbis(VorbisIndex ix, int fd, str name, double split_min_seconds):
    """A :class:`VorbisReader` of the file open at ``fd`` (which it takes over and closes), indexed
    as ``ix``, positioned at its first frame."""
    cdef VorbisReader r = VorbisReader.__new__(VorbisReader)
    r._fd = fd
    r._ix = ix
    r.path = name
    r.decoder = "libvorbis"
    r.channels = ix.channels
    r.samplerate = ix.samplerate
    r.frames = ix.frames
    r.format = 0x200060  # libsndfile's SF_FORMAT_OGG | SF_FORMAT_VORBIS
    r.split_min_seconds = split_min_seconds
    r._size = ix.size
    r._serial = ix._pg.serial
    r._demux_init()
    r.seek(0)
    return r
