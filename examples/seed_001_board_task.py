"""Seed 001, board task 1: SGD update rules for ŷ = tanh(ReLU(X·W1 + b1ᵀ)·W2 + b2ᵀ) with MSE.

X [n×d], W1 [d×H], b1 [H], W2 [H×1], b2 a number (here a vector of one entry).  The
lecture's solution, with Z1 = X·W1 + b1ᵀ, A1 = ReLU(Z1), Z2 = A1·W2 + b2, ŷ = tanh(Z2):

    ∂L/∂ŷ = (2/n)(ŷ − Y)
    ∂L/∂Z2 = ∂L/∂ŷ ⊙ (1 − tanh²(Z2))      ∂L/∂W2 = A1ᵀ·∂L/∂Z2     ∂L/∂b2 = Σⱼ ∂L/∂Z2ʲ
    ∂L/∂Z1 = ∂L/∂Z2·W2ᵀ ⊙ I{Z1 ≥ 0}       ∂L/∂W1 = Xᵀ·∂L/∂Z1      ∂L/∂b1 = Σⱼ ∂L/∂Z1ʲ

and W := W − η·∂L/∂W.  (The lecture writes ∂L/∂W2 = ∂L/∂Z2·A1 and ∂L/∂W1 = ∂L/∂Z1·X,
transposing "where needed"; the shapes say A1ᵀ·∂L/∂Z2 [H×1] and Xᵀ·∂L/∂Z1 [d×H].)  The
bias gradients sum the adjoint over the observations: sum_to(Z̄, b) sums Z̄ down to b's
shape.  The lecture's ReLU′(t) = I{t ≥ 0} and graphdiff's [Z1 > 0] differ only at 0, a
kink where either is a convention (see docs/ops.md).  This script prints graphdiff's rules from the adjoint graph, checks the numbers
against the lecture's formulas in numpy, and takes one SGD step.
"""

import numpy as np

import graphdiff as gd
from graphdiff.tables import edge_table

n, d, H = 5, 3, 4
network = gd.parse(f"""
X: {n}x{d}
W1: {d}x{H}
b1: {H}
W2: {H}x1
b2: 1
y: {n}x1
Z1 = X @ W1 + b1
A1 = relu(Z1)
Z2 = A1 @ W2 + b2
yhat = tanh(Z2)
L = mse(yhat, y)
""")
print(edge_table(network))
adjoint = gd.reverse_graph(network)
print("\nupdate rules (W := W − η·W̄):")
for name in ("W̄2", "b̄2", "W̄1", "b̄1"):
    print(f"  {name} = {adjoint.formula(name, 'unicode')}   [{'×'.join(map(str, adjoint.shape(name)))}]")

rng = np.random.default_rng(1)
at = {name: rng.normal(size=network.shape(name)) for name in network.inputs}
gradient = gd.grad(network, at)

# The lecture's formulas, by hand.
Z1 = at["X"] @ at["W1"] + at["b1"]
A1 = np.maximum(Z1, 0)
Z2 = A1 @ at["W2"] + at["b2"]
yhat = np.tanh(Z2)
dZ2 = 2 / n * (yhat - at["y"]) * (1 - np.tanh(Z2) ** 2)
dZ1 = dZ2 @ at["W2"].T * (Z1 >= 0)
by_hand = {"W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0), "W1": at["X"].T @ dZ1,
           "b1": dZ1.sum(axis=0)}
for name, value in by_hand.items():
    np.testing.assert_allclose(gradient[name], value, rtol=1e-12, atol=1e-15)
    assert gradient[name].shape == network.shape(name)
print("\nthe lecture's formulas give graphdiff's gradients:",
      {k: v.shape for k, v in by_hand.items()})

eta = 0.1
loss = float(network.evaluate(at))
stepped = {**at, **{k: at[k] - eta * gradient[k] for k in by_hand}}
after = float(network.evaluate(stepped))
print(f"one SGD step with η = {eta}: L = {loss:.6f} → {after:.6f}")
assert after < loss
