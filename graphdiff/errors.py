"""The exceptions graphdiff raises, and the stable codes they carry.

Every error graphdiff raises on purpose derives from :class:`GraphdiffError`, so a
front end can catch one class and show the message, never a traceback.

>>> import graphdiff as gd
>>> try:
...     gd.parse("x +* 2")
... except gd.GraphdiffError as err:
...     print(type(err).__name__, err.line, err.column, err.code)
ParseError 1 4 misplaced_operator

Besides its English message, every error has a machine-readable :attr:`~GraphdiffError.code`
and the :attr:`~GraphdiffError.params` its message is built from, so a front end (the
homework checker, a web page) can show it in its own words and language without reading
the English text.  The codes form the closed set :data:`CODES`; ``docs/parsing.md`` lists
them.

>>> try:
...     gd.parse("foo(x)")
... except gd.ParseError as err:
...     print(err.code, err.params["name"])
unknown_function foo
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .notation import caret_excerpt


@dataclass(frozen=True)
class ErrorCode:
    """One documented error code: its name, the parameters it carries, what it means.

    >>> CODES["unknown_function"].params
    ('name', 'known')
    """

    name: str
    params: tuple[str, ...]
    meaning: str


def _codes(*codes: ErrorCode) -> Mapping[str, ErrorCode]:
    return {c.name: c for c in codes}


#: Every code a core error can carry, by name.  A code's meaning and parameters never
#: change once published; a new situation gets a new code.
CODES: Mapping[str, ErrorCode] = _codes(
    # --- the class defaults (any error raised without a more precise code) ----------------
    ErrorCode("error", ("reason",), "any other error; reason is the English message"),
    ErrorCode("syntax_error", ("reason",), "text that is not an expression (Python's "
              "parser's own explanation)"),
    ErrorCode("limit", ("reason",), "an input over some limit"),
    ErrorCode("domain", ("reason", "node", "expression"), "a node evaluated outside its "
              "domain"),
    ErrorCode("shape", ("reason",), "operands whose shapes do not fit together"),
    ErrorCode("trace", ("reason",), "a Python function that cannot be traced"),
    # --- the text as a whole ------------------------------------------------------------
    ErrorCode("not_text", ("type",), "the input is not a str"),
    ErrorCode("empty", (), "the input is empty"),
    ErrorCode("too_long", ("length", "limit"), "more characters than Limits.max_chars"),
    ErrorCode("control_character", ("char",), "a control character (shown as U+XXXX)"),
    ErrorCode("unexpected_character", ("char",), "a character that is not part of the "
              "syntax (U+200B, ², a lone surrogate, ...)"),
    ErrorCode("too_deep", ("limit",), "nesting deeper than Limits.max_depth"),
    ErrorCode("too_complex", (), "nesting or chaining beyond what Python's parser "
              "accepts, whatever the limits"),
    ErrorCode("too_many_nodes", ("limit",), "more syntax nodes than Limits.max_nodes"),
    ErrorCode("too_many_lines", ("count", "limit"), "more statements than "
              "Limits.max_lines"),
    # --- syntax -------------------------------------------------------------------------
    ErrorCode("expected_closing", ("opening", "closing"), "a bracket that is never closed"),
    ErrorCode("unmatched_closing", ("closing",), "a closing bracket with no opening one"),
    ErrorCode("mismatched_brackets", ("opening", "closing"), "a closing bracket of another "
              "kind than the opening one"),
    ErrorCode("ends_early", (), "the text ends where an operand is needed"),
    ErrorCode("misplaced_operator", ("text",), "an operator where an operand is needed"),
    ErrorCode("missing_operator", (), "two operands in a row (2 x, 2x with no *)"),
    ErrorCode("misplaced_equals", (), "an '=' that is not an assignment"),
    ErrorCode("keyword_as_name", ("name",), "a Python keyword (lambda, for, if, ...) "
              "written as a name"),
    ErrorCode("notation_error", ("reason",), "text in another syntax (syntax=\"student\") "
              "that its reader cannot read; the reason is that reader's message"),
    # --- numbers --------------------------------------------------------------------------
    ErrorCode("number_too_long", ("digits", "limit"), "a number (literal or folded) with "
              "more digits than Limits.max_constant_digits"),
    ErrorCode("number_too_large", ("text",), "a number beyond floating-point range "
              "(about 1.8e308)"),
    ErrorCode("number_too_small", ("text",), "a non-zero number that rounds to 0 in "
              "floating point (below about 5e-324)"),
    ErrorCode("exponent_too_large", ("exponent", "limit"), "a constant exponent over "
              "Limits.max_exponent"),
    ErrorCode("constant_power_too_large", ("limit",), "a constant power whose value would "
              "have more digits than Limits.max_constant_digits"),
    ErrorCode("constant_domain", ("expression", "reason"), "constants outside an op's "
              "domain (x/0, log(0)); reason is the English explanation"),
    ErrorCode("non_numeric_constant", ("text",), "a string, True, None, a complex number"),
    # --- names, calls, operators ------------------------------------------------------------
    ErrorCode("private_name", ("name",), "a name starting with '_'"),
    ErrorCode("reserved_name", ("name",), "a function or constant name assigned to"),
    ErrorCode("function_as_value", ("name",), "a function name used without a call"),
    ErrorCode("unknown_function", ("name", "known"), "a call of a function the op table "
              "does not have"),
    ErrorCode("call_not_name", (), "a call of something that is not a plain name"),
    ErrorCode("attribute", ("name",), "attribute access (x.real)"),
    ErrorCode("wrong_arity", ("name", "expected", "got"), "a call with the wrong number "
              "of arguments"),
    ErrorCode("keyword_argument", ("name",), "a keyword argument in a call"),
    ErrorCode("starred_argument", (), "a starred argument in a call"),
    ErrorCode("unsupported_operator", ("symbol",), "an operator other than + - * / ** ^"),
    ErrorCode("not_allowed", ("construct", "text"), "a construct outside the whitelist "
              "(lambda, comparison, list, ...); construct is its English description, "
              "text a bounded excerpt"),
    # --- programs -------------------------------------------------------------------------
    ErrorCode("statement_not_allowed", ("statement",), "a statement other than an "
              "assignment (import, def, for, ...)"),
    ErrorCode("multiple_assignment", (), "a = b = x or a, b = x, y"),
    ErrorCode("unused_expression", (), "an expression line that is not the last"),
    ErrorCode("assigned_twice", ("name", "first", "second"), "a name assigned on two "
              "lines"),
    ErrorCode("assigned_after_use", ("name", "line"), "a name used as an input, then "
              "assigned"),
    ErrorCode("unknown_output", ("name",), "outputs= names a name the program does not "
              "assign"),
    # --- shapes ---------------------------------------------------------------------------
    ErrorCode("shape_declaration", ("text",), "a header line name: shape that declares no "
              "shape (X: 2x3 is one), or comes after the first assignment, or twice"),
    ErrorCode("shape_too_large", ("shape", "limit"), "a declared shape over Limits.max_rank "
              "or Limits.max_entries"),
    ErrorCode("declared_not_input", ("name",), "a name declared with a shape that the "
              "program assigns, or never uses"),
)

#: The longest excerpt of the input an error message quotes.
EXCERPT_CHARS = 40


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` itself if short, else its start and end around an ellipsis.

    Messages quote what they refuse, but a 400-digit constant quoted in full would bury
    the message.

    >>> excerpt("12345")
    '12345'
    >>> excerpt("1" * 400)
    '1111111111111111111…1111111111111111111'
    """
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return text[:half] + "…" + text[-half:]


