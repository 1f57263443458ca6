"""Kinds whose answer is a matrix: ``matrix`` (a matrix of numbers) and ``matrix_formula``
(a formula of matrices such as ``G @ W.T`` or ``X^T G``).

What is asked: the teacher's ``answer``, or, computed from the problem's function (whose
inputs have shapes), ``wrt = "W"`` for the gradient of the output with respect to the
input W, ``node = "H1"`` for the gradient with respect to a node (the accumulator ``d``
of backpropagation), or ``of = "H1"`` for the value of a node (the forward pass).  A
``matrix`` part computes it at the point ``at`` (each input's matrix); a
``matrix_formula`` part compares formulas at random matrices of the declared shapes.

>>> from graphdiff.checker.problems import load_problem
>>> p = load_problem({"id": "layer", "title": "t", "allow_nodes": ["Z"],
...     "function": "X: 2x2\\nW: 2x3\\nG: 2x3\\nZ = X @ W\\nL = sum(G*Z)",
...     "parts": [{"id": "dX", "kind": "matrix_formula", "wrt": "X", "answer": "G W^T"},
...               {"id": "Z", "kind": "matrix", "of": "Z",
...                "at": {"X": [[1, 2], [-1, 2]], "W": [[1, 0, 1], [0, 1, 1]],
...                       "G": [[1, 1, 1], [1, 1, 1]]}}]})
>>> [r.ok for r in p.self_test()]
[True, True]
>>> print(p.part("dX").grade("X^T G").reason.render())
your answer is 2×3, the gradient of X is 2×2
>>> p.part("Z").reference_text(), p.part("Z").grade("[[1, 2, 3], [-1, 2, 1]]").verdict
('[[1, 2, 3], [-1, 2, 1]]', 'correct')
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import mpmath
import numpy as np

from ...graph import Graph
from ...printing import expr_text
from ..answers import AnswerError, read_answer
from ..equivalence import Verdict, invalid
from ..matrices.compare import MatrixReference, Source
from ..matrices.judge import Candidate, judge_formula
from ..matrices.literal import read_matrix
from ..matrices.mpeval import MPDomainError, MPOverflow, NoHighPrecision, mp_values
from ..matrices.numbers import Expected, entry_values, judge_numbers
from ..matrices.points import values_at
from ..matrices.reverse import Target, adjoint_graph, factor_nodes, gradient_without
from ..messages import Message
from .base import Part, ProblemError, list_text, part_kind

#: Digits a computed matrix of numbers is evaluated to (and how many of them count).
DIGITS = 50
#: Significant digits that count in a matrix computed in floating point (an op of
#: matrices without a high-precision form).
FLOAT_DIGITS = 12


class MatrixKind(Part):
    """What the two matrix kinds share: what is asked (:attr:`target`), answers given as
    TOML arrays, and the usual slips that feedback names."""

    tensor_ok = True
    answer_type_name = "text or a TOML array of rows"

    def answer_type_ok(self, answer: Any) -> bool:
        return isinstance(answer, str | int | float | list)

    def grade(self, answer: Any, *, proof: str | None = None,
              timeout: float | None = None) -> Verdict:
        if isinstance(answer, list):
            answer = list_text(answer)
        return super().grade(answer, proof=proof, timeout=timeout)

    @functools.cached_property
    def target(self) -> Target | None:
        """The gradient (``wrt``), the node's gradient (``node``) or a node's value (``of``)
        asked for; None when the teacher's ``answer`` is the reference."""
        given = [k for k, v in (("wrt", self.wrt), ("node", self.node), ("of", self.of)) if v]
        if len(given) > 1:
            raise ProblemError(f"{self.where}: give one of wrt, node and of, not "
                               f"{' and '.join(given)}")
        if not given:
            return None
        graph = self.function()
        if given[0] == "of":
            return Target("value", str(self.of))
        if graph.shape(graph.output_ids[0]):
            raise ProblemError(f"{self.where}: a gradient needs a function whose output is a "
                               f"number (a loss); {graph.outputs[0]} is "
                               f"{'×'.join(map(str, graph.shape(graph.output_ids[0])))}")
        if given[0] == "wrt":
            if len(self.wrt) != 1:
                raise ProblemError(f"{self.where}.wrt: a matrix part takes one input")
            return Target("gradient", self.wrt[0])
        return Target("adjoint", str(self.node))

    def function(self) -> Graph:
        graph = self.problem.graph
        if graph is None:
            raise ProblemError(f"{self.where}: wrt, node and of need the problem's function")
        return graph

    def what(self) -> Message:
        return self.target.what() if self.target is not None else Message("what_correct")

    def validate_kind(self) -> None:
        if self.target is None and self.answer is None:
            raise ProblemError(f"{self.where}: a {self.kind} part needs the answer, or wrt, "
                               "node or of")

    def usual_slips(self, at: Callable[[Source], np.ndarray],
                    without: Callable[[int], np.ndarray]) -> list[Candidate]:
        """The matrices that the usual slips give, as (feedback, values) computations:
        the gradient of another input, the value instead of the gradient, a chain-rule
        factor left out.  ``at`` evaluates a place of a graph, ``without(v)`` the gradient
        with node ``v``'s derivative left out."""
        target = self.target
        if target is None or target.asks == "value":
            return []
        graph = self.function()
        adjoint = adjoint_graph(graph)
        slips: list[Candidate] = []
        for (v, u) in factor_nodes(graph):
            factor = expr_text(graph.edge_derivative(u, v), "answer")
            slips.append((Message("dropped_factor", {
                "target": graph.name(v), "source": graph.name(u), "factor": factor}),
                functools.partial(without, v)))
        for other in graph.inputs:
            if other != target.name and graph.shape(other):
                source = Target("gradient", other).source(graph, adjoint)
                slips.append((Message("matrix_other_gradient", {"other": other}),
                              functools.partial(at, source)))
        source = Target("value", target.name).source(graph)
        slips.append((Message("matrix_not_differentiated", {"name": target.name}),
                      functools.partial(at, source)))
        return slips


