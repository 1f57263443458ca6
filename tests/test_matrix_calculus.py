"""Matrix calculus: graphdiff's reverse mode against sympy's matrix expressions and finite
differences, at random sizes and values (docs/matrix-calculus.md).

The references are independent of graphdiff: sympy differentiates ``MatrixSymbol``
expressions (``(x.T*A*x).diff(x)``), and where sympy cannot (it leaves the derivative of a
determinant unevaluated, and gives 0 for that of a log-determinant) the determinant of a
matrix of symbols differentiated entry by entry.  Comparisons are relative to the size of
the reference (norms), never to one rounding.
"""

from __future__ import annotations

import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import graphdiff as gd
from graphdiff.derive.differences import split_entries

EXAMPLES = settings(max_examples=10, deadline=None)


def _close(got, expected, rtol: float) -> None:
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    assert got.shape == expected.shape
    assert np.linalg.norm(got - expected) <= rtol * max(1.0, np.linalg.norm(expected)), \
        (got, expected)


def _numbers(expr: sympy.Basic, values: dict) -> np.ndarray:
    """A sympy matrix expression at numbers: each MatrixSymbol replaced by its matrix."""
    at = {symbol: sympy.ImmutableMatrix(np.atleast_2d(value).reshape(symbol.shape))
          if isinstance(symbol, sympy.MatrixSymbol) else value
          for symbol, value in values.items()}
    return np.array(sympy.Matrix(expr.subs(at).doit()).evalf(), dtype=float)


def _by_differences(g: gd.Graph, at: dict, name: str) -> np.ndarray:
    return split_entries(g, gd.numeric_diff(g, at).value)[name]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


SEEDS = st.integers(0, 2**32 - 1)


@EXAMPLES
@given(n=st.integers(1, 4), seed=SEEDS)
def test_quadratic_form_gradient_and_hessian(n: int, seed: int) -> None:
    rng = _rng(seed)
    x, A = rng.normal(size=n), rng.normal(size=(n, n))
    g = gd.parse(f"x: {n}\nA: {n}x{n}\nq = x @ A @ x")
    at = {"x": x, "A": A}
    xs, As = sympy.MatrixSymbol("x", n, 1), sympy.MatrixSymbol("A", n, n)
    q = (xs.T * As * xs)
    reference = _numbers(q.diff(xs), {xs: x, As: A}).ravel()
    gradient = gd.grad(g, at)
    _close(gradient["x"], reference, 1e-10)
    _close(gradient["x"], (A + A.T) @ x, 1e-10)
    _close(gradient["x"], _by_differences(g, at, "x"), 1e-6)
    _close(gradient["A"], _by_differences(g, at, "A"), 1e-6)
    hessian = _numbers(q.diff(xs).diff(xs), {As: A})
    _close(gd.hessian(g, at, wrt=["x"]), hessian, 1e-10)


@EXAMPLES
@given(p=st.integers(1, 3), n=st.integers(1, 3), m=st.integers(1, 3), seed=SEEDS)
def test_trace_of_a_product(p: int, n: int, m: int, seed: int) -> None:
    rng = _rng(seed)
    A, X, B = rng.normal(size=(p, n)), rng.normal(size=(n, m)), rng.normal(size=(m, p))
    g = gd.parse(f"A: {p}x{n}\nX: {n}x{m}\nB: {m}x{p}\nt = tr(A @ X @ B)")
    at = {"A": A, "X": X, "B": B}
    As, Xs, Bs = (sympy.MatrixSymbol(k, *v.shape) for k, v in at.items())
    derivative = sympy.Trace(As * Xs * Bs).diff(Xs)
    assert derivative == As.T * Bs.T
    gradient = gd.grad(g, at)["X"]
    _close(gradient, _numbers(derivative, {As: A, Bs: B}), 1e-10)
    _close(gradient, _by_differences(g, at, "X"), 1e-6)


def _square(n: int, rng: np.random.Generator) -> np.ndarray:
    """A random square matrix kept away from singular (its condition number stays small)."""
    return rng.normal(size=(n, n)) + 2 * n * np.eye(n)


