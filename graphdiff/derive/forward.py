"""Forward mode: tangents ẇᵢ = ∂wᵢ/∂x swept in evaluation order (seed 003).

Each node's tangent is the sum, over its arguments u, of the edge derivative times
u's tangent: ẇ₃ = w₂·ẇ₁ + w₁·ẇ₂ for w₃ = w₁·w₂.  One sweep gives the derivative of
every node with respect to one input (or along one direction: a JVP).

>>> import graphdiff as gd
>>> g = gd.parse("x1*x2 + sin(x1)")
>>> gd.forward(g, wrt="x1").derivative
x2 + cos(x1)
>>> gd.forward(g, wrt="x1", at={"x1": 0.0, "x2": 2.0}).derivative
3.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import sympy

from ..errors import GraphdiffError
from ..graph import Graph
from ..notation import DOT, decorated
from ..ops import as_expr
from ._sweep import (
    input_id,
    node_values,
    numeric_partials,
    output_value,
    plain,
    seed_expr,
    symbolic_partials,
    to_inputs,
    written_sum,
)


@dataclass(frozen=True, repr=False)
class ForwardResult:
    """Tangents of every node for one direction, with the sweep's trace.

    Attributes
    ----------
    graph : Graph
    direction : dict
        The input tangents ẋ (``{"x1": 1, "x2": 0}`` for ∂/∂x1).
    at : dict or None
        The point (None: symbolic).
    values : list or None
        Node values at the point.
    tangents : list
        ẇᵢ per node id: numbers (or arrays) at a point; sympy expressions in the node
        symbols when symbolic.  Nodes that do not depend on the direction have 0.

    >>> import graphdiff as gd
    >>> result = gd.forward(gd.parse("x1*x2 + sin(x1)"), wrt="x1", at={"x1": 0.0, "x2": 2.0})
    >>> result.value, result.derivative, [float(t) for t in result.tangents]
    (0.0, 3.0, [1.0, 0.0, 2.0, 1.0, 3.0])
    """

    graph: Graph
    direction: dict[str, Any]
    at: dict[str, Any] | None
    values: list[Any] | None
    tangents: list[Any]

    #: The worked table (:func:`graphdiff.tables.forward_table`), and the notebook display: the
    #: presentation layer installs them (graphdiff.display), as the core imports nothing
    #: above it.
    table: ClassVar[Callable[..., str]]

    @cached_property
    def rules(self) -> list[sympy.Expr | None]:
        """Per node, ẇᵢ written with its arguments' tangents (``x2*ẋ1 + x1*ẋ2``).

        None for inputs and constants.  Computed on first use (sympy work).
        """
        graph = self.graph
        dots = [sympy.Symbol(decorated(graph.name(i), DOT)) for i in graph.order]
        rules: list[sympy.Expr | None] = [None] * len(graph)
        for v in graph.order:
            if graph.kind(v) == "op":
                rules[v] = written_sum(
                    (p, dots[u]) for u, p in symbolic_partials(graph, v)
                )
        return rules

    @property
    def derivative(self) -> Any:
        """The output's tangent (a tuple for several outputs); symbolic in the inputs."""
        outs = tuple(self.output_tangent(i) for i in self.graph.output_ids)
        return outs[0] if len(outs) == 1 else outs

    def output_tangent(self, node: int) -> Any:
        tangent = self.tangents[node]
        if self.at is None:
            return to_inputs(self.graph, as_expr(tangent))
        return plain(tangent)

    @property
    def value(self) -> Any:
        """The output value at the point (None when symbolic)."""
        return output_value(self.graph, self.values)

    def __repr__(self) -> str:
        wrt = ", ".join(f"{k}={v}" for k, v in self.direction.items())
        return f"<ForwardResult d/d({wrt}): {self.derivative!r}>"


def forward(
    graph: Graph,
    wrt: str | None = None,
    at: Mapping[str, Any] | None = None,
    *,
    direction: Mapping[str, Any] | None = None,
) -> ForwardResult:
    """Forward-mode sweep: tangents of every node with respect to ``wrt``.

    Parameters
    ----------
    graph : Graph
    wrt : str, optional
        The input to differentiate by (seeds ẋ = 1 for it, 0 for the others).
        Default: the only input.
    at : mapping, optional
        A point (numbers or numpy arrays for a batch).  Without it the sweep is
        symbolic.
    direction : mapping, optional
        Input tangents instead of ``wrt`` (a Jacobian-vector product);
        missing inputs get 0.

    Examples
    --------
    Seed 003's table for y = x1·x2 + sin(x1), differentiated by x1:

    >>> import graphdiff as gd
    >>> result = gd.forward(gd.parse("x1*x2 + sin(x1)"), wrt="x1")
    >>> from graphdiff.tables import pretty
    >>> [pretty(r) for r in result.rules[2:]]
    ['x2·ẋ1 + x1·ẋ2', 'cos(x1)·ẋ1', 'ẇ3 + ẇ4']
    >>> result.derivative
    x2 + cos(x1)
    """
    if direction is None:
        seed_node = input_id(graph, wrt)
        direction = {graph.name(i): (1 if i == seed_node else 0) for i in graph.input_ids}
    else:
        if wrt is not None:
            raise GraphdiffError("give either wrt or direction, not both")
        unknown = set(direction) - set(graph.inputs)
        if unknown:
            raise GraphdiffError(f"direction names unknown inputs: {', '.join(sorted(unknown))}")
        direction = {name: direction.get(name, 0) for name in graph.inputs}
    values = node_values(graph, at)
    tangents = _sweep(graph, direction, values)
    return ForwardResult(
        graph=graph,
        direction=dict(direction),
        at=None if at is None else dict(at),
        values=values,
        tangents=tangents,
    )


def _sweep(graph: Graph, direction: Mapping[str, Any], values: list[Any] | None) -> list[Any]:
    """ẇᵢ for every node; the int 0 marks tangents that are structurally zero."""
    tangents: list[Any] = [0] * len(graph)
    for node, name in zip(graph.input_ids, graph.inputs, strict=True):
        seed = direction[name]
        if values is None:
            tangents[node] = seed_expr(name, seed)
        elif not (isinstance(seed, int) and seed == 0):
            tangents[node] = np.asarray(seed, dtype=float)[()]
    with np.errstate(all="ignore"):  # inf and nan propagate as values, as in evaluation
        _propagate(graph, values, tangents)
    return tangents


def _propagate(graph: Graph, values: list[Any] | None, tangents: list[Any]) -> None:
    for v in graph.order:
        if graph.kind(v) != "op":
            continue
        if values is None:
            tangents[v] = sympy.Add(*(p * tangents[u] for u, p in symbolic_partials(graph, v)))
            continue
        total = None
        for u, partial in numeric_partials(graph, v, values):
            tangent = tangents[u]
            if type(tangent) is int:  # structurally zero: no term
                continue
            term = partial * tangent
            total = term if total is None else total + term
        if total is not None:
            tangents[v] = total
