"""``graphdiff diff``: differentiate by one or every method, optionally showing the work.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="graphdiff")
>>> add_diff_parser(parser.add_subparsers(dest="command")).prog
'graphdiff diff'
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..derive.forward import forward
from ..derive.paths import paths
from ..derive.report import ALL_METHODS, diff_report
from ..derive.reverse import reverse
from ..errors import GraphdiffError
from ..graph import Graph
from ..notation import format_number
from .args import graph_from_args, parse_point


def add_diff_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``graphdiff diff`` to the subparsers of the ``graphdiff`` command.

    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> _ = add_diff_parser(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["diff", "x*y", "--method", "all"]).method
    'all'
    """
    diff = subparsers.add_parser("diff", help="differentiate an expression (paths, forward, "
                                 "reverse, symbolic, numeric), showing the work")
    diff.add_argument("expression", help="an expression or program, e.g. 'x**2 + x*y'")
    diff.add_argument("--wrt", help="inputs to differentiate by, comma-separated "
                      "(default: all)")
    diff.add_argument("--at", help="a point, e.g. x=1,y=2 (default: symbolic only)")
    diff.add_argument("--method", default="reverse", choices=[*ALL_METHODS, "all"])
    diff.add_argument("--output", help="which output of a program (default: the last)")
    diff.add_argument("--table", action="store_true",
                      help="show the worked steps: paths or Wengert tables")
    diff.add_argument("--naming", choices=["w", "letters"], default="w",
                      help="names of intermediate nodes: w3, w4, ... or a, b, c, ...")
    diff.add_argument("--format", choices=["text", "markdown", "latex", "json"],
                      default="text")
    diff.set_defaults(func=cmd_diff)
    return diff


def cmd_diff(args: argparse.Namespace) -> int:
    """Differentiate by one or every method, optionally with the worked tables.

    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> _ = add_diff_parser(parser.add_subparsers(dest="command"))
    >>> cmd_diff(parser.parse_args(["diff", "x*y", "--at", "x=2,y=3"]))
    w3 = x*y
    at x = 2, y = 3: w3 = 6
    <BLANKLINE>
    reverse:
      ∂w3/∂x = y = 3
      ∂w3/∂y = x = 2
    0
    """
    graph = graph_from_args(args)
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
