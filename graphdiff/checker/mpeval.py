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

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy

from ..graph import Graph, is_node
from ..ops import MAX_MAG, MAX_TRIG_ARGUMENT, MPDomainError, MPOverflow

#: The high-precision evaluation of each op lives in the registry (``Op.mpmath``); these
#: names are kept here for code that imported them from this module.
__all__ = ["MAX_MAG", "MAX_TRIG_ARGUMENT", "Analysis", "MPDomainError", "MPOverflow",
           "MPRoundingDomain", "analyse", "constant", "evaluate", "values"]


class MPRoundingDomain(MPDomainError):
    """A domain error that the rounding of an op's arguments may have made: somewhere in
    their error intervals the op is defined (``log(1 + exp(x))`` at x = -615 is
    ``log(1) = 0`` at 50 digits, and x over it a division by zero, but ``exp(-615)`` is
    10⁻²⁶⁷ and the exact value is defined).  More digits decide it.

    >>> import graphdiff as gd
    >>> analyse(gd.parse("1/log(1 + exp(x))"), {"x": mpmath.mpf(-615)}, 50)
    Traceback (most recent call last):
    ...
    graphdiff.checker.mpeval.MPRoundingDomain: division by zero at w5 (within rounding at 50 digits)
    >>> mpmath.nstr(analyse(gd.parse("1/log(1 + exp(x))"), {"x": mpmath.mpf(-615)}, 300).value, 5)
    '1.2334e+267'
    """

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
    return _evaluate(graph, inputs, dps)[0]


def _apply(graph: Graph, i: int, op: Any, args: list[Any]) -> Any:
    return guarded(graph, i, op.mpmath, args)


def guarded(graph: Graph, i: int, function: Any, args: Any) -> Any:
    """``function(*args)`` at high precision for node ``i``, with the checker's guards: a
    domain error names the node, a failure to compute or a value beyond ``MAX_MAG`` is
    :class:`MPOverflow`, a complex value is a domain error.

    >>> import graphdiff as gd
    >>> guarded(gd.parse("sqrt(x)"), 1, mpmath.sqrt, [mpmath.mpf(-4)])
    Traceback (most recent call last):
    ...
    graphdiff.ops.MPDomainError: complex value at w2
    """
    try:
        value = function(*args)
    except MPDomainError as err:
        raise MPDomainError(f"{err} at {graph.name(i)}") from None
    except (OverflowError, ValueError, ZeroDivisionError) as err:
        raise MPOverflow(str(err)) from None
    if isinstance(value, mpmath.mpc):
        raise MPDomainError(f"complex value at {graph.name(i)}")
    if value and mpmath.mag(value) > MAX_MAG:
        raise MPOverflow(f"value too large at {graph.name(i)}")
    return value


def _evaluate(graph: Graph, inputs: Mapping[str, Any], dps: int, *,
              errors: Mapping[str, Any] | None = None,
              overrides: Mapping[Any, Any] | None = None) -> tuple[list[Any], list[Any]]:
    """Node values and, with ``errors`` given, forward error bounds (see :func:`analyse`).

    ``overrides`` replaces constants (by exact value) with other mpf values."""
    result: list[Any] = [None] * len(graph)
    bound: list[Any] = [None] * len(graph)
    track = errors is not None
    with mpmath.workdps(dps):
        unit = mpmath.mpf(2) ** -mpmath.mp.prec
        bits = mpmath.mp.prec
        for name, i in zip(graph.inputs, graph.input_ids, strict=True):
            # An unused input (no edges) may be missing: its value does not matter.
            result[i] = mpmath.mpf(inputs[name] if name in inputs or graph.nx.out_degree(i)
                                   or i in graph.output_ids else 0)
            if track:
                bound[i] = unit * errors.get(name, 0)  # type: ignore[union-attr]
        for i in graph.order:
            kind = graph.kind(i)
            if kind == "input":
                continue
            if kind == "constant":
                result[i] = constant(graph.constant(i), dps)
                bound[i] = mpmath.mpf(0)
                continue
            op = graph.op(i)
            assert op is not None
            raw = graph.args(i)
            args = [result[a] if is_node(a) else
                    (overrides[a] if overrides and a in overrides else constant(a, dps))
                    for a in raw]
            try:
                value = _apply(graph, i, op, args)
            except MPDomainError as err:
                if track and _defined_nearby(op, raw, args, bound, unit, bits):
                    raise MPRoundingDomain(f"{err} (within rounding at {dps} digits)") from None
                raise
            result[i] = value
            if track:
                bound[i] = _propagate(op, raw, args, value, bound, unit, bits)
    return result, bound


