"""Compiled code agrees with the interpreter: every op of the registry, random graphs, one
point and batches; domain errors name the node; the code never holds the user's text.

The ops are iterated from the registry (a new op is covered without an edit), sampled where
tests/test_ops.py samples them: inside the domain and away from kinks.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphdiff as gd
from graphdiff.builder import GraphBuilder
from graphdiff.compile import BACKENDS, Compiled
from graphdiff.ops import OPS

from .tensor_cases import TENSOR_OPS
from .test_ops import SCALAR_OPS, sample_point
from .test_tensors import _case as tensor_case

REL = 1e-9


def close(a: float, b: float, rel: float = REL, scale: float = 1.0) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=rel * scale)


def op_graph(name: str, constant: int | None = None) -> gd.Graph:
    """``name(a)`` or ``name(a, b)``; with ``constant`` the argument there is 3/4."""
    op = OPS[name]
    builder = GraphBuilder()
    args = [sympy.Rational(3, 4) if k == constant else builder.input("ab"[k])
            for k in range(op.arity)]
    return builder.build([builder.apply(op, args)])


def points_of(name: str, count: int, seed: int = 0) -> list[tuple[float, ...]]:
    rng = np.random.default_rng(seed)
    return [sample_point(name, rng) for _ in range(count)]


try:
    import llvmlite  # noqa: F401
    NATIVE = ["llvm"]
except ImportError:  # the llvm backend is optional
    NATIVE = []
#: "auto": the math code for one point, numpy for batches; "llvm": native code (optional).
CALLED = ["auto", *NATIVE]


@pytest.mark.parametrize("backend", CALLED)
@pytest.mark.parametrize("name", SCALAR_OPS)
def test_every_op_compiles_to_the_interpreters_value_and_gradient(name: str,
                                                                  backend: str) -> None:
    g = op_graph(name)
    f = gd.compile(g, grad=True, backend=backend)
    points = points_of(name, 8)
    for args in points:
        at = dict(zip(g.inputs, args, strict=True))
        value, gradient = f(**at)
        assert type(value) is float
        assert close(value, g.evaluate(at))
        expected = gd.grad(g, at=at)
        for x in g.inputs:
            assert close(gradient[x], expected[x], scale=1 + abs(expected[x]))
    # the same points as one batch, through the numpy code
    batch = np.array(points)
    value, gradient = f(batch)
    at = {x: batch[:, k] for k, x in enumerate(g.inputs)}
    np.testing.assert_allclose(value, g.evaluate(at), rtol=REL, atol=REL)
    expected = gd.grad(g, at=at)
    for k, x in enumerate(g.inputs):
        np.testing.assert_allclose(gradient[:, k], expected[x], rtol=REL, atol=REL)


@pytest.mark.parametrize("name", [n for n in SCALAR_OPS if OPS[n].arity == 2])
@pytest.mark.parametrize("position", [0, 1])
def test_binary_ops_with_a_constant_argument(name: str, position: int) -> None:
    g = op_graph(name, constant=position)
    f = gd.compile(g, grad=True)
    rng = np.random.default_rng(1)
    tried = 0
    for _ in range(200):
        x = float(rng.uniform(-3, 3))
        try:
            g.evaluate(**{g.inputs[0]: x})
        except gd.DomainError:
            with pytest.raises(gd.DomainError):
                f(**{g.inputs[0]: x})
            continue
        at = {g.inputs[0]: x}
        expected = gd.grad(g, at=at)[g.inputs[0]]
        if not np.isfinite(expected):
            continue
        value, gradient = f(**at)
        assert close(value, g.evaluate(at), scale=1 + abs(value))
        assert close(gradient[g.inputs[0]], expected, scale=1 + abs(expected))
        tried += 1
    assert tried > 50


@pytest.mark.parametrize("backend", CALLED)
@pytest.mark.parametrize("exponent", ["2", "3", "-2", "0", "1/2", "3/2", "y"])
def test_powers_decided_once(exponent: str, backend: str) -> None:
    g = gd.parse(f"x**{exponent}" if exponent != "y" else "x**y*1 + y")
    f = gd.compile(g, grad=True, backend=backend)
    for x in (0.5, 1.7, 3.0):
        at = {name: x for name in g.inputs}
        value, gradient = f(**at)
        assert close(value, g.evaluate(at))
        for name, d in gd.grad(g, at=at).items():
            assert close(gradient[name], d, scale=1 + abs(d))
    if exponent == "2" and backend == "auto":
        assert "(v0 * v0)" in f.source() and "pow" not in f.source()
        assert g._domain_checks()[1] is None  # no domain check at evaluation either


# --- random graphs ------------------------------------------------------------------------


@st.composite
def random_graphs(draw: st.DrawFn) -> gd.Graph:
    """A random DAG of the registry's elementwise ops over inputs x, y, z: each node applies
    a drawn op to earlier nodes or small constants."""
    builder = GraphBuilder()
    nodes: list[object] = [builder.input(name) for name in ("x", "y", "z")]
    for _ in range(draw(st.integers(1, 8))):
        op = OPS[draw(st.sampled_from(SCALAR_OPS))]
        args = []
        for k in range(op.arity):
            # A constant where the op has a domain only where the parser takes it too
            # (it refuses x/0 and 0**x): the exponent of pow, the numerator of div.
            may = op.domain is None or (op.name, k) in (("pow", 1), ("div", 0))
            if may and draw(st.integers(0, 4)) == 0:
                args.append(sympy.Rational(draw(st.integers(-7, 7)), 4))
            else:
                args.append(nodes[draw(st.integers(0, len(nodes) - 1))])
        if all(type(a) is not int for a in args):
            args[0] = nodes[-1]
        try:
            nodes.append(builder.apply(op, args))
        except gd.GraphdiffError:
            continue
    output = nodes[-1] if type(nodes[-1]) is int else nodes[0]
    return builder.build([output], inputs=["x", "y", "z"])


def _interpreted(g: gd.Graph, at: dict[str, object]) -> tuple[object, object] | gd.DomainError:
    try:
        with np.errstate(all="ignore"):
            return g.evaluate(at), gd.grad(g, at=at)
    except gd.DomainError as err:
        return err


def _compiled(g: gd.Graph, backend: str = "auto") -> Compiled | None:
    """The compiled gradient; None where the derivative graph itself cannot be built (the
    derivative of a constant base to a variable power, ``0**x``: ``log(0)`` is folded when
    reverse_graph builds it), which reverse_graph then refuses the same way."""
    try:
        return gd.compile(g, grad=True, backend=backend)
    except gd.DomainError:
        with pytest.raises(gd.DomainError):
            gd.reverse_graph(g)
        return None


def _agree(expected: float, got: float, scale: float = 0.0) -> bool:
    """Equal to rounding: relative to the result, and to the largest intermediate value
    (``scale``), whose rounding a cancellation can leave alone in the result --
    ``d((x+x)/(x+x))/dx = 1/b - a/b²`` is two terms of 10²¹ that cancel to 0 or to an ulp."""
    return math.isclose(got, expected, rel_tol=1e-7,
                        abs_tol=1e-7 * (1 + abs(expected)) + 1e-12 * scale)


def _scale(g: gd.Graph, at: dict[str, object]) -> float:
    """The largest finite magnitude among the values of the derivative graph's nodes."""
    with np.errstate(all="ignore"):
        values = gd.reverse_graph(g, values=True).values(at, on_domain_error="nan")
    finite = [np.abs(v)[np.isfinite(v)] for v in map(np.asarray, values)]
    return float(max((np.max(v) for v in finite if v.size), default=0.0))


