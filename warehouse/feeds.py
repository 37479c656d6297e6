"""Feed polls and the crawl queue: what each feed last said, and which article URLs are still to fetch.

`record_poll` takes the poll dict of docs/architecture.md ("Feed poll"). A failed poll keeps the feed's last
good ETag / Last-Modified, so the next conditional GET still asks "anything new since the last good answer?".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import duckdb

from warehouse.db import write_transaction
from warehouse.errors import LoadError, one_line
from warehouse.ids import time_ordered_id

__all__ = [
    "PollPolicy",
    "due_feeds",
    "feed_health",
    "get_feed_state",
    "next_interval",
    "pending_urls",
    "queue_urls",
    "record_poll",
]


@dataclass(frozen=True)
class PollPolicy:
    """How often to poll: bounds of the adaptive interval, and when a failing feed counts as unhealthy."""

    min_interval: int = 600  # 10 minutes
    max_interval: int = 86_400  # 24 hours
    default_interval: int = 3_600
    unhealthy_after: int = 10


def next_interval(
    previous: int | None,
    *,
    failed: bool,
    failures: int,
    entries: int,
    new_entries: int,
    not_modified: bool,
    declared: int | None,
    policy: PollPolicy,
) -> int:
    """The feed's next polling interval in seconds.

    Failures back off exponentially (doubling from the minimum). A poll where most items were new halves the
    interval (the feed moves faster than we look); one with no new item, or a 304, lengthens it by half; in
    between it stays. A feed's own `<ttl>`/`sy:updatePeriod` is a floor. Always within the policy's bounds.
    """
    interval = previous or policy.default_interval
    if failed:
        interval = policy.min_interval * 2 ** min(failures, 16)
    elif not_modified or new_entries == 0:
        interval = int(interval * 1.5)
    elif entries and new_entries / entries > 0.5:
        interval = interval // 2
    if declared and not failed:
        interval = max(interval, declared)
    return max(policy.min_interval, min(policy.max_interval, interval))


def due_feeds(conn: duckdb.DuckDBPyConnection, feed_urls: list[str], now: datetime) -> set[str]:
    """Those of `feed_urls` due for a poll at `now`: never polled, or their next poll time has come."""
    if not feed_urls:
        return set()
    scheduled = dict(
        conn.execute(
            "SELECT feed_url, next_poll_at FROM feed_state WHERE list_contains(?, feed_url)", [feed_urls]
        ).fetchall()
    )
    return {url for url in feed_urls if scheduled.get(url) is None or scheduled[url] <= now}


def get_feed_state(conn: duckdb.DuckDBPyConnection, feed_url: str) -> dict[str, Any] | None:
    """The stored state of one feed (etag, last_modified, failures...), or None if it was never polled."""
    return _first(
        conn.execute(
            """
            SELECT feed_url, source, etag, last_modified, last_polled_at, last_ok_at, consecutive_failures,
                last_error, interval_seconds, next_poll_at, declared_interval_seconds, unchanged_polls,
                validators_since, unhealthy
            FROM feed_state WHERE feed_url = ?
            """,
            [feed_url],
        )
    )


def record_poll(
    conn: duckdb.DuckDBPyConnection, poll: dict[str, Any], policy: PollPolicy | None = None
) -> int:
    """Store one poll, update the feed's state and schedule, queue the article URLs never seen; return how many
    were new."""
    source, feed_url, polled_at, items = _check_poll(poll)
    failed = poll.get("error") is not None
    try:
        with write_transaction(conn):
            # Items a failed poll still managed to list are queued all the same: each URL is checked on its own.
            new_entries = _queue_items(conn, source, feed_url, polled_at, items)
            conn.execute(
                """
                INSERT INTO feed_polls (id, source, feed_url, polled_at, http_status, bytes, entries, new_entries,
                    not_modified, error, conditional, note)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    time_ordered_id(),
                    source,
                    feed_url,
                    polled_at,
                    poll.get("http_status"),
                    int(poll.get("bytes") or 0),
                    int(poll.get("entries") or 0),
                    new_entries,
                    bool(poll.get("not_modified")),
                    poll.get("error"),
                    bool(poll.get("conditional", True)),
                    poll.get("note"),
                ],
            )
            _update_state(
                conn, poll, source, feed_url, polled_at, failed, new_entries, policy or PollPolicy()
            )
    except duckdb.Error as exc:
        raise LoadError(f"cannot record the poll of {feed_url}: {one_line(exc)}") from exc
    return new_entries


