"""Batch grading on any concurrent.futures.Executor gives the same gradebook as graphdiff's
own process pool: threads, processes, and a local Dask cluster."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from graphdiff.checker import grade

ANSWERS = {
    "ann": 'dfdx = "4x + 3y"\ndfdy = "3x + 2y"\npaths_x = ["x -> a -> d -> f"]\n',
    "bob": 'dfdx = "2x + y"\ndfdy = "x"\n',
    "cat": 'dfdx = "4x + 3y + 0*exp(x)"\ndfdx_at = "10"\n',
    "eve": "dfdx = [[[\n",
    "dan": 'dfdx = "sin(x"\n',
}
#: What a run may change between two gradings of the same files.
VOLATILE = {"sha256"}


def _class(folder: Path) -> Path:
    folder.mkdir()
    for name, text in ANSWERS.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder


def _book(path: Path) -> list[dict]:
    rows = json.loads(path.read_text(encoding="utf-8"))["submissions"]
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in rows]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> list[dict]:
    tmp = tmp_path_factory.mktemp("pool")
    grade("seed004-ex1", _class(tmp / "subs"), tmp / "book.json", jobs=2, progress=False)
    return _book(tmp / "book.json")


@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_an_executor_gives_the_same_gradebook(tmp_path, reference, kind) -> None:
    make = ThreadPoolExecutor if kind == "threads" else ProcessPoolExecutor
    with make(max_workers=2) as executor:
        summary = grade("seed004-ex1", _class(tmp_path / "subs"), tmp_path / "book.json",
                        progress=False, executor=executor)
    assert summary.graded == len(ANSWERS)
    assert _book(tmp_path / "book.json") == reference
    assert {r["student"]: r["score"] for r in reference}["ann"] == 4.0


def test_a_failing_executor_loses_no_submission(tmp_path) -> None:
    class Broken(ThreadPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            if args[2][0] == "bob.toml":
                raise_later = ThreadPoolExecutor.submit(self, _explode)
                return raise_later
            return super().submit(fn, *args, **kwargs)

    with Broken(max_workers=2) as executor:
        grade("seed004-ex1", _class(tmp_path / "subs"), tmp_path / "book.json",
              progress=False, executor=executor)
    rows = {r["student"]: r for r in _book(tmp_path / "book.json")}
    assert set(rows) == set(ANSWERS)
    assert rows["bob"]["status"] == "error"
    assert "grading failed on the executor: RuntimeError: worker lost" in rows["bob"]["error"]
    assert rows["ann"]["status"] == "graded"


def _explode():
    raise RuntimeError("worker lost")


def test_a_local_dask_cluster_gives_the_same_gradebook(tmp_path, reference) -> None:
    distributed = pytest.importorskip(
        "distributed", reason="dask.distributed is not installed (the test extra has it)")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        grade("seed004-ex1", _class(tmp_path / "subs"), tmp_path / "book.json",
              progress=False, executor=client.get_executor())
    assert _book(tmp_path / "book.json") == reference
