"""Seed 003, forward mode: y = x1·x2 + sin(x1), tangents ẇᵢ = ∂wᵢ/∂x1 on the graph.

The lecture's table, drawn on the graph: every node wᵢ carries its value and its tangent
ẇᵢ with the rule that computes it (ẇ3 = w2·ẇ1 + w1·ẇ2, ẇ4 = cos(w1)·ẇ1, ẇ5 = ẇ3 + ẇ4),
seeded with ẇ1 = 1, ẇ2 = 0.  At x1 = 0, x2 = 2 the output's tangent is
∂y/∂x1 = x2 + cos(x1) = 3.

Writes render_seed_003_forward.png and .svg to $GRAPHDIFF_OUT (default: docs/images/).
"""

from __future__ import annotations

import os
from pathlib import Path

import graphdiff as gd
from graphdiff.render import render, to_file

OUT = Path(os.environ.get("GRAPHDIFF_OUT") or Path(__file__).resolve().parent.parent
           / "docs" / "images")


def main() -> None:
    g = gd.parse("x1*x2 + sin(x1)")
    result = gd.forward(g, wrt="x1", at={"x1": 0.0, "x2": 2.0})
    drawing = render(result, show="values,derivatives,tangents,rules")
    for suffix in (".png", ".svg"):
        print("wrote", to_file(drawing, OUT / f"render_seed_003_forward{suffix}"))
    print(result.table())


if __name__ == "__main__":
    main()
