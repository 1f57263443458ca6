"""``graphdiff demo``: the main job on the built-in seed example."""

from __future__ import annotations

import argparse
from typing import Any

from .. import seeds
from .._version import __version__
from ..notation import format_number
from ..show import write_figures
from ..tables import edge_table, node_table


def add_demo_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``graphdiff demo`` to the subparsers of the ``graphdiff`` command.

    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> _ = add_demo_parser(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["demo"]).func is cmd_demo
    True
    """
    demo = subparsers.add_parser("demo", help="show the seed example f = x**2 + x*y + (x+y)**2")
    demo.set_defaults(func=cmd_demo)
    return demo


def cmd_demo(args: argparse.Namespace) -> int:
    """Print seed 004's graph with its tables and draw it to ``out/seed_004_ex1.*``.

    >>> import contextlib, io, os, tempfile
    >>> out = io.StringIO()
    >>> with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(out):
    ...     here = os.getcwd()
    ...     os.chdir(tmp)
    ...     try:
    ...         status = cmd_demo(argparse.Namespace())
    ...     finally:
    ...         os.chdir(here)
    >>> status, out.getvalue().splitlines()[0]  # doctest: +ELLIPSIS
    (0, 'graphdiff ...: the computation graph of seed 004, exercise 1')
    """
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
    written, problem = write_figures(graph, "out/seed_004_ex1", at=point, paths="x")
    print("\nThe graph with its edge derivatives and the three paths from x: "
          + ", ".join(str(path) for path in written))
    if problem:
        print(problem)
    return 0
