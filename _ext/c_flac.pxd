# cython: language_level=3
"""Declarations from libFLAC's <FLAC/stream_decoder.h> and <FLAC/format.h> (1.3/1.4): the stream
decoder over client callbacks, only what ``_flacread.pyx`` uses."""
from libc.stdint cimport int32_t, uint8_t, uint32_t, uint64_t


cdef extern from "FLAC/format.h" nogil:
    ctypedef int FLAC__bool
    ctypedef uint8_t FLAC__byte
    ctypedef int32_t FLAC__int32
    ctypedef uint32_t FLAC__uint32
    ctypedef uint64_t FLAC__uint64

    ctypedef enum FLAC__MetadataType:
        FLAC__METADATA_TYPE_STREAMINFO

    ctypedef enum FLAC__FrameNumberType:
        FLAC__FRAME_NUMBER_TYPE_FRAME_NUMBER
        FLAC__FRAME_NUMBER_TYPE_SAMPLE_NUMBER

    ctypedef union _FlacFrameNumber:  # the anonymous union member "number" (never named in C)
        FLAC__uint32 frame_number
        FLAC__uint64 sample_number

    ctypedef struct FLAC__FrameHeader:
        uint32_t blocksize
        uint32_t sample_rate
        uint32_t channels
        uint32_t bits_per_sample
        FLAC__FrameNumberType number_type
        _FlacFrameNumber number

    ctypedef struct FLAC__Frame:
        FLAC__FrameHeader header

    ctypedef struct FLAC__StreamMetadata_StreamInfo:
        uint32_t min_blocksize
        uint32_t max_blocksize
        uint32_t min_framesize
        uint32_t max_framesize
        uint32_t sample_rate
        uint32_t channels
        uint32_t bits_per_sample
        FLAC__uint64 total_samples

    ctypedef union _FlacMetadataData:  # the anonymous union member "data" (never named in C)
        FLAC__StreamMetadata_StreamInfo stream_info

    ctypedef struct FLAC__StreamMetadata:
        FLAC__MetadataType type
        FLAC__bool is_last
        uint32_t length
        _FlacMetadataData data


