"""Derivatives four ways: every method agrees with sympy.diff, and the seeds' worked
examples come out number for number."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

import graphdiff as gd
from graphdiff.derive.methods import METHODS
from graphdiff.ops import OPS
from graphdiff.tables import pretty

from .test_ops import SCALAR_OPS, sample_point
from .test_parse import expressions

x, y, c = sympy.symbols("x y c")
x1, x2 = sympy.symbols("x1 x2")

# --- the seeds ---------------------------------------------------------------------------


def seed_ex1() -> gd.Graph:
    return gd.parse("x**2 + x*y + (x+y)**2", naming="letters")


def test_seed_004_ex1_paths_and_sum_exactly() -> None:
    result = gd.paths(seed_ex1(), "x")
    assert [p.names for p in result.paths] == [
        ("x", "a", "d", "f"), ("x", "b", "d", "f"), ("x", "c", "e", "f"),
    ]
    assert [p.factors for p in result.paths] == [(2 * x, 1, 1), (y, 1, 1), (1, 2 * c, 1)]
    assert [p.product for p in result.paths] == [2 * x, y, 2 * c]
    assert result.sum == 2 * x + y + 2 * c
    assert result.derivative == sympy.expand(2 * x + y + 2 * (x + y))


def test_seed_004_ex1_y_paths() -> None:
    result = gd.paths(seed_ex1(), "y")
    assert [p.product for p in result.paths] == [x, 2 * c]
    assert result.derivative == sympy.expand(x + 2 * (x + y))


def test_seed_004_ex1_paths_at_a_point() -> None:
    result = gd.paths(seed_ex1(), "x", at={"x": 1.0, "y": 2.0})
    assert [p.value for p in result.paths] == [2.0, 2.0, 6.0]
    assert result.derivative == 10.0


def test_seed_003_forward_table_values() -> None:
    g = gd.parse("x1*x2 + sin(x1)")
    result = gd.forward(g, wrt="x1")
    rules = [pretty(r) for r in result.rules[2:]]
    # ẇ3 = w2 ẇ1 + w1 ẇ2, ẇ4 = cos w1 ẇ1, ẇ5 = ẇ3 + ẇ4 (here with the inputs' names)
    assert rules == ["x2·ẋ1 + x1·ẋ2", "cos(x1)·ẋ1", "ẇ3 + ẇ4"]
    assert result.derivative == x2 + sympy.cos(x1)
    at = {"x1": 0.7, "x2": -1.3}
    numeric = gd.forward(g, wrt="x1", at=at)
    assert numeric.tangents[2] == pytest.approx(-1.3)
    assert numeric.tangents[3] == pytest.approx(np.cos(0.7))
    assert numeric.derivative == pytest.approx(-1.3 + np.cos(0.7))
    # The second sweep of the seed: seeds ẇ1 = 0, ẇ2 = 1 give ∂y/∂x2.
    assert gd.forward(g, wrt="x2").derivative == x1


def test_seed_003_forward_table_text() -> None:
    table = gd.forward(gd.parse("x1*x2 + sin(x1)"), wrt="x1").table()
    assert "w3 = w1·w2" in table and "ẇ3 = w2·ẇ1 + w1·ẇ2" in table
    assert "ẇ4 = cos(w1)·ẇ1" in table and "ẇ5 = ẇ3 + ẇ4" in table
    assert table.splitlines()[-1].endswith("x2 + cos(x1)")


def test_seed_003_reverse_table_values() -> None:
    g = gd.parse("exp(x1*x2) + x2**3")
    result = gd.reverse(g)
    adjoint = {g.name(i): result.adjoints[i] for i in g.order}
    w5 = sympy.Symbol("w5")
    assert adjoint["w6"] == 1 and adjoint["w5"] == 1 and adjoint["w4"] == 1
    assert adjoint["w3"] == w5  # e^{w3} = w5
    assert result.gradient == {
        "x1": x2 * sympy.exp(x1 * x2),
        "x2": x1 * sympy.exp(x1 * x2) + 3 * x2**2,
    }
    rules = {g.name(i): pretty(r) for i, r in enumerate(result.rules)}
    assert rules["x2"] == "x1·w̄3 + 3·x2²·w̄4"  # w̄2 = w1 w̄3 + 3 w2² w̄4
    assert rules["x1"] == "x2·w̄3"  # w̄1 = w2 w̄3
    at = gd.reverse(g, at={"x1": 0.5, "x2": 2.0}).gradient
    assert at["x1"] == pytest.approx(2 * np.exp(1.0))
    assert at["x2"] == pytest.approx(0.5 * np.exp(1.0) + 12)


def test_seed_002_dw_table() -> None:
    g = gd.parse("sin(x1) + x1*x2")
    result = gd.reverse(g)
    assert [result.adjoints[i] for i in reversed(g.order)] == [
        1, 1, 1, x1, x2 + sympy.cos(x1),
    ]
    table = result.table(notation="D")
    assert "Dw2 = w1·Dw4" in table
    assert "Dw1 = cos(w1)·Dw3 + w2·Dw4" in table


# --- all methods agree with sympy ----------------------------------------------------------


def _all_methods(g: gd.Graph) -> dict[str, dict[str, sympy.Expr]]:
    return {m: gd.grad(g, method=m) for m in ("reverse", "forward", "paths", "symbolic")}


def _agree_symbolically(a: sympy.Expr, b: sympy.Expr) -> bool:
    difference = sympy.simplify(sympy.sympify(a) - sympy.sympify(b))
    return difference == 0


# Elementwise ops only: the symbolic methods take scalar graphs; tensor ops are checked
# against finite differences at random shapes in tests/test_tensors.py.
@pytest.mark.parametrize("name", SCALAR_OPS)
def test_every_op_all_methods_agree_symbolically(name: str) -> None:
    g = _graph_of_op(name)
    results = _all_methods(g)
    reference = results["symbolic"]
    for method, gradient in results.items():
        for var in g.inputs:
            assert _agree_symbolically(gradient[var], reference[var]) or _agree_numerically(
                gradient[var], reference[var], name, g
            ), (name, method, var, gradient[var], reference[var])


def _graph_of_op(name: str) -> gd.Graph:
    """The op applied to x (and y): ``sin(x)``, ``x + y``, ``-x``, from its own template."""
    op = OPS[name]
    return gd.parse(op.format(["x", "y"][: op.arity]).replace("−", "-"))


def _agree_numerically(a: sympy.Expr, b: sympy.Expr, name: str, g: gd.Graph) -> bool:
    rng = np.random.default_rng(1)
    for _ in range(5):
        point = {sympy.Symbol(v): sympy.Float(p, 30)
                 for v, p in zip(g.inputs, sample_point(name, rng), strict=True)}
        va, vb = float(sympy.sympify(a).evalf(25, subs=point)), float(
            sympy.sympify(b).evalf(25, subs=point))
        if abs(va - vb) > 1e-9 * max(1.0, abs(vb)):
            return False
    return True


@pytest.mark.parametrize("name", SCALAR_OPS)
def test_every_op_all_methods_agree_numerically(name: str) -> None:
    g = _graph_of_op(name)
    rng = np.random.default_rng(7)
    for _ in range(5):
        point = dict(zip(g.inputs, sample_point(name, rng), strict=True))
        reference = gd.grad(g, at=point, method="symbolic")
        for method in ("reverse", "forward", "paths"):
            result = gd.grad(g, at=point, method=method)
            for var in g.inputs:
                assert result[var] == pytest.approx(reference[var], rel=1e-9, abs=1e-12)


def _safe_graph(text: str) -> gd.Graph | None:
    try:
        return gd.parse(text)
    except gd.GraphdiffError:
        return None


@settings(max_examples=200, deadline=None)
@given(text=expressions(), data=st.data())
def test_generated_expressions_all_methods_agree(text: str, data: st.DataObject) -> None:
    g = _safe_graph(text)
    if g is None or not g.inputs:
        return
    point = {v: data.draw(st.floats(0.3, 2.0), label=v) for v in g.inputs}
    try:
        values = g.values(point)
    except gd.DomainError:
        return
    if not all(np.isfinite(v) and abs(v) < 1e8 for v in values):
        return
    # Where a local derivative is infinite (sqrt at 0, as in sqrt(x - x)) the chain rule
    # gives inf·0: the graph is not differentiable there even if the function is.
    if not all(np.isfinite(g.edge_derivative_value(u, v, values)) for u, v in g.nx.edges()):
        return
    reference = {
        var: float(sympy.diff(g.to_sympy(), sympy.Symbol(var)).evalf(
            30, subs={sympy.Symbol(k): sympy.Float(v, 30) for k, v in point.items()}))
        for var in g.inputs
    }
    for method in ("reverse", "forward", "paths"):
        result = gd.grad(g, at=point, method=method)
        for var in g.inputs:
            assert result[var] == pytest.approx(reference[var], rel=1e-9, abs=1e-9), (
                text, method, var)


def _real_value(expr: sympy.Expr, point: dict[sympy.Symbol, sympy.Rational]) -> sympy.Float | None:
    """``expr`` at ``point`` to 50 digits, or None where it is not a finite real number."""
    value = expr.evalf(50, subs=point)
    if not value.is_number or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    re, im = value.as_real_imag()
    if not (re.is_Number and im.is_Number and abs(im) <= 1e-40 * abs(re)):
        return None  # complex (sqrt of a negative) or left unevaluated (DiracDelta(0))
    return sympy.Float(re, 50)


def _same_derivative(a: sympy.Expr, b: sympy.Expr, seed: int = 0) -> bool | None:
    """Whether ``a`` and ``b`` are equal as real functions (except on a null set).

    A proof decides first (``expand``, then ``simplify`` with real symbols).  What sympy
    cannot prove (it does not see that ``(x + y)·(|x + y| − √((x + y)²))`` is 0) is decided
    by evaluation at 24 random real points (half in [−4, 4]ⁿ, half in [0.05, 4]ⁿ, where
    logarithms and roots are defined), to 50 digits: wherever both are finite and real they
    must agree to 30 digits.  A wrong derivative differs on an open set, so it is caught
    there with probability 1, however small the difference (down to ~1e-30 relative).
    None: fewer than 3 points where both are real (no real derivative to compare).
    """
    difference = sympy.expand(a - b)
    if difference == 0:
        return True
    real = {s: sympy.Symbol(s.name, real=True) for s in difference.free_symbols}
    if sympy.simplify(difference.xreplace(real)) == 0:
        return True
    rng = random.Random(seed)
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    tolerance = sympy.Float("1e-30", 50)
    compared = 0
    for k in range(24):
        low = -4.0 if k % 2 else 0.05
        point = {s: sympy.Rational(rng.uniform(low, 4.0)) for s in symbols}
        va, vb = _real_value(a, point), _real_value(b, point)
        if va is None or vb is None:
            continue
        if abs(va - vb) > tolerance * max(1, abs(va), abs(vb)):
            return False
        compared += 1
    return True if compared >= 3 else None


def test_same_derivative_decides_what_simplify_cannot() -> None:
    s = x + y
    assert _same_derivative(s / sympy.sqrt(s**2), sympy.sign(s)) is True  # simplify fails
    assert _same_derivative(x / sympy.sqrt(x**2), sympy.sign(x)) is True
    assert _same_derivative(sympy.sign(s), sympy.Integer(1)) is False  # wrong for x + y < 0
    assert _same_derivative(2 * x + sympy.Rational(1, 10**25) * x, 2 * x) is False  # tiny
    assert _same_derivative(s / sympy.sqrt(s**2) + 1e-20, sympy.sign(s)) is False
    assert _same_derivative(sympy.sqrt(-(x**2) - 1), sympy.sqrt(-(x**2) - 2)) is None


@settings(max_examples=60, deadline=None)
@given(text=expressions())
@example(text="sqrt(((x + y))**2)")  # simplify cannot prove (x+y)/sqrt((x+y)**2) = sign(x+y)
def test_generated_expressions_symbolic_sweeps_equal_sympy_diff(text: str) -> None:
    g = _safe_graph(text)
    if g is None or not g.inputs or len(g) > 25:
        return
    if g.to_sympy().has(sympy.zoo, sympy.nan, sympy.oo):
        return  # x/(x - x): undefined everywhere, there is no derivative to compare
    reference = gd.grad(g, method="symbolic")
    for method in ("reverse", "forward"):
        result = gd.grad(g, method=method)
        for var in g.inputs:
            same = _same_derivative(result[var], reference[var])
            # None: real almost nowhere (sqrt(-(x*x) - 1)), no real derivative to compare
            assert same is not False, (text, method, var, result[var], reference[var])


def test_batches_of_points() -> None:
    g = gd.parse("x*y + sin(x)*exp(y)")
    xs = np.linspace(-1, 1, 7)
    gradient = gd.grad(g, at={"x": xs, "y": 0.5})
    np.testing.assert_allclose(gradient["x"], 0.5 + np.cos(xs) * np.exp(0.5))
    np.testing.assert_allclose(gradient["y"], xs + np.sin(xs) * np.exp(0.5))
    forward = gd.forward(g, wrt="x", at={"x": xs, "y": 0.5})
    np.testing.assert_allclose(forward.derivative, gradient["x"])


# --- repeated operands, several outputs, JVP/VJP --------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("x*x", 2 * x), ("x + x", 2), ("sin(x)*sin(x)", 2 * sympy.sin(x) * sympy.cos(x)),
     ("a = x*x\nb = a + a\nb*a", 8 * x**3), ("x**x", x**x * (sympy.log(x) + 1))],
)
def test_repeated_operands_accumulate(text: str, expected: sympy.Expr) -> None:
    g = gd.parse(text)
    for method in ("reverse", "forward", "paths", "symbolic"):
        assert sympy.simplify(gd.grad(g, method=method)["x"] - expected) == 0, method
    at = {"x": 1.7}
    value = float(sympy.sympify(expected).subs(x, 1.7))
    for method in ("reverse", "forward", "paths", "numeric"):
        assert gd.grad(g, at=at, method=method)["x"] == pytest.approx(value, rel=1e-7)


def test_jvp_vjp_and_jacobian_are_consistent() -> None:
    g = gd.parse("s = x*y + z\np = sin(x)*z", outputs=["s", "p"])
    at = {"x": 0.3, "y": -1.2, "z": 2.0}
    jac = gd.jacobian(g, at)
    np.testing.assert_allclose(jac, gd.jacobian(g, at, method="forward"))
    v = {"x": 1.0, "y": 2.0, "z": -1.0}
    _, tangent = gd.jvp(g, at, v)
    np.testing.assert_allclose(tangent, jac @ np.array([1.0, 2.0, -1.0]))
    _, cotangent = gd.vjp(g, at, {"s": 2.0, "p": -3.0})
    np.testing.assert_allclose(list(cotangent.values()), np.array([2.0, -3.0]) @ jac)
    symbolic = gd.jacobian(g)
    subs = {sympy.Symbol(k): val for k, val in at.items()}
    np.testing.assert_allclose(np.array(symbolic.subs(subs), dtype=float), jac)


# --- derivative graphs and higher order ----------------------------------------------------


def test_reverse_graph_is_the_gradient() -> None:
    g = gd.parse("exp(x1*x2) + x2**3")
    dg = gd.reverse_graph(g)
    assert dg.outputs == ("x̄1", "x̄2")
    assert dg.to_sympy() == (x2 * sympy.exp(x1 * x2), x1 * sympy.exp(x1 * x2) + 3 * x2**2)
    assert dg.evaluate(x1=0.5, x2=2.0) == pytest.approx(
        tuple(gd.grad(g, at={"x1": 0.5, "x2": 2.0}).values()))


def test_forward_graph_is_the_directional_derivative() -> None:
    g = gd.parse("x1*x2 + sin(x1)")
    assert gd.forward_graph(g, wrt="x1").to_sympy() == x2 + sympy.cos(x1)
    jvp_graph = gd.forward_graph(g, direction={"x1": 1, "x2": 2})
    assert sympy.simplify(jvp_graph.to_sympy() - (x2 + sympy.cos(x1) + 2 * x1)) == 0


def test_gradient_graph_size_is_linear_in_depth() -> None:
    def layer(u, depth):
        for _ in range(depth):
            u = gd.sin(u) * gd.cos(u) + u / 2
        return u

    sizes = []
    for depth in (10, 20, 40):
        g = gd.trace(lambda u, d=depth: layer(u, d))
        sizes.append(len(gd.reverse_graph(g)))
    # Doubling the depth at most doubles the graph (plus a constant).
    assert sizes[1] <= 2 * sizes[0] + 5 and sizes[2] <= 2 * sizes[1] + 5


@pytest.mark.parametrize(
    "text",
    ["x**3*y", "sin(x*y) + exp(x)", "x**2 + x*y + (x+y)**2", "log(x)*tanh(y) + sqrt(x*y)",
     "sigmoid(x*y)"],
)
def test_hessian_matches_sympy(text: str) -> None:
    g = gd.parse(text)
    expr = g.to_sympy()
    symbols = [sympy.Symbol(n) for n in g.inputs]
    reference = sympy.hessian(expr, symbols)
    assert sympy.simplify(gd.hessian(g) - reference) == sympy.zeros(len(symbols))
    point = {"x": 0.8, "y": 1.3}
    numeric = gd.hessian(g, point)
    subs = {sympy.Symbol(k): v for k, v in point.items()}
    np.testing.assert_allclose(numeric, np.array(reference.subs(subs).evalf(), dtype=float),
                               rtol=1e-9)


def test_mixed_and_second_partials() -> None:
    g = gd.parse("x**3*y")
    assert gd.symbolic_diff(g, ("x", "y")) == 3 * x**2
    assert gd.symbolic_diff(g, "x", order=2) == 6 * x * y
    second = gd.reverse(gd.reverse_graph(g), output="x̄").gradient
    assert second == {"x": 6 * x * y, "y": 3 * x**2}


# --- path counting --------------------------------------------------------------------------


def _family(depth: int) -> gd.Graph:
    def layer(u):
        for _ in range(depth):
            u = gd.sin(u) * gd.cos(u) + u / 2
        return u

    return gd.trace(layer)


def test_path_count_depth_40_is_exact_and_instant() -> None:
    import time

    g = _family(40)
    start = time.perf_counter()
    count = gd.count_paths(g, "u", g.outputs[0])
    assert time.perf_counter() - start < 0.5
    assert count == 3**40
    with pytest.raises(gd.PathLimitError) as info:
        gd.paths(g, "u")
    assert info.value.count == 3**40
    assert "12,157,665,459,056,928,801 paths" in str(info.value)
    # The sum over 3^40 paths, by dynamic programming, equals reverse mode.
    at = {"u": 0.4}
    assert gd.path_sum(g, "u", at) == pytest.approx(gd.grad(g, at)["u"], rel=1e-12)


def test_small_family_enumerated_paths_sum_to_the_derivative() -> None:
    g = _family(3)
    result = gd.paths(g, "u", at={"u": 0.4})
    assert result.count == 27
    assert result.derivative == pytest.approx(gd.grad(g, {"u": 0.4})["u"], rel=1e-12)


def test_errors_name_the_choices() -> None:
    g = gd.parse("x*y")
    with pytest.raises(gd.GraphdiffError, match="say which with wrt="):
        gd.forward(g)
    with pytest.raises(gd.GraphdiffError, match="not an input"):
        gd.forward(g, wrt=g.outputs[0])
    with pytest.raises(gd.GraphdiffError, match="method must be one of"):
        gd.grad(g, method="magic")
    two = gd.parse("a = x\nb = x*2", outputs=["a", "b"])
    with pytest.raises(gd.GraphdiffError, match="say which with output="):
        gd.reverse(two)


def test_derivative_graphs_with_constant_bases_and_exponents() -> None:
    g = gd.parse("2**x + x**3")
    assert gd.reverse_graph(g).to_sympy() == 2**x * sympy.log(2) + 3 * x**2
    assert gd.hessian(g)[0, 0] == sympy.expand(2**x * sympy.log(2) ** 2 + 6 * x)


def test_derivative_graphs_do_not_mistake_node_zero_for_the_constant_zero() -> None:
    a, b = sympy.symbols("a b")
    forward_program = gd.parse("h = x*a\nL = h*b")  # x is node 0
    assert gd.forward_graph(forward_program, "a").to_sympy() == b * x
    reverse_program = gd.parse("h = a*b\nL = h*a")  # a is node 0
    assert gd.reverse_graph(reverse_program).to_sympy() == (2 * a * b, a**2)


def test_power_rule_with_exponent_zero_is_zero_even_at_a_zero_base() -> None:
    g = gd.parse("(x - 1)**0 + x")
    for method in ("reverse", "forward", "paths"):
        assert gd.grad(g, {"x": 1.0}, method=method)["x"] == 1.0


def test_tables_and_reprs_print_seeds_and_marks_cleanly() -> None:
    result = gd.forward(gd.parse("x*y"), direction={"x": 1.0, "y": 0.5}, at={"x": 1.0, "y": 2.0})
    table = result.table()
    assert "ẇ1 = 1 " in table and "ẇ2 = 1/2" in table
    assert "w̄3=1" in repr(gd.reverse(gd.parse("x*y")))
    assert "$\\bar{w}$" in gd.reverse(gd.parse("x*y")).table("latex").splitlines()[1]


def test_seeds_given_as_text_are_refused_not_parsed() -> None:
    g = gd.parse("x*y")
    with pytest.raises(gd.GraphdiffError, match="must be a number or a sympy expression"):
        gd.forward(g, direction={"x": "__import__('os')"})
    with pytest.raises(gd.GraphdiffError, match="must be a number or a sympy expression"):
        gd.reverse(g, cotangent={g.outputs[0]: "a"})


def test_symbolic_sweeps_of_a_very_deep_graph_refuse_clearly_and_fast() -> None:
    """A 10⁴-deep chain: a clear size error in well under a second, never a RecursionError;
    the graph's own expression and the numeric sweeps still work."""
    import time

    def chain(x):
        for _ in range(10_000):
            x = gd.sin(x)
        return x

    g = gd.trace(chain)
    for sweep in (gd.reverse, gd.forward, gd.symbolic_diff,
                  lambda graph: gd.grad(graph, method="symbolic")):
        start = time.perf_counter()
        with pytest.raises(gd.GraphdiffError, match="10,000 levels deep"):
            sweep(g)
        assert time.perf_counter() - start < 5
    expected = gd.grad(g, at={"x": 0.5})["x"]
    for method in METHODS:  # every method at a point: the gradient, or a clear error
        try:
            got = gd.grad(g, at={"x": 0.5}, method=method)["x"]
        except gd.GraphdiffError as err:
            assert method == "symbolic" and "levels deep" in str(err)
            continue
        assert got == pytest.approx(expected, rel=1e-12 if METHODS[method].exact else 1e-6)
    assert isinstance(g.to_sympy(), sympy.sin)
    assert gd.grad(g, {"x": 0.5}) != {}


