"""Every derivative method, registered once: what ``grad``, the diff report, the command
line, the drawings and the notebooks loop over.

A :class:`Method` names its engine and the type of the engine's result, says whether it
is exact and whether it needs a point, and does two jobs the same way for every method:
``gradient`` (∂y/∂x for every input, as :func:`graphdiff.grad` returns it) and ``run``
(the derivatives, the JSON-ready trace and the worked results of ``graphdiff diff``).
Adding a method is one :func:`register_method` call.

>>> list(METHODS)
['paths', 'forward', 'reverse', 'symbolic', 'numeric']
>>> METHODS["forward"].result_type.__name__, METHODS["numeric"].exact
('ForwardResult', False)
>>> import graphdiff as gd
>>> METHODS["paths"].gradient(gd.parse("x*y"), {"x": 2.0, "y": 3.0}, "w3")
{'x': 3.0, 'y': 2.0}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy

from ..errors import GraphdiffError
from ..graph import Graph
from ..ops import as_expr
from ..printing import expr_text, iverson, node_labels
from ._sweep import one_point, scalar_only
from .differences import numeric_diff, split_entries
from .forward import ForwardResult, forward, forward_jacobian
from .numeric import NumericGradient
from .paths import DEFAULT_PATH_LIMIT, PathsResult, count_paths, listable, path_sum, paths
from .reverse import ReverseResult, reverse, reverse_gradient
from .scalarize import through_entries
from .symbolic import evaluate_expr, readable, symbolic_diff

#: A point: input name -> number (or numpy array for a batch).
Point = Mapping[str, Any] | None
#: How a method takes graphs with tensor nodes (its ``tensors`` column).
TENSOR_SUPPORT = ("native", "entries", "refuse")


@dataclass(frozen=True)
class MethodRun:
    """What one method did for the diff report.

    Attributes
    ----------
    derivatives : dict
        Input -> ``{"symbolic": str | None, "value": float | None}``.
    trace : Any
        The method's worked steps as JSON-ready data (schema in :mod:`~graphdiff.derive.report`).
    work : tuple
        The work to show, in order: results with a worked table (``ForwardResult``,
        ``ReverseResult``, ``PathsResult``) and lines of text.
    """

    derivatives: dict[str, dict[str, Any]]
    trace: Any
    work: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Method:
    """One way of differentiating a graph.

    Attributes
    ----------
    name : str
        As ``grad(method=...)`` and ``graphdiff diff --method`` take it.
    description : str
        One line for docs and ``--help``.
    engine : callable
        The public function that runs the method (``graphdiff.forward``, ...).
    result_type : type
        What ``engine`` returns.
    exact : bool
        False for approximations (finite differences), which agree only to a tolerance.
    needs_point : bool
        Whether the method needs ``at`` (it has no symbolic form).
    gradient : callable
        ``gradient(graph, at, output) -> {input: derivative}``, as :func:`graphdiff.grad`.
    run : callable
        ``run(graph, wrt, at, output) -> MethodRun``, for the diff report.
    draws : str or None
        What a drawing shows of a result handed to it: ``"tangents"``, ``"adjoints"``
        or ``"paths"`` (None: a drawing is not handed this method's results).
    tensors : str
        How the method takes graphs with tensor nodes: ``"native"`` (as they are, with
        matrices in the sweeps: forward, reverse, numeric), ``"entries"`` (through the
        elementwise expansion :func:`~graphdiff.scalarize`, each input's derivative
        gathered back into its shape: paths, symbolic) or ``"refuse"`` (the default for
        a registered method, which :meth:`check` refuses tensor graphs for, naming it).
        ``True`` and ``False`` are read as ``"native"`` and ``"refuse"``.
    """

    name: str
    description: str
    engine: Callable[..., Any]
    result_type: type
    exact: bool
    needs_point: bool
    gradient: Callable[[Graph, Point, str], dict[str, Any]]
    run: Callable[[Graph, list[str], Point, str], MethodRun]
    draws: str | None = None
    tensors: str = "refuse"

    def __post_init__(self) -> None:
        if isinstance(self.tensors, bool):
            object.__setattr__(self, "tensors", "native" if self.tensors else "refuse")
        if self.tensors not in TENSOR_SUPPORT:
            raise GraphdiffError(f"tensors must be one of {', '.join(TENSOR_SUPPORT)}, "
                                 f"not {self.tensors!r}")

    def check(self, graph: Graph) -> None:
        """Refuse ``graph`` if it has tensor nodes and the method takes scalar graphs only.

        >>> import graphdiff as gd
        >>> g = gd.parse("sum(X)", shapes={"X": (2, 2)})
        >>> METHODS["reverse"].check(g)
        >>> METHODS["symbolic"].check(g)
        >>> import dataclasses
        >>> dataclasses.replace(METHODS["symbolic"], tensors="refuse").check(g)
        Traceback (most recent call last):
        ...
        graphdiff.errors.GraphdiffError: the symbolic method works on scalar graphs; ...
        """
        if self.tensors == "refuse":
            scalar_only(graph, f"the {self.name} method")

    def differentiate(self, graph: Graph, at: Point, output: str) -> dict[str, Any]:
        """∂output/∂x for every input x, as :func:`graphdiff.grad` returns it: the
        method's ``gradient``, through the elementwise expansion for a tensor graph when
        its ``tensors`` column says so (each derivative then has its input's shape).

        >>> import graphdiff as gd
        >>> METHODS["symbolic"].differentiate(gd.parse("X: 1x2\\nL = sum(X*X)"), None, "L")
        {'X': Matrix([[2*x11, 2*x12]])}
        """
        if graph.is_tensor and self.tensors == "entries":
            return through_entries(self.gradient, graph, at, output)
        self.check(graph)
        return self.gradient(graph, at, output)


_REGISTRY: dict[str, Method] = {}
#: Every derivative method by name, in the order ``graphdiff diff --method all`` shows them.
METHODS: Mapping[str, Method] = MappingProxyType(_REGISTRY)


def register_method(method: Method) -> Method:
    """Add ``method``; ``grad``, the diff report and the command line know it at once.

    >>> register_method(METHODS["forward"])
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: a method named 'forward' already exists
    """
    if method.name in _REGISTRY:
        raise GraphdiffError(f"a method named {method.name!r} already exists")
    _REGISTRY[method.name] = method
    return method


def unregister_method(name: str) -> None:
    """Remove a method added with :func:`register_method` (the built-in ones stay).

    >>> unregister_method("reverse")
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: reverse is built in and cannot be removed
    """
    if name in _BUILTIN:
        raise GraphdiffError(f"{name} is built in and cannot be removed")
    if _REGISTRY.pop(name, None) is None:
        raise GraphdiffError(f"there is no method named {name!r}")


def get_method(name: str) -> Method:
    """The method called ``name``.

    >>> get_method("secant")
    Traceback (most recent call last):
    ...
    graphdiff.errors.GraphdiffError: method must be one of paths, forward, ..., not 'secant'
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise GraphdiffError(f"method must be one of {', '.join(_REGISTRY)}, "
                             f"not {name!r}") from None


def method_of(result: Any) -> Method | None:
    """The method whose engine returned ``result`` (None for anything else).

    >>> import graphdiff as gd
    >>> method_of(gd.reverse(gd.parse("x*y"))).name, method_of(42)
    ('reverse', None)
    """
    return next((m for m in _REGISTRY.values() if isinstance(result, m.result_type)), None)


# --- the report's numbers and text ----------------------------------------------------------


def number(value: Any) -> float | list[Any] | None:
    """A value as JSON holds it: a float, a list for a batch, None for none.

    >>> number(np.float64(2.5)), number(np.array([1, 2])), number(None)
    (2.5, [1.0, 2.0], None)
    """
    if value is None:
        return None
    if np.ndim(value) > 0:
        return np.asarray(value, dtype=float).tolist()
    return float(value)


def _text(expr: Any) -> str | None:
    """A derivative as the report prints it: sympy's text, steps as the seeds write them
    (relu' is ``[x > 0]``, not ``1 - Heaviside(-x, 1)``).

    >>> import sympy
    >>> _text(1 - sympy.Heaviside(-sympy.Symbol("x"), 1)), _text(None)
    ('[x > 0]', None)
    """
    return None if expr is None else str(iverson(expr))


# --- paths (seed 004) -------------------------------------------------------------------------


def _paths_gradient(graph: Graph, at: Point, output: str) -> dict[str, Any]:
    result = {}
    for x in graph.inputs:
        if listable(graph, count_paths(graph, x, output)):
            # Listed paths, multiplied out one by one: independent of forward mode.
            result[x] = paths(graph, x, at, output=output).derivative
        else:
            result[x] = path_sum(graph, x, at, output=output)
    return result


def _paths_run(graph: Graph, wrt: list[str], at: Point, output: str) -> MethodRun:
    derivatives, trace, work = {}, {}, []
    for name in wrt:
        count = count_paths(graph, name, output)
        if not listable(graph, count):
            value = path_sum(graph, name, at, output=output)
            derivatives[name] = {"symbolic": None if at is not None else _text(value),
                                 "value": number(value) if at is not None else None}
            trace[name] = {"count": count, "paths": None}
            long = f" of up to {graph.depth:,} edges" if count <= DEFAULT_PATH_LIMIT else ""
            work.append(f"  ({count:,} path{'s' * (count != 1)}{long} from {name}: too many "
                        "to list; the value is their sum by dynamic programming)")
            continue
        result = paths(graph, name, at, output=output)
        derivatives[name] = {"symbolic": _text(result.symbolic_derivative),
                             "value": number(result.derivative) if at is not None else None}
        trace[name] = {"count": count, "paths": [
            {"path": list(p.names), "factors": [str(f) for f in p.factors],
             "product": str(p.product), "value": number(p.value)}
            for p in result.paths
        ]}
        work.append(result)
    return MethodRun(derivatives, trace, tuple(work))


# --- forward mode (seed 003) ------------------------------------------------------------------


def _forward_gradient(graph: Graph, at: Point, output: str) -> dict[str, Any]:
    out = graph.id(output)
    if graph.is_tensor and at is not None:
        return {x: _forward_entries(graph, x, at, out) for x in graph.inputs}
    if at is not None and one_point(graph, at) is not None:
        # One sweep whose tangents are vectors over the inputs, not one sweep per input.
        (row,) = forward_jacobian(graph, at, outputs=[output])
        return {x: float(d) for x, d in zip(graph.inputs, row, strict=True)}
    return {x: forward(graph, wrt=x, at=at).output_tangent(out) for x in graph.inputs}


def _forward_entries(graph: Graph, x: str, at: Point, out: int) -> Any:
    """∂out/∂x of a scalar output by forward mode: one sweep per entry of ``x`` (a unit
    direction each), shaped like ``x``."""
    shape = graph.shape(x)
    if not shape:
        return forward(graph, wrt=x, at=at).output_tangent(out)
    if graph.shape(out):
        raise GraphdiffError("a gradient needs a scalar output; use jvp or vjp for "
                             f"{graph.name(out)}, which is {'×'.join(map(str, graph.shape(out)))}")
    entries = []
    for k in range(int(np.prod(shape))):
        unit = np.zeros(shape)
        unit.flat[k] = 1.0
        entries.append(forward(graph, at=at, direction={x: unit}).output_tangent(out))
    stacked = np.stack([np.asarray(e, dtype=float) for e in entries], axis=-1)
    return stacked.reshape(stacked.shape[:-1] + shape)


def _forward_run(graph: Graph, wrt: list[str], at: Point, output: str) -> MethodRun:
    derivatives, trace, work = {}, {}, []
    node = graph.id(output)
    for name in wrt:
        symbolic = forward(graph, wrt=name)
        numeric = forward(graph, wrt=name, at=at) if at is not None else None
        derivatives[name] = {
            "symbolic": _text(symbolic.output_tangent(node)),
            "value": number(numeric.output_tangent(node)) if numeric else None,
        }
        rows = []
        labels = node_labels(graph)
        for n in graph.order:
            rule = symbolic.rules[n]
            rows.append({
                "node": graph.name(n), "label": labels[n], "definition": graph.formula(n),
                "value": number(numeric.values[n]) if numeric else None,
                "rule": None if rule is None else expr_text(rule, written=True),
                "tangent": number(numeric.tangents[n]) if numeric else
                _text(as_expr(symbolic.tangents[n])),
            })
        trace[name] = rows
        work.append(numeric or symbolic)
    return MethodRun(derivatives, trace, tuple(work))


# --- reverse mode (seed 003) ------------------------------------------------------------------


def _reverse_gradient(graph: Graph, at: Point, output: str) -> dict[str, Any]:
    return reverse_gradient(graph, at, output=output)


def _reverse_run(graph: Graph, wrt: list[str], at: Point, output: str) -> MethodRun:
    symbolic = reverse(graph, output=output)
    numeric = reverse(graph, output=output, at=at) if at is not None else None
    derivatives = {name: {"symbolic": _text(symbolic.adjoint(name)),
                          "value": number(numeric.adjoint(name)) if numeric else None}
                   for name in wrt}
    rows = []
    labels = node_labels(graph)
    for n in reversed(graph.order):
        rows.append({
            "node": graph.name(n), "label": labels[n], "definition": graph.formula(n),
            "value": number(numeric.values[n]) if numeric else None,
            "rule": expr_text(symbolic.rules[n], written=True),
            "adjoint": number(numeric.adjoints[n]) if numeric else
            _text(as_expr(symbolic.adjoints[n])),
        })
    return MethodRun(derivatives, rows, (numeric or symbolic,))


# --- the references: sympy and finite differences ---------------------------------------------


def _symbolic_gradient(graph: Graph, at: Point, output: str) -> dict[str, Any]:
    derivatives = {x: symbolic_diff(graph, x, output=output) for x in graph.inputs}
    if at is None:
        return derivatives
    return {x: evaluate_expr(d, graph, at) for x, d in derivatives.items()}


def _symbolic_run(graph: Graph, wrt: list[str], at: Point, output: str) -> MethodRun:
    derivatives, trace, work = {}, {}, []
    for name in wrt:
        expr = symbolic_diff(graph, name, output=output)
        derivatives[name] = {"symbolic": _text(expr),
                             "value": number(evaluate_expr(expr, graph, at)) if at else None}
        trace[name] = {"readable": _text(readable(expr))}
        work.append(f"  readable: ∂{output}/∂{name} = {trace[name]['readable']}")
    return MethodRun(derivatives, trace, tuple(work))


def _numeric_gradient(graph: Graph, at: Point, output: str) -> dict[str, Any]:
    if at is None:
        raise GraphdiffError("the numeric method needs a point: pass at=")
    result = numeric_diff(graph, at, output=output)
    if graph.is_tensor:
        return {name: value[()] if np.ndim(value) == 0 else value
                for name, value in split_entries(graph, result.value).items()}
    return dict(zip(graph.inputs, (float(v) for v in result.value), strict=True))


def _numeric_run(graph: Graph, wrt: list[str], at: Point, output: str) -> MethodRun:
    if at is None:
        raise GraphdiffError("the numeric method needs a point: give --at")
    result = numeric_diff(graph, at, output=output)
    derivatives, trace, work = {}, {}, []
    for k, name in enumerate(graph.inputs):
        if name not in wrt:
            continue
        derivatives[name] = {"symbolic": None, "value": float(result.value[k])}
        trace[name] = {"step": float(result.steps[k]), "error_estimate": float(result.error[k])}
        work.append(f"  {name}: step h = {result.steps[k]:.3g}, "
                    f"error estimate {result.error[k]:.3g}")
    return MethodRun(derivatives, trace, tuple(work))


_BUILT_IN = (
    Method("paths", "the sum over paths of the edge-derivative products (seed 004)",
           paths, PathsResult, exact=True, needs_point=False,
           gradient=_paths_gradient, run=_paths_run, draws="paths", tensors="entries"),
    Method("forward", "forward mode: one sweep of tangents per input (seed 003)",
           forward, ForwardResult, exact=True, needs_point=False,
           gradient=_forward_gradient, run=_forward_run, draws="tangents", tensors="native"),
    Method("reverse", "reverse mode: one backward sweep of adjoints for the whole gradient",
           reverse, ReverseResult, exact=True, needs_point=False,
           gradient=_reverse_gradient, run=_reverse_run, draws="adjoints", tensors="native"),
    Method("symbolic", "sympy.diff of the whole expression: the independent reference",
           symbolic_diff, sympy.Expr, exact=True, needs_point=False,
           gradient=_symbolic_gradient, run=_symbolic_run, tensors="entries"),
    Method("numeric", "central differences with an error estimate (needs a point)",
           numeric_diff, NumericGradient, exact=False, needs_point=True,
           gradient=_numeric_gradient, run=_numeric_run, tensors="native"),
)
for _method in _BUILT_IN:
    register_method(_method)

_BUILTIN = frozenset(m.name for m in _BUILT_IN)
