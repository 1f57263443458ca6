"""Evaluation: points, batches, broadcasting and domain errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import graphdiff as gd


def test_point_as_dict_or_keywords_or_positional() -> None:
    g = gd.parse("x**2 + x*y + (x+y)**2")
    assert g.evaluate({"x": 1, "y": 2}) == g.evaluate(x=1, y=2) == g(1, 2) == 12.0


def test_batches_broadcast() -> None:
    g = gd.parse("x*y + sin(x)")
    xs = np.linspace(-1, 1, 5)
    ys = np.array([[1.0], [2.0]])
    values = g.evaluate(x=xs, y=ys)
    assert values.shape == (2, 5)
    np.testing.assert_allclose(values, xs * ys + np.sin(xs))


@given(st.lists(st.floats(-5, 5), min_size=1, max_size=20))
def test_batch_equals_pointwise(points: list[float]) -> None:
    g = gd.parse("tanh(x)*x - exp(-x^2)/(1 + x^2)")
    batch = g.evaluate(x=np.array(points))
    pointwise = [g.evaluate(x=p) for p in points]
    np.testing.assert_allclose(batch, pointwise, rtol=1e-15)


@pytest.mark.parametrize(
    ("text", "point", "message"),
    [
        ("log(x - 1)", {"x": 0.5}, "log of a non-positive number at w3: w3 = log(w2) with w2 = -0.5"),
        ("sqrt(x)", {"x": -4.0}, "sqrt of a negative number at w2: w2 = sqrt(x) with x = -4"),
        ("1/x", {"x": 0.0}, "division by zero at w2: w2 = 1/x"),
        ("x**0.5", {"x": -1.0}, "power of a negative base"),
        ("x**y", {"x": 0.0, "y": -1.0}, "with a negative exponent"),
    ],
)
def test_domain_errors_name_the_node(text: str, point: dict, message: str) -> None:
    g = gd.parse(text)
    with pytest.raises(gd.DomainError) as info:
        g.evaluate(point)
    assert message in str(info.value)
    assert info.value.node in {g.name(n) for n in g.order}


def test_domain_error_in_a_batch_names_the_index_and_nan_option() -> None:
    g = gd.parse("log(x)")
    with pytest.raises(gd.DomainError, match="first at batch index 2"):
        g.evaluate(x=np.array([1.0, 2.0, -3.0, 4.0]))
    values = g.evaluate(x=np.array([1.0, -1.0]), on_domain_error="nan")
    assert values[0] == 0.0 and np.isnan(values[1])


def test_program_domain_error_uses_the_users_names() -> None:
    g = gd.parse("z = x - 2\nL = log(z)")
    with pytest.raises(gd.DomainError, match="at L: L = log"):
        g.evaluate(x=1.0)


def test_missing_unknown_and_bad_inputs() -> None:
    g = gd.parse("x + y")
    with pytest.raises(gd.GraphdiffError, match="no value given for y"):
        g.evaluate(x=1)
    with pytest.raises(gd.GraphdiffError, match="unknown input z"):
        g.evaluate(x=1, y=2, z=3)
    with pytest.raises(gd.GraphdiffError, match="not a number"):
        g.evaluate(x="a", y=2)


def test_overflow_is_inf_not_an_error() -> None:
    assert gd.parse("exp(x)").evaluate(x=1000.0) == np.inf
