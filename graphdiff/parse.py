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
"""

from __future__ import annotations

import ast
import itertools
import keyword
import math
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy

from .builder import GraphBuilder, outside_for_every_value
from .errors import DomainError, GraphdiffError, LimitError, ParseError, ShapeError, excerpt
from .graph import Graph, is_node
from .ops import FUNCTION_ALIASES, FUNCTIONS, OPS, op_of_attribute, op_of_dunder


@dataclass(frozen=True)
class Limits:
    """Bounds on parser input.  Defaults suit hand-written input.

    Raise them per call for large trusted programs:
    ``gd.parse(text, limits=gd.Limits(max_chars=10**7, max_nodes=10**6))``.
    The checker uses :meth:`strict`.

    Attributes
    ----------
    max_chars : int
        Length of the text (default 20,000 characters).
    max_depth : int
        Nesting depth of the expression (default 100).  A chain such as
        ``a + b + c + ...`` counts as one level, parentheses and calls add one.
    max_nodes : int
        Number of syntax-tree nodes (default 10,000).
    max_exponent : float
        Largest ``|exponent|`` of a power whose exponent is a constant
        (default 1,000): ``9**9**9**9`` is refused at once.
    max_constant_digits : int
        Largest number of decimal digits of a constant, literal or folded
        (default 1,000).
    max_lines : int
        Number of statements in a program (default 1,000).
    max_rank : int
        Number of axes of a declared shape (default 4).
    max_entries : int
        Number of entries of a declared shape (default 10⁶).
    """

    max_chars: int = 20_000
    max_depth: int = 100
    max_nodes: int = 10_000
    max_exponent: float = 1_000
    max_constant_digits: int = 1_000
    max_lines: int = 1_000
    max_rank: int = 4
    max_entries: int = 10**6

    @classmethod
    def strict(cls) -> Limits:
        """Tight limits for untrusted short answers (the homework checker).

        >>> Limits.strict().max_chars
        2000
        """
        return cls(max_chars=2_000, max_depth=40, max_nodes=1_000, max_exponent=100,
                   max_constant_digits=100, max_lines=50, max_entries=10**4)

    @classmethod
    def unlimited_size(cls, n: int = 10**7) -> Limits:
        """Limits for large trusted, generated programs (``n`` characters and nodes)."""
        return replace(cls(), max_chars=n, max_nodes=n, max_lines=n, max_depth=n)


DEFAULT_LIMITS = Limits()

CONSTANTS = {"pi": sympy.pi}

#: Python's operators by their data-model names (grammar, not op knowledge): the op of each
#: comes from the registry's ``dunder`` column.
_PYTHON_OPERATORS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv",
                     ast.Pow: "pow", ast.MatMult: "matmul", ast.USub: "neg"}
_OPERATOR_SYMBOLS = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
    ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&",
}
_EXPECTED_OPERAND = "a number, a name, a function call or a parenthesized expression"


def _function_list() -> str:
    """The functions accepted in text, by their own names (read from the registry)."""
    return ", ".join(sorted({op.name for op in FUNCTIONS.values()}))



#: Statement type -> (its keyword, as messages in any language quote it; a description).
_STATEMENT_NAMES = {
    ast.Import: ("import", "import"), ast.ImportFrom: ("from", "import"),
    ast.FunctionDef: ("def", "def"), ast.AsyncFunctionDef: ("async def", "def"),
    ast.ClassDef: ("class", "class"), ast.For: ("for", "a for loop"),
    ast.AsyncFor: ("async for", "a for loop"), ast.While: ("while", "a while loop"),
    ast.If: ("if", "an if statement"), ast.With: ("with", "with"),
    ast.AsyncWith: ("async with", "with"),
    ast.AugAssign: ("+=", "an augmented assignment of something other than a name"),
    ast.Return: ("return", "return"), ast.Delete: ("del", "del"),
    ast.Global: ("global", "global"), ast.Nonlocal: ("nonlocal", "nonlocal"),
    ast.Try: ("try", "try"), ast.Raise: ("raise", "raise"), ast.Assert: ("assert", "assert"),
    ast.Pass: ("pass", "pass"), ast.Break: ("break", "break"),
    ast.Continue: ("continue", "continue"), ast.AnnAssign: (":", "an annotated assignment"),
    ast.Match: ("match", "match"),
}
_UNARY_SYMBOLS = {ast.Not: "not", ast.Invert: "~"}

_NODE_DESCRIPTIONS = {
    ast.Attribute: "attribute access (a dot after a name)",
    ast.Subscript: "indexing with [ ]",
    ast.Lambda: "lambda",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "an if-expression",
    ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict", ast.Set: "a set",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension",
    ast.Starred: "a starred expression", ast.JoinedStr: "an f-string",
    ast.NamedExpr: "the := operator", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield", ast.Slice: "a slice",
}


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


# --- stage 1b: shape declarations ---------------------------------------------------------

#: ``X: 2x3``: a name, a colon and a shape (sizes joined by x or ×), alone on its line.
_DECLARATION = re.compile(r"^\s*([A-Za-z_]\w*)\s*:\s*(.*?)\s*$")
_SHAPE = re.compile(r"^[0-9]+(?:\s*[x×]\s*[0-9]+)*$")


@dataclass(frozen=True)
class _Declared:
    """An input's declared shape and the line that declared it (0: ``shapes=``)."""

    shape: tuple[int, ...]
    line: int