def _widths(raw: tuple[Any, ...], args: list[Any], bound: list[Any], unit: Any,
            bits: int) -> Iterator[tuple[int, Any]]:
    """``(position, width)`` of each argument with an error bound: the bound of a node, the
    rounding of an inexact constant; at least an ulp of the argument (a smaller move would
    round away)."""
    for pos, a in enumerate(raw):
        if is_node(a):
            width = bound[a]
        else:
            width = mpmath.mpf(0) if _exact_in_binary(a, bits) else unit * abs(args[pos])
        if not width:
            continue
        if mpmath.isfinite(width) and args[pos]:
            width = max(width, mpmath.ldexp(1, mpmath.mag(args[pos]) - bits))
        yield pos, width


def _defined_nearby(op: Any, raw: tuple[Any, ...], args: list[Any], bound: list[Any],
                    unit: Any, bits: int) -> bool:
    """Whether the op, outside its domain at ``args``, is defined (a finite real) at one
    argument moved to either end of its error interval: its domain error may be rounding."""
    for pos, width in _widths(raw, args, bound, unit, bits):
        if not mpmath.isfinite(width):
            return True  # an argument known to no digit: anything may be
        if any(_moved(op, args, pos, sign * width) is not None for sign in (1, -1)):
            return True
    return False


def _moved(op: Any, args: list[Any], pos: int, by: Any) -> Any:
    """The op's value with argument ``pos`` moved ``by``; None where that leaves its
    domain (an error, a complex or a non-finite value)."""
    moved = list(args)
    moved[pos] = args[pos] + by
    try:
        other = op.mpmath(*moved)
    except (ArithmeticError, ValueError):
        return None
    if isinstance(other, mpmath.mpc) or not mpmath.isfinite(other):
        return None
    return other


