"""The seeded points of a reference (step 2): stratified random points and wide points.

The same reference always gets the same points: the random points come from a stream
seeded by the reference, the wide points from a stream of their own (so the random
points are the same with or without them).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .points import WIDE, Evaluator, Points

#: Number of the wide points (tiny and large scales).
WIDE_POINTS = 8


def random_points(evaluator: Evaluator, seed: int, want: int
                  ) -> tuple[dict[str, np.ndarray], int]:
    """``want`` stratified points where the correct answer is usable, and how many were
    found (1 without variables: the one point of a constant)."""
    rng = np.random.default_rng(seed)
    variables, domain = evaluator.variables, evaluator.domain
    chosen: dict[str, list[float]] = {v: [] for v in variables}
    count = 0
    plans = [(1.0, 4), (1.0, 4), (1.0, 8), (0.3, 8), (0.1, 16)]
    for shrink, factor in plans:
        n = max(want * factor, 8)
        candidates = {v: domain.sample(v, rng, n, shrink) for v in variables}
        ok = evaluator.valid(candidates, n)
        for j in np.flatnonzero(ok):
            if count >= want:
                break
            for v in variables:
                chosen[v].append(float(candidates[v][j]))
            count += 1
        if count >= want:
            break
    if not variables:
        count = 1
    return {v: np.array(chosen[v], dtype=float) for v in variables}, count


def wide_points(evaluator: Evaluator, seed: int, random: Mapping[str, np.ndarray],
                count: int) -> Points | None:
    """The wide points: one variable at a time at a tiny or large magnitude, the
    others at a random point's values (far in every variable at once mostly gives
    values beyond the float range), from their own seeded stream (so the random
    points are the same as without them)."""
    variables = evaluator.variables
    if not variables or count == 0:
        return None
    rng = np.random.default_rng([seed, 1])
    n = 4 * WIDE_POINTS
    nv = len(variables)
    index = np.arange(n)
    base = (index // nv) % count
    candidates = {v: np.where(index % nv == k, evaluator.domain.sample_wide(v, rng, n),
                              random[v][base])
                  for k, v in enumerate(variables)}
    chosen = np.flatnonzero(evaluator.valid(candidates, n, rescue=True))[:WIDE_POINTS]
    return evaluator.points({v: candidates[v][chosen] for v in variables},
                            len(chosen), WIDE)
