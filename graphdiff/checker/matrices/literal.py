"""Matrices of numbers as students write them, bounded before any entry is read.

* lists: ``[[0.1, -0.2], [0.05, 0.3]]`` (a matrix, row by row), ``[0.1, -0.2]`` (a vector),
  ``[[1], [2]]`` (a column); round brackets with commas too: ``(-2, 0)``;
* LaTeX: ``\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}`` (also ``bmatrix`` and
  ``matrix``, in ``\\left( ... \\right)`` if you like) -- exactly these environments;
  every other ``\\begin``/``\\end`` is refused, as every TeX command that could run code;
* a transpose after the matrix: ``(-2, 0)^T`` or ``(-2, 0)ᵀ`` is a 2×1 column (a list of
  numbers transposed is a column, as the problem sheets write it);
* a single number (``0.25``, ``1/4``): shape ``()``.

Entries are numbers or number formulas (``1/4``, ``e^2``, ``\\frac{1}{4}``, ``-0.5``),
each read by the students' reader.  The structure is scanned first, bounded in rows,
columns, entries, characters per entry and nesting, and only then are the entries read.

>>> m = read_matrix("[[0.1, -0.2], [1/4, e^2]]")
>>> m.shape, m.read_as
((2, 2), '[[0.1, -0.2], [1/4, exp(2)]]')
>>> read_matrix(r"\\begin{pmatrix} 1 & 2 \\\\ 3 & \\frac{1}{2} \\end{pmatrix}").read_as
'[[1, 2], [3, 1/2]]'
>>> read_matrix("(-2, 0)^T").shape, read_matrix("[0.5, 1]").shape, read_matrix("1/4").shape
((2, 1), (2,), ())
>>> try:
...     read_matrix("[[1, 2], [3]]")
... except AnswerError as err:
...     print(err)
line 1, column 10: row 2 has 1 entries, row 1 has 2
  [[1, 2], [3]]
           ^
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..answers import (
    _check_bracket_depth,
    _formula_span,
    _refuse_before_reading,
)
from ..messages import Message
from ..student.lexer import AnswerError, Lexer, error_at
from ..student.parser import Parser, Printer
from ..student.reader import Reader, check_constants
from ..student.vocabulary import CARET_TRANSPOSE, DOT_TRANSPOSE, TRANSPOSE_SIGNS

#: Longest matrix answer (characters), checked before anything else.
MAX_MATRIX_CHARS = 10_000
#: Most rows, columns and entries of a matrix answer, and characters of one entry.
MAX_ROWS = 30
MAX_COLUMNS = 30
MAX_ENTRIES = 400
MAX_ENTRY_CHARS = 200
#: The LaTeX environments of a matrix (``vmatrix`` is a determinant: not a matrix).
ENVIRONMENTS = ("pmatrix", "bmatrix", "matrix")
_ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{\s*([A-Za-z*]*)\s*\}")
_CLOSERS = {"[": "]", "(": ")"}


@dataclass(frozen=True)
class Entry:
    """One entry as read: plain graphdiff text of a number formula, and where it was."""

    expression: str
    start: int
    end: int


@dataclass(frozen=True)
class MatrixReading:
    """A matrix answer as read.

    Attributes
    ----------
    original : str
        The answer as typed.
    rows : tuple of tuples of Entry
        The entries row by row (a vector is one row; a number one entry).
    shape : tuple
        ``(rows, columns)``, ``(n,)`` for a vector, ``()`` for a number.
    warnings, notes : tuple of Message
        From reading the entries.

    >>> m = read_matrix("[1, 2]^T")
    >>> m.shape, [[e.expression for e in row] for row in m.rows]
    ((2, 1), [['1'], ['2']])
    """

    original: str
    rows: tuple[tuple[Entry, ...], ...]
    shape: tuple[int, ...]
    warnings: tuple[Message, ...] = ()
    notes: tuple[Message, ...] = field(default=())

    @property
    def entries(self) -> list[Entry]:
        """Every entry, row by row."""
        return [e for row in self.rows for e in row]

    @property
    def read_as(self) -> str:
        """The matrix in plain list syntax (``[[2, -1], [0, 1]]``)."""
        rows = ["[" + ", ".join(e.expression for e in row) + "]" for row in self.rows]
        if len(self.shape) == 2:
            return "[" + ", ".join(rows) + "]"
        return rows[0] if self.shape else self.rows[0][0].expression


def read_matrix(text: Any, *, functions: Mapping[str, str] | None = None,
                max_chars: int = MAX_MATRIX_CHARS) -> MatrixReading:
    """Read a matrix answer (see the module docstring); :class:`AnswerError` with the line
    and column where it cannot be read.

    >>> read_matrix("dL/dW = [[1, 0], [0, 1]]").shape
    (2, 2)
    >>> read_matrix(r"\\left(\\begin{matrix} 0.5 \\\\ 1 \\end{matrix}\\right)").read_as
    '[[0.5], [1]]'
    >>> try:
    ...     read_matrix(r"\\begin{vmatrix} 1 \\end{vmatrix}")
    ... except AnswerError as err:
    ...     print(err.message.render(), err.column)
    only the matrix environments pmatrix, bmatrix, matrix are read, not vmatrix 1
    """
    _refuse(text, max_chars)
    reader = Reader([], functions or {})
    start, end = _formula_span(text, reader)
    scan = _Scanner(text, start, end)
    rows, shape = scan.literal()
    read = [tuple(_entry(text, s, e, reader) for s, e in row) for row in rows]
    return MatrixReading(text, tuple(read), shape, tuple(reader.warnings),
                         tuple(reader.notes))


def decimal_commas(text: str) -> bool:
    """Whether a list may have been written with decimal commas (``[0,5, 1,5]``), which
    read as more entries: said when the shape is wrong.

    >>> decimal_commas("[0,5, 1,5]"), decimal_commas("[0.5, 1.5]")
    (True, False)
    """
    return re.search(r"(?<![\d.])\d+,\d+(?![\d.])", text) is not None and "[" in text


def _refuse(text: Any, max_chars: int) -> None:
    """The refusals of every answer (length, control characters, TeX commands that could
    run code), with ``\\begin``/``\\end`` of a matrix environment allowed."""
    if isinstance(text, str):
        for m in _ENVIRONMENT.finditer(text):
            if m.group(2) not in ENVIRONMENTS:
                raise error_at(Message("matrix_environment", {
                    "name": m.group(2)[:20], "known": ", ".join(ENVIRONMENTS)}), text,
                    m.start())
        text = _ENVIRONMENT.sub(lambda m: " " * len(m.group(0)), text)
    _refuse_before_reading(text, max_chars)


def _entry(text: str, start: int, end: int, reader: Reader) -> Entry:
    """One entry read in place (its errors point into the whole answer)."""
    _check_bracket_depth(text, start, end)
    tokens = Lexer(text, start, end, reader).run()
    tree = Parser(tokens, text, reader).parse()
    check_constants(tree, text)
    printer = Printer()
    printer.print(tree)
    return Entry(printer.text(), start, end)


class _Scanner:
    """The structure of a matrix answer: brackets, separators and where each entry is.

    Entries are only located here (spans of text); nesting, rows, columns, entries and
    their length are bounded as they are found."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.s = text
        self.i = start
        self.end = end
        self.count = 0

    def fail(self, code: str, pos: int, **params: Any) -> AnswerError:
        return error_at(Message(code, params), self.s, min(pos, len(self.s)))

    def skip(self) -> None:
        while self.i < self.end and self.s[self.i].isspace():
            self.i += 1

    def literal(self) -> tuple[list[list[tuple[int, int]]], tuple[int, ...]]:
        """The rows of entry spans and the shape."""
        self.skip()
        begin = self.i
        wrapped = self._left()
        if self.s.startswith("\\begin", self.i):
            rows = self.environment()
            shape: tuple[int, ...] = (len(rows), len(rows[0]))
        elif self.i < self.end and self.s[self.i] in "[(" and (
                self.s[self.i] == "[" or self._comma_inside(self.i)):
            rows, shape = self.lists()
        elif wrapped:
            raise self.fail("matrix_expected", self.i)
        else:
            return [[(begin, self.end)]], ()
        if wrapped:
            self._right(wrapped)
        transposed = self._transpose()
        self.skip()
        if self.i < self.end:
            raise self.fail("matrix_text_after", self.i)
        if transposed:
            rows, shape = _transposed(rows, shape)
        return rows, shape

    # --- \left( \begin{pmatrix} ... \end{pmatrix} \right) ---------------------------------

    def _left(self) -> str:
        m = re.compile(r"\\left\s*([(\[])").match(self.s, self.i, self.end)
        if m is None:
            return ""
        self.i = m.end()
        self.skip()
        return _CLOSERS[m.group(1)]

    def _right(self, closer: str) -> None:
        self.skip()
        m = re.compile(r"\\right\s*" + re.escape(closer)).match(self.s, self.i, self.end)
        if m is None:
            raise self.fail("expected_closing", self.i, opening="\\left", closing="\\right"
                            + closer)
        self.i = m.end()

    def environment(self) -> list[list[tuple[int, int]]]:
        m = _ENVIRONMENT.match(self.s, self.i, self.end)
        assert m is not None and m.group(1) == "begin"
        name, self.i = m.group(2), m.end()
        rows: list[list[tuple[int, int]]] = [[]]
        entry_start = self.i
        depth = 0
        while True:
            if self.i >= self.end:
                raise self.fail("matrix_unclosed", m.start(), name=name)
            ch = self.s[self.i]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if depth == 0 and ch == "&":
                self._add(rows[-1], entry_start, self.i)
                self.i += 1
                entry_start = self.i
                continue
            if depth == 0 and self.s.startswith("\\\\", self.i):
                self._add(rows[-1], entry_start, self.i)
                self._new_row(rows, self.i)
                self.i += 2
                entry_start = self.i
                continue
            close = _ENVIRONMENT.match(self.s, self.i, self.end)
            if close is not None:
                if close.group(1) == "begin":
                    raise self.fail("matrix_nested", self.i)
                if close.group(2) != name:
                    raise self.fail("matrix_unclosed", m.start(), name=name)
                if self.s[entry_start:self.i].strip() or rows[-1]:
                    self._add(rows[-1], entry_start, self.i)
                elif len(rows) > 1:
                    rows.pop()  # a \\ before \end
                self.i = close.end()
                break
            self.i += 1
        if not rows[-1]:
            raise self.fail("matrix_empty", m.start())
        self._check_rows(rows, [row[0][0] for row in rows])
        return rows

    # --- [[...], [...]] -------------------------------------------------------------------

    def lists(self) -> tuple[list[list[tuple[int, int]]], tuple[int, ...]]:
        """A list of numbers (a vector) or a list of lists (a matrix, row by row)."""
        if self._first_item_is_list(self.i + 1):
            rows: list[list[tuple[int, int]]] = []
            starts: list[int] = []
            for item_start, item_end in self._items(self.i, entries=False):
                starts.append(item_start)
                sub = _Scanner(self.s, item_start, item_end)
                sub.count = self.count
                sub.skip()
                if sub.i >= item_end or sub.s[sub.i] not in "[(" or not (
                        sub.s[sub.i] == "[" or sub._comma_inside(sub.i)):
                    raise self.fail("matrix_mixed", item_start)
                if sub._first_item_is_list(sub.i + 1):
                    raise self.fail("matrix_nested", sub.i)
                rows.append(sub._items(sub.i))
                sub.skip()
                if sub.i < item_end:
                    raise self.fail("matrix_text_after", sub.i)
                self.count = sub.count
                if len(rows) > MAX_ROWS:
                    raise self.fail("matrix_too_large", item_start, rows=MAX_ROWS,
                                    columns=MAX_COLUMNS, entries=MAX_ENTRIES)
            self._check_rows(rows, starts)
            return rows, (len(rows), len(rows[0]))
        row = self._items(self.i)
        self._check_rows([row], [self.i])
        return [row], (len(row),)

    def _items(self, start: int, entries: bool = True) -> list[tuple[int, int]]:
        """The spans of the items of the list opening at ``start``; moves past it.  With
        ``entries``, each item is an entry (counted and bounded)."""
        opener = self.s[start]
        closer = _CLOSERS[opener]
        self.i = start + 1
        items: list[tuple[int, int]] = []
        item_start = self.i
        depth = 0
        while True:
            if self.i >= self.end:
                raise self.fail("expected_closing", start, opening=opener, closing=closer)
            ch = self.s[self.i]
            if ch in "([{":
                depth += 1
            elif ch in ")]}" and depth > 0:
                depth -= 1
            elif depth == 0 and ch in ",;" + closer:
                if ch == ";":
                    raise self.fail("matrix_semicolon", self.i)
                if entries:
                    self._add(items, item_start, self.i)
                else:
                    items.append(self._checked(item_start, self.i))
                self.i += 1
                if ch == closer:
                    return items
                item_start = self.i
                continue
            elif depth == 0 and ch in ")]}":
                raise self.fail("unmatched_closing", self.i, closing=ch)
            self.i += 1

    def _checked(self, start: int, end: int) -> tuple[int, int]:
        """An item's span, stripped, with the bounds checked."""
        while start < end and self.s[start].isspace():
            start += 1
        while end > start and self.s[end - 1].isspace():
            end -= 1
        if start == end:
            raise self.fail("matrix_empty_entry", start)
        if end - start > MAX_ENTRY_CHARS and self.s[start] not in "[(":
            raise self.fail("matrix_entry_too_long", start, limit=MAX_ENTRY_CHARS)
        return start, end

    def _add(self, row: list[tuple[int, int]], start: int, end: int) -> None:
        row.append(self._checked(start, end))
        self.count += 1
        if self.count > MAX_ENTRIES or len(row) > MAX_COLUMNS:
            raise self.fail("matrix_too_large", start, rows=MAX_ROWS, columns=MAX_COLUMNS,
                            entries=MAX_ENTRIES)

    def _new_row(self, rows: list[list[tuple[int, int]]], pos: int) -> None:
        rows.append([])
        if len(rows) > MAX_ROWS:
            raise self.fail("matrix_too_large", pos, rows=MAX_ROWS, columns=MAX_COLUMNS,
                            entries=MAX_ENTRIES)

    def _check_rows(self, rows: list[list[tuple[int, int]]], starts: list[int]) -> None:
        width = len(rows[0])
        total = sum(len(r) for r in rows)
        if width > MAX_COLUMNS or total > MAX_ENTRIES:
            raise self.fail("matrix_too_large", starts[0], rows=MAX_ROWS, columns=MAX_COLUMNS,
                            entries=MAX_ENTRIES)
        for k, row in enumerate(rows[1:], start=2):
            if len(row) != width:
                raise self.fail("matrix_ragged", starts[k - 1], row=k, got=len(row),
                                expected=width)

    def _matching(self, start: int) -> int:
        """The offset after the bracket that closes the one at ``start`` (or the end)."""
        depth = 0
        for k in range(start, self.end):
            ch = self.s[k]
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
                if depth == 0:
                    return k + 1
        return self.end

    def _comma_inside(self, start: int) -> bool:
        """Whether the round bracket at ``start`` holds a list (a comma at its top level)."""
        depth = 0
        for k in range(start, self._matching(start)):
            ch = self.s[k]
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            elif ch == "," and depth == 1:
                return True
        return False

    def _first_item_is_list(self, start: int) -> bool:
        k = start
        while k < self.end and self.s[k].isspace():
            k += 1
        return k < self.end and (self.s[k] == "[" or (self.s[k] == "(" and
                                                      self._comma_inside(k)))

    def _transpose(self) -> bool:
        self.skip()
        if self.i >= self.end:
            return False
        if self.s[self.i] in TRANSPOSE_SIGNS:
            self.i += 1
            return True
        for pattern in (CARET_TRANSPOSE, DOT_TRANSPOSE):
            m = pattern.match(self.s, self.i, self.end)
            if m is not None:
                self.i = m.end()
                return True
        return False


def _transposed(rows: list[list[tuple[int, int]]], shape: tuple[int, ...]
                ) -> tuple[list[list[tuple[int, int]]], tuple[int, ...]]:
    """The rows of the transposed matrix; a vector transposed is a column."""
    if len(shape) == 1:
        return [[span] for span in rows[0]], (shape[0], 1)
    return [list(column) for column in zip(*rows, strict=True)], (shape[1], shape[0])
