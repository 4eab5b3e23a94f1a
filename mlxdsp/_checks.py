"""Option validation: one helper per kind of check; messages name function, parameter and value.

Options are plain Python values. Nothing here looks at array *data* (that would force evaluation and
break ``mx.compile``); only shapes and dtypes are inspected.
"""

from __future__ import annotations

import numbers
import typing

import mlx.core as mx

from ._errors import ParameterError


def positive_int(fn: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ParameterError(f"[{fn}] {name}={value!r} must be a positive int")
    return int(value)


def nonnegative_int(fn: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ParameterError(f"[{fn}] {name}={value!r} must be a non-negative int")
    return int(value)


def optional_positive_int(fn: str, name: str, value) -> int | None:
    return None if value is None else positive_int(fn, name, value)


def real_number(fn: str, name: str, value, *, low=None, high=None, low_open=False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(f"[{fn}] {name}={value!r} must be a real number")
    value = float(value)
    if value != value:
        raise ParameterError(f"[{fn}] {name}={value!r} must not be NaN")
    if low is not None and (value < low or (low_open and value == low)):
        bound = ">" if low_open else ">="
        raise ParameterError(f"[{fn}] {name}={value!r} must be {bound} {low}")
    if high is not None and value > high:
        raise ParameterError(f"[{fn}] {name}={value!r} must be <= {high}")
    return value


def positive_number(fn: str, name: str, value) -> float:
    return real_number(fn, name, value, low=0.0, low_open=True)


def choice(fn: str, name: str, value, allowed):
    """``allowed`` is a ``Literal`` alias or a tuple of values."""
    options = typing.get_args(allowed) or tuple(allowed)
    if value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ParameterError(f"[{fn}] {name}={value!r} must be one of {listed}")
    return value


def optional_choice(fn: str, name: str, value, allowed):
    return None if value is None else choice(fn, name, value, allowed)


def boolean(fn: str, name: str, value) -> bool:
    if not isinstance(value, bool):
        raise ParameterError(f"[{fn}] {name}={value!r} must be a bool")
    return value


def array(fn: str, name: str, value, *, min_ndim: int = 1) -> mx.array:
    """Accept ``mx.array`` (or something MLX converts, e.g. NumPy); check the rank."""
    if not isinstance(value, mx.array):
        try:
            value = mx.array(value)
        except (TypeError, ValueError) as err:
            raise ParameterError(
                f"[{fn}] {name} of type {type(value).__name__} is not an array"
            ) from err
    if value.ndim < min_ndim:
        raise ParameterError(
            f"[{fn}] {name}.shape={tuple(value.shape)} must have at least {min_ndim} dims"
        )
    return value


def real_signal(fn: str, name: str, value, *, min_ndim: int = 1) -> mx.array:
    """A real floating signal; integer and bool inputs are promoted to float32, complex is refused."""
    value = array(fn, name, value, min_ndim=min_ndim)
    if mx.issubdtype(value.dtype, mx.complexfloating):
        raise ParameterError(f"[{fn}] {name}.dtype={value.dtype} must be real floating")
    if not mx.issubdtype(value.dtype, mx.floating):
        value = value.astype(mx.float32)
    return value


def complex_spectrum(fn: str, name: str, value, *, min_ndim: int = 2) -> mx.array:
    value = array(fn, name, value, min_ndim=min_ndim)
    if value.dtype != mx.complex64:
        raise ParameterError(f"[{fn}] {name}.dtype={value.dtype} must be complex64")
    return value


def compute_dtype(x: mx.array) -> mx.Dtype:
    """Spectral work runs in float32: MLX FFTs are complex64-only, and half precision loses the
    1e-5 parity the library promises. float16/bfloat16 inputs therefore give float32 outputs."""
    return mx.float32
