"""Compiled evaluation: straight-line code generated from a graph and its derivative graph.

:func:`compile` turns a graph -- with its gradient, a JVP, a VJP or a Hessian-vector
product, built as a derivative graph (:func:`~graphdiff.reverse_graph`,
:func:`~graphdiff.forward_graph`) -- into one Python function of straight-line code: one
assignment per node, in topological order, each written from the op's ``code`` column of
the registry (:mod:`graphdiff.ops`).  The derivative graph already shares common
subexpressions (the builder hash-conses), drops ``x*1`` and ``x + 0`` and folds constants,
so the code does too; no node is interpreted and nothing recurses when it runs.

Two backends: ``"math"`` (Python floats and the ``math`` module: fastest for one point) and
``"numpy"`` (arrays: a batch of points per call).  ``backend="auto"`` (the default) takes
``math`` for numbers and ``numpy`` for arrays, per call.

>>> import graphdiff as gd
>>> f = gd.compile(gd.parse("x**2 + x*y + (x+y)**2"), grad=True)
>>> f(x=1.0, y=2.0)
(12.0, {'x': 10.0, 'y': 7.0})
>>> value, gradient = f([[1.0, 2.0], [0.0, 1.0]])      # a batch: one row per point
>>> value.tolist(), gradient.tolist()
([12.0, 1.0], [[10.0, 7.0], [3.0, 2.0]])

Outside an op's domain the compiled function raises :class:`~graphdiff.DomainError`
naming the node, as :meth:`Graph.evaluate <graphdiff.Graph.evaluate>` does: the code
raises (``math`` raises ``ValueError``, numpy runs under ``errstate(invalid="raise")``), and
only then is the point evaluated again by the interpreter, which names the node.  The
happy path pays nothing for it.

>>> gd.compile(gd.parse("log(x - y)"))(x=1.0, y=2.0)
Traceback (most recent call last):
...
graphdiff.errors.DomainError: log of a non-positive number at w4: w4 = log(w3) with w3 = -1
"""

from __future__ import annotations

import builtins
import math
import os
import re
import struct
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from .derive._sweep import input_id, output_id, seed_expr
from .derive.graphs import forward_graph, reverse_graph
from .errors import GraphdiffError
from .graph import Batch, Graph
from .ops import _KINKS, CODE_GLOBALS, Op
from .tensorops import aligned as aligned_function

#: The backends of :func:`compile`: floats with ``math``, numpy arrays, and native code
#: through LLVM (llvmlite, optional).
BACKENDS = ("math", "numpy", "llvm")
#: What :func:`compile` can be asked for (``kind`` of a :class:`Compiled`).
KINDS = ("value", "grad", "jvp", "vjp", "hvp")

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



_CALL = re.compile(r"call double (@[\w.]+)\(([^)]*)\)")
#: The bits of +inf: a value whose magnitude compares unordered-or-equal to it is nan or inf.
_INF = "0x7FF0000000000000"


def _ir_literal(value: Any) -> str:
    """A constant as an LLVM double: its exact bits in hexadecimal."""
    try:
        number = float(value)
    except OverflowError:
        number = math.inf if value > 0 else -math.inf
    return f"0x{struct.unpack('<Q', struct.pack('<d', number))[0]:016X}"


def _llvm_nodes(program: Graph) -> Iterator[tuple[int, str, str | None, bool]]:
    """The instructions of the program's nodes, in order, from the registry's
    ``code["llvm"]``: ``(node, target, instruction, checked)``, ``checked`` when the node's
    value is to be checked for nan or inf (an op with a domain); ``(node, "", None,
    False)`` where a new basic block starts (every :data:`LLVM_BLOCK` nodes)."""
    checks = program._domain_checks()  # noqa: SLF001 - the per-node domain decision
    constant = program.constant
    for v in program.order:
        kind = program.kind(v)
        if kind == "input":
            continue
        if v % LLVM_BLOCK == 0:
            yield v, "", None, False
        if kind == "constant":
            yield v, f"%v{v}", f"fadd double 0.0, {_ir_literal(constant(v))}", False
            continue
        op: Op = program.op(v)  # type: ignore[assignment]
        node_args = program.args(v)
        code_args = [f"%v{a}" if type(a) is int else _ir_literal(a) for a in node_args]
        code = op.code.get("llvm")
        if code is None:
            raise GraphdiffError(f"the op {op.name} has no LLVM code (its code column has no "
                                 "'llvm' entry): compile with backend 'math' or 'numpy'")
        if callable(code):
            code = code(code_args, [None if type(a) is int else a for a in node_args])
        instructions = (code,) if isinstance(code, str) else tuple(code)
        temporaries = {f"t{k}": f"%v{v}.{k}" for k in range(len(instructions) - 1)}
        last = len(instructions) - 1
        for k, instruction in enumerate(instructions):
            yield (v, f"%v{v}" if k == last else f"%v{v}.{k}",
                   instruction.format(*code_args, **temporaries),
                   k == last and checks[v] is not None)


def generate_llvm(program: Graph) -> str:
    """LLVM IR of ``point(in, out) -> flag`` and ``batch(in, out, count) -> first + 1``.

    ``point`` reads the inputs from ``in`` (doubles, in the order of the inputs), writes the
    outputs to ``out`` and returns 1 when a node of an op with a domain came out nan or
    infinite (the caller then asks the interpreter, which names the node); ``batch`` runs
    it on ``count`` rows and returns 1 + the first such row, or 0.  One instruction (or a
    few) per node, from the op's ``code["llvm"]``.

    >>> import graphdiff as gd
    >>> print(generate_llvm(gd.parse("sin(x)*y")).split("define")[1].strip())
    i32 @point(ptr noalias %in, ptr noalias %out) {
    entry:
      %p0 = getelementptr double, ptr %in, i64 0
      %v0 = load double, ptr %p0
      %p1 = getelementptr double, ptr %in, i64 1
      %v1 = load double, ptr %p1
      %v2 = call double @llvm.sin.f64(double %v0)
      %v3 = fmul double %v2, %v1
      %q0 = getelementptr double, ptr %out, i64 0
      store double %v3, ptr %q0
      ret i32 0
    }
    """
    body: list[str] = []
    append = body.append
    for j, i in enumerate(program.input_ids):
        append(f"  %p{j} = getelementptr double, ptr %in, i64 {j}")
        append(f"  %v{i} = load double, ptr %p{j}")
    flags: list[str] = []
    for v, target, instruction, checked in _llvm_nodes(program):
        if instruction is None:  # a new basic block: LLVM's instruction selection and
            append(f"  br label %b{v}")  # scheduling work per block, superlinearly in its
            append(f"b{v}:")  # length; blocks of a few hundred keep compiling linear
            continue
        append(f"  {target} = {instruction}")
        if checked:  # nan or inf out of an op with a domain: ask the interpreter
            append(f"  %a{v} = call double @llvm.fabs.f64(double %v{v})")
            append(f"  %b{v} = fcmp ueq double %a{v}, {_INF}")
            flags.append(f"%b{v}")
    for k, o in enumerate(program.output_ids):
        append(f"  %q{k} = getelementptr double, ptr %out, i64 {k}")
        append(f"  store double %v{o}, ptr %q{k}")
    if flags:
        running = flags[0]
        for k, flag in enumerate(flags[1:]):
            append(f"  %or{k} = or i1 {running}, {flag}")
            running = f"%or{k}"
        append(f"  %flag = zext i1 {running} to i32")
        append("  ret i32 %flag")
    else:
        append("  ret i32 0")
    declared = {"@llvm.fabs.f64": "declare double @llvm.fabs.f64(double)"}
    for line in body:
        for name, arguments in _CALL.findall(line):
            types = ", ".join(a.strip().split(" ")[0] for a in arguments.split(","))
            declared.setdefault(name, f"declare double {name}({types})")
    n_in, n_out = len(program.input_ids), len(program.output_ids)
    return "\n".join([
        *declared.values(), "",
        "define i32 @point(ptr noalias %in, ptr noalias %out) {", "entry:", *body, "}", "",
        "define i64 @batch(ptr noalias %in, ptr noalias %out, i64 %count) {",
        "entry:", "  br label %loop",
        "loop:", "  %i = phi i64 [0, %entry], [%next, %more]",
        "  %done = icmp uge i64 %i, %count", "  br i1 %done, label %exit, label %body",
        "body:", f"  %at = mul i64 %i, {n_in}", f"  %to = mul i64 %i, {n_out}",
        "  %row = getelementptr double, ptr %in, i64 %at",
        "  %put = getelementptr double, ptr %out, i64 %to",
        "  %bad = call i32 @point(ptr %row, ptr %put)", "  %next = add i64 %i, 1",
        "  %wrong = icmp ne i32 %bad, 0", "  br i1 %wrong, label %stop, label %more",
        "more:", "  br label %loop",
        "stop:", "  ret i64 %next",
        "exit:", "  ret i64 0", "}", ""])


