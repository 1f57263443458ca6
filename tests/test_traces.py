"""Worked traces as a published text prints them.

The reference is the evaluation trace of Baydin, Pearlmutter, Radul and Siskind, "Automatic
Differentiation in Machine Learning: a Survey" (JMLR 18, 2018), Tables 2 and 3:
f(x1, x2) = ln(x1) + x1·x2 − sin(x2) at (x1, x2) = (2, 5), inputs named v₋₁, v₀ and
operations v₁ … v₅, output y = v₅; forward mode seeded with ẋ1 = 1; reverse mode listed
update by update, adjoints accumulating (v̄₀ is set from v₃, then incremented from v₂).
The text prints three decimals; the rows below are its rows, with the exact values they
stand for (checked against the printed decimals).
"""

from __future__ import annotations

import math

import pytest

import graphdiff as gd
from graphdiff.printing import node_labels

PROGRAM = """
v1 = ln(x1)
v2 = x1*x2
v3 = sin(x2)
v4 = v1 + v2
v5 = v4 - v3
y = v5
"""
AT = {"x1": 2.0, "x2": 5.0}

#: Table 2 (forward primal and tangent trace): label, printed value, exact value,
#: printed tangent, exact tangent.
FORWARD = [
    ("v_-1", 2, 2.0, 1, 1.0),
    ("v_0", 5, 5.0, 0, 0.0),
    ("v_1", 0.693, math.log(2), 0.5, 0.5),
    ("v_2", 10, 10.0, 5, 5.0),
    ("v_3", -0.959, math.sin(5), 0, 0.0),
    ("v_4", 10.693, math.log(2) + 10, 5.5, 5.5),
    ("v_5", 11.652, math.log(2) + 10 - math.sin(5), 5.5, 5.5),
    ("y", 11.652, math.log(2) + 10 - math.sin(5), 5.5, 5.5),
]

#: Table 3 (reverse adjoint trace), in the text's order: the adjoint updated, the node
#: whose adjoint flows into it (None for the seed), whether it accumulates, the printed
#: value after the update and the exact one.
REVERSE = [
    ("v_5", "y", False, 1, 1.0),
    ("v_4", "v_5", False, 1, 1.0),
    ("v_3", "v_5", False, -1, -1.0),
    ("v_1", "v_4", False, 1, 1.0),
    ("v_2", "v_4", False, 1, 1.0),
    ("v_0", "v_3", False, -0.284, -math.cos(5)),
    ("v_-1", "v_2", False, 5, 5.0),
    ("v_0", "v_2", True, 1.716, 2 - math.cos(5)),
    ("v_-1", "v_1", True, 5.5, 5.5),
]


@pytest.fixture(scope="module")
def graph() -> gd.Graph:
    return gd.parse(PROGRAM)


def test_the_printed_decimals_are_the_exact_values_rounded() -> None:
    for _, printed, exact, printed_tangent, tangent in FORWARD:
        assert round(exact, 3) == pytest.approx(printed, abs=1e-12)
        assert round(tangent, 3) == pytest.approx(printed_tangent, abs=1e-12)
    for *_, printed, exact in REVERSE:
        assert round(exact, 3) == pytest.approx(printed, abs=1e-12)


def test_the_survey_names_inputs_v_minus_1_v_0_and_the_output_row_y(graph) -> None:
    labels = node_labels(graph, "survey")
    assert labels == [label for label, *_ in FORWARD]


def test_forward_trace_row_by_row(graph) -> None:
    result = gd.forward(graph, "x1", at=AT)
    labels = node_labels(graph, "survey")
    for n, (label, _, exact, _, tangent) in zip(graph.order, FORWARD, strict=True):
        assert labels[n] == label
        assert result.values[n] == pytest.approx(exact, abs=1e-9)
        assert result.tangents[n] == pytest.approx(tangent, abs=1e-9)
    table = result.table(names="survey").splitlines()
    assert table[0].split()[-1] == "v̇"
    assert [row.split(" = ")[0] for row in table[1:]] == [label for label, *_ in FORWARD]
    assert table[-1].split()[:3] == ["y", "=", "v_5"]


