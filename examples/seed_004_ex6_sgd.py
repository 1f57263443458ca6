"""Seed 004, exercise 6: backpropagation by hand, two steps of SGD from zero weights.

Masha's network X → W1 → σ → W2 → σ → W3 → ŷ with L = ½(ŷ − y)², σ the sigmoid, every
weight 0 at the start, η = 1.  Her two observations are (1, 1) → 0 and (5, 2) → 1, and
SGD takes the second first, then the first.  The sheet's backward pass, with d the
accumulated derivative:

    d = ŷ − y                         ∂L/∂W3 = O2ᵀ·d
    d = d·W3ᵀ ∗ O2 ∗ (1 − O2)         ∂L/∂W2 = O1ᵀ·d
    d = d·W2ᵀ ∗ O1 ∗ (1 − O1)         ∂L/∂W1 = Xᵀ·d

graphdiff's reverse mode gives the same d at each layer (the adjoints of ŷ, H2 and H1),
and graphdiff.train.fit with optim.sgd(lr=1) takes the steps.  The weights come out
exactly as the sheet's fractions: W3 = (1/2, 1/2)ᵀ and then (1/4, 1/4)ᵀ, W2 = −1/32 in
every entry after step 2, W1 = 0 throughout.  With zero initialisation the layers learn
one after another: W1 cannot move until W2 has, which cannot until W3 has.

The printed solution slips three times, and this script prints the right words:
the forward pass of the second step is announced as "for the second observation" again
(it is the first, (1, 1) → 0); it repeats "recall that the weights are initialised with
zeros", but W3 is already (1/2, 1/2)ᵀ there (which is why ŷ = 0.5); and the last matrix
is labelled W1¹ where W1² is meant.  The problem's table of observations did not survive
in the text; the numbers above are those its solution uses.
"""

from fractions import Fraction

import numpy as np

import graphdiff as gd
from graphdiff import optim
from graphdiff.train import fit, init, initialize, problems


def frac(matrix):
    """A matrix as the sheet writes it: fractions, row by row."""
    rows = np.atleast_2d(matrix).tolist()
    return "[" + "; ".join(", ".join(str(Fraction(x)) for x in row) for row in rows) + "]"


network = problems.ex6_network()
weights = ["W1", "W2", "W3"]
# In the order SGD visits them: the second observation, then the first.
data = {"X": np.array([[5.0, 2.0], [1.0, 1.0]]), "y": np.array([[1.0], [0.0]])}
names = {0: "second observation (5, 2) → 1", 1: "first observation (1, 1) → 0"}

start = initialize(network, weights, "zeros")
run = fit(network, start, optim.sgd(lr=1.0), data, epochs=1, shuffle=False, record=True)

for step, (before, after) in enumerate(zip(run.history.params, run.history.params[1:],
                                           strict=False), start=1):
    point = {**before, "X": data["X"][step - 1:step], "y": data["y"][step - 1:step]}
    sweep = gd.reverse(network, at=point)
    values = dict(zip([network.name(n) for n in network.order], sweep.values, strict=True))
    print(f"Step {step}: SGD on the {names[step - 1]}")
    print(f"  forward:  H1 = {frac(values['H1'])}, O1 = {frac(values['O1'])}, "
          f"H2 = {frac(values['H2'])}, O2 = {frac(values['O2'])}, ŷ = {frac(values['yhat'])}, "
          f"L = {Fraction(float(values['L']))}")
    for layer, node, weight in ((3, "yhat", "W3"), (2, "H2", "W2"), (1, "H1", "W1")):
        print(f"  layer {layer}: d = {frac(sweep.adjoint(node))}, "
              f"∂L/∂{weight} = {frac(sweep.gradient[weight])}")
    print("  after the step: " + ", ".join(f"{w} = {frac(after[w])}" for w in weights))

final = run.params
assert frac(final["W3"]) == "[1/4; 1/4]"
assert frac(final["W2"]) == "[-1/32, -1/32; -1/32, -1/32]"
assert frac(final["W1"]) == "[0, 0; 0, 0]"

# Why not zeros, nor any constant: every unit of a layer gets the same gradient, so the
# units stay copies of each other.  Random initial weights break the symmetry.
print("\nAfter the two steps, the columns (units) of W2:")
for label, scheme in (("zeros", init.zeros()), ("constant 0.3", init.constant(0.3)),
                      ("Xavier", init.xavier_uniform())):
    params = initialize(network, weights, {w: scheme for w in weights}, seed=0)
    trained = fit(network, params, optim.sgd(lr=1.0), data, epochs=1, shuffle=False).params
    columns_equal = np.allclose(trained["W2"][:, 0], trained["W2"][:, 1])
    print(f"  {label:<13} W2 = {np.round(trained['W2'], 4).tolist()}"
          f"  -> units {'identical' if columns_equal else 'different'}")

# Seed 004 exercise 8's variant б on the same two steps: the last layer steps first and
# the backward pass goes on with its new weights, so W2 and W1 move at once.
layerwise = fit(network, start, optim.sgd(lr=1.0), data, epochs=1, shuffle=False,
                record=True, layerwise=True)
first = layerwise.history.params[1]
print("\nVariant б (seed 004 Ex8), after step 1: "
      + ", ".join(f"{w} = {frac(first[w])}" for w in weights))
assert frac(first["W1"]) == "[5/256, 5/256; 1/128, 1/128]"
