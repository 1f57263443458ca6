"""The op table: every elementary operation graphdiff knows, declared once.

Each :class:`Op` gives its arity, its numpy function, its sympy function, the local
partial derivative with respect to each argument, an optional domain check and how it
prints.  Every other module (evaluation, the derivative engines, the renderer, the
checker) reads this table; none has a per-op ``if``.  Adding an operation is one
entry here plus its row in the tests, which iterate over the table.

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

Conventions at kinks (the derivative there is a choice; graphdiff's is documented
and tested):

* ``step(z)`` is 1 for ``z >= 0`` and 0 for ``z < 0`` (seed 002; seed 003 sets
  ``step(0) = 0`` -- the two differ only at 0).  Its derivative is 0 everywhere,
  including at 0 where it does not exist.
* ``relu'(0) = 0`` (as PyTorch and micrograd), ``leaky_relu'(0) = alpha``,
  ``abs'(0) = sign(0) = 0``.
* ``max(a, b)`` and ``min(a, b)``: at a tie the whole derivative goes to the first
  argument, so ``max(0, z)`` has derivative 0 in ``z`` at ``z = 0``, like ``relu``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy

Rule = Callable[..., Any]


@dataclass(frozen=True)
class Op:
    """One elementary operation.

    Attributes
    ----------
    name : str
        The name used in text (``"sin"``) and in the graph (node attribute ``op``).
    arity : int
        Number of arguments.
    numpy : callable
        ``numpy(*args) -> value`` on floats or numpy arrays (broadcasting).
    sympy : callable
        ``sympy(*args) -> sympy.Expr``; the op's meaning as plain sympy.
    partials : tuple of callables
        ``partials[i](m, *args, out)`` is the partial derivative of the output with
        respect to argument ``i``, written with the namespace ``m``.
    text, latex, unicode : str
        Format templates with ``{0}``, ``{1}`` for the arguments.
    infix : bool
        Whether the op prints between its arguments (needs care with negative numbers).
    domain : callable or None
        ``domain(*args) -> bool array``: True where the arguments are outside the
        op's domain (numpy only).
    domain_message : str
        Says what went wrong, such as ``"log of a non-positive number"``.
    defaults : tuple
        Default values for trailing optional arguments (``leaky_relu``'s ``alpha``).
    doc : str
        One line for the docs and ``--help``.
    """

    name: str
    arity: int
    numpy: Callable[..., Any]
    sympy: Callable[..., Any]
    partials: tuple[Rule, ...]
    text: str
    latex: str
    unicode: str
    infix: bool = False
    domain: Callable[..., Any] | None = None
    domain_message: str = ""
    defaults: tuple[Any, ...] = field(default=())
    doc: str = ""

    def __repr__(self) -> str:
        return f"<Op {self.name}/{self.arity}>"

    def format(self, args: list[str], style: str = "text") -> str:
        """Print the op applied to already-printed arguments.

        >>> OPS["pow"].format(["c", "2"], "unicode")
        'c²'
        >>> OPS["mul"].format(["x", "y"], "latex")
        'x \\\\cdot y'
        """
        if style == "unicode" and self.name == "pow" and _is_superscriptable(args[1]):
            return args[0] + args[1].translate(_SUPERSCRIPT)
        template = {"text": self.text, "latex": self.latex, "unicode": self.unicode}[style]
        return template.format(*args)


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _is_superscriptable(text: str) -> bool:
    return bool(text) and all(ch in "0123456789-" for ch in text)


# --- numpy implementations that need care ------------------------------------------


def _np_sigmoid(z: Any) -> Any:
    # exp(-log(1 + exp(-z))) never overflows: logaddexp is stable for large |z|.
    return np.exp(-np.logaddexp(0.0, -z))


def _np_step(z: Any) -> Any:
    return np.heaviside(z, 1.0)


def _np_relu(z: Any) -> Any:
    return np.maximum(z, 0.0)


def _np_leaky_relu(z: Any, alpha: Any) -> Any:
    return np.where(z > 0, z, alpha * z)


def _np_pow(a: Any, b: Any) -> Any:
    return np.power(np.asarray(a, dtype=float), b)


def _power_rule(a: Any, b: Any) -> Any:
    """d(a**b)/da = b·a**(b-1); exactly 0 for the constant exponent 0 (not 0·inf at a = 0)."""
    if isinstance(b, int | float | np.floating | sympy.Number) and b == 0:
        return 0
    return b * a ** (b - 1)


def _pow_domain(a: Any, b: Any) -> Any:
    negative_base = (np.asarray(a) < 0) & (np.floor(b) != b)
    zero_to_negative = (np.asarray(a) == 0) & (np.asarray(b) < 0)
    return negative_base | zero_to_negative


# --- the table ----------------------------------------------------------------------


def _unary(name: str, numpy_fn: Callable[..., Any], sympy_fn: Callable[..., Any],
           partial: Rule, latex: str, doc: str, **extra: Any) -> Op:
    return Op(
        name=name, arity=1, numpy=numpy_fn, sympy=sympy_fn, partials=(partial,),
        text=f"{name}({{0}})", latex=latex, unicode=extra.pop("unicode", f"{name}({{0}})"),
        doc=doc, **extra,
    )


_TABLE: list[Op] = [
    Op("add", 2, np.add, lambda a, b: a + b,
       (lambda m, a, b, out: 1, lambda m, a, b, out: 1),
       "{0} + {1}", "{0} + {1}", "{0} + {1}", infix=True, doc="a + b"),
    Op("sub", 2, np.subtract, lambda a, b: a - b,
       (lambda m, a, b, out: 1, lambda m, a, b, out: -1),
       "{0} - {1}", "{0} - {1}", "{0} − {1}", infix=True, doc="a - b"),
    Op("mul", 2, np.multiply, lambda a, b: a * b,
       (lambda m, a, b, out: b, lambda m, a, b, out: a),
       "{0}*{1}", "{0} \\cdot {1}", "{0}·{1}", infix=True, doc="a * b"),
    Op("div", 2, np.divide, lambda a, b: a / b,
       (lambda m, a, b, out: 1 / b, lambda m, a, b, out: -a / b**2),
       "{0}/{1}", "\\frac{{{0}}}{{{1}}}", "{0}/{1}", infix=True,
       domain=lambda a, b: np.asarray(b) == 0, domain_message="division by zero",
       doc="a / b"),
    Op("neg", 1, np.negative, lambda a: -a, (lambda m, a, out: -1,),
       "-{0}", "-{0}", "−{0}", doc="-a (unary minus)"),
    Op("pow", 2, _np_pow, lambda a, b: a**b,
       (lambda m, a, b, out: _power_rule(a, b), lambda m, a, b, out: out * m.log(a)),
       "{0}**{1}", "{0}^{{{1}}}", "{0}^{1}", infix=True,
       domain=_pow_domain,
       domain_message="power of a negative base with a non-integer exponent, or of 0 "
       "with a negative exponent",
       doc="a ** b (also written a ^ b); the exponent may be a variable"),
    _unary("exp", np.exp, sympy.exp, lambda m, a, out: out, "e^{{{0}}}", "e^x",
           unicode="exp({0})"),
    _unary("log", np.log, sympy.log, lambda m, a, out: 1 / a, "\\ln{{\\left({0}\\right)}}",
           "natural logarithm (ln is an alias)", unicode="ln({0})",
           domain=lambda a: np.asarray(a) <= 0, domain_message="log of a non-positive number"),
    _unary("sqrt", np.sqrt, sympy.sqrt, lambda m, a, out: 1 / (2 * out), "\\sqrt{{{0}}}",
           "square root", unicode="√{0}",
           domain=lambda a: np.asarray(a) < 0, domain_message="sqrt of a negative number"),
    _unary("sin", np.sin, sympy.sin, lambda m, a, out: m.cos(a),
           "\\sin{{\\left({0}\\right)}}", "sine"),
    _unary("cos", np.cos, sympy.cos, lambda m, a, out: -m.sin(a),
           "\\cos{{\\left({0}\\right)}}", "cosine"),
    _unary("tan", np.tan, sympy.tan, lambda m, a, out: 1 + out**2,
           "\\tan{{\\left({0}\\right)}}", "tangent"),
    _unary("tanh", np.tanh, sympy.tanh, lambda m, a, out: 1 - out**2,
           "\\tanh{{\\left({0}\\right)}}", "hyperbolic tangent"),
    _unary("sigmoid", _np_sigmoid, lambda a: 1 / (1 + sympy.exp(-a)),
           lambda m, a, out: out * (1 - out), "\\sigma\\left({0}\\right)",
           "logistic sigmoid 1/(1 + e^-z), numerically stable", unicode="σ({0})"),
    # relu' = 1 - step(-z): 1 for z > 0 and 0 for z <= 0 (relu'(0) = 0).
    _unary("relu", _np_relu, lambda a: sympy.Max(0, a), lambda m, a, out: 1 - m.step(-a),
           "\\operatorname{{ReLU}}\\left({0}\\right)", "max(0, z)", unicode="ReLU({0})"),
    Op("leaky_relu", 2, _np_leaky_relu,
       lambda a, alpha: sympy.Piecewise((a, a > 0), (alpha * a, True)),
       (lambda m, a, alpha, out: alpha + (1 - alpha) * (1 - m.step(-a)),
        lambda m, a, alpha, out: a - m.relu(a)),
       "leaky_relu({0}, {1})", "\\operatorname{{LeakyReLU}}_{{{1}}}\\left({0}\\right)",
       "LeakyReLU({0}, {1})", defaults=(sympy.Rational(1, 100),),
       doc="z if z > 0 else alpha*z (alpha defaults to 0.01)"),
    _unary("abs", np.abs, sympy.Abs, lambda m, a, out: m.sign(a),
           "\\left|{0}\\right|", "absolute value", unicode="|{0}|"),
    Op("max", 2, np.maximum, sympy.Max,
       (lambda m, a, b, out: m.step(a - b), lambda m, a, b, out: 1 - m.step(a - b)),
       "max({0}, {1})", "\\max\\left({0}, {1}\\right)", "max({0}, {1})",
       doc="larger of a and b (ties: derivative to a)"),
    Op("min", 2, np.minimum, sympy.Min,
       (lambda m, a, b, out: m.step(b - a), lambda m, a, b, out: 1 - m.step(b - a)),
       "min({0}, {1})", "\\min\\left({0}, {1}\\right)", "min({0}, {1})",
       doc="smaller of a and b (ties: derivative to a)"),
    _unary("step", _np_step, lambda a: sympy.Heaviside(a, 1), lambda m, a, out: 0,
           "\\theta\\left({0}\\right)", "1 if z >= 0 else 0; derivative 0"),
    _unary("sign", np.sign, sympy.sign, lambda m, a, out: 0,
           "\\operatorname{{sign}}\\left({0}\\right)", "-1, 0 or 1; derivative 0"),
]

#: Every op by name.  Read-only: add ops by editing ``_TABLE``.
OPS: Mapping[str, Op] = MappingProxyType({op.name: op for op in _TABLE})

#: Names accepted in text for the ops that are written as function calls.
FUNCTION_ALIASES: Mapping[str, str] = MappingProxyType({"ln": "log"})

#: Ops that are written as function calls in text (``sin(x)``), with their aliases.
FUNCTIONS: Mapping[str, Op] = MappingProxyType(
    {op.name: op for op in _TABLE if not op.infix and op.name != "neg"}
    | {alias: OPS[target] for alias, target in FUNCTION_ALIASES.items()}
)


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
    return sympy.sympify(value, strict=True)


class Namespace:
    """The ops of the table under one backend, by name: ``m.cos(x)``.

    Partial-derivative rules receive a namespace as their first argument, so one rule
    serves numbers, sympy expressions and graph tracers.

    >>> NUMPY.cos(0.0)
    np.float64(1.0)
    >>> SYMPY.relu(sympy.Symbol("z"))
    Max(0, z)
    """

    def __init__(self, name: str, implementations: Mapping[str, Callable[..., Any]]):
        self.name = name
        for op_name, fn in implementations.items():
            setattr(self, op_name, fn)

    def __repr__(self) -> str:
        return f"<Namespace {self.name}>"


NUMPY = Namespace("numpy", {name: op.numpy for name, op in OPS.items()})
SYMPY = Namespace("sympy", {name: op.sympy for name, op in OPS.items()})
