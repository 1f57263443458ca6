"""The gradient of an MLP loss: graphdiff against hand-written NumPy backprop (not a test).

Run:  .venv/bin/python benchmarks/mlp.py                 (784-256-10, batch 128, ReLU)
      .venv/bin/python benchmarks/mlp.py --hidden sigmoid
      .venv/bin/python benchmarks/mlp.py --quick         (fewer repeats)

One step is the forward pass and the gradient of the softmax cross-entropy with respect to
the weights and biases.  graphdiff runs ``gd.grad(graph, at, wrt=weights)``: evaluation and
one reverse sweep through the registry's VJP rules (``Graph.local_vjps``).  The reference
is the same network written by hand in NumPy, in the same process, timed the same way
(best and median of interleaved repeats); PyTorch and JAX on the CPU are timed too when
they are importable.  The goal is a ratio graphdiff/NumPy of at most 1.5: the work is in
the five matrix products, so interpretation overhead must not show.

BLAS threads fighting over few cores make single steps vary several-fold; for stable
numbers run with one BLAS thread (``OPENBLAS_NUM_THREADS=1``; the setting is printed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import graphdiff as gd

BATCH, INPUTS, HIDDEN, CLASSES = 128, 784, 256, 10
WEIGHTS = ("W1", "b1", "W2", "b2")


def network(hidden: str) -> gd.Graph:
    """The MLP as a graphdiff program: X @ W1 + b1, the activation, @ W2 + b2, the loss."""
    return gd.parse(f"""
X: {BATCH}x{INPUTS}
Y: {BATCH}x{CLASSES}
W1: {INPUTS}x{HIDDEN}
b1: {HIDDEN}
W2: {HIDDEN}x{CLASSES}
b2: {CLASSES}
H = {hidden}(X @ W1 + b1)
Z = H @ W2 + b2
L = cross_entropy(Z, Y)
""")


def point(seed: int = 0) -> dict[str, np.ndarray]:
    """Random data, one-hot labels and small random weights."""
    rng = np.random.default_rng(seed)
    return {
        "X": rng.normal(size=(BATCH, INPUTS)),
        "Y": np.eye(CLASSES)[rng.integers(0, CLASSES, BATCH)],
        "W1": rng.normal(size=(INPUTS, HIDDEN)) * 0.05, "b1": np.zeros(HIDDEN),
        "W2": rng.normal(size=(HIDDEN, CLASSES)) * 0.05, "b2": np.zeros(CLASSES),
    }


def numpy_step(at: dict[str, np.ndarray], hidden: str) -> dict[str, np.ndarray]:
    """Forward pass and backprop written by hand, as a course would write them."""
    X, Y, W1, b1, W2, b2 = (at[k] for k in ("X", "Y", "W1", "b1", "W2", "b2"))
    A = X @ W1 + b1
    H = np.maximum(A, 0.0) if hidden == "relu" else 1.0 / (1.0 + np.exp(-A))
    Z = H @ W2 + b2
    shifted = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(shifted)
    P /= P.sum(axis=1, keepdims=True)
    dZ = (P - Y) / BATCH
    dH = dZ @ W2.T
    dA = dH * (A > 0) if hidden == "relu" else dH * H * (1.0 - H)
    return {"W1": X.T @ dA, "b1": dA.sum(axis=0), "W2": H.T @ dZ, "b2": dZ.sum(axis=0)}


def graphdiff_step(graph: gd.Graph, at: dict[str, np.ndarray]) -> dict[str, Any]:
    return gd.grad(graph, at, wrt=list(WEIGHTS))


def torch_step(hidden: str) -> Callable[[dict[str, np.ndarray]], Any] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(max(1, torch.get_num_threads()))

    def step(at: dict[str, np.ndarray]) -> Any:
        t = {k: torch.tensor(v, requires_grad=k in WEIGHTS) for k, v in at.items()}
        a = t["X"] @ t["W1"] + t["b1"]
        h = torch.relu(a) if hidden == "relu" else torch.sigmoid(a)
        z = h @ t["W2"] + t["b2"]
        loss = torch.nn.functional.cross_entropy(z, t["Y"].argmax(dim=1))
        return torch.autograd.grad(loss, [t[k] for k in WEIGHTS])

    return step


def jax_step(hidden: str) -> Callable[[dict[str, np.ndarray]], Any] | None:
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)

    def loss(weights: dict[str, Any], X: Any, Y: Any) -> Any:
        a = X @ weights["W1"] + weights["b1"]
        h = jax.nn.relu(a) if hidden == "relu" else jax.nn.sigmoid(a)
        z = h @ weights["W2"] + weights["b2"]
        return -jnp.mean(jnp.sum(Y * jax.nn.log_softmax(z), axis=1))

    gradient = jax.jit(jax.grad(loss))

    def step(at: dict[str, np.ndarray]) -> Any:
        result = gradient({k: at[k] for k in WEIGHTS}, at["X"], at["Y"])
        return jax.block_until_ready(result)

    return step


def timed(steps: dict[str, Callable[[], Any]], repeat: int) -> dict[str, list[float]]:
    """Each step ``repeat`` times, interleaved (so load on the machine hits all alike)."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", choices=("relu", "sigmoid"), default="relu")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    graph, at = network(args.hidden), point()
    reference = numpy_step(at, args.hidden)
    ours = graphdiff_step(graph, at)
    worst = max(float(np.max(np.abs(ours[k] - reference[k]))) for k in WEIGHTS)
    print(f"MLP {INPUTS}-{HIDDEN}-{CLASSES}, {args.hidden}, softmax cross-entropy, batch "
          f"{BATCH}: graphdiff's gradient equals hand-written NumPy's to {worst:.1e}")
    threads = {k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                           "MKL_NUM_THREADS") if k in os.environ}
    print(f"BLAS threads: {threads or 'as numpy chooses'}; {os.cpu_count()} CPUs")

    steps: dict[str, Callable[[], Any]] = {
        "numpy (by hand)": lambda: numpy_step(at, args.hidden),
        "graphdiff": lambda: graphdiff_step(graph, at),
    }
    for name, make in (("pytorch", torch_step), ("jax (jit)", jax_step)):
        step = make(args.hidden)
        if step is None:
            print(f"{name}: not installed, skipped")
            continue
        step(at)  # compile / warm up
        steps[name] = lambda step=step: step(at)
    for step in steps.values():  # warm caches and BLAS threads
        step()
    times = timed(steps, 20 if args.quick else 100)
    base_best, base_median = min(times["numpy (by hand)"]), statistics.median(
        times["numpy (by hand)"])
    print(f"{'':<18}{'best ms':>10}{'median ms':>12}{'ratio (best)':>14}{'ratio (median)':>16}")
    for name, measured in times.items():
        best, median = min(measured), statistics.median(measured)
        print(f"{name:<18}{best * 1e3:>10.2f}{median * 1e3:>12.2f}{best / base_best:>14.2f}"
              f"{median / base_median:>16.2f}")
    print("goal: graphdiff/numpy <= 1.5")


if __name__ == "__main__":
    main()
