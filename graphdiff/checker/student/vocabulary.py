"""The words of student answers: functions from the op registry, and fixed syntax tables.

Every function word comes from the registry (:data:`graphdiff.ops.OPS`): an op's name and
its ``words`` column (``tg``, ``th``, ``σ``, ``sgn``, ``arctg``, sympy's ``Max``...).  An op
added with :func:`graphdiff.define_op` is a word here at once.  The tables below it are
syntax, not op knowledge: LaTeX commands, Greek letters, look-alike Cyrillic letters.

>>> function_words()["tg"], function_words()["arctg"], function_words()["ln"]
('tan', 'atan', 'log')
>>> arity("leaky_relu"), arity("max"), arity("lg")
((1, 2), (2, 2), (1, 1))
>>> "th" in short_words() and "sin" not in short_words()
True
"""

from __future__ import annotations

import re

from ...notation import FROM_SUPERSCRIPT
from ...ops import OPS, is_function

#: Words the parser expands itself (not ops): ``lg x`` is ``log(x)/log(10)``.
EXPANDED_WORDS = {"lg": "lg"}

#: Function words recognised only to say they are not supported (unless an op has them).
_UNSUPPORTED = frozenset({
    "softmax", "floor", "ceil", "round", "mod", "det", "lim", "arcctg", "arccot", "acot",
    "arcsec", "arccsc", "arccosec", "erf", "gamma_function",
})


def function_words(matrices: bool = False) -> dict[str, str]:
    """Every function word -> the op (or expansion) it names, read from the registry.

    The ops of matrices (those with a ``shape`` rule: ``det``, ``tr``, ``softmax``,
    ``sum``, ...) are words only where the answer is about matrices (``matrices=True``); in
    an answer about numbers they are refused as not supported.

    >>> function_words()["σ"], function_words()["Heaviside"]
    ('sigmoid', 'step')
    >>> "det" in function_words(), function_words(matrices=True)["trace"]
    (False, 'tr')
    """
    words: dict[str, str] = {}
    for op in OPS.values():
        if is_function(op) and (matrices or op.elementwise):
            words[op.name] = op.name
            words.update((word, op.name) for word in op.words)
    return words | EXPANDED_WORDS


def matrix_words() -> frozenset[str]:
    """The words of the ops of matrices (registry ops with a ``shape`` rule).

    >>> {"det", "tr", "trace", "softmax"} <= matrix_words(), "sin" in matrix_words()
    (True, False)
    """
    return frozenset(function_words(matrices=True)) - frozenset(function_words())


def arity(function: str) -> tuple[int, int]:
    """Fewest and most arguments of a function (trailing defaults may be left out).

    >>> arity("sin")
    (1, 1)
    """
    op = OPS.get(function)
    if op is None:
        return (1, 1)
    return (op.arity - len(op.defaults), op.arity)


def short_words() -> frozenset[str]:
    """Short other words (``sh``, ``ch``, ``th``, ``tg``, ``ln``) that are also products of
    one-letter names: with names ``t`` and ``h``, ``th`` without brackets is ``t*h``.

    >>> sorted(w for w in short_words() if w.startswith("t"))
    ['tg', 'th']
    """
    return frozenset(word for word, function in function_words().items()
                     if word != function and len(word) <= 3 and re.fullmatch("[a-z]+", word))


def latex_functions(matrices: bool = False) -> frozenset[str]:
    """Words read as functions after a backslash (``\\tanh``, ``\\arctg``, ``\\sgn``).

    >>> {"tanh", "arcsin", "ctg"} <= latex_functions(), "det" in latex_functions(True)
    (True, True)
    """
    return frozenset(word for word in function_words(matrices)
                     if re.fullmatch("[A-Za-z]+", word))


def unsupported_words(matrices: bool = False) -> frozenset[str]:
    """Function words that get "not supported" instead of "unknown name": in an answer
    about numbers, the ops of matrices among them.

    >>> "floor" in unsupported_words(), "asin" in unsupported_words()
    (True, False)
    >>> "det" in unsupported_words(), "det" in unsupported_words(matrices=True)
    (True, False)
    """
    return (_UNSUPPORTED | matrix_words()) - function_words(matrices).keys()


def known_functions(matrices: bool = False) -> str:
    """The functions named in messages, with the other words students may write.

    >>> known_functions().startswith("abs (Abs), acos (arccos)")
    True
    >>> "tr (trace)" in known_functions(), "tr (trace)" in known_functions(matrices=True)
    (False, True)
    """
    shown = []
    for op in sorted((op for op in OPS.values() if is_function(op)
                      and (matrices or op.elementwise)), key=lambda o: o.name):
        shown.append(op.name + (f" ({', '.join(op.words)})" if op.words else ""))
    return ", ".join(shown)


