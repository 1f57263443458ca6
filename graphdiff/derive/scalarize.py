"""The elementwise expansion: a tensor graph as the same function of its entries.

Seed 004 Ex4 differentiates ``Z = XW`` entry by entry (``z₁₁ = x₁₁w₁₁ + x₁₂w₂₁``, 24
partials of Z by X) before it finds the matrix formulas; :func:`scalarize` does that for
any tensor graph: every entry of every input becomes a scalar input (``X`` 2×2 gives
``x11, x12, x21, x22``), and every op is applied to arrays of scalar references -- entry by
entry for the elementwise ops, by its ``numpy`` kernel for the ops made of sums and products
(``@``, ``sum``, ``tr``, ``.T``), by its ``expansion`` column (the op written with other ops)
for the rest (``softmax``, ``det`` by cofactors).  The result is an ordinary scalar graph:
paths, sympy and every scalar tool work on it, and the methods that differentiate scalars
(paths, symbolic) work on tensor graphs through it (the registry of methods says which, its
``tensors`` column).

**Names.**  An entry is named after its node, lower-cased, with its 1-based indices, as
the sheet writes x₁₁: ``X`` gives ``x11``, ``b`` gives ``b1``; a name ending in a digit, or
sizes past 9, put ``_`` between the parts (``W1`` gives ``w1_11``, pretty w₁₁₁; a 12×3 ``X``
gives ``x_12_3``); an accent stays last (``y_hat`` gives ``y11_hat``, ŷ₁₁).  Where a
lower-cased name would collide with another name of the graph, the case is kept
(``X11``), then ``_`` separates every index.  Scalar nodes keep their names.

>>> import graphdiff as gd
>>> g = gd.parse("X: 2x2\\nW: 2x3\\nZ = X @ W\\nL = sum(Z)")
>>> s = gd.scalarize(g)
>>> s.inputs
('x11', 'x12', 'x21', 'x22', 'w11', 'w12', 'w13', 'w21', 'w22', 'w23')
>>> s.expr("z11"), s.outputs
(w11*x11 + w21*x12, ('L',))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from ..builder import GraphBuilder, gc_paused
from ..errors import GraphdiffError
from ..graph import Graph, is_node
from ..notation import ACCENTS
from ..ops import Namespace, Op, as_expr
from ..tensorops import aligned, node_shape
from ..trace import Tracer, function_of

#: Shapes :func:`scalarize` expands: at most this many entries in all the graph's nodes.
MAX_ENTRIES = 20_000


def _entrywise(op: Op) -> Callable[..., Any]:
    """An op on object arrays of scalar references (each with its batch axis of 1)."""
    if op.elementwise:
        return aligned(np.frompyfunc(function_of(op), op.arity, 1))
    if op.expansion is not None:
        expansion = op.expansion
        return lambda *args: expansion(ENTRIES, *args)
    return op.numpy


#: The op table on arrays of scalar references (tracers and constants), the entries of
#: the nodes with their batch axis of length 1 in front, as the tensor ops' kernels read
#: them.
ENTRIES = Namespace("entries", _entrywise, shape_of=node_shape)


# --- names --------------------------------------------------------------------------------


def _split_accents(name: str) -> tuple[str, str]:
    """``("y", "_hat")`` for ``y_hat``: the name and its trailing accents."""
    parts = name.split("_")
    k = len(parts)
    while k > 1 and parts[k - 1] in ACCENTS:
        k -= 1
    return "_".join(parts[:k]), "".join(f"_{a}" for a in parts[k:])


def _schemes(name: str, shape: tuple[int, ...]) -> list[Callable[[tuple[int, ...]], str]]:
    """Ways to name the entries of ``name``, preferred first (see the module's docstring)."""
    main, accents = _split_accents(name)
    small = all(n <= 9 for n in shape)
    bases = list(dict.fromkeys((main.lower(), main)))

    def concise(base: str) -> Callable[[tuple[int, ...]], str]:
        joint = "" if small else "_"
        sep = "" if small and base[-1:].isalpha() else "_"
        return lambda index: base + sep + joint.join(str(i + 1) for i in index) + accents

    def spaced(base: str) -> Callable[[tuple[int, ...]], str]:
        return lambda index: base + "".join(f"_{i + 1}" for i in index) + accents

    return [*(concise(b) for b in bases), *(spaced(b) for b in bases)]


def entry_names(graph: Graph) -> dict[str, np.ndarray]:
    """The names of every node's entries in the expansion, shaped like the node (a 0-d
    array of its own name for a scalar node).

    >>> import graphdiff as gd
    >>> names = entry_names(gd.parse("W1: 2x2\\nb: 2\\nh = W1 @ b + c"))
    >>> names["W1"].tolist(), names["h"].tolist(), str(names["c"])
    ([['w1_11', 'w1_12'], ['w1_21', 'w1_22']], ['h1', 'h2'], 'c')
    >>> entry_names(gd.parse("X: 1x2\\nX + x11"))["X"].tolist()
    [['X11', 'X12']]
    """
    used = {graph.name(n) for n in graph.order if not graph.shape(n)}
    result: dict[str, np.ndarray] = {}
    for n in graph.order:
        name, shape = graph.name(n), graph.shape(n)
        if not shape:
            result[name] = np.array(name, dtype=object)
            continue
        indices = list(np.ndindex(*shape))
        for scheme in _schemes(name, shape):
            names = [scheme(index) for index in indices]
            if used.isdisjoint(names) and len(set(names)) == len(names):
                break
        else:  # every scheme taken: primes until free
            names = [scheme(index) for index in indices]
            while not used.isdisjoint(names):
                names = [f"{entry}_" for entry in names]
        used.update(names)
        result[name] = np.array(names, dtype=object).reshape(shape)
    return result


# --- the expansion ------------------------------------------------------------------------


def _constant(value: Any) -> Any:
    """A constant entry (a float of a kernel, a sympy number) as a sympy number."""
    if isinstance(value, sympy.Basic):
        return value
    number = float(value)
    return sympy.Integer(int(number)) if number.is_integer() else sympy.Rational(repr(number))


def _own(value: np.ndarray) -> np.ndarray:
    """A node's entries without the batch axis (a 0-d array for a scalar)."""
    return value.reshape(value.shape[1:])


def _ref(entry: Any) -> Any:
    return entry.node if type(entry) is Tracer else _constant(entry)


def _input_entries(builder: GraphBuilder, names: np.ndarray) -> np.ndarray:
    out = np.empty((1, *names.shape), dtype=object)
    for index in np.ndindex(*names.shape):
        out[(0, *index)] = Tracer(builder, builder.input(str(names[index])))
    return out


def _op_entries(graph: Graph, v: int, values: list[Any]) -> np.ndarray:
    op = graph.op(v)
    assert op is not None
    args = [values[a] if is_node(a) else a for a in graph.args(v)]
    out = getattr(ENTRIES, op.name)(*args)
    return np.asarray(out, dtype=object).reshape((1, *graph.shape(v)))


def _check_size(graph: Graph) -> None:
    total = sum(int(np.prod(graph.shape(n))) for n in graph.order)
    if total > MAX_ENTRIES:
        raise GraphdiffError(f"the graph's nodes have {total:,} entries in all, more than the "
                             f"{MAX_ENTRIES:,} that scalarize expands: it is for small shapes "
                             "(reverse and forward mode work on any)")


def scalarize(graph: Graph) -> Graph:
    """The same function as a graph of scalars over the entries (the elementwise expansion).

    Each entry of each tensor input is an input, named by :func:`entry_names`; each
    entry of each tensor output is an output, row by row, outputs in order; entries of
    named nodes keep their node's name with indices (``z11`` in ``Z = X @ W``).  Identities
    (``x*1``, ``x + 0``) are dropped, and shared subexpressions are shared.

    >>> import graphdiff as gd
    >>> g = gd.parse("x: 2\\nA: 2x2\\nq = x @ A @ x")
    >>> gd.scalarize(g).to_sympy()
    x1*(a11*x1 + a21*x2) + x2*(a12*x1 + a22*x2)
    >>> s = gd.scalarize(gd.parse("X: 2x2\\nd = det(X)"))
    >>> s.expr("d"), s.evaluate(x11=1, x12=2, x21=3, x22=4)
    (x11*x22 - x12*x21, -2.0)
    """
    _check_size(graph)
    names = entry_names(graph)
    builder = GraphBuilder(simplify=True)
    values: list[Any] = [None] * len(graph)
    with gc_paused():
        for v in graph.order:
            kind = graph.kind(v)
            if kind == "input":
                values[v] = _input_entries(builder, names[graph.name(v)])
            elif kind == "constant":
                values[v] = np.array([graph.constant(v)], dtype=object)
            else:
                values[v] = _op_entries(graph, v, values)
            for index, entry in np.ndenumerate(_own(values[v])):
                if type(entry) is Tracer:
                    builder.name(entry.node, str(names[graph.name(v)][index]))
        outputs = [_ref(entry) for o in graph.output_ids for entry in _own(values[o]).ravel()]
        inputs = [str(e) for i in graph.input_ids for e in names[graph.name(i)].ravel()]
        reserved = [str(e) for array in names.values() for e in array.ravel()]
        return builder.build(outputs, order="level", naming="w", inputs=inputs,
                             reserved=reserved, source=_source(graph))


def _source(graph: Graph) -> str | None:
    return None if graph.source is None else f"{graph.source} (entry by entry)"


# --- points and results -------------------------------------------------------------------


def entry_point(graph: Graph, at: Mapping[str, Any]) -> dict[str, Any]:
    """A point of ``graph`` as a point of its expansion: one value per entry (the leading
    axes of a batch of points stay on each entry).

    >>> import graphdiff as gd
    >>> entry_point(gd.parse("X: 2x2\\nsum(X) * y"), {"X": [[1, 2], [3, 4]], "y": 5.0})
    {'x11': 1.0, 'x12': 2.0, 'x21': 3.0, 'x22': 4.0, 'y': 5.0}
    """
    names = entry_names(graph)
    point: dict[str, Any] = {}
    for name in graph.inputs:
        if name not in at:
            raise GraphdiffError(f"no value given for {name}")
        value = np.asarray(at[name], dtype=float)
        shape = graph.shape(name)
        if value.shape[value.ndim - len(shape):] != shape:
            raise GraphdiffError(f"the value of {name} has shape {value.shape}, but {name} "
                                 f"is declared {shape}")
        for index in np.ndindex(*shape):
            entry = value[(..., *index)]
            point[str(names[name][index])] = entry[()] if entry.ndim == 0 else entry
            if entry.ndim == 0:
                point[str(names[name][index])] = float(entry)
    return point


def gather(graph: Graph, name: str, entries: Mapping[str, Any]) -> Any:
    """Values of the entries of node ``name`` (by entry name) as one value of its shape:
    a sympy ``Matrix`` for symbolic entries (a column for a vector; a sympy ``Array``
    past two axes), a numpy array for numbers (a batch's axes first), and the value itself
    for a scalar node.

    >>> import graphdiff as gd, sympy
    >>> g = gd.parse("X: 2x2\\nsum(X)")
    >>> gather(g, "X", {"x11": 1.0, "x12": 2.0, "x21": 3.0, "x22": 4.0})
    array([[1., 2.],
           [3., 4.]])
    >>> gather(g, "X", dict(zip(["x11", "x12", "x21", "x22"], sympy.symbols("a b c d"))))
    Matrix([
    [a, b],
    [c, d]])
    """
    names = entry_names(graph)[name]
    if names.ndim == 0:
        return entries[str(names)]
    values = [entries[str(e)] for e in names.ravel()]
    if any(isinstance(v, sympy.Basic) for v in values):
        exprs = [as_expr(v) for v in values]
        shape = names.shape
        if len(shape) == 1:
            return sympy.Matrix(shape[0], 1, exprs)
        if len(shape) == 2:
            return sympy.Matrix(shape[0], shape[1], exprs)
        return sympy.ImmutableDenseNDimArray(exprs, shape)
    arrays = [np.asarray(v, dtype=float) for v in values]
    batch = np.broadcast_shapes(*(a.shape for a in arrays))
    stacked = np.stack([np.broadcast_to(a, batch) for a in arrays], axis=-1)
    return stacked.reshape(batch + names.shape)


def entry_outputs(graph: Graph, scalar: Graph, output: int) -> list[int]:
    """The nodes of ``scalar`` (``scalarize(graph)``) that are the entries of ``graph``'s
    output node ``output``, row by row.

    >>> import graphdiff as gd
    >>> g = gd.parse("X: 2x2\\nY = X.T\\nL = sum(X)", outputs=["Y", "L"])
    >>> s = gd.scalarize(g)
    >>> [s.name(n) for n in entry_outputs(g, s, g.id("L"))]
    ['L']
    """
    start = 0
    for o in graph.output_ids:
        size = int(np.prod(graph.shape(o)))
        if o == output:
            return list(scalar.output_ids[start:start + size])
        start += size
    raise GraphdiffError(f"{graph.name(output)} is not an output")


def through_entries(gradient: Callable[[Graph, Any, str], dict[str, Any]], graph: Graph,
                    at: Mapping[str, Any] | None, output: str) -> dict[str, Any]:
    """``gradient`` (a method's, on scalar graphs) of a tensor graph through its expansion:
    every input's derivative shaped like the input (:func:`gather`).

    >>> import graphdiff as gd
    >>> from graphdiff.derive.methods import METHODS
    >>> g = gd.parse("x: 2\\nL = x @ x")
    >>> through_entries(METHODS["symbolic"].gradient, g, None, "L")
    {'x': Matrix([
    [2*x1],
    [2*x2]])}
    """
    out = graph.id(output)
    if graph.shape(out):
        raise GraphdiffError(f"a gradient needs a scalar output; {output} is "
                             f"{'×'.join(map(str, graph.shape(out)))}")
    scalar = scalarize(graph)
    (entry,) = entry_outputs(graph, scalar, out)
    if scalar.kind(entry) != "op":  # the output is an input or a constant itself
        raise GraphdiffError(f"{output} is not computed from the inputs by an op")
    point = None if at is None else entry_point(graph, at)
    derivatives = gradient(scalar, point, scalar.name(entry))
    return {name: gather(graph, name, derivatives) for name in graph.inputs}


def entries_of(graph: Graph, names: Sequence[str]) -> list[str]:
    """The entry names of the inputs ``names``, in order, row by row.

    >>> import graphdiff as gd
    >>> entries_of(gd.parse("x: 2\\nA: 2x2\\nx @ A @ x"), ["x"])
    ['x1', 'x2']
    """
    table = entry_names(graph)
    return [str(e) for name in names for e in table[name].ravel()]
