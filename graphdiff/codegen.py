"""Python source from a graph: the ``math`` and ``numpy`` backends of :func:`graphdiff.compile`.

One assignment per node, in topological order, written from the op's ``code`` column of
the registry (an op without code calls its numpy function and checks its domain); long
programs come as functions of :data:`CODE_CHUNK` nodes.  Identifiers are ``v`` and the node
id: no text of the user's reaches the source.
"""

from __future__ import annotations

import builtins
import math
import re
from collections.abc import Callable
from typing import Any

from .errors import GraphdiffError
from .graph import Graph
from .ops import CODE_GLOBALS, Op
from .tensorops import aligned as aligned_function

_ALIGNED: dict[int, tuple[Callable[..., Any], Callable[..., Any]]] = {}


def _aligned(function: Callable[..., Any]) -> Callable[..., Any]:
    """An elementwise function on batched values of different ranks (one per function)."""
    known = _ALIGNED.get(id(function))
    if known is None or known[0] is not function:  # (an id may be reused after undefine_op)
        known = _ALIGNED[id(function)] = (function, aligned_function(function))
    return known[1]


class _Outside(ValueError):
    """Raised by generated code where an op without code of its own is outside its domain."""


def _literal(value: Any) -> str:
    """A constant as source code: a float literal (never text of the user's)."""
    try:
        number = float(value)
    except OverflowError:
        number = math.inf if value > 0 else -math.inf
    if math.isnan(number):
        return "math.nan"
    if math.isinf(number):
        return "math.inf" if number > 0 else "(-math.inf)"
    text = repr(number)
    return f"({text})" if number < 0 or text.startswith("-") else text


def generate(program: Graph, backend: str) -> tuple[str, dict[str, Any]]:
    """The source of ``_f(v0, v1, ...)``, which returns the tuple of ``program``'s outputs,
    and the globals it runs with.

    One line per node in topological order, written by the op's ``code`` for ``backend``
    (an op without code calls its ``numpy`` function, and checks its ``domain``).
    Identifiers are ``v`` and the node id, never a name of the user's.

    >>> import graphdiff as gd
    >>> source, _ = generate(gd.parse("sin(x)*y + x**2"), "math")
    >>> print(source)
    def _f(v0, v1):
        v2 = math.sin(v0)
        v3 = (v0 * v0)
        v4 = (v2 * v1)
        v5 = (v4 + v3)
        return (v5,)
    """
    if backend not in ("math", "numpy"):
        raise GraphdiffError(f"Python code is of the backends math and numpy, not {backend!r} "
                             "(generate_llvm writes LLVM IR)")
    namespace: dict[str, Any] = dict(CODE_GLOBALS)
    namespace["_Outside"] = _Outside
    bound: dict[int, str] = {}

    def bind(function: Callable[..., Any], prefix: str) -> str:
        name = bound.get(id(function))
        if name is None:
            name = f"_{prefix}{len(bound)}"
            bound[id(function)] = name
            namespace[name] = function
        return name

    blocks: list[tuple[int, list[str]]] = []  # per node: its id and its lines
    constant = program.constant
    tensor = program.is_tensor
    if tensor and backend != "numpy":
        raise GraphdiffError("a graph with tensor nodes compiles to numpy code only")
    mixed = program._mixed  # noqa: SLF001 - elementwise nodes whose arguments differ in rank
    numeric = program._numeric_args  # noqa: SLF001 - the constants as evaluation has them
    for v in program.order:
        kind = program.kind(v)
        if kind == "input":
            continue
        node_lines: list[str] = []
        blocks.append((v, node_lines))
        append = node_lines.append
        if kind == "constant":
            literal = _literal(constant(v))
            # a tensor graph's values have a batch axis, constants one of length 1
            append(f"    v{v} = np.full((1,), {literal})" if tensor else f"    v{v} = {literal}")
            continue
        op: Op = program.op(v)  # type: ignore[assignment]
        node_args = program.args(v)
        code_args = [f"v{a}" if type(a) is int else _literal(a) for a in node_args]
        code = op.code.get(backend)
        if tensor and (not op.elementwise or v in mixed):
            # The op's batched kernel, as the interpreter calls it (static arguments, such
            # as an axis, passed as the interpreter passes them).
            kernel = op.numpy if not op.elementwise else _aligned(op.numpy)
            call = ", ".join(f"v{a}" if type(a) is int else bind(number, "k")
                             for a, number in zip(node_args, numeric[v], strict=True))
            if op.domain is not None:
                check = bind(op.domain if not op.elementwise else _aligned(op.domain), "d")
                append(f"    if np.any({check}({call})): raise _Outside")
            append(f"    v{v} = {bind(kernel, 'f')}({call})")
            continue
        if code is None:
            call = ", ".join(code_args)
            if op.domain is not None:
                check = bind(op.domain, "d")
                append(f"    if np.any({check}({call})): raise _Outside")
            append(f"    v{v} = {bind(op.numpy, 'f')}({call})")
        elif isinstance(code, str):
            append(f"    v{v} = {code.format(*code_args)}")
        else:
            given = [None if type(a) is int else a for a in node_args]
            append(f"    v{v} = {code(code_args, given)}")
    return _assemble(program, blocks), namespace


