"""The ops under one backend, by name (:class:`Namespace`): ``m.cos(x)`` in the rules of
the table, whatever ``m`` computes with -- numpy (:data:`NUMPY`), sympy (:data:`SYMPY`),
mpmath (:data:`MPMATH`), batches of tensors (:data:`TENSOR`) or Python floats
(:data:`SCALAR`, which trusts an op's ``scalar`` function once :func:`scalar_function` has
checked it against numpy).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .. import tensorops as T
from .op import _REGISTRY, Op


class Namespace:
    """The ops of the registry under one backend, by name: ``m.cos(x)``.

    Partial-derivative rules receive a namespace as their first argument, so one rule
    serves numbers, sympy expressions, mpmath numbers and graph tracers.  Lookups are
    live: an op added with :func:`define_op` is there at once.

    >>> import sympy
    >>> NUMPY.cos(0.0)
    np.float64(1.0)
    >>> SYMPY.relu(sympy.Symbol("z"))
    Max(0, z)
    """

    def __init__(self, name: str, implementation: Callable[[Op], Callable[..., Any]],
                 shape_of: Callable[[Any], tuple[int, ...]] | None = None):
        self.name = name
        self._implementation = implementation
        self._shape_of = shape_of
        _NAMESPACES.add(self)

    def shape(self, value: Any) -> tuple[int, ...]:
        """The node shape of a value of this namespace (``()`` where values are scalars):
        tensor rules count entries with it (the ``1/n`` of a mean).

        >>> import numpy as np
        >>> TENSOR.shape(np.zeros((5, 2, 3))), NUMPY.shape(np.zeros(5))
        ((2, 3), ())
        """
        return () if self._shape_of is None else self._shape_of(value)

    def size(self, value: Any) -> int:
        """The number of entries of a value's node shape.

        >>> import numpy as np
        >>> TENSOR.size(np.zeros((5, 2, 3)))
        6
        """
        return math.prod(self.shape(value))

    def __getattr__(self, op_name: str) -> Callable[..., Any]:
        # Only called on a miss: the function is then kept as an attribute, so the hot
        # loops of the sweeps pay a plain attribute lookup (undefine_op forgets it).
        op = _REGISTRY.get(op_name)
        if op is None:
            raise AttributeError(f"no op named {op_name!r}")
        function = self._implementation(op)
        setattr(self, op_name, function)
        return function

    def forget(self, op_name: str) -> None:
        """Drop the kept function of a removed op."""
        self.__dict__.pop(op_name, None)

    def __repr__(self) -> str:
        return f"<Namespace {self.name}>"


_NAMESPACES: weakref.WeakSet[Namespace] = weakref.WeakSet()
#: What a namespace answers besides the ops (:class:`Namespace`): no op may be called so.
_NAMESPACE_WORDS = ("name", "forget", "shape", "size")

NUMPY = Namespace("numpy", lambda op: op.numpy)
SYMPY = Namespace("sympy", lambda op: op.sympy)
MPMATH = Namespace("mpmath", lambda op: op.mpmath)
#: Numbers of graphs with tensor nodes: every value has a leading batch axis, elementwise
#: ops broadcast node shapes (a vector against a matrix) past it.
TENSOR = Namespace("tensor", lambda op: T.aligned(op.numpy) if op.elementwise else op.numpy,
                   shape_of=T.node_shape)


# --- the ops on Python floats -----------------------------------------------------------------

#: Probe values for :func:`scalar_function`: signed zeros, the edges of the usual domains,
#: tiny and huge numbers, the infinities and nan, then spread points.
_PROBES = (-0.0, 0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.5, 1e-300, -1e-300, 1e300, -1e300,
           math.inf, -math.inf, math.nan,
           *(float(v) for v in np.random.default_rng(12).uniform(-4.0, 4.0, 48)),
           *(float(v) for v in np.random.default_rng(13).uniform(-1e4, 1e4, 8)))
_checked: weakref.WeakKeyDictionary[Op, Callable[..., float] | None] = \
    weakref.WeakKeyDictionary()


def _same_float(a: Any, b: float) -> bool:
    """Bit for bit the same number (any nan is the same nan; -0.0 is not 0.0)."""
    if type(a) is not float:
        return False
    if a != a or b != b:
        return a != a and b != b
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _agrees(op: Op) -> bool:
    """Whether ``op.scalar`` gives numpy's numbers and raises outside the domain, on the
    probes (every pair of them for binary ops)."""
    if op.arity == 1:
        cases: Iterator[tuple[float, ...]] = ((p,) for p in _PROBES)
    elif op.arity == 2:
        cases = ((p, q) for p in _PROBES[:24] for q in _PROBES[:24])
    else:
        return False  # no probes for three arguments: the sweeps call numpy
    with np.errstate(all="ignore"):
        for args in cases:
            expected = float(op.numpy(*(np.float64(a) for a in args)))
            outside = op.domain is not None and bool(np.any(op.domain(*args)))
            try:
                value = op.scalar(*args)
            except (ArithmeticError, ValueError):
                continue  # allowed anywhere: the sweeps ask numpy there
            if outside or not _same_float(value, expected):
                return False
    return True


def scalar_function(op: Op) -> Callable[..., float] | None:
    """The op's ``scalar`` function (the op on Python floats), if it has one and it gives
    numpy's numbers on sample points: a platform whose numpy computes ``sin`` in SIMD
    code of its own then keeps numpy's numbers.  Checked once per op.

    >>> from graphdiff.ops import OPS
    >>> scalar_function(OPS["sin"]) is math.sin, scalar_function(OPS["tanh"])
    (True, None)
    """
    if op.scalar is None:
        return None
    if op not in _checked:
        _checked[op] = op.scalar if _agrees(op) else None
    return _checked[op]


def _on_floats(op: Op) -> Callable[..., float]:
    """The op on Python floats: its checked ``scalar`` function, else numpy's number as a
    float."""
    function = scalar_function(op)
    if function is not None:
        return function
    numpy_fn = op.numpy
    return lambda *args: float(numpy_fn(*args))


#: Python floats, for the sweeps of scalar graphs at one point: each op is its checked
#: ``scalar`` function or numpy's number as a float.  A rule run here may raise where numpy
#: gives inf or nan (``1/0``, ``math.sqrt(-1)``), or give a complex number (a negative float
#: to a fractional power): the sweeps then run that rule again in :data:`NUMPY`.
SCALAR = Namespace("scalar", _on_floats)
