"""Judging an answer (the whole procedure): read it, let the numbers decide, and where
they cannot, the symbolic proof.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import mpmath
import sympy

from ...errors import GraphdiffError
from ...graph import Graph
from ..answers import AnswerError, Reading
from ..messages import Message
from ..proof import DEFAULT_TIMEOUT, prove
from .decimals import MIN_DIGITS
from .domain import Domain
from .numeric import MIN_POINTS, Outcome, cached_outcome
from .precision import DPS
from .reference import DEFAULT_POINTS, Reference, prepare
from .verdict import Verdict, format_pair, format_point, format_value, invalid


def judge(
    ref: Reference,
    answer: str | Reading | Graph,
    *,
    proof: str = "auto",
    timeout: float = DEFAULT_TIMEOUT,
    diagnose: Callable[[Outcome, Graph], Iterable[Message]] | None = None,
    min_digits: int | None = MIN_DIGITS,
) -> Verdict:
    """Compare ``answer`` with a prepared :class:`Reference` (the whole procedure).

    ``min_digits``: fewest significant digits of a decimal in the answer for it to count
    as "correct to the digits shown" (step 6); ``None`` reads decimals as exact.

    >>> ref = prepare("2x + 2c", ["x", "y"], names={"c": "x + y"})
    >>> judge(ref, "4x + 2y").verdict
    'correct'
    >>> v = judge(ref, "2x + 2z")
    >>> v.verdict, v.reason.render()
    ('invalid', "unknown name 'z'; the names you may use are c, x, y")
    >>> third = prepare("x/3")
    >>> v = judge(third, "0.333x")
    >>> v.verdict, [n.render() for n in v.notes]
    ('correct', ['rounded or truncated to the digits you wrote'])
    >>> v = judge(third, "0.33x")
    >>> v.verdict, [f.render() for f in v.feedback]
    ('incorrect', ['give at least 3 significant digits (you gave 2)'])
    >>> judge(third, "0.33x", min_digits=2).verdict, judge(third, "0.333x", min_digits=None).verdict
    ('correct', 'incorrect')
    """
    if proof not in ("auto", "always", "never"):
        raise GraphdiffError("proof must be 'auto', 'always' or 'never'")
    read = _read(ref, answer)                                            # step 1
    if isinstance(read, Verdict):
        return read
    outcome = cached_outcome(ref, read.graph, read.text, min_digits)     # steps 2-6
    details = _details(ref, outcome)
    if outcome.status == "different":                 # a counterexample is a proof
        return _counterexample(read, outcome, details, diagnose, min_digits)
    if outcome.digits:
        details["digits_shown"] = True
        read = replace(read, notes=(*read.notes, Message("tol_digits")))
    if outcome.status == "equal" and proof != "always":                  # step 7
        return read.verdict("correct", _equivalent(outcome), "numeric", details)
    if proof == "never":
        why = "why_few_points" if _too_few_points(outcome) else "why_no_proof"
        return read.verdict("undecided", _undecided(why), "numeric", details)
    return _symbolic(ref, read, outcome, details, timeout)              # step 8


@dataclass(frozen=True)
class _Answer:
    """The answer as read (step 1): its graph and text, and what every verdict on it
    repeats -- how it was read, the warnings and the notes."""

    graph: Graph
    text: str
    read_as: str
    warnings: tuple[Message, ...] = ()
    notes: tuple[Message, ...] = ()

    def verdict(self, verdict: str, reason: Message, method: str,
                details: Mapping[str, Any], feedback: tuple[Message, ...] = ()) -> Verdict:
        return Verdict(verdict, reason, read_as=self.read_as, warnings=self.warnings,
                       notes=self.notes, feedback=feedback, method=method, details=details)


def _read(ref: Reference, answer: str | Reading | Graph) -> _Answer | Verdict:
    """Step 1: the answer read and parsed, or the verdict *invalid* -- unreadable, or a
    name that is neither a variable nor a node name of the reference."""
    if isinstance(answer, Graph):
        text = answer.source or ""
        read = _Answer(answer, text, read_as=text)
    else:
        reading: Reading | None = None
        try:
            reading = answer if isinstance(answer, Reading) else ref.read(answer)
            graph = reading.graph()
        except AnswerError as err:
            return invalid(err, reading)
        read = _Answer(graph, reading.expression, reading.expression, reading.warnings,
                       reading.notes)
    outside = [n for n in read.graph.inputs if n not in ref.variables and n not in ref.names]
    if outside:
        known = ", ".join([*ref.variables, *ref.names])
        return read.verdict("invalid", Message("unknown_name", {"name": outside[0],
                                                                "known": known}), "read", {})
    return read


def _details(ref: Reference, outcome: Outcome) -> dict[str, Any]:
    """What the numbers did, for the verdict's details."""
    details: dict[str, Any] = {"points": ref.count, "usable": outcome.usable,
                               "confirmed": outcome.confirmed,
                               "extra_points": outcome.extra}
    if outcome.conventions:
        details["kink_conventions"] = outcome.conventions
    if outcome.unresolved:
        details["unresolved"] = outcome.unresolved
    if outcome.truncated:
        details["kink_search_truncated"] = True
    return details


