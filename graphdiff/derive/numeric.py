"""Numerical differentiation: finite differences with an honest error estimate.

Everything here works on plain Python callables (a graph is differentiated through
``lambda pt: graph.evaluate(pt)``), uses only numpy, and returns the derivative together
with an *estimate of its error* split into the two parts that finite differences always
have:

* the **truncation** error of the formula (Taylor): ``h/2·|f''|`` for the one-sided
  (forward, backward) differences, ``h²/6·|f'''|`` for the central difference;
* the **rounding** error of evaluating ``f`` in floating point, amplified by the
  division by ``h``: ``2·ε·|f|/h`` one-sided, ``ε·|f|/h`` central.

The unknown derivatives ``f''`` and ``f'''`` are themselves estimated by finite
differences, so the estimate is a number, not a big-O.  When no step is given, the step
that minimises the sum is chosen (``h ≈ cbrt(3ε|f|/|f'''|)`` central,
``h ≈ 2·sqrt(ε|f|/|f''|)`` one-sided), rounded to 4 significant bits.  The results are
the same on every machine for the same values of ``f``: every stencil sum is a
``math.fsum`` of products formed one by one, never a BLAS dot product (whose order of
additions, and so the rounding of a cancelling sum, depends on the CPU).  See
``docs/numeric.md`` for the derivation.

>>> import math
>>> from graphdiff.derive.numeric import difference
>>> d = difference(math.sin, 1.0)
>>> abs(d.value - math.cos(1.0)) <= d.error_estimate < 1e-10
True
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import GraphdiffError

__all__ = [
    "EPS",
    "SCHEMES",
    "NumericDerivative",
    "NumericDifferentiationError",
    "NumericGradient",
    "default_step",
    "difference",
    "gradient",
    "partial",
    "richardson",
]

#: Machine epsilon of float64, ``2**-52``: the default relative error of one value of ``f``.
EPS: float = float(np.finfo(np.float64).eps)

#: The finite-difference schemes :func:`difference` knows.
SCHEMES: tuple[str, ...] = ("forward", "backward", "central")

#: Estimation steps are this multiple of ``h`` (then halved if ``f`` is not finite there).
_ESTIMATE_FACTORS: tuple[float, ...] = (4.0, 1.0, 0.25)
#: How often a pilot or starting step is divided by 10 when ``f`` is not finite there.
_SHRINK_ATTEMPTS = 12

Function = Callable[[Any], Any]


class NumericDifferentiationError(GraphdiffError, ValueError):
    """A finite difference that cannot be computed: non-finite point, value or step.

    The message names the point at which it failed and the step in use.

    Attributes
    ----------
    reason : str
        What went wrong, in one line.
    point : float or numpy.ndarray or None
        The point (the argument of ``f``) at which it went wrong.
    step : float or None
        The step ``h`` in use, or ``None`` if no step had been chosen yet.

    >>> import math
    >>> from graphdiff.derive.numeric import difference, NumericDifferentiationError
    >>> try:
    ...     difference(math.log, 0.001, h=0.01)
    ... except NumericDifferentiationError as err:
    ...     print(err)
    f raised ValueError (math domain error) at point -0.009 (step h = 0.01)
    """

    def __init__(
        self,
        reason: str,
        *,
        point: float | npt.NDArray[np.float64] | None,
        step: float | None,
    ) -> None:
        self.reason = reason
        self.point = point
        self.step = step
        where = "at point " + _fmt_point(point)
        how = "no step chosen yet" if step is None else f"step h = {step:.6g}"
        super().__init__(f"{reason} {where} ({how})")


def _fmt_point(point: float | npt.NDArray[np.float64] | None) -> str:
    if point is None:
        return "?"
    if isinstance(point, np.ndarray):
        return np.array2string(point, precision=10, separator=", ")
    return f"{point:.10g}"


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class NumericDerivative:
    """One numerical derivative with its error estimate.

    ``error_estimate = truncation_estimate + rounding_estimate`` is meant as a bound
    (not a guarantee) of ``|value - f'(x)|``; ``evaluations`` counts the calls of ``f``
    (with ``vectorized=True``: the points at which ``f`` was evaluated).

    >>> from graphdiff.derive.numeric import difference
    >>> d = difference(lambda t: t**3, 2.0)
    >>> round(d.value, 8), d.scheme, d.evaluations
    (12.0, 'central', 12)
    >>> d.error_estimate == d.truncation_estimate + d.rounding_estimate
    True
    >>> float(d) == d.value
    True
    """

    value: float
    h: float
    scheme: str
    error_estimate: float
    truncation_estimate: float
    rounding_estimate: float
    evaluations: int

    def __float__(self) -> float:
        return self.value

    def __repr__(self) -> str:
        return (
            f"NumericDerivative(value={self.value!r}, error_estimate={self.error_estimate:.2g}, "
            f"h={self.h:.3g}, scheme={self.scheme!r}, evaluations={self.evaluations})"
        )


@dataclass(frozen=True, repr=False, eq=False)
class NumericGradient:
    """A numerical gradient: value, error vector and step of every coordinate.

    ``error[i]`` estimates ``|value[i] - ∂f/∂x_i|`` exactly as
    :attr:`NumericDerivative.error_estimate` does; :attr:`total_error` is their sum,
    the seed's ``Θ = Σ O(h_i²)``.  The arrays are read-only.

    >>> import numpy as np
    >>> from graphdiff.derive.numeric import gradient
    >>> g = gradient(lambda p: p[0] * p[1], [3.0, 4.0])
    >>> np.round(g.value, 8).tolist()
    [4.0, 3.0]
    >>> bool(np.all(g.error < 1e-9)), g.error.shape, g.steps.shape
    (True, (2,), (2,))
    """

    value: npt.NDArray[np.float64]
    error: npt.NDArray[np.float64]
    steps: npt.NDArray[np.float64]
    scheme: str
    evaluations: int

    @property
    def total_error(self) -> float:
        """Sum of the error vector (a bound for any norm of the error vector)."""
        return math.fsum(self.error.tolist())

    def __repr__(self) -> str:
        def arr(a: npt.NDArray[np.float64], precision: int) -> str:
            return np.array2string(a, precision=precision, separator=", ")

        return (
            f"NumericGradient(value={arr(self.value, 8)}, error={arr(self.error, 2)}, "
            f"steps={arr(self.steps, 2)}, scheme={self.scheme!r}, "
            f"evaluations={self.evaluations})"
        )


# --------------------------------------------------------------------------------------
# Sampling f along one coordinate
# --------------------------------------------------------------------------------------


class _Line:
    """``g(s) = f(x with coordinate i set to s)``, cached, counted and checked.

    For a scalar function ``base`` is ``None`` and ``g = f``.
    """

    def __init__(
        self,
        f: Function,
        base: npt.NDArray[np.float64] | None,
        index: int,
        vectorized: bool,
    ) -> None:
        self.f = f
        self.base = base
        self.index = index
        self.vectorized = vectorized
        self.cache: dict[float, float] = {}
        self.failures: dict[float, str] = {}
        self.evaluations = 0

    def point(self, s: float) -> float | npt.NDArray[np.float64]:
        if self.base is None:
            return s
        p = self.base.copy()
        p[self.index] = s
        return p

    def _call(self, arg: Any) -> Any:
        # Probing stencils may leave the domain of f on purpose; non-finite values are
        # handled here, so numpy's warnings about them would only be noise.
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            return self.f(arg)

    def _args(self, points: Sequence[float]) -> Any:
        """The batch argument of a vectorized ``f`` for ``points``."""
        if self.base is None:
            return np.asarray(points, dtype=np.float64)
        args = np.tile(self.base, (len(points), 1))
        args[:, self.index] = points
        return args

    def _store(self, s: float, raw: Any) -> None:
        arr = np.asarray(raw)
        if np.iscomplexobj(arr):
            raise TypeError(f"f returned a complex value {raw!r} at {_fmt_point(self.point(s))}")
        if arr.size != 1:
            raise TypeError(
                f"f must return a scalar, got shape {arr.shape} at {_fmt_point(self.point(s))}"
            )
        value = float(arr.reshape(()))
        self.cache[s] = value
        if not math.isfinite(value):
            self.failures[s] = f"f is not finite (f = {value!r})"

    def values(self, points: Sequence[float]) -> npt.NDArray[np.float64]:
        """The values at ``points``; non-finite (or raising) ones come back as nan/inf."""
        todo = [s for s in dict.fromkeys(points) if s not in self.cache]
        if len(todo) > 1 and self.vectorized:
            try:
                out = np.asarray(self._call(self._args(todo)))
            except (ArithmeticError, ValueError):
                pass  # one bad point spoils the batch: fall back to one point per call
            else:
                self.evaluations += len(todo)
                if out.shape != (len(todo),):
                    raise TypeError(
                        f"vectorized f must map {len(todo)} points to shape ({len(todo)},), "
                        f"got shape {out.shape}"
                    )
                for s, v in zip(todo, out, strict=True):
                    self._store(s, v)
                todo = []
        for s in todo:
            self.evaluations += 1
            try:
                if self.vectorized:
                    raw = np.asarray(self._call(self._args([s]))).reshape(-1)[0]
                else:
                    raw = self._call(self.point(s))
            except (ArithmeticError, ValueError) as exc:
                self.cache[s] = math.nan
                self.failures[s] = f"f raised {type(exc).__name__} ({exc})"
            else:
                self._store(s, raw)
        return np.array([self.cache[s] for s in points], dtype=np.float64)

    def strict_values(self, points: Sequence[float], step: float) -> npt.NDArray[np.float64]:
        """Like :meth:`values`, but a non-finite value raises the module's error."""
        vals = self.values(points)
        for s in points:
            if s in self.failures:
                raise NumericDifferentiationError(self.failures[s], point=self.point(s), step=step)
        return vals


