# Declarations only, mirroring the FFmpeg 5.1 headers (libavformat 59, libavcodec 59, libavutil 57,
# libswresample 4) as far as mlxdsp uses them. No code here. Struct members are the public ones the
# headers document; Cython reads them through the real headers, so their order does not matter.
from libc.stdint cimport int64_t, uint8_t, uint64_t


cdef extern from "libavutil/rational.h" nogil:
    ctypedef struct AVRational:
        int num
        int den


cdef extern from "libavutil/avutil.h" nogil:
    enum AVMediaType:
        AVMEDIA_TYPE_AUDIO

    int64_t AV_NOPTS_VALUE
    int64_t AV_TIME_BASE
    const char *av_version_info()
    int64_t av_rescale_q(int64_t a, AVRational bq, AVRational cq)
    int64_t av_rescale(int64_t a, int64_t b, int64_t c)


cdef extern from "libavutil/error.h" nogil:
    int AVERROR(int e)
    int AVERROR_EOF
    int AVERROR_INVALIDDATA
    int AVERROR_DECODER_NOT_FOUND
    int AVERROR_STREAM_NOT_FOUND
    int AV_ERROR_MAX_STRING_SIZE
    int av_strerror(int errnum, char *errbuf, size_t errbuf_size)


cdef extern from "libavutil/log.h" nogil:
    int AV_LOG_QUIET
    void av_log_set_level(int level)


cdef extern from "libavutil/dict.h" nogil:
    ctypedef struct AVDictionary:
        pass

    int av_dict_set(AVDictionary **pm, const char *key, const char *value, int flags)
    void av_dict_free(AVDictionary **m)


cdef extern from "libavutil/samplefmt.h" nogil:
    enum AVSampleFormat:
        AV_SAMPLE_FMT_NONE
        AV_SAMPLE_FMT_U8
        AV_SAMPLE_FMT_S16
        AV_SAMPLE_FMT_S32
        AV_SAMPLE_FMT_FLT
        AV_SAMPLE_FMT_DBL
        AV_SAMPLE_FMT_U8P
        AV_SAMPLE_FMT_S16P
        AV_SAMPLE_FMT_S32P
        AV_SAMPLE_FMT_FLTP
        AV_SAMPLE_FMT_DBLP
        AV_SAMPLE_FMT_S64
        AV_SAMPLE_FMT_S64P

    const char *av_get_sample_fmt_name(AVSampleFormat sample_fmt)
    int av_get_bytes_per_sample(AVSampleFormat sample_fmt)
    int av_sample_fmt_is_planar(AVSampleFormat sample_fmt)


cdef extern from "libavutil/channel_layout.h" nogil:
    enum AVChannelOrder:
        AV_CHANNEL_ORDER_UNSPEC
        AV_CHANNEL_ORDER_NATIVE
        AV_CHANNEL_ORDER_CUSTOM
        AV_CHANNEL_ORDER_AMBISONIC

    ctypedef struct AVChannelLayout:
        AVChannelOrder order
        int nb_channels

    void av_channel_layout_default(AVChannelLayout *ch_layout, int nb_channels)
    void av_channel_layout_uninit(AVChannelLayout *channel_layout)
    int av_channel_layout_copy(AVChannelLayout *dst, const AVChannelLayout *src)


cdef extern from "libavutil/frame.h" nogil:
    ctypedef struct AVFrame:
        uint8_t **extended_data
        int nb_samples
        int format
        int sample_rate
        AVChannelLayout ch_layout
        int64_t pts
        int64_t best_effort_timestamp

    AVFrame *av_frame_alloc()
    void av_frame_free(AVFrame **frame)
    void av_frame_unref(AVFrame *frame)
    int av_frame_get_buffer(AVFrame *frame, int align)
    int av_frame_make_writable(AVFrame *frame)


cdef extern from "libavcodec/codec_id.h" nogil:
    enum AVCodecID:
        AV_CODEC_ID_NONE
        AV_CODEC_ID_AAC
        AV_CODEC_ID_ALAC

    const char *avcodec_get_name(AVCodecID id)


cdef extern from "libavcodec/defs.h" nogil:
    enum AVDiscard:
        AVDISCARD_DEFAULT
        AVDISCARD_ALL


cdef extern from "libavcodec/codec.h" nogil:
    int AV_CODEC_CAP_SMALL_LAST_FRAME
    int AV_CODEC_CAP_VARIABLE_FRAME_SIZE

    ctypedef struct AVCodec:
        const char *name
        AVCodecID id
        int capabilities

    const AVCodec *avcodec_find_decoder(AVCodecID id)
    const AVCodec *avcodec_find_decoder_by_name(const char *name)
    const AVCodec *avcodec_find_encoder(AVCodecID id)


cdef extern from "libavcodec/codec_par.h" nogil:
    ctypedef struct AVCodecParameters:
        AVMediaType codec_type
        AVCodecID codec_id
        int format
        int64_t bit_rate
        int bits_per_raw_sample
        int sample_rate
        AVChannelLayout ch_layout
        int frame_size
        int initial_padding
        int trailing_padding
        int seek_preroll


