"""Every script in ``examples/`` runs to completion.

Each ``examples/*.py`` runs with the current interpreter in a subprocess, in a temporary
working directory, with ``GRAPHDIFF_OUT`` pointing at a temporary directory for any files it
writes and ``GRAPHDIFF_QUICK`` set (examples that train run shorter).  The examples that
plot must write their figures, and each must be a real picture.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.py")) if EXAMPLES_DIR.is_dir() else []
TIMEOUT_S = 600

#: The figures the plotting examples must write (into $GRAPHDIFF_OUT).
FIGURES = {
    "seed_001_cybenko.py": ["seed_001_cybenko.png"],
    "seed_001_vanishing_matrix.py": ["seed_001_vanishing_gradient.png"],
    "seed_002_bptt.py": ["seed_002_rnn_loss.png"],
    "seed_003_optimizers.py": ["seed_003_optimizers.png"],
    "seed_004_ex8_layerwise.py": ["seed_004_ex8_layerwise.png"],
}

if EXAMPLES:
    PARAMS = [pytest.param(path, id=path.name) for path in EXAMPLES]
else:
    PARAMS = [
        pytest.param(None, id="no-examples", marks=pytest.mark.skip(reason="no examples/*.py yet"))
    ]


@pytest.mark.parametrize("script", PARAMS)
def test_example_runs(script: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    env = dict(os.environ, GRAPHDIFF_OUT=str(out), GRAPHDIFF_QUICK="1", MPLBACKEND="Agg",
               PYTHONUTF8="1")
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"{script.name} exited with status {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout[-5000:]}\n--- stderr ---\n{proc.stderr[-10000:]}",
            pytrace=False,
        )
    for name in FIGURES.get(script.name, []):
        assert (out / name).is_file(), f"{script.name} wrote no {name}"
        assert_real_picture(out / name)


def assert_real_picture(path: Path) -> None:
    """A file that is an image of some size with something plotted on it: many colours
    (lines, text, shading) rather than one fill, and coloured pixels (the plotted lines
    and contours; empty axes, ticks and text are grey)."""
    if path.suffix == ".svg":
        text = path.read_text(encoding="utf-8")
        assert text.lstrip().startswith(("<?xml", "<svg")) and text.count("<path") > 10, path
        return
    image = pytest.importorskip("matplotlib.image").imread(path)
    height, width = image.shape[:2]
    assert height >= 200 and width >= 200, f"{path.name} is {width}×{height}"
    pixels = image.reshape(-1, image.shape[-1])[:, :3]
    colours = len({tuple(p) for p in (pixels * 255).astype(int)[::7].tolist()})
    assert colours > 50, f"{path.name} has {colours} colours: is anything drawn?"
    assert float(pixels.std()) > 0.05, f"{path.name} is nearly one colour"
    coloured = float(np.mean(pixels.max(axis=1) - pixels.min(axis=1) > 0.25))
    assert coloured > 0.002, f"{path.name} has {coloured:.2%} coloured pixels: nothing plotted"


def test_the_picture_check_refuses_a_blank_figure(tmp_path: Path) -> None:
    plot = pytest.importorskip("graphdiff.plot")
    blank, _ = plot.figure()
    plot.save(blank, tmp_path / "blank.png")
    with pytest.raises(AssertionError, match="nothing plotted"):
        assert_real_picture(tmp_path / "blank.png")
    drawn = plot.loss_curves({"a": [1.0, 0.5, 0.2], "b": [1.0, 0.7, 0.6]})
    assert_real_picture(plot.save(drawn, tmp_path / "drawn.png"))
