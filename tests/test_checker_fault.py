"""Fault tests of batch grading: `graphdiff grade` in a subprocess, with one worker killed
mid-run, then with the grading process itself killed; and a hang no signal handler sees.

The kills land at a known point through the test-only hook ``GRAPHDIFF_TEST_PAUSE``
(:data:`graphdiff.checker.batch.workers.TEST_PAUSE_ENV`): the worker that gets the named
submission starts a proof process, writes its pid and the proof process's pid to a flag
file and waits to be killed.  Every process of a run is in the session the test starts it
in, so "nothing is left alive" is checked by scanning /proc for that session.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from graphdiff.checker import grade
from graphdiff.checker.batch import workers as workers_module
from graphdiff.checker.synthetic import PROBLEMS, make_class

SET = ",".join(PROBLEMS)
N = 16
PAUSE_ON = "student_00008.toml"
# No symbolic proofs in these runs: a proof that times out under load would make two
# gradings of the same class differ, and that is not what is tested here.  (The paused
# worker still starts a proof process, so a kill always leaves one to clean up.)
OPTIONS = {"proof": "never", "per_submission": 20.0}
WAIT = 60.0  # seconds: a generous bound on every wait, so a bug fails instead of hanging

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists() or not hasattr(os, "fork"),
                                reason="needs Linux: /proc and fork")


def session_processes(session: int) -> list[str]:
    """The live (non-zombie) processes of a session, as 'pid state command' strings."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            text = Path(f"/proc/{name}/stat").read_text()
        except OSError:  # ended while we looked
            continue
        command, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:]
        state, _ppid, _pgrp, sid = rest.split()[:4]
        if int(sid) == session and state not in ("Z", "X"):
            found.append(f"{name} {state} {command}")
    return found