cdef extern from "libavcodec/packet.h" nogil:
    ctypedef struct AVPacket:
        int64_t pts
        int64_t dts
        uint8_t *data
        int size
        int stream_index
        int flags
        int64_t duration

    AVPacket *av_packet_alloc()
    void av_packet_free(AVPacket **pkt)
    void av_packet_unref(AVPacket *pkt)
    void av_packet_rescale_ts(AVPacket *pkt, AVRational tb_src, AVRational tb_dst)


cdef extern from "libavcodec/avcodec.h" nogil:
    int AV_CODEC_FLAG_GLOBAL_HEADER

    ctypedef struct AVCodecContext:
        const AVCodec *codec
        AVRational time_base
        AVRational pkt_timebase
        int64_t bit_rate
        int flags
        int sample_rate
        AVSampleFormat sample_fmt
        AVSampleFormat request_sample_fmt
        AVChannelLayout ch_layout
        int frame_size
        int bits_per_raw_sample
        int initial_padding
        int strict_std_compliance

    AVCodecContext *avcodec_alloc_context3(const AVCodec *codec)
    void avcodec_free_context(AVCodecContext **avctx)
    int avcodec_parameters_to_context(AVCodecContext *codec, const AVCodecParameters *par)
    int avcodec_parameters_from_context(AVCodecParameters *par, const AVCodecContext *codec)
    int avcodec_open2(AVCodecContext *avctx, const AVCodec *codec, AVDictionary **options)
    int avcodec_send_packet(AVCodecContext *avctx, const AVPacket *avpkt)
    int avcodec_receive_frame(AVCodecContext *avctx, AVFrame *frame)
    int avcodec_send_frame(AVCodecContext *avctx, const AVFrame *frame)
    int avcodec_receive_packet(AVCodecContext *avctx, AVPacket *avpkt)
    void avcodec_flush_buffers(AVCodecContext *avctx)


cdef extern from "libavformat/avio.h" nogil:
    int AVIO_FLAG_READ
    int AVIO_FLAG_WRITE

    ctypedef struct AVIOContext:
        int seekable

    int avio_open(AVIOContext **s, const char *url, int flags)
    int avio_closep(AVIOContext **s)


cdef extern from "libavformat/avformat.h" nogil:
    int AVSEEK_FLAG_BACKWARD
    int AVSEEK_FLAG_ANY
    int AVFMT_NOFILE
    int AVFMT_GLOBALHEADER
    int AVFMT_FLAG_CUSTOM_IO

    enum AVDurationEstimationMethod:
        AVFMT_DURATION_FROM_PTS
        AVFMT_DURATION_FROM_STREAM
        AVFMT_DURATION_FROM_BITRATE

    ctypedef struct AVInputFormat:
        const char *name
        const char *long_name

    ctypedef struct AVOutputFormat:
        const char *name
        int flags

    ctypedef struct AVStream:
        int index
        AVCodecParameters *codecpar
        AVRational time_base
        int64_t start_time
        int64_t duration
        int64_t nb_frames
        AVDiscard discard

    ctypedef struct AVFormatContext:
        const AVInputFormat *iformat
        const AVOutputFormat *oformat
        AVIOContext *pb
        unsigned int nb_streams
        AVStream **streams
        int64_t start_time
        int64_t duration
        int flags
        int probe_score
        AVDurationEstimationMethod duration_estimation_method

    AVFormatContext *avformat_alloc_context()
    int avformat_open_input(AVFormatContext **ps, const char *url, const AVInputFormat *fmt,
                            AVDictionary **options)
    int avformat_find_stream_info(AVFormatContext *ic, AVDictionary **options)
    int av_find_best_stream(AVFormatContext *ic, AVMediaType type, int wanted_stream_nb,
                            int related_stream, const AVCodec **decoder_ret, int flags)
    void avformat_close_input(AVFormatContext **s)
    int av_read_frame(AVFormatContext *s, AVPacket *pkt)
    int avformat_seek_file(AVFormatContext *s, int stream_index, int64_t min_ts, int64_t ts,
                           int64_t max_ts, int flags)
    int av_seek_frame(AVFormatContext *s, int stream_index, int64_t timestamp, int flags)

    int avformat_alloc_output_context2(AVFormatContext **ctx, const AVOutputFormat *oformat,
                                       const char *format_name, const char *filename)
    void avformat_free_context(AVFormatContext *s)
    AVStream *avformat_new_stream(AVFormatContext *s, const AVCodec *c)
    int avformat_write_header(AVFormatContext *s, AVDictionary **options)
    int av_interleaved_write_frame(AVFormatContext *s, AVPacket *pkt)
    int av_write_trailer(AVFormatContext *s)


cdef extern from "libswresample/swresample.h" nogil:
    ctypedef struct SwrContext:
        pass

    int swr_alloc_set_opts2(SwrContext **ps, const AVChannelLayout *out_ch_layout,
                            AVSampleFormat out_sample_fmt, int out_sample_rate,
                            const AVChannelLayout *in_ch_layout, AVSampleFormat in_sample_fmt,
                            int in_sample_rate, int log_offset, void *log_ctx)
    int swr_init(SwrContext *s)
    void swr_free(SwrContext **s)
    int swr_convert(SwrContext *s, uint8_t **out, int out_count, const uint8_t **inp, int in_count)
