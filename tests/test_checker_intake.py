"""Batch intake: which entries of a submissions folder are graded, and why the rest are not.

Every entry gets a row (graded, error or skipped with the reason); links are never
followed and FIFOs never opened, so nothing outside the folder is read; duplicate student
ids are flagged; answers are limited before they are parsed and quoted in excerpts.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import time

import pytest

from graphdiff.checker import check, grade
from graphdiff.checker.batch import MAX_ANSWER_CHARS, MAX_MESSAGES, scan_submissions
from graphdiff.checker.batch.intake import read_submission
from graphdiff.checker.problems import MAX_FILE_BYTES

RIGHT = 'dsdz = "σ(z)(1 - σ(z))"\n'


@contextlib.contextmanager
def must_not_block(seconds: float = 30):
    """Fail (instead of hanging the suite) if the body blocks, e.g. opening a FIFO."""

    def alarm(signum, frame):
        raise AssertionError(f"blocked for {seconds} s: something opened a FIFO?")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def rows_of(summary):
    return {r["file"]: r for r in summary.rows}


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def subs(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "ann.toml").write_text(RIGHT, encoding="utf-8")
    return folder


def test_upper_case_suffix_is_graded(subs, tmp_path):
    (subs / "BOB.TOML").write_text(RIGHT, encoding="utf-8")
    (subs / "cat.Toml").write_text('dsdz = "0"\n', encoding="utf-8")
    summary = grade("seed004-ex3", subs, tmp_path / "book.csv", progress=False)
    rows = rows_of(summary)
    assert {name: (r["status"], r["score"]) for name, r in rows.items()} == {
        "BOB.TOML": ("graded", 1.0), "ann.toml": ("graded", 1.0), "cat.Toml": ("graded", 0.0)}
    assert summary.skipped == []


def test_dangling_links_are_listed(subs, tmp_path):
    os.symlink(subs / "gone.toml", subs / "dangling.toml")
    os.symlink(subs / "loop.toml", subs / "loop.toml")
    summary = grade("seed004-ex3", subs, tmp_path / "book.csv", progress=False)
    assert summary.skipped == [
        ("dangling.toml", "a symbolic link to nothing (dangling)"),
        ("loop.toml", "a symbolic link to nothing (dangling)"),
    ]
    book = {r["file"]: r for r in read_csv(tmp_path / "book.csv")}
    assert book["dangling.toml"]["status"] == "skipped"
    assert book["dangling.toml"]["error"] == "a symbolic link to nothing (dangling)"
    assert book["dangling.toml"]["score"] == "" and book["dangling.toml"]["seed004-ex3:dsdz"] == ""
    assert book["ann.toml"]["status"] == "graded"


def test_a_fifo_is_listed_and_never_opened(subs, tmp_path):
    os.mkfifo(subs / "pipe.toml")
    os.mkfifo(subs / "pipe")
    with must_not_block():
        summary = grade("seed004-ex3", subs, tmp_path / "book.csv", progress=False)
    assert summary.skipped == [("pipe", "not a regular file (FIFO): never opened"),
                               ("pipe.toml", "not a regular file (FIFO): never opened")]
    assert summary.total == summary.graded == 1


def test_a_folder_named_like_a_submission_is_listed(subs, tmp_path):
    (subs / "dan.toml").mkdir()
    (subs / "dan.toml" / "inside.toml").write_text(RIGHT, encoding="utf-8")
    summary = grade("seed004-ex3", subs, tmp_path / "book.csv", progress=False)
    assert summary.skipped == [
        ("dan.toml", "a folder: only files directly in the submissions folder are graded")]
    assert sorted(rows_of(summary)) == ["ann.toml", "dan.toml"]


def test_links_out_of_the_folder_are_refused_and_nothing_outside_is_read(subs, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "eve.toml").write_text(RIGHT, encoding="utf-8")
    os.mkfifo(outside / "trap.toml")  # opening it would block the test: never opened
    os.symlink(outside / "eve.toml", subs / "eve.toml")
    os.symlink(outside / "trap.toml", subs / "trap.toml")
    os.symlink("../elsewhere/eve.toml", subs / "relative.toml")
    os.symlink(outside, subs / "folder.toml")
    os.symlink("/etc/passwd", subs / "passwd.toml")
    with must_not_block():
        summary = grade("seed004-ex3", subs, tmp_path / "book.csv", progress=False)
    refused = "a symbolic link to outside the submissions folder: refused"
    assert summary.skipped == [(name, refused) for name in
                               ("eve.toml", "folder.toml", "passwd.toml", "relative.toml",
                                "trap.toml")]
    assert (summary.total, summary.graded) == (1, 1)
    assert "root:" not in (tmp_path / "book.csv").read_text(encoding="utf-8")


def test_a_link_to_another_students_file_is_not_a_second_copy(subs, tmp_path):
    os.symlink("ann.toml", subs / "copy.toml")
    (subs / "sub").mkdir()
    (subs / "sub" / "x.toml").write_text(RIGHT, encoding="utf-8")
    os.symlink(subs / "sub" / "x.toml", subs / "deep.toml")
    os.link(subs / "ann.toml", subs / "hard.toml")
    summary = grade("seed004-ex3", subs, tmp_path / "book.csv", progress=False)
    assert summary.skipped == [
        ("copy.toml", "a symbolic link to ann.toml in this folder: not graded again "
                      "(links are never followed)"),
        ("deep.toml", "a symbolic link to sub/x.toml in this folder: not graded again "
                      "(links are never followed)"),
        ("hard.toml", "the same file as ann.toml (a hard link): graded once, as ann.toml"),
        ("sub", "a folder: only files directly in the submissions folder are graded"),
    ]
    assert [r["file"] for r in summary.rows if r["status"] == "graded"] == ["ann.toml"]


def test_other_entries_each_get_a_reason(subs, tmp_path):
    (subs / "notes.txt").write_text("hello", encoding="utf-8")
    (subs / "ann.toml.bak").write_text(RIGHT, encoding="utf-8")
    (subs / ".hidden.toml").write_text(RIGHT, encoding="utf-8")
    (subs / ".DS_Store").write_bytes(b"\0")
    bad_name = os.fsdecode(b"caf\xe9.toml")  # Latin-1 bytes: not a UTF-8 name
    (subs / bad_name).write_text(RIGHT, encoding="utf-8")
    summary = grade("seed004-ex3", subs, tmp_path / "book.json", progress=False)
    assert summary.skipped == [
        (".DS_Store", "a hidden entry (the name starts with '.')"),
        (".hidden.toml", "a hidden entry (the name starts with '.')"),
        ("ann.toml.bak", "not an answers file (the name does not end in .toml)"),
        ("caf\\xe9.toml", "the file name is not valid UTF-8"),
        ("notes.txt", "not an answers file (the name does not end in .toml)"),
    ]
    book = json.loads((tmp_path / "book.json").read_text(encoding="utf-8"))
    assert [(s["file"], s["status"]) for s in book["submissions"]] == [
        (".DS_Store", "skipped"), (".hidden.toml", "skipped"), ("ann.toml", "graded"),
        ("ann.toml.bak", "skipped"), ("caf\\xe9.toml", "skipped"), ("notes.txt", "skipped")]


def test_every_entry_gets_a_row_and_the_gradebooks_own_files_none(subs):
    os.mkfifo(subs / "pipe")
    os.symlink("/nowhere", subs / "x.toml")
    (subs / "d").mkdir()
    (subs / "bob.toml").write_text("[[[", encoding="utf-8")
    book = subs / "book.csv"  # the gradebook inside the submissions folder
    (subs / "book.csv.journal").write_text("not a journal\n", encoding="utf-8")
    (subs / ".book.csv.x1y2.tmp").write_text("left by a crash", encoding="utf-8")
    with must_not_block():
        summary = grade("seed004-ex3", subs, book, progress=False)
        again = grade("seed004-ex3", subs, book, progress=False)
    entries = {"ann.toml", "bob.toml", "d", "pipe", "x.toml"}
    assert {r["file"] for r in summary.rows} == entries == {r["file"] for r in read_csv(book)}
    assert {r["file"]: r["status"] for r in again.rows} == {
        "ann.toml": "graded", "bob.toml": "error", "d": "skipped", "pipe": "skipped",
        "x.toml": "skipped"}
    assert again.reused == 1 and again.graded == 1  # the error row is tried again


def test_duplicate_student_ids_are_flagged(subs, tmp_path):
    (subs / "ANN.TOML").write_text('dsdz = "0"\n', encoding="utf-8")  # same stem, other case
    (subs / "b1.toml").write_text('student = "Bob Smith"\n' + RIGHT, encoding="utf-8")
    (subs / "b2.toml").write_text('student = "bob smith "\ndsdz = "0"\n', encoding="utf-8")
    (subs / "cat.toml").write_text(RIGHT, encoding="utf-8")
    summary = grade("seed004-ex3", subs, tmp_path / "book.csv", progress=False)
    assert summary.duplicates == {"ANN": ["ANN.TOML", "ann.toml"],
                                  "Bob Smith": ["b1.toml", "b2.toml"]}
    notes = {r["file"]: r["notes"] for r in read_csv(tmp_path / "book.csv")}
    assert notes == {
        "ANN.TOML": "the student id 'ANN' is also used by ann.toml",
        "ann.toml": "the student id 'ann' is also used by ANN.TOML",
        "b1.toml": "the student id 'Bob Smith' is also used by b2.toml",
        "b2.toml": "the student id 'bob smith' is also used by b1.toml",
        "cat.toml": "",
    }
    assert "same student id 'Bob Smith': b1.toml, b2.toml" in summary.text()


def huge_paths_answer(limit: int) -> str:
    """Distinct paths (x → a → ... ) until ``limit`` characters: the worst case for a
    duplicate check that compares each path with all before it."""
    nodes = "abcdefxy"
    chunks, size, k = [], 0, 0
    while size < limit:
        digits, n = [], k
        for _ in range(6):
            n, r = divmod(n, len(nodes))
            digits.append(nodes[r])
        chunks.append("x " + " ".join(digits))
        size += len(chunks[-1]) + 1
        k += 1
    return ";".join(chunks)[:limit]


def test_a_one_megabyte_answer_is_refused_before_parsing(subs, tmp_path):
    answer = huge_paths_answer(990_000)
    (subs / "big.toml").write_text(f'[seed004-ex1]\npaths_x = "{answer}"\n'
                                   f'dfdx = "{"x + " * 1_000}x"\n', encoding="utf-8")
    assert 990_000 < (subs / "big.toml").stat().st_size <= MAX_FILE_BYTES
    start = time.perf_counter()
    summary = grade("seed004-ex1", subs, tmp_path / "book.json", progress=False)
    assert time.perf_counter() - start < 10  # a quadratic check took minutes
    parts = rows_of(summary)["big.toml"]["problems"]["seed004-ex1"]["parts"]
    assert parts["paths_x"]["verdict"] == "invalid"
    assert parts["paths_x"]["reason"] == (
        f"the answer is {len(answer):,} characters long, over the limit of "
        f"{MAX_ANSWER_CHARS:,}")
    # Quoted as an excerpt: 200 characters and an ellipsis, in the gradebook and JSON.
    assert parts["paths_x"]["answer"] == answer[:200] + "…"
    assert parts["dfdx"]["answer"] == ("x + " * 50) + "…"
    assert parts["dfdx"]["verdict"] == "invalid"
    assert (tmp_path / "book.json").stat().st_size < 20_000


def test_a_long_paths_answer_under_the_limit_is_graded_quickly(subs, tmp_path):
    answer = huge_paths_answer(MAX_ANSWER_CHARS - 10)
    (subs / "long.toml").write_text(f'paths_x = "{answer}"\n', encoding="utf-8")
    start = time.perf_counter()
    summary = grade("seed004-ex1", subs, tmp_path / "book.json", progress=False)
    assert time.perf_counter() - start < 10
    part = rows_of(summary)["long.toml"]["problems"]["seed004-ex1"]["parts"]["paths_x"]
    assert part["verdict"] == "incorrect"
    assert len(part["feedback"]) == MAX_MESSAGES + 1
    assert part["feedback"][-1].startswith("... (+")


def test_the_check_report_quotes_an_excerpt(tmp_path):
    answer = "x + " * 400 + "x"
    report = check("seed004-ex1", {"dfdx": answer})
    text = report.text()
    assert "  > " + "x + " * 50 + "…" in text and answer not in text
    assert report.to_dict()["parts"][0]["answer"] == "x + " * 50 + "…"


def test_scan_opens_nothing(tmp_path):
    (tmp_path / "a.toml").write_text(RIGHT, encoding="utf-8")
    os.mkfifo(tmp_path / "b.toml")
    with must_not_block():
        intake = scan_submissions(tmp_path)
    assert intake.files == ["a.toml"]
    assert [(name, reason.code) for name, reason in intake.skipped] == [
        ("b.toml", "intake_not_regular")]


def test_a_file_replaced_by_a_link_after_the_scan_is_not_followed(tmp_path):
    (tmp_path / "secret.toml").write_text(RIGHT, encoding="utf-8")
    (tmp_path / "subs").mkdir()
    os.symlink(tmp_path / "secret.toml", tmp_path / "subs" / "ann.toml")
    content, digest, error = read_submission(tmp_path / "subs" / "ann.toml", 1000)
    assert content is None and digest == ""
    assert error.startswith("cannot read ann.toml: ")
