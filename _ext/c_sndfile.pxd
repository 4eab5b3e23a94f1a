# Declarations only, mirroring <sndfile.h> (libsndfile 1.2). No code here.
from libc.stdint cimport int64_t

cdef extern from "sndfile.h" nogil:
    ctypedef int64_t sf_count_t

    ctypedef struct SNDFILE:
        pass

    ctypedef struct SF_INFO:
        sf_count_t frames
        int samplerate
        int channels
        int format
        int sections
        int seekable

    ctypedef struct SF_FORMAT_INFO:
        int format
        const char *name
        const char *extension

    enum:
        SFM_READ
        SFM_WRITE
        SFM_RDWR

    enum:
        SF_FALSE
        SF_TRUE

    enum:
        SFC_GET_LOG_INFO
        SFC_GET_FORMAT_INFO
        SFC_SET_CLIPPING
        SFC_SET_VBR_ENCODING_QUALITY
        SFC_SET_COMPRESSION_LEVEL
        SFC_SET_BITRATE_MODE
        SFC_GET_BITRATE_MODE
        SFC_RAW_DATA_NEEDS_ENDSWAP

    enum:
        SF_BITRATE_MODE_CONSTANT
        SF_BITRATE_MODE_AVERAGE
        SF_BITRATE_MODE_VARIABLE

    enum:
        SF_FORMAT_SUBMASK
        SF_FORMAT_TYPEMASK
        SF_FORMAT_ENDMASK

    ctypedef sf_count_t (*sf_vio_get_filelen)(void *user_data) noexcept nogil
    ctypedef sf_count_t (*sf_vio_seek)(sf_count_t offset, int whence, void *user_data) noexcept nogil
    ctypedef sf_count_t (*sf_vio_read)(void *ptr, sf_count_t count, void *user_data) noexcept nogil
    ctypedef sf_count_t (*sf_vio_write)(const void *ptr, sf_count_t count, void *user_data) noexcept nogil
    ctypedef sf_count_t (*sf_vio_tell)(void *user_data) noexcept nogil

    ctypedef struct SF_VIRTUAL_IO:
        sf_vio_get_filelen get_filelen
        sf_vio_seek seek
        sf_vio_read read
        sf_vio_write write
        sf_vio_tell tell

    SNDFILE *sf_open(const char *path, int mode, SF_INFO *sfinfo)
    SNDFILE *sf_open_virtual(SF_VIRTUAL_IO *sfvirtual, int mode, SF_INFO *sfinfo, void *user_data)
    int sf_error(SNDFILE *sndfile)
    const char *sf_strerror(SNDFILE *sndfile)
    const char *sf_error_number(int errnum)
    int sf_command(SNDFILE *sndfile, int command, void *data, int datasize)
    int sf_format_check(const SF_INFO *info)
    sf_count_t sf_seek(SNDFILE *sndfile, sf_count_t frames, int whence)
    sf_count_t sf_readf_float(SNDFILE *sndfile, float *ptr, sf_count_t frames)
    sf_count_t sf_read_raw(SNDFILE *sndfile, void *ptr, sf_count_t nbytes)
    sf_count_t sf_write_raw(SNDFILE *sndfile, const void *ptr, sf_count_t nbytes)
    sf_count_t sf_writef_float(SNDFILE *sndfile, const float *ptr, sf_count_t frames)
    int sf_close(SNDFILE *sndfile)
    const char *sf_version_string()
