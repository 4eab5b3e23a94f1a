# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Ogg Opus decoding with libopus's single-stream decoder, demuxed by libogg (GIL released).

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
from posix.unistd cimport close as c_close

cimport c_ogg as og
cimport c_opus as op

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


cdef class OpusReader:
    """A mapped Ogg Opus file decoded by one libopus ``OpusDecoder``. Made by :func:`open_opus`."""

    cdef const uint8_t *_map
    cdef int64_t _size
    cdef int64_t *_pg_off     # byte offset of each page
    cdef int64_t *_pg_gran    # granule position of each page (-1: no packet ends there)
    cdef uint8_t *_pg_cont    # page starts with the continuation of a packet
    cdef int _npages
    cdef int _audio           # index of the first audio page
    cdef unsigned int _serial
    cdef int _gain
    cdef og.ogg_sync_state _oy
    cdef og.ogg_stream_state _os
    cdef bint _oy_init, _os_init
    cdef op.OpusDecoder *_dec
    cdef float *_pend         # one decoded packet not yet (fully) delivered
    cdef int _pend_off, _pend_n
    cdef int64_t _feed        # next byte to hand to libogg
    cdef int64_t _dec_pos     # granule (48 kHz sample) of the next decoded sample
    cdef int64_t _skip_to     # decoded samples before this granule are dropped
    cdef int64_t _out_pos     # output frame of the next delivered frame
    cdef int64_t _page_gran   # granule of the page whose packets are being decoded
    cdef bint _page_eos, _have_page
    cdef int _state
    cdef str _msg
    cdef readonly int channels, preskip, samplerate, format
    cdef readonly int64_t frames_declared
    cdef readonly str path, decoder
    cdef public int64_t preroll  # a seek restarts libopus at least this many samples early

    def __cinit__(self):
        self._map = NULL
        self._pg_off = NULL
        self._pg_gran = NULL
        self._pg_cont = NULL
        self._dec = NULL
        self._pend = NULL
        self._oy_init = False
        self._os_init = False

    def __dealloc__(self):
        self._release()

    cdef void _release(self) noexcept:
        if self._dec != NULL:
            op.opus_decoder_destroy(self._dec)
            self._dec = NULL
        if self._os_init:
            og.ogg_stream_clear(&self._os)
            self._os_init = False
        if self._oy_init:
            og.ogg_sync_clear(&self._oy)
            self._oy_init = False
        if self._map != NULL:
            munmap(<void *> self._map, self._size)
            self._map = NULL
        free(self._pg_off)
        free(self._pg_gran)
        free(self._pg_cont)
        free(self._pend)
        self._pg_off = self._pg_gran = NULL
        self._pg_cont = NULL
        self._pend = NULL

    # --- opening ----------------------------------------------------------------------------------

    cdef int _walk(self) except -1:
        """Index every page; 0 if the file is one stream of back-to-back pages ending in its end
        page, 1 otherwise."""
        cdef int64_t off = 0, body, cap = 0
        cdef const uint8_t *h
        cdef int nseg, i, n = 0
        cdef unsigned int seq
        cdef void *p
        while off < self._size:
            if off + _PAGE_HEADER > self._size:
                return 1
            h = self._map + off
            if memcmp(h, b"OggS", 4) != 0 or h[4] != 0:
                return 1
            nseg = h[26]
            if off + _PAGE_HEADER + nseg > self._size:
                return 1
            body = 0
            for i in range(nseg):
                body += h[_PAGE_HEADER + i]
            if off + _PAGE_HEADER + nseg + body > self._size:
                return 1
            seq = _le32(h + 18)
            if n == 0:
                if not (h[5] & 2):
                    return 1
                self._serial = _le32(h + 14)
            elif _le32(h + 14) != self._serial or seq != <unsigned int> n or (h[5] & 2):
                return 1
            if n == cap:
                cap = 2 * cap + 64
                p = realloc(self._pg_off, cap * sizeof(int64_t))
                if p == NULL:
                    raise MemoryError()
                self._pg_off = <int64_t *> p
                p = realloc(self._pg_gran, cap * sizeof(int64_t))
                if p == NULL:
                    raise MemoryError()
                self._pg_gran = <int64_t *> p
                p = realloc(self._pg_cont, cap)
                if p == NULL:
                    raise MemoryError()
                self._pg_cont = <uint8_t *> p
            self._pg_off[n] = off
            self._pg_gran[n] = _le64(h + 6)
            self._pg_cont[n] = h[5] & 1
            n += 1
            self._npages = n
            off += _PAGE_HEADER + nseg + body
            if h[5] & 4:  # end of stream: nothing may follow (a chained stream)
                return 0 if off == self._size else 1
        return 1  # no end page

    cdef int _headers(self, int64_t frames) except -1:
        """Check the OpusHead/OpusTags pages and the end granule; 0 if this reader decodes it."""
        cdef const uint8_t *h = self._map
        cdef const uint8_t *b
        cdef int nseg = 0, i, k, done = 0
        cdef int64_t prev = 0, g
        if self._npages < 3:
            return 1
        # OpusHead alone on the first page: one packet of 19 bytes (family 0 has no mapping table).
        nseg = h[26]
        if nseg != 1 or h[_PAGE_HEADER] != 19 or self._pg_gran[0] != 0:
            return 1
        b = h + _PAGE_HEADER + 1
        if memcmp(b, b"OpusHead", 8) != 0 or b[8] >= 16 or b[18] != 0 or not 1 <= b[9] <= 2:
            return 1
        self.channels = b[9]
        self.preskip = b[10] | (b[11] << 8)
        self._gain = <short> (b[16] | (b[17] << 8))
        # OpusTags: the only packet on pages 1..k, ending on page k; audio starts on page k + 1.
        if self._pg_cont[1]:
            return 1
        k = 1
        while k < self._npages:
            h = self._map + self._pg_off[k]
            nseg = h[26]
            if self._pg_gran[k] != 0 and self._pg_gran[k] != -1:
                return 1
            for i in range(nseg):
                if h[_PAGE_HEADER + i] < 255:
                    done += 1
            if done:
                break
            k += 1
        if done != 1 or h[_PAGE_HEADER + nseg - 1] == 255:
            return 1
        h = self._map + self._pg_off[1]
        if memcmp(h + _PAGE_HEADER + h[26], b"OpusTags", 8) != 0:
            return 1
        self._audio = k + 1
        if self._audio >= self._npages or self._pg_cont[self._audio]:
            return 1
        # Granules never decrease; the last one gives the stated length.
        for i in range(self._audio, self._npages):
            g = self._pg_gran[i]
            if g == -1:
                continue
            if g < prev:
                return 1
            prev = g
        if self._pg_gran[self._npages - 1] - self.preskip != frames or frames <= 0:
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
        if og.ogg_sync_reset(&self._oy) != 0:
            raise AudioFileError(f"'{self.path}': libogg cannot reset its sync state", self.path)
        if og.ogg_stream_reset_serialno(&self._os, <int> self._serial) != 0:
            raise AudioFileError(f"'{self.path}': libogg cannot reset its stream", self.path)
        self._feed = self._pg_off[page]
        self._dec_pos = 0 if page == self._audio else self._pg_gran[page - 1]
        self._skip_to = target + self.preskip
        self._out_pos = target
        self._pend_off = self._pend_n = 0
        self._have_page = False
        self._state = _READING
        self._msg = None
        return 0

    # --- decoding ---------------------------------------------------------------------------------

    cdef int _next_page(self) noexcept nogil:
        """Hand libogg the next page; 0, or 1 at the end of the data, or -1 (self._state set)."""
        cdef og.ogg_page page
        cdef int r
        cdef int64_t k
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
            memcpy(dst, self._map + self._feed, k)
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

    cdef int64_t _fill(self, float *dst, int64_t want, int64_t frames) noexcept nogil:
        """Decode up to ``want`` frames into ``dst``; stops early at ``frames``, the end of the
        data, or a damaged page/packet (``_state``)."""
        cdef int64_t got = 0, k, first
        cdef int ch = self.channels, ns, r, drop
        cdef og.ogg_packet pkt
        while got < want:
            if self._pend_n > 0:
                k = min(<int64_t> self._pend_n, want - got)
                memcpy(dst + got * ch, self._pend + self._pend_off * ch, k * ch * sizeof(float))
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
            if drop == 0 and want - got >= ns and first + ns <= frames:
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

    def readf_into(self, float[:, ::1] out, Py_ssize_t start, Py_ssize_t frames):
        """Decode up to ``frames`` frames into rows ``start:start+frames`` of ``out`` [n, channels].

        Returns the frames decoded (fewer at the stated end, or where the data end). A damaged page
        or packet raises ``AudioFileError`` with ``frames_decoded``."""
        self._check_open()
        if out.shape[1] != self.channels:
            raise ValueError(f"buffer has {out.shape[1]} channels, file has {self.channels}")
        if start < 0 or frames < 0 or start + frames > out.shape[0]:
            raise ValueError(f"rows {start}:{start + frames} outside buffer of {out.shape[0]}")
        if frames == 0:
            return 0
        cdef float *ptr = &out[start, 0]
        cdef int64_t got, total = self.frames_declared
        with nogil:
            got = self._fill(ptr, frames, total)
        if self._state == _FAILED and got < frames:
            raise AudioFileError(
                f"'{self.path}': decoding failed after {got} frames: damaged Ogg Opus page or "
                f"packet near byte {self._feed}",
                self.path,
                frames_decoded=got,
            )
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
        for i in range(self._npages - 1, self._audio, -1):
            if not self._pg_cont[i] and 0 <= self._pg_gran[i - 1] <= back:
                page = i
                break
        self._restart(page, frame)
        return frame

    cdef int _check_open(self) except -1:
        if self._map == NULL:
            raise ValueError(f"'{self.path}': the Ogg Opus reader is closed")
        return 0

    @property
    def frames(self):
        return self.frames_declared

    def close(self):
        self._release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_opus(bytes raw, str name, long long frames):
    """An :class:`OpusReader` of the file at ``raw`` positioned at its first frame, or None when
    this reader does not decode it (see the module docstring; the caller's other decoders do).
    ``frames``: the length libsndfile states; the file's end granule must give the same."""
    cdef OpusReader r = OpusReader.__new__(OpusReader)
    cdef int fd
    cdef struct_stat st
    cdef void *m
    r.path = name
    r.decoder = "libopus"
    r.samplerate = _RATE
    r.format = 0x200064  # libsndfile's SF_FORMAT_OGG | SF_FORMAT_OPUS
    r.frames_declared = frames
    r.preroll = 3840  # 80 ms (RFC 7845's recommendation); open_opus_part asks for more
    fd = c_open(raw, O_RDONLY | O_CLOEXEC)
    if fd < 0:
        return None
    if fstat(fd, &st) != 0 or st.st_size < 3 * _PAGE_HEADER:
        c_close(fd)
        return None
    m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)
    c_close(fd)
    if m == MAP_FAILED:
        return None
    r._map = <const uint8_t *> m
    r._size = st.st_size
    if r._walk() != 0 or r._headers(frames) != 0:
        r._release()
        return None
    r._pend = <float *> malloc(_MAX_PACKET * r.channels * sizeof(float))
    if r._pend == NULL:
        r._release()
        raise MemoryError()
    og.ogg_sync_init(&r._oy)
    r._oy_init = True
    if og.ogg_stream_init(&r._os, <int> r._serial) != 0:
        r._release()
        raise MemoryError()
    r._os_init = True
    r._restart(r._audio, 0)
    return r
