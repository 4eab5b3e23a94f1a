"""Phase recovery and feature inversion: griffin_lim (fast Griffin-Lim with momentum), mel_to_stft (NNLS),
mel_to_audio, mfcc_to_mel, mfcc_to_audio (librosa.griffinlim / feature.inverse.* conventions)."""

from __future__ import annotations

import functools
import math

import mlx.core as mx
import numpy as np

from . import _checks
from ._errors import ParameterError
from ._mel import mel_basis_f64
from ._mfcc import dct_matrix_f64
from ._stft import istft, stft
from ._typing import GriffinLimInit, MelNorm, MelScale, PadMode

__all__ = ["griffin_lim", "mel_to_audio", "mel_to_stft", "mfcc_to_audio", "mfcc_to_mel"]

_TINY = float(np.finfo(np.float32).tiny)


def _initial_phase(fn, S, init, key):
    if isinstance(init, mx.array):
        if init.shape != S.shape:
            raise ParameterError(
                f"[{fn}] init.shape={tuple(init.shape)} must equal S.shape={tuple(S.shape)}"
            )
        return init.astype(mx.complex64)
    init = _checks.choice(fn, "init", init, GriffinLimInit)
    if init == "zeros":
        return mx.ones(S.shape, dtype=mx.complex64)
    u = mx.random.uniform(shape=S.shape, key=key)
    return mx.cos(2 * math.pi * u) + 1j * mx.sin(2 * math.pi * u)


def griffin_lim(
    S: mx.array,
    *,
    n_iter: int = 32,
    hop_length: int | None = None,
    win_length: int | None = None,
    n_fft: int | None = None,
    window="hann",
    center: bool = True,
    length: int | None = None,
    pad_mode: PadMode = "constant",
    momentum: float = 0.99,
    init: GriffinLimInit | mx.array = "random",
    key: mx.array | None = None,
) -> mx.array:
    """Signal whose STFT magnitude approximates ``S`` (fast Griffin-Lim, librosa.griffinlim).

    Parameters
    ----------
    S : mx.array [shape=(..., n_freq, n_frames)], real, non-negative magnitudes
    n_iter : int
    hop_length, win_length, n_fft, window, center, pad_mode
        STFT geometry (librosa defaults: ``n_fft = 2 (n_freq - 1)``, ``pad_mode="constant"``).
    length : int, optional
        Output length (also used by the inner inverse STFTs, as librosa does).
    momentum : float >= 0
        Fast Griffin-Lim momentum (0 gives the original algorithm).
    init : {"random", "zeros"} or mx.array complex64 [shape=S.shape]
        Initial phases: uniform random (from ``key``), all zero, or given unit phasors.
    key : mx.array, optional
        ``mx.random.key`` for ``init="random"``.

    Returns
    -------
    y : mx.array [shape=(..., n)], float32

    Transforms: compile, grad (S), jvp, vmap (pass ``init`` explicitly under vmap for per-row phases).
    """
    fn = "griffin_lim"
    S = _checks.real_signal(fn, "S", S, min_ndim=2).astype(mx.float32)
    n_iter = _checks.nonnegative_int(fn, "n_iter", n_iter)
    momentum = _checks.real_number(fn, "momentum", momentum, low=0.0)
    n_fft = 2 * (S.shape[-2] - 1) if n_fft is None else _checks.positive_int(fn, "n_fft", n_fft)
    angles = _initial_phase(fn, S, init, key)
    geo = dict(
        n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center
    )
    c = momentum / (1 + momentum)
    # Complex elementwise arithmetic is slow on CPU: momentum and normalisation run on real/imag parts,
    # and one complex value per iteration is assembled for the inverse STFT.
    spec = S * angles
    prev_re = prev_im = None
    for _ in range(n_iter):
        rebuilt = stft(istft(spec, length=length, **geo), pad_mode=pad_mode, **geo)
        re, im = mx.real(rebuilt), mx.imag(rebuilt)
        a_re, a_im = re, im
        if momentum and prev_re is not None:
            a_re, a_im = re - c * prev_re, im - c * prev_im
        prev_re, prev_im = re, im
        scale = S / (mx.sqrt(a_re * a_re + a_im * a_im) + _TINY)
        spec = a_re * scale + 1j * (a_im * scale)
    return istft(spec, length=length, **geo)


