"""mu-law companding (torchaudio.functional.mu_law_encoding / mu_law_decoding)."""

from __future__ import annotations

import math

import mlx.core as mx

from . import _checks

__all__ = ["mu_law_decoding", "mu_law_encoding"]


def mu_law_encoding(x: mx.array, *, quantization_channels: int = 256) -> mx.array:
    """Encode a signal in [-1, 1] to integer codes 0..quantization_channels-1 (torchaudio's formula).

    ``code = floor((sign(x) log1p(mu |x|) / log1p(mu) + 1) / 2 * mu + 0.5)`` with ``mu = channels - 1``.

    Returns
    -------
    codes : mx.array [shape=x.shape], int32

    Transforms: compile, vmap (integer output: no gradient).
    """
    fn = "mu_law_encoding"
    x = _checks.real_signal(fn, "x", x).astype(mx.float32)
    mu = float(_checks.positive_int(fn, "quantization_channels", quantization_channels) - 1)
    y = mx.sign(x) * mx.log1p(mu * mx.abs(x)) / math.log1p(mu)
    return mx.floor((y + 1) / 2 * mu + 0.5).astype(mx.int32)


def mu_law_decoding(codes: mx.array, *, quantization_channels: int = 256) -> mx.array:
    """Decode mu-law codes back to [-1, 1] (torchaudio's formula). Float codes are accepted (and
    differentiated), so a model can emit continuous codes.

    Transforms: compile, grad, jvp, vmap.
    """
    fn = "mu_law_decoding"
    codes = _checks.array(fn, "codes", codes)
    mu = float(_checks.positive_int(fn, "quantization_channels", quantization_channels) - 1)
    y = codes.astype(mx.float32) / mu * 2 - 1
    return mx.sign(y) * mx.expm1(mx.abs(y) * math.log1p(mu)) / mu
