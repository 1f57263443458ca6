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
    """
    out = output_id(graph, output)
    names = graph.inputs
    missing = [n for n in names if n not in at]
    if missing:
        raise GraphdiffError(f"no value given for {', '.join(missing)}")
    if any(np.ndim(at[n]) > 0 for n in names):
        raise GraphdiffError("numeric differentiation takes one point, not a batch")

    def f(point: np.ndarray) -> float:
        return float(graph.values(dict(zip(names, point, strict=True)))[out])

    x0 = np.array([float(at[n]) for n in names])
    return gradient(f, x0, h=h, scheme=scheme)
