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

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import GraphdiffError, ParseError
from ..graph import Graph
from ..parse import Limits, parse
from .messages import Message

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

    def graph(self) -> Graph:
        """The answer as a :class:`~graphdiff.Graph` (parsed with strict limits).

        Raises :class:`AnswerError` (with the position in the answer as typed) when the
        core parser refuses the text, e.g. for an exponent over the limit.
        """
        try:
            return parse(self.expression, limits=TRANSLATED_LIMITS)
        except ParseError as err:
            raise self._core_error(err) from None

    def _core_error(self, err: ParseError) -> AnswerError:
        pos = None
        if err.column is not None and self.offsets:
            index = min(max(err.column - 1, 0), len(self.offsets) - 1)
            pos = self.offsets[index]
        return _error(core_message(err), self.original, pos)


_OP_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}


def graph_text(graph: Graph) -> str:
    """A graph's output as answer syntax (``max(x, y)``, ``step(x)``, ``exp(1)``), so that
    :func:`read_answer` reads it back as the same function.

    >>> import graphdiff as gd
    >>> graph_text(gd.parse("2*max(x, y)*step(x - y) + exp(1) - x/(2*y)^-3"))
    '2*max(x, y)*step(x - y) + exp(1) - x/(2*y)^(-3)'
    """
    texts: list[tuple[str, int]] = []
    for i in graph.order:
        kind = graph.kind(i)
        if kind == "input":
            texts.append((graph.name(i), 5))
            continue
        if kind == "constant":
            texts.append(_constant_text(graph.nx.nodes[i]["value"]))
            continue
        op = graph.op(i)
        assert op is not None
        args = [texts[a] if type(a) is int else _constant_text(a) for a in graph.args(i)]
        prec = _OP_PREC.get(op.name, 5)
        if op.name == "neg":
            (a,) = args
            texts.append(("-" + (a[0] if a[1] > 3 else f"({a[0]})"), 3))
        elif op.name in _OP_PREC:
            (a, at), (b, bt) = args
            strict_right = op.name in ("sub", "div", "pow")
            if at < prec or (op.name == "pow" and at <= prec):
                a = f"({a})"
            if bt < prec or (strict_right and bt <= prec and op.name != "pow"):
                b = f"({b})"
            texts.append((op.format([a, b], "text").replace("**", "^"), prec))
        else:
            texts.append((f"{op.name}({', '.join(t for t, _ in args)})", 5))
    return texts[graph.output_ids[0]][0]


def _constant_text(value: Any) -> tuple[str, int]:
    text = re.sub(r"\bE\b", "exp(1)", str(value)).replace("**", "^")
    if (value.is_Integer and value >= 0) or text in ("pi", "exp(1)"):
        return text, 5
    return f"({text})", 5


def core_message(err: ParseError) -> Message:
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


# --- vocabulary ----------------------------------------------------------------------------

#: Function words students write -> the function they mean.  Values that are not ops of
#: the op table (cot, sinh, ...) are rewritten through ops.
FUNCTION_WORDS: Mapping[str, str] = {
    "sin": "sin", "cos": "cos", "tan": "tan", "tg": "tan", "tanh": "tanh", "th": "tanh",
    "exp": "exp", "ln": "log", "log": "log", "lg": "lg", "sqrt": "sqrt",
    "sigmoid": "sigmoid", "sigma": "sigmoid", "σ": "sigmoid", "relu": "relu", "ReLU": "relu",
    "abs": "abs", "max": "max", "min": "min", "sign": "sign", "sgn": "sign", "step": "step",
    "cot": "cot", "ctg": "cot", "coth": "coth", "cth": "coth", "sinh": "sinh", "sh": "sinh",
    "cosh": "cosh", "ch": "cosh", "leaky_relu": "leaky_relu",
}
#: Functions recognised only to say they are not supported.
UNSUPPORTED_FUNCTIONS = frozenset({
    "arcsin", "arccos", "arctan", "arctg", "asin", "acos", "atan", "sec", "csc", "cosec",
    "arsinh", "arcosh", "artanh", "softmax", "floor", "ceil", "round", "mod", "det", "lim",
})
#: The functions named in messages.
KNOWN_FUNCTIONS = ("sin, cos, tan (tg), tanh (th), exp, ln, log, sqrt, sigmoid (σ), relu, abs, "
                   "max, min, sign, step")
_ARITY = {"max": (2, 2), "min": (2, 2), "leaky_relu": (1, 2)}
#: Derivatives written with a prime: f'(a) -> text template in terms of the argument.
_PRIMED = {
    "sigmoid": "sigmoid(a)*(1 - sigmoid(a))", "tanh": "1 - tanh(a)^2", "sin": "cos(a)",
    "cos": "-sin(a)", "exp": "exp(a)", "log": "1/a", "sqrt": "1/(2*sqrt(a))",
}
_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "tau", "upsilon", "phi",
    "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Phi", "Psi",
    "Omega",
}
_LATEX_SKIP = {
    "left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "bigg", "Bigg", "biggl",
    "biggr", "Biggl", "Biggr", "displaystyle", "textstyle", "quad", "qquad", "limits",
    "nolimits", "middle",
}
_LATEX_OPS = {"cdot": "*", "times": "*", "ast": "*", "div": "/"}
_LATEX_FUNCS = {"sin", "cos", "tan", "tanh", "exp", "ln", "log", "th", "tg", "ctg", "cot",
                "coth", "sinh", "cosh", "sh", "ch", "sgn", "max", "min", "lg", "cth"}
