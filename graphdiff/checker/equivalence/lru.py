"""A cache that keeps its most recently used entries (prepared references, and the
numeric outcomes of each reference by answer text)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most ``size`` entries; the least recently used goes first.

    >>> cache = LRU(2)
    >>> cache.put("a", 1); cache.put("b", 2)
    >>> cache.get("a"), cache.put("c", 3)
    (1, None)
    >>> cache.get("b"), cache.get("a"), len(cache)
    (None, 1, 2)
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
