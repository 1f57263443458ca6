"""The matrix checker against a student who wants marks for a wrong matrix answer.

Random formulas of square matrices (products, transposes, sums, entrywise products,
scalings) are the correct answers; *mutations* a student might hope to pass (operands
swapped, a transpose dropped or added, a scaling, a tiny addition, a term dropped) are
never judged correct, and *rewrites* (associativity, ``(AB)ᵀ = BᵀAᵀ``, distributing,
moving a scalar) always are.  Whether a mutation really changes the value is decided
independently, in exact rational arithmetic at a random rational point (a mutation that
happens to be an identity, ``(A Aᵀ)ᵀ`` for ``A Aᵀ``, is not one).  Then inputs no
answer may crash or hang the checker on: random token soup, enormous literals, deep
nesting.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import graphdiff as gd
from graphdiff.checker import get_problem, read_answer
from graphdiff.checker.answers import AnswerError
from graphdiff.checker.matrices.compare import MatrixReference, Source

NAMES = ("A", "B", "C")
FAST = settings(max_examples=25, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# --- formulas as trees ------------------------------------------------------------------------
# ("leaf", name) | ("T", x) | ("mm", x, y) | ("add", x, y) | ("had", x, y) | ("scale", k, x)

SCALES = (Fraction(2), Fraction(3), Fraction(-1), Fraction(1, 2))


def trees(depth: int = 3) -> st.SearchStrategy[Any]:
    leaf = st.sampled_from(NAMES).map(lambda n: ("leaf", n))
    return st.recursive(leaf, lambda sub: st.one_of(
        sub.map(lambda x: ("T", x)),
        st.tuples(st.just("mm"), sub, sub),
        st.tuples(st.just("add"), sub, sub),
        st.tuples(st.just("had"), sub, sub),
        st.tuples(st.just("scale"), st.sampled_from(SCALES), sub),
    ), max_leaves=2 ** depth)


def text(t: Any) -> str:
    """The formula as a student writes it (explicit signs: all matrices are square)."""
    kind = t[0]
    if kind == "leaf":
        return t[1]
    if kind == "T":
        return f"({text(t[1])})^T"
    if kind == "mm":
        return f"({text(t[1])}) @ ({text(t[2])})"
    if kind == "add":
        return f"({text(t[1])} + {text(t[2])})"
    if kind == "had":
        return f"({text(t[1])}) ⊙ ({text(t[2])})"
    return f"({t[1]})*({text(t[2])})"


def exact(t: Any, env: dict[str, Any]) -> Any:
    """The formula's value in exact rationals (object arrays of Fractions)."""
    kind = t[0]
    if kind == "leaf":
        return env[t[1]]
    if kind == "T":
        return exact(t[1], env).T
    if kind == "mm":
        return exact(t[1], env).dot(exact(t[2], env))
    if kind == "add":
        return exact(t[1], env) + exact(t[2], env)
    if kind == "had":
        return exact(t[1], env) * exact(t[2], env)
    return t[1] * exact(t[2], env)


