"""Native code from a graph: LLVM IR, compiled by llvmlite (the ``llvm`` backend of
:func:`graphdiff.compile`).

``point`` runs the program on one row of doubles; ``batch`` on rows, 4 or 8 at a time in
vector registers where the host has AVX2 or AVX-512 and glibc's vector math library
(:func:`generate_llvm_simd`), the rows left over by ``point``.  Every instruction comes from
the op's ``code["llvm"]`` in the registry; the vector code is derived from it.  A node of an
op with a domain that comes out nan or inf is flagged, and the caller asks the interpreter,
which names the node.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import struct
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

import numpy as np

from .errors import GraphdiffError
from .graph import Graph
from .ops import Op

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


def _llvm_nodes(program: Graph, nodes: range,
                checks: list[Any]) -> Iterator[tuple[int, str, str | None, bool]]:
    """The instructions of the program's ``nodes``, in order, from the registry's
    ``code["llvm"]``: ``(node, target, instruction, checked)``, ``checked`` when the node's
    value is to be checked for nan or inf (an op with a domain: ``checks``, the program's
    per-node domain checks); ``(node, "", None, False)`` where a new basic block starts
    (every :data:`LLVM_BLOCK` nodes)."""
    constant = program.constant
    for v in nodes:
        kind = program.kind(v)
        if kind == "input":
            continue
        if v % LLVM_BLOCK == 0 and v != nodes.start:
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


class _Part(NamedTuple):
    """One function of the native code: its nodes, the values it reads (inputs from ``in``,
    values of earlier parts from the memory buffer) and the values it keeps there."""

    nodes: range  #: its nodes
    inputs: list[tuple[int, int]]  #: (node, its position in ``in``) of the inputs it reads
    loads: list[tuple[int, int]]  #: (node, slot) of the earlier values it reads
    stores: list[tuple[int, int]]  #: (node, slot) of its values that later parts read


class _Plan(NamedTuple):
    """The program cut into functions of :data:`LLVM_CHUNK` nodes: values that cross from
    one to another go through a memory buffer of ``slots`` doubles (per row of vectors)."""

    parts: list[_Part]
    slots: int


def _plan(program: Graph) -> _Plan:
    """The functions of the native code.  Each holds at most :data:`LLVM_CHUNK` nodes, so
    that its stack (unoptimized LLVM code keeps every value in a stack slot: 8 bytes a node,
    8·W in vectors) and LLVM's work on it stay bounded whatever the program's size; the last
    one writes the outputs.  One pass over the arguments: linear."""
    size = LLVM_CHUNK
    count = max(1, -(-len(program) // size))
    position = {i: j for j, i in enumerate(program.input_ids)}
    reads: list[dict[int, None]] = [{} for _ in range(count)]  # per part, in order of use
    kinds, arguments = program.kind, program.args
    for v in program.order:
        if kinds(v) in ("input", "constant"):
            continue
        part, read = v // size, reads[v // size]
        for a in arguments(v):
            if type(a) is int and (a // size != part or a in position):
                read[a] = None
    for o in program.output_ids:
        if o // size != count - 1 or o in position:
            reads[-1][o] = None
    slot: dict[int, int] = {}
    stores: list[list[tuple[int, int]]] = [[] for _ in range(count)]
    for read in reads:
        for a in read:
            if a not in position and a not in slot:
                slot[a] = len(slot)
                stores[a // size].append((a, slot[a]))
    parts = [_Part(range(k * size, min(k * size + size, len(program))),
                   [(a, j) for j, a in sorted((position[a], a) for a in read if a in position)],
                   [(a, slot[a]) for a in read if a not in position], sorted(stores[k]))
             for k, read in enumerate(reads)]
    return _Plan(parts, len(slot))


def _flag_lines(flags: list[str], kind: str, reduce: str | None = None) -> list[str]:
    """The lines that return 1 when one of the flags (``kind`` values: ``i1`` or vectors of
    them, reduced by ``reduce``) is set, else 0."""
    if not flags:
        return ["  ret i32 0"]
    lines, running = [], flags[0]
    for k, flag in enumerate(flags[1:]):
        lines.append(f"  %or{k} = or {kind} {running}, {flag}")
        running = f"%or{k}"
    if reduce is not None:
        lines.append(f"  %any = call i1 {reduce}({kind} {running})")
        running = "%any"
    return [*lines, f"  %flag = zext i1 {running} to i32", "  ret i32 %flag"]


def _parted(name: str, parts: list[list[str]], signature: str, arguments: str,
            linkage: str = "") -> list[str]:
    """The function ``name`` of the parts' bodies: the one body itself, or internal
    functions, one per part, that it calls in turn, returning 1 if one of them did."""
    if len(parts) == 1:
        return [f"define {linkage}i32 @{name}({signature}) {{", "entry:", *parts[0], "}", ""]
    lines: list[str] = []
    for k, body in enumerate(parts):
        lines.extend((f"define internal i32 @{name}.{k}({signature}) {{", "entry:", *body,
                      "}", ""))
    calls = [f"  %f{k} = call i32 @{name}.{k}({arguments})" for k in range(len(parts))]
    calls.extend(f"  %f{k}.or = or i32 %f{k - 1}{'.or' if k > 1 else ''}, %f{k}"
                 for k in range(1, len(parts)))  # (each returns 0 or 1)
    return [*lines, f"define {linkage}i32 @{name}({signature}) {{", "entry:", *calls,
            f"  ret i32 %f{len(parts) - 1}.or", "}", ""]


def _declarations(body: Iterable[str], declared: dict[str, str]) -> list[str]:
    """The declarations of the functions the body calls (scalar calls: their types from
    the call), after those already ``declared``."""
    for line in body:
        for name, arguments in _CALL.findall(line):
            types = ", ".join(a.strip().split(" ")[0] for a in arguments.split(","))
            declared.setdefault(name, f"declare double {name}({types})")
    return list(declared.values())


def generate_llvm(program: Graph, plan: _Plan | None = None) -> str:
    """LLVM IR of ``point(in, out, memory) -> flag`` and ``batch(in, out, count, memory)
    -> first + 1``.

    ``point`` reads the inputs from ``in`` (doubles, in the order of the inputs), writes the
    outputs to ``out`` and returns 1 when a node of an op with a domain came out nan or
    infinite (the caller then asks the interpreter, which names the node); ``batch`` runs
    it on ``count`` rows and returns 1 + the first such row, or 0.  One instruction (or a
    few) per node, from the op's ``code["llvm"]``.  A program of more than
    :data:`LLVM_CHUNK` nodes is cut into functions that ``point`` calls in turn, passing
    the values that cross from one to another through ``memory`` (``plan.slots`` doubles).

    >>> import graphdiff as gd
    >>> print(generate_llvm(gd.parse("sin(x)*y")).split("define")[1].strip())
    i32 @point(ptr noalias %in, ptr noalias %out, ptr noalias %memory) {
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
    plan = plan or _plan(program)
    checks = program._domain_checks()  # noqa: SLF001 - the per-node domain decision
    bodies: list[list[str]] = []
    for k, part in enumerate(plan.parts):
        body: list[str] = []
        append = body.append
        for i, j in part.inputs:
            append(f"  %p{j} = getelementptr double, ptr %in, i64 {j}")
            append(f"  %v{i} = load double, ptr %p{j}")
        for a, s in part.loads:
            append(f"  %m{a} = getelementptr double, ptr %memory, i64 {s}")
            append(f"  %v{a} = load double, ptr %m{a}")
        flags: list[str] = []
        for v, target, instruction, checked in _llvm_nodes(program, part.nodes, checks):
            if instruction is None:  # a new basic block: LLVM's instruction selection and
                append(f"  br label %block{v}")  # scheduling work per block, superlinearly
                append(f"block{v}:")  # in its length; blocks of a few hundred keep it linear
                continue
            append(f"  {target} = {instruction}")
            if checked:  # nan or inf out of an op with a domain: ask the interpreter
                append(f"  %a{v} = call double @llvm.fabs.f64(double %v{v})")
                append(f"  %b{v} = fcmp ueq double %a{v}, {_INF}")
                flags.append(f"%b{v}")
        for a, s in part.stores:
            append(f"  %s{a} = getelementptr double, ptr %memory, i64 {s}")
            append(f"  store double %v{a}, ptr %s{a}")
        if k == len(plan.parts) - 1:
            for j, o in enumerate(program.output_ids):
                append(f"  %q{j} = getelementptr double, ptr %out, i64 {j}")
                append(f"  store double %v{o}, ptr %q{j}")
        body.extend(_flag_lines(flags, "i1"))
        bodies.append(body)
    declared = _declarations(itertools.chain.from_iterable(bodies),
                             {"@llvm.fabs.f64": "declare double @llvm.fabs.f64(double)"})
    n_in, n_out = len(program.input_ids), len(program.output_ids)
    signature = "ptr noalias %in, ptr noalias %out, ptr noalias %memory"
    return "\n".join([
        *declared, "", *_parted("point", bodies, signature, "ptr %in, ptr %out, ptr %memory"),
        "define i64 @batch(ptr noalias %in, ptr noalias %out, i64 %count, "
        "ptr noalias %memory) {",
        "entry:", "  br label %loop",
        "loop:", "  %i = phi i64 [0, %entry], [%next, %more]",
        "  %done = icmp uge i64 %i, %count", "  br i1 %done, label %exit, label %body",
        "body:", f"  %at = mul i64 %i, {n_in}", f"  %to = mul i64 %i, {n_out}",
        "  %row = getelementptr double, ptr %in, i64 %at",
        "  %put = getelementptr double, ptr %out, i64 %to",
        "  %bad = call i32 @point(ptr %row, ptr %put, ptr %memory)", "  %next = add i64 %i, 1",
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
                       libmvec: frozenset[str] = LIBMVEC_FUNCTIONS,
                       plan: _Plan | None = None) -> str | None:
    """LLVM IR of the SIMD batch: ``vpoint(in, out, memory) -> flag`` on ``width`` rows at
    once and ``batch(in, out, count, point, memory) -> first + 1``; None when an
    instruction has no vector form.

    ``vpoint`` is the program of :func:`generate_llvm`'s ``point`` on ``<width x double>``
    (AVX2: 4, AVX-512: 8): the registry's ``code["llvm"]`` with its types widened, its
    literals as splats and its calls as glibc's vector math functions (``libmvec``, the
    names it has) or LLVM's vector intrinsics; it loads the inputs of ``width`` rows into
    lanes (gathers them from :data:`LLVM_GATHER_FROM` inputs on) and stores the outputs
    (scatters them).  ``batch`` runs it on the whole blocks of ``width`` rows and the
    scalar ``point`` (a pointer to :func:`generate_llvm`'s) on the rows left over, and on a
    flagged block again, row by row, so that it returns 1 + the first flagged row (0 if
    none), as the scalar batch does.  A long program comes in parts as ``point``'s does
    (``plan``), the values crossing between them a vector a slot in ``memory``.

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
    plan = plan or _plan(program)
    checks = program._domain_checks()  # noqa: SLF001 - the per-node domain decision
    shapes: dict[str, str | None] = {}
    bodies: list[list[str]] = []
    for k, part in enumerate(plan.parts):
        body = [] if lane_in else [f"  %rows = getelementptr double, ptr %in, {strides(n_in)}"]
        # The rows' entries into lanes and out: a load (store) per lane of a few entries, a
        # gather (scatter) per entry of many -- on x**2 + x*y + (x+y)**2 the gathers and
        # scatters took 2-4x the loop's time, on the 1,000-variable sum the lanes' 16,000
        # loads and stores took twice the compile time for no faster code.
        for i, j in part.inputs:
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
                body.append(f"  {into} = insertelement {vector} {running}, double "
                            f"%l{j}.{r}, i64 {r}")
                running = into
        for a, slot in part.loads:  # the earlier parts' values, a vector a slot
            body.append(f"  %m{a} = getelementptr {vector}, ptr %memory, i64 {slot}")
            body.append(f"  %v{a} = load {vector}, ptr %m{a}, align 8")
        flags: list[str] = []
        for v, target, instruction, checked in _llvm_nodes(program, part.nodes, checks):
            if instruction is None:  # basic blocks of LLVM_BLOCK nodes, as generate_llvm's
                body.extend((f"  br label %block{v}", f"block{v}:"))
                continue
            # The vector text of an instruction depends on its shape only (its values'
            # names aside): written once per shape, then filled in (3x faster on long
            # graphs).
            names = _SSA.findall(instruction)
            pieces = _SSA.split(instruction)
            shape = "%".join(pieces)
            template = shapes.get(shape, False)
            if template is False:
                placed = pieces[0] + "".join(f"%_{n}{piece}"
                                             for n, piece in enumerate(pieces[1:]))
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
        for a, slot in part.stores:
            body.append(f"  %s{a} = getelementptr {vector}, ptr %memory, i64 {slot}")
            body.append(f"  store {vector} %v{a}, ptr %s{a}, align 8")
        if k == len(plan.parts) - 1:
            if not lane_out:
                body.append(f"  %outs = getelementptr double, ptr %out, {strides(n_out)}")
            for j, o in enumerate(program.output_ids):
                if not lane_out:
                    body.append(f"  %q{j} = getelementptr double, {pointers} %outs, i64 {j}")
                    body.append(f"  call void {scatter}({vector} %v{o}, {pointers} %q{j}, "
                                f"i32 8, {all_lanes})")
                    continue
                for r in range(width):
                    body.append(f"  %e{j}.{r} = extractelement {vector} %v{o}, i64 {r}")
                    body.append(f"  %q{j}.{r} = getelementptr double, ptr %out, "
                                f"i64 {r * n_out + j}")
                    body.append(f"  store double %e{j}.{r}, ptr %q{j}.{r}")
        body.extend(_flag_lines(flags, lanes, f"@llvm.vector.reduce.or.v{width}i1"))
        bodies.append(body)

    def scalar_row(r: str, tag: str) -> list[str]:  # the scalar point on row r
        return [f"  %{tag}at = mul i64 {r}, {n_in}", f"  %{tag}to = mul i64 {r}, {n_out}",
                f"  %{tag}row = getelementptr double, ptr %in, i64 %{tag}at",
                f"  %{tag}put = getelementptr double, ptr %out, i64 %{tag}to",
                f"  %{tag}bad = call i32 %point(ptr %{tag}row, ptr %{tag}put, ptr %memory)",
                f"  %{tag}next = add i64 {r}, 1", f"  %{tag}wrong = icmp ne i32 %{tag}bad, 0"]

    return "\n".join([
        *declared.values(), "",
        *_parted("vpoint", bodies, "ptr noalias %in, ptr noalias %out, ptr noalias %memory",
                 "ptr %in, ptr %out, ptr %memory", linkage="internal "),
        "define i64 @batch(ptr noalias %in, ptr noalias %out, i64 %count, ptr %point, "
        "ptr noalias %memory) {",
        "entry:", f"  %full = and i64 %count, {-width}", "  br label %vloop",
        # whole blocks of rows, width at a time
        "vloop:", "  %i = phi i64 [0, %entry], [%inext, %vbody], [%inext, %rdone]",
        "  %vdone = icmp uge i64 %i, %full", "  br i1 %vdone, label %tail, label %vbody",
        "vbody:", f"  %at = mul i64 %i, {n_in}", f"  %to = mul i64 %i, {n_out}",
        "  %row = getelementptr double, ptr %in, i64 %at",
        "  %put = getelementptr double, ptr %out, i64 %to",
        "  %vbad = call i32 @vpoint(ptr %row, ptr %put, ptr %memory)",
        f"  %inext = add i64 %i, {width}",
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


class Flagged(ArithmeticError):
    """Native code saw nan or inf come out of an op with a domain."""


_LLVM_READY: list[bool] = []  # LLVM's native target, initialised once


#: Nodes per basic block of the generated LLVM IR.
LLVM_BLOCK = 256
#: From this many nodes on LLVM compiles without optimizing (opt=0): its optimizing code
#: generator's time grows faster than the code (the 1,000-variable sum's 14,000 nodes:
#: 2.5 s at opt=2, 0.2 s at opt=0, for code 1.5× slower; the chain of 1,000: 0.2 s and
#: 0.09 s, for the same speed).
LLVM_OPTIMIZE_BELOW = 2000
#: Nodes per function of the native code: a longer program is cut into functions that pass
#: the values crossing from one to another through a memory buffer.  Unoptimized, LLVM gives
#: each value of a function a stack slot (8 bytes, 8·W in the SIMD batch's vectors), and a
#: function that outgrew the thread's stack (8 MB) killed the process: the gradient of a
#: 10⁶-node chain (3.7 million nodes in one function) at one point did.  Parts of 1,024
#: nodes take some 10 kB of stack (80 kB in vectors) and compile a third faster than parts
#: of 4,096 (the chain of 2·10⁴: 1.4 s against 2.0-2.4 s), for the same speed.
LLVM_CHUNK = 1024
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


def _llvm_simd(llvm: Any, program: Graph, width: int, libmvec: frozenset[str],
               plan: _Plan | None = None) -> tuple[Callable[..., int], Any] | None:
    """The SIMD batch of :func:`generate_llvm_simd`, compiled for the host's CPU (its
    vector registers carry the vector functions' arguments), and its engine; None when an
    instruction has no vector form."""
    import ctypes

    source = generate_llvm_simd(program, width, libmvec, plan)
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
                            ctypes.c_void_p, ctypes.c_void_p)(
        engine.get_function_address("batch")), engine


def llvm_functions(program: Graph) -> tuple[Callable[..., tuple[Any, ...]],
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
    plan = _plan(program)
    source = generate_llvm(program, plan)
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
    address = ctypes.c_void_p
    point = ctypes.CFUNCTYPE(ctypes.c_int, address, address, address)(
        engine.get_function_address("point"))
    batch = ctypes.CFUNCTYPE(ctypes.c_int64, address, address, ctypes.c_int64, address)(
        engine.get_function_address("batch"))
    n_in, n_out = len(program.input_ids), len(program.output_ids)
    empty = np.empty
    local = threading.local()  # buffers per thread: a pointer costs 1 µs to ask numpy for
    width, libmvec = _host_simd(llvm)

    def data(array: np.ndarray) -> int:
        return array.__array_interface__["data"][0]

    def buffers() -> tuple[np.ndarray, np.ndarray, int, int, int, int]:
        # in, out, and the memory of the values that cross between the code's functions
        # (a vector of each in the SIMD batch)
        given, out, memory = np.empty(n_in), np.empty(n_out), np.empty(plan.slots * max(width, 1))
        local.buffers = (given, out, memory, data(given), data(out), data(memory))
        return local.buffers

    def run_array(values: Any, _engine: Any = keep) -> np.ndarray:
        given, out, _, at, to, memory = getattr(local, "buffers", None) or buffers()
        given[:] = values
        if point(at, to, memory):
            raise Flagged
        return out.copy()

    def run_point(*values: float, _engine: Any = keep) -> tuple[Any, ...]:
        given, out, _, at, to, memory = getattr(local, "buffers", None) or buffers()
        given[:] = values
        if point(at, to, memory):
            raise Flagged
        return tuple(out.tolist())

    simd: list[Any] = []  # the SIMD batch, compiled on first use (single points need not)
    lock = threading.Lock()
    point_address = engine.get_function_address("point")

    def simd_batch() -> Any:
        if not simd:
            with lock:  # (one thread compiles, the others wait for it)
                if not simd:
                    simd.append(_llvm_simd(llvm, program, width, libmvec, plan))
        return simd[0]

    def run_batch(rows: np.ndarray, _engine: Any = keep) -> np.ndarray:
        rows = np.ascontiguousarray(rows, dtype=float)
        count = rows.shape[0]
        out = empty((count, n_out))
        at, to = data(rows), data(out)
        memory = (getattr(local, "buffers", None) or buffers())[5]
        vectors = simd_batch() if width and count >= width else None
        if vectors is not None:
            flagged = vectors[0](at, to, count, point_address, memory)
        else:
            flagged = batch(at, to, count, memory)
        if flagged:
            raise Flagged(flagged - 1)  # (the first flagged row)
        return out

    return run_point, run_array, run_batch, source


__all__ = [
    "LIBMVEC_FUNCTIONS",
    "LLVM_BLOCK",
    "LLVM_CHUNK",
    "LLVM_GATHER_FROM",
    "LLVM_OPTIMIZE_BELOW",
    "LLVM_SIMD",
    "Flagged",
    "generate_llvm",
    "generate_llvm_simd",
    "llvm_functions",
]
