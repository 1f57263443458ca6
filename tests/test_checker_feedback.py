"""Feedback read off the graph: missing and extra paths, and the usual slips."""

from __future__ import annotations

import pytest

from graphdiff.checker import check, get_problem
from graphdiff.checker.feedback import pretty


def feedback(problem: str, part: str, answer: str, lang: str = "en") -> list[str]:
    verdict = get_problem(problem).part(part).grade(answer)
    assert verdict.verdict == "incorrect", verdict.explain()
    return [m.render(lang) for m in verdict.feedback]


EX1 = [
    ("2x + y", ["your answer misses the path x → c → e → f (factor 2c)"]),
    ("2x + 2(x + y)", ["your answer misses the path x → b → d → f (factor y)"]),
    ("y + 2c", ["your answer misses the path x → a → d → f (factor 2x)"]),
    ("2x", ["your answer misses the path x → b → d → f (factor y)",
            "your answer misses the path x → c → e → f (factor 2c)"]),
    ("2x + y + 4c", ["your answer counts the path x → c → e → f (factor 2c) twice"]),
    ("2x - y + 2c", ["the path x → b → d → f (factor y) has the wrong sign in your answer"]),
    ("2x + y + c", None),  # equals ∂f/∂y = 3x + 2y: said so below
    ("x + y + 2c", ["your answer has half of the path x → a → d → f: its factor is 2x"]),
    ("2x + y + 2c + x", ["your answer includes the path y → b → d → f (factor x), which "
                         "starts at y, not at x"]),
    ("x + 2(x + y)", ["this is the derivative with respect to y, not x"]),
    ("-(4x + 3y)", ["sign error: your answer is the negative of the correct one"]),
    ("8x + 6y", ["your answer is 2 times the correct one (a factor of 2)"]),
    ("2x + 1.5y", ["your answer is 1/2 times the correct one (a factor of 2)"]),
    ("3(4x + 3y)", ["your answer is the correct one times 3"]),
    ("4x + 3y + 1", ["your answer differs from the correct one by the constant 1"]),
    ("x^2 + xy + (x + y)^2", ["this is the function itself, not its derivative"]),
]


@pytest.mark.parametrize(("answer", "expected"), EX1)
def test_seed_004_ex1_paths_and_slips(answer, expected):
    got = feedback("seed004-ex1", "dfdx", answer)
    if expected is None:
        assert got == ["this is the derivative with respect to y, not x"]
    else:
        assert got == expected


def test_feedback_in_russian():
    assert feedback("seed004-ex1", "dfdx", "2x + y", "ru") == [
        "в вашем ответе не хватает пути x → c → e → f (множитель 2c)"]
    assert feedback("seed004-ex1", "dfdx", "-(4x + 3y)", "ru") == [
        "ошибка в знаке: ваш ответ равен правильному со знаком минус"]


def test_dropped_chain_rule_factor():
    # Seed 004 Ex2: forgetting σ'(h1) = o1(1 - o1) in ∂L/∂w1.
    got = feedback("seed004-ex2", "dLdw1", "(yhat - y) w3 o2(1 - o2) w2 x")
    assert got == ["a chain-rule factor is missing: ∂o1/∂h1 = o1*(1 - o1) on the edge "
                   "h1 → o1"]
    got = feedback("seed004-ex2", "dLdw3", "yhat - y")
    assert got[0].startswith("a chain-rule factor is missing: ∂yhat/∂w3 = o2")
    got = feedback("seed004-ex2", "dLdw1", "(yhat - y) w3 o2(1 - o2) w2 o1(1 - o1)")
    assert got == ["a chain-rule factor is missing: ∂h1/∂w1 = x on the edge w1 → h1"]


def test_the_sheets_sign_error_gets_the_hint():
    got = feedback("seed004-ex2", "dLdw3", "(y - yhat) o2")
    assert got == ["sign error: your answer is the negative of the correct one",
                   "For L = ½(y − ŷ)², ∂L/∂ŷ = ŷ − y, not y − ŷ."]
    got = feedback("seed004-ex2", "dLdw3", "(y - yhat) o2", "ru")
    assert got[1] == "Для L = ½(y − ŷ)² производная ∂L/∂ŷ = ŷ − y, а не y − ŷ."


