"""Floating point on a batch of points, with a rounding analysis through the ops (step 4).

Every point is evaluated at once with numpy; :func:`float_analysis` also bounds the float
error of the output by forward error propagation through the registry's ops.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ...graph import Graph, is_node
from ...ops import Op
from .. import mpeval

#: Unit roundoff and smallest normal number of float64.
FLOAT_EPS = 2.0**-53
FLOAT_TINY = float(np.finfo(float).tiny)
#: Safety factor on the first-order rounding estimate (ops are not all correctly rounded,
#: and the estimate is first order).
ROUNDING_FACTOR = 16
#: Largest float rounding error of the answer, relative to the values compared (or the
#: correct answer's own rounding scale), for a float-only ("clean") point.
FLOAT_TOL = 1e-9


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
    errors = errors or {}
    names = dict(zip(graph.input_ids, graph.inputs, strict=True))
    bound: dict[int, Any] = {}
    vals = node_values(graph, env)
    with np.errstate(all="ignore"):
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
                error = error + _largest_change(op, args, pos, width, value)
            bound[i] = error
        out_id = graph.output_ids[0]
        out = batch(vals[out_id], n)
        rounding = batch(bound[out_id], n) / FLOAT_EPS
        rounding = np.where(np.isnan(rounding) | np.isnan(out), np.inf, rounding)
    return out, rounding


def _largest_change(op: Op, args: list[Any], pos: int, width: Any, value: Any) -> Any:
    """The largest change of ``op``'s value when argument ``pos`` moves by ``width`` either
    way (inf where it leaves the op's domain or the floats)."""
    change = np.zeros(np.shape(value))
    for sign in (1.0, -1.0):
        moved = list(args)
        moved[pos] = args[pos] + sign * width
        other = op.numpy(*moved)
        outside = op.domain(*moved) if op.domain is not None else False
        step = np.where(outside | ~np.isfinite(other), np.inf, np.abs(other - value))
        change = np.fmax(change, step)
    return change


def node_values(graph: Graph, env: Mapping[str, np.ndarray]) -> list[Any]:
    """The value of every node of ``graph`` on the batch ``env`` (nan where undefined).
    Unused inputs missing from ``env`` get 0."""
    point = {name: env.get(name, 0.0) for name in graph.inputs}
    with np.errstate(all="ignore"):
        return graph.values(point, on_domain_error="nan")


def batch(value: Any, n: int) -> np.ndarray:
    """A node's value (a number or an array) as a new float array of ``n`` values."""
    return np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()


def outputs(graph: Graph, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """Output values of ``graph`` on the batch ``env`` (nan where undefined)."""
    return batch(node_values(graph, env)[graph.output_ids[0]], n)


def float_check(a: np.ndarray, a_rounding: np.ndarray, r: np.ndarray, r_rounding: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Step 4 at every point: which points are *clean* (the answer ``a`` is finite, both
    roundings are small against the values compared and the difference is rounding), and
    which differ reliably, far beyond rounding."""
    with np.errstate(all="ignore"):
        e_a = ROUNDING_FACTOR * FLOAT_EPS * a_rounding
        e_r = ROUNDING_FACTOR * FLOAT_EPS * r_rounding
        compared = np.fmax(np.abs(a), np.abs(r))
        # Both roundings must be small against the values compared (a correct answer
        # that is noise here, cos(x^x) at x = 50, clears nothing); then a difference
        # within both roundings is clean.  High precision handles the rest, with the
        # correct answer's own scale as the floor.
        reliable = (e_a <= FLOAT_TOL * compared) & (e_r <= FLOAT_TOL * compared)
        clean = np.isfinite(a) & reliable & (np.abs(a - r) <= e_a + e_r)
        far = reliable & (np.abs(a - r) > np.fmax(100 * (e_a + e_r), 1e-6 * compared))
    return clean, far
