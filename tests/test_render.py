"""Rendering with Graphviz: DOT content for the seed graphs, real files, no-dot, big graphs, CLI."""

from __future__ import annotations

import math
import re
import struct
import time
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sympy

import graphdiff as gd
from graphdiff import seeds
from graphdiff.errors import GraphdiffError
from graphdiff.notation import BAR, decorated
from graphdiff.render import (
    NODE_STYLES,
    PALETTE,
    RenderError,
    RenderWarning,
    dot_available,
    edge_label_text,
    edge_line,
    legend_rows,
    node_label_text,
    pretty_name,
    render,
    repr_html,
    repr_mimebundle,
    repr_svg,
    svg,
    to_file,
)

needs_dot = pytest.mark.skipif(not dot_available(), reason="Graphviz's dot is not installed")

EX2_POINT = dict(seeds.EXAMPLES["004-ex2"].point)


@pytest.fixture
def ex1() -> gd.Graph:
    return gd.parse("x**2 + x*y + (x+y)**2", naming="letters")


def node_lines(drawing) -> list[str]:
    return [line for line in drawing.body if re.match(r"\s*n\d+ \[", line)]


def edge_lines(drawing) -> list[str]:
    return [line for line in drawing.body if re.match(r"\s*n\d+ -> n\d+", line)]


def attr(line: str, name: str) -> str | None:
    match = re.search(rf'\b{name}=("[^"]*"|[^\s\]]+)', line)
    return None if match is None else match.group(1).strip('"')


def svg_text(data: str | bytes) -> str:
    """All the text drawn in an SVG, concatenated, after parsing it as XML."""
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    return "".join(el.text or "" for el in root.iter() if el.tag.endswith("text"))


# --- seed 004, exercise 1 -----------------------------------------------------------------

EX1_EDGES = {
    ("x", "a"): "2x", ("x", "b"): "y", ("x", "c"): "1", ("y", "b"): "x", ("y", "c"): "1",
    ("a", "d"): "1", ("b", "d"): "1", ("c", "e"): "2c", ("d", "f"): "1", ("e", "f"): "1",
}


def test_seed_004_ex1_nodes_and_edge_derivatives(ex1: gd.Graph) -> None:
    drawing = render(ex1)
    assert drawing.graph_attr["rankdir"] == "LR"
    assert len(node_lines(drawing)) == 8
    assert len(edge_lines(drawing)) == 10
    labels = [node_label_text(drawing, n) for n in range(8)]
    assert labels == ["x", "y", "a = x²", "b = x·y", "c = x + y", "d = a + b", "e = c²",
                      "f = d + e"]
    assert {edge: edge_label_text(drawing, *edge) for edge in EX1_EDGES} == EX1_EDGES
    # No values without a point.
    assert "= 1" not in node_label_text(drawing, "x")


def test_seed_004_ex1_roles_are_visually_distinct(ex1: gd.Graph) -> None:
    lines = node_lines(render(ex1))
    shapes = [attr(line, "shape") for line in lines]
    fills = [attr(line, "fillcolor") for line in lines]
    assert shapes[:2] == ["ellipse", "ellipse"]
    assert set(shapes[2:]) == {"box"}
    assert fills[0] == NODE_STYLES["input"]["fillcolor"]
    assert fills[2] == NODE_STYLES["op"]["fillcolor"]
    assert fills[7] == NODE_STYLES["output"]["fillcolor"]
    assert attr(lines[7], "peripheries") == "2"
    assert len({fills[0], fills[2], fills[7]}) == 3


def test_seed_004_ex1_values_at_a_point(ex1: gd.Graph) -> None:
    drawing = render(ex1, at={"x": 1, "y": 2})
    assert node_label_text(drawing, "x") == "x = 1"
    assert node_label_text(drawing, "e") == "e = c² = 9"
    assert node_label_text(drawing, "f") == "f = d + e = 12"
    assert edge_label_text(drawing, "x", "a") == "2x = 2"
    assert edge_label_text(drawing, "c", "e") == "2c = 6"
    assert edge_label_text(drawing, "a", "d") == "1"  # a constant derivative is shown once
    numeric = render(ex1, at={"x": 1, "y": 2}, show="numeric")
    assert edge_label_text(numeric, "c", "e") == "6"
    assert node_label_text(numeric, "e") == "e = c²"
    symbolic = render(ex1, at={"x": 1, "y": 2}, show=["symbolic", "values"])
    assert edge_label_text(symbolic, "c", "e") == "2c"


