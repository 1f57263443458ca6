"""The convention at kinks: what the derivative is where it does not exist (a choice;
graphdiff's is documented and tested), and the switching expressions of the ``kinks``
column.

* ``step(z)`` is 1 for ``z >= 0`` and 0 for ``z < 0`` (seed 002; seed 003 sets
  ``step(0) = 0`` -- the two differ only at 0).  Its derivative is 0 everywhere,
  including at 0 where it does not exist.
* ``relu'(0) = 0`` (as PyTorch and micrograd), ``leaky_relu'(0) = alpha``,
  ``abs'(0) = sign(0) = 0``.
* ``max(a, b)`` and ``min(a, b)``: at a tie the whole derivative goes to the first
  argument, so ``max(0, z)`` has derivative 0 in ``z`` at ``z = 0``, like ``relu``.

:func:`kink_convention` switches relu's and leaky_relu's to seed 001's (see
:data:`KINK_CONVENTIONS`) for the derivatives built inside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

#: What a step in a derivative rule is worth at its kink, by the seed that writes it:
#: seed 004 writes ReLU's derivative [z > 0] (0 at z = 0), seed 001 writes I{t ≥ 0} (1).
KINK_CONVENTIONS: Mapping[str, str] = MappingProxyType({
    "seed004": "relu'(0) = 0, leaky_relu'(0) = alpha: the step [z > 0] (seed 004's)",
    "seed001": "relu'(0) = 1, leaky_relu'(0) = 1: the step I{z >= 0} (seed 001's)",
})
#: The convention in force: one dict, changed in place, so that every module that imports it
#: (graphdiff.compile) reads the current one.
_KINKS = {"convention": "seed004"}


def set_kink_convention(name: str) -> str:
    """Choose the convention at kinks for derivatives built from now on; returns the
    previous one.  See :data:`KINK_CONVENTIONS` and :func:`kink_convention`.

    >>> set_kink_convention("seed004")
    'seed004'
    """
    if name not in KINK_CONVENTIONS:
        raise ValueError(f"kink convention must be one of {', '.join(KINK_CONVENTIONS)}, "
                         f"not {name!r}")
    previous, _KINKS["convention"] = _KINKS["convention"], name
    return previous


@contextmanager
def kink_convention(name: str) -> Iterator[None]:
    """Derivatives built inside use convention ``name`` at kinks (then the previous one).

    The convention is read when a derivative is built -- a sweep, a derivative graph,
    compiled code -- and stays with what was built.

    >>> import graphdiff as gd
    >>> gd.grad(gd.parse("relu(x)"), {"x": 0.0})
    {'x': 0.0}
    >>> with gd.kink_convention("seed001"):
    ...     gd.grad(gd.parse("relu(x)"), {"x": 0.0})
    {'x': 1.0}
    """
    previous = set_kink_convention(name)
    try:
        yield
    finally:
        set_kink_convention(previous)


# --- what the table's rules and kinks columns use --------------------------------------------


def _positive_part(m: Any, a: Any) -> Any:
    """The step of ReLU's derivative under the current convention: [a > 0] or [a ≥ 0]."""
    return m.step(a) if _KINKS["convention"] == "seed001" else 1 - m.step(-a)


def _itself(m: Any, *args: Any) -> tuple[Any, ...]:
    """The switching expression of a one-argument op with a kink at 0: its argument."""
    return (args[0],)