@functools.lru_cache(maxsize=16)
def _nnls_operators(sr, n_fft, n_mels, fmin, fmax, mel_scale, norm):
    basis = mel_basis_f64(sr, n_fft, n_mels, fmin, fmax, mel_scale, norm)
    pinv = np.linalg.pinv(basis)
    lipschitz = np.linalg.norm(basis, 2) ** 2
    return (
        mx.array(basis.astype(np.float32)),
        mx.array(basis.T.astype(np.float32)),
        mx.array(pinv.astype(np.float32)),
        float(1.0 / lipschitz),
    )


def mel_to_stft(
    M: mx.array,
    *,
    sr: float,
    n_fft: int = 2048,
    power: float = 2.0,
    n_mels: int | None = None,
    fmin: float = 0.0,
    fmax: float | None = None,
    mel_scale: str = "slaney",
    norm: str | None = "slaney",
    nnls_iter: int = 100,
) -> mx.array:
    """Approximate STFT magnitude from a mel spectrogram (librosa.feature.inverse.mel_to_stft).

    Non-negative least squares ``min ||B X - M||, X >= 0`` for the mel basis ``B``, started (like librosa) at
    the clipped pseudo-inverse and refined by ``nnls_iter`` accelerated projected-gradient (FISTA) steps (librosa runs L-BFGS-B;
    the problem is under-determined, so the two reach nearby but not identical minimisers). Returns
    ``X ** (1 / power)``.

    Parameters
    ----------
    M : mx.array [shape=(..., n_mels, n_frames)], non-negative
    sr, n_fft, fmin, fmax, mel_scale, norm : as in :func:`mel_filterbank`; ``n_mels`` from ``M``.

    Returns
    -------
    mx.array [shape=(..., n_fft // 2 + 1, n_frames)], float32

    Transforms: compile, grad, jvp, vmap.
    """
    fn = "mel_to_stft"
    M = _checks.real_signal(fn, "M", M, min_ndim=2).astype(mx.float32)
    sr = _checks.positive_number(fn, "sr", sr)
    n_fft = _checks.positive_int(fn, "n_fft", n_fft)
    power = _checks.positive_number(fn, "power", power)
    nnls_iter = _checks.nonnegative_int(fn, "nnls_iter", nnls_iter)
    n_mels = M.shape[-2] if n_mels is None else _checks.positive_int(fn, "n_mels", n_mels)
    if n_mels != M.shape[-2]:
        raise ParameterError(f"[{fn}] n_mels={n_mels} must equal M.shape[-2]={M.shape[-2]}")
    fmax = sr / 2 if fmax is None else _checks.positive_number(fn, "fmax", fmax)
    mel_scale = _checks.choice(fn, "mel_scale", mel_scale, MelScale)
    norm = _checks.optional_choice(fn, "norm", norm, MelNorm)
    basis, basis_t, pinv, step = _nnls_operators(
        sr, n_fft, n_mels, float(fmin), float(fmax), mel_scale, norm
    )
    X = mx.maximum(pinv @ M, 0.0)
    Y, t = X, 1.0
    for _ in range(nnls_iter):  # FISTA: projected gradient with Nesterov momentum
        X_next = mx.maximum(Y - step * (basis_t @ (basis @ Y - M)), 0.0)
        t_next = (1 + math.sqrt(1 + 4 * t * t)) / 2
        Y = X_next + ((t - 1) / t_next) * (X_next - X)
        X, t = X_next, t_next
    return X if power == 1.0 else mx.power(X, 1.0 / power)


