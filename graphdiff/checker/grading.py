"""Grading a class: a folder of answers files into a gradebook (CSV or JSON).

* **One file per student**, ``*.toml`` in the folder (see :func:`answers_for`).
* **Parallel**: ``jobs`` worker processes (``concurrent.futures.ProcessPoolExecutor``);
  each worker reads the problems once.
* **Robust**: a file that is too large, not UTF-8, not TOML, or hostile gets an *error*
  row and the batch goes on; a submission that takes longer than ``per_submission``
  seconds is stopped; a worker process that dies is replaced and the submissions it held
  are retried one by one, so only the culprit gets an error row.
* **Atomic**: the gradebook is written to a temporary file in the same folder, flushed to
  disk and renamed over the old one (``os.replace``), every few seconds and at the end,
  so a crash never leaves a half-written gradebook.
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

import concurrent.futures as cf
import contextlib
import csv
import hashlib
import io
import json
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import GraphdiffError
from .messages import Message
from .problems import MAX_FILE_BYTES, Problem, ProblemError, answers_for, load_problems

#: Seconds allowed to one submission (all its problems) before it is stopped.
PER_SUBMISSION_TIMEOUT = 60.0
#: Seconds between checkpoints of the gradebook.
CHECKPOINT_SECONDS = 3.0
#: Submissions sent to a worker at a time.
BATCH = 8
#: Fixed columns of the CSV gradebook.
BASE_COLUMNS = ("file", "student", "status", "score", "max_score", "error", "sha256",
                "problems_sha")


@dataclass
class GradeSummary:
    """What a :func:`grade` run did.

    Attributes
    ----------
    total : int
        Submissions found.
    graded, reused, errors : int
        Graded now, taken from the previous gradebook, and error rows (bad files).
    elapsed : float
        Seconds.
    output : Path
    rows : list of dict
        Every submission's result (JSON-ready), in file order.

    >>> summary = GradeSummary(total=3, graded=2, reused=1, elapsed=0.5)
    >>> summary.throughput
    4.0
    """

    total: int = 0
    graded: int = 0
    reused: int = 0
    errors: int = 0
    elapsed: float = 0.0
    output: Path | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Submissions graded per second in this run (reused rows not counted)."""
        return self.graded / self.elapsed if self.elapsed > 0 else 0.0

    def text(self, lang: str = "en") -> str:
        if lang == "ru":
            return (f"проверено {self.graded}, взято из прежней ведомости {self.reused}, "
                    f"ошибок в файлах {self.errors}, всего {self.total}; {self.elapsed:.1f} с "
                    f"({self.throughput:.1f} работ/с) -> {self.output}")
        return (f"graded {self.graded}, reused {self.reused}, file errors {self.errors}, "
                f"total {self.total}; {self.elapsed:.1f} s ({self.throughput:.1f} "
                f"submissions/s) -> {self.output}")


# --- the work of one submission (runs in a worker) ----------------------------------------

_WORKER: dict[str, Any] = {}


class _Timeout(Exception):
    pass


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


def _grade_batch(items: Sequence[tuple[str, bytes | None, str, str | None]]
                 ) -> list[dict[str, Any]]:
    return [grade_submission(name, content, digest, error) for name, content, digest, error
            in items]


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
    row: dict[str, Any] = {"file": name, "student": Path(name).stem, "sha256": digest,
                           "problems_sha": options.get("problems_sha", ""),
                           "status": "error", "score": 0.0,
                           "max_score": sum(p.points for pr in problems for p in pr.parts),
                           "error": "", "problems": {}}
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
        detail = "".join(traceback.format_exception_only(type(err), err)).strip()
        row.update(status="error", score=0.0, problems={}, error=Message(
            "internal_error", {"error": detail[:300]}).render(lang))
    return row


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
        row["student"] = student.strip()[:200]
    score = 0.0
    for problem in problems:
        answers = answers_for(problem, data, only=len(problems) > 1)
        report = problem.grade(answers, proof=options.get("proof"),
                               timeout=options.get("timeout"))
        score += report.score
        row["problems"][problem.id] = {
            "score": report.score, "max_score": report.max_score,
            "parts": {p.part: {
                "verdict": p.verdict.verdict, "points": p.points,
                "max_points": p.max_points, "answer": p.answer,
                "read_as": p.verdict.read_as, "reason": p.verdict.reason_text(lang),
                "feedback": [f.render(lang) for f in p.verdict.feedback],
                "warnings": [w.render(lang) for w in p.verdict.warnings],
            } for p in report.parts},
            "notes": [n.render(lang) for n in report.notes],
        }
    row.update(status="graded", score=score)


