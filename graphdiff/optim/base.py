"""What every optimizer shares: parameters as dicts of arrays, the state, the step.

An optimizer is a per-array update rule, mapped over the parameters by name.  Parameters
and gradients are dicts by input name, as :func:`graphdiff.grad` returns them; the state
holds the step count t and the rule's buffers (the momentum P, the sums of squares Γ,
Adam's moments m and v), one array per parameter, each zero at the start as seed 003
initialises them.  Nothing is changed in place: ``step`` returns new parameters and a new
state (the functional form of optax and of JAX's ``optimizers``).

>>> import numpy as np
>>> from graphdiff import optim
>>> opt = optim.gd(lr=0.1)
>>> state = opt.init({"w": np.array([1.0, 2.0])})
>>> params, state = opt.step({"w": np.array([1.0, 2.0])}, {"w": np.array([10.0, -10.0])}, state)
>>> params["w"].tolist(), state.t
([0.0, 3.0], 1)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import GraphdiffError

#: Parameters, gradients and buffers: arrays (or numbers) by input name.
Params = Mapping[str, Any]
#: A learning rate: a number, or a schedule μ_t of the step number t = 1, 2, ...
Rate = float | Callable[[int], float]
#: ``rule(t, θ, G, buffers) -> (θ', buffers')`` for one parameter array: t is the number
#: of the step being taken (1 for the first), ``buffers`` the rule's arrays by slot name.
Rule = Callable[[int, np.ndarray, np.ndarray, dict[str, np.ndarray]],
                tuple[np.ndarray, dict[str, np.ndarray]]]


@dataclass(frozen=True)
class State:
    """An optimizer's state: the number of steps taken and its buffers.

    ``state["m"]["W1"]`` is the buffer ``m`` of the parameter ``W1``.

    >>> from graphdiff import optim
    >>> state = optim.adam().init({"w": 1.0})
    >>> state.t, sorted(state.slots), state["v"]["w"]
    (0, ['m', 'v'], array(0.))
    """

    t: int
    slots: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=dict)

    def __getitem__(self, slot: str) -> Mapping[str, np.ndarray]:
        return self.slots[slot]


@dataclass(frozen=True)
class Optimizer:
    """A named update rule with its hyper-parameters, in the functional form.

    ``opt.init(params)`` gives the first state; ``opt.step(params, grads, state)`` gives
    the parameters and the state after one step.  ``batch_size`` is the number of
    examples one step's gradient is taken over in the method's definition (None: all of
    them, as gradient descent), which :func:`graphdiff.train.fit` uses unless told
    otherwise.

    >>> from graphdiff import optim
    >>> opt = optim.momentum(lr=0.1)
    >>> opt.name, opt.hyper, opt.slots, opt.batch_size
    ('momentum', {'lr': 0.1, 'beta': 0.9}, ('P',), None)
    """

    name: str
    rule: Rule
    hyper: Mapping[str, Any]
    slots: tuple[str, ...] = ()
    batch_size: int | None = None

    def init(self, params: Params) -> State:
        """The state before the first step: t = 0 and every buffer zero.

        >>> import numpy as np
        >>> from graphdiff import optim
        >>> state = optim.rmsprop().init({"W": np.ones((2, 3)), "b": 0.5})
        >>> state.t, state["Gamma"]["W"].shape, state["Gamma"]["b"]
        (0, (2, 3), array(0.))
        """
        return State(0, {slot: {name: np.zeros(np.shape(value)) for name, value in
                                params.items()} for slot in self.slots})

    def step(self, params: Params, grads: Params, state: State) -> tuple[dict[str, Any],
                                                                         State]:
        """One step: new parameters and state (the arguments are left as they were).

        Every parameter needs a gradient of its shape, and the state must have been made
        by :meth:`init` for the same names.

        >>> import numpy as np
        >>> from graphdiff import optim
        >>> opt = optim.gd(lr=0.25)
        >>> params = {"W": np.array([[1.0, 2.0]])}
        >>> new, state = opt.step(params, {"W": np.array([[4.0, -4.0]])}, opt.init(params))
        >>> new["W"].tolist(), params["W"].tolist(), state.t     # Θ₁ = Θ₀ − μG
        ([[0.0, 3.0]], [[1.0, 2.0]], 1)
        >>> opt.step(params, {"W": np.zeros(2)}, state)
        Traceback (most recent call last):
        ...
        graphdiff.errors.GraphdiffError: the gradient of W has shape (2,), the parameter (1, 2)
        """
        _check(params, grads, state, self.slots)
        t = state.t + 1
        new_params: dict[str, Any] = {}
        new_slots: dict[str, dict[str, np.ndarray]] = {slot: {} for slot in self.slots}
        for name, value in params.items():
            theta = np.asarray(value, dtype=float)
            buffers = {slot: state.slots[slot][name] for slot in self.slots}
            updated, buffers = self.rule(t, theta, np.asarray(grads[name], dtype=float),
                                         buffers)
            # A number stays a number, and every buffer an array (0-d for a number).
            new_params[name] = float(updated) if np.ndim(updated) == 0 else updated
            for slot in self.slots:
                new_slots[slot][name] = np.asarray(buffers[slot])
        return new_params, State(t, new_slots)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.hyper.items())
        return f"<Optimizer {self.name}({shown})>"


def rate(lr: Rate, t: int) -> float:
    """The learning rate at step t: the number, or the schedule's value.

    >>> rate(0.5, 3), rate(lambda t: 1 / t, 4)
    (0.5, 0.25)
    """
    return float(lr(t)) if callable(lr) else float(lr)


def positive_rate(lr: Rate) -> Rate:
    """A fixed rate must be positive; a schedule is taken as given.

    >>> positive_rate(0)
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: lr must be positive, not 0
    """
    return lr if callable(lr) else positive("lr", lr)


def shown_rate(lr: Rate) -> Any:
    """A rate as the hyper-parameters show it (a schedule by its name).

    >>> from graphdiff.optim import inverse_time
    >>> shown_rate(0.01), shown_rate(inverse_time())
    (0.01, 'inverse_time')
    """
    return getattr(lr, "__name__", "schedule") if callable(lr) else lr


def positive(name: str, value: float) -> float:
    """Refuse a hyper-parameter that must be positive.

    >>> positive("eps", -1)
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: eps must be positive, not -1
    """
    if not value > 0:
        raise GraphdiffError(f"{name} must be positive, not {value!r}")
    return value


def fraction(name: str, value: float) -> float:
    """Refuse a decay rate outside [0, 1) (β₁, β₂, α, β).

    >>> fraction("beta1", 1.0)
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: beta1 must be in [0, 1), not 1.0
    """
    if not 0 <= value < 1:
        raise GraphdiffError(f"{name} must be in [0, 1), not {value!r}")
    return value


def _check(params: Params, grads: Params, state: State, slots: tuple[str, ...]) -> None:
    missing = [name for name in params if name not in grads]
    extra = [name for name in grads if name not in params]
    if missing or extra:
        raise GraphdiffError(
            "the gradients must name the parameters: "
            + "; ".join(part for part in (
                f"no gradient for {', '.join(missing)}" if missing else "",
                f"no parameter {', '.join(extra)}" if extra else "") if part))
    for name, value in params.items():
        if np.shape(grads[name]) != np.shape(value):
            raise GraphdiffError(f"the gradient of {name} has shape {np.shape(grads[name])}, "
                                 f"the parameter {np.shape(value)}")
    for slot in slots:
        if slot not in state.slots or set(state.slots[slot]) != set(params):
            raise GraphdiffError("the state was not made for these parameters: call "
                                 "init(params) first")
