"""What the scale benchmarks share: the growth exponent of a time against a size."""

from __future__ import annotations

import math
import statistics


def growth_exponent(sizes: list[int], times: list[float]) -> float:
    """The least-squares slope k of log t against log n (t ∝ n^k; 1 is linear).

    >>> round(growth_exponent([10, 100, 1000], [1.0, 10.0, 100.0]), 6)
    1.0
    """
    xs = [math.log(n) for n in sizes]
    ys = [math.log(max(t, 1e-9)) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs)
