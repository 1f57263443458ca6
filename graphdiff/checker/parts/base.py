"""What every part kind shares: the common keys, points, tolerance, feedback hints, the
answer's first checks, the self-test; and the registry of kinds by name.

A kind is one subclass of :class:`Part` registered with :func:`part_kind`; it declares
what it needs (``needs_function``, ``needs_wrt``, ...) and implements
:meth:`Part.grade_text` and :meth:`Part.computed_text`.

>>> sorted(KINDS)[:3]
['adjoint', 'derivative', 'expression']
>>> KINDS["derivative"].needs_wrt, KINDS["expression"].needs_answer
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar

import sympy

from ...errors import GraphdiffError
from ...graph import Graph
from ..equivalence import Domain, Verdict
from ..messages import Message
from .tolerance import Tolerance

#: Keys every part may have, whatever its kind.
COMMON_KEYS = frozenset({
    "id", "ask", "ask_ru", "kind", "wrt", "of", "at", "node", "answer", "mistakes", "tolerance",
    "points", "statement", "statement_ru", "hints", "variable", "note", "note_ru", "accepted",
})
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class ProblemError(GraphdiffError):
    """A problem file that is not valid; the message names the file and the key.

    >>> from graphdiff.checker.problems import load_problem
    >>> try:
    ...     load_problem({"id": "demo", "title": "A product", "function": "x*y",
    ...                   "parts": [{"id": "dz", "wrt": "z"}]})
    ... except ProblemError as err:
    ...     print(err)
    <problem>: parts[0].wrt: 'z' is not an input of the function (inputs: x, y)
    """


class ProblemContext(Protocol):
    """What a part needs of its problem (a :class:`~graphdiff.checker.Problem`)."""

    origin: str
    function: str | None
    graph: Graph | None
    variables: tuple[str, ...]
    name_graphs: dict[str, Graph]
    domain: Domain
    functions: dict[str, str]
    proof: str
    timeout: float
    tensor_nodes: dict[str, int]

    @property
    def names(self) -> list[str]: ...

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]: ...

    @property
    def node_names(self) -> list[str]: ...

    def read_reference(self, text: str, where: str, names: Sequence[str] | None = None
                       ) -> Graph: ...

    def symbolic_derivative(self, target: str | None, wrt: Sequence[str]) -> sympy.Expr: ...

    def forward_derivative(self, wrt: Sequence[str]) -> Graph: ...


@dataclass
class SelfTestResult:
    """One check of the self-test: an answer and the verdict it must get.

    >>> from graphdiff.checker.problems import load_problem
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

    Build one with :func:`make_part` (a problem does); the class is chosen by ``kind``.

    >>> from graphdiff.checker.problems import get_problem
    >>> part = get_problem("seed004-ex1").part("df/dx")
    >>> part.id, part.kind, part.wrt, part.points, type(part).__name__
    ('dfdx', 'derivative', ('x',), 2.0, 'DerivativePart')
    >>> part.grade("4x + 3y").verdict, part.grade("-4x - 3y").codes
    ('correct', ('sign_error',))
    """

    #: The ``kind`` of the problem file (set by :func:`part_kind`).
    kind: ClassVar[str] = ""
    #: Keys this kind accepts besides :data:`COMMON_KEYS`.
    keys: ClassVar[frozenset[str]] = frozenset()
    needs_function: ClassVar[bool] = False
    needs_wrt: ClassVar[bool] = False
    needs_node: ClassVar[bool] = False
    needs_answer: ClassVar[bool] = False
    #: Whether an answer may be a TOML list (a list of paths).
    accepts_list: ClassVar[bool] = False
    #: Whether the kind takes a problem whose function has matrices (the kinds of
    #: numbers and formulas of numbers do not: their answers are read as numbers).
    tensor_ok: ClassVar[bool] = False

    def __init__(self, problem: ProblemContext, data: Mapping[str, Any], index: int) -> None:
        self.problem = problem
        self.where = where = f"{problem.origin}: parts[{index}]"
        allowed = part_keys()
        unknown = set(data) - allowed
        if unknown:
            raise ProblemError(f"{where}: unknown key {sorted(unknown)[0]!r}; the keys of a "
                               f"part are {', '.join(sorted(allowed))}")
        self.id = string_key(data, "id", where, required=True)
        if not _ID.match(self.id):
            raise ProblemError(f"{where}.id: {self.id!r} must be letters, digits, _ . -")
        self.ask = string_key(data, "ask", where, default=self.id)
        #: What the part asks, in Russian (default: ``ask``, which is often a formula).
        self.ask_ru = string_key(data, "ask_ru", where, default=self.ask)
        self.wrt = _wrt(data.get("wrt"), where)
        self.of = string_key(data, "of", where)
        self.node = string_key(data, "node", where)
        self.variable = string_key(data, "variable", where, default="h")
        self.at = data.get("at")
        self.answer = data.get("answer")
        self.mistakes = data.get("mistakes", [])
        self.accepted = data.get("accepted", [])
        for key in ("mistakes", "accepted"):
            if not isinstance(data.get(key, []), list):
                raise ProblemError(f"{where}.{key}: expected a list of answers")
        try:
            self.tolerance = Tolerance.of(data.get("tolerance"), f"{where}.tolerance")
        except ValueError as err:
            raise ProblemError(str(err)) from None
        try:
            self.points = float(data.get("points", 1))
        except (TypeError, ValueError):
            raise ProblemError(f"{where}.points: expected a number") from None
        self.statement = {"en": data.get("statement", ""), "ru": data.get("statement_ru", "")}
        self.note = {"en": data.get("note", ""), "ru": data.get("note_ru", "")}
        self.hints = _hints(data.get("hints"), where)
        self.validate()

    # --- validation -------------------------------------------------------------------

    def validate(self) -> None:
        """Check the keys against the problem; kinds add theirs in :meth:`validate_kind`."""
        p, where = self.problem, self.where
        if self.needs_function and p.function is None:
            raise ProblemError(f"{where}: a {self.kind} part needs the problem's function")
        if self.needs_wrt and not self.wrt:
            raise ProblemError(f"{where}: a {self.kind} part needs wrt")
        if p.graph is not None and p.graph.is_tensor and not self.tensor_ok:
            raise ProblemError(f"{where}: a {self.kind} part takes a function of numbers; "
                               "this one has matrices (use kind = \"matrix\" or "
                               "\"matrix_formula\")")
        if p.graph is not None:
            self._validate_names(p.graph)
        if self.needs_node and self.node is None:
            raise ProblemError(f"{where}: a {self.kind} part needs node")
        if self.needs_answer and self.answer is None:
            raise ProblemError(f"{where}: a {self.kind} part needs the answer")
        self.validate_kind()
        if self.answer is not None and not self.answer_type_ok(self.answer):
            raise ProblemError(f"{where}.answer: expected {self.answer_type_name}")
        for key, answers in (("mistakes", self.mistakes), ("accepted", self.accepted)):
            for k, m in enumerate(answers):
                if not isinstance(m, str | int | float | list):
                    raise ProblemError(f"{where}.{key}[{k}]: expected text")

    def _validate_names(self, graph: Graph) -> None:
        for w in self.wrt:
            if w not in graph.inputs:
                raise ProblemError(f"{self.where}.wrt: {w!r} is not an input of the function "
                                   f"(inputs: {', '.join(graph.inputs)})")
        for name in (self.of, self.node):
            if name is not None:
                try:
                    graph.id(name)
                except GraphdiffError:
                    raise ProblemError(f"{self.where}: there is no node {name!r} in the graph "
                                       f"(nodes: {', '.join(self.problem.node_names)})"
                                       ) from None

    def validate_kind(self) -> None:
        """Checks of this kind's own keys (none by default)."""

    answer_type_name: ClassVar[str] = "text"

    def answer_type_ok(self, answer: Any) -> bool:
        return isinstance(answer, str | int | float)

    # --- the correct answer -------------------------------------------------------------

    def reference_text(self) -> str:
        """The correct answer as text (the teacher's, or the computed one)."""
        if self.answer is not None:
            return as_text(self.answer)
        return self.computed_text()

    def computed_text(self) -> str:
        """The correct answer as computed from the problem (kinds without one raise)."""
        raise ProblemError(f"{self.where}: a {self.kind} part needs the answer")

    # --- grading ------------------------------------------------------------------------

    def grade(self, answer: Any, *, proof: str | None = None,
              timeout: float | None = None) -> Verdict:
        """The verdict for one answer (text; a list for a paths part)."""
        if answer is None or (isinstance(answer, str) and not answer.strip()):
            return Verdict("invalid", Message("no_answer"), method="read")
        if isinstance(answer, list):
            if not self.accepts_list:
                return Verdict("invalid", Message("not_text", {"type": "list"}),
                               method="read")
            answer = "; ".join(str(a) for a in answer)
        if isinstance(answer, int | float) and not isinstance(answer, bool):
            answer = repr(answer)
        if not isinstance(answer, str):
            return Verdict("invalid", Message("not_text", {"type": type(answer).__name__}),
                           method="read")
        proof = proof or self.problem.proof
        timeout = timeout if timeout is not None else self.problem.timeout
        return self.grade_text(answer, proof=proof, timeout=timeout)

    def grade_text(self, answer: str, *, proof: str, timeout: float) -> Verdict:
        """The verdict for an answer already known to be non-empty text."""
        raise NotImplementedError

    def with_hints(self, feedback: Sequence[Message]) -> tuple[Message, ...]:
        """Feedback followed by the teacher's hints for the feedback codes found."""
        return tuple([*feedback, *(self.hints[f.code] for f in feedback
                                   if f.code in self.hints)])

    # --- self-test ------------------------------------------------------------------------

    def self_test(self) -> list[SelfTestResult]:
        """The reference answer must be accepted and every listed mistake rejected."""
        reference = self.answer if self.answer is not None else self.reference_text()
        results = [self._check(reference, "correct")]
        results += [self._check(text, "correct") for text in self.extra_references()]
        results += [self._check(other, "correct") for other in self.accepted]
        results += [self._check(mistake, "incorrect") for mistake in self.mistakes]
        return results

    def extra_references(self) -> list[str]:
        """More answers that must be accepted (a derivative kind adds its computed one)."""
        return []

    def _check(self, answer: Any, expected: str) -> SelfTestResult:
        return SelfTestResult(self.id, as_text(answer), expected,
                              self.grade(answer, proof="auto"))


