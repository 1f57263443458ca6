"""Reading student answers: the syntax, how it was read, warnings, and refusals."""

from __future__ import annotations

import pytest

import graphdiff as gd
from graphdiff.checker import AnswerError, read_answer
from graphdiff.checker.answers import MAX_CHARS

XY = ["x", "y"]

READINGS = [
    # (answer, names, expected text)
    ("2x + y + 2(x+y)", XY, "2*x + y + 2*(x + y)"),
    ("2x", XY, "2*x"),
    ("2(x+y)", XY, "2*(x + y)"),
    ("x y", XY, "x*y"),
    ("2 sin(x)", XY, "2*sin(x)"),
    ("(x+1)(x-1)", XY, "(x + 1)*(x - 1)"),
    ("x^2", XY, "x^2"),
    ("x**2", XY, "x^2"),
    ("x²y³", XY, "x^2*y^3"),
    ("2^3^2", XY, "2^3^2"),
    ("-x^2", XY, "-x^2"),
    ("x^-1", XY, "x^(-1)"),
    ("(x^2)^3", XY, "(x^2)^3"),
    ("x - (y - 1)", XY, "x - (y - 1)"),
    ("x/(2y)", XY, "x/(2*y)"),
    ("ln x", XY, "log(x)"),
    ("ln(x) + log(y)", XY, "log(x) + log(y)"),
    ("lg x", XY, "log(x)/log(10)"),
    ("e^x", XY, "exp(x)"),
    ("e^{-x}", XY, "exp(-x)"),
    ("e", XY, "exp(1)"),
    ("exp(x)", XY, "exp(x)"),
    ("σ(x)", XY, "sigmoid(x)"),
    ("sigmoid(x)", XY, "sigmoid(x)"),
    ("sigma(x)", XY, "sigmoid(x)"),
    ("th(x)", XY, "tanh(x)"),
    ("tanh x", XY, "tanh(x)"),
    ("tg x", XY, "tan(x)"),
    ("ctg x", XY, "cot(x)"),
    ("sh x", XY, "sinh(x)"),
    ("sin^2 x", XY, "sin(x)^2"),
    ("σ'(x)", XY, "sigmoid(x)*(1 - sigmoid(x))"),
    ("tanh'(x)", XY, "1 - tanh(x)^2"),
    ("|x - y|", XY, "abs(x - y)"),
    ("√x", XY, "sqrt(x)"),
    ("π x", XY, "pi*x"),
    ("pi x", XY, "pi*x"),
    ("x·y", XY, "x*y"),
    ("x × y", XY, "x*y"),
    ("x − y", XY, "x - y"),
    ("x ÷ y", XY, "x/y"),
    (".5x", XY, "0.5*x"),
    ("2.x", XY, "2.0*x"),
    ("max(x, 0)", XY, "max(x, 0)"),
    ("relu(x)", XY, "relu(x)"),
    ("df/dx = 4x + 3y", XY, "4*x + 3*y"),
    ("$4x+3y$", XY, "4*x + 3*y"),
    ("\\(4x+3y\\)", XY, "4*x + 3*y"),
    ("4x + 3y.", XY, "4*x + 3*y"),
    # LaTeX
    ("\\frac{x}{y}", XY, "x/y"),
    ("\\frac12 x", XY, "1/2*x"),
    ("\\frac{1}{1+e^{-x}}", XY, "1/(1 + exp(-x))"),
    ("\\sigma(x)(1-\\sigma(x))", XY, "sigmoid(x)*(1 - sigmoid(x))"),
    ("\\sigma(x)\\left(1-\\sigma(x)\\right)", XY, "sigmoid(x)*(1 - sigmoid(x))"),
    ("x \\cdot y", XY, "x*y"),
    ("x \\times y", XY, "x*y"),
    ("\\sqrt{x}", XY, "sqrt(x)"),
    ("\\sqrt[3]{x}", XY, "cbrt(x)"),
    ("\\ln x", XY, "log(x)"),
    ("\\exp(x)", XY, "exp(x)"),
    ("\\operatorname{th}(x)", XY, "tanh(x)"),
    ("\\mathrm{e}^{x}", XY, "exp(x)"),
    ("\\left|x\\right|", XY, "abs(x)"),
    ("\\left[x + y\\right]^2", XY, "(x + y)^2"),
    ("x\\,y", XY, "x*y"),
    ("\\pi", XY, "pi"),
    ("\\log_2 x", XY, "log(x)/log(2)"),
    ("\\frac{\\partial f}{\\partial x} = 4x + 3y", XY, "4*x + 3*y"),
    # names
    ("x_1 x_2", ["x1", "x2"], "x1*x2"),
    ("x_{1}", ["x1"], "x1"),
    ("w_2", ["w_2"], "w_2"),
    ("(ŷ - y) o2", ["y", "yhat", "o2"], "(yhat - y)*o2"),
    ("(\\hat{y} - y) o_2", ["y", "yhat", "o2"], "(yhat - y)*o2"),
    ("\\alpha x", ["alpha", "x"], "alpha*x"),
    ("α x", ["alpha", "x"], "alpha*x"),
    ("e^x", ["e", "x"], "e^x"),  # e is a variable here, not Euler's number
    ("2e", ["e"], "2*e"),
]


