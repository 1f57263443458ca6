"""Training steps per second of seed 001's network: graphdiff against NumPy and PyTorch.

Run:  .venv/bin/python benchmarks/train.py            (two sizes, 2000 steps each)
      .venv/bin/python benchmarks/train.py --quick    (fewer steps)

The network is the board task's ŷ = tanh(ReLU(X·W1 + b1)·W2 + b2) with MSE, trained by
Adam on full batches.  A step is a forward pass, the gradient of the four parameters and
Adam's update.  Timed, in the same process and interleaved in rounds so that load on the
machine hits all alike:

* graphdiff.train.fit -- the loop a user calls (history, stopping checks included);
* graphdiff by hand -- ``gd.reverse(graph, at, wrt=...)`` and ``optim.adam().step`` in a
  plain loop: what the loop itself costs is the difference;
* NumPy by hand -- the same network, backward pass and Adam written out (the floor);
* PyTorch on the CPU, float64, ``torch.optim.Adam``, when it is importable.

All four start from the same weights; after the run the final losses are printed, and
graphdiff's agree with NumPy's to rounding.  Not a test: numbers depend on the machine.
For stable numbers run with one BLAS thread (``OPENBLAS_NUM_THREADS=1``).
Measured numbers and where graphdiff's time goes (a profile): docs/training.md.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np

import graphdiff as gd
from graphdiff import optim
from graphdiff.train import fit, problems

WEIGHTS = ("W1", "b1", "W2", "b2")
LR = 1e-3


def setting(n: int, d: int, hidden: int) -> tuple[gd.Graph, dict, dict]:
    """The graph, the data and the first weights (seeded)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(n, d))
    data = {"X": x, "Y": problems.cybenko(x.mean(axis=1, keepdims=True))}
    params = {"W1": rng.normal(0, np.sqrt(2 / d), size=(d, hidden)), "b1": np.zeros(hidden),
              "W2": rng.normal(0, np.sqrt(1 / hidden), size=(hidden, 1)), "b2": np.zeros(1)}
    return problems.seed001_network(n, d, hidden), data, params


def run_fit(graph: gd.Graph, data: dict, params: dict, steps: int) -> float:
    return fit(graph, params, optim.adam(lr=LR), data, steps=steps).loss


def run_graphdiff(graph: gd.Graph, data: dict, params: dict, steps: int) -> float:
    opt = optim.adam(lr=LR)
    state = opt.init(params)
    for _ in range(steps):
        sweep = gd.reverse(graph, at={**params, **data}, wrt=list(WEIGHTS))
        params, state = opt.step(params, {k: sweep.adjoint(k) for k in WEIGHTS}, state)
    return float(graph.evaluate({**params, **data}))


def run_numpy(graph: gd.Graph, data: dict, params: dict, steps: int) -> float:
    x, y = data["X"], data["Y"]
    n = len(x)
    p = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(w) for k, w in p.items()}
    b1, b2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        z1 = x @ p["W1"] + p["b1"]
        a1 = np.maximum(z1, 0.0)
        y_hat = np.tanh(a1 @ p["W2"] + p["b2"])
        dz2 = 2.0 / n * (y_hat - y) * (1.0 - y_hat**2)
        dz1 = (dz2 @ p["W2"].T) * (z1 > 0)
        grads = {"W2": a1.T @ dz2, "b2": dz2.sum(axis=0), "W1": x.T @ dz1,
                 "b1": dz1.sum(axis=0)}
        for k, g in grads.items():
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            p[k] = p[k] - LR * (m[k] / (1 - b1**t)) / (np.sqrt(v[k] / (1 - b2**t)) + eps)
    y_hat = np.tanh(np.maximum(x @ p["W1"] + p["b1"], 0.0) @ p["W2"] + p["b2"])
    return float(np.mean((y_hat - y) ** 2))


def torch_runner() -> Callable[[gd.Graph, dict, dict, int], float] | None:
    try:
        import torch
    except ImportError:
        return None

    def run_torch(graph: gd.Graph, data: dict, params: dict, steps: int) -> float:
        x, y = torch.tensor(data["X"]), torch.tensor(data["Y"])
        w = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
        opt = torch.optim.Adam(list(w.values()), lr=LR, eps=1e-8)
        for _ in range(steps):
            opt.zero_grad()
            y_hat = torch.tanh(torch.relu(x @ w["W1"] + w["b1"]) @ w["W2"] + w["b2"])
            loss = torch.mean((y_hat - y) ** 2)
            loss.backward()
            opt.step()
        with torch.no_grad():
            y_hat = torch.tanh(torch.relu(x @ w["W1"] + w["b1"]) @ w["W2"] + w["b2"])
            return float(torch.mean((y_hat - y) ** 2))

    return run_torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps")
    args = parser.parse_args()
    steps, rounds = (200, 2) if args.quick else (2000, 3)
    runners: dict[str, Callable[[gd.Graph, dict, dict, int], float]] = {
        "graphdiff.train.fit": run_fit, "graphdiff by hand": run_graphdiff,
        "numpy by hand": run_numpy}
    torch_run = torch_runner()
    if torch_run is None:
        print("pytorch: skipped, not installed (import torch failed)")
    else:
        runners["pytorch (cpu)"] = torch_run
    threads = {k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
               if k in os.environ}
    print(f"BLAS threads: {threads or 'as numpy chooses'}; {os.cpu_count()} CPUs; "
          f"Adam, full batches, {steps} steps per run, best of {rounds} rounds")
    for n, d, hidden in ((200, 1, 64), (256, 16, 256)):
        graph, data, params = setting(n, d, hidden)
        best = dict.fromkeys(runners, float("inf"))
        losses = {}
        for _ in range(rounds):
            for name, runner in runners.items():
                start = time.perf_counter()
                losses[name] = runner(graph, data, params, steps)
                best[name] = min(best[name], time.perf_counter() - start)
        print(f"\nX: {n}×{d}, H = {hidden} ({graph.evaluate({**params, **data}):.4f} at the start)")
        print(f"{'':<22}{'steps/s':>10}{'µs/step':>10}{'× numpy':>9}{'final loss':>14}")
        for name in runners:
            rate = steps / best[name]
            print(f"{name:<22}{rate:>10.0f}{1e6 / rate:>10.1f}"
                  f"{best[name] / best['numpy by hand']:>9.2f}{losses[name]:>14.6f}")
        assert abs(losses["graphdiff by hand"] - losses["numpy by hand"]) < 1e-8
        assert abs(losses["graphdiff.train.fit"] - losses["numpy by hand"]) < 1e-8


if __name__ == "__main__":
    main()
