"""The kink search (step 3): points at, beside and between the kinks of a graph.

Each op with a kink, jump or branch point (the registry's ``Op.kinks``) gives switching
expressions whose zeros are the kinks.  They are evaluated on the grid of each line of
the search (:mod:`.lines`), their zeros found (:mod:`.roots`), and the checker adds the
point at each kink, points beside it and points midway between neighbouring kinks closer
than that; where the points beside fall outside the correct answer's domain, it looks
along the other variables for points where it is defined.  Bounded by counts; past a
bound the search says it was truncated.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...graph import Graph, is_node
from ...ops import NUMPY
from .lines import Lines, lines_through, search_lines
from .points import AT_KINK, BESIDE_KINK, Evaluator, Points
from .roots import MAX_KINKS_PER_LINE, beside_offset, roots_on_grid, spread
from .rounding import batch, node_values

#: Most switching expressions searched, and most points in all.
MAX_SWITCHES = 24
MAX_KINK_POINTS = 160
#: Kinks whose beside points leave the correct answer's domain on their line, searched
#: along the other variables for points where it is defined.
MAX_CROSSINGS = 8
#: Wall-clock safety net of one kink search (seconds); the counts above bound it first.
KINK_TIME_LIMIT = 2.0


@dataclass
class Kinks:
    """What one search found: the points (None if none), the keys of the switching
    expressions searched, and whether a bound cut the search short."""

    points: Points | None
    keys: set[bytes]
    truncated: bool


class KinkSearch:
    """The kink search of one reference: its lines, searched for the kinks of the
    reference and then of each answer."""

    def __init__(self, evaluator: Evaluator, random: Mapping[str, np.ndarray],
                 count: int) -> None:
        self.evaluator = evaluator
        self.lines = search_lines(evaluator, random, count)

    def find(self, graphs: Sequence[Graph], known: set[bytes]) -> Kinks:
        """Points at, beside and between the kinks of ``graphs``, but for those of the
        switching expressions ``known`` (already searched)."""
        lines = self.lines
        if lines is None:
            return Kinks(None, set(), False)
        switches, grid_values, keys, truncated = _switching(graphs, lines, known)
        if not switches:
            return Kinks(None, keys, truncated)
        probe = _Prober(self.evaluator, lines, graphs, switches)
        roots = roots_on_grid(lines, grid_values, probe)
        points = _kink_points(self.evaluator, lines, roots)
        # Lines through the kinks: two functions may differ only in a corner bounded by
        # kinks in different variables (max(max(y, -1), x + 1/2) against -6/7 for -1:
        # only where y < -6/7 and x < -19/14), which the lines through random points
        # cross only if one of those points lies in the corner.  Beside each kink found
        # along one variable, a line along each other variable crosses it.
        second = _lines_beside(self.evaluator, lines, roots)
        if second is not None and not probe.expired:
            more, more_values, _, more_truncated = _switching(graphs, second, set())
            if more:
                probe2 = _Prober(self.evaluator, second, graphs, more)
                beside = _kink_points(self.evaluator, second,
                                      roots_on_grid(second, more_values, probe2), cells=True)
                truncated = truncated or more_truncated or probe2.expired
                if beside is not None:
                    points = beside if points is None else Points.join([points, beside])
        return Kinks(points, keys, truncated or probe.expired)


@dataclass
class _Switch:
    graph: int
    node: int
    k: int


def _switching(graphs: Sequence[Graph], lines: Lines, known: set[bytes]
               ) -> tuple[list[_Switch], list[np.ndarray], set[bytes], bool]:
    """The switching expressions of ``graphs`` to search -- each once, none of ``known``,
    at most MAX_SWITCHES -- with their values on the grid and their keys, and whether
    there were more."""
    n = len(lines.t)
    switches: list[_Switch] = []
    grid_values: list[np.ndarray] = []
    keys: set[bytes] = set()
    truncated = False
    for gi, graph in enumerate(graphs):
        nodes = [v for v in graph.order
                 if graph.op(v) is not None and graph.op(v).kinks is not None]  # type: ignore[union-attr]
        if not nodes:
            continue
        vals = node_values(graph, lines.env)
        for v in nodes:
            for k, s in enumerate(_switches_of(graph, vals, v, n)):
                key = _switch_key(s)
                if key in known or key in keys:
                    continue
                if len(switches) >= MAX_SWITCHES:
                    truncated = True
                    continue
                keys.add(key)
                switches.append(_Switch(gi, v, k))
                grid_values.append(s)
    return switches, grid_values, keys, truncated


def _switches_of(graph: Graph, vals: list[Any], node: int, n: int) -> list[np.ndarray]:
    """The values of the switching expressions of ``node`` (``Op.kinks``)."""
    op = graph.op(node)
    assert op is not None and op.kinks is not None
    args = [vals[a] if is_node(a) else float(a) for a in graph.args(node)]
    with np.errstate(all="ignore"):
        return [batch(s, n) for s in op.kinks(NUMPY, *args)]


def _switch_key(s: np.ndarray) -> bytes:
    """Identifies a switching expression by its values on the grid (duplicates such as
    the bases of ``x^2`` and ``x^3`` are searched once)."""
    with np.errstate(all="ignore"):
        rounded = np.where(np.isfinite(s), np.float32(s), np.nan)
    return rounded.tobytes()


class _Prober:
    """Evaluates switching expressions at arbitrary points of the lines, batched per graph."""

    def __init__(self, evaluator: Evaluator, lines: Lines, graphs: Sequence[Graph],
                 switches: Sequence[_Switch]) -> None:
        self.evaluator, self.lines = evaluator, lines
        self.graphs, self.switches = graphs, switches
        # A safety net only (the search is bounded by counts): past it, the search stops
        # and the answer cannot be judged correct by the numbers (machine-dependent,
        # but only ever toward "undecided").
        self.deadline = time.monotonic() + KINK_TIME_LIMIT
        self.expired = False

    def __call__(self, sid: np.ndarray, line: np.ndarray, t: np.ndarray) -> np.ndarray:
        out = np.full(len(t), np.nan)
        if self.expired or time.monotonic() > self.deadline:
            self.expired = True
            return out  # nan ends every refinement
        owner = np.array([self.switches[s].graph for s in sid], dtype=int)
        for gi in np.unique(owner):
            mask = owner == gi
            m = int(mask.sum())
            coords = self.lines.coords(line[mask], t[mask])
            env = self.evaluator.env(coords, m)
            graph = self.graphs[gi]
            vals = node_values(graph, env)
            local = sid[mask]
            values = np.full(m, np.nan)
            for s in np.unique(local):
                sw = self.switches[s]
                pick = local == s
                values[pick] = _switches_of(graph, vals, sw.node, m)[sw.k][pick]
            out[mask] = values
        return out


def _kink_points(evaluator: Evaluator, lines: Lines, roots: Sequence[tuple[int, int, float]],
                 cells: bool = False) -> Points | None:
    """Points at each kink, beside it on both sides and midway between neighbouring
    kinks of a line that are closer than that; kinks taken in turn from each switching
    expression (so one with many zeros does not crowd out the others), at most
    MAX_KINK_POINTS points.  ``cells``: also a point well inside each piece of a line
    (:func:`_cells`)."""
    index, t, kinds = _candidates(_in_turn(roots))
    if cells:
        inner = _cells(_in_turn(roots))
        index = np.concatenate([index, np.array([k for k, _ in inner], dtype=int)])
        t = np.concatenate([t, np.array([v for _, v in inner])])
        kinds = np.concatenate([kinds, np.full(len(inner), BESIDE_KINK, dtype=np.int8)])
    if not len(t):
        return None
    coords = lines.coords(index, t)
    inside = lines.in_domain(evaluator.domain, index, t)
    valid = evaluator.valid(coords, len(t), rescue=True)
    usable = inside & valid
    lost = inside & ~valid & (kinds == BESIDE_KINK)
    extra = _crossings(evaluator, lines, index[lost], t[lost])
    if extra is not None:
        coords = {v: np.concatenate([coords[v], extra[v]]) for v in evaluator.variables}
        n_extra = len(extra[evaluator.variables[0]])
        kinds = np.concatenate([kinds, np.full(n_extra, BESIDE_KINK, dtype=np.int8)])
        usable = np.concatenate([usable, np.ones(n_extra, dtype=bool)])
    # the same point once (a kink shared by two expressions, or on two lines)
    keep = np.flatnonzero(usable & _first_of_equal(coords, evaluator.variables))
    # beside (first kinks of each expression first) and between, then at (conventions)
    keep = np.concatenate([keep[kinds[keep] != AT_KINK], keep[kinds[keep] == AT_KINK]])
    keep = keep[:MAX_KINK_POINTS]
    if not len(keep):
        return None
    return evaluator.points({v: coords[v][keep] for v in evaluator.variables}, len(keep),
                            kinds[keep])


#: Most points beside a kink that a line along another variable goes through.
MAX_SECOND_LINES = 12


def _lines_beside(evaluator: Evaluator, lines: Lines, roots: Sequence[tuple[int, int, float]]
                  ) -> Lines | None:
    """Lines along each other variable through points beside the kinks found (both
    sides of the first kinks of each switching expression first), at most
    MAX_SECOND_LINES; None with one variable or no kink."""
    variables = evaluator.variables
    if len(variables) < 2 or not roots:
        return None
    index, t = [], []
    for line, value in _in_turn(roots):
        delta = beside_offset(value)
        index += [line, line]
        t += [value - delta, value + delta]
    for line, value in _cells(_in_turn(roots)):  # and well inside the pieces
        index.append(line)
        t.append(value)
    coords = lines.coords(np.array(index, dtype=int), np.array(t))
    ok = np.flatnonzero(evaluator.valid(coords, len(t)))
    bases: dict[str, list[float]] = {v: [] for v in variables}
    along: list[tuple[str, int]] = []
    for k in ok:
        if len(bases[variables[0]]) >= MAX_SECOND_LINES:
            break
        moved = lines.lines[index[k]][0]
        j = len(bases[variables[0]])
        for v in variables:
            bases[v].append(float(coords[v][k]))
        along += [(u, j) for u in variables if u != moved]
    if not along:
        return None
    return lines_through(evaluator, {v: np.array(bases[v]) for v in variables}, along)


def _cells(kinks: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    """A point well inside each piece of each line that the kinks cut it into: midway
    between neighbouring kinks, and beyond the first and the last by 1 + their size
    (a difference that lives in a corner of pieces is then seen at full size, not at
    the tiny offset of the points beside a kink)."""
    per: dict[int, list[float]] = {}
    for line, t in kinks:
        per.setdefault(line, []).append(t)
    out: list[tuple[int, float]] = []
    for line, ts in per.items():
        ts = sorted(set(ts))
        out += [(line, ts[0] - 1 - abs(ts[0])), (line, ts[-1] + 1 + abs(ts[-1]))]
        out += [(line, 0.5 * (a + b)) for a, b in itertools.pairwise(ts)]
    return out


def _in_turn(roots: Sequence[tuple[int, int, float]]) -> list[tuple[int, float]]:
    """``(line, t)`` of the kinks, the first of each switching expression and line, then
    the second, ... (at most MAX_KINKS_PER_LINE of each, evenly spread)."""
    per: dict[tuple[int, int], list[float]] = {}
    for sid, line, t in roots:
        per.setdefault((sid, line), []).append(t)
    ranked: list[tuple[int, int, int, float]] = []
    for (sid, line), ts in per.items():
        for rank, t in enumerate(spread(np.array(sorted(set(ts))), MAX_KINKS_PER_LINE)):
            ranked.append((rank, sid, line, float(t)))
    ranked.sort()
    return [(line, t) for _, _, line, t in ranked]


def _candidates(kinks: Sequence[tuple[int, float]]
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Line, parameter and kind of the points at and beside each kink ``(line, t)`` (until
    there are 3 * MAX_KINK_POINTS of them), and between close kinks."""
    line_of, t_of, kind_of = [], [], []
    on_line: dict[int, list[float]] = {}
    for line, t in kinks:
        if len(t_of) >= 3 * MAX_KINK_POINTS:
            break
        delta = beside_offset(t)
        for value, kind in ((t, AT_KINK), (t - delta, BESIDE_KINK), (t + delta, BESIDE_KINK)):
            line_of.append(line)
            t_of.append(value)
            kind_of.append(kind)
        on_line.setdefault(line, []).append(t)
    for line, ts in on_line.items():
        for a, b in itertools.pairwise(sorted(set(ts))):
            # Between two kinks closer than the beside offsets (a window narrower than
            # them); farther apart, the points beside each kink already fall inside.
            if b - a <= 4 * beside_offset(max(abs(a), abs(b))):
                line_of.append(line)
                t_of.append(0.5 * (a + b))
                kind_of.append(BESIDE_KINK)
    return np.array(line_of, dtype=int), np.array(t_of), np.array(kind_of, dtype=np.int8)


