"""The training loop, initialisation, batches and layer-wise updates (graphdiff.train)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import graphdiff as gd
from graphdiff import optim
from graphdiff.errors import GraphdiffError
from graphdiff.train import fit, init, initialize, layerwise_step, with_shapes
from graphdiff.train.batches import batches

LINE = gd.parse("X: 40x1\nY: 40x1\nL = mean((a*X + b - Y)**2)")
X = np.linspace(-1, 1, 40).reshape(-1, 1)
DATA = {"X": X, "Y": 2 * X - 0.5}


# --- initialisation -------------------------------------------------------------------

def test_initialisers_are_seeded_and_shaped() -> None:
    g = gd.parse("X: 3x4\nW: 4x5\nb: 5\nL = sum(X @ W + b)")
    for scheme in init.SCHEMES:
        a = initialize(g, ["W", "b"], scheme, seed=7)
        b = initialize(g, ["W", "b"], scheme, seed=7)
        assert a["W"].shape == (4, 5) and a["b"].shape == (5,)
        assert (a["W"] == b["W"]).all() and (a["b"] == 0).all(), scheme
    assert not (initialize(g, ["W"], "he_normal", seed=1)["W"]
                == initialize(g, ["W"], "he_normal", seed=2)["W"]).all()


def test_initialisers_have_their_variances() -> None:
    shape = (300, 200)
    cases = {
        "xavier_uniform": 2 / 500, "xavier_normal": 2 / 500, "he_normal": 2 / 300,
        "he_uniform": 2 / 300, "seed003": (1 / 600) ** 2 / 3,  # U(±1/(2n))
    }
    for name, variance in cases.items():
        w = init.SCHEMES[name]()(shape, 0)
        assert abs(w.var() / variance - 1) < 0.05, name
        assert abs(w.mean()) < 0.05 * np.sqrt(variance), name
    assert init.constant(0.25)((2, 2)).tolist() == [[0.25, 0.25], [0.25, 0.25]]
    u = init.uniform(2, 3)((1000,), 0)
    assert u.min() >= 2 and u.max() < 3


def test_initialize_per_name_and_bias_and_errors() -> None:
    g = gd.parse("X: 1x2\nW: 2x2\nb: 2\nL = sum(X @ W + b)")
    p = initialize(g, ["W", "b"], {"W": init.constant(1.0), "b": init.constant(2.0)})
    assert p["W"].tolist() == [[1, 1], [1, 1]] and p["b"].tolist() == [2, 2]
    p = initialize(g, ["W", "b"], "xavier_normal", bias=init.constant(0.1))
    assert p["b"].tolist() == [0.1, 0.1]
    with pytest.raises(GraphdiffError, match="unknown initialisation"):
        initialize(g, ["W"], "glorot")
    with pytest.raises(GraphdiffError, match="no input named V"):
        initialize(g, ["V"], "zeros")


# --- batches and graphs for another batch size ---------------------------------------------

def test_batches_cover_every_example_once_per_epoch_in_a_seeded_order() -> None:
    rng1, rng2 = np.random.default_rng(3), np.random.default_rng(3)
    first = [b.tolist() for b in batches(10, 3, rng1)]
    assert first == [b.tolist() for b in batches(10, 3, rng2)]
    assert [len(b) for b in first] == [3, 3, 3, 1]
    assert sorted(i for b in first for i in b) == list(range(10))
    second = [b.tolist() for b in batches(10, 3, rng1)]
    assert second != first  # a new permutation each epoch


def test_with_shapes_keeps_names_and_values() -> None:
    small = with_shapes(LINE, {"X": (5, 1), "Y": (5, 1)})
    assert [small.name(n) for n in small.order] == [LINE.name(n) for n in LINE.order]
    point = {"a": 2.0, "b": -0.5, "X": X[:5], "Y": DATA["Y"][:5]}
    assert small.evaluate(point) == pytest.approx(0.0, abs=1e-15)
    assert with_shapes(LINE, {"X": (40, 1)}) is LINE
    with pytest.raises(GraphdiffError, match="names no input"):
        with_shapes(LINE, {"Z": (1,)})


# --- fit ----------------------------------------------------------------------------------

def test_gradient_descent_stops_on_the_seeds_tolerance() -> None:
    result = fit(LINE, {"a": 0.0, "b": 0.0}, optim.gd(lr=0.5), DATA, steps=5000, tol=1e-9)
    assert result.stopped == "tol" and result.steps < 5000
    assert result.params["a"] == pytest.approx(2.0, abs=1e-7)
    assert result.params["b"] == pytest.approx(-0.5, abs=1e-7)
    assert len(result.history.loss) == result.steps == len(result.history.epoch_loss)
    assert result.history.loss[0] == pytest.approx(LINE.evaluate(a=0.0, b=0.0, **DATA))


def test_target_steps_epochs_and_divergence() -> None:
    params = {"a": 0.0, "b": 0.0}
    r = fit(LINE, params, optim.gd(lr=0.5), DATA, steps=1000, target=1e-4)
    assert r.stopped == "target" and r.history.epoch_loss[-1] <= 1e-4
    assert r.history.epoch_loss[-2] > 1e-4
    r = fit(LINE, params, optim.gd(lr=0.5), DATA, steps=7)
    assert (r.stopped, r.steps, r.epochs) == ("steps", 7, 7)
    r = fit(LINE, params, optim.sgd(lr=0.1), DATA, epochs=2)
    assert (r.stopped, r.steps, r.epochs) == ("epochs", 80, 2)
    r = fit(LINE, params, optim.minibatch(lr=0.1, batch_size=16), DATA, epochs=3, steps=4)
    assert (r.stopped, r.steps, r.epochs) == ("steps", 4, 2)  # 3 batches an epoch
    r = fit(LINE, params, optim.gd(lr=5.0), DATA, steps=500)
    assert r.stopped == "diverged" and r.steps < 500


def test_batches_follow_the_optimizer_unless_told_and_the_seed_decides_the_order() -> None:
    params = {"a": 0.0, "b": 0.0}
    one = fit(LINE, params, optim.sgd(lr=0.1), DATA, epochs=1, seed=1)
    again = fit(LINE, params, optim.sgd(lr=0.1), DATA, epochs=1, seed=1)
    other = fit(LINE, params, optim.sgd(lr=0.1), DATA, epochs=1, seed=2)
    assert one.history.loss == again.history.loss and one.params == again.params
    assert one.history.loss != other.history.loss
    assert len(fit(LINE, params, optim.sgd(lr=0.1), DATA, epochs=1,
                   batch_size=None).history.loss) == 1
    assert len(fit(LINE, params, optim.adam(), DATA, epochs=1, batch_size=8).history.loss) == 5


def test_a_full_batch_step_is_the_graphs_gradient_step() -> None:
    params = {"a": 0.3, "b": -0.2}
    r = fit(LINE, params, optim.gd(lr=0.1), DATA, steps=1, record=True)
    grads = gd.grad(LINE, {**params, **DATA}, wrt=["a", "b"])
    assert r.history.params[0] == params
    assert r.params == pytest.approx({k: params[k] - 0.1 * grads[k] for k in params})


def test_a_mini_batch_step_uses_the_batchs_rows() -> None:
    params = {"a": 0.3, "b": -0.2}
    r = fit(LINE, params, optim.minibatch(lr=0.1, batch_size=8), DATA, steps=1, seed=5)
    index = next(batches(40, 8, np.random.default_rng(5)))
    small = with_shapes(LINE, {"X": (8, 1), "Y": (8, 1)})
    grads = gd.grad(small, {**params, "X": X[index], "Y": DATA["Y"][index]}, wrt=["a", "b"])
    assert r.params == pytest.approx({k: params[k] - 0.1 * grads[k] for k in params})


def test_fit_without_data_and_with_fixed_inputs() -> None:
    g = gd.parse("L = (x - c)**2")
    r = fit(g, {"x": 0.0}, optim.gd(lr=0.25), fixed={"c": 4.0}, steps=50, record=True)
    assert r.params["x"] == pytest.approx(4.0) and r.loss == pytest.approx(0.0, abs=1e-20)
    assert r.history.trajectory("x")[:3].tolist() == [0.0, 2.0, 3.0]


def test_history_smoothed_is_seed_003s_running_estimate() -> None:
    r = fit(LINE, {"a": 0.0, "b": 0.0}, optim.sgd(lr=0.05), DATA, epochs=1)
    smooth = r.history.smoothed(0.2)
    eps = r.history.loss
    assert smooth[0] == eps[0]
    assert smooth[5] == pytest.approx(0.2 * eps[5] + 0.8 * smooth[4])


def test_fit_refuses_what_it_cannot_use() -> None:
    p = {"a": 0.0, "b": 0.0}
    with pytest.raises(GraphdiffError, match="say how long"):
        fit(LINE, p, optim.gd(), DATA)
    with pytest.raises(GraphdiffError, match="no value for Y"):
        fit(LINE, p, optim.gd(), {"X": X}, steps=1)
    with pytest.raises(GraphdiffError, match="different numbers of examples"):
        fit(LINE, p, optim.gd(), {"X": X, "Y": DATA["Y"][:30]}, steps=1)
    with pytest.raises(GraphdiffError, match="given twice"):
        fit(LINE, p, optim.gd(), {**DATA, "a": X}, steps=1)
    with pytest.raises(GraphdiffError, match="rows like its declared shape"):
        fit(LINE, p, optim.gd(), {"X": X.ravel(), "Y": DATA["Y"]}, steps=1)
    vector = gd.parse("v: 2\nL = v*v", outputs=None)
    with pytest.raises(GraphdiffError, match="must be a number"):
        fit(vector, {"v": np.zeros(2)}, optim.gd(), steps=1)


def test_progress_bar_is_opt_in(capsys) -> None:
    fit(LINE, {"a": 0.0, "b": 0.0}, optim.gd(), DATA, steps=3)
    assert capsys.readouterr().err == ""
    fit(LINE, {"a": 0.0, "b": 0.0}, optim.gd(), DATA, steps=3, progress=True)
    assert "3/3" in capsys.readouterr().err


# --- layer-wise updates (seed 004 Ex8, variant б) -----------------------------------------

def test_layerwise_equals_the_usual_step_for_one_parameter_and_for_independent_ones() -> None:
    params = {"a": 0.3, "b": -0.2}
    usual = fit(LINE, params, optim.adam(lr=0.1), DATA, steps=5)
    # a and b enter through one node (a*X + b): b's gradient does not depend on a's value,
    # and a's is complete before b steps, so both schemes take the same steps.
    layer = fit(LINE, params, optim.adam(lr=0.1), DATA, steps=5, layerwise=True)
    assert layer.params == pytest.approx(usual.params, rel=1e-12)
    assert layer.history.loss == pytest.approx(usual.history.loss, rel=1e-12)


def test_layerwise_steps_the_last_layer_first_and_goes_on_with_it() -> None:
    g = gd.parse("L = (w3*tanh(w2*tanh(w1*x)) - y)**2 / 2")
    order = []

    def update(name, value, gradient):
        order.append(name)
        return value - gradient

    layerwise_step(g, {"w1": 0.5, "w2": 0.5, "w3": 0.5, "x": 1.0, "y": 2.0},
                   ["w1", "w2", "w3"], update)
    assert order == ["w3", "w2", "w1"]


def test_the_library_never_imports_plotting_or_prints() -> None:
    """Training runs without matplotlib, and only the progress bar (opt-in) writes."""
    package = Path(gd.__file__).parent
    for folder in ("train", "optim"):
        for path in (package / folder).glob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                    assert not any("matplotlib" in n or n == "plot" or n.endswith(".plot")
                                   for n in names), path
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "print":
                    pytest.fail(f"{path.name} prints")
