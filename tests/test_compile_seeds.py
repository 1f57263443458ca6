"""Seeds given at each call: ``compile(g, jvp=[...] | True)`` and its vjp, hvp kin.

The code of a per-call seed takes it as an input (``ẋ``, ``ȳ``); it must give what the
code with that seed compiled in gives, at one point and row by row in a batch, on every
backend, and on tensor graphs what the interpreted sweeps give.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphdiff as gd

from .test_compile import CALLED, POINTS, random_graphs

# Nonzero: a seed 0 compiled in is exact and drops its terms (a derivative graph leaves out
# what a structural zero multiplies, inf included); a 0.0 given at a call is a number, and
# 0.0 times an infinite partial is nan, as IEEE says (docs/compile.md).
SEEDS = st.tuples(*(st.sampled_from([-2.0, -0.5, 1.0, 3.0]) for _ in range(3)))


def _same(a: object, b: object) -> None:
    """Equal to rounding, nan where nan, structure for structure."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys()
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def _compiled_in(g: gd.Graph, kind: str, seeds: dict[str, float], backend: str) -> object:
    return gd.compile(g, backend=backend, **{kind: seeds})


@pytest.mark.parametrize("backend", CALLED)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=random_graphs(), point=POINTS, seeds=SEEDS)
def test_seeds_at_each_call_give_what_compiled_in_seeds_give(
        g: gd.Graph, point: tuple[float, float, float], seeds: tuple[float, float, float],
        backend: str) -> None:
    at = dict(zip(g.inputs, point, strict=True))
    for kind, names in (("jvp", g.inputs), ("hvp", g.inputs), ("vjp", g.outputs)):
        given = dict(zip(names, seeds, strict=False))
        try:
            fixed = _compiled_in(g, kind, given, backend)
            with np.errstate(all="ignore"):
                expected = fixed(**at)
        except gd.DomainError as err:  # the same error, naming the same node
            with pytest.raises(gd.DomainError, match=re.escape(str(err).split(" at ")[0])):
                gd.compile(g, backend=backend, **{kind: True})(at, given)
            continue
        f = gd.compile(g, backend=backend, **{kind: True})
        assert f.seeds == tuple(names)
        with np.errstate(all="ignore"):
            _same(f(at, given), expected)
            by_array = f(np.array(point), np.array([given[n] for n in names]))
        _same(by_array[0], expected[0])


@pytest.mark.parametrize("backend", CALLED)
def test_a_batch_takes_one_seed_per_row(backend: str) -> None:
    g = gd.parse("s = x*sin(y) + exp(x*y)\np = x**3/y", outputs=["s", "p"])
    rng = np.random.default_rng(7)
    points = rng.uniform(0.5, 1.5, size=(6, 2))
    directions = rng.normal(size=(6, 2))
    jvp = gd.compile(g, jvp=True, backend=backend)
    values, tangents = jvp(points, directions)
    vjp = gd.compile(g, vjp=["p", "s"], backend=backend)       # the seeds in this order
    _, cotangents = vjp(points, directions)
    hvp = gd.compile(g, hvp=["y"], output="s", backend=backend)  # x's direction is 0
    _, _, hv = hvp(points, directions[:, :1])
    for k in range(6):
        at = dict(zip(g.inputs, points[k], strict=True))
        one = gd.jvp(g, at, dict(zip(g.inputs, directions[k], strict=True)))
        np.testing.assert_allclose([values[0][k], values[1][k]], one[0], rtol=1e-12)
        np.testing.assert_allclose([tangents[0][k], tangents[1][k]], one[1], rtol=1e-12)
        back = gd.vjp(g, at, dict(zip(["p", "s"], directions[k], strict=True)))[1]
        np.testing.assert_allclose(cotangents[k], [back["x"], back["y"]], rtol=1e-12)
        hessian = gd.hessian(g, at, output="s")
        np.testing.assert_allclose(hv[k], hessian @ [0.0, directions[k, 0]], rtol=1e-10,
                                   atol=1e-12)
    # one point with a batch of directions broadcasts (a Jacobian, column by column)
    _, columns = jvp(points[0], np.eye(2))
    jacobian = gd.jacobian(g, dict(zip(g.inputs, points[0], strict=True)))
    np.testing.assert_allclose(np.array(columns), jacobian, rtol=1e-12)


def test_a_tensor_graph_takes_array_seeds_at_each_call() -> None:
    g = gd.parse("L = sum(sigmoid(X @ W + b)*2) + sum(log(W*W))",
                 shapes={"X": (4, 3), "W": (3, 2), "b": (2,)})
    rng = np.random.default_rng(11)
    at = {"X": rng.normal(size=(4, 3)), "W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    direction = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    value, tangent = gd.compile(g, jvp=["W", "b"])(at, direction)
    assert (value, tangent) == pytest.approx(gd.jvp(g, at, direction), rel=1e-10)
    value, cotangent = gd.compile(g, vjp=True)(at, {"L": 3.0})
    for x, d in gd.grad(g, at=at).items():
        np.testing.assert_allclose(cotangent[x], 3.0 * d, rtol=1e-10)
    _, _, hv = gd.compile(g, hvp=["W", "b"])(at, direction)
    step, f = 1e-5, gd.compile(g, grad=True)
    ahead = f(**{k: at[k] + step * direction.get(k, 0) for k in at})[1]
    behind = f(**{k: at[k] - step * direction.get(k, 0) for k in at})[1]
    for x in g.inputs:
        np.testing.assert_allclose(hv[x], (ahead[x] - behind[x]) / (2 * step), rtol=1e-6,
                                   atol=1e-6)


def test_wrong_seeds_are_told() -> None:
    g = gd.parse("x*y")
    f = gd.compile(g, jvp=True)
    with pytest.raises(gd.GraphdiffError, match=r"f\(point, seeds\)"):
        f(x=1.0, y=2.0)
    with pytest.raises(gd.GraphdiffError, match="missing y"):
        f({"x": 1.0, "y": 2.0}, {"x": 1.0})
    with pytest.raises(gd.GraphdiffError, match="no seed for z"):
        f({"x": 1.0, "y": 2.0}, {"x": 1.0, "y": 0.0, "z": 1.0})
    with pytest.raises(gd.GraphdiffError, match="both by name or both as arrays"):
        f({"x": 1.0, "y": 2.0}, [1.0, 0.0])
    with pytest.raises(gd.GraphdiffError, match=r"one entry per seed \(2: x, y\)"):
        f([1.0, 2.0], [1.0])
    with pytest.raises(gd.GraphdiffError, match="not an input"):
        gd.compile(g, jvp=["w3"])
    with pytest.raises(gd.GraphdiffError, match="distinct"):
        gd.compile(g, jvp=["x", "x"])
    with pytest.raises(gd.GraphdiffError, match="has a node of that name"):
        gd.compile(gd.parse("x*2 + ẋ"), jvp=["x"])
    assert gd.compile(g, jvp="x")({"x": 2.0, "y": 3.0}, {"x": 1.0}) == (6.0, 3.0)
    assert gd.compile(g, jvp=False)(x=2.0, y=3.0) == 6.0        # False: no jvp asked
