"""The one printer: graph nodes, whole graphs and sympy expressions, in every style.

Everything graphdiff writes as math goes through here: the tables, the drawings, the
checker's answers and feedback, ``Graph.formula``.  Names and numbers come from
:mod:`graphdiff.notation`; how each op is written, its precedence and associativity
(which decide the brackets) and the sympy functions it stands for come from the op
registry (:mod:`graphdiff.ops`), so an op added with :func:`graphdiff.define_op` prints
in every style at once.

========  =========================================  ==========================
style     a node's formula (the op's template)        a sympy expression
========  =========================================  ==========================
text      ``c**2``, ``x*y``: the syntax of the input  ``2·c``, ``x2²``: tables
unicode   ``c²``, ``x·y``, ``σ(z)``, ``√x``           ``2c``, ``x₂²``, ``½``: drawings
latex     ``c^{2}``, ``x \\cdot y``                    sympy's LaTeX, names as notation writes them
answer    ``c^2``, ``step(x)``, ``exp(1)``            the same: what the checker reads back
plain     as text                                     ``2c``, ``3x**2``: feedback
========  =========================================  ==========================

Names print as named in ``text``, ``answer`` and ``plain``, as
:func:`~graphdiff.notation.pretty_name` writes them in ``unicode`` and as
:func:`~graphdiff.notation.latex_name` in ``latex``; every function takes ``names`` (a
mapping or a function) to show other names.

>>> import graphdiff as gd, sympy
>>> g = gd.parse("(x + y)**2 / (2*x) - sin(x)**-1", naming="letters")
>>> [graph_text(g, style=s) for s in ("text", "unicode", "answer")]
['(x + y)**2/(2*x) - sin(x)**(-1)', '(x + y)²/(2·x) − sin(x)⁻¹', '(x + y)^2/(2*x) - sin(x)^(-1)']
>>> formula(g, "d"), formula(g, "d", "unicode"), formula(g, "d", "latex")
('a**2', 'a²', 'a^{2}')
>>> x, c = sympy.symbols("x c")
>>> [expr_text(3*c*x**2, s) for s in STYLES]
['3·c·x²', '3c·x²', '3 c x^{2}', '3*c*x^2', '3c*x**2']
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Protocol

import sympy
from sympy.printing.str import StrPrinter

from .errors import ShapeError
from .notation import (
    format_number,
    integer_superscript,
    latex_name,
    pretty_name,
    superscript,
    unicode_minus,
)
from .ops import (
    ATOM,
    OPS,
    POWER,
    PRODUCT,
    SUM,
    Namespace,
    Op,
    as_expr,
    is_function,
    overload_operators,
)
from .tensorops import broadcast_shapes, is_all

#: The printing styles (see the module's table).
STYLES = ("text", "unicode", "latex", "answer", "plain")

#: How names are shown: a mapping from a name to its text (names it lacks print as the
#: style writes them), or a function of the name.
Names = Mapping[str, str] | Callable[[str], str] | None


class GraphView(Protocol):
    """What the printer reads of a graph (:class:`graphdiff.Graph` has it all)."""

    @property
    def order(self) -> range: ...
    @property
    def output_ids(self) -> tuple[int, ...]: ...
    @property
    def nx(self) -> Any: ...
    def constant(self, node: int | str) -> Any: ...
    def id(self, name: int | str) -> int: ...
    def name(self, node: int | str) -> str: ...
    def kind(self, node: int | str) -> str: ...
    def op(self, node: int | str) -> Op | None: ...
    def args(self, node: int | str) -> tuple[Any, ...]: ...
    def shape(self, node: int | str) -> tuple[int, ...]: ...


def as_named(name: str) -> str:
    """Names exactly as they are (``w2``, not ``w₂``): pass as ``names=`` to any printer.

    >>> formula(__import__("graphdiff").parse("x1**2"), 1, "unicode", names=as_named)
    'x1²'
    """
    return name


def _check(style: str) -> None:
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")


def name_text(name: str, style: str = "text", names: Names = None) -> str:
    """A name in ``style``: as named, ``pretty_name`` (unicode) or ``latex_name`` (latex).

    >>> name_text("w12", "unicode"), name_text("w12", "latex"), name_text("w12", "answer")
    ('w₁₂', 'w_{12}', 'w12')
    """
    if callable(names):
        return names(name)
    if names is not None and names.get(name):
        return names[name]
    if style == "unicode":
        return pretty_name(name)
    if style == "latex":
        return latex_name(name)
    return name


def number_text(value: Any, style: str = "text", digits: int = 6) -> str:
    """A number as a table (``-0.25``) or a drawing (``−0.25``) writes it.

    >>> number_text(-0.25), number_text(-0.25, "unicode"), number_text(2 ** 0.5, digits=3)
    ('-0.25', '−0.25', '1.41')
    """
    text = format_number(value, digits)
    return unicode_minus(text) if style == "unicode" else text


# --- sympy expressions ----------------------------------------------------------------------

_FRACTIONS = {(1, 2): "½", (1, 3): "⅓", (2, 3): "⅔", (1, 4): "¼", (3, 4): "¾",
              (1, 5): "⅕", (1, 6): "⅙", (1, 8): "⅛"}

# A number times a one-letter name or a bracket is written without a dot: 2c, 3x₂², 2(x + y);
# before a longer name or a function the dot stays: 2·net, 99·step(x).
_COEFFICIENT = re.compile(r"(?<![\w.)⁰¹²³⁴⁵⁶⁷⁸⁹½⅓⅔¼¾⅕⅙⅛/])(\d+|[½⅓⅔¼¾⅕⅙⅛])\*"
                          r"([^\W\d_][\w\u0300-\u036f\u0305]*\(?|\(|√)")
# Feedback writes 2c for 2*c whatever follows (3x**2, 2(x + y)).
_PLAIN_COEFFICIENT = re.compile(r"(?<![\w.])(\d+)\*(?=[A-Za-z(])")
_PYTHON_POWER = re.compile(r"\*\*(?:\((-\d+)\)|(\d+)(?![\w.(]))")


def _juxtapose(match: re.Match[str]) -> str:
    number, following = match.groups()
    letters = sum(1 for ch in following if unicodedata.category(ch) in ("Ll", "Lu", "Lo"))
    if following in ("(", "√") or (letters == 1 and not following.endswith("(")):
        return number + following
    return f"{number}*{following}"


def _ops_by_head() -> dict[Any, Op]:
    """sympy function -> op, read from the registry each time (define_op adds heads)."""
    return {head: op for op in OPS.values() for head in op.sympy_heads}


class _Printer(StrPrinter):
    """sympy's str printer with the registry's names for functions and shown names."""

    _default_settings: ClassVar[dict[str, Any]] = {**StrPrinter._default_settings,
                                                   "names": None, "style": "unicode"}

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self._heads = _ops_by_head()

    def _print(self, expr: Any, **kwargs: Any) -> str:
        op = self._heads.get(type(expr)) if isinstance(expr, sympy.Basic) else None
        if op is not None:
            return self._print_op(op, [self._print(a) for a in expr.args])
        return super()._print(expr, **kwargs)

    def _print_op(self, op: Op, args: list[str]) -> str:
        raise NotImplementedError

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return name_text(expr.name, self._settings["style"], self._settings["names"])


class _UnicodePrinter(_Printer):
    """One line of typeset math: ``2c``, ``x₂²``, ``o₁·(1 − o₁)``, ``½``, ``ln(x)``."""

    def _print_op(self, op: Op, args: list[str]) -> str:
        if len(args) > op.arity >= 2:  # Max(a, b, c): max(a, b, c)
            args = [*args[: op.arity - 1], ", ".join(args[op.arity - 1:])]
        return op.unicode.format(*args)

    def _atom(self, expr: sympy.Expr) -> str:
        text = self._print(expr)
        simple = (expr.is_Symbol or (expr.is_Integer and expr >= 0)
                  or isinstance(expr, sympy.Function))
        return text if simple else f"({text})"

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exp = expr.as_base_exp()
        if exp is sympy.S.Half:
            return "√" + self._atom(base)
        if exp.is_Integer and exp < 0:
            return "1/" + (self._atom(base) if exp == -1 else
                           self._print(sympy.Pow(base, -exp, evaluate=False)))
        if exp.is_Integer:
            raised = superscript(str(exp))
            if raised is not None:
                return self._atom(base) + raised
        return f"{self._atom(base)}^{self._atom(exp)}"

    def _print_Rational(self, expr: sympy.Rational) -> str:
        key = (abs(int(expr.p)), int(expr.q))
        if key in _FRACTIONS:
            return ("-" if expr.p < 0 else "") + _FRACTIONS[key]
        return super()._print_Rational(expr)

    def _print_Float(self, expr: sympy.Float) -> str:
        return format_number(float(expr), 4)

    def _print_Mul(self, expr: sympy.Mul) -> str:
        text = _COEFFICIENT.sub(_juxtapose, super()._print_Mul(expr))
        return text.replace("*", "·")

    def _print_Pi(self, expr: sympy.Expr) -> str:
        return "π"

    def _print_Relational(self, expr: Any) -> str:
        symbol = _RELATIONS.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {symbol} {self._print(expr.rhs)}"

    def _print_Exp1(self, expr: sympy.Expr) -> str:
        return "e"


class _AnswerPrinter(_Printer):
    """The checker's answer syntax: ``^`` for powers, ``exp(1)``, the ops' own names."""

    def _print_op(self, op: Op, args: list[str]) -> str:
        while len(args) > op.arity >= 2:  # Max(a, b, c): max(a, max(b, c))
            args = [*args[:-2], f"{op.name}({args[-2]}, {args[-1]})"]
        return f"{op.name}({', '.join(args[: op.arity])})"

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Exp1(self, expr: sympy.Expr) -> str:
        return "exp(1)"


def expr_text(expr: Any, style: str = "text", *, names: Names = None,
              written: bool = False) -> str:
    """A sympy expression (or a number) in ``style``.

    ``written=True`` keeps the terms in the order they are stored (rules built with
    ``evaluate=False``); ``names`` shows other names for symbols.

    >>> x, y, o1 = sympy.symbols("x y o1")
    >>> [expr_text(e, "unicode") for e in (2*x, 3*x**2, o1*(1 - o1), -x/y**2, sympy.sqrt(x))]
    ['2x', '3x²', 'o₁·(1 − o₁)', '−x/y²', '√x']
    >>> expr_text(sympy.Heaviside(x, 1) + sympy.E, "answer"), expr_text(x**-2, "text")
    ('step(x) + exp(1)', 'x⁻²')
    """
    _check(style)
    expr = as_expr(expr)
    order = "none" if written else None
    if style == "latex":
        symbol_names = {s: name_text(s.name, "latex", names) for s in expr.free_symbols
                        if isinstance(s, sympy.Symbol)}
        return sympy.latex(expr, order=order, symbol_names=symbol_names)
    if style == "unicode":
        return unicode_minus(_UnicodePrinter({"order": order, "names": names}).doprint(expr))
    if style == "answer":
        return _AnswerPrinter({"order": order, "names": names, "style": "answer"}).doprint(expr)
    text = _TextPrinter({"order": order, "names": names, "style": style}).doprint(expr)
    if style == "plain":
        return _PLAIN_COEFFICIENT.sub(r"\1", text)
    # The worked tables: integer powers raised, products as a centred dot.
    raised = _PYTHON_POWER.sub(lambda m: superscript(m.group(1) or m.group(2)) or "", text)
    return raised.replace("*", "·")


class _TextPrinter(StrPrinter):
    """sympy's own text (``Heaviside``, ``log``): only the names can change."""

    _default_settings: ClassVar[dict[str, Any]] = {**StrPrinter._default_settings,
                                                   "names": None, "style": "text"}

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return name_text(expr.name, self._settings["style"], self._settings["names"])


