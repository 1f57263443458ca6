"""The seeds' neural-network exercises end to end: exact where the sheets give numbers.

seed 004 Ex6 (two SGD steps from zero weights) and Ex8 (layer-wise updates); seed 001's
update rules against finite differences, its 100-layer tanh vanishing gradient and the
Cybenko fit; seed 002's backpropagation through time.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import graphdiff as gd
from graphdiff import optim
from graphdiff.derive.differences import split_entries
from graphdiff.train import fit, init, initialize, layerwise_step, problems

EX6_DATA = {"X": np.array([[5.0, 2.0], [1.0, 1.0]]), "y": np.array([[1.0], [0.0]])}


def fractions(matrix) -> list[list[Fraction]]:
    """Every entry as an exact fraction (the floats here are dyadic: no rounding)."""
    return [[Fraction(x) for x in row] for row in np.atleast_2d(matrix).tolist()]


def f(text: str) -> Fraction:
    return Fraction(text)


# --- seed 004, exercise 6 -----------------------------------------------------------------

def ex6_run(layerwise: bool = False):
    network = problems.ex6_network()
    start = initialize(network, ["W1", "W2", "W3"], "zeros")
    return network, fit(network, start, optim.sgd(lr=1.0), EX6_DATA, epochs=1, shuffle=False,
                        record=True, layerwise=layerwise)


def test_ex6_weights_after_each_step_are_the_sheets_fractions() -> None:
    _, run = ex6_run()
    step1, step2 = run.history.params[1], run.history.params[2]
    half, quarter, m32 = f("1/2"), f("1/4"), f("-1/32")
    assert fractions(step1["W3"]) == [[half], [half]]
    assert fractions(step1["W2"]) == [[0, 0], [0, 0]]
    assert fractions(step1["W1"]) == [[0, 0], [0, 0]]
    assert fractions(step2["W3"]) == [[quarter], [quarter]]
    assert fractions(step2["W2"]) == [[m32, m32], [m32, m32]]
    assert fractions(step2["W1"]) == [[0, 0], [0, 0]]   # the sheet's "W1¹" is W1²
    assert run.history.loss == [0.5, 0.125]              # ½(0 − 1)², then ½(½ − 0)²


def test_ex6_backprop_accumulator_d_at_each_layer() -> None:
    network, run = ex6_run()
    first = gd.reverse(network, at={**run.history.params[0], "X": EX6_DATA["X"][:1],
                                    "y": EX6_DATA["y"][:1]})
    second = gd.reverse(network, at={**run.history.params[1], "X": EX6_DATA["X"][1:],
                                     "y": EX6_DATA["y"][1:]})
    assert fractions(first.adjoint("yhat")) == [[-1]]                 # d = ŷ − y
    assert fractions(first.adjoint("H2")) == [[0, 0]]                 # W3 = 0 stops it
    assert fractions(second.adjoint("yhat")) == [[f("1/2")]]
    assert fractions(second.adjoint("H2")) == [[f("1/16"), f("1/16")]]
    assert fractions(second.adjoint("H1")) == [[0, 0]]                # W2 was still 0
    assert fractions(second.gradient["W2"]) == [[f("1/32")] * 2] * 2


def test_ex6_any_constant_keeps_the_units_alike_random_weights_do_not() -> None:
    network = problems.ex6_network()
    names = ["W1", "W2", "W3"]
    for scheme in (init.zeros(), init.constant(0.3)):
        start = initialize(network, names, {n: scheme for n in names})
        end = fit(network, start, optim.sgd(lr=1.0), EX6_DATA, epochs=3, shuffle=False).params
        for w in ("W1", "W2"):
            assert np.allclose(end[w][:, 0], end[w][:, 1]), (scheme, w)
    start = initialize(network, names, "xavier_uniform", seed=0)
    end = fit(network, start, optim.sgd(lr=1.0), EX6_DATA, epochs=3, shuffle=False).params
    assert not np.allclose(end["W2"][:, 0], end["W2"][:, 1])


# --- seed 004, exercise 8 -----------------------------------------------------------------

def test_ex8_variant_b_on_ex6_steps_the_later_layers_first_exactly() -> None:
    """Variant б on Ex6's first step: W3 steps to (1/2, 1/2)ᵀ, then d = −1·W3ᵀ ∗ ¼ =
    (−1/8, −1/8) gives W2 = 1/16 everywhere, then d = (−1/8, −1/8)·W2ᵀ ∗ ¼ = −1/256 gives
    W1 = −Xᵀd = (5, 2)ᵀ/256: with variant б the first layer moves at the first step."""
    _, run = ex6_run(layerwise=True)
    step1 = run.history.params[1]
    assert fractions(step1["W3"]) == [[f("1/2")], [f("1/2")]]
    assert fractions(step1["W2"]) == [[f("1/16")] * 2] * 2
    assert fractions(step1["W1"]) == [[f("5/256")] * 2, [f("2/256")] * 2]


def test_ex8_variant_b_is_the_backward_pass_with_the_new_weights() -> None:
    """Against variant б written by hand in NumPy for a sigmoid network with biases."""
    network = problems.mlp(8, 2, 4, 2, "sigmoid")
    data = problems.regression_data(8, seed=3)
    names = ["W1", "b1", "W2", "b2", "W3"]
    p = initialize(network, names, "xavier_normal", bias=init.normal(0.5), seed=4)
    eta, new = 0.7, {}

    def update(name, value, gradient):
        new[name] = value - eta * gradient
        return new[name]

    layerwise_step(network, {**p, **data}, names, update)

    def sigma(z):
        return 1 / (1 + np.exp(-z))

    h1 = data["X"] @ p["W1"] + p["b1"]
    o1 = sigma(h1)
    o2 = sigma(o1 @ p["W2"] + p["b2"])
    d = (o2 @ p["W3"] - data["Y"]) / 8                 # ∂(½·MSE)/∂ŷ
    w3 = p["W3"] - eta * o2.T @ d
    d = d @ w3.T * o2 * (1 - o2)                       # with the new W3
    w2, b2 = p["W2"] - eta * o1.T @ d, p["b2"] - eta * d.sum(axis=0)
    d = d @ w2.T * o1 * (1 - o1)                       # with the new W2
    w1, b1 = p["W1"] - eta * data["X"].T @ d, p["b1"] - eta * d.sum(axis=0)
    for name, expected in (("W3", w3), ("W2", w2), ("b2", b2), ("W1", w1), ("b1", b1)):
        np.testing.assert_allclose(new[name], expected, rtol=1e-12, atol=1e-15)


def test_ex8_what_was_observed_same_at_small_rates_variant_b_diverges_at_large_ones() -> None:
    """The observation the example prints and docs/training.md reports, on one seed: the
    2-sigmoid-layer network, SGD on batches of 16.  At η = 0.03 the two schemes end within
    10⁻⁴ of each other (measured: 7·10⁻⁶ relative); at η = 1, after 48 steps, variant а's
    loss is about 0.13 while variant б's biased steps have blown it up past 10⁷⁰."""
    data = problems.regression_data(256, seed=0)
    network = problems.mlp(16, 2, 8, 2, "sigmoid")
    start = initialize(network, ["W1", "b1", "W2", "b2", "W3"], "xavier_normal", seed=0)

    def run(lr: float, layerwise: bool, steps: int):
        return fit(network, start, optim.sgd(lr=lr), data, steps=steps, batch_size=16, seed=0,
                   layerwise=layerwise)

    a, b = run(0.03, False, 64), run(0.03, True, 64)
    assert a.loss < 0.7 * a.history.loss[0]                  # both learn ...
    assert b.loss == pytest.approx(a.loss, rel=1e-4)         # ... and alike
    a, b = run(1.0, False, 48), run(1.0, True, 48)
    assert a.loss < 0.2
    assert not b.loss < 1e10                                  # inf, nan or merely huge