def _check(g: gd.Graph, at: dict[str, object], expected: tuple[object, object],
           value: object, gradient: np.ndarray) -> None:
    """Compiled against interpreted reverse mode where that is finite everywhere; else, per
    entry, against the engines or the derivative graph the code is of, evaluated by the
    interpreter (where the code says nan the engines decide, and elsewhere an inf of the
    code may be the interpreter's nan for a domain error: both not a number)."""
    wanted = [expected[0], *(expected[1][name] for name in g.inputs)]
    shape = np.shape(value)
    wanted = [np.broadcast_to(np.asarray(w, dtype=float), shape) for w in wanted]
    if not all(np.all(np.isfinite(w)) for w in wanted):
        with np.errstate(all="ignore"):
            graph = gd.reverse_graph(g, values=True).evaluate(at, on_domain_error="nan")
        graph = [np.broadcast_to(np.asarray(w, dtype=float), shape) for w in graph]
        got = [np.asarray(value), *np.moveaxis(np.asarray(gradient), -1, 0)]
        for engines, w, x in zip(wanted, graph, got, strict=True):
            as_engines = np.isclose(x, engines, rtol=1e-7, atol=1e-7, equal_nan=True)
            finite = np.isfinite(w)
            as_graph = (np.isfinite(x) == finite) & (
                ~finite | np.isclose(x, w, rtol=1e-7, atol=1e-7))
            assert np.all(as_engines | as_graph), (engines, w, x)
        return
    got = [np.asarray(value), *np.moveaxis(np.asarray(gradient), -1, 0)]
    scale = _scale(g, at)
    for w, x in zip(wanted, got, strict=True):
        for a, b in zip(np.ravel(w), np.ravel(x), strict=True):
            assert _agree(float(a), float(b), scale), (a, b, scale)


