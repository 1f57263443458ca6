"""Problems (TOML), answers files, grading one student's answers, and the self-test.

A problem file, read with the standard library's ``tomllib``::

    id = "seed004-ex1"
    title = "Derivatives as sums over paths"
    function = "x^2 + x*y + (x+y)^2"
    naming = "letters"                 # node names a, b, c, ... as on the sheet
    names = { c = "x + y" }            # node names answers may use

    [[parts]]
    id = "dfdx"
    ask = "df/dx"
    kind = "derivative"
    wrt = "x"
    answer = "2x + y + 2(x + y)"       # the teacher's answer, checked by the self-test
    mistakes = ["2x + y", "x + 2(x + y)"]

Part kinds: ``derivative`` (of the output, or of node ``of``, with respect to ``wrt``;
``wrt = ["x", "x"]`` for a second derivative), ``value`` (the derivative -- or the
function, without ``wrt`` -- at the point ``at``), ``expression`` (any formula: the
teacher's ``answer`` is the reference), ``number`` (a number given as ``answer``),
``order`` (the order p of an error O(h^p)), ``paths`` (the list of paths from ``wrt`` to
the output), ``tangent`` and ``adjoint`` (a Wengert-table entry: ẇ of node ``node``
along ``wrt``, or w̄ of node ``node``).  See docs/checker_teachers.md.

>>> p = load_problem('''
... id = "demo"
... title = "A product"
... function = "x*y"
... [[parts]]
... id = "dx"
... kind = "derivative"
... wrt = "x"
... ''')
>>> check(p, {"dx": "y"}).passed
True
>>> check(p, {"dx": "x"}).parts[0].verdict.verdict
'incorrect'
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import sympy

from ..convert import from_sympy
from ..derive.graphs import forward_graph
from ..errors import GraphdiffError, ParseError, ShapeError
from ..graph import Graph
from ..ops import FUNCTIONS
from ..parse import Limits, parse
from .answers import AnswerError, read_answer
from .equivalence import Domain, Verdict
from .messages import Message
from .parts import (
    KINDS,
    Part,
    ProblemError,
    SelfTestResult,
    Tolerance,
    as_text,
    make_part,
    string_key,
)
from .proof import DEFAULT_TIMEOUT
from .report import PartResult, Report

__all__ = [
    "MAX_FILE_BYTES", "MAX_PARTS", "PART_KINDS", "Part", "Problem", "ProblemError",
    "SelfTestResult", "Tolerance", "answers_for", "bank", "check", "get_problem",
    "load_answers", "load_problem", "load_problems", "self_test",
]

#: The kinds of parts, by name (see :mod:`graphdiff.checker.parts`).
PART_KINDS = tuple(KINDS)
_PROBLEM_KEYS = {
    "id", "title", "title_ru", "statement", "statement_ru", "source", "note", "note_ru",
    "function", "output", "naming", "variables", "domain", "functions", "names",
    "allow_nodes", "proof", "timeout", "parts", "shapes",
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
#: Largest problem or answers file read (bytes).
MAX_FILE_BYTES = 1_000_000
#: Largest number of parts in a problem.
MAX_PARTS = 100
#: Limits for a problem's function (trusted, but still bounded).
FUNCTION_LIMITS = Limits()


# --- problems -----------------------------------------------------------------------------


class Problem:
    """A problem: a function, its parts, and what answers may use.

    Build one with :func:`load_problem`.  Attributes mirror the TOML keys.

    >>> p = get_problem("seed004-ex1")
    >>> p.variables, p.names, [q.id for q in p.parts][:2]
    (('x', 'y'), ['x', 'y', 'c'], ['dfdx', 'dfdy'])
    >>> p.grade({"df/dy": "3x + 2y"}).part("dfdy").verdict.verdict
    'correct'
    """

    def __init__(self, data: Mapping[str, Any], origin: str = "<problem>") -> None:
        self.origin = origin
        if not isinstance(data, Mapping):
            raise ProblemError(f"{origin}: a problem is a TOML table")
        self.data = dict(data)
        unknown = set(data) - _PROBLEM_KEYS
        if unknown:
            raise ProblemError(f"{origin}: unknown key {sorted(unknown)[0]!r}; the keys of a "
                               f"problem are {', '.join(sorted(_PROBLEM_KEYS))}")
        self.id = string_key(data, "id", origin, required=True)
        if not _ID.match(self.id):
            raise ProblemError(f"{origin}.id: {self.id!r} must be letters, digits, _ . -")
        self.title = {"en": string_key(data, "title", origin, required=True),
                      "ru": string_key(data, "title_ru", origin) or ""}
        self.statement = {"en": data.get("statement", ""), "ru": data.get("statement_ru", "")}
        self.note = {"en": data.get("note", ""), "ru": data.get("note_ru", "")}
        self.source = string_key(data, "source", origin) or ""
        self.function = string_key(data, "function", origin)
        self.naming = string_key(data, "naming", origin, default="w")
        if self.naming not in ("w", "letters"):
            raise ProblemError(f"{origin}.naming: expected 'w' or 'letters'")
        self.proof = string_key(data, "proof", origin, default="auto")
        if self.proof not in ("auto", "always", "never"):
            raise ProblemError(f"{origin}.proof: expected auto, always or never")
        try:
            self.timeout = float(data.get("timeout", DEFAULT_TIMEOUT))
        except (TypeError, ValueError):
            raise ProblemError(f"{origin}.timeout: expected seconds") from None
        self.functions = self._functions(data)
        self.declared = _shapes(data.get("shapes"), origin)
        #: Node names of a function of matrices that answers may use, with their ids.
        self.tensor_nodes: dict[str, int] = {}
        self.graph = self._graph(data)
        self.variables = self._variables(data)
        try:
            self.domain = Domain.of(data.get("domain"))
        except GraphdiffError as err:
            raise ProblemError(f"{origin}.domain: {err}") from None
        self.name_graphs = self._names(data)
        self.parts = self._parts(data)

    def _functions(self, data: Mapping[str, Any]) -> dict[str, str]:
        functions = data.get("functions") or {}
        if not isinstance(functions, Mapping) or not all(
                isinstance(v, str) and v in FUNCTIONS for v in functions.values()):
            raise ProblemError(f"{self.origin}.functions: expected a table such as "
                               "{f = \"sigmoid\"} naming functions of the op table")
        return dict(functions)

    def _graph(self, data: Mapping[str, Any]) -> Graph | None:
        if self.function is None:
            return None
        output = string_key(data, "output", self.origin)
        try:
            graph = parse(self.function, naming=self.naming,
                          outputs=[output] if output else None, limits=FUNCTION_LIMITS,
                          shapes=self.declared or None)
        except (ParseError, ShapeError) as err:
            raise ProblemError(f"{self.origin}.function: {err}") from None
        if len(graph.outputs) != 1:
            raise ProblemError(f"{self.origin}.function: give one output")
        return graph

    def _variables(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        origin, variables = self.origin, data.get("variables")
        if variables is None:
            result = tuple(self.graph.inputs) if self.graph else ()
        else:
            if not isinstance(variables, list) or not all(isinstance(v, str)
                                                          for v in variables):
                raise ProblemError(f"{origin}.variables: expected a list of names")
            result = tuple(variables)
            if self.graph is not None:
                missing = [v for v in self.graph.inputs if v not in result]
                if missing:
                    raise ProblemError(f"{origin}.variables: the function also uses "
                                       f"{', '.join(missing)}")
        for v in result:
            if v in FUNCTIONS or v in ("pi", "e") or not re.fullmatch(r"[A-Za-z]\w*", v):
                raise ProblemError(f"{origin}.variables: {v!r} cannot be a variable name")
        return result

    def _parts(self, data: Mapping[str, Any]) -> list[Part]:
        origin, raw_parts = self.origin, data.get("parts")
        if not isinstance(raw_parts, list) or not raw_parts:
            raise ProblemError(f"{origin}: a problem needs [[parts]]")
        if len(raw_parts) > MAX_PARTS:
            raise ProblemError(f"{origin}: more than {MAX_PARTS} parts")
        parts: list[Part] = []
        for k, part in enumerate(raw_parts):
            if not isinstance(part, Mapping):
                raise ProblemError(f"{origin}: parts[{k}] is not a table")
            parts.append(make_part(self, part, k))
        ids = [p.id for p in parts]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ProblemError(f"{origin}: part id {sorted(dupes)[0]!r} is used twice")
        return parts

    def _names(self, data: Mapping[str, Any]) -> dict[str, Graph]:
        origin = self.origin
        names = data.get("names") or {}
        if not isinstance(names, Mapping):
            raise ProblemError(f"{origin}.names: expected a table such as {{c = \"x + y\"}}")
        result: dict[str, Graph] = {}
        for name, text in names.items():
            if not re.fullmatch(r"[A-Za-z]\w*", name) or name in self.variables or \
                    name in FUNCTIONS or name in ("pi", "e"):
                raise ProblemError(f"{origin}.names: {name!r} cannot be a name")
            if not isinstance(text, str):
                raise ProblemError(f"{origin}.names.{name}: expected an expression")
            result[name] = self.read_reference(text, f"{origin}.names.{name}",
                                               names=list(self.variables))
        allow = data.get("allow_nodes", False)
        if allow and self.graph is None:
            raise ProblemError(f"{origin}.allow_nodes: there is no function")
        if self.graph is not None and self.graph.is_tensor:
            if result:
                raise ProblemError(f"{origin}.names: a function of matrices takes allow_nodes "
                                   "(node names of the function), not names")
            self.tensor_nodes = self._tensor_nodes(allow)
            return result
        if allow is True:
            allow = [n for n in self.node_names if self.graph.kind(n) == "op"]
        if allow:
            if not isinstance(allow, list):
                raise ProblemError(f"{origin}.allow_nodes: expected true or a list of nodes")
            for node in allow:
                try:
                    i = self.graph.id(node)
                except GraphdiffError:
                    raise ProblemError(f"{origin}.allow_nodes: no node {node!r}") from None
                if node in self.variables or node in result or node in ("e", "pi"):
                    continue
                result[node] = from_sympy(self.graph.expr(i), inputs=list(self.graph.inputs))
        return result

    def _tensor_nodes(self, allow: Any) -> dict[str, int]:
        """The node names answers may use in a problem about matrices."""
        assert self.graph is not None
        if allow is True:
            allow = [n for n in self.node_names if self.graph.kind(n) == "op"]
        if not allow:
            return {}
        if not isinstance(allow, list):
            raise ProblemError(f"{self.origin}.allow_nodes: expected true or a list of nodes")
        nodes = {}
        for node in allow:
            try:
                nodes[node] = self.graph.id(node)
            except GraphdiffError:
                raise ProblemError(f"{self.origin}.allow_nodes: no node {node!r}") from None
        return {n: i for n, i in nodes.items() if n not in self.variables}

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """The shapes of the names answers may use that are matrices (inputs and allowed
        nodes; the others are numbers)."""
        g = self.graph
        shapes = {v: g.shape(v) if g is not None and v in g.inputs else
                  self.declared.get(v, ()) for v in self.variables}
        if g is not None:
            shapes.update({n: g.shape(i) for n, i in self.tensor_nodes.items()})
        return {n: s for n, s in shapes.items() if s}

    @property
    def node_names(self) -> list[str]:
        g = self.graph
        return [] if g is None else [g.name(n) for n in g.order]

    @property
    def names(self) -> list[str]:
        """Variables and node names an answer may use."""
        return [*self.variables, *self.name_graphs, *self.tensor_nodes]

    def read_reference(self, text: str, where: str, names: Sequence[str] | None = None
                       ) -> Graph:
        names = self.names if names is None else names
        shapes = {n: s for n, s in self.shapes.items() if n in names}
        try:
            return read_answer(text, names=names, functions=self.functions,
                               shapes=shapes or None).graph()
        except AnswerError as err:
            raise ProblemError(f"{where}: {err}") from None

    def symbolic_derivative(self, target: str | None, wrt: Sequence[str]) -> sympy.Expr:
        """d^n target / d wrt... with sympy (real symbols), in the inputs."""
        g = self.graph
        assert g is not None
        expr = g.expr(target if target is not None else g.output_ids[0])
        real = {sympy.Symbol(n): sympy.Symbol(n, real=True) for n in g.inputs}
        back = {r: s for s, r in real.items()}
        result = sympy.diff(expr.xreplace(real), *[real[sympy.Symbol(w)] for w in wrt])
        return result.xreplace(back)

    def forward_derivative(self, wrt: Sequence[str]) -> Graph:
        """The derivative as a forward-mode tangent graph (no sympy round trip).

        The function is parsed again with an unused first input, ``_pad``: the core's
        forward_graph mistakes a tangent that is the graph builder's node 0 for the
        constant 0 (see the checker's report), and node 0 is then the unused input.
        """
        assert self.function is not None and self.graph is not None
        padded = parse(self.function, naming=self.naming,
                       outputs=list(self.graph.outputs) if "=" in self.function else None,
                       inputs=["_pad", *self.graph.inputs], limits=FUNCTION_LIMITS)
        g = padded
        for w in wrt:
            g = forward_graph(g, w)
        return g

    def title_text(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title["en"]

    def part(self, key: str) -> Part:
        """A part by id or by its ``ask`` text (``"df/dx"``)."""
        for p in self.parts:
            if p.id == key:
                return p
        wanted = _normal_key(key)
        for p in self.parts:
            if _normal_key(p.ask) == wanted:
                return p
        raise KeyError(key)

    def grade(self, answers: Mapping[str, Any], *, proof: str | None = None,
              timeout: float | None = None) -> Report:
        """Grade a mapping of part id (or ask text) to answer."""
        by_part: dict[str, Any] = {}
        notes: list[Message] = []
        for key, value in answers.items():
            try:
                part = self.part(str(key)[:200])
            except KeyError:
                if len(notes) < 20:
                    notes.append(Message("report_unknown_key", {
                        "key": str(key)[:60], "parts": ", ".join(p.id for p in self.parts)}))
                continue
            by_part[part.id] = value
        results = []
        for part in self.parts:
            given = by_part.get(part.id)
            if given is None:
                verdict = Verdict("missing", Message("no_answer"), method="read")
            else:
                verdict = _grade_part(part, given, proof, timeout)
            shown = None if given is None else as_text(given)
            results.append(PartResult(part.id, part.ask, shown, verdict,
                                      part.points if verdict.correct else 0.0, part.points,
                                      ask_ru=part.ask_ru))
        return Report(self.id, self.title["en"], tuple(results), tuple(notes),
                      title_ru=self.title["ru"])

    def self_test(self) -> list[SelfTestResult]:
        """Every part's reference accepted and its listed mistakes rejected."""
        results = []
        for part in self.parts:
            results.extend(part.self_test())
        return results

    def describe(self, lang: str = "en") -> str:
        """The problem as text: title, function, statement, parts (with answers)."""
        lines = [f"{self.id}: {self.title_text(lang)}"]
        if self.source:
            lines.append(f"  ({self.source})")
        if self.function:
            lines.append("")
            lines.extend("  " + line for line in self.function.strip().splitlines())
        statement = self.statement.get(lang) or self.statement["en"]
        if statement:
            lines.append("")
            lines.append(statement.strip())
        if self.name_graphs:
            lines.append("")
            lines.append("names: " + ", ".join(
                f"{n} = {str(g.to_sympy()).replace('**', '^')}"
                for n, g in self.name_graphs.items()))
        for part in self.parts:
            lines.append("")
            text = part.statement.get(lang) or part.statement["en"]
            lines.append(f"[{part.id}] {part.ask} ({part.kind}, {part.points:g} pt)"
                         + (f": {text}" if text else ""))
            lines.append(f"    answer: {part.reference_text()}")
        note = self.note.get(lang) or self.note["en"]
        if note:
            lines.append("")
            lines.append("note: " + note.strip())
        return "\n".join(lines)


#: What a bug in grading one answer may raise; the part gets the verdict "error" and the
#: other parts keep theirs.  (Timeouts and problem-file errors are not among them: they
#: concern the whole submission.)
_PART_CRASHES = (ArithmeticError, RecursionError, ValueError, TypeError, LookupError,
                 StopIteration, AssertionError)


def _grade_part(part: Part, answer: Any, proof: str | None, timeout: float | None
                ) -> Verdict:
    try:
        return part.grade(answer, proof=proof, timeout=timeout)
    except _PART_CRASHES as err:
        return Verdict("error", Message("internal_error", {"error": type(err).__name__}),
                       method="error")


def _shapes(data: Any, origin: str) -> dict[str, tuple[int, ...]]:
    """The ``shapes`` table of a problem: ``{X = [2, 3], b = [3]}``."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ProblemError(f"{origin}.shapes: expected a table such as {{X = [2, 3]}}")
    shapes = {}
    for name, shape in data.items():
        if not isinstance(shape, list) or not all(
                isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 1000
                for n in shape) or len(shape) > 4:
            raise ProblemError(f"{origin}.shapes.{name}: expected a list of sizes such as "
                               "[2, 3]")
        shapes[name] = tuple(shape)
    return shapes


def _normal_key(key: str) -> str:
    return re.sub(r"[\s{}\\]|partial|∂", "", key.replace("∂", "d")).lower()


# --- loading ------------------------------------------------------------------------------


def _read_toml(source: str | Path, what: str) -> tuple[dict[str, Any], str]:
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                    and "=" not in source):
        path = Path(source)
        try:
            with path.open("rb") as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
        except OSError as err:
            raise ProblemError(f"cannot read {what} {path}: {err.strerror or err}") from None
        if len(raw) > MAX_FILE_BYTES:
            raise ProblemError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes")
        origin = str(path)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ProblemError(f"{path}: not UTF-8 text") from None
    else:
        text, origin = str(source), f"<{what}>"
    try:
        return tomllib.loads(text), origin
    except tomllib.TOMLDecodeError as err:
        raise ProblemError(f"{origin}: not valid TOML: {err}") from None
    except RecursionError:
        raise ProblemError(f"{origin}: nested too deeply") from None


def load_problem(source: str | Path | Mapping[str, Any]) -> Problem:
    """A problem from a TOML file, TOML text or an already-read table.

    >>> p = load_problem('id = "demo"\\ntitle = "A product"\\nfunction = "x*y"\\n'
    ...                  '[[parts]]\\nid = "dx"\\nwrt = "x"\\n')
    >>> p.id, p.origin, p.part("dx").reference_text()
    ('demo', '<problem>', 'y')
    """
    if isinstance(source, Mapping):
        return Problem(source)
    data, origin = _read_toml(source, "problem")
    if "problem" in data and isinstance(data["problem"], list):
        problems = data["problem"]
        if len(problems) != 1:
            raise ProblemError(f"{origin}: {len(problems)} problems; use load_problems")
        return Problem(problems[0], origin)
    return Problem(data, origin)


def load_problems(source: str | Path) -> list[Problem]:
    """Problems from a directory of TOML files, a file (one problem, or several as
    ``[[problem]]`` tables), bank ids separated by commas, or ``"bank"``.

    >>> [p.id for p in load_problems("seed004-ex1,seed004-ex3")]
    ['seed004-ex1', 'seed004-ex3']
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "two.toml").write_text(
    ...         '[[problem]]\\nid = "a"\\ntitle = "A"\\nfunction = "x*y"\\n'
    ...         '[[problem.parts]]\\nid = "dx"\\nwrt = "x"\\n'
    ...         '[[problem]]\\nid = "b"\\ntitle = "B"\\nfunction = "x+y"\\n'
    ...         '[[problem.parts]]\\nid = "dy"\\nwrt = "y"\\n')
    ...     [p.id for p in load_problems(tmp)]
    ['a', 'b']
    """
    if isinstance(source, str) and source == "bank":
        return list(bank().values())
    path = Path(source)
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
        if not files:
            raise ProblemError(f"{path}: no .toml problem files")
        result = []
        for f in files:
            result.extend(load_problems(f))
        return result
    if not path.exists() and isinstance(source, str):
        ids = [s.strip() for s in source.split(",") if s.strip()]
        if ids and all(i in bank() for i in ids):
            return [bank()[i] for i in ids]
        raise ProblemError(f"no problem file or bank problem {source!r}")
    data, origin = _read_toml(path, "problems")
    if "problem" in data and isinstance(data["problem"], list):
        return [Problem(p, f"{origin}: problem[{k}]") for k, p in enumerate(data["problem"])]
    return [Problem(data, origin)]


_BANK_DIR = Path(__file__).parent / "bank"


@functools.lru_cache(maxsize=1)
def bank() -> dict[str, Problem]:
    """The built-in problems (from the seeds), by id."""
    problems: dict[str, Problem] = {}
    for f in sorted(_BANK_DIR.glob("*.toml")):
        for p in load_problems(f):
            problems[p.id] = p
    return problems


def get_problem(spec: str | Path | Problem) -> Problem:
    """A problem by bank id or file path.

    >>> p = get_problem("seed004-ex3")
    >>> p.id, get_problem(p) is p
    ('seed004-ex3', True)
    """
    if isinstance(spec, Problem):
        return spec
    if isinstance(spec, str) and spec in bank():
        return bank()[spec]
    return load_problem(spec)


# --- answers files ------------------------------------------------------------------------


def load_answers(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """An answers file (TOML) as a table; see :func:`answers_for`.

    >>> load_answers('student = "Ann"\\ndfdx = "4x + 3y"\\n')
    {'student': 'Ann', 'dfdx': '4x + 3y'}
    """
    if isinstance(source, Mapping):
        return dict(source)
    data, _ = _read_toml(source, "answers")
    return data


def answers_for(problem: Problem, data: Mapping[str, Any], *, only: bool = True
                ) -> dict[str, Any]:
    """The answers to ``problem`` in an answers table.

    The table may hold them under ``[answers]``, under ``[PROBLEM_ID]`` (a file with
    answers to several problems), or at the top level (keys are part ids or ``ask``
    texts; ``student`` and ``name`` are metadata).

    >>> p = get_problem("seed004-ex1")
    >>> answers_for(p, {"student": "Ann", "dfdx": "4x + 3y"})
    {'dfdx': '4x + 3y'}
    >>> answers_for(p, {"seed004-ex1": {"dfdx": "4x + 3y"}, "seed004-ex3": {"dsdz": "0"}})
    {'dfdx': '4x + 3y'}
    """
    if problem.id in data and isinstance(data[problem.id], Mapping):
        return dict(data[problem.id])
    if isinstance(data.get("answers"), Mapping):
        inner = data["answers"]
        if problem.id in inner and isinstance(inner[problem.id], Mapping):
            return dict(inner[problem.id])
        return {k: v for k, v in inner.items() if not isinstance(v, Mapping)}
    tables = [k for k, v in data.items() if isinstance(v, Mapping)]
    if tables and only:
        return {}
    return {k: v for k, v in data.items() if not isinstance(v, Mapping)
            and k not in ("student", "name", "email", "group")}


def check(problem: str | Path | Problem, answers: str | Path | Mapping[str, Any], *,
          proof: str | None = None, timeout: float | None = None) -> Report:
    """Grade one student's answers to one problem.

    Parameters
    ----------
    problem : Problem, bank id or path of a problem file
    answers : mapping of part id (or ask text) to answer text, or an answers file
    proof, timeout : see :func:`graphdiff.checker.compare`

    Returns
    -------
    Report
        ``.text(lang)``, ``.to_dict(lang)``, ``.passed``, ``.exit_code``.

    Examples
    --------
    >>> report = check("seed004-ex1", {"df/dx": "4x + 3y", "df/dy": "3x + y"})
    >>> report.score, report.max_score, report.exit_code
    (2.0, 8.0, 1)
    >>> [(p.part, p.verdict.verdict) for p in report.parts][:3]
    [('dfdx', 'correct'), ('dfdy', 'incorrect'), ('paths_x', 'missing')]
    """
    prob = get_problem(problem)
    data = load_answers(answers)
    return prob.grade(answers_for(prob, data, only=False), proof=proof, timeout=timeout)


def self_test(problems: Problem | Iterable[Problem]) -> list[SelfTestResult]:
    """The self-test of one or several problems.

    >>> p = load_problem({"id": "demo", "title": "A product", "function": "x*y",
    ...                   "parts": [{"id": "dx", "wrt": "x", "mistakes": ["x", "y + 0*x"]}]})
    >>> for r in self_test(p):
    ...     print(r.answer, r.expected, r.verdict.verdict, r.ok)
    y correct correct True
    x incorrect incorrect True
    y + 0*x incorrect correct False
    """
    if isinstance(problems, Problem):
        problems = [problems]
    results = []
    for p in problems:
        results.extend(p.self_test())
    return results
