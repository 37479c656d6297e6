"""Russian mention index and helpers shared by the Russian event rules (agreements, censorship).

Parties are read from natasha's dependency parse: subjects with their conjuncts, "с X", "между X и Y", and a
country in the genitive after a state body ("ГКНБ Кыргызстана").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from nlp.countries import CountryLexicon
from nlp.dates import Prefer, resolve_date
from nlp.events_common import country_party, dedupe_parties, organization_party
from nlp.gazetteer import Gazetteer
from nlp.records import EventParty
from nlp.russian import RuDoc, RuToken
from nlp.wordlists import event_words

# Past-tense verb endings: the tagger now and then calls "разблокировало" future; the form says otherwise.
_PAST_FORM = re.compile(r"(л|ла|ло|ли|лся|лась|лось|лись)$")
_DATE_LEMMAS = frozenset(
    [
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
        "понедельник",
        "вторник",
        "среда",
        "четверг",
        "пятница",
        "суббота",
        "воскресенье",
        "вчера",
        "сегодня",
        "завтра",
        "год",
    ]
)
_QUOTES = frozenset({"«", "»", '"', "“", "”", "„"})
_WORDS = event_words("ru_context")
GOVERNMENT_NOUNS = _WORDS.words("government_nouns")
PLAN_WORDS = _WORDS.words("plan_words")
DATE_RU = re.compile(
    r"\b\d{1,2}\s+(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
    r"(?:\s+\d{4}(?:\s+года)?)?"
    r"|\bв?о?\s*(?:понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)\b"
    r"|\b(?:в\s+)?(?:январе|феврале|марте|апреле|мае|июне|июле|августе|сентябре|октябре|ноябре|декабре)"
    r"(?:\s+\d{4}\s+года)?"
    r"|\b(?:вчера|сегодня|завтра|позавчера)\b"
    r"|\bв\s+\d{4}\s+году\b",
    re.IGNORECASE,
)


@dataclass
class RuMentions:
    """Parties by token for one Russian document."""

    doc: RuDoc
    gazetteer: Gazetteer
    lexicon: CountryLexicon

    def __post_init__(self) -> None:
        self.party_at: dict[int, EventParty] = {}
        self.demonym_at: dict[int, EventParty] = {}
        for hit in self.doc.orgs:
            party = organization_party(hit.org, hit.name)
            for i in range(hit.start, hit.end):
                self.party_at[i] = party
        for country in self.doc.countries:
            party = country_party(country.code, country.text, self.lexicon)
            target = self.demonym_at if country.how == "demonym" else self.party_at
            for i in range(country.start, country.end):
                target.setdefault(i, party)

    def children(self, index: int, *rels: str) -> list[RuToken]:
        kids = [self.doc.tokens[c] for c in self.doc.children.get(index, [])]
        return [k for k in kids if not rels or k.rel in rels]

    def case_of(self, index: int) -> set[str]:
        return {k.lemma for k in self.children(index, "case")}

    def parties_of(self, index: int) -> list[EventParty]:
        """Parties a noun and its conjuncts stand for ("ГКНБ Кыргызстана и ФСБ России", "таджикская сторона")."""
        parties: list[EventParty] = []
        items = [index, *[k.i for k in self.children(index, "conj")]]
        # The parser may hang "и ФСБ России" on the country of "ГКНБ Кыргызстана" rather than on "ГКНБ".
        modifiers = [k.i for k in self.children(index, "nmod") if k.i in self.party_at]
        items += [k.i for m in modifiers for k in self.children(m, "conj")]
        for item in items:
            token = self.doc.tokens[item]
            if item in self.party_at:
                parties.append(self.party_at[item])
                # "ГКНБ Кыргызстана": the country modifier names the state of the body.
                parties += [self.party_at[k.i] for k in self.children(item, "nmod") if k.i in self.party_at]
            elif token.lemma in GOVERNMENT_NOUNS:
                for kid in self.children(item, "amod", "nmod"):
                    party = self.party_at.get(kid.i) or self.demonym_at.get(kid.i)
                    if party is not None:
                        parties.append(party)
            else:
                # "китайская компания Huawei", "оператор «Мегаком»": the name next to a common noun.
                for kid in self.children(item, "appos", "flat", "flat:foreign", "nmod"):
                    party = self.party_at.get(kid.i)
                    if party is not None and party.kind == "organization":
                        parties.append(party)
        return dedupe_parties(parties)

    def sentence_parties(self, sentence: int, exclude: set[int]) -> list[EventParty]:
        start, end = self.doc.sentences[sentence]
        return dedupe_parties(
            [self.party_at[i] for i in range(start, end) if i in self.party_at and i not in exclude]
        )

    def phrase(self, index: int) -> list[int]:
        """The noun phrase of a token: its subtree without relative clauses or comma-separated parts."""
        keep: set[int] = set()
        stack = [index]
        while stack:
            current = stack.pop()
            if current in keep:
                continue
            keep.add(current)
            for kid in self.children(current):
                # "Vlast.kz", "дата-центр", «Азаттыка» (quotes are dropped from the text later).
                joiner = kid.rel == "punct" and (kid.text in {".", "-", "/"} or kid.text in _QUOTES)
                breaks = (
                    kid.rel in {"acl:relcl", "acl", "parataxis", "punct", "conj", "cc", "advcl"}
                    and not joiner
                )
                if breaks or kid.pos in {"VERB", "AUX"} or (kid.rel == "case" and kid.i < index):
                    continue
                if kid.lemma in _DATE_LEMMAS:  # "о роуминге в мае": the date is not the subject
                    continue
                stack.append(kid.i)
        ordered = sorted(keep)
        position = ordered.index(index)
        start = end = position
        while start > 0 and ordered[start - 1] == ordered[start] - 1:
            start -= 1
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        return ordered[start : end + 1]

    def text_of(self, indexes: list[int], *, nominative_head: int | None = None) -> str | None:
        """Text of a contiguous token stretch; the head noun in its lemma form ("строительство дата-центра")."""
        if not indexes:
            return None
        tokens = self.doc.tokens
        words = []
        for i in range(indexes[0], indexes[-1] + 1):
            token = tokens[i]
            if token.text in _QUOTES:
                continue
            # A common noun that opens the phrase goes to the nominative; names stay as written.
            sentence_start = self.doc.sentences[token.sent][0] == i
            nominative = (
                i == nominative_head == indexes[0]
                and token.pos == "NOUN"
                and (token.text[:1].islower() or sentence_start)
            )
            words.append(token.lemma if nominative else token.text)
            if i + 1 <= indexes[-1] and tokens[i + 1].start > token.stop:
                words.append(" ")
        return "".join(words).strip(' ,.«»"') or None


def verb_chain(m: RuMentions, index: int) -> list[RuToken]:
    """A token and the words it depends on, up to the governing verb ("планируют" ← "подписать")."""
    chain: list[RuToken] = []
    token = m.doc.tokens[index]
    while len(chain) < 4:
        chain.append(token)
        if (
            token.rel not in {"xcomp", "ccomp", "conj", "advcl", "acl", "obj", "nmod", "obl", "csubj"}
            or token.head < 0
        ):
            break
        token = m.doc.tokens[token.head]
    return chain


def is_planned(chain: list[RuToken], m: RuMentions) -> bool:
    """True for future tense, planning words ("планируют", "законопроект") or "будет подписан"."""
    for index, token in enumerate(chain):
        # "договорились подписать" is a plan; "договорились о строительстве" is the agreement itself.
        planning = token.lemma in PLAN_WORDS and not (index == 0 and token.lemma == "договориться")
        if planning or (token.feats.get("Tense") == "Fut" and not _PAST_FORM.search(token.lower)):
            return True
        # "будет подписан": the future auxiliary.
        if any(
            k.lemma == "быть" and k.feats.get("Tense") == "Fut"
            for k in m.children(token.i, "aux", "aux:pass", "cop")
        ):
            return True
    return False


def subject_tokens(m: RuMentions, index: int) -> list[int]:
    """Subjects of a verb, climbing through infinitive complements."""
    for token in verb_chain(m, index):
        subjects = [k.i for k in m.children(token.i, "nsubj")]
        if subjects:
            return subjects
    return []


def sentence_date_ru(
    m: RuMentions, sentence: int, published: date | None, prefer: Prefer
) -> tuple[str | None, str | None]:
    """The first resolvable date expression of a sentence and its text."""
    for match in DATE_RU.finditer(m.doc.sentence_text(sentence)):
        resolved = resolve_date(match.group(0), published, "ru", prefer)
        if resolved:
            return resolved, match.group(0).strip()
    return None, None


def governing_verb(m: RuMentions, token: RuToken) -> RuToken | None:
    """The verb a noun depends on, within three steps up the parse."""
    for _ in range(3):
        if token.head < 0:
            return None
        token = m.doc.tokens[token.head]
        if token.pos in {"VERB", "AUX"}:
            return token
    return None
