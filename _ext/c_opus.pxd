# cython: language_level=3
"""Declarations from libopus's <opus/opus.h> (1.3): the single-stream float decoder, only what
``_oggread.pyx`` uses."""
from libc.stdint cimport int32_t


cdef extern from "opus/opus.h" nogil:
    ctypedef int32_t opus_int32

    ctypedef struct OpusDecoder:
        pass

    enum:
        OPUS_OK
        OPUS_SET_GAIN_REQUEST
        OPUS_RESET_STATE

    OpusDecoder *opus_decoder_create(opus_int32 Fs, int channels, int *error)
    void opus_decoder_destroy(OpusDecoder *st)
    int opus_decoder_ctl(OpusDecoder *st, int request, ...)
    int opus_decode_float(OpusDecoder *st, const unsigned char *data, opus_int32 len, float *pcm,
                          int frame_size, int decode_fec)
    int opus_packet_get_nb_samples(const unsigned char *packet, opus_int32 len, opus_int32 Fs)
    const char *opus_strerror(int error)
