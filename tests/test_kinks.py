"""At a kink the methods may differ, and graphdiff says why instead of printing two numbers
silently; derivatives print their steps as the seeds write them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphdiff as gd
from graphdiff.derive.kinks import differing, kinks_at
from graphdiff.derive.report import run_report


@pytest.mark.parametrize(("text", "at", "op", "rule", "value"), [
    ("relu(x)", {"x": 0.0}, "relu", "[x > 0]", 0.0),
    ("relu(x - 1)*y", {"x": 1.0, "y": 2.0}, "relu", "[w3 > 0]", 0.0),
    ("abs(x)", {"x": 0.0}, "abs", "sign(x)", 0.0),
    ("max(x, y)", {"x": 0.5, "y": 0.5}, "max", "[x >= y]", 1.0),
    ("leaky_relu(x, 0.2)", {"x": 0.0}, "leaky_relu", "1 - 4·[x <= 0]/5", 0.2),
])
def test_a_point_on_a_kink_is_found_with_the_rule_applied_there(text, at, op, rule, value):
    found = kinks_at(gd.parse(text), at)
    assert found, text
    first = found[0]
    assert (first.op, first.rule, first.value) == (op, rule, value)


@pytest.mark.parametrize(("text", "at"), [
    ("relu(x)", {"x": 1e-300}), ("abs(x)", {"x": -3.0}), ("max(x, y)", {"x": 1.0, "y": 2.0}),
    ("log(x) + x**2", {"x": 1.0}), ("x**2", {"x": 0.0}), ("sqrt(x)", {"x": 4.0}),
])
def test_no_kink_away_from_one_nor_at_a_smooth_point(text, at):
    assert kinks_at(gd.parse(text), at) == ()


def test_the_diff_report_explains_a_disagreement_at_a_kink():
    run = run_report(gd.parse("relu(x)"), at={"x": 0.0})
    values = {r["method"]: r["derivatives"]["x"]["value"] for r in run.report["results"]}
    assert values == {"paths": 0.0, "forward": 0.0, "reverse": 0.0, "symbolic": 0.5,
                      "numeric": pytest.approx(0.5)}
    note = run.report["kink_note"]
    assert "relu at w2 (x = 0)" in note
    assert "∂w2/∂x = [x > 0] = 0" in note
    assert "Heaviside(0) is 1/2" in note and "averages the slopes" in note


def test_the_cli_prints_the_note_and_the_seeds_brackets(capsys):
    from graphdiff.cli.main import main

    assert main(["diff", "relu(x)", "--at", "x=0", "--method", "all"]) == 0
    out = capsys.readouterr().out
    assert "∂w2/∂x = [x > 0] = 0" in out  # not 1 - Heaviside(-x, 1)
    assert "Heaviside(-x, 1)" not in out
    assert out.rstrip().splitlines()[-1].startswith("note: the methods differ only because")


@pytest.mark.parametrize(("text", "at"), [("relu(x)", {"x": 0.5}), ("x**2*y", {"x": 1.0,
                                                                               "y": 2.0})])
def test_no_note_when_the_methods_agree(text, at):
    assert run_report(gd.parse(text), at=at).report["kink_note"] is None


def test_verify_on_a_kink_agrees_and_says_why():
    report = gd.verify(gd.parse("relu(x) + x*y"), points=1, low=0.0, high=0.0)
    assert report.ok
    on_kink = [c for c in report.checks if c.kink]
    assert [c.wrt for c in on_kink] == ["x"]
    assert "yes (on a kink)" in report.table()


def test_verify_still_fails_when_the_rule_methods_disagree(monkeypatch):
    import graphdiff.derive.check as check

    real = check.grad

    def broken(graph, at=None, method="reverse", **kw):
        result = real(graph, at=at, method=method, **kw)
        return {k: v + 1.0 for k, v in result.items()} if method == "forward" else result

    monkeypatch.setattr(check, "grad", broken)
    report = gd.verify(gd.parse("relu(x)"), points=1, low=0.0, high=0.0)
    assert not report.ok


@settings(max_examples=30, deadline=None)
@given(op=st.sampled_from(["relu", "abs"]), shift=st.integers(-3, 3),
       y=st.floats(-2, 2).filter(lambda v: abs(v) > 1e-3))
def test_at_any_kink_the_rule_methods_agree_and_only_symbolic_numeric_differ(op, shift, y):
    g = gd.parse(f"{op}(x - ({shift}))*y + x")
    at = {"x": float(shift), "y": y}
    results = run_report(g, at=at).report["results"]
    by = {r["method"]: r["derivatives"]["x"]["value"] for r in results}
    rule = {m: by[m] for m in ("paths", "forward", "reverse")}
    assert not differing(rule)
    if differing(by):
        assert run_report(g, at=at).report["kink_note"] is not None


def test_differing_uses_a_relative_tolerance():
    assert not differing({"a": 1e12, "b": 1e12 + 1})
    assert differing({"a": 1.0, "b": 1.001})
    assert not differing({"a": None, "b": 2.0})


def test_the_convention_is_selectable_and_restored():
    g = gd.parse("relu(x) + leaky_relu(x, 0.25)")
    assert gd.grad(g, {"x": 0.0}) == {"x": 0.25}
    with gd.kink_convention("seed001"):
        for method in ("reverse", "forward", "paths"):
            assert gd.grad(g, {"x": 0.0}, method) == {"x": 2.0}
        assert kinks_at(g, {"x": 0.0})[0].rule == "[x >= 0]"
        # Away from the kink nothing changes.
        assert gd.grad(g, {"x": -1.0}) == {"x": 0.25}
        assert gd.grad(g, {"x": 2.0}) == {"x": 2.0}
    assert gd.grad(g, {"x": 0.0}) == {"x": 0.25}
    with pytest.raises(ValueError, match="seed004, seed001"):
        gd.kink_convention("seed999").__enter__()
