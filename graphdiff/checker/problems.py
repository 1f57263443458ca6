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
import itertools
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mpmath
import sympy

from ..convert import from_sympy
from ..derive.graphs import forward_graph
from ..derive.paths import DEFAULT_PATH_LIMIT, count_paths, paths
from ..derive.reverse import reverse
from ..errors import GraphdiffError, ParseError
from ..graph import Graph
from ..ops import FUNCTIONS, as_expr
from ..parse import Limits, parse
from . import mpeval
from .answers import AnswerError, graph_text, read_answer
from .equivalence import Domain, Reference, Verdict, invalid, judge
from .feedback import Diagnoser, diagnose_number, number_alternatives
from .messages import Message
from .proof import DEFAULT_TIMEOUT
from .report import PartResult, Report

PART_KINDS = ("derivative", "value", "expression", "number", "order", "paths", "tangent",
              "adjoint")
_PROBLEM_KEYS = {
    "id", "title", "title_ru", "statement", "statement_ru", "source", "note", "note_ru",
    "function", "output", "naming", "variables", "domain", "functions", "names",
    "allow_nodes", "proof", "timeout", "parts",
}
_PART_KEYS = {
    "id", "ask", "kind", "wrt", "of", "at", "node", "answer", "mistakes", "tolerance",
    "points", "statement", "statement_ru", "hints", "variable", "note", "note_ru", "accepted",
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
#: Largest problem or answers file read (bytes).
MAX_FILE_BYTES = 1_000_000
#: Largest number of parts in a problem.
MAX_PARTS = 100
#: Limits for a problem's function (trusted, but still bounded).
FUNCTION_LIMITS = Limits()


class ProblemError(GraphdiffError):
    """A problem file that is not valid; the message names the file and the key.

    >>> try:
    ...     load_problem({"id": "demo", "title": "A product", "function": "x*y",
    ...                   "parts": [{"id": "dz", "wrt": "z"}]})
    ... except ProblemError as err:
    ...     print(err)
    <problem>: parts[0].wrt: 'z' is not an input of the function (inputs: x, y)
    """


# --- tolerances ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerance:
    """How close a numeric answer must be.

    ``rel`` and ``abs``: accepted if ``|a - r| <= max(rel*|r|, abs)``.  ``sig``: agree
    to ``sig`` significant digits (``|a - r| <= 0.5 * 10**(e - sig + 1)`` with
    ``e = floor(log10|r|)``).  With none of them (the default), a decimal number is
    accepted if it is the correct value rounded or truncated to its last written digit,
    and must have at least
    ``min_digits`` significant digits unless it is exact; a formula (``1/16``, ``e^2``)
    must be exact to 1e-9.

    >>> Tolerance().check(0.7310585786, "0.7311")[0], Tolerance().check(0.7310585786, "0.7310")[0]
    (True, True)
    >>> Tolerance().check(0.7310585786, "0.732")[0]
    False
    >>> Tolerance().check(0.7310585786, "0.73")[0]
    False
    >>> Tolerance(sig=2).check(0.7310585786, "0.73")[0]
    True
    """

    rel: float | None = None
    abs: float | None = None
    sig: int | None = None
    min_digits: int = 3

    @classmethod
    def of(cls, spec: Any, where: str = "tolerance") -> Tolerance:
        if spec is None:
            return cls()
        if not isinstance(spec, Mapping):
            raise ProblemError(f"{where}: expected a table such as {{rel = 1e-3}}")
        unknown = set(spec) - {"rel", "abs", "sig", "min_digits"}
        if unknown:
            raise ProblemError(f"{where}: unknown key {sorted(unknown)[0]!r}; expected rel, "
                               "abs, sig or min_digits")
        try:
            return cls(rel=_opt_float(spec.get("rel")), abs=_opt_float(spec.get("abs")),
                       sig=None if spec.get("sig") is None else int(spec["sig"]),
                       min_digits=int(spec.get("min_digits", 3)))
        except (TypeError, ValueError) as err:
            raise ProblemError(f"{where}: {err}") from None

    def describe(self) -> Message:
        if self.sig is not None:
            return Message("tol_sig", {"value": self.sig})
        if self.rel is not None and self.abs is None:
            return Message("tol_rel", {"value": f"{self.rel:g}"})
        if self.abs is not None and self.rel is None:
            return Message("tol_abs", {"value": f"{self.abs:g}"})
        if self.abs is not None:
            return Message("tol_rel", {"value": f"{self.rel:g} / abs {self.abs:g}"})
        return Message("tol_digits")

    def check(self, expected: float, text: str) -> tuple[bool, Message | None]:
        """(accepted, a message if too few digits) for the number written as ``text``."""
        value = float(text)
        d = abs(value - expected)
        if self.rel is not None or self.abs is not None:
            return d <= max((self.rel or 0) * abs(expected), self.abs or 0) * (1 + 1e-12), None
        if self.sig is not None:
            if expected == 0:
                return d <= 0.5 * 10.0 ** (-self.sig), None
            e = math.floor(math.log10(abs(expected)))
            return d <= 0.5 * 10.0 ** (e - self.sig + 1) * (1 + 1e-9), None
        return self._check_digits(expected, text, d)

    def _check_digits(self, expected: float, text: str, d: float
                      ) -> tuple[bool, Message | None]:
        literal = _decimal_literal(text)
        if literal is None:
            return d <= 1e-9 * max(abs(expected), 1e-300), None
        digits, unit = literal
        if d <= 1e-12 * max(abs(expected), 1e-300):
            return True, None
        # The correct value rounded (ties either way) or truncated to the last digit
        # written.
        q = expected / unit
        written = round(float(text) / unit)
        truncated = math.trunc(q + math.copysign(1e-9, q))
        if abs(written - q) > 0.5 + 1e-6 and written != truncated:
            return False, None
        if digits < self.min_digits:
            # Right as far as it goes, but too coarse to tell from a wrong answer.
            return False, Message("number_few_digits", {"digits": self.min_digits,
                                                        "given": digits})
        return True, None

    def close(self, a: float, b: float) -> bool:
        """Whether two values agree (used to match feedback alternatives)."""
        tol = max((self.rel or 0) * abs(b), self.abs or 0)
        if self.sig is not None and b != 0:
            tol = 0.5 * 10.0 ** (math.floor(math.log10(abs(b))) - self.sig + 1)
        if tol == 0:
            tol = 1e-3 * abs(b) if b else 1e-9
        return abs(a - b) <= tol


def _show_number(value: Any) -> str:
    """``10`` for an integer value, else 10 significant digits."""
    if value == int(value) and abs(value) < 10**15:
        return str(int(value))
    return mpmath.nstr(value, 10)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _decimal_literal(text: str) -> tuple[int, float] | None:
    """(significant digits, value of one unit in the last place) of ``-0.0625``."""
    m = re.fullmatch(r"-?(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?", text.strip())
    if not m:
        return None
    whole, frac, exp = m.group(1), m.group(2) or "", int(m.group(3) or 0)
    digits = (whole + frac).lstrip("0") or "0"
    return len(digits), 10.0 ** (exp - len(frac))


# --- parts --------------------------------------------------------------------------------


@dataclass
class SelfTestResult:
    """One check of the self-test: an answer and the verdict it must get.

    >>> p = load_problem({"id": "demo", "title": "A product", "function": "x*y",
    ...                   "parts": [{"id": "dx", "wrt": "x", "mistakes": ["x"]}]})
    >>> reference, mistake = p.self_test()
    >>> reference.answer, reference.expected, reference.ok
    ('y', 'correct', True)
    >>> print(mistake.describe())  # doctest: +ELLIPSIS
    ok   dx: 'x' -> incorrect (expected incorrect): at x = ... the correct value is ...
    """

    part: str
    answer: str
    expected: str       # "correct" or "incorrect"
    verdict: Verdict

    @property
    def ok(self) -> bool:
        return self.verdict.verdict == self.expected

    def describe(self, lang: str = "en") -> str:
        status = "ok  " if self.ok else "FAIL"
        return (f"{status} {self.part}: {self.answer!r} -> {self.verdict.verdict} (expected "
                f"{self.expected}): {self.verdict.reason_text(lang)}")


class Part:
    """One question of a problem; :meth:`grade` checks an answer to it.

    >>> part = get_problem("seed004-ex1").part("df/dx")
    >>> part.id, part.kind, part.wrt, part.points
    ('dfdx', 'derivative', ('x',), 2.0)
    >>> part.grade("4x + 3y").verdict, part.grade("-4x - 3y").codes
    ('correct', ('sign_error',))
    """

    def __init__(self, problem: Problem, data: Mapping[str, Any], index: int) -> None:
        where = f"{problem.origin}: parts[{index}]"
        self.where = where
        unknown = set(data) - _PART_KEYS
        if unknown:
            raise ProblemError(f"{where}: unknown key {sorted(unknown)[0]!r}; the keys of a "
                               f"part are {', '.join(sorted(_PART_KEYS))}")
        self.problem = problem
        self.id = _string(data, "id", where, required=True)
        if not _ID.match(self.id):
            raise ProblemError(f"{where}.id: {self.id!r} must be letters, digits, _ . -")
        self.kind = _string(data, "kind", where, default="derivative")
        if self.kind not in PART_KINDS:
            raise ProblemError(f"{where}.kind: {self.kind!r} is not one of "
                               f"{', '.join(PART_KINDS)}")
        self.ask = _string(data, "ask", where, default=self.id)
        wrt = data.get("wrt")
        if isinstance(wrt, str):
            wrt = [wrt]
        if wrt is not None and (not isinstance(wrt, list) or not all(
                isinstance(w, str) for w in wrt)):
            raise ProblemError(f"{where}.wrt: expected a variable name or a list of names")
        self.wrt: tuple[str, ...] = tuple(wrt or ())
        self.of = _string(data, "of", where)
        self.node = _string(data, "node", where)
        self.variable = _string(data, "variable", where, default="h")
        self.at = data.get("at")
        self.answer = data.get("answer")
        self.mistakes = data.get("mistakes", [])
        self.accepted = data.get("accepted", [])
        for key in ("mistakes", "accepted"):
            if not isinstance(data.get(key, []), list):
                raise ProblemError(f"{where}.{key}: expected a list of answers")
        self.tolerance = Tolerance.of(data.get("tolerance"), f"{where}.tolerance")
        try:
            self.points = float(data.get("points", 1))
        except (TypeError, ValueError):
            raise ProblemError(f"{where}.points: expected a number") from None
        self.statement = {"en": data.get("statement", ""), "ru": data.get("statement_ru", "")}
        self.note = {"en": data.get("note", ""), "ru": data.get("note_ru", "")}
        self.hints: dict[str, Message] = {}
        for code, hint in (data.get("hints") or {}).items():
            if isinstance(hint, str):
                hint = {"en": hint}
            if not isinstance(hint, Mapping):
                raise ProblemError(f"{where}.hints.{code}: expected text or {{en, ru}}")
            self.hints[code] = Message("custom", dict(hint))
        self._reference: Reference | None = None
        self._diagnoser: Diagnoser | None = None
        self._expected: Any = None
        self._validate()

    # --- validation ---------------------------------------------------------------------

    def _validate(self) -> None:
        p, where = self.problem, self.where
        needs_function = self.kind in ("derivative", "value", "paths", "tangent", "adjoint")
        if needs_function and p.function is None:
            raise ProblemError(f"{where}: a {self.kind} part needs the problem's function")
        if self.kind in ("derivative", "paths", "tangent") and not self.wrt:
            raise ProblemError(f"{where}: a {self.kind} part needs wrt")
        if p.function is not None:
            for w in self.wrt:
                if w not in p.graph.inputs:
                    raise ProblemError(f"{where}.wrt: {w!r} is not an input of the function "
                                       f"(inputs: {', '.join(p.graph.inputs)})")
            for name in (self.of, self.node):
                if name is not None:
                    try:
                        p.graph.id(name)
                    except GraphdiffError:
                        raise ProblemError(f"{where}: there is no node {name!r} in the "
                                           f"graph (nodes: {', '.join(p.node_names)})") from None
        if self.kind in ("tangent", "adjoint") and self.node is None:
            raise ProblemError(f"{where}: a {self.kind} part needs node")
        if self.kind == "paths" and len(self.wrt) != 1:
            raise ProblemError(f"{where}.wrt: a paths part takes one variable")
        if self.kind in ("expression", "number", "order") and self.answer is None:
            raise ProblemError(f"{where}: a {self.kind} part needs the answer")
        if self.kind == "value" and not isinstance(self.at, Mapping):
            raise ProblemError(f"{where}.at: a value part needs the point, e.g. "
                               "at = {x = 1, y = 2}")
        if self.kind == "order":
            try:
                int(self.answer)
            except (TypeError, ValueError):
                raise ProblemError(f"{where}.answer: the order must be an integer") from None
        if self.kind == "paths":
            if self.answer is not None and not isinstance(self.answer, list | str):
                raise ProblemError(f"{where}.answer: expected a list of paths")
        elif self.answer is not None and not isinstance(self.answer, str | int | float):
            raise ProblemError(f"{where}.answer: expected text")
        for key, answers in (("mistakes", self.mistakes), ("accepted", self.accepted)):
            for k, m in enumerate(answers):
                if not isinstance(m, str | int | float | list):
                    raise ProblemError(f"{where}.{key}[{k}]: expected text")

    # --- the correct answer ---------------------------------------------------------------

    def reference(self) -> Reference:
        """The prepared correct answer (expression-like kinds)."""
        if self._reference is None:
            p = self.problem
            guards: list[Graph] = []
            if self.kind == "expression":
                graph = p.read_reference(str(self.answer), f"{self.where}.answer")
            else:
                graph = self._derivative_graph()
                guards = [p.graph]
            self._reference = Reference(graph, variables=p.variables, names=p.name_graphs,
                                        domain=p.domain, guards=guards,
                                        functions=p.functions)
        return self._reference

    def _derivative_graph(self) -> Graph:
        p = self.problem
        g = p.graph
        if self.kind == "adjoint":
            expr = reverse(g).adjoint(self.node)
        else:
            target = self.of or (self.node if self.kind == "tangent" else None)
            expr = p.symbolic_derivative(target, self.wrt)
        try:
            # strict: expr comes from graphdiff's own derivatives, never from text
            return from_sympy(as_expr(expr), inputs=list(g.inputs))
        except GraphdiffError as err:
            if self.kind in ("derivative", "value") and self.of is None:
                return p.forward_derivative(self.wrt)  # e.g. Piecewise (leaky_relu)
            raise ProblemError(f"{self.where}: the derivative {expr} cannot be checked: "
                               f"{err}") from None

    def diagnoser(self) -> Diagnoser:
        if self._diagnoser is None:
            p = self.problem
            single = (self.kind == "derivative" and len(self.wrt) == 1 and (
                self.of is None or self.of == p.graph.outputs[0]))
            self._diagnoser = Diagnoser(p.graph if single else None,
                                        self.wrt[0] if single else None, self.reference(),
                                        hints=self.hints)
        return self._diagnoser

    def expected_value(self) -> Any:
        """The correct number of a value or number part (an mpf at 50 digits)."""
        if self._expected is None:
            p = self.problem
            if self.kind == "number":
                graph = p.read_reference(str(self.answer), f"{self.where}.answer", names=[])
                self._expected = mpeval.evaluate(graph, {}, 50)[0]
            else:
                point = self.point()
                graph = (self._derivative_graph() if self.wrt else p.graph)
                try:
                    self._expected = mpeval.evaluate(graph, point, 50)[0]
                except (mpeval.MPDomainError, mpeval.MPOverflow) as err:
                    raise ProblemError(f"{self.where}.at: the value is not defined there: "
                                       f"{err}") from None
        return self._expected

    def point(self) -> dict[str, Any]:
        p = self.problem
        assert isinstance(self.at, Mapping)
        point = {}
        for name, value in self.at.items():
            if name not in p.graph.inputs:
                raise ProblemError(f"{self.where}.at: {name!r} is not an input of the function")
            graph = p.read_reference(str(value), f"{self.where}.at.{name}", names=[])
            point[name] = mpeval.evaluate(graph, {}, 60)[0]
        missing = [v for v in p.graph.inputs if v not in point]
        if missing:
            raise ProblemError(f"{self.where}.at: no value for {', '.join(missing)}")
        return point

    def expected_paths(self) -> list[tuple[str, ...]]:
        p = self.problem
        out = p.graph.output_ids[0]
        if count_paths(p.graph, self.wrt[0], out) > DEFAULT_PATH_LIMIT:
            raise ProblemError(f"{self.where}: too many paths to list")
        return [tuple(q.names) for q in paths(p.graph, self.wrt[0]).paths]

    def reference_text(self) -> str:
        """The correct answer as text (the teacher's, or the computed one)."""
        if self.answer is not None:
            if isinstance(self.answer, list):
                return "; ".join(self.answer)
            return str(self.answer)
        if self.kind == "paths":
            return "; ".join(" -> ".join(q) for q in self.expected_paths())
        if self.kind == "value":
            return mpmath.nstr(self.expected_value(), 15)
        return graph_text(self.reference().graph)

    # --- grading ------------------------------------------------------------------------

    def grade(self, answer: Any, *, proof: str | None = None,
              timeout: float | None = None) -> Verdict:
        """The verdict for one answer (text; a list for a paths part)."""
        if answer is None or (isinstance(answer, str) and not answer.strip()):
            return Verdict("invalid", Message("no_answer"), method="read")
        proof = proof or self.problem.proof
        timeout = timeout if timeout is not None else self.problem.timeout
        if isinstance(answer, list):
            if self.kind != "paths":
                return Verdict("invalid", Message("not_text", {"type": "list"}),
                               method="read")
            answer = "; ".join(str(a) for a in answer)
        if isinstance(answer, int | float) and not isinstance(answer, bool):
            answer = repr(answer)
        if not isinstance(answer, str):
            return Verdict("invalid", Message("not_text", {"type": type(answer).__name__}),
                           method="read")
        if self.kind in ("value", "number"):
            return self._grade_number(answer)
        if self.kind == "order":
            return self._grade_order(answer)
        if self.kind == "paths":
            return self._grade_paths(answer)
        return judge(self.reference(), answer, proof=proof, timeout=timeout,
                     diagnose=self.diagnoser())

    def _grade_number(self, answer: str) -> Verdict:
        try:
            reading = read_answer(answer, names=[], functions=self.problem.functions)
            graph = reading.graph()
        except AnswerError as err:
            return invalid(err)
        common = {"read_as": reading.expression, "warnings": reading.warnings,
                  "notes": reading.notes}
        try:
            value = mpeval.evaluate(graph, {}, 50)[0]
        except (mpeval.MPDomainError, mpeval.MPOverflow) as err:
            return Verdict("invalid", Message("core_error", {"reason": str(err)}),
                           method="read", **common)
        expected = self.expected_value()
        got = float(value)
        want = float(expected)
        literal = reading.expression if _decimal_literal(reading.expression) else repr(got)
        ok, few = self.tolerance.check(want, literal)
        if _decimal_literal(reading.expression) is None and self.tolerance == Tolerance():
            ok = abs(value - expected) <= mpmath.mpf("1e-9") * max(abs(expected), 1e-300)
        params = {"expected": _show_number(expected), "got": reading.expression,
                  "tolerance": self.tolerance.describe()}
        if ok:
            return Verdict("correct", Message("number_equal", params), method="exact",
                           **common)
        if few is not None:
            return Verdict("incorrect", few, method="exact", **common)
        feedback = diagnose_number(got, want, self._number_alternatives(),
                                   lambda a, b: self.tolerance.close(a, b))
        return Verdict("incorrect", Message("number_differs", params), method="exact",
                       feedback=tuple(feedback + [self.hints[f.code] for f in feedback
                                                  if f.code in self.hints]), **common)

    def _number_alternatives(self) -> list[tuple[Message, float]]:
        expected = float(self.expected_value())
        if self.kind != "value" or len(self.wrt) != 1:
            return list(number_alternatives(expected, {}, None, None))
        p = self.problem
        point = self.point()
        others = {}
        for x in p.graph.inputs:
            if x != self.wrt[0]:
                try:
                    g = from_sympy(p.symbolic_derivative(self.of, (x,)),
                                   inputs=list(p.graph.inputs))
                    others[x] = float(mpeval.evaluate(g, point, 30)[0])
                except (GraphdiffError, ArithmeticError):
                    continue
        try:
            fvalue = float(mpeval.evaluate(p.graph, point, 30)[0])
        except ArithmeticError:
            fvalue = None
        return list(number_alternatives(expected, others, self.wrt[0], fvalue))

    def _grade_order(self, answer: str) -> Verdict:
        text = answer.strip()
        for sup, digit in (("²", "^2"), ("³", "^3"), ("¹", "^1"), ("⁴", "^4")):
            text = text.replace(sup, digit)
        text = re.sub(r"\\left|\\right|\\mathcal\{O\}|\\mathcal O|\\,|\$|\s|\{|\}", "",
                      text.replace("\\mathcal{O}", "O"))
        text = text.split("=")[-1]
        h = re.escape(self.variable)
        m = re.fullmatch(rf"(?:O\()?(?:{h}(?:(?:\^|\*\*)(\d+))?|(\d+))\)?", text)
        if not m or (text.startswith("O(") != text.endswith(")")):
            return Verdict("invalid", Message("bad_order"), method="read")
        got = int(m.group(1) or m.group(2) or 1)
        expected = int(self.answer)
        if got == expected:
            return Verdict("correct", Message("order_equal", {"order": expected}),
                           method="exact", read_as=str(got))
        return Verdict("incorrect", Message("order_differs", {"got": got}),
                       method="exact", read_as=str(got))

    def _grade_paths(self, answer: str) -> Verdict:
        p = self.problem
        g = p.graph
        nodes = set(p.node_names)
        given: list[tuple[str, ...]] = []
        warnings: list[Message] = []
        chunks = [c for c in re.split(r"[;\n|]+", answer) if c.strip()]
        for chunk in chunks:
            names = [n for n in re.split(r"\s*(?:->|→|—>|=>|-|,|\s)\s*", chunk.strip()) if n]
            if len(names) < 2:
                return Verdict("invalid", Message("bad_path", {"text": chunk.strip()[:60]}),
                               method="read")
            for n in names:
                if n not in nodes:
                    return Verdict("invalid", Message("unknown_node", {
                        "name": n[:30], "known": ", ".join(p.node_names)}), method="read")
            path = tuple(names)
            if path in given:
                warnings.append(Message("path_duplicate", {"path": " → ".join(path)}))
            else:
                given.append(path)
        if len(given) > 10_000:
            return Verdict("invalid", Message("expression_too_large"), method="read")
        expected = self.expected_paths()
        wrt, output = self.wrt[0], g.outputs[0]
        feedback: list[Message] = []
        for path in given:
            if path in expected:
                continue
            shown = " → ".join(path)
            if path[0] != wrt or path[-1] != output:
                feedback.append(Message("path_wrong_ends", {"path": shown, "wrt": wrt,
                                                            "output": output}))
                continue
            for u, v in itertools.pairwise(path):
                if not g.nx.has_edge(g.id(u), g.id(v)):
                    feedback.append(Message("path_no_edge", {"source": u, "target": v}))
                    break
            else:
                feedback.append(Message("path_extra", {"path": shown, "wrt": wrt,
                                                       "output": output}))
        for path in expected:
            if path not in given:
                factor = _path_factor(g, path)
                feedback.append(Message("missing_path", {"path": " → ".join(path),
                                                         "factor": factor,
                                                         "nodes": list(path)}))
        read_as = "; ".join(" -> ".join(q) for q in given)
        if not feedback:
            return Verdict("correct", Message("paths_equal", {"count": len(expected)}),
                           method="exact", read_as=read_as, warnings=tuple(warnings))
        return Verdict("incorrect", Message("paths_differ"), method="exact", read_as=read_as,
                       warnings=tuple(warnings), feedback=tuple(feedback))

    # --- self-test ------------------------------------------------------------------------

    def self_test(self) -> list[SelfTestResult]:
        """The reference answer must be accepted and every listed mistake rejected."""
        results = []
        reference = self.answer if self.answer is not None else self.reference_text()
        if self.kind == "order":
            reference = str(self.answer)
        results.append(SelfTestResult(self.id, _as_text(reference), "correct",
                                      self.grade(reference, proof="auto")))
        if self.answer is not None and self.kind in ("derivative", "tangent", "adjoint"):
            computed = graph_text(self.reference().graph)
            results.append(SelfTestResult(self.id, computed, "correct",
                                          self.grade(computed, proof="auto")))
        for other in self.accepted:
            results.append(SelfTestResult(self.id, _as_text(other), "correct",
                                          self.grade(other, proof="auto")))
        for mistake in self.mistakes:
            results.append(SelfTestResult(self.id, _as_text(mistake), "incorrect",
                                          self.grade(mistake, proof="auto")))
        return results


def _as_text(value: Any) -> str:
    return "; ".join(value) if isinstance(value, list) else str(value)


def _path_factor(g: Graph, names: Sequence[str]) -> str:
    from .feedback import pretty

    product = sympy.Integer(1)
    for u, v in itertools.pairwise(names):
        product *= g.edge_derivative(u, v)
    return pretty(product)


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
        self.id = _string(data, "id", origin, required=True)
        if not _ID.match(self.id):
            raise ProblemError(f"{origin}.id: {self.id!r} must be letters, digits, _ . -")
        self.title = {"en": _string(data, "title", origin, required=True),
                      "ru": _string(data, "title_ru", origin) or ""}
        self.statement = {"en": data.get("statement", ""), "ru": data.get("statement_ru", "")}
        self.note = {"en": data.get("note", ""), "ru": data.get("note_ru", "")}
        self.source = _string(data, "source", origin) or ""
        self.function = _string(data, "function", origin)
        self.naming = _string(data, "naming", origin, default="w")
        if self.naming not in ("w", "letters"):
            raise ProblemError(f"{origin}.naming: expected 'w' or 'letters'")
        self.proof = _string(data, "proof", origin, default="auto")
        if self.proof not in ("auto", "always", "never"):
            raise ProblemError(f"{origin}.proof: expected auto, always or never")
        try:
            self.timeout = float(data.get("timeout", DEFAULT_TIMEOUT))
        except (TypeError, ValueError):
            raise ProblemError(f"{origin}.timeout: expected seconds") from None
        functions = data.get("functions") or {}
        if not isinstance(functions, Mapping) or not all(
                isinstance(v, str) and v in FUNCTIONS for v in functions.values()):
            raise ProblemError(f"{origin}.functions: expected a table such as "
                               "{f = \"sigmoid\"} naming functions of the op table")
        self.functions = dict(functions)
        self.graph: Graph | None = None
        if self.function is not None:
            output = _string(data, "output", origin)
            try:
                self.graph = parse(self.function, naming=self.naming,
                                   outputs=[output] if output else None,
                                   limits=FUNCTION_LIMITS)
            except ParseError as err:
                raise ProblemError(f"{origin}.function: {err}") from None
            if len(self.graph.outputs) != 1:
                raise ProblemError(f"{origin}.function: give one output")
        variables = data.get("variables")
        if variables is None:
            self.variables = tuple(self.graph.inputs) if self.graph else ()
        else:
            if not isinstance(variables, list) or not all(isinstance(v, str)
                                                          for v in variables):
                raise ProblemError(f"{origin}.variables: expected a list of names")
            self.variables = tuple(variables)
            if self.graph is not None:
                missing = [v for v in self.graph.inputs if v not in self.variables]
                if missing:
                    raise ProblemError(f"{origin}.variables: the function also uses "
                                       f"{', '.join(missing)}")
        for v in self.variables:
            if v in FUNCTIONS or v in ("pi", "e") or not re.fullmatch(r"[A-Za-z]\w*", v):
                raise ProblemError(f"{origin}.variables: {v!r} cannot be a variable name")
        try:
            self.domain = Domain.of(data.get("domain"))
        except GraphdiffError as err:
            raise ProblemError(f"{origin}.domain: {err}") from None
        self.name_graphs = self._names(data)
        raw_parts = data.get("parts")
        if not isinstance(raw_parts, list) or not raw_parts:
            raise ProblemError(f"{origin}: a problem needs [[parts]]")
        if len(raw_parts) > MAX_PARTS:
            raise ProblemError(f"{origin}: more than {MAX_PARTS} parts")
        self.parts: list[Part] = []
        for k, part in enumerate(raw_parts):
            if not isinstance(part, Mapping):
                raise ProblemError(f"{origin}: parts[{k}] is not a table")
            self.parts.append(Part(self, part, k))
        ids = [p.id for p in self.parts]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ProblemError(f"{origin}: part id {sorted(dupes)[0]!r} is used twice")

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

    @property
    def node_names(self) -> list[str]:
        g = self.graph
        return [] if g is None else [g.name(n) for n in g.order]

    @property
    def names(self) -> list[str]:
        """Variables and node names an answer may use."""
        return [*self.variables, *self.name_graphs]

    def read_reference(self, text: str, where: str, names: Sequence[str] | None = None
                       ) -> Graph:
        try:
            return read_answer(text, names=self.names if names is None else names,
                               functions=self.functions).graph()
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
                verdict = part.grade(given, proof=proof, timeout=timeout)
            shown = None if given is None else _as_text(given)
            results.append(PartResult(part.id, part.ask, shown, verdict,
                                      part.points if verdict.correct else 0.0, part.points))
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


def _normal_key(key: str) -> str:
    return re.sub(r"[\s{}\\]|partial|∂", "", key.replace("∂", "d")).lower()


def _string(data: Mapping[str, Any], key: str, where: str, *, required: bool = False,
            default: str | None = None) -> Any:
    value = data.get(key)
    if value is None:
        if required:
            raise ProblemError(f"{where}: the key {key!r} is required")
        return default
    if not isinstance(value, str):
        raise ProblemError(f"{where}.{key}: expected text, got {type(value).__name__}")
    return value


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
