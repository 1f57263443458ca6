"""Checker integrity (issue 8, items 1-3 and the numeric part of 4): no answer gets marks
it does not deserve, and the numeric conventions do not refuse correct answers.

One test function per class:

1. scale inflation: huge intermediate values never widen the tolerance;
2. points where the answer overflows or is undefined count against it;
3. sampling blind spots: far away, in a narrow window, at and beside kinks;
4. constants that are exactly 0 but round negative in floats;
5. decimals correct to the digits shown (and only those).

Every verdict is deterministic: the points are seeded by the reference, the kink search
and the high-precision work are bounded by counts, not by a clock.
"""

from __future__ import annotations

import string

import mpmath
import numpy as np
import pytest

import graphdiff as gd
from graphdiff.checker import check, compare
from graphdiff.checker.equivalence import (
    AT_KINK,
    MAX_KINK_POINTS,
    MAX_SWITCHES,
    WIDE_POINTS,
    Reference,
    numeric_compare,
    prepare,
)
from graphdiff.checker.messages import CATALOG, LANGUAGES, Message

C, W, U = "correct", "incorrect", "undecided"
X = {"variables": ["x"]}
XY = {"variables": ["x", "y"]}


def verdict(reference, answer, **options):
    return compare(reference, answer, **options).verdict


# --- 1. scale inflation ------------------------------------------------------------------

#: 2^1000 x, built from allowed exponents (at most 100).
TWO_1000_X = "x" + "*2^100" * 10

SCALE_CASES = [
    # the examples
    ("4*x + 3*y", "(10^99 x)*0", W, XY),
    ("x", "x*1e308 - x*1e308", W, X),
    ("sin(x)", "tanh(10^99 x)", W, X),
    ("cos(x) + x", "tanh(10^99 x)", W, X),
    ("42", "43 + (10^99 x - 10^99 x)", W, X),
    ("42", "42 + (10^99 x - 10^99 x) + 10^(-12)", W, X),
    # ... and the answers that really are equal stay correct (resolved at high precision)
    ("42", "42 + (10^99 x - 10^99 x)", C, X),
    ("0", "x*1e308 - 1e308*x", C, X),
    ("x", "x + (10^99*x + 5) - 10^99*x - 5", C, X),
    # other ops, other scales: a hidden +1 under cancelling 1e200 and 2^1000 terms
    ("exp(x)", "exp(x) + (1e200*y + 1) - 1e200*y", W, XY),
    ("exp(x)", "exp(x) + (1e200*y - 1e200*y)", C, XY),
    ("x", f"x + ({TWO_1000_X} + 1) - {TWO_1000_X}", W, X),
    ("x", f"x + {TWO_1000_X} - {TWO_1000_X}", C, X),
    ("x*y", "x*y + 1e-30*(1e250*x - 1e250*x + 1)", W, XY),
    # amplification of a tiny cancellation (the float value of the inner term is 0)
    ("x", "x + 1e20*((1 + 1e-17*x) - 1)", W, X),
    ("sigmoid(z)", "sigmoid(10^99 * z)", W, {"variables": ["z"]}),
]


@pytest.mark.parametrize(("reference", "answer", "expected", "options"), SCALE_CASES,
                         ids=[c[1][:40] for c in SCALE_CASES])
def test_scale_inflation_buys_nothing(reference, answer, expected, options):
    v = compare(reference, answer, **options)
    assert v.verdict == expected, v.explain()
    if expected == C:
        assert v.method == "numeric", v.explain()


def test_scale_inflation_in_a_graded_problem():
    report = check("seed004-ex1", {"df/dx": "(10^99 x)*0", "df/dy": "(10^99 y)*0 + x + 2(x + y)"})
    assert report.part("dfdx").verdict.verdict == W
    assert report.part("dfdx").points == 0
    assert report.part("dfdy").verdict.verdict == C


