"""Seed 001's board task: the gradient of a 100-layer tanh network vanishes.

u_{k+1} = tanh(w·u_k) with w = 0.9; du_100/du_0 is the product of 100 factors
w·(1 - u_{k+1}²) < 1.  Reverse mode on a traced Python loop gives it in one sweep.
"""

import graphdiff as gd


def network(u, layers=100, w=0.9):
    for _ in range(layers):
        u = gd.tanh(w * u)
    return u


g = gd.trace(network)
for layers in (1, 10, 50, 100):
    gk = gd.trace(lambda u, n=layers: network(u, n))
    print(f"{layers:>3} layers: du/du0 = {gd.grad(gk, at={'u': 0.5})['u']:.3e}")
print(f"\nthe 100-layer graph has {len(g)} nodes; the gradient agrees with finite differences:",
      gd.verify(g, points=2, low=0.1, high=1.0).ok)
