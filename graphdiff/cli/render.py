"""``graphdiff render``: draw an expression's graph (or its derivative graph) to a file."""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import Any

from ..derive.graphs import forward_graph, reverse_graph
from ..drawing.errors import RenderError, RenderWarning
from ..drawing.plan import SHOW
from ..graph import Graph
from ..parse import parse
from ..show import render, to_file
from .args import EXPRESSION, NAMING, parse_point, point_for


def add_render_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``graphdiff render`` to the subparsers of the ``graphdiff`` command.

    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> add_render_parser(parser.add_subparsers(dest="command")).prog
    'graphdiff render'
    >>> args = parser.parse_args(["render", "x*y", "-o", "g.svg", "--at", "x=1,y=2"])
    >>> args.func is cmd_render, args.at, args.naming, args.rankdir
    (True, 'x=1,y=2', 'w', 'LR')
    """
    parser = subparsers.add_parser(
        "render", help="draw the computation graph with Graphviz (SVG, PNG, PDF or DOT)",
        description="Draw the computation graph of an expression or program: nodes with "
        "their operations, edges with their local derivatives, optionally values, "
        "tangents, adjoints and highlighted paths. The format comes from the file's "
        "suffix (.svg .png .pdf .dot .gv); .dot needs no Graphviz.",
    )
    parser.add_argument("expression", **EXPRESSION)
    parser.add_argument("-o", "--file", required=True, metavar="FILE",
                        help="the file to write: .svg, .png, .pdf, .dot or .gv")
    parser.add_argument("--at", help="a point, e.g. x=1,y=2")
    parser.add_argument("--show", help="what to show, comma-separated: "
                        + ", ".join(SHOW) + " (default: derivatives, and values with --at)")
    parser.add_argument("--paths", help="highlight every path from these inputs to the output "
                        "(comma-separated, e.g. x or x,y)")
    parser.add_argument("--wrt", help="the input for tangents (default: the only input)")
    parser.add_argument("--output", help="the output for adjoints and paths (default: the "
                        "only one)")
    parser.add_argument("--naming", **NAMING)
    parser.add_argument("--names", choices=["auto", "graph", "w"], default="auto",
                        help="labels: the graph's names, or w1, w2, ... for every node "
                        "as in seed 003 (default: auto)")
    parser.add_argument("--graph", choices=["function", "reverse", "forward"],
                        default="function", help="draw the function's graph (default), its "
                        "adjoint graph (reverse mode as a graph) or its tangent graph")
    parser.add_argument("--rankdir", choices=["LR", "TB"], default="LR",
                        help="layout direction (default: left to right)")
    parser.add_argument("--title", help="a caption under the drawing")
    parser.set_defaults(func=cmd_render)
    return parser


def cmd_render(args: argparse.Namespace) -> int:
    """``graphdiff render``: write the drawing and say where.

    Without Graphviz, a ``.svg``/``.png``/``.pdf`` request writes the DOT source next to
    the requested file and fails with the install instructions (exit status 2).

    A ``.dot`` file needs no Graphviz:

    >>> import contextlib, io, tempfile
    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> _ = add_render_parser(parser.add_subparsers(dest="command"))
    >>> out = io.StringIO()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     target = str(Path(tmp) / "g.dot")
    ...     args = parser.parse_args(["render", "x*y + sin(x)", "-o", target, "--paths", "x"])
    ...     with contextlib.redirect_stdout(out):
    ...         status = cmd_render(args)
    ...     written = Path(target).read_text(encoding="utf-8").splitlines()[0]
    >>> status, written
    (0, 'digraph "x*y + sin(x)" {')
    >>> print(out.getvalue())  # doctest: +ELLIPSIS
    wrote .../g.dot (5 nodes, 5 edges)
    """
    graph = parse(args.expression, naming=args.naming)
    point = point_for(graph, parse_point(args.at))
    target: Graph = graph
    primal = None
    if args.graph == "reverse":
        target, primal = reverse_graph(graph, args.output), graph
    elif args.graph == "forward":
        target, primal = forward_graph(graph, args.wrt), graph
    paths = args.paths.split(",") if args.paths else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RenderWarning)
        drawing = render(target, at=point, show=args.show, paths=paths, wrt=args.wrt,
                         output=args.output if args.graph == "function" else None,
                         names=args.names, primal=primal, rankdir=args.rankdir,
                         title=args.title)
    path = Path(args.file)
    for warning in caught:
        print(f"graphdiff: note: {warning.message}")
    try:
        to_file(drawing, path)
    except RenderError as err:
        if not err.missing_dot:
            raise
        fallback = to_file(drawing, path.with_suffix(".dot"))
        raise RenderError(f"{err} The DOT source was written to {fallback}.",
                          missing_dot=True) from None
    print(f"wrote {path} ({len(target)} nodes, {target.nx.number_of_edges()} edges)")
    return 0
