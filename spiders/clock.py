"""Clocks: the system's, or one that starts at a given instant and runs on at the normal pace.

Code that compares with "now" takes a time or a clock as a parameter; the edges (the CLI, the flows, the crawl
subprocess reading its job) make one here. `pipelines.clock` builds it from the `now` setting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The machine's time, in UTC."""
    return datetime.now(UTC)


def clock_starting_at(start: datetime) -> Clock:
    """A clock that reads `start` now and advances with the machine's monotonic clock."""
    if start.tzinfo is None:
        raise ValueError(f"a clock's start needs a time zone: {start!r}")
    origin = time.monotonic()

    def read() -> datetime:
        return start + timedelta(seconds=time.monotonic() - origin)

    return read
