"""Tables of a graph as a teacher writes them: plain text, Markdown or LaTeX.

The library never prints; these functions return strings.

>>> import graphdiff as gd
>>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
>>> print(node_table(g, at={"x": 1, "y": 2}))
node  kind   operation  value
x     input  x              1
y     input  y              2
a     op     x**2           1
b     op     x*y            2
c     op     x + y          3
d     op     a + b          3
e     op     c**2           9
f     op     d + e         12
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from .derive.forward import ForwardResult
from .derive.paths import PathsResult
from .derive.reverse import ReverseResult
from .graph import Graph
from .notation import (
    BAR,
    DOT,
    TABLE_STYLES,
    decorated,
    format_number,
    format_table,
    latex_name,
    shape_label,
)
from .ops import as_expr
from .printing import as_named, expr_text, folded, formula, node_labels

__all__ = [
    "STYLES",
    "WORKED_TABLES",
    "edge_table",
    "format_number",
    "format_table",
    "forward_table",
    "node_table",
    "paths_table",
    "pretty",
    "reverse_table",
]

#: The layouts of every table (``format_table``'s styles).
STYLES = TABLE_STYLES


def node_table(graph: Graph, at: Mapping[str, Any] | None = None, style: str = "text") -> str:
    """One row per node: name, kind, its operation and (with ``at``) its value.

    In ``latex`` and ``markdown`` styles operations print as math (``c^{2}``).

    >>> import graphdiff as gd
    >>> print(node_table(gd.parse("sin(x)**2"), style="markdown"))
    | node | kind | operation |
    |---|---|---|
    | x | input | x |
    | w2 | op | sin(x) |
    | w3 | op | w2² |
    """
    values = graph.values(at) if at is not None else None
    formula_style = "latex" if style == "latex" else ("unicode" if style == "markdown" else "text")
    headers = ["node", "kind", "operation"] + (["value"] if values is not None else [])
    rows = []
    for n in graph.order:
        name = graph.format_arg(n, "latex") if style == "latex" else graph.name(n)
        operation = graph.formula(n, formula_style)
        name += _shape_suffix(graph, n, style)
        if style == "latex":
            name, operation = f"${name}$", f"${operation}$"
        row = [name, graph.kind(n), operation]
        if values is not None:
            row.append(format_number(values[n]))
        rows.append(row)
    align = ["l", "l", "l", "r"][: len(headers)]
    return format_table(headers, rows, style, align)


def edge_table(graph: Graph, at: Mapping[str, Any] | None = None, style: str = "text") -> str:
    """One row per edge: ``u -> v``, the local derivative and (with ``at``) its value.

    >>> import graphdiff as gd
    >>> print(edge_table(gd.parse("sin(x)*x", naming="letters")))
    edge    derivative
    x -> a  cos(x)
    x -> b  a
    a -> b  x

    In a graph with tensor nodes every edge shows its VJP instead, what the adjoint v̄ of
    its target sends back to its source, as the sheet writes it (:meth:`Graph.edge_vjp`):

    >>> print(edge_table(gd.parse("X: 4x2\\nW: 2x3\\nH = X @ W\\nL = sum(relu(H))")))
    edge     VJP
    X -> H   H̄·Wᵀ
    W -> H   Xᵀ·H̄
    H -> w4  w̄4 ⊙ [H > 0]
    w4 -> L  L̄
    """
    if graph.is_tensor:
        return _vjp_table(graph, style)
    values = graph.values(at) if at is not None else None
    headers = ["edge", "derivative"] + (["value"] if values is not None else [])
    rows = []
    for u, v in graph.nx.edges():
        derivative = graph.edge_derivative(u, v)
        if style == "latex":
            edge = f"${graph.format_arg(u, 'latex')} \\to {graph.format_arg(v, 'latex')}$"
            shown = f"${expr_text(derivative, 'latex')}$"
        else:
            edge = f"{graph.name(u)} -> {graph.name(v)}"
            shown = str(derivative)
        row = [edge, shown]
        if values is not None:
            row.append(format_number(graph.edge_derivative_value(u, v, values)))
        rows.append(row)
    align = ["l", "l", "r"][: len(headers)]
    return format_table(headers, rows, style, align)


def _vjp_table(graph: Graph, style: str) -> str:
    """The edge table of a tensor graph: each edge's VJP, in the names of the graph."""
    rows = []
    for u, v in graph.nx.edges():
        bar = decorated(graph.name(v), BAR)
        if style == "latex":
            edge = f"${graph.format_arg(u, 'latex')} \\to {graph.format_arg(v, 'latex')}$"
            shown = f"${graph.edge_vjp(u, v, 'latex', cotangent=bar)}$"
        else:
            edge = f"{graph.name(u)} -> {graph.name(v)}"
            shown = graph.edge_vjp(u, v, "unicode", cotangent=bar, names=as_named)
        rows.append([edge, shown])
    return format_table(["edge", "VJP"], rows, style, ["l", "l"])


