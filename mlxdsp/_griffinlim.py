"""Phase recovery and feature inversion: griffin_lim (fast Griffin-Lim with momentum), mel_to_stft (NNLS),
mel_to_audio, mfcc_to_mel, mfcc_to_audio (librosa.griffinlim / feature.inverse.* conventions)."""

from __future__ import annotations

import functools
import math
import typing

import mlx.core as mx
import numpy as np

from . import _checks, _framing, _parallel
from ._errors import ParameterError
from ._mel import mel_basis_f64
from ._mfcc import dct_matrix_f64
from ._stft import _geometry, _inverse_rfft, istft, stft
from ._typing import GriffinLimInit, MelNorm, MelScale, PadMode
from ._window import analysis_window

__all__ = ["griffin_lim", "mel_to_audio", "mel_to_stft", "mfcc_to_audio", "mfcc_to_mel"]

_TINY = float(np.finfo(np.float32).tiny)


def _initial_spectrum(fn, S, init, key):
    """``S`` times the initial unit phasors (complex products are slow on the CPU: real parts, compiled)."""
    if isinstance(init, mx.array):
        if init.shape != S.shape:
            raise ParameterError(
                f"[{fn}] init.shape={tuple(init.shape)} must equal S.shape={tuple(S.shape)}"
            )
        return _scaled_phasors(S, init.astype(mx.complex64))
    init = _checks.choice(fn, "init", init, GriffinLimInit)
    if init == "zeros":
        return S.astype(mx.complex64)
    return _random_phasors(S, mx.random.uniform(shape=S.shape, key=key))


@mx.compile
def _scaled_phasors(S, phasors):
    return S * mx.real(phasors) + 1j * (S * mx.imag(phasors))


