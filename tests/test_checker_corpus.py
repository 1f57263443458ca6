"""The equivalence decision on a corpus of (reference, answer, verdict) triples.

Zero wrong verdicts is the requirement: every case must get exactly its expected verdict.
The corpus covers equivalent rewrites, the syntax students use, trigonometric,
exponential and logarithmic identities, the many forms of the sigmoid's and tanh's
derivatives, near misses (a wrong constant, a missing path, a sign), domain traps and
unreadable answers.  The last tests show the three traps of naive checkers and that this
checker avoids each.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from graphdiff.checker import compare

C, W, V = "correct", "incorrect", "invalid"  # W: wrong
XY = {"variables": ["x", "y"]}
X = {"variables": ["x"]}
Z = {"variables": ["z"]}
POS = {"domain": {"x": "positive", "y": "positive"}}
SEED1 = {"variables": ["x", "y"], "names": {"c": "x + y"}}

# (reference, answer, expected verdict, options)
CORPUS: list[tuple[str, str, str, dict]] = [
    # --- equivalent rewrites ---------------------------------------------------------------
    ("4*x + 3*y", "2x + y + 2(x + y)", C, XY),
    ("4*x + 3*y", "3y + 4x", C, XY),
    ("4*x + 3*y", "x + x + x + x + y + y + y", C, XY),
    ("4*x + 3*y", "(8x + 6y)/2", C, XY),
    ("3*x + 2*y", "x + 2(x + y)", C, XY),
    ("(x + 1)^2", "x^2 + 2x + 1", C, X),
    ("(x + y)^3", "x^3 + 3x^2 y + 3x y^2 + y^3", C, XY),
    ("x^2 - y^2", "(x - y)(x + y)", C, XY),
    ("1/(x*y)", "x^(-1) y^(-1)", C, XY),
    ("x/(x + 1)", "1 - 1/(x + 1)", C, X),
    ("(x^2 - 1)/(x - 1)", "x + 1", C, X),
    ("2*x*exp(x^2)", "2 x e^{x^2}", C, X),
    ("x*exp(x) + exp(x)", "(x + 1) e^x", C, X),
    ("3*x^2*y + 2*y", "y(3x^2 + 2)", C, XY),
    ("0.5*x", "x/2", C, X),
    ("x^3", "x x x", C, X),
    ("sqrt(x)", "x^(1/2)", C, {"domain": {"x": "positive"}}),
    ("1/sqrt(x)", "x^(-0.5)", C, {"domain": {"x": "positive"}}),
    ("0", "x - x", C, X),
    ("0", "0*x", C, X),
    ("1", "x/x", C, X),
    ("2*x + y + 2*c", "4x + 3y", C, SEED1),
    ("4*x + 3*y", "2x + y + 2c", C, SEED1),
    # --- the syntax students write ----------------------------------------------------------
    ("2*x", "2x", C, X),
    ("2*x*y", "2xy", C, XY),
    ("x*y", "x y", C, XY),
    ("x*y", "x·y", C, XY),
    ("x*y", "x \\cdot y", C, XY),
    ("x*y", "x × y", C, XY),
    ("2*sin(x)", "2 sin(x)", C, X),
    ("2*sin(x)", "2sin x", C, X),
    ("sin(x)*cos(x)", "sinx cosx", C, X),
    ("x^2", "x**2", C, X),
    ("x^2", "x²", C, X),
    ("x^-1", "1/x", C, X),
    ("-x^2", "−x^2", C, X),
    ("exp(x)", "e^x", C, X),
    ("exp(x)", "e^{x}", C, X),
    ("exp(x)", "\\exp(x)", C, X),
    ("exp(-2*x)", "e^(-2x)", C, X),
    ("log(x)", "ln x", C, {"domain": {"x": "positive"}}),
    ("log(x)", "\\ln(x)", C, {"domain": {"x": "positive"}}),
    ("tanh(x)", "th x", C, X),
    ("tanh(x)", "\\tanh x", C, X),
    ("tan(x)", "tg x", C, X),
    ("sigmoid(z)", "σ(z)", C, Z),
    ("sigmoid(z)", "\\sigma(z)", C, Z),
    ("sigmoid(z)", "1/(1 + e^{-z})", C, Z),
    ("x/(x + 1)", "\\frac{x}{x+1}", C, X),
    ("x/(x + 1)", "\\dfrac{x}{x + 1}", C, X),
    ("sqrt(x + 1)", "\\sqrt{x+1}", C, {"domain": {"x": "positive"}}),
    ("sqrt(x + 1)", "√(x + 1)", C, {"domain": {"x": "positive"}}),
    ("x^(1/3)", "\\sqrt[3]{x}", C, {"domain": {"x": "positive"}}),
    ("abs(x)", "|x|", C, X),
    ("abs(x)", "\\left|x\\right|", C, X),
    ("4*x + 3*y", "$4x + 3y$", C, XY),
    ("4*x + 3*y", "df/dx = 4x + 3y", C, XY),
    ("4*x + 3*y", "\\frac{\\partial f}{\\partial x} = 4x + 3y", C, XY),
    ("x1*x2", "x_1 x_2", C, {"variables": ["x1", "x2"]}),
    ("x1*x2", "x_{1} \\cdot x_{2}", C, {"variables": ["x1", "x2"]}),
    ("x1*x2", "x1x2", C, {"variables": ["x1", "x2"]}),
    ("0.5*x", "0,5x", C, X),
    ("x/2", "1/2x", C, X),  # read (1/2)*x, with a warning
    ("x*(x + 1)", "x(x + 1)", C, X),
    ("2*(x + y)", "2\\left(x+y\\right)", C, XY),
    ("2*(x + y)", "2[x + y]", C, XY),
    ("sin(x^2)", "sin x^2", C, X),  # read sin(x^2), with a warning
    ("sin(x)^2", "sin^2 x", C, X),
    ("sin(x)^2", "sin^2(x)", C, X),
    ("x*exp(x) + exp(x)", "e^x(x+1)", C, X),  # read e^x*(x+1), with a warning
    ("log(x)/log(2)", "log_2 x", C, {"domain": {"x": "positive"}}),
    ("x*y", "хy", C, XY),  # Cyrillic х
    # --- trigonometric, exponential, logarithmic identities ----------------------------------
    ("sin(2*x)", "2 sin x cos x", C, X),
    ("cos(2*x)", "cos^2 x - sin^2 x", C, X),
    ("cos(2*x)", "1 - 2sin(x)^2", C, X),
    ("1", "sin(x)^2 + cos(x)^2", C, X),
    ("tan(x)", "sin(x)/cos(x)", C, X),
    ("1 + tan(x)^2", "1/cos(x)^2", C, X),
    ("exp(x + y)", "e^x e^y", C, XY),
    ("exp(2*x)", "(e^x)^2", C, X),
    ("exp(x*log(2))", "2^x", C, X),
    ("log(x*y)", "ln x + ln y", C, POS),
    ("log(x^2)", "2 ln x", C, {"domain": {"x": "positive"}}),
    ("log(x/y)", "ln(x) - ln(y)", C, POS),
    ("exp(log(x))", "x", C, {"domain": {"x": "positive"}}),
    ("(exp(x) - exp(-x))/2", "sh x", C, X),
    ("(exp(x) + exp(-x))/2", "cosh(x)", C, X),
    ("sin(x + pi/2)", "cos x", C, X),
    ("sin(pi - x)", "sin x", C, X),
    # --- forms of the sigmoid's and tanh's derivatives --------------------------------------
    ("sigmoid(z)*(1 - sigmoid(z))", "σ(z)(1 - σ(z))", C, Z),
    ("sigmoid(z)*(1 - sigmoid(z))", "e^{-z}/(1 + e^{-z})^2", C, Z),
    ("sigmoid(z)*(1 - sigmoid(z))", "e^z/(1 + e^z)^2", C, Z),
    ("sigmoid(z)*(1 - sigmoid(z))", "\\frac{e^{-z}}{\\left(1+e^{-z}\\right)^2}", C, Z),
    ("sigmoid(z)*(1 - sigmoid(z))", "σ(z) - σ(z)^2", C, Z),
    ("sigmoid(z)*(1 - sigmoid(z))", "σ(z) σ(-z)", C, Z),
    ("sigmoid(z)*(1 - sigmoid(z))", "1/(2 + e^z + e^{-z})", C, Z),
    ("sigmoid(z)*(1 - sigmoid(z))", "1/(4 cosh(z/2)^2)", C, Z),
    ("sigmoid(z)*(1 - sigmoid(z))", "σ'(z)", C, Z),
    ("sigmoid(z)*(1 - sigmoid(z))", "(1 - tanh(z/2)^2)/4", C, Z),
    ("1 - tanh(x)^2", "1/cosh(x)^2", C, X),
    ("1 - tanh(x)^2", "(1 - th x)(1 + th x)", C, X),
    ("1 - tanh(x)^2", "4σ(2x)(1 - σ(2x))", C, X),
    ("1 - tanh(x)^2", "4/(e^x + e^{-x})^2", C, X),
    ("tanh(x)", "2σ(2x) - 1", C, X),
    ("tanh(x)", "(e^x - e^{-x})/(e^x + e^{-x})", C, X),
    ("sigmoid(z)", "(1 + tanh(z/2))/2", C, Z),
    # --- near misses ---------------------------------------------------------------------------
    ("4*x + 3*y", "2x + y", W, XY),             # a missing path (seed 004 Ex1)
    ("4*x + 3*y", "2x + 2(x + y)", W, XY),      # another missing path
    ("4*x + 3*y", "3x + 2y", W, XY),            # the other partial
    ("4*x + 3*y", "-(4x + 3y)", W, XY),         # sign
    ("4*x + 3*y", "4x - 3y", W, XY),            # one sign
    ("4*x + 3*y", "4x + 3y + 1", W, XY),        # a constant
    ("4*x + 3*y", "4x + 3.001y", W, XY),
    ("2*x", "2.0001x", W, X),                   # a loose tolerance would accept it
    ("2*x", "2.0000000001x", W, X),             # only the high-precision check sees it
    ("2*x", "2x + 10^(-12)", W, X),
    ("2*x", "x^2", W, X),
    ("2*x", "2x^2", W, X),
    ("x^2", "x^3", W, X),
    ("0", "sin(pi x)", W, X),                   # zero at every integer point
    ("0", "sin(2 pi x)", W, X),
    ("0", "x - round_off", V, X),
    ("sin(x)", "cos(x)", W, X),
    ("cos(x)", "-sin(x)", W, X),
    ("exp(x)", "x e^(x - 1)", W, X),
    ("log(x)", "1/x", W, {"domain": {"x": "positive"}}),
    ("sigmoid(z)*(1 - sigmoid(z))", "σ(z)(1 + σ(z))", W, Z),
    ("sigmoid(z)*(1 - sigmoid(z))", "σ(z)", W, Z),
    ("sigmoid(z)*(1 - sigmoid(z))", "e^{-z}/(1 + e^{-z})", W, Z),
    ("sigmoid(z)*(1 - sigmoid(z))", "-σ(z)(1 - σ(z))", W, Z),
    ("1 - tanh(x)^2", "1 + tanh(x)^2", W, X),
    ("1 - tanh(x)^2", "1 - tanh(x^2)", W, X),
    ("tanh(x)", "2σ(x) - 1", W, X),
    ("x*exp(x) + exp(x)", "exp(x*(x + 1))", W, X),
    ("x/2", "1/(2x)", W, X),
    ("4*x + 3*y", "2x + y + c", W, SEED1),
    ("2*x*y", "2x", W, XY),
    # --- domain traps ---------------------------------------------------------------------------
    ("x", "sqrt(x^2)", W, X),                   # |x|, not x, for negative x
    ("x", "sqrt(x^2)", C, {"domain": {"x": "positive"}}),
    ("abs(x)", "sqrt(x^2)", C, X),
    ("x", "(sqrt(x))^2", W, X),                 # undefined for x < 0
    ("x", "(sqrt(x))^2", C, {"domain": {"x": "positive"}}),
    ("log(x^2)", "2 ln x", W, X),               # undefined for x < 0
    ("log(x*y)", "ln x + ln y", W, XY),         # undefined when both are negative
    ("x", "exp(log(x))", W, X),
    ("sqrt(x*y)", "sqrt(x) sqrt(y)", W, XY),
    ("sqrt(x*y)", "sqrt(x) sqrt(y)", C, POS),
    ("x", "abs(x)", W, X),
    ("sign(x)", "x/|x|", C, X),
    ("x^(1/3)", "x^(2/6)", C, {"domain": {"x": "positive"}}),
    ("1/x", "x^(-1)", C, {"domain": {"x": "nonzero"}}),
    ("x", "sqrt(x^2)", C, {"domain": {"x": [0.5, 3]}}),
    ("x", "sqrt(x^2)", W, {"domain": {"x": [-3, 3]}}),
    # --- integrity (issue 8): scale, overflow, blind spots, exact constants, digits ---------
    ("4*x + 3*y", "(10^99 x)*0", W, XY),        # a huge intermediate buys no tolerance
    ("x", "x*1e308 - x*1e308", W, X),
    ("42", "42 + (10^99 x - 10^99 x)", C, X),    # ... but is resolved at high precision
    ("42", "43 + (10^99 x - 10^99 x)", W, X),
    ("sin(x)", "tanh(10^99 x)", W, X),
    ("x", "x + step(x - 0.3)*exp(exp(exp(10*x)))", W, X),  # overflow counts against
    ("x", "x + step(x - 7.2)", W, X),           # beyond the random points
    ("x", "x + relu(x - 7.05)", W, X),
    ("x", "x + step(x - 20)", W, X),
    ("x", "x + relu(0.001 - abs(x - 1.2345))", W, X),  # a narrow window: kink points
    ("relu(x)", "(x + |x|)/2", C, X),
    ("max(x, y)", "(x + y + |x - y|)/2", C, XY),
    ("0", "sqrt((sqrt(2)+sqrt(3))^2 - 5 - 2*sqrt(6))", C, X),  # exactly 0
    ("x/3", "0.3333333333333333*x", C, X),       # correct to every digit shown
    ("x/3", "0.333x", C, X),
    ("x/3", "0.33x", W, X),                      # fewer than 3 significant digits
    # --- unreadable answers are invalid, not wrong ----------------------------------------------
    ("2*x", "2x +", V, X),
    ("2*x", "sin(x", V, X),
    ("2*x", "foo(x)", V, X),
    ("2*x", "2z", V, X),
    ("2*x", "", V, X),
    ("2*x", "2x = ", V, X),
    ("2*x", "x!", V, X),
    ("2*x", "2 3x", V, X),
    ("2*x", "x ** ** 2", V, X),
    ("2*x", "x^1000", V, X),
    ("2*x", "\\int x dx", V, X),
]


@pytest.mark.parametrize(("reference", "answer", "expected", "options"), CORPUS,
                         ids=[f"{k:03d}:{c[1][:30]}" for k, c in enumerate(CORPUS)])
def test_corpus_verdict(reference, answer, expected, options):
    verdict = compare(reference, answer, **options)
    assert verdict.verdict == expected, verdict.explain()


def test_corpus_is_large_and_varied():
    assert len(CORPUS) >= 100
    kinds = {c[2] for c in CORPUS}
    assert kinds == {C, W, V}
    assert sum(1 for c in CORPUS if c[2] == C) >= 60
    assert sum(1 for c in CORPUS if c[2] == W) >= 30


def test_corpus_zero_wrong_verdicts_in_one_pass():
    wrong = [(r, a, e, compare(r, a, **o).verdict) for r, a, e, o in CORPUS
             if compare(r, a, **o).verdict != e]
    assert wrong == []


def test_ambiguous_readings_warn_and_echo():
    cases = {
        "e^x(x+1)": "exp(x)*(x + 1)",
        "1/2x": "1/2*x",
        "sin x^2": "sin(x^2)",
    }
    for answer, reading in cases.items():
        v = compare("x", answer, variables=["x"])
        assert v.read_as == reading
        assert v.warnings, answer
        assert f"'{answer}' was read as" in v.warnings[0].render()


# --- the three traps ----------------------------------------------------------------------


def test_trap_loose_tolerance_accepts_wrong_answers():
    """np.isclose's default tolerance (rtol 1e-5) and a 'reasonable' 1e-3 both accept
    2.0001x for 2x, and even 1e-12 accepts 2.0000000001x; the checker rejects both."""
    x = np.linspace(0.3, 3, 16)
    assert np.allclose(2.0001 * x, 2 * x, rtol=1e-3)
    assert np.allclose(2.0000000001 * x, 2 * x, rtol=1e-9)
    assert compare("2*x", "2.0001x").verdict == "incorrect"
    assert compare("2*x", "2.0000000001x").verdict == "incorrect"
    # ... while rounding differences of correct forms are not a difference:
    assert compare("sigmoid(z)*(1 - sigmoid(z))", "1/(2 + e^z + e^{-z})").verdict == "correct"


def test_trap_integer_points_accept_wrong_answers():
    """At integer points sin(pi*x) is 0 (to rounding); the checker's points are never
    within 0.02 of a multiple of 1/2, so it sees the difference."""
    for x in range(-5, 6):
        assert abs(math.sin(math.pi * x)) < 1e-14
    assert compare("0", "sin(pi x)", variables=["x"]).verdict == "incorrect"
    assert compare("0", "sin(2pi x)", variables=["x"]).verdict == "incorrect"
    from graphdiff.checker.equivalence import prepare

    points = prepare("x*y").points
    for values in points.values():
        assert np.all(np.abs(values) >= 0.05)
        assert np.all(np.abs(values * 2 - np.round(values * 2)) >= 0.04 - 1e-12)


@pytest.mark.parametrize(("a", "b", "options"), [
    ("tanh(x)", "2*sigmoid(2*x) - 1", {}),
    ("log(x*y)", "log(x) + log(y)", POS),
    ("x", "sqrt(x^2)", {"domain": {"x": "positive"}}),
])
def test_trap_simplify_alone_rejects_correct_answers(a, b, options):
    """sympy's simplify(a - b) does not reach 0 for these correct answers (plain symbols,
    as a naive checker would use); the checker accepts them."""
    sa = _naive_sympy(a)
    sb = _naive_sympy(b)
    assert sympy.simplify(sa - sb) != 0
    assert compare(a, b, **options).verdict == "correct"


def _naive_sympy(text: str) -> sympy.Expr:
    import graphdiff as gd

    return gd.parse(text).to_sympy()


def test_seed_004_answer_with_the_node_c():
    v = compare("4*x + 3*y", "2x + y + 2c", names={"c": "x + y"})
    assert v.verdict == "correct"
    assert compare("4*x + 3*y", "2x + y + c", names={"c": "x + y"}).verdict == "incorrect"
