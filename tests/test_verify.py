"""Cross-checks and numerical differentiation on graphs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import graphdiff as gd
from graphdiff.derive.check import Check, VerifyReport, _judge

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "text",
    [
        "x**2 + x*y + (x+y)**2",
        "exp(x1*x2) + x2**3",
        "sigmoid(w*x + b)",
        "z = x*w1 + b1\nh = tanh(z)\nL = 0.5*(h - y)**2",
        "log(x**2 + 1)*sqrt(y**2 + 1) / (1 + exp(-x*y))",
        "max(x, y)*relu(x - y) + abs(x)",
    ],
)
def test_verify_agrees_on_assorted_functions(text: str) -> None:
    report = gd.verify(gd.parse(text), points=4, seed=3)
    assert report.ok, report.table()
    assert report.methods == ("reverse", "forward", "paths", "symbolic", "numeric")
    assert len(report.checks) == 4 * len(gd.parse(text).inputs)


def test_verify_resamples_outside_the_domain() -> None:
    report = gd.verify(gd.parse("log(x) + sqrt(y)"), points=3)
    assert report.ok
    assert all(c.point["x"] > 0 and c.point["y"] > 0 for c in report.checks)


def test_verify_reports_a_disagreement() -> None:
    point = {"x": 1.0}
    good = _judge(point, "x", {"reverse": 2.0, "forward": 2.0, "numeric": 2.0 + 1e-9}, 1e-9)
    bad = _judge(point, "x", {"reverse": 2.0, "forward": 2.0001, "numeric": 2.0}, 1e-9)
    assert good.ok and not bad.ok and "forward differs" in bad.worst
    report = VerifyReport(graph=gd.parse("x"), checks=[good, bad], methods=("reverse",))
    assert not report.ok
    assert isinstance(bad, Check)


def test_verify_without_any_defined_point_is_a_clear_error() -> None:
    with pytest.raises(gd.GraphdiffError, match="found no point"):
        gd.verify(gd.parse("log(-x**2 - 1)"))


def test_numeric_diff_matches_reverse_within_its_estimate() -> None:
    g = gd.parse("exp(x1*x2) + x2**3")
    at = {"x1": 0.3, "x2": -0.7}
    numeric = gd.numeric_diff(g, at)
    exact = np.array(list(gd.grad(g, at).values()))
    assert np.all(np.abs(numeric.value - exact) <= numeric.error)
    assert np.all(numeric.error < 1e-8)


def test_numeric_diff_refuses_batches() -> None:
    with pytest.raises(gd.GraphdiffError, match="one point"):
        gd.numeric_diff(gd.parse("x*y"), {"x": np.array([1.0, 2.0]), "y": 1.0})


def test_benchmark_script_runs_quickly() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
                            capture_output=True, text=True, check=False, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert "gradient/evaluation" in result.stdout
    assert "k = " in result.stdout


def test_verify_skips_sympy_on_deep_graphs_and_says_why() -> None:
    def network(u):
        for _ in range(100):
            u = gd.tanh(0.9 * u)
        return u

    report = gd.verify(gd.trace(network), points=2, low=0.1, high=1.0)
    assert report.ok
    assert "symbolic" not in report.methods
    assert any("nested 200 levels" in reason for reason in report.skipped)


def test_verify_without_inputs_and_near_the_domain_edge() -> None:
    with pytest.raises(gd.GraphdiffError, match="no inputs"):
        gd.verify(gd.parse("2 + 3"))
    report = gd.verify(gd.parse("log(x)"), low=1e-9, high=1.0, points=3)
    assert report.ok
