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

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .graph import Graph
from .ops import as_expr

STYLES = ("text", "markdown", "latex")


def format_number(value: Any, digits: int = 6) -> str:
    """A number as a teacher writes it: ``12``, ``0.25``, ``1.41421``; arrays in brackets.

    >>> format_number(12.0), format_number(2 ** 0.5), format_number(-1e-12)
    ('12', '1.41421', '-1e-12')
    """
    if value is None:
        return ""
    if np.ndim(value) > 0:
        flat = np.asarray(value).ravel()
        shown = ", ".join(format_number(v, digits) for v in flat[:6])
        return f"[{shown}{', ...' if flat.size > 6 else ''}]"
    value = float(value)
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    return text


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], style: str = "text",
                 align: Sequence[str] | None = None) -> str:
    """Lay out a table of strings: aligned text columns, a Markdown table or LaTeX tabular.

    ``align`` holds ``"l"`` or ``"r"`` per column (numbers read best right-aligned).

    >>> print(format_table(["a", "b"], [["1", "22"]], "markdown"))
    | a | b |
    |---|---|
    | 1 | 22 |
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")
    align = list(align or ["l"] * len(headers))
    if style == "markdown":
        line = "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"
        return "\n".join(
            ["| " + " | ".join(headers) + " |", line]
            + ["| " + " | ".join(row) + " |" for row in rows]
        )
    if style == "latex":
        body = [" & ".join(headers) + r" \\ \hline"] + [" & ".join(r) + r" \\" for r in rows]
        return "\n".join([r"\begin{tabular}{" + "".join(align) + "}", *body, r"\end{tabular}"])
    widths = [max(_width(h), *(_width(r[k]) for r in rows)) if rows else _width(h)
              for k, h in enumerate(headers)]

    def fmt(cells: Sequence[str]) -> str:
        parts = []
        for cell, width, side in zip(cells, widths, align, strict=True):
            pad = " " * (width - _width(cell))
            parts.append(pad + cell if side == "r" else cell + pad)
        return "  ".join(parts).rstrip()

    return "\n".join([fmt(headers), *(fmt(r) for r in rows)])


def _width(text: str) -> int:
    """Columns a string takes in a terminal: combining marks (the bar of w̄) take none."""
    return sum(1 for ch in text if not unicodedata.combining(ch))


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
        formula = graph.formula(n, formula_style)
        if style == "latex":
            name, formula = f"${name}$", f"${formula}$"
        row = [name, graph.kind(n), formula]
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
    """
    import sympy

    values = graph.values(at) if at is not None else None
    headers = ["edge", "derivative"] + (["value"] if values is not None else [])
    rows = []
    for u, v in graph.nx.edges():
        derivative = graph.edge_derivative(u, v)
        if style == "latex":
            edge = f"${graph.format_arg(u, 'latex')} \\to {graph.format_arg(v, 'latex')}$"
            shown = f"${sympy.latex(derivative)}$"
        else:
            edge = f"{graph.name(u)} -> {graph.name(v)}"
            shown = str(derivative)
        row = [edge, shown]
        if values is not None:
            row.append(format_number(graph.edge_derivative_value(u, v, values)))
        rows.append(row)
    align = ["l", "l", "r"][: len(headers)]
    return format_table(headers, rows, style, align)


# --- worked traces of the derivative engines --------------------------------------------

