"""What the full drawing and the overview share: the empty Digraph, the paths' colours.

>>> new_digraph("dot", "LR", "DejaVu Sans", "x*y").name
'x*y'
"""

from __future__ import annotations

from typing import Any

import graphviz

from .plan import Plan


def new_digraph(engine: str, rankdir: str, fontname: str, source: str | None,
                description: str | None = None) -> graphviz.Digraph:
    """An empty Digraph named after the graph's formula when it is short: the name becomes
    the SVG's ``<title>``; ``description`` (the graph's ``comment`` attribute) becomes its
    alt text.

    >>> new_digraph("sfdp", "TB", "Arial", "a = x\\nb = a").name
    'graphdiff'
    """
    short = source is not None and len(source) <= 60 and "\n" not in source.strip()
    name = source.strip() if short and source else "graphdiff"
    graph_attr = {"rankdir": rankdir} | ({"comment": description} if description else {})
    return graphviz.Digraph(name=name, engine=engine, graph_attr=graph_attr,
                            node_attr={"fontname": fontname}, edge_attr={"fontname": fontname})


def describe(graph: Any, what: str = "computation graph") -> str:
    """The alt text of a drawing: what it shows, its inputs, size and outputs.

    >>> import graphdiff as gd
    >>> describe(gd.parse("x*y + sin(x)"))
    'computation graph x*y + sin(x): inputs x, y; 3 ops; output w5'
    """
    summary = repr(graph).removeprefix("<Graph").removesuffix(">").strip()
    return f"{what} {summary}"


def path_colors(plan: Plan) -> tuple[dict[tuple[int, int], list[int]], dict[int, list[int]]]:
    """For each edge and node on a highlighted path, the indices of its paths (which pick
    the colour and the dash).

    >>> import graphdiff as gd
    >>> from graphdiff.drawing.plan import make_plan
    >>> g = gd.parse("x*x")
    >>> path_colors(make_plan(g, ["x", "w2"], show=frozenset(), path_results=[gd.paths(g)]))
    ({(0, 1): [0]}, {0: [0], 1: [0]})
    """
    edges: dict[tuple[int, int], list[int]] = {}
    nodes: dict[int, list[int]] = {}
    for k, (_, path) in enumerate(plan.paths):
        for u, v in zip(path.nodes, path.nodes[1:], strict=False):
            edges.setdefault((u, v), []).append(k)
        for node in path.nodes:
            nodes.setdefault(node, []).append(k)
    return edges, nodes
