"""The exception family: one for bad options and shapes, one for audio files."""

from __future__ import annotations

__all__ = ["AudioFileError", "AudioFileNotFoundError", "ParameterError"]


class ParameterError(ValueError):
    """A bad option or shape, named as ``[function] parameter=value must ...``."""


class AudioFileError(OSError):
    """An audio file could not be read or written; the message names the path."""

    def __init__(self, message: str, path: str | None = None, frames_decoded: int | None = None):
        super().__init__(message)
        self.path = path
        self.frames_decoded = frames_decoded

    def __str__(self) -> str:  # OSError would print errno-style text otherwise
        return self.args[0]


class AudioFileNotFoundError(AudioFileError, FileNotFoundError):
    """The path does not exist."""
