"""The exercise checker: grade derivative and backprop homework safely, with feedback.

* :func:`compare` -- the equivalence decision alone: is a student's formula the same
  function as the correct one?  Verdict ``correct``, ``incorrect``, ``invalid`` (cannot
  be read: not graded) or ``undecided``, with the reason, how the answer was read and
  feedback codes.
* :func:`check` -- grade one student's answers to a problem (TOML) into a :class:`Report`.
* :func:`grade` -- a folder of answers files into a gradebook (CSV or JSON), in parallel.
* :func:`bank` -- the built-in problems from the course's seeds.

>>> from graphdiff.checker import compare, check
>>> compare("2*x + y + 2*(x + y)", "4x + 3y").verdict
'correct'
>>> report = check("seed004-ex1", {"df/dx": "2x + y"})
>>> print(report.part("dfdx").verdict.feedback[0].render())
your answer misses the path x → c → e → f (factor 2c)
>>> print(report.part("dfdx").verdict.feedback[0].render("ru"))
в вашем ответе не хватает пути x → c → e → f (множитель 2c)

Student text is never ``eval``-ed or ``sympify``-ed: it is read by
:func:`read_answer` into plain graphdiff text and parsed by :func:`graphdiff.parse` with
strict limits.  See docs/checker_teachers.md and docs/checker_students.md.
"""

from .answers import AnswerError, Reading, read_answer
from .batch import GradeSummary, grade
from .equivalence import Domain, Reference, Verdict, compare, judge
from .feedback import Diagnoser
from .messages import Message
from .problems import (
    Part,
    Problem,
    ProblemError,
    SelfTestResult,
    Tolerance,
    answers_for,
    bank,
    check,
    get_problem,
    load_answers,
    load_problem,
    load_problems,
    self_test,
)
from .report import PartResult, Report
from .syntax import student_text

__all__ = [
    "AnswerError",
    "Diagnoser",
    "Domain",
    "GradeSummary",
    "Message",
    "Part",
    "PartResult",
    "Problem",
    "ProblemError",
    "Reading",
    "Reference",
    "Report",
    "SelfTestResult",
    "Tolerance",
    "Verdict",
    "answers_for",
    "bank",
    "check",
    "compare",
    "get_problem",
    "grade",
    "judge",
    "load_answers",
    "load_problem",
    "load_problems",
    "read_answer",
    "self_test",
    "student_text",
]
