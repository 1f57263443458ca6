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


# --- the builder's fast paths (issue 12) ---------------------------------------------------


def test_the_memo_never_takes_a_constant_for_the_node_of_the_same_number() -> None:
    from graphdiff.builder import GraphBuilder
    from graphdiff.ops import OPS

    b = GraphBuilder()
    t = b.input("t")
    nodes = [b.apply(OPS["sin"], (t,)), b.apply(OPS["cos"], (t,))]   # nodes 1 and 2
    by_node = b.apply(OPS["mul"], (t, nodes[1]))
    by_constant = b.apply(OPS["mul"], (t, sympy.Integer(2)))
    reflected = b.apply(OPS["mul"], (sympy.Integer(2), t))
    assert len({by_node, by_constant, reflected}) == 3
    assert b.apply(OPS["mul"], (t, sympy.Integer(2))) == by_constant
    assert b.apply(OPS["mul"], (t, sympy.Rational(4, 2))) == by_constant
    g = b.build([by_node, by_constant, reflected])
    assert g.evaluate(t=3.0) == (3.0 * math.cos(3.0), 6.0, 6.0)


def test_derivative_graphs_share_a_commuted_product_with_a_constant() -> None:
    from graphdiff.builder import GraphBuilder
    from graphdiff.ops import OPS

    b = GraphBuilder(simplify=True)
    t = b.input("t")
    assert b.apply(OPS["mul"], (t, sympy.Integer(3))) == b.apply(OPS["mul"],
                                                                 (sympy.Integer(3), t))
    assert b.apply(OPS["mul"], (t, sympy.Integer(1))) == t
    assert b.apply(OPS["add"], (sympy.Integer(0), t)) == t
    assert b.apply(OPS["mul"], (sympy.Float(1.0), t)) != t  # a float 1 is not exact


def test_traced_constants_are_converted_once_and_stay_exact() -> None:
    g = gd.trace(lambda x: (x * 0.1 + x * 0.1) * 0.5 * 3)
    assert g.to_sympy() == 3 * (x / 10 + x / 10) / 2
    assert len({a for n in g.order for a in g.args(n) if not isinstance(a, int)}) == 3


def test_domain_free_constants_skip_the_check_and_the_others_are_refused() -> None:
    assert gd.trace(lambda x: x / 2 + x**2).evaluate(x=3.0) == 10.5
    with pytest.raises(gd.DomainError, match="for every x"):
        gd.trace(lambda x: x / 0)
    with pytest.raises(gd.DomainError, match="for every x"):
        gd.trace(lambda x: (-8) ** x)


def test_building_keeps_a_traced_chain_in_place_and_drops_what_no_output_needs() -> None:
    def chain(x, y):
        gd.exp(y) * 3  # needed by no output: dropped, and the nodes after it renumbered
        for _ in range(2):
            x = gd.sin(x) * 0.5 + x
        return x

    g = gd.trace(chain)
    assert [g.formula(n) for n in g.order] == [
        "x", "y", "sin(x)", "w3*(1/2)", "w4 + x", "sin(w5)", "w6*(1/2)", "w7 + w5"]
    assert g.evaluate(x=0.3, y=1.0) == pytest.approx(
        (lambda v: math.sin(v) * 0.5 + v)(math.sin(0.3) * 0.5 + 0.3))
    dg = gd.reverse_graph(gd.trace(lambda x, y: gd.exp(y) + gd.sin(x)), wrt=["x"])
    assert [dg.formula(n) for n in dg.output_ids] == ["cos(x)"]
    assert "exp" not in {dg.op(n).name for n in dg.order if dg.op(n) is not None}


def test_generated_names_avoid_every_name_taken() -> None:
    from graphdiff.builder import _display_names

    assert _display_names([None, "w1", None], naming="w") == ["v1", "w1", "v3"]
    assert _display_names([None, None], naming="w", reserved=["v2", "w1"]) == ["u1", "u2"]
    taken = [f"{letter}1" for letter in "abcdefghijklmnopqrstuvwxyz"]
    assert _display_names([*taken, None, None], naming="w")[-2:] == ["w27", "w28"]
    assert _display_names(["w27", None, None], naming="w")[1:] == ["v2", "v3"]


def test_replaying_a_graph_with_a_constant_output_keeps_every_output() -> None:
    g = gd.parse("a = 2\nb = x*a\nc = sin(x)", outputs=["a", "b", "c"])
    dg = gd.reverse_graph(g, output="b", values=True)
    assert dg.evaluate(x=1.5) == (2.0, 3.0, math.sin(1.5), 2.0)
