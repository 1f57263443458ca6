"""JAX's transformations of Python functions, on graphdiff's graphs.

``grad(fn)``, ``value_and_grad``, ``jacfwd``, ``jacrev``, ``hessian``, ``jvp``, ``vjp`` and
``make_graph`` take a Python function of numbers or numpy arrays and return functions, with
JAX's meaning where it is the same: the function is traced once per shape of its arguments
(:func:`graphdiff.trace`, cached), then reverse or forward mode runs on the graph.  The
graph-first functions keep working: ``grad``, ``jvp``, ``vjp`` and ``hessian`` look at their
first argument -- a :class:`~graphdiff.Graph` or text goes to the engines as before, a
Python function is transformed.

>>> import graphdiff as gd
>>> f = lambda x, y: x**2 * y + gd.sin(x)
>>> gd.grad(f)(1.0, 2.0)                       # d/dx at (1, 2)
4.54030230586814
>>> gd.grad(f, argnums=(0, 1))(1.0, 2.0)
(4.54030230586814, 1.0)
>>> gd.value_and_grad(f)(0.0, 2.0)
(0.0, 1.0)
>>> gd.grad(gd.parse("x*y"), {"x": 2.0, "y": 3.0})   # the graph-first form
{'x': 3.0, 'y': 2.0}
"""

from __future__ import annotations

import math
import numbers
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .derive import api
from .derive.forward import forward
from .derive.reverse import reverse
from .errors import GraphdiffError, TraceError
from .graph import Graph
from .parse import parse
from .trace import trace

__all__ = ["grad", "hessian", "jacfwd", "jacrev", "jvp", "make_graph", "value_and_grad",
           "vjp"]

Argnums = int | Sequence[int]

#: Traced graphs per function and per shapes of its arguments.
_TRACED: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Graph]] = \
    weakref.WeakKeyDictionary()


def make_graph(fn: Callable[..., Any]) -> Callable[..., Graph]:
    """``make_graph(fn)(*example_args)``: the graph of ``fn`` at those arguments' shapes (the
    analogue of JAX's ``make_jaxpr``).

    >>> import graphdiff as gd
    >>> g = gd.make_graph(lambda X, W: gd.sum(gd.relu(X @ W)))(np.ones((4, 2)), np.ones((2, 3)))
    >>> g.inputs, g.shape("X"), len(g)
    (('X', 'W'), (4, 2), 5)
    """
    return lambda *args: _traced(fn, _arrays(fn, args))


def _arrays(fn: Callable[..., Any], args: Sequence[Any]) -> list[Any]:
    """The arguments as floats or float arrays; anything else is a clear error."""
    out = []
    for k, arg in enumerate(args):
        if isinstance(arg, bool) or not isinstance(arg, numbers.Real | np.ndarray | list |
                                                     tuple):
            raise TraceError(f"argument {k} of {_name(fn)} is {type(arg).__name__}: "
                             "transformations take numbers and numpy arrays")
        try:
            value = np.asarray(arg, dtype=float)
        except (TypeError, ValueError):
            raise TraceError(f"argument {k} of {_name(fn)} is not an array of numbers: "
                             "pass numbers or a numpy array") from None
        out.append(float(value) if value.ndim == 0 else value)
    return out


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


def _traced(fn: Callable[..., Any], args: Sequence[Any]) -> Graph:
    key = tuple(np.shape(a) for a in args)
    try:
        per_shape = _TRACED.setdefault(fn, {})
    except TypeError:  # not weakly referable (a builtin): trace every time
        per_shape = {}
    graph = per_shape.get(key)
    if graph is None:
        graph = trace(fn, example_args=list(args))
        if len(graph.inputs) != len(args):
            raise TraceError(f"{_name(fn)} takes {len(graph.inputs)} arguments "
                             f"({', '.join(graph.inputs)}), got {len(args)}")
        per_shape[key] = graph
    return graph


def _setup(fn: Callable[..., Any], args: Sequence[Any]) -> tuple[Graph, dict[str, Any]]:
    values = _arrays(fn, args)
    graph = _traced(fn, values)
    return graph, dict(zip(graph.inputs, values, strict=True))


