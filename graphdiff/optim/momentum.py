"""The momentum method of seed 003 and Nesterov's accelerated form of it.

Seed 003 pictures gradient descent as a heavy ball rolling with viscous friction: the
step follows an exponential moving average P of the gradients instead of the gradient.
"""

from __future__ import annotations

import numpy as np

from ..errors import GraphdiffError
from .base import Optimizer, Rate, fraction, positive_rate, rate, shown_rate


def _beta(lr: Rate, beta: float | None, t: int) -> float:
    """β, or the seed's 1 − μ_t when β is not given (one rate μ for both)."""
    return 1.0 - rate(lr, t) if beta is None else beta


def _hyper(lr: Rate, beta: float | None) -> dict[str, object]:
    if beta is not None:
        fraction("beta", beta)
    elif callable(lr):
        shown: object = "1 - lr"
    else:
        if not 0 < lr <= 1:
            raise GraphdiffError(f"with beta = 1 - lr (the seed's one rate), lr must be in "
                                 f"(0, 1], not {lr!r}; or give beta")
        shown = 1.0 - lr
    return {"lr": shown_rate(positive_rate(lr)), "beta": beta if beta is not None else shown}


def momentum(lr: Rate = 0.1, beta: float | None = None) -> Optimizer:
    """The momentum method (seed 003, «Метод импульса»), with P₀ = 0.

    P_{t+1} = (1 − μ) P_t + μ ∇_Θ L(yᵢ, M(xᵢ | Θ_t))

    Θ_{t+1} = Θ_t − μ P_{t+1}

    Seed 003 uses the one rate μ both for the moving average and for the step; here the
    average's weight is β (``P_{t+1} = β P_t + (1 − β) G``), which is the seed's 1 − μ
    unless ``beta`` is given.  The seed's step prints P_t where P_{t+1} is meant: with
    P₀ = 0 its first step would not move.  Its third line, J_{t+1} = (1 − λ) J_t + λ L,
    is a running estimate of the loss: :meth:`graphdiff.train.History.smoothed`.
    The seed gives no default rate; 0.1 (β = 0.9) is ours.

    >>> from graphdiff import optim
    >>> opt = optim.momentum(lr=0.5)
    >>> params, state = opt.step({"w": 1.0}, {"w": 2.0}, opt.init({"w": 1.0}))
    >>> state["P"]["w"], params["w"]      # P₁ = 0.5·0 + 0.5·2, Θ₁ = 1 − 0.5·1
    (array(1.), 0.5)
    """
    hyper = _hyper(lr, beta)

    def rule(t: int, theta: np.ndarray, g: np.ndarray,
             buffers: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        b = _beta(lr, beta, t)
        p = b * buffers["P"] + (1.0 - b) * g
        return theta - rate(lr, t) * p, {"P": p}

    return Optimizer("momentum", rule, hyper, slots=("P",))


def nesterov(lr: Rate = 0.1, beta: float | None = None) -> Optimizer:
    """Nesterov's accelerated momentum, in seed 003's notation for the momentum method.

    Nesterov takes the gradient where the momentum is about to carry the parameters,
    P_{t+1} = β P_t + (1 − β) ∇J(Θ_t − μβ P_t), Θ_{t+1} = Θ_t − μ P_{t+1}.  Stored as the
    look-ahead point Φ_t = Θ_t − μβ P_t, the same method needs only the gradient G_t at
    the stored parameters (Sutskever et al. 2013; it is PyTorch's ``nesterov=True``):

    P_{t+1} = β P_t + (1 − β) G_t

    Φ_{t+1} = Φ_t − μ (β P_{t+1} + (1 − β) G_t)

    (substitute Θ_{t+1} = Φ_{t+1} + μβ P_{t+1} into the first form to check).  β is 1 − μ
    unless given, as in :func:`momentum`; the default rate 0.1 is ours.  Seed 004's
    exercise 8 asks whether updating the layers from the last one back, each with the
    later layers already updated, is "like Nesterov": that is the ``layerwise`` option of
    :func:`graphdiff.train.fit`, with any optimizer.

    >>> from graphdiff import optim
    >>> opt = optim.nesterov(lr=0.5)
    >>> params, state = opt.step({"w": 1.0}, {"w": 2.0}, opt.init({"w": 1.0}))
    >>> state["P"]["w"], params["w"]      # Φ₁ = 1 − 0.5·(0.5·1 + 0.5·2)
    (array(1.), 0.25)
    """
    hyper = _hyper(lr, beta)

    def rule(t: int, theta: np.ndarray, g: np.ndarray,
             buffers: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        b = _beta(lr, beta, t)
        p = b * buffers["P"] + (1.0 - b) * g
        return theta - rate(lr, t) * (b * p + (1.0 - b) * g), {"P": p}

    return Optimizer("nesterov", rule, hyper, slots=("P",))
