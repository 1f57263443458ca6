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
from dataclasses import dataclass
from typing import Any

from ..errors import GraphdiffError
from ..graph import Graph
from ._sweep import output_id, scalar_only
from .kinks import differing, explain, kinks_at
from .methods import METHODS, MethodRun, number

SCHEMA = "graphdiff.diff/1"
#: Methods of ``graphdiff diff --method all``, in the order they are shown: the registry.
ALL_METHODS = METHODS


@dataclass(frozen=True)
class DiffRun:
    """A diff report and the work behind it.

    ``report`` is the JSON-ready data (schema above); ``runs`` holds, per method, what it
    did, with the results whose worked tables show the steps (``graphdiff diff --table``
    formats them instead of running the sweeps again).
    """

    report: dict[str, Any]
    runs: dict[str, MethodRun]


def run_report(graph: Graph, wrt: Sequence[str] | None = None,
               at: Mapping[str, float] | None = None,
               methods: Sequence[str] = ALL_METHODS, *,
               output: str | None = None) -> DiffRun:
    """Run each method on ``graph`` for the inputs ``wrt``: the report and the work.

    >>> import graphdiff as gd
    >>> run = run_report(gd.parse("x*y"), methods=["reverse", "symbolic"])
    >>> [type(w).__name__ for w in run.runs["reverse"].work], run.runs["symbolic"].work
    (['ReverseResult'], ('  readable: ∂w3/∂x = y', '  readable: ∂w3/∂y = x'))
    """
    scalar_only(graph, "the diff report")
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
        "value": None if at is None else number(graph.values(at)[out]),
        "results": [],
    }
    runs: dict[str, MethodRun] = {}
    for method in methods:
        if method not in METHODS:
            raise GraphdiffError(f"unknown method {method!r}; choose from "
                                 f"{', '.join(ALL_METHODS)} or all")
        METHODS[method].check(graph)
        run = METHODS[method].run(graph, wrt, at, out_name)
        runs[method] = run
        report["results"].append({"method": method, "derivatives": run.derivatives,
                                  "trace": run.trace})
    report["kink_note"] = _kink_note(graph, at, wrt, report["results"])
    return DiffRun(report, runs)


def _kink_note(graph: Graph, at: Mapping[str, float] | None, wrt: Sequence[str],
               results: Sequence[Mapping[str, Any]]) -> str | None:
    """Why the methods' numbers differ, when they differ only because the point is on a
    kink (``relu(x)`` at ``x = 0``); None when they agree or there is no point."""
    if at is None or len(results) < 2:
        return None
    for name in wrt:
        row = {r["method"]: r["derivatives"][name]["value"] for r in results}
        if differing(row):
            found = kinks_at(graph, at)
            return explain(found, [r["method"] for r in results]) if found else None
    return None


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
    return run_report(graph, wrt, at, methods, output=output).report
