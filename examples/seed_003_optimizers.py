"""Seed 003: every optimizer of the lecture on one problem, trajectories on the contour.

The problem is the simplest regression, ŷ = w·x + b fitted to 64 noisy points with
x ∈ [0, 4] and L(w, b) = mean((w·x + b − y)²): its surface in (w, b) is a narrow
tilted valley (the curvatures differ twenty-fold), the picture the lecture draws.  Being
a mean over data, it lets gradient descent (all 64 points per step), SGD (one point) and
mini-batch SGD (8 points) differ; Momentum, Nesterov, AdaGrad, RMSProp and Adam take the
full gradient.  Every optimizer starts from (w, b) = (−1, 3) and takes 100 steps; the
rates are chosen per method, each near the largest that does not oscillate wildly (a
lecture picks them the same way), and printed.

What the picture shows: GD zigzags across the valley and then runs down its floor; SGD
and mini-batch SGD zigzag with noise, SGD still in a cloud short of the minimum (one
point's gradient, and a fixed rate never settles); Momentum and Nesterov average the
zigzag away into a smooth curve; AdaGrad's first step is μ in each coordinate (it
overshoots), then its steps shrink as its sums Γ grow; RMSProp and Adam first go
diagonally (a step of about μ·sign(G) in each coordinate), then along the valley,
Adam's momentum carrying it round the bend.

Run:  python examples/seed_003_optimizers.py [--out DIR]
"""

import argparse

import numpy as np

import graphdiff as gd
from graphdiff import optim, plot
from graphdiff.train import fit

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", help="folder for the figure (default $GRAPHDIFF_OUT or ./out)")
args = parser.parse_args()

n = 64
rng = np.random.default_rng(3)
x = rng.uniform(0.0, 4.0, size=(n, 1))
y = 1.5 * x - 1.0 + rng.normal(0.0, 0.3, size=(n, 1))
data = {"X": x, "Y": y}
loss = gd.parse(f"X: {n}x1\nY: {n}x1\nL = mean((w*X + b - Y)**2)")

# The minimum, by least squares, and the loss on a grid, for the contour.
design = np.hstack([x, np.ones_like(x)])
w_best, b_best = np.linalg.lstsq(design, y.ravel(), rcond=None)[0]


def surface(w, b):
    residual = w[..., None] * x.ravel() + b[..., None] - y.ravel()
    return (residual**2).mean(axis=-1)


steps = 100
optimizers = {
    "GD": optim.gd(lr=0.15),
    "SGD": optim.sgd(lr=0.04),
    "mini-batch (m = 8)": optim.minibatch(lr=0.1, batch_size=8),
    "Momentum": optim.momentum(lr=0.15, beta=0.8),
    "Nesterov": optim.nesterov(lr=0.15, beta=0.8),
    "AdaGrad": optim.adagrad(lr=1.0),
    "RMSProp": optim.rmsprop(lr=0.1),
    "Adam": optim.adam(lr=0.2),
}
start = {"w": -1.0, "b": 3.0}
print(f"L(w, b) = mean((w·x + b − y)²) over {n} points; the minimum is at "
      f"(w, b) = ({w_best:.3f}, {b_best:.3f}), L = {surface(np.array(w_best), np.array(b_best)):.4f}")
print(f"{'optimizer':<20}{'hyper-parameters':<46}{'L after ' + str(steps) + ' steps':>16}")
fig, grid = plot.figure(3.6, 3.2, nrows=2, ncols=4)
for ax, (label, opt) in zip(grid.ravel(), optimizers.items(), strict=True):
    run = fit(loss, start, opt, data, steps=steps, seed=0, record=True)
    path = np.column_stack([run.history.trajectory("w"), run.history.trajectory("b")])
    shown = ", ".join(f"{k}={v}" for k, v in opt.hyper.items() if k != "eps")
    print(f"{label:<20}{shown:<46}{run.loss:>16.4f}")
    plot.trajectories(surface, {label: path}, xlim=(-1.5, 3.0), ylim=(-3.0, 4.0),
                      minimum=(w_best, b_best), ax=ax, title=label, labels=("w", "b"))
    ax.get_legend().remove()
out = plot.save(fig, plot.out_dir(args.out) / "seed_003_optimizers.png")
print(f"\ntrajectories: {out}")
