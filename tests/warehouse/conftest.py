"""Fixtures for the warehouse tests: a fresh warehouse per test, and landing files written to the contract.

The helpers write records exactly as docs/architecture.md describes them (`stanwire.raw_article/1`,
`stanwire.crawl_error/1`) at the paths the crawl uses, so the loader sees what it sees in production. All
article text is invented for these tests.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from warehouse.db import connect

ARTICLE_TEXT = (
    "Kazakhtelecom and Huawei signed an agreement in Astana on Tuesday to build a data centre for "
    "government cloud services.\n\nThe facility is due to open in 2027, the operator said."
)


def article_record(page_url: str, **overrides: Any) -> dict[str, Any]:
    """A raw article record for `page_url`: its url, final_url and canonical_url unless overridden."""
    record: dict[str, Any] = {
        "schema": "stanwire.raw_article/1",
        "source": "steppe-dispatch",
        "url": page_url,
        "final_url": page_url,
        "canonical_url": page_url,
        "title": "Kazakhtelecom and Huawei to build Astana data centre",
        "text": ARTICLE_TEXT,
        "published_at": "2026-11-17T09:30:00+06:00",
        "authors": ["Aigerim Sadykova"],
        "language": "en",
        "fetched_at": "2026-11-17T05:00:00+00:00",
        "http_status": 200,
        "discovered_via": "feed",
        "html_file": "",  # set by write_article
        "extractor": {"version": "1", "title": "json-ld", "date": "json-ld", "body": "trafilatura"},
    }
    record.update(overrides)
    return record


def _key(url: str, content: bytes) -> str:
    return f"{hashlib.sha1(url.encode()).hexdigest()[:16]}-{hashlib.sha1(content).hexdigest()[:8]}"


def _day(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(UTC).date().isoformat()


def write_article(landing: Path, page_url: str, **overrides: Any) -> Path:
    """Write `articles/<fetch day>/<key>.html.gz` and `<key>.json` as the crawl does; return the JSON path."""
    record = article_record(page_url, **overrides)
    html = f"<html><body><h1>{record['title']}</h1><p>{record['text']}</p></body></html>".encode()
    key = _key(record["url"], html)
    folder = landing / "articles" / _day(record["fetched_at"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{key}.html.gz").write_bytes(gzip.compress(html, mtime=0))
    if "html_file" not in overrides:
        record["html_file"] = f"{key}.html.gz"
    path = folder / f"{key}.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def error_record(url: str, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "schema": "stanwire.crawl_error/1",
        "source": "steppe-dispatch",
        "url": url,
        "stage": "fetch",
        "http_status": 503,
        "message": "HTTP 503 Service Unavailable after 2 retries",
        "at": "2026-11-17T05:10:00+00:00",
    }
    record.update(overrides)
    return record


def write_error(landing: Path, url: str, **overrides: Any) -> Path:
    """Write `errors/<day of at>/<key>.json` as the crawl does; return its path."""
    record = error_record(url, **overrides)
    what = f"{record['stage']}|{record['http_status']}|{record['message']}".encode()
    folder = landing / "errors" / _day(record["at"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_key(url, what)}.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def write_raw(landing: Path, relative: str, content: str) -> Path:
    """Write any text as a landing file (for broken files)."""
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def count(conn: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The single value of a one-row, one-column query."""
    row = conn.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0]


TABLES = (
    "articles",
    "landing_files",
    "crawl_errors",
    "feed_state",
    "feed_polls",
    "crawl_queue",
    "organizations",
    "article_organizations",
    "article_countries",
    "events",
    "event_parties",
    "article_topics",
)


def table_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every table, to show that something changed nothing."""
    return {table: count(conn, f"SELECT count(*) FROM {table}") for table in TABLES}


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "home" / "warehouse.duckdb"


@pytest.fixture
def conn(warehouse_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a new warehouse in a temporary directory."""
    connection = connect(warehouse_path)
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "home" / "landing"
    path.mkdir(parents=True)
    return path
