"""Rendering a request: runs what a drawing needs, then hands the results to the renderer.

:func:`render` takes a :class:`~graphdiff.Graph` or the result of :func:`~graphdiff.forward`,
:func:`~graphdiff.reverse` or :func:`~graphdiff.paths`, a point and what to show; it runs
the sweeps the drawing needs and was not handed (forward mode for tangents, reverse mode
for adjoints, the paths to highlight), and :mod:`graphdiff.drawing` draws the results.
:func:`pipe`, :func:`svg`, :func:`png`, :func:`to_file` and :func:`write_figures` draw a
request (or a finished Digraph) to bytes and files.  Import them from
:mod:`graphdiff.render`.

>>> import graphdiff as gd
>>> from graphdiff.drawing.readback import legend_rows
>>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
>>> legend_rows(render(g, paths="x"))[-1]
'∂f/∂x = 2x + y + 2c = 4x + 3y'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from .derive.forward import ForwardResult, forward
from .derive.methods import method_of
from .derive.paths import PathLimitError, PathsResult
from .derive.paths import paths as find_paths
from .derive.reverse import ReverseResult, reverse
from .drawing.draw import (
    DEFAULT_LIMIT,
    DEFAULT_MAX_DOT_NODES,
    DEFAULT_MAX_NODES,
    check_request,
    draw,
)
from .drawing.errors import RenderError
from .drawing.look import FONTNAME, FONTSIZE
from .drawing.output import dot_available, format_of, to_bytes, write
from .drawing.plan import Node, make_plan, node_labels, parse_show
from .graph import Graph

#: What :func:`render` draws.
Renderable = Graph | ForwardResult | ReverseResult | PathsResult

__all__ = ["Renderable", "dot_available", "pipe", "png", "render", "svg", "to_file",
           "write_figures"]


@dataclass
class _Handed:
    """What the request hands over: the graph, the point and the sweeps already run."""

    graph: Graph
    at: Mapping[str, Any] | None
    forward: ForwardResult | None = None
    reverse: ReverseResult | None = None
    paths: Any = None  # input names to highlight the paths from, or a PathsResult


def _refusal(obj: Any) -> RenderError:
    return RenderError(f"render draws a Graph or a forward/reverse/paths result, not "
                       f"{type(obj).__name__}")


def _graph_of(obj: Any) -> Graph:
    graph = obj if isinstance(obj, Graph) else getattr(obj, "graph", None)
    if not isinstance(graph, Graph):
        raise _refusal(obj)
    return graph


def _handed(obj: Any, at: Mapping[str, Any] | None, paths: Any) -> _Handed:
    if isinstance(obj, Graph):
        return _Handed(obj, at, paths=paths)
    method = method_of(obj)  # which sweep's result, by the registry of methods
    if method is None or method.draws is None:
        raise _refusal(obj)
    handed = _Handed(obj.graph, obj.at if at is None and obj.at is not None else at,
                     paths=paths)
    if method.draws == "tangents":
        handed.forward = obj
    elif method.draws == "adjoints":
        handed.reverse = obj
    elif paths is None:
        handed.paths = obj
    return handed


def _shown(show: str | Iterable[str] | None, handed: _Handed) -> frozenset[str]:
    """``show``, or by default the derivatives, the values at a point, and the tangents or
    adjoints of a result."""
    if show is not None:
        return parse_show(show)
    chosen = {"derivatives"}
    if handed.at is not None:
        chosen.add("values")
    if handed.forward is not None:
        chosen.add("tangents")
    if handed.reverse is not None:
        chosen.add("adjoints")
    return frozenset(chosen)


def _values(graph: Graph, at: Mapping[str, Any] | None, shown: frozenset[str]) -> Any:
    needs_point = {"values", "numeric"} & shown
    if needs_point and at is None:
        raise RenderError(f"showing {' and '.join(sorted(needs_point))} needs a point: "
                          "pass at={'x': 1, ...} (--at x=1,... on the command line)")
    if at is None:
        return None
    values = graph.values(at)
    if any(np.ndim(v) > len(graph.shape(n)) for n, v in enumerate(values) if v is not None):
        raise RenderError("render draws one point, not a batch: give numbers in at= "
                          "(arrays only of an input's declared shape)")
    return values


def _path_results(handed: _Handed, output: str | None, max_paths: int) -> list[PathsResult]:
    """The paths to highlight: the result handed over, or every path from the inputs named."""
    if handed.paths is None:
        return []
    if isinstance(handed.paths, PathsResult):
        return [handed.paths]
    graph = handed.graph
    sources = [handed.paths] if isinstance(handed.paths, str | int) else list(handed.paths)
    results = []
    for source in sources:
        try:
            results.append(find_paths(graph, graph.name(source), handed.at, output=output,
                                      limit=max_paths))
        except PathLimitError as err:
            raise RenderError(
                f"there are {err.count:,} paths from {graph.name(source)}; a drawing "
                f"highlights at most max_paths={max_paths} (one colour each): "
                "highlight fewer, or raise max_paths"
            ) from None
    return results


def render(
    obj: Renderable,
    *,
    at: Mapping[str, float] | None = None,
    show: str | Iterable[str] | None = None,
    paths: str | Iterable[str] | PathsResult | None = None,
    highlight: Iterable[Node | tuple[Node, Node]] | None = None,
    notes: Mapping[Node, str] | None = None,
    output: str | None = None,
    wrt: str | None = None,
    names: str = "auto",
    primal: Graph | None = None,
    title: str | None = None,
    rankdir: str = "LR",
    digits: int = 4,
    fontname: str = FONTNAME,
    fontsize: float = FONTSIZE,
    engine: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_dot_nodes: int = DEFAULT_MAX_DOT_NODES,
    limit: int | None = DEFAULT_LIMIT,
    max_paths: int = 24,
) -> graphviz.Digraph:
    """Draw a computation graph (or a derivative sweep over it) as a ``graphviz.Digraph``.

    Parameters
    ----------
    obj : Graph, ForwardResult, ReverseResult or PathsResult
        What to draw.  A forward result shows its tangents ẇᵢ, a reverse result its
        adjoints w̄ᵢ, a paths result its paths, each at the result's point.  Derivative
        graphs (:func:`~graphdiff.reverse_graph`, :func:`~graphdiff.forward_graph`) are
        ordinary graphs: their adjoint and tangent nodes are coloured.
    at : mapping, optional
        A point (``{"x": 1, "y": 2}``): node values, numeric edge derivatives, tangents
        and adjoints are evaluated there.
    show : str or iterable of str, optional
        Items from :data:`SHOW`, as a list or a comma-separated string:
        ``"values"`` (each node's value, needs ``at``), ``"derivatives"`` (each edge's
        local derivative, symbolic, plus its value when ``at`` is given), ``"symbolic"``
        / ``"numeric"`` (only the symbolic / only the numeric edge derivative),
        ``"tangents"`` (ẇᵢ by forward mode w.r.t. ``wrt``), ``"adjoints"`` (w̄ᵢ by reverse
        mode for ``output``), ``"rules"`` (with tangents or adjoints: the rule too,
        ``ẇ₃ = x₂·ẋ₁ + x₁·ẋ₂ = 2``).  Default: derivatives, plus values when ``at`` is
        given, plus tangents/adjoints for a forward/reverse result.  Every node always
        shows its name and operation (``a = x²``).
    paths : str, iterable of str, or PathsResult, optional
        Highlight every path from these inputs to ``output``, one colour each (see
        :data:`PALETTE`), with a legend listing each path, its factors and product, and
        their sum ∂f/∂x.  At most ``max_paths`` paths.
    highlight : iterable, optional
        Nodes (names or ids) and edges (``(u, v)`` pairs) to draw thick, in vermillion.
    notes : mapping, optional
        An extra line of text under nodes: ``{"h2": "d = d·w₃·o₂(1 − o₂)"}``.
    output, wrt : str, optional
        The output for adjoints and paths, the input for tangents (defaults: the only
        one).
    names : {"auto", "graph", "w"}
        ``"w"`` labels every node wᵢ as seed 003 does (inputs read ``w₁ = x₁``);
        ``"graph"`` uses the graph's names; ``"auto"`` picks ``"w"`` when the graph's
        generated names are w-numbers, as :mod:`graphdiff.tables` does.
    primal : Graph, optional
        For a derivative graph: the function's graph.  Nodes whose names it lacks are
        drawn as dashed helper nodes of the derivative computation.
    title : str, optional
        A caption (placed with the legend, under the drawing).
    rankdir : {"LR", "TB", "RL", "BT"}
        Layout direction: left to right by default.
    digits : int
        Significant digits of numbers.
    fontname, fontsize : str, float
        Font of node labels (edge labels are 80 % of ``fontsize``).
    engine : str, optional
        Graphviz layout program; default ``dot``, or ``sfdp`` above ``max_dot_nodes``.
    max_nodes, max_dot_nodes, limit : int
        The large-graph policy: up to ``max_nodes`` nodes full detail; above, a compact
        overview with a :class:`RenderWarning`; above ``max_dot_nodes`` the ``sfdp``
        engine; above ``limit`` (``None``: no limit) :class:`RenderError`.
    max_paths : int
        Most paths highlighted.

    Returns
    -------
    graphviz.Digraph
        ``.source`` is the DOT text (deterministic: the same arguments give the same
        text); draw it with :func:`to_file`, :func:`svg` or the Digraph's own methods.

    Examples
    --------
    Seed 004, exercise 1, at x = 1, y = 2, with the three paths from x in colour:

    >>> import graphdiff as gd
    >>> from graphdiff.drawing.readback import edge_label_text, legend_rows, node_label_text
    >>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    >>> drawing = render(g, at={"x": 1, "y": 2}, paths="x")
    >>> drawing.engine, drawing.graph_attr["rankdir"]
    ('dot', 'LR')
    >>> print(node_label_text(drawing, "e"))
    e = c² = 9
    >>> print(edge_label_text(drawing, "c", "e"))
    2c = 6
    >>> legend_rows(drawing)[-1]
    '∂f/∂x = 2x + y + 2c = 4x + 3y = 10'
    """
    graph = _graph_of(obj)
    check_request(graph, rankdir, limit)
    compact = len(graph) > max_nodes
    handed = _handed(obj, at, paths)
    shown = _shown(show, handed)
    if compact:  # the overview shows names only: compute nothing else
        shown, handed.at = frozenset(), None
    labels = node_labels(graph, names)
    values = _values(graph, handed.at, shown)
    forward_result = reverse_result = None
    if "tangents" in shown or ("rules" in shown and handed.forward is not None):
        forward_result = handed.forward or forward(graph, wrt=wrt, at=handed.at)
    if "adjoints" in shown or ("rules" in shown and handed.reverse is not None):
        reverse_result = handed.reverse or reverse(graph, output=output, at=handed.at)
    plan = make_plan(graph, labels, show=shown, values=values, forward=forward_result,
                     reverse=reverse_result,
                     path_results=_path_results(handed, output, max_paths),
                     highlight=highlight, notes=notes, primal=primal, digits=digits,
                     max_paths=max_paths)
    return draw(plan, title=title, rankdir=rankdir, fontname=fontname, fontsize=fontsize,
                engine=engine, max_nodes=max_nodes, max_dot_nodes=max_dot_nodes)


def _as_digraph(obj: Any, options: Mapping[str, Any]) -> graphviz.Digraph:
    if isinstance(obj, graphviz.Digraph | graphviz.Graph):
        if options:
            raise RenderError("render options apply to graphs and results, not to a Digraph "
                              "that is already drawn")
        return obj
    return render(obj, **options)


def pipe(obj: Any, format: str = "svg", **options: Any) -> bytes:  # noqa: A002
    """Draw with Graphviz and return the bytes of ``format`` (``svg``, ``png``, ``pdf``).

    ``obj`` is a Graph, a result, or a Digraph from :func:`render`; ``options`` go to
    :func:`render`.  PNGs are drawn at :data:`~graphdiff.drawing.look.PNG_DPI` dots per
    inch.  Raises :class:`RenderError` (``missing_dot=True``) when Graphviz is not
    installed.

    ``format="dot"`` gives the DOT source and needs no Graphviz:

    >>> import graphdiff as gd
    >>> source = pipe(gd.parse("x*y + sin(x)"), "dot", rankdir="TB").decode("utf-8")
    >>> source.splitlines()[0], "rankdir=TB" in source
    ('digraph "x*y + sin(x)" {', True)
    """
    return to_bytes(_as_digraph(obj, options), format)


def svg(obj: Any, **options: Any) -> str:
    """The drawing as SVG text (see :func:`pipe`).

    >>> import graphdiff as gd
    >>> not dot_available() or "</svg>" in svg(gd.parse("x*y"))  # needs Graphviz
    True
    """
    return pipe(obj, "svg", **options).decode("utf-8")


def png(obj: Any, **options: Any) -> bytes:
    """The drawing as PNG bytes (see :func:`pipe`).

    >>> import graphdiff as gd
    >>> not dot_available() or png(gd.parse("x*y"))[1:4] == b"PNG"  # needs Graphviz
    True
    """
    return pipe(obj, "png", **options)


def to_file(obj: Any, path: str | Path, *, format: str | None = None,  # noqa: A002
            **options: Any) -> Path:
    """Write a drawing to ``path``; the format comes from the suffix.

    ``.svg``, ``.png``, ``.pdf`` are drawn by Graphviz; ``.dot`` and ``.gv`` are the DOT
    source and need no Graphviz.  ``obj`` is a Graph, a result or a Digraph;
    ``options`` go to :func:`render`.  Returns the path written.

    >>> import tempfile, graphdiff as gd
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = to_file(gd.parse("x*y + sin(x)"), Path(tmp) / "g.dot")
    ...     path.read_text(encoding="utf-8").startswith("digraph")
    True
    """
    chosen = format or format_of(path)
    return write(pipe(obj, chosen, **options), path)


def write_figures(obj: Any, stem: str | Path, formats: Iterable[str] = ("svg", "png"),
                  **options: Any) -> tuple[list[Path], str | None]:
    """Write ``stem.svg``, ``stem.png``, ...; without Graphviz, ``stem.dot`` and the reason.

    For front ends that must not fail when Graphviz is missing (``graphdiff demo``):
    returns the paths written and None, or ``[stem.dot]`` and the :class:`RenderError`
    message saying how to install Graphviz.

    >>> import tempfile, graphdiff as gd
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written, problem = write_figures(gd.parse("x*y"), Path(tmp) / "xy", ["dot"])
    ...     [p.name for p in written], problem
    (['xy.dot'], None)
    """
    stem = Path(stem)
    drawing = _as_digraph(obj, options)
    written: list[Path] = []
    try:
        for fmt in formats:
            written.append(to_file(drawing, stem.with_name(f"{stem.name}.{fmt}"), format=fmt))
    except RenderError as err:
        if not err.missing_dot:
            raise
        return [to_file(drawing, stem.with_name(f"{stem.name}.dot"))], str(err)
    return written, None
