# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Thin wrapper over libsoxr: one streaming resampler of interleaved float32, GIL released."""

cimport c_soxr as c

from mlxdsp._errors import AudioFileError

QQ = c.SOXR_QQ
LQ = c.SOXR_LQ
MQ = c.SOXR_MQ
HQ = c.SOXR_HQ
VHQ = c.SOXR_VHQ

cdef float _dummy[1]


def version():
    return c.soxr_version().decode("ascii", "replace")


cdef class Resampler:
    """``soxr_create`` with float32 interleaved in/out, ``soxr_quality_spec(recipe, flags)``, 1 thread."""

    cdef c.soxr_t _s
    cdef readonly unsigned channels
    cdef readonly double in_rate
    cdef readonly double out_rate

    def __cinit__(self, double in_rate, double out_rate, unsigned channels, unsigned long recipe,
                  unsigned long flags=0):
        self._s = NULL
        cdef c.soxr_error_t err = NULL
        cdef c.soxr_io_spec_t io = c.soxr_io_spec(c.SOXR_FLOAT32_I, c.SOXR_FLOAT32_I)
        cdef c.soxr_quality_spec_t q = c.soxr_quality_spec(recipe, flags)
        cdef c.soxr_runtime_spec_t rt = c.soxr_runtime_spec(1)
        self._s = c.soxr_create(in_rate, out_rate, channels, &err, &io, &q, &rt)
        if err != NULL or self._s == NULL:
            raise AudioFileError(f"libsoxr: cannot create resampler {in_rate} -> {out_rate} Hz: "
                                 f"{(err or b'unknown error').decode('utf-8', 'replace')}")
        self.channels = channels
        self.in_rate = in_rate
        self.out_rate = out_rate

    def __dealloc__(self):
        if self._s != NULL:
            c.soxr_delete(self._s)
            self._s = NULL

    def process(self, const float[:, ::1] x, float[:, ::1] out):
        """Feed rows of ``x`` (None = end of input, flush) and write into ``out``.

        Returns ``(frames_consumed, frames_written)``; call again with the rest until both are 0.
        """
        if out.shape[1] != self.channels or (x is not None and x.shape[1] != self.channels):
            raise ValueError(f"resampler has {self.channels} channels")
        cdef const float *inp = NULL
        cdef size_t ilen = 0
        if x is not None:
            ilen = x.shape[0]
            inp = &x[0, 0] if ilen > 0 else _dummy
        cdef float *outp = &out[0, 0] if out.shape[0] > 0 else _dummy
        cdef size_t olen = out.shape[0]
        cdef size_t idone = 0
        cdef size_t odone = 0
        cdef c.soxr_error_t err
        with nogil:
            err = c.soxr_process(self._s, inp, ilen, &idone, outp, olen, &odone)
        if err != NULL:
            raise AudioFileError(f"libsoxr: {err.decode('utf-8', 'replace')}")
        return idone, odone
