"""The interpreted engines on Python floats (issue 12): at one point of a scalar graph,
evaluation and the reverse and forward sweeps run on floats, and forward mode's Jacobian is
one sweep with vector tangents.  The numbers must be those of the numpy scalar sweeps, bit
for bit: the references here are those sweeps, run on numpy float64 values."""

from __future__ import annotations

import dataclasses
import math
import struct
from typing import Any

import numpy as np
import pytest

import graphdiff as gd
from graphdiff.derive import forward as forward_module
from graphdiff.derive import reverse as reverse_module
from graphdiff.derive.forward import forward_jacobian
from graphdiff.graph import Graph
from graphdiff.ops import OPS, SCALAR, scalar_function

#: Every scalar op of the registry, and the places where floats and numpy part ways:
#: 1/0, sqrt'(0), overflow, signed zeros, ties of max and min, kinks.
EXPRESSIONS = [
    "sin(x)*cos(y) + sqrt(x*x + y*y) - tanh(x - y)**2 + x/y",
    "relu(x - y) + abs(y)*max(x, y) - min(x, 2*y) + step(x) + sign(y)*x",
    "leaky_relu(x - 1) + atan(y) + exp(x)*log(1 + y*y) + sigmoid(x*y) + softplus(-y)",
    "x**y + x**3 + y**0.5 + cbrt(x - y) + sinh(x)/cosh(y) + asinh(x*y)",
    "sqrt(x*x) + sqrt(y*y)",                 # sqrt' = 1/(2*0) at 0: inf from numpy
    "exp(x*y)*exp(x*y) - x*y*0.0 + (-x)*0.0",  # overflow to inf, nan, -0.0
    "max(x, x) + min(y, y) + max(-x, y)",    # ties: the derivative to the first argument
]
POINTS = [
    {"x": 0.7, "y": 1.3},
    {"x": 2.0, "y": 0.5},
    {"x": 0.0, "y": 0.0},
    {"x": -0.0, "y": 3.0},
    {"x": 400.0, "y": 2.0},
    {"x": 1e-310, "y": 1e300},
]


def bits(value: Any) -> Any:
    """A number as its 8 bytes, any nan as one nan (the sign of zero counts)."""
    if type(value) is int:  # a structural zero
        return ("zero", value)
    value = float(value)
    return "nan" if value != value else struct.pack("<d", value)


def numpy_values(graph: Graph, point: dict[str, float]) -> list[Any]:
    """Every node's value as the numpy sweeps computed them (float64 scalars), the
    reference of the float sweep."""
    values: list[Any] = [None] * len(graph)
    for i, name in zip(graph.input_ids, graph.inputs, strict=True):
        values[i] = np.float64(point[name])
    with np.errstate(all="ignore"):
        for i in graph.order:
            op = graph.op(i)
            if op is None:
                continue
            args = [values[a] if type(a) is int else np.float64(a) for a in graph.args(i)]
            values[i] = op.numpy(*args)
    return values


def evaluates(graph: Graph, point: dict[str, float]) -> bool:
    try:
        graph.evaluate(point)
    except gd.DomainError:
        return False
    return True


def cases() -> list[tuple[str, dict[str, float]]]:
    return [(text, point) for text in EXPRESSIONS for point in POINTS]


@pytest.mark.parametrize(("text", "point"), cases())
def test_float_sweeps_give_the_numpy_sweeps_numbers_bit_for_bit(text: str,
                                                                  point: dict[str, float]) -> None:
    graph = gd.parse(text)
    if not evaluates(graph, point):
        pytest.skip(reason="no value to compare: the graph is outside its domain at this point")
    reference = numpy_values(graph, point)
    assert [bits(v) for v in graph.values(point)] == [bits(v) for v in reference]
    assert all(type(v) is np.float64 for v in graph.values(point))  # as before
    out = graph.output_ids[0]
    assert bits(graph.evaluate(point)) == bits(reference[out])
    with np.errstate(all="ignore"):
        adjoints = reverse_module._sweep(graph, {graph.name(out): 1}, reference)
    result = gd.reverse(graph, at=point)
    assert [bits(a) for a in result.adjoints] == [bits(a) for a in adjoints]
    assert [bits(v) for v in result.values] == [bits(v) for v in reference]
    for x in graph.inputs:
        direction = {name: int(name == x) for name in graph.inputs}
        with np.errstate(all="ignore"):
            tangents = forward_module._sweep(graph, direction, reference)
        assert [bits(t) for t in gd.forward(graph, wrt=x, at=point).tangents] == \
            [bits(t) for t in tangents]


