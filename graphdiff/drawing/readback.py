"""Reading a drawing back as text: the labels of nodes, edges and the legend.

For tests, doctests and tools that check what a drawing says without drawing it.
"""

from __future__ import annotations

import html
import re

import graphviz

from ..notation import pretty_name
from .plan import Node


def _label_text(label: str | None) -> str:
    """A whole label attribute as plain text (HTML-like labels are ``<...>``)."""
    label = label or ""
    return _strip_tags(label[1:-1] if label.startswith("<") else label)


def _strip_tags(label: str) -> str:
    text = re.sub(r"<BR/>", "\n", label)
    text = re.sub(r"</TD>", "  ", text)
    text = re.sub(r"</TR>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text)


def _attr(line: str, name: str) -> str | None:
    """The value of one attribute in one line of DOT as the graphviz package writes it."""
    match = re.search(rf"\b{name}=(<.*>|\"(?:[^\"\\]|\\.)*\"|[^\s\]]+)(?=[\s\]])", line)
    if match is None:
        return None
    value = match.group(1)
    return value[1:-1] if value.startswith('"') else value


def _node_lines(drawing: graphviz.Digraph) -> dict[str, str]:
    """DOT id -> the node's line, for the drawing's graph nodes (``n0``, ``n1``, ...)."""
    lines = {}
    for line in drawing.body:
        match = re.match(r"\s*(n\d+) \[", line)
        if match:
            lines[match.group(1)] = line
    return lines


def _node_key(drawing: graphviz.Digraph, node: Node) -> str:
    """The DOT id of a node given by id, graph name or name as drawn."""
    if isinstance(node, int):
        return f"n{node}"
    by_drawn, by_name = {}, {}
    for key, line in _node_lines(drawing).items():
        by_drawn.setdefault(_label_text(_attr(line, "label")).split("\n")[0].split(" ")[0], key)
        tooltip = _attr(line, "tooltip")
        if tooltip:
            by_name.setdefault(tooltip.split(" ")[0], key)
    for table, wanted in ((by_name, node), (by_drawn, node), (by_drawn, pretty_name(node))):
        if wanted in table:
            return table[wanted]
    raise KeyError(node)


def node_label_text(drawing: graphviz.Digraph, node: Node) -> str:
    """The text of a node's label in a drawing, without markup (``"e = c² = 9"``).

    ``node`` is a node id, the graph's name of the node, or its name as drawn.

    >>> import graphdiff as gd
    >>> from graphdiff.render import render
    >>> drawing = render(gd.parse("x*y + sin(x)"), at={"x": 0, "y": 2})
    >>> node_label_text(drawing, "w5"), node_label_text(drawing, "w₅")
    ('w₅ = w₃ + w₄ = 0', 'w₅ = w₃ + w₄ = 0')
    >>> node_label_text(drawing, 1)
    'w₂ = y = 2'
    """
    line = _node_lines(drawing).get(_node_key(drawing, node))
    if line is None:
        raise KeyError(node)
    return _label_text(_attr(line, "label"))


def edge_line(drawing: graphviz.Digraph, u: Node, v: Node) -> str:
    """The DOT line of the edge ``u -> v`` (nodes as in :func:`node_label_text`).

    >>> import graphdiff as gd
    >>> from graphdiff.render import render
    >>> line = edge_line(render(gd.parse("x*y + sin(x)")), "x", "w3")
    >>> line.split(" [")[0].strip(), 'tooltip="∂w3/∂x = y"' in line
    ('n0 -> n2', True)
    """
    wanted = f"{_node_key(drawing, u)} -> {_node_key(drawing, v)}"
    for line in drawing.body:
        if line.strip().startswith(wanted + " ") or line.strip() == wanted:
            return line
    raise KeyError((u, v))


def edge_label_text(drawing: graphviz.Digraph, u: Node, v: Node) -> str:
    """The text of the label on the edge ``u -> v``, without markup (``"2c = 6"``).

    >>> import graphdiff as gd
    >>> from graphdiff.render import render
    >>> g = gd.parse("x*y + sin(x)")
    >>> at = {"x": 0, "y": 2}
    >>> edge_label_text(render(g), "x", "w4"), edge_label_text(render(g, at=at), "x", "w4")
    ('cos(w₁)', 'cos(w₁) = 1')
    """
    return _label_text(_attr(edge_line(drawing, u, v), "label")).strip()


def legend_rows(drawing: graphviz.Digraph) -> list[str]:
    """The legend's rows as text: ``'x → a → d → f: 2x · 1 · 1 = 2x'``, then the sum.

    >>> import graphdiff as gd
    >>> from graphdiff.render import render
    >>> g = gd.parse("x*y + sin(x)")
    >>> for row in legend_rows(render(g, paths="x")):
    ...     print(row)
    w₁ → w₃ → w₅: w₂ · 1 = w₂
    w₁ → w₄ → w₅: cos(w₁) · 1 = cos(w₁)
    ∂w₅/∂w₁ = w₂ + cos(w₁) = y + cos(x)
    >>> legend_rows(render(g)), legend_rows(render(g, title="no paths"))
    ([], ['no paths'])
    """
    label = drawing.graph_attr.get("label", "")
    rows = []
    for row in re.findall(r"<TR>(.*?)</TR>", label):
        cells = [_strip_tags(c).strip() for c in re.findall(r"<TD[^>]*>(.*?)</TD>", row)]
        cells = [c for c in cells if c and not set(c) <= set("━╍┅")]
        if len(cells) >= 2 and "→" in cells[0]:
            text = f"{cells[0]}: {cells[1]}" + (f" {cells[2]}" if len(cells) > 2 else "")
        else:
            text = " ".join(cells)
        rows.append(text)
    return rows