def math_text(expr: Any, names: Names = None, *, written: bool = False) -> str:
    """An expression in one line of Unicode math, as a teacher writes it on a drawing.

    The same as ``expr_text(expr, "unicode", ...)``; kept for its callers.

    >>> x, y, c, o1 = sympy.symbols("x y c o1")
    >>> [math_text(e) for e in (2*x, 2*c + 2*x + y, 3*x**2, o1*(1 - o1), -x/y**2)]
    ['2x', '2c + 2x + y', '3x²', 'o₁·(1 − o₁)', '−x/y²']
    >>> math_text(sympy.Rational(1, 2)), math_text(sympy.sqrt(x)), math_text(sympy.exp(x*y))
    ('½', '√x', 'exp(x·y)')
    """
    return expr_text(expr, "unicode", names=names, written=written)


# --- Iverson brackets: step functions as a teacher writes them --------------------------------

_RELATIONS = {">=": "≥", "<=": "≤", "!=": "≠"}


class Iverson(sympy.Function):
    """``[c]``: 1 where the condition ``c`` holds and 0 elsewhere (Iverson's bracket), how
    seed 004 writes the derivative of ReLU, ``[H > 0]``.

    >>> h = sympy.Symbol("h")
    >>> Iverson(h > 0), sympy.latex(2 * Iverson(h > 0))
    ([h > 0], '2 \\\\left[h > 0\\\\right]')
    """

    nargs = 1

    def _sympystr(self, printer: Any) -> str:
        return f"[{printer._print(self.args[0])}]"

    def _latex(self, printer: Any) -> str:
        return f"\\left[{printer._print(self.args[0])}\\right]"