# --------------------------------------------------------------------------------------
# Finite-difference building blocks
# --------------------------------------------------------------------------------------
# Stencil sums Σ wᵢ·f(tᵢ) cancel heavily by design (a third difference at H ~ 7e-4
# subtracts values of f that agree to ~10 digits), so a floating-point dot product of them
# is mostly rounding noise, and that noise depends on the order of the additions.  numpy's
# ``@`` calls BLAS, whose kernel (SSE, AVX2, AVX-512, ...) OpenBLAS picks per CPU at run
# time, and these sums decide the step: with ``@`` the chosen step, and with it the result
# of `difference`, depended on the machine.  Here every sum is ``math.fsum`` of products
# formed one by one in plain Python floats (IEEE, one rounding each, a fixed order): the
# same values of f give bit-for-bit the same sums everywhere, and the sum itself adds no
# error beyond the rounding of the products, which the noise term of the bound covers.
# Offsets and values are first scaled by powers of two (exactly) to magnitude ~1, so that
# neither the weights (~H^-m) nor their products with f overflow or underflow on the way
# to a result that is representable; the scale is applied once, at the end.


def _scaled(values: Sequence[float]) -> tuple[list[float], int]:
    """``(values·2^-e, e)`` with ``max|values·2^-e|`` in ``[1/2, 1)`` (``e = 0`` if all 0)."""
    largest = max(abs(v) for v in values)
    if largest == 0.0:
        return list(values), 0
    exponent = math.frexp(largest)[1]
    return [math.ldexp(v, -exponent) for v in values], exponent