@pytest.mark.parametrize(("text", "point"), cases())
def test_the_forward_jacobian_is_the_one_direction_sweeps_bit_for_bit(
        text: str, point: dict[str, float]) -> None:
    graph = gd.parse(text)
    if not evaluates(graph, point):
        pytest.skip(reason="no value to compare: the graph is outside its domain at this point")
    jacobian = forward_jacobian(graph, point)
    per_input = [gd.forward(graph, wrt=x, at=point).derivative for x in graph.inputs]
    assert [bits(d) for d in jacobian[0]] == [bits(d) for d in per_input]
    forward = gd.grad(graph, at=point, method="forward")
    assert [bits(forward[x]) for x in graph.inputs] == [bits(d) for d in per_input]
    assert all(type(d) is float for d in forward.values())


def test_a_structural_zero_is_not_zero_in_the_vector_sweep() -> None:
    # d/dy of sqrt(x) + y*z at x = 0, z = -0.0: x's tangent is structurally zero in y's
    # direction, so sqrt' = inf never multiplies it (inf·0 would be nan), and the -0.0 of
    # y*z is not added to a 0.0 (which would make it 0.0).
    graph = gd.parse("sqrt(x) + y*z")
    point = {"x": 0.0, "y": 2.0, "z": -0.0}
    jacobian = forward_jacobian(graph, point)
    assert math.isinf(jacobian[0, 0])
    assert bits(jacobian[0, 1]) == bits(-0.0)
    sweeps = [gd.forward(graph, wrt=x, at=point).derivative for x in "xyz"]
    assert [bits(d) for d in jacobian[0]] == [bits(d) for d in sweeps]


def test_the_jacobian_by_forward_mode_is_one_sweep_and_agrees_with_reverse(monkeypatch) -> None:
    names = [f"x{i}" for i in range(30)]

    def total(*xs: Any) -> Any:
        return sum(x**2 * gd.sin(x) + x * xs[(i + 1) % len(xs)] for i, x in enumerate(xs))

    graph = gd.trace(total, inputs=names)
    point = {x: 0.3 + 0.01 * i for i, x in enumerate(names)}
    sweeps = []
    original = forward_module._vector_sweep
    monkeypatch.setattr(forward_module, "_vector_sweep",
                        lambda *args: sweeps.append(1) or original(*args))
    forward = gd.grad(graph, at=point, method="forward")
    assert len(sweeps) == 1
    reverse = gd.grad(graph, at=point)
    expected = {x: 2 * v * math.sin(v) + v * v * math.cos(v) for x, v in point.items()}
    for i, x in enumerate(names):
        expected[x] += point[names[(i + 1) % 30]] + point[names[(i - 1) % 30]]
    for x in names:
        assert forward[x] == pytest.approx(expected[x], rel=1e-13)
        assert forward[x] == pytest.approx(reverse[x], rel=1e-13)
    jacobian = gd.jacobian(graph, point, method="forward", wrt=names[:3])
    assert jacobian.shape == (1, 3)
    assert [float(d) for d in jacobian[0]] == [forward[x] for x in names[:3]]


def test_the_jacobian_of_several_outputs_and_constant_outputs() -> None:
    graph = gd.parse("s = x + y\np = x*y\nc = 2", outputs=["s", "p", "c"])
    point = {"x": 2.0, "y": 3.0}
    np.testing.assert_array_equal(gd.jacobian(graph, point, method="forward"),
                                  [[1.0, 1.0], [3.0, 2.0], [0.0, 0.0]])
    np.testing.assert_array_equal(gd.jacobian(graph, point, method="forward"),
                                  gd.jacobian(graph, point, method="reverse"))
    # A batch of points still takes one sweep per input, with the same numbers.
    batch = gd.jacobian(gd.parse("x*y"), {"x": 2.0, "y": 3.0}, method="forward")
    np.testing.assert_array_equal(batch, [[3.0, 2.0]])


