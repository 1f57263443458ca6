"""The verdict on a matrix formula: the shape, then the numbers, then what went wrong.

>>> import graphdiff as gd
>>> from graphdiff.checker import read_answer
>>> shapes = {"G": (2, 3), "W": (2, 3)}
>>> g = gd.parse("G @ W.T", shapes=shapes)
>>> ref = MatrixReference(Source(g, g.output_ids[0]), shapes)
>>> def judge(text):
...     return judge_formula(ref, read_answer(text, names=list(shapes), shapes=shapes),
...                          Message("what_gradient", {"name": "X"}))
>>> judge("G W^T").verdict
'correct'
>>> print(judge("W G^T").reason.render())
this is the transpose of the expected matrix
>>> print(judge("G^T W").reason.render())
your answer is 3×3, the gradient of X is 2×2
>>> v = judge("-G W^T")
>>> v.verdict, [m.render() for m in v.feedback]
('incorrect', ['sign error: your answer is the negative of the correct one'])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..answers import AnswerError, Reading
from ..equivalence.decimals import Decimals
from ..equivalence.verdict import Verdict, invalid
from ..messages import Message
from ..student.shapes import shape_text
from .compare import (
    MatrixReference,
    Outcome,
    Source,
    format_entry,
    format_point,
    shown_values,
)
from .points import values_at
from .variants import variants

#: A usual slip of a matrix formula: the feedback that names it and its values at the
#: reference's points (computed only when needed).
Candidate = tuple[Message, Callable[[], np.ndarray]]


def judge_formula(ref: MatrixReference, reading: Reading, what: Message,
                  candidates: Sequence[Candidate] = ()) -> Verdict:
    """Compare a matrix formula (already read with the problem's shapes) with ``ref``."""
    try:
        graph = reading.graph()
    except AnswerError as err:
        return invalid(err, reading)
    common: dict[str, Any] = {"read_as": reading.expression, "warnings": reading.warnings,
                              "notes": reading.notes, "method": "numeric"}
    answer = Source(graph, graph.output_ids[0])
    expected = ref.source.shape
    if answer.shape != expected:
        return _wrong_shape(ref, answer, what, candidates, common)
    outcome = ref.compare(answer)
    details = _details(ref, outcome)
    if outcome.status == "equal":
        if outcome.floats_only:
            reason = Message("matrix_formula_equal_floats", {"points": outcome.usable})
        else:
            reason = Message("matrix_formula_equal", {"points": outcome.usable,
                                                      "digits": outcome.digits})
        return Verdict("correct", reason, details=details, **common)
    if outcome.status != "different":
        why = "why_matrix_time" if outcome.timed_out else "why_matrix_unresolved"
        return Verdict("undecided", Message("undecided_reason", {"why": Message(why)}),
                       details=details, **common)
    assert outcome.values is not None
    values = outcome.values
    if len(expected) == 2 and expected[0] == expected[1] and ref.same(
            values, np.swapaxes(ref.values, -1, -2)):
        return Verdict("incorrect", Message("matrix_transposed"), details=details, **common)
    feedback = _slips(ref, values, candidates) or _inside(ref, answer)
    decimals = Decimals.of(reading.expression, 2)
    if decimals is not None and decimals.fine and _close(outcome, decimals.min_digits):
        feedback.append(Message("matrix_decimals"))
    return Verdict("incorrect", _counterexample(outcome), feedback=tuple(feedback),
                   details=details, **common)


def _wrong_shape(ref: MatrixReference, answer: Source, what: Message,
                 candidates: Sequence[Candidate], common: dict[str, Any]) -> Verdict:
    feedback: list[Message] = []
    expected = ref.source.shape
    values = ref.values_of(answer)
    if len(expected) == 2 and answer.shape == expected[::-1] and ref.same(
            values, np.swapaxes(ref.values, -1, -2)):
        feedback.append(Message("matrix_transposed"))
    for message, compute in candidates:
        other = compute()
        if np.shape(other) == np.shape(values) and ref.same(values, other):
            feedback.append(message)
            break
    if not feedback:
        feedback = _inside(ref, answer)
    return Verdict("incorrect", Message("matrix_shape_differs", {
        "got": shape_text(answer.shape), "what": what, "expected": shape_text(expected)}),
        feedback=tuple(feedback), **common)


def _slips(ref: MatrixReference, values: np.ndarray, candidates: Sequence[Candidate]
           ) -> list[Message]:
    """The first usual slip the answer's values match at every point."""
    r = ref.values
    usual: list[Candidate] = [
        (Message("sign_error"), lambda: -r),
        (Message("factor_two", {"factor": "2"}), lambda: 2 * r),
        (Message("factor_two", {"factor": "1/2"}), lambda: r / 2), *candidates]
    for message, compute in usual:
        other = compute()
        if np.shape(other) == np.shape(values) and not ref.same(other, r) and ref.same(
                values, other):
            return [message]
    return []


def _inside(ref: MatrixReference, answer: Source) -> list[Message]:
    """The first slip inside the answer (:mod:`.variants`: factors in the wrong order, a
    transpose too many or missing) whose correction gives the correct matrix."""
    for message, graph in variants(answer.graph, answer.node, ref.source.shape):
        values = values_at(graph, graph.output_ids[0], ref.env, ref.count)
        if ref.same(values, ref.values):
            return [message]
    return []


def _close(outcome: Outcome, digits: int) -> bool:
    """Whether the counterexample's values are as close as decimals of ``digits``
    significant digits could make them (a rounded decimal could be the reason)."""
    try:
        expected, got = float(outcome.expected), float(outcome.got)
    except (TypeError, ValueError):
        return False
    return abs(got - expected) <= 10.0 ** (1 - digits) * max(abs(got), abs(expected))


def _counterexample(outcome: Outcome) -> Message:
    point = format_point(outcome.point)
    entry = format_entry(outcome.entry)
    if outcome.kind == "undefined":
        expected, _ = shown_values(outcome.expected, None)
        return Message("matrix_undefined_at", {"point": point, "entry": entry,
                                               "expected": expected})
    expected, got = shown_values(outcome.expected, outcome.got)
    return Message("matrix_differs_at", {"point": point, "entry": entry or "—",
                                         "expected": expected, "got": got})


def _details(ref: MatrixReference, outcome: Outcome) -> dict[str, Any]:
    details: dict[str, Any] = {"points": ref.random, "usable": outcome.usable,
                               "confirmed": outcome.confirmed, "extra_points": outcome.extra,
                               "floats_only": outcome.floats_only, "digits": outcome.digits}
    if outcome.unresolved:
        details["unresolved"] = outcome.unresolved
    if outcome.status == "different":
        details["counterexample"] = {n: np.asarray(v).tolist() for n, v in
                                     outcome.point.items()}
        details["counterexample_entry"] = list(outcome.entry)
    return details
