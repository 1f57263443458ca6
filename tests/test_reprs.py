"""Results print short: one line in a terminal, a table in a notebook, alt text on figures;
Russian counts take the right plural forms."""

from __future__ import annotations

import re

import pytest

import graphdiff as gd
from graphdiff.checker import check
from graphdiff.checker.messages import Message, plural_category
from graphdiff.drawing.output import dot_available


def _layered(u):
    for _ in range(6):
        u = gd.sin(u) * gd.cos(u) + u / 2
    return u


@pytest.fixture(scope="module")
def objects() -> dict[str, object]:
    g = gd.parse("x**2 + x*y + (x+y)**2")
    big = gd.trace(_layered)
    report = check("seed004-ex1", {"df/dx": "4x + 3y", "df/dy": "|x| + " * 40 + "1"})
    return {
        "graph": g,
        "big graph": big,
        "paths": gd.paths(g, "x", at={"x": 1.0, "y": 2.0}),
        "paths of 3^6": gd.paths(big, "u"),
        "forward": gd.forward(g, "x", at={"x": 1.0, "y": 2.0}),
        "reverse": gd.reverse(g, at={"x": 1.0, "y": 2.0}),
        "verify": gd.verify(g, points=3),
        "report": report,
        "part": report.parts[1],
        "verdict": report.parts[1].verdict,
    }


@pytest.mark.parametrize("name", ["graph", "big graph", "paths", "paths of 3^6", "forward",
                                  "reverse", "verify", "report", "part", "verdict"])
def test_every_result_prints_in_one_short_line(objects, name) -> None:
    text = repr(objects[name])
    assert "\n" not in text and len(text) <= 300, text
    assert text.startswith("<") and text.endswith(">")


def test_a_paths_repr_says_what_it_is() -> None:
    g = gd.parse("x*x + sin(x)")
    assert repr(gd.paths(g, "x", at={"x": 0.0})) == \
        "<PathsResult dw4/dx = 1.0 by 2 paths: 2*x + cos(x)>"
    assert repr(gd.paths(gd.parse("sin(x)"), "x")) == "<PathsResult dw2/dx by 1 path: cos(x)>"


@pytest.mark.parametrize("name", ["paths", "forward", "reverse", "verify", "report"])
def test_notebooks_get_a_markdown_table_of_one_screen(objects, name) -> None:
    table = objects[name]._repr_markdown_()
    lines = table.splitlines()
    assert len(lines) <= 30
    rows = [line for line in lines if line.startswith("|")]
    assert len(rows) >= 3 and re.fullmatch(r"\|(-+:?\|)+", rows[1].replace("---:", "---"))
    # Every row has as many cells as the header: a bar inside a cell is escaped.
    cells = [len(re.split(r"(?<!\\)\|", row)) for row in rows]
    assert len(set(cells)) == 1, table


def test_a_report_in_russian_is_russian(objects) -> None:
    text = objects["report"].markdown("ru")
    assert "| пункт | ответ | вердикт | баллы | почему |" in text
    assert "итого: 2 из 8 баллов; верно 1 из 6 пунктов" in text
    assert "correct" not in text and "points" not in text


@pytest.mark.parametrize(("count", "ru", "en"), [
    (1, "все 1 путь, лишних нет", "all 1 path, none extra"),
    (3, "все 3 пути, лишних нет", "all 3 paths, none extra"),
    (5, "все 5 путей, лишних нет", "all 5 paths, none extra"),
    (11, "все 11 путей, лишних нет", "all 11 paths, none extra"),
    (21, "все 21 путь, лишних нет", "all 21 paths, none extra"),
    (22, "все 22 пути, лишних нет", "all 22 paths, none extra"),
    (112, "все 112 путей, лишних нет", "all 112 paths, none extra"),
])
def test_russian_plurals(count: int, ru: str, en: str) -> None:
    message = Message("paths_equal", {"count": count})
    assert message.render("ru") == ru
    assert message.render("en") == en


def test_the_plural_rule_for_every_number_to_200() -> None:
    # The rule as a Russian grammar states it, written out independently of the code.
    one = {n for n in range(201) if str(n).endswith("1") and not str(n).endswith("11")}
    few = {n for n in range(201) if str(n)[-1] in "234" and str(n)[-2:] not in ("12", "13", "14")}
    for n in range(201):
        expected = 0 if n in one else 1 if n in few else 2
        assert plural_category(n, "ru") == expected, n


def test_a_totals_line_declines_points_and_parts() -> None:
    def total(score: str, max_score: str, passed: int, parts: int) -> str:
        return Message("report_total", {"score": score, "max_score": max_score,
                                        "passed": passed, "parts": parts}).render("ru")

    assert total("1", "1", 1, 1) == "итого: 1 из 1 балла; верно 1 из 1 пункта"
    assert total("2", "21", 2, 22) == "итого: 2 из 21 балла; верно 2 из 22 пунктов"
    assert total("0", "5", 0, 3) == "итого: 0 из 5 баллов; верно 0 из 3 пунктов"


@pytest.mark.skipif(not dot_available(), reason="Graphviz's dot program is not installed "
                    "(./run.sh setup installs it)")
def test_drawings_carry_alt_text() -> None:
    from graphdiff.show import svg

    picture = svg(gd.reverse(gd.parse("x*y + sin(x)"), at={"x": 1.0, "y": 2.0}))
    root = picture[picture.index("<svg"):picture.index(">", picture.index("<svg"))]
    assert 'role="img"' in root
    assert 'aria-label="computation graph x*y + sin(x): inputs x, y; 3 ops; output w5"' in root
    titled = svg(gd.parse("x*y"), title="a product")
    assert 'aria-label="a product: computation graph x*y' in titled


def test_every_bank_question_in_words_has_its_russian_text() -> None:
    from graphdiff.checker import bank

    english = re.compile(r"\b(from|for|at|the|with|through|given|paths|all)\b")
    missing = [(pid, part.id) for pid, problem in bank().items() for part in problem.parts
               if english.search(part.ask) and part.ask_ru == part.ask]
    assert not missing


def test_a_russian_report_labels_parts_in_russian() -> None:
    report = check("seed004-ex1", {"df/dx": "4x + 3y"})
    text = report.text("ru")
    assert "пункт paths_x (пути от x к f)" in text
    assert "paths from" not in text
    assert report.to_dict("ru")["parts"][2]["ask"] == "пути от x к f"
    assert report.to_dict("en")["parts"][2]["ask"] == "paths from x to f"