def test_what_high_precision_cannot_check_is_never_numerically_correct():
    # Correct, but sigmoid of 10^99 z is beyond the high-precision evaluator: the floats
    # agree, the digits cannot be confirmed, so the numbers do not say "correct"; the
    # symbolic proof does (0 * anything), and without it the verdict waits.
    answer = "sigmoid(10^99 * z) * 0 + 1/(1 + exp(-z))"
    assert verdict("sigmoid(z)", answer, proof="never") == U
    v = compare("sigmoid(z)", answer, timeout=10)
    assert (v.verdict, v.method) == (C, "symbolic")
    # Correct, but a jump sits exactly at a value that is 0 only up to rounding at any
    # precision: the numbers cannot decide (nor, today, the proof: Heaviside(0, 1)).
    w = "((1 + 1e-300*x) - 1 - 1e-300*x)"
    assert verdict("x", f"x + step({w}) - 1", domain="positive", proof="never") == U
    v = compare("x", f"x + step({w}) - 1", domain="positive", timeout=10)
    assert v.method == "symbolic" and v.verdict in (C, U)
    # ... and an answer that differs behind such noise is caught, not excused.
    w = "((1 + 1e-300*x) - 1 - 0.5e-300*x)"
    for answer in (f"x + step({w})", f"x + 1 - step(-{w})", f"x + relu(1e300*{w})"):
        assert verdict("x", answer, domain="positive", min_digits=None) == W, answer


# --- 2. overflow and undefined points -------------------------------------------------------

OVERFLOW_CASES = [
    ("x", "x + step(x - 0.3)*exp(exp(exp(10*x)))", W, X),   # the example
    ("x", "x + step(x - 3)*exp(exp(x^2))", W, X),            # overflow only for x > 3
    ("x", "x + step(-x - 40)*exp(exp(-x))", W, X),           # ... only for x < -40
    ("x", "x + 0*log(x - 5)", W, X),                         # undefined for x <= 5
    ("x*y", "x*y + 0*sqrt(x - y)", W, XY),                   # undefined where x < y
    ("x + y", "x + y + step(x*y - 50)*exp(exp(x*y))", W, XY),  # two variables
    # float overflow that high precision resolves is no counterexample
    ("1", "exp(x)^2/exp(2*x)", C, X),
    ("x", "log(exp(3*x))/3", C, X),
    ("sigmoid(z)*(1 - sigmoid(z))", "e^z/(1 + e^z)^2", C, {"variables": ["z"]}),
    ("sigmoid(z)", "(1 + tanh(z/2))/2", C, {"variables": ["z"]}),
    # 1 + exp(x) is 1 to 50 digits at x = -615 (the oracle found it): log of it is 0 and x
    # over it a division by zero -- of rounding, not of the answer, which more digits show
    ("x/softplus(x)", "x/log(1 + exp(x))", C, X),
    ("1/softplus(2*x)", "1/log(1 + exp(2*x))", C, X),  # 870 digits at x = -1000
    ("1/softplus(x)", "1/log(1 + exp(x))*(1 + step(-x - 300))", W, X),
    ("x/softplus(x)", "x/log(1 + exp(x)) + 0*log(x - x)", W, X),  # undefined at any digits
]


@pytest.mark.parametrize(("reference", "answer", "expected", "options"), OVERFLOW_CASES,
                         ids=[c[1][:40] for c in OVERFLOW_CASES])
def test_points_where_the_answer_is_not_finite_count_against_it(reference, answer,
                                                                 expected, options):
    v = compare(reference, answer, **options)
    assert v.verdict == expected, v.explain()
    assert v.method == "numeric"


def test_a_domain_error_of_rounding_is_told_from_one_of_the_answer():
    from graphdiff.checker import mpeval

    at = {"x": mpmath.mpf(-615)}
    with pytest.raises(mpeval.MPRoundingDomain, match="within rounding at 50 digits"):
        mpeval.analyse(gd.parse("1/log(1 + exp(x))"), at, 50)
    assert mpeval.analyse(gd.parse("1/log(1 + exp(x))"), at, 300).value > 10**267
    for exact in ("log(x - x)", "1/(x - x)", "sqrt(x - 1)"):  # no rounding to blame
        with pytest.raises(mpeval.MPDomainError) as caught:
            mpeval.analyse(gd.parse(exact), at, 50)
        assert not isinstance(caught.value, mpeval.MPRoundingDomain), exact


