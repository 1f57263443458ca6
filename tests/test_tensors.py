"""Tensor nodes: every op's VJP and JVP against central differences at random shapes.

The ops, their shapes (with broadcasting and size-1 axes), their static axes and their
values all come from the registry (``tests/tensor_cases.py``): a tensor op added to the
registry is checked here without an edit.  Each case is run on one point and on a batch
of points (leading axes on the first argument).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import graphdiff as gd
from graphdiff.derive.methods import METHODS
from graphdiff.ops import OPS
from graphdiff.tensorops import ALL, unbroadcast
from graphdiff.trace import function_of

from .tensor_cases import TENSOR_OPS, cases, data_arity, values_for

#: Every op: the tensor ops, and the elementwise ones on tensors (broadcasting).
ALL_OPS = sorted(OPS)
STEP = 1e-6


def _graph(name: str, shapes: tuple, static: tuple) -> gd.Graph:
    op = OPS[name]
    names = ["a", "b"][: data_arity(op)]
    function = function_of(op)
    return gd.trace(lambda *xs: function(*xs, *static), inputs=names,
                    shapes=dict(zip(names, shapes, strict=True)))


def _inner(a: np.ndarray, b: np.ndarray, rank: int) -> np.ndarray:
    """Σ a·b over the last ``rank`` axes (the node's), one number per point."""
    product = np.asarray(a) * np.asarray(b)
    return product.sum(axis=tuple(range(product.ndim - rank, product.ndim)))


def _moved(at: dict, tangent: dict, step: float) -> dict:
    return {k: at[k] + step * tangent[k] for k in at}


def _difference(g: gd.Graph, at: dict, tangent: dict, h: float) -> np.ndarray:
    return (np.asarray(g.evaluate(_moved(at, tangent, h)))
            - np.asarray(g.evaluate(_moved(at, tangent, -h)))) / (2 * h)


def _case(name: str, data: st.DataObject) -> tuple[gd.Graph, dict, np.random.Generator]:
    shapes, static = data.draw(cases(name), label="shapes, static")
    batch = data.draw(st.sampled_from([(), (2,)]), label="batch")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    g = _graph(name, shapes, static)
    values = values_for(OPS[name], shapes, static, rng, batch)
    return g, dict(zip(g.inputs, values, strict=True)), rng


def _tolerance(reference: np.ndarray) -> float:
    return 1e-5 * max(1.0, float(np.max(np.abs(reference), initial=0.0)))


@pytest.mark.parametrize("name", ALL_OPS)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_vjp_and_jvp_match_central_differences(name: str, data: st.DataObject) -> None:
    g, at, rng = _case(name, data)
    out = np.asarray(g.evaluate(at))
    assume(np.all(np.isfinite(out)))
    tangent = {k: rng.normal(size=np.shape(v)) for k, v in at.items()}
    cotangent = rng.normal(size=out.shape)
    difference = _difference(g, at, tangent, STEP)
    # Where the function bends too fast for this step (a nearly singular matrix), the
    # difference itself is not a reference: two steps must agree first.
    assume(np.allclose(difference, _difference(g, at, tangent, 2 * STEP),
                       rtol=1e-5, atol=_tolerance(difference)))
    _, jvp = gd.jvp(g, at, tangent)
    # A tangent that is structurally zero (eye_like) is zeros of the node's shape.
    jvp = np.broadcast_to(jvp, out.shape)
    np.testing.assert_allclose(jvp, difference, rtol=1e-5, atol=_tolerance(difference))
    _, vjp = gd.vjp(g, at, {g.outputs[0]: cotangent})
    rank = len(g.shape(g.outputs[0]))
    by_vjp = sum(_inner(vjp[k], tangent[k], len(g.shape(k))) for k in at)
    by_difference = _inner(cotangent, difference, rank)
    np.testing.assert_allclose(by_vjp, by_difference, rtol=1e-5,
                               atol=_tolerance(by_difference))
    # JVP/VJP duality: <vjp(g), t> = <g, jvp(t)>, to rounding.
    np.testing.assert_allclose(by_vjp, _inner(cotangent, jvp, rank), rtol=1e-9,
                               atol=1e-9 * _tolerance(by_difference))


@pytest.mark.parametrize("name", TENSOR_OPS)
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_derivative_graphs_agree_with_the_sweeps(name: str, data: st.DataObject) -> None:
    g, at, _ = _case(name, data)
    out = g.outputs[0]
    ones = np.ones(np.shape(g.evaluate(at)))
    adjoint_graph = gd.reverse_graph(g)
    assert [adjoint_graph.shape(n) for n in adjoint_graph.output_ids] == \
        [g.shape(x) for x in g.inputs] or any(adjoint_graph.kind(n) == "constant"
                                             for n in adjoint_graph.output_ids)
    got = adjoint_graph.evaluate(at)
    got = got if isinstance(got, tuple) else (got,)
    _, expected = gd.vjp(g, at, {out: ones})
    for x, value in zip(g.inputs, got, strict=True):
        np.testing.assert_allclose(np.broadcast_to(value, np.shape(expected[x])), expected[x],
                                   rtol=1e-9, atol=1e-12)
    first = g.inputs[0]
    tangent_graph = gd.forward_graph(g, wrt=first)
    direction = {x: (np.ones(np.shape(at[x])) if x == first else np.zeros(np.shape(at[x])))
                 for x in g.inputs}
    np.testing.assert_allclose(
        np.broadcast_to(tangent_graph.evaluate(at), ones.shape),
        np.broadcast_to(gd.jvp(g, at, direction)[1], ones.shape), rtol=1e-9, atol=1e-12)


# --- un-broadcasting ---------------------------------------------------------------------


@st.composite
def _broadcast_pairs(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A node shape and a shape that broadcasts to it (fewer axes, size-1 axes)."""
    out = tuple(draw(st.lists(st.sampled_from((1, 2, 3)), max_size=3)))
    keep = draw(st.integers(0, len(out)))
    target = tuple(n if draw(st.booleans()) else 1 for n in out[len(out) - keep:])
    return out, target


@settings(max_examples=60, deadline=None)
@given(pair=_broadcast_pairs(), points=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_unbroadcast_sums_node_axes_never_points(pair, points, seed) -> None:
    out, target = pair
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(points, *out))
    down = unbroadcast(g, target)
    assert down.shape == (points, *target)
    # Each point keeps its own total: nothing is summed across points.
    np.testing.assert_allclose(down.reshape(points, -1).sum(axis=1),
                               g.reshape(points, -1).sum(axis=1), rtol=1e-12, atol=1e-12)
    # It is the adjoint of broadcasting: <unbroadcast(g), t> = <g, broadcast(t)>.
    t = rng.normal(size=(points, *target))
    spread = np.broadcast_to(t.reshape((points,) + (1,) * (len(out) - len(target)) + target),
                             g.shape)
    np.testing.assert_allclose((down * t).reshape(points, -1).sum(axis=1),
                               (g * spread).reshape(points, -1).sum(axis=1), rtol=1e-10)


def test_bias_broadcast_sends_the_row_sums_to_the_bias() -> None:
    g = gd.parse("H: 3x2\nb: 2\nL = sum(H + b)")
    gradient = gd.grad(g, {"H": np.zeros((3, 2)), "b": np.zeros(2)})
    assert gradient["b"].tolist() == [3.0, 3.0]
    assert gradient["H"].tolist() == [[1.0, 1.0]] * 3


# --- batches -----------------------------------------------------------------------------


def test_a_batch_of_points_is_the_points_one_by_one() -> None:
    g = gd.parse("X: 2x3\nW: 3x2\nb: 2\nL = mean(relu(X @ W + b))")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 2, 3))  # four points
    W, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    values = g.evaluate(X=X, W=W, b=b)
    gradient = gd.grad(g, {"X": X, "W": W, "b": b})
    assert np.shape(values) == (4,) and gradient["W"].shape == (4, 3, 2)
    for k in range(4):
        one = gd.grad(g, {"X": X[k], "W": W, "b": b})
        assert values[k] == pytest.approx(g.evaluate(X=X[k], W=W, b=b))
        for name in ("X", "W", "b"):
            np.testing.assert_allclose(gradient[name][k], one[name], rtol=1e-12)


def test_a_scalar_input_batch_broadcasts_against_a_matrix() -> None:
    g = gd.parse("X: 2x2\nL = sum(s * X)")
    X = np.arange(4.0).reshape(2, 2)
    assert g.evaluate(s=np.array([1.0, 2.0]), X=X).tolist() == [6.0, 12.0]
    assert gd.grad(g, {"s": np.array([1.0, 2.0]), "X": X})["s"].tolist() == [6.0, 6.0]


def test_scalar_graphs_keep_their_batches_and_types() -> None:
    g = gd.parse("x*y + sin(x)")
    assert not g.is_tensor
    assert isinstance(g.evaluate(x=1.0, y=2.0), float)
    assert gd.grad(g, {"x": np.array([0.0, 1.0]), "y": 2.0})["y"].tolist() == [0.0, 1.0]


def test_the_declared_shape_is_checked_against_the_value() -> None:
    g = gd.parse("X: 2x3\nL = sum(X)")
    with pytest.raises(gd.ShapeError, match=r"the value of X has shape \(3, 2\)"):
        g.evaluate(X=np.zeros((3, 2)))


# --- shapes: declarations and errors -----------------------------------------------------


def test_shapes_from_the_header_from_shapes_and_from_example_arrays() -> None:
    text = "X: 4x2\nW: 2x3\nb: 3\nH = X @ W + b"
    header = gd.parse(text)
    given = gd.parse("H = X @ W + b", shapes={"X": (4, 2), "W": (2, 3), "b": (3,)})
    traced = gd.trace(lambda X, W, b: X @ W + b,
                      example_args=(np.ones((4, 2)), np.ones((2, 3)), np.ones(3)))
    for g in (header, given, traced):
        assert [g.shape(x) for x in g.inputs] == [(4, 2), (2, 3), (3,)]
        assert g.shape(g.outputs[0]) == (4, 3)
        assert g.nx.nodes[g.output_ids[0]]["shape"] == (4, 3)


@pytest.mark.parametrize(("text", "shapes", "message"), [
    ("X @ W", {"X": (2, 3), "W": (2, 3)},
     "X @ W: (2, 3) @ (2, 3) — inner sizes 3 and 2 differ"),
    ("H + b", {"H": (4, 3), "b": (2,)}, "H + b: (4, 3) + (2,) — sizes 3 and 2 do not broadcast"),
    ("relu(X @ W) @ V", {"X": (2, 3), "W": (3, 4), "V": (2, 1)},
     "relu(X @ W) @ V: (2, 4) @ (2, 1) — inner sizes 4 and 2 differ"),
    ("mse(yhat, y)", {"yhat": (3, 1), "y": (3,)}, "mse(yhat, y): (3, 1), (3,) — the prediction"),
    ("tr(X)", {"X": (2, 3)}, "tr(X): (2, 3) — tr needs a square matrix, not 2×3"),
    ("sum(X, 2)", {"X": (2, 3)}, "axis 2 is out of range for a node of shape (2, 3)"),
    ("x.T", {}, "x.T: () — transpose needs a matrix, not a scalar"),
])
def test_shape_errors_name_the_node_the_op_and_both_shapes(text, shapes, message) -> None:
    with pytest.raises(gd.ShapeError) as info:
        gd.parse(text, shapes=shapes)
    assert message in str(info.value)
    assert info.value.line == 1 and info.value.column is not None
    assert info.value.shapes is not None and info.value.op is not None


def test_shape_errors_while_tracing() -> None:
    with pytest.raises(gd.ShapeError) as info:
        gd.trace(lambda X, W: gd.relu(X @ W) @ W, shapes={"X": (2, 3), "W": (3, 4)})
    assert str(info.value) == "relu(…) @ W: (2, 4) @ (3, 4) — inner sizes 4 and 3 differ"
    with pytest.raises(gd.ShapeError, match=r"X \+ b: \(2, 3\) \+ \(2,\)"):
        gd.trace(lambda X, b: X + b, shapes={"X": (2, 3), "b": (2,)})


def test_only_the_attribute_T_is_read() -> None:
    assert gd.parse("X.T", shapes={"X": (2, 3)}).formula("w2") == "X.T"
    assert gd.parse("transpose(X)", shapes={"X": (2, 3)}).shape("w2") == (3, 2)
    for text in ("X.real", "X.T.real", "X.shape", "X.__class__"):
        with pytest.raises(gd.ParseError) as info:
            gd.parse(text, shapes={"X": (2, 3)})
        assert info.value.code == "not_allowed"


@pytest.mark.parametrize("text", [
    "X: 2x3x4x5x6\nL = sum(X)", "X: 1000000x2\nL = sum(X)", "X: 2x0\nL = sum(X)",
    "X: 2x3\nX: 2x3\nL = sum(X)", "L = sum(X)\nX: 2x3", "X: 2x-3\nL = sum(X)",
    "X: 2x3.5\nL = sum(X)", "X: (2, 3)\nL = sum(X)",
])
def test_declarations_are_read_safely(text: str) -> None:
    with pytest.raises(gd.ParseError) as info:
        gd.parse(text)
    assert info.value.line is not None


def test_a_declaration_is_only_a_name_a_colon_and_sizes() -> None:
    with pytest.raises(gd.ParseError):  # a Python annotation is no declaration
        gd.parse("x: int\ny = x")
    assert gd.parse("# the data\nX: 2 × 3\n\nL = sum(X)").shape("X") == (2, 3)


# --- ops on plain arrays, printing -------------------------------------------------------


def test_tensor_functions_work_on_plain_arrays() -> None:
    A = np.arange(6.0).reshape(2, 3)
    assert gd.sum(A) == 15.0 and gd.sum(A, 0).tolist() == [3.0, 5.0, 7.0]
    assert gd.mean(A, -1).tolist() == [1.0, 4.0]
    np.testing.assert_allclose(gd.softmax(A).sum(axis=-1), [1.0, 1.0])
    assert gd.logsumexp(np.array([1000.0, 1000.0])) == pytest.approx(1000 + np.log(2))
    assert gd.cross_entropy(np.array([[1000.0, 0.0]]), np.array([[1.0, 0.0]])) == 0.0
    assert gd.bce_logits(np.array([-800.0]), np.array([0.0])) == 0.0
    with pytest.raises(gd.ShapeError, match="lengths 2 and 3 differ"):
        gd.dot(np.ones(2), np.ones(3))


def test_tensor_nodes_print_in_every_style() -> None:
    g = gd.parse("X: 2x2\nW: 2x3\nb: 3\nH = (X @ W + b).T\nL = sum(Y * (X @ W)) + sum(H, 0)",
                 shapes={"Y": (2, 3)})
    from graphdiff.printing import graph_text

    assert graph_text(g, style="text") == "sum(Y*(X @ W)) + sum((X @ W + b).T, -2)"
    # On the board: · is the matrix product and ⊙ the entrywise product of two tensors.
    assert graph_text(g, style="unicode") == "sum(Y ⊙ (X·W)) + sum((X·W + b)ᵀ, −2)"
    assert graph_text(g, style="latex").startswith("\\operatorname{sum}\\left(Y \\odot "
                                                   "\\left(X W\\right)\\right)")
    assert graph_text(gd.parse("X: 2x2\nsum(2*X)"), style="unicode") == "sum(2·X)"
    again = gd.parse(graph_text(g, style="answer"),
                     shapes={"X": (2, 2), "W": (2, 3), "b": (3,), "Y": (2, 3)})
    at = {"X": np.eye(2), "W": np.ones((2, 3)), "b": np.ones(3), "Y": np.ones((2, 3))}
    assert again.evaluate(at) == pytest.approx(g.evaluate(at))


def test_scalar_methods_take_tensor_graphs_through_the_registry() -> None:
    g = gd.parse("X: 2x2\nL = sum(X)")
    for method in ("paths", "symbolic"):
        assert METHODS[method].tensors == "entries"
        assert gd.grad(g, {"X": np.eye(2)}, method=method)["X"].tolist() == [[1, 1], [1, 1]]
    refusing = dataclasses.replace(METHODS["symbolic"], tensors="refuse")
    with pytest.raises(gd.GraphdiffError, match=r"the symbolic method works on scalar "
                       r"graphs.*reverse_graph.*scalarize"):
        refusing.differentiate(g, None, "L")
    with pytest.raises(gd.GraphdiffError, match="paths works on scalar graphs"):
        gd.paths(g, "X")
    assert gd.symbolic_diff(g, "X") == sympy.Matrix([[1, 1], [1, 1]])
    with pytest.raises(gd.GraphdiffError, match="symbolic reverse mode"):
        gd.reverse(g)
    assert gd.grad(g, {"X": np.eye(2)}, method="forward")["X"].tolist() == [[1, 1], [1, 1]]
    smooth = gd.parse("X: 2x3\nW: 3x2\nL = sum(tanh(X @ W))")
    at = {"X": np.arange(6.0).reshape(2, 3) / 10, "W": np.ones((3, 2)) / 3}
    numeric, exact = gd.grad(smooth, at, method="numeric"), gd.grad(smooth, at)
    for name in ("X", "W"):
        np.testing.assert_allclose(numeric[name], exact[name], rtol=1e-7)


def test_the_reverse_table_shows_shapes_and_matrix_rules() -> None:
    g = gd.parse("X: 2x2\nW: 2x3\nY: 2x3\nZ = X @ W\nL = mse(Z, Y)")
    at = {"X": np.eye(2), "W": np.ones((2, 3)), "Y": np.zeros((2, 3))}
    table = gd.reverse(g, at=at).table()
    assert "Z [2×3] = X·W" in table and "X̄ = Z̄·Wᵀ" in table and "W̄ = Xᵀ·Z̄" in table
    assert "Ż = Ẋ·W + X·Ẇ" in gd.forward(g, at=at, direction={"X": np.eye(2)}).table()


def test_default_axis_is_all_and_axes_are_negative() -> None:
    g = gd.parse("X: 2x3\nL = sum(X) + sum(sum(X, 0))")
    sums = [n for n in g.order if g.op(n) is OPS["sum"]]
    assert [g.args(n)[1] for n in sums] == [ALL, -2, ALL]
    assert [g.formula(n) for n in sums] == ["sum(X)", "sum(X, -2)", "sum(w3)"]


@pytest.mark.parametrize(("shapes", "expected"), [
    ({"a": (3,), "b": (3, 4)}, (4,)),
    ({"a": (2, 3), "b": (3,)}, (2,)),
    ({"a": (3,), "b": (3,)}, ()),
    ({"a": (5, 2, 3), "b": (3,)}, (5, 2)),
    ({"a": (3,), "b": (5, 3, 4)}, (5, 4)),
])
def test_matmul_with_vectors_follows_numpy(shapes: dict, expected: tuple) -> None:
    g = gd.parse("c = a @ b", shapes=shapes)
    assert g.shape("c") == expected
    rng = np.random.default_rng(7)
    at = {name: rng.normal(size=shape) for name, shape in shapes.items()}
    np.testing.assert_allclose(g.evaluate(at), at["a"] @ at["b"], rtol=1e-12)
    loss = gd.parse("L = sum(sin(a @ b))", shapes=shapes)
    exact, numeric = gd.grad(loss, at), gd.grad(loss, at, method="numeric")
    for name in shapes:
        np.testing.assert_allclose(exact[name], numeric[name], rtol=1e-6, atol=1e-9)


def test_matmul_refuses_a_scalar_and_unequal_inner_sizes() -> None:
    with pytest.raises(gd.ShapeError, match="the left operand is a scalar"):
        gd.parse("x @ A", shapes={"A": (2, 2)})
    with pytest.raises(gd.ShapeError, match="inner sizes 3 and 2 differ"):
        gd.parse("x @ A", shapes={"x": (3,), "A": (2, 2)})


def test_the_quadratic_form_has_gradient_a_plus_a_transpose_x() -> None:
    g = gd.parse("x: 3\nA: 3x3\nq = x @ A @ x")
    rng = np.random.default_rng(3)
    x, A = rng.normal(size=3), rng.normal(size=(3, 3))
    gradient = gd.grad(g, {"x": x, "A": A})
    np.testing.assert_allclose(gradient["x"], (A + A.T) @ x, rtol=1e-12)
    np.testing.assert_allclose(gradient["A"], np.outer(x, x), rtol=1e-12)


@pytest.mark.parametrize(("sizes", "shape"), [
    ("6", (6,)), ("3, 2", (3, 2)), ("-1", (6,)), ("1, -1", (1, 6)), ("3, 1, 2", (3, 1, 2)),
])
def test_reshape_takes_static_sizes(sizes: str, shape: tuple) -> None:
    g = gd.parse(f"X: 2x3\nY = reshape(X, {sizes})\nL = sum(Y * Y)")
    assert g.shape("Y") == shape
    X = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(g.values({"X": X})[g.id("Y")], X.reshape(shape))
    np.testing.assert_allclose(gd.grad(g, {"X": X})["X"], 2 * X)
    assert gd.reshape(X, 3, 2).tolist() == X.reshape(3, 2).tolist()


@pytest.mark.parametrize(("sizes", "message"), [
    ("4", "cannot reshape 6 entries (2, 3) into (4,)"),
    ("-1, -1", "one of them -1"),
    ("0, 6", "positive"),
])
def test_reshape_refuses_sizes_that_do_not_fit(sizes: str, message: str) -> None:
    with pytest.raises(gd.ShapeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        gd.parse(f"X: 2x3\nreshape(X, {sizes})")


def test_a_tensor_op_with_a_domain_parses_from_text() -> None:
    g = gd.parse("X: 2x2\nY = inv(X)\nL = logdet(X) + det(Y)")
    assert g.evaluate(X=[[2.0, 0.0], [0.0, 4.0]]) == pytest.approx(np.log(8) + 1 / 8)


# --- edge labels: every op's VJP printed from the registry ---------------------------------------


@pytest.mark.parametrize("name", ALL_OPS)
def test_every_op_labels_its_matrix_edges_with_a_printed_vjp(name: str) -> None:
    """Each op's edges get a VJP label in every style, from its registry entry alone, and
    the label names the cotangent wherever a gradient flows (a new op is covered here)."""
    from .tensor_cases import example_case

    op = OPS[name]
    shapes, static = example_case(op)
    g = _graph(name, shapes, static)
    out = g.outputs[0]
    for u in g.inputs:
        for style in ("unicode", "latex"):
            label = g.edge_vjp(u, out, style, cotangent="G")
            assert label, (name, u, style)
            flows = (op.vjps is None or
                     op.vjps[g.args(out).index(g.id(u))] is not gd.ops.NO_GRADIENT)
            if flows and label != "0":
                assert "G" in label, (name, u, style, label)