def test_wrong_variable_in_seed_003():
    got = feedback("seed003-reverse", "dydx1", "x1 e^{x1 x2} + 3x2^2")
    assert got == ["this is the derivative with respect to x2, not x1"]


def test_numeric_answers_get_slips_too():
    assert feedback("seed004-ex1", "dfdx_at", "7") == [
        "this is the value of the derivative with respect to y, not x"]
    assert feedback("seed004-ex1", "dfdx_at", "-10") == [
        "sign error: your answer is the negative of the correct one"]
    assert feedback("seed004-ex1", "dfdx_at", "20") == [
        "your answer is 2 times the correct one (a factor of 2)"]
    assert feedback("seed004-ex1", "dfdx_at", "12") == [
        "this is the function itself, not its derivative"]


def test_path_lists():
    part = get_problem("seed004-ex1").part("paths_x")
    v = part.grade("x -> a -> d -> f; x -> b -> d -> f; y -> c -> e -> f")
    assert v.verdict == "incorrect"
    assert [m.render() for m in v.feedback] == [
        "the path y → c → e → f must start at x and end at f",
        "your answer misses the path x → c → e → f (factor 2c)",
    ]
    v = part.grade("x -> a -> f; x -> b -> d -> f; x -> c -> e -> f")
    assert [m.render() for m in v.feedback] == [
        "there is no edge a → f in the graph",
        "your answer misses the path x → a → d → f (factor 2x)",
    ]
    v = part.grade("x → c → e → f\nx → b → d → f\nx → a → d → f")
    assert v.verdict == "correct"
    v = part.grade("x -> a -> d -> f; x -> q -> f")
    assert v.verdict == "invalid" and v.reason.code == "unknown_node"


def test_correct_answers_get_no_feedback():
    report = check("seed004-ex1", {"dfdx": "4x + 3y", "dfdy": "x + 2c"})
    assert report.part("dfdx").verdict.feedback == ()
    assert report.part("dfdy").verdict.feedback == ()


def test_pretty_factors():
    import sympy

    assert pretty(sympy.sympify("2*c")) == "2c"
    assert pretty(sympy.sympify("2*x")) == "2x"
    assert pretty(sympy.sympify("x")) == "x"
    assert pretty(sympy.sympify("3*x**2")) == "3x**2"
    assert pretty(sympy.sympify("w2*x")) == "w2*x"


def test_feedback_figure_highlights_the_missing_path(tmp_path):
    from graphdiff.checker.feedback import feedback_edges, feedback_figure

    problem = get_problem("seed004-ex1")
    verdict = problem.part("dfdx").grade("2x + y")
    assert feedback_edges(verdict.feedback) == [("x", "c"), ("c", "e"), ("e", "f")]
    figure = feedback_figure(problem, "dfdx", verdict, lang="ru")
    assert "не хватает пути x → c → e → f" in figure.source
    assert feedback_figure(problem, "dfdx", problem.part("dfdx").grade("4x + 3y")) is None
    ex2 = get_problem("seed004-ex2")
    v = ex2.part("dLdw1").grade("(yhat - y) w3 o2(1 - o2) w2 x")
    assert feedback_edges(v.feedback) == [("h1", "o1")]
    assert feedback_figure(ex2, "dLdw1", v) is not None


def test_check_writes_figures(tmp_path, capsys):
    import shutil

    from graphdiff.cli.checker import main

    if shutil.which("dot") is None:
        pytest.skip(reason="Graphviz's dot program is not installed (needed for figures)")
    answers = tmp_path / "a.toml"
    answers.write_text('dfdx = "2x + y"\ndfdy = "3x + 2y"\n', encoding="utf-8")
    assert main(["check", "seed004-ex1", str(answers), "--figures", str(tmp_path / "fig")]) == 1
    files = sorted(p.name for p in (tmp_path / "fig").iterdir())
    assert files == ["seed004-ex1-dfdx.svg"]
    assert (tmp_path / "fig" / files[0]).read_text(encoding="utf-8").startswith("<?xml")
