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
from graphdiff.checker import grading as grading_module
from graphdiff.checker.synthetic import PROBLEMS, make_class

VERDICTS = {"correct", "incorrect", "invalid", "undecided", "missing"}
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


def test_checkpoints_survive_a_crash_and_the_rerun_resumes(tmp_path, monkeypatch):
    make_class(tmp_path / "subs", 40, seed=9, broken_rate=0, hostile_rate=0)
    book = tmp_path / "book.csv"
    real = grading_module.grade_submission
    count = {"n": 0}

    def crashing(*args, **kwargs):
        count["n"] += 1
        if count["n"] == 25:
            raise KeyboardInterrupt  # the teacher's Ctrl-C, or a crash
        return real(*args, **kwargs)

    monkeypatch.setattr(grading_module, "grade_submission", crashing)
    monkeypatch.setattr(grading_module, "CHECKPOINT_SECONDS", 0.0)
    with pytest.raises(KeyboardInterrupt):
        grade(SET, tmp_path / "subs", book, jobs=1, progress=False)
    rows = read_csv(book)  # a well-formed gradebook of what was graded
    assert len(rows) == 24 and all(r["status"] == "graded" for r in rows)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.setattr(grading_module, "grade_submission", real)
    summary = grade(SET, tmp_path / "subs", book, jobs=1, progress=False)
    assert summary.reused == 24 and summary.graded == 16
    assert len(read_csv(book)) == 40


def test_write_atomic_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "book.csv"
    grading_module.write_atomic(path, "old\n")

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        grading_module.write_atomic(path, "new\n" * 1000)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["book.csv"]


def test_a_dying_worker_costs_one_error_row(tmp_path, monkeypatch):
    make_class(tmp_path / "subs", 24, seed=3, broken_rate=0, hostile_rate=0)
    real = grading_module.grade_submission

    def deadly(name, *args, **kwargs):
        if name == "student_00005.toml":
            os._exit(1)  # the worker process dies (as on a segfault)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(grading_module, "grade_submission", deadly)
    summary = grade(SET, tmp_path / "subs", tmp_path / "book.csv", jobs=2, progress=False)
    rows = read_csv(tmp_path / "book.csv")
    assert len(rows) == 24 == summary.total
    bad = [r for r in rows if r["status"] == "error"]
    assert [r["file"] for r in bad] == ["student_00005.toml"]
    assert "crashed" in bad[0]["error"]


def test_a_slow_submission_is_stopped(tmp_path, monkeypatch):
    make_class(tmp_path / "subs", 3, seed=4, broken_rate=0, hostile_rate=0)
    from graphdiff.checker.problems import Problem

    real = Problem.grade

    def slow(self, answers, **kwargs):
        if any("Student 1" in str(v) for v in answers.values()) or answers.get("slow"):
            time.sleep(5)
        return real(self, answers, **kwargs)

    (tmp_path / "subs" / "student_00001.toml").write_text('slow = "1"\n', encoding="utf-8")
    monkeypatch.setattr(Problem, "grade", slow)
    start = time.perf_counter()
    summary = grade(SET, tmp_path / "subs", tmp_path / "book.csv", jobs=1, progress=False,
                    per_submission=0.5)
    assert time.perf_counter() - start < 4
    rows = {r["file"]: r for r in read_csv(tmp_path / "book.csv")}
    assert rows["student_00001.toml"]["status"] == "error"
    assert "longer than 0.5 s" in rows["student_00001.toml"]["error"]
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
