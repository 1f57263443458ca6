"""How close a numeric answer must be: the digits policy and explicit tolerances.

Comparisons are exact: the answer as written is a fraction (``0.731`` is 731/1000) and the
correct value is a high-precision binary number, so no answer of any size (``1e-300``,
``5e-324``, ``-0e999``) can make the check divide by zero or overflow.

>>> t = Tolerance()
>>> t.check(1 / 3, "0.333"), t.check(1 / 3, "0.3334")[0]
((True, None), False)
>>> ok, why = t.check(1 / 3, "0.33")
>>> ok, why.render()
(False, 'give at least 3 significant digits (you gave 2)')
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath

from ..messages import Message

#: Number types :meth:`Tolerance.check` compares (an mpf is the checker's usual value).
Number = int | float | Fraction | mpmath.mpf

#: The largest decimal exponent read exactly (larger ones are compared as floats would
#: be: ``1e-99999`` is 0); the core refuses literals far smaller already.
_MAX_EXPONENT = 4_000
_DECIMAL = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")


@dataclass(frozen=True)
class DecimalLiteral:
    """A number written with digits: its exact value, significant digits, last place.

    >>> d = DecimalLiteral.read("-0.0620")
    >>> d.value, d.significant, d.unit
    (Fraction(-31, 500), 3, Fraction(1, 10000))
    >>> DecimalLiteral.read("1/16") is None, DecimalLiteral.read("2.5e3").value
    (True, Fraction(2500, 1))
    """

    value: Fraction
    significant: int
    unit: Fraction

    @classmethod
    def read(cls, text: str) -> DecimalLiteral | None:
        """The literal ``text`` (``-0.0625``, ``1.5e-3``), or None for anything else."""
        m = _DECIMAL.fullmatch(text.strip())
        if not m or not (m.group(2) or m.group(3)):
            return None
        sign, whole, frac = m.group(1), m.group(2), m.group(3) or ""
        exponent = int(m.group(4) or 0)
        if abs(exponent) > _MAX_EXPONENT:
            return None
        digits = (whole + frac).lstrip("0")
        unit = Fraction(10) ** (exponent - len(frac))
        value = int(whole + frac or "0") * unit
        # Leading zeros are not significant; a bare 0 counts as one digit.
        return cls(-value if sign == "-" else value, len(digits) or 1, unit)


@dataclass(frozen=True)
class Tolerance:
    """How close a numeric answer must be.

    ``rel`` and ``abs``: accepted if ``|a - r| <= max(rel*|r|, abs)``.  ``sig``: agree
    to ``sig`` significant digits (``|a - r| <= 0.5 * 10**(e - sig + 1)`` with
    ``e = floor(log10|r|)``).  With none of them (the default), a decimal number is
    accepted if it is the correct value rounded or truncated to its last written digit,
    and must have at least
    ``min_digits`` significant digits unless it is exact; a formula (``1/16``, ``e^2``)
    must be exact to 1e-9.

    >>> Tolerance().check(0.7310585786, "0.7311")[0], Tolerance().check(0.7310585786, "0.7310")[0]
    (True, True)
    >>> Tolerance().check(0.7310585786, "0.732")[0]
    False
    >>> Tolerance().check(0.7310585786, "0.73")[0]
    False
    >>> Tolerance(sig=2).check(0.7310585786, "0.73")[0]
    True
    """

    rel: float | None = None
    abs: float | None = None
    sig: int | None = None
    min_digits: int = 3

    @classmethod
    def of(cls, spec: Any, where: str = "tolerance") -> Tolerance:
        """The tolerance of a problem file's table; ValueError names ``where``.

        >>> Tolerance.of({"rel": 1e-3})
        Tolerance(rel=0.001, abs=None, sig=None, min_digits=3)
        """
        if spec is None:
            return cls()
        if not isinstance(spec, Mapping):
            raise ValueError(f"{where}: expected a table such as {{rel = 1e-3}}")
        unknown = set(spec) - {"rel", "abs", "sig", "min_digits"}
        if unknown:
            raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}; expected rel, "
                             "abs, sig or min_digits")
        try:
            return cls(rel=_opt_float(spec.get("rel")), abs=_opt_float(spec.get("abs")),
                       sig=None if spec.get("sig") is None else int(spec["sig"]),
                       min_digits=int(spec.get("min_digits", 3)))
        except (TypeError, ValueError) as err:
            raise ValueError(f"{where}: {err}") from None

    @property
    def explicit(self) -> bool:
        """Whether the teacher gave rel, abs or sig (else: the digits policy)."""
        return self.rel is not None or self.abs is not None or self.sig is not None

    def describe(self) -> Message:
        if self.sig is not None:
            return Message("tol_sig", {"value": self.sig})
        if self.rel is not None and self.abs is None:
            return Message("tol_rel", {"value": f"{self.rel:g}"})
        if self.abs is not None and self.rel is None:
            return Message("tol_abs", {"value": f"{self.abs:g}"})
        if self.abs is not None:
            return Message("tol_rel", {"value": f"{self.rel:g} / abs {self.abs:g}"})
        return Message("tol_digits")

    def check(self, expected: Number, answer: str | Number, *,
              accurate_digits: int | None = None) -> tuple[bool, Message | None]:
        """(accepted, a message if too few digits).

        ``answer`` is the number as written (``"0.731"``: the digits policy applies) or
        the value of a formula.  ``expected`` is known to ``accurate_digits`` significant
        digits (default: 15 for a float, 45 for an mpf, which the checker computes to 50
        digits); differences below that are not held against the answer.
        """
        r = _fraction(expected)
        if accurate_digits is None:
            accurate_digits = 15 if isinstance(expected, float) else 45
        slack = abs(r) / 10**accurate_digits
        literal = DecimalLiteral.read(answer) if isinstance(answer, str) else None
        value = float(answer) if isinstance(answer, str) and literal is None else answer
        if literal is None and not _finite(value):
            return False, None
        a = literal.value if literal is not None else _fraction(value)
        d = abs(a - r)
        if self.rel is not None or self.abs is not None:
            allowed = max(Fraction(self.rel or 0) * abs(r), Fraction(self.abs or 0))
            return d <= allowed * (1 + Fraction(1, 10**12)) + slack, None
        if self.sig is not None:
            if r == 0:
                return d <= Fraction(1, 2) / 10**self.sig, None
            place = Fraction(10) ** (floor_log10(r) - self.sig + 1)
            return d <= place / 2 * (1 + Fraction(1, 10**9)) + slack, None
        if literal is None:
            # A formula (1/16, e^2) is exact or wrong.
            return d <= abs(r) / 10**9 + slack, None
        return self._check_digits(r, literal, d, slack)

    def _check_digits(self, r: Fraction, literal: DecimalLiteral, d: Fraction,
                      slack: Fraction) -> tuple[bool, Message | None]:
        if d <= slack:
            return True, None  # exact, however few its digits (0.25 for 1/4)
        unit = literal.unit
        rounded = d <= unit / 2 + slack  # ties either way
        # Truncation of r nudged away from 0 by the slack, so that a value that is an
        # exact multiple of the unit, computed a hair below it, truncates to itself.
        nudged = r + slack if r > 0 else r - slack
        truncated = literal.value == math.trunc(nudged / unit) * unit
        if not (rounded or truncated):
            return False, None
        if literal.significant < self.min_digits:
            # Right as far as it goes, but too coarse to tell from a wrong answer.
            return False, Message("number_few_digits", {"digits": self.min_digits,
                                                        "given": literal.significant})
        return True, None

    def close(self, a: float, b: float) -> bool:
        """Whether two values agree (used to match feedback alternatives)."""
        tol = max((self.rel or 0) * abs(b), self.abs or 0)
        if self.sig is not None and b != 0 and math.isfinite(b):
            tol = 0.5 * 10.0 ** (math.floor(math.log10(abs(b))) - self.sig + 1)
        if tol == 0:
            tol = 1e-3 * abs(b) if b else 1e-9
        return abs(a - b) <= tol


def floor_log10(value: Fraction) -> int:
    """The decimal exponent of ``value`` != 0, exactly (``floor(log10|value|)``).

    >>> floor_log10(Fraction(1000)), floor_log10(Fraction(999)), floor_log10(Fraction(1, 10**400))
    (3, 2, -400)
    """
    size = abs(value)
    # A first guess from the bit lengths of numerator and denominator (never printing
    # them: they may have more digits than Python converts), then exact steps.
    bits = size.numerator.bit_length() - size.denominator.bit_length()
    e = math.floor(bits * math.log10(2))
    while Fraction(10) ** e > size:
        e -= 1
    while Fraction(10) ** (e + 1) <= size:
        e += 1
    return e


def _fraction(value: Number) -> Fraction:
    """The exact value of a finite number (an mpf or a float is a binary fraction)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(value)
    # Not mpmath.mpf(value) for an mpf: that would round it to the current precision.
    x = value if isinstance(value, mpmath.mpf) else mpmath.mpf(value)
    numerator, denominator = mpmath.libmp.to_rational(x._mpf_)
    return Fraction(int(numerator), int(denominator))


def _finite(value: Any) -> bool:
    return isinstance(value, int | Fraction) or bool(mpmath.isfinite(value))


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)