POINTS = st.tuples(*(st.floats(-2.5, 2.5) for _ in range(3)))


@pytest.mark.parametrize("backend", CALLED)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=random_graphs(), point=POINTS)
def test_random_graphs_at_one_point(g: gd.Graph, point: tuple[float, float, float],
                                    backend: str) -> None:
    at = dict(zip("xyz", point, strict=True))
    expected = _interpreted(g, at)
    f = _compiled(g, backend)
    if f is None:
        return
    if isinstance(expected, gd.DomainError):
        with pytest.raises(gd.DomainError) as caught:
            f(**at)
        assert caught.value.node == expected.node
        return
    value, gradient = f(**at)
    _check(g, at, expected, value, np.array([gradient[name] for name in "xyz"]))
    value_only = gd.compile(g, backend=backend)(**at)
    # (equal to rounding: where the gradient's code raised, numpy's sin ran, not math's)
    assert _agree(value, value_only) or (np.isnan(value) and np.isnan(value_only))


@pytest.mark.parametrize("backend", CALLED)
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=random_graphs(), points=st.lists(POINTS, min_size=2, max_size=5))
def test_random_graphs_in_batch(g: gd.Graph, points: list[tuple[float, float, float]],
                                backend: str) -> None:
    batch = np.array(points)
    at = {name: batch[:, k] for k, name in enumerate("xyz")}
    expected = _interpreted(g, at)
    f = _compiled(g, backend)
    if f is None:
        return
    if isinstance(expected, gd.DomainError):
        with pytest.raises(gd.DomainError) as caught:
            f(batch)
        assert caught.value.node == expected.node
        return
    value, gradient = f(batch)
    assert value.shape == (len(points),) and gradient.shape == (len(points), 3)
    _check(g, at, expected, value, gradient)


# --- what it returns ----------------------------------------------------------------------


