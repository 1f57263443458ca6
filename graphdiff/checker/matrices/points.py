"""Random matrices for comparing matrix formulas, and tensor graphs evaluated on them.

A *point* gives every variable a matrix of its declared shape.  Entries are drawn as the
scalar checker draws values (:class:`~graphdiff.checker.equivalence.Domain`: stratified
magnitudes 0.05-7, both signs, never near a multiple of ½), 16 *random points* and then 8
*wide points*, where one variable at a time has entries at tiny or large magnitudes
(1e-4-0.05, 7-30, 30-200, 200-1000).  A point where the correct answer (or the problem's
function) is not finite is dropped and another drawn.

Every graph is evaluated on all points at once (a batch: numpy, the core's evaluation),
and once more with its inputs moved by a few units of the last place; the change, and at
least the roundings of all its nodes carried to the result by reverse sweeps (first
order), is the *noise* of the evaluation: the rounding error it may carry (large where
values cancel or an addend is lost in a much larger one).

>>> import graphdiff as gd
>>> from graphdiff.checker.equivalence import Domain
>>> env = random_matrices({"X": (2, 3), "b": ()}, Domain(), seed=1, count=4)
>>> env["X"].shape, env["b"].shape
((4, 2, 3), (4,))
>>> g = gd.parse("X.T", shapes={"X": (2, 3)})
>>> values, noise = evaluate(g, g.output_ids[0], env, 4)
>>> values.shape, bool((noise <= 1e-14 * abs(values).max()).all()), bool(noise.any())
((4, 3, 2), True, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ...graph import Graph
from ...ops import TENSOR
from ..equivalence.domain import Domain

#: Random and wide points of a comparison.
RANDOM_POINTS = 16
WIDE_POINTS = 8
#: Relative size of the moves that measure an evaluation's noise (a few units in the last
#: place), and how many moves.
NOISE_MOVE = 4 * 2.0**-52
NOISE_MOVES = 2

Shape = tuple[int, ...]
Env = dict[str, np.ndarray]


def random_matrices(shapes: Mapping[str, Shape], domain: Domain, seed: int, count: int,
                    wide: bool = False) -> Env:
    """``count`` points: each variable an array ``(count, *shape)``.  With ``wide``, point
    ``k`` has variable ``k mod n`` at the wide magnitudes, the others random."""
    rng = np.random.default_rng(seed)
    env: Env = {}
    for name, shape in shapes.items():
        size = int(np.prod(shape, dtype=int))
        values = domain.sample(name, rng, count * size).reshape((size, count)).T
        env[name] = rng.permuted(values, axis=0).reshape((count, *shape))
    if wide and shapes:
        names = list(shapes)
        for k in range(count):
            name = names[k % len(names)]
            size = int(np.prod(shapes[name], dtype=int))
            env[name][k] = domain.sample_wide(name, rng, size).reshape(shapes[name])
    return env


def values_at(graph: Graph, node: int, env: Mapping[str, Any], count: int) -> np.ndarray:
    """The value of ``node`` at every point, ``(count, *shape)`` (nan where undefined)."""
    point = {name: env.get(name, 0.0) for name in graph.inputs}
    shape = graph.shape(node)
    try:
        with np.errstate(all="ignore"):
            value = np.asarray(graph.values(point, on_domain_error="nan")[node], dtype=float)
        if value.shape != (count, *shape):
            value = np.broadcast_to(value, (count, *shape)).copy()
    except (ValueError, TypeError, ArithmeticError):  # an op the kernels cannot batch here
        return np.full((count, *shape), np.nan)
    return value


def evaluate(graph: Graph, node: int, env: Mapping[str, Any], count: int
             ) -> tuple[np.ndarray, np.ndarray]:
    """``node``'s values on the points and their noise: the largest change when every
    input moves by :data:`NOISE_MOVE`, relatively, at random, :data:`NOISE_MOVES` times
    (a jump or a saturation shows there), and at least the rounding of every node carried
    to ``node`` (:func:`rounding`: an addend lost in a much larger one shows there)."""
    values = values_at(graph, node, env, count)
    rng = np.random.default_rng(len(graph))
    noise = np.zeros_like(values)
    with np.errstate(all="ignore"):
        for _ in range(NOISE_MOVES):
            moved = {name: np.asarray(v, dtype=float) * (
                1 + NOISE_MOVE * rng.uniform(-1, 1, np.shape(v))) for name, v in env.items()}
            noise = np.fmax(noise, np.abs(values_at(graph, node, moved, count) - values))
        carried = rounding(graph, node, env, count).reshape((count,) + (1,) * (values.ndim - 1))
        noise = np.fmax(noise, carried)
    return values, np.where(np.isnan(noise) | ~np.isfinite(values), np.inf, noise)


def rounding(graph: Graph, node: int, env: Mapping[str, Any], count: int,
             seeds: int = 3) -> np.ndarray:
    """Per point, the first-order float error that the roundings of all nodes carry to
    ``node``: ``2**-52 Σ_v Σ |∂(s·node)/∂v ⊙ v|`` for a few random sign patterns ``s`` of
    ``node``'s entries, by reverse sweeps of the core's rules (inf where undefined).

    >>> import graphdiff as gd
    >>> g = gd.parse("X*1e300 - 1e300*X + X", shapes={"X": (1, 2)})
    >>> env = {"X": np.array([[[1.0, -2.0]]])}
    >>> float(rounding(g, g.output_ids[0], env, 1)[0]) > 1e280
    True
    """
    point = {name: env.get(name, 0.0) for name in graph.inputs}
    rng = np.random.default_rng(node)
    total = np.zeros(count)
    try:
        with np.errstate(all="ignore"):
            values, _ = graph.batched_values(point, on_domain_error="nan")
            for _ in range(seeds):
                seed = rng.choice([-1.0, 1.0], size=np.shape(values[node]))
                adjoints: list[Any] = [None] * len(graph)
                adjoints[node] = seed
                found = np.zeros(count)
                for v in reversed(range(node + 1)):
                    g = adjoints[v]
                    if g is None:
                        continue
                    found = found + _per_point(np.abs(g * values[v]), count)
                    if graph.kind(v) != "op":
                        continue
                    for u, c in graph.local_vjps(v, TENSOR, values, values[v], g):
                        adjoints[u] = c if adjoints[u] is None else adjoints[u] + c
                total = np.fmax(total, found)
    except (ValueError, TypeError, ArithmeticError):
        return np.full(count, np.inf)
    return 2.0**-52 * total


def _per_point(value: Any, count: int) -> np.ndarray:
    """A batched value's entries summed per point (its leading axis)."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return np.full(count, float(array))
    flat = array.reshape((array.shape[0], -1)).sum(axis=1)
    return np.broadcast_to(flat, (count,)) if flat.shape[0] in (1, count) else np.full(
        count, float(flat.sum()))


def point(env: Mapping[str, np.ndarray], k: int) -> dict[str, np.ndarray]:
    """Point ``k`` of a batch: each variable's matrix."""
    return {name: np.asarray(values[k]) for name, values in env.items()}


def take(env: Mapping[str, np.ndarray], keep: np.ndarray) -> Env:
    """The points where ``keep`` is True."""
    return {name: np.asarray(values)[keep] for name, values in env.items()}


def finite(values: np.ndarray) -> np.ndarray:
    """Per point: every entry finite."""
    return np.isfinite(values).reshape((len(values), -1)).all(axis=1)
