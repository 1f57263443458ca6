"""No answer crashes the checker (issue 8, items 5 and 9): every input gets a verdict, or a
graphdiff error with a line and a column; nothing is printed on stderr; a crash in one
part costs that part only."""

from __future__ import annotations

import argparse
import json
import re
import string
import sys
import time

import pytest

import graphdiff as gd
from graphdiff.checker import check, compare, grade, load_problem
from graphdiff.checker.answers import core_message
from graphdiff.checker.problems import get_problem
from graphdiff.cli import checker as cli

PROBLEM = {
    "id": "q", "title": "numbers", "function": "x*y + exp(-x)",
    "parts": [
        {"id": "v", "kind": "value", "wrt": "x", "at": {"x": 1, "y": 2}},  # 1.632120559
        {"id": "zero", "kind": "value", "wrt": "y", "at": {"x": 0, "y": 2}},  # exactly 0
        {"id": "tiny", "kind": "value", "at": {"x": 700, "y": 0}},  # 9.859676544e-305
        {"id": "third", "kind": "number", "answer": "1/3"},
        {"id": "dx", "kind": "derivative", "wrt": "x"},
    ],
}
NUMBER_PARTS = ("v", "zero", "tiny", "third")


@pytest.fixture(scope="module")
def problem():
    return load_problem(PROBLEM)


# --- number and value answers ---------------------------------------------------------------

#: answer -> {part: (verdict, reason code)}; "*" for every number part.
NUMBER_CASES = {
    # issue 8's examples: ZeroDivisionError / OverflowError before
    "1e-400": {"*": ("invalid", "number_too_small")},
    "5e-324": {"*": ("incorrect", "number_differs")},
    "exp(-745)": {"*": ("incorrect", "number_differs")},
    "0e400": {"zero": ("correct", "number_equal"), "v": ("incorrect", "number_few_digits"),
              "tiny": ("incorrect", "number_few_digits"),
              "third": ("incorrect", "number_few_digits")},
    # variants
    "-0e999": {"zero": ("correct", "number_equal"), "v": ("incorrect", "number_few_digits"),
               "tiny": ("incorrect", "number_few_digits"),
               "third": ("incorrect", "number_few_digits")},
    "1e-5000": {"*": ("invalid", "number_too_small")},
    "-1e-5000": {"*": ("invalid", "number_too_small")},
    "1e309": {"*": ("invalid", "number_too_large")},
    "1" * 1500: {"*": ("invalid", "number_too_long")},
    "1" * 10_000: {"*": ("invalid", "too_long")},
    "1/0": {"*": ("invalid", "constant_domain")},
    "9.86e-305": {"tiny": ("correct", "number_equal"), "v": ("incorrect", "number_differs"),
                  "zero": ("incorrect", "number_differs"),
                  "third": ("incorrect", "number_differs")},
    "0." + "3" * 90: {"third": ("correct", "number_equal"),
                      "v": ("incorrect", "number_differs"),
                      "zero": ("incorrect", "number_differs"),
                      "tiny": ("incorrect", "number_differs")},
    "1.632": {"v": ("correct", "number_equal"), "zero": ("incorrect", "number_differs"),
              "tiny": ("incorrect", "number_differs"),
              "third": ("incorrect", "number_differs")},
}
#: Refusals that concern the whole answer, not a spot in it (the reader's length check).
WHOLE_ANSWER = {"too_long"}


@pytest.mark.parametrize("answer", list(NUMBER_CASES), ids=lambda a: a[:20])
def test_number_and_value_answers_get_a_verdict(problem, answer, capfd):
    for part_id in NUMBER_PARTS:
        expected = NUMBER_CASES[answer].get(part_id) or NUMBER_CASES[answer]["*"]
        verdict = problem.part(part_id).grade(answer)
        assert (verdict.verdict, verdict.reason.code) == expected, part_id
        if verdict.verdict == "invalid" and verdict.reason.code not in WHOLE_ANSWER:
            assert verdict.line == 1 and verdict.column is not None
        assert verdict.reason_text("ru")
        # A message quotes at most a bounded excerpt of the answer.
        assert len(verdict.reason_text()) < 300
    assert capfd.readouterr() == ("", "")


def test_zero_is_exactly_zero(problem):
    # Not within 1e-309 of it: a formula answer is exact or wrong.
    assert problem.part("zero").grade("exp(-745)").verdict == "incorrect"
    assert problem.part("zero").grade("0").verdict == "correct"
    assert problem.part("zero").grade("sin(0)*5").verdict == "correct"


def test_a_submission_of_crash_answers_keeps_its_right_parts(problem):
    report = check(problem, {"v": "1e-400", "zero": "0e400", "tiny": "9.86e-305",
                             "third": "exp(-745)", "dx": "y - exp(-x)"})
    verdicts = {p.part: p.verdict.verdict for p in report.parts}
    assert verdicts == {"v": "invalid", "zero": "correct", "tiny": "correct",
                        "third": "incorrect", "dx": "correct"}
    assert report.score == 3.0


