"""Programs keep what their author wrote: alias lines are rows, a repeated expression keeps
its own row, and ``+=``/``-=``/``*=``/``/=``/``**=`` rebind a name to a new node."""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import graphdiff as gd


def rows(graph: gd.Graph) -> list[tuple[str, str]]:
    return [(graph.name(n), graph.formula(n)) for n in graph.order]


def agree(graph: gd.Graph, at: dict[str, float]) -> dict[str, float]:
    """Every method's gradient, checked against sympy's; returns the reverse one."""
    expr = graph.to_sympy()
    symbols = {s.name: s for s in expr.free_symbols}
    expected = {name: float(sympy.diff(expr, symbols[name]).subs(
        {symbols[k]: v for k, v in at.items() if k in symbols})) if name in symbols else 0.0
        for name in at}
    for method in ("reverse", "forward", "paths", "symbolic"):
        got = gd.grad(graph, at, method)
        for name in at:
            assert got[name] == pytest.approx(expected[name], rel=1e-12, abs=1e-12), method
    return gd.grad(graph, at)


# --- alias lines ----------------------------------------------------------------------


def test_an_alias_line_is_a_row_with_derivative_one() -> None:
    g = gd.parse("v1 = x\nv2 = v1*y\nv3 = sin(v1)\nv4 = v2 + v3")
    assert rows(g) == [("x", "x"), ("y", "y"), ("v1", "x"), ("v2", "v1*y"),
                       ("v3", "sin(v1)"), ("v4", "v2 + v3")]
    v1 = g.id("v1")
    assert g.op(v1).name == "copy"
    # One edge x -> v1 carrying 1; the paths from x all go through v1.
    assert g.nx.number_of_edges(g.id("x"), v1) == 1
    assert g.edge_derivative("x", "v1") == 1
    assert gd.count_paths(g, "x", "v4") == 2
    grad = agree(g, {"x": 0.7, "y": -1.3})
    assert grad["x"] == pytest.approx(-1.3 + math.cos(0.7), rel=1e-15)


def test_a_final_alias_row_names_the_output() -> None:
    g = gd.parse("v1 = x*y\nv2 = exp(v1)\ny_out = v2")
    assert rows(g)[-1] == ("y_out", "v2")
    assert g.outputs == ("y_out",)
    assert g.evaluate({"x": 1.0, "y": 2.0}) == pytest.approx(math.exp(2.0))


@pytest.mark.parametrize("text", ["a = x\nb = x\nc = a*b", "a = x\nb = a\nc = b*a",
                                  "a = +x\nb = (a)\nc = a + b"])
def test_every_alias_keeps_its_row(text: str) -> None:
    g = gd.parse(text)
    names = [g.name(n) for n in g.order]
    assert {"a", "b", "c"} <= set(names)
    assert len(names) == len(set(names))
    agree(g, {"x": 1.7})


def test_a_repeated_expression_keeps_its_row() -> None:
    g = gd.parse("a = x*y\nb = x*y\nc = a + b")
    assert rows(g) == [("x", "x"), ("y", "y"), ("a", "x*y"), ("b", "x*y"), ("c", "a + b")]
    assert agree(g, {"x": 2.0, "y": 3.0}) == {"x": 6.0, "y": 4.0}


def test_unnamed_repeats_inside_one_expression_are_still_shared() -> None:
    g = gd.parse("(x + y)**2 + (x + y)")
    assert [g.formula(n) for n in g.order].count("x + y") == 1


# --- augmented assignment -------------------------------------------------------------


def test_plus_equals_rebinds_the_name_to_a_new_node() -> None:
    g = gd.parse("q = x + y\nf = q*z\nf += q\nf *= 2\nout = f")
    assert rows(g)[3:] == [("q", "x + y"), ("f", "q*z"), ("f__(2)", "f + q"),
                           ("f__(3)", "f__(2)*2"), ("out", "f__(3)")]
    assert agree(g, {"x": 1.0, "y": 2.0, "z": 3.0}) == {"x": 8.0, "y": 8.0, "z": 6.0}


def test_versions_print_as_superscripts_and_their_adjoints_cover_them() -> None:
    from graphdiff.notation import BAR, decorated, latex_name, pretty_name

    assert pretty_name("f__(2)") == "f⁽²⁾"
    assert latex_name("f__(2)") == "f^{(2)}"
    assert latex_name(decorated("f__(2)", BAR)) == "\\bar{f}^{(2)}"


