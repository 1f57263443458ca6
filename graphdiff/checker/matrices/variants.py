"""Slips inside a student's matrix formula: the answer rebuilt with one change.

A wrong matrix formula is often right but for one place: the factors of a matrix product
in the wrong order (``Wᵀ·G`` for ``G·Wᵀ``, possible where the matrices are square), a
transpose too many (``G·W`` for ``G·Wᵀ`` read the other way round) or one missing on a
square input.  :func:`variants` rebuilds the answer's graph with each such change (the
core's builder: the same shape rules, a change whose shapes do not fit is skipped); the
judge compares each variant's values with the correct matrix and names the first that
matches.  The ops are the registry's (``matmul``, ``transpose``), and there are at most
:data:`MAX_VARIANTS` variants (an answer's graph is bounded by the reader).

>>> import graphdiff as gd
>>> g = gd.parse("W.T @ G", shapes={"W": (2, 2), "G": (2, 2)})
>>> [(m.render(), graph.shape(graph.output_ids[0])) for m, graph in variants(g)][:2]
[('the factors of the matrix product are in the wrong order: write G @ W.T, not W.T @ G', \
(2, 2)), ('a transpose too many: write W, not W.T', (2, 2))]
>>> h = gd.parse("X @ G", shapes={"X": (2, 2), "G": (2, 3)})
>>> [m.render() for m, _ in variants(h)]
['a transpose is missing: write X.T, not X']
>>> h = gd.parse("(X @ G).T", shapes={"X": (2, 2), "G": (2, 3)})   # 3×2, asked 2×3
>>> [m.render() for m, _ in variants(h, shape=(2, 3))]
['a transpose too many: write X @ G, not (X @ G).T']
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...builder import GraphBuilder
from ...errors import GraphdiffError
from ...graph import Graph, is_node
from ...ops import OPS
from ...printing import graph_text
from ..messages import Message

__all__ = ["MAX_VARIANTS", "variants"]

#: The most variants tried for one answer.
MAX_VARIANTS = 24


def variants(graph: Graph, node: int | None = None, shape: tuple[int, ...] | None = None
             ) -> Iterator[tuple[Message, Graph]]:
    """The answer ``graph`` (its output, or ``node``) with one change each: a matrix
    product's factors swapped, a transpose dropped, a transpose added to a square input;
    with the message that names the change.  Changes whose shapes do not fit, or whose
    result is not of ``shape`` (default: the answer's), are skipped."""
    target = graph.output_ids[0] if node is None else node
    matmul, transpose = OPS["matmul"], OPS["transpose"]
    shape = graph.shape(target) if shape is None else tuple(shape)
    changes: list[tuple[int, str]] = []
    for v in range(target + 1):
        op = graph.op(v)
        if op is matmul and all(is_node(a) for a in graph.args(v)):
            changes.append((v, "swap"))
        elif op is transpose and is_node(graph.args(v)[0]):
            changes.append((v, "drop"))
        elif graph.kind(v) == "input" and _square(graph.shape(v)):
            changes.append((v, "add"))
    found = 0
    for v, change in sorted(changes, key=lambda c: ("swap", "drop", "add").index(c[1])):
        if found >= MAX_VARIANTS:
            return
        try:
            built = _rebuilt(graph, target, v, change)
        except (GraphdiffError, ValueError):
            continue
        if built is None or built.shape(built.output_ids[0]) != shape:
            continue
        found += 1
        yield _message(graph, v, change), built


def _square(shape: tuple[int, ...]) -> bool:
    return len(shape) == 2 and shape[0] == shape[1] > 1


def _rebuilt(graph: Graph, target: int, changed: int, change: str) -> Graph | None:
    """``graph`` up to ``target`` copied into a builder, with ``change`` at ``changed``."""
    builder = GraphBuilder()
    refs: list[Any] = [None] * (target + 1)
    for v in range(target + 1):
        kind = graph.kind(v)
        if kind == "input":
            refs[v] = builder.input(graph.name(v), graph.shape(v))
            if v == changed:
                refs[v] = builder.apply(OPS["transpose"], (refs[v],))
            continue
        if kind == "constant":
            refs[v] = graph.constant(v)
            continue
        op = graph.op(v)
        assert op is not None
        args = tuple(refs[a] if is_node(a) else a for a in graph.args(v))
        if v == changed and change == "drop":
            refs[v] = args[0]
            continue
        if v == changed and change == "swap":
            args = args[::-1]
        refs[v] = builder.apply(op, args)
    out = refs[target]
    if not is_node(out):
        return None
    return builder.build([out], inputs=list(graph.inputs))


def _message(graph: Graph, v: int, change: str) -> Message:
    written = graph_text(graph, v, "text")
    if change == "swap":
        a, b = (graph_text(graph, u, "text") for u in graph.args(v))
        swapped = graph_text(_pair(graph, v), None, "text")
        return Message("matrix_factor_order", {"written": written, "swapped": swapped,
                                               "first": a, "second": b})
    if change == "drop":
        inner = graph_text(graph, graph.args(v)[0], "text")
        return Message("matrix_transpose_extra", {"written": written, "meant": inner})
    name = graph.name(v)
    return Message("matrix_transpose_missing", {"written": name, "meant": name + ".T"})


def _pair(graph: Graph, v: int) -> Graph:
    """Node ``v``'s product with its factors swapped, alone (for its text)."""
    built = _rebuilt(graph, v, v, "swap")
    assert built is not None
    return built
