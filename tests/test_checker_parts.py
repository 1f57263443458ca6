"""Part kinds as classes: the registry, a new kind in one class, and the digits policy of
number and value answers."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

from graphdiff.checker import load_problem, self_test
from graphdiff.checker.equivalence import Verdict
from graphdiff.checker.messages import Message
from graphdiff.checker.parts import (
    KINDS,
    DecimalLiteral,
    DerivativePart,
    Part,
    Tolerance,
    part_kind,
)
from graphdiff.checker.problems import PART_KINDS, ProblemError, SelfTestResult

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT / "graphdiff" / "checker"


# --- the registry ---------------------------------------------------------------------------


def test_every_kind_is_one_registered_class():
    assert list(KINDS) == list(PART_KINDS) == [
        "derivative", "tangent", "adjoint", "expression", "matrix", "matrix_formula", "number",
        "value", "order", "paths"]
    for name, cls in KINDS.items():
        assert cls.kind == name and issubclass(cls, Part)
        assert cls.__doc__, name


def test_the_teachers_guide_lists_every_kind():
    guide = (ROOT / "docs" / "checker_teachers.md").read_text(encoding="utf-8")
    section = guide.split("### Part kinds")[1].split("###")[0]
    listed = re.findall(r"^\| `(\w+)`", section, flags=re.MULTILINE)
    assert sorted(set(listed) - {"kind"}) == sorted(KINDS)


def test_no_kind_ladder_is_left():
    sources = [CHECKER / "problems.py", *sorted((CHECKER / "parts").glob("*.py"))]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bkind\s*(==|!=|in\b|not in\b)", text), path.name


def test_old_imports_still_work():
    from graphdiff.checker.problems import Part as OldPart
    from graphdiff.checker.problems import Tolerance as OldTolerance

    assert OldPart is Part and OldTolerance is Tolerance
    assert SelfTestResult.__module__ == "graphdiff.checker.parts.base"
    assert issubclass(ProblemError, Exception)


def test_problem_builds_each_part_through_the_registry():
    p = load_problem({"id": "d", "title": "t", "function": "x*y", "parts": [
        {"id": "a", "wrt": "x"}, {"id": "b", "kind": "value", "wrt": "x", "at": {"x": 1, "y": 2}},
        {"id": "c", "kind": "paths", "wrt": "x"}, {"id": "n", "kind": "number", "answer": "1/4"},
    ]})
    assert [type(q).__name__ for q in p.parts] == ["DerivativePart", "ValuePart", "PathsPart",
                                                   "NumberPart"]
    assert isinstance(p.part("a"), DerivativePart)
    assert p.part("b").reference_text() == "2.0"
    assert p.part("c").reference_text() == "x -> w3"


@pytest.fixture
def parity_kind():
    """A new kind, defined here in one class: is the answer even or odd?"""

    @part_kind("parity")
    class ParityPart(Part):
        """Whether the integer ``answer`` is even or odd."""

        needs_answer = True

        def validate_kind(self) -> None:
            if self.answer not in ("even", "odd"):
                raise ProblemError(f"{self.where}.answer: expected even or odd")

        def grade_text(self, answer: str, *, proof: str, timeout: float) -> Verdict:
            ok = answer.strip().lower() == self.answer
            return Verdict("correct" if ok else "incorrect",
                           Message("custom", {"en": "parity", "ru": "чётность"}),
                           method="exact")

    yield ParityPart
    del KINDS["parity"]


def test_a_new_kind_is_one_class(parity_kind):
    p = load_problem('id = "q"\ntitle = "t"\n[[parts]]\nid = "p"\nkind = "parity"\n'
                     'answer = "even"\nmistakes = ["odd"]\n')
    assert type(p.part("p")) is parity_kind
    assert p.grade({"p": "Even"}).part("p").verdict.verdict == "correct"
    assert [r.ok for r in self_test(p)] == [True, True]
    with pytest.raises(ProblemError, match="expected even or odd"):
        load_problem({"id": "q", "title": "t", "parts": [
            {"id": "p", "kind": "parity", "answer": "seven"}]})


def test_an_unknown_kind_names_the_registered_ones():
    with pytest.raises(ProblemError) as info:
        load_problem({"id": "q", "title": "t", "function": "x",
                      "parts": [{"id": "p", "kind": "integral"}]})
    assert str(info.value) == ("<problem>: parts[0].kind: 'integral' is not one of derivative, "
                               "tangent, adjoint, expression, matrix, matrix_formula, number, "
                               "value, order, paths")


def test_a_crash_in_one_part_costs_that_part_only(monkeypatch):
    p = load_problem({"id": "q", "title": "t", "function": "x*y", "parts": [
        {"id": "dx", "wrt": "x"}, {"id": "dy", "wrt": "y"}]})

    def broken(self, answer, **options):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(type(p.part("dy")), "grade_text",
                        lambda self, answer, **o: broken(self, answer) if self.id == "dy"
                        else DerivativePart.__mro__[1].grade_text(self, answer, **o))
    report = p.grade({"dx": "y", "dy": "x"})
    assert report.part("dx").verdict.verdict == "correct"
    assert report.part("dy").verdict.verdict == "error"
    assert report.part("dy").verdict.reason.render() == (
        "internal error while grading: ZeroDivisionError")
    assert report.score == 1.0


# --- decimal answers: the digits policy -----------------------------------------------------


@pytest.mark.parametrize(("text", "value", "significant", "unit"), [
    ("0.333", Fraction(333, 1000), 3, Fraction(1, 1000)),
    ("-0.0620", Fraction(-62, 1000), 3, Fraction(1, 10000)),
    ("2.50", Fraction(5, 2), 3, Fraction(1, 100)),
    ("6.02e23", Fraction(602 * 10**21), 3, Fraction(10**21)),
    ("1.5E-3", Fraction(3, 2000), 2, Fraction(1, 10000)),
    ("0", Fraction(0), 1, Fraction(1)),
    ("-0e999", Fraction(0), 1, Fraction(10**999)),
    (".5", Fraction(1, 2), 1, Fraction(1, 10)),
])
def test_decimal_literals_are_read_exactly(text, value, significant, unit):
    assert DecimalLiteral.read(text) == DecimalLiteral(value, significant, unit)


@pytest.mark.parametrize("text", ["1/3", "e", "1e", "", ".", "--1", "1e99999"])
def test_other_text_is_not_a_decimal_literal(text):
    assert DecimalLiteral.read(text) is None


with mpmath.workdps(50):  # as the checker computes correct values
    THIRD = mpmath.mpf(1) / 3
    TWO_THIRDS = 2 * THIRD


@pytest.mark.parametrize(("tolerance", "expected", "answer", "ok", "few"), [
    # correct to every digit shown: rounded or truncated at the last digit
    (Tolerance(), THIRD, "0.333", True, False),
    (Tolerance(), THIRD, "0.3333333", True, False),
    (Tolerance(), TWO_THIRDS, "0.667", True, False),        # rounded
    (Tolerance(), TWO_THIRDS, "0.666", True, False),        # truncated
    (Tolerance(), -TWO_THIRDS, "-0.666", True, False),      # truncated towards 0
    (Tolerance(), -TWO_THIRDS, "-0.667", True, False),
    (Tolerance(), TWO_THIRDS, "0.668", False, False),
    (Tolerance(), TWO_THIRDS, "0.665", False, False),
    (Tolerance(), THIRD, "0.334", False, False),
    (Tolerance(), THIRD, "0.3334", False, False),
    # the minimum of significant digits (3 by default; trailing zeros count)
    (Tolerance(), THIRD, "0.33", False, True),
    (Tolerance(), THIRD, "0.3", False, True),
    (Tolerance(), mpmath.mpf(2), "2.00", True, False),
    (Tolerance(), mpmath.mpf("2.0004"), "2.00", True, False),
    (Tolerance(), mpmath.mpf("2.004"), "2.0", False, True),
    (Tolerance(min_digits=5), THIRD, "0.3333", False, True),
    (Tolerance(min_digits=1), THIRD, "0.3", True, False),
    # an exact answer may be short
    (Tolerance(), mpmath.mpf("0.25"), "0.25", True, False),
    (Tolerance(), mpmath.mpf(10), "10", True, False),
    (Tolerance(), mpmath.mpf(0), "0", True, False),
    (Tolerance(), mpmath.mpf(0), "-0e999", True, False),
    # any scale
    (Tolerance(), mpmath.mpf("6.02214076e23"), "6.02e23", True, False),
    (Tolerance(), mpmath.mpf("6.02214076e23"), "6.03e23", False, False),
    (Tolerance(), mpmath.mpf("1.6021e-300"), "1.60e-300", True, False),
    (Tolerance(), mpmath.mpf("1.6021e-300"), "1.61e-300", False, False),
    (Tolerance(), mpmath.mpf(2), "5e-324", False, False),
    (Tolerance(), mpmath.mpf(2), "1e-400", False, False),
    (Tolerance(), mpmath.mpf(2), "0e400", False, True),   # 2 rounded to 10^400s is 0
    # the teacher's tolerance still decides when given
    (Tolerance(rel=0.1), THIRD, "0.3", True, False),
    (Tolerance(rel=0.1), THIRD, "0.29", False, False),
    (Tolerance(abs=0.01), THIRD, "0.34", True, False),
    (Tolerance(sig=2), THIRD, "0.33", True, False),
    (Tolerance(sig=2), THIRD, "0.34", False, False),
    (Tolerance(sig=2), mpmath.mpf("1e-400"), "1.0e-400", True, False),
])
def test_digits_policy(tolerance, expected, answer, ok, few):
    accepted, why = tolerance.check(expected, answer)
    assert accepted is ok
    assert (why is not None) is few
    if few:
        assert why.code == "number_few_digits"


def test_a_long_answer_is_checked_to_every_digit_it_shows():
    p = load_problem({"id": "q", "title": "t", "parts": [
        {"id": "n", "kind": "number", "answer": "1/3"}]})
    part = p.part("n")
    assert part.grade("0." + "3" * 80).verdict == "correct"
    assert part.grade("0." + "3" * 70 + "4").verdict == "incorrect"
    assert part.grade("0." + "3" * 79 + "4").verdict == "incorrect"
    assert part.grade("0." + "6" * 79 + "7").verdict == "incorrect"
    p2 = load_problem({"id": "q", "title": "t", "parts": [
        {"id": "n", "kind": "number", "answer": "2/3"}]})
    assert p2.part("n").grade("0." + "6" * 79 + "7").verdict == "correct"   # rounded
    assert p2.part("n").grade("0." + "6" * 80).verdict == "correct"         # truncated
    assert p2.part("n").grade("0." + "6" * 79 + "8").verdict == "incorrect"


def test_too_few_digits_says_how_many_are_needed():
    p = load_problem({"id": "q", "title": "t", "parts": [
        {"id": "n", "kind": "number", "answer": "1/3"},
        {"id": "m", "kind": "number", "answer": "1/3", "tolerance": {"min_digits": 5}}]})
    verdict = p.part("n").grade("0.33")
    assert verdict.verdict == "incorrect"
    assert verdict.reason.render() == "give at least 3 significant digits (you gave 2)"
    assert verdict.reason.render("ru") == "укажите не меньше 3 значащих цифр (у вас 2)"
    assert p.part("m").grade("0.3333").reason.params == {"digits": 5, "given": 4}
    assert p.part("m").grade("0.33333").verdict == "correct"


def test_value_parts_follow_the_same_policy():
    p = load_problem({"id": "q", "title": "t", "function": "sigmoid(x)", "parts": [
        {"id": "v", "kind": "value", "at": {"x": 1}}]})
    part = p.part("v")  # sigmoid(1) = 0.7310585786...
    assert [part.grade(a).verdict for a in ("0.731", "0.7311", "0.7310", "0.73", "0.732")] == [
        "correct", "correct", "correct", "incorrect", "incorrect"]
    assert part.grade("1/(1 + exp(-1))").verdict == "correct"
    assert part.grade("0.73").reason.code == "number_few_digits"