# --- files ----------------------------------------------------------------------------------


def _read_submission(path: Path, max_bytes: int) -> tuple[bytes | None, str, str | None]:
    """(content or None, digest, error) -- reads at most ``max_bytes`` + 1 bytes."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            content = fh.read(max_bytes + 1)
    except OSError as err:
        return None, "", f"cannot read the file: {err.strerror or err}"
    digest = hashlib.sha256(content).hexdigest()
    if len(content) > max_bytes or size > max_bytes:
        digest = hashlib.sha256(content + str(size).encode()).hexdigest()
        return None, digest, Message("file_too_large", {"size": f"{size:,}",
                                                        "limit": f"{max_bytes:,}"}).render()
    return content, digest, None


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


def _safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_row(row: Mapping[str, Any], problems: Sequence[Problem]) -> dict[str, Any]:
    out = {"file": _safe_cell(row["file"]), "student": _safe_cell(row["student"]),
           "status": row["status"], "score": _num(row["score"]),
           "max_score": _num(row["max_score"]), "error": _safe_cell(row.get("error", "")),
           "sha256": row["sha256"], "problems_sha": row["problems_sha"]}
    for problem in problems:
        parts = row.get("problems", {}).get(problem.id, {}).get("parts", {})
        for part in problem.parts:
            entry = parts.get(part.id)
            out[f"{problem.id}:{part.id}"] = entry["verdict"] if entry else (
                "" if row["status"] == "error" else "missing")
            out[f"{problem.id}:{part.id}:points"] = _num(entry["points"]) if entry else "0"
    return out


def _num(value: Any) -> str:
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
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        if isinstance(row.get("problems"), Mapping):  # graded in this run
            writer.writerow(_csv_row(row, problems))
        else:  # a row reused from the previous CSV gradebook
            writer.writerow({k: row.get(k, "") for k in writer.fieldnames})
    return buffer.getvalue()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never
    a half-written one: a temporary file in the same folder, fsync, ``os.replace``.

    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     book = Path(tmp) / "book.csv"
    ...     write_atomic(book, "student,score\\nann,8\\n")
    ...     write_atomic(book, "student,score\\nann,7\\n")
    ...     text, files = book.read_text(), sorted(p.name for p in Path(tmp).iterdir())
    >>> text, files
    ('student,score\\nann,7\\n', ['book.csv'])
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _previous_rows(path: Path, fmt: str) -> dict[str, dict[str, Any]]:
    """Rows of an existing gradebook by file name (empty if absent or unreadable)."""
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        if fmt == "json":
            rows = json.loads(text).get("submissions", [])
        else:
            rows = list(csv.DictReader(io.StringIO(text)))
    except (OSError, ValueError, AttributeError, csv.Error):
        return {}
    result = {}
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("file"), str):
            name = row["file"][1:] if row["file"].startswith("'") else row["file"]
            result[name] = row
    return result


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
    """Grade every ``*.toml`` answers file in ``submissions`` into the gradebook ``output``.

    Parameters
    ----------
    problems : problem file, folder of problem files, bank id(s) or Problem objects
    submissions : folder of answers files (one per student)
    output : path of the gradebook; ``.json`` gives JSON, anything else CSV
    jobs : int
        Worker processes (1: grade in this process).
    fmt : {"csv", "json"}, optional
        Overrides the format implied by the suffix.
    lang : {"en", "ru"}
        Language of the reasons and feedback in the gradebook.
    progress : bool or stream
        A progress bar on stderr (default: when stderr is a terminal).
    force : bool
        Grade everything again instead of reusing unchanged rows.
    proof, timeout : see :func:`graphdiff.checker.compare`
    per_submission : float
        Seconds allowed to one submission.
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
    out = Path(output)
    fmt = fmt or ("json" if out.suffix.lower() == ".json" else "csv")
    if fmt not in ("csv", "json"):
        raise GraphdiffError("the gradebook format must be csv or json")
    problems_sha = _problems_sha(problem_list)
    previous = {} if force else _previous_rows(out, fmt)
    files = sorted(p for p in folder.iterdir() if p.suffix == ".toml" and p.is_file()
                   and not p.name.startswith("."))
    summary = GradeSummary(total=len(files), output=out)
    rows: dict[str, dict[str, Any]] = {}
    todo: list[tuple[str, bytes | None, str, str | None]] = []
    for path in files:
        content, digest, error = _read_submission(path, max_bytes)
        old = previous.get(path.name)
        if old is not None and old.get("sha256") == digest and \
                old.get("problems_sha") == problems_sha and old.get("status") == "graded":
            rows[path.name] = old
            summary.reused += 1
            continue
        todo.append((path.name, content, digest, error))
    stream: IO[str] | None
    if progress is None:
        stream = sys.stderr if sys.stderr.isatty() else None
    elif progress is True:
        stream = sys.stderr
    elif progress is False:
        stream = None
    else:
        stream = progress
    bar = Progress(len(todo), stream)
    options = {"lang": lang, "proof": proof, "timeout": timeout,
               "per_submission": per_submission, "problems_sha": problems_sha,
               "max_score": sum(q.points for p in problem_list for q in p.parts)}
    specs = [(p.data, p.origin) for p in problem_list]
    names_in_order = [p.name for p in files]
    last_checkpoint = time.perf_counter()

    def collect(result: dict[str, Any]) -> None:
        nonlocal last_checkpoint
        rows[result["file"]] = result
        if result["status"] == "error":
            summary.errors += 1
        summary.graded += 1
        bar.update(summary.graded)
        if time.perf_counter() - last_checkpoint > CHECKPOINT_SECONDS:
            _write(out, rows, names_in_order, problem_list, fmt)
            last_checkpoint = time.perf_counter()

    try:
        if jobs <= 1 or len(todo) <= 1:
            _init_worker(specs, options)
            for item in todo:
                collect(grade_submission(*item))
        else:
            _run_pool(todo, specs, options, jobs, collect)
    finally:
        bar.close()
        _write(out, rows, names_in_order, problem_list, fmt)
    summary.rows = [rows[n] for n in names_in_order if n in rows]
    summary.elapsed = time.perf_counter() - start
    return summary


