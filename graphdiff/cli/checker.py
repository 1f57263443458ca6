"""The checker's commands: ``check``, ``grade`` and ``problems list|show|test``.

:func:`add_checker_parsers` adds them to the ``graphdiff`` command's subparsers; each sets
``func`` to a function of the parsed arguments that returns the exit status:

* ``graphdiff check PROBLEM ANSWERS``: 0 if every part is correct, 1 otherwise;
* ``graphdiff grade PROBLEMS SUBMISSIONS_DIR -o gradebook.csv [--jobs N]``: 0 when the
  gradebook is written (bad submission files get error rows, not a failure);
* ``graphdiff problems list``, ``problems show ID``, ``problems test FILE``: 0, or 1 when a
  self-test fails.

Errors in the problem or answers file raise :class:`~graphdiff.GraphdiffError`, which the
``graphdiff`` command prints as a message with exit status 2.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="graphdiff")
>>> add_checker_parsers(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["problems", "list"])
>>> args.func(args)  # doctest: +ELLIPSIS
seed000-central     Finite differences: error orders
...
0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from ..checker.batch import grade
from ..checker.problems import bank, check, get_problem, load_problems, self_test
from ..errors import GraphdiffError


def add_checker_parsers(subparsers: Any) -> None:
    """Add ``check``, ``grade`` and ``problems`` to an argparse subparsers object.

    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> add_checker_parsers(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["grade", "bank", "answers", "-o", "book.csv", "-j", "4"])
    >>> args.func is cmd_grade, args.jobs, args.lang, args.per_submission
    (True, 4, 'en', 60.0)
    """
    check_p = subparsers.add_parser(
        "check", help="check one student's answers to a problem",
        description="Check the answers in ANSWERS (TOML: part = \"answer\") to PROBLEM (a "
        "problem file or a bank id such as seed004-ex1). Exit status 0 if every part is "
        "correct, 1 otherwise, 2 for a bad problem or answers file.")
    check_p.add_argument("problem", help="problem file (.toml) or bank id")
    check_p.add_argument("answers", help="answers file (.toml)")
    _common(check_p)
    check_p.add_argument("--format", choices=["text", "json"], default="text")
    check_p.add_argument("--figures", metavar="DIR",
                         help="write the graph with the paths and edges the feedback names "
                         "highlighted, one SVG per part, into DIR (needs Graphviz)")
    check_p.set_defaults(func=cmd_check)

    grade_p = subparsers.add_parser(
        "grade", help="grade a folder of answers files into a gradebook",
        description="Grade every *.toml answers file in SUBMISSIONS_DIR against PROBLEMS "
        "(a problem file, a folder of problem files, or bank ids) into a CSV or JSON "
        "gradebook. Unchanged submissions already in the gradebook are skipped; every "
        "other entry of the folder is listed with the reason it is skipped. The gradebook "
        "is replaced only when complete; an interrupted run resumes from its journal "
        "(GRADEBOOK.journal) when run again.")
    grade_p.add_argument("problems", help="problem file, folder, or bank id(s) "
                         "(comma-separated; 'bank' for all)")
    grade_p.add_argument("submissions", help="folder of answers files, one per student")
    grade_p.add_argument("-o", "--output", required=True,
                         help="gradebook file (.csv or .json)")
    grade_p.add_argument("--jobs", "-j", type=int, default=1, help="worker processes")
    grade_p.add_argument("--format", choices=["csv", "json", "gradescope", "prairielearn",
                                              "moodle", "canvas"],
                         help="gradebook format (default: from the suffix of --output); "
                         "gradescope and prairielearn write the platform's results.json "
                         "for the one submission in the folder, moodle and canvas a CSV "
                         "to import into their gradebooks")
    grade_p.add_argument("--force", action="store_true",
                         help="grade everything again, even unchanged submissions")
    grade_p.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade_p.add_argument("--per-submission", type=float, default=60.0,
                         help="seconds allowed to one submission (default 60; a worker "
                         "still busy 2 s later is killed)")
    _common(grade_p)
    grade_p.set_defaults(func=cmd_grade)

    problems_p = subparsers.add_parser("problems", help="the problem bank: list, show, test")
    sub = problems_p.add_subparsers(dest="problems_command", metavar="ACTION")
    list_p = sub.add_parser("list", help="list the built-in problems")
    list_p.add_argument("--lang", choices=["en", "ru"], default="en")
    list_p.set_defaults(func=cmd_problems_list)
    show_p = sub.add_parser("show", help="show a problem with its parts and answers")
    show_p.add_argument("problem", help="bank id or problem file")
    show_p.add_argument("--lang", choices=["en", "ru"], default="en")
    show_p.set_defaults(func=cmd_problems_show)
    test_p = sub.add_parser(
        "test", help="self-test problems: reference answers accepted, mistakes rejected")
    test_p.add_argument("problems", nargs="+", help="problem files, folders or bank ids "
                        "('bank' for the whole bank)")
    test_p.add_argument("--lang", choices=["en", "ru"], default="en")
    test_p.add_argument("--verbose", "-v", action="store_true", help="list every check")
    test_p.set_defaults(func=cmd_problems_test)
    problems_p.set_defaults(func=lambda args: _help(problems_p))


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=["en", "ru"], default="en",
                        help="language of the report")
    parser.add_argument("--proof", choices=["auto", "always", "never"],
                        help="when to run the symbolic proof (default: the problem's, auto)")
    parser.add_argument("--timeout", type=float,
                        help="seconds allowed to one symbolic proof (default 1)")


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """``graphdiff check``: print the report; 0 if every part is correct, 1 otherwise.

    >>> import contextlib, io, tempfile
    >>> from pathlib import Path
    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> add_checker_parsers(parser.add_subparsers(dest="command"))
    >>> out = io.StringIO()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     answers = Path(tmp) / "ann.toml"
    ...     _ = answers.write_text('dfdx = "4x + 3y"')
    ...     args = parser.parse_args(["check", "seed004-ex1", str(answers)])
    ...     with contextlib.redirect_stdout(out):
    ...         status = cmd_check(args)
    >>> status
    1
    >>> print(out.getvalue().splitlines()[2])
    part dfdx (df/dx): CORRECT  [points: 2/2]
    """
    report = check(args.problem, args.answers, proof=args.proof, timeout=args.timeout)
    if args.figures:
        _write_figures(args, report)
    if args.format == "json":
        print(json.dumps(report.to_dict(args.lang), indent=2, ensure_ascii=False))
    else:
        print(report.text(args.lang))
    return report.exit_code


def _write_figures(args: argparse.Namespace, report: Any) -> None:
    from pathlib import Path

    from ..checker.feedback import feedback_figure
    from ..show import to_file

    problem = get_problem(args.problem)
    folder = Path(args.figures)
    folder.mkdir(parents=True, exist_ok=True)
    for result in report.parts:
        figure = feedback_figure(problem, result.part, result.verdict, lang=args.lang)
        if figure is not None:
            path = to_file(figure, folder / f"{problem.id}-{result.part}.svg")
            print(f"figure: {path}", file=sys.stderr)


def cmd_grade(args: argparse.Namespace) -> int:
    """``graphdiff grade``: write the gradebook and print a summary; 0 when written.

    >>> import contextlib, io, tempfile
    >>> from pathlib import Path
    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> add_checker_parsers(parser.add_subparsers(dest="command"))
    >>> out = io.StringIO()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "ann.toml").write_text('dfdx = "4x + 3y"')
    ...     book = str(Path(tmp) / "book.csv")
    ...     args = parser.parse_args(["grade", "seed004-ex1", tmp, "-o", book, "--no-progress"])
    ...     with contextlib.redirect_stdout(out):
    ...         status = cmd_grade(args)
    >>> status
    0
    >>> print(out.getvalue())  # doctest: +ELLIPSIS
    graded 1, reused 0, file errors 0, total 1; ... -> .../book.csv
    """
    if args.jobs < 1:
        raise GraphdiffError("--jobs must be at least 1")
    try:
        summary = grade(args.problems, args.submissions, args.output, jobs=args.jobs,
                        fmt=args.format, lang=args.lang,
                        progress=False if args.no_progress else None, force=args.force,
                        proof=args.proof, timeout=args.timeout,
                        per_submission=args.per_submission)
    except OSError as err:
        raise GraphdiffError(f"cannot write the gradebook {args.output}: "
                             f"{err.strerror or err}") from None
    except KeyboardInterrupt:
        # The gradebook is untouched; what was graded is in the journal.
        print(f"\ninterrupted: {args.output} is unchanged; run the same command again to "
              f"resume from {args.output}.journal", file=sys.stderr)
        return 130
    print(summary.text(args.lang))
    return 0


def cmd_problems_list(args: argparse.Namespace) -> int:
    """``graphdiff problems list``: the bank's ids and titles.

    >>> import contextlib, io
    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> add_checker_parsers(parser.add_subparsers(dest="command"))
    >>> out = io.StringIO()
    >>> with contextlib.redirect_stdout(out):
    ...     status = cmd_problems_list(parser.parse_args(["problems", "list", "--lang", "ru"]))
    >>> status, "seed004-ex3         Производная сигмоиды" in out.getvalue().splitlines()
    (0, True)
    """
    for pid, problem in bank().items():
        print(f"{pid:<19} {problem.title_text(args.lang)}")
    return 0


def cmd_problems_show(args: argparse.Namespace) -> int:
    """``graphdiff problems show ID``: the problem with its parts and answers.

    >>> import contextlib, io
    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> add_checker_parsers(parser.add_subparsers(dest="command"))
    >>> out = io.StringIO()
    >>> with contextlib.redirect_stdout(out):
    ...     status = cmd_problems_show(parser.parse_args(["problems", "show", "seed004-ex1"]))
    >>> status, [line for line in out.getvalue().splitlines() if line.startswith("[dfdx]")]
    (0, ['[dfdx] df/dx (derivative, 2 pt)'])
    """
    print(get_problem(args.problem).describe(args.lang))
    return 0


def cmd_problems_test(args: argparse.Namespace) -> int:
    """``graphdiff problems test``: self-test problems; 0 if all pass, 1 otherwise.

    >>> import contextlib, io, tempfile
    >>> from pathlib import Path
    >>> parser = argparse.ArgumentParser(prog="graphdiff")
    >>> add_checker_parsers(parser.add_subparsers(dest="command"))
    >>> out = io.StringIO()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     problem = Path(tmp) / "demo.toml"
    ...     _ = problem.write_text('id = "demo"\\ntitle = "A product"\\nfunction = "x*y"\\n'
    ...                            '[[parts]]\\nid = "dx"\\nwrt = "x"\\nmistakes = ["x"]\\n')
    ...     with contextlib.redirect_stdout(out):
    ...         status = cmd_problems_test(parser.parse_args(["problems", "test", str(problem)]))
    >>> status, out.getvalue()
    (0, 'demo: 2 checks, ok\\n')
    """
    problems = []
    for spec in args.problems:
        problems.extend([bank()[spec]] if spec in bank() else load_problems(spec))
    failures = 0
    for problem in problems:
        results = self_test(problem)
        bad = [r for r in results if not r.ok]
        failures += len(bad)
        status = "ok" if not bad else f"{len(bad)} FAILED"
        print(f"{problem.id}: {len(results)} checks, {status}")
        for r in results if args.verbose else bad:
            print("  " + r.describe(args.lang))
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    """The checker's commands on their own (``python -m graphdiff.cli.checker``).

    >>> import contextlib, io
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     status = main(["check", "no-such-problem", "answers.toml"])
    >>> status, err.getvalue().startswith("graphdiff: error: cannot read problem no-such-")
    (2, True)
    >>> out = io.StringIO()
    >>> with contextlib.redirect_stdout(out):
    ...     status = main(["problems", "list"])
    >>> status, out.getvalue().split()[:2]
    (0, ['seed000-central', 'Finite'])
    """
    parser = argparse.ArgumentParser(prog="graphdiff")
    add_checker_parsers(parser.add_subparsers(dest="command", metavar="COMMAND"))
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except GraphdiffError as err:
        print(f"graphdiff: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