def test_augmented_assignment_of_an_input_and_the_output_is_the_last_version() -> None:
    g = gd.parse("x += 1\nx *= x")
    assert rows(g) == [("x", "x"), ("x__(2)", "x + 1"), ("x__(3)", "x__(2)*x__(2)")]
    assert g.outputs == ("x__(3)",)
    assert agree(g, {"x": 1.5}) == {"x": pytest.approx(5.0)}


def test_outputs_by_name_take_the_current_version() -> None:
    g = gd.parse("a = x\na -= y\nb = a*a\na /= 2", outputs=["a", "b"])
    assert g.outputs == ("a__(3)", "b")
    assert g.evaluate({"x": 5.0, "y": 1.0}) == (2.0, 16.0)


@pytest.mark.parametrize(("text", "fragment"), [
    ("a = x\na = y", "assigned twice"),
    ("x.y += 1", "augmented assignment of something other than a name"),
    ("a = x\na @= y", "@ multiplies matrices"),
    ("a = x\na //= 2", "operator"),
])
def test_rebinding_errors_name_the_place(text: str, fragment: str) -> None:
    with pytest.raises(gd.GraphdiffError) as info:
        gd.parse(text)
    assert fragment in str(info.value)
    assert str(info.value).startswith(f"line {text.count(chr(10)) + 1}, column 1:")


def test_a_staged_cs231n_program_with_accumulating_gradients() -> None:
    """CS231n's staged backprop of f = (x + σ(y)) / (σ(x) + (x + y)²): the backward pass
    accumulates into dx and dy with +=, and its results are graphdiff's gradient."""
    forward = """
sigy = 1.0 / (1 + exp(-y))
num = x + sigy
sigx = 1.0 / (1 + exp(-x))
xpy = x + y
xpysqr = xpy**2
den = sigx + xpysqr
invden = 1.0 / den
f = num * invden
"""
    backward = """
dnum = invden
dinvden = num
dden = (-1.0 / (den**2)) * dinvden
dsigx = (1) * dden
dxpysqr = (1) * dden
dxpy = (2 * xpy) * dxpysqr
dx = (1) * dxpy
dy = (1) * dxpy
dx += ((1 - sigx) * sigx) * dsigx
dx += (1) * dnum
dsigy = (1) * dnum
dy += ((1 - sigy) * sigy) * dsigy
"""
    staged = gd.parse(forward + backward, outputs=["f", "dx", "dy"])
    names = [staged.name(n) for n in staged.order]
    assert {"dx", "dx__(2)", "dx__(3)", "dy", "dy__(2)"} <= set(names)
    f = gd.parse(forward, outputs=["f"])
    for x, y in [(3.0, -4.0), (0.5, 0.25), (-2.0, 1.5)]:
        at = {"x": x, "y": y}
        f_out, dx, dy = staged.evaluate(at)
        grad = agree(f, at)
        assert dx == pytest.approx(grad["x"], rel=1e-12)
        assert dy == pytest.approx(grad["y"], rel=1e-12)
        assert f_out == pytest.approx(f.evaluate(at), rel=1e-15)


_OPS = {"+=": lambda a, b: a + b, "-=": lambda a, b: a - b, "*=": lambda a, b: a * b,
        "/=": lambda a, b: a / b}


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(st.tuples(st.sampled_from(sorted(_OPS)), st.sampled_from("xy"),
                                st.integers(1, 3)), min_size=1, max_size=6),
       x=st.floats(0.5, 2.0), y=st.floats(0.5, 2.0))
def test_augmented_programs_compute_what_python_computes(steps, x, y) -> None:
    """Each line ``t op= operand*k``: the graph's value is Python's, its gradient sympy's."""
    lines = ["t = x + 2*y"]
    env = {"x": x, "y": y}
    env["t"] = x + 2 * y
    for op, name, k in steps:
        lines.append(f"t {op} {name}*{k} + 3")
        env["t"] = _OPS[op](env["t"], env[name] * k + 3)
    g = gd.parse("\n".join(lines))
    assert g.evaluate({"x": x, "y": y}) == pytest.approx(env["t"], rel=1e-12)
    agree(g, {"x": x, "y": y})
