"""The worked examples of the course material (the seeds), ready to use.

Each example is the text graphdiff parses plus the point the notes work at, so the
demo, the examples, the tests and the docs all start from the same definitions.

>>> from graphdiff import seeds
>>> g = seeds.graph("004-ex1")
>>> [g.name(n) for n in g.order]
['x', 'y', 'a', 'b', 'c', 'd', 'e', 'f']
>>> g.evaluate(seeds.EXAMPLES["004-ex1"].point)
12.0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .graph import Graph
from .parse import parse


@dataclass(frozen=True)
class Example:
    """One worked example: where it comes from, its text and the point used.

    >>> EXAMPLES["003-forward"].source, EXAMPLES["003-forward"].text
    ('seed 003, forward mode', 'x1*x2 + sin(x1)')
    """

    source: str
    text: str
    point: Mapping[str, float] = field(default_factory=dict)
    naming: str = "w"
    title: str = ""


EXAMPLES: Mapping[str, Example] = MappingProxyType({
    "004-ex1": Example(
        source="seed 004, exercise 1",
        title="the derivative as a sum over paths",
        text="x**2 + x*y + (x+y)**2",
        point={"x": 1.0, "y": 2.0},
        naming="letters",
    ),
    "004-ex2": Example(
        source="seed 004, exercise 2",
        title="backpropagation through L = 1/2 (y - f(f(x w1) w2) w3)^2 with f = sigmoid",
        text="\n".join([
            "h1 = x*w1",
            "o1 = sigmoid(h1)",
            "h2 = o1*w2",
            "o2 = sigmoid(h2)",
            "y_hat = o2*w3",
            "L = 1/2*(y - y_hat)^2",
        ]),
        point={"x": 1.0, "w1": 0.5, "w2": -1.0, "w3": 2.0, "y": 1.0},
    ),
    "003-forward": Example(
        source="seed 003, forward mode",
        title="y = x1*x2 + sin(x1), differentiated by x1",
        text="x1*x2 + sin(x1)",
        point={"x1": 0.5, "x2": 2.0},
    ),
    "003-reverse": Example(
        source="seed 003, reverse mode",
        title="y = exp(x1*x2) + x2^3",
        text="exp(x1*x2) + x2**3",
        point={"x1": 0.5, "x2": 2.0},
    ),
    "002-reverse": Example(
        source="seed 002, reverse mode (the Dw notation)",
        title="f(x1, x2) = sin(x1) + x1*x2",
        text="sin(x1) + x1*x2",
        point={"x1": 0.5, "x2": 2.0},
    ),
})


def graph(name: str) -> Graph:
    """The graph of a seed example, named and numbered as in the notes.

    >>> graph("003-reverse").formula("w4")
    'x2**3'
    """
    example = EXAMPLES[name]
    return parse(example.text, naming=example.naming)
