"""The command line: demo, graph, diff (text and the JSON schema), verify, render, errors."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from graphdiff.cli import main
from graphdiff.cli.render import add_render_parser, cmd_render
from graphdiff.errors import GraphdiffError
from graphdiff.render import RenderError, dot_available

needs_dot = pytest.mark.skipif(not dot_available(), reason="Graphviz's dot is not installed")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_runs_in_a_subprocess() -> None:
    result = subprocess.run([sys.executable, "-m", "graphdiff.cli", "--help"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "diff" in result.stdout and "verify" in result.stdout


def test_demo_prints_the_seed_graph(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "6 operation nodes, 10 edges" in out
    for line in ("a     op     x**2", "e     op     c**2", "c -> e  2*c"):
        assert line in out
    assert "f(1, 2) = 12" in out


def test_graph_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "graph", "x*y + sin(x)", "--at", "x=0,y=2", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["inputs"] == ["x", "y"]
    edges = {(e["from"], e["to"]): e for e in data["edges"]}
    assert edges[("x", "w3")]["derivative"] == "y"
    assert edges[("x", "w3")]["derivative_value"] == 2.0


def test_diff_text_with_tables(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", "x**2 + x*y + (x+y)**2", "--naming", "letters",
                       "--wrt", "x", "--method", "paths", "--table", "--at", "x=1,y=2")
    assert code == 0
    assert "∂f/∂x = 4*x + 3*y = 10" in out
    assert "x → c → e → f  1 · 2·c · 1" in out
    assert "2·x + y + 2·c" in out


def test_diff_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", "x1*x2 + sin(x1)", "--method", "all", "--at",
                       "x1=0,x2=2", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == "graphdiff.diff/1"
    assert data["inputs"] == ["x1", "x2"] and data["output"] == "w5"
    assert data["at"] == {"x1": 0.0, "x2": 2.0} and data["value"] == 0.0
    assert [r["method"] for r in data["results"]] == [
        "paths", "forward", "reverse", "symbolic", "numeric"]
    for result in data["results"]:
        assert set(result["derivatives"]) == {"x1", "x2"}
        assert result["derivatives"]["x1"]["value"] == pytest.approx(3.0, rel=1e-8)
        assert result["derivatives"]["x2"]["value"] == pytest.approx(0.0, abs=1e-8)
    by_method = {r["method"]: r for r in data["results"]}
    assert by_method["symbolic"]["derivatives"]["x1"]["symbolic"] == "x2 + cos(x1)"
    assert by_method["numeric"]["derivatives"]["x1"]["symbolic"] is None
    forward_rows = by_method["forward"]["trace"]["x1"]
    assert forward_rows[2]["rule"] == "x2·ẋ1 + x1·ẋ2"
    assert [row["tangent"] for row in forward_rows] == [1.0, 0.0, 2.0, 1.0, 3.0]
    reverse_rows = by_method["reverse"]["trace"]
    assert reverse_rows[0]["node"] == "w5" and reverse_rows[0]["adjoint"] == 1.0
    paths = by_method["paths"]["trace"]["x1"]["paths"]
    assert [p["path"] for p in paths] == [["x1", "w3", "w5"], ["x1", "w4", "w5"]]


def test_diff_symbolic_only_without_a_point(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", "exp(x1*x2) + x2**3", "--method", "all")
    assert code == 0
    assert "numeric" not in out  # needs a point: skipped with --method all
    assert "∂w6/∂x2 = x1*exp(x1*x2) + 3*x2**2" in out


def test_diff_too_many_paths_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    program = "u1 = sin(u)*cos(u) + u/2\n" + "".join(
        f"u{k + 1} = sin(u{k})*cos(u{k}) + u{k}/2\n" for k in range(1, 12))
    code, out, _ = run(capsys, "diff", program, "--method", "paths", "--table", "--at", "u=0.3")
    assert code == 0
    assert "531,441 paths from u: too many to list" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("diff", "x +* 2"), "line 1, column 4"),
        (("diff", "log(x)", "--at", "x=-1"), "log of a non-positive number"),
        (("diff", "x*y", "--at", "x=one"), "'one' is not a number"),
        (("diff", "x*y", "--wrt", "z"), "--wrt z: not an input"),
        (("diff", "x", "--method", "numeric"), "needs a point"),
        (("graph", "__import__('os')"), "unknown function '__import__'"),
    ],
)
def test_errors_are_messages_not_tracebacks(capsys: pytest.CaptureFixture[str],
                                            argv: tuple[str, ...], message: str) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_verify_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "verify", "x**2 + x*y + (x+y)**2", "--points", "3")
    assert code == 0
    assert "all methods agree" in out
    assert out.count("yes") == 6  # 3 points x 2 inputs


# --- graphdiff render ----------------------------------------------------------------------


def cli(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="graphdiff")
    add_render_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


@needs_dot
def test_cli_render_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ex1.svg"
    args = cli(["render", "x**2 + x*y + (x+y)**2", "-o", str(out), "--at", "x=1,y=2",
                "--paths", "x", "--naming", "letters"])
    assert args.func(args) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    text = svg_text(out.read_bytes())
    assert "x → c → e → f" in text and "4x + 3y" in text
    png_path = tmp_path / "rev.png"
    args = cli(["render", "exp(x1*x2) + x2**3", "-o", str(png_path), "--at", "x1=0,x2=1",
                "--show", "values,adjoints", "--rankdir", "TB"])
    assert args.func(args) == 0
    assert png_path.read_bytes()[:4] == b"\x89PNG"


def test_cli_render_without_dot_writes_the_dot_source(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    # The command line writes the DOT source instead and says so.
    args = cli(["render", "x*y", "-o", str(tmp_path / "cli.svg")])
    with pytest.raises(RenderError, match="DOT source was written to"):
        args.func(args)
    assert (tmp_path / "cli.dot").read_text(encoding="utf-8").startswith("digraph")


def test_cli_render_dot_options(tmp_path: Path) -> None:
    out = tmp_path / "fwd.dot"
    args = cli(["render", "x1*x2 + sin(x1)", "-o", str(out), "--at", "x1=0,x2=2",
                "--show", "tangents", "--wrt", "x1"])
    assert args.func(args) == 0
    assert "ẇ₅ = 3" in out.read_text(encoding="utf-8")
    out = tmp_path / "adjoint.gv"
    args = cli(["render", "exp(x1*x2) + x2**3", "-o", str(out), "--graph", "reverse"])
    assert args.func(args) == 0
    assert "x̄₂" in out.read_text(encoding="utf-8")
    with pytest.raises(GraphdiffError, match="--at"):
        args = cli(["render", "x*y", "-o", str(out), "--at", "x=one"])
        args.func(args)
    with pytest.raises(RenderError, match="unknown item"):
        args = cli(["render", "x*y", "-o", str(out), "--show", "everything"])
        args.func(args)


def svg_text(data: str | bytes) -> str:
    """All the text drawn in an SVG, concatenated, after parsing it as XML."""
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    return "".join(el.text or "" for el in root.iter() if el.tag.endswith("text"))


def test_the_render_command_is_still_importable_from_graphdiff_render() -> None:
    # graphdiff.render, the attribute, is the function; the module is in sys.modules
    drawing_api = sys.modules["graphdiff.render"]

    with pytest.warns(DeprecationWarning, match="moved to graphdiff.cli.render"):
        assert drawing_api.add_render_parser is add_render_parser
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert drawing_api.cmd_render is cmd_render
    with pytest.raises(AttributeError):
        drawing_api.no_such_name  # noqa: B018


def test_a_point_with_extra_names_is_used_with_a_note(capsys) -> None:
    from graphdiff.cli.main import main

    assert main(["diff", "x**2", "--at", "x=1,y=2"]) == 0
    captured = capsys.readouterr()
    assert "∂w2/∂x = 2*x = 2" in captured.out
    assert "note: y is not an input of this expression (its inputs: x); ignored" in captured.err
