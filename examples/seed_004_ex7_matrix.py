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

# --- (к)-(м): classification, O2 = σ(ŷ) and logloss against y = (0, 1) -----------------------
#
# The sheet writes logloss = yᵢ·ln p̂ᵢ + (1 − yᵢ)·(1 − p̂ᵢ): the second term lacks its ln, and
# the whole lacks its minus sign (as written it is to be maximised, not minimised).  Its
# numbers: O2 ≈ 0.73, ∂logloss/∂p̂ ≈ (3.7, 1.4) (the magnitudes of 1/(1 − p̂₁) and 1/p̂₂, the
# signs dropped), ∂O2/∂ŷ ≈ 0.2, and d = ∂logloss/∂ŷ ≈ (0.74, 0.28).  With logloss =
# −(1/n) Σ [yᵢ ln p̂ᵢ + (1 − yᵢ) ln(1 − p̂ᵢ)] the derivative in the logits is
# d = (O2 − y)/n = (0.366, −0.134): per observation (without the 1/n) O2 − y = (0.731, −0.269),
# which the sheet's (0.74, 0.28) approximates with its sign lost and its factors rounded.
classifier = gd.parse("""
X: 2x2
W1: 2x2
W2: 2x1
y: 2x1
H1 = X @ W1
O1 = relu(H1)
yhat = O1 @ W2
O2 = sigmoid(yhat)
LL = logloss(O2, y)
""")
labels = {**point, "y": [[0], [1]]}
result = gd.reverse(classifier, at=labels)
values = dict(zip([classifier.name(n) for n in classifier.order], result.values, strict=True))
sigma = 1 / (1 + np.exp(-1.0))
assert np.allclose(values["O2"], sigma) and round(float(values["O2"][0, 0]), 2) == 0.73
assert np.isclose(float(values["LL"]), -(np.log(1 - sigma) + np.log(sigma)) / 2)
d = result.adjoint("yhat")
assert np.allclose(d, [[sigma / 2], [(sigma - 1) / 2]])
dp = result.adjoint("O2")     # ∂logloss/∂p̂ = (1/n)·(p̂ − y)/(p̂(1 − p̂))
assert np.allclose(dp * 2, [[1 / (1 - sigma)], [-1 / sigma]])
print(f"\nclassification: O2 = σ(ŷ) = {np.round(values['O2'], 4).ravel().tolist()} (sheet: 0.73)")
print(f"logloss = {float(values['LL']):.4f}")
print(f"∂logloss/∂p̂ = {np.round(dp, 4).ravel().tolist()}"
      f" (sheet, without the 1/n and the signs: (3.7, 1.4))")
print(f"d = ∂logloss/∂ŷ = (O2 − y)/n = {np.round(d, 4).ravel().tolist()}"
      f"; per observation O2 − y = {np.round(2 * d, 4).ravel().tolist()}"
      f" (sheet: (0.74, 0.28))")
print(f"then, as the sheet says, the same steps from this d: dlogloss/dW2 = "
      f"{np.round(result.gradient['W2'], 4).ravel().tolist()}, dlogloss/dW1 = "
      f"{np.round(result.gradient['W1'], 4).tolist()}")
