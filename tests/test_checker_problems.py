"""Problem files, answers files, reports, tolerances and the bank's self-test."""

from __future__ import annotations

import json

import pytest

from graphdiff.checker import (
    ProblemError,
    Tolerance,
    bank,
    check,
    get_problem,
    load_problem,
    load_problems,
    self_test,
)

BANK_IDS = ["seed000-central", "seed002-delta", "seed002-reverse", "seed002-tanh",
            "seed003-forward", "seed003-reverse", "seed004-ex1", "seed004-ex2", "seed004-ex3",
            "seed004-ex3-matrix", "seed004-ex4", "seed004-ex5", "seed004-ex7",
            "seed004-ex7-logloss"]


# --- the bank -----------------------------------------------------------------------------


def test_bank_has_the_seed_problems():
    assert sorted(bank()) == BANK_IDS


@pytest.mark.parametrize("problem_id", BANK_IDS)
def test_bank_self_test(problem_id):
    """Every reference (and accepted form) is accepted, every listed mistake rejected."""
    problem = bank()[problem_id]
    results = self_test(problem)
    failures = [r.describe() for r in results if not r.ok]
    assert failures == []
    expected = {r.expected for r in results}
    assert expected == {"correct", "incorrect"}
    # Each part has at least one listed mistake.
    for part in problem.parts:
        assert part.mistakes, part.id


def test_bank_covers_the_asked_exercises():
    ex1 = bank()["seed004-ex1"]
    assert {p.kind for p in ex1.parts} == {"derivative", "paths", "value"}
    ex2 = bank()["seed004-ex2"]
    assert [p.wrt for p in ex2.parts if p.kind == "derivative"] == [("w3",), ("w2",), ("w1",)]
    assert "wrong sign" in ex2.note["en"] or "sign error" in ex2.note["en"]
    assert bank()["seed004-ex3"].parts[0].reference_text() == "σ(z)(1 - σ(z))"
    kinds = {p.kind for problem in bank().values() for p in problem.parts}
    assert kinds == {"derivative", "value", "paths", "expression", "order", "tangent",
                     "adjoint", "matrix", "matrix_formula"}


def test_seed_values_match_the_sheets():
    assert float(bank()["seed004-ex1"].part("dfdx_at").expected_value()) == 10.0
    assert float(bank()["seed004-ex1"].part("dfdy_at").expected_value()) == 7.0
    assert float(bank()["seed003-reverse"].part("grad_at").expected_value()) == 3.0
    assert float(bank()["seed002-reverse"].part("Dw1_at").expected_value()) == 3.0
    assert float(bank()["seed004-ex2"].part("dLdw3_zero").expected_value()) == -0.5
    assert float(bank()["seed004-ex3"].part("dsdz_at_0").expected_value()) == 0.25


# --- check() and reports ---------------------------------------------------------------------


def test_check_by_part_id_and_by_ask_text(tmp_path):
    answers = tmp_path / "masha.toml"
    answers.write_text('student = "Masha"\n"df/dx" = "2x + y + 2(x + y)"\n'
                       'dfdy = "x + 2c"\n"∂f/∂x at x = 1, y = 2" = "10"\n', encoding="utf-8")
    report = check("seed004-ex1", answers)
    assert report.part("dfdx").verdict.verdict == "correct"
    assert report.part("dfdy").verdict.verdict == "correct"
    assert report.part("dfdx_at").verdict.verdict == "correct"
    assert report.part("paths_x").verdict.verdict == "missing"
    assert report.score == 5 and report.max_score == 8
    assert not report.passed and report.exit_code == 1


def test_all_correct_passes():
    answers = {"dsdz": "σ(z)(1-σ(z))", "dsdz_at_0": "1/4"}
    report = check("seed004-ex3", answers)
    assert report.passed and report.exit_code == 0
    assert report.score == report.max_score == 2


def test_answers_for_several_problems_in_one_file(tmp_path):
    answers = tmp_path / "a.toml"
    answers.write_text('[seed004-ex3]\ndsdz = "σ(z)(1-σ(z))"\n[seed002-tanh]\n'
                       'dtanh = "1 - th^2 x"\n', encoding="utf-8")
    assert check("seed004-ex3", answers).part("dsdz").verdict.correct
    assert check("seed002-tanh", answers).part("dtanh").verdict.correct


