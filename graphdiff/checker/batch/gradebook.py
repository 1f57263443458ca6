"""The gradebook: its rows and columns, CSV or JSON text, and reading a previous one back.

A row is a dict, JSON-ready: ``file``, ``student``, ``status`` (``graded``, ``error`` or
``skipped``), ``score``, ``max_score``, ``error``, ``notes``, ``sha256`` (of the file),
``problems_sha`` (of the problem set) and ``problems`` (problem id -> score and parts).
The CSV gradebook flattens ``problems`` into a verdict and a points column per part.
"""

from __future__ import annotations

import collections
import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..messages import Message
from ..problems import Problem
from ..report import excerpt

#: Fixed columns of the CSV gradebook.
BASE_COLUMNS = ("file", "student", "status", "score", "max_score", "error", "notes",
                "sha256", "problems_sha")


def new_row(name: str, digest: str, problems_sha: str, max_score: float) -> dict[str, Any]:
    """The row of a submission before it is graded: an error until grading says otherwise.

    >>> row = new_row("ann.toml", "ab12", "cd34", 8.0)
    >>> row["student"], row["status"], row["score"], row["error"]
    ('ann', 'error', 0.0, '')
    """
    return {"file": name, "student": Path(name).stem, "sha256": digest,
            "problems_sha": problems_sha, "status": "error",
            "score": 0.0, "max_score": max_score, "error": "", "problems": {}}


def skipped_row(name: str, reason: str, problems_sha: str) -> dict[str, Any]:
    """The row of an entry of the folder that is not graded, with the reason.

    >>> row = skipped_row("notes.txt", "not an answers file", "cd34")
    >>> row["status"], row["score"], row["error"]
    ('skipped', None, 'not an answers file')
    """
    # Its own key order (not new_row's): the JSON gradebook shows the keys in this order.
    return {"file": name, "student": "", "status": "skipped", "score": None,
            "max_score": None, "error": reason, "sha256": "",
            "problems_sha": problems_sha, "problems": {}}


def problems_sha(problems: Sequence[Problem]) -> str:
    """A short hash of the problem set: a row graded against other problems is not reused.

    >>> from graphdiff.checker import get_problem
    >>> len(problems_sha([get_problem("seed004-ex1")]))
    16
    """
    text = json.dumps([p.data for p in problems], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def part_columns(problems: Sequence[Problem]) -> list[str]:
    """The per-part columns of the CSV gradebook: verdict and points of each part.

    >>> from graphdiff.checker import get_problem
    >>> part_columns([get_problem("seed004-ex3")])  # doctest: +ELLIPSIS
    ['seed004-ex3:dsdz', 'seed004-ex3:dsdz:points', ...]
    """
    columns = []
    for problem in problems:
        for part in problem.parts:
            columns += [f"{problem.id}:{part.id}", f"{problem.id}:{part.id}:points"]
    return columns


def render_gradebook(rows: Sequence[Mapping[str, Any]], problems: Sequence[Problem],
                     fmt: str) -> str:
    """The gradebook as CSV or JSON text.

    >>> from graphdiff.checker import get_problem
    >>> from graphdiff.checker.batch.submission import grade_submission, use_problems
    >>> problem = get_problem("seed004-ex1")
    >>> use_problems([problem], {})
    >>> rows = [grade_submission("ann.toml", b'dfdx = "4x + 3y"', "0" * 64)]
    >>> header, ann = render_gradebook(rows, [problem], "csv").splitlines()
    >>> header.split(",")[:5], ann.split(",")[:5]
    (['file', 'student', 'status', 'score', 'max_score'], ['ann.toml', 'ann', 'graded', '2', '8'])
    >>> json.loads(render_gradebook(rows, [problem], "json"))["submissions"][0]["score"]
    2.0
    """
    if fmt == "json":
        return json.dumps({
            "problems": [{"id": p.id, "parts": [q.id for q in p.parts]} for p in problems],
            "problems_sha": problems_sha(problems),
            "submissions": list(rows),
        }, indent=1, ensure_ascii=False, default=str) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*BASE_COLUMNS, *part_columns(problems)],
                            lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(_csv_row(row, problems))
    return buffer.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in _FORMULA_START:
        return "'" + value
    return value