def mel_to_audio(
    M: mx.array,
    *,
    sr: float,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    power: float = 2.0,
    n_iter: int = 32,
    length: int | None = None,
    momentum: float = 0.99,
    init: GriffinLimInit | mx.array = "random",
    key: mx.array | None = None,
    fmin: float = 0.0,
    fmax: float | None = None,
    mel_scale: str = "slaney",
    norm: str | None = "slaney",
    nnls_iter: int = 100,
) -> mx.array:
    """Invert a mel spectrogram to audio: :func:`mel_to_stft` then :func:`griffin_lim`
    (librosa.feature.inverse.mel_to_audio).

    Transforms: compile, grad, jvp, vmap.
    """
    S = mel_to_stft(
        M,
        sr=sr,
        n_fft=n_fft,
        power=power,
        fmin=fmin,
        fmax=fmax,
        mel_scale=mel_scale,
        norm=norm,
        nnls_iter=nnls_iter,
    )
    return griffin_lim(
        S,
        n_iter=n_iter,
        hop_length=hop_length,
        win_length=win_length,
        n_fft=n_fft,
        window=window,
        center=center,
        length=length,
        pad_mode=pad_mode,
        momentum=momentum,
        init=init,
        key=key,
    )


def mfcc_to_mel(
    mfcc: mx.array,
    *,
    n_mels: int = 128,
    dct_type: int = 2,
    norm: str = "ortho",
    ref: float = 1.0,
    lifter: float = 0,
) -> mx.array:
    """Mel power spectrogram from MFCCs (librosa.feature.inverse.mfcc_to_mel): undo the lifter, inverse
    orthonormal DCT-II zero-padded to ``n_mels``, ``db_to_power``.

    Transforms: compile, grad, jvp, vmap.
    """
    fn = "mfcc_to_mel"
    mfcc = _checks.real_signal(fn, "mfcc", mfcc, min_ndim=2).astype(mx.float32)
    n_mels = _checks.positive_int(fn, "n_mels", n_mels)
    if dct_type != 2 or norm != "ortho":
        raise ParameterError(
            f"[{fn}] dct_type={dct_type!r}, norm={norm!r}: only dct_type=2, norm='ortho' is inverted"
        )
    ref = _checks.positive_number(fn, "ref", ref)
    lifter = _checks.real_number(fn, "lifter", lifter, low=0.0)
    n_mfcc = mfcc.shape[-2]
    if n_mfcc > n_mels:
        raise ParameterError(f"[{fn}] mfcc.shape[-2]={n_mfcc} must be <= n_mels={n_mels}")
    if lifter > 0:
        idx = np.arange(1, 1 + n_mfcc)
        sine = 1 + lifter * 0.5 * np.sin(np.pi * idx / lifter)
        mfcc = mfcc / mx.array(sine.astype(np.float32))[:, None]
    inv = mx.array(
        dct_matrix_f64(n_mels, 2, "ortho", n_mfcc).T.astype(np.float32)
    )  # [n_mels, n_mfcc]
    logmel = inv @ mfcc
    return ref * mx.power(10.0, 0.1 * logmel)


def mfcc_to_audio(
    mfcc: mx.array,
    *,
    sr: float,
    n_mels: int = 128,
    dct_type: int = 2,
    norm: str = "ortho",
    ref: float = 1.0,
    lifter: float = 0,
    **kwargs,
) -> mx.array:
    """Audio from MFCCs: :func:`mfcc_to_mel` then :func:`mel_to_audio` (keyword options pass through;
    librosa.feature.inverse.mfcc_to_audio).

    Transforms: compile, grad, jvp, vmap.
    """
    mel = mfcc_to_mel(mfcc, n_mels=n_mels, dct_type=dct_type, norm=norm, ref=ref, lifter=lifter)
    return mel_to_audio(mel, sr=sr, **kwargs)