def test_reverse_trace_update_by_update(graph) -> None:
    result = gd.reverse(graph, at=AT)
    label_of = dict(zip((graph.name(n) for n in graph.order), node_labels(graph, "survey"),
                        strict=True))
    seed, *updates = result.updates
    assert (label_of[seed.target], seed.source, seed.running) == ("y", None, 1.0)
    assert len(updates) == len(REVERSE)
    for update, (target, source, accumulates, _, exact) in zip(updates, REVERSE, strict=True):
        assert (label_of[update.target], label_of[update.source]) == (target, source)
        assert update.first is not accumulates
        assert update.running == pytest.approx(exact, abs=1e-9)
    assert result.gradient == pytest.approx({"x1": 5.5, "x2": 2 - math.cos(5)}, abs=1e-12)


def test_the_update_table_reads_as_the_text(graph) -> None:
    text = gd.reverse(graph, at=AT).table(names="survey", updates=True)
    lines = text.splitlines()
    assert lines[0].split() == ["update", "contribution", "v̄"]
    assert lines[1].startswith("ȳ = 1")
    assert lines[2].startswith("v̄_5 = ȳ")
    assert lines[8].startswith("v̄_-1 = v̄_2·v_0")
    assert lines[9].startswith("v̄_0 += v̄_2·v_-1")
    assert lines[10].startswith("v̄_-1 += v̄_1/v_-1")
    assert [line.split()[-1] for line in lines[1:]] == [
        "1", "1", "1", "-1", "1", "1", "-0.283662", "5", "1.71634", "5.5"]


def test_symbolic_updates_accumulate_expressions(graph) -> None:
    result = gd.reverse(graph)
    last = result.updates[-1]
    assert not last.first
    assert {str(s) for s in last.running.free_symbols} == {"x1", "x2", "v̄1", "v̄2"}
    assert str(last.running) == "v̄1/x1 + v̄2*x2"


def test_updates_of_a_repeated_operand_are_one_per_use() -> None:
    result = gd.reverse(gd.parse("x*x"), at={"x": 3.0})
    assert [(u.target, u.first, u.running) for u in result.updates] == [
        ("w2", True, 1.0), ("x", True, 3.0), ("x", False, 6.0)]


def test_updates_are_of_scalar_graphs() -> None:
    result = gd.reverse(gd.parse("X: 2x2\nL = sum(X @ X)"), at={"X": [[1.0, 2.0], [3.0, 4.0]]})
    with pytest.raises(gd.GraphdiffError, match="scalar graphs"):
        _ = result.updates


@pytest.mark.parametrize("names", ["auto", "graph", "w", "survey"])
def test_one_run_names_every_node_alike_in_every_table(names) -> None:
    """Paths, forward and reverse tables of one graph use one label per node."""
    import re

    g = gd.parse("x*y + sin(x)")
    at = {"x": 1.0, "y": 2.0}
    labels = set(node_labels(g, names))
    found = set()
    tables = [gd.paths(g, "x", at=at).table(names=names),
              gd.forward(g, "x", at=at).table(names=names),
              gd.reverse(g, at=at).table(names=names)]
    for table in tables:
        for line in table.splitlines()[1:]:
            first = line.split("  ")[0]
            found |= set(re.findall(r"[A-Za-z][A-Za-z0-9]*(?:_-?\d+)?", first.split(" = ")[0]))
    assert found - {"sum", "cos", "sin"} <= labels | ({"y"} if names == "survey" else set())


def test_the_json_trace_carries_the_tables_labels() -> None:
    from graphdiff.derive.report import diff_report

    g = gd.parse("x1*x2 + sin(x1)")
    report = diff_report(g, methods=["forward", "reverse"])
    forward_rows = report["results"][0]["trace"]["x1"]
    reverse_rows = report["results"][1]["trace"]
    assert [r["label"] for r in forward_rows] == node_labels(g)
    assert [(r["node"], r["label"]) for r in reverse_rows][-2:] == [("x2", "w2"), ("x1", "w1")]
    table = gd.reverse(g).table().splitlines()[1:]
    assert [row.split(" = ")[0] for row in table] == [r["label"] for r in reverse_rows]