def test_domain_errors_still_name_the_node() -> None:
    graph = gd.parse("y = log(x - 1) + sqrt(x)")
    with pytest.raises(gd.DomainError, match=r"log of a non-positive number at w4: "
                                             r"w4 = log\(w2\) with w2 = -0.5"):
        gd.grad(graph, at={"x": 0.5})
    with pytest.raises(gd.DomainError,
                       match=r"sqrt of a negative number at w3: w3 = sqrt\(x\) with x = -1"):
        gd.grad(graph, at={"x": -1.0}, method="forward")
    with pytest.raises(gd.DomainError, match="division by zero at w2"):
        gd.parse("1/x").evaluate(x=0.0)
    assert math.isnan(graph.evaluate({"x": 0.5}, on_domain_error="nan"))
    with pytest.raises(gd.GraphdiffError, match="on_domain_error"):
        graph.evaluate({"x": 2.0}, on_domain_error="ignore")


def test_a_rule_that_turns_complex_on_floats_gets_numpy_s_nan() -> None:
    # Python's float power makes a complex number of a negative base and a fractional
    # exponent where numpy gives nan: the sweeps ask numpy there.
    gd.define_op("halfpow", numpy=lambda a: np.abs(a) ** 1.5, sympy=lambda a: abs(a) ** 1.5,
                 partials=[lambda m, a, out: 1.5 * a ** 0.5])
    try:
        graph = gd.parse("halfpow(x)")
        assert math.isnan(gd.grad(graph, at={"x": -4.0})["x"])
        assert math.isnan(gd.grad(graph, at={"x": -4.0}, method="forward")["x"])
        assert gd.grad(graph, at={"x": 4.0})["x"] == 3.0
    finally:
        gd.undefine_op("halfpow")


def test_the_scalar_column_is_numpy_s_numbers() -> None:
    rng = np.random.default_rng(0)
    samples = np.concatenate([rng.uniform(-5, 5, 3000), rng.normal(0, 1e-3, 300),
                              10.0 ** rng.uniform(-300, 300, 300) * rng.choice([-1, 1], 300)])
    with np.errstate(all="ignore"):
        for op in OPS.values():
            function = scalar_function(op)
            if function is None:
                continue
            for a, b in zip(samples, np.roll(samples, 1), strict=True):
                args = (float(a), float(b))[: op.arity]
                try:
                    value = function(*args)
                except (ArithmeticError, ValueError):
                    continue
                assert bits(value) == bits(op.numpy(*map(np.float64, args))), (op.name, args)
                assert type(value) is float


def test_a_scalar_function_that_is_not_numpy_s_is_not_trusted() -> None:
    tanh = OPS["tanh"]
    one_ulp_off = dataclasses.replace(
        tanh, scalar=lambda z: math.nextafter(float(np.tanh(z)), math.inf))
    assert scalar_function(one_ulp_off) is None
    # A scalar function must raise outside the domain, where the sweeps check it.
    quiet_log = dataclasses.replace(OPS["log"], scalar=lambda a: float(np.log(a)))
    assert scalar_function(quiet_log) is None
    assert scalar_function(OPS["sin"]) is math.sin
    assert SCALAR.tanh(0.5) == float(np.tanh(0.5))


def test_tensor_graphs_and_batches_keep_the_numpy_sweeps() -> None:
    layer = gd.parse("L = sum(tanh(X @ W))", shapes={"X": (1, 2), "W": (2, 2)})
    at = {"X": [[1.0, 2.0]], "W": [[0.1, 0.2], [0.3, 0.4]]}
    gradient = gd.grad(layer, at=at)
    expected = 1 - np.tanh(np.array([[1.0, 2.0]]) @ np.array(at["W"])) ** 2
    np.testing.assert_allclose(gradient["X"], expected @ np.array(at["W"]).T)
    batch = gd.grad(gd.parse("x*sin(y)"), at={"x": np.array([1.0, 2.0]), "y": 0.5})
    np.testing.assert_array_equal(batch["x"], np.sin(0.5))
    np.testing.assert_array_equal(batch["y"], np.array([1.0, 2.0]) * np.cos(0.5))
