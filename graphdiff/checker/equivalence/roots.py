"""Zeros of the switching expressions along the lines of the kink search (step 3).

Sign changes on the grid are refined by regula falsi (Illinois) and dips toward 0 that the
grid does not resolve (``relu(1e-6 - (x - 50)^2)``) are searched by parabolic steps, to
well below the offset of the points beside a kink.  Values between grid points come from
a *probe*: ``probe(switch, line, t)`` evaluates switching expressions ``switch`` at
parameter ``t`` of lines ``line`` (all arrays).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .lines import Lines

#: Kinks kept per switching expression and line.
MAX_KINKS_PER_LINE = 8
#: Refinement steps.
KINK_STEPS = 40
#: Offset of the points beside a kink ``t``: ``KINK_REL * |t| + KINK_ABS``.
KINK_REL = 1e-6
KINK_ABS = 1e-9

Probe = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def beside_offset(t: float) -> float:
    """How far the points beside a kink at ``t`` lie from it."""
    return KINK_REL * abs(t) + KINK_ABS


def spread(indices: np.ndarray, cap: int) -> np.ndarray:
    """At most ``cap`` of ``indices``, evenly spread (deterministic)."""
    if len(indices) <= cap:
        return indices
    return indices[np.unique(np.linspace(0, len(indices) - 1, cap).round().astype(int))]


def roots_on_grid(lines: Lines, grid_values: Sequence[np.ndarray], probe: Probe
                  ) -> list[tuple[int, int, float]]:
    """``(switch, line, t)`` for the zeros of each switching expression along each line:
    sign changes on the grid refined by regula falsi (Illinois), and dips toward 0 that
    the grid does not resolve searched by parabolic steps."""
    index, t = lines.index, lines.t
    found: list[tuple[int, int, float]] = []
    brackets: list[tuple[int, int, float, float, float, float]] = []
    dips: list[tuple[int, int, float, float, float, float, float, float]] = []
    for sid, s in enumerate(grid_values):
        finite = np.isfinite(s)
        for line in range(len(lines.lines)):
            on = np.flatnonzero(index == line)
            sl, tl, fl = s[on], t[on], finite[on]
            zeros = np.flatnonzero(fl & (sl == 0))
            sign = np.sign(sl)
            change = np.flatnonzero(fl[:-1] & fl[1:] & (sign[:-1] * sign[1:] < 0))
            with np.errstate(all="ignore"):
                mag = np.abs(sl)
                mid = mag[1:-1]
                dip = (fl[:-2] & fl[1:-1] & fl[2:] & (sign[:-2] == sign[1:-1])
                       & (sign[1:-1] == sign[2:]) & (sign[1:-1] != 0)
                       & (mid < mag[:-2]) & (mid < mag[2:])
                       & (mid <= np.maximum(mag[:-2], mag[2:]) - mid))
            dip_at = np.flatnonzero(dip) + 1
            cap = MAX_KINKS_PER_LINE
            found += [(sid, line, float(tl[i])) for i in spread(zeros, cap)]
            brackets += [(sid, line, float(tl[i]), float(tl[i + 1]), float(sl[i]),
                          float(sl[i + 1])) for i in spread(change, cap)]
            closest = dip_at[np.argsort(mag[dip_at], kind="stable")][:cap // 2]
            dips += [(sid, line, float(tl[i - 1]), float(tl[i]), float(tl[i + 1]),
                      float(sl[i - 1]), float(sl[i + 1]), float(sign[i]))
                     for i in sorted(closest)]
    more, touching = _search_dips(dips, probe)
    return found + touching + _refine(brackets + more, probe)


def _search_dips(dips: Sequence[tuple[int, int, float, float, float, float, float, float]],
                 probe: Probe) -> tuple[list[tuple[int, int, float, float, float, float]],
                                        list[tuple[int, int, float]]]:
    """Zeros inside dips that the grid does not resolve: successive parabolic
    interpolation (golden-section steps as a safeguard) for the value of the switching
    expression nearest to 0.  A value past 0 gives two sign-change brackets; a minimum
    that touches 0 (``cos(x)^2``, the denominator of ``1/cos(x)^2``) is a zero itself."""
    if not dips:
        return [], []
    sid, line, (a, b, c, fa, fc, sgn) = _columns(dips)
    fa, fc = fa * sgn, fc * sgn  # a dip toward 0 from below is searched upside down
    fb = probe(sid, line, b) * sgn
    lo0, hi0, top = a.copy(), c.copy(), np.fmax(fa, fc)
    past = np.full(len(dips), np.nan)
    active = np.isfinite(fb)
    for _ in range(KINK_STEPS):
        if not active.any():
            break
        k = np.flatnonzero(active)
        u = _parabolic_step(a[k], b[k], c[k], fa[k], fb[k], fc[k])
        fu = probe(sid[k], line[k], u) * sgn[k]
        past[k] = np.where(fu < 0, u, np.nan)
        a[k], fa[k], b[k], fb[k], c[k], fc[k] = _around_smallest(
            a[k], fa[k], b[k], fb[k], c[k], fc[k], u, fu)
        stop = (fu < 0) | np.isnan(fu) | (fb[k] <= 1e-13 * top[k])
        stop |= (c[k] - a[k]) <= 1e-10 * np.abs(b[k]) + 1e-12 * KINK_ABS
        active[k[stop]] = False
    brackets = []
    touching = []
    for k in range(len(dips)):
        s, ln = int(sid[k]), int(line[k])
        if not np.isnan(past[k]):
            g = float(sgn[k])
            brackets += [(s, ln, float(lo0[k]), float(past[k]), g, -g),
                         (s, ln, float(past[k]), float(hi0[k]), -g, g)]
        elif fb[k] <= 1e-13 * top[k]:
            touching.append((s, ln, float(b[k])))
    return brackets, touching


def _parabolic_step(a: np.ndarray, b: np.ndarray, c: np.ndarray, fa: np.ndarray,
                    fb: np.ndarray, fc: np.ndarray) -> np.ndarray:
    """The minimum of the parabola through the three points, or a golden-section step into
    the wider side where that is not strictly inside ``(a, c)`` and new."""
    with np.errstate(all="ignore"):
        p = (b - a) * (fb - fc)
        q = (b - c) * (fb - fa)
        u = b - 0.5 * ((b - a) * p - (b - c) * q) / (p - q)
    wide_left = (b - a) > (c - b)
    golden = np.where(wide_left, b - 0.382 * (b - a), b + 0.382 * (c - b))
    bad = ~np.isfinite(u) | (u <= a) | (u >= c) | (u == b)
    return np.where(bad, golden, u)


def _around_smallest(a: np.ndarray, fa: np.ndarray, b: np.ndarray, fb: np.ndarray,
                     c: np.ndarray, fc: np.ndarray, u: np.ndarray, fu: np.ndarray
                     ) -> tuple[np.ndarray, ...]:
    """The bracket ``(a, b, c)`` with the new point ``u``, kept around the smallest value
    found (at ``b``): ``a, fa, b, fb, c, fc``."""
    better = fu < fb
    left = u < b
    return (np.where(better, np.where(left, a, b), np.where(left, u, a)),
            np.where(better, np.where(left, fa, fb), np.where(left, fu, fa)),
            np.where(better, u, b),
            np.where(better, fu, fb),
            np.where(better, np.where(left, b, c), np.where(left, c, u)),
            np.where(better, np.where(left, fb, fc), np.where(left, fc, fu)))


def _refine(brackets: Sequence[tuple[int, int, float, float, float, float]],
            probe: Probe) -> list[tuple[int, int, float]]:
    """The zero in each sign-change bracket, by regula falsi with the Illinois rule and a
    bisection step every fourth step, to about ``1e-9`` relative (the beside offset is
    1e-6 relative)."""
    if not brackets:
        return []
    sid, line, (lo, hi, flo, fhi) = _columns(brackets)
    last = np.zeros(len(brackets), dtype=int)
    root = 0.5 * (lo + hi)
    active = np.ones(len(brackets), dtype=bool)
    for step in range(KINK_STEPS):
        if not active.any():
            break
        a = np.flatnonzero(active)
        with np.errstate(all="ignore"):
            slope = (fhi[a] - flo[a]) / (hi[a] - lo[a])
            c = hi[a] - fhi[a] / slope
        left, right = np.minimum(lo[a], hi[a]), np.maximum(lo[a], hi[a])
        bisect = (step % 4 == 3) | ~np.isfinite(c) | (c <= left) | (c >= right)
        c = np.where(bisect, 0.5 * (lo[a] + hi[a]), c)
        fc = probe(sid[a], line[a], c)
        root[a] = c
        keep_lo = np.sign(fc) == np.sign(flo[a])
        lo[a] = np.where(keep_lo, c, lo[a])
        flo[a] = np.where(keep_lo, fc, flo[a])
        hi[a] = np.where(keep_lo, hi[a], c)
        fhi[a] = np.where(keep_lo, fhi[a], fc)
        # Illinois: the same end moved twice in a row -> halve the other end's value
        fhi[a] = np.where(keep_lo & (last[a] == 1), fhi[a] / 2, fhi[a])
        flo[a] = np.where(~keep_lo & (last[a] == -1), flo[a] / 2, flo[a])
        last[a] = np.where(keep_lo, 1, -1)
        # close enough: the beside points are 1e-6 relative away, 1e-9 is plenty
        tol = 1e-9 * np.abs(c) + 1e-3 * KINK_ABS
        with np.errstate(all="ignore"):
            distance = np.abs(fc / slope)
        done = (fc == 0) | np.isnan(fc) | (np.abs(hi[a] - lo[a]) <= tol) | (distance <= tol)
        active[a[done]] = False
    return [(int(s), int(ln), float(r)) for s, ln, r in zip(sid, line, root, strict=True)]



def _columns(rows: Sequence[tuple[float, ...]]) -> tuple[np.ndarray, np.ndarray,
                                                          list[np.ndarray]]:
    """The columns of ``rows`` as arrays: the switching expression and the line (int),
    then the others (float)."""
    table = np.array(rows, dtype=float)
    return (table[:, 0].astype(int), table[:, 1].astype(int),
            [table[:, k].copy() for k in range(2, table.shape[1])])
