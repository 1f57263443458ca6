"""JAX-style transformations of Python functions: the same numbers as the engines, finite
differences and sympy; clear errors for what cannot be traced."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphdiff as gd
from graphdiff import transforms


def f(x, y):
    return x**2 * y + gd.sin(x) * gd.exp(y)


def df(x, y):
    return (2 * x * y + math.cos(x) * math.exp(y), x**2 + math.sin(x) * math.exp(y))


@settings(max_examples=40, deadline=None)
@given(x=st.floats(-2, 2), y=st.floats(-2, 2))
def test_grad_and_value_and_grad_match_the_derivative(x, y) -> None:
    expected = df(x, y)
    assert gd.grad(f)(x, y) == pytest.approx(expected[0], rel=1e-12, abs=1e-12)
    got = gd.grad(f, argnums=(0, 1))(x, y)
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)
    value, grads = gd.value_and_grad(f, argnums=1)(x, y)
    assert value == pytest.approx(x**2 * y + math.sin(x) * math.exp(y), rel=1e-14, abs=1e-14)
    assert grads == pytest.approx(expected[1], rel=1e-12, abs=1e-12)


def test_a_function_is_traced_once_per_shape() -> None:
    calls = []

    def g(x):
        calls.append(1)
        return x * x

    for v in (1.0, 2.0, 3.0):
        assert gd.grad(g)(v) == 2 * v
    assert len(calls) == 1
    gd.jacrev(g)(np.array([1.0, 2.0]))
    assert len(calls) == 2


def test_jacobians_in_jax_layout_against_finite_differences() -> None:
    def h(W, x):
        return gd.tanh(W @ x)

    W = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]])
    x = np.array([[0.7], [-1.1], [0.2]])
    J = gd.jacrev(h)(W, x)
    assert J.shape == (2, 1, 2, 3)
    assert np.allclose(J, gd.jacfwd(h)(W, x), rtol=1e-12, atol=1e-14)
    eps = 1e-6
    numeric = np.zeros_like(J)
    for i in range(2):
        for j in range(3):
            step = np.zeros_like(W)
            step[i, j] = eps
            numeric[:, :, i, j] = (np.tanh((W + step) @ x) - np.tanh((W - step) @ x)) / (2 * eps)
    assert np.allclose(J, numeric, rtol=1e-6, atol=1e-9)
    Jx = gd.jacrev(h, argnums=1)(W, x)
    assert Jx.shape == (2, 1, 3, 1)
    assert np.allclose(Jx[:, 0, :, 0], (1 - np.tanh(W @ x) ** 2) * W, rtol=1e-12)


def test_hessian_jvp_and_vjp_of_functions() -> None:
    H = gd.hessian(lambda x, y: x**3 * y, argnums=(0, 1))(1.0, 2.0)
    assert np.allclose(H, [[12.0, 3.0], [3.0, 0.0]])
    assert gd.hessian(lambda x: gd.exp(2 * x))(0.0) == pytest.approx(4.0)
    value, tangent = gd.jvp(f, (0.5, -0.25), (1.0, 2.0))
    d = df(0.5, -0.25)
    assert tangent == pytest.approx(d[0] + 2 * d[1], rel=1e-12)
    value, pullback = gd.vjp(f, 0.5, -0.25)
    assert value == pytest.approx(0.25 * -0.25 + math.sin(0.5) * math.exp(-0.25), rel=1e-14)
    assert pullback(3.0) == pytest.approx((3 * d[0], 3 * d[1]), rel=1e-12)


def test_the_graph_first_forms_still_work() -> None:
    g = gd.parse("x**2*y")
    assert gd.grad(g, {"x": 1.0, "y": 2.0}) == {"x": 4.0, "y": 1.0}
    assert gd.grad("x**2*y", {"x": 1.0, "y": 2.0}) == {"x": 4.0, "y": 1.0}
    assert gd.jvp(g, {"x": 1.0, "y": 2.0}, {"x": 1.0, "y": 0.0}) == (2.0, 4.0)
    assert gd.vjp(g, {"x": 1.0, "y": 2.0}, {g.outputs[0]: 1.0})[1] == {"x": 4.0, "y": 1.0}
    assert np.allclose(gd.hessian(g, {"x": 1.0, "y": 2.0}), [[4.0, 2.0], [2.0, 0.0]])


def test_make_graph_is_make_jaxpr() -> None:
    g = gd.make_graph(lambda X, W: gd.sum(gd.relu(X @ W)))(np.ones((4, 2)), np.ones((2, 3)))
    assert g.inputs == ("X", "W") and g.shape("X") == (4, 2) and g.shape("W") == (2, 3)


@pytest.mark.parametrize(("fn", "args", "fragment"), [
    (lambda x: math.sin(x), (1.0,), "use graphdiff's functions"),
    (lambda xs: xs[0] * xs[1], (np.array([1.0, 2.0]),), "indexing a traced value"),
    (lambda x: x * 2, ("abc",), "transformations take numbers"),
    (lambda x: x * 2, ([1.0, "a"],), "not an array of numbers"),
    (lambda x: x if x > 0 else -x, (1.0,), "control flow"),
    (lambda x, y: x * y, (1.0,), "1 example arguments for 2 inputs"),
])
def test_what_cannot_be_traced_is_said_clearly(fn, args, fragment) -> None:
    with pytest.raises(gd.GraphdiffError, match=fragment):
        gd.grad(fn)(*args)


def test_grad_needs_one_number() -> None:
    with pytest.raises(gd.GraphdiffError, match="use jacrev or jacfwd"):
        gd.grad(lambda x: x * x)(np.array([1.0, 2.0]))
    with pytest.raises(gd.GraphdiffError, match="argnums 3 is out of range"):
        gd.grad(lambda x: x, argnums=3)(1.0)
    with pytest.raises(gd.GraphdiffError, match="takes a Python function"):
        gd.grad(42)


def test_forms_are_documented_in_one_place() -> None:
    assert set(transforms.FORMS) == {"grad", "hessian", "jvp", "vjp"}
