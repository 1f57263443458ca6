"""How graphdiff writes things down: names and their marks, numbers, scripts, excerpts.

The bottom layer: it imports nothing from graphdiff, so every other module (the op
table, the errors, the printer, the engines, the checker) writes names and numbers
the same way.

Names follow one convention, the one :func:`pretty_name` reads: trailing digits and
``_i`` are subscripts (``w12``, ``net_j``), Greek letter names are letters (``alpha``),
and ``_hat``, ``_bar``, ``_dot``, ``_tilde``, ... are accents (``y_hat`` is ŷ).

**Tangents and adjoints** (forward mode's ẇ, reverse mode's w̄) are names too, made by
:func:`decorated`.  The mark must cover the whole name, so that the adjoint of ``num``
cannot be read as ``n̄`` followed by ``um``, nor the adjoint of ŷ as ȳ with a hat:

==================  ============  ====================  ==================
the name            plain text    Unicode               LaTeX
==================  ============  ====================  ==================
``w3`` (one letter) ``w̄3``, ``ẇ3``  w̄₃, ẇ₃               ``\\bar{w}_{3}``
``num``             ``num_bar``   n̅u̅m̅ (one overline)   ``\\overline{num}``
``num``             ``num_dot``   ṅu̇ṁ                  ``\\dot{num}``
``y_hat`` (ŷ)       ``y_hat_bar`` ŷ̅ (overline on top)   ``\\bar{\\hat{y}}``
``alpha`` (α)       ``alpha_bar`` ᾱ                    ``\\bar{\\alpha}``
==================  ============  ====================  ==================

A one-letter name carries the combining mark on its letter, as the seeds write it.
Any other name -- several letters, a Greek letter's name, or an accent already on it --
gets the mark as one more accent at the end of its name (``_bar``, ``_dot``), which is
unambiguous as plain text and which Unicode and LaTeX draw over the whole name.

>>> decorated("w3", BAR) == "w\\u03043", decorated("num", BAR), decorated("y_hat", DOT)
(True, 'num_bar', 'y_hat_dot')
>>> [pretty_name(decorated(n, BAR)) for n in ("w3", "num", "y_hat")] == [
...     "w\\u0304₃", "n\\u0305u\\u0305m\\u0305", "ŷ\\u0305"]
True
>>> latex_name(decorated("num", BAR)), latex_name(decorated("y_hat", BAR))
('\\\\overline{num}', '\\\\bar{\\\\hat{y}}')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy
from sympy.printing.conventions import split_super_sub
from sympy.printing.pretty.pretty_symbology import greek_unicode

# --- marks of tangents and adjoints -----------------------------------------------------

DOT = "\u0307"  # combining dot above: ẇ, a tangent (forward mode)
BAR = "\u0304"  # combining macron: w̄, an adjoint (reverse mode)
#: A bar drawn over several letters or above an accent: the combining overline joins from
#: letter to letter (n̅u̅m̅) and stacks above a hat (ŷ̅), where a macron would not.
OVERLINE = "\u0305"

_MARK_WORDS = {BAR: "bar", DOT: "dot"}
_MARK_OF_WORD = {word: mark for mark, word in _MARK_WORDS.items()}

#: Accents written as a name's last ``_word`` (``y_hat``), with their combining marks.
ACCENTS = {"hat": "\u0302", "bar": "\u0304", "dot": "\u0307", "ddot": "\u0308",
           "tilde": "\u0303", "vec": "\u20d7", "prime": "′"}
_LATEX_ACCENTS = {"hat": "\\hat", "bar": "\\bar", "dot": "\\dot", "ddot": "\\ddot",
                  "tilde": "\\tilde", "vec": "\\vec", "prime": None}


def _parts(name: str) -> tuple[str, list[str], list[str], list[str]]:
    """``name`` as (main, superscripts, subscripts, accents), accents innermost first."""
    main, supers, subs = split_super_sub(name)
    accents: list[str] = []
    while subs and subs[-1] in ACCENTS:
        accents.insert(0, subs.pop())
    return main, list(supers), subs, accents


def _strip_marks(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


#: The common case, decided without sympy's name splitting: a letter and digits (w17).
_LETTER_AND_DIGITS = re.compile(r"[A-Za-z][0-9]*")


def _takes_combined_mark(name: str) -> bool:
    """Whether a mark on the first letter covers the whole name: one letter, no accent."""
    if _LETTER_AND_DIGITS.fullmatch(name):  # 20× faster than splitting, on every w-node
        return True
    main, _, _, accents = _parts(_strip_marks(name))
    return len(main) == 1 and not accents


def decorated(name: str, mark: str) -> str:
    """The name of ``name``'s tangent (``mark=DOT``) or adjoint (``mark=BAR``).

    A one-letter name takes the combining mark on its letter (``ẇ3``, ``w̄3``; NFC, so
    ``ẋ`` is the single character U+1E8B as typed on a keyboard); any other name takes
    the mark as a last accent (``num_bar``, ``y_hat_dot``), which every style draws
    over the whole name (see the module's table).

    >>> decorated("w3", BAR) == "w\\u03043", decorated("x1", DOT) == "\\u1e8b1"
    (True, True)
    >>> decorated("net_j", BAR), decorated("alpha", DOT)
    ('net_j_bar', 'alpha_dot')
    """
    if _takes_combined_mark(name):
        return unicodedata.normalize("NFC", name[:1] + mark + name[1:])
    return f"{name}_{_MARK_WORDS[mark]}"


def split_decoration(name: str) -> tuple[str, str]:
    """``(name, mark)`` of a tangent's or adjoint's name; ``(name, "")`` for other names.

    >>> split_decoration(decorated("w3", BAR)) == ("w3", BAR)
    True
    >>> split_decoration("num_dot") == ("num", DOT), split_decoration("x_bar")
    (True, ('x_bar', ''))

    ``x_bar`` is the name x̄ that a user chose, not the adjoint of ``x`` (which is ``x̄``).
    """
    base, _, word = name.rpartition("_")
    if word in _MARK_OF_WORD and base and not _takes_combined_mark(base):
        return base, _MARK_OF_WORD[word]
    # The combined form: the mark last put on the first letter is its last combining mark.
    decomposed = unicodedata.normalize("NFD", name)
    end = 1
    while end < len(decomposed) and unicodedata.combining(decomposed[end]):
        end += 1
    if end > 1 and decomposed[end - 1] in _MARK_WORDS:
        undecorated = decomposed[: end - 1] + decomposed[end:]
        return unicodedata.normalize("NFC", undecorated), decomposed[end - 1]
    return name, ""


def _peel(name: str) -> tuple[str, list[str]]:
    """The name without its marks, and the marks, innermost first (a Hessian's x̄̇)."""
    marks: list[str] = []
    while True:
        base, mark = split_decoration(name)
        if not mark:
            return name, marks
        marks.insert(0, mark)
        name = base


# --- Unicode sub- and superscripts ------------------------------------------------------

#: The characters Unicode has as subscripts and as superscripts.
SUBSCRIPTS = dict(zip("0123456789+-=()aehijklmnoprstuvx",
                      "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
SUPERSCRIPTS = dict(zip("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ", strict=True))
#: Superscript character -> the plain character (for readers of typed text: x²).
FROM_SUPERSCRIPT = {sup: plain for plain, sup in SUPERSCRIPTS.items()}

_SUB = str.maketrans(SUBSCRIPTS)
_SUP = str.maketrans(SUPERSCRIPTS)
_INTEGER = re.compile(r"-?\d+")


def subscript(text: str) -> str | None:
    """``text`` in subscript characters, or None when Unicode lacks one of them.

    >>> subscript("12"), subscript("j"), subscript("q")
    ('₁₂', 'ⱼ', None)
    """
    return text.translate(_SUB) if set(text) <= SUBSCRIPTS.keys() else None


def superscript(text: str) -> str | None:
    """``text`` in superscript characters, or None when Unicode lacks one of them.

    >>> superscript("-2"), superscript("n"), superscript("y")
    ('⁻²', 'ⁿ', None)
    """
    return text.translate(_SUP) if text and set(text) <= SUPERSCRIPTS.keys() else None


def integer_superscript(text: str) -> str | None:
    """An integer exponent raised (``"-2"`` -> ``"⁻²"``); None for any other exponent.

    Only integers are raised: ``x^n`` stays on the line, where it reads as a power.

    >>> integer_superscript("2"), integer_superscript("-12"), integer_superscript("n")
    ('²', '⁻¹²', None)
    """
    return text.translate(_SUP) if _INTEGER.fullmatch(text) else None


# --- names --------------------------------------------------------------------------------


def _letters(main: str) -> str:
    return greek_unicode.get(main, main)


def _with_marks(letters: str, accents: Sequence[str], marks: Sequence[str]) -> str:
    """Accents on the first letter; each mark on every letter, so that it covers the name.

    One letter takes the mark itself (w̄, ẇ).  Over several letters, or above an accent
    or another mark, a bar is the combining overline, which joins from letter to letter
    (n̅u̅m̅) and stacks above a hat (ŷ̅); a dot goes on every letter (ṅu̇ṁ).
    """
    combining = "".join(ACCENTS[a] for a in accents if a != "prime")
    primes = "′" * sum(1 for a in accents if a == "prime")
    clusters = [letters[:1] + combining, *letters[1:]]
    for mark in marks:
        stacked = any(unicodedata.combining(ch) for ch in clusters[0])
        cover = OVERLINE if mark == BAR and (len(clusters) > 1 or stacked) else mark
        clusters = [cluster + cover for cluster in clusters]
    return "".join(clusters) + primes


def pretty_name(name: str) -> str:
    """A name as a mathematician writes it: subscripts, Greek letters, accents, marks.

    Trailing digits and ``_i`` become subscripts, Greek letter names become letters,
    ``_hat`` (and ``_bar``, ``_dot``, ``_tilde``) become accents, and the marks of
    tangents and adjoints cover the whole name (see :func:`decorated`).

    >>> [pretty_name(n) for n in ("x1", "w12", "y_hat", "alpha", "net_j", "o2", "L")]
    ['x₁', 'w₁₂', 'ŷ', 'α', 'netⱼ', 'o₂', 'L']
    >>> pretty_name(decorated("w3", BAR)) == "w\\u0304₃", pretty_name(decorated("x1", DOT))
    (True, 'ẋ₁')
    >>> pretty_name(decorated("net_j", BAR)) == "n\\u0305e\\u0305t\\u0305ⱼ"
    True
    """
    base, marks = _peel(name)
    main, supers, subs, accents = _parts(base)
    text = _with_marks(_letters(main), accents, marks)
    for sub in subs:
        sub = greek_unicode.get(sub, sub)
        text += subscript(sub) or f"_{sub}"
    for sup in supers:
        text += superscript(sup) or f"^{sup}"
    return unicodedata.normalize("NFC", text)


def latex_name(name: str) -> str:
    """A name in LaTeX: ``w_{3}``, ``\\alpha``, ``\\hat{y}``; marks over the whole name.

    Plain names are sympy's LaTeX of the symbol; accents and the marks of tangents and
    adjoints go on the name's main part: ``\\dot{w}_{3}``, ``\\overline{num}`` (a bar
    over several letters), ``\\bar{\\hat{y}}``.

    >>> [latex_name(n) for n in ("w3", "alpha", "y_hat", decorated("w3", DOT))]
    ['w_{3}', '\\\\alpha', '\\\\hat{y}', '\\\\dot{w}_{3}']
    >>> latex_name(decorated("net_j", BAR)), latex_name(decorated("alpha", BAR))
    ('\\\\overline{net}_{j}', '\\\\bar{\\\\alpha}')
    """
    base, marks = _peel(name)
    main, supers, subs, accents = _parts(base)
    if not marks and not accents:
        return sympy.latex(sympy.Symbol(name))
    head = sympy.latex(sympy.Symbol(main))
    for accent in accents:
        command = _LATEX_ACCENTS[accent]
        head = f"{command}{{{head}}}" if command else head + "'"
    for mark in marks:
        wide = mark == BAR and re.fullmatch(r"[A-Za-z]{2,}", head)
        command = "\\overline" if wide else "\\bar" if mark == BAR else "\\dot"
        head = f"{command}{{{head}}}"
    scripts = ""
    if subs:
        scripts += "_{" + " ".join(sympy.latex(sympy.Symbol(s)) for s in subs) + "}"
    if supers:
        scripts += "^{" + " ".join(sympy.latex(sympy.Symbol(s)) for s in supers) + "}"
    return head + scripts


# --- numbers ------------------------------------------------------------------------------


def format_number(value: Any, digits: int = 6) -> str:
    """A number as a teacher writes it: ``12``, ``0.25``, ``1.41421``; arrays in brackets.

    >>> format_number(12.0), format_number(2 ** 0.5), format_number(-1e-12)
    ('12', '1.41421', '-1e-12')
    """
    if value is None:
        return ""
    if np.ndim(value) > 0:
        flat = np.asarray(value).ravel()
        shown = ", ".join(format_number(v, digits) for v in flat[:6])
        return f"[{shown}{', ...' if flat.size > 6 else ''}]"
    value = float(value)
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"


def shape_label(shape: tuple[int, ...], style: str = "text") -> str:
    """A node's shape as a teacher writes it under its name: ``2×3``; ``""`` for a scalar.

    >>> shape_label((2, 3)), shape_label((4,)), shape_label(()), shape_label((2, 3), "latex")
    ('2×3', '4', '', '2 \\\\times 3')
    """
    return (" \\times " if style == "latex" else "×").join(str(n) for n in shape)


def unicode_minus(text: str) -> str:
    """Hyphens as the minus sign of typeset math (−), which is as wide as a plus.

    >>> unicode_minus("x - 2")
    'x − 2'
    """
    return text.replace("-", "−")


# --- tables of strings --------------------------------------------------------------------

#: The layouts of :func:`format_table`.
TABLE_STYLES = ("text", "markdown", "latex")


def text_width(text: str) -> int:
    """Columns a string takes in a terminal: combining marks (the bar of w̄) take none.

    >>> text_width("w\\u03043"), len("w\\u03043")
    (2, 3)
    """
    return sum(1 for ch in text if not unicodedata.combining(ch))


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], style: str = "text",
                 align: Sequence[str] | None = None) -> str:
    """Lay out a table of strings: aligned text columns, a Markdown table or LaTeX tabular.

    ``align`` holds ``"l"`` or ``"r"`` per column (numbers read best right-aligned).

    >>> print(format_table(["a", "b"], [["1", "22"]], "markdown"))
    | a | b |
    |---|---|
    | 1 | 22 |
    >>> print(format_table(["f"], [["|x|"]], "markdown").splitlines()[-1])  # bars are text
    | \\|x\\| |
    """
    if style not in TABLE_STYLES:
        raise ValueError(f"style must be one of {', '.join(TABLE_STYLES)}, not {style!r}")
    align = list(align or ["l"] * len(headers))
    if style == "markdown":
        line = "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"
        def cells(row: Sequence[str]) -> str:
            return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in row) + " |"

        return "\n".join([cells(headers), line, *(cells(row) for row in rows)])
    if style == "latex":
        body = [" & ".join(headers) + r" \\ \hline"] + [" & ".join(r) + r" \\" for r in rows]
        return "\n".join([r"\begin{tabular}{" + "".join(align) + "}", *body, r"\end{tabular}"])
    widths = [max(text_width(h), *(text_width(r[k]) for r in rows)) if rows else text_width(h)
              for k, h in enumerate(headers)]

    def fmt(cells: Sequence[str]) -> str:
        parts = []
        for cell, width, side in zip(cells, widths, align, strict=True):
            pad = " " * (width - text_width(cell))
            parts.append(pad + cell if side == "r" else cell + pad)
        return "  ".join(parts).rstrip()

    return "\n".join([fmt(headers), *(fmt(r) for r in rows)])


# --- where in a text ------------------------------------------------------------------------

#: An excerpt shows at most this many characters of its line, cut around the caret.
EXCERPT_WIDTH = 120


def caret_excerpt(source: str | None, line: int | None, column: int | None) -> str:
    """The source line at ``line`` with a caret under ``column`` (both 1-based).

    Long lines are cut around the caret so that the excerpt stays one screen wide.

    >>> print(caret_excerpt("y = x +\\nz", 1, 7))
      y = x +
            ^
    >>> caret_excerpt("x", 3, 1)
    ''
    """
    if source is None or line is None or column is None:
        return ""
    lines = source.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1]
    start = max(0, column - 1 - EXCERPT_WIDTH // 2)
    shown = "".join(_displayable(ch) for ch in text[start : start + EXCERPT_WIDTH])
    prefix = "..." if start else ""
    caret = " " * (len(prefix) + column - 1 - start) + "^"
    return f"  {prefix}{shown}\n  {caret}"


def _displayable(ch: str) -> str:
    """``ch``, or U+FFFD for a character a terminal cannot show as one column (a lone
    surrogate cannot even be encoded; a control character could move the cursor)."""
    if ch == "\t":
        return " "
    return ch if ch.isprintable() or ch == " " else "\ufffd"


def line_and_column(source: str, position: int) -> tuple[int, int]:
    """The 1-based line and column of a 0-based character position in ``source``.

    >>> line_and_column("ab\\ncd", 4)
    (2, 2)
    """
    position = min(max(position, 0), len(source))
    line = source.count("\n", 0, position) + 1
    return line, position - (source.rfind("\n", 0, position) + 1) + 1
