"""Student answers to tokens: numbers, names, functions, operators, LaTeX commands.

Words are resolved against the vocabulary of one reading (:class:`~.reader.Reader`): a
problem's names, the registry's function words, constants.  LaTeX is only *read*, through
whitelists; commands that could run code in TeX are refused by name.

>>> from graphdiff.checker import read_answer
>>> read_answer(r"\\tg x + \\operatorname{th}(x)", names=["x"]).expression
'tan(x) + tanh(x)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ...errors import GraphdiffError
from ...notation import caret_excerpt, line_and_column
from ...parse import Limits
from ..messages import Message
from .vocabulary import (
    CARET_TRANSPOSE,
    CHAR_OPS,
    COMPARISONS,
    CYRILLIC,
    DIGITS,
    DOT_TRANSPOSE,
    ELEMENTWISE_SIGNS,
    GREEK,
    GREEK_LETTERS,
    LATEX_ACCENTS,
    LATEX_COMPARISONS,
    LATEX_OPS,
    LATEX_REFUSED,
    LATEX_SKIP,
    LATEX_UNSUPPORTED,
    LATEX_WRAPPERS,
    MATRIX_LATEX_PRODUCTS,
    NUMBER,
    SHAPE_DECIDED_SIGNS,
    SUPERSCRIPTS,
    TRANSPOSE_SIGNS,
    latex_functions,
)


class Vocabulary(Protocol):
    """What the lexer and the parser ask of one reading (:class:`~.reader.Reader` is it):
    the words it knows and where its warnings and notes go."""

    names: set[str]
    functions: dict[str, str]
    words: dict[str, str]
    #: Whether the answer is about matrices (the problem declares shapes): then ``@``,
    #: ``⊙``, ``^T``, ``.T`` and ``ᵀ`` are read.
    matrix: bool

    def resolve(self, word: str, pos: int, lexer: Lexer, paren: bool = False
                ) -> list[tuple[str, str]]: ...

    def join_subscript(self, word: str, sub: str, lexer: Lexer, start: int) -> str: ...

    def warn(self, code: str, **params: Any) -> None: ...

    def note(self, code: str, **params: Any) -> None: ...

    def note_once(self, code: str, **params: Any) -> None: ...

#: Longest answer accepted (characters), checked before anything else.
MAX_CHARS = 2_000
#: Deepest nesting of brackets, functions and signs.
MAX_DEPTH = 40
#: Most digits in one number.
MAX_DIGITS = 100
#: Longest word that is split into names (``xy`` -> ``x*y``).
MAX_SPLIT = 40
#: Largest magnitude of a constant part of an answer (checked in floating point).
MAX_CONSTANT = 1e300

#: Limits for the translated text: strict, but room for the added ``*`` and brackets.
TRANSLATED_LIMITS = replace(Limits.strict(), max_chars=4 * MAX_CHARS,
                            max_depth=MAX_DEPTH + 10, max_lines=60)




class AnswerError(GraphdiffError, ValueError):
    """An answer that cannot be read: the message code, its parameters and where.

    Attributes
    ----------
    message : Message
        What is wrong (render it in any language).
    line, column : int or None
        1-based position in the answer as typed.
    excerpt : str
        The answer's line with a caret under the position.

    >>> from graphdiff.checker import read_answer
    >>> try:
    ...     read_answer("2x +", names=["x"])
    ... except AnswerError as err:
    ...     print(err.message.code, err.line, err.column)
    ...     print(err.excerpt)
    expected_operand 1 5
      2x +
          ^
    """

    def __init__(self, message: Message, *, line: int | None = None,
                 column: int | None = None, excerpt: str = "") -> None:
        self.message = message
        self.line = line
        self.column = column
        self.excerpt = excerpt
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(where + message.render("en") + (f"\n{excerpt}" if excerpt else ""))






@dataclass
class Token:
    # NUM NAME FUNC CONST OP POW OPEN CLOSE BAR ABSOPEN COMMA PRIME FRAC SQRT POSTFIX END
    kind: str
    text: str
    pos: int
    end: int
    space: bool = False  # whitespace before the token
    # FUNC: log base; OPEN/CLOSE: the bracket character; OP "*" of a matrix answer:
    # "elementwise" (*, ⊙) or "shapes" (·, ×: the shapes decide)
    extra: Any = None


def error_at(message: Message, source: str, pos: int | None) -> AnswerError:
    """An :class:`AnswerError` at 0-based ``pos`` of the answer (None: the whole answer)."""
    if pos is None:
        return AnswerError(message)
    line, column = line_and_column(source, pos)
    return AnswerError(message, line=line, column=column,
                       excerpt=caret_excerpt(source, line, column))


class Lexer:
    """Turns the answer into tokens, resolving words against the known names."""

    def __init__(self, source: str, start: int, end: int, reader: Vocabulary) -> None:
        self.s = source
        self.i = start
        self.end = end
        self.r = reader
        self.tokens: list[Token] = []

    def fail(self, code: str, pos: int, **params: Any) -> AnswerError:
        return error_at(Message(code, params), self.s, pos)

    def add(self, kind: str, text: str, pos: int, end: int, space: bool, extra: Any = None,
            ) -> None:
        self.tokens.append(Token(kind, text, pos, end, space, extra))

    def run(self) -> list[Token]:
        s, n = self.s, self.end
        space = False
        while self.i < n:
            ch = s[self.i]
            start = self.i
            if ch.isspace() or ch == "~":
                space = True
                self.i += 1
                continue
            if self.r.matrix and self.matrix_sign(space):
                space = False
                continue
            if not self.r.matrix:
                self.refuse_matrix_sign()
            if ch in DIGITS or (ch == "." and self.i + 1 < n and s[self.i + 1] in DIGITS):
                self.number(space)
            elif ch.isalpha():
                self.word(space)
            elif ch == "\\":
                self.command(space)
            elif ch == "*" and s.startswith("**", self.i):
                self.add("POW", "^", start, start + 2, space)
                self.i += 2
            elif ch in CHAR_OPS:
                self.add("OP", CHAR_OPS[ch], start, start + 1, space)
                self.i += 1
            elif ch == "^":
                self.add("POW", "^", start, start + 1, space)
                self.i += 1
            elif ch in SUPERSCRIPTS:
                self.superscript(space)
            elif ch in "([{":
                self.add("OPEN", ch, start, start + 1, space, ch)
                self.i += 1
            elif ch in ")]}":
                self.add("CLOSE", ch, start, start + 1, space, ch)
                self.i += 1
            elif ch == "|":
                self.add("BAR", "|", start, start + 1, space)
                self.i += 1
            elif ch == ",":
                self.add("COMMA", ",", start, start + 1, space)
                self.i += 1
            elif ch in "'′":
                self.add("PRIME", "'", start, start + 1, space)
                self.i += 1
            elif ch in "√∛∜":
                self.add("SQRT", ch, start, start + 1, space)
                self.i += 1
            elif ch == "!":
                raise self.fail("factorial", start)
            elif ch in "∂∇":
                raise self.fail("derivative_symbol", start, symbol=ch)
            elif ch == "=":
                raise self.fail("misplaced_equals", start)
            elif ch == "$":
                self.i += 1  # stray math delimiters are layout
            else:
                raise self.fail("unexpected_character", start, char=ch)
            space = False
        self.add("END", "", n, n, space)
        return self.tokens

    def matrix_sign(self, space: bool) -> bool:
        """A sign of matrix answers at the position (``@``, ``⊙``, ``·``, ``^T``, ``.T``,
        ``ᵀ``): add its token and say so."""
        s, start = self.s, self.i
        ch = s[start]
        end = start + 1
        if ch == "@":
            self.add("OP", "@", start, end, space)
        elif ch in ELEMENTWISE_SIGNS and not s.startswith("**", start):
            self.add("OP", "*", start, end, space, "elementwise")
        elif ch in SHAPE_DECIDED_SIGNS:
            self.add("OP", "*", start, end, space, "shapes")
        elif ch in TRANSPOSE_SIGNS:
            self.add("POSTFIX", "T", start, end, space)
        elif ch in COMPARISONS:
            if ch in "<>" and s.startswith("=", end):
                end += 1
            self.add("CMP", COMPARISONS[ch], start, end, space)
        elif ch in "^.":
            m = (CARET_TRANSPOSE if ch == "^" else DOT_TRANSPOSE).match(s, start, self.end)
            # With a variable named T, x^T is a power.
            if m is None or (re.sub(r"[\s{}^]", "", m.group(0)) == "T" and ch == "^"
                             and "T" in self.r.names):
                return False
            end = m.end()
            self.add("POSTFIX", "T", start, end, space)
        else:
            return False
        self.i = end
        return True

    def refuse_matrix_sign(self) -> None:
        """In an answer about numbers, a sign of matrices (``@``, ``⊙``, ``ᵀ``, ``^T``,
        ``.T``) is refused with its own message, not as an unknown character or name."""
        s, start = self.s, self.i
        ch = s[start]
        sign = None
        if ch == "@" or ch in TRANSPOSE_SIGNS or (ch in ELEMENTWISE_SIGNS and ch not in "*∗"):
            sign = ch
        elif ch == "^" and "T" not in self.r.names:
            m = CARET_TRANSPOSE.match(s, start, self.end)
            sign = m.group(0) if m else None
        elif ch == "." and start > 0 and (s[start - 1].isalnum() or s[start - 1] in ")]}"):
            m = DOT_TRANSPOSE.match(s, start, self.end)
            sign = m.group(0) if m else None
        if sign is not None:
            raise error_at(Message("matrix_sign_in_number", {"sign": sign}), s, start)

    def number(self, space: bool) -> None:
        m = NUMBER.match(self.s, self.i, self.end)
        assert m is not None
        mantissa, exponent = m.group(1), m.group(2)
        digits = sum(c.isdigit() for c in m.group(0))
        if digits > MAX_DIGITS:
            raise self.fail("number_too_long", self.i, digits=digits, limit=MAX_DIGITS)
        if exponent is not None:
            # 2e-3 is scientific notation, but 2e^x is 2*e^x: only digits after e count.
            text = m.group(0)
            self.r.warn("scientific_number", text=text, reading=normal_number(text))
        text = normal_number(mantissa + (exponent or ""))
        self.add("NUM", text, self.i, m.end(), space)
        self.i = m.end()

    def superscript(self, space: bool) -> None:
        start = self.i
        inner = []
        while self.i < self.end and self.s[self.i] in SUPERSCRIPTS:
            inner.append(SUPERSCRIPTS[self.s[self.i]])
            self.i += 1
        self.add("POW", "^", start, start, space)
        self.add("OPEN", "{", start, start, False, "{")
        k = start
        for ch in inner:
            if ch.isdigit():
                if self.tokens[-1].kind == "NUM":
                    self.tokens[-1].text += ch
                    self.tokens[-1].end = k + 1
                else:
                    self.add("NUM", ch, k, k + 1, False)
            else:
                self.add("OP", ch, k, k + 1, False)
            k += 1
        self.add("CLOSE", "}", self.i, self.i, False, "}")

    def raw_word(self) -> str:
        s, n = self.s, self.end
        j = self.i
        chars = []
        while j < n and (s[j].isalnum()) and s[j] not in SUPERSCRIPTS and \
                s[j] not in TRANSPOSE_SIGNS:
            ch = s[j]
            if ch.isdigit() and ch not in DIGITS:
                break
            if ch in CYRILLIC:
                self.r.note_once("cyrillic_letter", letter=ch, latin=CYRILLIC[ch])
                ch = CYRILLIC[ch]
            elif ch == "ŷ":
                ch = "yhat"
            elif ch in GREEK_LETTERS:
                ch = GREEK_LETTERS[ch]
            elif not ch.isascii() and ch not in "σπ" and not ch.isdigit():
                if ch.isalpha() and ch.lower() in CYRILLIC:
                    ch = CYRILLIC[ch.lower()]
                else:
                    chars.append(ch)
                    j += 1
                    continue
            chars.append(ch)
            j += 1
        self.i = j
        word = "".join(chars)
        # A combining circumflex (y + U+0302) is a hat: ŷ.
        if self.i < n and s[self.i] == "\u0302":
            word += "hat"
            self.i += 1
        return word

    def word(self, space: bool) -> None:
        start = self.i
        word = self.raw_word()
        # A whole identifier with underscores that is known (leaky_relu, w_2) wins.
        if self.i < self.end and self.s[self.i] == "_":
            m = re.compile(r"[A-Za-z0-9_]*").match(self.s, self.i, self.end)
            full = word + (m.group(0) if m else "")
            if full in self.r.names or full in self.r.words or full in self.r.functions:
                self.i += len(full) - len(word)
                word = full
        # Subscripts: w_1, w_{12}, log_2.
        if self.i < self.end and self.s[self.i] == "_":
            sub = self.subscript()
            if word == "log" and sub:
                self.add("FUNC", "log", start, self.i, space, sub)
                return
            word = self.r.join_subscript(word, sub, self, start)
        self.resolve(word, start, self.i, space)

    def subscript(self) -> str:
        s, n = self.s, self.end
        self.i += 1  # the underscore
        if self.i < n and s[self.i] == "{":
            close = s.find("}", self.i)
            if close < 0 or close > n:
                raise self.fail("expected_closing", self.i, opening="{", closing="}")
            sub = s[self.i + 1:close].replace(" ", "")
            self.i = close + 1
        else:
            j = self.i
            while j < n and s[j].isalnum():
                j += 1
            sub = s[self.i:j]
            self.i = j
        if not sub or not all(c.isalnum() for c in sub):
            raise self.fail("unexpected_character", self.i - 1, char="_")
        return sub

    def resolve(self, word: str, start: int, end: int, space: bool) -> None:
        k = end
        while k < self.end and self.s[k] == " ":
            k += 1
        paren = k < self.end and self.s[k] in "({["
        for kind, text in self.r.resolve(word, start, self, paren):
            self.add(kind, text, start, end, space)
            space = False

    def command(self, space: bool) -> None:
        s, n = self.s, self.end
        start = self.i
        j = self.i + 1
        if j < n and s[j].isalpha():
            while j < n and (s[j].isalpha() or s[j] == "@"):
                j += 1
            name = s[self.i + 1:j]
        elif j < n:
            name = s[j]
            j += 1
        else:
            raise self.fail("unexpected_character", start, char="\\")
        self.i = j
        if name in LATEX_REFUSED or name.startswith("write") or name.startswith("input"):
            raise self.fail("latex_refused", start, command=name)
        if name in (",", ";", ":", "!", " ", "\\") or name in LATEX_SKIP:
            if name in ("left", "right") and self.i < n and s[self.i] == ".":
                self.i += 1
            elif name in ("left", "bigl", "Bigl", "biggl", "Biggl") and self.i < n \
                    and s[self.i] == "|":
                self.add("ABSOPEN", "|", start, self.i + 1, space)
                self.i += 1
            elif name in ("right", "bigr", "Bigr", "biggr", "Biggr") and self.i < n \
                    and s[self.i] == "|":
                self.add("CLOSE", "|", start, self.i + 1, space, "|")
                self.i += 1
            return
        if name in MATRIX_LATEX_PRODUCTS and MATRIX_LATEX_PRODUCTS[name] == "elementwise" \
                and name != "ast" and not self.r.matrix:
            raise error_at(Message("matrix_sign_in_number", {"sign": "\\" + name}), s, start)
        if self.r.matrix and name in LATEX_COMPARISONS:
            self.add("CMP", LATEX_COMPARISONS[name], start, j, space)
            self.i = j
            return
        if self.r.matrix and name in MATRIX_LATEX_PRODUCTS:
            self.add("OP", "*", start, j, space, MATRIX_LATEX_PRODUCTS[name])
        elif name in ("{", "}"):
            self.add("OPEN" if name == "{" else "CLOSE", name, start, j, space, name)
        elif name in ("lvert", "rvert"):
            if name == "lvert":
                self.add("ABSOPEN", "|", start, j, space)
            else:
                self.add("CLOSE", "|", start, j, space, "|")
        elif name in LATEX_OPS:
            self.add("OP", LATEX_OPS[name], start, j, space)
        elif name in ("frac", "dfrac", "tfrac", "cfrac"):
            self.add("FRAC", name, start, j, space)
            k = self.i
            while k < n and s[k] == " ":
                k += 1
            if k + 1 < n and s[k].isdigit() and s[k + 1].isdigit():
                # \frac12 is \frac{1}{2}
                self.add("NUM", s[k], k, k + 1, False)
                self.add("NUM", s[k + 1], k + 1, k + 2, False)
                self.i = k + 2
        elif name == "sqrt":
            self.add("SQRT", name, start, j, space)
        elif name == "sigma":
            self.resolve("σ", start, j, space)
        elif name in latex_functions(self.r.matrix):
            if name == "log" and self.i < n and s[self.i] == "_":
                self.add("FUNC", "log", start, self.i, space, self.subscript())
                return
            self.resolve(name, start, j, space)
        elif name == "pi":
            self.resolve("pi", start, j, space)
        elif name in GREEK:
            word = name
            if self.i < n and s[self.i] == "_":
                word = self.r.join_subscript(word, self.subscript(), self, start)
            self.resolve(word, start, self.i, space)
        elif name in LATEX_WRAPPERS:
            word = self.group_word(name)
            if self.i < n and s[self.i] == "_":
                word = self.r.join_subscript(word, self.subscript(), self, start)
            self.resolve(word, start, self.i, space)
        elif name in LATEX_ACCENTS:
            word = self.group_word(name) + LATEX_ACCENTS[name]
            if self.i < n and s[self.i] == "_":
                word = self.r.join_subscript(word, self.subscript(), self, start)
            self.resolve(word, start, self.i, space)
        elif name in LATEX_UNSUPPORTED:
            raise self.fail("latex_unsupported", start, command=name)
        else:
            raise self.fail("latex_unknown", start, command=name)

    def group_word(self, command: str) -> str:
        """The letters of ``{word}`` (or one letter) after a wrapper such as \\mathrm."""
        s, n = self.s, self.end
        k = self.i
        while k < n and s[k] == " ":
            k += 1
        if k < n and s[k] == "{":
            close = s.find("}", k)
            if close < 0 or close > n:
                raise self.fail("expected_group", k, command=command)
            word = s[k + 1:close].strip()
            self.i = close + 1
        elif k < n and s[k].isalpha():
            word = s[k]
            self.i = k + 1
        else:
            raise self.fail("expected_group", k, command=command)
        if not word or not all(c.isalnum() or c == "_" for c in word):
            raise self.fail("expected_group", k, command=command)
        return word


def normal_number(text: str) -> str:
    mantissa, _, exponent = text.replace("E", "e").partition("e")
    if mantissa.startswith("."):
        mantissa = "0" + mantissa
    if mantissa.endswith("."):
        mantissa += "0"
    return mantissa + (f"e{exponent}" if exponent else "")

