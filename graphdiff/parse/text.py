"""Stage 1 of parsing: the raw text, before Python's parser sees it.

Checks that refuse hostile text quickly (characters, bracket depth, long numbers), positions
in the text, the ``^`` -> ``**`` rewrite with its map back to the columns as written, and
the patterns of words and brackets the later stages share.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..errors import LimitError, ParseError
from .limits import Limits


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

#: A word of its own (a name or a keyword), not an attribute after a dot: the syntax
#: error explanations and the quick reader's line check read the words of a line with it.
_WORD = re.compile(r"(?<![\w.])[A-Za-z_]\w*")

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
