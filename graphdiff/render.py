"""Drawing computation graphs with Graphviz: for slides, notebooks and feedback.

:func:`render` turns a :class:`~graphdiff.Graph` (or the result of :func:`~graphdiff.forward`,
:func:`~graphdiff.reverse` or :func:`~graphdiff.paths`) into a ``graphviz.Digraph``: every
node shows its name and its operation (``a = x²``), every edge its local derivative, and on
request the values at a point, the tangents ẇᵢ of forward mode, the adjoints w̄ᵢ of reverse
mode, and paths from an input to the output highlighted in colours of a colour-blind-safe
palette with their products in a legend.  :func:`to_file` writes SVG, PNG, PDF or DOT;
:func:`svg` and :func:`repr_mimebundle` serve Jupyter.

Building the ``Digraph`` needs no Graphviz installation (its ``.source`` is the DOT text);
drawing it needs Graphviz's ``dot`` program, and without it :class:`RenderError` says how
to install it.

>>> import graphdiff as gd
>>> g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
>>> drawing = render(g, paths="x")
>>> print(edge_label_text(drawing, "c", "e"))
2c
>>> for row in legend_rows(drawing):
...     print(row)
x → a → d → f: 2x · 1 · 1 = 2x
x → b → d → f: y · 1 · 1 = y
x → c → e → f: 1 · 2c · 1 = 2c
∂f/∂x = 2x + y + 2c = 4x + 3y

Large graphs (see :data:`DEFAULT_MAX_NODES`): above ``max_nodes`` nodes the drawing becomes
a compact overview (names only, no edge labels, edges spanning many levels cut into
dashed references) with a :class:`RenderWarning`; above ``max_dot_nodes`` the layout
engine switches from ``dot`` (layered, left to right) to ``sfdp`` (force-directed), which
stays fast on thousands of nodes; above ``limit`` nodes :class:`RenderError` refuses.
"""

from __future__ import annotations

import argparse
import html
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import graphviz
import numpy as np
import sympy

from .errors import GraphdiffError
from .graph import Graph
from .notation import BAR, DOT, decorated, pretty_name, split_decoration
from .printing import formula, math_text, node_labels, number_text

if TYPE_CHECKING:
    from .derive.forward import ForwardResult
    from .derive.paths import PathsResult
    from .derive.reverse import ReverseResult

    Renderable = Graph | ForwardResult | ReverseResult | PathsResult

__all__ = [
    "FORMATS",
    "PALETTE",
    "SHOW",
    "RenderError",
    "RenderWarning",
    "add_render_parser",
    "cmd_render",
    "dot_available",
    "edge_label_text",
    "edge_line",
    "legend_rows",
    "math_text",
    "node_label_text",
    "pipe",
    "png",
    "pretty_name",
    "render",
    "repr_html",
    "repr_mimebundle",
    "repr_svg",
    "svg",
    "to_file",
    "write_figures",
]

Node = str | int

# --- the look -------------------------------------------------------------------------

#: Colours of highlighted paths, in order: the Okabe–Ito palette, safe for the common
#: forms of colour blindness (Okabe & Ito 2008), without its yellow, which is hard to see
#: on white.  Beyond seven paths the colours repeat with dashed, then dotted lines.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
_PATH_STYLES = ("solid", "dashed", "dotted")

#: Font of every label, as a CSS-style list.  Graphviz lays labels out with the first
#: installed family (DejaVu Sans has every math character used: σ, ², ₃, ẇ, w̄); SVG
#: viewers fall back along the list.
FONTNAME = "DejaVu Sans,Helvetica,Arial,sans-serif"

#: Point sizes chosen for slides: node labels are readable on a projector at the size
#: Graphviz draws them (1 pt = 1 px at 72 dpi; PNGs are written at 150 dpi).
FONTSIZE = 20.0
PNG_DPI = 150

#: Node styles by role: inputs are blue ellipses, operations white rounded boxes, outputs
#: orange boxes with a double border, constants grey; in derivative graphs adjoint nodes
#: are pink, tangent nodes green and helper nodes dashed.
NODE_STYLES: Mapping[str, Mapping[str, str]] = {
    "input": {"shape": "ellipse", "style": "filled", "fillcolor": "#DCEBF7",
              "color": "#0072B2", "margin": "0.04,0.04"},
    "op": {"shape": "box", "style": "rounded,filled", "fillcolor": "#FFFFFF",
           "color": "#4D4D4D"},
    "output": {"shape": "box", "style": "rounded,filled", "fillcolor": "#FBE3D0",
               "color": "#4D4D4D", "peripheries": "2"},
    "constant": {"shape": "box", "style": "filled", "fillcolor": "#EEEEEE",
                 "color": "#888888"},
    "adjoint": {"shape": "box", "style": "rounded,filled", "fillcolor": "#F6E1EE",
                "color": "#A0457A"},
    "tangent": {"shape": "box", "style": "rounded,filled", "fillcolor": "#DDF2EA",
                "color": "#00785A"},
    "helper": {"shape": "box", "style": "rounded,dashed,filled", "fillcolor": "#FAFAFA",
               "color": "#888888"},
}

_TEXT = "#1A1A1A"
_VALUE = "#555555"
_TANGENT = "#00785A"
_ADJOINT = "#A0457A"
_NOTE = "#7A4F00"
_EDGE = "#4D4D4D"
_DIMMED = "#BBBBBB"
_DIMMED_TEXT = "#999999"
_HIGHLIGHT = "#D55E00"

#: The items ``show`` accepts.
SHOW = ("values", "derivatives", "symbolic", "numeric", "tangents", "adjoints", "rules")

#: Output formats :func:`to_file` infers from a file's suffix.
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}

