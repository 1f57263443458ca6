"""The labels of a drawing, as Graphviz's HTML-like labels: nodes, edges, the legend.

Every label is math in one line of Unicode (:mod:`graphdiff.printing`'s unicode style),
in the names the plan shows: ``e = c² = 9``, ``2c = 6``, ``ẇ₃ = x₂·ẋ₁ + x₁·ẋ₂ = 2``.

>>> import graphdiff as gd
>>> from graphdiff.drawing.plan import make_plan
>>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
>>> plan = make_plan(g, [g.name(n) for n in g.order], show=frozenset({"derivatives"}))
>>> node_label(plan, g.id("e"), 20.0), edge_label(plan, g.id("c"), g.id("e"), False)
('<<B>e</B> = c²>', '<<FONT COLOR="#1A1A1A">2c</FONT>>')
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import sympy

from ..notation import BAR, DOT, decorated, pretty_name, shape_label
from ..printing import formula, math_text, number_text
from . import look
from .plan import Plan

if TYPE_CHECKING:
    from ..derive.paths import Path, PathsResult


def escape(text: str) -> str:
    """Text safe inside an HTML-like label.

    >>> escape("a < b & c")
    'a &lt; b &amp; c'
    """
    return html.escape(text, quote=False)


def font(text: str, color: str | None = None, size: float | None = None) -> str:
    """``text`` in a colour and a point size (nothing for empty text: Graphviz refuses
    an empty ``<FONT></FONT>``).

    >>> font("2c", "#555555"), font("")
    ('<FONT COLOR="#555555">2c</FONT>', '')
    """
    if not text:
        return ""
    attrs = ""
    if color:
        attrs += f' COLOR="{color}"'
    if size:
        attrs += f' POINT-SIZE="{size:g}"'
    return f"<FONT{attrs}>{text}</FONT>" if attrs else text


def _quantity(plan: Plan, value: Any) -> str:
    """A tangent or adjoint: a number at a point, else an expression in node symbols."""
    if isinstance(value, sympy.Basic):
        return math_text(value, plan.names)
    if type(value) is int:
        return str(value)
    return number_text(value, "unicode", plan.digits)


def _sweep_lines(plan: Plan, n: int, size: float) -> list[str]:
    """``ẇ₃ = x₂·ẋ₁ + x₁·ẋ₂ = 2`` and ``w̄₃ = ...``: the node's tangent and adjoint."""
    lines = []
    for values, rules, mark, color in (
        (plan.tangents, plan.tangent_rules, DOT, look.TANGENT),
        (plan.adjoints, plan.adjoint_rules, BAR, look.ADJOINT),
    ):
        if values is None:
            continue
        parts = [pretty_name(decorated(plan.labels[n], mark))]
        rule = rules[n] if rules is not None else None
        if rule is not None:
            parts.append(math_text(rule, plan.names, written=True))
        shown = _quantity(plan, values[n])
        if parts[-1] != shown:
            parts.append(shown)
        lines.append(font(escape(" = ".join(parts)), color, size))
    return lines


def node_label(plan: Plan, n: int, size: float) -> str:
    """A node's label: its name and operation (``e = c²``), then as the plan asks its
    value, tangent, adjoint and note, one per line.

    >>> import graphdiff as gd
    >>> from graphdiff.drawing.plan import make_plan
    >>> g = gd.parse("x*y")
    >>> plan = make_plan(g, ["w1", "w2", "w3"], show=frozenset(), values=g.values(x=2, y=3))
    >>> node_label(plan, 0, 20.0)
    '<<B>w₁</B> = x>'
    """
    graph = plan.graph
    label = pretty_name(plan.labels[n])
    kind = graph.kind(n)
    first = f"<B>{escape(label)}</B>"
    if kind == "op" or kind == "constant":
        first += " = " + escape(formula(graph, n, "unicode", plan.names))
    elif label != pretty_name(graph.name(n)):  # w1 = x1
        first += " = " + escape(pretty_name(graph.name(n)))
    if plan.values is not None and "values" in plan.show:
        value = number_text(plan.values[n], "unicode", plan.digits)
        first += font(" = " + escape(value), look.VALUE)
    small = size * 0.9
    lines = [first]
    if graph.shape(n):  # seed 004's scheme: the shape under the name, H₁ over [2×2]
        lines.append(font(escape(f"[{shape_label(graph.shape(n))}]"), look.SHAPE, small))
    lines += _sweep_lines(plan, n, small)
    if n in plan.notes:
        lines.append(font(escape(plan.notes[n]), look.NOTE, small))
    return "<" + "<BR/>".join(lines) + ">"


