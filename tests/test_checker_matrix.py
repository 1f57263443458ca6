"""Matrix answers (issue 10 item 5): reading them, the shape first, the entries, formulas of
matrices at random matrices, the bank's matrix problems, and a property test."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import graphdiff as gd
from graphdiff.checker import bank, check, compare, get_problem, load_problem, read_answer
from graphdiff.checker.answers import AnswerError
from graphdiff.checker.matrices.compare import MatrixReference, Source
from graphdiff.checker.matrices.literal import MAX_COLUMNS, MAX_ENTRIES, MAX_ROWS, read_matrix
from graphdiff.checker.matrices.mpeval import NoHighPrecision, mp_values
from graphdiff.checker.messages import CATALOG
from graphdiff.checker.parts import KINDS, MatrixFormulaPart, MatrixPart, ProblemError

MATRIX_BANK = ["seed002-delta", "seed004-ex3-matrix", "seed004-ex4", "seed004-ex5",
               "seed004-ex7", "seed004-ex7-logloss"]


def refused(text: str, **kwargs) -> AnswerError:
    with pytest.raises(AnswerError) as info:
        read_matrix(text, **kwargs)
    return info.value


# --- reading matrices of numbers ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "shape", "read_as"), [
    ("[[0.1, -0.2], [0.05, 0.3]]", (2, 2), "[[0.1, -0.2], [0.05, 0.3]]"),
    ("[0.1, -0.2]", (2,), "[0.1, -0.2]"),
    ("[[1], [2]]", (2, 1), "[[1], [2]]"),
    ("[[1, 2, 3]]", (1, 3), "[[1, 2, 3]]"),
    ("((1, 2), (3, 4))", (2, 2), "[[1, 2], [3, 4]]"),
    ("(-2, 0)^T", (2, 1), "[[-2], [0]]"),
    ("(-2, 0)ᵀ", (2, 1), "[[-2], [0]]"),
    ("[-2, 0]^{T}", (2, 1), "[[-2], [0]]"),
    ("[[1, 2], [3, 4]]^T", (2, 2), "[[1, 3], [2, 4]]"),
    ("[[1/4, e^2], [sqrt(2), -1/3]]", (2, 2), "[[1/4, exp(2)], [sqrt(2), -1/3]]"),
    ("[max(1, 2), 3]", (2,), "[max(1, 2), 3]"),
    (r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", (2, 2), "[[1, 2], [3, 4]]"),
    (r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \\ \end{bmatrix}", (2, 2), "[[1, 2], [3, 4]]"),
    (r"\begin{matrix} \frac{1}{2} \\ -0.5 \end{matrix}", (2, 1), "[[1/2], [-0.5]]"),
    (r"\left(\begin{matrix} 0.5 & 1 \end{matrix}\right)", (1, 2), "[[0.5, 1]]"),
    (r"\begin{pmatrix} -2 & 0 \end{pmatrix}^\top", (2, 1), "[[-2], [0]]"),
    (r"$\begin{pmatrix} 1 \\ 2 \end{pmatrix}$", (2, 1), "[[1], [2]]"),
    ("dL/dW = [[1, 0], [0, 1]]", (2, 2), "[[1, 0], [0, 1]]"),
    ("0.25", (), "0.25"),
    ("1/4", (), "1/4"),
])
def test_matrices_are_read_in_every_notation(text, shape, read_as):
    m = read_matrix(text)
    assert m.shape == shape
    assert m.read_as == read_as


@pytest.mark.parametrize(("text", "code", "column"), [
    ("[[1, 2], [3]]", "matrix_ragged", 10),
    ("[[1, 2], 3]", "matrix_mixed", 10),
    ("[[[1]]]", "matrix_nested", 2),
    ("[1; 2]", "matrix_semicolon", 3),
    ("[1,, 2]", "matrix_empty_entry", 4),
    ("[]", "matrix_empty_entry", 2),
    ("[1, 2", "expected_closing", 1),
    ("[1, 2] + 1", "matrix_text_after", 8),
    ("[x, 1]", "unknown_name", 2),
    ("[1, 2 +]", "expected_operand", 8),
    ("[1, __import__('os')]", "unexpected_character", 5),
    (r"\begin{array}{cc} 1 \end{array}", "matrix_environment", 1),
    (r"\begin{vmatrix} 1 \end{vmatrix}", "matrix_environment", 1),
    (r"\begin{pmatrix} 1 & 2 \end{bmatrix}", "matrix_unclosed", 1),
    (r"\begin{pmatrix} \begin{pmatrix} 1 \end{pmatrix} \end{pmatrix}", "matrix_nested", 17),
    (r"\begin{pmatrix} 1 & \input{x} \end{pmatrix}", "latex_refused", 21),
    (r"[\write18{rm}, 1]", "latex_refused", 2),
    ("[exp(exp(exp(9))), 1]", "constant_too_large", 6),
    (r"\left( [1, 2]", "expected_closing", 14),
    (r"\left( 1", "matrix_expected", 8),
])
def test_bad_matrices_are_refused_with_a_position(text, code, column):
    err = refused(text)
    assert err.message.code == code
    assert err.line == 1 and err.column == column
    assert "^" in err.excerpt


def test_matrices_are_bounded_before_their_entries_are_read():
    big = "[" + ", ".join(["1"] * (MAX_COLUMNS + 1)) + "]"
    assert refused(big).message.code == "matrix_too_large"
    rows = "[" + ", ".join(["[1]"] * (MAX_ROWS + 1)) + "]"
    assert refused(rows).message.code == "matrix_too_large"
    assert MAX_ROWS * MAX_COLUMNS > MAX_ENTRIES
    many = "[" + ", ".join("[" + ", ".join(["1"] * 25) + "]" for _ in range(20)) + "]"
    assert refused(many).message.code == "matrix_too_large"
    assert refused("[" + "1" * 300 + "]").message.code == "matrix_entry_too_long"
    assert refused("[1, 2]" + " " * 20_000).message.code == "too_long"
    # an unreadable entry far inside is never reached when the structure is refused
    err = refused("[[1, 2], [3]] + [__import__]")
    assert err.message.code == "matrix_ragged"


def test_only_the_matrix_environments_pass_the_tex_refusal():
    with pytest.raises(AnswerError) as info:
        read_answer(r"\begin{pmatrix} 1 \end{pmatrix}", names=[])
    assert info.value.message.code == "latex_refused"  # formulas: still refused
    assert read_matrix(r"\begin {pmatrix} 1 \end {pmatrix}").shape == (1, 1)


# --- reading formulas of matrices -----------------------------------------------------------------

SHAPES = {"X": (2, 2), "G": (2, 3), "W": (2, 3), "Z": (2, 3), "A": (2, 2), "d": (3, 1),
          "O2": (3, 2), "W3": (2, 1), "b": (3,)}


def read(text: str):
    return read_answer(text, names=list(SHAPES), shapes=SHAPES)


@pytest.mark.parametrize(("text", "expression", "shape"), [
    ("G @ W.T", "G @ W.T", (2, 2)),
    ("G W^T", "G @ W.T", (2, 2)),
    ("G Wᵀ", "G @ W.T", (2, 2)),
    (r"G \cdot W^{\top}", "G @ W.T", (2, 2)),
    (r"G W^{\mathsf{T}}", "G @ W.T", (2, 2)),
    ("G·W⊤", "G @ W.T", (2, 2)),
    ("X^T G", "X.T @ G", (2, 3)),
    ("W^T", "W.T", (3, 2)),
    ("σ(Z)(1 - σ(Z))", "sigmoid(Z)*(1 - sigmoid(Z))", (2, 3)),
    ("G ⊙ Z", "G*Z", (2, 3)),
    (r"G \odot Z", "G*Z", (2, 3)),
    ("G ∘ Z", "G*Z", (2, 3)),
    ("G * Z", "G*Z", (2, 3)),
    ("σ'(Z) ⊙ G", "sigmoid(Z)*(1 - sigmoid(Z))*G", (2, 3)),
    ("d W3^T ⊙ O2 ⊙ (1 - O2)", "(d @ W3.T)*O2*(1 - O2)", (3, 2)),
    ("A*(X @ A)", "A*(X @ A)", (2, 2)),
    ("2 G - G/3", "2*G - G/3", (2, 3)),
    ("(X @ A).T", "(X @ A).T", (2, 2)),
    ("sum(G)", "sum(G)", ()),
    ("sum(G, 0)", "sum(G, 0)", (3,)),
    ("tr(A)", "tr(A)", ()),
    ("G + b", "G + b", (2, 3)),
    ("2^T", "2", ()),
])
def test_matrix_formulas_are_read_by_the_shapes(text, expression, shape):
    r = read(text)
    assert r.expression == expression
    assert r.shape == shape
    graph = r.graph()
    assert graph.shape(graph.output_ids[0]) == shape


def test_square_products_are_read_as_matrix_products_with_a_warning():
    r = read("A X")
    assert r.expression == "A @ X"
    assert [w.code for w in r.warnings] == ["ambiguous_product"]
    assert "A ⊙ X" in r.warnings[0].render() and "A ⊙ X" in r.warnings[0].render("ru")
    assert read("A ⊙ X").warnings == () and read("A @ X").warnings == ()
    assert [w.code for w in read("A^2").warnings] == ["matrix_power"]


@pytest.mark.parametrize(("text", "code", "column"), [
    ("X*G", "entrywise_shapes", 1),
    ("G + X", "entrywise_shapes", 1),
    ("X @ 2", "matmul_shapes", 1),
    ("G @ W", "matmul_shapes", 1),
    ("X Z^T", "product_shapes", 1),
    ("1 + X W^T", "product_shapes", 5),
    ("det(G)", "function_shapes", 1),
    ("sum(G, 2)", "function_shapes", 1),
    ("sum(G, X)", "static_argument", 1),
    ("G^T^T @ W", "matmul_shapes", 1),
])
def test_products_that_fit_no_reading_are_refused_with_a_position(text, code, column):
    with pytest.raises(AnswerError) as info:
        read(text)
    assert info.value.message.code == code
    assert info.value.column == column
    assert all(lang in CATALOG[code] for lang in ("en", "ru"))


def test_answers_about_numbers_are_read_as_before():
    assert read_answer("x y", names=["x", "y"]).expression == "x*y"
    with pytest.raises(AnswerError) as info:
        read_answer("x @ y", names=["x", "y"])
    assert info.value.message.code == "matrix_sign_in_number"
    assert (info.value.line, info.value.column) == (1, 3)
    # The ops of matrices are not words of answers about numbers (they crashed the checker).
    for text in ("det(x)", "sum(x)", "mse(x, 1)", "inv(2)", "transpose(x)", "softmax(x)"):
        assert compare("x", text, ["x"]).verdict == "invalid", text


# --- matrices of numbers: the shape first, then the entries ---------------------------------------

EX7 = "seed004-ex7"


def grade(problem: str, part: str, answer):
    return get_problem(problem).part(part).grade(answer)


def test_a_matrix_of_the_wrong_shape_is_incorrect_at_once():
    v = grade(EX7, "dMSE_dW2", "[[-1, 0]]")
    assert v.verdict == "incorrect"
    assert v.reason.render() == "your answer is 1×2, the gradient of W2 is 2×1"
    assert v.reason.render("ru") == "ваш ответ — 1×2, а градиент по W2 — 2×1"
    assert v.codes == ("matrix_transposed",)
    assert grade(EX7, "H1", "[[2, -1, 0, 1]]").reason.render() == "your answer is 1×4, H1 is 2×2"
    assert grade(EX7, "MSE", "[[0.25]]").reason.render() == "your answer is 1×1, MSE is a number"


def test_a_square_transpose_is_named():
    v = grade(EX7, "dMSE_dW1", "[[-0.25, -0.5], [0, 0]]")
    assert v.verdict == "incorrect"
    assert v.reason.code == "matrix_transposed"
    assert v.reason.render() == "this is the transpose of the expected matrix"


def test_wrong_entries_are_named_with_their_correct_values():
    v = grade(EX7, "H1", "[[2, -0.5], [0, 1]]")  # the sheet's misprint
    assert v.reason.render() == "1 of 4 entries are wrong: (1, 2)"
    assert v.feedback[0].render() == "entry (1, 2): the correct value is -1, yours is -0.5"
    assert v.feedback[0].render("ru") == "элемент (1, 2): правильное значение -1, у вас -0.5"


def test_usual_slips_of_a_whole_matrix():
    assert grade(EX7, "dMSE_dW1", "[[-0.5, 0], [-1, 0]]").codes[0] == "factor_two"
    assert grade(EX7, "dMSE_dyhat", "[[0.5], [0]]").codes[0] == "sign_error"
    relu = grade(EX7, "dMSE_dW1", "[[-0.25, -0.5], [-0.5, -1]]")
    assert relu.codes[0] == "dropped_factor" and "H1 → O1" in relu.feedback[0].render()
    # a matrix of the right shape from another part
    other = grade(EX7, "O1", "[[2, -1], [0, 1]]")
    assert other.verdict == "incorrect"
    assert other.feedback[0].render() == "this is the answer to part (а) H1 = X·W1"


def test_entries_follow_the_number_policy():
    part = get_problem("seed004-ex7-logloss").part("O2")
    assert part.grade("[[0.731], [0.7311]]").verdict == "correct"
    assert part.grade("[[0.7310585786300049], [1/(1 + e^(-1))]]").verdict == "correct"
    few = part.grade("[[0.73], [0.731]]")
    assert few.verdict == "incorrect" and few.reason.code == "matrix_few_digits"
    assert part.grade("[[0.732], [0.731]]").verdict == "incorrect"
    vector = part.grade("[0.731, 0.731]")
    assert vector.verdict == "correct" and vector.notes[-1].code == "matrix_vector_read"


def test_huge_entries_and_other_tricks_earn_nothing():
    part = get_problem(EX7).part("dMSE_dW1")
    for answer in ["[[1e300, 0], [-0.5, 0]]", "[[-0.25, 0], [-0.5, 1e-300]]",
                   "[[-0.25, 0], [-0.5, 0], [0, 0]]", "[[-0.25], [0], [-0.5], [0]]",
                   "[-0.25, 0, -0.5, 0]", "[[-0.2500000001, 0], [-0.5, 0]]"]:
        assert part.grade(answer).verdict == "incorrect", answer
    for answer in ["[[-0.25, 0], [-0.5, inf]]", "[[-0.25, 0], [-0.5, nan]]",
                   "[[-0.25, 0], [-0.5, 1e999]]", "[[-0.25, 0], [-0.5, 0]] + 0",
                   "[[-0.25, 0], [-0.5, log(0)]]"]:
        assert part.grade(answer).verdict == "invalid", answer
    v = part.grade("[[-0.25, 0], [-0.5, 1e999]]")
    assert (v.line, v.column) == (1, 21)


def test_toml_arrays_are_matrix_answers():
    report = check(EX7, {"H1": [[2, -1], [0, 1]], "dMSE_dW1": [["-1/4", 0], [-0.5, 0]],
                         "dMSE_dW2": [[-2], [0]]})
    verdicts = {p.part: p.verdict.verdict for p in report.parts}
    assert verdicts["H1"] == verdicts["dMSE_dW1"] == "correct"
    assert verdicts["dMSE_dW2"] == "incorrect"
    assert report.part("H1").answer == "[[2, -1], [0, 1]]"


def test_a_computed_matrix_is_exact():
    part = get_problem(EX7).part("dMSE_dW1")
    assert part.reference_text() == "[[-0.25, 0], [-0.5, 0]]"
    assert part.expected.accurate == 45
    logloss = get_problem("seed004-ex7-logloss").part("dL_dyhat")
    assert logloss.computed_text().startswith("[[0.365529289")


# --- formulas of matrices --------------------------------------------------------------------------

EX4, EX5 = "seed004-ex4", "seed004-ex5"


@pytest.mark.parametrize(("problem", "part", "answer"), [
    (EX4, "dLdX", "G W^T"), (EX4, "dLdX", "(W G^T)^T"), (EX4, "dLdX", "G @ W.T"),
    (EX4, "dLdW", "X^T G"), (EX4, "dLdW", r"X^{\top} \cdot G"), (EX4, "dLdW", "Xᵀ·G"),
    (EX4, "dLdW", "X^T @ G"), (EX4, "dLdW", "X.T @ G"), (EX4, "dLdW", "X⊤ G"),
    (EX4, "dLdX", r"G \cdot W^{\mathsf{T}}"), (EX4, "dLdX", r"$G W^\top$"),
    (EX4, "dLdX", "dL/dX = G Wᵀ"), (EX4, "dLdX", "(W Gᵀ)ᵀ"),
    (EX5, "d_H2", "((yhat - y) @ W3.T) * O2 * (1 - O2)"),
    (EX5, "d_H2", "(ŷ - y)·W3ᵀ * f'(H2)"),
    (EX5, "dLdW1", "X^T (((ŷ - y) W3^T ⊙ σ(H2) ⊙ (1 - σ(H2))) W2^T ⊙ f'(X W1))"),
])
def test_right_matrix_formulas(problem, part, answer):
    v = grade(problem, part, answer)
    assert v.verdict == "correct", v.explain()
    assert v.reason.code == "matrix_formula_equal" and v.details["confirmed"] >= 1


def test_a_transposed_factor_or_answer():
    v = grade(EX4, "dLdW", "G^T X")  # the transpose, 3×2 for 2×3
    assert v.reason.code == "matrix_shape_differs" and v.codes == ("matrix_transposed",)
    square = grade(EX5, "dLdW2", "((yhat - y) W3^T ⊙ O2 ⊙ (1 - O2))^T O1")
    assert square.reason.code == "matrix_transposed"
    assert grade(EX4, "dLdX", "W G^T").reason.code == "matrix_transposed"


def test_a_wrong_order_of_the_factors():
    v = grade(EX4, "dLdW", "X G")  # X, not Xᵀ: the right shape, other values
    assert v.verdict == "incorrect" and v.reason.code == "matrix_differs_at"
    assert "entry" in v.reason.render() and "X = [[" in v.reason.render()
    assert v.details["counterexample"]["X"]
    w = grade(EX4, "dLdX", "W^T G")  # 3×3 for 2×2
    assert w.reason.render() == "your answer is 3×3, the gradient of X is 2×2"
    assert grade(EX4, "dLdX", "G X").verdict == "invalid"  # no product fits


def test_a_missing_sigmoid_derivative():
    v = grade(EX5, "d_H2", "(yhat - y) W3^T")
    assert v.verdict == "incorrect"
    assert v.feedback[0].render() == ("a chain-rule factor is missing: ∂O2/∂H2 = O2*(1 - O2) on "
                                      "the edge H2 → O2")
    w = grade(EX5, "dLdW1", "X^T (((yhat - y) W3^T ⊙ O2 ⊙ (1 - O2)) W2^T)")
    assert "∂O1/∂H1" in w.feedback[0].render()
    assert grade("seed002-delta", "delta1", "W2^T delta2").codes == ("dropped_factor",)


def test_other_slips_of_a_formula():
    assert grade(EX4, "dLdX", "-G W^T").codes == ("sign_error",)
    assert grade(EX4, "dLdX", "2 G W^T").codes == ("factor_two",)
    assert grade(EX4, "dLdX", "X^T G").codes == ("matrix_other_part",)
    assert grade("seed002-delta", "dJdb2", "-delta2").codes == ("sign_error",)


def test_tricks_earn_nothing():
    """Tiny, huge and cancelling additions, and noise, never pass as correct."""
    part = get_problem(EX4).part("dLdX")
    for answer in ["G W^T + 10^(-12) X", "1.0000000001 G W^T", "G W^T + (10^99 X)*0 + X/10^15",
                   "G W^T + 0*sin(10^15 X) + 10^(-20) X",
                   "G W^T + step(X - 20)", "G W^T + (X*10^16 + 1) - X*10^16",
                   # X lost in 1 at 16 and at 50 digits: the noise asks for 100 digits
                   "G W^T + (X*10^-60 + 1 - 1)*10^60", "G W^T + ((X + 10^60) - 10^60)",
                   "G W^T + (X*1e-300 + 1 - 1)*1e300",
                   "G W^T + (((X*1e-300 + 1 - 1)*1e300*1e-300 + 1 - 1)*1e300*1e-300 + 1 - 1)"
                   "*1e300"]:
        v = part.grade(answer)
        assert v.verdict in ("incorrect", "undecided"), (answer, v.explain())
    assert part.grade("G W^T + (X*10^-60 + 1 - 1)*10^60").reason.code == "matrix_differs_at"
    # exactly cancelling additions are right, however large
    for answer in ["G W^T + (10^99 X)*0", "G W^T + X 1e300 - 1e300 X",
                   "G W^T + (X*10^40 + G W^T) - X*10^40 - G W^T"]:
        exact = part.grade(answer)
        assert exact.verdict == "correct", (answer, exact.explain())


def test_noise_estimate_and_high_precision_stage():
    shapes = {"A": (2, 2), "B": (2, 2)}
    g = gd.parse("A @ B", shapes=shapes)
    ref = MatrixReference(Source(g, g.output_ids[0]), shapes)
    cancelling = gd.parse("(A*1e8 + B) @ B - 1e8*A @ B", shapes=shapes)
    out = ref.compare(Source(cancelling, cancelling.output_ids[0]))
    assert out.status == "different"  # B @ B, not A @ B
    same = gd.parse("((A + 1e8) @ B - 1e8 @ B)", shapes=shapes) if False else None
    assert same is None
    noisy = gd.parse("A @ B + (A*1e20 - A*1e20)", shapes=shapes)
    assert ref.compare(Source(noisy, noisy.output_ids[0])).status == "equal"


def test_ops_without_a_high_precision_form_fall_back_to_floats():
    shapes = {"Z": (2, 3)}
    g = gd.parse("softmax(Z)", shapes=shapes)
    with pytest.raises(NoHighPrecision):
        mp_values(g, {"Z": np.zeros((2, 3))}, 30)
    ref = MatrixReference(Source(g, g.output_ids[0]), shapes)
    same = gd.parse("exp(Z) / sum(exp(Z), 1).reshape", shapes=shapes) if False else None
    assert same is None
    answer = read_answer("softmax(Z)", names=["Z"], shapes=shapes).graph()
    out = ref.compare(Source(answer, answer.output_ids[0]))
    assert out.status == "equal" and out.floats_only and out.confirmed == 0
    wrong = read_answer("softmax(2 Z)", names=["Z"], shapes=shapes).graph()
    assert ref.compare(Source(wrong, wrong.output_ids[0])).status == "different"


def test_an_undefined_answer_is_a_counterexample():
    p = load_problem({"id": "log", "title": "t", "function": "A: 2x2\nL = sum(A*A)",
                      "parts": [{"id": "dA", "kind": "matrix_formula", "wrt": "A",
                                 "answer": "2 A"}]})
    v = p.part("dA").grade("2 A + log(A) - log(A)")
    assert v.verdict == "incorrect" and v.reason.code == "matrix_undefined_at"


# --- problems ---------------------------------------------------------------------------------------


def test_the_matrix_kinds_are_registered_classes():
    assert KINDS["matrix"] is MatrixPart and KINDS["matrix_formula"] is MatrixFormulaPart


def test_shapes_in_problem_files():
    p = load_problem({"id": "s", "title": "t", "variables": ["G", "W"],
                      "shapes": {"G": [2, 3], "W": [2, 3]},
                      "parts": [{"id": "f", "kind": "matrix_formula", "answer": "G W^T",
                                 "mistakes": ["W G^T"]}]})
    assert p.shapes == {"G": (2, 3), "W": (2, 3)}
    assert all(r.ok for r in p.self_test())
    header = load_problem({"id": "h", "title": "t", "function": "X: 2x3\nL = sum(X)",
                           "shapes": {"X": [2, 3]},
                           "parts": [{"id": "g", "kind": "matrix_formula", "wrt": "X",
                                      "answer": "X - X + 1"}]})
    assert header.part("g").grade("X^0").verdict == "correct"


@pytest.mark.parametrize(("data", "message"), [
    ({"shapes": {"X": "2x3"}}, "shapes.X: expected a list of sizes"),
    ({"shapes": {"X": [2, 0]}}, "shapes.X: expected a list of sizes"),
    ({"function": "X: 2x2\nL = sum(X)", "shapes": {"X": [2, 3]}}, "declared"),
    ({"function": "X: 2x2\nL = sum(X)", "parts": [{"id": "d", "wrt": "X"}]},
     "a derivative part takes a function of numbers"),
    ({"function": "X: 2x2\nL = X.T", "parts": [{"id": "d", "kind": "matrix_formula",
                                                "wrt": "X", "answer": "X"}]},
     "a gradient needs a function whose output is a number"),
    ({"function": "X: 2x2\nL = sum(X)", "parts": [{"id": "d", "kind": "matrix",
                                                   "wrt": "X"}]}, "needs the point"),
    ({"function": "X: 2x2\nL = sum(X)", "parts": [{"id": "d", "kind": "matrix", "wrt": "X",
                                                   "at": {"X": [[1, 2, 3]]}}]}, "X is 2×2"),
    ({"function": "X: 2x2\nL = sum(X)", "parts": [{"id": "d", "kind": "matrix", "wrt": "X",
                                                   "node": "L"}]}, "give one of wrt, node"),
    ({"function": "X: 2x2\nL = sum(X)", "names": {"c": "X"},
      "parts": [{"id": "d", "kind": "matrix", "answer": "1"}]}, "takes allow_nodes"),
])
def test_bad_matrix_problems_are_refused(data, message):
    full = {"id": "bad", "title": "t", "parts": [{"id": "n", "kind": "number", "answer": "1"}],
            **data}
    with pytest.raises(ProblemError, match=message):
        problem = load_problem(full)
        for part in problem.parts:
            part.reference_text()


@pytest.mark.parametrize("problem_id", MATRIX_BANK)
def test_the_bank_matrix_problems_pass_their_self_tests(problem_id):
    problem = bank()[problem_id]
    results = problem.self_test()
    assert [r.describe() for r in results if not r.ok] == []
    assert problem.title["ru"] and problem.statement["ru"]
    kinds = {p.kind for p in problem.parts}
    assert kinds <= {"matrix", "matrix_formula"}
    for part in problem.parts:
        assert part.mistakes, part.id


def test_the_bank_mistakes_exercise_transposes_shapes_and_missing_factors():
    codes, reasons = set(), set()
    for problem_id in MATRIX_BANK:
        for r in bank()[problem_id].self_test():
            if r.expected == "incorrect":
                codes.update(r.verdict.codes)
                reasons.add(r.verdict.reason.code)
    assert {"matrix_transposed", "matrix_shape_differs"} <= reasons
    assert {"dropped_factor", "matrix_transposed", "factor_two", "sign_error",
            "matrix_factor_order", "matrix_transpose_missing"} <= codes


def test_the_seed_numbers():
    ex7 = get_problem(EX7)
    assert ex7.part("H1").reference_text() == "[[2, -1], [0, 1]]"
    assert ex7.part("MSE").reference_text() == "0.25"
    assert ex7.part("dMSE_dW2").reference_text() == "[[-1], [0]]"
    assert ex7.part("dMSE_dyhat").reference_text() == "[[-0.5], [0]]"
    # the sheet's doubled gradients are named as such
    assert grade(EX7, "dMSE_dW2", "(-2, 0)^T").codes[0] == "factor_two"


# --- a property test: random references and perturbed answers ---------------------------------------

entries = st.fractions(min_value=-20, max_value=20, max_denominator=8)


def _text(matrix: list[list[Fraction]]) -> str:
    return "[" + ", ".join("[" + ", ".join(str(x) for x in row) + "]" for row in matrix) + "]"


@st.composite
def matrices(draw):
    rows, columns = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return [[draw(entries) for _ in range(columns)] for _ in range(rows)]


def _part(reference):
    return load_problem({"id": "prop", "title": "t", "parts": [
        {"id": "m", "kind": "matrix", "answer": _text(reference)}]}).part("m")


@given(matrices(), st.data())
def test_property_random_matrices_and_perturbed_answers(reference, data):
    part = _part(reference)
    rows, columns = len(reference), len(reference[0])
    assert part.grade(_text(reference)).verdict == "correct"
    # one entry changed: incorrect, and that entry is named
    i, j = data.draw(st.integers(0, rows - 1)), data.draw(st.integers(0, columns - 1))
    changed = [row[:] for row in reference]
    changed[i][j] += data.draw(st.sampled_from([Fraction(1), Fraction(-1, 2), Fraction(3)]))
    v = part.grade(_text(changed))
    assert v.verdict == "incorrect"
    assert f"({i + 1}, {j + 1})" in v.reason.render()
    # transposed
    transposed = [list(col) for col in zip(*reference, strict=True)]
    if transposed != reference:
        t = part.grade(_text(transposed))
        assert t.verdict == "incorrect"
        if rows == columns:
            assert t.reason.code == "matrix_transposed"
        else:
            assert t.reason.code == "matrix_shape_differs"
            assert t.codes[0] == "matrix_transposed"
    # scaled
    factor = data.draw(st.sampled_from([Fraction(2), Fraction(-1), Fraction(1, 2), Fraction(3)]))
    scaled = [[factor * x for x in row] for row in reference]
    if scaled != reference:
        s = part.grade(_text(scaled))
        assert s.verdict == "incorrect"
        if factor == -1:
            assert s.codes[0] == "sign_error"
        elif factor in (2, Fraction(1, 2)) and transposed != scaled:
            assert s.codes[0] == "factor_two"


@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.sampled_from(["2*", "-", "1/2*", ""]))
def test_property_random_products_and_perturbed_formulas(n, k, m, scale):
    shapes = {"A": (n, k), "B": (k, m)}
    g = gd.parse("A @ B", shapes=shapes)
    ref = MatrixReference(Source(g, g.output_ids[0]), shapes)

    def verdict(text: str):
        reading = read_answer(text, names=["A", "B"], shapes=shapes)
        answer = reading.graph()
        if reading.shape != (n, m):
            return "shape"
        return ref.compare(Source(answer, answer.output_ids[0])).status

    assert verdict("A B") == "equal"
    assert verdict("(B^T A^T)^T") == "equal"
    assert verdict(f"{scale}(A B)") == ("equal" if not scale else "different")
    transposed = verdict("(A B)^T")
    assert transposed == ("shape" if n != m else "different" if n > 1 else "equal")


# --- order errors, transposes, special matrices, overflow -------------------------------------------

SQUARE = {"id": "square", "title": "t", "function": "X: 2x2\nW: 2x2\nG: 2x2\nL = sum(G * (X @ W))",
          "parts": [{"id": "dX", "kind": "matrix_formula", "wrt": "X", "answer": "G W^T"},
                    {"id": "dW", "kind": "matrix_formula", "wrt": "W", "answer": "X^T G"}]}


@pytest.mark.parametrize(("part", "answer", "code", "feedback"), [
    ("dX", "W^T G", "matrix_factor_order",
     "the factors of the matrix product are in the wrong order: write G @ W.T, not W.T @ G"),
    ("dX", "Wᵀ·G", "matrix_factor_order",
     "the factors of the matrix product are in the wrong order: write G @ W.T, not W.T @ G"),
    ("dW", "G X^T", "matrix_factor_order",
     "the factors of the matrix product are in the wrong order: write X.T @ G, not G @ X.T"),
    ("dX", "G @ W", "matrix_transpose_missing", "a transpose is missing: write W.T, not W"),
    ("dW", "X G", "matrix_transpose_missing", "a transpose is missing: write X.T, not X"),
    ("dX", "G (W^T)^T", "matrix_transpose_extra", "a transpose too many: write W, not W.T"),
])
def test_order_and_transpose_slips_are_named(part, answer, code, feedback):
    v = load_problem(SQUARE).part(part).grade(answer)
    assert v.verdict == "incorrect"
    assert v.reason.code == "matrix_differs_at"  # with the point, the entry, both values
    assert v.codes == (code,)
    assert v.feedback[0].render() == feedback
    assert v.feedback[0].render("ru")


def test_order_slips_of_another_shape_are_named_too():
    v = grade(EX4, "dLdX", "W^T G")  # 3×3 for 2×2: the swap gives G Wᵀ
    assert v.reason.render() == "your answer is 3×3, the gradient of X is 2×2"
    assert v.codes == ("matrix_factor_order",)
    w = grade(EX4, "dLdW", "X G")  # 2×3, X for Xᵀ
    assert w.codes == ("matrix_transpose_missing",)
    assert grade(EX4, "dLdW", "G^T X").codes == ("matrix_transposed",)


QUADRATIC = {"id": "quad", "title": "t", "function": "A: 3x3\nx: 3x1\nL = sum(x * (A @ x))",
             "parts": [{"id": "dx", "kind": "matrix_formula", "wrt": "x",
                        "answer": "(A + A^T) x"},
                       {"id": "dA", "kind": "matrix_formula", "wrt": "A", "answer": "x x^T"}]}


def test_answers_right_only_at_special_matrices_are_wrong():
    """The gradient of xᵀAx is (A + Aᵀ)x; 2Ax is right only for a symmetric A."""
    p = load_problem(QUADRATIC)
    for answer in ["(A + A^T) x", "A x + A^T x", "(A+Aᵀ)·x", r"(A + A^{\top}) x", "A^T x + A x"]:
        assert p.part("dx").grade(answer).verdict == "correct", answer
    for answer in ["2 A x", "2 A^T x", "A x", "A^T x", "(A A^T) x"]:
        v = p.part("dx").grade(answer)
        assert v.verdict == "incorrect" and v.reason.code == "matrix_differs_at", answer
    assert p.part("dA").grade("x ⊙ x^T").verdict == "correct"  # broadcasting: x xᵀ
    assert p.part("dA").grade("x^T x").reason.code == "matrix_shape_differs"
    # the points are neither symmetric, nor the identity, nor zero
    ref = p.part("dx").reference
    for k in range(ref.count):
        a = ref.env["A"][k]
        assert not np.allclose(a, a.T) and not np.allclose(a, np.eye(3)) and a.all()


@pytest.mark.parametrize(("reference", "answer", "code"), [
    ("A", "A^T", "matrix_transposed"),             # right for symmetric A
    ("A @ B", "B @ A", "matrix_factor_order"),     # right for commuting A, B (the identity)
    ("A - A^T", "A^T - A", "matrix_transposed"),   # right at symmetric A (both zero)
    ("A @ B - B @ A", "B @ A - A @ B", "sign_error"),  # right for commuting A, B
    ("A @ B", "A^T @ B", "matrix_transpose_extra"),
    ("A @ A", "A @ A^T", "matrix_transpose_extra"),  # right for orthogonal A... and symmetric
])
def test_formulas_right_at_special_matrices_are_told_apart(reference, answer, code):
    p = load_problem({"id": "s", "title": "t", "variables": ["A", "B"],
                      "shapes": {"A": [2, 2], "B": [2, 2]},
                      "parts": [{"id": "f", "kind": "matrix_formula", "answer": reference}]})
    v = p.part("f").grade(answer)
    assert v.verdict == "incorrect"
    assert v.reason.code == code or code in v.codes, v.explain()
    for zero in ["0*A", "A - A"]:
        assert p.part("f").grade(zero).verdict == "incorrect"


@pytest.mark.parametrize(("answer", "verdict", "code"), [
    ("G W^T + exp(1000 X)", "incorrect", "matrix_differs_at"),          # overflows in floats
    ("G W^T + exp(exp(exp(X)))", "incorrect", "matrix_undefined_at"),   # and at 50 digits
    ("G W^T + 0*exp(exp(X))", "incorrect", "matrix_undefined_at"),      # inf*0 where it overflows
    ("G W^T + log(X - X)", "incorrect", "matrix_undefined_at"),
    ("G W^T + 1/(X - X)", "incorrect", "matrix_undefined_at"),
    ("G W^T*1e308*1e308", "incorrect", "matrix_differs_at"),            # inf, not "the transpose"
    ("G W^T + X*inf", "invalid", "unknown_name"),
    ("G W^T + nan", "invalid", "unknown_name"),
    ("G W^T + 1e999 X", "invalid", "number_too_large"),
    ("G W^T + 10^(10^10)", "invalid", "constant_too_large"),
    # exact, through intermediates of 1e616 (computed at 660 digits and more)
    ("G W^T + (1e308*X)*1e308 - (1e308*X)*1e308", "correct", "matrix_formula_equal"),
    # ... and X lost in 1 at 16 and at 50 digits, behind an overflow
    ("G W^T + ((1e308*X)*1e308 - (1e308*X)*1e308) + (X*1e-60 + 1 - 1)/1e-60", "incorrect",
     "matrix_differs_at"),
])
def test_overflow_and_values_that_are_not_finite(answer, verdict, code):
    v = grade(EX4, "dLdX", answer)
    assert (v.verdict, v.reason.code) == (verdict, code), v.explain()
    if verdict == "correct":
        assert v.details["digits"] > 616  # the digits it took, in the verdict
        assert f"checked to {v.details['digits']} digits" in v.reason.render()
    assert grade(EX4, "dLdX", "G W^T").details["digits"] == 50


@pytest.mark.parametrize(("answer", "sign", "column"), [
    ("x @ y", "@", 3), ("x^T y", "^T", 2), ("xᵀ + y", "ᵀ", 2), ("x.T * y", ".T", 2),
    ("x ⊙ y", "⊙", 3), (r"x \odot y", r"\odot", 3), (r"x^{\top}", r"^{\top}", 2),
])
def test_matrix_signs_in_an_answer_about_numbers_are_a_clear_error(answer, sign, column):
    v = grade("seed004-ex1", "dfdx", answer)
    assert v.verdict == "invalid"
    assert v.reason.code == "matrix_sign_in_number"
    assert v.reason.render() == (f"'{sign}' is an operation of matrices, but the answers of "
                                 "this problem are numbers")
    assert v.column == column
    assert grade("seed004-ex1", "dfdx", "x·y").verdict == "incorrect"  # · is a product


@pytest.mark.parametrize("word", ["det", "tr", "trace", "softmax", "sum", "inv", "transpose"])
def test_functions_of_matrices_in_an_answer_about_numbers_are_a_clear_error(word):
    v = grade("seed004-ex1", "dfdx", f"2 {word}(x) + y")
    assert (v.verdict, v.reason.code, v.column) == ("invalid", "matrix_function_in_number", 3)
    assert v.reason.render() == (f"{word} is a function of matrices, but the answers of this "
                                 "problem are numbers")
    assert v.reason.render("ru").startswith(word)


# --- batch grading of a class with matrix answers ---------------------------------------------------


def test_batch_grading_a_folder_of_matrix_answers(tmp_path):
    import csv
    import io

    from graphdiff.checker.batch import grade as grade_folder

    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "ann.toml").write_text('dLdX = "G W^T"\ndLdW = "X^T G"\n', encoding="utf-8")
    (folder / "bob.toml").write_text('dLdX = "W^T G"\ndLdW = "Xᵀ·G"\n', encoding="utf-8")
    (folder / "cat.toml").write_text(
        "dLdX = '\\begin{pmatrix} 1 & 2 \\end{pmatrix}'\ndLdW = \"X @ @ G\"\n", encoding="utf-8")
    book = tmp_path / "book.csv"
    summary = grade_folder(EX4, folder, book, progress=False)
    assert (summary.graded, summary.errors) == (3, 0)
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(book.read_text("utf-8")))}
    assert rows["ann"][f"{EX4}:dLdX"] == rows["ann"][f"{EX4}:dLdW"] == "correct"
    assert rows["bob"][f"{EX4}:dLdX"] == "incorrect" and rows["bob"][f"{EX4}:dLdW"] == "correct"
    assert rows["cat"][f"{EX4}:dLdX"] == rows["cat"][f"{EX4}:dLdW"] == "invalid"
    assert rows["ann"]["score"] == rows["ann"]["max_score"]
    # matrices of numbers as TOML arrays and strings
    folder7 = tmp_path / "ex7"
    folder7.mkdir()
    (folder7 / "dan.toml").write_text(
        'H1 = [[2, -1], [0, 1]]\ndMSE_dW1 = "[[-1/4, 0], [-0.5, 0]]"\n'
        'dMSE_dW2 = [[-1, 0]]\n', encoding="utf-8")
    summary = grade_folder(EX7, folder7, tmp_path / "book7.csv", progress=False)
    row = next(csv.DictReader(io.StringIO((tmp_path / "book7.csv").read_text("utf-8"))))
    assert row[f"{EX7}:H1"] == row[f"{EX7}:dMSE_dW1"] == "correct"
    assert row[f"{EX7}:dMSE_dW2"] == "incorrect"  # 1×2 for 2×1


# --- the ReLU mask as an Iverson bracket ----------------------------------------------------------

RELU = {"id": "relu", "title": "t", "allow_nodes": ["H"],
        "function": "X: 3x2\nW: 2x2\nG: 3x2\nH = X @ W\nL = sum(G * relu(H))",
        "parts": [{"id": "dW", "kind": "matrix_formula", "wrt": "W",
                   "answer": "X^T (G ⊙ [H > 0])", "mistakes": ["X^T G", "(G ⊙ [H>0])^T X"]},
                  {"id": "dH", "kind": "matrix_formula", "node": "H",
                   "answer": "G ⊙ [H > 0]", "mistakes": ["G", "G ⊙ [H < 0]"]}]}


@pytest.mark.parametrize(("part", "answer", "read_as"), [
    ("dH", "G ⊙ [H>0]", "G*step(H)"), ("dH", "G ⊙ (H > 0)", "G*step(H)"),
    ("dH", r"G \odot [H \geq 0]", "G*step(H)"), ("dH", "G ⊙ [H >= 0]", "G*step(H)"),
    ("dH", "G ⊙ [0 < H]", "G*step(H)"), ("dH", "G * step(H)", "G*step(H)"),
    ("dH", "G ⊙ relu'(H)", "G*(1 - step(-H))"), ("dH", "G ⊙ [X W > 0]", "G*step(X @ W)"),
    ("dW", "Xᵀ·(G ⊙ [H > 0])", "X.T @ (G*step(H))"),
    ("dW", "X^T @ (G ⊙ [H ≥ 0])", "X.T @ (G*step(H))"),
])
def test_the_relu_mask_as_an_iverson_bracket(part, answer, read_as):
    v = load_problem(RELU).part(part).grade(answer)
    assert (v.verdict, v.read_as) == ("correct", read_as), v.explain()


def test_iverson_brackets_wrong_and_refused():
    p = load_problem(RELU)
    assert all(r.ok for r in p.self_test())
    assert p.part("dH").grade("G ⊙ [H < 0]").verdict == "incorrect"
    assert p.part("dH").grade("G").codes == ("dropped_factor",)
    assert p.part("dW").grade("(G ⊙ [H>0])^T X").reason.code == "matrix_transposed"
    for answer, column in [("G ⊙ [H > 0 > G]", 12), ("G > H", 3)]:
        v = p.part("dH").grade(answer)
        assert (v.verdict, v.reason.code, v.column) == ("invalid", "unexpected_token", column)


def test_the_high_precision_stage_is_bounded_in_time(monkeypatch):
    import graphdiff.checker.matrices.compare as compare_module

    slow = "G W^T + (exp(sin(2 X))*1e300*1e300 - 1e300*exp(sin(2 X))*1e300)"
    v = grade(EX4, "dLdX", slow)
    assert v.verdict == "correct" and v.details["digits"] > 600
    monkeypatch.setattr(compare_module, "HIGH_PRECISION_SECONDS", 0.0)
    v = grade(EX4, "dLdX", slow)
    assert v.verdict == "undecided"
    assert v.reason.render() == ("the automatic check could not decide (the check at high "
                                 "precision ran out of time, and matrices have no symbolic "
                                 "proof); a teacher will look at it")
