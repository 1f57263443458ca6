"""Stage 2b of parsing: the quick reader of plain lines.

Python's parser builds a tree of Python objects for the whole text before anything is
converted: for a 10⁵-line program that is most of the time and memory, and a sum of 10⁴
terms exceeds its recursion limit.  Most lines of a long program are plain (``name =
expression`` of numbers, names, + - * / ** @, calls and .T, on one line): the quick
reader turns such a line into postfix code in one loop over its tokens, with a stack of
operators waiting for their right operand (shunting-yard): no recursion, no tree.  It
reads only what it is sure of: anything else -- another token, a keyword, a number
Python would read otherwise -- is left to Python's parser, and a check
that fails during conversion sends the statement to the full path too, so every error is
still raised by the same code at the same node.  The reader counts the syntax nodes and
the depth Python's tree would have (Limits.max_nodes, max_depth count those).
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Callable
from typing import Any

from ..ops import FUNCTIONS, op_of_attribute, op_of_dunder
from .grammar import _PYTHON_OPERATORS
from .text import _BRACKET, _WORD

#: A token of a line: a number, a name, an operator or punctuation, or (last group)
#: anything else.  Leading blanks are skipped.
_TOKEN = re.compile(
    r"[ \t]*(?:([0-9]+\.?[0-9]*(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?)"
    r"|([A-Za-z_][A-Za-z0-9_]*)|(\*\*=?|[-+*/@]=?|[(),.=])|(.))")
_FLOAT_MARK = re.compile(r"[.eE]")
_KEYWORDS = frozenset(keyword.kwlist)
_QUICK_DEPTH = 150  # brackets; Python's tokenizer stops at 200
_LONGEST_LITERAL = 4000  # digits; Python refuses to convert integers of more than 4,300

# Kinds of statements, and of the items of their code.
_EXPRESSION, _ASSIGN, _AUGMENTED = range(3)
_NAME, _NUMBER, _BINARY, _UNARY, _CALL, _OPEN = range(6)
_OPENED = (_OPEN,)
_UNBOUND = object()

#: The chain groups of _chain_group (a + b + c counts as one level of depth), as numbers.
_GROUP_CODES = {"+": 1, "-": 1, "*": 2, "/": 2}
_BINARY_SYMBOLS = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "@": ast.MatMult,
                   "**": ast.Pow}
#: Binding strength of Python's operators; unary minus binds less than ** on its right.
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2, "**": 4}
_UNARY_PRECEDENCE = 3


class _ToPython(Exception):
    """The quick path leaves this statement to Python's parser and the full converter."""


class _Quick:
    """A statement read by the quick reader, with the position attributes of a syntax node
    (errors are raised at it while the full path re-reads the line)."""

    __slots__ = ("bare", "code", "count", "end_col_offset", "end_lineno", "height", "id",
                 "kind", "lineno")
    col_offset = 0

    def __init__(self, kind: int, target: str, code: list[tuple[Any, ...]], count: int,
                 height: int, bare: bool, lineno: int, width: int) -> None:
        self.kind, self.id, self.code, self.lineno = kind, target, code, lineno
        self.count, self.height, self.bare = count, height, bare  # as check_size counts
        self.end_lineno, self.end_col_offset = lineno, width

    @property
    def right(self) -> _Quick:  # where check_power points (only on the way to the full path)
        return self