_LATEX_WRAPPERS = {"operatorname", "mathrm", "text", "textrm", "mathit", "mathbf",
                   "boldsymbol", "mathsf", "textit", "textbf", "mathnormal", "rm"}
_LATEX_ACCENTS = {"hat": "hat", "widehat": "hat"}
#: Commands that read files, define macros or run code in TeX: refused by name.
LATEX_REFUSED = frozenset({
    "input", "include", "includeonly", "def", "edef", "gdef", "xdef", "let", "futurelet",
    "newcommand", "renewcommand", "providecommand", "DeclareMathOperator", "DeclareRobustCommand",
    "newenvironment", "renewenvironment", "write", "immediate", "openout", "openin", "read",
    "readline", "closein", "closeout", "catcode", "csname", "endcsname", "expandafter",
    "noexpand", "usepackage", "RequirePackage", "documentclass", "special", "directlua",
    "latelua", "luaexec", "loop", "repeat", "begin", "end", "makeatletter", "makeatother",
    "jobname", "uppercase", "lowercase", "string", "char", "shipout", "output", "everypar",
    "afterassignment", "aftergroup", "scantokens", "detokenize", "unexpanded", "pdfprimitive",
    "pdfshellescape", "ShellEscape", "write18", "href", "url", "input@path", "verb", "lstinline",
    "newif", "ifx", "if", "else", "fi", "relax", "global", "long", "outer", "protected",
    "setbox", "hbox", "vbox", "count", "dimen", "skip", "toks", "newcount", "advance",
    "multiply", "divide", "number", "romannumeral", "the", "showthe", "message", "errmessage",
    "typeout", "typein", "endinput", "dump", "batchmode", "nonstopmode", "scrollmode",
    "errorstopmode", "openany", "Include", "subfile", "import", "subimport", "inputminted",
    "lstinputlisting", "verbatiminput", "includegraphics", "tikz", "pgfmathparse",
})
_LATEX_UNSUPPORTED = {"partial", "sum", "int", "prod", "lim", "infty", "nabla", "mathbb",
                      "to", "rightarrow", "approx", "pm", "mp", "leq", "geq", "neq", "bar",
                      "dot", "ddot", "vec", "overline", "underline", "prime", "circ", "odot"}
_CYRILLIC = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "к": "k",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X",
}
_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6",
                 "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "+"}
_CHAR_OPS = {"+": "+", "-": "-", "−": "-", "–": "-", "—": "-", "*": "*", "·": "*", "⋅": "*",
             "×": "*", "∗": "*", "•": "*", "/": "/", "÷": "/", "∕": "/"}
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_NUMBER = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_DIGITS = frozenset("0123456789")
_GREEK_LETTERS = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon",
                  "η": "eta", "θ": "theta", "λ": "lambda", "μ": "mu", "τ": "tau", "φ": "phi",
                  "ω": "omega"}
#: Short Russian function names that are also products of one-letter names (c·h).
_SHORT_FUNCTIONS = frozenset({"sh", "ch", "th", "cth", "tg", "ctg", "lg"})


# --- tokens ----------------------------------------------------------------------------------


@dataclass
class _Token:
    kind: str   # NUM NAME FUNC CONST OP POW OPEN CLOSE BAR ABSOPEN COMMA PRIME FRAC SQRT END
    text: str
    pos: int
    end: int
    space: bool = False  # whitespace before the token
    extra: Any = None    # FUNC: log base; OPEN/CLOSE: the bracket character


def _error(message: Message, source: str, pos: int | None) -> AnswerError:
    if pos is None:
        return AnswerError(message)
    pos = min(max(pos, 0), len(source))
    line = source.count("\n", 0, pos) + 1
    start = source.rfind("\n", 0, pos) + 1
    column = pos - start + 1
    end = source.find("\n", pos)
    text = source[start: end if end >= 0 else len(source)]
    lo = max(0, column - 1 - 60)
    prefix = "..." if lo else ""
    excerpt = f"  {prefix}{text[lo:lo + 120]}\n  {' ' * (len(prefix) + column - 1 - lo)}^"
    return AnswerError(message, line=line, column=column, excerpt=excerpt)


