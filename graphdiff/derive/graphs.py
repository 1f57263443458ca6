"""Derivatives as graphs: forward and reverse mode emitted as new computation graphs.

Instead of numbers, the sweeps produce nodes: the result is a :class:`~graphdiff.Graph`
that contains the original computation and, on top of it, the tangents or adjoints
(the adjoint graph of seed 003).  Subexpressions are shared, so the derivative graph
stays linear in the size of the function — no expression swell — and it can be
evaluated, rendered, converted to sympy, or differentiated again (Hessians).

The partial-derivative rules of the op table run unchanged on graph tracers: that is
what the namespace argument of each rule is for.

>>> import graphdiff as gd
>>> g = gd.parse("exp(x1*x2) + x2**3")
>>> dg = gd.reverse_graph(g)
>>> dg.outputs
('x̄1', 'x̄2')
>>> dg.to_sympy()
(x2*exp(x1*x2), x1*exp(x1*x2) + 3*x2**2)
>>> dg.evaluate(x1=0.0, x2=1.0)
(1.0, 3.0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from ..builder import GraphBuilder, gc_paused
from ..errors import GraphdiffError
from ..graph import Graph, is_node
from ..notation import BAR, DOT, decorated
from ..ops import Namespace, as_expr, op_of_dunder
from ..trace import Tracer, function_of
from ._sweep import input_id, output_id, seed_expr

#: The op that sums the contributions to an adjoint or a tangent (``+``, by the registry).
_ADD = op_of_dunder("add", 2)

#: The op table's functions on tracers: the namespace that turns rules into nodes.
GRAPH = Namespace("graph", function_of, shape_of=lambda value: tuple(np.shape(value)))


def _is_zero(ref: Any) -> bool:
    """A reference is a node id (an int) or a constant: only a constant can be zero."""
    return not is_node(ref) and ref == 0


def _traced(builder: GraphBuilder, ref: Any) -> Any:
    return Tracer(builder, ref) if is_node(ref) else ref


def _all_traced(builder: GraphBuilder, refs: list[Any]) -> list[Any]:
    """:func:`_traced` of every reference (a list comprehension: no call per node)."""
    return [Tracer(builder, ref) if type(ref) is int else ref for ref in refs]


def _ref(value: Any) -> Any:
    """A tracer's node, or a constant as a sympy number."""
    if type(value) is Tracer:
        return value.node
    return as_expr(value)


class _Traced:
    """Per node, its reference as a rule's value (a tracer or a constant); None where the
    reference is None or zero.  Computed on access: a copied list per node would be
    quadratic."""

    __slots__ = ("_builder", "_refs")

    def __init__(self, builder: GraphBuilder, refs: list[Any]) -> None:
        self._builder, self._refs = builder, refs

    def __getitem__(self, node: int) -> Any:
        ref = self._refs[node]
        return None if ref is None or _is_zero(ref) else _traced(self._builder, ref)


def _seed_input(builder: GraphBuilder, graph: Graph, node: int, mark: str,
                taken: set[str]) -> int:
    """A seed given at each evaluation: an input of the derivative graph named after the
    node (``ẋ`` for a tangent, ``ȳ`` for a cotangent), of the node's shape."""
    name = decorated(graph.name(node), mark)
    if name in taken:
        raise GraphdiffError(f"the seed of {graph.name(node)} would be the input {name}, "
                             "but the graph has a node of that name already")
    return builder.input(name, graph.shape(node) or None)


def _seed(builder: GraphBuilder, seed: Any, like: Any) -> Any:
    """A seed as a reference: a tensor node's number fills every entry (broadcast_like)."""
    if type(like) is Tracer and like.shape and not np.ndim(seed):
        return _ref(GRAPH.broadcast_like(as_expr(seed), like))
    return as_expr(seed)