def _sides(condition: Any) -> Any:
    """A comparison with the negative terms moved across and a lone 0 on the right:
    ``a - b >= 0`` is ``a >= b``, ``-h >= 0`` is ``h <= 0``."""
    if not isinstance(condition, sympy.core.relational.Relational):
        return condition
    terms = sympy.Add.make_args(sympy.expand(condition.lhs - condition.rhs))
    left = sympy.Add(*(t for t in terms if not t.could_extract_minus_sign()))
    right = -sympy.Add(*(t for t in terms if t.could_extract_minus_sign()))
    if left == 0:
        return condition.func(-right, 0, evaluate=False) if right.is_Number else \
            condition.func(0, right, evaluate=False).reversed
    return condition.func(left, right, evaluate=False)


#: An op whose printed form is a call (``σ({0})``, ``ReLU({0})``): its name in the call.
_CALLED = re.compile(r"^([^\W\d_]\w*)\(\{0\}")


def folded(expr: Any) -> Any:
    """``expr`` with each composite op written back as itself: ``σ(z)``, not
    ``1/(1 + exp(-z))``; ``ReLU(z)``, not ``Max(0, z)``.  Read from the registry: every
    elementwise op printed as a call whose sympy meaning is a formula, not one sympy
    function (which prints as itself anyway).  For display only: the result's functions
    are names, not sympy's.

    >>> z, w, x, b = sympy.symbols("z w x b")
    >>> folded(2 / (1 + sympy.exp(-(w * x + b)))) , folded(sympy.Max(0, z) + 1)
    (2*σ(b + w*x), ReLU(z) + 1)
    """
    expr = as_expr(expr)
    for pattern, function in _foldable():
        expr = expr.replace(pattern, function)
    return expr


