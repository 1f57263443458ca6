"""Floating point on a batch of points, with a rounding analysis through the ops (step 4).

Every point is evaluated at once with numpy; :func:`float_analysis` also bounds the float
error of the output by forward error propagation through the registry's ops.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ...graph import Graph, is_node
from .. import mpeval

#: Unit roundoff and smallest normal number of float64.
FLOAT_EPS = 2.0**-53
FLOAT_TINY = float(np.finfo(float).tiny)
#: Safety factor on the first-order rounding estimate (ops are not all correctly rounded,
#: and the estimate is first order).
ROUNDING_FACTOR = 16


def float_analysis(graph: Graph, env: Mapping[str, np.ndarray], n: int,
                   errors: Mapping[str, np.ndarray] | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Output values (nan where undefined) and rounding scales of ``graph`` on a batch.

    The rounding scale ``R`` bounds the float error of the output by ``R * 2**-53``, by
    forward error propagation with the registry's ops (``Op.numpy``, ``Op.domain``): each
    op adds its own rounding ``2**-53 |w|`` and the largest change of its value when an
    argument moves across its error interval -- evaluated, not linearised, so a noisy
    argument of a jump (``step``) or of a saturated ``tanh`` counts as what it can do.
    Constants that are not exact in binary and inputs with an ``errors`` entry (a
    rounding scale of their own: node names) start with an error; other inputs are exact.
    Large when intermediates cancel, nothing for an exact computation, inf where an error
    interval leaves the domain.

    >>> import graphdiff as gd
    >>> env = {"x": np.array([3.0, -2.0])}
    >>> out, rounding = float_analysis(gd.parse("x*1e300 - 1e300*x + x"), env, 2)
    >>> out.tolist(), [f"{r:.0e}" for r in rounding]
    ([3.0, -2.0], ['2e+301', '1e+301'])
    >>> float_analysis(gd.parse("(1e300*x)*0 + x"), env, 2)[1].tolist()
    [3.0, 2.0]
    """
    point = {name: env.get(name, 0.0) for name in graph.inputs}
    errors = errors or {}
    names = dict(zip(graph.input_ids, graph.inputs, strict=True))
    bound: dict[int, Any] = {}
    with np.errstate(all="ignore"):
        vals = graph.values(point, on_domain_error="nan")
        for i in graph.order:
            op = graph.op(i)
            if op is None:
                name = names.get(i)
                bound[i] = FLOAT_EPS * errors[name] if name in errors else 0.0
                continue
            value = vals[i]
            error = FLOAT_EPS * np.abs(value)
            raw = graph.args(i)
            args = [vals[a] if is_node(a) else float(a) for a in raw]
            for pos, a in enumerate(raw):
                if is_node(a):
                    width = bound[a]
                elif mpeval._exact_in_binary(a, 53):
                    continue
                else:
                    width = FLOAT_EPS * abs(args[pos])
                if not np.any(width):
                    continue
                # At least one ulp: a move below half an ulp would round away.
                width = np.where(width > 0, np.fmax(width, np.abs(np.spacing(args[pos]))), 0.0)
                change = np.zeros(np.shape(value))
                for sign in (1.0, -1.0):
                    moved = list(args)
                    moved[pos] = args[pos] + sign * width
                    other = op.numpy(*moved)
                    outside = op.domain(*moved) if op.domain is not None else False
                    step = np.where(outside | ~np.isfinite(other), np.inf,
                                    np.abs(other - value))
                    change = np.fmax(change, step)
                error = error + change
            bound[i] = error
        out_id = graph.output_ids[0]
        out = np.broadcast_to(np.asarray(vals[out_id], dtype=float), (n,)).copy()
        rounding = np.broadcast_to(np.asarray(bound[out_id], dtype=float), (n,)) / FLOAT_EPS
        rounding = np.where(np.isnan(rounding) | np.isnan(out), np.inf, rounding)
    return out, rounding


def node_values(graph: Graph, env: Mapping[str, np.ndarray], n: int) -> list[Any]:
    point = {name: env.get(name, 0.0) for name in graph.inputs}
    with np.errstate(all="ignore"):
        return graph.values(point, on_domain_error="nan")


def values_and_scale(graph: Graph, env: Mapping[str, np.ndarray], n: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Output values and largest |intermediate| of ``graph`` on the batch ``env`` (nan if
    undefined).  Unused inputs missing from ``env`` get 0."""
    vals = node_values(graph, env, n)
    with np.errstate(all="ignore"):
        out = np.broadcast_to(np.asarray(vals[graph.output_ids[0]], dtype=float), (n,)).copy()
        scale = np.abs(out)
        for i in graph.order:
            if graph.kind(i) == "op":
                v = np.abs(np.broadcast_to(np.asarray(vals[i], dtype=float), (n,)))
                scale = np.fmax(scale, v)
    return out, scale
