"""Grading output for the platforms teachers use: Gradescope, PrairieLearn, Moodle, Canvas.

Each writer turns gradebook rows (see :mod:`.gradebook`) into the file the platform reads:

* ``gradescope``: the autograder's ``results.json`` for one submission -- ``score``,
  ``output`` and one entry of ``tests`` per part (``name``, ``score``, ``max_score``,
  ``status``, ``output``), as Gradescope's autograder specification lays it out.  Gradescope
  runs the autograder once per student, with that student's files in
  ``/autograder/submission``: the folder holds one answers file.
* ``prairielearn``: an external grader's ``results.json`` -- ``gradable``, ``score`` in
  [0, 1], ``message``, ``output`` and ``tests`` (``name``, ``description``, ``points``,
  ``max_points``, ``message``, ``output``); also one submission.
* ``moodle``: a CSV to import into Moodle's gradebook (Grades → Import → CSV file): the
  student's ``ID number``, a grade column named after the assignment, its feedback.
* ``canvas``: a CSV in the layout of Canvas's gradebook export, which its import reads back:
  ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then the assignment,
  with the ``Points Possible`` row first.

A row that could not be graded gets 0 and its error as feedback; nothing is dropped.

>>> from graphdiff.checker import get_problem
>>> from graphdiff.checker.batch.submission import grade_submission, use_problems
>>> problem = get_problem("seed004-ex1")
>>> use_problems([problem], {})
>>> row = grade_submission("ann.toml", b'dfdx = "4x + 3y"', "0" * 64)
>>> result = json.loads(render_platform([row], [problem], "gradescope"))
>>> result["score"], result["tests"][0]["name"], result["tests"][0]["status"]
(2.0, 'seed004-ex1: df/dx', 'passed')
>>> json.loads(render_platform([row], [problem], "prairielearn"))["score"]
0.25
>>> print(render_platform([row], [problem], "moodle").splitlines()[1])
ann,2,seed004-ex1 dfdx: correct; dfdy: missing; ...
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ...errors import GraphdiffError
from ..problems import Problem
from .gradebook import _num, _safe_cell

#: The platforms' formats, next to the gradebook's own csv and json.
PLATFORMS = ("gradescope", "prairielearn", "moodle", "canvas")
#: The assignment's name in the spreadsheets (Moodle's grade item, Canvas's column).
DEFAULT_ASSIGNMENT = "graphdiff"


def render_platform(rows: Sequence[Mapping[str, Any]], problems: Sequence[Problem],
                    fmt: str, *, assignment: str = DEFAULT_ASSIGNMENT) -> str:
    """The rows in the format of a platform (one of :data:`PLATFORMS`)."""
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise GraphdiffError(f"unknown platform format {fmt!r}; choose from "
                             f"{', '.join(PLATFORMS)}")
    return writer(rows, problems, assignment)


def _parts(row: Mapping[str, Any], problems: Sequence[Problem]
           ) -> list[tuple[str, Mapping[str, Any] | None, float]]:
    """(name, graded part or None, max points) for every part of every problem, in order."""
    graded = row.get("problems") if isinstance(row.get("problems"), Mapping) else {}
    out = []
    for problem in problems:
        parts = graded.get(problem.id, {}).get("parts", {})
        for part in problem.parts:
            out.append((f"{problem.id}: {part.ask}", parts.get(part.id), float(part.points)))
    return out


def _part_output(entry: Mapping[str, Any] | None, error: str) -> str:
    if entry is None:
        return error or "not graded"
    lines = [f"verdict: {entry['verdict']}"]
    if entry.get("answer") is not None:
        lines.append(f"your answer: {entry['answer']}")
    if entry.get("read_as") and entry.get("read_as") != entry.get("answer"):
        lines.append(f"read as: {entry['read_as']}")
    lines.append(f"why: {entry.get('reason', '')}")
    lines += [f"hint: {f}" for f in entry.get("feedback", [])]
    lines += [f"warning: {w}" for w in entry.get("warnings", [])]
    return "\n".join(lines)


def _one(rows: Sequence[Mapping[str, Any]], fmt: str) -> Mapping[str, Any]:
    """The one submission a per-student platform grades."""
    graded = [r for r in rows if r.get("status") != "skipped"]
    if len(graded) != 1:
        files = ", ".join(str(r.get("file")) for r in graded[:5]) or "none"
        raise GraphdiffError(f"{fmt} grades one submission at a time: the folder holds "
                             f"{len(graded)} answers files ({files})")
    return graded[0]


def _gradescope(rows: Sequence[Mapping[str, Any]], problems: Sequence[Problem],
                assignment: str) -> str:
    row = _one(rows, "gradescope")
    error = str(row.get("error") or "")
    tests = []
    for name, entry, max_points in _parts(row, problems):
        points = float(entry["points"]) if entry else 0.0
        tests.append({"name": name, "score": points, "max_score": max_points,
                      "status": "passed" if entry and entry["verdict"] == "correct"
                      else "failed",
                      "output": _part_output(entry, error), "visibility": "visible"})
    score = float(row.get("score") or 0.0)
    max_score = sum(t["max_score"] for t in tests)
    summary = f"{_num(score)} of {_num(max_score)} points" + (f"; {error}" if error else "")
    return json.dumps({"score": score, "output": summary, "visibility": "visible",
                       "stdout_visibility": "hidden", "tests": tests},
                      indent=1, ensure_ascii=False) + "\n"


def _prairielearn(rows: Sequence[Mapping[str, Any]], problems: Sequence[Problem],
                  assignment: str) -> str:
    row = _one(rows, "prairielearn")
    error = str(row.get("error") or "")
    tests = []
    for name, entry, max_points in _parts(row, problems):
        tests.append({"name": name, "description": name,
                      "points": float(entry["points"]) if entry else 0.0,
                      "max_points": max_points,
                      "message": entry["verdict"] if entry else "not graded",
                      "output": _part_output(entry, error)})
    max_score = sum(t["max_points"] for t in tests)
    score = float(row.get("score") or 0.0)
    return json.dumps({
        "succeeded": True, "gradable": row.get("status") == "graded",
        "score": score / max_score if max_score else 0.0,
        "message": error or f"{_num(score)} of {_num(max_score)} points",
        "output": "", "tests": tests,
    }, indent=1, ensure_ascii=False) + "\n"


def _feedback(row: Mapping[str, Any], problems: Sequence[Problem]) -> str:
    if row.get("status") != "graded":
        return str(row.get("error") or row.get("status"))
    by_problem = []
    for problem in problems:
        parts = row["problems"].get(problem.id, {}).get("parts", {})
        shown = "; ".join(f"{pid}: {entry['verdict']}" for pid, entry in parts.items())
        by_problem.append(f"{problem.id} {shown}")
    return " | ".join(by_problem)


def _moodle(rows: Sequence[Mapping[str, Any]], problems: Sequence[Problem],
            assignment: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["ID number", f"{assignment} (Real)", f"Feedback for {assignment}"])
    for row in rows:
        if row.get("status") == "skipped":
            continue
        writer.writerow([_safe_cell(str(row.get("student", ""))), _num(row.get("score") or 0),
                         _safe_cell(_feedback(row, problems))])
    return buffer.getvalue()


def _canvas(rows: Sequence[Mapping[str, Any]], problems: Sequence[Problem],
            assignment: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
    max_score = sum(float(q.points) for p in problems for q in p.parts)
    writer.writerow(["Points Possible", "", "", "", "", _num(max_score)])
    for row in rows:
        if row.get("status") == "skipped":
            continue
        student = _safe_cell(str(row.get("student", "")))
        writer.writerow([student, "", "", student, "", _num(row.get("score") or 0)])
    return buffer.getvalue()


_WRITERS: Mapping[str, Callable[[Sequence[Mapping[str, Any]], Sequence[Problem], str], str]] = {
    "gradescope": _gradescope, "prairielearn": _prairielearn, "moodle": _moodle,
    "canvas": _canvas,
}
