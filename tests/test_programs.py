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


# --- long programs and long sums ------------------------------------------------------
#
# Sizes of about 10⁴: seconds at most.  benchmarks/parse_scale.py measures 10⁵.

LONG = 10_000
BIG = gd.Limits.unlimited_size()


def chain(n: int, line: str = "a{k} = sin(a{j})*0.5 + a{j}") -> list[str]:
    return [line.format(k=k, j=k - 1) for k in range(1, n + 1)]


def test_a_long_program_parses_and_evaluates_to_its_value() -> None:
    g = gd.parse("\n".join(chain(LONG)), limits=BIG)
    assert g.inputs == ("a0",) and g.outputs == (f"a{LONG}",)
    assert len(g.order) == 1 + 3 * LONG
    value = 0.3
    for _ in range(LONG):
        value = math.sin(value) * 0.5 + value
    assert g.evaluate({"a0": 0.3}) == pytest.approx(value, rel=1e-12)


def test_a_long_program_of_inputs_and_a_long_sum_evaluate_to_their_sums() -> None:
    at = {f"x{i}": math.sqrt(i) for i in range(LONG)}
    program = "s1 = x0 + x1\n" + "\n".join(f"s{i} = s{i - 1} + x{i}" for i in range(2, LONG))
    one_line = " + ".join(f"x{i}" for i in range(LONG))
    products = "*".join(f"(1 + x{i}/{LONG})" for i in range(LONG))
    for text in (program, one_line):
        g = gd.parse(text, limits=BIG)
        assert len(g.inputs) == LONG
        assert g.evaluate(at) == pytest.approx(math.fsum(at.values()), rel=1e-12)
    g = gd.parse(products, limits=BIG)
    assert g.evaluate(at) == pytest.approx(math.prod(1 + v / LONG for v in at.values()),
                                           rel=1e-9)


def test_plus_equals_and_aliases_in_a_long_program() -> None:
    text = "\n".join(["s = x", *["s += x*y" for _ in range(LONG // 2)], "t = s", "u = t*2"])
    g = gd.parse(text, limits=BIG)
    assert g.outputs == ("u",)
    assert g.evaluate({"x": 0.5, "y": 3.0}) == pytest.approx(2 * (0.5 + LONG // 2 * 1.5))
    assert g.name(g.args(g.id("t"))[0]) == f"s__({LONG // 2 + 1})"


@pytest.mark.parametrize(("bad", "code", "column", "fragment"), [
    ("a3000 = sin(a2999)*0.5 + foo(a2999)", "unknown_function", 26, "'foo'"),
    ("a3000 = sin(a2999)^2 + a2999/0", "constant_domain", 30, "division by zero"),
    ("a3000 = sin(a2999)*0.5 +* a2999", "misplaced_operator", 25, "'*' cannot follow"),
    ("a3000 = (sin(a2999)*0.5 + a2999", "expected_closing", 9, "never closed"),
    ("a3000 = sin(a2999)*0.5 + a2999 = 2", "syntax_error", 9, "cannot assign"),
    ("a3000 = a2999^5000", "exponent_too_large", 15, "exponent 5000"),
    ("a3000 = sin(a2999) + ½", "unexpected_character", 22, "'½'"),
    ("  a3000 = a2999", "syntax_error", 2, "indent"),
    ("a1 = a2999", "assigned_twice", 1, "lines 1 and 3000"),
    ("a3000 = sin(a2999)\nx", "unused_expression", 1, "unused"),
])
def test_an_error_deep_in_a_long_program_names_its_line_and_column(
        bad: str, code: str, column: int, fragment: str) -> None:
    lines = chain(4000)
    lines[2999] = bad
    with pytest.raises(gd.ParseError) as caught:
        gd.parse("\n".join(lines), limits=BIG)
    err = caught.value
    line = 3001 if code == "unused_expression" else 3000
    assert (err.code, err.line, err.column) == (code, line, column), str(err)
    assert fragment in str(err)
    assert bad.split("\n")[line - 3000].strip()[:16] in str(err)  # the caret's excerpt


def test_a_syntax_error_anywhere_is_reported_before_an_earlier_line_is_refused() -> None:
    # Python's parser read the whole text before any line was converted: a syntax error
    # at line 9000 is still what is reported, not the unknown function at line 10.
    lines = chain(LONG)
    lines[9] = "a10 = foo(a9)"
    lines[8999] = "a9000 = (a8999"
    with pytest.raises(gd.ParseError) as caught:
        gd.parse("\n".join(lines), limits=BIG)
    assert (caught.value.code, caught.value.line, caught.value.column) == (
        "expected_closing", 9000, 9)
    # ... and too many statements before the first conversion error too.
    with pytest.raises(gd.LimitError) as too_many:
        gd.parse("\n".join([*lines[:8999], "a9000 = 1"]),
                 limits=gd.Limits(max_chars=10**6, max_nodes=10**6, max_lines=8000))
    assert (too_many.value.code, too_many.value.line) == ("too_many_lines", 8001)
    assert "9000 statements" in str(too_many.value)


def test_a_long_program_with_other_syntax_in_the_middle() -> None:
    # Lines the quick reader leaves to Python's parser (a name in Greek, a number with
    # underscores, a line continued in brackets, Windows line ends) mix with plain ones.
    lines = chain(3000)
    lines[1000] = "a1001 = 1_0 * a1000"
    lines[2000] = "α = a2000\na2001 = (α +\n    1)"
    lines[2500] = lines[2500] + "\r"
    text = "\n".join(lines)
    value = 0.25
    for k in range(1, 3001):
        value = value * 10 if k == 1001 else value + 1 if k == 2001 else (
            math.sin(value) * 0.5 + value)
    assert gd.parse(text, limits=BIG).evaluate({"a0": 0.25}) == pytest.approx(value)
