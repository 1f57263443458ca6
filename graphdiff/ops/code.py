"""The ops as code for the compiled backends of :func:`graphdiff.compile` (the ``code``
column): the helpers that build it for the table, and :data:`CODE_GLOBALS`, the names that
code may use.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

# --- helpers that CODE_GLOBALS names: the ops on one float, without overflow ---------------


def _py_sigmoid(z: float) -> float:
    """σ(z) on one float, without overflow (as :func:`~graphdiff.ops.numeric._np_sigmoid`)."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _py_softplus(z: float) -> float:
    """log(1 + e^z) on one float, without overflow: max(z, 0) + log1p(e^-|z|)."""
    return (z if z > 0 else 0.0) + math.log1p(math.exp(-abs(z)))


def _py_sign(z: float) -> float:
    return 1.0 if z > 0 else -1.0 if z < 0 else 0.0 * z


# --- the ``code`` column, written for the ops of the table ---------------------------------

#: The names the ops' ``code`` templates may use.
CODE_GLOBALS: Mapping[str, Any] = MappingProxyType(
    {"math": math, "np": np, "_sigmoid": _py_sigmoid, "_sign": _py_sign,
     "_softplus": _py_softplus})


def _calls(math_name: str | None, numpy_name: str | None,
           llvm_name: str | None = None) -> dict[str, Any]:
    """``code`` of a one-argument op that is a function of ``math``, of numpy and (LLVM IR)
    an intrinsic or a C library function of one double."""
    code: dict[str, Any] = {}
    if math_name is not None:
        code["math"] = f"{math_name}({{0}})"
    if numpy_name is not None:
        code["numpy"] = f"{numpy_name}({{0}})"
    if llvm_name is not None:
        code["llvm"] = f"call double {llvm_name}(double {{0}})"
    return code


def _reciprocal(math_name: str, numpy_name: str, c_name: str) -> dict[str, Any]:
    """``1/f(a)``: coth, cot, sec, csc."""
    return {"math": f"(1.0 / {math_name}({{0}}))", "numpy": f"(1.0 / {numpy_name}({{0}}))",
            "llvm": (f"call double {c_name}(double {{0}})", "fdiv double 1.0, {t0}")}


def _both(template: str, llvm: str | None = None) -> dict[str, Any]:
    """The same code on floats and arrays (Python's operators), and its LLVM instruction."""
    code: dict[str, Any] = {"math": template, "numpy": template}
    if llvm is not None:
        code["llvm"] = llvm
    return code


def _pow_code(backend: str) -> Callable[[Sequence[str], Sequence[Any]], str]:
    """``a**b``: a constant exponent decides the code once (``x*x``, ``x**3``)."""

    def emit(args: Sequence[str], constants: Sequence[Any]) -> str:
        a, b = args
        k = constants[1]
        if backend == "llvm":
            if k is not None and k == 2:
                return f"fmul double {a}, {a}"
            if k is not None and k.is_integer and abs(k) <= 64:
                return f"call double @llvm.powi.f64.i32(double {a}, i32 {int(k)})"
            return f"call double @llvm.pow.f64(double {a}, double {b})"
        if k is not None and k == 2:
            return f"({a} * {a})"
        if backend == "numpy":
            return f"np.power({a}, {b})"
        if k is not None and k.is_integer and abs(k) <= 64:
            return f"({a} ** {int(k)})"  # a float to an int: ZeroDivisionError for 0**-1
        return f"math.pow({a}, {b})"  # ValueError outside the domain, unlike **

    return emit
