"""Compiled evaluation against the anchors: issue 12's four workloads, side by side.

Run:  python benchmarks/compile.py [--quick]

For each workload it prints the single-point gradient time (µs per call, median of
repeats) of graphdiff interpreted (reverse mode; reverse_graph then evaluate), graphdiff
compiled (the math code through ``f(**point)``, ``f(array)`` and ``f.function()`` -- the generated
function, public, floats in and a flat tuple out, as the anchors' generated functions -- the
numpy code at one point), and of the anchors that are installed (``pip install
graphdiff[bench]``: sympy lambdify, symengine Lambdify with LLVM, JAX jit, autograd; each
is skipped with the reason when it cannot run), then the ratio graphdiff compiled ÷ the
best anchor; the gradient on a batch of 10⁴ points (the native code's SIMD batch, and its
scalar loop for comparison, ``LLVM_SIMD = "off"``); the setup time (build, differentiate,
compile, first call), and the first batch after it (graphdiff compiles its SIMD batch code
then, JAX its vmap).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import graphdiff as gd

BATCH = 10_000


# --- the workloads, written once over a namespace of functions (m.sin, m.cos, m.tanh) ------


def quadratic(m: Any, xs: list[Any]) -> Any:
    x, y = xs
    return x**2 + x * y + (x + y) ** 2


def chain(m: Any, xs: list[Any], n: int = 1000) -> Any:
    h = xs[0]
    functions = (m.sin, m.cos, m.tanh)
    for i in range(n):
        h = functions[i % 3](h)
    return h


def big_sum(m: Any, xs: list[Any]) -> Any:
    n = len(xs)
    total = None
    for i in range(n):
        x, nxt = xs[i], xs[(i + 1) % n]
        term = x**2 * m.sin(x) + x * nxt
        total = term if total is None else total + term
    return total


def dag(m: Any, xs: list[Any], levels: int = 40) -> Any:
    h = xs[0]
    for _ in range(levels):
        h = m.sin(h) + h * m.cos(h)
    return h


WORKLOADS: dict[str, tuple[Callable[..., Any], int]] = {
    "x**2 + x*y + (x+y)**2": (quadratic, 2),
    "chain of 1,000 sin/cos/tanh": (chain, 1),
    "1,000-variable sum x²·sin x + x·x'": (big_sum, 1000),
    "shared DAG, 40 levels (3⁴⁰ paths)": (dag, 1),
}


def point_of(n: int) -> list[float]:
    return [0.3 + 0.4 * i / max(n - 1, 1) for i in range(n)]


# --- timing -------------------------------------------------------------------------------


def per_call(fn: Callable[[], Any], budget: float = 0.15, repeats: int = 5) -> float:
    """Median µs per call of ``fn`` over ``repeats`` runs of about ``budget`` seconds."""
    fn()
    number, elapsed = 1, 0.0
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= budget / repeats or number >= 1 << 20:
            break
        number *= 2 if elapsed < budget / repeats / 4 else 1
        if elapsed >= budget / repeats / 4:
            number = max(number, int(number * budget / repeats / max(elapsed, 1e-9)))
    times = [elapsed / number]
    for _ in range(repeats - 1):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times) * 1e6


def interleaved(functions: dict[str, Callable[[], Any]], budget: float = 0.2,
                rounds: int = 5) -> dict[str, float]:
    """Median seconds per call of each function, timed in turns (round after round, each
    function in each round): what slows the machine for a while (another process, memory
    traffic) slows all of them, and their ratios hold where times measured one after the
    other did not (the 10⁶ chain's native gradient/value: 1.75 in one run, 3.86 in the next,
    once a test run started meanwhile)."""
    numbers = {}
    for name, fn in functions.items():
        start = time.perf_counter()
        fn()
        once = max(time.perf_counter() - start, 1e-9)
        numbers[name] = max(1, int(budget / rounds / once))
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, fn in functions.items():
            start = time.perf_counter()
            for _ in range(numbers[name]):
                fn()
            times[name].append((time.perf_counter() - start) / numbers[name])
    return {name: statistics.median(taken) for name, taken in times.items()}


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


# --- graphdiff ------------------------------------------------------------------------------


class _GD:
    sin, cos, tanh = gd.sin, gd.cos, gd.tanh


def graphdiff_rows(workload: Callable[..., Any], n: int, quick: bool) -> dict[str, Any]:
    names = [f"x{i}" for i in range(n)]
    point = dict(zip(names, point_of(n), strict=True))
    values = list(point.values())
    start = time.perf_counter()
    g = gd.trace(lambda *xs: workload(_GD, list(xs)), inputs=names)
    built = time.perf_counter()
    f = gd.compile(g, grad=True)
    first = f(**point)
    setup = time.perf_counter() - start
    expected = gd.grad(g, at=point)
    assert all(math.isclose(first[1][k], expected[k], rel_tol=1e-9, abs_tol=1e-12)
               for k in names), "compiled gradient differs from the interpreted one"
    rows: dict[str, Any] = {"setup": setup, "nodes": len(g), "lines": len(f.program),
                            "compile": setup - (built - start)}
    rows["interpreted reverse"] = per_call(lambda: gd.grad(g, at=point),
                                           budget=0.3 if quick else 1.0, repeats=3)
    dg = gd.reverse_graph(g)
    rows["interpreted reverse_graph"] = per_call(lambda: dg.evaluate(point),
                                                 budget=0.3 if quick else 1.0, repeats=3)
    array = np.array(values)
    raw = f.function("math")
    rows["compiled math f(**point)"] = per_call(lambda: f(**point))
    rows["compiled math f(array)"] = per_call(lambda: f(array))
    rows["compiled math f.function()"] = per_call(lambda: raw(*values))
    value_fn = gd.compile(g).function("math")
    rows["math value only, raw"] = per_call(lambda: value_fn(*values))
    numpy_fn = f.function("numpy")
    arrays = [np.float64(v) for v in values]
    rows["compiled numpy, one point"] = per_call(lambda: numpy_fn(*arrays))
    batch = np.random.default_rng(0).uniform(0.2, 0.8, size=(BATCH, n))
    columns = [np.ascontiguousarray(batch[:, j]) for j in range(n)]
    rows["batch compiled numpy"] = per_call(lambda: f(batch), budget=0.5, repeats=3)
    rows["batch compiled numpy, raw"] = per_call(lambda: numpy_fn(*columns), budget=0.5,
                                                 repeats=3)
    try:
        if n > NATIVE_UP_TO:
            raise gd.GraphdiffError("not compiled to native code at this size")
        start = time.perf_counter()
        native = gd.compile(g, grad=True, backend="llvm")
        native(array)
        rows["setup llvm"] = time.perf_counter() - start + rows["setup"] - rows["compile"]
    except gd.GraphdiffError as err:
        rows["llvm"] = str(err)
        return rows
    one = native.function("llvm array")
    value_only = gd.compile(g, backend="llvm").function("llvm array")
    rows["llvm value only, raw"] = per_call(lambda: value_only(array))
    rows["compiled llvm f(**point)"] = per_call(lambda: native(**point))
    rows["compiled llvm f(array)"] = per_call(lambda: native(array))
    rows["compiled llvm, raw (array in, array out)"] = per_call(lambda: one(array))
    native_floats = native.function("llvm")
    rows["compiled llvm f.function()"] = per_call(lambda: native_floats(*values))
    # The first batch compiles the SIMD batch code (on first use: single points need not).
    rows["first batch llvm"] = timed(lambda: native(batch))[1]
    rows["batch compiled llvm"] = per_call(lambda: native(batch), budget=0.5, repeats=3)
    code = sys.modules["graphdiff.native"]
    import llvmlite.binding as llvm
    width = code._host_simd(llvm)[0]  # noqa: SLF001 - what the batch ran
    rows["simd"] = f"SIMD, {width} rows per step" if width else "scalar loop"
    saved, code.LLVM_SIMD = code.LLVM_SIMD, "off"
    try:  # the scalar loop, for comparison (a new graph: compile caches per graph)
        scalar = gd.compile(gd.trace(lambda *xs: workload(_GD, list(xs)), inputs=names),
                            grad=True, backend="llvm")
        rows["batch compiled llvm, scalar loop"] = per_call(lambda: scalar(batch), budget=0.5,
                                                            repeats=3)
    finally:
        code.LLVM_SIMD = saved
    return rows


# --- anchors ------------------------------------------------------------------------------


def sympy_anchor(workload: Callable[..., Any], n: int, name: str) -> dict[str, Any] | str:
    if "chain" in name or "DAG" in name:
        return "its derivative is too large to build (expression swell)"
    import sympy

    start = time.perf_counter()
    xs = list(sympy.symbols(f"x0:{n}"))
    expr = workload(sympy, xs)
    grad = [expr.diff(x) for x in xs]
    fn = sympy.lambdify(xs, [expr, grad], "math", cse=True)
    values = point_of(n)
    fn(*values)
    setup = time.perf_counter() - start
    batch_fn = sympy.lambdify(xs, [expr, grad], "numpy", cse=True)
    columns = list(np.random.default_rng(0).uniform(0.2, 0.8, size=(n, BATCH)))
    return {"point": per_call(lambda: fn(*values)),
            "batch": per_call(lambda: batch_fn(*columns), budget=0.5, repeats=3),
            "setup": setup}


def symengine_anchor(workload: Callable[..., Any], n: int, name: str) -> dict[str, Any] | str:
    try:
        import symengine as se
    except ImportError:
        return "not installed (pip install symengine)"
    start = time.perf_counter()
    xs = list(se.symbols(" ".join(f"x{i}" for i in range(n)))) if n > 1 else [se.Symbol("x0")]
    expr = workload(se, xs)
    grad = [expr.diff(x) for x in xs]
    try:
        fn = se.Lambdify(xs, [expr, *grad], backend="llvm", cse=True)
        backend = "llvm"
    except (TypeError, ValueError, RuntimeError):
        fn = se.Lambdify(xs, [expr, *grad], cse=True)
        backend = "lambda"
    values = np.array(point_of(n))
    fn(values)
    setup = time.perf_counter() - start
    batch = np.random.default_rng(0).uniform(0.2, 0.8, size=(BATCH, n))
    first_batch = timed(lambda: fn(batch))[1]
    return {"point": per_call(lambda: fn(values)),
            "batch": per_call(lambda: fn(batch), budget=0.5, repeats=3), "setup": setup,
            "first batch": first_batch, "note": backend}


def jax_anchor(workload: Callable[..., Any], n: int, name: str) -> dict[str, Any] | str:
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return "not installed (pip install jax)"
    jax.config.update("jax_enable_x64", True)

    def f(v: Any) -> Any:
        return workload(jnp, [v[i] for i in range(n)])

    start = time.perf_counter()
    fn = jax.jit(jax.value_and_grad(f))
    values = jnp.array(point_of(n))
    jax.block_until_ready(fn(values))
    setup = time.perf_counter() - start
    start = time.perf_counter()
    batched = jax.jit(jax.vmap(jax.value_and_grad(f)))
    batch = jnp.array(np.random.default_rng(0).uniform(0.2, 0.8, size=(BATCH, n)))
    jax.block_until_ready(batched(batch))
    first_batch = time.perf_counter() - start
    return {"point": per_call(lambda: jax.block_until_ready(fn(values))),
            "batch": per_call(lambda: jax.block_until_ready(batched(batch)), budget=0.5,
                              repeats=3), "setup": setup, "first batch": first_batch}


def autograd_anchor(workload: Callable[..., Any], n: int, name: str) -> dict[str, Any] | str:
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        return "not installed (pip install autograd)"

    def f(v: Any) -> Any:
        return workload(anp, [v[i] for i in range(n)])

    start = time.perf_counter()
    fn = autograd.value_and_grad(f)
    values = np.array(point_of(n))
    fn(values)
    setup = time.perf_counter() - start
    return {"point": per_call(lambda: fn(values), budget=0.3, repeats=3), "setup": setup}


ANCHORS = {"sympy lambdify": sympy_anchor, "symengine": symengine_anchor, "JAX jit": jax_anchor,
           "autograd": autograd_anchor}


# --- scaling: chains of 10³ ... nodes --------------------------------------------------------


#: Longest chain the scaling table compiles to native code too (LLVM takes some 4 s per
#: 10⁵ nodes of the gradient program, unoptimized: 3-4 minutes at 10⁶).
NATIVE_UP_TO = 1_000_000


def scale_one(n: int) -> dict[str, float]:
    """One chain of ``n`` sin/cos/tanh, measured in this process (run in a fresh one)."""
    import resource

    def chained(x: Any) -> Any:
        return chain(_GD, [x], n)

    row: dict[str, float] = {"n": n}
    start = time.perf_counter()
    g = gd.trace(chained)
    row["build"] = time.perf_counter() - start
    start = time.perf_counter()
    value_code = gd.compile(g)
    value_code(x=0.3)
    gradient_code = gd.compile(g, grad=True)
    gradient_code(x=0.3)
    row["compile"] = time.perf_counter() - start
    calls = {"value": lambda: value_code(x=0.3), "gradient": lambda: gradient_code(x=0.3)}
    try:
        if n > NATIVE_UP_TO:
            raise gd.GraphdiffError("not compiled to native code at this size")
        start = time.perf_counter()
        native = gd.compile(g, grad=True, backend="llvm")
        native(x=0.3)
        row["compile llvm"] = time.perf_counter() - start
        native_value = gd.compile(g, backend="llvm")
        calls.update({"gradient llvm": lambda: native(x=0.3),
                      "value llvm": lambda: native_value(x=0.3)})
    except gd.GraphdiffError:  # (no llvmlite)
        pass
    row.update(interleaved(calls))
    row["peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def scaling(sizes: list[int]) -> None:
    """The scaling table: each chain in a fresh process (its own peak memory), then the
    growth exponent of each column, fitted on log-log axes."""
    import json
    import subprocess

    rows = []
    for n in sizes:
        done = subprocess.run([sys.executable, __file__, "--scale-one", str(n)],
                              capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print("\n## scaling: chains of sin/cos/tanh (seconds; peak resident MB)")
    columns = list(dict.fromkeys(c for row in rows for c in row if c != "n"))
    print(f"{'nodes':>9} " + " ".join(f"{c:>13}" for c in columns)
          + "  grad/value math, llvm")
    for row in rows:
        cells = " ".join(f"{row.get(c, math.nan):>13.4g}" for c in columns)
        native = row.get("gradient llvm", math.nan) / row.get("value llvm", math.nan)
        print(f"{row['n']:>9,} {cells}  {row['gradient'] / row['value']:>6.2f} {native:>6.2f}")
    if len(rows) > 1:
        logs = np.log([row["n"] for row in rows])
        fitted = {c: np.polyfit(logs, np.log([row[c] for row in rows]), 1)[0]
                  for c in columns if c != "peak MB" and all(c in row for row in rows)}
        print("growth exponent (time ~ nodes^k): " +
              ", ".join(f"{c} {k:.2f}" for c, k in fitted.items()))


# --- the report -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter timings")
    parser.add_argument("--only", help="run the workloads whose name contains this text")
    parser.add_argument("--scaling", nargs="*", type=int, metavar="N",
                        help="the scaling table only, for chains of these lengths "
                             "(default 1000 10000 100000 1000000; native code up to "
                             "NATIVE_UP_TO)")
    parser.add_argument("--scale-one", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.scale_one:
        import json
        print(json.dumps(scale_one(options.scale_one)))
        return
    if options.scaling is not None:
        scaling(options.scaling or [1000, 10_000, 100_000, 1_000_000])
        return
    for name, (workload, n) in WORKLOADS.items():
        if options.only and options.only not in name:
            continue
        print(f"\n## {name}")
        rows = graphdiff_rows(workload, n, options.quick)
        print(f"graph: {rows['nodes']} nodes; compiled program: {rows['lines']} nodes")
        print("single-point gradient, µs per call:")
        for key in ("interpreted reverse", "interpreted reverse_graph",
                    "compiled math f(**point)", "compiled math f(array)",
                    "compiled math f.function()", "compiled numpy, one point",
                    "compiled llvm f(**point)", "compiled llvm f(array)",
                    "compiled llvm f.function()",
                    "compiled llvm, raw (array in, array out)"):
            if key in rows:
                print(f"  graphdiff {key:<30} {rows[key]:>12,.2f}")
        if "llvm" in rows:
            print(f"  graphdiff compiled llvm: {rows['llvm']}")
        math_ratio = rows["compiled math f.function()"] / rows["math value only, raw"]
        ratios = [f"math {math_ratio:.2f}"]
        if "llvm value only, raw" in rows:
            llvm_ratio = (rows["compiled llvm, raw (array in, array out)"]
                          / rows["llvm value only, raw"])
            ratios.append(f"llvm {llvm_ratio:.2f}")
        print(f"  gradient ÷ value time, compiled code: {', '.join(ratios)}")
        anchors: dict[str, dict[str, Any]] = {}
        for anchor, run in ANCHORS.items():
            try:
                result = run(workload, n, name)
            except Exception as err:  # an anchor's failure is reported, not fatal
                result = f"failed: {type(err).__name__}: {str(err)[:80]}"
            if isinstance(result, str):
                print(f"  {anchor:<40} skipped: {result}")
                continue
            anchors[anchor] = result
            note = f" ({result['note']})" if "note" in result else ""
            print(f"  {anchor + note:<40} {result['point']:>12,.2f}")
        if anchors:
            best_name = min(anchors, key=lambda a: anchors[a]["point"])
            best = anchors[best_name]["point"]
            # f.function() is public API (the generated function: floats in, a flat tuple
            # out), as the anchors' generated functions are.
            ours = min(rows.get(k, math.inf) for k in (
                "compiled math f(**point)", "compiled math f(array)", "compiled llvm f(array)",
                "compiled llvm f(**point)", "compiled math f.function()",
                "compiled llvm f.function()"))
            print(f"  ratio graphdiff compiled (best public call) ÷ best anchor ({best_name}): "
                  f"{ours / best:.2f}")
        print(f"batch of {BATCH:,} points, gradient, µs per call:")
        print(f"  graphdiff compiled numpy f(batch)         {rows['batch compiled numpy']:>12,.1f}")
        print(f"  graphdiff compiled numpy, raw function    "
              f"{rows['batch compiled numpy, raw']:>12,.1f}")
        if "batch compiled llvm" in rows:
            for key, label in (("batch compiled llvm", f"f(batch), {rows['simd']}"),
                               ("batch compiled llvm, scalar loop", "f(batch), scalar loop")):
                print(f"  {'graphdiff compiled llvm ' + label:<42}{rows[key]:>12,.1f}")
        batch_anchors = {a: r["batch"] for a, r in anchors.items() if "batch" in r}
        for anchor, value in batch_anchors.items():
            print(f"  {anchor:<40} {value:>12,.1f}")
        if batch_anchors:
            best_name = min(batch_anchors, key=batch_anchors.__getitem__)
            ours = min(rows["batch compiled numpy"], rows.get("batch compiled llvm", math.inf))
            print(f"  ratio graphdiff ÷ best anchor ({best_name}): "
                  f"{ours / batch_anchors[best_name]:.2f}")
        print("setup (build + differentiate + compile + first call), s:")
        print(f"  graphdiff (math code)                     {rows['setup']:>12.3f}")
        if "setup llvm" in rows:
            print(f"  graphdiff (llvm code)                     {rows['setup llvm']:>12.3f}")
        for anchor, result in anchors.items():
            print(f"  {anchor:<40} {result['setup']:>12.3f}")
        firsts = {a: r["first batch"] for a, r in anchors.items() if "first batch" in r}
        if "first batch llvm" in rows or firsts:
            print(f"first batch of {BATCH:,} after the setup (compiling batch code: "
                  f"graphdiff's SIMD, JAX's vmap), s:")
        if "first batch llvm" in rows:
            print(f"  graphdiff (llvm code)                     "
                  f"{rows['first batch llvm']:>12.3f}")
        for anchor, first in firsts.items():
            print(f"  {anchor:<40} {first:>12.3f}")


if __name__ == "__main__":
    main()
