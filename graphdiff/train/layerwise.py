"""Seed 004, exercise 8, variant б: each layer steps as soon as its gradient is known.

Backpropagation finds the gradients from the last layer back.  Variant а fixes every
weight w_{t−1}, finds every gradient, then steps them all.  Variant б steps the last
layer's weights as soon as their gradient is complete, w_t^k, and carries the backward
pass on with w_t^k in place of w_{t−1}^k (``d = d·W_kᵀ ∗ f′(H)`` uses the new W_k), and
so on down to the first layer.  The activations stay those of the forward pass with the
old weights, so the earlier layers' gradients are of no single point: they are biased,
which the sheet's answer warns may break convergence in a deep network.

:func:`layerwise_step` runs that backward pass on any graph: a parameter steps as soon
as the sweep has passed every node that uses it, before the sweep goes through it to the
nodes below.  It costs one forward and one backward pass, as variant а does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..derive.reverse import wanted_nodes
from ..errors import GraphdiffError
from ..graph import Graph

#: ``update(name, value, gradient) -> new value`` for one parameter.
Update = Callable[[str, Any, Any], Any]


def layerwise_step(graph: Graph, point: Mapping[str, Any], names: Sequence[str],
                   update: Update, output: int | None = None) -> float:
    """One step of variant б: the loss before it; ``update`` is called once per parameter.

    Parameters are updated in the order the backward sweep completes their gradients
    (the last layer first); ``point`` holds every input's value (parameters and data).

    >>> import graphdiff as gd
    >>> g = gd.parse("L = (w2*(w1*x) - 1)**2 / 2")
    >>> new = {}
    >>> def update(name, value, gradient):
    ...     new[name] = value - gradient
    ...     return new[name]
    >>> layerwise_step(g, {"w1": 1.0, "w2": 0.0, "x": 1.0}, ["w1", "w2"], update)
    0.5
    >>> new                # w2 = 0 − (−1)·1; then w̄1 uses the new w2: (−1)·1·1
    {'w2': 1.0, 'w1': 2.0}
    """
    return layerwise_sweep(graph, point, names, update, output)[0]


def layerwise_sweep(graph: Graph, point: Mapping[str, Any], names: Sequence[str],
                    update: Update, output: int | None = None) -> tuple[float, list[Any]]:
    """:func:`layerwise_step`, and the sweep's arrays (values and adjoints by node) too.

    The training loop holds on to the arrays until the next step has made its own, for
    the reason ``_Run.last`` in :mod:`graphdiff.train.fit` gives.

    >>> import graphdiff as gd
    >>> g = gd.parse("L = (w*x - 1)**2")
    >>> loss, arrays = layerwise_sweep(g, {"w": 1.0, "x": 2.0}, ["w"], lambda n, v, g: v - g)
    >>> loss, len(arrays) == 2 * len(g)
    (1.0, True)
    """
    out = graph.output_ids[0] if output is None else output
    params = [graph.id(name) for name in names]
    values, batch = graph.batched_values(point)

    def public(value: Any) -> Any:  # as the user wrote it: numbers as floats
        value = batch.public(value) if batch is not None else value
        return float(value) if np.ndim(value) == 0 else value

    wanted = wanted_nodes(graph, names)
    assert wanted is not None  # names were given
    completing = _last_users(graph, params, out)
    adjoints: list[Any] = [None] * len(graph)
    adjoints[out] = np.ones_like(values[out]) if np.ndim(values[out]) else 1.0
    stepped: set[int] = set()

    def step(p: int) -> None:
        gradient = adjoints[p] if adjoints[p] is not None else np.zeros_like(values[p])
        new = update(graph.name(p), public(values[p]), public(gradient))
        values[p] = (batch.canonical(new, graph.shape(p), graph.name(p)) if batch is not None
                     else new)
        stepped.add(p)

    def send(v: int, mask: list[bool]) -> None:
        for u, term in graph.local_vjps(v, graph.namespace, values, values[v], adjoints[v],
                                        mask):
            adjoints[u] = term if adjoints[u] is None else adjoints[u] + term

    loss = float(np.asarray(public(values[out])))
    with np.errstate(all="ignore"):
        for v in reversed(graph.order):
            done = completing.get(v, [])
            if graph.kind(v) != "op" or adjoints[v] is None:
                for p in done:
                    step(p)
                continue
            if not done:
                send(v, wanted)
                continue
            first = [False] * len(graph)
            for p in done:
                first[p] = True
            send(v, first)  # the parameters' own gradients, with every weight as it was
            for p in done:
                step(p)
            send(v, [w and not f for w, f in zip(wanted, first, strict=True)])
    for p in params:  # parameters the loss does not use: a zero gradient
        if p not in stepped:
            step(p)
    return loss, [*values, *adjoints]


def _last_users(graph: Graph, params: Sequence[int], out: int) -> dict[int, list[int]]:
    """For each node v, the parameters whose last user in the backward sweep is v.

    The sweep runs against the node order, so a parameter's gradient is complete at the
    user with the smallest id among those the output depends on.
    """
    reaches = [False] * len(graph)
    reaches[out] = True
    for v in reversed(graph.order):
        if reaches[v]:
            for a in graph.args(v):
                if type(a) is int:
                    reaches[a] = True
    if len(set(params)) != len(params):
        raise GraphdiffError("a parameter is named twice")
    users: dict[int, list[int]] = {}
    for v in graph.order:
        if reaches[v] and graph.kind(v) == "op":
            for a in graph.args(v):
                if type(a) is int and a in params:
                    users.setdefault(a, []).append(v)
    completing: dict[int, list[int]] = {}
    for p in params:
        if p in users:
            completing.setdefault(min(users[p]), []).append(p)
    for done in completing.values():
        done.sort(key=params.index)
    return completing
