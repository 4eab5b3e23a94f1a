# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Thin wrapper over FFmpeg's libavformat/libavcodec/libswresample: decode one audio stream to
interleaved float32, seek sample-accurately, encode M4A (AAC/ALAC). GIL released around every C call
that can take time.

All FFmpeg state of one file lives in a small C struct (``Dec``/``Enc``) with one ``*_free`` function
that releases whatever was allocated, so every exit path (error, exception, garbage collection) frees
everything. Every return code is checked; errors carry the path, the step that failed and FFmpeg's
``av_strerror`` text. FFmpeg's own logging is switched off (``AV_LOG_QUIET``) at import: what went wrong
is carried by the exceptions. Validation, routing and conversion to ``mx.array`` live in Python
(``mlxdsp/_io_libav.py``, ``mlxdsp/_io.py``).
"""

from libc.errno cimport EAGAIN, EINVAL, ENOMEM
from libc.stdint cimport INT64_MAX, INT64_MIN, int64_t, uint8_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy

cimport c_libav as c

from mlxdsp._errors import AudioFileError


cdef extern from *:
    """
    /* An encoder's supported channel layouts (terminated by a zeroed entry), NULL when unlisted.
       FFmpeg 7.1 replaced the AVCodec.ch_layouts field by avcodec_get_supported_config(). */
    static const AVChannelLayout *mlxdsp_codec_layouts(const AVCodec *codec) {
    #if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(61, 13, 100)
        const void *out = NULL;
        int n = 0;
        if (avcodec_get_supported_config(NULL, codec, AV_CODEC_CONFIG_CHANNEL_LAYOUT, 0, &out, &n) < 0)
            return NULL;
        return (const AVChannelLayout *) out;
    #else
        return codec->ch_layouts;
    #endif
    }
    """
    const c.AVChannelLayout *mlxdsp_codec_layouts(const c.AVCodec *codec) nogil

c.av_log_set_level(c.AV_LOG_QUIET)

UNKNOWN = -1
# A decoded frame of more samples (all channels) than this is treated as corrupt (fuzzed headers).
DEF _MAX_FRAME = 1 << 24
DEF _MAX_CHANNELS = 256


def version():
    return c.av_version_info().decode("ascii", "replace")


cdef str _strerror(int err):
    cdef char buf[256]
    if c.av_strerror(err, buf, sizeof(buf)) < 0:
        return f"error {err}"
    return buf.decode("utf-8", "replace")


cdef inline int64_t _min(int64_t a, int64_t b) noexcept nogil:
    return a if a < b else b


# --- decoding ---------------------------------------------------------------------------------------

cdef struct Dec:
    c.AVIOContext *pb
    c.AVFormatContext *fmt
    c.AVCodecContext *ctx
    c.SwrContext *swr
    c.AVPacket *pkt
    c.AVFrame *frame
    int stream
    int channels
    int rate
    int swr_fmt          # input sample format swr is set up for (-1: none)
    float *buf           # the current decoded frame, interleaved float32
    int64_t cap          # frames buf can hold
    int64_t have         # frames in buf
    int64_t used         # frames of buf delivered or dropped
    int64_t pos          # sample index of buf[used]
    int64_t skip_to      # samples before this index are decoded and dropped
    int64_t frame_pts    # pts (stream time base) of the frame in buf, AV_NOPTS_VALUE if none
    int64_t direct_n     # samples the last frame converted straight into the caller's buffer
    int64_t origin       # pts, in samples, of the first sample of a full decode
    int has_origin
    int eof_sent
    int corrupt          # a packet the demuxer flagged as cut short
    c.AVRational tb
    const char *where    # the step that failed, for messages


cdef void dec_free(Dec *d) noexcept nogil:
    if d.swr != NULL:
        c.swr_free(&d.swr)
    if d.ctx != NULL:
        c.avcodec_free_context(&d.ctx)
    if d.pkt != NULL:
        c.av_packet_free(&d.pkt)
    if d.frame != NULL:
        c.av_frame_free(&d.frame)
    if d.fmt != NULL:
        c.avformat_close_input(&d.fmt)
    if d.pb != NULL:
        c.avio_closep(&d.pb)
    if d.buf != NULL:
        free(d.buf)
        d.buf = NULL
    d.cap = 0


cdef void dec_reset(Dec *d) noexcept nogil:
    d.have = 0
    d.used = 0
    d.pos = 0
    d.skip_to = 0
    d.eof_sent = 0
    d.corrupt = 0
    d.frame_pts = c.AV_NOPTS_VALUE


cdef int dec_open(Dec *d, const char *url, const char *decoder) noexcept nogil:
    """Open ``url`` and its best audio stream; ``decoder`` (a libavcodec decoder name, or NULL for
    libavcodec's default) picks the decoder when it decodes that stream's codec."""
    cdef int ret, i
    cdef const c.AVCodec *codec = NULL
    cdef const c.AVCodec *chosen
    cdef c.AVStream *st
    d.swr_fmt = -1
    d.where = "opening the file"
    ret = c.avio_open(&d.pb, url, c.AVIO_FLAG_READ)
    if ret < 0:
        return ret
    d.fmt = c.avformat_alloc_context()
    if d.fmt == NULL:
        return c.AVERROR(ENOMEM)
    # Our own AVIOContext and an empty URL: the container is probed from the content only.
    d.fmt.pb = d.pb
    d.fmt.flags |= c.AVFMT_FLAG_CUSTOM_IO
    d.where = "probing the container"
    ret = c.avformat_open_input(&d.fmt, "", NULL, NULL)  # frees d.fmt on failure
    if ret < 0:
        return ret
    d.where = "reading stream parameters"
    ret = c.avformat_find_stream_info(d.fmt, NULL)
    if ret < 0:
        return ret
    d.where = "finding an audio stream"
    ret = c.av_find_best_stream(d.fmt, c.AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0)
    if ret < 0:
        return ret
    if codec == NULL:
        return c.AVERROR_DECODER_NOT_FOUND
    d.stream = ret
    if decoder != NULL:
        chosen = c.avcodec_find_decoder_by_name(decoder)
        if chosen != NULL and chosen.id == codec.id:
            codec = chosen
    for i in range(<int> d.fmt.nb_streams):
        if i != d.stream:
            d.fmt.streams[i].discard = c.AVDISCARD_ALL
    st = d.fmt.streams[d.stream]
    d.tb = st.time_base
    d.where = "opening the decoder"
    d.ctx = c.avcodec_alloc_context3(codec)
    if d.ctx == NULL:
        return c.AVERROR(ENOMEM)
    ret = c.avcodec_parameters_to_context(d.ctx, st.codecpar)
    if ret < 0:
        return ret
    d.ctx.pkt_timebase = st.time_base
    # Decoders that can give either (libopus) then give float: no rounding through int16.
    d.ctx.request_sample_fmt = c.AV_SAMPLE_FMT_FLT
    ret = c.avcodec_open2(d.ctx, codec, NULL)
    if ret < 0:
        return ret
    d.pkt = c.av_packet_alloc()
    d.frame = c.av_frame_alloc()
    if d.pkt == NULL or d.frame == NULL:
        return c.AVERROR(ENOMEM)
    d.channels = d.ctx.ch_layout.nb_channels
    d.rate = d.ctx.sample_rate
    dec_reset(d)
    # Decode the first frame now: its rate and channel count are the truth (HE-AAC doubles the rate
    # the container states), and its timestamp anchors sample positions for seeking.
    d.where = "decoding the first frame"
    ret = dec_next_frame(d, 1, NULL, 0)
    if ret < 0:
        return ret
    if ret == 1 and d.frame_pts != c.AV_NOPTS_VALUE:
        d.origin = c.av_rescale_q(d.frame_pts, d.tb, c.AVRational(1, d.rate))
        d.has_origin = 1
    d.where = "checking stream parameters"
    if d.channels <= 0 or d.channels > _MAX_CHANNELS or d.rate <= 0:
        return c.AVERROR_INVALIDDATA
    return 0


cdef int dec_setup_swr(Dec *d, int fmt) noexcept nogil:
    cdef c.AVChannelLayout lay
    cdef int ret
    if d.swr != NULL:
        c.swr_free(&d.swr)
    d.swr_fmt = -1
    # The same default layout on both sides: a pure sample-format conversion, never a remix.
    c.av_channel_layout_default(&lay, d.channels)
    ret = c.swr_alloc_set_opts2(&d.swr, &lay, c.AV_SAMPLE_FMT_FLT, d.rate, &lay,
                                <c.AVSampleFormat> fmt, d.rate, 0, NULL)
    c.av_channel_layout_uninit(&lay)
    if ret < 0:
        return ret
    ret = c.swr_init(d.swr)
    if ret < 0:
        return ret
    d.swr_fmt = fmt
    return 0


cdef int dec_next_frame(Dec *d, int first, float *direct, int64_t room) noexcept nogil:
    """Decode the next frame into ``d.buf``. 1: got one; 0: end of stream; < 0: AVERROR.

    With ``direct`` and a frame of at most ``room`` samples, convert straight into ``direct`` instead
    (no copy through ``d.buf``) and return 2; ``d.direct_n`` is then the number of samples written.
    """
    cdef int ret, n
    cdef c.AVFrame *fr = d.frame
    cdef uint8_t *out
    cdef float *grown
    while True:
        ret = c.avcodec_receive_frame(d.ctx, fr)
        if ret == 0:
            if fr.nb_samples <= 0:
                c.av_frame_unref(fr)
                continue
            if first:  # nothing delivered yet: adopt what the decoder really produces
                d.channels = fr.ch_layout.nb_channels
                d.rate = fr.sample_rate
                first = 0
            if fr.ch_layout.nb_channels != d.channels or fr.sample_rate != d.rate:
                c.av_frame_unref(fr)
                d.where = "decoding (the channel count or sample rate changed mid-stream)"
                return c.AVERROR_INVALIDDATA
            if (d.channels <= 0 or d.channels > _MAX_CHANNELS
                    or <int64_t> fr.nb_samples * d.channels > _MAX_FRAME):
                c.av_frame_unref(fr)
                d.where = "decoding (implausible frame size)"
                return c.AVERROR_INVALIDDATA
            if fr.format != d.swr_fmt:
                d.where = "setting up libswresample"
                ret = dec_setup_swr(d, fr.format)
                if ret < 0:
                    c.av_frame_unref(fr)
                    return ret
            if direct != NULL and fr.nb_samples <= room:
                out = <uint8_t *> direct
            else:
                direct = NULL
                if fr.nb_samples > d.cap:
                    grown = <float *> realloc(
                        d.buf, <size_t> fr.nb_samples * d.channels * sizeof(float))
                    if grown == NULL:
                        c.av_frame_unref(fr)
                        return c.AVERROR(ENOMEM)
                    d.buf = grown
                    d.cap = fr.nb_samples
                out = <uint8_t *> d.buf
            n = c.swr_convert(d.swr, &out, fr.nb_samples, <const uint8_t **> fr.extended_data,
                              fr.nb_samples)
            d.frame_pts = fr.pts if fr.pts != c.AV_NOPTS_VALUE else fr.best_effort_timestamp
            c.av_frame_unref(fr)
            if n < 0:
                d.where = "converting samples"
                return n
            if direct != NULL:
                d.have = 0
                d.used = 0
                d.direct_n = n
                return 2
            d.have = n
            d.used = 0
            return 1
        if ret == c.AVERROR_EOF:
            return 0
        if ret != c.AVERROR(EAGAIN):  # EAGAIN: the decoder wants another packet
            d.where = "decoding"
            return ret
        if d.eof_sent:
            return 0
        ret = c.av_read_frame(d.fmt, d.pkt)
        if ret == c.AVERROR_EOF:
            d.eof_sent = 1
            ret = c.avcodec_send_packet(d.ctx, NULL)
            if ret < 0 and ret != c.AVERROR_EOF:
                d.where = "flushing the decoder"
                return ret
            continue
        if ret < 0:
            d.where = "reading a packet"
            return ret
        if d.pkt.stream_index != d.stream:
            c.av_packet_unref(d.pkt)
            continue
        if d.pkt.flags & 0x0002:  # AV_PKT_FLAG_CORRUPT: cut short by the end of the file
            c.av_packet_unref(d.pkt)
            d.corrupt = 1
            d.where = "reading a packet (cut short: truncated file)"
            return c.AVERROR_INVALIDDATA
        ret = c.avcodec_send_packet(d.ctx, d.pkt)
        c.av_packet_unref(d.pkt)
        if ret < 0:
            d.where = "decoding a packet"
            return ret


cdef int64_t dec_read(Dec *d, float *out, int64_t want, int *err) noexcept nogil:
    """Deliver up to ``want`` frames from ``d.pos`` on (dropping those before ``d.skip_to``)."""
    cdef int64_t got = 0, k
    cdef int ch = d.channels
    cdef int ret
    err[0] = 0
    while got < want:
        if d.used >= d.have:
            if out != NULL and d.pos >= d.skip_to:  # the whole frame is wanted: no copy
                ret = dec_next_frame(d, 0, out + got * ch, want - got)
            else:
                ret = dec_next_frame(d, 0, NULL, 0)
            if ret <= 0:
                err[0] = ret
                break
            if ret == 2:
                got += d.direct_n
                d.pos += d.direct_n
                continue
        if d.pos < d.skip_to:
            k = _min(d.have - d.used, d.skip_to - d.pos)
            d.used += k
            d.pos += k
            continue
        k = _min(d.have - d.used, want - got)
        if out != NULL:
            memcpy(out + got * ch, d.buf + d.used * ch, <size_t> (k * ch) * sizeof(float))
        d.used += k
        d.pos += k
        got += k
    return got


cdef class Decoder:
    """One open file: the best audio stream, decoded to interleaved float32 at its native rate."""

    cdef Dec d
    cdef readonly str path
    cdef bytes _url
    cdef bytes _decoder
    cdef readonly int64_t frames_declared
    cdef readonly int exact_timestamps
    cdef public int64_t preroll

    def __cinit__(self):
        self.d.pb = NULL
        self.d.fmt = NULL
        self.d.ctx = NULL
        self.d.swr = NULL
        self.d.pkt = NULL
        self.d.frame = NULL
        self.d.buf = NULL
        self.d.cap = 0
        self.d.has_origin = 0
        self.frames_declared = UNKNOWN

    def __dealloc__(self):
        dec_free(&self.d)

    cdef int _open(self) except -1:
        cdef const char *url = self._url
        cdef const char *decoder = NULL if self._decoder is None else <const char *> self._decoder
        cdef int ret
        with nogil:
            ret = dec_open(&self.d, url, decoder)
        if ret < 0:
            where = self.d.where.decode("ascii")
            dec_free(&self.d)
            raise AudioFileError(f"libav: {where}: {_strerror(ret)}", self.path)
        return 0

    cdef _fail(self, int ret, int64_t done, str what):
        raise AudioFileError(
            f"'{self.path}': {what} after {done} frames: libav: "
            f"{self.d.where.decode('ascii')}: {_strerror(ret)}",
            self.path,
            frames_decoded=done,
        )

    @property
    def samplerate(self):
        return self.d.rate

    @property
    def channels(self):
        return self.d.channels

    @property
    def closed(self):
        return self.d.fmt == NULL

    @property
    def container(self):
        """libavformat's demuxer name, e.g. ``"mov,mp4,m4a,3gp,3g2,mj2"``."""
        self._check_open()
        return self.d.fmt.iformat.name.decode("ascii", "replace")

    @property
    def codec(self):
        """libavcodec's codec name, e.g. ``"aac"``, ``"alac"``."""
        self._check_open()
        cdef c.AVCodecID cid = self.d.fmt.streams[self.d.stream].codecpar.codec_id
        return c.avcodec_get_name(cid).decode("ascii", "replace")

    @property
    def decoder(self):
        """The libavcodec decoder in use, e.g. ``"opus"`` (FFmpeg's own) or ``"libopus"``."""
        self._check_open()
        return self.d.ctx.codec.name.decode("ascii", "replace")

    @property
    def probe_score(self):
        self._check_open()
        return self.d.fmt.probe_score

    @property
    def seekable(self):
        """True when seeks land sample-accurately: timestamps exist and resolve single samples."""
        return bool(self.exact_timestamps and self.d.has_origin and self.d.pb != NULL
                    and self.d.pb.seekable)

    cdef int _check_open(self) except -1:
        if self.d.fmt == NULL:
            raise AudioFileError(f"'{self.path}': file is closed", self.path)
        return 0

    def _init_lengths(self):
        """Frames the container states (exact timestamps, not estimated from the bitrate)."""
        cdef c.AVStream *st = self.d.fmt.streams[self.d.stream]
        cdef c.AVRational tb = st.time_base
        cdef int64_t rate = self.d.rate
        # A tick resolves single samples when it divides one sample or is at most half a sample.
        self.exact_timestamps = tb.num > 0 and tb.den > 0 and (
            (tb.den % (rate * tb.num) == 0) or tb.den >= 2 * rate * tb.num
        )
        cdef c.AVCodecParameters *par = st.codecpar
        self.preroll = max(4096, par.seek_preroll, 4 * par.frame_size)
        self.frames_declared = UNKNOWN
        if (self.exact_timestamps and st.duration != c.AV_NOPTS_VALUE and st.duration > 0
                and self.d.fmt.duration_estimation_method != c.AVFMT_DURATION_FROM_BITRATE):
            self.frames_declared = c.av_rescale_q(st.duration, tb, c.AVRational(1, self.d.rate))

    def seek(self, long long frame):
        """Position so that the next read starts at sample ``frame`` (of the full decode).

        Seeks (``avformat_seek_file``) to a point before ``frame - preroll`` when timestamps allow it,
        then decodes and drops samples up to ``frame``; otherwise decodes forward from the start.
        """
        self._check_open()
        if frame < 0:
            raise ValueError(f"frame={frame} must be >= 0")
        cdef int64_t target = frame
        cdef int64_t cur = self.d.pos
        cdef int64_t preroll = self.preroll
        cdef int64_t ts
        cdef int ret = 0, got = 0
        cdef int64_t placed
        if target >= cur and (target - cur <= 2 * preroll or not self.seekable):
            self.d.skip_to = target
            return target
        if not self.seekable:
            self._reopen()
            self.d.skip_to = target
            return target
        ts = c.av_rescale_q(self.d.origin + max(0, target - preroll), c.AVRational(1, self.d.rate),
                            self.d.tb)
        with nogil:
            ret = c.avformat_seek_file(self.d.fmt, self.d.stream, INT64_MIN, ts, ts, 0)
            if ret >= 0:
                c.avcodec_flush_buffers(self.d.ctx)
                dec_reset(&self.d)
                got = dec_next_frame(&self.d, 0, NULL, 0)
        if ret < 0 or got <= 0 or self.d.frame_pts == c.AV_NOPTS_VALUE:
            self._reopen()  # the demuxer could not seek here: decode from the start
            self.d.skip_to = target
            return target
        placed = c.av_rescale_q(self.d.frame_pts, self.d.tb, c.AVRational(1, self.d.rate)) - self.d.origin
        if placed > target:  # landed after the target (no index entry before it)
            self._reopen()
            self.d.skip_to = target
            return target
        self.d.pos = placed
        self.d.skip_to = target
        return target

    def _reopen(self):
        dec_free(&self.d)
        self.d.has_origin = 0
        self._open()

    def readf_into(self, float[:, ::1] out, Py_ssize_t start, Py_ssize_t frames):
        """Decode up to ``frames`` frames into rows ``start:start+frames`` of ``out`` [n, channels].

        Returns the number of frames decoded (fewer at the end of the stream). A decoder error or a
        packet cut short by the end of the file raises ``AudioFileError`` with ``frames_decoded``.
        """
        self._check_open()
        if out.shape[1] != self.d.channels:
            raise ValueError(f"buffer has {out.shape[1]} channels, file has {self.d.channels}")
        if start < 0 or frames < 0 or start + frames > out.shape[0]:
            raise ValueError(f"rows {start}:{start + frames} outside buffer of {out.shape[0]}")
        if frames == 0:
            return 0
        cdef float *ptr = &out[start, 0]
        cdef int64_t got
        cdef int err = 0
        with nogil:
            got = dec_read(&self.d, ptr, frames, &err)
        if err < 0:
            self._fail(err, got, "decoding failed")
        return got

    def count_frames(self):
        """Decode to the end, counting frames (for containers that do not state their length)."""
        self._check_open()
        cdef int64_t got
        cdef int err = 0
        with nogil:
            got = dec_read(&self.d, NULL, INT64_MAX, &err)
        if err < 0:
            self._fail(err, got, "decoding failed")
        return got

    def close(self):
        with nogil:
            dec_free(&self.d)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def has_decoder(str name):
    """Whether this libavcodec has a decoder called ``name`` (e.g. ``"libopus"``)."""
    return c.avcodec_find_decoder_by_name(name.encode("ascii")) != NULL


def open_read(bytes fspath, str path, str decoder=None):
    """Open ``fspath`` with libavformat (container probed from the content). Raises AudioFileError.

    ``decoder``: a libavcodec decoder name (e.g. ``"libopus"``) used when it decodes the stream's
    codec; otherwise (or when None) libavcodec's default decoder for that codec.
    """
    cdef Decoder f = Decoder.__new__(Decoder)
    f.path = path
    f._decoder = None if decoder is None else decoder.encode("ascii")
    f._url = b"file:" + fspath
    f._open()
    f._init_lengths()
    return f


# --- encoding ---------------------------------------------------------------------------------------

cdef struct Enc:
    c.AVFormatContext *fmt
    c.AVCodecContext *ctx
    c.AVStream *st
    c.SwrContext *swr
    c.AVFrame *frame
    c.AVPacket *pkt
    uint8_t **planes     # per-channel write pointers into frame (planar) or one (packed)
    int channels
    int frame_size
    int filled           # samples already in frame
    int bps              # bytes per sample of the codec's sample format
    int planar
    int small_last       # the codec takes a short last frame
    int64_t next_pts
    int header_written
    const char *where


cdef void enc_free(Enc *e) noexcept nogil:
    if e.swr != NULL:
        c.swr_free(&e.swr)
    if e.ctx != NULL:
        c.avcodec_free_context(&e.ctx)
    if e.frame != NULL:
        c.av_frame_free(&e.frame)
    if e.pkt != NULL:
        c.av_packet_free(&e.pkt)
    if e.fmt != NULL:
        if e.fmt.pb != NULL:
            c.avio_closep(&e.fmt.pb)
        c.avformat_free_context(e.fmt)
        e.fmt = NULL
    if e.planes != NULL:
        free(e.planes)
        e.planes = NULL


cdef int enc_drain(Enc *e) noexcept nogil:
    cdef int ret
    while True:
        ret = c.avcodec_receive_packet(e.ctx, e.pkt)
        if ret == c.AVERROR(EAGAIN) or ret == c.AVERROR_EOF:
            return 0
        if ret < 0:
            e.where = "encoding"
            return ret
        c.av_packet_rescale_ts(e.pkt, e.ctx.time_base, e.st.time_base)
        e.pkt.stream_index = e.st.index
        ret = c.av_interleaved_write_frame(e.fmt, e.pkt)  # takes the packet's reference
        if ret < 0:
            e.where = "writing a packet"
            return ret


cdef int enc_send_frame(Enc *e) noexcept nogil:
    cdef int ret
    e.frame.nb_samples = e.filled
    e.frame.pts = e.next_pts
    e.next_pts += e.filled
    e.filled = 0
    ret = c.avcodec_send_frame(e.ctx, e.frame)
    e.frame.nb_samples = e.frame_size
    if ret < 0:
        e.where = "encoding a frame"
        return ret
    return enc_drain(e)


cdef int enc_write(Enc *e, const float *data, int64_t n) noexcept nogil:
    cdef int ret, k, i
    cdef const uint8_t *inp
    while n > 0:
        if e.filled == 0:
            ret = c.av_frame_make_writable(e.frame)
            if ret < 0:
                e.where = "allocating a frame"
                return ret
        k = <int> _min(e.frame_size - e.filled, n)
        if e.planar:
            for i in range(e.channels):
                e.planes[i] = e.frame.extended_data[i] + e.filled * e.bps
        else:
            e.planes[0] = e.frame.extended_data[0] + e.filled * e.bps * e.channels
        inp = <const uint8_t *> data
        ret = c.swr_convert(e.swr, e.planes, k, &inp, k)
        if ret != k:
            e.where = "converting samples"
            return ret if ret < 0 else c.AVERROR(EINVAL)
        e.filled += k
        data += k * e.channels
        n -= k
        if e.filled == e.frame_size:
            ret = enc_send_frame(e)
            if ret < 0:
                return ret
    return 0


cdef int enc_finish(Enc *e) noexcept nogil:
    cdef int ret
    cdef int i, b
    if e.filled > 0:
        if not e.small_last:  # pad the last frame with silence (never for AAC/ALAC: they take short ones)
            if e.planar:
                for i in range(e.channels):
                    for b in range(e.filled * e.bps, e.frame_size * e.bps):
                        e.frame.extended_data[i][b] = 0
            else:
                for b in range(e.filled * e.bps * e.channels, e.frame_size * e.bps * e.channels):
                    e.frame.extended_data[0][b] = 0
            e.filled = e.frame_size
        ret = enc_send_frame(e)
        if ret < 0:
            return ret
    ret = c.avcodec_send_frame(e.ctx, NULL)
    if ret < 0:
        e.where = "flushing the encoder"
        return ret
    ret = enc_drain(e)
    if ret < 0:
        return ret
    e.where = "writing the trailer"
    ret = c.av_write_trailer(e.fmt)
    if ret < 0:
        return ret
    e.where = "closing the file"
    return c.avio_closep(&e.fmt.pb)


cdef class Encoder:
    """One output file being written: ``write`` interleaved float32 blocks, then ``close``."""

    cdef Enc e
    cdef readonly str path

    def __cinit__(self):
        self.e.fmt = NULL
        self.e.ctx = NULL
        self.e.swr = NULL
        self.e.frame = NULL
        self.e.pkt = NULL
        self.e.planes = NULL
        self.e.filled = 0
        self.e.next_pts = 0

    def __dealloc__(self):
        enc_free(&self.e)

    cdef _fail(self, int ret):
        where = self.e.where.decode("ascii")
        enc_free(&self.e)
        raise AudioFileError(f"libav: {where}: {_strerror(ret)}", self.path)

    def write(self, const float[:, ::1] data):
        """Encode all rows of ``data`` [n, channels]."""
        if self.e.fmt == NULL:
            raise AudioFileError(f"'{self.path}': file is closed", self.path)
        if data.shape[1] != self.e.channels:
            raise ValueError(f"data has {data.shape[1]} channels, file has {self.e.channels}")
        cdef int64_t n = data.shape[0]
        if n == 0:
            return 0
        cdef const float *ptr = &data[0, 0]
        cdef int ret
        with nogil:
            ret = enc_write(&self.e, ptr, n)
        if ret < 0:
            self._fail(ret)
        return n

    def close(self):
        """Flush the encoder, write the trailer and close the file; raises on failure."""
        if self.e.fmt == NULL:
            return
        cdef int ret
        with nogil:
            ret = enc_finish(&self.e)
        if ret < 0:
            self._fail(ret)
        enc_free(&self.e)

    def abort(self):
        """Close without finishing (the caller deletes the file)."""
        enc_free(&self.e)


def open_write(bytes fspath, str path, str muxer, str codec, int samplerate, int channels,
               int bitrate=0, int bits=16, bint faststart=True):
    """Create ``fspath`` with libavformat muxer ``muxer`` (``"ipod"``, ``"mp4"``, ``"adts"``) and
    encoder ``codec`` (``"aac"``, ``"alac"``; ``bits`` 16 or 24 for ALAC, ``bitrate`` bit/s for AAC)."""
    cdef Encoder w = Encoder.__new__(Encoder)
    w.path = path
    cdef Enc *e = &w.e
    cdef bytes url = b"file:" + fspath
    cdef const char *curl = url
    cdef bytes mux = muxer.encode("ascii")
    cdef const c.AVCodec *enc
    cdef c.AVDictionary *opts = NULL
    cdef int ret
    cdef c.AVSampleFormat sfmt
    if codec == "aac":
        enc = c.avcodec_find_encoder(c.AV_CODEC_ID_AAC)
        sfmt = c.AV_SAMPLE_FMT_FLTP
    elif codec == "alac":
        enc = c.avcodec_find_encoder(c.AV_CODEC_ID_ALAC)
        sfmt = c.AV_SAMPLE_FMT_S32P if bits == 24 else c.AV_SAMPLE_FMT_S16P
    else:
        raise ValueError(f"codec={codec!r}")
    if enc == NULL:
        raise AudioFileError(f"libav: this FFmpeg has no {codec} encoder", path)
    e.channels = channels
    e.where = "creating the muxer"
    ret = c.avformat_alloc_output_context2(&e.fmt, NULL, mux, url)
    if ret < 0 or e.fmt == NULL:
        w._fail(ret if ret < 0 else c.AVERROR(EINVAL))
    e.st = c.avformat_new_stream(e.fmt, NULL)
    e.ctx = c.avcodec_alloc_context3(enc)
    e.pkt = c.av_packet_alloc()
    e.frame = c.av_frame_alloc()
    e.planes = <uint8_t **> malloc(channels * sizeof(uint8_t *))
    if e.st == NULL or e.ctx == NULL or e.pkt == NULL or e.frame == NULL or e.planes == NULL:
        e.where = "allocating"
        w._fail(c.AVERROR(ENOMEM))
    e.ctx.sample_rate = samplerate
    e.ctx.sample_fmt = sfmt
    # The encoder's own layout for this channel count when it lists some (ALAC: 3.0 is C L R).
    c.av_channel_layout_default(&e.ctx.ch_layout, channels)
    cdef const c.AVChannelLayout *cand = mlxdsp_codec_layouts(enc)
    while cand != NULL and cand.nb_channels != 0:
        if cand.nb_channels == channels:
            c.av_channel_layout_uninit(&e.ctx.ch_layout)
            if c.av_channel_layout_copy(&e.ctx.ch_layout, cand) < 0:
                e.where = "setting the channel layout"
                w._fail(c.AVERROR(ENOMEM))
            break
        cand += 1
    e.ctx.time_base = c.AVRational(1, samplerate)
    if bitrate > 0:
        e.ctx.bit_rate = bitrate
    if codec == "alac":
        e.ctx.bits_per_raw_sample = bits
    if e.fmt.oformat.flags & c.AVFMT_GLOBALHEADER:
        e.ctx.flags |= c.AV_CODEC_FLAG_GLOBAL_HEADER
    e.where = "opening the encoder"
    with nogil:
        ret = c.avcodec_open2(e.ctx, enc, NULL)
    if ret < 0:
        w._fail(ret)
    e.where = "setting stream parameters"
    ret = c.avcodec_parameters_from_context(e.st.codecpar, e.ctx)
    if ret < 0:
        w._fail(ret)
    e.st.time_base = e.ctx.time_base
    e.frame_size = e.ctx.frame_size if e.ctx.frame_size > 0 else 4096
    e.small_last = (enc.capabilities & (c.AV_CODEC_CAP_SMALL_LAST_FRAME
                                        | c.AV_CODEC_CAP_VARIABLE_FRAME_SIZE)) != 0
    e.bps = c.av_get_bytes_per_sample(e.ctx.sample_fmt)
    e.planar = c.av_sample_fmt_is_planar(e.ctx.sample_fmt)
    e.frame.format = e.ctx.sample_fmt
    e.frame.nb_samples = e.frame_size
    e.frame.sample_rate = samplerate
    if c.av_channel_layout_copy(&e.frame.ch_layout, &e.ctx.ch_layout) < 0:
        e.where = "setting the channel layout"
        w._fail(c.AVERROR(ENOMEM))
    e.where = "allocating a frame"
    ret = c.av_frame_get_buffer(e.frame, 0)
    if ret < 0:
        w._fail(ret)
    e.where = "setting up libswresample"  # the same layout on both sides: no remix
    ret = c.swr_alloc_set_opts2(&e.swr, &e.ctx.ch_layout, e.ctx.sample_fmt, samplerate,
                                &e.ctx.ch_layout, c.AV_SAMPLE_FMT_FLT, samplerate, 0, NULL)
    if ret >= 0:
        ret = c.swr_init(e.swr)
    if ret < 0:
        w._fail(ret)
    e.where = "creating the file"
    with nogil:
        ret = c.avio_open(&e.fmt.pb, curl, c.AVIO_FLAG_WRITE)
    if ret < 0:
        w._fail(ret)
    e.where = "setting muxer options"
    if faststart and c.av_dict_set(&opts, "movflags", "+faststart", 0) < 0:
        w._fail(c.AVERROR(ENOMEM))
    e.where = "writing the header"
    with nogil:
        ret = c.avformat_write_header(e.fmt, &opts)
    c.av_dict_free(&opts)
    if ret < 0:
        w._fail(ret)
    return w