def _names(graph: Graph, argnums: Argnums) -> tuple[list[str], bool]:
    """The inputs ``argnums`` picks, and whether it picked one (not a tuple)."""
    single = isinstance(argnums, int)
    picked = [argnums] if single else list(argnums)
    for k in picked:
        if not -len(graph.inputs) <= k < len(graph.inputs):
            raise GraphdiffError(f"argnums {k} is out of range for {len(graph.inputs)} "
                                 "arguments")
    return [graph.inputs[k] for k in picked], single


def _scalar_output(graph: Graph, fn: Callable[..., Any]) -> str:
    if len(graph.outputs) != 1 or graph.shape(graph.outputs[0]) != ():
        raise GraphdiffError(f"grad needs {_name(fn)} to return one number; use jacrev or "
                             "jacfwd for several outputs or an array")
    return graph.outputs[0]


def _plain(value: Any) -> Any:
    return float(value) if np.ndim(value) == 0 else np.asarray(value)


def value_and_grad(fn: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """``value_and_grad(fn)(*args)`` -> ``(fn(*args), gradient)``: one reverse sweep.

    >>> value_and_grad(lambda x, y: x * y, argnums=(0, 1))(2.0, 3.0)
    (6.0, (3.0, 2.0))
    """

    def run(*args: Any) -> tuple[Any, Any]:
        graph, at = _setup(fn, args)
        _scalar_output(graph, fn)
        names, single = _names(graph, argnums)
        result = reverse(graph, at=at)
        grads = tuple(_plain(result.gradient[n]) for n in names)
        return _plain(result.value), grads[0] if single else grads

    return run


def _grad_of_function(fn: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    run = value_and_grad(fn, argnums)
    return lambda *args: run(*args)[1]


def jacrev(fn: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The Jacobian by reverse mode, one sweep per output entry: shape
    ``output shape + input shape``, as JAX lays it out.

    >>> jacrev(lambda x: x * x)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    return _jacobian(fn, argnums, "reverse")


def jacfwd(fn: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The Jacobian by forward mode, one sweep per input entry (same layout as
    :func:`jacrev`).

    >>> jacfwd(lambda x, y: x * y, argnums=1)(3.0, np.array([1.0, 2.0]))
    array([[3., 0.],
           [0., 3.]])
    """
    return _jacobian(fn, argnums, "forward")


def _jacobian(fn: Callable[..., Any], argnums: Argnums, mode: str) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        graph, at = _setup(fn, args)
        if len(graph.outputs) != 1:
            raise GraphdiffError(f"{mode} Jacobians are of one output; {_name(fn)} returns "
                                 f"{len(graph.outputs)}")
        out = graph.outputs[0]
        out_shape = np.shape(graph.evaluate(at))
        names, single = _names(graph, argnums)
        blocks = [_block(graph, at, out, out_shape, name, mode) for name in names]
        return blocks[0] if single else tuple(blocks)

    return run


def _block(graph: Graph, at: Mapping[str, Any], out: str, out_shape: tuple[int, ...],
           name: str, mode: str) -> Any:
    in_shape = np.shape(at[name])
    rows = []
    if mode == "reverse":
        for k in range(math.prod(out_shape)):
            seed = np.zeros(out_shape)
            seed.flat[k] = 1.0
            result = reverse(graph, at=at, cotangent={out: seed if out_shape else 1.0})
            rows.append(np.ravel(result.gradient[name]))
        return np.asarray(rows).reshape(out_shape + in_shape)
    columns = []
    for k in range(math.prod(in_shape)):
        direction = {n: (np.zeros(np.shape(v)) if np.ndim(v) else 0.0) for n, v in at.items()}
        tangent = np.zeros(in_shape)
        tangent.flat[k] = 1.0
        direction[name] = tangent if in_shape else 1.0
        columns.append(np.ravel(forward(graph, at=at, direction=direction).derivative))
    return np.asarray(columns).T.reshape(out_shape + in_shape)


def _hessian_of_function(fn: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        graph, at = _setup(fn, args)
        _scalar_output(graph, fn)
        names, single = _names(graph, argnums)
        if any(np.ndim(at[n]) for n in names):
            raise GraphdiffError("hessian of a Python function takes number arguments; for "
                                 "arrays use gd.hessian on its graph (gd.make_graph)")
        matrix = np.asarray(api.hessian(graph, at, wrt=names), dtype=float)
        return float(matrix[0, 0]) if single else matrix

    return run


def _jvp_of_function(fn: Callable[..., Any], primals: Sequence[Any],
                     tangents: Sequence[Any]) -> tuple[Any, Any]:
    graph, at = _setup(fn, primals)
    direction = dict(zip(graph.inputs, _arrays(fn, tangents), strict=True))
    result = forward(graph, at=at, direction=direction)
    return _plain(result.value), _plain(result.derivative)


def _vjp_of_function(fn: Callable[..., Any], *primals: Any
                     ) -> tuple[Any, Callable[[Any], tuple[Any, ...]]]:
    graph, at = _setup(fn, primals)
    if len(graph.outputs) != 1:
        raise GraphdiffError("vjp of a Python function takes one output")
    out = graph.outputs[0]

    def pullback(cotangent: Any) -> tuple[Any, ...]:
        result = reverse(graph, at=at, cotangent={out: cotangent})
        return tuple(_plain(result.gradient[n]) for n in graph.inputs)

    return _plain(graph.evaluate(at)), pullback


def _as_graph(first: Any) -> Graph | None:
    if isinstance(first, Graph):
        return first
    if isinstance(first, str):
        return parse(first)
    return None


def grad(first: Any, *args: Any, **kwargs: Any) -> Any:
    """``grad(fn, argnums=0)`` -> the gradient function of a Python function (JAX's
    meaning); ``grad(graph_or_text, at, method, ...)`` -> the gradient by name, as
    :func:`graphdiff.derive.api.grad`.

    >>> grad(lambda x: x ** 3)(2.0), grad("x**3", {"x": 2.0})
    (12.0, {'x': 12.0})
    """
    graph = _as_graph(first)
    if graph is not None:
        return api.grad(graph, *args, **kwargs)
    _callable(first, "grad")
    return _grad_of_function(first, *args, **kwargs)


def hessian(first: Any, *args: Any, **kwargs: Any) -> Any:
    """``hessian(fn, argnums=0)`` (a function, JAX's meaning) or ``hessian(graph, at, ...)``
    (:func:`graphdiff.derive.api.hessian`).

    >>> hessian(lambda x, y: x**2 * y, argnums=(0, 1))(1.0, 2.0)
    array([[4., 2.],
           [2., 0.]])
    """
    graph = _as_graph(first)
    if graph is not None:
        return api.hessian(graph, *args, **kwargs)
    _callable(first, "hessian")
    return _hessian_of_function(first, *args, **kwargs)


def jvp(first: Any, *args: Any, **kwargs: Any) -> Any:
    """``jvp(fn, primals, tangents)`` -> ``(value, tangent)`` (JAX's meaning) or
    ``jvp(graph, at, tangent)`` (:func:`graphdiff.derive.api.jvp`).

    >>> jvp(lambda x, y: x * y, (2.0, 3.0), (1.0, 0.0))
    (6.0, 3.0)
    """
    graph = _as_graph(first)
    if graph is not None:
        return api.jvp(graph, *args, **kwargs)
    _callable(first, "jvp")
    return _jvp_of_function(first, *args, **kwargs)


def vjp(first: Any, *args: Any, **kwargs: Any) -> Any:
    """``vjp(fn, *primals)`` -> ``(value, pullback)`` (JAX's meaning) or
    ``vjp(graph, at, cotangent)`` (:func:`graphdiff.derive.api.vjp`).

    >>> value, pullback = vjp(lambda x, y: x * y, 2.0, 3.0)
    >>> value, pullback(1.0)
    (6.0, (3.0, 2.0))
    """
    graph = _as_graph(first)
    if graph is not None:
        return api.vjp(graph, *args, **kwargs)
    _callable(first, "vjp")
    return _vjp_of_function(first, *args, **kwargs)


def _callable(first: Any, name: str) -> None:
    if not callable(first):
        raise GraphdiffError(f"{name} takes a Python function, a Graph or text, not "
                             f"{type(first).__name__}")


#: Which keyword arguments each form takes, for the docs (one place).
FORMS: Mapping[str, tuple[str, str]] = {
    "grad": ("grad(fn, argnums=0)", "grad(graph, at=None, method='reverse', *, output, wrt)"),
    "hessian": ("hessian(fn, argnums=0)", "hessian(graph, at=None, *, output, wrt)"),
    "jvp": ("jvp(fn, primals, tangents)", "jvp(graph, at, tangent)"),
    "vjp": ("vjp(fn, *primals)", "vjp(graph, at, cotangent)"),
}
