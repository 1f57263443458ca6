"""The interpreted engines at scale (issue 12): evaluation, reverse and forward gradients.

Run:  python benchmarks/engine_scale.py [--sizes 10000 100000 1000000] [--repeats 3]

For chains of sin/cos/tanh of each size (built with ``gd.trace``, outside the timing) it
prints the evaluation time, the reverse-mode gradient time (``gd.grad``) and the
forward-mode gradient time (``gd.grad(method="forward")``), each the median of
``--repeats`` runs, and the peak resident memory of the process; then the fitted growth
exponent of each column (time ~ nodes^k: k near 1 is linear).  Then, for the 1,000-variable
sum x²·sin x + x·x' (benchmarks/compile.py's ``big_sum``): evaluation, forward and reverse
gradient times, and the forward Jacobian; and the same sum for ``--inputs`` variables, with
the growth exponent of each time in the number of inputs (evaluation and reverse mode
should be linear; forward mode's vector tangents make it inputs × nodes, here quadratic).
Every size runs in a fresh process, so that its peak memory is its own.

Times are CPU seconds of the process (``time.process_time``), not wall time: the machine
is shared, and another process's load would count in wall time.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import graphdiff as gd

SIZES = (10_000, 100_000, 1_000_000)
SUM_VARIABLES = 1000


def median_time(fn: Callable[[], Any], repeats: int) -> float:
    """Median CPU time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def chain_graph(n: int) -> gd.Graph:
    """x, then n nodes sin, cos, tanh, sin, ... (benchmarks/compile.py's chain)."""
    functions = (gd.sin, gd.cos, gd.tanh)

    def chained(x: Any) -> Any:
        for i in range(n):
            x = functions[i % 3](x)
        return x

    return gd.trace(chained)


def sum_graph(n: int) -> gd.Graph:
    """Σᵢ xᵢ²·sin xᵢ + xᵢ·xᵢ₊₁ over n variables (benchmarks/compile.py's big_sum)."""

    def big_sum(*xs: Any) -> Any:
        total = None
        for i in range(n):
            x, nxt = xs[i], xs[(i + 1) % n]
            term = x**2 * gd.sin(x) + x * nxt
            total = term if total is None else total + term
        return total

    return gd.trace(big_sum, inputs=[f"x{i}" for i in range(n)])


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_chain(n: int, repeats: int) -> dict[str, float]:
    """One chain, measured in this process."""
    start = time.process_time()
    g = chain_graph(n)
    row: dict[str, float] = {"n": n, "build": time.process_time() - start}
    point = {"x": 0.3}
    row["evaluate"] = median_time(lambda: g.evaluate(point), repeats)
    row["reverse"] = median_time(lambda: gd.grad(g, at=point), repeats)
    row["forward"] = median_time(lambda: gd.grad(g, at=point, method="forward"), repeats)
    row["peak MB"] = peak_mb()
    return row


def measure_sum(n: int, repeats: int) -> dict[str, float]:
    """The n-variable sum, measured in this process; checks forward against reverse."""
    start = time.process_time()
    g = sum_graph(n)
    row: dict[str, float] = {"n": n, "nodes": len(g), "build": time.process_time() - start}
    point = {f"x{i}": 0.3 + 0.4 * i / max(n - 1, 1) for i in range(n)}
    row["evaluate"] = median_time(lambda: g.evaluate(point), repeats)
    row["reverse"] = median_time(lambda: gd.grad(g, at=point), repeats)
    row["forward"] = median_time(lambda: gd.grad(g, at=point, method="forward"), repeats)
    row["jacobian forward"] = median_time(lambda: gd.jacobian(g, point, method="forward"),
                                          repeats)
    forward = gd.grad(g, at=point, method="forward")
    reverse = gd.grad(g, at=point)
    row["max |forward - reverse|"] = max(abs(forward[k] - reverse[k]) for k in forward)
    row["peak MB"] = peak_mb()
    return row


def fresh(kind: str, n: int, repeats: int) -> dict[str, float]:
    """Run one measurement in a new Python process (its own peak memory)."""
    done = subprocess.run([sys.executable, __file__, "--one", kind, str(n),
                           "--repeats", str(repeats)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=int, default=list(SIZES),
                        help="chain lengths (default 10⁴ 10⁵ 10⁶)")
    parser.add_argument("--variables", type=int, default=SUM_VARIABLES,
                        help="variables of the sum (default 1000; 0 skips it)")
    parser.add_argument("--inputs", nargs="*", type=int, default=[250, 1000, 4000],
                        help="variables of the sums for the growth in inputs")
    parser.add_argument("--repeats", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        kind, n = options.one[0], int(options.one[1])
        measure = measure_chain if kind == "chain" else measure_sum
        print(json.dumps(measure(n, options.repeats)))
        return
    columns = ("build", "evaluate", "reverse", "forward", "peak MB")
    print("## chains of sin/cos/tanh (seconds, median of "
          f"{options.repeats}; peak resident MB; each size in a fresh process)")
    print(f"{'nodes':>10} " + " ".join(f"{c:>10}" for c in columns) + "  reverse/evaluate")
    rows = []
    for n in options.sizes:
        row = fresh("chain", n, options.repeats)
        rows.append(row)
        cells = " ".join(f"{row[c]:>10.4g}" for c in columns)
        print(f"{n:>10,} {cells}  {row['reverse'] / row['evaluate']:>8.2f}", flush=True)
    if len(rows) > 1:
        logs = np.log([row["n"] for row in rows])
        fitted = {c: np.polyfit(logs, np.log([row[c] for row in rows]), 1)[0]
                  for c in columns}
        print("growth exponent (~ nodes^k): "
              + ", ".join(f"{c} {k:.2f}" for c, k in fitted.items()))
    if options.variables:
        row = fresh("sum", options.variables, options.repeats)
        print(f"\n## the {options.variables:,}-variable sum x²·sin x + x·x' "
              f"({row['nodes']:,} nodes; seconds, median of {options.repeats})")
        for c in ("build", "evaluate", "reverse", "forward", "jacobian forward"):
            print(f"  {c:<18} {row[c]:>10.4g}")
        print(f"  peak MB            {row['peak MB']:>10.4g}")
        print(f"  max |forward - reverse| = {row['max |forward - reverse|']:.3g}")
    if len(options.inputs) > 1:
        sums = [fresh("sum", n, options.repeats) for n in options.inputs]
        columns = ("evaluate", "reverse", "forward", "peak MB")
        print("\n## the sum for more inputs (seconds, median of "
              f"{options.repeats}; peak resident MB)")
        print(f"{'inputs':>8} {'nodes':>8} " + " ".join(f"{c:>10}" for c in columns))
        for row in sums:
            print(f"{row['n']:>8,} {row['nodes']:>8,} "
                  + " ".join(f"{row[c]:>10.4g}" for c in columns))
        logs = np.log([row["n"] for row in sums])
        fitted = {c: np.polyfit(logs, np.log([max(row[c], 1e-6) for row in sums]), 1)[0]
                  for c in columns}
        print("growth exponent (~ inputs^k): "
              + ", ".join(f"{c} {k:.2f}" for c, k in fitted.items()))
    if math.isnan(sum(r["reverse"] for r in rows)):
        sys.exit(1)


if __name__ == "__main__":
    main()
