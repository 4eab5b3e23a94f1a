"""Decibel conversions with librosa's and torchaudio's ``top_db`` conventions as explicit options."""

from __future__ import annotations

import math

import mlx.core as mx

from . import _checks
from ._spectrum import power_of
from ._typing import TopDbScope


def _reference_db(fn: str, S: mx.array, ref, amin: float, factor: float):
    if callable(ref):
        return factor * mx.log10(mx.maximum(amin, ref(S)))
    ref = _checks.real_number(fn, "ref", ref, low=0.0, low_open=True)
    return factor * math.log10(max(amin, ref))


def _clip_top_db(log_spec: mx.array, top_db: float | None, scope: str) -> mx.array:
    if top_db is None:
        return log_spec
    if scope == "global" or log_spec.ndim <= 3:
        peak = mx.max(log_spec)
    else:
        peak = mx.max(log_spec, axis=(-3, -2, -1), keepdims=True)
    return mx.maximum(log_spec, peak - top_db)


def _options(fn: str, amin, top_db, top_db_scope):
    amin = _checks.real_number(fn, "amin", amin, low=0.0, low_open=True)
    if top_db is not None:
        top_db = _checks.real_number(fn, "top_db", top_db, low=0.0)
    _checks.choice(fn, "top_db_scope", top_db_scope, TopDbScope)
    return amin, top_db


def power_to_db(
    S,
    *,
    ref=1.0,
    amin: float = 1e-10,
    top_db: float | None = 80.0,
    top_db_scope: str = "global",
) -> mx.array:
    """Power to decibels: ``10 log10(max(amin, S)) - 10 log10(max(amin, ref))``, floored at peak - top_db.

    Parameters
    ----------
    S : mx.array [shape=(...)], non-negative real
    ref : float > 0 or callable
        Reference power; a callable (e.g. ``mx.max``) is applied to ``S``.
    amin : float > 0
        Floor before the logarithm.
    top_db : float >= 0 or None
        Clip to ``peak - top_db``; None disables.
    top_db_scope : {"global", "per_example"}
        Where the peak is taken: "global", the whole array (librosa); "per_example", the last three
        axes [channel, freq, time] of each leading index (torchaudio's ``AmplitudeToDB``; arrays of up to
        3 dims are one example).

    Returns
    -------
    mx.array, float32 (shape of ``S``).

    Transforms: compile, grad, vjp, jvp, vmap (under vmap "global" means per mapped example).
    """
    fn = "power_to_db"
    S = _checks.real_signal(fn, "S", S, min_ndim=0)
    amin, top_db = _options(fn, amin, top_db, top_db_scope)
    S = S.astype(mx.float32)
    log_spec = 10.0 * mx.log10(mx.maximum(amin, S)) - _reference_db(fn, S, ref, amin, 10.0)
    return _clip_top_db(log_spec, top_db, top_db_scope)


def amplitude_to_db(
    S,
    *,
    ref=1.0,
    amin: float = 1e-5,
    top_db: float | None = 80.0,
    top_db_scope: str = "global",
) -> mx.array:
    """Amplitude to decibels: ``power_to_db(|S|**2, ref=ref**2, amin=amin**2, top_db=top_db)``.

    Parameters as :func:`power_to_db`, with ``ref`` and ``amin`` in amplitude units; complex ``S`` is
    reduced to its magnitude.

    Transforms: compile, grad, vjp, jvp, vmap.
    """
    fn = "amplitude_to_db"
    S = _checks.array(fn, "S", S, min_ndim=0)
    amin, top_db = _options(fn, amin, top_db, top_db_scope)
    if mx.issubdtype(S.dtype, mx.complexfloating):
        power = power_of(S)  # re*re + im*im: MLX CPU evaluates x ** 2 through pow(), ~40x slower
    else:
        power = mx.square(_checks.real_signal(fn, "S", S, min_ndim=0).astype(mx.float32))
    if callable(ref):

        def ref_power(P):
            return mx.square(ref(mx.sqrt(P)))

    else:
        ref_power = _checks.real_number(fn, "ref", ref, low=0.0, low_open=True) ** 2
    return power_to_db(power, ref=ref_power, amin=amin**2, top_db=top_db, top_db_scope=top_db_scope)


def db_to_power(S_db, *, ref: float = 1.0) -> mx.array:
    """Inverse of :func:`power_to_db` (before clipping): ``ref * 10 ** (S_db / 10)``.

    Transforms: compile, grad, vjp, jvp, vmap.
    """
    fn = "db_to_power"
    S_db = _checks.real_signal(fn, "S_db", S_db, min_ndim=0)
    ref = _checks.real_number(fn, "ref", ref, low=0.0, low_open=True)
    return ref * mx.power(10.0, 0.1 * S_db.astype(mx.float32))


def db_to_amplitude(S_db, *, ref: float = 1.0) -> mx.array:
    """Inverse of :func:`amplitude_to_db` (before clipping): ``ref * 10 ** (S_db / 20)``.

    Transforms: compile, grad, vjp, jvp, vmap.
    """
    fn = "db_to_amplitude"
    S_db = _checks.real_signal(fn, "S_db", S_db, min_ndim=0)
    ref = _checks.real_number(fn, "ref", ref, low=0.0, low_open=True)
    return ref * mx.power(10.0, 0.05 * S_db.astype(mx.float32))