def test_jvp_vjp_and_hvp_agree_with_the_interpreter() -> None:
    g = gd.parse("s = x*sin(y) + exp(x*y)\np = x**3/y", outputs=["s", "p"])
    at = {"x": 0.7, "y": 1.3}
    values, tangent = gd.compile(g, jvp={"x": 1.0, "y": -2.0})(**at)
    expected = gd.jvp(g, at, {"x": 1.0, "y": -2.0})
    assert all(close(a, b) for a, b in zip(values, expected[0], strict=True))
    assert all(close(a, b) for a, b in zip(tangent, expected[1], strict=True))
    values, cotangent = gd.compile(g, vjp={"s": 2.0, "p": 0.5})(**at)
    wanted = gd.vjp(g, at, {"s": 2.0, "p": 0.5})[1]
    assert all(close(cotangent[k], wanted[k]) for k in "xy")
    h = gd.parse("x**3*y + sin(x*y)")
    value, gradient, hv = gd.compile(h, hvp={"x": 1.0, "y": 2.0})(**at)
    assert close(value, h.evaluate(at)) and close(gradient["y"], gd.grad(h, at=at)["y"])
    hessian = gd.hessian(h, at)
    np.testing.assert_allclose([hv["x"], hv["y"]], hessian @ np.array([1.0, 2.0]), rtol=1e-12)


def test_calls_by_name_by_array_and_batches_agree() -> None:
    g = gd.parse("x*exp(y) - y**2")
    f = gd.compile(g, grad=True)
    value, gradient = f(x=1.5, y=0.5)
    value2, gradient2 = f(np.array([1.5, 0.5]))
    assert value == value2 and [gradient["x"], gradient["y"]] == gradient2.tolist()
    assert f(x=1, y=0) == f(x=1.0, y=0.0)                   # ints are numbers too
    v, grid = f(x=np.array([1.5, 2.0]), y=0.5)              # broadcasting, like evaluate
    assert v.shape == (2,) and grid["y"].shape == (2,)
    batch = np.array([[1.5, 0.5], [2.0, 0.5]])
    assert np.allclose(f(batch)[0], v) and f(batch)[1].shape == (2, 2)
    assert f(batch.reshape(1, 2, 2))[1].shape == (1, 2, 2)  # any batch shape
    for backend in BACKENDS:
        forced = gd.compile(g, grad=True, backend=backend)
        assert close(forced(x=1.5, y=0.5)[0], value)