def _ldexp(value: float, exponent: int) -> float:
    """``value·2**exponent``, ``±inf`` beyond the float range (``math.ldexp`` raises)."""
    try:
        return math.ldexp(value, exponent)
    except OverflowError:
        return math.copysign(math.inf, value)


def _dd_weights(offsets: Sequence[float]) -> list[float] | None:
    """Weights ``w`` with ``Σ wᵢ·f(tᵢ) = m!·f[t0, ..., tm] ≈ f^(m)`` (divided difference).

    None if two nodes coincide (a step below the resolution of ``x``).
    """
    m = len(offsets) - 1
    products = [
        math.prod(ti - tj for j, tj in enumerate(offsets) if j != i)
        for i, ti in enumerate(offsets)
    ]
    if not all(products):
        return None
    return [math.factorial(m) / p for p in products]


def _stencil_sums(weights: Sequence[float], fs: Sequence[float]) -> tuple[float, float]:
    """``(Σ wᵢ·fᵢ, Σ |wᵢ·fᵢ|)``, both ``math.fsum``: correctly rounded, order-independent."""
    terms = [w * f for w, f in zip(weights, fs, strict=True)]
    return math.fsum(terms), math.fsum(abs(t) for t in terms)


def _derivative_bound(
    fs: Sequence[float],
    offsets: Sequence[float],
    small: Sequence[int],
    large: Sequence[int],
    richardson_factor: float,
    f_eps: float,
) -> float:
    """Bound of ``|f^(m)(x)|`` from two divided differences, at step ``H`` and ``2H``.

    With ``D(H) = f^(m) + c·H^p + ...`` (``p = 2`` for the symmetric third difference,
    ``p = 1`` for the one-sided second difference) the extrapolation
    ``R = (r·D(H) − D(2H))/(r − 1)``, ``r = 2^p``, removes the leading error and
    ``|D(H) − D(2H)|`` is a (generous) measure of it.  The bound is
    ``|R| + |D(H) − D(2H)| + f_eps·Σ(|w_R·f| + |w_Δ·f|)`` (the last term: rounding of the
    values of ``f``); ``inf`` if the nodes cannot be told apart.
    """
    unit_fs, f_exponent = _scaled(fs)
    unit_offsets, t_exponent = _scaled(offsets)
    m = len(small) - 1  # the order of the divided differences
    n = len(offsets)
    w_small = [0.0] * n
    w_large = [0.0] * n
    for idx, w_row in ((small, w_small), (large, w_large)):
        weights = _dd_weights([unit_offsets[i] for i in idx])
        if weights is None:
            return math.inf
        for i, w in zip(idx, weights, strict=True):
            w_row[i] = w
    r = richardson_factor
    w_extrap = [(r * a - b) / (r - 1.0) for a, b in zip(w_small, w_large, strict=True)]
    w_delta = [a - b for a, b in zip(w_small, w_large, strict=True)]
    extrap, extrap_noise = _stencil_sums(w_extrap, unit_fs)
    delta, delta_noise = _stencil_sums(w_delta, unit_fs)
    bound = abs(extrap) + abs(delta) + f_eps * (extrap_noise + delta_noise)
    # weights of an m-th difference scale as offset^-m
    return _ldexp(bound, f_exponent - m * t_exponent)


