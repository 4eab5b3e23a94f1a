"""Shared option checks of the librosa shim."""

from __future__ import annotations

import numpy as np

import mlxdsp

# librosa res_type -> the mlxdsp method that reproduces it. soxr_hq/soxr_vhq are NOT reproduced sample
# for sample: mlxdsp's "hq" design is a different (stronger) band-limited filter; see resample's doc.
_RES_TYPES = {
    "soxr_hq": "hq",
    "soxr_vhq": "hq",
    "fft": "fft",
    "scipy": "fft",
    "polyphase": "polyphase",
}


def _method(fn: str, res_type: str) -> str:
    if res_type not in _RES_TYPES:
        raise mlxdsp.ParameterError(
            f"[compat.librosa.{fn}] res_type={res_type!r} is not supported "
            f"(use one of {sorted(_RES_TYPES)})"
        )
    return _RES_TYPES[res_type]


def _tuning(fn: str, tuning):
    if tuning is None:
        raise mlxdsp.ParameterError(
            f"[compat.librosa.{fn}] tuning=None (estimation) is not supported: pass tuning=0.0 "
            "or the value of librosa.estimate_tuning"
        )
    return tuning


def _unsupported(fn: str, **options) -> None:
    for name, value in options.items():
        if value is not None:
            raise mlxdsp.ParameterError(
                f"[compat.librosa.{fn}] {name}={value!r} is not supported (use None)"
            )


def _float32_only(fn: str, dtype) -> None:
    if np.dtype(dtype) != np.float32:
        raise mlxdsp.ParameterError(
            f"[compat.librosa.{fn}] dtype={dtype!r} is not supported (use np.float32)"
        )
