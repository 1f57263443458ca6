"""Judging an answer (the whole procedure): read it, let the numbers decide, and where
they cannot, the symbolic proof.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
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
    reading: Reading | None = None
    if isinstance(answer, Graph):
        graph = answer
        text = graph.source or ""
    else:
        try:
            reading = answer if isinstance(answer, Reading) else ref.read(answer)
            graph = reading.graph()
        except AnswerError as err:
            return invalid(err, reading)
        text = reading.expression
    read_as = reading.expression if reading else text
    common: dict[str, Any] = {"read_as": read_as,
                              "warnings": reading.warnings if reading else (),
                              "notes": reading.notes if reading else ()}
    outside = [n for n in graph.inputs if n not in ref.variables and n not in ref.names]
    if outside:
        return Verdict("invalid", Message("unknown_name", {
            "name": outside[0], "known": ", ".join([*ref.variables, *ref.names])}),
            method="read", **common)
    outcome = cached_outcome(ref, graph, text, min_digits)
    details: dict[str, Any] = {"points": ref.count, "usable": outcome.usable,
                               "confirmed": outcome.confirmed,
                               "extra_points": outcome.extra}
    if outcome.conventions:
        details["kink_conventions"] = outcome.conventions
    if outcome.unresolved:
        details["unresolved"] = outcome.unresolved
    if outcome.truncated:
        details["kink_search_truncated"] = True
    if outcome.status == "different":
        point = outcome.point or {}
        details["counterexample"] = point
        details["counterexample_kind"] = outcome.where
        if outcome.kind == "undefined":
            reason = Message("undefined_at", {"point": format_point(point),
                                              "expected": format_value(outcome.expected)})
        else:
            with mpmath.workdps(DPS):
                expected, got = format_pair(outcome.expected, outcome.got)
            reason = Message("differs_at", {"point": format_point(point),
                                            "expected": expected, "got": got})
        feedback = tuple(diagnose(outcome, graph)) if diagnose else ()
        if outcome.few_digits is not None:
            feedback = (Message("number_few_digits", {"digits": min_digits,
                                                      "given": outcome.few_digits}),
                        *feedback)
        return Verdict("incorrect", reason, feedback=feedback, method="numeric",
                       details=details, **common)
    if outcome.digits:
        details["digits_shown"] = True
        common["notes"] = (*common["notes"], Message("tol_digits"))
    if outcome.status == "equal" and proof != "always":
        return Verdict("correct", Message("equivalent", {"points": outcome.usable,
                                                         "digits": DPS}),
                       method="numeric", details=details, **common)
    # The symbolic stage: inconclusive numbers, or a confirmation that was asked for.
    if proof == "never":
        few = outcome.usable < MIN_POINTS and not (outcome.unresolved or outcome.truncated)
        return Verdict("undecided", Message("undecided_reason", {
            "why": Message("why_few_points" if few else "why_no_proof")}), method="numeric",
            details=details, **common)
    result = prove(ref.graph.to_sympy(), text, ref.variables, ref.sympy_names(),
                   assumptions={v: ref.domain.assumptions(v) for v in ref.variables},
                   timeout=timeout)
    details["proof"] = {"status": result.status, "how": result.how}
    if outcome.status == "equal":
        if result.status == "equal":
            return Verdict("correct", Message("proved_equal", {"how": result.how}),
                           method="numeric+symbolic", details=details, **common)
        return Verdict("correct", Message("equivalent", {"points": outcome.usable,
                                                         "digits": DPS}),
                       method="numeric", details=details, **common)
    if result.status == "equal":
        return Verdict("correct", Message("proved_equal", {"how": result.how}),
                       method="symbolic", details=details, **common)
    if result.status == "different":
        return Verdict("incorrect", Message("proved_different",
                                            {"difference": result.difference}),
                       method="symbolic", details=details, **common)
    why = "why_timeout" if result.status == "timeout" else (
        "why_few_points" if outcome.usable < MIN_POINTS and not outcome.unresolved
        and not outcome.truncated else "why_unknown")
    return Verdict("undecided", Message("undecided_reason", {"why": Message(why)}),
                   method="symbolic", details=details, **common)



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
