"""String options as ``Literal`` aliases; checked with ``typing.get_args`` in ``_checks``."""

from __future__ import annotations

from typing import Literal

PadMode = Literal["reflect", "constant", "edge"]
MelScale = Literal["slaney", "htk"]
MelNorm = Literal["slaney"]
DctNorm = Literal["ortho"]
TopDbScope = Literal["global", "per_example"]
Layout = Literal["channels_first", "channels_last"]
WindowName = Literal[
    "hann",
    "hamming",
    "blackman",
    "bartlett",
    "boxcar",
    "rectangular",
    "ones",
    "kaiser",
    "tukey",
    "gaussian",
    "cosine",
]

# --- resampling, filtering, effects (issue 5) ---
ResampleMethod = Literal["hq", "sinc_interp_hann", "sinc_interp_kaiser", "polyphase", "fft"]
ConvolveMode = Literal["full", "same", "valid"]
ConvolveMethod = Literal["auto", "direct", "fft"]
PadType = Literal["odd", "even", "constant"]
GriffinLimInit = Literal["random", "zeros"]
