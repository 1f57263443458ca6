"""Notebook display: graphs and results draw themselves in Jupyter.

A :class:`~graphdiff.Graph` shows its drawing (``_repr_svg_``); the result of
:func:`~graphdiff.forward`, :func:`~graphdiff.reverse` or :func:`~graphdiff.paths` shows
its drawing with its worked table under it (``_repr_mimebundle_``), or the table alone in
Markdown (``_repr_markdown_``).  The core imports nothing above it, so these methods --
and the results' ``table()`` -- are installed on the classes from here, by :func:`install`,
which ``import graphdiff`` runs.

>>> import graphdiff as gd
>>> gd.reverse(gd.parse("x*y"))._repr_markdown_().splitlines()[0]
'| node | adjoint | w̄ |'
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping
from typing import Any

from .derive.methods import METHODS
from .drawing.draw import DEFAULT_MAX_DOT_NODES
from .drawing.errors import RenderError, RenderWarning
from .graph import Graph
from .show import svg
from .tables import WORKED_TABLES

__all__ = ["NOTEBOOK_MAX_NODES", "install", "repr_html", "repr_mimebundle", "repr_svg"]


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
    >>> from graphdiff.render import dot_available
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
    >>> from graphdiff.render import dot_available
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
    >>> from graphdiff.render import dot_available
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


def _markdown(result: Any) -> str:
    """The worked table in Markdown (Jupyter's ``_repr_markdown_``)."""
    return result.table("markdown")


def install() -> None:
    """Set the notebook methods on :class:`~graphdiff.Graph` and, for every derivative
    method whose result has a worked table, ``table()`` and the notebook methods on the
    result's class.  Idempotent; ``import graphdiff`` runs it.

    >>> install()
    >>> import graphdiff as gd
    >>> from graphdiff.render import dot_available
    >>> gd.forward(gd.parse("x*y"), wrt="x").table().splitlines()[0].split()
    ['node', 'tangent', 'ẇ']
    """
    Graph._repr_svg_ = repr_svg  # type: ignore[attr-defined]
    for method in METHODS.values():
        table = WORKED_TABLES.get(method.result_type)
        if table is not None:
            method.result_type.table = table
            method.result_type._repr_markdown_ = _markdown
            method.result_type._repr_mimebundle_ = repr_mimebundle
