"""Totals, the digest's data for one week (checked by hand on a small dataset), and the user's own SQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.warehouse.conftest import write_article
from warehouse.db import load_fts
from warehouse.enrichment import save_enrichment
from warehouse.errors import QueryError, WarehouseError
from warehouse.loader import load_landing
from warehouse.queries import digest_data, latest_published_date, run_query, summary_counts
from warehouse.records import article_id

MONDAY, SUNDAY = dt.date(2026, 11, 16), dt.date(2026, 11, 22)
A1 = "https://steppe-dispatch.test/news/kazakhtelecom-huawei-data-centre"
A2 = "https://silk-wire.test/business/astana-data-centre-deal"  # the same text as A1
A3 = "https://dala.test/ru/news/uzbekistan-vpn"
A4 = "https://toolor.test/news/huawei-bishkek-5g"
A5 = "https://steppe-dispatch.test/news/beeline-huawei-towers"
A6 = "https://silk-wire.test/business/undated-feature"


def org(name: str, gaz_id: str | None, mentions: int, kind: str | None = "vendor") -> dict[str, Any]:
    return {
        "name": name,
        "canonical": name,
        "id": gaz_id,
        "kind": kind,
        "country": None,
        "mentions": mentions,
    }


def country(code: str, name: str, mentions: int) -> dict[str, Any]:
    return {"code": code, "name": name, "mentions": mentions}


def party(name: str, kind: str, code: str | None) -> dict[str, Any]:
    return {"name": name, "canonical": name, "kind": kind, "code": code}


def event(kind: str, subtype: str, sentence: str, *parties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": kind,
        "subtype": subtype,
        "status": "signed" if kind == "agreement" else "in_force",
        "parties": list(parties),
        "date": None,
        "date_text": None,
        "subject": "data centre" if kind == "agreement" else "VPN services",
        "sentence": sentence,
        "confidence": 0.8,
    }


def save(
    conn: duckdb.DuckDBPyConnection, url: str, orgs: list[Any], countries: list[Any], events: list[Any]
) -> None:
    aid = article_id(url)
    analysis = {
        "id": aid,
        "language": "en",
        "organizations": orgs,
        "countries": countries,
        "events": events,
        "topics": [],
    }
    save_enrichment(conn, aid, analysis, "nlp-test")


@pytest.fixture
def week_data(conn: duckdb.DuckDBPyConnection, landing: Path) -> duckdb.DuckDBPyConnection:
    """Six articles around the week of 16–22 Nov 2026; the expected digest numbers are worked out in the tests."""
    write_article(
        landing, A1, published_at="2026-11-17T09:30:00+06:00", title="Kazakhtelecom and Huawei deal"
    )
    write_article(landing, A2, source="silk-wire", published_at="2026-11-17T10:00:00+06:00")  # copy of A1
    write_article(
        landing, A3, source="dala", published_at="2026-11-16", text="Uzkomnazorat restricted VPN services."
    )
    # 00:30 on the 23rd in Bishkek is still the 22nd in UTC: the outlet's date puts it in the next week.
    write_article(
        landing, A4, source="toolor", published_at="2026-11-23T00:30:00+06:00", text="Huawei 5G in Bishkek."
    )
    write_article(landing, A5, published_at="2026-11-22T23:00:00+05:00", text="Beeline buys Huawei radios.")
    write_article(landing, A6, source="silk-wire", published_at=None, text="An undated feature.")
    assert load_landing(conn, landing).articles_duplicate == 1

    deal = event(
        "agreement",
        "construction",
        "Kazakhtelecom and Huawei signed a deal.",
        party("Kazakhtelecom", "organization", "kazakhtelecom"),
        party("Huawei", "organization", "huawei"),
    )
    save(
        conn,
        A1,
        [org("Huawei", "huawei", 3), org("Kazakhtelecom", "kazakhtelecom", 2, "operator")],
        [country("KZ", "Kazakhstan", 2), country("CN", "China", 1)],
        [deal],
    )
    # A copy is never enriched by the pipeline; saved here to show the digest and views leave it out anyway.
    save(conn, A2, [org("Huawei", "huawei", 3)], [country("KZ", "Kazakhstan", 2)], [deal])
    vpn_ban = event(
        "censorship",
        "vpn_ban",
        "Uzkomnazorat restricted VPN services.",
        party("Uzkomnazorat", "organization", None),
        party("Uzbekistan", "country", "UZ"),
    )
    save(conn, A3, [org("Uzkomnazorat", None, 1, None)], [country("UZ", "Uzbekistan", 3)], [vpn_ban])
    five_g = event(
        "agreement", "supply", "Huawei will supply 5G equipment.", party("Huawei", "organization", "huawei")
    )
    save(conn, A4, [org("Huawei", "huawei", 1)], [country("KG", "Kyrgyzstan", 1)], [five_g])
    save(
        conn,
        A5,
        [org("Huawei", "huawei", 1), org("Beeline", "beeline", 2, "operator")],
        [country("KZ", "Kazakhstan", 1), country("KG", "Kyrgyzstan", 1)],
        [],
    )
    return conn


def test_digest_data_for_one_week(week_data: duckdb.DuckDBPyConnection) -> None:
    data = digest_data(week_data, MONDAY, SUNDAY)
    # In the week by the outlet's date, copies left out: A1 (17th), A3 (16th), A5 (22nd).
    assert (data.articles, data.outlets) == (3, 2)
    assert [(a["published_date"], a["source"], a["url"]) for a in data.article_list] == [
        (dt.date(2026, 11, 16), "dala", A3),
        (dt.date(2026, 11, 17), "steppe-dispatch", A1),
        (dt.date(2026, 11, 22), "steppe-dispatch", A5),
    ]
    [agreement] = data.agreements  # A4's is next week's; A2's is a copy
    assert (agreement["parties"], agreement["party_codes"], agreement["article_id"]) == (
        "Kazakhtelecom; Huawei",
        ["kazakhtelecom", "huawei"],
        article_id(A1),
    )
    assert (agreement["title"], agreement["published_date"]) == (
        "Kazakhtelecom and Huawei deal",
        dt.date(2026, 11, 17),
    )
    [ban] = data.censorship_events
    assert (ban["subtype"], ban["parties"], ban["actor_countries"], ban["actor_organizations"]) == (
        "vpn_ban",
        "Uzkomnazorat; Uzbekistan",
        ["UZ"],
        ["unk:uzkomnazorat"],
    )
    # huawei: A1 (3) + A5 (1) = 2 articles, 4 mentions; ties on articles and mentions go by name.
    assert [(o["id"], o["articles"], o["mentions"]) for o in data.top_organizations] == [
        ("huawei", 2, 4),
        ("beeline", 1, 2),
        ("kazakhtelecom", 1, 2),
        ("unk:uzkomnazorat", 1, 1),
    ]
    assert data.top_organizations[0]["name"] == "Huawei"
    assert data.top_organizations[0]["kind"] == "vendor"
    # KZ: A1 + A5; UZ: 1 article, 3 mentions; CN and KG: 1 article, 1 mention each (A4's KG is next week's).
    assert [(c["code"], c["name"], c["articles"]) for c in data.top_countries] == [
        ("KZ", "Kazakhstan", 2),
        ("UZ", "Uzbekistan", 1),
        ("CN", "China", 1),
        ("KG", "Kyrgyzstan", 1),
    ]
    assert [c["code"] for c in digest_data(week_data, MONDAY, SUNDAY, top=2).top_countries] == ["KZ", "UZ"]


def test_digest_data_of_an_empty_week(week_data: duckdb.DuckDBPyConnection) -> None:
    data = digest_data(week_data, dt.date(2026, 1, 5), dt.date(2026, 1, 11))
    assert (data.articles, data.outlets, data.agreements, data.top_organizations, data.article_list) == (
        0,
        0,
        [],
        [],
        [],
    )


def test_summary_counts(week_data: duckdb.DuckDBPyConnection) -> None:
    assert summary_counts(week_data) == {
        "articles": 6,
        "duplicates": 1,
        "sources": 4,
        "articles_enriched": 5,
        "organizations": 4,  # huawei, kazakhtelecom, beeline, unk:uzkomnazorat
        "countries": 4,  # KZ, CN, UZ, KG
        "agreement_events": 3,
        "censorship_events": 1,
        "feed_polls_ok": 0,
        "feed_polls_failed": 0,
        "crawl_errors": 0,
        "urls_pending": 0,
    }
    assert latest_published_date(week_data) == dt.date(2026, 11, 23)


def test_run_query_returns_columns_and_rows(
    week_data: duckdb.DuckDBPyConnection, warehouse_path: Path
) -> None:
    week_data.close()  # as the CLI does: nobody writes while the analyst reads
    result = run_query(
        warehouse_path, "SELECT source, count(*) AS n FROM articles GROUP BY source ORDER BY n DESC, source"
    )
    assert result.columns == ["source", "n"]
    assert result.rows == [("silk-wire", 2), ("steppe-dispatch", 2), ("dala", 1), ("toolor", 1)]


def test_run_query_errors_are_one_line(warehouse_path: Path, conn: duckdb.DuckDBPyConnection) -> None:
    conn.close()
    with pytest.raises(QueryError) as syntax:
        run_query(warehouse_path, "SELEC count(*) FROM articles")
    assert str(syntax.value) == 'Parser Error: syntax error at or near "SELEC"'
    with pytest.raises(QueryError, match="read-only") as write:
        run_query(warehouse_path, "DELETE FROM articles")
    assert "\n" not in str(write.value)
    with pytest.raises(QueryError, match="Table with name nope does not exist") as missing:
        run_query(warehouse_path, "SELECT * FROM nope")
    assert "\n" not in str(missing.value)
    with pytest.raises(QueryError, match="empty"):
        run_query(warehouse_path, "  ")


def test_run_query_on_a_missing_warehouse(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="no warehouse at"):
        run_query(tmp_path / "missing.duckdb", "SELECT 1")


def test_run_query_can_search_a_full_text_index(
    week_data: duckdb.DuckDBPyConnection, warehouse_path: Path
) -> None:
    load_fts(week_data)
    week_data.execute("PRAGMA create_fts_index('articles', 'id', 'title', 'text')")
    week_data.close()
    result = run_query(
        warehouse_path,
        "SELECT canonical_url FROM (SELECT *, fts_main_articles.match_bm25(id, 'vpn') AS score FROM articles) "
        "WHERE score IS NOT NULL ORDER BY score DESC",
    )
    assert result.rows == [(A3,)]


def test_digest_data_compares_with_the_week_before_and_lists_silent_outlets(
    week_data: duckdb.DuckDBPyConnection,
) -> None:
    next_monday, next_sunday = MONDAY + dt.timedelta(days=7), SUNDAY + dt.timedelta(days=7)
    data = digest_data(week_data, next_monday, next_sunday)
    # Worked out by hand from the fixture: only A4 (toolor, 23rd) is in the next week; A1, A3, A5 the week before.
    assert (data.articles, data.previous_articles, data.previous_outlets) == (1, 3, 2)
    coverage = {row["source"]: (row["articles"], row["previous_articles"]) for row in data.outlet_coverage}
    assert coverage == {
        "toolor": (1, 0),
        "steppe-dispatch": (0, 2),
        "dala": (0, 1),
    }  # two outlets went silent
    [huawei] = data.top_organizations
    assert (huawei["id"], huawei["articles"], huawei["previous_articles"]) == ("huawei", 1, 2)  # A1 and A5
    [kyrgyzstan] = data.top_countries
    assert (kyrgyzstan["code"], kyrgyzstan["articles"], kyrgyzstan["previous_articles"]) == ("KG", 1, 1)
    assert data.new_organizations == []  # Huawei was first named the week before
    [story] = data.stories
    assert (story["outlets"], story["articles"]) == (["toolor"], 1)


def test_digest_data_new_organizations_and_stories_of_a_week(week_data: duckdb.DuckDBPyConnection) -> None:
    data = digest_data(week_data, MONDAY, SUNDAY)
    assert {o["name"] for o in data.new_organizations} == {
        "Huawei",
        "Kazakhtelecom",
        "Uzkomnazorat",
        "Beeline",
    }
    assert len(data.stories) == 3  # A1 (its exact copy A2 is left out), A3, A5
    assert [row["articles"] for row in data.articles_per_day] == [1, 1, 1]  # 16th, 17th, 22nd
