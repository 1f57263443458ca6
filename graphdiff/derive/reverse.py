"""Reverse mode: adjoints w̄ᵢ = ∂y/∂wᵢ swept against evaluation order (seed 003).

Each node's adjoint is the sum, over the nodes v that use it, of v's adjoint times
the edge derivative: w̄₂ = w₁·w̄₃ + 3w₂²·w̄₄.  One backward sweep gives the derivative
of one output with respect to every input (the whole gradient), or a
vector-Jacobian product for a cotangent on several outputs.  Contributions of a node
used many times (``x*x``, ``a + a``) accumulate.

>>> import graphdiff as gd
>>> g = gd.parse("exp(x1*x2) + x2**3")
>>> r = gd.reverse(g)
>>> r.gradient
{'x1': x2*exp(x1*x2), 'x2': x1*exp(x1*x2) + 3*x2**2}
>>> gd.reverse(g, at={"x1": 0.0, "x2": 1.0}).gradient
{'x1': 1.0, 'x2': 3.0}
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
from ..notation import BAR, decorated
from ..ops import as_expr
from ._sweep import (
    node_values,
    numeric_partials,
    output_id,
    output_value,
    plain,
    seed_expr,
    symbolic_partials,
    to_inputs,
    written_sum,
)


@dataclass(frozen=True, repr=False)
class ReverseResult:
    """Adjoints of every node for one cotangent, with the sweep's trace.

    Attributes
    ----------
    graph : Graph
    cotangent : dict
        The output adjoints ȳ (``{"f": 1}`` for the gradient of f).
    at : dict or None
        The point (None: symbolic).
    values : list or None
        Node values at the point.
    adjoints : list
        w̄ᵢ per node id: numbers (or arrays) at a point, sympy expressions in the
        node symbols when symbolic; 0 for nodes the outputs do not depend on.

    >>> import graphdiff as gd
    >>> result = gd.reverse(gd.parse("x*y + y"), at={"x": 2.0, "y": 3.0})
    >>> result.value, result.gradient, result.adjoint("w3")
    (9.0, {'x': 3.0, 'y': 3.0}, 1.0)
    """

    graph: Graph
    cotangent: dict[str, Any]
    at: dict[str, Any] | None
    values: list[Any] | None
    adjoints: list[Any]

    #: The worked table (:func:`graphdiff.tables.reverse_table`), and the notebook display: the
    #: presentation layer installs them (graphdiff.display), as the core imports nothing
    #: above it.
    table: ClassVar[Callable[..., str]]

    def adjoint(self, node: str | int) -> Any:
        """w̄ of one node; symbolic results are expressed in the inputs."""
        i = self.graph.id(node)
        if self.at is None:
            return to_inputs(self.graph, as_expr(self.adjoints[i]))
        return plain(self.adjoints[i]) if type(self.adjoints[i]) is not int else 0.0

    @property
    def gradient(self) -> dict[str, Any]:
        """∂y/∂x for every input x, by name."""
        return {name: self.adjoint(i) for i, name in
                zip(self.graph.input_ids, self.graph.inputs, strict=True)}

    @property
    def derivative(self) -> dict[str, Any]:
        """Same as :attr:`gradient` (every method's result has ``derivative``)."""
        return self.gradient

    @property
    def value(self) -> Any:
        """The output value at the point (None when symbolic)."""
        return output_value(self.graph, self.values)

    @cached_property
    def rules(self) -> list[sympy.Expr | None]:
        """Per node, w̄ᵢ written with the adjoints of its users (``x1*w̄3 + 3*x2**2*w̄4``).

        The outputs' rules are their seeds (1).  Computed on first use.
        """
        graph = self.graph
        bars = [sympy.Symbol(decorated(graph.name(i), BAR)) for i in graph.order]
        terms: list[list[tuple[sympy.Expr, sympy.Expr]]] = [[] for _ in graph.order]
        for v in graph.order:
            if graph.kind(v) == "op":
                for u, partial in symbolic_partials(graph, v):
                    terms[u].append((partial, bars[v]))
        rules: list[sympy.Expr | None] = []
        for i in graph.order:
            seed = self.cotangent.get(graph.name(i)) if i in graph.output_ids else None
            rule = written_sum(terms[i])
            if seed is not None and seed != 0:
                rule = as_expr(seed) if rule == 0 else sympy.Add(
                    as_expr(seed), rule, evaluate=False)
            rules.append(rule)
        return rules

    def __repr__(self) -> str:
        seeds = ", ".join(f"{decorated(k, BAR)}={v}" for k, v in self.cotangent.items())
        return f"<ReverseResult ({seeds}): gradient {self.gradient!r}>"


def reverse(
    graph: Graph,
    output: str | None = None,
    at: Mapping[str, Any] | None = None,
    *,
    cotangent: Mapping[str, Any] | None = None,
) -> ReverseResult:
    """Reverse-mode sweep: adjoints of every node for ``output``.

    Parameters
    ----------
    graph : Graph
    output : str, optional
        The output to differentiate (seeds ȳ = 1).  Default: the only output.
    at : mapping, optional
        A point (numbers or numpy arrays for a batch).  Without it the sweep is
        symbolic.
    cotangent : mapping, optional
        Output adjoints instead of ``output`` (a vector-Jacobian product over
        several outputs); missing outputs get 0.

    Examples
    --------
    Seed 002's Dw table for y = sin(x1) + x1·x2:

    >>> import graphdiff as gd
    >>> r = gd.reverse(gd.parse("sin(x1) + x1*x2"))
    >>> [(r.graph.name(i), r.adjoints[i]) for i in reversed(r.graph.order)]
    [('w5', 1), ('w4', 1), ('w3', 1), ('x2', x1), ('x1', x2 + cos(x1))]
    """
    if cotangent is None:
        out = output_id(graph, output)
        cotangent = {graph.name(out): 1}
    else:
        if output is not None:
            raise GraphdiffError("give either output or cotangent, not both")
        unknown = set(cotangent) - set(graph.outputs)
        if unknown:
            raise GraphdiffError(f"cotangent names unknown outputs: {', '.join(sorted(unknown))}")
    values = node_values(graph, at)
    adjoints = _sweep(graph, cotangent, values)
    return ReverseResult(
        graph=graph,
        cotangent=dict(cotangent),
        at=None if at is None else dict(at),
        values=values,
        adjoints=adjoints,
    )


def _sweep(graph: Graph, cotangent: Mapping[str, Any], values: list[Any] | None) -> list[Any]:
    """w̄ᵢ for every node; the int 0 marks adjoints that are structurally zero."""
    adjoints: list[Any] = [0] * len(graph)
    for name, seed in cotangent.items():
        node = graph.id(name)
        if values is None:
            adjoints[node] = adjoints[node] + seed_expr(name, seed)
        elif not (isinstance(seed, int) and seed == 0):
            seed_value = np.broadcast_to(np.asarray(seed, dtype=float),
                                         np.shape(values[node]))[()]
            adjoints[node] = seed_value + (0.0 if type(adjoints[node]) is int else adjoints[node])
    with np.errstate(all="ignore"):  # inf and nan propagate as values, as in evaluation
        _propagate(graph, values, adjoints)
    return adjoints


def _propagate(graph: Graph, values: list[Any] | None, adjoints: list[Any]) -> None:
    kinds = graph._kinds  # noqa: SLF001 - hot loop
    for v in reversed(graph.order):
        adjoint = adjoints[v]
        if type(adjoint) is int or kinds[v] != "op":
            continue  # structurally zero, or nothing to pass back
        if values is None:
            if adjoint == 0:
                continue
            for u, partial in symbolic_partials(graph, v):
                adjoints[u] = adjoints[u] + partial * adjoint
            continue
        for u, partial in numeric_partials(graph, v, values):
            term = partial * adjoint
            previous = adjoints[u]
            adjoints[u] = term if type(previous) is int else previous + term
