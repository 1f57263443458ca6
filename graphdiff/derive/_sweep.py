"""What the forward and reverse sweeps share: points, local partials, seeds, outputs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from ..errors import GraphdiffError
from ..graph import Batch, Graph, as_numpy, structural_zero
from ..ops import NUMPY, SCALAR, SYMPY, as_expr


def written_sum(terms: Iterable[tuple[sympy.Expr, sympy.Expr]]) -> sympy.Expr:
    """Σ factor·symbol kept in the order written (print with ``order="none"``).

    Zero factors drop out and unit factors disappear, as a teacher writes the rule.

    >>> a, b, c = sympy.symbols("a b c")
    >>> sympy.sstr(written_sum([(b, a), (1, c), (0, b)]), order="none")
    'b*a + c'
    """
    kept = []
    for factor, symbol in terms:
        if factor == 0:
            continue
        factors = factor.args if isinstance(factor, sympy.Mul) else (factor,)
        kept.append(symbol if factor == 1 else sympy.Mul(*factors, symbol, evaluate=False))
    if not kept:
        return sympy.Integer(0)
    return kept[0] if len(kept) == 1 else sympy.Add(*kept, evaluate=False)


def node_values(graph: Graph, at: Mapping[str, Any] | None) -> list[Any] | None:
    """Values of every node at ``at`` (None for symbolic sweeps)."""
    return None if at is None else graph.values(at)


def sweep_values(graph: Graph, at: Mapping[str, Any] | None
                 ) -> tuple[list[Any] | None, Batch | None]:
    """Values of every node as the numeric sweeps use them, and their batch (None for a
    scalar graph, whose values are :meth:`Graph.values`'s; None, None without a point).

    >>> import graphdiff as gd
    >>> values, batch = sweep_values(gd.parse("sum(X)", shapes={"X": (2,)}), {"X": [1, 2]})
    >>> values[0].shape, batch
    ((1, 2), Batch(shape=(), size=1))
    """
    if at is None:
        return None, None
    return graph.batched_values(at)


def one_point(graph: Graph, at: Mapping[str, Any] | None,
              seeds: Iterable[Any] = ()) -> list[float] | None:
    """The inputs of a scalar graph at one point as Python floats, in input order, when the
    sweeps can run on floats (every input and every seed one number); else None (a batch
    of points, a tensor graph, no point: the numpy sweeps).

    >>> import graphdiff as gd
    >>> g = gd.parse("x*y")
    >>> one_point(g, {"x": 2, "y": 0.5}), one_point(g, {"x": [1.0, 2.0], "y": 1.0})
    ([2.0, 0.5], None)
    """
    if at is None or graph.is_tensor or any(np.ndim(s) for s in seeds):
        return None
    given = graph._point(at, {})  # noqa: SLF001 - the inputs checked as evaluation does
    if not all(type(v) is np.float64 for v in given):
        return None
    return [float(v) for v in given]


def as_numpy_marked(values: list[Any]) -> list[Any]:
    """A float sweep's results as numpy float64 scalars, as the numpy sweeps give them; the
    int 0 that marks a structural zero stays an int.

    >>> as_numpy_marked([1.5, 0])
    [np.float64(1.5), 0]
    """
    converted = as_numpy([0.0 if type(v) is int else v for v in values])
    for i in [i for i, v in enumerate(values) if type(v) is int]:
        converted[i] = values[i]
    return converted


def float_term(rule: Any, args: list[Any], out: float, factor: float, first: bool,
               constants: Sequence[Any] = ()) -> float | None:
    """``factor * rule(m, *args, out)`` (``first``: the rule's value first) on floats, as numpy
    computes it: in :data:`~graphdiff.ops.SCALAR`, and where a float cannot say what numpy
    says (it raised for ``1/0``, or made a complex number) again in :data:`NUMPY`.  None
    where the partial is a structural zero (of the node's ``constants`` arguments too):
    the edge passes nothing, as in the numpy sweeps (:func:`~graphdiff.graph.structural_zero`).

    >>> from graphdiff.ops import OPS
    >>> log_rule = OPS["log"].partials[0]
    >>> float_term(log_rule, [2.0], 0.69, 3.0, False), float_term(log_rule, [0.0], -1.0, 3.0, False)
    (1.5, inf)
    >>> zero = 0.0  # x*0 in x: the constant 0 itself passes nothing, even to an infinite adjoint
    >>> float_term(OPS["mul"].partials[0], [2.0, zero], 0.0, float("inf"), False, [zero]) is None
    True
    """
    try:
        partial = rule(SCALAR, *args, out)
        if partial == 0 and structural_zero(partial, constants):
            return None
        term = partial * factor if first else factor * partial
        if type(term) is float:
            return term
    except (ArithmeticError, ValueError, TypeError):
        pass
    with np.errstate(all="ignore"):
        partial = rule(NUMPY, *[np.float64(a) for a in args], np.float64(out))
        factor = np.float64(factor)
        return float(partial * factor if first else factor * partial)


def float_partial(rule: Any, args: list[Any], out: float,
                  constants: Sequence[Any] = ()) -> Any:
    """``rule(m, *args, out)`` on floats, as numpy computes it (a float, or the int a rule
    may return: ``1`` for a sum): in :data:`~graphdiff.ops.SCALAR`, and where a float cannot
    say what numpy says, again in :data:`NUMPY`; None for a structural zero (as
    :func:`float_term`).

    >>> from graphdiff.ops import OPS
    >>> log_rule = OPS["log"].partials[0]
    >>> float_partial(log_rule, [2.0], 0.69), float_partial(log_rule, [0.0], -1.0)
    (0.5, inf)
    """
    try:
        partial = rule(SCALAR, *args, out)
        if partial == 0 and structural_zero(partial, constants):
            return None
        if type(partial) is float or type(partial) is int:
            return partial
    except (ArithmeticError, ValueError, TypeError):
        pass
    with np.errstate(all="ignore"):
        return float(rule(NUMPY, *[np.float64(a) for a in args], np.float64(out)))


def public(batch: Batch | None, values: list[Any] | None) -> list[Any] | None:
    """A sweep's per-node values as users see them (the batch axis of tensor graphs off).

    >>> import numpy as np
    >>> from graphdiff.graph import Batch
    >>> public(Batch((), 1), [np.zeros((1, 2)), 0])[0].shape, public(None, [1.0])
    ((2,), [1.0])
    """
    if batch is None or values is None:
        return values
    return [batch.public(v) for v in values]


#: Deepest graph whose derivatives the symbolic sweeps write as sympy expressions: their
#: products grow with the depth (a chain of n sines has an adjoint of n cosines, built in
#: O(n²)), and sympy's own algorithms recurse through them.  Deeper graphs get a clear error
#: that points at the tools for them.
SYMBOLIC_DEPTH_LIMIT = 1_000


def symbolic_depth_ok(graph: Graph, what: str) -> None:
    """Refuse a graph too deeply nested for a symbolic sweep, before any work.

    >>> import graphdiff as gd
    >>> def chain(x):
    ...     for _ in range(SYMBOLIC_DEPTH_LIMIT + 1):
    ...         x = gd.sin(x)
    ...     return x
    >>> symbolic_depth_ok(gd.trace(chain), "symbolic reverse mode")
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: symbolic reverse mode writes sympy expressions ...
    """
    depth = graph.depth
    if depth > SYMBOLIC_DEPTH_LIMIT:
        raise GraphdiffError(
            f"{what} writes sympy expressions that grow with the nesting; this graph is "
            f"{depth:,} levels deep (the limit is {SYMBOLIC_DEPTH_LIMIT:,}): give a point "
            "(at=...) for numbers, or use reverse_graph / forward_graph for the derivative "
            "as a graph (any depth), or compile it")


def scalar_only(graph: Graph, what: str) -> None:
    """Refuse a graph with tensor nodes in a method that works on scalars only.

    >>> import graphdiff as gd
    >>> scalar_only(gd.parse("x*y"), "paths")
    >>> scalar_only(gd.parse("sum(X)", shapes={"X": (2, 2)}), "paths")
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: paths works on scalar graphs; this one has tensor nodes ...
    """
    if not graph.is_tensor:
        return
    tensor = next((n for n in graph.order if graph.shape(n)), None)
    if tensor is not None:
        shown = f"{graph.name(tensor)} is {'×'.join(map(str, graph.shape(tensor)))}"
    else:
        op_node = next(n for n in graph.order if graph.op(n) is not None
                       and not graph.op(n).elementwise)
        shown = f"{graph.name(op_node)} = {graph.formula(op_node)}"
    raise GraphdiffError(
        f"{what} works on scalar graphs; this one has tensor nodes ({shown}). Use reverse "
        "or forward mode at a point (at=...), reverse_graph for a symbolic derivative "
        "graph, or scalarize(graph) for the same function of the entries")


def numeric_partials(graph: Graph, v: int, values: list[Any]) -> list[tuple[int, Any]]:
    """``(u, d v / d u)`` for each node argument position of ``v``, as numbers.

    A node used twice (``x*x``) appears twice; callers accumulate.
    """
    return graph.local_partials(v, NUMPY, values, values[v])


def symbolic_partials(graph: Graph, v: int) -> list[tuple[int, sympy.Expr]]:
    """``(u, d v / d u)`` per node argument position, in the adjacent nodes' symbols."""
    return [(u, as_expr(p)) for u, p in
            graph.local_partials(v, SYMPY, graph.symbols, graph.symbol(v))]


def to_inputs(graph: Graph, expr: sympy.Expr) -> sympy.Expr:
    """Replace node symbols in ``expr`` by the nodes' expressions in the inputs."""
    symbols = {s.name for s in expr.free_symbols}
    mapping = {
        graph.symbol(n): graph.expr(n)
        for n in graph.order
        if graph.kind(n) != "input" and graph.name(n) in symbols
    }
    if not mapping:
        return expr
    try:
        return expr.xreplace(mapping)
    except RecursionError:
        # sympy walks expressions recursively: the nodes' expressions are too deep for it.
        raise GraphdiffError(
            "the derivative in the inputs is nested too deeply for sympy; read it in the "
            "node symbols (the result's adjoints/tangents, its table), at a point (at=...), "
            "or as a graph (reverse_graph)") from None


def output_id(graph: Graph, output: str | int | None) -> int:
    """The node of ``output`` (default: the only output)."""
    if output is None:
        if len(graph.output_ids) != 1:
            raise GraphdiffError(
                f"the graph has {len(graph.output_ids)} outputs "
                f"({', '.join(graph.outputs)}): say which with output="
            )
        return graph.output_ids[0]
    return graph.id(output)


def input_id(graph: Graph, wrt: str | int | None) -> int:
    """The input node ``wrt`` (default: the only input)."""
    if wrt is None:
        if len(graph.input_ids) != 1:
            raise GraphdiffError(
                f"the graph has {len(graph.input_ids)} inputs "
                f"({', '.join(graph.inputs)}): say which with wrt="
            )
        return graph.input_ids[0]
    node = graph.id(wrt)
    if graph.kind(node) != "input":
        raise GraphdiffError(f"{graph.name(node)} is not an input; the inputs are "
                             f"{', '.join(graph.inputs)}")
    return node


def output_value(graph: Graph, values: list[Any] | None) -> Any:
    """The outputs' values from a sweep's node values (a tuple for several outputs)."""
    if values is None:
        return None
    outs = tuple(plain(values[i]) for i in graph.output_ids)
    return outs[0] if len(outs) == 1 else outs


def seed_expr(name: str, value: Any) -> sympy.Expr:
    """A user's tangent or cotangent seed as a sympy expression: a number or sympy object.

    >>> seed_expr("x", 1)
    1
    >>> seed_expr("x", "u")
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: the seed for x must be a number or a sympy expression, not 'u'
    """
    try:
        return as_expr(value)
    except sympy.SympifyError:
        raise GraphdiffError(f"the seed for {name} must be a number or a sympy expression, "
                             f"not {value!r}") from None


def plain(value: Any) -> Any:
    """0-d numpy values as Python floats, sympy numbers as they are, arrays unchanged."""
    if isinstance(value, sympy.Basic):
        return value
    return float(value) if np.ndim(value) == 0 else value
