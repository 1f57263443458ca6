"""Build a graph from a Python function by tracing (operator overloading).

The function is called once with :class:`Tracer` arguments; every arithmetic operator
and every graphdiff function (``graphdiff.sin``, ``graphdiff.relu``, ...) applied to a
tracer records a node.  Loops and helper functions run normally, so a Python loop of a
million steps gives a graph of a million nodes.

>>> import graphdiff as gd
>>> g = gd.trace(lambda x, y: x**2 + gd.sin(x*y))
>>> g.to_sympy()
x**2 + sin(x*y)
>>> g.evaluate(x=1.0, y=0.0)
1.0

The functions in :mod:`graphdiff.functions` also work on plain numbers and numpy
arrays, so the traced function stays an ordinary numeric function:

>>> float(gd.sigmoid(0.0))
0.5

Tensor inputs take their shapes from ``shapes=`` or from example arrays, as JAX's
``make_jaxpr(fn)(*args)`` does; ``@``, ``.T`` and the tensor functions record nodes:

>>> import numpy as np
>>> layer = gd.trace(lambda X, W: gd.sum(gd.relu(X @ W.T)),
...                  example_args=(np.ones((4, 2)), np.ones((3, 2))))
>>> [(layer.name(n), layer.shape(n)) for n in layer.order]
[('X', (4, 2)), ('W', (3, 2)), ('w3', (2, 3)), ('w4', (4, 3)), ('w5', (4, 3)), ('w6', ())]
>>> float(gd.sum(np.ones((4, 2)) @ np.ones((2, 3))))
24.0
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from .builder import GraphBuilder, fold_constant, gc_paused
from .errors import GraphdiffError, ShapeError, TraceError
from .graph import Graph, is_node
from .ops import OPS, Op, is_function, overload_operators
from .tensorops import is_all, shape_text


@overload_operators
class Tracer:
    """A value under tracing: a node of the graph being built.

    Supports ``+ - * / **``, unary minus and the graphdiff functions; anything that
    needs a concrete number (``float(t)``, ``if t > 0``, ``math.sin(t)``) raises a
    :class:`~graphdiff.TraceError` saying what to use instead.

    >>> import graphdiff as gd
    >>> gd.trace(lambda t: 3 * t - t / 2).to_sympy()
    5*t/2
    >>> gd.trace(lambda t: t if t > 0 else -t)
    Traceback (most recent call last):
    ...
    graphdiff.errors.TraceError: control flow that depends on a traced value cannot be traced: ...
    """

    __slots__ = ("builder", "node")

    def __init__(self, builder: GraphBuilder, node: Any) -> None:
        self.builder = builder
        self.node = node

    def __repr__(self) -> str:
        return f"<Tracer node {self.node}>"

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the node being traced (``()`` for a scalar).

        >>> import graphdiff as gd
        >>> gd.trace(lambda X: X.T, shapes={"X": (2, 3)}).shape("w2")
        (3, 2)
        """
        return self.builder.shape(self.node)

    # arithmetic: every operator of the registry (+ - * / ** unary - abs), see below
    def _operate(self, op: Op, operands: Sequence[Any]) -> Any:
        # The hot path of tracing (x*0.5, a + b, -a): one operand is this tracer; the
        # other, if any, is a tracer of the same trace or a number.
        builder = self.builder
        if len(operands) == 2:
            a, b = operands
            if type(a) is Tracer:
                if type(b) is Tracer:
                    if b.builder is not builder or a.builder is not builder:
                        raise TraceError("values from two different traces were mixed")
                    return Tracer(builder, builder.apply(op, (a.node, b.node)))
                return Tracer(builder, builder.apply(op, (a.node, _to_constant(b))))
            if type(b) is Tracer:
                return Tracer(builder, builder.apply(op, (_to_constant(a), b.node)))
        if len(operands) == 1:  # unary minus, abs(), .T: the operand is this tracer
            return Tracer(builder, builder.apply(op, (self.node,)))
        return _apply(op, operands)

    def __pos__(self) -> Tracer:
        return self

    # what cannot be traced --------------------------------------------------------------
    def __float__(self) -> float:
        raise TraceError(
            "a traced value has no number yet: use graphdiff's functions "
            "(gd.sin, gd.exp, ...) instead of math or numpy ones"
        )

    __int__ = __float__
    __index__ = __float__

    def __getitem__(self, index: Any) -> Any:
        raise TraceError(
            "indexing a traced value (x[0]) is not an op of graphdiff: pass the entries as "
            "separate arguments, or write the computation with matrix ops (@, .T, sum)"
        )

    def __iter__(self) -> Any:
        raise TraceError(
            "iterating over a traced value is not an op of graphdiff: pass the entries as "
            "separate arguments, or write the computation with matrix ops (@, .T, sum)"
        )

    def _sympy_(self) -> Any:
        # sympy numbers meeting a tracer (2*t) must hand over to Tracer.__rmul__;
        # SympifyError makes sympy's operators return NotImplemented.
        raise sympy.SympifyError(self)

    def __bool__(self) -> bool:
        raise TraceError(
            "control flow that depends on a traced value cannot be traced: use "
            "gd.max, gd.min, gd.relu, gd.step or gd.abs instead of if/comparisons"
        )

    def _compare(self, other: Any) -> bool:
        return self.__bool__()

    __lt__ = __le__ = __gt__ = __ge__ = _compare

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        op = _op_of_ufunc(ufunc.__name__)
        if op is None or method != "__call__" or kwargs:
            raise TraceError(
                f"numpy.{ufunc.__name__} cannot be traced: use graphdiff's functions"
            )
        return _apply(op, inputs)

    __hash__ = object.__hash__