@part_kind("matrix")
class MatrixPart(MatrixKind):
    """A matrix of numbers: the teacher's ``answer`` (a matrix, ``[[1, 2], [3, 4]]``), or
    what ``wrt``/``node``/``of`` ask for, computed at the point ``at``."""

    def validate_kind(self) -> None:
        super().validate_kind()
        if self.target is not None and not isinstance(self.at, Mapping):
            raise ProblemError(f"{self.where}.at: a matrix computed from the function needs "
                               "the point, e.g. at = {X = [[1, 2], [3, 4]], W = ...}")

    @functools.cached_property
    def point(self) -> dict[str, np.ndarray]:
        """The inputs' matrices at ``at``."""
        graph = self.function()
        assert isinstance(self.at, Mapping)
        point = {}
        for name, value in self.at.items():
            if name not in graph.inputs:
                raise ProblemError(f"{self.where}.at: {name!r} is not an input of the function")
            try:
                reading = read_matrix(list_text(value) if isinstance(value, list)
                                      else str(value), functions=self.problem.functions)
                values = np.array([float(v) for v in entry_values(reading)])
            except AnswerError as err:
                raise ProblemError(f"{self.where}.at.{name}: {err}") from None
            shape = graph.shape(name)
            if values.size != int(np.prod(shape, dtype=int)):
                raise ProblemError(f"{self.where}.at.{name}: {name} is "
                                   f"{'×'.join(map(str, shape)) or 'a number'}")
            point[name] = values.reshape(shape)
        missing = [v for v in graph.inputs if v not in point]
        if missing:
            raise ProblemError(f"{self.where}.at: no value for {', '.join(missing)}")
        return point

    @functools.cached_property
    def expected(self) -> Expected:
        """The correct matrix (to 50 digits where the graph has a high-precision form)."""
        if self.target is None:
            try:
                reading = read_matrix(list_text(self.answer) if isinstance(self.answer, list)
                                      else str(self.answer), functions=self.problem.functions)
                values = entry_values(reading).reshape(reading.shape)
            except AnswerError as err:
                raise ProblemError(f"{self.where}.answer: {err}") from None
            return Expected(values, self.what())
        source = self.target.source(self.function())
        try:
            values = mp_values(source.graph, self.point, DIGITS)[source.node]
            return Expected(values, self.what())
        except NoHighPrecision:
            pass
        except (MPDomainError, MPOverflow) as err:
            raise ProblemError(f"{self.where}.at: the value is not defined there: {err}"
                               ) from None
        values = values_at(source.graph, source.node, self._batch, 1)[0]
        if not np.isfinite(values).all():
            raise ProblemError(f"{self.where}.at: the value is not defined there")
        return Expected(values, self.what(), FLOAT_DIGITS)

    @property
    def _batch(self) -> dict[str, np.ndarray]:
        return {name: value[None] for name, value in self.point.items()}

    def computed_text(self) -> str:
        return _matrix_text(self.expected.values)

    def grade_text(self, answer: str, *, proof: str, timeout: float) -> Verdict:
        try:
            reading = read_matrix(answer, functions=self.problem.functions)
            return judge_numbers(reading, self.expected, self.tolerance.check,
                                 self._candidates())
        except AnswerError as err:
            return invalid(err)

    def _candidates(self) -> list[tuple[Message, np.ndarray]]:
        """Other parts' matrices and the usual slips, at the point."""
        found: list[tuple[Message, np.ndarray]] = []
        for other in getattr(self.problem, "parts", []):
            if other is not self and isinstance(other, MatrixPart):
                found.append((Message("matrix_other_part", {"part": other.ask}),
                              other.expected.values))
        if self.target is not None and self.target.asks != "value":
            target, graph, batch = self.target, self.function(), self._batch

            def at(source: Source) -> np.ndarray:
                return values_at(source.graph, source.node, batch, 1)[0]

            def without(v: int) -> np.ndarray:
                return gradient_without(graph, target, batch, 1, skip=v)[0]

            found += [(message, compute()) for message, compute in
                      self.usual_slips(at, without)]
        return found