def test_unknown_answer_keys_are_noted():
    report = check("seed004-ex3", {"dsdz": "σ(z)(1-σ(z))", "dsdzz": "1"})
    assert [n.code for n in report.notes] == ["report_unknown_key"]


def test_text_report_in_both_languages():
    report = check("seed004-ex1", {"dfdx": "2x + y", "dfdy": "x + 2(x+y)"})
    text = report.text("en")
    assert "part dfdx (df/dx): INCORRECT" in text
    assert "your answer misses the path x → c → e → f (factor 2c)" in text
    assert "total: 2 of 8 points; 1 of 6 parts correct" in text
    ru = report.text("ru")
    assert "Задача seed004-ex1: Производная как сумма по путям" in ru
    assert "в вашем ответе не хватает пути x → c → e → f (множитель 2c)" in ru
    assert "итого: 2 из 8 баллов" in ru


def test_json_report_schema():
    report = check("seed004-ex1", {"dfdx": "2x + y", "dfdy": "sin(", "paths_x": "x->a->d->f"})
    data = json.loads(json.dumps(report.to_dict("ru")))
    assert set(data) == {"problem", "title", "parts", "notes", "score", "max_score", "passed"}
    part = data["parts"][0]
    assert set(part) >= {"part", "ask", "answer", "points", "max_points", "verdict", "reason",
                         "read_as", "warnings", "notes", "feedback", "method", "position"}
    assert part["feedback"][0]["code"] == "missing_path"
    assert part["feedback"][0]["params"] == {"path": "x → c → e → f", "factor": "2c",
                                             "nodes": ["x", "c", "e", "f"]}
    invalid = data["parts"][1]
    assert invalid["verdict"] == "invalid"
    assert invalid["position"] == {"line": 1, "column": 5}
    assert invalid["reason"]["text"].startswith("строка 1, столбец 5")


# --- problem files ---------------------------------------------------------------------------

MINIMAL = '''
id = "p1"
title = "t"
function = "x*y"
[[parts]]
id = "dx"
wrt = "x"
'''


def test_minimal_problem():
    p = load_problem(MINIMAL)
    assert p.parts[0].kind == "derivative" and p.parts[0].ask == "dx"
    assert p.parts[0].grade("y").verdict == "correct"


@pytest.mark.parametrize(("text", "message"), [
    ("id = 'p'\ntitle = 't'\nfunction = 'x'\n", "needs [[parts]]"),
    ("title = 't'\nfunction = 'x'\n[[parts]]\nid = 'a'\nwrt = 'x'\n", "'id' is required"),
    (MINIMAL.replace('wrt = "x"', 'wrt = "z"'), "'z' is not an input of the function"),
    (MINIMAL.replace('wrt = "x"', 'wrt = "x"\nkind = "integral"'), "is not one of"),
    (MINIMAL.replace('wrt = "x"', 'wrt = "x"\nwtr = "x"'), "unknown key 'wtr'"),
    (MINIMAL.replace('title = "t"', 'title = "t"\ncolour = 1'), "unknown key 'colour'"),
    (MINIMAL.replace('"x*y"', '"x*"'), "function: line 1"),
    (MINIMAL.replace('id = "p1"', 'id = "a b"'), "must be letters"),
    (MINIMAL + '[[parts]]\nid = "dx"\nwrt = "y"\n', "used twice"),
    (MINIMAL.replace('wrt = "x"', 'kind = "value"\nwrt = "x"'), "needs the point"),
    (MINIMAL.replace('wrt = "x"', 'kind = "expression"'), "needs the answer"),
    (MINIMAL.replace('wrt = "x"', 'kind = "order"\nanswer = "two"'), "must be an integer"),
    (MINIMAL.replace('wrt = "x"', 'kind = "tangent"\nwrt = "x"'), "needs node"),
    (MINIMAL.replace('wrt = "x"', 'wrt = "x"\nof = "q"'), "no node 'q'"),
    (MINIMAL.replace('wrt = "x"', 'wrt = "x"\ntolerance = {relative = 1}'), "unknown key"),
    (MINIMAL.replace('function', 'domain = {x = "big"}\nfunction'), "not one of real"),
    (MINIMAL.replace('function', 'names = {c = "x +"}\nfunction'), "names.c"),
    (MINIMAL.replace('function', 'names = {sin = "x"}\nfunction'), "cannot be a name"),
    (MINIMAL.replace('function', 'variables = ["x"]\nfunction'), "also uses y"),
    (MINIMAL.replace('function', 'functions = {f = "gamma"}\nfunction'), "functions"),
    ("id = [", "not valid TOML"),
])
def test_problem_validation(text, message):
    with pytest.raises(ProblemError) as info:
        load_problem(text)
    assert message in str(info.value)


