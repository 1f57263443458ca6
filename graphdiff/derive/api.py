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
from ._sweep import one_point, output_id, plain
from .forward import forward, forward_jacobian
from .graphs import reverse_graph
from .methods import METHODS, get_method
from .reverse import reverse, reverse_gradient
from .scalarize import entries_of, entry_outputs, scalarize
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
    backward sweep), ``"forward"`` (one sweep per input; at one point of a scalar graph one
    sweep whose tangents are vectors over the inputs), ``"paths"`` (sum over paths; by
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
    if wrt is None:
        return chosen.differentiate(graph, at, graph.name(out))
    unknown = sorted(set(wrt) - set(graph.inputs))
    if unknown:
        raise GraphdiffError(f"wrt names no input: {', '.join(unknown)}; the inputs are "
                             f"{', '.join(graph.inputs)}")
    if method == "reverse":  # the sweep itself skips what leads only to other inputs
        return reverse_gradient(graph, at, output=graph.name(out), wrt=wrt)
    gradient = chosen.differentiate(graph, at, graph.name(out))
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
             method: str = "reverse", *, wrt: Sequence[str] | None = None) -> Any:
    """The Jacobian (outputs × inputs): one reverse sweep per output, or forward mode: at
    one point of a scalar graph one sweep whose tangents are vectors over the inputs
    (:func:`~graphdiff.derive.forward.forward_jacobian`), else one sweep per input.  A
    sympy Matrix without ``at``, a numpy array with it; ``wrt`` keeps only those inputs'
    columns.

    >>> import graphdiff as gd
    >>> g = gd.parse("s = x + y\\np = x*y", outputs=["s", "p"])
    >>> gd.jacobian(g)
    Matrix([
    [1, 1],
    [y, x]])
    >>> gd.jacobian(g, {"x": 2.0, "y": 3.0}, method="forward")
    array([[1., 1.],
           [3., 2.]])

    For a graph with tensor nodes a row is an entry of an output and a column an entry
    of an input, row by row (the Jacobian of :func:`~graphdiff.scalarize`'s graph):
    symbolic through that expansion, numeric by sweeps with one-hot seeds on the tensor
    graph itself.  Seed 004 Ex4's 24 partials of ``Z = XW`` by ``X``:

    >>> layer = gd.parse("X: 2x2\\nW: 2x3\\nZ = X @ W")
    >>> gd.jacobian(layer, wrt=["X"])
    Matrix([
    [w11, w21,   0,   0],
    [w12, w22,   0,   0],
    [w13, w23,   0,   0],
    [  0,   0, w11, w21],
    [  0,   0, w12, w22],
    [  0,   0, w13, w23]])
    """
    if method not in ("reverse", "forward"):
        raise GraphdiffError(f"jacobian method must be 'reverse' or 'forward', not {method!r}")
    names = _wrt(graph, wrt)
    if graph.is_tensor:
        if at is None:
            return jacobian(scalarize(graph), method=method, wrt=entries_of(graph, names))
        return _tensor_jacobian(graph, at, method, names)
    if method == "reverse":
        rows = []
        for o in graph.outputs:
            gradient = reverse(graph, output=o, at=at).gradient
            rows.append([gradient[x] for x in names])
    elif at is not None and one_point(graph, at) is not None:
        return forward_jacobian(graph, at, names)  # one sweep, a tangent vector per node
    else:
        columns = []
        for x in names:
            result = forward(graph, wrt=x, at=at)
            columns.append([result.output_tangent(o) for o in graph.output_ids])
        rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
    return _matrix(rows, at)


