"""Building at scale (issue 12): tracing a chain, and its derivative graphs.

Run:  python benchmarks/build_scale.py [--quick] [--repeat N]

The workload is the chain ``x = gd.sin(x)*0.5 + x`` traced from Python (three nodes per
step: sin, mul, add), cut to ``n`` nodes.  For chains of 10⁴, 10⁵ and 10⁶ nodes it prints
the time of ``gd.trace`` and the process's peak memory; for 10⁴, 10⁵ and 5·10⁵ nodes the
time and peak memory of ``gd.reverse_graph`` and ``gd.forward_graph`` of the traced chain
(the trace itself is not timed there, but it is in the peak: the derivative graph holds
the primal graph).  Every measurement runs in a fresh subprocess, so the peak
(``resource.getrusage``'s ``ru_maxrss``) is that of one task alone, import included; with
``--repeat`` the time is the median of that many subprocesses.  Last comes the fitted
exponent ``k`` of ``t ∝ n^k`` per task, of the wall and of the CPU time (least squares on
log t against log n; 1 is linear).
Next to the wall time it prints the process's CPU time, which other work on a shared
machine disturbs less.

Goals: trace 10⁶ nodes < 5 s and < 1 GB; reverse_graph of 5·10⁵ nodes < 10 s and < 2 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _fit import growth_exponent

ROOT = Path(__file__).resolve().parent.parent

TRACE_SIZES = (10_000, 100_000, 1_000_000)
DERIVATIVE_SIZES = (10_000, 100_000, 500_000)
QUICK_TRACE_SIZES = (3_000, 10_000, 30_000)
QUICK_DERIVATIVE_SIZES = (3_000, 10_000, 30_000)


def chain_function(n: int) -> Any:
    """The traced function: ``(n - 1) // 3`` steps of ``x = sin(x)*0.5 + x``."""
    import graphdiff as gd

    steps = (n - 1) // 3

    def chain(x: Any) -> Any:
        for _ in range(steps):
            x = gd.sin(x) * 0.5 + x
        return x

    return chain


def child(task: str, n: int) -> dict[str, Any]:
    """One measurement, in this (fresh) process: seconds, peak MB, nodes built."""
    sys.path.insert(0, str(ROOT))
    import graphdiff as gd

    fn = chain_function(n)
    if task == "trace":
        start, cpu = time.perf_counter(), time.process_time()
        graph = gd.trace(fn)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        built = len(graph)
    else:
        graph = gd.trace(fn)
        make = gd.reverse_graph if task == "reverse_graph" else gd.forward_graph
        start, cpu = time.perf_counter(), time.process_time()
        derivative = make(graph) if task == "reverse_graph" else make(graph, wrt="x")
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        built = len(derivative)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_kb / 1024, "nodes": built}


def measure(task: str, n: int, repeat: int) -> dict[str, Any]:
    """Run ``child`` in ``repeat`` fresh interpreters; the median time, the largest peak."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--child", task, str(n)],
            check=True, capture_output=True, text=True, cwd=ROOT,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "cpu": statistics.median(r["cpu"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "nodes": runs[-1]["nodes"],
    }




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    parser.add_argument("--repeat", type=int, default=1, help="subprocesses per size")
    parser.add_argument("--only", choices=("trace", "reverse_graph", "forward_graph"),
                        action="append", help="run only these tasks")
    parser.add_argument("--child", nargs=2, metavar=("TASK", "N"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(options.child[0], int(options.child[1]))))
        return
    trace_sizes = QUICK_TRACE_SIZES if options.quick else TRACE_SIZES
    derivative_sizes = QUICK_DERIVATIVE_SIZES if options.quick else DERIVATIVE_SIZES
    tasks = [("trace", trace_sizes), ("reverse_graph", derivative_sizes),
             ("forward_graph", derivative_sizes)]
    chosen = options.only or [task for task, _ in tasks]
    print(f"{'task':<14} {'n':>9} {'nodes out':>10} {'seconds':>9} {'cpu s':>7} {'peak MB':>9}")
    fits = []
    for task, sizes in tasks:
        if task not in chosen:
            continue
        times, cpus = [], []
        for n in sizes:
            result = measure(task, n, options.repeat)
            times.append(result["seconds"])
            cpus.append(result["cpu"])
            print(f"{task:<14} {n:>9,} {result['nodes']:>10,} {result['seconds']:>9.2f} "
                  f"{result['cpu']:>7.2f} {result['peak_mb']:>9.0f}", flush=True)
        fits.append((task, growth_exponent(list(sizes), times),
                     growth_exponent(list(sizes), cpus)))
    for task, k, k_cpu in fits:
        print(f"{task:<14} time ∝ n^{k:.2f}   cpu ∝ n^{k_cpu:.2f}")


if __name__ == "__main__":
    main()
