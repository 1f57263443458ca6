"""Cross-checks: every method against each other (and finite differences, re-exported).

:func:`verify` runs paths, forward, reverse, symbolic (sympy.diff) and numeric
(central differences with an error estimate) at random points inside the domain and
reports whether they agree.  Tolerances:

* exact methods (paths, forward, reverse, symbolic) must agree to a relative error of
  ``1e-9`` (absolute ``1e-12`` near zero) -- they compute the same number in a
  different order, so only rounding separates them;
* central differences must agree within ``max(10 × their error estimate, 1e-6 ×
  |derivative|, 1e-9)``: they are approximations, and the estimate says how good.

>>> import graphdiff as gd
>>> report = gd.verify(gd.parse("x**2 + x*y + (x+y)**2"), points=3)
>>> report.ok
True
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import DomainError, GraphdiffError
from ..graph import Graph
from ..notation import format_number, format_table
from ._sweep import output_id, scalar_only
from .api import grad
from .differences import numeric_diff
from .kinks import RULE_METHODS, differing, explain, kinks_at
from .numeric import NumericDifferentiationError

__all__ = ["Check", "VerifyReport", "numeric_diff", "verify"]

#: Relative tolerance between the exact methods.
EXACT_RTOL = 1e-9
#: Absolute tolerance between the exact methods near zero.
EXACT_ATOL = 1e-12
#: Central differences must be within this many times their own error estimate.
NUMERIC_ESTIMATE_FACTOR = 10.0
#: ... or within this relative tolerance, whichever is larger,
NUMERIC_RTOL = 1e-6
#: ... with this absolute floor for derivatives that are exactly 0.
NUMERIC_ATOL = 1e-9
#: Graphs larger than this skip sympy (its expression would be the bottleneck).
SYMBOLIC_SIZE_LIMIT = 2_000


@dataclass(frozen=True)
class Check:
    """One input at one point: every method's value and whether they agree.

    >>> import graphdiff as gd
    >>> check = gd.verify(gd.parse("x*y"), points=1).checks[0]
    >>> check.wrt, sorted(check.values), check.ok
    ('x', ['forward', 'numeric', 'paths', 'reverse', 'symbolic'], True)
    """

    point: dict[str, float]
    wrt: str
    values: dict[str, float]
    numeric_error_estimate: float
    ok: bool
    worst: str = ""
    #: Set when the point is on a kink and only the methods that do not use the op's rule
    #: there (symbolic, numeric) differ: why, in words (:func:`~graphdiff.derive.kinks.explain`).
    kink: str = ""


@dataclass(frozen=True)
class VerifyReport:
    """The result of :func:`verify`: one :class:`Check` per point and input.

    >>> import graphdiff as gd
    >>> report = gd.verify(gd.parse("sin(x)"), points=2)
    >>> report
    <VerifyReport all agree: 2 checks, methods reverse, forward, paths, symbolic, numeric>
    >>> print(report.table().splitlines()[0])
    point      d/d  reverse  forward  paths  symbolic  numeric  agree
    """

    graph: Graph
    checks: list[Check] = field(default_factory=list)
    methods: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def table(self, style: str = "text") -> str:
        headers = ["point", "d/d", *self.methods, "agree"]
        rows = []
        for c in self.checks:
            point = ", ".join(f"{k}={v:.4g}" for k, v in c.point.items())
            rows.append([point, c.wrt, *(format_number(c.values.get(m), 12)
                                         for m in self.methods),
                         ("yes (on a kink)" if c.kink else "yes") if c.ok
                         else f"NO ({c.worst})"])
        return format_table(headers, rows, style, ["l", "l", *("r" * len(self.methods)), "l"])

    def _repr_markdown_(self) -> str:
        """The table in Markdown: how a notebook shows a report."""
        return self.table("markdown")

    def __repr__(self) -> str:
        verdict = "all agree" if self.ok else "DISAGREEMENT"
        return (f"<VerifyReport {verdict}: {len(self.checks)} checks, methods "
                f"{', '.join(self.methods)}>")


def verify(graph: Graph, *, points: int = 5, seed: int = 0, output: str | None = None,
           low: float = -2.0, high: float = 2.0, max_tries: int = 200) -> VerifyReport:
    """Run every method at random points and report whether they agree.

    Points are drawn uniformly from ``[low, high]`` per input (non-integer, seeded);
    points where the function is undefined or not finite are redrawn, up to
    ``max_tries`` in all.

    >>> import graphdiff as gd
    >>> report = gd.verify(gd.parse("log(x)*y"), points=3)
    >>> report.ok, all(c.point["x"] > 0 for c in report.checks)
    (True, True)
    """
    scalar_only(graph, "verify")
    out = output_id(graph, output)
    out_name = graph.name(out)
    if not graph.inputs:
        raise GraphdiffError("the graph has no inputs: there is nothing to differentiate")
    rng = np.random.default_rng(seed)
    methods = ["reverse", "forward", "paths"]
    skipped = []
    if len(graph) <= SYMBOLIC_SIZE_LIMIT:
        methods.append("symbolic")
    else:
        skipped.append(f"symbolic (graph of {len(graph)} nodes > {SYMBOLIC_SIZE_LIMIT})")
    methods.append("numeric")
    checks: list[Check] = []
    found = tries = 0
    while found < points and tries < max_tries:
        tries += 1
        point = {name: float(rng.uniform(low, high)) for name in graph.inputs}
        try:
            values = graph.values(point)
        except DomainError:
            continue
        if not all(np.all(np.isfinite(v)) for v in values):
            continue
        try:
            results = {m: grad(graph, at=point, method=m, output=out_name)
                       for m in methods if m not in ("numeric", "symbolic")}
            numeric = numeric_diff(graph, point, output=out_name)
        except (DomainError, NumericDifferentiationError):
            continue  # a difference step left the domain: try another point
        if "symbolic" in methods:
            try:
                results["symbolic"] = grad(graph, at=point, method="symbolic", output=out_name)
            except (GraphdiffError, RecursionError) as err:
                # sympy gives up on deep nesting; the other four still check each other.
                methods.remove("symbolic")
                reason = err if isinstance(err, GraphdiffError) else "too deep for sympy"
                skipped.append(f"symbolic ({reason})")
        found += 1
        for k, name in enumerate(graph.inputs):
            row = {m: float(results[m][name]) for m in results}
            row["numeric"] = float(numeric.value[k])
            check = _judge(point, name, row, float(numeric.error[k]))
            if not check.ok:
                check = _on_a_kink(graph, check)
            checks.append(check)
    if not checks:
        raise GraphdiffError(f"found no point in [{low}, {high}] where {out_name} is defined "
                             f"after {tries} tries; pass low= and high=")
    return VerifyReport(graph=graph, checks=checks, methods=tuple(methods),
                        skipped=tuple(skipped))


def _on_a_kink(graph: Graph, check: Check) -> Check:
    """A disagreement of symbolic or numeric alone at a point on a kink is no error: the
    derivative does not exist there, and the methods that use the op's rule agree."""
    rule = {m: v for m, v in check.values.items() if m in RULE_METHODS}
    if differing(rule):
        return check
    found = kinks_at(graph, check.point)
    if not found:
        return check
    return replace(check, ok=True, kink=explain(found, list(check.values)))


def _judge(point: dict[str, float], name: str, row: dict[str, float],
           estimate: float) -> Check:
    reference = row["reverse"]
    worst, ok = "", True
    for method, value in row.items():
        if method == "numeric":
            tolerance = max(NUMERIC_ESTIMATE_FACTOR * estimate, NUMERIC_RTOL * abs(reference),
                            NUMERIC_ATOL)
        else:
            tolerance = max(EXACT_RTOL * abs(reference), EXACT_ATOL)
        if not abs(value - reference) <= tolerance:
            ok = False
            worst = f"{method} differs by {abs(value - reference):.3g}"
    return Check(point=point, wrt=name, values=row, numeric_error_estimate=estimate, ok=ok,
                 worst=worst)
