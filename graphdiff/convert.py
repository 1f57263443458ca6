"""Build a graph from a sympy expression.

sympy's n-ary sums and products become chains of binary ops in sympy's argument
order; ``x*y**-1`` becomes ``x/y``, ``-1*x`` becomes ``-x``, ``y**(1/2)`` becomes
``sqrt(y)`` and ``a + (-1)*b`` becomes ``a - b``, so the graph reads as the expression
prints.

>>> import sympy, graphdiff as gd
>>> x, y = sympy.symbols("x y")
>>> g = gd.from_sympy(sympy.exp(x*y) + y**3)
>>> g.inputs
('x', 'y')
>>> g.to_sympy() == sympy.exp(x*y) + y**3
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from .builder import GraphBuilder
from .errors import GraphdiffError
from .graph import Graph
from .ops import OPS, Op, as_expr


def _op_of_head(head: Any) -> Op | None:
    """The registry's op that a sympy function converts to (its ``sympy_heads``)."""
    for op in OPS.values():
        if head in op.sympy_heads:
            return op
    return None


def from_sympy(
    expr: sympy.Expr | Sequence[sympy.Expr],
    *,
    inputs: Sequence[str] | None = None,
    naming: str = "w",
    order: str = "level",
) -> Graph:
    """Build a :class:`~graphdiff.Graph` from a sympy expression (or several outputs).

    Inputs are the free symbols, in ``inputs`` order or sorted by name.

    Examples
    --------
    >>> import sympy, graphdiff as gd
    >>> x1, x2 = sympy.symbols("x1 x2")
    >>> g = gd.from_sympy(x1*x2 + sympy.sin(x1))
    >>> [g.formula(n) for n in g.order]
    ['x1', 'x2', 'x1*x2', 'sin(x1)', 'w3 + w4']
    """
    exprs = list(expr) if isinstance(expr, list | tuple) else [expr]
    builder = GraphBuilder()
    sympified = []
    for e in exprs:
        try:
            sympified.append(as_expr(e))
        except sympy.SympifyError as err:
            raise GraphdiffError(f"not a sympy expression: {e!r}") from err
    symbols = set().union(*(e.free_symbols for e in sympified))
    names = list(inputs) if inputs is not None else sorted(s.name for s in symbols)
    for name in names:
        builder.input(name)
    outputs = [_convert(e, builder) for e in sympified]
    return builder.build(outputs, order=order, naming=naming, inputs=names,
                         source=", ".join(str(e) for e in sympified))


def _convert(root: sympy.Expr, builder: GraphBuilder) -> Any:
    """Post-order walk with an explicit stack (deep expressions do not recurse)."""
    results: dict[sympy.Basic, Any] = {}
    stack: list[tuple[sympy.Basic, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if node in results:
            continue
        if not ready and not _is_leaf(node):
            stack.append((node, True))
            stack.extend((arg, False) for arg in reversed(_operands(node)))
            continue
        results[node] = _node(node, builder, results)
    return results[root]


def _is_leaf(node: sympy.Basic) -> bool:
    return node.is_Symbol or node.is_number


def _operands(node: sympy.Basic) -> list[sympy.Basic]:
    """The sub-expressions the conversion of ``node`` reads."""
    if node.is_Mul:
        numerator, denominator = _split_fraction(node)
        return [*numerator, *denominator]
    if node.is_Add:
        return [_positive(t) if k and _is_negative_term(t) else t for k, t in
                enumerate(node.args)]
    if node.is_Pow and node.exp == sympy.Rational(1, 2):
        return [node.base]
    if node.is_Pow and node.exp.is_number and node.exp.is_negative:
        return [node.base, -node.exp] if node.exp != -1 else [node.base]
    return list(node.args)


def _split_fraction(node: sympy.Mul) -> tuple[list[sympy.Basic], list[sympy.Basic]]:
    numerator, denominator = [], []
    for factor in node.args:
        if factor.is_Pow and factor.exp.is_number and factor.exp.is_negative:
            denominator.append(factor.base if factor.exp == -1 else factor.base**-factor.exp)
        elif factor.is_Rational and factor.q != 1:
            if factor.p != 1:
                numerator.append(sympy.Integer(factor.p))
            denominator.append(sympy.Integer(factor.q))
        else:
            numerator.append(factor)
    return numerator, denominator


def _is_negative_term(term: sympy.Basic) -> bool:
    coefficient = term.as_coeff_Mul()[0]
    return bool(coefficient.is_negative)


def _positive(term: sympy.Basic) -> sympy.Basic:
    return -term


def _node(node: sympy.Basic, builder: GraphBuilder, results: dict[sympy.Basic, Any]) -> Any:
    if node.is_Symbol:
        return builder.input(node.name)
    if node.is_number:
        value = sympy.nsimplify(node) if node.is_Float else node
        if value.is_real is False:
            raise GraphdiffError(f"from_sympy: {node} is not a real number")
        return value
    if node.is_Add:
        terms = node.args
        acc = results[terms[0]]
        for term in terms[1:]:
            if _is_negative_term(term):
                acc = builder.apply(OPS["sub"], (acc, results[_positive(term)]))
            else:
                acc = builder.apply(OPS["add"], (acc, results[term]))
        return acc
    if node.is_Mul:
        numerator, denominator = _split_fraction(node)
        negate = False
        if numerator and numerator[0] == -1:
            numerator, negate = numerator[1:], True
        top = _product([results[f] for f in numerator], builder)
        if denominator:
            bottom = _product([results[f] for f in denominator], builder)
            top = builder.apply(OPS["div"], (top, bottom))
        return builder.apply(OPS["neg"], (top,)) if negate else top
    if node.is_Pow:
        base = results[node.base]
        if node.exp == sympy.Rational(1, 2):
            return builder.apply(OPS["sqrt"], (base,))
        if node.exp.is_number and node.exp.is_negative:
            if node.exp == -1:
                return builder.apply(OPS["div"], (sympy.Integer(1), base))
            power = builder.apply(OPS["pow"], (base, results[-node.exp]))
            return builder.apply(OPS["div"], (sympy.Integer(1), power))
        return builder.apply(OPS["pow"], (base, results[node.exp]))
    func = node.func
    if func is sympy.log and len(node.args) == 2:
        value, base = (results[a] for a in node.args)
        return builder.apply(OPS["div"], (builder.apply(OPS["log"], (value,)),
                                          builder.apply(OPS["log"], (base,))))
    op = _op_of_head(func)
    if op is None:
        heads = sorted(h.__name__ for o in OPS.values() for h in o.sympy_heads)
        raise GraphdiffError(
            f"from_sympy: {func.__name__} is not an op of graphdiff; the supported "
            f"functions are {', '.join(heads)}"
        )
    args = [results[a] for a in node.args]
    if op.arity == 2 and len(args) > 2:  # Max(a, b, c) = max(max(a, b), c)
        acc = args[0]
        for arg in args[1:]:
            acc = builder.apply(op, (acc, arg))
        return acc
    # Extra sympy arguments are conventions graphdiff's op fixes itself: Heaviside(x, 1)
    # is step(x), whose value at 0 is 1 (docs/ops.md).
    return builder.apply(op, tuple(args[: op.arity]))


def _product(factors: list[Any], builder: GraphBuilder) -> Any:
    if not factors:
        return sympy.Integer(1)
    acc = factors[0]
    for factor in factors[1:]:
        acc = builder.apply(OPS["mul"], (acc, factor))
    return acc