class GraphdiffError(Exception):
    """Base class of every error graphdiff raises on purpose.

    Attributes
    ----------
    code : str
        A key of :data:`CODES`; the class's default unless the raiser gave a precise one.
    params : dict
        The values the message is built from (the keys :data:`CODES` lists for the code).

    >>> import graphdiff as gd
    >>> issubclass(gd.ParseError, GraphdiffError), issubclass(gd.DomainError, GraphdiffError)
    (True, True)
    >>> err = GraphdiffError("no node named 'q'")
    >>> err.code, err.params
    ('error', {'reason': "no node named 'q'"})
    """

    code: str = "error"

    @property
    def params(self) -> dict[str, Any]:
        given = getattr(self, "_params", None)
        return dict(given) if given is not None else {"reason": str(self)}


class ParseError(GraphdiffError, ValueError):
    """Text that graphdiff cannot read, with the position and what was expected.

    Attributes
    ----------
    reason : str
        What is wrong, in one line (``"unknown function 'foo'"``).
    code, params :
        The same, machine-readable: ``"unknown_function"``, ``{"name": "foo", ...}``
        (see :data:`CODES`).
    line, column : int or None
        1-based position of the offending character.
    expected : str or None
        What would have been accepted there.
    excerpt : str
        The offending source line with a caret under the position.

    >>> import graphdiff as gd
    >>> try:
    ...     gd.parse("y = x +")
    ... except ParseError as err:
    ...     print(err.reason, "|", err.expected, "|", err.code)
    ...     print(err.excerpt)
    the expression ends too early | a number, a name, a function call or a parenthesized
    expression | ends_early
      y = x +
             ^
    """

    code: str = "syntax_error"

    def __init__(
        self,
        reason: str,
        *,
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
        line: int | None = None,
        column: int | None = None,
        expected: str | None = None,
        source: str | None = None,
    ) -> None:
        self.reason = reason
        if code is not None:
            self.code = code
        self._params = dict(params) if params is not None else {"reason": reason}
        self.line = line
        self.column = column
        self.expected = expected
        self.excerpt = caret_excerpt(source, line, column)
        super().__init__(self._message())

    def _message(self) -> str:
        where = ""
        if self.line is not None:
            where = f"line {self.line}, column {self.column}: "
        text = where + self.reason
        if self.expected:
            text += f"; expected {self.expected}"
        if self.excerpt:
            text += "\n" + self.excerpt
        return text