# --- worked traces of the derivative engines --------------------------------------------


def pretty(expr: Any) -> str:
    """An expression as a teacher writes it in plain text: ``2·c``, ``x2²``, order kept.

    The text style of :func:`graphdiff.printing.expr_text`, terms in the order written.

    >>> a, b = sympy.symbols("a b")
    >>> pretty(sympy.Mul(3, a**2, b, evaluate=False))
    '3·a²·b'
    """
    return expr_text(expr, "text", written=True)


def _renamer(graph: Graph, labels: list[str], marks: Sequence[str]) -> dict[Any, Any]:
    """Symbol substitutions from graph names to labels, plain and decorated."""
    mapping = {}
    for n in graph.order:
        name, label = graph.name(n), labels[n]
        if name != label:
            mapping[sympy.Symbol(name)] = sympy.Symbol(label)
            for mark in marks:
                mapping[sympy.Symbol(decorated(name, mark))] = sympy.Symbol(decorated(label, mark))
    return mapping


def _math(expr: Any, style: str, mapping: dict[Any, Any]) -> str:
    expr = as_expr(expr)
    if mapping:
        with sympy.evaluate(False):  # keep the rule's terms in the order written
            expr = expr.xreplace(mapping)
    if style == "latex":
        return "$" + expr_text(expr, "latex", written=True) + "$"
    return pretty(expr)


def _shape_suffix(graph: Graph, n: int, style: str) -> str:
    """`` [2×3]`` after the name of a node that is not a scalar (seed 004's ``H1 [n×2]``)."""
    shape = graph.shape(n)
    if not shape:
        return ""
    return f"_{{[{shape_label(shape, 'latex')}]}}" if style == "latex" else \
        f" [{shape_label(shape)}]"


def _definition(graph: Graph, n: int, labels: list[str], style: str) -> str:
    """``w3 = w1·w2`` for a node (``w1 = x1`` for an input); ``H1 [2×2] = X @ W1`` for a
    tensor node."""
    label = labels[n]
    suffix = _shape_suffix(graph, n, style)
    if graph.kind(n) == "input":
        rhs = graph.name(n)
        if style == "latex":
            return f"${latex_name(label)}{suffix} = {latex_name(rhs)}$"
        return f"{label}{suffix} = {rhs}" if rhs != label else label + suffix
    if graph.kind(n) == "constant":
        return f"{label} = {graph.constant(n)}"
    by_label = {graph.name(k): labels[k] for k in graph.order}
    if style == "latex":
        body = formula(graph, n, "latex", {name: latex_name(shown)
                                           for name, shown in by_label.items()})
        return f"${latex_name(label)}{suffix} = {body}$"
    return f"{label}{suffix} = {formula(graph, n, 'unicode', by_label)}"