def _foldable() -> list[tuple[Any, Any]]:
    """(pattern with wildcards, the op as a named function of them) per foldable op."""
    found = []
    for op in OPS.values():
        call = _CALLED.match(op.unicode)
        if not (op.elementwise and call and is_function(op)) or op.sympy_heads:
            continue
        wilds = [sympy.Wild(f"a{k}") for k in range(op.arity)]
        pattern = op.sympy(*wilds)
        if isinstance(pattern, sympy.Wild):
            continue
        found.append((pattern, sympy.Function(call.group(1))(*wilds)))
    return found


def iverson(expr: Any) -> Any:
    """``expr`` with its steps (``Heaviside``) as Iverson brackets: a derivative that is 1
    where a condition holds and 0 elsewhere becomes one bracket (``1 − step(−h)``, ReLU's,
    is ``[h > 0]``); otherwise each step is ``[x ≥ 0]``.

    >>> h, a, b, alpha = sympy.symbols("h a b alpha")
    >>> iverson(1 - sympy.Heaviside(-h, 1)), iverson(sympy.Heaviside(a - b, 1))
    ([h > 0], [a >= b])
    >>> iverson(alpha + (1 - alpha) * (1 - sympy.Heaviside(-a, 1)))
    alpha + (1 - alpha)*(1 - [a <= 0])
    >>> iverson(2 * sympy.Heaviside(h) + h)  # sympy's step is 1/2 at 0: not a bracket
    h + 2*Heaviside(h)
    """
    expr = as_expr(expr)
    if not expr.has(sympy.Heaviside):
        return expr
    folded = sympy.piecewise_fold(expr.rewrite(sympy.Piecewise))
    if isinstance(folded, sympy.Piecewise) and len(folded.args) == 2 and \
            folded.args[1].cond == sympy.true:
        (first, condition), (other, _) = folded.args
        if {first, other} == {sympy.S.One, sympy.S.Zero}:
            holds = condition if first == 1 else sympy.Not(condition)
            return Iverson(_sides(holds))
    # A step that is 1 at 0 is [x ≥ 0], one that is 0 there [x > 0]; sympy's own
    # Heaviside(x), 1/2 at 0, is no bracket and stays as it is.
    brackets = {sympy.S.One: sympy.Ge, sympy.S.Zero: sympy.Gt}
    return expr.replace(
        lambda e: isinstance(e, sympy.Heaviside) and e.args[1:2] and e.args[1] in brackets,
        lambda e: Iverson(_sides(brackets[e.args[1]](e.args[0], 0))))


