"""The ``paths`` kind: the list of paths from ``wrt`` to the output, as ``x -> a -> f``.

>>> from graphdiff.checker.problems import get_problem
>>> part = get_problem("seed004-ex1").part("paths_x")
>>> part.reference_text()
'x -> a -> d -> f; x -> b -> d -> f; x -> c -> e -> f'
>>> v = part.grade("x -> a -> d -> f; x -> c -> e -> f")
>>> v.verdict, [m.code for m in v.feedback]
('incorrect', ['missing_path'])
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

import sympy

from ...derive.paths import DEFAULT_PATH_LIMIT, count_paths, paths
from ...graph import Graph
from ..equivalence import Verdict
from ..feedback import pretty
from ..messages import Message
from .base import Part, ProblemError, part_kind

#: The most paths an answer may list.
MAX_PATHS = 10_000


@part_kind("paths")
class PathsPart(Part):
    """Every path from the one variable ``wrt`` to the output, none extra."""

    needs_function = True
    needs_wrt = True
    accepts_list = True
    answer_type_name = "a list of paths"

    def validate_kind(self) -> None:
        if len(self.wrt) != 1:
            raise ProblemError(f"{self.where}.wrt: a paths part takes one variable")

    def answer_type_ok(self, answer: Any) -> bool:
        return isinstance(answer, list | str)

    @property
    def graph(self) -> Graph:
        graph = self.problem.graph
        assert graph is not None
        return graph

    def expected_paths(self) -> list[tuple[str, ...]]:
        """The correct paths, each as its node names."""
        g = self.graph
        if count_paths(g, self.wrt[0], g.output_ids[0]) > DEFAULT_PATH_LIMIT:
            raise ProblemError(f"{self.where}: too many paths to list")
        return [tuple(q.names) for q in paths(g, self.wrt[0]).paths]

    def computed_text(self) -> str:
        return "; ".join(" -> ".join(q) for q in self.expected_paths())

    def grade_text(self, answer: str, *, proof: str, timeout: float) -> Verdict:
        read = self.read_paths(answer)
        if isinstance(read, Verdict):
            return read
        given, warnings = read
        expected = self.expected_paths()
        feedback = [*self.wrong_paths(given, expected), *self.missing_paths(given, expected)]
        read_as = "; ".join(" -> ".join(q) for q in given)
        if not feedback:
            return Verdict("correct", Message("paths_equal", {"count": len(expected)}),
                           method="exact", read_as=read_as, warnings=tuple(warnings))
        return Verdict("incorrect", Message("paths_differ"), method="exact", read_as=read_as,
                       warnings=tuple(warnings), feedback=tuple(feedback))

    def read_paths(self, answer: str
                   ) -> tuple[list[tuple[str, ...]], list[Message]] | Verdict:
        """The distinct paths listed (and warnings), or the verdict of an unreadable list."""
        nodes = set(self.problem.node_names)
        # Bounded before any work: a list longer than MAX_PATHS paths of the longest
        # possible length is refused unread.
        if len(answer) > MAX_PATHS * (len(nodes) + 1) * (max(map(len, nodes), default=1) + 4):
            return Verdict("invalid", Message("expression_too_large"), method="read")
        given: list[tuple[str, ...]] = []
        seen: set[tuple[str, ...]] = set()
        warnings: list[Message] = []
        for chunk in (c for c in re.split(r"[;\n|]+", answer) if c.strip()):
            names = [n for n in re.split(r"\s*(?:->|→|—>|=>|-|,|\s)\s*", chunk.strip()) if n]
            if len(names) < 2:
                return Verdict("invalid", Message("bad_path", {"text": chunk.strip()[:60]}),
                               method="read")
            for n in names:
                if n not in nodes:
                    return Verdict("invalid", Message("unknown_node", {
                        "name": n[:30], "known": ", ".join(self.problem.node_names)}),
                        method="read")
            path = tuple(names)
            if path in seen:
                if len(warnings) < 20:
                    warnings.append(Message("path_duplicate", {"path": " → ".join(path)}))
            else:
                seen.add(path)
                given.append(path)
            if len(given) > MAX_PATHS:
                return Verdict("invalid", Message("expression_too_large"), method="read")
        return given, warnings

    def wrong_paths(self, given: Sequence[tuple[str, ...]],
                    expected: Sequence[tuple[str, ...]]) -> list[Message]:
        """Why each listed path that is not a correct one is wrong."""
        g = self.graph
        wrt, output = self.wrt[0], g.outputs[0]
        feedback = []
        correct = set(expected)
        for path in given:
            if path in correct:
                continue
            shown = " → ".join(path)
            if path[0] != wrt or path[-1] != output:
                feedback.append(Message("path_wrong_ends", {"path": shown, "wrt": wrt,
                                                            "output": output}))
                continue
            for u, v in itertools.pairwise(path):
                if not g.nx.has_edge(g.id(u), g.id(v)):
                    feedback.append(Message("path_no_edge", {"source": u, "target": v}))
                    break
            else:
                feedback.append(Message("path_extra", {"path": shown, "wrt": wrt,
                                                       "output": output}))
        return feedback

    def missing_paths(self, given: Sequence[tuple[str, ...]],
                      expected: Sequence[tuple[str, ...]]) -> list[Message]:
        """A feedback message for every correct path the answer does not list."""
        listed = set(given)
        return [Message("missing_path", {"path": " → ".join(path),
                                         "factor": _path_factor(self.graph, path),
                                         "nodes": list(path)})
                for path in expected if path not in listed]


def _path_factor(g: Graph, names: Sequence[str]) -> str:
    """The product of the edge derivatives along a path, as students write it."""
    product = sympy.Integer(1)
    for u, v in itertools.pairwise(names):
        product *= g.edge_derivative(u, v)
    return pretty(product)
