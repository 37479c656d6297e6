"""The clock of a command or a flow, from the `now` setting.

Everything that compares with "now" (which feeds are due, which week is the last complete one, whether a page's
date lies in the future, when a poll or a fetch happened) takes the time or a clock as a parameter; only the
edges (the CLI commands, the Prefect flows) make a clock here and pass it down. The `now` setting
(`STANWIRE_NOW`) starts the clock at a given instant instead of the system time, and it runs on from there at
the normal pace: a run replayed "as of" that moment, the demo's snapshot of its outlets, or a test, sees the
same days on any date.
"""

from __future__ import annotations

from datetime import UTC, datetime

from spiders.clock import Clock, clock_starting_at, system_clock

__all__ = ["Clock", "clock_starting_at", "make_clock", "parse_instant_setting", "system_clock"]


def parse_instant_setting(value: str) -> datetime:
    """`2026-12-01T10:00:00Z`, `2026-12-01 10:00+06:00` or `2026-12-01` (midnight UTC) as an aware instant."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"expected an ISO 8601 date or date-time such as 2026-12-01T10:00:00Z, got {value!r}"
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def make_clock(now_setting: str) -> Clock:
    """The clock for a command or a flow: the system's, or one starting at the `now` setting when it is set."""
    return clock_starting_at(parse_instant_setting(now_setting)) if now_setting.strip() else system_clock
