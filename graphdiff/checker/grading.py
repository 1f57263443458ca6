"""Grading a class: a folder of answers files into a gradebook (CSV or JSON).

* **Explicit intake** (:func:`scan_submissions`): every ``*.toml`` file directly in the
  folder (any case: ``ANN.TOML`` too) is a submission; every other entry -- a hidden
  file, a folder, a FIFO, a symbolic link, a second hard link to a file, any other file --
  gets a *skipped* row with the reason.  Links are never followed and FIFOs never opened,
  so nothing outside the folder is read.  Student ids used by two files are flagged.
* **Bounded**: a file over ``max_bytes`` is refused before it is read, an answer over
  :data:`MAX_ANSWER_CHARS` before it is parsed, and the gradebook quotes at most
  :data:`~graphdiff.checker.report.EXCERPT_CHARS` characters of any answer.
* **Parallel and supervised**: ``jobs`` worker processes, each in its own process group
  with its symbolic-proof process; a worker dies with the grading process however that
  dies.  A submission that overruns ``per_submission`` seconds is stopped, first from
  inside the worker, then (a C-level hang) by killing the worker's process group from
  outside.  A worker that dies is replaced and its submission retried once, then given an
  error row.  A crash while grading one *part* costs that part only (verdict ``error``).
* **Atomic, resumable**: each graded row is appended to a journal next to the gradebook
  (``book.csv.journal``); the gradebook itself is written once, complete, to a temporary
  file in the same folder, fsynced and renamed over the old one, keeping its permissions.
  So the file on disk is always the previous complete gradebook or the new complete one;
  an interrupted run is resumed from the journal by running it again.
* **Re-runs skip** what is already graded: a row is reused when the file name, the
  content hash (sha256) and the problems' hash are unchanged.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "ann.toml").write_text('dfdx = "4x + 3y"\\ndfdy = "3x + 2y"\\n')
>>> _ = (folder / "bob.toml").write_text('dfdx = "2x + y"\\n')
>>> summary = grade("seed004-ex1", folder, folder / "book.csv", progress=False)
>>> summary.graded, summary.errors
(2, 0)
>>> import csv
>>> rows = list(csv.DictReader(open(folder / "book.csv")))
>>> [(r["student"], r["score"], r["max_score"], r["seed004-ex1:dfdx"]) for r in rows]
[('ann', '4', '8', 'correct'), ('bob', '0', '8', 'incorrect')]
>>> grade("seed004-ex1", folder, folder / "book.csv", progress=False).reused
2
>>> import shutil; shutil.rmtree(folder)
"""

from __future__ import annotations

import collections
import contextlib
import csv
import hashlib
import io
import json
import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import stat
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .._version import __version__
from ..errors import GraphdiffError
from .equivalence import Verdict
from .messages import Message
from .problems import MAX_FILE_BYTES, Part, Problem, ProblemError, answers_for, load_problems
from .proof import _set_parent_death_signal
from .report import excerpt

#: Seconds allowed to one submission (all its problems) before it is stopped.
PER_SUBMISSION_TIMEOUT = 60.0
#: Seconds past ``per_submission`` after which the worker is killed from outside (a hang
#: in C code does not see the in-process time limit).
HARD_MARGIN = 2.0
#: Answers longer than this (characters; a list of paths counts all its items) are
#: refused before they are parsed.
MAX_ANSWER_CHARS = 10_000
#: Longest rendered message (reason, feedback) kept in the gradebook.
MESSAGE_CHARS = 300
#: At most this many feedback, warning or note messages per part in the gradebook.
MAX_MESSAGES = 20
#: The journal is fsynced at most this often (each row is written at once, so a killed
#: run loses nothing; a power failure loses at most this much).
JOURNAL_SYNC_SECONDS = 0.5
#: How often the supervisor checks that its workers are alive, at least (seconds).
POLL_SECONDS = 0.1
#: Fixed columns of the CSV gradebook.
BASE_COLUMNS = ("file", "student", "status", "score", "max_score", "error", "notes",
                "sha256", "problems_sha")
#: Test-only hook (tests/test_checker_fault.py): ``NAME=FLAGFILE`` makes the worker that
#: gets submission NAME start a proof process, write "WORKER_PID PROOF_PID" to FLAGFILE
#: (created once, exclusively) and wait to be killed -- so a test can kill a worker or the
#: grading process at a known point.  A retry finds FLAGFILE and grades normally.
TEST_PAUSE_ENV = "GRAPHDIFF_TEST_PAUSE"

# A submission for a worker: (file name, content or None, sha256, error or None).
_Task = tuple[str, bytes | None, str, str | None]


