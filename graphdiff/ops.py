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

import math
import operator
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import mpmath
import numpy as np
import sympy

from . import tensorops as T
from .errors import GraphdiffError
from .notation import integer_superscript
from .tensorops import ALL, NO_GRADIENT

Rule = Callable[..., Any]

#: Precedence levels for printing (higher binds tighter).
SUM, PRODUCT, PREFIX, POWER, ATOM = 1, 2, 3, 4, 5
#: ``@``: Python's level of ``*`` and ``/`` (the integer part), but a family of its own, so
#: that ``Y*(X @ W)`` keeps its brackets (Python reads ``Y*X @ W`` as ``(Y*X) @ W``).
MATMUL = 2.5


@dataclass(frozen=True)
class Identity:
    """``op(..., constant at position, ...) == result(m, other)``, an algebraic identity.

    ``other`` is the argument that is not the constant (binary ops).  ``result`` is a rule
    over a namespace, so the same identity serves every backend:

    >>> Identity(1, 1, lambda m, a: a)          # a * 1 = a  (an entry of mul)
    Identity(position=1, constant=1, result=<function <lambda> at ...>)
    """

    position: int
    constant: int
    result: Rule


class MPDomainError(ArithmeticError):
    """An op evaluated outside its domain at high precision (``log`` of a negative).

    >>> OPS["log"].mpmath(mpmath.mpf(-1))
    Traceback (most recent call last):
    ...
    graphdiff.ops.MPDomainError: log of a non-positive number
    """


class MPOverflow(ArithmeticError):
    """A value too large to compute meaningfully at high precision (``exp(10**7)``).

    >>> OPS["exp"].mpmath(mpmath.mpf(10**7))
    Traceback (most recent call last):
    ...
    graphdiff.ops.MPOverflow: exp too large
    """


