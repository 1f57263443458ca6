"""Seed 001, board task 1: the SGD update rules of a two-layer network in matrix form.

ŷ = tanh(ReLU(X·W1 + b1ᵀ)·W2 + b2ᵀ) with X an n×d batch, W1 d×H, b1 of H, W2 H×1, b2 a
number, and L = MSE = (1/n) Σ (ŷ − Y)².  The rules are W := W − η·∂L/∂W, b := b − η·∂L/∂b;
the task is the derivatives, last layer first.  The seed's solution, with
Z1 = X·W1 + b1ᵀ, A1 = ReLU(Z1), Z2 = A1·W2 + b2, ŷ = tanh(Z2):

    ∂L/∂ŷ  = (2/n)(ŷ − Y)ᵀ
    ∂L/∂Z2 = ∂L/∂ŷ · (1 − tanh²(Z2))
    ∂L/∂W2 = ∂L/∂Z2 · A1          ∂L/∂b2 = Σⱼ ∂L/∂Z2ʲ
    ∂L/∂Z1 = ((∂L/∂Z2)ᵀ · W2ᵀ · I{Z1 ≥ 0})ᵀ
    ∂L/∂W1 = ∂L/∂Z1 · X           ∂L/∂b1 = Σⱼ ∂L/∂Z1ʲ

The sheet "allows itself to transpose" to stay in two dimensions.  graphdiff derives the
same rules symbolically, as the adjoint graph of the network (each rule a node, written
with the matrices of the forward pass), where every derivative has its parameter's
shape: ∂L/∂W2 = A1ᵀ·Z̄2, ∂L/∂W1 = Xᵀ·Z̄1, with the bias gradients summed over the rows.
The rules are then checked three ways at a random point: reverse mode, the seed's
formulas written in NumPy, and central finite differences.
"""

import re

import numpy as np

import graphdiff as gd
from graphdiff.derive.differences import split_entries
from graphdiff.train import problems

n, d, hidden = 5, 3, 4
network = problems.seed001_network(n, d, hidden)

# The derivation: the adjoint graph's rules, in the forward pass's names.
adjoint = gd.reverse_graph(network)


def written(node):
    """A rule of the adjoint graph with its unnamed steps (v20, w7, ...) written out."""
    text = adjoint.formula(node, "unicode")
    while (step := re.search(r"\b[vw]\d+\b", text)) is not None:
        inner = adjoint.formula(step.group(), "unicode")
        bare = re.sub(r"\([^()]*\)", "", inner)  # brackets only around a sum or product
        text = text.replace(step.group(), f"({inner})" if " " in bare or "·" in bare else inner)
    return text


print("The update rules, derived as a graph (Z̄ is ∂L/∂Z):")
for node in ("yhat_bar", "Z̄2", "W̄2", "b̄2", "Ā1", "Z̄1", "W̄1", "b̄1"):
    print(f"  {node} = {written(node)}")
print("  (1 − step(−Z1) is I{Z1 ≥ 0}; sum_to(G, b) sums G's rows to b's shape, the seed's Σⱼ)")
print("\nThe seed's rules, with graphdiff's shapes:")
for name, rule in problems.seed001_update_rules().items():
    print(f"  ∂L/∂{name:<4} = {rule}")

# A random point.
rng = np.random.default_rng(1)
point = {"X": rng.normal(size=(n, d)), "Y": rng.uniform(-1, 1, size=(n, 1)),
         "W1": rng.normal(size=(d, hidden)), "b1": rng.normal(size=hidden),
         "W2": rng.normal(size=(hidden, 1)), "b2": rng.normal(size=1)}
weights = ["W1", "b1", "W2", "b2"]
sweep = gd.reverse(network, at=point)
print("\nReverse mode at a random point (the worked table):")
print(sweep.table())


def seed_rules(p):
    """The seed's solution written in NumPy, transposed to graphdiff's shapes."""
    z1 = p["X"] @ p["W1"] + p["b1"]
    a1 = np.maximum(z1, 0.0)
    z2 = a1 @ p["W2"] + p["b2"]
    y_hat = np.tanh(z2)
    dy = 2.0 / n * (y_hat - p["Y"])
    dz2 = dy * (1.0 - np.tanh(z2) ** 2)
    dz1 = (dz2 @ p["W2"].T) * (z1 >= 0)
    return {"W2": a1.T @ dz2, "b2": dz2.sum(axis=0), "W1": p["X"].T @ dz1,
            "b1": dz1.sum(axis=0)}


by_hand = seed_rules(point)
numeric = split_entries(network, gd.numeric_diff(network, point).value)
print("\n        reverse vs seed's rules   reverse vs finite differences")
for name in weights:
    graph_value = sweep.gradient[name]
    rule_error = np.abs(graph_value - by_hand[name]).max()
    numeric_error = np.abs(graph_value - numeric[name]).max() / np.abs(graph_value).max()
    print(f"  ∂L/∂{name:<3} {rule_error:>18.1e}   {numeric_error:>20.1e} (relative)")
    assert rule_error < 1e-12 and numeric_error < 1e-7

# One step of SGD with η = 0.1: the update rules at work.
eta = 0.1
after = {k: point[k] - eta * sweep.gradient[k] for k in weights}
print(f"\nOne SGD step, η = {eta}: L = {float(sweep.value):.6f} → "
      f"{network.evaluate({**point, **after}):.6f}")
