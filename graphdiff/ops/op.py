"""The op: one row of the registry, every column of an elementary operation (:class:`Op`),
and the types its columns are made of (``Rule``, :class:`Identity`, the precedence levels).

The ops by name live here too, beside the class (``_REGISTRY``, read-only as :data:`OPS`):
an op pickles as its name and unpickles from them.  :mod:`graphdiff.ops.registry` fills
them and is the only module that changes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..errors import GraphdiffError
from ..notation import integer_superscript

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


#: The ops by name; :mod:`graphdiff.ops.registry` adds and removes them.
_REGISTRY: dict[str, Op] = {}

#: Every op by name: a live, read-only view of the registry (:func:`define_op` adds).
OPS: Mapping[str, Op] = MappingProxyType(_REGISTRY)


def _registered(name: str) -> Op:
    """The op of that name in this process's registry (how an op unpickles)."""
    try:
        return OPS[name]
    except KeyError:
        raise GraphdiffError(f"op {name!r} is not defined in this process: define it with "
                             "gd.define_op where the graph is used") from None
