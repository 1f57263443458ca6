"""Laying a plan out: the size policy, and ``draw(plan)``.

Up to ``max_nodes`` nodes a graph is drawn in full detail; above, as a compact overview
(with a :class:`~graphdiff.drawing.errors.RenderWarning`); above ``max_dot_nodes`` the
layout engine switches from ``dot`` (layered) to ``sfdp`` (force-directed), which stays
fast on thousands of nodes; above ``limit`` nodes the request is refused.

>>> import graphdiff as gd
>>> from graphdiff.drawing.plan import make_plan
>>> g = gd.parse("x*y")
>>> draw(make_plan(g, ["x", "y", "p"], show=frozenset({"derivatives"}))).engine
'dot'
"""

from __future__ import annotations

import warnings

import graphviz

from ..graph import Graph
from . import look
from .detailed import detailed
from .errors import RenderError, RenderWarning
from .overview import MAX_SPAN, overview
from .plan import Plan

#: Up to this many nodes a graph is drawn in full detail.
DEFAULT_MAX_NODES = 200
#: Up to this many nodes (counting reference stubs) the layout is ``dot``; above, ``sfdp``.
#: Graphviz 2.43's ``dot`` takes ~2 s at 2,000 nodes and grows quadratically on deep graphs.
DEFAULT_MAX_DOT_NODES = 2000
#: Graphs larger than this are refused (pass ``limit=None`` to try anyway).
DEFAULT_LIMIT = 20_000
#: The layout directions Graphviz knows.
RANKDIRS = ("LR", "TB", "RL", "BT")


def check_request(graph: Graph, rankdir: str, limit: int | None) -> None:
    """Refuse a layout direction Graphviz lacks, or a graph over ``limit`` nodes.

    >>> import graphdiff as gd
    >>> check_request(gd.parse("x*y"), "LR", limit=2)
    Traceback (most recent call last):
    ...
    graphdiff.drawing.errors.RenderError: the graph has 3 nodes, more than limit=2: ...
    """
    if rankdir not in RANKDIRS:
        raise RenderError(f"rankdir must be LR, TB, RL or BT, not {rankdir!r}")
    n = len(graph)
    if limit is not None and n > limit:
        raise RenderError(
            f"the graph has {n:,} nodes, more than limit={limit:,}: a drawing of it would "
            "be unreadable and slow. Draw a part of it, or pass limit=None to try anyway"
        )


def draw(plan: Plan, *, title: str | None = None, rankdir: str = "LR",
         fontname: str = look.FONTNAME, fontsize: float = look.FONTSIZE,
         engine: str | None = None, max_nodes: int = DEFAULT_MAX_NODES,
         max_dot_nodes: int = DEFAULT_MAX_DOT_NODES) -> graphviz.Digraph:
    """The drawing of a plan: in full detail, or above ``max_nodes`` nodes the overview,
    with a warning that says what it left out.

    >>> import warnings, graphdiff as gd
    >>> from graphdiff.drawing.plan import make_plan
    >>> g = gd.parse("x*y + sin(x)")
    >>> plan = make_plan(g, [g.name(n) for n in g.order], show=frozenset())
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     dot = draw(plan, max_nodes=3, max_dot_nodes=4)
    >>> dot.engine, caught[0].category.__name__
    ('sfdp', 'RenderWarning')
    """
    n = len(plan.graph)
    if n <= max_nodes:
        return detailed(plan, engine=engine or "dot", rankdir=rankdir, fontname=fontname,
                        fontsize=fontsize, title=title)
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
        stacklevel=3,  # the caller of graphdiff.render
    )
    return overview(plan, engine=chosen, rankdir=rankdir, fontname=fontname, title=title)
