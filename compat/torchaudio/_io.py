"""torchaudio.load / save / info over mlxdsp's file I/O (libsndfile, optional FFmpeg backend)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import mlx.core as mx

import mlxdsp

_FN = "compat.torchaudio"

# soundfile subtype -> torchaudio (encoding, bits_per_sample); compressed formats report 0 bits
_ENCODINGS = {
    "PCM_S8": ("PCM_S", 8),
    "PCM_16": ("PCM_S", 16),
    "PCM_24": ("PCM_S", 24),
    "PCM_32": ("PCM_S", 32),
    "PCM_U8": ("PCM_U", 8),
    "FLOAT": ("PCM_F", 32),
    "DOUBLE": ("PCM_F", 64),
    "ULAW": ("ULAW", 8),
    "ALAW": ("ALAW", 8),
    "VORBIS": ("VORBIS", 0),
    "OPUS": ("OPUS", 0),
    "MPEG_LAYER_III": ("MP3", 0),
}
# torchaudio (encoding, bits_per_sample) -> mlxdsp.save encoding
_SAVE = {
    ("PCM_S", 16): "pcm16",
    ("PCM_S", 24): "pcm24",
    ("PCM_S", 32): "pcm32",
    ("PCM_U", 8): "pcm_u8",
    ("PCM_F", 32): "float32",
    ("PCM_F", 64): "float64",
    ("ULAW", 8): "ulaw",
    ("ALAW", 8): "alaw",
}


@dataclass(frozen=True)
class AudioMetaData:
    """torchaudio's AudioMetaData: sample_rate, num_frames, num_channels, bits_per_sample, encoding."""

    sample_rate: int
    num_frames: int
    num_channels: int
    bits_per_sample: int
    encoding: str


def info(uri, format: str | None = None, buffer_size: int = 4096, backend=None) -> AudioMetaData:  # noqa: A002
    """torchaudio.info (removed in torchaudio 2.9, kept here): the file's metadata. ``encoding`` is
    torchaudio's name ("PCM_S", "PCM_F", "FLAC", "VORBIS", "MP3"...), ``bits_per_sample`` 0 for lossy."""
    meta = mlxdsp.info(uri)
    encoding, bits = _ENCODINGS.get(meta.subtype, (meta.subtype, 0))
    if meta.format == "FLAC":
        encoding = "FLAC"
    return AudioMetaData(meta.sample_rate, meta.frames, meta.channels, bits, encoding)


def load(
    uri,
    frame_offset: int = 0,
    num_frames: int = -1,
    normalize: bool = True,
    channels_first: bool = True,
    format: str | None = None,  # noqa: A002
    buffer_size: int = 4096,
    backend=None,
) -> tuple[mx.array, int]:
    """torchaudio.load: ``(waveform float32 [channels, frames], sample_rate)`` from ``frame_offset``,
    ``num_frames`` frames (-1: to the end). ``normalize=False`` (integer samples) is not offered."""
    if not normalize:
        raise mlxdsp.ParameterError(
            f"[{_FN}.load] normalize=False is not supported: samples are always float32 in [-1, 1]"
        )
    if frame_offset < 0 or (num_frames < 0 and num_frames != -1) or num_frames == 0:
        raise mlxdsp.ParameterError(
            f"[{_FN}.load] frame_offset={frame_offset!r} must be >= 0 and "
            f"num_frames={num_frames!r} positive or -1"
        )
    sr = mlxdsp.info(uri).sample_rate if frame_offset or num_frames != -1 else None
    return mlxdsp.load(
        uri,
        offset=frame_offset / sr if frame_offset else 0.0,
        duration=None if num_frames == -1 else num_frames / sr,
        layout="channels_first" if channels_first else "channels_last",
    )


def save(
    uri,
    src,
    sample_rate: int,
    channels_first: bool = True,
    format: str | None = None,  # noqa: A002
    encoding: str | None = None,
    bits_per_sample: int | None = None,
    buffer_size: int = 4096,
    backend=None,
    compression=None,
) -> None:
    """torchaudio.save: the container follows the extension (``format`` must agree with it when given);
    WAV-like files default to 32-bit float as torchaudio does for float32 tensors; ``encoding`` /
    ``bits_per_sample`` pick PCM_S 16/24/32, PCM_U 8, PCM_F 32/64, ULAW, ALAW."""
    ext = os.path.splitext(os.fspath(uri))[1].lower().lstrip(".")
    if format is not None and format.lower() != ext:
        raise mlxdsp.ParameterError(
            f"[{_FN}.save] format={format!r} must match the file extension {ext!r}"
        )
    enc = None
    if encoding is not None or bits_per_sample is not None:
        if encoding is None:
            encoding = "PCM_U" if bits_per_sample == 8 else "PCM_S"
        default_bits = {"PCM_S": 32, "PCM_F": 32, "PCM_U": 8}.get(encoding, 8)  # soundfile backend
        bits = default_bits if bits_per_sample is None else bits_per_sample
        if (encoding, bits) not in _SAVE:
            raise mlxdsp.ParameterError(
                f"[{_FN}.save] encoding={encoding!r} with bits_per_sample={bits!r} is not supported"
            )
        enc = _SAVE[(encoding, bits)]
    mlxdsp.save(
        uri,
        src,
        sample_rate,
        layout="channels_first" if channels_first else "channels_last",
        encoding=enc,
    )


__all__ = ["AudioMetaData", "info", "load", "save"]
