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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import sympy

from ..errors import GraphdiffError
from ..graph import Batch, Graph, as_numpy, structural_zero
from ..notation import DOT, decorated
from ..ops import SCALAR, as_expr
from ..printing import Printed
from ._sweep import (
    as_numpy_marked,
    float_partial,
    float_term,
    input_id,
    one_point,
    output_value,
    plain,
    public,
    scalar_only,
    seed_expr,
    sweep_values,
    symbolic_depth_ok,
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

        None for inputs and constants.  Computed on first use (sympy work).  For a
        tensor graph each rule is the sum of its JVPs as printed formulas (``Ẋ @ W``).
        """
        graph = self.graph
        if graph.is_tensor:
            return printed_tangent_rules(graph)
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
        """ẇ of one node (zeros of its shape where it does not depend on the direction)."""
        tangent = self.tangents[node]
        if self.at is None:
            return to_inputs(self.graph, as_expr(tangent))
        if type(tangent) is int and self.graph.shape(node):
            return np.zeros(self.graph.shape(node))
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
    if at is None:
        scalar_only(graph, "symbolic forward mode (forward without at=)")
        symbolic_depth_ok(graph, "symbolic forward mode")
    given = one_point(graph, at, direction.values())
    if given is not None:  # one point of a scalar graph: the sweeps on Python floats
        floats = graph._float_sweep(given)  # noqa: SLF001 - the nodes', then the constants'
        tangents = _float_sweep(graph, direction, floats)
        return ForwardResult(graph=graph, direction=dict(direction), at=dict(at),
                             values=as_numpy(floats[: len(graph)]),
                             tangents=as_numpy_marked(tangents))
    values, batch = sweep_values(graph, at)
    tangents = _sweep(graph, direction, values, batch)
    return ForwardResult(
        graph=graph,
        direction=dict(direction),
        at=None if at is None else dict(at),
        values=public(batch, values),
        tangents=public(batch, tangents),
    )


def _sweep(graph: Graph, direction: Mapping[str, Any], values: list[Any] | None,
           batch: Batch | None = None) -> list[Any]:
    """ẇᵢ for every node; the int 0 marks tangents that are structurally zero."""
    if values is None:
        tangents: list[Any] = [0] * len(graph)
        for node, name in zip(graph.input_ids, graph.inputs, strict=True):
            tangents[node] = seed_expr(name, direction[name])
        _propagate_symbolic(graph, tangents)
        return tangents
    tangents = [None] * len(graph)  # None: structurally zero
    for node, name in zip(graph.input_ids, graph.inputs, strict=True):
        seed = direction[name]
        if not (isinstance(seed, int) and seed == 0):
            tangents[node] = _seed_value(graph, node, seed, values, batch)
    with np.errstate(all="ignore"):  # inf and nan propagate as values, as in evaluation
        _propagate(graph, values, tangents)
    return [0 if t is None else t for t in tangents]


def _float_sweep(graph: Graph, direction: Mapping[str, Any], values: list[float]) -> list[Any]:
    """:func:`_sweep` at one point of a scalar graph, on Python floats (``values`` from
    ``Graph._float_sweep``): the same products and sums in the same order."""
    n = len(graph)
    tangents: list[Any] = [None] * n  # None: structurally zero
    for node, name in zip(graph.input_ids, graph.inputs, strict=True):
        seed = direction[name]
        if not (isinstance(seed, int) and seed == 0):
            tangents[node] = float(seed)
    kinds, ops = graph._kinds, graph._ops  # noqa: SLF001 - hot loop
    slots, _ = graph._float_slots()  # noqa: SLF001
    with np.errstate(all="ignore"):  # inf and nan propagate as values, as in evaluation
        for v in graph.order:
            if kinds[v] != "op":
                continue
            arg_slots, out, rules = slots[v], values[v], ops[v].partials
            if len(arg_slots) == 1:  # one argument spelled out: no list per node
                a = arg_slots[0]
                if a < n and tangents[a] is not None:
                    try:
                        partial = rules[0](SCALAR, values[a], out)
                        if partial == 0 and structural_zero(partial):
                            continue  # passes nothing: the tangent stays structurally zero
                        term = partial * tangents[a]
                        if type(term) is not float:  # a complex power, a numpy scalar
                            term = float_term(rules[0], [values[a]], out, tangents[a], True)
                    except (ArithmeticError, ValueError, TypeError):
                        term = float_term(rules[0], [values[a]], out, tangents[a], True)
                    tangents[v] = term
                continue
            args = [values[a] for a in arg_slots]
            constants = [values[a] for a in arg_slots if a >= n]
            total = None
            for pos, a in enumerate(arg_slots):
                if a >= n or tangents[a] is None:
                    continue  # a constant, or a structurally zero tangent
                term = float_term(rules[pos], args, out, tangents[a], True, constants)
                if term is None:
                    continue  # a structural zero passes nothing
                total = term if total is None else total + term
            tangents[v] = total
    return [0 if t is None else t for t in tangents]


def forward_jacobian(graph: Graph, at: Mapping[str, Any], wrt: Sequence[str] | None = None,
                     *, outputs: Sequence[str] | None = None) -> np.ndarray:
    """The Jacobian (``outputs`` × inputs ``wrt``; by default the graph's outputs and all its
    inputs) at one point of a scalar
    graph by forward mode, in ONE sweep: each node's tangent is a vector over the
    directions (one per input), so every node's partials are computed once, not once per
    input.  The numbers are those of one :func:`forward` sweep per input, bit for bit.

    >>> import graphdiff as gd
    >>> g = gd.parse("s = x + y\\np = x*sin(y)", outputs=["s", "p"])
    >>> forward_jacobian(g, {"x": 2.0, "y": 0.0})
    array([[1., 1.],
           [0., 2.]])
    >>> forward_jacobian(g, {"x": 2.0, "y": 0.0}, wrt=["y"])
    array([[1.],
           [2.]])

    A batch of points or a graph with tensor nodes takes :func:`graphdiff.jacobian`:

    >>> forward_jacobian(g, {"x": [1.0, 2.0], "y": 0.0})
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: forward_jacobian takes one point of a scalar graph; ...
    """
    given = one_point(graph, at)
    if given is None:
        raise GraphdiffError("forward_jacobian takes one point of a scalar graph; use "
                             "graphdiff.jacobian for a batch of points or tensor nodes")
    names = list(graph.inputs) if wrt is None else list(wrt)
    unknown = sorted(set(names) - set(graph.inputs))
    if unknown:
        raise GraphdiffError(f"wrt names no input: {', '.join(unknown)}; the inputs are "
                             f"{', '.join(graph.inputs)}")
    values = graph._float_sweep(given)  # noqa: SLF001 - the nodes', then the constants'
    outputs = graph.output_ids if outputs is None else tuple(graph.id(o) for o in outputs)
    if len(names) == 1:  # one direction: the vector is one float
        tangents = _float_sweep(graph, {x: int(x == names[0]) for x in graph.inputs}, values)
        return np.array([[float(tangents[o])] for o in outputs]).reshape(len(outputs), 1)
    tangents, masks = _vector_sweep(graph, values, [graph.id(x) for x in names], outputs)
    jacobian = np.zeros((len(outputs), len(names)))
    for row, o in enumerate(outputs):
        if tangents[o] is not None:  # else structurally zero: 0, as forward's output_tangent
            jacobian[row] = np.where(masks[o], tangents[o], 0.0)
    return jacobian


def _vector_sweep(graph: Graph, values: list[float], seeds: Sequence[int],
                  keep: Sequence[int]) -> tuple[list[Any], list[Any]]:
    """Tangents over ``len(seeds)`` directions at once (the k-th: ∂/∂ of input
    ``seeds[k]``), each node's partials computed once.

    Per node, a vector of its tangents and a mask of the directions in which it is not
    structurally zero: where the one-direction sweep skips an argument, the sum skips it
    here too (a structural zero is not 0.0: an infinite partial times it would be nan, and
    0.0 added to -0.0 is 0.0), so each direction's numbers are that sweep's, bit for bit.
    A tangent is dropped after its last use, but those of ``keep`` (memory: the graph's
    width, not its size).
    """
    n, size = len(graph), len(seeds)
    tangents: list[Any] = [None] * n  # None: structurally zero in every direction
    masks: list[Any] = [None] * n
    for k, node in enumerate(seeds):
        tangents[node] = np.zeros(size)
        tangents[node][k] = 1.0
        masks[node] = tangents[node] != 0.0
    kinds, ops = graph._kinds, graph._ops  # noqa: SLF001 - hot loop
    slots, _ = graph._float_slots()  # noqa: SLF001
    last_use = list(range(n))
    for v in graph.order:
        for a in slots[v]:
            if a < n:
                last_use[a] = v
    for o in keep:
        last_use[o] = n  # kept to the end
    with np.errstate(all="ignore"):  # inf and nan propagate as values, as in evaluation
        for v in graph.order:
            if kinds[v] != "op":
                continue
            arg_slots, out, rules = slots[v], values[v], ops[v].partials
            args = [values[a] for a in arg_slots]
            constants = [values[a] for a in arg_slots if a >= n]
            total = mask = None
            for pos, a in enumerate(arg_slots):
                if a >= n or tangents[a] is None:
                    continue
                partial = float_partial(rules[pos], args, out, constants)
                if partial is None:
                    continue  # a structural zero passes nothing
                term = partial * tangents[a]
                if total is None:
                    total, mask = term, masks[a]
                elif mask is masks[a]:  # the same directions (x*x)
                    total = total + term
                else:  # per direction: both, only the sum so far, or only this term
                    total = np.where(mask & masks[a], total + term,
                                     np.where(mask, total, term))
                    mask = mask | masks[a]
            tangents[v], masks[v] = total, mask
            for a in arg_slots:
                if a < n and last_use[a] == v:
                    tangents[a] = masks[a] = None
    return tangents, masks


def _seed_value(graph: Graph, node: int, seed: Any, values: list[Any],
                batch: Batch | None) -> Any:
    """An input's tangent seed as the sweep holds it (a number: every entry)."""
    if batch is None:
        return np.asarray(seed, dtype=float)[()]
    shape = graph.shape(node) if np.ndim(seed) else ()
    value = batch.canonical(seed, shape, graph.name(node))
    if not shape:
        value = value.reshape(value.shape + (1,) * (np.ndim(values[node]) - 1))
    return np.broadcast_to(value, np.broadcast_shapes(value.shape, np.shape(values[node])))


def _propagate_symbolic(graph: Graph, tangents: list[Any]) -> None:
    for v in graph.order:
        if graph.kind(v) == "op":
            tangents[v] = sympy.Add(*(p * tangents[u] for u, p in symbolic_partials(graph, v)))


def _propagate(graph: Graph, values: list[Any], tangents: list[Any]) -> None:
    kinds, namespace = graph._kinds, graph.namespace  # noqa: SLF001 - hot loop
    for v in graph.order:
        if kinds[v] != "op":
            continue
        total = None
        for _, term in graph.local_jvps(v, namespace, values, values[v], tangents):
            total = term if total is None else total + term
        tangents[v] = total


def printed_tangent_rules(graph: Graph) -> list[sympy.Expr | None]:
    """Per op node, its tangent as the sum of its JVP rules printed with the nodes' names
    (``Ẋ·W + X·Ẇ``, as a teacher writes them), each one sympy symbol; None for inputs and
    constants.

    >>> import graphdiff as gd
    >>> g = gd.parse("Z = X @ W", shapes={"X": (2, 2), "W": (2, 3)})
    >>> printed_tangent_rules(g)
    [None, None, Ẋ·W + X·Ẇ]
    """
    names = [Printed(graph.name(i), shape=graph.shape(i), style="unicode") for i in graph.order]
    dots = [Printed(decorated(graph.name(i), DOT), shape=graph.shape(i), style="unicode")
            for i in graph.order]
    rules: list[sympy.Expr | None] = [None] * len(graph)
    namespace = Printed.namespace("unicode")
    for v in graph.order:
        if graph.kind(v) == "op":
            terms = [str(c) for _, c in graph.local_jvps(v, namespace, names, names[v], dots)]
            rules[v] = sympy.Symbol(" + ".join(terms)) if terms else sympy.Integer(0)
    return rules