#: An instruction's literal operand (a decimal or an exact hexadecimal double), which the
#: vector code writes as a splat.
_LITERAL = re.compile(r"(?<![\w.%@])(-?(?:\d+\.\d*(?:e[+-]?\d+)?|0x[0-9A-Fa-f]{16}))")
#: A value's name in an instruction, and its placeholder in a vector template.
_SSA = re.compile(r"%[\w.]+")
_PLACE = re.compile(r"%_(t|\d+)")
#: The types of an instruction that has a vector form: doubles and their comparisons.
_TYPE = re.compile(r"\b(?:double|i1|i8|i16|i32|i64|float|half|ptr|fp128|x86_fp80)\b")
#: The functions of glibc's vector math library (libmvec, glibc >= 2.35) a scalar call of
#: the same name becomes, on ``width`` doubles: ``_ZGV{isa}N{width}{v per argument}_{name}``.
LIBMVEC_FUNCTIONS = frozenset((
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "cos", "cosh", "erf",
    "erfc", "exp", "exp10", "exp2", "expm1", "hypot", "log", "log10", "log1p", "log2", "pow",
    "sin", "sinh", "tan", "tanh"))
#: The vector ISA of each width in the vector-function ABI's names: AVX2 and AVX-512.
_ISA = {4: "d", 8: "e"}


def _vector_function(name: str, arity: int, width: int,
                     libmvec: frozenset[str]) -> str | None:
    """The vector function a scalar call of ``name`` becomes: libmvec's, else LLVM's vector
    intrinsic (which LLVM lowers to an instruction, or to one scalar call per lane), else
    None (the caller calls the scalar function per lane)."""
    intrinsic = re.fullmatch(r"@llvm\.(\w+)\.f64(\.i32)?", name)
    base = intrinsic.group(1) if intrinsic else name[1:]
    if base in libmvec and not (intrinsic and intrinsic.group(2)):
        return f"@_ZGV{_ISA[width]}N{width}{'v' * arity}_{base}"
    if intrinsic:
        return f"@llvm.{base}.v{width}f64{intrinsic.group(2) or ''}"
    return None


def _vector_instruction(target: str, instruction: str, width: int, libmvec: frozenset[str],
                        declared: dict[str, str]) -> list[str] | None:
    """The instruction on ``width`` lanes of doubles (``<width x double>``): the same
    operation, literals as splats, a call as the vector function's; None when it has no
    vector form (a type other than double and i1)."""
    vector = f"<{width} x double>"

    def lane(operand: str) -> str:
        return f"splat (double {operand})" if _LITERAL.fullmatch(operand) else operand

    call = _CALL.fullmatch(instruction)
    if call is None:
        if "@" in instruction or any(t not in ("double", "i1")
                                     for t in _TYPE.findall(instruction)):
            return None  # (a call of another form, a type of another width)
        text = re.sub(r"\bi1\b", f"<{width} x i1>", re.sub(r"\bdouble\b", vector, instruction))
        return [f"  {target} = " + _LITERAL.sub(r"splat (double \1)", text)]
    name, arguments = call.groups()
    pairs = [a.strip().split(" ", 1) for a in arguments.split(",")]
    if any(t not in ("double", "i32") for t, _ in pairs):
        return None
    function = _vector_function(name, len(pairs), width, libmvec)
    if function is not None:
        types = [vector if t == "double" else t for t, _ in pairs]
        declared.setdefault(function, f"declare {vector} {function}({', '.join(types)})")
        given = ", ".join(f"{t} {lane(a) if t == vector else a}"
                          for t, (_, a) in zip(types, pairs, strict=True))
        return [f"  {target} = call {vector} {function}({given})"]
    # No vector form: the scalar function on each lane in turn.
    declared.setdefault(name, f"declare double {name}({', '.join(t for t, _ in pairs)})")
    lines, running = [], "poison"
    for r in range(width):
        given = []
        for k, (t, a) in enumerate(pairs):
            if t == "double" and not _LITERAL.fullmatch(a):
                lines.append(f"  {target}.e{r}.{k} = extractelement {vector} {a}, i64 {r}")
                a = f"{target}.e{r}.{k}"
            given.append(f"{t} {a}")
        lines.append(f"  {target}.c{r} = call double {name}({', '.join(given)})")
        into = target if r == width - 1 else f"{target}.i{r}"
        lines.append(f"  {into} = insertelement {vector} {running}, double {target}.c{r}, "
                     f"i64 {r}")
        running = into
    return lines


