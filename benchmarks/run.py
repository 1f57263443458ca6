"""graphdiff benchmarks: big graphs, linear scaling, and ratios against sympy.

Run:  .venv/bin/python benchmarks/run.py            (about a minute on 2 cores)
      .venv/bin/python benchmarks/run.py --quick    (small sizes; what the tests run)

Prints, for an n-node graph (default 10⁵): build, evaluation and reverse-mode
gradient times and the gradient/evaluation ratio (goal ≤ 3); the size of graphdiff's
symbolic gradient graph against sympy's differentiated expression for the depth-d
family u_{k+1} = sin(u_k)·cos(u_k) + u_k/2; and a CasADi-style complexity check:
times at n and 10n, with the fitted exponent of t ∝ n^k (k ≈ 1 is linear).
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy

import graphdiff as gd


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs, and the last result."""
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def family(depth: int) -> gd.Graph:
    """u_{k+1} = sin(u_k)·cos(u_k) + u_k/2: 5 nodes per level, 3^depth paths."""

    def layer(u: Any) -> Any:
        for _ in range(depth):
            u = gd.sin(u) * gd.cos(u) + u / 2
        return u

    return gd.trace(layer)


def wide_and_deep(n_nodes: int) -> gd.Graph:
    """A mixed graph of about ``n_nodes`` nodes: 20 inputs, mixed ops, long chains."""
    n_inputs = 20

    def fn(*xs: Any) -> Any:
        acc = xs[0]
        steps = n_nodes // 6
        for k in range(steps):
            x = xs[k % n_inputs]
            acc = gd.tanh(acc * x + 0.1) + gd.sin(acc) * 0.5
        return acc

    return gd.trace(fn, inputs=[f"x{i}" for i in range(n_inputs)])


def bench_big(n_nodes: int) -> dict[str, float]:
    build, g = timed(lambda: wide_and_deep(n_nodes))
    point = {name: 0.1 * (k + 1) / 20 for k, name in enumerate(g.inputs)}
    evaluate, _ = timed(lambda: g.evaluate(point), repeat=3)
    gradient, _ = timed(lambda: gd.grad(g, at=point), repeat=3)
    return {"nodes": len(g), "build": build, "evaluate": evaluate, "gradient": gradient,
            "ratio": gradient / evaluate}


def bench_symbolic_sizes(depths: list[int], sympy_max_depth: int) -> list[dict[str, Any]]:
    rows = []
    for depth in depths:
        g = family(depth)
        graph_time, dg = timed(lambda g=g: gd.reverse_graph(g))
        ops, sympy_time = None, math.nan
        if depth <= sympy_max_depth:  # sympy's tree grows like 3^depth: it cannot go on
            u = sympy.Symbol("u")
            start = time.perf_counter()
            ops = sympy.count_ops(sympy.diff(g.to_sympy(), u))
            sympy_time = time.perf_counter() - start
        rows.append({"depth": depth, "graph_nodes": len(g), "gradient_graph_nodes": len(dg),
                     "gradient_graph_time": graph_time, "sympy_ops": ops,
                     "sympy_time": sympy_time})
    return rows


def bench_scaling(n: int) -> list[dict[str, float]]:
    rows = []
    for size in (n, 10 * n):
        g = wide_and_deep(size)
        point = {name: 0.05 for name in g.inputs}
        evaluate, _ = timed(lambda g=g, p=point: g.evaluate(p), repeat=2)
        gradient, _ = timed(lambda g=g, p=point: gd.grad(g, at=p), repeat=2)
        rows.append({"nodes": len(g), "evaluate": evaluate, "gradient": gradient})
    return rows


def bench_against_sympy(depth: int) -> dict[str, float]:
    """Time to a numeric gradient: graphdiff reverse mode vs sympy.diff + evalf."""
    g = family(depth)
    point = {"u": 0.3}
    ours, value = timed(lambda: gd.grad(g, at=point)["u"], repeat=3)
    u = sympy.Symbol("u")

    def with_sympy() -> float:
        return float(sympy.diff(g.to_sympy(), u).evalf(subs={u: 0.3}))

    theirs, reference = timed(with_sympy)
    assert abs(value - reference) <= 1e-9 * max(1.0, abs(reference))
    return {"depth": depth, "graphdiff": ours, "sympy": theirs, "ratio": theirs / ours}


