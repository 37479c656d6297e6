"""Folding several readings of one agreement or censorship act into one event (no model needed)."""

from __future__ import annotations

import pytest

from nlp.countries import CountryLexicon, load_countries
from nlp.events_common import consolidate_agreements, consolidate_censorship
from nlp.gazetteer import Gazetteer, load_gazetteer
from nlp.records import CountryMention, Event, EventParty


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def lexicon() -> CountryLexicon:
    return load_countries()


def state(code: str) -> EventParty:
    return EventParty(name=code, canonical=code, kind="country", code=code)


def org(code: str | None, name: str = "") -> EventParty:
    return EventParty(name=name or str(code), canonical=name or str(code), kind="organization", code=code)


def event(
    kind: str, subtype: str, parties: list[EventParty], status: str = "signed", date: str | None = None
) -> Event:
    return Event(kind, subtype, status, parties, date, None, None, f"{subtype} sentence", 0.6)  # type: ignore[arg-type]


def codes(e: Event) -> set[str | None]:
    return {p.code for p in e.parties}


def test_a_states_only_headline_folds_into_the_operators_deal(gazetteer: Gazetteer) -> None:
    headline = event("agreement", "memorandum", [state("TM"), state("AF")])
    body = event("agreement", "memorandum", [org("turkmentelecom")], date="2026-04-06")
    [merged] = consolidate_agreements([headline, body], gazetteer)
    assert codes(merged) == {"TM", "AF", "turkmentelecom"}
    assert merged.date == "2026-04-06"


def test_two_company_deals_between_the_same_countries_stay_apart(gazetteer: Gazetteer) -> None:
    first = event("agreement", "contract", [org("uztelecom"), org("zte")])
    second = event("agreement", "contract", [org("ucell"), org("huawei")])
    assert len(consolidate_agreements([first, second], gazetteer)) == 2


def test_a_different_kind_or_status_or_period_is_another_agreement(gazetteer: Gazetteer) -> None:
    states = event("agreement", "cooperation", [state("UZ"), state("RU")])
    companies = event("agreement", "memorandum", [org("rostelecom"), org("uztelecom")])
    planned = event("agreement", "cooperation", [state("UZ")], status="planned")
    older = event("agreement", "cooperation", [state("UZ"), state("RU")], date="2019")
    newer = event("agreement", "cooperation", [state("UZ"), state("RU")], date="2026-03")
    assert len(consolidate_agreements([states, companies, planned], gazetteer)) == 3
    assert len(consolidate_agreements([older, newer], gazetteer)) == 2


def test_one_deal_read_with_two_subtypes_becomes_a_treaty_between_states(gazetteer: Gazetteer) -> None:
    a = event("agreement", "cooperation", [state("TM"), state("CN")])
    b = event("agreement", "treaty", [state("TM"), state("CN")])
    [merged] = consolidate_agreements([a, b], gazetteer)
    assert merged.subtype == "treaty"


def test_an_actorless_act_takes_the_main_country_and_folds_into_the_agency_act(
    lexicon: CountryLexicon,
) -> None:
    agency = event(
        "censorship", "block", [org("kyrgyzstan-culture-ministry"), state("KG")], "in_force", "2025-05-12"
    )
    bare = event("censorship", "block", [], "in_force")
    countries = [CountryMention("KG", "Kyrgyzstan", 4), CountryMention("RU", "Russia", 1)]
    [merged] = consolidate_censorship([agency, bare], countries, lexicon)
    assert merged is agency
    assert merged.date == "2025-05-12"


def test_an_actorless_act_of_another_kind_stays_with_the_main_country_as_actor(
    lexicon: CountryLexicon,
) -> None:
    bare = event("censorship", "shutdown", [], "lifted", "2022")
    countries = [CountryMention("TJ", "Tajikistan", 3)]
    [kept] = consolidate_censorship([bare], countries, lexicon)
    assert codes(kept) == {"TJ"}


def test_without_a_clear_main_country_the_act_keeps_no_actor(lexicon: CountryLexicon) -> None:
    bare = event("censorship", "fine", [], "in_force")
    tie = [CountryMention("KZ", "Kazakhstan", 2), CountryMention("KG", "Kyrgyzstan", 2)]
    assert consolidate_censorship([bare], tie, lexicon)[0].parties == []
    assert consolidate_censorship([event("censorship", "fine", [], "in_force")], [], lexicon)[0].parties == []


def test_acts_of_the_same_kind_in_different_years_stay_apart(lexicon: CountryLexicon) -> None:
    now = event(
        "censorship", "shutdown", [org("kazakhstan-digital-ministry"), state("KZ")], "lifted", "2025-11-16"
    )
    then = event("censorship", "shutdown", [state("KZ")], "in_force", "2022-01")
    assert len(consolidate_censorship([now, then], [CountryMention("KZ", "Kazakhstan", 5)], lexicon)) == 2
