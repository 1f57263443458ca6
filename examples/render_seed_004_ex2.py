"""Seed 004, exercise 2: backpropagation through a chain of two sigmoid neurons.

    h1 = x·w1,  o1 = σ(h1),  h2 = o1·w2,  o2 = σ(h2),  ŷ = o2·w3,  L = ½(y − ŷ)²

The sheet's backprop keeps one accumulator d and reuses it layer by layer:

    d = ∂L/∂ŷ                  ∂L/∂w3 = d·o2
    d = d·w3·o2(1 − o2)        ∂L/∂w2 = d·o1
    d = d·w2·o1(1 − o1)        ∂L/∂w1 = d·x

d is exactly the adjoint of ŷ, then of h2, then of h1: the drawing shows every node's
value and adjoint w̄ (with its rule), and marks the three nodes where d is updated.  (The
sheet's solution writes ∂L/∂w2 where it means ∂L/∂w3 in the first step; the values here
are graphdiff's, checked against sympy in the tests.)

Writes render_seed_004_ex2.png and .svg to $GRAPHDIFF_OUT (default: docs/images/).
"""

from __future__ import annotations

import os
from pathlib import Path

import graphdiff as gd
from graphdiff import seeds
from graphdiff.render import render, to_file

OUT = Path(os.environ.get("GRAPHDIFF_OUT") or Path(__file__).resolve().parent.parent
           / "docs" / "images")

EXAMPLE = seeds.EXAMPLES["004-ex2"]
POINT = dict(EXAMPLE.point)


def main() -> None:
    g = seeds.graph("004-ex2")
    result = gd.reverse(g, at=POINT)
    notes = {
        "y_hat": "d = ∂L/∂ŷ",
        "h2": "d ← d·w₃·o₂(1 − o₂)",
        "h1": "d ← d·w₂·o₁(1 − o₁)",
    }
    # A chain reads best top to bottom: left to right it would be nine boxes wide.
    drawing = render(result, show="values,symbolic,adjoints", notes=notes,
                     highlight=list(notes), rankdir="TB",
                     title="The accumulator d (orange boxes) is the adjoint of ŷ, then of h₂, "
                     "then of h₁")
    for suffix in (".png", ".svg"):
        print("wrote", to_file(drawing, OUT / f"render_seed_004_ex2{suffix}"))
    print(result.table())

if __name__ == "__main__":
    main()
