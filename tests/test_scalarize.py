"""The elementwise expansion: a tensor graph as a scalar graph over its entries.

Every op of the registry (shapes, axes and values from ``tests/tensor_cases.py``) is
expanded and compared with the tensor graph, value and gradient; the methods that work on
scalars (paths, symbolic) reach tensor graphs through the expansion, and their results
equal the matrix results of reverse mode.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import graphdiff as gd
from graphdiff.derive.scalarize import entry_point, gather
from graphdiff.ops import OPS
from graphdiff.trace import function_of

from .tensor_cases import cases, data_arity, values_for

ALL_OPS = sorted(OPS)


def _graph(name: str, shapes: tuple, static: tuple) -> gd.Graph:
    op = OPS[name]
    names = ["a", "b"][: data_arity(op)]
    function = function_of(op)
    return gd.trace(lambda *xs: gd.sum(gd.sin(function(*xs, *static))), inputs=names,
                    shapes=dict(zip(names, shapes, strict=True)))


@pytest.mark.parametrize("name", ALL_OPS)
@settings(max_examples=4, deadline=None)
@given(data=st.data())
def test_every_op_expands_to_the_same_function_and_gradient(name: str, data) -> None:
    shapes, static = data.draw(cases(name), label="shapes, static")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    g = _graph(name, shapes, static)
    at = dict(zip(g.inputs, values_for(OPS[name], shapes, static, rng), strict=True))
    s = gd.scalarize(g)
    assert not s.is_tensor
    point = entry_point(g, at)
    assert s.evaluate(point) == pytest.approx(g.evaluate(at), rel=1e-9, abs=1e-12)
    matrix = gd.grad(g, at)
    entries = gd.grad(s, point)
    for x in g.inputs:
        np.testing.assert_allclose(gather(g, x, entries), matrix[x], rtol=1e-8, atol=1e-10)


NETWORK = """
X: 3x2
W1: 2x2
b: 2
W2: 2x1
y: 3x1
H1 = X @ W1 + b
O1 = sigmoid(H1)
yhat = O1 @ W2
L = mse(yhat, y)
"""


@st.composite
def network_points(draw: st.DrawFn) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    g = gd.parse(NETWORK)
    return {x: rng.uniform(-2, 2, size=g.shape(x)) for x in g.inputs}


@settings(max_examples=5, deadline=None)
@given(at=network_points())
def test_paths_and_sympy_on_a_network_equal_reverse_mode(at: dict) -> None:
    g = gd.parse(NETWORK)
    reference = gd.grad(g, at)
    for method in ("paths", "symbolic", "forward", "numeric"):
        result = gd.grad(g, at, method=method)
        for x in g.inputs:
            assert result[x].shape == g.shape(x)
            np.testing.assert_allclose(result[x], reference[x], rtol=1e-6, atol=1e-9)


def test_symbolic_gradients_are_matrices_shaped_like_the_inputs() -> None:
    g = gd.parse("X: 2x3\nv: 3\nL = sum(X @ v) + tr(X @ X.T)")
    gradient = gd.grad(g, method="symbolic")
    assert isinstance(gradient["X"], sympy.Matrix) and gradient["X"].shape == (2, 3)
    assert gradient["v"].shape == (3, 1)  # a vector is a column
    x11, v1 = sympy.symbols("x11 v1")
    assert sympy.expand(gradient["X"][0, 0] - (v1 + 2 * x11)) == 0
    assert gd.symbolic_diff(g, "x11") == gradient["X"][0, 0]


def test_seed_004_ex4_the_24_partials_of_z_by_x_are_the_w_entries() -> None:
    layer = gd.parse("X: 2x2\nW: 2x3\nZ = X @ W")
    jacobian = gd.jacobian(layer, wrt=["X"])
    assert jacobian.shape == (6, 4)          # ∂z_ij/∂x_kl: 24 partials, 12 of them zero
    assert sum(1 for entry in jacobian if entry == 0) == 12
    w = sympy.Matrix(2, 3, sympy.symbols("w11 w12 w13 w21 w22 w23"))
    for (i, j) in np.ndindex(2, 3):
        for (k, m) in np.ndindex(2, 2):
            assert jacobian[3 * i + j, 2 * k + m] == (w[m, j] if i == k else 0)
    assert gd.jacobian(layer, wrt=["W"]).shape == (6, 6)


def test_seed_004_ex4_matrix_formulas_equal_the_entrywise_chain_rule() -> None:
    # L = <G, Z> has ∂L/∂Z = G: the entrywise derivatives are the sheet's sums, and they
    # are the entries of G·Wᵀ and Xᵀ·G.
    g = gd.parse("X: 2x2\nW: 2x3\nG: 2x3\nZ = X @ W\nL = sum(G * Z)")
    G = sympy.Matrix(2, 3, sympy.symbols("g11 g12 g13 g21 g22 g23"))
    W = sympy.Matrix(2, 3, sympy.symbols("w11 w12 w13 w21 w22 w23"))
    X = sympy.Matrix(2, 2, sympy.symbols("x11 x12 x21 x22"))
    gradient = gd.grad(g, method="symbolic")
    assert sympy.expand(gradient["X"] - G * W.T) == sympy.zeros(2, 2)
    assert sympy.expand(gradient["W"] - X.T * G) == sympy.zeros(2, 3)
    g11, g12, g13, w11, w12, w13 = sympy.symbols("g11 g12 g13 w11 w12 w13")
    assert sympy.expand(gradient["X"][0, 0] - (g11 * w11 + g12 * w12 + g13 * w13)) == 0


@st.composite
def quadratic_points(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.normal(size=n), rng.normal(size=(n, n))


@settings(max_examples=8, deadline=None)
@given(point=quadratic_points())
def test_the_hessian_of_the_quadratic_form_is_a_plus_a_transpose(point) -> None:
    x, A = point
    n = len(x)
    for text in ("x @ A @ x", "dot(x, A @ x)"):
        g = gd.parse(f"x: {n}\nA: {n}x{n}\nq = {text}")
        at = {"x": x, "A": A}
        np.testing.assert_allclose(gd.hessian(g, at, wrt=["x"]), A + A.T, rtol=1e-12,
                                   atol=1e-12)
        symbolic = gd.hessian(g, wrt=["x"])
        a = sympy.Matrix(n, n, lambda i, j: sympy.Symbol(f"a{i + 1}{j + 1}"))
        assert sympy.expand(symbolic - (a + a.T)) == sympy.zeros(n, n)
        np.testing.assert_allclose(gd.jacobian(g, at, wrt=["x"])[0], (A + A.T) @ x,
                                   rtol=1e-12, atol=1e-12)


def test_jacobians_by_sweeps_equal_the_expansions() -> None:
    g = gd.parse("X: 2x3\nW: 3x2\nH = tanh(X @ W)\nS = softmax(H)", outputs=["H", "S"])
    rng = np.random.default_rng(5)
    at = {"X": rng.normal(size=(2, 3)), "W": rng.normal(size=(3, 2))}
    s = gd.scalarize(g)
    expected = gd.jacobian(s, entry_point(g, at))
    assert expected.shape == (8, 12)
    for method in ("reverse", "forward"):
        np.testing.assert_allclose(gd.jacobian(g, at, method=method), expected, rtol=1e-10,
                                   atol=1e-12)
    symbolic = gd.jacobian(g, wrt=["W"])
    assert symbolic.shape == (8, 6)


def test_entry_names_are_the_sheets_and_collision_free() -> None:
    g = gd.parse("X: 2x2\nW1: 2x2\ny_hat: 2\nB: 12x1\nL = sum(X @ W1 @ y_hat) + sum(B) + x12")
    names = gd.entry_names(g)
    assert names["X"].tolist() == [["X11", "X12"], ["X21", "X22"]]   # x12 is taken
    assert names["W1"][0, 1] == "w1_12" and names["y_hat"].tolist() == ["y1_hat", "y2_hat"]
    assert names["B"][10, 0] == "b_11_1"
    s = gd.scalarize(g)
    assert len(set(s.inputs)) == len(s.inputs) == 4 + 4 + 2 + 12 + 1
    assert gd.parse("x: 2\nsum(x)").name(0) == "x"
    assert gd.scalarize(gd.parse("x: 2\nq = sum(x)")).inputs == ("x1", "x2")


def test_determinants_and_inverses_expand_by_cofactors() -> None:
    g = gd.parse("X: 3x3\nd = det(X)")
    X = sympy.Matrix(3, 3, lambda i, j: sympy.Symbol(f"x{i + 1}{j + 1}"))
    assert sympy.expand(gd.scalarize(g).to_sympy() - X.det()) == 0
    inverse = gd.scalarize(gd.parse("X: 2x2\nY = inv(X)"))
    assert sympy.simplify(sympy.Matrix(2, 2, inverse.to_sympy()) - X[:2, :2].inv()) == \
        sympy.zeros(2, 2)
    with pytest.raises(gd.GraphdiffError, match="stops at 4×4"):
        gd.scalarize(gd.parse("X: 5x5\ndet(X)"))


def test_the_expansion_refuses_large_shapes() -> None:
    with pytest.raises(gd.GraphdiffError, match="small shapes"):
        gd.scalarize(gd.parse("X: 200x200\nsum(X)"))


def test_a_batch_of_points_goes_through_the_expansion() -> None:
    g = gd.parse("x: 2\nL = sum(sin(x))")
    xs = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    result = gd.grad(g, {"x": xs}, method="symbolic")["x"]
    np.testing.assert_allclose(result, np.cos(xs), rtol=1e-12)
