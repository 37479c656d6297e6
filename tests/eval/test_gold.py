"""The NLP gold set parses, follows its schema and covers what issue 4 asks for."""

import json
import re
from collections import Counter
from pathlib import Path

import pycountry
import pytest

from eval.nlp.gold_set import (
    STATUSES,
    SUBTYPES,
    TOPICS,
    GoldDocument,
    GoldFormatError,
    load_gold,
    load_gold_file,
    parse_gold_document,
)

GOLD_DIR = Path(__file__).resolve().parents[2] / "eval" / "nlp" / "gold"


@pytest.fixture(scope="module")
def gold() -> list[GoldDocument]:
    return load_gold(GOLD_DIR)


def test_gold_set_size_and_languages(gold: list[GoldDocument]) -> None:
    languages = Counter(doc.language for doc in gold)
    assert len(gold) >= 64
    assert languages["ru"] >= 22
    assert set(languages) == {"en", "ru"}


def test_every_line_has_exactly_the_documented_fields() -> None:
    for path in sorted(GOLD_DIR.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            assert set(record) == {"id", "language", "title", "text", "published", "gold"}, record["id"]
            assert set(record["gold"]) == {"organizations", "countries", "events", "topics"}, record["id"]
            for org in record["gold"]["organizations"]:
                assert set(org) <= {"id", "name", "aliases"}, record["id"]
            for event in record["gold"]["events"]:
                assert set(event) <= {"type", "subtype", "status", "parties", "date"}, record["id"]


def test_documents_are_120_to_300_words(gold: list[GoldDocument]) -> None:
    lengths = {doc.id: len(doc.text.split()) for doc in gold}
    assert {doc_id: n for doc_id, n in lengths.items() if not 120 <= n <= 300} == {}


def test_labels_come_from_the_allowed_sets(gold: list[GoldDocument]) -> None:
    for doc in gold:
        assert set(doc.topics) <= set(TOPICS), doc.id
        for event in doc.events:
            assert event.subtype in SUBTYPES[event.type], doc.id
            assert event.status in STATUSES[event.type], doc.id


def test_country_codes_are_real_iso_codes(gold: list[GoldDocument]) -> None:
    for doc in gold:
        codes = set(doc.countries) | {p for e in doc.events for p in e.parties if re.fullmatch("[A-Z]{2}", p)}
        unknown = {code for code in codes if pycountry.countries.get(alpha_2=code) is None}
        assert not unknown, f"{doc.id}: {unknown}"


def test_every_org_id_is_listed_in_org_ids_md(gold: list[GoldDocument]) -> None:
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", (GOLD_DIR / "ORG_IDS.md").read_text(encoding="utf-8"), re.M)
    assert len(listed) == len(set(listed)), "an id is listed twice"
    used = {org.id for doc in gold for org in doc.organizations if org.id}
    assert used - set(listed) == set()
    assert set(listed) - used == set(), "ORG_IDS.md lists ids the gold set does not use"


def test_coverage_of_event_kinds_and_hard_negatives(gold: list[GoldDocument]) -> None:
    kinds = Counter((e.type, e.subtype) for doc in gold for e in doc.events)
    statuses = Counter((e.type, e.status) for doc in gold for e in doc.events)
    for event_type, subtypes in SUBTYPES.items():
        for subtype in subtypes:
            assert kinds[(event_type, subtype)] >= 1, (event_type, subtype)
    for event_type, allowed in STATUSES.items():
        for status in allowed:
            assert statuses[(event_type, status)] >= 1, (event_type, status)
    for language in ("en", "ru"):
        docs = [doc for doc in gold if doc.language == language]
        assert {e.type for doc in docs for e in doc.events} == {"agreement", "censorship"}
    without_events = [doc.id for doc in gold if not doc.events]
    assert len(without_events) >= 12


def test_russian_documents_use_oblique_case_forms(gold: list[GoldDocument]) -> None:
    russian_text = " ".join(doc.title + " " + doc.text for doc in gold if doc.language == "ru")
    for form in ("ГКНБ", "«Казахтелекома»", "Кыргызстана", "Китаем"):
        assert form in russian_text


def _record(**overrides: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": "x-1",
        "language": "en",
        "title": "Title",
        "text": "Body.",
        "published": "2026-03-12",
        "gold": {
            "organizations": [{"id": "huawei", "name": "Huawei"}, {"id": None, "name": "Pamir Fiber"}],
            "countries": ["KZ"],
            "events": [
                {"type": "agreement", "subtype": "contract", "status": "signed", "parties": ["huawei"]}
            ],
            "topics": ["telecom"],
        },
    }
    record.update(overrides)
    return record


def _with_gold(**gold_overrides: object) -> dict[str, object]:
    record = _record()
    record["gold"] = {**record["gold"], **gold_overrides}  # type: ignore[dict-item]
    return record


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (_record(language="de"), "language 'de'"),
        (_record(published="12.03.2026"), "not a YYYY-MM-DD date"),
        (_with_gold(countries=["Kazakhstan"]), "not an ISO 3166-1 alpha-2 code"),
        (_with_gold(topics=["sports"]), "unknown topics"),
        (_with_gold(organizations=[{"id": "Huawei Inc", "name": "Huawei"}]), "not a lower-case slug"),
        (_with_gold(organizations=[{"name": "Huawei"}]), "missing field 'id'"),
        (
            _with_gold(
                events=[{"type": "agreement", "subtype": "block", "status": "signed", "parties": ["KZ"]}]
            ),
            "agreement subtype 'block'",
        ),
        (
            _with_gold(
                events=[{"type": "censorship", "subtype": "block", "status": "signed", "parties": []}]
            ),
            "censorship status 'signed'",
        ),
        (
            _with_gold(
                events=[{"type": "agreement", "subtype": "loan", "status": "signed", "parties": ["zte"]}]
            ),
            "party 'zte' is neither",
        ),
        (
            _with_gold(events=[{"type": "agreement", "subtype": "loan", "status": "signed", "parties": []}]),
            "needs at least one named party",
        ),
        (
            _with_gold(
                events=[
                    {
                        "type": "censorship",
                        "subtype": "fine",
                        "status": "in_force",
                        "parties": [],
                        "date": "May",
                    }
                ]
            ),
            "not YYYY, YYYY-MM or YYYY-MM-DD",
        ),
    ],
)
def test_malformed_records_are_rejected_with_a_specific_message(
    record: dict[str, object], message: str
) -> None:
    with pytest.raises(GoldFormatError, match=re.escape(message)):
        parse_gold_document(record)


def test_valid_record_parses_and_party_may_be_an_unknown_orgs_name() -> None:
    record = _with_gold(
        events=[
            {"type": "agreement", "subtype": "loan", "status": "planned", "parties": ["Pamir Fiber", "TJ"]}
        ]
    )
    doc = parse_gold_document(record)
    assert doc.events[0].parties == ("Pamir Fiber", "TJ")
    assert doc.organizations[1].key == "Pamir Fiber"


def test_file_errors_name_the_line_and_duplicate_ids_are_refused(tmp_path: Path) -> None:
    good = json.dumps(_record())
    (tmp_path / "a.jsonl").write_text(good + "\n{not json\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r"a\.jsonl:2: not valid JSON"):
        load_gold_file(tmp_path / "a.jsonl")
    (tmp_path / "a.jsonl").write_text(good + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(good + "\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="'x-1' already used"):
        load_gold(tmp_path)
    with pytest.raises(GoldFormatError, match=r"no \*\.jsonl gold files"):
        load_gold(tmp_path / "empty")
