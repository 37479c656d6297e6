"""English agreement events from dependency parses.

A sentence yields an agreement when it has an agreement noun (memorandum, MoU, contract, loan, deal, treaty,
partnership…) or an agreement verb (sign, ink, ratify, agree, partner) with at least one organization or state
as a party. Parties come from the parse: subjects and their conjuncts, "with X", "between X and Y", "by X", and for
loans "to X" / "from X". A person being signed (a footballer) or a petition is not an agreement.
"""

from __future__ import annotations

from datetime import date

from spacy.tokens import Doc, Span, Token

from nlp.events_common import (
    EventDraft,
    add_state_countries,
    dedupe_parties,
    ratified_parties,
    subtype_from_modifiers,
)
from nlp.mentions_en import EnglishMentions, is_future, phrase_text, sentence_date, verb_subjects
from nlp.records import EventParty
from nlp.wordlists import event_words

_WORDS = event_words("en_agreement")
AGREEMENT_NOUNS = _WORDS.mapping("agreement_nouns")
# Nouns that are an agreement only when a lending verb governs them ("approved a $40 million credit").
SOFT_LOAN_NOUNS = _WORDS.words("soft_loan_nouns")
LOAN_VERBS = _WORDS.words("loan_verbs")
VERB_TRIGGERS = _WORDS.words("verb_triggers")
SIGNING_VERBS = _WORDS.words("signing_verbs")
PLAN_VERBS = _WORDS.words("plan_verbs")
PLAN_NOUNS = _WORDS.words("plan_nouns")
PLAN_MODIFIERS = _WORDS.words("plan_modifiers")
TERMINATE_VERBS = _WORDS.words("terminate_verbs")
IN_FORCE_VERBS = _WORDS.words("in_force_verbs")
NOT_AGREEMENTS = _WORDS.words("not_agreements")
SPORT_WORDS = _WORDS.words("sport_words")
CONTEXT_WORDS = _WORDS.words("context_words")
CONTRACT_HINTS = _WORDS.words("contract_hints")
SUBJECT_PREPS = _WORDS.words("subject_preps")
SUBTYPE_MODIFIERS = _WORDS.mapping("subtype_modifiers")
SUBJECT_SKIP = _WORDS.words("subject_skip")


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def _anchor_kind(token: Token) -> str | None:
    if token.pos_ not in {"NOUN", "PROPN"}:
        return None
    kind = AGREEMENT_NOUNS.get(token.lower_) or AGREEMENT_NOUNS.get(_lemma(token))
    if kind == "deal" and any(c.lower_ == "great" for c in token.children):
        return None
    return kind


def _governing_verb(anchor: Token) -> Token | None:
    """The verb an agreement noun depends on; a participle on the noun first ("a deal signed by…")."""
    for child in anchor.children:
        if child.dep_ in {"acl", "relcl"} and _lemma(child) in SIGNING_VERBS | TERMINATE_VERBS | {"ratify"}:
            return child
    node = anchor
    for _ in range(4):
        if node.head is node:
            break
        node = node.head
        if node.pos_ in {"VERB", "AUX"}:
            return node
    # A noun at the root with a participle: "The agreement … entered into force on 1 January."
    return next((c for c in anchor.children if c.dep_ in {"acl", "relcl"} and c.pos_ == "VERB"), None)


def _chain(verb: Token | None) -> list[Token]:
    """The verb and the verbs it is a complement of ("expected" ← "to sign")."""
    chain: list[Token] = []
    node = verb
    while node is not None and len(chain) < 4:
        chain.append(node)
        if node.dep_ not in {"xcomp", "ccomp", "advcl", "conj", "relcl", "acl"} or node.head is node:
            break
        node = node.head
    return chain


