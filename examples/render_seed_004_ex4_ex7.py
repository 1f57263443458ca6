"""Seed 004, exercises 4 and 7 drawn: the linear layer and the ReLU network in matrix form.

Each node shows its shape under its name (the sheet's ``H1 [n×2]``) and each edge is
labelled with its VJP as the sheet writes it: ``Z̄·Wᵀ`` and ``Xᵀ·Z̄`` for ``Z = X·W`` (Ex4),
``Ō₁ ⊙ [H₁ > 0]`` for ReLU (Ex7), with the sheet's numbers and the adjoints at them.

Writes render_seed_004_ex4.{png,svg} and render_seed_004_ex7.{png,svg} to $GRAPHDIFF_OUT
(default: docs/images/).
"""

from __future__ import annotations

import os
from pathlib import Path

import graphdiff as gd
from graphdiff.render import render, to_file

OUT = Path(os.environ.get("GRAPHDIFF_OUT") or Path(__file__).resolve().parent.parent
           / "docs" / "images")

LINEAR_LAYER = gd.parse("X: 2x2\nW: 2x3\nZ = X @ W\nL = sum(tanh(Z))")
NETWORK = gd.parse("""
X: 2x2
W1: 2x2
W2: 2x1
y: 2x1
H1 = X @ W1
O1 = relu(H1)
yhat = O1 @ W2
MSE = mse(yhat, y) / 2
""")
POINT = {"X": [[1, 2], [-1, 2]], "W1": [[1, -1], [0.5, 0]], "W2": [[0.5], [1]],
         "y": [[2], [1]]}


def main() -> None:
    drawings = {
        "render_seed_004_ex4": render(
            LINEAR_LAYER, show="symbolic",
            title="Seed 004 Ex4: the linear layer Z = X·W; the edges carry dL/dX = Z̄·Wᵀ "
                  "and dL/dW = Xᵀ·Z̄"),
        "render_seed_004_ex7": render(
            gd.reverse(NETWORK, at=POINT), show="values,symbolic,adjoints", rankdir="TB",
            notes={"yhat": "d = ∂MSE/∂ŷ", "H1": "d ← d·W₂ᵀ ⊙ [H₁ > 0]"},
            highlight=["yhat", "H1"],
            title="Seed 004 Ex7 with the sheet's numbers: values, adjoints (d in orange) and "
                  "each edge's VJP"),
    }
    for stem, drawing in drawings.items():
        for suffix in (".png", ".svg"):
            print("wrote", to_file(drawing, OUT / f"{stem}{suffix}"))


if __name__ == "__main__":
    main()