#: Large-graph policy.  Up to this many nodes a graph is drawn in full detail.
DEFAULT_MAX_NODES = 200
#: Up to this many nodes (counting reference stubs) the layout is ``dot``; above, ``sfdp``.
#: Graphviz 2.43's ``dot`` takes ~2 s at 2,000 nodes and grows quadratically on deep graphs.
DEFAULT_MAX_DOT_NODES = 2000
#: Graphs larger than this are refused (pass ``limit=None`` to try anyway).
DEFAULT_LIMIT = 20_000
#: In the compact overview, edges spanning more levels than this become references.
MAX_SPAN = 3

INSTALL_HINT = (
    "Install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS), `conda install -c conda-forge graphviz`, or "
    "`./run.sh setup` in the graphdiff repository (it installs Graphviz with apt); "
    "see https://graphviz.org/download/"
)


class RenderError(GraphdiffError):
    """A graph cannot be drawn: Graphviz is missing, failed, or the request is invalid.

    Attributes
    ----------
    missing_dot : bool
        True when Graphviz's ``dot`` program was not found; the message then says how to
        install it.  The DOT source is still available (``render(...).source``, or
        :func:`to_file` with a ``.dot`` suffix).

    >>> import graphdiff as gd
    >>> try:
    ...     render(gd.parse("x*y"), rankdir="XY")
    ... except RenderError as err:
    ...     print(err, err.missing_dot)
    rankdir must be LR, TB, RL or BT, not 'XY' False
    """

    def __init__(self, message: str, *, missing_dot: bool = False) -> None:
        self.missing_dot = missing_dot
        super().__init__(message)


class RenderWarning(UserWarning):
    """A drawing was simplified (a large graph is drawn as a compact overview).

    >>> import graphdiff as gd
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     drawing = render(gd.parse("x*y + sin(x)"), max_nodes=3)
    >>> caught[0].category is RenderWarning
    True
    >>> print(str(caught[0].message).split(":")[0])
    the graph has 5 nodes, more than max_nodes=3
    """


# --- what to draw -------------------------------------------------------------------------


@dataclass
class _Plan:
    """Everything :func:`render` decided, before it writes DOT."""

    graph: Graph
    labels: list[str]
    names: dict[str, str]
    values: list[Any] | None = None
    show: frozenset[str] = frozenset()
    tangents: list[Any] | None = None
    tangent_rules: list[Any] | None = None
    adjoints: list[Any] | None = None
    adjoint_rules: list[Any] | None = None
    paths: list[tuple[Any, Any]] = field(default_factory=list)  # (PathsResult, Path)
    path_results: list[Any] = field(default_factory=list)
    highlight_nodes: set[int] = field(default_factory=set)
    highlight_edges: set[tuple[int, int]] = field(default_factory=set)
    notes: dict[int, str] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)
    digits: int = 4


def _parse_show(show: str | Iterable[str]) -> frozenset[str]:
    items = show.split(",") if isinstance(show, str) else list(show)
    chosen = frozenset(item.strip() for item in items if item.strip())
    unknown = sorted(chosen - set(SHOW))
    if unknown:
        raise RenderError(f"show: unknown item{'s' if len(unknown) > 1 else ''} "
                          f"{', '.join(map(repr, unknown))}; choose from {', '.join(SHOW)}")
    return chosen


def _labels(graph: Graph, names: str) -> list[str]:
    """Display names: the graph's, or seed 003's w1, w2, ... for every node."""
    try:
        return node_labels(graph, names)
    except ValueError as err:
        raise RenderError(str(err)) from None


def _roles(graph: Graph, primal: Graph | None) -> list[str]:
    primal_names = {primal.name(n) for n in primal.order} if primal is not None else None
    outputs = set(graph.output_ids)
    roles = []
    for n in graph.order:
        kind, name = graph.kind(n), graph.name(n)
        mark = split_decoration(name)[1]
        if kind == "input":
            role = "input"
        elif kind == "constant":
            role = "constant"
        elif mark == BAR:
            role = "adjoint"
        elif mark == DOT:
            role = "tangent"
        elif primal_names is not None and name not in primal_names:
            role = "helper"
        else:
            role = "op"
        if n in outputs and role in ("op", "constant"):
            role = "output"
        roles.append(role)
    return roles


