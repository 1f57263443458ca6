"""The bounded symbolic proof: sympy in a worker process that is killed on timeout.

sympy's ``simplify`` and ``equals`` can run for minutes (or forever) on innocent-looking
input, and a Python thread cannot be interrupted inside them.  So the proof runs in a
separate process; the checker waits at most ``timeout`` seconds for the answer and kills
the process otherwise (a fresh one is started for the next proof).  The student's text
crosses the process boundary as the graphdiff text it was read into and is parsed again
by the safe parser in the worker; nothing is ever ``sympify``-ed from text.

Steps, cheapest first, each on the difference ``answer - reference`` with the domain's
assumptions on the symbols (``positive=True`` where the domain is positive, else
``real=True``): the difference as built, ``expand``, ``cancel(together(.))``,
``simplify``, ``simplify`` after rewriting in ``exp``.  ``0`` proves equality; a nonzero
number proves a difference; anything else is "unknown".

>>> from graphdiff.checker.proof import prove
>>> import sympy
>>> x = sympy.Symbol("x")
>>> prove(2*x, "x + x", ["x"], {}).status
'equal'
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from ..ops import as_expr

#: Default time allowed to one symbolic proof (seconds).
DEFAULT_TIMEOUT = 1.0


@dataclass(frozen=True)
class ProofResult:
    """Outcome of a proof attempt.

    Attributes
    ----------
    status : str
        ``"equal"``, ``"different"``, ``"unknown"``, ``"timeout"`` or ``"error"``.
    how : str
        The step that decided (``"simplify"``), or what went wrong.
    difference : str
        The simplified difference, shortened (for ``"different"``: the constant).

    >>> result = ProofResult("different", "as written", "1")
    >>> result.status, result.difference
    ('different', '1')
    >>> ProofResult("timeout", "killed after 1 s") == ProofResult("timeout", "killed after 1 s")
    True
    """

    status: str
    how: str = ""
    difference: str = ""


def _symbols(variables: Sequence[str], assumptions: Mapping[str, Mapping[str, bool]]
             ) -> dict[sympy.Symbol, sympy.Symbol]:
    return {sympy.Symbol(v): sympy.Symbol(v, **(dict(assumptions.get(v, {})) or {"real": True}))
            for v in variables}


def prove_here(reference: sympy.Expr, answer_text: str, variables: Sequence[str],
               names: Mapping[str, sympy.Expr],
               assumptions: Mapping[str, Mapping[str, bool]] | None = None) -> ProofResult:
    """Run the proof steps in this process (no timeout: use :func:`prove`).

    >>> x, y = sympy.symbols("x y")
    >>> prove_here(x**2 + 2*x + 1, "(x + 1)^2", ["x"], {})
    ProofResult(status='equal', how='expand', difference='0')
    >>> prove_here(2*x + 2*y, "2*c", ["x", "y"], {"c": x + y}).status
    'equal'
    >>> prove_here(x, "x + 1", ["x"], {})
    ProofResult(status='different', how='as written', difference='1')
    """
    from ..parse import parse
    from .answers import TRANSLATED_LIMITS

    graph = parse(answer_text, limits=TRANSLATED_LIMITS)
    answer = graph.to_sympy()
    plain = {sympy.Symbol(n): e for n, e in names.items()}
    answer = answer.xreplace(plain)
    symbols = _symbols(variables, assumptions or {})
    # strict: the reference is a sympy expression; text would be refused, never parsed
    diff = (answer - as_expr(reference)).xreplace(symbols)
    steps = (
        ("as written", lambda e: e),
        ("expand", sympy.expand),
        ("cancel", lambda e: sympy.cancel(sympy.together(e))),
        ("simplify", sympy.simplify),
        ("simplify after rewriting in exp", lambda e: sympy.simplify(e.rewrite(sympy.exp))),
    )
    last = diff
    for how, step in steps:
        try:
            last = step(diff)
        except (TypeError, ValueError, NotImplementedError, AttributeError,
                sympy.PolynomialError):
            continue
        if last == 0:
            return ProofResult("equal", how, "0")
        if last.is_number and _clearly_nonzero(last):
            return ProofResult("different", how, _short(last))
    return ProofResult("unknown", "no step reached 0", _short(last))


def _clearly_nonzero(number: sympy.Expr) -> bool:
    """Whether a constant is a real number clearly away from 0 at 30 digits.

    sympy may leave a constant undecided (``Heaviside(0, 1)`` written some other way, a
    comparison it cannot settle): that is not a proof of a difference.

    >>> _clearly_nonzero(sympy.sqrt(2) - 1), _clearly_nonzero(sympy.Integer(0))
    (True, False)
    """
    try:
        value = number.evalf(30)
        return bool(value.is_real and value.is_finite and abs(value) > 1e-20)
    except (TypeError, ValueError, AttributeError):
        return False


def _short(expr: Any) -> str:
    text = str(expr)
    return text if len(text) <= 200 else text[:197] + "..."


def _set_parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies (``PR_SET_PDEATHSIG``).

    The kernel does it even when the parent is killed with SIGKILL, so a child never
    outlives the process that started it.  False where this is not available.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(1, int(sig), 0, 0, 0) == 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return False


def _close_inherited_fds(keep: int) -> None:
    """Close every descriptor but stdio and ``keep``.

    A forked process inherits all of its parent's pipes; holding a grading worker's
    result pipe, the proof process would hide that worker's death from the supervisor
    (no end of file while the pipe is open somewhere).
    """
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd > 2 and fd != keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def _worker_main(conn: Any, parent: int | None = None
                 ) -> None:  # pragma: no cover - runs in the child process
    _set_parent_death_signal()
    if parent is not None and os.getppid() != parent:  # orphaned before the line above
        return
    _close_inherited_fds(conn.fileno())
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        try:
            result = prove_here(*message)
        except Exception as err:
            result = ProofResult("error", f"{type(err).__name__}: {str(err)[:200]}")
        try:
            conn.send(result)
        except (OSError, ValueError):
            return


class ProofWorker:
    """One long-lived worker process; killed and replaced when a proof times out.

    A message is the arguments of :func:`prove_here`; the process starts on first use.

    >>> x = sympy.Symbol("x")
    >>> worker = ProofWorker()
    >>> worker.alive()
    False
    >>> worker.run((x**2, "x*x", ("x",), {}, {}), timeout=10)
    ProofResult(status='equal', how='as written', difference='0')
    >>> worker.alive()
    True
    >>> worker.kill()
    >>> worker.alive()
    False
    """

    def __init__(self) -> None:
        self.process: Any = None
        self.conn: Any = None
        self.pid_owner = os.getpid()

    def _context(self) -> Any:
        methods = multiprocessing.get_all_start_methods()
        return multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    def start(self) -> None:
        ctx = self._context()
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_worker_main, args=(child, os.getpid()), daemon=True,
                              name="graphdiff-proof")
        process.start()
        child.close()
        self.process, self.conn, self.pid_owner = process, parent, os.getpid()

    def alive(self) -> bool:
        return (self.process is not None and self.pid_owner == os.getpid()
                and self.process.is_alive())

    def run(self, message: tuple[Any, ...], timeout: float) -> ProofResult:
        if not self.alive():
            try:
                self.start()
            except (AssertionError, OSError) as err:  # e.g. inside a daemonic process
                return ProofResult("error", f"no worker process: {err}")
        try:
            self.conn.send(message)
            if self.conn.poll(timeout):
                return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as err:
            self.kill()
            return ProofResult("error", f"worker failed: {err}")
        except BaseException:
            # Interrupted while waiting (a time limit, Ctrl-C): the worker may still be
            # busy with this proof and would answer the next one with a stale result.
            self.kill()
            raise
        self.kill()
        return ProofResult("timeout", f"killed after {timeout:g} s")

    def kill(self) -> None:
        process, self.process = self.process, None
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.close()
            self.conn = None
        if process is not None and self.pid_owner == os.getpid():
            process.kill()
            process.join(timeout=2)


_WORKER = ProofWorker()
atexit.register(_WORKER.kill)


def prove(reference: sympy.Expr, answer_text: str, variables: Sequence[str],
          names: Mapping[str, sympy.Expr], *,
          assumptions: Mapping[str, Mapping[str, bool]] | None = None,
          timeout: float = DEFAULT_TIMEOUT) -> ProofResult:
    """Try to prove ``answer == reference`` within ``timeout`` seconds.

    ``answer_text`` is graphdiff text (what :func:`~graphdiff.checker.read_answer`
    produced); ``names`` maps node names the answer may use to their expressions.

    >>> x = sympy.Symbol("x")
    >>> prove(x, "x + 1", ["x"], {}, timeout=10)
    ProofResult(status='different', how='as written', difference='1')
    >>> prove(sympy.sqrt(x**2), "x", ["x"], {}, assumptions={"x": {"positive": True}},
    ...       timeout=10).status
    'equal'
    """
    message = (reference, answer_text, tuple(variables), dict(names), dict(assumptions or {}))
    return _WORKER.run(message, timeout)