def _counterexample(read: _Answer, outcome: Outcome, details: dict[str, Any],
                    diagnose: Callable[[Outcome, Graph], Iterable[Message]] | None,
                    min_digits: int | None) -> Verdict:
    """*Incorrect*: the point where the answer differs, and what is probably wrong."""
    point = outcome.point or {}
    details["counterexample"] = point
    details["counterexample_kind"] = outcome.where
    if outcome.kind in ("undefined", "overflow"):
        code = "overflows_at" if outcome.kind == "overflow" else "undefined_at"
        reason = Message(code, {"point": format_point(point),
                                "expected": format_value(outcome.expected)})
    else:
        with mpmath.workdps(DPS):
            expected, got = format_pair(outcome.expected, outcome.got)
        reason = Message("differs_at", {"point": format_point(point),
                                        "expected": expected, "got": got})
    feedback = tuple(diagnose(outcome, read.graph)) if diagnose else ()
    if outcome.few_digits is not None:
        feedback = (Message("number_few_digits", {"digits": min_digits,
                                                  "given": outcome.few_digits}), *feedback)
    return read.verdict("incorrect", reason, "numeric", details, feedback)


def _symbolic(ref: Reference, read: _Answer, outcome: Outcome, details: dict[str, Any],
              timeout: float) -> Verdict:
    """Step 8: the symbolic proof, where the numbers are inconclusive or a numeric
    *correct* is to be confirmed."""
    result = prove(ref.graph.to_sympy(), read.text, ref.variables, ref.sympy_names(),
                   assumptions={v: ref.domain.assumptions(v) for v in ref.variables},
                   timeout=timeout)
    details["proof"] = {"status": result.status, "how": result.how}
    proved = Message("proved_equal", {"how": result.how})
    if outcome.status == "equal":
        if result.status == "equal":
            return read.verdict("correct", proved, "numeric+symbolic", details)
        return read.verdict("correct", _equivalent(outcome), "numeric", details)
    if result.status == "equal":
        return read.verdict("correct", proved, "symbolic", details)
    if result.status == "different":
        return read.verdict("incorrect", Message("proved_different",
                                                 {"difference": result.difference}),
                            "symbolic", details)
    why = "why_timeout" if result.status == "timeout" else (
        "why_few_points" if _too_few_points(outcome) else "why_unknown")
    return read.verdict("undecided", _undecided(why), "symbolic", details)


def _equivalent(outcome: Outcome) -> Message:
    return Message("equivalent", {"points": outcome.usable, "digits": DPS})


def _undecided(why: str) -> Message:
    return Message("undecided_reason", {"why": Message(why)})


def _too_few_points(outcome: Outcome) -> bool:
    """Inconclusive for want of points (not for a point left undecided, nor a kink
    search cut short)."""
    return outcome.usable < MIN_POINTS and not (outcome.unresolved or outcome.truncated)


def compare(
    reference: str | sympy.Expr | Graph,
    answer: str,
    variables: Sequence[str] | None = None,
    *,
    names: Mapping[str, str | sympy.Expr | Graph] | None = None,
    functions: Mapping[str, str] | None = None,
    domain: Domain | Mapping[str, Any] | str | None = None,
    seed: int | None = None,
    proof: str = "auto",
    timeout: float = DEFAULT_TIMEOUT,
    points: int = DEFAULT_POINTS,
    min_digits: int | None = MIN_DIGITS,
) -> Verdict:
    """Is ``answer`` the same function as ``reference``?  The equivalence decision alone.

    Parameters
    ----------
    reference : str, sympy expression or Graph
        The correct answer (text in the same syntax students use).
    answer : str
        The student's answer as typed.
    variables : sequence of str, optional
        The variables (default: those of the reference).  An answer may use only
        these and ``names``.
    names : mapping, optional
        Node names the answer may use, with their meaning (``{"c": "x + y"}``).
    functions : mapping, optional
        Extra function words (``{"f": "sigmoid"}``).
    domain : mapping or Domain, optional
        ``{"x": "positive"}``, ``{"t": [0, 1]}``; default: all reals.
    seed, points : int
        The random points (default: 16, seeded from the reference); wide and kink
        points come on top.
    proof : {"auto", "always", "never"}
        When to run the symbolic proof (see the module docstring).
    timeout : float
        Seconds allowed to the symbolic proof before its process is killed.
    min_digits : int or None
        Fewest significant digits of a decimal for "correct to the digits shown"
        (default 3); ``None``: decimals are exact.

    Returns
    -------
    Verdict

    Examples
    --------
    >>> v = compare("2*x + y + 2*(x + y)", "4x + 3y")
    >>> v.verdict, v.method
    ('correct', 'numeric')
    >>> compare("sigmoid(z)*(1 - sigmoid(z))", r"\\frac{e^{-z}}{(1+e^{-z})^2}").verdict
    'correct'
    >>> compare("4*x + 3*y", "4x + 3y + 2c", names={"c": "x + y"}).verdict
    'incorrect'
    """
    ref = prepare(reference, variables, names=names, functions=functions, domain=domain,
                  seed=seed, points=points)
    return judge(ref, answer, proof=proof, timeout=timeout, min_digits=min_digits)