# --- the registry -------------------------------------------------------------------------

#: Part classes by kind name, in the order they were registered.
KINDS: dict[str, type[Part]] = {}

P = TypeVar("P", bound=type[Part])


def part_kind(name: str) -> Callable[[P], P]:
    """Register a :class:`Part` subclass as the kind ``name`` of problem files.

    >>> @part_kind("demo_kind")
    ... class DemoPart(Part):
    ...     needs_answer = True
    >>> KINDS["demo_kind"] is DemoPart, DemoPart.kind
    (True, 'demo_kind')
    >>> del KINDS["demo_kind"]
    """
    def register(cls: P) -> P:
        if name in KINDS:
            raise ValueError(f"part kind {name!r} is already registered")
        cls.kind = name
        KINDS[name] = cls
        return cls
    return register


def part_keys() -> frozenset[str]:
    """Every key a part may have: the common ones and those of every registered kind."""
    return COMMON_KEYS.union(*(cls.keys for cls in KINDS.values()))


def make_part(problem: ProblemContext, data: Mapping[str, Any], index: int) -> Part:
    """The part of kind ``data["kind"]`` (default ``derivative``).

    >>> from graphdiff.checker.problems import get_problem
    >>> p = get_problem("seed004-ex1")
    >>> type(make_part(p, {"id": "v", "kind": "value", "at": {"x": 1, "y": 2}}, 0)).__name__
    'ValuePart'
    """
    where = f"{problem.origin}: parts[{index}]"
    kind = string_key(data, "kind", where, default="derivative")
    cls = KINDS.get(kind)
    if cls is None:
        raise ProblemError(f"{where}.kind: {kind!r} is not one of {', '.join(KINDS)}")
    return cls(problem, data, index)