def test_the_overflow_counterexample_says_undefined():
    v = compare("x", "x + step(x - 0.3)*exp(exp(exp(10*x)))")
    assert v.reason.code == "overflows_at"
    assert v.details["counterexample"]["x"] >= 0.3
    assert v.details["usable"] < 16  # the old checker's "correct at 9 points"


def test_the_overflow_message_in_both_languages():
    """``overflows_at``: the answer is too large to compute where the correct answer is
    finite; the parameters of ``undefined_at``."""
    params = {"point": "x = 0.589312", "expected": "0.58931182"}
    assert set(CATALOG["overflows_at"]) == set(LANGUAGES)
    assert Message("overflows_at", params).render("en") == (
        "your answer is too large to compute (it overflows) at x = 0.589312, where the "
        "correct answer is finite (0.58931182)")
    assert Message("overflows_at", params).render("ru") == (
        "ваш ответ слишком велик для вычисления (переполнение) в точке x = 0.589312, где "
        "правильный ответ конечен (0.58931182)")
    for lang in LANGUAGES:
        used = {name for _, name, _, _ in string.Formatter().parse(CATALOG["overflows_at"][lang])
                if name}
        undefined = {name for _, name, _, _ in
                     string.Formatter().parse(CATALOG["undefined_at"][lang]) if name}
        assert used == undefined == set(params)


# --- 3. blind spots: far away, narrow windows, kinks -----------------------------------------

BLIND_SPOTS = [
    # the examples
    ("x", "x + step(x - 7.2)", X),
    ("x", "x + relu(x - 7.05)", X),
    ("x", "x + step(x - 20)", X),
    ("x", "x + relu(0.001 - abs(x - 1.2345))", X),
    # far away, both sides, other scales
    ("x", "x + step(x - 523.1)", X),
    ("x", "x + 1e-3*step(-x - 600)", X),
    ("x", "x + 1e-12*step(x - 20)", X),                      # tiny and far
    ("x", "x + step(0.0003 - abs(x))", X),                   # tiny scale
    # narrow windows, far away, made of every kinked op
    ("x", "x + relu(0.001 - abs(x - 123.45))", X),
    ("x", "x + relu(1e-6 - (x - 50)^2)", X),                 # no abs: a dip of a parabola
    ("x", "x + max(0, 0.001 - abs(x - 2.2))", X),
    ("x", "x - min(0, abs(x + 3.7) - 0.001)", X),
    ("x", "x + sign(relu(0.001 - abs(x - 5.55)))", X),
    ("x", "x + leaky_relu(0.001 - abs(x - 8.8)) - 0.01*(0.001 - abs(x - 8.8))", X),
    ("x", "x + abs(x - 3.21) + abs(x - 3.2101) - abs(2*x - 6.4201)", X),
    ("x", "x + step(x - 41.3) - step(x - 41.3001)", X),        # a 1e-4 wide step window
    ("x", "x + max(x, 42) - 42 - relu(x - 42.001)", X),
    # only where the correct answer is beyond the float range (checked at high precision)
    ("exp(x)", "exp(x)*(1 + step(x - 800))", X),
    ("exp(-3*x)", "exp(-3*x)*(1 + step(-x - 500))", X),
    ("1/softplus(3*x)", "1/softplus(3*x)*(1 + 1e-6*step(-x - 500))", X),
    ("x*exp(y)", "x*exp(y)*(1 + step(y - 720))", XY),
    # several variables: along a diagonal, a far corner
    ("x*y", "x*y + relu(1e-4 - abs(x - y))", XY),
    ("x + y", "x + y + step(x + y - 300)", XY),
    ("x*y", "x*y + relu(0.001 - abs(x - 2*y - 0.5))", XY),
    # an interval domain: the ends
    ("x", "x + step(x - 0.999)", {"variables": ["x"], "domain": {"x": [0, 1]}}),
    # a corner cut out by kinks in different variables, away from the random points:
    # found by lines through the kinks (the oracle's max(max(y, -1), x + 1/2) first)
    ("max(max(y, -1), x + 1/2)", "max(max(y, -6/7), x + 1/2)", XY),
    ("min(min(y, 1), x - 1/2)", "min(min(y, 6/7), x - 1/2)", XY),
    ("x", "x + relu(-x - 2)*relu(-y - 2)", XY),
    ("x*y", "x*y + max(0, min(-x - 2, -y - 2))", XY),
    ("abs(x) + abs(y)", "abs(x) + abs(y) + relu(-x - 5)*relu(y - 5)", XY),
    ("y", "y + relu(-x - 2)*relu(-y - 2)*relu(-z - 2)", {"variables": ["x", "y", "z"]}),
]


