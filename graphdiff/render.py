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

This module is where the drawing API is imported from; the work is done by
:mod:`graphdiff.show` (runs the sweeps a drawing needs), :mod:`graphdiff.drawing` (draws a
graph and the results it is handed), :mod:`graphdiff.printing` (the math in the labels)
and :mod:`graphdiff.display` (notebooks).

Large graphs (see :data:`DEFAULT_MAX_NODES`): above ``max_nodes`` nodes the drawing becomes
a compact overview (names only, no edge labels, edges spanning many levels cut into
dashed references) with a :class:`RenderWarning`; above ``max_dot_nodes`` the layout
engine switches from ``dot`` (layered, left to right) to ``sfdp`` (force-directed), which
stays fast on thousands of nodes; above ``limit`` nodes :class:`RenderError` refuses.
"""

from __future__ import annotations

import warnings
from typing import Any

from .display import NOTEBOOK_MAX_NODES, repr_html, repr_mimebundle, repr_svg
from .drawing.draw import DEFAULT_LIMIT, DEFAULT_MAX_DOT_NODES, DEFAULT_MAX_NODES
from .drawing.errors import INSTALL_HINT, RenderError, RenderWarning
from .drawing.look import FONTNAME, FONTSIZE, NODE_STYLES, PALETTE, PNG_DPI
from .drawing.output import FORMATS, dot_available
from .drawing.overview import MAX_SPAN
from .drawing.plan import SHOW, Node
from .drawing.readback import edge_label_text, edge_line, legend_rows, node_label_text
from .notation import pretty_name
from .printing import math_text
from .show import Renderable, pipe, png, render, svg, to_file, write_figures

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_MAX_DOT_NODES",
    "DEFAULT_MAX_NODES",
    "FONTNAME",
    "FONTSIZE",
    "FORMATS",
    "INSTALL_HINT",
    "MAX_SPAN",
    "NODE_STYLES",
    "NOTEBOOK_MAX_NODES",
    "PALETTE",
    "PNG_DPI",
    "SHOW",
    "Node",
    "RenderError",
    "RenderWarning",
    "Renderable",
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


# Moved up to the command line (graphdiff.cli.render); importable from here until removed.
_MOVED_TO_CLI = ("add_render_parser", "cmd_render")


def __getattr__(name: str) -> Any:
    """``add_render_parser`` and ``cmd_render``: deprecated here, see graphdiff.cli.render.

    The drawing API is below the command line, so it must not import it; these two names
    are looked up in the command line only when someone asks for them here.
    """
    if name in _MOVED_TO_CLI:
        from .cli import render as command

        warnings.warn(f"graphdiff.render.{name} moved to graphdiff.cli.render.{name}",
                      DeprecationWarning, stacklevel=2)
        return getattr(command, name)
    raise AttributeError(f"module 'graphdiff.render' has no attribute {name!r}")