def reverse_graph(graph: Graph, output: str | None = None, *,
                  cotangent: Mapping[str, Any] | Sequence[str] | None = None,
                  naming: str = "w",
                  values: bool = False, wrt: Sequence[str] | None = None) -> Graph:
    """The adjoint graph: a Graph whose outputs are ∂y/∂x for every input x.

    Adjoint nodes are named w̄ᵢ after the node they belong to; the outputs are the
    inputs' adjoints (x̄1, x̄2, ...).  ``cotangent`` seeds several outputs (a VJP):
    a mapping ``{output: seed}`` compiles the seeds in, a list of outputs makes each
    seed an input of the adjoint graph (``ȳ``, after the graph's inputs), given at each
    evaluation.
    ``values=True`` puts the graph's own outputs first, so that one evaluation gives
    the value and the gradient (what :func:`graphdiff.compile` generates code from).
    ``wrt`` keeps the adjoints of those inputs only: what leads only to the others (a
    network's data) is not in the graph.

    Examples
    --------
    >>> import graphdiff as gd
    >>> dg = gd.reverse_graph(gd.parse("x1*x2 + sin(x1)"))
    >>> [dg.formula(n) for n in dg.output_ids]
    ['v3 + x2', 'x1']
    >>> dg.formula("v3")
    'cos(x1)'
    >>> gd.reverse_graph(gd.parse("x*y"), values=True).evaluate(x=2.0, y=3.0)
    (6.0, 3.0, 2.0)
    >>> len(gd.reverse_graph(gd.parse("sin(x)*exp(y)"), wrt=["y"]))   # no cos(x)
    5
    >>> vjp = gd.reverse_graph(gd.parse("f = x*y"), cotangent=["f"])
    >>> vjp.inputs, vjp.evaluate(x=2.0, y=3.0, f̄=10.0)
    (('x', 'y', 'f̄'), (30.0, 20.0))
    """
    at_call = cotangent is not None and not isinstance(cotangent, Mapping)
    seeds = {output_id(graph, name): None for name in cotangent} if at_call \
        else _seeds(graph, output, cotangent)  # type: ignore[arg-type]
    builder = GraphBuilder()
    with gc_paused():
        refs = builder.replay(graph)
        traced = _all_traced(builder, refs)  # once: the rules' arguments
        builder.simplify = True
        adjoints: list[Any] = [None] * len(graph)
        if at_call:
            taken = set(_graph_names(graph))
            for node in seeds:
                adjoints[node] = _seed_input(builder, graph, node, BAR, taken)
        else:
            for node, seed in seeds.items():
                adjoints[node] = _seed(builder, seed_expr(graph.name(node), seed),
                                       traced[node])
        names, kinds = graph._names, graph._kinds  # noqa: SLF001 - the hot loop
        local_vjps, add = graph.local_vjps, _ADD
        for v in reversed(graph.order):
            adjoint = adjoints[v]
            if adjoint is None:
                continue
            if type(adjoint) is int:  # a node
                builder.name(adjoint, decorated(names[v], BAR))
            elif adjoint == 0:  # a constant: zero passes nothing back
                continue
            if kinds[v] != "op":
                continue
            g = Tracer(builder, adjoint) if type(adjoint) is int else adjoint
            for u, contribution in local_vjps(v, GRAPH, traced, traced[v], g):
                # _ref, spelled out: the loop runs once per edge of the graph
                term = contribution.node if type(contribution) is Tracer else as_expr(
                    contribution)
                previous = adjoints[u]
                # The sum is applied on the references: no tracers made for it.
                adjoints[u] = term if previous is None else builder.apply(add, (previous, term))
        chosen = graph.input_ids if wrt is None else [input_id(graph, x) for x in wrt]
        outputs = [sympy.Integer(0) if adjoints[i] is None else adjoints[i] for i in chosen]
        for i, ref in zip(chosen, outputs, strict=True):
            if is_node(ref):
                builder.name(ref, decorated(graph.name(i), BAR))
        if values:
            outputs = [refs[o] for o in graph.output_ids] + outputs
        return builder.build(outputs, order="source", naming=naming,
                             inputs=list(graph.inputs), reserved=_graph_names(graph),
                             source=f"gradient of {', '.join(graph.name(n) for n in seeds)}")


def forward_graph(graph: Graph, wrt: str | None = None, *,
                  direction: Mapping[str, Any] | Sequence[str] | None = None,
                  naming: str = "w",
                  values: bool = False) -> Graph:
    """The tangent graph: a Graph whose outputs are ∂y/∂x (or the JVP) for every output.

    Tangent nodes are named ẇᵢ after the node they belong to.  ``direction`` is a
    mapping ``{input: seed}`` (compiled in) or a list of inputs whose tangents are
    inputs of the tangent graph (``ẋ``, after the graph's inputs), given at each
    evaluation.  ``values=True`` puts the graph's own outputs first.

    >>> import graphdiff as gd
    >>> dg = gd.forward_graph(gd.parse("x1*x2 + sin(x1)"), wrt="x1")
    >>> dg.to_sympy()
    x2 + cos(x1)
    >>> jvp = gd.forward_graph(gd.parse("x*y"), direction=["x", "y"])
    >>> jvp.inputs, jvp.evaluate(x=2.0, y=3.0, ẋ=1.0, ẏ=10.0)
    (('x', 'y', 'ẋ', 'ẏ'), 23.0)
    """
    if direction is None:
        seed_node = input_id(graph, wrt)
        direction = {graph.name(seed_node): 1}
    builder = GraphBuilder()
    with gc_paused():
        refs = builder.replay(graph)
        traced = _all_traced(builder, refs)  # once: the rules' arguments
        builder.simplify = True
        tangents: list[Any] = [None] * len(graph)
        if isinstance(direction, Mapping):
            for name, seed in direction.items():
                node = input_id(graph, name)
                tangents[node] = _seed(builder, seed_expr(name, seed), traced[node])
        else:
            taken = set(_graph_names(graph))
            for name in direction:
                node = input_id(graph, name)
                tangents[node] = _seed_input(builder, graph, node, DOT, taken)
        view = _Traced(builder, tangents)
        names, kinds = graph._names, graph._kinds  # noqa: SLF001 - the hot loop
        local_jvps, add = graph.local_jvps, _ADD
        for v in graph.order:
            if kinds[v] != "op":
                continue
            total: Any = None
            for _, contribution in local_jvps(v, GRAPH, traced, traced[v], view):
                term = contribution.node if type(contribution) is Tracer else as_expr(
                    contribution)
                total = term if total is None else builder.apply(add, (total, term))
            tangents[v] = total
            if type(total) is int:
                builder.name(total, decorated(names[v], DOT))
        outputs = [sympy.Integer(0) if tangents[o] is None else tangents[o]
                   for o in graph.output_ids]
        if values:
            outputs = [refs[o] for o in graph.output_ids] + outputs
        return builder.build(outputs, order="source", naming=naming,
                             inputs=list(graph.inputs), reserved=_graph_names(graph),
                             source=f"tangent along {', '.join(direction)}")


def _graph_names(graph: Graph) -> list[str]:
    return list(graph._names)  # noqa: SLF001 - every name at once


def _seeds(graph: Graph, output: str | None,
           cotangent: Mapping[str, Any] | None) -> dict[int, Any]:
    if cotangent is None:
        return {output_id(graph, output): 1}
    return {graph.id(name): value for name, value in cotangent.items()}
