"""Seed 001, board task 2: the vanishing gradient of a 100-layer tanh network, in matrix form.

A0 = X, Zᵢ = Aᵢ₋₁·Wᵢ + bᵢ, Aᵢ = tanh(Zᵢ), ŷ = A_N, L = MSE(ŷ, Y).  The chain rule gives

    ∂L/∂W1 = ∂L/∂A_N · tanh′(Z_N) · W_Nᵀ · tanh′(Z_{N−1}) · … · tanh′(Z1) · X

(the seed's product, transposes aside): every layer multiplies the backward signal
d = ∂L/∂Zᵢ by Wᵢᵀ and by tanh′ < 1, so with small weights it shrinks by about the same
factor per layer -- geometrically with depth.  With seed 003's initialisation
wⱼ ~ U(−1/(2n), 1/(2n)) (n = 16 units, biases alike) the factor is about ‖W‖ ≈
√n·(1/(2n))/√3 = 1/(2√(3n)) ≈ 0.072, so ∂L/∂W1 is ~10⁻¹¹⁵ when ∂L/∂W100 is ~10⁻³.  With
Xavier/Glorot's initialisation, scaled so that a signal keeps its size through a tanh
layer, the weight gradients stay within a factor of ten over the hundred layers.

The graph is the network written in matrix form (500 nodes); one reverse sweep gives every
layer's gradient, checked against the seed's product computed by hand.  The figure plots
‖∂L/∂Wᵢ‖ and ‖dᵢ‖ = ‖∂L/∂Zᵢ‖ per layer on a log scale for both initialisations.

Run:  python examples/seed_001_vanishing_matrix.py [--out DIR]
"""

import argparse

import numpy as np

import graphdiff as gd
from graphdiff import plot
from graphdiff.train import init, initialize, problems

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", help="folder for the figure (default $GRAPHDIFF_OUT or ./out)")
args = parser.parse_args()

depth, width, n = 100, 16, 32
network = problems.tanh_stack(depth, width, n)
rng = np.random.default_rng(0)
data = {"X": rng.normal(size=(n, width)), "Y": rng.uniform(-1, 1, size=(n, width))}
weights = [f"W{i}" for i in range(1, depth + 1)]
biases = [f"b{i}" for i in range(1, depth + 1)]
print(f"the network: {depth} tanh layers of {width}, a batch of {n}; the graph has "
      f"{len(network)} nodes")

schemes = {
    "seed 003: U(−1/(2n), 1/(2n))": dict(scheme=init.seed003(), bias=init.seed003()),
    "Xavier/Glorot": dict(scheme=init.xavier_normal(), bias=init.zeros()),
}
weight_norms, signal_norms = {}, {}
for label, how in schemes.items():
    params = initialize(network, weights + biases, seed=1, **how)
    sweep = gd.reverse(network, at={**params, **data}, wrt=weights)
    weight_norms[label] = [np.linalg.norm(sweep.gradient[w]) for w in weights]
    signal_norms[label] = [np.linalg.norm(sweep.adjoint(f"Z{i}")) for i in range(1, depth + 1)]

    # The seed's product by hand: d = ∂L/∂A_N, then d ← (d ∗ tanh′(Zᵢ)) and Wᵢᵀ down.
    activations = [data["X"]]
    for i in range(1, depth + 1):
        activations.append(np.tanh(activations[-1] @ params[f"W{i}"] + params[f"b{i}"]))
    d = 2.0 / activations[-1].size * (activations[-1] - data["Y"])
    for i in range(depth, 0, -1):
        d = d * (1.0 - activations[i] ** 2)              # ∂L/∂Zᵢ
        by_hand = activations[i - 1].T @ d               # ∂L/∂Wᵢ = Aᵢ₋₁ᵀ·∂L/∂Zᵢ
        assert np.allclose(by_hand, sweep.gradient[f"W{i}"], rtol=1e-9, atol=0)
        d = d @ params[f"W{i}"].T                        # ∂L/∂Aᵢ₋₁

    norms = np.array(weight_norms[label])
    slope = np.polyfit(np.arange(1, depth + 1), np.log10(norms), 1)[0]
    print(f"\n{label}:")
    print(f"  ‖∂L/∂W1‖ = {norms[0]:.2e}, ‖∂L/∂W50‖ = {norms[49]:.2e}, "
          f"‖∂L/∂W100‖ = {norms[-1]:.2e}")
    print(f"  a factor of {10 ** -slope:.3f} per layer, from the output back "
          f"(the seed's product, by hand, agrees layer by layer)")

print(f"\nseed 003's factor predicted: 1/(2√(3n)) = {1 / (2 * np.sqrt(3 * width)):.3f}")

fig, (left, right) = plot.figure(ncols=2)
plot.layer_norms(weight_norms, ax=left, title=f"{depth} tanh layers: the weights' gradients")
plot.layer_norms(signal_norms, ax=right, ylabel="‖dᵢ‖ = ‖∂L/∂Zᵢ‖",
                 title="the backward signal d at each layer")
path = plot.save(fig, plot.out_dir(args.out) / "seed_001_vanishing_gradient.png")
print(f"\nfigure: {path}")
