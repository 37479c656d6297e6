"""Loading landing files: new, unchanged, updated and duplicate articles, crawl errors, bad files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

import warehouse.loader
from tests.warehouse.conftest import count, table_counts, write_article, write_error, write_raw
from warehouse.enrichment import save_enrichment
from warehouse.feeds import record_poll
from warehouse.loader import LoadReport, load_landing

URL = "https://steppe-dispatch.test/news/2026/11/kazakhtelecom-huawei-data-centre"
OTHER_URL = "https://silk-wire.test/business/astana-data-centre-deal"
SYNDICATED_TEXT = (
    "Beeline Kyrgyzstan switched on 120 new 4G base stations in Naryn and Talas regions, the operator said."
)


def article_row(conn: duckdb.DuckDBPyConnection, url: str) -> dict[str, Any]:
    cursor = conn.execute("SELECT * FROM articles WHERE canonical_url = ?", [url])
    row = cursor.fetchone()
    assert row is not None, f"no article for {url}"
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def test_a_new_article_is_stored_with_its_identity_dates_and_files(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    json_path = write_article(landing, URL, url=URL + "?utm_source=rss", final_url=URL)
    report = load_landing(conn, landing)
    assert report == LoadReport(files_seen=1, articles_new=1)
    row = article_row(conn, URL)
    assert row["id"] == hashlib.sha1(URL.encode()).hexdigest()[:16]
    assert row["url"] == URL + "?utm_source=rss"
    assert row["source"] == "steppe-dispatch"
    # 09:30 in Astana (+06:00) is 03:30 UTC; the date stays the outlet's own.
    assert row["published_at"] == dt.datetime(2026, 11, 17, 3, 30, tzinfo=dt.UTC)
    assert row["published_date"] == dt.date(2026, 11, 17)
    assert row["authors"] == ["Aigerim Sadykova"]
    assert row["fetched_at"] == dt.datetime(2026, 11, 17, 5, 0, tzinfo=dt.UTC)
    # First seen when first fetched, not when the loader ran: the views read the same on any day.
    assert row["first_seen_at"] == row["fetched_at"]
    assert row["date_note"] is None
    normalised = " ".join(str(row["text"]).split())
    assert row["content_hash"] == hashlib.sha256(normalised.encode()).hexdigest()
    assert row["duplicate_of"] is None
    assert row["nlp_version"] is None
    relative = json_path.relative_to(landing).as_posix()
    assert row["landing_file"] == relative
    assert row["html_file"] == relative.replace(".json", ".html.gz")
    assert (landing / str(row["html_file"])).is_file()
    assert conn.execute("SELECT path, kind, status, message FROM landing_files").fetchall() == [
        (relative, "article", "loaded", None)
    ]


def test_the_outlets_calendar_date_is_kept_across_midnight_utc(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    write_article(landing, URL, published_at="2026-11-18T01:15:00+05:00")  # still the 17th in UTC
    write_article(landing, OTHER_URL, published_at="2026-11-16", text="Tajik Telecom lays fibre to Khorog.")
    load_landing(conn, landing)
    assert article_row(conn, URL)["published_date"] == dt.date(2026, 11, 18)
    assert article_row(conn, URL)["published_at"] == dt.datetime(2026, 11, 17, 20, 15, tzinfo=dt.UTC)
    date_only = article_row(conn, OTHER_URL)
    assert date_only["published_date"] == dt.date(2026, 11, 16)
    assert date_only["published_at"] is None  # no time given: no instant made up


def test_an_undated_article_keeps_the_extractors_reason(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    note = "json-ld 2027-01-05 is 49 days after the page was fetched (2026-11-17): no publication date"
    extractor = {"version": "3", "title": "json-ld", "date": None, "body": "trafilatura", "date_note": note}
    write_article(landing, URL, published_at=None, extractor=extractor)
    write_article(landing, OTHER_URL, published_at=None, text="Tajik Telecom lays fibre to Khorog.")
    load_landing(conn, landing)
    undated = article_row(conn, URL)
    assert (undated["published_date"], undated["date_note"]) == (None, note)
    assert article_row(conn, OTHER_URL)["date_note"] is None


def test_loading_the_same_files_again_changes_nothing(conn: duckdb.DuckDBPyConnection, landing: Path) -> None:
    write_article(landing, URL)
    write_article(landing, OTHER_URL, text=SYNDICATED_TEXT)
    write_error(landing, "https://steppe-dispatch.test/news/2026/11/gone")
    write_raw(landing, "articles/2026-11-17/broken.json", "{not json")
    first = load_landing(conn, landing)
    assert (first.articles_new, first.errors_loaded, len(first.files_failed)) == (2, 1, 1)
    before = table_counts(conn)
    second = load_landing(conn, landing)
    assert second == LoadReport(files_seen=4, files_skipped=4)
    assert table_counts(conn) == before


def test_changed_text_updates_the_article_and_clears_its_enrichment(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    write_article(landing, URL)
    load_landing(conn, landing)
    article_id = article_row(conn, URL)["id"]
    analysis = {"id": article_id, "organizations": [], "countries": [], "events": [], "topics": ["telecom"]}
    save_enrichment(conn, str(article_id), analysis, "nlp-1")
    corrected = "Kazakhtelecom and Huawei signed a memorandum (not a contract) on an Astana data centre."
    write_article(landing, URL, text=corrected, title="Correction", fetched_at="2026-11-18T07:00:00+00:00")

    report = load_landing(conn, landing)
    assert (report.files_skipped, report.articles_updated, report.articles_new) == (1, 1, 0)
    row = article_row(conn, URL)
    assert row["text"] == corrected
    assert row["title"] == "Correction"
    assert row["nlp_version"] is None
    assert row["enriched_at"] is None
    assert row["landing_file"].startswith("articles/2026-11-18/")
    # first seen at the first fetch, updated at the fetch that brought the correction
    assert row["first_seen_at"] == dt.datetime(2026, 11, 17, 5, 0, tzinfo=dt.UTC)
    assert row["updated_at"] == dt.datetime(2026, 11, 18, 7, 0, tzinfo=dt.UTC)
    assert count(conn, "SELECT count(*) FROM article_topics") == 0
    assert count(conn, "SELECT count(*) FROM articles") == 1


def test_an_older_fetch_loaded_later_does_not_overwrite_newer_text(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    write_article(landing, URL, text="Newest text of the story.", fetched_at="2026-11-17T08:00:00+00:00")
    write_article(landing, URL, text="Older text of the story.", fetched_at="2026-11-17T06:00:00+00:00")
    report = load_landing(conn, landing)
    assert report.articles_new + report.articles_unchanged == 2
    assert article_row(conn, URL)["text"] == "Newest text of the story."


def test_the_same_text_at_another_url_is_a_duplicate_of_the_first(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    write_article(landing, URL, text=SYNDICATED_TEXT)
    load_landing(conn, landing)
    # Same words, wrapped differently by the second outlet.
    write_article(landing, OTHER_URL, source="silk-wire", text=SYNDICATED_TEXT.replace(" ", "\n  ", 3))
    report = load_landing(conn, landing)
    assert (report.articles_new, report.articles_duplicate) == (0, 1)
    original, copy = article_row(conn, URL), article_row(conn, OTHER_URL)
    assert copy["duplicate_of"] == original["id"]
    assert original["duplicate_of"] is None
    third = "https://toolor.test/ru/news/beeline-naryn"
    write_article(landing, third, source="toolor", text=SYNDICATED_TEXT)
    load_landing(conn, landing)
    assert article_row(conn, third)["duplicate_of"] == original["id"]  # always the first, never a chain


def test_empty_texts_are_not_duplicates_of_each_other(conn: duckdb.DuckDBPyConnection, landing: Path) -> None:
    write_article(landing, URL, text="")
    write_article(landing, OTHER_URL, text="  ")
    report = load_landing(conn, landing)
    assert (report.articles_new, report.articles_duplicate) == (2, 0)


def test_copies_of_an_article_whose_text_changed_get_a_new_original(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    third = "https://toolor.test/ru/news/beeline-naryn"
    write_article(landing, URL, text=SYNDICATED_TEXT)
    load_landing(conn, landing)
    write_article(landing, OTHER_URL, text=SYNDICATED_TEXT)
    write_article(landing, third, text=SYNDICATED_TEXT)
    load_landing(conn, landing)
    write_article(landing, URL, text="The story was rewritten.", fetched_at="2026-11-19T05:00:00+00:00")
    load_landing(conn, landing)
    rows = dict(conn.execute("SELECT canonical_url, duplicate_of FROM articles").fetchall())
    assert rows[URL] is None
    originals = [u for u in (OTHER_URL, third) if rows[u] is None]
    assert len(originals) == 1  # one copy became the original of the text
    other = next(u for u in (OTHER_URL, third) if u not in originals)
    assert rows[other] == article_row(conn, originals[0])["id"]


def test_bad_files_are_recorded_as_failed_and_the_rest_of_the_batch_loads(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    write_article(landing, URL)
    day = "articles/2026-11-17"
    write_raw(landing, f"{day}/aaa-invalid.json", '{"schema": "stanwire.raw_article/1", "url": ')
    write_raw(landing, f"{day}/bbb-schema.json", json.dumps({"schema": "stanwire.raw_article/0", "url": URL}))
    good = write_article(landing, OTHER_URL, text="Uzbektelecom extends fibre to Karakalpakstan.")
    missing = {k: v for k, v in json.loads(good.read_text()).items() if k != "text"}
    (landing / day / "ccc-missing.json").write_text(json.dumps(missing))
    write_raw(landing, f"{day}/ddd-date.json", json.dumps({**missing, "text": "x", "published_at": "17 Nov"}))
    write_raw(landing, f"{day}/eee-list.json", "[1, 2]")
    (landing / day / "fff-notutf8.json").write_bytes(b'{"title": "\xff"}')
    write_raw(landing, "errors/2026-11-17/ggg-stage.json", json.dumps({**_error(), "stage": "parse"}))

    report = load_landing(conn, landing, batch_size=3)
    failed = dict(report.files_failed)
    assert failed == {
        f"{day}/aaa-invalid.json": "invalid JSON: Expecting value at line 1 column 45",
        f"{day}/bbb-schema.json": "schema is 'stanwire.raw_article/0', expected 'stanwire.raw_article/1'",
        f"{day}/ccc-missing.json": "missing field: text",
        f"{day}/ddd-date.json": "published_at '17 Nov' is not an ISO 8601 date or date-time",
        f"{day}/eee-list.json": "expected a JSON object, found list '[1, 2]'",
        f"{day}/fff-notutf8.json": "not UTF-8 text (byte 11)",
        "errors/2026-11-17/ggg-stage.json": "stage 'parse' is not one of fetch, extract, robots, offsite",
    }
    assert report.articles_new == 2  # both good articles, in batches shared with bad files
    stored = dict(conn.execute("SELECT path, message FROM landing_files WHERE status = 'failed'").fetchall())
    assert stored == failed
    assert load_landing(conn, landing).files_skipped == 9  # a bad file is not re-read until it changes

    write_raw(landing, f"{day}/ccc-missing.json", json.dumps({**missing, "text": "Fixed text."}))
    fixed = load_landing(conn, landing)
    assert (fixed.files_skipped, fixed.articles_updated, fixed.files_failed) == (8, 1, [])
    assert count(conn, f"SELECT status FROM landing_files WHERE path = '{day}/ccc-missing.json'") == "loaded"


def test_mistyped_fields_are_named(conn: duckdb.DuckDBPyConnection, landing: Path) -> None:
    write_article(landing, URL, authors="Aigerim Sadykova")
    write_article(landing, OTHER_URL, http_status="200", discovered_via="feed")
    report = load_landing(conn, landing)
    assert sorted(m for _, m in report.files_failed) == [
        "authors must be a list of strings, not string 'Aigerim Sadykova'",
        "http_status must be an integer, not string '200'",
    ]
    assert count(conn, "SELECT count(*) FROM articles") == 0


def _error(**overrides: object) -> dict[str, object]:
    from tests.warehouse.conftest import error_record

    return error_record("https://steppe-dispatch.test/news/x", **overrides)


def _queue(conn: duckdb.DuckDBPyConnection, *urls: str) -> None:
    poll = {
        "source": "steppe-dispatch",
        "feed_url": "https://steppe-dispatch.test/rss",
        "polled_at": dt.datetime(2026, 11, 17, 4, 0, tzinfo=dt.UTC),
        "http_status": 200,
        "bytes": 1000,
        "entries": len(urls),
        "error": None,
        "etag": None,
        "last_modified": None,
        "not_modified": False,
        "items": [{"url": u, "title": None, "published_at": None, "summary": None} for u in urls],
    }
    assert record_poll(conn, poll) == len(urls)


def test_crawl_errors_are_stored_and_fail_their_queue_entry(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    gone = "https://steppe-dispatch.test/news/2026/11/gone"
    _queue(conn, gone, URL)
    write_error(landing, gone)
    write_error(
        landing, gone, at="2026-11-18T05:00:00+00:00", stage="extract", http_status=None, message="no body"
    )
    write_error(landing, "https://steppe-dispatch.test/section/telecom", stage="robots", http_status=None)
    report = load_landing(conn, landing)
    assert report.errors_loaded == 3
    assert conn.execute(
        "SELECT url, stage, http_status, failed_at FROM crawl_errors ORDER BY failed_at, stage"
    ).fetchall() == [
        (gone, "fetch", 503, dt.datetime(2026, 11, 17, 5, 10, tzinfo=dt.UTC)),
        (
            "https://steppe-dispatch.test/section/telecom",
            "robots",
            None,
            dt.datetime(2026, 11, 17, 5, 10, tzinfo=dt.UTC),
        ),
        (gone, "extract", None, dt.datetime(2026, 11, 18, 5, 0, tzinfo=dt.UTC)),
    ]
    queue = {
        r[0]: r[1:]
        for r in conn.execute("SELECT url, status, attempts, last_error FROM crawl_queue").fetchall()
    }
    assert queue[gone][:2] == ("failed", 2)
    assert queue[gone][2] in ("fetch: HTTP 503 Service Unavailable after 2 retries", "extract: no body")
    assert queue[URL] == ("pending", 0, None)


def test_a_loaded_article_marks_its_queued_url_done(conn: duckdb.DuckDBPyConnection, landing: Path) -> None:
    feed_link = "https://steppe-dispatch.test/go/40277"
    _queue(conn, feed_link, OTHER_URL)
    write_article(landing, URL, url=feed_link, final_url=URL)
    write_error(landing, feed_link)  # an earlier failed fetch, loaded after the article: stays done
    write_article(
        landing, OTHER_URL + "?ref=home", final_url=OTHER_URL, canonical_url=OTHER_URL, text="Other."
    )
    load_landing(conn, landing)
    assert dict(conn.execute("SELECT url, status FROM crawl_queue").fetchall()) == {
        feed_link: "done",
        OTHER_URL: "done",
    }


def test_a_database_error_rolls_back_the_batch_and_only_that_file_fails(
    conn: duckdb.DuckDBPyConnection, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_article(landing, URL)
    write_article(landing, OTHER_URL, text="A second story.")
    write_error(landing, "https://steppe-dispatch.test/news/2026/11/gone")
    real_store = warehouse.loader._store_articles

    def store_or_fail(
        connection: duckdb.DuckDBPyConnection, rows: list[warehouse.loader.ArticleRow]
    ) -> list[str]:
        if any(row.canonical_url == OTHER_URL for row in rows):
            connection.execute("INSERT INTO articles (id) VALUES (NULL)")  # violates NOT NULL
        return real_store(connection, rows)  # type: ignore[return-value]

    monkeypatch.setattr(warehouse.loader, "_store_articles", store_or_fail)
    report = load_landing(conn, landing)
    assert (report.articles_new, report.errors_loaded) == (1, 1)
    [(path, message)] = report.files_failed
    assert path.endswith(".json")
    assert message.startswith("database error (the next load retries it):")
    assert "NOT NULL" in message
    assert [r[0] for r in conn.execute("SELECT canonical_url FROM articles").fetchall()] == [URL]
    assert count(conn, "SELECT count(*) FROM landing_files") == 2  # the refused file is tried again next time

    monkeypatch.setattr(warehouse.loader, "_store_articles", real_store)
    retry = load_landing(conn, landing)
    assert (retry.files_skipped, retry.articles_new, retry.files_failed) == (2, 1, [])


def test_a_missing_landing_folder_loads_nothing(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    assert load_landing(conn, tmp_path / "no-landing-yet") == LoadReport()
