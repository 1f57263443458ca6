"""Building graphs by tracing Python functions and from sympy expressions."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
import sympy

import graphdiff as gd

x, y, z = sympy.symbols("x y z")


def test_trace_lambda() -> None:
    g = gd.trace(lambda x, y: x**2 + gd.sin(x * y))
    assert g.inputs == ("x", "y")
    assert g.to_sympy() == x**2 + sympy.sin(x * y)


def test_trace_with_constants_and_reflected_operators() -> None:
    g = gd.trace(lambda a: 1 - 2 / a + 0.5 * a**2 - 3**a)
    a = sympy.Symbol("a")
    assert sympy.simplify(g.to_sympy() - (1 - 2 / a + a**2 / 2 - 3**a)) == 0


def test_trace_several_outputs_and_named_inputs() -> None:
    g = gd.trace(lambda *v: (v[0] * v[1], v[0] + v[1]), inputs=["p", "q"])
    assert g.inputs == ("p", "q")
    assert g.evaluate(p=2.0, q=3.0) == (6.0, 5.0)


def test_trace_functions_work_on_numbers_too() -> None:
    def f(u, v):
        return gd.exp(u) * gd.relu(v) + gd.max(u, v)

    g = gd.trace(f)
    assert g.evaluate(u=0.5, v=2.0) == pytest.approx(f(0.5, 2.0))
    assert float(gd.sigmoid(np.float64(0.0))) == 0.5


def test_trace_numpy_ufuncs_are_recorded() -> None:
    g = gd.trace(lambda t: np.sin(t) + np.exp(t))
    t = sympy.Symbol("t")
    assert g.to_sympy() == sympy.sin(t) + sympy.exp(t)


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda t: math.sin(t), "graphdiff's functions"),
        (lambda t: t if t > 0 else -t, "control flow"),
        (lambda t: np.floor(t), "cannot be traced"),
        (lambda t: t + "a", "cannot use a str"),
    ],
)
def test_untraceable_functions_give_a_trace_error(fn, message: str) -> None:
    with pytest.raises(gd.TraceError, match=message):
        gd.trace(fn)


def test_trace_a_million_node_chain_evaluates_without_recursion() -> None:
    # u_{k+1} = u_k * c + 1: two ops per step, 5*10^5 steps -> 10^6 op nodes.
    steps = 500_000

    def chain(u):
        for _ in range(steps):
            u = u * 0.999999 + 1e-6
        return u

    g = gd.trace(chain)
    assert len(g) == 2 * steps + 1
    assert sys.getrecursionlimit() < len(g)
    value = g.evaluate(u=1.0)
    assert value == pytest.approx(1.0, rel=1e-9)  # 1 is the fixed point
    assert g.nx.nodes[g.output_ids[0]]["level"] == 2 * steps


def test_from_sympy_round_trip() -> None:
    exprs = [
        x**2 + x * y + (x + y) ** 2,
        sympy.exp(x * y) + y**3,
        x / y - 3 * z,
        sympy.sqrt(x) / (1 + sympy.exp(-x)),
        sympy.Max(x, y, z) + sympy.Abs(x) - sympy.log(y, 2),
        -x,
        sympy.Rational(1, 2) * x**-2,
        sympy.tanh(x) * sympy.sign(y) + sympy.Heaviside(z, 1),
    ]
    for expr in exprs:
        g = gd.from_sympy(expr)
        assert sympy.simplify(g.to_sympy() - expr) == 0, expr


def test_from_sympy_reads_as_written() -> None:
    g = gd.from_sympy(x - y)
    assert [g.nx.nodes[n]["op"] for n in g.order if g.kind(n) == "op"] == ["sub"]
    g = gd.from_sympy(x / y)
    assert [g.nx.nodes[n]["op"] for n in g.order if g.kind(n) == "op"] == ["div"]
    g = gd.from_sympy(sympy.sqrt(x))
    assert [g.nx.nodes[n]["op"] for n in g.order if g.kind(n) == "op"] == ["sqrt"]


def test_from_sympy_several_outputs_and_unsupported_functions() -> None:
    g = gd.from_sympy([x + y, x * y])
    assert g.evaluate(x=2, y=3) == (5.0, 6.0)
    with pytest.raises(gd.GraphdiffError, match="erf is not an op"):
        gd.from_sympy(sympy.erf(x))
    with pytest.raises(gd.GraphdiffError, match="not a real number"):
        gd.from_sympy(x + sympy.I)


@pytest.mark.parametrize(("fn", "fragment"), [
    (lambda x: x / 0, "division by zero: x/0 is outside the domain of div for every x"),
    (lambda x: (-8.0) ** x, "(-8)**x is outside the domain of pow for every x"),
])
def test_a_traced_op_outside_its_domain_for_every_value_is_refused_when_built(fn, fragment):
    """As the parser refuses x/0: no graph whose every evaluation fails and whose
    derivative graph would hold sympy's zoo."""
    with pytest.raises(gd.DomainError) as info:
        gd.trace(fn)
    assert fragment in str(info.value)
