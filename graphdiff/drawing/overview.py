"""The overview of a large graph: names only, no edge labels, short edges.

>>> import graphdiff as gd
>>> from graphdiff.drawing.plan import make_plan
>>> g = gd.parse(" + ".join(f"x{i}" for i in range(5)))
>>> dot = overview(make_plan(g, [g.name(n) for n in g.order], show=frozenset()),
...                engine="dot", rankdir="LR", fontname="Arial", title=None)
>>> sum(1 for line in dot.body if "style=dashed" in line)  # long edges cut into stubs
2
"""

from __future__ import annotations

import graphviz

from ..notation import pretty_name
from . import look
from .canvas import describe, new_digraph, path_colors
from .plan import Plan

#: In the overview, edges spanning more levels than this become dashed references.
MAX_SPAN = 3


def overview(plan: Plan, *, engine: str, rankdir: str, fontname: str,
             title: str | None) -> graphviz.Digraph:
    """The compact drawing of a plan: names only, long edges cut into dashed stubs.

    >>> import graphdiff as gd
    >>> from graphdiff.drawing.plan import make_plan
    >>> g = gd.parse("sin(x)")
    >>> dot = overview(make_plan(g, ["x", "s"], show=frozenset()), engine="sfdp",
    ...                rankdir="LR", fontname="Arial", title="a sine")
    >>> dot.engine, dot.graph_attr["label"]
    ('sfdp', 'a sine')
    """
    graph = plan.graph
    alt = describe(graph, "overview of the computation graph")
    dot = new_digraph(engine, rankdir, fontname, graph.source, f"{title}: {alt}" if title else alt)
    dot.graph_attr.update(bgcolor="white", pad="0.2", nodesep="0.1", ranksep="0.25",
                          outputorder="edgesfirst", splines="false" if engine == "dot"
                          else "line")
    if engine != "dot":
        dot.graph_attr.update(overlap="prism", quadtree="fast")
    if title:
        dot.graph_attr.update(label=title, labelloc="t", fontsize="14")
    dot.node_attr.update(fontsize="10", height="0.2", width="0.3", margin="0.04,0.02",
                         penwidth="1")
    dot.edge_attr.update(arrowsize="0.4", color=look.EDGE, penwidth="0.6")
    path_edges, _ = path_colors(plan)
    levels = [graph.level(n) for n in graph.order]
    # Inputs keep their own names (x, not w1 = x): there is room for one name only.
    shown = [pretty_name(graph.name(n) if graph.kind(n) == "input" else plan.labels[n])
             for n in graph.order]
    for n in graph.order:
        attrs = dict(look.NODE_STYLES[plan.roles[n]])
        if attrs.get("shape") == "ellipse":
            attrs["shape"] = "box"
        if n in plan.highlight_nodes:
            attrs.update(color=look.HIGHLIGHT, penwidth="2.5")
        dot.node(f"n{n}", label=shown[n], **attrs)
    for u, v in graph.nx.edges():
        attrs = {}
        on = path_edges.get((u, v))
        if on:
            attrs.update(color=":".join(look.PALETTE[k % len(look.PALETTE)] for k in on),
                         penwidth="2")
        if (u, v) in plan.highlight_edges:
            attrs.update(color=look.HIGHLIGHT, penwidth="2")
        if engine == "dot" and levels[v] - levels[u] > MAX_SPAN and not on:
            stub = f"r{u}_{v}"
            dot.node(stub, label=shown[u], shape="box",
                     style="dashed", color=look.DIMMED, fontcolor=look.DIMMED_TEXT)
            dot.edge(stub, f"n{v}", style="dashed", color=look.DIMMED)
            continue
        dot.edge(f"n{u}", f"n{v}", **attrs)
    return dot
