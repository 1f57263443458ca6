"""Kinks: points where an op is not differentiable, and why methods may differ there.

At ``relu(x)`` with ``x = 0`` the derivative does not exist: the slope is 0 on the left and
1 on the right.  graphdiff's sweeps (paths, forward, reverse) take the value of the op's
partial rule in the registry there -- ``relu'(z) = 1 - step(-z) = [z > 0]``, so
``relu'(0) = 0``, the convention of seed 004 -- while sympy's ``Heaviside(0)`` is 1/2 and a
central difference averages the two slopes (1/2 again).  Neither is wrong; they answer a
question that has no answer.  :func:`kinks_at` finds the kinked nodes at a point and
:func:`explain` says so in words, so that a report never shows two numbers silently.

>>> import graphdiff as gd
>>> g = gd.parse("relu(x) + x")
>>> [(k.node, k.op, k.switch, k.rule, k.value) for k in kinks_at(g, {"x": 0.0})]
[('w2', 'relu', 'x', '[x > 0]', 0.0)]
>>> kinks_at(g, {"x": 0.5})
()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from ..graph import Graph
from ..ops import NUMPY, SYMPY
from ..printing import expr_text, iverson

#: Methods whose value at a kink is the registry's partial rule.
RULE_METHODS = ("paths", "forward", "reverse")


@dataclass(frozen=True)
class Kink:
    """A node sitting exactly on a kink of its op at a point.

    Attributes
    ----------
    node, op : str
        The node's name and its op (``"w2"``, ``"relu"``).
    argument : str
        The argument whose partial jumps there (``"x"``).
    switch : str
        The switching expression that is zero there (``"x"``; ``"a - b"`` for ``max``).
    rule : str
        The op's partial rule as graphdiff applies it, steps written as Iverson brackets
        (``"[x > 0]"``).
    value : float
        That rule's value at the kink: graphdiff's convention there (``0.0``).
    """

    node: str
    op: str
    argument: str
    switch: str
    rule: str
    value: float


def kinks_at(graph: Graph, point: Mapping[str, Any]) -> tuple[Kink, ...]:
    """The nodes of a scalar graph that sit on a kink of their op at ``point``: where one
    of the op's switching expressions (the registry's ``kinks`` column) is zero and its
    partial rule holds a step.  One pass over the nodes."""
    values = graph.values(point)
    found = []
    for v in graph.order:
        op = graph.op(v)
        if op is None or op.kinks is None or not op.elementwise:
            continue
        args = graph.args(v)
        arg_values = [values[a] if type(a) is int else float(a) for a in args]
        with np.errstate(all="ignore"):
            switches = op.kinks(NUMPY, *arg_values)
        # Zero up to the rounding of the switching expression itself (x - y at x = y
        # is exactly 0; a - b with a, b of size 1e6 may be off by 1e-10).
        scale = max(float(np.max(np.abs(x))) for x in arg_values)
        hit = [k for k, s in enumerate(switches)
               if np.all(np.abs(np.asarray(s, dtype=float)) <= 1e-12 * scale)]
        if not hit:
            continue
        symbols = [graph.symbol(a) if type(a) is int else a for a in args]
        switch = expr_text(op.kinks(SYMPY, *symbols)[hit[0]], "text")
        for k, a, partial in _partials(graph, v):
            if not partial.has(*_STEPS):
                continue  # a pole or a branch point (log, pow): smooth where defined
            arg_name = graph.name(a) if type(a) is int else str(a)
            local = [values[x] if type(x) is int else float(x) for x in args]
            with np.errstate(all="ignore"):
                value = op.partials[k](NUMPY, *local, values[v])
            found.append(Kink(graph.name(v), op.name, arg_name, switch,
                              expr_text(iverson(partial), "text"), float(np.asarray(value))))
    return tuple(found)


def _partials(graph: Graph, v: int) -> list[tuple[int, int, Any]]:
    """(position, argument node, partial rule in sympy) per node argument of ``v``."""
    op = graph.op(v)
    args = graph.args(v)
    symbols = [graph.symbol(a) if type(a) is int else a for a in args]
    out = op.sympy(*symbols)
    return [(k, a, op.partials[k](SYMPY, *symbols, out)) for k, a in enumerate(args)
            if type(a) is int]


#: The sympy functions that make a partial rule jump: its steps.
_STEPS = (sympy.Heaviside, sympy.sign)


def differing(values: Mapping[str, float], *, rtol: float = 1e-6, atol: float = 1e-9
              ) -> bool:
    """Whether a row of method -> value holds numbers that do not agree.

    >>> differing({"reverse": 0.0, "symbolic": 0.5}), differing({"a": 1.0, "b": 1.0})
    (True, False)
    """
    numbers = [float(v) for v in values.values() if v is not None]
    if not numbers:
        return False
    low, high = min(numbers), max(numbers)
    return high - low > max(atol, rtol * max(abs(low), abs(high)))


def explain(kinks: Sequence[Kink], methods: Sequence[str]) -> str:
    """Why the methods differ at a kink, in one paragraph.

    >>> import graphdiff as gd
    >>> print(explain(kinks_at(gd.parse("relu(x)"), {"x": 0.0}),
    ...               ["paths", "reverse", "symbolic", "numeric"]))
    the methods differ only because the point is on a kink, where the derivative does not
    exist: relu at w2 (x = 0). paths and reverse use the op's rule there, ∂w2/∂x = [x > 0]
    = 0; symbolic uses sympy's value there (its Heaviside(0) is 1/2); numeric averages the
    slopes on the two sides.
    """
    where = "; ".join(dict.fromkeys(f"{k.op} at {k.node} ({k.switch} = 0)" for k in kinks))
    rules = "; ".join(f"∂{k.node}/∂{k.argument} = {k.rule} = {k.value:g}" for k in kinks)
    parts = [f"the methods differ only because the point is on a kink, where the derivative "
             f"does not exist: {where}."]
    exact = [m for m in methods if m in RULE_METHODS]
    if exact:
        verb = "uses" if len(exact) == 1 else "use"
        parts.append(f"{_joined(exact)} {verb} the op's rule there, {rules}" + (
            ";" if len(exact) < len(methods) else "."))
    if "symbolic" in methods:
        parts.append("symbolic uses sympy's value there (its Heaviside(0) is 1/2)" +
                     (";" if "numeric" in methods else "."))
    if "numeric" in methods:
        parts.append("numeric averages the slopes on the two sides.")
    return " ".join(parts)


def _joined(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
