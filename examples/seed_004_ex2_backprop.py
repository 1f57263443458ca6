"""Seed 004, exercise 2: backpropagation through L = 1/2 (y - f(f(x·w1)·w2)·w3)² with f = σ.

The sheet names the layers h (before the activation) and o (after) and keeps the
backprop accumulator d.  Reverse mode computes exactly d: the adjoint of each node.
The printed solution writes dL/dw2 where dL/dw3 is meant in its first step (d·o2 is
dL/dw3); the numbers below are the correct ones.
"""

import graphdiff as gd
from graphdiff import seeds

g = seeds.graph("004-ex2")
print(seeds.EXAMPLES["004-ex2"].text, end="\n\n")
point = dict(seeds.EXAMPLES["004-ex2"].point)
result = gd.reverse(g, at=point)
print(result.table())
print()
for w in ("w3", "w2", "w1"):
    print(f"dL/d{w} = {result.gradient[w]:.6f}")

# d = dL/dy_hat, then d·o2 = dL/dw3; d·w3·o2(1 - o2) is the new d, and so on.
values = dict(zip([g.name(n) for n in g.order], result.values, strict=True))
d = values["y_hat"] - point["y"]
assert abs(result.gradient["w3"] - d * values["o2"]) < 1e-12
d = d * point["w3"] * values["o2"] * (1 - values["o2"])
assert abs(result.gradient["w2"] - d * values["o1"]) < 1e-12
d = d * point["w2"] * values["o1"] * (1 - values["o1"])
assert abs(result.gradient["w1"] - d * point["x"]) < 1e-12
print("\nthe accumulator d of the sheet gives the same three numbers")