class _Lexer:
    """Turns the answer into tokens, resolving words against the known names."""

    def __init__(self, source: str, start: int, end: int, reader: _Reader) -> None:
        self.s = source
        self.i = start
        self.end = end
        self.r = reader
        self.tokens: list[_Token] = []

    def fail(self, code: str, pos: int, **params: Any) -> AnswerError:
        return _error(Message(code, params), self.s, pos)

    def add(self, kind: str, text: str, pos: int, end: int, space: bool, extra: Any = None,
            ) -> None:
        self.tokens.append(_Token(kind, text, pos, end, space, extra))

    def run(self) -> list[_Token]:
        s, n = self.s, self.end
        space = False
        while self.i < n:
            ch = s[self.i]
            start = self.i
            if ch.isspace() or ch == "~":
                space = True
                self.i += 1
                continue
            if ch in _DIGITS or (ch == "." and self.i + 1 < n and s[self.i + 1] in _DIGITS):
                self.number(space)
            elif ch.isalpha():
                self.word(space)
            elif ch == "\\":
                self.command(space)
            elif ch == "*" and s.startswith("**", self.i):
                self.add("POW", "^", start, start + 2, space)
                self.i += 2
            elif ch in _CHAR_OPS:
                self.add("OP", _CHAR_OPS[ch], start, start + 1, space)
                self.i += 1
            elif ch == "^":
                self.add("POW", "^", start, start + 1, space)
                self.i += 1
            elif ch in _SUPERSCRIPTS:
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
            elif ch == "√":
                self.add("SQRT", "√", start, start + 1, space)
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

    def number(self, space: bool) -> None:
        m = _NUMBER.match(self.s, self.i, self.end)
        assert m is not None
        mantissa, exponent = m.group(1), m.group(2)
        digits = sum(c.isdigit() for c in m.group(0))
        if digits > MAX_DIGITS:
            raise self.fail("number_too_long", self.i, digits=digits, limit=MAX_DIGITS)
        if exponent is not None:
            # 2e-3 is scientific notation, but 2e^x is 2*e^x: only digits after e count.
            text = m.group(0)
            self.r.warn("scientific_number", text=text, reading=_normal_number(text))
        text = _normal_number(mantissa + (exponent or ""))
        self.add("NUM", text, self.i, m.end(), space)
        self.i = m.end()

    def superscript(self, space: bool) -> None:
        start = self.i
        inner = []
        while self.i < self.end and self.s[self.i] in _SUPERSCRIPTS:
            inner.append(_SUPERSCRIPTS[self.s[self.i]])
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
        while j < n and (s[j].isalnum()) and s[j] not in _SUPERSCRIPTS:
            ch = s[j]
            if ch.isdigit() and ch not in _DIGITS:
                break
            if ch in _CYRILLIC:
                self.r.note_once("cyrillic_letter", letter=ch, latin=_CYRILLIC[ch])
                ch = _CYRILLIC[ch]
            elif ch == "ŷ":
                ch = "yhat"
            elif ch in _GREEK_LETTERS:
                ch = _GREEK_LETTERS[ch]
            elif not ch.isascii() and ch not in "σπ" and not ch.isdigit():
                if ch.isalpha() and ch.lower() in _CYRILLIC:
                    ch = _CYRILLIC[ch.lower()]
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
            if full in self.r.names or full in FUNCTION_WORDS or full in self.r.functions:
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
        if name in (",", ";", ":", "!", " ", "\\") or name in _LATEX_SKIP:
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
        if name in ("{", "}"):
            self.add("OPEN" if name == "{" else "CLOSE", name, start, j, space, name)
        elif name in ("lvert", "rvert"):
            if name == "lvert":
                self.add("ABSOPEN", "|", start, j, space)
            else:
                self.add("CLOSE", "|", start, j, space, "|")
        elif name in _LATEX_OPS:
            self.add("OP", _LATEX_OPS[name], start, j, space)
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
        elif name in _LATEX_FUNCS:
            if name == "log" and self.i < n and s[self.i] == "_":
                self.add("FUNC", "log", start, self.i, space, self.subscript())
                return
            self.resolve(name, start, j, space)
        elif name == "sigma":
            self.resolve("σ", start, j, space)
        elif name == "pi":
            self.resolve("pi", start, j, space)
        elif name in _GREEK:
            word = name
            if self.i < n and s[self.i] == "_":
                word = self.r.join_subscript(word, self.subscript(), self, start)
            self.resolve(word, start, self.i, space)
        elif name in _LATEX_WRAPPERS:
            word = self.group_word(name)
            if self.i < n and s[self.i] == "_":
                word = self.r.join_subscript(word, self.subscript(), self, start)
            self.resolve(word, start, self.i, space)
        elif name in _LATEX_ACCENTS:
            word = self.group_word(name) + _LATEX_ACCENTS[name]
            if self.i < n and s[self.i] == "_":
                word = self.r.join_subscript(word, self.subscript(), self, start)
            self.resolve(word, start, self.i, space)
        elif name in _LATEX_UNSUPPORTED:
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


def _normal_number(text: str) -> str:
    mantissa, _, exponent = text.replace("E", "e").partition("e")
    if mantissa.startswith("."):
        mantissa = "0" + mantissa
    if mantissa.endswith("."):
        mantissa += "0"
    return mantissa + (f"e{exponent}" if exponent else "")


# --- syntax tree -----------------------------------------------------------------------------


@dataclass
class _Node:
    kind: str          # num name call neg add sub mul div pow
    value: str = ""    # number text, name, function
    args: list[_Node] = field(default_factory=list)
    start: int = 0
    end: int = 0
    implicit: bool = False
    grouped: bool = False  # written in brackets


_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}
_SYMBOL = {"add": " + ", "sub": " - ", "mul": "*", "div": "/", "pow": "^"}


