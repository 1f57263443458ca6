"""Reports: the verdict, points and feedback of each part, as text or JSON.

The library never prints; :meth:`Report.text` and :meth:`Report.to_dict` format, and the
CLI prints.  :attr:`Report.exit_code` is 0 when every part is correct and 1 otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..notation import format_table
from .equivalence import Verdict
from .messages import Message, visible

#: Reports and gradebooks quote at most this many characters of a student's text.
EXCERPT_CHARS = 200


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with "…" when it was cut.

    >>> excerpt("2x + y")
    '2x + y'
    >>> excerpt("x + " * 100, 12)
    'x + x + x + …'
    """
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass(frozen=True, repr=False)
class PartResult:
    """One graded part.

    Attributes
    ----------
    part : str
        The part's id.
    ask : str
        What the part asks (``"df/dx"``).
    answer : str or None
        The answer as given (None when missing).
    verdict : Verdict
    points, max_points : float

    >>> from graphdiff.checker import check
    >>> result = check("seed004-ex1", {"df/dx": "4x + 3y"}).part("dfdx")
    >>> result.answer, result.verdict.verdict, result.points, result.max_points
    ('4x + 3y', 'correct', 2.0, 2.0)
    >>> result.to_dict()["read_as"]
    '4*x + 3*y'
    """

    part: str
    ask: str
    answer: str | None
    verdict: Verdict
    points: float
    max_points: float
    ask_ru: str = ""

    def ask_in(self, lang: str) -> str:
        """What the part asks, in ``lang`` (Russian when the problem gives it)."""
        return self.ask_ru if lang == "ru" and self.ask_ru else self.ask

    def __repr__(self) -> str:
        return (f"<PartResult {self.part}: {self.verdict.verdict}, {_num(self.points)} of "
                f"{_num(self.max_points)} points>")

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        answer = None if self.answer is None else excerpt(self.answer)
        return {"part": self.part, "ask": self.ask_in(lang), "answer": answer,
                "points": self.points, "max_points": self.max_points,
                **self.verdict.to_dict(lang)}


@dataclass(frozen=True, repr=False)
class Report:
    """The graded answers to one problem.

    Attributes
    ----------
    problem : str
        The problem's id.
    title : str
    parts : tuple of PartResult
    notes : tuple of Message
        Remarks on the answers file (keys that match no part).

    >>> from graphdiff.checker import check
    >>> report = check("seed004-ex1", {"df/dx": "4x + 3y", "df/dz": "0"})
    >>> report.score, report.max_score, report.passed, report.exit_code
    (2.0, 8.0, False, 1)
    >>> print(report.notes[0].render())  # doctest: +ELLIPSIS
    the answers file has 'df/dz', which is not a part of this problem (parts: dfdx, ...)
    >>> print(report.text().splitlines()[-1])
    total: 2 of 8 points; 1 of 6 parts correct
    >>> print(report.text("ru").splitlines()[-1])
    итого: 2 из 8 баллов; верно 1 из 6 пунктов
    >>> report
    <Report seed004-ex1: 2 of 8 points, 1 of 6 parts correct>
    >>> print(report.markdown().splitlines()[2])
    | part | answer | verdict | points | why |
    """

    problem: str
    title: str
    parts: tuple[PartResult, ...]
    notes: tuple[Message, ...] = field(default=())
    title_ru: str = ""

    @property
    def score(self) -> float:
        return sum(p.points for p in self.parts)

    @property
    def max_score(self) -> float:
        return sum(p.max_points for p in self.parts)

    @property
    def passed(self) -> bool:
        """True when every part is correct."""
        return all(p.verdict.correct for p in self.parts)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def part(self, part_id: str) -> PartResult:
        for p in self.parts:
            if p.part == part_id:
                return p
        raise KeyError(part_id)

    def text(self, lang: str = "en") -> str:
        """A readable report for the terminal."""
        title = self.title_ru if lang == "ru" and self.title_ru else self.title
        out = [Message("report_title", {"id": self.problem, "title": title}).render(lang)]
        for p in self.parts:
            v = p.verdict
            out.append("")
            head = Message("report_part", {"id": p.part, "ask": p.ask_in(lang)}).render(lang)
            verdict = Message("verdict_" + v.verdict).render(lang)
            points = Message("report_points").render(lang)
            out.append(f"{head}: {verdict.upper()}  [{points}: {_num(p.points)}/"
                       f"{_num(p.max_points)}]")
            if p.answer is not None:
                out.append(f"  > {visible(excerpt(p.answer))}")
            if v.read_as is not None and v.read_as != (p.answer or "").strip():
                read_as = visible(excerpt(v.read_as))
                out.append(f"  {Message('report_read_as').render(lang)}: {read_as}")
            out.append(f"  {Message('report_reason').render(lang)}: "
                       f"{visible(v.reason_text(lang))}")
            if v.excerpt:
                out.extend("  " + visible(line, keep_width=True)
                           for line in v.excerpt.splitlines())
            for w in v.warnings:
                out.append(f"  ! {w.render(lang)}")
            for n in v.notes:
                out.append(f"  - {n.render(lang)}")
            for f in v.feedback:
                out.append(f"  {Message('report_feedback').render(lang)}: {f.render(lang)}")
        for note in self.notes:
            out.append("")
            out.append(f"{Message('report_note').render(lang)}: {note.render(lang)}")
        out.append("")
        passed = sum(1 for p in self.parts if p.verdict.correct)
        out.append(Message("report_total", {"score": _num(self.score),
                                            "max_score": _num(self.max_score),
                                            "passed": passed, "parts": len(self.parts)}
                           ).render(lang))
        return "\n".join(out)

    def __repr__(self) -> str:
        passed = sum(1 for p in self.parts if p.verdict.correct)
        return (f"<Report {self.problem}: {_num(self.score)} of {_num(self.max_score)} points, "
                f"{passed} of {len(self.parts)} parts correct>")

    def markdown(self, lang: str = "en") -> str:
        """The report as a Markdown table, one row per part (a notebook's display)."""
        title = self.title_ru if lang == "ru" and self.title_ru else self.title
        head = Message("report_title", {"id": self.problem, "title": title}).render(lang)
        headers = [Message(code).render(lang) for code in (
            "report_part_column", "report_answer_column", "report_verdict", "report_points",
            "report_reason")]
        rows = [[p.part, visible(excerpt(p.answer or "", 60)),
                 Message("verdict_" + p.verdict.verdict).render(lang),
                 f"{_num(p.points)}/{_num(p.max_points)}",
                 visible(p.verdict.reason_text(lang))] for p in self.parts]
        passed = sum(1 for p in self.parts if p.verdict.correct)
        total = Message("report_total", {"score": _num(self.score),
                                         "max_score": _num(self.max_score),
                                         "passed": passed, "parts": len(self.parts)}
                        ).render(lang)
        table = format_table(headers, rows, "markdown", ["l", "l", "l", "r", "l"])
        return f"**{head}**\n\n{table}\n\n{total}"

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """JSON-ready data (a stable schema: problem, parts[], score, passed)."""
        return {
            "problem": self.problem, "title": self.title,
            "parts": [p.to_dict(lang) for p in self.parts],
            "notes": [n.to_dict(lang) for n in self.notes],
            "score": self.score, "max_score": self.max_score, "passed": self.passed,
        }


def _num(value: float) -> str:
    return f"{value:g}"
