"""Student answers as students write them, read into plain graphdiff expression text.

Students write ``2x + y + 2(x+y)``, ``e^x(x+1)``, ``σ(z)(1-σ(z))``, ``\\frac{1}{1+e^{-z}}``
or ``sin x^2``.  This module reads that with its own small tokenizer and parser (bounded
in length and depth, no recursion beyond the nesting limit), and prints the result as
plain graphdiff text such as ``2*x + y + 2*(x + y)``, which is then parsed by
:func:`graphdiff.parse` with strict limits.  Nothing is ever ``eval``-ed or
``sympify``-ed, and no LaTeX command is ever run: LaTeX is only *read*, through a
whitelist.

How the answer was read is kept (:attr:`Reading.expression`), and ambiguous input is
accepted with a warning that says how it was read:

>>> r = read_answer("2x + y + 2(x+y)", names=["x", "y"])
>>> r.expression
'2*x + y + 2*(x + y)'
>>> r = read_answer("e^x(x+1)", names=["x"])
>>> r.expression
'exp(x)*(x + 1)'
>>> print(r.warnings[0].render())
'e^x(x+1)' was read as exp(x)*(x+1); write exp(x*(x+1)) if you meant that
>>> read_answer(r"\\sigma(z)\\left(1-\\sigma(z)\\right)", names=["z"]).expression
'sigmoid(z)*(1 - sigmoid(z))'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import printing
from ..errors import ParseError, ShapeError
from ..graph import Graph
from ..parse import parse
from .messages import Message
from .student.lexer import (
    MAX_CHARS,
    MAX_CONSTANT,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_SPLIT,
    TRANSLATED_LIMITS,
    AnswerError,
    Lexer,
    error_at,
)
from .student.parser import Parser, Printer
from .student.reader import Reader, check_constants
from .student.shapes import resolve_shapes
from .student.vocabulary import LATEX_REFUSED, function_words, known_functions

__all__ = [
    "LATEX_REFUSED", "MAX_CHARS", "MAX_CONSTANT", "MAX_DEPTH", "MAX_DIGITS", "MAX_SPLIT",
    "TRANSLATED_LIMITS", "AnswerError", "Reading", "core_message", "function_words",
    "graph_text", "known_functions", "read_answer",
]


@dataclass(frozen=True)
class Reading:
    """How an answer was read.

    Attributes
    ----------
    original : str
        The answer as typed.
    expression : str
        Plain graphdiff text (``2*x + y + 2*(x + y)``): exactly what is graded.
    warnings : tuple of Message
        Ambiguities resolved one way (``1/2x`` read as ``(1/2)*x``).
    notes : tuple of Message
        Other remarks on the reading (``σ'(z)`` expanded, the part after ``=``).
    names : tuple of str
        The variables and node names the answer uses.
    shapes : tuple of (str, tuple)
        The shapes of the matrices among them (for :meth:`graph`).
    shape : tuple
        The shape of the answer (``()``: a number).

    >>> r = read_answer("1/2x", names=["x"])
    >>> r.original, r.expression, r.names
    ('1/2x', '1/2*x', ('x',))
    >>> print(r.warnings[0].render())
    '1/2x' was read as (1/2)*x; write 1/(2*x) if you meant that
    >>> print(read_answer("y = 2x + 3", names=["x"]).notes[0].render())
    only the part after the last '=' was graded
    """

    original: str
    expression: str
    warnings: tuple[Message, ...] = ()
    notes: tuple[Message, ...] = ()
    names: tuple[str, ...] = ()
    offsets: tuple[int, ...] = field(default=(), repr=False, compare=False)
    shapes: tuple[tuple[str, tuple[int, ...]], ...] = ()
    shape: tuple[int, ...] = ()

    def graph(self) -> Graph:
        """The answer as a :class:`~graphdiff.Graph` (parsed with strict limits).

        Raises :class:`AnswerError` (with the position in the answer as typed) when the
        core parser refuses the text, e.g. for an exponent over the limit.
        """
        try:
            return parse(self.expression, limits=TRANSLATED_LIMITS,
                         shapes=dict(self.shapes) or None)
        except (ParseError, ShapeError) as err:
            raise self._coreerror_at(err) from None
        except (ValueError, TypeError, ArithmeticError):  # the core failed on it: no crash
            raise AnswerError(Message("answer_not_built")) from None

    def _coreerror_at(self, err: ParseError | ShapeError) -> AnswerError:
        pos = None
        if err.column is not None and self.offsets:
            index = min(max(err.column - 1, 0), len(self.offsets) - 1)
            pos = self.offsets[index]
        return error_at(core_message(err), self.original, pos)



def graph_text(graph: Graph) -> str:
    """A graph's output as answer syntax (``max(x, y)``, ``step(x)``, ``exp(1)``), so that
    :func:`read_answer` reads it back as the same function (the printer's answer style).

    >>> import graphdiff as gd
    >>> graph_text(gd.parse("2*max(x, y)*step(x - y) + exp(1) - x/(2*y)^-3"))
    '2*max(x, y)*step(x - y) + exp(1) - x/(2*y)^(-3)'
    """
    return printing.graph_text(graph, style="answer")


def core_message(err: ParseError | ShapeError) -> Message:
    """A :class:`Message` for an error of the core parser, looked up by its code.

    Every code of :data:`graphdiff.errors.CODES` has an entry in the message catalogue,
    so the message is shown in the reader's language.

    >>> import graphdiff as gd
    >>> try:
    ...     gd.parse("2^100000")
    ... except ParseError as err:
    ...     message = core_message(err)
    >>> message.code, message.render()
    ('exponent_too_large', 'the exponent 100000 is too large (at most 1000)')
    >>> try:
    ...     gd.parse("log(0)")
    ... except ParseError as err:
    ...     print(core_message(err).render("ru"))
    выражение log(0) не имеет действительного значения
    """
    # Codes about the size of the text the core parsed: that is the answer translated
    # (with added * and brackets), so their numbers would not be what the student typed.
    if err.code in ("too_long", "too_deep", "too_complex", "too_many_nodes",
                    "too_many_lines", "number_too_long", "constant_power_too_large"):
        return Message("expression_too_large")
    return Message(err.code, err.params)



# --- reading ---------------------------------------------------------------------------------


def _strip_delimiters(text: str) -> tuple[int, int]:
    """Start and end offsets of the formula inside ``$...$``, ``\\(...\\)`` and the like."""
    start, end = 0, len(text)
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".;"):
        end -= 1
    for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if text.startswith(left, start) and text.endswith(right, 0, end) and \
                end - start >= len(left) + len(right):
            start += len(left)
            end -= len(right)
            break
    return start, end


_LATEX_COMMAND = re.compile(r"\\([A-Za-z@]+)")
#: Characters that cannot be part of a label such as df/dx = or \frac{∂L}{∂w_1} =.
_LEFT_SIDE_BAD = re.compile(r"[^\w\s∂'′/(){}\[\]^\\,.*·+\-|=≈$:]")
#: ... nor look like code: a dunder or a quoted string.
_LEFT_SIDE_CODE = re.compile(r"__|'[^']+'")


def _after_equals(text: str, start: int, end: int) -> int:
    """Offset after the last top-level '=' (or ≈, \\approx), or ``start``; the ``=`` of
    ``>=`` and ``<=`` (an Iverson bracket's comparison) is not one."""
    cut = start
    for m in re.finditer(r"(?<![<>])=|≈|\\approx\b|\\simeq\b", text[start:end]):
        cut = start + m.end()
    return cut


def _refuse_before_reading(text: Any, max_chars: int) -> None:
    """What is refused before any reading: not text, too long, control characters, TeX
    commands that could run code."""
    if not isinstance(text, str):
        raise AnswerError(Message("not_text", {"type": type(text).__name__}))
    if len(text) > max_chars:
        raise AnswerError(Message("too_long", {"length": f"{len(text):,}",
                                               "limit": f"{max_chars:,}"}))
    for pos, ch in enumerate(text):
        if (ord(ch) < 32 and ch not in "\n\t\r") or 0x7f <= ord(ch) < 0xa0:
            raise error_at(Message("control_character", {"char": repr(ch)}), text, pos)
    for m in _LATEX_COMMAND.finditer(text):
        if m.group(1) in LATEX_REFUSED or m.group(1).startswith(("write", "input")):
            raise error_at(Message("latex_refused", {"command": m.group(1)}), text, m.start())


def _formula_span(text: str, reader: Reader) -> tuple[int, int]:
    """Where the formula is: inside math delimiters, after the last ``=`` of a label such
    as ``df/dx =`` (with a note), refusing a left side that looks like code."""
    start, end = _strip_delimiters(text)
    cut = _after_equals(text, start, end)
    if cut == start:
        return start, end
    bad = _LEFT_SIDE_BAD.search(text, start, cut) or _LEFT_SIDE_CODE.search(text, start, cut)
    if bad:
        raise error_at(Message("unexpected_character", {"char": bad.group(0)}), text,
                       bad.start())
    reader.note("read_after_equals")
    inner_start, inner_end = _strip_delimiters(text[cut:end])
    return cut + inner_start, cut + inner_end


def _check_bracket_depth(text: str, start: int, end: int) -> None:
    """Brackets nested deeper than MAX_DEPTH are refused before tokenising."""
    depth = 0
    for pos in range(start, end):
        ch = text[pos]
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise error_at(Message("too_deep", {"limit": MAX_DEPTH}), text, pos)
        elif ch in ")]}":
            depth = max(0, depth - 1)


def read_answer(
    text: Any,
    names: Iterable[str] | None = None,
    *,
    functions: Mapping[str, str] | None = None,
    max_chars: int = MAX_CHARS,
    shapes: Mapping[str, Sequence[int]] | None = None,
) -> Reading:
    """Read a student's answer into plain graphdiff text.

    Parameters
    ----------
    text : str
        The answer as typed: Python syntax, ``^``, implicit multiplication, common
        function names, Unicode (``σ``, ``·``, ``²``) or LaTeX.
    names : iterable of str, optional
        The variables and node names the answer may use.  With names given, a word
        like ``xy`` is split into known names (``x*y``, with a warning) and unknown
        names are refused; without, every word that is not a function is a variable.
        ``e`` is Euler's number unless it is one of the names.
    functions : mapping, optional
        Extra function words, such as ``{"f": "sigmoid"}`` for a problem that calls its
        activation f.
    max_chars : int
        Longest accepted answer.
    shapes : mapping, optional
        Shapes of the names that are matrices (``{"W": (2, 3)}``; the others are numbers).
        With a matrix among them the answer is about matrices: ``@``, ``⊙``, ``^T``,
        ``.T``, ``ᵀ`` are read, the products are decided by the shapes (see
        :mod:`graphdiff.checker.student.shapes`) and :attr:`Reading.shape` is the
        answer's.

    Raises
    ------
    AnswerError
        With a :class:`Message` and the line and column in the answer as typed.

    Examples
    --------
    >>> read_answer("2 sin(x) + x y", names=["x", "y"]).expression
    '2*sin(x) + x*y'
    >>> read_answer(r"\\frac{e^{-z}}{(1+e^{-z})^2}", names=["z"]).expression
    'exp(-z)/(1 + exp(-z))^2'
    >>> read_answer("df/dx = 4x + 3y", names=["x", "y"]).expression
    '4*x + 3*y'
    >>> read_answer("G W^T", names=["G", "W"], shapes={"G": (2, 3), "W": (2, 3)}).expression
    'G @ W.T'
    >>> read_answer("__import__('os')", names=["x"])
    Traceback (most recent call last):
    ...
    graphdiff.checker.student.lexer.AnswerError: line 1, column 1: unexpected character '_'
    ...
    """
    _refuse_before_reading(text, max_chars)
    reader = Reader(list(names) if names is not None else None, functions or {}, shapes)
    start, end = _formula_span(text, reader)
    _check_bracket_depth(text, start, end)
    tokens = Lexer(text, start, end, reader).run()
    tree = Parser(tokens, text, reader).parse()
    shape = resolve_shapes(tree, reader.shapes, text, reader) if reader.matrix else ()
    check_constants(tree, text)
    printer = Printer()
    printer.print(tree)
    return Reading(
        original=text, expression=printer.text(), warnings=tuple(reader.warnings),
        notes=tuple(reader.notes), names=tuple(reader.used), offsets=tuple(printer.offsets),
        shapes=tuple((n, reader.shapes[n]) for n in reader.used if reader.shapes.get(n)),
        shape=shape,
    )



