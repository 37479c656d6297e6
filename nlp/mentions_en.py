"""English mention index: which token belongs to which organization or country, and parties read from the parse.

Both event extractors (agreements, censorship) ask the same question of a noun in the dependency parse: which
organizations or states does it stand for? "Kazakhtelecom and Huawei" (conjuncts), "the Chinese company ZTE"
(apposition), "the Tajik government" (a state), "the two companies" (the last two named before).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc, Span, Token

from nlp.countries import CountryLexicon
from nlp.dates import Prefer, resolve_date
from nlp.doc_ext import CountryHit, country_hits
from nlp.events_common import country_party, dedupe_parties, organization_party
from nlp.gazetteer import Gazetteer
from nlp.records import EventParty
from nlp.text import alias_key
from nlp.wordlists import Filters

_PLURAL_REFERENCES = {
    "companies": "organization",
    "firms": "organization",
    "operators": "organization",
    "organizations": "organization",
    "organisations": "organization",
    "banks": "organization",
    "countries": "country",
    "states": "country",
    "governments": "country",
    "nations": "country",
    "sides": "any",
    "parties": "any",
    "partners": "any",
}
# Dependents of a phrase's head that start a new thought and do not belong in a subject or target phrase.
_PHRASE_BREAKS = frozenset({"relcl", "acl", "advcl", "appos", "punct", "cc", "conj", "mark", "parataxis"})
_PHRASE_BREAK_PREPS = frozenset(
    {"with", "between", "by", "under", "after", "before", "since", "amid", "during"}
)


@dataclass
class EnglishMentions:
    """Organizations and countries of one parsed English document, indexed by token."""

    doc: Doc
    gazetteer: Gazetteer
    lexicon: CountryLexicon
    filters: Filters
    org_at: dict[int, Span] = field(default_factory=dict)
    country_at: dict[int, CountryHit] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for ent in self.doc.ents:
            if ent.label_ == "ORG":
                for i in range(ent.start, ent.end):
                    self.org_at[i] = ent
        for hit in country_hits(self.doc):
            for i in range(hit.start, hit.end):
                self.country_at[i] = hit

    def org_party(self, ent: Span) -> EventParty:
        surface = ent.text[4:] if ent.text.lower().startswith("the ") else ent.text
        return organization_party(self.gazetteer.by_id.get(ent.kb_id_), surface)

    def country_party(self, hit: CountryHit) -> EventParty:
        return country_party(hit.code, hit.text, self.lexicon)

    def is_party_token(self, token: Token) -> bool:
        return token.i in self.org_at or token.i in self.country_at

    def is_government_noun(self, token: Token) -> bool:
        return (
            alias_key(token.lemma_) in self.filters.government_nouns
            or token.lower_ in self.filters.government_nouns
        )

    def recent_parties(self, before: int) -> list[EventParty]:
        """Parties named before token `before`, in order: the antecedents of "the two companies"."""
        found: list[EventParty] = []
        seen_ents: set[int] = set()
        for i in range(before):
            if i in self.org_at and self.org_at[i].start not in seen_ents:
                seen_ents.add(self.org_at[i].start)
                found.append(self.org_party(self.org_at[i]))
            elif (
                i in self.country_at and self.country_at[i].start == i and self.country_at[i].how != "demonym"
            ):
                found.append(self.country_party(self.country_at[i]))
        return dedupe_parties(list(reversed(found)))[::-1]

    def _coreference(self, token: Token) -> list[EventParty]:
        """Antecedents of "the two companies", "both sides", "the latter": parties named earlier."""
        lower = token.lower_
        sentence_start = token.sent.start if self.doc.has_annotation("SENT_START") else 0
        if lower in {"latter", "former"}:
            recent = self.recent_parties(sentence_start)
            index = -1 if lower == "latter" else -2
            return [recent[index]] if len(recent) >= -index else []
        wanted = _PLURAL_REFERENCES.get(lower)
        if wanted is None or not any(c.lower_ in {"two", "both", "the"} for c in token.children):
            return []
        recent = [p for p in self.recent_parties(sentence_start) if wanted == "any" or p.kind == wanted]
        return recent[-2:] if len(recent) >= 2 else []

    def _state_of(self, token: Token) -> list[EventParty]:
        """Country modifiers of a government noun: "the Kazakh government", "the government of Tajikistan"."""
        parties = []
        for child in token.children:
            if child.i in self.country_at and child.dep_ in {"amod", "compound", "poss", "nmod", "npadvmod"}:
                parties.append(self.country_party(self.country_at[child.i]))
            if child.dep_ == "prep" and child.lower_ == "of":
                for pobj in child.children:
                    if pobj.i in self.country_at:
                        parties.append(self.country_party(self.country_at[pobj.i]))
        return parties

    def _one(self, token: Token, allow_demonym: bool) -> list[EventParty]:
        if token.i in self.org_at:
            return [self.org_party(self.org_at[token.i])]
        if token.i in self.country_at:
            hit = self.country_at[token.i]
            return [self.country_party(hit)] if hit.how != "demonym" or allow_demonym else []
        if self.is_government_noun(token):
            return self._state_of(token) or self._coreference(token)
        found = self._coreference(token)
        if found:
            return found
        parties = []
        for child in token.children:
            # "the Chinese company ZTE", "operator Kcell", "a unit of Kazakhtelecom".
            if child.dep_ in {"appos", "compound"} and child.i in self.org_at:
                parties.append(self.org_party(self.org_at[child.i]))
            if child.dep_ == "prep" and child.lower_ == "of":
                parties += [self.org_party(self.org_at[p.i]) for p in child.children if p.i in self.org_at]
        return parties

    def parties_of(self, token: Token, *, allow_demonym: bool = False) -> list[EventParty]:
        """The organizations and states a noun (with its conjuncts) stands for."""
        items = [token, *token.conjuncts]
        if token.i in self.org_at:
            # The parser may hang "and ZTE" on any word of "Beeline Kyrgyzstan".
            items += [c for t in self.org_at[token.i] for c in t.conjuncts]
        parties: list[EventParty] = []
        for item in items:
            parties += self._one(item, allow_demonym)
        return dedupe_parties(parties)

    def sentence_parties(self, sentence: Span, exclude: Iterable[int] = ()) -> list[EventParty]:
        """Every organization and named state in a sentence (fallback when the parse yields none)."""
        excluded = set(exclude)
        parties: list[EventParty] = []
        for token in sentence:
            if token.i in excluded:
                continue
            if token.i in self.org_at and self.org_at[token.i].start == token.i:
                parties.append(self.org_party(self.org_at[token.i]))
            elif token.i in self.country_at and self.country_at[token.i].start == token.i:
                hit = self.country_at[token.i]
                if hit.how != "demonym":
                    parties.append(self.country_party(hit))
        return dedupe_parties(parties)


FUTURE_AUX = frozenset({"will", "would", "shall", "may", "might", "could", "wo", "'ll"})


def verb_subjects(verb: Token) -> list[Token]:
    """Subjects of a verb, climbing through complements ("plans to sign") and relative clauses."""
    node = verb
    for _ in range(4):
        # Above the verb a passive subject is the actor too: "The ADB is expected to approve a loan".
        deps = {"nsubj"} if node is verb else {"nsubj", "nsubjpass"}
        subjects = [c for c in node.children if c.dep_ in deps]
        if subjects:
            return subjects
        if node.dep_ in {"relcl", "acl"}:
            return [node.head]
        if node.dep_ not in {"xcomp", "conj", "advcl", "ccomp"} or node.head is node:
            return []
        node = node.head
    return []


def is_future(chain: list[Token]) -> bool:
    """True when a verb chain is future or hypothetical ("will sign", "is to be signed", "could block")."""
    for token in chain:
        for child in token.children:
            if child.dep_ in {"aux", "auxpass"} and child.lower_ in FUTURE_AUX:
                return True
        if (
            token.dep_ == "xcomp"
            and token.head.lemma_ == "be"
            and any(c.lower_ == "to" for c in token.children)
        ):
            return True
    return False


def phrase_tokens(head: Token) -> list[Token]:
    """The contiguous noun phrase around `head`, without relative clauses, dates, "with …" or "by …" parts."""
    keep: list[Token] = []

    def visit(token: Token) -> None:
        keep.append(token)
        for child in token.children:
            if child.dep_ == "punct" and child.text in {"-", "/", "–"}:
                visit(child)  # "Gorno-Badakhshan", "RFE/RL"
                continue
            if child.dep_ in _PHRASE_BREAKS or (child.dep_ == "prep" and child.lower_ in _PHRASE_BREAK_PREPS):
                continue
            if child.ent_type_ == "DATE":
                continue
            visit(child)

    visit(head)
    ordered = sorted(keep, key=lambda t: t.i)
    # Keep the contiguous stretch containing the head.
    start = end = ordered.index(head)
    while start > 0 and ordered[start - 1].i == ordered[start].i - 1:
        start -= 1
    while end + 1 < len(ordered) and ordered[end + 1].i == ordered[end].i + 1:
        end += 1
    tokens = ordered[start : end + 1]
    while tokens and (tokens[0].pos_ in {"DET", "PRON", "ADP", "CCONJ"} or tokens[0].dep_ == "poss"):
        tokens = tokens[1:]
    while tokens and tokens[-1].pos_ in {"ADP", "CCONJ", "PUNCT", "DET"}:
        tokens = tokens[:-1]
    return tokens[:12]


def phrase_text(head: Token) -> str | None:
    """Text of `phrase_tokens(head)`, or None when nothing is left."""
    tokens = phrase_tokens(head)
    if not tokens:
        return None
    return head.doc[tokens[0].i : tokens[-1].i + 1].text


def sentence_date(
    sentence: Span, anchors: Iterable[Token], published: date | None, prefer: Prefer
) -> tuple[str | None, str | None]:
    """The resolved date and its text from the DATE entities of a sentence, nearest the anchors first."""
    anchor_ids = {t.i for t in anchors}
    dates = [ent for ent in sentence.ents if ent.label_ == "DATE"]

    def attached(ent: Span) -> bool:
        node = ent.root
        for _ in range(4):
            if node.i in anchor_ids:
                return True
            if node.head is node:
                return False
            node = node.head
        return False

    for ent in sorted(dates, key=lambda e: (not attached(e), e.start)):
        resolved = resolve_date(ent.text, published, "en", prefer)
        if resolved:
            return resolved, ent.text
    return None, None
