"""Seed 004, exercises 4 and 7: backpropagation in matrix form, number for number.

Where the sheet's printed solution is wrong, the right number is asserted and the
sheet's is named in a comment:

* Ex7 (a) prints H1 = X·W1 = [[2, −0.5], [0, 1]]; the product is [[2, −1], [0, 1]]
  (1·(−1) + 2·0 = −1).  ReLU makes both 0, so nothing after it changes.
* Ex7 (з) prints dMSE/dŷ = ŷ − y = (−1, 0) for MSE = 1/(2n) Σ(ŷ − y)², whose derivative
  is (ŷ − y)/n = (−0.5, 0); every gradient after it is half the sheet's.
* Ex7 (и) steps W1 by the accumulator before the ReLU mask, [[−0.5, −1], [0, 0]], instead
  of dMSE/dW1.
"""

from __future__ import annotations

import numpy as np
import pytest

import graphdiff as gd

# --- exercise 4: the linear layer Z = XW ------------------------------------------------------

LINEAR_LAYER = """
X: 2x2
W: 2x3
Y: 2x3
Z = X @ W
L = mse(tanh(Z), Y)
"""


@pytest.fixture
def layer_point() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(4)
    return {"X": rng.normal(size=(2, 2)), "W": rng.normal(size=(2, 3)),
            "Y": rng.normal(size=(2, 3))}


def test_ex4_gradients_are_dL_dZ_times_W_transposed_and_X_transposed_times_dL_dZ(
        layer_point) -> None:
    g = gd.parse(LINEAR_LAYER)
    result = gd.reverse(g, at=layer_point)
    G = result.adjoint("Z")  # dL/dZ, the 2×3 matrix of the sheet
    X, W = layer_point["X"], layer_point["W"]
    np.testing.assert_allclose(result.gradient["X"], G @ W.T, rtol=1e-13)
    np.testing.assert_allclose(result.gradient["W"], X.T @ G, rtol=1e-13)
    # The sheet's entries: dL/dx11 = Σⱼ dL/dz1j·w1j, dL/dw21 = dL/dz11·x12 + dL/dz21·x22.
    assert result.gradient["X"][0, 0] == pytest.approx(sum(G[0, j] * W[0, j] for j in range(3)))
    assert result.gradient["W"][1, 0] == pytest.approx(G[0, 0] * X[0, 1] + G[1, 0] * X[1, 1])


def test_ex4_the_adjoint_graph_prints_the_matrix_formulas(layer_point) -> None:
    adjoint = gd.reverse_graph(gd.parse(LINEAR_LAYER))
    assert adjoint.formula("X̄") == "Z̄ @ W.T"
    assert adjoint.formula("W̄") == "X.T @ Z̄"
    assert adjoint.formula("X̄", "unicode") == "Z̄·Wᵀ"
    assert adjoint.formula("W̄", "latex") == "{X}^{\\top} \\bar{Z}"
    assert adjoint.shape("X̄") == (2, 2) and adjoint.shape("W̄") == (2, 3)
    expected = gd.grad(gd.parse(LINEAR_LAYER), layer_point)
    got = dict(zip(adjoint.outputs, adjoint.evaluate(layer_point), strict=True))
    np.testing.assert_allclose(got["X̄"], expected["X"], rtol=1e-13)
    np.testing.assert_allclose(got["W̄"], expected["W"], rtol=1e-13)


# --- exercise 7: the ReLU network with numbers ------------------------------------------------

NETWORK = """
X: 2x2
W1: 2x2
W2: 2x1
y: 2x1
H1 = X @ W1
O1 = relu(H1)
yhat = O1 @ W2
MSE = mse(yhat, y) / 2
"""
POINT = {"X": [[1.0, 2.0], [-1.0, 2.0]], "W1": [[1.0, -1.0], [0.5, 0.0]],
         "W2": [[0.5], [1.0]], "y": [[2.0], [1.0]]}


def test_ex7_forward_pass() -> None:
    g = gd.parse(NETWORK)
    values = dict(zip((g.name(n) for n in g.order), g.values(POINT), strict=True))
    assert values["H1"].tolist() == [[2.0, -1.0], [0.0, 1.0]]  # the sheet: −0.5 for −1
    assert values["O1"].tolist() == [[2.0, 0.0], [0.0, 1.0]]
    assert values["yhat"].tolist() == [[1.0], [1.0]]
    # MSE = 1/(2n) Σ(ŷ − y)² with n = 2 observations: ((1 − 2)² + (1 − 1)²)/4.
    assert values["MSE"] == 0.25


