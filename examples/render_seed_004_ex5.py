"""Seed 004, exercise 5: backpropagation in matrix form through a 2-2-1 network.

    H1 = X·W1,  O1 = f(H1),  H2 = O1·W2,  O2 = f(H2),  ŷ = O2·W3,  L = MSE(ŷ, y)

with X [n×2], W1 and W2 [2×2], W3 [2×1], ŷ [n×1] and f = σ here.  The sheet keeps one
accumulator d and reuses it layer by layer, with its shape at each step:

    d = ∂L/∂ŷ                     [n×1]    ∂L/∂W3 = O2ᵀ·d   [2×1]
    d ← d·W3ᵀ ⊙ f′(H2)            [n×2]    ∂L/∂W2 = O1ᵀ·d   [2×2]
    d ← d·W2ᵀ ⊙ f′(H1)            [n×2]    ∂L/∂W1 = Xᵀ·d    [2×2]

(the sheet writes ⊙ as *).  d is the adjoint of ŷ, then of H2, then of H1: this script
computes d by hand with numpy, checks it against graphdiff's reverse mode, prints each
step with its shape, and draws the graph with shapes under the names and each edge
labelled with its VJP.

Writes render_seed_004_ex5.png and .svg to $GRAPHDIFF_OUT (default: docs/images/).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

import graphdiff as gd
from graphdiff.notation import shape_label
from graphdiff.render import render, to_file
from graphdiff.tables import edge_table

OUT = Path(os.environ.get("GRAPHDIFF_OUT") or Path(__file__).resolve().parent.parent
           / "docs" / "images")

NETWORK = gd.parse("""
X: 3x2
W1: 2x2
W2: 2x2
W3: 2x1
y: 3x1
H1 = X @ W1
O1 = sigmoid(H1)
H2 = O1 @ W2
O2 = sigmoid(H2)
yhat = O2 @ W3
L = mse(yhat, y)
""")
POINT = {"X": np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.5]]),
         "W1": np.array([[0.5, -1.0], [0.25, 1.0]]),
         "W2": np.array([[1.0, 0.5], [-0.5, 2.0]]),
         "W3": np.array([[1.5], [-1.0]]),
         "y": np.array([[1.0], [0.0], [0.5]])}


def by_hand(p: dict) -> dict:
    """The sheet's algorithm with numpy: the accumulator d and the three gradients."""
    def sigma(z):
        return 1 / (1 + np.exp(-z))
    H1 = p["X"] @ p["W1"]
    O1 = sigma(H1)
    H2 = O1 @ p["W2"]
    O2 = sigma(H2)
    yhat = O2 @ p["W3"]
    n = len(yhat)
    steps = {}
    d = 2 * (yhat - p["y"]) / n                      # ∂L/∂ŷ for L = (1/n) Σ (ŷ − y)²
    steps["yhat"], steps["W3"] = d, O2.T @ d
    d = d @ p["W3"].T * O2 * (1 - O2)                 # f′(H2) = σ(H2)(1 − σ(H2))
    steps["H2"], steps["W2"] = d, O1.T @ d
    d = d @ p["W2"].T * O1 * (1 - O1)
    steps["H1"], steps["W1"] = d, p["X"].T @ d
    return steps


def main() -> None:
    result = gd.reverse(NETWORK, at=POINT)
    hand = by_hand(POINT)
    rules = {"yhat": ("d = ∂L/∂ŷ", "W3", "O2ᵀ·d"),
             "H2": ("d ← d·W3ᵀ ⊙ f′(H2)", "W2", "O1ᵀ·d"),
             "H1": ("d ← d·W2ᵀ ⊙ f′(H1)", "W1", "Xᵀ·d")}
    for node, (rule, weight, formula) in rules.items():
        d = result.adjoint(node)
        np.testing.assert_allclose(d, hand[node], rtol=1e-12)
        np.testing.assert_allclose(result.gradient[weight], hand[weight], rtol=1e-12)
        assert d.shape == NETWORK.shape(node)
        print(f"{rule:<20} d [{shape_label(('n', d.shape[1]))}] = {np.round(d, 4).tolist()}")
        print(f"{'':<20} ∂L/∂{weight} = {formula} "
              f"[{shape_label(result.gradient[weight].shape)}] = "
              f"{np.round(result.gradient[weight], 4).tolist()}")
    print("\n" + edge_table(NETWORK))
    notes = {node: rule for node, (rule, _, _) in rules.items()}
    drawing = render(result, show="symbolic,adjoints", notes=notes, highlight=list(notes),
                     rankdir="TB", digits=2,
                     title="Seed 004 Ex5: the accumulator d (orange) is the adjoint of ŷ, "
                           "then of H₂, then of H₁; each edge is labelled with its VJP")
    for suffix in (".png", ".svg"):
        print("wrote", to_file(drawing, OUT / f"render_seed_004_ex5{suffix}"))


if __name__ == "__main__":
    main()
