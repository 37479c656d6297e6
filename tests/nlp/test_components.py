"""The organization filter and the countries component on `spacy.blank("en")` (entities set by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

import nlp
from nlp.doc_ext import country_hits
from nlp.pipeline import add_components


def run_after_ner(nlp: Language, text: str, ents: list[tuple[int, int, str]]) -> Doc:
    """Run the components that follow "ner", with `ents` standing in for the statistical NER's output."""
    doc = nlp.get_pipe("stanwire_org_ruler_v1")(nlp.make_doc(text))
    doc.ents = [*doc.ents, *(Span(doc, s, e, label=label) for s, e, label in ents)]
    for name in ("stanwire_org_filter_v1", "stanwire_countries_v1", "stanwire_org_canonicalizer_v1"):
        doc = nlp.get_pipe(name)(doc)
    return doc


def labels(doc: Doc) -> list[tuple[str, str]]:
    return [(ent.text, ent.label_) for ent in doc.ents]


def codes(doc: Doc) -> list[str]:
    return [hit.code for hit in country_hits(doc)]


def test_menu_run_of_title_case_words_is_not_an_organization(blank_en: Language) -> None:
    doc = run_after_ner(blank_en, "Asia Business Central Asia China", [(0, 5, "ORG")])
    assert labels(doc) == []
    assert codes(doc) == []


def test_share_bar_names_no_organization_or_country(blank_en: Language) -> None:
    doc = run_after_ner(
        blank_en, "Share: Facebook Telegram WhatsApp\nTags: Kazakhstan Huawei\nKcell hired staff.", []
    )
    assert [(e.text, e.kb_id_) for e in doc.ents] == [("Kcell", "kcell")]
    assert codes(doc) == []


def test_title_case_headline_is_not_chrome(blank_en: Language) -> None:
    doc = blank_en.make_doc("Huawei And Kcell Sign Deal In Astana\n\nThe deal was signed.")
    doc.user_data["stanwire_title_end"] = 36
    doc = blank_en(doc)
    assert [e.kb_id_ for e in doc.ents] == ["huawei", "kcell"]


def test_places_products_and_people_are_not_organizations(blank_en: Language) -> None:
    text = "Tajikistan tested 5G while President Trump spoke and the Kazakh government waited."
    doc = run_after_ner(blank_en, text, [(0, 1, "ORG"), (2, 4, "ORG"), (6, 7, "ORG"), (9, 12, "ORG")])
    assert labels(doc) == [("Tajikistan", "GPE"), ("Trump", "PERSON")]
    assert codes(doc) == ["TJ", "KZ"]


def test_unknown_organizations_are_kept_with_their_surface_form(blank_en: Language) -> None:
    doc = run_after_ner(blank_en, "Pamir Fiber laid cable.", [(0, 2, "ORG")])
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [("Pamir Fiber", "ORG", "")]


def test_country_names_and_demonyms(blank_en: Language) -> None:
    doc = blank_en(
        "Kyrgyzstan and Kazakhstani regulators met a Chinese company and Tajiks from the Kyrgyz Republic."
    )
    assert [(h.text, h.code, h.how) for h in country_hits(doc)] == [
        ("Kyrgyzstan", "KG", "name"),
        ("Kazakhstani", "KZ", "demonym"),
        ("Chinese", "CN", "demonym"),
        ("Tajiks", "TJ", "demonym"),
        ("Kyrgyz Republic", "KG", "name"),
    ]


def test_languages_are_not_countries(blank_en: Language) -> None:
    doc = blank_en(
        "Russian-language outlets and Kazakh speakers read reports published in Uzbek and Russian."
    )
    assert codes(doc) == []


def test_a_demonym_before_a_noun_after_in_is_a_country(blank_en: Language) -> None:
    assert codes(blank_en("The towers were sold in Russian markets.")) == ["RU"]


def test_the_eu_is_an_organization_not_a_country(blank_en: Language) -> None:
    doc = blank_en("The EU and the European Union's partners met European officials.")
    assert codes(doc) == []
    assert [e.kb_id_ for e in doc.ents] == ["eu", "eu"]


def test_country_inside_an_organization_name_is_not_a_country(blank_en: Language) -> None:
    doc = blank_en("Beeline Kazakhstan and the Development Bank of Kazakhstan signed.")
    assert codes(doc) == []


def test_capital_counts_only_when_it_acts(blank_en: Language) -> None:
    # Without a parser only the possessive shows a capital acting; the full model covers subjects (see
    # test_countries_full.py).
    assert codes(blank_en("Moscow's position hardened.")) == ["RU"]
    assert codes(blank_en("A conference opened in Astana.")) == []


def test_ambiguous_country_name_needs_ner_to_call_it_a_place(blank_en: Language) -> None:
    assert codes(blank_en("Jordan Peterson spoke.")) == []
    doc = run_after_ner(blank_en, "Officials from Jordan arrived.", [(2, 3, "GPE")])
    assert codes(doc) == ["JO"]


def test_components_have_versioned_names_and_declare_what_they_need_and_set(pipes: nlp.Pipelines) -> None:
    ours = [name for name in pipes.english.pipe_names if name.startswith("stanwire_")]
    assert len(ours) == 6
    assert all(name.rsplit("_", 1)[-1].startswith("v") for name in ours)
    assert all(pipes.english.get_pipe_meta(name).assigns for name in ours)
    # spaCy's own check: every attribute a component requires is set by a component before it.
    problems = pipes.english.analyze_pipes()["problems"]
    assert {name: problems[name] for name in ours} == {name: [] for name in ours}


def test_data_files_are_given_at_initialization(tmp_path: Path) -> None:
    gazetteer = tmp_path / "organizations.jsonl"
    gazetteer.write_text(
        '{"id": "zzyx", "name": "Zzyx Telecom", "kind": "operator", "country": "KZ", "aliases": ["Zzyx"]}\n',
        encoding="utf-8",
    )
    pipeline = add_components(spacy.blank("en"), organizations_path=str(gazetteer))
    doc = pipeline("Kcell and Zzyx signed a deal.")
    assert [(e.text, e.kb_id_) for e in doc.ents] == [("Zzyx", "zzyx")]  # Kcell is not in this gazetteer
    with pytest.raises(TypeError, match="unknown data paths"):
        add_components(spacy.blank("en"), gazeteer_path=str(gazetteer))