_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def pretty(expr: Any) -> str:
    """An expression as a teacher writes it in plain text: ``2·c``, ``x2²``, order kept.

    >>> import sympy
    >>> a, b = sympy.symbols("a b")
    >>> pretty(sympy.Mul(3, a**2, b, evaluate=False))
    '3·a²·b'
    """
    import re

    import sympy

    text = sympy.sstr(expr, order="none")
    text = re.sub(r"\*\*(-?\d+)", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    return text.replace("*", "·")


def _labels(graph: Graph, names: str) -> list[str]:
    """Row labels: the graph's names, or w1, w2, ... for every node (seed 003 style)."""
    if names == "auto":
        generated = [graph.name(n) for n in graph.order if graph.kind(n) == "op"]
        names = "w" if generated and all(
            name == f"w{graph.nx.nodes[n]['index']}"
            for n, name in zip((n for n in graph.order if graph.kind(n) == "op"), generated,
                               strict=True)
        ) else "graph"
    if names == "w":
        return [f"w{graph.nx.nodes[n]['index']}" for n in graph.order]
    if names == "graph":
        return [graph.name(n) for n in graph.order]
    raise ValueError(f"names must be 'auto', 'w' or 'graph', not {names!r}")


def _renamer(graph: Graph, labels: list[str], marks: Sequence[str]) -> dict[Any, Any]:
    """Symbol substitutions from graph names to labels, plain and decorated."""
    import sympy

    from .derive._sweep import decorated

    mapping = {}
    for n in graph.order:
        name, label = graph.name(n), labels[n]
        if name != label:
            mapping[sympy.Symbol(name)] = sympy.Symbol(label)
            for mark in marks:
                mapping[sympy.Symbol(decorated(name, mark))] = sympy.Symbol(decorated(label, mark))
    return mapping


def _math(expr: Any, style: str, mapping: dict[Any, Any], latex_names: dict[Any, str]) -> str:
    import sympy

    expr = as_expr(expr)
    if mapping:
        with sympy.evaluate(False):  # keep the rule's terms in the order written
            expr = expr.xreplace(mapping)
    if style == "latex":
        return "$" + sympy.latex(expr, order="none", symbol_names=latex_names) + "$"
    return pretty(expr)


def _latex_names(labels: list[str], marks: dict[str, str]) -> dict[Any, str]:
    """LaTeX for every label and decorated label: w3 -> w_{3}, ẇ3 -> \\dot{w}_{3}."""
    import sympy

    from .derive._sweep import decorated

    names = {}
    for label in labels:
        plain_latex = sympy.latex(sympy.Symbol(label))
        names[sympy.Symbol(label)] = plain_latex
        head, sep, tail = plain_latex.partition("_")
        for mark, command in marks.items():
            names[sympy.Symbol(decorated(label, mark))] = f"{command}{{{head}}}{sep}{tail}"
    return names


def _definition(graph: Graph, n: int, labels: list[str], style: str,
                mapping: dict[Any, Any], latex_names: dict[Any, str]) -> str:
    """``w3 = w1·w2`` for a node (``w1 = x1`` for an input)."""
    import sympy

    label = labels[n]
    if graph.kind(n) == "input":
        rhs = graph.name(n)
        if style == "latex":
            lhs = latex_names[sympy.Symbol(label)]
            return f"${lhs} = {sympy.latex(sympy.Symbol(rhs))}$"
        return f"{label} = {rhs}" if rhs != label else label
    if graph.kind(n) == "constant":
        return f"{label} = {graph.nx.nodes[n]['value']}"
    op = graph.op(n)
    assert op is not None
    args = [
        (latex_names[sympy.Symbol(labels[a])] if style == "latex" else labels[a])
        if type(a) is int else graph.format_arg(a, "latex" if style == "latex" else "unicode")
        for a in graph.args(n)
    ]
    body = op.format(args, "latex" if style == "latex" else "unicode")
    if style == "latex":
        return f"${latex_names[sympy.Symbol(label)]} = {body}$"
    return f"{label} = {body}"


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
    import sympy

    from .derive._sweep import DOT, decorated, to_inputs

    graph = result.graph
    labels = _labels(graph, names)
    mapping = _renamer(graph, labels, [DOT])
    latex_names = _latex_names(labels, {DOT: "\\dot"})
    numeric = result.values is not None
    header = "$\\dot{w}$" if style == "latex" else "ẇ"
    headers = ["node"] + (["value"] if numeric else []) + ["tangent", header]
    rows = []
    for n in graph.order:
        row = [_definition(graph, n, labels, style, mapping, latex_names)]
        if numeric:
            row.append(format_number(result.values[n]))
        dot = sympy.Symbol(decorated(labels[n], DOT))
        rule = result.rules[n]
        if rule is None:  # an input: its seed, exact (1.0 shows as 1, 0.5 as 1/2)
            seed = result.direction.get(graph.name(n), 0)
            rule = sympy.Rational(repr(float(seed))) if isinstance(seed, float) else \
                as_expr(seed)
        row.append(_equation(dot, rule, style, mapping, latex_names))
        tangent = result.tangents[n]
        if numeric:
            row.append(format_number(tangent))
        else:
            row.append(_math(to_inputs(graph, as_expr(tangent)), style, {}, latex_names))
        rows.append(row)
    align = ["l"] + (["r"] if numeric else []) + ["l", "r"]
    return format_table(headers, rows, style, align)


def _equation(lhs: Any, rhs: Any, style: str, mapping: dict[Any, Any],
              latex_names: dict[Any, str]) -> str:
    left = _math(lhs, style, mapping, latex_names)
    right = _math(rhs, style, mapping, latex_names)
    if style == "latex":
        return f"{left[:-1]} = {right[1:]}"
    return f"{left} = {right}"


def reverse_table(result: Any, style: str = "text", names: str = "auto",
                  notation: str = "bar") -> str:
    """The reverse-mode table, in the order of the backward sweep: each w̄ᵢ's rule and value.

    ``notation="D"`` writes seed 002's Dwᵢ instead of w̄ᵢ.

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
    import sympy

    from .derive._sweep import BAR, decorated, to_inputs

    if notation not in ("bar", "D"):
        raise ValueError(f"notation must be 'bar' or 'D', not {notation!r}")
    graph = result.graph
    labels = _labels(graph, names)
    mapping = _renamer(graph, labels, [BAR])
    latex_names = _latex_names(labels, {BAR: "\\bar"})
    if notation == "D":
        for n in graph.order:
            mapping[sympy.Symbol(decorated(graph.name(n), BAR))] = sympy.Symbol(f"D{labels[n]}")
            latex_names[sympy.Symbol(f"D{labels[n]}")] = "D" + latex_names[sympy.Symbol(labels[n])]
    numeric = result.values is not None
    header = "w̄" if notation == "bar" else "Dw"
    if style == "latex":
        header = "$\\bar{w}$" if notation == "bar" else "$Dw$"
    headers = ["node"] + (["value"] if numeric else []) + ["adjoint", header]
    rows = []
    for n in reversed(graph.order):
        row = [_definition(graph, n, labels, style, mapping, latex_names)]
        if numeric:
            row.append(format_number(result.values[n]))
        bar = sympy.Symbol(decorated(graph.name(n), BAR))
        row.append(_equation(bar, result.rules[n], style, mapping, latex_names))
        adjoint = result.adjoints[n]
        if numeric:
            row.append(format_number(adjoint))
        else:
            row.append(_math(to_inputs(graph, as_expr(adjoint)), style, {}, latex_names))
        rows.append(row)
    align = ["l"] + (["r"] if numeric else []) + ["l", "r"]
    return format_table(headers, rows, style, align)


def paths_table(result: Any, style: str = "text") -> str:
    """Every path with its edge factors, their product and (at a point) its value.

    >>> import graphdiff as gd
    >>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    >>> print(gd.paths(g, "x").table())
    path           factors            product
    x → a → d → f  2·x · 1 · 1            2·x
    x → b → d → f  y · 1 · 1                y
    x → c → e → f  1 · 2·c · 1            2·c
    sum                         2·x + y + 2·c
    """
    import sympy

    graph = result.graph
    numeric = result.at is not None
    headers = ["path", "factors", "product"] + (["value"] if numeric else [])
    arrow = " \\to " if style == "latex" else " → "
    rows = []
    for path in result.paths:
        if style == "latex":
            names = "$" + arrow.join(graph.format_arg(n, "latex") for n in path.nodes) + "$"
            factors = "$" + " \\cdot ".join(sympy.latex(f) for f in path.factors) + "$"
            product = f"${sympy.latex(path.product)}$"
        else:
            names = arrow.join(path.names)
            factors = " · ".join(pretty(f) for f in path.factors)
            product = pretty(path.product)
        row = [names, factors, product]
        if numeric:
            row.append(format_number(path.value))
        rows.append(row)
    written = sympy.Add(*(p.product for p in result.paths), evaluate=False)
    total = f"${sympy.latex(written, order='none')}$" if style == "latex" else pretty(written)
    last = ["sum", "", total] + ([format_number(result.derivative)] if numeric else [])
    rows.append(last)
    align = ["l", "l", "r"] + (["r"] if numeric else [])
    return format_table(headers, rows, style, align)