def precedence_of(expr: Any) -> float:
    """How tightly a printed sympy expression binds, as the registry counts it: a sum (or
    a negative term) ``SUM``, a product ``PRODUCT``, a power ``POWER``, else ``ATOM``.

    >>> x = sympy.Symbol("x")
    >>> precedence_of(x + 1), precedence_of(2 * x), precedence_of(-x), precedence_of(x)
    (1, 2, 1, 5)
    """
    expr = as_expr(expr)
    if expr.is_Add or (expr.could_extract_minus_sign() and not expr.is_Number):
        return SUM
    if expr.is_Mul or (expr.is_Rational and not expr.is_Integer):
        return PRODUCT
    if expr.is_Pow:
        return POWER
    return ATOM


# --- graph nodes and whole graphs -----------------------------------------------------------


def constant_text(value: Any, style: str = "text", *, operand: bool = True) -> str:
    """A constant of a graph in ``style``; as an ``operand`` in brackets where it must be.

    >>> half = sympy.Rational(1, 2)
    >>> [constant_text(half, s) for s in ("text", "unicode", "latex", "answer")]
    ['(1/2)', '½', '(\\\\frac{1}{2})', '(1/2)']
    >>> constant_text(sympy.E, "answer"), constant_text(-2, "unicode")
    ('exp(1)', '(−2)')
    """
    _check(style)
    value = as_expr(value)
    # graphdiff reads Euler's number as exp(1) (a lone e would be a variable)
    as_read = re.sub(r"\bE\b", "exp(1)", str(value))
    if style == "answer":
        text = as_read.replace("**", "^")
        atomic = (value.is_Integer and value >= 0) or text in ("pi", "exp(1)")
    elif style == "unicode":
        text = expr_text(value, "unicode")
        atomic = not text.startswith("−") and "/" not in text
    else:
        text = sympy.latex(value) if style == "latex" else as_read
        atomic = not (value.is_negative or (value.is_Rational and not value.is_Integer))
    return text if atomic or not operand else f"({text})"


def arg_text(graph: GraphView, arg: Any, style: str = "text", names: Names = None) -> str:
    """One argument of a node: a node's name (``arg`` an int) or a constant, in ``style``.

    >>> g = __import__("graphdiff").parse("x*(-2)")
    >>> arg_text(g, 0, "latex"), arg_text(g, g.args(1)[1], "text")
    ('x', '(-2)')
    """
    if type(arg) is int:
        return name_text(graph.name(arg), style, names)
    return constant_text(arg, style)


def _template(op: Op, style: str, tensors: bool = False) -> str:
    if tensors and op.tensor_templates is not None and style in op.tensor_templates:
        return op.tensor_templates[style]
    if style == "latex":
        return op.latex
    if style == "unicode":
        return op.unicode
    if style == "answer":
        if is_function(op):  # the reader knows every op by its name: sigmoid(z), not σ(z)
            return f"{op.name}({', '.join(f'{{{i}}}' for i in range(op.arity))})"
        return op.text.replace("**", "^")
    return op.text


def _enclosed(template: str, position: int, arity: int) -> bool:
    """Whether the template already brackets argument ``position`` (``sin({0})``)."""
    marks = [f"\x00{i}\x00" for i in range(arity)]
    text = template.format(*marks)
    at = text.find(marks[position])
    if at < 0:
        return True  # not printed at all (an optional argument)
    before = text[:at].rstrip()[-1:]
    after = text[at + len(marks[position]):].lstrip().removeprefix("\\right")[:1]
    return before in ("(", "{", "[", "|", ",") and after in (")", "}", "]", "|", ",")


def _needs_brackets(op: Op, position: int, precedence: float) -> bool:
    """The registry's rule: an operand binding less tightly than the op needs brackets;
    one binding as tightly needs them unless the op associates on that side.

    Precedences with the same integer part are one level of Python's grammar (``*``,
    ``/`` and ``@``); an operand of another family on that level needs brackets on the
    right, since Python reads the level left to right: ``Y*(X @ W)``, but ``Y*X @ W``.
    """
    if precedence >= ATOM:  # a name, a number or a call: x, 2, sin(x)
        return False
    level, op_level = int(precedence), int(op.precedence)
    if level != op_level:
        return level < op_level
    if precedence != op.precedence:  # * against @
        return position > 0
    side = "left" if position == 0 else "right" if position == op.arity - 1 else "none"
    return op.associativity not in ("full", side)


def _drop_arguments(template: str, shown: int, arity: int) -> str:
    """A call's template without its trailing arguments from ``shown`` on (static ones at
    their default, such as ``sum``'s axis: ``sum(X)``)."""
    for k in range(shown, arity):
        template = template.replace(f", {{{k}}}", "")
    return template


