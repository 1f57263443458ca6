"""What goes wrong when drawing: an error that says how to mend it, a warning that says
what was simplified."""

from __future__ import annotations

from ..errors import GraphdiffError

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
        :func:`~graphdiff.render.to_file` with a ``.dot`` suffix).

    >>> import graphdiff as gd
    >>> from graphdiff.render import render
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

    >>> import warnings, graphdiff as gd
    >>> from graphdiff.render import render
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     drawing = render(gd.parse("x*y + sin(x)"), max_nodes=3)
    >>> caught[0].category is RenderWarning
    True
    >>> print(str(caught[0].message).split(":")[0])
    the graph has 5 nodes, more than max_nodes=3
    """