def forward_table(result: Any, style: str = "text", names: str = "auto") -> str:
    """The forward-mode Wengert table: each wᵢ, its value, ẇᵢ's rule and ẇᵢ.

    Reproduces seed 003's table for y = x1·x2 + sin(x1), differentiated by x1:

    >>> import graphdiff as gd
    >>> print(gd.forward(gd.parse("x1*x2 + sin(x1)"), wrt="x1").table())
    node          tangent                        ẇ
    w1 = x1       ẇ1 = 1                         1
    w2 = x2       ẇ2 = 0                         0
    w3 = w1·w2    ẇ3 = w2·ẇ1 + w1·ẇ2            x2
    w4 = sin(w1)  ẇ4 = cos(w1)·ẇ1          cos(x1)
    w5 = w3 + w4  ẇ5 = ẇ3 + ẇ4        x2 + cos(x1)
    """
    graph = result.graph
    labels = node_labels(graph, names)
    mapping = _renamer(graph, labels, [DOT])
    numeric = result.values is not None
    letter = _letter(names)
    header = f"$\\dot{{{letter}}}$" if style == "latex" else decorated(letter, DOT)
    headers = ["node"] + (["value"] if numeric else []) + ["tangent", header]
    rows = []
    for n in graph.order:
        row = [_definition(graph, n, labels, style)]
        if numeric:
            row.append(format_number(result.values[n]))
        dot = sympy.Symbol(decorated(labels[n], DOT))
        rule = result.rules[n]
        if rule is None:  # an input: its seed, exact (1.0 shows as 1, 0.5 as 1/2)
            seed = result.direction.get(graph.name(n), 0)
            rule = sympy.Symbol("(given)") if np.ndim(seed) else \
                sympy.Rational(repr(float(seed))) if isinstance(seed, float) else as_expr(seed)
        row.append(_equation(dot, rule, style, mapping))
        if numeric:
            row.append(format_number(result.tangents[n]))
        else:
            row.append(_math(folded(result.output_tangent(n)), style, {}))
        rows.append(row)
    if names == "survey":  # the survey's closing rows: y = v₅ (y₁, y₂, ... for several)
        closing = [o for o in graph.output_ids if labels[o] != graph.name(o)]
        for k, out in enumerate(closing, start=1):
            y = "y" if len(graph.output_ids) == 1 else f"y_{k}"
            rows.append([_equation(sympy.Symbol(y), sympy.Symbol(labels[out]), style, {}),
                         *([format_number(result.values[out])] if numeric else []), "", ""])
    align = ["l"] + (["r"] if numeric else []) + ["l", "r"]
    return format_table(headers, rows, style, align)


def _letter(names: str) -> str:
    """The letter of the value column's header: v in the survey's naming, else w."""
    return "v" if names == "survey" else "w"


def _equation(lhs: Any, rhs: Any, style: str, mapping: dict[Any, Any]) -> str:
    left = _math(lhs, style, mapping)
    right = _math(rhs, style, mapping)
    if style == "latex":
        return f"{left[:-1]} = {right[1:]}"
    return f"{left} = {right}"


def reverse_table(result: Any, style: str = "text", names: str = "auto",
                  notation: str = "bar", updates: bool = False) -> str:
    """The reverse-mode table, in the order of the backward sweep: each w̄ᵢ's rule and value.

    ``notation="D"`` writes seed 002's Dwᵢ instead of w̄ᵢ.  ``updates=True`` lists the
    adjoint updates one by one as the backward pass makes them (:attr:`ReverseResult.updates
    <graphdiff.derive.reverse.ReverseResult.updates>`), ``+=`` where an adjoint
    accumulates, with the running value: how textbooks print a reverse sweep.

    >>> import graphdiff as gd
    >>> print(gd.reverse(gd.parse("exp(x1*x2) + x2**3")).table())
    node          adjoint                                    w̄
    w6 = w5 + w4  w̄6 = 1                                     1
    w5 = exp(w3)  w̄5 = w̄6                                    1
    w4 = w2³      w̄4 = w̄6                                    1
    w3 = w1·w2    w̄3 = w5·w̄5                        exp(x1·x2)
    w2 = x2       w̄2 = w1·w̄3 + 3·w2²·w̄4  3·x2² + x1·exp(x1·x2)
    w1 = x1       w̄1 = w2·w̄3                     x2·exp(x1·x2)
    """
    if notation not in ("bar", "D"):
        raise ValueError(f"notation must be 'bar' or 'D', not {notation!r}")
    graph = result.graph
    labels = node_labels(graph, names)
    mapping = _renamer(graph, labels, [BAR])
    if notation == "D":  # Dw3 prints as D before the label's own LaTeX: Dw_{3}
        for n in graph.order:
            mapping[sympy.Symbol(decorated(graph.name(n), BAR))] = sympy.Symbol(f"D{labels[n]}")
    numeric = result.values is not None
    letter = _letter(names)
    header = decorated(letter, BAR) if notation == "bar" else f"D{letter}"
    if style == "latex":
        header = f"$\\bar{{{letter}}}$" if notation == "bar" else f"$D{letter}$"
    if updates:
        return _updates_table(result, style, mapping, numeric, header)
    headers = ["node"] + (["value"] if numeric else []) + ["adjoint", header]
    rows = []
    for n in reversed(graph.order):
        row = [_definition(graph, n, labels, style)]
        if numeric:
            row.append(format_number(result.values[n]))
        bar = sympy.Symbol(decorated(graph.name(n), BAR))
        row.append(_equation(bar, result.rules[n], style, mapping))
        if numeric:
            row.append(format_number(result.adjoints[n]))
        else:
            row.append(_math(folded(result.adjoint(n)), style, {}))
        rows.append(row)
    align = ["l"] + (["r"] if numeric else []) + ["l", "r"]
    return format_table(headers, rows, style, align)


