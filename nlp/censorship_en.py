"""English censorship events: blocking, throttling, shutdowns, VPN bans, speech laws, arrests and fines for posts.

A trigger counts only in an online context (a site, app, VPN, the internet, a post…), so "the bank blocked a card"
and "roads blocked by snow" are not censorship. The actor is the subject or agent ("by Roskomnadzor", "at the
request of the GKNB"); the target becomes the event's `subject`.
"""

from __future__ import annotations

from datetime import date

from spacy.tokens import Doc, Span, Token

from nlp.events_common import EventDraft, add_state_countries, country_party, dedupe_parties
from nlp.mentions_en import EnglishMentions, is_future, phrase_text, sentence_date, verb_subjects
from nlp.records import EventParty
from nlp.wordlists import event_words

_WORDS = event_words("en_censorship")
VERB_TRIGGERS = _WORDS.mapping("verb_triggers")
NOUN_TRIGGERS = _WORDS.mapping("noun_triggers")
LIFT_WORDS = _WORDS.words("lift_words")
PLAN_VERBS = _WORDS.words("plan_verbs")
LAW_ENACT = _WORDS.words("law_enact")
LAW_ACTS = _WORDS.words("law_acts")
NET_WORDS = _WORDS.words("net_words")
VPN_WORDS = _WORDS.words("vpn_words")
SPEECH_WORDS = _WORDS.words("speech_words")
LAW_CONTEXT = _WORDS.words("law_context")
SHUTDOWN_OBJECTS = _WORDS.words("shutdown_objects")
ORDER_NOUNS = _WORDS.words("order_nouns")
# Organizations that are not states: their own moderation is not state censorship.
PRIVATE_KINDS = _WORDS.words("private_kinds")


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def _trigger(token: Token) -> str | None:
    if token.dep_ == "amod":
        # "blocked websites" describes, it does not report a block.
        return None
    if token.pos_ == "VERB":
        # The small English model lemmatizes "fined" as "fin": look at the word form too.
        base = VERB_TRIGGERS.get(_lemma(token)) or VERB_TRIGGERS.get(token.lower_)
        if _lemma(token) == "slow" and not any(c.lower_ == "down" for c in token.children):
            return None
        if _lemma(token) == "shut" and not any(c.lower_ in {"down", "off"} for c in token.children):
            return None
        return base
    if token.pos_ in {"NOUN", "PROPN"}:
        return NOUN_TRIGGERS.get(_lemma(token)) or NOUN_TRIGGERS.get(token.lower_)
    return None


def _words(tokens: list[Token] | Span) -> set[str]:
    return {t.lower_ for t in tokens} | {_lemma(t) for t in tokens}


def _names_platform(sentence: Span, mentions: EnglishMentions) -> bool:
    """True when the sentence names a platform or outlet ("blocked Kloop"): an online context by itself."""
    for token in sentence:
        org = (
            mentions.gazetteer.by_id.get(mentions.org_at[token.i].kb_id_)
            if token.i in mentions.org_at
            else None
        )
        if org is not None and org.kind in {"company", "media"}:
            return True
    return False


def _subtype(base: str, trigger: Token, sentence: Span, mentions: EnglishMentions) -> str | None:
    words = _words(sentence)
    local = _words(list(trigger.subtree)) | _words(list(trigger.head.subtree))
    if base == "law":
        return "law" if words & LAW_CONTEXT else None
    if base in {"fine", "arrest"}:
        return base if words & SPEECH_WORDS else None
    if not (words & NET_WORDS or _names_platform(sentence, mentions)):
        return None
    if base == "block" and local & VPN_WORDS:
        return "vpn_ban"
    if base == "shutdown":
        if _lemma(trigger) == "restore" and not local & SHUTDOWN_OBJECTS:
            return "block" if "access" in local else None
        return "shutdown" if local & SHUTDOWN_OBJECTS else None
    return base


