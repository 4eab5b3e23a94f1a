"""Tonal centroid features (librosa 0.11's ``feature.tonnetz``)."""

from __future__ import annotations

import functools

import mlx.core as mx
import numpy as np

from . import _checks
from ._chroma import _normalize, chroma_cqt
from ._errors import ParameterError

# Radii of the three circles (fifths, minor thirds, major thirds) and their angular speeds (in units of
# pi per chroma step of a 12-bin octave): Harte, Sandler & Gasser (2006), as librosa writes them.
_RADII = (1.0, 1.0, 1.0, 1.0, 0.5, 0.5)
_SPEEDS = (7.0 / 6, 7.0 / 6, 3.0 / 2, 3.0 / 2, 2.0 / 3, 2.0 / 3)


@functools.lru_cache(maxsize=16)
def _tonnetz_basis_f64(n_chroma: int) -> np.ndarray:
    """[6, n_chroma] projection: rows (sin, cos) of the fifth, minor-third and major-third angles."""
    dim_map = np.linspace(0, 12, num=n_chroma, endpoint=False)
    angles = np.multiply.outer(np.asarray(_SPEEDS), dim_map)
    angles[::2] -= 0.5  # even rows: cos(pi (a - 1/2)) = sin(pi a)
    return np.asarray(_RADII)[:, None] * np.cos(np.pi * angles)


@functools.lru_cache(maxsize=16)
def _tonnetz_basis_mx(n_chroma: int) -> mx.array:
    # [6, n_chroma, 1]: broadcast against (..., 1, n_chroma, n_frames) and summed over the chroma axis.
    return mx.array(_tonnetz_basis_f64(n_chroma).astype(np.float32)[:, :, None])


def tonnetz(x=None, *, sr: float = 22050, chroma=None, **chroma_options) -> mx.array:
    """Tonal centroid features: each frame's L1-normalized chroma projected onto the circles of fifths,
    minor thirds and major thirds (Harte, Sandler & Gasser 2006; librosa's ``feature.tonnetz``).

    Parameters
    ----------
    x : mx.array [shape=(..., n)], real floating, optional
        Waveform; its chroma is ``chroma_cqt(x, sr=sr, **chroma_options)``.
    sr : float
        Sample rate (Hz).
    chroma : mx.array [shape=(..., n_chroma, n_frames)], optional
        A non-negative chromagram instead of ``x`` (any ``n_chroma``; the bins span one octave from C).
    **chroma_options
        Keyword options of :func:`chroma_cqt` (``C=``, ``hop_length``, ``fmin``, ``norm``, ``threshold``,
        ``tuning``, ``n_chroma``, ``n_octaves``, ``window``, ``bins_per_octave``, ``cqt_mode``), used
        when ``chroma`` is not given, as librosa's ``**kwargs``.

    Returns
    -------
    mx.array [shape=(..., 6, n_frames)], float32: fifth (x, y), minor third (x, y), major third (x, y).
    Silent frames give 0.

    Transforms: compile, grad, vjp, jvp, vmap.

    Examples
    --------
    >>> import mlx.core as mx, mlxdsp
    >>> mlxdsp.tonnetz(chroma=mx.ones((12, 5))).shape
    (6, 5)
    """
    fn = "tonnetz"
    if chroma is None:
        if x is None and chroma_options.get("C") is None:
            raise ParameterError(f"[{fn}] pass a waveform x, a chromagram chroma= or C=")
        chroma = chroma_cqt(x, sr=sr, **chroma_options)
    else:
        if x is not None:
            raise ParameterError(
                f"[{fn}] pass either a waveform x or a chromagram chroma=, not both"
            )
        if chroma_options:
            names = ", ".join(sorted(chroma_options))
            raise ParameterError(f"[{fn}] chroma_cqt options ({names}) do nothing with chroma=")
        _checks.positive_number(fn, "sr", sr)
        chroma = _checks.real_signal(fn, "chroma", chroma, min_ndim=2).astype(mx.float32)
    weights = _normalize(chroma, 1)[..., None, :, :]
    return mx.sum(_tonnetz_basis_mx(chroma.shape[-2]) * weights, axis=-2)
