"""The bounds on parser input: :class:`Limits`, checked before anything expensive runs."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Limits:
    """Bounds on parser input.  Defaults suit hand-written input.

    Raise them per call for large trusted programs:
    ``gd.parse(text, limits=gd.Limits(max_chars=10**7, max_nodes=10**6))``.
    The checker uses :meth:`strict`.

    Attributes
    ----------
    max_chars : int
        Length of the text (default 20,000 characters).
    max_depth : int
        Nesting depth of the expression (default 100).  A chain such as
        ``a + b + c + ...`` counts as one level, parentheses and calls add one.
    max_nodes : int
        Number of syntax-tree nodes (default 10,000).
    max_exponent : float
        Largest ``|exponent|`` of a power whose exponent is a constant
        (default 1,000): ``9**9**9**9`` is refused at once.
    max_constant_digits : int
        Largest number of decimal digits of a constant, literal or folded
        (default 1,000).
    max_lines : int
        Number of statements in a program (default 1,000).
    max_rank : int
        Number of axes of a declared shape (default 4).
    max_entries : int
        Number of entries of a declared shape (default 10⁶).
    """

    max_chars: int = 20_000
    max_depth: int = 100
    max_nodes: int = 10_000
    max_exponent: float = 1_000
    max_constant_digits: int = 1_000
    max_lines: int = 1_000
    max_rank: int = 4
    max_entries: int = 10**6

    @classmethod
    def strict(cls) -> Limits:
        """Tight limits for untrusted short answers (the homework checker).

        >>> Limits.strict().max_chars
        2000
        """
        return cls(max_chars=2_000, max_depth=40, max_nodes=1_000, max_exponent=100,
                   max_constant_digits=100, max_lines=50, max_entries=10**4)

    @classmethod
    def unlimited_size(cls, n: int = 10**7) -> Limits:
        """Limits for large trusted, generated programs (``n`` characters and nodes)."""
        return replace(cls(), max_chars=n, max_nodes=n, max_lines=n, max_depth=n)


DEFAULT_LIMITS = Limits()
