# cython: language_level=3
"""Declarations from libvorbis's <vorbis/codec.h> (1.3): header parsing and synthesis (decoding),
only what ``_oggread.pyx`` uses."""
from c_ogg cimport ogg_packet


cdef extern from "vorbis/codec.h" nogil:
    ctypedef struct vorbis_info:
        int channels
        long rate

    ctypedef struct vorbis_comment:
        pass

    ctypedef struct vorbis_dsp_state:
        pass

    ctypedef struct vorbis_block:
        pass

    void vorbis_info_init(vorbis_info *vi)
    void vorbis_info_clear(vorbis_info *vi)
    int vorbis_info_blocksize(vorbis_info *vi, int zo)
    void vorbis_comment_init(vorbis_comment *vc)
    void vorbis_comment_clear(vorbis_comment *vc)

    int vorbis_synthesis_headerin(vorbis_info *vi, vorbis_comment *vc, ogg_packet *op)
    int vorbis_synthesis_init(vorbis_dsp_state *v, vorbis_info *vi)
    int vorbis_synthesis_restart(vorbis_dsp_state *v)
    int vorbis_block_init(vorbis_dsp_state *v, vorbis_block *vb)
    int vorbis_block_clear(vorbis_block *vb)
    void vorbis_dsp_clear(vorbis_dsp_state *v)

    int vorbis_synthesis(vorbis_block *vb, ogg_packet *op)
    int vorbis_synthesis_blockin(vorbis_dsp_state *v, vorbis_block *vb)
    int vorbis_synthesis_pcmout(vorbis_dsp_state *v, float ***pcm)
    int vorbis_synthesis_read(vorbis_dsp_state *v, int samples)
    long vorbis_packet_blocksize(vorbis_info *vi, ogg_packet *op)