def generate_llvm_simd(program: Graph, width: int = 8,
                       libmvec: frozenset[str] = LIBMVEC_FUNCTIONS) -> str | None:
    """LLVM IR of the SIMD batch: ``vpoint(in, out) -> flag`` on ``width`` rows at once and
    ``batch(in, out, count, point) -> first + 1``; None when an instruction has no vector
    form.

    ``vpoint`` is the program of :func:`generate_llvm`'s ``point`` on ``<width x double>``
    (AVX2: 4, AVX-512: 8): the registry's ``code["llvm"]`` with its types widened, its
    literals as splats and its calls as glibc's vector math functions (``libmvec``, the
    names it has) or LLVM's vector intrinsics; it loads the inputs of ``width`` rows into
    lanes (gathers them from :data:`LLVM_GATHER_FROM` inputs on) and stores the outputs
    (scatters them).  ``batch`` runs it on the whole blocks of ``width`` rows and the
    scalar ``point`` (a pointer to :func:`generate_llvm`'s) on the rows left over, and on a
    flagged block again, row by row, so that it returns 1 + the first flagged row (0 if
    none), as the scalar batch does.

    >>> import graphdiff as gd
    >>> source = generate_llvm_simd(gd.parse("sin(x)*y"), width=4)
    >>> vpoint = source.split("define")[1].splitlines()
    >>> print("\\n".join(line for line in vpoint if line.startswith(("  %v2 ", "  %v3 "))))
      %v2 = call <4 x double> @_ZGVdN4v_sin(<4 x double> %v0)
      %v3 = fmul <4 x double> %v2, %v1
    >>> [sum(f"{name} " in line for line in vpoint) for name in ("insertelement", "store")]
    [8, 4]
    """
    if width not in _ISA:
        raise GraphdiffError(f"the SIMD width is 4 (AVX2) or 8 (AVX-512), not {width!r}")
    vector, lanes = f"<{width} x double>", f"<{width} x i1>"
    pointers, all_lanes = f"<{width} x ptr>", f"{lanes} splat (i1 true)"
    n_in, n_out = len(program.input_ids), len(program.output_ids)
    gather = f"@llvm.masked.gather.v{width}f64.v{width}p0"
    scatter = f"@llvm.masked.scatter.v{width}f64.v{width}p0"
    declared = {
        gather: f"declare {vector} {gather}({pointers}, i32, {lanes}, {vector})",
        scatter: f"declare void {scatter}({vector}, {pointers}, i32, {lanes})",
        f"@llvm.fabs.v{width}f64": f"declare {vector} @llvm.fabs.v{width}f64({vector})",
        "@llvm.vector.reduce.or": f"declare i1 @llvm.vector.reduce.or.v{width}i1({lanes})"}

    def strides(n: int) -> str:  # the offsets of the lanes' rows, n doubles apart
        return f"<{width} x i64> <{', '.join(f'i64 {r * n}' for r in range(width))}>"

    lane_in, lane_out = n_in < LLVM_GATHER_FROM, n_out < LLVM_GATHER_FROM
    body = [] if lane_in else [f"  %rows = getelementptr double, ptr %in, {strides(n_in)}"]
    # The rows' entries into lanes and out: a load (store) per lane of a few entries, a
    # gather (scatter) per entry of many -- on x**2 + x*y + (x+y)**2 the gathers and
    # scatters took 2-4x the loop's time, on the 1,000-variable sum the lanes' 16,000
    # loads and stores took twice the compile time for no faster code.
    for j, i in enumerate(program.input_ids):
        if not lane_in:
            body.append(f"  %p{j} = getelementptr double, {pointers} %rows, i64 {j}")
            body.append(f"  %v{i} = call {vector} {gather}({pointers} %p{j}, i32 8, "
                        f"{all_lanes}, {vector} poison)")
            continue
        running = "poison"
        for r in range(width):
            body.append(f"  %p{j}.{r} = getelementptr double, ptr %in, i64 {r * n_in + j}")
            body.append(f"  %l{j}.{r} = load double, ptr %p{j}.{r}")
            into = f"%v{i}" if r == width - 1 else f"%i{j}.{r}"
            body.append(f"  {into} = insertelement {vector} {running}, double %l{j}.{r}, "
                        f"i64 {r}")
            running = into
    flags: list[str] = []
    shapes: dict[str, str | None] = {}
    for v, target, instruction, checked in _llvm_nodes(program):
        if instruction is None:  # basic blocks of LLVM_BLOCK nodes, as generate_llvm's
            body.extend((f"  br label %b{v}", f"b{v}:"))
            continue
        # The vector text of an instruction depends on its shape only (its values'
        # names aside): written once per shape, then filled in (3x faster on long graphs).
        names = _SSA.findall(instruction)
        parts = _SSA.split(instruction)
        shape = "%".join(parts)
        template = shapes.get(shape, False)
        if template is False:
            placed = parts[0] + "".join(f"%_{k}{part}" for k, part in enumerate(parts[1:]))
            written = _vector_instruction("%_t", placed, width, libmvec, declared)
            template = shapes[shape] = None if written is None else _PLACE.sub(
                r"{\1}", "\n".join(written))
        if template is None:
            return None
        body.append(template.format(*names, t=target))
        if checked:
            body.append(f"  %a{v} = call {vector} @llvm.fabs.v{width}f64({vector} %v{v})")
            body.append(f"  %b{v} = fcmp ueq {vector} %a{v}, splat (double {_INF})")
            flags.append(f"%b{v}")
    if not lane_out:
        body.append(f"  %outs = getelementptr double, ptr %out, {strides(n_out)}")
    for k, o in enumerate(program.output_ids):
        if not lane_out:
            body.append(f"  %q{k} = getelementptr double, {pointers} %outs, i64 {k}")
            body.append(f"  call void {scatter}({vector} %v{o}, {pointers} %q{k}, i32 8, "
                        f"{all_lanes})")
            continue
        for r in range(width):
            body.append(f"  %e{k}.{r} = extractelement {vector} %v{o}, i64 {r}")
            body.append(f"  %q{k}.{r} = getelementptr double, ptr %out, i64 {r * n_out + k}")
            body.append(f"  store double %e{k}.{r}, ptr %q{k}.{r}")
    if flags:
        running = flags[0]
        for k, flag in enumerate(flags[1:]):
            body.append(f"  %or{k} = or {lanes} {running}, {flag}")
            running = f"%or{k}"
        body.append(f"  %any = call i1 @llvm.vector.reduce.or.v{width}i1({lanes} {running})")
        body.extend(("  %flag = zext i1 %any to i32", "  ret i32 %flag"))
    else:
        body.append("  ret i32 0")

    def scalar_row(r: str, tag: str) -> list[str]:  # the scalar point on row r
        return [f"  %{tag}at = mul i64 {r}, {n_in}", f"  %{tag}to = mul i64 {r}, {n_out}",
                f"  %{tag}row = getelementptr double, ptr %in, i64 %{tag}at",
                f"  %{tag}put = getelementptr double, ptr %out, i64 %{tag}to",
                f"  %{tag}bad = call i32 %point(ptr %{tag}row, ptr %{tag}put)",
                f"  %{tag}next = add i64 {r}, 1", f"  %{tag}wrong = icmp ne i32 %{tag}bad, 0"]

    return "\n".join([
        *declared.values(), "",
        "define internal i32 @vpoint(ptr noalias %in, ptr noalias %out) {", "entry:", *body,
        "}", "",
        "define i64 @batch(ptr noalias %in, ptr noalias %out, i64 %count, ptr %point) {",
        "entry:", f"  %full = and i64 %count, {-width}", "  br label %vloop",
        # whole blocks of rows, width at a time
        "vloop:", "  %i = phi i64 [0, %entry], [%inext, %vbody], [%inext, %rdone]",
        "  %vdone = icmp uge i64 %i, %full", "  br i1 %vdone, label %tail, label %vbody",
        "vbody:", f"  %at = mul i64 %i, {n_in}", f"  %to = mul i64 %i, {n_out}",
        "  %row = getelementptr double, ptr %in, i64 %at",
        "  %put = getelementptr double, ptr %out, i64 %to",
        "  %vbad = call i32 @vpoint(ptr %row, ptr %put)", f"  %inext = add i64 %i, {width}",
        "  %vwrong = icmp ne i32 %vbad, 0", "  br i1 %vwrong, label %rloop, label %vloop",
        # a flagged block again, row by row: the first flagged row (libmvec's last-ulp
        # differences may flag none, and the block goes on)
        "rloop:", "  %r = phi i64 [%i, %vbody], [%rnext, %rmore]",
        "  %rend = icmp uge i64 %r, %inext", "  br i1 %rend, label %rdone, label %rbody",
        "rbody:", *scalar_row("%r", "r"), "  br i1 %rwrong, label %rstop, label %rmore",
        "rmore:", "  br label %rloop", "rdone:", "  br label %vloop",
        # the rows after the last whole block
        "tail:", "  %t = phi i64 [%i, %vloop], [%tnext, %tmore]",
        "  %tend = icmp uge i64 %t, %count", "  br i1 %tend, label %exit, label %tbody",
        "tbody:", *scalar_row("%t", "t"), "  br i1 %twrong, label %tstop, label %tmore",
        "tmore:", "  br label %tail",
        "rstop:", "  ret i64 %rnext", "tstop:", "  ret i64 %tnext",
        "exit:", "  ret i64 0", "}", ""])


