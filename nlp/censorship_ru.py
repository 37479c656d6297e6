"""Russian censorship events: "заблокировал доступ", "ограничить доступ", "замедлить интернет", "отключить
интернет", "запретить VPN", "оштрафовать за пост", laws restricting online speech."""

from __future__ import annotations

from datetime import date

from nlp.events_common import EventDraft, add_state_countries, country_party, dedupe_parties
from nlp.mentions_ru import RuMentions, is_planned, sentence_date_ru, subject_tokens, verb_chain
from nlp.mentions_ru import governing_verb as _governing_verb
from nlp.records import EventParty
from nlp.russian import RuToken
from nlp.wordlists import event_words

_WORDS = event_words("ru_censorship")
TRIGGERS_RU = _WORDS.mapping("triggers")
LIFT_RU = _WORDS.words("lift_words")
NET_RU = _WORDS.words("net_words")
VPN_RU = _WORDS.words("vpn_words")
SPEECH_RU = _WORDS.words("speech_words")
LAW_CONTEXT_RU = _WORDS.words("law_context")
SHUTDOWN_RU = _WORDS.words("shutdown_objects")
ORDER_NOUNS_RU = _WORDS.words("order_nouns")
LAW_ENACT_RU = _WORDS.words("law_enact")
LAW_ACTS_RU = _WORDS.words("law_acts")


def _words(m: RuMentions, indexes: list[int]) -> set[str]:
    tokens = [m.doc.tokens[i] for i in indexes]
    return {t.lemma for t in tokens} | {t.lower for t in tokens}


def _subtype(m: RuMentions, trigger: RuToken, base: str, sentence_words: set[str]) -> str | None:
    local = _words(m, m.doc.subtree(trigger.i))
    if trigger.head >= 0:
        local |= _words(m, m.doc.subtree(trigger.head))
    if base == "law":
        return "law" if sentence_words & LAW_CONTEXT_RU else None
    if base in {"fine", "arrest"}:
        return base if sentence_words & SPEECH_RU else None
    if not sentence_words & NET_RU and not any(i in m.party_at for i in m.doc.subtree(trigger.i)):
        return None
    if base == "block" and local & VPN_RU:
        return "vpn_ban"
    if base == "shutdown":
        if trigger.lemma == "восстановить":
            return "shutdown" if local & {"интернет", "связь"} else "block" if "доступ" in local else None
        return "shutdown" if local & SHUTDOWN_RU else None
    return base


def _law_is_acted_on(m: RuMentions, trigger: RuToken) -> bool:
    """A law or bill is news when it is adopted, proposed, amended or takes effect, not when cited."""
    if trigger.lemma == "законопроект" or trigger.pos == "VERB":
        return True
    acted_on = {t.lemma for t in verb_chain(m, trigger.i)}
    if trigger.rel.startswith("nsubj") and trigger.head >= 0:
        acted_on.add(m.doc.tokens[trigger.head].lemma)  # "закон вступил в силу", "законопроект приняли"
    return bool(acted_on & LAW_ACTS_RU)


def _status(m: RuMentions, trigger: RuToken, base: str, sentence_words: set[str]) -> str:
    chain = verb_chain(m, trigger.i)
    lemmas = {t.lemma for t in chain}
    if is_planned(chain, m) or trigger.lemma == "законопроект":
        return "planned"
    if base == "law" and "чтение" in sentence_words and not lemmas & {"вступить"}:
        return "planned"
    if lemmas & LIFT_RU:
        return "lifted"
    return "in_force"


