"""Decimals to the digits shown (step 6): what each decimal of an answer may stand for."""

from __future__ import annotations

import decimal
import math
import re
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy

#: Fewest significant digits of a decimal that stands for "correct to the digits shown".
MIN_DIGITS = 3

_DECIMAL = re.compile(r"(?<![\w.])(?:(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)"
                      r"(?![\w.])")


@dataclass(frozen=True)
class Decimals:
    """The decimals written in an answer, as intervals of what each may stand for.

    A decimal ``c`` written with last digit of unit ``w`` stands for any value it is the
    rounding of (``c +- w/2``) or the truncation of (``c .. c + w`` away from 0); ``w``
    is at least the float spacing at ``c`` (a decimal read through a float, such as
    ``0.3333333333333333``, keeps its double rounding).  ``fine`` holds the decimals with
    at least ``min_digits`` significant digits, ``coarse`` all of them (to tell a student
    that more digits are needed); both map the exact value to ``(low, high)`` offsets.

    >>> d = Decimals.of("0.333*x + 0.5*y + 2/3", 3)
    >>> [(str(k), float(lo), round(float(hi), 9)) for k, (lo, hi) in d.fine.items()]
    [('333/1000', -0.0005, 0.001)]
    >>> sorted(str(k) for k in d.coarse), d.fewest
    (['1/2', '333/1000'], 1)
    """

    fine: dict[Any, tuple[Any, Any]]
    coarse: dict[Any, tuple[Any, Any]]
    fewest: int
    min_digits: int

    @classmethod
    def of(cls, text: str, min_digits: int | None) -> Decimals | None:
        """The decimals of graphdiff ``text`` (None if there are none, or if decimals
        are exact: ``min_digits=None``)."""
        if min_digits is None:
            return None
        fine: dict[Any, tuple[Any, Any]] = {}
        coarse: dict[Any, tuple[Any, Any]] = {}
        fewest = 10**9
        for m in _DECIMAL.finditer(text):
            literal = m.group(0)
            try:
                written = decimal.Decimal(literal)
                # exactly the constant the parser builds from this literal
                value = sympy.Rational(repr(float(literal)))
            except (decimal.InvalidOperation, ValueError, OverflowError):
                continue
            if value == 0 or not math.isfinite(float(value)):
                continue
            digits = written.as_tuple().digits
            significant = len(digits) - next((k for k, d in enumerate(digits) if d), len(digits))
            exponent = int(written.as_tuple().exponent)
            unit = max(mpmath.mpf(10) ** exponent, abs(mpmath.mpf(float(value))) * 2.0**-51)
            # truncation reaches up to, not including, the next digit (1.999 is not 2)
            below = unit * (1 - mpmath.mpf(2) ** -20)
            interval = (-unit / 2, below) if value > 0 else (-below, unit / 2)
            for table in ((fine, coarse) if significant >= min_digits else (coarse,)):
                old = table.get(value)
                if old is None or old[1] - old[0] > interval[1] - interval[0]:
                    table[value] = interval  # the strictest reading of a repeated value
            fewest = min(fewest, significant)
        if not coarse:
            return None
        return cls(fine, coarse, fewest, min_digits)

    def cap(self, digits: int) -> Any:
        """Largest difference, relative to the values compared, that ``digits``
        significant digits can excuse."""
        return mpmath.mpf(10) ** (1 - digits) / 2

