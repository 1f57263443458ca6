"""Seed 002: a recurrent network unrolled in time; backpropagation through time (BPTT).

The model (column vectors, as the notes write it):

    e⁽ᵗ⁾ = E·x⁽ᵗ⁾,  h⁽ᵗ⁾ = tanh(W_h·h⁽ᵗ⁻¹⁾ + W_e·e⁽ᵗ⁾ + b₁),  ŷ⁽ᵗ⁾ = softmax(W₂·h⁽ᵗ⁾ + b₂),
    J⁽ᵗ⁾ = −Σⱼ yⱼ⁽ᵗ⁾ log ŷⱼ⁽ᵗ⁾,  J = (1/T) Σₜ J⁽ᵗ⁾

W_h is used at every step.  Unrolled over T steps, the network is an ordinary graph in
which W_h feeds T nodes, and the notes' BPTT formula

    ∂J/∂W_h = Σ_τ ∂J/∂W_h|₍τ₎

is the rule that a node used several times collects the adjoints of all its uses: give
each step its own copy W_h|₍τ₎ and the gradient of the shared W_h is the sum of the
copies' gradients.  Each copy's gradient is in turn the sum over the paths that leave
the graph's W_h through step τ -- shown first on a scalar RNN, where graphdiff lists the
paths.  The matrix RNN's gradient is then checked against finite differences, and the
network is trained on a short character sequence.

Run:  python examples/seed_002_bptt.py [--out DIR] [--quick]
"""

import argparse
import os
from collections import defaultdict

import numpy as np

import graphdiff as gd
from graphdiff import optim, plot
from graphdiff.derive.differences import split_entries
from graphdiff.train import fit, initialize, problems

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", help="folder for the figure (default $GRAPHDIFF_OUT or ./out)")
parser.add_argument("--quick", action="store_true", default=bool(os.environ.get(
    "GRAPHDIFF_QUICK")), help="fewer training steps (what the tests run)")
args = parser.parse_args()

# --- 1. A scalar RNN over three steps: the gradient of w as a sum over paths ------------
scalar = gd.parse("""
h1 = tanh(wh*h0 + we*x1)
h2 = tanh(wh*h1 + we*x2)
h3 = tanh(wh*h2 + we*x3)
J = ((h1 - y1)**2 + (h2 - y2)**2 + (h3 - y3)**2) / 3
""")
point = {"wh": 0.8, "we": 0.5, "h0": 0.3, "x1": 1.0, "x2": -1.0, "x3": 0.5,
         "y1": 0.5, "y2": -0.2, "y3": 0.1}
paths = gd.paths(scalar, "wh", at=point)
by_step = defaultdict(float)
print(f"scalar RNN, T = 3: {len(paths.paths)} paths from wh to J")
for path in paths.paths:
    step = scalar.formula(path.names[1])  # the product wh·h_{τ−1} where the path leaves wh
    by_step[step] += path.value
    print(f"  {' → '.join(path.names):<56} {path.value:+.6f}")
total = gd.grad(scalar, point)["wh"]
print("  summed by the use of wh the path starts with: "
      + ", ".join(f"{step}: {value:+.6f}" for step, value in by_step.items()))
print(f"  sum over the paths {sum(by_step.values()):+.9f} = reverse mode {total:+.9f}")
assert abs(sum(by_step.values()) - total) < 1e-12

# --- 2. The seed's matrix RNN: shared W_h = Σ over the steps' copies = finite differences --
T, vocabulary, embedding, hidden = 5, 4, 3, 3
shared = problems.rnn(T, vocabulary, embedding, hidden)
copies = problems.rnn(T, vocabulary, embedding, hidden, shared=False)
rng = np.random.default_rng(2)
tokens = rng.integers(0, vocabulary, size=T + 1)
sequence = {}
for t in range(1, T + 1):
    sequence[f"x{t}"] = np.eye(vocabulary)[tokens[t - 1]].reshape(-1, 1)  # one-hot column
    sequence[f"y{t}"] = np.eye(vocabulary)[tokens[t]].reshape(1, -1)      # the next token
weights = ["E", "b1", "We", "W2", "b2", "Wh"]
params = initialize(shared, weights, "xavier_normal", seed=0)
params["h0"] = np.zeros((hidden, 1))
at_shared = {**params, **sequence}
at_copies = {**{k: v for k, v in at_shared.items() if k != "Wh"},
             **{f"Wh_{t}": params["Wh"] for t in range(1, T + 1)}}
assert abs(shared.evaluate(at_shared) - copies.evaluate(at_copies)) < 1e-15

gradient = gd.grad(shared, at_shared, wrt=["Wh"])["Wh"]
per_step = gd.grad(copies, at_copies, wrt=[f"Wh_{t}" for t in range(1, T + 1)])
summed = sum(per_step.values())
numeric = split_entries(shared, gd.numeric_diff(shared, at_shared).value)["Wh"]
print(f"\nmatrix RNN, T = {T}, |V| = {vocabulary}, d = {embedding}, d_h = {hidden}: "
      f"J = {shared.evaluate(at_shared):.6f}")
for t in range(1, T + 1):  # step 1 multiplies h⁽⁰⁾ = 0: its copy's gradient is 0
    print(f"  ‖∂J/∂W_h|({t})‖ = {np.linalg.norm(per_step[f'Wh_{t}']):.3e}")
print(f"  max |∂J/∂W_h − Σ_τ ∂J/∂W_h|(τ)| = {np.abs(gradient - summed).max():.1e}")
print(f"  max |∂J/∂W_h − finite differences| = {np.abs(gradient - numeric).max():.1e}")
assert np.allclose(gradient, summed, rtol=1e-12, atol=1e-15)
assert np.allclose(gradient, numeric, rtol=1e-6, atol=1e-9)

# --- 3. Training: predict the next character of a short text ------------------------------
text = "hello world"
alphabet = sorted(set(text))
index = {c: i for i, c in enumerate(alphabet)}
T = len(text) - 1
network = problems.rnn(T, len(alphabet), 4, 8)
sequence = {"h0": np.zeros((8, 1))}
for t in range(1, T + 1):
    sequence[f"x{t}"] = np.eye(len(alphabet))[index[text[t - 1]]].reshape(-1, 1)
    sequence[f"y{t}"] = np.eye(len(alphabet))[index[text[t]]].reshape(1, -1)
start = initialize(network, weights, "xavier_normal", seed=0)
run = fit(network, start, optim.adam(lr=0.05), fixed=sequence,
          steps=60 if args.quick else 300)
values = dict(zip([network.name(v) for v in network.order],
                  network.values({**run.params, **sequence}), strict=True))
predicted = "".join(alphabet[int(np.argmax(values[f"z{t}"]))] for t in range(1, T + 1))
print(f"\ntraining on {text!r} ({T} steps unrolled, Adam): J = {run.history.loss[0]:.3f} → "
      f"{run.loss:.4f} in {run.steps} steps")
print(f"  the next characters it predicts after each of {text[:-1]!r}: {predicted!r}")
path = plot.save(plot.loss_curves({"J": run.history.loss}, title=f"an RNN on {text!r} (BPTT)"),
                 plot.out_dir(args.out) / "seed_002_rnn_loss.png")
print(f"loss curve: {path}")
