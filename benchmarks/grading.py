"""Throughput of the exercise checker: single comparisons and a class of submissions.

Run:  .venv/bin/python benchmarks/grading.py                  (1,000 submissions, 1 and 2 workers)
      .venv/bin/python benchmarks/grading.py -n 5000 --jobs 1 2 4
      .venv/bin/python benchmarks/grading.py --jobs 2 --repeat 3  (best of 3: a busy machine)
      .venv/bin/python benchmarks/grading.py --quick          (200 submissions)

Prints the time per compare() (correct, incorrect and invalid answers, and a correct answer
with the symbolic proof forced), then grades a synthetic class -- seed 004 exercises 1-3,
12 parts per submission, ~3 % broken files and ~3 % hostile answers -- with each number of
worker processes, and prints submissions per second (each run with ``force``: everything
graded again, through the journal and the atomic write of the gradebook).  Re-grading the
same folder reuses every unchanged row; that run is timed too.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from graphdiff.checker import compare, grade
from graphdiff.checker.synthetic import PROBLEMS, make_class


def per_compare(repeat: int = 200) -> None:
    cases = [
        ("correct", "4*x + 3*y", "2x + y + 2(x + y)", "auto"),
        ("incorrect", "4*x + 3*y", "2x + y", "auto"),
        ("invalid", "4*x + 3*y", "2x +* y", "auto"),
        ("sigmoid form", "sigmoid(z)*(1 - sigmoid(z))", "e^{-z}/(1+e^{-z})^2", "auto"),
        ("proof forced", "tanh(x)", "2σ(2x) - 1", "always"),
    ]
    print("compare(), one answer (reference prepared once and cached):")
    for label, ref, answer, proof in cases:
        compare(ref, answer, proof=proof)  # warm: the reference's points are cached
        n = repeat if proof == "auto" else 5
        start = time.perf_counter()
        for _ in range(n):
            verdict = compare(ref, answer, proof=proof)
        ms = (time.perf_counter() - start) / n * 1000
        print(f"  {label:<14} {verdict.verdict:<10} {ms:7.2f} ms")


def _cpu_seconds() -> float:
    """CPU time of this process and of its reaped children (the workers): unlike the
    wall-clock time, hardly affected by other work on the machine."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def batch(n: int, jobs: list[int], repeat: int = 1) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        kinds = make_class(folder / "subs", n, seed=2024)
        print(f"\n{n} submissions written in {time.perf_counter() - start:.1f} s: "
              + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        print(f"problems: {', '.join(PROBLEMS)} (12 parts per submission); "
              f"{os.cpu_count()} CPUs")
        for j in jobs:
            book = folder / f"book{j}.csv"
            runs = []
            for _ in range(repeat):
                before = _cpu_seconds()
                summary = grade(",".join(PROBLEMS), folder / "subs", book, jobs=j,
                                progress=False, force=True)
                runs.append((summary, _cpu_seconds() - before))
            summary, cpu = min(runs, key=lambda run: run[0].elapsed)
            print(f"  --jobs {j}: {summary.elapsed:6.2f} s  {summary.throughput:7.1f} "
                  f"submissions/s, {cpu / n * 1000:5.1f} ms CPU per submission "
                  f"({summary.errors} file errors"
                  + (f"; best of {repeat}: " + ", ".join(f"{r.elapsed:.2f}" for r, _ in runs)
                     if repeat > 1 else "") + ")")
        summary = grade(",".join(PROBLEMS), folder / "subs", folder / f"book{jobs[-1]}.csv",
                        jobs=jobs[-1], progress=False)
        print(f"  re-run (unchanged): {summary.elapsed:6.2f} s, {summary.reused} rows reused, "
              f"{summary.graded} graded again (the broken files)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="submissions (default 1000)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1,
                        help="grade the class this many times per --jobs; print the best")
    parser.add_argument("--quick", action="store_true", help="200 submissions")
    parser.add_argument("--batch-only", action="store_true", help="skip the compare() timings")
    args = parser.parse_args()
    if not args.batch_only:
        per_compare(50 if args.quick else 200)
    batch(200 if args.quick else args.n, args.jobs, args.repeat)


if __name__ == "__main__":
    main()
