"""Which examples each step sees: seeded shuffling into batches, epoch by epoch."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..errors import GraphdiffError


def batches(n: int, batch_size: int | None, rng: np.random.Generator,
            shuffle: bool = True) -> Iterator[np.ndarray | None]:
    """The index arrays of one epoch's batches over n examples.

    ``batch_size=None`` (or n or more) is the whole data set, given as None (the data
    as it is, no copy, no shuffling: the sum over every example does not depend on the
    order).  Otherwise a permutation drawn from ``rng`` (or the examples in order) cut
    into slices of ``batch_size``; the last one is shorter when ``batch_size`` does not
    divide n, so that every example is seen once per epoch, as seed 003's SGD visits
    every i "in a random order".

    >>> rng = np.random.default_rng(0)
    >>> [b.tolist() for b in batches(5, 2, rng, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    >>> sorted(sum((b.tolist() for b in batches(5, 2, rng)), []))
    [0, 1, 2, 3, 4]
    >>> list(batches(5, None, rng))
    [None]
    """
    if batch_size is not None and not (isinstance(batch_size, int | np.integer)
                                       and batch_size >= 1):
        raise GraphdiffError(f"batch_size must be a positive integer or None, "
                             f"not {batch_size!r}")
    if batch_size is None or batch_size >= n:
        yield None
        return
    order = rng.permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def count(n: int, batch_size: int | None) -> int:
    """The number of batches in an epoch.

    >>> count(5, 2), count(5, None), count(4, 4)
    (3, 1, 1)
    """
    return 1 if batch_size is None or batch_size >= n else -(-n // batch_size)