@pytest.mark.parametrize(("reference", "answer", "options"), BLIND_SPOTS,
                         ids=[c[1][:40] for c in BLIND_SPOTS])
def test_far_and_narrow_differences_are_found(reference, answer, options):
    v = compare(reference, answer, **options)
    assert (v.verdict, v.method) == (W, "numeric"), v.explain()


BEYOND_THE_FLOATS_AND_CORRECT = [
    ("exp(x)", "exp(x/2)^2", X),
    ("exp(x)*(1 + step(x - 800))", "exp(x) + exp(x)*step(x - 800)", X),
    ("exp(-3*x)", "1/exp(3*x)", X),
    ("x*exp(y)", "exp(y + log(abs(x)))*sign(x)", XY),
]


@pytest.mark.parametrize(("reference", "answer", "options"), BEYOND_THE_FLOATS_AND_CORRECT,
                         ids=[c[1][:40] for c in BEYOND_THE_FLOATS_AND_CORRECT])
def test_correct_answers_stay_correct_beyond_the_float_range(reference, answer, options):
    v = compare(reference, answer, **options)
    assert v.verdict == C, v.explain()


KINKED_BUT_CORRECT = [
    ("relu(x)", "(x + |x|)/2", X),
    ("max(x, y)", "(x + y + |x - y|)/2", XY),
    ("min(x, y)", "(x + y - |x - y|)/2", XY),
    ("sign(x)", "x/|x|", X),                      # differ only at 0: a convention
    ("step(x)", "(sign(x) + 1)/2", X),            # step(0) = 1, (sign(0) + 1)/2 = 1/2
    ("abs(x)", "sqrt(x^2)", X),
    ("x", "min(x, 0) + max(x, 0)", X),
    ("leaky_relu(x)", "max(x, 0.01*x)", X),
    ("x", "relu(x) - relu(-x)", X),
    ("abs(x - 7.2)", "max(x - 7.2, 7.2 - x)", X),
    ("max(max(y, -1), x + 1/2)", "max(y, max(-1, x + 1/2))", XY),
    ("relu(-x - 2)*relu(-y - 2)", "max(0, -x - 2)*max(0, -y - 2)", XY),
    ("abs(x - y) + abs(x + y)", "2*max(abs(x), abs(y))", XY),
]


@pytest.mark.parametrize(("reference", "answer", "options"), KINKED_BUT_CORRECT,
                         ids=[c[1][:40] for c in KINKED_BUT_CORRECT])
def test_kinked_correct_answers_stay_correct(reference, answer, options):
    v = compare(reference, answer, **options)
    assert (v.verdict, v.method) == (C, "numeric"), v.explain()


