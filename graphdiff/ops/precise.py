"""The ops at any precision (the ``mpmath`` column), for the checker's high-precision
re-evaluation: the mpmath implementations of the table, the one :func:`define_op` derives
from an op's sympy meaning, and the errors they raise outside a domain
(:class:`MPDomainError`) and where a value is too large (:class:`MPOverflow`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import sympy


class MPDomainError(ArithmeticError):
    """An op evaluated outside its domain at high precision (``log`` of a negative).

    >>> import mpmath
    >>> from graphdiff.ops import OPS
    >>> OPS["log"].mpmath(mpmath.mpf(-1))
    Traceback (most recent call last):
    ...
    graphdiff.ops.MPDomainError: log of a non-positive number
    """

    # Named by the package it is imported from and caught as, in tracebacks and pickles.
    __module__ = "graphdiff.ops"


class MPOverflow(ArithmeticError):
    """A value too large to compute meaningfully at high precision (``exp(10**7)``).

    >>> import mpmath
    >>> from graphdiff.ops import OPS
    >>> OPS["exp"].mpmath(mpmath.mpf(10**7))
    Traceback (most recent call last):
    ...
    graphdiff.ops.MPOverflow: exp too large
    """

    __module__ = "graphdiff.ops"


# --- the ``mpmath`` column of the table ------------------------------------------------

#: Largest binary exponent of any high-precision value (about 10^300000).
MAX_MAG = 10**6
#: Largest |argument| of sin, cos and tan at high precision (argument reduction needs
#: its digits).
MAX_TRIG_ARGUMENT = mpmath.mpf(10) ** 30


def _mp_div(a: Any, b: Any) -> Any:
    if b == 0:
        raise MPDomainError("division by zero")
    return a / b


def _mp_pow(a: Any, b: Any) -> Any:
    if a == 0:
        if b < 0:
            raise MPDomainError("0 to a negative power")
        return mpmath.mpf(0) if b > 0 else mpmath.mpf(1)
    if a < 0 and b != mpmath.floor(b):
        raise MPDomainError("power of a negative base with a non-integer exponent")
    if abs(b) * mpmath.log(abs(a), 2) > MAX_MAG:
        raise MPOverflow("power too large")
    result = mpmath.power(a, b)
    if isinstance(result, mpmath.mpc):
        raise MPDomainError("complex power")
    return result


def _mp_exp(a: Any) -> Any:
    if a > MAX_MAG / 2:
        raise MPOverflow("exp too large")
    if a < -MAX_MAG / 2:
        raise MPOverflow("exp too small")
    return mpmath.exp(a)


def _mp_log(a: Any) -> Any:
    if a <= 0:
        raise MPDomainError("log of a non-positive number")
    return mpmath.log(a)


def _mp_sqrt(a: Any) -> Any:
    if a < 0:
        raise MPDomainError("sqrt of a negative number")
    return mpmath.sqrt(a)


def _mp_trig(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def wrapped(a: Any) -> Any:
        if abs(a) > MAX_TRIG_ARGUMENT:
            raise MPOverflow("trigonometric argument too large")
        return fn(a)
    return wrapped


def _mp_sigmoid(a: Any) -> Any:
    if abs(a) > MAX_MAG / 2:
        raise MPOverflow("sigmoid argument too large")
    if a >= 0:
        return 1 / (1 + mpmath.exp(-a))
    e = mpmath.exp(a)
    return e / (1 + e)


def _mp_hyperbolic(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def wrapped(a: Any) -> Any:
        if abs(a) > MAX_MAG / 2:
            raise MPOverflow("hyperbolic argument too large")
        return fn(a)
    return wrapped


def _mp_pole_at_zero(fn: Callable[[Any], Any], what: str) -> Callable[[Any], Any]:
    def wrapped(a: Any) -> Any:
        if a == 0:
            raise MPDomainError(f"{what} of 0")
        return fn(a)
    return wrapped


def _mp_in_unit_interval(fn: Callable[[Any], Any], what: str, closed: bool = True
                         ) -> Callable[[Any], Any]:
    def wrapped(a: Any) -> Any:
        if abs(a) > 1 or (not closed and abs(a) == 1):
            raise MPDomainError(f"{what} of a number outside "
                                f"{'[-1, 1]' if closed else '(-1, 1)'}")
        return fn(a)
    return wrapped


def _mp_acosh(a: Any) -> Any:
    if a < 1:
        raise MPDomainError("acosh of a number below 1")
    return mpmath.acosh(a)


def _mp_real_cbrt(a: Any) -> Any:
    # mpmath.cbrt is the principal (complex) root for a < 0; the op is the real one.
    return -mpmath.cbrt(-a) if a < 0 else mpmath.cbrt(a)


def _mp_sign(a: Any) -> Any:
    return mpmath.mpf(1) if a > 0 else mpmath.mpf(-1) if a < 0 else mpmath.mpf(0)


# --- the ``mpmath`` column of an op defined by a user ---------------------------------------


def _mpmath_from_sympy(sympy_fn: Callable[..., Any]) -> Callable[..., Any]:
    """The op at high precision through its sympy meaning (for ops defined by users)."""

    def evaluate(*args: Any) -> Any:
        dps = mpmath.mp.dps
        value = sympy_fn(*(sympy.Float(a, dps) for a in args)).evalf(dps)
        if not value.is_real or not value.is_finite:
            raise MPDomainError(f"no real value at {', '.join(mpmath.nstr(a, 8) for a in args)}")
        return mpmath.mpf(value)

    return evaluate
