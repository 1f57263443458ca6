"""Initialisation: zeros, a constant, uniform and normal draws, Xavier/Glorot and He.

An initialiser is a callable ``init(shape, rng) -> array``; :func:`initialize` gives every
named parameter of a graph its first value, from one seeded generator, matrices by the
scheme and vectors (biases) by ``bias`` (zeros unless told).  The same seed gives the
same weights on every machine.

Seed 004's exercise 6 starts from zeros to show why not to: every unit of a layer gets
the same gradient, so the units stay equal, and a layer does not move until the layers
after it have (any constant does the same).  Random draws break the symmetry; Xavier and
He scale them so that a signal keeps its size through many layers (seed 001's vanishing
gradient).

Fans follow graphdiff's layers ``X @ W``: a weight matrix of shape ``(n_in, n_out)`` has
fan-in ``n_in`` (its rows) and fan-out ``n_out`` (its columns).

>>> import graphdiff as gd
>>> from graphdiff.train import init, initialize
>>> g = gd.parse("X: 4x3\\nW: 3x2\\nb: 2\\nY: 4x2\\nL = mse(X @ W + b, Y)")
>>> params = initialize(g, ["W", "b"], init.xavier_uniform(), seed=0)
>>> params["W"].shape, params["b"].tolist()
((3, 2), [0.0, 0.0])
>>> bool(abs(params["W"]).max() <= (6 / (3 + 2)) ** 0.5)
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import GraphdiffError
from ..graph import Graph

Shape = tuple[int, ...]
#: What a seed may be: an integer, a numpy Generator, or None (fresh entropy).
Seed = int | np.random.Generator | None


@dataclass(frozen=True)
class Initializer:
    """A named rule ``(shape, rng) -> array``.

    >>> zeros()((2,), np.random.default_rng(0)).tolist(), zeros()
    ([0.0, 0.0], <init zeros>)
    """

    name: str
    draw: Callable[[Shape, np.random.Generator], np.ndarray]

    def __call__(self, shape: Sequence[int], rng: Seed = None) -> np.ndarray:
        return np.asarray(self.draw(tuple(shape), generator(rng)), dtype=float)

    def __repr__(self) -> str:
        return f"<init {self.name}>"


def generator(seed: Seed) -> np.random.Generator:
    """A numpy Generator from a seed (a Generator is used as it is).

    >>> int(generator(0).integers(100)) == int(generator(np.random.default_rng(0)).integers(100))
    True
    """
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def fans(shape: Shape) -> tuple[int, int]:
    """(fan-in, fan-out) of a weight of ``shape``: rows and columns of ``X @ W``'s W.

    >>> fans((784, 256)), fans((5,))
    ((784, 256), (5, 5))
    """
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[-2], shape[-1]


def zeros() -> Initializer:
    """Every entry 0 (seed 004, exercise 6; seed 003's w⁽⁰⁾ = 0 "except in deep learning").

    >>> zeros()((2, 2)).tolist()
    [[0.0, 0.0], [0.0, 0.0]]
    """
    return Initializer("zeros", lambda shape, rng: np.zeros(shape))


def constant(value: float) -> Initializer:
    """Every entry ``value``: as bad as zeros, the units of a layer stay alike.

    >>> constant(0.5)((3,)).tolist()
    [0.5, 0.5, 0.5]
    """
    return Initializer(f"constant({value})", lambda shape, rng: np.full(shape, float(value)))


def uniform(low: float = -0.05, high: float = 0.05) -> Initializer:
    """Entries drawn uniformly from [low, high).

    >>> w = uniform(-1, 1)((1000,), 0)
    >>> bool(-1 <= w.min() < -0.9 and 0.9 < w.max() < 1)
    True
    """
    if not low < high:
        raise GraphdiffError(f"uniform needs low < high, not [{low}, {high})")
    return Initializer(f"uniform({low}, {high})",
                       lambda shape, rng: rng.uniform(low, high, size=shape))


def normal(std: float = 0.01, mean: float = 0.0) -> Initializer:
    """Entries drawn from N(mean, std²).

    >>> round(float(normal(2.0)((10000,), 0).std()), 1)
    2.0
    """
    if not std >= 0:
        raise GraphdiffError(f"normal needs std >= 0, not {std}")
    return Initializer(f"normal({std})", lambda shape, rng: rng.normal(mean, std, size=shape))


def seed003() -> Initializer:
    """Seed 003's rule w_j = random(−1/(2n), 1/(2n)) with n the fan-in.

    Small weights: through a deep tanh network the gradient then shrinks by a constant
    factor per layer (seed 001's vanishing gradient, examples/seed_001_vanishing_matrix.py).

    >>> bool(abs(seed003()((50, 3), 0)).max() <= 1 / 100)
    True
    """
    def draw(shape: Shape, rng: np.random.Generator) -> np.ndarray:
        half = 1.0 / (2 * fans(shape)[0])
        return rng.uniform(-half, half, size=shape)

    return Initializer("seed003", draw)


def xavier_uniform(gain: float = 1.0) -> Initializer:
    """Xavier/Glorot (2010): U(−a, a), a = gain·√(6 / (fan_in + fan_out)).

    Keeps the variance of the signal forward and of the gradient backward about constant
    through tanh layers.

    >>> w = xavier_uniform()((200, 100), 0)
    >>> bool(abs(w).max() <= (6 / 300) ** 0.5), round(float(w.var() * 300), 1)
    (True, 2.0)
    """
    def draw(shape: Shape, rng: np.random.Generator) -> np.ndarray:
        n_in, n_out = fans(shape)
        a = gain * math.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-a, a, size=shape)

    return Initializer("xavier_uniform", draw)


def xavier_normal(gain: float = 1.0) -> Initializer:
    """Xavier/Glorot (2010): N(0, σ²), σ = gain·√(2 / (fan_in + fan_out)).

    >>> round(float(xavier_normal()((200, 100), 0).var() * 300), 1)
    2.0
    """
    def draw(shape: Shape, rng: np.random.Generator) -> np.ndarray:
        n_in, n_out = fans(shape)
        return rng.normal(0.0, gain * math.sqrt(2.0 / (n_in + n_out)), size=shape)

    return Initializer("xavier_normal", draw)


def he_normal() -> Initializer:
    """He (2015), for ReLU layers: N(0, 2 / fan_in) (ReLU zeroes half the signal).

    >>> round(float(he_normal()((400, 100), 0).var() * 400), 1)
    2.0
    """
    def draw(shape: Shape, rng: np.random.Generator) -> np.ndarray:
        return rng.normal(0.0, math.sqrt(2.0 / fans(shape)[0]), size=shape)

    return Initializer("he_normal", draw)


def he_uniform() -> Initializer:
    """He (2015): U(−a, a), a = √(6 / fan_in), the variance of :func:`he_normal`.

    >>> bool(abs(he_uniform()((24, 5), 0)).max() <= 0.5)
    True
    """
    def draw(shape: Shape, rng: np.random.Generator) -> np.ndarray:
        a = math.sqrt(6.0 / fans(shape)[0])
        return rng.uniform(-a, a, size=shape)

    return Initializer("he_uniform", draw)


#: The initialisers by name, for ``initialize(graph, names, "he_normal")``.
SCHEMES: Mapping[str, Callable[[], Initializer]] = {
    "zeros": zeros, "seed003": seed003, "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal, "he_normal": he_normal, "he_uniform": he_uniform,
}


def initialize(shapes: Graph | Mapping[str, Sequence[int]], names: Sequence[str],
               scheme: Initializer | str | Mapping[str, Initializer],
               *, bias: Initializer | None = None, seed: Seed = 0) -> dict[str, np.ndarray]:
    """First values of the parameters ``names``, shaped as the graph declares them.

    ``scheme`` is an initialiser, the name of one (:data:`SCHEMES`), or one per name.
    Inputs with fewer than two axes (biases, scalars) take ``bias`` (zeros unless given)
    unless ``scheme`` names them.  Draws come from one generator seeded by ``seed``, in
    the order of ``names``.

    >>> import graphdiff as gd
    >>> g = gd.parse("X: 1x2\\nW1: 2x2\\nW2: 2x1\\nL = sum(sigmoid(X @ W1) @ W2)")
    >>> {k: v.tolist() for k, v in initialize(g, ["W1", "W2"], "zeros").items()}
    {'W1': [[0.0, 0.0], [0.0, 0.0]], 'W2': [[0.0], [0.0]]}
    >>> a = initialize(g, ["W1", "W2"], "he_normal", seed=1)
    >>> b = initialize(g, ["W1", "W2"], "he_normal", seed=1)
    >>> all((a[k] == b[k]).all() for k in a)
    True
    """
    if isinstance(shapes, Graph):
        unknown = sorted(set(names) - set(shapes.inputs))
        if unknown:
            raise GraphdiffError(f"no input named {', '.join(unknown)}; the inputs are "
                                 f"{', '.join(shapes.inputs)}")
        declared = {name: shapes.shape(name) for name in names}
    else:
        declared = {name: tuple(shapes[name]) for name in names}
    rng = generator(seed)
    bias = bias if bias is not None else zeros()
    result = {}
    for name in names:
        if isinstance(scheme, Mapping):
            if name not in scheme:
                raise GraphdiffError(f"the scheme names no initialiser for {name}")
            rule = scheme[name]
        else:
            rule = _named(scheme) if len(declared[name]) >= 2 else bias
        result[name] = rule(declared[name], rng)
    return result


def _named(scheme: Initializer | str) -> Initializer:
    if isinstance(scheme, Initializer):
        return scheme
    if scheme not in SCHEMES:
        raise GraphdiffError(f"unknown initialisation {scheme!r}; the names are "
                             f"{', '.join(SCHEMES)}")
    return SCHEMES[scheme]()
