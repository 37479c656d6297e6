"""Crash test: a run killed with SIGKILL at named points of poll, crawl, load and enrich, then run again, ends
with the warehouse an uninterrupted run gives: the same articles, mentions and events, no duplicates, every
landing file loaded, no process left behind.

The kill comes from the run itself (`STANWIRE_CRASH_AT=<point>:<n>`, `spiders.crashpoints`), so it lands at the
same place on every machine; at `landing-file-written` the crawl process kills the run that started it and must
die with it. Two outlets of the demo corpus (English and Russian) keep it to about a minute and a half.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.demo import DEMO_DIR, DEMO_NOW, DemoServer
from tests.e2e.conftest import STANWIRE

pytestmark = pytest.mark.e2e

SOURCES = """\
sources:
  - name: silk-wire
    title: Silk Road Wire
    language: en
    feeds: ["http://stanwire.test/silk-wire/feed.xml"]
    sections: ["http://stanwire.test/silk-wire/tech/"]
    max_pages: 2
  - name: dala
    title: Дала Инфо
    language: ru
    feeds: ["http://stanwire.test/dala/feed.xml"]
"""
# Where the run is killed: `<point>:<n>`, the n-th pass of that point in one process.
POINTS = [
    "poll-feed-fetched:1",  # a feed fetched, no poll recorded
    "poll-recorded:1",  # one feed's poll and queued URLs recorded, the other feed's not
    "landing-file-written:1",  # the crawl's first landing file; the crawl process dies with the run
    "landing-file-written:12",  # in the middle of the first outlet's crawl
    "load-batch-committed:1",  # landing files loaded; duplicates, story clusters and search index not yet
    "enrich-article-saved:1",  # the first article enriched
    "enrich-article-saved:15",  # in the middle of the enrichment
]


def stanwire_run(home: Path, sources: Path, proxy: str, crash_at: str | None = None) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STANWIRE_", "PREFECT_"))}
    env.update(
        STANWIRE_NOW=DEMO_NOW,
        STANWIRE_PROXY=proxy,
        STANWIRE_DOWNLOAD_DELAY="0",
        STANWIRE_AUTOTHROTTLE="false",
        STANWIRE_SOURCES=str(sources),
    )
    if crash_at:
        env["STANWIRE_CRASH_AT"] = crash_at
    proc = subprocess.run(
        [str(STANWIRE), "--home", str(home), "run", "--no-prefect", "--week", "latest"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode not in (0, -9):
        raise AssertionError(f"stanwire run exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc.returncode


def processes_of(home: Path) -> list[str]:
    """Command lines of the processes that name `home` (a run, a crawl process), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended while we looked
            continue
        if f"{home} " in cmdline or f"{home}/" in cmdline:  # not the home of another scenario it prefixes
            found.append(f"{entry.name}: {cmdline}")
    return found


def survivors(home: Path, within: float = 5.0) -> list[str]:
    """The processes of `home` still alive `within` seconds after its run was killed (the kernel's SIGKILL of an
    orphaned crawl takes a moment to be delivered and reaped)."""
    deadline = time.monotonic() + within
    while (left := processes_of(home)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def warehouse_state(home: Path) -> dict[str, Any]:
    conn = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:

        def one(sql: str) -> Any:
            return conn.execute(sql).fetchone()[0]  # type: ignore[index]

        loaded = {
            r[0] for r in conn.execute("SELECT path FROM landing_files WHERE status = 'loaded'").fetchall()
        }
        on_disk = {
            p.relative_to(home / "landing").as_posix()
            for kind in ("articles", "errors")
            for p in (home / "landing" / kind).rglob("*.json")
        }
        return {
            "articles": conn.execute("SELECT id, title, source FROM articles ORDER BY id").fetchall(),
            "stories": conn.execute(
                "SELECT id, story_cluster_id, duplicate_of FROM articles ORDER BY id"
            ).fetchall(),
            "organizations": one("SELECT count(*) FROM organizations"),
            "organization mentions": one("SELECT count(*) FROM article_organizations"),
            "country mentions": one("SELECT count(*) FROM article_countries"),
            "events": one("SELECT count(*) FROM events"),
            "event parties": one("SELECT count(*) FROM event_parties"),
            "topics": one("SELECT count(*) FROM article_topics"),
            "queued URLs": one("SELECT count(*) FROM crawl_queue"),
            "search index": one(
                "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'fts_main_articles'"
            ),
            # What must be zero (or empty) in every home, interrupted or not:
            "duplicate articles": one("SELECT count(*) - count(DISTINCT canonical_url) FROM articles"),
            "duplicate queue rows": one("SELECT count(*) - count(DISTINCT canonical_url) FROM crawl_queue"),
            "duplicate mentions": one(
                "SELECT count(*) FROM (SELECT article_id, org_id FROM article_organizations GROUP BY ALL "
                "HAVING count(*) > 1)"
            ),
            "articles not enriched": one("SELECT count(*) FROM articles WHERE nlp_version IS NULL"),
            "landing files not loaded": sorted(on_disk - loaded),
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_proxy() -> Iterator[str]:
    with DemoServer(DEMO_DIR / "site") as server:
        yield server.proxy


def test_runs_killed_at_every_crash_point_end_like_an_uninterrupted_run(
    demo_proxy: str, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES, encoding="utf-8")

    def reference() -> dict[str, Any]:
        home = tmp_path / "reference"
        assert stanwire_run(home, sources, demo_proxy) == 0
        return warehouse_state(home)

    def crashed(point: str) -> dict[str, Any]:
        home = tmp_path / point.replace(":", "-")
        killed = stanwire_run(home, sources, demo_proxy, crash_at=point)
        left = survivors(home)
        again = stanwire_run(home, sources, demo_proxy)
        conn = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
        runs = [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY id").fetchall()]
        conn.close()
        return {"killed": killed, "left behind": left, "rerun": again, "runs": runs, **warehouse_state(home)}

    with ThreadPoolExecutor(max_workers=2) as pool:
        expected_future = pool.submit(reference)
        outcomes = dict(zip(POINTS, pool.map(crashed, POINTS), strict=True))
        expected = expected_future.result()

    assert len(expected["articles"]) >= 20
    assert expected["organization mentions"] > 0
    assert expected["events"] > 0
    assert expected["search index"] == 1
    differences = []
    for point, got in outcomes.items():
        checks = {
            "killed": (got["killed"], -9),  # the run did die at the point
            "left behind": (got["left behind"], []),
            "rerun": (got["rerun"], 0),
            "runs": (got["runs"], ["interrupted", "ok"]),
            **{key: (got[key], value) for key, value in expected.items()},
        }
        differences += [f"{point}: {key}: {g!r} != {e!r}" for key, (g, e) in checks.items() if g != e]
    assert differences == []
    for key in ("duplicate articles", "duplicate queue rows", "duplicate mentions", "articles not enriched"):
        assert expected[key] == 0
    assert expected["landing files not loaded"] == []
