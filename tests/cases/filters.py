"""Transform-table cases for resampling, filtering and effects (issue 5)."""

from __future__ import annotations

import math

import numpy as np
import scipy.signal as ss

import mlxdsp
from tests.cases import Case

CASES: list[Case] = []
NOT_ARRAY_FUNCTIONS: dict[str, str] = {}


def _sig(n):
    return lambda rng: (rng.standard_normal((3, n)),)


def _poly64(x, up, down):
    return ss.resample_poly(x, up, down, axis=-1)


CASES += [
    Case("resample", lambda x: mlxdsp.resample(x, orig_sr=44100, target_sr=16000), _sig(600), label="hq"),
    Case(
        "resample",
        lambda x: mlxdsp.resample(x, orig_sr=48000, target_sr=44100, method="polyphase"),
        _sig(400),
        ref64=lambda x: _poly64(x, 147, 160),
        label="polyphase",
    ),
    Case(
        "resample",
        lambda x: mlxdsp.resample(x, orig_sr=8000, target_sr=22050, method="sinc_interp_kaiser"),
        _sig(200),
        label="sinc_kaiser",
    ),
    Case(
        "resample",
        lambda x: mlxdsp.resample(x, orig_sr=3, target_sr=2, method="fft"),
        _sig(301),
        ref64=lambda x: ss.resample(x, math.ceil(301 * 2 / 3), axis=-1),
        label="fft",
    ),
]