def test_seed_004_ex1_x_paths_in_three_colours_with_legend(ex1: gd.Graph) -> None:
    drawing = render(ex1, at={"x": 1, "y": 2}, paths="x")
    blue, vermillion, green = PALETTE[:3]
    colours = {edge: attr(edge_line(drawing, *edge), "color") for edge in EX1_EDGES}
    assert colours[("x", "a")] == colours[("a", "d")] == blue
    assert colours[("x", "b")] == colours[("b", "d")] == vermillion
    assert colours[("x", "c")] == colours[("c", "e")] == colours[("e", "f")] == green
    assert colours[("d", "f")] == f"{blue}:{vermillion}"  # shared edge: both, side by side
    assert colours[("y", "b")] == colours[("y", "c")] == "#BBBBBB"  # off every path: dimmed
    assert len({blue, vermillion, green}) == 3
    assert legend_rows(drawing) == [
        "x → a → d → f: 2x · 1 · 1 = 2x = 2",
        "x → b → d → f: y · 1 · 1 = y = 2",
        "x → c → e → f: 1 · 2c · 1 = 2c = 6",
        "∂f/∂x = 2x + y + 2c = 4x + 3y = 10",
    ]
    label = drawing.graph_attr["label"]
    for colour in (blue, vermillion, green):
        assert f'COLOR="{colour}"' in label


def test_paths_from_two_inputs_and_from_a_result(ex1: gd.Graph) -> None:
    drawing = render(ex1, paths=["x", "y"])
    rows = legend_rows(drawing)
    assert rows[3] == "∂f/∂x = 2x + y + 2c = 4x + 3y"
    assert rows[4:] == ["y → b → d → f: x · 1 · 1 = x", "y → c → e → f: 1 · 2c · 1 = 2c",
                        "∂f/∂y = x + 2c = 3x + 2y"]
    assert attr(edge_line(drawing, "y", "b"), "color") == PALETTE[3]
    from_result = render(gd.paths(ex1, "x"))
    assert legend_rows(from_result) == legend_rows(render(ex1, paths="x"))


def test_output_is_deterministic(ex1: gd.Graph) -> None:
    options = {"at": {"x": 1, "y": 2}, "paths": "x"}
    first = render(ex1, **options).source
    again = render(gd.parse("x**2 + x*y + (x+y)**2", naming="letters"), **options).source
    assert first == again
    assert render(ex1).source == render(ex1).source


def test_highlight_and_notes(ex1: gd.Graph) -> None:
    drawing = render(ex1, highlight=["c", ("c", "e")], notes={"e": "e is a square"})
    assert attr(node_lines(drawing)[4], "penwidth") == "3.5"
    assert attr(edge_line(drawing, "c", "e"), "penwidth") == "3.5"
    assert node_label_text(drawing, "e") == "e = c²\ne is a square"
    with pytest.raises(RenderError, match="no edge"):
        render(ex1, highlight=[("x", "f")])


# --- seed 003: forward and reverse ---------------------------------------------------------


def test_seed_003_forward_tangents_at_a_point() -> None:
    g = gd.parse("x1*x2 + sin(x1)")
    result = gd.forward(g, wrt="x1", at={"x1": 0.0, "x2": 2.0})
    drawing = render(result, show="values,derivatives,tangents,rules")
    labels = [node_label_text(drawing, n) for n in range(5)]
    assert labels == [
        "w₁ = x₁ = 0\nẇ₁ = 1",
        "w₂ = x₂ = 2\nẇ₂ = 0",
        "w₃ = w₁·w₂ = 0\nẇ₃ = w₂·ẇ₁ + w₁·ẇ₂ = 2",
        "w₄ = sin(w₁) = 0\nẇ₄ = cos(w₁)·ẇ₁ = 1",
        "w₅ = w₃ + w₄ = 0\nẇ₅ = ẇ₃ + ẇ₄ = 3",
    ]
    assert result.derivative == 3.0
    assert edge_label_text(drawing, 0, 3) == "cos(w₁) = 1"
    # Computed by render itself, from the graph, with the default show at a point.
    again = render(g, at={"x1": 0.0, "x2": 2.0}, show="values,tangents", wrt="x1")
    assert node_label_text(again, 4) == "w₅ = w₃ + w₄ = 0\nẇ₅ = 3"
    with pytest.raises(GraphdiffError, match="wrt"):
        render(g, show="tangents")


