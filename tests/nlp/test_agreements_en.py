"""English agreement events with the full model (all sentences are invented news)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import nlp

Analyze = Callable[..., nlp.DocumentAnalysis]


def agreements(analysis: nlp.DocumentAnalysis) -> list[nlp.Event]:
    return [e for e in analysis.events if e.type == "agreement"]


def codes(event: nlp.Event) -> list[str | None]:
    return [p.code for p in event.parties]


def test_memorandum_between_two_companies_with_relative_date(analyze_text: Analyze) -> None:
    analysis = analyze_text(
        "Kazakhtelecom and Huawei signed a memorandum of understanding on 5G base stations on Monday, "
        "the operator said."
    )
    [event] = agreements(analysis)
    assert (event.subtype, event.status) == ("memorandum", "signed")
    assert codes(event) == ["kazakhtelecom", "huawei"]
    assert [(p.name, p.canonical, p.kind) for p in event.parties] == [
        ("Kazakhtelecom", "Kazakhtelecom", "organization"),
        ("Huawei", "Huawei", "organization"),
    ]
    assert (event.date, event.date_text) == ("2026-03-09", "Monday")
    assert event.subject == "5G base stations"
    assert event.sentence.startswith("Kazakhtelecom and Huawei signed")
    assert event.confidence == 1.0


def test_states_sign_as_countries(analyze_text: Analyze) -> None:
    [event] = agreements(analyze_text("Moscow signed a deal with Beijing on satellite communications."))
    assert codes(event) == ["RU", "CN"]
    assert [p.kind for p in event.parties] == ["country", "country"]
    assert event.subtype == "treaty"


@pytest.mark.parametrize(
    ("text", "subtype", "status", "parties", "date"),
    [
        (
            "Uztelecom and Nokia plan to sign a contract to supply fibre equipment in June.",
            "contract",
            "planned",
            ["uztelecom", "nokia"],
            "2026-06",
        ),
        (
            "Ucell is expected to sign a loan agreement with the EBRD in December.",
            "loan",
            "planned",
            ["ucell", "ebrd"],
            "2026-12",
        ),
        (
            "The Mazhilis ratified the agreement with China on information security on 12 November.",
            "treaty",
            "ratified",
            ["KZ", "CN"],
            "2025-11-12",
        ),
        (
            "Kcell cancelled its roaming agreement with MTS.",
            "agreement",
            "terminated",
            ["kcell", "mts"],
            None,
        ),
        (
            "Turkmenistan withdrew from the roaming agreement with Iran in May.",
            "treaty",
            "terminated",
            ["TM", "IR"],
            "2025-05",
        ),
        (
            "The agreement between Kazakhstan and Russia on the data link entered into force on 1 January.",
            "treaty",
            "in_force",
            ["KZ", "RU"],
            "2026-01-01",
        ),
        (
            "The Asian Development Bank approved a $40 million loan to Tajikistan for rural broadband.",
            "loan",
            "signed",
            ["adb", "TJ"],
            None,
        ),
        (
            "The EU and Kazakhstan signed a partnership on critical raw materials.",
            "cooperation",
            "signed",
            ["eu", "KZ"],
            None,
        ),
    ],
)
def test_subtype_status_parties_and_date(
    analyze_text: Analyze, text: str, subtype: str, status: str, parties: list[str], date: str | None
) -> None:
    [event] = agreements(analyze_text(text))
    assert (event.subtype, event.status, codes(event), event.date) == (subtype, status, parties, date)


def test_state_body_brings_its_country(analyze_text: Analyze) -> None:
    text = "Kazakhstan's Ministry of Digital Development signed a memorandum with Starlink on rural schools."
    [event] = agreements(analyze_text(text))
    assert codes(event) == ["kazakhstan-digital-ministry", "KZ", "starlink"]


def test_government_noun_with_demonym_is_the_state(analyze_text: Analyze) -> None:
    text = "The Kazakh government and Starlink signed a memorandum on satellite internet for rural schools."
    [event] = agreements(analyze_text(text))
    assert codes(event) == ["KZ", "starlink"]


def test_repeated_mentions_of_one_deal_are_one_event(analyze_text: Analyze) -> None:
    text = (
        "Beeline Kyrgyzstan and ZTE sign network deal\n\n"
        "Beeline Kyrgyzstan and ZTE signed a contract on network modernisation in Bishkek on Tuesday.\n\n"
        "Under the deal, ZTE will replace 900 base stations. The contract between Beeline Kyrgyzstan and ZTE "
        "is worth $60 million."
    )
    [event] = agreements(analyze_text(text, title=""))
    assert codes(event) == ["beeline-kyrgyzstan", "zte"]
    assert (event.subtype, event.status, event.date) == ("contract", "signed", "2026-03-10")
    assert "on Tuesday" in event.sentence


def test_distinct_agreements_stay_distinct(analyze_text: Analyze) -> None:
    text = (
        "Tcell signed a contract with Huawei. Separately, Tcell signed a loan agreement with the World Bank."
    )
    events = agreements(analyze_text(text))
    assert [(e.subtype, codes(e)) for e in events] == [
        ("contract", ["tcell", "huawei"]),
        ("loan", ["tcell", "world-bank"]),
    ]


def test_the_two_companies_refers_to_the_last_two_named(analyze_text: Analyze) -> None:
    text = (
        "Alatoo Link has worked with Aknet for years. The two companies signed a memorandum on fibre sharing."
    )
    [event] = agreements(analyze_text(text))
    assert codes(event) == ["alatoo-link", "aknet"]


@pytest.mark.parametrize(
    "text",
    [
        "FC Astana signed the Georgian midfielder on Monday.",
        "More than 12,000 residents signed a petition against the new tower in Osh.",
        "The president signed a decree on the digital economy.",
        "Wheat prices rose in Kazakhstan as a new airline route opened.",
        "A great deal of traffic now passes through Tashkent.",
    ],
)
def test_hard_negatives_are_not_agreements(analyze_text: Analyze, text: str) -> None:
    assert agreements(analyze_text(text)) == []