def _op_of_ufunc(name: str) -> Op | None:
    """The registry's op that records a numpy ufunc (its ``ufuncs`` column)."""
    for op in OPS.values():
        if name in op.ufuncs:
            return op
    return None


#: Constants of traced code by (type, value): a loop's ``x * 0.5`` converts 0.5 once, not
#: once per step (a sympy Rational from its decimal text is the costly part of a step).
_CONSTANTS: dict[tuple[type, Any], sympy.Expr] = {}
_CONSTANTS_KEPT = 4096


def _to_constant(value: Any) -> sympy.Expr:
    kind = type(value)
    if kind is float or kind is int:
        key = (kind, value)
        constant = _CONSTANTS.get(key)
        if constant is None:
            constant = _new_constant(value)
            if len(_CONSTANTS) >= _CONSTANTS_KEPT:  # many distinct numbers: start again
                _CONSTANTS.clear()
            _CONSTANTS[key] = constant
        return constant
    return _new_constant(value)


def _new_constant(value: Any) -> sympy.Expr:
    if isinstance(value, sympy.Expr):
        if not value.is_number:
            raise TraceError(f"a sympy expression with symbols ({value}) in a traced function")
        return value
    if isinstance(value, bool | np.bool_):
        raise TraceError("booleans cannot be used as numbers in a traced function")
    if isinstance(value, int | np.integer):
        return sympy.Integer(int(value))
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            raise TraceError(f"non-finite constant {value} in a traced function")
        # repr gives the shortest decimal that round-trips: 0.1 stays 1/10.
        return sympy.Rational(repr(float(value)))
    raise TraceError(f"cannot use a {type(value).__name__} in a traced function")


def _apply(op: Op, args: Sequence[Any]) -> Any:
    """Record ``op(*args)`` if any argument is a tracer; else compute it numerically."""
    builder = None
    for a in args:
        if type(a) is Tracer:
            if builder is not None and a.builder is not builder:
                raise TraceError("values from two different traces were mixed")
            builder = a.builder
    if builder is None:
        if any(isinstance(a, sympy.Basic) for a in args[: op.arity - op.static]):
            # Constants of a derivative rule (log(2) for d(2**x)/dx, a seed 1 given an
            # axis): exact, with sympy.
            return fold_constant(op, tuple(_to_constant(a) for a in args))
        if not op.elementwise:
            return _on_arrays(op, args)
        return op.numpy(*args)
    refs = [a.node if type(a) is Tracer else _to_constant(a) for a in args]
    result = builder.apply(op, refs)
    return Tracer(builder, result)


