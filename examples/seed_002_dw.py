"""Seed 002: reverse mode for f(x1, x2) = sin(x1) + x1·x2 with the notes' Dwᵢ notation.

w3 = sin(w1), w4 = w1·w2, w5 = w3 + w4; Dw5 = 1, Dw4 = Dw3 = 1, Dw2 = w1, Dw1 = cos(w1) + w2.
"""

import graphdiff as gd

result = gd.reverse(gd.parse("sin(x1) + x1*x2"))
print(result.table(notation="D"))
print("\ngradient:", result.gradient)
print("\nin Markdown:")
print(result.table("markdown", notation="D"))
