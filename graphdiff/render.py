"""Drawing computation graphs with Graphviz: for slides, notebooks and feedback.

:func:`render` turns a :class:`~graphdiff.Graph` (or the result of :func:`~graphdiff.forward`,
:func:`~graphdiff.reverse` or :func:`~graphdiff.paths`) into a ``graphviz.Digraph``: every
node shows its name and its operation (``a = x²``), every edge its local derivative, and on
request the values at a point, the tangents ẇᵢ of forward mode, the adjoints w̄ᵢ of reverse
mode, and paths from an input to the output highlighted in colours of a colour-blind-safe
palette with their products in a legend.  :func:`to_file` writes SVG, PNG, PDF or DOT;
:func:`svg` and :func:`repr_mimebundle` serve Jupyter.

Building the ``Digraph`` needs no Graphviz installation (its ``.source`` is the DOT text);
drawing it needs Graphviz's ``dot`` program, and without it :class:`RenderError` says how
to install it.

>>> import graphdiff as gd
>>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
>>> drawing = render(g, paths="x")
>>> print(edge_label_text(drawing, "c", "e"))
2c
>>> for row in legend_rows(drawing):
...     print(row)
x → a → d → f: 2x · 1 · 1 = 2x
x → b → d → f: y · 1 · 1 = y
x → c → e → f: 1 · 2c · 1 = 2c
∂f/∂x = 2x + y + 2c = 4x + 3y

This module is where the drawing API is imported from; the work is done by
:mod:`graphdiff.show` (runs the sweeps a drawing needs), :mod:`graphdiff.drawing` (draws a
graph and the results it is handed), :mod:`graphdiff.printing` (the math in the labels)
and :mod:`graphdiff.display` (notebooks).

Large graphs (see :data:`DEFAULT_MAX_NODES`): above ``max_nodes`` nodes the drawing becomes
a compact overview (names only, no edge labels, edges spanning many levels cut into
dashed references) with a :class:`RenderWarning`; above ``max_dot_nodes`` the layout
engine switches from ``dot`` (layered, left to right) to ``sfdp`` (force-directed), which
stays fast on thousands of nodes; above ``limit`` nodes :class:`RenderError` refuses.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import Any

from .display import NOTEBOOK_MAX_NODES, repr_html, repr_mimebundle, repr_svg
from .drawing.draw import DEFAULT_LIMIT, DEFAULT_MAX_DOT_NODES, DEFAULT_MAX_NODES
from .drawing.errors import INSTALL_HINT, RenderError, RenderWarning
from .drawing.look import FONTNAME, FONTSIZE, NODE_STYLES, PALETTE, PNG_DPI
from .drawing.output import FORMATS, dot_available
from .drawing.overview import MAX_SPAN
from .drawing.plan import SHOW, Node
from .drawing.readback import edge_label_text, edge_line, legend_rows, node_label_text
from .graph import Graph
from .notation import pretty_name
from .printing import math_text
from .show import Renderable, pipe, png, render, svg, to_file, write_figures

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_MAX_DOT_NODES",
    "DEFAULT_MAX_NODES",
    "FONTNAME",
    "FONTSIZE",
    "FORMATS",
    "INSTALL_HINT",
    "MAX_SPAN",
    "NODE_STYLES",
    "NOTEBOOK_MAX_NODES",
    "PALETTE",
    "PNG_DPI",
    "SHOW",
    "Node",
    "RenderError",
    "RenderWarning",
    "Renderable",
    "add_render_parser",
    "cmd_render",
    "dot_available",
    "edge_label_text",
    "edge_line",
    "legend_rows",
    "math_text",
    "node_label_text",
    "pipe",
    "png",
    "pretty_name",
    "render",
    "repr_html",
    "repr_mimebundle",
    "repr_svg",
    "svg",
    "to_file",
    "write_figures",
]


# --- command line -----------------------------------------------------------------------


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
    parser.add_argument("expression", help="an expression or program, e.g. 'x**2 + x*y'")
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
    parser.add_argument("--naming", choices=["w", "letters"], default="w",
                        help="names of intermediate nodes: w3, w4, ... or a, b, c, ...")
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
    from .cli import parse_point
    from .derive.graphs import forward_graph, reverse_graph
    from .parse import parse

    graph = parse(args.expression, naming=args.naming)
    point = parse_point(args.at)
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
