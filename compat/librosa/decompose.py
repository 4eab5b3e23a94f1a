"""librosa.decompose: ``hpss``."""

from __future__ import annotations

import mlxdsp


def hpss(S, *, kernel_size=31, power: float = 2.0, mask: bool = False, margin=1.0):
    """librosa.decompose.hpss: ``(harmonic, percussive)`` of a spectrogram (complex or magnitude)."""
    return mlxdsp.hpss(S, kernel_size=kernel_size, power=power, mask=mask, margin=margin)