@pytest.mark.parametrize(("answer", "names", "expected"), READINGS,
                         ids=[r[0][:30] for r in READINGS])
def test_reading(answer, names, expected):
    reading = read_answer(answer, names=names)
    assert reading.expression == expected
    reading.graph()  # and the core parser accepts the text


def test_readings_mean_the_same_function_as_the_core_parse():
    reading = read_answer("2x + y + 2(x+y)", names=XY)
    assert reading.graph().to_sympy() == gd.parse("2*x + y + 2*(x+y)").to_sympy()


WARNINGS = [
    ("e^x(x+1)", "power_juxtaposition", "exp(x)*(x+1)"),
    ("e^2x", "power_juxtaposition", "exp(2)*x"),
    ("x^2(x+1)", "power_juxtaposition", "x^2*(x+1)"),
    ("1/2x", "implicit_division", "(1/2)*x"),
    ("x/2y", "implicit_division", "(x/2)*y"),
    ("sin x^2", "function_without_parentheses", "sin(x^2)"),
    ("sin 2x", "function_without_parentheses", "sin(2*x)"),
    ("xy", "split_name", "x*y"),
    ("0,5x", "decimal_comma", "0.5"),
    ("2e-3x", "scientific_number", "2e-3"),
]


@pytest.mark.parametrize(("answer", "code", "reading"), WARNINGS)
def test_ambiguous_input_is_read_with_a_warning(answer, code, reading):
    r = read_answer(answer, names=XY)
    codes = [w.code for w in r.warnings]
    assert code in codes
    warning = r.warnings[codes.index(code)]
    assert reading in warning.render("en")
    assert warning.render("ru") != warning.render("en")


def test_unambiguous_input_has_no_warning():
    for answer in ["2x + y + 2(x+y)", "σ(x)(1-σ(x))", "e^{x}(x+1)", "sin(x)^2", "x y",
                   "\\frac{1}{2x}", "1/(2x)", "2 sin(x) cos(x)"]:
        assert read_answer(answer, names=XY).warnings == (), answer


def test_notes_say_what_was_done():
    r = read_answer("df/dx = σ'(x)", names=XY)
    assert [n.code for n in r.notes] == ["read_after_equals", "derivative_notation"]
    assert read_answer("e", names=XY).notes[0].code == "euler_number"
    assert read_answer("хy", names=XY).notes[0].code == "cyrillic_letter"


