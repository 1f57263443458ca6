"""The checker's commands, through add_checker_parsers on a fresh argparse parser."""

from __future__ import annotations

import argparse
import csv
import json

import pytest

from graphdiff.cli import checker as cli
from graphdiff.errors import GraphdiffError


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="graphdiff")
    cli.add_checker_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture
def answers(tmp_path):
    path = tmp_path / "masha.toml"
    path.write_text('student = "Masha"\n"df/dx" = "2x + y"\ndfdy = "x + 2(x+y)"\n',
                    encoding="utf-8")
    return path


def test_check_text_report_and_exit_code(answers, capsys):
    assert run(["check", "seed004-ex1", str(answers)]) == 1
    out = capsys.readouterr().out
    assert "part dfdx (df/dx): INCORRECT" in out
    assert "feedback: your answer misses the path x → c → e → f (factor 2c)" in out
    assert "part dfdy (df/dy): CORRECT" in out


def test_check_in_russian(answers, capsys):
    run(["check", "seed004-ex1", str(answers), "--lang", "ru"])
    out = capsys.readouterr().out
    assert "подсказка: в вашем ответе не хватает пути x → c → e → f (множитель 2c)" in out


def test_check_json(answers, capsys):
    assert run(["check", "seed004-ex1", str(answers), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["problem"] == "seed004-ex1" and data["passed"] is False
    assert data["parts"][0]["feedback"][0]["code"] == "missing_path"


def test_check_all_correct_exits_0(tmp_path, capsys):
    path = tmp_path / "a.toml"
    path.write_text('dsdz = "σ(z)(1 - σ(z))"\ndsdz_at_0 = "0.25"\n', encoding="utf-8")
    assert run(["check", "seed004-ex3", str(path)]) == 0
    assert "total: 2 of 2 points; 2 of 2 parts correct" in capsys.readouterr().out


def test_check_with_a_problem_file(tmp_path, capsys):
    problem = tmp_path / "p.toml"
    problem.write_text('id = "mine"\ntitle = "Mine"\nfunction = "x^3"\n[[parts]]\nid = "d"\n'
                       'ask = "f\'(x)"\nwrt = "x"\n', encoding="utf-8")
    path = tmp_path / "a.toml"
    path.write_text("\"f'(x)\" = \"3x^2\"\n", encoding="utf-8")
    assert run(["check", str(problem), str(path)]) == 0


def test_errors_exit_2_with_a_message(tmp_path, capsys):
    problem = tmp_path / "p.toml"
    problem.write_text('id = "bad"\ntitle = "t"\nfunction = "x"\n[[parts]]\nid = "d"\n'
                       'wrt = "q"\n', encoding="utf-8")
    answers = tmp_path / "a.toml"
    answers.write_text('d = "1"\n', encoding="utf-8")
    with pytest.raises(GraphdiffError):
        run(["check", str(problem), str(answers)])
    assert cli.main(["check", str(problem), str(answers)]) == 2
    err = capsys.readouterr().err
    assert "graphdiff: error:" in err and "'q' is not an input" in err
    assert cli.main(["check", "seed004-ex1", str(tmp_path / "missing.toml")]) == 2


def test_grade_command(tmp_path, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.toml").write_text('dsdz = "σ(z)(1 - σ(z))"\n', encoding="utf-8")
    (subs / "b.toml").write_text("not toml [[[\n", encoding="utf-8")
    book = tmp_path / "book.csv"
    assert run(["grade", "seed004-ex3", str(subs), "-o", str(book), "--jobs", "2",
                "--no-progress"]) == 0
    assert "graded 2, reused 0, file errors 1" in capsys.readouterr().out
    with open(book, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["file"], r["status"]) for r in rows] == [("a.toml", "graded"),
                                                        ("b.toml", "error")]
    assert run(["grade", "seed004-ex3", str(subs), "-o", str(book), "--no-progress",
                "--lang", "ru"]) == 0
    assert "взято из прежней ведомости 1" in capsys.readouterr().out


def test_problems_list_show_test(capsys, tmp_path):
    assert run(["problems", "list"]) == 0
    out = capsys.readouterr().out
    assert "seed004-ex1" in out and "seed000-central" in out
    assert run(["problems", "list", "--lang", "ru"]) == 0
    assert "Производная сигмоиды" in capsys.readouterr().out
    assert run(["problems", "show", "seed004-ex1"]) == 0
    assert "answer: 2x + y + 2(x + y)" in capsys.readouterr().out
    assert run(["problems", "test", "bank"]) == 0
    out = capsys.readouterr().out
    assert out.count("ok") >= 8 and "FAILED" not in out
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "b"\ntitle = "t"\nfunction = "x^2"\n[[parts]]\nid = "d"\nwrt = "x"\n'
                   'mistakes = ["2x"]\n', encoding="utf-8")
    assert run(["problems", "test", str(bad)]) == 1
    assert "FAIL d: '2x' -> correct (expected incorrect)" in capsys.readouterr().out


def test_wiring_into_the_main_command():
    """The line graphdiff/cli.py needs: add_checker_parsers(sub) in build_parser."""
    from graphdiff import cli as main_cli

    parser = main_cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "check" not in sub.choices:
        cli.add_checker_parsers(sub)
    args = parser.parse_args(["problems", "list"])
    assert args.func(args) == 0
