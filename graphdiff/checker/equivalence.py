"""Deciding whether a student's answer equals the correct one.

The decision procedure (also in docs/checker_teachers.md):

1. **Read** the answer with :func:`~graphdiff.checker.read_answer` and parse it with the
   core's safe parser under strict limits.  Anything that fails here is **invalid** (not
   graded), with the reason and the position.
2. **Sample points.** ``points`` (16) points, seeded (the same problem always gets the same
   points), stratified over magnitudes ``0.05-0.3``, ``0.3-1``, ``1-3``, ``3-7`` and over
   both signs for each variable (only one sign where the domain says so, or uniform
   inside an interval), never within 0.02 of a nonzero multiple of 1/2 (so ``sin(pi*x)``
   is not mistaken for 0).  A point is used only where the correct answer -- and, for a
   derivative, the function itself -- is defined and finite; otherwise it is resampled
   (more rounds, then smaller boxes).
3. **Floating point.** Both forms are evaluated on all points at once (numpy).  A point
   is *clean* if ``|a - r| <= 1e-9 * scale``, where ``scale`` is the largest magnitude of
   any intermediate value of either computation at that point (the size of its rounding
   error).
4. **High precision.** Every point that is not clean, and the first 4 points in any case,
   are evaluated again at 50 significant digits (mpmath).  There the answer is *equal* at
   the point if ``|a - r| <= 1e-35 * scale`` and *different* if ``> 1e-20 * scale``; in
   between the point is evaluated at 120 digits and the difference must shrink to
   ``1e-100 * scale`` (rounding) or stay (a real difference).  An answer that is
   undefined (a domain error at 50 digits) where the correct answer is defined is
   *different*.  One confirmed different point makes the answer **incorrect** -- a
   counterexample is a proof.
5. **Verdict.** No different point, at least 8 usable points and at least one confirmed at
   50 digits: **correct**.  Otherwise the numbers are inconclusive and step 6 decides.
6. **Symbolic proof** (``proof="auto"``: only when the numbers are inconclusive;
   ``"always"``: also to confirm a numeric "correct"; ``"never"``), in a worker process
   that is killed after ``timeout`` seconds (see :mod:`graphdiff.checker.proof`).  If it
   neither proves nor refutes, the verdict is **undecided** (flagged for a teacher).

Why not simply ``simplify(a - b) == 0``?  Because it rejects correct answers
(``tanh(x)`` and ``2*sigmoid(2*x) - 1``; ``log(x*y)`` and ``log(x) + log(y)`` for positive
x, y), can run forever, and still needs the domain.  Why not a loose tolerance? Because
``2.0001*x`` would pass for ``2*x``.  Why not integer points? Because ``sin(pi*x)`` would
pass for ``0``.

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
>>> v = compare("2*x", "2x +* 1")
>>> v.verdict, v.line, v.column
('invalid', 1, 5)
"""

from __future__ import annotations

import math
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
from ..graph import Graph
from ..ops import as_expr
from . import mpeval
from .answers import AnswerError, Reading, read_answer
from .messages import Message
from .proof import DEFAULT_TIMEOUT, prove

#: Points per comparison.
DEFAULT_POINTS = 16
#: Fewest usable points for a numeric verdict "correct".
MIN_POINTS = 8
#: Points always re-checked at high precision.
ALWAYS_CHECKED = 4
#: Relative (to the rounding scale) float tolerance for a clean point.
FLOAT_TOL = 1e-9
#: Working precision (digits) of the high-precision check, and its thresholds.
DPS = 50
MP_EQUAL = mpmath.mpf("1e-35")
MP_DIFFERENT = mpmath.mpf("1e-20")
#: Precision of the recheck in the gray zone.
DPS_RECHECK = 120
MP_EQUAL_RECHECK = mpmath.mpf("1e-100")
#: Magnitude bands of the sample points.
BANDS = ((0.05, 0.3), (0.3, 1.0), (1.0, 3.0), (3.0, 7.0))
#: Values closer than this to a multiple of 1/2 are resampled.
AWAY_FROM_HALVES = 0.02

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

    def sample(self, name: str, rng: np.random.Generator, n: int, shrink: float = 1.0
               ) -> np.ndarray:
        """``n`` stratified, non-integer values of ``name`` inside its domain."""
        spec = self.spec(name)
        if isinstance(spec, tuple):
            low, high = spec
            if math.isinf(low) or math.isinf(high):
                mags = _magnitudes(rng, n, shrink)
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
        mags = _magnitudes(rng, n, shrink)
        if spec == "positive":
            return mags
        if spec == "negative":
            return -mags
        signs = np.where(rng.permutation(n) % 2 == 0, 1.0, -1.0)
        return signs * mags

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


