"""Safe parsing of expressions and small programs into a computation graph.

Text is read line by line -- plain lines by a small reader of their own, every other line
with :mod:`ast` -- and converted through a whitelist: numbers, names, ``+ - * / **`` (``^``
also means power), unary minus, and calls of the functions in the op table (plus ``pi``).
Nothing is ever ``eval``-ed or ``sympify``-ed.  Sizes are bounded by :class:`Limits`
*before* anything expensive runs, so hostile input is refused quickly with a
:class:`~graphdiff.LimitError`; a 10⁵-line program or a sum of 10⁵ terms is read in
linear time, with no tree of the whole text and no recursion.

A program is several assignments; their names become node names and the last one is
the output (or pass ``outputs=``).  Inputs are scalars unless declared with a shape: by
``shapes={"X": (2, 3)}`` or by header lines ``X: 2x3`` before the first assignment
(``X.T`` transposes, ``@`` multiplies matrices):

>>> import graphdiff as gd
>>> m = gd.parse("X: 4x2\\nW: 2x3\\nb: 3\\nH = X @ W + b\\nL = sum(H.T)")
>>> [(m.name(n), m.shape(n)) for n in m.order if m.kind(n) == "input"]
[('X', (4, 2)), ('W', (2, 3)), ('b', (3,))]

>>> import graphdiff as gd
>>> g = gd.parse('''
... z = x*w + b
... h = sigmoid(z)
... L = 0.5*(h - y)^2
... ''')
>>> g.inputs, g.outputs
(('x', 'w', 'b', 'y'), ('L',))
>>> g.edge_derivative("z", "h")
h*(1 - h)

The stages, one module each, in the order :func:`parse` runs them: :mod:`.text` (raw text
checks), :mod:`.declarations` (shapes), then :mod:`.converter` reads the statements -- plain
lines with :mod:`.quick`, the others with :mod:`.python` -- and converts their expressions
with :mod:`.expressions`; :mod:`.limits` and :mod:`.grammar` are what they share.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ..errors import GraphdiffError
from ..graph import Graph
from .converter import _Converter
from .declarations import _shape_header, _with_given_shapes
from .grammar import CONSTANTS
from .limits import DEFAULT_LIMITS, Limits
from .text import _caret_to_power, _check_text

__all__ = ["CONSTANTS", "DEFAULT_LIMITS", "SYNTAXES", "Limits", "parse", "register_syntax"]

#: Other notations :func:`parse` reads (``syntax=``): name -> a translator of such text into
#: graphdiff's own, raising :class:`ParseError` with positions in the text as given.  The
#: layer that knows a notation registers it (the checker registers ``"student"``, its
#: reader of students' answers), so the core needs no import from above.
SYNTAXES: dict[str, Callable[[str], str]] = {}


def register_syntax(name: str, translate: Callable[[str], str]) -> None:
    """Make ``parse(text, syntax=name)`` read text through ``translate``.

    >>> register_syntax("shout", str.lower)
    >>> parse("SIN(X)", syntax="shout").to_sympy()
    sin(x)
    >>> del SYNTAXES["shout"]
    """
    SYNTAXES[name] = translate


def parse(
    text: str,
    *,
    outputs: Sequence[str] | None = None,
    inputs: Sequence[str] | None = None,
    naming: str = "w",
    order: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    shapes: Mapping[str, Sequence[int]] | None = None,
    syntax: str = "python",
) -> Graph:
    """Parse an expression or a program into a :class:`~graphdiff.Graph`.

    Parameters
    ----------
    text : str
        ``"x**2 + x*y + (x+y)**2"`` or several lines of ``name = expression``.
    outputs : sequence of str, optional
        Names of a program's outputs (default: the last statement).
    inputs : sequence of str, optional
        Order of the inputs (default: order of first appearance); names listed here
        but absent from the text become unused inputs.
    naming : {"w", "letters"}
        Generated names of unnamed nodes: ``w3, w4, ...`` (inputs count first, as in
        seed 003) or ``a, b, c, ...`` (as in seed 004).
    order : {"level", "source"}, optional
        Node numbering: by distance from the inputs (the seeds' numbering; default
        for a single expression) or in the order written (default for programs).
    limits : Limits
        Size bounds; see :class:`Limits`.
    shapes : mapping, optional
        Shapes of inputs (``{"X": (2, 3), "b": (3,)}``); the text may declare them too,
        in header lines ``X: 2x3`` before the first assignment.  Undeclared inputs are
        scalars.
    syntax : str
        ``"python"`` (the default: Python's arithmetic, ``^`` for powers) or ``"student"``:
        the notation the homework checker reads -- implicit products (``2x``, ``x y``),
        superscripts (``x²``), ``σ(x)``, ``ln x``, ``tg``, Unicode and LaTeX -- with the
        checker's error messages.  See :data:`SYNTAXES`.

    Raises
    ------
    ParseError
        With the line, column, a caret excerpt and what was expected.
    LimitError
        When the text exceeds ``limits``.
    ShapeError
        When operands' shapes do not fit (``X @ W`` with inner sizes that differ), with
        the line, the column, the node as written and both shapes.

    Examples
    --------
    >>> import graphdiff as gd
    >>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    >>> [(g.name(n), g.formula(n)) for n in g.order if g.kind(n) == "op"]
    [('a', 'x**2'), ('b', 'x*y'), ('c', 'x + y'), ('d', 'a + b'), ('e', 'c**2'), ('f', 'd + e')]
    >>> gd.parse("x ^ 2 + 1").to_sympy()
    x**2 + 1
    >>> gd.parse("__import__('os')")
    Traceback (most recent call last):
    ...
    graphdiff.errors.ParseError: line 1, column 1: unknown function '__import__'; expected ...
    """
    source = _check_text(text, limits)
    if syntax != "python":
        translate = SYNTAXES.get(syntax)
        if translate is None:
            raise GraphdiffError(f"unknown syntax {syntax!r}; choose from "
                                 f"{', '.join(['python', *SYNTAXES])}")
        source = _check_text(translate(source), limits)
    declared, body = _shape_header(source, limits)
    declared = _with_given_shapes(declared, shapes, limits)
    python_text, column_maps = _caret_to_power(body)
    converter = _Converter(source, python_text, column_maps, limits, declared)
    return converter.program(outputs=outputs, inputs=inputs, naming=naming, order=order)
