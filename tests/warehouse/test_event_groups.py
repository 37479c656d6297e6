"""The same act reported by several articles is one event group; v_agreements / v_censorship_events show it once."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.warehouse.conftest import write_article
from warehouse.enrichment import save_enrichment
from warehouse.event_groups import EventReport, regroup, same_act
from warehouse.loader import load_landing
from warehouse.queries import digest_data
from warehouse.records import article_id

STATE_KINDS = frozenset({"regulator", "ministry", "security_service", "government"})
ORGS = {
    "kazakhtelecom": ("Kazakhtelecom", "operator", "KZ"),
    "huawei": ("Huawei", "vendor", "CN"),
    "kazakhstan-digital-ministry": ("Ministry of Digital Development of Kazakhstan", "ministry", "KZ"),
    "tajikistan-communications-service": ("Communications Service of Tajikistan", "regulator", "TJ"),
}


def party(code: str) -> dict[str, Any]:
    if code in ORGS:
        return {"name": ORGS[code][0], "canonical": ORGS[code][0], "kind": "organization", "code": code}
    return {"name": code, "canonical": code, "kind": "country", "code": code}


def event(
    kind: str, subtype: str, parties: list[str], date_: str | None, subject: str, sentence: str
) -> dict:
    return {
        "type": kind,
        "subtype": subtype,
        "status": "signed" if kind == "agreement" else "reported",
        "parties": [party(p) for p in parties],
        "date": date_,
        "date_text": None,
        "subject": subject,
        "sentence": sentence,
        "confidence": 0.8,
    }


def analysis(aid: str, language: str, events: list[dict]) -> dict[str, Any]:
    codes = {p["code"] for e in events for p in e["parties"]}
    return {
        "id": aid,
        "language": language,
        "organizations": [
            {"name": n, "canonical": n, "id": c, "kind": k, "country": h, "mentions": 1}
            for c, (n, k, h) in ORGS.items()
            if c in codes
        ],
        "countries": [],
        "events": events,
        "topics": [],
    }


# (url, source, language, published, events): the texts differ, so none is a syndicated copy of another.
ARTICLES: list[tuple[str, str, str, str, list[dict]]] = [
    (
        "https://steppe-dispatch.test/a",
        "steppe-dispatch",
        "en",
        "2026-11-17",
        [
            event("agreement", "memorandum", ["kazakhtelecom", "huawei"], "2026-11-17", "5G", "EN signing."),
            event(
                "censorship",
                "block",
                ["tajikistan-communications-service", "TJ"],
                None,
                "TikTok",
                "EN block.",
            ),
        ],
    ),
    (
        "https://dala.test/ru/b",
        "dala",
        "ru",
        "2026-11-18",
        [
            event("agreement", "agreement", ["huawei", "kazakhtelecom"], "2026-11", "сеть 5G", "RU signing."),
            event("censorship", "block", ["TJ"], None, "TikTok", "RU block."),
            event("censorship", "block", ["TJ"], None, "VPN-сервисы", "RU VPN block."),
        ],
    ),
    (
        "https://silk-wire.test/c",
        "silk-wire",
        "en",
        "2026-11-19",
        [
            event("agreement", "loan", ["kazakhtelecom", "huawei"], None, "financing", "A loan."),
            event(
                "agreement",
                "contract",
                ["kazakhstan-digital-ministry", "huawei"],
                None,
                "cloud",
                "Cloud deal.",
            ),
        ],
    ),
    (
        "https://steppe-dispatch.test/d",
        "steppe-dispatch",
        "en",
        "2026-11-20",
        [event("agreement", "contract", ["KZ", "huawei"], None, None, "Kazakhstan and Huawei signed.")],
    ),
    (
        "https://steppe-dispatch.test/e",
        "steppe-dispatch",
        "en",
        "2027-03-01",
        [event("agreement", "memorandum", ["kazakhtelecom", "huawei"], None, "6G", "Another memorandum.")],
    ),
]


@pytest.fixture
def grouped(conn: duckdb.DuckDBPyConnection, landing: Path) -> duckdb.DuckDBPyConnection:
    for n, (url, source, language, published, _) in enumerate(ARTICLES):
        write_article(
            landing,
            url,
            source=source,
            language=language,
            published_at=published,
            title=f"Report {n}",
            text=f"Report number {n} about entirely different matters " * (n + 3),
        )
    load_landing(conn, landing)
    for url, _, language, _, events in ARTICLES:
        save_enrichment(conn, article_id(url), analysis(article_id(url), language, events), "nlp-1")
    regroup(conn, STATE_KINDS)
    return conn


def rows(conn: duckdb.DuckDBPyConnection, view: str) -> list[dict[str, Any]]:
    cursor = conn.execute(f"SELECT * FROM {view} ORDER BY published_date, subtype, subject")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def test_one_agreement_in_two_languages_is_one_row_with_both_reports(
    grouped: duckdb.DuckDBPyConnection,
) -> None:
    agreements = rows(grouped, "v_agreements")
    [memorandum] = [a for a in agreements if a["subject"] == "5G"]
    assert memorandum["reports"] == 2
    assert memorandum["sources"] == ["steppe-dispatch", "dala"]
    assert memorandum["languages"] == ["en", "ru"]
    assert memorandum["urls"] == ["https://steppe-dispatch.test/a", "https://dala.test/ru/b"]
    assert memorandum["subtype"] == "memorandum"  # the first report's wording
    assert memorandum["date"] == "2026-11-17"
    assert memorandum["party_codes"] == ["kazakhtelecom", "huawei"]


def test_different_subtypes_dates_and_parties_stay_apart(grouped: duckdb.DuckDBPyConnection) -> None:
    agreements = rows(grouped, "v_agreements")
    # memorandum (2 reports), loan, the ministry's contract joined by "Kazakhstan and Huawei" (the ministry
    # acts for KZ), and the next year's memorandum: four agreements.
    assert sorted((a["subtype"], a["reports"]) for a in agreements) == [
        ("contract", 2),
        ("loan", 1),
        ("memorandum", 1),
        ("memorandum", 2),
    ]
    [contract] = [a for a in agreements if a["subtype"] == "contract"]
    assert contract["party_codes"] == ["kazakhstan-digital-ministry", "huawei", "KZ"]
    assert contract["sources"] == ["silk-wire", "steppe-dispatch"]


def test_censorship_acts_group_by_actor_and_target_across_languages(
    grouped: duckdb.DuckDBPyConnection,
) -> None:
    acts = rows(grouped, "v_censorship_events")
    assert sorted((a["subject"], a["reports"]) for a in acts) == [("TikTok", 2), ("VPN-сервисы", 1)]
    [tiktok] = [a for a in acts if a["subject"] == "TikTok"]
    assert tiktok["actor_countries"] == ["TJ"]
    assert tiktok["actor_organizations"] == ["tajikistan-communications-service"]


def test_regrouping_is_idempotent_and_new_events_stand_alone_until_then(
    grouped: duckdb.DuckDBPyConnection,
) -> None:
    before = grouped.execute("SELECT * FROM event_groups ORDER BY event_id").fetchall()
    assert regroup(grouped, STATE_KINDS) == 3  # memorandum, contract and TikTok block have two reports each
    assert grouped.execute("SELECT * FROM event_groups ORDER BY event_id").fetchall() == before
    grouped.execute("DELETE FROM event_groups")
    assert len(rows(grouped, "v_agreements")) == 6  # ungrouped: each of the six reports is its own row
    assert regroup(grouped, STATE_KINDS) == 3
    assert len(rows(grouped, "v_agreements")) == 4


def test_the_digest_lists_an_act_once_with_every_outlet(grouped: duckdb.DuckDBPyConnection) -> None:
    data = digest_data(grouped, date(2026, 11, 16), date(2026, 11, 22))
    assert len(data.agreements) == 3
    assert len(data.censorship_events) == 2
    [memorandum] = [a for a in data.agreements if a["subtype"] == "memorandum"]
    assert memorandum["sources"] == ["steppe-dispatch", "dala"]


def test_an_empty_warehouse_has_no_groups(conn: duckdb.DuckDBPyConnection) -> None:
    assert regroup(conn, STATE_KINDS) == 0
    assert conn.execute("SELECT count(*) FROM v_agreements").fetchone() == (0,)


def act(article: str, published: date, when: str | None, **extra: Any) -> EventReport:
    fields: dict[str, Any] = {
        "id": f"{article}-e",
        "article_id": article,
        "type": "censorship",
        "subtype": "block",
        "date": when,
        "published": published,
        "language": "en",
        "keys": frozenset({"KG"}),
        "target": frozenset({"ayan"}),
    }
    return EventReport(**(fields | extra))


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        # a dated report and an undated one published that day or soon after
        (act("a", date(2026, 11, 17), "2026-11-17"), act("b", date(2026, 11, 19), None), True),
        # a background "in 2021" is another act than this week's undated report
        (act("a", date(2026, 11, 17), "2021"), act("b", date(2026, 11, 18), None), False),
        (act("a", date(2026, 11, 17), "2026-11"), act("b", date(2026, 11, 18), "2026-11-16"), True),
        (act("a", date(2026, 11, 17), "2026-11-16"), act("b", date(2026, 11, 18), "2026-11-17"), False),
        (act("a", date(2026, 11, 1), None), act("b", date(2026, 11, 30), None), False),
        # targets: two named targets must share a word; across languages only Latin-script names compare
        (
            act("a", date(2026, 11, 17), None),
            act("b", date(2026, 11, 17), None, target=frozenset({"kloop"})),
            False,
        ),
        (
            act("a", date(2026, 11, 17), None, target=frozenset({"tiktok"})),
            act("b", date(2026, 11, 17), None, language="ru", target=frozenset({"сайт", "tiktok"})),
            True,
        ),
        (
            act("a", date(2026, 11, 17), None),
            act("b", date(2026, 11, 17), None, language="ru", target=frozenset({"аян"})),
            True,
        ),
        (act("a", date(2026, 11, 17), None), act("b", date(2026, 11, 17), None, subtype="shutdown"), False),
        (act("a", date(2026, 11, 17), None), act("a", date(2026, 11, 17), None, id="a-2"), False),
    ],
)
def test_when_two_reports_are_one_act(first: EventReport, second: EventReport, same: bool) -> None:
    assert same_act(first, second) is same
    assert same_act(second, first) is same