def _higher_derivative_bound(line: _Line, x: float, h: float, scheme: str, f_eps: float) -> float:
    """``M3 ≥ |f'''(x)|`` (central) or ``M2 ≥ |f''(x)|`` (one-sided), from steps ``≥ h``."""
    last: tuple[float, str] | None = None
    small: tuple[int, ...]
    large: tuple[int, ...]
    for factor in _ESTIMATE_FACTORS:
        big = factor * h
        if scheme == "central":
            pts = [x - 4 * big, x - 2 * big, x - big, x + big, x + 2 * big, x + 4 * big]
            small, large, r = (1, 2, 3, 4), (0, 1, 4, 5), 4.0
        else:
            sign = 1.0 if scheme == "forward" else -1.0
            pts = [x, x + sign * big, x + 2 * sign * big, x + 4 * sign * big]
            small, large, r = (0, 1, 2), (0, 2, 3), 2.0
        fs = [float(v) for v in line.values(pts)]
        if all(math.isfinite(v) for v in fs):
            return _derivative_bound(fs, [t - x for t in pts], small, large, r, f_eps)
        bad = next(s for s, v in zip(pts, fs, strict=True) if not math.isfinite(v))
        last = (bad, line.failures.get(bad, "f is not finite"))
    assert last is not None
    raise NumericDifferentiationError(
        f"cannot estimate the truncation error: {last[1]}", point=line.point(last[0]), step=h
    )


def _scale(x: float) -> float:
    return max(abs(x), 1.0)


#: Chosen steps keep this many significant bits (see :func:`_round_step`).
_STEP_BITS = 4


def _round_step(h: float) -> float:
    """``h`` rounded to ``_STEP_BITS`` significant bits (relative change ≤ 1/16).

    The optimum is flat: at ``h·(1 ± 1/16)`` the bound ``h²/6·M3 + ε|f|/h`` grows by
    less than 0.4 % (``h/2·M2 + 2ε|f|/h``: 0.2 %).  But the pilot estimate behind ``h``
    carries the rounding of ``f``, so a last-bit change in ``f`` (another libm, another
    CPU's ``sin``) moves the exact optimum by ~1e-7 relative, and with it the points
    ``x ± h`` and the realised rounding error of the result.  On a coarse grid the step
    does not move unless the optimum sits within ~1e-7 of a rounding boundary.
    """
    if not (math.isfinite(h) and h > 0):
        return h
    mantissa, exponent = math.frexp(h)  # h = mantissa·2^exponent, 1/2 <= mantissa < 1
    return math.ldexp(round(mantissa * 2**_STEP_BITS), exponent - _STEP_BITS)


