"""What a drawing shows, decided before any DOT is written: the :class:`Plan`.

A plan holds the graph, the labels, the values at a point and the results of the sweeps
it was handed (tangents, adjoints, paths); :func:`make_plan` checks the request against
the graph.  Nothing here runs an engine: :mod:`graphdiff.show` runs them.

>>> import graphdiff as gd
>>> g = gd.parse("x*y + sin(x)")
>>> plan = make_plan(g, node_labels(g, "auto"), show=frozenset({"derivatives"}),
...                  highlight=["w3"])
>>> plan.labels[:3], plan.roles, plan.highlight_nodes
(['w1', 'w2', 'w3'], ['input', 'input', 'op', 'op', 'output'], {2})
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..graph import Graph
from ..notation import BAR, DOT, decorated, pretty_name, split_decoration
from ..printing import node_labels as _node_labels
from .errors import RenderError

if TYPE_CHECKING:
    from ..derive.forward import ForwardResult
    from ..derive.paths import Path, PathsResult
    from ..derive.reverse import ReverseResult

#: A node as a request names it: its id or its name.
Node = str | int

#: The items ``show`` accepts.
SHOW = ("values", "derivatives", "symbolic", "numeric", "tangents", "adjoints", "rules")


@dataclass
class Plan:
    """Everything a drawing shows, decided before it writes DOT."""

    graph: Graph
    labels: list[str]
    names: dict[str, str]
    values: list[Any] | None = None
    show: frozenset[str] = frozenset()
    tangents: list[Any] | None = None
    tangent_rules: list[Any] | None = None
    adjoints: list[Any] | None = None
    adjoint_rules: list[Any] | None = None
    paths: list[tuple[PathsResult, Path]] = field(default_factory=list)
    path_results: list[PathsResult] = field(default_factory=list)
    highlight_nodes: set[int] = field(default_factory=set)
    highlight_edges: set[tuple[int, int]] = field(default_factory=set)
    notes: dict[int, str] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)
    digits: int = 4


def parse_show(show: str | Iterable[str]) -> frozenset[str]:
    """The items of ``show``, from a list or a comma-separated string.

    >>> sorted(parse_show("values, adjoints"))
    ['adjoints', 'values']
    """
    items = show.split(",") if isinstance(show, str) else list(show)
    chosen = frozenset(item.strip() for item in items if item.strip())
    unknown = sorted(chosen - set(SHOW))
    if unknown:
        raise RenderError(f"show: unknown item{'s' if len(unknown) > 1 else ''} "
                          f"{', '.join(map(repr, unknown))}; choose from {', '.join(SHOW)}")
    return chosen


def node_labels(graph: Graph, names: str) -> list[str]:
    """The labels of the nodes (the one label policy of :mod:`graphdiff.printing`).

    >>> node_labels(__import__("graphdiff").parse("x*y"), "w")
    ['w1', 'w2', 'w3']
    """
    try:
        return _node_labels(graph, names)
    except ValueError as err:
        raise RenderError(str(err)) from None


def roles(graph: Graph, primal: Graph | None = None) -> list[str]:
    """Each node's role, which picks its style: input, op, output, constant, adjoint,
    tangent, or helper (a node of a derivative graph that ``primal`` lacks).

    >>> import graphdiff as gd
    >>> g = gd.parse("sin(x)*y")
    >>> derivatives = gd.reverse_graph(g)
    >>> [derivatives.name(n) for n in derivatives.order], roles(derivatives, primal=g)
    (['x', 'y', 'w3', 'v4', 'x̄'], ['input', 'input', 'output', 'helper', 'adjoint'])
    """
    primal_names = {primal.name(n) for n in primal.order} if primal is not None else None
    outputs = set(graph.output_ids)
    result = []
    for n in graph.order:
        kind, name = graph.kind(n), graph.name(n)
        mark = split_decoration(name)[1]
        if kind == "input":
            role = "input"
        elif kind == "constant":
            role = "constant"
        elif mark == BAR:
            role = "adjoint"
        elif mark == DOT:
            role = "tangent"
        elif primal_names is not None and name not in primal_names:
            role = "helper"
        else:
            role = "op"
        if n in outputs and role in ("op", "constant"):
            role = "output"
        result.append(role)
    return result


def make_plan(
    graph: Graph,
    labels: Sequence[str],
    *,
    show: frozenset[str],
    values: list[Any] | None = None,
    forward: ForwardResult | None = None,
    reverse: ReverseResult | None = None,
    path_results: Sequence[PathsResult] = (),
    highlight: Iterable[Node | tuple[Node, Node]] | None = None,
    notes: Mapping[Node, str] | None = None,
    primal: Graph | None = None,
    digits: int = 4,
    max_paths: int = 24,
) -> Plan:
    """A plan from the results a drawing is handed: the tangents of ``forward``, the
    adjoints of ``reverse`` (with their rules when ``show`` has ``"rules"``), the paths
    of ``path_results``; ``highlight`` and ``notes`` name nodes and edges of ``graph``.

    >>> import graphdiff as gd
    >>> g = gd.parse("x*y")
    >>> plan = make_plan(g, ["x", "y", "p"], show=frozenset({"adjoints", "rules"}),
    ...                  reverse=gd.reverse(g))
    >>> plan.adjoints, plan.names["w̄3"]
    ([y, x, 1], 'p̄')
    """
    labels = list(labels)
    plan = Plan(graph=graph, labels=labels,
                names={graph.name(n): pretty_name(labels[n]) for n in graph.order},
                values=values, show=show, roles=roles(graph, primal), digits=digits)
    if "rules" in show:
        for n in graph.order:  # decorated symbols (ẇ3, w̄3) in rules follow the labels
            for mark in (DOT, BAR):
                plan.names[decorated(graph.name(n), mark)] = pretty_name(
                    decorated(labels[n], mark))
    if forward is not None:
        plan.tangents = forward.tangents
        plan.tangent_rules = forward.rules if "rules" in show else None
    if reverse is not None:
        plan.adjoints = reverse.adjoints
        plan.adjoint_rules = reverse.rules if "rules" in show else None
    plan.path_results = list(path_results)
    plan.paths = [(result, path) for result in path_results for path in result.paths]
    if len(plan.paths) > max_paths:
        raise RenderError(f"{len(plan.paths)} paths to highlight, more than "
                          f"max_paths={max_paths}: highlight fewer, or raise max_paths")
    for item in highlight or ():
        if isinstance(item, tuple):
            u, v = graph.id(item[0]), graph.id(item[1])
            if not graph.nx.has_edge(u, v):
                raise RenderError(f"highlight: no edge {graph.name(u)} -> {graph.name(v)}")
            plan.highlight_edges.add((u, v))
        else:
            plan.highlight_nodes.add(graph.id(item))
    for node, text in (notes or {}).items():
        plan.notes[graph.id(node)] = str(text)
    return plan