def _plan(
    obj: Any,
    *,
    at: Mapping[str, Any] | None,
    show: str | Iterable[str] | None,
    paths: Any,
    highlight: Iterable[Any] | None,
    notes: Mapping[Node, str] | None,
    output: str | None,
    wrt: str | None,
    names: str,
    primal: Graph | None,
    digits: int,
    max_paths: int,
    compact: bool,
) -> _Plan:
    from .derive.forward import ForwardResult, forward
    from .derive.paths import PathLimitError, PathsResult
    from .derive.paths import paths as find_paths
    from .derive.reverse import ReverseResult, reverse

    forward_result = reverse_result = None
    if isinstance(obj, Graph):
        graph = obj
    elif isinstance(obj, ForwardResult | ReverseResult | PathsResult):
        graph = obj.graph
        if at is None and obj.at is not None:
            at = obj.at
        if isinstance(obj, ForwardResult):
            forward_result = obj
        elif isinstance(obj, ReverseResult):
            reverse_result = obj
        elif paths is None:
            paths = obj
    else:
        raise RenderError(f"render draws a Graph or a forward/reverse/paths result, not "
                          f"{type(obj).__name__}")
    if show is None:
        chosen = {"derivatives"}
        if at is not None:
            chosen.add("values")
        if forward_result is not None:
            chosen.add("tangents")
        if reverse_result is not None:
            chosen.add("adjoints")
        show_set = frozenset(chosen)
    else:
        show_set = _parse_show(show)
    if compact:  # the overview shows names only: compute nothing else
        show_set, at = frozenset(), None
    labels = _labels(graph, names)
    plan = _Plan(graph=graph, labels=labels,
                 names={graph.name(n): pretty_name(labels[n]) for n in graph.order},
                 show=show_set, roles=_roles(graph, primal), digits=digits)
    if "rules" in show_set:
        for n in graph.order:  # decorated symbols (ẇ3, w̄3) in rules follow the labels
            for mark in (DOT, BAR):
                plan.names[decorated(graph.name(n), mark)] = pretty_name(
                    decorated(labels[n], mark))
    needs_point = {"values", "numeric"} & show_set
    if needs_point and at is None:
        raise RenderError(f"showing {' and '.join(sorted(needs_point))} needs a point: "
                          "pass at={'x': 1, ...} (--at x=1,... on the command line)")
    if at is not None:
        plan.values = graph.values(at)
        if any(np.ndim(v) for v in plan.values if v is not None):
            raise RenderError("render draws one point, not a batch: give numbers in at=, "
                              "not arrays")
    if "tangents" in show_set or ("rules" in show_set and forward_result is not None):
        if forward_result is None:
            forward_result = forward(graph, wrt=wrt, at=at)
        plan.tangents = forward_result.tangents
        if "rules" in show_set:
            plan.tangent_rules = forward_result.rules
    if "adjoints" in show_set or ("rules" in show_set and reverse_result is not None):
        if reverse_result is None:
            reverse_result = reverse(graph, output=output, at=at)
        plan.adjoints = reverse_result.adjoints
        if "rules" in show_set:
            plan.adjoint_rules = reverse_result.rules
    if paths is not None:
        results: list[PathsResult] = []
        if isinstance(paths, PathsResult):
            results.append(paths)
        else:
            sources = [paths] if isinstance(paths, str | int) else list(paths)
            for source in sources:
                try:
                    results.append(find_paths(graph, graph.name(source), at, output=output,
                                              limit=max_paths))
                except PathLimitError as err:
                    raise RenderError(
                        f"there are {err.count:,} paths from {graph.name(source)}; a drawing "
                        f"highlights at most max_paths={max_paths} (one colour each): "
                        "highlight fewer, or raise max_paths"
                    ) from None
        plan.path_results = results
        plan.paths = [(result, path) for result in results for path in result.paths]
        if len(plan.paths) > max_paths:
            raise RenderError(f"{len(plan.paths)} paths to highlight, more than "
                              f"max_paths={max_paths}: highlight fewer, or raise max_paths")
    for item in highlight or ():
        if isinstance(item, tuple):
            u, v = graph.id(item[0]), graph.id(item[1])
            if not graph.nx.has_edge(u, v):
                raise RenderError(f"highlight: no edge {graph.name(u)} -> {graph.name(v)}")
            plan.highlight_edges.add((u, v))
        else:
            plan.highlight_nodes.add(graph.id(item))
    for node, text in (notes or {}).items():
        plan.notes[graph.id(node)] = str(text)
    return plan


# --- labels -----------------------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _font(text: str, color: str | None = None, size: float | None = None) -> str:
    if not text:
        return ""  # Graphviz refuses an empty <FONT></FONT>
    attrs = ""
    if color:
        attrs += f' COLOR="{color}"'
    if size:
        attrs += f' POINT-SIZE="{size:g}"'
    return f"<FONT{attrs}>{text}</FONT>" if attrs else text


def _formula(plan: _Plan, n: int) -> str:
    """The node's operation in the display names: ``x²``, ``σ(h₁)``, ``½·v₁₂``."""
    return formula(plan.graph, n, "unicode", plan.names)


def _quantity(plan: _Plan, value: Any) -> str:
    """A tangent or adjoint: a number at a point, else an expression in node symbols."""
    if isinstance(value, sympy.Basic):
        return math_text(value, plan.names)
    if type(value) is int:
        return str(value)
    return number_text(value, "unicode", plan.digits)


def _node_label(plan: _Plan, n: int, size: float) -> str:
    graph = plan.graph
    label = pretty_name(plan.labels[n])
    kind = graph.kind(n)
    first = f"<B>{_esc(label)}</B>"
    if kind == "op" or kind == "constant":
        first += " = " + _esc(_formula(plan, n))
    elif label != pretty_name(graph.name(n)):  # w1 = x1
        first += " = " + _esc(pretty_name(graph.name(n)))
    if plan.values is not None and "values" in plan.show:
        first += _font(" = " + _esc(number_text(plan.values[n], "unicode", plan.digits)), _VALUE)
    lines = [first]
    small = size * 0.9
    for values, rules, mark, color in (
        (plan.tangents, plan.tangent_rules, DOT, _TANGENT),
        (plan.adjoints, plan.adjoint_rules, BAR, _ADJOINT),
    ):
        if values is None:
            continue
        name = pretty_name(decorated(plan.labels[n], mark))
        parts = [name]
        rule = rules[n] if rules is not None else None
        if rule is not None:
            parts.append(math_text(rule, plan.names, written=True))
        shown = _quantity(plan, values[n])
        if parts[-1] != shown:
            parts.append(shown)
        lines.append(_font(_esc(" = ".join(parts)), color, small))
    if n in plan.notes:
        lines.append(_font(_esc(plan.notes[n]), _NOTE, small))
    return "<" + "<BR/>".join(lines) + ">"


