"""Deciding whether a student's answer equals the correct one.

The decision procedure (also in docs/checker_teachers.md, with the reasons):

1. **Read** the answer with :func:`~graphdiff.checker.read_answer` and parse it with the
   core's safe parser under strict limits.  Anything that fails here is **invalid** (not
   graded), with the reason and the position.
2. **Sample points.**  ``points`` (16) *random points*, seeded (the same problem always
   gets the same points), stratified over magnitudes ``0.05-0.3``, ``0.3-1``, ``1-3``,
   ``3-7`` and over both signs for each variable (only one sign where the domain says so,
   or uniform inside an interval), never within 0.02 of a nonzero multiple of 1/2 (so
   ``sin(pi*x)`` is not mistaken for 0).  Then *extra points*: 8 *wide* points, one
   variable at a time in the bands ``1e-4-0.05``, ``7-30``, ``30-200``, ``200-1000`` (the
   outer 1% of an interval domain), from their own seeded stream, and *kink points* of
   the correct answer and of the answer (step 3).  A point is used only where the correct
   answer -- and, for a derivative, the function itself -- is defined and finite in
   floating point; otherwise it is resampled or dropped.
3. **Kink points.**  Each op with a kink, jump or branch point (the registry's
   ``Op.kinks``: ``relu``, ``step``, ``abs``, ``sign``, ``max``, ``min``, ``leaky_relu``,
   the denominator of ``/``, the base of ``sqrt``, ``log``, ``^``) gives a switching
   expression whose zeros are the kinks.  Along each variable (the others at one or two
   random points of different signs), its sign changes on a grid of 401 values (0 and
   +-1e-4..1e3 on a log scale, or the interval) are refined to 1e-9 relative (regula
   falsi), and dips toward 0 that the grid does not resolve (``relu(1e-6 - (x - 50)^2)``)
   are searched (parabolic steps).  At each kink ``t`` the checker adds the point at
   ``t``, points beside it, ``t +- (1e-6 |t| + 1e-9)``, and points midway between
   neighbouring kinks closer than that; where the points beside fall outside the correct
   answer's domain, it looks along the other variables for points where it is defined.
   A difference *at* a kink alone is a convention (``step(0)``, ``relu'(0)``, ``x/|x|``
   at 0) and is only recorded; beside and between kinks a difference counts.  The search
   is bounded by counts (24 switching expressions, 8 lines, 8 kinks per expression and
   line, 160 points); an answer with more distinct switching expressions is not judged
   correct by the numbers alone.
4. **Floating point**, all points at once (numpy), with a rounding analysis: forward
   error propagation through the ops themselves (each op adds its own rounding and the
   largest change of its value when an argument moves across its error interval --
   evaluated with ``Op.numpy``, not linearised, so a noisy argument of ``step`` or of a
   saturated ``tanh`` shows) gives each computation a rounding scale ``R``
   (``x*1e308 - 1e308*x`` has a huge one, ``(10^99 x)*0`` none).  With ``u = 2^-53`` and
   ``e = 16 u R`` for each side, a point is *clean* if the answer is finite, both errors
   are small against the values compared, ``e_answer, e_correct <= 1e-9 * max(|a|,
   |r|)``, and the difference is rounding, ``|a - r| <= e_answer + e_correct``.  The
   tolerance is relative to the *values compared*; the answer's intermediates never
   widen it.  Everything else goes to high precision, where the correct answer's own
   rounding scale is the floor.
5. **High precision.**  Every point that is not clean, and in any case the first 4 random
   points and 4 points beside kinks that only the answer has (a difference below float
   resolution, ``exp(x) + step(x - 50)``, is seen only there), are evaluated again at 50
   significant digits (mpmath) with the same analysis (``u = 10^-50``).  The evaluation
   must be *reliable*: ``e_answer + e_correct <= 1e-35 * F`` with ``F = max(|a|, |r|,
   R_correct, |inputs|)``; if not, the precision is raised to what the error estimate
   asks for (at most 1000 digits, and a bounded amount of work per answer).  Then the
   point is *equal* if ``|a - r| <= 1e-35 * max(|a|, |r|)``, *different* if ``|a - r| >
   1e-20 * max(|a|, |r|)`` and beyond the rounding estimate; in between (or where the
   answer's rounding still hides the digits of a nonzero correct value) it is evaluated
   again with more digits: a rounding difference shrinks (by 30 orders at least) and a
   real one stays.  An answer that is undefined (a domain error), not finite, or too large
   to evaluate where the correct answer is defined is *different*, unless it was only a
   floating-point artefact that the high-precision evaluation resolves.  One confirmed
   different point (random, wide or beside a kink) makes the answer **incorrect** -- a
   counterexample is a proof.  A point the answer's rounding leaves undecided makes the
   numbers inconclusive (unless both values are below the float range there).
6. **Digits shown.**  A decimal in the answer (``0.3333``, ``2.50``) with at least
   ``min_digits`` (3) significant digits stands for any value it is the rounding or the
   truncation of: a point whose difference those values explain (evaluated at both ends
   of each decimal's interval, only where the answer follows it smoothly) is equal "to
   the digits shown", provided the difference is within ``0.5 * 10^(1 - min_digits)`` of
   ``max(|r|, R_correct)``.  ``0.3333333333333333 x`` and ``0.333 x`` are correct for
   ``x/3``, ``0.33 x`` is not (too few digits: the feedback says so), ``2.0001 x`` is not
   for ``2 x`` (wrong in its last digit).
7. **Verdict.**  No different point, at least 8 usable random points, at least one
   confirmed at high precision, nothing inconclusive: **correct**.  Otherwise the numbers
   are inconclusive and step 8 decides.
8. **Symbolic proof** (``proof="auto"``: only when the numbers are inconclusive;
   ``"always"``: also to confirm a numeric "correct"; ``"never"``), in a worker process
   that is killed after ``timeout`` seconds (see :mod:`graphdiff.checker.proof`).  If it
   neither proves nor refutes, the verdict is **undecided** (flagged for a teacher).

Why not simply ``simplify(a - b) == 0``?  Because it rejects correct answers
(``tanh(x)`` and ``2*sigmoid(2*x) - 1``; ``log(x*y)`` and ``log(x) + log(y)`` for positive
x, y), can run forever, and still needs the domain.  Why not a loose tolerance? Because
``2.0001*x`` would pass for ``2*x``.  Why not integer points? Because ``sin(pi*x)`` would
pass for ``0``.  Why not a tolerance scaled by the intermediate values?  Because
``(10^99 x)*0`` would pass for anything.

>>> compare("2*x", "x + x").verdict
'correct'
>>> compare("2*x", "2.0001x").verdict
'incorrect'
>>> compare("0", "sin(pi x)", variables=["x"]).verdict
'incorrect'
>>> compare("x", "sqrt(x^2)").verdict
'incorrect'
>>> compare("x", "sqrt(x^2)", domain={"x": "positive"}).verdict
'correct'
>>> compare("4*x + 3*y", "(10^99 x)*0").verdict
'incorrect'
>>> compare("x", "x + step(x - 20)").verdict
'incorrect'
>>> compare("x", "x + relu(0.001 - abs(x - 1.2345))").verdict
'incorrect'
>>> compare("x/3", "0.3333333333333333*x").verdict, compare("x/3", "0.33*x").verdict
('correct', 'incorrect')
>>> v = compare("2*x", "2x +* 1")
>>> v.verdict, v.line, v.column
('invalid', 1, 5)
"""

from __future__ import annotations

import decimal
import itertools
import math
import re
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy

from ..convert import from_sympy
from ..errors import GraphdiffError
from ..graph import Graph, is_node
from ..ops import NUMPY, as_expr
from . import mpeval
from .answers import AnswerError, Reading, read_answer
from .messages import Message
from .proof import DEFAULT_TIMEOUT, prove

#: Random points per comparison.
DEFAULT_POINTS = 16
#: Fewest usable random points for a numeric verdict "correct".
MIN_POINTS = 8
#: Random points always re-checked at high precision, and points beside the answer's own
#: kinks (those the correct answer does not have): a difference below float resolution
#: (``exp(x) + step(x - 50)``) is seen only there.
ALWAYS_CHECKED = 4
ALWAYS_CHECKED_KINKS = 4
#: Largest float rounding error of the answer, relative to the values compared (or the
#: correct answer's own rounding scale), for a float-only ("clean") point.
FLOAT_TOL = 1e-9
#: Safety factor on the first-order rounding estimate (ops are not all correctly rounded,
#: and the estimate is first order).
ROUNDING_FACTOR = 16
#: Unit roundoff and smallest normal number of float64.
FLOAT_EPS = 2.0**-53
FLOAT_TINY = float(np.finfo(float).tiny)
#: Working precision (digits) of the high-precision check, and its relative thresholds.
DPS = 50
MP_EQUAL = mpmath.mpf("1e-35")
MP_DIFFERENT = mpmath.mpf("1e-20")
#: Extra digits of the recheck in the gray zone (50 -> 120), its relative threshold at 120
#: digits, and how much a rounding difference must shrink there.
RECHECK_DIGITS = 70
DPS_RECHECK = DPS + RECHECK_DIGITS
MP_EQUAL_RECHECK = mpmath.mpf("1e-100")
MP_SHRINK = mpmath.mpf("1e-30")
#: Highest precision the check raises to when an answer's intermediates cancel, and the
#: high-precision work allowed per answer (digits x nodes summed over its evaluations):
#: beyond it the remaining points are left undecided (deterministic, unlike a clock).
MAX_DPS = 1000
MP_BUDGET = 1_000_000
#: Magnitude bands of the random points.
BANDS = ((0.05, 0.3), (0.3, 1.0), (1.0, 3.0), (3.0, 7.0))
#: Magnitude bands and number of the wide points (tiny and large scales).
WIDE_BANDS = ((1e-4, 0.05), (7.0, 30.0), (30.0, 200.0), (200.0, 1000.0))
WIDE_POINTS = 8
#: Values closer than this to a multiple of 1/2 are resampled.
AWAY_FROM_HALVES = 0.02
#: Fewest significant digits of a decimal that stands for "correct to the digits shown".
MIN_DIGITS = 3