def bench_against_differences(n_nodes: int) -> dict[str, float]:
    """The whole gradient: one reverse sweep vs central differences (graphdiff's numeric)."""
    g = wide_and_deep(n_nodes)
    point = {name: 0.1 * (k + 1) / 20 for k, name in enumerate(g.inputs)}
    reverse_time, exact = timed(lambda: gd.grad(g, at=point), repeat=3)
    numeric_time, numeric = timed(lambda: gd.numeric_diff(g, point))
    worst = max(abs(numeric.value[k] - exact[name]) for k, name in enumerate(g.inputs))
    return {"nodes": len(g), "inputs": len(g.inputs), "reverse": reverse_time,
            "numeric": numeric_time, "ratio": numeric_time / reverse_time, "worst": worst}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    parser.add_argument("--nodes", type=int, help="size of the big graph (default 10^5)")
    args = parser.parse_args()
    n = args.nodes or (2_000 if args.quick else 100_000)

    print(f"== a graph of about {n:,} nodes (20 inputs, tanh/sin/mul/add chains)")
    big = bench_big(n)
    print(f"nodes {big['nodes']:,}: build {big['build']:.3f} s, evaluate {big['evaluate']:.3f} s,"
          f" reverse gradient {big['gradient']:.3f} s, gradient/evaluation "
          f"{big['ratio']:.2f} (goal <= 3)")

    print("\n== symbolic gradient size: graphdiff's gradient graph vs sympy.diff, family "
          "u_{k+1} = sin(u_k)cos(u_k) + u_k/2")
    depths = [2, 4, 6, 8] if args.quick else [2, 4, 6, 8, 10, 20, 40]
    print(f"{'depth':>5} {'graph':>7} {'grad graph':>10} {'sympy ops':>12} "
          f"{'sympy s':>8} {'ratio':>10}")
    for row in bench_symbolic_sizes(depths, sympy_max_depth=10):
        ops = row["sympy_ops"]
        ratio = f"{ops / row['gradient_graph_nodes']:.1f}x" if ops else "-"
        print(f"{row['depth']:>5} {row['graph_nodes']:>7} {row['gradient_graph_nodes']:>10} "
              f"{ops if ops is not None else 'skipped':>12} {row['sympy_time']:>8.2f} "
              f"{ratio:>10}")

    print("\n== time to a numeric derivative: graphdiff reverse mode vs sympy.diff + evalf")
    for depth in ([4, 6] if args.quick else [4, 6, 8]):
        r = bench_against_sympy(depth)
        print(f"depth {r['depth']:>3}: graphdiff {r['graphdiff'] * 1e3:8.2f} ms, sympy "
              f"{r['sympy'] * 1e3:10.2f} ms, sympy/graphdiff {r['ratio']:8.1f}x")

    diffs = bench_against_differences(max(500, n // 10))
    print(f"\n== the whole gradient ({diffs['inputs']} inputs, {diffs['nodes']:,} nodes): reverse "
          f"mode {diffs['reverse'] * 1e3:.1f} ms, central differences "
          f"{diffs['numeric'] * 1e3:.1f} ms, differences/reverse {diffs['ratio']:.0f}x, "
          f"largest difference {diffs['worst']:.1e}")

    base = max(200, n // 10)
    print("\n== scaling (CasADi-style): times at n and 10n, fitted t ∝ n^k (k ≈ 1: linear)")
    small, large = bench_scaling(base)
    for key in ("evaluate", "gradient"):
        k = math.log(large[key] / small[key]) / math.log(large["nodes"] / small["nodes"])
        print(f"{key:>9}: {small['nodes']:,} nodes {small[key]:.4f} s, {large['nodes']:,} nodes "
              f"{large[key]:.4f} s -> k = {k:.2f}")
    np.seterr(all="ignore")


if __name__ == "__main__":
    main()