def _on_arrays(op: Op, args: Sequence[Any]) -> Any:
    """A tensor op on plain arrays (one point): shapes checked, axes normalised, the
    kernel's batch axis added and removed."""
    k = op.arity - op.static
    data = [np.asarray(a, dtype=float) for a in args[:k]]
    shapes = [d.shape for d in data]
    static = [None if is_all(a) else int(a) for a in args[k:]]
    try:
        op.shape(*shapes, *static)
        fixed = op.normalize(*shapes, *static) if op.normalize is not None else args[k:]
    except ShapeError as err:
        shown = ", ".join(shape_text(s) for s in shapes)
        raise ShapeError(err.detail, expression=op.name, op=op.name, shapes=tuple(shapes),
                         operands=shown) from None
    out = op.numpy(*(d[np.newaxis] for d in data), *(float(a) for a in fixed))
    out = np.asarray(out)[0]
    return out[()] if out.ndim == 0 else out


def _make_function(op: Op) -> Callable[..., Any]:
    n_required = op.arity - len(op.defaults)

    def function(*args: Any) -> Any:
        if not n_required <= len(args) <= op.arity:
            raise GraphdiffError(f"{op.name} takes {op.arity} arguments, got {len(args)}")
        if len(args) == op.arity:  # every argument given (gd.sin(x)): nothing to fill in
            return _apply(op, args)
        full = tuple(args) + tuple(op.defaults[len(args) - n_required :])
        if len(full) > op.arity:
            full = full[: op.arity]
        return _apply(op, full)

    function.__name__ = op.name
    function.__qualname__ = op.name
    if op.elementwise:
        function.__doc__ = (
            f"{op.doc}.\n\nWorks on numbers, numpy arrays and tracers (inside "
            f":func:`graphdiff.trace`).\n\n>>> import graphdiff as gd\n"
            f">>> gd.trace(lambda z: gd.{op.name}({', '.join(['z'] * n_required)})).to_sympy()"
            f"\n{op.sympy(*[sympy.Symbol('z')] * n_required, *op.defaults)}\n"
        )
    else:
        function.__doc__ = (f"{op.doc}.\n\nWorks on numpy arrays (one point: no batch) and "
                            "on tracers (inside :func:`graphdiff.trace`).")
    return function


_MADE: dict[Op, Callable[..., Any]] = {}


def function_of(op: Op) -> Callable[..., Any]:
    """The Python function of ``op`` (made once): applies it to numbers, arrays or tracers.

    >>> from graphdiff.ops import OPS
    >>> float(function_of(OPS["mul"])(3.0, 4.0))
    12.0
    """
    function = _MADE.get(op)
    if function is None:
        function = _MADE[op] = _make_function(op)
    return function


#: The function-call ops' functions, by op (an op that is undefined and defined again is
#: a new key).
_CALLED: dict[Op | None, Callable[..., Any]] = {}


class _Functions(Mapping[str, Callable[..., Any]]):
    """The registry's function-call ops as Python functions, made once per op.

    A live view: an op added with :func:`graphdiff.define_op` has its function at once.
    Operators (``+``, ``**``, unary minus) are not here: tracers overload them.
    """

    def __getitem__(self, name: str) -> Callable[..., Any]:
        op = OPS.get(name)
        function = _CALLED.get(op)  # gd.sin in a traced loop: one lookup per call
        if function is None:
            if op is None or not is_function(op):
                raise KeyError(name)
            function = _CALLED[op] = function_of(op)
        return function

    def __iter__(self) -> Iterator[str]:
        return (name for name, op in OPS.items() if is_function(op))

    def __len__(self) -> int:
        return sum(1 for _ in self)


#: The registry's functions for use in traced (and ordinary numeric) code.
FUNCTIONS: Mapping[str, Callable[..., Any]] = _Functions()


