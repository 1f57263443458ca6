"""The seeds' training problems as graphs: the networks and the function to fit.

Each builder writes the network as a graphdiff program in the seed's notation and parses
it, so the examples, the tests, the benchmark and the docs train the same graphs.

>>> from graphdiff.train import problems
>>> g = problems.seed001_network(n=8, hidden=4)
>>> [(g.name(v), g.shape(v)) for v in g.order if g.kind(v) == "input"]
[('X', (8, 1)), ('W1', (1, 4)), ('b1', (4,)), ('W2', (4, 1)), ('b2', (1,)), ('Y', (8, 1))]
>>> round(float(problems.cybenko(0.5)), 6)
0.53982
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph import Graph
from ..parse import Limits, parse


def cybenko(x: Any) -> Any:
    """Seed 001's function to approximate, f(x) = 0.2 + 0.4x² + 0.3x·sin(15x) + 0.1·cos(50x).

    >>> cybenko(np.array([0.0, 1.0])).round(4).tolist()
    [0.3, 0.8916]
    """
    x = np.asarray(x, dtype=float)
    return 0.2 + 0.4 * x**2 + 0.3 * x * np.sin(15 * x) + 0.1 * np.cos(50 * x)


def seed001_network(n: int, d: int = 1, hidden: int = 32) -> Graph:
    """Seed 001's board task, ŷ = tanh(ReLU(X·W1 + b1ᵀ)·W2 + b2ᵀ), with L = MSE.

    X is n×d (a batch), W1 d×H, b1 of H, W2 H×1, b2 of 1; the nodes are the solution's
    Z1, A1, Z2 and ŷ.  ``mse`` is (1/n) Σ (ŷ − Y)², so ∂L/∂ŷ = (2/n)(ŷ − Y), the seed's.

    >>> g = seed001_network(n=2, d=1, hidden=2)
    >>> point = {"X": np.array([[1.0], [2.0]]), "W1": np.array([[1.0, -1.0]]),
    ...          "b1": np.zeros(2), "W2": np.array([[0.5], [2.0]]), "b2": np.zeros(1),
    ...          "Y": np.array([[0.0], [0.0]])}
    >>> bool(np.isclose(g.evaluate(point), (np.tanh(0.5)**2 + np.tanh(1.0)**2) / 2))
    True
    """
    return parse(f"""
X: {n}x{d}
Y: {n}x1
W1: {d}x{hidden}
b1: {hidden}
W2: {hidden}x1
b2: 1
Z1 = X @ W1 + b1
A1 = relu(Z1)
Z2 = A1 @ W2 + b2
yhat = tanh(Z2)
L = mse(yhat, Y)
""")


def cybenko_init(hidden: int, *, scale: float = 20.0, seed: int = 0) -> dict[str, np.ndarray]:
    """First weights for :func:`seed001_network` on [0, 1]: unit h's kink at a random s.

    Seed 001 builds its approximation from units that switch on at s = −b/w; here each
    ReLU unit's kink s = −b1_h/W1_h is drawn uniformly from [0, 1] (zero biases would put
    every kink at x = 0, where a ReLU network of one input is linear on [0, 1]), the
    slopes W1 from N(0, scale²), and W2 small enough that tanh starts far from
    saturation.

    >>> p = cybenko_init(4, seed=0)
    >>> kinks = -p["b1"] / p["W1"][0]
    >>> bool(((0 <= kinks) & (kinks <= 1)).all()), p["W2"].shape, p["b2"].tolist()
    (True, (4, 1), [0.0])
    """
    rng = np.random.default_rng(seed)
    w1 = rng.normal(0.0, scale, size=(1, hidden))
    kinks = rng.uniform(0.0, 1.0, size=hidden)
    return {"W1": w1, "b1": -w1[0] * kinks,
            "W2": rng.normal(0.0, 1.0 / (scale * np.sqrt(hidden)), size=(hidden, 1)),
            "b2": np.zeros(1)}


def seed001_update_rules() -> dict[str, str]:
    """Seed 001's solution for the board task, in matrix form with graphdiff's shapes.

    The sheet transposes where it must to stay in two dimensions; written for X @ W,
    with Z̄ = ∂L/∂Z (as the adjoint graph prints it):

    >>> seed001_update_rules()["W2"]
    'A1ᵀ · Z̄2'
    """
    return {
        "yhat": "(2/n)(ŷ − Y)",
        "Z2": "ȳ ∗ (1 − tanh²(Z2))",
        "W2": "A1ᵀ · Z̄2",
        "b2": "Σ_rows Z̄2",
        "A1": "Z̄2 · W2ᵀ",
        "Z1": "Ā1 ∗ I{Z1 ≥ 0}",
        "W1": "Xᵀ · Z̄1",
        "b1": "Σ_rows Z̄1",
    }


def ex6_network() -> Graph:
    """Seed 004 exercise 6: X → W1 → σ → W2 → σ → W3 → ŷ, L = ½(ŷ − y)², one observation.

    >>> g = ex6_network()
    >>> [g.shape(name) for name in ("X", "W1", "W2", "W3")]
    [(1, 2), (2, 2), (2, 2), (2, 1)]
    """
    return parse("""
