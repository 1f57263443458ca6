"""The registry and its API: registering an op (:func:`register`, :func:`define_op`,
:func:`undefine_op`, :func:`on_register`), the built-in table registered, and the lookups
the parser, the printer and the tracers make (:data:`FUNCTIONS`, :data:`FUNCTION_ALIASES`,
:func:`op_of_dunder`, :func:`op_of_attribute`, :func:`overload_operators`,
:func:`is_function`).

Every reader of the registry sees an op as soon as it is registered: the tables here are
the only ones, changed in place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import sympy

from ..errors import GraphdiffError
from .namespaces import _NAMESPACE_WORDS, _NAMESPACES
from .op import _REGISTRY, ATOM, Op, Rule
from .precise import _mpmath_from_sympy
from .table import _TABLE

# The ops by name are op._REGISTRY (read-only: OPS), beside the class that unpickles from them.
_CALLABLE: dict[str, Op] = {}
_ALIASES: dict[str, str] = {}

#: Other names accepted in text for the ops written as function calls (``ln`` -> ``log``),
#: from the ops' ``words`` that are Python identifiers.
FUNCTION_ALIASES: Mapping[str, str] = MappingProxyType(_ALIASES)

#: Ops that are written as function calls in text (``sin(x)``), with their aliases.
FUNCTIONS: Mapping[str, Op] = MappingProxyType(_CALLABLE)

_listeners: list[Callable[[Op], None]] = []


def op_of_dunder(name: str, arity: int) -> Op | None:
    """The op that is the Python operator ``name`` (data-model name) with ``arity`` operands.

    >>> op_of_dunder("truediv", 2), op_of_dunder("neg", 1), op_of_dunder("matmul", 2)
    (<Op div/2>, <Op neg/1>, <Op matmul/2>)
    >>> op_of_dunder("floordiv", 2) is None
    True
    """
    for op in _REGISTRY.values():
        if op.dunder == name and op.arity == arity:
            return op
    return None


def op_of_attribute(name: str) -> Op | None:
    """The op that is the Python attribute ``name`` (``X.T``), from the ``attribute`` column.

    >>> op_of_attribute("T"), op_of_attribute("real")
    (<Op transpose/1>, None)
    """
    for op in _REGISTRY.values():
        if op.attribute == name and op.arity == 1:
            return op
    return None


def overload_operators(cls: type) -> type:
    """Class decorator: give ``cls`` the Python operators of the registry's ops.

    Each operator (``+``, ``-``, ``*``, ``/``, ``**``, ``@``, unary ``-``, ``abs()``;
    reflected forms too) and each attribute of the ``attribute`` column (``.T``) calls
    ``self._operate(op, operands)``, so tracers and any other value type of graphdiff get
    exactly the registry's operators, with no list of their own.

    >>> @overload_operators
    ... class Shown:
    ...     def __init__(self, text): self.text = text
    ...     def _operate(self, op, operands):
    ...         return Shown(op.format([getattr(o, "text", str(o)) for o in operands]))
    >>> (2 * Shown("x") + 1).text, (-Shown("y")).text
    ('2*x + 1', '-y')
    """
    for op in _REGISTRY.values():
        if op.attribute is not None:
            setattr(cls, op.attribute,
                    property(lambda self, op=op: self._operate(op, (self,))))
        if op.dunder is None:
            continue
        if op.arity == 1:
            setattr(cls, f"__{op.dunder}__",
                    lambda self, op=op: self._operate(op, (self,)))
        else:
            setattr(cls, f"__{op.dunder}__",
                    lambda self, other, op=op: self._operate(op, (self, other)))
            setattr(cls, f"__r{op.dunder}__",
                    lambda self, other, op=op: self._operate(op, (other, self)))
    return cls


def is_function(op: Op) -> bool:
    """Whether ``op`` is written as a function call (``sin(x)``), not as an operator.

    >>> from graphdiff.ops import OPS
    >>> is_function(OPS["sin"]), is_function(OPS["add"]), is_function(OPS["neg"])
    (True, False, False)
    """
    return op.precedence == ATOM


def register(op: Op) -> Op:
    """Add ``op`` to the registry; every reader of the registry sees it at once.

    Used by :func:`define_op` (and for the built-in table); checks that the op's name
    and words are free and that it has one partial rule per argument.

    >>> from graphdiff.ops import OPS
    >>> register(OPS["sin"])
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: an op named 'sin' already exists
    """
    taken = set(_REGISTRY) | set(_ALIASES) | set(RESERVED_NAMES)
    for word in (op.name, *op.words):
        if word in taken:
            what = "an op" if word in _REGISTRY else "a word of another op" \
                if word in _ALIASES else "a reserved name"
            raise GraphdiffError(f"{what} named {word!r} already exists")
    if not op.name.isidentifier():
        raise GraphdiffError(f"an op name must be an identifier, not {op.name!r}")
    if op.name in _NAMESPACE_WORDS:
        raise GraphdiffError(f"{op.name!r} names a helper of the rules' namespaces "
                             f"({', '.join(_NAMESPACE_WORDS)}), not an op")
    if len(op.partials) != op.arity:
        raise GraphdiffError(f"{op.name} takes {op.arity} arguments but has "
                             f"{len(op.partials)} partial rules (one per argument)")
    for column in ("vjps", "jvps"):
        rules = getattr(op, column)
        if rules is not None and len(rules) != op.arity:
            raise GraphdiffError(f"{op.name} takes {op.arity} arguments but has "
                                 f"{len(rules)} {column} (one per argument)")
    if op.static and op.elementwise:
        raise GraphdiffError(f"{op.name}: static arguments (an axis) belong to ops with a "
                             "shape rule")
    derivable = (op.vjps is not None and op.jvps is not None) or all(
        rule is not None for rule in op.partials[: op.arity - op.static])
    if not derivable:
        raise GraphdiffError(f"{op.name} needs a partial rule per argument, or vjps and jvps")
    _REGISTRY[op.name] = op
    if is_function(op):
        _CALLABLE[op.name] = op
        for word in op.words:
            if word.isidentifier():
                _ALIASES[word] = op.name
                _CALLABLE[word] = op
    for listener in _listeners:
        listener(op)
    return op


def on_register(listener: Callable[[Op], None]) -> None:
    """Call ``listener(op)`` for every op registered from now on (and none before).

    Modules that keep something per op (the tracer's functions) subscribe here, so an op
    added with :func:`define_op` reaches them without the registry knowing them.

    >>> seen = []
    >>> on_register(seen.append)
    >>> _listeners.remove(seen.append)
    """
    _listeners.append(listener)


#: Names that are constants in text, never ops.
RESERVED_NAMES = ("pi", "e", "E")

for _op in _TABLE:
    register(_op)


def define_op(
    name: str,
    numpy: Callable[..., Any],
    sympy: Callable[..., Any],
    partials: Sequence[Rule],
    *,
    mpmath: Callable[..., Any] | None = None,
    text: str | None = None,
    latex: str | None = None,
    unicode: str | None = None,
    domain: Callable[..., Any] | None = None,
    domain_message: str = "",
    defaults: Sequence[Any] = (),
    doc: str = "",
    kinks: Rule | None = None,
    ufuncs: Sequence[str] = (),
    sympy_heads: Sequence[Any] = (),
    words: Sequence[str] = (),
    shape: Callable[..., tuple[int, ...]] | None = None,
    vjps: Sequence[Rule | None] | None = None,
    jvps: Sequence[Rule | None] | None = None,
    static: int = 0,
    normalize: Callable[..., tuple[Any, ...]] | None = None,
    code: Mapping[str, Any] | None = None,
    domain_free: Callable[..., bool] | None = None,
    expansion: Rule | None = None,
    scalar: Callable[..., float] | None = None,
) -> Op:
    """Add an elementary function to graphdiff: parse, trace, every derivative method,
    ``from_sympy``, rendering, tables and the checker all know it at once.

    ``partials`` has one rule per argument, ``rule(m, *args, out)``, written with the
    namespace ``m`` (``m.sigmoid(a)``, ``m.exp(a)``) so that one rule serves numbers,
    sympy expressions and derivative graphs.  Without ``mpmath`` the high-precision
    value comes from the ``sympy`` meaning; without ``code`` compiled code calls the
    ``numpy`` function (see :class:`Op` for ``code``, ``domain_free`` and ``scalar``, the
    op on Python floats for the interpreted sweeps).

    An op that is not elementwise gives its ``shape`` rule and its ``vjps`` and ``jvps``
    (one rule per argument; see :class:`Op`), and its partials may be ``None``; its
    ``numpy`` function then receives values with a leading batch axis, and ``expansion``
    writes it with other ops where that kernel cannot run on arrays of scalar references
    (:func:`graphdiff.scalarize`).

    >>> import numpy as np, sympy, graphdiff as gd
    >>> softrelu = gd.define_op(
    ...     "softrelu", numpy=lambda z: np.logaddexp(0.0, z),
    ...     sympy=lambda z: sympy.log(1 + sympy.exp(z)),
    ...     partials=[lambda m, z, out: m.sigmoid(z)],
    ...     doc="log(1 + e^z), a smooth relu")
    >>> gd.grad(gd.parse("softrelu(2*x)"))["x"]     # sympy writes sigmoid out
    2/(1 + exp(-2*x))
    >>> float(gd.softrelu(0.0))
    0.6931471805599453
    >>> gd.undefine_op("softrelu")

    A tensor op, the squared norm ‖x‖² of a vector, with its VJP and JVP:

    >>> sq = gd.define_op(
    ...     "sqnorm", numpy=lambda x: np.sum(x * x, axis=-1), sympy=lambda x: x**2,
    ...     partials=[None], shape=lambda x: (),
    ...     vjps=[lambda m, g, x, out: 2 * m.mul(m.expand(g, -1), x)],
    ...     jvps=[lambda m, t, x, out: 2 * m.dot(x, t)])
    >>> gd.grad(gd.parse("sqnorm(x)", shapes={"x": (3,)}), at={"x": [1.0, 2.0, 3.0]})
    {'x': array([2., 4., 6.])}
    >>> gd.undefine_op("sqnorm")
    """

    arity = len(partials)
    sympy_fn = sympy
    op = Op(
        name=name, arity=arity, numpy=numpy, sympy=sympy_fn, partials=tuple(partials),
        text=text or f"{name}({', '.join(f'{{{i}}}' for i in range(arity))})",
        latex=latex or f"\\operatorname{{{{{name}}}}}\\left("
        + ", ".join(f"{{{i}}}" for i in range(arity)) + "\\right)",
        unicode=unicode or text or f"{name}({', '.join(f'{{{i}}}' for i in range(arity))})",
        domain=domain, domain_message=domain_message or f"{name} outside its domain",
        defaults=tuple(as_expr(d) for d in defaults), doc=doc or name,
        mpmath=mpmath or (_mpmath_from_sympy(sympy_fn) if shape is None else None),
        kinks=kinks, ufuncs=tuple(ufuncs), sympy_heads=tuple(sympy_heads), words=tuple(words),
        shape=shape, vjps=None if vjps is None else tuple(vjps),
        jvps=None if jvps is None else tuple(jvps), static=static, normalize=normalize,
        code=dict(code or {}), domain_free=domain_free, expansion=expansion, scalar=scalar,
    )
    return register(op)


def undefine_op(name: str) -> None:
    """Remove an op added with :func:`define_op` (built-in ops stay).

    >>> undefine_op("sin")
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: sin is built in and cannot be removed
    """
    if name in _BUILTIN:
        raise GraphdiffError(f"{name} is built in and cannot be removed")
    op = _REGISTRY.pop(name, None)
    if op is None:
        raise GraphdiffError(f"there is no op named {name!r}")
    for word in (name, *op.words):
        _CALLABLE.pop(word, None)
        _ALIASES.pop(word, None)
    for namespace in _NAMESPACES:
        namespace.forget(name)


_BUILTIN = frozenset(_REGISTRY)


def as_expr(value: Any) -> sympy.Expr:
    """A number or sympy object as a sympy expression; text is refused, never parsed.

    ``sympify`` of a string would run sympy's parser (which uses ``eval``); graphdiff
    only converts numbers and expressions it built itself, so it asks for ``strict``.

    >>> as_expr(2), as_expr(sympy.Symbol("x"))
    (2, x)
    >>> as_expr("2*x")
    Traceback (most recent call last):
    ...
    sympy.core.sympify.SympifyError: SympifyError: '2*x'
    """
    return sympy.sympify(value, strict=True)  # safe: strict refuses text (no parser runs)