def default_step(x: float, scheme: str = "central") -> float:
    """The order-of-magnitude optimal step when nothing is known about ``f``.

    Minimising truncation + rounding with ``|f|/|f'''| ~ |f|/|f''|·scale ~ scale³``,
    ``scale = max(|x|, 1)``, gives ``cbrt(3ε)·scale`` for the central difference and
    ``2·sqrt(ε)·scale`` for the one-sided ones (ε = 2⁻⁵²).  :func:`difference` uses it
    (rounded to 4 significant bits, as every chosen step) only when ``f`` gives no usable
    estimate of ``f'''`` (``f''``), e.g. ``f ≡ 0``.

    >>> from graphdiff.derive.numeric import default_step
    >>> f"{default_step(1.0):.2e}", f"{default_step(1000.0, 'forward'):.2e}"
    ('8.74e-06', '2.98e-05')
    """
    _check_scheme(scheme)
    if scheme == "central":
        return math.cbrt(3 * EPS) * _scale(x)
    return 2.0 * math.sqrt(EPS) * _scale(x)


def _choose_step(line: _Line, x: float, scheme: str, f_eps: float) -> float:
    """The step minimising the error, from a pilot estimate of ``f'''`` (``f''``).

    Central: minimise ``h²/6·M3 + ε|f|/h`` → ``h = cbrt(3ε|f|/M3)``; one-sided: minimise
    ``h/2·M2 + 2ε|f|/h`` → ``h = 2·sqrt(ε|f|/M2)``.  ``M3`` is a third difference at the
    pilot step ``H = ε^(1/5)·scale`` (its optimal step), ``M2`` a second difference at
    ``H = ε^(1/4)·scale``; ``H`` is divided by 10 while ``f`` is not finite on the stencil.
    The pilot difference is summed with ``math.fsum`` (see the building blocks) and the step
    rounded to 4 significant bits (:func:`_round_step`): the same values of ``f`` give the
    same step on every machine, and nearly the same values nearly always do.
    """
    scale = _scale(x)
    central = scheme == "central"
    sign = -1.0 if scheme == "backward" else 1.0
    big = float(EPS**0.2 if central else EPS**0.25) * scale
    for _ in range(_SHRINK_ATTEMPTS):
        if central:
            pts = [x - 2 * big, x - big, x + big, x + 2 * big]
            inner = (1, 2)
        else:
            pts = [x, x + sign * big, x + 2 * sign * big]
            inner = (0, 1)
        fs = [float(v) for v in line.values(pts)]
        if all(math.isfinite(v) for v in fs):
            break
        big /= 10.0
    else:
        bad = next(s for s in pts if s in line.failures)
        raise NumericDifferentiationError(
            f"cannot choose a step: {line.failures[bad]}", point=line.point(bad), step=None
        )
    unit_fs, f_exponent = _scaled(fs)
    unit_offsets, t_exponent = _scaled([t - x for t in pts])
    weights = _dd_weights(unit_offsets)
    if weights is None:  # nodes closer than the resolution of x: no estimate
        bound = math.nan
    else:
        signed, magnitude = _stencil_sums(weights, unit_fs)
        order = len(pts) - 1
        bound = _ldexp(abs(signed) + f_eps * magnitude, f_exponent - order * t_exponent)
    fmag = max(abs(fs[i]) for i in inner)
    if not (bound > 0 and fmag > 0 and math.isfinite(bound)):
        h = default_step(x, scheme)
    elif central:
        h = math.cbrt(3 * f_eps * fmag / bound)
    else:
        h = 2.0 * math.sqrt(f_eps * fmag / bound)
    h_min = max(16 * math.ulp(abs(x)), 1e4 * sys.float_info.min)
    return min(max(_round_step(h), h_min), big)


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------


def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; expected one of {', '.join(SCHEMES)}")


def _check_x(x: Any) -> float:
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise TypeError(f"x must be a real number, got {x!r}") from None
    if not math.isfinite(value):
        raise NumericDifferentiationError("x is not finite", point=value, step=None)
    return value


def _check_step(h: Any, x: float) -> float:
    step = float(h)
    if not (math.isfinite(step) and step > 0):
        raise NumericDifferentiationError(
            "the step must be finite and positive", point=x, step=step
        )
    return step


def _check_f_eps(f_eps: float | None) -> float:
    if f_eps is None:
        return EPS
    value = float(f_eps)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"f_eps must be finite and positive, got {f_eps!r}")
    return value


# --------------------------------------------------------------------------------------
# One-dimensional core
# --------------------------------------------------------------------------------------


