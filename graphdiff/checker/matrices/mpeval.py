"""A tensor graph at one point at high precision: arrays of mpmath numbers.

The elementwise ops run entry by entry through the registry's ``Op.mpmath`` (with its
domain checks and overflow guards); the ops of matrices run their own kernels on arrays
of mpmath numbers, which works for those made of products and sums (``@``, ``.T``,
``sum``, ``mean``, ``tr``, ``dot``, ``outer``, ``mse``, ...).  A kernel that needs
floats (``softmax``, ``det``, ``inv``, the losses through ``exp``/``log``) raises
:class:`NoHighPrecision`, and the caller keeps to floating point.

>>> import graphdiff as gd
>>> g = gd.parse("Z = X @ W\\nL = sum(sigmoid(Z))", shapes={"X": (1, 2), "W": (2, 1)})
>>> values = mp_values(g, {"X": [[1, 2]], "W": [[0.5], [-0.25]]}, 30)
>>> mpmath.nstr(values[g.id("Z")][0, 0], 5), mpmath.nstr(values[g.id("L")], 25)
('0.0', '0.5')
>>> try:
...     mp_values(gd.parse("det(X)", shapes={"X": (2, 2)}), {"X": [[1, 2], [3, 4]]}, 30)
... except NoHighPrecision as err:
...     print(err)
det has no high-precision form for matrices
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import numpy as np

from ...graph import Graph, is_node
from ...ops import MPDomainError, MPOverflow, Op
from ...tensorops import aligned, is_all
from .. import mpeval

__all__ = ["MPDomainError", "MPOverflow", "NoHighPrecision", "mp_array", "mp_values"]


class NoHighPrecision(ArithmeticError):
    """The graph has an op without a high-precision form for matrices."""


def mp_array(value: Any) -> np.ndarray:
    """A number or an array of them as an array of mpf (at the current precision).

    >>> mp_array([[1, 0.5]]).dtype, mpmath.nstr(mp_array(0.25)[()], 3)
    (dtype('O'), '0.25')
    """
    array = np.asarray(value, dtype=object)
    out = np.empty(array.shape, dtype=object)
    for index in np.ndindex(array.shape):
        entry = array[index]
        out[index] = entry if isinstance(entry, mpmath.mpf) else mpmath.mpf(entry)
    return out


def mp_values(graph: Graph, point: Mapping[str, Any], dps: int) -> list[Any]:
    """Every node's value at ``point`` (one point: each input's value has its declared
    shape) as arrays of mpf at ``dps`` digits (0-d arrays for scalars).

    Raises :class:`MPDomainError` outside an op's domain, :class:`MPOverflow` for values
    too large, :class:`NoHighPrecision` for an op without a high-precision form."""
    values: list[Any] = [None] * len(graph)
    with mpmath.workdps(dps):
        for name, i in zip(graph.inputs, graph.input_ids, strict=True):
            given = point.get(name, 0.0)
            values[i] = mp_array(given).reshape((1, *graph.shape(i)))
        for i in graph.order:
            kind = graph.kind(i)
            if kind == "input":
                continue
            if kind == "constant":
                values[i] = mp_array(mpeval.constant(graph.constant(i), dps)
                                     ).reshape((1,))
                continue
            op = graph.op(i)
            assert op is not None
            args = _arguments(graph, i, op, values, dps)
            values[i] = _apply(graph, i, op, args)
    return [None if v is None else v.reshape(np.shape(v)[1:]) for v in values]


def _arguments(graph: Graph, i: int, op: Op, values: list[Any], dps: int) -> list[Any]:
    """The arguments as the op's kernel takes them: node values (with their batch axis of
    1), static arguments as floats (an axis; every axis: inf), constants as mpf."""
    first_static = op.arity - op.static
    args = []
    for pos, a in enumerate(graph.args(i)):
        if is_node(a):
            args.append(values[a])
        elif pos >= first_static:
            args.append(np.float64(np.inf) if is_all(a) else np.float64(int(a)))
        else:
            args.append(mp_array(mpeval.constant(a, dps)).reshape((1,)))
    return args


def _apply(graph: Graph, i: int, op: Op, args: list[Any]) -> np.ndarray:
    if op.elementwise:
        if op.mpmath is None:
            raise NoHighPrecision(f"{op.name} has no high-precision form")
        return aligned(np.frompyfunc(_entry(graph, i, op.mpmath), op.arity, 1))(*args)
    try:
        with np.errstate(all="raise"):
            out = np.asarray(op.numpy(*args), dtype=object)
    except (MPDomainError, MPOverflow):
        raise
    except (TypeError, ValueError, AttributeError, ArithmeticError, np.linalg.LinAlgError):
        raise NoHighPrecision(f"{op.name} has no high-precision form for matrices") from None
    if not all(isinstance(x, mpmath.mpf) for x in out.flat):
        raise NoHighPrecision(f"{op.name} has no high-precision form for matrices")
    if op.domain is not None:
        try:
            outside = np.any(op.domain(*args))
        except TypeError:
            raise NoHighPrecision(f"{op.name} has no high-precision domain check") from None
        if outside:
            raise MPDomainError(f"{op.domain_message} at {graph.name(i)}")
    return out


def _entry(graph: Graph, i: int, function: Callable[..., Any]) -> Callable[..., Any]:
    """One entry of an elementwise op at high precision, with the checker's guards."""

    def apply(*xs: Any) -> Any:
        return mpeval.guarded(graph, i, function, xs)

    return apply
