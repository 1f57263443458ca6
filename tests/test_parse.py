"""The safe parser: syntax, programs, error messages, limits and hostile input."""

from __future__ import annotations

import importlib
import random
import time
from typing import Any

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.parsing.sympy_parser import parse_expr

import graphdiff as gd
from graphdiff.parse import Limits

# --- syntax -----------------------------------------------------------------------------


def test_caret_is_power_with_power_precedence() -> None:
    x = sympy.Symbol("x")
    assert gd.parse("x^2 + 1").to_sympy() == x**2 + 1
    assert gd.parse("2^3^2").evaluate() == 512.0  # right-associative like **
    assert gd.parse("-x^2").to_sympy() == -(x**2)


def test_decimal_constants_are_exact() -> None:
    g = gd.parse("0.5*(h - y)**2")
    assert g.to_sympy() == sympy.Rational(1, 2) * (sympy.Symbol("h") - sympy.Symbol("y")) ** 2
    assert gd.parse("0.1 + x").to_sympy() == sympy.Rational(1, 10) + sympy.Symbol("x")


def test_constant_subexpressions_fold_exactly() -> None:
    g = gd.parse("x*(1/2 + 1/3)")
    assert g.args(g.outputs[0]) == (g.id("x"), sympy.Rational(5, 6))
    assert gd.parse("pi*x").to_sympy() == sympy.pi * sympy.Symbol("x")


def test_identical_subexpressions_share_a_node() -> None:
    g = gd.parse("sin(x)*sin(x) + sin(x)")
    assert [g.nx.nodes[n]["op"] for n in g.order].count("sin") == 1
    sin_node = next(n for n in g.order if g.nx.nodes[n]["op"] == "sin")
    assert g.nx.out_degree(sin_node) == 2
    mul = next(n for n in g.order if g.nx.nodes[n]["op"] == "mul")
    assert g.nx.edges[sin_node, mul]["positions"] == (0, 1)


def test_repeated_operand_edge_derivative_sums_positions() -> None:
    g = gd.parse("x*x")
    assert g.edge_derivative("x", g.outputs[0]) == 2 * sympy.Symbol("x")
    g = gd.parse("a + a")
    assert g.edge_derivative("a", g.outputs[0]) == 2


def test_function_aliases_and_defaults() -> None:
    z = sympy.Symbol("z")
    assert gd.parse("ln(z)").to_sympy() == sympy.log(z)
    g = gd.parse("leaky_relu(z)")
    assert g.args(g.outputs[0])[1] == sympy.Rational(1, 100)
    assert gd.parse("leaky_relu(z, 0.2)").evaluate(z=-1.0) == pytest.approx(-0.2)


def test_e_is_a_plain_name() -> None:
    g = gd.parse("e = c**2\nf = d + e")
    assert g.inputs == ("c", "d")


def test_inputs_order_can_be_fixed() -> None:
    g = gd.parse("y + x", inputs=["x", "y", "z"])
    assert g.inputs == ("x", "y", "z")
    assert g.evaluate(x=1, y=2, z=3) == 3.0


# --- programs ---------------------------------------------------------------------------


PROGRAM = """\
z = x*w1 + b1
h = sigmoid(z)
L = 0.5*(h - y)**2
"""


def test_program_names_and_output() -> None:
    g = gd.parse(PROGRAM)
    assert g.outputs == ("L",)
    assert g.inputs == ("x", "w1", "b1", "y")
    names = [g.name(n) for n in g.order]
    assert {"z", "h", "L"} <= set(names)
    # source order for programs: the program's own order
    assert names.index("z") < names.index("h") < names.index("L")
    value = g.evaluate(x=1.0, w1=2.0, b1=-1.0, y=0.0)
    s = 1 / (1 + 2.718281828459045 ** -1.0)
    assert value == pytest.approx(0.5 * s**2)


def test_program_several_outputs() -> None:
    g = gd.parse(PROGRAM, outputs=["L", "h"])
    assert g.outputs == ("L", "h")
    L, h = g.evaluate(x=1.0, w1=2.0, b1=-1.0, y=0.0)
    assert pytest.approx(0.5 * h**2) == L


