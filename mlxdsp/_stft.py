"""Short-time Fourier transform and its inverse (torch/librosa layout: [..., n_freq, n_frames])."""

from __future__ import annotations

import typing

import mlx.core as mx

from . import _checks, _framing, _kernels, _parallel
from ._errors import ParameterError
from ._frames import fit_length, overlap_add_rows, pad_signal
from ._typing import PadMode
from ._window import analysis_window

# irfft of rows: a GPU kernel for power-of-two n, else mlxdsp._fft's (one-rfft adjoint, odd n too).
_inverse_rfft = _kernels.irfft_rows


def _geometry(fn: str, n_fft, hop_length, win_length) -> tuple[int, int, int]:
    n_fft = _checks.positive_int(fn, "n_fft", n_fft)
    win_length = n_fft if win_length is None else _checks.positive_int(fn, "win_length", win_length)
    if win_length > n_fft:
        raise ParameterError(f"[{fn}] win_length={win_length} must be <= n_fft={n_fft}")
    hop_length = win_length // 4 if hop_length is None else hop_length
    hop_length = _checks.positive_int(fn, "hop_length", hop_length)
    return n_fft, hop_length, win_length


def stft(
    x,
    *,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
    onesided: bool = True,
) -> mx.array:
    """Short-time Fourier transform.

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating (float32, float16, bfloat16; computed in float32)
    n_fft : int
        FFT size; frames are n_fft samples long.
    hop_length : int, optional
        Samples between frames; default ``win_length // 4``.
    win_length : int, optional
        Window length <= n_fft, zero-padded on both sides (centred) to n_fft; default n_fft.
    window : str, tuple, array
        A :func:`get_window` spec (periodic), a NumPy array/list of ``win_length`` values (a constant), or
        an ``mx.array`` (data: may be traced and receive gradients).
    center : bool
        Pad ``n_fft // 2`` samples on both sides so frame t is centred at ``t * hop_length``.
    pad_mode : {"reflect", "constant", "edge"}
        Padding used when ``center``. torch's default is "reflect", librosa 0.11's is "constant".
    normalized : bool
        Multiply by ``n_fft ** -0.5`` (torch's ``normalized=True``).
    onesided : bool
        Keep the ``n_fft // 2 + 1`` non-negative frequencies (default) or all ``n_fft``.

    Returns
    -------
    mx.array [shape=(..., n_freq, n_frames)], complex64, with ``n_freq = n_fft // 2 + 1`` (onesided) or
    ``n_fft``, and ``n_frames = 1 + (n + 2 * (n_fft // 2) * center - n_fft) // hop_length``.
    The result is a transposed view of frame-major storage, as in torch.

    See Also
    --------
    istft, spectrogram

    Transforms: compile, grad, vjp, jvp, vmap (framing is slice/concatenate, not ``as_strided``).

    Examples
    --------
    >>> import mlx.core as mx, mlxdsp
    >>> mlxdsp.stft(mx.zeros((2, 16000)), n_fft=512, hop_length=128).shape
    (2, 257, 126)
    """
    fn = "stft"
    x = _checks.real_signal(fn, "x", x)
    n_fft, hop_length, win_length = _geometry(fn, n_fft, hop_length, win_length)
    _checks.boolean(fn, "center", center)
    _checks.boolean(fn, "normalized", normalized)
    _checks.boolean(fn, "onesided", onesided)
    w, _ = analysis_window(fn, window, win_length, n_fft)
    x = x.astype(mx.float32)
    left = right = 0
    if center:
        left, right = _framing.center_padding(n_fft)
    _checks.choice(fn, "pad_mode", pad_mode, ("reflect", "constant", "edge"))
    count = _framing.n_frames(fn, x.shape[-1] + left + right, n_fft, hop_length)
    if normalized:
        w = w * (n_fft**-0.5)

    def pipeline(signal: mx.array) -> mx.array:
        padded = pad_signal(fn, signal, left, right, pad_mode) if center else signal
        framing = dict(source=signal, padding=(left, right, pad_mode))
        if onesided:  # fused frame + window + rFFT kernel on a GPU (power-of-two n_fft)
            return _kernels.windowed_rfft(padded, w, n_fft, hop_length, count, **framing)
        rows = _kernels.windowed_frames(padded, w, n_fft, hop_length, count, **framing)
        return mx.fft.fft(rows, axis=-1)

    n_freq = n_fft // 2 + 1 if onesided else n_fft
    output_bytes = 8 * n_freq * count * (x.size // max(1, x.shape[-1]))
    spectra = _parallel.batch_halves(pipeline, x, output_bytes=output_bytes)
    return mx.swapaxes(spectra, -1, -2)


def istft(
    X,
    *,
    n_fft: int | None = None,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    normalized: bool = False,
    onesided: bool = True,
    length: int | None = None,
) -> mx.array:
    """Inverse STFT by weighted overlap-add (least-squares inverse, as torch and librosa).

    Parameters
    ----------
    X : mx.array [shape=(..., n_freq, n_frames)], complex64
    n_fft : int, optional
        Default ``2 * (n_freq - 1)`` when onesided, else ``n_freq``. Pass it for odd n_fft.
    hop_length, win_length, window, center, normalized, onesided
        As given to :func:`stft`.
    length : int, optional
        Output length: trims, or zero-extends past the last frame. Default: the signal the frames
        cover, less the centre padding.

    Returns
    -------
    mx.array [shape=(..., length)], float32.

    Raises
    ------
    ParameterError
        When the window/hop pair violates NOLA (the folded squared window has a zero), decided from
        the window alone. ``mx.array`` windows are data and are not checked.

    Notes
    -----
    Samples where the window envelope is below 1e-11 (only at the edges with ``center=False``) are
    returned unscaled, as librosa does; torch raises instead.

    Transforms: compile, grad, vjp, jvp, vmap.
    """
    fn = "istft"
    X = _checks.complex_spectrum(fn, "X", X)
    _checks.boolean(fn, "onesided", onesided)
    n_freq, count = X.shape[-2], X.shape[-1]
    if n_fft is None:
        n_fft = 2 * (n_freq - 1) if onesided else n_freq
        if n_fft < 1:
            raise ParameterError(f"[{fn}] X.shape={tuple(X.shape)} has too few frequencies")
    n_fft, hop_length, win_length = _geometry(fn, n_fft, hop_length, win_length)
    expected = n_fft // 2 + 1 if onesided else n_fft
    if n_freq != expected:
        raise ParameterError(
            f"[{fn}] X.shape[-2]={n_freq} does not match n_fft={n_fft} "
            f"({'onesided' if onesided else 'two-sided'}: {expected} frequencies)"
        )
    _checks.boolean(fn, "center", center)
    _checks.boolean(fn, "normalized", normalized)
    length = _checks.optional_positive_int(fn, "length", length)
    w, w64 = analysis_window(fn, window, win_length, n_fft)
    if w64 is not None and not _framing.nola_holds(w64**2, hop_length):
        raise ParameterError(
            f"[{fn}] window={_describe(window)} with win_length={win_length}, hop_length={hop_length} "
            f"violates NOLA (nonzero overlap-add): the signal cannot be recovered"
        )
    if w64 is not None:
        scale = mx.array(_framing.inverse_envelope(w64, hop_length, count))
    else:
        env = overlap_add_rows(mx.broadcast_to(mx.square(w), (count, n_fft)), hop_length)
        big = env > _framing.SMALLEST_ENVELOPE
        scale = mx.where(big, 1.0 / mx.where(big, env, 1.0), 1.0)
    if normalized:
        w = w * (n_fft**0.5)
    start, stop = _framing.istft_trim(count, n_fft, hop_length, center)
    if length is not None:
        stop = min(start + length, _framing.overlap_add_length(count, n_fft, hop_length))

    def pipeline(spectrum: mx.array) -> mx.array:
        spectra = mx.swapaxes(spectrum, -1, -2)
        if onesided and n_fft % 2 == 0:  # irfft + overlap-add: one kernel on a GPU (power-of-two n)
            y = _kernels.irfft_overlap_add(spectra, w, scale, n_fft, hop_length)
        else:
            rows = _inverse_rfft(spectra, n_fft) if onesided else mx.real(mx.fft.ifft(spectra))
            y = _kernels.overlap_add_scaled(rows, w, scale, hop_length)
        return fit_length(y[..., start:stop], length)

    # The frames are discarded: two CPU cores, half the batch each, in pieces (_parallel.py).
    row_bytes = 16 * n_fft * count  # the spectrum's copy and the frames, per row
    return _parallel.batch_halves(pipeline, X, core_ndim=2, row_bytes=row_bytes)


def stft_in_pieces(
    x: mx.array,
    per_spectrum,
    *,
    n_fft: int,
    hop_length,
    win_length,
    window,
    center: bool,
    pad_mode: str,
    normalized: bool,
) -> mx.array:
    """``per_spectrum(stft(x, ...))`` for a ``per_spectrum`` mapping [..., n_freq, frames] to
    [..., k, frames] frame by frame, computed on the CPU in runs of frames whose spectra stay under
    ``_parallel.PIECE_BYTES`` (bit-identical: each piece is the un-centred STFT of its slice of the padded
    signal). A long signal's spectrum-sized intermediates are then reused buffers, not fresh pages."""
    options = dict(
        n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
        pad_mode=pad_mode, normalized=normalized,
    )  # fmt: skip
    plan = _frame_pieces(x, n_fft, hop_length, win_length, center, pad_mode)
    if plan is None:
        return per_spectrum(stft(x, center=center, **options))
    left, right, hop, count, per_piece = plan
    padded = pad_signal("stft", x, left, right, pad_mode) if center else x
    parts = []
    for first in range(0, count, per_piece):
        last = min(count, first + per_piece)
        piece = padded[..., first * hop : (last - 1) * hop + options["n_fft"]]
        parts.append(per_spectrum(stft(piece, center=False, **options)))
    return mx.concatenate(parts, axis=-1)


def stft_row_bytes(x: mx.array, n_fft, hop_length, win_length) -> int | None:
    """Bytes of frames plus half-spectrum that one row of ``x`` needs in an STFT (None: options that stft
    itself must reject), for ``_parallel.batch_halves(row_bytes=)``."""
    try:
        n_fft, hop, _ = _geometry("stft", n_fft, hop_length, win_length)
    except ParameterError:
        return None
    return 8 * n_fft * (x.shape[-1] // hop + 1)


def cpu_frame_geometry(x, n_fft, hop_length, win_length, center):
    """(n_fft, left, right, hop, n_frames) of a CPU STFT of ``x`` that may run in pieces of frames, or None
    (GPU, a 0-d input, or options stft itself must reject)."""
    if mx.default_device() != mx.cpu or not isinstance(center, bool) or x.ndim == 0:
        return None
    try:
        n_fft, hop, _ = _geometry("stft", n_fft, hop_length, win_length)
        left, right = _framing.center_padding(n_fft) if center else (0, 0)
        count = _framing.n_frames("stft", x.shape[-1] + left + right, n_fft, hop)
    except ParameterError:
        return None
    return n_fft, left, right, hop, count


def _frame_pieces(x, n_fft, hop_length, win_length, center, pad_mode):
    """(left, right, hop, n_frames, frames per piece), or None where pieces do not apply (GPU, one piece
    would do, or options stft itself must reject)."""
    geometry = cpu_frame_geometry(x, n_fft, hop_length, win_length, center)
    if geometry is None or pad_mode not in typing.get_args(PadMode):
        return None
    n_fft, left, right, hop, count = geometry
    rows = x.size // max(1, x.shape[-1])
    per_piece = max(1, _parallel.PIECE_BYTES // (8 * n_fft * max(1, rows)))
    if count <= per_piece + per_piece // 2:
        return None
    return left, right, hop, count, per_piece


def _describe(window) -> str:
    return repr(window) if isinstance(window, (str, tuple)) else "<array>"