def _difference_1d(
    line: _Line, x: float, h: float | None, scheme: str, f_eps: float
) -> NumericDerivative:
    if h is None:
        h = _choose_step(line, x, scheme, f_eps)
    # Make the step exactly representable: h = (x ± h) - x.  Central: step away from
    # zero first, so that the step towards zero is exact as well.
    if scheme == "central":
        sign = 1.0 if x >= 0 else -1.0
        far = x + sign * h
        near = x - (far - x)
        lo, hi = min(near, far), max(near, far)
    elif scheme == "forward":
        lo, hi = x, x + h
    else:
        lo, hi = x - h, x
    width = hi - lo
    step = width / 2 if scheme == "central" else width
    if not width > 0:
        raise NumericDifferentiationError(
            "the step is below the resolution of x (x + h == x)", point=x, step=h
        )
    f_lo, f_hi = (float(v) for v in line.strict_values([lo, hi], step))
    value = (f_hi - f_lo) / width
    fmag = max(abs(f_lo), abs(f_hi))
    # Rounding: each value of f is off by up to f_eps·|f|.  Central: (δ₊ + δ₋)/(2h);
    # one-sided: (δ₁ + δ₀)/h.  Plus the last division (ε·|value|).
    factor = 1.0 if scheme == "central" else 2.0
    rounding = factor * f_eps * fmag / step + EPS * abs(value)
    bound = _higher_derivative_bound(line, x, step, scheme, f_eps)
    truncation = step * step / 6 * bound if scheme == "central" else step / 2 * bound
    if math.isnan(truncation):  # 0·inf: h² underflowed, the bound overflowed; no estimate
        truncation = math.inf
    return NumericDerivative(
        value=value,
        h=step,
        scheme=scheme,
        error_estimate=truncation + rounding,
        truncation_estimate=truncation,
        rounding_estimate=rounding,
        evaluations=line.evaluations,
    )


def _richardson_1d(
    line: _Line, x: float, h: float | None, levels: int, ratio: float, f_eps: float
) -> NumericDerivative:
    if h is None:
        # Length scale of f from the pilot of the central step choice: for an ordinary f
        # h_central = cbrt(3ε)·L.  Start at L/10 (never above 0.1·max(|x|, 1)).
        length = _choose_step(line, x, "central", f_eps) / math.cbrt(3 * EPS)
        h0 = min(0.1 * length, 0.1 * _scale(x))
        for _ in range(_SHRINK_ATTEMPTS):
            if np.all(np.isfinite(line.values([x - h0, x + h0]))):
                break
            h0 /= 10.0
    else:
        h0 = h
    steps: list[float] = []
    table: list[list[float]] = []  # table[i][j]: row i (step h_i), extrapolated j times
    noise: list[list[float]] = []
    best = (math.inf, math.nan, math.inf, h0)  # (table error, value, noise, step)
    hi_step = h0
    for i in range(levels):
        lo, hi = x - hi_step, x + hi_step
        f_lo, f_hi = (float(v) for v in line.strict_values([lo, hi], hi_step))
        step = (hi - lo) / 2
        if not step > 0:
            break
        d = (f_hi - f_lo) / (hi - lo)
        steps.append(step)
        row, nrow = [d], [f_eps * max(abs(f_lo), abs(f_hi)) / step + EPS * abs(d)]
        for j in range(1, i + 1):
            # Neville: extrapolate the even polynomial in h to h = 0 (actual steps).
            u_far, u_near = steps[i - j] ** 2, step**2
            a, b = u_far / (u_far - u_near), u_near / (u_far - u_near)
            row.append(a * row[j - 1] - b * table[i - 1][j - 1])
            nrow.append(a * nrow[j - 1] + b * noise[i - 1][j - 1])
            err = max(abs(row[j] - row[j - 1]), abs(row[j] - table[i - 1][j - 1]))
            if err <= best[0]:
                best = (err, row[j], nrow[j], step)
        table.append(row)
        noise.append(nrow)
        hi_step = hi_step / ratio
    err, value, rounding, step = best
    if not math.isfinite(err):  # fewer than two rows: no table error available
        raise NumericDifferentiationError(
            "Richardson extrapolation needs two distinct steps", point=x, step=h0
        )
    return NumericDerivative(
        value=value,
        h=step,
        scheme="richardson",
        error_estimate=err + rounding,
        truncation_estimate=err,
        rounding_estimate=rounding,
        evaluations=line.evaluations,
    )


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def difference(
    f: Function,
    x: float,
    h: float | None = None,
    scheme: str = "central",
    *,
    f_eps: float | None = None,
    vectorized: bool = False,
) -> NumericDerivative:
    """``f'(x)`` by a finite difference, with an estimate of its error.

    Schemes (``h`` is made exactly representable first: ``h = (x + h) − x``):

    * ``"forward"``  ``(f(x+h) − f(x))/h``,   truncation ``h/2·|f''|``;
    * ``"backward"`` ``(f(x) − f(x−h))/h``,   truncation ``h/2·|f''|``;
    * ``"central"``  ``(f(x+h) − f(x−h))/(2h)``, truncation ``h²/6·|f'''|``.

    Error estimate = truncation + rounding, with

    * rounding ``= ε_f·max|f|/h`` (central) or ``2·ε_f·max|f|/h`` (one-sided), where
      ``ε_f = f_eps`` (default machine ε = 2⁻⁵², i.e. ``f`` correct to about one ulp) and
      the max is over the values used;
    * truncation ``= h²/6·M3`` (central) or ``h/2·M2`` (one-sided), where ``M3`` (``M2``)
      bounds ``|f'''(x)|`` (``|f''(x)|``): Richardson-extrapolated third (second)
      differences at the larger steps ``H = 4h`` and ``2H`` (one-sided stencils for the
      one-sided schemes), plus their difference, plus their own rounding.

    With ``h=None`` the step minimising that sum is chosen from a pilot estimate:
    ``h = cbrt(3ε_f|f|/M3)`` central, ``h = 2·sqrt(ε_f|f|/M2)`` one-sided (≈
    ``cbrt(3ε)·max(|x|, 1)`` and ``2·sqrt(ε)·max(|x|, 1)`` for an ordinary ``f``),
    rounded to 4 significant bits so that a last-bit change of ``f`` does not move it.
    If ``f`` raises ``ValueError``/``ArithmeticError`` or returns nan/inf on the pilot or
    estimation stencils, their steps are reduced; on the difference itself it raises
    :class:`NumericDifferentiationError`.  With ``vectorized=True`` ``f`` is called with
    a 1-D array of points and must return an array of values.

    >>> import math
    >>> from graphdiff.derive.numeric import difference
    >>> d = difference(math.exp, 0.5)
    >>> round(d.value, 9), d.value - math.exp(0.5) <= d.error_estimate < 1e-10
    (1.648721271, True)
    >>> f = difference(math.exp, 0.5, h=1e-3, scheme="forward")
    >>> round(f.value, 6), round(f.truncation_estimate, 6)  # true error 0.000825
    (1.649546, 0.000828)
    """
    _check_scheme(scheme)
    x0 = _check_x(x)
    step = None if h is None else _check_step(h, x0)
    line = _Line(f, None, 0, vectorized)
    return _difference_1d(line, x0, step, scheme, _check_f_eps(f_eps))


