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

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .graph import Graph

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
    widths = [max(len(h), *(len(r[k]) for r in rows)) if rows else len(h)
              for k, h in enumerate(headers)]

    def fmt(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) if a == "r" else c.ljust(w)
                 for c, w, a in zip(cells, widths, align, strict=True)]
        return "  ".join(parts).rstrip()

    return "\n".join([fmt(headers), *(fmt(r) for r in rows)])


def node_table(graph: Graph, at: Mapping[str, Any] | None = None, style: str = "text") -> str:
    """One row per node: name, kind, its operation and (with ``at``) its value.

    In ``latex`` and ``markdown`` styles operations print as math (``c^{2}``).
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
    x -> b  a + x
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
