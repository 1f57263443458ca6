"""Batch grading: a class of 1,000 submissions with broken and hostile files among them,
re-runs, atomic writes, dying workers and time limits."""

from __future__ import annotations

import csv
import io
import json
import os
import time

import pytest

from graphdiff.checker import grade
from graphdiff.checker.batch import journal as journal_module
from graphdiff.checker.batch import workers as workers_module
from graphdiff.checker.batch import write_atomic
from graphdiff.checker.synthetic import PROBLEMS, make_class

VERDICTS = {"correct", "incorrect", "invalid", "undecided", "missing", "error"}
SET = ",".join(PROBLEMS)


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def big_class(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class1000")
    kinds = make_class(folder / "subs", 1000, seed=2024)
    return folder, kinds


def test_a_class_of_1000_end_to_end(big_class):
    folder, kinds = big_class
    broken = sum(v for k, v in kinds.items() if k.startswith("broken:"))
    assert broken >= 10 and kinds["hostile"] >= 10
    progress = io.StringIO()
    start = time.perf_counter()
    summary = grade(SET, folder / "subs", folder / "book.csv", jobs=2, progress=progress)
    elapsed = time.perf_counter() - start
    print(f"\n1000 submissions, 2 workers: {elapsed:.1f} s, {summary.throughput:.0f}/s")
    assert elapsed < 60
    assert summary.total == summary.graded == 1000 and summary.reused == 0
    rows = read_csv(folder / "book.csv")
    # Every submission has exactly one row, in file order.
    assert [r["file"] for r in rows] == sorted(p.name for p in (folder / "subs").iterdir())
    parts = [c for c in rows[0] if c.count(":") == 1]
    assert len(parts) == 12  # 6 + 4 + 2 parts
    for row in rows:
        assert row["status"] in ("graded", "error")
        assert 0 <= float(row["score"]) <= float(row["max_score"]) == 14
        assert len(row["sha256"]) == 64
        if row["status"] == "graded":
            assert {row[c] for c in parts} <= VERDICTS
            points = sum(float(row[c + ":points"]) for c in parts)
            assert points == float(row["score"])
        else:
            assert row["error"] and float(row["score"]) == 0
    errors = [r for r in rows if r["status"] == "error"]
    # Only broken files are errors (an empty file or wrong types are gradable).
    assert 0 < len(errors) <= broken
    assert summary.errors == len(errors)
    assert {r["seed004-ex1:dfdx"] for r in rows if r["status"] == "graded"} >= {
        "correct", "incorrect", "invalid", "missing"}
    # The progress bar went to the stream given.
    assert "1000/1000" in progress.getvalue()


def test_rerun_skips_what_is_graded(big_class):
    folder, _ = big_class
    book = folder / "book.csv"
    if not book.exists():
        grade(SET, folder / "subs", book, jobs=2, progress=False)
    before = book.read_text(encoding="utf-8")
    summary = grade(SET, folder / "subs", book, jobs=2, progress=False)
    assert summary.graded == summary.errors  # only the error rows are tried again
    graded_before = sum(1 for r in read_csv(book) if r["status"] == "graded")
    assert summary.reused == graded_before
    assert summary.graded == 1000 - graded_before  # error rows are retried
    assert book.read_text(encoding="utf-8") == before
    # A changed file is graded again, alone.
    target = folder / "subs" / "student_00001.toml"
    target.write_text('[seed004-ex3]\ndsdz = "σ(z)(1-σ(z))"\n', encoding="utf-8")
    summary = grade(SET, folder / "subs", book, jobs=1, progress=False)
    assert summary.graded == 1 + (1000 - graded_before)
    row = next(r for r in read_csv(book) if r["file"] == "student_00001.toml")
    assert row["seed004-ex3:dsdz"] == "correct" and row["score"] == "1"


def test_json_gradebook_and_changed_problems(tmp_path):
    make_class(tmp_path / "subs", 30, seed=5)
    book = tmp_path / "book.json"
    summary = grade(SET, tmp_path / "subs", book, progress=False, lang="ru")
    data = json.loads(book.read_text(encoding="utf-8"))
    assert [p["id"] for p in data["problems"]] == list(PROBLEMS)
    assert len(data["submissions"]) == 30 == summary.total
    graded = [s for s in data["submissions"] if s["status"] == "graded"]
    part = graded[0]["problems"]["seed004-ex1"]["parts"]["dfdx"]
    assert set(part) >= {"verdict", "points", "reason", "feedback", "read_as"}
    reasons = " ".join(p["reason"] for s in graded
                       for pr in s["problems"].values() for p in pr["parts"].values())
    assert "в точке" in reasons or "совпадает" in reasons  # Russian texts
    # Another problem set: nothing is reused.
    again = grade("seed004-ex1", tmp_path / "subs", book, progress=False)
    assert again.reused == 0


def test_an_interrupted_run_keeps_the_old_book_and_resumes_from_the_journal(tmp_path,
                                                                          monkeypatch):
    make_class(tmp_path / "subs", 40, seed=9, broken_rate=0, hostile_rate=0)
    book = tmp_path / "book.csv"
    journal = tmp_path / "book.csv.journal"
    grade("seed004-ex1", tmp_path / "subs", book, progress=False)  # the previous book
    book.chmod(0o640)
    previous = book.read_text(encoding="utf-8")
    real = journal_module.Journal.add
    count = {"n": 0}

    def interrupted(self, row):
        count["n"] += 1
        if count["n"] == 25:
            raise KeyboardInterrupt  # the teacher's Ctrl-C, after 24 rows
        return real(self, row)

    monkeypatch.setattr(journal_module.Journal, "add", interrupted)
    with pytest.raises(KeyboardInterrupt):
        grade(SET, tmp_path / "subs", book, jobs=2, progress=False, force=True)
    # The old book is untouched (not a partial one that looks complete) ...
    assert book.read_text(encoding="utf-8") == previous
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["journal"] == 1 and len(lines) == 1 + 24
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # ... and the re-run grades only what is left, into what one run would have written.
    monkeypatch.setattr(journal_module.Journal, "add", real)
    summary = grade(SET, tmp_path / "subs", book, jobs=2, progress=False, force=True)
    assert (summary.resumed, summary.graded, summary.total) == (24, 16, 40)
    assert not journal.exists()
    assert oct(book.stat().st_mode & 0o777) == "0o640"  # permissions kept
    grade(SET, tmp_path / "subs", tmp_path / "once.csv", jobs=2, progress=False)
    assert book.read_text(encoding="utf-8") == (tmp_path / "once.csv").read_text(encoding="utf-8")


def test_a_journal_of_another_grading_is_not_resumed(tmp_path):
    make_class(tmp_path / "subs", 4, seed=9, broken_rate=0, hostile_rate=0)
    journal = tmp_path / "book.csv.journal"
    journal.write_text('{"journal": 1, "problems_sha": "other"}\n'
                       '{"file": "student_00000.toml", "status": "graded", "score": 99}\n',
                       encoding="utf-8")
    summary = grade(SET, tmp_path / "subs", tmp_path / "book.csv", progress=False)
    assert (summary.resumed, summary.graded) == (0, 4)
    assert "99" not in (tmp_path / "book.csv").read_text(encoding="utf-8")
    assert not journal.exists()


def test_a_torn_journal_line_is_cut_off(tmp_path, monkeypatch):
    make_class(tmp_path / "subs", 6, seed=9, broken_rate=0, hostile_rate=0)
    book = tmp_path / "book.csv"
    journal = tmp_path / "book.csv.journal"
    real = journal_module.Journal.add
    count = {"n": 0}

    def interrupted(self, row):
        count["n"] += 1
        if count["n"] == 4:
            raise KeyboardInterrupt
        return real(self, row)

    monkeypatch.setattr(journal_module.Journal, "add", interrupted)
    with pytest.raises(KeyboardInterrupt):
        grade(SET, tmp_path / "subs", book, progress=False)
    monkeypatch.setattr(journal_module.Journal, "add", real)
    # As a power failure could leave it: three rows, then half of a fourth line.
    with journal.open("a", encoding="utf-8") as fh:
        fh.write('{"file": "student_00005.toml", "status": "gra')
    summary = grade(SET, tmp_path / "subs", book, progress=False)
    assert (summary.resumed, summary.graded) == (3, 3)
    grade(SET, tmp_path / "subs", tmp_path / "once.csv", progress=False)
    assert book.read_text(encoding="utf-8") == (tmp_path / "once.csv").read_text(encoding="utf-8")


def test_write_atomic_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "book.csv"
    write_atomic(path, "old\n")

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_atomic(path, "new\n" * 1000)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["book.csv"]


def test_a_dying_worker_costs_one_error_row(tmp_path, monkeypatch):
    make_class(tmp_path / "subs", 24, seed=3, broken_rate=0, hostile_rate=0)
    real = workers_module.grade_submission  # what the workers call

    def deadly(name, *args, **kwargs):
        if name == "student_00005.toml":
            os._exit(1)  # the worker process dies (as on a segfault)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(workers_module, "grade_submission", deadly)
    summary = grade(SET, tmp_path / "subs", tmp_path / "book.csv", jobs=2, progress=False)
    rows = read_csv(tmp_path / "book.csv")
    assert len(rows) == 24 == summary.total
    bad = [r for r in rows if r["status"] == "error"]
    assert [r["file"] for r in bad] == ["student_00005.toml"]
    assert "crashed" in bad[0]["error"]


def test_a_worker_that_dies_once_is_replaced_and_the_file_graded(tmp_path, monkeypatch):
    make_class(tmp_path / "subs", 6, seed=3, broken_rate=0, hostile_rate=0)
    grade(SET, tmp_path / "subs", tmp_path / "once.csv", jobs=2, progress=False)
    real = workers_module.grade_submission  # what the workers call
    flag = tmp_path / "died"

    def dies_once(name, *args, **kwargs):
        if name == "student_00003.toml" and not flag.exists():
            flag.touch()
            os._exit(1)  # the first worker to get it dies; the retry succeeds
        return real(name, *args, **kwargs)

    monkeypatch.setattr(workers_module, "grade_submission", dies_once)
    summary = grade(SET, tmp_path / "subs", tmp_path / "book.csv", jobs=2, progress=False)
    assert flag.exists() and summary.errors == 0 and summary.graded == 6
    assert (tmp_path / "book.csv").read_text() == (tmp_path / "once.csv").read_text()


def test_a_crash_in_one_part_costs_that_part_only(tmp_path, monkeypatch):
    from graphdiff.checker.problems import Part

    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "ann.toml").write_text(
        'dfdx = "4x + 3y"\ndfdy = "3x + 2y"\npaths_x = "boom"\n', encoding="utf-8")
    real = Part.grade

    def crashing(self, answer, **kwargs):
        if answer == "boom":
            raise RecursionError("maximum recursion depth exceeded")
        return real(self, answer, **kwargs)

    monkeypatch.setattr(Part, "grade", crashing)
    summary = grade("seed004-ex1", tmp_path / "subs", tmp_path / "book.csv", progress=False)
    row = summary.rows[0]
    assert (row["status"], row["score"], summary.errors) == ("graded", 4.0, 0)
    parts = row["problems"]["seed004-ex1"]["parts"]
    assert [(k, p["verdict"], p["points"]) for k, p in parts.items()][:4] == [
        ("dfdx", "correct", 2.0), ("dfdy", "correct", 2.0), ("paths_x", "error", 0.0),
        ("paths_y", "missing", 0.0)]
    assert parts["paths_x"]["reason"] == (
        "internal error while grading: RecursionError: maximum recursion depth exceeded")
    book = read_csv(tmp_path / "book.csv")[0]
    assert (book["seed004-ex1:paths_x"], book["seed004-ex1:dfdx:points"]) == ("error", "2")


