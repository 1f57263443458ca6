"""What the tensor ops of the registry are made of: shape rules, batched kernels, VJP/JVP rules.

The op table (:mod:`graphdiff.ops`) declares each tensor op once; the functions it points
to live here, so that the table stays a table.  Nothing here knows the registry: the rules
reach other ops only through the namespace ``m`` they are given, exactly like the scalar
partials (``m.matmul(g, m.transpose(b))`` runs on numbers and on graph tracers alike).

**The batch axis.**  A tensor node's value carries one leading batch axis, of length 1
for a single point: a 2×3 node holds an array of shape ``(n, 2, 3)``.  So a kernel reads
the node's own axes as ``value.shape[1:]`` and "every axis of the node" is well defined
whatever the batch; static axes are negative (they count from the end).  Constants (0-d
numbers) broadcast against anything.

>>> import numpy as np
>>> x = np.arange(6.0).reshape(1, 2, 3)          # one point, a 2×3 node
>>> sum_kernel(x, ALL), sum_kernel(x, -1)
(array([15.]), array([[ 3., 12.]]))
>>> unbroadcast(np.ones((4, 2, 3)), (3,))        # 4 points: summed over rows, never points
array([[2., 2., 2.],
       [2., 2., 2.],
       [2., 2., 2.],
       [2., 2., 2.]])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy

from .errors import GraphdiffError, ShapeError

Shape = tuple[int, ...]

#: The most axes ``reshape`` takes or gives (its static sizes).
RESHAPE_AXES = 3

#: The default static axis, "every axis of the node" (``sum(X)``): sympy's ∞, since a
#: normalised axis is negative and this one must not be an axis at all.
ALL = sympy.oo


def is_all(axis: Any) -> bool:
    """Whether a static axis is :data:`ALL` (as a sympy number, a float or None).

    >>> is_all(ALL), is_all(float("inf")), is_all(-1), is_all(None)
    (True, True, False, True)
    """
    return axis is None or float(axis) == math.inf


def _no_gradient(m: Any, *args: Any) -> Any:
    raise AssertionError("NO_GRADIENT is a marker: engines skip it, never call it")


#: A ``vjps``/``jvps`` entry saying that no derivative flows through that argument: it
#: only lends its shape (``sum_to(g, x)`` reads nothing of ``x`` but its shape).
NO_GRADIENT: Callable[..., Any] = _no_gradient


def shape_text(shape: Shape) -> str:
    """A shape as a message writes it: ``(2, 3)``, ``(3,)``, ``()``.

    >>> shape_text((2, 3)), shape_text((3,)), shape_text(())
    ('(2, 3)', '(3,)', '()')
    """
    return repr(tuple(shape))


# --- the batch axis ------------------------------------------------------------------------


def node_shape(value: Any) -> Shape:
    """The node's own shape of a batched value (a 0-d constant has shape ``()``).

    >>> node_shape(np.zeros((5, 2, 3))), node_shape(2.0)
    ((2, 3), ())
    """
    shape = np.shape(value)
    return tuple(shape[1:]) if shape else ()


def lift(value: Any, ndim: int) -> Any:
    """A batched value with size-1 axes inserted after its batch axis up to ``ndim`` axes,
    so that it broadcasts against values of higher rank as numpy broadcasts node shapes.

    Constants (0-d) and values with ``ndim`` axes already are returned as they are.

    >>> lift(np.zeros((5, 3)), 3).shape, lift(2.0, 3)
    ((5, 1, 3), 2.0)
    """
    current = np.ndim(value)
    if current == 0 or current >= ndim:
        return value
    shape = np.shape(value)
    return np.reshape(value, (shape[0],) + (1,) * (ndim - current) + tuple(shape[1:]))


def aligned(function: Callable[..., Any]) -> Callable[..., Any]:
    """An elementwise numpy function made to broadcast batched values of different ranks
    (a vector plus a matrix, each with its batch axis first).

    >>> add = aligned(np.add)
    >>> add(np.zeros((5, 3)), np.ones((1, 2, 3))).shape
    (5, 2, 3)
    """

    def call(*args: Any) -> Any:
        ndim = max(np.ndim(a) for a in args)
        return function(*(lift(a, ndim) for a in args))

    call.__name__ = getattr(function, "__name__", "aligned")
    return call


def unbroadcast(g: Any, shape: Shape) -> Any:
    """A batched cotangent summed down to node shape ``shape``: over the leading axes
    broadcasting added and the axes where ``shape`` has size 1, never over the batch axis.

    The adjoint of broadcasting (``H + b`` with a bias ``b`` of shape ``(k,)`` sends
    ``sum over rows`` of the cotangent to ``b``).

    >>> g = np.arange(12.0).reshape(2, 2, 3)     # 2 points of a 2×3 cotangent
    >>> unbroadcast(g, (1, 3)).tolist()
    [[[3.0, 5.0, 7.0]], [[15.0, 17.0, 19.0]]]
    >>> unbroadcast(g, ()).tolist()
    [15.0, 51.0]
    """
    g = np.asarray(g)
    shape = tuple(shape)
    if g.ndim == 0:
        return g
    extra = g.ndim - 1 - len(shape)
    if extra < 0:  # fewer axes than the target: broadcast instead
        return np.broadcast_to(lift(g, 1 + len(shape)), (g.shape[0], *shape))
    axes = tuple(range(1, 1 + extra)) + tuple(
        1 + extra + i for i, n in enumerate(shape) if n == 1 and g.shape[1 + extra + i] != 1)
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    return np.reshape(g, (g.shape[0], *shape))


# --- shape rules ---------------------------------------------------------------------------


def broadcast_shapes(*shapes: Shape) -> Shape:
    """numpy's broadcast of node shapes; :class:`ShapeError` names the sizes that clash.

    >>> broadcast_shapes((2, 3), (3,)), broadcast_shapes((2, 1), (1, 4))
    ((2, 3), (2, 4))
    >>> broadcast_shapes((2, 3), (4,))
    Traceback (most recent call last):
    ...
    graphdiff.errors.ShapeError: sizes 3 and 4 do not broadcast
    """
    result: list[int] = []
    for sizes in zip(*(reversed(s) for s in _padded(shapes)), strict=True):
        big = {n for n in sizes if n != 1}
        if len(big) > 1:
            raise ShapeError(f"sizes {_first_clash(sizes)} do not broadcast")
        result.append(big.pop() if big else 1)
    return tuple(reversed(result))


def _padded(shapes: Sequence[Shape]) -> list[Shape]:
    rank = max((len(s) for s in shapes), default=0)
    return [(1,) * (rank - len(s)) + tuple(s) for s in shapes]


def _first_clash(sizes: Sequence[int]) -> str:
    big = [n for n in sizes if n != 1]
    first = big[0]
    other = next(n for n in big if n != first)
    return f"{first} and {other}"


def _rank_at_least(shape: Shape, rank: int, what: str) -> None:
    if len(shape) < rank:
        kind = {0: "a scalar", 1: "a vector"}.get(len(shape), f"of rank {len(shape)}")
        raise ShapeError(f"{what}, not {kind}")


def matmul_shape(a: Shape, b: Shape) -> Shape:
    """``a @ b`` with numpy's semantics: matrices (stacks broadcast), a vector on the left
    as a row and on the right as a column (its axis then disappears), two vectors a dot
    product.  Inner sizes must be equal.

    >>> matmul_shape((2, 3), (3, 4)), matmul_shape((5, 2, 3), (3, 1))
    ((2, 4), (5, 2, 1))
    >>> matmul_shape((3,), (3, 4)), matmul_shape((2, 3), (3,)), matmul_shape((3,), (3,))
    ((4,), (2,), ())
    >>> matmul_shape((2, 3), (2, 3))
    Traceback (most recent call last):
    ...
    graphdiff.errors.ShapeError: inner sizes 3 and 2 differ
    """
    for shape, side in ((a, "left"), (b, "right")):
        if not shape:
            raise ShapeError(f"@ multiplies matrices and vectors; the {side} operand is a "
                             "scalar (use * to scale)")
    inner = b[-2] if len(b) >= 2 else b[0]
    if a[-1] != inner:
        raise ShapeError(f"inner sizes {a[-1]} and {inner} differ")
    if len(a) == 1:
        return (*b[:-2], b[-1]) if len(b) >= 2 else ()
    if len(b) == 1:
        return a[:-1]
    return (*broadcast_shapes(a[:-2], b[:-2]), a[-2], b[-1])


def reshape_shape(a: Shape, *sizes: int | None) -> Shape:
    """``reshape(x, n, m, ...)``: up to :data:`RESHAPE_AXES` sizes (``None`` past the last
    given one; none at all: a scalar), one of them may be ``-1`` (whatever the entries
    leave); the number of entries must not change.

    >>> reshape_shape((2, 3), 6, None, None), reshape_shape((2, 3), 3, -1, None)
    ((6,), (3, 2))
    >>> reshape_shape((2, 3), 4, None, None)
    Traceback (most recent call last):
    ...
    graphdiff.errors.ShapeError: cannot reshape 6 entries (2, 3) into (4,)
    """
    if len(a) > RESHAPE_AXES:
        raise ShapeError(f"reshape takes arrays of up to {RESHAPE_AXES} axes, not {len(a)}")
    given = list(sizes)
    while given and given[-1] is None:
        given.pop()
    if None in given:
        raise ShapeError("reshape needs the new sizes in order (reshape(X, 3, 2))")
    if any(n == 0 or n < -1 for n in given) or given.count(-1) > 1:
        raise ShapeError("reshape's sizes are positive, or one of them -1 (the rest)")
    entries = math.prod(a)
    known = math.prod(n for n in given if n != -1)
    if -1 in given and known and entries % known == 0:
        given[given.index(-1)] = entries // known
    if math.prod(given) != entries:
        raise ShapeError(f"cannot reshape {entries} entries {shape_text(a)} into "
                         f"{shape_text(tuple(given))}")
    return tuple(given)


def normalize_sizes(a: Shape, *sizes: int | None) -> tuple[Any, ...]:
    """``reshape``'s sizes with ``-1`` worked out, padded with :data:`ALL` (no axis).

    >>> normalize_sizes((2, 3), -1, None, None)
    (6, oo, oo)
    """
    shape = reshape_shape(a, *sizes)
    return sizes_of(shape)


def sizes_of(shape: Shape) -> tuple[Any, ...]:
    """A shape as ``reshape``'s static arguments: its sizes, then :data:`ALL` for none.

    >>> sizes_of((2, 3))
    (2, 3, oo)
    """
    return (*(sympy.Integer(n) for n in shape), *(ALL,) * (RESHAPE_AXES - len(shape)))


def transpose_shape(a: Shape) -> Shape:
    """The last two axes swapped.

    >>> transpose_shape((2, 3)), transpose_shape((4, 2, 3))
    ((3, 2), (4, 3, 2))
    """
    _rank_at_least(a, 2, "transpose needs a matrix")
    return (*a[:-2], a[-1], a[-2])


def square_shape(what: str) -> Callable[[Shape], Shape]:
    """The shape rule of a function of square matrices with a scalar value (det, tr).

    >>> square_shape("det")((4, 3, 3))
    (4,)
    """

    def rule(a: Shape) -> Shape:
        _square(a, what)
        return a[:-2]

    return rule


def _square(a: Shape, what: str) -> None:
    _rank_at_least(a, 2, f"{what} needs a square matrix")
    if a[-1] != a[-2]:
        raise ShapeError(f"{what} needs a square matrix, not {a[-2]}×{a[-1]}")


def inv_shape(a: Shape) -> Shape:
    """The inverse of a square matrix has its shape.

    >>> inv_shape((3, 3))
    (3, 3)
    """
    _square(a, "inv")
    return a


def reduce_shape(a: Shape, axis: int | None) -> Shape:
    """``sum``/``mean`` over one (normalised, negative) axis, or over all of them.

    >>> reduce_shape((2, 3), -1), reduce_shape((2, 3), None)
    ((2,), ())
    """
    if axis is None:
        return ()
    return a[: len(a) + axis] + a[len(a) + axis + 1:]


def normalize_axis(a: Shape, axis: int | None) -> tuple[Any, ...]:
    """A reduction axis made negative (``0`` of a matrix is ``-2``); ``None`` stays ALL.

    >>> normalize_axis((2, 3), 0), normalize_axis((2, 3), -1), normalize_axis((2, 3), None)
    ((-2,), (-1,), (oo,))
    >>> normalize_axis((2, 3), 2)
    Traceback (most recent call last):
    ...
    graphdiff.errors.ShapeError: axis 2 is out of range for a node of shape (2, 3)
    """
    if axis is None:
        return (ALL,)
    rank = len(a)
    if not -rank <= axis < rank:
        raise ShapeError(f"axis {axis} is out of range for a node of shape {shape_text(a)}")
    return (sympy.Integer(axis - rank if axis >= 0 else axis),)


def expand_shape(a: Shape, axis: int) -> Shape:
    """A size-1 axis inserted at (negative) ``axis`` of the result.

    >>> expand_shape((2, 3), -1), expand_shape((2, 3), -3)
    ((2, 3, 1), (1, 2, 3))
    """
    position = len(a) + 1 + axis
    return (*a[:position], 1, *a[position:])


def normalize_new_axis(a: Shape, axis: int | None) -> tuple[Any, ...]:
    """``expand``'s axis, counted in the result (rank + 1 axes), made negative.

    >>> normalize_new_axis((2, 3), 0), normalize_new_axis((2, 3), -1)
    ((-3,), (-1,))
    """
    rank = len(a) + 1
    if axis is None or not -rank <= axis < rank:
        raise ShapeError(f"expand needs an axis between {-rank} and {rank - 1}")
    return (sympy.Integer(axis - rank if axis >= 0 else axis),)


def vectors_shape(what: str, combine: Callable[[int, int], Shape]) -> Callable[..., Shape]:
    """The shape rule of an op of two vectors (``dot``, ``outer``).

    >>> vectors_shape("outer", lambda n, k: (n, k))((2,), (3,))
    (2, 3)
    """

    def rule(a: Shape, b: Shape) -> Shape:
        if len(a) != 1 or len(b) != 1:
            raise ShapeError(f"{what} takes two vectors")
        return combine(a[0], b[0])

    return rule


def _dot_sizes(n: int, m: int) -> Shape:
    if n != m:
        raise ShapeError(f"lengths {n} and {m} differ")
    return ()


def last_axis_shape(keep: bool) -> Callable[[Shape], Shape]:
    """Ops over the last axis (the classes): softmax keeps it, logsumexp removes it.

    >>> last_axis_shape(True)((4, 10)), last_axis_shape(False)((4, 10))
    ((4, 10), (4,))
    """

    def rule(a: Shape) -> Shape:
        _rank_at_least(a, 1, "needs an axis of classes (a vector or a matrix)")
        return a if keep else a[:-1]

    return rule


def loss_shape(rank: int) -> Callable[[Shape, Shape], Shape]:
    """A loss of a prediction and a target of the same shape: a scalar (the mean).

    >>> loss_shape(0)((4, 1), (4, 1))
    ()
    >>> loss_shape(0)((4, 1), (4,))
    Traceback (most recent call last):
    ...
    graphdiff.errors.ShapeError: the prediction and the target must have the same shape ...
    """

    def rule(prediction: Shape, target: Shape) -> Shape:
        _rank_at_least(prediction, rank, "needs an axis of classes")
        if prediction != target:
            raise ShapeError("the prediction and the target must have the same shape (an "
                             "n×1 column and an n-vector differ: declare both alike)")
        return ()

    return rule


def sum_to_shape(g: Shape, x: Shape) -> Shape:
    """``sum_to(g, x)`` has the shape of ``x``, which must broadcast to that of ``g``.

    >>> sum_to_shape((2, 3), (3,))
    (3,)
    """
    if broadcast_shapes(g, x) != tuple(g):
        raise ShapeError(f"{shape_text(g)} cannot be summed down to {shape_text(x)}")
    return tuple(x)


def broadcast_like_shape(g: Shape, x: Shape) -> Shape:
    """``broadcast_like(g, x)`` has the shape of ``x``; ``g`` must broadcast to it.

    >>> broadcast_like_shape((3,), (2, 3))
    (2, 3)
    """
    if broadcast_shapes(g, x) != tuple(x):
        raise ShapeError(f"{shape_text(g)} cannot be broadcast to {shape_text(x)}")
    return tuple(x)


def eye_shape(x: Shape) -> Shape:
    """``eye_like(x)``: the identity of a square matrix's shape.

    >>> eye_shape((3, 3))
    (3, 3)
    """
    _square(x, "eye_like")
    return tuple(x)


# --- kernels (batched: axis 0 of every non-constant value is the batch) ------------------------


def _node_axes(x: Any) -> tuple[int, ...]:
    return tuple(range(1, np.ndim(x)))


def _axis(x: Any, axis: Any) -> Any:
    return _node_axes(x) if is_all(axis) else int(axis)


def sum_kernel(x: Any, axis: Any) -> Any:
    """Sum over one node axis, or over all of them.

    >>> sum_kernel(np.ones((1, 2, 3)), -2)
    array([[2., 2., 2.]])
    """
    return np.sum(x, axis=_axis(x, axis))


def mean_kernel(x: Any, axis: Any) -> Any:
    """Mean over one node axis, or over all of them.

    >>> mean_kernel(np.arange(6.0).reshape(1, 2, 3), ALL)
    array([2.5])
    """
    return np.mean(x, axis=_axis(x, axis))


def matmul_kernel(a: Any, b: Any) -> Any:
    """``a @ b`` of batched matrices or vectors (numpy's semantics for the node shapes: a
    batched vector has two axes); one point is multiplied as plain 2-D matrices (BLAS sees
    no stack of one).

    >>> matmul_kernel(np.ones((1, 2, 3)), np.ones((1, 3, 4))).shape
    (1, 2, 4)
    >>> matmul_kernel(np.ones((5, 3)), np.ones((1, 3, 4))).shape, matmul_kernel(
    ...     np.ones((1, 3)), np.ones((5, 3))).tolist()
    ((5, 4), [3.0, 3.0, 3.0, 3.0, 3.0])
    """
    a, b = np.asarray(a), np.asarray(b)
    row, column = a.ndim == 2, b.ndim == 2  # a batch axis and one node axis: a vector
    if row:
        a = a[:, np.newaxis, :]
    if column:
        b = b[:, :, np.newaxis]
    if a.ndim == 3 and b.ndim == 3 and a.shape[0] == 1 and b.shape[0] == 1:
        out = np.matmul(a[0], b[0])[np.newaxis]
    else:
        ndim = max(a.ndim, b.ndim)
        out = np.matmul(lift(a, ndim), lift(b, ndim))
    if column:
        out = out[..., 0]
    if row:
        out = out[..., 0, :] if column is False else out[..., 0]
    return out


def reshape_kernel(x: Any, *sizes: Any) -> Any:
    """The node's entries in a new shape (row-major, as numpy), keeping the batch axis.

    >>> reshape_kernel(np.arange(6.0).reshape(1, 2, 3), 3.0, 2.0, np.inf).shape
    (1, 3, 2)
    """
    if np.ndim(x) == 0:  # a constant: its one entry, whatever the size-1 axes
        return x
    shape = tuple(int(n) for n in sizes if not is_all(n))
    return np.reshape(x, (np.shape(x)[0], *shape))


def transpose_kernel(a: Any) -> Any:
    """The last two axes swapped (a view).

    >>> transpose_kernel(np.zeros((5, 2, 3))).shape
    (5, 3, 2)
    """
    return np.swapaxes(a, -1, -2)


def trace_kernel(a: Any) -> Any:
    """The sum of the diagonal of the last two axes.

    >>> trace_kernel(np.eye(3)[np.newaxis])
    array([3.])
    """
    return np.trace(a, axis1=-2, axis2=-1)


def dot_kernel(a: Any, b: Any) -> Any:
    """Σᵢ aᵢbᵢ of two batched vectors.

    >>> dot_kernel(np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]]))
    array([11.])
    """
    return np.sum(np.multiply(a, b), axis=-1)


def outer_kernel(a: Any, b: Any) -> Any:
    """aᵢbⱼ of two batched vectors.

    >>> outer_kernel(np.array([[1.0, 2.0]]), np.array([[3.0, 4.0, 5.0]])).shape
    (1, 2, 3)
    """
    return np.multiply(np.expand_dims(a, -1), np.expand_dims(b, -2))


def softmax_kernel(x: Any) -> Any:
    """Softmax over the last axis, shifted by the maximum (never overflows).

    >>> softmax_kernel(np.array([[1000.0, 1000.0]]))
    array([[0.5, 0.5]])
    """
    z = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)


def logsumexp_kernel(x: Any) -> Any:
    """log Σ exp over the last axis, shifted by the maximum (never overflows).

    >>> logsumexp_kernel(np.array([[1000.0, 1000.0]]))
    array([1000.69314718])
    """
    top = np.max(x, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return np.log(np.sum(np.exp(x - top), axis=-1)) + top[..., 0]


def _mean_of_node(values: Any) -> Any:
    return np.mean(values, axis=_node_axes(values))


def mse_kernel(prediction: Any, target: Any) -> Any:
    """The mean of the squared differences.

    >>> mse_kernel(np.array([[1.0, 1.0]]), np.array([[2.0, 1.0]]))
    array([0.5])
    """
    d = np.subtract(prediction, target)
    return _mean_of_node(d * d)


def cross_entropy_kernel(logits: Any, target: Any) -> Any:
    """Mean over the rows of −Σₖ yₖ log softmax(z)ₖ, through log-sum-exp (stable).

    >>> cross_entropy_kernel(np.array([[[0.0, 0.0], [1000.0, 0.0]]]), np.array([[[1.0, 0.0],
    ...                                                                     [1.0, 0.0]]]))
    array([0.34657359])
    """
    lse = logsumexp_kernel(logits)[..., np.newaxis]
    rows = np.sum(np.multiply(target, lse - logits), axis=-1)
    return _mean_of_node(rows) if np.ndim(rows) > 1 else rows


def bce_logits_kernel(z: Any, y: Any) -> Any:
    """Binary cross-entropy of σ(z) against y, as max(z, 0) − zy + log(1 + e^−|z|).

    >>> bce_logits_kernel(np.array([[0.0, -1000.0]]), np.array([[1.0, 0.0]]))
    array([0.34657359])
    """
    return _mean_of_node(np.maximum(z, 0.0) - np.multiply(z, y) + np.log1p(np.exp(-np.abs(z))))


def logloss_kernel(p: Any, y: Any) -> Any:
    """Binary cross-entropy −(y log p + (1 − y) log(1 − p)) of probabilities.

    >>> logloss_kernel(np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]]))
    array([0.69314718])
    """
    return _mean_of_node(-(np.multiply(y, np.log(p)) + np.multiply(1.0 - np.asarray(y),
                                                                     np.log1p(-np.asarray(p)))))


def expand_kernel(x: Any, axis: Any) -> Any:
    """A size-1 axis inserted at a negative position.

    >>> expand_kernel(np.zeros((5, 3)), -1.0).shape
    (5, 3, 1)
    """
    return np.expand_dims(x, int(axis))


def sum_to_kernel(g: Any, x: Any) -> Any:
    """``g`` summed down to the node shape of ``x`` (the adjoint of broadcasting).

    >>> sum_to_kernel(np.ones((1, 4, 3)), np.zeros((1, 3)))
    array([[4., 4., 4.]])
    """
    target = node_shape(x)
    return g if node_shape(g) == target and np.ndim(g) else unbroadcast(g, target)


def broadcast_like_kernel(g: Any, x: Any) -> Any:
    """``g`` broadcast to the node shape of ``x`` (keeping ``g``'s batch).

    >>> broadcast_like_kernel(np.array([2.0, 3.0]), np.zeros((1, 2, 2))).tolist()
    [[[2.0, 2.0], [2.0, 2.0]], [[3.0, 3.0], [3.0, 3.0]]]
    """
    target = node_shape(x)
    if np.ndim(g) == 0:
        return np.broadcast_to(g, np.shape(x))
    if node_shape(g) == target:
        return g
    return np.broadcast_to(lift(g, 1 + len(target)), (np.shape(g)[0], *target))


def eye_kernel(x: Any) -> Any:
    """The identity matrix, batched like ``x``.

    >>> eye_kernel(np.zeros((1, 2, 2))).tolist()
    [[[1.0, 0.0], [0.0, 1.0]]]
    """
    return np.broadcast_to(np.eye(np.shape(x)[-1]), np.shape(x))


def logdet_kernel(x: Any) -> Any:
    """log det of matrices with a positive determinant (slogdet: no overflow).

    >>> logdet_kernel(np.array([[[np.e, 0.0], [0.0, 1.0]]]))
    array([1.])
    """
    return np.linalg.slogdet(x)[1]


# --- vjp and jvp rules (in a namespace m) ------------------------------------------------------


def matmul_left_vjp(m: Any, g: Any, a: Any, b: Any, out: Any) -> Any:
    """``a @ b``'s cotangent for ``a``: ``G·Bᵀ`` (seed 004 Ex4); for vectors as numpy
    multiplies them: ``B·g`` for a row vector ``a``, ``g·bᵀ`` (an outer product) for a
    column ``b``, ``g·b`` for a dot product.

    >>> from graphdiff.ops import TENSOR
    >>> matmul_left_vjp(TENSOR, np.ones((1, 2)), np.ones((1, 3)), np.ones((1, 3, 2)),
    ...                 None).tolist()
    [[2.0, 2.0, 2.0]]
    """
    ra, rb = len(m.shape(a)), len(m.shape(b))
    if ra >= 2 and rb >= 2:
        return m.sum_to(m.matmul(g, m.transpose(b)), a)
    if ra == 1 and rb == 1:
        return m.mul(g, b)
    if ra == 1:
        if rb == 2:
            return m.matmul(b, g)
        return m.sum_to(m.matmul(m.expand(g, -2), m.transpose(b)), a)
    if ra == 2:
        return m.outer(g, b)
    return m.sum_to(m.mul(m.expand(g, -1), b), a)


def matmul_right_vjp(m: Any, g: Any, a: Any, b: Any, out: Any) -> Any:
    """``a @ b``'s cotangent for ``b``: ``Aᵀ·G`` (seed 004 Ex4); for vectors ``a·gᵀ`` (an
    outer product) for a row vector ``a``, ``Aᵀ·g`` for a column ``b``, ``g·a`` for a dot
    product.

    >>> from graphdiff.ops import TENSOR
    >>> matmul_right_vjp(TENSOR, np.ones((1, 2)), np.ones((1, 2, 3)), np.ones((1, 3)),
    ...                  None).tolist()
    [[2.0, 2.0, 2.0]]
    """
    ra, rb = len(m.shape(a)), len(m.shape(b))
    if ra >= 2 and rb >= 2:
        return m.sum_to(m.matmul(m.transpose(a), g), b)
    if ra == 1 and rb == 1:
        return m.mul(g, a)
    if ra == 1:
        if rb == 2:
            return m.outer(a, g)
        return m.sum_to(m.mul(m.expand(a, -1), m.expand(g, -2)), b)
    if ra == 2:
        return m.matmul(m.transpose(a), g)
    return m.sum_to(m.sum(m.mul(m.expand(g, -1), a), -2), b)


def reshape_vjp(m: Any, g: Any, x: Any, *rest: Any) -> Any:
    """``reshape``'s cotangent: ``g`` reshaped back to the shape of ``x``.

    >>> from graphdiff.ops import TENSOR
    >>> reshape_vjp(TENSOR, np.ones((1, 6)), np.zeros((1, 2, 3)), 6, ALL, ALL, None).shape
    (1, 2, 3)
    """
    return m.reshape(g, *sizes_of(m.shape(x)))


def _reduced_back(m: Any, g: Any, x: Any, axis: Any) -> Any:
    """A reduction's cotangent broadcast back along the reduced axes."""
    return m.broadcast_like(g if is_all(axis) else m.expand(g, axis), x)