def _propagate(op: Any, raw: tuple[Any, ...], args: list[Any], value: Any,
               bound: list[Any], unit: Any, bits: int) -> Any:
    """The error bound of one op's value: its own rounding plus, for each argument with an
    error bound ``b``, the largest change of the op over ``argument +- b`` -- evaluated,
    not linearised, so a noisy argument that crosses a jump (``step``) or saturates
    (``tanh``) shows as the jump it causes.  The move is at least an ulp of the argument
    (a smaller one would round away).  An op without kinks (the registry's ``Op.kinks``)
    whose argument is known to half the working digits is smooth at that scale: one side
    is enough."""
    error = unit * abs(value)
    for pos, width in _widths(raw, args, bound, unit, bits):
        if not mpmath.isfinite(width):
            return mpmath.inf
        arg = args[pos]
        smooth = op.kinks is None and width * 2 ** (bits // 2) <= abs(arg)
        change = mpmath.mpf(0)
        for sign in ((1,) if smooth else (1, -1)):
            other = _moved(op, args, pos, sign * width)
            if other is None:
                return mpmath.inf  # the error interval leaves the domain
            change = max(change, abs(other - value))
        error += change
    return error


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
        The rounding scale: ``value`` is within ``rounding * 2**-prec`` of the exact value
        of the expression at the given inputs, by forward error propagation (each op adds
        its own rounding, ``2**-prec * |w|``, and passes on the largest change of its
        value over its arguments' error intervals).  Large for an answer whose
        intermediates cancel, nothing for ``(10**99 * x) * 0``, ``inf`` where an error
        interval leaves an op's domain.
    slack : (mpf, mpf)
        The range ``(low, high)`` of ``value`` when each constant listed in ``decimals``
        moves to either end of its interval (how far "correct to the digits shown"
        reaches), summed over the constants; ``(0, 0)`` without ``decimals``.
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


#: Most decimal constants whose slack is evaluated (each costs two evaluations).
MAX_DECIMALS = 8


def analyse(graph: Graph, inputs: Mapping[str, Any], dps: int, *,
            input_errors: Mapping[str, Any] | None = None,
            decimals: Mapping[Any, tuple[Any, Any]] | None = None) -> Analysis:
    """The value at ``dps`` digits with its rounding scale and decimal slack.

    The rounding scale comes from forward error propagation with the registry's ops
    themselves (``Op.mpmath``): each op is evaluated again at its arguments plus and
    minus their error bounds.  So the bound sees cancellation (``x*1e308 - 1e308*x``),
    amplification (``1e20*((1 + 1e-17 x) - 1)``) and an argument too noisy to decide a
    jump (``step((1 + 1e-300 x) - 1 - 5e-301 x)``, whose argument is positive but
    computes as negative), and is not fooled by a huge value that is multiplied by 0.
    ``input_errors`` gives the rounding scales of inputs that were themselves computed
    (node names such as ``c = x + y``); ``decimals`` maps a constant's exact value to
    the interval ``(low, high)`` of offsets it may take (a decimal rounded or truncated
    to its last digit).  Raises MPDomainError or MPOverflow like :func:`values`.

    >>> import graphdiff as gd
    >>> a = analyse(gd.parse("x*10^20 - 10^20*x + 1"), {"x": mpmath.mpf(3)}, 30)
    >>> a.value, mpmath.nstr(a.rounding, 3)
    (mpf('1.0'), '1.18e+21')
    >>> analyse(gd.parse("(10^99*x)*0 + x"), {"x": mpmath.mpf(3)}, 30).rounding
    mpf('3.0')
    >>> noisy = gd.parse("step((1 + 10^-300*x) - 1 - 5*10^-301*x)")
    >>> a = analyse(noisy, {"x": mpmath.mpf(3)}, 50)
    >>> a.value, a.rounding > 2**150     # the jump is inside the error interval
    (mpf('0.0'), True)
    >>> s = analyse(gd.parse("0.333*x"), {"x": mpmath.mpf(3)}, 30,
    ...             decimals={sympy.Rational(333, 1000): (-0.0005, 0.001)}).slack
    >>> [mpmath.nstr(v, 3) for v in s]
    ['-0.0015', '0.003']
    """
    vals, bound = _evaluate(graph, inputs, dps, errors=input_errors or {})
    out = graph.output_ids[0]
    value = vals[out]
    with mpmath.workdps(dps):
        rounding = bound[out] / mpmath.mpf(2) ** -mpmath.mp.prec
        slack = (mpmath.mpf(0), mpmath.mpf(0))
        if decimals:
            slack = _slack(graph, inputs, dps, decimals, value)
    return Analysis(value, rounding, slack)


def _slack(graph: Graph, inputs: Mapping[str, Any], dps: int,
           decimals: Mapping[Any, tuple[Any, Any]], value: Any) -> tuple[Any, Any]:
    """How far the output moves when each decimal constant moves to the ends of its
    interval (evaluated, one constant at a time, and summed)."""
    present = []
    for i in graph.order:
        for a in graph.args(i):
            if not is_node(a) and a in decimals and a not in present:
                present.append(a)
    low = high = mpmath.mpf(0)
    for c in present[:MAX_DECIMALS]:
        lo, hi = decimals[c]
        moves = []
        for offset in (lo, hi):
            try:
                other = _evaluate(graph, inputs, dps,
                                  overrides={c: constant(c, dps) + offset})[0]
            except (MPDomainError, MPOverflow):
                moves = []  # no slack where the interval leaves the domain
                break
            moves.append(other[graph.output_ids[0]] - value)
        # Only where the output follows the constant smoothly (about linearly) over its
        # interval: a constant that places a jump or a kink (step(x - 523.1)) excuses
        # nothing, since no single value of it would fit every point.
        if len(moves) < 2 or not lo or abs(moves[0] - moves[1] * (lo / hi)) > \
                abs(moves[0]) / 4 + abs(moves[1] * (lo / hi)) / 4 + mpmath.mpf(2) ** -(
                    mpmath.mp.prec - 8) * abs(value):
            continue
        low += min(0, *moves)
        high += max(0, *moves)
    return (low, high)
