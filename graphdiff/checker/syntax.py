"""The students' notation as a syntax of :func:`graphdiff.parse`: ``syntax="student"``.

The checker's reader (:func:`~graphdiff.checker.answers.read_answer`) reads what students
and lecturers write -- ``2x``, ``x y``, ``x²``, ``σ(x)``, ``ln x``, ``tg x``, Unicode and
LaTeX -- into graphdiff's own text.  Registered here, the library's parser reads the same
notation with the same messages: one reader for both.  A program is read line by line
(``name = formula``, shape headers ``X: 2x3`` kept as they are).

>>> import graphdiff as gd
>>> gd.parse("2x² + σ(x y) + ln x", syntax="student").to_sympy()
2*x**2 + log(x) + 1/(1 + exp(-x*y))
>>> g = gd.parse("a = 2x\\nb = a sin x", syntax="student")
>>> [(g.name(n), g.formula(n)) for n in g.order if g.kind(n) == "op"]
[('a', '2*x'), ('w3', 'sin(x)'), ('b', 'a*w3')]
>>> gd.parse("x +* y", syntax="student")
Traceback (most recent call last):
...
graphdiff.errors.ParseError: line 1, column 4: expected a number, a name, a function or '(' here...
"""

from __future__ import annotations

import re

from ..errors import ParseError
from ..parse import register_syntax
from .answers import read_answer
from .student.lexer import AnswerError

#: ``name = formula`` on one line (``==`` is no assignment).
_ASSIGNMENT = re.compile(r"^(\s*)([A-Za-z_]\w*)(\s*=)(?!=)")
#: A shape header ``X: 2x3``, read by the parser itself.
_HEADER = re.compile(r"^\s*([A-Za-z_]\w*)\s*:\s*([0-9][0-9\sx×]*)$")


def student_text(text: str) -> str:
    """Text in the students' notation as graphdiff's own, line by line.

    >>> student_text("y = 2x + x²\\n3y")
    'y = 2*x + x^2\\n3*y'

    Raises
    ------
    ParseError
        Code ``notation_error``, with the reader's message (in every language the
        checker speaks, through the code's catalogue entry) and the line and column in
        ``text``.
    """
    out = []
    shapes: dict[str, tuple[int, ...]] = {}  # declared (X: 2x3) and assigned matrices
    for number, line in enumerate(text.split("\n"), start=1):
        header = _HEADER.match(line)
        if header:
            sizes = tuple(int(k) for k in re.findall(r"[0-9]+", header.group(2)))
            shapes[header.group(1)] = sizes
        if not line.strip() or header:
            out.append(line)
            continue
        match = _ASSIGNMENT.match(line)
        offset = match.end() if match else 0
        try:
            reading = read_answer(line[offset:], shapes=shapes or None)
            if match and reading.shape:
                shapes[match.group(2)] = tuple(reading.shape)
        except AnswerError as err:
            column = None if err.column is None else err.column + offset
            raise ParseError(err.message.render("en"), code="notation_error",
                             params={"reason": err.message}, line=number, column=column,
                             source=text) from None
        out.append(line[:offset] + " " + reading.expression if match else reading.expression)
    return "\n".join(out)


register_syntax("student", student_text)
