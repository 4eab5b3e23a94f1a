"""``AudioInfo`` and the libsndfile format tables: names read from files, encodings chosen on save.

Pure Python constants (values from ``<sndfile.h>``), so this module imports without the I/O extension.
"""

from __future__ import annotations

from typing import NamedTuple


class AudioInfo(NamedTuple):
    """What :func:`mlxdsp.info` reports about an audio file.

    frames : int
        Number of sample frames (per channel). Exact for every format, MP3 and Opus included.
    sample_rate : int
        Native sampling rate in Hz.
    channels : int
    duration : float
        ``frames / sample_rate`` in seconds.
    format : str
        Container detected from the content, soundfile's names: ``"WAV"``, ``"FLAC"``, ``"OGG"``, ``"MP3"``...
    subtype : str
        Encoding, soundfile's names: ``"PCM_16"``, ``"FLOAT"``, ``"VORBIS"``, ``"OPUS"``, ``"MPEG_LAYER_III"``...
    """

    frames: int
    sample_rate: int
    channels: int
    duration: float
    format: str
    subtype: str


# Major formats (SF_FORMAT_*), named as soundfile names them.
FORMATS = {
    0x010000: "WAV",
    0x020000: "AIFF",
    0x030000: "AU",
    0x040000: "RAW",
    0x050000: "PAF",
    0x060000: "SVX",
    0x070000: "NIST",
    0x080000: "VOC",
    0x0A0000: "IRCAM",
    0x0B0000: "W64",
    0x0C0000: "MAT4",
    0x0D0000: "MAT5",
    0x0E0000: "PVF",
    0x0F0000: "XI",
    0x100000: "HTK",
    0x110000: "SDS",
    0x120000: "AVR",
    0x130000: "WAVEX",
    0x160000: "SD2",
    0x170000: "FLAC",
    0x180000: "CAF",
    0x190000: "WVE",
    0x200000: "OGG",
    0x210000: "MPC2K",
    0x220000: "RF64",
    0x230000: "MP3",
}

SUBTYPES = {
    0x0001: "PCM_S8",
    0x0002: "PCM_16",
    0x0003: "PCM_24",
    0x0004: "PCM_32",
    0x0005: "PCM_U8",
    0x0006: "FLOAT",
    0x0007: "DOUBLE",
    0x0010: "ULAW",
    0x0011: "ALAW",
    0x0012: "IMA_ADPCM",
    0x0013: "MS_ADPCM",
    0x0020: "GSM610",
    0x0021: "VOX_ADPCM",
    0x0022: "NMS_ADPCM_16",
    0x0023: "NMS_ADPCM_24",
    0x0024: "NMS_ADPCM_32",
    0x0030: "G721_32",
    0x0031: "G723_24",
    0x0032: "G723_40",
    0x0040: "DWVW_12",
    0x0041: "DWVW_16",
    0x0042: "DWVW_24",
    0x0043: "DWVW_N",
    0x0050: "DPCM_8",
    0x0051: "DPCM_16",
    0x0060: "VORBIS",
    0x0064: "OPUS",
    0x0070: "ALAC_16",
    0x0071: "ALAC_20",
    0x0072: "ALAC_24",
    0x0073: "ALAC_32",
    0x0080: "MPEG_LAYER_I",
    0x0081: "MPEG_LAYER_II",
    0x0082: "MPEG_LAYER_III",
}

TYPEMASK = 0x0FFF0000
SUBMASK = 0x0000FFFF


def format_names(fmt: int) -> tuple[str, str]:
    major = FORMATS.get(fmt & TYPEMASK, f"0x{fmt & TYPEMASK:06x}")
    sub = SUBTYPES.get(fmt & SUBMASK, f"0x{fmt & SUBMASK:04x}")
    return major, sub


# --- save: extension -> container, and per container the encodings users may ask for -------------------

_PCM = {
    "float32": 0x0006,
    "float64": 0x0007,
    "pcm16": 0x0002,
    "pcm24": 0x0003,
    "pcm32": 0x0004,
    "pcm_u8": 0x0005,
    "pcm_s8": 0x0001,
    "ulaw": 0x0010,
    "alaw": 0x0011,
    "ima_adpcm": 0x0012,
}

# extension -> (container name, major format, {encoding: subtype}, default encoding)
CONTAINERS: dict[str, tuple[str, int, dict[str, int], str]] = {
    ".wav": ("WAV", 0x010000, {k: v for k, v in _PCM.items() if k != "pcm_s8"}, "float32"),
    ".w64": ("W64", 0x0B0000, {k: v for k, v in _PCM.items() if k != "pcm_s8"}, "float32"),
    ".rf64": (
        "RF64",
        0x220000,
        {k: v for k, v in _PCM.items() if k not in ("pcm_s8", "ima_adpcm")},
        "float32",
    ),
    ".aiff": ("AIFF", 0x020000, {k: v for k, v in _PCM.items() if k != "ima_adpcm"}, "float32"),
    ".aif": ("AIFF", 0x020000, {k: v for k, v in _PCM.items() if k != "ima_adpcm"}, "float32"),
    ".aifc": ("AIFF", 0x020000, {k: v for k, v in _PCM.items() if k != "ima_adpcm"}, "float32"),
    ".caf": (
        "CAF",
        0x180000,
        {k: v for k, v in _PCM.items() if k not in ("pcm_u8", "ima_adpcm")},
        "float32",
    ),
    ".au": (
        "AU",
        0x030000,
        {k: v for k, v in _PCM.items() if k not in ("pcm_u8", "ima_adpcm")},
        "float32",
    ),
    ".flac": ("FLAC", 0x170000, {"pcm16": 0x0002, "pcm24": 0x0003, "pcm_s8": 0x0001}, "pcm16"),
    ".ogg": ("OGG", 0x200000, {"vorbis": 0x0060, "opus": 0x0064}, "vorbis"),
    ".oga": ("OGG", 0x200000, {"vorbis": 0x0060, "opus": 0x0064}, "vorbis"),
    ".opus": ("OGG", 0x200000, {"opus": 0x0064}, "opus"),
    ".mp3": ("MP3", 0x230000, {"mp3": 0x0082}, "mp3"),
}

# Containers only the optional libav backend writes and reads.
LIBAV_EXTENSIONS = (".m4a", ".m4b", ".mp4", ".aac")

# Encodings that lose information and therefore take quality/bitrate settings.
LOSSY = ("vorbis", "opus", "mp3")
INTEGER_ENCODINGS = ("pcm16", "pcm24", "pcm32", "pcm_u8", "pcm_s8", "ulaw", "alaw", "ima_adpcm")