class _Flagged(ArithmeticError):
    """Native code saw nan or inf come out of an op with a domain."""


_LLVM_READY: list[bool] = []  # LLVM's native target, initialised once


#: Nodes per Python function of the generated code (longer programs are split).
CODE_CHUNK = 20_000
#: Nodes per basic block of the generated LLVM IR.
LLVM_BLOCK = 256
#: From this many nodes on LLVM compiles without optimizing (opt=0): its optimizing code
#: generator's time grows faster than the code (the 1,000-variable sum's 14,000 nodes:
#: 2.5 s at opt=2, 0.2 s at opt=0, for code 1.5× slower; the chain of 1,000: 0.2 s and
#: 0.09 s, for the same speed).
LLVM_OPTIMIZE_BELOW = 2000
#: From this many inputs (outputs) on, the SIMD batch gathers each input from its rows
#: (scatters each output) in one instruction rather than loading (storing) lane by lane.
LLVM_GATHER_FROM = 64
#: The native batch's SIMD (environment variable ``GRAPHDIFF_LLVM_SIMD``): ``"auto"`` runs
#: whole blocks of rows as vectors where the host has AVX-512 (8 rows) or AVX2 (4 rows) and
#: glibc's libmvec; ``"8"`` or ``"4"`` asks for that width (the scalar loop where the host
#: has not), ``"off"`` keeps the scalar loop.  Read when the native code is made.
LLVM_SIMD: str = os.environ.get("GRAPHDIFF_LLVM_SIMD", "auto")  # (at import)
_HOST: list[tuple[tuple[int, ...], frozenset[str]]] = []  # vector widths, libmvec's names


def _host_simd(llvm: Any) -> tuple[int, frozenset[str]]:
    """The width of the native batch's vectors here (0: the scalar loop, as ``LLVM_SIMD``
    and the host decide) and the libmvec functions the host has."""
    setting = str(LLVM_SIMD).strip().lower()
    if setting not in ("auto", "off", "4", "8"):
        raise GraphdiffError(f"LLVM_SIMD (GRAPHDIFF_LLVM_SIMD) is 'auto', 'off', '4' or '8', "
                             f"not {LLVM_SIMD!r}")
    if not _HOST:
        import ctypes.util
        try:
            features = llvm.get_host_cpu_features()
            library = ctypes.util.find_library("mvec")
            if not library:
                raise RuntimeError("no libmvec")
            llvm.load_library_permanently(library)
        except RuntimeError:  # not x86, not glibc: no vector math, the scalar loop
            _HOST.append(((), frozenset()))
        else:
            _HOST.append((
                tuple(w for w, feature in ((8, "avx512f"), (4, "avx2")) if features.get(feature)),
                frozenset(name for name in LIBMVEC_FUNCTIONS if all(
                    llvm.address_of_symbol(f"_ZGV{_ISA[w]}N{w}v_{name}")
                    or llvm.address_of_symbol(f"_ZGV{_ISA[w]}N{w}vv_{name}") for w in _ISA))))
    widths, libmvec = _HOST[0]
    if setting != "auto":
        widths = tuple(w for w in widths if str(w) == setting)
    return (widths[0] if widths and libmvec else 0), libmvec


def _llvm_simd(llvm: Any, program: Graph, width: int,
               libmvec: frozenset[str]) -> tuple[Callable[..., int], Any] | None:
    """The SIMD batch of :func:`generate_llvm_simd`, compiled for the host's CPU (its
    vector registers carry the vector functions' arguments), and its engine; None when an
    instruction has no vector form."""
    import ctypes

    source = generate_llvm_simd(program, width, libmvec)
    if source is None:
        return None
    try:
        module = llvm.parse_assembly(source)
        module.verify()
    except RuntimeError:  # an op's LLVM code that widens to no valid vector code (written
        return None  # for doubles only): the scalar loop, which is known to work
    machine = llvm.Target.from_default_triple().create_target_machine(
        cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(),
        opt=2 if len(program) < LLVM_OPTIMIZE_BELOW else 0)
    engine = llvm.create_mcjit_compiler(module, machine)
    engine.finalize_object()
    return ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64,
                            ctypes.c_void_p)(engine.get_function_address("batch")), engine


def _llvm_functions(program: Graph) -> tuple[Callable[..., tuple[Any, ...]],
                                             Callable[[np.ndarray], np.ndarray],
                                             Callable[[np.ndarray], np.ndarray], str]:
    """The native functions, compiled by LLVM through llvmlite: one point as floats in and
    a tuple out, one point as an array in and out, and a batch ((N, inputs) array in,
    (N, outputs) out)."""
    try:
        import ctypes
        import ctypes.util

        import llvmlite.binding as llvm
    except ImportError:
        raise GraphdiffError("the llvm backend needs llvmlite (pip install llvmlite)") from None
    source = generate_llvm(program)
    if not _LLVM_READY:
        _LLVM_READY.append(True)
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        library = ctypes.util.find_library("m")
        if library:
            llvm.load_library_permanently(library)
    module = llvm.parse_assembly(source)
    module.verify()
    machine = llvm.Target.from_default_triple().create_target_machine(
        opt=2 if len(program) < LLVM_OPTIMIZE_BELOW else 0)
    engine = llvm.create_mcjit_compiler(module, machine)
    engine.finalize_object()
    keep = engine  # the machine code lives as long as the functions below do
    point = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(
        engine.get_function_address("point"))
    batch = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)(
        engine.get_function_address("batch"))
    n_in, n_out = len(program.input_ids), len(program.output_ids)
    empty = np.empty
    local = threading.local()  # buffers per thread: a pointer costs 1 µs to ask numpy for

    def buffers() -> tuple[np.ndarray, np.ndarray, int, int]:
        given, out = np.empty(n_in), np.empty(n_out)
        local.buffers = (given, out, given.__array_interface__["data"][0],
                         out.__array_interface__["data"][0])
        return local.buffers

    def run_array(values: Any, _engine: Any = keep) -> np.ndarray:
        given, out, at, to = getattr(local, "buffers", None) or buffers()
        given[:] = values
        if point(at, to):
            raise _Flagged
        return out.copy()

    def run_point(*values: float, _engine: Any = keep) -> tuple[Any, ...]:
        given, out, at, to = getattr(local, "buffers", None) or buffers()
        given[:] = values
        if point(at, to):
            raise _Flagged
        return tuple(out.tolist())

    width, libmvec = _host_simd(llvm)
    simd: list[Any] = []  # the SIMD batch, compiled on first use (single points need not)
    lock = threading.Lock()
    point_address = engine.get_function_address("point")

    def simd_batch() -> Any:
        if not simd:
            with lock:  # (one thread compiles, the others wait for it)
                if not simd:
                    simd.append(_llvm_simd(llvm, program, width, libmvec))
        return simd[0]

    def run_batch(rows: np.ndarray, _engine: Any = keep) -> np.ndarray:
        rows = np.ascontiguousarray(rows, dtype=float)
        count = rows.shape[0]
        out = empty((count, n_out))
        at, to = rows.__array_interface__["data"][0], out.__array_interface__["data"][0]
        vectors = simd_batch() if width and count >= width else None
        if vectors is not None:
            flagged = vectors[0](at, to, count, point_address)
        else:
            flagged = batch(at, to, count)
        if flagged:
            raise _Flagged(flagged - 1)  # (the first flagged row)
        return out

    return run_point, run_array, run_batch, source