def hessian(graph: Graph, at: Mapping[str, Any] | None = None, *,
            output: str | None = None, wrt: Sequence[str] | None = None) -> Any:
    """Second derivatives ∂²y/∂xᵢ∂xⱼ: reverse mode over the adjoint graph.

    The gradient is built as a graph (:func:`graphdiff.reverse_graph`) and each of its
    outputs is differentiated again, so no expression swell occurs on the way.  ``wrt``
    keeps only those inputs (rows and columns).

    >>> import graphdiff as gd
    >>> gd.hessian(gd.parse("x**3*y"), {"x": 1.0, "y": 2.0})
    array([[12.,  3.],
           [ 3.,  0.]])

    For a graph with tensor nodes, rows and columns are the entries of the inputs, row
    by row; the Hessian of xᵀAx by x is A + Aᵀ:

    >>> q = gd.parse("x: 2\\nA: 2x2\\nq = x @ A @ x")
    >>> gd.hessian(q, wrt=["x"])
    Matrix([
    [    2*a11, a12 + a21],
    [a12 + a21,     2*a22]])
    >>> gd.hessian(q, {"x": [1.0, 2.0], "A": [[1.0, 2.0], [3.0, 4.0]]}, wrt=["x"])
    array([[2., 5.],
           [5., 8.]])
    """
    names = _wrt(graph, wrt)
    if graph.is_tensor:
        out = output_id(graph, output)
        if at is None:
            scalar = scalarize(graph)
            (entry,) = entry_outputs(graph, scalar, out)
            return hessian(scalar, output=scalar.name(entry), wrt=entries_of(graph, names))
        return _tensor_hessian(graph, at, graph.name(out), names)
    gradient_graph = reverse_graph(graph, output=output)
    rows = []
    for x, out in zip(graph.inputs, gradient_graph.output_ids, strict=True):
        if x not in names:
            continue
        if gradient_graph.kind(out) == "constant":
            rows.append([sympy.Integer(0) if at is None else 0.0] * len(names))
            continue
        row = reverse(gradient_graph, output=out, at=at).gradient
        rows.append([row[name] for name in names])
    return _matrix(rows, at)


def _wrt(graph: Graph, wrt: Sequence[str] | None) -> list[str]:
    """The inputs asked for, in the graph's order of inputs (all of them by default)."""
    if wrt is None:
        return list(graph.inputs)
    unknown = sorted(set(wrt) - set(graph.inputs))
    if unknown:
        raise GraphdiffError(f"wrt names no input: {', '.join(unknown)}; the inputs are "
                             f"{', '.join(graph.inputs)}")
    return [x for x in graph.inputs if x in wrt]


def _one_point(graph: Graph, at: Mapping[str, Any], what: str) -> None:
    for name in graph.inputs:
        if name in at and np.ndim(at[name]) > len(graph.shape(name)):
            raise GraphdiffError(f"{what} of a graph with tensor nodes takes one point, "
                                 "not a batch")


def _units(shape: tuple[int, ...]) -> list[Any]:
    """One-hot seeds of a node's shape, entry by entry (the number 1 for a scalar)."""
    if not shape:
        return [1.0]
    units = []
    for k in range(int(np.prod(shape))):
        unit = np.zeros(shape)
        unit.flat[k] = 1.0
        units.append(unit)
    return units


def _flat(values: Sequence[Any]) -> np.ndarray:
    return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values])


def _tensor_jacobian(graph: Graph, at: Mapping[str, Any], method: str,
                     names: Sequence[str]) -> np.ndarray:
    """The Jacobian of a tensor graph at one point over the entries: reverse sweeps with
    a one-hot cotangent per output entry, or forward sweeps with a one-hot direction per
    input entry."""
    _one_point(graph, at, "jacobian")
    if method == "reverse":
        rows = []
        for o in graph.output_ids:
            for unit in _units(graph.shape(o)):
                result = reverse(graph, at=at, cotangent={graph.name(o): unit}, wrt=names)
                rows.append(_flat([result.adjoint(x) for x in names]))
        return np.array(rows).reshape(len(rows), -1)
    columns = []
    for x in names:
        for unit in _units(graph.shape(x)):
            result = forward(graph, at=at, direction={x: unit})
            columns.append(_flat([result.output_tangent(o) for o in graph.output_ids]))
    return np.array(columns).T.reshape(-1, len(columns))


def _tensor_hessian(graph: Graph, at: Mapping[str, Any], output: str,
                    names: Sequence[str]) -> np.ndarray:
    """The Hessian of a tensor graph at one point: the Jacobian of its adjoint graph's
    outputs (the gradient, as a tensor graph) by the inputs ``names``."""
    _one_point(graph, at, "hessian")
    gradient_graph = reverse_graph(graph, output=output)
    size = sum(int(np.prod(graph.shape(x))) for x in names)
    rows = []
    for x, out in zip(graph.inputs, gradient_graph.output_ids, strict=True):
        if x not in names:
            continue
        if gradient_graph.kind(out) == "constant":
            rows.extend([np.zeros(size)] * int(np.prod(graph.shape(x))))
            continue
        for unit in _units(gradient_graph.shape(out)):
            result = reverse(gradient_graph, at=at, cotangent={gradient_graph.name(out): unit},
                             wrt=names)
            rows.append(_flat([result.adjoint(name) for name in names]))
    return np.array(rows).reshape(len(rows), size)


def _matrix(rows: list[list[Any]], at: Mapping[str, Any] | None) -> Any:
    if at is None:
        return sympy.Matrix(rows)
    return np.array([[plain(v) for v in row] for row in rows], dtype=float)
