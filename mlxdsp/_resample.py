"""Band-limited resampling by a rational factor, as a polyphase filter written in MLX.

Every method shares one engine. After reducing ``orig_sr/target_sr`` to ``down/up`` by their gcd, output
sample ``n = m*up + r`` (block ``m``, phase ``r``) is a dot product of a fixed set of taps with the input
samples ``x[m*down + c]``. The input is cut into hop-``down`` frames with reshape/slice/concatenate (no
``as_strided``, so ``mx.vmap`` works), and each group of consecutive phases is one matmul of the frames with
a small banded tap matrix: the work per output sample stays close to the filter's taps per phase, and the
filter is never materialised at the ``up``-times oversampled rate beyond its band. Only the taps depend on
the method:

- ``"sinc_interp_hann"`` / ``"sinc_interp_kaiser"``: torchaudio's ``functional.resample`` kernels
  (``lowpass_filter_width`` zero crossings, ``rolloff``, ``beta``), same alignment and output length.
- ``"polyphase"``: ``scipy.signal.resample_poly``'s default design (``firwin(20*max(up,down)+1,
  1/max(up,down), window=("kaiser", 5.0))``), same alignment.
- ``"fft"``: ``scipy.signal.resample`` (ideal brick-wall in the DFT domain; periodic signal assumed).
- ``"hq"`` (default): a Kaiser-windowed sinc (torchaudio's kernel form) with cutoff at 0.94 of the lower
  Nyquist, 64 zero crossings each side and beta=12: stopband attenuation >= 118 dB from the lower Nyquist
  on, passband within 0.036 dB up to 0.9 of the lower Nyquist.
  The measured figures are in ``docs/filters.md`` and pinned by ``tests/test_resample.py``.
"""

from __future__ import annotations

import functools
import math

import mlx.core as mx
import numpy as np

from . import _checks
from ._typing import ResampleMethod

__all__ = ["resample"]

HQ_ROLLOFF = 0.94
HQ_ZEROS = 64
HQ_BETA = 12.0
_MAX_GROUPS = 512


