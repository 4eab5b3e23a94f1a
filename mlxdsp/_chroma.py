"""Chroma features from a short-time Fourier transform (librosa 0.11's ``feature.chroma_stft``)."""

from __future__ import annotations

import functools
import math

import mlx.core as mx
import numpy as np

from . import _checks
from ._cqt_filters import C1_HZ
from ._errors import ParameterError
from ._frame_pieces import frames_in_pieces, reduced_spectrogram_in_pieces
from ._spectrum import magnitude_from_power, power_of
from ._window import _parse as _window_parse
from ._window import window_f64

_TINY32 = float(np.finfo(np.float32).tiny)


@functools.lru_cache(maxsize=64)
def _chroma_basis_f64(
    sr: float,
    n_fft: int,
    n_chroma: int,
    tuning: float,
    ctroct: float,
    octwidth: float | None,
    base_c: bool,
) -> np.ndarray:
    """[n_chroma, n_fft // 2 + 1] Gaussian chroma filters: librosa.filters.chroma's arithmetic, float64."""
    frequencies = np.linspace(0, sr, n_fft, endpoint=False)[1:]
    a440 = 440.0 * 2.0 ** (tuning / n_chroma)
    frqbins = n_chroma * np.log2(frequencies / (a440 / 16))
    # The 0 Hz bin: 1.5 octaves below bin 1 (so chroma is 50% rotated from bin 1, and broad).
    frqbins = np.concatenate(([frqbins[0] - 1.5 * n_chroma], frqbins))
    binwidthbins = np.concatenate((np.maximum(frqbins[1:] - frqbins[:-1], 1.0), [1]))
    D = np.subtract.outer(frqbins, np.arange(0, n_chroma, dtype="d")).T
    n_chroma2 = np.round(float(n_chroma) / 2)
    D = np.remainder(D + n_chroma2 + 10 * n_chroma, n_chroma) - n_chroma2
    wts = np.exp(-0.5 * (2 * D / np.tile(binwidthbins, (n_chroma, 1))) ** 2)
    # Unit L2 norm per column (librosa.util.normalize, norm=2: columns below tiny left alone).
    length = np.sqrt(np.sum(wts**2, axis=0, keepdims=True))
    wts = wts / np.where(length < np.finfo(np.float64).tiny, 1.0, length)
    if octwidth is not None:
        wts *= np.exp(-0.5 * (((frqbins / n_chroma - ctroct) / octwidth) ** 2))[None, :]
    if base_c:
        wts = np.roll(wts, -3 * (n_chroma // 12), axis=0)
    return np.ascontiguousarray(wts[:, : int(1 + n_fft / 2)])


@functools.lru_cache(maxsize=64)
def _chroma_basis_mx(*args) -> mx.array:
    """[n_fft // 2 + 1, n_chroma] (transposed, contiguous: it multiplies the frame-major spectrogram
    from the right). float32, as librosa's chroma_stft builds its filterbank (filters.chroma's default
    dtype)."""
    return mx.array(np.ascontiguousarray(_chroma_basis_f64(*args).T).astype(np.float32))


def _normalize(C: mx.array, norm) -> mx.array:
    """librosa.util.normalize(C, norm=norm, axis=-2) for non-negative C (small columns left alone)."""
    if norm is None:
        return C
    if norm == math.inf:
        length = mx.max(C, axis=-2, keepdims=True)
    elif norm == 1:
        length = mx.sum(C, axis=-2, keepdims=True)
    elif norm == 2:
        squares = mx.sum(C * C, axis=-2, keepdims=True)
        positive = squares > 0
        length = mx.where(positive, mx.sqrt(mx.where(positive, squares, 1.0)), 0.0)
    else:
        total = mx.sum(mx.power(C, norm), axis=-2, keepdims=True)
        positive = total > 0
        length = mx.where(positive, mx.power(mx.where(positive, total, 1.0), 1.0 / norm), 0.0)
    return C / mx.where(length < _TINY32, 1.0, length)


def chroma_stft(
    x=None,
    *,
    sr: float = 22050,
    S=None,
    norm: float | None = math.inf,
    n_fft: int = 2048,
    hop_length: int | None = 512,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
    tuning: float = 0.0,
    n_chroma: int = 12,
    ctroct: float = 5.0,
    octwidth: float | None = 2.0,
    base_c: bool = True,
) -> mx.array:
    """Chromagram: the power spectrogram projected onto ``n_chroma`` pitch classes (librosa's chroma_stft).

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating, optional
        Waveform; its power spectrogram (``power=2``) is used.
    sr : float
        Sample rate (Hz).
    S : mx.array [shape=(..., n_fft // 2 + 1, n_frames)], optional
        Power spectrogram instead of ``x``; ``n_fft`` is then ``2 * (S.shape[-2] - 1)``.
    norm : float > 0 or None
        Per-frame normalization of the chroma vector (``math.inf``: max = 1, librosa's default; 1, 2, any
        p > 0; None: raw). Frames whose norm is below float32's tiny are left as they are.
    n_fft, hop_length, win_length, window, center, pad_mode
        As :func:`stft`, with librosa's defaults: ``hop_length=512`` and ``pad_mode="constant"``.
    tuning : float
        Deviation from A440 in fractions of a chroma bin. Default 0.0. librosa's default ``tuning=None``
        estimates it from the data (``librosa.estimate_tuning``, a pitch tracker): that looks at array
        values and cannot trace, so here it is an explicit number; pass librosa's estimate to match it.
    n_chroma : int
        Pitch classes per octave.
    ctroct, octwidth : float
        Gaussian weighting over octaves: centre ``ctroct`` (octaves above A0 = 27.5 Hz), half-width
        ``octwidth``; ``octwidth=None`` weights all octaves equally (librosa.filters.chroma).
    base_c : bool
        Start the chroma axis at C (True, librosa's default) rather than A.

    Returns
    -------
    mx.array [shape=(..., n_chroma, n_frames)], float32.

    Transforms: compile, grad, vjp, jvp, vmap.
    """
    fn = "chroma_stft"
    sr = _checks.positive_number(fn, "sr", sr)
    tuning = _checks.real_number(fn, "tuning", tuning)
    n_chroma = _checks.positive_int(fn, "n_chroma", n_chroma)
    ctroct = _checks.real_number(fn, "ctroct", ctroct)
    if octwidth is not None:
        octwidth = _checks.positive_number(fn, "octwidth", octwidth)
    base_c = _checks.boolean(fn, "base_c", base_c)
    if norm is not None:
        norm = _checks.positive_number(fn, "norm", norm)
    if S is not None:
        if x is not None:
            raise ParameterError(f"[{fn}] pass either a waveform x or a spectrogram S=, not both")
        S = _checks.real_signal(fn, "S", S, min_ndim=2).astype(mx.float32)
        n_fft = 2 * (S.shape[-2] - 1)
        if n_fft < 2:
            raise ParameterError(f"[{fn}] S.shape[-2]={S.shape[-2]} must be at least 2")
    elif x is None:
        raise ParameterError(f"[{fn}] pass a waveform x or a spectrogram S=")
    else:
        x = _checks.real_signal(fn, "x", x)
        n_fft = _checks.positive_int(fn, "n_fft", n_fft)
    basis = _chroma_basis_mx(sr, n_fft, n_chroma, tuning, ctroct, octwidth, base_c)

    def project(P: mx.array) -> mx.array:
        # [frames, bins] @ [bins, n_chroma] on the storage order of a spectrogram made here (stft is a
        # transposed view of frame-major rows): 2.5x faster than basis @ S with reference BLAS at 180 s.
        return mx.swapaxes(mx.swapaxes(P, -1, -2) @ basis, -1, -2)

    if S is not None:
        return _normalize(frames_in_pieces(S, project), norm)
    chroma = reduced_spectrogram_in_pieces(
        x, project, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
        center=center, pad_mode=pad_mode, power=2.0,
    )  # fmt: skip
    return _normalize(chroma, norm)


# --- constant-Q chroma -------------------------------------------------------------------------------

_CQT_MODES = ("full", "hybrid")
# chroma_cens: Müller & Ewert's log-like quantization thresholds, each worth 1/4.
_QUANT_STEPS = (0.4, 0.2, 0.1, 0.05)


def _cq_roll(bins_per_octave: int, n_chroma: int, fmin: float | None, base_c: bool) -> int:
    """Rotation (in chroma bins) that puts C (or A) first: librosa.filters.cq_to_chroma's arithmetic."""
    fmin = C1_HZ if fmin is None else fmin
    midi_0 = np.mod(12 * (np.log2(fmin) - np.log2(440.0)) + 69, 12)
    roll = midi_0 if base_c else midi_0 - 9
    return int(np.round(roll * (n_chroma / 12.0)))


@functools.lru_cache(maxsize=64)
def _cq_to_chroma_f64(
    n_input: int,
    bins_per_octave: int,
    n_chroma: int,
    fmin: float | None,
    window: tuple | None,
    base_c: bool,
) -> np.ndarray:
    """[n_chroma, n_input] map from constant-Q bins to pitch classes (librosa.filters.cq_to_chroma)."""
    n_merge = bins_per_octave // n_chroma
    basis = np.repeat(np.eye(n_chroma), n_merge, axis=1)
    # Centre each pitch class on its bin: with 3 bins per semitone the middle one is the in-tune bin.
    basis = np.roll(basis, -(n_merge // 2), axis=1)
    basis = np.tile(basis, -(-n_input // bins_per_octave))[:, :n_input]
    basis = np.roll(basis, _cq_roll(bins_per_octave, n_chroma, fmin, base_c), axis=0)
    if window is not None:
        # scipy.signal.convolve(basis, window[None, :], mode="same"): full convolution along the bins,
        # centred slice (zero beyond the first and last bin, not circular).
        w = np.asarray(window, dtype=np.float64)
        full = np.stack([np.convolve(row, w) for row in basis])
        start = (len(w) - 1) // 2
        basis = full[:, start : start + n_input]
    return np.ascontiguousarray(basis)


@functools.lru_cache(maxsize=64)
def _cq_to_chroma_mx(*args) -> mx.array:
    return mx.array(_cq_to_chroma_f64(*args).astype(np.float32))


def _check_bins_per_octave(fn: str, bins_per_octave, n_chroma: int) -> int:
    if bins_per_octave is None:
        return n_chroma
    bins_per_octave = _checks.positive_int(fn, "bins_per_octave", bins_per_octave)
    if bins_per_octave % n_chroma:
        raise ParameterError(
            f"[{fn}] bins_per_octave={bins_per_octave} must be an integer multiple of "
            f"n_chroma={n_chroma}"
        )
    return bins_per_octave


def _check_fmin(fn: str, fmin) -> float | None:
    return None if fmin is None else _checks.positive_number(fn, "fmin", fmin)


def _check_cq_window(fn: str, window) -> tuple | None:
    """``window`` folds into the constant basis: a 1-D NumPy array, list or tuple of finite numbers."""
    if window is None:
        return None
    bad = ParameterError(
        f"[{fn}] window must be None or a non-empty 1-D NumPy array, list or tuple of finite numbers "
        f"(got {type(window).__name__})"
    )
    if isinstance(window, mx.array):
        raise bad  # a traced array cannot key a cached constant basis
    try:
        w = np.asarray(window, dtype=np.float64)
    except (TypeError, ValueError):
        raise bad from None
    if w.ndim != 1 or w.size == 0 or not np.all(np.isfinite(w)):
        raise bad
    return tuple(float(v) for v in w)


def cq_to_chroma(
    n_input: int,
    *,
    bins_per_octave: int = 12,
    n_chroma: int = 12,
    fmin: float | None = None,
    window=None,
    base_c: bool = True,
) -> mx.array:
    """The [n_chroma, n_input] matrix that folds constant-Q bins onto pitch classes.

    ``chroma = cq_to_chroma(...) @ C`` (librosa.filters.cq_to_chroma). Each octave's ``bins_per_octave``
    bins are split into ``n_chroma`` groups of ``bins_per_octave // n_chroma`` adjacent bins, centred on
    the in-tune bin, and the groups of every octave are summed.

    Parameters
    ----------
    n_input : int
        Number of constant-Q bins.
    bins_per_octave : int
        Constant-Q bins per octave; an integer multiple of ``n_chroma``.
    n_chroma : int
        Pitch classes.
    fmin : float > 0 or None
        Centre frequency (Hz) of the first constant-Q bin; None means C1 (32.70 Hz), as librosa.
    window : 1-D NumPy array, list or tuple, or None
        If given, every row of the matrix is convolved with it along the bins ("same" size, zero beyond
        the ends), as librosa does.
    base_c : bool
        Start the chroma axis at C (True) rather than A.

    Returns
    -------
    mx.array [shape=(n_chroma, n_input)], float32. Designed in float64 and rounded once.

    Transforms: none apply (no array inputs); the result is a constant.

    Examples
    --------
    >>> import mlxdsp
    >>> mlxdsp.cq_to_chroma(24, bins_per_octave=24).shape
    (12, 24)
    """
    fn = "cq_to_chroma"
    n_input = _checks.positive_int(fn, "n_input", n_input)
    n_chroma = _checks.positive_int(fn, "n_chroma", n_chroma)
    bins_per_octave = _check_bins_per_octave(fn, bins_per_octave, n_chroma)
    fmin = _check_fmin(fn, fmin)
    window = _check_cq_window(fn, window)
    base_c = _checks.boolean(fn, "base_c", base_c)
    return _cq_to_chroma_mx(n_input, bins_per_octave, n_chroma, fmin, window, base_c)


def _fold_octaves(C: mx.array, bins_per_octave: int, n_chroma: int, roll: int) -> mx.array:
    """cq_to_chroma(window=None) @ C as sums of slices (on CPU, 252 bins x 1292 frames: 0.22 ms, against
    0.46 ms padding C to whole octaves and reshaping, 3.0 ms for the dense matmul).

    Bin f belongs to pitch class ((f + s) // m + roll) mod n_chroma, with m = bins_per_octave //
    n_chroma bins per class and the shift s = m // 2 that centres each class on its in-tune bin. Counting
    octaves from the first whole group (bin a = (m - s) % m), the bins a + o * bins_per_octave + p of all
    octaves o share a class: sum those octave slices (the bins before a are the end of octave -1, the
    last partial octave its start), then the m neighbouring bins of each class, then rotate.
    """
    n_input = C.shape[-2]
    n_merge = bins_per_octave // n_chroma
    shift = n_merge // 2
    start = (n_merge - shift) % n_merge
    n_whole = max(n_input - start, 0) // bins_per_octave
    end = start + n_whole * bins_per_octave
    lead = [(0, 0)] * (C.ndim - 2)
    parts = [
        C[..., start + o * bins_per_octave : start + (o + 1) * bins_per_octave, :]
        for o in range(n_whole)
    ]
    if end < n_input:  # the last, partial octave: its first bins
        parts.append(
            mx.pad(C[..., end:, :], lead + [(0, bins_per_octave - (n_input - end)), (0, 0)])
        )
    if start:  # the bins before the first whole group: the last ones of octave -1
        head = C[..., : min(start, n_input), :]
        parts.append(
            mx.pad(head, lead + [(bins_per_octave - start, start - head.shape[-2]), (0, 0)])
        )
    octave = parts[0]
    for part in parts[1:]:
        octave = octave + part
    if n_merge > 1:
        octave = mx.sum(
            octave.reshape(*octave.shape[:-2], n_chroma, n_merge, octave.shape[-1]), axis=-2
        )
    # Counting from bin `start` puts the class of bin 0 one step back when the groups are shifted.
    roll = (roll + (1 if shift else 0)) % n_chroma
    return mx.roll(octave, roll, axis=-2) if roll else octave


def _cq_magnitude(fn, x, C, *, sr, hop_length, fmin, tuning, n_octaves, bins_per_octave, cqt_mode):
    """C as given (float32), or |cqt(x)| / hybrid_cqt(x) with n_octaves * bins_per_octave bins."""
    if C is not None:
        if x is not None:
            raise ParameterError(
                f"[{fn}] pass either a waveform x or a constant-Q spectrogram C=, not both"
            )
        return _checks.real_signal(fn, "C", C, min_ndim=2).astype(mx.float32)
    if x is None:
        raise ParameterError(f"[{fn}] pass a waveform x or a constant-Q spectrogram C=")
    opts = dict(
        sr=sr,
        hop_length=hop_length,
        fmin=fmin,
        n_bins=n_octaves * bins_per_octave,
        bins_per_octave=bins_per_octave,
        tuning=tuning,
    )
    # The constant-Q transforms are imported here, where they are needed (the C= path never is).
    if cqt_mode == "hybrid":
        from ._cqt import hybrid_cqt

        return hybrid_cqt(x, **opts)
    from ._cqt import cqt

    return magnitude_from_power(power_of(cqt(x, **opts)))


def _chroma_cqt(
    fn,
    x,
    C,
    *,
    sr,
    hop_length,
    fmin,
    threshold,
    tuning,
    n_chroma,
    n_octaves,
    window,
    bins_per_octave,
    cqt_mode,
):
    """Validated chroma_cqt without the final normalization (shared by chroma_cqt and chroma_cens)."""
    sr = _checks.positive_number(fn, "sr", sr)
    hop_length = _checks.positive_int(fn, "hop_length", hop_length)
    fmin = _check_fmin(fn, fmin)
    if threshold is not None:
        threshold = _checks.real_number(fn, "threshold", threshold)
    tuning = _checks.real_number(fn, "tuning", tuning)
    n_chroma = _checks.positive_int(fn, "n_chroma", n_chroma)
    n_octaves = _checks.positive_int(fn, "n_octaves", n_octaves)
    window = _check_cq_window(fn, window)
    bins_per_octave = _check_bins_per_octave(fn, bins_per_octave, n_chroma)
    cqt_mode = _checks.choice(fn, "cqt_mode", cqt_mode, _CQT_MODES)
    C = _cq_magnitude(
        fn,
        x,
        C,
        sr=sr,
        hop_length=hop_length,
        fmin=fmin,
        tuning=tuning,
        n_octaves=n_octaves,
        bins_per_octave=bins_per_octave,
        cqt_mode=cqt_mode,
    )
    if window is None:
        roll = _cq_roll(bins_per_octave, n_chroma, fmin, True)
        chroma = _fold_octaves(C, bins_per_octave, n_chroma, roll)
    else:
        chroma = _cq_to_chroma_mx(C.shape[-2], bins_per_octave, n_chroma, fmin, window, True) @ C
    if threshold is not None:
        chroma = mx.where(chroma < threshold, 0.0, chroma)
    return chroma


def chroma_cqt(
    x=None,
    *,
    sr: float = 22050,
    C=None,
    hop_length: int = 512,
    fmin: float | None = None,
    norm: float | None = math.inf,
    threshold: float | None = 0.0,
    tuning: float = 0.0,
    n_chroma: int = 12,
    n_octaves: int = 7,
    window=None,
    bins_per_octave: int | None = 36,
    cqt_mode: str = "full",
) -> mx.array:
    """Constant-Q chromagram: constant-Q magnitudes folded onto ``n_chroma`` pitch classes (librosa's
    ``feature.chroma_cqt``).

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating, optional
        Waveform; ``|cqt(x)|`` (or ``hybrid_cqt(x)``) with ``n_octaves * bins_per_octave`` bins is used.
    sr : float
        Sample rate (Hz).
    C : mx.array [shape=(..., n_bins, n_frames)], optional
        Non-negative constant-Q magnitudes instead of ``x`` (any number of bins; the first is at ``fmin``).
    hop_length : int
        Samples between frames (waveform input).
    fmin : float > 0 or None
        Frequency (Hz) of the first constant-Q bin; None means C1 (32.70 Hz). With ``C=`` it only sets
        which pitch class the first bin belongs to.
    norm : float > 0 or None
        Per-frame normalization (``math.inf``: max = 1, the default; 1, 2, any p > 0; None: raw). Frames
        whose norm is below float32's tiny are left as they are. librosa's ``-inf`` and ``0`` norms are
        not offered (a min or a count of non-zeros is not a useful differentiable normalization).
    threshold : float or None
        Chroma values below it are set to 0 before normalization (None: no thresholding).
    tuning : float
        Deviation from A440 in fractions of a constant-Q bin, passed to the constant-Q transform. Default
        0.0. librosa's default ``tuning=None`` estimates it from the data, which cannot trace; pass
        librosa's estimate to match it. (Unused with ``C=``, as in librosa.)
    n_chroma : int
        Pitch classes.
    n_octaves : int
        Octaves analysed above ``fmin`` (waveform input).
    window : 1-D NumPy array, list or tuple, or None
        Convolved into the constant-Q-to-chroma map along the bins (:func:`cq_to_chroma`). A constant, not
        differentiable.
    bins_per_octave : int or None
        Constant-Q bins per octave, an integer multiple of ``n_chroma`` (None: ``n_chroma``). Default 36.
    cqt_mode : {"full", "hybrid"}
        :func:`cqt` or :func:`hybrid_cqt` for waveform input.

    Returns
    -------
    mx.array [shape=(..., n_chroma, n_frames)], float32.

    Notes
    -----
    Without ``window`` the constant-Q-to-chroma map is applied as a sum of octave slices and of
    neighbouring bins rather than a dense matmul (same numbers; ~13x faster on CPU for 252 bins).

    Transforms: compile, grad, vjp, jvp, vmap.

    Examples
    --------
    >>> import mlx.core as mx, mlxdsp
    >>> mlxdsp.chroma_cqt(C=mx.ones((84, 10)), bins_per_octave=12).shape
    (12, 10)
    """
    fn = "chroma_cqt"
    if norm is not None:
        norm = _checks.positive_number(fn, "norm", norm)
    chroma = _chroma_cqt(
        fn,
        x,
        C,
        sr=sr,
        hop_length=hop_length,
        fmin=fmin,
        threshold=threshold,
        tuning=tuning,
        n_chroma=n_chroma,
        n_octaves=n_octaves,
        window=window,
        bins_per_octave=bins_per_octave,
        cqt_mode=cqt_mode,
    )
    return _normalize(chroma, norm)


@functools.lru_cache(maxsize=32)
def _correlator(taps: tuple, left: int):
    """S -> out[..., i] = sum_k taps[k] * S[..., i - left + k] (zeros beyond the ends): a linear map along
    the last axis, as zero padding + conv1d. A custom function because MLX's Convolution has no jvp: the
    body runs under stop_gradient, the jvp is the map itself and the vjp its adjoint (reversed taps,
    mirrored padding), both built from this function so higher derivatives work too."""
    n = len(taps)
    kernel = mx.array(np.asarray(taps, dtype=np.float32).reshape(1, n, 1))

    @mx.custom_function
    def correlate(S):
        lead, n_frames = S.shape[:-1], S.shape[-1]
        rows = mx.stop_gradient(S).reshape(-1, n_frames, 1)
        rows = mx.pad(rows, [(0, 0), (left, n - 1 - left), (0, 0)])
        return mx.conv1d(rows, kernel).reshape(*lead, n_frames)

    @correlate.jvp
    def _jvp(primals, tangents):
        return correlate(tangents)

    @correlate.vjp
    def _vjp(primals, cotangent, output):
        cot = cotangent[0] if isinstance(cotangent, (list, tuple)) else cotangent
        return _correlator(taps[::-1], n - 1 - left)(cot)

    return correlate


@functools.lru_cache(maxsize=16)
def _frame_smoother(kind: str, param: float | None, n: int):
    """scipy.ndimage.convolve(S, w / sum(w), mode="constant") along the last axis for the ``n``-point
    symmetric window ``w``: out[i] = sum_j w[j] S[i + n // 2 - j]."""
    win = window_f64(kind, param, n, False)
    taps = win[::-1] / np.sum(win)
    return _correlator(tuple(float(t) for t in taps), n - 1 - n // 2)


def chroma_cens(
    x=None,
    *,
    sr: float = 22050,
    C=None,
    hop_length: int = 512,
    fmin: float | None = None,
    tuning: float = 0.0,
    n_chroma: int = 12,
    n_octaves: int = 7,
    bins_per_octave: int | None = 36,
    cqt_mode: str = "full",
    window=None,
    norm: float | None = 2,
    win_len_smooth: int | None = 41,
    smoothing_window="hann",
) -> mx.array:
    """Chroma Energy Normalized Statistics (CENS; librosa's ``feature.chroma_cens``).

    The constant-Q chroma of :func:`chroma_cqt` (no normalization, no threshold) is L1-normalized per
    frame, quantized to {0, 1/4, 1/2, 3/4, 1} by counting how many of the thresholds 0.4, 0.2, 0.1,
    0.05 each value exceeds, smoothed over time with a ``win_len_smooth + 2``-point symmetric window of
    unit sum (zero beyond the ends), and normalized per frame with ``norm`` (Müller & Ewert, ISMIR 2011).

    Parameters
    ----------
    x, sr, C, hop_length, fmin, tuning, n_chroma, n_octaves, bins_per_octave, cqt_mode, window
        As :func:`chroma_cqt` (``bins_per_octave`` defaults to 36).
    norm : float > 0 or None
        Final per-frame normalization; default 2.
    win_len_smooth : int or None
        Smoothing length in frames (default 41); None turns smoothing off.
    smoothing_window : str or tuple
        Window name as :func:`get_window` (symmetric form), default ``"hann"``. librosa also takes a
        callable or an array here; only named windows are offered.

    Returns
    -------
    mx.array [shape=(..., n_chroma, n_frames)], float32.

    Notes
    -----
    The quantization is a step function of the chroma: its derivative is zero almost everywhere (and
    undefined on the thresholds), so gradients and jvps are zero, as finite differences of librosa's own
    chroma_cens are. Values within float32 rounding of a threshold may quantize differently from a
    float64 reference.

    Transforms: compile, grad, vjp, jvp, vmap (gradients are zero: see Notes).

    Examples
    --------
    >>> import mlx.core as mx, mlxdsp
    >>> mlxdsp.chroma_cens(C=mx.ones((84, 50)), bins_per_octave=12).shape
    (12, 50)
    """
    fn = "chroma_cens"
    if norm is not None:
        norm = _checks.positive_number(fn, "norm", norm)
    if win_len_smooth is not None:
        win_len_smooth = _checks.positive_int(fn, "win_len_smooth", win_len_smooth)
    try:
        kind, param = _window_parse(fn, smoothing_window)
    except ParameterError as err:  # the window parser names its parameter "window"
        raise ParameterError(str(err).replace("] window=", "] smoothing_window=", 1)) from None
    chroma = _chroma_cqt(
        fn,
        x,
        C,
        sr=sr,
        hop_length=hop_length,
        fmin=fmin,
        threshold=0.0,
        tuning=tuning,
        n_chroma=n_chroma,
        n_octaves=n_octaves,
        window=window,
        bins_per_octave=bins_per_octave,
        cqt_mode=cqt_mode,
    )
    chroma = _normalize(chroma, 1)
    quant = sum(mx.where(chroma > step, 0.25, 0.0) for step in _QUANT_STEPS)
    if win_len_smooth is not None:
        quant = _frame_smoother(kind, param, win_len_smooth + 2)(quant)
    return _normalize(quant, norm)
