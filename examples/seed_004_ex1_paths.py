"""Seed 004, exercise 1: the derivative as a sum over all paths of the computation graph.

f(x, y) = x² + xy + (x + y)², nodes a = x², b = xy, c = x + y, d = a + b, e = c², f = d + e.
The sheet's answer: ∂f/∂x = 2x + y + 2(x + y) and ∂f/∂y = x + 2(x + y).
"""

import graphdiff as gd

g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
for wrt in ("x", "y"):
    result = gd.paths(g, wrt, at={"x": 1.0, "y": 2.0})
    print(f"∂f/∂{wrt}: every path from {wrt} to f and its product of edge derivatives")
    print(result.table())
    print(f"∂f/∂{wrt} = {gd.paths(g, wrt).derivative}  (= {result.derivative:g} at x=1, y=2)\n")

assert gd.paths(g, "x").derivative == gd.symbolic_diff(g, "x")
assert gd.paths(g, "y").derivative == gd.symbolic_diff(g, "y")