def test_a_moderately_deep_symbolic_gradient_is_an_error_not_a_recursion() -> None:
    def chain(x):
        for _ in range(900):
            x = gd.sin(x)
        return x

    result = gd.reverse(gd.trace(chain))
    with pytest.raises(gd.GraphdiffError, match="nested too deeply for sympy"):
        _ = result.gradient
    assert result.rules[0] is not None  # the adjoints in node symbols are there


# --- a constant base 0, and 0·inf (issue 12) -----------------------------------------------


def _all_four(graph: gd.Graph, at: dict[str, float]) -> list[dict[str, float]]:
    """The gradient by reverse mode, forward mode, the adjoint graph and the tangent graph."""
    adjoint = gd.reverse_graph(graph).evaluate(**at)
    adjoint = adjoint if isinstance(adjoint, tuple) else (adjoint,)
    return [
        {k: float(v) for k, v in gd.grad(graph, at=at, method="reverse").items()},
        {k: float(v) for k, v in gd.grad(graph, at=at, method="forward").items()},
        dict(zip(graph.inputs, map(float, adjoint), strict=True)),
        {name: float(gd.forward_graph(graph, wrt=name).evaluate(**at))
         for name in graph.inputs},
    ]


@pytest.mark.parametrize("text", ["0**x", "0**(x*x)", "y*0**x + x"])
@pytest.mark.parametrize("point", [0.0, 0.5, 2.0])
def test_a_constant_base_zero_differentiates_to_zero_in_the_exponent(text: str,
                                                                     point: float) -> None:
    # 0**b is 0 for every b > 0: its slope in b is 0 (the engines used to compute
    # 0·ln 0 = nan, and the derivative graphs refused to build, folding log(0)).
    graph = gd.parse(text)
    at = {name: point for name in graph.inputs}
    expected = {"x": 1.0 if text.startswith("y") else 0.0, "y": 0.0 ** point}
    for gradient in _all_four(graph, at):
        assert gradient == {name: expected[name] for name in graph.inputs}


