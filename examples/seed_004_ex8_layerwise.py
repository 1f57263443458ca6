"""Seed 004, exercise 8: which way of stepping the layers converges faster?

Variant а: fix every weight w_{t−1}, find every gradient, step all weights at once.
Variant б: find the last layer's gradient and step it (w_t^k), then go on backward with
w_t^k in place of w_{t−1}^k, and so on down to the first layer.  The sheet's answer:
like Nesterov's correction it may speed things up, but the gradients are biased (the
activations are those of the old weights) and in a deep network the bias can break
convergence.  graphdiff.train.fit(layerwise=True) is variant б.

Both variants train the same networks from the same seeded initialisations on the same
seeded mini-batches of a small regression problem, at several learning rates.  What the
runs show (the table printed below): at small rates the two are nearly the same (б a
little lower on the deep tanh network); at the largest rates б diverges where а does
not.  The bias is second order in the step: the weight below the last layer sees
W3 − η·O2ᵀd instead of W3, which adds η·O1ᵀ[(d·dᵀ·O2) ∗ f′] to its step -- negligible for
small η, and a push no gradient asked for when η is large.

Run:  python examples/seed_004_ex8_layerwise.py [--out DIR] [--quick]
"""

import argparse
import os

import numpy as np

from graphdiff import optim, plot
from graphdiff.train import fit, initialize, problems

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", help="folder for the figure (default $GRAPHDIFF_OUT or ./out)")
parser.add_argument("--quick", action="store_true", default=bool(os.environ.get(
    "GRAPHDIFF_QUICK")), help="fewer seeds and epochs (what the tests run)")
args = parser.parse_args()
seeds = range(1) if args.quick else range(5)
epochs = 6 if args.quick else 30

data = problems.regression_data(256, seed=0)
networks = {
    "2 sigmoid layers of 8": problems.mlp(16, 2, 8, 2, "sigmoid"),
    "6 tanh layers of 8": problems.mlp(16, 2, 8, 6, "tanh"),
}
rates = (0.03, 0.1, 0.3, 1.0)


def train(graph, lr, layerwise):
    """Final losses and per-epoch loss curves over the seeds."""
    names = [name for name in graph.inputs if name not in data]
    finals, curves = [], []
    for seed in seeds:
        params = initialize(graph, names, "xavier_normal", seed=seed)
        run = fit(graph, params, optim.sgd(lr=lr), data, epochs=epochs, batch_size=16,
                  seed=seed, layerwise=layerwise)
        finals.append(run.loss)
        curves.append(run.history.epoch_loss + [np.nan] * (epochs - len(run.history.epoch_loss)))
    return np.array(finals), np.array(curves)


def shown(finals):
    bad = int(np.sum(~np.isfinite(finals) | (finals > 1)))
    median = np.median(finals)
    return (f"{median:9.4f}" if np.isfinite(median) and median <= 1 else "  diverged") + (
        f" ({bad}/{len(finals)} diverged)" if bad else "")


print(f"median loss after {epochs} epochs of SGD, batches of 16, over {len(seeds)} "
      f"seed{'s' if len(seeds) > 1 else ''}")
print(f"{'network':<24}{'η':>6}   {'variant а':<24}{'variant б':<24}")
curves = {}
for label, graph in networks.items():
    for lr in rates:
        a_final, a_curves = train(graph, lr, False)
        b_final, b_curves = train(graph, lr, True)
        curves[label, lr] = (a_curves, b_curves)
        print(f"{label:<24}{lr:>6}   {shown(a_final):<24}{shown(b_final):<24}")

fig, (left, right) = plot.figure(ncols=2)
a_curves, b_curves = curves["6 tanh layers of 8", 0.1]
plot.loss_curves({"a: all layers at once": a_curves.mean(axis=0),
                  "b (б): layer by layer": b_curves.mean(axis=0)}, ax=left, xlabel="epoch",
                 ylabel="loss (mean over seeds)", title="6 tanh layers of 8, η = 0.1")
sigmoid = networks["2 sigmoid layers of 8"]
start = initialize(sigmoid, [n for n in sigmoid.inputs if n not in data], "xavier_normal", seed=0)
steps = {label: fit(sigmoid, start, optim.sgd(lr=1.0), data, steps=48, batch_size=16, seed=0,
                    layerwise=layerwise).history.loss
         for label, layerwise in (("a: all layers at once", False),
                                  ("b (б): layer by layer", True))}
plot.loss_curves(steps, ax=right, ylabel="loss of the step's batch (seed 0)",
                 title="2 sigmoid layers of 8, η = 1: b diverges")
right.set_ylim(top=1e9)
path = plot.save(fig, plot.out_dir(args.out) / "seed_004_ex8_layerwise.png")
print(f"\nloss curves: {path}")
