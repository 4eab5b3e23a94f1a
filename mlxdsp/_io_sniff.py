"""What a file holds, judged from its bytes: names for error messages, routing to the libav backend, and
container checks that libsndfile does not make (truncated data chunks, Ogg streams without an end page)."""

from __future__ import annotations

import re
import struct

# (offset, magic, name). Order matters: the first match wins.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (8, b"WAVE", "WAV"),
    (0, b"RF64", "RF64"),
    (0, b"riff", "W64"),
    (8, b"AIFF", "AIFF"),
    (8, b"AIFC", "AIFF-C"),
    (0, b"caff", "CAF"),
    (0, b"fLaC", "FLAC"),
    (0, b"OggS", "OGG"),
    (0, b"ID3", "MP3 (ID3 tag)"),
    (0, b".snd", "AU"),
    (4, b"ftyp", "MP4/M4A"),
    (0, b"\x1aE\xdf\xa3", "Matroska/WebM"),
    (0, b"wvpk", "WavPack"),
    (0, b"MAC ", "Monkey's Audio"),
    (0, b"#!AMR", "AMR"),
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "ASF/WMA"),
    (0, b"MThd", "MIDI"),
    (0, b"PK\x03\x04", "ZIP archive"),
    (0, b"%PDF", "PDF document"),
    (0, b"\x89PNG", "PNG image"),
    (0, b"\xff\xd8\xff", "JPEG image"),
)

# Containers that need the optional FFmpeg (libav) backend.
LIBAV_ONLY = (
    "MP4/M4A",
    "AAC (ADTS)",
    "Matroska/WebM",
    "ASF/WMA",
    "AMR",
    "WavPack",
    "Monkey's Audio",
)


def kind(head: bytes) -> str | None:
    """A container name for the first bytes of a file, or None when nothing is recognised."""
    for off, magic, name in _MAGIC:
        if head[off : off + len(magic)] == magic:
            return name
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xF0) == 0xF0 and (head[1] & 0x06) == 0:
        return "AAC (ADTS)"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0:
        return "MP3 (MPEG audio frame)"
    return None


def describe(head: bytes, size: int) -> str:
    """'found 123 bytes, looks like FLAC' / 'found 16 bytes of unrecognised data starting 00 01 ...'."""
    name = kind(head)
    if name is not None:
        return f"found {size} bytes that look like {name}"
    if head and all(32 <= b < 127 or b in (9, 10, 13) for b in head[:64]):
        return f"found {size} bytes of text starting {head[:24]!r}"
    return f"found {size} bytes of unrecognised data starting {head[:12].hex(' ')}"


# libsndfile logs "data : 176400 (should be 88178)" when a chunk claims more bytes than the file holds.
_SHOULD_BE = re.compile(
    r"^\s*(data|SSND|RIFF|riff|FORM|Riff size)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.M
)
_PLACEHOLDERS = (0, 0xFFFFFFFF, 0x7FFFFFFF, 0xFFFFFFFFFFFFFFFF)


def header_truncation(log: str) -> tuple[int, int] | None:
    """``(declared_bytes, present_bytes)`` when libsndfile's log shows a data chunk cut short by EOF."""
    found = {}
    for name, declared, present in _SHOULD_BE.findall(log):
        declared, present = int(declared), int(present)
        if declared in _PLACEHOLDERS or declared - present <= 16:
            continue
        found.setdefault("data" if name in ("data", "SSND") else "container", (declared, present))
    return found.get("data") or found.get("container")


def ogg_truncated(fp, size: int) -> bool:
    """True when the last Ogg page is cut short or is not an end-of-stream page."""
    tail = min(size, 1 << 16)
    fp.seek(size - tail)
    buf = fp.read(tail)
    pos = buf.rfind(b"OggS")
    while pos >= 0:
        if len(buf) - pos >= 27 and buf[pos + 4] == 0:
            nseg = buf[pos + 26]
            if len(buf) - pos < 27 + nseg:
                return True
            body = sum(buf[pos + 27 : pos + 27 + nseg])
            if pos + 27 + nseg + body > len(buf):
                return True
            (flags,) = struct.unpack_from("B", buf, pos + 5)
            return not flags & 0x04
        pos = buf.rfind(b"OggS", 0, pos)
    return False
