"""Where the variables live, and how values are drawn there (step 2).

A :class:`Domain` says, per variable, ``"real"``, ``"positive"``, ``"negative"``,
``"nonzero"`` or an interval; it draws stratified magnitudes away from multiples of 1/2,
wide magnitudes, and the grid on which the kink search looks for sign changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...errors import GraphdiffError

#: Magnitude bands of the random points.
BANDS = ((0.05, 0.3), (0.3, 1.0), (1.0, 3.0), (3.0, 7.0))
#: Magnitude bands of the wide points (tiny and large scales).
WIDE_BANDS = ((1e-4, 0.05), (7.0, 30.0), (30.0, 200.0), (200.0, 1000.0))
#: Values closer than this to a multiple of 1/2 are resampled.
AWAY_FROM_HALVES = 0.02
#: The grid of the kink search: values per side of 0, and its log-scale range.
KINK_GRID = 200
KINK_RANGE = (1e-4, 1e3)


@dataclass(frozen=True)
class Domain:
    """Where the variables live: ``"real"`` (default), ``"positive"``, ``"negative"``,
    ``"nonzero"`` or an interval ``(low, high)`` per variable.

    >>> Domain.of({"x": "positive", "t": [0, 1]}).spec("t")
    (0.0, 1.0)
    """

    specs: tuple[tuple[str, Any], ...] = ()
    default: Any = "real"

    KINDS = ("real", "positive", "negative", "nonzero")

    @classmethod
    def of(cls, value: Domain | Mapping[str, Any] | str | None) -> Domain:
        """A Domain from a mapping such as ``{"x": "positive"}`` (or one kind for all)."""
        if isinstance(value, Domain):
            return value
        if value is None:
            return cls()
        if isinstance(value, str):
            return cls(default=_check_spec("*", value))
        specs = []
        default: Any = "real"
        for name, spec in value.items():
            checked = _check_spec(name, spec)
            if name in ("*", "default"):
                default = checked
            else:
                specs.append((name, checked))
        return cls(tuple(sorted(specs)), default)

    def spec(self, name: str) -> Any:
        for n, s in self.specs:
            if n == name:
                return s
        return self.default

    def sample(self, name: str, rng: np.random.Generator, n: int, shrink: float = 1.0,
               bands: Sequence[tuple[float, float]] = BANDS) -> np.ndarray:
        """``n`` stratified, non-integer values of ``name`` inside its domain."""
        spec = self.spec(name)
        if isinstance(spec, tuple):
            low, high = spec
            if math.isinf(low) or math.isinf(high):
                mags = _magnitudes(rng, n, shrink, bands)
                return (low + mags) if not math.isinf(low) else (high - mags)
            width = high - low
            values = rng.uniform(low + 0.01 * width, high - 0.01 * width, n)
            if width > 0.5:
                values = _away_from_halves(values, lambda near: rng.uniform(
                    low + 0.01 * width, high - 0.01 * width, int(near.sum())))
            return values
        mags = _magnitudes(rng, n, shrink, bands)
        if spec == "positive":
            return mags
        if spec == "negative":
            return -mags
        signs = np.where(rng.permutation(n) % 2 == 0, 1.0, -1.0)
        return signs * mags

    def sample_wide(self, name: str, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` values at the scales the random points leave out: tiny and large
        magnitudes (:data:`WIDE_BANDS`), or the outer 1% at each end of an interval.

        >>> rng = np.random.default_rng(0)
        >>> bool(np.all(np.abs(Domain().sample_wide("x", rng, 8)) >= 1e-4))
        True
        >>> v = Domain.of({"t": [0, 1]}).sample_wide("t", rng, 8)
        >>> bool(np.all((v <= 0.01) | (v >= 0.99)))
        True
        """
        spec = self.spec(name)
        if isinstance(spec, tuple) and not (math.isinf(spec[0]) or math.isinf(spec[1])):
            low, high = spec
            offsets = rng.uniform(0.0, 0.01 * (high - low), n)
            return np.where(rng.permutation(n) % 2 == 0, low + offsets, high - offsets)
        return self.sample(name, rng, n, bands=WIDE_BANDS)

    def contains(self, name: str, values: np.ndarray) -> np.ndarray:
        """Which ``values`` lie in the domain of ``name``.

        >>> Domain.of({"x": "positive"}).contains("x", np.array([-1.0, 0.0, 2.0])).tolist()
        [False, False, True]
        """
        values = np.asarray(values, dtype=float)
        spec = self.spec(name)
        with np.errstate(invalid="ignore"):
            if isinstance(spec, tuple):
                return (values >= spec[0]) & (values <= spec[1])
            inside = {"positive": values > 0, "negative": values < 0,
                      "nonzero": values != 0}.get(spec, np.isfinite(values))
        return inside & np.isfinite(values)

    def grid(self, name: str) -> np.ndarray:
        """Values of ``name`` on which the kink search looks for sign changes: 0 and
        ``+-1e-4 .. 1e3`` on a log scale (the closure of the domain), or the interval.

        >>> g = Domain().grid("x")
        >>> len(g), float(g.min()), float(g.max()), bool(0.0 in g)
        (401, -1000.0, 1000.0, True)
        """
        spec = self.spec(name)
        logs = np.logspace(math.log10(KINK_RANGE[0]), math.log10(KINK_RANGE[1]), KINK_GRID)
        if isinstance(spec, tuple):
            low, high = spec
            if math.isinf(low) and math.isinf(high):
                return np.concatenate([-logs[::-1], [0.0], logs])
            if math.isinf(high):
                return np.concatenate([[low], low + logs])
            if math.isinf(low):
                return np.concatenate([high - logs[::-1], [high]])
            return np.linspace(low, high, 2 * KINK_GRID + 1)
        if spec == "positive":
            return np.concatenate([[0.0], logs])
        if spec == "negative":
            return np.concatenate([-logs[::-1], [0.0]])
        return np.concatenate([-logs[::-1], [0.0], logs])

    def assumptions(self, name: str) -> dict[str, bool]:
        """sympy assumptions for the symbolic proof."""
        spec = self.spec(name)
        if spec == "positive" or (isinstance(spec, tuple) and spec[0] >= 0):
            return {"positive": True}
        if spec == "negative" or (isinstance(spec, tuple) and spec[1] <= 0):
            return {"negative": True}
        return {"real": True}

    def key(self) -> tuple[Any, ...]:
        return (self.specs, self.default)