def _entrywise_gradient(n: int, of) -> sympy.Matrix:
    """d of(X)/dX with X a matrix of symbols, by sympy entry by entry."""
    X = sympy.Matrix(n, n, lambda i, j: sympy.Symbol(f"x{i}{j}"))
    value = of(X)
    return X, X.applyfunc(lambda entry: sympy.diff(value, entry))


@EXAMPLES
@given(n=st.integers(1, 3), seed=SEEDS)
def test_determinant_and_log_determinant(n: int, seed: int) -> None:
    X = _square(n, _rng(seed))
    symbols, d_det = _entrywise_gradient(n, lambda M: M.det())
    _, d_logdet = _entrywise_gradient(n, lambda M: sympy.log(M.det()))
    at_symbols = dict(zip(symbols, X.ravel(), strict=True))
    det_reference = np.array(d_det.subs(at_symbols).evalf(), dtype=float)
    logdet_reference = np.array(d_logdet.subs(at_symbols).evalf(), dtype=float)
    # The identities themselves, by sympy at this n: d det = det·X⁻ᵀ, d log det = X⁻ᵀ.
    assert sympy.simplify(d_det - symbols.det() * symbols.inv().T) == sympy.zeros(n, n)
    det = gd.parse(f"X: {n}x{n}\nD = det(X)")
    gradient = gd.grad(det, {"X": X})["X"]
    _close(gradient, det_reference, 1e-9)
    _close(gradient, np.linalg.det(X) * np.linalg.inv(X).T, 1e-9)
    _close(gradient, _by_differences(det, {"X": X}, "X"), 1e-6)
    if np.linalg.det(X) > 0:
        logdet = gd.parse(f"X: {n}x{n}\nl = logdet(X)")
        gradient = gd.grad(logdet, {"X": X})["X"]
        _close(gradient, logdet_reference, 1e-9)
        _close(gradient, np.linalg.inv(X).T, 1e-9)
        _close(gradient, _by_differences(logdet, {"X": X}, "X"), 1e-6)


@EXAMPLES
@given(rows=st.integers(1, 5), n=st.integers(1, 3), lam=st.floats(0, 2), seed=SEEDS)
def test_least_squares_and_ridge(rows: int, n: int, lam: float, seed: int) -> None:
    rng = _rng(seed)
    X, w, y = rng.normal(size=(rows, n)), rng.normal(size=n), rng.normal(size=rows)
    g = gd.parse(f"X: {rows}x{n}\nw: {n}\ny: {rows}\nL = sum((X @ w - y)**2) + lam*sum(w*w)")
    at = {"X": X, "w": w, "y": y, "lam": lam}
    Xs, ws, ys = (sympy.MatrixSymbol(k, *np.atleast_2d(v.T).T.shape)
                  for k, v in (("X", X), ("w", w[:, None]), ("y", y[:, None])))
    lam_s = sympy.Symbol("lam")
    r = Xs * ws - ys
    derivative = (r.T * r + lam_s * ws.T * ws).diff(ws)
    reference = _numbers(derivative, {Xs: X, ws: w, ys: y, lam_s: lam}).ravel()
    gradient = gd.grad(g, at)
    _close(gradient["w"], reference, 1e-10)
    _close(gradient["w"], 2 * X.T @ (X @ w - y) + 2 * lam * w, 1e-10)
    _close(gradient["X"], 2 * np.outer(X @ w - y, w), 1e-10)
    _close(gradient["w"], _by_differences(g, at, "w"), 1e-6)
    # At the solution of the normal equations the gradient in w vanishes.
    best = np.linalg.solve(X.T @ X + (lam + 1e-3) * np.eye(n), X.T @ y)
    at_best = {**at, "w": best, "lam": lam + 1e-3}
    scale = np.linalg.norm(X.T @ X) * np.linalg.norm(best) + np.linalg.norm(X.T @ y)
    assert np.linalg.norm(gd.grad(g, at_best)["w"]) <= 1e-10 * max(1.0, scale)