def _shape_header(text: str, limits: Limits) -> tuple[dict[str, _Declared], str]:
    """Read the declarations ``X: 2x3`` before the first statement; blank their lines.

    Only a name, a colon and sizes joined by ``x`` are read (``int x int ...``); the rest
    of the text is parsed as before, with its line numbers unchanged.

    >>> declared, body = _shape_header("X: 2x3\\nb: 3\\ny = X + b", Limits())
    >>> {n: d.shape for n, d in declared.items()}, body
    ({'X': (2, 3), 'b': (3,)}, '\\n\\ny = X + b')
    """
    lines = text.split("\n")
    declared: dict[str, _Declared] = {}
    header = True
    for k, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _DECLARATION.match(line)
        if match is None or "=" in line or keyword.iskeyword(match.group(1)):
            header = False
            continue
        name, written = match.groups()
        if not _SHAPE.match(written):
            if header and not written[:1].isdigit():
                header = False  # not a declaration at all: Python's parser says what it is
                continue
            raise _declaration_error(text, k + 1, line, f"{written!r} is not a shape")
        if not header:
            raise _declaration_error(text, k + 1, line, "shapes are declared before the "
                                     "first assignment")
        if name in declared:
            raise _declaration_error(text, k + 1, line, f"{name} is declared twice")
        shape = tuple(int(size) for size in re.split(r"\s*[x×]\s*", written))
        _check_shape(shape, limits, text, k + 1, line)
        declared[name] = _Declared(shape, k + 1)
        lines[k] = ""
    return declared, "\n".join(lines)


def _declaration_error(text: str, line: int, written: str, reason: str) -> ParseError:
    column = len(written) - len(written.lstrip()) + 1
    return ParseError(f"{reason}: {excerpt(written.strip())}", code="shape_declaration",
                      params={"text": excerpt(written.strip())}, line=line, column=column,
                      expected="a declaration such as X: 2x3 before the first assignment",
                      source=text)


def _check_shape(shape: tuple[int, ...], limits: Limits, text: str | None = None,
                 line: int | None = None, written: str = "") -> None:
    """Refuse sizes of 0 and shapes over ``limits`` (rank, number of entries)."""
    shown = "×".join(map(str, shape)) or "()"
    problem = None
    if any(size < 1 for size in shape):
        problem = ParseError(f"a size of 0 in {shown}", code="shape_declaration",
                             params={"text": excerpt(written.strip() or shown)})
    elif len(shape) > limits.max_rank or math.prod(shape) > limits.max_entries:
        limit = f"rank {limits.max_rank}, {limits.max_entries:,} entries"
        problem = LimitError(f"the shape {shown} is over the limit ({limit})",
                             code="shape_too_large", params={"shape": shown, "limit": limit})
    if problem is None:
        return
    if text is None:
        raise problem
    column = len(written) - len(written.lstrip()) + 1
    raise type(problem)(problem.reason, code=problem.code, params=problem.params, line=line,
                        column=column, expected="a smaller shape" if isinstance(
                            problem, LimitError) else "sizes of at least 1", source=text)


def _with_given_shapes(declared: dict[str, _Declared],
                       shapes: Mapping[str, Sequence[int]] | None,
                       limits: Limits) -> dict[str, _Declared]:
    """The header's declarations and ``shapes=`` together (they must agree)."""
    merged = dict(declared)
    for name, given in (shapes or {}).items():
        try:
            shape = tuple(int(size) for size in given)
        except (TypeError, ValueError):
            raise GraphdiffError(f"the shape of {name} must be a tuple of sizes, "
                                 f"not {given!r}") from None
        if any(int(size) != size for size in given):
            raise GraphdiffError(f"the shape of {name} must be a tuple of integer sizes")
        _check_shape(shape, limits)
        if name in merged and merged[name].shape != shape:
            raise ShapeError(f"{name} is declared {merged[name].shape} in the text and "
                             f"{shape} in shapes=")
        merged.setdefault(name, _Declared(shape, 0))
    return merged