# --- syntax tables (not op knowledge) --------------------------------------------------------

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "tau", "upsilon", "phi",
    "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Phi", "Psi",
    "Omega",
}
LATEX_SKIP = {
    "left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "bigg", "Bigg", "biggl",
    "biggr", "Biggl", "Biggr", "displaystyle", "textstyle", "quad", "qquad", "limits",
    "nolimits", "middle",
}
LATEX_OPS = {"cdot": "*", "times": "*", "ast": "*", "div": "/"}
LATEX_WRAPPERS = {"operatorname", "mathrm", "text", "textrm", "mathit", "mathbf",
                   "boldsymbol", "mathsf", "textit", "textbf", "mathnormal", "rm"}
LATEX_ACCENTS = {"hat": "hat", "widehat": "hat"}
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
LATEX_UNSUPPORTED = {"partial", "sum", "int", "prod", "lim", "infty", "nabla", "mathbb",
                      "to", "rightarrow", "approx", "pm", "mp", "leq", "geq", "neq", "bar",
                      "dot", "ddot", "vec", "overline", "underline", "prime", "circ", "odot"}
CYRILLIC = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "к": "k",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X",
}
#: Superscript digits and signs as typed (x², e⁻ˣ is not read): the one map, in notation.
SUPERSCRIPTS = {sup: plain for sup, plain in FROM_SUPERSCRIPT.items() if plain in "0123456789+-"}
CHAR_OPS = {"+": "+", "-": "-", "−": "-", "–": "-", "—": "-", "*": "*", "·": "*", "⋅": "*",
             "×": "*", "∗": "*", "•": "*", "/": "/", "÷": "/", "∕": "/"}
OPENERS = {"(": ")", "[": "]", "{": "}"}
NUMBER = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
DIGITS = frozenset("0123456789")
GREEK_LETTERS = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon",
                  "η": "eta", "θ": "theta", "λ": "lambda", "μ": "mu", "τ": "tau", "φ": "phi",
                  "ω": "omega"}


# --- matrix answers only (the problem declares shapes) ------------------------------------------

#: Product signs that always mean the entrywise (Hadamard) product of matrices.
ELEMENTWISE_SIGNS = frozenset("*∗⊙∘◦")
#: Product signs read by the shapes: the matrix product where only it fits (``·``, ``×``).
SHAPE_DECIDED_SIGNS = frozenset("·⋅•×")
#: LaTeX product commands in matrix answers: ``elementwise`` or decided by the shapes.
MATRIX_LATEX_PRODUCTS = {"odot": "elementwise", "circ": "elementwise", "ast": "elementwise",
                         "cdot": "shapes", "times": "shapes", "bullet": "shapes"}
#: Comparisons of an Iverson bracket in matrix answers, ``G ⊙ [H > 0]`` (the ReLU mask):
#: ``[a > b]`` and ``[a ≥ b]`` read as ``step(a - b)``, ``[a < b]`` and ``[a ≤ b]`` as
#: ``step(b - a)`` (they differ only where the two sides are equal).
COMPARISONS = {">": ">", "≥": ">", "⩾": ">", "<": "<", "≤": "<", "⩽": "<"}
LATEX_COMPARISONS = {"gt": ">", "geq": ">", "ge": ">", "geqslant": ">", "lt": "<",
                     "leq": "<", "le": "<", "leqslant": "<"}
#: Signs of the transpose written after a matrix (Xᵀ, X⊤), besides ^T and .T.
TRANSPOSE_SIGNS = frozenset("ᵀ⊤")
_TRANSPOSE_MARK = (r"(?:T|⊤|ᵀ|\\top|\\intercal|\\(?:mathsf|mathrm|textsf|text|rm|mathbf)"
                   r"\s*\{\s*T\s*\}|\\(?:mathsf|mathrm|rm)\s+T)")
#: ``^T``, ``^{T}``, ``^\top``, ``^{\mathsf{T}}``, ``^⊤``: a transpose, not a power.
CARET_TRANSPOSE = re.compile(r"\^\s*(?:\{\s*" + _TRANSPOSE_MARK + r"\s*\}|" + _TRANSPOSE_MARK
                             + r"(?![A-Za-z0-9_]))")
#: ``.T`` after a matrix (numpy's spelling).
DOT_TRANSPOSE = re.compile(r"\.T(?![A-Za-z0-9_])")