class _QuickReader:
    """Reads a plain line into a :class:`_Quick`, or says ``None`` (Python's parser reads
    it).  The ops of the operators come from the registry once per parse."""

    def __init__(self) -> None:
        self.binary: dict[str, tuple[Any, ...]] = {}
        for symbol, node_type in _BINARY_SYMBOLS.items():
            op = op_of_dunder(_PYTHON_OPERATORS[node_type], 2)
            if op is not None:
                self.binary[symbol] = (_BINARY, op, _PRECEDENCE[symbol], symbol == "**",
                                       _GROUP_CODES.get(symbol, 0), symbol == "**")
        negation = op_of_dunder(_PYTHON_OPERATORS[ast.USub], 1)
        self.unary: dict[str, tuple[Any, ...]] = {"+": (_UNARY, None, _UNARY_PRECEDENCE)}
        if negation is not None:
            self.unary["-"] = (_UNARY, negation, _UNARY_PRECEDENCE)
        self.attributes: dict[str, Any] = {}

    def read(self, line: str, lineno: int) -> _Quick | None:
        """The statement on ``line`` (line number ``lineno``), or None."""
        if line[0] in " \t":  # an indented line: Python's parser says what it is
            return None
        tokens = _TOKEN.findall(line.split("#", 1)[0] if "#" in line else line)
        kind, target, start = _EXPRESSION, "", 0
        if len(tokens) > 2 and tokens[0][1] and tokens[1][2] and tokens[1][2][-1] == "=":
            target, symbol = tokens[0][1], tokens[1][2]
            if target in _KEYWORDS:
                return None
            kind, start = (_ASSIGN, 2) if symbol == "=" else (_AUGMENTED, 2)
        read = self.expression(tokens, start)
        if read is None:
            return None
        code, count, height = read
        if kind == _AUGMENTED:
            # a += b is the expression a + b (as _as_binary): the same code and counts --
            # the BinOp, its op, the Name a and its context.
            entry = self.binary.get(tokens[1][2][:-1])
            if entry is None:
                return None
            code = [(_NAME, target), *code, (_BINARY, entry[1], entry[5])]
            count, height = count + 4, max(3, height + 1)
        bare = len(code) == 1 and code[0][0] == _NAME  # x, (x) or +x
        return _Quick(kind, target, code, count, height, bare, lineno, len(line))

    def expression(self, tokens: list[tuple[str, str, str, str]], i: int
                   ) -> tuple[list[tuple[Any, ...]], int, int] | None:
        """Postfix code of ``tokens[i:]``, the number of nodes of Python's tree of it and
        its depth as check_size counts it; or None.  Operators wait on a stack until one
        that binds less arrives; so do brackets and calls until they close."""
        code: list[tuple[Any, ...]] = []
        emit = code.append
        # Per finished operand: 4 * its tree's depth + its chain group (_GROUP_CODES).
        heights: list[int] = []
        waiting: list[tuple[Any, ...]] = []  # operators, open brackets and calls
        binary, unary = self.binary, self.unary
        operand = True  # an operand comes next (else an operator, a bracket, a comma)
        count, depth, n = 0, 0, len(tokens)
        while i < n:
            number, name, symbol, other = tokens[i]
            i += 1
            if other:
                return None
            if operand:
                if name:
                    if name in _KEYWORDS:
                        return None
                    if i < n and tokens[i][2] == "(":
                        op = FUNCTIONS.get(name)
                        if op is None or depth >= _QUICK_DEPTH:
                            return None
                        waiting.append((_CALL, op, len(heights)))
                        count += 3  # the Call, its function's Name and that one's context
                        depth += 1
                        i += 1
                        continue
                    emit((_NAME, name))
                    heights.append(8)  # a Name over its context: depth 2
                    count += 2
                    operand = False
                elif number:
                    if len(number) > _LONGEST_LITERAL or (
                            number[0] == "0" and number.isdigit() and number.strip("0")):
                        return None  # 0123 is a syntax error in Python
                    emit((_NUMBER, number))
                    heights.append(4)
                    count += 1
                    operand = False
                elif symbol == "(" and depth < _QUICK_DEPTH:
                    waiting.append(_OPENED)
                    depth += 1
                elif symbol in unary:
                    waiting.append(unary[symbol])
                    count += 2  # the UnaryOp and its op
                else:
                    return None
            elif symbol in binary:
                entry = binary[symbol]
                while waiting and waiting[-1][0] <= _UNARY and (
                        waiting[-1][2] > entry[2] or (waiting[-1][2] == entry[2]
                                                      and not entry[3])):
                    _reduce(waiting.pop(), emit, heights)
                waiting.append(entry)
                count += 2  # the BinOp and its op
                operand = True
            elif symbol == ")" or symbol == ",":
                while waiting and waiting[-1][0] <= _UNARY:
                    _reduce(waiting.pop(), emit, heights)
                if not waiting or (symbol == "," and waiting[-1][0] != _CALL):
                    return None
                if symbol == ",":
                    operand = True
                    continue
                opened = waiting.pop()
                depth -= 1
                if opened[0] == _CALL and not _call(opened, emit, heights):
                    return None
            elif symbol == "." and i < n and tokens[i][1]:
                attribute = tokens[i][1]
                if attribute not in self.attributes:
                    self.attributes[attribute] = op_of_attribute(attribute)
                op = self.attributes[attribute]
                if op is None:
                    return None
                i += 1
                emit((_UNARY, op))
                heights[-1] = ((heights[-1] >> 2) + 1) << 2  # over its value and context
                count += 2  # the Attribute and its context
            else:
                return None
        if operand:
            return None
        while waiting:
            entry = waiting.pop()
            if entry[0] > _UNARY:
                return None  # a bracket never closed
            _reduce(entry, emit, heights)
        return code, count, heights[0] >> 2