def _names(nodes: list[int]) -> str:
    """``v1, v2`` (a tuple's items: a one-item tuple keeps its comma)."""
    return ", ".join(f"v{v}" for v in nodes) + ("," if len(nodes) == 1 else "")


def _assemble(program: Graph, blocks: list[tuple[int, list[str]]]) -> str:
    """The function ``_f`` from the nodes' lines: one straight-line function, or, above
    CODE_CHUNK nodes, ``_f`` calling functions of CODE_CHUNK nodes in turn, each taking the
    values it uses from before and returning those used after it (CPython compiles a
    function in memory that grows with its length: a gigabyte for 366,666 lines)."""
    outputs = list(program.output_ids)
    header = f"def _f({', '.join(f'v{i}' for i in program.input_ids)}):"
    ending = f"    return ({_names(outputs)})"
    if len(blocks) <= CODE_CHUNK:
        return "\n".join([header, *(line for _, node in blocks for line in node), ending])
    last_use: dict[int, float] = {}
    for v in program.order:
        for a in program.args(v):
            if type(a) is int:
                last_use[a] = v
    for o in outputs:
        last_use[o] = math.inf
    lines, calls = [], [header]
    for k in range(0, len(blocks), CODE_CHUNK):
        chunk = blocks[k: k + CODE_CHUNK]
        first, end = chunk[0][0], chunk[-1][0]
        used = sorted({a for v, _ in chunk for a in program.args(v)
                       if type(a) is int and a < first})
        live = [v for v, _ in chunk if last_use.get(v, -1) > end]
        name = f"_c{k // CODE_CHUNK}"
        lines.append(f"def {name}({', '.join(f'v{a}' for a in used)}):")
        lines.extend(line for _, node in chunk for line in node)
        lines.append(f"    return ({_names(live)})")
        call = f"{name}({', '.join(f'v{a}' for a in used)})"
        calls.append(f"    {_names(live)} = {call}" if live else f"    {call}")
    return "\n".join([*lines, *calls, ending])


#: Nodes per Python function of the generated code (longer programs are split).
CODE_CHUNK = 20_000


def python_function(program: Graph, backend: str) -> tuple[Callable[..., tuple[Any, ...]], str]:
    source, namespace = generate(program, backend)
    # The source is the code of the registry's templates and of node ids, never text of
    # the user's (names are v17, constants float literals): exec runs what we wrote.  Each
    # function is compiled on its own: CPython's tree of the whole text would be its
    # largest object.
    for piece in re.split(r"\n(?=def )", source):
        code = builtins.compile(piece, f"<graphdiff.compile {backend}>", "exec")
        exec(code, namespace)  # safe: generated from the registry's templates only
    return namespace["_f"], source


__all__ = ["CODE_CHUNK", "generate", "python_function"]