def _chain(token: Token) -> list[Token]:
    chain = [token]
    node = token
    while (
        node.dep_ in {"xcomp", "ccomp", "conj", "dobj", "nsubjpass", "pobj", "prep"} and node.head is not node
    ):
        node = node.head
        chain.append(node)
        if len(chain) > 4:
            break
    return chain


def _law_is_acted_on(trigger: Token) -> bool:
    """A law, bill or amendment is news when it is adopted, proposed, amended or takes effect, not when cited."""
    if trigger.pos_ == "VERB" or {c.lower_ for c in trigger.children} & {"draft", "proposed", "new"}:
        return True
    acted_on = {_lemma(t) for t in _chain(trigger)[1:]}
    if trigger.dep_ in {"nsubj", "nsubjpass"}:
        acted_on.add(_lemma(trigger.head))  # "the law takes effect", "the bill was passed"
    return bool(acted_on & LAW_ACTS)


def _status(trigger: Token, base: str) -> str:
    chain = _chain(trigger)
    lemmas = {_lemma(t) for t in chain}
    modifiers = {c.lower_ for c in trigger.children}
    if (
        is_future([t for t in chain if t.pos_ in {"VERB", "AUX"}])
        or lemmas & PLAN_VERBS
        or modifiers & {"draft", "proposed"}
    ):
        return "planned"
    if base == "law":
        sentence_words = _words(trigger.sent)
        if {"reading"} & sentence_words and {"first", "second"} & sentence_words:
            return "planned"
        if _lemma(trigger) == "bill" and not lemmas & LAW_ENACT:
            return "planned"
    if lemmas & LIFT_WORDS:
        return "lifted"
    return "in_force"


def _actors(trigger: Token, mentions: EnglishMentions) -> list[EventParty]:
    """Who restricts: the subject or agent, "at the request of X", else a state body or state in the sentence."""
    actors: list[EventParty] = []
    verb = (
        trigger if trigger.pos_ == "VERB" else next((t for t in trigger.ancestors if t.pos_ == "VERB"), None)
    )
    if verb is not None:
        # "Tajikistan blocked …", and for a noun trigger its verb's subject: "parliament adopted a law".
        for subject in verb_subjects(verb):
            if subject is not trigger:
                actors += mentions.parties_of(subject, allow_demonym=True)
    nodes = [trigger, *[t for t in trigger.ancestors][:2]]
    for node in nodes:
        for child in node.children:
            if child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ == "by"):
                actors += [p for pobj in child.children for p in mentions.parties_of(pobj)]
            if node is trigger and child.dep_ in {"poss", "compound", "amod"}:
                actors += mentions.parties_of(child, allow_demonym=True)
    for token in trigger.sent:
        # "at the request of the GKNB", "on the orders of Roskomnadzor".
        if _lemma(token) in ORDER_NOUNS:
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ in {"of", "from"}:
                    actors += [p for pobj in prep.children for p in mentions.parties_of(pobj)]
    if not actors:
        for party in mentions.sentence_parties(trigger.sent, exclude=_target_tokens(trigger)):
            org = mentions.gazetteer.by_id.get(party.code or "")
            if party.kind == "country" or (org is not None and org.is_state_body):
                actors.append(party)
    if not actors:
        # "Mobile internet was cut in Karakalpakstan", "a court in Bishkek": the state the place belongs to.
        for ent in trigger.sent.ents:
            if ent.label_ not in {"GPE", "LOC"}:
                continue
            term = mentions.lexicon.term_for(ent.text)
            code = term.code if term is not None else mentions.lexicon.region_country(ent.text)
            if code:
                actors.append(country_party(code, ent.text, mentions.lexicon))
    return dedupe_parties(actors)