def test_kink_points_are_at_and_beside_each_kink():
    ref = Reference(gd.parse("x"))
    outcome = numeric_compare(ref, gd.parse("x + relu(0.001 - abs(x - 1.2345))"))
    assert outcome.status == "different" and outcome.where == "beside a kink"
    # The reference's own kinks: at 7.2 and 1e-6 relative + 1e-9 on each side.
    ref = Reference(gd.parse("relu(x - 7.2)"))
    near = np.sort(ref.extra.env["x"][np.abs(ref.extra.env["x"] - 7.2) < 1e-3])
    delta = 7.2e-6 + 1e-9
    assert near.tolist() == pytest.approx([7.2 - delta, 7.2, 7.2 + delta], rel=1e-12)
    kinds = ref.extra.kind[np.abs(ref.extra.env["x"] - 7.2) < 1e-3]
    assert sorted(kinds.tolist()).count(AT_KINK) == 1
    # max/min kinks are where the arguments tie, along each variable
    ref = Reference(gd.parse("max(x, y)"))
    ties = np.abs(ref.extra.env["x"] - ref.extra.env["y"])
    assert np.sum(ties == 0) >= 2 and np.sum((ties > 0) & (ties < 1e-5)) >= 4


def test_a_difference_only_at_the_kink_is_a_convention():
    v = compare("x", "x + (sign(x - 3))^2 - 1")
    assert v.verdict == C
    assert v.details["kink_conventions"] >= 1


def test_the_kink_search_is_bounded():
    many = " + ".join(f"relu(x - {k}.5)" for k in range(MAX_SWITCHES + 6))
    ref = prepare("x")
    outcome = numeric_compare(ref, ref.read(f"x + 0*({many})").graph())
    assert outcome.truncated and outcome.status == "inconclusive"
    # ... so the numbers never say "correct"; the proof may.
    assert verdict("x", f"x + 0*({many})", proof="never") == U
    assert compare("x", f"x + 0*({many})", timeout=10).method in ("symbolic", "numeric")
    assert ref.extra.n <= WIDE_POINTS + MAX_KINK_POINTS
    periodic = prepare("abs(sin(x))")
    assert periodic.extra.n <= WIDE_POINTS + MAX_KINK_POINTS
    assert verdict("abs(sin(x))", "sqrt(sin(x)^2)") == C


# --- 4. constants that are exactly 0 but round negative ---------------------------------------

ZERO_CASES = [
    ("0", "sqrt((sqrt(2)+sqrt(3))^2 - 5 - 2*sqrt(6))", C, X),   # the example
    ("x", "x + sqrt(5 + 2*sqrt(6) - (sqrt(2)+sqrt(3))^2)", C, X),
    ("x", "x + sqrt((sqrt(3)+sqrt(2))^2 - 2*sqrt(6) - 5)", C, X),
    ("x", "x*(1 + log(1 + (sqrt(2)+sqrt(3))^2 - 5 - 2*sqrt(6)))", C, X),
    ("x", "x + ((sqrt(2)+sqrt(3))^2 - 5 - 2*sqrt(6))^(1/2)", C, X),
    ("x", "x + sqrt(sin(pi)^2)", C, X),
    # a constant that is truly negative, however tiny, is still refused
    ("x", "x + sqrt(sqrt(2) - 1.4142135623730951)", "invalid", X),
    ("x", "x/((sqrt(2)+sqrt(3))^2 - 5 - 2*sqrt(6))", "invalid", X),
    ("x", "x + log((sqrt(2)+sqrt(3))^2 - 5 - 2*sqrt(6))", "invalid", X),
    # a positive constant that underflows floats is still positive
    ("x - 400*log(10)", "x + log((10^(-100))^4)", C, X),
    ("x - 921.0340371976183", "x + log((10^(-100))^4)", W, X),  # ... 1e-14 off
]


@pytest.mark.parametrize(("reference", "answer", "expected", "options"), ZERO_CASES,
                         ids=[c[1][:40] for c in ZERO_CASES])
def test_exact_zero_constants(reference, answer, expected, options):
    assert verdict(reference, answer, **options) == expected


