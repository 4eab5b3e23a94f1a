# Declarations only, mirroring <soxr.h> (libsoxr 0.1.3). No code here.

cdef extern from "soxr.h" nogil:
    ctypedef struct soxr:
        pass
    ctypedef soxr *soxr_t
    ctypedef const char *soxr_error_t
    ctypedef const void *soxr_in_t
    ctypedef void *soxr_out_t

    ctypedef enum soxr_datatype_t:
        SOXR_FLOAT32_I
        SOXR_FLOAT64_I
        SOXR_INT32_I
        SOXR_INT16_I

    ctypedef struct soxr_io_spec_t:
        soxr_datatype_t itype
        soxr_datatype_t otype
        double scale
        void *e
        unsigned long flags

    ctypedef struct soxr_quality_spec_t:
        double precision
        double phase_response
        double passband_end
        double stopband_begin
        void *e
        unsigned long flags

    ctypedef struct soxr_runtime_spec_t:
        unsigned log2_min_dft_size
        unsigned log2_large_dft_size
        unsigned coef_size_kbytes
        unsigned num_threads
        void *e
        unsigned long flags

    enum:
        SOXR_QQ
        SOXR_LQ
        SOXR_MQ
        SOXR_HQ
        SOXR_VHQ
        SOXR_LINEAR_PHASE
        SOXR_INTERMEDIATE_PHASE
        SOXR_MINIMUM_PHASE
        SOXR_STEEP_FILTER

    soxr_t soxr_create(double input_rate, double output_rate, unsigned num_channels,
                       soxr_error_t *error, const soxr_io_spec_t *io_spec,
                       const soxr_quality_spec_t *quality_spec,
                       const soxr_runtime_spec_t *runtime_spec)
    soxr_error_t soxr_process(soxr_t resampler, soxr_in_t inp, size_t ilen, size_t *idone,
                              soxr_out_t out, size_t olen, size_t *odone)
    soxr_error_t soxr_error(soxr_t resampler)
    double soxr_delay(soxr_t resampler)
    void soxr_delete(soxr_t resampler)
    soxr_io_spec_t soxr_io_spec(soxr_datatype_t itype, soxr_datatype_t otype)
    soxr_quality_spec_t soxr_quality_spec(unsigned long recipe, unsigned long flags)
    soxr_runtime_spec_t soxr_runtime_spec(unsigned num_threads)
    const char *soxr_version()