def shown_arguments(op: Op, args: Sequence[Any]) -> int:
    """How many of a node's arguments print: static ones at their default are left out.

    >>> import graphdiff as gd
    >>> g = gd.parse("sum(X) + sum(X, 0)", shapes={"X": (2, 3)})
    >>> [shown_arguments(g.op(n), g.args(n)) for n in g.order if g.op(n) is OPS["sum"]]
    [1, 2]
    """
    shown = len(args)
    first_default = op.arity - len(op.defaults)
    while shown > op.arity - op.static:
        position = shown - 1
        if position < first_default or type(args[position]) is int or \
                args[position] != op.defaults[position - first_default]:
            break
        shown -= 1
    return shown


def _bracket(text: str, style: str) -> str:
    return f"\\left({text}\\right)" if style == "latex" else f"({text})"


def apply_op(op: Op, operands: Sequence[tuple[str, float]], style: str = "text",
             exponent: Any = None, tensors: bool = False) -> tuple[str, float]:
    """``op`` applied to printed operands ``(text, precedence)``: ``(text, precedence)``.

    Operands are bracketed by the registry's precedence and associativity where the
    style's template does not bracket them itself.  ``exponent``, the constant exponent
    of a power, is raised in Unicode when it is an integer (``x⁻²``); ``tensors`` says that
    every operand is a tensor, which picks the op's ``tensor_templates`` (``A ⊙ B``).

    >>> apply_op(OPS["sub"], [("a", 5), ("b - c", 1)])
    ('a - (b - c)', 1)
    >>> apply_op(OPS["pow"], [("x + y", 1), ("2", 5)], "unicode", exponent=2)
    ('(x + y)²', 4)
    >>> apply_op(OPS["mul"], [("G", 5), ("S", 5)], "unicode", tensors=True)
    ('G ⊙ S', 2)
    """
    template = _template(op, style, tensors)
    if template == "{0}":  # written as its first operand (expand's size-1 axis): as it is
        return operands[0]
    if len(operands) < op.arity:
        template = _drop_arguments(template, len(operands), op.arity)
    texts = [text if _enclosed(template, k, op.arity) or not _needs_brackets(op, k, prec)
             else _bracket(text, style) for k, (text, prec) in enumerate(operands)]
    if style == "unicode" and exponent is not None:
        raised = integer_superscript(str(exponent))
        if raised is not None:
            return texts[0] + raised, POWER
    return template.format(*texts), ATOM if is_function(op) else op.precedence


def _operand(graph: GraphView, arg: Any, style: str, names: Names) -> tuple[str, float]:
    return arg_text(graph, arg, style, names), ATOM


def _exponent(op: Op, args: Sequence[Any]) -> Any:
    """The constant integer an op's Unicode template raises (``{0}^{1}``: pow), or None."""
    raised = _RAISED.search(op.unicode)
    if raised is None:
        return None
    arg = args[int(raised.group(1))]
    # A node id (int) or a printed operand (a tensor exponent) is raised by no template.
    return arg if type(arg) is not int and getattr(arg, "is_Integer", False) else None


#: A Unicode template that ends by raising an operand, as ``{0}^{1}`` does.
_RAISED = re.compile(r"\^\{(\d)\}$")


def formula(graph: GraphView, node: int | str, style: str = "text", names: Names = None) -> str:
    """A node's own operation on its arguments: ``x*y``, ``c²``, ``\\sin{\\left(x\\right)}``.

    Inputs print their name, constant nodes their value.

    >>> import graphdiff as gd
    >>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    >>> [formula(g, "e", s) for s in STYLES]
    ['c**2', 'c²', 'c^{2}', 'c^2', 'c**2']
    """
    _check(style)
    i = graph.id(node)
    op = graph.op(i)
    if op is None:
        if graph.kind(i) == "constant":
            return constant_text(graph.constant(i), style, operand=False)
        return name_text(graph.name(i), style, names)
    args = graph.args(i)
    operands = [_static(a, style) if k >= op.arity - op.static else _inline(graph, a, style, names)
                for k, a in enumerate(args[: shown_arguments(op, args)])]
    return apply_op(op, operands, style, _exponent(op, args), _all_tensors(graph, op, args))[0]


def _all_tensors(graph: GraphView, op: Op, args: Sequence[Any]) -> bool:
    """Whether every data argument of a node is a tensor node (``A * B`` prints ``A ⊙ B``)."""
    data = args[: op.arity - op.static]
    return len(data) > 1 and all(type(a) is int and graph.shape(a) for a in data)


def _static(arg: Any, style: str) -> tuple[str, float]:
    """A static argument (an axis) as written in a call: ``sum(X, -1)``, no brackets."""
    return constant_text(arg, style, operand=False), ATOM