def _reduce(entry: tuple[Any, ...], emit: Callable[[tuple[Any, ...]], None],
            heights: list[int]) -> None:
    """Apply a waiting operator to the operands on the stack (their code is emitted)."""
    if entry[0] == _BINARY:
        right = heights.pop()
        left = heights.pop()
        group = entry[4]
        # As check_size: the left operand of the same chain is not deeper.
        left_height = left >> 2 if group and left & 3 == group else (left >> 2) + 1
        right_height = (right >> 2) + 1  # at least 2: the op's own node is no deeper
        heights.append(((left_height if left_height > right_height else right_height) << 2)
                       + group)
        emit((_BINARY, entry[1], entry[5]))
        return
    heights[-1] = ((heights[-1] >> 2) + 1) << 2
    if entry[1] is not None:  # unary plus is its operand
        emit((_UNARY, entry[1]))


def _call(opened: tuple[Any, ...], emit: Callable[[tuple[Any, ...]], None],
          heights: list[int]) -> bool:
    """Close a call: False when its number of arguments is wrong (Python's path says so)."""
    op, start = opened[1], opened[2]
    count = len(heights) - start
    if not op.arity - len(op.defaults) <= count <= op.arity:
        return False
    deepest = max(heights[start:]) >> 2
    del heights[start:]
    heights.append(max(3, deepest + 1) << 2)  # the function's Name over its context: 3
    emit((_CALL, op, count))
    return True


def _is_blank(line: str) -> bool:
    """Whether Python sees no statement on the line (blank, or only a comment)."""
    stripped = line.strip()
    return not stripped or stripped[0] == "#"


def _last_content_line(lines: list[str]) -> int:
    """0-based index of the last line that is not blank (-1 if none)."""
    for k in range(len(lines) - 1, -1, -1):
        if not _is_blank(lines[k]):
            return k
    return -1


_SOFT_KEYWORDS = frozenset({"match", "case", "type", "_"})


def _self_contained(line: str) -> bool:
    """Whether Python reads this line as statements of their own, whatever lines come after:
    not indented, no string or backslash (which could continue it), brackets closed, not
    the start of a block (a keyword first, a decorator, a colon at the end), no ``\\r``
    (which Python counts as a line break)."""
    if line[0] in " \t" or any(ch in line for ch in "'\"\\\r"):
        return False
    code = line.split("#", 1)[0].rstrip()
    first = _WORD.match(code)
    if code.endswith(":") or code.startswith("@") or (
            first is not None and (keyword.iskeyword(first.group())
                                   or first.group() in _SOFT_KEYWORDS)):
        return False
    depth = 0
    for found in _BRACKET.finditer(code):
        depth += 1 if found.group() in "([{" else -1
        if depth < 0:
            return False
    return depth == 0
