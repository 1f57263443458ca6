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
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy

from ..graph import Graph, is_node
from ..ops import MAX_MAG, MAX_TRIG_ARGUMENT, MPMATH, MPDomainError, MPOverflow

#: The high-precision evaluation of each op lives in the registry (``Op.mpmath``); these
#: names are kept here for code that imported them from this module.
__all__ = ["MAX_MAG", "MAX_TRIG_ARGUMENT", "Analysis", "MPDomainError", "MPOverflow",
           "analyse", "constant", "evaluate", "values"]

#: Working precision (digits) of the sensitivity sweep: only magnitudes are needed.
SWEEP_DPS = 15


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


@dataclass(frozen=True)
class Analysis:
    """A value at high precision with what its digits depend on.

    Attributes
    ----------
    value : mpf
        The output at the working precision.
    rounding : mpf
        ``sum |d value / d w| * |w|`` over every computed value ``w`` (each op's output,
        each constant that is not exact in binary; an input given with a rounding scale
        of its own adds that scale): to
        first order the rounding error of ``value`` is at most about ``rounding * 2**-prec``
        (each of those values is rounded once, relatively).  ``inf`` where a local
        derivative is infinite or undefined (``sqrt`` at 0).  Huge for an answer whose
        intermediate values cancel, small for ``(10**99 * x) * 0``.
    slack : (mpf, mpf)
        First-order range ``(low, high)`` of ``value`` when each constant listed in
        ``decimals`` moves inside its interval (how far "correct to the digits shown"
        reaches); ``(0, 0)`` without ``decimals``.
    """

    value: Any
    rounding: Any
    slack: tuple[Any, Any] = (mpmath.mpf(0), mpmath.mpf(0))


def _exact_in_binary(value: Any, bits: int) -> bool:
    """Whether a sympy constant is exactly an mpf of ``bits`` bits (no rounding)."""
    if not value.is_Rational:
        return False
    q = int(value.q)
    return q & (q - 1) == 0 and abs(int(value.p)).bit_length() <= bits


def analyse(graph: Graph, inputs: Mapping[str, Any], dps: int, *,
            input_errors: Mapping[str, Any] | None = None,
            decimals: Mapping[Any, tuple[Any, Any]] | None = None) -> Analysis:
    """The value at ``dps`` digits with its first-order rounding scale and decimal slack.

    One reverse sweep over the graph with the registry's partial rules (``Op.partials``,
    run on mpmath numbers at low precision: only magnitudes matter) gives the sensitivity
    of the output to every intermediate value, so the error bound sees cancellation
    (``x*1e308 - 1e308*x``; ``w - w`` of one node is exact) and amplification
    (``1e20*((1 + 1e-17 x) - 1)``) and is not fooled by a huge value that is multiplied
    by 0.  ``input_errors`` gives the rounding scales of inputs that were themselves
    computed (node names such as ``c = x + y``);
    ``decimals`` maps a constant's exact value to the interval ``(low, high)`` of
    perturbations it may take (a decimal rounded or truncated to its last digit).
    Raises MPDomainError or MPOverflow like :func:`values`.

    >>> import graphdiff as gd
    >>> a = analyse(gd.parse("x*10^20 - 10^20*x + 1"), {"x": mpmath.mpf(3)}, 30)
    >>> a.value, mpmath.nstr(a.rounding, 3)
    (mpf('1.0'), '6.0e+20')
    >>> analyse(gd.parse("x*10^20 - x*10^20 + 1"), {"x": mpmath.mpf(3)}, 30).rounding
    mpf('1.0')
    >>> analyse(gd.parse("(10^99*x)*0 + x"), {"x": mpmath.mpf(3)}, 30).rounding
    mpf('3.0')
    >>> s = analyse(gd.parse("0.333*x"), {"x": mpmath.mpf(3)}, 30,
    ...             decimals={sympy.Rational(333, 1000): (-0.0005, 0.001)}).slack
    >>> [mpmath.nstr(v, 3) for v in s]
    ['-0.0015', '0.003']
    """
    vals = values(graph, inputs, dps)
    out = graph.output_ids[0]
    errors = input_errors or {}
    bits = mpmath.mp.prec if dps is None else int(dps * 3.33) + 8
    with mpmath.workdps(SWEEP_DPS):
        adjoint: dict[int, Any] = {out: mpmath.mpf(1)}
        rounding = mpmath.mpf(0)
        low = high = mpmath.mpf(0)
        # Inputs are exact unless they carry an error: no sensitivity needed for them.
        exact_inputs = {i for name, i in zip(graph.inputs, graph.input_ids, strict=True)
                        if not errors.get(name)}
        for v in reversed(graph.order):
            adj = adjoint.get(v)
            if adj is None or adj == 0:
                continue
            op = graph.op(v)
            if op is None:
                continue
            own = abs(vals[v])
            if own:
                rounding += abs(adj) * own
            raw = graph.args(v)
            args = [vals[a] if is_node(a) else constant(a, dps) for a in raw]
            for pos, a in enumerate(raw):
                node = is_node(a)
                if node and a in exact_inputs:
                    continue
                wanted = decimals is not None and not node and a in decimals
                if not node and not wanted and _exact_in_binary(a, bits):
                    continue  # an exact constant: no error, no slack
                g = _partial(op.partials[pos], args, vals[v]) * adj
                if node:
                    adjoint[a] = adjoint.get(a, mpmath.mpf(0)) + g
                    continue
                if args[pos]:
                    rounding += abs(g) * abs(args[pos])
                if wanted:
                    lo, hi = decimals[a]  # type: ignore[index]
                    ends = (g * lo, g * hi)
                    low += min(ends)
                    high += max(ends)
        for name, i in zip(graph.inputs, graph.input_ids, strict=True):
            error = errors.get(name)
            if error and i in adjoint:
                rounding += abs(adjoint[i]) * error
        if mpmath.isnan(rounding):
            rounding = mpmath.inf
    return Analysis(vals[out], rounding, (low, high))


def _partial(rule: Any, args: list[Any], out: Any) -> Any:
    """A local partial derivative as an mpf; inf where it is infinite or undefined."""
    try:
        value = rule(MPMATH, *args, out)
    except (ArithmeticError, ValueError, TypeError):
        return mpmath.inf
    if type(value) is not mpmath.mpf:
        if isinstance(value, mpmath.mpc):
            return mpmath.inf
        try:
            value = mpmath.mpf(value)
        except (TypeError, ValueError):
            return mpmath.inf
    return mpmath.inf if mpmath.isnan(value) else value
