"""Row ids that writers make themselves: what `runs`, `feed_polls` and `crawl_errors` get instead of a sequence.

A DuckLake warehouse has no sequences (warehouse/ducklake.py), and several processes write to it at once, so ids
are made by the writer, the same way on both backends: the time the id is made (milliseconds since 1970) shifted
left by 21 bits, plus 21 random bits, and never below the last id this process made plus one. So, as with a
sequence, a row written later has a larger id (within a process always, across processes from one millisecond to
the next), whatever times the rows themselves carry (a replay with a fixed `now` writes many runs at one
instant). Ids of different writers differ unless two make one in the same millisecond and draw the same 21 bits;
a batch takes consecutive values. Ids of older local warehouses (1, 2, 3 … from their sequences) stay as they are
and sort before every new one.
"""

from __future__ import annotations

import secrets
import threading
import time

__all__ = ["RANDOM_BITS", "time_ordered_id", "time_ordered_ids"]

RANDOM_BITS = 21
_SPREAD = 1 << RANDOM_BITS
_lock = threading.Lock()
_last = 0


def time_ordered_ids(count: int) -> list[int]:
    """`count` new BIGINT ids, consecutive, each larger than any this process made before."""
    global _last
    if count < 0:
        raise ValueError(f"count must be 0 or more, not {count}")
    with _lock:
        start = max((time.time_ns() // 1_000_000 << RANDOM_BITS) | secrets.randbelow(_SPREAD), _last + 1)
        _last = start + count - 1 if count else _last
    return list(range(start, start + count))


def time_ordered_id() -> int:
    """A new BIGINT id, larger than any this process made before."""
    return time_ordered_ids(1)[0]