def _unsafe_cell(value: Any) -> Any:
    """Undo :func:`_safe_cell` (a row read back from a CSV gradebook)."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in _FORMULA_START:
        return value[1:]
    return value


def _csv_row(row: Mapping[str, Any], problems: Sequence[Problem]) -> dict[str, Any]:
    out = {k: _safe_cell(row.get(k, "")) for k in ("file", "student", "error", "notes")}
    out.update(status=row["status"], score=_num(row.get("score")),
               max_score=_num(row.get("max_score")), sha256=row.get("sha256", ""),
               problems_sha=row.get("problems_sha", ""))
    graded = isinstance(row.get("problems"), Mapping)
    for problem in problems:
        parts = row.get("problems", {}).get(problem.id, {}).get("parts", {}) if graded else {}
        for part in problem.parts:
            column = f"{problem.id}:{part.id}"
            if not graded:  # a row reused from the previous CSV gradebook
                out[column] = row.get(column, "")
                out[column + ":points"] = row.get(column + ":points", "")
                continue
            entry = parts.get(part.id)
            out[column] = entry["verdict"] if entry else (
                "missing" if row["status"] == "graded" else "")
            out[column + ":points"] = _num(entry["points"]) if entry else (
                "0" if row["status"] == "graded" else "")
    return out


def _num(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def previous_rows(path: Path, fmt: str) -> dict[str, dict[str, Any]]:
    """Rows of an existing gradebook by file name (empty if absent or unreadable).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     book = Path(tmp) / "book.csv"
    ...     absent = previous_rows(book, "csv")
    ...     _ = book.write_text("file,student,score\\nann.toml,'=1+1,2\\n")
    ...     rows = previous_rows(book, "csv")
    >>> absent, rows["ann.toml"]["student"], rows["ann.toml"]["score"]
    ({}, '=1+1', '2')
    """
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        if fmt == "json":
            rows = json.loads(text).get("submissions", [])
        else:
            rows = [{k: _unsafe_cell(v) for k, v in row.items()}
                    for row in csv.DictReader(io.StringIO(text))]
    except (OSError, ValueError, AttributeError, csv.Error):
        return {}
    return {row["file"]: row for row in rows
            if isinstance(row, dict) and isinstance(row.get("file"), str)}


def flag_duplicates(rows: Sequence[dict[str, Any]], lang: str) -> dict[str, list[str]]:
    """Note, in each row, the other files with the same student id; returns id -> files.

    Ids are compared without case and outer spaces; skipped entries have no id.

    >>> rows = [{"file": f, "student": s, "status": "graded"}
    ...         for f, s in [("a.toml", "Ann"), ("b.toml", "ann "), ("c.toml", "Cat")]]
    >>> flag_duplicates(rows, "en")
    {'Ann': ['a.toml', 'b.toml']}
    >>> [row["notes"] for row in rows]
    ["the student id 'Ann' is also used by b.toml",
     "the student id 'ann ' is also used by a.toml", '']
    """
    by_id: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for row in rows:
        row["notes"] = ""
        if row["status"] != "skipped":
            by_id[str(row.get("student", "")).strip().casefold()].append(row)
    duplicates = {}
    for group in by_id.values():
        if len(group) < 2:
            continue
        files = [r["file"] for r in group]
        duplicates[group[0]["student"]] = files
        for row in group:
            others = [f for f in files if f != row["file"]]
            shown = ", ".join(others[:5]) + (" ..." if len(others) > 5 else "")
            row["notes"] = Message("duplicate_student", {
                "student": excerpt(str(row["student"]), 60), "files": shown}).render(lang)
    return duplicates