def _updates_table(result: Any, style: str, mapping: dict[Any, Any], numeric: bool,
                   header: str) -> str:
    """One row per adjoint update of the backward sweep (see :func:`reverse_table`)."""
    graph = result.graph
    rows = []
    for step in result.updates:
        bar = sympy.Symbol(decorated(step.target, BAR))
        if step.source is None:
            rule = _equation(bar, step.contribution, style, mapping)
        else:
            source = sympy.Symbol(decorated(step.source, BAR))
            term = sympy.Mul(source, step.partial, evaluate=False) if step.partial != 1 \
                else source
            rule = _equation(bar, term, style, mapping)
            if not step.first:
                rule = rule.replace(" = ", " += ", 1)
        shown = format_number(step.running) if numeric else _math(step.running, style, mapping)
        rows.append([rule, *([format_number(step.contribution)] if numeric else []), shown])
    del graph
    headers = ["update", *(["contribution"] if numeric else []), header]
    align = ["l", *(["r"] if numeric else []), "r"]
    return format_table(headers, rows, style, align)


def paths_table(result: Any, style: str = "text", names: str = "auto") -> str:
    """Every path with its edge factors, their product and (at a point) its value.

    ``names`` is the label policy of :func:`graphdiff.printing.node_labels`, the same as
    the forward and reverse tables' (so one run's tables name each node alike).

    >>> import graphdiff as gd
    >>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    >>> print(gd.paths(g, "x").table())
    path           factors            product
    x → a → d → f  2·x · 1 · 1            2·x
    x → b → d → f  y · 1 · 1                y
    x → c → e → f  1 · 2·c · 1            2·c
    sum                         2·x + y + 2·c
    """
    graph = result.graph
    labels = node_labels(graph, names)
    mapping = _renamer(graph, labels, [])
    numeric = result.at is not None
    headers = ["path", "factors", "product"] + (["value"] if numeric else [])
    arrow = " \\to " if style == "latex" else " → "
    rows = []
    for path in result.paths:
        if style == "latex":
            shown = "$" + arrow.join(latex_name(labels[n]) for n in path.nodes) + "$"
            factors = "$" + " \\cdot ".join(_math(f, style, mapping)[1:-1]
                                            for f in path.factors) + "$"
        else:
            shown = arrow.join(labels[n] for n in path.nodes)
            factors = " · ".join(_math(f, style, mapping) for f in path.factors)
        product = _math(path.product, style, mapping)
        row = [shown, factors, product]
        if numeric:
            row.append(format_number(path.value))
        rows.append(row)
    written = sympy.Add(*(p.product for p in result.paths), evaluate=False)
    total = _math(written, style, mapping)
    last = ["sum", "", total] + ([format_number(result.derivative)] if numeric else [])
    rows.append(last)
    align = ["l", "l", "r"] + (["r"] if numeric else [])
    return format_table(headers, rows, style, align)


#: The worked table of each sweep's result: its ``table()`` (installed by graphdiff.display).
WORKED_TABLES: Mapping[type, Callable[..., str]] = {
    ForwardResult: forward_table,
    ReverseResult: reverse_table,
    PathsResult: paths_table,
}