def _check_spec(name: str, spec: Any) -> Any:
    if isinstance(spec, str):
        if spec not in Domain.KINDS:
            raise GraphdiffError(f"domain of {name}: {spec!r} is not one of "
                                 f"{', '.join(Domain.KINDS)} or an interval [low, high]")
        return spec
    if isinstance(spec, list | tuple) and len(spec) == 2:
        low, high = (float(v) for v in spec)
        if not low < high:
            raise GraphdiffError(f"domain of {name}: the interval [{low}, {high}] is empty")
        return (low, high)
    raise GraphdiffError(f"domain of {name}: expected a kind or [low, high], got {spec!r}")


def _near_halves(values: np.ndarray) -> np.ndarray:
    """Values within AWAY_FROM_HALVES of a nonzero multiple of 1/2 (where sin(2πx) and
    the like vanish).  Small values near 0 are kept: small domains need them."""
    twice = values * 2
    nearest = np.round(twice)
    return (nearest != 0) & (np.abs(twice - nearest) < 2 * AWAY_FROM_HALVES)


def _magnitudes(rng: np.random.Generator, n: int, shrink: float,
                bands: Sequence[tuple[float, float]] = BANDS) -> np.ndarray:
    scaled = np.array(bands) * shrink
    index = rng.permutation(n) % len(scaled)
    low, high = scaled[index, 0], scaled[index, 1]
    values = np.exp(rng.uniform(np.log(low), np.log(high)))
    return _away_from_halves(values, lambda near: np.exp(rng.uniform(np.log(low[near]),
                                                                     np.log(high[near]))))


def _away_from_halves(values: np.ndarray, redraw: Callable[[np.ndarray], np.ndarray]
                      ) -> np.ndarray:
    """``values``, those near a nonzero multiple of 1/2 drawn again (``redraw(near)``: new
    values where the mask ``near`` is set) up to 20 times."""
    for _ in range(20):
        near = _near_halves(values)
        if not near.any():
            break
        values[near] = redraw(near)
    return values

