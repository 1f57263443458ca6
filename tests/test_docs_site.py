"""The documentation site builds with MkDocs --strict: every page, every link inside the
docs, every API reference generated from the docstrings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs", reason="mkdocs is not installed (test extra)")
pytest.importorskip("mkdocstrings", reason="mkdocstrings is not installed (test extra)")

ROOT = Path(__file__).resolve().parents[1]


def test_the_site_builds_strictly_with_every_page_and_the_api(tmp_path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
         "-d", str(tmp_path / "site")],
        capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    site = tmp_path / "site"
    pages = {p.stem for p in (ROOT / "docs").glob("*.md")}
    built = {p.parent.name for p in site.glob("*/index.html")}
    assert pages - {"index"} <= built
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("graphdiff.parse.parse", "graphdiff.derive.reverse.reverse",
                 "graphdiff.checker.grade", "graphdiff.transforms"):
        assert name in api
    assert list((site / "images").glob("*.svg")), "the rendered seed figures are in the site"


def test_every_page_is_in_the_navigation() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    missing = [p.name for p in (ROOT / "docs").glob("*.md") if p.name not in config]
    assert not missing