#: The kink search: grid values per side of 0, the log-scale range of the grid, at most
#: this many switching expressions, lines (variable x base point), kinks kept per
#: expression and line, and points in all; refinement steps.
KINK_GRID = 200
KINK_RANGE = (1e-4, 1e3)
MAX_SWITCHES = 24
MAX_LINES = 8
MAX_KINKS_PER_LINE = 8
MAX_KINK_POINTS = 160
#: Kinks whose beside points leave the correct answer's domain on their line, searched
#: along the other variables for points where it is defined.
MAX_CROSSINGS = 8
#: Wall-clock safety net of one kink search (seconds); the counts above bound it first.
KINK_TIME_LIMIT = 2.0
KINK_STEPS = 40
#: Offset of the points beside a kink ``t``: ``KINK_REL * |t| + KINK_ABS``.
KINK_REL = 1e-6
KINK_ABS = 1e-9

#: Numeric outcomes remembered per reference (by answer text).
OUTCOME_CACHE = 512

VERDICTS = ("correct", "incorrect", "invalid", "undecided")


# --- domains -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Domain:
    """Where the variables live: ``"real"`` (default), ``"positive"``, ``"negative"``,
    ``"nonzero"`` or an interval ``(low, high)`` per variable.

    >>> Domain.of({"x": "positive", "t": [0, 1]}).spec("t")
    (0.0, 1.0)
    """

    specs: tuple[tuple[str, Any], ...] = ()
    default: Any = "real"

    KINDS = ("real", "positive", "negative", "nonzero")

    @classmethod
    def of(cls, value: Domain | Mapping[str, Any] | str | None) -> Domain:
        """A Domain from a mapping such as ``{"x": "positive"}`` (or one kind for all)."""
        if isinstance(value, Domain):
            return value
        if value is None:
            return cls()
        if isinstance(value, str):
            return cls(default=_check_spec("*", value))
        specs = []
        default: Any = "real"
        for name, spec in value.items():
            checked = _check_spec(name, spec)
            if name in ("*", "default"):
                default = checked
            else:
                specs.append((name, checked))
        return cls(tuple(sorted(specs)), default)

    def spec(self, name: str) -> Any:
        for n, s in self.specs:
            if n == name:
                return s
        return self.default

    def sample(self, name: str, rng: np.random.Generator, n: int, shrink: float = 1.0,
               bands: Sequence[tuple[float, float]] = BANDS) -> np.ndarray:
        """``n`` stratified, non-integer values of ``name`` inside its domain."""
        spec = self.spec(name)
        if isinstance(spec, tuple):
            low, high = spec
            if math.isinf(low) or math.isinf(high):
                mags = _magnitudes(rng, n, shrink, bands)
                return (low + mags) if not math.isinf(low) else (high - mags)
            width = high - low
            values = rng.uniform(low + 0.01 * width, high - 0.01 * width, n)
            if width > 0.5:
                for _ in range(20):
                    near = _near_halves(values)
                    if not near.any():
                        break
                    values[near] = rng.uniform(low + 0.01 * width, high - 0.01 * width,
                                               int(near.sum()))
            return values
        mags = _magnitudes(rng, n, shrink, bands)
        if spec == "positive":
            return mags
        if spec == "negative":
            return -mags
        signs = np.where(rng.permutation(n) % 2 == 0, 1.0, -1.0)
        return signs * mags

    def sample_wide(self, name: str, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` values at the scales the random points leave out: tiny and large
        magnitudes (:data:`WIDE_BANDS`), or the outer 1% at each end of an interval.

        >>> rng = np.random.default_rng(0)
        >>> bool(np.all(np.abs(Domain().sample_wide("x", rng, 8)) >= 1e-4))
        True
        >>> v = Domain.of({"t": [0, 1]}).sample_wide("t", rng, 8)
        >>> bool(np.all((v <= 0.01) | (v >= 0.99)))
        True
        """
        spec = self.spec(name)
        if isinstance(spec, tuple) and not (math.isinf(spec[0]) or math.isinf(spec[1])):
            low, high = spec
            offsets = rng.uniform(0.0, 0.01 * (high - low), n)
            return np.where(rng.permutation(n) % 2 == 0, low + offsets, high - offsets)
        return self.sample(name, rng, n, bands=WIDE_BANDS)

    def contains(self, name: str, values: np.ndarray) -> np.ndarray:
        """Which ``values`` lie in the domain of ``name``.

        >>> Domain.of({"x": "positive"}).contains("x", np.array([-1.0, 0.0, 2.0])).tolist()
        [False, False, True]
        """
        values = np.asarray(values, dtype=float)
        spec = self.spec(name)
        with np.errstate(invalid="ignore"):
            if isinstance(spec, tuple):
                return (values >= spec[0]) & (values <= spec[1])
            inside = {"positive": values > 0, "negative": values < 0,
                      "nonzero": values != 0}.get(spec, np.isfinite(values))
        return inside & np.isfinite(values)

    def grid(self, name: str) -> np.ndarray:
        """Values of ``name`` on which the kink search looks for sign changes: 0 and
        ``+-1e-4 .. 1e3`` on a log scale (the closure of the domain), or the interval.

        >>> g = Domain().grid("x")
        >>> len(g), float(g.min()), float(g.max()), bool(0.0 in g)
        (401, -1000.0, 1000.0, True)
        """
        spec = self.spec(name)
        logs = np.logspace(math.log10(KINK_RANGE[0]), math.log10(KINK_RANGE[1]), KINK_GRID)
        if isinstance(spec, tuple):
            low, high = spec
            if math.isinf(low) and math.isinf(high):
                return np.concatenate([-logs[::-1], [0.0], logs])
            if math.isinf(high):
                return np.concatenate([[low], low + logs])
            if math.isinf(low):
                return np.concatenate([high - logs[::-1], [high]])
            return np.linspace(low, high, 2 * KINK_GRID + 1)
        if spec == "positive":
            return np.concatenate([[0.0], logs])
        if spec == "negative":
            return np.concatenate([-logs[::-1], [0.0]])
        return np.concatenate([-logs[::-1], [0.0], logs])

    def assumptions(self, name: str) -> dict[str, bool]:
        """sympy assumptions for the symbolic proof."""
        spec = self.spec(name)
        if spec == "positive" or (isinstance(spec, tuple) and spec[0] >= 0):
            return {"positive": True}
        if spec == "negative" or (isinstance(spec, tuple) and spec[1] <= 0):
            return {"negative": True}
        return {"real": True}

    def key(self) -> tuple[Any, ...]:
        return (self.specs, self.default)


def _check_spec(name: str, spec: Any) -> Any:
    if isinstance(spec, str):
        if spec not in Domain.KINDS:
            raise GraphdiffError(f"domain of {name}: {spec!r} is not one of "
                                 f"{', '.join(Domain.KINDS)} or an interval [low, high]")
        return spec
    if isinstance(spec, list | tuple) and len(spec) == 2:
        low, high = (float(v) for v in spec)
        if not low < high:
            raise GraphdiffError(f"domain of {name}: the interval [{low}, {high}] is empty")
        return (low, high)
    raise GraphdiffError(f"domain of {name}: expected a kind or [low, high], got {spec!r}")


def _near_halves(values: np.ndarray) -> np.ndarray:
    """Values within AWAY_FROM_HALVES of a nonzero multiple of 1/2 (where sin(2πx) and
    the like vanish).  Small values near 0 are kept: small domains need them."""
    twice = values * 2
    nearest = np.round(twice)
    return (nearest != 0) & (np.abs(twice - nearest) < 2 * AWAY_FROM_HALVES)


def _magnitudes(rng: np.random.Generator, n: int, shrink: float,
                bands: Sequence[tuple[float, float]] = BANDS) -> np.ndarray:
    scaled = np.array(bands) * shrink
    index = rng.permutation(n) % len(scaled)
    low, high = scaled[index, 0], scaled[index, 1]
    values = np.exp(rng.uniform(np.log(low), np.log(high)))
    for _ in range(20):
        near = _near_halves(values)
        if not near.any():
            break
        values[near] = np.exp(rng.uniform(np.log(low[near]), np.log(high[near])))
    return values


# --- verdicts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing one answer with the correct one.

    Attributes
    ----------
    verdict : str
        ``"correct"``, ``"incorrect"``, ``"invalid"`` (unreadable: not graded) or
        ``"undecided"`` (the check could not decide: a teacher should look).
    reason : Message
        Why (render with ``.render(lang)``).
    read_as : str or None
        The answer as it was read, in plain graphdiff syntax.
    warnings, notes : tuple of Message
        Ambiguities in the answer and remarks on the reading.
    feedback : tuple of Message
        What is probably wrong (missing paths, sign error, ...); codes in :attr:`codes`.
    method : str
        How it was decided: ``"numeric"``, ``"symbolic"``, ``"numeric+symbolic"``,
        ``"read"`` (invalid) or ``"exact"`` (numbers, path lists).
    line, column, excerpt :
        Position of the problem in an invalid answer.
    details : dict
        Points used, the counterexample, the proof outcome.

    >>> v = Verdict("correct", Message("equivalent", {"points": 16, "digits": 50}),
    ...             read_as="2*x", method="numeric")
    >>> v.correct, v.codes
    (True, ())
    >>> print(v.explain())
    correct: equal to the correct answer at 16 random points (checked to 50 digits)
    read as: 2*x
    """

    verdict: str
    reason: Message
    read_as: str | None = None
    warnings: tuple[Message, ...] = ()
    notes: tuple[Message, ...] = ()
    feedback: tuple[Message, ...] = ()
    method: str = ""
    line: int | None = None
    column: int | None = None
    excerpt: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    @property
    def codes(self) -> tuple[str, ...]:
        """The feedback codes (``("missing_path",)``)."""
        return tuple(f.code for f in self.feedback)

    def reason_text(self, lang: str = "en") -> str:
        text = self.reason.render(lang)
        if self.line is not None:
            text = Message("invalid_at", {"line": self.line, "column": self.column,
                                          "reason": text}).render(lang)
        return text

    def explain(self, lang: str = "en") -> str:
        """Verdict, reason, reading, warnings and feedback as a few lines of text."""
        lines = [f"{Message('verdict_' + self.verdict).render(lang)}: {self.reason_text(lang)}"]
        if self.excerpt:
            lines.append(self.excerpt)
        if self.read_as is not None:
            lines.append(f"{Message('report_read_as').render(lang)}: {self.read_as}")
        lines += [f"! {w.render(lang)}" for w in self.warnings]
        lines += [f"- {n.render(lang)}" for n in self.notes]
        lines += [f"* {f.render(lang)}" for f in self.feedback]
        return "\n".join(lines)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """JSON-ready data; texts rendered in ``lang``, codes kept for machines."""
        return {
            "verdict": self.verdict,
            "reason": {**self.reason.to_dict(lang), "text": self.reason_text(lang)},
            "read_as": self.read_as,
            "warnings": [w.to_dict(lang) for w in self.warnings],
            "notes": [n.to_dict(lang) for n in self.notes],
            "feedback": [f.to_dict(lang) for f in self.feedback],
            "method": self.method,
            "position": None if self.line is None else {"line": self.line,
                                                         "column": self.column},
            "details": {k: _plain_json(v) for k, v in self.details.items()},
        }

    def __repr__(self) -> str:
        return f"<Verdict {self.verdict}: {self.reason_text()}>"


def _plain_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_json(v) for v in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else str(value)
    return str(value)


def invalid(error: AnswerError, reading: Reading | None = None) -> Verdict:
    """The verdict for an answer that cannot be read.

    >>> try:
    ...     read_answer("2x +", names=["x"])
    ... except AnswerError as err:
    ...     v = invalid(err)
    >>> v.verdict, v.method, v.line, v.column
    ('invalid', 'read', 1, 5)
    >>> v.reason_text()
    "line 1, column 5: expected a number, a name, a function or '(' here"
    """
    return Verdict(
        "invalid", error.message, read_as=reading.expression if reading else None,
        warnings=reading.warnings if reading else (), notes=reading.notes if reading else (),
        method="read", line=error.line, column=error.column, excerpt=error.excerpt,
    )


# --- formatting ------------------------------------------------------------------------------


def _fmt_pair(expected: Any, got: Any) -> tuple[str, str]:
    """Both values with enough digits to show that they differ."""
    for digits in (8, 12, 16, 24, 32, 50):
        a = mpmath.nstr(mpmath.mpf(expected), digits)
        b = mpmath.nstr(mpmath.mpf(got), digits)
        if a != b:
            return a, b
    return a, b


def _fmt(value: Any) -> str:
    if isinstance(value, mpmath.mpf):
        return mpmath.nstr(value, 8)
    value = float(value)
    if value == 0:
        return "0"
    return f"{value:.6g}"


# --- points ---------------------------------------------------------------------------------

#: Kinds of points: random (the stratified sample), wide, beside or between kinks, and *at*
#: a kink (a difference there alone is a convention, not a counterexample).
RANDOM, WIDE, BESIDE_KINK, AT_KINK = 0, 1, 2, 3
POINT_KINDS = ("random", "wide", "beside a kink", "at a kink")


@dataclass
class Points:
    """Points with the correct answer's float values and rounding scales there.

    ``env`` holds the variables and the node names (``c = x + y``) computed from them;
    ``errors`` the rounding scales of those names; ``rounding`` the correct
    answer's rounding scale (see :func:`float_analysis`); ``kind`` one of ``RANDOM``,
    ``WIDE``, ``BESIDE_KINK``, ``AT_KINK`` per point.
    """

    variables: tuple[str, ...]
    env: dict[str, np.ndarray]
    errors: dict[str, np.ndarray]
    values: np.ndarray
    rounding: np.ndarray
    kind: np.ndarray

    @property
    def n(self) -> int:
        return len(self.values)

    def point(self, i: int) -> dict[str, float]:
        return {v: float(self.env[v][i]) for v in self.variables}

    @classmethod
    def join(cls, parts: Sequence[Points]) -> Points:
        first = parts[0]
        return cls(first.variables,
                   {k: np.concatenate([p.env[k] for p in parts]) for k in first.env},
                   {k: np.concatenate([p.errors[k] for p in parts]) for k in first.errors},
                   np.concatenate([p.values for p in parts]),
                   np.concatenate([p.rounding for p in parts]),
                   np.concatenate([p.kind for p in parts]))


def float_analysis(graph: Graph, env: Mapping[str, np.ndarray], n: int,
                   errors: Mapping[str, np.ndarray] | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Output values (nan where undefined) and rounding scales of ``graph`` on a batch.

    The rounding scale ``R`` bounds the float error of the output by ``R * 2**-53``, by
    forward error propagation with the registry's ops (``Op.numpy``, ``Op.domain``): each
    op adds its own rounding ``2**-53 |w|`` and the largest change of its value when an
    argument moves across its error interval -- evaluated, not linearised, so a noisy
    argument of a jump (``step``) or of a saturated ``tanh`` counts as what it can do.
    Constants that are not exact in binary and inputs with an ``errors`` entry (a
    rounding scale of their own: node names) start with an error; other inputs are exact.
    Large when intermediates cancel, nothing for an exact computation, inf where an error
    interval leaves the domain.

    >>> import graphdiff as gd
    >>> env = {"x": np.array([3.0, -2.0])}
    >>> out, rounding = float_analysis(gd.parse("x*1e300 - 1e300*x + x"), env, 2)
    >>> out.tolist(), [f"{r:.0e}" for r in rounding]
    ([3.0, -2.0], ['2e+301', '1e+301'])
    >>> float_analysis(gd.parse("(1e300*x)*0 + x"), env, 2)[1].tolist()
    [3.0, 2.0]
    """
    point = {name: env.get(name, 0.0) for name in graph.inputs}
    errors = errors or {}
    names = dict(zip(graph.input_ids, graph.inputs, strict=True))
    bound: dict[int, Any] = {}
    with np.errstate(all="ignore"):
        vals = graph.values(point, on_domain_error="nan")
        for i in graph.order:
            op = graph.op(i)
            if op is None:
                name = names.get(i)
                bound[i] = FLOAT_EPS * errors[name] if name in errors else 0.0
                continue
            value = vals[i]
            error = FLOAT_EPS * np.abs(value)
            raw = graph.args(i)
            args = [vals[a] if is_node(a) else float(a) for a in raw]
            for pos, a in enumerate(raw):
                if is_node(a):
                    width = bound[a]
                elif mpeval._exact_in_binary(a, 53):
                    continue
                else:
                    width = FLOAT_EPS * abs(args[pos])
                if not np.any(width):
                    continue
                # At least one ulp: a move below half an ulp would round away.
                width = np.where(width > 0, np.fmax(width, np.abs(np.spacing(args[pos]))), 0.0)
                change = np.zeros(np.shape(value))
                for sign in (1.0, -1.0):
                    moved = list(args)
                    moved[pos] = args[pos] + sign * width
                    other = op.numpy(*moved)
                    outside = op.domain(*moved) if op.domain is not None else False
                    step = np.where(outside | ~np.isfinite(other), np.inf,
                                    np.abs(other - value))
                    change = np.fmax(change, step)
                error = error + change
            bound[i] = error
        out_id = graph.output_ids[0]
        out = np.broadcast_to(np.asarray(vals[out_id], dtype=float), (n,)).copy()
        rounding = np.broadcast_to(np.asarray(bound[out_id], dtype=float), (n,)) / FLOAT_EPS
        rounding = np.where(np.isnan(rounding) | np.isnan(out), np.inf, rounding)
    return out, rounding


def _node_values(graph: Graph, env: Mapping[str, np.ndarray], n: int) -> list[Any]:
    point = {name: env.get(name, 0.0) for name in graph.inputs}
    with np.errstate(all="ignore"):
        return graph.values(point, on_domain_error="nan")


# --- the reference ---------------------------------------------------------------------------


class Reference:
    """The correct answer, prepared for comparisons: sample points and values.

    Parameters
    ----------
    graph : Graph
        The correct answer as a graph; its inputs are variables or ``names``.
    variables : sequence of str, optional
        The variables (default: the graph's inputs that are not names).
    names : mapping of str to Graph, optional
        Node names an answer may use (``c`` for ``x + y``), as graphs over the variables.
    domain : Domain or mapping, optional
    guards : sequence of Graph
        Graphs that must be defined at every point (the function being differentiated).
    seed : int, optional
        Seed of the points (default: derived from the reference, so stable).
    points : int
        Random points (wide and kink points come on top).

    >>> import graphdiff as gd
    >>> ref = Reference(gd.parse("2*x*y"))
    >>> ref.variables, ref.count, ref.extra.n
    (('x', 'y'), 16, 8)
    >>> judge(ref, "2yx").verdict, judge(ref, "x*y").verdict
    ('correct', 'incorrect')
    >>> sorted({round(float(t), 6) for t in Reference(gd.parse("relu(x - 7.2)")).extra.env["x"]
    ...         if 7 < t < 7.4})
    [7.199993, 7.2, 7.200007]
    """

    def __init__(self, graph: Graph, *, variables: Sequence[str] | None = None,
                 names: Mapping[str, Graph] | None = None,
                 domain: Domain | Mapping[str, Any] | str | None = None,
                 guards: Sequence[Graph] = (), seed: int | None = None,
                 points: int = DEFAULT_POINTS, functions: Mapping[str, str] | None = None,
                 ) -> None:
        if len(graph.outputs) != 1:
            raise GraphdiffError("the reference must have exactly one output")
        self.graph = graph
        self.names = dict(names or {})
        if variables is None:
            variables = [v for v in graph.inputs if v not in self.names]
            for g in (*self.names.values(), *guards):
                variables += [v for v in g.inputs if v not in variables]
        self.variables = tuple(variables)
        unknown = [v for v in used_inputs(graph)
                   if v not in self.variables and v not in self.names]
        if unknown:
            raise GraphdiffError(f"the reference uses {', '.join(unknown)}, which is not a "
                                 "variable or a name")
        self.domain = Domain.of(domain)
        self.guards = tuple(guards)
        self.functions = dict(functions or {})
        self.n_points = points
        if seed is None:
            seed = zlib.crc32(f"{graph.source}|{self.variables}".encode())
        self.seed = seed
        self._mp_cache: dict[tuple[Any, ...], Any] = {}
        #: Numeric outcomes by answer text: a class writes the same answers many times.
        self._outcomes: OrderedDict[tuple[str, int | None], Outcome] = OrderedDict()
        self._lines: _Lines | None = None
        self.switch_keys: set[bytes] = set()
        self._prepare()

    # sampling
    def _prepare(self) -> None:
        rng = np.random.default_rng(self.seed)
        want = self.n_points
        chosen: dict[str, list[float]] = {v: [] for v in self.variables}
        count = 0
        plans = [(1.0, 4), (1.0, 4), (1.0, 8), (0.3, 8), (0.1, 16)]
        for shrink, factor in plans:
            n = max(want * factor, 8)
            candidates = {v: self.domain.sample(v, rng, n, shrink) for v in self.variables}
            ok = self._valid(candidates, n)
            for j in np.flatnonzero(ok):
                if count >= want:
                    break
                for v in self.variables:
                    chosen[v].append(float(candidates[v][j]))
                count += 1
            if count >= want:
                break
        if not self.variables:
            count = want = 1
        self.count = count
        self.points = {v: np.array(chosen[v], dtype=float) for v in self.variables}
        self.base = self._points(self.points, count, RANDOM)
        self.env = self.base.env
        self.values = self.base.values
        self.rounding = self.base.rounding
        #: The largest |intermediate value| at each point (kept for callers; the
        #: comparison uses the rounding scale :attr:`rounding`).
        self.scale = _values(self.graph, self.env, count)[1]
        parts = [self._wide()]
        kinks = _find_kinks(self, [self.graph, *self.names.values(), *self.guards], set())
        self.switch_keys = kinks.keys
        self.kinks_truncated = kinks.truncated
        parts.append(kinks.points)
        self.extra = Points.join([self._empty(), *(p for p in parts if p is not None)])

    def _empty(self) -> Points:
        return self._points({v: np.zeros(0) for v in self.variables}, 0, RANDOM)

    def _points(self, coords: Mapping[str, np.ndarray], n: int, kind: int | np.ndarray
                ) -> Points:
        env, errors = self._env_errors(coords, n)
        values, rounding = float_analysis(self.graph, env, n, errors)
        kinds = np.broadcast_to(np.asarray(kind, dtype=np.int8), (n,)).copy()
        return Points(self.variables, env, errors, values, rounding, kinds)

    def _wide(self) -> Points | None:
        """The wide points: one variable at a time at a tiny or large magnitude, the
        others at a random point's values (far in every variable at once mostly gives
        values beyond the float range), from their own seeded stream (so the random
        points are the same as without them)."""
        if not self.variables or self.count == 0:
            return None
        rng = np.random.default_rng([self.seed, 1])
        n = 4 * WIDE_POINTS
        nv = len(self.variables)
        index = np.arange(n)
        base = (index // nv) % self.count
        candidates = {v: np.where(index % nv == k, self.domain.sample_wide(v, rng, n),
                                  self.points[v][base])
                      for k, v in enumerate(self.variables)}
        chosen = np.flatnonzero(self._valid(candidates, n))[:WIDE_POINTS]
        return self._points({v: candidates[v][chosen] for v in self.variables},
                            len(chosen), WIDE)

    def _env(self, points: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
        return self._env_errors(points, n)[0]

    def _env_errors(self, points: Mapping[str, np.ndarray], n: int
                    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        env = {v: np.asarray(points[v], dtype=float) for v in self.variables}
        errors = {}
        for name, g in self.names.items():
            env[name], errors[name] = float_analysis(g, env, n)
        return env, errors

    def _valid(self, candidates: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        env = self._env(candidates, n)
        ok = np.ones(n, dtype=bool)
        for name in self.names:
            ok &= np.isfinite(env[name])
        for g in (self.graph, *self.guards):
            out = _values(g, env, n)[0]
            ok &= np.isfinite(out)
        return ok

    def point(self, i: int) -> dict[str, float]:
        return {v: float(self.points[v][i]) for v in self.variables}

    def point_text(self, i: int) -> str:
        return _point_text(self.point(i))

    # the kink search's lines
    def lines(self) -> _Lines | None:
        """The lines of the kink search (cached): along each variable, the others at one
        or two random points -- the second with other signs where there is one, so that
        both sides of a domain such as ``y/x > 0`` are crossed."""
        if self._lines is None and self.variables and self.count:
            chosen = self.variables[:MAX_LINES]
            per = max(1, min(2, MAX_LINES // len(chosen), self.count))
            lines = []
            for v in chosen:
                others = [self.points[w] for w in self.variables if w != v]
                signs = [tuple(np.sign(o[j]) for o in others) for j in range(self.count)]
                fresh = [j for j in range(1, self.count) if signs[j] != signs[0]]
                bases = [0, *fresh, *range(1, self.count)]
                lines += [(v, j) for j in list(dict.fromkeys(bases))[:per]]
            grids = [self.domain.grid(v) for v, _ in lines]
            index = np.concatenate([np.full(len(g), k) for k, g in enumerate(grids)])
            t = np.concatenate(grids)
            coords = self.line_coords(lines, index, t)
            env, _ = self._env_errors(coords, len(t))
            self._lines = _Lines(lines, index, t, env)
        return self._lines

    def line_coords(self, lines: Sequence[tuple[str, int]], index: np.ndarray,
                    t: np.ndarray) -> dict[str, np.ndarray]:
        """The variables at parameter ``t`` of the lines ``index``."""
        base = np.array([j for _, j in lines], dtype=int)[index]
        moving = np.array([self.variables.index(v) for v, _ in lines], dtype=int)[index]
        return {v: np.where(moving == k, t, self.points[v][base])
                for k, v in enumerate(self.variables)}

    def outcome(self, answer: Graph, text: str, min_digits: int | None) -> Outcome:
        """:func:`numeric_compare` of ``answer`` (read from ``text``), cached by text."""
        key = (text, min_digits)
        cached = self._outcomes.get(key) if text else None
        if cached is not None:
            self._outcomes.move_to_end(key)
            return cached
        result = numeric_compare(self, answer, decimals=Decimals.of(text, min_digits))
        if text:
            self._outcomes[key] = result
            if len(self._outcomes) > OUTCOME_CACHE:
                self._outcomes.popitem(last=False)
        return result

    def answer_kinks(self, answer: Graph) -> _KinkSearch:
        """Points at and beside the kinks of ``answer`` that the reference's own kink
        points do not already cover."""
        if not any(answer.op(v) is not None and answer.op(v).kinks is not None
                   for v in answer.order):
            return _KinkSearch(None, set(), False)
        return _find_kinks(self, [answer], self.switch_keys)

    # high precision
    def mp_analysis(self, point: Mapping[str, float], dps: int) -> Any:
        """``(analysis, env, errors)`` of the reference at ``point`` and ``dps`` digits
        (cached), or the exception that stopped it.  ``env`` holds the variables and
        node names as mpf; ``errors`` the names' rounding scales."""
        key = (tuple(point[v] for v in self.variables), dps)
        cached = self._mp_cache.get(key)
        if cached is None:
            try:
                with mpmath.workdps(dps):
                    env = {v: mpmath.mpf(point[v]) for v in self.variables}
                    errors = {}
                    for name, g in self.names.items():
                        named = mpeval.analyse(g, env, dps)
                        env[name] = named.value
                        errors[name] = named.rounding
                cached = (mpeval.analyse(self.graph, env, dps, input_errors=errors), env,
                          errors)
            except (mpeval.MPDomainError, mpeval.MPOverflow) as err:
                cached = err
            if len(self._mp_cache) > 20_000:
                self._mp_cache.clear()
            self._mp_cache[key] = cached
        return cached

    def mp_env(self, i: int, dps: int) -> dict[str, Any]:
        """The variables and names at random point ``i`` as mpf (``{}`` if undefined)."""
        got = self.mp_analysis(self.point(i), dps)
        return {} if isinstance(got, Exception) else got[1]

    def mp_value(self, i: int, dps: int) -> Any:
        """(value, rounding scale) of the reference at random point i, or an exception."""
        got = self.mp_analysis(self.point(i), dps)
        return got if isinstance(got, Exception) else (got[0].value, got[0].rounding)

    def sympy_names(self) -> dict[str, sympy.Expr]:
        return {n: g.to_sympy() for n, g in self.names.items()}

    def read(self, answer: str) -> Reading:
        return read_answer(answer, names=[*self.variables, *self.names],
                           functions=self.functions)


def _point_text(point: Mapping[str, float]) -> str:
    return ", ".join(f"{v} = {_fmt(x)}" for v, x in point.items()) or "—"


def used_inputs(graph: Graph) -> list[str]:
    """The inputs the output depends on (a graph may carry unused inputs).

    >>> import graphdiff as gd
    >>> g = gd.parse("x*y", inputs=["x", "y", "z"])
    >>> g.inputs, used_inputs(g)
    (('x', 'y', 'z'), ['x', 'y'])
    """
    return [graph.name(i) for i in graph.input_ids
            if graph.nx.out_degree(i) or i in graph.output_ids]


def _values(graph: Graph, env: Mapping[str, np.ndarray], n: int) -> tuple[np.ndarray,
                                                                           np.ndarray]:
    """Output values and largest |intermediate| of ``graph`` on the batch ``env`` (nan if
    undefined).  Unused inputs missing from ``env`` get 0."""
    vals = _node_values(graph, env, n)
    with np.errstate(all="ignore"):
        out = np.broadcast_to(np.asarray(vals[graph.output_ids[0]], dtype=float), (n,)).copy()
        scale = np.abs(out)
        for i in graph.order:
            if graph.kind(i) == "op":
                v = np.abs(np.broadcast_to(np.asarray(vals[i], dtype=float), (n,)))
                scale = np.fmax(scale, v)
    return out, scale


# --- kinks -----------------------------------------------------------------------------------


@dataclass
class _Lines:
    """The kink search's lines (a variable moving, the others at a random point) and the
    grid on them, stacked: ``index`` says which line each grid value belongs to."""

    lines: list[tuple[str, int]]
    index: np.ndarray
    t: np.ndarray
    env: dict[str, np.ndarray]


@dataclass
class _KinkSearch:
    points: Points | None
    keys: set[bytes]
    truncated: bool


@dataclass
class _Switch:
    graph: int
    node: int
    k: int


def _switches_of(graph: Graph, vals: list[Any], node: int, n: int) -> list[np.ndarray]:
    """The values of the switching expressions of ``node`` (``Op.kinks``)."""
    op = graph.op(node)
    assert op is not None and op.kinks is not None
    args = [vals[a] if is_node(a) else float(a) for a in graph.args(node)]
    with np.errstate(all="ignore"):
        return [np.broadcast_to(np.asarray(s, dtype=float), (n,)).copy()
                for s in op.kinks(NUMPY, *args)]


def _switch_key(s: np.ndarray) -> bytes:
    """Identifies a switching expression by its values on the grid (duplicates such as
    the bases of ``x^2`` and ``x^3`` are searched once)."""
    with np.errstate(all="ignore"):
        rounded = np.where(np.isfinite(s), np.float32(s), np.nan)
    return rounded.tobytes()


class _Prober:
    """Evaluates switching expressions at arbitrary points of the lines, batched per graph."""

    def __init__(self, ref: Reference, lines: _Lines, graphs: Sequence[Graph],
                 switches: Sequence[_Switch]) -> None:
        self.ref, self.lines, self.graphs, self.switches = ref, lines, graphs, switches
        # A safety net only (the search is bounded by counts): past it, the search stops
        # and the answer cannot be judged correct by the numbers (machine-dependent,
        # but only ever toward "undecided").
        self.deadline = time.monotonic() + KINK_TIME_LIMIT
        self.expired = False

    def __call__(self, sid: np.ndarray, line: np.ndarray, t: np.ndarray) -> np.ndarray:
        out = np.full(len(t), np.nan)
        if self.expired or time.monotonic() > self.deadline:
            self.expired = True
            return out  # nan ends every refinement
        owner = np.array([self.switches[s].graph for s in sid], dtype=int)
        for gi in np.unique(owner):
            mask = owner == gi
            m = int(mask.sum())
            coords = self.ref.line_coords(self.lines.lines, line[mask], t[mask])
            env = self.ref._env(coords, m)
            graph = self.graphs[gi]
            vals = _node_values(graph, env, m)
            local = sid[mask]
            values = np.full(m, np.nan)
            for s in np.unique(local):
                sw = self.switches[s]
                pick = local == s
                values[pick] = _switches_of(graph, vals, sw.node, m)[sw.k][pick]
            out[mask] = values
        return out


def _find_kinks(ref: Reference, graphs: Sequence[Graph], known: set[bytes]) -> _KinkSearch:
    """Points at, beside and between the kinks of ``graphs`` (see the module docstring)."""
    lines = ref.lines()
    if lines is None:
        return _KinkSearch(None, set(), False)
    n = len(lines.t)
    switches: list[_Switch] = []
    grid_values: list[np.ndarray] = []
    keys: set[bytes] = set()
    truncated = False
    for gi, graph in enumerate(graphs):
        nodes = [v for v in graph.order
                 if graph.op(v) is not None and graph.op(v).kinks is not None]  # type: ignore[union-attr]
        if not nodes:
            continue
        vals = _node_values(graph, lines.env, n)
        for v in nodes:
            for k, s in enumerate(_switches_of(graph, vals, v, n)):
                key = _switch_key(s)
                if key in known or key in keys:
                    continue
                if len(switches) >= MAX_SWITCHES:
                    truncated = True
                    continue
                keys.add(key)
                switches.append(_Switch(gi, v, k))
                grid_values.append(s)
    if not switches:
        return _KinkSearch(None, keys, truncated)
    probe = _Prober(ref, lines, graphs, switches)
    roots = _roots_on_grid(lines, grid_values, probe)
    return _KinkSearch(_kink_points(ref, lines, roots), keys, truncated or probe.expired)


def _spread(indices: np.ndarray, cap: int) -> np.ndarray:
    """At most ``cap`` of ``indices``, evenly spread (deterministic)."""
    if len(indices) <= cap:
        return indices
    return indices[np.unique(np.linspace(0, len(indices) - 1, cap).round().astype(int))]


def _roots_on_grid(lines: _Lines, grid_values: Sequence[np.ndarray], probe: _Prober
                   ) -> list[tuple[int, int, float]]:
    """``(switch, line, t)`` for the zeros of each switching expression along each line:
    sign changes on the grid refined by regula falsi (Illinois), and dips toward 0 that
    the grid does not resolve searched by parabolic steps."""
    index, t = lines.index, lines.t
    found: list[tuple[int, int, float]] = []
    brackets: list[tuple[int, int, float, float, float, float]] = []
    dips: list[tuple[int, int, float, float, float, float, float, float]] = []
    for sid, s in enumerate(grid_values):
        finite = np.isfinite(s)
        for line in range(len(lines.lines)):
            on = np.flatnonzero(index == line)
            sl, tl, fl = s[on], t[on], finite[on]
            zeros = np.flatnonzero(fl & (sl == 0))
            sign = np.sign(sl)
            change = np.flatnonzero(fl[:-1] & fl[1:] & (sign[:-1] * sign[1:] < 0))
            with np.errstate(all="ignore"):
                mag = np.abs(sl)
                mid = mag[1:-1]
                dip = (fl[:-2] & fl[1:-1] & fl[2:] & (sign[:-2] == sign[1:-1])
                       & (sign[1:-1] == sign[2:]) & (sign[1:-1] != 0)
                       & (mid < mag[:-2]) & (mid < mag[2:])
                       & (mid <= np.maximum(mag[:-2], mag[2:]) - mid))
            dip_at = np.flatnonzero(dip) + 1
            cap = MAX_KINKS_PER_LINE
            found += [(sid, line, float(tl[i])) for i in _spread(zeros, cap)]
            brackets += [(sid, line, float(tl[i]), float(tl[i + 1]), float(sl[i]),
                          float(sl[i + 1])) for i in _spread(change, cap)]
            closest = dip_at[np.argsort(mag[dip_at], kind="stable")][:cap // 2]
            dips += [(sid, line, float(tl[i - 1]), float(tl[i]), float(tl[i + 1]),
                      float(sl[i - 1]), float(sl[i + 1]), float(sign[i]))
                     for i in sorted(closest)]
    more, touching = _search_dips(dips, probe)
    return found + touching + _refine(brackets + more, probe)


def _search_dips(dips: Sequence[tuple[int, int, float, float, float, float, float, float]],
                 probe: _Prober) -> tuple[list[tuple[int, int, float, float, float, float]],
                                          list[tuple[int, int, float]]]:
    """Zeros inside dips that the grid does not resolve: successive parabolic
    interpolation (golden-section steps as a safeguard) for the value of the switching
    expression nearest to 0.  A value past 0 gives two sign-change brackets; a minimum
    that touches 0 (``cos(x)^2``, the denominator of ``1/cos(x)^2``) is a zero itself."""
    if not dips:
        return [], []
    sid = np.array([d[0] for d in dips], dtype=int)
    line = np.array([d[1] for d in dips], dtype=int)
    a = np.array([d[2] for d in dips])
    b = np.array([d[3] for d in dips])
    c = np.array([d[4] for d in dips])
    sgn = np.array([d[7] for d in dips])
    fa = np.array([d[5] for d in dips]) * sgn
    fc = np.array([d[6] for d in dips]) * sgn
    fb = probe(sid, line, b) * sgn
    lo0, hi0, top = a.copy(), c.copy(), np.fmax(fa, fc)
    past = np.full(len(dips), np.nan)
    active = np.isfinite(fb)
    for _ in range(KINK_STEPS):
        if not active.any():
            break
        k = np.flatnonzero(active)
        with np.errstate(all="ignore"):
            p = (b[k] - a[k]) * (fb[k] - fc[k])
            q = (b[k] - c[k]) * (fb[k] - fa[k])
            u = b[k] - 0.5 * ((b[k] - a[k]) * p - (b[k] - c[k]) * q) / (p - q)
        wide_left = (b[k] - a[k]) > (c[k] - b[k])
        golden = np.where(wide_left, b[k] - 0.382 * (b[k] - a[k]), b[k] + 0.382 * (c[k] - b[k]))
        bad = ~np.isfinite(u) | (u <= a[k]) | (u >= c[k]) | (u == b[k])
        u = np.where(bad, golden, u)
        fu = probe(sid[k], line[k], u) * sgn[k]
        past[k] = np.where(fu < 0, u, np.nan)
        better = fu < fb[k]
        left = u < b[k]
        # keep a bracket (a, b, c) around the smallest value found
        na = np.where(better, np.where(left, a[k], b[k]), np.where(left, u, a[k]))
        nfa = np.where(better, np.where(left, fa[k], fb[k]), np.where(left, fu, fa[k]))
        nc = np.where(better, np.where(left, b[k], c[k]), np.where(left, c[k], u))
        nfc = np.where(better, np.where(left, fb[k], fc[k]), np.where(left, fc[k], fu))
        a[k], fa[k], c[k], fc[k] = na, nfa, nc, nfc
        b[k] = np.where(better, u, b[k])
        fb[k] = np.where(better, fu, fb[k])
        stop = (fu < 0) | np.isnan(fu) | (fb[k] <= 1e-13 * top[k])
        stop |= (c[k] - a[k]) <= 1e-10 * np.abs(b[k]) + 1e-12 * KINK_ABS
        active[k[stop]] = False
    brackets = []
    touching = []
    for k in range(len(dips)):
        s, ln = int(sid[k]), int(line[k])
        if not np.isnan(past[k]):
            g = float(sgn[k])
            brackets += [(s, ln, float(lo0[k]), float(past[k]), g, -g),
                         (s, ln, float(past[k]), float(hi0[k]), -g, g)]
        elif fb[k] <= 1e-13 * top[k]:
            touching.append((s, ln, float(b[k])))
    return brackets, touching


def _refine(brackets: Sequence[tuple[int, int, float, float, float, float]],
            probe: _Prober) -> list[tuple[int, int, float]]:
    """The zero in each sign-change bracket, by regula falsi with the Illinois rule and a
    bisection step every fourth step, to about ``1e-9`` relative (the beside offset is
    1e-6 relative)."""
    if not brackets:
        return []
    sid = np.array([b[0] for b in brackets], dtype=int)
    line = np.array([b[1] for b in brackets], dtype=int)
    lo = np.array([b[2] for b in brackets])
    hi = np.array([b[3] for b in brackets])
    flo = np.array([b[4] for b in brackets])
    fhi = np.array([b[5] for b in brackets])
    last = np.zeros(len(brackets), dtype=int)
    root = 0.5 * (lo + hi)
    active = np.ones(len(brackets), dtype=bool)
    for step in range(KINK_STEPS):
        if not active.any():
            break
        a = np.flatnonzero(active)
        with np.errstate(all="ignore"):
            slope = (fhi[a] - flo[a]) / (hi[a] - lo[a])
            c = hi[a] - fhi[a] / slope
        left, right = np.minimum(lo[a], hi[a]), np.maximum(lo[a], hi[a])
        bisect = (step % 4 == 3) | ~np.isfinite(c) | (c <= left) | (c >= right)
        c = np.where(bisect, 0.5 * (lo[a] + hi[a]), c)
        fc = probe(sid[a], line[a], c)
        root[a] = c
        keep_lo = np.sign(fc) == np.sign(flo[a])
        lo[a] = np.where(keep_lo, c, lo[a])
        flo[a] = np.where(keep_lo, fc, flo[a])
        hi[a] = np.where(keep_lo, hi[a], c)
        fhi[a] = np.where(keep_lo, fhi[a], fc)
        # Illinois: the same end moved twice in a row -> halve the other end's value
        fhi[a] = np.where(keep_lo & (last[a] == 1), fhi[a] / 2, fhi[a])
        flo[a] = np.where(~keep_lo & (last[a] == -1), flo[a] / 2, flo[a])
        last[a] = np.where(keep_lo, 1, -1)
        # close enough: the beside points are 1e-6 relative away, 1e-9 is plenty
        tol = 1e-9 * np.abs(c) + 1e-3 * KINK_ABS
        with np.errstate(all="ignore"):
            distance = np.abs(fc / slope)
        done = (fc == 0) | np.isnan(fc) | (np.abs(hi[a] - lo[a]) <= tol) | (distance <= tol)
        active[a[done]] = False
    return [(int(s), int(ln), float(r)) for s, ln, r in zip(sid, line, root, strict=True)]


def _kink_points(ref: Reference, lines: _Lines, roots: Sequence[tuple[int, int, float]]
                 ) -> Points | None:
    """Points at each kink, beside it on both sides and midway between neighbouring
    kinks of a line that are closer than that; kinks taken in turn from each switching
    expression (so one with many zeros does not crowd out the others), at most
    MAX_KINK_POINTS points."""
    per: dict[tuple[int, int], list[float]] = {}
    for sid, line, t in roots:
        per.setdefault((sid, line), []).append(t)
    ranked: list[tuple[int, int, int, float]] = []
    for (sid, line), ts in per.items():
        ts = sorted(set(ts))
        for rank, t in enumerate(_spread(np.array(ts), MAX_KINKS_PER_LINE)):
            ranked.append((rank, sid, line, float(t)))
    ranked.sort()
    line_of, t_of, kind_of = [], [], []
    on_line: dict[int, list[float]] = {}
    for _, _, line, t in ranked:
        if len(t_of) >= 3 * MAX_KINK_POINTS:
            break
        delta = KINK_REL * abs(t) + KINK_ABS
        for value, kind in ((t, AT_KINK), (t - delta, BESIDE_KINK), (t + delta, BESIDE_KINK)):
            line_of.append(line)
            t_of.append(value)
            kind_of.append(kind)
        on_line.setdefault(line, []).append(t)
    for line, ts in on_line.items():
        ts = sorted(set(ts))
        for a, b in itertools.pairwise(ts):
            # Between two kinks closer than the beside offsets (a window narrower than
            # them); farther apart, the points beside each kink already fall inside.
            if b - a <= 4 * (KINK_REL * max(abs(a), abs(b)) + KINK_ABS):
                line_of.append(line)
                t_of.append(0.5 * (a + b))
                kind_of.append(BESIDE_KINK)
    if not t_of:
        return None
    index = np.array(line_of, dtype=int)
    t = np.array(t_of)
    kinds = np.array(kind_of, dtype=np.int8)
    inside = np.zeros(len(t), dtype=bool)
    for k, (v, _) in enumerate(lines.lines):
        on = index == k
        inside[on] = ref.domain.contains(v, t[on])
    coords = ref.line_coords(lines.lines, index, t)
    valid = ref._valid(coords, len(t))
    extra = _crossings(ref, lines, index[inside & ~valid & (kinds == BESIDE_KINK)],
                       t[inside & ~valid & (kinds == BESIDE_KINK)])
    if extra is not None:
        coords = {v: np.concatenate([coords[v], extra[v]]) for v in ref.variables}
        n_extra = len(extra[ref.variables[0]])
        kinds = np.concatenate([kinds, np.full(n_extra, BESIDE_KINK, dtype=np.int8)])
        inside = np.concatenate([inside, np.ones(n_extra, dtype=bool)])
        valid = np.concatenate([valid, np.ones(n_extra, dtype=bool)])
        t = np.concatenate([t, np.zeros(n_extra)])
    # the same point once (a kink shared by two expressions, or on two lines)
    stacked = np.stack([coords[v] for v in ref.variables], axis=1)
    _, first = np.unique(stacked, axis=0, return_index=True)
    unique = np.zeros(len(t), dtype=bool)
    unique[first] = True
    keep = np.flatnonzero(inside & unique & valid)
    # beside (first kinks of each expression first) and between, then at (conventions)
    keep = np.concatenate([keep[kinds[keep] != AT_KINK], keep[kinds[keep] == AT_KINK]])
    keep = keep[:MAX_KINK_POINTS]
    if not len(keep):
        return None
    return ref._points({v: coords[v][keep] for v in ref.variables}, len(keep), kinds[keep])


def _crossings(ref: Reference, lines: _Lines, index: np.ndarray, t: np.ndarray
               ) -> dict[str, np.ndarray] | None:
    """Points beside a kink where the line itself leaves the correct answer's domain
    (``log(y - x) + step(x - 50)`` along x at y = 0.6): along each other variable, with
    the kink's variable fixed, the valid grid values nearest to and farthest from the
    line's point.  For at most MAX_CROSSINGS such points."""
    if not len(t) or len(ref.variables) < 2:
        return None
    found: dict[str, list[np.ndarray]] = {v: [] for v in ref.variables}
    for k, value in list(zip(index, t, strict=True))[:MAX_CROSSINGS]:
        v, j = lines.lines[int(k)]
        for u in ref.variables:
            if u == v:
                continue
            grid = ref.domain.grid(u)
            coords = {w: np.full(len(grid), ref.points[w][j]) for w in ref.variables}
            coords[v] = np.full(len(grid), value)
            coords[u] = grid
            ok = np.flatnonzero(ref._valid(coords, len(grid)))
            if not len(ok):
                continue
            near = ok[np.argmin(np.abs(grid[ok] - ref.points[u][j]))]
            far = ok[np.argmax(np.abs(grid[ok]))]
            for w in ref.variables:
                found[w].append(coords[w][[near, far]])
    if not found[ref.variables[0]]:
        return None
    return {w: np.concatenate(found[w]) for w in ref.variables}


# --- decimals ---------------------------------------------------------------------------------

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


# --- comparing -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """The numeric comparison of one answer with a :class:`Reference`.

    >>> import graphdiff as gd
    >>> outcome = numeric_compare(Reference(gd.parse("x + x")), gd.parse("2*x"))
    >>> outcome.status, outcome.kind
    ('equal', '')
    """

    status: str                     # "equal", "different", "inconclusive"
    kind: str = ""                  # for "different": "value" or "undefined"
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


@dataclass
class _Check:
    """The high-precision outcome at one point."""

    status: str  # equal, digits, different, undefined, overflow, coarse, unresolved,
    #              unusable (nothing to measure against), reference (it fails at high precision)
    expected: Any = None
    got: Any = None


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
    n0 = max(ref.count, 1)
    if ref.variables and ref.count == 0:
        return Outcome("inconclusive")
    own = ref.answer_kinks(answer)
    pts = Points.join([p for p in (ref.base, ref.extra, own.points) if p is not None])
    a, rounding = float_analysis(answer, pts.env, pts.n, pts.errors)
    r = pts.values
    with np.errstate(all="ignore"):
        e_a = ROUNDING_FACTOR * FLOAT_EPS * rounding
        e_r = ROUNDING_FACTOR * FLOAT_EPS * pts.rounding
        compared = np.fmax(np.abs(a), np.abs(r))
        # Both roundings must be small against the values compared (a correct answer
        # that is noise here, cos(x^x) at x = 50, clears nothing); then a difference
        # within both roundings is clean.  High precision handles the rest, with the
        # correct answer's own scale as the floor.
        reliable = (e_a <= FLOAT_TOL * compared) & (e_r <= FLOAT_TOL * compared)
        clean = np.isfinite(a) & reliable & (np.abs(a - r) <= e_a + e_r)
        far = reliable & (np.abs(a - r) > np.fmax(100 * (e_a + e_r), 1e-6 * compared))
    soft = pts.kind == AT_KINK
    order = [i for i in range(pts.n) if not clean[i] and not soft[i]]
    order += [i for i in range(min(ALWAYS_CHECKED, n0)) if clean[i]]
    own_start = pts.n - (own.points.n if own.points is not None else 0)
    order += [i for i in range(own_start, pts.n) if clean[i] and not soft[i]
              ][:ALWAYS_CHECKED_KINKS]
    usable = int(clean[:n0].sum())
    outcome = Outcome("inconclusive", values=a[:n0], truncated=own.truncated or
                      ref.kinks_truncated, conventions=int((soft & ~clean).sum()))
    outcome.extra = int((clean[n0:] & ~soft[n0:]).sum())
    budget = _Budget()
    for i in order:
        check = _mp_point(ref, answer, pts.point(i), decimals, budget)
        status = check.status
        if status in ("overflow", "unresolved"):
            if abs(r[i]) < FLOAT_TINY and abs(a[i]) < FLOAT_TINY:
                # Both values are below the float range here (sigmoid(h), h = -40000): an
                # answer that cancels there can be neither checked nor blamed.  (An answer
                # that is not tiny there is not excused.)
                status = "unusable"
            elif not np.isfinite(a[i]):
                status = "undefined"  # not finite, and high precision does not resolve it
            elif far[i]:
                # High precision cannot evaluate it, but the float difference is reliable
                # and far beyond rounding: a counterexample all the same.
                status = "different"
                check = _Check("different", r[i], a[i])
            else:
                status = "unresolved"
        if status in ("different", "undefined", "coarse"):
            outcome.status = "different"
            outcome.kind = "undefined" if status == "undefined" else "value"
            outcome.index, outcome.point = i, pts.point(i)
            outcome.where = POINT_KINDS[int(pts.kind[i])]
            outcome.expected, outcome.got = check.expected, check.got
            if status == "coarse" and decimals is not None:
                outcome.few_digits = decimals.fewest
            outcome.usable = usable
            return outcome
        if status in ("equal", "digits"):
            outcome.confirmed += 1
            outcome.digits |= status == "digits"
            if i < n0 and not clean[i]:
                usable += 1
            elif i >= n0 and not clean[i]:
                outcome.extra += 1
        else:
            if i < n0 and clean[i]:
                usable -= 1
            if status == "unresolved" or (status == "reference" and not clean[i]):
                # Undecided -- also where the floats disagree and the correct answer
                # cannot be evaluated at high precision (cos(x^x) at x = 50): a
                # difference there cannot be confirmed, nor ruled out.
                outcome.unresolved += 1
    outcome.usable = usable
    needed = MIN_POINTS if ref.variables else 1
    if (usable >= needed and outcome.confirmed >= 1 and not outcome.unresolved
            and not outcome.truncated):
        outcome.status = "equal"
    return outcome


@dataclass
class _Pair:
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


class _Budget:
    """The high-precision work left for one answer (see :data:`MP_BUDGET`)."""

    def __init__(self, work: int = MP_BUDGET) -> None:
        self.left = work

    def spend(self, dps: int, graph: Graph) -> bool:
        self.left -= dps * len(graph)
        return self.left >= 0


def _mp_pair(ref: Reference, answer: Graph, point: Mapping[str, float], dps: int,
             decimals: Mapping[Any, tuple[Any, Any]] | None, budget: _Budget
             ) -> _Pair | _Check:
    if not budget.spend(dps, answer):
        return _Check("unresolved")
    got = ref.mp_analysis(point, dps)
    if isinstance(got, Exception):
        return _Check("reference")  # the correct answer itself fails at high precision
    reference, env, errors = got
    try:
        analysis = mpeval.analyse(answer, env, dps, input_errors=errors, decimals=decimals)
    except mpeval.MPDomainError:
        return _Check("undefined", reference.value)
    except mpeval.MPOverflow:
        # Too large to evaluate at high precision (numeric_compare decides what it means).
        return _Check("overflow", reference.value)
    with mpmath.workdps(dps):
        a, r = analysis.value, reference.value
        unit = ROUNDING_FACTOR * mpmath.mpf(2) ** -mpmath.mp.prec
        e_r = unit * reference.rounding
        e = unit * analysis.rounding + e_r
        m = max(abs(a), abs(r))
        floor = max(m, reference.rounding, *(abs(env[v]) for v in ref.variables))
        return _Pair(a, r, abs(a - r), m, e, e_r, floor, reference.rounding, analysis.slack)


def _mp_point(ref: Reference, answer: Graph, point: Mapping[str, float],
              decimals: Decimals | None, budget: _Budget) -> _Check:
    """Step 5: the high-precision verdict at one point."""
    fine = decimals.fine if decimals else None
    dps = DPS
    while True:
        pair = _mp_pair(ref, answer, point, dps, fine, budget)
        if isinstance(pair, _Check):
            return pair
        if not pair.reliable():
            if not pair.floor:
                # Everything is 0 here (the variables, the correct answer and its
                # scale): nothing to measure the answer's rounding against.
                return _Check("unusable", pair.r, pair.a)
            scale = pair.floor  # the answer's rounding hides too much: more digits
        elif pair.d <= MP_EQUAL * pair.m:
            return _Check("equal", pair.r, pair.a)
        elif pair.d > MP_DIFFERENT * pair.m and pair.d > pair.e:
            return _different(ref, answer, point, dps, pair, decimals, budget)
        elif (scale := pair.known_scale()) and pair.e > MP_EQUAL * scale:
            # One value is known, but the other side's rounding hides its digits (the
            # answer sigmoid(-500) written with tanh, or the correct sigma*(1 - sigma) at
            # z = 300): more digits.  (Where neither value is above its rounding -- both
            # about 0 -- the recheck below tells rounding from a difference.)
            pass
        else:
            break
        need = pair.needed_dps(dps, scale)
        if need is None or need > MAX_DPS:
            return _Check("unresolved", pair.r, pair.a)
        dps = max(need, dps + 10)
    # Gray zone: is the difference rounding (it shrinks) or real (it stays)?
    dps2 = dps + RECHECK_DIGITS
    pair2 = _mp_pair(ref, answer, point, dps2, fine, budget)
    if isinstance(pair2, _Check):
        return _Check("unresolved", pair.r, pair.a)
    equal2 = mpmath.mpf(10) ** (20 - dps2)
    if pair2.d <= equal2 * pair2.m or (pair2.d <= pair2.e and pair2.d <= pair.d * MP_SHRINK):
        return _Check("equal", pair2.r, pair2.a)
    if pair2.d > pair2.e and pair2.d >= pair.d / 2:
        return _different(ref, answer, point, dps2, pair2, decimals, budget)
    return _Check("unresolved", pair2.r, pair2.a)


def _different(ref: Reference, answer: Graph, point: Mapping[str, float], dps: int,
               pair: _Pair, decimals: Decimals | None, budget: _Budget) -> _Check:
    """A real difference -- unless the decimals of the answer, read to the digits shown,
    explain it (step 6)."""
    if decimals is None:
        return _Check("different", pair.r, pair.a)
    with mpmath.workdps(dps):
        scale = max(pair.m, pair.r_rounding)
        tol = pair.e + MP_EQUAL * pair.m
        if decimals.fine and _explained(pair.r - pair.a, pair.slack, tol) and \
                pair.d <= decimals.cap(decimals.min_digits) * scale:
            return _Check("digits", pair.r, pair.a)
        if len(decimals.coarse) > len(decimals.fine):
            coarse = _mp_pair(ref, answer, point, dps, decimals.coarse, budget)
            if isinstance(coarse, _Pair) and _explained(pair.r - pair.a, coarse.slack, tol) \
                    and pair.d <= decimals.cap(decimals.fewest) * scale:
                return _Check("coarse", pair.r, pair.a)
    return _Check("different", pair.r, pair.a)


def _explained(gap: Any, slack: tuple[Any, Any], tol: Any) -> bool:
    return bool(slack[0] - tol <= gap <= slack[1] + tol)


def judge(
    ref: Reference,
    answer: str | Reading | Graph,
    *,
    proof: str = "auto",
    timeout: float = DEFAULT_TIMEOUT,
    diagnose: Callable[[Outcome, Graph], Iterable[Message]] | None = None,
    min_digits: int | None = MIN_DIGITS,
) -> Verdict:
    """Compare ``answer`` with a prepared :class:`Reference` (the whole procedure).

    ``min_digits``: fewest significant digits of a decimal in the answer for it to count
    as "correct to the digits shown" (step 6); ``None`` reads decimals as exact.

    >>> ref = prepare("2x + 2c", ["x", "y"], names={"c": "x + y"})
    >>> judge(ref, "4x + 2y").verdict
    'correct'
    >>> v = judge(ref, "2x + 2z")
    >>> v.verdict, v.reason.render()
    ('invalid', "unknown name 'z'; the names you may use are c, x, y")
    >>> third = prepare("x/3")
    >>> v = judge(third, "0.333x")
    >>> v.verdict, [n.render() for n in v.notes]
    ('correct', ['rounded or truncated to the digits you wrote'])
    >>> v = judge(third, "0.33x")
    >>> v.verdict, [f.render() for f in v.feedback]
    ('incorrect', ['give at least 3 significant digits (you gave 2)'])
    >>> judge(third, "0.33x", min_digits=2).verdict, judge(third, "0.333x", min_digits=None).verdict
    ('correct', 'incorrect')
    """
    if proof not in ("auto", "always", "never"):
        raise GraphdiffError("proof must be 'auto', 'always' or 'never'")
    reading: Reading | None = None
    if isinstance(answer, Graph):
        graph = answer
        text = graph.source or ""
    else:
        try:
            reading = answer if isinstance(answer, Reading) else ref.read(answer)
            graph = reading.graph()
        except AnswerError as err:
            return invalid(err, reading)
        text = reading.expression
    read_as = reading.expression if reading else text
    common: dict[str, Any] = {"read_as": read_as,
                              "warnings": reading.warnings if reading else (),
                              "notes": reading.notes if reading else ()}
    outside = [n for n in graph.inputs if n not in ref.variables and n not in ref.names]
    if outside:
        return Verdict("invalid", Message("unknown_name", {
            "name": outside[0], "known": ", ".join([*ref.variables, *ref.names])}),
            method="read", **common)
    outcome = ref.outcome(graph, text, min_digits)
    details: dict[str, Any] = {"points": ref.count, "usable": outcome.usable,
                               "confirmed": outcome.confirmed,
                               "extra_points": outcome.extra}
    if outcome.conventions:
        details["kink_conventions"] = outcome.conventions
    if outcome.unresolved:
        details["unresolved"] = outcome.unresolved
    if outcome.truncated:
        details["kink_search_truncated"] = True
    if outcome.status == "different":
        point = outcome.point or {}
        details["counterexample"] = point
        details["counterexample_kind"] = outcome.where
        if outcome.kind == "undefined":
            reason = Message("undefined_at", {"point": _point_text(point),
                                              "expected": _fmt(outcome.expected)})
        else:
            with mpmath.workdps(DPS):
                expected, got = _fmt_pair(outcome.expected, outcome.got)
            reason = Message("differs_at", {"point": _point_text(point),
                                            "expected": expected, "got": got})
        feedback = tuple(diagnose(outcome, graph)) if diagnose else ()
        if outcome.few_digits is not None:
            feedback = (Message("number_few_digits", {"digits": min_digits,
                                                      "given": outcome.few_digits}),
                        *feedback)
        return Verdict("incorrect", reason, feedback=feedback, method="numeric",
                       details=details, **common)
    if outcome.digits:
        details["digits_shown"] = True
        common["notes"] = (*common["notes"], Message("tol_digits"))
    if outcome.status == "equal" and proof != "always":
        return Verdict("correct", Message("equivalent", {"points": outcome.usable,
                                                         "digits": DPS}),
                       method="numeric", details=details, **common)
    # The symbolic stage: inconclusive numbers, or a confirmation that was asked for.
    if proof == "never":
        few = outcome.usable < MIN_POINTS and not (outcome.unresolved or outcome.truncated)
        return Verdict("undecided", Message("undecided_reason", {
            "why": Message("why_few_points" if few else "why_no_proof")}), method="numeric",
            details=details, **common)
    result = prove(ref.graph.to_sympy(), text, ref.variables, ref.sympy_names(),
                   assumptions={v: ref.domain.assumptions(v) for v in ref.variables},
                   timeout=timeout)
    details["proof"] = {"status": result.status, "how": result.how}
    if outcome.status == "equal":
        if result.status == "equal":
            return Verdict("correct", Message("proved_equal", {"how": result.how}),
                           method="numeric+symbolic", details=details, **common)
        return Verdict("correct", Message("equivalent", {"points": outcome.usable,
                                                         "digits": DPS}),
                       method="numeric", details=details, **common)
    if result.status == "equal":
        return Verdict("correct", Message("proved_equal", {"how": result.how}),
                       method="symbolic", details=details, **common)
    if result.status == "different":
        return Verdict("incorrect", Message("proved_different",
                                            {"difference": result.difference}),
                       method="symbolic", details=details, **common)
    why = "why_timeout" if result.status == "timeout" else (
        "why_few_points" if outcome.usable < MIN_POINTS and not outcome.unresolved
        and not outcome.truncated else "why_unknown")
    return Verdict("undecided", Message("undecided_reason", {"why": Message(why)}),
                   method="symbolic", details=details, **common)


# --- the public entry point --------------------------------------------------------------------

_REFERENCES: OrderedDict[tuple[Any, ...], Reference] = OrderedDict()
_CACHE_SIZE = 128


def as_graph(value: str | sympy.Expr | Graph, names: Sequence[str] | None = None,
             functions: Mapping[str, str] | None = None) -> Graph:
    """A reference given as student-syntax text, a sympy expression or a Graph.

    >>> g = as_graph("2x + y")
    >>> g.source, g.inputs
    ('2*x + y', ('x', 'y'))
    >>> as_graph(sympy.Symbol("x")**2).to_sympy()
    x**2
    """
    if isinstance(value, Graph):
        return value
    if isinstance(value, str):
        return read_answer(value, names=names, functions=functions).graph()
    if isinstance(value, sympy.Basic | int | float):
        # strict: numbers and sympy objects only, never text
        expr = as_expr(value) if not isinstance(value, sympy.Basic) else value
        return from_sympy(expr)
    raise GraphdiffError(f"cannot use {type(value).__name__} as a reference")


def prepare(reference: str | sympy.Expr | Graph, variables: Sequence[str] | None = None, *,
              names: Mapping[str, str | sympy.Expr | Graph] | None = None,
              functions: Mapping[str, str] | None = None,
              domain: Domain | Mapping[str, Any] | str | None = None, seed: int | None = None,
              points: int = DEFAULT_POINTS) -> Reference:
    """A prepared :class:`Reference` (cached for text and sympy references).

    >>> ref = prepare("2x + 2c", ["x", "y"], names={"c": "x + y"})
    >>> ref.variables, list(ref.names), ref.count
    (('x', 'y'), ['c'], 16)
    >>> prepare("2x + 2c", ["x", "y"], names={"c": "x + y"}) is ref
    True
    """
    domain = Domain.of(domain)
    name_items = tuple(sorted((k, str(v)) for k, v in (names or {}).items()))
    key = None
    if not isinstance(reference, Graph) and all(
            not isinstance(v, Graph) for v in (names or {}).values()):
        key = (str(reference), type(reference).__name__,
               None if variables is None else tuple(variables), name_items,
               tuple(sorted((functions or {}).items())), domain.key(), seed, points)
        cached = _REFERENCES.get(key)
        if cached is not None:
            _REFERENCES.move_to_end(key)
            return cached
    known = None if variables is None else list(variables)
    name_graphs = {n: as_graph(v, known, functions) for n, v in (names or {}).items()}
    ref_names = None if variables is None else [*variables, *name_graphs]
    graph = as_graph(reference, ref_names, functions)
    result = Reference(graph, variables=variables, names=name_graphs, domain=domain,
                       seed=seed, points=points, functions=functions)
    if key is not None:
        _REFERENCES[key] = result
        if len(_REFERENCES) > _CACHE_SIZE:
            _REFERENCES.popitem(last=False)
    return result


def compare(
    reference: str | sympy.Expr | Graph,
    answer: str,
    variables: Sequence[str] | None = None,
    *,
    names: Mapping[str, str | sympy.Expr | Graph] | None = None,
    functions: Mapping[str, str] | None = None,
    domain: Domain | Mapping[str, Any] | str | None = None,
    seed: int | None = None,
    proof: str = "auto",
    timeout: float = DEFAULT_TIMEOUT,
    points: int = DEFAULT_POINTS,
    min_digits: int | None = MIN_DIGITS,
) -> Verdict:
    """Is ``answer`` the same function as ``reference``?  The equivalence decision alone.

    Parameters
    ----------
    reference : str, sympy expression or Graph
        The correct answer (text in the same syntax students use).
    answer : str
        The student's answer as typed.
    variables : sequence of str, optional
        The variables (default: those of the reference).  An answer may use only
        these and ``names``.
    names : mapping, optional
        Node names the answer may use, with their meaning (``{"c": "x + y"}``).
    functions : mapping, optional
        Extra function words (``{"f": "sigmoid"}``).
    domain : mapping or Domain, optional
        ``{"x": "positive"}``, ``{"t": [0, 1]}``; default: all reals.
    seed, points : int
        The random points (default: 16, seeded from the reference); wide and kink
        points come on top.
    proof : {"auto", "always", "never"}
        When to run the symbolic proof (see the module docstring).
    timeout : float
        Seconds allowed to the symbolic proof before its process is killed.
    min_digits : int or None
        Fewest significant digits of a decimal for "correct to the digits shown"
        (default 3); ``None``: decimals are exact.

    Returns
    -------
    Verdict

    Examples
    --------
    >>> v = compare("2*x + y + 2*(x + y)", "4x + 3y")
    >>> v.verdict, v.method
    ('correct', 'numeric')
    >>> compare("sigmoid(z)*(1 - sigmoid(z))", r"\\frac{e^{-z}}{(1+e^{-z})^2}").verdict
    'correct'
    >>> compare("4*x + 3*y", "4x + 3y + 2c", names={"c": "x + y"}).verdict
    'incorrect'
    """
    ref = prepare(reference, variables, names=names, functions=functions, domain=domain,
                  seed=seed, points=points)
    return judge(ref, answer, proof=proof, timeout=timeout, min_digits=min_digits)
