"""Stage 2 of parsing: Python's parser, guarded (no warnings on stderr, no recursion or
memory error escapes), and its syntax errors explained in the words of an expression
language."""

from __future__ import annotations

import ast
import keyword
import re
import warnings
from dataclasses import dataclass
from typing import Any

from ..errors import LimitError, ParseError
from .grammar import _EXPECTED_OPERAND
from .limits import Limits
from .text import _WORD, _char_code, _original_column


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