def test_seed_003_reverse_adjoints_at_a_point() -> None:
    g = gd.parse("exp(x1*x2) + x2**3")
    point = {"x1": 0.0, "x2": 1.0}
    result = gd.reverse(g, at=point)
    drawing = render(result, show="values,adjoints,rules")
    labels = [node_label_text(drawing, n) for n in range(6)]
    assert labels == [
        "w₁ = x₁ = 0\nw̄₁ = w₂·w̄₃ = 1",
        "w₂ = x₂ = 1\nw̄₂ = w₁·w̄₃ + 3w₂²·w̄₄ = 3",
        "w₃ = w₁·w₂ = 0\nw̄₃ = w₅·w̄₅ = 1",
        "w₄ = w₂³ = 1\nw̄₄ = w̄₆ = 1",
        "w₅ = exp(w₃) = 1\nw̄₅ = w̄₆ = 1",
        "w₆ = w₅ + w₄ = 2\nw̄₆ = 1",
    ]
    assert result.gradient == {"x1": 1.0, "x2": 3.0}
    # The default for a reverse result: values, edge derivatives and adjoints.
    default = render(result)
    assert node_label_text(default, 1) == "w₂ = x₂ = 1\nw̄₂ = 3"
    assert edge_label_text(default, 1, 3) == "3w₂² = 3"


def test_seed_003_adjoint_graph() -> None:
    g = gd.parse("exp(x1*x2) + x2**3")
    dg = gd.reverse_graph(g)
    drawing = render(dg, primal=g, at={"x1": 0.0, "x2": 1.0})
    lines = {node_label_text(drawing, n).split(" = ")[0]: line
             for n, line in enumerate(node_lines(drawing))}
    assert attr(lines["x̄₁"], "fillcolor") == NODE_STYLES["adjoint"]["fillcolor"]
    assert attr(lines["x̄₁"], "peripheries") == "2"  # an output of the adjoint graph
    assert attr(lines["w₅"], "fillcolor") == NODE_STYLES["op"]["fillcolor"]
    helpers = [name for name, line in lines.items() if "dashed" in (attr(line, "style") or "")]
    assert helpers and all(name not in g.inputs for name in helpers)
    assert node_label_text(drawing, "x̄₁") == "x̄₁ = w₅·x₂ = 1"
    assert node_label_text(drawing, "x̄₂").endswith("= 3")


# --- seed 004, exercise 2: backprop ---------------------------------------------------------


def test_seed_004_ex2_backprop_adjoints_and_accumulator() -> None:
    g = seeds.graph("004-ex2")
    result = gd.reverse(g, at=EX2_POINT)
    notes = {"y_hat": "d = ∂L/∂ŷ", "h2": "d ← d·w₃·o₂(1 − o₂)", "h1": "d ← d·w₂·o₁(1 − o₁)"}
    drawing = render(result, show="values,symbolic,adjoints", notes=notes,
                     highlight=list(notes), rankdir="TB")
    assert drawing.graph_attr["rankdir"] == "TB"
    # The sheet's network: y_hat = σ(σ(x·w1)·w2)·w3, L = ½(y − y_hat)².
    loss = sympy.sympify("1/2*(y - w3/(1 + exp(-w2/(1 + exp(-x*w1)))))**2")
    for weight in ("w1", "w2", "w3"):
        exact = float(sympy.diff(loss, weight).subs(EX2_POINT))
        assert math.isclose(result.adjoint(weight), exact, rel_tol=1e-12)
        shown = node_label_text(drawing, weight).split("\n")[1]
        assert shown == f"{pretty_name(decorated(weight, BAR))} = {exact:.4g}".replace("-", "−")
    # The accumulator d of the sheet is the adjoint of y_hat, then h2, then h1.
    values = dict(zip((g.name(n) for n in g.order), g.values(EX2_POINT), strict=True))
    d = values["y_hat"] - EX2_POINT["y"]
    assert math.isclose(result.adjoint("y_hat"), d)
    d = d * EX2_POINT["w3"] * values["o2"] * (1 - values["o2"])
    assert math.isclose(result.adjoint("h2"), d)
    assert math.isclose(result.adjoint("w2"), d * values["o1"])
    d = d * EX2_POINT["w2"] * values["o1"] * (1 - values["o1"])
    assert math.isclose(result.adjoint("h1"), d)
    assert math.isclose(result.adjoint("w1"), d * EX2_POINT["x"])
    label = node_label_text(drawing, "y_hat").split("\n")
    assert label == ["ŷ = o₂·w₃ = 0.6984", "ŷ\u0305 = −0.3016", "d = ∂L/∂ŷ"]
    assert node_label_text(drawing, "h2").split("\n") == [
        "h₂ = o₁·w₂ = −0.6225", "h̄₂ = −0.1371", "d ← d·w₃·o₂(1 − o₂)"]
    assert node_label_text(drawing, "L").split("\n") == ["L = ½·v₁₂ = 0.04547", "L̄ = 1"]
    assert edge_label_text(drawing, "h1", "o1") == "o₁·(1 − o₁)"
    assert edge_label_text(drawing, "v12", "L") == "½"
    assert attr(node_lines(drawing)[g.id("h2")], "penwidth") == "3.5"


