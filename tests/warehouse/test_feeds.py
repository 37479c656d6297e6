"""Feed polls: feed_polls rows, feed_state (validators, failures) and the crawl queue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.warehouse.conftest import count, write_article
from warehouse.errors import LoadError
from warehouse.feeds import feed_health, get_feed_state, pending_urls, record_poll
from warehouse.loader import load_landing

FEED = "https://steppe-dispatch.test/rss"
NEWS = "https://steppe-dispatch.test/news/2026/11/"
MONDAY = dt.datetime(2026, 11, 16, 6, 0, tzinfo=dt.UTC)


def poll(*slugs: str, at: dt.datetime = MONDAY, **overrides: Any) -> dict[str, Any]:
    """A poll dict as `dataclasses.asdict(spiders.feeds.PollResult)` gives it."""
    record: dict[str, Any] = {
        "source": "steppe-dispatch",
        "feed_url": FEED,
        "polled_at": at,
        "http_status": 200,
        "bytes": 4200,
        "entries": len(slugs),
        "error": None,
        "etag": '"v1"',
        "last_modified": "Mon, 16 Nov 2026 05:00:00 GMT",
        "not_modified": False,
        "items": [
            {
                "url": NEWS + slug,
                "title": slug.replace("-", " ").capitalize(),
                "published_at": "2026-11-16T08:00:00+05:00",
                "summary": None,
            }
            for slug in slugs
        ],
    }
    record.update(overrides)
    return record


def test_a_first_poll_queues_every_item_and_stores_the_validators(conn: duckdb.DuckDBPyConnection) -> None:
    assert get_feed_state(conn, FEED) is None
    assert record_poll(conn, poll("zte-fibre-backbone", "vpn-restrictions")) == 2
    state = get_feed_state(conn, FEED)
    assert state is not None
    assert (state["etag"], state["last_modified"]) == ('"v1"', "Mon, 16 Nov 2026 05:00:00 GMT")
    assert (state["last_polled_at"], state["last_ok_at"], state["consecutive_failures"]) == (
        MONDAY,
        MONDAY,
        0,
    )
    assert conn.execute("SELECT entries, new_entries, error FROM feed_polls").fetchall() == [(2, 2, None)]
    queued = conn.execute(
        "SELECT url, source, via, feed_url, title, published_at, status FROM crawl_queue ORDER BY url"
    ).fetchall()
    assert queued[0] == (
        NEWS + "vpn-restrictions",
        "steppe-dispatch",
        "feed",
        FEED,
        "Vpn restrictions",
        dt.datetime(2026, 11, 16, 3, 0, tzinfo=dt.UTC),
        "pending",
    )


def test_only_urls_never_queued_nor_loaded_count_as_new(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    record_poll(conn, poll("zte-fibre-backbone"))
    write_article(landing, NEWS + "starlink-seized", url=NEWS + "starlink-seized?from=section")
    load_landing(conn, landing)  # the article came in from a section page, not the feed
    second = poll(
        "zte-fibre-backbone",
        "starlink-seized",
        "beeline-towers",
        "beeline-towers",
        at=MONDAY + dt.timedelta(hours=1),
    )
    assert record_poll(conn, second) == 1
    assert [
        r[0] for r in conn.execute("SELECT new_entries FROM feed_polls ORDER BY polled_at").fetchall()
    ] == [1, 1]
    assert count(conn, "SELECT count(*) FROM crawl_queue") == 2
    assert record_poll(conn, second) == 0


def test_the_queue_is_keyed_by_canonical_url(conn: duckdb.DuckDBPyConnection, landing: Path) -> None:
    def item(url: str, canonical: str) -> dict[str, Any]:
        return {"url": url, "canonical_url": canonical, "title": None, "published_at": None, "summary": None}

    first = poll(items=[item(NEWS + "zte/", NEWS + "zte"), item(NEWS + "zte/?ref=x", NEWS + "zte")])
    assert record_poll(conn, first) == 1
    # Later the feed lists it another way; and an article stored under its canonical URL is known too.
    write_article(landing, NEWS + "starlink/", canonical_url=NEWS + "starlink")
    load_landing(conn, landing)
    second = poll(
        items=[
            item(NEWS + "ZTE/#top", NEWS + "zte"),
            item(NEWS + "starlink/?utm_source=x", NEWS + "starlink"),
        ],
        at=MONDAY + dt.timedelta(hours=1),
    )
    assert record_poll(conn, second) == 0
    assert conn.execute("SELECT url, canonical_url FROM crawl_queue").fetchall() == [
        (NEWS + "zte/", NEWS + "zte")
    ]


def test_failures_count_up_keep_the_old_validators_and_reset_on_success(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    record_poll(conn, poll("zte-fibre-backbone"))
    for hours in (1, 2):
        failed = poll(
            at=MONDAY + dt.timedelta(hours=hours),
            http_status=500,
            bytes=0,
            error="HTTP 500 Internal Server Error",
            etag=None,
            last_modified=None,
        )
        assert record_poll(conn, failed) == 0
    state = get_feed_state(conn, FEED)
    assert state is not None
    assert state["consecutive_failures"] == 2
    assert state["etag"] == '"v1"'  # the next conditional GET still uses the last good validators
    assert state["last_modified"] == "Mon, 16 Nov 2026 05:00:00 GMT"
    assert state["last_ok_at"] == MONDAY
    assert state["last_error"] == "HTTP 500 Internal Server Error"

    # A 304 that does not repeat the validators keeps them; a success clears the failure streak.
    record_poll(
        conn,
        poll(
            at=MONDAY + dt.timedelta(hours=3),
            http_status=304,
            not_modified=True,
            etag=None,
            last_modified=None,
        ),
    )
    state = get_feed_state(conn, FEED)
    assert state is not None
    assert (state["consecutive_failures"], state["last_error"], state["etag"]) == (0, None, '"v1"')
    assert state["last_ok_at"] == MONDAY + dt.timedelta(hours=3)
    record_poll(conn, poll("new-story", at=MONDAY + dt.timedelta(hours=4), etag='"v2"'))
    assert get_feed_state(conn, FEED)["etag"] == '"v2"'  # type: ignore[index]

    [health] = feed_health(conn)
    assert health == {
        "source": "steppe-dispatch",
        "feed_url": FEED,
        "last_polled_at": MONDAY + dt.timedelta(hours=4),
        "last_ok_at": MONDAY + dt.timedelta(hours=4),
        "consecutive_failures": 0,
        "last_error": None,
        # 1 h by default, halved by the first poll (all new), backed off to 20 then 40 min by the two failures,
        # ×1.5 by the success that brought nothing new (60 min), halved by the last poll (its one item new).
        "interval_seconds": 1800,
        "next_poll_at": MONDAY + dt.timedelta(hours=4, minutes=30),
        "unhealthy": False,
        "health": "ok",
        "polls": 5,
        "entries_total": 2,
    }


def test_pending_urls_skip_done_and_exhausted_ones(conn: duckdb.DuckDBPyConnection) -> None:
    record_poll(conn, poll("a-first", "b-second", "c-third", "d-fourth"))
    conn.execute("UPDATE crawl_queue SET status = 'done' WHERE url LIKE '%a-first'")
    conn.execute("UPDATE crawl_queue SET status = 'failed', attempts = 3 WHERE url LIKE '%b-second'")
    conn.execute("UPDATE crawl_queue SET status = 'failed', attempts = 1 WHERE url LIKE '%c-third'")
    assert pending_urls(conn) == [
        {"url": NEWS + "c-third", "source": "steppe-dispatch", "via": "feed"},
        {"url": NEWS + "d-fourth", "source": "steppe-dispatch", "via": "feed"},
    ]
    assert pending_urls(conn, limit=1) == [
        {"url": NEWS + "c-third", "source": "steppe-dispatch", "via": "feed"}
    ]
    assert [p["url"] for p in pending_urls(conn, max_attempts=4)] == [
        NEWS + s for s in ("b-second", "c-third", "d-fourth")
    ]


def test_item_dates_the_feed_wrote_oddly_are_kept_as_well_as_they_can_be(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    record = poll("one", "two", "three")
    for item, published in zip(
        record["items"], ("2026-11-15", "Mon, 16 Nov 2026 08:00 +0500", None), strict=True
    ):
        item["published_at"] = published
    record_poll(conn, record)
    dates = dict(conn.execute("SELECT url, published_at FROM crawl_queue").fetchall())
    # A date alone becomes its midnight UTC; an RFC 822 date the poller failed to convert is dropped, not guessed.
    assert dates == {
        NEWS + "one": dt.datetime(2026, 11, 15, tzinfo=dt.UTC),
        NEWS + "two": None,
        NEWS + "three": None,
    }


def test_a_poll_without_its_feed_url_is_refused(conn: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(LoadError, match="lacks feed_url"):
        record_poll(conn, poll("x", feed_url=""))
    assert count(conn, "SELECT count(*) FROM feed_polls") == 0