def richardson(
    f: Function,
    x: float,
    h: float | None = None,
    levels: int = 4,
    *,
    ratio: float = 2.0,
    f_eps: float | None = None,
    vectorized: bool = False,
) -> NumericDerivative:
    """``f'(x)`` by Richardson extrapolation of central differences (Ridders' method).

    Central differences ``D(h_i)`` at ``h_i = h/ratio^i`` (``i < levels``) are
    extrapolated to ``h → 0`` in a Neville table; since ``D(h) = f' + c₁h² + c₂h⁴ + ...``
    each column removes one power of ``h²``.  The entry with the smallest table error
    ``max(|T[i][j] − T[i][j−1]|, |T[i][j] − T[i−1][j−1]|)`` (successive extrapolations)
    is returned; that error is ``truncation_estimate`` and the propagated rounding
    bound of the entry is ``rounding_estimate``.  All ``levels`` rows are computed (no
    early exit: a vanishing ``c₁`` would trigger Ridders' stopping rule too soon).

    The default starting step is ``L/10`` where ``L = h*/cbrt(3ε)`` is the length scale
    implied by the step :func:`difference` would choose (``L ≈ max(|x|, 1)`` for an
    ordinary ``f``, smaller near a singularity), capped at ``0.1·max(|x|, 1)``; it is
    divided by 10 while ``f`` is not finite at ``x ± h``.  Too large a step (``sin`` at
    ``h ≈ 100``) makes the table converge to a wrong value with a small error: the
    table error is an estimate, not a bound.

    >>> import math
    >>> from graphdiff.derive.numeric import richardson
    >>> r = richardson(math.sin, 1.0)
    >>> abs(r.value - math.cos(1.0)) < 1e-12, r.scheme, r.evaluations
    (True, 'richardson', 12)
    """
    x0 = _check_x(x)
    step = None if h is None else _check_step(h, x0)
    if isinstance(levels, bool) or not isinstance(levels, int | np.integer) or levels < 2:
        raise ValueError(f"levels must be an integer >= 2, got {levels!r}")
    if not (math.isfinite(ratio) and ratio > 1):
        raise ValueError(f"ratio must be > 1, got {ratio!r}")
    line = _Line(f, None, 0, vectorized)
    return _richardson_1d(line, x0, step, int(levels), float(ratio), _check_f_eps(f_eps))


