"""The derivative as a sum over paths (seed 004, exercise 1).

∂f/∂x is the sum, over every path from x to f, of the product of the edge
derivatives along the path.  For f = x² + xy + (x+y)² the three paths from x give
2x + y + 2c with c = x + y.

Counting paths never enumerates them: the number of paths into each node is the sum
over its predecessors (dynamic programming over the DAG), so 3⁴⁰ paths are counted
instantly.  Enumeration refuses above a limit.  The *value* of the path sum for any
number of paths is what forward mode computes: ẇᵥ = Σᵤ (∂v/∂u)·ẇᵤ is the same
dynamic programming with products instead of counts (Baur–Strassen; vertex
elimination in the order of evaluation).

>>> import graphdiff as gd
>>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
>>> result = gd.paths(g, "x")
>>> [" -> ".join(p.names) for p in result.paths]
['x -> a -> d -> f', 'x -> b -> d -> f', 'x -> c -> e -> f']
>>> result.sum
2*c + 2*x + y
>>> result.derivative
4*x + 3*y
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, ClassVar

import sympy

from ..errors import GraphdiffError
from ..graph import Graph
from ._sweep import input_id, node_values, output_id, plain, scalar_only, to_inputs

#: Default largest number of paths :func:`paths` enumerates.
DEFAULT_PATH_LIMIT = 10_000
#: Largest number of edge factors (paths times their length) the paths *method* lists
#: before it sums by dynamic programming instead: one path through a chain of 10⁵ nodes
#: is a sympy product of 10⁵ factors (gigabytes), and no reader's table.
DEFAULT_FACTOR_LIMIT = 100_000


def listable(graph: Graph, count: int) -> bool:
    """Whether ``count`` paths of ``graph`` are few and short enough to list one by one.

    >>> import graphdiff as gd
    >>> listable(gd.parse("x**2 + x*y + (x+y)**2"), 3), listable(gd.parse("x*y"), 10**5)
    (True, False)
    """
    return count <= DEFAULT_PATH_LIMIT and count * max(graph.depth, 1) <= DEFAULT_FACTOR_LIMIT


class PathLimitError(GraphdiffError):
    """Too many paths to enumerate; the message gives the count and the alternative.

    >>> import graphdiff as gd
    >>> g = gd.parse("a = x*x; b = a*a; c = b*b; c*c")
    >>> try:
    ...     gd.paths(g, "x", limit=0)
    ... except PathLimitError as err:
    ...     print(err.count)
    1
    """

    def __init__(self, count: int, limit: int, source: str, target: str) -> None:
        self.count = count
        self.limit = limit
        super().__init__(
            f"there are {count:,} paths from {source} to {target}, more than the limit of "
            f"{limit:,}: use gd.path_sum (or forward/reverse mode), which sums all paths by "
            "dynamic programming without listing them, or raise limit="
        )


@dataclass(frozen=True)
class Path:
    """One path from the input to the output.

    Attributes
    ----------
    nodes : tuple of int
        Node ids from the input to the output.
    names : tuple of str
        Their display names.
    factors : tuple of sympy.Expr
        Edge derivatives along the path (input side first).
    product : sympy.Expr
        Their product, in the node symbols (``2*c``).
    factor_values, value : tuple of float, float or None
        The factors and the product at the point, if one was given.
    """

    nodes: tuple[int, ...]
    names: tuple[str, ...]
    factors: tuple[sympy.Expr, ...]
    product: sympy.Expr
    factor_values: tuple[Any, ...] | None = None
    value: Any = None

    def describe(self) -> str:
        """``x → c → e → f: 1 · 2c · 1 = 2c`` (factors in path order).

        >>> import graphdiff as gd
        >>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
        >>> gd.paths(g, "x").paths[2].describe()
        'x → c → e → f: 1 · 2*c · 1 = 2*c'
        """
        factors = " · ".join(str(f) for f in self.factors)
        text = f"{' → '.join(self.names)}: {factors} = {self.product}"
        if self.value is not None:
            text += f" = {float(self.value):g}" if _is_scalar(self.value) else ""
        return text


def _is_scalar(value: Any) -> bool:
    import numpy as np

    return np.ndim(value) == 0


@dataclass(frozen=True, repr=False)
class PathsResult:
    """Every path from ``source`` to ``target`` and their sum.

    Attributes
    ----------
    sum : sympy.Expr
        Σ of the path products in the node symbols (``2*x + y + 2*c``).
    derivative : sympy.Expr or float
        The derivative: the sum in the inputs (symbolic) or its value at the point.

    >>> import graphdiff as gd
    >>> result = gd.paths(gd.parse("x*x + sin(x)"), "x")
    >>> result.count, result.sum, result.derivative
    (2, 2*x + cos(x), 2*x + cos(x))
    """

    graph: Graph
    source: str
    target: str
    paths: tuple[Path, ...]
    at: dict[str, Any] | None

    #: The worked table (:func:`graphdiff.tables.paths_table`), and the notebook display: the
    #: presentation layer installs them (graphdiff.display), as the core imports nothing
    #: above it.
    table: ClassVar[Callable[..., str]]

    @property
    def count(self) -> int:
        return len(self.paths)

    @property
    def sum(self) -> sympy.Expr:
        return sympy.Add(*(p.product for p in self.paths))

    @property
    def derivative(self) -> Any:
        if self.at is None:
            return self.symbolic_derivative
        return plain(sum((p.value for p in self.paths), 0.0))

    def __repr__(self) -> str:
        """One line: which derivative, how many paths, their sum (cut when long).

        >>> import graphdiff as gd
        >>> gd.paths(gd.parse("x*x + sin(x)"), "x", at={"x": 0.0})
        <PathsResult dw4/dx = 1.0 by 2 paths: 2*x + cos(x)>
        """
        total = str(self.sum)
        shown = total if len(total) <= 60 else total[:57] + "..."
        value = f" = {self.derivative!r}" if self.at is not None else ""
        noun = "path" if self.count == 1 else "paths"
        return f"<PathsResult d{self.target}/d{self.source}{value} by {self.count} {noun}: {shown}>"

    @property
    def symbolic_derivative(self) -> sympy.Expr:
        """The sum of the path products in the inputs, whether or not there is a point."""
        return sympy.expand(to_inputs(self.graph, self.sum)) if self.paths else sympy.S.Zero


def count_paths(graph: Graph, source: str | int, target: str | int) -> int:
    """The exact number of paths from ``source`` to ``target``, without listing them.

    One pass in topological order: paths(v) = Σ paths(u) over the edges u → v.

    >>> import graphdiff as gd
    >>> def layer(u):
    ...     for _ in range(40):
    ...         u = gd.sin(u) * gd.cos(u) + u / 2
    ...     return u
    >>> count_paths(gd.trace(layer), "u", gd.trace(layer).outputs[0]) == 3**40
    True
    """
    s, t = graph.id(source), graph.id(target)
    counts = _path_counts(graph, s)
    return counts[t]


def _predecessors(graph: Graph, v: int) -> Iterable[int]:
    """The nodes with an edge into ``v``, once each, in argument order (``x*x`` has one
    edge): read from the graph's argument tuples, without building the networkx view."""
    return dict.fromkeys(a for a in graph.args(v) if type(a) is int)


