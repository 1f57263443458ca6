"""Stage 3 of parsing, for a program: its statements, read line by line (the quick reader's
lines and Python's), converted in order, their names bound, and the graph built."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import GraphdiffError, LimitError, ParseError, excerpt
from ..graph import Graph, is_node
from ..ops import OPS
from .declarations import _Declared
from .expressions import _ExpressionConverter
from .grammar import _STATEMENT_NAMES
from .limits import Limits
from .python import _python_parse
from .quick import (
    _ASSIGN,
    _BINARY,
    _EXPRESSION,
    _FLOAT_MARK,
    _NAME,
    _NUMBER,
    _UNARY,
    _UNBOUND,
    _is_blank,
    _last_content_line,
    _Quick,
    _QuickReader,
    _self_contained,
    _ToPython,
)


class _Converter(_ExpressionConverter):
    """Converts a checked ``ast.Module`` into graph nodes, iteratively."""

    def __init__(self, source: str, python_text: str, maps: list[list[int] | int],
                 limits: Limits, declared: dict[str, _Declared] | None = None) -> None:
        super().__init__(source, python_text, maps, limits, declared)
        self.assigned_at: dict[str, int] = {}
        self.versions: dict[str, int] = {}  # name -> how many times += rebound it, plus 1
        self.bound_as: dict[str, str] = {}  # name -> the node name of its current value
        self.quick = _QuickReader()

    def program(self, *, outputs: Sequence[str] | None, inputs: Sequence[str] | None,
                naming: str, order: str | None) -> Graph:
        # Line by line: most lines of a long program are read by the quick reader, the
        # others by Python's parser (see chunks); no tree of the whole text is ever held.
        last_line = _last_content_line(self.lines)
        count = 0
        last_value: Any = None
        last_name: str | None = None
        for first, end, statements in self.chunks(0):
            for j, stmt in enumerate(statements):
                if count == self.limits.max_lines:
                    self.read_the_rest(count, statements[j:], end)
                is_last = end > last_line and j == len(statements) - 1
                try:
                    last_value, last_name = self.statement(stmt, first, is_last)
                except GraphdiffError as err:
                    error = err
                else:
                    count += 1
                    continue
                self.read_the_rest(count, statements[j:], end)
                raise error
        if count == 0:
            raise ParseError("the input is empty", code="empty", params={}, line=1, column=1,
                             expected="an expression such as x**2 + y", source=self.source)
        if outputs is None:
            output_values = [last_value]
            output_names = [last_name]
        else:
            output_values, output_names = [], []
            for name in outputs:
                if name not in self.bound:
                    # About the outputs= argument, not a spot in the text: no position.
                    raise ParseError(f"output {name!r} is not assigned in the program",
                                     code="unknown_output", params={"name": excerpt(name)},
                                     expected=", ".join(self.bound) or "an assigned name")
                output_values.append(self.bound[name])
                output_names.append(name)
        graph_outputs = []
        for value, name in zip(output_values, output_names, strict=True):
            if not is_node(value):  # a constant output (`c = 2`) becomes a constant node
                value = self.builder.constant_node(value)
                if name is not None:
                    self.builder.name(value, name)
            graph_outputs.append(value)
        if order is None:
            order = "level" if count == 1 else "source"
        self.declare_unused(inputs)
        return self.builder.build(graph_outputs, order=order, naming=naming, inputs=inputs,
                                  source=self.source.strip())

    def chunks(self, k: int) -> Iterator[tuple[int, int, list[Any]]]:
        """The statements of the text from line index ``k`` on, as ``(first line index, end
        line index, statements)``.

        A line the quick reader reads is one statement.  Another line that Python reads as a
        whole statement of its own (see :func:`_self_contained`) goes to Python's parser
        alone, with its line number.  From the first line that may belong with the lines
        after it (an open bracket, an indented block, a backslash), Python's parser reads
        the rest of the text at once, exactly as it read whole texts before.
        """
        lines = self.lines
        read = self.quick.read
        while k < len(lines):
            line = lines[k]
            if _is_blank(line):
                k += 1
                continue
            # A line ending in \r\n: Python ends the line there too (any other \r is a line
            # break of its own for Python, and is left to its parser).
            plain = line[:-1] if line[-1] == "\r" and "\r" not in line[:-1] else line
            quick = read(plain, k + 1)
            if quick is not None:
                yield k, k + 1, [quick]
                k += 1
            elif _self_contained(plain):
                yield k, k + 1, self.python_statements(k, k + 1)
                k += 1
            else:
                yield k, len(lines), self.python_statements(k, len(lines))
                return

    def python_statements(self, first: int, end: int) -> list[ast.stmt]:
        """Python's parse of lines ``first`` to ``end - 1`` (0-based), at their line numbers."""
        text = "\n".join(self.lines[first:end])
        if end < len(self.lines):
            text += "\n"  # as Python sees the line inside the whole text
        return _python_parse(text, self.source, self.maps, self.limits,
                             first_line=first + 1).body

    def read_the_rest(self, done: int, pending: list[Any], end: int) -> None:
        """Before an error about one statement: read all the statements after it (``pending``
        and those from line index ``end``), unconverted.  Python's parser used to read the
        whole text before anything was converted, so a syntax error anywhere, then too many
        statements, are still what is reported first."""
        limit = self.limits.max_lines
        total, at_limit = done, None
        for statements in itertools.chain([pending], (s for _, _, s in self.chunks(end))):
            for stmt in statements:
                if total == limit:
                    at_limit = stmt
                total += 1
        if at_limit is not None:
            raise self.error(at_limit, f"{total} statements, over the limit of {limit}",
                             "a shorter program", LimitError, code="too_many_lines",
                             params={"count": total, "limit": limit})

    def statement(self, stmt: Any, first: int, is_last: bool) -> tuple[Any, str | None]:
        """Convert one statement: ``(its value, the name it is known by)``."""
        if type(stmt) is _Quick:
            saved = self.ast_nodes
            try:
                return self.quick_statement(stmt, is_last)
            except (GraphdiffError, _ToPython):
                # The error, if any, is raised at its node by the full path below (which
                # meets the same nodes again: the builder returns those it already has).
                self.ast_nodes = saved
                stmt = self.python_statements(first, first + 1)[0]
        return self.python_statement(stmt, is_last)

    def quick_statement(self, stmt: _Quick, is_last: bool) -> tuple[Any, str | None]:
        """A statement of the quick reader; any check that fails raises (the caller sends
        the statement to the full path, whose error names the node)."""
        limits = self.limits
        if self.ast_nodes + stmt.count > limits.max_nodes or stmt.height > limits.max_depth:
            raise _ToPython
        if stmt.kind == _EXPRESSION:
            if not is_last:
                raise _ToPython
            self.ast_nodes += stmt.count
            return self.run(stmt), None
        name = self.check_name(stmt, binding=True)
        self.ast_nodes += stmt.count
        if stmt.kind == _ASSIGN:
            value = self.own_node(self.run(stmt), alias=stmt.bare)
            self.bind(stmt, name, value)
            return value, name
        value = self.own_node(self.run(stmt), alias=False)
        self.rebind(stmt, name, value)
        return value, self.bound_as[name]

    def run(self, stmt: _Quick) -> Any:
        """The value of a quick statement's code (postfix: operands, then their op)."""
        stack: list[Any] = []
        push, pop = stack.append, stack.pop
        bound = self.bound
        numbers = self.numbers
        apply = self.quick_apply
        for item in stmt.code:
            kind = item[0]
            if kind == _NAME:
                value = bound.get(item[1], _UNBOUND)
                push(value if value is not _UNBOUND else self.value_of(item[1], stmt))
            elif kind == _BINARY:
                right, left = pop(), pop()
                if item[2]:
                    self.check_power(stmt, left, right)
                push(apply(stmt, item[1], (left, right)))
            elif kind == _UNARY:
                push(apply(stmt, item[1], (pop(),)))
            elif kind == _NUMBER:
                value = numbers.get(item[1])
                if value is None:
                    written = item[1]
                    number = float(written) if _FLOAT_MARK.search(written) else int(written)
                    value = numbers[written] = self.number(stmt, written, number)
                push(value)
            else:  # _CALL
                op, count = item[1], item[2]
                args = tuple(stack[len(stack) - count:])
                del stack[len(stack) - count:]
                least = op.arity - len(op.defaults)
                if count < op.arity:
                    args += op.defaults[count - least:]
                push(apply(stmt, op, args))
        return stack[0]

    def quick_apply(self, node: Any, op: Any, args: tuple[Any, ...]) -> Any:
        """:meth:`apply` for the quick path.  An op that makes a node needs none of its
        checks: the builder refuses constant arguments outside the domain itself (and
        any error leads to the full path, which raises it at the constant).  A folded
        constant is checked by :meth:`apply`."""
        value = self.builder.apply(op, args)
        if type(value) is int:
            return value
        return self.apply(node, op, args)

    def python_statement(self, stmt: ast.stmt, is_last: bool) -> tuple[Any, str | None]:
        """A statement from Python's parser: ``(its value, the name it is known by)``."""
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                raise self.error(stmt, "only single assignments are allowed",
                                 "name = expression", code="multiple_assignment")
            name = self.check_name(stmt.targets[0], binding=True)
            value = self.expression(stmt.value)
            value = self.own_node(value, alias=_is_bare_name(stmt.value))
            self.bind(stmt.targets[0], name, value)
            return value, name
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            name = self.check_name(stmt.target, binding=True)
            value = self.own_node(self.expression(_as_binary(stmt)), alias=False)
            self.rebind(stmt.target, name, value)
            return value, self.bound_as[name]
        if isinstance(stmt, ast.Expr) and is_last:
            return self.expression(stmt.value), None
        if isinstance(stmt, ast.Expr):
            raise self.error(stmt, "an expression that is not the last line is unused",
                             "an assignment name = expression", code="unused_expression")
        keyword, description = _STATEMENT_NAMES.get(type(stmt), ("?", "this statement"))
        raise self.error(stmt, f"{description} is not allowed",
                         "an expression, or assignments name = expression",
                         code="statement_not_allowed", params={"statement": keyword})

    def declare_unused(self, inputs: Sequence[str] | None) -> None:
        """Declared inputs the text never uses: kept if listed in ``inputs=``, else refused
        (a declaration of a name nobody uses is most likely a typo)."""
        for name, declared in self.declared.items():
            if name in self.builder.input_ids:
                continue
            if name in (inputs or ()):
                self.builder.input(name, declared.shape)
                continue
            line = declared.line or None
            raise ParseError(f"{name} is declared but never used as an input",
                             code="declared_not_input", params={"name": excerpt(name)},
                             line=line, column=1 if line else None,
                             expected="a declaration of an input the program uses",
                             source=self.source)

    def own_node(self, value: Any, *, alias: bool) -> Any:
        """The node a line makes, as the author wrote it: a line whose value is a node
        that already has a name (``v1 = x``, or ``b = x*y`` after ``a = x*y``) gets a
        node of its own -- a ``copy`` for an alias, a twin for a repeated expression --
        so that its row is kept and no name is silently lost."""
        builder = self.builder
        if not is_node(value) or value not in builder.user_names:
            return value
        if alias:
            value = builder.apply(OPS["copy"], (value,))
        if value in builder.user_names:
            value = builder.twin(value)
        return value

    def rebind(self, target: ast.Name, name: str, value: Any) -> None:
        """``name += ...``: a new node each time, and the name now means it.  Earlier
        versions keep their names; version k is named ``name__(k)``, which prints as
        name⁽ᵏ⁾ and which no author can write as a name."""
        version = self.versions.get(name, 1) + 1
        self.versions[name] = version
        shown = f"{name}__({version})"
        self.assigned_at.setdefault(name, target.lineno)
        self.bound[name] = value
        self.bound_as[name] = shown
        if is_node(value):
            self.builder.name(value, shown)

    def bind(self, target: ast.Name, name: str, value: Any) -> None:
        if name in self.assigned_at:
            first = self.assigned_at[name]
            raise self.error(target, f"{name!r} is assigned twice (lines "
                             f"{first} and {target.lineno})",
                             "a new name for the second assignment", code="assigned_twice",
                             params={"name": excerpt(name), "first": first,
                                     "second": target.lineno})
        if name in self.declared:
            raise self.error(target, f"{name!r} is declared as an input, then assigned",
                             "a new name for the assignment", code="declared_not_input",
                             params={"name": excerpt(name)})
        if name in self.input_used_at:
            used = self.input_used_at[name]
            raise self.error(target, f"{name!r} is used as an input on line "
                             f"{used} before it is assigned",
                             "assignments before their use", code="assigned_after_use",
                             params={"name": excerpt(name), "line": used})
        self.assigned_at[name] = target.lineno
        self.bound[name] = value
        self.bound_as[name] = name
        if is_node(value):
            self.builder.name(value, name)


def _is_bare_name(node: ast.expr) -> bool:
    """Whether a line's right-hand side is just a name (``v1 = x``, ``y = (v5)``)."""
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
        node = node.operand
    return isinstance(node, ast.Name)


def _as_binary(stmt: ast.AugAssign) -> ast.BinOp:
    """``a += b`` as the expression ``a + b`` it computes, at the statement's position."""
    name = stmt.target.id  # type: ignore[attr-defined]
    target = ast.copy_location(ast.Name(id=name, ctx=ast.Load()), stmt.target)
    return ast.copy_location(ast.BinOp(left=target, op=stmt.op, right=stmt.value), stmt)

