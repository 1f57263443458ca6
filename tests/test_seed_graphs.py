"""The graphs of the seeds, node by node and edge by edge."""

from __future__ import annotations

import networkx as nx
import sympy

import graphdiff as gd

x, y, c = sympy.symbols("x y c")


def _ops(g: gd.Graph) -> list[tuple[str, str]]:
    return [(g.name(n), g.formula(n)) for n in g.order if g.kind(n) == "op"]


def _edges(g: gd.Graph) -> dict[tuple[str, str], sympy.Expr]:
    return {(g.name(u), g.name(v)): g.edge_derivative(u, v) for u, v in g.nx.edges()}


def test_seed_004_ex1_nodes() -> None:
    g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    assert g.inputs == ("x", "y")
    assert g.outputs == ("f",)
    assert _ops(g) == [
        ("a", "x**2"), ("b", "x*y"), ("c", "x + y"),
        ("d", "a + b"), ("e", "c**2"), ("f", "d + e"),
    ]
    assert [g.nx.nodes[n]["op"] for n in g.order] == [
        None, None, "pow", "mul", "add", "add", "pow", "add",
    ]
    assert [g.nx.nodes[n]["level"] for n in g.order] == [0, 0, 1, 1, 1, 2, 2, 3]


def test_seed_004_ex1_edges_carry_the_seed_derivatives() -> None:
    g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    expected = {
        ("x", "a"): 2 * x,
        ("x", "b"): y,
        ("y", "b"): x,
        ("x", "c"): 1,
        ("y", "c"): 1,
        ("a", "d"): 1,
        ("b", "d"): 1,
        ("c", "e"): 2 * c,
        ("d", "f"): 1,
        ("e", "f"): 1,
    }
    assert _edges(g) == expected
    # The exponent 2 is an argument, not a node: no edge brings it into the paths.
    assert g.nx.number_of_nodes() == 8
    assert g.nx.nodes[g.id("a")]["args"] == (g.id("x"), 2)


def test_seed_004_ex1_paths_are_the_three_of_the_solution() -> None:
    g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    paths = sorted(
        [g.name(n) for n in p] for p in nx.all_simple_paths(g.nx, g.id("x"), g.id("f"))
    )
    assert paths == [["x", "a", "d", "f"], ["x", "b", "d", "f"], ["x", "c", "e", "f"]]


def test_seed_004_ex1_value() -> None:
    g = gd.parse("x**2 + x*y + (x+y)**2", naming="letters")
    assert g.evaluate(x=1, y=2) == 12.0
    assert [float(v) for v in g.values(x=1, y=2)] == [1, 2, 1, 2, 3, 3, 9, 12]


def test_seed_003_forward_example_numbering() -> None:
    # y = x1*x2 + sin(x1) = w1 w2 + sin w1 = w3 + w4 = w5
    g = gd.parse("x1*x2 + sin(x1)")
    assert [(g.name(n), g.formula(n)) for n in g.order] == [
        ("x1", "x1"), ("x2", "x2"), ("w3", "x1*x2"), ("w4", "sin(x1)"), ("w5", "w3 + w4"),
    ]
    assert [g.nx.nodes[n]["index"] for n in g.order] == [1, 2, 3, 4, 5]


def test_seed_003_reverse_example_numbering() -> None:
    # w3 = w1 w2, w4 = w2^3, w5 = e^{w3}, w6 = w4 + w5 (the seed's order by level)
    g = gd.parse("exp(x1*x2) + x2**3")
    assert _ops(g) == [
        ("w3", "x1*x2"), ("w4", "x2**3"), ("w5", "exp(w3)"), ("w6", "w5 + w4"),
    ]
    edges = _edges(g)
    w1, w2, w3, w5 = sympy.symbols("x1 x2 w3 w5")
    assert edges[("w3", "w5")] == w5  # exp' = out, the seed's e^{w3}
    assert edges[("x2", "w4")] == 3 * w2**2
    assert edges[("x1", "w3")] == w2 and edges[("x2", "w3")] == w1
    del w3


def test_seed_002_reverse_example_numbering() -> None:
    # w3 = sin(w1), w4 = w1 w2, w5 = w3 + w4
    g = gd.parse("sin(x1) + x1*x2")
    assert _ops(g) == [("w3", "sin(x1)"), ("w4", "x1*x2"), ("w5", "w3 + w4")]


def test_seed_004_ex2_program_with_the_seed_names() -> None:
    # Written out as the sheet writes it, independently of graphdiff.seeds.
    g = gd.parse(
        """
        h1 = x*w1
        o1 = sigmoid(h1)
        h2 = o1*w2
        o2 = sigmoid(h2)
        y_hat = o2*w3
        L = 1/2*(y - y_hat)^2
        """.replace("\n        ", "\n")
    )
    assert g.inputs == ("x", "w1", "w2", "w3", "y")
    assert g.outputs == ("L",)
    o2, h2 = sympy.symbols("o2 h2")
    assert g.edge_derivative("h2", "o2") == o2 * (1 - o2)  # the seed's o2(1 - o2)
    assert g.edge_derivative("w2", "h2") == sympy.Symbol("o1")
    # Unnamed intermediates avoid the w-prefix taken by the weights.
    assert all(not g.name(n).startswith("w") or g.kind(n) == "input" for n in g.order)
    del h2


def test_the_seeds_module_matches_the_sheets() -> None:
    from graphdiff import seeds

    assert seeds.graph("004-ex1").evaluate(seeds.EXAMPLES["004-ex1"].point) == 12.0
    g = seeds.graph("004-ex2")
    assert [g.name(n) for n in g.order if g.kind(n) == "op"][:5] == [
        "h1", "o1", "h2", "o2", "y_hat"]
    assert seeds.graph("003-reverse").formula("w5") == "exp(w3)"
    assert seeds.graph("002-reverse").formula("w3") == "sin(x1)"
