"""Gradient descent, stochastic gradient descent and mini-batch SGD (seed 003).

The three share one update, Θ ← Θ − μ·G; they differ in the examples G is the gradient
over -- all of them, one, or a mini-batch of m -- which is the loop's business
(:func:`graphdiff.train.fit`); each optimizer carries its batch size for the loop.
"""

from __future__ import annotations

import numpy as np

from ..errors import GraphdiffError
from .base import Optimizer, Rate, Rule, positive_rate, rate, shown_rate


def _descent(lr: Rate) -> Rule:
    """Θ ← Θ − μ_t·G: the one update of the three methods."""

    def rule(t: int, theta: np.ndarray, g: np.ndarray,
             buffers: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        return theta - rate(lr, t) * g, buffers

    return rule


def gd(lr: Rate = 0.1) -> Optimizer:
    """(Batch) gradient descent, seed 003's Algorithm 1 and seed 001's GD.

    Θ_{t+1} = Θ_t − μ ∇_Θ J(Θ_t), where J is the loss over the whole data set (seed 003
    writes w^{(t+1)} = w^{(t)} − η Σᵢ ∇_w 𝓛ᵢ(w^{(t)}) for a sum of losses, seed 001
    θ_t = θ_{t−1} − η ∇(1/n Σᵢ 𝓛ᵢ) for a mean: the graph's loss says which).

    The seed gives no default rate; 0.1 is ours.  ``lr`` may be a schedule μ_t, such as
    the seed's μ_t = 1/t (``lr=lambda t: 1 / t``).

    >>> from graphdiff import optim
    >>> opt = optim.gd(lr=0.5)
    >>> params, state = opt.step({"w": 1.0}, {"w": 2.0}, opt.init({"w": 1.0}))
    >>> params["w"], opt.batch_size
    (0.0, None)
    """
    return Optimizer("gd", _descent(lr), {"lr": shown_rate(positive_rate(lr))})


def sgd(lr: Rate = 0.1) -> Optimizer:
    """Stochastic gradient descent, seed 003's Algorithm 2: one example per step.

    w^{(t+1)} = w^{(t)} − η ∇_w 𝓛ᵢ(w^{(t)}), with i a random index of the data set
    (:func:`graphdiff.train.fit` visits the examples in a seeded random order, every
    example once per epoch).  The update is gradient descent's; the batch of one is the
    difference.  No default rate in the seed; 0.1 is ours.

    >>> from graphdiff import optim
    >>> optim.sgd(lr=1.0).batch_size
    1
    """
    return Optimizer("sgd", _descent(lr), {"lr": shown_rate(positive_rate(lr))}, batch_size=1)


def minibatch(lr: Rate = 0.1, batch_size: int = 32) -> Optimizer:
    """Mini-batch gradient descent, seed 003's Algorithm 3: m examples per step.

    w^{(t+1)} = w^{(t)} − η Σ_{i ∈ I_t} ∇_w 𝓛ᵢ(w^{(t)}), with I_t ⊂ {1, …, n} a set of m
    indices (seed 001 divides by B, the batch size: again, the graph's loss decides).
    The seed names no m; 32 is ours.

    >>> from graphdiff import optim
    >>> optim.minibatch(lr=0.01, batch_size=8)
    <Optimizer minibatch(lr=0.01, batch_size=8)>
    """
    if not (isinstance(batch_size, int | np.integer) and batch_size >= 1):
        raise GraphdiffError(f"batch_size must be a positive integer, not {batch_size!r}")
    return Optimizer("minibatch", _descent(lr),
                     {"lr": shown_rate(positive_rate(lr)), "batch_size": int(batch_size)},
                     batch_size=int(batch_size))