def _run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="graphdiff")
    cli.add_checker_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def _write_problem(tmp_path):
    lines = ['id = "q"', 'title = "numbers"', 'function = "x*y + exp(-x)"']
    for part in PROBLEM["parts"]:
        lines.append("[[parts]]")
        for key, value in part.items():
            if isinstance(value, dict):
                value = "{" + ", ".join(f"{k} = {v}" for k, v in value.items()) + "}"
            else:
                value = json.dumps(value)
            lines.append(f"{key} = {value}")
    path = tmp_path / "q.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_check_command_reports_every_part_without_a_traceback(tmp_path, capfd, fmt):
    problem_file = _write_problem(tmp_path)
    answers = tmp_path / "ann.toml"
    answers.write_text('v = "1e-400"\nzero = "-0e999"\ntiny = "5e-324"\nthird = "0e400"\n'
                       'dx = "y - exp(-x)"\n', encoding="utf-8")
    assert _run_cli(["check", str(problem_file), str(answers), "--format", fmt]) == 1
    out, err = capfd.readouterr()
    assert err == "" and "Traceback" not in out
    if fmt == "json":
        parts = {p["part"]: p["verdict"] for p in json.loads(out)["parts"]}
        assert parts == {"v": "invalid", "zero": "correct", "tiny": "incorrect",
                         "third": "incorrect", "dx": "correct"}
    else:
        assert "part v (v): INVALID" in out and "part dx (dx): CORRECT" in out
        assert "line 1, column 1: the number 1e-400 is too close to zero" in out


def test_batch_grading_keeps_the_right_parts(tmp_path):
    problem_file = _write_problem(tmp_path)
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "ann.toml").write_text('v = "5e-324"\nzero = "0e400"\nthird = "1e-400"\n'
                                     'dx = "y - exp(-x)"\n', encoding="utf-8")
    book = tmp_path / "book.json"
    grade(str(problem_file), folder, book, jobs=1, fmt="json", progress=False)
    data = json.loads(book.read_text(encoding="utf-8"))
    row = data["rows"][0] if "rows" in data else data["submissions"][0]
    assert row["status"] == "graded"
    assert row["score"] == 2.0  # zero and dx


# --- parse errors: positions, no stderr, bounded quotes (item 9) -----------------------------

DEPTHS = [100, 1000, 10_000]


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("shape", ["brackets", "calls", "signs", "powers", "chain"])
@pytest.mark.parametrize("limits", ["default", "unlimited"])
def test_deep_nesting_is_refused_with_a_position(depth, shape, limits, capfd):
    text = {
        "brackets": "(" * depth + "x" + ")" * depth,
        "calls": "sin(" * depth + "x" + ")" * depth,
        "signs": "-" * depth + "x",
        "powers": "x" + "**x" * depth,
        "chain": "+".join(["x"] * depth),
    }[shape]
    options = {"limits": gd.Limits.unlimited_size()} if limits == "unlimited" else {}
    try:
        graph = gd.parse(text, **options)
    except gd.ParseError as err:
        assert err.line == 1 and err.column is not None, err.code
        assert err.code in {"too_deep", "too_complex", "too_long", "too_many_nodes"}
        assert "nested too deeply" not in str(err) or err.column == 1
        assert core_message(err).render("ru")
    else:  # within the limits (a chain is one level deep): a graph that evaluates
        assert limits == "unlimited" or depth <= 100 or shape == "chain"
        assert graph.evaluate(x=0.5) is not None
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("depth", [10, 100, 600])
def test_deep_answers_in_the_checker(depth):
    for text in ("(" * depth + "x" + ")" * depth, "-" * depth + "x", "sin(" * depth + "x" +
                 ")" * depth):
        v = compare("x", text)
        if len(text) > 2000:
            assert v.verdict == "invalid" and v.reason.code == "too_long"
        elif depth == 10 and text.startswith("("):
            assert v.verdict == "correct"
        else:
            assert v.verdict in ("invalid", "correct", "incorrect")
            if v.verdict == "invalid":
                assert (v.line, v.column) != (None, None)


ODD_TEXT = {
    "x + \ud800": "U+D800",            # a lone surrogate ('expected a shorter number' before)
    "x + \udfff1": "U+DFFF",
    "x\u200b+ 1": "U+200B",            # zero-width space
    "x + \u202e1": "U+202E",           # right-to-left override
    "\ufeffx + 1": "U+FEFF",           # byte-order mark
    "x\u2028+ 1": "U+2028",            # line separator
    "x + \x85": "U+0085",              # a C1 control character
    "x\u00a0+ 1": "U+00A0",            # no-break space
    "x + 😀": "😀",
    "x²": "²",
    "x + ١": "١",                      # an Arabic-Indic digit
}


