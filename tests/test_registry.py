"""The op registry is the only place an op is described: every column, checked for every op.

Each test iterates over ``OPS``; a new op (built in or added with ``define_op``) is checked
column by column without an entry here.  What each column is for is in ``graphdiff.ops.Op``.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy

import graphdiff as gd
from graphdiff.checker import read_answer
from graphdiff.checker.student.vocabulary import function_words, latex_functions
from graphdiff.ops import (
    FUNCTION_ALIASES,
    FUNCTIONS,
    MPMATH,
    NUMPY,
    OPS,
    MPDomainError,
    is_function,
)

from .tensor_cases import example_case
from .test_ops import SCALAR_OPS, sample_point

FUNCTION_OPS = sorted(name for name, op in OPS.items() if is_function(op))
#: The elementwise ops.  The checker reads, compares and re-evaluates scalar answers at
#: high precision; tensor ops (matrix answers) are not there yet, so they have no mpmath
#: column and no place in its vocabulary tests.  tests/test_tensors.py checks them.
SCALAR_FUNCTION_OPS = [name for name in FUNCTION_OPS if OPS[name].elementwise]


def _call_text(name: str, word: str | None = None) -> str:
    """``word(x)`` or ``word(x, y)`` for a function op (its defaults left out)."""
    op = OPS[name]
    n = op.arity - len(op.defaults)
    return f"{word or name}({', '.join(['x', 'y'][:n])})"


def test_every_scalar_op_has_a_high_precision_column_and_no_tensor_op_has_one() -> None:
    # mpmath evaluates scalars: the tensor ops leave the column empty (see above).
    assert all(OPS[name].mpmath is not None for name in SCALAR_OPS)
    assert all(op.mpmath is None for op in OPS.values() if not op.elementwise)


@pytest.mark.parametrize("name", SCALAR_OPS)
def test_mpmath_column_agrees_with_numpy(name: str) -> None:
    op = OPS[name]
    assert op.mpmath is not None, f"{name} has no high-precision implementation"
    rng = np.random.default_rng(3)
    for _ in range(20):
        args = sample_point(name, rng)
        with mpmath.workdps(40):
            precise = op.mpmath(*(mpmath.mpf(a) for a in args))
        assert not isinstance(precise, mpmath.mpc), (name, args)
        value = float(op.numpy(*map(np.float64, args)))
        assert math.isclose(float(precise), value, rel_tol=1e-12, abs_tol=1e-14), (name, args)


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items()
                                        if op.domain is not None and op.mpmath is not None))
def test_mpmath_column_refuses_what_the_domain_refuses(name: str) -> None:
    op = OPS[name]
    rng = np.random.default_rng(5)
    refused = 0
    for _ in range(400):
        args = tuple(float(a) for a in rng.choice([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0],
                                                  size=op.arity))
        with np.errstate(all="ignore"):
            outside = bool(np.any(op.domain(*map(np.float64, args))))
        if not outside:
            continue
        refused += 1
        with mpmath.workdps(30), pytest.raises(MPDomainError):
            op.mpmath(*(mpmath.mpf(a) for a in args))
    assert refused, f"no point outside the domain of {name} was tried"


def test_namespaces_reach_every_op_of_every_column() -> None:
    for name in OPS:
        assert getattr(NUMPY, name) is OPS[name].numpy
        assert getattr(MPMATH, name) is OPS[name].mpmath


def test_ufuncs_are_numpy_ufuncs_traced_as_their_op() -> None:
    seen: dict[str, str] = {}
    for name, op in OPS.items():
        for ufunc_name in op.ufuncs:
            assert ufunc_name not in seen, (ufunc_name, seen.get(ufunc_name), name)
            seen[ufunc_name] = name
            ufunc = getattr(np, ufunc_name)
            assert isinstance(ufunc, np.ufunc)
            arguments = ["x", "y"][: ufunc.nin]
            g = gd.trace(lambda *t, u=ufunc: u(*t), inputs=arguments,
                         shapes=_example_shapes(op, arguments))
            assert g.op(g.outputs[0]) is op, (ufunc_name, name)
    # The ufuncs of the op functions that numpy has under the same name are all there.
    for name in FUNCTION_OPS:
        candidate = getattr(np, name, None)
        if isinstance(candidate, np.ufunc):  # np.abs is np.absolute: its own name counts
            assert candidate.__name__ in OPS[name].ufuncs, name


def _example_shapes(op: gd.Op, names: list[str]) -> dict[str, tuple[int, ...]]:
    """Shapes the op accepts, by input name (scalars for an elementwise op)."""
    if op.elementwise:
        return {}
    shapes, _ = example_case(op)
    return dict(zip(names, shapes, strict=False))


# from_sympy reads scalar sympy expressions: the ops with sympy heads are elementwise.
@pytest.mark.parametrize("name", SCALAR_OPS)
def test_from_sympy_round_trips_every_op(name: str) -> None:
    op = OPS[name]
    x, y = sympy.symbols("x y", real=True)
    expr = op.sympy(*(x, y)[: op.arity])
    g = gd.from_sympy(expr, inputs=["x", "y"][: op.arity])
    rng = np.random.default_rng(11)
    for _ in range(5):
        args = sample_point(name, rng)
        assert g.evaluate(**dict(zip(g.inputs, args, strict=False))) == pytest.approx(
            float(op.numpy(*map(np.float64, args))), rel=1e-12, abs=1e-14)
    for head in op.sympy_heads:  # each head converts to this very op
        converted = gd.from_sympy(head(*(x, y)[: op.arity]))
        assert converted.op(converted.outputs[0]) is op, (name, head)


def test_sympy_heads_belong_to_one_op() -> None:
    heads = [h for op in OPS.values() for h in op.sympy_heads]
    assert len(heads) == len(set(heads))


@pytest.mark.parametrize("name", SCALAR_FUNCTION_OPS)
def test_every_word_reads_as_its_op_in_parse_and_in_the_checker(name: str) -> None:
    op = OPS[name]
    expected = gd.parse(_call_text(name))
    for word in (name, *op.words):
        reading = read_answer(_call_text(name, word), names=["x", "y"])
        assert gd.parse(reading.expression).to_sympy() == expected.to_sympy(), (name, word)
        if word.isidentifier():
            assert FUNCTIONS[word] is op
            assert gd.parse(_call_text(name, word)).to_sympy() == expected.to_sympy()
        if word.isascii() and word.isalpha():
            assert word in latex_functions()
            latex = read_answer("\\" + _call_text(name, word), names=["x", "y"])
            assert latex.expression == reading.expression, (name, word)


def test_words_belong_to_one_op_and_never_shadow_a_name_of_an_op() -> None:
    owners: dict[str, str] = {}
    for name, op in OPS.items():
        for word in op.words:
            assert word not in OPS, word
            assert word not in owners, (word, owners.get(word), name)
            owners[word] = name
    assert {w: o for w, o in function_words(matrices=True).items()
            if w != o and w in owners} == owners
    assert set(FUNCTION_ALIASES) == {w for w in owners if w.isidentifier()}


def test_other_words_are_still_variable_names_when_not_called() -> None:
    g = gd.parse("exp(-x**2/(2*sigma**2)) + th*sgn")
    assert set(g.inputs) == {"x", "sigma", "th", "sgn"}
    with pytest.raises(gd.ParseError, match="'sin' is a function"):
        gd.parse("sin*x")


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.identities))
def test_identities_hold(name: str) -> None:
    op = OPS[name]
    rng = np.random.default_rng(13)
    for identity in op.identities:
        for _ in range(10):
            other = float(rng.uniform(0.2, 3.0))
            args = [other] * op.arity
            args[identity.position] = float(identity.constant)
            expected = float(op.numpy(*map(np.float64, args)))
            assert float(identity.result(NUMPY, np.float64(other))) == pytest.approx(expected)


def test_involutions_are_their_own_inverse() -> None:
    for op in OPS.values():
        if op.involution:
            assert float(op.numpy(op.numpy(np.float64(1.7)))) == 1.7


@pytest.mark.parametrize("name", sorted(OPS))
def test_kinks_are_switching_expressions_of_the_arguments(name: str) -> None:
    op = OPS[name]
    if op.kinks is None:
        return
    x = sympy.symbols("a b", real=True)[: op.arity]
    switches = op.kinks(gd.ops.SYMPY, *x)
    assert isinstance(switches, tuple) and switches
    for switch in switches:
        assert sympy.sympify(switch).free_symbols <= set(x), (name, switch)


@pytest.mark.parametrize("name", ["relu", "abs", "step", "sign", "max", "min", "leaky_relu"])
def test_the_ops_with_kinks_say_so(name: str) -> None:
    # The checker samples at the zeros of these switching expressions.
    assert OPS[name].kinks is not None


@pytest.mark.parametrize("name", SCALAR_FUNCTION_OPS)
def test_every_function_op_is_a_graphdiff_function(name: str) -> None:
    op = OPS[name]
    fn = getattr(gd, name)
    assert name in gd.__all__ and name in dir(gd)
    rng = np.random.default_rng(17)
    args = sample_point(name, rng)
    n = op.arity - len(op.defaults)
    assert float(fn(*args[:n])) == pytest.approx(
        float(op.numpy(*map(np.float64, (*args[:n], *map(float, op.defaults))))))
    g = gd.trace(lambda *t: fn(*t), inputs=["x", "y"][:n])
    assert g.op(g.outputs[0]) is op


def test_precedence_and_associativity_are_declared_for_every_operator() -> None:
    for op in OPS.values():
        if is_function(op):
            assert op.associativity == "none"
        else:
            assert op.precedence < gd.ops.ATOM
            assert op.associativity in ("full", "left", "right", "none")


@pytest.mark.parametrize("name", SCALAR_OPS)
def test_high_precision_evaluation_uses_the_column(name: str) -> None:
    from graphdiff.checker import mpeval

    op = OPS[name]
    g = gd.parse(op.format(["x", "y"][: op.arity]).replace("−", "-"))
    rng = np.random.default_rng(19)
    args = sample_point(name, rng)
    value, _ = mpeval.evaluate(g, dict(zip(g.inputs, args, strict=False)), 30)
    assert float(value) == pytest.approx(float(op.numpy(*map(np.float64, args))), rel=1e-12)


def test_python_operators_are_the_ops_with_that_dunder() -> None:
    import operator

    dunders = [(op.dunder, op.arity) for op in OPS.values() if op.dunder]
    assert len(dunders) == len(set(dunders))
    assert {d for d, _ in dunders} >= {"add", "sub", "mul", "truediv", "pow", "neg", "abs"}
    for op in OPS.values():
        if op.dunder is None:
            continue
        python_operator = getattr(operator, op.dunder)
        names = ["x", "y"][: op.arity]
        g = gd.trace(lambda *t, f=python_operator: f(*t), inputs=names,
                     shapes=_example_shapes(op, names))
        assert g.op(g.outputs[0]) is op, op.name
        if op.elementwise:  # constants are scalars: 2.0 @ t has no meaning
            reflected = gd.trace(
                lambda t, f=python_operator, n=op.arity: f(*([2.0] * (n - 1)), t))
            assert reflected.op(reflected.outputs[0]) is op, op.name
