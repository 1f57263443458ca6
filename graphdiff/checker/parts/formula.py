"""Kinds whose answer is a formula judged equal to a reference function: ``expression``
(the teacher's formula), ``derivative``, ``tangent`` and ``adjoint`` (computed from the
problem's function).

>>> from graphdiff.checker.problems import load_problem
>>> p = load_problem({"id": "demo", "title": "t", "function": "x*y", "parts": [
...     {"id": "d", "wrt": "x"}, {"id": "e", "kind": "expression", "answer": "2*x"}]})
>>> [type(q).__name__ for q in p.parts]
['DerivativePart', 'ExpressionPart']
>>> p.part("d").reference_text(), p.part("e").grade("x + x").verdict
('y', 'correct')
"""

from __future__ import annotations

import functools
from typing import ClassVar

import sympy

from ...convert import from_sympy
from ...derive.reverse import reverse
from ...errors import GraphdiffError
from ...graph import Graph
from ...ops import as_expr
from ..answers import graph_text
from ..equivalence import Reference, Verdict, judge
from ..feedback import Diagnoser
from .base import Part, ProblemContext, ProblemError, part_kind


class FormulaPart(Part):
    """A kind whose answer is any formula, judged against :meth:`reference`."""

    def reference_graph(self) -> Graph:
        """The correct answer as a graph in the problem's variables."""
        raise NotImplementedError

    def guards(self) -> list[Graph]:
        """Graphs that must be defined at a sample point for it to be used."""
        return []

    def diagnosis_graph(self) -> tuple[Graph, str] | None:
        """(function, variable) whose chain rule explains a wrong derivative, if any."""
        return None

    @functools.cached_property
    def _reference(self) -> Reference:
        p = self.problem
        return Reference(self.reference_graph(), variables=p.variables, names=p.name_graphs,
                         domain=p.domain, guards=self.guards(), functions=p.functions)

    def reference(self) -> Reference:
        """The prepared correct answer."""
        return self._reference

    @functools.cached_property
    def _diagnoser(self) -> Diagnoser:
        graph, wrt = self.diagnosis_graph() or (None, None)
        return Diagnoser(graph, wrt, self.reference(), hints=self.hints)

    def diagnoser(self) -> Diagnoser:
        """What explains a wrong answer (missing paths, sign errors, ...)."""
        return self._diagnoser

    def computed_text(self) -> str:
        return graph_text(self.reference().graph)

    def grade_text(self, answer: str, *, proof: str, timeout: float) -> Verdict:
        # The part's tolerance says how many digits a decimal in a formula must show.
        return judge(self.reference(), answer, proof=proof, timeout=timeout,
                     diagnose=self.diagnoser(), min_digits=self.tolerance.min_digits)


class DerivativeLikePart(FormulaPart):
    """A kind whose reference is a derivative of the problem's function."""

    needs_function = True
    #: Whether the derivative may come from forward mode when sympy's form cannot be
    #: converted back (a Piecewise of leaky_relu); only for the output's derivative.
    forward_fallback: ClassVar[bool] = False

    def derivative_expr(self) -> sympy.Expr:
        raise NotImplementedError

    def reference_graph(self) -> Graph:
        forward = self.wrt if self.forward_fallback and self.of is None else None
        return derivative_graph(self.problem, self.derivative_expr(), self.where,
                                forward_wrt=forward)

    def guards(self) -> list[Graph]:
        graph = self.problem.graph
        assert graph is not None
        return [graph]

    def extra_references(self) -> list[str]:
        # The teacher's answer and the computed one must both be accepted: the self-test
        # then catches a teacher's answer that only looks right.
        return [self.computed_text()] if self.answer is not None else []


@part_kind("derivative")
class DerivativePart(DerivativeLikePart):
    """d(output, or node ``of``)/d ``wrt``; ``wrt = ["x", "x"]`` for a second derivative."""

    needs_wrt = True
    forward_fallback = True

    def derivative_expr(self) -> sympy.Expr:
        return self.problem.symbolic_derivative(self.of, self.wrt)

    def diagnosis_graph(self) -> tuple[Graph, str] | None:
        graph = self.problem.graph
        assert graph is not None
        if len(self.wrt) == 1 and self.of in (None, graph.outputs[0]):
            return graph, self.wrt[0]
        return None


@part_kind("tangent")
class TangentPart(DerivativeLikePart):
    """ẇ of node ``node`` along ``wrt`` (a Wengert-table entry of forward mode)."""

    needs_wrt = True
    needs_node = True

    def derivative_expr(self) -> sympy.Expr:
        return self.problem.symbolic_derivative(self.of or self.node, self.wrt)


@part_kind("adjoint")
class AdjointPart(DerivativeLikePart):
    """w̄ of node ``node`` (a Wengert-table entry of reverse mode)."""

    needs_node = True

    def derivative_expr(self) -> sympy.Expr:
        graph = self.problem.graph
        assert graph is not None and self.node is not None
        return reverse(graph).adjoint(self.node)


@part_kind("expression")
class ExpressionPart(FormulaPart):
    """Any formula; the teacher's ``answer`` is the reference."""

    needs_answer = True

    def reference_graph(self) -> Graph:
        return self.problem.read_reference(str(self.answer), f"{self.where}.answer")


def derivative_graph(problem: ProblemContext, expr: sympy.Expr, where: str, *,
                     forward_wrt: tuple[str, ...] | None = None) -> Graph:
    """A derivative computed by sympy, as a graph in the function's inputs.

    When sympy's form has no graph (a Piecewise), ``forward_wrt`` asks for the forward-mode
    derivative instead; without it the problem is refused.
    """
    graph = problem.graph
    assert graph is not None
    try:
        # strict: expr comes from graphdiff's own derivatives, never from text
        return from_sympy(as_expr(expr), inputs=list(graph.inputs))
    except GraphdiffError as err:
        if forward_wrt is not None:
            return problem.forward_derivative(forward_wrt)
        raise ProblemError(f"{where}: the derivative {expr} cannot be checked: {err}"
                           ) from None