def test_problem_file_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL.replace('wrt = "x"', 'wrt = "z"'), encoding="utf-8")
    with pytest.raises(ProblemError) as info:
        load_problem(path)
    assert str(path) in str(info.value) and "parts[0].wrt" in str(info.value)
    with pytest.raises(ProblemError):
        load_problem(tmp_path / "missing.toml")


def test_problem_sets_and_folders(tmp_path):
    (tmp_path / "a.toml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "b.toml").write_text(
        '[[problem]]\nid = "q1"\ntitle = "t"\nfunction = "x^2"\n[[problem.parts]]\nid = "d"\n'
        'wrt = "x"\n[[problem]]\nid = "q2"\ntitle = "t"\nfunction = "y^3"\n'
        '[[problem.parts]]\nid = "d"\nwrt = "y"\n', encoding="utf-8")
    assert [p.id for p in load_problems(tmp_path)] == ["p1", "q1", "q2"]
    assert [p.id for p in load_problems("seed004-ex1,seed004-ex3")] == ["seed004-ex1",
                                                                          "seed004-ex3"]
    assert len(load_problems("bank")) == len(BANK_IDS)


def test_self_test_reports_a_bad_mistake_list():
    p = load_problem(MINIMAL.replace('wrt = "x"', 'wrt = "x"\nmistakes = ["y", "x"]'))
    results = p.self_test()
    assert [r.ok for r in results] == [True, False, True]
    assert "FAIL" in results[1].describe()


def test_every_part_kind():
    p = load_problem('''
id = "kinds"
title = "every kind"
function = "exp(x1*x2) + x2^3"
names = { w1 = "x1", w2 = "x2" }
allow_nodes = true
domain = { x1 = "real" }
[[parts]]
id = "d2"
kind = "derivative"
wrt = ["x2", "x2"]
answer = "x1^2 e^{x1 x2} + 6 x2"
[[parts]]
id = "v"
kind = "value"
at = { x1 = 0, x2 = "1/2" }
answer = "1.125"
[[parts]]
id = "t"
kind = "tangent"
node = "w5"
wrt = "x1"
answer = "x2 e^{w3}"
[[parts]]
id = "a"
kind = "adjoint"
node = "w3"
answer = "w5"
[[parts]]
id = "e"
kind = "expression"
answer = "x1 + x2"
[[parts]]
id = "n"
kind = "number"
answer = "1/3"
tolerance = { sig = 3 }
[[parts]]
id = "o"
kind = "order"
answer = 2
[[parts]]
id = "p"
kind = "paths"
wrt = "x2"
''')
    assert all(r.ok for r in p.self_test()), [r.describe() for r in p.self_test() if not r.ok]
    grades = {part.id: part.grade(answer).verdict for part, answer in zip(p.parts, [
        "x1^2 exp(w3) + 6w2", "9/8", "w2 w5", "exp(x1 x2)", "x2 + x1", "0.333", "O(h²)",
        "x2 -> w3 -> w5 -> w6; x2 -> w4 -> w6"], strict=True)}
    assert set(grades.values()) == {"correct"}, grades
    assert p.part("n").grade("0.33").verdict == "incorrect"
    assert p.part("v").grade("1.13").verdict == "correct"  # 1.125 rounded
    assert p.part("v").grade("1.12").verdict == "correct"  # 1.125 truncated
    assert p.part("v").grade("1.14").verdict == "incorrect"


# --- tolerances ------------------------------------------------------------------------------


