"""Shapes, static arguments and values for every tensor op, found from the registry alone.

No table of ops here: the candidates below are tried against each op's own ``shape`` rule
(and ``normalize``), so a tensor op added to the registry is sampled without an edit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
from hypothesis import strategies as st

from graphdiff.errors import ShapeError
from graphdiff.ops import NUMPY, OPS, Op
from graphdiff.tensorops import ALL, broadcast_shapes, lift

Shape = tuple[int, ...]

#: Sizes of sampled axes: 1 is there on purpose (broadcasting), 2 and 3 tell axes apart.
SIZES = (1, 2, 3)
#: Static arguments (axes) tried, the default "all" first.
STATICS = (ALL, -1, -2, -3, 0, 1)
#: Ranges values are drawn from, in order, until the op's domain accepts them.
RANGES = ((-2.0, 2.0), (-0.9, 0.9), (0.1, 0.9), (0.5, 1.5), (1.2, 3.0))
#: Distance kept from the zeros of an op's kink expressions (relu at 0, ...).
KINK_MARGIN = 0.01

TENSOR_OPS = sorted(name for name, op in OPS.items() if not op.elementwise)


def data_arity(op: Op) -> int:
    """How many arguments are data (the rest are static, such as an axis)."""
    return op.arity - op.static


def companions(first: Shape) -> list[Shape]:
    """Shapes worth pairing with ``first`` as a second argument: the same, broadcast
    variants, a matrix product's partner, and ``first`` with axes in front."""
    out: list[Shape] = [first, first[1:], first[-1:], (), first[::-1]]
    out += [tuple(1 if k % 2 else n for k, n in enumerate(first))]
    if first:
        out += [(first[-1], m) for m in SIZES] + [(2, first[-1], m) for m in (1, 3)]
    out += [(n, *first) for n in (1, 2)]
    return list(dict.fromkeys(out))


def accepts(op: Op, shapes: tuple[Shape, ...], static: tuple) -> bool:
    """Whether the op's shape rule (and normaliser) take these arguments."""
    values = [None if s is ALL else int(s) for s in static]
    try:
        if op.normalize is not None:
            op.normalize(*shapes, *values)
        if op.shape is not None:
            op.shape(*shapes, *values)
        else:
            broadcast_shapes(*shapes)
    except ShapeError:
        return False
    return True


def _static_choices(op: Op) -> list[tuple]:
    return [tuple(c) for c in itertools.product(STATICS, repeat=op.static)]


def all_cases(op: Op, first: Shape) -> Iterator[tuple[tuple[Shape, ...], tuple]]:
    """Every (shapes, static) built from ``first`` that the op accepts."""
    seconds = [()] if data_arity(op) == 1 else companions(first)
    for second in seconds:
        shapes = (first,) if data_arity(op) == 1 else (first, second)
        for static in _static_choices(op):
            if accepts(op, shapes, static):
                yield shapes, static


def first_shapes() -> st.SearchStrategy[Shape]:
    """Shapes of rank 0 to 3 with sizes 1 to 3; sometimes square in the last two axes."""
    base = st.lists(st.sampled_from(SIZES), min_size=0, max_size=3).map(tuple)

    def square(shape: Shape) -> Shape:
        return (*shape[:-1], shape[-2]) if len(shape) >= 2 else shape

    return st.one_of(base, base.map(square))


@st.composite
def cases(draw: st.DrawFn, name: str) -> tuple[tuple[Shape, ...], tuple]:
    """A random accepted (shapes, static) for the op called ``name``."""
    op = OPS[name]
    for _ in range(20):
        options = list(all_cases(op, draw(first_shapes())))
        if options:
            return draw(st.sampled_from(options))
    return example_case(op)


def example_case(op: Op) -> tuple[tuple[Shape, ...], tuple]:
    """A fixed accepted case, the first found from small shapes."""
    for first in ((2, 2), (3,), (2, 3), (1, 2, 2), ()):
        for case in all_cases(op, first):
            return case
    raise AssertionError(f"no shapes found for {op.name}")


def _fits(op: Op, values: list[np.ndarray], static: tuple) -> bool:
    """Inside the op's domain and away from its kinks, at every entry."""
    batched = [np.asarray(v)[np.newaxis] for v in values]
    ndim = max(v.ndim for v in batched)
    if op.elementwise:  # broadcast node shapes past the batch axis, as the graph does
        batched = [lift(v, ndim) for v in batched]
    with np.errstate(all="ignore"):
        if op.domain is not None and np.any(op.domain(*batched)):
            return False
        if op.kinks is not None and not all(
                np.all(np.abs(k) >= KINK_MARGIN) for k in op.kinks(NUMPY, *batched)):
            return False
        out = op.numpy(*batched, *(float(s) for s in static))
    return bool(np.all(np.isfinite(out)))


def values_for(op: Op, shapes: tuple[Shape, ...], static: tuple, rng: np.random.Generator,
               batch: Shape = ()) -> list[np.ndarray]:
    """Random values of the given shapes (with leading ``batch`` axes on the first) that
    the op's domain accepts, away from kinks."""
    for low, high in RANGES:
        for _ in range(100):
            values = [rng.uniform(low, high, size=s) for s in shapes]
            if _fits(op, values, static):
                if batch:
                    values[0] = rng.uniform(low, high, size=batch + shapes[0])
                    if not all(_fits(op, [v, *values[1:]], static) for v in values[0].reshape(
                            (-1, *shapes[0]))):
                        continue
                return values
        if all(len(shape) >= 2 and shape[-1] == shape[-2] for shape in shapes):
            # Square matrices: near 2I, so that a determinant is positive.
            values = [2 * np.eye(s[-1]) + rng.uniform(-0.5, 0.5, size=batch * (k == 0) + s)
                      for k, s in enumerate(shapes)]
            if all(_fits(op, [v, *values[1:]], static) for v in values[0].reshape(
                    (-1, *shapes[0]))):
                return values
    raise AssertionError(f"no values in {RANGES} inside the domain of {op.name}")
