"""Seed 004, exercise 1: the computation graph of f(x, y) = x² + xy + (x + y)², drawn.

"Help her draw the computation graph": one elementary operation per node (a = x², b = xy,
c = x + y, d = a + b, e = c², f = d + e), each edge labelled with the local derivative of
its output with respect to its input, and the three paths from x to f highlighted, each in
its own colour, with the product of its edge derivatives in the legend:

    ∂f/∂x = 2x·1·1 + y·1·1 + 1·2c·1 = 2x + y + 2(x + y) = 4x + 3y = 10 at (1, 2).

Writes render_seed_004_ex1.png and .svg to $GRAPHDIFF_OUT (default: docs/images/).
"""

from __future__ import annotations

import os
from pathlib import Path

import graphdiff as gd
from graphdiff.render import render, to_file

OUT = Path(os.environ.get("GRAPHDIFF_OUT") or Path(__file__).resolve().parent.parent
           / "docs" / "images")


def main() -> None:
    g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    drawing = render(g, at={"x": 1, "y": 2}, paths="x")
    for suffix in (".png", ".svg"):
        print("wrote", to_file(drawing, OUT / f"render_seed_004_ex1{suffix}"))
    print(gd.paths(g, "x", at={"x": 1, "y": 2}).table())


if __name__ == "__main__":
    main()
