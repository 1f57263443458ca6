"""The table: every built-in op, one row each (:class:`~graphdiff.ops.op.Op`), the
elementwise ops first, then the tensor ops.

A row is the one place an op is described: its functions, rules and templates, naming the
implementations that need more than a line (numpy and float kernels in
:mod:`~graphdiff.ops.numeric`, code for the compiled backends in :mod:`~graphdiff.ops.code`,
mpmath in :mod:`~graphdiff.ops.precise`, the convention at kinks in
:mod:`~graphdiff.ops.kinks`; the tensor ops' shape rules, kernels and rules are in
:mod:`graphdiff.tensorops`).  :mod:`graphdiff.ops.registry` registers the rows.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import mpmath
import numpy as np
import sympy

from .. import tensorops as T
from ..tensorops import ALL, NO_GRADIENT
from .code import _both, _calls, _pow_code, _reciprocal
from .kinks import _itself, _positive_part
from .numeric import (
    _div_domain_free,
    _exponent_rule,
    _float_leaky_relu,
    _float_max,
    _float_min,
    _float_relu,
    _float_sign,
    _float_step,
    _ignore_linalg_errors,
    _np_leaky_relu,
    _np_pow,
    _np_relu,
    _np_sigmoid,
    _np_step,
    _pow_domain,
    _pow_domain_free,
    _power_rule,
    _singular,
)
from .op import MATMUL, POWER, PREFIX, PRODUCT, SUM, Identity, Op, Rule
from .precise import (
    _mp_acosh,
    _mp_div,
    _mp_exp,
    _mp_hyperbolic,
    _mp_in_unit_interval,
    _mp_log,
    _mp_pole_at_zero,
    _mp_pow,
    _mp_real_cbrt,
    _mp_sigmoid,
    _mp_sign,
    _mp_sqrt,
    _mp_trig,
)

# --- how a row is written ------------------------------------------------------------


def _unary(name: str, numpy_fn: Callable[..., Any], sympy_fn: Callable[..., Any],
           partial: Rule, latex: str, doc: str, **extra: Any) -> Op:
    return Op(
        name=name, arity=1, numpy=numpy_fn, sympy=sympy_fn, partials=(partial,),
        text=f"{name}({{0}})", latex=latex, unicode=extra.pop("unicode", f"{name}({{0}})"),
        doc=doc, **extra,
    )


# Identity results are sympy numbers, never Python ints: a builder's nodes are ints.
def _zero(m: Any, a: Any) -> Any:
    return sympy.Integer(0)


def _one(m: Any, a: Any) -> Any:
    return sympy.Integer(1)


def _same(m: Any, a: Any) -> Any:
    return a


def _negated(m: Any, a: Any) -> Any:
    return m.neg(a)


# --- tensor ops (their shape rules, kernels and rules are in graphdiff.tensorops) ----------


def _tensor(name: str, arity: int, numpy_fn: Callable[..., Any], shape: Callable[..., Any],
            vjps: tuple[Rule, ...], jvps: tuple[Rule, ...], doc: str, *, text: str | None = None,
            latex: str | None = None, unicode: str | None = None, **extra: Any) -> Op:
    """A tensor op written as a call ``name(a, b)``: no scalar partials (its ``vjps`` and
    ``jvps`` are its derivative) and, unless given, no meaning as a sympy function."""
    call = ", ".join(f"{{{i}}}" for i in range(arity))
    return Op(
        name=name, arity=arity, numpy=numpy_fn,
        sympy=extra.pop("sympy", None) or T.no_scalar_meaning(name),
        partials=(None,) * arity, text=text or f"{name}({call})",
        latex=latex or f"\\operatorname{{{{{name.replace('_', chr(92) + '_')}}}}}"
        f"\\left({call}\\right)",
        unicode=unicode or f"{name}({call})", doc=doc, shape=shape, vjps=vjps, jvps=jvps,
        **extra,
    )


def _axis_op(name: str, numpy_fn: Callable[..., Any], vjp: Rule, doc: str) -> Op:
    """sum/mean: an optional static axis, every axis of the node by default."""
    return _tensor(name, 2, numpy_fn, T.reduce_shape, (vjp, NO_GRADIENT),
                   (lambda m, t, x, axis, out: getattr(m, name)(t, axis), NO_GRADIENT), doc,
                   sympy=lambda x, axis: x, static=1, defaults=(ALL,),
                   normalize=T.normalize_axis)


def _loss(name: str, numpy_fn: Callable[..., Any], sympy_fn: Callable[..., Any],
          slopes: tuple[Rule, Rule], doc: str, **extra: Any) -> Op:
    """A loss: the mean of an elementwise function of a prediction and a target."""
    vjps, jvps = T.mean_loss_rules(slopes)
    return _tensor(name, 2, numpy_fn, T.loss_shape(0), vjps, jvps, doc, sympy=sympy_fn,
                   **extra)


_TENSOR_TABLE: list[Op] = [
    _tensor("matmul", 2, T.matmul_kernel, T.matmul_shape,
            (T.matmul_left_vjp, T.matmul_right_vjp),
            (lambda m, t, a, b, out: m.matmul(t, b), lambda m, t, a, b, out: m.matmul(a, t)),
            "matrix product a @ b (stacks of matrices broadcast; vectors as numpy: a row "
            "on the left, a column on the right)", text="{0} @ {1}",
            latex="{0} {1}",
            unicode="{0}·{1}", precedence=MATMUL, associativity="left", dunder="matmul",
            ufuncs=("matmul",)),
    _tensor("transpose", 1, T.transpose_kernel, T.transpose_shape,
            (lambda m, g, a, out: m.transpose(g),), (lambda m, t, a, out: m.transpose(t),),
            "the matrix transposed (the last two axes swapped), X.T", text="{0}.T",
            latex="{{{0}}}^{{\\top}}",
            unicode="{0}ᵀ", attribute="T"),
    _tensor("reshape", 1 + T.RESHAPE_AXES, T.reshape_kernel, T.reshape_shape,
            (T.reshape_vjp, *(NO_GRADIENT,) * T.RESHAPE_AXES),
            (lambda m, t, x, *sizes: m.reshape(t, *sizes[:-1]),
             *(NO_GRADIENT,) * T.RESHAPE_AXES),
            "the entries in a new shape, row by row (reshape(X, 3, 2); -1: the rest)",
            sympy=lambda x, *sizes: x, static=T.RESHAPE_AXES,
            defaults=(ALL,) * T.RESHAPE_AXES, normalize=T.normalize_sizes),
    _axis_op("sum", T.sum_kernel, T.sum_vjp,
             "sum of the entries, over one axis or (by default) all of them"),
    _axis_op("mean", T.mean_kernel, T.mean_vjp,
             "mean of the entries, over one axis or (by default) all of them"),
    _tensor("tr", 1, T.trace_kernel, T.square_shape("tr"), (T.trace_vjp,),
            (lambda m, t, a, out: m.tr(t),), "trace of a square matrix (sum of its diagonal)",
            latex="\\operatorname{{tr}}\\left({0}\\right)", words=("trace",)),
    _tensor("dot", 2, T.dot_kernel, T.vectors_shape("dot", T._dot_sizes),
            (lambda m, g, a, b, out: m.mul(m.expand(g, -1), b),
             lambda m, g, a, b, out: m.mul(m.expand(g, -1), a)),
            (lambda m, t, a, b, out: m.dot(t, b), lambda m, t, a, b, out: m.dot(a, t)),
            "dot product of two vectors"),
    _tensor("outer", 2, T.outer_kernel, T.vectors_shape("outer", lambda n, k: (n, k)),
            (lambda m, g, a, b, out: m.sum(m.mul(g, m.expand(b, -2)), -1),
             lambda m, g, a, b, out: m.sum(m.mul(g, m.expand(a, -1)), -2)),
            (lambda m, t, a, b, out: m.outer(t, b), lambda m, t, a, b, out: m.outer(a, t)),
            "outer product of two vectors, a bᵀ"),
    _tensor("softmax", 1, T.softmax_kernel, T.last_axis_shape(keep=True), (T.softmax_vjp,),
            (T.softmax_jvp,), "softmax over the last axis (the classes), stable",
            expansion=lambda m, x: m.exp(x) / m.expand(m.sum(m.exp(x), -1), -1)),
    _tensor("logsumexp", 1, T.logsumexp_kernel, T.last_axis_shape(keep=False),
            (lambda m, g, x, out: m.mul(m.expand(g, -1), m.softmax(x)),),
            (lambda m, t, x, out: m.sum(m.softmax(x) * t, -1),),
            "log Σ exp over the last axis (the classes), stable",
            expansion=lambda m, x: m.log(m.sum(m.exp(x), -1))),
    _loss("mse", T.mse_kernel, lambda p, y: (p - y) ** 2,
          (lambda m, p, y: 2 * (p - y), lambda m, p, y: 2 * (y - p)),
          "mean squared error mean((p - y)**2)",
          latex="\\operatorname{{MSE}}\\left({0}, {1}\\right)"),
    _tensor("cross_entropy", 2, T.cross_entropy_kernel, T.loss_shape(1), T.ce_vjps(),
            T.ce_jvps(), "softmax cross-entropy of logits against targets (one-hot rows), "
            "mean over the rows, stable", latex="\\operatorname{{CE}}\\left({0}, {1}\\right)",
            expansion=T.ce_expansion),
    _loss("bce_logits", T.bce_logits_kernel,
          lambda z, y: sympy.Max(z, 0) - z * y + sympy.log(1 + sympy.exp(-sympy.Abs(z))),
          (lambda m, z, y: m.sigmoid(z) - y, lambda m, z, y: -z),
          "binary cross-entropy of σ(z) against y, from the logits z (stable), mean",
          latex="\\operatorname{{BCE}}\\left({0}, {1}\\right)",
          expansion=lambda m, z, y: m.mean(
              m.max(z, 0) - m.mul(z, y) + m.log(1 + m.exp(-m.abs(z))), ALL)),
    _loss("logloss", T.logloss_kernel,
          lambda p, y: -(y * sympy.log(p) + (1 - y) * sympy.log(1 - p)),
          (lambda m, p, y: (p - y) / (p * (1 - p)), lambda m, p, y: m.log(1 - p) - m.log(p)),
          "binary cross-entropy of probabilities p against y, mean",
          domain=lambda p, y: (np.asarray(p) <= 0) | (np.asarray(p) >= 1),
          domain_message="logloss of a probability outside (0, 1)",
          expansion=lambda m, p, y: m.mean(
              -(m.mul(y, m.log(p)) + m.mul(1 - y, m.log(1 - p))), ALL)),
    _tensor("expand", 2, T.expand_kernel, T.expand_shape,
            (lambda m, g, x, axis, out: m.sum(g, axis), NO_GRADIENT),
            (lambda m, t, x, axis, out: m.expand(t, axis), NO_GRADIENT),
            "x with a size-1 axis inserted (numpy's expand_dims)", static=1,
            normalize=T.normalize_new_axis,
            # The size-1 axis is not written on the board: x itself, where it broadcasts.
            unicode="{0}", latex="{0}",
            # A scalar with size-1 axes is its one entry: a constant of a rule (the seed 1)
            # folds to itself, and constants broadcast like it.
            sympy=lambda x, axis: x),
    _tensor("sum_to", 2, T.sum_to_kernel, T.sum_to_shape,
            (lambda m, g, h, x, out: m.broadcast_like(g, h), NO_GRADIENT),
            (lambda m, t, h, x, out: m.sum_to(t, x), NO_GRADIENT),
            "g summed down to the shape of x (the adjoint of broadcasting)",
            sympy=lambda g, x: g, shape_identity=True),
    _tensor("broadcast_like", 2, T.broadcast_like_kernel, T.broadcast_like_shape,
            (lambda m, g, h, x, out: m.sum_to(g, h), NO_GRADIENT),
            (lambda m, t, h, x, out: m.broadcast_like(t, x), NO_GRADIENT),
            "g broadcast to the shape of x", sympy=lambda g, x: g, shape_identity=True,
            unicode="{0}", latex="{0}"),
    _tensor("eye_like", 1, T.eye_kernel, T.eye_shape, (NO_GRADIENT,), (NO_GRADIENT,),
            "the identity matrix of the shape of a square matrix x", unicode="I", latex="I"),
    _tensor("det", 1, np.linalg.det, T.square_shape("det"), (T.det_vjp,),
            (lambda m, t, a, out: out * m.tr(m.matmul(m.inv(a), t)),),
            "determinant of a square matrix", latex="\\det\\left({0}\\right)",
            expansion=T.det_expansion),
    _tensor("inv", 1, _ignore_linalg_errors(np.linalg.inv), T.inv_shape, (T.inv_vjp,),
            (lambda m, t, a, out: -m.matmul(out, m.matmul(t, out)),),
            "inverse of a square matrix", latex="{{{0}}}^{{-1}}", unicode="{0}⁻¹",
            domain=_singular, domain_message="inverse of a singular matrix",
            expansion=T.inv_expansion),
    _tensor("logdet", 1, T.logdet_kernel, T.square_shape("logdet"), (T.logdet_vjp,),
            (lambda m, t, a, out: m.tr(m.matmul(m.inv(a), t)),),
            "log det of a square matrix with a positive determinant",
            latex="\\log\\det\\left({0}\\right)",
            domain=lambda a: np.linalg.det(a) <= 0,
            domain_message="logdet of a matrix whose determinant is not positive",
            expansion=lambda m, a: m.log(m.det(a))),
]


# --- the table --------------------------------------------------------------------------

_TABLE: list[Op] = [
    Op("add", 2, np.add, lambda a, b: a + b,
       (lambda m, a, b, out: 1, lambda m, a, b, out: 1),
       "{0} + {1}", "{0} + {1}", "{0} + {1}", infix=True, doc="a + b",
       mpmath=lambda a, b: a + b, precedence=SUM, associativity="full", ufuncs=("add",),
       dunder="add", code=_both("({0} + {1})", "fadd double {0}, {1}"), commutative=True,
       scalar=operator.add,
       identities=(Identity(0, 0, _same), Identity(1, 0, _same))),
    Op("sub", 2, np.subtract, lambda a, b: a - b,
       (lambda m, a, b, out: 1, lambda m, a, b, out: -1),
       "{0} - {1}", "{0} - {1}", "{0} − {1}", infix=True, doc="a - b",
       mpmath=lambda a, b: a - b, precedence=SUM, associativity="left",
       ufuncs=("subtract",), dunder="sub", code=_both("({0} - {1})", "fsub double {0}, {1}"),
       scalar=operator.sub,
       identities=(Identity(1, 0, _same), Identity(0, 0, _negated))),
    Op("mul", 2, np.multiply, lambda a, b: a * b,
       (lambda m, a, b, out: b, lambda m, a, b, out: a),
       "{0}*{1}", "{0} \\cdot {1}", "{0}·{1}", infix=True, doc="a * b",
       mpmath=lambda a, b: a * b, precedence=PRODUCT, associativity="full",
       ufuncs=("multiply",), dunder="mul", code=_both("({0} * {1})", "fmul double {0}, {1}"),
       scalar=operator.mul,
       commutative=True,
       tensor_templates=MappingProxyType({"unicode": "{0} ⊙ {1}", "latex": "{0} \\odot {1}"}),
       identities=(Identity(0, 0, _zero), Identity(1, 0, _zero), Identity(0, 1, _same),
                   Identity(1, 1, _same), Identity(0, -1, _negated),
                   Identity(1, -1, _negated))),
    Op("div", 2, np.divide, lambda a, b: a / b,
       (lambda m, a, b, out: 1 / b, lambda m, a, b, out: -a / b**2),
       "{0}/{1}", "\\frac{{{0}}}{{{1}}}", "{0}/{1}", infix=True,
       domain=lambda a, b: np.asarray(b) == 0, domain_message="division by zero",
       doc="a / b", mpmath=_mp_div, precedence=PRODUCT, associativity="left",
       kinks=lambda m, a, b: (b,), ufuncs=("true_divide", "divide"), dunder="truediv",
       code=_both("({0} / {1})", "fdiv double {0}, {1}"), domain_free=_div_domain_free,
       scalar=operator.truediv,
       identities=(Identity(1, 1, _same), Identity(0, 0, _zero))),
    Op("neg", 1, np.negative, lambda a: -a, (lambda m, a, out: -1,),
       "-{0}", "-{0}", "−{0}", doc="-a (unary minus)", mpmath=lambda a: -a,
       precedence=PREFIX, ufuncs=("negative",), involution=True, dunder="neg", scalar=operator.neg,
       code=_both("(-{0})", "fneg double {0}")),
    # A program's alias line `v1 = x` is a row of its own (textbook traces have them):
    # the node that line makes.  It prints as its argument.
    Op("copy", 1, np.positive, lambda a: a, (lambda m, a, out: 1,),
       "{0}", "{0}", "{0}", doc="the same value as a new node (an alias line v = x)",
       mpmath=lambda a: a, ufuncs=("positive",), alias=True, scalar=operator.pos,
       code=_both("{0}", "fmul double {0}, 1.0")),
    Op("pow", 2, _np_pow, lambda a, b: a**b,
       (lambda m, a, b, out: _power_rule(a, b), lambda m, a, b, out: _exponent_rule(m, a, out)),
       "{0}**{1}", "{0}^{{{1}}}", "{0}^{1}", infix=True,
       domain=_pow_domain,
       domain_message="power of a negative base with a non-integer exponent, or of 0 "
       "with a negative exponent",
       doc="a ** b (also written a ^ b); the exponent may be a variable",
       mpmath=_mp_pow, precedence=POWER, associativity="right",
       kinks=lambda m, a, b: (a,), ufuncs=("power",), dunder="pow",
       code={backend: _pow_code(backend) for backend in ("math", "numpy", "llvm")},
       domain_free=_pow_domain_free,
       identities=(Identity(1, 1, _same), Identity(1, 0, _one))),
    _unary("exp", np.exp, sympy.exp, lambda m, a, out: out, "e^{{{0}}}", "e^x",
           unicode="exp({0})", mpmath=_mp_exp, ufuncs=("exp",), sympy_heads=(sympy.exp,),
           code=_calls("math.exp", "np.exp", "@llvm.exp.f64")),
    _unary("log", np.log, sympy.log, lambda m, a, out: 1 / a, "\\ln{{\\left({0}\\right)}}",
           "natural logarithm (ln is an alias)", unicode="ln({0})",
           domain=lambda a: np.asarray(a) <= 0, domain_message="log of a non-positive number",
           mpmath=_mp_log, kinks=_itself, ufuncs=("log",), sympy_heads=(sympy.log,),
           words=("ln",),
           code=_calls("math.log", "np.log", "@llvm.log.f64")),
    _unary("sqrt", np.sqrt, sympy.sqrt, lambda m, a, out: 1 / (2 * out), "\\sqrt{{{0}}}",
           "square root", unicode="√{0}",
           domain=lambda a: np.asarray(a) < 0, domain_message="sqrt of a negative number",
           mpmath=_mp_sqrt, kinks=_itself, ufuncs=("sqrt",), scalar=math.sqrt,
           code=_calls("math.sqrt", "np.sqrt", "@llvm.sqrt.f64")),
    _unary("sin", np.sin, sympy.sin, lambda m, a, out: m.cos(a),
           "\\sin{{\\left({0}\\right)}}", "sine", mpmath=_mp_trig(mpmath.sin), scalar=math.sin,
           ufuncs=("sin",), sympy_heads=(sympy.sin,),
           code=_calls("math.sin", "np.sin", "@llvm.sin.f64")),
    _unary("cos", np.cos, sympy.cos, lambda m, a, out: -m.sin(a),
           "\\cos{{\\left({0}\\right)}}", "cosine", mpmath=_mp_trig(mpmath.cos), scalar=math.cos,
           ufuncs=("cos",), sympy_heads=(sympy.cos,),
           code=_calls("math.cos", "np.cos", "@llvm.cos.f64")),
    _unary("tan", np.tan, sympy.tan, lambda m, a, out: 1 + out**2,
           "\\tan{{\\left({0}\\right)}}", "tangent", mpmath=_mp_trig(mpmath.tan),
           kinks=lambda m, a: (m.cos(a),), ufuncs=("tan",), sympy_heads=(sympy.tan,),
           words=("tg",),
           code=_calls("math.tan", "np.tan", "@tan")),
    _unary("tanh", np.tanh, sympy.tanh, lambda m, a, out: 1 - out**2,
           "\\tanh{{\\left({0}\\right)}}", "hyperbolic tangent", mpmath=mpmath.tanh,
           ufuncs=("tanh",), sympy_heads=(sympy.tanh,), words=("th",),
           code=_calls("math.tanh", "np.tanh", "@tanh")),
    _unary("sinh", np.sinh, sympy.sinh, lambda m, a, out: m.cosh(a),
           "\\sinh{{\\left({0}\\right)}}", "hyperbolic sine",
           mpmath=_mp_hyperbolic(mpmath.sinh), ufuncs=("sinh",), sympy_heads=(sympy.sinh,),
           words=("sh",),
           code=_calls("math.sinh", "np.sinh", "@sinh")),
    _unary("cosh", np.cosh, sympy.cosh, lambda m, a, out: m.sinh(a),
           "\\cosh{{\\left({0}\\right)}}", "hyperbolic cosine",
           mpmath=_mp_hyperbolic(mpmath.cosh), ufuncs=("cosh",), sympy_heads=(sympy.cosh,),
           words=("ch",),
           code=_calls("math.cosh", "np.cosh", "@cosh")),
    _unary("sech", lambda a: 1 / np.cosh(a), sympy.sech, lambda m, a, out: -out * m.tanh(a),
           "\\operatorname{{sech}}\\left({0}\\right)", "hyperbolic secant 1/cosh",
           mpmath=_mp_hyperbolic(mpmath.sech), sympy_heads=(sympy.sech,),
           code=_reciprocal("math.cosh", "np.cosh", "@cosh")),
    _unary("coth", lambda a: 1 / np.tanh(a), sympy.coth, lambda m, a, out: 1 - out**2,
           "\\coth{{\\left({0}\\right)}}", "hyperbolic cotangent",
           domain=lambda a: np.asarray(a) == 0, domain_message="coth of 0",
           mpmath=_mp_pole_at_zero(mpmath.coth, "coth"), kinks=_itself,
           sympy_heads=(sympy.coth,), words=("cth",),
           code=_reciprocal("math.tanh", "np.tanh", "@tanh")),
    _unary("cot", lambda a: 1 / np.tan(a), sympy.cot, lambda m, a, out: -(1 + out**2),
           "\\cot{{\\left({0}\\right)}}", "cotangent",
           domain=lambda a: np.asarray(a) == 0, domain_message="cot of 0",
           mpmath=_mp_pole_at_zero(_mp_trig(mpmath.cot), "cot"),
           kinks=lambda m, a: (m.sin(a),), sympy_heads=(sympy.cot,), words=("ctg", "cotg"),
           code=_reciprocal("math.tan", "np.tan", "@tan")),
    _unary("sec", lambda a: 1 / np.cos(a), sympy.sec, lambda m, a, out: out * m.tan(a),
           "\\sec{{\\left({0}\\right)}}", "secant 1/cos", mpmath=_mp_trig(mpmath.sec),
           kinks=lambda m, a: (m.cos(a),), sympy_heads=(sympy.sec,),
           code=_reciprocal("math.cos", "np.cos", "@cos")),
    _unary("csc", lambda a: 1 / np.sin(a), sympy.csc, lambda m, a, out: -out * m.cot(a),
           "\\csc{{\\left({0}\\right)}}", "cosecant 1/sin",
           domain=lambda a: np.asarray(a) == 0, domain_message="csc of 0",
           mpmath=_mp_pole_at_zero(_mp_trig(mpmath.csc), "csc"),
           kinks=lambda m, a: (m.sin(a),), sympy_heads=(sympy.csc,), words=("cosec",),
           code=_reciprocal("math.sin", "np.sin", "@sin")),
    _unary("asin", np.arcsin, sympy.asin, lambda m, a, out: 1 / m.sqrt(1 - a**2),
           "\\arcsin{{\\left({0}\\right)}}", "inverse sine (arcsin)",
           domain=lambda a: np.abs(a) > 1, domain_message="asin of a number outside [-1, 1]",
           mpmath=_mp_in_unit_interval(mpmath.asin, "asin"),
           kinks=lambda m, a: (a - 1, a + 1), ufuncs=("arcsin",), sympy_heads=(sympy.asin,),
           words=("arcsin",),
           code=_calls("math.asin", "np.arcsin", "@asin")),
    _unary("acos", np.arccos, sympy.acos, lambda m, a, out: -1 / m.sqrt(1 - a**2),
           "\\arccos{{\\left({0}\\right)}}", "inverse cosine (arccos)",
           domain=lambda a: np.abs(a) > 1, domain_message="acos of a number outside [-1, 1]",
           mpmath=_mp_in_unit_interval(mpmath.acos, "acos"),
           kinks=lambda m, a: (a - 1, a + 1), ufuncs=("arccos",), sympy_heads=(sympy.acos,),
           words=("arccos",),
           code=_calls("math.acos", "np.arccos", "@acos")),
    _unary("atan", np.arctan, sympy.atan, lambda m, a, out: 1 / (1 + a**2),
           "\\arctan{{\\left({0}\\right)}}", "inverse tangent (arctan, arctg)",
           mpmath=mpmath.atan, ufuncs=("arctan",), sympy_heads=(sympy.atan,),
           words=("arctan", "arctg"),
           code=_calls("math.atan", "np.arctan", "@atan")),
    _unary("asinh", np.arcsinh, sympy.asinh, lambda m, a, out: 1 / m.sqrt(a**2 + 1),
           "\\operatorname{{arsinh}}\\left({0}\\right)", "inverse hyperbolic sine",
           mpmath=mpmath.asinh, ufuncs=("arcsinh",), sympy_heads=(sympy.asinh,),
           words=("arsinh", "arcsinh"),
           code=_calls("math.asinh", "np.arcsinh", "@asinh")),
    _unary("acosh", np.arccosh, sympy.acosh, lambda m, a, out: 1 / m.sqrt(a**2 - 1),
           "\\operatorname{{arcosh}}\\left({0}\\right)", "inverse hyperbolic cosine",
           domain=lambda a: np.asarray(a) < 1, domain_message="acosh of a number below 1",
           mpmath=_mp_acosh, kinks=lambda m, a: (a - 1,), ufuncs=("arccosh",),
           sympy_heads=(sympy.acosh,), words=("arcosh", "arccosh"),
           code=_calls("math.acosh", "np.arccosh", "@acosh")),
    _unary("atanh", np.arctanh, sympy.atanh, lambda m, a, out: 1 / (1 - a**2),
           "\\operatorname{{artanh}}\\left({0}\\right)", "inverse hyperbolic tangent",
           domain=lambda a: np.abs(a) >= 1,
           domain_message="atanh of a number outside (-1, 1)",
           mpmath=_mp_in_unit_interval(mpmath.atanh, "atanh", closed=False),
           kinks=lambda m, a: (a - 1, a + 1), ufuncs=("arctanh",),
           sympy_heads=(sympy.atanh,), words=("artanh", "arctanh"),
           code=_calls("math.atanh", "np.arctanh", "@atanh")),
    _unary("cbrt", np.cbrt, lambda a: sympy.sign(a) * sympy.Abs(a) ** sympy.Rational(1, 3),
           lambda m, a, out: 1 / (3 * out**2), "\\sqrt[3]{{{0}}}",
           "real cube root (negative for a negative argument)", unicode="∛{0}",
           mpmath=_mp_real_cbrt, kinks=_itself, ufuncs=("cbrt",),
           code=_calls("math.cbrt", "np.cbrt", "@cbrt")),
    _unary("softplus", lambda a: np.logaddexp(0.0, a), lambda a: sympy.log(1 + sympy.exp(a)),
           lambda m, a, out: m.sigmoid(a), "\\operatorname{{softplus}}\\left({0}\\right)",
           "log(1 + e^z), a smooth ReLU (numerically stable)",
           mpmath=lambda a: mpmath.log1p(mpmath.exp(a)) if a < 0 else
           a + mpmath.log1p(mpmath.exp(-a)),
           code={**_calls("_softplus", None), "numpy": "np.logaddexp(0.0, {0})", "llvm": (
               "call double @llvm.fabs.f64(double {0})", "fneg double {t0}",
               "call double @llvm.exp.f64(double {t1})", "call double @log1p(double {t2})",
               "fcmp ogt double {0}, 0.0", "select i1 {t4}, double {0}, double 0.0",
               "fadd double {t5}, {t3}")}),
    _unary("sigmoid", _np_sigmoid, lambda a: 1 / (1 + sympy.exp(-a)),
           lambda m, a, out: out * (1 - out), "\\sigma\\left({0}\\right)",
           "logistic sigmoid 1/(1 + e^-z), numerically stable", unicode="σ({0})",
           mpmath=_mp_sigmoid, words=("σ", "sigma"),
           code={**_calls("_sigmoid", None), "llvm": (
               "fcmp oge double {0}, 0.0", "call double @llvm.fabs.f64(double {0})",
               "fneg double {t1}", "call double @llvm.exp.f64(double {t2})",
               "fadd double 1.0, {t3}", "select i1 {t0}, double 1.0, double {t3}",
               "fdiv double {t5}, {t4}")}),
    # relu' = 1 - step(-z): 1 for z > 0 and 0 for z <= 0 (relu'(0) = 0).
    _unary("relu", _np_relu, lambda a: sympy.Max(0, a), lambda m, a, out: _positive_part(m, a),
           "\\operatorname{{ReLU}}\\left({0}\\right)", "max(0, z)", unicode="ReLU({0})",
           mpmath=lambda a: a if a > 0 else mpmath.mpf(0), kinks=_itself, words=("ReLU",),
           scalar=_float_relu,
           code={"math": "({0} if {0} > 0.0 else 0.0)", "numpy": "np.maximum({0}, 0.0)",
                 "llvm": ("fcmp ogt double {0}, 0.0", "select i1 {t0}, double {0}, double 0.0")}),
    Op("leaky_relu", 2, _np_leaky_relu,
       # relu(a) - alpha*relu(-a): a for a > 0, alpha*a below, in sympy functions that
       # from_sympy reads back (a Piecewise would not be).
       lambda a, alpha: sympy.Max(0, a) - alpha * sympy.Max(0, -a),
       (lambda m, a, alpha, out: alpha + (1 - alpha) * _positive_part(m, a),
        lambda m, a, alpha, out: a - m.relu(a)),
       "leaky_relu({0}, {1})", "\\operatorname{{LeakyReLU}}_{{{1}}}\\left({0}\\right)",
       "LeakyReLU({0}, {1})", defaults=(sympy.Rational(1, 100),),
       doc="z if z > 0 else alpha*z (alpha defaults to 0.01)",
       mpmath=lambda a, alpha: a if a > 0 else alpha * a, kinks=_itself, scalar=_float_leaky_relu,
       words=("LeakyReLU",), code={"math": "({0} if {0} > 0.0 else {1} * {0})", "llvm": (
           "fcmp ogt double {0}, 0.0", "fmul double {1}, {0}",
           "select i1 {t0}, double {0}, double {t1}")}),
    _unary("abs", np.abs, sympy.Abs, lambda m, a, out: m.sign(a),
           "\\left|{0}\\right|", "absolute value", unicode="|{0}|", mpmath=abs,
           kinks=_itself, ufuncs=("absolute",), sympy_heads=(sympy.Abs,), words=("Abs",),
           scalar=abs,
           dunder="abs",
           code=_calls("abs", "np.abs", "@llvm.fabs.f64")),
    Op("max", 2, np.maximum, sympy.Max,
       (lambda m, a, b, out: m.step(a - b), lambda m, a, b, out: 1 - m.step(a - b)),
       "max({0}, {1})", "\\max\\left({0}, {1}\\right)", "max({0}, {1})",
       doc="larger of a and b (ties: derivative to a)",
       mpmath=lambda a, b: a if a >= b else b, kinks=lambda m, a, b: (a - b,),
       ufuncs=("maximum",), sympy_heads=(sympy.Max,), words=("Max",), scalar=_float_max,
       code={"math": "({0} if {0} >= {1} else {1})", "numpy": "np.maximum({0}, {1})",
             "llvm": ("fcmp oge double {0}, {1}", "select i1 {t0}, double {0}, double {1}")}),
    Op("min", 2, np.minimum, sympy.Min,
       (lambda m, a, b, out: m.step(b - a), lambda m, a, b, out: 1 - m.step(b - a)),
       "min({0}, {1})", "\\min\\left({0}, {1}\\right)", "min({0}, {1})",
       doc="smaller of a and b (ties: derivative to a)",
       mpmath=lambda a, b: a if a <= b else b, kinks=lambda m, a, b: (a - b,),
       ufuncs=("minimum",), sympy_heads=(sympy.Min,), words=("Min",), scalar=_float_min,
       code={"math": "({0} if {0} <= {1} else {1})", "numpy": "np.minimum({0}, {1})",
             "llvm": ("fcmp ole double {0}, {1}", "select i1 {t0}, double {0}, double {1}")}),
    _unary("step", _np_step, lambda a: sympy.Heaviside(a, 1), lambda m, a, out: 0,
           "\\theta\\left({0}\\right)", "1 if z >= 0 else 0; derivative 0",
           mpmath=lambda a: mpmath.mpf(1) if a >= 0 else mpmath.mpf(0), kinks=_itself,
           sympy_heads=(sympy.Heaviside,), words=("Heaviside",), scalar=_float_step,
           code={"math": "(1.0 if {0} >= 0.0 else 0.0)",
                 "llvm": ("fcmp oge double {0}, 0.0", "select i1 {t0}, double 1.0, double 0.0")}),
    _unary("sign", np.sign, sympy.sign, lambda m, a, out: 0,
           "\\operatorname{{sign}}\\left({0}\\right)", "-1, 0 or 1; derivative 0",
           mpmath=_mp_sign, kinks=_itself, ufuncs=("sign",), sympy_heads=(sympy.sign,),
           scalar=_float_sign,
           words=("sgn",),
           code={**_calls("_sign", "np.sign"), "llvm": (
               "fcmp ogt double {0}, 0.0", "fcmp olt double {0}, 0.0",
               "select i1 {t1}, double -1.0, double 0.0",
               "select i1 {t0}, double 1.0, double {t2}")}),
    *_TENSOR_TABLE,
]
