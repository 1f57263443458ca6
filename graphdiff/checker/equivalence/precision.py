"""High precision (step 5): both values at a point at 50 digits, or more where needed.

The evaluation must be reliable against the rounding analysis (``u = 10^-dps``); then a
point is equal, different, or -- in the gray zone -- evaluated again with more digits: a
rounding difference shrinks and a real one stays.  A difference the decimals of the answer
explain, to the digits shown, is not a difference (step 6).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath

from ...graph import Graph
from .. import mpeval
from .decimals import Decimals
from .rounding import ROUNDING_FACTOR

#: Working precision (digits) of the high-precision check, and its relative thresholds.
DPS = 50
MP_EQUAL = mpmath.mpf("1e-35")
MP_DIFFERENT = mpmath.mpf("1e-20")
#: Extra digits of the recheck in the gray zone (50 -> 120 at first), and how much a
#: rounding difference must shrink there; equal there is ``10^(20 - digits)`` relative
#: (1e-100 at 120 digits).
RECHECK_DIGITS = 70
MP_SHRINK = mpmath.mpf("1e-30")
#: Highest precision the check raises to when an answer's intermediates cancel, and the
#: high-precision work allowed per answer (digits x nodes summed over its evaluations):
#: beyond it the remaining points are left undecided (deterministic, unlike a clock).
MAX_DPS = 1000
MP_BUDGET = 1_000_000

#: The correct answer at a point and a precision: ``(analysis, env, errors)`` (see
#: ``Reference.mp_analysis``), or the exception that stopped it.
ReferenceAt = Callable[[Mapping[str, float], int], Any]


@dataclass
class Check:
    """The high-precision outcome at one point."""

    status: str  # equal, digits, different, undefined, overflow, coarse, unresolved,
    #              unusable (nothing to measure against), reference (it fails at high
    #              precision), rounding (a domain error the answer's rounding may have made)
    expected: Any = None
    got: Any = None


@dataclass
class Pair:
    """Both values at one precision, with their rounding estimates."""

    a: Any
    r: Any
    d: Any          # |a - r|
    m: Any          # max(|a|, |r|)
    e: Any          # estimated rounding error of a - r
    e_r: Any        # ... of r alone
    floor: Any      # F: the scale reliability is measured against
    r_rounding: Any
    slack: tuple[Any, Any]

    def reliable(self) -> bool:
        return bool(self.e <= MP_EQUAL * self.floor)

    def known_scale(self) -> Any:
        """The larger of the two values that are known to more than their rounding (0
        if neither is): the scale the digits must resolve."""
        e_a = self.e - self.e_r
        known = [abs(v) for v, e in ((self.a, e_a), (self.r, self.e_r)) if abs(v) > 10 * e]
        return max(known, default=mpmath.mpf(0))

    def needed_dps(self, dps: int, scale: Any) -> int | None:
        """The precision at which the rounding estimate is below ``MP_EQUAL * scale``."""
        if not scale or not mpmath.isfinite(self.e):
            return None
        return dps + int(mpmath.ceil(mpmath.log10(self.e / (MP_EQUAL * scale)))) + 3


class HighPrecision:
    """The high-precision check of one answer, point by point, within the answer's
    budget of work (:data:`MP_BUDGET`)."""

    def __init__(self, reference_at: ReferenceAt, variables: Sequence[str], answer: Graph,
                 decimals: Decimals | None) -> None:
        self.reference_at = reference_at
        self.variables = variables
        self.answer = answer
        self.decimals = decimals
        self.left = MP_BUDGET

    def spend(self, dps: int) -> bool:
        self.left -= dps * len(self.answer)
        return self.left >= 0

    def check(self, point: Mapping[str, float]) -> Check:
        """Step 5: the high-precision verdict at one point."""
        fine = self.decimals.fine if self.decimals else None
        dps = DPS
        while True:
            pair = self.pair(point, dps, fine)
            if isinstance(pair, Check):
                if pair.status == "rounding" and dps < MAX_DPS:
                    dps = min(2 * dps, MAX_DPS)  # (1 + 10⁻²⁶⁷ is 1 to fewer digits)
                    continue
                return pair
            if not pair.reliable():
                if not pair.floor:
                    # Everything is 0 here (the variables, the correct answer and its
                    # scale): nothing to measure the answer's rounding against.
                    return Check("unusable", pair.r, pair.a)
                scale = pair.floor  # the answer's rounding hides too much: more digits
            elif pair.d <= MP_EQUAL * pair.m:
                return Check("equal", pair.r, pair.a)
            elif pair.d > MP_DIFFERENT * pair.m and pair.d > pair.e:
                return self.different(point, dps, pair)
            elif (scale := pair.known_scale()) and pair.e > MP_EQUAL * scale:
                # One value is known, but the other side's rounding hides its digits (the
                # answer sigmoid(-500) written with tanh, or the correct sigma*(1 - sigma)
                # at z = 300): more digits.  (Where neither value is above its rounding --
                # both about 0 -- the recheck below tells rounding from a difference.)
                pass
            else:
                return self.recheck(point, dps, pair)
            need = pair.needed_dps(dps, scale)
            if need is None or need > MAX_DPS:
                return Check("unresolved", pair.r, pair.a)
            dps = max(need, dps + 10)

    def recheck(self, point: Mapping[str, float], dps: int, pair: Pair) -> Check:
        """The gray zone: is the difference rounding (it shrinks with more digits) or real
        (it stays)?"""
        dps2 = dps + RECHECK_DIGITS
        pair2 = self.pair(point, dps2, self.decimals.fine if self.decimals else None)
        if isinstance(pair2, Check):
            return Check("unresolved", pair.r, pair.a)
        equal2 = mpmath.mpf(10) ** (20 - dps2)
        if pair2.d <= equal2 * pair2.m or (pair2.d <= pair2.e
                                           and pair2.d <= pair.d * MP_SHRINK):
            return Check("equal", pair2.r, pair2.a)
        if pair2.d > pair2.e and pair2.d >= pair.d / 2:
            return self.different(point, dps2, pair2)
        return Check("unresolved", pair2.r, pair2.a)

    def pair(self, point: Mapping[str, float], dps: int,
             decimals: Mapping[Any, tuple[Any, Any]] | None) -> Pair | Check:
        if not self.spend(dps):
            return Check("unresolved")
        got = self.reference_at(point, dps)
        if isinstance(got, Exception):
            return Check("reference")  # the correct answer itself fails at high precision
        reference, env, errors = got
        try:
            analysis = mpeval.analyse(self.answer, env, dps, input_errors=errors,
                                      decimals=decimals)
        except mpeval.MPRoundingDomain:
            return Check("rounding", reference.value)
        except mpeval.MPDomainError:
            return Check("undefined", reference.value)
        except mpeval.MPOverflow:
            # Too large to evaluate at high precision (numeric_compare decides what it means).
            return Check("overflow", reference.value)
        with mpmath.workdps(dps):
            a, r = analysis.value, reference.value
            unit = ROUNDING_FACTOR * mpmath.mpf(2) ** -mpmath.mp.prec
            e_r = unit * reference.rounding
            e = unit * analysis.rounding + e_r
            m = max(abs(a), abs(r))
            floor = max(m, reference.rounding, *(abs(env[v]) for v in self.variables))
            return Pair(a, r, abs(a - r), m, e, e_r, floor, reference.rounding, analysis.slack)

    def different(self, point: Mapping[str, float], dps: int, pair: Pair) -> Check:
        """A real difference -- unless the decimals of the answer, read to the digits shown,
        explain it (step 6)."""
        decimals = self.decimals
        if decimals is None:
            return Check("different", pair.r, pair.a)
        with mpmath.workdps(dps):
            scale = max(pair.m, pair.r_rounding)
            tol = pair.e + MP_EQUAL * pair.m
            if decimals.fine and _explained(pair.r - pair.a, pair.slack, tol) and \
                    pair.d <= decimals.cap(decimals.min_digits) * scale:
                return Check("digits", pair.r, pair.a)
            if len(decimals.coarse) > len(decimals.fine):
                coarse = self.pair(point, dps, decimals.coarse)
                if isinstance(coarse, Pair) and _explained(pair.r - pair.a, coarse.slack, tol) \
                        and pair.d <= decimals.cap(decimals.fewest) * scale:
                    return Check("coarse", pair.r, pair.a)
        return Check("different", pair.r, pair.a)


def _explained(gap: Any, slack: tuple[Any, Any], tol: Any) -> bool:
    return bool(slack[0] - tol <= gap <= slack[1] + tol)