def test_a_traced_constant_base_zero_builds_its_derivative_graphs() -> None:
    graph = gd.trace(lambda x: 0**x + x * 0**(2 * x))
    assert gd.reverse_graph(graph).evaluate(x=1.5) == 0.0
    assert gd.forward_graph(graph, wrt="x").evaluate(x=1.5) == 0.0


def test_a_negative_exponent_of_zero_is_still_a_domain_error() -> None:
    with pytest.raises(gd.DomainError, match="w2"):
        gd.grad(gd.parse("0**x"), at={"x": -1.0}, method="reverse")


@pytest.mark.parametrize(("text", "at", "expected"), [
    # A zero edge whose cotangent overflowed: the path through it is zero, the other
    # paths keep their (infinite) values.  Both engines and both graphs say the same.
    ("exp(exp(x)) * x**0", {"x": 10.0}, {"x": math.inf}),
    ("exp(exp(x))*0 + x", {"x": 10.0}, {"x": 1.0}),
    ("(x*0 + 1)*exp(exp(x))", {"x": 10.0}, {"x": math.inf}),
    ("sin(x)**0 * exp(exp(y))", {"x": 1.0, "y": 10.0}, {"x": 0.0, "y": math.inf}),
    # A float that is 0 at the point is a value: 0·inf is nan there, in all four.
    ("relu(x) * exp(exp(y))", {"x": -1.0, "y": 10.0}, {"x": math.nan, "y": math.nan}),
])
def test_a_structural_zero_passes_nothing_even_to_an_infinite_adjoint(
        text: str, at: dict[str, float], expected: dict[str, float]) -> None:
    graph = gd.parse(text)
    with np.errstate(all="ignore"):
        gradients = _all_four(graph, at)
    for gradient in gradients:
        assert set(gradient) == set(expected)
        for name, value in expected.items():
            assert gradient[name] == value or (math.isnan(value) and math.isnan(gradient[name]))
