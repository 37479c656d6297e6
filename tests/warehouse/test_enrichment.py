"""Which articles the NLP reads, and how its analyses are stored."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.warehouse.conftest import count, table_counts, write_article
from warehouse.db import connect
from warehouse.enrichment import articles_to_enrich, event_id, save_enrichment, unknown_org_id
from warehouse.errors import LoadError
from warehouse.loader import load_landing
from warehouse.records import article_id

URL = "https://steppe-dispatch.test/news/2026/11/kazakhtelecom-huawei-data-centre"
COPY_URL = "https://silk-wire.test/business/astana-data-centre-deal"
RU_URL = "https://dala.test/ru/news/uzbekistan-vpn"
SENTENCE = "Kazakhtelecom and Huawei signed an agreement in Astana on Tuesday to build a data centre."


def analysis_for(aid: str) -> dict[str, Any]:
    """An NLP analysis as `dataclasses.asdict(nlp.DocumentAnalysis)` gives it (docs/architecture.md)."""
    return {
        "id": aid,
        "language": "en",
        "organizations": [
            {
                "name": "Kazakhtelecom",
                "canonical": "Kazakhtelecom",
                "id": "kazakhtelecom",
                "kind": "operator",
                "country": "KZ",
                "mentions": 2,
            },
            {
                "name": "Huawei",
                "canonical": "Huawei",
                "id": "huawei",
                "kind": "vendor",
                "country": "CN",
                "mentions": 3,
            },
            {
                "name": "Astana Hub",
                "canonical": "Astana Hub",
                "id": None,
                "kind": None,
                "country": None,
                "mentions": 1,
            },
            {
                "name": "«Astana  hub»",
                "canonical": "«Astana  hub»",
                "id": None,
                "kind": None,
                "country": None,
                "mentions": 1,
            },
        ],
        "countries": [
            {"code": "KZ", "name": "Kazakhstan", "mentions": 2},
            {"code": "CN", "name": "China", "mentions": 1},
        ],
        "events": [
            {
                "type": "agreement",
                "subtype": "construction",
                "status": "signed",
                "parties": [
                    {
                        "name": "Kazakhtelecom",
                        "canonical": "Kazakhtelecom",
                        "kind": "organization",
                        "code": "kazakhtelecom",
                    },
                    {"name": "Huawei", "canonical": "Huawei", "kind": "organization", "code": "huawei"},
                    {"name": "Astana Hub", "canonical": "Astana Hub", "kind": "organization", "code": None},
                ],
                "date": "2026-11-17",
                "date_text": "on Tuesday",
                "subject": "data centre",
                "sentence": SENTENCE,
                "confidence": 0.82,
            }
        ],
        "topics": ["telecom", "infrastructure", "telecom"],
    }


@pytest.fixture
def loaded(conn: duckdb.DuckDBPyConnection, landing: Path) -> duckdb.DuckDBPyConnection:
    return load_three(conn, landing)


def load_three(conn: duckdb.DuckDBPyConnection, landing: Path) -> duckdb.DuckDBPyConnection:
    """An English article, an exact copy of it and a Russian one, loaded."""
    write_article(landing, URL)
    write_article(landing, COPY_URL, source="silk-wire")  # same text: a duplicate
    write_article(
        landing,
        RU_URL,
        source="dala",
        language="ru",
        title="Узбекистан ограничил VPN",
        text="Власти Узбекистана ограничили доступ к VPN-сервисам.",
        published_at="2026-11-16",
    )
    load_landing(conn, landing)
    return conn


def test_articles_to_enrich_skips_copies_and_already_enriched_ones(loaded: duckdb.DuckDBPyConnection) -> None:
    todo = articles_to_enrich(loaded, "nlp-1")
    assert [a["id"] for a in todo] == sorted([article_id(URL), article_id(RU_URL)])
    ru = next(a for a in todo if a["id"] == article_id(RU_URL))
    assert ru == {
        "id": article_id(RU_URL),
        "title": "Узбекистан ограничил VPN",
        "text": "Власти Узбекистана ограничили доступ к VPN-сервисам.",
        "published_date": dt.date(2026, 11, 16),
        "language": "ru",
    }
    assert len(articles_to_enrich(loaded, "nlp-1", limit=1)) == 1

    save_enrichment(loaded, article_id(URL), analysis_for(article_id(URL)), "nlp-1")
    assert [a["id"] for a in articles_to_enrich(loaded, "nlp-1")] == [article_id(RU_URL)]
    assert [a["id"] for a in articles_to_enrich(loaded, "nlp-1", reprocess=True)] == [article_id(RU_URL)]
    # A new NLP version re-reads old analyses only when asked to.
    assert [a["id"] for a in articles_to_enrich(loaded, "nlp-2")] == [article_id(RU_URL)]
    assert {a["id"] for a in articles_to_enrich(loaded, "nlp-2", reprocess=True)} == {
        article_id(URL),
        article_id(RU_URL),
    }


def test_saving_stores_every_part_of_the_analysis(loaded: duckdb.DuckDBPyConnection) -> None:
    aid = article_id(URL)
    save_enrichment(loaded, aid, analysis_for(aid), "nlp-1")
    assert loaded.execute(
        "SELECT nlp_version, enriched_at IS NOT NULL FROM articles WHERE id = ?", [aid]
    ).fetchone() == ("nlp-1", True)
    assert loaded.execute(
        "SELECT id, name, kind, country, in_gazetteer FROM organizations ORDER BY id"
    ).fetchall() == [
        ("huawei", "Huawei", "vendor", "CN", True),
        ("kazakhtelecom", "Kazakhtelecom", "operator", "KZ", True),
        ("unk:astana hub", "Astana Hub", None, None, False),  # both spellings are one unknown organization
    ]
    assert loaded.execute(
        "SELECT org_id, name, mentions FROM article_organizations ORDER BY org_id"
    ).fetchall() == [
        ("huawei", "Huawei", 3),
        ("kazakhtelecom", "Kazakhtelecom", 2),
        ("unk:astana hub", "Astana Hub", 2),
    ]
    assert loaded.execute("SELECT code, name, mentions FROM article_countries ORDER BY code").fetchall() == [
        ("CN", "China", 1),
        ("KZ", "Kazakhstan", 2),
    ]
    eid = event_id(aid, "agreement", SENTENCE, "construction")
    assert loaded.execute(
        "SELECT id, type, subtype, status, date, subject, confidence FROM events"
    ).fetchall() == [(eid, "agreement", "construction", "signed", "2026-11-17", "data centre", 0.82)]
    assert loaded.execute("SELECT position, kind, code FROM event_parties ORDER BY position").fetchall() == [
        (0, "organization", "kazakhtelecom"),
        (1, "organization", "huawei"),
        (2, "organization", "unk:astana hub"),  # joins organizations.id like the others
    ]
    assert loaded.execute("SELECT topic FROM article_topics ORDER BY topic").fetchall() == [
        ("infrastructure",),
        ("telecom",),
    ]

    [agreement] = loaded.execute(
        "SELECT parties, party_codes, title, url, source FROM v_agreements"
    ).fetchall()
    assert agreement == (
        "Kazakhtelecom; Huawei; Astana Hub",
        ["kazakhtelecom", "huawei", "unk:astana hub"],
        "Kazakhtelecom and Huawei to build Astana data centre",
        URL,
        "steppe-dispatch",
    )


def test_saving_twice_leaves_the_same_rows(loaded: duckdb.DuckDBPyConnection) -> None:
    aid = article_id(URL)
    save_enrichment(loaded, aid, analysis_for(aid), "nlp-1")
    once = table_counts(loaded)
    save_enrichment(loaded, aid, analysis_for(aid), "nlp-1")
    assert table_counts(loaded) == once


def test_a_new_analysis_replaces_the_old_one(loaded: duckdb.DuckDBPyConnection) -> None:
    aid = article_id(URL)
    save_enrichment(loaded, aid, analysis_for(aid), "nlp-1")
    smaller = analysis_for(aid)
    smaller["organizations"] = smaller["organizations"][1:2]
    smaller["events"] = []
    save_enrichment(loaded, aid, smaller, "nlp-2")
    assert loaded.execute("SELECT org_id FROM article_organizations").fetchall() == [("huawei",)]
    assert count(loaded, "SELECT count(*) FROM events") == 0
    assert count(loaded, "SELECT count(*) FROM event_parties") == 0
    assert count(loaded, "SELECT count(*) FROM organizations") == 3  # organizations stay once seen
    assert count(loaded, f"SELECT nlp_version FROM articles WHERE id = '{aid}'") == "nlp-2"


def test_a_gazetteer_change_updates_the_organization(loaded: duckdb.DuckDBPyConnection) -> None:
    aid = article_id(URL)
    save_enrichment(loaded, aid, analysis_for(aid), "nlp-1")
    renamed = analysis_for(aid)
    renamed["organizations"][1].update(canonical="Huawei Technologies", kind="equipment vendor")
    save_enrichment(loaded, aid, renamed, "nlp-2")
    assert loaded.execute("SELECT name, kind FROM organizations WHERE id = 'huawei'").fetchone() == (
        "Huawei Technologies",
        "equipment vendor",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.pop("countries"), "missing 'countries'"),
        (
            lambda a: a["organizations"][0].update(mentions="2"),
            r"organizations\[0\]: 'mentions' is str, expected int",
        ),
        (lambda a: a["events"][0].update(type="merger"), r"events\[0\]: type 'merger' is not one of"),
        (lambda a: a["events"][0].update(date="17 Nov"), "is not YYYY, YYYY-MM or YYYY-MM-DD"),
        (lambda a: a["events"][0]["parties"][0].update(kind="person"), r"parties\[0\]: kind 'person'"),
        (lambda a: a.update(id="someone-else"), "it is the analysis of article 'someone-else'"),
    ],
)
def test_an_analysis_off_contract_is_refused_and_nothing_is_written(
    loaded: duckdb.DuckDBPyConnection, change: Any, message: str
) -> None:
    aid = article_id(URL)
    save_enrichment(loaded, aid, analysis_for(aid), "nlp-1")
    before = table_counts(loaded)
    bad = copy.deepcopy(analysis_for(aid))
    change(bad)
    with pytest.raises(LoadError, match=message):
        save_enrichment(loaded, aid, bad, "nlp-2")
    assert table_counts(loaded) == before
    assert count(loaded, f"SELECT nlp_version FROM articles WHERE id = '{aid}'") == "nlp-1"


def test_an_unknown_article_is_refused(conn: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(LoadError, match="no article 0123456789abcdef"):
        save_enrichment(conn, "0123456789abcdef", analysis_for("0123456789abcdef"), "nlp-1")


def test_unknown_organization_ids_are_normalised_names() -> None:
    assert unknown_org_id("  Ministry of  Digital\nDevelopment ") == "unk:ministry of digital development"
    assert unknown_org_id("«Казахтелеком»") == "unk:казахтелеком"
    with pytest.raises(LoadError, match="empty once cleaned"):
        unknown_org_id("«»")


def _all_rows(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("article_organizations", "article_countries", "events", "event_parties", "article_topics")
    rows = {name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr) for name in tables}
    rows["organizations"] = sorted(
        conn.execute("SELECT id, name, kind, country, in_gazetteer FROM organizations").fetchall()
    )
    rows["versions"] = sorted(conn.execute("SELECT id, nlp_version FROM articles").fetchall())
    return rows


def test_a_batch_saved_at_once_stores_what_saving_one_by_one_stores(
    loaded: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    from warehouse.enrichment import save_enrichments

    ids = [article_id(URL), article_id(RU_URL)]
    for aid in ids:
        save_enrichment(loaded, aid, analysis_for(aid), "nlp-1")
    one_by_one = _all_rows(loaded)
    assert one_by_one["events"]
    loaded_again = load_three(connect(tmp_path / "batch" / "warehouse.duckdb"), tmp_path / "landing-2")
    assert save_enrichments(loaded_again, [(aid, analysis_for(aid)) for aid in ids], "nlp-1") == []
    assert _all_rows(loaded_again) == one_by_one
    # again: the same rows (the batch replaces what it saved before)
    assert save_enrichments(loaded_again, [(aid, analysis_for(aid)) for aid in ids], "nlp-1") == []
    assert _all_rows(loaded_again) == one_by_one


def test_a_batch_leaves_out_the_analyses_it_cannot_take_and_saves_the_rest(
    loaded: duckdb.DuckDBPyConnection,
) -> None:
    from warehouse.enrichment import save_enrichments

    good, unknown = article_id(URL), "0123456789abcdef"
    bad = copy.deepcopy(analysis_for(article_id(RU_URL)))
    bad.pop("countries")
    failed = save_enrichments(
        loaded,
        [(good, analysis_for(good)), (article_id(RU_URL), bad), (unknown, analysis_for(unknown))],
        "nlp-1",
    )
    assert [aid for aid, _ in failed] == [article_id(RU_URL), unknown]
    assert "no article 0123456789abcdef" in failed[1][1]
    assert count(loaded, f"SELECT nlp_version FROM articles WHERE id = '{good}'") == "nlp-1"
    assert count(loaded, f"SELECT nlp_version FROM articles WHERE id = '{article_id(RU_URL)}'") is None