def _check_poll(poll: Any) -> tuple[str, str, datetime, list[dict[str, Any]]]:
    if not isinstance(poll, dict):
        raise LoadError(f"a poll must be a dict, not {type(poll).__name__}")
    missing = [k for k in ("source", "feed_url", "polled_at") if not poll.get(k)]
    if missing:
        raise LoadError(f"poll of {poll.get('feed_url')!r} lacks {', '.join(missing)}")
    polled_at = _as_instant(poll["polled_at"])
    if polled_at is None:
        raise LoadError(f"poll of {poll['feed_url']}: polled_at {poll['polled_at']!r} is not a date-time")
    items = poll.get("items") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("url") for i in items):
        raise LoadError(f"poll of {poll['feed_url']}: items must be a list of dicts with a url")
    return str(poll["source"]), str(poll["feed_url"]), polled_at, items


def queue_urls(
    conn: duckdb.DuckDBPyConnection,
    source: str,
    items: list[dict[str, Any]],
    *,
    via: str,
    discovered_at: datetime,
) -> int:
    """Queue article URLs found another way than a feed (`via`: sitemap, url); return how many were new.

    Each item has `url` and optionally `canonical_url`, `title` and `published_at`; an article already queued or
    stored (by its URL or its canonical URL) is skipped.
    """
    if via not in ("feed", "section", "sitemap", "url"):
        raise ValueError(f"via must be feed, section, sitemap or url, not {via!r}")
    with write_transaction(conn):
        queued = _queue_items(conn, source, None, discovered_at, items, via=via)
    return queued


