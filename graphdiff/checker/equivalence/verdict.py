"""The verdict on an answer, and how its numbers are written in the messages."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np

from ..answers import AnswerError, Reading
from ..messages import Message

VERDICTS = ("correct", "incorrect", "invalid", "undecided")


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing one answer with the correct one.

    Attributes
    ----------
    verdict : str
        ``"correct"``, ``"incorrect"``, ``"invalid"`` (unreadable: not graded) or
        ``"undecided"`` (the check could not decide: a teacher should look).
    reason : Message
        Why (render with ``.render(lang)``).
    read_as : str or None
        The answer as it was read, in plain graphdiff syntax.
    warnings, notes : tuple of Message
        Ambiguities in the answer and remarks on the reading.
    feedback : tuple of Message
        What is probably wrong (missing paths, sign error, ...); codes in :attr:`codes`.
    method : str
        How it was decided: ``"numeric"``, ``"symbolic"``, ``"numeric+symbolic"``,
        ``"read"`` (invalid) or ``"exact"`` (numbers, path lists).
    line, column, excerpt :
        Position of the problem in an invalid answer.
    details : dict
        Points used, the counterexample, the proof outcome.

    >>> v = Verdict("correct", Message("equivalent", {"points": 16, "digits": 50}),
    ...             read_as="2*x", method="numeric")
    >>> v.correct, v.codes
    (True, ())
    >>> print(v.explain())
    correct: equal to the correct answer at 16 random points (checked to 50 digits)
    read as: 2*x
    """

    verdict: str
    reason: Message
    read_as: str | None = None
    warnings: tuple[Message, ...] = ()
    notes: tuple[Message, ...] = ()
    feedback: tuple[Message, ...] = ()
    method: str = ""
    line: int | None = None
    column: int | None = None
    excerpt: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    @property
    def codes(self) -> tuple[str, ...]:
        """The feedback codes (``("missing_path",)``)."""
        return tuple(f.code for f in self.feedback)

    def reason_text(self, lang: str = "en") -> str:
        text = self.reason.render(lang)
        if self.line is not None:
            text = Message("invalid_at", {"line": self.line, "column": self.column,
                                          "reason": text}).render(lang)
        return text

    def explain(self, lang: str = "en") -> str:
        """Verdict, reason, reading, warnings and feedback as a few lines of text."""
        lines = [f"{Message('verdict_' + self.verdict).render(lang)}: {self.reason_text(lang)}"]
        if self.excerpt:
            lines.append(self.excerpt)
        if self.read_as is not None:
            lines.append(f"{Message('report_read_as').render(lang)}: {self.read_as}")
        lines += [f"! {w.render(lang)}" for w in self.warnings]
        lines += [f"- {n.render(lang)}" for n in self.notes]
        lines += [f"* {f.render(lang)}" for f in self.feedback]
        return "\n".join(lines)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """JSON-ready data; texts rendered in ``lang``, codes kept for machines."""
        return {
            "verdict": self.verdict,
            "reason": {**self.reason.to_dict(lang), "text": self.reason_text(lang)},
            "read_as": self.read_as,
            "warnings": [w.to_dict(lang) for w in self.warnings],
            "notes": [n.to_dict(lang) for n in self.notes],
            "feedback": [f.to_dict(lang) for f in self.feedback],
            "method": self.method,
            "position": None if self.line is None else {"line": self.line,
                                                         "column": self.column},
            "details": {k: _plain_json(v) for k, v in self.details.items()},
        }

    def __repr__(self) -> str:
        return f"<Verdict {self.verdict}: {self.reason_text()}>"


def _plain_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_json(v) for v in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else str(value)
    return str(value)


def invalid(error: AnswerError, reading: Reading | None = None) -> Verdict:
    """The verdict for an answer that cannot be read.

    >>> from graphdiff.checker import read_answer
    >>> try:
    ...     read_answer("2x +", names=["x"])
    ... except AnswerError as err:
    ...     v = invalid(err)
    >>> v.verdict, v.method, v.line, v.column
    ('invalid', 'read', 1, 5)
    >>> v.reason_text()
    "line 1, column 5: expected a number, a name, a function or '(' here"
    """
    return Verdict(
        "invalid", error.message, read_as=reading.expression if reading else None,
        warnings=reading.warnings if reading else (), notes=reading.notes if reading else (),
        method="read", line=error.line, column=error.column, excerpt=error.excerpt,
    )



def format_pair(expected: Any, got: Any) -> tuple[str, str]:
    """Both values with enough digits to show that they differ."""
    for digits in (8, 12, 16, 24, 32, 50):
        a = mpmath.nstr(mpmath.mpf(expected), digits)
        b = mpmath.nstr(mpmath.mpf(got), digits)
        if a != b:
            return a, b
    return a, b


def format_value(value: Any) -> str:
    if isinstance(value, mpmath.mpf):
        return mpmath.nstr(value, 8)
    value = float(value)
    if value == 0:
        return "0"
    return f"{value:.6g}"


def format_point(point: Mapping[str, float]) -> str:
    return ", ".join(f"{v} = {format_value(x)}" for v, x in point.items()) or "—"

