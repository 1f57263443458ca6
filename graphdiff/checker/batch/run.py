"""A grading run: a folder of answers files into a gradebook, and what the run did.

:func:`grade` ties the layers together: intake (:mod:`.intake`), reuse of rows from the
journal (:mod:`.journal`) or the previous gradebook (:mod:`.gradebook`), the workers
(:mod:`.workers`), the progress bar (:mod:`.progress`) and the atomic write
(:mod:`.durable`).
"""

from __future__ import annotations

import concurrent.futures
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..._version import __version__
from ...errors import GraphdiffError
from ..problems import MAX_FILE_BYTES, Problem, load_problems
from .durable import write_atomic
from .gradebook import (
    flag_duplicates,
    previous_rows,
    problems_sha,
    render_gradebook,
    skipped_row,
)
from .intake import read_submission, scan_submissions
from .journal import Journal, journal_path
from .platforms import PLATFORMS, render_platform
from .progress import Progress, progress_stream
from .remote import run_on_executor
from .submission import PER_SUBMISSION_TIMEOUT
from .workers import Supervisor, Task


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

    def _finish(self, rows: list[dict[str, Any]], elapsed: float) -> None:
        """Fill in what the gradebook's rows tell: errors, skipped entries, the rows."""
        self.rows = rows
        self.errors = sum(1 for r in rows if r["status"] == "error")
        self.skipped = [(r["file"], r["error"]) for r in rows if r["status"] == "skipped"]
        self.elapsed = elapsed

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
    executor: concurrent.futures.Executor | None = None,
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
    fmt : {"csv", "json", "gradescope", "prairielearn", "moodle", "canvas"}, optional
        Overrides the format implied by the suffix; the platforms' formats are those of
        :mod:`.platforms` (Gradescope's and PrairieLearn's ``results.json`` grade one
        submission).
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
    executor : concurrent.futures.Executor, optional
        Grade on this executor instead of graphdiff's own process pool (``jobs`` is then
        the executor's business): a Dask cluster is
        ``grade(..., executor=distributed.Client(address).get_executor())``.  See
        :mod:`.remote` for what the time limits are there.

    Returns
    -------
    GradeSummary

    Examples
    --------
    >>> import json, tempfile
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
    folder, out, fmt = _checked(submissions, output, jobs, fmt)
    options = _worker_options(problem_list, lang=lang, proof=proof, timeout=timeout,
                              per_submission=per_submission)
    sha = options["problems_sha"]
    journal = Journal(journal_path(out), _journal_key(options, max_bytes))
    intake = scan_submissions(folder, exclude=_own_files(folder, out, journal.path))
    summary = GradeSummary(total=len(intake.files), output=out)
    # A platform's file is not a gradebook to read back: its rows are graded again.
    previous = {} if force or fmt in PLATFORMS else previous_rows(out, fmt)
    rows: dict[str, dict[str, Any]] = {
        name: skipped_row(name, reason.render(lang), sha) for name, reason in intake.skipped}
    journaled = journal.load()
    try:
        todo = _reuse(intake.files, folder, max_bytes, sha, journaled, previous, rows, summary)
        # The bar is closed after the workers are stopped, however the run ends.
        with Progress(len(todo), progress_stream(progress)) as bar:

            def collect(row: dict[str, Any]) -> None:
                rows[row["file"]] = journal.add(row)
                summary.graded += 1
                bar.update(summary.graded)

            if executor is not None:
                run_on_executor(executor, todo, problem_list, options, collect)
            else:
                with Supervisor(jobs, problem_list, options) as supervisor:
                    supervisor.run(todo, collect)
        ordered = [rows[name] for name in sorted(rows)]
        summary.duplicates = flag_duplicates(ordered, lang)
        text = render_platform(ordered, problem_list, fmt) if fmt in PLATFORMS else \
            render_gradebook(ordered, problem_list, fmt)
        write_atomic(out, text)
    except BaseException:
        journal.close()  # kept: a re-run resumes from it
        raise
    journal.remove()
    summary._finish(ordered, time.perf_counter() - start)
    return summary


def _checked(submissions: str | Path, output: str | Path, jobs: int, fmt: str | None
             ) -> tuple[Path, Path, str]:
    """(submissions folder, gradebook path, format), or GraphdiffError before any work."""
    folder = Path(submissions)
    if not folder.is_dir():
        raise GraphdiffError(f"{folder} is not a folder of submissions")
    if jobs < 1:
        raise GraphdiffError("jobs must be at least 1")
    out = Path(output)
    # The gradebook's folder may be new (Gradescope's /autograder/results/).
    out.parent.mkdir(parents=True, exist_ok=True)
    fmt = fmt or ("json" if out.suffix.lower() == ".json" else "csv")
    if fmt not in ("csv", "json", *PLATFORMS):
        raise GraphdiffError(f"the gradebook format must be one of csv, json, "
                             f"{', '.join(PLATFORMS)}")
    return folder, out, fmt


def _worker_options(problems: Sequence[Problem], **grading: Any) -> dict[str, Any]:
    """What the workers need besides the problems (see :func:`.submission.use_problems`)."""
    return {**grading, "problems_sha": problems_sha(problems),
            "max_score": sum(q.points for p in problems for q in p.parts)}


def _journal_key(options: Mapping[str, Any], max_bytes: int) -> dict[str, Any]:
    """What must match for a journal to be resumed: another grading's rows are not."""
    return {"graphdiff": __version__, "max_bytes": max_bytes,
            **{k: v for k, v in options.items() if k != "max_score"}}


def _reuse(files: Sequence[str], folder: Path, max_bytes: int, sha: str,
           journaled: Mapping[str, dict[str, Any]], previous: Mapping[str, dict[str, Any]],
           rows: dict[str, dict[str, Any]], summary: GradeSummary) -> list[Task]:
    """Read every file; take its row from the journal or the previous gradebook when its
    content is unchanged, else return it to be graded."""
    todo: list[Task] = []
    for name in files:
        content, digest, error = read_submission(folder / name, max_bytes)
        resumed, old = journaled.get(name), previous.get(name)
        if resumed is not None and resumed.get("sha256") == digest:
            rows[name] = resumed
            summary.resumed += 1
        elif old is not None and old.get("sha256") == digest and \
                old.get("problems_sha") == sha and old.get("status") == "graded":
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


def _problem_list(problems: str | Path | Problem | Sequence[Problem]) -> list[Problem]:
    if isinstance(problems, Problem):
        return [problems]
    if isinstance(problems, str | Path):
        return load_problems(problems)
    result = list(problems)
    if not result or not all(isinstance(p, Problem) for p in result):
        raise GraphdiffError("expected problems")
    return result
