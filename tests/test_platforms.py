"""Grading output for Gradescope, PrairieLearn, Moodle and Canvas, checked against the
fields each platform documents."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from graphdiff.checker import get_problem, grade
from graphdiff.cli.main import main
from graphdiff.errors import GraphdiffError

# Gradescope autograder specification: results.json (top level and each test).
GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format", "test_output_format",
                  "test_name_format", "visibility", "stdout_visibility", "extra_data",
                  "tests", "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output",
                   "output_format", "tags", "visibility", "extra_data"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
# PrairieLearn external grading: the grading results file.
PRAIRIELEARN_TOP = {"succeeded", "gradable", "score", "message", "output", "tests", "images",
                    "format_errors", "partial_scores"}
PRAIRIELEARN_TEST = {"name", "description", "points", "max_points", "message", "output",
                     "images"}
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]

ANSWERS = {"ann": 'dfdx = "4x + 3y"\ndfdy = "3x + 2y"\n',
           "bob": 'dfdx = "2x + y"\n',
           "eve": "dfdx = [[[\n",
           "=cmd|' -C calc'!A0": 'dfdx = "4x + 3y"\n'}


def _folder(root: Path, names: list[str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in names:
        (root / f"{name}.toml").write_text(ANSWERS[name], encoding="utf-8")
    return root


def _grade(tmp: Path, names: list[str], fmt: str, suffix: str = ".json") -> str:
    folder = _folder(tmp / "subs", names)
    out = tmp / f"out{suffix}"
    grade("seed004-ex1", folder, out, fmt=fmt, progress=False)
    return out.read_text(encoding="utf-8")


def test_gradescope_results_follow_the_specification(tmp_path) -> None:
    result = json.loads(_grade(tmp_path, ["ann"], "gradescope"))
    assert set(result) <= GRADESCOPE_TOP
    assert result["visibility"] in VISIBILITY
    problem = get_problem("seed004-ex1")
    assert len(result["tests"]) == len(problem.parts)
    for test in result["tests"]:
        assert set(test) <= GRADESCOPE_TEST
        assert test["status"] in ("passed", "failed")
        assert 0 <= test["score"] <= test["max_score"]
        assert test["output"]
    assert result["score"] == sum(t["score"] for t in result["tests"]) == 4.0
    assert [t["status"] for t in result["tests"][:2]] == ["passed", "passed"]
    assert result["tests"][0]["name"] == "seed004-ex1: df/dx"


def test_gradescope_gives_an_unreadable_submission_zero_with_the_reason(tmp_path) -> None:
    result = json.loads(_grade(tmp_path, ["eve"], "gradescope"))
    assert result["score"] == 0.0
    assert all(t["status"] == "failed" for t in result["tests"])
    assert result["output"].startswith("0 of 8 points; ")


def test_per_student_platforms_refuse_a_folder_of_many(tmp_path) -> None:
    with pytest.raises(GraphdiffError, match="one submission at a time"):
        _grade(tmp_path, ["ann", "bob"], "gradescope")


def test_prairielearn_results_follow_the_specification(tmp_path) -> None:
    result = json.loads(_grade(tmp_path, ["bob"], "prairielearn"))
    assert set(result) <= PRAIRIELEARN_TOP
    assert result["gradable"] is True and result["succeeded"] is True
    assert 0.0 <= result["score"] <= 1.0
    assert result["score"] == pytest.approx(0.0)
    for test in result["tests"]:
        assert set(test) <= PRAIRIELEARN_TEST
        assert 0 <= test["points"] <= test["max_points"]
    assert "misses the path" in result["tests"][0]["output"]
    ann = json.loads(_grade(tmp_path / "a", ["ann"], "prairielearn"))
    assert ann["score"] == pytest.approx(4 / 8)


def test_moodle_csv_has_one_row_per_student_and_is_safe(tmp_path) -> None:
    text = _grade(tmp_path, ["ann", "bob", "eve", "=cmd|' -C calc'!A0"], "moodle", ".csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["ID number", "graphdiff (Real)", "Feedback for graphdiff"]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["ann"][1] == "4" and by_id["bob"][1] == "0" and by_id["eve"][1] == "0"
    assert "dfdx: correct" in by_id["ann"][2]
    hostile = next(r for r in rows[1:] if "cmd" in r[0])
    assert hostile[0].startswith("'=")


def test_canvas_csv_is_in_the_layout_of_its_export(tmp_path) -> None:
    text = _grade(tmp_path, ["ann", "bob"], "canvas", ".csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [*CANVAS_COLUMNS, "graphdiff"]
    assert rows[1] == ["Points Possible", "", "", "", "", "8"]
    assert {r[0]: r[5] for r in rows[2:]} == {"ann": "4", "bob": "0"}


def test_the_gradescope_layout_from_the_command_line(tmp_path, capsys) -> None:
    """As Gradescope runs it: /autograder/submission -> /autograder/results/results.json."""
    root = tmp_path / "autograder"
    _folder(root / "submission", ["ann"])
    (root / "submission" / "README.md").write_text("not an answers file")
    results = root / "results" / "results.json"
    status = main(["grade", "seed004-ex1", str(root / "submission"), "-o", str(results),
                   "--format", "gradescope", "--no-progress"])
    assert status == 0
    result = json.loads(results.read_text(encoding="utf-8"))
    assert result["score"] == 4.0 and set(result) <= GRADESCOPE_TOP