class LimitError(ParseError):
    """Input refused because it exceeds a size, depth, exponent or time limit.

    The message names the limit and how to raise it for trusted input.

    >>> import graphdiff as gd
    >>> try:
    ...     gd.parse("9**9**9**9")
    ... except LimitError as err:
    ...     print(err.reason, "|", err.code, err.params)
    exponent 387420489 is too large | exponent_too_large {'exponent': '387420489', 'limit': '1000'}
    """

    code: str = "limit"


class DomainError(GraphdiffError, ArithmeticError):
    """A node was evaluated outside its domain (``log`` of a negative number, ...).

    Attributes
    ----------
    node : str
        The display name of the node (``"w3"``).
    expression : str
        The node's own operation, such as ``"w3 = log(w2)"``.

    >>> import graphdiff as gd
    >>> try:
    ...     gd.parse("log(x - 1)").evaluate(x=0.5)
    ... except DomainError as err:
    ...     print(err.node, "|", err.expression, "|", err.code)
    w3 | w3 = log(w2) | domain
    """

    code: str = "domain"

    def __init__(self, message: str, *, node: str, expression: str) -> None:
        self.node = node
        self.expression = expression
        self._params = {"reason": message, "node": node, "expression": expression}
        super().__init__(message)


class ShapeError(GraphdiffError, ValueError):
    """Operands whose shapes do not fit together, found when the graph is built.

    The message names the node (its formula, or the text it was written as), the op and
    both shapes, then the reason; in parsed text it starts with the line and column and
    ends with a caret excerpt.

    Attributes
    ----------
    expression : str or None
        The node as written (``"X @ W"``).
    op : str or None
        The op's name (``"matmul"``).
    shapes : tuple or None
        The shapes of the operands, in order.
    detail : str
        The reason alone (``"inner sizes 3 and 2 differ"``).
    line, column : int or None
        Where the node is, in parsed text.
    excerpt : str
        The line with a caret under the node (empty outside parsed text).

    >>> import graphdiff as gd
    >>> try:
    ...     gd.parse("X @ W", shapes={"X": (2, 3), "W": (2, 3)})
    ... except ShapeError as err:
    ...     print(err.detail, "|", err.op, err.shapes, "|", err.code)
    ...     print(str(err).splitlines()[0])
    inner sizes 3 and 2 differ | matmul ((2, 3), (2, 3)) | shape
    line 1, column 1: X @ W: (2, 3) @ (2, 3) — inner sizes 3 and 2 differ
    >>> str(ShapeError("cannot multiply (2, 3) by (2, 3)"))
    'cannot multiply (2, 3) by (2, 3)'
    """

    code: str = "shape"

    def __init__(self, detail: str, *, expression: str | None = None, op: str | None = None,
                 shapes: tuple[tuple[int, ...], ...] | None = None,
                 operands: str | None = None, line: int | None = None,
                 column: int | None = None, source: str | None = None) -> None:
        self.detail = detail
        self.expression = expression
        self.op = op
        self.shapes = shapes
        self.operands = operands
        self.line = line
        self.column = column
        self.source = source
        self.excerpt = caret_excerpt(source, line, column)
        message = detail
        if expression is not None:
            message = f"{expression}: {operands} — {detail}" if operands else \
                f"{expression}: {detail}"
        if line is not None:
            message = f"line {line}, column {column}: {message}"
        if self.excerpt:
            message += "\n" + self.excerpt
        self._params = {"reason": message}
        super().__init__(message)

    def at(self, *, expression: str, line: int, column: int, source: str) -> ShapeError:
        """The same error, located in parsed text (the parser's view of the node).

        >>> err = ShapeError("inner sizes 3 and 2 differ", expression="w3", op="matmul",
        ...                  shapes=((2, 3), (2, 3)), operands="(2, 3) @ (2, 3)")
        >>> str(err.at(expression="X @ W", line=1, column=1, source="X @ W")).splitlines()
        ['line 1, column 1: X @ W: (2, 3) @ (2, 3) — inner sizes 3 and 2 differ', '  X @ W', '  ^']
        """
        return ShapeError(self.detail, expression=expression, op=self.op, shapes=self.shapes,
                          operands=self.operands, line=line, column=column, source=source)


class TraceError(GraphdiffError, TypeError):
    """A Python function did something that cannot be traced into a graph.

    >>> import math, graphdiff as gd
    >>> try:
    ...     gd.trace(lambda x: math.sin(x))
    ... except TraceError as err:
    ...     print(str(err)[:40], "|", err.code)
    a traced value has no number yet: use gr | trace
    """

    code: str = "trace"
