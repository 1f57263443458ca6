"""Stage 1b of parsing: the shapes of inputs, declared in header lines ``X: 2x3`` or
given as ``shapes=``."""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import GraphdiffError, LimitError, ParseError, ShapeError, excerpt
from .limits import Limits

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
