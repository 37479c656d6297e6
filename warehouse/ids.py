"""Row ids that writers make themselves: what `runs`, `feed_polls` and `crawl_errors` get instead of a sequence.

A DuckLake warehouse has no sequences (warehouse/ducklake.py), and several processes write to it at once, so ids
are made by the writer, the same way on both backends: the time of the row (milliseconds since 1970, from the
row's own timestamp: when the run started, the feed was polled, the fetch failed) shifted left by 21 bits, plus
21 random bits. Rows sort by id as they sort by time; ids of different writers differ unless two write rows for
the same millisecond and draw the same 21 bits. A batch of rows takes consecutive values from one random start, so
ids within a batch never collide. Ids of older local warehouses (1, 2, 3 … from their sequences) stay as they are
and sort before every new one.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

__all__ = ["RANDOM_BITS", "time_ordered_id", "time_ordered_ids"]

RANDOM_BITS = 21
_SPREAD = 1 << RANDOM_BITS


def _millis(at: datetime) -> int:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    millis = int(at.timestamp() * 1000)
    if millis < 0:
        raise ValueError(f"no id for a time before 1970: {at.isoformat()}")
    return millis


def time_ordered_id(at: datetime) -> int:
    """A new BIGINT id for a row of time `at`."""
    return (_millis(at) << RANDOM_BITS) | secrets.randbelow(_SPREAD)


def time_ordered_ids(times: list[datetime]) -> list[int]:
    """New ids for a batch of rows, one per time, all different."""
    if len(times) > _SPREAD:
        raise ValueError(f"at most {_SPREAD:,} ids a batch, not {len(times):,}")
    start = secrets.randbelow(_SPREAD)
    ids = [(_millis(at) << RANDOM_BITS) | ((start + i) % _SPREAD) for i, at in enumerate(times)]
    return ids
