# cython: language_level=3
"""Declarations from libogg's <ogg/ogg.h> (1.3): page sync and stream (packet) demuxing, only what
``_oggread.pyx`` uses."""
from libc.stdint cimport int64_t


cdef extern from "ogg/ogg.h" nogil:
    ctypedef int64_t ogg_int64_t

    ctypedef struct ogg_sync_state:
        pass

    ctypedef struct ogg_stream_state:
        pass

    ctypedef struct ogg_page:
        unsigned char *header
        long header_len
        unsigned char *body
        long body_len

    ctypedef struct ogg_packet:
        unsigned char *packet
        long bytes
        long b_o_s
        long e_o_s
        ogg_int64_t granulepos
        ogg_int64_t packetno

    int ogg_sync_init(ogg_sync_state *oy)
    int ogg_sync_clear(ogg_sync_state *oy)
    int ogg_sync_reset(ogg_sync_state *oy)
    char *ogg_sync_buffer(ogg_sync_state *oy, long size)
    int ogg_sync_wrote(ogg_sync_state *oy, long bytes)
    int ogg_sync_pageout(ogg_sync_state *oy, ogg_page *og)

    int ogg_stream_init(ogg_stream_state *os, int serialno)
    int ogg_stream_clear(ogg_stream_state *os)
    int ogg_stream_reset_serialno(ogg_stream_state *os, int serialno)
    int ogg_stream_pagein(ogg_stream_state *os, ogg_page *og)
    int ogg_stream_packetout(ogg_stream_state *os, ogg_packet *op)

    int ogg_page_serialno(const ogg_page *og)
    ogg_int64_t ogg_page_granulepos(const ogg_page *og)
    int ogg_page_eos(const ogg_page *og)
