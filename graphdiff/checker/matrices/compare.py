"""Is a matrix formula the same function of matrices as the correct one?

1. **Shape**: an answer of another shape is incorrect at once ("your answer is 2×3, the
   gradient of W is 3×2"), and said to be the transpose where its values are those of the
   transpose at every point.
2. **Floating point**, entry by entry, at 16 random points and 8 wide points (matrices of
   the declared shapes, see :mod:`.points`).  Each side's *noise* -- how much its value
   moves when its inputs move by a few units in the last place -- measures its rounding.
   A point is *clean* when the answer is finite, both noises are below ``1e-9`` of the
   largest entry compared there, and every entry differs by no more than the noises
   (``16·(noise_answer + noise_correct)`` plus 4 units in the last place).  Tolerances
   are relative to the values compared, never to the answer's intermediates.
3. **High precision** replaces the scalar checker's rounding analysis where floats cannot
   decide: every point that is not clean, and the first 4 random points in any case, are
   computed again at 50 significant digits with arrays of mpmath numbers
   (:mod:`.mpeval`), and as many more as the floats' noise says cancellation eats beyond
   10 digits (the noise over a rounding of the largest entry; where the floats cannot say
   -- all entries rounded to 0, an overflow -- the digits of the range of all values at
   50 digits; at most 1000 digits, else unresolved).  A point is *equal* when every entry
   agrees to ``1e-35`` of the point's largest entry, *different* when an entry differs by
   more than ``1e-20`` of its size and the difference stays with 30 more digits (a
   rounding difference would shrink).  An answer undefined (or too large) where the
   correct one is defined is different.  Ops of matrices without a high-precision form
   (``softmax``, ``det``, ``inv``, losses through ``exp``) leave the floats to decide: a
   point that is not clean is then different only when an entry differs by more than
   ``1e-6`` of the largest entry and a thousand times the noises; otherwise it is
   unresolved.
4. **Verdict**: one different point is a counterexample (*incorrect*), with the point
   (the matrices), the entry and both values.  *Correct* needs at least 8 usable random
   points, none different, none unresolved, and one confirmed at high precision (where
   the graphs have a high-precision form).  Anything else -- also a high-precision stage
   over :data:`HIGH_PRECISION_SECONDS` -- is *undecided*: there is no
   symbolic proof for matrices.

What it does not do: look for kinks inside matrices (a ReLU's mask changes between
random points; a difference confined to a thin band of one entry's values can be
missed), nor read decimals "to the digits shown" (a decimal in a matrix formula is
exact: write fractions).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np

from ...graph import Graph, is_node
from ..equivalence.domain import Domain
from ..equivalence.verdict import format_pair
from .mpeval import MPDomainError, MPOverflow, NoHighPrecision, mp_values
from .points import (
    RANDOM_POINTS,
    WIDE_POINTS,
    Env,
    Shape,
    evaluate,
    finite,
    point,
    random_matrices,
    take,
    values_at,
)

#: Noise below this, relative to the largest entry compared, for a clean point.
FLOAT_TOL = 1e-9
#: Safety factor on the noise, and the units in the last place always allowed.
NOISE_FACTOR = 16
ULPS = 4 * 2.0**-52
#: High precision: the digits, equal and different thresholds, the recheck's extra digits,
#: and the most digits (more are taken where the floats' noise shows cancellation).
DPS = 50
MP_EQUAL = 1e-35
MP_DIFFERENT = 1e-20
RECHECK_DIGITS = 30
#: Digits of cancellation the 50 digits absorb (equal asks for 35 of them).
SPARE_DIGITS = 10
MAX_DPS = 1000
#: Seconds the high-precision stage may take for one answer (then: undecided).
HIGH_PRECISION_SECONDS = 5.0
#: Random points always checked at high precision; fewest usable random points.
ALWAYS_CHECKED = 4
MIN_POINTS = 8
#: Without high precision: a different point must differ by this much of its largest
#: entry, and by this many noises.
FAR = 1e-6
FAR_NOISE = 1000


@dataclass(frozen=True)
class Source:
    """Where a matrix is computed: node ``node`` of ``graph`` (whose inputs are variables
    and node names of the problem's function)."""

    graph: Graph
    node: int

    @property
    def shape(self) -> Shape:
        return self.graph.shape(self.node)


class MatrixReference:
    """The correct matrix as a function of the problem's matrices, prepared once: its
    points (random matrices), its values and noise there, and node names' values.

    Parameters
    ----------
    source : Source
        The correct matrix.
    variables : mapping
        The variables and their shapes.
    function : Graph, optional
        The problem's function: it must be defined at every point, and its nodes are the
        names answers may use.
    names : mapping of str to node id, optional
        Node names of ``function`` that answers may use.
    domain : Domain
    seed : int, optional
        Seed of the points (default: from the reference, so stable).

    >>> import graphdiff as gd
    >>> g = gd.parse("G @ W.T", shapes={"G": (2, 3), "W": (2, 3)})
    >>> ref = MatrixReference(Source(g, g.output_ids[0]), {"G": (2, 3), "W": (2, 3)})
    >>> ref.count, ref.values.shape
    (24, (24, 2, 2))
    >>> answer = gd.parse("(W @ G.T).T", shapes={"G": (2, 3), "W": (2, 3)})
    >>> ref.compare(Source(answer, answer.output_ids[0])).status
    'equal'
    """

    def __init__(self, source: Source, variables: Mapping[str, Shape], *,
                 function: Graph | None = None, names: Mapping[str, int] | None = None,
                 domain: Domain | None = None, seed: int | None = None) -> None:
        self.source = source
        self.variables = {n: tuple(s) for n, s in variables.items()}
        self.function = function
        self.names = dict(names or {})
        self.domain = domain or Domain()
        if seed is None:
            seed = zlib.crc32(f"{source.graph.source}|{source.node}|{self.variables}".encode())
        self.seed = seed
        self.env, self.random = self._points()
        self.count = len(next(iter(self.env.values()))) if self.variables else 1
        self.values, self.noise = evaluate(source.graph, source.node, self.env, self.count)
        self._mp: dict[tuple[int, int], Any] = {}
        self._cache: dict[tuple[int, int], np.ndarray] = {}

    def _points(self) -> tuple[Env, int]:
        """16 random and 8 wide points where the function and the correct matrix are
        finite (the variables and the node names' values); one point without variables."""
        if not self.variables:
            return self._with_names({}, 1), 1
        parts, random = [], 0
        for wide, want in ((False, RANDOM_POINTS), (True, WIDE_POINTS)):
            kept: list[Env] = []
            have = 0
            for attempt in range(5):
                env = random_matrices(self.variables, self.domain, self.seed + 7919 * attempt
                                      + (104729 if wide else 0), 2 * want, wide=wide)
                env = self._with_names(env, 2 * want)
                ok = finite(values_at(self.source.graph, self.source.node, env, 2 * want))
                if self.function is not None:
                    output = self.function.output_ids[0]
                    ok &= finite(values_at(self.function, output, env, 2 * want))
                for name in self.names:
                    ok &= finite(env[name])
                kept.append(take(env, ok))
                have += int(ok.sum())
                if have >= want:
                    break
            joined = {n: np.concatenate([k[n] for k in kept])[:want] for n in kept[0]}
            parts.append(joined)
            if not wide:
                random = len(next(iter(joined.values()))) if joined else 0
        env = {n: np.concatenate([p[n] for p in parts]) for n in parts[0]}
        return env, random

    def _with_names(self, env: Env, count: int) -> Env:
        if self.function is None or not self.names:
            return env
        with np.errstate(all="ignore"):
            values = self.function.values({n: env[n] for n in self.function.inputs},
                                          on_domain_error="nan")
        out = dict(env)
        for name, node in self.names.items():
            value = np.asarray(values[node], dtype=float)
            shape = self.function.shape(node)
            out[name] = np.broadcast_to(value, (count, *shape)).copy()
        return out

    # --- values ---------------------------------------------------------------------------

    def values_of(self, source: Source) -> np.ndarray:
        """``source``'s values at the points (cached: candidates of the feedback)."""
        key = (id(source.graph), source.node)
        if key not in self._cache:
            self._cache[key] = values_at(source.graph, source.node, self.env, self.count)
        return self._cache[key]

    def variables_at(self, k: int) -> dict[str, np.ndarray]:
        """The variables' matrices at point ``k``."""
        return point({n: self.env[n] for n in self.variables}, k)

    def mp_at(self, source: Source, k: int, dps: int) -> np.ndarray:
        """``source`` at point ``k`` and ``dps`` digits (the node names computed from the
        variables at that precision too); raises as :func:`.mpeval.mp_values`."""
        return self.mp_nodes_at(source, k, dps)[source.node]

    def mp_nodes_at(self, source: Source, k: int, dps: int) -> list[Any]:
        """Every node of ``source``'s graph at point ``k`` and ``dps`` digits (as
        :meth:`mp_at`)."""
        env: dict[str, Any] = dict(self.variables_at(k))
        if self.function is not None and self.names:
            key = (k, dps)
            if key not in self._mp:
                try:
                    self._mp[key] = mp_values(self.function, env, dps)
                except (MPDomainError, MPOverflow, NoHighPrecision) as err:
                    self._mp[key] = err
            cached = self._mp[key]
            if isinstance(cached, Exception):
                raise cached
            env.update({name: cached[node] for name, node in self.names.items()})
        return mp_values(source.graph, env, dps)

    # --- the comparison -------------------------------------------------------------------

    def compare(self, answer: Source) -> Outcome:
        """Steps 2-4 for an answer of the right shape (see the module docstring)."""
        a, a_noise = evaluate(answer.graph, answer.node, self.env, self.count)
        r, r_noise = self.values, self.noise
        with np.errstate(all="ignore"):
            flat = (self.count, -1)
            diff = np.abs(a - r).reshape(flat)
            size = np.fmax(np.abs(a), np.abs(r)).reshape(flat)
            largest = np.nanmax(np.where(np.isfinite(size), size, 0.0), axis=1)
            noise = (a_noise + r_noise).reshape(flat)
            reliable = (a_noise.reshape(flat) <= FLOAT_TOL * largest[:, None]).all(axis=1) & (
                r_noise.reshape(flat) <= FLOAT_TOL * largest[:, None]).all(axis=1)
            # Digits the cancellation eats: the noise over a rounding of the largest entry
            # (inf where the floats cannot say: all entries 0, or the noise undefined).
            lost = np.log10(np.fmax(np.nanmax(noise, axis=1) / (ULPS * largest), 1.0))
            fin = finite(a)
            clean = fin & reliable & (diff <= NOISE_FACTOR * noise + ULPS * size).all(axis=1)
            far = fin & reliable & (diff > np.fmax(FAR_NOISE * noise,
                                                   FAR * largest[:, None])).any(axis=1)
        outcome = Outcome("inconclusive", values=a, count=self.count)
        high = _HighPrecision(self, answer)
        order = [k for k in range(self.count) if not clean[k]]
        order += [k for k in range(min(ALWAYS_CHECKED, self.random)) if clean[k]]
        deadline = time.monotonic() + HIGH_PRECISION_SECONDS
        for k in order:
            if time.monotonic() > deadline:  # the rest stays unresolved: a teacher decides
                outcome.timed_out = True
                outcome.unresolved += 1
                clean[k] = False
                continue
            status, entry, expected, got = high.check(k, float(lost[k]))
            if status == "unavailable":  # the floats decide
                status = "equal" if clean[k] else "different" if far[k] else (
                    "undefined" if not fin[k] else "unresolved")
                entry, expected, got = _first_difference(a[k], r[k])
            elif status == "equal":
                outcome.confirmed += 1
            if status in ("different", "undefined"):
                return outcome.counterexample(self, k, status, entry, expected, got)
            if status == "unresolved":
                outcome.unresolved += 1
            if status != "equal":
                clean[k] = False
            elif not clean[k]:
                clean[k] = True
        outcome.usable = int(clean[:self.random].sum())
        outcome.extra = int(clean[self.random:].sum())
        outcome.floats_only = high.unavailable
        outcome.digits = high.digits
        needed = MIN_POINTS if self.variables else 1
        if outcome.usable >= needed and (outcome.confirmed or high.unavailable) and \
                not outcome.unresolved:
            outcome.status = "equal"
        return outcome

    def same(self, values: np.ndarray, other: np.ndarray) -> bool:
        """Whether two value arrays agree at every point, to ``1e-7`` of the largest entry
        (the test of the feedback's candidates)."""
        if np.shape(values) != np.shape(other):
            return False
        with np.errstate(all="ignore"):
            flat = (self.count, -1)
            size = np.fmax(np.abs(values), np.abs(other)).reshape(flat)
            largest = np.nanmax(size, axis=1, keepdims=True)
            diff = np.abs(values - other).reshape(flat)
            return bool(np.all(diff <= 1e-7 * largest) and np.isfinite(values).all()
                        and np.isfinite(other).all())


@dataclass
class Outcome:
    """The numbers' verdict on a matrix formula (see :meth:`MatrixReference.compare`)."""

    status: str                       # "equal", "different", "inconclusive"
    values: np.ndarray | None = None  # the answer's values at the points
    count: int = 0
    kind: str = ""                    # for "different": "value" or "undefined"
    point: dict[str, np.ndarray] = field(default_factory=dict)
    entry: tuple[int, ...] = ()
    expected: Any = None
    got: Any = None
    usable: int = 0
    extra: int = 0
    confirmed: int = 0
    unresolved: int = 0
    floats_only: bool = False
    digits: int = DPS                 # the most digits a point was confirmed with
    timed_out: bool = False           # the high-precision stage ran out of time

    def counterexample(self, ref: MatrixReference, k: int, status: str,
                       entry: tuple[int, ...], expected: Any, got: Any) -> Outcome:
        self.status = "different"
        self.kind = "undefined" if status == "undefined" else "value"
        self.point = ref.variables_at(k)
        self.entry, self.expected, self.got = entry, expected, got
        return self


class _HighPrecision:
    """Step 3 for one answer: a point at 50 digits and more where values cancel, a
    difference rechecked with 30 more."""

    def __init__(self, ref: MatrixReference, answer: Source) -> None:
        self.ref = ref
        self.answer = answer
        self.unavailable = False
        #: The most digits a point was confirmed equal with.
        self.digits = DPS

    def check(self, k: int, lost: float = 0.0) -> tuple[str, tuple[int, ...], Any, Any]:
        """The point at 50 digits and as many more as cancellation eats (``lost``, at most
        :data:`MAX_DPS` in all), a difference rechecked with 30 more.  Where the floats
        cannot say what cancellation eats (``lost`` is inf) :meth:`range_digits` says it."""
        if self.unavailable:
            return "unavailable", (), None, None
        if not np.isfinite(lost):
            lost = self.range_digits(k)
        dps = DPS + max(0, int(np.ceil(lost)) - SPARE_DIGITS)
        if dps + RECHECK_DIGITS > MAX_DPS:
            return "unresolved", (), None, None
        try:
            r = self.ref.mp_at(self.ref.source, k, dps)
        except NoHighPrecision:
            self.unavailable = True
            return "unavailable", (), None, None
        except (MPDomainError, MPOverflow):
            return "reference", (), None, None
        try:
            a = self.ref.mp_at(self.answer, k, dps)
        except NoHighPrecision:
            self.unavailable = True
            return "unavailable", (), None, None
        except (MPDomainError, MPOverflow):
            entry = tuple(0 for _ in np.shape(r))
            return "undefined", entry, r[entry] if np.shape(r) else r[()], None
        status, entry = _decide(a, r, dps)
        if status == "different":
            recheck = dps + RECHECK_DIGITS
            try:
                a_more = self.ref.mp_at(self.answer, k, recheck)
                r_more = self.ref.mp_at(self.ref.source, k, recheck)
            except (MPDomainError, MPOverflow):
                return "unresolved", entry, None, None
            with mpmath.workdps(recheck):
                if abs(a_more[entry] - r_more[entry]) < abs(a[entry] - r[entry]) / 2:
                    return "unresolved", entry, None, None
        if status == "equal":
            self.digits = max(self.digits, dps)
        return status, entry, r[entry], a[entry]

    def range_digits(self, k: int) -> float:
        """Where the floats cannot say what cancellation eats (every entry rounded to 0,
        or an overflow): the digits of the range of all values of both graphs at 50
        digits (the largest over the smallest nonzero one, constants included) bound it."""
        magnitudes: list[Any] = []
        for source in (self.ref.source, self.answer):
            try:
                nodes = self.ref.mp_nodes_at(source, k, DPS)
            except (MPDomainError, MPOverflow, NoHighPrecision):
                return 0.0  # the check at 50 digits says what went wrong
            graph = source.graph
            for v in range(source.node + 1):
                if nodes[v] is not None:
                    magnitudes += [abs(x) for x in np.asarray(nodes[v]).flat]
                if graph.op(v) is not None:
                    magnitudes += [abs(mpmath.mpf(a)) for a in graph.args(v)
                                   if isinstance(a, (int, float)) and not is_node(a)]
        with mpmath.workdps(DPS):
            nonzero = [m for m in magnitudes if m != 0]
            if not nonzero:
                return 0.0
            return float(mpmath.log10(max(nonzero) / min(nonzero)))


def _decide(a: np.ndarray, r: np.ndarray, dps: int) -> tuple[str, tuple[int, ...]]:
    """Equal, different or unresolved at one point, from the high-precision values."""
    with mpmath.workdps(dps):
        largest = max((max(abs(x), abs(y)) for x, y in zip(a.flat, r.flat, strict=True)),
                      default=mpmath.mpf(0))
        worst: tuple[int, ...] = ()
        equal = True
        for index in np.ndindex(np.shape(a)):
            d = abs(a[index] - r[index])
            if d > MP_DIFFERENT * max(abs(a[index]), abs(r[index])):
                return "different", index
            if d > MP_EQUAL * largest:
                equal, worst = False, index
        return ("equal", ()) if equal else ("unresolved", worst)


def _first_difference(a: np.ndarray, r: np.ndarray) -> tuple[tuple[int, ...], Any, Any]:
    """The entry that differs most (floats), with both values."""
    with np.errstate(all="ignore"):
        d = np.where(np.isfinite(a), np.abs(a - r), np.inf)
    index = tuple(int(i) for i in np.unravel_index(int(np.nanargmax(d)), np.shape(a))) \
        if np.ndim(a) else ()
    return index, float(r[index]), float(a[index])


def format_matrix(value: np.ndarray, digits: int = 4) -> str:
    """A matrix as students write it, ``[[0.62, -1.38], [...]]`` (``digits`` significant).

    >>> format_matrix(np.array([[1.0, -0.5], [1 / 3, 2.0]]), 3)
    '[[1, -0.5], [0.333, 2]]'
    """
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return f"{float(array):.{digits}g}"
    return "[" + ", ".join(format_matrix(row, digits) for row in array) + "]"


def format_point(env: Mapping[str, np.ndarray]) -> str:
    """The variables' matrices of a counterexample (4 significant digits: the point is
    in ``details``, in full)."""
    return ", ".join(f"{name} = {format_matrix(value)}" for name, value in env.items())


def format_entry(index: Sequence[int]) -> str:
    """An entry's position as students count it, ``(1, 2)``."""
    return "(" + ", ".join(str(int(k) + 1) for k in index) + ")" if len(index) else ""


def shown_values(expected: Any, got: Any) -> tuple[str, str]:
    """Both values with enough digits to show they differ."""
    if got is None:
        return (format_matrix(np.asarray(float(expected))), "")
    with mpmath.workdps(DPS):
        return format_pair(expected, got)
