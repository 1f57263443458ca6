"""The vocabulary of one reading, its warnings and notes, and the check of constants.

>>> r = Reader(["x", "y"], {})
>>> r.resolve("xy", 0, None)
[('NAME', 'x'), ('NAME', 'y')]
>>> [m.code for m in r.warnings]
['split_name']
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...ops import OPS
from ..messages import Message
from .lexer import MAX_CONSTANT, MAX_SPLIT, Lexer, error_at
from .parser import Node
from .vocabulary import (
    function_words,
    known_functions,
    matrix_words,
    short_words,
    unsupported_words,
)


class Reader:
    """Holds the vocabulary of one reading and collects warnings and notes."""

    def __init__(self, names: Sequence[str] | None, functions: Mapping[str, str],
                 shapes: Mapping[str, Sequence[int]] | None = None) -> None:
        self.strict = names is not None
        self.names = set(names or ())
        self.functions = dict(functions)
        #: The shapes of the names (matrices; absent: numbers).
        self.shapes = {name: tuple(int(n) for n in shape)
                       for name, shape in (shapes or {}).items()}
        self.matrix = any(self.shapes.values())
        #: Function words -> functions, read from the op registry once per reading.
        self.words = function_words(self.matrix)
        self.short = short_words()
        self.warnings: list[Message] = []
        self.notes: list[Message] = []
        self.used: list[str] = []
        self._seen: set[str] = set()

    def warn(self, code: str, **params: Any) -> None:
        msg = Message(code, params)
        if msg not in self.warnings:
            self.warnings.append(msg)

    def note(self, code: str, **params: Any) -> None:
        msg = Message(code, params)
        if msg not in self.notes:
            self.notes.append(msg)

    def note_once(self, code: str, **params: Any) -> None:
        if code not in self._seen:
            self._seen.add(code)
            self.note(code, **params)

    def use(self, name: str) -> None:
        if name not in self.used:
            self.used.append(name)

    def is_function(self, word: str) -> bool:
        return word in self.functions or word in self.words

    def function_name(self, word: str) -> str:
        return self.functions.get(word, word)

    def join_subscript(self, word: str, sub: str, lexer: Lexer, start: int) -> str:
        for candidate in (f"{word}_{sub}", f"{word}{sub}"):
            if candidate in self.names or not self.strict:
                return candidate if self.strict else f"{word}{sub}"
        return f"{word}{sub}"

    def resolve(self, word: str, pos: int, lexer: Lexer,
                paren: bool = False) -> list[tuple[str, str]]:
        """The tokens a word stands for: a name, a function, a constant, or several."""
        if word in self.names:
            self.use(word)
            return [("NAME", word)]
        if self.is_function(word):
            if self.strict and word in self.short and word not in self.functions:
                pieces = self.split(word, functions=False)
                if pieces is not None and not paren:
                    return self._pieces(word, pieces)
                if pieces is not None:
                    self.warn("function_word", name=word, function=self.words[word])
            return [("FUNC", self.function_name(word))]
        if word in ("pi", "π"):
            return [("CONST", "pi")]
        if word == "e":
            return [("CONST", "e")]
        if word in unsupported_words(self.matrix):
            if not self.matrix and word in matrix_words():
                raise lexer.fail("matrix_function_in_number", pos, name=word)
            raise lexer.fail("unsupported_function", pos, name=word)
        if not self.strict:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", word):
                raise lexer.fail("unexpected_character", pos, char=word[0])
            self.use(word)
            return [("NAME", word)]
        pieces = self.split(word)
        if pieces is None:
            known = sorted(self.names) or ["(none)"]
            if paren:
                raise lexer.fail("unknown_function", pos, name=word,
                                 known=known_functions(self.matrix))
            raise lexer.fail("unknown_name", pos, name=word, known=", ".join(known))
        return self._pieces(word, pieces)

    def _pieces(self, word: str, pieces: list[str]) -> list[tuple[str, str]]:
        tokens = []
        shown = ""
        for piece in pieces:
            if piece in self.names:
                self.use(piece)
                tokens.append(("NAME", piece))
            elif self.is_function(piece):
                tokens.append(("FUNC", self.function_name(piece)))
            elif piece in ("pi", "π"):
                tokens.append(("CONST", "pi"))
            else:
                tokens.append(("CONST", "e"))
            if shown:
                shown += " " if tokens[-2][0] == "FUNC" else "*"
            shown += piece
        self.warn("split_name", name=word, reading=shown)
        return tokens

    def split(self, word: str, functions: bool = True) -> list[str] | None:
        """Split ``xy`` into known names (fewest pieces; names before constants)."""
        n = len(word)
        if n > MAX_SPLIT:
            return None
        vocabulary = set(self.names)
        if functions:
            vocabulary |= {w for w in self.words if w.isascii()} | set(self.functions) \
                | {"pi", "e"}
        longest = max((len(w) for w in vocabulary), default=0)
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for i in range(n):
            if best[i] is None:
                continue
            for j in range(i + 1, min(n, i + longest) + 1):
                piece = word[i:j]
                if piece in vocabulary:
                    cand = [*best[i], piece]  # type: ignore[misc]
                    cur = best[j]
                    if cur is None or _split_cost(cand) < _split_cost(cur):
                        best[j] = cand
        result = best[n]
        if result is None or len(result) < 2:
            return None
        return result


def _split_cost(pieces: list[str]) -> tuple[int, int]:
    constants = sum(p in ("e", "pi") for p in pieces)
    return (len(pieces), constants)


# --- constants ----------------------------------------------------------------------

def check_constants(root: Node, source: str) -> None:
    """Refuse a constant part whose value overflows (``exp(exp(exp(100)))``).

    Every subtree without names is evaluated in floating point, bottom up, without
    recursion; a value over :data:`MAX_CONSTANT` (or an overflow) is refused before the
    exact constant folding of the core parser could spend unbounded time on it.
    Domain errors (``log(-1)``) are left to the core parser, which names them.
    """
    values: dict[int, float | None] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if not done:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args)
            continue
        if node.kind == "name":
            values[id(node)] = math.pi if node.value == "pi" else None
            continue
        if node.kind == "num":
            values[id(node)] = float(node.value)
            continue
        args = [values[id(a)] for a in node.args]
        if any(a is None for a in args) or node.kind == "matmul" or (
                node.kind == "call" and not OPS[node.value].elementwise):
            # (the ops of matrices are checked by their shapes, not folded here)
            values[id(node)] = None
            continue
        value = _float_value(node, args)
        if math.isinf(value) or abs(value) > MAX_CONSTANT:
            raise error_at(Message("constant_too_large",
                                 {"text": " ".join(source[node.start:node.end].split())[:60]}),
                         source, node.start)
        values[id(node)] = None if math.isnan(value) else value


def _float_value(node: Node, args: list[float]) -> float:
    """The node's value in floating point, by the registry's numpy function; nan where the
    op is outside its domain (the core parser names domain errors), inf on overflow."""
    op = OPS[node.value if node.kind == "call" else node.kind]
    values = [np.float64(a) for a in args]
    values += [np.float64(float(d)) for d in op.defaults[len(values) - op.arity:]] \
        if len(values) < op.arity else []
    with np.errstate(all="ignore"):
        if op.domain is not None and np.any(op.domain(*values)):
            return math.nan
        return float(op.numpy(*values))
