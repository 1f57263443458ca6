"""The optimizers of seed 003: three steps of each against its equations written out.

The tiny problem is a quadratic bowl J(w) = ½ wᵀAw − bᵀw in two coordinates, whose
gradient Aw − b the test computes itself; every update is then written by hand from the
seed's equations (in the docstrings of graphdiff.optim) and compared with opt.step.
"""

from __future__ import annotations

import numpy as np
import pytest

import graphdiff as gd
from graphdiff import optim
from graphdiff.errors import GraphdiffError

A = np.array([[3.0, 0.5], [0.5, 1.0]])
B = np.array([1.0, -2.0])
W0 = np.array([1.0, 1.0])


def gradient(w: np.ndarray) -> np.ndarray:
    return A @ w - B


def run(opt: optim.Optimizer, steps: int = 3) -> list[np.ndarray]:
    """The parameters after each of ``steps`` steps of ``opt`` from W0."""
    params = {"w": W0.copy()}
    state = opt.init(params)
    out = []
    for _ in range(steps):
        params, state = opt.step(params, {"w": gradient(params["w"])}, state)
        out.append(params["w"])
    return out


def by_hand_descent(mu: float) -> list[np.ndarray]:
    w, out = W0.copy(), []
    for _ in range(3):
        w = w - mu * gradient(w)                       # Θ_{t+1} = Θ_t − μ∇J(Θ_t)
        out.append(w)
    return out


@pytest.mark.parametrize("make", [optim.gd, optim.sgd, lambda lr: optim.minibatch(lr, 4)])
def test_descent_three_steps(make) -> None:
    np.testing.assert_allclose(run(make(0.1)), by_hand_descent(0.1), rtol=1e-14)


def test_descent_with_the_seeds_schedule() -> None:
    """μ_t = 1/t (seed 003): steps of 1, 1/2, 1/3."""
    w, expected = W0.copy(), []
    for t in (1, 2, 3):
        w = w - (1 / t) * gradient(w)
        expected.append(w)
    np.testing.assert_allclose(run(optim.gd(lr=optim.inverse_time())), expected, rtol=1e-14)


def test_momentum_three_steps() -> None:
    mu = 0.2
    w, p, expected = W0.copy(), np.zeros(2), []
    for _ in range(3):
        p = (1 - mu) * p + mu * gradient(w)            # P_{t+1} = (1 − μ)P_t + μ∇L
        w = w - mu * p                                 # Θ_{t+1} = Θ_t − μP_{t+1}
        expected.append(w)
    np.testing.assert_allclose(run(optim.momentum(lr=mu)), expected, rtol=1e-14)


def test_momentum_with_its_own_beta() -> None:
    mu, beta = 0.1, 0.5
    w, p, expected = W0.copy(), np.zeros(2), []
    for _ in range(3):
        p = beta * p + (1 - beta) * gradient(w)
        w = w - mu * p
        expected.append(w)
    np.testing.assert_allclose(run(optim.momentum(lr=mu, beta=beta)), expected, rtol=1e-14)


def test_nesterov_three_steps_are_the_look_ahead_method() -> None:
    """The stored form equals Nesterov's: the gradient at Θ_t − μβP_t, stored as Φ_t."""
    mu, beta = 0.1, 0.8
    theta, p, expected = W0.copy(), np.zeros(2), []
    for _ in range(3):
        look_ahead = theta - mu * beta * p
        p = beta * p + (1 - beta) * gradient(look_ahead)
        theta = theta - mu * p
        expected.append(theta - mu * beta * p)        # the look-ahead point Φ_{t+1}
    np.testing.assert_allclose(run(optim.nesterov(lr=mu, beta=beta)), expected, rtol=1e-13)


def test_adagrad_three_steps() -> None:
    mu, eps = 0.5, 1e-8
    w, gamma, expected = W0.copy(), np.zeros(2), []
    for _ in range(3):
        g = gradient(w)
        gamma = gamma + g * g                          # Γ_t = Γ_{t−1} + G ⊙ G
        w = w - mu * g / (np.sqrt(gamma) + eps)        # Θ_{t+1} = Θ_t − μ G ⊘ (√Γ_t + ϵ)
        expected.append(w)
    np.testing.assert_allclose(run(optim.adagrad(lr=mu)), expected, rtol=1e-14)


def test_rmsprop_three_steps() -> None:
    mu, alpha, eps = 0.05, 0.9, 1e-8
    w, gamma, expected = W0.copy(), np.zeros(2), []
    for _ in range(3):
        g = gradient(w)
        gamma = alpha * gamma + (1 - alpha) * g * g    # Γ_t = αΓ_{t−1} + (1 − α) G ⊙ G
        w = w - mu * g / (np.sqrt(gamma) + eps)
        expected.append(w)
    np.testing.assert_allclose(run(optim.rmsprop(lr=mu)), expected, rtol=1e-14)