def _inline(graph: GraphView, arg: Any, style: str, names: Names) -> tuple[str, float]:
    """An argument of a formula; a node whose op is written as an attribute (``W.T``)
    prints in place, as a teacher writes ``G @ W.T`` rather than naming ``W.T``."""
    if type(arg) is int:
        op = graph.op(arg)
        if op is not None and op.attribute is not None:
            inner = graph.args(arg)
            return apply_op(op, [_operand(graph, a, style, names) for a in inner], style)
    return _operand(graph, arg, style, names)


def graph_text(graph: GraphView, node: int | str | None = None, style: str = "answer",
               names: Names = None) -> str:
    """The expression of ``node`` (default: the first output) in the inputs, in ``style``.

    Brackets come from the registry's precedence and associativity, so the answer
    style reads back as the same function in the checker:

    >>> import graphdiff as gd
    >>> graph_text(gd.parse("2*max(x, y)*step(x - y) + exp(1) - x/(2*y)^-3"))
    '2*max(x, y)*step(x - y) + exp(1) - x/(2*y)^(-3)'
    >>> graph_text(gd.parse("-(a - b)**2 + sigmoid(a)"), style="unicode")
    '−(a − b)² + σ(a)'
    """
    _check(style)
    target = graph.output_ids[0] if node is None else graph.id(node)
    texts: list[tuple[str, float]] = []
    for i in range(target + 1):  # nodes are numbered in evaluation order
        op = graph.op(i)
        if op is None:
            if graph.kind(i) == "constant":
                texts.append((constant_text(graph.constant(i), style), ATOM))
            else:
                texts.append((name_text(graph.name(i), style, names), ATOM))
            continue
        args = graph.args(i)
        operands = [texts[a] if type(a) is int else _static(a, style)
                    if k >= op.arity - op.static else _operand(graph, a, style, names)
                    for k, a in enumerate(args[: shown_arguments(op, args)])]
        texts.append(apply_op(op, operands, style, _exponent(op, args),
                              _all_tensors(graph, op, args)))
    return texts[target][0]


# --- labels -----------------------------------------------------------------------------------

#: The label policies of tables and drawings.
LABELS = ("auto", "graph", "w", "survey")


def node_labels(graph: GraphView, names: str = "auto") -> list[str]:
    """Labels of the nodes: the graph's names, or seed 003's w1, w2, ... for every node.

    ``"auto"`` picks ``"w"`` when the graph's operations carry generated w-numbers (the
    inputs then read ``w1 = x1``), else ``"graph"``.

    >>> import graphdiff as gd
    >>> node_labels(gd.parse("x1*x2 + sin(x1)")), node_labels(gd.parse("sin(x)", naming="letters"))
    (['w1', 'w2', 'w3', 'w4', 'w5'], ['x', 'a'])
    >>> node_labels(gd.parse("x1*x2 + sin(x1)"), "survey")
    ['v_-1', 'v_0', 'v_1', 'v_2', 'v_3']
    """
    if names == "auto":
        ops = [n for n in graph.order if graph.kind(n) == "op"]
        generated = bool(ops) and all(graph.name(n) == f"w{n + 1}" for n in ops)
        names = "w" if generated else "graph"
    if names == "w":
        return [f"w{n + 1}" for n in graph.order]
    if names == "graph":
        return [graph.name(n) for n in graph.order]
    if names == "survey":
        # The AD survey's convention (Baydin et al.; Griewank and Walther): n inputs are
        # v₁₋ₙ … v₀, the operations v₁ … vₗ in evaluation order.
        # An alias row that is an output (y = v₅) keeps its name and takes no number.
        inputs = {n: k for k, n in enumerate(n for n in graph.order
                                              if graph.kind(n) == "input")}
        outputs = set(graph.output_ids)
        labels, k = [], 0
        for n in graph.order:
            op = graph.op(n)
            if n in inputs:
                labels.append(f"v_{inputs[n] + 1 - len(inputs)}")
            elif op is not None and op.alias and n in outputs:
                labels.append(graph.name(n))
            else:
                k += 1
                labels.append(f"v_{k}")
        return labels
    raise ValueError(f"names must be {', '.join(map(repr, LABELS[:-1]))} or "
                     f"{LABELS[-1]!r}, not {names!r}")


# --- rules printed: a namespace of formulas ------------------------------------------------