def sum_vjp(m: Any, g: Any, x: Any, axis: Any, out: Any) -> Any:
    """``sum``'s cotangent for ``x``: ``g`` broadcast back along the summed axes.

    >>> from graphdiff.ops import TENSOR
    >>> sum_vjp(TENSOR, np.array([[1.0, 2.0]]), np.zeros((1, 2, 3)), -1.0, None).tolist()
    [[[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]]
    """
    return _reduced_back(m, g, x, axis)


def mean_vjp(m: Any, g: Any, x: Any, axis: Any, out: Any) -> Any:
    """``mean``'s cotangent for ``x``: ``sum``'s divided by the count of entries averaged.

    >>> from graphdiff.ops import TENSOR
    >>> mean_vjp(TENSOR, np.array([6.0]), np.zeros((1, 2, 3)), ALL, np.zeros(1)).tolist()
    [[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]
    """
    return _reduced_back(m, g, x, axis) / (m.size(x) // m.size(out))


def _square_matrix_of(m: Any, scalar: Any) -> Any:
    """A scalar cotangent with two size-1 axes, ready to scale a matrix."""
    return m.expand(m.expand(scalar, -1), -1)


def trace_vjp(m: Any, g: Any, a: Any, out: Any) -> Any:
    """``tr``'s cotangent: ``g·I``.

    >>> from graphdiff.ops import TENSOR
    >>> trace_vjp(TENSOR, np.array([2.0]), np.zeros((1, 2, 2)), None).tolist()
    [[[2.0, 0.0], [0.0, 2.0]]]
    """
    return m.mul(_square_matrix_of(m, g), m.eye_like(a))


def det_vjp(m: Any, g: Any, a: Any, out: Any) -> Any:
    """``det``'s cotangent: ``g·det(A)·A⁻ᵀ``.

    >>> from graphdiff.ops import TENSOR
    >>> a = np.array([[[2.0, 0.0], [0.0, 3.0]]])
    >>> det_vjp(TENSOR, np.array([1.0]), a, np.array([6.0])).tolist()
    [[[3.0, 0.0], [0.0, 2.0]]]
    """
    return m.mul(_square_matrix_of(m, g * out), m.transpose(m.inv(a)))


def logdet_vjp(m: Any, g: Any, a: Any, out: Any) -> Any:
    """``logdet``'s cotangent: ``g·A⁻ᵀ``.

    >>> from graphdiff.ops import TENSOR
    >>> logdet_vjp(TENSOR, np.array([1.0]), np.array([[[2.0, 0.0], [0.0, 4.0]]]), None).tolist()
    [[[0.5, 0.0], [0.0, 0.25]]]
    """
    return m.mul(_square_matrix_of(m, g), m.transpose(m.inv(a)))


def inv_vjp(m: Any, g: Any, a: Any, out: Any) -> Any:
    """``inv``'s cotangent: ``−A⁻ᵀ·G·A⁻ᵀ``.

    >>> from graphdiff.ops import TENSOR
    >>> inverse = np.array([[[0.5, 0.0], [0.0, 0.25]]])
    >>> inv_vjp(TENSOR, np.ones((1, 2, 2)), None, inverse).tolist()
    [[[-0.25, -0.125], [-0.125, -0.0625]]]
    """
    return -m.matmul(m.matmul(m.transpose(out), g), m.transpose(out))


def softmax_vjp(m: Any, g: Any, x: Any, out: Any) -> Any:
    """``softmax``'s cotangent: ``S ⊙ (G − Σ G ⊙ S)``, the sum over the classes.

    >>> from graphdiff.ops import TENSOR
    >>> softmax_vjp(TENSOR, np.array([[1.0, 1.0]]), None, np.array([[0.5, 0.5]])).tolist()
    [[0.0, 0.0]]
    """
    return out * (g - m.expand(m.sum(g * out, -1), -1))


def softmax_jvp(m: Any, t: Any, x: Any, out: Any) -> Any:
    """``softmax``'s tangent (its Jacobian is symmetric: the same formula).

    >>> from graphdiff.ops import TENSOR
    >>> softmax_jvp(TENSOR, np.array([[1.0, 0.0]]), None, np.array([[0.5, 0.5]])).tolist()
    [[0.25, -0.25]]
    """
    return out * (t - m.expand(m.sum(t * out, -1), -1))


def _rows(m: Any, logits: Any) -> int:
    """How many rows (samples) a batch of logits has: every axis but the classes."""
    shape = m.shape(logits)
    return math.prod(shape[:-1])


def _ce_logits_slope(m: Any, z: Any, y: Any) -> Any:
    """∂/∂z of Σₖ yₖ(lse(z) − zₖ) per row: softmax(z)·Σy − y (softmax(z) − y for one-hot y)."""
    return m.softmax(z) * m.expand(m.sum(y, -1), -1) - y


def _ce_target_slope(m: Any, z: Any) -> Any:
    """∂/∂y of the same: −log softmax(z) = lse(z) − z."""
    return m.expand(m.logsumexp(z), -1) - z


def ce_vjps() -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The two cotangent rules of ``cross_entropy(z, y)``.

    >>> from graphdiff.ops import TENSOR
    >>> z, y = np.array([[[0.0, 0.0]]]), np.array([[[1.0, 0.0]]])
    >>> ce_vjps()[0](TENSOR, np.array([1.0]), z, y, None).tolist()
    [[[-0.5, 0.5]]]
    """
    return (lambda m, g, z, y, out: m.mul(g, _ce_logits_slope(m, z, y)) / _rows(m, z),
            lambda m, g, z, y, out: m.mul(g, _ce_target_slope(m, z)) / _rows(m, z))


def ce_jvps() -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The two tangent rules of ``cross_entropy(z, y)``.

    >>> from graphdiff.ops import TENSOR
    >>> z, y = np.array([[[0.0, 0.0]]]), np.array([[[1.0, 0.0]]])
    >>> ce_jvps()[0](TENSOR, np.array([[[1.0, 0.0]]]), z, y, None).tolist()
    [-0.5]
    """
    return (lambda m, t, z, y, out: m.sum(_ce_logits_slope(m, z, y) * t, ALL) / _rows(m, z),
            lambda m, t, z, y, out: m.sum(_ce_target_slope(m, z) * t, ALL) / _rows(m, z))


def mean_loss_rules(slopes: Sequence[Callable[..., Any]]
                    ) -> tuple[tuple[Callable[..., Any], ...], tuple[Callable[..., Any], ...]]:
    """VJPs and JVPs of a loss that is the mean of an elementwise function of (p, y),
    from that function's partials ``slope(m, p, y)`` (one per argument).

    >>> from graphdiff.ops import TENSOR
    >>> vjps, jvps = mean_loss_rules((lambda m, p, y: 2 * (p - y), lambda m, p, y: 2 * (y - p)))
    >>> vjps[0](TENSOR, np.array([1.0]), np.array([[3.0, 1.0]]), np.array([[1.0, 1.0]]),
    ...         None).tolist()
    [[2.0, 0.0]]
    """

    def vjp(slope: Callable[..., Any]) -> Callable[..., Any]:
        return lambda m, g, p, y, out: m.mul(g, slope(m, p, y)) / m.size(p)

    def jvp(slope: Callable[..., Any]) -> Callable[..., Any]:
        return lambda m, t, p, y, out: m.sum(slope(m, p, y) * t, ALL) / m.size(p)

    return tuple(vjp(s) for s in slopes), tuple(jvp(s) for s in slopes)


# --- expansions: tensor ops written with other ops, for arrays of scalar references ------------

#: The largest matrix whose determinant and inverse are expanded entry by entry (by
#: cofactors: n! products).
EXPANSION_MAX_SIZE = 4


def ce_expansion(m: Any, z: Any, y: Any) -> Any:
    """``cross_entropy`` as log-sum-exp minus the logit, weighted by the target, averaged
    over the rows.

    >>> from graphdiff.ops import TENSOR
    >>> float(ce_expansion(TENSOR, np.array([[[0.0, 0.0]]]), np.array([[[1.0, 0.0]]]))[0])
    0.6931471805599453
    """
    return m.sum(m.mul(y, _ce_target_slope(m, z)), ALL) / _rows(m, z)


def _matrices(a: Any) -> Any:
    """The square matrices of an array of references (its last two axes), one per index
    of the leading axes; refuses matrices too large to expand."""
    a = np.asarray(a, dtype=object)
    n = a.shape[-1]
    if n > EXPANSION_MAX_SIZE:
        raise GraphdiffError(f"the entries of a {n}×{n} determinant or inverse have {n}! "
                             f"products each; the expansion stops at "
                             f"{EXPANSION_MAX_SIZE}×{EXPANSION_MAX_SIZE}")
    return a


def _cofactor_det(matrix: Any) -> Any:
    """The determinant of one square matrix of references, by cofactors along its first
    row (Laplace): n! products, written as a teacher expands a 3×3."""
    n = matrix.shape[0]
    if n == 1:
        return matrix[0, 0]
    total = None
    for j in range(n):
        minor = np.delete(np.delete(matrix, 0, axis=0), j, axis=1)
        term = matrix[0, j] * _cofactor_det(minor)
        total = term if total is None else total - term if j % 2 else total + term
    return total


def det_expansion(m: Any, a: Any) -> Any:
    """``det`` by cofactors, for each matrix of the last two axes.

    >>> det_expansion(None, np.array([[[1, 2], [3, 4]]], dtype=object)).tolist()
    [-2]
    """
    a = _matrices(a)
    out = np.empty(a.shape[:-2], dtype=object)
    for index in np.ndindex(*out.shape):
        out[index] = _cofactor_det(a[index])
    return out


def inv_expansion(m: Any, a: Any) -> Any:
    """``inv`` as the adjugate over the determinant (cofactors transposed), for each
    matrix of the last two axes.

    >>> import sympy
    >>> inv_expansion(None, np.array([[[sympy.Integer(2), 0], [0, 4]]], dtype=object)).tolist()
    [[[1/2, 0], [0, 1/4]]]
    """
    a = _matrices(a)
    n = a.shape[-1]
    out = np.empty(a.shape, dtype=object)
    for index in np.ndindex(*a.shape[:-2]):
        matrix = a[index]
        det = _cofactor_det(matrix)
        for i in range(n):
            for j in range(n):
                minor = np.delete(np.delete(matrix, j, axis=0), i, axis=1)
                cofactor = _cofactor_det(minor) if n > 1 else 1
                out[(*index, i, j)] = (-cofactor if (i + j) % 2 else cofactor) / det
    return out


def no_scalar_meaning(name: str) -> Callable[..., Any]:
    """The ``sympy`` column of an op that has no meaning on scalars (matmul, softmax, ...).

    Symbolic sweeps refuse graphs with tensor nodes before they get here; this says why
    if anything else asks.

    >>> no_scalar_meaning("matmul")(1, 2)
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: matmul has no meaning on scalars: sympy cannot ...
    """

    def refuse(*args: Any) -> Any:
        raise GraphdiffError(
            f"{name} has no meaning on scalars: sympy cannot differentiate tensor graphs "
            "symbolically yet; use reverse_graph for a symbolic derivative graph")

    return refuse