def wait_until_gone(session: int) -> None:
    deadline = time.monotonic() + WAIT
    while (alive := session_processes(session)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not alive, f"processes of the run outlived it: {alive}"


class BookWatcher:
    """Reads the gradebook as often as it can while a run goes on; records every text."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: set[str] = set()
        self.reads = 0
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.stop_flag.is_set():
            self.seen.add(self.path.read_text(encoding="utf-8"))  # must always exist
            self.reads += 1
            time.sleep(0.002)

    def stop(self) -> set[str]:
        self.stop_flag.set()
        self.thread.join(WAIT)
        return self.seen


def run_cli(subs: Path, book: Path, pause_flag: Path | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                         env.get("PYTHONPATH", "")])
    env.pop(workers_module.TEST_PAUSE_ENV, None)
    if pause_flag is not None:
        env[workers_module.TEST_PAUSE_ENV] = f"{PAUSE_ON}={pause_flag}"
    command = [sys.executable, "-m", "graphdiff.cli.checker", "grade", SET, str(subs),
               "-o", str(book), "--jobs", "2", "--force", "--no-progress",
               "--proof", OPTIONS["proof"], "--per-submission", str(OPTIONS["per_submission"])]
    # A session of its own: every process of the run (workers, proof processes) is in it.
    return subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_pause(flag: Path, process: subprocess.Popen) -> tuple[int, int]:
    """(worker pid, proof pid) once the paused worker has written them."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        text = flag.read_text() if flag.exists() else ""
        if text.endswith("\n"):
            worker, proof = map(int, text.split())
            return worker, proof
        if process.poll() is not None:
            pytest.fail(f"the run ended before pausing: {process.communicate()}")
        time.sleep(0.01)
    process.kill()
    pytest.fail(f"no worker paused on {PAUSE_ON} within {WAIT} s")


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """The class, the previous complete book and what one uninterrupted run writes."""
    folder = tmp_path_factory.mktemp("fault")
    make_class(folder / "subs", N, seed=11, broken_rate=0.1, hostile_rate=0.1)
    grade("seed004-ex3", folder / "subs", folder / "previous.csv", progress=False)
    grade(SET, folder / "subs", folder / "reference.csv", jobs=2, progress=False, **OPTIONS)
    previous = (folder / "previous.csv").read_text(encoding="utf-8")
    reference = (folder / "reference.csv").read_text(encoding="utf-8")
    assert previous != reference and reference.count("\n") == N + 1
    return folder, previous, reference


def test_a_killed_worker_is_replaced_and_its_submission_graded(books, tmp_path):
    folder, previous, reference = books
    book = tmp_path / "book.csv"
    book.write_text(previous, encoding="utf-8")
    watcher = BookWatcher(book)
    run = run_cli(folder / "subs", book, pause_flag=tmp_path / "paused")
    worker, proof = wait_for_pause(tmp_path / "paused", run)
    members = session_processes(run.pid)
    assert {m.split()[0] for m in members} >= {str(worker), str(proof)}, members
    os.kill(worker, signal.SIGKILL)  # the worker alone; its proof process is left to us
    out, err = run.communicate(timeout=WAIT)
    seen = watcher.stop()
    assert run.returncode == 0, err
    assert f"graded {N}, " in out
    # Graded exactly as an uninterrupted run grades it (the paused file retried) ...
    assert book.read_text(encoding="utf-8") == reference
    # ... the book on disk was always the previous complete one or the new complete one ...
    assert seen <= {previous, reference} and previous in seen and watcher.reads > 10
    assert not (tmp_path / "book.csv.journal").exists()
    # ... and nothing of the run is left: not the worker's proof process either.
    wait_until_gone(run.pid)


def test_a_killed_grading_process_leaves_nothing_and_the_rerun_resumes(books, tmp_path):
    folder, previous, reference = books
    book = tmp_path / "book.csv"
    book.write_text(previous, encoding="utf-8")
    book.chmod(0o640)
    watcher = BookWatcher(book)
    run = run_cli(folder / "subs", book, pause_flag=tmp_path / "paused")
    worker, proof = wait_for_pause(tmp_path / "paused", run)
    members = session_processes(run.pid)
    assert {m.split()[0] for m in members} >= {str(worker), str(proof)}, members
    os.kill(run.pid, signal.SIGKILL)  # the grading process itself
    run.wait(WAIT)
    # Its workers and their proof processes notice and die with it.
    wait_until_gone(run.pid)
    assert book.read_text(encoding="utf-8") == previous
    journal = (tmp_path / "book.csv.journal").read_text(encoding="utf-8").splitlines()
    # Eight files were sent out before the paused one, two at a time: six at least are done.
    assert 1 + 6 <= len(journal) < 1 + N
    rerun = run_cli(folder / "subs", book)
    out, err = rerun.communicate(timeout=WAIT)
    seen = watcher.stop()
    assert rerun.returncode == 0, err
    resumed = int(re.search(r"resumed (\d+)", out).group(1))
    assert resumed == len(journal) - 1 and f"graded {N - resumed}, " in out
    assert book.read_text(encoding="utf-8") == reference
    assert seen <= {previous, reference} and previous in seen
    assert oct(book.stat().st_mode & 0o777) == "0o640"
    assert not (tmp_path / "book.csv.journal").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv", "paused"]
    wait_until_gone(rerun.pid)


def test_a_hang_that_ignores_the_time_limit_is_killed_from_outside(tmp_path, monkeypatch):
    (tmp_path / "subs").mkdir()
    for name, answer in [("ann", "σ(z)(1 - σ(z))"), ("bob", "hang"), ("cat", "σ(z)"),
                         ("dan", "e^{-z}/(1+e^{-z})^2")]:
        (tmp_path / "subs" / f"{name}.toml").write_text(f'dsdz = "{answer}"\n', encoding="utf-8")
    from graphdiff.checker.problems import Part

    real = Part.grade

    def hang(self, answer, **kwargs):
        if answer == "hang":
            # As a loop in C code would: the in-process time limit (SIGALRM) never fires.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(WAIT)
        return real(self, answer, **kwargs)

    monkeypatch.setattr(Part, "grade", hang)
    monkeypatch.setattr(workers_module, "HARD_MARGIN", 0.5)
    start = time.monotonic()
    summary = grade("seed004-ex3", tmp_path / "subs", tmp_path / "book.csv", jobs=2,
                    progress=False, per_submission=2)
    assert time.monotonic() - start < WAIT / 2
    rows = {r["file"]: (r["status"], r["score"], r["error"]) for r in summary.rows}
    assert rows == {
        "ann.toml": ("graded", 1.0, ""),
        "bob.toml": ("error", 0.0, "grading took longer than 2 s and was stopped from outside"),
        "cat.toml": ("graded", 0.0, ""),
        "dan.toml": ("graded", 1.0, ""),
    }
    assert summary.errors == 1


def test_the_proof_process_holds_none_of_its_parents_pipes():
    """A proof process forked by a grading worker must not keep the worker's result pipe
    open: the supervisor would then never see the end of file that tells it the worker
    died (how a killed worker used to hang the whole run)."""
    import sympy

    from graphdiff.checker.proof import ProofWorker

    read_end, write_end = os.pipe()  # stands for a worker's pipe to the supervisor
    worker = ProofWorker()
    try:
        result = worker.run((sympy.Integer(1), "1", (), {}, {}), timeout=WAIT)
        assert result.status == "equal"
        pid = worker.process.pid
        held = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        ours = {os.readlink(f"/proc/self/fd/{fd}") for fd in (read_end, write_end)}
        assert not held & ours, held
        assert len([fd for fd in os.listdir(f"/proc/{pid}/fd") if int(fd) > 2]) == 1
    finally:
        worker.kill()
        os.close(read_end)
        os.close(write_end)