def edge_label(plan: Plan, u: int, v: int, dimmed: bool) -> str | None:
    """An edge's label: its local derivative (``2c``) and, at a point, its value; None
    when the plan shows neither.  An edge of matrices is labelled with its VJP, what the
    adjoint of its target sends back (``Z̄·Wᵀ``, ``Ō ⊙ [H > 0]``: :meth:`Graph.edge_vjp`).

    >>> import graphdiff as gd
    >>> from graphdiff.drawing.plan import make_plan
    >>> g = gd.parse("x*y")
    >>> plan = make_plan(g, ["x", "y", "p"], show=frozenset({"numeric"}), values=g.values(x=2, y=3))
    >>> edge_label(plan, 0, 2, dimmed=False)
    '<<FONT COLOR="#555555">3</FONT>>'
    >>> layer = gd.parse("X: 4x2\\nW: 2x3\\nZ = X @ W")
    >>> plan = make_plan(layer, ["X", "W", "Z"], show=frozenset({"derivatives"}))
    >>> edge_label(plan, 0, 2, dimmed=False)
    '<<FONT COLOR="#1A1A1A">Z̄·Wᵀ</FONT>>'
    """
    graph = plan.graph
    symbolic = "derivatives" in plan.show or "symbolic" in plan.show
    numeric = plan.values is not None and ("derivatives" in plan.show or "numeric" in plan.show)
    if not (symbolic or numeric):
        return None
    parts = []
    if graph.is_tensor_edge(u, v):  # a matrix derivative: its VJP, as the sheet writes it
        if not symbolic:
            return None
        vjp = graph.edge_vjp(u, v, "unicode", cotangent=decorated(plan.labels[v], BAR),
                             names=plan.names)
        return "<" + font(escape(vjp), look.DIMMED_TEXT if dimmed else look.TEXT) + ">"
    derivative = graph.edge_derivative(u, v)
    if symbolic:
        parts.append(font(escape(math_text(derivative, plan.names)),
                          look.DIMMED_TEXT if dimmed else look.TEXT))
    if numeric and not (symbolic and derivative.is_Number):
        value = number_text(graph.edge_derivative_value(u, v, plan.values), "unicode",
                            plan.digits)
        parts.append(font(escape(("= " if symbolic else "") + value),
                          look.DIMMED_TEXT if dimmed else look.VALUE))
    return "<" + " ".join(parts) + ">"


def _path_row(plan: Plan, path: Path, k: int) -> str:
    """One path of the legend: its stroke, nodes, factors = product, and value."""
    color = look.PALETTE[k % len(look.PALETTE)]
    dash = look.PATH_STYLES[(k // len(look.PALETTE)) % len(look.PATH_STYLES)]
    stroke = {"solid": "━━━", "dashed": "╍╍╍", "dotted": "┅┅┅"}[dash]
    nodes = " → ".join(pretty_name(plan.labels[n]) for n in path.nodes)
    factors = " · ".join(math_text(f, plan.names) for f in path.factors)
    product = math_text(path.product, plan.names)
    value = "" if path.value is None else " = " + number_text(path.value, "unicode",
                                                               plan.digits)
    return (f'<TR><TD ALIGN="LEFT">{font(stroke, color)}</TD>'
            f'<TD ALIGN="LEFT">{escape(nodes)}</TD>'
            f'<TD ALIGN="LEFT">{font(escape(factors + " = " + product), look.VALUE)}</TD>'
            f'<TD ALIGN="LEFT">{font(escape(value), look.VALUE)}</TD></TR>')


def _sum_row(plan: Plan, result: PathsResult) -> str:
    """∂f/∂x = the products as written = the derivative in the inputs (= its value)."""
    graph = plan.graph
    source, target = graph.id(result.source), graph.id(result.target)
    written = math_text(sympy.Add(*(p.product for p in result.paths), evaluate=False),
                        plan.names, written=True)
    in_inputs = math_text(result.symbolic_derivative)
    total = (f"∂{pretty_name(plan.labels[target])}/∂{pretty_name(plan.labels[source])}"
             f" = {written}" + (f" = {in_inputs}" if in_inputs != written else ""))
    value = "" if result.at is None else \
        " = " + number_text(result.derivative, "unicode", plan.digits)
    value_cell = f"<B>{escape(value)}</B>" if value else ""
    return (f'<TR><TD></TD><TD COLSPAN="2" ALIGN="LEFT"><B>{escape(total)}</B></TD>'
            f'<TD ALIGN="LEFT">{value_cell}</TD></TR>')


def legend(plan: Plan, title: str | None, size: float) -> str | None:
    """The legend under a drawing: the title, then each highlighted path with its
    product and their sum; None when there is neither.

    >>> import graphdiff as gd
    >>> from graphdiff.drawing.plan import make_plan
    >>> g = gd.parse("x*y")
    >>> legend(make_plan(g, ["x", "y", "p"], show=frozenset()), "x times y", 20.0)[:40]
    '<<FONT POINT-SIZE="17"><TABLE BORDER="0"'
    """
    rows: list[str] = []
    if title:
        rows.append(f'<TR><TD COLSPAN="4" ALIGN="LEFT"><B>{escape(title)}</B></TD></TR>')
    k = 0
    for result in plan.path_results:
        for path in result.paths:
            rows.append(_path_row(plan, path, k))
            k += 1
        rows.append(_sum_row(plan, result))
    if not rows:
        return None
    return (f'<<FONT POINT-SIZE="{size * 0.85:g}"><TABLE BORDER="0" CELLBORDER="0" '
            f'CELLSPACING="0" CELLPADDING="3">' + "".join(rows) + "</TABLE></FONT>>")
