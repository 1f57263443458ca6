"""The symbolic reference: sympy.diff of the whole expression, and readable forms.

This is the independent check on graphdiff's own sweeps: it differentiates the sympy
expression of the output with sympy, knowing nothing of the graph.

>>> import graphdiff as gd
>>> g = gd.parse("x**2 + x*y + (x+y)**2")
>>> symbolic_diff(g, "x")
4*x + 3*y
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy

from ..convert import from_sympy
from ..errors import GraphdiffError
from ..graph import Graph
from ..ops import as_expr
from ._sweep import input_id, output_id, plain, scalar_only, symbolic_depth_ok
from .scalarize import entries_of, entry_outputs, gather, scalarize


def symbolic_diff(graph: Graph, wrt: str | None = None, *, output: str | None = None,
                  order: int = 1) -> sympy.Expr:
    """``sympy.diff`` of the output's expression with respect to input ``wrt``.

    ``order`` > 1 gives higher derivatives; ``wrt`` may also be a tuple of inputs for
    a mixed partial (``("x", "y")`` is ∂²/∂x∂y).

    >>> import graphdiff as gd
    >>> symbolic_diff(gd.parse("x**3*y"), ("x", "y"))
    3*x**2

    A graph with tensor nodes is differentiated through its elementwise expansion
    (:func:`~graphdiff.scalarize`): by a tensor input, the derivative is a sympy Matrix
    shaped like it; by an entry (``x11``), one expression.

    >>> g = gd.parse("X: 2x2\\nL = tr(X @ X)")
    >>> symbolic_diff(g, "X"), symbolic_diff(g, "x12")
    (Matrix([
    [2*x11, 2*x21],
    [2*x12, 2*x22]]), 2*x21)
    """
    if graph.is_tensor:
        return _symbolic_entries(graph, wrt, output, order)
    scalar_only(graph, "symbolic_diff")
    symbolic_depth_ok(graph, "symbolic differentiation (sympy.diff)")  # (sympy recurses)
    expr = graph.expr(output_id(graph, output))
    # Differentiate with real symbols (so |x|' is sign(x), not an expression in re
    # and im), then give back the graph's plain symbols.
    plain_symbols = [graph.symbol(i) for i in graph.input_ids]
    real = {s: sympy.Symbol(s.name, real=True) for s in plain_symbols}
    back = {r: s for s, r in real.items()}
    if isinstance(wrt, tuple | list):
        symbols = [real[graph.symbol(input_id(graph, w))] for w in wrt]
    else:
        symbols = [real[graph.symbol(input_id(graph, wrt))]] * order
    try:
        derivative = sympy.diff(expr.xreplace(real), *symbols)
    except RecursionError:
        raise GraphdiffError(
            f"sympy cannot differentiate an expression nested {graph_depth(graph)} levels "
            "deep; use reverse or forward mode, or reverse_graph for a symbolic result"
        ) from None
    # Back to the graph's plain symbols without re-simplifying: with symbols of unknown
    # sign, sympy's simplification of nested tanh/sigmoid takes exponential time.
    try:
        with sympy.evaluate(False):
            return derivative.xreplace(back)
    except RecursionError:  # pragma: no cover - what differentiated goes back the same way
        raise GraphdiffError(f"sympy cannot rename an expression nested "
                             f"{graph_depth(graph)} levels deep") from None


def _symbolic_entries(graph: Graph, wrt: Any, output: str | None, order: int) -> Any:
    """symbolic_diff of a tensor graph, on its expansion: a Matrix for a tensor input."""
    out = output_id(graph, output)
    if graph.shape(out):
        raise GraphdiffError(f"symbolic_diff differentiates a scalar output; {graph.name(out)} "
                             f"is {'×'.join(map(str, graph.shape(out)))} (use jacobian)")
    scalar = scalarize(graph)
    (entry,) = entry_outputs(graph, scalar, out)
    name = scalar.name(entry)
    if isinstance(wrt, str) and wrt in graph.inputs and graph.shape(wrt):
        derivatives = {e: symbolic_diff(scalar, e, output=name, order=order)
                       for e in entries_of(graph, [wrt])}
        return gather(graph, wrt, derivatives)
    return symbolic_diff(scalar, wrt, output=name, order=order)


def graph_depth(graph: Graph) -> int:
    """The longest path from an input (levels of nesting).

    >>> import graphdiff as gd
    >>> graph_depth(gd.parse("sin(cos(x)) + x"))
    3
    """
    return graph.depth


def readable(expr: Any) -> sympy.Expr:
    """A readable form of a derivative: the shortest of the expression as it is and
    sympy's standard rewritings (factor, cancel, together, simplify).

    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> readable(x**2*sympy.exp(x) + 2*x*sympy.exp(x))
    x*(x + 2)*exp(x)
    """
    expr = as_expr(expr)
    candidates = [expr]
    for rewrite in (sympy.factor, sympy.cancel, sympy.together, sympy.simplify):
        try:
            candidates.append(rewrite(expr))
        except (TypeError, ValueError, NotImplementedError, sympy.PolynomialError):
            continue
    return min(candidates, key=lambda e: (sympy.count_ops(e), len(str(e))))


def evaluate_expr(expr: sympy.Expr, graph: Graph, at: Mapping[str, Any]) -> Any:
    """A sympy expression of the inputs at a point, without lambdify or eval.

    Exact sympy evaluation at 30 digits for scalar points; numpy for batches through
    graphdiff's own evaluator (via :func:`graphdiff.from_sympy`).

    >>> import sympy, graphdiff as gd
    >>> g = gd.parse("x*y")
    >>> x, y = sympy.symbols("x y")
    >>> evaluate_expr(x**2 + y, g, {"x": 2.0, "y": 1.0})
    5.0
    >>> evaluate_expr(sympy.Max(0, x - 1) + sympy.Heaviside(x - 1), g, {"x": 1.0})
    0.5
    """
    expr = as_expr(expr)
    if not expr.free_symbols:
        return float(expr) if np.ndim(next(iter(at.values()), 0)) == 0 else \
            np.broadcast_to(float(expr), np.broadcast(*at.values()).shape).copy()
    if all(np.ndim(v) == 0 for v in at.values()):
        subs = {graph.symbol(name): sympy.Float(float(at[name]), 30) for name in graph.inputs
                if name in at}
        try:
            value = expr.evalf(30, subs=subs)
        except (ValueError, TypeError):
            # On a kink (Max(0, x - 1) at x = 1) a 30-digit Float may come out as a
            # zero of no precision that Max cannot compare: the exact point decides.
            exact = {s: sympy.Rational(float(v)) for s, v in subs.items()}
            value = expr.xreplace(exact).evalf(30)
        return float(value)
    names = [s.name for s in expr.free_symbols]
    return plain(from_sympy(expr, inputs=sorted(names)).evaluate({n: at[n] for n in names}))
