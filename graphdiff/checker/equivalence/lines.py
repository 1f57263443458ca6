"""The lines of the kink search (step 3): one variable moving, the others at a random point.

Along each variable (at most :data:`MAX_LINES` lines), the other variables sit at one or
two random points -- the second with other signs where there is one, so that both sides
of a domain such as ``y/x > 0`` are crossed -- and the variable runs over its grid
(:meth:`Domain.grid`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .domain import Domain
from .points import Evaluator

#: Most lines (variable x base point) of the kink search.
MAX_LINES = 8


@dataclass
class Lines:
    """The kink search's lines and the grid on them, stacked: ``index`` says which line
    each grid value ``t`` belongs to; ``env`` holds the variables and names there."""

    lines: list[tuple[str, int]]
    index: np.ndarray
    t: np.ndarray
    env: dict[str, np.ndarray]
    variables: tuple[str, ...]
    random: Mapping[str, np.ndarray]

    def coords(self, index: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """The variables at parameter ``t`` of the lines ``index``."""
        return _coords(self.variables, self.random, self.lines, index, t)

    def in_domain(self, domain: Domain, index: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Which parameters ``t`` of the lines ``index`` lie in the domain of the line's
        moving variable."""
        inside = np.zeros(len(t), dtype=bool)
        for k, (v, _) in enumerate(self.lines):
            on = index == k
            inside[on] = domain.contains(v, t[on])
        return inside


def search_lines(evaluator: Evaluator, random: Mapping[str, np.ndarray], count: int
                 ) -> Lines | None:
    """The lines through the ``count`` random points ``random`` (None without any)."""
    variables = evaluator.variables
    if not variables or not count:
        return None
    chosen = variables[:MAX_LINES]
    per = max(1, min(2, MAX_LINES // len(chosen), count))
    lines = []
    for v in chosen:
        others = [random[w] for w in variables if w != v]
        signs = [tuple(np.sign(o[j]) for o in others) for j in range(count)]
        fresh = [j for j in range(1, count) if signs[j] != signs[0]]
        bases = [0, *fresh, *range(1, count)]
        lines += [(v, j) for j in list(dict.fromkeys(bases))[:per]]
    return lines_through(evaluator, random, lines)


def lines_through(evaluator: Evaluator, bases: Mapping[str, np.ndarray],
                  lines: Sequence[tuple[str, int]]) -> Lines:
    """The lines ``(variable, j)``: the variable over its grid, the others at the point
    ``j`` of ``bases``."""
    lines = list(lines)
    variables = evaluator.variables
    random = bases
    grids = [evaluator.domain.grid(v) for v, _ in lines]
    index = np.concatenate([np.full(len(g), k) for k, g in enumerate(grids)])
    t = np.concatenate(grids)
    coords = _coords(variables, random, lines, index, t)
    env, _ = evaluator.env_errors(coords, len(t))
    return Lines(lines, index, t, env, variables, random)


def _coords(variables: Sequence[str], random: Mapping[str, np.ndarray],
            lines: Sequence[tuple[str, int]], index: np.ndarray, t: np.ndarray
            ) -> dict[str, np.ndarray]:
    base = np.array([j for _, j in lines], dtype=int)[index]
    moving = np.array([variables.index(v) for v, _ in lines], dtype=int)[index]
    return {v: np.where(moving == k, t, random[v][base]) for k, v in enumerate(variables)}
