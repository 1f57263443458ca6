"""What a training run leaves behind: losses per step and per epoch, parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import GraphdiffError


@dataclass
class History:
    """The record of a run.

    Attributes
    ----------
    loss : list of float
        Per step, the loss on the step's batch, at the parameters the step started from
        (what the step's gradient sweep computed anyway).
    epoch_loss : list of float
        Per epoch, the mean of its batches' losses (the loss on the whole data set for
        gradient descent).
    params : list of dict
        With ``record=True``, the parameters before the first step and after each step
        (a trajectory: ``len(params) == len(loss) + 1``); empty otherwise.

    >>> h = History(loss=[4.0, 2.0, 1.0])
    >>> h.smoothed(0.5).tolist()     # seed 003's running estimate of the loss
    [4.0, 3.0, 2.0]
    """

    loss: list[float] = field(default_factory=list)
    epoch_loss: list[float] = field(default_factory=list)
    params: list[dict[str, Any]] = field(default_factory=list)

    def smoothed(self, lam: float = 0.1) -> np.ndarray:
        """Seed 003's running estimate of the loss, Q̄_t = λ ε_t + (1 − λ) Q̄_{t−1}.

        ε_t is step t's loss, Q̄₁ = ε₁; λ is the rate of forgetting (the momentum method
        writes it J_{t+1} = (1 − λ) J_t + λ L).  It estimates the loss over the data set
        at no cost when every step sees one example.

        >>> History(loss=[1.0, 0.0, 0.0]).smoothed(0.25).tolist()
        [1.0, 0.75, 0.5625]
        """
        if not 0 < lam <= 1:
            raise GraphdiffError(f"lam must be in (0, 1], not {lam!r}")
        out = np.empty(len(self.loss))
        for t, eps in enumerate(self.loss):
            out[t] = eps if t == 0 else lam * eps + (1.0 - lam) * out[t - 1]
        return out

    def trajectory(self, name: str) -> np.ndarray:
        """One parameter's values along the run, stacked (needs ``record=True``).

        >>> History(params=[{"w": 1.0}, {"w": 0.5}]).trajectory("w").tolist()
        [1.0, 0.5]
        """
        return np.array([np.asarray(p[name], dtype=float) for p in self.params])
