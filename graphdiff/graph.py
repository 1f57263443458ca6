"""The computation graph: a plain ``networkx.DiGraph`` with a documented schema.

Schema
------
Nodes are integers ``0 .. n-1`` numbered in topological order (so ``range(n)`` is an
evaluation order).  Node attributes:

``kind``
    ``"input"``, ``"op"`` or ``"constant"`` (a constant node appears only when an
    output is a constant; constants inside expressions are arguments, not nodes).
``name``
    The display name: the input's or the user's name (``"x"``, ``"h"``) or a
    generated one (``"w3"``, or ``"c"`` with ``naming="letters"``).
``index``
    1-based number of the node, inputs first (``w1 = x1, w2 = x2, w3 = ...`` as in
    seed 003).
``op``
    The op name from :data:`graphdiff.ops.OPS` (``"mul"``); ``None`` for inputs.
``args``
    The op's ordered arguments: an ``int`` is a node id, anything else is a constant
    (a sympy number such as ``2`` or ``1/2``, or ``pi``).
``level``
    Longest distance from an input (inputs are 0).
``shape``
    The node's static shape, a tuple: ``()`` for a scalar, ``(3,)`` for a vector,
    ``(2, 3)`` for a 2×3 matrix.  Inputs have the shapes declared for them (scalars by
    default); every op's shape follows from its arguments' (see :mod:`graphdiff.ops`).
``value``
    Constant nodes only: the sympy number.

Edges ``u -> v`` exist when node ``u`` is an argument of ``v``.  Edge attributes:

``positions``
    The argument positions of ``u`` in ``v`` (``(0, 1)`` for ``x*x``: one edge, not
    a multi-edge; its derivative is the sum over the positions).
``derivative``
    The local partial derivative dv/du as a sympy expression in the symbols of the
    adjacent nodes (``2*c`` on ``c -> e = c**2``).  It is computed on first access and
    cached, so building a graph of a million nodes costs no sympy work.

Graph attributes: ``inputs`` and ``outputs`` (lists of node ids).

>>> import graphdiff as gd
>>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
>>> [g.nx.nodes[n]["name"] for n in g.order]
['x', 'y', 'a', 'b', 'c', 'd', 'e', 'f']
>>> g.nx.edges[g.id("c"), g.id("e")]["derivative"]
2*c
>>> g.evaluate(x=1, y=2)
12.0
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np
import sympy

from . import printing
from .errors import DomainError, GraphdiffError, ShapeError
from .ops import NUMPY, SYMPY, TENSOR, Namespace, Op, as_expr, is_function, scalar_function
from .tensorops import NO_GRADIENT, lift, shape_text

Arg = Any  # an int (node id) or a constant (sympy number)

#: Accepted values of ``order`` when building graphs.
ORDERS = ("level", "source")
#: Accepted values of ``naming``.
NAMINGS = ("w", "letters")


def is_node(arg: Arg) -> bool:
    """True if an ``args`` entry refers to a node (an ``int``), False for a constant.

    >>> is_node(3), is_node(sympy.Integer(3))
    (True, False)
    """
    return type(arg) is int


class _LazyEdgeData(dict):
    """Edge attribute dict whose ``derivative`` is computed on first access.

    networkx reads edge data through the dict methods overridden here, so every
    access path (``G.edges[u, v]["derivative"]``, ``G.edges(data="derivative")``,
    ``G.copy()``) sees the value.
    """

    __slots__ = ("_lazy",)

    def _fill(self) -> None:
        lazy = getattr(self, "_lazy", None)
        if lazy is not None:
            self._lazy = None
            owner, u, v = lazy
            dict.__setitem__(self, "derivative", owner._edge_derivative(u, v))

    def __getitem__(self, key: Any) -> Any:
        self._fill()
        return dict.__getitem__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._fill()
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        self._fill()
        return dict.__contains__(self, key)

    def __iter__(self) -> Iterator[Any]:
        self._fill()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._fill()
        return dict.__len__(self)

    def keys(self) -> Any:
        self._fill()
        return dict.keys(self)

    def values(self) -> Any:
        self._fill()
        return dict.values(self)

    def items(self) -> Any:
        self._fill()
        return dict.items(self)

    def copy(self) -> dict[Any, Any]:
        self._fill()
        return dict(dict.items(self))

    def __repr__(self) -> str:
        self._fill()
        return dict.__repr__(self)

    def __eq__(self, other: object) -> bool:
        self._fill()
        return dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]


class ComputationDiGraph(nx.DiGraph):
    """``networkx.DiGraph`` whose edge data computes ``derivative`` lazily.

    Examples
    --------
    >>> import networkx as nx, graphdiff as gd
    >>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    >>> isinstance(g.nx, nx.DiGraph), len(list(nx.all_simple_paths(g.nx, 0, 7)))
    (True, 3)
    """

    edge_attr_dict_factory = _LazyEdgeData


class Graph:
    """An immutable computation graph: the networkx DiGraph plus its inputs and outputs.

    Build one with :func:`graphdiff.parse`, :func:`graphdiff.trace` or
    :func:`graphdiff.from_sympy`; do not mutate ``.nx``.

    >>> import graphdiff as gd
    >>> g = gd.parse("x1*x2 + sin(x1)")
    >>> g
    <Graph x1*x2 + sin(x1): inputs x1, x2; 3 ops; output w5>
    >>> g.inputs, g.outputs
    (('x1', 'x2'), ('w5',))
    >>> g.to_sympy()
    x1*x2 + sin(x1)
    """

    def __init__(
        self,
        *,
        kinds: Sequence[str],
        ops: Sequence[Op | None],
        args: Sequence[tuple[Arg, ...]],
        names: Sequence[str],
        levels: Sequence[int],
        constants: Mapping[int, Any],
        inputs: Sequence[int],
        outputs: Sequence[int],
        source: str | None = None,
        shapes: Sequence[tuple[int, ...]] | None = None,
        constant_args: Sequence[int] | None = None,
    ) -> None:
        """``constant_args``: the nodes with a constant among their arguments, when the
        builder knows them (None: found by looking at every node's arguments)."""
        n = len(kinds)
        self._kinds = tuple(kinds)
        self._ops = tuple(ops)
        self._shapes = tuple(shapes) if shapes is not None else ((),) * n
        # A graph with a tensor op or a non-scalar node evaluates with a batch axis on every
        # value (see Batch); a purely scalar graph takes the scalar paths, unchanged.
        # (any() over tuples and a set of the ops: C-speed scans, no call per node.)
        self._tensor = any(self._shapes) or any(
            op.shape is not None for op in set(self._ops) if op is not None)
        self._args = tuple(args)
        self._names = tuple(names)
        self._levels = tuple(levels)
        self._constants = dict(constants)
        self._input_ids = tuple(inputs)
        self._output_ids = tuple(outputs)
        self._id_of = dict(zip(self._names, range(n), strict=True))  # at C speed
        self.source = source
        # Numeric arguments: constants as floats once, so evaluation does no conversion.
        # Only the nodes with a constant argument differ from _args (a third of a traced
        # chain x*0.5 + ...): the others share its tuples.
        if constant_args is None:
            constant_args = [v for v, node_args in enumerate(self._args)
                             if not all(type(a) is int for a in node_args)]
        # (By the constant's id: the args keep every constant alive meanwhile, and a
        # sympy number's own hash is slow.)
        floats: dict[int, np.float64] = {}
        numeric_args = list(self._args)
        for v in constant_args:
            numeric_args[v] = tuple(
                a if type(a) is int else floats.get(id(a)) or floats.setdefault(
                    id(a), np.float64(a))
                for a in self._args[v])
        self._numeric_args = tuple(numeric_args)
        self._exprs: dict[int, sympy.Expr] = {}
        # Elementwise nodes whose arguments differ in rank (H + b): their arguments are
        # lifted to one rank before a kernel or a rule sees them.
        self._mixed = frozenset(self._mixed_rank_nodes()) if self._tensor else frozenset()
        # The networkx view is built on first use (.nx): the engines read the flat tuples
        # above, and a 10⁶-node graph need not pay a DiGraph's memory unless asked.
        self._nx: ComputationDiGraph | None = None

    def _mixed_rank_nodes(self) -> Iterator[int]:
        shapes = self._shapes
        for v, op in enumerate(self._ops):
            if op is not None and op.elementwise:
                ranks = {len(shapes[a]) for a in self._args[v] if type(a) is int}
                if len(ranks) > 1:
                    yield v

    # --- construction -----------------------------------------------------------

    def _build_nx(self, n: int) -> ComputationDiGraph:
        graph = ComputationDiGraph(inputs=list(self._input_ids), outputs=list(self._output_ids))
        graph.add_nodes_from(
            (
                i,
                {
                    "kind": self._kinds[i],
                    "name": self._names[i],
                    "index": i + 1,
                    "op": self._ops[i].name if self._ops[i] is not None else None,
                    "args": self._args[i],
                    "level": self._levels[i],
                    "shape": self._shapes[i],
                    **({"value": self._constants[i]} if i in self._constants else {}),
                },
            )
            for i in range(n)
        )
        succ, pred = graph._succ, graph._pred  # noqa: SLF001 - filling adjacency in bulk
        make = _LazyEdgeData
        for v, node_args in enumerate(self._args):
            for pos, u in enumerate(node_args):
                if type(u) is not int:
                    continue
                if v in succ[u]:  # repeated operand (x*x): one edge, several positions
                    data = succ[u][v]
                    dict.__setitem__(data, "positions", (*dict.__getitem__(data, "positions"), pos))
                    continue
                data = make(positions=(pos,))
                data._lazy = (self, u, v)
                succ[u][v] = data
                pred[v][u] = data
        return graph

    # --- identity and naming ------------------------------------------------------

    @property
    def nx(self) -> ComputationDiGraph:
        """The underlying ``networkx.DiGraph`` (read it, do not mutate it); built on first
        use."""
        if self._nx is None:
            self._nx = self._build_nx(len(self._kinds))
        return self._nx

    def constant(self, node: int | str) -> Any:
        """The value of a constant node (exact, as parsed).

        >>> import graphdiff as gd
        >>> g = gd.parse("c = 2\\nd = x", outputs=["c", "d"])
        >>> g.constant("c")
        2
        """
        return self._constants[self.id(node)]

    def level(self, node: int | str) -> int:
        """The node's distance from the inputs (0 for inputs and constants).

        >>> import graphdiff as gd
        >>> [gd.parse("sin(cos(x)) + x").level(n) for n in range(4)]
        [0, 1, 2, 3]
        """
        return self._levels[self.id(node)]

    @property
    def depth(self) -> int:
        """The longest path from an input: how deeply the graph nests.

        >>> import graphdiff as gd
        >>> gd.parse("sin(cos(x)) + x").depth
        3
        """
        return max(self._levels, default=0)

    @property
    def order(self) -> range:
        """Node ids in topological (evaluation) order."""
        return range(len(self._kinds))

    @property
    def inputs(self) -> tuple[str, ...]:
        """Names of the inputs, in order."""
        return tuple(self._names[i] for i in self._input_ids)

    @property
    def outputs(self) -> tuple[str, ...]:
        """Names of the outputs, in order."""
        return tuple(self._names[i] for i in self._output_ids)

    @property
    def input_ids(self) -> tuple[int, ...]:
        """Node ids of the inputs, in order."""
        return self._input_ids

    @property
    def output_ids(self) -> tuple[int, ...]:
        """Node ids of the outputs, in order."""
        return self._output_ids

    def __len__(self) -> int:
        return len(self._kinds)

    def id(self, name: str | int) -> int:
        """The node id of a display name (ids pass through).

        >>> import graphdiff as gd
        >>> gd.parse("sin(x)", naming="letters").id("a")
        1
        """
        if type(name) is int:
            if not 0 <= name < len(self._kinds):
                raise GraphdiffError(f"no node {name} in this graph of {len(self)} nodes")
            return name
        try:
            return self._id_of[name]
        except KeyError:
            shown = ", ".join(self._names[:12]) + (", ..." if len(self) > 12 else "")
            raise GraphdiffError(f"no node named {name!r}; the nodes are {shown}") from None

    def name(self, node: int | str) -> str:
        """The display name of a node."""
        return self._names[self.id(node)]

    def kind(self, node: int | str) -> str:
        """``"input"``, ``"op"`` or ``"constant"``."""
        return self._kinds[self.id(node)]

    def op(self, node: int | str) -> Op | None:
        """The :class:`~graphdiff.ops.Op` of a node (``None`` for inputs and constants)."""
        return self._ops[self.id(node)]

    def args(self, node: int | str) -> tuple[Arg, ...]:
        """The ordered arguments of a node: node ids (int) or constants."""
        return self._args[self.id(node)]

    def shape(self, node: int | str) -> tuple[int, ...]:
        """The static shape of a node: ``()`` for a scalar, ``(2, 3)`` for a 2×3 matrix.

        >>> import graphdiff as gd
        >>> g = gd.parse("H = X @ W\\nL = sum(H)", shapes={"X": (4, 2), "W": (2, 3)})
        >>> g.shape("X"), g.shape("H"), g.shape("L")
        ((4, 2), (4, 3), ())
        """
        return self._shapes[self.id(node)]

    @property
    def is_tensor(self) -> bool:
        """Whether the graph has a node that is not a scalar, or an op that is not
        elementwise (``sum``, ``@``): then its values carry a batch axis inside the sweeps
        (:class:`Batch`), and the symbolic methods refuse it.

        >>> import graphdiff as gd
        >>> product = gd.parse("x @ y", shapes={"x": (1, 2), "y": (2, 1)})
        >>> gd.parse("x*y").is_tensor, product.is_tensor
        (False, True)
        """
        return self._tensor

    @property
    def namespace(self) -> Namespace:
        """The namespace the numeric sweeps apply the rules in: NUMPY, or TENSOR (values
        with a batch axis) for tensor graphs.

        >>> import graphdiff as gd
        >>> gd.parse("x*y").namespace, gd.parse("sum(X)", shapes={"X": (2,)}).namespace
        (<Namespace numpy>, <Namespace tensor>)
        """
        return TENSOR if self._tensor else NUMPY

    def symbol(self, node: int | str) -> sympy.Symbol:
        """The sympy symbol standing for a node's value (named by its display name)."""
        return sympy.Symbol(self._names[self.id(node)])

    def __repr__(self) -> str:
        n_ops = sum(1 for k in self._kinds if k == "op")
        title = f" {self.source}" if self.source and len(self.source) <= 40 else ""
        title = title.replace("\n", "; ")
        return (
            f"<Graph{title}: inputs {', '.join(self.inputs) or '(none)'}; "
            f"{n_ops} ops; output{'s' if len(self._output_ids) > 1 else ''} "
            f"{', '.join(self.outputs)}>"
        )

    # --- printing one node ----------------------------------------------------------

    def format_arg(self, arg: Arg, style: str = "text") -> str:
        """Print one argument (a node's name or a constant) in ``style``.

        Names print as named, except in LaTeX (see :func:`graphdiff.printing.arg_text`).

        >>> import graphdiff as gd
        >>> g = gd.parse("x1*(-2)")
        >>> g.format_arg(0, "unicode"), g.format_arg(0, "latex"), g.format_arg(g.args(1)[1])
        ('x1', 'x_{1}', '(-2)')
        """
        return printing.arg_text(self, arg, style, _names_as_named(style))

    def formula(self, node: int | str, style: str = "text") -> str:
        """The node's own operation on its arguments, such as ``"x*y"`` or ``"c²"``.

        Names print as named (``w2``, so that tables read w2 everywhere), except in
        LaTeX; :func:`graphdiff.printing.formula` prints with any names.

        >>> import graphdiff as gd
        >>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
        >>> g.formula("e"), g.formula("e", "unicode"), g.formula("x")
        ('c**2', 'c²', 'x')
        """
        return printing.formula(self, node, style, _names_as_named(style))

    # --- symbolic views -------------------------------------------------------------

    def local_partials(self, v: int, namespace: Any, node_values: Any,
                       out: Any) -> list[tuple[int, Any]]:
        """``(u, ∂v/∂u)`` for each argument position of ``v`` that is a node.

        The op's rules run in ``namespace`` (NUMPY, SYMPY or graph tracers) with
        ``node_values[u]`` standing for each node argument and ``out`` for ``v``;
        constant arguments are passed as they are (floats for NUMPY).  A node used
        twice (``x*x``) appears twice: callers accumulate.  This is the one place the
        engines, the edge derivatives and the derivative graphs apply the op table.

        >>> import graphdiff as gd
        >>> from graphdiff.ops import SYMPY
        >>> g = gd.parse("x*x")
        >>> g.local_partials(1, SYMPY, g.symbols, g.symbol(1))
        [(0, x), (0, x)]
        """
        op = self._ops[v]
        if op is None:
            return []
        raw = self._numeric_args[v] if namespace is NUMPY else self._args[v]
        args = [node_values[a] if type(a) is int else a for a in raw]
        rules = op.partials
        return [(a, rules[pos](namespace, *args, out))
                for pos, a in enumerate(raw) if type(a) is int]

    def _rule_args(self, v: int, namespace: Any, node_values: Any) -> tuple[tuple[Arg, ...],
                                                                              list[Any]]:
        """The raw arguments of ``v`` and their values as its rules receive them."""
        numeric = namespace is NUMPY or namespace is TENSOR
        raw = self._numeric_args[v] if numeric else self._args[v]
        args = [node_values[a] if type(a) is int else a for a in raw]
        if numeric and v in self._mixed:
            args = _lifted(args)
        return raw, args

    def local_vjps(self, v: int, namespace: Any, node_values: Any, out: Any, g: Any,
                   wanted: Sequence[bool] | None = None) -> list[tuple[int, Any]]:
        """``(u, contribution)``: the cotangent that ``v``'s cotangent ``g`` sends to each
        argument position of ``v`` that is a node (reverse mode's step).

        The op's ``vjps`` rule where it has one; else the elementwise default, ``g`` times
        the scalar partial, summed down to the argument's shape where broadcasting
        widened it.  Rules run in ``namespace`` (NUMPY or TENSOR for numbers, graph
        tracers for derivative graphs); ``wanted[u]`` False skips ``u`` (it leads to no
        input asked for).  A node used twice appears twice: callers accumulate.  This is
        the one place reverse mode and the adjoint graph apply the op table.

        >>> import graphdiff as gd, numpy as np
        >>> g = gd.parse("Z = X @ W", shapes={"X": (1, 2), "W": (2, 1)})
        >>> values, _ = g.batched_values({"X": [[1.0, 2.0]], "W": [[3.0], [4.0]]})
        >>> [(g.name(u), c.tolist()) for u, c in
        ...  g.local_vjps(2, g.namespace, values, values[2], np.ones((1, 1, 1)))]
        [('X', [[[3.0, 4.0]]]), ('W', [[[1.0], [2.0]]])]
        """
        op = self._ops[v]
        if op is None:
            return []
        if not self._tensor:  # scalars: the partials times g, as always (the hot path)
            raw = self._numeric_args[v] if namespace is NUMPY else self._args[v]
            args = [node_values[a] if type(a) is int else a for a in raw]
            rules = op.partials
            if namespace is NUMPY:  # numbers: a structural zero passes nothing, even to inf
                partials = [(a, rules[pos](namespace, *args, out)) for pos, a in enumerate(raw)
                            if type(a) is int and (wanted is None or wanted[a])]
                return [(a, g * p) for a, p in partials if not structural_zero(p, raw)]
            if wanted is None:
                return [(a, g * rules[pos](namespace, *args, out))
                        for pos, a in enumerate(raw) if type(a) is int]
            return [(a, g * rules[pos](namespace, *args, out)) for pos, a in enumerate(raw)
                    if type(a) is int and wanted[a]]
        raw, args = self._rule_args(v, namespace, node_values)
        numeric = namespace is NUMPY or namespace is TENSOR
        shapes, vjps = self._shapes, op.vjps
        result = []
        for pos, a in enumerate(raw):
            if type(a) is not int or (wanted is not None and not wanted[a]):
                continue
            rule = vjps[pos] if vjps is not None else None
            if rule is NO_GRADIENT:
                continue
            if rule is not None:
                result.append((a, rule(namespace, g, *args, out)))
                continue
            partial = op.partials[pos](namespace, *args, out)
            if numeric and structural_zero(partial, raw):
                continue  # passes nothing (see structural_zero)
            contribution = _times(namespace, g, partial)
            if shapes[a] != shapes[v]:  # broadcast in the forward pass: sum back down
                contribution = namespace.sum_to(contribution, node_values[a])
            result.append((a, contribution))
        return result

    def local_jvps(self, v: int, namespace: Any, node_values: Any, out: Any,
                   tangents: Any) -> list[tuple[int, Any]]:
        """``(u, contribution)``: the tangent of ``v`` contributed by each argument position
        that is a node with a tangent (``tangents[u]`` not None) (forward mode's step).

        The op's ``jvps`` rule where it has one; else the scalar partial times the
        argument's tangent, broadcast to ``v``'s shape.  The one place forward mode and
        the tangent graph apply the op table.

        >>> import graphdiff as gd
        >>> g = gd.parse("x*y")
        >>> g.local_jvps(2, g.namespace, [2.0, 3.0, 6.0], 6.0, [1.0, None, None])
        [(0, 3.0)]
        """
        op = self._ops[v]
        if op is None:
            return []
        if not self._tensor:
            raw = self._numeric_args[v] if namespace is NUMPY else self._args[v]
            args = [node_values[a] if type(a) is int else a for a in raw]
            rules = op.partials
            if namespace is NUMPY:  # numbers: a structural zero passes nothing, even inf
                partials = [(a, rules[pos](namespace, *args, out)) for pos, a in enumerate(raw)
                            if type(a) is int and tangents[a] is not None]
                return [(a, p * tangents[a]) for a, p in partials
                        if not structural_zero(p, raw)]
            return [(a, rules[pos](namespace, *args, out) * tangents[a])
                    for pos, a in enumerate(raw) if type(a) is int and tangents[a] is not None]
        raw, args = self._rule_args(v, namespace, node_values)
        numeric = namespace is NUMPY or namespace is TENSOR
        shapes, jvps = self._shapes, op.jvps
        result = []
        for pos, a in enumerate(raw):
            if type(a) is not int or tangents[a] is None:
                continue
            rule = jvps[pos] if jvps is not None else None
            if rule is NO_GRADIENT:
                continue
            if rule is not None:
                result.append((a, rule(namespace, tangents[a], *args, out)))
                continue
            partial = op.partials[pos](namespace, *args, out)
            if numeric and structural_zero(partial, raw):
                continue  # passes nothing (see structural_zero)
            contribution = _times(namespace, partial, tangents[a])
            if shapes[a] != shapes[v]:
                contribution = namespace.broadcast_like(contribution, out)
            result.append((a, contribution))
        return result

    @property
    def symbols(self) -> _Symbols:
        """The nodes' sympy symbols, indexed by node id: ``g.symbols[3]``."""
        return _Symbols(self)

    def _edge_derivative(self, u: int, v: int) -> sympy.Expr | None:
        """d v / d u in the symbols of the adjacent nodes (summed over positions); None
        into a tensor op, whose derivative is its VJP, not a scalar."""
        if not self._ops[v].elementwise:
            return None
        return sympy.Add(*(as_expr(p) for a, p in
                           self.local_partials(v, SYMPY, self.symbols, self.symbol(v)) if a == u))

    def edge_derivative(self, u: int | str, v: int | str) -> sympy.Expr:
        """The local partial derivative on the edge ``u -> v`` (a sympy expression).

        >>> import graphdiff as gd
        >>> g = gd.parse("sigmoid(z)", naming="letters")
        >>> g.edge_derivative("z", "a")
        a*(1 - a)
        """
        u, v = self.id(u), self.id(v)
        if not self.nx.has_edge(u, v):
            raise GraphdiffError(f"no edge {self._names[u]} -> {self._names[v]}")
        return self.nx.edges[u, v]["derivative"]

    def is_tensor_edge(self, u: int | str, v: int | str) -> bool:
        """Whether the edge ``u -> v`` carries a matrix derivative, not a number: either end
        is a tensor, or ``v`` is a tensor op (``sum``); its label is then its VJP
        (:meth:`edge_vjp`), not :meth:`edge_derivative`.

        >>> import graphdiff as gd
        >>> g = gd.parse("X: 2x2\\nL = sum(X) / 2")
        >>> g.is_tensor_edge("X", "w2"), g.is_tensor_edge("w2", "L")
        (True, False)
        """
        u, v = self.id(u), self.id(v)
        op = self._ops[v]
        return bool(self._shapes[u] or self._shapes[v]) or (op is not None and not op.elementwise)

    def edge_vjp(self, u: int | str, v: int | str, style: str = "unicode", *,
                 cotangent: str = "G", names: printing.Names = None) -> str:
        """What the cotangent of ``v`` sends to ``u``, as a teacher writes it (seed 004):
        the vector-Jacobian product of the edge, with ``cotangent`` the name of ∂L/∂v.

        A tensor op prints its ``vjps`` rule of the registry (``G·Wᵀ`` and ``Xᵀ·G`` for
        ``Z = X @ W``); an elementwise op ``G ⊙`` its scalar partial, with the op's own
        output written as the op (``σ(Z)``) and steps as Iverson brackets (``[H > 0]``),
        summed down to the argument's shape where it was broadcast (``sum_to``).  Between
        scalars it is the cotangent times the derivative.  ``style`` and ``names`` are the
        printer's (:mod:`graphdiff.printing`).

        >>> import graphdiff as gd
        >>> g = gd.parse("X: 4x2\\nW: 2x3\\nZ = X @ W\\nS = sigmoid(Z)\\nO = relu(Z)\\n"
        ...              "L = sum(S) + sum(O)")
        >>> g.edge_vjp("X", "Z"), g.edge_vjp("W", "Z"), g.edge_vjp("Z", "O")
        ('G·Wᵀ', 'Xᵀ·G', 'G ⊙ [Z > 0]')
        >>> g.edge_vjp("Z", "S"), g.edge_vjp("Z", "O", "latex", cotangent="O_bar")
        ('G ⊙ σ(Z)·(1 − σ(Z))', '\\\\bar{O} \\\\odot \\\\left[Z > 0\\\\right]')
        """
        u, v = self.id(u), self.id(v)
        if not self.nx.has_edge(u, v):
            raise GraphdiffError(f"no edge {self._names[u]} -> {self._names[v]}")
        op = self._ops[v]
        assert op is not None
        namespace = printing.Printed.namespace(style)
        printed = {a: printing.Printed(printing.name_text(self._names[a], style, names),
                                       shape=self._shapes[a], style=style)
                   for a in self._args[v] if type(a) is int}
        out = getattr(namespace, op.name)(*(printed[a] if type(a) is int else a
                                            for a in self._args[v]))
        g = printing.Printed(printing.name_text(cotangent, style, names),
                             shape=self._shapes[v], style=style)
        if op.elementwise:
            term = self._elementwise_vjp(u, v, g, out, names)
            if self._shapes[u] != self._shapes[v]:
                term = namespace.sum_to(term, printed[u])
            return str(term)
        terms = [str(c) for a, c in self.local_vjps(v, namespace, printed, out, g) if a == u]
        return " + ".join(terms) if terms else "0"

    def _elementwise_vjp(self, u: int, v: int, g: Any, out: Any, names: printing.Names) -> Any:
        """``G ⊙ ∂v/∂u`` printed (``G·∂v/∂u`` between scalars): the scalar partial of the
        op, its output written as the op, its steps as Iverson brackets."""
        partial = printing.iverson(self._edge_derivative(u, v))
        style, own = g.style, self._names[v]

        def shown(name: str) -> str:
            return out.text if name == own else printing.name_text(name, style, names)

        if partial == 0:
            return printing.Printed("0", style=style)
        if partial == 1:
            return g
        if partial == -1:
            return -g
        if not g.shape or partial.is_Number:
            factor = partial * sympy.Symbol(g.text)
            return printing.Printed(printing.expr_text(factor, style, names=lambda n:
                                                       g.text if n == g.text else shown(n)),
                                    printing.precedence_of(partial), g.shape, style)
        text = printing.expr_text(partial, style, names=shown)
        return g * printing.Printed(text, printing.precedence_of(partial), g.shape, style)

    def edge_derivative_value(self, u: int | str, v: int | str, values: Sequence[Any]) -> Any:
        """The local partial derivative on ``u -> v`` at node values from :meth:`values`.

        >>> import graphdiff as gd
        >>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
        >>> float(g.edge_derivative_value("c", "e", g.values(x=1, y=2)))
        6.0
        """
        u, v = self.id(u), self.id(v)
        if not self.nx.has_edge(u, v):
            raise GraphdiffError(f"no edge {self._names[u]} -> {self._names[v]}")
        if not self._ops[v].elementwise:
            return None  # a tensor op's derivative is its VJP, not a number per entry
        total: Any = 0.0
        with np.errstate(all="ignore"):
            for a, partial in self.local_partials(v, NUMPY, values, values[v]):
                if a == u:
                    total = total + partial
        # Constant partials (step' = 0) still take the batch's shape.
        return np.broadcast_to(total, np.shape(values[v]))[()] if np.ndim(values[v]) else total

    def expr(self, node: int | str) -> sympy.Expr:
        """The sympy expression of a node's value in terms of the inputs (memoized).

        Built on demand, iteratively, in topological order.

        >>> import graphdiff as gd
        >>> gd.parse("x**2 + x*y + (x+y)**2", naming="letters").expr("d")
        x**2 + x*y

        A graph with tensor nodes has no expression as one sympy scalar:

        >>> gd.parse("sum(X)", shapes={"X": (2, 2)}).to_sympy()
        Traceback (most recent call last):
        ...
        graphdiff.errors.GraphdiffError: sympy expressions are of scalar graphs; ...
        """
        if self._tensor:
            raise GraphdiffError(
                "sympy expressions are of scalar graphs; this one has tensor nodes (print "
                "it with graphdiff.printing.graph_text, differentiate it with reverse mode "
                "or reverse_graph)")
        target = self.id(node)
        exprs = self._exprs
        if target in exprs:
            return exprs[target]
        # What the target needs (its ancestors), found on the argument tuples without the
        # networkx view; stops at expressions already built.
        needed: set[int] = set()
        stack = [target]
        while stack:
            i = stack.pop()
            if i in needed or i in exprs:
                continue
            needed.add(i)
            stack.extend(a for a in self._args[i] if type(a) is int)
        for i in sorted(needed):
            if i in exprs:
                continue
            kind = self._kinds[i]
            if kind == "input":
                exprs[i] = self.symbol(i)
            elif kind == "constant":
                exprs[i] = self._constants[i]
            else:
                op = self._ops[i]
                assert op is not None
                args = [exprs[a] if is_node(a) else a for a in self._args[i]]
                if not is_function(op):  # operators: sympy's own arithmetic
                    exprs[i] = op.sympy(*args)
                else:
                    # Functions are built unevaluated: their automatic simplification
                    # asks questions of the argument (is it real? zero? a multiple of
                    # i*pi?) that cost exponential time on nested arguments -- ten
                    # nested tanh take 90 s.  Constants were folded at build time.
                    with sympy.evaluate(False):
                        exprs[i] = op.sympy(*args)
        return exprs[target]

    def to_sympy(self) -> sympy.Expr | tuple[sympy.Expr, ...]:
        """The output as a sympy expression of the inputs (a tuple for several outputs).

        >>> import graphdiff as gd
        >>> gd.parse("x**2 + x*y + (x+y)**2").to_sympy()
        x**2 + x*y + (x + y)**2
        """
        exprs = tuple(self.expr(i) for i in self._output_ids)
        return exprs[0] if len(exprs) == 1 else exprs

    # --- evaluation -------------------------------------------------------------------

    def _point(self, point: Mapping[str, Any] | None, values: Mapping[str, Any]) -> list[Any]:
        given = dict(point or {})
        given.update(values)
        unknown = sorted(set(given) - set(self.inputs))
        if unknown:
            raise GraphdiffError(
                f"unknown input{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                f"the inputs are {', '.join(self.inputs) or '(none)'}"
            )
        missing = [name for name in self.inputs if name not in given]
        if missing:
            raise GraphdiffError(f"no value given for {', '.join(missing)}")
        result = []
        for name in self.inputs:
            try:
                value = np.asarray(given[name], dtype=float)
            except (TypeError, ValueError) as err:
                raise GraphdiffError(f"the value of {name} is not a number: {err}") from None
            result.append(value[()] if value.ndim == 0 else value)
        return result

    def values(
        self,
        point: Mapping[str, Any] | None = None,
        /,
        *,
        on_domain_error: str = "raise",
        **values: Any,
    ) -> list[Any]:
        """The value of every node at a point, as a list indexed by node id.

        Inputs may be numpy arrays (a batch of points); values broadcast.  An input with
        a shape takes an array with that shape as its trailing axes, and any leading axes
        are a batch of points.  Iterative over the topological order, so a chain of a
        million nodes evaluates.

        Examples
        --------
        >>> import graphdiff as gd
        >>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
        >>> [float(v) for v in g.values(x=1, y=2)]
        [1.0, 2.0, 1.0, 2.0, 3.0, 3.0, 9.0, 12.0]
        """
        if self._tensor:
            result, batch = self.batched_values(point, on_domain_error=on_domain_error,
                                                **values)
            return [batch.public(v) for v in result]
        if on_domain_error not in ("raise", "nan"):
            raise GraphdiffError("on_domain_error must be 'raise' or 'nan'")
        given = self._point(point, values)
        if all(type(v) is np.float64 for v in given):  # one point: the float sweep
            return as_numpy(self.float_values(given, on_domain_error=on_domain_error))
        result: list[Any] = [None] * len(self._kinds)
        for i, value in zip(self._input_ids, given, strict=True):
            result[i] = value
        ops, nargs, domains = self._ops, self._numeric_args, self._domain_checks()
        with np.errstate(all="ignore"):
            for i in self.order:
                op = ops[i]
                if op is None:
                    if i in self._constants:
                        result[i] = np.float64(float(self._constants[i]))
                    continue
                arg_values = [result[a] if type(a) is int else a for a in nargs[i]]
                out = op.numpy(*arg_values)
                domain = domains[i]
                if domain is not None:
                    bad = domain(*arg_values)
                    if bad is not False and np.any(bad):
                        if on_domain_error == "raise":
                            raise self._domain_error(i, op, arg_values, bad)
                        out = np.where(bad, np.nan, out)
                        out = out[()] if np.ndim(out) == 0 else out
                result[i] = out
        return result

    def float_values(self, given: Sequence[float], *,
                     on_domain_error: str = "raise") -> list[float]:
        """Every node's value at one point of a scalar graph, as Python floats: the numbers
        of :meth:`values` (bit for bit), at a fraction of numpy scalars' cost per op.

        ``given`` are the inputs' values in the order of :attr:`inputs`.  Each op runs its
        registry ``scalar`` function (:func:`~graphdiff.ops.scalar_function`) where it has
        one: that raises outside the op's domain, so the domain is checked only where it
        raised, with ``numpy``'s value, as :meth:`values` does; other ops call ``numpy`` on
        floats and check their domain.

        >>> import graphdiff as gd
        >>> g = gd.parse("sqrt(x) + tanh(x)/y")
        >>> g.float_values([4.0, 2.0]) == [float(v) for v in g.values(x=4.0, y=2.0)]
        True
        >>> g.float_values([-1.0, 2.0])
        Traceback (most recent call last):
        ...
        graphdiff.errors.DomainError: sqrt of a negative number at w3: w3 = sqrt(x) with x = -1
        >>> g.float_values([4.0])
        Traceback (most recent call last):
        ...
        graphdiff.errors.GraphdiffError: 1 values for 2 inputs (x, y)
        """
        return self._float_sweep(given, on_domain_error)[: len(self._kinds)]

    def _float_sweep(self, given: Sequence[float], on_domain_error: str = "raise"
                     ) -> list[Any]:
        """:meth:`float_values`, followed by the constants' values (at the indices of
        :meth:`_float_slots`)."""
        if self._tensor:
            raise GraphdiffError("float_values is for scalar graphs; this one has tensor nodes")
        if on_domain_error not in ("raise", "nan"):
            raise GraphdiffError("on_domain_error must be 'raise' or 'nan'")
        if len(given) != len(self._input_ids):
            raise GraphdiffError(f"{len(given)} values for {len(self._input_ids)} inputs "
                                 f"({', '.join(self.inputs)})")
        slots, constants = self._float_slots()
        result: list[Any] = [None] * len(self._kinds) + constants
        for i, value in zip(self._input_ids, given, strict=True):
            result[i] = float(value)
        for i, value in self._constants.items():
            result[i] = float(value)
        ops, domains, on_floats = self._ops, self._domain_checks(), self._float_functions()
        with np.errstate(all="ignore"):
            for i, op in enumerate(ops):
                if op is None:
                    continue
                arg_slots = slots[i]
                function = on_floats[i]
                if function is not None:
                    try:  # raises outside the domain (and on inf, nan): numpy's turn below
                        # One and two arguments spelled out: no list per node.
                        if len(arg_slots) == 1:
                            result[i] = function(result[arg_slots[0]])
                        elif len(arg_slots) == 2:
                            result[i] = function(result[arg_slots[0]], result[arg_slots[1]])
                        else:
                            result[i] = function(*[result[a] for a in arg_slots])
                        continue
                    except (ArithmeticError, ValueError):
                        pass
                arg_values = [result[a] for a in arg_slots]
                out = float(op.numpy(*arg_values))
                domain = domains[i]
                if domain is not None:
                    bad = domain(*arg_values)
                    if bad is not False and np.any(bad):
                        if on_domain_error == "raise":
                            raise self._domain_error(i, op, arg_values, bad)
                        out = math.nan
                result[i] = out
        return result

    def _float_slots(self) -> tuple[tuple[tuple[int, ...], ...], list[float]]:
        """Per node, where the float sweeps find its arguments: a node's id, or ``n + k``
        for the k-th constant, whose values (Python floats) follow the nodes' in the
        sweeps' list, so that an argument is one index whatever it is.  Made on first use.
        """
        made = self.__dict__.get("_slots")
        if made is None:
            n, index = len(self._kinds), {}
            constants: list[float] = []

            def slot(arg: Any) -> int:
                if type(arg) is int:
                    return arg
                value = float(arg)
                key = (value, math.copysign(1.0, value))  # -0.0 is a constant of its own
                if key not in index:
                    index[key] = n + len(constants)
                    constants.append(value)
                return index[key]

            slots = tuple(node_args if all(type(a) is int for a in node_args)
                          else tuple(slot(a) for a in node_args)
                          for node_args in self._numeric_args)
            made = self._slots = (slots, constants)
        return made[0], list(made[1])

    def _float_functions(self) -> list[Any]:
        """Per node, its op's checked ``scalar`` function (None: numpy's, and the domain
        checked every time).  Made on first use."""
        functions = self.__dict__.get("_on_floats")
        if functions is None:
            per_op = {op: scalar_function(op) for op in set(self._ops) if op is not None}
            functions = self._on_floats = [None if op is None else per_op[op]
                                           for op in self._ops]
        return functions

    #: What evaluation keeps on the graph after first use (made again where it is needed):
    #: a pickle leaves it out, as it holds the registry's functions, some of them lambdas.
    _EVALUATION_CACHES = ("_checks", "_slots", "_on_floats")

    def __getstate__(self) -> dict[str, Any]:
        """The graph without evaluation's caches (graphs travel to worker processes).

        >>> import pickle, graphdiff as gd
        >>> g = gd.parse("log(x) + 1/x")
        >>> g.evaluate(x=2.0) == pickle.loads(pickle.dumps(g)).evaluate(x=2.0)
        True
        """
        return {k: v for k, v in self.__dict__.items() if k not in self._EVALUATION_CACHES}

    def _domain_checks(self) -> list[Any]:
        """Per node, the domain check evaluation runs: the op's ``domain``, or None where
        the node's constant arguments already decide that every value is inside it
        (``x**2``, ``x/2``: the op's ``domain_free``).  Decided once, on first use.

        >>> import graphdiff as gd
        >>> [check is None for check in gd.parse("x**2 + x**y")._domain_checks()]
        [True, True, True, False, True]
        """
        checks = self.__dict__.get("_checks")
        if checks is None:
            checks = []
            for op, node_args in zip(self._ops, self._args, strict=True):
                domain = None if op is None else op.domain
                if domain is not None and op.domain_free is not None and op.domain_free(
                        *(None if type(a) is int else a for a in node_args)):
                    domain = None
                checks.append(domain)
            self._checks = checks
        return checks

    def batched_values(
        self,
        point: Mapping[str, Any] | None = None,
        /,
        *,
        on_domain_error: str = "raise",
        **values: Any,
    ) -> tuple[list[Any], Batch | None]:
        """Every node's value as the derivative sweeps work on them, and their :class:`Batch`.

        For a tensor graph each value carries one leading batch axis (length 1 for a
        single point; :meth:`Batch.public` removes it); a scalar graph's values are those
        of :meth:`values` and the batch is None.

        >>> import graphdiff as gd
        >>> g = gd.parse("y = A @ x", shapes={"A": (2, 2), "x": (2, 1)})
        >>> values, batch = g.batched_values(A=[[1, 2], [3, 4]], x=[[1], [1]])
        >>> values[2].shape, batch, batch.public(values[2]).tolist()
        ((1, 2, 1), Batch(shape=(), size=1), [[3.0], [7.0]])
        """
        if not self._tensor:
            return self.values(point, on_domain_error=on_domain_error, **values), None
        if on_domain_error not in ("raise", "nan"):
            raise GraphdiffError("on_domain_error must be 'raise' or 'nan'")
        given = self._point(point, values)
        batch = Batch.of(self, given)
        result: list[Any] = [None] * len(self._kinds)
        for i, value in zip(self._input_ids, given, strict=True):
            result[i] = batch.canonical(value, self._shapes[i], self._names[i])
        ops, nargs, mixed = self._ops, self._numeric_args, self._mixed
        with np.errstate(all="ignore"):
            for i in self.order:
                op = ops[i]
                if op is None:
                    if i in self._constants:
                        result[i] = np.full((1,), float(self._constants[i]))
                    continue
                arg_values = [result[a] if type(a) is int else a for a in nargs[i]]
                if i in mixed:
                    arg_values = _lifted(arg_values)
                out = op.numpy(*arg_values)
                if op.domain is not None:
                    bad = op.domain(*arg_values)
                    if bad is not False and np.any(bad):
                        if on_domain_error == "raise":
                            raise self._domain_error(i, op, arg_values, bad)
                        out = np.where(bad, np.nan, out)
                result[i] = out
        return result, batch

    def _domain_error(self, i: int, op: Op, arg_values: list[Any], bad: Any) -> DomainError:
        if self._tensor:
            return self._tensor_domain_error(i, op, arg_values, bad)
        expression = f"{self._names[i]} = {self.formula(i)}"
        where = ""
        if np.ndim(bad) > 0:
            first = tuple(int(k) for k in np.argwhere(bad)[0])
            where = f" (first at batch index {first[0] if len(first) == 1 else first})"
            arg_values = [
                np.broadcast_to(v, np.shape(bad))[first] if np.ndim(v) else v
                for v in arg_values
            ]
        shown = ", ".join(
            f"{self.format_arg(a)} = {float(v):g}"
            for a, v in zip(self._args[i], arg_values, strict=True)
            if is_node(a)
        )
        return DomainError(
            f"{op.domain_message} at {self._names[i]}: {expression} with {shown}{where}",
            node=self._names[i],
            expression=expression,
        )

    def _tensor_domain_error(self, i: int, op: Op, arg_values: list[Any],
                             bad: Any) -> DomainError:
        """The message for a tensor graph: the entry (and point) where it went wrong."""
        expression = f"{self._names[i]} = {self.formula(i)}"
        bad = np.asarray(bad)
        where, shown = "", ""
        if bad.ndim > 0:
            first = tuple(int(k) for k in np.argwhere(bad)[0])
            entry = first[1:] if bad.shape[0] >= 1 else first
            where = (f" at entry {entry}" if entry else "") + (
                f" of point {first[0]}" if bad.shape[0] > 1 else "")
            try:
                values = [f"{self.format_arg(a)} = {float(np.broadcast_to(v, bad.shape)[first]):g}"
                          for a, v in zip(self._args[i], arg_values, strict=True) if is_node(a)]
                shown = " with " + ", ".join(values)
            except ValueError:  # a matrix argument of a scalar result (logdet): no entry
                shown = ""
        return DomainError(f"{op.domain_message} at {self._names[i]}: {expression}{shown}{where}",
                           node=self._names[i], expression=expression)

    def evaluate(
        self,
        point: Mapping[str, Any] | None = None,
        /,
        *,
        on_domain_error: str = "raise",
        **values: Any,
    ) -> Any:
        """The output value at a point (a tuple for several outputs).

        ``point`` is a mapping from input names to numbers or numpy arrays; keyword
        arguments work too.  With ``on_domain_error="nan"`` a domain error gives nan
        instead of raising :class:`~graphdiff.DomainError`.

        >>> import graphdiff as gd
        >>> g = gd.parse("log(x) + y")
        >>> g.evaluate(x=1.0, y=2.0)
        2.0
        >>> g.evaluate({"x": [1.0, -1.0], "y": 0.0}, on_domain_error="nan")
        array([ 0., nan])
        >>> g.evaluate(x=-1.0, y=2.0)
        Traceback (most recent call last):
        ...
        graphdiff.errors.DomainError: log of a non-positive number at w3: w3 = log(x) with x = -1
        """
        if not self._tensor:
            given = self._point(point, values)
            if all(type(v) is np.float64 for v in given):  # one point: floats throughout
                floats = self.float_values(given, on_domain_error=on_domain_error)
                outs = tuple(floats[i] for i in self._output_ids)
                return outs[0] if len(outs) == 1 else outs
        all_values = self.values(point, on_domain_error=on_domain_error, **values)
        outs = tuple(_plain(all_values[i]) for i in self._output_ids)
        return outs[0] if len(outs) == 1 else outs

    # The notebook display (_repr_svg_) is presentation: graphdiff.display installs it, as
    # the core imports nothing above it (docs/architecture.md).

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Evaluate with positional inputs in the order of :attr:`inputs`."""
        if len(args) > len(self._input_ids):
            raise GraphdiffError(
                f"{len(args)} positional values for {len(self._input_ids)} inputs"
            )
        return self.evaluate(dict(zip(self.inputs, args, strict=False)), **kwargs)


class Batch:
    """How a tensor graph's values are laid out in one evaluation.

    ``shape`` is the batch shape the inputs' leading axes broadcast to (``()`` for one
    point) and ``size`` its number of points.  Inside the sweeps every value has one
    leading axis of length ``size``, or 1 where it does not depend on a batched input,
    followed by the node's own axes; :meth:`public` gives it back as the user wrote it.

    >>> b = Batch((4,), 4)
    >>> b.canonical(np.zeros((4, 2, 3)), (2, 3), "X").shape
    (4, 2, 3)
    >>> b.canonical(np.zeros(3), (3,), "b").shape
    (1, 3)
    >>> b.public(np.zeros((4, 2, 3))).shape, b.public(np.zeros((1, 3))).shape
    ((4, 2, 3), (3,))
    """

    __slots__ = ("shape", "size")

    def __init__(self, shape: tuple[int, ...], size: int) -> None:
        self.shape = shape
        self.size = size

    def __repr__(self) -> str:
        return f"Batch(shape={self.shape}, size={self.size})"

    @classmethod
    def of(cls, graph: Graph, given: Sequence[Any]) -> Batch:
        """The batch of the inputs' values: their leading axes, beyond each input's shape."""
        batches = []
        for i, value in zip(graph.input_ids, given, strict=True):
            batches.append(_batch_part(np.shape(value), graph.shape(i), graph.name(i)))
        try:
            shape = tuple(np.broadcast_shapes(*batches)) if batches else ()
        except ValueError:
            shown = ", ".join(f"{graph.name(i)}: {shape_text(b)}"
                              for i, b in zip(graph.input_ids, batches, strict=True) if b)
            raise GraphdiffError(f"the inputs' batches do not broadcast ({shown})") from None
        return cls(shape, math.prod(shape))

    def canonical(self, value: Any, shape: tuple[int, ...], name: str) -> np.ndarray:
        """``value`` (an input's, or a seed for a node of shape ``shape``) with one batch
        axis; its own batch must broadcast to this one."""
        value = np.asarray(value, dtype=float)
        own = _batch_part(value.shape, shape, name)
        if own == self.shape:
            return value.reshape((self.size, *shape))
        if math.prod(own) == 1:
            return value.reshape((1, *shape))
        try:
            spread = np.broadcast_to(value, self.shape + tuple(shape))
        except ValueError:
            raise GraphdiffError(f"the value for {name} has a batch of shape "
                                 f"{shape_text(own)}, not {shape_text(self.shape)}") from None
        return spread.reshape((self.size, *shape))

    def public(self, value: Any) -> Any:
        """A value of the sweeps as the user sees it: the node's shape, after the batch's
        axes only if there is a batch and the value depends on it."""
        if value is None or type(value) is int or np.ndim(value) == 0:
            return value
        value = np.asarray(value)
        if not self.shape or (value.shape[0] == 1 and self.size != 1):
            return value[0]
        return value.reshape(self.shape + value.shape[1:])


def _batch_part(value_shape: tuple[int, ...], shape: tuple[int, ...],
                name: str) -> tuple[int, ...]:
    """The leading (batch) axes of a value given for a node of shape ``shape``."""
    rank = len(shape)
    if len(value_shape) < rank or tuple(value_shape[len(value_shape) - rank:]) != shape:
        raise ShapeError(f"the value of {name} has shape {shape_text(tuple(value_shape))}, "
                         f"but {name} is declared {shape_text(shape)} (leading axes beyond "
                         "that are a batch of points)")
    return tuple(value_shape[: len(value_shape) - rank])


def _lifted(values: list[Any]) -> list[Any]:
    """Batched values brought to one rank, size-1 axes after the batch axis (H + b)."""
    ndim = max(np.ndim(v) for v in values)
    return [lift(v, ndim) for v in values]


def structural_zero(partial: Any, constants: Sequence[Any] = ()) -> bool:
    """Whether a partial is zero whatever the point: the int or sympy 0 that a rule
    returns (``d(a**0)/da``, ``d(0**b)/db``), or a constant argument of the node that is
    0, which a rule handed back (``x*0`` differentiated in x); never a float that happens
    to be 0 at this point.

    On numbers, such an edge contributes nothing (the sweeps leave its term out), even
    where the cotangent or tangent it would multiply is inf (0·inf would be nan): that is
    the sum over paths, where a path through a zero edge is zero, and what a derivative
    graph does, which drops the term when it is built.

    >>> zero = np.float64(0.0)
    >>> structural_zero(0), structural_zero(sympy.Integer(0)), structural_zero(0.0)
    (True, True, False)
    >>> structural_zero(zero, (1, zero)), structural_zero(np.float64(0.0), (1, zero))
    (True, False)
    """
    if type(partial) is int:
        return partial == 0
    if partial is sympy.S.Zero:
        return True
    return (type(partial) is np.float64 or type(partial) is float) and partial == 0 and any(
        partial is c for c in constants)


def _times(namespace: Any, a: Any, b: Any) -> Any:
    """``a * b`` in ``namespace`` (broadcasting node shapes), skipping a factor 1."""
    if type(b) is int and b == 1:
        return a
    if type(a) is int and a == 1:
        return b
    return namespace.mul(a, b)


class _Symbols:
    """Node id -> sympy symbol, computed on access (graphs may have 10⁶ nodes)."""

    __slots__ = ("_graph",)

    def __init__(self, graph: Graph) -> None:
        self._graph = graph

    def __getitem__(self, node: int) -> sympy.Symbol:
        return self._graph.symbol(node)


def _names_as_named(style: str) -> printing.Names:
    """Tables read a graph's own names (w2, not w₂) in every style but LaTeX."""
    return None if style == "latex" else printing.as_named


def as_numpy(values: list[float]) -> list[Any]:
    """Python floats as numpy float64 scalars, in one conversion (the values the sweeps of
    scalar graphs hand back, as they always have).

    >>> as_numpy([1.5, 2.0])
    [np.float64(1.5), np.float64(2.0)]
    """
    return list(np.array(values, dtype=float))


def _plain(value: Any) -> Any:
    """A 0-d result as a Python float; arrays stay arrays."""
    return float(value) if np.ndim(value) == 0 else value
