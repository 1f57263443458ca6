"""Seed 003: forward mode (tangents ẇᵢ) and reverse mode (adjoints w̄ᵢ) as Wengert tables.

Forward: y = x1·x2 + sin(x1), differentiated by x1 (ẇ1 = 1, ẇ2 = 0): ẇ5 = x2 + cos x1.
Reverse: y = exp(x1·x2) + x2³: x̄1 = x2·e^{x1·x2}, x̄2 = x1·e^{x1·x2} + 3x2².
"""

import graphdiff as gd

forward = gd.forward(gd.parse("x1*x2 + sin(x1)"), wrt="x1")
print("forward mode, symbolic (the seed's table):")
print(forward.table())
print("\nthe same sweep at x1 = 0.5, x2 = 2:")
print(gd.forward(gd.parse("x1*x2 + sin(x1)"), wrt="x1", at={"x1": 0.5, "x2": 2.0}).table())

g = gd.parse("exp(x1*x2) + x2**3")
print("\nreverse mode, symbolic (the seed's table; exp' is written with its output w5 = e^{w3}):")
print(gd.reverse(g).table())
print("\nthe same sweep at x1 = 0.5, x2 = 2:")
print(gd.reverse(g, at={"x1": 0.5, "x2": 2.0}).table())
print("\nas LaTeX, for the slides:")
print(gd.reverse(g).table("latex"))

assert forward.derivative == gd.symbolic_diff(forward.graph, "x1")
