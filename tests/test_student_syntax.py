"""One reader for the library and the checker: parse(text, syntax="student") reads the
notation the checker reads, with the checker's messages."""

from __future__ import annotations

import pytest
import sympy

import graphdiff as gd
from graphdiff.checker import AnswerError, read_answer

x, y, z = sympy.symbols("x y z")


@pytest.mark.parametrize(("text", "expected"), [
    ("2x", 2 * x),
    ("x y + 3x²", x * y + 3 * x**2),
    ("σ(x)", 1 / (1 + sympy.exp(-x))),
    ("ln x + tg x", sympy.log(x) + sympy.tan(x)),
    ("cosh x + atan(x) + asin(x) + acos(x) + sinh(x)",
     sympy.cosh(x) + sympy.atan(x) + sympy.asin(x) + sympy.acos(x) + sympy.sinh(x)),
    ("sec x + csc x + cot x + sech x + asinh x + acosh x",
     sympy.sec(x) + sympy.csc(x) + sympy.cot(x) + sympy.sech(x) + sympy.asinh(x)
     + sympy.acosh(x)),
    (r"\frac{1}{1 + e^{-z}}", 1 / (1 + sympy.exp(-z))),
    ("x·y − z", x * y - z),
])
def test_the_student_notation_parses_to_the_same_function(text, expected) -> None:
    got = gd.parse(text, syntax="student").to_sympy()
    assert sympy.simplify(got - expected) == 0


def test_a_program_in_the_student_notation_keeps_its_names() -> None:
    g = gd.parse("h = σ(w x + b)\nL = (h − y)²", syntax="student")
    assert g.outputs == ("L",)
    names = {g.name(n) for n in g.order}
    assert {"h", "L", "w", "x", "b", "y"} <= names
    at = {"w": 0.5, "x": 2.0, "b": -1.0, "y": 1.0}
    assert g.evaluate(at) == pytest.approx(0.25, rel=1e-15)
    assert gd.grad(g, at)["w"] == pytest.approx(2 * (0.5 - 1) * 0.25 * 2, rel=1e-12)


def test_shape_headers_pass_through() -> None:
    g = gd.parse("X: 2x3\nW: 3x2\nH = relu(X @ W)\nL = sum(H)", syntax="student")
    assert g.shape("X") == (2, 3) and g.shape("H") == (2, 2)


@pytest.mark.parametrize("text", ["x +* y", "sin(x", "2x +", "x ** ** 2", "foo bar(",
                                  "y = 2x)"])
def test_errors_are_the_checkers_with_the_line_and_column(text) -> None:
    with pytest.raises(AnswerError) as answer:
        read_answer(text)
    with pytest.raises(gd.ParseError) as parsed:
        gd.parse(text, syntax="student")
    err = parsed.value
    assert err.code == "notation_error"
    assert err.reason == answer.value.message.render("en")
    assert (err.line, err.column) == (answer.value.line, answer.value.column)
    assert err.params["reason"].render("ru") == answer.value.message.render("ru")


def test_an_error_on_a_later_line_counts_lines_and_the_assignment() -> None:
    with pytest.raises(gd.ParseError) as info:
        gd.parse("a = 2x\nb = sin(a", syntax="student")
    assert (info.value.line, info.value.column) == (2, 8)
    assert "never closed" in str(info.value)


def test_untrusted_text_stays_safe_and_bounded() -> None:
    with pytest.raises(gd.ParseError):
        gd.parse("__import__('os').system('ls')", syntax="student")
    with pytest.raises(gd.ParseError):
        gd.parse("(" * 10_000 + "x" + ")" * 10_000, syntax="student")
    with pytest.raises(gd.GraphdiffError, match="unknown syntax 'klingon'"):
        gd.parse("x", syntax="klingon")