def _magnitudes(rng: np.random.Generator, n: int, shrink: float) -> np.ndarray:
    bands = np.array(BANDS) * shrink
    index = rng.permutation(n) % len(bands)
    low, high = bands[index, 0], bands[index, 1]
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


# --- the reference ---------------------------------------------------------------------------


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

    >>> import graphdiff as gd
    >>> ref = Reference(gd.parse("2*x*y"))
    >>> ref.variables, ref.count
    (('x', 'y'), 16)
    >>> judge(ref, "2yx").verdict, judge(ref, "x*y").verdict
    ('correct', 'incorrect')
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
        self._mp_cache: dict[tuple[int, int], Any] = {}
        self._mp_env_cache: dict[tuple[int, int], dict[str, Any]] = {}
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
        self.env = self._env(self.points, count)
        vals = _values(self.graph, self.env, count)
        self.values = vals[0]
        self.scale = vals[1]

    def _env(self, points: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
        env = {v: np.asarray(points[v], dtype=float) for v in self.variables}
        for name, g in self.names.items():
            env[name] = _values(g, env, n)[0]
        return env

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
        return ", ".join(f"{v} = {_fmt(self.points[v][i])}" for v in self.variables) or "—"

    # high precision
    def mp_env(self, i: int, dps: int) -> dict[str, Any]:
        key = (i, dps)
        env = self._mp_env_cache.get(key)
        if env is None:
            with mpmath.workdps(dps):
                env = {v: mpmath.mpf(float(self.points[v][i])) for v in self.variables}
                for name, g in self.names.items():
                    env[name] = mpeval.evaluate(g, env, dps)[0]
            self._mp_env_cache[key] = env
        return env

    def mp_value(self, i: int, dps: int) -> Any:
        """(value, scale) of the reference at point i, or an exception instance."""
        key = (i, dps)
        if key not in self._mp_cache:
            try:
                env = self.mp_env(i, dps)
                self._mp_cache[key] = mpeval.evaluate(self.graph, env, dps)
            except (mpeval.MPDomainError, mpeval.MPOverflow) as err:
                self._mp_cache[key] = err
        return self._mp_cache[key]

    def sympy_names(self) -> dict[str, sympy.Expr]:
        return {n: g.to_sympy() for n, g in self.names.items()}

    def read(self, answer: str) -> Reading:
        return read_answer(answer, names=[*self.variables, *self.names],
                           functions=self.functions)


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
    """Output values and rounding scale of ``graph`` on the batch ``env`` (nan if undefined).

    Unused inputs missing from ``env`` get 0."""
    point = {name: env.get(name, 0.0) for name in graph.inputs}
    with np.errstate(all="ignore"):
        vals = graph.values(point, on_domain_error="nan")
        out = np.broadcast_to(np.asarray(vals[graph.output_ids[0]], dtype=float), (n,)).copy()
        scale = np.abs(out)
        for i in graph.order:
            if graph.kind(i) == "op":
                v = np.abs(np.broadcast_to(np.asarray(vals[i], dtype=float), (n,)))
                scale = np.fmax(scale, v)
    return out, scale


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
    index: int | None = None        # the counterexample's point
    expected: Any = None
    got: Any = None
    usable: int = 0
    confirmed: int = 0
    values: np.ndarray | None = None  # the answer's float values at the points


def numeric_compare(ref: Reference, answer: Graph) -> Outcome:
    """Steps 3-5 of the decision procedure (see the module docstring).

    >>> import graphdiff as gd
    >>> ref = Reference(gd.parse("2*x*y"))
    >>> same = numeric_compare(ref, gd.parse("y*x*2"))
    >>> same.status, same.usable, same.confirmed
    ('equal', 16, 4)
    >>> wrong = numeric_compare(ref, gd.parse("x*y"))
    >>> wrong.status, wrong.kind, wrong.index
    ('different', 'value', 0)
    """
    n = max(ref.count, 1)
    if ref.variables and ref.count == 0:
        return Outcome("inconclusive")
    a, scale_a = _values(answer, ref.env, n)
    r = ref.values
    with np.errstate(all="ignore"):
        scale = np.fmax(np.fmax(ref.scale, scale_a), np.fmax(np.abs(r), np.abs(a)))
        clean = np.isfinite(a) & (np.abs(a - r) <= FLOAT_TOL * scale)
    order = [i for i in range(n) if not clean[i]]
    order += [i for i in range(min(ALWAYS_CHECKED, n)) if clean[i]]
    usable = int(clean.sum())
    confirmed = 0
    for i in order:
        result = _mp_point(ref, answer, i)
        if result[0] in ("different", "undefined"):
            return Outcome("different", result[0] if result[0] == "undefined" else "value",
                           index=i, expected=result[1], got=result[2], values=a)
        if result[0] == "equal":
            confirmed += 1
            if not clean[i]:
                usable += 1
        elif clean[i]:
            usable -= 1
    needed = MIN_POINTS if ref.variables else 1
    if usable >= needed and confirmed >= 1:
        return Outcome("equal", usable=usable, confirmed=confirmed, values=a)
    return Outcome("inconclusive", usable=usable, confirmed=confirmed, values=a)


def _mp_point(ref: Reference, answer: Graph, i: int) -> tuple[str, Any, Any]:
    reference = ref.mp_value(i, DPS)
    if isinstance(reference, Exception):
        return ("unusable", None, None)
    r, scale_r = reference
    env = ref.mp_env(i, DPS)
    try:
        a, scale_a = mpeval.evaluate(answer, env, DPS)
    except mpeval.MPDomainError:
        return ("undefined", r, None)
    except mpeval.MPOverflow:
        return ("unusable", r, None)
    with mpmath.workdps(DPS):
        d = abs(a - r)
        scale = max(scale_r, scale_a, abs(a), abs(r))
        if d <= MP_EQUAL * scale:
            return ("equal", r, a)
        if d > MP_DIFFERENT * scale:
            return ("different", r, a)
    # Gray zone: is the difference rounding (it shrinks) or real (it stays)?
    reference = ref.mp_value(i, DPS_RECHECK)
    if isinstance(reference, Exception):
        return ("unusable", r, a)
    r2, scale_r2 = reference
    try:
        a2, scale_a2 = mpeval.evaluate(answer, ref.mp_env(i, DPS_RECHECK), DPS_RECHECK)
    except (mpeval.MPDomainError, mpeval.MPOverflow):
        return ("unusable", r, a)
    with mpmath.workdps(DPS_RECHECK):
        d2 = abs(a2 - r2)
        scale2 = max(scale_r2, scale_a2, abs(a2), abs(r2))
        if d2 <= MP_EQUAL_RECHECK * scale2:
            return ("equal", r2, a2)
        if d2 >= d / 2:
            return ("different", r2, a2)
    return ("unusable", r2, a2)


def judge(
    ref: Reference,
    answer: str | Reading | Graph,
    *,
    proof: str = "auto",
    timeout: float = DEFAULT_TIMEOUT,
    diagnose: Callable[[Outcome, Graph], Iterable[Message]] | None = None,
) -> Verdict:
    """Compare ``answer`` with a prepared :class:`Reference` (the whole procedure).

    >>> ref = prepare("2x + 2c", ["x", "y"], names={"c": "x + y"})
    >>> judge(ref, "4x + 2y").verdict
    'correct'
    >>> v = judge(ref, "2x + 2z")
    >>> v.verdict, v.reason.render()
    ('invalid', "unknown name 'z'; the names you may use are c, x, y")
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
    common = {"read_as": read_as, "warnings": reading.warnings if reading else (),
              "notes": reading.notes if reading else ()}
    outside = [n for n in graph.inputs if n not in ref.variables and n not in ref.names]
    if outside:
        return Verdict("invalid", Message("unknown_name", {
            "name": outside[0], "known": ", ".join([*ref.variables, *ref.names])}),
            method="read", **common)
    outcome = numeric_compare(ref, graph)
    details: dict[str, Any] = {"points": ref.count, "usable": outcome.usable,
                               "confirmed": outcome.confirmed}
    if outcome.status == "different":
        i = outcome.index
        assert i is not None
        details["counterexample"] = ref.point(i)
        if outcome.kind == "undefined":
            reason = Message("undefined_at", {"point": ref.point_text(i),
                                              "expected": _fmt(outcome.expected)})
        else:
            with mpmath.workdps(DPS):
                expected, got = _fmt_pair(outcome.expected, outcome.got)
            reason = Message("differs_at", {"point": ref.point_text(i),
                                            "expected": expected, "got": got})
        feedback = tuple(diagnose(outcome, graph)) if diagnose else ()
        return Verdict("incorrect", reason, feedback=feedback, method="numeric",
                       details=details, **common)
    if outcome.status == "equal" and proof != "always":
        return Verdict("correct", Message("equivalent", {"points": outcome.usable,
                                                         "digits": DPS}),
                       method="numeric", details=details, **common)
    # The symbolic stage: inconclusive numbers, or a confirmation that was asked for.
    if proof == "never":
        return Verdict("undecided", Message("undecided_reason", {
            "why": Message("why_few_points")}), method="numeric", details=details, **common)
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
        "why_few_points" if outcome.usable < MIN_POINTS else "why_unknown")
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
        The sample points (default: 16, seeded from the reference).
    proof : {"auto", "always", "never"}
        When to run the symbolic proof (see the module docstring).
    timeout : float
        Seconds allowed to the symbolic proof before its process is killed.

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
    return judge(ref, answer, proof=proof, timeout=timeout)
