"""The derivative API in JAX's vocabulary: grad, jvp, vjp, jacobian, hessian.

Each function takes the graph first.  Without ``at`` results are symbolic (sympy
expressions in the inputs); with ``at`` they are numbers (or numpy arrays for a batch
of points).

>>> import graphdiff as gd
>>> g = gd.parse("x**2 + x*y + (x+y)**2")
>>> gd.grad(g)
{'x': 4*x + 3*y, 'y': 3*x + 2*y}
>>> gd.grad(g, at={"x": 1, "y": 2}, method="forward")
{'x': 10.0, 'y': 7.0}
>>> gd.hessian(g)
Matrix([
[4, 3],
[3, 2]])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from ..errors import GraphdiffError
from ..graph import Graph
from ._sweep import output_id, plain, scalar_only
from .forward import forward
from .graphs import reverse_graph
from .methods import METHODS, get_method
from .reverse import reverse
from .symbolic import evaluate_expr

__all__ = ["METHODS", "evaluate_expr", "grad", "hessian", "jacobian", "jvp", "vjp"]

# METHODS, the methods grad accepts, is the registry itself (graphdiff.derive.methods):
# iterate it for their names.


def grad(graph: Graph, at: Mapping[str, Any] | None = None, method: str = "reverse", *,
         output: str | None = None, wrt: Sequence[str] | None = None) -> dict[str, Any]:
    """∂y/∂x for every input x (or those of ``wrt``), by any method; symbolic without ``at``.

    For a graph with tensor inputs each derivative is shaped like its input (reverse and
    forward mode, at a point); ``wrt`` limits the work to those inputs (reverse mode
    skips what leads only to the others, such as a network's data).

    Methods (the registry :data:`~graphdiff.derive.methods.METHODS`): ``"reverse"`` (one
    backward sweep), ``"forward"`` (one sweep per input), ``"paths"`` (sum over paths; by
    dynamic programming when there are too many to list), ``"symbolic"`` (sympy.diff of
    the whole expression) and ``"numeric"`` (central differences; needs ``at``).

    >>> import graphdiff as gd
    >>> g = gd.parse("x1*x2 + sin(x1)")
    >>> gd.grad(g, method="paths")
    {'x1': x2 + cos(x1), 'x2': x1}
    >>> gd.grad(g, {"x1": 0.0, "x2": 2.0}, method="symbolic")
    {'x1': 3.0, 'x2': 0.0}
    >>> layer = gd.parse("L = sum(X @ W)", shapes={"X": (1, 2), "W": (2, 1)})
    >>> gd.grad(layer, {"X": [[1.0, 2.0]], "W": [[3.0], [4.0]]}, wrt=["W"])
    {'W': array([[1.],
           [2.]])}
    """
    out = output_id(graph, output)
    chosen = get_method(method)
    chosen.check(graph)
    if wrt is None:
        return chosen.gradient(graph, at, graph.name(out))
    unknown = sorted(set(wrt) - set(graph.inputs))
    if unknown:
        raise GraphdiffError(f"wrt names no input: {', '.join(unknown)}; the inputs are "
                             f"{', '.join(graph.inputs)}")
    if method == "reverse":  # the sweep itself skips what leads only to other inputs
        result = reverse(graph, output=graph.name(out), at=at, wrt=wrt)
        return {name: result.adjoint(name) for name in wrt}
    gradient = chosen.gradient(graph, at, graph.name(out))
    return {name: gradient[name] for name in wrt}


def jvp(graph: Graph, at: Mapping[str, Any] | None, tangent: Mapping[str, Any]) -> tuple[Any, Any]:
    """Jacobian-vector product: ``(value, tangent of the outputs)`` along ``tangent``.

    >>> import graphdiff as gd
    >>> gd.jvp(gd.parse("x*y"), {"x": 2.0, "y": 3.0}, {"x": 1.0, "y": 1.0})
    (6.0, 5.0)
    """
    result = forward(graph, at=at, direction=tangent)
    return result.value if at is not None else graph.to_sympy(), result.derivative


def vjp(graph: Graph, at: Mapping[str, Any] | None,
        cotangent: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Vector-Jacobian product: ``(value, cotangent of the inputs)`` for output adjoints.

    >>> import graphdiff as gd
    >>> g = gd.parse("s = x + y\\np = x*y", outputs=["s", "p"])
    >>> gd.vjp(g, {"x": 2.0, "y": 3.0}, {"s": 1.0, "p": 10.0})
    ((5.0, 6.0), {'x': 31.0, 'y': 21.0})
    """
    result = reverse(graph, at=at, cotangent=cotangent)
    return (result.value if at is not None else graph.to_sympy()), result.gradient


def jacobian(graph: Graph, at: Mapping[str, Any] | None = None,
             method: str = "reverse") -> Any:
    """The Jacobian (outputs × inputs): one reverse sweep per output or one forward
    sweep per input.  A sympy Matrix without ``at``, a numpy array with it.

    >>> import graphdiff as gd
    >>> g = gd.parse("s = x + y\\np = x*y", outputs=["s", "p"])
    >>> gd.jacobian(g)
    Matrix([
    [1, 1],
    [y, x]])
    >>> gd.jacobian(g, {"x": 2.0, "y": 3.0}, method="forward")
    array([[1., 1.],
           [3., 2.]])
    """
    scalar_only(graph, "jacobian (a matrix of scalar partials; use vjp or jvp)")
    if method == "reverse":
        rows = [list(reverse(graph, output=o, at=at).gradient.values()) for o in graph.outputs]
    elif method == "forward":
        columns = []
        for x in graph.inputs:
            result = forward(graph, wrt=x, at=at)
            columns.append([result.output_tangent(o) for o in graph.output_ids])
        rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
    else:
        raise GraphdiffError(f"jacobian method must be 'reverse' or 'forward', not {method!r}")
    return _matrix(rows, at)


def hessian(graph: Graph, at: Mapping[str, Any] | None = None, *,
            output: str | None = None) -> Any:
    """Second derivatives ∂²y/∂xᵢ∂xⱼ: reverse mode over the adjoint graph.

    The gradient is built as a graph (:func:`graphdiff.reverse_graph`) and each of its
    outputs is differentiated again, so no expression swell occurs on the way.

    >>> import graphdiff as gd
    >>> gd.hessian(gd.parse("x**3*y"), {"x": 1.0, "y": 2.0})
    array([[12.,  3.],
           [ 3.,  0.]])
    """
    scalar_only(graph, "hessian")
    gradient_graph = reverse_graph(graph, output=output)
    rows = []
    for out in gradient_graph.output_ids:
        if gradient_graph.kind(out) == "constant":
            rows.append([sympy.Integer(0) if at is None else 0.0] * len(graph.inputs))
            continue
        row = reverse(gradient_graph, output=out, at=at).gradient
        rows.append([row[x] for x in graph.inputs])
    return _matrix(rows, at)


def _matrix(rows: list[list[Any]], at: Mapping[str, Any] | None) -> Any:
    if at is None:
        return sympy.Matrix(rows)
    return np.array([[plain(v) for v in row] for row in rows], dtype=float)