@mx.compile
def _random_phasors(S, u):
    angle = 2 * math.pi * u
    return S * mx.cos(angle) + 1j * (S * mx.sin(angle))


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

    Notes
    -----
    With ``pad_mode="constant"`` (or ``center=False``) and a named or NumPy window, the iterations stay in
    the frame domain: ``stft(istft(X))`` of a frame matrix is an overlap-add, a gain (the inverse window
    envelope, zero outside the kept samples), and a re-framing, so the padded signal is never built. On
    the CPU the frames are split in two halves computed on two streams, which exchange only the
    ``n_fft - hop_length`` samples where their overlap-adds meet. The result is that of the signal-domain
    loop (``stft(istft(X))``, used for other options) to float32 rounding.

    Transforms: compile, grad (S), jvp, vmap (pass ``init`` explicitly under vmap for per-row phases).

    Examples
    --------
    >>> import mlx.core as mx, mlxdsp
    >>> S = mx.abs(mlxdsp.stft(mx.random.normal((8000,)), n_fft=512))
    >>> mlxdsp.griffin_lim(S, n_iter=4, init="zeros").shape
    (7936,)
    """
    fn = "griffin_lim"
    S = _checks.real_signal(fn, "S", S, min_ndim=2).astype(mx.float32)
    n_iter = _checks.nonnegative_int(fn, "n_iter", n_iter)
    momentum = _checks.real_number(fn, "momentum", momentum, low=0.0)
    n_fft = 2 * (S.shape[-2] - 1) if n_fft is None else _checks.positive_int(fn, "n_fft", n_fft)
    geo = dict(
        n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center
    )
    c = momentum / (1 + momentum) if momentum else None
    spec = _initial_spectrum(fn, S, init, key)
    plan = _frame_domain_plan(S, geo, length, pad_mode)
    if plan is not None and n_iter:
        spec = _iterate_frames(spec, S, plan, n_iter, c)
    else:
        prev = None
        for _ in range(n_iter):
            rebuilt = stft(istft(spec, length=length, **geo), pad_mode=pad_mode, **geo)
            spec, prev = _project(rebuilt, prev, S, c), rebuilt
    return istft(spec, length=length, **geo)


@functools.lru_cache(maxsize=16)
def _projection(c: float | None, first: bool):
    """Compiled fast Griffin-Lim update ``S * a / (|a| + tiny)``, ``a = rebuilt - c * prev``, on real and
    imaginary parts (complex arithmetic is slow on the CPU; compiled, the chain is one memory pass)."""

    def project(rebuilt, prev, S):
        re, im = mx.real(rebuilt), mx.imag(rebuilt)
        if prev is not None:
            re, im = re - c * mx.real(prev), im - c * mx.imag(prev)
        scale = S / (mx.sqrt(re * re + im * im) + _TINY)
        return re * scale + 1j * (im * scale)

    if first:
        return mx.compile(lambda rebuilt, S: project(rebuilt, None, S))
    return mx.compile(project)


def _project(rebuilt, prev, S, c):
    if prev is None or c is None:
        return _projection(None, True)(rebuilt, S)
    return _projection(c, False)(rebuilt, prev, S)


class _FramePlan(typing.NamedTuple):
    window: mx.array  # [n_fft]
    gain: mx.array  # [blocks, hop]: inverse envelope, 0 outside the samples istft keeps
    n_fft: int
    hop: int
    blocks_per_frame: int
    halves: bool


# Frames per half below which one stream is faster than two (scheduling, seam copies).
_MIN_HALF_FRAMES = 64


def _frame_domain_plan(S, geo, length, pad_mode) -> _FramePlan | None:
    """The frame-domain operator ``stft(istft(X))`` for these options, or None where it is not that
    simple (reflect/edge padding, array windows, a re-framing that changes the frame count, NOLA
    violations: the signal-domain loop handles, or rejects, those)."""
    try:
        n_fft, hop, win_length = _geometry("griffin_lim", geo["n_fft"], geo["hop_length"],
                                           geo["win_length"])  # fmt: skip
        w, w64 = analysis_window("griffin_lim", geo["window"], win_length, n_fft)
    except ParameterError:
        return None
    center, count = geo["center"], S.shape[-1]
    if w64 is None or not isinstance(center, bool) or (center and pad_mode != "constant"):
        return None
    if not _framing.nola_holds(w64**2, hop) or n_fft % hop or not 1 <= n_fft // hop <= count:
        return None
    start, stop = _framing.istft_trim(count, n_fft, hop, center)
    total = _framing.overlap_add_length(count, n_fft, hop)
    kept = stop - start if length is None else min(length, total - start)
    if length is not None and length > total - start:
        return None  # zero-extended past the frames: the re-framed signal has more frames
    left = _framing.center_padding(n_fft)[0] if center else 0
    if kept + 2 * left < n_fft or 1 + (kept + 2 * left - n_fft) // hop != count:
        return None
    r = n_fft // hop
    gain = _framing.inverse_envelope(w64, hop, count)
    gain[:start] = 0.0
    gain[start + kept :] = 0.0
    halves = _parallel.two_streams_allowed() and r > 1 and count >= 2 * _MIN_HALF_FRAMES
    return _FramePlan(w, mx.array(gain.reshape(-1, hop)), n_fft, hop, r, halves)


def _overlap_add_blocks(rows, window, r, hop):
    """[..., n, r * hop] frames -> [..., n + r - 1, hop] overlap-added blocks (windowed first): block b is
    the sum over k of block k of frame b - k. Strided slices and adds: one pass when compiled."""
    n = rows.shape[-2]
    p = (rows * window).reshape(*rows.shape[:-1], r, hop)
    if r == 1:
        return p[..., 0, :]

    def block(t, k):
        return p[..., t : t + 1, k, :]

    interior = p[..., r - 1 :, 0, :]
    for k in range(1, r):
        interior = interior + p[..., r - 1 - k : n - k, k, :]
    head = [sum(block(b - k, k) for k in range(1, b + 1)) + block(b, 0) for b in range(r - 1)]
    tail = [sum(block(n + i - k, k) for k in range(i + 1, r)) for i in range(r - 1)]
    return mx.concatenate([*head, interior, *tail], axis=-2)


def _reframe(y, gain, window, n):
    """[..., n + r - 1, hop] blocks times the gain -> [..., n, r * hop] windowed frames."""
    r = y.shape[-2] - n + 1
    y = y * gain
    rows = y[..., :n, :] if r == 1 else mx.concatenate([y[..., j : j + n, :] for j in range(r)], -1)
    return rows * window


@functools.lru_cache(maxsize=16)
def _round_trip(r: int, hop: int, part: str):
    """Compiled frame-domain ``stft(istft(.))`` between the two FFTs. ``part="whole"``: inverse-FFT rows
    -> re-framed windowed rows. Halves: ``"blocks"`` (rows -> overlap-added blocks), then ``"first"`` /
    ``"second"`` (own blocks + the neighbour's r - 1 seam blocks -> rows)."""
    if part == "whole":

        def whole(rows, window, gain):
            y = _overlap_add_blocks(rows, window, r, hop)
            return _reframe(y, gain, window, rows.shape[-2])

        return mx.compile(whole)
    if part == "blocks":
        return mx.compile(lambda rows, window: _overlap_add_blocks(rows, window, r, hop))

    def half(blocks, seam, gain, window):
        n = blocks.shape[-2] - (r - 1)
        if part == "first":  # the second half's first blocks overlap this half's last ones
            y = mx.concatenate([blocks[..., :n, :], blocks[..., n:, :] + seam], axis=-2)
        else:
            y = mx.concatenate([blocks[..., : r - 1, :] + seam, blocks[..., r - 1 :, :]], axis=-2)
        return _reframe(y, gain, window, n)

    return mx.compile(half)


def _iterate_frames(spec, S, plan, n_iter, c):
    """The Griffin-Lim loop on frame-major spectra [..., frames, n_freq] (see griffin_lim's Notes)."""
    n_fft, hop, r, w = plan.n_fft, plan.hop, plan.blocks_per_frame, plan.window
    St = mx.contiguous(mx.swapaxes(S, -1, -2))
    X = mx.contiguous(mx.swapaxes(spec, -1, -2))
    if not plan.halves:
        whole, prev = _round_trip(r, hop, "whole"), None
        for _ in range(n_iter):
            rebuilt = mx.fft.rfft(whole(_inverse_rfft(X, n_fft), w, plan.gain), axis=-1)
            X, prev = _project(rebuilt, prev, St, c), rebuilt
        return mx.swapaxes(X, -1, -2)
    count = St.shape[-2]
    h = count // 2
    bounds = ((0, h), (h, count))
    streams = (mx.default_stream(mx.cpu), _parallel.second_stream())
    parts = [_round_trip(r, hop, "first"), _round_trip(r, hop, "second")]
    blocks_of = _round_trip(r, hop, "blocks")
    Xs = [X[..., a:b, :] for a, b in bounds]
    Ss = [St[..., a:b, :] for a, b in bounds]
    gains = [plan.gain[a : b + r - 1] for a, b in bounds]
    prevs = [None, None]
    for _ in range(n_iter):
        blocks = []
        for i in range(2):
            with mx.stream(streams[i]):
                blocks.append(blocks_of(_inverse_rfft(Xs[i], n_fft), w))
        seams = (blocks[1][..., : r - 1, :], blocks[0][..., -(r - 1) :, :])
        for i in range(2):
            with mx.stream(streams[i]):
                rebuilt = mx.fft.rfft(parts[i](blocks[i], seams[i], gains[i], w), axis=-1)
                Xs[i], prevs[i] = _project(rebuilt, prevs[i], Ss[i], c), rebuilt
    return mx.swapaxes(mx.concatenate(Xs, axis=-2), -1, -2)


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
