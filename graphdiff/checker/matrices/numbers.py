"""A matrix of numbers judged against the correct one: the shape first, then the entries.

1. **Shape.**  An answer of another shape is incorrect at once: "your answer is 2×3, the
   gradient of W is 3×2" (and, where its entries are those of the transpose, so it is
   said).  A list of ``n`` numbers (a vector without orientation) is read as the ``n×1``
   column or the ``1×n`` row the correct answer is, with a note.
2. **Transpose.**  A square answer that is the transpose of the correct one (and not the
   correct one): "this is the transpose of the expected matrix".
3. **Entries**, each with the part's number policy (the digits shown, or the teacher's
   tolerance): all correct, or incorrect with the wrong entries named (and, for the first
   few, their correct values) and, where the whole matrix is a usual slip -- the negative,
   twice or half the correct one, another part's matrix, a chain-rule factor left out --
   that slip.

>>> import numpy as np
>>> from graphdiff.checker.parts import Tolerance
>>> from graphdiff.checker.matrices.literal import read_matrix
>>> correct = Expected(np.array([[1.0, -1.0], [0.5, 0.0]]), Message("what_correct"))
>>> def judge(text):
...     return judge_numbers(read_matrix(text), correct, Tolerance().check)
>>> judge("[[1, -1], [1/2, 0]]").verdict
'correct'
>>> print(judge("[[1, 0.5], [-1, 0]]").reason.render())
this is the transpose of the expected matrix
>>> print(judge("[[1, -1, 0], [0.5, 0, 0]]").reason.render())
your answer is 2×3, the correct matrix is 2×2
>>> v = judge("[[1, -1], [0.25, 0]]")
>>> print(v.reason.render()); print(v.feedback[0].render())
1 of 4 entries are wrong: (2, 1)
entry (2, 1): the correct value is 0.5, yours is 0.25
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

from ...errors import ParseError
from ...parse import parse
from .. import mpeval
from ..answers import TRANSLATED_LIMITS
from ..equivalence.verdict import Verdict
from ..messages import Message
from ..student.lexer import error_at
from ..student.shapes import shape_text
from .literal import MatrixReading, decimal_commas

#: ``check(expected, answer, accurate_digits=...) -> (ok, message)``: a part's number
#: policy (:meth:`graphdiff.checker.parts.Tolerance.check`).
EntryCheck = Callable[..., tuple[bool, Message | None]]
#: Digits an entry written as a formula is computed to (more for a long decimal).
DIGITS = 50
#: Wrong entries whose correct values the feedback shows.
SHOWN_ENTRIES = 4


@dataclass(frozen=True)
class Expected:
    """The correct matrix: its values (mpf or floats), what it is (for messages) and how
    many significant digits of it are accurate (45 at 50 digits; fewer from floats)."""

    values: np.ndarray
    what: Message
    accurate: int = 45

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(np.shape(self.values))


#: A usual slip: the feedback that names it and the matrix it gives.
Candidate = tuple[Message, np.ndarray]


def entry_values(reading: MatrixReading) -> np.ndarray:
    """The entries' values, row by row (mpf, to 50 digits or 20 more than a long decimal
    shows);
    :class:`~graphdiff.checker.answers.AnswerError` at an entry that has none.

    >>> from graphdiff.checker.matrices.literal import read_matrix
    >>> [mpmath.nstr(v, 5) for v in entry_values(read_matrix("[1/4, e^2]"))]
    ['0.25', '7.3891']
    """
    values = np.empty(len(reading.entries), dtype=object)
    for k, entry in enumerate(reading.entries):
        digits = max(DIGITS, sum(c.isdigit() for c in entry.expression) + 20)
        try:
            graph = parse(entry.expression, limits=TRANSLATED_LIMITS)
            values[k] = mpeval.evaluate(graph, {}, digits)[0]
        except (ParseError, mpeval.MPDomainError, mpeval.MPOverflow) as err:
            reason = Message("core_error", {"reason": str(err).splitlines()[0]})
            raise error_at(reason, reading.original, entry.start) from None
    return values


def judge_numbers(reading: MatrixReading, expected: Expected, check: EntryCheck,
                  candidates: Sequence[Candidate] = ()) -> Verdict:
    """The verdict on a matrix answer (see the module docstring); raises AnswerError where
    an entry has no value."""
    # How it was read, unless that is what was written.
    shown = None if "".join(reading.read_as.split()) == "".join(reading.original.split()) \
        else reading.read_as
    common: dict[str, Any] = {"read_as": shown, "warnings": reading.warnings,
                              "notes": reading.notes, "method": "exact"}
    texts = np.array([e.expression for e in reading.entries], dtype=object)
    values = entry_values(reading)
    shape = reading.shape
    if len(shape) == 1 and len(expected.shape) == 2 and 1 in expected.shape and \
            shape[0] == max(expected.shape):
        shape = expected.shape
        common["notes"] = (*reading.notes, Message("matrix_vector_read", {
            "shape": shape_text(shape)}))
    texts, values = texts.reshape(shape), values.reshape(shape)
    answer = _Answer(texts, values, check, expected.accurate)
    if shape != expected.shape:
        return _wrong_shape(reading, answer, expected, candidates, common)
    wrong, few = answer.compare(expected.values)
    params = {"expected": _number(np.asarray(expected.values)[()]), "got": str(texts[()]),
              "tolerance": Message("tol_digits")} if not shape else {}
    if not wrong and not few:
        if not shape:  # a number: as a number part says it
            return Verdict("correct", Message("number_equal", params), **common)
        return Verdict("correct", Message("matrix_equal", {"count": texts.size}), **common)
    if not shape:
        if few:
            return Verdict("incorrect", few[0][1], **common)
        return Verdict("incorrect", Message("number_differs", params),
                       feedback=tuple(answer.slips(expected, candidates)), **common)
    if answer.matches(np.swapaxes(expected.values, -1, -2)) if texts.ndim == 2 else False:
        return Verdict("incorrect", Message("matrix_transposed"), **common)
    feedback = answer.slips(expected, candidates)
    if feedback:  # a usual slip: every entry it touches is wrong, however few its digits
        wrong, few = sorted([*wrong, *(index for index, _ in few)]), []
    elif few and not wrong:
        return Verdict("incorrect", Message("matrix_few_digits", {
            "entries": _entries(few), "digits": few[0][1].params.get("digits")}), **common)
    feedback += [Message("matrix_entry_differs", {
        "entry": _entry(index), "expected": _number(expected.values[index]),
        "got": texts[index]}) for index in wrong[:SHOWN_ENTRIES]]
    if few:
        feedback.append(Message("matrix_few_digits", {"entries": _entries(few),
                                                      "digits": few[0][1].params.get(
                                                          "digits")}))
    return Verdict("incorrect", Message("matrix_entries_differ", {
        "count": len(wrong), "total": texts.size, "entries": _entries(wrong)}),
        feedback=tuple(feedback), **common)


def _wrong_shape(reading: MatrixReading, answer: _Answer, expected: Expected,
                 candidates: Sequence[Candidate], common: dict[str, Any]) -> Verdict:
    """Incorrect for its shape, with what the answer is where that can be said."""
    feedback: list[Message] = []
    shape = answer.texts.shape
    if len(expected.shape) == 2 and shape == expected.shape[::-1] and answer.matches(
            np.swapaxes(expected.values, -1, -2)):
        feedback.append(Message("matrix_transposed"))
    feedback += [message for message, values in candidates
                 if np.shape(values) == shape and answer.matches(values)][:1]
    if answer.texts.size > int(np.prod(expected.shape)) and decimal_commas(reading.original):
        feedback.append(Message("matrix_decimal_comma"))
    return Verdict("incorrect", Message("matrix_shape_differs", {
        "got": shape_text(shape), "what": expected.what,
        "expected": shape_text(expected.shape)}), feedback=tuple(feedback), **common)


@dataclass
class _Answer:
    """The answer's entries as written and their values, and the part's number policy."""

    texts: np.ndarray
    values: np.ndarray
    check: EntryCheck
    accurate: int

    def compare(self, expected: np.ndarray) -> tuple[list[tuple[int, ...]],
                                                     list[tuple[tuple[int, ...], Message]]]:
        """The wrong entries, and those right but with too few digits."""
        wrong: list[tuple[int, ...]] = []
        few: list[tuple[tuple[int, ...], Message]] = []
        for index in np.ndindex(self.texts.shape):
            ok, why = self.entry(expected[index], index)
            if not ok:
                if why is not None:
                    few.append((index, why))
                else:
                    wrong.append(index)
        return wrong, few

    def entry(self, expected: Any, index: tuple[int, ...]) -> tuple[bool, Message | None]:
        return self.check(expected, self.answer_at(index), accurate_digits=self.accurate)

    def answer_at(self, index: tuple[int, ...]) -> Any:
        """An entry as the number policy takes it: a decimal as written (its digits), a
        formula by its value."""
        text = str(self.texts[index])
        return text if _is_decimal(text) else self.values[index]

    def matches(self, values: Any) -> bool:
        """Whether every entry is right for the matrix ``values`` (of the same shape; in
        floats, only its first 12 digits count)."""
        values = np.asarray(values)
        if values.shape != self.texts.shape:
            return False
        accurate = self.accurate if values.dtype == object else min(self.accurate, 12)
        return all(self.check(values[index], self.answer_at(index),
                              accurate_digits=accurate)[0]
                   for index in np.ndindex(self.texts.shape))

    def slips(self, expected: Expected, candidates: Sequence[Candidate]) -> list[Message]:
        """The first usual slip the whole answer matches (the negative, twice, half;
        another part's matrix; a factor left out)."""
        values = np.asarray(expected.values)
        usual: list[Candidate] = [
            (Message("sign_error"), -values), (Message("factor_two", {"factor": "2"}),
                                               values * 2),
            (Message("factor_two", {"factor": "1/2"}), values / 2), *candidates]
        for message, other in usual:
            if np.shape(other) == self.texts.shape and not _same(other, values) and \
                    self.matches(other):
                return [message]
        return []


def _same(a: Any, b: Any) -> bool:
    return all(abs(x - y) <= 1e-12 * max(abs(x), abs(y), 1e-300)
               for x, y in zip(np.ravel(a), np.ravel(b), strict=True))


def _is_decimal(text: str) -> bool:
    body = text[1:] if text.startswith("-") else text
    return bool(body) and all(c.isdigit() or c in ".e-+" for c in body) and body[0].isdigit()


def _entry(index: tuple[int, ...]) -> str:
    """An entry's position as students count: ``(1, 2)``, ``(3)`` in a vector."""
    return "(" + ", ".join(str(k + 1) for k in index) + ")"


def _entries(indices: Sequence[Any]) -> str:
    shown = [_entry(i[0] if isinstance(i[0], tuple) else i) for i in indices[:12]]
    return ", ".join(shown) + (", …" if len(indices) > 12 else "")


def _number(value: Any) -> str:
    """A correct value as shown: an integer as such, else 10 significant digits."""
    mp = mpmath.mpf(value)
    if mp == int(mp) and abs(mp) < 10**15:
        return str(int(mp))
    return mpmath.nstr(mp, 10)
