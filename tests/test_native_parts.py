"""Native code in parts (graphdiff.native.LLVM_CHUNK): a program longer than a part is cut
into functions that pass the values crossing between them through a memory buffer.  Cut
anywhere, it computes the same numbers, bit for bit, as in one function -- at one point, in
the scalar batch and in the SIMD batch -- flags the same first row, and the compiled
function names the same node in a domain error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphdiff as gd

from .test_compile import POINTS, random_graphs

pytest.importorskip("llvmlite", reason="the llvm backend needs llvmlite")
native = pytest.importorskip("graphdiff.native")


@contextmanager
def parts_of(chunk: int, block: int = native.LLVM_BLOCK, simd: str = "off") -> Iterator[None]:
    """Native code made meanwhile comes in parts of ``chunk`` nodes, basic blocks of
    ``block``, with the SIMD batch ``simd``."""
    saved = native.LLVM_CHUNK, native.LLVM_BLOCK, native.LLVM_SIMD
    native.LLVM_CHUNK, native.LLVM_BLOCK, native.LLVM_SIMD = chunk, block, simd
    try:
        yield
    finally:
        native.LLVM_CHUNK, native.LLVM_BLOCK, native.LLVM_SIMD = saved


def run(function: Callable[[np.ndarray], np.ndarray], given: np.ndarray) -> np.ndarray | int:
    """The outputs, or -1 - the first flagged row (-1 at a point)."""
    try:
        return function(given)
    except native.Flagged as flagged:
        return -1 - int(flagged.args[0] if flagged.args else 0)


def same(a: np.ndarray | int, b: np.ndarray | int) -> None:
    if isinstance(a, int) or isinstance(b, int):
        assert a == b
    else:  # bit for bit, nan for nan
        np.testing.assert_array_equal(a, b)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=random_graphs(), points=st.lists(POINTS, min_size=1, max_size=19),
       chunk=st.integers(1, 7), block=st.integers(1, 4), simd=st.sampled_from(["off", "auto"]))
def test_code_in_parts_computes_what_the_code_in_one_does(
        g: gd.Graph, points: list[tuple[float, ...]], chunk: int, block: int, simd: str) -> None:
    try:
        program = gd.reverse_graph(g, values=True)
    except gd.DomainError:  # (0**x: the derivative graph is refused, as compile refuses it)
        return
    rows = np.array(points)
    with parts_of(len(program) + 1, simd=simd):
        _, one_point, one_batch, _ = native.llvm_functions(program)
    with parts_of(chunk, block, simd):
        _, parts_point, parts_batch, source = native.llvm_functions(program)
    if len(program) > chunk:
        assert "define internal i32 @point.1(" in source
    with np.errstate(all="ignore"):
        same(run(parts_batch, rows), run(one_batch, rows))
        for row in rows:
            same(run(parts_point, row), run(one_point, row))


def test_a_long_program_in_parts_agrees_with_the_interpreter_and_names_the_node() -> None:
    text = "log(x - y) * sin(x*y) + sqrt(y) * tanh(x) + exp(x / (y + 3)) + x**3 * cos(y)"
    with parts_of(4, 2, simd="auto"):
        f = gd.compile(gd.parse(text), grad=True, backend="llvm")
        rows = np.random.default_rng(7).uniform(0.5, 2.0, size=(21, 2))
        rows[:, 0] += 2.0  # x > y: inside log's domain
        value, gradient = f(rows)
        for k, (x, y) in enumerate(rows):
            expected = gd.grad(gd.parse(text), at={"x": x, "y": y})
            np.testing.assert_allclose(value[k], gd.parse(text).evaluate(x=x, y=y),
                                       rtol=1e-13)
            np.testing.assert_allclose(gradient[k], [expected["x"], expected["y"]],
                                       rtol=1e-12)
            point_value, point_gradient = f(x=x, y=y)  # (libmvec's last ulp aside)
            np.testing.assert_allclose([point_value, point_gradient["x"], point_gradient["y"]],
                                       [value[k], *gradient[k]], rtol=1e-13)
        assert "@point.5" in f.source()
        rows[13, 0] = rows[13, 1] - 1.0  # log of -1 in row 13
        with pytest.raises(gd.DomainError, match=r"log of a non-positive number at w\d+.*"
                                                 r"first at batch index 13"):
            f(rows)
        with pytest.raises(gd.DomainError, match="log of a non-positive number"):
            f(x=1.0, y=2.0)


@pytest.mark.parametrize("at", [0, 1, 2])
def test_a_checked_node_that_starts_a_basic_block_compiles(at: int) -> None:
    """A basic block's label and a domain check's flag were both named ``%b{node}``: a
    checked node (here log) at a multiple of LLVM_BLOCK made IR that LLVM refused to parse
    (a RuntimeError from compile), in one function and in parts."""
    def chain(x: gd.Tracer) -> gd.Tracer:
        for _ in range(native.LLVM_BLOCK - 1 + at):
            x = gd.sin(x)
        return gd.log(x)

    g = gd.trace(chain)
    assert g.op(native.LLVM_BLOCK + at).name == "log"
    for chunk in (native.LLVM_CHUNK, native.LLVM_BLOCK + at, 7):
        with parts_of(chunk, simd="auto"):
            f = gd.compile(g, grad=True, backend="llvm")
            value, gradient = f(x=1.0)
            assert value == g.evaluate(x=1.0)
            np.testing.assert_allclose(gradient["x"], gd.grad(g, at={"x": 1.0})["x"],
                                       rtol=1e-12)
            values, _ = f(np.full((11, 1), 1.0))
            np.testing.assert_allclose(values, value, rtol=1e-13)
            with pytest.raises(gd.DomainError, match="log of a non-positive number"):
                f(x=-1.0)