@overload_operators
class Printed:
    """A formula in the making: a derivative rule run on printed operands prints itself.

    The op table's rules are written with a namespace ``m``; run in
    :attr:`Printed.NAMESPACE` on named operands they give the formula a teacher writes
    (``G @ W.T``), with the registry's brackets and the builder's simplifications (a
    factor 1, ``sum_to`` of something already of its shape).  ``shape`` (when known)
    decides those simplifications.

    >>> from graphdiff.ops import OPS
    >>> X, W, G = Printed("X", shape=(4, 2)), Printed("W", shape=(2, 3)), Printed("G", shape=(4, 3))
    >>> [str(rule(Printed.NAMESPACE, G, X, W, None)) for rule in OPS["matmul"].vjps]
    ['G @ W.T', 'X.T @ G']
    >>> z = Printed("z")
    >>> str(OPS["sigmoid"].partials[0](Printed.NAMESPACE, z, Printed("σ")) * Printed("ḡ"))
    'σ*(1 - σ)*ḡ'

    In another ``style`` (every operand of one formula has the same), as a teacher writes
    it on the board: ``G·Wᵀ`` in Unicode, and ``⊙`` for the entrywise product of tensors.

    >>> G, W = Printed("G", shape=(4, 3), style="unicode"), Printed("W", shape=(2, 3),
    ...                                                             style="unicode")
    >>> S = Printed("S", shape=(4, 3), style="unicode")
    >>> str(Printed.namespace("unicode").matmul(G, W.T)), str(G * S)
    ('G·Wᵀ', 'G ⊙ S')
    """

    __slots__ = ("precedence", "shape", "style", "text")
    NAMESPACE: ClassVar[Namespace]
    _NAMESPACES: ClassVar[dict[str, Namespace]] = {}

    def __init__(self, text: str, precedence: float = ATOM,
                 shape: tuple[int, ...] = (), style: str = "text") -> None:
        self.text, self.precedence, self.shape = text, precedence, tuple(shape)
        self.style = style

    @classmethod
    def namespace(cls, style: str = "text") -> Namespace:
        """The op table on printed operands of ``style`` (made once per style).

        >>> Printed.namespace("text") is Printed.NAMESPACE
        True
        """
        _check(style)
        if style not in cls._NAMESPACES:
            cls._NAMESPACES[style] = Namespace(
                f"printed {style}", lambda op: lambda *args: _print_op(op, args, style),
                shape_of=_shape)
        return cls._NAMESPACES[style]

    def _operate(self, op: Op, operands: Sequence[Any]) -> Any:
        return _print_op(op, operands, self.style)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Printed({self.text!r})"


def _shape(value: Any) -> tuple[int, ...]:
    return value.shape if isinstance(value, Printed) else ()


def _print_op(op: Op, args: Sequence[Any], style: str = "text") -> Any:
    """``op(*args)`` printed in ``style``, simplified as the derivative graphs' builder does."""
    k = op.arity - op.static
    shape = _printed_shape(op, args, k)
    if op.shape_identity and _shape(args[0]) == shape:
        return args[0]
    for identity in op.identities:
        constant = args[identity.position]
        if not isinstance(constant, Printed) and constant == identity.constant:
            other = args[1 - identity.position] if len(args) == 2 else constant
            return identity.result(Printed.namespace(style), other)
    if all(not isinstance(a, Printed) for a in args[:k]):  # constants only: a number
        return op.numpy(*(float(a) for a in args))
    shown = len(args)
    while shown > k and is_all(args[shown - 1]) and op.defaults:
        shown -= 1
    operands = [(a.text, a.precedence) if isinstance(a, Printed) else
                (constant_text(_number(a), style, operand=i < k), ATOM)
                for i, a in enumerate(args[:shown])]
    tensors = k > 1 and all(isinstance(a, Printed) and math.prod(a.shape) > 1
                            for a in args[:k])
    text, precedence = apply_op(op, operands, style, _exponent(op, args), tensors)
    return Printed(text, precedence, shape, style)


def _printed_shape(op: Op, args: Sequence[Any], k: int) -> tuple[int, ...]:
    """The shape of a printed op, from the registry's rule (``()`` where unknown)."""
    shapes = [_shape(a) for a in args[:k]]
    static = [None if is_all(a) else int(a) for a in args[k:]]
    try:
        return tuple(op.shape(*shapes, *static)) if op.shape is not None else \
            broadcast_shapes(*shapes)
    except ShapeError:
        return ()


Printed.NAMESPACE = Printed.namespace("text")


def _number(value: Any) -> sympy.Expr:
    """A node's constant argument as a sympy number (never text: strict sympify)."""
    return sympy.sympify(value, strict=True)  # safe: a constant of the graph, never text
