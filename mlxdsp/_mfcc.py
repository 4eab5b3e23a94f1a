"""Discrete cosine transforms (SciPy's types 2 and 3) and mel-frequency cepstral coefficients."""

from __future__ import annotations

import functools

import mlx.core as mx
import numpy as np

from . import _checks
from ._db import power_to_db
from ._errors import ParameterError
from ._mel import mel_spectrogram
from ._typing import DctNorm


@functools.lru_cache(maxsize=64)
def dct_matrix_f64(n: int, dct_type: int, norm: str | None, n_out: int) -> np.ndarray:
    """[n_out, n] matrix M with ``y = M @ x`` equal to ``scipy.fft.dct(x, type, norm=norm)[:n_out]``."""
    k = np.arange(n_out)[:, None]
    j = np.arange(n)[None, :]
    if dct_type == 2:
        m = 2.0 * np.cos(np.pi * k * (2 * j + 1) / (2 * n))
        if norm == "ortho":
            m *= np.sqrt(1.0 / (2 * n))
            m[0] /= np.sqrt(2.0)
    else:
        m = 2.0 * np.cos(np.pi * j * (2 * k + 1) / (2 * n))
        m[:, 0] = 1.0
        if norm == "ortho":
            m *= np.sqrt(1.0 / (2 * n))
            m[:, 0] *= np.sqrt(2.0)
    m.setflags(write=False)
    return m


@functools.lru_cache(maxsize=64)
def _dct_matrix_mx(n: int, dct_type: int, norm: str | None, n_out: int) -> mx.array:
    return mx.array(dct_matrix_f64(n, dct_type, norm, n_out).astype(np.float32))


def dct(x, *, type: int = 2, norm: str | None = "ortho", n_out: int | None = None, axis: int = -1):
    """DCT of type 2 or 3 along ``axis``, equal to ``scipy.fft.dct(x, type, axis=axis, norm=norm)``.

    Computed as a product with a cached basis (exact, and the right cost for feature axes of up to a
    few thousand points, which is what cepstra use).

    Parameters
    ----------
    x : mx.array [shape=(..., n, ...)], real floating
    type : {2, 3}
        Type 3 is the inverse of type 2 (exactly, with ``norm="ortho"``).
    norm : {"ortho", None}
        None is SciPy's unnormalised ``"backward"`` convention.
    n_out : int, optional
        Keep the first ``n_out`` coefficients (the others are never computed).
    axis : int

    Returns
    -------
    mx.array, float32, with ``axis`` of length ``n_out`` (default n).

    Transforms: compile, grad, vjp, jvp, vmap.
    """
    fn = "dct"
    x = _checks.real_signal(fn, "x", x)
    _checks.choice(fn, "type", type, (2, 3))
    _checks.optional_choice(fn, "norm", norm, DctNorm)
    if isinstance(axis, bool) or not isinstance(axis, int) or not -x.ndim <= axis < x.ndim:
        raise ParameterError(f"[{fn}] axis={axis!r} is out of range for {x.ndim} dims")
    n = x.shape[axis]
    n_out = n if n_out is None else _checks.positive_int(fn, "n_out", n_out)
    if n_out > n:
        raise ParameterError(f"[{fn}] n_out={n_out} must be <= the axis length {n}")
    basis = _dct_matrix_mx(n, type, norm, n_out)
    x = x.astype(mx.float32)
    axis %= x.ndim
    if axis == x.ndim - 1:
        return x @ mx.swapaxes(basis, 0, 1)
    # basis @ x over axis -2 needs no transposed copies (2x faster than moving the axis last on CPU).
    return mx.moveaxis(basis @ mx.moveaxis(x, axis, -2), -2, axis)


def mfcc(
    x,
    *,
    sr: float,
    n_mfcc: int = 20,
    dct_type: int = 2,
    norm: str | None = "ortho",
    lifter: float = 0.0,
    mel_norm: str | None = "slaney",
    ref=1.0,
    amin: float = 1e-10,
    top_db: float | None = 80.0,
    top_db_scope: str = "global",
    **mel_options,
) -> mx.array:
    """Mel-frequency cepstral coefficients: DCT of the log-power mel spectrogram (librosa's ``mfcc``).

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating
    sr : float
        Sample rate in Hz.
    n_mfcc : int
        Coefficients kept (<= n_mels).
    dct_type : {2, 3}
    norm : {"ortho", None}
        The DCT's normalisation.
    lifter : float >= 0
        Sinusoidal liftering ``1 + lifter/2 * sin(pi * (k + 1) / lifter)``; 0 disables.
    mel_norm : {"slaney", None}
        The mel filterbank's normalisation (librosa's ``mel_norm``; torchaudio's MFCC uses None).
    ref, amin, top_db, top_db_scope
        The dB conversion, as :func:`power_to_db`. torchaudio's ``MFCC`` is ``top_db=80`` with
        ``top_db_scope="per_example"``, ``ref=1``, ``amin=1e-10``.
    **mel_options
        Passed to :func:`mel_spectrogram` (n_fft, hop_length, n_mels, mel_scale, ...).

    Returns
    -------
    mx.array [shape=(..., n_mfcc, n_frames)], float32.

    Transforms: compile, grad, vjp, jvp, vmap.
    """
    fn = "mfcc"
    n_mfcc = _checks.positive_int(fn, "n_mfcc", n_mfcc)
    lifter = _checks.real_number(fn, "lifter", lifter, low=0.0)
    _checks.choice(fn, "dct_type", dct_type, (2, 3))
    S = power_to_db(
        mel_spectrogram(x, sr=sr, norm=mel_norm, **mel_options),
        ref=ref,
        amin=amin,
        top_db=top_db,
        top_db_scope=top_db_scope,
    )
    if n_mfcc > S.shape[-2]:
        raise ParameterError(f"[{fn}] n_mfcc={n_mfcc} must be <= n_mels={S.shape[-2]}")
    M = dct(S, type=dct_type, norm=norm, n_out=n_mfcc, axis=-2)
    if lifter > 0:
        li = 1.0 + (lifter / 2.0) * np.sin(np.pi * np.arange(1, n_mfcc + 1) / lifter)
        M = M * mx.array(li.astype(np.float32)[:, None])
    return M