def _edge_label(plan: _Plan, u: int, v: int, dimmed: bool) -> str | None:
    graph = plan.graph
    symbolic = "derivatives" in plan.show or "symbolic" in plan.show
    numeric = plan.values is not None and ("derivatives" in plan.show or "numeric" in plan.show)
    if not (symbolic or numeric):
        return None
    parts = []
    derivative = graph.edge_derivative(u, v)
    if symbolic:
        parts.append(_font(_esc(math_text(derivative, plan.names)),
                           _DIMMED_TEXT if dimmed else _TEXT))
    if numeric and not (symbolic and derivative.is_Number):
        value = number_text(graph.edge_derivative_value(u, v, plan.values), "unicode", plan.digits)
        parts.append(_font(_esc(("= " if symbolic else "") + value),
                           _DIMMED_TEXT if dimmed else _VALUE))
    return "<" + " ".join(parts) + ">"


def _path_text(plan: _Plan, path: Any) -> tuple[str, str, str]:
    """``x → a → d → f``, ``2x · 1 · 1``, ``2x`` in display names."""
    labels = plan.labels
    nodes = " → ".join(pretty_name(labels[n]) for n in path.nodes)
    factors = " · ".join(math_text(f, plan.names) for f in path.factors)
    return nodes, factors, math_text(path.product, plan.names)


