"""Arguments the commands share: the expression, ``--naming``, ``--format``, a point.

>>> parse_point("x=1, y=-2.5")
{'x': 1.0, 'y': -2.5}
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import GraphdiffError
from ..graph import Graph
from ..parse import parse

#: ``add_argument`` options of the arguments several commands take.
EXPRESSION = {"help": "an expression or program, e.g. 'x**2 + x*y'"}
NAMING = {"choices": ["w", "letters"], "default": "w",
          "help": "names of intermediate nodes: w3, w4, ... or a, b, c, ..."}
TABLE_FORMAT = {"choices": ["text", "markdown", "latex", "json"], "default": "text"}


def parse_point(text: str | None) -> dict[str, float] | None:
    """Read ``"x=1,y=2"`` into ``{"x": 1.0, "y": 2.0}`` (numbers only, never eval).

    >>> parse_point("x=1, y=-2.5")
    {'x': 1.0, 'y': -2.5}
    >>> parse_point("x=1+1")
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: --at: '1+1' is not a number
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


def graph_from_args(args: argparse.Namespace) -> Graph:
    """The graph of ``args.expression``, its nodes named by ``args.naming``.

    >>> graph_from_args(argparse.Namespace(expression="x*y", naming="letters")).outputs
    ('a',)
    """
    return parse(args.expression, naming=args.naming)


def point_for(graph: Any, point: dict[str, float] | None) -> dict[str, float] | None:
    """The point restricted to the graph's inputs: a value for a name the expression does
    not use (a lecturer's point for f(x, y) given to a part that uses only x) is ignored,
    with a note on stderr rather than an error.

    >>> import graphdiff as gd
    >>> point_for(gd.parse("x**2"), {"x": 1.0, "y": 2.0})
    {'x': 1.0}
    """
    if point is None:
        return None
    extra = [name for name in point if name not in graph.inputs]
    if extra:
        names = ", ".join(extra)
        print(f"note: {names} {'is not an input' if len(extra) == 1 else 'are not inputs'} "
              f"of this expression (its inputs: {', '.join(graph.inputs)}); ignored",
              file=sys.stderr)
    return {name: value for name, value in point.items() if name in graph.inputs}
