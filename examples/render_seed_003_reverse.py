"""Seed 003, reverse mode: y = exp(x1·x2) + x2³, adjoints w̄ᵢ = ∂y/∂wᵢ on the graph.

Every node wᵢ carries its value and its adjoint w̄ᵢ with the rule of the lecture
(w̄6 = 1, w̄5 = w̄6, w̄4 = w̄6, w̄3 = e^(w3)·w̄5, w̄2 = w1·w̄3 + 3w2²·w̄4, w̄1 = w2·w̄3); at
x1 = 0, x2 = 1 the gradient is (x2·e^(x1·x2), x1·e^(x1·x2) + 3x2²) = (1, 3).  A second
picture draws the adjoint graph itself: reverse mode emitted as a new computation graph,
whose outputs x̄1, x̄2 are the gradient.

Writes render_seed_003_reverse.png/.svg and render_seed_003_adjoint_graph.png/.svg to
$GRAPHDIFF_OUT (default: docs/images/).
"""

from __future__ import annotations

import os
from pathlib import Path

import graphdiff as gd
from graphdiff.render import render, to_file

OUT = Path(os.environ.get("GRAPHDIFF_OUT") or Path(__file__).resolve().parent.parent
           / "docs" / "images")


def main() -> None:
    g = gd.parse("exp(x1*x2) + x2**3")
    point = {"x1": 0.0, "x2": 1.0}
    result = gd.reverse(g, at=point)
    drawing = render(result, show="values,derivatives,adjoints,rules")
    adjoint_graph = render(gd.reverse_graph(g), primal=g, at=point)
    for suffix in (".png", ".svg"):
        print("wrote", to_file(drawing, OUT / f"render_seed_003_reverse{suffix}"))
        print("wrote", to_file(adjoint_graph, OUT / f"render_seed_003_adjoint_graph{suffix}"))
    print(result.table())


if __name__ == "__main__":
    main()