def _first_of_equal(coords: Mapping[str, np.ndarray], variables: Sequence[str]) -> np.ndarray:
    """Marks the first of each group of equal points."""
    stacked = np.stack([coords[v] for v in variables], axis=1)
    _, first = np.unique(stacked, axis=0, return_index=True)
    unique = np.zeros(len(stacked), dtype=bool)
    unique[first] = True
    return unique


def _crossings(evaluator: Evaluator, lines: Lines, index: np.ndarray, t: np.ndarray
               ) -> dict[str, np.ndarray] | None:
    """Points beside a kink where the line itself leaves the correct answer's domain
    (``log(y - x) + step(x - 50)`` along x at y = 0.6): along each other variable, with
    the kink's variable fixed, the valid grid values nearest to and farthest from the
    line's point.  For at most MAX_CROSSINGS such points."""
    if not len(t) or len(evaluator.variables) < 2:
        return None
    found: dict[str, list[np.ndarray]] = {v: [] for v in evaluator.variables}
    for k, value in list(zip(index, t, strict=True))[:MAX_CROSSINGS]:
        v, j = lines.lines[int(k)]
        for u in evaluator.variables:
            if u == v:
                continue
            grid = evaluator.domain.grid(u)
            coords = {w: np.full(len(grid), lines.random[w][j]) for w in evaluator.variables}
            coords[v] = np.full(len(grid), value)
            coords[u] = grid
            ok = np.flatnonzero(evaluator.valid(coords, len(grid)))
            if not len(ok):
                continue
            near = ok[np.argmin(np.abs(grid[ok] - lines.random[u][j]))]
            far = ok[np.argmax(np.abs(grid[ok]))]
            for w in evaluator.variables:
                found[w].append(coords[w][[near, far]])
    if not found[evaluator.variables[0]]:
        return None
    return {w: np.concatenate(found[w]) for w in evaluator.variables}

