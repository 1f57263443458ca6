"""The parts of a problem, one class per kind of question, registered by kind name.

* ``derivative`` -- d(output, or node ``of``)/d ``wrt`` (a list of variables: higher
  order): :class:`DerivativePart`
* ``tangent`` and ``adjoint`` -- a Wengert-table entry, ẇ of node ``node`` along ``wrt`` or
  w̄ of node ``node``: :class:`TangentPart`, :class:`AdjointPart`
* ``expression`` -- any formula; the teacher's ``answer`` is the reference:
  :class:`ExpressionPart`
* ``number`` -- a number given as ``answer``: :class:`NumberPart`
* ``value`` -- the derivative (or the function) at the point ``at``: :class:`ValuePart`
* ``order`` -- the order p of an error O(h^p): :class:`OrderPart`
* ``paths`` -- the paths from ``wrt`` to the output: :class:`PathsPart`
* ``matrix`` -- a matrix of numbers (the teacher's, or a gradient, a node's gradient or
  value at the point ``at``): :class:`MatrixPart`
* ``matrix_formula`` -- a formula of matrices (``G @ W.T``): :class:`MatrixFormulaPart`

A new kind is one class: subclass :class:`Part` (or :class:`FormulaPart` for a formula
judged against a reference), declare what it needs, implement ``grade_text`` (and
``computed_text`` when the answer can be computed), and register it with
:func:`part_kind`.  Problem files can then use it as ``kind = "..."``.

>>> list(KINDS)  # doctest: +NORMALIZE_WHITESPACE
['derivative', 'tangent', 'adjoint', 'expression', 'matrix', 'matrix_formula', 'number',
 'value', 'order', 'paths']
"""

from .base import (
    COMMON_KEYS,
    KINDS,
    Part,
    ProblemContext,
    ProblemError,
    SelfTestResult,
    as_text,
    make_part,
    part_keys,
    part_kind,
    string_key,
)
from .formula import (
    AdjointPart,
    DerivativeLikePart,
    DerivativePart,
    ExpressionPart,
    FormulaPart,
    TangentPart,
)
from .matrix import MatrixFormulaPart, MatrixKind, MatrixPart
from .number import NumberPart, ValuePart
from .order import OrderPart
from .paths import PathsPart
from .tolerance import DecimalLiteral, Tolerance

__all__ = [
    "COMMON_KEYS",
    "KINDS",
    "AdjointPart",
    "DecimalLiteral",
    "DerivativeLikePart",
    "DerivativePart",
    "ExpressionPart",
    "FormulaPart",
    "MatrixFormulaPart",
    "MatrixKind",
    "MatrixPart",
    "NumberPart",
    "OrderPart",
    "Part",
    "PathsPart",
    "ProblemContext",
    "ProblemError",
    "SelfTestResult",
    "TangentPart",
    "Tolerance",
    "ValuePart",
    "as_text",
    "make_part",
    "part_keys",
    "part_kind",
    "string_key",
]