X: 1x2
y: 1x1
W1: 2x2
W2: 2x2
W3: 2x1
H1 = X @ W1
O1 = sigmoid(H1)
H2 = O1 @ W2
O2 = sigmoid(H2)
yhat = O2 @ W3
L = sum((yhat - y)**2) / 2
""")


def mlp(n: int, inputs: int, width: int, depth: int, activation: str = "sigmoid") -> Graph:
    """Seed 004 exercise 5's network for any depth: Hᵢ = Oᵢ₋₁·Wᵢ + bᵢ, Oᵢ = f(Hᵢ), ŷ = O·W,
    with L = ½·MSE (the sheet's ½(ŷ − y)² averaged over the n rows of X).

    >>> g = mlp(n=4, inputs=2, width=3, depth=2)
    >>> [(name, g.shape(name)) for name in ("W1", "W2", "W3")]
    [('W1', (2, 3)), ('W2', (3, 3)), ('W3', (3, 1))]
    """
    declarations = [f"X: {n}x{inputs}", f"Y: {n}x1"]
    body, previous, fan_in = [], "X", inputs
    for i in range(1, depth + 1):
        declarations += [f"W{i}: {fan_in}x{width}", f"b{i}: {width}"]
        body += [f"H{i} = {previous} @ W{i} + b{i}", f"O{i} = {activation}(H{i})"]
        previous, fan_in = f"O{i}", width
    declarations.append(f"W{depth + 1}: {width}x1")
    body += [f"yhat = {previous} @ W{depth + 1}", "L = mse(yhat, Y) / 2"]
    return parse("\n".join(declarations + body), limits=Limits.unlimited_size())


def regression_data(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """A small regression problem in two variables: y = sin(πx₁)·x₂ + x₁/2 on [−1, 1]².

    >>> data = regression_data(5)
    >>> data["X"].shape, data["Y"].shape
    ((5, 2), (5, 1))
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    return {"X": x, "Y": (np.sin(np.pi * x[:, 0]) * x[:, 1] + 0.5 * x[:, 0]).reshape(-1, 1)}


def tanh_stack(depth: int, width: int, n: int) -> Graph:
    """Seed 001's deep network: A0 = X, Zᵢ = Aᵢ₋₁·Wᵢ + bᵢ, Aᵢ = tanh(Zᵢ), L = MSE(A_N, Y).

    Every layer is width×width; X and Y are n×width.

    >>> g = tanh_stack(depth=3, width=2, n=4)
    >>> list(g.inputs)
    ['X', 'W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'Y']
    """
    lines = [f"X: {n}x{width}", f"Y: {n}x{width}"]
    for i in range(1, depth + 1):
        lines += [f"W{i}: {width}x{width}", f"b{i}: {width}"]
    previous = "X"
    for i in range(1, depth + 1):
        lines += [f"Z{i} = {previous} @ W{i} + b{i}", f"A{i} = tanh(Z{i})"]
        previous = f"A{i}"
    lines.append(f"L = mse({previous}, Y)")
    return parse("\n".join(lines), limits=Limits.unlimited_size())


def rnn(steps: int, vocabulary: int, embedding: int, hidden: int, *,
        shared: bool = True) -> Graph:
    """Seed 002's recurrent network unrolled over T = ``steps`` steps, column vectors.

    e⁽ᵗ⁾ = E·x⁽ᵗ⁾, h⁽ᵗ⁾ = tanh(W_h h⁽ᵗ⁻¹⁾ + W_e e⁽ᵗ⁾ + b₁), ŷ⁽ᵗ⁾ = softmax(W₂ h⁽ᵗ⁾ + b₂),
    J⁽ᵗ⁾ the cross-entropy of ŷ⁽ᵗ⁾ against the one-hot y⁽ᵗ⁾, J = (1/T) Σₜ J⁽ᵗ⁾.  The
    inputs x1..xT are one-hot columns, y1..yT one-hot rows, h0 the first state.

    With ``shared=False`` step t has its own copy ``Wh_t`` of W_h, the seed's W_h|₍τ₎:
    at equal values the graphs compute the same J, and ∂J/∂W_h = Σ_τ ∂J/∂W_h|₍τ₎.

    >>> g = rnn(steps=2, vocabulary=3, embedding=2, hidden=2, shared=False)
    >>> [name for name in g.inputs if name.startswith("Wh")]
    ['Wh_1', 'Wh_2']
    """
    lines = [f"E: {embedding}x{vocabulary}", f"h0: {hidden}x1", f"b1: {hidden}x1",
             f"We: {hidden}x{embedding}", f"W2: {vocabulary}x{hidden}",
             f"b2: {vocabulary}x1"]
    lines += [f"Wh: {hidden}x{hidden}"] if shared else [
        f"Wh_{t}: {hidden}x{hidden}" for t in range(1, steps + 1)]
    for t in range(1, steps + 1):
        lines += [f"x{t}: {vocabulary}x1", f"y{t}: 1x{vocabulary}"]
    for t in range(1, steps + 1):
        wh = "Wh" if shared else f"Wh_{t}"
        lines += [f"e{t} = E @ x{t}",
                  f"h{t} = tanh({wh} @ h{t - 1} + We @ e{t} + b1)",
                  f"z{t} = W2 @ h{t} + b2",
                  f"J{t} = cross_entropy(z{t}.T, y{t})"]
    lines.append(f"J = ({' + '.join(f'J{t}' for t in range(1, steps + 1))}) / {steps}")
    return parse("\n".join(lines), limits=Limits.unlimited_size())
