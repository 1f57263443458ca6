"""Optimizers, written as seed 003 states them, in a functional form.

``opt = optim.adam(lr=1e-3)`` makes an optimizer; ``state = opt.init(params)`` its first
state; ``params, state = opt.step(params, grads, state)`` one step.  Parameters and
gradients are dicts of arrays by input name, as :func:`graphdiff.grad` gives them, so a
graph's gradient goes straight in:

>>> import numpy as np
>>> import graphdiff as gd
>>> from graphdiff import optim
>>> g = gd.parse("L = (w - 3)**2")
>>> opt = optim.adam(lr=0.1)
>>> params = {"w": 0.0}
>>> state = opt.init(params)
>>> for _ in range(200):
...     params, state = opt.step(params, gd.grad(g, params), state)
>>> round(float(params["w"]), 2)
3.0

| optimizer | seed 003's update | defaults |
|---|---|---|
| :func:`gd` | Θ ← Θ − μ∇J over all the data | μ = 0.1 (ours) |
| :func:`sgd` | the same over one example | μ = 0.1 (ours) |
| :func:`minibatch` | the same over m examples | μ = 0.1, m = 32 (ours) |
| :func:`momentum` | P ← βP + (1 − β)G, Θ ← Θ − μP | β = 1 − μ (seed), μ = 0.1 |
| :func:`nesterov` | the same with the gradient at the look-ahead point | as momentum |
| :func:`adagrad` | Γ ← Γ + G⊙G, Θ ← Θ − μG⊘(√Γ + ϵ) | μ = 0.01, ϵ = 10⁻⁸ |
| :func:`rmsprop` | Γ ← αΓ + (1 − α)G⊙G, the same step | μ = 0.001, α = 0.9 |
| :func:`adam` | m, v, corrections, Θ ← Θ − αm̂⊘(√v̂ + ϵ) | α = 0.001, β₁ = 0.9, β₂ = 0.999 (seed) |
"""

from .adaptive import adagrad, adam, rmsprop
from .base import Optimizer, Params, Rate, State, rate
from .descent import gd, minibatch, sgd
from .momentum import momentum, nesterov
from .schedules import exponential, inverse_time

#: Every optimizer by name, in the seed's order.
OPTIMIZERS = {
    "gd": gd, "sgd": sgd, "minibatch": minibatch, "momentum": momentum,
    "nesterov": nesterov, "adagrad": adagrad, "rmsprop": rmsprop, "adam": adam,
}

__all__ = ["OPTIMIZERS", "Optimizer", "Params", "Rate", "State", "adagrad", "adam",
           "exponential", "gd", "inverse_time", "minibatch", "momentum", "nesterov", "rate",
           "rmsprop", "sgd"]