def _path_counts(graph: Graph, source: int) -> list[int]:
    counts = [0] * len(graph)
    counts[source] = 1
    for v in range(source + 1, len(graph)):
        total = 0
        for u in _predecessors(graph, v):
            total += counts[u]
        counts[v] = total
    return counts


def paths(
    graph: Graph,
    wrt: str | None = None,
    at: Mapping[str, Any] | None = None,
    *,
    output: str | None = None,
    limit: int = DEFAULT_PATH_LIMIT,
) -> PathsResult:
    """All paths from input ``wrt`` to ``output`` with their edge-derivative products.

    Raises :class:`PathLimitError` (with the exact count) when there are more than
    ``limit`` paths; :func:`path_sum` gives the sum's value for any count.

    Examples
    --------
    >>> import graphdiff as gd
    >>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    >>> [(p.names, p.value) for p in gd.paths(g, "y", at={"x": 1.0, "y": 2.0}).paths]
    [(('y', 'b', 'd', 'f'), 1.0), (('y', 'c', 'e', 'f'), 6.0)]
    """
    scalar_only(graph, "paths")
    s, t = input_id(graph, wrt), output_id(graph, output)
    counts = _path_counts(graph, s)
    if counts[t] > limit:
        raise PathLimitError(counts[t], limit, graph.name(s), graph.name(t))
    values = node_values(graph, at)
    node_paths = _enumerate(graph, s, t, counts)
    result = []
    for nodes in node_paths:
        factors = tuple(graph.edge_derivative(u, v) for u, v in pairwise(nodes))
        product = sympy.Mul(*factors)
        factor_values = value = None
        if values is not None:
            factor_values = tuple(
                plain(graph.edge_derivative_value(u, v, values))
                for u, v in pairwise(nodes)
            )
            value = 1.0
            for f in factor_values:
                value = value * f
        result.append(Path(
            nodes=tuple(nodes), names=tuple(graph.name(n) for n in nodes),
            factors=factors, product=product, factor_values=factor_values, value=value,
        ))
    return PathsResult(graph=graph, source=graph.name(s), target=graph.name(t),
                       paths=tuple(result), at=None if at is None else dict(at))


def _enumerate(graph: Graph, s: int, t: int, counts: list[int]) -> list[list[int]]:
    """Depth-first, iteratively, only through nodes on some s-t path, in edge order."""
    found: list[list[int]] = []
    # Walk backwards from t so that every step stays on a path from s.
    stack: list[tuple[int, list[int]]] = [(t, [t])]
    while stack:
        node, suffix = stack.pop()
        if node == s:
            found.append(suffix[::-1])
            continue
        for u in reversed(list(_predecessors(graph, node))):
            if counts[u]:
                stack.append((u, [*suffix, u]))
    # Present paths in the order of their nodes (x→a… before x→b…).
    found.sort()
    return found


def path_sum(graph: Graph, wrt: str | None = None, at: Mapping[str, Any] | None = None,
             *, output: str | None = None) -> Any:
    """The sum over all paths of the edge-derivative products, for any number of paths.

    Computed by dynamic programming over the DAG in topological order — the same
    computation as forward mode (ẇᵥ = Σᵤ ∂v/∂u · ẇᵤ) — so it is linear in the size of
    the graph even when the number of paths is exponential.

    >>> import graphdiff as gd
    >>> g = gd.parse("x**2 + x*y + (x+y)**2")
    >>> path_sum(g, "x", {"x": 1, "y": 2})
    10.0
    """
    from .forward import forward

    scalar_only(graph, "path_sum")
    s, t = input_id(graph, wrt), output_id(graph, output)
    result = forward(graph, wrt=graph.name(s), at=at)
    return result.output_tangent(t)