def test_constant_gradients_take_the_batch_shape() -> None:
    f = gd.compile(gd.parse("x + 2*y"), grad=True)
    value, gradient = f(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    assert value.tolist() == [5.0, 11.0, 17.0] and gradient.tolist() == [[1.0, 2.0]] * 3
    assert f(x=1.0, y=1.0) == (3.0, {"x": 1.0, "y": 2.0})


def test_wrong_inputs_are_told() -> None:
    f = gd.compile(gd.parse("x*y"))
    with pytest.raises(gd.GraphdiffError, match="no value given for y"):
        f(x=1.0)
    with pytest.raises(gd.GraphdiffError, match="unknown input z"):
        f(x=1.0, y=2.0, z=3.0)
    with pytest.raises(gd.GraphdiffError, match="one entry per input"):
        f(np.zeros(3))
    with pytest.raises(gd.GraphdiffError, match="one of grad, jvp"):
        gd.compile(gd.parse("x*y"), grad=True, jvp={"x": 1.0})


def test_compiled_code_goes_with_its_graph() -> None:
    import gc
    import weakref

    g = gd.parse("sin(x)*y")
    gd.compile(g, grad=True)(x=1.0, y=2.0)
    ref = weakref.ref(g)
    del g
    gc.collect()
    assert ref() is None


def test_code_is_cached_per_graph_and_request() -> None:
    g = gd.parse("sin(x)*x")
    assert gd.compile(g, grad=True) is gd.compile(g, grad=True)
    assert gd.compile(g, grad=True) is not gd.compile(g)
    assert gd.compile(g, jvp={"x": 1}) is gd.compile(g, jvp={"x": 1.0})
    assert isinstance(gd.compile(g), Compiled)


@pytest.mark.parametrize("name", TENSOR_OPS)
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_every_tensor_op_compiles_to_numpy_like_the_interpreter(name: str,
                                                                 data: st.DataObject) -> None:
    g, at, _ = tensor_case(name, data)
    expected = g.evaluate(at)
    ones = {g.outputs[0]: np.ones(np.shape(expected))}
    values, cotangent = gd.compile(g, vjp={g.outputs[0]: 1})(**at)
    np.testing.assert_allclose(gd.compile(g)(**at), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-12)
    wanted = gd.vjp(g, at, ones)[1]
    for x in g.inputs:
        # per point of the batch, shaped like the input (reverse mode gives a structural 0
        # as zeros of the input's shape alone: equal once broadcast)
        shape = np.shape(cotangent[x])
        assert shape[len(shape) - len(g.shape(x)):] == g.shape(x)
        np.testing.assert_allclose(cotangent[x], np.broadcast_to(wanted[x],
                                                                 np.shape(cotangent[x])),
                                   rtol=1e-9, atol=1e-12)


def test_a_tensor_graph_compiles_to_numpy_code_with_its_batch() -> None:
    g = gd.parse("L = sum(sigmoid(X @ W + b)*2) + sum(log(W*W))",
                 shapes={"X": (4, 3), "W": (3, 2), "b": (2,)})
    rng = np.random.default_rng(3)
    at = {"X": rng.normal(size=(5, 4, 3)), "W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    f = gd.compile(g, grad=True)
    value, gradient = f(**at)
    np.testing.assert_allclose(value, g.evaluate(at), rtol=1e-12)
    for x, d in gd.grad(g, at=at).items():
        assert gradient[x].shape == d.shape
        np.testing.assert_allclose(gradient[x], d, rtol=1e-10, atol=1e-12)
    with pytest.raises(gd.DomainError, match=r"log of a non-positive number at .* at entry"):
        f(**dict(at, W=np.zeros((3, 2))))
    with pytest.raises(gd.GraphdiffError, match="tensor"):
        gd.compile(g, backend="math")
    with pytest.raises(gd.GraphdiffError, match="takes them by name"):
        f(np.zeros(3))


# --- domain errors and non-finite values --------------------------------------------------


@pytest.mark.parametrize("backend", CALLED)
def test_domain_errors_name_the_node_at_one_point_and_in_batch(backend: str) -> None:
    g = gd.parse("log(x - y) + sqrt(y)")
    f = gd.compile(g, grad=True, backend=backend)
    for call in (lambda: f(x=1.0, y=2.0), lambda: f(np.array([1.0, 2.0]))):
        with pytest.raises(gd.DomainError) as caught:
            call()
        assert caught.value.node == "w5"
        assert str(caught.value) == ("log of a non-positive number at w5: w5 = log(w3) "
                                     "with w3 = -1")
    with pytest.raises(gd.DomainError, match=r"first at batch index 1"):
        f(np.array([[3.0, 2.0], [1.0, 2.0]]))
    with pytest.raises(gd.DomainError, match="division by zero at w4: w4 = x/w3 with x = 1, w3 = 0"):
        gd.compile(gd.parse("x/(y - 1)"), backend=backend)(x=1.0, y=1.0)


@pytest.mark.parametrize("backend", CALLED)
def test_what_is_not_a_domain_error_is_inf_or_nan_as_interpreted(backend: str) -> None:
    for text, at in (("exp(x)", 1000.0), ("sqrt(x)", 0.0), ("x**2", 1e200)):
        g = gd.parse(text)
        value, gradient = gd.compile(g, grad=True, backend=backend)(x=at)
        assert value == g.evaluate(x=at)
        assert gradient["x"] == gd.grad(g, at={"x": at})["x"]
        value, gradient = gd.compile(g, grad=True, backend=backend)(np.array([[at], [1.0]]))
        assert gradient[0, 0] == gd.grad(g, at={"x": at})["x"]


def test_an_op_defined_by_the_user_compiles_without_code_and_with_it() -> None:
    gd.define_op("softrelu", numpy=lambda z: np.logaddexp(0.0, z),
                 sympy=lambda z: sympy.log(1 + sympy.exp(z)),
                 partials=[lambda m, z, out: m.sigmoid(z)])
    gd.define_op("safelog", numpy=np.log, sympy=sympy.log, partials=[lambda m, z, out: 1 / z],
                 domain=lambda z: np.asarray(z) <= 0, domain_message="safelog of 0 or less",
                 code={"math": "math.log({0})"})
    try:
        g = gd.parse("softrelu(2*x) + safelog(x)")
        f = gd.compile(g, grad=True)
        value, gradient = f(x=0.5)
        assert close(value, g.evaluate(x=0.5))
        assert close(gradient["x"], gd.grad(g, at={"x": 0.5})["x"])
        assert "math.log(v0)" in f.source("math") and "_f" in f.source("numpy")
        with pytest.raises(gd.DomainError, match="safelog of 0 or less at w3"):
            f(np.array([[1.0], [-1.0]]))
    finally:
        gd.undefine_op("softrelu")
        gd.undefine_op("safelog")


def test_the_code_holds_no_text_of_the_users() -> None:
    hostile = ["x; import os", "__import__('os')", "a b"]
    g = gd.trace(lambda a, b, c: gd.sin(a) * b + c, inputs=hostile)
    f = gd.compile(g, grad=True)
    for backend in BACKENDS:
        source = f.source(backend)
        assert not any(name in source for name in hostile)
    value, gradient = f(**dict(zip(hostile, (1.0, 2.0, 3.0), strict=True)))
    assert close(value, 2 * math.sin(1.0) + 3.0) and gradient["__import__('os')"] == math.sin(1.0)


def test_a_long_chain_compiles_without_recursion() -> None:
    def chain(x: object) -> object:
        for i in range(3000):
            x = (gd.sin, gd.cos, gd.tanh)[i % 3](x)
        return x
    g = gd.trace(chain)
    value, gradient = gd.compile(g, grad=True)(x=0.4)
    assert close(value, g.evaluate(x=0.4))
    assert close(gradient["x"], gd.grad(g, at={"x": 0.4})["x"], rel=1e-9)


@pytest.mark.skipif(not NATIVE, reason="llvmlite is not installed")
def test_the_llvm_backend_writes_ir_from_the_registry_and_refuses_ops_without_it() -> None:
    from graphdiff.native import generate_llvm

    g = gd.parse("x**2 + sigmoid(x*y)")
    ir = generate_llvm(gd.reverse_graph(g, values=True))
    assert "fmul double %v0, %v0" in ir and "declare double @llvm.exp.f64(double)" in ir
    value, gradient = gd.compile(g, grad=True, backend="llvm")(np.array([0.5, -1.5]))
    expected = gd.grad(g, at={"x": 0.5, "y": -1.5})
    assert close(value, g.evaluate(x=0.5, y=-1.5))
    assert close(gradient[0], expected["x"]) and close(gradient[1], expected["y"])
    gd.define_op("softrelu", numpy=lambda z: np.logaddexp(0.0, z),
                 sympy=lambda z: sympy.log(1 + sympy.exp(z)),
                 partials=[lambda m, z, out: m.sigmoid(z)])
    try:
        with pytest.raises(gd.GraphdiffError, match="softrelu has no LLVM code"):
            gd.compile(gd.parse("softrelu(x)"), backend="llvm")
    finally:
        gd.undefine_op("softrelu")


@pytest.mark.parametrize("backend", ["auto", "numpy", *NATIVE])
def test_edge_graphs_a_constant_an_input_a_structural_zero(backend: str) -> None:
    assert gd.compile(gd.parse("2 + 3"), grad=True, backend=backend)() == (5.0, {})
    f = gd.compile(gd.parse("x"), grad=True, backend=backend)
    assert f(x=1.5) == (1.5, {"x": 1.0})
    value, gradient = gd.compile(gd.parse("x*0 + 1"), grad=True, backend=backend)(
        np.ones((2, 1)))
    assert value.tolist() == [1.0, 1.0] and gradient.tolist() == [[0.0], [0.0]]


def test_code_follows_the_convention_at_kinks_it_was_built_under() -> None:
    g = gd.parse("relu(x) + leaky_relu(x, 0.5)")
    assert gd.compile(g, grad=True)(x=0.0)[1]["x"] == gd.grad(g, {"x": 0.0})["x"] == 0.5
    with gd.kink_convention("seed001"):
        assert gd.compile(g, grad=True)(x=0.0)[1]["x"] == gd.grad(g, {"x": 0.0})["x"] == 2.0
    assert gd.compile(g, grad=True)(x=0.0)[1]["x"] == 0.5


@pytest.mark.parametrize("backend", CALLED)
def test_wrt_leaves_the_other_inputs_adjoints_out_of_the_code(backend: str) -> None:
    g = gd.parse("sin(x)*exp(w) + w**2")
    whole = gd.compile(g, grad=True, backend=backend)
    f = gd.compile(g, grad=True, wrt=["w"], backend=backend)
    assert len(f.program) < len(whole.program)
    value, gradient = f(x=0.5, w=1.5)
    assert close(value, g.evaluate(x=0.5, w=1.5)) and list(gradient) == ["w"]
    assert close(gradient["w"], gd.grad(g, {"x": 0.5, "w": 1.5})["w"])
    value, gradient = f(np.array([[0.5, 1.5], [1.0, -1.0]]))
    assert gradient.shape == (2, 1)
    assert close(gradient[1, 0], gd.grad(g, {"x": 1.0, "w": -1.0})["w"])
    s = gd.parse("s = x*w\np = x + w", outputs=["s", "p"])
    values, cotangent = gd.compile(s, vjp={"s": 2.0, "p": 1.0}, wrt=["x"],
                                   backend=backend)(x=2.0, w=3.0)
    assert values == (6.0, 5.0) and cotangent == {"x": 7.0}
    with pytest.raises(gd.GraphdiffError, match="wrt= is for grad and vjp"):
        gd.compile(g, jvp={"x": 1.0}, wrt=["x"])


def test_a_tensor_graph_compiles_jvp_and_hvp_like_the_sweeps() -> None:
    g = gd.parse("L = sum(sigmoid(X @ W + b)*2) + sum(log(W*W))",
                 shapes={"X": (4, 3), "W": (3, 2), "b": (2,)})
    rng = np.random.default_rng(5)
    at = {"X": rng.normal(size=(4, 3)), "W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    value, tangent = gd.compile(g, jvp={"W": 1.0, "b": -2.0})(**at)
    wanted = gd.jvp(g, at, {"W": np.ones((3, 2)), "b": np.full(2, -2.0)})
    assert value == pytest.approx(wanted[0], rel=1e-12)
    assert tangent == pytest.approx(wanted[1], rel=1e-10)
    # H·v against central differences of the compiled gradient along v
    _, gradient, hv = gd.compile(g, hvp={"W": 1.0, "b": 0.5})(**at)
    f = gd.compile(g, grad=True)
    step = 1e-5
    ahead = f(**dict(at, W=at["W"] + step, b=at["b"] + step / 2))[1]
    behind = f(**dict(at, W=at["W"] - step, b=at["b"] - step / 2))[1]
    for x in g.inputs:
        assert hv[x].shape == g.shape(x) == gradient[x].shape
        np.testing.assert_allclose(hv[x], (ahead[x] - behind[x]) / (2 * step),
                                   rtol=1e-6, atol=1e-6)
    batch = dict(at, X=rng.normal(size=(7, 4, 3)))  # a batch of X: one tangent per point
    values, tangents = gd.compile(g, jvp={"W": 1.0, "b": -2.0})(**batch)
    for k in range(7):
        one = gd.jvp(g, dict(batch, X=batch["X"][k]),
                     {"W": np.ones((3, 2)), "b": np.full(2, -2.0)})
        assert (values[k], tangents[k]) == pytest.approx(one, rel=1e-10)


def test_wrt_on_a_tensor_graph_the_weights_of_a_layer() -> None:
    g = gd.parse("L = mean((sigmoid(X @ W + b) - Y)**2)",
                 shapes={"X": (8, 3), "W": (3, 2), "b": (2,), "Y": (8, 2)})
    rng = np.random.default_rng(5)
    at = {"X": rng.normal(size=(8, 3)), "W": rng.normal(size=(3, 2)), "b": rng.normal(size=2),
          "Y": rng.uniform(size=(8, 2))}
    value, gradient = gd.compile(g, grad=True, wrt=["W", "b"])(**at)
    expected = gd.grad(g, at, wrt=["W", "b"])
    assert sorted(gradient) == ["W", "b"] and close(value, g.evaluate(at))
    for name in ("W", "b"):
        np.testing.assert_allclose(gradient[name], expected[name], rtol=1e-10, atol=1e-14)


def test_long_programs_are_split_into_functions_with_the_same_results(monkeypatch) -> None:

    texts = ["x**2 + x*y + (x+y)**2 + sin(x*y) - log(x)", "sigmoid(x*y)*tanh(y) + relu(x - y)"]
    points = np.array([[1.3, 0.7], [0.4, 2.0]])
    expected = [(gd.compile(gd.parse(text), grad=True)(x=1.3, y=0.7),
                 gd.compile(gd.parse(text), grad=True)(points)) for text in texts]
    monkeypatch.setattr(sys.modules["graphdiff.codegen"], "CODE_CHUNK", 3)
    for text, (wanted, batch) in zip(texts, expected, strict=True):
        f = gd.compile(gd.parse(text), grad=True)   # a new graph: compiled anew
        assert "def _c1(" in f.source()
        assert f(x=1.3, y=0.7) == wanted     # the same operations in the same order
        value, gradient = f(points)
        assert value.tolist() == batch[0].tolist() and gradient.tolist() == batch[1].tolist()
    with pytest.raises(gd.DomainError, match="log of a non-positive number"):
        gd.compile(gd.parse(texts[0]), grad=True)(x=-1.0, y=0.5)


@pytest.mark.parametrize("backend", CALLED)
@pytest.mark.parametrize(("text", "points"), [
    ("x**y", [(0.0, 2.0), (0.0, 0.5), (1.5, 2.0)]),            # 0·ln 0 in the exponent
    ("0**x + y", [(1.5, 1.0), (0.5, -2.0)]),                   # a constant base 0
    ("exp(exp(x))*0 + x*y", [(10.0, 2.0), (0.5, 1.0)]),        # a zero edge, an inf adjoint
    ("exp(exp(x))*x**0 + y", [(10.0, 1.0)]),
])
def test_where_the_code_meets_a_domain_edge_the_engines_decide(text: str, points: list,
                                                               backend: str) -> None:
    """The code multiplies out what the sweeps leave out (a structural zero, 0·ln 0);
    where it comes out nan the interpreter decides, so compiled = interpreted, at one
    point and row by row."""
    g = gd.parse(text)
    f = gd.compile(g, grad=True, backend=backend)
    rows = np.array(points)
    values, gradients = f(rows)
    for k, point in enumerate(points):
        at = dict(zip(g.inputs, point, strict=True))
        with np.errstate(all="ignore"):
            expected = gd.grad(g, at=at)
            value, gradient = f(**at)
            np.testing.assert_array_equal([value, values[k]], [g.evaluate(at)] * 2)
        for j, x in enumerate(g.inputs):
            np.testing.assert_array_equal([gradient[x], gradients[k, j]], [expected[x]] * 2)
