"""The full drawing: every node with its operation, every edge with its derivative,
values, tangents, adjoints, highlighted paths and the legend, as the plan says.

>>> import graphdiff as gd
>>> from graphdiff.drawing.plan import make_plan
>>> g = gd.parse("x*y")
>>> dot = detailed(make_plan(g, ["x", "y", "p"], show=frozenset({"derivatives"})),
...                engine="dot", rankdir="LR", fontname="Arial", fontsize=20.0, title=None)
>>> [line.split(" [")[0].strip() for line in dot.body]
['n0', 'n1', 'n2', 'n0 -> n2', 'n1 -> n2']
"""

from __future__ import annotations

import graphviz

from . import look
from .canvas import describe, new_digraph, path_colors
from .labels import edge_label, legend, node_label
from .plan import Plan


def _add_nodes(dot: graphviz.Digraph, plan: Plan, path_nodes: dict[int, list[int]],
               fontsize: float) -> None:
    graph = plan.graph
    outputs = set(graph.output_ids)
    for n in graph.order:
        attrs = dict(look.NODE_STYLES[plan.roles[n]])
        if n in outputs:
            attrs["peripheries"] = "2"
        if n in plan.highlight_nodes:
            attrs.update(color=look.HIGHLIGHT, penwidth="3.5")
        elif plan.paths and n in path_nodes:
            attrs.update(penwidth="2.6")
        elif plan.paths:
            attrs.update(color=look.DIMMED)
        tooltip = f"{graph.name(n)} = {graph.formula(n)}" if graph.kind(n) == "op" else \
            graph.name(n)
        dot.node(f"n{n}", label=node_label(plan, n, fontsize), tooltip=tooltip, **attrs)


def _add_edges(dot: graphviz.Digraph, plan: Plan,
               path_edges: dict[tuple[int, int], list[int]]) -> None:
    graph = plan.graph
    palette, styles = look.PALETTE, look.PATH_STYLES
    for u, v in graph.nx.edges():
        attrs: dict[str, str] = {}
        on = path_edges.get((u, v))
        dimmed = bool(plan.paths) and on is None
        if on:
            dashes = {styles[(k // len(palette)) % len(styles)] for k in on}
            attrs.update(color=":".join(palette[k % len(palette)] for k in on), penwidth="3",
                         style=min(dashes, key=styles.index))
        elif dimmed:
            attrs.update(color=look.DIMMED)
        if (u, v) in plan.highlight_edges:
            attrs.update(color=look.HIGHLIGHT, penwidth="3.5")
        label = edge_label(plan, u, v, dimmed)
        if label is not None:
            attrs["label"] = label
        derivative = graph.edge_derivative(u, v)  # None into a tensor op (its VJP)
        attrs["tooltip"] = f"∂{graph.name(v)}/∂{graph.name(u)}" + (
            "" if derivative is None else f" = {derivative}")
        dot.edge(f"n{u}", f"n{v}", **attrs)


def detailed(plan: Plan, *, engine: str, rankdir: str, fontname: str, fontsize: float,
             title: str | None) -> graphviz.Digraph:
    """The full drawing of a plan: its nodes, edges and legend as the plan says.

    >>> import graphdiff as gd
    >>> from graphdiff.drawing.plan import make_plan
    >>> g = gd.parse("sin(x)")
    >>> plan = make_plan(g, ["x", "s"], show=frozenset({"derivatives"}))
    >>> detailed(plan, engine="dot", rankdir="TB", fontname="Arial", fontsize=20.0,
    ...          title=None).graph_attr["rankdir"]
    'TB'
    """
    alt = describe(plan.graph, "computation graph")
    dot = new_digraph(engine, rankdir, fontname, plan.graph.source,
                      f"{title}: {alt}" if title else alt)
    dot.graph_attr.update(
        bgcolor="white", pad="0.3", nodesep="0.35", ranksep="0.75",
        fontname=fontname, fontsize=f"{fontsize:g}", outputorder="edgesfirst",
    )
    dot.node_attr.update(fontsize=f"{fontsize:g}", fontcolor=look.TEXT, penwidth="1.6",
                         margin="0.14,0.07")
    dot.edge_attr.update(fontsize=f"{round(fontsize * 0.8, 1):g}", color=look.EDGE,
                         penwidth="1.4", arrowsize="0.8")
    caption = legend(plan, title, fontsize)
    if caption is not None:
        dot.graph_attr.update(label=caption, labelloc="b", labeljust="l")
    path_edges, path_nodes = path_colors(plan)
    _add_nodes(dot, plan, path_nodes, fontsize)
    _add_edges(dot, plan, path_edges)
    return dot
