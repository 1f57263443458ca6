"""How parsing scales: time and peak memory of ``gd.parse`` on long programs and long sums.

Run:  .venv/bin/python benchmarks/parse_scale.py              (about two minutes on 2 cores)
      .venv/bin/python benchmarks/parse_scale.py --quick      (10³ and 10⁴ only: seconds)
      .venv/bin/python benchmarks/parse_scale.py --sizes 1000 100000 --repeats 5

Cases, each at 10³, 10⁴ and 10⁵ lines or terms:

* ``program``: ``a1 = sin(a0)*0.5 + a0``, ``a2 = sin(a1)*0.5 + a1``, ... (one input, a chain);
* ``inputs``: ``s1 = x0 + x1``, ``s2 = s1 + x2``, ... (one new input a line);
* ``sum``: ``x0 + x1 + ... + x(n-1)`` on one line (beyond Python's parser from ~10⁴ terms);
* ``ast-program``, ``ast-sum``: ``ast.parse`` alone of the same texts, the anchor.

Every measurement runs in a fresh Python process, so that its peak resident memory
(``ru_maxrss``) is its own; the table shows the median time of ``--repeats`` processes,
the peak RSS and the peak above the process's RSS before parsing (imports and the text),
and, per case, the fitted exponent k of t ∝ n^k (k ≈ 1 is linear).  The machine is shared:
compare runs made at the same time, not with numbers from another day.
"""

from __future__ import annotations

import argparse
import ast
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _fit import growth_exponent

CASES = ("program", "inputs", "sum", "ast-program", "ast-sum")


def text_of(case: str, n: int) -> str:
    """The text of ``case`` with ``n`` lines (programs) or terms (sums)."""
    if case.endswith("program"):
        return "".join(f"a{i} = sin(a{i - 1})*0.5 + a{i - 1}\n" for i in range(1, n + 1))
    if case == "inputs":
        return "s1 = x0 + x1\n" + "".join(f"s{i} = s{i - 1} + x{i}\n" for i in range(2, n))
    return " + ".join(f"x{i}" for i in range(n))


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_here(case: str, n: int) -> dict[str, object]:
    """Parse once in this process: seconds, peak RSS and the RSS before parsing."""
    import graphdiff as gd  # imported before the baseline is read: not counted as parsing

    text = text_of(case, n)
    before = rss_mb()
    start = time.perf_counter()
    outcome = "ok"
    try:
        if case.startswith("ast-"):
            ast.parse(text)
        else:
            graph = gd.parse(text, limits=gd.Limits.unlimited_size())
            outcome = f"{len(graph.order)} nodes"
    except RecursionError:
        outcome = "RecursionError"
    except gd.GraphdiffError as err:
        outcome = f"{type(err).__name__}: {err.code}"
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": rss_mb(), "before_mb": before, "outcome": outcome}


def measure(case: str, n: int) -> dict[str, object]:
    """:func:`measure_here` in a fresh process."""
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--one", case,
                           str(n)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 10³ and 10⁴ only")
    parser.add_argument("--sizes", type=int, nargs="+", help="default 10³ 10⁴ 10⁵")
    parser.add_argument("--repeats", type=int, default=3, help="processes per size")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--one", nargs=2, metavar=("CASE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_here(args.one[0], int(args.one[1]))))
        return
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])
    print(f"{'case':12} {'n':>7} {'time s':>8} {'peak MB':>8} {'+MB':>7}  outcome")
    for case in args.cases:
        medians, refused = [], False
        for n in sizes:
            runs = [measure(case, n) for _ in range(args.repeats)]
            seconds = statistics.median(float(r["seconds"]) for r in runs)  # type: ignore[arg-type]
            peak = max(float(r["peak_mb"]) for r in runs)  # type: ignore[arg-type]
            grown = max(float(r["peak_mb"]) - float(r["before_mb"]) for r in runs)  # type: ignore[arg-type]
            medians.append(seconds)
            refused = refused or not str(runs[-1]["outcome"]).endswith(("ok", "nodes"))
            print(f"{case:12} {n:>7} {seconds:>8.3f} {peak:>8.0f} {grown:>7.0f}  "
                  f"{runs[-1]['outcome']}", flush=True)
        if len(sizes) > 1 and not refused:
            print(f"{case:12} growth exponent k = {growth_exponent(sizes, medians):.2f}")
        elif len(sizes) > 1:
            print(f"{case:12} growth exponent: none (refused at some size)")


if __name__ == "__main__":
    main()
