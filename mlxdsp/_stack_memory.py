"""Time-delay embedding of a feature sequence (librosa 0.11's ``feature.stack_memory``)."""

from __future__ import annotations

import numbers

import mlx.core as mx

from . import _checks
from ._errors import ParameterError

_MODES = ("constant", "edge")


def stack_memory(
    data,
    *,
    n_steps: int = 2,
    delay: int = 1,
    mode: str = "constant",
    value: float = 0.0,
) -> mx.array:
    """Stack ``n_steps`` delayed copies of a feature sequence along the feature axis.

    Row block ``k`` of the output is the input delayed by ``k * delay`` frames (block 0 is the input
    itself); a negative ``delay`` looks ahead instead. Frames before the start (or past the end) come
    from the padding ``mode``.

    Parameters
    ----------
    data : mx.array [shape=(..., d, t)] or [shape=(t,)]
        Feature sequence, time last; a 1-D input is one feature (``d = 1``), as librosa's
        ``np.atleast_2d``.
    n_steps : int > 0
        Number of copies (1 returns the input).
    delay : int != 0
        Frames between consecutive copies; negative: each copy is ``-delay`` frames ahead.
    mode : {"constant", "edge"}
        Padding for the frames outside the sequence: ``value`` (librosa's default, 0), or the first
        (last, for ``delay < 0``) frame repeated. librosa forwards any ``np.pad`` mode; only these two
        are offered here.
    value : float
        The constant of ``mode="constant"`` (librosa's ``constant_values``).

    Returns
    -------
    mx.array [shape=(..., d * n_steps, t)], the dtype of ``data``.

    Transforms: compile, grad, vjp, jvp, vmap.

    Examples
    --------
    >>> import mlx.core as mx
    >>> stack_memory(mx.arange(4.0)[None], n_steps=2).tolist()
    [[0.0, 1.0, 2.0, 3.0], [0.0, 0.0, 1.0, 2.0]]
    """
    fn = "stack_memory"
    data = _checks.real_signal(fn, "data", data)
    n_steps = _checks.positive_int(fn, "n_steps", n_steps)
    if isinstance(delay, bool) or not isinstance(delay, numbers.Integral) or delay == 0:
        raise ParameterError(f"[{fn}] delay={delay!r} must be a non-zero int")
    delay = int(delay)
    _checks.choice(fn, "mode", mode, _MODES)
    value = _checks.real_number(fn, "value", value)
    if data.ndim == 1:
        data = data[None]
    t = data.shape[-1]
    if t < 1:
        raise ParameterError(f"[{fn}] data.shape={tuple(data.shape)} must have at least one frame")
    if n_steps == 1:
        return data
    span = (n_steps - 1) * abs(delay)
    widths = [(0, 0)] * (data.ndim - 1) + [(span, 0) if delay > 0 else (0, span)]
    if mode == "constant":
        padded = mx.pad(data, widths, constant_values=value)
    else:
        padded = mx.pad(data, widths, mode="edge")
    starts = [
        (n_steps - 1 - step) * delay if delay > 0 else step * -delay for step in range(n_steps)
    ]
    return mx.concatenate([padded[..., s : s + t] for s in starts], axis=-2)
