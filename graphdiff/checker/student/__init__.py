"""Reading answers as students write them: the vocabulary, the lexer and the parser.

The public entry is :func:`graphdiff.checker.read_answer` (in
:mod:`graphdiff.checker.answers`); these modules are its parts:

* :mod:`.vocabulary` -- the words students write, read from the op registry (every op's
  name and ``words``), and the fixed tables of LaTeX, Greek and Unicode syntax;
* :mod:`.lexer` -- text to tokens, with the reader's limits and :class:`AnswerError`;
* :mod:`.parser` -- tokens to a small syntax tree and back to plain graphdiff text;
* :mod:`.reader` -- the vocabulary of one reading (names, splitting ``xy``), its warnings,
  and the check of constant parts.
"""
