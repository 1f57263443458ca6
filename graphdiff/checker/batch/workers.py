"""Worker processes that grade submissions, and the supervisor that keeps them honest.

Each worker leads its own process group, with its symbolic-proof process; a worker dies
with the grading process however that dies.  A submission that overruns its time limit is
stopped inside its worker (:func:`.submission.time_limit`) or, a C-level hang, by killing
the worker's process group from outside.  A worker that dies is replaced and its
submission retried once, then given an error row.
"""

from __future__ import annotations

import collections
import contextlib
import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..messages import Message
from ..problems import Problem
from ..proof import _set_parent_death_signal
from .gradebook import new_row
from .submission import grade_submission, use_problems

#: Seconds past ``per_submission`` after which the worker is killed from outside (a hang
#: in C code does not see the in-process time limit).
HARD_MARGIN = 2.0
#: How often the supervisor checks that its workers are alive, at least (seconds).
POLL_SECONDS = 0.1
#: Test-only hook (tests/test_checker_fault.py): ``NAME=FLAGFILE`` makes the worker that
#: gets submission NAME start a proof process, write "WORKER_PID PROOF_PID" to FLAGFILE
#: (created once, exclusively) and wait to be killed -- so a test can kill a worker or the
#: grading process at a known point.  A retry finds FLAGFILE and grades normally.
TEST_PAUSE_ENV = "GRAPHDIFF_TEST_PAUSE"

#: A submission for a worker: (file name, content or None, sha256, error or None) -- the
#: arguments of :func:`.submission.grade_submission`.
Task = tuple[str, bytes | None, str, str | None]


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

    from .. import proof

    proof.prove(sympy.Integer(1), "1", [], {}, timeout=60)
    os.write(fd, f"{os.getpid()} {proof._WORKER.process.pid}\n".encode())
    os.close(fd)
    while True:
        time.sleep(1)


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
    use_problems(problems, options)
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
        # Looked up in this module at each call: tests replace it before the fork.
        conn.send(grade_submission(*task))


@dataclass
class _Slot:
    """One worker process and the submission it is grading."""

    process: Any
    conn: Any
    task: Task | None = None
    deadline: float = math.inf


class Supervisor:
    """Worker processes fed one submission at a time; every death and overrun is handled.

    * each worker leads its own process group (its proof process joins it), and every
      kill is ``killpg(SIGKILL)``: nothing a worker started survives it;
    * a worker notices the supervisor's death (``PR_SET_PDEATHSIG`` on Linux, and the end
      of file on a *lifeline* pipe whose write end only the supervisor holds);
    * death is noticed by end of file on the worker's pipe and by polling ``waitpid``
      (the proof process closes the descriptors it inherits, so it cannot hide it);
    * a submission is retried once in a fresh worker, then reported; one that overruns
      its hard deadline is reported at once (a retry would hang again).

    ``options`` are :func:`.submission.use_problems`'s, with ``max_score`` for error rows.

    >>> from graphdiff.checker import get_problem
    >>> rows = []
    >>> with Supervisor(2, [get_problem("seed004-ex3")], {"per_submission": 10}) as sup:
    ...     sup.run([("ann.toml", b'dsdz = "0"', "ab", None),
    ...              ("bob.toml", None, "", "cannot read bob.toml")], rows.append)
    >>> sorted((row["file"], row["status"]) for row in rows)
    [('ann.toml', 'graded'), ('bob.toml', 'error')]
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

    def __enter__(self) -> Supervisor:
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

    def run(self, tasks: Sequence[Task], collect: Callable[[dict[str, Any]], None]) -> None:
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

    def _check(self, slot: _Slot, readable: bool, queue: collections.deque[Task],
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

    def _dispatch(self, queue: collections.deque[Task]) -> None:
        for slot in list(self.slots):
            if slot.task is None and not slot.process.is_alive():
                self._discard(slot)  # died while idle: no submission is to blame
            elif slot.task is None and queue:
                self._send(slot, queue.popleft())
        while queue and len(self.slots) < self.jobs:
            self._send(self._start(), queue.popleft())

    def _send(self, slot: _Slot, task: Task) -> None:
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

    def _error_row(self, task: Task, message: Message) -> dict[str, Any]:
        row = new_row(task[0], task[2], self.options.get("problems_sha", ""),
                      self.options.get("max_score", 0))
        row["error"] = message.render(self.options.get("lang", "en"))
        return row