def test_program_constant_output_is_a_named_constant_node() -> None:
    g = gd.parse("c = 2")
    assert g.outputs == ("c",)
    assert g.kind("c") == "constant"
    assert g.evaluate() == 2.0


def test_program_with_semicolons_and_a_final_expression() -> None:
    g = gd.parse("a = x + 1; a*a")
    assert g.evaluate(x=2) == 9.0


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("y = x + 1\ny = y*2", 2, 1, "assigned twice"),
        ("y = x + 1\nx = 2", 2, 1, "used as an input"),
        ("sin = x", 1, 1, "is a function"),
        ("y = 2\n3 + y\nz = y", 2, 1, "unused"),
        ("a, b = x, y", 1, 1, "single assignments"),
        ("import os", 1, 1, "import is not allowed"),
        ("def f(): pass", 1, 1, "def is not allowed"),
        ("y = x\nfor i in x: pass", 2, 1, "a for loop is not allowed"),
        ("x.y += 1", 1, 1, "augmented assignment"),
    ],
)
def test_program_errors(text: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(gd.ParseError) as info:
        gd.parse(text)
    err = info.value
    assert (err.line, err.column) == (line, column)
    assert fragment in str(err)


def test_unknown_output_name() -> None:
    with pytest.raises(gd.ParseError, match="'q' is not assigned"):
        gd.parse(PROGRAM, outputs=["q"])


# --- error messages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "reason", "expected"),
    [
        ("x +* 2", 1, 4, "cannot follow an operator", "a number"),
        ("x + ", 1, 5, "ends too early", "a number"),
        ("(x + 1", 1, 1, "never closed", "')'"),
        ("x + 1)", 1, 6, "unmatched", None),
        ("2 x", 1, 3, "two operands in a row", "an operator"),
        ("2x + 1", 1, 1, "a number directly followed by a name", "2*x"),
        ("foo(x)", 1, 1, "unknown function 'foo'", "one of"),
        ("sin(x, y)", 1, 1, "sin takes 1 argument, got 2", None),
        ("x.real", 1, 1, "attribute access", None),
        ("x[0]", 1, 1, "indexing", None),
        ("lambda: 1", 1, 1, "lambda", None),
        ("'text'", 1, 1, "a string", "a number"),
        ("x // 2", 1, 1, "operator // is not supported", "one of + - * / ** ^"),
        ("x if y else z", 1, 1, "if-expression", None),
        ("x < y", 1, 1, "comparison", None),
        ("1j*x", 1, 1, "1j", "a number"),
        ("True + x", 1, 1, "True", "a number"),
        ("_x + 1", 1, 1, "not allowed", None),
        ("y = x\nz = y ^^ 2", 2, 8, "cannot follow an operator", None),
        ("log(-1) + x", 1, 1, "log of a non-positive number", None),
        ("x/0 + 1", 1, 3, "division by zero", None),
        ("", 1, 1, "empty", None),
        ("x\x00", 1, 2, "control character", None),
    ],
)
def test_parse_error_positions_and_messages(
    text: str, line: int, column: int, reason: str, expected: str | None
) -> None:
    with pytest.raises(gd.ParseError) as info:
        gd.parse(text)
    err = info.value
    assert (err.line, err.column) == (line, column), str(err)
    assert reason in err.reason
    if expected is not None:
        assert err.expected is not None and expected in err.expected
    assert isinstance(err, gd.GraphdiffError)


def test_error_excerpt_has_a_caret_under_the_column() -> None:
    with pytest.raises(gd.ParseError) as info:
        gd.parse("a = 1\nb = a +* 2")
    lines = info.value.excerpt.splitlines()
    assert lines[0].strip() == "b = a +* 2"
    assert lines[1].index("^") == lines[0].index("*")


def test_caret_columns_map_back_after_power_rewrite() -> None:
    with pytest.raises(gd.ParseError) as info:
        gd.parse("x^2 + ^3")
    assert info.value.column == 7


# --- limits and hostile input -----------------------------------------------------------

