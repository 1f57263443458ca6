"""The ops' numbers: the numpy kernels, domains and rules that need care (``numpy``,
``domain``, ``domain_free`` and a few ``partials`` of the table), and the ops on Python floats
(the ``scalar`` column), which give numpy's numbers bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy

# --- numpy implementations that need care ------------------------------------------


def _np_sigmoid(z: Any) -> Any:
    # With e = exp(-|z|) <= 1 nothing overflows: 1/(1 + e) for z >= 0, e/(1 + e) below,
    # each without cancellation.  (exp(-logaddexp(0, -z)) is as stable, but logaddexp
    # costs as much as the rest of a network's layer.)
    e = np.exp(-np.abs(z))
    return (np.where(z >= 0, 1.0, e) / (1.0 + e))[()]


def _np_step(z: Any) -> Any:
    # A comparison is ten times faster than np.heaviside (relu' on a 256×256 layer: 37 µs
    # against 420 µs); nan stays nan, as heaviside keeps it.
    result = (z >= 0) * 1.0
    nan = np.isnan(z)
    return np.where(nan, z, result) if np.any(nan) else result


def _np_relu(z: Any) -> Any:
    return np.maximum(z, 0.0)


def _np_leaky_relu(z: Any, alpha: Any) -> Any:
    return np.where(z > 0, z, alpha * z)


def _np_pow(a: Any, b: Any) -> Any:
    return np.power(np.asarray(a, dtype=float), b)


def _power_rule(a: Any, b: Any) -> Any:
    """d(a**b)/da = b·a**(b-1); exactly 0 for the constant exponent 0 (not 0·inf at a = 0)."""
    if isinstance(b, int | float | np.floating | sympy.Number) and b == 0:
        return 0
    if isinstance(b, np.ndarray) and not np.all(b):  # a batch with some exponents 0: the
        with np.errstate(divide="ignore", invalid="ignore"):  # same there, point by point
            return np.where(b == 0, 0.0, b * a ** (b - 1))
    return b * a ** (b - 1)


def _exponent_rule(m: Any, a: Any, out: Any) -> Any:
    """d(a**b)/db = a**b·ln(a); exactly 0 for the base 0, whose powers are 0 for every
    exponent in the domain but 0 (not 0·ln 0: nan in numbers, and a log(0) that a
    derivative graph of ``0**x`` could not fold)."""
    if isinstance(a, int | float | np.floating | sympy.Number) and a == 0:
        return 0
    if isinstance(a, np.ndarray) and not np.all(a):  # a batch with some bases 0: the same
        with np.errstate(divide="ignore", invalid="ignore"):  # there, point by point
            return np.where(a == 0, 0.0, out * np.log(a))
    return out * m.log(a)


def _pow_domain(a: Any, b: Any) -> Any:
    negative_base = (np.asarray(a) < 0) & (np.floor(b) != b)
    zero_to_negative = (np.asarray(a) == 0) & (np.asarray(b) < 0)
    return negative_base | zero_to_negative


def _pow_domain_free(a: Any, b: Any) -> bool:
    """A constant exponent that is a non-negative integer: every base is fine (``x**2``)."""
    return a is None and b is not None and bool(b.is_integer) and bool(b >= 0)


def _div_domain_free(a: Any, b: Any) -> bool:
    """A constant divisor that is not 0 (``x/2``)."""
    return b is not None and b != 0


# --- the ops on Python floats (the ``scalar`` column): numpy's numbers, bit for bit ---------


def _float_relu(z: float) -> float:
    # np.maximum(z, 0.0): z where z > 0 or z is nan, else the second argument (+0.0).
    return z if z > 0.0 or z != z else 0.0


def _float_leaky_relu(z: float, alpha: float) -> float:
    return z if z > 0.0 else alpha * z


def _float_max(a: float, b: float) -> float:
    # np.maximum: the first argument where it is larger or nan; at a tie the second.
    return a if a > b or a != a else b


def _float_min(a: float, b: float) -> float:
    return a if a < b or a != a else b


def _float_step(z: float) -> float:
    return 1.0 if z >= 0.0 else z if z != z else 0.0


def _float_sign(z: float) -> float:
    # np.sign(-0.0) is +0.0; nan stays nan.
    return 1.0 if z > 0.0 else -1.0 if z < 0.0 else 0.0 if z == 0.0 else z


# --- linear algebra for the tensor ops: singular matrices -----------------------------------


def _ignore_linalg_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """A linear-algebra kernel giving nan for a singular matrix, which its domain then
    reports (evaluation checks the domain after computing the value)."""

    def kernel(a: Any) -> Any:
        try:
            return function(a)
        except np.linalg.LinAlgError:
            return np.full(np.shape(a), np.nan)

    return kernel


def _singular(a: Any) -> Any:
    """True, for every entry, where a matrix has determinant 0 (its inverse is undefined)."""
    det = np.linalg.det(a)
    return np.broadcast_to((det == 0)[..., np.newaxis, np.newaxis], np.shape(a))