# --- helpers ------------------------------------------------------------------------------


def string_key(data: Mapping[str, Any], key: str, where: str, *, required: bool = False,
               default: str | None = None) -> Any:
    """``data[key]``, which must be text (or absent: then ``default``)."""
    value = data.get(key)
    if value is None:
        if required:
            raise ProblemError(f"{where}: the key {key!r} is required")
        return default
    if not isinstance(value, str):
        raise ProblemError(f"{where}.{key}: expected text, got {type(value).__name__}")
    return value


def as_text(value: Any) -> str:
    """An answer as text: a list of paths joined with ``;``, a TOML array of numbers (a
    matrix, row by row) as a list.

    >>> as_text(["x -> a -> f", "x -> b -> f"]), as_text([[1, 0.5], [2, "1/3"]])
    ('x -> a -> f; x -> b -> f', '[[1, 0.5], [2, 1/3]]')
    """
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    return list_text(value)


def list_text(value: Any) -> str:
    """A TOML array (of numbers, texts, arrays) as matrix text: ``[[1, 0.5], [2, 1/3]]``.

    >>> list_text([1, "e^2"]), list_text(0.25)
    ('[1, e^2]', '0.25')
    """
    if isinstance(value, list):
        return "[" + ", ".join(list_text(v) for v in value) + "]"
    return str(value)


def _wrt(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if value is not None and (not isinstance(value, list) or not all(
            isinstance(w, str) for w in value)):
        raise ProblemError(f"{where}.wrt: expected a variable name or a list of names")
    return tuple(value or ())


def _hints(data: Any, where: str) -> dict[str, Message]:
    hints: dict[str, Message] = {}
    if not isinstance(data or {}, Mapping):
        raise ProblemError(f"{where}.hints: expected a table of feedback code = hint")
    for code, hint in (data or {}).items():
        if isinstance(hint, str):
            hint = {"en": hint}
        if not isinstance(hint, Mapping):
            raise ProblemError(f"{where}.hints.{code}: expected text or {{en, ru}}")
        hints[code] = Message("custom", dict(hint))
    return hints