def test_ex7_backward_pass_and_the_step() -> None:
    g = gd.parse(NETWORK)
    result = gd.reverse(g, at=POINT)
    # The accumulator d at each layer, as the sheet passes it down (with the 1/n).
    assert result.adjoint("yhat").tolist() == [[-0.5], [0.0]]      # sheet: (−1, 0)
    assert result.adjoint("O1").tolist() == [[-0.25, -0.5], [0.0, 0.0]]
    assert result.adjoint("H1").tolist() == [[-0.25, 0.0], [0.0, 0.0]]
    gradient = result.gradient
    assert gradient["W2"].tolist() == [[-1.0], [0.0]]              # sheet: (−2, 0)
    assert gradient["W1"].tolist() == [[-0.25, 0.0], [-0.5, 0.0]]  # sheet: [[−0.5, 0], [−1, 0]]
    # One step of gradient descent with γ = 1 (the sheet's step for W1 subtracts
    # [[−0.5, −1], [0, 0]], the accumulator before the ReLU mask).
    step = {name: np.asarray(POINT[name]) - gradient[name] for name in ("W1", "W2")}
    assert step["W1"].tolist() == [[1.25, -1.0], [1.0, 0.0]]
    assert step["W2"].tolist() == [[1.5], [1.0]]
    # Forward mode, one sweep per entry, gives the same gradients.
    by_forward = gd.grad(g, POINT, method="forward", wrt=["W1", "W2"])
    for name in ("W1", "W2"):
        np.testing.assert_array_equal(by_forward[name], gradient[name])


def test_ex7_the_reverse_table_shows_the_shapes_and_rules() -> None:
    table = gd.reverse(gd.parse(NETWORK), at=POINT).table()
    for line in ("H1 [2×2] = X·W1", "W̄1 = Xᵀ·H̄1", "W̄2 = O1ᵀ·yhat_bar",
                 "Ō1 = yhat_bar·W2ᵀ", "H̄1 = Ō1 ⊙ [H1 > 0]"):
        assert line in table, line


def test_ex7_sigmoid_and_logloss() -> None:
    # (к)-(м): O2 = σ(ŷ) and logloss against y = (0, 1).  Its gradient in ŷ is
    # (O2 − y)/n; the sheet prints ≈ (0.74, 0.28) from a logloss formula without its log
    # and minus sign and without the 1/n.
    g = gd.parse(NETWORK.replace("MSE = mse(yhat, y) / 2",
                                 "O2 = sigmoid(yhat)\nlogloss_ = logloss(O2, y)"))
    at = {**POINT, "y": [[0.0], [1.0]]}
    values = dict(zip((g.name(n) for n in g.order), g.values(at), strict=True))
    sigma = 1 / (1 + np.exp(-1.0))
    np.testing.assert_allclose(values["O2"], [[sigma], [sigma]], rtol=1e-15)
    assert values["O2"][0, 0] == pytest.approx(0.73, abs=0.005)
    assert values["logloss_"] == pytest.approx(-(np.log(1 - sigma) + np.log(sigma)) / 2)
    d = gd.reverse(g, at=at).adjoint("yhat")
    np.testing.assert_allclose(d, [[sigma / 2], [(sigma - 1) / 2]], rtol=1e-12)
    # From the logits directly (stable), the same gradient.
    stable = gd.parse(NETWORK.replace("MSE = mse(yhat, y) / 2", "L = bce_logits(yhat, y)"))
    np.testing.assert_allclose(gd.reverse(stable, at=at).adjoint("yhat"), d, rtol=1e-12)


