"""Points, and the correct answer's float values and rounding scales at them.

An :class:`Evaluator` holds the correct answer with what it needs at a point -- its
variables and their domain, the node names an answer may use (``c = x + y``) and the
guards that must be defined (the function being differentiated) -- and evaluates them on
a batch of coordinates: which points are usable, and :class:`Points` with the values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import mpmath
import numpy as np

from ...graph import Graph
from .. import mpeval
from .domain import Domain
from .rounding import float_analysis, outputs

#: Most candidates a call of :meth:`Evaluator.valid` checks at high precision where the
#: correct answer is not finite in floats, and the digits it checks them at.
MAX_RESCUED = 16
RESCUE_DPS = 30

#: Kinds of points: random (the stratified sample), wide, beside or between kinks, and *at*
#: a kink (a difference there alone is a convention, not a counterexample).
RANDOM, WIDE, BESIDE_KINK, AT_KINK = 0, 1, 2, 3
POINT_KINDS = ("random", "wide", "beside a kink", "at a kink")


@dataclass
class Points:
    """Points with the correct answer's float values and rounding scales there.

    ``env`` holds the variables and the node names (``c = x + y``) computed from them;
    ``errors`` the rounding scales of those names; ``rounding`` the correct
    answer's rounding scale (see :func:`float_analysis`); ``kind`` one of ``RANDOM``,
    ``WIDE``, ``BESIDE_KINK``, ``AT_KINK`` per point.
    """

    variables: tuple[str, ...]
    env: dict[str, np.ndarray]
    errors: dict[str, np.ndarray]
    values: np.ndarray
    rounding: np.ndarray
    kind: np.ndarray

    @property
    def n(self) -> int:
        return len(self.values)

    def point(self, i: int) -> dict[str, float]:
        return {v: float(self.env[v][i]) for v in self.variables}

    @classmethod
    def join(cls, parts: Sequence[Points]) -> Points:
        first = parts[0]
        return cls(first.variables,
                   {k: np.concatenate([p.env[k] for p in parts]) for k in first.env},
                   {k: np.concatenate([p.errors[k] for p in parts]) for k in first.errors},
                   np.concatenate([p.values for p in parts]),
                   np.concatenate([p.rounding for p in parts]),
                   np.concatenate([p.kind for p in parts]))



class Evaluator:
    """The correct answer, its names and guards over the variables, on batches of points.

    ``names`` maps each node name to its graph over the variables; ``guards`` are graphs
    that must be defined at every usable point.
    """

    def __init__(self, graph: Graph, variables: tuple[str, ...], names: Mapping[str, Graph],
                 guards: Sequence[Graph], domain: Domain) -> None:
        self.graph = graph
        self.variables = variables
        self.names = names
        self.guards = guards
        self.domain = domain

    def empty(self) -> Points:
        return self.points({v: np.zeros(0) for v in self.variables}, 0, RANDOM)

    def points(self, coords: Mapping[str, np.ndarray], n: int, kind: int | np.ndarray
               ) -> Points:
        env, errors = self.env_errors(coords, n)
        values, rounding = float_analysis(self.graph, env, n, errors)
        kinds = np.broadcast_to(np.asarray(kind, dtype=np.int8), (n,)).copy()
        return Points(self.variables, env, errors, values, rounding, kinds)

    def env(self, points: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
        return self.env_errors(points, n)[0]

    def env_errors(self, points: Mapping[str, np.ndarray], n: int
                   ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        env = {v: np.asarray(points[v], dtype=float) for v in self.variables}
        errors = {}
        for name, g in self.names.items():
            env[name], errors[name] = float_analysis(g, env, n)
        return env, errors

    def valid(self, candidates: Mapping[str, np.ndarray], n: int,
              rescue: bool = False) -> np.ndarray:
        """Which candidates are usable: the correct answer, its names and guards defined
        and finite in floats there -- or, with ``rescue``, at high precision where the
        floats are not (at most :data:`MAX_RESCUED` points a call): far points where the
        correct answer is beyond the float range (``exp(x)`` at x = 800) are where an
        answer that differs only there (``exp(x)*(1 + step(x - 800))``) shows."""
        env = self.env(candidates, n)
        ok = np.ones(n, dtype=bool)
        for name in self.names:
            ok &= np.isfinite(env[name])
        for g in (self.graph, *self.guards):
            ok &= np.isfinite(outputs(g, env, n))
        if rescue:
            for j in np.flatnonzero(~ok)[:MAX_RESCUED]:
                ok[j] = self._defined_precisely({v: float(candidates[v][j])
                                                 for v in self.variables})
        return ok

    def _defined_precisely(self, point: Mapping[str, float]) -> bool:
        """Whether the correct answer, its names and guards are defined at ``point`` at
        high precision (and within the magnitudes it evaluates)."""
        try:
            with mpmath.workdps(RESCUE_DPS):
                env = {v: mpmath.mpf(point[v]) for v in self.variables}
                for name, g in self.names.items():
                    env[name] = mpeval.values(g, env, RESCUE_DPS)[g.output_ids[0]]
                for g in (self.graph, *self.guards):
                    mpeval.values(g, env, RESCUE_DPS)
        except (mpeval.MPDomainError, mpeval.MPOverflow):
            return False
        return True