def _target_head(trigger: Token) -> Token | None:
    children = list(trigger.children)
    for child in children:
        if child.dep_ in {"dobj", "nsubjpass"} and child.lower_ == "access":
            for prep in child.children:
                if prep.dep_ == "prep" and prep.lower_ == "to":
                    return next((p for p in prep.children if p.dep_ == "pobj"), None)
    for child in children:
        if child.dep_ in {"dobj", "nsubjpass"}:
            return child
    if trigger.pos_ in {"NOUN", "PROPN"}:
        # "a ban on VPNs"; the parser often hangs "on …" on the verb instead: "adopted a law on false information".
        preps = children + (list(trigger.head.children) if trigger.dep_ == "dobj" else [])
        for prep in preps:
            if prep.dep_ == "prep" and prep.lower_ in {"on", "of", "to", "against"}:
                return next((p for p in prep.children if p.dep_ == "pobj"), None)
    for prep in children:
        if prep.dep_ == "prep" and prep.lower_ == "to":
            # "restricted access to …" parsed with the preposition on the verb.
            return next((p for p in prep.children if p.dep_ == "pobj"), None)
    return None


def _target_tokens(trigger: Token) -> set[int]:
    head = _target_head(trigger)
    return {t.i for t in head.subtree} if head is not None else set()


def _target(trigger: Token, subtype: str) -> str | None:
    head = _target_head(trigger)
    text = phrase_text(head) if head is not None else None
    for prep in trigger.children:
        if prep.dep_ != "prep":
            continue
        pobj = next((p for p in prep.children if p.dep_ == "pobj"), None)
        if pobj is None:
            continue
        if prep.lower_ == "for" and subtype in {"fine", "arrest"} and text:
            text = f"{text} for {phrase_text(pobj)}"
        if (
            prep.lower_ == "in"
            and subtype in {"shutdown", "throttle"}
            and pobj.ent_type_ in {"GPE", "LOC"}
            and text
        ):
            text = f"{text} in {phrase_text(pobj)}"
    return text


def _is_private_moderation(actors: list[EventParty], mentions: EnglishMentions) -> bool:
    if not actors:
        return False
    for party in actors:
        org = mentions.gazetteer.by_id.get(party.code or "")
        if party.kind == "country" or org is None or org.kind not in PRIVATE_KINDS:
            return False
    return True


def censorship_drafts(doc: Doc, mentions: EnglishMentions, published: date | None) -> list[EventDraft]:
    """Censorship drafts of every sentence of a parsed English document, in order."""
    drafts: list[EventDraft] = []
    for sentence in doc.sents:
        covered: set[int] = set()
        triggers = [(t, b) for t in sentence if (b := _trigger(t))]
        # A law first: "a law allowing the ministry to block websites" is one law, not a law and a block.
        triggers.sort(key=lambda pair: pair[1] != "law")
        for trigger, base in triggers:
            if trigger.i in covered:
                continue
            subtype = _subtype(base, trigger, sentence, mentions)
            if subtype is None:
                continue
            if subtype == "law" and not _law_is_acted_on(trigger):
                continue
            if subtype == "law":
                # What the law allows ("… to block websites") is the law, not another event.
                covered |= {t.i for t in trigger.subtree} | set(range(trigger.i, sentence.end))
            actors = _actors(trigger, mentions)
            if _is_private_moderation(actors, mentions):
                continue
            status = _status(trigger, base)
            found_date, date_text = sentence_date(
                sentence, [trigger], published, "future" if status == "planned" else "past"
            )
            target = _target(trigger, subtype)
            drafts.append(
                EventDraft(
                    type="censorship",
                    subtype=subtype,
                    status=status,
                    parties=add_state_countries(actors, mentions.gazetteer, mentions.lexicon),
                    date=found_date,
                    date_text=date_text,
                    subject=target,
                    sentence=sentence.text.strip(),
                    # "the restrictions also …", "the block was lifted": a noun without its own target.
                    needs_antecedent=trigger.pos_ != "VERB" and subtype != "law" and target is None,
                )
            )
    return drafts
