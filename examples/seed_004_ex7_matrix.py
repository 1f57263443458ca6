"""Seed 004, exercise 7: a ReLU network's backpropagation in matrix form, with numbers.

ŷ = max(0, X·W1)·W2 with MSE = 1/(2n) Σ(ŷ − y)², X = [[1, 2], [−1, 2]], W1 = [[1, −1],
[0.5, 0]], W2 = (0.5, 1)ᵀ, y = (2, 1)ᵀ.  Reverse mode passes each layer its accumulator d
as a matrix (the adjoint of the node); the table shows the shapes and the rules.

The printed solution has three slips, and this script shows the right numbers:
H1 = X·W1 has −1 where the sheet prints −0.5 (ReLU hides it); dMSE/dŷ is (ŷ − y)/n =
(−0.5, 0), not ŷ − y = (−1, 0) (the sheet's own MSE has the 1/(2n)), so every gradient is
half the sheet's; and its step for W1 subtracts d before the ReLU mask, not dMSE/dW1.
"""

import numpy as np

import graphdiff as gd

network = gd.parse("""
X: 2x2
W1: 2x2
W2: 2x1
y: 2x1
H1 = X @ W1
O1 = relu(H1)
yhat = O1 @ W2
MSE = mse(yhat, y) / 2
""")
point = {"X": [[1, 2], [-1, 2]], "W1": [[1, -1], [0.5, 0]], "W2": [[0.5], [1]],
         "y": [[2], [1]]}
result = gd.reverse(network, at=point)
print(result.table())

values = dict(zip([network.name(n) for n in network.order], result.values, strict=True))
assert values["H1"].tolist() == [[2, -1], [0, 1]] and float(values["MSE"]) == 0.25
gradient = result.gradient
assert gradient["W2"].tolist() == [[-1], [0]]
assert gradient["W1"].tolist() == [[-0.25, 0], [-0.5, 0]]
print(f"\nMSE = {float(values['MSE'])}")
for name in ("W2", "W1"):
    print(f"dMSE/d{name} = {gradient[name].tolist()}")
    print(f"  after one step with γ = 1: {(np.asarray(point[name]) - gradient[name]).tolist()}")

adjoint = gd.reverse_graph(network)
print("\nthe adjoint graph's rules:",
      ", ".join(f"{name} = {adjoint.formula(name)}" for name in ("W̄1", "W̄2", "X̄")))