# --- stage 1: raw text checks ------------------------------------------------------------


def _check_text(text: Any, limits: Limits) -> str:
    if not isinstance(text, str):
        raise ParseError(f"expected text (str), got {type(text).__name__}", code="not_text",
                         params={"type": type(text).__name__})
    if len(text) > limits.max_chars:
        line, column = _line_column(text, limits.max_chars)
        raise LimitError(
            f"input is {len(text):,} characters long, over the limit of {limits.max_chars:,}",
            code="too_long", params={"length": f"{len(text):,}", "limit": f"{limits.max_chars:,}"},
            line=line, column=column, source=text,
            expected="a shorter text, or a larger Limits.max_chars for trusted input",
        )
    _check_characters(text)
    _check_brackets(text, limits)
    _check_digit_runs(text, limits)
    return text


def _check_characters(text: str) -> None:
    """Refuse characters Python's parser would choke on or that would hide text.

    Control characters, lone surrogates (which make ``ast.parse`` fail while encoding
    the text), invisible format characters (zero-width space, bidirectional overrides
    that display text in another order than it is read) and line separators other than
    ``\\n`` and ``\\r`` (which would shift line numbers).
    """
    # Only the characters outside printable ASCII are looked at one by one: a long
    # program is mostly ASCII, and a loop over every character costs a second per 10⁶.
    for found in _NOT_PLAIN_ASCII.finditer(text):
        pos, ch = found.start(), found.group()
        if ch.isprintable() or ch in "\n\t\r":
            continue
        category = unicodedata.category(ch)
        line, column = _line_column(text, pos)
        shown = _char_code(ch)
        if category == "Cc":
            raise ParseError(
                f"control character {ch!r} in the input", code="control_character",
                params={"char": shown}, line=line, column=column, expected="printable text",
                source=text,
            )
        if category in ("Cs", "Cf", "Zl", "Zp"):
            what = "a lone surrogate" if category == "Cs" else "an invisible character"
            raise ParseError(
                f"unexpected character {shown} ({what})", code="unexpected_character",
                params={"char": shown}, line=line, column=column, expected="printable text",
                source=text,
            )


_NOT_PLAIN_ASCII = re.compile(r"[^\x20-\x7e\n\t\r]")


def _char_code(ch: str) -> str:
    """``U+200B``: how a message names a character it cannot show."""
    return f"U+{ord(ch):04X}"


def _check_brackets(text: str, limits: Limits) -> None:
    # Bracket depth is checked before Python's parser sees the text, which would
    # otherwise recurse on it.
    depth = 0
    for found in _BRACKET.finditer(text):  # the brackets only, not every character
        pos, ch = found.start(), found.group()
        if ch in "([{":
            depth += 1
            if depth > limits.max_depth:
                line, column = _line_column(text, pos)
                raise LimitError(
                    f"brackets nested deeper than {limits.max_depth} levels",
                    code="too_deep", params={"limit": limits.max_depth},
                    line=line, column=column,
                    expected="a flatter expression (or a larger Limits.max_depth)",
                    source=text,
                )
        elif ch in ")]}":
            depth = max(0, depth - 1)


_BRACKET = re.compile(r"[][(){}]")

# A run of digits that does not continue a name (x123) or an exponent (1e999).
_DIGIT_RUN = re.compile(r"(?<![\w.])[0-9][0-9_]*(?:\.[0-9_]*)?|(?<![\w.])\.[0-9][0-9_]*")


def _check_digit_runs(text: str, limits: Limits) -> None:
    """Refuse a long number before Python's parser converts it.

    Python refuses integers of more than 4,300 digits itself, with a message about its
    own settings; and converting even shorter ones costs quadratic time.
    """
    limit = limits.max_constant_digits
    # A number is made of digits, dots and underscores only: without a run of more than
    # `limit` of those, no number is too long (one search instead of a loop per number).
    if re.search(f"[0-9._]{{{limit + 1}}}", text) is None:
        return
    for match in _DIGIT_RUN.finditer(text):
        if match.end() - match.start() <= limit:  # no more digits than characters
            continue
        digits = sum(ch.isdigit() for ch in match.group(0).lstrip("0."))
        if digits > limits.max_constant_digits:
            line, column = _line_column(text, match.start())
            raise LimitError(
                f"a number with {digits} digits", code="number_too_long",
                params={"digits": digits, "limit": limits.max_constant_digits},
                line=line, column=column, source=text,
                expected=f"at most {limits.max_constant_digits} digits",
            )