def _problem_list(problems: str | Path | Problem | Sequence[Problem]) -> list[Problem]:
    if isinstance(problems, Problem):
        return [problems]
    if isinstance(problems, str | Path):
        return load_problems(problems)
    result = list(problems)
    if not result or not all(isinstance(p, Problem) for p in result):
        raise GraphdiffError("expected problems")
    return result


def _write(out: Path, rows: Mapping[str, dict[str, Any]], order: Sequence[str],
           problems: Sequence[Problem], fmt: str) -> None:
    ordered = [rows[n] for n in order if n in rows]
    write_atomic(out, render_gradebook(ordered, problems, fmt))


def _run_pool(todo: Sequence[tuple[str, bytes | None, str, str | None]],
              specs: Sequence[tuple[dict[str, Any], str]], options: Mapping[str, Any],
              jobs: int, collect: Any) -> None:
    """Grade in worker processes; if a worker dies, retry its submissions one by one."""
    batches = [list(todo[i:i + BATCH]) for i in range(0, len(todo), BATCH)]
    mode = "batch"
    while batches:
        failed: list[tuple[str, bytes | None, str, str | None]] = []
        workers = jobs if mode != "isolate" else 1
        if mode == "isolate":
            # One submission per fresh pool: a crash now names its culprit.
            for item in [b[0] for b in batches]:
                try:
                    with cf.ProcessPoolExecutor(1, initializer=_init_worker,
                                                initargs=(specs, options)) as pool:
                        collect(pool.submit(_grade_batch, [item]).result()[0])
                except cf.process.BrokenProcessPool:
                    collect({"file": item[0], "student": Path(item[0]).stem,
                             "sha256": item[2], "problems_sha": options["problems_sha"],
                             "status": "error", "score": 0.0,
                             "max_score": options["max_score"],
                             "error": "the grading process crashed on this file",
                             "problems": {}})
            return
        with cf.ProcessPoolExecutor(workers, initializer=_init_worker,
                                    initargs=(specs, options)) as pool:
            futures = {pool.submit(_grade_batch, batch): batch for batch in batches}
            for future in cf.as_completed(futures):
                try:
                    for result in future.result():
                        collect(result)
                except cf.process.BrokenProcessPool:
                    failed.extend(futures[future])
        batches = [[item] for item in failed]
        mode = "single" if mode == "batch" else "isolate"
