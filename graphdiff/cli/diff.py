"""``graphdiff diff``: differentiate by one or every method, optionally showing the work."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..derive.methods import METHODS
from ..derive.report import ALL_METHODS, DiffRun, run_report
from ..errors import GraphdiffError
from ..notation import format_number
from ..tables import WORKED_TABLES
from .args import EXPRESSION, NAMING, TABLE_FORMAT, graph_from_args, parse_point, point_for


def add_diff_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``graphdiff diff`` to the subparsers of the ``graphdiff`` command.

    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> _ = add_diff_parser(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["diff", "x*y", "--method", "all"]).method
    'all'
    """
    diff = subparsers.add_parser("diff", help="differentiate an expression (paths, forward, "
                                 "reverse, symbolic, numeric), showing the work")
    diff.add_argument("expression", **EXPRESSION)
    diff.add_argument("--wrt", help="inputs to differentiate by, comma-separated "
                      "(default: all)")
    diff.add_argument("--at", help="a point, e.g. x=1,y=2 (default: symbolic only)")
    diff.add_argument("--method", default="reverse", choices=[*ALL_METHODS, "all"])
    diff.add_argument("--output", help="which output of a program (default: the last)")
    diff.add_argument("--table", action="store_true",
                      help="show the worked steps: paths or Wengert tables")
    diff.add_argument("--naming", **NAMING)
    diff.add_argument("--format", **TABLE_FORMAT)
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
    point = point_for(graph, parse_point(args.at))
    methods = list(ALL_METHODS) if args.method == "all" else [args.method]
    numeric = [m for m in methods if METHODS[m].needs_point]
    if numeric and point is None:
        if args.method != "all":
            raise GraphdiffError(f"the {args.method} method needs a point: give "
                                 "--at x=...,y=...")
        methods = [m for m in methods if m not in numeric]
    wrt = args.wrt.split(",") if args.wrt else None
    run = run_report(graph, wrt, point, methods, output=args.output)
    if args.format == "json":
        print(json.dumps(run.report, indent=2, ensure_ascii=False))
        return 0
    print(diff_text(run, graph.source or "", style=args.format, table=args.table))
    return 0


def diff_text(run: DiffRun, source: str, style: str = "text", table: bool = False) -> str:
    """The report as ``graphdiff diff`` prints it; with ``table``, each method's work:
    the worked tables of the results the report already holds, and its notes.

    >>> import graphdiff as gd
    >>> from graphdiff.derive.report import run_report
    >>> run = run_report(gd.parse("x**2"), methods=["symbolic"])
    >>> print(diff_text(run, "x**2", table=True))
    w2 = x**2
    <BLANKLINE>
    symbolic:
      ∂w2/∂x = 2*x
      readable: ∂w2/∂x = 2*x
    """
    report = run.report
    out = report["output"]
    if "\n" in source or ";" in source:  # a program: show it, then what is differentiated
        lines = [*source.splitlines(), f"(differentiating {out})"]
    else:
        lines = [f"{out} = {source}"]
    if report["at"] is not None:
        where = ", ".join(f"{k} = {format_number(v)}" for k, v in report["at"].items())
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
        if table:
            lines.extend(item if isinstance(item, str) else
                         WORKED_TABLES[type(item)](item, style=style)
                         for item in run.runs[method].work)
    if report.get("kink_note"):
        lines.extend(["", "note: " + report["kink_note"]])
    return "\n".join(lines)