cdef extern from "FLAC/stream_decoder.h" nogil:
    ctypedef struct FLAC__StreamDecoder:
        pass

    ctypedef enum FLAC__StreamDecoderState:
        FLAC__STREAM_DECODER_SEARCH_FOR_METADATA
        FLAC__STREAM_DECODER_READ_METADATA
        FLAC__STREAM_DECODER_SEARCH_FOR_FRAME_SYNC
        FLAC__STREAM_DECODER_READ_FRAME
        FLAC__STREAM_DECODER_END_OF_STREAM
        FLAC__STREAM_DECODER_OGG_ERROR
        FLAC__STREAM_DECODER_SEEK_ERROR
        FLAC__STREAM_DECODER_ABORTED
        FLAC__STREAM_DECODER_MEMORY_ALLOCATION_ERROR
        FLAC__STREAM_DECODER_UNINITIALIZED

    ctypedef enum FLAC__StreamDecoderInitStatus:
        FLAC__STREAM_DECODER_INIT_STATUS_OK

    ctypedef enum FLAC__StreamDecoderReadStatus:
        FLAC__STREAM_DECODER_READ_STATUS_CONTINUE
        FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM
        FLAC__STREAM_DECODER_READ_STATUS_ABORT

    ctypedef enum FLAC__StreamDecoderSeekStatus:
        FLAC__STREAM_DECODER_SEEK_STATUS_OK
        FLAC__STREAM_DECODER_SEEK_STATUS_ERROR
        FLAC__STREAM_DECODER_SEEK_STATUS_UNSUPPORTED

    ctypedef enum FLAC__StreamDecoderTellStatus:
        FLAC__STREAM_DECODER_TELL_STATUS_OK
        FLAC__STREAM_DECODER_TELL_STATUS_ERROR
        FLAC__STREAM_DECODER_TELL_STATUS_UNSUPPORTED

    ctypedef enum FLAC__StreamDecoderLengthStatus:
        FLAC__STREAM_DECODER_LENGTH_STATUS_OK
        FLAC__STREAM_DECODER_LENGTH_STATUS_ERROR
        FLAC__STREAM_DECODER_LENGTH_STATUS_UNSUPPORTED

    ctypedef enum FLAC__StreamDecoderWriteStatus:
        FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE
        FLAC__STREAM_DECODER_WRITE_STATUS_ABORT

    ctypedef enum FLAC__StreamDecoderErrorStatus:
        FLAC__STREAM_DECODER_ERROR_STATUS_LOST_SYNC
        FLAC__STREAM_DECODER_ERROR_STATUS_BAD_HEADER
        FLAC__STREAM_DECODER_ERROR_STATUS_FRAME_CRC_MISMATCH
        FLAC__STREAM_DECODER_ERROR_STATUS_UNPARSEABLE_STREAM
        FLAC__STREAM_DECODER_ERROR_STATUS_BAD_METADATA

    const char * const FLAC__StreamDecoderErrorStatusString[]
    const char * const FLAC__StreamDecoderStateString[]

    ctypedef FLAC__StreamDecoderReadStatus (*FLAC__StreamDecoderReadCallback)(
        const FLAC__StreamDecoder *decoder, FLAC__byte buffer[], size_t *bytes, void *client_data)
    ctypedef FLAC__StreamDecoderSeekStatus (*FLAC__StreamDecoderSeekCallback)(
        const FLAC__StreamDecoder *decoder, FLAC__uint64 absolute_byte_offset, void *client_data)
    ctypedef FLAC__StreamDecoderTellStatus (*FLAC__StreamDecoderTellCallback)(
        const FLAC__StreamDecoder *decoder, FLAC__uint64 *absolute_byte_offset, void *client_data)
    ctypedef FLAC__StreamDecoderLengthStatus (*FLAC__StreamDecoderLengthCallback)(
        const FLAC__StreamDecoder *decoder, FLAC__uint64 *stream_length, void *client_data)
    ctypedef FLAC__bool (*FLAC__StreamDecoderEofCallback)(
        const FLAC__StreamDecoder *decoder, void *client_data)
    ctypedef FLAC__StreamDecoderWriteStatus (*FLAC__StreamDecoderWriteCallback)(
        const FLAC__StreamDecoder *decoder, const FLAC__Frame *frame,
        const FLAC__int32 * const buffer[], void *client_data)
    ctypedef void (*FLAC__StreamDecoderMetadataCallback)(
        const FLAC__StreamDecoder *decoder, const FLAC__StreamMetadata *metadata, void *client_data)
    ctypedef void (*FLAC__StreamDecoderErrorCallback)(
        const FLAC__StreamDecoder *decoder, FLAC__StreamDecoderErrorStatus status, void *client_data)

    FLAC__StreamDecoder *FLAC__stream_decoder_new()
    void FLAC__stream_decoder_delete(FLAC__StreamDecoder *decoder)
    FLAC__bool FLAC__stream_decoder_set_md5_checking(FLAC__StreamDecoder *decoder, FLAC__bool value)
    FLAC__StreamDecoderState FLAC__stream_decoder_get_state(const FLAC__StreamDecoder *decoder)
    FLAC__bool FLAC__stream_decoder_get_decode_position(
        const FLAC__StreamDecoder *decoder, FLAC__uint64 *position)
    FLAC__StreamDecoderInitStatus FLAC__stream_decoder_init_stream(
        FLAC__StreamDecoder *decoder,
        FLAC__StreamDecoderReadCallback read_callback,
        FLAC__StreamDecoderSeekCallback seek_callback,
        FLAC__StreamDecoderTellCallback tell_callback,
        FLAC__StreamDecoderLengthCallback length_callback,
        FLAC__StreamDecoderEofCallback eof_callback,
        FLAC__StreamDecoderWriteCallback write_callback,
        FLAC__StreamDecoderMetadataCallback metadata_callback,
        FLAC__StreamDecoderErrorCallback error_callback,
        void *client_data)
    FLAC__bool FLAC__stream_decoder_finish(FLAC__StreamDecoder *decoder)
    FLAC__bool FLAC__stream_decoder_flush(FLAC__StreamDecoder *decoder)
    FLAC__bool FLAC__stream_decoder_process_single(FLAC__StreamDecoder *decoder)
    FLAC__bool FLAC__stream_decoder_process_until_end_of_metadata(FLAC__StreamDecoder *decoder)
    FLAC__bool FLAC__stream_decoder_seek_absolute(FLAC__StreamDecoder *decoder, FLAC__uint64 sample)