def _function(program: Graph, backend: str) -> tuple[Callable[..., tuple[Any, ...]], str]:
    source, namespace = generate(program, backend)
    # The source is the code of the registry's templates and of node ids, never text of
    # the user's (names are v17, constants float literals): exec runs what we wrote.  Each
    # function is compiled on its own: CPython's tree of the whole text would be its
    # largest object.
    for piece in re.split(r"\n(?=def )", source):
        code = builtins.compile(piece, f"<graphdiff.compile {backend}>", "exec")
        exec(code, namespace)  # safe: generated from the registry's templates only
    return namespace["_f"], source


class Compiled:
    """A graph compiled to straight-line code: call it with the inputs by name or as an array.

    ``f(x=1.0, y=2.0)`` takes numbers (the ``math`` code) or arrays (the numpy code,
    broadcasting); ``f(point)`` takes an array whose last axis has one entry per input,
    in the order of ``graph.inputs`` (one point, or a batch of rows).  What it returns
    follows ``kind``:

    ============  =======================================================================
    ``"value"``   the output (a tuple for several outputs)
    ``"grad"``    ``(value, gradient)``: a dict by input name, or an array for ``f(point)``
    ``"jvp"``     ``(value, tangent)``: the outputs and their tangents along the direction
    ``"vjp"``     ``(value, cotangent)``: the outputs and the inputs' cotangents
    ``"hvp"``     ``(value, gradient, hessian times the direction)``
    ============  =======================================================================

    Compiled with ``jvp=``, ``vjp=`` or ``hvp=`` as a list of names (or ``True``: all
    inputs, or all outputs for ``vjp``), the seeds are given at each call instead of
    compiled in: ``f(point, seeds)``, both by name or both as arrays (the seeds' last axis
    in the order of :attr:`seeds`).

    >>> import graphdiff as gd
    >>> f = gd.compile(gd.parse("x*y"), hvp={"x": 1.0, "y": 0.0})
    >>> f(x=2.0, y=3.0)
    (6.0, {'x': 3.0, 'y': 2.0}, {'x': 0.0, 'y': 1.0})
    >>> f.kind, f.inputs, f.backend
    ('hvp', ('x', 'y'), 'auto')
    >>> f = gd.compile(gd.parse("x*y"), jvp=True)
    >>> f.seeds, f({"x": 2.0, "y": 3.0}, {"x": 1.0, "y": 0.0}), f([2.0, 3.0], [0.0, 1.0])
    (('x', 'y'), (6.0, 3.0), (6.0, 2.0))
    """

    def __init__(self, graph: Graph, program: Graph, kind: str, backend: str,
                 parts: tuple[tuple[int, ...], ...], names: tuple[tuple[bool, ...], ...],
                 wrt: tuple[str, ...] | None = None, seeds: tuple[str, ...] = ()):
        self.graph = graph
        #: The graph the code is generated from (the derivative graph, with the values).
        self.program = program
        self.kind = kind
        self.backend = backend
        self.inputs: tuple[str, ...] = graph.inputs
        #: The inputs a gradient, cotangent or Hessian-vector product is given for.
        self.wrt: tuple[str, ...] = graph.inputs if wrt is None else wrt
        #: The inputs (jvp, hvp) or outputs (vjp) whose seeds each call gives; () when the
        #: seeds are compiled in.
        self.seeds = seeds
        self._names: tuple[str, ...] = program.inputs  # the code's: inputs, then seeds
        self._parts = parts          # per part of the result, the indices of its outputs
        self._by_name = names        # per part, whether it is keyed by the inputs' names
        self._functions: dict[str, Callable[..., tuple[Any, ...]]] = {}
        self._sources: dict[str, str] = {}

    def __repr__(self) -> str:
        lines = len(self.program) - len(self.program.input_ids)
        return (f"<Compiled {self.kind} of {self.graph!r}: {lines} lines, "
                f"backend {self.backend}>")

    # --- the generated code -----------------------------------------------------------

    def function(self, backend: str | None = None) -> Callable[..., tuple[Any, ...]]:
        """The generated function of ``backend`` (by default the compiled backend, ``math``
        for ``"auto"``): positional inputs (in the order of ``inputs``; a tensor graph's
        with a batch axis first), the program's outputs as a tuple; the fastest way to call
        it.

        >>> import graphdiff as gd
        >>> gd.compile(gd.parse("x*y"), grad=True).function()(2.0, 3.0)
        (6.0, 3.0, 2.0)
        """
        if backend is None:
            backend = "math" if self.backend == "auto" else self.backend
        function = self._functions.get(backend)
        if function is None:
            if backend == "llvm":
                function, one, batch, source = _llvm_functions(self.program)
                self._functions["llvm array"] = one
                self._functions["llvm batch"] = batch
            else:
                function, source = _function(self.program, backend)
            self._functions[backend], self._sources[backend] = function, source
        return function

    def source(self, backend: str | None = None) -> str:
        """The generated source of ``backend`` (by default the compiled backend's).

        >>> import graphdiff as gd
        >>> print(gd.compile(gd.parse("exp(x)*x"), grad=True).source())
        def _f(v0):
            v1 = math.exp(v0)
            v2 = (v1 * v0)
            v3 = (v1 + v2)
            return (v2, v3)
        """
        if backend is None:
            backend = "math" if self.backend == "auto" else self.backend
        self.function(backend)
        return self._sources[backend]

    # --- calling -----------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # compile() gives each instance a class whose __call__ is generated code (the fast
        # paths for floats by name and for one point as an array; see _entry); this is the
        # general path, which handles every other call and every error.
        return self._slow(args, kwargs)

    def _slow(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self.seeds:
            return self._seeded(args, kwargs)
        if kwargs or not (args or self.inputs):  # (a graph without inputs: f())
            if args:
                raise GraphdiffError("give the inputs by name or as one array, not both")
            return self._by_names(kwargs)
        if len(args) != 1:
            raise GraphdiffError(f"give the inputs by name ({', '.join(self.inputs)}) or "
                                 f"as one array of {len(self.inputs)} entries per point")
        return self._by_array(args[0])

    def _seeded(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """``f(point, seeds)``: the seeds are the code's last inputs."""
        if kwargs or len(args) != 2:
            raise GraphdiffError(f"this {self.kind} takes its seeds at each call: f(point, "
                                 f"seeds), both by name or both as arrays (the seeds of "
                                 f"{', '.join(self.seeds)})")
        point, seeds = args
        if isinstance(point, Mapping) != isinstance(seeds, Mapping):
            raise GraphdiffError("give the point and the seeds both by name or both as arrays")
        if isinstance(point, Mapping):
            unknown = set(seeds) - set(self.seeds)
            missing = [name for name in self.seeds if name not in seeds]
            if unknown or missing:
                raise GraphdiffError(f"the seeds are of {', '.join(self.seeds)}"
                                     + (f"; missing {', '.join(missing)}" if missing else "")
                                     + (f"; no seed for {', '.join(map(str, unknown))}"
                                        if unknown else ""))
            named = dict(zip(self._names[len(self.inputs):],
                             (seeds[name] for name in self.seeds), strict=True))
            return self._by_names({**point, **named})
        point, seeds = np.asarray(point, dtype=float), np.asarray(seeds, dtype=float)
        if seeds.ndim == 0 or seeds.shape[-1] != len(self.seeds):
            raise GraphdiffError(f"the seeds' last axis has one entry per seed "
                                 f"({len(self.seeds)}: {', '.join(self.seeds)}), not shape "
                                 f"{seeds.shape}")
        if point.ndim == 0 or point.shape[-1] != len(self.inputs):
            return self._by_array(point)  # (its message)
        rows = np.broadcast_shapes(point.shape[:-1], seeds.shape[:-1])
        return self._by_array(np.concatenate(
            [np.broadcast_to(point, (*rows, point.shape[-1])),
             np.broadcast_to(seeds, (*rows, seeds.shape[-1]))], axis=-1))

    def _entry(self) -> Callable[..., Any]:
        """``__call__`` as generated code: floats by name and one float64 point go straight
        to the math function and back; anything else, and any error, to :meth:`_slow`."""
        n = len(self.inputs)
        native = self.backend == "llvm"
        namespace: dict[str, Any] = {
            "_fm": self.function("llvm" if self.backend == "llvm" else "math"),
            "_pa": self._functions.get("llvm array"),
            "_slow": Compiled._slow, "_nd": np.ndarray,
            "_f64": np.dtype(float), "_float": float, "_array": np.array,
            "_errors": (ArithmeticError, ValueError), "_wrt": self.wrt,
            "_shape": (n,)}
        names = [f"_n{j}" for j in range(n)]
        namespace.update(zip(names, self.inputs, strict=True))
        keys = [f"_g{j}" for j in range(len(self.wrt))]
        namespace.update(zip(keys, self.wrt, strict=True))
        values = ", ".join(f"a{j}" for j in range(n))
        floats = " and ".join(f"type(a{j}) is _float" for j in range(n)) or "True"
        lines = [
            "def __call__(self, *args, **kw):",
            "    if not args:",
            f"        if len(kw) != {n}: return _slow(self, args, kw)",
            "        try:",
            *(f"            a{j} = kw[{name}]" for j, name in enumerate(names)),
            *(["            pass"] if not names else []),
            "        except KeyError: return _slow(self, args, kw)",
            f"        if {floats}:",
            "            try:",
            f"                o = _fm({values})",
            "            except _errors: return _slow(self, args, kw)",
            f"            return {self._packing(keys, keyed=True)}",
            "    elif len(args) == 1 and not kw:",
            "        a = args[0]",
            "        if type(a) is _nd and a.shape == _shape and a.dtype == _f64:",
            "            try:",
            f"                o = {'_pa(a)' if native else '_fm(*a.tolist())'}",
            "            except _errors: return _slow(self, args, kw)",
            f"            return {self._packing(keys, keyed=False, native=native)}",
            "    return _slow(self, args, kw)",
        ]
        code = builtins.compile("\n".join(lines), "<graphdiff.compile entry>", "exec")
        exec(code, namespace)  # safe: generated here, from node ids and counts only
        return namespace["__call__"]

    def _packing(self, keys: list[str], keyed: bool, native: bool = False) -> str:
        """The expression that makes the result of the outputs ``o`` (a tuple; an array of
        the native code's when ``native``)."""
        parts = []
        for indices, by_name in zip(self._parts, self._by_name, strict=True):
            if not indices:  # no inputs: an empty gradient
                parts.append("{}" if keyed else "_array(())")
                continue
            start, stop = indices[0], indices[-1] + 1
            if not by_name and native:
                parts.append(f"o.item({start})" if len(indices) == 1
                             else f"tuple(o[{start}:{stop}].tolist())")
            elif not by_name:
                parts.append(f"o[{start}]" if len(indices) == 1 else f"o[{start}:{stop}]")
            elif not keyed:
                parts.append(f"o[{start}:{stop}]" if native else f"_array(o[{start}:{stop}])")
            elif len(keys) <= 16:
                parts.append("{" + ", ".join(f"{key}: o[{i}]" for key, i in
                                             zip(keys, indices, strict=True)) + "}")
            else:
                parts.append(f"dict(zip(_wrt, o[{start}:{stop}]))")
        return parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ")"

    def _tensors(self, given: Mapping[str, Any]) -> Any:
        """A tensor graph's call: inputs with a batch axis in, as the interpreter lays them
        out (:class:`~graphdiff.graph.Batch`), and the results as the user wrote them."""
        graph = self.program  # the graph's inputs, then the seeds given at each call
        point = graph._point(given, {})  # noqa: SLF001 - checks and converts the inputs
        batch = Batch.of(graph, point)
        values = [batch.canonical(v, graph.shape(i), graph.name(i))
                  for i, v in zip(graph.input_ids, point, strict=True)]
        function = self.function("numpy")
        try:
            with np.errstate(divide="raise", invalid="raise", over="ignore", under="ignore"):
                outs = list(function(*values))
        except (ArithmeticError, ValueError):
            self._interpret(point)
            outs = list(self._numpy_ignoring_errors(values))
        outs = [batch.public(np.asarray(o)) for o in outs]
        program = self.program
        for indices, by_name in zip(self._parts, self._by_name, strict=True):
            wrt = [graph.id(name) for name in self.wrt] if by_name else []
            for i, node in zip(indices, wrt, strict=False):
                # An input's cotangent has the input's shape, per point of the batch (as
                # reverse mode gives it), also where it does not depend on the point or is
                # a constant (a structural 0, a seed passed through).
                wanted = (*batch.shape, *graph.shape(node))
                if program.kind(program.output_ids[i]) == "constant":
                    outs[i] = np.full(wanted, float(np.ravel(outs[i])[0]))
                elif np.shape(outs[i]) != wanted:
                    outs[i] = np.array(np.broadcast_to(outs[i], wanted))
        outs = [float(o) if np.ndim(o) == 0 else o for o in outs]
        return self._result(tuple(outs), keyed=True)

    def _by_names(self, given: Mapping[str, Any]) -> Any:
        if self.program.is_tensor:
            return self._tensors(given)
        names = self._names
        try:
            values = [given[name] for name in names]
        except KeyError:
            values = None
        if values is None or len(given) != len(names):
            self.program._point(given, {})  # noqa: SLF001 - its message names what is wrong
            raise GraphdiffError("the inputs do not match the graph's")  # pragma: no cover
        backend = self.backend
        if backend == "auto":
            backend = "math"
            for value in values:
                if type(value) is not float and type(value) is not int and not isinstance(
                        value, np.floating | np.integer):
                    backend = "numpy"
                    break
        if self.backend == "llvm":
            backend = "llvm" if all(np.ndim(value) == 0 for value in values) else "llvm batch"
        if backend in ("math", "llvm"):
            try:
                values = [float(value) for value in values]
            except (TypeError, ValueError) as err:
                raise GraphdiffError(f"the math backend takes one number per input: {err}"
                                     ) from None
        outs = self._run(values, backend)
        return self._result(outs, keyed=True)

    def _by_array(self, point: Any) -> Any:
        if self.program.is_tensor:
            raise GraphdiffError("a graph with tensor inputs takes them by name")
        array = np.asarray(point, dtype=float)
        n = len(self._names)
        if array.ndim == 0 and n == 1:
            array = array.reshape(1)
        if array.ndim == 0 or array.shape[-1] != n:
            n = len(self.inputs)
            raise GraphdiffError(f"an array of points has one entry per input in its last "
                                 f"axis ({n}: {', '.join(self.inputs)}), not shape "
                                 f"{array.shape}")
        if array.ndim == 1 and self.backend != "numpy":
            outs = self._run(array.tolist(), "llvm" if self.backend == "llvm" else "math")
        elif self.backend == "llvm":  # rows in, rows out: the results are views of them
            self.function("llvm")
            rows = array.reshape(-1, n)
            try:
                out = self._functions["llvm batch"](rows)
            except _Flagged:
                outs = self._native_batch(rows, array.shape[:-1])
            else:
                return self._rows_result(out, array.shape[:-1])
        else:  # one contiguous column per input: numpy's loops run at full speed
            outs = self._run(list(np.ascontiguousarray(np.moveaxis(array, -1, 0))), "numpy")
            if array.ndim == 1:  # one point forced through numpy: numbers, not 0-d arrays
                outs = tuple(float(o) for o in outs)
        return self._result(outs, keyed=False)

    def _rows_result(self, out: np.ndarray, shape: tuple[int, ...]) -> Any:
        """The result of the native batch's ``(points, outputs)`` array, as views of it."""
        flat = len(shape) == 1  # rows already in the batch's shape: no reshaping (a call
        result = []             # on 10⁴ rows takes some 20 µs: each µs here counts)
        for indices, by_name in zip(self._parts, self._by_name, strict=True):
            start, stop = (indices[0], indices[-1] + 1) if indices else (0, 0)
            if by_name:
                part = out[:, start:stop]
                result.append(part if flat else part.reshape((*shape, stop - start)))
            elif len(indices) == 1:
                result.append(out[:, start] if flat else out[:, start].reshape(shape))
            else:
                result.append(tuple(out[:, i] if flat else out[:, i].reshape(shape)
                                    for i in indices))
        return result[0] if len(result) == 1 else tuple(result)

    def _native_batch(self, rows: np.ndarray, shape: tuple[int, ...]) -> tuple[Any, ...]:
        """The native batch function on rows of points; outputs in the batch's shape."""
        self.function("llvm")
        try:
            out = self._functions["llvm batch"](rows)
        except _Flagged:
            columns = list(np.ascontiguousarray(rows.T))
            self._interpret(columns)
            return tuple(_shaped(o, rows.shape[:1]).reshape(shape)
                         for o in self._numpy_ignoring_errors(columns))
        return tuple(out[:, k].reshape(shape) for k in range(out.shape[1]))

    def _run(self, values: list[Any], backend: str) -> tuple[Any, ...]:
        if backend == "llvm batch":
            arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))
            shape = arrays[0].shape
            return self._native_batch(np.stack(arrays, axis=-1).reshape(-1, len(arrays)),
                                      shape)
        function = self._functions.get(backend) or self.function(backend)
        if backend in ("math", "llvm"):
            try:
                return function(*values)
            except (ArithmeticError, ValueError):
                self._interpret(values)  # raises DomainError, naming the node
                outs = self._numpy_ignoring_errors([np.float64(v) for v in values])
                return tuple(float(o) for o in outs)
        arrays = [np.asarray(v, dtype=float) for v in values]
        try:
            with np.errstate(divide="raise", invalid="raise", over="ignore", under="ignore"):
                outs = function(*arrays)
        except (FloatingPointError, ArithmeticError, ValueError):
            self._interpret(arrays)
            outs = self._numpy_ignoring_errors(arrays)
        shape = arrays[0].shape if arrays else ()
        for array in arrays:
            if array.shape != shape:
                shape = np.broadcast_shapes(*(a.shape for a in arrays))
                break
        return tuple(_shaped(o, shape) for o in outs)

    def _numpy_ignoring_errors(self, arrays: list[Any]) -> tuple[Any, ...]:
        """The numpy code where the values are not a domain error of the graph's (an
        overflow, a pole of the derivative): inf and nan, as the interpreter gives them."""
        function = self.function("numpy")
        with np.errstate(all="ignore"):
            return function(*arrays)

    def _interpret(self, values: list[Any]) -> None:
        """Evaluate the graph by the interpreter, which raises DomainError at the node."""
        self.graph.values(dict(zip(self.inputs, values, strict=False)))  # (not the seeds)

    def _result(self, outs: tuple[Any, ...], keyed: bool) -> Any:
        result = []
        for indices, by_name in zip(self._parts, self._by_name, strict=True):
            if by_name:
                if keyed:
                    result.append(dict(zip(self.wrt, [outs[i] for i in indices],
                                           strict=True)))
                else:
                    result.append(_stacked([outs[i] for i in indices]))
            else:
                result.append(outs[indices[0]] if len(indices) == 1
                              else tuple(outs[i] for i in indices))
        if not self.inputs and not keyed:  # pragma: no cover - no array call without inputs
            raise GraphdiffError("a graph without inputs is called without arguments")
        return result[0] if len(result) == 1 else tuple(result)


