"""The training loop: a loss graph, parameters, data, an optimizer.

Each step takes a batch of the data (rows of the data inputs), one reverse sweep of the
loss graph for the parameters' gradients (:func:`graphdiff.reverse` with ``wrt``, which
skips the data), and the optimizer's step -- or, with ``layerwise=True``, seed 004
exercise 8's variant б (:mod:`graphdiff.train.layerwise`).  The loop stops after
``steps`` steps or ``epochs`` epochs, or earlier when the parameters stop moving (seed
003's ‖w⁽ᵗ⁾ − w⁽ᵗ⁻¹⁾‖ ≤ ε, ``tol``), when the loss reaches ``target``, or when it is no
longer finite.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

from ..derive.reverse import reverse
from ..errors import GraphdiffError
from ..graph import Graph
from ..optim.base import Optimizer, State
from .batches import batches, count
from .history import History
from .init import Seed, generator
from .layerwise import layerwise_sweep
from .reshape import with_shapes

#: ``batch_size`` not given: the optimizer's own (None, the whole data set, for most).
OPTIMIZERS_OWN = "optimizer"


@dataclass(frozen=True)
class FitResult:
    """The outcome of :func:`fit`.

    Attributes
    ----------
    params : dict
        The parameters after the last step.
    state : State or dict of State
        The optimizer's state (one per parameter with ``layerwise=True``), to go on with.
    history : History
        Losses per step and per epoch; the trajectory with ``record=True``.
    steps, epochs : int
        Steps and epochs run (an epoch cut short by a stop counts).
    stopped : str
        Why the loop ended: ``"steps"``, ``"epochs"``, ``"tol"`` (the parameters moved
        less than ``tol`` in an epoch), ``"target"`` (an epoch's loss reached
        ``target``) or ``"diverged"`` (the loss became inf or nan).
    loss : float
        The loss on the whole data set at the final parameters.

    >>> import graphdiff as gd
    >>> from graphdiff import optim
    >>> run = fit(gd.parse("L = (w - 2)**2"), {"w": 0.0}, optim.gd(lr=0.25), steps=3)
    >>> run.params, run.history.loss, run.steps, run.stopped, run.loss
    ({'w': 1.75}, [4.0, 1.0, 0.25], 3, 'steps', 0.0625)
    """

    params: dict[str, Any]
    state: State | dict[str, State]
    history: History
    steps: int
    epochs: int
    stopped: str
    loss: float


def fit(graph: Graph, params: Mapping[str, Any], optimizer: Optimizer,
        data: Mapping[str, Any] | None = None, *, epochs: int | None = None,
        steps: int | None = None, batch_size: int | str | None = OPTIMIZERS_OWN,
        shuffle: bool = True, seed: Seed = 0, tol: float | None = None,
        target: float | None = None, layerwise: bool = False,
        fixed: Mapping[str, Any] | None = None, record: bool = False,
        progress: bool = False, output: str | None = None) -> FitResult:
    """Train ``params`` to lower the loss ``graph`` computes.

    Parameters
    ----------
    graph : Graph
        The loss: a graph whose output is a number.
    params : mapping
        The parameters' first values by input name (:func:`graphdiff.train.initialize`).
    optimizer : Optimizer
        From :mod:`graphdiff.optim`.
    data : mapping, optional
        The data inputs by name, each an array whose first axis is the examples (the
        rows of ``X: n×d``), all with the same number n.  A batch of m examples runs the
        same program with m rows (the graph rebuilt for that size, once).
    epochs, steps : int, optional
        How long: at most ``epochs`` passes over the data and at most ``steps`` steps;
        give one or both.  Without data an epoch is one step.
    batch_size : int or None
        Examples per step; None for all of them (gradient descent).  By default the
        optimizer's (:func:`graphdiff.optim.sgd` has 1, :func:`~graphdiff.optim.minibatch`
        its m, the others None).
    shuffle, seed :
        Batches are drawn from a permutation of the examples made by a generator seeded
        with ``seed``, a new one each epoch (or in order, without ``shuffle``).
    tol : float, optional
        Stop when an epoch moves the parameters by at most ``tol`` (the Euclidean norm of
        the change of all of them), seed 003's ‖w⁽ᵗ⁾ − w⁽ᵗ⁻¹⁾‖ ≤ ε.
    target : float, optional
        Stop when an epoch's loss is at most ``target``.
    layerwise : bool
        Seed 004 exercise 8's variant б: each parameter steps as soon as the backward
        sweep has its gradient, and the sweep goes on with the new value.
    fixed : mapping, optional
        Inputs that are neither trained nor data (an RNN's h₀), given every step.
    record : bool
        Keep the parameters after every step (``history.params``), for trajectories.
    progress : bool
        Show a progress bar (tqdm) with the loss.
    output : str, optional
        The loss output, if the graph has several.

    >>> import numpy as np
    >>> import graphdiff as gd
    >>> from graphdiff import optim
    >>> from graphdiff.train import fit
    >>> line = gd.parse("X: 20x1\\nY: 20x1\\nL = mean((a*X + b - Y)**2)")
    >>> x = np.linspace(0, 1, 20).reshape(-1, 1)
    >>> result = fit(line, {"a": 0.0, "b": 0.0}, optim.gd(lr=0.5), {"X": x, "Y": 3 * x + 1},
    ...              steps=2000, tol=1e-10)
    >>> result.stopped, round(result.params["a"], 6), round(result.params["b"], 6)
    ('tol', 3.0, 1.0)
    >>> result.steps < 2000, result.loss < 1e-15
    (True, True)
    """
    if epochs is None and steps is None:
        raise GraphdiffError("say how long to train: epochs=, steps= or both")
    for name, value in (("epochs", epochs), ("steps", steps)):
        if value is not None and not (isinstance(value, int) and value >= 0):
            raise GraphdiffError(f"{name} must be a non-negative integer, not {value!r}")
    out = graph.id(output) if output is not None else _only_output(graph)
    if graph.shape(out):
        raise GraphdiffError(f"the loss must be a number; {graph.name(out)} has shape "
                             f"{graph.shape(out)}")
    names = list(params)
    data = dict(data or {})
    fixed = dict(fixed or {})
    n = _check_inputs(graph, names, data, fixed)
    size = optimizer.batch_size if batch_size == OPTIMIZERS_OWN else batch_size
    if isinstance(size, str):
        raise GraphdiffError(f"batch_size must be a positive integer or None, not {size!r}")
    run = _Run(graph, out, names, optimizer, data, fixed, layerwise)
    params = {name: _value(value) for name, value in params.items()}
    history = History(params=[dict(params)] if record else [])
    rng = generator(seed)
    per_epoch = count(n, size) if n else 1
    total = min(x for x in (steps, None if epochs is None else epochs * per_epoch)
                if x is not None)
    done_steps = done_epochs = 0
    stopped = "steps" if steps is not None and (epochs is None or
                                                steps <= epochs * per_epoch) else "epochs"
    with tqdm(total=total, disable=not progress, desc=optimizer.name, unit="step") as bar:
        while done_steps < total:
            start = params
            losses = []
            for index in (batches(n, size, rng, shuffle) if n else [None]):
                loss, params = run.step(params, index)
                losses.append(loss)
                history.loss.append(loss)
                if record:
                    history.params.append(dict(params))
                done_steps += 1
                bar.update(1)
                if not math.isfinite(loss) or done_steps >= total:
                    break
            done_epochs += 1
            history.epoch_loss.append(float(np.mean(losses)))
            bar.set_postfix(loss=f"{history.epoch_loss[-1]:.4g}", refresh=False)
            if not all(math.isfinite(x) for x in losses):
                stopped = "diverged"
                break
            if target is not None and history.epoch_loss[-1] <= target:
                stopped = "target"
                break
            if tol is not None and _moved(start, params) <= tol:
                stopped = "tol"
                break
    return FitResult(params=params, state=run.state, history=history, steps=done_steps,
                     epochs=done_epochs, stopped=stopped, loss=run.loss(params))


class _Run:
    """One training run's fixed parts: the graphs per batch size, the optimizer state."""

    def __init__(self, graph: Graph, out: int, names: list[str], optimizer: Optimizer,
                 data: dict[str, Any], fixed: dict[str, Any], layerwise: bool) -> None:
        self.graph, self.out, self.names = graph, out, names
        self.optimizer, self.data, self.fixed, self.layerwise = optimizer, data, fixed, layerwise
        self.graphs: dict[int, Graph] = {}
        self.state: State | dict[str, State]
        # The last step's sweep, kept until the next one is made.  Freed at the end of
        # each step instead, its arrays leave the top of glibc's heap free and past the
        # trim threshold, the heap is handed back to the system, and the next step takes
        # a page fault on every page again: with 256×256 activations that was a third
        # of each step (benchmarks/train.py).  It costs one step's arrays of memory.
        self.last: Any = None
        if layerwise:  # one state per parameter: each steps on its own, t counts steps
            self.state = {name: optimizer.init({name: np.zeros(graph.shape(name))})
                          for name in names}
        else:
            self.state = optimizer.init({name: np.zeros(graph.shape(name)) for name in names})

    def graph_for(self, rows: int | None) -> Graph:
        """The loss graph whose data inputs have ``rows`` rows (None: as given)."""
        if rows is None or not self.data:
            return self.graph
        if rows not in self.graphs:
            self.graphs[rows] = with_shapes(self.graph, {
                name: (rows, *self.graph.shape(name)[1:]) for name in self.data})
        return self.graphs[rows]

    def point(self, params: dict[str, Any], index: np.ndarray | None) -> tuple[Graph, dict]:
        if index is None:
            batch = self.data
            rows = len(next(iter(self.data.values()))) if self.data else None
        else:
            batch = {name: value[index] for name, value in self.data.items()}
            rows = len(index)
        return self.graph_for(rows), {**params, **self.fixed, **batch}

    def step(self, params: dict[str, Any], index: np.ndarray | None) -> tuple[float, dict]:
        graph, at = self.point(params, index)
        out = graph.id(self.graph.name(self.out))  # the same node in a rebuilt graph
        if self.layerwise:
            assert isinstance(self.state, dict)
            states, new = self.state, dict(params)

            def update(name: str, value: Any, gradient: Any) -> Any:
                stepped, states[name] = self.optimizer.step({name: value}, {name: gradient},
                                                            states[name])
                new[name] = stepped[name]
                return new[name]

            loss, self.last = layerwise_sweep(graph, at, self.names, update, output=out)
            return loss, new
        result = reverse(graph, graph.name(out), at=at, wrt=self.names)
        grads = {name: result.adjoint(name) for name in self.names}
        assert isinstance(self.state, State)
        new, self.state = self.optimizer.step(params, grads, self.state)
        self.last = result
        return float(np.asarray(result.value)), new

    def loss(self, params: dict[str, Any]) -> float:
        graph, at = self.point(params, None)
        out = graph.id(self.graph.name(self.out))  # the same node in a rebuilt graph
        with np.errstate(all="ignore"):
            values = graph.values(at, on_domain_error="nan")
        return float(np.asarray(values[out]))


def _only_output(graph: Graph) -> int:
    if len(graph.output_ids) != 1:
        raise GraphdiffError(f"the graph has {len(graph.output_ids)} outputs "
                             f"({', '.join(graph.outputs)}): say which is the loss with output=")
    return graph.output_ids[0]


def _check_inputs(graph: Graph, names: Sequence[str], data: Mapping[str, Any],
                  fixed: Mapping[str, Any]) -> int:
    """Every input is a parameter, data or fixed, exactly once; the number of examples."""
    given = [*names, *data, *fixed]
    twice = sorted({name for name in given if given.count(name) > 1})
    if twice:
        raise GraphdiffError(f"{', '.join(twice)} given twice (as a parameter, data or fixed)")
    unknown = sorted(set(given) - set(graph.inputs))
    if unknown:
        raise GraphdiffError(f"no input named {', '.join(unknown)}; the inputs are "
                             f"{', '.join(graph.inputs)}")
    missing = [name for name in graph.inputs if name not in given]
    if missing:
        raise GraphdiffError(f"no value for {', '.join(missing)}: give it as a parameter, "
                             f"data or fixed")
    sizes = set()
    for name, value in data.items():
        shape = graph.shape(name)
        if not shape or np.ndim(value) != len(shape):
            raise GraphdiffError(f"data {name} must be an array of rows like its declared "
                                 f"shape {shape} (examples along the first axis), not of "
                                 f"shape {np.shape(value)}")
        sizes.add(len(value))
    if len(sizes) > 1:
        raise GraphdiffError(f"the data inputs have different numbers of examples: "
                             f"{sorted(sizes)}")
    return sizes.pop() if sizes else 0


def _value(value: Any) -> Any:
    array = np.array(value, dtype=float)
    return float(array) if array.ndim == 0 else array


def _moved(before: Mapping[str, Any], after: Mapping[str, Any]) -> float:
    """‖Θ_after − Θ_before‖ over every parameter's entries together."""
    return math.sqrt(sum(float(np.sum((np.asarray(after[k]) - np.asarray(before[k])) ** 2))
                         for k in before))