def test_adam_three_steps() -> None:
    alpha, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    w, m, v, expected = W0.copy(), np.zeros(2), np.zeros(2), []
    for t in (1, 2, 3):
        g = gradient(w)
        m = b1 * m + (1 - b1) * g                      # m_t
        v = b2 * v + (1 - b2) * g * g                  # v_t
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        w = w - alpha * m_hat / (np.sqrt(v_hat) + eps)
        expected.append(w)
    np.testing.assert_allclose(run(optim.adam(lr=alpha)), expected, rtol=1e-14)


def test_adam_defaults_are_the_seeds() -> None:
    assert optim.adam().hyper == {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


def test_adam_bias_correction_makes_the_first_step_alpha_whatever_the_gradient() -> None:
    """m̂₁ = G and v̂₁ = G ⊙ G, so the first step is α·G ⊘ (|G| + ϵ) ≈ α·sign(G): without
    the corrections it would be α·(1 − β₁)G ⊘ (√(1 − β₂)|G|) ≈ 3.16α."""
    opt = optim.adam(lr=0.01)
    grads = np.array([1e-3, -5.0, 1e4])
    params, state = opt.step({"w": np.zeros(3)}, {"w": grads}, opt.init({"w": np.zeros(3)}))
    np.testing.assert_allclose(params["w"], -0.01 * np.sign(grads), rtol=1e-4)
    np.testing.assert_allclose(state["m"]["w"], 0.1 * grads)
    np.testing.assert_allclose(state["v"]["w"], 0.001 * grads**2)
    # The second step with the same gradient again moves by α: m̂₂ = G, v̂₂ = G ⊙ G.
    params, state = opt.step(params, {"w": grads}, state)
    np.testing.assert_allclose(params["w"], -0.02 * np.sign(grads), rtol=1e-4)


def test_step_leaves_its_arguments_alone_and_counts() -> None:
    opt = optim.adam()
    params = {"w": np.array([1.0, 2.0])}
    grads = {"w": np.array([0.5, 0.5])}
    state = opt.init(params)
    new, state2 = opt.step(params, grads, state)
    assert params["w"].tolist() == [1.0, 2.0] and state.t == 0 and state2.t == 1
    assert state["m"]["w"].tolist() == [0.0, 0.0]
    assert new["w"] is not params["w"]


def test_numbers_stay_numbers() -> None:
    params, _ = optim.momentum().step({"x": 1.0}, {"x": 1.0}, optim.momentum().init({"x": 1.0}))
    assert type(params["x"]) is float


def test_every_optimizer_lowers_a_graphs_loss() -> None:
    g = gd.parse("L = (x - 1)**2 + 3*(y + 2)**2")
    start = g.evaluate(x=0.0, y=0.0)
    for name, make in optim.OPTIMIZERS.items():
        opt = make(lr=0.05)
        params = {"x": 0.0, "y": 0.0}
        state = opt.init(params)
        for _ in range(20):
            params, state = opt.step(params, gd.grad(g, params), state)
        assert g.evaluate(params) < start, name


@pytest.mark.parametrize(("call", "message"), [
    (lambda: optim.gd(lr=0), "lr must be positive"),
    (lambda: optim.adam(beta1=1.0), r"beta1 must be in \[0, 1\)"),
    (lambda: optim.rmsprop(alpha=-0.1), "alpha must be"),
    (lambda: optim.adagrad(eps=0), "eps must be positive"),
    (lambda: optim.momentum(lr=2.0), "beta = 1 - lr"),
    (lambda: optim.minibatch(batch_size=0), "batch_size"),
])
def test_bad_hyper_parameters_are_refused(call, message) -> None:
    with pytest.raises(GraphdiffError, match=message):
        call()


def test_mismatched_gradients_and_states_are_refused() -> None:
    opt = optim.adam()
    state = opt.init({"w": np.zeros(2)})
    with pytest.raises(GraphdiffError, match="no gradient for w"):
        opt.step({"w": np.zeros(2)}, {"v": np.zeros(2)}, state)
    with pytest.raises(GraphdiffError, match="has shape"):
        opt.step({"w": np.zeros(2)}, {"w": np.zeros(3)}, state)
    with pytest.raises(GraphdiffError, match="init"):
        opt.step({"u": np.zeros(2)}, {"u": np.zeros(2)}, state)
