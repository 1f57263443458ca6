"""An op defined by a user works everywhere at once: one registry entry, no other edit.

``softrelu`` is defined once with :func:`graphdiff.define_op` and then used by the parser,
the tracer, every derivative method, ``from_sympy``, the checker (reading, equivalence,
high precision, feedback), the renderer and the tables.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import mpmath
import numpy as np
import pytest
import sympy

import graphdiff as gd
from graphdiff.checker import compare, load_problem, mpeval, read_answer


class SoftplusFunction(sympy.Function):
    """A sympy head of its own, so from_sympy has something to convert."""

    @classmethod
    def eval(cls, z: sympy.Expr) -> sympy.Expr | None:
        return None


@pytest.fixture
def softrelu() -> Iterator[gd.Op]:
    op = gd.define_op(
        "softrelu",
        numpy=lambda z: np.logaddexp(0.0, z),
        sympy=lambda z: sympy.log(1 + sympy.exp(z)),
        partials=[lambda m, z, out: m.sigmoid(z)],
        sympy_heads=[SoftplusFunction],
        words=["sp"],
        doc="log(1 + e^z), a smooth relu",
    )
    try:
        yield op
    finally:
        gd.undefine_op("softrelu")
    assert "softrelu" not in gd.OPS


def _softrelu(z: float) -> float:
    return math.log1p(math.exp(z))


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_parse_evaluate_and_trace(softrelu: gd.Op) -> None:
    g = gd.parse("softrelu(2*x) + x*y")
    assert g.op(g.outputs[0]).name == "add"
    assert g.evaluate(x=0.3, y=2.0) == pytest.approx(_softrelu(0.6) + 0.6)
    assert gd.parse("sp(2*x) + x*y").to_sympy() == g.to_sympy()
    traced = gd.trace(lambda x, y: gd.softrelu(2 * x) + x * y)
    assert traced.evaluate(x=0.3, y=2.0) == pytest.approx(g.evaluate(x=0.3, y=2.0))
    assert float(gd.softrelu(0.0)) == pytest.approx(math.log(2))
    assert "softrelu" in dir(gd)


def test_every_derivative_method(softrelu: gd.Op) -> None:
    g = gd.parse("softrelu(2*x) + x*y")
    point = {"x": 0.3, "y": 2.0}
    expected = {"x": 2 * _sigmoid(0.6) + 2.0, "y": 0.3}
    for method in ("paths", "forward", "reverse", "symbolic"):
        got = gd.grad(g, at=point, method=method)
        assert got == pytest.approx(expected), method
    assert gd.grad(g)["x"].equals(2 / (1 + sympy.exp(-2 * sympy.Symbol("x"))) + sympy.Symbol("y"))
    numeric = gd.numeric_diff(g, point)
    assert list(numeric.value) == pytest.approx(list(expected.values()), rel=1e-7)
    assert gd.verify(g).ok
    hessian = gd.hessian(g, at=point)
    s = _sigmoid(0.6)
    assert hessian[0][0] == pytest.approx(4 * s * (1 - s))
    dg = gd.reverse_graph(g)
    assert dg.evaluate(**point) == pytest.approx(tuple(expected.values()))


def test_from_sympy(softrelu: gd.Op) -> None:
    z = sympy.Symbol("z")
    g = gd.from_sympy(SoftplusFunction(2 * z))
    assert g.op(g.outputs[0]) is softrelu
    assert g.evaluate(z=0.25) == pytest.approx(_softrelu(0.5))


def test_checker_reads_compares_and_evaluates_it(softrelu: gd.Op) -> None:
    reading = read_answer("sp(2x) + x y", names=["x", "y"])
    assert reading.expression == "softrelu(2*x) + x*y"
    assert read_answer(r"\operatorname{softrelu}(x)", names=["x"]).expression == "softrelu(x)"
    assert compare("softrelu(2*x)", "ln(1 + e^{2x})").verdict == "correct"
    assert compare("softrelu(2*x)", "softrelu(x)").verdict == "incorrect"
    assert compare("2*sigmoid(2*x)", "softrelu'(2x)*2").verdict == "correct"
    value, _ = mpeval.evaluate(gd.parse("softrelu(x)"), {"x": mpmath.mpf(1)}, 40)
    with mpmath.workdps(40):
        assert abs(value - mpmath.log(1 + mpmath.e)) < mpmath.mpf(10) ** -35


def test_checker_feedback_names_the_path(softrelu: gd.Op) -> None:
    problem = load_problem({
        "id": "softrelu-layer", "title": "A softrelu neuron", "function": "softrelu(w*x)",
        "parts": [{"id": "dw", "wrt": "w"}],
    })
    report = problem.grade({"dw": "sigmoid(w x)"})
    (part,) = report.parts
    assert part.verdict.verdict == "incorrect"
    assert "x" in report.text()  # the missing factor x of the edge w -> w*x is named
    right = problem.grade({"dw": "x sigmoid(w x)"})
    assert right.parts[0].verdict.verdict == "correct"


def test_rendering_and_tables(softrelu: gd.Op) -> None:
    g = gd.parse("softrelu(2*x) + x*y")
    source = gd.render(g).source
    assert "softrelu" in source
    table = gd.reverse(g, at={"x": 0.3, "y": 2.0}).table()
    assert "softrelu" in table
    assert "softrelu" in gd.forward(g, wrt="x").table()