@pytest.mark.parametrize(("tolerance", "expected", "text", "ok"), [
    (Tolerance(), 0.7310585786, "0.7311", True),
    (Tolerance(), 0.7310585786, "0.7310", True),      # truncated
    (Tolerance(), 0.7310585786, "0.731", True),
    (Tolerance(), 0.7310585786, "0.732", False),      # neither rounded nor truncated
    (Tolerance(), -0.7310585786, "-0.7310", True),
    (Tolerance(), 0.25, "0.2501", False),
    (Tolerance(), 123456.7, "1.23456e5", True),
    (Tolerance(), 1.125, "1.13", True),
    (Tolerance(), 1.125, "1.12", True),
    (Tolerance(), 0.7310585786, "0.733", False),
    (Tolerance(), 0.7310585786, "0.73", False),       # too few digits
    (Tolerance(), 0.25, "0.25", True),                # exact, even with 2 digits
    (Tolerance(), 10.0, "10", True),
    (Tolerance(), 10.0, "7", False),
    (Tolerance(rel=1e-3), 1000.0, "1000.9", True),
    (Tolerance(rel=1e-3), 1000.0, "1001.1", False),
    (Tolerance(abs=0.05), 0.2, "0.24", True),
    (Tolerance(abs=0.05), 0.2, "0.26", False),
    (Tolerance(sig=2), 3.7037, "3.7", True),
    (Tolerance(sig=2), 3.7037, "3.8", False),
    (Tolerance(sig=2), 0.7310585786, "0.73", True),
])
def test_tolerances(tolerance, expected, text, ok):
    assert tolerance.check(expected, text)[0] is ok


def test_number_answers_as_formulas_must_be_exact():
    part = get_problem("seed004-ex3").part("dsdz_at_0")
    assert part.grade("1/4").verdict == "correct"
    assert part.grade("e^0/4").verdict == "correct"
    assert part.grade("0.2501").verdict == "incorrect"
    assert part.grade("1/4 + 10^(-6)").verdict == "incorrect"
    assert part.grade("0,25").verdict == "correct"
    assert part.grade("x").verdict == "invalid"


def test_order_answers():
    part = get_problem("seed000-central").part("order_central")
    for answer in ["2", "O(h^2)", "O(h²)", "h^2", "\\mathcal{O}(h^2)", "O(h**2)"]:
        assert part.grade(answer).verdict == "correct", answer
    for answer in ["1", "O(h)", "O(h^3)"]:
        assert part.grade(answer).verdict == "incorrect", answer
    assert part.grade("quadratic").verdict == "invalid"


def test_describe_shows_the_problem():
    text = get_problem("seed004-ex2").describe()
    assert "yhat = o2*w3" in text and "answer: (yhat - y)*o2" in text
    assert "(y − ŷ)" in text  # the note on the sheet's typo
    assert "Найдите" in get_problem("seed004-ex2").describe("ru")


# --- functions with kinks; printing references ----------------------------------------------


@pytest.mark.parametrize(("function", "wrt", "answer", "mistake"), [
    ("relu(x*w)", "w", "x*step(x*w)", "x"),
    ("leaky_relu(x*w, 0.1)", "w", "x*(0.1 + 0.9*step(x*w))", "x*step(x*w)"),
    ("max(x, y)^2", "x", "2 max(x, y) step(x - y)", "2 max(x, y)"),
    ("abs(x)*y", "x", "sign(x) y", "y"),
])
def test_problems_with_kinks(function, wrt, answer, mistake):
    p = load_problem(f'id = "k"\ntitle = "t"\nfunction = "{function}"\n[[parts]]\nid = "d"\n'
                     f'wrt = "{wrt}"\nanswer = "{answer}"\nmistakes = ["{mistake}"]\n')
    results = p.self_test()
    assert [r.ok for r in results] == [True, True, True], [r.describe() for r in results]


def test_graph_text_reads_back_as_the_same_function():
    import graphdiff as gd
    from graphdiff.checker import compare
    from graphdiff.checker.answers import graph_text

    for text in ["x^2 + 2*x*y", "-(x + y)^3", "x/(y*(x + 1))", "2^x^2", "(x^2)^y",
                 "x - (y - x)", "sigmoid(x)*(1 - sigmoid(x))", "leaky_relu(x, 1/5) + exp(1)",
                 "max(x, -y)*step(x)", "-x^2/3", "x*(-2)"]:
        g = gd.parse(text)
        assert compare(text, graph_text(g), variables=["x", "y"]).verdict == "correct", text
