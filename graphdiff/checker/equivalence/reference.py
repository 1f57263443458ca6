"""The correct answer, prepared once for many answers (steps 2 and 3): its points and its
values there, float and high precision, and the cache of prepared references.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import mpmath
import sympy

from ...convert import from_sympy
from ...errors import GraphdiffError
from ...graph import Graph
from ...ops import as_expr
from .. import mpeval
from ..answers import Reading, read_answer
from .domain import Domain
from .kinks import Kinks, KinkSearch
from .lru import LRU
from .points import RANDOM, Evaluator, Points
from .sampling import random_points, wide_points

#: Random points per comparison.
DEFAULT_POINTS = 16
#: Numeric outcomes remembered per reference (by answer text).
OUTCOME_CACHE = 512


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
    >>> from graphdiff.checker.equivalence import judge
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
        self.evaluator = Evaluator(graph, self.variables, self.names, self.guards, self.domain)
        self._mp_cache: dict[tuple[Any, ...], Any] = {}
        #: Numeric outcomes by answer text (see numeric.cached_outcome): a class writes
        #: the same answers many times.
        self.outcomes: LRU[tuple[str, int | None], Any] = LRU(OUTCOME_CACHE)
        self.switch_keys: set[bytes] = set()
        self._prepare()

    def _prepare(self) -> None:
        """Steps 2 and 3 for the correct answer: the random points, the wide points and
        the points at, beside and between its kinks, with its values there."""
        self.points, count = random_points(self.evaluator, self.seed, self.n_points)
        self.count = count
        self.base = self.evaluator.points(self.points, count, RANDOM)
        self.env = self.base.env
        self.values = self.base.values
        self.rounding = self.base.rounding
        parts = [wide_points(self.evaluator, self.seed, self.points, count)]
        self.kink_search = KinkSearch(self.evaluator, self.points, count)
        kinks = self.kink_search.find([self.graph, *self.names.values(), *self.guards], set())
        self.switch_keys = kinks.keys
        self.kinks_truncated = kinks.truncated
        parts.append(kinks.points)
        self.extra = Points.join([self.evaluator.empty(), *(p for p in parts if p is not None)])

    def point(self, i: int) -> dict[str, float]:
        """Random point ``i``."""
        return self.base.point(i)

    def answer_kinks(self, answer: Graph) -> Kinks:
        """Points at and beside the kinks of ``answer`` that the reference's own kink
        points do not already cover."""
        return self.kink_search.find([answer], self.switch_keys)

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


#: Prepared references, by what they were prepared from (text and sympy references).
_REFERENCES: LRU[tuple[Any, ...], Reference] = LRU(128)


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
            return cached
    known = None if variables is None else list(variables)
    name_graphs = {n: as_graph(v, known, functions) for n, v in (names or {}).items()}
    ref_names = None if variables is None else [*variables, *name_graphs]
    graph = as_graph(reference, ref_names, functions)
    result = Reference(graph, variables=variables, names=name_graphs, domain=domain,
                       seed=seed, points=points, functions=functions)
    if key is not None:
        _REFERENCES.put(key, result)
    return result