def test_short_russian_names_are_products_unless_called():
    # th with variables t and h: the product, unless written as a call th(x).
    assert read_answer("th", names=["t", "h"]).expression == "t*h"
    r = read_answer("th(x)", names=["t", "h", "x"])
    assert r.expression == "tanh(x)" and r.warnings[0].code == "function_word"


def test_function_aliases_of_a_problem():
    r = read_answer("f(h2) f'(h1)", names=["h1", "h2"], functions={"f": "sigmoid"})
    assert r.expression == "sigmoid(h2)*sigmoid(h1)*(1 - sigmoid(h1))"


def test_without_names_every_word_is_a_variable():
    assert read_answer("2 xy + z").expression == "2*xy + z"
    assert read_answer("2 xy + z").names == ("xy", "z")


ERRORS = [
    # (answer, code, column)
    ("2x +", "expected_operand", 5),
    ("2x +* y", "expected_operand", 5),
    ("sin(x", "expected_closing", 4),
    ("x)", "unmatched_closing", 2),
    ("(x + y]", "expected_closing", 1),
    ("foo(x)", "unknown_function", 1),
    ("z + x", "unknown_name", 1),
    ("x + Y", "unknown_name", 5),
    ("x!", "factorial", 2),
    ("2 3", "unexpected_token", 3),
    ("x = ", "empty_answer", None),
    ("", "empty_answer", 1),
    ("x ; y", "unexpected_character", 3),
    ("x & y", "unexpected_character", 3),
    ("x__y", "unexpected_character", 2),
    ("∂f/∂x", "derivative_symbol", 1),
    ("floor(x)", "unsupported_function", 1),
    ("sin^{-1}(x)", "inverse_function", 1),
    ("max(x)", "wrong_arity", 1),
    ("\\foo{x}", "latex_unknown", 1),
    ("\\input{x}", "latex_refused", 1),
    ("x + \\def\\a{1}", "latex_refused", 5),
    ("\\int x", "latex_unsupported", 1),
    ("\\frac{x}", "expected_group", None),
    ("exp(exp(exp(100)))", "constant_too_large", 5),
    ("9^9^9^9", "constant_too_large", 3),
    ("1" * 150, "number_too_long", 1),
    ("(" * 41 + "x" + ")" * 41, "too_deep", 41),
    ("x\x00", "control_character", 2),
]


@pytest.mark.parametrize(("answer", "code", "column"), ERRORS,
                         ids=[e[0][:20] for e in ERRORS])
def test_unreadable_answers_say_why_and_where(answer, code, column):
    with pytest.raises(AnswerError) as info:
        read_answer(answer, names=XY).graph()
    err = info.value
    if code is not None:
        assert err.message.code == code
    if column is not None:
        assert (err.line, err.column) == (1, column)
        assert err.excerpt.splitlines()[1].index("^") - 2 == column - 1
    assert err.message.render("ru")


def test_core_limits_map_back_to_the_answer():
    with pytest.raises(AnswerError) as info:
        read_answer("x + x^1000", names=XY).graph()
    err = info.value
    assert err.message.code == "exponent_too_large"
    assert err.message.params["limit"] == "100"
    assert err.column == 7  # the exponent, in the answer as typed
    with pytest.raises(AnswerError) as info:
        read_answer("2x + log(0)", names=XY).graph()
    assert info.value.message.code == "constant_domain"


def test_too_long_is_refused_before_reading():
    with pytest.raises(AnswerError) as info:
        read_answer("x" * (MAX_CHARS + 1), names=XY)
    assert info.value.message.code == "too_long"


def test_not_text():
    with pytest.raises(AnswerError) as info:
        read_answer(42, names=XY)  # type: ignore[arg-type]
    assert info.value.message.code == "not_text"


def test_reading_positions_survive_brackets_and_latex():
    r = read_answer("\\frac{1}{2} x^1000", names=XY)
    with pytest.raises(AnswerError) as info:
        r.graph()
    assert info.value.column == 15
