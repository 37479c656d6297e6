"""The poll stage against a local server: conditional GET, distrust of validators that never change, and
feeds skipped until they are due."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from rich.console import Console

from pipelines import stages
from pipelines.clock import Clock
from pipelines.report import print_poll
from pipelines.settings import Settings
from pipelines.sources import Source
from warehouse.db import connect
from warehouse.feeds import feed_health

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Steppe</title><link>http://127.0.0.1/</link><ttl>120</ttl>
<item><title>Tcell and Huawei sign 5G deal</title><link>http://127.0.0.1/news/2026/11/tcell-huawei-5g</link>
<pubDate>Mon, 16 Nov 2026 09:00:00 +0600</pubDate></item>
</channel></rss>"""


# Four articles in seven entries: one of them three more times, with tracking parameters, a fragment and an
# upper-case host, another once more without its trailing slash.
DUPES = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Steppe</title><link>http://127.0.0.1/</link>
<item><title>A</title><link>http://127.0.0.1/news/a/</link></item>
<item><title>A</title><link>http://127.0.0.1/news/a/?utm_source=rss&amp;utm_medium=feed</link></item>
<item><title>A</title><link>http://127.0.0.1/news/a/#comments</link></item>
<item><title>A</title><link>HTTP://127.0.0.1/news/a/?utm_campaign=x</link></item>
<item><title>B</title><link>http://127.0.0.1/news/b/</link></item>
<item><title>B</title><link>http://127.0.0.1/news/b</link></item>
<item><title>C</title><link>http://127.0.0.1/news/c/?id=7&amp;utm_source=tg</link></item>
<item><title>D</title><link>http://127.0.0.1/news/d/</link></item>
</channel></rss>"""

NOON = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


def at(moment: datetime) -> Clock:
    """A clock stopped at `moment`."""
    return lambda: moment


class Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[str | None]] = []
    paths: ClassVar[list[str]] = []
    dribbling: ClassVar[threading.Event] = threading.Event()

    def do_GET(self) -> None:
        Handler.seen.append(self.headers.get("If-None-Match"))
        Handler.paths.append(self.path)
        if self.path == "/slow":
            self._dribble()
            return
        if self.path == "/busy-once":
            if sum(1 for p in Handler.paths if p == self.path) == 1:
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._send_feed(FEED)
            return
        if self.path == "/empty":
            self._send_feed(
                b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
            )
            return
        if self.path == "/dupes":
            self._send_feed(DUPES)
            return
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", '"v1"')
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)

    def _send_feed(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _dribble(self) -> None:
        """A feed one byte every 0.2 s: each read is quick, the whole document would take minutes."""
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(FEED) * 100))
        self.end_headers()
        Handler.dribbling.set()
        ends = time.monotonic() + 30
        try:
            for byte in FEED * 100:
                if time.monotonic() > ends:
                    break
                self.wfile.write(bytes([byte]))
                time.sleep(0.2)
        except OSError:
            pass  # the poller hung up

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def feed_url() -> Iterator[str]:
    Handler.seen = []
    Handler.paths = []
    Handler.dribbling = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/rss"
    server.shutdown()
    server.server_close()


def test_validators_are_used_then_distrusted_after_polls_with_nothing_new(
    tmp_path: Path, feed_url: str
) -> None:
    settings = Settings(home=tmp_path / "home", sources=tmp_path / "s.yaml", stale_validator_polls=2)
    source = Source(name="steppe", title="Steppe", language="en", feeds=(feed_url,))
    first = stages.poll(settings, [source], clock=at(NOON))
    assert first.new_entries == 1
    for hour in range(1, 4):
        stages.poll(settings, [source], clock=at(NOON + timedelta(hours=hour)), every_feed=True)
    # 1st: no validators yet; 2nd and 3rd: conditional, 304 (nothing new twice); 4th: unconditional on purpose.
    assert Handler.seen == [None, '"v1"', '"v1"', None]
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        polls = conn.execute("SELECT conditional, not_modified FROM feed_polls ORDER BY id").fetchall()
        interval = conn.execute("SELECT interval_seconds FROM feed_state").fetchone()
    finally:
        conn.close()
    assert polls == [(False, False), (True, True), (True, True), (False, False)]
    assert interval is not None
    assert interval[0] >= 7200  # never more often than the feed's <ttl>120</ttl>


def test_a_feed_not_due_is_skipped_unless_every_feed_is_asked_for(tmp_path: Path, feed_url: str) -> None:
    settings = Settings(home=tmp_path / "home", sources=tmp_path / "s.yaml")
    source = Source(name="steppe", title="Steppe", language="en", feeds=(feed_url,))
    stages.poll(settings, [source], clock=at(NOON))
    later = stages.poll(settings, [source], clock=at(NOON + timedelta(minutes=1)))
    assert (later.skipped, len(later.feeds)) == (1, 0)
    assert len(stages.poll(settings, [source], clock=at(NOON), every_feed=True).feeds) == 1
    assert len(Handler.seen) == 2
    # Due again once the feed's interval (at least its <ttl> of 2 hours) has passed since the last poll.
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        row = conn.execute("SELECT next_poll_at FROM feed_state").fetchone()
    finally:
        conn.close()
    assert row is not None
    next_poll = row[0]
    assert next_poll >= NOON + timedelta(hours=2)
    assert stages.poll(settings, [source], clock=at(next_poll - timedelta(seconds=1))).skipped == 1
    assert len(stages.poll(settings, [source], clock=at(next_poll)).feeds) == 1
    assert len(Handler.seen) == 3


def test_a_feed_that_never_finishes_is_a_recorded_failure_and_the_warehouse_stays_readable(
    tmp_path: Path, feed_url: str
) -> None:
    # No retries here: each attempt is bounded the same way, and one is enough to show it.
    settings = Settings(home=tmp_path / "home", sources=tmp_path / "s.yaml", poll_timeout=3, poll_retries=0)
    slow = feed_url.replace("/rss", "/slow")
    sources = [
        Source(name="slow", title="Slow", language="en", feeds=(slow,)),
        Source(name="steppe", title="Steppe", language="en", feeds=(feed_url,)),
    ]
    # While the slow feed is being fetched, another process (an analyst's `stanwire sql`) opens the warehouse.
    reader: dict[str, subprocess.CompletedProcess[str]] = {}

    def read_while_polling() -> None:
        if Handler.dribbling.wait(timeout=10):
            reader["sql"] = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sys, duckdb; duckdb.connect(sys.argv[1], read_only=True).execute('SELECT 1')",
                    str(settings.warehouse_path),
                ],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )

    thread = threading.Thread(target=read_while_polling)
    thread.start()
    started = time.monotonic()
    report = stages.poll(settings, sources, clock=at(NOON))
    took = time.monotonic() - started
    thread.join()
    assert took < settings.poll_timeout + 3
    assert reader["sql"].returncode == 0, reader["sql"].stderr
    assert [(f.source, f.error) for f in report.feeds] == [
        ("slow", "timed out after 3 s (total)"),
        ("steppe", None),
    ]
    assert (report.feeds_ok, report.feeds_failed) == (1, 1)
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        polls = conn.execute("SELECT source, error FROM feed_polls ORDER BY source").fetchall()
        health = {row["source"]: row["health"] for row in feed_health(conn)}
    finally:
        conn.close()
    assert polls == [("slow", "timed out after 3 s (total)"), ("steppe", None)]
    assert health == {"slow": "failing", "steppe": "ok"}


def test_a_feed_redirecting_to_the_metadata_address_is_a_recorded_failure(
    tmp_path: Path, feed_url: str
) -> None:
    settings = Settings(home=tmp_path / "home", sources=tmp_path / "s.yaml")
    moved = feed_url.replace("/rss", "/moved")
    # allowed_domains as sources.yaml gives it by default: the hosts of the source's URLs.
    source = Source(
        name="steppe", title="Steppe", language="en", feeds=(moved,), allowed_domains=("127.0.0.1",)
    )
    report = stages.poll(settings, [source], clock=at(NOON))
    message = "redirect to http://169.254.169.254/latest/meta-data/ refused: link-local address"
    assert [(f.http_status, f.error) for f in report.feeds] == [(302, message)]
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        assert conn.execute("SELECT http_status, error FROM feed_polls").fetchall() == [(302, message)]
    finally:
        conn.close()


def test_an_article_listed_several_ways_is_queued_once(tmp_path: Path, feed_url: str) -> None:
    settings = Settings(home=tmp_path / "home", sources=tmp_path / "s.yaml")
    dupes = feed_url.replace("/rss", "/dupes")
    source = Source(name="steppe", title="Steppe", language="en", feeds=(dupes,))
    report = stages.poll(settings, [source], clock=at(NOON))
    assert [(f.entries, f.new_entries) for f in report.feeds] == [(8, 4)]
    # Listed again later with other tracking parameters: nothing new.
    again = stages.poll(settings, [source], clock=at(NOON + timedelta(hours=3)), every_feed=True)
    assert [f.new_entries for f in again.feeds] == [0]
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        rows = conn.execute("SELECT url, canonical_url FROM crawl_queue ORDER BY url").fetchall()
    finally:
        conn.close()
    # One row per article, fetched at the URL the feed gave first, without tracking parameters or fragment.
    assert rows == [
        ("http://127.0.0.1/news/a/", "http://127.0.0.1/news/a"),
        ("http://127.0.0.1/news/b/", "http://127.0.0.1/news/b"),
        ("http://127.0.0.1/news/c/?id=7", "http://127.0.0.1/news/c?id=7"),
        ("http://127.0.0.1/news/d/", "http://127.0.0.1/news/d"),
    ]


def test_a_well_formed_empty_feed_is_a_healthy_poll_with_a_note(tmp_path: Path, feed_url: str) -> None:
    settings = Settings(home=tmp_path / "home", sources=tmp_path / "s.yaml")
    source = Source(name="quiet", title="Quiet", language="en", feeds=(feed_url.replace("/rss", "/empty"),))
    report = stages.poll(settings, [source], clock=at(NOON))
    assert (report.feeds_ok, report.feeds_failed) == (1, 0)
    assert [(f.entries, f.error, f.note) for f in report.feeds] == [(0, None, "feed lists no entries")]
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        polls = conn.execute("SELECT entries, error, note FROM feed_polls").fetchall()
        health = [(row["health"], row["consecutive_failures"]) for row in feed_health(conn)]
    finally:
        conn.close()
    assert polls == [(0, None, "feed lists no entries")]
    assert health == [("ok", 0)]


def test_every_feed_means_none_is_reported_as_not_due(tmp_path: Path, feed_url: str) -> None:
    settings = Settings(home=tmp_path / "home", sources=tmp_path / "s.yaml")
    # The same feed listed twice (a copy-paste in sources.yaml) is polled once, and nothing is "not due".
    source = Source(name="steppe", title="Steppe", language="en", feeds=(feed_url, feed_url))
    report = stages.poll(settings, [source], clock=at(NOON), every_feed=True)
    assert (len(report.feeds), report.skipped) == (1, 0)
    console = Console(record=True, width=200)
    print_poll(console, report)
    assert "not due" not in console.export_text()
    later = stages.poll(settings, [source], clock=at(NOON + timedelta(minutes=1)))
    assert (len(later.feeds), later.skipped) == (0, 1)
    print_poll(console, later)
    assert "1 feed not due yet" in console.export_text()


def test_a_feed_answering_503_once_is_asked_again_and_recorded_once(
    tmp_path: Path, feed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stages, "POLL_RETRY_DELAY", 0.0)
    settings = Settings(home=tmp_path / "home", sources=tmp_path / "s.yaml")
    source = Source(
        name="steppe", title="Steppe", language="en", feeds=(feed_url.replace("/rss", "/busy-once"),)
    )
    report = stages.poll(settings, [source], clock=at(NOON))
    assert [(f.http_status, f.error, f.new_entries) for f in report.feeds] == [(200, None, 1)]
    assert Handler.paths == ["/busy-once", "/busy-once"]
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        polls = conn.execute("SELECT http_status, error FROM feed_polls").fetchall()
    finally:
        conn.close()
    assert polls == [(200, None)]
