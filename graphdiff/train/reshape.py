"""A graph rebuilt with other input shapes: the same program for another batch size.

A graph's shapes are fixed when it is built, and a network's data inputs have the batch
as their rows (``X: 128x784``).  Training on mini-batches of m rows, or evaluating on the
whole data set, needs the same program with m rows or n: :func:`with_shapes` replays the
graph's nodes through a builder with the new shapes, which checks every shape again and
keeps every name, so gradients and tables read as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..builder import GraphBuilder
from ..errors import GraphdiffError
from ..graph import Graph


def with_shapes(graph: Graph, shapes: Mapping[str, Sequence[int]]) -> Graph:
    """``graph`` with the inputs of ``shapes`` declared with those shapes.

    >>> import graphdiff as gd
    >>> g = gd.parse("X: 4x2\\nW: 2x1\\nY: 4x1\\nL = mse(X @ W, Y)")
    >>> h = with_shapes(g, {"X": (3, 2), "Y": (3, 1)})
    >>> [(h.name(n), h.shape(n)) for n in h.order]
    [('X', (3, 2)), ('W', (2, 1)), ('Y', (3, 1)), ('w4', (3, 1)), ('L', ())]
    >>> with_shapes(g, {"X": (3, 2)})
    Traceback (most recent call last):
    ...
    graphdiff.errors.ShapeError: mse(w4, Y): (3, 1), (4, 1) — the prediction and the target must ...
    """
    unknown = sorted(set(shapes) - set(graph.inputs))
    if unknown:
        raise GraphdiffError(f"shapes names no input: {', '.join(unknown)}; the inputs are "
                             f"{', '.join(graph.inputs)}")
    if all(tuple(shapes[name]) == graph.shape(name) for name in shapes):
        return graph
    builder = GraphBuilder()
    new: dict[int, int] = {}
    for i in graph.order:
        kind, name = graph.kind(i), graph.name(i)
        if kind == "input":
            new[i] = builder.input(name, tuple(shapes.get(name, graph.shape(i))))
        elif kind == "constant":
            new[i] = builder.constant_node(graph.constant(i))
        else:
            op = graph.op(i)
            assert op is not None  # an op node has its op
            node = builder.apply(op, [new[a] if type(a) is int else a for a in graph.args(i)])
            if type(node) is not int:  # pragma: no cover - the graph had no constant ops
                raise GraphdiffError(f"{name} folded into a constant")
            new[i] = node
        builder.name(new[i], name)
    return builder.build([new[o] for o in graph.output_ids], order="source",
                         inputs=graph.inputs, source=graph.source)
