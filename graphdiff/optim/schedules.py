"""Learning-rate schedules μ_t: functions of the step number t = 1, 2, ...

Seed 003: a rate too small converges slowly, too large may not converge; μ_t may depend
on t, and theory asks μ_t → 0 with Σ μ_t = ∞ and Σ μ_t² < ∞, for example μ_t = 1/t.
Every optimizer takes a schedule for ``lr``.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import positive


def inverse_time(mu0: float = 1.0) -> Callable[[int], float]:
    """μ_t = μ₀ / t, the seed's example (μ₀ = 1: μ_t = 1/t).

    >>> schedule = inverse_time(0.5)
    >>> [schedule(t) for t in (1, 2, 4)]
    [0.5, 0.25, 0.125]
    """
    positive("mu0", mu0)

    def inverse_time(t: int) -> float:
        return mu0 / t

    return inverse_time


def exponential(lr: float, final: float, steps: int, warmup: int = 0) -> Callable[[int], float]:
    """From ``lr`` down to ``final`` geometrically over ``steps`` steps, after a linear
    warm-up from 0 over the first ``warmup`` steps (large first steps of an adaptive
    method can saturate a network before it has learnt anything).

    >>> schedule = exponential(0.1, 0.001, steps=100, warmup=10)
    >>> [round(schedule(t), 6) for t in (1, 10, 100)]
    [0.00955, 0.063096, 0.001]
    """
    positive("lr", lr)
    positive("final", final)
    positive("steps", steps)

    def exponential(t: int) -> float:
        decayed = lr * (final / lr) ** (min(t, steps) / steps)
        return decayed * min(1.0, t / warmup) if warmup else decayed

    return exponential
