"""Russian agreement events: "подписали меморандум", "ратифицировал соглашение", "планируют подписать"."""

from __future__ import annotations

from datetime import date

from nlp.events_common import (
    EventDraft,
    add_state_countries,
    dedupe_parties,
    ratified_parties,
    subtype_from_modifiers,
)
from nlp.mentions_ru import (
    DATE_RU,
    RuMentions,
    governing_verb,
    is_planned,
    sentence_date_ru,
    subject_tokens,
    verb_chain,
)
from nlp.records import EventParty
from nlp.russian import RuToken
from nlp.wordlists import event_words

_WORDS = event_words("ru_agreement")
AGREEMENT_NOUNS_RU = _WORDS.mapping("nouns")
AGREEMENT_VERBS_RU = _WORDS.words("verbs")
TERMINATE_RU = _WORDS.words("terminate_verbs")
SUBTYPE_MODIFIERS = _WORDS.mapping("subtype_modifiers")


def _agreement_subtype(
    m: RuMentions, anchor: RuToken, kind: str, parties: list[EventParty]
) -> tuple[str, bool]:
    if kind != "agreement":
        return kind, True
    modifiers = {k.lemma for k in m.children(anchor.i, "amod", "nmod")}
    return subtype_from_modifiers(modifiers, SUBTYPE_MODIFIERS, parties)


def _agreement_status(m: RuMentions, anchor: RuToken, verb: RuToken | None) -> str:
    chain = verb_chain(m, verb.i) if verb is not None else [anchor]
    lemmas = {t.lemma for t in chain}
    head = m.doc.tokens[anchor.head] if anchor.head >= 0 else None
    if is_planned(chain, m) or (head is not None and head.lemma in {"проект", "переговоры"}):
        return "planned"
    if lemmas & TERMINATE_RU:
        return "terminated"
    if "ратифицировать" in lemmas or (head is not None and head.lemma == "ратификация"):
        return "ratified"
    if "вступить" in lemmas or "продлить" in lemmas:
        return "in_force"
    return "signed"


def _agreement_subject(m: RuMentions, anchor: RuToken, kind: str, verb: RuToken | None = None) -> str | None:
    """ "о сотрудничестве в сфере …", "на поставку оборудования": what the agreement is about."""
    cases = {"о", "об", "по"} | ({"на"} if kind in {"loan", "contract"} else set())
    heads = [anchor] + ([verb] if verb is not None and verb is not anchor else [])
    for head in heads:
        for kid in m.children(head.i, "nmod", "obl"):
            if kid.lemma in {"год", "срок", "сумма", "месяц", "размер"} or kid.i in m.party_at:
                continue
            if m.case_of(kid.i) & cases:
                indexes = [i for i in m.phrase(kid.i) if not DATE_RU.match(m.doc.tokens[i].text)]
                return m.text_of(indexes, nominative_head=kid.i)
    return None


VERB_ONLY_RU = _WORDS.words("verb_only")


def _verb_only_draft(
    m: RuMentions, verb: RuToken, sentence: int, published: date | None
) -> EventDraft | None:
    """ "«Узтелеком» и ZTE договорились о строительстве …": an agreement without an agreement noun."""
    parties: list[EventParty] = []
    for subject in subject_tokens(m, verb.i):
        parties += m.parties_of(subject)
    for kid in m.children(verb.i, "obl", "iobj"):
        if m.case_of(kid.i) & {"с", "со", "между"}:
            parties += m.parties_of(kid.i)
    parties = dedupe_parties(parties)
    if len(parties) < 2:
        return None
    status = _agreement_status(m, verb, verb)
    found_date, date_text = sentence_date_ru(
        m, sentence, published, "future" if status == "planned" else "past"
    )
    return EventDraft(
        type="agreement",
        subtype="cooperation" if verb.lemma == "договориться" else "agreement",
        status=status,
        parties=add_state_countries(parties, m.gazetteer, m.lexicon),
        date=found_date,
        date_text=date_text,
        subject=_agreement_subject(m, verb, "agreement"),
        sentence=m.doc.sentence_text(sentence),
        specific=verb.lemma == "договориться",
    )


def agreement_drafts_ru(m: RuMentions, published: date | None) -> list[EventDraft]:
    """Agreement drafts from every sentence of a Russian document."""
    drafts = []
    for sentence, (start, end) in enumerate(m.doc.sentences):
        if not any(t.lemma in AGREEMENT_NOUNS_RU and t.pos == "NOUN" for t in m.doc.tokens[start:end]):
            for token in m.doc.tokens[start:end]:
                if token.pos == "VERB" and token.lemma in VERB_ONLY_RU:
                    draft = _verb_only_draft(m, token, sentence, published)
                    if draft is not None:
                        drafts.append(draft)
            continue
        for anchor in m.doc.tokens[start:end]:
            kind = AGREEMENT_NOUNS_RU.get(anchor.lemma)
            if kind is None or anchor.pos != "NOUN":
                continue
            verb = governing_verb(m, anchor)
            if verb is None or (kind == "loan" and verb.lemma not in AGREEMENT_VERBS_RU):
                continue
            subject_phrase = set(m.doc.subtree(anchor.i)) - {anchor.i}
            parties: list[EventParty] = []
            for subject in subject_tokens(m, verb.i):
                parties += m.parties_of(subject)
            for head in (verb.i, anchor.i):
                for kid in m.children(head, "obl", "nmod", "iobj"):
                    if m.case_of(kid.i) & {"с", "между", "со"} or (
                        kind == "loan" and kid.feats.get("Case") in {"Dat", "Gen"}
                    ):
                        parties += m.parties_of(kid.i)
            parse_parties = bool(parties)
            if not parties:
                parties = m.sentence_parties(sentence, subject_phrase)
            if not parties:
                continue
            status = _agreement_status(m, anchor, verb)
            if status == "ratified":
                parties = ratified_parties(parties, m.gazetteer, m.lexicon)
            parties = add_state_countries(dedupe_parties(parties), m.gazetteer, m.lexicon)
            subtype, specific = _agreement_subtype(m, anchor, kind, parties)
            if status == "ratified" and subtype in {"agreement", "treaty"}:
                subtype, specific = "treaty", True  # parliaments ratify treaties between states
            found_date, date_text = sentence_date_ru(
                m, sentence, published, "future" if status == "planned" else "past"
            )
            drafts.append(
                EventDraft(
                    type="agreement",
                    subtype=subtype,
                    status=status,
                    parties=parties,
                    date=found_date,
                    date_text=date_text,
                    subject=_agreement_subject(m, anchor, kind, verb),
                    sentence=m.doc.sentence_text(sentence),
                    specific=specific,
                    parse_parties=parse_parties,
                )
            )
    return drafts
