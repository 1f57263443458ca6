"""Safe parsing of expressions and small programs into a computation graph.

Text is read with :mod:`ast` and converted through a whitelist: numbers, names,
``+ - * / **`` (``^`` also means power), unary minus, and calls of the functions in
the op table (plus ``pi``).  Nothing is ever ``eval``-ed or ``sympify``-ed.  Sizes are
bounded by :class:`Limits` *before* anything expensive runs, so hostile input is
refused quickly with a :class:`~graphdiff.LimitError`.

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
import keyword
import math
import re
import unicodedata
import warnings
from collections.abc import Callable, Mapping, Sequence
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
    tree = _python_parse(python_text, source, column_maps, limits)
    converter = _Converter(source, python_text, column_maps, limits, declared)
    return converter.program(tree, outputs=outputs, inputs=inputs, naming=naming, order=order)


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
    for pos, ch in enumerate(text):
        if ch.isprintable() or ch in "\n\t\r" or ch == " ":
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


def _char_code(ch: str) -> str:
    """``U+200B``: how a message names a character it cannot show."""
    return f"U+{ord(ch):04X}"


def _check_brackets(text: str, limits: Limits) -> None:
    # Bracket depth is checked before Python's parser sees the text, which would
    # otherwise recurse on it.
    depth = 0
    for pos, ch in enumerate(text):
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


# A run of digits that does not continue a name (x123) or an exponent (1e999).
_DIGIT_RUN = re.compile(r"(?<![\w.])[0-9][0-9_]*(?:\.[0-9_]*)?|(?<![\w.])\.[0-9][0-9_]*")


def _check_digit_runs(text: str, limits: Limits) -> None:
    """Refuse a long number before Python's parser converts it.

    Python refuses integers of more than 4,300 digits itself, with a message about its
    own settings; and converting even shorter ones costs quadratic time.
    """
    for match in _DIGIT_RUN.finditer(text):
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
    python_text: str, source: str, maps: list[list[int] | int], limits: Limits
) -> ast.Module:
    try:
        # Python's tokenizer warns about text such as 1if x (SyntaxWarning, printed on
        # stderr); what it warns about is refused or read below, with our own message.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(python_text, mode="exec")
    except SyntaxError as err:
        line = err.lineno or 1
        column = _original_column(maps, line, (err.offset or 1) - 1)
        explained = _explain_syntax_error(err, source, line, column)
        raise ParseError(explained.reason, code=explained.code, params=explained.params,
                         line=line, column=explained.column or column,
                         expected=explained.expected,
                         source=source) from None
    except (RecursionError, MemoryError):
        line = _longest_line(source)
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
    return tree


def _longest_line(text: str) -> int:
    """1-based number of the longest line: where a too-complex statement must be."""
    lengths = [len(line) for line in text.split("\n")]
    return lengths.index(max(lengths)) + 1


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


# --- stage 3: whitelist conversion -------------------------------------------------------


class _Converter:
    """Converts a checked ``ast.Module`` into graph nodes, iteratively."""

    def __init__(self, source: str, python_text: str, maps: list[list[int] | int],
                 limits: Limits, declared: dict[str, _Declared] | None = None) -> None:
        self.source = source
        self.declared = declared or {}
        # ast positions are UTF-8 byte offsets into the text Python parsed.
        self.python_lines = [line.encode("utf-8") for line in python_text.split("\n")]
        self.maps = maps
        self.limits = limits
        self.builder = GraphBuilder()
        self.bound: dict[str, Any] = {}  # program names -> node id or constant
        self.assigned_at: dict[str, int] = {}
        self.input_used_at: dict[str, int] = {}
        self.versions: dict[str, int] = {}  # name -> how many times += rebound it, plus 1
        self.bound_as: dict[str, str] = {}  # name -> the node name of its current value
        self.ast_nodes = 0

    def error(self, node: ast.AST, reason: str, expected: str | None = None,
              cls: type[ParseError] = ParseError, *, code: str,
              params: dict[str, Any] | None = None) -> ParseError:
        line = getattr(node, "lineno", 1)
        offset = self.char_offset(line, getattr(node, "col_offset", 0))
        column = _original_column(self.maps, line, offset)
        return cls(reason, code=code, params=params or {}, line=line, column=column,
                   expected=expected, source=self.source)

    def char_offset(self, line: int, byte_offset: int) -> int:
        """The character offset of a UTF-8 byte offset on ``line`` (both from ast)."""
        if not 1 <= line <= len(self.python_lines):
            return byte_offset
        return len(self.python_lines[line - 1][:byte_offset].decode("utf-8", "ignore"))

    def segment(self, node: ast.AST) -> str:
        """The text of ``node`` as written (one line; longer nodes are cut there)."""
        line = getattr(node, "lineno", 1)
        if not 1 <= line <= len(self.python_lines):
            return ""
        start = getattr(node, "col_offset", 0)
        end = getattr(node, "end_col_offset", None)
        if getattr(node, "end_lineno", line) != line:
            end = None
        return self.python_lines[line - 1][start:end].decode("utf-8", "replace")

    def program(self, tree: ast.Module, *, outputs: Sequence[str] | None,
                inputs: Sequence[str] | None, naming: str, order: str | None) -> Graph:
        body = tree.body
        if not body:
            raise ParseError("the input is empty", code="empty", params={}, line=1, column=1,
                             expected="an expression such as x**2 + y", source=self.source)
        if len(body) > self.limits.max_lines:
            raise self.error(body[self.limits.max_lines], f"{len(body)} statements, over the "
                             f"limit of {self.limits.max_lines}", "a shorter program",
                             LimitError, code="too_many_lines",
                             params={"count": len(body), "limit": self.limits.max_lines})
        last_value: Any = None
        last_name: str | None = None
        for k, stmt in enumerate(body):
            is_last = k == len(body) - 1
            if isinstance(stmt, ast.Assign):
                if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                    raise self.error(stmt, "only single assignments are allowed",
                                     "name = expression", code="multiple_assignment")
                name = self.check_name(stmt.targets[0], binding=True)
                value = self.expression(stmt.value)
                value = self.own_node(value, alias=_is_bare_name(stmt.value))
                self.bind(stmt.targets[0], name, value)
                last_value, last_name = value, name
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
                name = self.check_name(stmt.target, binding=True)
                value = self.own_node(self.expression(_as_binary(stmt)), alias=False)
                self.rebind(stmt.target, name, value)
                last_value, last_name = value, self.bound_as[name]
            elif isinstance(stmt, ast.Expr) and is_last:
                last_value, last_name = self.expression(stmt.value), None
            elif isinstance(stmt, ast.Expr):
                raise self.error(stmt, "an expression that is not the last line is unused",
                                 "an assignment name = expression", code="unused_expression")
            else:
                keyword, description = _STATEMENT_NAMES.get(type(stmt),
                                                            ("?", "this statement"))
                raise self.error(stmt, f"{description} is not allowed",
                                 "an expression, or assignments name = expression",
                                 code="statement_not_allowed", params={"statement": keyword})
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
            order = "level" if len(body) == 1 else "source"
        self.declare_unused(inputs)
        return self.builder.build(graph_outputs, order=order, naming=naming, inputs=inputs,
                                  source=self.source.strip())

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

    def check_name(self, node: ast.Name, *, binding: bool) -> str:
        name = node.id
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
        name = self.check_name(node, binding=False)
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