def _actors(m: RuMentions, trigger: RuToken, sentence: int, target: set[int]) -> list[EventParty]:
    actors: list[EventParty] = []
    verb = trigger if trigger.pos == "VERB" else _governing_verb(m, trigger)
    if verb is not None:
        for subject in subject_tokens(m, verb.i):
            if subject != trigger.i and subject not in target:
                actors += m.parties_of(subject)
    if trigger.pos == "VERB":
        for kid in m.children(trigger.i, "obl"):
            # Passive agent in the instrumental: "заблокирован Роскомнадзором".
            if kid.feats.get("Case") == "Ins" and not m.case_of(kid.i):
                actors += m.parties_of(kid.i)
    else:
        for kid in m.children(trigger.i, "nmod", "amod"):
            if kid.i not in target:
                actors += m.parties_of(kid.i)
    start, end = m.doc.sentences[sentence]
    for token in m.doc.tokens[start:end]:
        # "по решению суда", "по требованию ГКНБ".
        if token.lemma in ORDER_NOUNS_RU:
            for kid in m.children(token.i, "nmod"):
                actors += m.parties_of(kid.i)
    if not actors:
        for party in m.sentence_parties(sentence, target):
            org = m.gazetteer.by_id.get(party.code or "")
            if party.kind == "country" or (org is not None and org.is_state_body):
                actors.append(party)
    if not actors:
        # "отключили интернет в Каракалпакстане", "суд в Бишкеке": the state the place belongs to.
        for token in m.doc.tokens[start:end]:
            code = m.lexicon.place_country(token.lemma) or m.lexicon.place_country(token.text)
            if code and token.text[:1].isupper():
                actors.append(country_party(code, token.text, m.lexicon))
    return dedupe_parties(actors)


def _target(m: RuMentions, trigger: RuToken, subtype: str) -> tuple[str | None, set[int]]:
    if subtype == "law":
        # "закон о ложной информации"
        for kid in m.children(trigger.i, "nmod"):
            if m.case_of(kid.i) & {"о", "об"}:
                indexes = m.phrase(kid.i)
                return m.text_of(indexes, nominative_head=kid.i), set(indexes)
    for kid in m.children(trigger.i, "obj", "nsubj:pass", "nmod", "nsubj"):
        if kid.lemma == "доступ":
            for inner in m.children(kid.i, "nmod", "obl"):
                if m.case_of(inner.i) & {"к"}:
                    indexes = m.phrase(inner.i)
                    return m.text_of(indexes, nominative_head=inner.i), set(indexes)
        # An accusative "subject" is the parser's slip for the object ("разблокировало сайт").
        misread_object = kid.rel == "nsubj" and kid.feats.get("Case") == "Acc" and kid.i not in m.party_at
        if kid.rel in {"obj", "nsubj:pass"} or misread_object or (kid.rel == "nmod" and not m.case_of(kid.i)):
            indexes = m.phrase(kid.i)
            text = m.text_of(indexes, nominative_head=kid.i)
            if subtype in {"fine", "arrest"}:
                for reason in m.children(trigger.i, "obl"):
                    if m.case_of(reason.i) & {"за"}:
                        text = f"{text} за {m.text_of(m.phrase(reason.i))}"
            return text, set(indexes)
    return None, set()


def censorship_drafts_ru(m: RuMentions, published: date | None) -> list[EventDraft]:
    """Censorship drafts from every sentence of a Russian document."""
    drafts = []
    for sentence, (start, end) in enumerate(m.doc.sentences):
        sentence_words = _words(m, list(range(start, end)))
        covered: set[int] = set()
        triggers = [(t, TRIGGERS_RU[t.lemma]) for t in m.doc.tokens[start:end] if t.lemma in TRIGGERS_RU]
        triggers.sort(key=lambda pair: pair[1] != "law")
        for trigger, base in triggers:
            if trigger.i in covered or trigger.feats.get("VerbForm") == "Part":
                # "заблокированные сайты" describes, it does not report a block.
                continue
            subtype = _subtype(m, trigger, base, sentence_words)
            if subtype is None:
                continue
            if subtype == "law" and not _law_is_acted_on(m, trigger):
                continue
            if subtype == "law":
                # What the law allows ("… блокировать сайты") is the law, not another event.
                covered |= set(m.doc.subtree(trigger.i)) | set(range(trigger.i, end))
            subject, target = _target(m, trigger, subtype)
            actors = _actors(m, trigger, sentence, target)
            status = _status(m, trigger, base, sentence_words)
            found_date, date_text = sentence_date_ru(
                m, sentence, published, "future" if status == "planned" else "past"
            )
            drafts.append(
                EventDraft(
                    type="censorship",
                    subtype=subtype,
                    status=status,
                    parties=add_state_countries(actors, m.gazetteer, m.lexicon),
                    date=found_date,
                    date_text=date_text,
                    subject=subject,
                    sentence=m.doc.sentence_text(sentence),
                    # "ограничения также …", "блокировку сняли": a noun without its own target.
                    needs_antecedent=trigger.pos != "VERB" and subtype != "law" and subject is None,
                )
            )
    return drafts
