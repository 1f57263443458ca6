"""``graphdiff verify``: every method at random points; exit status 1 if any two disagree."""

from __future__ import annotations

import argparse
from typing import Any

from ..derive.check import EXACT_RTOL, NUMERIC_ESTIMATE_FACTOR, NUMERIC_RTOL, verify
from .args import graph_from_args


def add_verify_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``graphdiff verify`` to the subparsers of the ``graphdiff`` command.

    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> _ = add_verify_parser(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["verify", "x*y", "--points", "2"]).points
    2
    """
    check = subparsers.add_parser("verify", help="cross-check every method at random points")
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
    return check


def cmd_verify(args: argparse.Namespace) -> int:
    """Run every method at random points; exit 1 if any two disagree.

    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> _ = add_verify_parser(parser.add_subparsers(dest="command"))
    >>> cmd_verify(parser.parse_args(["verify", "x*y", "--points", "1"]))  # doctest: +ELLIPSIS
    point ...
    all methods agree
    0
    """
    graph = graph_from_args(args)
    report = verify(graph, points=args.points, seed=args.seed, output=args.output,
                    low=args.low, high=args.high)
    print(report.table(args.format if args.format != "json" else "text"))
    print(f"\ntolerances: exact methods relative {EXACT_RTOL:g}; central differences within "
          f"{NUMERIC_ESTIMATE_FACTOR:g} x their error estimate or relative {NUMERIC_RTOL:g}")
    for reason in report.skipped:
        print(f"skipped: {reason}")
    print("all methods agree" if report.ok else "DISAGREEMENT: see the rows marked NO")
    return 0 if report.ok else 1