def _shaped(value: Any, shape: tuple[int, ...]) -> Any:
    """A numpy result with the batch's shape (a constant derivative is broadcast)."""
    if not shape:
        return float(value)
    if getattr(value, "shape", None) == shape:
        return value
    return np.array(np.broadcast_to(value, shape))


def _stacked(values: list[Any]) -> np.ndarray:
    """Per-input results as one array, the inputs in the last axis (filled one input at a
    time, each a contiguous block: a view with the inputs last, no strided copy)."""
    if not values:
        return np.zeros(0)
    stacked = np.empty((len(values), *np.shape(values[0])))
    for k, value in enumerate(values):
        stacked[k] = value
    return np.moveaxis(stacked, 0, -1)


#: Seeds of jvp, vjp, hvp: compiled in (``{name: seed}``) or given at each call (a list of
#: names, or True for all).
Seeds = Mapping[str, Any] | Sequence[str] | bool | None


def compile(graph: Graph, *, output: str | None = None, grad: bool = False,  # noqa: A001
            jvp: Seeds = None, vjp: Seeds = None, hvp: Seeds = None,
            wrt: Sequence[str] | None = None, backend: str = "auto") -> Compiled:
    """Compile ``graph`` (and, as asked, its derivative) to straight-line code.

    ``grad=True``: the value and the gradient of ``output`` (reverse mode, as code).
    ``jvp={input: tangent}``: the outputs and their tangents along that direction.
    ``vjp={output: cotangent}``: the outputs and the inputs' cotangents.
    ``hvp={input: direction}``: the value, the gradient and the Hessian times the direction.
    The seeds of ``jvp``, ``vjp`` and ``hvp`` as a list of names (or ``True``: every input,
    every output for ``vjp``) are given at each call instead: ``f(point, seeds)``.
    ``wrt``: the inputs the gradient or the cotangent is wanted for (grad, vjp); what
    leads only to the others (a network's data) is left out of the code.
    ``backend``: ``"auto"`` (``math`` for numbers, numpy for arrays), ``"math"``,
    ``"numpy"`` or ``"llvm"``.  The code is cached per graph and request: compiling again
    is free.

    >>> import graphdiff as gd
    >>> g = gd.parse("s = x + y\\np = x*y", outputs=["s", "p"])
    >>> gd.compile(g)(x=2.0, y=3.0)
    (5.0, 6.0)
    >>> gd.compile(g, jvp={"x": 1.0})(x=2.0, y=3.0)
    ((5.0, 6.0), (1.0, 3.0))
    >>> gd.compile(g, vjp={"s": 1.0, "p": 10.0})(x=2.0, y=3.0)
    ((5.0, 6.0), {'x': 31.0, 'y': 21.0})
    >>> gd.compile(g, grad=True, output="p")([2.0, 3.0])
    (6.0, array([3., 2.]))
    >>> gd.compile(g, grad=True, output="p") is gd.compile(g, grad=True, output="p")
    True
    >>> gd.compile(g, grad=True, output="p", wrt=["y"])(x=2.0, y=3.0)
    (6.0, {'y': 2.0})
    >>> gd.compile(g, vjp=["p"])({"x": 2.0, "y": 3.0}, {"p": 10.0})
    ((5.0, 6.0), {'x': 30.0, 'y': 20.0})
    """
    if backend not in (*BACKENDS, "auto"):
        raise GraphdiffError(f"backend must be 'auto', 'math', 'numpy' or 'llvm', not "
                             f"{backend!r}")
    jvp, vjp, hvp = (None if seeds is False else seeds for seeds in (jvp, vjp, hvp))
    asked = [name for name, wanted in (("grad", grad), ("jvp", jvp is not None),
                                       ("vjp", vjp is not None), ("hvp", hvp is not None))
             if wanted]
    if len(asked) > 1:
        raise GraphdiffError(f"compile one of grad, jvp, vjp and hvp at a time, not "
                             f"{' and '.join(asked)}")
    kind = asked[0] if asked else "value"
    seeds = jvp if jvp is not None else vjp if vjp is not None else hvp
    per_call: tuple[str, ...] = ()
    if seeds is not None and not isinstance(seeds, Mapping):
        per_call, seeds = _seed_names(graph, kind, seeds), None
    if seeds is not None:  # floats as the exact numbers they are: 1.0 is 1, and x*1 drops
        seeds = {name: _exact(value) for name, value in seeds.items()}
    # The convention at kinks is read when the derivative graph is built (graphdiff.ops):
    # code built under one is not the code of another.
    convention = _KINKS["convention"] if kind != "value" else None
    if wrt is not None:
        if kind not in ("grad", "vjp"):
            raise GraphdiffError("wrt= is for grad and vjp")
        wrt = tuple(graph.name(input_id(graph, name)) for name in wrt)
    key = (kind, output, backend, _seed_key(graph, seeds), per_call, convention, wrt)
    # The cache lives on the graph (a compiled function refers to its graph, so a table
    # keyed weakly by graphs would keep every graph alive): it goes when the graph goes.
    per_graph = graph.__dict__.setdefault("_compiled", {})
    compiled = per_graph.get(key)
    if compiled is None:
        compiled = _make(graph, kind, output, seeds or list(per_call), backend, wrt)
        if compiled.backend != "numpy" and not per_call:  # fast paths calling the math code
            compiled.__class__ = type("Compiled", (Compiled,), {"__call__": compiled._entry()})
        per_graph[key] = compiled
    return compiled


