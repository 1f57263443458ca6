"""The numbers' verdict on one answer (steps 3-7): every point in floating point, the
points that are not clean -- and a few always -- at high precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...graph import Graph
from .decimals import Decimals
from .points import AT_KINK, POINT_KINDS, Points
from .precision import Check, HighPrecision
from .reference import Reference
from .rounding import FLOAT_TINY, float_analysis, float_check

#: Fewest usable random points for a numeric verdict "correct".
MIN_POINTS = 8
#: Random points always re-checked at high precision, and points beside the answer's own
#: kinks (those the correct answer does not have): a difference below float resolution
#: (``exp(x) + step(x - 50)``) is seen only there.
ALWAYS_CHECKED = 4
ALWAYS_CHECKED_KINKS = 4


@dataclass
class Outcome:
    """The numeric comparison of one answer with a :class:`Reference`.

    >>> import graphdiff as gd
    >>> outcome = numeric_compare(Reference(gd.parse("x + x")), gd.parse("2*x"))
    >>> outcome.status, outcome.kind
    ('equal', '')
    """

    status: str                     # "equal", "different", "inconclusive"
    kind: str = ""                  # for "different": "value", "undefined" or "overflow"
    index: int | None = None        # the counterexample's point (random points first)
    expected: Any = None
    got: Any = None
    usable: int = 0                 # random points where the answer is equal
    confirmed: int = 0              # points confirmed at high precision
    values: np.ndarray | None = None  # the answer's float values at the random points
    point: dict[str, float] | None = None  # the counterexample
    where: str = ""                 # its kind: "random", "wide", "beside a kink"
    extra: int = 0                  # wide and kink points where the answer was equal
    conventions: int = 0            # points at a kink where only the value there differs
    unresolved: int = 0             # points the answer's rounding left undecided
    truncated: bool = False         # the kink search hit a bound
    digits: bool = False            # equal only to the digits shown
    few_digits: int | None = None   # different, but right to the (too few) digits given




def numeric_compare(ref: Reference, answer: Graph, *,
                    decimals: Decimals | None = None) -> Outcome:
    """Steps 3-7 of the decision procedure (see the module docstring).

    >>> import graphdiff as gd
    >>> ref = Reference(gd.parse("2*x*y"))
    >>> same = numeric_compare(ref, gd.parse("y*x*2"))
    >>> same.status, same.usable, same.confirmed
    ('equal', 16, 4)
    >>> wrong = numeric_compare(ref, gd.parse("x*y"))
    >>> wrong.status, wrong.kind, wrong.index
    ('different', 'value', 0)
    >>> far = numeric_compare(Reference(gd.parse("x")), gd.parse("x + step(x - 20)"))
    >>> far.status, far.where
    ('different', 'wide')
    """
    if ref.variables and ref.count == 0:
        return Outcome("inconclusive")
    n0 = max(ref.count, 1)  # the random points come first
    own = ref.answer_kinks(answer)                                       # step 3
    pts = Points.join([p for p in (ref.base, ref.extra, own.points) if p is not None])
    a, rounding = float_analysis(answer, pts.env, pts.n, pts.errors)     # step 4
    clean, far = float_check(a, rounding, pts.values, pts.rounding)
    soft = pts.kind == AT_KINK
    outcome = Outcome("inconclusive", values=a[:n0], truncated=own.truncated or
                      ref.kinks_truncated, conventions=int((soft & ~clean).sum()))
    outcome.usable = int(clean[:n0].sum())
    outcome.extra = int((clean[n0:] & ~soft[n0:]).sum())
    high = HighPrecision(ref.mp_analysis, ref.variables, answer, decimals)  # step 5
    own_start = pts.n - (own.points.n if own.points is not None else 0)
    for i in _to_check(clean, soft, n0, own_start):
        status, check = _settle(high.check(pts.point(i)), pts.values[i], a[i], far[i])
        if status in ("different", "undefined", "overflow", "coarse"):
            return _counterexample(outcome, status, check, pts, i, decimals)
        _count(outcome, status, random=i < n0, clean=bool(clean[i]))
    needed = MIN_POINTS if ref.variables else 1                          # step 7
    if (outcome.usable >= needed and outcome.confirmed >= 1 and not outcome.unresolved
            and not outcome.truncated):
        outcome.status = "equal"
    return outcome


def _to_check(clean: np.ndarray, soft: np.ndarray, n0: int, own_start: int) -> list[int]:
    """The points to evaluate at high precision, in order: every point that is not clean
    (but those at a kink), the first random points and the first points beside the
    answer's own kinks (from ``own_start``) in any case."""
    n = len(clean)
    order = [i for i in range(n) if not clean[i] and not soft[i]]
    order += [i for i in range(min(ALWAYS_CHECKED, n0)) if clean[i]]
    order += [i for i in range(own_start, n) if clean[i] and not soft[i]
              ][:ALWAYS_CHECKED_KINKS]
    return order