def _legend(plan: _Plan, title: str | None, size: float) -> str | None:
    rows: list[str] = []
    small = size * 0.85
    if title:
        rows.append(f'<TR><TD COLSPAN="4" ALIGN="LEFT"><B>{_esc(title)}</B></TD></TR>')
    k = 0
    for result in plan.path_results:
        graph = plan.graph
        source, target = graph.id(result.source), graph.id(result.target)
        for path in result.paths:
            color = PALETTE[k % len(PALETTE)]
            dash = _PATH_STYLES[(k // len(PALETTE)) % len(_PATH_STYLES)]
            stroke = {"solid": "━━━", "dashed": "╍╍╍", "dotted": "┅┅┅"}[dash]
            nodes, factors, product = _path_text(plan, path)
            value = ""
            if path.value is not None:
                value = " = " + number_text(path.value, "unicode", plan.digits)
            rows.append(
                f'<TR><TD ALIGN="LEFT">{_font(stroke, color)}</TD>'
                f'<TD ALIGN="LEFT">{_esc(nodes)}</TD>'
                f'<TD ALIGN="LEFT">{_font(_esc(factors + " = " + product), _VALUE)}</TD>'
                f'<TD ALIGN="LEFT">{_font(_esc(value), _VALUE)}</TD></TR>'
            )
            k += 1
        # ∂f/∂x = the products as written = the derivative in the inputs (= its value).
        written = math_text(sympy.Add(*(p.product for p in result.paths), evaluate=False),
                            plan.names, written=True)
        in_inputs = math_text(result.symbolic_derivative)
        total = (f"∂{pretty_name(plan.labels[target])}/∂{pretty_name(plan.labels[source])}"
                 f" = {written}" + (f" = {in_inputs}" if in_inputs != written else ""))
        value = "" if result.at is None else \
            " = " + number_text(result.derivative, "unicode", plan.digits)
        value_cell = f"<B>{_esc(value)}</B>" if value else ""
        rows.append(f'<TR><TD></TD><TD COLSPAN="2" ALIGN="LEFT"><B>{_esc(total)}</B></TD>'
                    f'<TD ALIGN="LEFT">{value_cell}</TD></TR>')
    if not rows:
        return None
    return (f'<<FONT POINT-SIZE="{small:g}"><TABLE BORDER="0" CELLBORDER="0" '
            f'CELLSPACING="0" CELLPADDING="3">' + "".join(rows) + "</TABLE></FONT>>")


# --- the drawing ----------------------------------------------------------------------


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
    graph = obj if isinstance(obj, Graph) else getattr(obj, "graph", None)
    if not isinstance(graph, Graph):
        raise RenderError(f"render draws a Graph or a forward/reverse/paths result, not "
                          f"{type(obj).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise RenderError(f"rankdir must be LR, TB, RL or BT, not {rankdir!r}")
    n = len(graph)
    if limit is not None and n > limit:
        raise RenderError(
            f"the graph has {n:,} nodes, more than limit={limit:,}: a drawing of it would "
            "be unreadable and slow. Draw a part of it, or pass limit=None to try anyway"
        )
    compact = n > max_nodes
    plan = _plan(obj, at=at, show=show, paths=paths, highlight=highlight, notes=notes,
                 output=output, wrt=wrt, names=names, primal=primal, digits=digits,
                 max_paths=max_paths, compact=compact)
    if compact:
        chosen = engine or ("dot" if n <= max_dot_nodes else "sfdp")
        details = ["node names only: no operations, values or edge labels"]
        if chosen == "dot":
            details.append(f"edges spanning more than {MAX_SPAN} levels cut into dashed "
                           "references")
        details.append(f"layout by {chosen}" + (
            f", as dot is slow above max_dot_nodes={max_dot_nodes:,}"
            if engine is None and chosen == "sfdp" else ""))
        warnings.warn(
            f"the graph has {n:,} nodes, more than max_nodes={max_nodes:,}: drawing a compact "
            f"overview ({'; '.join(details)}). Pass max_nodes= to draw every detail.",
            RenderWarning,
            stacklevel=2,
        )
        return _compact(plan, engine=chosen, rankdir=rankdir, fontname=fontname,
                        title=title)
    return _detailed(plan, engine=engine or "dot", rankdir=rankdir, fontname=fontname,
                     fontsize=fontsize, title=title)


def _base(engine: str, rankdir: str, fontname: str, source: str | None) -> graphviz.Digraph:
    # The graph's name becomes the SVG's <title>: the formula when it is short.
    short = source is not None and len(source) <= 60 and "\n" not in source.strip()
    name = source.strip() if short and source else "graphdiff"
    return graphviz.Digraph(name=name, engine=engine, graph_attr={"rankdir": rankdir},
                            node_attr={"fontname": fontname}, edge_attr={"fontname": fontname})


def _path_colors(plan: _Plan) -> tuple[dict[tuple[int, int], list[int]], dict[int, list[int]]]:
    """For each edge and node on a highlighted path, the indices of its paths."""
    edges: dict[tuple[int, int], list[int]] = {}
    nodes: dict[int, list[int]] = {}
    for k, (_, path) in enumerate(plan.paths):
        for u, v in zip(path.nodes, path.nodes[1:], strict=False):
            edges.setdefault((u, v), []).append(k)
        for node in path.nodes:
            nodes.setdefault(node, []).append(k)
    return edges, nodes


def _detailed(plan: _Plan, *, engine: str, rankdir: str, fontname: str, fontsize: float,
              title: str | None) -> graphviz.Digraph:
    graph = plan.graph
    edge_size = round(fontsize * 0.8, 1)
    dot = _base(engine, rankdir, fontname, graph.source)
    dot.graph_attr.update(
        bgcolor="white", pad="0.3", nodesep="0.35", ranksep="0.75",
        fontname=fontname, fontsize=f"{fontsize:g}", outputorder="edgesfirst",
    )
    dot.node_attr.update(fontsize=f"{fontsize:g}", fontcolor=_TEXT, penwidth="1.6",
                         margin="0.14,0.07")
    dot.edge_attr.update(fontsize=f"{edge_size:g}", color=_EDGE, penwidth="1.4",
                         arrowsize="0.8")
    legend = _legend(plan, title, fontsize)
    if legend is not None:
        dot.graph_attr.update(label=legend, labelloc="b", labeljust="l")
    path_edges, path_nodes = _path_colors(plan)
    any_paths = bool(plan.paths)
    outputs = set(graph.output_ids)
    for n in graph.order:
        attrs = dict(NODE_STYLES[plan.roles[n]])
        if n in outputs:
            attrs["peripheries"] = "2"
        if n in plan.highlight_nodes:
            attrs.update(color=_HIGHLIGHT, penwidth="3.5")
        elif any_paths and n in path_nodes:
            attrs.update(penwidth="2.6")
        elif any_paths:
            attrs.update(color=_DIMMED)
        tooltip = f"{graph.name(n)} = {graph.formula(n)}" if graph.kind(n) == "op" else \
            graph.name(n)
        dot.node(f"n{n}", label=_node_label(plan, n, fontsize), tooltip=tooltip, **attrs)
    for u, v in graph.nx.edges():
        attrs: dict[str, str] = {}
        on = path_edges.get((u, v))
        dimmed = any_paths and on is None
        if on:
            colors = [PALETTE[k % len(PALETTE)] for k in on]
            styles = {_PATH_STYLES[(k // len(PALETTE)) % len(_PATH_STYLES)] for k in on}
            attrs.update(color=":".join(colors), penwidth="3",
                         style=min(styles, key=_PATH_STYLES.index))
        elif dimmed:
            attrs.update(color=_DIMMED)
        if (u, v) in plan.highlight_edges:
            attrs.update(color=_HIGHLIGHT, penwidth="3.5")
        label = _edge_label(plan, u, v, dimmed)
        if label is not None:
            attrs["label"] = label
        attrs["tooltip"] = f"∂{graph.name(v)}/∂{graph.name(u)} = {graph.edge_derivative(u, v)}"
        dot.edge(f"n{u}", f"n{v}", **attrs)
    return dot


def _compact(plan: _Plan, *, engine: str, rankdir: str, fontname: str,
             title: str | None) -> graphviz.Digraph:
    """The overview of a large graph: names only, no edge labels, short edges."""
    graph = plan.graph
    dot = _base(engine, rankdir, fontname, graph.source)
    dot.graph_attr.update(bgcolor="white", pad="0.2", nodesep="0.1", ranksep="0.25",
                          outputorder="edgesfirst", splines="false" if engine == "dot"
                          else "line")
    if engine != "dot":
        dot.graph_attr.update(overlap="prism", quadtree="fast")
    if title:
        dot.graph_attr.update(label=title, labelloc="t", fontsize="14")
    dot.node_attr.update(fontsize="10", height="0.2", width="0.3", margin="0.04,0.02",
                         penwidth="1")
    dot.edge_attr.update(arrowsize="0.4", color=_EDGE, penwidth="0.6")
    path_edges, _ = _path_colors(plan)
    levels = [graph.nx.nodes[n]["level"] for n in graph.order]
    # Inputs keep their own names (x, not w1 = x): there is room for one name only.
    shown = [pretty_name(graph.name(n) if graph.kind(n) == "input" else plan.labels[n])
             for n in graph.order]
    for n in graph.order:
        attrs = dict(NODE_STYLES[plan.roles[n]])
        if attrs.get("shape") == "ellipse":
            attrs["shape"] = "box"
        if n in plan.highlight_nodes:
            attrs.update(color=_HIGHLIGHT, penwidth="2.5")
        dot.node(f"n{n}", label=shown[n], **attrs)
    for u, v in graph.nx.edges():
        attrs = {}
        on = path_edges.get((u, v))
        if on:
            attrs.update(color=":".join(PALETTE[k % len(PALETTE)] for k in on), penwidth="2")
        if (u, v) in plan.highlight_edges:
            attrs.update(color=_HIGHLIGHT, penwidth="2")
        if engine == "dot" and levels[v] - levels[u] > MAX_SPAN and not on:
            stub = f"r{u}_{v}"
            dot.node(stub, label=shown[u], shape="box",
                     style="dashed", color=_DIMMED, fontcolor=_DIMMED_TEXT)
            dot.edge(stub, f"n{v}", style="dashed", color=_DIMMED)
            continue
        dot.edge(f"n{u}", f"n{v}", **attrs)
    return dot


# --- reading a drawing back (for tests, doctests and tools) ----------------------------


def _label_text(label: str | None) -> str:
    """A whole label attribute as plain text (HTML-like labels are ``<...>``)."""
    label = label or ""
    return _strip_tags(label[1:-1] if label.startswith("<") else label)


def _strip_tags(label: str) -> str:
    text = re.sub(r"<BR/>", "\n", label)
    text = re.sub(r"</TD>", "  ", text)
    text = re.sub(r"</TR>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text)


def _attr(line: str, name: str) -> str | None:
    """The value of one attribute in one line of DOT as the graphviz package writes it."""
    match = re.search(rf"\b{name}=(<.*>|\"(?:[^\"\\]|\\.)*\"|[^\s\]]+)(?=[\s\]])", line)
    if match is None:
        return None
    value = match.group(1)
    return value[1:-1] if value.startswith('"') else value


def _node_lines(drawing: graphviz.Digraph) -> dict[str, str]:
    """DOT id -> the node's line, for the drawing's graph nodes (``n0``, ``n1``, ...)."""
    lines = {}
    for line in drawing.body:
        match = re.match(r"\s*(n\d+) \[", line)
        if match:
            lines[match.group(1)] = line
    return lines


def _node_key(drawing: graphviz.Digraph, node: Node) -> str:
    """The DOT id of a node given by id, graph name or name as drawn."""
    if isinstance(node, int):
        return f"n{node}"
    by_drawn, by_name = {}, {}
    for key, line in _node_lines(drawing).items():
        by_drawn.setdefault(_label_text(_attr(line, "label")).split("\n")[0].split(" ")[0], key)
        tooltip = _attr(line, "tooltip")
        if tooltip:
            by_name.setdefault(tooltip.split(" ")[0], key)
    for table, wanted in ((by_name, node), (by_drawn, node), (by_drawn, pretty_name(node))):
        if wanted in table:
            return table[wanted]
    raise KeyError(node)


def node_label_text(drawing: graphviz.Digraph, node: Node) -> str:
    """The text of a node's label in a drawing, without markup (``"e = c² = 9"``).

    ``node`` is a node id, the graph's name of the node, or its name as drawn.

    >>> import graphdiff as gd
    >>> drawing = render(gd.parse("x*y + sin(x)"), at={"x": 0, "y": 2})
    >>> node_label_text(drawing, "w5"), node_label_text(drawing, "w₅")
    ('w₅ = w₃ + w₄ = 0', 'w₅ = w₃ + w₄ = 0')
    >>> node_label_text(drawing, 1)
    'w₂ = y = 2'
    """
    line = _node_lines(drawing).get(_node_key(drawing, node))
    if line is None:
        raise KeyError(node)
    return _label_text(_attr(line, "label"))


def edge_line(drawing: graphviz.Digraph, u: Node, v: Node) -> str:
    """The DOT line of the edge ``u -> v`` (nodes as in :func:`node_label_text`).

    >>> import graphdiff as gd
    >>> line = edge_line(render(gd.parse("x*y + sin(x)")), "x", "w3")
    >>> line.split(" [")[0].strip(), 'tooltip="∂w3/∂x = y"' in line
    ('n0 -> n2', True)
    """
    wanted = f"{_node_key(drawing, u)} -> {_node_key(drawing, v)}"
    for line in drawing.body:
        if line.strip().startswith(wanted + " ") or line.strip() == wanted:
            return line
    raise KeyError((u, v))


def edge_label_text(drawing: graphviz.Digraph, u: Node, v: Node) -> str:
    """The text of the label on the edge ``u -> v``, without markup (``"2c = 6"``).

    >>> import graphdiff as gd
    >>> g = gd.parse("x*y + sin(x)")
    >>> at = {"x": 0, "y": 2}
    >>> edge_label_text(render(g), "x", "w4"), edge_label_text(render(g, at=at), "x", "w4")
    ('cos(w₁)', 'cos(w₁) = 1')
    """
    return _label_text(_attr(edge_line(drawing, u, v), "label")).strip()


def legend_rows(drawing: graphviz.Digraph) -> list[str]:
    """The legend's rows as text: ``'x → a → d → f: 2x · 1 · 1 = 2x'``, then the sum.

    >>> import graphdiff as gd
    >>> g = gd.parse("x*y + sin(x)")
    >>> for row in legend_rows(render(g, paths="x")):
    ...     print(row)
    w₁ → w₃ → w₅: w₂ · 1 = w₂
    w₁ → w₄ → w₅: cos(w₁) · 1 = cos(w₁)
    ∂w₅/∂w₁ = w₂ + cos(w₁) = y + cos(x)
    >>> legend_rows(render(g)), legend_rows(render(g, title="no paths"))
    ([], ['no paths'])
    """
    label = drawing.graph_attr.get("label", "")
    rows = []
    for row in re.findall(r"<TR>(.*?)</TR>", label):
        cells = [_strip_tags(c).strip() for c in re.findall(r"<TD[^>]*>(.*?)</TD>", row)]
        cells = [c for c in cells if c and not set(c) <= set("━╍┅")]
        if len(cells) >= 2 and "→" in cells[0]:
            text = f"{cells[0]}: {cells[1]}" + (f" {cells[2]}" if len(cells) > 2 else "")
        else:
            text = " ".join(cells)
        rows.append(text)
    return rows


# --- drawing to files and notebooks ------------------------------------------------------


def dot_available() -> bool:
    """True if Graphviz's ``dot`` program runs.

    >>> isinstance(dot_available(), bool)
    True
    >>> dot_available()  # where Graphviz is installed  # doctest: +SKIP
    True
    """
    try:
        graphviz.version()
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, OSError):
        return False
    return True


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
    :func:`render`.  PNGs are drawn at :data:`PNG_DPI` dots per inch.  Raises
    :class:`RenderError` (``missing_dot=True``) when Graphviz is not installed.

    ``format="dot"`` gives the DOT source and needs no Graphviz:

    >>> import graphdiff as gd
    >>> source = pipe(gd.parse("x*y + sin(x)"), "dot", rankdir="TB").decode("utf-8")
    >>> source.splitlines()[0], "rankdir=TB" in source
    ('digraph "x*y + sin(x)" {', True)
    """
    drawing = _as_digraph(obj, options)
    if format == "dot":
        return drawing.source.encode("utf-8")
    if format in ("png", "jpg", "jpeg", "gif") and "dpi" not in drawing.graph_attr:
        drawing = drawing.copy()
        drawing.graph_attr["dpi"] = str(PNG_DPI)
    try:
        return drawing.pipe(format=format, quiet=True)
    except graphviz.ExecutableNotFound:
        raise RenderError(
            f"Graphviz's `{drawing.engine}` program was not found, so the graph cannot be "
            f"drawn as {format.upper()}. {INSTALL_HINT}. The DOT source is still produced: "
            "render(...).source, or to_file(..., 'graph.dot').",
            missing_dot=True,
        ) from None
    except graphviz.CalledProcessError as err:
        stderr = err.stderr.decode("utf-8", "replace").strip() if isinstance(
            err.stderr, bytes) else str(err.stderr or "").strip()
        raise RenderError(f"Graphviz ({drawing.engine}) failed: {stderr or err}") from None


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
    path = Path(path)
    if format is None:
        try:
            format = FORMATS[path.suffix.lower()]  # noqa: A001
        except KeyError:
            raise RenderError(f"cannot tell the format of {path.name!r} from its suffix: use "
                              f"one of {', '.join(FORMATS)}, or pass format=") from None
    data = pipe(obj, format, **options)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


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


#: Notebooks draw graphs up to this many nodes when they display them (about 2 s of
#: layout); larger ones show their text repr: call :func:`render` to draw them anyway.
NOTEBOOK_MAX_NODES = DEFAULT_MAX_DOT_NODES


class _TooLargeToDisplay(RenderError):
    """A graph too large to draw whenever a notebook displays it."""


def _notebook_svg(obj: Any, options: Mapping[str, Any]) -> str:
    """SVG for a notebook, without the overview warning; RenderError when it cannot be."""
    graph = obj if isinstance(obj, Graph) else getattr(obj, "graph", None)
    if isinstance(graph, Graph) and len(graph) > NOTEBOOK_MAX_NODES and not options:
        raise _TooLargeToDisplay(f"the graph has {len(graph):,} nodes: too many to draw on "
                                 "display (call render() to draw it: the compact overview)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RenderWarning)
        return svg(obj, **options)


def _inline(picture: str) -> str:
    """An SVG document without its XML prolog, to embed in HTML."""
    return picture[picture.find("<svg"):].replace("<svg ", '<svg style="max-width:100%;'
                                                  'height:auto" ', 1)


def repr_svg(obj: Any, **options: Any) -> str | None:
    """SVG for Jupyter's ``_repr_svg_`` (a graph or result draws itself on display).

    Returns None, so that the notebook shows the text repr, when Graphviz is missing (with
    a :class:`RenderWarning` saying how to install it) or the graph has more than
    :data:`NOTEBOOK_MAX_NODES` nodes.

    >>> import graphdiff as gd
    >>> big = gd.parse(" + ".join(f"x{i}" for i in range(1001)))
    >>> len(big), repr_svg(big)
    (2001, None)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", RenderWarning)
    ...     picture = repr_svg(gd.parse("x*y"))
    >>> (picture is not None) == dot_available()
    True
    """
    try:
        return _notebook_svg(obj, options)
    except _TooLargeToDisplay:
        return None
    except RenderError as err:
        if not err.missing_dot:
            raise
        warnings.warn(str(err), RenderWarning, stacklevel=2)
        return None


def _table(obj: Any) -> str | None:
    """The worked table of a forward, reverse or paths result (graphs have none)."""
    return None if isinstance(obj, Graph) or not hasattr(obj, "table") else obj.table()


def repr_html(obj: Any, **options: Any) -> str | None:
    """HTML for a notebook: the drawing (inline SVG) and, for results, the table under it.

    >>> import graphdiff as gd
    >>> result = gd.forward(gd.parse("x*y + sin(x)"), wrt="x", at={"x": 1, "y": 2})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", RenderWarning)  # no Graphviz: the table only
    ...     page = repr_html(result)
    >>> "<pre>node" in page, ("<svg" in page) == dot_available()
    (True, True)
    """
    picture = repr_svg(obj, **options)
    table = _table(obj)
    parts = []
    if picture is not None:
        parts.append(f"<div>{_inline(picture)}</div>")
    if table is not None:
        parts.append(f"<pre>{html.escape(table)}</pre>")
    return "\n".join(parts) or None


def repr_mimebundle(obj: Any, include: Any = None, exclude: Any = None,
                    **options: Any) -> dict[str, Any]:
    """Jupyter's ``_repr_mimebundle_``: ``image/svg+xml``, and for results ``text/html``
    with the drawing and the worked table under it.

    When the drawing cannot be made (no Graphviz, or more than :data:`NOTEBOOK_MAX_NODES`
    nodes) the bundle holds ``text/plain``: the object's repr and the reason.

    >>> import graphdiff as gd
    >>> big = gd.parse(" + ".join(f"x{i}" for i in range(1001)))
    >>> print(repr_mimebundle(big)["text/plain"].splitlines()[-1])  # doctest: +ELLIPSIS
    (the graph has 2,001 nodes: too many to draw on display (call render() to draw it: ...))
    >>> bundle = repr_mimebundle(gd.forward(gd.parse("x*y"), wrt="x", at={"x": 1, "y": 2}))
    >>> sorted(bundle) == (["image/svg+xml", "text/html"] if dot_available() else ["text/plain"])
    True
    """
    bundle: dict[str, Any] = {}
    try:
        picture = _notebook_svg(obj, options)
    except RenderError as err:
        if not (err.missing_dot or isinstance(err, _TooLargeToDisplay)):
            raise
        bundle["text/plain"] = f"{obj!r}\n({err})"
        return bundle
    bundle["image/svg+xml"] = picture
    table = _table(obj)
    if table is not None:
        bundle["text/html"] = f"<div>{_inline(picture)}</div>\n<pre>{html.escape(table)}</pre>"
    if include:
        bundle = {k: v for k, v in bundle.items() if k in include}
    if exclude:
        bundle = {k: v for k, v in bundle.items() if k not in exclude}
    return bundle


# --- command line -----------------------------------------------------------------------


def add_render_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``graphdiff render`` to the subparsers of the ``graphdiff`` command.

    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> add_render_parser(parser.add_subparsers(dest="command")).prog
    'graphdiff render'
    >>> args = parser.parse_args(["render", "x*y", "-o", "g.svg", "--at", "x=1,y=2"])
    >>> args.func is cmd_render, args.at, args.naming, args.rankdir
    (True, 'x=1,y=2', 'w', 'LR')
    """
    parser = subparsers.add_parser(
        "render", help="draw the computation graph with Graphviz (SVG, PNG, PDF or DOT)",
        description="Draw the computation graph of an expression or program: nodes with "
        "their operations, edges with their local derivatives, optionally values, "
        "tangents, adjoints and highlighted paths. The format comes from the file's "
        "suffix (.svg .png .pdf .dot .gv); .dot needs no Graphviz.",
    )
    parser.add_argument("expression", help="an expression or program, e.g. 'x**2 + x*y'")
    parser.add_argument("-o", "--file", required=True, metavar="FILE",
                        help="the file to write: .svg, .png, .pdf, .dot or .gv")
    parser.add_argument("--at", help="a point, e.g. x=1,y=2")
    parser.add_argument("--show", help="what to show, comma-separated: "
                        + ", ".join(SHOW) + " (default: derivatives, and values with --at)")
    parser.add_argument("--paths", help="highlight every path from these inputs to the output "
                        "(comma-separated, e.g. x or x,y)")
    parser.add_argument("--wrt", help="the input for tangents (default: the only input)")
    parser.add_argument("--output", help="the output for adjoints and paths (default: the "
                        "only one)")
    parser.add_argument("--naming", choices=["w", "letters"], default="w",
                        help="names of intermediate nodes: w3, w4, ... or a, b, c, ...")
    parser.add_argument("--names", choices=["auto", "graph", "w"], default="auto",
                        help="labels: the graph's names, or w1, w2, ... for every node "
                        "as in seed 003 (default: auto)")
    parser.add_argument("--graph", choices=["function", "reverse", "forward"],
                        default="function", help="draw the function's graph (default), its "
                        "adjoint graph (reverse mode as a graph) or its tangent graph")
    parser.add_argument("--rankdir", choices=["LR", "TB"], default="LR",
                        help="layout direction (default: left to right)")
    parser.add_argument("--title", help="a caption under the drawing")
    parser.set_defaults(func=cmd_render)
    return parser


def cmd_render(args: argparse.Namespace) -> int:
    """``graphdiff render``: write the drawing and say where.

    Without Graphviz, a ``.svg``/``.png``/``.pdf`` request writes the DOT source next to
    the requested file and fails with the install instructions (exit status 2).

    A ``.dot`` file needs no Graphviz:

    >>> import contextlib, io, tempfile
    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> _ = add_render_parser(parser.add_subparsers(dest="command"))
    >>> out = io.StringIO()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     target = str(Path(tmp) / "g.dot")
    ...     args = parser.parse_args(["render", "x*y + sin(x)", "-o", target, "--paths", "x"])
    ...     with contextlib.redirect_stdout(out):
    ...         status = cmd_render(args)
    ...     written = Path(target).read_text(encoding="utf-8").splitlines()[0]
    >>> status, written
    (0, 'digraph "x*y + sin(x)" {')
    >>> print(out.getvalue())  # doctest: +ELLIPSIS
    wrote .../g.dot (5 nodes, 5 edges)
    """
    from .cli import parse_point
    from .derive.graphs import forward_graph, reverse_graph
    from .parse import parse

    graph = parse(args.expression, naming=args.naming)
    point = parse_point(args.at)
    target: Graph = graph
    primal = None
    if args.graph == "reverse":
        target, primal = reverse_graph(graph, args.output), graph
    elif args.graph == "forward":
        target, primal = forward_graph(graph, args.wrt), graph
    paths = args.paths.split(",") if args.paths else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RenderWarning)
        drawing = render(target, at=point, show=args.show, paths=paths, wrt=args.wrt,
                         output=args.output if args.graph == "function" else None,
                         names=args.names, primal=primal, rankdir=args.rankdir,
                         title=args.title)
    path = Path(args.file)
    for warning in caught:
        print(f"graphdiff: note: {warning.message}")
    try:
        to_file(drawing, path)
    except RenderError as err:
        if not err.missing_dot:
            raise
        fallback = to_file(drawing, path.with_suffix(".dot"))
        raise RenderError(f"{err} The DOT source was written to {fallback}.",
                          missing_dot=True) from None
    print(f"wrote {path} ({len(target)} nodes, {target.nx.number_of_edges()} edges)")
    return 0
