"""A drawing as bytes and files: SVG, PNG and PDF by Graphviz, DOT without it.

>>> import graphviz
>>> to_bytes(graphviz.Digraph("g"), "dot")
b'digraph g {\\n}\\n'
>>> format_of("figure.gv")
'dot'
"""

from __future__ import annotations

import html
from pathlib import Path

import graphviz

from .errors import INSTALL_HINT, RenderError
from .look import PNG_DPI

#: Output formats a file's suffix names.
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}


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


def format_of(path: str | Path) -> str:
    """The output format a file's suffix names.

    >>> format_of("graph.txt")
    Traceback (most recent call last):
    ...
    graphdiff.drawing.errors.RenderError: cannot tell the format of 'graph.txt' from its suffix: ...
    """
    path = Path(path)
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise RenderError(f"cannot tell the format of {path.name!r} from its suffix: use "
                          f"one of {', '.join(FORMATS)}, or pass format=") from None


def to_bytes(drawing: graphviz.Digraph, format: str) -> bytes:  # noqa: A002
    """The drawing as ``format`` (``svg``, ``png`` at :data:`PNG_DPI`, ``pdf``), drawn by
    Graphviz; ``dot`` is the DOT source and needs no Graphviz.

    Raises :class:`RenderError` (``missing_dot=True``) when Graphviz is not installed.

    >>> not dot_available() or to_bytes(graphviz.Digraph(), "svg").startswith(b"<?xml")
    True
    """
    if format == "dot":
        return drawing.source.encode("utf-8")
    if format in ("png", "jpg", "jpeg", "gif") and "dpi" not in drawing.graph_attr:
        drawing = drawing.copy()
        drawing.graph_attr["dpi"] = str(PNG_DPI)
    try:
        data = drawing.pipe(format=format, quiet=True)
        if format == "svg":
            return _with_alt_text(data, drawing.graph_attr.get("comment"))
        return data
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


def _with_alt_text(svg: bytes, description: str | None) -> bytes:
    """The SVG marked as one image with alt text (``role="img"``, ``aria-label``): screen
    readers and pages that embed it read what the figure shows.

    >>> _with_alt_text(b'<?xml?>\\n<svg width="8pt">', 'graph "x" & <y>')
    b'<?xml?>\\n<svg role="img" aria-label="graph &quot;x&quot; &amp; &lt;y&gt;" width="8pt">'
    """
    if not description:
        return svg
    label = html.escape(description, quote=True).encode("utf-8")
    return svg.replace(b"<svg ", b'<svg role="img" aria-label="' + label + b'" ', 1)


def write(data: bytes, path: str | Path) -> Path:
    """Write ``data`` to ``path``, making its folder; returns the path.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write(b"digraph {}", Path(tmp) / "out" / "g.dot").name
    'g.dot'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
