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
   floating point (or, for the wide points and those beside kinks, at high precision
   where the floats overflow); otherwise it is resampled or dropped.
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

Where each step lives, bottom to top (a module imports only from those below it):
:mod:`.rounding` (floats and the rounding analysis, step 4), :mod:`.domain`,
:mod:`.decimals` (step 6), :mod:`.verdict`, :mod:`.lru`; :mod:`.points` (a batch of points
and the correct answer's values there), :mod:`.precision` (steps 5-6); :mod:`.sampling`
(step 2), :mod:`.lines`, :mod:`.roots` and :mod:`.kinks` (step 3); :mod:`.reference` (the
correct answer prepared once), :mod:`.numeric` (steps 3-7 for one answer) and
:mod:`.judge` (the whole procedure, with steps 1 and 8).

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

from .decimals import MIN_DIGITS, Decimals
from .domain import AWAY_FROM_HALVES, BANDS, KINK_GRID, KINK_RANGE, WIDE_BANDS, Domain
from .judge import compare, judge
from .kinks import KINK_TIME_LIMIT, MAX_CROSSINGS, MAX_KINK_POINTS, MAX_SWITCHES
from .lines import MAX_LINES
from .numeric import ALWAYS_CHECKED, ALWAYS_CHECKED_KINKS, MIN_POINTS, Outcome, numeric_compare
from .points import AT_KINK, BESIDE_KINK, POINT_KINDS, RANDOM, WIDE, Points
from .precision import (
    DPS,
    MAX_DPS,
    MP_BUDGET,
    MP_DIFFERENT,
    MP_EQUAL,
    MP_SHRINK,
    RECHECK_DIGITS,
)
from .reference import DEFAULT_POINTS, OUTCOME_CACHE, Reference, as_graph, prepare, used_inputs
from .roots import KINK_ABS, KINK_REL, KINK_STEPS, MAX_KINKS_PER_LINE
from .rounding import FLOAT_EPS, FLOAT_TINY, FLOAT_TOL, ROUNDING_FACTOR, float_analysis
from .sampling import WIDE_POINTS
from .verdict import VERDICTS, Verdict, invalid

__all__ = [
    "ALWAYS_CHECKED", "ALWAYS_CHECKED_KINKS", "AT_KINK", "AWAY_FROM_HALVES", "BANDS",
    "BESIDE_KINK", "DEFAULT_POINTS", "DPS", "FLOAT_EPS", "FLOAT_TINY",
    "FLOAT_TOL", "KINK_ABS", "KINK_GRID", "KINK_RANGE", "KINK_REL", "KINK_STEPS",
    "KINK_TIME_LIMIT", "MAX_CROSSINGS", "MAX_DPS", "MAX_KINKS_PER_LINE", "MAX_KINK_POINTS",
    "MAX_LINES", "MAX_SWITCHES", "MIN_DIGITS", "MIN_POINTS", "MP_BUDGET", "MP_DIFFERENT",
    "MP_EQUAL", "MP_SHRINK", "OUTCOME_CACHE", "POINT_KINDS", "RANDOM",
    "RECHECK_DIGITS", "ROUNDING_FACTOR", "VERDICTS", "WIDE", "WIDE_BANDS", "WIDE_POINTS",
    "Decimals", "Domain", "Outcome", "Points", "Reference", "Verdict", "as_graph", "compare",
    "float_analysis", "invalid", "judge", "numeric_compare", "prepare", "used_inputs",
]