@dataclass
class GradeSummary:
    """What a :func:`grade` run did.

    Attributes
    ----------
    total : int
        Submissions found (files graded, reused or resumed).
    graded, reused, resumed : int
        Graded now, taken from the previous gradebook, taken from the journal of an
        interrupted run.
    errors : int
        Error rows in the gradebook (bad files, crashes, time limits).
    skipped : list of (name, reason)
        Entries of the folder that are not submissions, with the reason.
    duplicates : dict
        Student id -> the files that use it, for ids used by more than one file.
    elapsed : float
        Seconds.
    output : Path
    rows : list of dict
        Every entry's row (JSON-ready), in name order, skipped entries included.

    >>> summary = GradeSummary(total=3, graded=2, reused=1, elapsed=0.5)
    >>> summary.throughput
    4.0
    >>> summary.skipped = [("notes.txt", "not an answers file")]
    >>> print(summary.text())
    graded 2, reused 1, file errors 0, total 3, skipped 1; 0.5 s (4.0 submissions/s) -> None
    skipped notes.txt: not an answers file
    """

    total: int = 0
    graded: int = 0
    reused: int = 0
    resumed: int = 0
    errors: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    elapsed: float = 0.0
    output: Path | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Submissions graded per second in this run (reused rows not counted)."""
        return self.graded / self.elapsed if self.elapsed > 0 else 0.0

    def text(self, lang: str = "en", limit: int = 30) -> str:
        """The summary line, then the skipped entries and duplicate ids (``limit`` each)."""
        ru = lang == "ru"
        counts = [("проверено" if ru else "graded", self.graded),
                  ("взято из прежней ведомости" if ru else "reused", self.reused)]
        if self.resumed:
            counts.append(("продолжено по журналу" if ru else "resumed", self.resumed))
        counts += [("ошибок в файлах" if ru else "file errors", self.errors),
                   ("всего" if ru else "total", self.total)]
        if self.skipped:
            counts.append(("пропущено" if ru else "skipped", len(self.skipped)))
        if self.duplicates:
            counts.append(("повторяющихся имён" if ru else "duplicate student ids",
                           len(self.duplicates)))
        rate = "работ/с" if ru else "submissions/s"
        lines = [", ".join(f"{what} {n}" for what, n in counts)
                 + f"; {self.elapsed:.1f} {'с' if ru else 's'} ({self.throughput:.1f} {rate}) "
                 f"-> {self.output}"]
        for name, reason in self.skipped[:limit]:
            lines.append(f"{'пропущено' if ru else 'skipped'} {name}: {reason}")
        for student, files in list(self.duplicates.items())[:limit]:
            lines.append(f"{'одно имя' if ru else 'same student id'} {student!r}: "
                         + ", ".join(files))
        hidden = max(len(self.skipped) - limit, 0) + max(len(self.duplicates) - limit, 0)
        if hidden:
            lines.append(f"... {hidden} {'ещё, см. ведомость' if ru else 'more in the gradebook'}")
        return "\n".join(lines)


# --- intake: which entries of the folder are submissions ---------------------------------


@dataclass
class Intake:
    """The entries of a submissions folder: files to grade and the rest, with reasons.

    Attributes
    ----------
    files : list of str
        Names of the answers files to grade, sorted.
    skipped : list of (str, Message)
        Every other entry (its name, printable) and why it is not graded.

    >>> intake = Intake(["ann.toml"], [("notes.txt", Message("intake_not_toml"))])
    >>> intake.files, intake.skipped[0][1].render("ru")
    (['ann.toml'], 'не файл ответов (имя не оканчивается на .toml)')
    """

    files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, Message]] = field(default_factory=list)


def scan_submissions(folder: str | Path, *, exclude: Callable[[str], bool] | None = None
                     ) -> Intake:
    """Sort every entry of ``folder`` into answers files and skipped entries.

    An answers file is a regular file directly in the folder whose name ends in
    ``.toml`` in any case.  Skipped, each with its reason: hidden names (``.x``), folders,
    FIFOs, sockets and devices (never opened), other files, names that are not UTF-8, a
    second hard link to a file already listed, and every symbolic link -- dangling,
    pointing outside the folder (refused) or to a file inside it (graded once, under its
    own name).  ``exclude(name)`` true leaves an entry out silently (the gradebook's own
    files).  Only metadata is looked at; nothing is opened.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = Path(tmp)
    ...     for name in ("ann.toml", "BOB.TOML", "notes.txt"):
    ...         _ = (folder / name).write_text("")
    ...     (folder / "eve.toml").mkdir()
    ...     os.mkfifo(folder / "pipe.toml")
    ...     os.symlink(folder / "ann.toml", folder / "copy.toml")
    ...     os.symlink("/etc/passwd", folder / "passwd.toml")
    ...     intake = scan_submissions(folder)
    >>> intake.files
    ['BOB.TOML', 'ann.toml']
    >>> for name, reason in intake.skipped:
    ...     print(f"{name}: {reason.render()}")
    copy.toml: a symbolic link to ann.toml in this folder: not graded again
      (links are never followed)
    eve.toml: a folder: only files directly in the submissions folder are graded
    notes.txt: not an answers file (the name does not end in .toml)
    passwd.toml: a symbolic link to outside the submissions folder: refused
    pipe.toml: not a regular file (FIFO): never opened
    """
    folder_real = os.path.realpath(folder)
    intake = Intake()
    inodes: dict[tuple[int, int], str] = {}
    with os.scandir(folder) as entries:
        ordered = sorted(entries, key=lambda e: e.name)
    for entry in ordered:
        if exclude is not None and exclude(entry.name):
            continue
        reason = _classify(entry, folder_real, inodes)
        if reason is None:
            intake.files.append(entry.name)
        else:
            intake.skipped.append((_printable(entry.name), reason))
    return intake


def _printable(name: str) -> str:
    """A file name as text (bytes that are not UTF-8 shown as ``\\xff``)."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _classify(entry: os.DirEntry[str], folder_real: str,
              inodes: dict[tuple[int, int], str]) -> Message | None:
    """Why ``entry`` is not a submission, or None when it is one."""
    name = entry.name
    if _printable(name) != name:
        return Message("intake_bad_name")
    if name.startswith("."):
        return Message("intake_hidden")
    try:
        if entry.is_symlink():
            return _link_reason(entry.path, folder_real)
        st = entry.stat(follow_symlinks=False)
    except OSError as err:  # removed while we looked
        return Message("intake_unreadable", {"reason": err.strerror or str(err)})
    if stat.S_ISDIR(st.st_mode):
        return Message("intake_folder")
    if not stat.S_ISREG(st.st_mode):
        kind = ("FIFO" if stat.S_ISFIFO(st.st_mode) else "socket" if stat.S_ISSOCK(st.st_mode)
                else "device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "unknown type")
        return Message("intake_not_regular", {"kind": kind})
    if not name.lower().endswith(".toml"):
        return Message("intake_not_toml")
    if st.st_nlink > 1:  # hard links: one file under two names is graded once
        first = inodes.setdefault((st.st_dev, st.st_ino), name)
        if first != name:
            return Message("intake_hard_link", {"other": first})
    return None


def _link_reason(path: str, folder_real: str) -> Message:
    # Decided on the resolved path alone: a target outside the folder is never touched.
    target = os.path.realpath(path)
    if os.path.commonpath([folder_real, target]) != folder_real:
        return Message("intake_link_outside")
    if not os.path.exists(path):  # dangling, or a loop of links
        return Message("intake_link_dangling")
    return Message("intake_link_inside", {"target": os.path.relpath(target, folder_real)})


def _read_submission(path: Path, max_bytes: int) -> tuple[bytes | None, str, str | None]:
    """(content or None, digest, error): one answers file, read safely.

    ``O_NOFOLLOW`` and ``O_NONBLOCK`` with a check that it is still a regular file: an
    entry replaced by a link or a FIFO after the scan is refused, not followed or waited
    on.  At most ``max_bytes`` + 1 bytes are read; a larger file gets an error and a
    digest of its size and first bytes.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        return None, "", Message("file_error", {"file": path.name, "reason":
                                                err.strerror or str(err)}).render()
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, "", Message("file_error", {"file": path.name,
                                                    "reason": "not a regular file"}).render()
        try:
            content = fh.read(max_bytes + 1)
        except OSError as err:
            return None, "", Message("file_error", {"file": path.name, "reason":
                                                    err.strerror or str(err)}).render()
    digest = hashlib.sha256(content).hexdigest()
    if len(content) > max_bytes or st.st_size > max_bytes:
        digest = hashlib.sha256(content + str(st.st_size).encode()).hexdigest()
        return None, digest, Message("file_too_large", {"size": f"{st.st_size:,}",
                                                        "limit": f"{max_bytes:,}"}).render()
    return content, digest, None


# --- the work of one submission (runs in a worker) ----------------------------------------

_WORKER: dict[str, Any] = {}


class _Timeout(BaseException):
    """The submission's time limit (a BaseException: ``except Exception`` in the checker
    must not swallow it)."""


def _init_worker(specs: Sequence[tuple[dict[str, Any], str]], options: Mapping[str, Any]
                 ) -> None:
    """Build the problems once per worker process."""
    _WORKER["problems"] = [Problem(data, origin) for data, origin in specs]
    _WORKER["options"] = dict(options)


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise _Timeout after ``seconds`` (main thread only; elsewhere no limit)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "setitimer"):
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _base_row(name: str, digest: str, options: Mapping[str, Any],
              max_score: float) -> dict[str, Any]:
    return {"file": name, "student": Path(name).stem, "sha256": digest,
            "problems_sha": options.get("problems_sha", ""), "status": "error",
            "score": 0.0, "max_score": max_score, "error": "", "problems": {}}


def grade_submission(name: str, content: bytes | None, digest: str, error: str | None = None,
                     ) -> dict[str, Any]:
    """Grade one answers file (its bytes) against the worker's problems.

    >>> from graphdiff.checker import get_problem
    >>> problem = get_problem("seed004-ex1")
    >>> _init_worker([(problem.data, problem.origin)], {})
    >>> row = grade_submission("ann.toml", b'dfdx = "4x + 3y"', "0" * 64)
    >>> row["status"], row["score"], row["max_score"]
    ('graded', 2.0, 8.0)
    >>> row["problems"]["seed004-ex1"]["parts"]["dfdx"]["verdict"]
    'correct'
    >>> grade_submission("bob.toml", b"\\xff", "0" * 64)["error"]
    'cannot read bob.toml: not UTF-8 text (invalid start byte)'
    """
    problems: list[Problem] = _WORKER["problems"]
    options = _WORKER["options"]
    lang = options.get("lang", "en")
    row = _base_row(name, digest, options,
                    sum(p.points for pr in problems for p in pr.parts))
    if error is not None or content is None:
        row["error"] = error or "unreadable"
        return row
    try:
        with _time_limit(options.get("per_submission", PER_SUBMISSION_TIMEOUT)):
            _grade_into(row, content, problems, options, lang)
    except _Timeout:
        row.update(status="error", score=0.0, problems={}, error=Message(
            "grading_timeout", {"seconds": options.get("per_submission")}).render(lang))
    except ProblemError as err:
        row.update(status="error", score=0.0, problems={}, error=str(err)[:500])
    except Exception as err:
        row.update(status="error", score=0.0, problems={}, error=Message(
            "internal_error", {"error": _describe(err)}).render(lang))
    return row


def _describe(err: BaseException) -> str:
    return excerpt("".join(traceback.format_exception_only(type(err), err)).strip(), 300)


def _grade_into(row: dict[str, Any], content: bytes, problems: Sequence[Problem],
                options: Mapping[str, Any], lang: str) -> None:
    import tomllib

    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as err:
        row["error"] = Message("file_error", {"file": row["file"],
                                              "reason": f"not UTF-8 text ({err.reason})"}
                               ).render(lang)
        return
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        row["error"] = Message("file_error", {"file": row["file"],
                                              "reason": f"not valid TOML: {err}"}).render(lang)
        return
    except RecursionError:
        row["error"] = Message("file_error", {"file": row["file"],
                                              "reason": "nested too deeply"}).render(lang)
        return
    student = data.get("student") or data.get("name")
    if isinstance(student, str) and student.strip():
        row["student"] = excerpt(student.strip())
    for problem in problems:
        answers = answers_for(problem, data, only=len(problems) > 1)
        row["problems"][problem.id] = _grade_problem(problem, answers, options, lang)
    row.update(status="graded",
               score=sum(p["score"] for p in row["problems"].values()))


def _grade_problem(problem: Problem, answers: Mapping[str, Any], options: Mapping[str, Any],
                   lang: str) -> dict[str, Any]:
    """One problem's parts, each graded on its own (as :meth:`Problem.grade` does, but a
    crash in one part costs that part only)."""
    given: dict[str, Any] = {}
    notes: list[Message] = []
    for key, value in answers.items():
        try:
            part = problem.part(str(key)[:200])
        except KeyError:
            if len(notes) < MAX_MESSAGES:
                notes.append(Message("report_unknown_key", {
                    "key": str(key)[:60], "parts": ", ".join(p.id for p in problem.parts)}))
            continue
        given[part.id] = value
    parts = {}
    for part in problem.parts:
        answer = given.get(part.id)
        verdict = _grade_part(part, answer, options)
        parts[part.id] = {
            "verdict": verdict.verdict,
            "points": part.points if verdict.correct else 0.0,
            "max_points": part.points,
            "answer": None if answer is None else excerpt(_answer_text(answer)),
            "read_as": None if verdict.read_as is None else excerpt(verdict.read_as),
            "reason": excerpt(verdict.reason_text(lang), MESSAGE_CHARS),
            "feedback": _rendered(verdict.feedback, lang),
            "warnings": _rendered(verdict.warnings, lang),
        }
    return {"score": sum(p["points"] for p in parts.values()),
            "max_score": sum(p.points for p in problem.parts),
            "parts": parts, "notes": _rendered(notes, lang)}


def _grade_part(part: Part, answer: Any, options: Mapping[str, Any]) -> Verdict:
    if answer is None:
        return Verdict("missing", Message("no_answer"), method="read")
    length = _answer_chars(answer)
    if length > MAX_ANSWER_CHARS:  # before any parsing: a long answer costs nothing
        return Verdict("invalid", Message("too_long", {"length": f"{length:,}",
                                                       "limit": f"{MAX_ANSWER_CHARS:,}"}),
                       method="read")
    try:
        return part.grade(answer, proof=options.get("proof"), timeout=options.get("timeout"))
    except Exception as err:  # a bug or a resource error: this part only
        return Verdict("error", Message("internal_error", {"error": _describe(err)}),
                       method="error")


def _answer_chars(answer: Any) -> int:
    if isinstance(answer, list):
        return sum(_answer_chars(a) for a in answer) + len(answer)
    if isinstance(answer, str):
        return len(answer)
    return 0 if isinstance(answer, int | float) else len(str(answer)[:MAX_ANSWER_CHARS + 1])


def _answer_text(answer: Any) -> str:
    if isinstance(answer, list):
        return "; ".join(str(a) for a in answer[:100])
    return str(answer)


def _rendered(messages: Sequence[Message], lang: str) -> list[str]:
    texts = [excerpt(m.render(lang), MESSAGE_CHARS) for m in messages[:MAX_MESSAGES]]
    if len(messages) > MAX_MESSAGES:
        texts.append(f"... (+{len(messages) - MAX_MESSAGES})")
    return texts


def _test_pause(name: str) -> None:
    """Test-only (see :data:`TEST_PAUSE_ENV`): wait here, with a proof process started,
    until killed; at most once per flag file."""
    target, _, flag = os.environ.get(TEST_PAUSE_ENV, "").partition("=")
    if not flag or name != target:
        return
    try:
        fd = os.open(flag, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    import sympy

    from . import proof

    proof.prove(sympy.Integer(1), "1", [], {}, timeout=60)
    os.write(fd, f"{os.getpid()} {proof._WORKER.process.pid}\n".encode())
    os.close(fd)
    while True:
        time.sleep(1)


# --- worker processes ------------------------------------------------------------------------


def _worker_main(conn: Any, lifeline: tuple[int, int], parent: int, problems: list[Problem],
                 options: Mapping[str, Any]) -> None:  # pragma: no cover - a child process
    """A worker: grade the submissions the supervisor sends, one at a time."""
    # Its own process group, so that the supervisor kills it together with its proof
    # process; and it dies with the supervisor even if that is killed with SIGKILL.
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    _set_parent_death_signal()
    watch, write_end = lifeline
    os.close(write_end)  # only the supervisor may hold it, or its death is no end of file
    if os.getppid() != parent:  # the supervisor died before the signal was armed
        os._exit(1)
    _WORKER["problems"] = problems
    _WORKER["options"] = dict(options)
    while True:
        ready = multiprocessing.connection.wait([conn, watch])
        if watch in ready:  # end of file: the supervisor is gone (no PDEATHSIG here)
            os.killpg(0, signal.SIGKILL)
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        _test_pause(task[0])
        conn.send(grade_submission(*task))


@dataclass
class _Slot:
    """One worker process and the submission it is grading."""

    process: Any
    conn: Any
    task: _Task | None = None
    deadline: float = math.inf


class _Supervisor:
    """Worker processes fed one submission at a time; every death and overrun is handled.

    * each worker leads its own process group (its proof process joins it), and every
      kill is ``killpg(SIGKILL)``: nothing a worker started survives it;
    * a worker notices the supervisor's death (``PR_SET_PDEATHSIG`` on Linux, and the end
      of file on a *lifeline* pipe whose write end only the supervisor holds);
    * death is noticed by end of file on the worker's pipe and by polling ``waitpid``
      (the proof process closes the descriptors it inherits, so it cannot hide it);
    * a submission is retried once in a fresh worker, then reported; one that overruns
      its hard deadline is reported at once (a retry would hang again).
    """

    def __init__(self, jobs: int, problems: list[Problem], options: Mapping[str, Any]
                 ) -> None:
        self.jobs = jobs
        self.problems = problems
        self.options = dict(options)
        self.context = multiprocessing.get_context("fork")
        self.slots: list[_Slot] = []
        self.lifeline_r, self.lifeline_w = os.pipe()
        limit = float(options.get("per_submission") or 0)
        self.hard_limit = limit + HARD_MARGIN if limit > 0 else math.inf

    def __enter__(self) -> _Supervisor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Kill every worker with its group; close the lifeline."""
        for slot in list(self.slots):
            self._discard(slot)
        for fd in (self.lifeline_r, self.lifeline_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.lifeline_r = self.lifeline_w = -1

    def run(self, tasks: Sequence[_Task], collect: Callable[[dict[str, Any]], None]) -> None:
        """Grade ``tasks``; ``collect`` gets every row, in the order they finish."""
        queue = collections.deque(tasks)
        deaths: collections.Counter[str] = collections.Counter()
        while queue or any(s.task is not None for s in self.slots):
            self._dispatch(queue)
            busy = [s for s in self.slots if s.task is not None]
            now = time.monotonic()
            wait = min([POLL_SECONDS, *(s.deadline - now for s in busy)])
            ready = multiprocessing.connection.wait([s.conn for s in busy],
                                                    timeout=max(wait, 0.0))
            for slot in busy:
                self._check(slot, slot.conn in ready, queue, deaths, collect)

    def _check(self, slot: _Slot, readable: bool, queue: collections.deque[_Task],
               deaths: collections.Counter[str], collect: Callable[[dict[str, Any]], None]
               ) -> None:
        task = slot.task
        assert task is not None
        alive = slot.process.is_alive()
        if readable or (not alive and slot.conn.poll(0)):  # an answer, or end of file
            readable = True
            try:
                row = slot.conn.recv()
            except (EOFError, OSError):
                pass  # died before answering: below
            else:
                slot.task, slot.deadline = None, math.inf
                collect(row)
                return
        if readable or not alive:
            how = self._discard(slot)
            deaths[task[0]] += 1
            if deaths[task[0]] < 2:
                queue.appendleft(task)  # retried first, in a fresh worker
            else:
                collect(self._error_row(task, Message("worker_died", {"how": how})))
        elif time.monotonic() > slot.deadline:
            self._discard(slot)
            collect(self._error_row(task, Message("grading_killed", {
                "seconds": self.options.get("per_submission")})))

    def _dispatch(self, queue: collections.deque[_Task]) -> None:
        for slot in list(self.slots):
            if slot.task is None and not slot.process.is_alive():
                self._discard(slot)  # died while idle: no submission is to blame
            elif slot.task is None and queue:
                self._send(slot, queue.popleft())
        while queue and len(self.slots) < self.jobs:
            self._send(self._start(), queue.popleft())

    def _send(self, slot: _Slot, task: _Task) -> None:
        slot.task, slot.deadline = task, time.monotonic() + self.hard_limit
        with contextlib.suppress(OSError):  # a dead worker: noticed by the next check
            slot.conn.send(task)

    def _start(self) -> _Slot:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(
            target=_worker_main, name="graphdiff-grade",
            args=(theirs, (self.lifeline_r, self.lifeline_w), os.getpid(), self.problems,
                  self.options))
        process.start()
        theirs.close()  # only the worker holds its end: its death is an end of file here
        with contextlib.suppress(OSError):  # also here, so killpg works from the start
            os.setpgid(process.pid, process.pid)
        slot = _Slot(process, ours)
        self.slots.append(slot)
        return slot

    def _discard(self, slot: _Slot) -> str:
        """Kill the worker's group (the worker and its proof process), reap it."""
        with contextlib.suppress(OSError):
            os.killpg(slot.process.pid, signal.SIGKILL)
        slot.process.kill()
        slot.process.join(5)
        slot.conn.close()
        self.slots.remove(slot)
        code = slot.process.exitcode
        if code is not None and code < 0:
            return signal.Signals(-code).name if -code in signal.valid_signals() else str(code)
        return f"exit status {code}"

    def _error_row(self, task: _Task, message: Message) -> dict[str, Any]:
        row = _base_row(task[0], task[2], self.options, self.options.get("max_score", 0))
        row["error"] = message.render(self.options.get("lang", "en"))
        return row


# --- the journal: progress of an unfinished run --------------------------------------------


class _Journal:
    """The rows graded so far, one JSON line each, in ``<gradebook>.journal``.

    The first line is the run's key (problems, options, version): a journal with another
    key is from another grading and is discarded.  Each row is written as soon as it is
    graded (a killed run loses nothing) and fsynced every :data:`JOURNAL_SYNC_SECONDS`.
    A torn last line (a power failure) is cut off when the journal is read back.

    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     journal = _Journal(Path(tmp) / "book.csv.journal", {"problems_sha": "ab"})
    ...     fresh = journal.load()
    ...     _ = journal.add({"file": "ann.toml", "score": 2.0})
    ...     journal.close()
    ...     again = _Journal(Path(tmp) / "book.csv.journal", {"problems_sha": "ab"})
    ...     rows = again.load()
    ...     again.close()
    ...     other = _Journal(Path(tmp) / "book.csv.journal", {"problems_sha": "cd"})
    ...     discarded = other.load()
    ...     other.remove()
    >>> fresh, rows, discarded
    ({}, {'ann.toml': {'file': 'ann.toml', 'score': 2.0}}, {})
    """

    def __init__(self, path: Path, key: Mapping[str, Any]) -> None:
        self.path = path
        self.key = json.loads(json.dumps({"journal": 1, **key}, default=str))
        self.fh: IO[str] | None = None
        self.last_sync = 0.0

    def load(self) -> dict[str, dict[str, Any]]:
        """The rows of a matching journal (by file name), and open it for appending."""
        rows: dict[str, dict[str, Any]] = {}
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raw = b""
        complete = raw[:raw.rfind(b"\n") + 1]
        lines = complete.decode("utf-8", "replace").splitlines()
        if lines and _json_or_none(lines[0]) == self.key:
            for line in lines[1:]:
                row = _json_or_none(line)
                if isinstance(row, dict) and isinstance(row.get("file"), str):
                    rows[row["file"]] = row
            with open(self.path, "r+b") as fh:
                fh.truncate(len(complete))  # cut a torn last line before appending
            self.fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
        else:
            self.fh = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - until close()
            self.fh.write(json.dumps(self.key) + "\n")
            self.sync(force=True)
            _fsync_dir(self.path.parent)
        return rows

    def add(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """Append ``row``; returns it as it will be read back (JSON round trip)."""
        assert self.fh is not None
        line = json.dumps(row, default=str)
        self.fh.write(line + "\n")
        self.fh.flush()  # in the kernel now: survives the death of this process
        self.sync()
        return json.loads(line)

    def sync(self, force: bool = False) -> None:
        if self.fh is not None and (force or time.monotonic() - self.last_sync
                                    > JOURNAL_SYNC_SECONDS):
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.last_sync = time.monotonic()

    def close(self) -> None:
        if self.fh is not None:
            with contextlib.suppress(OSError):
                self.sync(force=True)
            self.fh.close()
            self.fh = None

    def remove(self) -> None:
        """Close and delete the journal (the complete gradebook is written)."""
        self.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        _fsync_dir(self.path.parent)


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


# --- the gradebook ---------------------------------------------------------------------------


def _problems_sha(problems: Sequence[Problem]) -> str:
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


def render_gradebook(rows: Sequence[Mapping[str, Any]], problems: Sequence[Problem],
                     fmt: str) -> str:
    """The gradebook as CSV or JSON text.

    >>> from graphdiff.checker import get_problem
    >>> problem = get_problem("seed004-ex1")
    >>> _init_worker([(problem.data, problem.origin)], {})
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
            "problems_sha": _problems_sha(problems),
            "submissions": list(rows),
        }, indent=1, ensure_ascii=False, default=str) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*BASE_COLUMNS, *part_columns(problems)],
                            lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(_csv_row(row, problems))
    return buffer.getvalue()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never
    a half-written one: a temporary file in the same folder, fsync, ``os.replace``, fsync
    of the folder.  An existing file's permissions are kept; a new file is private (0600).

    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     book = Path(tmp) / "book.csv"
    ...     write_atomic(book, "student,score\\nann,8\\n")
    ...     book.chmod(0o640)
    ...     write_atomic(book, "student,score\\nann,7\\n")
    ...     text, files = book.read_text(), sorted(p.name for p in Path(tmp).iterdir())
    ...     mode = oct(book.stat().st_mode & 0o777)
    >>> text, files, mode
    ('student,score\\nann,7\\n', ['book.csv'], '0o640')
    """
    path = Path(path)
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            if mode is not None:
                os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in ``folder`` durable (where the platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _previous_rows(path: Path, fmt: str) -> dict[str, dict[str, Any]]:
    """Rows of an existing gradebook by file name (empty if absent or unreadable)."""
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


def _flag_duplicates(rows: Sequence[dict[str, Any]], lang: str) -> dict[str, list[str]]:
    """Note, in each row, the other files with the same student id; returns id -> files."""
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


# --- progress -------------------------------------------------------------------------------


class Progress:
    """A plain-text progress bar on a stream (stderr); lines instead of ``\\r`` when the
    stream is not a terminal.

    >>> stream = io.StringIO()
    >>> bar = Progress(4, stream, width=8)
    >>> for done in range(1, 5):
    ...     bar.update(done)
    >>> bar.close()
    >>> [line.split()[:2] for line in stream.getvalue().splitlines()]
    [['[##......]', '1/4'], ['[####....]', '2/4'], ['[######..]', '3/4'], ['[########]', '4/4']]
    """

    def __init__(self, total: int, stream: IO[str] | None, width: int = 30) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.width = width
        self.start = time.perf_counter()
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.last_decile = -1
        self.last_draw = 0.0

    def update(self, done: int, force: bool = False) -> None:
        if self.stream is None:
            return
        now = time.perf_counter()
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        filled = int(self.width * done / self.total)
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} "
                f"{rate:5.1f}/s ETA {eta:4.0f}s")
        if self.tty:
            if force or now - self.last_draw > 0.1 or done == self.total:
                self.stream.write("\r" + line)
                self.stream.flush()
                self.last_draw = now
        else:
            decile = 10 * done // self.total
            if decile != self.last_decile or force:
                self.last_decile = decile
                self.stream.write(line + "\n")
                self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.tty:
            self.stream.write("\n")
            self.stream.flush()


# --- the driver -------------------------------------------------------------------------------


def grade(
    problems: str | Path | Problem | Sequence[Problem],
    submissions: str | Path,
    output: str | Path,
    *,
    jobs: int = 1,
    fmt: str | None = None,
    lang: str = "en",
    progress: bool | IO[str] | None = None,
    force: bool = False,
    proof: str | None = None,
    timeout: float | None = None,
    per_submission: float = PER_SUBMISSION_TIMEOUT,
    max_bytes: int = MAX_FILE_BYTES,
) -> GradeSummary:
    """Grade every answers file in ``submissions`` into the gradebook ``output``.

    Parameters
    ----------
    problems : problem file, folder of problem files, bank id(s) or Problem objects
    submissions : folder of answers files (one per student); see :func:`scan_submissions`
    output : path of the gradebook; ``.json`` gives JSON, anything else CSV
    jobs : int
        Worker processes (at least 1; grading never runs in this process, so that even a
        hang in C code is stopped).
    fmt : {"csv", "json"}, optional
        Overrides the format implied by the suffix.
    lang : {"en", "ru"}
        Language of the reasons and feedback in the gradebook.
    progress : bool or stream
        A progress bar on stderr (default: when stderr is a terminal).
    force : bool
        Grade everything again instead of reusing the previous gradebook's rows (the
        journal of an interrupted run of the same grading is still resumed).
    proof, timeout : see :func:`graphdiff.checker.compare`
    per_submission : float
        Seconds allowed to one submission (0: no limit).
    max_bytes : int
        Larger files get an error row without being read.

    Returns
    -------
    GradeSummary

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = Path(tmp)
    ...     _ = (folder / "ann.toml").write_text('dfdx = "4x + 3y"')
    ...     _ = (folder / "bob.toml").write_text('dfdx = "2x + y"')
    ...     _ = (folder / "eve.toml").write_text("dfdx = [[[")
    ...     summary = grade("seed004-ex1", folder, folder / "book.json", progress=False)
    ...     book = json.loads((folder / "book.json").read_text())
    >>> summary.total, summary.graded, summary.errors
    (3, 3, 1)
    >>> [(row["student"], row["status"], row["score"]) for row in book["submissions"]]
    [('ann', 'graded', 2.0), ('bob', 'graded', 0.0), ('eve', 'error', 0.0)]
    """
    start = time.perf_counter()
    problem_list = _problem_list(problems)
    folder = Path(submissions)
    if not folder.is_dir():
        raise GraphdiffError(f"{folder} is not a folder of submissions")
    if jobs < 1:
        raise GraphdiffError("jobs must be at least 1")
    out = Path(output)
    fmt = fmt or ("json" if out.suffix.lower() == ".json" else "csv")
    if fmt not in ("csv", "json"):
        raise GraphdiffError("the gradebook format must be csv or json")
    problems_sha = _problems_sha(problem_list)
    options = {"lang": lang, "proof": proof, "timeout": timeout,
               "per_submission": per_submission, "problems_sha": problems_sha,
               "max_score": sum(q.points for p in problem_list for q in p.parts)}
    journal = _Journal(out.with_name(out.name + ".journal"), {
        "graphdiff": __version__, "max_bytes": max_bytes,
        **{k: v for k, v in options.items() if k != "max_score"}})
    intake = scan_submissions(folder, exclude=_own_files(folder, out, journal.path))
    summary = GradeSummary(total=len(intake.files), output=out)
    previous = {} if force else _previous_rows(out, fmt)
    rows: dict[str, dict[str, Any]] = {
        name: {"file": name, "student": "", "status": "skipped", "score": None,
               "max_score": None, "error": reason.render(lang), "sha256": "",
               "problems_sha": problems_sha, "problems": {}}
        for name, reason in intake.skipped}
    journaled = journal.load()
    try:
        todo = _reuse(intake.files, folder, max_bytes, problems_sha, journaled, previous,
                      rows, summary)
        bar = Progress(len(todo), _stream(progress))

        def collect(row: dict[str, Any]) -> None:
            rows[row["file"]] = journal.add(row)
            summary.graded += 1
            bar.update(summary.graded)

        try:
            with _Supervisor(jobs, problem_list, options) as supervisor:
                supervisor.run(todo, collect)
        finally:
            bar.close()
        ordered = [rows[name] for name in sorted(rows)]
        summary.duplicates = _flag_duplicates(ordered, lang)
        write_atomic(out, render_gradebook(ordered, problem_list, fmt))
    except BaseException:
        journal.close()  # kept: a re-run resumes from it
        raise
    journal.remove()
    summary.rows = ordered
    summary.errors = sum(1 for r in ordered if r["status"] == "error")
    summary.skipped = [(r["file"], r["error"]) for r in ordered if r["status"] == "skipped"]
    summary.elapsed = time.perf_counter() - start
    return summary


def _reuse(files: Sequence[str], folder: Path, max_bytes: int, problems_sha: str,
           journaled: Mapping[str, dict[str, Any]], previous: Mapping[str, dict[str, Any]],
           rows: dict[str, dict[str, Any]], summary: GradeSummary) -> list[_Task]:
    """Read every file; take its row from the journal or the previous gradebook when its
    content is unchanged, else return it to be graded."""
    todo: list[_Task] = []
    for name in files:
        content, digest, error = _read_submission(folder / name, max_bytes)
        resumed, old = journaled.get(name), previous.get(name)
        if resumed is not None and resumed.get("sha256") == digest:
            rows[name] = resumed
            summary.resumed += 1
        elif old is not None and old.get("sha256") == digest and \
                old.get("problems_sha") == problems_sha and old.get("status") == "graded":
            rows[name] = old
            summary.reused += 1
        else:
            todo.append((name, content, digest, error))
    return todo


def _own_files(folder: Path, out: Path, journal: Path) -> Callable[[str], bool]:
    """The gradebook, its journal and its temporary files, when they are in ``folder``."""
    if os.path.realpath(out.parent) != os.path.realpath(folder):
        return lambda name: False
    prefix = f".{out.name}."
    return lambda name: name in (out.name, journal.name) or (
        name.startswith(prefix) and name.endswith(".tmp"))


def _stream(progress: bool | IO[str] | None) -> IO[str] | None:
    if progress is None:
        return sys.stderr if sys.stderr.isatty() else None
    if progress is True:
        return sys.stderr
    if progress is False:
        return None
    return progress


def _problem_list(problems: str | Path | Problem | Sequence[Problem]) -> list[Problem]:
    if isinstance(problems, Problem):
        return [problems]
    if isinstance(problems, str | Path):
        return load_problems(problems)
    result = list(problems)
    if not result or not all(isinstance(p, Problem) for p in result):
        raise GraphdiffError("expected problems")
    return result
