"""Figures of training runs with matplotlib: loss curves, trajectories, norms per layer.

Presentation above the core (an optional extra: ``pip install 'graphdiff[plot]'``).  Each
function draws the numbers it is handed -- a history's losses, a trajectory's points --
and runs nothing.  It returns a :class:`Figure`, which a notebook shows inline and
:func:`save` writes as PNG or SVG; with ``ax=`` it draws into a given axes instead, to
compose panels.  Figures are made without pyplot (no global state, no window, the Agg
renderer), so they work in scripts, servers and tests alike.

>>> from graphdiff import plot
>>> fig = plot.loss_curves({"gd": [1.0, 0.5, 0.25], "adam": [1.0, 0.3, 0.1]})
>>> fig.axes[0].get_yscale(), [line.get_label() for line in fig.axes[0].get_lines()]
('log', ['gd', 'adam'])
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

try:
    import matplotlib.figure
    from matplotlib.axes import Axes
    from matplotlib.colors import LogNorm
except ImportError as err:  # pragma: no cover - the extra is installed with the tests
    raise ImportError("graphdiff.plot needs matplotlib: pip install 'graphdiff[plot]'") from err

#: Where examples write their figures unless told: $GRAPHDIFF_OUT, else ./out.
OUT_ENV = "GRAPHDIFF_OUT"


class Figure(matplotlib.figure.Figure):
    """A matplotlib figure that a notebook shows inline as PNG (``_repr_png_``).

    >>> fig = loss_curves({"a": [1.0, 0.5]})
    >>> isinstance(fig, Figure), fig._repr_png_()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    (True, True)
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()


def figure(width: float = 6.4, height: float = 4.2, *, ncols: int = 1,
           nrows: int = 1) -> tuple[Figure, Any]:
    """A new figure of ``nrows`` × ``ncols`` panels, each ``width`` × ``height`` inches:
    ``(figure, axes)`` (one axes, a row of them, or a grid, as matplotlib's subplots).

    >>> fig, (left, right) = figure(ncols=2)
    >>> fig, grid = figure(3, 3, nrows=2, ncols=4)
    >>> len(fig.axes), grid.shape
    (8, (2, 4))
    """
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols)
    return fig, axes


def _axes(ax: Axes | None, width: float = 6.4, height: float = 4.2) -> tuple[Any, Axes]:
    if ax is not None:
        return ax.figure, ax
    return figure(width, height)


def loss_curves(curves: Mapping[str, Sequence[float]], *, ax: Axes | None = None,
                log: bool = True, title: str = "", xlabel: str = "step",
                ylabel: str = "loss") -> Any:
    """One line per run: the loss against the step (log scale unless ``log=False``).

    >>> fig = loss_curves({"a": [3.0, 2.0, 1.0]}, log=False, title="one run")
    >>> fig.axes[0].get_title(), fig.axes[0].get_yscale()
    ('one run', 'linear')
    """
    fig, ax = _axes(ax)
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        ax.plot(np.arange(len(values)), values, label=label, linewidth=1.2)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(True, which="major", alpha=0.3)
    if len(curves) > 1:
        ax.legend()
    return fig


