"""A bounded cache of answers: the graph never changes while the server runs, so an answer
computed once (a query's result, a resource in one format) stays right until the server stops.

Least recently used entries go first once the total size passes `max_bytes`; an answer larger
than `max_entry` is never kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["AnswerCache"]

V = TypeVar("V")


class AnswerCache(Generic[V]):
    """Answers by key, the least recently used dropped past `max_bytes` in all; thread-safe.

    >>> cache: AnswerCache[bytes] = AnswerCache(max_bytes=10)
    >>> cache.put("a", b"12345678", 8); cache.put("b", b"123", 3)  # 11 bytes: "a" goes
    >>> cache.get("a"), cache.get("b"), len(cache)
    (None, b'123', 1)
    """

    def __init__(self, max_bytes: int = 64 * 2**20, max_entry: int = 2 * 2**20) -> None:
        self.max_bytes = max_bytes
        self.max_entry = max_entry
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        """The answer kept for `key` (now the most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: V, size: int) -> None:
        """Keep `value` of `size` bytes for `key` (not if larger than `max_entry`)."""
        if size > self.max_entry:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._entries[key] = (value, size)
            self._size += size
            while self._size > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped

    def __len__(self) -> int:
        return len(self._entries)
