"""Evaluate a graph at high precision with mpmath, with domain checks and overflow guards.

The checker's numeric comparison runs in floating point first; where the float result is
not clean, and at a few points always, it re-evaluates both the correct answer and the
student's at 50 significant digits (and 120 near the threshold).  Domain errors are
decided on the high-precision values (``log`` of a number that is negative at 50 digits,
not one that underflowed), and values too large to be meaningful are refused instead of
being computed (``exp(exp(exp(x)))`` would otherwise build a number with billions of
digits).

>>> import mpmath, graphdiff as gd
>>> g = gd.parse("sigmoid(z)*(1 - sigmoid(z))")
>>> value, scale = evaluate(g, {"z": mpmath.mpf(0.5)}, 30)
>>> mpmath.nstr(value, 20)
'0.23500371220159449146'
>>> evaluate(gd.parse("log(x)"), {"x": mpmath.mpf(-1)}, 30)
Traceback (most recent call last):
...
graphdiff.ops.MPDomainError: log of a non-positive number at w2
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mpmath
import sympy

from ..graph import Graph, is_node
from ..ops import MAX_MAG, MAX_TRIG_ARGUMENT, MPDomainError, MPOverflow

#: The high-precision evaluation of each op lives in the registry (``Op.mpmath``); these
#: names are kept here for code that imported them from this module.
__all__ = ["MAX_MAG", "MAX_TRIG_ARGUMENT", "MPDomainError", "MPOverflow", "constant",
           "evaluate", "values"]


_CONSTANTS: dict[tuple[Any, int], Any] = {}


def constant(value: sympy.Expr, dps: int) -> Any:
    """A sympy constant as an mpf at ``dps`` digits (cached).

    >>> mpmath.nstr(constant(sympy.Rational(1, 3), 30), 30)
    '0.333333333333333333333333333333'
    >>> mpmath.nstr(constant(sympy.pi, 30), 30)
    '3.14159265358979323846264338328'
    """
    key = (value, dps)
    cached = _CONSTANTS.get(key)
    if cached is not None:
        return cached
    with mpmath.workdps(dps + 10):
        if value.is_Rational:
            result = mpmath.mpf(int(value.p)) / int(value.q)
        else:
            result = mpmath.mpf(str(sympy.N(value, dps + 10)))
    if len(_CONSTANTS) > 10_000:
        _CONSTANTS.clear()
    _CONSTANTS[key] = result
    return result


def values(graph: Graph, inputs: Mapping[str, Any], dps: int) -> list[Any]:
    """The value of every node at ``dps`` digits; raises MPDomainError or MPOverflow.

    >>> import graphdiff as gd
    >>> g = gd.parse("x*y + sin(x)")
    >>> vals = values(g, {"x": mpmath.mpf(2), "y": mpmath.mpf(3)}, 30)
    >>> [(g.name(i), mpmath.nstr(vals[i], 12)) for i in g.order]
    [('x', '2.0'), ('y', '3.0'), ('w3', '6.0'), ('w4', '0.909297426826'), ('w5', '6.90929742683')]
    """
    result: list[Any] = [None] * len(graph)
    with mpmath.workdps(dps):
        for name, i in zip(graph.inputs, graph.input_ids, strict=True):
            # An unused input (no edges) may be missing: its value does not matter.
            result[i] = mpmath.mpf(inputs[name] if name in inputs or graph.nx.out_degree(i)
                                   or i in graph.output_ids else 0)
        for i in graph.order:
            kind = graph.kind(i)
            if kind == "input":
                continue
            if kind == "constant":
                result[i] = constant(graph.nx.nodes[i]["value"], dps)
                continue
            op = graph.op(i)
            assert op is not None
            args = [result[a] if is_node(a) else constant(a, dps) for a in graph.args(i)]
            try:
                value = op.mpmath(*args)
            except MPDomainError as err:
                raise MPDomainError(f"{err} at {graph.name(i)}") from None
            except (OverflowError, ValueError, ZeroDivisionError) as err:
                raise MPOverflow(str(err)) from None
            if isinstance(value, mpmath.mpc):
                raise MPDomainError(f"complex value at {graph.name(i)}")
            if value and mpmath.mag(value) > MAX_MAG:
                raise MPOverflow(f"value too large at {graph.name(i)}")
            result[i] = value
    return result


def evaluate(graph: Graph, inputs: Mapping[str, Any], dps: int) -> tuple[Any, Any]:
    """The output value and the largest |intermediate value| (the rounding scale).

    >>> import graphdiff as gd
    >>> value, scale = evaluate(gd.parse("x - 3*y"), {"x": 1, "y": 2}, 30)
    >>> value, scale
    (mpf('-5.0'), mpf('6.0'))
    """
    vals = values(graph, inputs, dps)
    out = vals[graph.output_ids[0]]
    scale = mpmath.mpf(0)
    for i in graph.order:
        if graph.kind(i) == "op":
            v = abs(vals[i])
            if v > scale:
                scale = v
    return out, max(scale, abs(out))