def test_ex7_the_logloss_derivatives_the_sheet_prints_without_signs() -> None:
    # The sheet: ∂logloss/∂p̂ ≈ (3.7, 1.4), ∂O2/∂ŷ ≈ 0.2, d ≈ (0.74, 0.28).  The right values
    # per observation (n = 1 each) are (1/(1 − p̂), −1/p̂), p̂(1 − p̂) and p̂ − y.
    g = gd.parse(NETWORK.replace("MSE = mse(yhat, y) / 2",
                                 "O2 = sigmoid(yhat)\nLL = logloss(O2, y)"))
    at = {**POINT, "y": [[0.0], [1.0]]}
    result = gd.reverse(g, at=at)
    p = 1 / (1 + np.exp(-1.0))
    n = 2
    dp = result.adjoint("O2") * n
    np.testing.assert_allclose(dp, [[1 / (1 - p)], [-1 / p]], rtol=1e-12)
    assert np.abs(dp).ravel() == pytest.approx([3.7, 1.4], abs=0.05)     # the sheet's magnitudes
    per_observation = result.adjoint("yhat") * n
    np.testing.assert_allclose(per_observation, [[p], [p - 1]], rtol=1e-12)
    assert np.abs(per_observation).ravel() == pytest.approx([0.74, 0.28], abs=0.015)
    # From there the same backward pass: ∂/∂W2 = O1ᵀ·d with O1 = [[2, 0], [0, 1]].
    np.testing.assert_allclose(result.gradient["W2"], [[p], [(p - 1) / 2]], rtol=1e-12)


# --- exercise 3: the sigmoid layer --------------------------------------------------------------


def test_ex3_the_sigmoid_layer_multiplies_entrywise_by_sigma_one_minus_sigma() -> None:
    g = gd.parse("Z: 3x2\nG: 3x2\nSigma = sigmoid(Z)\nL = sum(G * Sigma)")
    rng = np.random.default_rng(3)
    at = {"Z": rng.normal(size=(3, 2)), "G": rng.normal(size=(3, 2))}
    result = gd.reverse(g, at=at)
    S = 1 / (1 + np.exp(-at["Z"]))
    assert result.adjoint("Z").shape == (3, 2)                      # [n×k], as Z
    np.testing.assert_allclose(result.adjoint("Z"), at["G"] * S * (1 - S), rtol=1e-12)
    assert g.edge_vjp("Z", "Sigma") == "G ⊙ σ(Z)·(1 − σ(Z))"


# --- exercise 5: the accumulator d down a 2-2-1 network -------------------------------------------

EX5 = """
X: 4x2
W1: 2x2
W2: 2x2
W3: 2x1
y: 4x1
H1 = X @ W1
O1 = tanh(H1)
H2 = O1 @ W2
O2 = tanh(H2)
yhat = O2 @ W3
L = mse(yhat, y)
"""


def test_ex5_the_accumulator_d_is_the_adjoint_with_its_shape_at_each_step() -> None:
    g = gd.parse(EX5)
    rng = np.random.default_rng(5)
    at = {name: rng.normal(size=g.shape(name)) for name in g.inputs}
    result = gd.reverse(g, at=at)
    X, W1, W2, W3, y = (at[k] for k in ("X", "W1", "W2", "W3", "y"))
    O1 = np.tanh(X @ W1)
    O2 = np.tanh(O1 @ W2)
    d = 2 * (O2 @ W3 - y) / 4                                       # [n×1]
    np.testing.assert_allclose(result.adjoint("yhat"), d, rtol=1e-12)
    np.testing.assert_allclose(result.gradient["W3"], O2.T @ d, rtol=1e-12)
    d = d @ W3.T * (1 - O2**2)                                      # [n×1]·[1×2] ⊙ [n×2]
    assert d.shape == result.adjoint("H2").shape == (4, 2)
    np.testing.assert_allclose(result.adjoint("H2"), d, rtol=1e-12)
    np.testing.assert_allclose(result.gradient["W2"], O1.T @ d, rtol=1e-12)
    d = d @ W2.T * (1 - O1**2)
    np.testing.assert_allclose(result.adjoint("H1"), d, rtol=1e-12)
    np.testing.assert_allclose(result.gradient["W1"], X.T @ d, rtol=1e-12)
    # The edges are labelled as the sheet's scheme: ∂H2/∂W2 = O1ᵀ, ∂H2/∂O1 = Wᵀ.
    assert g.edge_vjp("W2", "H2", cotangent="d") == "O₁ᵀ·d"
    assert g.edge_vjp("O1", "H2", cotangent="d") == "d·W₂ᵀ"
    assert g.edge_vjp("H1", "O1", cotangent="d") == "d ⊙ (1 − tanh(H₁)²)"
