"""Seed 004, exercises 3 and 4: the sigmoid layer and the linear layer in matrix form.

Ex3: Σ = σ(Z) entry by entry, so ∂L/∂Z = ∂L/∂Σ ⊙ Σ ⊙ (1 − Σ), a matrix of Z's shape
[n×k] (the sheet writes the entrywise product as *).

Ex4: Z = X·W with X [2×2] and W [2×3].  The Jacobian ∂Z/∂X has 2·3·2·2 = 24 scalar
partials ∂z_ij/∂x_kl (12 of them zero); the sheet sums them against ∂L/∂Z entry by entry
and finds the matrix formulas ∂L/∂X = ∂L/∂Z·Wᵀ and ∂L/∂W = Xᵀ·∂L/∂Z.  graphdiff
computes the 24 partials from the elementwise expansion (``gd.scalarize``: the same graph
over the entries x11, x12, ...) and checks that they give the matrix formulas.  (The
sheet's worked entry ∂L/∂w21 = ∂L/∂z11·x12 + ∂L/∂z11·x22 has z11 twice: the second is
∂L/∂z21, as printed below.)
"""

import numpy as np
import sympy

import graphdiff as gd
from graphdiff.tables import edge_table

# --- Ex3: the sigmoid layer, with G = ∂L/∂Σ given (L = Σ G ⊙ Σ) -----------------------------
sigmoid_layer = gd.parse("Z: 3x2\nG: 3x2\nSigma = sigmoid(Z)\nL = sum(G * Sigma)")
print(edge_table(sigmoid_layer))
rng = np.random.default_rng(3)
at = {"Z": rng.normal(size=(3, 2)), "G": rng.normal(size=(3, 2))}
result = gd.reverse(sigmoid_layer, at=at)
S = 1 / (1 + np.exp(-at["Z"]))
np.testing.assert_allclose(result.adjoint("Sigma"), at["G"], rtol=1e-15)
np.testing.assert_allclose(result.adjoint("Z"), at["G"] * S * (1 - S), rtol=1e-12)
print("\nEx3: dL/dZ = dL/dΣ ⊙ Σ ⊙ (1 − Σ), shape", result.adjoint("Z").shape, "= shape of Z")

# --- Ex4: the linear layer, its 24 scalar partials and the matrix formulas --------------------
layer = gd.parse("X: 2x2\nW: 2x3\nZ = X @ W")
print("\n" + edge_table(layer))
jacobian = gd.jacobian(layer, wrt=["X"])          # rows z11..z23, columns x11..x22
print(f"\nEx4: ∂Z/∂X has {jacobian.rows}×{jacobian.cols} = {len(jacobian)} scalar partials, "
      f"{sum(1 for e in jacobian if e == 0)} of them zero; ∂Z/∂x11 =",
      jacobian[:, 0].reshape(2, 3).tolist())
assert len(jacobian) == 24 and sum(1 for e in jacobian if e == 0) == 12

G = sympy.Matrix(2, 3, lambda i, j: sympy.Symbol(f"g{i + 1}{j + 1}"))  # ∂L/∂Z
X = sympy.Matrix(2, 2, lambda i, j: sympy.Symbol(f"x{i + 1}{j + 1}"))
W = sympy.Matrix(2, 3, lambda i, j: sympy.Symbol(f"w{i + 1}{j + 1}"))
# The sheet's chain rule entry by entry: ∂L/∂x_kl = Σ_ij ∂L/∂z_ij · ∂z_ij/∂x_kl.
dL_dX = (G.reshape(1, 6) * jacobian).reshape(2, 2)
dL_dW = (G.reshape(1, 6) * gd.jacobian(layer, wrt=["W"])).reshape(2, 3)
assert sympy.expand(dL_dX - G * W.T) == sympy.zeros(2, 2)
assert sympy.expand(dL_dW - X.T * G) == sympy.zeros(2, 3)
print("dL/dx11 =", dL_dX[0, 0], "  = (G·Wᵀ)₁₁")
print("dL/dw21 =", dL_dW[1, 0], "  = (Xᵀ·G)₂₁")

# The same at numbers: reverse mode on the matrices equals the expansion's scalars.
point = {"X": rng.normal(size=(2, 2)), "W": rng.normal(size=(2, 3)), "G": rng.normal(size=(2, 3))}
probe = gd.parse("X: 2x2\nW: 2x3\nG: 2x3\nZ = X @ W\nL = sum(G * Z)")
matrix = gd.grad(probe, point)
scalar = gd.grad(gd.scalarize(probe), {f"{n.lower()}{i + 1}{j + 1}": point[n][i, j]
                                       for n in point for i, j in np.ndindex(point[n].shape)})
for name in ("X", "W"):
    entries = np.array([[scalar[f"{name.lower()}{i + 1}{j + 1}"]
                         for j in range(point[name].shape[1])]
                        for i in range(point[name].shape[0])])
    np.testing.assert_allclose(matrix[name], entries, rtol=1e-12)
np.testing.assert_allclose(matrix["X"], point["G"] @ point["W"].T, rtol=1e-12)
np.testing.assert_allclose(matrix["W"], point["X"].T @ point["G"], rtol=1e-12)
print("at a random point: the matrix gradients equal the 4 + 6 scalar partials")
