"""Every op of the table: value and each partial against sympy and finite differences.

The tests iterate over ``OPS``: a new op without a sampling domain here fails
``test_every_op_has_a_domain``, so it cannot slip in untested.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import graphdiff as gd
from graphdiff.ops import NUMPY, OPS, SYMPY

# Where each op is sampled comes from the registry itself: points in SMOOTH for every
# argument, inside the op's domain (``Op.domain``) and at least KINK_MARGIN away from the
# zeros of its switching expressions (``Op.kinks``: kinks, jumps, poles, branch points).
# A new op needs no entry here, so it cannot slip in untested.
SMOOTH = (-3.0, 3.0)
KINK_MARGIN = 0.1


def _usable(name: str, args: tuple[float, ...]) -> bool:
    op = OPS[name]
    values = tuple(map(np.float64, args))
    with np.errstate(all="ignore"):
        if op.domain is not None and np.any(op.domain(*values)):
            return False
        if op.kinks is not None:
            return all(abs(float(k)) >= KINK_MARGIN for k in op.kinks(NUMPY, *values))
    return True


def _points(name: str) -> st.SearchStrategy[tuple[float, ...]]:
    arity = OPS[name].arity
    return st.tuples(*(st.floats(*SMOOTH) for _ in range(arity))).filter(
        lambda args: _usable(name, args))


def _near_kink(name: str, args: tuple[float, ...]) -> bool:
    return not _usable(name, args)


def sample_point(name: str, rng: np.random.Generator) -> tuple[float, ...]:
    """A random usable point for ``name`` (inside the domain, away from kinks)."""
    for _ in range(10_000):
        args = tuple(float(a) for a in rng.uniform(*SMOOTH, size=OPS[name].arity))
        if _usable(name, args):
            return args
    raise AssertionError(f"no usable point found for {name}")


#: The elementwise ops, whose scalar partials this module checks.  Tensor ops (a shape
#: rule, VJP and JVP rules instead of scalar partials) are checked at random shapes by
#: tests/test_tensors.py, against central differences, batched and not.
SCALAR_OPS = sorted(name for name, op in OPS.items() if op.elementwise)


def test_every_op_has_one_partial_per_argument() -> None:
    for op in OPS.values():
        assert op.arity == len(op.partials)


SYMBOLS = sympy.symbols("a b", real=True)


@pytest.mark.parametrize("name", SCALAR_OPS)
@given(data=st.data())
def test_value_matches_sympy(name: str, data: st.DataObject) -> None:
    op = OPS[name]
    args = data.draw(_points(name))
    numeric = float(op.numpy(*map(np.float64, args)))
    symbolic = float(op.sympy(*(sympy.Float(a, 30) for a in args)).evalf(20))
    assert numeric == pytest.approx(symbolic, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", SCALAR_OPS)
@given(data=st.data())
def test_partials_match_sympy_diff(name: str, data: st.DataObject) -> None:
    op = OPS[name]
    args = data.draw(_points(name))
    if _near_kink(name, args):
        return
    syms = SYMBOLS[: op.arity]
    expr = op.sympy(*syms)
    point = dict(zip(syms, (sympy.Float(a, 30) for a in args), strict=True))
    out_value = op.numpy(*map(np.float64, args))
    for position, rule in enumerate(op.partials):
        reference = sympy.diff(expr, syms[position])
        # Heaviside/sign from differentiating Max, Abs, Piecewise are exact away
        # from the kink; DiracDelta terms vanish there.
        reference = reference.subs(sympy.DiracDelta(syms[0]), 0)
        exact = sympy.N(reference.subs(point), 20) if reference.free_symbols else reference
        with np.errstate(all="ignore"):
            numeric = float(rule(NUMPY, *map(np.float64, args), out_value))
        if not exact.is_real:  # d(a**b)/db = a**b*log(a) has no real value for a < 0
            assert not math.isfinite(numeric), (name, position, args)
            continue
        expected = float(exact)
        assert numeric == pytest.approx(expected, rel=1e-9, abs=1e-12), (name, position)
        # The symbolic rule (in the op's arguments and output) agrees too.
        out_symbol = sympy.Symbol("out")
        symbolic_rule = sympy.sympify(rule(SYMPY, *syms, out_symbol)).subs(out_symbol, expr)
        value = float(sympy.N(symbolic_rule.subs(point), 20))
        assert value == pytest.approx(expected, rel=1e-9, abs=1e-12), (name, position)


@pytest.mark.parametrize("name", SCALAR_OPS)
@given(data=st.data())
def test_partials_match_central_differences(name: str, data: st.DataObject) -> None:
    op = OPS[name]
    args = data.draw(_points(name))
    h = 1e-6
    # Keep every sample of the difference away from kinks.
    if any(_near_kink(name, tuple(a + s for a in args)) for s in (-10 * h, 0, 10 * h)):
        return
    out_value = op.numpy(*map(np.float64, args))
    for position, rule in enumerate(op.partials):
        plus, minus = list(args), list(args)
        plus[position] += h
        minus[position] -= h
        difference = (op.numpy(*map(np.float64, plus)) - op.numpy(*map(np.float64, minus))) / (
            2 * h
        )
        scale = max(1.0, abs(float(out_value)))
        assert float(rule(NUMPY, *map(np.float64, args), out_value)) == pytest.approx(
            float(difference), abs=1e-6 * scale
        ), (name, position)


# --- conventions at the kinks (documented in graphdiff.ops) ---------------------------


def _partial(name: str, *args: float, position: int = 0) -> float:
    op = OPS[name]
    return float(op.partials[position](NUMPY, *map(np.float64, args), op.numpy(*args)))


def test_step_value_convention_is_seed_002() -> None:
    assert float(OPS["step"].numpy(0.0)) == 1.0
    assert float(OPS["step"].numpy(-1e-300)) == 0.0


@pytest.mark.parametrize(
    ("name", "args", "position", "expected"),
    [
        ("relu", (0.0,), 0, 0.0),
        ("relu", (2.0,), 0, 1.0),
        ("relu", (-2.0,), 0, 0.0),
        ("leaky_relu", (0.0, 0.1), 0, 0.1),
        ("leaky_relu", (-3.0, 0.1), 1, -3.0),
        ("leaky_relu", (3.0, 0.1), 1, 0.0),
        ("abs", (0.0,), 0, 0.0),
        ("abs", (-2.0,), 0, -1.0),
        ("max", (1.0, 1.0), 0, 1.0),
        ("max", (1.0, 1.0), 1, 0.0),
        ("min", (1.0, 1.0), 0, 1.0),
        ("min", (1.0, 1.0), 1, 0.0),
        ("step", (0.0,), 0, 0.0),
        ("sign", (0.0,), 0, 0.0),
    ],
)
def test_kink_conventions(name: str, args: tuple[float, ...], position: int,
                          expected: float) -> None:
    assert _partial(name, *args, position=position) == expected


def test_relu_and_max_zero_agree_at_zero() -> None:
    g_relu = gd.parse("relu(z)")
    g_max = gd.parse("max(0, z)")
    for g in (g_relu, g_max):
        values = g.values(z=0.0)
        assert float(g.edge_derivative_value("z", g.outputs[0], values)) == 0.0


def test_sigmoid_is_stable_for_large_arguments() -> None:
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values = OPS["sigmoid"].numpy(z)
    assert np.all(np.isfinite(values))
    assert values[0] == 0.0 and values[-1] == 1.0 and values[2] == 0.5
    assert math.isclose(values[1], math.exp(-50), rel_tol=1e-12)


def test_namespaces_provide_every_op() -> None:
    for name in OPS:
        assert callable(getattr(NUMPY, name))
        assert callable(getattr(SYMPY, name))


def test_op_formats() -> None:
    assert OPS["pow"].format(["c", "2"], "unicode") == "c²"
    assert OPS["pow"].format(["c", "y"], "unicode") == "c^y"
    assert OPS["div"].format(["a", "b"], "latex") == "\\frac{a}{b}"
    assert OPS["sigmoid"].format(["z"], "unicode") == "σ(z)"