def output_length(n: int, up: int, down: int) -> int:
    """Output length of every method: ``ceil(n * up / down)`` (torchaudio, scipy, librosa agree)."""
    return -(-n * up // down)


# --------------------------------------------------------------------------------------------------
# Tap designs. Each returns (band, taps): band(r) -> (c_lo, c_hi) inclusive input offsets used by phase r,
# taps(c [k,1], r [1,g]) -> float64 coefficients of x[m*down + c] in output m*up + r.


def _sinc_design(up, down, lpfw, rolloff, window, beta):
    """torchaudio's kernel: orig=down, new=up. t = (c/orig - r/new) * base, |t| <= lpfw."""
    orig, new = down, up
    base = min(orig, new) * rolloff
    width = math.ceil(lpfw * orig / base)

    def taps(c, r):
        t = (c / orig - r / new) * base
        t = np.clip(t, -lpfw, lpfw)
        if window == "hann":
            win = np.cos(t * np.pi / lpfw / 2) ** 2
        else:
            win = np.i0(beta * np.sqrt(np.maximum(1 - (t / lpfw) ** 2, 0.0))) / np.i0(beta)
        t = t * np.pi
        safe = np.where(t == 0, 1.0, t)
        kern = np.where(t == 0, 1.0, np.sin(safe) / safe)
        out = kern * win * (base / orig)
        inside = (c >= -width) & (c < width + orig)
        return np.where(inside, out, 0.0)

    def band(r):
        lo = math.floor((r / new - lpfw / base) * orig) - 1
        hi = math.ceil((r / new + lpfw / base) * orig) + 1
        return max(lo, -width), min(hi, width + orig - 1)

    return band, taps


def _poly_design(up, down):
    max_rate = max(up, down)
    half = 10 * max_rate
    n = 2 * half + 1
    m = np.arange(n) - half
    h = (1.0 / max_rate) * np.sinc(m / max_rate) * np.kaiser(n, 5.0)
    h = h / h.sum() * up

    def taps(c, r):
        k = r * down - c * up
        inside = np.abs(k) <= half
        return np.where(inside, h[np.clip(k + half, 0, n - 1)], 0.0)

    def band(r):
        return -((half - r * down) // up), (r * down + half) // up

    return band, taps


@functools.lru_cache(maxsize=32)
def _plan(method: str, up: int, down: int, lpfw: int, rolloff: float, beta: float):
    """Groups of consecutive phases: (col_lo, col_hi, tap matrix [cols, phases]) plus the left pad."""
    if method == "polyphase":
        band, taps = _poly_design(up, down)
    elif method == "hq":
        band, taps = _sinc_design(up, down, HQ_ZEROS, HQ_ROLLOFF, "kaiser", HQ_BETA)
    else:
        window = "hann" if method == "sinc_interp_hann" else "kaiser"
        band, taps = _sinc_design(up, down, lpfw, rolloff, window, beta)
    bands = [band(r) for r in range(up)]
    span = np.mean([hi - lo + 1 for lo, hi in bands])
    # A group of g phases reads span + (g-1)*down/up input columns: keep the overhead near span/4.
    g = max(1, int(span / 4 * up / down) + 1, -(-up // _MAX_GROUPS))
    g = min(g, up)
    c_min = min(lo for lo, _ in bands)
    pad_left = max(0, -c_min)
    groups = []
    for r0 in range(0, up, g):
        r1 = min(up, r0 + g)
        lo = min(bands[r][0] for r in range(r0, r1))
        hi = max(bands[r][1] for r in range(r0, r1))
        c = np.arange(lo, hi + 1)[:, None]
        r = np.arange(r0, r1)[None, :]
        mat = taps(c, r)
        groups.append((lo + pad_left, hi + 1 + pad_left, mx.array(mat.astype(np.float32))))
    return pad_left, tuple(groups)


def _polyphase(x: mx.array, up: int, down: int, plan) -> mx.array:
    pad_left, groups = plan
    n = x.shape[-1]
    n_out = output_length(n, up, down)
    blocks_out = -(-n_out // up)
    col_hi = max(hi for _, hi, _ in groups)
    span_blocks = -(-col_hi // down)
    total = (blocks_out - 1 + span_blocks) * down
    lead = x.shape[:-1]
    right = total - pad_left - n
    widths = [(0, 0)] * (x.ndim - 1)
    xp = mx.pad(x, widths + [(pad_left, max(0, right))])[..., :total]
    blocks = xp.reshape(*lead, blocks_out - 1 + span_blocks, down)
    frames = mx.concatenate(
        [blocks[..., q : q + blocks_out, :] for q in range(span_blocks)], axis=-1
    )
    outs = [frames[..., lo:hi] @ mat for lo, hi, mat in groups]
    y = mx.concatenate(outs, axis=-1) if len(outs) > 1 else outs[0]
    return y.reshape(*lead, blocks_out * up)[..., :n_out]


def _fft_resample(x: mx.array, num: int) -> mx.array:
    n = x.shape[-1]
    m = min(num, n)
    m2 = m // 2 + 1
    scale = np.full(m2, num / n, dtype=np.float32)
    if m % 2 == 0 and num != n:
        scale[m // 2] *= 2.0 if num < n else 0.5
    scale = mx.array(scale)

    def linear(v):
        return mx.fft.irfft(mx.fft.rfft(v, axis=-1)[..., :m2] * scale, n=num, axis=-1)

    # MLX 0.32's jvp of irfft with odd n returns the wrong length; the map is linear, so its jvp is itself.
    fn = mx.custom_function(linear)

    @fn.jvp
    def _jvp(primals, tangents):
        t = tangents[0] if isinstance(tangents, (tuple, list)) else tangents
        return linear(t)

    return fn(x)


def resample(
    x: mx.array,
    *,
    orig_sr: int,
    target_sr: int,
    method: ResampleMethod = "hq",
    lowpass_filter_width: int = 6,
    rolloff: float = 0.99,
    beta: float | None = None,
) -> mx.array:
    """Resample along the last axis from ``orig_sr`` to ``target_sr``.

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating
    orig_sr, target_sr : int
        Rates; only their ratio matters (reduced by the gcd, so 44100 -> 16000 is 160/441).
    method : {"hq", "sinc_interp_hann", "sinc_interp_kaiser", "polyphase", "fft"}
        ``"hq"`` (default): Kaiser-windowed sinc, within 0.036 dB up to 0.9 of the lower Nyquist, >= 118 dB
        stopband attenuation from the lower Nyquist on (measured in docs/filters.md). ``"sinc_interp_*"``: torchaudio's
        ``functional.resample``. ``"polyphase"``: ``scipy.signal.resample_poly`` with its default Kaiser
        design. ``"fft"``: ``scipy.signal.resample`` (assumes a periodic signal).
    lowpass_filter_width, rolloff, beta
        torchaudio's options, used by the ``"sinc_interp_*"`` methods only (``beta`` defaults to
        14.769656459379492 as in torchaudio).

    Returns
    -------
    y : mx.array [shape=(..., ceil(n * target_sr / orig_sr))], float32

    Transforms: compile, grad, jvp, vmap (reshape/slice framing, no as_strided).

    Examples
    --------
    >>> y = resample(mx.random.normal((2, 44100)), orig_sr=44100, target_sr=16000)
    >>> y.shape
    (2, 16000)
    """
    fn = "resample"
    x = _checks.real_signal(fn, "x", x)
    orig_sr = _checks.positive_int(fn, "orig_sr", orig_sr)
    target_sr = _checks.positive_int(fn, "target_sr", target_sr)
    method = _checks.choice(fn, "method", method, ResampleMethod)
    lpfw = _checks.positive_int(fn, "lowpass_filter_width", lowpass_filter_width)
    rolloff = _checks.real_number(fn, "rolloff", rolloff, low=0.0, low_open=True, high=1.0)
    beta = 14.769656459379492 if beta is None else _checks.real_number(fn, "beta", beta, low=0.0)
    if x.dtype != mx.float32:
        x = x.astype(mx.float32)
    g = math.gcd(orig_sr, target_sr)
    down, up = orig_sr // g, target_sr // g
    if up == down:
        return x
    n = x.shape[-1]
    if method == "fft":
        return _fft_resample(x, output_length(n, up, down))
    plan = _plan(method, up, down, lpfw, rolloff, beta)
    return _polyphase(x, up, down, plan)