HOSTILE = [
    "__import__('os').system('id')",
    "__import__('os')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__.__mro__",
    "(lambda: 1)()",
    "exec('print(1)')",
    "eval('1')",
    "open('/etc/passwd').read()",
    "globals()",
    "[x for x in ().__class__.__base__.__subclasses__()]",
    "9**9**9**9",
    "9^9^9^9",
    "x**99999999",
    "2**10000",
    "(10**1000)**1000",
    "10**999*10**999*10**999",
    "(" * 100_000 + "x" + ")" * 100_000,
    "-" * 100_000 + "x",
    "x" + "+x" * 600_000,
    "1" * 5000,
    "1e999999 * x",
    "x\x00 + 1",
    "sin(" * 5000 + "x" + ")" * 5000,
    "f'{x}'",
    "x if x else x",
    "import os\nos.system('id')",
    "y = __builtins__",
    "x = 1\n" * 2000,
    "a" * 30_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t[:30]) for t in HOSTILE])
def test_hostile_input_is_refused_quickly(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(gd.GraphdiffError):
        gd.parse(text)
    assert time.perf_counter() - start < 1.0


def test_one_megabyte_input_is_a_limit_error() -> None:
    with pytest.raises(gd.LimitError, match="characters long"):
        gd.parse("x+" * 500_000 + "x")


def test_limits_can_be_raised_for_trusted_programs() -> None:
    n = 20_000
    text = "s1 = x0 + x1\n" + "".join(f"s{i} = s{i - 1} + x{i}\n" for i in range(2, n))
    with pytest.raises(gd.LimitError):
        gd.parse(text)
    g = gd.parse(text, limits=Limits.unlimited_size())
    assert len(g.inputs) == n
    assert g.outputs == (f"s{n - 1}",)
    assert g.evaluate({f"x{i}": 1.0 for i in range(n)}) == n


def test_a_long_plain_sum_is_read_without_pythons_parser() -> None:
    n = 20_000  # deeper than Python's parser can take
    text = " + ".join(f"x{i}" for i in range(n))
    g = gd.parse(text, limits=Limits.unlimited_size())
    assert len(g.inputs) == n
    assert g.evaluate({f"x{i}": float(i) for i in range(n)}) == n * (n - 1) / 2


def test_a_long_expression_left_to_pythons_parser_is_a_limit_error() -> None:
    # 1_000 is a literal the quick reader leaves to Python's parser, which recurses.
    text = " + ".join(f"x{i}" for i in range(20_000)) + " + 1_000"
    with pytest.raises(gd.LimitError, match="nested too deeply") as caught:
        gd.parse(text, limits=Limits.unlimited_size())
    assert caught.value.line == 1


def test_strict_limits_are_stricter() -> None:
    text = "x" + "+x" * 1500
    gd.parse(text)
    with pytest.raises(gd.LimitError):
        gd.parse(text, limits=Limits.strict())
    with pytest.raises(gd.LimitError, match="exponent"):
        gd.parse("x**500", limits=Limits.strict())


def test_nesting_depth_counts_chains_once() -> None:
    gd.parse(" + ".join(["x"] * 500))  # a long sum is not deep
    with pytest.raises(gd.LimitError, match="nested"):
        gd.parse("sin(" * 150 + "x" + ")" * 150)


# --- round trip against sympy's own parser on generated expressions ---------------------

NAMES = ["x", "y", "z"]
FUNCTIONS = ["sin", "cos", "exp", "tanh", "sqrt", "log"]


def expressions() -> st.SearchStrategy[str]:
    leaves = st.one_of(st.sampled_from(NAMES), st.integers(1, 9).map(str))

    def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        power = st.tuples(children, st.integers(-3, 4)).map(lambda t: f"({t[0]})**{t[1]}")
        call = st.tuples(st.sampled_from(FUNCTIONS), children).map(lambda t: f"{t[0]}({t[1]})")
        negation = children.map(lambda c: f"-({c})")
        return st.one_of(binary, power, call, negation)

    return st.recursive(leaves, extend, max_leaves=12)


def _same_function(a: sympy.Expr, b: sympy.Expr) -> bool:
    if a == b:
        return True
    rng = random.Random(0)
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    for _ in range(3):
        point = {s: sympy.Float(rng.uniform(0.5, 2.0), 30) for s in symbols}
        va, vb = complex(a.evalf(25, subs=point)), complex(b.evalf(25, subs=point))
        if abs(va - vb) > 1e-12 * max(1.0, abs(va)):
            return False
    return True


@settings(max_examples=300, deadline=None)
@given(text=expressions())
def test_round_trip_matches_sympy_parser(text: str) -> None:
    try:
        g = gd.parse(text)
    except gd.DomainError:
        return  # a constant subexpression such as log(1 - 1): refused, and rightly
    except gd.ParseError as err:
        assert "non-positive" in str(err) or "division by zero" in str(err) or (
            "not a finite real" in str(err)
        ) or "negative" in str(err) or "beyond the range" in str(err)
        return
    reference = parse_expr(text)
    assert _same_function(g.to_sympy(), reference), (text, g.to_sympy(), reference)


@pytest.mark.parametrize(
    "text", ["exp(exp(exp(100)))*x", "sin(exp(exp(exp(exp(10)))))*x", "10**400*x",
             "(2**600)**2*x", str(10**400) + "*x"],
)
def test_constants_beyond_float_range_are_refused_quickly(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(gd.GraphdiffError):
        gd.parse(text, limits=Limits.strict())
    with pytest.raises(gd.GraphdiffError):
        gd.parse(text)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(("text", "word", "line", "column"), [
    ("lambda*w", "lambda", 1, 1),
    ("w - lambda*g", "lambda", 1, 5),
    ("a = 1\nb = 2*class + a", "class", 2, 7),
    ("x^2 + for", "for", 1, 7),
])
def test_a_python_keyword_is_named_at_the_caret(text: str, word: str, line: int,
                                                column: int) -> None:
    with pytest.raises(gd.ParseError) as info:
        gd.parse(text)
    err = info.value
    assert (err.code, err.params, err.line, err.column) == (
        "keyword_as_name", {"name": word}, line, column)
    assert f"'{word}' is a Python keyword, not a name" in str(err)


# --- the quick reader of plain lines agrees with Python's parser --------------------------
#
# gd.parse reads plain lines with its own reader and leaves every other line to Python's
# parser.  With the quick reader switched off, the whole text goes to Python's parser, as
# before the quick reader existed: both must give the same graph, or the same error (class,
# code, line, column, message), whatever the limits.

# The module whose statement reader is switched off: graphdiff.parse.converter looks up
# the quick reader and _self_contained there.
_PARSE_MODULE = importlib.import_module("graphdiff.parse.converter")


def outcome(text: str, *, python_only: bool = False, **options: Any) -> tuple[Any, ...]:
    with pytest.MonkeyPatch.context() as patch:
        if python_only:
            patch.setattr(_PARSE_MODULE._QuickReader, "read", lambda self, line, lineno: None)
            patch.setattr(_PARSE_MODULE, "_self_contained", lambda line: False)
        try:
            g = gd.parse(text, **options)
        except gd.GraphdiffError as err:
            return ("error", type(err).__name__, err.code, getattr(err, "line", None),
                    getattr(err, "column", None), str(err))
    return ("graph", g.inputs, g.outputs,
            [(g.name(n), g.kind(n), g.formula(n), g.shape(n)) for n in g.order])


AGREE = [
    "x**2 + x*y + (x+y)**2", "x ^ 2 + 1", "-x**2", "2**-x", "-2**2*x", "x**-y*z", "a*-b**c",
    "+x", "x - y - z", "x - (y - z)", "x/y/z*w", "x*(y*z)", "(x + y)*(x - y)/x**2",
    "a = x\nb = +(a)\nc = b*2", "v1 = x\ny = (v1)", "a = x*y\nb = x*y\nc = a + b",
    "X: 2x3\nW: 3x2\nH = X @ W\nL = sum(H.T)", "X: 2x2\nY = X.T.T @ X\nZ = sum(Y)",
    "X: 2x3\nY = X @ X", "a = x @ y", "b: 3\nc = b + x",
    "a = x\na += 1\na *= y\na **= 2\na ^= 2\na -= x\na /= 3", "x += 1", "a = x\na //= 2",
    "z = x*w + b\nh = sigmoid(z)\nL = 0.5*(h - y)^2",
    "a = .5*x + 5.*x + 1.e3*x + 1E-3*x + 00*x + 0.0*x + 2.50*x",
    "sin(x, y)", "foo(x)", "sin()", "sin(x,)", "sin(x)(y)", "(sin)(x)", "sin(x=1)",
    "sin(*x)", "x/0", "x/(1 - 1)", "log(x - x + 0)", "(-8)**x", "2**5000*x", "x**2000",
    "10**400*x", "1e400*x", "1e-400*x", "0123*x", "1_000*x", "1j*x", "0x10*x", "2x", "2 x",
    "1.5.T", "x..y", "x.5", "1if x else 2", "x.y", "x[0]", "x == y", "x // y", "x % y",
    "not x", "~x", "x and y", "[x]", "{x}", "x if y else z", "'x'", "True*x", "None",
    "_a = 1", "a = _b", "sin = 1", "pi = 3", "y = sin", "y = sigma + 1", "y = pi*x",
    "a = x\na = y", "a = x + b\nb = 1", "x\ny = 1", "a = 1; b = 2", "a = b = 1",
    "a, b = 1, 2", "if x: y = 1", "if x:\n    y = 1", "a = x +\\\n 1",
    "a = (x +\n 1)\nb = a*2", "  a = x", "a = x\n  b = 1", "a = x\nb = (", "a = foo(x)\nb = (",
    "a = x/0\nb = 1 +", "a = foo(x)\nb = x\nc = (", "lambda = 1", "a = lambda*w",
    "a = x # comment (\nb = a", "# only\n\n", "", "   ", "a = x\r\nb = a*2\r\n",
    "a = x\rb = 2", "a = x\r\r\nb = 2", "match = 1\ny = match*x", "match(x)", "α = x\nb = α*2",
    "a = ﬁ*2", "a = x+\n", "a = x\n\n\nb = a\n\n# end\n", "print(x)", "a = relu(x) + 1",
    "x*y\n", "\n\nx*y", "a = x\nb = a\nc = b\nd = c*c", "a = 3\nb = a*2", "c = 2",
    "a = 2\nb = a**3000", "a = x\nb = a**-1\nc = b**0.5", "@x\ndef f(): pass",
    "a = (((x)))", "a = -(-(-x))", "a = x*\ty", "a = x\n\tb = 1", "a = x\nfor i in y: pass",
    "a = x;\nb = 1", "del x", "a: int = 3", "a = x\nb = y\n1 + ", "a = x\n)",
]


@pytest.mark.parametrize("text", AGREE, ids=[repr(t[:24]) for t in AGREE])
def test_the_quick_reader_agrees_with_pythons_parser(text: str) -> None:
    assert outcome(text) == outcome(text, python_only=True)


@pytest.mark.parametrize("text", [
    "a = sin(x)*0.5 + y\nb = -a**2 + cos(a, 1)\nc = b*b - (a + b)/x",
    "a = x*y + z*w - x/y\nb = sigmoid(a)*(1 - sigmoid(a))\nb += a*a",
    "x - y + z*w*v - u/t + (a + b + c)*(d - e)",
    "X: 2x2\nY = sum(X.T @ X) + x*y",
])
def test_quick_counts_of_nodes_and_depth_are_pythons(text: str) -> None:
    # Limits.max_nodes and max_depth count the nodes of Python's tree: at every bound, the
    # two readers refuse at the same statement, node, line and column.
    for bound in range(1, 60):
        limits = Limits(max_nodes=bound)
        assert outcome(text, limits=limits) == outcome(text, python_only=True, limits=limits)
    for bound in range(1, 14):
        limits = Limits(max_depth=bound)
        assert outcome(text, limits=limits) == outcome(text, python_only=True, limits=limits)
    for bound in range(1, 5):
        limits = Limits(max_lines=bound)
        assert outcome(text, limits=limits) == outcome(text, python_only=True, limits=limits)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(expressions(), min_size=1, max_size=5), data=st.data())
def test_generated_programs_read_the_same_both_ways(lines: list[str], data: Any) -> None:
    text = "\n".join(f"v{k} = {line}" for k, line in enumerate(lines[:-1])) + (
        f"\n{lines[-1]}" if len(lines) > 1 else lines[-1])
    text = text.replace("x", data.draw(st.sampled_from(["x", "v0", "pi", "sin"])), 1)
    limits = Limits(max_nodes=data.draw(st.integers(5, 120)),
                    max_depth=data.draw(st.integers(2, 12)))
    assert outcome(text, limits=limits) == outcome(text, python_only=True, limits=limits)
