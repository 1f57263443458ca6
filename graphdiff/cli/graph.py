"""``graphdiff graph``: the computation graph of an expression, as tables or JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..graph import Graph
from ..notation import format_number
from ..tables import edge_table, node_table
from .args import EXPRESSION, NAMING, TABLE_FORMAT, graph_from_args, parse_point, point_for


def add_graph_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``graphdiff graph`` to the subparsers of the ``graphdiff`` command.

    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> _ = add_graph_parser(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["graph", "x*y", "--format", "json"]).format
    'json'
    """
    graph = subparsers.add_parser("graph", help="print the computation graph of an expression")
    graph.add_argument("expression", **EXPRESSION)
    graph.add_argument("--at", help="a point, e.g. x=1,y=2")
    graph.add_argument("--naming", **NAMING)
    graph.add_argument("--format", **TABLE_FORMAT)
    graph.set_defaults(func=cmd_graph)
    return graph


def cmd_graph(args: argparse.Namespace) -> int:
    """Print a graph as a node table, its edges with their derivatives, and its value.

    >>> cmd_graph(argparse.Namespace(expression="x*y", at="x=2,y=3", naming="w",
    ...                              format="text"))  # doctest: +NORMALIZE_WHITESPACE
    node  kind   operation  value
    x     input  x              2
    y     input  y              3
    w3    op     x*y            6
    <BLANKLINE>
    edge     derivative  value
    x -> w3  y               3
    y -> w3  x               2
    <BLANKLINE>
    w3 = 6 at x = 2, y = 3
    0
    """
    graph = graph_from_args(args)
    point = point_for(graph, parse_point(args.at))
    if args.format == "json":
        print(json.dumps(graph_json(graph, point), indent=2))
        return 0
    print(node_table(graph, point, args.format))
    print()
    print(edge_table(graph, point, args.format))
    if point is not None:
        value = graph.evaluate(point)
        outs = value if isinstance(value, tuple) else (value,)
        for name, v in zip(graph.outputs, outs, strict=True):
            print(f"\n{name} = {format_number(v)} at "
                  + ", ".join(f"{k} = {format_number(x)}" for k, x in point.items()))
    return 0


def graph_json(graph: Graph, point: dict[str, float] | None) -> dict[str, Any]:
    """The graph as JSON-ready data (nodes, edges with derivatives, values).

    >>> import graphdiff as gd
    >>> graph_json(gd.parse("x*y"), None)["edges"][0]
    {'from': 'x', 'to': 'w3', 'derivative': 'y'}
    """
    values = graph.values(point) if point is not None else None
    nodes = []
    for n in graph.order:
        entry: dict[str, Any] = {
            "id": n, "name": graph.name(n), "kind": graph.kind(n),
            "op": graph.op(n).name if graph.op(n) else None,
            "operation": graph.formula(n),
        }
        if values is not None:
            entry["value"] = float(values[n])
        nodes.append(entry)
    edges = []
    for u, v in graph.nx.edges():
        entry = {"from": graph.name(u), "to": graph.name(v),
                 "derivative": str(graph.edge_derivative(u, v))}
        if values is not None:
            entry["derivative_value"] = float(graph.edge_derivative_value(u, v, values))
        edges.append(entry)
    return {"inputs": list(graph.inputs), "outputs": list(graph.outputs),
            "nodes": nodes, "edges": edges}