def test_exact_zero_recognition_is_bounded():
    s = "(sqrt(2)+sqrt(3)+sqrt(5)+sqrt(7))"
    g = gd.parse(f"sqrt({s}^40 - ({s}^20)^2)")
    assert g.to_sympy() == 0
    assert gd.parse(f"sqrt({s}^40 - ({s}^20)^2 + 10^(-90))").to_sympy() != 0


# --- 5. decimals: correct to the digits shown ---------------------------------------------------

DECIMAL_CASES = [
    ("x/3", "0.3333333333333333*x", C),  # double rounding of 1/3
    ("0.3*x", "0.30000000000000004*x", C),  # 0.1 + 0.2 in floats
    ("x/3", "0.333*x", C),
    ("x/3", "3.33e-1*x", C),
    ("x/3", "0.33*x", W),                 # two digits: too few
    ("x/3", "0.334*x", W),                # wrong in the last digit
    ("x/3", "0.3334*x", W),
    ("2*x", "2.0001*x", W),
    ("2*x", "2.0000000001*x", W),
    ("2*x", "1.999*x", W),
    ("2*x", "2.00*x", C),
    ("2*x/3", "0.6666*x", C),             # truncated
    ("2*x/3", "0.6667*x", C),             # rounded
    ("2*x/3", "0.6665*x", W),
    ("x/3 + y/7", "0.3333x + 0.1429y", C),
    ("x/3 + y/7", "0.3333x + 0.1427y", W),
    ("x - 1/3", "x - 0.3333", C),
    ("exp(x/3)", "exp(0.33333333*x)", C),
    ("pi*x", "3.1416*x", C),
    ("pi*x", "3.1415*x", C),
    ("pi*x", "3.1417*x", W),
    ("1000*x/3", "333.3*x", C),
    ("1000*x/3", "333*x", W),             # an integer is exact
    ("x/3", "x/3 + 1.00 - 1.01", W),      # digits do not excuse a wrong offset
]


@pytest.mark.parametrize(("reference", "answer", "expected"), DECIMAL_CASES,
                         ids=[c[1][:40] for c in DECIMAL_CASES])
def test_decimals_count_to_the_digits_shown(reference, answer, expected):
    v = compare(reference, answer)
    assert v.verdict == expected, v.explain()


def test_decimal_policy_messages_and_options():
    v = compare("x/3", "0.333*x")
    assert v.details["digits_shown"] is True
    assert [n.code for n in v.notes] == ["tol_digits"]
    v = compare("x/3", "0.33*x")
    assert v.codes[:1] == ("number_few_digits",)
    assert v.feedback[0].params == {"digits": 3, "given": 2}
    assert compare("x/3", "0.33*x", min_digits=2).verdict == C
    assert compare("x/3", "0.333*x", min_digits=None).verdict == W
    assert compare("x/2", "0.5*x", min_digits=None).verdict == C  # exact decimals are exact


def test_no_excuse_where_the_correct_answer_underflows():
    # sigmoid(z) underflows below z = -745; a form that cancels there is excused only if
    # it is tiny too, not if it hides a difference there.
    assert verdict("sigmoid(z)", "(1 + tanh(z/2))/2") == C
    hidden = "1/(1 + exp(-z)) + step(-z - 700)*((exp(-z)^3 + 1) - exp(-z)^3)"
    assert verdict("sigmoid(z)", hidden) == W


def test_a_parts_min_digits_reaches_formula_answers() -> None:
    from graphdiff.checker import load_problem

    def problem(tolerance: dict | None) -> object:
        part = {"id": "d", "kind": "expression", "answer": "x/3"}
        if tolerance is not None:
            part["tolerance"] = tolerance
        return load_problem({"id": "third", "title": "A third", "variables": ["x"],
                             "parts": [part]})

    assert problem(None).grade({"d": "0.33x"}).parts[0].verdict.verdict == "incorrect"
    assert problem({"min_digits": 2}).grade({"d": "0.33x"}).parts[0].verdict.verdict == "correct"
    assert problem(None).grade({"d": "0.333x"}).parts[0].verdict.verdict == "correct"