@pytest.mark.parametrize("text", list(ODD_TEXT), ids=[ascii(t) for t in ODD_TEXT])
def test_odd_unicode_is_an_unexpected_character_with_a_position(text, capfd):
    with pytest.raises(gd.ParseError) as info:
        gd.parse(text)
    err = info.value
    assert err.code in ("unexpected_character", "control_character")
    assert err.params["char"] == ODD_TEXT[text]
    odd = next(k for k, ch in enumerate(text) if ch not in string.ascii_letters + " +1")
    assert (err.line, err.column) == (1, odd + 1)
    assert "shorter number" not in str(err)
    # The error can be printed on any terminal (no lone surrogate in it).
    str(err).encode("utf-8")
    assert capfd.readouterr() == ("", "")


def test_a_lone_surrogate_in_the_checker():
    v = compare("x", "x + \ud800")
    assert v.verdict == "invalid" and (v.line, v.column) == (1, 5)
    assert v.reason_text() == "line 1, column 5: unexpected character 'U+D800'"
    v.reason_text("ru").encode("utf-8")


@pytest.mark.parametrize("text", [
    "1 is 1", "2(x)", "'\\d'", "x + '\\q'", "1if x else 2", "0x1for x", "x(2)", "[1 2]",
    "1_000_000x", "0b102",
])
def test_python_warnings_are_not_printed(text, capfd):
    with pytest.raises(gd.ParseError) as info:
        gd.parse(text)
    assert info.value.line is not None
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("digits", [4301, 5000, 10_000])
def test_long_integers_do_not_leak_python_internals(digits):
    with pytest.raises(gd.LimitError) as info:
        gd.parse("x + " + "7" * digits, limits=gd.Limits(max_chars=20_000))
    err = info.value
    assert err.code == "number_too_long" and (err.line, err.column) == (1, 5)
    assert "sys." not in str(err) and "set_int_max_str_digits" not in str(err)
    assert err.params == {"digits": digits, "limit": 1000}


@pytest.mark.parametrize("text", [
    "sqrt(-" + "9" * 400 + ")",
    "log(-" + "1" * 400 + ") + x",
    "x/(" + "3" * 400 + " - " + "3" * 400 + ")",
    "exp(" + "7" * 400 + ")",
])
def test_messages_quote_a_bounded_excerpt(text):
    with pytest.raises(gd.ParseError) as info:
        gd.parse(text)
    err = info.value
    first_line = str(err).splitlines()[0]
    assert len(first_line) < 200, first_line
    assert all(len(str(v)) <= 120 for v in err.params.values())


def test_checker_number_messages_quote_a_bounded_excerpt(problem):
    v = problem.part("v").grade("1." + "2" * 95)
    assert v.verdict == "incorrect"
    assert len(v.reason.params["got"]) <= 40


# --- generated node names (StopIteration before) -------------------------------------------


@pytest.mark.parametrize("text", [
    "w1+v1+u1+t1+s1+r1+q1+p1+k1",
    "+".join(f"{c}1" for c in string.ascii_lowercase),
    "+".join(f"{c}{k}" for c in string.ascii_lowercase for k in range(1, 4)),
    "*".join(f"{c}{k}" for c in "wvutsrqpkz" for k in (1, 40)),
    "\n".join(f"{c}1 = x*{c}9" for c in string.ascii_lowercase if c != "x") + "\nz1 + y1*2",
    "w1 + w1_1 + w2*w3",
])
def test_generated_names_never_run_out(text):
    g = gd.parse(text)
    names = [g.name(i) for i in g.order]
    assert len(set(names)) == len(names)
    assert all(n.isidentifier() for n in names)
    # The user's names are kept; the generated ones avoid them.
    user = set(re.findall(r"[a-z]\w*", text))
    assert set(g.inputs) <= user
    assert g.evaluate(**dict.fromkeys(g.inputs, 1.0)) is not None


def test_generated_names_take_the_first_free_prefix():
    g = gd.parse("w1+v1+u1+t1+s1+r1+q1+p1+k1")
    generated = [g.name(i) for i in g.order if g.kind(i) == "op"]
    assert generated == [f"z{i}" for i in range(10, 18)]
    g = gd.parse("+".join(f"{c}1" for c in string.ascii_lowercase))
    assert g.name(g.output_ids[0]) == "w51"


def test_parse_error_output_is_ascii_safe_on_a_narrow_terminal():
    # The error text can be written even where stdout is not UTF-8.
    with pytest.raises(gd.ParseError) as info:
        gd.parse("x + \ud800")
    str(info.value).encode(sys.stdout.encoding or "utf-8", "replace")


@pytest.mark.parametrize("copies", [1_000, 30_000, 400_000])
def test_a_huge_list_of_paths_is_graded_in_linear_time(copies: int) -> None:
    part = get_problem("seed004-ex1").part("paths_x")
    answer = "; ".join(["x -> a -> d -> f", "x -> b -> d -> f", "x -> c -> e -> f"] * copies)
    start = time.perf_counter()
    verdict = part.grade(answer)
    assert time.perf_counter() - start < 2.0
    assert verdict.verdict in ("correct", "invalid")
    assert len(verdict.warnings) <= 20
