"""Finite differences on a graph: the numeric method's engine.

The step rules, the schemes and the error estimates are :mod:`graphdiff.derive.numeric`'s;
this module applies them to a graph's output.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..errors import GraphdiffError
from ..graph import Graph
from ._sweep import output_id
from .numeric import NumericGradient, gradient


def numeric_diff(graph: Graph, at: Mapping[str, float], *, output: str | None = None,
                 scheme: str = "central", h: float | None = None) -> NumericGradient:
    """The gradient of ``output`` at ``at`` by finite differences, with an error vector.

    The step is chosen per coordinate as in seed 000 (order ∛ε for central
    differences, √ε for one-sided ones, scaled by the coordinate);
    see :mod:`graphdiff.derive.numeric`.

    >>> import graphdiff as gd
    >>> result = gd.numeric_diff(gd.parse("x**2*y"), {"x": 1.0, "y": 3.0})
    >>> [round(float(v), 6) for v in result.value]
    [6.0, 1.0]
    >>> bool(all(result.error < 1e-8))
    True

    A tensor input counts one coordinate per entry, in row-major order, inputs in order
    (:func:`split_entries` gives the inputs' arrays back):

    >>> g = gd.parse("L = sum(X*X)", shapes={"X": (2, 2)})
    >>> result = gd.numeric_diff(g, {"X": [[1.0, 2.0], [3.0, 4.0]]})
    >>> split_entries(g, result.value)["X"].round(6).tolist()
    [[2.0, 4.0], [6.0, 8.0]]
    """
    out = output_id(graph, output)
    names = graph.inputs
    missing = [n for n in names if n not in at]
    if missing:
        raise GraphdiffError(f"no value given for {', '.join(missing)}")
    if any(np.ndim(at[n]) > len(graph.shape(n)) for n in names):
        raise GraphdiffError("numeric differentiation takes one point, not a batch")
    if graph.shape(out):
        raise GraphdiffError(f"numeric differentiation gives the gradient of a scalar; "
                             f"{graph.name(out)} has shape {graph.shape(out)}")
    if not graph.is_tensor:

        def f(point: np.ndarray) -> float:
            return float(graph.values(dict(zip(names, point, strict=True)))[out])

        x0 = np.array([float(at[n]) for n in names])
        return gradient(f, x0, h=h, scheme=scheme)

    def f_entries(point: np.ndarray) -> float:
        return float(graph.values(split_entries(graph, point))[out])

    x0 = np.concatenate([np.asarray(at[n], dtype=float).ravel() for n in names])
    return gradient(f_entries, x0, h=h, scheme=scheme)


def split_entries(graph: Graph, flat: np.ndarray) -> dict[str, np.ndarray]:
    """A flat vector of every input's entries back into the inputs' shapes (scalars as
    0-d values).

    >>> import graphdiff as gd
    >>> g = gd.parse("sum(A) + x", shapes={"A": (2,)})
    >>> split_entries(g, np.array([1.0, 2.0, 3.0]))
    {'A': array([1., 2.]), 'x': array(3.)}
    """
    parts, start = {}, 0
    for name in graph.inputs:
        shape = graph.shape(name)
        size = int(np.prod(shape))
        parts[name] = np.asarray(flat[start:start + size]).reshape(shape)
        start += size
    return parts
