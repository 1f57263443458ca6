"""What a matrix part asks for, computed from the problem's function.

* the value of a node (the forward pass: ``H1 = X @ W1``),
* the gradient of the output with respect to an input (``dL/dW``),
* the adjoint of a node, the accumulator ``d`` that backpropagation passes to it
  (``dL/dH1``),

as a place in a graph (:class:`~.compare.Source`: the function, or its adjoint graph from
:func:`graphdiff.reverse_graph`), and the gradients that a typical slip gives: with one
elementwise node's own derivative left out of the chain rule (``σ'(H)`` forgotten), by a
reverse sweep of the core's rules (:meth:`graphdiff.Graph.local_vjps`) in which that node
passes its cotangent on unchanged.

>>> import graphdiff as gd
>>> g = gd.parse("X: 3x2\\nW: 2x2\\nH = X @ W\\nO = sigmoid(H)\\nL = sum(O)")
>>> t = Target("gradient", "W")
>>> t.what().render(), t.source(g, adjoint_graph(g)).shape
('the gradient of W', (2, 2))
>>> import numpy as np
>>> env = {"X": np.ones((1, 3, 2)), "W": np.zeros((1, 2, 2))}
>>> gradient_without(g, t, env, 1, skip=None)[0].tolist()   # σ'(0) = 1/4, three rows
[[0.75, 0.75], [0.75, 0.75]]
>>> gradient_without(g, t, env, 1, skip=g.id("O"))[0].tolist()
[[3.0, 3.0], [3.0, 3.0]]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...derive.graphs import reverse_graph
from ...graph import Graph, is_node
from ...notation import BAR, decorated
from ...ops import TENSOR, is_function
from ..messages import Message
from .compare import Source

__all__ = ["Target", "adjoint_graph", "factor_nodes", "gradient_without"]

_ADJOINTS: dict[int, tuple[Graph, Graph]] = {}


def adjoint_graph(function: Graph) -> Graph:
    """The function's adjoint graph (cached per function graph)."""
    cached = _ADJOINTS.get(id(function))
    if cached is None or cached[0] is not function:
        if len(_ADJOINTS) > 256:
            _ADJOINTS.clear()
        cached = (function, reverse_graph(function))
        _ADJOINTS[id(function)] = cached
    return cached[1]


@dataclass(frozen=True)
class Target:
    """What a part asks for: ``"value"`` of node ``name``, ``"gradient"`` of the output
    with respect to input ``name``, or ``"adjoint"`` of node ``name``."""

    asks: str
    name: str

    def what(self) -> Message:
        """How messages name it ("the gradient of W")."""
        return Message(f"what_{self.asks}", {"name": self.name})

    def source(self, function: Graph, adjoint: Graph | None = None) -> Source:
        """Where it is computed: a node of the function or of its adjoint graph."""
        if self.asks == "value":
            return Source(function, function.id(self.name))
        adjoint = adjoint if adjoint is not None else adjoint_graph(function)
        if self.asks == "gradient":
            k = list(function.inputs).index(self.name)
            return Source(adjoint, adjoint.output_ids[k])
        return Source(adjoint, adjoint.id(decorated(self.name, BAR)))

    def shape(self, function: Graph) -> tuple[int, ...]:
        return function.shape(self.name)


def factor_nodes(function: Graph) -> list[tuple[int, int]]:
    """``(node, argument)``: the elementwise functions of one node argument of the same
    shape (``O = σ(H)``, ``relu``, ``tanh``), whose derivative is a chain-rule factor."""
    found = []
    for v in function.order:
        op = function.op(v)
        if op is None or not op.elementwise or not is_function(op):
            continue
        nodes = [a for a in function.args(v) if is_node(a)]
        if len(nodes) == 1 and function.shape(nodes[0]) == function.shape(v) and \
                function.shape(v):
            found.append((v, nodes[0]))
    return found


def gradient_without(function: Graph, target: Target, env: Mapping[str, Any], count: int,
                     skip: int | None) -> np.ndarray:
    """The gradient or adjoint ``target`` at the points ``env`` (``count`` of them) by a
    reverse sweep in which node ``skip`` sends its cotangent on unchanged (its own
    derivative left out); ``(count, *shape)``, nan where undefined."""
    point = {name: env[name] for name in function.inputs}
    with np.errstate(all="ignore"):
        values, batch = function.batched_values(point, on_domain_error="nan")
        adjoints: list[Any] = [None] * len(function)
        out = function.output_ids[0]
        adjoints[out] = np.ones_like(np.asarray(values[out], dtype=float))
        for v in reversed(function.order):
            g = adjoints[v]
            if g is None or function.kind(v) != "op":
                continue
            if v == skip:
                contributions = [(a, g) for a in function.args(v) if is_node(a)]
            else:
                contributions = function.local_vjps(v, TENSOR, values, values[v], g)
            for u, c in contributions:
                adjoints[u] = c if adjoints[u] is None else adjoints[u] + c
    node = function.id(target.name)
    shape = function.shape(node)
    if adjoints[node] is None:
        return np.zeros((count, *shape))
    value = np.asarray(batch.public(adjoints[node]) if batch is not None else adjoints[node],
                       dtype=float)
    return np.broadcast_to(value, (count, *shape)).copy()