def _prec(node: _Node) -> int:
    return _PREC.get(node.kind, 5)


class _Printer:
    """Prints a tree as graphdiff text, recording the answer position of each character."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offsets: list[int] = []

    def emit(self, text: str, pos: int) -> None:
        self.parts.append(text)
        self.offsets.extend([pos] * len(text))

    def text(self) -> str:
        return "".join(self.parts)

    def print(self, root: _Node) -> None:
        # Iterative: (node, phase) frames; strings are emitted directly.
        stack: list[Any] = [root]
        while stack:
            item = stack.pop()
            if isinstance(item, tuple):
                self.emit(*item)
                continue
            node = item
            kind = node.kind
            pos = node.start
            if kind in ("num", "name"):
                self.emit(node.value, pos)
            elif kind == "call":
                frames: list[Any] = [(node.value + "(", pos)]
                for k, arg in enumerate(node.args):
                    if k:
                        frames.append((", ", arg.start))
                    frames.append(arg)
                frames.append((")", node.end - 1))
                stack.extend(reversed(frames))
            elif kind == "neg":
                (a,) = node.args
                frames = [("-", pos), *self.wrapped(a, _prec(a) < 3)]
                stack.extend(reversed(frames))
            else:
                a, b = node.args
                p = _PREC[kind]
                if kind == "pow":
                    left = _prec(a) <= p or (a.kind == "num" and a.value.startswith("-"))
                    right = _prec(b) < p
                elif kind in ("sub", "div"):
                    left, right = _prec(a) < p, _prec(b) <= p
                else:
                    left, right = _prec(a) < p, _prec(b) < p
                frames = [*self.wrapped(a, left), (_SYMBOL[kind], b.start),
                          *self.wrapped(b, right)]
                stack.extend(reversed(frames))

    @staticmethod
    def wrapped(node: _Node, parens: bool) -> list[Any]:
        if parens:
            return [("(", node.start), node, (")", max(node.end - 1, node.start))]
        return [node]


def _to_text(node: _Node) -> str:
    printer = _Printer()
    printer.print(node)
    return printer.text()


# --- parser ----------------------------------------------------------------------------------


class _Parser:
    """Recursive descent with precedence; recursion is bounded by :data:`MAX_DEPTH`."""

    def __init__(self, tokens: list[_Token], source: str, reader: _Reader) -> None:
        self.t = tokens
        self.k = 0
        self.s = source
        self.r = reader
        self.depth = 0
        self.in_args = 0

    # helpers
    def peek(self, ahead: int = 0) -> _Token:
        return self.t[min(self.k + ahead, len(self.t) - 1)]

    def next(self) -> _Token:
        tok = self.t[self.k]
        self.k += 1
        return tok

    def fail(self, code: str, pos: int, **params: Any) -> AnswerError:
        return _error(Message(code, params), self.s, pos)

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail("too_deep", pos, limit=MAX_DEPTH)

    def leave(self) -> None:
        self.depth -= 1

    def starts_operand(self, tok: _Token) -> bool:
        return tok.kind in ("NUM", "NAME", "FUNC", "CONST", "FRAC", "SQRT", "ABSOPEN") or (
            tok.kind == "OPEN")

    def snippet(self, start: int, end: int) -> str:
        return " ".join(self.s[start:end].split())

    # grammar
    def parse(self) -> _Node:
        if self.peek().kind == "END":
            raise self.fail("empty_answer", self.peek().pos)
        node = self.expr()
        tok = self.peek()
        if tok.kind != "END":
            if tok.kind == "CLOSE":
                raise self.fail("unmatched_closing", tok.pos, closing=tok.text)
            if tok.kind == "COMMA":
                raise self.fail("unexpected_token", tok.pos, text=",")
            raise self.fail("unexpected_token", tok.pos, text=tok.text or tok.kind)
        return node

    def expr(self) -> _Node:
        self.enter(self.peek().pos)
        node = self.term()
        while self.peek().kind == "OP" and self.peek().text in "+-":
            op = self.next()
            rhs = self.term()
            node = _Node("add" if op.text == "+" else "sub", args=[node, rhs],
                         start=node.start, end=rhs.end)
        self.leave()
        return node

    def term(self) -> _Node:
        node = self.unary()
        after_division: _Node | None = None
        while True:
            tok = self.peek()
            if tok.kind == "OP" and tok.text in "*/":
                self.next()
                rhs = self.unary()
                node = _Node("mul" if tok.text == "*" else "div", args=[node, rhs],
                             start=node.start, end=rhs.end)
                after_division = node if tok.text == "/" else None
            elif self.starts_operand(tok):
                if tok.kind == "NUM" and self._ends_with_number(node):
                    raise self.fail("unexpected_token", tok.pos, text=tok.text)
                rhs = self.power()
                if after_division is not None:
                    a, b = after_division.args
                    self.r.warn(
                        "implicit_division", text=self.snippet(after_division.start, rhs.end),
                        reading=f"({_to_text(after_division)})*{_wrap(rhs)}",
                        alternative=f"{_wrap(a)}/({_to_text(b)}*{_to_text(rhs)})",
                    )
                node = _Node("mul", args=[node, rhs], start=node.start, end=rhs.end,
                             implicit=True)
                after_division = None
            else:
                return node

    @staticmethod
    def _ends_with_number(node: _Node) -> bool:
        """``2 3`` or ``x^2 3``: a number right after a number is a typo, not a product."""
        while not node.grouped and node.kind in ("mul", "pow", "div"):
            node = node.args[-1]
        return node.kind == "num" and not node.grouped

    def unary(self) -> _Node:
        return self.signed(self.unary, self.power)

    def signed(self, again: Callable[[], _Node], then: Callable[[], _Node]) -> _Node:
        """A leading + or - (each one a nesting level), then ``again``; else ``then``."""
        tok = self.peek()
        if tok.kind == "OP" and tok.text in "+-":
            self.next()
            self.enter(tok.pos)
            operand = again()
            self.leave()
            if tok.text == "+":
                return operand
            return _Node("neg", args=[operand], start=tok.pos, end=operand.end)
        return then()

    def power(self) -> _Node:
        base = self.primary()
        if self.peek().kind != "POW":
            return base
        self.next()
        exponent = self.exponent()
        if base.kind == "euler":
            node = _Node("call", "exp", [exponent], start=base.start, end=exponent.end)
        else:
            node = _Node("pow", args=[base, exponent], start=base.start, end=exponent.end)
        nxt = self.peek()
        bare = not exponent.grouped and exponent.kind in ("num", "name", "neg")
        if bare and self.starts_operand(nxt) and (
                nxt.kind == "OPEN" or base.kind == "euler"):
            rhs_end = self._operand_end()
            text = self.snippet(base.start, rhs_end)
            following = self.snippet(nxt.pos, rhs_end)
            if node.kind == "call":
                reading = f"{_to_text(node)}*{following}"
                alternative = f"exp({_to_text(exponent)}*{following})"
            else:
                reading = f"{_wrap(base)}^{_wrap(exponent)}*{following}"
                alternative = f"{_wrap(base)}^({_to_text(exponent)}*{following})"
            self.r.warn("power_juxtaposition", text=text, reading=reading,
                        alternative=alternative)
        return node

    def _operand_end(self) -> int:
        """End offset of the operand starting at the next token (for quoting)."""
        tok = self.peek()
        if tok.kind != "OPEN":
            return tok.end
        depth = 0
        for j in range(self.k, len(self.t)):
            t = self.t[j]
            if t.kind in ("OPEN", "ABSOPEN"):
                depth += 1
            elif t.kind == "CLOSE":
                depth -= 1
                if depth == 0:
                    return t.end
        return tok.end

    def exponent(self) -> _Node:
        return self.signed(self.exponent, self.nested_power)

    def nested_power(self) -> _Node:
        self.enter(self.peek().pos)
        node = self.power()
        self.leave()
        return node

    def primary(self) -> _Node:
        tok = self.peek()
        kind = tok.kind
        if kind == "NUM":
            self.next()
            return self.decimal_comma(tok)
        if kind == "NAME":
            self.next()
            return _Node("name", tok.text, start=tok.pos, end=tok.end)
        if kind == "CONST":
            self.next()
            if tok.text == "pi":
                return _Node("name", "pi", start=tok.pos, end=tok.end)
            if self.peek().kind == "POW":
                return _Node("euler", "e", start=tok.pos, end=tok.end)
            self.r.note_once("euler_number")
            return _Node("call", "exp", [_Node("num", "1", start=tok.pos, end=tok.end)],
                         start=tok.pos, end=tok.end)
        if kind == "FUNC":
            return self.call()
        if kind == "OPEN":
            return self.group()
        if kind in ("BAR", "ABSOPEN"):
            self.next()
            self.enter(tok.pos)
            saved, self.in_args = self.in_args, 0
            inner = self.expr()
            self.in_args = saved
            self.leave()
            close = self.peek()
            if not ((kind == "BAR" and close.kind == "BAR") or (
                    kind == "ABSOPEN" and close.kind == "CLOSE" and close.text == "|")):
                raise self.fail("expected_closing", tok.pos, opening="|", closing="|")
            self.next()
            return _Node("call", "abs", [inner], start=tok.pos, end=close.end, grouped=True)
        if kind == "FRAC":
            self.next()
            self.enter(tok.pos)
            top = self.latex_argument(tok)
            bottom = self.latex_argument(tok)
            self.leave()
            return _Node("div", args=[top, bottom], start=tok.pos, end=bottom.end, grouped=True)
        if kind == "SQRT":
            return self.sqrt()
        if kind == "END":
            raise self.fail("expected_operand", tok.pos)
        if kind == "CLOSE":
            raise self.fail("unmatched_closing" if tok.text != "|" else "expected_operand",
                            tok.pos, closing=tok.text)
        raise self.fail("expected_operand", tok.pos)

    def decimal_comma(self, tok: _Token) -> _Node:
        comma, after = self.peek(), self.peek(1)
        if (not self.in_args and comma.kind == "COMMA" and not comma.space
                and after.kind == "NUM" and not after.space and after.text.isdigit()
                and tok.text.isdigit()):
            self.k += 2
            value = f"{tok.text}.{after.text}"
            self.r.warn("decimal_comma", text=f"{tok.text},{after.text}", reading=value)
            return _Node("num", value, start=tok.pos, end=after.end)
        return _Node("num", tok.text, start=tok.pos, end=tok.end)

    def group(self) -> _Node:
        tok = self.next()
        self.enter(tok.pos)
        saved, self.in_args = self.in_args, 0
        inner = self.expr()
        self.in_args = saved
        self.leave()
        close = self.peek()
        want = _OPENERS[tok.extra]
        if close.kind != "CLOSE" or close.text != want:
            raise self.fail("expected_closing", tok.pos, opening=tok.text, closing=want)
        self.next()
        return replace(inner, start=tok.pos, end=close.end, grouped=True)

    def latex_argument(self, command: _Token) -> _Node:
        tok = self.peek()
        if tok.kind == "OPEN" and tok.extra == "{":
            return self.group()
        if tok.kind in ("NUM", "NAME", "CONST"):
            return self.primary()
        raise self.fail("expected_group", tok.pos, command=command.text)

    def sqrt(self) -> _Node:
        tok = self.next()
        self.enter(tok.pos)
        index = None
        if self.peek().kind == "OPEN" and self.peek().extra == "[" and tok.text == "sqrt":
            open_tok = self.next()
            index = self.expr()
            close = self.next()
            if close.kind != "CLOSE" or close.text != "]":
                raise self.fail("expected_closing", open_tok.pos, opening="[", closing="]")
        nxt = self.peek()
        if nxt.kind == "OPEN":
            arg = self.group()
        elif nxt.kind in ("NUM", "NAME", "CONST", "FUNC", "FRAC", "SQRT"):
            arg = self.power() if nxt.kind != "FUNC" else self.call()
        else:
            raise self.fail("expected_operand", nxt.pos)
        self.leave()
        if index is None:
            return _Node("call", "sqrt", [arg], start=tok.pos, end=arg.end, grouped=True)
        one = _Node("num", "1", start=index.start, end=index.end)
        exponent = _Node("div", args=[one, index], start=index.start, end=index.end)
        return _Node("pow", args=[arg, exponent], start=tok.pos, end=arg.end, grouped=True)

    def call(self) -> _Node:
        tok = self.next()
        name = tok.text
        primed = False
        if self.peek().kind == "PRIME":
            self.next()
            primed = True
        power = None
        if self.peek().kind == "POW":
            self.next()
            power = self.exponent()
            if power.kind == "neg" and power.args[0].kind == "num" and \
                    power.args[0].value == "1":
                raise self.fail("inverse_function", tok.pos, name=tok.text)
        self.enter(tok.pos)
        nxt = self.peek()
        if nxt.kind == "OPEN" and nxt.extra in "({[":
            args, end = self.arguments()
            bare = False
        else:
            args, end = [self.bare_argument(tok)], None
            bare = True
        self.leave()
        end = end if end is not None else args[-1].end
        node = self.function(tok, name, args, primed, end)
        if power is not None:
            node = _Node("pow", args=[node, power], start=tok.pos, end=max(end, power.end))
        if bare:
            node.end = end
        node.grouped = True
        return node

    def arguments(self) -> tuple[list[_Node], int]:
        open_tok = self.next()
        want = _OPENERS[open_tok.extra]
        args = []
        self.in_args += 1
        while True:
            args.append(self.expr())
            if self.peek().kind == "COMMA":
                self.next()
                continue
            break
        self.in_args -= 1
        close = self.peek()
        if close.kind != "CLOSE" or close.text != want:
            raise self.fail("expected_closing", open_tok.pos, opening=open_tok.text,
                            closing=want)
        self.next()
        return args, close.end

    def bare_argument(self, func: _Token) -> _Node:
        """``sin x``, ``sin 2x``, ``ln x^2``: juxtaposed factors up to an operator."""
        tok = self.peek()
        if tok.kind == "OP" and tok.text in "+-":
            self.next()
            inner = self.bare_argument(func)
            if tok.text == "+":
                return inner
            return _Node("neg", args=[inner], start=tok.pos, end=inner.end)
        if tok.kind not in ("NUM", "NAME", "CONST", "FRAC", "SQRT", "ABSOPEN", "BAR"):
            raise self.fail("expected_operand", tok.pos)
        factors = [self.power()]
        while self.peek().kind in ("NUM", "NAME", "CONST", "FRAC", "SQRT"):
            factors.append(self.power())
        node = factors[0]
        for f in factors[1:]:
            node = _Node("mul", args=[node, f], start=node.start, end=f.end, implicit=True)
        if len(factors) > 1 or any(f.kind == "pow" for f in factors) or \
                self.peek().kind == "OPEN":
            reading = f"{func.text}({_to_text(node)})"
            if self.peek().kind == "OPEN":
                reading += "*" + self.snippet(self.peek().pos, self._operand_end())
            self.r.warn("function_without_parentheses",
                        text=self.snippet(func.pos, max(node.end, self._operand_end()
                                                        if self.peek().kind == "OPEN"
                                                        else node.end)),
                        reading=reading)
        return node

    def function(self, tok: _Token, word: str, args: list[_Node], primed: bool,
                 end: int) -> _Node:
        func = FUNCTION_WORDS.get(word, word)
        low, high = _ARITY.get(func, (1, 1))
        if not low <= len(args) <= high:
            raise self.fail("wrong_arity", tok.pos, name=word,
                            expected=str(low) if low == high else f"{low}-{high}",
                            got=len(args))
        start = tok.pos

        def make(kind: str, value: str = "", args: list[_Node] | None = None) -> _Node:
            return _Node(kind, value, args or [], start=start, end=end)

        def num(v: str) -> _Node:
            return make("num", v)

        if primed:
            if func not in _PRIMED:
                raise self.fail("no_derivative_notation", tok.pos, name=word)
            template = _PRIMED[func]
            (a,) = args
            derived = _expand_template(template, a, make)
            self.r.note("derivative_notation", function=word, argument=_to_text(a),
                        reading=_to_text(derived))
            return derived
        if func == "cot":
            return make("div", args=[num("1"), make("call", "tan", args)])
        if func == "coth":
            return make("div", args=[num("1"), make("call", "tanh", args)])
        if func in ("sinh", "cosh"):
            (a,) = args
            e_plus = make("call", "exp", [a])
            e_minus = make("call", "exp", [make("neg", args=[a])])
            top = make("sub" if func == "sinh" else "add", args=[e_plus, e_minus])
            return make("div", args=[top, num("2")])
        if func == "lg" or (func == "log" and tok.extra):
            base = tok.extra or "10"
            base_node = num(base) if re.fullmatch(r"\d+(\.\d+)?", base) else (
                make("call", "exp", [num("1")]) if base == "e" else None)
            if base_node is None:
                raise self.fail("unsupported_function", tok.pos, name=f"log_{base}")
            return make("div", args=[make("call", "log", args),
                                     make("call", "log", [base_node])])
        return make("call", func, args)


def _expand_template(template: str, arg: _Node, make: Any) -> _Node:
    """Build the tree of a small trusted template such as ``1 - tanh(a)^2``."""
    table: dict[str, Any] = {
        "sigmoid(a)*(1 - sigmoid(a))": lambda a: make("mul", args=[
            make("call", "sigmoid", [a]),
            make("sub", args=[make("num", "1"), make("call", "sigmoid", [a])])]),
        "1 - tanh(a)^2": lambda a: make("sub", args=[
            make("num", "1"), make("pow", args=[make("call", "tanh", [a]), make("num", "2")])]),
        "cos(a)": lambda a: make("call", "cos", [a]),
        "-sin(a)": lambda a: make("neg", args=[make("call", "sin", [a])]),
        "exp(a)": lambda a: make("call", "exp", [a]),
        "1/a": lambda a: make("div", args=[make("num", "1"), a]),
        "1/(2*sqrt(a))": lambda a: make("div", args=[
            make("num", "1"), make("mul", args=[make("num", "2"), make("call", "sqrt", [a])])]),
    }
    node = table[template](arg)
    node.grouped = True
    return node


def _wrap(node: _Node) -> str:
    text = _to_text(node)
    return text if node.kind in ("num", "name", "call") else f"({text})"


# --- the reader ------------------------------------------------------------------------------


class _Reader:
    """Holds the vocabulary of one reading and collects warnings and notes."""

    def __init__(self, names: Sequence[str] | None, functions: Mapping[str, str]) -> None:
        self.strict = names is not None
        self.names = set(names or ())
        self.functions = dict(functions)
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
        return word in self.functions or word in FUNCTION_WORDS

    def function_name(self, word: str) -> str:
        return self.functions.get(word, word)

    def join_subscript(self, word: str, sub: str, lexer: _Lexer, start: int) -> str:
        for candidate in (f"{word}_{sub}", f"{word}{sub}"):
            if candidate in self.names or not self.strict:
                return candidate if self.strict else f"{word}{sub}"
        return f"{word}{sub}"

    def resolve(self, word: str, pos: int, lexer: _Lexer,
                paren: bool = False) -> list[tuple[str, str]]:
        """The tokens a word stands for: a name, a function, a constant, or several."""
        if word in self.names:
            self.use(word)
            return [("NAME", word)]
        if self.is_function(word):
            if self.strict and word in _SHORT_FUNCTIONS and word not in self.functions:
                pieces = self.split(word, functions=False)
                if pieces is not None and not paren:
                    return self._pieces(word, pieces)
                if pieces is not None:
                    self.warn("function_word", name=word, function=FUNCTION_WORDS[word])
            return [("FUNC", self.function_name(word))]
        if word in ("pi", "π"):
            return [("CONST", "pi")]
        if word == "e":
            return [("CONST", "e")]
        if word in UNSUPPORTED_FUNCTIONS:
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
                raise lexer.fail("unknown_function", pos, name=word, known=KNOWN_FUNCTIONS)
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
            vocabulary |= {w for w in FUNCTION_WORDS if w.isascii()} | set(self.functions) \
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
    """Offset after the last top-level '=' (or ≈, \\approx), or ``start``."""
    cut = start
    for m in re.finditer(r"=|≈|\\approx\b|\\simeq\b", text[start:end]):
        cut = start + m.end()
    return cut


def read_answer(
    text: Any,
    names: Iterable[str] | None = None,
    *,
    functions: Mapping[str, str] | None = None,
    max_chars: int = MAX_CHARS,
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
    >>> read_answer("__import__('os')", names=["x"])
    Traceback (most recent call last):
    ...
    graphdiff.checker.answers.AnswerError: line 1, column 1: unexpected character '_'
    ...
    """
    if not isinstance(text, str):
        raise AnswerError(Message("not_text", {"type": type(text).__name__}))
    if len(text) > max_chars:
        raise AnswerError(Message("too_long", {"length": f"{len(text):,}",
                                               "limit": f"{max_chars:,}"}))
    for pos, ch in enumerate(text):
        if (ord(ch) < 32 and ch not in "\n\t\r") or 0x7f <= ord(ch) < 0xa0:
            raise _error(Message("control_character", {"char": repr(ch)}), text, pos)
    reader = _Reader(list(names) if names is not None else None, functions or {})
    for m in _LATEX_COMMAND.finditer(text):
        if m.group(1) in LATEX_REFUSED or m.group(1).startswith(("write", "input")):
            raise _error(Message("latex_refused", {"command": m.group(1)}), text, m.start())
    start, end = _strip_delimiters(text)
    cut = _after_equals(text, start, end)
    if cut != start:
        bad = _LEFT_SIDE_BAD.search(text, start, cut) or _LEFT_SIDE_CODE.search(text, start,
                                                                                 cut)
        if bad:
            raise _error(Message("unexpected_character", {"char": bad.group(0)}), text,
                         bad.start())
        reader.note("read_after_equals")
        start = cut
        start2, end2 = _strip_delimiters(text[start:end])
        start, end = start + start2, start + end2
    depth = 0
    for pos in range(start, end):
        ch = text[pos]
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _error(Message("too_deep", {"limit": MAX_DEPTH}), text, pos)
        elif ch in ")]}":
            depth = max(0, depth - 1)
    tokens = _Lexer(text, start, end, reader).run()
    tree = _Parser(tokens, text, reader).parse()
    _check_constants(tree, text)
    printer = _Printer()
    printer.print(tree)
    return Reading(
        original=text, expression=printer.text(), warnings=tuple(reader.warnings),
        notes=tuple(reader.notes), names=tuple(reader.used), offsets=tuple(printer.offsets),
    )