def _line_column(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, column


def _caret_to_power(text: str) -> tuple[str, list[list[int] | int]]:
    """Replace ``^`` by ``**`` and keep, per line, the original column of each column (for a
    line without ``^`` just its length: its columns are the original ones)."""
    lines = text.split("\n")
    new_lines: list[str] = []
    maps: list[list[int] | int] = []
    for line in lines:
        if "^" not in line:  # most lines of a long program: no per-character map
            new_lines.append(line)
            maps.append(len(line))
            continue
        new, column_map = [], []
        for col, ch in enumerate(line):
            if ch == "^":
                new.append("**")
                column_map += [col, col]
            else:
                new.append(ch)
                column_map.append(col)
        column_map.append(len(line))
        new_lines.append("".join(new))
        maps.append(column_map)
    return "\n".join(new_lines), maps


def _original_column(maps: list[list[int] | int], line: int, offset: int) -> int:
    """1-based original column of 0-based character ``offset`` on 1-based ``line``."""
    if 1 <= line <= len(maps):
        column_map = maps[line - 1]
        if isinstance(column_map, int):  # a line without ^: the same columns
            return min(max(offset, 0), column_map) + 1
        return column_map[min(max(offset, 0), len(column_map) - 1)] + 1
    return offset + 1


# --- stage 2: Python's parser, guarded ---------------------------------------------------


def _python_parse(
    python_text: str, source: str, maps: list[list[int] | int], limits: Limits,
    first_line: int = 1,
) -> ast.Module:
    """Python's parse of ``python_text``, lines ``first_line, ...`` of the text: its nodes
    and its errors carry the line numbers of the whole text."""
    shift = first_line - 1
    try:
        # Python's tokenizer warns about text such as 1if x (SyntaxWarning, printed on
        # stderr); what it warns about is refused or read below, with our own message.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(python_text, mode="exec")
    except SyntaxError as err:
        line = (err.lineno or 1) + shift
        column = _original_column(maps, line, (err.offset or 1) - 1)
        explained = _explain_syntax_error(err, source, line, column)
        raise ParseError(explained.reason, code=explained.code, params=explained.params,
                         line=line, column=explained.column or column,
                         expected=explained.expected,
                         source=source) from None
    except (RecursionError, MemoryError):
        line = _longest_line(source, first_line, python_text.count("\n") + 1)
        raise LimitError(
            "expression nested too deeply to parse", code="too_complex", params={},
            line=line, column=1, source=source,
            expected="a flatter expression: split long sums or chains into several "
            "assignments, one per line",
        ) from None
    except ValueError:
        # The checks above leave no known ValueError; Python's own wording would talk
        # about its settings, not about the text.
        raise ParseError("the text cannot be read as an expression", code="syntax_error",
                         params={"reason": "the text cannot be read as an expression"},
                         line=1, column=1, source=source,
                         expected=_EXPECTED_OPERAND) from None
    if shift:
        ast.increment_lineno(tree, shift)
    return tree


def _longest_line(text: str, first: int = 1, count: int | None = None) -> int:
    """1-based number of the longest of lines ``first, ..., first + count - 1`` (default:
    all): where a too-complex statement must be."""
    lengths = [len(line) for line in text.split("\n")][first - 1:]
    lengths = lengths[:count] if count is not None else lengths
    return lengths.index(max(lengths)) + first


_BINARY_OPERATORS = set("+*/^")


@dataclass(frozen=True)
class _Explained:
    """A syntax error in the words of an expression language."""

    reason: str
    code: str
    params: dict[str, Any]
    expected: str | None = _EXPECTED_OPERAND
    column: int | None = None  # where the caret goes, when not where Python stopped


def _keyword_in(line: str, column: int) -> tuple[str, int] | None:
    """A Python keyword written as a word of its own on the failing line, up to the place
    of the error (``lambda*w``: a learning rate named lambda).  Words that are valid
    values (True, False, None) and soft keywords (match, type) are names or constants."""
    for match in _WORD.finditer(line):
        if match.start() >= column:
            break
        if keyword.iskeyword(match.group()) and match.group() not in _VALUE_KEYWORDS:
            return match.group(), match.start()
    return None


_WORD = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_VALUE_KEYWORDS = frozenset({"True", "False", "None"})


def _explain_syntax_error(err: SyntaxError, source: str, line: int, column: int) -> _Explained:
    """Turn Python's message into what a user of an expression language expects."""
    msg = err.msg or "invalid syntax"
    lines = source.split("\n")
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    python_line = text.replace("^", "*")  # only whole words matter here
    before = text[: column - 1].rstrip()
    here = text[column - 1 : column]
    quoted = re.findall(r"'(.)'", msg)  # the brackets Python's message names
    if "never closed" in msg:
        opening = quoted[0] if quoted else "("
        closing = _CLOSING.get(opening, ")")
        return _Explained(f"{opening!r} is never closed", "expected_closing",
                          {"opening": opening, "closing": closing}, repr(closing))
    if "unmatched" in msg:
        return _Explained(msg, "unmatched_closing", {"closing": quoted[0] if quoted else ")"},
                          "an opening bracket before it, or nothing")
    if "does not match" in msg and len(quoted) == 2:
        return _Explained(msg, "mismatched_brackets",
                          {"opening": quoted[1], "closing": quoted[0]}, "a matching bracket")
    if "nested parentheses" in msg or "too complex" in msg:
        return _Explained(msg, "too_complex", {}, "a flatter expression")
    if "invalid character" in msg or "non-printable character" in msg:
        visible = here.isprintable() and bool(here.strip())
        shown = here if visible else _char_code(here or " ")
        return _Explained(f"unexpected character {repr(here) if visible else shown}",
                          "unexpected_character",
                          {"char": shown}, "an operator, a number or a name")
    keyword_used = _keyword_in(python_line, column)
    if keyword_used is not None:
        word, at = keyword_used
        return _Explained(f"{word!r} is a Python keyword, not a name", "keyword_as_name",
                          {"name": word}, f"another name, such as {word}_", column=at + 1)
    if "unexpected EOF" in msg or "unexpected end" in msg or not text[column - 1 :].strip():
        return _Explained("the expression ends too early", "ends_early", {})
    if before and (before[-1] in _BINARY_OPERATORS or before.endswith("**")) and (
        here in _BINARY_OPERATORS or here == ")" or here == ""
    ):
        return _Explained(f"{here!r} cannot follow an operator", "misplaced_operator",
                          {"text": here})
    if "invalid decimal literal" in msg:
        return _Explained("a number directly followed by a name", "missing_operator", {},
                          "an operator between them, as in 2*x")
    if "invalid syntax" in msg or "Perhaps" in msg:
        if before and (before[-1].isalnum() or before[-1] in "._)") and (
            here.isalnum() or here in "(_."
        ):
            return _Explained("two operands in a row", "missing_operator", {},
                              "an operator such as * between them")
        if here in _BINARY_OPERATORS and not before:
            return _Explained(f"{here!r} at the start of an expression",
                              "misplaced_operator", {"text": here})
        if here == "=" or "=" in msg:
            return _Explained("misplaced '='", "misplaced_equals", {},
                              "an assignment of the form name = expression")
    return _Explained(msg, "syntax_error", {"reason": msg})


_CLOSING = {"(": ")", "[": "]", "{": "}"}


# --- stage 2b: the quick reader of plain lines -------------------------------------------
#
# Python's parser builds a tree of Python objects for the whole text before anything is
# converted: for a 10⁵-line program that is most of the time and memory, and a sum of 10⁴
# terms exceeds its recursion limit.  Most lines of a long program are plain (``name =
# expression`` of numbers, names, + - * / ** @, calls and .T, on one line): the quick
# reader turns such a line into postfix code in one loop over its tokens, with a stack of
# operators waiting for their right operand (shunting-yard): no recursion, no tree.  It
# reads only what it is sure of: anything else -- another token, a keyword, a number
# Python would read otherwise -- is left to Python's parser, and a check
# that fails during conversion sends the statement to the full path too, so every error is
# still raised by the same code at the same node.  The reader counts the syntax nodes and
# the depth Python's tree would have (Limits.max_nodes, max_depth count those).

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


# --- stage 3: whitelist conversion -------------------------------------------------------


class _Converter:
    """Converts a checked ``ast.Module`` into graph nodes, iteratively."""

    def __init__(self, source: str, python_text: str, maps: list[list[int] | int],
                 limits: Limits, declared: dict[str, _Declared] | None = None) -> None:
        self.source = source
        self.declared = declared or {}
        self.maps = maps
        self.limits = limits
        self.builder = GraphBuilder()
        self.bound: dict[str, Any] = {}  # program names -> node id or constant
        self.assigned_at: dict[str, int] = {}
        self.input_used_at: dict[str, int] = {}
        self.versions: dict[str, int] = {}  # name -> how many times += rebound it, plus 1
        self.bound_as: dict[str, str] = {}  # name -> the node name of its current value
        self.ast_nodes = 0
        self.lines = python_text.split("\n")
        self.quick = _QuickReader()
        self.numbers: dict[str, sympy.Expr] = {}  # literal as written -> its constant

    def error(self, node: ast.AST, reason: str, expected: str | None = None,
              cls: type[ParseError] = ParseError, *, code: str,
              params: dict[str, Any] | None = None) -> ParseError:
        line = getattr(node, "lineno", 1)
        offset = self.char_offset(line, getattr(node, "col_offset", 0))
        column = _original_column(self.maps, line, offset)
        return cls(reason, code=code, params=params or {}, line=line, column=column,
                   expected=expected, source=self.source)

    def python_line(self, line: int) -> bytes | None:
        """Line ``line`` (1-based) of the text Python parsed, in UTF-8: ast positions are
        byte offsets.  Encoded when asked (errors, literals of the full path), not for
        every line of a long program."""
        return self.lines[line - 1].encode("utf-8") if 1 <= line <= len(self.lines) else None

    def char_offset(self, line: int, byte_offset: int) -> int:
        """The character offset of a UTF-8 byte offset on ``line`` (both from ast)."""
        encoded = self.python_line(line)
        if encoded is None:
            return byte_offset
        return len(encoded[:byte_offset].decode("utf-8", "ignore"))

    def segment(self, node: ast.AST) -> str:
        """The text of ``node`` as written (one line; longer nodes are cut there)."""
        line = getattr(node, "lineno", 1)
        encoded = self.python_line(line)
        if encoded is None:
            return ""
        start = getattr(node, "col_offset", 0)
        end = getattr(node, "end_col_offset", None)
        if getattr(node, "end_lineno", line) != line:
            end = None
        return encoded[start:end].decode("utf-8", "replace")

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

    def check_name(self, node: Any, *, binding: bool, name: str | None = None) -> str:
        """``name`` (default: the node's) if it may be used (``binding``: assigned)."""
        name = node.id if name is None else name
        if name.startswith("_"):
            raise self.error(node, f"name {name!r} is not allowed",
                             "a name that does not start with '_'", code="private_name",
                             params={"name": excerpt(name)})
        if name in FUNCTIONS or name in CONSTANTS:
            what = "function" if name in FUNCTIONS else "constant"
            if binding:
                raise self.error(node, f"{name!r} is a {what} and cannot be assigned",
                                 "another name", code="reserved_name", params={"name": name})
        return name

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

    # The conversion walks the tree with an explicit stack: trusted programs with
    # raised limits may nest deeper than Python's recursion limit.
    def expression(self, root: ast.expr) -> Any:
        self.check_size(root)
        results: dict[int, Any] = {}
        stack: list[tuple[ast.AST, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if not children_done:
                children = self.children(node)
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(children))
                continue
            results[id(node)] = self.convert(node, results)
        return results[id(root)]

    def check_size(self, root: ast.expr) -> None:
        limits = self.limits
        stack: list[tuple[ast.AST, int]] = [(root, 1)]
        while stack:
            node, depth = stack.pop()
            self.ast_nodes += 1
            if self.ast_nodes > limits.max_nodes:
                raise self.error(node, f"more than {limits.max_nodes:,} syntax nodes",
                                 "a smaller expression (or a larger Limits.max_nodes)",
                                 LimitError, code="too_many_nodes",
                                 params={"limit": limits.max_nodes})
            if depth > limits.max_depth:
                raise self.error(node, f"expression nested deeper than {limits.max_depth} "
                                 "levels", "a flatter expression (or a larger "
                                 "Limits.max_depth)", LimitError, code="too_deep",
                                 params={"limit": limits.max_depth})
            group = _chain_group(node)
            for k, child in enumerate(ast.iter_child_nodes(node)):
                # The left operand of a same-precedence chain (a + b + c) is not deeper.
                same_chain = group is not None and k == 0 and _chain_group(child) == group
                stack.append((child, depth if same_chain else depth + 1))

    def children(self, node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.BinOp):
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            return [node.operand]
        if isinstance(node, ast.Call):
            self.check_call(node)
            return list(node.args)
        if isinstance(node, ast.Attribute) and op_of_attribute(node.attr) is not None:
            return [node.value]  # X.T; any other attribute is refused in convert
        return []

    def check_call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):
            raise self.error(node.func, f"attribute access (.{node.func.attr}) is not allowed",
                             f"a call of one of {_function_list()}", code="attribute",
                             params={"name": excerpt(node.func.attr)})
        if not isinstance(node.func, ast.Name):
            raise self.error(node.func, "only plain function names can be called",
                             f"one of {_function_list()}", code="call_not_name")
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.error(node.func, f"unknown function {name!r}",
                             f"one of {_function_list()}", code="unknown_function",
                             params={"name": excerpt(name), "known": _function_list()})
        if node.keywords:
            raise self.error(node.keywords[0].value if node.keywords[0].arg is None
                             else node, "keyword arguments are not allowed",
                             f"{name}(...) with positional arguments", code="keyword_argument",
                             params={"name": name})
        op = FUNCTIONS[name]
        n_args = len(node.args)
        least = op.arity - len(op.defaults)
        if not least <= n_args <= op.arity:
            wanted = str(op.arity) if least == op.arity else f"{least} or {op.arity}"
            raise self.error(node, f"{name} takes {wanted} argument"
                             f"{'s' if wanted != '1' else ''}, got {n_args}",
                             f"{name}({', '.join('ab'[:op.arity])})", code="wrong_arity",
                             params={"name": name, "expected": wanted, "got": n_args})
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error(arg, "starred arguments are not allowed", "plain arguments",
                                 code="starred_argument")

    def convert(self, node: ast.AST, results: dict[int, Any]) -> Any:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name_value(node)
        if isinstance(node, ast.BinOp):
            op_type = type(node.op)
            op = op_of_dunder(_PYTHON_OPERATORS.get(op_type, ""), 2)
            if op is None:
                symbol = _OPERATOR_SYMBOLS.get(op_type, op_type.__name__)
                raise self.error(node, f"operator {symbol} is not supported",
                                 "one of + - * / ** ^", code="unsupported_operator",
                                 params={"symbol": symbol})
            left, right = results[id(node.left)], results[id(node.right)]
            if op_type is ast.Pow:
                self.check_power(node, left, right)
            return self.apply(node, op, (left, right))
        if isinstance(node, ast.UnaryOp):
            operand = results[id(node.operand)]
            if isinstance(node.op, ast.UAdd):
                return operand
            op = op_of_dunder(_PYTHON_OPERATORS.get(type(node.op), ""), 1)
            if op is not None:
                return self.apply(node, op, (operand,))
            symbol = _UNARY_SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise self.error(node, f"operator {type(node.op).__name__} is not supported",
                             "unary minus or plus", code="unsupported_operator",
                             params={"symbol": symbol})
        if isinstance(node, ast.Attribute) and op_of_attribute(node.attr) is not None:
            return self.apply(node, op_of_attribute(node.attr), (results[id(node.value)],))
        if isinstance(node, ast.Call):
            op = FUNCTIONS[node.func.id]  # type: ignore[attr-defined]
            args = tuple(results[id(a)] for a in node.args)
            args += op.defaults[len(args) - (op.arity - len(op.defaults)) :] if len(
                args) < op.arity else ()
            return self.apply(node, op, args)
        description = _NODE_DESCRIPTIONS.get(type(node), type(node).__name__)
        raise self.error(node, f"{description} is not allowed", _EXPECTED_OPERAND,
                         code="not_allowed",
                         params={"construct": description, "text": excerpt(self.segment(node))})

    def apply(self, node: ast.AST, op: Any, args: tuple[Any, ...]) -> Any:
        # Constant arguments alone can put an op outside its domain (x/0): refused here, at
        # the constant.  (A tensor op's domain is of whole matrices, which constants never
        # are: inv(X).)
        if op.domain is not None and op.elementwise and any(is_node(a) for a in args) and \
                outside_for_every_value(op, args):
            where = node.right if isinstance(node, ast.BinOp) else node
            raise self.error(where, op.domain_message, "a valid constant argument",
                             code="constant_domain",
                             params={"expression": excerpt(self.segment(node)),
                                     "reason": op.domain_message})
        try:
            value = self.builder.apply(op, args)
        except ShapeError as err:
            line = getattr(node, "lineno", 1)
            column = _original_column(self.maps, line,
                                      self.char_offset(line, getattr(node, "col_offset", 0)))
            raise err.at(expression=excerpt(self.segment(node)), line=line, column=column,
                         source=self.source) from None
        except DomainError as err:
            # The message quotes the folded constants: keep the quote short.
            shown = excerpt(err.expression)
            reason = str(err).replace(err.expression, shown)
            raise self.error(node, reason, "a constant expression with a real value",
                             code="constant_domain",
                             params={"expression": shown, "reason": reason}) from None
        if not is_node(value):
            self.check_constant(node, value)
        return value

    def constant(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "a string" if isinstance(value, str | bytes) else repr(value)
            raise self.error(node, f"{kind} is not allowed", "a number",
                             code="non_numeric_constant",
                             params={"text": excerpt(self.segment(node) or repr(value))})
        written = self.segment(node).replace("_", "") or repr(value)
        return self.number(node, written, value)

    def number(self, node: Any, written: str, value: int | float) -> sympy.Expr:
        """The exact constant of a literal ``written`` (Python's ``value`` of it), checked."""
        shown = excerpt(written)
        if isinstance(value, int):
            digits = int(value.bit_length() * math.log10(2)) + 1
            self.check_digits(node, digits)
            if value.bit_length() > 1023:  # beyond float range: it could not be evaluated
                raise self.error(node, "number too large", "a number below 1.8e308",
                                 LimitError, code="number_too_large", params={"text": shown})
            return sympy.Integer(value)
        mantissa = re.split(r"[eE]", written)[0]
        self.check_digits(node, sum(ch.isdigit() for ch in mantissa.lstrip("0.")))
        if not math.isfinite(value):
            raise self.error(node, "number too large", "a finite number", LimitError,
                             code="number_too_large", params={"text": shown})
        if value == 0 and mantissa.strip("0.") != "":
            # 1e-400 is not 0, but every floating-point evaluation would make it 0.
            raise self.error(node, "number too small to compute with",
                             "0, or a number above 5e-324 in absolute value", LimitError,
                             code="number_too_small", params={"text": shown})
        # Decimal literals are exact, read from the text as written: 0.1 means 1/10, so
        # 0.5*(h - y)**2 differentiates to h - y, as on paper.
        return sympy.Rational(written) if value else sympy.Integer(0)

    def check_digits(self, node: ast.AST, digits: int) -> None:
        if digits > self.limits.max_constant_digits:
            raise self.error(node, f"a number with {digits} digits",
                             f"at most {self.limits.max_constant_digits} digits", LimitError,
                             code="number_too_long",
                             params={"digits": digits, "limit": self.limits.max_constant_digits})

    def check_constant(self, node: ast.AST, value: sympy.Expr) -> None:
        if value.is_Integer:
            digits = int(abs(int(value)).bit_length() * math.log10(2)) + 1
            if digits > self.limits.max_constant_digits:
                raise self.error(node, f"a constant with {digits} digits",
                                 f"at most {self.limits.max_constant_digits} digits",
                                 LimitError, code="number_too_long",
                                 params={"digits": digits,
                                         "limit": self.limits.max_constant_digits})

    def check_power(self, node: ast.BinOp, base: Any, exponent: Any) -> None:
        if is_node(exponent):
            return
        limit = self.limits.max_exponent
        magnitude = abs(float(exponent))
        if magnitude > limit:
            raise self.error(node.right, f"exponent {_short(exponent)} is too large",
                             f"an exponent of at most {limit:g} in absolute value",
                             LimitError, code="exponent_too_large",
                             params={"exponent": _short(exponent), "limit": f"{limit:g}"})
        if not is_node(base):
            # The folded constant would have about |e| * log10|b| digits.
            size = float(abs(base))
            if size > 1 and magnitude * math.log10(size) > self.limits.max_constant_digits:
                raise self.error(node, "constant power too large",
                                 f"at most {self.limits.max_constant_digits} digits",
                                 LimitError, code="constant_power_too_large",
                                 params={"limit": self.limits.max_constant_digits})

    def name_value(self, node: ast.Name) -> Any:
        return self.value_of(node.id, node)

    def value_of(self, name: str, node: Any) -> Any:
        """The value of ``name`` used at ``node``: what it is bound to, a constant, or an
        input (created on first use)."""
        self.check_name(node, binding=False, name=name)
        if name in self.bound:
            return self.bound[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS and name not in FUNCTION_ALIASES:
            # Other words for an op (sigma, th, sgn) are functions only when called:
            # sigma stays a fine variable name.
            raise self.error(node, f"{name!r} is a function", f"a call such as {name}(x)",
                             code="function_as_value", params={"name": name})
        self.input_used_at.setdefault(name, node.lineno)
        declared = self.declared.get(name)
        return self.builder.input(name, declared.shape if declared else ())


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 20 else text[:17] + "..."


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


def _chain_group(node: ast.AST) -> str | None:
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Add | ast.Sub):
            return "additive"
        if isinstance(node.op, ast.Mult | ast.Div):
            return "multiplicative"
    return None
