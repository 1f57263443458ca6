"""Every script in ``examples/`` runs to completion.

Each ``examples/*.py`` runs with the current interpreter in a subprocess, in a temporary
working directory, with ``GRAPHDIFF_OUT`` pointing at a temporary directory for any files it
writes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.py")) if EXAMPLES_DIR.is_dir() else []
TIMEOUT_S = 600

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
    env = dict(os.environ, GRAPHDIFF_OUT=str(out), MPLBACKEND="Agg", PYTHONUTF8="1")
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