def _status(anchor: Token | None, verb: Token | None) -> str:
    chain = _chain(verb)
    lemmas = {_lemma(t) for t in chain}
    modifiers = {c.lower_ for c in anchor.children} if anchor is not None else set()
    ancestors = {_lemma(t) for t in list(anchor.ancestors)[:3]} if anchor is not None else set()
    # The verb's own lemma does not count: "agreed on a deal" is done, "agreed to sign a deal" is planned.
    planning_heads = lemmas & (PLAN_VERBS - {_lemma(chain[0])}) if chain else set()
    planned = (
        is_future(chain)
        or bool(planning_heads)
        or (verb is not None and _lemma(verb) in {"negotiate", "discuss", "consider", "propose"})
        or bool(modifiers & PLAN_MODIFIERS)
        or bool(ancestors & PLAN_NOUNS)
    )
    if planned:
        return "planned"
    if lemmas & TERMINATE_VERBS or modifiers & {"cancelled", "canceled", "terminated", "scrapped", "expired"}:
        return "terminated"
    if "ratify" in lemmas or "ratification" in ancestors:
        return "ratified"
    if verb is not None and _in_force(verb, anchor):
        return "in_force"
    return "signed"


def _in_force(verb: Token, anchor: Token | None) -> bool:
    lemma = _lemma(verb)
    if lemma in {"enter", "come"} and any(t.lower_ in {"force", "effect"} for t in verb.subtree):
        return True
    if lemma == "take" and any(t.lower_ == "effect" for t in verb.children):
        return True
    # "extended a loan" is lending, not prolonging an agreement.
    return lemma in IN_FORCE_VERBS and not (
        anchor is not None and AGREEMENT_NOUNS.get(anchor.lower_) == "loan"
    )


def _subtype(kind: str, anchor: Token | None, sentence: Span, parties: list[EventParty]) -> tuple[str, bool]:
    if kind in {"memorandum", "loan", "treaty", "contract", "cooperation"}:
        return kind, True
    modifiers: set[str] = set()
    if anchor is not None:
        for child in anchor.children:
            if child.dep_ in {"compound", "amod", "nmod"}:
                modifiers.add(_lemma(child))
            if child.dep_ == "prep" and child.lower_ in {"on", "of", "for"}:
                modifiers |= {_lemma(p) for p in child.children}
    subtype, specific = subtype_from_modifiers(modifiers, SUBTYPE_MODIFIERS, parties)
    if subtype != "agreement":
        return subtype, specific
    if kind == "deal" and {_lemma(t) for t in sentence} & CONTRACT_HINTS:
        return "contract", True
    return ("cooperation" if kind == "verb" else "agreement"), False


def _subject(anchor: Token | None, verb: Token | None, mentions: EnglishMentions) -> str | None:
    heads = [t for t in (anchor, verb) if t is not None]
    if anchor is not None:
        heads += [p for c in anchor.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children]
    for head in heads:
        for prep in head.children:
            if prep.dep_ != "prep" or prep.lower_ not in SUBJECT_PREPS:
                continue
            for pobj in prep.children:
                if pobj.dep_ != "pobj" or pobj.ent_type_ in {"DATE", "MONEY", "TIME"}:
                    continue
                if mentions.is_party_token(pobj) or _lemma(pobj) in SUBJECT_SKIP:
                    continue
                return phrase_text(pobj)
    for head in heads:
        for child in head.children:
            # "a contract to build a data centre", "agreed to jointly deploy 5G".
            if child.dep_ in {"acl", "xcomp", "relcl", "advcl"} and child.pos_ == "VERB":
                for obj in child.children:
                    if obj.dep_ == "dobj" and not mentions.is_party_token(obj):
                        return phrase_text(obj)
    return None


