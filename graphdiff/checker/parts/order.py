"""The ``order`` kind: the order p of an error O(h^p), written ``2``, ``h^2`` or ``O(h²)``.

>>> from graphdiff.checker.problems import load_problem
>>> p = load_problem({"id": "demo", "title": "t", "parts": [
...     {"id": "p", "kind": "order", "answer": 2}]})
>>> [p.part("p").grade(a).verdict for a in ("O(h^2)", "h²", "2", "O(h)", "O(h^2")]
['correct', 'correct', 'correct', 'incorrect', 'invalid']
"""

from __future__ import annotations

import re

from ...notation import FROM_SUPERSCRIPT
from ..equivalence import Verdict
from ..messages import Message
from .base import Part, ProblemError, part_kind

#: A run of superscript digits, as in h² (read with the one superscript map, in notation).
_DIGIT_SUPERSCRIPTS = "".join(k for k, v in FROM_SUPERSCRIPT.items() if v.isdigit())
_SUPERSCRIPT_RUN = re.compile(f"[{_DIGIT_SUPERSCRIPTS}]+")
# LaTeX spacing and the calligraphic O are decoration around the order.
_DECORATION = re.compile(r"\\left|\\right|\\mathcal\{O\}|\\mathcal O|\\,|\$|\s|\{|\}")


@part_kind("order")
class OrderPart(Part):
    """The integer ``answer`` is the order; ``variable`` (default ``h``) is the step."""

    needs_answer = True

    def validate_kind(self) -> None:
        try:
            int(self.answer)
        except (TypeError, ValueError):
            raise ProblemError(f"{self.where}.answer: the order must be an integer") from None

    def grade_text(self, answer: str, *, proof: str, timeout: float) -> Verdict:
        got = self.read_order(answer)
        if got is None:
            return Verdict("invalid", Message("bad_order"), method="read")
        expected = int(self.answer)
        if got == expected:
            return Verdict("correct", Message("order_equal", {"order": expected}),
                           method="exact", read_as=str(got))
        return Verdict("incorrect", Message("order_differs", {"got": got}),
                       method="exact", read_as=str(got))

    def read_order(self, answer: str) -> int | None:
        """The order written in ``answer``, or None if it is not one."""
        text = answer.strip()
        text = _SUPERSCRIPT_RUN.sub(
            lambda m: "^" + "".join(FROM_SUPERSCRIPT[c] for c in m.group()), text)
        text = _DECORATION.sub("", text.replace("\\mathcal{O}", "O"))
        text = text.split("=")[-1]
        h = re.escape(self.variable)
        m = re.fullmatch(rf"(?:O\()?(?:{h}(?:(?:\^|\*\*)(\d+))?|(\d+))\)?", text)
        if not m or (text.startswith("O(") != text.endswith(")")):
            return None
        return int(m.group(1) or m.group(2) or 1)