@dataclass(frozen=True, eq=False)  # ops compare and hash by identity: fast dict keys
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
    mpmath : callable or None
        ``mpmath(*args) -> mpf``: the op at any precision (the checker's high-precision
        re-evaluation).  Raises :class:`MPDomainError` outside the domain and
        :class:`MPOverflow` where a value would be too large to compute meaningfully.
    precedence : int
        Binding strength when printed: ``SUM`` (1), ``PRODUCT`` (2), ``PREFIX`` (3),
        ``POWER`` (4) or ``ATOM`` (5, function calls).
    associativity : str
        How an operand of equal precedence prints: ``"full"`` (add, mul: no brackets),
        ``"left"`` (sub, div: brackets on the right), ``"right"`` (pow: brackets on the
        left) or ``"none"`` (function calls).
    kinks : callable or None
        ``kinks(m, *args) -> tuple``: switching expressions whose zeros are the points
        where the op is not smooth (a kink, a jump or a branch point): ``relu(a)`` gives
        ``(a,)``, ``max(a, b)`` gives ``(a - b,)``.  The checker samples there.
    ufuncs : tuple of str
        Names of the numpy ufuncs that the tracer records as this op.
    sympy_heads : tuple
        sympy functions that :func:`~graphdiff.from_sympy` converts to this op (an
        n-ary ``Max`` becomes a chain of binary ``max``).
    words : tuple of str
        Other names for the op in text (``ln``, ``tg``, ``th``, ``σ``, ``sgn``); also
        accepted as LaTeX commands by the checker's reader (``\\tg``).
    identities : tuple of Identity
        Algebraic identities that drop work when building derivative graphs
        (``x*1 = x``, ``x + 0 = x``).
    involution : bool
        Whether applying the op twice gives the argument back (``--a = a``).
    dunder : str or None
        The Python operator that is this op, by its data-model name (``"add"`` for
        ``__add__``/``__radd__``, ``"truediv"``, ``"neg"`` for unary minus, ``"abs"`` for
        ``abs()``, ``"matmul"`` for ``@``): the parser and every class with
        :func:`overload_operators` read it.
    shape : callable or None
        ``shape(*arg_shapes, *static) -> out_shape`` for an op that is not elementwise
        (``matmul``: ``(2, 3), (3, 4) -> (2, 4)``), raising :class:`ShapeError` with the
        reason alone when the shapes do not fit; the builder adds the node, the op and the
        shapes to the message.  ``None``: the op is **elementwise**, its output shape is
        numpy's broadcast of its arguments' shapes.  Shapes are tuples, ``()`` a scalar.
    vjps : tuple of callables or None
        One rule per argument, ``vjp(m, g, *args, out)``: the cotangent contribution to
        that argument given the output's cotangent ``g`` (``matmul``:
        ``m.matmul(g, m.transpose(b))`` for ``a``).  ``None`` (the column, or an entry):
        the elementwise default ``sum_to(g * partial, arg)``, the scalar partial times
        ``g`` summed down to the argument's shape (un-broadcasting).  :data:`NO_GRADIENT`:
        no cotangent flows to that argument (a shape donor).
    jvps : tuple of callables or None
        One rule per argument, ``jvp(m, t, *args, out)``: the output tangent contributed
        by that argument's tangent ``t``.  ``None``: ``partial * t``, broadcast to the
        output's shape.
    static : int
        How many trailing arguments are static parameters (an axis): integer constants
        fixed when the graph is built, handed to ``shape`` as numbers, never
        differentiated; one at its default is not printed (``sum(X)``).
    normalize : callable or None
        ``normalize(*arg_shapes, *static) -> static``: the static parameters in their
        canonical form (axes made negative, so that they count from the end and leading
        batch axes never shift them), raising :class:`ShapeError` when out of range.
    attribute : str or None
        The Python attribute that is this op (``"T"`` for ``X.T``): the parser accepts
        exactly these attributes, tracers have them as properties, and a formula prints
        such a node inline in its users (``G @ W.T``).
    alias : bool
        The op is another name for its argument (``copy``, what an alias line ``y = v5``
        makes): the survey's naming numbers no such node, and its row reads ``y = v₅``.
    shape_identity : bool
        The op only fits its first argument to another shape (``sum_to``,
        ``broadcast_like``): when that argument has the output's shape already it is the
        identity, and the builder of derivative graphs drops the node.
    tensor_templates : mapping or None
        How the op prints, by style, between operands that are all tensors, where its
        usual template would read as something else: mul's ``{0} ⊙ {1}`` (the entrywise
        product) in Unicode and ``{0} \\odot {1}`` in LaTeX, since ``·`` and juxtaposition
        are the matrix product there.
    expansion : callable or None
        ``expansion(m, *args) -> value``: the op written with other ops of the registry,
        for the **elementwise expansion** (:func:`graphdiff.scalarize`), which runs it on
        arrays of scalar references (the entries) in the namespace ``m``: ``softmax`` is
        ``m.exp(x) / m.expand(m.sum(m.exp(x), -1), -1)``, ``det`` a cofactor expansion.
        ``None``: the op's ``numpy`` kernel runs on those arrays as it is, which works for
        the ops made of sums and products (``matmul``, ``sum``, ``tr``, ``transpose``)
        and elementwise ops (applied entry by entry).
    code : mapping
        The op as source code, per backend of :func:`graphdiff.compile` (``"math"``:
        Python floats and the ``math`` module; ``"numpy"``: arrays; ``"llvm"``: LLVM IR on
        doubles, a tuple of instructions where ``{t0}``, ``{t1}`` are the results of the
        earlier ones and the last is the value): a template with
        ``{0}``, ``{1}`` for the arguments' code (``"math.sin({0})"``), or a function
        ``emit(args, constants) -> str`` that writes the code once, when the graph is
        compiled, from the arguments' code and their constant values (None for a node):
        ``pow`` with the constant exponent 2 is ``x*x``.  Names the code may use are
        those of :data:`CODE_GLOBALS`.  Code must raise (``ValueError``,
        ``ArithmeticError``, or numpy's ``FloatingPointError``) outside the op's domain.
        A backend missing here calls the ``numpy`` function (and checks ``domain``).
    commutative : bool
        ``op(a, b) == op(b, a)`` exactly, derivatives too (add, mul; not max, whose tie
        goes to the first argument): derivative graphs share ``b*a`` with ``a*b``.
    domain_free : callable or None
        ``domain_free(*constants) -> bool``, with None for each argument that is a node:
        True when no value of the node arguments is outside the domain, so evaluation
        skips the check (``x**2``, ``x/2``); decided once per node, when it is built.
    scalar : callable or None
        ``scalar(*floats) -> float``: the op on Python floats, giving bit for bit the
        number of its ``numpy`` function, for the interpreted sweeps of scalar graphs
        (a numpy scalar costs ten times a float per operation).  It must raise
        (``ArithmeticError`` or ``ValueError``, as Python's ``math`` does) wherever the
        arguments are outside the op's ``domain``, and may raise elsewhere (overflow, inf,
        nan): the sweeps then ask ``numpy`` and check ``domain``.  ``None``: the sweeps call
        ``numpy`` on floats.  Only ops whose float function is numpy's own have one:
        arithmetic (IEEE), ``sqrt`` (correctly rounded), ``sin`` and ``cos`` (numpy calls
        the C library for float64), comparisons; not ``exp``, ``tanh`` or ``pow``, which
        numpy computes with its own SIMD code (1 ulp apart from ``math`` on some inputs).
        :func:`scalar_function` checks the claim on sample points before trusting it.

    Ops with a ``shape`` rule (**tensor ops**) evaluate on values that carry one leading
    batch axis (length 1 for a single point): their ``numpy`` function reads the node's
    axes as ``value.shape[1:]``, so a reduction over "every axis of the node" is
    well-defined however many points are in the batch.  The functions ``gd.sum``,
    ``gd.matmul``, ... add and remove that axis for plain arrays.
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
    mpmath: Callable[..., Any] | None = None
    precedence: float = ATOM
    associativity: str = "none"
    kinks: Rule | None = None
    ufuncs: tuple[str, ...] = ()
    sympy_heads: tuple[Any, ...] = ()
    words: tuple[str, ...] = ()
    identities: tuple[Identity, ...] = ()
    involution: bool = False
    dunder: str | None = None
    shape: Callable[..., tuple[int, ...]] | None = None
    vjps: tuple[Rule | None, ...] | None = None
    jvps: tuple[Rule | None, ...] | None = None
    static: int = 0
    normalize: Callable[..., tuple[Any, ...]] | None = None
    attribute: str | None = None
    shape_identity: bool = False
    tensor_templates: Mapping[str, str] | None = None
    expansion: Rule | None = None
    alias: bool = False
    code: Mapping[str, Any] = field(default_factory=dict)
    domain_free: Callable[..., bool] | None = None
    commutative: bool = False
    scalar: Callable[..., float] | None = None

    @property
    def elementwise(self) -> bool:
        """Whether the op applies entry by entry (no ``shape`` rule): its output shape is
        the broadcast of its arguments' shapes and its derivative is the scalar partial.

        >>> OPS["sin"].elementwise, OPS["matmul"].elementwise
        (True, False)
        """
        return self.shape is None

    def __repr__(self) -> str:
        return f"<Op {self.name}/{self.arity}>"

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """An op pickles as its name in the registry (its rules are functions, some of them
        lambdas): graphs and problems travel to worker processes and Dask workers.

        >>> import pickle
        >>> pickle.loads(pickle.dumps(OPS["sin"])) is OPS["sin"]
        True
        """
        return (_registered, (self.name,))

    def format(self, args: list[str], style: str = "text") -> str:
        """Print the op applied to already-printed arguments.

        Deprecated: :mod:`graphdiff.printing` prints nodes, graphs and expressions in
        every style, with brackets from :attr:`precedence` and :attr:`associativity`.

        >>> OPS["pow"].format(["c", "2"], "unicode")
        'c²'
        >>> OPS["mul"].format(["x", "y"], "latex")
        'x \\\\cdot y'
        """
        raised = integer_superscript(args[-1]) if style == "unicode" and \
            self.unicode.endswith(f"^{{{self.arity - 1}}}") else None
        if raised is not None:
            return args[0] + raised
        template = {"text": self.text, "latex": self.latex, "unicode": self.unicode}[style]
        return template.format(*args)


# --- numpy implementations that need care ------------------------------------------


def _np_sigmoid(z: Any) -> Any:
    # With e = exp(-|z|) <= 1 nothing overflows: 1/(1 + e) for z >= 0, e/(1 + e) below,
    # each without cancellation.  (exp(-logaddexp(0, -z)) is as stable, but logaddexp
    # costs as much as the rest of a network's layer.)
    e = np.exp(-np.abs(z))
    return (np.where(z >= 0, 1.0, e) / (1.0 + e))[()]


def _np_step(z: Any) -> Any:
    # A comparison is ten times faster than np.heaviside (relu' on a 256×256 layer: 37 µs
    # against 420 µs); nan stays nan, as heaviside keeps it.
    result = (z >= 0) * 1.0
    nan = np.isnan(z)
    return np.where(nan, z, result) if np.any(nan) else result


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
    if isinstance(b, np.ndarray) and not np.all(b):  # a batch with some exponents 0: the
        with np.errstate(divide="ignore", invalid="ignore"):  # same there, point by point
            return np.where(b == 0, 0.0, b * a ** (b - 1))
    return b * a ** (b - 1)


def _exponent_rule(m: Any, a: Any, out: Any) -> Any:
    """d(a**b)/db = a**b·ln(a); exactly 0 for the base 0, whose powers are 0 for every
    exponent in the domain but 0 (not 0·ln 0: nan in numbers, and a log(0) that a
    derivative graph of ``0**x`` could not fold)."""
    if isinstance(a, int | float | np.floating | sympy.Number) and a == 0:
        return 0
    if isinstance(a, np.ndarray) and not np.all(a):  # a batch with some bases 0: the same
        with np.errstate(divide="ignore", invalid="ignore"):  # there, point by point
            return np.where(a == 0, 0.0, out * np.log(a))
    return out * m.log(a)


def _pow_domain(a: Any, b: Any) -> Any:
    negative_base = (np.asarray(a) < 0) & (np.floor(b) != b)
    zero_to_negative = (np.asarray(a) == 0) & (np.asarray(b) < 0)
    return negative_base | zero_to_negative


def _pow_domain_free(a: Any, b: Any) -> bool:
    """A constant exponent that is a non-negative integer: every base is fine (``x**2``)."""
    return a is None and b is not None and bool(b.is_integer) and bool(b >= 0)


def _div_domain_free(a: Any, b: Any) -> bool:
    """A constant divisor that is not 0 (``x/2``)."""
    return b is not None and b != 0


# --- code for the compiled backends (graphdiff.compile) -------------------------------


def _py_sigmoid(z: float) -> float:
    """σ(z) on one float, without overflow (as :func:`_np_sigmoid`)."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _py_softplus(z: float) -> float:
    """log(1 + e^z) on one float, without overflow: max(z, 0) + log1p(e^-|z|)."""
    return (z if z > 0 else 0.0) + math.log1p(math.exp(-abs(z)))


def _py_sign(z: float) -> float:
    return 1.0 if z > 0 else -1.0 if z < 0 else 0.0 * z


# --- the ops on Python floats (the ``scalar`` column): numpy's numbers, bit for bit ---------


def _float_relu(z: float) -> float:
    # np.maximum(z, 0.0): z where z > 0 or z is nan, else the second argument (+0.0).
    return z if z > 0.0 or z != z else 0.0


def _float_leaky_relu(z: float, alpha: float) -> float:
    return z if z > 0.0 else alpha * z


def _float_max(a: float, b: float) -> float:
    # np.maximum: the first argument where it is larger or nan; at a tie the second.
    return a if a > b or a != a else b


def _float_min(a: float, b: float) -> float:
    return a if a < b or a != a else b


def _float_step(z: float) -> float:
    return 1.0 if z >= 0.0 else z if z != z else 0.0


def _float_sign(z: float) -> float:
    # np.sign(-0.0) is +0.0; nan stays nan.
    return 1.0 if z > 0.0 else -1.0 if z < 0.0 else 0.0 if z == 0.0 else z


#: The names the ops' ``code`` templates may use.
CODE_GLOBALS: Mapping[str, Any] = MappingProxyType(
    {"math": math, "np": np, "_sigmoid": _py_sigmoid, "_sign": _py_sign,
     "_softplus": _py_softplus})


def _calls(math_name: str | None, numpy_name: str | None,
           llvm_name: str | None = None) -> dict[str, Any]:
    """``code`` of a one-argument op that is a function of ``math``, of numpy and (LLVM IR)
    an intrinsic or a C library function of one double."""
    code: dict[str, Any] = {}
    if math_name is not None:
        code["math"] = f"{math_name}({{0}})"
    if numpy_name is not None:
        code["numpy"] = f"{numpy_name}({{0}})"
    if llvm_name is not None:
        code["llvm"] = f"call double {llvm_name}(double {{0}})"
    return code


def _reciprocal(math_name: str, numpy_name: str, c_name: str) -> dict[str, Any]:
    """``1/f(a)``: coth, cot, sec, csc."""
    return {"math": f"(1.0 / {math_name}({{0}}))", "numpy": f"(1.0 / {numpy_name}({{0}}))",
            "llvm": (f"call double {c_name}(double {{0}})", "fdiv double 1.0, {t0}")}


def _both(template: str, llvm: str | None = None) -> dict[str, Any]:
    """The same code on floats and arrays (Python's operators), and its LLVM instruction."""
    code: dict[str, Any] = {"math": template, "numpy": template}
    if llvm is not None:
        code["llvm"] = llvm
    return code


def _pow_code(backend: str) -> Callable[[Sequence[str], Sequence[Any]], str]:
    """``a**b``: a constant exponent decides the code once (``x*x``, ``x**3``)."""

    def emit(args: Sequence[str], constants: Sequence[Any]) -> str:
        a, b = args
        k = constants[1]
        if backend == "llvm":
            if k is not None and k == 2:
                return f"fmul double {a}, {a}"
            if k is not None and k.is_integer and abs(k) <= 64:
                return f"call double @llvm.powi.f64.i32(double {a}, i32 {int(k)})"
            return f"call double @llvm.pow.f64(double {a}, double {b})"
        if k is not None and k == 2:
            return f"({a} * {a})"
        if backend == "numpy":
            return f"np.power({a}, {b})"
        if k is not None and k.is_integer and abs(k) <= 64:
            return f"({a} ** {int(k)})"  # a float to an int: ZeroDivisionError for 0**-1
        return f"math.pow({a}, {b})"  # ValueError outside the domain, unlike **

    return emit


# --- mpmath implementations (the op at any precision) -------------------------------

#: Largest binary exponent of any high-precision value (about 10^300000).
MAX_MAG = 10**6
#: Largest |argument| of sin, cos and tan at high precision (argument reduction needs
#: its digits).
MAX_TRIG_ARGUMENT = mpmath.mpf(10) ** 30


def _mp_div(a: Any, b: Any) -> Any:
    if b == 0:
        raise MPDomainError("division by zero")
    return a / b


def _mp_pow(a: Any, b: Any) -> Any:
    if a == 0:
        if b < 0:
            raise MPDomainError("0 to a negative power")
        return mpmath.mpf(0) if b > 0 else mpmath.mpf(1)
    if a < 0 and b != mpmath.floor(b):
        raise MPDomainError("power of a negative base with a non-integer exponent")
    if abs(b) * mpmath.log(abs(a), 2) > MAX_MAG:
        raise MPOverflow("power too large")
    result = mpmath.power(a, b)
    if isinstance(result, mpmath.mpc):
        raise MPDomainError("complex power")
    return result


def _mp_exp(a: Any) -> Any:
    if a > MAX_MAG / 2:
        raise MPOverflow("exp too large")
    if a < -MAX_MAG / 2:
        raise MPOverflow("exp too small")
    return mpmath.exp(a)


def _mp_log(a: Any) -> Any:
    if a <= 0:
        raise MPDomainError("log of a non-positive number")
    return mpmath.log(a)


def _mp_sqrt(a: Any) -> Any:
    if a < 0:
        raise MPDomainError("sqrt of a negative number")
    return mpmath.sqrt(a)


def _mp_trig(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def wrapped(a: Any) -> Any:
        if abs(a) > MAX_TRIG_ARGUMENT:
            raise MPOverflow("trigonometric argument too large")
        return fn(a)
    return wrapped


def _mp_sigmoid(a: Any) -> Any:
    if abs(a) > MAX_MAG / 2:
        raise MPOverflow("sigmoid argument too large")
    if a >= 0:
        return 1 / (1 + mpmath.exp(-a))
    e = mpmath.exp(a)
    return e / (1 + e)


def _mp_hyperbolic(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def wrapped(a: Any) -> Any:
        if abs(a) > MAX_MAG / 2:
            raise MPOverflow("hyperbolic argument too large")
        return fn(a)
    return wrapped


def _mp_pole_at_zero(fn: Callable[[Any], Any], what: str) -> Callable[[Any], Any]:
    def wrapped(a: Any) -> Any:
        if a == 0:
            raise MPDomainError(f"{what} of 0")
        return fn(a)
    return wrapped


def _mp_in_unit_interval(fn: Callable[[Any], Any], what: str, closed: bool = True
                         ) -> Callable[[Any], Any]:
    def wrapped(a: Any) -> Any:
        if abs(a) > 1 or (not closed and abs(a) == 1):
            raise MPDomainError(f"{what} of a number outside "
                                f"{'[-1, 1]' if closed else '(-1, 1)'}")
        return fn(a)
    return wrapped


def _mp_acosh(a: Any) -> Any:
    if a < 1:
        raise MPDomainError("acosh of a number below 1")
    return mpmath.acosh(a)


def _mp_real_cbrt(a: Any) -> Any:
    # mpmath.cbrt is the principal (complex) root for a < 0; the op is the real one.
    return -mpmath.cbrt(-a) if a < 0 else mpmath.cbrt(a)


def _mp_sign(a: Any) -> Any:
    return mpmath.mpf(1) if a > 0 else mpmath.mpf(-1) if a < 0 else mpmath.mpf(0)


# --- the table ----------------------------------------------------------------------


def _unary(name: str, numpy_fn: Callable[..., Any], sympy_fn: Callable[..., Any],
           partial: Rule, latex: str, doc: str, **extra: Any) -> Op:
    return Op(
        name=name, arity=1, numpy=numpy_fn, sympy=sympy_fn, partials=(partial,),
        text=f"{name}({{0}})", latex=latex, unicode=extra.pop("unicode", f"{name}({{0}})"),
        doc=doc, **extra,
    )


# Identity results are sympy numbers, never Python ints: a builder's nodes are ints.
def _zero(m: Any, a: Any) -> Any:
    return sympy.Integer(0)


def _one(m: Any, a: Any) -> Any:
    return sympy.Integer(1)


def _same(m: Any, a: Any) -> Any:
    return a


def _negated(m: Any, a: Any) -> Any:
    return m.neg(a)


# --- the convention at kinks -----------------------------------------------------------

#: What a step in a derivative rule is worth at its kink, by the seed that writes it:
#: seed 004 writes ReLU's derivative [z > 0] (0 at z = 0), seed 001 writes I{t ≥ 0} (1).
KINK_CONVENTIONS: Mapping[str, str] = MappingProxyType({
    "seed004": "relu'(0) = 0, leaky_relu'(0) = alpha: the step [z > 0] (seed 004's)",
    "seed001": "relu'(0) = 1, leaky_relu'(0) = 1: the step I{z >= 0} (seed 001's)",
})
_KINKS = {"convention": "seed004"}


def set_kink_convention(name: str) -> str:
    """Choose the convention at kinks for derivatives built from now on; returns the
    previous one.  See :data:`KINK_CONVENTIONS` and :func:`kink_convention`.

    >>> set_kink_convention("seed004")
    'seed004'
    """
    if name not in KINK_CONVENTIONS:
        raise ValueError(f"kink convention must be one of {', '.join(KINK_CONVENTIONS)}, "
                         f"not {name!r}")
    previous, _KINKS["convention"] = _KINKS["convention"], name
    return previous


@contextmanager
def kink_convention(name: str) -> Iterator[None]:
    """Derivatives built inside use convention ``name`` at kinks (then the previous one).

    The convention is read when a derivative is built -- a sweep, a derivative graph,
    compiled code -- and stays with what was built.

    >>> import graphdiff as gd
    >>> gd.grad(gd.parse("relu(x)"), {"x": 0.0})
    {'x': 0.0}
    >>> with gd.kink_convention("seed001"):
    ...     gd.grad(gd.parse("relu(x)"), {"x": 0.0})
    {'x': 1.0}
    """
    previous = set_kink_convention(name)
    try:
        yield
    finally:
        set_kink_convention(previous)


def _positive_part(m: Any, a: Any) -> Any:
    """The step of ReLU's derivative under the current convention: [a > 0] or [a ≥ 0]."""
    return m.step(a) if _KINKS["convention"] == "seed001" else 1 - m.step(-a)


def _itself(m: Any, *args: Any) -> tuple[Any, ...]:
    """The switching expression of a one-argument op with a kink at 0: its argument."""
    return (args[0],)


# --- tensor ops (their shape rules, kernels and rules are in graphdiff.tensorops) ----------


def _tensor(name: str, arity: int, numpy_fn: Callable[..., Any], shape: Callable[..., Any],
            vjps: tuple[Rule, ...], jvps: tuple[Rule, ...], doc: str, *, text: str | None = None,
            latex: str | None = None, unicode: str | None = None, **extra: Any) -> Op:
    """A tensor op written as a call ``name(a, b)``: no scalar partials (its ``vjps`` and
    ``jvps`` are its derivative) and, unless given, no meaning as a sympy function."""
    call = ", ".join(f"{{{i}}}" for i in range(arity))
    return Op(
        name=name, arity=arity, numpy=numpy_fn,
        sympy=extra.pop("sympy", None) or T.no_scalar_meaning(name),
        partials=(None,) * arity, text=text or f"{name}({call})",
        latex=latex or f"\\operatorname{{{{{name.replace('_', chr(92) + '_')}}}}}"
        f"\\left({call}\\right)",
        unicode=unicode or f"{name}({call})", doc=doc, shape=shape, vjps=vjps, jvps=jvps,
        **extra,
    )


def _axis_op(name: str, numpy_fn: Callable[..., Any], vjp: Rule, doc: str) -> Op:
    """sum/mean: an optional static axis, every axis of the node by default."""
    return _tensor(name, 2, numpy_fn, T.reduce_shape, (vjp, NO_GRADIENT),
                   (lambda m, t, x, axis, out: getattr(m, name)(t, axis), NO_GRADIENT), doc,
                   sympy=lambda x, axis: x, static=1, defaults=(ALL,),
                   normalize=T.normalize_axis)


def _loss(name: str, numpy_fn: Callable[..., Any], sympy_fn: Callable[..., Any],
          slopes: tuple[Rule, Rule], doc: str, **extra: Any) -> Op:
    """A loss: the mean of an elementwise function of a prediction and a target."""
    vjps, jvps = T.mean_loss_rules(slopes)
    return _tensor(name, 2, numpy_fn, T.loss_shape(0), vjps, jvps, doc, sympy=sympy_fn,
                   **extra)


def _ignore_linalg_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """A linear-algebra kernel giving nan for a singular matrix, which its domain then
    reports (evaluation checks the domain after computing the value)."""

    def kernel(a: Any) -> Any:
        try:
            return function(a)
        except np.linalg.LinAlgError:
            return np.full(np.shape(a), np.nan)

    return kernel


def _singular(a: Any) -> Any:
    """True, for every entry, where a matrix has determinant 0 (its inverse is undefined)."""
    det = np.linalg.det(a)
    return np.broadcast_to((det == 0)[..., np.newaxis, np.newaxis], np.shape(a))


_TENSOR_TABLE: list[Op] = [
    _tensor("matmul", 2, T.matmul_kernel, T.matmul_shape,
            (T.matmul_left_vjp, T.matmul_right_vjp),
            (lambda m, t, a, b, out: m.matmul(t, b), lambda m, t, a, b, out: m.matmul(a, t)),
            "matrix product a @ b (stacks of matrices broadcast; vectors as numpy: a row "
            "on the left, a column on the right)", text="{0} @ {1}",
            latex="{0} {1}",
            unicode="{0}·{1}", precedence=MATMUL, associativity="left", dunder="matmul",
            ufuncs=("matmul",)),
    _tensor("transpose", 1, T.transpose_kernel, T.transpose_shape,
            (lambda m, g, a, out: m.transpose(g),), (lambda m, t, a, out: m.transpose(t),),
            "the matrix transposed (the last two axes swapped), X.T", text="{0}.T",
            latex="{{{0}}}^{{\\top}}",
            unicode="{0}ᵀ", attribute="T"),
    _tensor("reshape", 1 + T.RESHAPE_AXES, T.reshape_kernel, T.reshape_shape,
            (T.reshape_vjp, *(NO_GRADIENT,) * T.RESHAPE_AXES),
            (lambda m, t, x, *sizes: m.reshape(t, *sizes[:-1]),
             *(NO_GRADIENT,) * T.RESHAPE_AXES),
            "the entries in a new shape, row by row (reshape(X, 3, 2); -1: the rest)",
            sympy=lambda x, *sizes: x, static=T.RESHAPE_AXES,
            defaults=(ALL,) * T.RESHAPE_AXES, normalize=T.normalize_sizes),
    _axis_op("sum", T.sum_kernel, T.sum_vjp,
             "sum of the entries, over one axis or (by default) all of them"),
    _axis_op("mean", T.mean_kernel, T.mean_vjp,
             "mean of the entries, over one axis or (by default) all of them"),
    _tensor("tr", 1, T.trace_kernel, T.square_shape("tr"), (T.trace_vjp,),
            (lambda m, t, a, out: m.tr(t),), "trace of a square matrix (sum of its diagonal)",
            latex="\\operatorname{{tr}}\\left({0}\\right)", words=("trace",)),
    _tensor("dot", 2, T.dot_kernel, T.vectors_shape("dot", T._dot_sizes),
            (lambda m, g, a, b, out: m.mul(m.expand(g, -1), b),
             lambda m, g, a, b, out: m.mul(m.expand(g, -1), a)),
            (lambda m, t, a, b, out: m.dot(t, b), lambda m, t, a, b, out: m.dot(a, t)),
            "dot product of two vectors"),
    _tensor("outer", 2, T.outer_kernel, T.vectors_shape("outer", lambda n, k: (n, k)),
            (lambda m, g, a, b, out: m.sum(m.mul(g, m.expand(b, -2)), -1),
             lambda m, g, a, b, out: m.sum(m.mul(g, m.expand(a, -1)), -2)),
            (lambda m, t, a, b, out: m.outer(t, b), lambda m, t, a, b, out: m.outer(a, t)),
            "outer product of two vectors, a bᵀ"),
    _tensor("softmax", 1, T.softmax_kernel, T.last_axis_shape(keep=True), (T.softmax_vjp,),
            (T.softmax_jvp,), "softmax over the last axis (the classes), stable",
            expansion=lambda m, x: m.exp(x) / m.expand(m.sum(m.exp(x), -1), -1)),
    _tensor("logsumexp", 1, T.logsumexp_kernel, T.last_axis_shape(keep=False),
            (lambda m, g, x, out: m.mul(m.expand(g, -1), m.softmax(x)),),
            (lambda m, t, x, out: m.sum(m.softmax(x) * t, -1),),
            "log Σ exp over the last axis (the classes), stable",
            expansion=lambda m, x: m.log(m.sum(m.exp(x), -1))),
    _loss("mse", T.mse_kernel, lambda p, y: (p - y) ** 2,
          (lambda m, p, y: 2 * (p - y), lambda m, p, y: 2 * (y - p)),
          "mean squared error mean((p - y)**2)",
          latex="\\operatorname{{MSE}}\\left({0}, {1}\\right)"),
    _tensor("cross_entropy", 2, T.cross_entropy_kernel, T.loss_shape(1), T.ce_vjps(),
            T.ce_jvps(), "softmax cross-entropy of logits against targets (one-hot rows), "
            "mean over the rows, stable", latex="\\operatorname{{CE}}\\left({0}, {1}\\right)",
            expansion=T.ce_expansion),
    _loss("bce_logits", T.bce_logits_kernel,
          lambda z, y: sympy.Max(z, 0) - z * y + sympy.log(1 + sympy.exp(-sympy.Abs(z))),
          (lambda m, z, y: m.sigmoid(z) - y, lambda m, z, y: -z),
          "binary cross-entropy of σ(z) against y, from the logits z (stable), mean",
          latex="\\operatorname{{BCE}}\\left({0}, {1}\\right)",
          expansion=lambda m, z, y: m.mean(
              m.max(z, 0) - m.mul(z, y) + m.log(1 + m.exp(-m.abs(z))), ALL)),
    _loss("logloss", T.logloss_kernel,
          lambda p, y: -(y * sympy.log(p) + (1 - y) * sympy.log(1 - p)),
          (lambda m, p, y: (p - y) / (p * (1 - p)), lambda m, p, y: m.log(1 - p) - m.log(p)),
          "binary cross-entropy of probabilities p against y, mean",
          domain=lambda p, y: (np.asarray(p) <= 0) | (np.asarray(p) >= 1),
          domain_message="logloss of a probability outside (0, 1)",
          expansion=lambda m, p, y: m.mean(
              -(m.mul(y, m.log(p)) + m.mul(1 - y, m.log(1 - p))), ALL)),
    _tensor("expand", 2, T.expand_kernel, T.expand_shape,
            (lambda m, g, x, axis, out: m.sum(g, axis), NO_GRADIENT),
            (lambda m, t, x, axis, out: m.expand(t, axis), NO_GRADIENT),
            "x with a size-1 axis inserted (numpy's expand_dims)", static=1,
            normalize=T.normalize_new_axis,
            # The size-1 axis is not written on the board: x itself, where it broadcasts.
            unicode="{0}", latex="{0}",
            # A scalar with size-1 axes is its one entry: a constant of a rule (the seed 1)
            # folds to itself, and constants broadcast like it.
            sympy=lambda x, axis: x),
    _tensor("sum_to", 2, T.sum_to_kernel, T.sum_to_shape,
            (lambda m, g, h, x, out: m.broadcast_like(g, h), NO_GRADIENT),
            (lambda m, t, h, x, out: m.sum_to(t, x), NO_GRADIENT),
            "g summed down to the shape of x (the adjoint of broadcasting)",
            sympy=lambda g, x: g, shape_identity=True),
    _tensor("broadcast_like", 2, T.broadcast_like_kernel, T.broadcast_like_shape,
            (lambda m, g, h, x, out: m.sum_to(g, h), NO_GRADIENT),
            (lambda m, t, h, x, out: m.broadcast_like(t, x), NO_GRADIENT),
            "g broadcast to the shape of x", sympy=lambda g, x: g, shape_identity=True,
            unicode="{0}", latex="{0}"),
    _tensor("eye_like", 1, T.eye_kernel, T.eye_shape, (NO_GRADIENT,), (NO_GRADIENT,),
            "the identity matrix of the shape of a square matrix x", unicode="I", latex="I"),
    _tensor("det", 1, np.linalg.det, T.square_shape("det"), (T.det_vjp,),
            (lambda m, t, a, out: out * m.tr(m.matmul(m.inv(a), t)),),
            "determinant of a square matrix", latex="\\det\\left({0}\\right)",
            expansion=T.det_expansion),
    _tensor("inv", 1, _ignore_linalg_errors(np.linalg.inv), T.inv_shape, (T.inv_vjp,),
            (lambda m, t, a, out: -m.matmul(out, m.matmul(t, out)),),
            "inverse of a square matrix", latex="{{{0}}}^{{-1}}", unicode="{0}⁻¹",
            domain=_singular, domain_message="inverse of a singular matrix",
            expansion=T.inv_expansion),
    _tensor("logdet", 1, T.logdet_kernel, T.square_shape("logdet"), (T.logdet_vjp,),
            (lambda m, t, a, out: m.tr(m.matmul(m.inv(a), t)),),
            "log det of a square matrix with a positive determinant",
            latex="\\log\\det\\left({0}\\right)",
            domain=lambda a: np.linalg.det(a) <= 0,
            domain_message="logdet of a matrix whose determinant is not positive",
            expansion=lambda m, a: m.log(m.det(a))),
]


_TABLE: list[Op] = [
    Op("add", 2, np.add, lambda a, b: a + b,
       (lambda m, a, b, out: 1, lambda m, a, b, out: 1),
       "{0} + {1}", "{0} + {1}", "{0} + {1}", infix=True, doc="a + b",
       mpmath=lambda a, b: a + b, precedence=SUM, associativity="full", ufuncs=("add",),
       dunder="add", code=_both("({0} + {1})", "fadd double {0}, {1}"), commutative=True,
       scalar=operator.add,
       identities=(Identity(0, 0, _same), Identity(1, 0, _same))),
    Op("sub", 2, np.subtract, lambda a, b: a - b,
       (lambda m, a, b, out: 1, lambda m, a, b, out: -1),
       "{0} - {1}", "{0} - {1}", "{0} − {1}", infix=True, doc="a - b",
       mpmath=lambda a, b: a - b, precedence=SUM, associativity="left",
       ufuncs=("subtract",), dunder="sub", code=_both("({0} - {1})", "fsub double {0}, {1}"),
       scalar=operator.sub,
       identities=(Identity(1, 0, _same), Identity(0, 0, _negated))),
    Op("mul", 2, np.multiply, lambda a, b: a * b,
       (lambda m, a, b, out: b, lambda m, a, b, out: a),
       "{0}*{1}", "{0} \\cdot {1}", "{0}·{1}", infix=True, doc="a * b",
       mpmath=lambda a, b: a * b, precedence=PRODUCT, associativity="full",
       ufuncs=("multiply",), dunder="mul", code=_both("({0} * {1})", "fmul double {0}, {1}"),
       scalar=operator.mul,
       commutative=True,
       tensor_templates=MappingProxyType({"unicode": "{0} ⊙ {1}", "latex": "{0} \\odot {1}"}),
       identities=(Identity(0, 0, _zero), Identity(1, 0, _zero), Identity(0, 1, _same),
                   Identity(1, 1, _same), Identity(0, -1, _negated),
                   Identity(1, -1, _negated))),
    Op("div", 2, np.divide, lambda a, b: a / b,
       (lambda m, a, b, out: 1 / b, lambda m, a, b, out: -a / b**2),
       "{0}/{1}", "\\frac{{{0}}}{{{1}}}", "{0}/{1}", infix=True,
       domain=lambda a, b: np.asarray(b) == 0, domain_message="division by zero",
       doc="a / b", mpmath=_mp_div, precedence=PRODUCT, associativity="left",
       kinks=lambda m, a, b: (b,), ufuncs=("true_divide", "divide"), dunder="truediv",
       code=_both("({0} / {1})", "fdiv double {0}, {1}"), domain_free=_div_domain_free,
       scalar=operator.truediv,
       identities=(Identity(1, 1, _same), Identity(0, 0, _zero))),
    Op("neg", 1, np.negative, lambda a: -a, (lambda m, a, out: -1,),
       "-{0}", "-{0}", "−{0}", doc="-a (unary minus)", mpmath=lambda a: -a,
       precedence=PREFIX, ufuncs=("negative",), involution=True, dunder="neg", scalar=operator.neg,
       code=_both("(-{0})", "fneg double {0}")),
    # A program's alias line `v1 = x` is a row of its own (textbook traces have them):
    # the node that line makes.  It prints as its argument.
    Op("copy", 1, np.positive, lambda a: a, (lambda m, a, out: 1,),
       "{0}", "{0}", "{0}", doc="the same value as a new node (an alias line v = x)",
       mpmath=lambda a: a, ufuncs=("positive",), alias=True, scalar=operator.pos,
       code=_both("{0}", "fmul double {0}, 1.0")),
    Op("pow", 2, _np_pow, lambda a, b: a**b,
       (lambda m, a, b, out: _power_rule(a, b), lambda m, a, b, out: _exponent_rule(m, a, out)),
       "{0}**{1}", "{0}^{{{1}}}", "{0}^{1}", infix=True,
       domain=_pow_domain,
       domain_message="power of a negative base with a non-integer exponent, or of 0 "
       "with a negative exponent",
       doc="a ** b (also written a ^ b); the exponent may be a variable",
       mpmath=_mp_pow, precedence=POWER, associativity="right",
       kinks=lambda m, a, b: (a,), ufuncs=("power",), dunder="pow",
       code={backend: _pow_code(backend) for backend in ("math", "numpy", "llvm")},
       domain_free=_pow_domain_free,
       identities=(Identity(1, 1, _same), Identity(1, 0, _one))),
    _unary("exp", np.exp, sympy.exp, lambda m, a, out: out, "e^{{{0}}}", "e^x",
           unicode="exp({0})", mpmath=_mp_exp, ufuncs=("exp",), sympy_heads=(sympy.exp,),
           code=_calls("math.exp", "np.exp", "@llvm.exp.f64")),
    _unary("log", np.log, sympy.log, lambda m, a, out: 1 / a, "\\ln{{\\left({0}\\right)}}",
           "natural logarithm (ln is an alias)", unicode="ln({0})",
           domain=lambda a: np.asarray(a) <= 0, domain_message="log of a non-positive number",
           mpmath=_mp_log, kinks=_itself, ufuncs=("log",), sympy_heads=(sympy.log,),
           words=("ln",),
           code=_calls("math.log", "np.log", "@llvm.log.f64")),
    _unary("sqrt", np.sqrt, sympy.sqrt, lambda m, a, out: 1 / (2 * out), "\\sqrt{{{0}}}",
           "square root", unicode="√{0}",
           domain=lambda a: np.asarray(a) < 0, domain_message="sqrt of a negative number",
           mpmath=_mp_sqrt, kinks=_itself, ufuncs=("sqrt",), scalar=math.sqrt,
           code=_calls("math.sqrt", "np.sqrt", "@llvm.sqrt.f64")),
    _unary("sin", np.sin, sympy.sin, lambda m, a, out: m.cos(a),
           "\\sin{{\\left({0}\\right)}}", "sine", mpmath=_mp_trig(mpmath.sin), scalar=math.sin,
           ufuncs=("sin",), sympy_heads=(sympy.sin,),
           code=_calls("math.sin", "np.sin", "@llvm.sin.f64")),
    _unary("cos", np.cos, sympy.cos, lambda m, a, out: -m.sin(a),
           "\\cos{{\\left({0}\\right)}}", "cosine", mpmath=_mp_trig(mpmath.cos), scalar=math.cos,
           ufuncs=("cos",), sympy_heads=(sympy.cos,),
           code=_calls("math.cos", "np.cos", "@llvm.cos.f64")),
    _unary("tan", np.tan, sympy.tan, lambda m, a, out: 1 + out**2,
           "\\tan{{\\left({0}\\right)}}", "tangent", mpmath=_mp_trig(mpmath.tan),
           kinks=lambda m, a: (m.cos(a),), ufuncs=("tan",), sympy_heads=(sympy.tan,),
           words=("tg",),
           code=_calls("math.tan", "np.tan", "@tan")),
    _unary("tanh", np.tanh, sympy.tanh, lambda m, a, out: 1 - out**2,
           "\\tanh{{\\left({0}\\right)}}", "hyperbolic tangent", mpmath=mpmath.tanh,
           ufuncs=("tanh",), sympy_heads=(sympy.tanh,), words=("th",),
           code=_calls("math.tanh", "np.tanh", "@tanh")),
    _unary("sinh", np.sinh, sympy.sinh, lambda m, a, out: m.cosh(a),
           "\\sinh{{\\left({0}\\right)}}", "hyperbolic sine",
           mpmath=_mp_hyperbolic(mpmath.sinh), ufuncs=("sinh",), sympy_heads=(sympy.sinh,),
           words=("sh",),
           code=_calls("math.sinh", "np.sinh", "@sinh")),
    _unary("cosh", np.cosh, sympy.cosh, lambda m, a, out: m.sinh(a),
           "\\cosh{{\\left({0}\\right)}}", "hyperbolic cosine",
           mpmath=_mp_hyperbolic(mpmath.cosh), ufuncs=("cosh",), sympy_heads=(sympy.cosh,),
           words=("ch",),
           code=_calls("math.cosh", "np.cosh", "@cosh")),
    _unary("sech", lambda a: 1 / np.cosh(a), sympy.sech, lambda m, a, out: -out * m.tanh(a),
           "\\operatorname{{sech}}\\left({0}\\right)", "hyperbolic secant 1/cosh",
           mpmath=_mp_hyperbolic(mpmath.sech), sympy_heads=(sympy.sech,),
           code=_reciprocal("math.cosh", "np.cosh", "@cosh")),
    _unary("coth", lambda a: 1 / np.tanh(a), sympy.coth, lambda m, a, out: 1 - out**2,
           "\\coth{{\\left({0}\\right)}}", "hyperbolic cotangent",
           domain=lambda a: np.asarray(a) == 0, domain_message="coth of 0",
           mpmath=_mp_pole_at_zero(mpmath.coth, "coth"), kinks=_itself,
           sympy_heads=(sympy.coth,), words=("cth",),
           code=_reciprocal("math.tanh", "np.tanh", "@tanh")),
    _unary("cot", lambda a: 1 / np.tan(a), sympy.cot, lambda m, a, out: -(1 + out**2),
           "\\cot{{\\left({0}\\right)}}", "cotangent",
           domain=lambda a: np.asarray(a) == 0, domain_message="cot of 0",
           mpmath=_mp_pole_at_zero(_mp_trig(mpmath.cot), "cot"),
           kinks=lambda m, a: (m.sin(a),), sympy_heads=(sympy.cot,), words=("ctg", "cotg"),
           code=_reciprocal("math.tan", "np.tan", "@tan")),
    _unary("sec", lambda a: 1 / np.cos(a), sympy.sec, lambda m, a, out: out * m.tan(a),
           "\\sec{{\\left({0}\\right)}}", "secant 1/cos", mpmath=_mp_trig(mpmath.sec),
           kinks=lambda m, a: (m.cos(a),), sympy_heads=(sympy.sec,),
           code=_reciprocal("math.cos", "np.cos", "@cos")),
    _unary("csc", lambda a: 1 / np.sin(a), sympy.csc, lambda m, a, out: -out * m.cot(a),
           "\\csc{{\\left({0}\\right)}}", "cosecant 1/sin",
           domain=lambda a: np.asarray(a) == 0, domain_message="csc of 0",
           mpmath=_mp_pole_at_zero(_mp_trig(mpmath.csc), "csc"),
           kinks=lambda m, a: (m.sin(a),), sympy_heads=(sympy.csc,), words=("cosec",),
           code=_reciprocal("math.sin", "np.sin", "@sin")),
    _unary("asin", np.arcsin, sympy.asin, lambda m, a, out: 1 / m.sqrt(1 - a**2),
           "\\arcsin{{\\left({0}\\right)}}", "inverse sine (arcsin)",
           domain=lambda a: np.abs(a) > 1, domain_message="asin of a number outside [-1, 1]",
           mpmath=_mp_in_unit_interval(mpmath.asin, "asin"),
           kinks=lambda m, a: (a - 1, a + 1), ufuncs=("arcsin",), sympy_heads=(sympy.asin,),
           words=("arcsin",),
           code=_calls("math.asin", "np.arcsin", "@asin")),
    _unary("acos", np.arccos, sympy.acos, lambda m, a, out: -1 / m.sqrt(1 - a**2),
           "\\arccos{{\\left({0}\\right)}}", "inverse cosine (arccos)",
           domain=lambda a: np.abs(a) > 1, domain_message="acos of a number outside [-1, 1]",
           mpmath=_mp_in_unit_interval(mpmath.acos, "acos"),
           kinks=lambda m, a: (a - 1, a + 1), ufuncs=("arccos",), sympy_heads=(sympy.acos,),
           words=("arccos",),
           code=_calls("math.acos", "np.arccos", "@acos")),
    _unary("atan", np.arctan, sympy.atan, lambda m, a, out: 1 / (1 + a**2),
           "\\arctan{{\\left({0}\\right)}}", "inverse tangent (arctan, arctg)",
           mpmath=mpmath.atan, ufuncs=("arctan",), sympy_heads=(sympy.atan,),
           words=("arctan", "arctg"),
           code=_calls("math.atan", "np.arctan", "@atan")),
    _unary("asinh", np.arcsinh, sympy.asinh, lambda m, a, out: 1 / m.sqrt(a**2 + 1),
           "\\operatorname{{arsinh}}\\left({0}\\right)", "inverse hyperbolic sine",
           mpmath=mpmath.asinh, ufuncs=("arcsinh",), sympy_heads=(sympy.asinh,),
           words=("arsinh", "arcsinh"),
           code=_calls("math.asinh", "np.arcsinh", "@asinh")),
    _unary("acosh", np.arccosh, sympy.acosh, lambda m, a, out: 1 / m.sqrt(a**2 - 1),
           "\\operatorname{{arcosh}}\\left({0}\\right)", "inverse hyperbolic cosine",
           domain=lambda a: np.asarray(a) < 1, domain_message="acosh of a number below 1",
           mpmath=_mp_acosh, kinks=lambda m, a: (a - 1,), ufuncs=("arccosh",),
           sympy_heads=(sympy.acosh,), words=("arcosh", "arccosh"),
           code=_calls("math.acosh", "np.arccosh", "@acosh")),
    _unary("atanh", np.arctanh, sympy.atanh, lambda m, a, out: 1 / (1 - a**2),
           "\\operatorname{{artanh}}\\left({0}\\right)", "inverse hyperbolic tangent",
           domain=lambda a: np.abs(a) >= 1,
           domain_message="atanh of a number outside (-1, 1)",
           mpmath=_mp_in_unit_interval(mpmath.atanh, "atanh", closed=False),
           kinks=lambda m, a: (a - 1, a + 1), ufuncs=("arctanh",),
           sympy_heads=(sympy.atanh,), words=("artanh", "arctanh"),
           code=_calls("math.atanh", "np.arctanh", "@atanh")),
    _unary("cbrt", np.cbrt, lambda a: sympy.sign(a) * sympy.Abs(a) ** sympy.Rational(1, 3),
           lambda m, a, out: 1 / (3 * out**2), "\\sqrt[3]{{{0}}}",
           "real cube root (negative for a negative argument)", unicode="∛{0}",
           mpmath=_mp_real_cbrt, kinks=_itself, ufuncs=("cbrt",),
           code=_calls("math.cbrt", "np.cbrt", "@cbrt")),
    _unary("softplus", lambda a: np.logaddexp(0.0, a), lambda a: sympy.log(1 + sympy.exp(a)),
           lambda m, a, out: m.sigmoid(a), "\\operatorname{{softplus}}\\left({0}\\right)",
           "log(1 + e^z), a smooth ReLU (numerically stable)",
           mpmath=lambda a: mpmath.log1p(mpmath.exp(a)) if a < 0 else
           a + mpmath.log1p(mpmath.exp(-a)),
           code={**_calls("_softplus", None), "numpy": "np.logaddexp(0.0, {0})", "llvm": (
               "call double @llvm.fabs.f64(double {0})", "fneg double {t0}",
               "call double @llvm.exp.f64(double {t1})", "call double @log1p(double {t2})",
               "fcmp ogt double {0}, 0.0", "select i1 {t4}, double {0}, double 0.0",
               "fadd double {t5}, {t3}")}),
    _unary("sigmoid", _np_sigmoid, lambda a: 1 / (1 + sympy.exp(-a)),
           lambda m, a, out: out * (1 - out), "\\sigma\\left({0}\\right)",
           "logistic sigmoid 1/(1 + e^-z), numerically stable", unicode="σ({0})",
           mpmath=_mp_sigmoid, words=("σ", "sigma"),
           code={**_calls("_sigmoid", None), "llvm": (
               "fcmp oge double {0}, 0.0", "call double @llvm.fabs.f64(double {0})",
               "fneg double {t1}", "call double @llvm.exp.f64(double {t2})",
               "fadd double 1.0, {t3}", "select i1 {t0}, double 1.0, double {t3}",
               "fdiv double {t5}, {t4}")}),
    # relu' = 1 - step(-z): 1 for z > 0 and 0 for z <= 0 (relu'(0) = 0).
    _unary("relu", _np_relu, lambda a: sympy.Max(0, a), lambda m, a, out: _positive_part(m, a),
           "\\operatorname{{ReLU}}\\left({0}\\right)", "max(0, z)", unicode="ReLU({0})",
           mpmath=lambda a: a if a > 0 else mpmath.mpf(0), kinks=_itself, words=("ReLU",),
           scalar=_float_relu,
           code={"math": "({0} if {0} > 0.0 else 0.0)", "numpy": "np.maximum({0}, 0.0)",
                 "llvm": ("fcmp ogt double {0}, 0.0", "select i1 {t0}, double {0}, double 0.0")}),
    Op("leaky_relu", 2, _np_leaky_relu,
       # relu(a) - alpha*relu(-a): a for a > 0, alpha*a below, in sympy functions that
       # from_sympy reads back (a Piecewise would not be).
       lambda a, alpha: sympy.Max(0, a) - alpha * sympy.Max(0, -a),
       (lambda m, a, alpha, out: alpha + (1 - alpha) * _positive_part(m, a),
        lambda m, a, alpha, out: a - m.relu(a)),
       "leaky_relu({0}, {1})", "\\operatorname{{LeakyReLU}}_{{{1}}}\\left({0}\\right)",
       "LeakyReLU({0}, {1})", defaults=(sympy.Rational(1, 100),),
       doc="z if z > 0 else alpha*z (alpha defaults to 0.01)",
       mpmath=lambda a, alpha: a if a > 0 else alpha * a, kinks=_itself, scalar=_float_leaky_relu,
       words=("LeakyReLU",), code={"math": "({0} if {0} > 0.0 else {1} * {0})", "llvm": (
           "fcmp ogt double {0}, 0.0", "fmul double {1}, {0}",
           "select i1 {t0}, double {0}, double {t1}")}),
    _unary("abs", np.abs, sympy.Abs, lambda m, a, out: m.sign(a),
           "\\left|{0}\\right|", "absolute value", unicode="|{0}|", mpmath=abs,
           kinks=_itself, ufuncs=("absolute",), sympy_heads=(sympy.Abs,), words=("Abs",),
           scalar=abs,
           dunder="abs",
           code=_calls("abs", "np.abs", "@llvm.fabs.f64")),
    Op("max", 2, np.maximum, sympy.Max,
       (lambda m, a, b, out: m.step(a - b), lambda m, a, b, out: 1 - m.step(a - b)),
       "max({0}, {1})", "\\max\\left({0}, {1}\\right)", "max({0}, {1})",
       doc="larger of a and b (ties: derivative to a)",
       mpmath=lambda a, b: a if a >= b else b, kinks=lambda m, a, b: (a - b,),
       ufuncs=("maximum",), sympy_heads=(sympy.Max,), words=("Max",), scalar=_float_max,
       code={"math": "({0} if {0} >= {1} else {1})", "numpy": "np.maximum({0}, {1})",
             "llvm": ("fcmp oge double {0}, {1}", "select i1 {t0}, double {0}, double {1}")}),
    Op("min", 2, np.minimum, sympy.Min,
       (lambda m, a, b, out: m.step(b - a), lambda m, a, b, out: 1 - m.step(b - a)),
       "min({0}, {1})", "\\min\\left({0}, {1}\\right)", "min({0}, {1})",
       doc="smaller of a and b (ties: derivative to a)",
       mpmath=lambda a, b: a if a <= b else b, kinks=lambda m, a, b: (a - b,),
       ufuncs=("minimum",), sympy_heads=(sympy.Min,), words=("Min",), scalar=_float_min,
       code={"math": "({0} if {0} <= {1} else {1})", "numpy": "np.minimum({0}, {1})",
             "llvm": ("fcmp ole double {0}, {1}", "select i1 {t0}, double {0}, double {1}")}),
    _unary("step", _np_step, lambda a: sympy.Heaviside(a, 1), lambda m, a, out: 0,
           "\\theta\\left({0}\\right)", "1 if z >= 0 else 0; derivative 0",
           mpmath=lambda a: mpmath.mpf(1) if a >= 0 else mpmath.mpf(0), kinks=_itself,
           sympy_heads=(sympy.Heaviside,), words=("Heaviside",), scalar=_float_step,
           code={"math": "(1.0 if {0} >= 0.0 else 0.0)",
                 "llvm": ("fcmp oge double {0}, 0.0", "select i1 {t0}, double 1.0, double 0.0")}),
    _unary("sign", np.sign, sympy.sign, lambda m, a, out: 0,
           "\\operatorname{{sign}}\\left({0}\\right)", "-1, 0 or 1; derivative 0",
           mpmath=_mp_sign, kinks=_itself, ufuncs=("sign",), sympy_heads=(sympy.sign,),
           scalar=_float_sign,
           words=("sgn",),
           code={**_calls("_sign", "np.sign"), "llvm": (
               "fcmp ogt double {0}, 0.0", "fcmp olt double {0}, 0.0",
               "select i1 {t1}, double -1.0, double 0.0",
               "select i1 {t0}, double 1.0, double {t2}")}),
    *_TENSOR_TABLE,
]

_REGISTRY: dict[str, Op] = {}
_CALLABLE: dict[str, Op] = {}
_ALIASES: dict[str, str] = {}

#: Every op by name: a live, read-only view of the registry (:func:`define_op` adds).
OPS: Mapping[str, Op] = MappingProxyType(_REGISTRY)

#: Other names accepted in text for the ops written as function calls (``ln`` -> ``log``),
#: from the ops' ``words`` that are Python identifiers.
FUNCTION_ALIASES: Mapping[str, str] = MappingProxyType(_ALIASES)

#: Ops that are written as function calls in text (``sin(x)``), with their aliases.
FUNCTIONS: Mapping[str, Op] = MappingProxyType(_CALLABLE)

_listeners: list[Callable[[Op], None]] = []


def _registered(name: str) -> Op:
    """The op of that name in this process's registry (how an op unpickles)."""
    try:
        return OPS[name]
    except KeyError:
        raise GraphdiffError(f"op {name!r} is not defined in this process: define it with "
                             "gd.define_op where the graph is used") from None


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

    >>> is_function(OPS["sin"]), is_function(OPS["add"]), is_function(OPS["neg"])
    (True, False, False)
    """
    return op.precedence == ATOM


def register(op: Op) -> Op:
    """Add ``op`` to the registry; every reader of the registry sees it at once.

    Used by :func:`define_op` (and for the built-in table); checks that the op's name
    and words are free and that it has one partial rule per argument.

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
#: What a namespace answers besides the ops (:class:`Namespace`): no op may be called so.
_NAMESPACE_WORDS = ("name", "forget", "shape", "size")

for _op in _TABLE:
    register(_op)


def _mpmath_from_sympy(sympy_fn: Callable[..., Any]) -> Callable[..., Any]:
    """The op at high precision through its sympy meaning (for ops defined by users)."""

    def evaluate(*args: Any) -> Any:
        dps = mpmath.mp.dps
        value = sympy_fn(*(sympy.Float(a, dps) for a in args)).evalf(dps)
        if not value.is_real or not value.is_finite:
            raise MPDomainError(f"no real value at {', '.join(mpmath.nstr(a, 8) for a in args)}")
        return mpmath.mpf(value)

    return evaluate


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


class Namespace:
    """The ops of the registry under one backend, by name: ``m.cos(x)``.

    Partial-derivative rules receive a namespace as their first argument, so one rule
    serves numbers, sympy expressions, mpmath numbers and graph tracers.  Lookups are
    live: an op added with :func:`define_op` is there at once.

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
