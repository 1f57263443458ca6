"""Synthetic classes of submissions, for tests and benchmarks of batch grading.

:func:`make_class` writes ``n`` answers files for bank problems: right answers in many
forms, the listed mistakes, unreadable answers, missing parts -- and, at a given rate,
broken and hostile files (invalid TOML, binary junk, a file over the size limit, deeply
nested TOML, code-injection strings, wrong types).

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> kinds = make_class(folder, 20, seed=1)
>>> len(list(folder.glob("*.toml"))), sum(kinds.values())
(20, 20)
>>> import shutil; shutil.rmtree(folder)
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from .problems import bank

#: Problems of the synthetic class.
PROBLEMS = ("seed004-ex1", "seed004-ex2", "seed004-ex3")

_EXTRA_RIGHT = {
    ("seed004-ex1", "dfdx"): ["4x+3y", "2x + y + 2c", "x + x + x + x + 3y"],
    ("seed004-ex1", "dfdy"): ["3x + 2y", "x + 2c"],
    ("seed004-ex3", "dsdz"): ["e^{-z}/(1+e^{-z})^2", "\\sigma(z)(1-\\sigma(z))"],
}
_UNREADABLE = ["2x +", "sin(x", "2 3", "\\input{/etc/passwd}", "x!", "foo(x)", "(((", ""]
_HOSTILE_STRINGS = ["__import__('os').system('id')", "9^9^9^9", "(" * 3000,
                    "x" * 5000, "\\def\\x{\\x}\\x", "().__class__.__bases__"]


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _answer(rng: random.Random, problem_id: str, part) -> str | None:
    roll = rng.random()
    if roll < 0.1:
        return None
    if roll < 0.5:
        forms = [part.reference_text(), *map(str, part.accepted),
                 *_EXTRA_RIGHT.get((problem_id, part.id), [])]
        answer = rng.choice(forms)
    elif roll < 0.9 and part.mistakes:
        answer = rng.choice(part.mistakes)
    else:
        answer = rng.choice(_UNREADABLE)
    if isinstance(answer, list):
        answer = "; ".join(answer)
    return str(answer)


def make_class(folder: str | Path, n: int, *, seed: int = 0, broken_rate: float = 0.03,
               hostile_rate: float = 0.03) -> Counter:
    """Write ``n`` answers files into ``folder``; returns how many of each kind.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     kinds = make_class(tmp, 5, seed=2, broken_rate=0, hostile_rate=0)
    ...     names = sorted(p.name for p in Path(tmp).iterdir())
    ...     first = (Path(tmp) / names[0]).read_text().splitlines()[:2]
    >>> kinds, names[0], first
    (Counter({'normal': 5}), 'student_00000.toml', ['student = "Student 0"', '[seed004-ex1]'])
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    problems = [bank()[p] for p in PROBLEMS]
    kinds: Counter = Counter()
    for k in range(n):
        path = folder / f"student_{k:05d}.toml"
        roll = rng.random()
        if roll < broken_rate:
            kind = rng.choice(["toml", "binary", "large", "nested", "utf8", "empty", "types"])
            kinds[f"broken:{kind}"] += 1
            if kind == "toml":
                path.write_text('dfdx = "2x + y\n[[[\n', encoding="utf-8")
            elif kind == "binary":
                path.write_bytes(bytes(rng.randrange(256) for _ in range(2000)))
            elif kind == "large":
                path.write_text("# " + "x" * 1_100_000 + "\n", encoding="utf-8")
            elif kind == "nested":
                path.write_text("a = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
            elif kind == "utf8":
                path.write_bytes(b'dfdx = "\xff\xfe 2x"\n')
            elif kind == "empty":
                path.write_text("", encoding="utf-8")
            else:
                path.write_text('[seed004-ex1]\ndfdx = 42\ndfdy = ["x", 1]\n'
                                'paths_x = {a = 1}\n', encoding="utf-8")
            continue
        hostile = roll < broken_rate + hostile_rate
        kinds["hostile" if hostile else "normal"] += 1
        lines = [f'student = "Student {k}"']
        for problem in problems:
            lines.append(f"[{problem.id}]")
            for part in problem.parts:
                answer = rng.choice(_HOSTILE_STRINGS) if hostile and rng.random() < 0.5 \
                    else _answer(rng, problem.id, part)
                if answer is not None:
                    key = part.id if rng.random() < 0.7 else part.ask
                    lines.append(f"{_toml_string(key)} = {_toml_string(answer)}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return kinds