# --- files, formats, notebooks ---------------------------------------------------------------


@needs_dot
def test_svg_png_pdf_dot_files_are_real(ex1: gd.Graph, tmp_path: Path) -> None:
    drawing = render(ex1, at={"x": 1, "y": 2}, paths="x")
    written = {suffix: to_file(drawing, tmp_path / f"ex1{suffix}")
               for suffix in (".svg", ".png", ".pdf", ".dot", ".gv")}
    text = svg_text(written[".svg"].read_bytes())
    for expected in ("x²", "2x", "2c", "x → a → d → f", "4x + 3y", "12"):
        assert expected in text
    png_bytes = written[".png"].read_bytes()
    assert png_bytes[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png_bytes[16:24])
    assert width > 1000 and height > 300  # 150 dpi: slide-sized
    assert written[".pdf"].read_bytes()[:5] == b"%PDF-"
    assert written[".dot"].read_text(encoding="utf-8") == drawing.source
    assert written[".gv"].read_text(encoding="utf-8") == drawing.source
    # Graphs and results go straight to a file, with render options.
    path = to_file(gd.forward(gd.parse("x1*x2 + sin(x1)"), "x1", {"x1": 0, "x2": 2}),
                   tmp_path / "sub" / "forward.svg", show="values,tangents")
    assert "ẇ₅" in svg_text(path.read_bytes()) or "ẇ" in svg_text(path.read_bytes())
    with pytest.raises(RenderError, match="suffix"):
        to_file(ex1, tmp_path / "ex1.txt")


@needs_dot
def test_notebook_display(ex1: gd.Graph) -> None:
    picture = repr_svg(ex1)
    assert picture is not None and "<svg" in picture
    bundle = repr_mimebundle(gd.reverse(ex1, at={"x": 1, "y": 2}))
    assert set(bundle) == {"image/svg+xml", "text/html"}
    assert "<svg" in bundle["text/html"]
    assert "f̄ = 1" in bundle["text/html"]  # the reverse table under the picture
    assert set(repr_mimebundle(ex1, include={"image/svg+xml"})) == {"image/svg+xml"}
    page = repr_html(gd.paths(ex1, "x"))
    assert page is not None and page.count("<svg") == 1 and "x → a → d → f" in page


def test_notebook_does_not_draw_huge_graphs_on_display() -> None:
    g = chain(500)
    assert len(g) > 2000
    assert repr_svg(g) is None
    bundle = repr_mimebundle(g)
    assert list(bundle) == ["text/plain"] and "too many to draw on display" in bundle["text/plain"]


