"""The shapes of a matrix answer: which product each product sign is, checked before parsing.

In a matrix answer ``@`` is the matrix product and ``*``, ``⊙``, ``∘`` (``\\odot``,
``\\circ``) the entrywise one; juxtaposition, ``·`` and ``×`` (``\\cdot``, ``\\times``)
are decided by the shapes of the operands, read from the problem:

* a number times anything scales it;
* where only the matrix product fits (``X^T G`` for X 2×2 and G 2×3), it is the matrix
  product; where only the entrywise one does (the same shape, no matching inner sizes:
  ``σ(Z)(1 - σ(Z))`` for Z 2×3), the entrywise one;
* where both fit (square matrices of one size), the matrix product, with a warning that
  says how to write the other;
* where neither does, the answer is refused, with the position and both shapes.

The shapes of functions come from the op registry: elementwise ops broadcast their
arguments, the others (``det``, ``tr``, ``sum``, ``softmax``, ...) have a ``shape`` rule.
A transpose of a number is the number.

>>> from graphdiff.checker import read_answer
>>> shapes = {"X": (2, 2), "G": (2, 3), "Z": (2, 3), "A": (2, 2)}
>>> read_answer("X^T G", names=list(shapes), shapes=shapes).expression
'X.T @ G'
>>> read_answer("σ(Z)(1 - σ(Z))", names=list(shapes), shapes=shapes).expression
'sigmoid(Z)*(1 - sigmoid(Z))'
>>> r = read_answer("A X", names=list(shapes), shapes=shapes)
>>> r.expression, r.shape
('A @ X', (2, 2))
>>> print(r.warnings[0].render())
'A X' was read as the matrix product A @ X (both are 2×2); write A ⊙ X for the entrywise product
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ...errors import ShapeError
from ...ops import OPS, Op
from ...tensorops import is_all
from ..messages import Message
from .lexer import AnswerError, Vocabulary, error_at
from .parser import Node, to_text

Shape = tuple[int, ...]


def shape_text(shape: Shape) -> Any:
    """How a shape is named in messages: ``2×3``, a vector, a number.

    >>> shape_text((2, 3)), shape_text((3,)).render("ru"), shape_text(()).render()
    ('2×3', 'вектор из 3 чисел', 'a number')
    """
    if not shape:
        return Message("shape_number")
    if len(shape) == 1:
        return Message("shape_vector", {"size": shape[0]})
    return "×".join(str(size) for size in shape)


def resolve_shapes(root: Node, shapes: Mapping[str, Shape], source: str,
                   reader: Vocabulary) -> Shape:
    """Decide every product of the tree by the shapes (in place) and return the answer's
    shape; an :class:`AnswerError` where operands do not fit.  Iterative (the tree's depth
    is bounded by the reader, but stays off the Python stack all the same)."""
    known: dict[int, Shape] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if not done:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args)
            continue
        known[id(node)] = _Resolver(node, known, shapes, source, reader).shape()
    return known[id(root)]


class _Resolver:
    """The shape of one node whose arguments' shapes are known (and its product decided)."""

    def __init__(self, node: Node, known: Mapping[int, Shape], shapes: Mapping[str, Shape],
                 source: str, reader: Vocabulary) -> None:
        self.node = node
        self.known = known
        self.shapes = shapes
        self.source = source
        self.reader = reader

    def text(self) -> str:
        return " ".join(self.source[self.node.start:self.node.end].split())[:60]

    def fail(self, code: str, **params: Any) -> AnswerError:
        return error_at(Message(code, {"text": self.text(), **params}), self.source,
                        self.node.start)

    def arg_shapes(self) -> list[Shape]:
        return [self.known[id(a)] for a in self.node.args]

    def shape(self) -> Shape:
        node = self.node
        if node.kind == "num":
            return ()
        if node.kind == "name":
            return tuple(self.shapes.get(node.value, ()))
        if node.kind == "matmul":
            return self.matmul(*self.arg_shapes())
        if node.kind == "mul" and node.product == "shapes":
            return self.product(*self.arg_shapes())
        if node.kind == "call" and not OPS[node.value].elementwise:
            return self.tensor_call(OPS[node.value])
        if node.kind == "pow":
            base, _ = self.arg_shapes()
            if len(base) == 2 and base[0] == base[1] > 1:
                self.reader.warn("matrix_power", text=self.text(),
                                 base=to_text(node.args[0]))
        return self.broadcast(self.arg_shapes())

    def broadcast(self, shapes: list[Shape]) -> Shape:
        try:
            return tuple(np.broadcast_shapes(*shapes))
        except ValueError:
            left, right = shapes[0], shapes[-1]
            raise self.fail("entrywise_shapes", left=shape_text(left),
                            right=shape_text(right)) from None

    def matmul(self, left: Shape, right: Shape) -> Shape:
        try:
            return tuple(OPS["matmul"].shape(left, right))
        except ShapeError:
            raise self.fail("matmul_shapes", left=shape_text(left),
                            right=shape_text(right)) from None

    def product(self, left: Shape, right: Shape) -> Shape:
        """Juxtaposition, ``·`` or ``×``: the matrix product or the entrywise one."""
        node = self.node
        if not left or not right:
            return left or right
        try:
            fits = tuple(OPS["matmul"].shape(left, right))
        except ShapeError:
            fits = None
        if fits is None and left == right:
            return left
        if fits is None:
            raise self.fail("product_shapes", left=shape_text(left), right=shape_text(right))
        node.kind = "matmul"
        if left == right:
            a, b = (to_text(x) for x in node.args)
            self.reader.warn("ambiguous_product", text=self.text(), shape=shape_text(left),
                             reading=f"{_wrapped(node.args[0], a)} @ {_wrapped(node.args[1], b)}",
                             alternative=f"{_wrapped(node.args[0], a)} ⊙ "
                                         f"{_wrapped(node.args[1], b)}")
        return fits

    def tensor_call(self, op: Op) -> Shape:
        """A function of matrices (``det``, ``sum(X, 0)``, ``X.T``): the registry's shape
        rule, its static arguments (an axis) written as whole numbers."""
        node = self.node
        nodes = op.arity - op.static
        shapes = self.arg_shapes()[:nodes]
        static: list[Any] = [_integer(a) for a in node.args[nodes:]]
        if any(s is None for s in static):
            raise self.fail("static_argument", name=node.value)
        missing = op.arity - len(node.args)
        if missing > 0:
            static += [_static(d) for d in op.defaults[len(op.defaults) - missing:]]
        if op.attribute is not None and len(shapes[0]) < 2:
            # A transpose of a number (or of a vector) is itself.
            (arg,) = node.args
            node.kind, node.value, node.args = arg.kind, arg.value, arg.args
            node.product = arg.product
            return shapes[0]
        try:
            if op.normalize is not None:
                static = [_static(v) for v in op.normalize(*shapes, *static)]
            return tuple(op.shape(*shapes, *static))
        except ShapeError:
            raise self.fail("function_shapes", name=node.value,
                            shapes=[shape_text(s) for s in shapes]) from None


def _static(value: Any) -> int | None:
    """A static argument as the shape rules take it (every axis: None)."""
    return None if is_all(value) else int(value)


def _integer(node: Node) -> int | None:
    """The integer a static argument (an axis) is written as, or None."""
    sign = 1
    if node.kind == "neg":
        sign, node = -1, node.args[0]
    if node.kind == "num" and node.value.isdigit() and len(node.value) <= 3:
        return sign * int(node.value)
    return None


def _wrapped(node: Node, text: str) -> str:
    return text if node.kind in ("num", "name", "call") else f"({text})"
