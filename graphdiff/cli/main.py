"""The ``graphdiff`` command: its parser, and running one command.

>>> build_parser().prog
'graphdiff'
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from .._version import __version__
from ..errors import GraphdiffError
from .checker import add_checker_parsers
from .demo import add_demo_parser
from .diff import add_diff_parser
from .graph import add_graph_parser
from .render import add_render_parser
from .verify import add_verify_parser


def build_parser() -> argparse.ArgumentParser:
    """The parser of the ``graphdiff`` command, with every command's subparser.

    >>> sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    >>> list(sub.choices)
    ['demo', 'graph', 'diff', 'verify', 'check', 'grade', 'problems', 'render']
    """
    parser = argparse.ArgumentParser(
        prog="graphdiff",
        description="Graph-based symbolic and automatic differentiation: parse a function "
        "into a computation graph whose edges carry local derivatives.",
    )
    parser.add_argument("--version", action="version", version=f"graphdiff {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_demo_parser(sub)
    add_graph_parser(sub)
    add_diff_parser(sub)
    add_verify_parser(sub)
    add_checker_parsers(sub)
    add_render_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``graphdiff`` command: run one command, return its exit status.

    >>> main(["graph", "x*y", "--format", "json"])  # doctest: +ELLIPSIS
    {
      "inputs": [
    ...
    0
    >>> main(["graph", "x +* y"])
    2
    """
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
