"""The exceptions graphdiff raises.

Every error graphdiff raises on purpose derives from :class:`GraphdiffError`, so a
front end can catch one class and show the message, never a traceback.

>>> import graphdiff as gd
>>> try:
...     gd.parse("x +* 2")
... except gd.GraphdiffError as err:
...     print(type(err).__name__, err.line, err.column)
ParseError 1 4
"""

from __future__ import annotations

from .notation import caret_excerpt


class GraphdiffError(Exception):
    """Base class of every error graphdiff raises on purpose.

    >>> import graphdiff as gd
    >>> issubclass(gd.ParseError, GraphdiffError), issubclass(gd.DomainError, GraphdiffError)
    (True, True)
    """


class ParseError(GraphdiffError, ValueError):
    """Text that graphdiff cannot read, with the position and what was expected.

    Attributes
    ----------
    reason : str
        What is wrong, in one line (``"unknown function 'foo'"``).
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
    ...     print(err.reason, "|", err.expected)
    ...     print(err.excerpt)
    the expression ends too early | a number, a name, a function call or a parenthesized expression
      y = x +
             ^
    """

    def __init__(
        self,
        reason: str,
        *,
        line: int | None = None,
        column: int | None = None,
        expected: str | None = None,
        source: str | None = None,
    ) -> None:
        self.reason = reason
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
    ...     print(err.reason)
    exponent 387420489 is too large
    """


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
    ...     print(err.node, "|", err.expression)
    w3 | w3 = log(w2)
    """

    def __init__(self, message: str, *, node: str, expression: str) -> None:
        self.node = node
        self.expression = expression
        super().__init__(message)


class ShapeError(GraphdiffError, ValueError):
    """Operands whose shapes do not fit together; the message names both shapes.

    Reserved for tensor-valued nodes (``shape`` in the graph schema).

    >>> str(ShapeError("cannot multiply (2, 3) by (2, 3)"))
    'cannot multiply (2, 3) by (2, 3)'
    """


class TraceError(GraphdiffError, TypeError):
    """A Python function did something that cannot be traced into a graph.

    >>> import math, graphdiff as gd
    >>> try:
    ...     gd.trace(lambda x: math.sin(x))
    ... except TraceError as err:
    ...     print(str(err)[:40])
    a traced value has no number yet: use gr
    """