# --- seed 001 -------------------------------------------------------------------------------

def test_seed001_update_rules_against_finite_differences_and_the_seeds_formulas() -> None:
    n, d, hidden = 6, 3, 5
    network = problems.seed001_network(n, d, hidden)
    rng = np.random.default_rng(11)
    point = {"X": rng.normal(size=(n, d)), "Y": rng.uniform(-1, 1, size=(n, 1)),
             "W1": rng.normal(size=(d, hidden)), "b1": rng.normal(size=hidden),
             "W2": rng.normal(size=(hidden, 1)) * 0.5, "b2": rng.normal(size=1)}
    gradient = gd.grad(network, point)
    numeric = split_entries(network, gd.numeric_diff(network, point).value)
    z1 = point["X"] @ point["W1"] + point["b1"]
    a1 = np.maximum(z1, 0)
    y_hat = np.tanh(a1 @ point["W2"] + point["b2"])
    dz2 = 2 / n * (y_hat - point["Y"]) * (1 - y_hat**2)
    dz1 = dz2 @ point["W2"].T * (z1 >= 0)
    seed = {"W2": a1.T @ dz2, "b2": dz2.sum(0), "W1": point["X"].T @ dz1, "b1": dz1.sum(0)}
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(gradient[name], seed[name], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(gradient[name], numeric[name], rtol=1e-6, atol=1e-8)
    # The rules as the adjoint graph derives them, in matrix form.
    adjoint = gd.reverse_graph(network)
    assert adjoint.formula("W̄2") == "A1.T @ Z̄2"
    assert adjoint.formula("W̄1") == "X.T @ Z̄1"
    assert adjoint.formula("Ā1") == "Z̄2 @ W2.T"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_seed001_vanishing_gradient_is_geometric_at_the_seeds_initialisation(seed) -> None:
    """Seed 003's wⱼ ~ U(±1/(2n)): ‖∂L/∂Wᵢ‖ falls by the same factor per layer from the
    output back, ≈ ‖W‖ ≈ 1/(2√(3n)) (tanh′ ≈ 1 near 0), here over 100 layers."""
    depth, width, n = 100, 16, 32
    network = problems.tanh_stack(depth, width, n)
    rng = np.random.default_rng(seed)
    data = {"X": rng.normal(size=(n, width)), "Y": rng.uniform(-1, 1, size=(n, width))}
    names = [f"{k}{i}" for i in range(1, depth + 1) for k in "Wb"]
    params = initialize(network, names, init.seed003(), bias=init.seed003(), seed=seed)
    weights = [f"W{i}" for i in range(1, depth + 1)]
    gradient = gd.grad(network, {**params, **data}, wrt=weights)
    log_norms = np.log10([np.linalg.norm(gradient[w]) for w in weights])
    layers = np.arange(1, depth + 1)
    slope, intercept = np.polyfit(layers, log_norms, 1)
    fitted = slope * layers + intercept
    r2 = 1 - np.sum((log_norms - fitted) ** 2) / np.sum((log_norms - log_norms.mean()) ** 2)
    assert r2 > 0.999                                         # a straight line on a log scale
    assert 10 ** -slope == pytest.approx(1 / (2 * np.sqrt(3 * width)), rel=0.1)
    assert log_norms[-1] - log_norms[0] > 100                 # ∂L/∂W1 ~ 10⁻¹⁰⁰ of ∂L/∂W100
    # Layer by layer, not only on average (the first layers see the data X, not small
    # activations, and step differently).
    ratios = np.diff(log_norms)[2:]
    assert ratios.min() > 0.5 and ratios.max() < 1.8


def test_seed001_xavier_keeps_the_gradients_within_a_factor_of_ten() -> None:
    depth, width, n = 100, 16, 32
    network = problems.tanh_stack(depth, width, n)
    rng = np.random.default_rng(0)
    data = {"X": rng.normal(size=(n, width)), "Y": rng.uniform(-1, 1, size=(n, width))}
    names = [f"{k}{i}" for i in range(1, depth + 1) for k in "Wb"]
    params = initialize(network, names, "xavier_normal", seed=1)
    weights = [f"W{i}" for i in range(1, depth + 1)]
    gradient = gd.grad(network, {**params, **data}, wrt=weights)
    norms = np.array([np.linalg.norm(gradient[w]) for w in weights])
    assert norms.max() / norms.min() < 30 and norms.min() > 1e-4


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_seed001_cybenko_fit_reaches_the_threshold(seed) -> None:
    """H = 32, 200 points of [0, 1], Adam with a warm-up (0.01 decaying towards 0.001): the
    MSE falls to 0.005 -- the mean square of the 0.1·cos(50x) term alone -- within 500 steps
    (after 109, 359 and 208 steps for seeds 0, 1, 2; every seed up to 7 within 360)."""
    n, hidden, steps = 200, 32, 1000
    x = np.linspace(0, 1, n).reshape(-1, 1)
    data = {"X": x, "Y": problems.cybenko(x)}
    network = problems.seed001_network(n, hidden=hidden)
    schedule = optim.exponential(0.01, 0.001, steps=steps, warmup=40)
    run = fit(network, problems.cybenko_init(hidden, seed=seed), optim.adam(lr=schedule), data,
              steps=500, target=0.005)
    assert run.stopped == "target", run.history.loss[-1]
    assert run.history.loss[-1] <= 0.005 and run.history.loss[0] > 0.02


# --- seed 002 -------------------------------------------------------------------------------

def test_seed002_bptt_shared_weight_gradient_is_the_sum_over_time_steps() -> None:
    steps, vocabulary, embedding, hidden = 4, 3, 2, 3
    shared = problems.rnn(steps, vocabulary, embedding, hidden)
    copies = problems.rnn(steps, vocabulary, embedding, hidden, shared=False)
    rng = np.random.default_rng(5)
    tokens = rng.integers(0, vocabulary, size=steps + 1)
    point = {"h0": rng.normal(size=(hidden, 1))}  # h⁽⁰⁾ ≠ 0: every step's copy counts
    for t in range(1, steps + 1):
        point[f"x{t}"] = np.eye(vocabulary)[tokens[t - 1]].reshape(-1, 1)
        point[f"y{t}"] = np.eye(vocabulary)[tokens[t]].reshape(1, -1)
    point |= initialize(shared, ["E", "b1", "We", "W2", "b2", "Wh"], "xavier_normal", seed=5)
    per_step = {**{k: v for k, v in point.items() if k != "Wh"},
                **{f"Wh_{t}": point["Wh"] for t in range(1, steps + 1)}}
    assert shared.evaluate(point) == pytest.approx(copies.evaluate(per_step), rel=1e-15)
    gradient = gd.grad(shared, point, wrt=["Wh"])["Wh"]
    contributions = gd.grad(copies, per_step, wrt=[f"Wh_{t}" for t in range(1, steps + 1)])
    assert all(np.abs(c).max() > 1e-6 for c in contributions.values())
    np.testing.assert_allclose(gradient, sum(contributions.values()), rtol=1e-12, atol=1e-15)
    numeric = split_entries(shared, gd.numeric_diff(shared, point).value)["Wh"]
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-9)


def test_seed002_the_sum_over_time_steps_is_the_sum_over_paths() -> None:
    rnn = gd.parse("h1 = tanh(w*h0 + x1)\nh2 = tanh(w*h1 + x2)\nJ = (h1 - y1)**2 + (h2 - y2)**2")
    point = {"w": 0.7, "h0": 0.4, "x1": 0.3, "x2": -0.6, "y1": 0.2, "y2": 0.5}
    result = gd.paths(rnn, "w", at=point)
    assert len(result.paths) == 3          # leave w at step 1 (→ J1, → J2) or at step 2 (→ J2)
    by_use: dict[str, float] = {}
    for path in result.paths:
        use = rnn.formula(path.names[1])
        by_use[use] = by_use.get(use, 0.0) + path.value
    assert set(by_use) == {"w*h0", "w*h1"}
    assert sum(by_use.values()) == pytest.approx(gd.grad(rnn, point)["w"], rel=1e-13)