def rational_point(n: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    return {name: np.array([[Fraction(int(rng.integers(-40, 41)), int(rng.integers(1, 9)))
                             for _ in range(n)] for _ in range(n)], dtype=object)
            for name in NAMES}


def differ(x: Any, y: Any, n: int) -> bool:
    """Whether two formulas differ as functions (exactly, at two random rational points;
    equal polynomials agree everywhere, different ones almost never at both)."""
    return any(not np.array_equal(exact(x, p), exact(y, p))
               for p in (rational_point(n, 1), rational_point(n, 2)))


def push_transpose(t: Any) -> Any:
    """``tᵀ`` with the transpose pushed down to the leaves: (AB)ᵀ = BᵀAᵀ, ..."""
    kind = t[0]
    if kind == "leaf":
        return ("T", t)
    if kind == "T":
        return t[1]
    if kind == "mm":
        return ("mm", push_transpose(t[2]), push_transpose(t[1]))
    if kind in ("add", "had"):
        return (kind, push_transpose(t[1]), push_transpose(t[2]))
    return ("scale", t[1], push_transpose(t[2]))


def nodes(t: Any, path: tuple[int, ...] = ()) -> list[tuple[tuple[int, ...], Any]]:
    found = [(path, t)]
    for k, child in enumerate(t[1:], start=1):
        if isinstance(child, tuple):
            found += nodes(child, (*path, k))
    return found


def replaced(t: Any, path: tuple[int, ...], new: Any) -> Any:
    if not path:
        return new
    k = path[0]
    return (*t[:k], replaced(t[k], path[1:], new), *t[k + 1:])


def verdict(reference: Any, answer: Any, n: int) -> str:
    """The checker's status for ``answer`` against ``reference`` (both trees or texts)."""
    shapes = {name: (n, n) for name in NAMES}
    ref_graph = read_answer(text(reference), names=NAMES, shapes=shapes).graph()
    ref = MatrixReference(Source(ref_graph, ref_graph.output_ids[0]), shapes)
    graph = read_answer(answer if isinstance(answer, str) else text(answer), names=NAMES,
                        shapes=shapes).graph()
    return ref.compare(Source(graph, graph.output_ids[0])).status


# --- mutations: never judged correct ----------------------------------------------------------


def mutations(t: Any) -> list[tuple[str, Any]]:
    """Every single-place mutation of ``t`` a student might hope to pass."""
    found: list[tuple[str, Any]] = []
    for path, node in nodes(t):
        kind = node[0]
        if kind == "mm":
            found.append(("swap", replaced(t, path, ("mm", node[2], node[1]))))
        if kind == "T":
            found.append(("drop transpose", replaced(t, path, node[1])))
        if kind == "leaf":
            found.append(("add transpose", replaced(t, path, ("T", node))))
        if kind in ("add", "mm", "had"):
            found.append(("drop a term", replaced(t, path, node[1])))
        if kind == "scale":
            found.append(("other scale", replaced(t, path, ("scale", node[1] * 2, node[2]))))
    found.append(("scale 2", ("scale", Fraction(2), t)))
    found.append(("transpose", ("T", t)))
    return found


@FAST
@given(trees(), st.integers(2, 3), st.data())
def test_mutations_are_never_judged_correct(t, n, data):
    candidates = [(name, m) for name, m in mutations(t) if differ(t, m, n)]
    assume(candidates)
    name, mutant = data.draw(st.sampled_from(candidates))
    status = verdict(t, mutant, n)
    assert status != "equal", (name, text(t), text(mutant))


@FAST
@given(trees(), st.integers(2, 3), st.integers(1, 18))
def test_near_misses_are_never_judged_correct(t, n, digits):
    """A relative change of 10^-digits (up to 18: past the floats), or a tiny addition."""
    zero = ("scale", Fraction(0), t)
    assume(differ(t, zero, n))
    for answer in (f"(1 + 10^(-{digits}))*({text(t)})", f"{text(t)} + 10^(-{digits})*(A ⊙ B)"):
        assert verdict(t, answer, n) != "equal", answer


# --- rewrites: always judged correct ----------------------------------------------------------


@FAST
@given(trees(), trees(), trees(), st.integers(2, 3))
def test_rewrites_are_always_judged_correct(x, y, z, n):
    ok = []
    # (AB)ᵀ = BᵀAᵀ, pushed down to the leaves
    ok.append(verdict(("T", x), push_transpose(x), n))
    # associativity
    ok.append(verdict(("mm", ("mm", x, y), z), ("mm", x, ("mm", y, z)), n))
    # distributing, both sides, and over the entrywise product
    ok.append(verdict(("mm", x, ("add", y, z)), ("add", ("mm", x, y), ("mm", x, z)), n))
    ok.append(verdict(("mm", ("add", x, y), z), ("add", ("mm", x, z), ("mm", y, z)), n))
    ok.append(verdict(("had", ("add", x, y), z), ("add", ("had", x, z), ("had", y, z)), n))
    # a scalar moves through a product; the entrywise product commutes
    ok.append(verdict(("scale", Fraction(2), ("mm", x, y)),
                      ("mm", x, ("scale", Fraction(2), y)), n))
    ok.append(verdict(("had", x, y), ("had", y, x), n))
    assert ok == ["equal"] * len(ok), (text(x), text(y), text(z), ok)


# --- no input crashes or hangs the checker ----------------------------------------------------

TOKENS = ["X", "W", "G", "Z", "A", "x", "@", "⊙", "*", "·", "^T", "ᵀ", ".T", "^", "(", ")", "[",
          "]", ",", ";", "&", "\\\\", "+", "-", "/", "1", "0", "2.5", "1e308", "10^99", "e",
          "exp(", "log(", "sum(", "tr(", "det(", "σ(", "max(", "\\begin{pmatrix}",
          "\\end{pmatrix}", "\\frac{1}{2}", "\\top", "\\odot", " ", "inf", "nan", "__", "'"]
VERDICTS = {"correct", "incorrect", "invalid", "undecided"}


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=30))
def test_token_soup_never_crashes_the_checker(tokens):
    answer = "".join(tokens)
    for problem, part in (("seed004-ex4", "dLdX"), ("seed004-ex7", "dMSE_dW1"),
                          ("seed004-ex1", "dfdx")):
        start = time.perf_counter()
        v = get_problem(problem).part(part).grade(answer)
        assert v.verdict in VERDICTS
        assert v.explain()
        # Bounded, not fast: the precision stage stops itself at 5 s, so a loaded machine
        # may take a little longer; a hang would take forever.
        assert time.perf_counter() - start < 30, answer


