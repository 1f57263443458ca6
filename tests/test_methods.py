"""The registry of derivative methods: grad, the diff report, the CLI and the drawings
loop over it, and a method registered once is known to all of them."""

from __future__ import annotations

import json
import math

import pytest

import graphdiff as gd
from graphdiff.cli import main
from graphdiff.derive import methods as methods_module
from graphdiff.derive.methods import (
    METHODS,
    Method,
    MethodRun,
    get_method,
    method_of,
    register_method,
    unregister_method,
)
from graphdiff.derive.report import ALL_METHODS, diff_report, run_report

F = "x**2 + x*y + (x+y)**2"
AT = {"x": 1.0, "y": 2.0}


def test_every_method_is_registered_with_its_engine_and_result_type() -> None:
    assert list(METHODS) == ["paths", "forward", "reverse", "symbolic", "numeric"]
    assert list(ALL_METHODS) == list(METHODS)
    g = gd.parse(F)
    for method in METHODS.values():
        assert method.description and callable(method.engine)
        assert method.exact is (method.name != "numeric")
        assert method.needs_point is (method.name == "numeric")
        gradient = method.gradient(g, AT, "w8")
        assert gradient.keys() == {"x", "y"}
        assert math.isclose(gradient["x"], 10.0, rel_tol=1e-6)
    assert {m.draws for m in METHODS.values()} == {"paths", "tangents", "adjoints", None}


def test_results_know_their_method() -> None:
    g = gd.parse(F)
    assert method_of(gd.forward(g, wrt="x")) is METHODS["forward"]
    assert method_of(gd.paths(g, "x")) is METHODS["paths"]
    assert method_of(g) is None


def test_grad_and_the_report_read_the_registry() -> None:
    g = gd.parse(F)
    with pytest.raises(gd.GraphdiffError, match="method must be one of paths, forward"):
        gd.grad(g, method="secant")
    with pytest.raises(gd.GraphdiffError, match="unknown method 'secant'"):
        diff_report(g, methods=["secant"])
    assert get_method("reverse").name == "reverse"


def test_the_cli_formats_the_report_it_was_given(capsys, monkeypatch) -> None:
    calls: list[str] = []
    original = methods_module.forward

    def counted(*args, **kwargs):
        calls.append("forward")
        return original(*args, **kwargs)

    monkeypatch.setattr(methods_module, "forward", counted)
    assert main(["diff", F, "--method", "forward", "--at", "x=1,y=2", "--table"]) == 0
    out = capsys.readouterr().out
    # One symbolic and one numeric sweep per input: the tables come from the same runs.
    assert len(calls) == 4
    assert "ẇ1 = 1" in out and "∂w8/∂x = 4*x + 3*y = 10" in out


def test_a_registered_method_is_known_everywhere(capsys) -> None:
    def halved_gradient(graph, at, output):
        return {x: v / 2 for x, v in METHODS["reverse"].gradient(graph, at, output).items()}

    def halved_run(graph, wrt, at, output):
        run = METHODS["reverse"].run(graph, wrt, at, output)
        derivatives = {name: {"symbolic": None, "value": d["value"] / 2 if d["value"] else None}
                       for name, d in run.derivatives.items()}
        return MethodRun(derivatives, trace=None, work=("  (half of reverse mode)",))

    register_method(Method("half", "half the gradient (a test)", gd.reverse, gd.ReverseResult,
                           exact=False, needs_point=False, gradient=halved_gradient,
                           run=halved_run))
    try:
        g = gd.parse(F)
        assert gd.grad(g, AT, method="half") == {"x": 5.0, "y": 3.5}
        assert [r["method"] for r in diff_report(g, at=AT)["results"]][-1] == "half"
        assert run_report(g, at=AT, methods=["half"]).runs["half"].work == (
            "  (half of reverse mode)",)
        assert main(["diff", F, "--method", "half", "--at", "x=1,y=2", "--table"]) == 0
        out = capsys.readouterr().out
        assert "half:\n  ∂w8/∂x = 5" in out and "(half of reverse mode)" in out
        assert main(["diff", F, "--method", "all", "--at", "x=1,y=2",
                     "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out)["results"][-1]["method"] == "half"
    finally:
        unregister_method("half")
    assert "half" not in METHODS
    with pytest.raises(gd.GraphdiffError, match="built in"):
        unregister_method("forward")


def test_the_paths_method_sums_long_paths_instead_of_listing_them(monkeypatch) -> None:
    from graphdiff.derive import paths as paths_module

    def chain(x):  # one path of 90 edges
        for _ in range(30):
            x = gd.tanh(gd.sin(gd.cos(x)))
        return x

    g = gd.trace(chain)
    at = {"x": 0.3}
    listed = METHODS["paths"].gradient(g, at, g.outputs[0])["x"]
    monkeypatch.setattr(paths_module, "DEFAULT_FACTOR_LIMIT", 50)
    assert not paths_module.listable(g, 1)
    summed = METHODS["paths"].gradient(g, at, g.outputs[0])["x"]
    assert summed == pytest.approx(listed, rel=1e-12)
    assert summed == pytest.approx(gd.grad(g, at=at)["x"], rel=1e-12)
    run = METHODS["paths"].run(g, ["x"], at, g.outputs[0])
    assert run.trace["x"] == {"count": 1, "paths": None}
    assert "(1 path of up to 90 edges from x: too many to list" in run.work[0]