def trace(
    fn: Callable[..., Any],
    *,
    inputs: Sequence[str] | None = None,
    naming: str = "w",
    order: str = "source",
    shapes: Mapping[str, Sequence[int]] | None = None,
    example_args: Sequence[Any] | None = None,
) -> Graph:
    """Build a :class:`~graphdiff.Graph` by calling ``fn`` on tracers.

    Parameters
    ----------
    fn : callable
        Takes one positional argument per input and returns a value or a tuple of
        values (several outputs).  Use graphdiff's functions (``gd.sin``) for
        elementary functions.
    inputs : sequence of str, optional
        Input names; by default the names of ``fn``'s parameters.
    naming, order :
        As in :func:`graphdiff.parse`; tracing numbers nodes in the order the
        operations ran by default.
    shapes : mapping, optional
        Shapes of the inputs by name (``{"X": (2, 3)}``); others are scalars.
    example_args : sequence, optional
        Example values, one per input in order, whose shapes the inputs take (their
        values are not used), like JAX's ``make_jaxpr(fn)(*args)``.

    Examples
    --------
    >>> import graphdiff as gd
    >>> def chain(x, n=3):
    ...     for _ in range(n):
    ...         x = gd.sin(x) * gd.cos(x) + x / 2
    ...     return x
    >>> len(gd.trace(chain))  # the input, then sin, cos, mul, div, add per step
    16
    """
    if inputs is None:
        try:
            params = inspect.signature(fn).parameters.values()
        except (TypeError, ValueError) as err:
            raise TraceError(f"cannot read the parameters of {fn!r}: pass inputs=") from err
        inputs = [
            p.name for p in params
            if p.default is inspect.Parameter.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    inputs = list(inputs)
    declared = _input_shapes(inputs, shapes, example_args)
    builder = GraphBuilder()
    tracers = [Tracer(builder, builder.input(name, declared.get(name))) for name in inputs]
    # The collector stays off until the graph is made: with it on between the call and
    # the numbering, it scanned the million objects just built, for seconds, to free none.
    with gc_paused():
        result = fn(*tracers)
        return _traced_graph(fn, builder, result, inputs, naming, order)


def _traced_graph(fn: Callable[..., Any], builder: GraphBuilder, result: Any,
                  inputs: list[str], naming: str, order: str) -> Graph:
    """The graph of a traced call's result (one output per item of a tuple or list)."""
    results = list(result) if isinstance(result, tuple | list) else [result]
    outputs = []
    for value in results:
        if type(value) is Tracer:
            if value.builder is not builder:
                raise TraceError("the function returned a value from another trace")
            outputs.append(value.node)
        else:
            outputs.append(_to_constant(value))
    if not outputs:
        raise TraceError("the traced function returned nothing")
    name = getattr(fn, "__name__", "function")
    return builder.build(outputs, order=order, naming=naming, inputs=inputs,
                         source=None if name == "<lambda>" else name)


def _input_shapes(inputs: Sequence[str], shapes: Mapping[str, Sequence[int]] | None,
                  example_args: Sequence[Any] | None) -> dict[str, tuple[int, ...]]:
    """The inputs' shapes from ``shapes=`` and ``example_args=`` (which must agree)."""
    declared = {name: tuple(int(n) for n in shape) for name, shape in (shapes or {}).items()}
    unknown = sorted(set(declared) - set(inputs))
    if unknown:
        raise TraceError(f"shapes= names no input: {', '.join(unknown)}")
    if example_args is None:
        return declared
    if len(example_args) != len(inputs):
        raise TraceError(f"{len(example_args)} example arguments for {len(inputs)} inputs")
    for name, example in zip(inputs, example_args, strict=True):
        shape = tuple(np.shape(example))
        if declared.setdefault(name, shape) != shape:
            raise TraceError(f"{name} is {shape_text(declared[name])} in shapes= and "
                             f"{shape_text(shape)} in example_args=")
    return declared


__all__ = ["FUNCTIONS", "Tracer", "function_of", "is_node", "trace"]