def test_a_slow_submission_is_stopped(tmp_path, monkeypatch):
    make_class(tmp_path / "subs", 3, seed=4, broken_rate=0, hostile_rate=0)
    from graphdiff.checker.problems import Part

    real = Part.grade

    def slow(self, answer, **kwargs):
        if answer == "slow":
            time.sleep(120)
        return real(self, answer, **kwargs)

    (tmp_path / "subs" / "student_00001.toml").write_text('dsdz = "slow"\n', encoding="utf-8")
    monkeypatch.setattr(Part, "grade", slow)
    start = time.perf_counter()
    # The budget is generous for a loaded machine (an honest submission takes well under
    # a second), and the slow one would take two minutes: stopped means stopped early.
    summary = grade(SET, tmp_path / "subs", tmp_path / "book.csv", jobs=1, progress=False,
                    per_submission=3.0)
    assert time.perf_counter() - start < 60
    rows = {r["file"]: r for r in read_csv(tmp_path / "book.csv")}
    assert rows["student_00001.toml"]["status"] == "error"
    assert "longer than 3 s" in rows["student_00001.toml"]["error"]
    assert summary.errors == 1


def test_spreadsheet_formulas_are_neutralised(tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "evil.toml").write_text(
        'student = "=HYPERLINK(\\"http://x\\", \\"click\\")"\ndsdz = "1"\n', encoding="utf-8")
    grade("seed004-ex3", tmp_path / "subs", tmp_path / "book.csv", progress=False)
    row = read_csv(tmp_path / "book.csv")[0]
    assert row["student"].startswith("'=")


def test_grade_refuses_a_missing_folder(tmp_path):
    from graphdiff import GraphdiffError

    with pytest.raises(GraphdiffError):
        grade("seed004-ex3", tmp_path / "nope", tmp_path / "book.csv")