def test_missing_dot_gives_install_hint_and_dot_source_still_works(
        ex1: gd.Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert not dot_available()
    drawing = render(ex1, paths="x")  # building the drawing needs no Graphviz
    assert drawing.source.startswith("digraph")
    with pytest.raises(RenderError) as info:
        to_file(drawing, tmp_path / "ex1.png")
    err = info.value
    assert isinstance(err, GraphdiffError) and err.missing_dot
    message = str(err)
    for hint in ("apt-get install graphviz", "brew install graphviz", "./run.sh setup",
                 ".source"):
        assert hint in message
    assert not (tmp_path / "ex1.png").exists()
    dot_path = to_file(ex1, tmp_path / "ex1.dot", paths="x")
    assert dot_path.read_text(encoding="utf-8") == drawing.source
    with pytest.warns(RenderWarning, match="apt-get install graphviz"):
        assert repr_svg(ex1) is None
    bundle = repr_mimebundle(ex1)
    assert list(bundle) == ["text/plain"] and "brew install graphviz" in bundle["text/plain"]
    # The command line writes the DOT source instead: tests/test_cli.py.


def test_missing_dot_via_graphviz_exception(ex1: gd.Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    import graphviz

    def no_dot(*args, **kwargs):
        raise graphviz.ExecutableNotFound(("dot", "-Tsvg"))

    monkeypatch.setattr(graphviz.Digraph, "pipe", no_dot)
    with pytest.raises(RenderError, match="brew install graphviz") as info:
        svg(ex1)
    assert info.value.missing_dot


# --- invalid requests -----------------------------------------------------------------------


def test_invalid_requests_are_clear_errors(ex1: gd.Graph) -> None:
    with pytest.raises(RenderError, match="needs a point"):
        render(ex1, show="values")
    with pytest.raises(RenderError, match="unknown item 'colours'"):
        render(ex1, show="derivatives,colours")
    with pytest.raises(RenderError, match="one point, not a batch"):
        render(ex1, at={"x": [1.0, 2.0], "y": 1.0})
    with pytest.raises(RenderError, match="rankdir"):
        render(ex1, rankdir="up")
    with pytest.raises(RenderError, match="max_paths=2"):
        render(ex1, paths="x", max_paths=2)
    with pytest.raises(RenderError, match="limit=5"):
        render(ex1, limit=5)
    with pytest.raises(RenderError, match="not list"):
        render([1, 2])  # type: ignore[arg-type]
    with pytest.raises(GraphdiffError, match="no node named 'q'"):
        render(ex1, paths="q")


# --- large graphs -------------------------------------------------------------------------------


def chain(steps: int) -> gd.Graph:
    def layer(u):
        for _ in range(steps):
            u = gd.sin(u) * gd.cos(u) + u / 2
        return u

    return gd.trace(layer)


def test_medium_graph_is_a_compact_dot_overview_with_cut_long_edges() -> None:
    program = "\n".join(["w2 = x*x"] + [f"w{i + 1} = w{i}*x + y" for i in range(2, 150)])
    g = gd.parse(program)
    assert len(g) > 200
    with pytest.warns(RenderWarning, match="compact overview"):
        drawing = render(g)
    assert drawing.engine == "dot"
    assert not any("label=<" in line for line in edge_lines(drawing))  # no edge labels
    stubs = [line for line in drawing.body if re.match(r"\s*r\d+_\d+ \[", line)]
    assert stubs and all("dashed" in line for line in stubs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        detailed = render(g, max_nodes=1000)  # every detail on request, no warning
    assert any("label=<" in line for line in edge_lines(detailed))


@needs_dot
def test_5000_node_graph_renders_to_svg_in_reasonable_time() -> None:
    g = chain(1000)
    assert len(g) == 5001
    start = time.perf_counter()
    with pytest.warns(RenderWarning, match="sfdp"):
        drawing = render(g)
    picture = svg(drawing)
    elapsed = time.perf_counter() - start
    assert drawing.engine == "sfdp"
    root = ET.fromstring(picture)
    titles = [el.text for el in root.iter() if el.tag.endswith("title")]
    assert sum(1 for t in titles if t and re.fullmatch(r"n\d+", t)) == 5001
    assert elapsed < 60, f"rendering 5,001 nodes took {elapsed:.1f} s"


# --- tensor graphs: shapes under the names, VJPs on the edges ---------------------------------


def test_a_tensor_graph_shows_shapes_under_names_and_vjps_on_edges() -> None:
    g = gd.parse("X: 4x2\nW1: 2x3\nH1 = X @ W1\nO1 = relu(H1)\nS = sigmoid(H1)\n"
                 "L = sum(O1) + sum(S)")
    source = render(g, show="symbolic").source
    for text in ("H̄₁·W₁ᵀ", "Xᵀ·H̄₁", "Ō₁ ⊙ [H₁ &gt; 0]", "S̄ ⊙ σ(H₁)·(1 − σ(H₁))", "[4×3]",
                 "[2×3]"):
        assert text in source, text
    # Shapes sit on their own line, under the name, as the sheet's H1 [n×2].
    assert re.search(r"<B>H₁</B>[^<]*<BR/><FONT[^>]*>\[4×3\]", source)
    # Values alone (no symbolic derivatives): a matrix edge has no number to show.
    at = {"X": [[1, 2]] * 4, "W1": [[1, 0, -1], [0, 1, 1]]}
    numeric = render(g, at=at, show="numeric").source
    assert "H̄₁·W₁ᵀ" not in numeric
