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
    assert event.confidence == 0.9


def test_states_sign_as_countries(analyze_text: Analyze) -> None:
    [event] = agreements(analyze_text("Moscow signed a deal with Beijing on satellite communications."))
    assert codes(event) == ["RU", "CN"]
    assert [p.kind for p in event.parties] == ["country", "country"]
    assert event.subtype == "intergovernmental"


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
            # the parliament that ratifies stands for its state
            "The Mazhilis ratified the agreement with China on information security on 12 November.",
            "intergovernmental",
            "ratified",
            ["KZ", "CN"],
            "2025-11-12",
        ),
        (
            "The agreement between Kazakhstan and Russia on the data link entered into force on 1 January.",
            "intergovernmental",
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
            "partnership",
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


@pytest.mark.parametrize(
    "text",
    [
        "Kcell cancelled its roaming agreement with MTS.",
        "Turkmenistan withdrew from the roaming agreement with Iran in May.",
    ],
)
def test_ending_an_agreement_is_not_an_act_of_agreeing(analyze_text: Analyze, text: str) -> None:
    # GUIDELINES 3.1: signing, concluding, ratifying, planning an agreement; not tearing one up.
    assert agreements(analyze_text(text)) == []


def test_plural_agreements_with_several_counterparties_are_one_event_each(analyze_text: Analyze) -> None:
    text = "Tajikistan has signed cooperation agreements with Kazakhstan, Uzbekistan and Kyrgyzstan."
    events = agreements(analyze_text(text))
    assert sorted(codes(e)[-1] for e in events) == ["KG", "KZ", "UZ"]
    assert all(codes(e)[0] == "TJ" and len(e.parties) == 2 for e in events)


def test_a_group_named_in_the_next_sentence_gives_the_parties(analyze_text: Analyze) -> None:
    text = (
        "Memoranda have been signed between Uzbekistan and two Chinese vendors. "
        "The two vendors in question, Huawei and ZTE, will supply base stations."
    )
    events = agreements(analyze_text(text))
    assert sorted(sorted(c for c in codes(e) if c) for e in events) == [["UZ", "huawei"], ["UZ", "zte"]]


def test_the_agreement_updates_the_one_reported_before(analyze_text: Analyze) -> None:
    text = (
        "The governments of Kyrgyzstan and China signed an agreement on data links in March. "
        "The agreement was ratified by the Kyrgyz parliament in October. The deal also covers training."
    )
    [event] = agreements(analyze_text(text))
    assert codes(event) == ["KG", "CN"]
    assert event.status == "ratified"


def test_an_office_holder_acts_for_the_state(analyze_text: Analyze) -> None:
    text = "Kazakh President Askar Nurlanov and his Kyrgyz counterpart signed a declaration on data exchange."
    [event] = agreements(analyze_text(text))
    assert sorted(codes(event)) == ["KG", "KZ"]


def test_a_local_office_named_in_apposition_is_its_brand(analyze_text: Analyze) -> None:
    text = (
        "The Uzbek government and the Chinese company's local office, ZTE Uzbekistan, signed a memorandum "
        "on fibre networks."
    )
    [event] = agreements(analyze_text(text))
    assert codes(event) == ["UZ", "zte"]


def test_a_bank_approving_a_loan_lends_it(analyze_text: Analyze) -> None:
    text = "The Eurasian Development Bank approved a $25 million loan to Kyrgyzstan for data centres."
    [event] = agreements(analyze_text(text))
    assert (event.subtype, event.status) == ("loan", "signed")
    assert sorted(codes(event)) == ["KG", "eurasian-development-bank"]


def test_lending_verbs_name_lender_and_borrower(analyze_text: Analyze) -> None:
    text = "The Asian Development Bank will lend $40 million to Tajik Telecom to extend fibre to Khorog."
    [event] = agreements(analyze_text(text))
    assert (event.subtype, event.status) == ("loan", "planned")
    assert codes(event)[0] == "adb"
    assert "Tajik Telecom" in [p.name for p in event.parties]


def test_a_purpose_infinitive_does_not_report_the_agreement(analyze_text: Analyze) -> None:
    text = "Tcell has signed a contract with Huawei to extend its 4G network to Khatlon."
    [event] = agreements(analyze_text(text))
    assert codes(event) == ["tcell", "huawei"]


def test_they_is_the_last_group_that_was_a_subject_not_the_last_two_names(analyze_text: Analyze) -> None:
    text = (
        "Kcell and Ericsson signed a network contract in Almaty on Monday. "
        "Under the contract, the two companies will share data on Telegram channels and TikTok accounts. "
        "They also agreed to train engineers together."
    )
    [event] = agreements(analyze_text(text))  # the agreement to train is part of the contract
    assert codes(event) == ["kcell", "ericsson"]