def _queue_items(
    conn: duckdb.DuckDBPyConnection,
    source: str,
    feed_url: str | None,
    polled_at: datetime,
    items: list[dict[str, Any]],
    *,
    via: str = "feed",
) -> int:
    """Queue the items whose article is neither queued nor stored; return how many were queued.

    An item's identity is its `canonical_url` (the caller canonicalises; the URL itself when absent), so one
    article listed as `…?utm_source=rss`, `…#comments` and with an upper-case host is queued once, at its `url`.
    """
    new_entries = 0
    seen: set[str] = set()
    for item in items:
        url = str(item["url"])
        canonical = str(item.get("canonical_url") or url)
        if canonical in seen or url in seen:
            continue
        seen.update((canonical, url))
        known = conn.execute(
            """
            SELECT EXISTS (
                    SELECT 1 FROM crawl_queue
                    WHERE url = $url OR canonical_url = $canonical OR url = $canonical
                )
                OR EXISTS (
                    SELECT 1 FROM articles
                    WHERE url IN ($url, $canonical) OR final_url IN ($url, $canonical)
                        OR canonical_url IN ($url, $canonical)
                )
            """,
            {"url": url, "canonical": canonical},
        ).fetchone()
        if known and known[0]:
            continue
        conn.execute(
            """
            INSERT INTO crawl_queue (url, canonical_url, source, discovered_at, via, feed_url, title,
                published_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                url,
                canonical,
                source,
                polled_at,
                via,
                feed_url,
                item.get("title"),
                _as_instant(item.get("published_at")),
            ],
        )
        new_entries += 1
    return new_entries


# feed_state's columns in the order _update_state passes them, with their types.
_STATE_COLUMNS = (
    ("feed_url", "VARCHAR"),
    ("source", "VARCHAR"),
    ("etag", "VARCHAR"),
    ("last_modified", "VARCHAR"),
    ("last_polled_at", "TIMESTAMPTZ"),
    ("last_ok_at", "TIMESTAMPTZ"),
    ("consecutive_failures", "INTEGER"),
    ("last_error", "VARCHAR"),
    ("interval_seconds", "INTEGER"),
    ("next_poll_at", "TIMESTAMPTZ"),
    ("declared_interval_seconds", "INTEGER"),
    ("unchanged_polls", "INTEGER"),
    ("validators_since", "TIMESTAMPTZ"),
    ("unhealthy", "BOOLEAN"),
)


def _update_state(
    conn: duckdb.DuckDBPyConnection,
    poll: dict[str, Any],
    source: str,
    feed_url: str,
    polled_at: datetime,
    failed: bool,
    new_entries: int,
    policy: PollPolicy,
) -> None:
    previous = get_feed_state(conn, feed_url) or {}
    declared = poll.get("declared_interval") or previous.get("declared_interval_seconds")
    if failed:
        etag, last_modified = previous.get("etag"), previous.get("last_modified")
        failures = int(previous.get("consecutive_failures") or 0) + 1
        last_ok_at = previous.get("last_ok_at")
        unchanged = int(previous.get("unchanged_polls") or 0)
    else:
        etag, last_modified = poll.get("etag"), poll.get("last_modified")
        if poll.get("not_modified"):
            # A 304 may omit the validators; the ones that earned it are still good.
            etag = etag or previous.get("etag")
            last_modified = last_modified or previous.get("last_modified")
        failures, last_ok_at = 0, polled_at
        nothing_new = bool(poll.get("not_modified")) or new_entries == 0
        unchanged = int(previous.get("unchanged_polls") or 0) + 1 if nothing_new else 0
    same_validators = (etag, last_modified) == (previous.get("etag"), previous.get("last_modified"))
    validators_since = previous.get("validators_since") if same_validators and previous else polled_at
    interval = next_interval(
        previous.get("interval_seconds"),
        failed=failed,
        failures=failures,
        entries=int(poll.get("entries") or 0),
        new_entries=new_entries,
        not_modified=bool(poll.get("not_modified")),
        declared=declared,
        policy=policy,
    )
    # MERGE rather than INSERT … ON CONFLICT: a DuckLake table has no key to conflict on (warehouse/ducklake.py).
    conn.execute(
        f"""
        MERGE INTO feed_state USING (
            SELECT {", ".join(f"?::{kind} AS {name}" for name, kind in _STATE_COLUMNS)}
        ) AS s ON feed_state.feed_url = s.feed_url
        WHEN MATCHED THEN UPDATE SET {", ".join(f"{name} = s.{name}" for name, _ in _STATE_COLUMNS[1:])}
        WHEN NOT MATCHED THEN INSERT ({", ".join(name for name, _ in _STATE_COLUMNS)})
            VALUES ({", ".join(f"s.{name}" for name, _ in _STATE_COLUMNS)})
        """,
        [
            feed_url,
            source,
            etag,
            last_modified,
            polled_at,
            last_ok_at,
            failures,
            poll.get("error"),
            interval,
            polled_at + timedelta(seconds=interval),
            declared,
            unchanged,
            validators_since,
            failures >= policy.unhealthy_after,
        ],
    )


def pending_urls(
    conn: duckdb.DuckDBPyConnection, *, limit: int | None = None, max_attempts: int = 3
) -> list[dict[str, Any]]:
    """Queued URLs to fetch, oldest first: never tried, or failed fewer than `max_attempts` times."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}")
    cursor = conn.execute(
        """
        SELECT url, source, via FROM crawl_queue
        WHERE status = 'pending' OR (status = 'failed' AND attempts < ?)
        ORDER BY discovered_at, url
        LIMIT ?
        """,
        [max_attempts, limit],
    )
    return _all(cursor)


def feed_health(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per feed: when it was last polled and last answered well, failures in a row, and poll totals."""
    cursor = conn.execute(
        """
        SELECT s.source, s.feed_url, s.last_polled_at, s.last_ok_at, s.consecutive_failures, s.last_error,
            s.interval_seconds, s.next_poll_at, s.unhealthy,
            CASE WHEN s.unhealthy THEN 'unhealthy' WHEN s.consecutive_failures > 0 THEN 'failing' ELSE 'ok' END
                AS health,
            count(p.id) AS polls, coalesce(sum(p.entries), 0)::BIGINT AS entries_total
        FROM feed_state AS s
        LEFT JOIN feed_polls AS p ON p.feed_url = s.feed_url
        GROUP BY ALL
        ORDER BY s.source, s.feed_url
        """
    )
    return _all(cursor)


def _as_instant(value: Any) -> datetime | None:
    """A poll's or feed item's date as an aware datetime (naive = UTC, a date alone = its midnight UTC)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return _as_instant(datetime.fromisoformat(value.strip()))
    except ValueError:
        return None  # feeds write dates every which way; the article page's own date is what counts


def _first(cursor: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    rows = _all(cursor)
    return rows[0] if rows else None


def _all(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