@pytest.mark.parametrize("answer", [
    "[" + ", ".join(["1"] * 200_000) + "]",                      # enormous literal
    "[" * 5000 + "1" + "]" * 5000,                                 # deep literal
    "(" * 5000 + "G W^T" + ")" * 5000,                             # deep formula
    " @ ".join(["X"] * 3000),                                      # long chain
    "G W^T" + "^T^T" * 2000,                                       # many transposes
    r"\begin{pmatrix}" + " & ".join(["1"] * 50_000) + r"\end{pmatrix}",
    "exp(" * 400 + "X" + ")" * 400,
    "X" + "^2" * 500,
])
def test_enormous_answers_are_refused_quickly_with_a_message(answer):
    for problem, part in (("seed004-ex4", "dLdX"), ("seed004-ex7", "dMSE_dW1")):
        start = time.perf_counter()
        v = get_problem(problem).part(part).grade(answer)
        assert time.perf_counter() - start < 20  # refused early, whatever the machine's load
        assert v.verdict in ("invalid", "incorrect", "undecided"), v.explain()
        if v.verdict == "invalid":
            assert v.reason.render() and v.reason.render("ru")


def test_every_function_of_the_registry_in_a_matrix_answer_gets_a_verdict():
    """Every function op (from the registry), with arguments of every kind: a verdict,
    never a traceback (inv, logdet and logloss of matrices crashed the core's parser or
    evaluation)."""
    from graphdiff.checker import load_problem
    from graphdiff.ops import OPS, is_function

    part = load_problem({"id": "sq", "title": "t", "variables": ["A", "B", "y"],
                         "shapes": {"A": [2, 2], "B": [2, 2], "y": [2, 1]},
                         "parts": [{"id": "f", "kind": "matrix_formula", "answer": "A @ B"}]}
                        ).part("f")
    seen = 0
    for name, op in OPS.items():
        if not is_function(op):
            continue
        for args in ("A", "A, B", "A, 1", "y, y", "A, 0.5"):
            for form in ("A @ B + 0*{f}({a})", "{f}({a})"):
                v = part.grade(form.format(f=name, a=args))
                assert v.verdict in VERDICTS and v.explain()
                seen += 1
    assert seen >= 400


def test_an_enormous_literal_is_refused_before_it_is_read():
    with pytest.raises(AnswerError) as info:
        read_answer("[" + ", ".join(["1"] * 200_000) + "]", names=["X"], shapes={"X": (2, 2)})
    assert info.value.message.code == "too_long"
    v = get_problem("seed004-ex7").part("dMSE_dW1").grade("[" + ", ".join(["1"] * 2000) + "]")
    assert v.verdict == "invalid"
    assert v.reason.code in ("matrix_too_large", "too_long")


def test_the_mutation_helpers():
    a = ("leaf", "A")
    ab = ("mm", a, ("leaf", "B"))
    assert text(("T", ab)) == "((A) @ (B))^T"
    assert text(push_transpose(ab)) == "((B)^T) @ ((A)^T)"
    assert not differ(("T", ab), push_transpose(ab), 2)
    assert differ(ab, ("mm", ("leaf", "B"), a), 2)
    sym = ("mm", a, ("T", a))
    assert not differ(sym, ("T", sym), 3)  # an identity, not a mutation
    assert [name for name, _ in mutations(ab)] == [
        "swap", "drop a term", "add transpose", "add transpose", "scale 2", "transpose"]
    assert verdict(ab, "(B) @ (A)", 2) == "different"
    assert gd.parse("A @ B", shapes={"A": (2, 2), "B": (2, 2)})
