"""Core errors carry stable codes; the checker's catalogue has every code in en and ru."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import graphdiff as gd
from graphdiff import errors
from graphdiff.checker.answers import core_message
from graphdiff.checker.messages import CATALOG, LANGUAGES, Message, render, template_fields
from graphdiff.errors import CODES, ParseError

ROOT = Path(__file__).resolve().parent.parent

#: Bad inputs and the code each must be refused with (every parser code at least once).
CORPUS = [
    ("", "empty", {}),
    ("x" * 30, "too_long", {"limits": gd.Limits(max_chars=20)}),
    ("x\x00", "control_character", {}),
    ("x + \x85", "control_character", {}),
    ("x + \ud800", "unexpected_character", {}),
    ("x\u200b+1", "unexpected_character", {}),
    ("x\u202e+1", "unexpected_character", {}),
    ("x\u2028+1", "unexpected_character", {}),
    ("x²", "unexpected_character", {}),
    ("x + 😀", "unexpected_character", {}),
    ("x\u00a0+ 1", "unexpected_character", {}),
    ("(" * 150 + "x" + ")" * 150, "too_deep", {}),
    ("-" * 150 + "x", "too_deep", {}),
    # A long plain sum is read without Python's parser; with a literal only Python reads
    # (1_000), Python's parser gets the line and recurses too deep.
    ("+".join(["x"] * 5000) + "+1_000", "too_complex", {"limits": gd.Limits.unlimited_size()}),
    ("(" * 300 + "x" + ")" * 300, "too_complex", {"limits": gd.Limits.unlimited_size()}),
    ("+".join(["x"] * 100), "too_many_nodes", {"limits": gd.Limits(max_nodes=50)}),
    ("\n".join(f"a{i} = x" for i in range(60)), "too_many_lines",
     {"limits": gd.Limits.strict()}),
    ("(x + 1", "expected_closing", {}),
    ("[x + 1", "expected_closing", {}),
    ("x + 1)", "unmatched_closing", {}),
    ("(x + 1]", "mismatched_brackets", {}),
    ("x*", "ends_early", {}),
    ("x +* 2", "misplaced_operator", {}),
    ("/ 2", "misplaced_operator", {}),
    ("sin(x) cos(x)", "missing_operator", {}),
    ("2x", "missing_operator", {}),
    ("x = = 2", "misplaced_equals", {}),
    ("w - lambda*g", "keyword_as_name", {}),
    ("y = 1\nz = class + y", "keyword_as_name", {}),
    ("1" * 2000, "number_too_long", {}),
    ("x + 1." + "1" * 1200, "number_too_long", {}),
    ("x + 10**40 * 10**40", "number_too_long", {"limits": gd.Limits(max_constant_digits=50)}),
    ("1e309", "number_too_large", {}),
    ("x + " + "9" * 400, "number_too_large", {}),
    ("1e-400", "number_too_small", {}),
    ("-1e-5000 * x", "number_too_small", {}),
    ("x**2000", "exponent_too_large", {}),
    ("9**9**9**9", "exponent_too_large", {}),
    ("9**9**9**9", "constant_power_too_large", {"limits": gd.Limits(max_exponent=1e12)}),
    ("x/0", "constant_domain", {}),
    ("log(0) + x", "constant_domain", {}),
    ("sqrt(-1)", "constant_domain", {}),
    ("exp(exp(exp(100)))", "constant_domain", {}),
    ("'abc'", "non_numeric_constant", {}),
    ("True + x", "non_numeric_constant", {}),
    ("1j", "non_numeric_constant", {}),
    ("_x + 1", "private_name", {}),
    ("sin = x", "reserved_name", {}),
    ("pi = 3", "reserved_name", {}),
    ("sin + x", "function_as_value", {}),
    ("foo(x)", "unknown_function", {}),
    ("__import__('os')", "unknown_function", {}),
    ("2(x)", "call_not_name", {}),
    ("x.real", "not_allowed", {}),
    ("__import__('os').system('ls')", "attribute", {}),
    ("sin(x, y)", "wrong_arity", {}),
    ("max(x)", "wrong_arity", {}),
    ("sin(x=1)", "keyword_argument", {}),
    ("max(*v, x)", "starred_argument", {}),
    ("x // 2", "unsupported_operator", {}),
    ("~x", "unsupported_operator", {}),
    ("not x", "unsupported_operator", {}),
    ("lambda x: x", "not_allowed", {}),
    ("1 is 1", "not_allowed", {}),
    ("x if y else 2", "not_allowed", {}),
    ("[x]", "not_allowed", {}),
    ("import os", "statement_not_allowed", {}),
    ("def f(x): return x", "statement_not_allowed", {}),
    ("x.y += 1", "statement_not_allowed", {}),
    ("a = b = x", "multiple_assignment", {}),
    ("a, b = x, y", "multiple_assignment", {}),
    ("x + 2\ny = x", "unused_expression", {}),
    ("a = x\na = 2*x", "assigned_twice", {}),
    ("y = x + 1\nx = 2", "assigned_after_use", {}),
    ("y = x + 1", "unknown_output", {"outputs": ["z"]}),
    ("X: 2y3\ny = sum(X)", "shape_declaration", {}),
    ("y = x + 1\nX: 2x3", "shape_declaration", {}),
    ("X: 2x0\ny = sum(X)", "shape_declaration", {}),
    ("X: 2x3\nX: 2x3\ny = sum(X)", "shape_declaration", {}),
    ("X: 1000x1000x1000\ny = sum(X)", "shape_too_large", {}),
    ("X: 2x2x2x2x2\ny = sum(X)", "shape_too_large", {}),
    ("X: 2x3\ny = 2*x", "declared_not_input", {}),
    ("X: 2x3\nX = 2*x", "declared_not_input", {}),
    ("0x1g", "syntax_error", {}),
]

#: Codes whose error is about an argument, not a spot in the text.
WITHOUT_POSITION = {"unknown_output", "not_text"}


def _codes_in(path: Path) -> set[str]:
    """Every ``code="..."`` keyword and ``code = "..."`` class attribute in a module (or in
    every module of a package)."""
    found = set()
    files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
    for node in (n for f in files for n in ast.walk(ast.parse(f.read_text(encoding="utf-8")))):
        if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(
                node.value, ast.Constant):
            found.add(node.value.value)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and \
                node.target.id == "code" and isinstance(node.value, ast.Constant):
            found.add(node.value.value)
    return found


@pytest.mark.parametrize(("text", "code", "options"), CORPUS,
                         ids=[f"{c}:{t[:20]!r}" for t, c, _ in CORPUS])
def test_parse_refuses_with_a_documented_code(text, code, options, capfd):
    with pytest.raises(ParseError) as info:
        gd.parse(text, **options)
    err = info.value
    assert err.code == code
    assert err.code in CODES
    assert set(err.params) == set(CODES[code].params)
    if code not in WITHOUT_POSITION:
        assert err.line is not None and err.column is not None
        assert err.excerpt, "a positioned error shows the line with a caret"
    # Messages quote bounded excerpts, never a whole 400-character constant (the list of
    # known functions is the registry's, not a quote of the input).
    assert all(len(str(v)) <= 200 for k, v in err.params.items()
               if not isinstance(v, int) and k != "known")
    assert len(str(err)) < 600
    out, errors_out = capfd.readouterr()
    assert out == errors_out == ""


def test_the_corpus_covers_every_code_the_parser_raises():
    raised = _codes_in(ROOT / "graphdiff" / "parse") - {"syntax_error"}
    assert raised - {code for _, code, _ in CORPUS} <= {"not_text"}
    assert raised <= set(CODES)


def test_every_code_in_the_core_is_documented():
    for module in ("errors.py", "parse"):
        assert _codes_in(ROOT / "graphdiff" / module) <= set(CODES), module


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_a_message_in_every_language(code):
    entry = CATALOG[code]
    params = {name: f"<{name}>" for name in CODES[code].params}
    for lang in LANGUAGES:
        template = entry[lang]
        used = template_fields(template)
        assert used <= set(params), (code, lang, used - set(params))
        text = render(Message(code, params), lang)
        assert text.strip() and "{" not in text and "|" not in text
    # The Russian text is Russian: not a copy of the English one.
    if entry["en"] != "{reason}":
        assert entry["ru"] != entry["en"]


def test_every_code_is_documented_in_the_parsing_guide():
    guide = (ROOT / "docs" / "parsing.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"`{code}`" not in guide]
    assert not missing


def test_str_of_an_error_is_unchanged_english():
    with pytest.raises(ParseError) as info:
        gd.parse("foo(x)")
    known = ", ".join(sorted({op.name for op in gd.ops.FUNCTIONS.values()}))
    assert str(info.value).splitlines()[0] == (
        f"line 1, column 1: unknown function 'foo'; expected one of {known}")
    assert known.startswith("abs, acos, acosh, asin") and known.endswith("tanh, tr, transpose")
    assert info.value.params == {"name": "foo", "known": known}


def test_errors_of_other_classes_have_their_class_code():
    g = gd.parse("log(x - 1)")
    with pytest.raises(gd.DomainError) as info:
        g.evaluate(x=0.5)
    assert info.value.code == "domain"
    assert info.value.params == {"reason": str(info.value), "node": "w3",
                                 "expression": "w3 = log(w2)"}
    with pytest.raises(gd.GraphdiffError) as generic:
        g.id("nope")
    assert generic.value.code == "error"
    assert generic.value.params == {"reason": str(generic.value)}
    assert errors.TraceError("x").code == "trace"
    assert errors.ShapeError("x").code == "shape"


@pytest.mark.parametrize(("text", "code", "ru"), [
    ("x/0", "constant_domain", "выражение x/0 не имеет действительного значения"),
    ("x.real", "not_allowed", "«x.real» не допускается в формуле"),
    ("x + 1e-400", "number_too_small", "число 1e-400 слишком близко к нулю для вычислений "
     "(напишите 0 или число больше 5e-324)"),
    ("import os", "statement_not_allowed", "«import» не допускается; пишите выражения или "
     "строки имя = выражение"),
])
def test_core_errors_read_in_russian_in_the_checker(text, code, ru):
    with pytest.raises(ParseError) as info:
        gd.parse(text)
    message = core_message(info.value)
    assert message.code == code
    assert message.render("ru") == ru


def test_size_limits_of_the_translated_text_are_not_quoted_as_the_students():
    with pytest.raises(ParseError) as info:
        gd.parse("x" * 30, limits=gd.Limits(max_chars=20))
    assert core_message(info.value) == Message("expression_too_large")
