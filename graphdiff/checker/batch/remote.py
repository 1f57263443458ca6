"""Grading on any ``concurrent.futures.Executor``: a Dask cluster, Ray, a thread pool.

The default of :func:`graphdiff.checker.grade` is its own process pool, which can kill a
worker that hangs in C code.  An executor the course brings (``distributed.Client(...)
.get_executor()``) runs :func:`grade_task` instead: the per-submission time limit still
stops a slow submission where the executor runs tasks in a process's main thread; elsewhere
(threads, Dask's workers) the executor's own limits apply.  A task that fails on the
executor gives that submission an error row; nothing is lost.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..problems import Problem
from .gradebook import new_row
from .submission import grade_submission, use_problems
from .workers import Task


def grade_task(problems: Sequence[Problem], options: Mapping[str, Any],
               task: Task) -> dict[str, Any]:
    """Grade one submission wherever an executor runs this (a picklable function).

    >>> from graphdiff.checker import get_problem
    >>> row = grade_task([get_problem("seed004-ex1")], {}, ("ann.toml", b'dfdx = "4x"', "0", None))
    >>> row["status"], row["problems"]["seed004-ex1"]["parts"]["dfdx"]["verdict"]
    ('graded', 'incorrect')
    """
    use_problems(problems, options)
    return grade_submission(*task)


def run_on_executor(executor: concurrent.futures.Executor, todo: Sequence[Task],
                    problems: Sequence[Problem], options: Mapping[str, Any],
                    collect: Callable[[dict[str, Any]], None]) -> None:
    """Grade ``todo`` on ``executor``, handing each row to ``collect`` as it arrives.

    >>> from concurrent.futures import ThreadPoolExecutor
    >>> from graphdiff.checker import get_problem
    >>> rows = []
    >>> with ThreadPoolExecutor(2) as pool:
    ...     run_on_executor(pool, [("a.toml", b'dfdx = "4x + 3y"', "0", None)],
    ...                     [get_problem("seed004-ex1")], {}, rows.append)
    >>> rows[0]["score"]
    2.0
    """
    futures = {executor.submit(grade_task, list(problems), dict(options), task): task
               for task in todo}
    max_score = sum(q.points for p in problems for q in p.parts)
    for future in concurrent.futures.as_completed(futures):
        name, _, digest, _ = futures[future]
        try:
            row = future.result()
        except Exception as err:  # the executor's failure, not the student's
            row = new_row(name, digest, options.get("problems_sha", ""), max_score)
            row["error"] = f"grading failed on the executor: {type(err).__name__}: {err}"
        collect(row)
