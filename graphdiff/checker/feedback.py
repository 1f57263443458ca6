"""Feedback on a wrong answer, read off the computation graph.

When an answer is wrong, the checker tries to explain it with the graph of the function.
The values of every path product (seed 004: ∂f/∂x is the sum over the paths from x to f
of the products of the edge derivatives) are known at the sample points, so the checker
can test, numerically and all at once, whether the answer is a *different combination* of
path products: a path left out, a path counted twice or with the wrong sign, half a
path (a lost factor 2), or a path that starts at another variable.  It also tests the
usual slips: the negative of the answer, twice or half the answer, the derivative with
respect to another variable, a dropped chain-rule factor (one edge derivative replaced by
1), a constant factor or offset, and the function itself instead of its derivative.

Matching is numeric at the same points as the verdict, with a tight relative tolerance
(``1e-7``), so an explanation is given only when it fits the answer everywhere.

>>> import graphdiff as gd
>>> from graphdiff.checker.equivalence import Reference, judge
>>> f = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
>>> ref = Reference(gd.forward_graph(f, "x"), guards=[f])
>>> diagnoser = Diagnoser(f, "x", ref)
>>> v = judge(ref, "2x + y", diagnose=diagnoser)
>>> print(v.feedback[0].render())
your answer misses the path x → c → e → f (factor 2c)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..derive.paths import count_paths, path_sum, paths
from ..graph import Graph
from ..printing import expr_text
from .equivalence import Outcome, Reference
from .messages import Message

#: Relative tolerance of a feedback match.
MATCH_TOL = 1e-7
#: Most paths from the variable for which combinations are searched.
MAX_PATHS = 12
#: Most combinations tried.
MAX_COMBINATIONS = 60_000


def pretty(expr: Any) -> str:
    """A factor as a teacher writes it: ``2c`` for ``2*c`` (the printer's plain style).

    >>> import sympy
    >>> c, o2 = sympy.symbols("c o2")
    >>> pretty(2*c), pretty(o2*(1 - o2))
    ('2c', 'o2*(1 - o2)')
    """
    return expr_text(expr, "plain")


def _match(a: np.ndarray, target: np.ndarray, scale: float) -> bool:
    ok = np.isfinite(a) & np.isfinite(target)
    if ok.sum() < max(3, min(8, len(a))):
        return False
    with np.errstate(all="ignore"):
        tol = MATCH_TOL * np.fmax(np.fmax(np.abs(a[ok]), np.abs(target[ok])), scale)
        return bool(np.all(np.abs(a[ok] - target[ok]) <= tol))


def _nice(value: float) -> str:
    frac = Fraction(value).limit_denominator(12)
    if abs(float(frac) - value) <= 1e-9 * max(1.0, abs(value)):
        return str(frac)
    return f"{value:.6g}"


class Diagnoser:
    """Explains wrong answers to ``∂output/∂wrt`` using the paths of ``function``.

    Parameters
    ----------
    function : Graph
        The function (one output); its inputs are variables of ``reference``.
    wrt : str or None
        The variable of the derivative (None: no path analysis, only the usual slips).
    reference : Reference
        The prepared correct answer; its points are used.
    hints : mapping, optional
        Extra messages per feedback code (``{"sign_error": Message(...)}``).

    >>> import graphdiff as gd
    >>> f = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    >>> ref = Reference(gd.forward_graph(f, "x"), guards=[f])
    >>> diagnoser = Diagnoser(f, "x", ref, hints={"sign_error": Message("custom", {
    ...     "en": "check the sign of each path"})})
    >>> len(diagnoser.wrt_paths)
    3
    >>> [m.render() for m in diagnoser.diagnose(-ref.values)]
    ['sign error: your answer is the negative of the correct one', 'check the sign of each path']
    """

    def __init__(self, function: Graph | None, wrt: str | None, reference: Reference, *,
                 hints: Mapping[str, Message] | None = None) -> None:
        self.ref = reference
        self.hints = dict(hints or {})
        self.function = function
        self.wrt = wrt
        values = reference.values
        finite = values[np.isfinite(values)]
        self.scale = float(np.median(np.abs(finite))) if finite.size else 1.0
        self.scale = max(self.scale, 1e-300)
        self.others: dict[str, np.ndarray] = {}
        self.wrt_paths: list[tuple[Any, np.ndarray]] = []
        self.foreign_paths: list[tuple[str, Any, np.ndarray]] = []
        self.function_values: np.ndarray | None = None
        if function is None or reference.count == 0:
            return
        env = {v: reference.env[v] for v in function.inputs if v in reference.env}
        if len(env) != len(function.inputs):
            return
        self.function_values = np.broadcast_to(
            np.asarray(function.evaluate(env, on_domain_error="nan"), dtype=float),
            (reference.count,))
        if wrt is None or wrt not in function.inputs:
            return
        out = function.output_ids[0]
        for x in function.inputs:
            if x == wrt:
                continue
            try:
                self.others[x] = np.broadcast_to(
                    np.asarray(path_sum(function, x, env), dtype=float), (reference.count,))
            except (ArithmeticError, ValueError):
                continue
        if count_paths(function, wrt, out) <= MAX_PATHS:
            with np.errstate(all="ignore"):
                for p in paths(function, wrt, env).paths:
                    self.wrt_paths.append((p, _array(p.value, reference.count)))
                for x in function.inputs:
                    if x != wrt and 0 < count_paths(function, x, out) <= 6:
                        for p in paths(function, x, env).paths:
                            self.foreign_paths.append((x, p, _array(p.value, reference.count)))

    def __call__(self, outcome: Outcome, answer: Graph) -> list[Message]:
        return self.diagnose(outcome.values)

    def diagnose(self, a: np.ndarray | None) -> list[Message]:
        """Messages explaining the answer values ``a`` at the reference points."""
        if a is None or self.ref.count == 0:
            return []
        found = self._explain(np.asarray(a, dtype=float))
        for message in list(found):
            hint = self.hints.get(message.code)
            if hint is not None:
                found.append(hint)
        return found

    def _explain(self, a: np.ndarray) -> list[Message]:
        r = self.ref.values
        s = self.scale
        nonzero = bool(np.nanmax(np.abs(r)) > 1e-12 * max(s, 1e-300)) if r.size else False
        if nonzero and _match(a, -r, s):
            return [Message("sign_error")]
        if nonzero and _match(a, 2 * r, s):
            return [Message("factor_two", {"factor": "2"})]
        if nonzero and _match(a, r / 2, s):
            return [Message("factor_two", {"factor": "1/2"})]
        for x, d in self.others.items():
            if _match(a, d, s):
                return [Message("wrong_variable", {"other": x, "wrt": self.wrt})]
        combination = self._paths(a)
        if combination:
            return combination
        dropped = self._dropped(a)
        if dropped:
            return dropped
        # Hostile answers reach 1e308: a scaled or shifted try may overflow, and then it
        # simply does not match.
        with np.errstate(all="ignore"):
            ratio = a / r
            ok = np.isfinite(ratio) & (np.abs(r) > 1e-9 * s)
            if nonzero and ok.sum() >= 3:
                c = float(np.median(ratio[ok]))
                if c != 0 and _match(a, c * r, s):
                    return [Message("constant_factor", {"factor": _nice(c)})]
            if self.function_values is not None and _match(a, self.function_values, s):
                return [Message("not_differentiated")]
            diff = a - r
            ok = np.isfinite(diff)
            if ok.sum() >= 3:
                c = float(np.median(diff[ok]))
                if c != 0 and _match(a, r + c, s):
                    return [Message("constant_offset", {"offset": _nice(c)})]
        return []

    # --- combinations of paths ----------------------------------------------------------

    def _paths(self, a: np.ndarray) -> list[Message]:
        n = len(self.wrt_paths)
        if n == 0:
            return []
        coefficient_sets = ([1.0, 0.0, 2.0, -1.0, 0.5] if n <= 5 else
                            [1.0, 0.0, 2.0, -1.0] if n <= 8 else [1.0, 0.0])
        foreign = self.foreign_paths
        total = len(coefficient_sets) ** n * 2 ** len(foreign)
        if total > MAX_COMBINATIONS:
            foreign = []
            total = len(coefficient_sets) ** n
            if total > MAX_COMBINATIONS:
                coefficient_sets = [1.0, 0.0]
        values = np.array([v for _, v in self.wrt_paths] + [v for _, _, v in foreign])
        ok = np.all(np.isfinite(values), axis=0) & np.isfinite(a)
        if ok.sum() < 3:
            return []
        values, target = values[:, ok], a[ok]
        rows = [list(c) + list(f) for c in itertools.product(coefficient_sets, repeat=n)
                for f in itertools.product([0.0, 1.0], repeat=len(foreign))]
        combos = np.array(rows)
        # Not `combos @ values`: BLAS picks its kernel, and so its order of additions, per
        # CPU, and these sums may cancel (paths of opposite sign), so the verdict below
        # could differ between machines.  Column by column in a fixed order the rounding
        # is the same everywhere (the coefficients 0, ±1, 2, 1/2 make the products exact).
        sums = np.zeros((len(combos), values.shape[1]))
        for j in range(combos.shape[1]):
            sums += combos[:, j, None] * values[j]
        with np.errstate(all="ignore"):
            tol = MATCH_TOL * np.fmax(np.fmax(np.abs(sums), np.abs(target)), self.scale)
            hits = np.flatnonzero(np.all(np.abs(sums - target) <= tol, axis=1))
        if hits.size == 0:
            return []
        costs = [self._cost(combos[h], n) for h in hits]
        best = combos[hits[int(np.argmin(costs))]]
        if np.all(best[:n] == 1.0) and not np.any(best[n:]):
            return []
        messages = []
        for (p, _), c in zip(self.wrt_paths, best[:n], strict=True):
            params = {"path": " → ".join(p.names), "factor": pretty(p.product),
                      "nodes": list(p.names)}
            if c == 0.0:
                messages.append(Message("missing_path", params))
            elif c == 2.0:
                messages.append(Message("double_path", params))
            elif c == -1.0:
                messages.append(Message("negated_path", params))
            elif c == 0.5:
                messages.append(Message("halved_path", params))
        for (x, p, _), c in zip(foreign, best[n:], strict=True):
            if c:
                messages.append(Message("foreign_path", {
                    "path": " → ".join(p.names), "factor": pretty(p.product), "start": x,
                    "wrt": self.wrt, "nodes": list(p.names)}))
        return messages

    @staticmethod
    def _cost(row: np.ndarray, n: int) -> float:
        own = sum(0.0 if c == 1.0 else 1.0 for c in row[:n])
        return own + 1.2 * float(np.count_nonzero(row[n:]))

    def _dropped(self, a: np.ndarray) -> list[Message]:
        """The answer equals the path sum with one edge derivative replaced by 1."""
        edges: dict[tuple[int, int], Any] = {}
        for p, _ in self.wrt_paths:
            for k, (u, v) in enumerate(itertools.pairwise(p.nodes)):
                edges.setdefault((u, v), (p.factors[k], _array(p.factor_values[k],
                                                                 self.ref.count)))
        for (u, v), (factor, fvalues) in edges.items():
            if np.all(np.isfinite(fvalues)) and np.allclose(np.abs(fvalues), 1.0):
                continue
            total = np.zeros(self.ref.count)
            for p, _ in self.wrt_paths:
                term = np.ones(self.ref.count)
                for k, edge in enumerate(itertools.pairwise(p.nodes)):
                    if edge != (u, v):
                        term = term * _array(p.factor_values[k], self.ref.count)
                total = total + term
            if _match(a, total, self.scale):
                g = self.function
                assert g is not None
                return [Message("dropped_factor", {"source": g.name(u), "target": g.name(v),
                                                   "factor": pretty(factor)})]
        return []


def feedback_edges(feedback: Iterable[Message]) -> list[tuple[str, str]]:
    """The graph edges a verdict's feedback is about (paths, a dropped factor).

    >>> feedback_edges([
    ...     Message("missing_path", {"path": "x → c → e → f", "nodes": ["x", "c", "e", "f"]}),
    ...     Message("dropped_factor", {"source": "c", "target": "e", "factor": "2c"})])
    [('x', 'c'), ('c', 'e'), ('e', 'f')]
    """
    edges: list[tuple[str, str]] = []
    for m in feedback:
        nodes = m.params.get("nodes")
        if nodes:
            edges += [e for e in itertools.pairwise(nodes) if e not in edges]
        if m.code in ("dropped_factor", "path_no_edge"):
            edge = (m.params["source"], m.params["target"])
            if edge not in edges:
                edges.append(edge)
    return edges


def feedback_figure(problem: Any, part: str, verdict: Any, *, lang: str = "en") -> Any:
    """The problem's graph with the edges of the feedback highlighted (a graphviz
    Digraph; see :func:`graphdiff.render`), or None when the feedback names no edge.

    >>> from graphdiff.checker import get_problem
    >>> p = get_problem("seed004-ex1")
    >>> figure = feedback_figure(p, "dfdx", p.part("dfdx").grade("2x + y"))
    >>> "misses the path x → c → e → f" in figure.source
    True
    """
    from ..render import render

    graph = problem.graph
    if graph is None:
        return None
    names = set(problem.node_names)
    edges = [(u, v) for u, v in feedback_edges(verdict.feedback)
             if u in names and v in names and graph.nx.has_edge(graph.id(u), graph.id(v))]
    if not edges:
        return None
    title = "; ".join(m.render(lang) for m in verdict.feedback if m.code != "custom")
    return render(graph, highlight=edges, title=title)


def _array(value: Any, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=float), (n,)).astype(float)


def diagnose_number(value: float, expected: float, alternatives: Iterable[tuple[Message, float]],
                    close: Any) -> list[Message]:
    """Feedback for a wrong number: the first alternative value it matches.

    ``alternatives`` are (message, value) pairs such as the negative of the correct
    value or the derivative with respect to another variable; ``close(a, b)`` decides a
    match (the part's tolerance).

    >>> alternatives = number_alternatives(10.0, {"y": 5.0}, "x", 7.0)
    >>> def close(a, b):
    ...     return abs(a - b) < 1e-9
    >>> [m.render() for m in diagnose_number(5.0, 10.0, alternatives, close)]
    ['your answer is 1/2 times the correct one (a factor of 2)']
    >>> diagnose_number(3.0, 10.0, alternatives, close)
    []
    """
    for message, alt in alternatives:
        if alt is not None and np.isfinite(alt) and close(value, alt) and not close(
                expected, alt):
            return [message]
    return []


def number_alternatives(expected: float, others: Mapping[str, float], wrt: str | None,
                        function_value: float | None) -> Sequence[tuple[Message, float]]:
    """The usual slips of a numeric derivative value.

    >>> for message, value in number_alternatives(10.0, {"y": 5.0}, "x", 7.0):
    ...     print(f"{value:5}  {message.render()}")
    -10.0  sign error: your answer is the negative of the correct one
     20.0  your answer is 2 times the correct one (a factor of 2)
      5.0  your answer is 1/2 times the correct one (a factor of 2)
      5.0  this is the value of the derivative with respect to y, not x
      7.0  this is the function itself, not its derivative
    """
    alts: list[tuple[Message, float]] = []
    if expected != 0:
        alts += [(Message("sign_error"), -expected),
                 (Message("factor_two", {"factor": "2"}), 2 * expected),
                 (Message("factor_two", {"factor": "1/2"}), expected / 2)]
    for x, v in others.items():
        alts.append((Message("value_of_other", {"other": x, "wrt": wrt}), v))
    if function_value is not None:
        alts.append((Message("not_differentiated"), function_value))
    return alts
