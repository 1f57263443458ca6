"""The one notation and the one printer: names and marks, styles, brackets, new ops."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

import graphdiff as gd
from graphdiff.notation import (
    BAR,
    DOT,
    caret_excerpt,
    decorated,
    latex_name,
    pretty_name,
    split_decoration,
)
from graphdiff.printing import (
    STYLES,
    expr_text,
    formula,
    graph_text,
    math_text,
    node_labels,
)

# --- names and math ---------------------------------------------------------------------


def test_pretty_names() -> None:
    assert pretty_name("x1") == "x₁"
    assert pretty_name("w12") == "w₁₂"
    assert pretty_name("y_hat") == "ŷ"
    assert pretty_name("sigma") == "σ"
    assert pretty_name("w̄3") == "w\u0304₃"
    assert pretty_name("ẇ3") == "ẇ₃"
    assert pretty_name("ẋ1") == "ẋ₁"
    assert pretty_name("ȳ_hat") == "ŷ\u0305"  # overline above the hat
    assert pretty_name("h_longname") == "h_longname"


def test_math_text_writes_as_on_paper() -> None:
    x, y, c, o1, w5 = sympy.symbols("x y c o1 w5")
    assert math_text(2 * x) == "2x"
    assert math_text(2 * c) == "2c"
    assert math_text(3 * x**2) == "3x²"
    assert math_text(o1 * (1 - o1)) == "o₁·(1 − o₁)"
    assert math_text(-w5 / y**2) == "−w₅/y²"
    assert math_text(sympy.Rational(1, 2)) == "½"
    assert math_text(1 / (2 * sympy.sqrt(x))) == "1/(2√x)"
    assert math_text(1 - sympy.Heaviside(-x, 1)) == "1 − step(−x)"
    assert math_text(x * sympy.log(2)) == "x·ln(2)"
    assert math_text(x**y) == "x^y"
    assert math_text(2 * x, {"x": "w₁"}) == "2w₁"


# --- the marks of tangents and adjoints cover the whole name --------------------------------

NAMES = ["w3", "x1", "x", "y", "L", "num", "net_j", "yhat", "y_hat", "alpha", "x_1", "h_longname"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mark", [BAR, DOT])
def test_a_decorated_name_splits_back(name: str, mark: str) -> None:
    assert split_decoration(decorated(name, mark)) == (name, mark)
    assert split_decoration(name) == (name, "")


def test_one_letter_names_keep_the_seeds_marks() -> None:
    assert decorated("w3", BAR) == "w\u03043" and decorated("x1", DOT) == "\u1e8b1"
    assert pretty_name(decorated("w3", BAR)) == "w\u0304₃"
    assert latex_name(decorated("w3", DOT)) == "\\dot{w}_{3}"


def test_multi_letter_names_carry_the_mark_over_every_letter() -> None:
    # plain text: the mark is the name's last accent, never a bar on its first letter
    assert decorated("num", BAR) == "num_bar" and decorated("num", DOT) == "num_dot"
    assert "\u0304" not in decorated("num", BAR)
    # Unicode: an overline on each letter joins into one bar; a dot on each letter
    assert pretty_name("num_bar") == "n\u0305u\u0305m\u0305"
    assert pretty_name("num_dot") == "ṅu\u0307ṁ"  # NFC: ṅ and ṁ are single characters
    assert pretty_name(decorated("net_j", BAR)) == "n\u0305e\u0305t\u0305ⱼ"
    # LaTeX: one bar over the whole name
    assert latex_name("num_bar") == "\\overline{num}"
    assert latex_name("num_dot") == "\\dot{num}"
    assert latex_name(decorated("net_j", BAR)) == "\\overline{net}_{j}"
    # a Greek letter's name is one letter on the page
    assert pretty_name(decorated("alpha", BAR)) == "ᾱ"
    assert latex_name(decorated("alpha", BAR)) == "\\bar{\\alpha}"


def test_the_adjoint_of_y_hat_is_not_y_bar_with_a_hat() -> None:
    adjoint_of_y_hat, adjoint_of_y = decorated("y_hat", BAR), decorated("y", BAR)
    assert adjoint_of_y_hat == "y_hat_bar"
    assert pretty_name(adjoint_of_y_hat) == "ŷ\u0305"  # the bar above the hat
    assert latex_name(adjoint_of_y_hat) == "\\bar{\\hat{y}}"
    for show in (str, pretty_name, latex_name):
        assert show(adjoint_of_y_hat) != show(adjoint_of_y)
    assert latex_name(adjoint_of_y) == "\\bar{y}"


def test_a_user_name_with_a_bar_is_not_an_adjoint() -> None:
    # x_bar is the name x̄ someone chose; the adjoint of x is x̄ (x + a combining macron)
    assert split_decoration("x_bar") == ("x_bar", "")
    assert pretty_name("x_bar") == "x̄"


def test_derivative_graphs_and_tables_use_the_marks() -> None:
    g = gd.parse("num = x*y\nden = x + y\nnum/den", naming="letters")
    dg = gd.reverse_graph(g)
    assert {"num_bar", "den_bar"} <= {dg.name(n) for n in dg.order}
    table = gd.reverse(g).table()
    assert "num_bar = " in table and "n̄um" not in table
    latex = gd.reverse(g).table("latex")
    assert "\\overline{num}" in latex


# --- the styles -------------------------------------------------------------------------------

# (expression, text, unicode, latex, answer): the precedence and associativity cases.
PRECEDENCE = [
    ("x - (y - z)", "x - (y - z)", "x − (y − z)", "x - \\left(y - z\\right)", "x - (y - z)"),
    ("(x - y) - z", "x - y - z", "x − y − z", "x - y - z", "x - y - z"),
    ("x/(y*z)", "x/(y*z)", "x/(y·z)", "\\frac{x}{y \\cdot z}", "x/(y*z)"),
    ("(x*y)/z", "x*y/z", "x·y/z", "\\frac{x \\cdot y}{z}", "x*y/z"),
    ("(x + y)*z", "(x + y)*z", "(x + y)·z", "\\left(x + y\\right) \\cdot z", "(x + y)*z"),
    ("x**y**z", "x**y**z", "x^y^z", "x^{y^{z}}", "x^y^z"),
    ("(x**y)**z", "(x**y)**z", "(x^y)^z", "\\left(x^{y}\\right)^{z}", "(x^y)^z"),
    ("(x + y)**2", "(x + y)**2", "(x + y)²", "\\left(x + y\\right)^{2}", "(x + y)^2"),
    ("-(x + y)", "-(x + y)", "−(x + y)", "-\\left(x + y\\right)", "-(x + y)"),
    ("-x**2", "-x**2", "−x²", "-x^{2}", "-x^2"),
    ("(-x)**2", "(-x)**2", "(−x)²", "\\left(-x\\right)^{2}", "(-x)^2"),
    ("sqrt(x + y)", "sqrt(x + y)", "√(x + y)", "\\sqrt{x + y}", "sqrt(x + y)"),
    ("sin(x*y)", "sin(x*y)", "sin(x·y)", "\\sin{\\left(x \\cdot y\\right)}", "sin(x*y)"),
    ("x**-2", "x**(-2)", "x⁻²", "x^{(-2)}", "x^(-2)"),
    ("sigmoid(x)*2", "sigmoid(x)*2", "σ(x)·2", "\\sigma\\left(x\\right) \\cdot 2",
     "sigmoid(x)*2"),
]


@pytest.mark.parametrize(("source", "text", "unicode", "latex", "answer"), PRECEDENCE)
def test_brackets_come_from_the_registry(source: str, text: str, unicode: str, latex: str,
                                         answer: str) -> None:
    g = gd.parse(source)
    got = [graph_text(g, style=s) for s in ("text", "unicode", "latex", "answer")]
    assert got == [text, unicode, latex, answer]


@pytest.mark.parametrize("source", [row[0] for row in PRECEDENCE]
                         + ["2*max(x, y)*step(x - y) + exp(1) - x/(2*y)^-3", "x*-y", "-(-x)",
                            "leaky_relu(x, 0.1) - abs(y)/3", "relu(x - 1)^2.5 + sign(y)"])
def test_the_text_and_answer_styles_read_back_as_the_same_function(source: str) -> None:
    g = gd.parse(source)
    rng = np.random.default_rng(0)
    for style in ("text", "answer"):
        again = gd.parse(graph_text(g, style=style))
        for _ in range(5):
            point = {name: float(rng.uniform(0.5, 2.0)) for name in g.inputs}
            assert math.isclose(again.evaluate(point), g.evaluate(point), rel_tol=1e-12)


def test_the_answer_style_matches_the_checkers_graph_text() -> None:
    from graphdiff.checker.answers import graph_text as checker_graph_text

    for source in [row[0] for row in PRECEDENCE] + ["max(x, -y)*step(x)", "-x^2/3", "x*(-2)"]:
        g = gd.parse(source)
        assert graph_text(g, style="answer") == checker_graph_text(g)


def test_node_formulas_in_every_style() -> None:
    g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    assert [formula(g, "e", s) for s in STYLES] == ["c**2", "c²", "c^{2}", "c^2", "c**2"]
    assert formula(g, "b", "unicode") == "x·y"
    assert formula(g, "x", "latex") == "x"


def test_expressions_in_every_style() -> None:
    x, c = sympy.symbols("x c")
    expr = 3 * c * x**2
    assert [expr_text(expr, s) for s in STYLES] == [
        "3·c·x²", "3c·x²", "3 c x^{2}", "3*c*x^2", "3c*x**2"]
    step = sympy.Heaviside(x, 1)
    assert expr_text(step, "unicode") == "step(x)" and expr_text(step, "answer") == "step(x)"
    assert expr_text(sympy.log(x) + sympy.Abs(c), "unicode") == "ln(x) + |c|"
    assert expr_text(sympy.E * x, "answer") == "exp(1)*x"
    assert expr_text(sympy.Max(x, c, 1), "answer") == "max(1, max(c, x))"
    with pytest.raises(ValueError, match="style must be one of"):
        expr_text(x, "html")


def test_one_label_policy_for_tables_and_drawings() -> None:
    from graphdiff.render import node_label_text, render

    g = gd.parse("x1*x2 + sin(x1)")
    assert node_labels(g) == ["w1", "w2", "w3", "w4", "w5"]
    assert node_labels(gd.parse("x*y", naming="letters")) == ["x", "y", "a"]
    assert gd.forward(g, wrt="x1").table().splitlines()[1].startswith("w1 = x1")
    assert node_label_text(render(g), 0) == "w₁ = x₁"
    with pytest.raises(ValueError, match="names must be"):
        node_labels(g, "letters")


def test_one_caret_excerpt() -> None:
    assert caret_excerpt("y = x +", 1, 7) == "  y = x +\n        ^"
    with pytest.raises(gd.ParseError) as info:
        gd.parse("y = x +")
    assert info.value.excerpt == caret_excerpt("y = x +", 1, 8)


# --- an op added with define_op prints in every style ---------------------------------------


class Softrelu(sympy.Function):
    """log(1 + e^z), as a sympy head of its own so that the printer can map it back."""

    def _eval_rewrite_as_log(self, z):  # pragma: no cover - sympy's protocol
        return sympy.log(1 + sympy.exp(z))


def test_a_defined_op_prints_in_every_style() -> None:
    gd.define_op("softrelu", numpy=lambda z: np.logaddexp(0.0, z), sympy=Softrelu,
                 partials=[lambda m, z, out: m.sigmoid(z)], unicode="softrelu({0})",
                 sympy_heads=[Softrelu])
    try:
        g = gd.parse("softrelu(x - y)**2*3")
        sp = next(n for n in g.order if g.op(n) is not None and g.op(n).name == "softrelu")
        assert [formula(g, sp, s) for s in STYLES] == [
            "softrelu(w3)", "softrelu(w₃)", "\\operatorname{softrelu}\\left(w_{3}\\right)",
            "softrelu(w3)", "softrelu(w3)"]
        assert [graph_text(g, style=s) for s in STYLES] == [
            "softrelu(x - y)**2*3", "softrelu(x − y)²·3",
            "\\operatorname{softrelu}\\left(x - y\\right)^{2} \\cdot 3",
            "softrelu(x - y)^2*3", "softrelu(x - y)**2*3"]
        z = sympy.Symbol("z")
        assert expr_text(2 * Softrelu(z), "unicode") == "2·softrelu(z)"
        assert expr_text(Softrelu(z) ** 2, "answer") == "softrelu(z)^2"
        assert gd.parse(graph_text(g)).evaluate(x=1.0, y=0.5) == pytest.approx(
            g.evaluate(x=1.0, y=0.5))
    finally:
        gd.undefine_op("softrelu")


def test_symbolic_tables_keep_sigma_and_relu_as_themselves() -> None:
    import graphdiff as gd

    g = gd.parse("h = sigmoid(w*x + b)\nL = (h - y)**2 + relu(w)")
    table = gd.reverse(g).table()
    assert "σ(b + w·x)" in table and "exp" not in table
    assert "[w > 0]" in table or "ReLU" in table or "Heaviside" not in table
    # Folding is for display: the values stay sympy's own, and equal.
    from graphdiff.printing import folded

    z = sympy.Symbol("z")
    assert str(folded(1 / (1 + sympy.exp(-z)))) == "σ(z)"
    assert str(folded(sympy.Max(0, z))) == "ReLU(z)"
    assert folded(z**2 + 1) == z**2 + 1


@pytest.mark.parametrize("mark", ["bar", "dot"])
def test_marks_cover_whole_names_and_hats_stay_distinct_in_every_style(mark) -> None:
    from graphdiff.notation import BAR, DOT, decorated, latex_name, pretty_name

    m = BAR if mark == "bar" else DOT
    names = ["y", "y_hat", "num", "xpy", "epsilon", "w3"]
    for style in (str, pretty_name, latex_name):
        shown = [style(decorated(n, m)) for n in names]
        assert len(set(shown)) == len(shown), (style, shown)
    assert pretty_name(decorated("y_hat", BAR)) != pretty_name(decorated("y", BAR))
    assert latex_name(decorated("y_hat", BAR)) == "\\bar{\\hat{y}}"
    assert latex_name(decorated("y", BAR)) == "\\bar{y}"
    assert latex_name(decorated("num", m)) == ("\\overline{num}" if mark == "bar"
                                               else "\\dot{num}")
    # a multi-letter name carries its mark as a suffix in plain text, never on one letter
    assert decorated("xpy", m) == f"xpy_{mark}"
