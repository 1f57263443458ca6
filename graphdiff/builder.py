"""Building graphs: hash-consing, constant folding, numbering and naming.

Used by the parser, the tracer, ``from_sympy`` and the derivative-graph transforms;
not part of the public API.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import mpmath
import numpy as np
import sympy

from .errors import DomainError, GraphdiffError, ShapeError
from .graph import NAMINGS, ORDERS, Arg, Graph, is_node
from .ops import ATOM, OPS, MPDomainError, MPOverflow, Op, as_expr, is_function
from .printing import apply_op, constant_text
from .tensorops import broadcast_shapes, is_all, shape_text

Shape = tuple[int, ...]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building big graphs.

    Building allocates millions of small objects that are all kept; the collector's
    repeated scans of them would otherwise double the build time of large graphs.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()



# --- building -------------------------------------------------------------------------


class GraphBuilder:
    """Collects nodes (inputs and ops) with hash-consing, then numbers them into a Graph.

    Identical subexpressions share one node: ``apply`` returns the existing node for
    an ``(op, args)`` pair already seen.  An op whose arguments are all constants is
    folded to a constant (exact, with sympy).  Every node gets its shape when it is
    applied (``()`` for scalars; constants are scalars), from the op's ``shape`` rule or
    numpy's broadcasting, and a mismatch raises :class:`~graphdiff.ShapeError` at once,
    naming the node, the op and the shapes.  Used by the parser, the tracer and
    ``from_sympy``; it is not part of the public API.

    >>> from graphdiff.ops import OPS
    >>> b = GraphBuilder()
    >>> z = b.apply(OPS["matmul"], (b.input("X", (2, 3)), b.input("W", (3, 4))))
    >>> b.shape(z), b.shape(b.apply(OPS["add"], (z, b.input("c", (4,)))))
    ((2, 4), (2, 4))
    >>> b.apply(OPS["matmul"], (z, b.input("V", (2, 4))))
    Traceback (most recent call last):
    ...
    graphdiff.errors.ShapeError: X @ W @ V: (2, 4) @ (2, 4) — inner sizes 4 and 2 differ
    """

    def __init__(self, *, simplify: bool = False) -> None:
        #: Drop algebraic identities (x*1, x + 0, x**1, ...) when applying ops.  Off
        #: for user input, whose graph mirrors what was written; on for derivative
        #: graphs, whose rules multiply by 1 and add 0 all the time.
        self.simplify = simplify
        self.kinds: list[str] = []
        self.ops: list[Op | None] = []
        self.args: list[tuple[Arg, ...]] = []
        self.levels: list[int] = []
        self.shapes: list[Shape] = []
        #: Whether any node is not a scalar yet: until then every shape is () and building
        #: a scalar graph pays nothing for shapes.
        self.tensor = False
        self.user_names: dict[int, str] = {}
        self.input_ids: dict[str, int] = {}
        self.constants: dict[int, Any] = {}
        #: The op nodes with a constant argument (x*0.5): the graph converts those to
        #: floats once, without looking at every node.
        self.constant_args: list[int] = []
        self._memo: dict[tuple[Any, ...], int] = {}
        self._constant_numbers: dict[Any, int] = {}
        self._by_id: dict[int, tuple[int, Any]] = {}

    def input(self, name: str, shape: Shape | None = None) -> int:
        """The node of input ``name`` (created on first use, a scalar unless ``shape``)."""
        node = self.input_ids.get(name)
        if node is None:
            node = self._add("input", None, (), 0, tuple(shape or ()))
            self.input_ids[name] = node
            self.user_names[node] = name
        elif shape is not None and tuple(shape) != self.shapes[node]:
            raise ShapeError(f"{name} is declared {shape_text(tuple(shape))} and "
                             f"{shape_text(self.shapes[node])}")
        return node

    def shape(self, ref: Arg) -> Shape:
        """The shape of a node, or ``()`` for a constant."""
        return self.shapes[ref] if type(ref) is int else ()

    def constant_node(self, value: Any) -> int:
        """A node holding a constant (only used for constant outputs)."""
        node = self._add("constant", None, (), 0)
        self.constants[node] = value
        return node

    def _add(self, kind: str, op: Op | None, args: tuple[Arg, ...], level: int,
             shape: Shape = ()) -> int:
        self.kinds.append(kind)
        self.ops.append(op)
        self.args.append(args)
        self.levels.append(level)
        self.shapes.append(shape)
        if shape:
            self.tensor = True
        return len(self.kinds) - 1

    def apply(self, op: Op, args: Sequence[Arg]) -> Arg:
        """The node for ``op(*args)``, or a constant if every argument is constant."""
        # The hot path of every way of building (10⁶ calls for a 10⁶-node trace): one and
        # two arguments are unpacked by hand, the memo key is made once, and what the
        # registry's columns decide (elementwise, identities, domain) is read, not redone.
        if type(args) is not tuple:
            args = tuple(args)
        shape: Shape = ()
        if op.shape is None:  # elementwise: nothing to do while every node is a scalar
            if self.tensor:
                shapes = self.shapes
                for a in args:
                    if type(a) is int and shapes[a]:
                        shape = self._by_rule(op, args, broadcast_shapes)
                        break
        else:
            if op.static:
                args = self._normalized(op, args)
            shape = self._by_rule(op, args, op.shape)
        levels = self.levels
        n = len(args)
        # The memo key: the op, the arguments, and -- only when some argument is a
        # constant -- a bit mask of the constant positions, so that the constant 2 never
        # matches node 2 (equal and equally hashed) and no argument is wrapped.
        if n == 2:
            a, b = args
            if type(a) is int:
                if type(b) is int:
                    mask, key = 0, (op, a, b)
                    level = levels[a] if levels[a] > levels[b] else levels[b]
                else:  # the key after the identities: x*1 needs none
                    mask, key, level = 2, None, levels[a]
            elif type(b) is int:
                mask, key, level = 1, None, levels[b]
            else:
                return fold_constant(op, args)
        elif n == 1:
            a = args[0]
            if type(a) is not int:
                return fold_constant(op, args)
            mask, key, level = 0, (op, a), levels[a]
        else:
            mask, level = _mask_and_level(args, levels)
            if level < 0:
                return fold_constant(op, args)
            key = _memo_key(op, args, mask, self._constant_key)
        if self.simplify and ((mask and op.identities) or op.involution or op.shape_identity):
            shortcut = _identity(op, args, self, shape)
            if shortcut is not None:
                return shortcut
        if key is None:
            key = (op, a, self._constant_key(b), 2) if mask == 2 else (
                op, self._constant_key(a), b, 1)
        memo = self._memo
        node = memo.get(key)
        if node is None and self.simplify and op.commutative:  # derivative graphs: b*a
            # is the node a*b already built (the mask's two bits swap with the arguments)
            node = memo.get((op, key[2], key[1], 3 - mask) if mask else (op, key[2], key[1]))
        if node is None:
            if mask and op.domain is not None and op.shape is None:
                self._refuse_constant_domain(op, args)
            node = len(self.kinds)
            self.kinds.append("op")
            self.ops.append(op)
            self.args.append(args)
            levels.append(level + 1)
            self.shapes.append(shape)
            if shape:
                self.tensor = True
            memo[key] = node
            if mask:
                self.constant_args.append(node)
        return node

    def replay(self, graph: Graph) -> list[Arg]:
        """Copy ``graph`` into this builder (its nodes, names and memo); returns each
        node's reference here (a node id, or the constant of a constant node).

        The graph was built by a builder, so its nodes were checked, folded and shaped
        already: they are copied as they are, with no op applied again (what made copying
        a 375,000-node graph take seconds), and entered in the memo, so that a
        derivative rule that builds ``cos(x)`` finds the graph's own node.  Nodes that
        are equal (a program's repeated line) become one, as ``apply`` would make them.

        >>> first = GraphBuilder()
        >>> sine = first.apply(OPS["sin"], (first.input("x"),))
        >>> twice = first.apply(OPS["add"], (sine, first.twin(sine)))  # two lines sin(x)
        >>> graph = first.build([twice])
        >>> b = GraphBuilder()
        >>> refs = b.replay(graph)
        >>> len(graph), len(b.kinds), refs, b.apply(OPS["sin"], (refs[0],))
        (4, 3, [0, 1, 1, 2], 1)
        """
        names, kinds, ops = graph._names, graph._kinds, graph._ops  # noqa: SLF001 - bulk copy
        all_args, shapes = graph._args, graph._shapes  # noqa: SLF001
        refs: list[Arg] = [None] * len(kinds)
        levels, memo, user_names = self.levels, self._memo, self.user_names
        constant_key = self._constant_key
        # While every node so far has its own number here (an empty builder), arguments
        # need no renumbering.
        in_step = not self.kinds
        for v, kind in enumerate(kinds):
            if kind == "input":
                refs[v] = self.input(names[v], shapes[v])
                in_step = in_step and refs[v] == v
                continue
            if kind != "op":
                refs[v] = graph.constant(v)  # a constant output: a constant, as parsed
                in_step = False
                continue
            op, args = ops[v], all_args[v]
            if not in_step:  # some node before this one has another number here
                args = tuple([refs[a] if type(a) is int else a for a in args])
                if any(type(a) is not int and type(b) is int
                       for a, b in zip(args, all_args[v], strict=True)):
                    refs[v] = self.apply(op, args)  # an argument is a constant node: fold
                    continue
            mask, level = _mask_and_level(args, levels)
            key = _memo_key(op, args, mask, constant_key)
            node = memo.get(key)
            if node is None:
                node = memo[key] = len(self.kinds)
                self.kinds.append("op")
                self.ops.append(op)
                self.args.append(args)
                levels.append(max(level, 0) + 1)
                self.shapes.append(shapes[v])
                if mask:
                    self.constant_args.append(node)
            refs[v] = node
            in_step = in_step and node == v
        self.tensor = self.tensor or any(shapes)  # a node that is not a scalar
        for v, ref in enumerate(refs):
            if type(ref) is int:
                user_names.setdefault(ref, names[v])
        return refs

    def _constant_key(self, constant: Any) -> int:
        """A constant's number in the memo keys: equal constants share one, and it hashes
        at C speed (a sympy number's hash is three Python calls, paid on every lookup).
        Found by the object's id, which stays valid as the entry keeps the object alive."""
        entry = self._by_id.get(id(constant))
        if entry is None:
            number = self._constant_numbers.setdefault(constant, len(self._constant_numbers))
            entry = self._by_id[id(constant)] = (number, constant)
        return entry[0]

    def _refuse_constant_domain(self, op: Op, args: tuple[Arg, ...]) -> None:
        """Constant arguments alone can put an op outside its domain whatever the nodes are
        (``x/0``, ``log(x - x + 0)`` is no such case, ``(-8)**y`` at most points): refuse
        the node as the parser does, instead of a graph whose every evaluation fails and
        whose derivatives hold ``zoo``.

        >>> b = GraphBuilder()
        >>> b.apply(OPS["div"], (b.input("x"), sympy.Integer(0)))
        Traceback (most recent call last):
        ...
        graphdiff.errors.DomainError: division by zero: x/0 is outside the domain of div for every x
        """
        if op.domain_free is not None and op.domain_free(
                *(None if type(a) is int else a for a in args)):
            return  # the registry says so already (x/2, x**2): no numpy call per node
        if outside_for_every_value(op, args):
            shown = apply_op(op, [self._operand(a) for a in args])[0]
            names = ", ".join(dict.fromkeys(self.user_names.get(a, "…") for a in args
                                            if type(a) is int))
            raise DomainError(f"{op.domain_message}: {shown} is outside the domain of "
                              f"{op.name} for every {names}", node=shown, expression=shown)

    # --- shapes ---------------------------------------------------------------------------

    def _by_rule(self, op: Op, args: tuple[Arg, ...], rule: Any) -> Shape:
        data, static = self._split(op, args)
        try:
            return tuple(rule(*data, *static))
        except ShapeError as err:
            raise self._shape_error(op, args, data, err.detail) from None

    def _split(self, op: Op, args: tuple[Arg, ...]) -> tuple[list[Shape], list[int | None]]:
        """The shapes of the data arguments and the values of the static ones."""
        k = op.arity - op.static
        return [self.shape(a) for a in args[:k]], [self._static_value(op, a)
                                                    for a in args[k:]]

    def _static_value(self, op: Op, arg: Arg) -> int | None:
        if type(arg) is not int:
            if is_all(arg):
                return None
            if getattr(arg, "is_Integer", False) or isinstance(arg, int):
                return int(arg)
        raise ShapeError(f"the axis of {op.name} must be an integer constant, not "
                         f"{self._describe(arg)}", op=op.name)

    def _normalized(self, op: Op, args: tuple[Arg, ...]) -> tuple[Arg, ...]:
        """``args`` with the static ones in canonical form (axes negative)."""
        if op.normalize is None:
            return args
        data, static = self._split(op, args)
        try:
            fixed = op.normalize(*data, *static)
        except ShapeError as err:
            raise self._shape_error(op, args, data, err.detail) from None
        return args[: op.arity - op.static] + tuple(fixed)

    def _shape_error(self, op: Op, args: tuple[Arg, ...], shapes: list[Shape],
                     detail: str) -> ShapeError:
        expression = apply_op(op, [self._operand(a) for a in args])[0]
        shown = [shape_text(s) for s in shapes]
        if is_function(op) or len(shown) != op.arity:
            between = ", ".join(shown)
        else:
            between = op.text.format(*shown)
        return ShapeError(detail, expression=expression, op=op.name, shapes=tuple(shapes),
                          operands=between)

    def _describe(self, ref: Arg) -> str:
        """A node as a message names it: its name, else its operation one level deep."""
        return self._operand(ref)[0]

    def _operand(self, ref: Arg) -> tuple[str, float]:
        """``(text, precedence)`` of a node in a message: its name, else its operation with
        its own arguments named (or ``…``)."""
        if type(ref) is not int:
            return (constant_text(ref) if not is_all(ref) else "all"), ATOM
        name = self.user_names.get(ref)
        op = self.ops[ref]
        if name is not None or op is None:
            return name or "?", ATOM
        inner = [(self.user_names.get(a, "…") if type(a) is int else constant_text(a), ATOM)
                 for a in self.args[ref]]
        return apply_op(op, inner)

    def twin(self, node: int) -> int:
        """A second node computing what ``node`` computes (outside the memo): a program
        line that repeats an expression keeps a row of its own."""
        twin = self._add(self.kinds[node], self.ops[node], self.args[node],
                         self.levels[node], self.shapes[node])
        if any(type(a) is not int for a in self.args[node]):
            self.constant_args.append(twin)
        return twin

    def name(self, node: int, name: str) -> None:
        """Give a node a user name (the first name given wins)."""
        self.user_names.setdefault(node, name)

    def build(
        self,
        outputs: Sequence[Arg],
        *,
        order: str = "level",
        naming: str = "w",
        inputs: Sequence[str] | None = None,
        source: str | None = None,
        reserved: Sequence[str] = (),
    ) -> Graph:
        """Number the nodes and make the immutable :class:`Graph`.

        ``order="level"`` numbers nodes by (distance from the inputs, creation order),
        which reproduces the numbering of the seeds (``w4 = w2**3`` before
        ``w5 = exp(w3)``); ``order="source"`` keeps creation order.
        ``inputs`` fixes the order of the inputs (and may add unused ones).
        """
        if order not in ORDERS:
            raise GraphdiffError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
        if naming not in NAMINGS:
            raise GraphdiffError(f"naming must be one of {', '.join(NAMINGS)}, not {naming!r}")
        for name in inputs or ():
            self.input(name)
        # Constant outputs become constant nodes.
        output_nodes = [out if is_node(out) else self.constant_node(out) for out in outputs]
        # Only what the outputs need (and the inputs) goes into the graph.
        kinds, count = self.kinds, len(self.kinds)
        keep = _reachable_backwards(self.args, output_nodes, count)
        for node in self.input_ids.values():
            keep[node] = 1
        input_order = list(dict.fromkeys(inputs or ()))
        given = set(input_order)  # a set: a list's `in` made this quadratic in the inputs
        input_order += [n for n in self.input_ids if n not in given]
        input_nodes = [self.input_ids[n] for n in input_order]
        others = [i for i in itertools.compress(range(count), keep) if kinds[i] != "input"]
        if order == "level":  # a stable sort of ascending ids: by (level, creation order)
            others.sort(key=self.levels.__getitem__)
        old_ids = input_nodes + others
        with gc_paused():
            return self._make_graph(old_ids, input_nodes, output_nodes, naming, source,
                                    reserved, keep)

    def _make_graph(self, old_ids: list[int], input_nodes: list[int], output_nodes: list[int],
                    naming: str, source: str | None, reserved: Sequence[str],
                    keep: bytearray) -> Graph:
        count = len(self.kinds)
        names = _display_names(list(map(self.user_names.get, old_ids)), naming=naming,
                               reserved=reserved)
        # Nodes before the first one that moves keep their numbers, and so do their
        # arguments (which come before them): their lists and tuples are used as they are.
        # A trace usually keeps every node in place; then nothing is copied at all.
        in_place = next((i for i, old in enumerate(old_ids) if old != i), len(old_ids))
        if in_place == count:
            return Graph(kinds=self.kinds, ops=self.ops,
                         shapes=self.shapes if self.tensor else None, args=self.args,
                         names=names, levels=self.levels, constants=self.constants,
                         inputs=input_nodes, outputs=output_nodes, source=source,
                         constant_args=self.constant_args)
        new_id = list(range(count))  # a list, not a dict: smaller, and indexed at C speed
        for new in range(in_place, len(old_ids)):
            new_id[old_ids[new]] = new
        # (map with a list's __getitem__ runs at C speed; only the nodes with a constant
        # argument need a test per argument.)
        args, renumber, with_constants = self.args, new_id.__getitem__, set(self.constant_args)
        moved = [
            tuple([new_id[a] if type(a) is int else a for a in args[o]])
            if o in with_constants else tuple(map(renumber, args[o]))
            for o in itertools.islice(old_ids, in_place, None)
        ]
        return Graph(
            kinds=list(map(self.kinds.__getitem__, old_ids)),
            ops=list(map(self.ops.__getitem__, old_ids)),
            shapes=list(map(self.shapes.__getitem__, old_ids)) if self.tensor else None,
            args=args[:in_place] + moved,
            names=names,
            levels=list(map(self.levels.__getitem__, old_ids)),
            constants={new_id[o]: v for o, v in self.constants.items() if keep[o]},
            inputs=[new_id[o] for o in input_nodes],
            outputs=[new_id[o] for o in output_nodes],
            source=source,
            constant_args=[new_id[o] for o in self.constant_args if keep[o]],
        )


class _BuildingNamespace:
    """The registry's ops applied through a builder (identities build their results)."""

    def __init__(self, builder: GraphBuilder) -> None:
        self._builder = builder

    def __getattr__(self, op_name: str) -> Any:
        op = OPS[op_name]
        return lambda *args: self._builder.apply(op, args)


def _identity(op: Op, args: tuple[Arg, ...], builder: GraphBuilder,
              shape: Shape) -> Arg | None:
    """The result of ``op(*args)`` when one of the op's identities gives it for free."""
    if op.involution and builder.ops[args[0]] is op:  # --a = a
        return builder.args[args[0]][0]
    if op.shape_identity and builder.shape(args[0]) == shape:  # sum_to(g, x) of x's shape
        return args[0]
    if len(args) == 2:  # one constant (two are folded): its identity by a lookup
        position = 0 if type(args[0]) is not int else 1
        constant = args[position]
        if not getattr(constant, "is_Integer", False):
            return None
        identity = _identity_table(op).get((position, constant.p))
        if identity is None:
            return None
        return identity.result(_BuildingNamespace(builder), args[1 - position])
    for identity in op.identities:
        constant = args[identity.position]
        # An exact constant equal to an integer is a sympy Integer (sympy keeps rationals
        # in lowest terms; a Float never equals one): compared by its numerator, not by
        # sympy's ==, which sympifies its other side and cost a third of a derivative
        # graph's build.
        if type(constant) is not int and getattr(constant, "is_Integer", False) and \
                constant.p == identity.constant:
            other = args[1 - identity.position] if len(args) == 2 else constant
            # A node is an int here: results that are constants are sympy numbers.
            return identity.result(_BuildingNamespace(builder), other)
    return None


_IDENTITY_TABLES: dict[Op, dict[tuple[int, int], Any]] = {}


def _identity_table(op: Op) -> dict[tuple[int, int], Any]:
    """An op's identities by (position, integer constant), made once per op (an op that
    is defined again is a new key); the first of equal ones wins, as in the column."""
    table = _IDENTITY_TABLES.get(op)
    if table is None:
        table = {}
        for identity in op.identities:
            table.setdefault((identity.position, identity.constant), identity)
        _IDENTITY_TABLES[op] = table
    return table


def _mask_and_level(args: tuple[Arg, ...], levels: list[int]) -> tuple[int, int]:
    """The bit mask of the constant positions among ``args`` and the highest level of
    their nodes (-1 without a node)."""
    mask, level = 0, -1
    for i, a in enumerate(args):
        if type(a) is int:
            if levels[a] > level:
                level = levels[a]
        else:
            mask |= 1 << i
    return mask, level


def _memo_key(op: Op, args: tuple[Arg, ...], mask: int,
              constant_key: Callable[[Any], Any]) -> tuple[Any, ...]:
    """The memo key of a node: the op, the arguments and -- only when some argument is a
    constant -- the mask of the constant positions, each constant by its number
    (``constant_key``), so that the constant 2 never matches node 2.  The two-argument
    path of :meth:`GraphBuilder.apply` writes the same keys by hand."""
    if not mask:
        return (op, *args)
    return (op, *(a if type(a) is int else constant_key(a) for a in args), mask)


def outside_for_every_value(op: Op, args: Sequence[Arg]) -> bool:
    """Whether constant arguments alone put ``op`` outside its domain, whatever its node
    arguments are (``x/0``, ``(-8)**x``): nan stands for the nodes, so the op's domain
    check is True only then.  The parser asks it (to point at the constant), and so does
    :meth:`GraphBuilder.apply` for every other way of building.

    >>> outside_for_every_value(OPS["div"], (0, sympy.Integer(0))), outside_for_every_value(
    ...     OPS["div"], (0, sympy.Integer(2)))
    (True, False)
    """
    with np.errstate(invalid="ignore"):
        return bool(np.any(op.domain(*(np.nan if type(a) is int else float(a)
                                       for a in args))))


def float_of_constant(value: Any) -> float:
    """A constant as a float; inf when it is beyond the float range."""
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def _constant_text(value: Any) -> str:
    text = str(value)
    return f"({text})" if value.is_negative or (value.is_Rational and not value.is_Integer) \
        or not value.is_Atom else text


#: A folded constant whose float value is this small against its arguments may be an exact
#: 0 that rounding turned into a tiny number: it is checked at high precision.
CANCELLATION = 1e-10
#: ... and taken as exactly 0 when it vanishes to this many digits.
ZERO_DIGITS = 400
#: Digits of the high-precision domain decision near a boundary.
BOUNDARY_DIGITS = 60
_FLOAT_MAX = float(np.finfo(float).max)


def fold_constant(op: Op, args: tuple[Any, ...]) -> Any:
    """Evaluate an op on constants exactly, refusing values outside its domain.

    Floats decide first (cheap, and sympy would keep ``exp(exp(exp(100)))`` and hang
    when asked for its digits).  Where floats cannot be trusted -- they put the arguments
    outside the domain or the value out of range, which an exact 0 rounded to ``-4e-16``
    or a tiny number rounded to ``0.0`` can do -- the op decides again at 60 digits with
    its high-precision implementation (``Op.mpmath``).  A folded value that cancels to
    ``1e-10`` of its arguments and vanishes to 400 digits is taken as exactly 0, so later
    ops see the exact boundary.  Both checks are bounded (sympy's ``evalf`` with a
    maximum precision).

    >>> from graphdiff.ops import OPS
    >>> fold_constant(OPS["div"], (sympy.Integer(1), sympy.Integer(2)))
    1/2
    >>> zero = (sympy.sqrt(2) + sympy.sqrt(3))**2 - 5
    >>> fold_constant(OPS["sub"], (zero, 2*sympy.sqrt(6)))
    0
    >>> float(fold_constant(OPS["log"], (sympy.Rational(1, 10**400),)))
    -921.0340371976183
    >>> below = sympy.sqrt(2) - sympy.Rational(14142135623730951, 10**16)   # -4.8e-17
    >>> fold_constant(OPS["sqrt"], (below,))
    Traceback (most recent call last):
    ...
    graphdiff.errors.DomainError: sqrt of a negative number: ...
    """
    floats = [float_of_constant(a) for a in args]
    shown = op.format([_constant_text(a) for a in args])
    with np.errstate(all="ignore"):
        outside = op.domain is not None and bool(np.any(op.domain(*floats)))
        approximate = op.numpy(*floats)
    if outside or not np.isfinite(approximate):
        problem = _boundary_problem(op, args) if outside or _representable(args) else "range"
        if problem == "domain":
            raise DomainError(f"{op.domain_message}: {shown}", node=shown, expression=shown)
        if problem is not None:
            raise DomainError(f"{shown} is beyond the range of floating-point numbers",
                              node=shown, expression=shown)
    value = as_expr(op.sympy(*args))
    if value.is_real is False or value.has(sympy.zoo, sympy.nan, sympy.oo):
        raise DomainError(f"{shown} is not a finite real number", node=shown, expression=shown)
    return _settled(value, approximate, floats)


def _representable(args: tuple[Any, ...]) -> bool:
    """Whether every argument is a finite float (a value out of range comes from the op)."""
    return all(np.isfinite(float_of_constant(a)) for a in args)


def _boundary_problem(op: Op, args: tuple[Any, ...]) -> str | None:
    """``"domain"``, ``"range"`` or None (fine): the op decided at high precision."""
    if op.mpmath is None:
        return "domain"
    try:
        with mpmath.workdps(BOUNDARY_DIGITS):
            values = [_mp_constant(a) for a in args]
            result = op.mpmath(*values)
    except MPDomainError:
        return "domain"
    except (MPOverflow, OverflowError, ValueError, ZeroDivisionError, TypeError):
        return "range"
    if isinstance(result, mpmath.mpc):
        return "domain"
    if not mpmath.isfinite(result) or abs(result) > _FLOAT_MAX:
        return "range"
    return None


def _mp_constant(value: Any) -> Any:
    """A folded constant as an mpf at the working precision (exact for rationals)."""
    if value.is_Rational:
        return mpmath.mpf(int(value.p)) / int(value.q)
    return mpmath.mpf(value.evalf(mpmath.mp.dps + 10, maxn=ZERO_DIGITS)._mpf_)


def _settled(value: Any, approximate: Any, floats: list[float]) -> Any:
    """``value``, or exactly 0 when it is an exact zero that sympy did not recognise
    (``(sqrt(2) + sqrt(3))**2 - 5 - 2*sqrt(6)``): decided by evaluating it to
    ZERO_DIGITS digits, which sympy's ``evalf`` does adaptively and within that bound."""
    if value.is_Rational or not value.is_number:
        return value
    scale = max([abs(f) for f in floats if np.isfinite(f)] + [0.0])
    if not abs(float(approximate)) <= CANCELLATION * scale:
        return value
    try:
        digits = value.evalf(15, maxn=ZERO_DIGITS + 30)
    except (TypeError, ValueError, ArithmeticError):
        return value
    if digits == 0 or (digits.is_Float and abs(digits) < sympy.Float(10) ** -ZERO_DIGITS):
        return sympy.Integer(0)
    return value


def _reachable_backwards(args: Sequence[tuple[Arg, ...]], starts: Sequence[int],
                         count: int) -> bytearray:
    """Per node, 1 where one of ``starts`` needs it.  A node's arguments are older nodes
    (ids are creation order), so one sweep down the ids from the newest start marks them
    all: no stack, no set."""
    keep = bytearray(count)
    for node in starts:
        keep[node] = 1
    for node in range(max(starts, default=-1), -1, -1):
        if keep[node]:
            for a in args[node]:
                if type(a) is int:
                    keep[a] = 1
    return keep


#: Names of the form letter-and-digits (``w3``) take their letter from the generated ones.
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
#: Prefixes of generated names, preferred first: w as in the seeds, then letters from the
#: end of the alphabet, which name variables less often.
_PREFIXES = "wvutsrqpk" + "".join(sorted(set("abcdefghijklmnopqrstuvwxyz") - set("wvutsrqpk"),
                                         reverse=True))


def _display_names(user_names: Sequence[str | None], *, naming: str,
                   reserved: Sequence[str] = ()) -> list[str]:
    """Fill in generated names (``w3`` or ``c``) where the user gave none."""
    # Reserved names (a derivative graph's primal names, some of them dropped) are
    # never generated again, so w3 always means the same node.
    if naming == "w":
        # Use w1, w2, ... unless the user's names already look like that (seed 004
        # Ex2 has weights w1, w2, w3); then the first free letter of v, u, t, ...
        # A user's bare letter counts too: beside a weight named w, a generated w5 would
        # read as "w, fifth" -- the generated names take the next free letter.
        # (A lowercase letter and decimal digits, tested with string methods rather than
        # a regular expression: a derivative graph of 10⁶ nodes asks it of 2·10⁶ names.)
        heads = {n[:1] for n in itertools.chain(user_names, reserved)
                 if n is not None and (len(n) == 1 or n[1:].isdecimal())}
        used_prefixes = heads & _LETTERS
        prefix = next((p for p in _PREFIXES if p not in used_prefixes), None)
        if prefix is not None:
            # No name taken has this prefix followed by digits (that is what the prefix was
            # chosen for), and the numbers differ: the generated names cannot collide, so
            # none is looked up (a 10⁶-node graph made 10⁶ set lookups and insertions).
            return [given if given is not None else f"{prefix}{i}"
                    for i, given in enumerate(user_names, 1)]
        # With every letter taken (a1 + b1 + ... + z1), w stays and _unique suffixes the
        # names that collide.
        taken = {n for n in user_names if n is not None} | set(reserved)
        return [given if given is not None else _unique(f"w{i}", taken)
                for i, given in enumerate(user_names, 1)]
    letters = _letter_names({n for n in user_names if n is not None} | set(reserved))
    return [given if given is not None else next(letters) for given in user_names]


def _unique(candidate: str, taken: set[str]) -> str:
    name, k = candidate, 1
    while name in taken:
        name = f"{candidate}_{k}"
        k += 1
    taken.add(name)
    return name


def _letter_names(taken: set[str]) -> Iterator[str]:
    """a, b, ..., z, aa, ab, ... skipping names already taken."""
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    length = 1
    while True:
        count = len(alphabet) ** length
        for k in range(count):
            digits = []
            for _ in range(length):
                k, r = divmod(k, len(alphabet))
                digits.append(alphabet[r])
            name = "".join(reversed(digits))
            if name not in taken:
                taken.add(name)
                yield name
        length += 1


