"""Adaptive polling: each feed's interval follows what it brings, within bounds; failing feeds back off and
are marked unhealthy, never dropped."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from warehouse.feeds import PollPolicy, due_feeds, get_feed_state, next_interval, record_poll

FEED = "https://steppe-dispatch.test/rss"
NOW = dt.datetime(2026, 11, 16, 6, 0, tzinfo=dt.UTC)
POLICY = PollPolicy()


def interval(previous: int | None, **kwargs: object) -> int:
    values: dict[str, object] = {
        "failed": False,
        "failures": 0,
        "entries": 10,
        "new_entries": 3,
        "not_modified": False,
        "declared": None,
    }
    return next_interval(previous, **(values | kwargs), policy=POLICY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("previous", "change", "expected"),
    [
        (3600, {"new_entries": 8}, 1800),  # most items new: poll twice as often
        (3600, {"new_entries": 3}, 3600),  # some new: keep the pace
        (3600, {"new_entries": 0}, 5400),  # nothing new: half as often again
        (3600, {"not_modified": True, "new_entries": 0}, 5400),  # 304
        (700, {"new_entries": 10}, 600),  # never below 10 minutes
        (80_000, {"new_entries": 0}, 86_400),  # never above 24 hours
        (None, {"new_entries": 10}, 1800),  # a new feed starts from an hour
        (1200, {"new_entries": 10, "declared": 7200}, 7200),  # the feed's own <ttl> is a floor
        (1200, {"failed": True, "failures": 1}, 1200),  # failures back off exponentially from 10 minutes…
        (1200, {"failed": True, "failures": 3}, 4800),
        (1200, {"failed": True, "failures": 12}, 86_400),  # …up to a day
    ],
)
def test_next_interval(previous: int | None, change: dict[str, object], expected: int) -> None:
    assert interval(previous, **change) == expected


def poll(
    at: dt.datetime, *, error: str | None = None, urls: tuple[str, ...] = (), ttl: int | None = None
) -> dict:
    return {
        "source": "steppe-dispatch",
        "feed_url": FEED,
        "polled_at": at,
        "http_status": 500 if error else 200,
        "bytes": 100,
        "entries": len(urls),
        "error": error,
        "etag": None,
        "last_modified": None,
        "not_modified": False,
        "declared_interval": ttl,
        "conditional": False,
        "items": [
            {"url": f"https://steppe-dispatch.test/news/{u}", "title": u, "published_at": None} for u in urls
        ],
    }


def test_a_feed_is_due_again_after_its_interval(conn: duckdb.DuckDBPyConnection) -> None:
    assert due_feeds(conn, [FEED], NOW) == {FEED}  # never polled
    record_poll(conn, poll(NOW, urls=("a", "b")), POLICY)  # all new: 1 h halved to 30 min
    assert due_feeds(conn, [FEED], NOW + dt.timedelta(minutes=29)) == set()
    assert due_feeds(conn, [FEED], NOW + dt.timedelta(minutes=30)) == {FEED}


def test_a_feed_failing_poll_after_poll_is_marked_unhealthy_and_recovers(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    policy = PollPolicy(unhealthy_after=3)
    at = NOW
    for failures in range(1, 4):
        record_poll(conn, poll(at, error="HTTP 500 Internal Server Error"), policy)
        state = get_feed_state(conn, FEED)
        assert state is not None
        assert state["unhealthy"] == (failures >= 3)
        at = state["next_poll_at"]
    assert state["interval_seconds"] == 600 * 2**3  # still polled, just less often
    record_poll(conn, poll(at, urls=("back",)), policy)
    state = get_feed_state(conn, FEED)
    assert state is not None
    assert (state["unhealthy"], state["consecutive_failures"]) == (False, 0)


def test_the_declared_ttl_is_remembered(conn: duckdb.DuckDBPyConnection) -> None:
    record_poll(conn, poll(NOW, urls=("a",), ttl=3 * 3600), POLICY)
    state = get_feed_state(conn, FEED)
    assert state is not None
    assert (state["declared_interval_seconds"], state["interval_seconds"]) == (10_800, 10_800)
