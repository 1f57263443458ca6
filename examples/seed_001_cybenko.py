"""Seed 001: approximating f(x) = 0.2 + 0.4x² + 0.3x·sin(15x) + 0.1·cos(50x) by a network.

Cybenko's theorem says that one hidden layer can approximate any continuous function on
[0, 1] as closely as we like; the lecture then asks how to find the weights, and answers:
by gradient descent.  Here the network is the board task's, ŷ = tanh(ReLU(x·W1 + b1)·W2
+ b2) with H hidden units, trained on 200 points of [0, 1] with Adam and MSE.  Each
unit's kink starts at a random point of [0, 1] (the lecture builds its approximation
from units that switch on at s = −b/w), and the rate warms up for a few hundred steps
and then decays (a large first step of Adam saturates the output tanh, and then nothing
moves: the vanishing gradient again).

The fast wiggle 0.1·cos(50x) alone has a mean square of 0.005, so a loss below that means
the network follows it in part.  With seed 0 the full run (H = 64, 8000 steps) is below
0.005 after about 230 steps and below 1e-3 after about 7300 (9.6e-4 at the end: the
wiggles where no kink landed stay flat); the quick run (H = 32, 1000 steps, what the
tests run) ends near 2.6e-3.

Run:  python examples/seed_001_cybenko.py [--out DIR] [--quick] [--progress]
"""

import argparse
import os

import numpy as np

from graphdiff import optim, plot
from graphdiff.train import fit, problems

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", help="folder for the figure (default $GRAPHDIFF_OUT or ./out)")
parser.add_argument("--quick", action="store_true", default=bool(os.environ.get(
    "GRAPHDIFF_QUICK")), help="a smaller network and fewer steps (what the tests run)")
parser.add_argument("--progress", action="store_true", help="show a progress bar")
args = parser.parse_args()
hidden, steps = (32, 1000) if args.quick else (64, 8000)

n = 200
x = np.linspace(0.0, 1.0, n).reshape(-1, 1)
data = {"X": x, "Y": problems.cybenko(x)}
network = problems.seed001_network(n, hidden=hidden)
schedule = optim.exponential(0.01, 0.0003, steps=steps, warmup=steps // 25)
run = fit(network, problems.cybenko_init(hidden, seed=0), optim.adam(lr=schedule), data,
          steps=steps, record=True, progress=args.progress)

losses = np.array(run.history.loss)
for threshold in (5e-3, 2e-3, 1e-3):
    reached = np.flatnonzero(losses <= threshold)
    when = f"after {reached[0]} steps" if reached.size else f"not in {steps} steps"
    print(f"MSE ≤ {threshold:g}: {when}")
print(f"final MSE after {run.steps} steps: {run.loss:.2e} (H = {hidden}, Adam, seed 0)")
if args.quick:
    assert run.loss < 4e-3



def problems_output(params):
    """ŷ at the data's x for the given weights."""
    names = [network.name(v) for v in network.order]
    return network.values({**params, **data})[names.index("yhat")]


early = min(200, steps)
fig, (left, right) = plot.figure(ncols=2)
plot.fit_1d(x, data["Y"], {f"after {early} steps": problems_output(run.history.params[early]),
                           f"after {run.steps} steps": problems_output(run.params)},
            ax=left, title=f"one hidden layer of {hidden} ReLU units", target_label="f(x)")
plot.loss_curves({"MSE": losses}, ax=right, title="the loss (Adam)")
right.axhline(0.005, color="gray", linestyle="--", linewidth=0.8)
right.annotate("mean square of 0.1·cos(50x)", (0.02 * steps, 0.0055), fontsize="small",
               color="gray")
path = plot.save(fig, plot.out_dir(args.out) / "seed_001_cybenko.png")
print(f"figure: {path}")