@part_kind("matrix_formula")
class MatrixFormulaPart(MatrixKind):
    """A formula of matrices (``G @ W.T``), compared entry by entry at random matrices of
    the declared shapes with the teacher's ``answer``, or with what ``wrt``/``node``/``of``
    ask for (then the ``answer`` is checked against it by the self-test)."""

    needs_answer = True
    keys: ClassVar[frozenset[str]] = frozenset()

    @functools.cached_property
    def reference(self) -> MatrixReference:
        """The prepared correct matrix."""
        p = self.problem
        if self.target is not None:
            source = self.target.source(self.function())
        else:
            graph = p.read_reference(str(self.answer), f"{self.where}.answer")
            source = Source(graph, graph.output_ids[0])
        shapes = p.shapes
        return MatrixReference(source, {v: shapes.get(v, ()) for v in p.variables},
                               function=p.graph, names=p.tensor_nodes, domain=p.domain)

    def validate_kind(self) -> None:
        super().validate_kind()
        if not isinstance(self.answer, str):
            raise ProblemError(f"{self.where}.answer: a matrix formula is text")

    def computed_text(self) -> str:
        return str(self.answer)

    def grade_text(self, answer: str, *, proof: str, timeout: float) -> Verdict:
        p = self.problem
        try:
            reading = read_answer(answer, names=p.names, functions=p.functions,
                                  shapes=p.shapes or None)
        except AnswerError as err:
            return invalid(err)
        return judge_formula(self.reference, reading, self.what(), self._candidates())

    def _candidates(self) -> list[Candidate]:
        ref = self.reference
        found: list[Candidate] = []
        for other in getattr(self.problem, "parts", []):
            if other is not self and isinstance(other, MatrixFormulaPart):
                found.append((Message("matrix_other_part", {"part": other.ask}),
                              functools.partial(_values_of, ref, other)))
        target = self.target
        if target is not None and target.asks != "value":
            graph = self.function()

            def without(v: int) -> np.ndarray:
                return gradient_without(graph, target, ref.env, ref.count, skip=v)

            found += self.usual_slips(ref.values_of, without)
        return found


def _values_of(ref: MatrixReference, part: MatrixFormulaPart) -> np.ndarray:
    return ref.values_of(part.reference.source)


def _matrix_text(values: np.ndarray) -> str:
    """A matrix of numbers as list text (15 significant digits)."""
    array = np.asarray(values, dtype=object)
    if array.ndim == 0:
        return _number_text(array[()])
    return "[" + ", ".join(_matrix_text(row) for row in array) + "]"


def _number_text(value: Any) -> str:
    mp = mpmath.mpf(value)
    if mp == int(mp) and abs(mp) < 10**15:
        return str(int(mp))
    return mpmath.nstr(mp, 15)
