"""The tutorials in examples/notebooks run from top to bottom, and their rich outputs --
drawings, tables, formulas -- are there."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (test extra)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (test extra)")

from graphdiff.drawing.output import dot_available  # noqa: E402

FOLDER = Path(__file__).resolve().parents[1] / "examples" / "notebooks"
NOTEBOOKS = sorted(p.name for p in FOLDER.glob("*.ipynb"))


def _run(name: str, tmp_path: Path) -> object:
    book = nbformat.read(FOLDER / name, as_version=4)
    client = nbclient.NotebookClient(book, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    return book


def _outputs(book: object) -> list[dict]:
    return [out for cell in book.cells if cell.cell_type == "code" for out in cell.outputs]


def test_there_is_a_tutorial_per_audience() -> None:
    assert NOTEBOOKS == ["programmer.ipynb", "student.ipynb", "teacher.ipynb"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_notebook_runs_and_shows_its_work(name, tmp_path) -> None:
    book = _run(name, tmp_path)
    outputs = _outputs(book)
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {mime for o in outputs for mime in o.get("data", {})}
    assert "text/markdown" in kinds or "text/html" in kinds  # a worked table or a report
    if name != "teacher.ipynb":
        assert "text/latex" in kinds  # a formula
    if dot_available():
        svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get(
            "data", {})]
        assert svgs, f"{name} draws no graph"
        assert all("<svg" in svg and 'role="img"' in svg for svg in svgs)


def test_the_student_notebook_reproduces_seed_004_ex1(tmp_path) -> None:
    book = _run("student.ipynb", tmp_path)
    texts = [o["data"]["text/plain"] for o in _outputs(book) if "text/plain" in o.get(
        "data", {})]
    assert "10.0" in texts  # ∂f/∂x = 4x + 3y at (1, 2)
    assert any("VerifyReport all agree" in t for t in texts)
