"""Grading a class: a folder of answers files into a gradebook (CSV or JSON).

* **Explicit intake** (:mod:`.intake`): every ``*.toml`` file directly in the folder (any
  case: ``ANN.TOML`` too) is a submission; every other entry -- a hidden file, a folder, a
  FIFO, a symbolic link, a second hard link to a file, any other file -- gets a *skipped*
  row with the reason.  Links are never followed and FIFOs never opened, so nothing
  outside the folder is read.  Student ids used by two files are flagged.
* **Bounded** (:mod:`.submission`): a file over ``max_bytes`` is refused before it is
  read, an answer over :data:`MAX_ANSWER_CHARS` before it is parsed, and the gradebook
  quotes at most :data:`~graphdiff.checker.report.EXCERPT_CHARS` characters of any answer.
* **Parallel and supervised** (:mod:`.workers`): ``jobs`` worker processes, each in its
  own process group with its symbolic-proof process; a worker dies with the grading
  process however that dies.  A submission that overruns ``per_submission`` seconds is
  stopped, first from inside the worker, then (a C-level hang) by killing the worker's
  process group from outside.  A worker that dies is replaced and its submission retried
  once, then given an error row.  A crash while grading one *part* costs that part only
  (verdict ``error``).
* **Atomic, resumable** (:mod:`.journal`, :mod:`.durable`): each graded row is appended
  to a journal next to the gradebook (``book.csv.journal``); the gradebook itself is
  written once, complete, to a temporary file in the same folder, fsynced and renamed
  over the old one, keeping its permissions.  So the file on disk is always the previous
  complete gradebook or the new complete one; an interrupted run is resumed from the
  journal by running it again.
* **Re-runs skip** what is already graded (:mod:`.run`): a row is reused when the file
  name, the content hash (sha256) and the problems' hash are unchanged.

The modules, each on top of the ones before it: :mod:`.durable`, :mod:`.intake`,
:mod:`.gradebook`, :mod:`.journal`, :mod:`.submission` (one submission, in a worker),
:mod:`.workers`, :mod:`.progress`, :mod:`.run` (:func:`grade`).

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

from .durable import write_atomic
from .gradebook import BASE_COLUMNS, part_columns, render_gradebook
from .intake import Intake, scan_submissions
from .journal import JOURNAL_SYNC_SECONDS
from .progress import Progress
from .run import GradeSummary, grade
from .submission import (
    MAX_ANSWER_CHARS,
    MAX_MESSAGES,
    MESSAGE_CHARS,
    PER_SUBMISSION_TIMEOUT,
    grade_submission,
)
from .workers import HARD_MARGIN, POLL_SECONDS, TEST_PAUSE_ENV

__all__ = [
    "BASE_COLUMNS",
    "HARD_MARGIN",
    "JOURNAL_SYNC_SECONDS",
    "MAX_ANSWER_CHARS",
    "MAX_MESSAGES",
    "MESSAGE_CHARS",
    "PER_SUBMISSION_TIMEOUT",
    "POLL_SECONDS",
    "TEST_PAUSE_ENV",
    "GradeSummary",
    "Intake",
    "Progress",
    "grade",
    "grade_submission",
    "part_columns",
    "render_gradebook",
    "scan_submissions",
    "write_atomic",
]
