"""Grading one submission -- its bytes -- into a gradebook row; this runs in a worker.

Bounded: an answer over :data:`MAX_ANSWER_CHARS` is refused before it is parsed, texts are
quoted as excerpts, and a submission that overruns its time limit is stopped from inside
(:func:`time_limit`; the supervisor in :mod:`.workers` kills a worker that does not stop).
A crash while grading one *part* costs that part only (verdict ``error``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import tomllib
import traceback
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..equivalence import Verdict
from ..messages import Message
from ..parts import as_text
from ..problems import Part, Problem, ProblemError, answers_for
from ..report import excerpt
from .gradebook import new_row

#: Seconds allowed to one submission (all its problems) before it is stopped.
PER_SUBMISSION_TIMEOUT = 60.0
#: Answers longer than this (characters; a list of paths counts all its items) are
#: refused before they are parsed.
MAX_ANSWER_CHARS = 10_000
#: Longest rendered message (reason, feedback) kept in the gradebook.
MESSAGE_CHARS = 300
#: At most this many feedback, warning or note messages per part in the gradebook.
MAX_MESSAGES = 20

# What grade_submission grades against in this process: set once per worker, so that
# each task sent to a worker carries only the submission.
_WORKER: dict[str, Any] = {}


def use_problems(problems: Sequence[Problem], options: Mapping[str, Any]) -> None:
    """Set the problems and options that :func:`grade_submission` grades against here.

    ``options``: ``lang``, ``proof``, ``timeout``, ``per_submission`` and
    ``problems_sha`` (see :func:`graphdiff.checker.batch.grade`).

    >>> from graphdiff.checker import get_problem
    >>> use_problems([get_problem("seed004-ex3")], {"lang": "ru"})
    >>> grade_submission("ann.toml", b"[[[", "0" * 64)["status"]
    'error'
    """
    _WORKER["problems"] = list(problems)
    _WORKER["options"] = dict(options)


class Timeout(BaseException):
    """The submission's time limit (a BaseException: ``except Exception`` in the checker
    must not swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`Timeout` after ``seconds`` (main thread only; elsewhere no limit).

    >>> import time
    >>> try:
    ...     with time_limit(0.05):
    ...         time.sleep(5)
    ... except Timeout:
    ...     print("stopped")
    stopped
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "setitimer"):
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Timeout()

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def grade_submission(name: str, content: bytes | None, digest: str, error: str | None = None,
                     ) -> dict[str, Any]:
    """Grade one answers file (its bytes) against this worker's problems (see
    :func:`use_problems`); ``error`` (the file could not be read) gives an error row.

    >>> from graphdiff.checker import get_problem
    >>> use_problems([get_problem("seed004-ex1")], {})
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
    row = new_row(name, digest, options.get("problems_sha", ""),
                  sum(p.points for pr in problems for p in pr.parts))
    if error is not None or content is None:
        row["error"] = error or "unreadable"
        return row
    try:
        with time_limit(options.get("per_submission", PER_SUBMISSION_TIMEOUT)):
            _grade_into(row, content, problems, options, lang)
    except Timeout:
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
    data, error = _read_answers(content, row["file"], lang)
    if data is None:
        row["error"] = error
        return
    student = data.get("student") or data.get("name")
    if isinstance(student, str) and student.strip():
        row["student"] = excerpt(student.strip())
    for problem in problems:
        answers = answers_for(problem, data, only=len(problems) > 1)
        row["problems"][problem.id] = _grade_problem(problem, answers, options, lang)
    row.update(status="graded",
               score=sum(p["score"] for p in row["problems"].values()))


def _read_answers(content: bytes, name: str, lang: str) -> tuple[dict[str, Any] | None, str]:
    """(the answers file's TOML data, "") or (None, why it cannot be read)."""
    try:
        return tomllib.loads(content.decode("utf-8")), ""
    except UnicodeDecodeError as err:
        reason = f"not UTF-8 text ({err.reason})"
    except tomllib.TOMLDecodeError as err:
        reason = f"not valid TOML: {err}"
    except RecursionError:
        reason = "nested too deeply"
    return None, Message("file_error", {"file": name, "reason": reason}).render(lang)


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
    parts = {part.id: _part_entry(part, given.get(part.id), options, lang)
             for part in problem.parts}
    return {"score": sum(p["points"] for p in parts.values()),
            "max_score": sum(p.points for p in problem.parts),
            "parts": parts, "notes": _rendered(notes, lang)}


def _part_entry(part: Part, answer: Any, options: Mapping[str, Any], lang: str
                ) -> dict[str, Any]:
    """One part's verdict, points and texts, as the gradebook keeps them."""
    verdict = _grade_part(part, answer, options)
    return {
        "verdict": verdict.verdict,
        "points": part.points if verdict.correct else 0.0,
        "max_points": part.points,
        "answer": None if answer is None else excerpt(_answer_text(answer)),
        "read_as": None if verdict.read_as is None else excerpt(verdict.read_as),
        "reason": excerpt(verdict.reason_text(lang), MESSAGE_CHARS),
        "feedback": _rendered(verdict.feedback, lang),
        "warnings": _rendered(verdict.warnings, lang),
    }


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
        return as_text(answer[:100])
    return str(answer)


def _rendered(messages: Sequence[Message], lang: str) -> list[str]:
    texts = [excerpt(m.render(lang), MESSAGE_CHARS) for m in messages[:MAX_MESSAGES]]
    if len(messages) > MAX_MESSAGES:
        texts.append(f"... (+{len(messages) - MAX_MESSAGES})")
    return texts