def _parties(
    anchor: Token | None, verb: Token | None, kind: str, mentions: EnglishMentions
) -> list[EventParty]:
    parties: list[EventParty] = []
    if verb is not None:
        for subject in verb_subjects(verb):
            if subject is not anchor:
                parties += mentions.parties_of(subject)
        for child in verb.children:
            if child.dep_ == "agent":
                parties += [p for pobj in child.children for p in mentions.parties_of(pobj)]
            if kind == "loan" and child.dep_ in {"dative", "dobj"} and child is not anchor:
                parties += mentions.parties_of(child)
    preps = {"with", "between", "among", "alongside"} | ({"to", "from"} if kind == "loan" else set())
    heads = [t for t in (verb, anchor) if t is not None]
    if anchor is not None:
        heads += [p for c in anchor.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children]
    for head in heads:
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ in preps:
                parties += [p for pobj in prep.children for p in mentions.parties_of(pobj)]
    if anchor is not None:
        for child in anchor.children:
            # "Kcell's contract", "a Huawei-Kcell deal", "the Kazakh-Chinese agreement".
            if child.dep_ in {"poss", "compound", "amod", "nmod"}:
                parties += mentions.parties_of(child, allow_demonym=True)
    return dedupe_parties(parties)


def _is_sport_or_person(sentence: Span, verb: Token | None) -> bool:
    lemmas = {_lemma(t) for t in sentence}
    if lemmas & SPORT_WORDS and not lemmas & CONTEXT_WORDS:
        return True
    if verb is None:
        return False
    for child in verb.children:
        if child.dep_ == "dobj" and (child.ent_type_ == "PERSON" or _lemma(child) in NOT_AGREEMENTS):
            return True
        if (
            child.dep_ == "prep"
            and child.lower_ == "into"
            and any(_lemma(p) == "law" for p in child.children)
        ):
            return True
    return False


def _draft(
    sentence: Span,
    anchor: Token | None,
    verb: Token | None,
    kind: str,
    mentions: EnglishMentions,
    published: date | None,
) -> EventDraft | None:
    if _is_sport_or_person(sentence, verb):
        return None
    parties = _parties(anchor, verb, kind, mentions)
    parse_parties = bool(parties)
    if not parties and anchor is not None and verb is not None:
        parties = mentions.sentence_parties(sentence)
    if not parties or (anchor is None and len(parties) < 2):
        return None
    status = _status(anchor, verb)
    if status == "ratified":
        parties = ratified_parties(parties, mentions.gazetteer, mentions.lexicon)
    parties = add_state_countries(parties, mentions.gazetteer, mentions.lexicon)
    subtype, specific = _subtype(kind, anchor, sentence, parties)
    if status == "ratified" and subtype in {"agreement", "treaty"}:
        subtype, specific = "treaty", True  # parliaments ratify treaties between states
    anchors = [t for t in (anchor, verb) if t is not None]
    found_date, date_text = sentence_date(
        sentence, anchors, published, "future" if status == "planned" else "past"
    )
    return EventDraft(
        type="agreement",
        subtype=subtype,
        status=status,
        parties=parties,
        date=found_date,
        date_text=date_text,
        subject=_subject(anchor, verb, mentions),
        sentence=sentence.text.strip(),
        specific=specific,
        parse_parties=parse_parties,
    )


def agreement_drafts(doc: Doc, mentions: EnglishMentions, published: date | None) -> list[EventDraft]:
    """Agreement drafts of every sentence of a parsed English document, in order."""
    drafts: list[EventDraft] = []
    for sentence in doc.sents:
        used_verbs: set[int] = set()
        found = False
        for token in sentence:
            kind = _anchor_kind(token)
            verb = _governing_verb(token) if kind or _lemma(token) in SOFT_LOAN_NOUNS else None
            if (
                kind is None
                and _lemma(token) in SOFT_LOAN_NOUNS
                and verb is not None
                and _lemma(verb) in LOAN_VERBS
            ):
                kind = "loan"
            if kind is None:
                continue
            if token.dep_ == "pobj" and token.head.lower_ in {"under", "according", "within", "per"}:
                continue
            draft = _draft(sentence, token, verb, kind, mentions, published)
            if verb is not None:
                used_verbs.add(verb.i)
            if draft is not None:
                drafts.append(draft)
                found = True
        if found:
            continue
        for token in sentence:
            if token.pos_ == "VERB" and _lemma(token) in VERB_TRIGGERS and token.i not in used_verbs:
                draft = _draft(sentence, None, token, "verb", mentions, published)
                if draft is not None:
                    drafts.append(draft)
    return drafts
