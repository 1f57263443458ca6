"""One derivative computation, every method, as data: what ``graphdiff diff`` prints.

:func:`diff_report` returns plain JSON-ready data with a stable, documented schema
(``docs/cli.md``), so other programs can rely on ``graphdiff diff --format json``.

Schema ``graphdiff.diff/1``::

    {
      "schema": "graphdiff.diff/1",
      "expression": str, "inputs": [str], "output": str,
      "at": {name: float} | null,
      "value": float | null,                 # the output at the point
      "results": [                            # one entry per method, in the order asked
        {
          "method": "paths" | "forward" | "reverse" | "symbolic" | "numeric",
          "derivatives": {input: {"symbolic": str | null, "value": float | null}},
          "trace": ...                        # the method's worked steps, see below
        }
      ]
    }

Traces: ``paths`` -> ``{input: {"count": int, "paths": [{"path": [str], "factors":
[str], "product": str, "value": float | null}] | null}}`` (``paths`` is null when there
are too many to list); ``forward`` -> ``{input: [{"node", "definition", "value", "rule",
"tangent"}]}``; ``reverse`` -> ``[{"node", "definition", "value", "rule", "adjoint"}]``;
``symbolic`` -> ``{input: {"readable": str}}``; ``numeric`` -> ``{input: {"step",
"error_estimate"}}``.

>>> import graphdiff as gd
>>> report = diff_report(gd.parse("x*y"), methods=["reverse"], at={"x": 2.0, "y": 3.0})
>>> report["results"][0]["derivatives"]
{'x': {'symbolic': 'y', 'value': 3.0}, 'y': {'symbolic': 'x', 'value': 2.0}}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import GraphdiffError
from ..graph import Graph
from ..ops import as_expr
from ..printing import expr_text
from ._sweep import output_id
from .forward import forward
from .paths import DEFAULT_PATH_LIMIT, count_paths, paths
from .reverse import reverse
from .symbolic import readable, symbolic_diff

SCHEMA = "graphdiff.diff/1"
#: Methods of ``graphdiff diff --method all``, in the order they are shown.
ALL_METHODS = ("paths", "forward", "reverse", "symbolic", "numeric")


def _number(value: Any) -> float | list[Any] | None:
    if value is None:
        return None
    if np.ndim(value) > 0:
        return np.asarray(value, dtype=float).tolist()
    return float(value)


def _text(expr: Any) -> str | None:
    return None if expr is None else str(expr)


def diff_report(graph: Graph, wrt: Sequence[str] | None = None,
                at: Mapping[str, float] | None = None,
                methods: Sequence[str] = ALL_METHODS, *,
                output: str | None = None) -> dict[str, Any]:
    """Run each method on ``graph`` for the inputs ``wrt`` and collect results and traces.

    >>> import graphdiff as gd
    >>> report = diff_report(gd.parse("x**3"), methods=["forward", "symbolic"])
    >>> [(r["method"], r["derivatives"]["x"]["symbolic"]) for r in report["results"]]
    [('forward', '3*x**2'), ('symbolic', '3*x**2')]
    """
    out = output_id(graph, output)
    out_name = graph.name(out)
    wrt = list(wrt or graph.inputs)
    for name in wrt:
        if name not in graph.inputs:
            raise GraphdiffError(f"--wrt {name}: not an input; the inputs are "
                                 f"{', '.join(graph.inputs)}")
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "expression": graph.source,
        "inputs": list(graph.inputs),
        "output": out_name,
        "at": None if at is None else {k: float(v) for k, v in at.items()},
        "value": None if at is None else _number(graph.values(at)[out]),
        "results": [],
    }
    builders = {"paths": _paths, "forward": _forward, "reverse": _reverse,
                "symbolic": _symbolic, "numeric": _numeric}
    for method in methods:
        if method not in builders:
            raise GraphdiffError(f"unknown method {method!r}; choose from "
                                 f"{', '.join(ALL_METHODS)} or all")
        derivatives, trace = builders[method](graph, wrt, at, out_name)
        report["results"].append({"method": method, "derivatives": derivatives, "trace": trace})
    return report


def _paths(graph: Graph, wrt: list[str], at: Any, out: str) -> tuple[dict, dict]:
    derivatives, trace = {}, {}
    for name in wrt:
        count = count_paths(graph, name, out)
        if count > DEFAULT_PATH_LIMIT:
            from .paths import path_sum

            value = path_sum(graph, name, at, output=out)
            derivatives[name] = {"symbolic": None if at is not None else _text(value),
                                 "value": _number(value) if at is not None else None}
            trace[name] = {"count": count, "paths": None}
            continue
        result = paths(graph, name, at, output=out)
        derivatives[name] = {"symbolic": _text(result.symbolic_derivative),
                             "value": _number(result.derivative) if at is not None else None}
        trace[name] = {"count": count, "paths": [
            {"path": list(p.names), "factors": [str(f) for f in p.factors],
             "product": str(p.product), "value": _number(p.value)}
            for p in result.paths
        ]}
    return derivatives, trace


def _forward(graph: Graph, wrt: list[str], at: Any, out: str) -> tuple[dict, dict]:
    derivatives, trace = {}, {}
    node = graph.id(out)
    for name in wrt:
        symbolic = forward(graph, wrt=name)
        numeric = forward(graph, wrt=name, at=at) if at is not None else None
        derivatives[name] = {
            "symbolic": _text(symbolic.output_tangent(node)),
            "value": _number(numeric.output_tangent(node)) if numeric else None,
        }
        rows = []
        for n in graph.order:
            rule = symbolic.rules[n]
            rows.append({
                "node": graph.name(n), "definition": graph.formula(n),
                "value": _number(numeric.values[n]) if numeric else None,
                "rule": None if rule is None else expr_text(rule, written=True),
                "tangent": _number(numeric.tangents[n]) if numeric else
                _text(as_expr(symbolic.tangents[n])),
            })
        trace[name] = rows
    return derivatives, trace


def _reverse(graph: Graph, wrt: list[str], at: Any, out: str) -> tuple[dict, list]:
    symbolic = reverse(graph, output=out)
    numeric = reverse(graph, output=out, at=at) if at is not None else None
    derivatives = {name: {"symbolic": _text(symbolic.adjoint(name)),
                          "value": _number(numeric.adjoint(name)) if numeric else None}
                   for name in wrt}
    rows = []
    for n in reversed(graph.order):
        rows.append({
            "node": graph.name(n), "definition": graph.formula(n),
            "value": _number(numeric.values[n]) if numeric else None,
            "rule": expr_text(symbolic.rules[n], written=True),
            "adjoint": _number(numeric.adjoints[n]) if numeric else
            _text(as_expr(symbolic.adjoints[n])),
        })
    return derivatives, rows


def _symbolic(graph: Graph, wrt: list[str], at: Any, out: str) -> tuple[dict, dict]:
    from .api import evaluate_expr

    derivatives, trace = {}, {}
    for name in wrt:
        expr = symbolic_diff(graph, name, output=out)
        derivatives[name] = {"symbolic": _text(expr),
                             "value": _number(evaluate_expr(expr, graph, at)) if at else None}
        trace[name] = {"readable": _text(readable(expr))}
    return derivatives, trace


def _numeric(graph: Graph, wrt: list[str], at: Any, out: str) -> tuple[dict, dict]:
    if at is None:
        raise GraphdiffError("the numeric method needs a point: give --at")
    from .check import numeric_diff

    result = numeric_diff(graph, at, output=out)
    derivatives, trace = {}, {}
    for k, name in enumerate(graph.inputs):
        if name not in wrt:
            continue
        derivatives[name] = {"symbolic": None, "value": float(result.value[k])}
        trace[name] = {"step": float(result.steps[k]), "error_estimate": float(result.error[k])}
    return derivatives, trace