def trajectories(f: Callable[[np.ndarray, np.ndarray], np.ndarray],
                 paths: Mapping[str, np.ndarray], *, xlim: tuple[float, float],
                 ylim: tuple[float, float], minimum: Sequence[float] | None = None,
                 levels: int = 30, log: bool = True, ax: Axes | None = None,
                 title: str = "", labels: tuple[str, str] = ("x", "y")) -> Any:
    """Paths of 2-D parameters on the contour lines of ``f`` (seed 003's picture).

    ``f(X, Y)`` takes grids; each path is an array of points, one row per step (its
    first row the start).  ``log`` spaces the contour levels logarithmically (a narrow
    valley shows its floor).

    >>> import numpy as np
    >>> bowl = lambda x, y: x**2 + 3 * y**2
    >>> fig = trajectories(bowl, {"gd": np.array([[1.0, 1.0], [0.5, 0.2], [0.1, 0.0]])},
    ...                    xlim=(-1.5, 1.5), ylim=(-1.5, 1.5), minimum=(0, 0))
    >>> [line.get_label() for line in fig.axes[0].get_lines()][:1]
    ['gd']
    """
    fig, ax = _axes(ax, 6.4, 5.2)
    xs = np.linspace(*xlim, 300)
    ys = np.linspace(*ylim, 300)
    grid_x, grid_y = np.meshgrid(xs, ys)
    z = np.asarray(f(grid_x, grid_y), dtype=float)
    if log:
        low = max(float(z.min()), float(z.max()) * 1e-6, 1e-12)
        z_shown = np.maximum(z, low)
        ax.contour(grid_x, grid_y, z_shown, levels=np.geomspace(low, float(z.max()), levels),
                   norm=LogNorm(), cmap="viridis", linewidths=0.7, alpha=0.8)
    else:
        ax.contour(grid_x, grid_y, z, levels=levels, cmap="viridis", linewidths=0.7,
                   alpha=0.8)
    for label, path in paths.items():
        path = np.asarray(path, dtype=float)
        line, = ax.plot(path[:, 0], path[:, 1], label=label, linewidth=1.3, marker=".",
                        markersize=2.5)
        ax.plot(path[-1, 0], path[-1, 1], marker="o", color=line.get_color(), markersize=5)
    if paths:
        start = np.asarray(next(iter(paths.values())), dtype=float)[0]
        ax.plot(*start, marker="s", color="black", markersize=6, linestyle="none")
    if minimum is not None:
        ax.plot(*minimum, marker="*", color="red", markersize=12, linestyle="none")
    ax.set(xlim=xlim, ylim=ylim, xlabel=labels[0], ylabel=labels[1], title=title)
    if paths:
        ax.legend(fontsize="small", loc="best")
    return fig


def layer_norms(norms: Mapping[str, Sequence[float]], *, ax: Axes | None = None,
                title: str = "", xlabel: str = "layer i",
                ylabel: str = "‖∂L/∂Wᵢ‖") -> Any:
    """A quantity per layer on a log scale, one line per run (seed 001's vanishing
    gradient: the norm of each layer's weight gradient).

    >>> fig = layer_norms({"small": [1e-9, 1e-6, 1e-3, 1.0]})
    >>> fig.axes[0].get_yscale(), fig.axes[0].get_lines()[0].get_xdata().tolist()
    ('log', [1, 2, 3, 4])
    """
    fig, ax = _axes(ax)
    for label, values in norms.items():
        values = np.asarray(values, dtype=float)
        ax.plot(np.arange(1, len(values) + 1), values, label=label, linewidth=1.3,
                marker=".", markersize=3)
    ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(True, which="major", alpha=0.3)
    if len(norms) > 1:
        ax.legend()
    return fig


def fit_1d(x: Sequence[float], target: Sequence[float],
           predictions: Mapping[str, Sequence[float]], *, ax: Axes | None = None,
           title: str = "", target_label: str = "f(x)") -> Any:
    """A function of one variable and what models made of it (seed 001's approximation).

    >>> fig = fit_1d([0, 1, 2], [0, 1, 4], {"net": [0, 1.2, 3.9]})
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['f(x)', 'net']
    """
    fig, ax = _axes(ax)
    ax.plot(np.ravel(x), np.ravel(target), color="black", linewidth=2.2, alpha=0.45,
            label=target_label)
    for label, values in predictions.items():
        ax.plot(np.ravel(x), np.ravel(values), linewidth=1.3, label=label)
    ax.set(xlabel="x", ylabel="y", title=title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


def out_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The folder for figures: ``path``, else $GRAPHDIFF_OUT, else ``./out`` (created).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out_dir(Path(tmp) / "figures").is_dir()
    True
    """
    folder = Path(path if path is not None else os.environ.get(OUT_ENV) or "out")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(fig: Any, path: str | os.PathLike[str], *, dpi: int = 120) -> Path:
    """Write a figure; the suffix of ``path`` (``.png``, ``.svg``, ``.pdf``) is the format.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written = save(loss_curves({"a": [1.0, 0.5]}), Path(tmp) / "loss.png")
    ...     written.stat().st_size > 1000
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path