def _check_vector(x: Any) -> npt.NDArray[np.float64]:
    arr = np.array(x, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"x must be a non-empty 1-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise NumericDifferentiationError("x is not finite", point=arr, step=None)
    return arr


def _partial(
    f: Function,
    x: npt.NDArray[np.float64],
    i: int,
    h: float | None,
    scheme: str,
    f_eps: float,
    vectorized: bool,
) -> NumericDerivative:
    line = _Line(f, x, i, vectorized)
    step = None if h is None else _check_step(h, float(x[i]))
    return _difference_1d(line, float(x[i]), step, scheme, f_eps)


def partial(
    f: Function,
    x: npt.ArrayLike,
    i: int,
    h: float | None = None,
    scheme: str = "central",
    *,
    f_eps: float | None = None,
    vectorized: bool = False,
) -> NumericDerivative:
    """``∂f/∂x_i`` at ``x`` for ``f: Rⁿ → R``: :func:`difference` along coordinate ``i``.

    ``f`` is called with a fresh 1-D float array (``vectorized=True``: with an ``(m, n)``
    array of points, returning ``m`` values); all other coordinates stay fixed, so the
    truncation error is ``h_i²/6·|∂³f/∂x_i³|`` exactly as in one dimension (seed, 1.6).

    >>> import math
    >>> from graphdiff.derive.numeric import partial
    >>> d = partial(lambda p: p[0] * math.sin(p[1]), [2.0, 0.5], 1)
    >>> round(d.value, 9) == round(2 * math.cos(0.5), 9), d.error_estimate < 1e-9
    (True, True)
    """
    _check_scheme(scheme)
    arr = _check_vector(x)
    n = arr.size
    if isinstance(i, bool) or not isinstance(i, int | np.integer):
        raise TypeError(f"i must be an integer index, got {i!r}")
    if not -n <= i < n:
        raise IndexError(f"coordinate index {i} out of range for a point of length {n}")
    return _partial(f, arr, int(i) % n, h, scheme, _check_f_eps(f_eps), vectorized)


def gradient(
    f: Function,
    x: npt.ArrayLike,
    h: float | npt.ArrayLike | None = None,
    scheme: str = "central",
    *,
    f_eps: float | None = None,
    vectorized: bool = False,
) -> NumericGradient:
    """``∇f(x)`` for ``f: Rⁿ → R`` by one finite difference per coordinate.

    ``h`` is ``None`` (a step chosen per coordinate), one step for all coordinates, or
    one step per coordinate.  The result carries the error vector (the seed's ``Θ_v``,
    one :attr:`NumericDerivative.error_estimate` per coordinate) and the steps used;
    ``evaluations`` is the total number of calls of ``f``.

    >>> import math
    >>> import numpy as np
    >>> from graphdiff.derive.numeric import gradient
    >>> g = gradient(lambda p: p[0] * p[1] + math.sin(p[2]), [1.0, 2.0, 0.5])
    >>> exact = np.array([2.0, 1.0, math.cos(0.5)])
    >>> bool(np.all(np.abs(g.value - exact) <= g.error)), bool(g.total_error < 1e-9)
    (True, True)
    """
    _check_scheme(scheme)
    arr = _check_vector(x)
    n = arr.size
    if h is None:
        hs: list[float | None] = [None] * n
    else:
        harr = np.asarray(h, dtype=np.float64)
        if harr.ndim == 0:
            hs = [float(harr)] * n
        elif harr.shape == (n,):
            hs = [float(v) for v in harr]
        else:
            raise ValueError(f"h must be a number or have shape ({n},), got shape {harr.shape}")
    eps_f = _check_f_eps(f_eps)
    parts = [_partial(f, arr, i, hs[i], scheme, eps_f, vectorized) for i in range(n)]

    def frozen(values: list[float]) -> npt.NDArray[np.float64]:
        a = np.array(values, dtype=np.float64)
        a.setflags(write=False)
        return a

    return NumericGradient(
        value=frozen([p.value for p in parts]),
        error=frozen([p.error_estimate for p in parts]),
        steps=frozen([p.h for p in parts]),
        scheme=scheme,
        evaluations=sum(p.evaluations for p in parts),
    )
