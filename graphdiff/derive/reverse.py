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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import sympy

from ..errors import GraphdiffError
from ..graph import Batch, Graph, as_numpy, structural_zero
from ..notation import BAR, decorated
from ..ops import NUMPY, SCALAR, as_expr
from ..printing import as_named
from ._sweep import (
    as_numpy_marked,
    float_term,
    one_point,
    output_id,
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


@dataclass(frozen=True)
class AdjointUpdate:
    """One step of the backward sweep: ``target̄ += sourcē · partial``.

    ``source`` is None for an output's seed (``ȳ = 1``); ``first`` says the update sets
    the adjoint rather than adding to it; ``running`` is the adjoint after the update (a
    number at a point, else an expression in the node symbols and adjoints).
    """

    target: str
    source: str | None
    partial: sympy.Expr
    contribution: Any
    first: bool
    running: Any


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
        """w̄ of one node, shaped like the node; symbolic results are in the inputs."""
        i = self.graph.id(node)
        if self.at is None:
            return to_inputs(self.graph, as_expr(self.adjoints[i]))
        if type(self.adjoints[i]) is int:  # structurally zero
            shape = self.graph.shape(i)
            return np.zeros(shape) if shape else 0.0
        return plain(self.adjoints[i])

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

        The outputs' rules are their seeds (1).  Computed on first use.  For a tensor
        graph each rule is the sum of its users' VJPs as printed formulas (``Z̄ @ W.T``).
        """
        graph = self.graph
        if graph.is_tensor:
            return printed_rules(graph, self.cotangent)
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

    @cached_property
    def updates(self) -> list[AdjointUpdate]:
        """The backward sweep one step at a time, as textbooks print it: first each output's
        seed, then, for every node from the last to the first, one update of each of its
        arguments' adjoints, ``ū += v̄·∂v/∂u`` (the first update of ū sets it).  The
        running value after each update shows adjoints accumulating.

        >>> import graphdiff as gd
        >>> r = gd.reverse(gd.parse("x*x + y"), at={"x": 3.0, "y": 1.0})
        >>> for u in r.updates:
        ...     print(u.target, u.source, u.partial, u.first, u.running)
        w4 None 1 True 1.0
        w3 w4 1 True 1.0
        y w4 1 True 1.0
        x w3 x True 3.0
        x w3 x False 6.0
        """
        graph = self.graph
        if graph.is_tensor:
            raise GraphdiffError("the update-by-update sweep is of scalar graphs; a tensor "
                                 "graph's rules are its VJPs (the table's summed form)")
        numeric = self.values is not None
        running: dict[int, Any] = {}
        steps: list[AdjointUpdate] = []
        for name, seed in self.cotangent.items():
            node = graph.id(name)
            running[node] = seed
            steps.append(AdjointUpdate(name, None, sympy.S.One, as_expr(seed), True,
                                       plain(seed) if numeric else as_expr(seed)))
        bars = {v: sympy.Symbol(decorated(graph.name(v), BAR)) for v in graph.order}
        for v in reversed(graph.order):
            if graph.kind(v) != "op":
                continue
            # One update per argument position (x*x updates x̄ twice), in the order the
            # numeric and symbolic partials both list them.
            numbers = ([p for _, p in graph.local_partials(v, NUMPY, self.values,
                                                            self.values[v])]
                       if numeric else [])
            for k, (u, partial) in enumerate(symbolic_partials(graph, v)):
                contribution = numbers[k] * self.adjoints[v] if numeric else partial * bars[v]
                first = u not in running
                running[u] = contribution if first else running[u] + contribution
                steps.append(AdjointUpdate(graph.name(u), graph.name(v), partial,
                                           contribution, first,
                                           plain(running[u]) if numeric else running[u]))
        return steps

    def __repr__(self) -> str:
        seeds = ", ".join(f"{decorated(k, BAR)}={v}" for k, v in self.cotangent.items())
        return f"<ReverseResult ({seeds}): gradient {self.gradient!r}>"


def reverse(
    graph: Graph,
    output: str | None = None,
    at: Mapping[str, Any] | None = None,
    *,
    cotangent: Mapping[str, Any] | None = None,
    wrt: Sequence[str] | None = None,
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
        several outputs); missing outputs get 0.  A tensor output's cotangent has its
        shape (or is a number, in every entry).
    wrt : sequence of str, optional
        Only these inputs' adjoints are wanted (JAX's ``argnums``): the sweep skips
        every node that leads to none of them (a network's data ``X`` when only the
        weights are trained).  The other inputs' adjoints are then 0.

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
    if at is None:
        scalar_only(graph, "symbolic reverse mode (reverse without at=)")
        symbolic_depth_ok(graph, "symbolic reverse mode")
    given = one_point(graph, at, cotangent.values())
    if given is not None:  # one point of a scalar graph: the sweeps on Python floats
        floats = graph._float_sweep(given)  # noqa: SLF001 - the nodes', then the constants'
        adjoints = _float_sweep(graph, cotangent, floats, wanted_nodes(graph, wrt))
        return ReverseResult(graph=graph, cotangent=dict(cotangent), at=dict(at),
                             values=as_numpy(floats[: len(graph)]),
                             adjoints=as_numpy_marked(adjoints))
    values, batch = sweep_values(graph, at)
    adjoints = _sweep(graph, cotangent, values, batch, wanted_nodes(graph, wrt))
    return ReverseResult(
        graph=graph,
        cotangent=dict(cotangent),
        at=None if at is None else dict(at),
        values=public(batch, values),
        adjoints=public(batch, adjoints),
    )


def reverse_gradient(graph: Graph, at: Mapping[str, Any] | None, *,
                     output: str | None = None,
                     wrt: Sequence[str] | None = None) -> dict[str, Any]:
    """∂output/∂x for every input x (or those of ``wrt``) by one reverse sweep: what
    ``reverse(...).gradient`` gives, without the result's per-node lists where only the
    gradient is asked for (at one point of a scalar graph the sweep runs on floats, and
    handing a million adjoints back as numpy scalars would cost a third of it).

    >>> import graphdiff as gd
    >>> g = gd.parse("exp(x1*x2) + x2**3")
    >>> reverse_gradient(g, {"x1": 0.0, "x2": 1.0})
    {'x1': 1.0, 'x2': 3.0}
    >>> reverse_gradient(g, {"x1": 0.0, "x2": 1.0}, wrt=["x2"])
    {'x2': 3.0}
    """
    names = list(graph.inputs) if wrt is None else list(wrt)
    out = output_id(graph, output)
    given = one_point(graph, at)
    if given is None:
        result = reverse(graph, output=graph.name(out), at=at, wrt=wrt)
        return {name: result.adjoint(name) for name in names}
    floats = graph._float_sweep(given)  # noqa: SLF001 - the nodes', then the constants'
    adjoints = _float_sweep(graph, {graph.name(out): 1}, floats,
                            wanted_nodes(graph, wrt))
    # As ReverseResult.adjoint: a structural zero (the int 0) is 0.0.
    return {name: float(adjoints[graph.id(name)]) for name in names}


def wanted_nodes(graph: Graph, wrt: Sequence[str] | None) -> list[bool] | None:
    """Per node, whether it depends on an input of ``wrt`` (None: every node is wanted).

    One pass in topological order.

    >>> import graphdiff as gd
    >>> wanted_nodes(gd.parse("x*y + y"), ["x"])
    [True, False, True, True]
    """
    if wrt is None:
        return None
    wanted = [False] * len(graph)
    for name in wrt:
        wanted[graph.id(name)] = True
    for v in graph.order:
        if not wanted[v]:
            wanted[v] = any(type(a) is int and wanted[a] for a in graph.args(v))
    return wanted


def _sweep(graph: Graph, cotangent: Mapping[str, Any], values: list[Any] | None,
           batch: Batch | None = None, wanted: list[bool] | None = None) -> list[Any]:
    """w̄ᵢ for every node; the int 0 marks adjoints that are structurally zero."""
    adjoints: list[Any] = [0] * len(graph)
    for name, seed in cotangent.items():
        node = graph.id(name)
        if values is None:
            adjoints[node] = adjoints[node] + seed_expr(name, seed)
        elif not (isinstance(seed, int) and seed == 0):
            seed_value = _seed_value(graph, node, seed, values, batch)
            adjoints[node] = seed_value + (0.0 if type(adjoints[node]) is int else adjoints[node])
    with np.errstate(all="ignore"):  # inf and nan propagate as values, as in evaluation
        _propagate(graph, values, adjoints, wanted)
    return adjoints


def _float_sweep(graph: Graph, cotangent: Mapping[str, Any], values: list[float],
                 wanted: list[bool] | None) -> list[Any]:
    """:func:`_sweep` at one point of a scalar graph, on Python floats (``values`` from
    ``Graph._float_sweep``): the same products and sums in the same order, so the same
    numbers, at a fraction of numpy scalars' cost."""
    n = len(graph)
    adjoints: list[Any] = [0] * n
    for name, seed in cotangent.items():
        if not (isinstance(seed, int) and seed == 0):
            node = graph.id(name)
            adjoints[node] = float(seed) + (0.0 if type(adjoints[node]) is int
                                            else adjoints[node])
    with np.errstate(all="ignore"):  # inf and nan propagate as values, as in evaluation
        _float_propagate(graph, values, adjoints, wanted)
    return adjoints


def _float_propagate(graph: Graph, values: list[float], adjoints: list[Any],
                     wanted: list[bool] | None) -> None:
    n = len(graph)
    kinds, ops = graph._kinds, graph._ops  # noqa: SLF001 - hot loop
    slots, _ = graph._float_slots()  # noqa: SLF001
    for v in reversed(graph.order):
        adjoint = adjoints[v]
        if type(adjoint) is int or kinds[v] != "op":
            continue  # structurally zero, or nothing to pass back
        arg_slots, out, rules = slots[v], values[v], ops[v].partials
        if len(arg_slots) == 1:  # one argument spelled out: no list per node
            a = arg_slots[0]
            if a >= n or (wanted is not None and not wanted[a]):
                continue
            try:
                partial = rules[0](SCALAR, values[a], out)
                if partial == 0 and structural_zero(partial):
                    continue  # passes nothing, even to an infinite adjoint
                term = adjoint * partial
                if type(term) is not float:  # a complex power, a numpy scalar
                    term = float_term(rules[0], [values[a]], out, adjoint, False)
            except (ArithmeticError, ValueError, TypeError):
                term = float_term(rules[0], [values[a]], out, adjoint, False)
            previous = adjoints[a]
            adjoints[a] = term if type(previous) is int else previous + term
            continue
        args = [values[a] for a in arg_slots]
        constants = [values[a] for a in arg_slots if a >= n]
        for pos, a in enumerate(arg_slots):
            if a >= n or (wanted is not None and not wanted[a]):
                continue  # a constant, or leads to no input asked for
            try:
                partial = rules[pos](SCALAR, *args, out)
                if partial == 0 and structural_zero(partial, constants):
                    continue  # passes nothing (see structural_zero)
                term = adjoint * partial
                if type(term) is not float:
                    term = float_term(rules[pos], args, out, adjoint, False)
            except (ArithmeticError, ValueError, TypeError):
                term = float_term(rules[pos], args, out, adjoint, False)
            if term is None:
                continue
            previous = adjoints[a]
            adjoints[a] = term if type(previous) is int else previous + term


def _seed_value(graph: Graph, node: int, seed: Any, values: list[Any],
                batch: Batch | None) -> Any:
    """An output's seed as an array of its value's shape (every entry, for a number)."""
    if batch is not None:  # tensor graphs: the seed has the node's shape (or is a number)
        shape = graph.shape(node) if np.ndim(seed) else ()
        seed = batch.canonical(seed, shape, graph.name(node))
        if not shape:
            seed = seed.reshape(seed.shape + (1,) * (np.ndim(values[node]) - 1))
        return np.broadcast_to(seed, np.broadcast_shapes(seed.shape, np.shape(values[node])))
    return np.broadcast_to(np.asarray(seed, dtype=float), np.shape(values[node]))[()]


def _propagate(graph: Graph, values: list[Any] | None, adjoints: list[Any],
               wanted: list[bool] | None = None) -> None:
    kinds = graph._kinds  # noqa: SLF001 - hot loop
    if values is None:
        for v in reversed(graph.order):
            adjoint = adjoints[v]
            if type(adjoint) is int or kinds[v] != "op" or adjoint == 0:
                continue
            for u, partial in symbolic_partials(graph, v):
                adjoints[u] = adjoints[u] + partial * adjoint
        return
    namespace, vjps = graph.namespace, graph.local_vjps
    for v in reversed(graph.order):
        adjoint = adjoints[v]
        if type(adjoint) is int or kinds[v] != "op":
            continue  # structurally zero, or nothing to pass back
        for u, term in vjps(v, namespace, values, values[v], adjoint, wanted):
            previous = adjoints[u]
            adjoints[u] = term if type(previous) is int else previous + term


def printed_rules(graph: Graph, cotangent: Mapping[str, Any]) -> list[sympy.Expr]:
    """Per node, its adjoint as the sum of the VJPs of its edges as a teacher writes them
    (:meth:`Graph.edge_vjp`: ``Z̄·Wᵀ``, ``Ō ⊙ [H > 0]``), with the nodes' names as named,
    each as one sympy symbol so that the tables print it as is.

    >>> import graphdiff as gd
    >>> g = gd.parse("Z = X @ W\\nL = sum(relu(Z))", shapes={"X": (2, 2), "W": (2, 3)})
    >>> [str(r) for r in printed_rules(g, {"L": 1})]
    ['Z̄·Wᵀ', 'Xᵀ·Z̄', 'w̄4 ⊙ [Z > 0]', 'L̄', '1']
    """
    terms: list[list[str]] = [[] for _ in graph.order]
    for u, v in graph.nx.edges():
        bar = decorated(graph.name(v), BAR)
        terms[u].append(graph.edge_vjp(u, v, "unicode", cotangent=bar, names=as_named))
    rules: list[sympy.Expr] = []
    for i in graph.order:
        seed = cotangent.get(graph.name(i)) if i in graph.output_ids else None
        parts = ([str(seed)] if seed is not None and np.ndim(seed) == 0 and seed != 0
                 else ["cotangent"] if seed is not None and np.ndim(seed) else []) + terms[i]
        rules.append(sympy.Symbol(" + ".join(parts)) if parts else sympy.Integer(0))
    return rules
