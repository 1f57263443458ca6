"""Kinds whose answer is a number: ``number`` (the teacher's ``answer``) and ``value`` (the
function or a derivative at the point ``at``).

A decimal answer must agree with the correct value to every digit it shows (rounded or
truncated at its last digit) and show at least ``min_digits`` significant digits (3 by
default) unless it is exact; see :class:`Tolerance`.

>>> from graphdiff.checker.problems import load_problem
>>> p = load_problem({"id": "demo", "title": "t", "parts": [
...     {"id": "third", "kind": "number", "answer": "1/3"}]})
>>> part = p.part("third")
>>> [part.grade(a).verdict for a in ("0.333", "0.3334", "1/3", "0.33")]
['correct', 'incorrect', 'correct', 'incorrect']
>>> print(part.grade("0.33").reason_text())
give at least 3 significant digits (you gave 2)
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import mpmath

from ...convert import from_sympy
from ...errors import GraphdiffError, excerpt
from ...graph import Graph
from .. import mpeval
from ..answers import AnswerError, read_answer
from ..equivalence import Verdict, invalid
from ..feedback import diagnose_number, number_alternatives
from ..messages import Message
from .base import Part, ProblemError, part_kind
from .formula import derivative_graph
from .tolerance import DecimalLiteral

#: Digits the correct value is computed to (more when an answer shows more).
DIGITS = 50


@part_kind("number")
class NumberPart(Part):
    """A number given as the teacher's ``answer`` (``"1/16"``, ``"e^2"``, ``"0.25"``)."""

    needs_answer = True
    tensor_ok = True  # the number stands alone: it reads nothing of the function

    def value_graph(self) -> Graph:
        """The graph whose value (at :meth:`point`) is the correct number."""
        return self.problem.read_reference(str(self.answer), f"{self.where}.answer",
                                           names=[])

    def point(self) -> dict[str, Any]:
        """Values of the inputs (none for a number)."""
        return {}

    #: The key named when the correct value cannot be computed.
    value_key = "answer"

    def expected_value(self, digits: int = DIGITS) -> Any:
        """The correct number (an mpf to ``digits`` significant digits)."""
        cache: dict[int, Any] = self.__dict__.setdefault("_expected", {})
        if digits not in cache:
            try:
                cache[digits] = mpeval.evaluate(self.value_graph(), self.point(), digits)[0]
            except (mpeval.MPDomainError, mpeval.MPOverflow) as err:
                raise ProblemError(f"{self.where}.{self.value_key}: the value is not defined "
                                   f"there: {err}") from None
        return cache[digits]

    def computed_text(self) -> str:
        return mpmath.nstr(self.expected_value(), 15)

    def grade_text(self, answer: str, *, proof: str, timeout: float) -> Verdict:
        try:
            reading = read_answer(answer, names=[], functions=self.problem.functions)
            graph = reading.graph()
        except AnswerError as err:
            return invalid(err)
        common: dict[str, Any] = {"read_as": reading.expression, "warnings": reading.warnings,
                                  "notes": reading.notes}
        literal = DecimalLiteral.read(reading.expression)
        # A long decimal is compared with as many correct digits as it shows, and more.
        digits = DIGITS if literal is None else max(DIGITS, literal.significant + 20)
        try:
            value = mpeval.evaluate(graph, {}, digits)[0]
        except (mpeval.MPDomainError, mpeval.MPOverflow) as err:
            return Verdict("invalid", Message("core_error", {"reason": str(err)}),
                           method="read", **common)
        expected = self.expected_value(digits)
        ok, few = self.tolerance.check(
            expected, reading.expression if literal is not None else value,
            accurate_digits=digits - 5)
        params = {"expected": _show_number(expected), "got": excerpt(reading.expression),
                  "tolerance": self.tolerance.describe()}
        if ok:
            return Verdict("correct", Message("number_equal", params), method="exact",
                           **common)
        if few is not None:
            return Verdict("incorrect", few, method="exact", **common)
        feedback = diagnose_number(float(value), float(expected), self.alternatives(),
                                   self.tolerance.close)
        return Verdict("incorrect", Message("number_differs", params), method="exact",
                       feedback=self.with_hints(feedback), **common)

    def alternatives(self) -> list[tuple[Message, float]]:
        """Numbers a typical mistake gives, with the feedback that names the mistake."""
        return list(number_alternatives(float(self.expected_value()), {}, None, None))


@part_kind("value")
class ValuePart(NumberPart):
    """The derivative (or, without ``wrt``, the function) at the point ``at``."""

    needs_function = True
    needs_answer = False
    tensor_ok = False
    value_key = "at"

    def validate_kind(self) -> None:
        if not isinstance(self.at, Mapping):
            raise ProblemError(f"{self.where}.at: a value part needs the point, e.g. "
                               "at = {x = 1, y = 2}")

    def value_graph(self) -> Graph:
        p = self.problem
        assert p.graph is not None
        if not self.wrt:
            return p.graph
        return derivative_graph(p, p.symbolic_derivative(self.of, self.wrt), self.where,
                                forward_wrt=self.wrt if self.of is None else None)

    @functools.cached_property
    def _point(self) -> dict[str, Any]:
        p = self.problem
        assert p.graph is not None and isinstance(self.at, Mapping)
        point = {}
        for name, value in self.at.items():
            if name not in p.graph.inputs:
                raise ProblemError(f"{self.where}.at: {name!r} is not an input of the function")
            graph = p.read_reference(str(value), f"{self.where}.at.{name}", names=[])
            point[name] = mpeval.evaluate(graph, {}, 60)[0]
        missing = [v for v in p.graph.inputs if v not in point]
        if missing:
            raise ProblemError(f"{self.where}.at: no value for {', '.join(missing)}")
        return point

    def point(self) -> dict[str, Any]:
        return self._point

    def alternatives(self) -> list[tuple[Message, float]]:
        expected = float(self.expected_value())
        if len(self.wrt) != 1:
            return super().alternatives()
        p = self.problem
        assert p.graph is not None
        point = self.point()
        others = {}
        for x in p.graph.inputs:
            if x != self.wrt[0]:
                try:
                    g = from_sympy(p.symbolic_derivative(self.of, (x,)),
                                   inputs=list(p.graph.inputs))
                    others[x] = float(mpeval.evaluate(g, point, 30)[0])
                except (GraphdiffError, ArithmeticError):
                    continue
        try:
            fvalue = float(mpeval.evaluate(p.graph, point, 30)[0])
        except ArithmeticError:
            fvalue = None
        return list(number_alternatives(expected, others, self.wrt[0], fvalue))


def _show_number(value: Any) -> str:
    """``10`` for an integer value, else 10 significant digits."""
    if value == int(value) and abs(value) < 10**15:
        return str(int(value))
    return mpmath.nstr(value, 10)
