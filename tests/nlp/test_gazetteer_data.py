"""The gazetteer and country data files: size, validity, required organizations, shared names."""

from __future__ import annotations

import json
from collections import defaultdict

import pycountry
import pytest

from nlp.countries import COUNTRIES_FILE, load_countries
from nlp.gazetteer import ORG_KINDS, ORGANIZATIONS_FILE, load_gazetteer
from nlp.text import alias_key

# Organizations the demo corpus features (/tmp/orgs.md) and the region's key bodies: id -> a name that must find it.
REQUIRED = {
    "tcell": "Tcell",
    "megafon-tajikistan": "MegaFon Tajikistan",
    "babilon-mobile": "Babilon-Mobile",
    "zet-mobile": "ZET-Mobile",
    "beeline-kazakhstan": "Beeline Kazakhstan",
    "beeline-kyrgyzstan": "Beeline Kyrgyzstan",
    "beeline-uzbekistan": "Beeline Uzbekistan",
    "kcell": "Kcell",
    "kazakhtelecom": "Казахтелеком",
    "tele2-kazakhstan": "Tele2/Altel",
    "uztelecom": "Uzmobile",
    "ucell": "Ucell",
    "mobiuz": "Mobiuz",
    "megacom": "Мегаком",
    "nur-telecom": "O!",
    "turkmentelecom": "Turkmentelecom",
    "tmcell": "TMCell",
    "elcat": "ElCat",
    "saima-telecom": "Saima Telecom",
    "huawei": "Huawei",
    "zte": "ZTE",
    "nokia": "Nokia",
    "ericsson": "Ericsson",
    "cisco": "Cisco",
    "china-telecom": "China Telecom",
    "china-mobile": "China Mobile",
    "china-unicom": "China Unicom",
    "rostelecom": "Ростелеком",
    "mts": "MTS",
    "spacex": "SpaceX",
    "starlink": "Starlink",
    "oneweb": "OneWeb",
    "eutelsat": "Eutelsat",
    "kazakhstan-digital-ministry": "Ministry of Digital Development, Innovation and Aerospace Industry",
    "kyrgyzstan-digital-ministry": "Ministry of Digital Development of the Kyrgyz Republic",
    "tajikistan-communications-service": "Communications Service",
    "uzbekistan-digital-ministry": "Ministry of Digital Technologies",
    "uzinfocom": "UZINFOCOM",
    "roskomnadzor": "Роскомнадзор",
    "kazakhstan-knb": "KNB",
    "uzbekistan-sgb": "SGB",
    "fsb": "ФСБ",
    "sco": "ШОС",
    "csto": "CSTO",
    "eaeu": "ЕАЭС",
    "itu": "ITU",
    "eu": "EU",
    "world-bank": "World Bank",
    "adb": "Asian Development Bank",
    "ebrd": "EBRD",
    "aiib": "AIIB",
    "access-now": "Access Now",
    "freedom-house": "Freedom House",
    "rsf": "Reporters Without Borders",
    "hrw": "Human Rights Watch",
    "kloop": "Kloop",
    "azattyk": "Radio Azattyk",
    "zyfra": "Cifra",
    "piter-ix": "Piter IX",
}


def raw_records() -> list[dict]:
    return [
        json.loads(line)
        for line in ORGANIZATIONS_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_gazetteer_has_at_least_300_organizations_of_every_kind_that_matters() -> None:
    gazetteer = load_gazetteer()
    assert len(gazetteer) >= 300
    kinds = {org.kind for org in gazetteer.organizations}
    assert {"operator", "vendor", "regulator", "ministry", "security_service", "international"} <= kinds
    assert {"satellite", "rights_group", "media", "exchange"} <= kinds


def test_every_organization_has_a_valid_kind_country_and_unique_slug() -> None:
    records = raw_records()
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    for record in records:
        assert record["kind"] in ORG_KINDS, record["id"]
        assert record["country"] is None or pycountry.countries.get(alpha_2=record["country"]), record["id"]
        assert record["name"].strip(), record["id"]
        assert isinstance(record["aliases"], list), record["id"]


def test_no_alias_names_two_organizations_unless_both_mark_it_ambiguous() -> None:
    """Checked on the raw file, independently of the loader's own check."""
    owners: dict[str, set[str]] = defaultdict(set)
    shared: dict[str, set[str]] = defaultdict(set)
    for record in raw_records():
        for name in [record["name"], *record["aliases"], *record.get("common_word_aliases", [])]:
            owners[alias_key(name)].add(record["id"])
        for name in record.get("ambiguous_aliases", []):
            owners[alias_key(name)].add(record["id"])
            shared[alias_key(name)].add(record["id"])
    clashes = {key: ids for key, ids in owners.items() if len(ids) > 1 and shared[key] != ids}
    assert clashes == {}


@pytest.mark.parametrize(("org_id", "name"), sorted(REQUIRED.items()))
def test_required_organization_is_present_and_found_by_its_usual_name(org_id: str, name: str) -> None:
    gazetteer = load_gazetteer()
    assert org_id in gazetteer.by_id
    ids, method = gazetteer.candidates(name)
    assert org_id in ids, (name, ids, method)


def test_shared_security_service_names_cover_both_countries() -> None:
    gazetteer = load_gazetteer()
    for name in (
        "GKNB",
        "ГКНБ",
        "State Committee for National Security",
        "Госкомитет национальной безопасности",
    ):
        ids, _ = gazetteer.candidates(name)
        assert set(ids) == {"kyrgyzstan-gknb", "tajikistan-gknb"}, name


def test_invented_small_companies_are_included() -> None:
    gazetteer = load_gazetteer()
    assert {"steppe-dataworks", "alatoo-link", "hisor-net", "zarafshan-net"} <= set(gazetteer.by_id)


def test_countries_data_has_demonyms_capitals_and_russian_names() -> None:
    lexicon = load_countries()
    assert lexicon.code_for("Kyrgyz") == "KG"
    assert lexicon.code_for("Kazakhstani") == "KZ"
    assert lexicon.code_for("Chinese") == "CN"
    assert lexicon.term_for("Moscow").kind == "capital"
    assert lexicon.term_for("Bishkek").code == "KG"
    ru = {(t.text, t.code) for t in lexicon.ru_terms}
    assert {
        ("Кыргызстан", "KG"),
        ("Киргизия", "KG"),
        ("Китай", "CN"),
        ("КНР", "CN"),
        ("Россия", "RU"),
        ("РФ", "RU"),
    } <= ru


def test_languages_and_the_eu_are_not_countries() -> None:
    lexicon = load_countries()
    assert lexicon.code_for("Russian-language") is None
    assert lexicon.code_for("EU") is None
    assert lexicon.code_for("European Union") is None
    assert lexicon.code_for("European") is None
    assert not any(t.text in {"русскоязычный", "русский"} for t in lexicon.ru_terms)


def test_every_country_code_in_the_yaml_is_iso() -> None:
    lexicon = load_countries()
    for term in lexicon.en_terms + lexicon.ru_terms:
        assert pycountry.countries.get(alpha_2=term.code), term
    assert COUNTRIES_FILE.is_file()