def _exact(value: Any) -> Any:
    if isinstance(value, int | float | np.integer | np.floating) and math.isfinite(value):
        return sympy.Rational(float(value)) if isinstance(value, float | np.floating) \
            else sympy.Integer(int(value))
    return value


def _seed_names(graph: Graph, kind: str, seeds: Sequence[str] | bool) -> tuple[str, ...]:
    """The inputs (jvp, hvp) or outputs (vjp) whose seeds each call gives, by display name."""
    if isinstance(seeds, str):
        seeds = [seeds]
    if kind == "vjp":
        names = graph.outputs if seeds is True else \
            [graph.name(output_id(graph, name)) for name in seeds]  # type: ignore[union-attr]
    else:
        names = graph.inputs if seeds is True else \
            [graph.name(input_id(graph, name)) for name in seeds]  # type: ignore[union-attr]
    if not names or len(set(names)) != len(names):
        raise GraphdiffError(f"the seeds of {kind} are given for distinct names, at least "
                             f"one, not {list(names)}")
    return tuple(names)


def _seed_key(graph: Graph, seeds: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    if seeds is None:
        return None
    return tuple(sorted((graph.name(graph.id(name)), str(seed_expr(name, value)))
                        for name, value in seeds.items()))


def _make(graph: Graph, kind: str, output: str | None,
          seeds: Mapping[str, Any] | list[str] | None, backend: str,
          wrt: tuple[str, ...] | None) -> Compiled:
    """The derivative program of ``kind``; seeds as a list of names are its inputs."""
    at_call = tuple(seeds) if isinstance(seeds, list) else ()
    if graph.is_tensor:
        if backend not in ("auto", "numpy"):
            raise GraphdiffError(f"a graph with tensor nodes compiles to numpy code, not "
                                 f"{backend}")
        backend = "numpy"
    k, n = len(graph.output_ids), len(graph.input_ids)
    outputs = tuple(range(k))
    if kind == "value":
        return Compiled(graph, graph, kind, backend, (outputs,), (False,))
    if kind in ("grad", "hvp"):
        out = output_id(graph, output)
        value = (graph.output_ids.index(out),)
        adjoint = reverse_graph(graph, output=graph.name(out), values=True, wrt=wrt)
        if kind == "grad":
            gradient = tuple(range(k, k + len(wrt or graph.inputs)))
            return Compiled(graph, adjoint, kind, backend, (value, gradient), (False, True),
                            wrt)
        gradient = tuple(range(k, k + n))
        program = forward_graph(adjoint, direction=_direction(graph, seeds), values=True)
        hv = tuple(range(2 * k + n, 2 * (k + n)))
        return Compiled(graph, program, kind, backend, (value, gradient, hv),
                        (False, True, True), seeds=at_call)
    if output is not None:
        raise GraphdiffError(f"{kind} takes its seeds by name; output= is for grad and hvp")
    if kind == "jvp":
        program = forward_graph(graph, direction=_direction(graph, seeds), values=True)
        return Compiled(graph, program, kind, backend, (outputs, tuple(range(k, 2 * k))),
                        (False, False), seeds=at_call)
    cotangent: Mapping[str, Any] | list[str] = list(at_call)
    if isinstance(seeds, Mapping):
        cotangent = {graph.name(output_id(graph, name)): v for name, v in seeds.items()}
    program = reverse_graph(graph, cotangent=cotangent, values=True, wrt=wrt)
    return Compiled(graph, program, kind, backend,
                    (outputs, tuple(range(k, k + len(wrt or graph.inputs)))), (False, True), wrt,
                    seeds=at_call)


def _direction(graph: Graph, seeds: Mapping[str, Any] | list[str] | None
               ) -> Mapping[str, Any] | list[str]:
    """A forward sweep's direction by display name: compiled in, or inputs of the code."""
    assert seeds is not None
    if isinstance(seeds, list):
        return seeds
    return {graph.name(input_id(graph, name)): v for name, v in seeds.items()}


__all__ = ["BACKENDS", "KINDS", "Compiled", "compile", "generate"]
