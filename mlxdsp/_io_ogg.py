"""Ogg Opus decoded by libopus's single-stream decoder (``mlxdsp._ext._oggread``): the same libopus
and the same samples as libsndfile's reader (which drives it through the multistream API), without
the ``cpuid`` that libopus 1.3's multistream decode runs four times per packet (a hypervisor trap on
a virtual machine: 40 % of libsndfile's Opus decode time there). ~1.8x faster per core.

Only what it decodes exactly: one stream of pages, mono/stereo (mapping family 0), 48 kHz output
(libsndfile's rate for 48 kHz input), the end granule giving libsndfile's length; anything else
returns None and libav's ``libopus`` wrapper or libsndfile reads it (:mod:`mlxdsp._io_libav`).
"""

from __future__ import annotations

try:
    from ._ext import _oggread
except ImportError:  # built without libogg/libopus development files: libav or libsndfile decode
    _oggread = None


def available() -> bool:
    return _oggread is not None


def open_opus(raw: bytes, name: str, frames: int, samplerate: int, channels: int):
    """A reader of the Ogg Opus file ``raw`` from its first frame (``readf_into``, ``seek``,
    ``close``; attributes ``frames``, ``samplerate``, ``channels``, ``format``, ``decoder``,
    ``preroll``), or None when it does not decode this file exactly as libsndfile, whose
    ``frames``, ``samplerate`` and ``channels`` are given."""
    if _oggread is None or samplerate != 48000:
        return None
    r = _oggread.open_opus(raw, name, frames)
    if r is not None and r.channels != channels:
        r.close()
        return None
    return r
