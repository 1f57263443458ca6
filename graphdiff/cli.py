"""The ``graphdiff`` command line.

Every error graphdiff raises on purpose is shown as a message (exit status 2), never
as a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from . import __version__, seeds
from .errors import GraphdiffError
from .graph import Graph
from .parse import parse
from .render import add_render_parser
from .tables import edge_table, format_number, node_table


def parse_point(text: str | None) -> dict[str, float] | None:
    """Read ``"x=1,y=2"`` into ``{"x": 1.0, "y": 2.0}`` (numbers only, never eval).

    >>> parse_point("x=1, y=-2.5")
    {'x': 1.0, 'y': -2.5}
    """
    if text is None:
        return None
    point: dict[str, float] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        if not sep or not name.strip().isidentifier():
            raise GraphdiffError(f"--at expects name=value pairs such as x=1,y=2, not {item!r}")
        try:
            point[name.strip()] = float(value)
        except ValueError:
            raise GraphdiffError(f"--at: {value.strip()!r} is not a number") from None
    return point


def _graph_from_args(args: argparse.Namespace) -> Graph:
    return parse(args.expression, naming=args.naming)


def cmd_graph(args: argparse.Namespace) -> int:
    """Print a graph as a node table, its edges with their derivatives, and its value."""
    graph = _graph_from_args(args)
    point = parse_point(args.at)
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
    """The graph as JSON-ready data (nodes, edges with derivatives, values)."""
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


def cmd_diff(args: argparse.Namespace) -> int:
    """Differentiate by one or every method, optionally with the worked tables."""
    from .derive.report import ALL_METHODS, diff_report

    graph = _graph_from_args(args)
    point = parse_point(args.at)
    methods = list(ALL_METHODS) if args.method == "all" else [args.method]
    if "numeric" in methods and point is None:
        if args.method == "numeric":
            raise GraphdiffError("the numeric method needs a point: give --at x=...,y=...")
        methods.remove("numeric")
    wrt = args.wrt.split(",") if args.wrt else None
    report = diff_report(graph, wrt, point, methods, output=args.output)
    if args.format == "json":
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print(_diff_text(graph, report, args, point))
    return 0


def _diff_text(graph: Graph, report: dict[str, Any], args: argparse.Namespace,
               point: dict[str, float] | None) -> str:
    from . import forward, paths, reverse

    style = args.format
    out = report["output"]
    source = graph.source or ""
    if "\n" in source or ";" in source:  # a program: show it, then what is differentiated
        lines = [*source.splitlines(), f"(differentiating {out})"]
    else:
        lines = [f"{out} = {source}"]
    if point is not None:
        where = ", ".join(f"{k} = {format_number(v)}" for k, v in point.items())
        lines.append(f"at {where}: {out} = {format_number(report['value'])}")
    for result in report["results"]:
        method = result["method"]
        lines.append(f"\n{method}:")
        for name, d in result["derivatives"].items():
            shown = " = ".join(
                part for part in (d["symbolic"], format_number(d["value"])
                                  if d["value"] is not None else None) if part
            )
            lines.append(f"  ∂{out}/∂{name} = {shown}")
        if not args.table:
            continue
        wrt = list(result["derivatives"])
        if method == "paths":
            for name in wrt:
                if result["trace"][name]["paths"] is None:
                    lines.append(f"  ({result['trace'][name]['count']:,} paths from {name}: "
                                 "too many to list; the value is their sum by dynamic "
                                 "programming)")
                    continue
                lines.append(paths(graph, name, point, output=out).table(style))
        elif method == "forward":
            for name in wrt:
                lines.append(forward(graph, wrt=name, at=point).table(style))
        elif method == "reverse":
            lines.append(reverse(graph, output=out, at=point).table(style))
        elif method == "symbolic":
            for name in wrt:
                lines.append(f"  readable: ∂{out}/∂{name} = {result['trace'][name]['readable']}")
        elif method == "numeric":
            for name in wrt:
                t = result["trace"][name]
                lines.append(f"  {name}: step h = {t['step']:.3g}, "
                             f"error estimate {t['error_estimate']:.3g}")
    return "\n".join(lines)


def cmd_verify(args: argparse.Namespace) -> int:
    """Run every method at random points; exit 1 if any two disagree."""
    from .derive.check import (
        EXACT_RTOL,
        NUMERIC_ESTIMATE_FACTOR,
        NUMERIC_RTOL,
        verify,
    )

    graph = _graph_from_args(args)
    report = verify(graph, points=args.points, seed=args.seed, output=args.output,
                    low=args.low, high=args.high)
    print(report.table(args.format if args.format != "json" else "text"))
    print(f"\ntolerances: exact methods relative {EXACT_RTOL:g}; central differences within "
          f"{NUMERIC_ESTIMATE_FACTOR:g} x their error estimate or relative {NUMERIC_RTOL:g}")
    for reason in report.skipped:
        print(f"skipped: {reason}")
    print("all methods agree" if report.ok else "DISAGREEMENT: see the rows marked NO")
    return 0 if report.ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    """The main job on the built-in seed example."""
    print(f"graphdiff {__version__}: the computation graph of seed 004, exercise 1")
    example = seeds.EXAMPLES["004-ex1"]
    point = dict(example.point)
    print(f"f(x, y) = {example.text}, at x = 1, y = 2\n")
    graph = seeds.graph("004-ex1")
    n_ops = sum(1 for n in graph.order if graph.kind(n) == "op")
    print(f"{n_ops} operation nodes, {graph.nx.number_of_edges()} edges, each labelled with "
          "its local derivative:\n")
    print(node_table(graph, point))
    print()
    print(edge_table(graph, point))
    print(f"\nf(1, 2) = {format_number(graph.evaluate(point))}")
    from .render import write_figures

    written, problem = write_figures(graph, "out/seed_004_ex1", at=point, paths="x")
    print("\nThe graph with its edge derivatives and the three paths from x: "
          + ", ".join(str(path) for path in written))
    if problem:
        print(problem)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="graphdiff",
        description="Graph-based symbolic and automatic differentiation: parse a function "
        "into a computation graph whose edges carry local derivatives.",
    )
    parser.add_argument("--version", action="version", version=f"graphdiff {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="show the seed example f = x**2 + x*y + (x+y)**2")
    demo.set_defaults(func=cmd_demo)

    graph = sub.add_parser("graph", help="print the computation graph of an expression")
    graph.add_argument("expression", help="an expression or program, e.g. 'x**2 + x*y'")
    graph.add_argument("--at", help="a point, e.g. x=1,y=2")
    graph.add_argument("--naming", choices=["w", "letters"], default="w",
                       help="names of intermediate nodes: w3, w4, ... or a, b, c, ...")
    graph.add_argument("--format", choices=["text", "markdown", "latex", "json"],
                       default="text")
    graph.set_defaults(func=cmd_graph)

    diff = sub.add_parser("diff", help="differentiate an expression (paths, forward, reverse, "
                          "symbolic, numeric), showing the work")
    diff.add_argument("expression", help="an expression or program, e.g. 'x**2 + x*y'")
    diff.add_argument("--wrt", help="inputs to differentiate by, comma-separated "
                      "(default: all)")
    diff.add_argument("--at", help="a point, e.g. x=1,y=2 (default: symbolic only)")
    diff.add_argument("--method", default="reverse",
                      choices=["paths", "forward", "reverse", "symbolic", "numeric", "all"])
    diff.add_argument("--output", help="which output of a program (default: the last)")
    diff.add_argument("--table", action="store_true",
                      help="show the worked steps: paths or Wengert tables")
    diff.add_argument("--naming", choices=["w", "letters"], default="w",
                      help="names of intermediate nodes: w3, w4, ... or a, b, c, ...")
    diff.add_argument("--format", choices=["text", "markdown", "latex", "json"],
                      default="text")
    diff.set_defaults(func=cmd_diff)

    check = sub.add_parser("verify", help="cross-check every method at random points")
    check.add_argument("expression")
    check.add_argument("--points", type=int, default=5, help="how many random points")
    check.add_argument("--seed", type=int, default=0)
    check.add_argument("--low", type=float, default=-2.0, help="points are drawn from "
                       "[low, high] per input")
    check.add_argument("--high", type=float, default=2.0)
    check.add_argument("--output", help="which output of a program (default: the last)")
    check.add_argument("--naming", choices=["w", "letters"], default="w")
    check.add_argument("--format", choices=["text", "markdown", "latex"], default="text")
    check.set_defaults(func=cmd_verify)

    from .checker.cli import add_checker_parsers

    add_checker_parsers(sub)

    add_render_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``graphdiff`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    try:
        return func(args)
    except GraphdiffError as err:
        print(f"graphdiff: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `graphdiff diff ... | head`: the reader left; stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
