"""The op table: every elementary operation graphdiff knows, declared once.

Each :class:`Op` gives its arity, its numpy function, its sympy function, the local
partial derivative with respect to each argument, an optional domain check and how it
prints.  Every other module (evaluation, the derivative engines, the renderer, the
checker) reads this table; none has a per-op ``if``.  Adding an operation is one
entry in the table plus its row in the tests, which iterate over the table.

Partial derivatives are written once, generically, as ``rule(m, *args, out)`` where
``m`` is a *namespace* that provides every op of the table by name (``m.cos``,
``m.step``, ...) and ``out`` is the op's own output.  The same rule then works for
numbers (``NUMPY``), for sympy expressions (``SYMPY``) and for graph tracers, which is
how derivative graphs are built (the idea of HIPS autograd's ``defvjp`` table).

>>> from graphdiff.ops import OPS, NUMPY, SYMPY
>>> import sympy
>>> a = sympy.Symbol("a")
>>> OPS["sin"].partials[0](SYMPY, a, sympy.sin(a))
cos(a)
>>> float(OPS["sigmoid"].partials[0](NUMPY, 0.0, 0.5))
0.25

The package, bottom to top (each module imports only those above it in this list):

* :mod:`~graphdiff.ops.op`: :class:`Op`, one row, every column; the ops by name (:data:`OPS`);
* :mod:`~graphdiff.ops.numeric`: numpy kernels, domains and rules that need care, and the
  ops on Python floats (the ``scalar`` column);
* :mod:`~graphdiff.ops.code`: the ``code`` column's helpers and :data:`CODE_GLOBALS`;
* :mod:`~graphdiff.ops.precise`: the ``mpmath`` column, :class:`MPDomainError`,
  :class:`MPOverflow`;
* :mod:`~graphdiff.ops.kinks`: the convention at kinks (documented there),
  :func:`kink_convention`;
* :mod:`~graphdiff.ops.table`: the built-in ops, one row each;
* :mod:`~graphdiff.ops.namespaces`: :class:`Namespace` and :data:`NUMPY`, :data:`SYMPY`,
  :data:`MPMATH`, :data:`TENSOR`, :data:`SCALAR`;
* :mod:`~graphdiff.ops.registry`: registering (:func:`define_op`) and the lookups.

This module re-exports their names: import them from ``graphdiff.ops``.
"""

from ..tensorops import ALL, NO_GRADIENT
from .code import CODE_GLOBALS
from .kinks import _KINKS as _KINKS
from .kinks import KINK_CONVENTIONS, kink_convention, set_kink_convention
from .namespaces import MPMATH, NUMPY, SCALAR, SYMPY, TENSOR, Namespace, scalar_function
from .numeric import _exponent_rule as _exponent_rule
from .numeric import _power_rule as _power_rule
from .op import ATOM, MATMUL, OPS, POWER, PREFIX, PRODUCT, SUM, Identity, Op, Rule
from .op import _registered as _registered  # how pickles made before the split name it
from .precise import MAX_MAG, MAX_TRIG_ARGUMENT, MPDomainError, MPOverflow
from .registry import (
    FUNCTION_ALIASES,
    FUNCTIONS,
    RESERVED_NAMES,
    as_expr,
    define_op,
    is_function,
    on_register,
    op_of_attribute,
    op_of_dunder,
    overload_operators,
    register,
    undefine_op,
)
from .table import _TABLE as _TABLE

__all__ = [
    "ALL", "ATOM", "CODE_GLOBALS", "FUNCTIONS", "FUNCTION_ALIASES", "KINK_CONVENTIONS",
    "MATMUL", "MAX_MAG", "MAX_TRIG_ARGUMENT", "MPMATH", "NO_GRADIENT", "NUMPY", "OPS",
    "POWER", "PREFIX", "PRODUCT", "RESERVED_NAMES", "SCALAR", "SUM", "SYMPY", "TENSOR",
    "Identity", "MPDomainError", "MPOverflow", "Namespace", "Op", "Rule", "as_expr",
    "define_op", "is_function", "kink_convention", "on_register", "op_of_attribute",
    "op_of_dunder", "overload_operators", "register", "scalar_function",
    "set_kink_convention", "undefine_op",
]
