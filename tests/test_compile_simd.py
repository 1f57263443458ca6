"""The native batch's SIMD path (graphdiff.native.generate_llvm_simd): whole blocks of rows
as vectors through libmvec, the rest by the scalar point; the same values as the scalar
loop and the interpreter to rounding, the same first flagged row, and the scalar loop where
the host, the switch or an op's code has no vector form."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphdiff as gd
import graphdiff.native as native

from .test_compile import POINTS, _scale, op_graph, points_of, random_graphs
from .test_ops import SCALAR_OPS

pytest.importorskip("llvmlite")
llvm = pytest.importorskip("llvmlite.binding")
native._host_simd(llvm)  # noqa: SLF001 - what this host has, whatever LLVM_SIMD says
WIDTHS = [w for w in native._HOST[0][0] if native._HOST[0][1]]  # noqa: SLF001
pytestmark = pytest.mark.skipif(not WIDTHS, reason="no AVX2/AVX-512 with libmvec here")
#: libmvec's functions are within 4 ulp of libm's: the two agree to this.
RTOL = 1e-12
OPS_WITH_LLVM = [n for n in SCALAR_OPS if "llvm" in gd.OPS[n].code]


def native_batch(program: gd.Graph, simd: str,
                 gather_from: int = native.LLVM_GATHER_FROM
                 ) -> Callable[[np.ndarray], np.ndarray]:
    """The native batch function of ``program`` with ``LLVM_SIMD`` set to ``simd`` (and
    ``LLVM_GATHER_FROM``), compiled now."""
    saved = native.LLVM_SIMD, native.LLVM_GATHER_FROM
    native.LLVM_SIMD, native.LLVM_GATHER_FROM = simd, gather_from
    try:
        batch = native.llvm_functions(program)[2]  # noqa: SLF001
        batch(np.zeros((8, len(program.input_ids))))  # (the SIMD code is made on first use)
        return batch
    except native.Flagged:  # noqa: SLF001
        return batch
    finally:
        native.LLVM_SIMD, native.LLVM_GATHER_FROM = saved


def outputs(batch: Callable[[np.ndarray], np.ndarray], rows: np.ndarray) -> np.ndarray | int:
    """The outputs of the rows, or the first flagged row."""
    try:
        return batch(rows)
    except native.Flagged as flagged:  # noqa: SLF001
        return int(flagged.args[0])


def sizes(width: int) -> Iterator[int]:
    yield from (1, width - 1, width, width + 1, 3 * width + 2)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", OPS_WITH_LLVM)
def test_every_op_in_simd_as_scalar_and_interpreted(name: str, width: int) -> None:
    g = op_graph(name)
    program = gd.reverse_graph(g, values=True)
    vector, scalar = native_batch(program, str(width)), native_batch(program, "off")
    libmvec = native._host_simd(llvm)[1]  # noqa: SLF001 - (and vectors, not the fallback)
    assert native._llvm_simd(llvm, program, width, libmvec) is not None  # noqa: SLF001
    rows = np.array(points_of(name, 3 * width + 2, seed=3))
    got, alone = outputs(vector, rows), outputs(scalar, rows)
    assert not isinstance(got, int) and not isinstance(alone, int)
    np.testing.assert_allclose(got, alone, rtol=RTOL, atol=RTOL)
    at = {x: rows[:, k] for k, x in enumerate(g.inputs)}
    expected = [g.evaluate(at), *(gd.grad(g, at=at)[x] for x in g.inputs)]
    np.testing.assert_allclose(got, np.stack(np.broadcast_arrays(*expected), axis=1),
                               rtol=1e-9, atol=1e-9)
    for count in sizes(width):  # whole blocks as vectors, the rows left over as scalars
        whole = count - count % width
        np.testing.assert_array_equal(outputs(vector, rows[:count]),
                                      np.concatenate([got[:whole], alone[whole:count]]))


@pytest.mark.parametrize("width", WIDTHS)
def test_a_flagged_row_inside_a_vector_block_is_found(width: int) -> None:
    g = gd.parse("log(x - y) + sqrt(y)")
    program = gd.reverse_graph(g, values=True)
    vector, scalar = native_batch(program, str(width)), native_batch(program, "off")
    for count in (width + 1, 1001):
        rows = np.tile([3.0, 2.0], (count, 1))
        for bad in {0, width // 2, width - 1, width, count - 1}:
            flagged = rows.copy()
            flagged[bad] = (1.0, 2.0)
            assert outputs(vector, flagged) == outputs(scalar, flagged) == bad
    f = gd.compile(gd.parse("log(x - y) + sqrt(y)"), grad=True, backend="llvm")
    rows = np.tile([3.0, 2.0], (3 * width, 1))
    rows[width + 2] = (1.0, 2.0)
    with pytest.raises(gd.DomainError, match=rf"non-positive number at w5: .*\(first at "
                                             rf"batch index {width + 2}\)"):
        f(rows)


@pytest.mark.parametrize("gather_from", [native.LLVM_GATHER_FROM, 1])  # lanes, gathers
@pytest.mark.parametrize("width", WIDTHS)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=random_graphs(), points=st.lists(POINTS, min_size=1, max_size=20))
def test_random_graphs_in_simd_as_scalar(g: gd.Graph, points: list[tuple[float, ...]],
                                         width: int, gather_from: int) -> None:
    try:
        program = gd.reverse_graph(g, values=True)
    except gd.DomainError:  # (0**x: the derivative graph is refused, as compile refuses it)
        return
    rows = np.array(points)
    vector = native_batch(program, str(width), gather_from)
    scalar = native_batch(program, "off")
    with np.errstate(all="ignore"):
        got, wanted = outputs(vector, rows), outputs(scalar, rows)
    if isinstance(wanted, int) or isinstance(got, int):
        # the same first flagged row (a vector block flagged is rerun by the scalar point)
        assert got == wanted
        return
    scale = _scale(g, {name: rows[:, k] for k, name in enumerate("xyz")})
    np.testing.assert_allclose(got, wanted, rtol=RTOL, atol=RTOL * (1 + scale))


@pytest.mark.parametrize("width", WIDTHS)
def test_a_wide_program_gathers_and_scatters(width: int) -> None:
    n = native.LLVM_GATHER_FROM + 6
    g = gd.trace(lambda *xs: sum(gd.sin(a) * b for a, b in itertools.pairwise(xs)),
                 inputs=[f"x{i}" for i in range(n)])
    program = gd.reverse_graph(g, values=True)
    rows = np.random.default_rng(2).uniform(-1, 1, size=(2 * width + 3, n))
    got = native_batch(program, str(width))(rows)
    np.testing.assert_allclose(got, native_batch(program, "off")(rows), rtol=RTOL, atol=RTOL)
    source = native.generate_llvm_simd(program, width)
    assert source is not None and "masked.gather" in source and "masked.scatter" in source
    gradient = gd.grad(g, at={f"x{i}": rows[:, i] for i in range(n)})
    np.testing.assert_allclose(got[:, 1:], np.stack([gradient[f"x{i}"] for i in range(n)], 1),
                               rtol=1e-9, atol=1e-9)


def test_the_switch_and_ops_without_a_vector_form_keep_the_scalar_loop(
        monkeypatch: pytest.MonkeyPatch) -> None:
    program = gd.reverse_graph(gd.parse("tanh(x)*y"), values=True)
    rows = np.random.default_rng(0).uniform(-2, 2, size=(21, 2))
    called: list[int] = []
    real = native.generate_llvm_simd

    def counted(*args: object, **kwargs: object) -> str | None:
        called.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(native, "generate_llvm_simd", counted)
    off = native_batch(program, "off")(rows)
    assert not called
    on = native_batch(program, "auto")(rows)
    assert called
    np.testing.assert_allclose(on, off, rtol=RTOL)
    monkeypatch.setattr(native, "LLVM_SIMD", "16")
    with pytest.raises(gd.GraphdiffError, match="'auto', 'off', '4' or '8', not '16'"):
        gd.compile(gd.parse("x*y + 1"), backend="llvm")(np.ones((9, 2)))
    # an instruction of other types (an integer) has no vector form: the whole batch runs
    # the scalar loop; a C function libmvec has not runs per lane
    gd.define_op("chop", numpy=np.trunc, sympy=sympy.floor, partials=[lambda m, z, out: 0],
                 code={"llvm": ("fptosi double {0} to i64", "sitofp i64 {t0} to double")})
    gd.define_op("lgam", numpy=lambda z: np.vectorize(__import__("math").lgamma)(z),
                 sympy=sympy.loggamma, partials=[lambda m, z, out: 0],
                 code={"llvm": "call double @lgamma(double {0})"})
    try:
        gd.define_op("odd", numpy=np.sin, sympy=sympy.sin, partials=[lambda m, z, out: 0],
                     code={"llvm": "tail call double @sin(double {0})"})
        for text, vectorized in (("chop(x)*y", False), ("lgam(x)*y", True),
                                 ("odd(x)*y", False)):
            program = gd.reverse_graph(gd.parse(text), values=True)
            source = real(program, 4)
            assert (source is not None) == vectorized
            if vectorized:
                assert "call double @lgamma(double %v2.e3.0)" in source
            rows = np.abs(rows) + 0.5
            monkeypatch.setattr(native, "LLVM_SIMD", "auto")
            np.testing.assert_allclose(native_batch(program, "auto")(rows),
                                       native_batch(program, "off")(rows), rtol=RTOL)
    finally:
        for name in ("chop", "lgam", "odd"):
            gd.undefine_op(name)