# --- constants -------------------------------------------------------------------------------

_FLOAT_FUNCS: dict[str, Any] = {
    "exp": math.exp, "log": math.log, "sqrt": math.sqrt, "sin": math.sin, "cos": math.cos,
    "tan": math.tan, "tanh": math.tanh, "abs": abs,
    "sigmoid": lambda a: 1 / (1 + math.exp(-a)) if a > -700 else 0.0,
    "relu": lambda a: max(a, 0.0), "sign": lambda a: float((a > 0) - (a < 0)),
    "step": lambda a: 1.0 if a >= 0 else 0.0, "max": max, "min": min,
    "leaky_relu": lambda a, alpha=0.01: a if a > 0 else alpha * a,
}


def _check_constants(root: _Node, source: str) -> None:
    """Refuse a constant part whose value overflows (``exp(exp(exp(100)))``).

    Every subtree without names is evaluated in floating point, bottom up, without
    recursion; a value over :data:`MAX_CONSTANT` (or an overflow) is refused before the
    exact constant folding of the core parser could spend unbounded time on it.
    Domain errors (``log(-1)``) are left to the core parser, which names them.
    """
    values: dict[int, float | None] = {}
    stack: list[tuple[_Node, bool]] = [(root, False)]
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
        if any(a is None for a in args):
            values[id(node)] = None
            continue
        try:
            value = _float_op(node, args)
        except (OverflowError, ValueError, ZeroDivisionError, TypeError):
            value = math.inf if _overflows(node, args) else math.nan
        if value is not None and (math.isinf(value) or abs(value) > MAX_CONSTANT):
            raise _error(Message("constant_too_large",
                                 {"text": " ".join(source[node.start:node.end].split())[:60]}),
                         source, node.start)
        values[id(node)] = None if value is None or math.isnan(value) else value


def _float_op(node: _Node, args: list[Any]) -> float | None:
    kind = node.kind
    if kind == "neg":
        return -args[0]
    if kind == "add":
        return args[0] + args[1]
    if kind == "sub":
        return args[0] - args[1]
    if kind == "mul":
        return args[0] * args[1]
    if kind == "div":
        return args[0] / args[1]
    if kind == "pow":
        a, b = args
        if a == 0 and b < 0:
            return math.nan
        if a < 0 and b != int(b):
            return math.nan
        return float(a) ** float(b)
    if kind == "call":
        fn = _FLOAT_FUNCS.get(node.value)
        return None if fn is None else float(fn(*args))
    return None


def _overflows(node: _Node, args: list[Any]) -> bool:
    if node.kind == "pow":
        a, b = args
        return (abs(a) > 1 and b > 0) or (abs(a) < 1 and a != 0 and b < 0)
    if node.kind == "call" and node.value in ("exp", "sigmoid"):
        return args[0] > 0
    return node.kind in ("mul", "add", "sub")