def _settle(check: Check, r: float, a: float, far: bool) -> tuple[str, Check]:
    """The status of a point, where high precision could not finish (``overflow``,
    ``unresolved``) decided with the float values."""
    status = check.status
    if status == "rounding":
        # Undefined at the most digits, but perhaps only by their rounding
        # (log(1 + exp(3x)) at x = -1000 needs 1,300): neither checked nor blamed.
        return "unresolved", check
    if status not in ("overflow", "unresolved"):
        return status, check
    if abs(r) < FLOAT_TINY and abs(a) < FLOAT_TINY:
        # Both values are below the float range here (sigmoid(h), h = -40000): an
        # answer that cancels there can be neither checked nor blamed.  (An answer
        # that is not tiny there is not excused.)
        return "unusable", check
    if not np.isfinite(a):
        # not finite, and high precision does not resolve it: too large (inf in floats,
        # or beyond what high precision evaluates), or undefined
        overflows = check.status == "overflow" or np.isinf(a)
        return ("overflow" if overflows else "undefined"), check
    if far:
        # High precision cannot evaluate it, but the float difference is reliable
        # and far beyond rounding: a counterexample all the same.
        return "different", Check("different", r, a)
    return "unresolved", check


def _counterexample(outcome: Outcome, status: str, check: Check, pts: Points, i: int,
                    decimals: Decimals | None) -> Outcome:
    outcome.status = "different"
    outcome.kind = status if status in ("undefined", "overflow") else "value"
    outcome.index, outcome.point = i, pts.point(i)
    outcome.where = POINT_KINDS[int(pts.kind[i])]
    outcome.expected, outcome.got = check.expected, check.got
    if status == "coarse" and decimals is not None:
        outcome.few_digits = decimals.fewest
    return outcome


def _count(outcome: Outcome, status: str, *, random: bool, clean: bool) -> None:
    """Count a point that is no counterexample: confirmed equal (one more usable random or
    extra point if the floats had not already counted it), or not usable after all."""
    if status in ("equal", "digits"):
        outcome.confirmed += 1
        outcome.digits |= status == "digits"
        if not clean and random:
            outcome.usable += 1
        elif not clean:
            outcome.extra += 1
        return
    if random and clean:
        outcome.usable -= 1
    if status == "unresolved" or (status == "reference" and not clean):
        # Undecided -- also where the floats disagree and the correct answer
        # cannot be evaluated at high precision (cos(x^x) at x = 50): a
        # difference there cannot be confirmed, nor ruled out.
        outcome.unresolved += 1


def cached_outcome(ref: Reference, answer: Graph, text: str, min_digits: int | None) -> Outcome:
    """:func:`numeric_compare` of ``answer`` (read from ``text``), remembered by text in
    ``ref.outcomes``."""
    key = (text, min_digits)
    cached = ref.outcomes.get(key) if text else None
    if cached is not None:
        return cached
    result = numeric_compare(ref, answer, decimals=Decimals.of(text, min_digits))
    if text:
        ref.outcomes.put(key, result)
    return result
