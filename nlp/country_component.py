"""spaCy component `stanwire_countries_v1`: ISO alpha-2 codes for country names, demonyms and capitals.

A name counts wherever it is not part of an organization's name ("Beeline Kazakhstan") or a person's; a demonym
counts unless it names a language ("Russian-language", "published in Kazakh"); a capital counts only when it acts
for its government ("Moscow signed", "Moscow's position", "talks with Beijing"), never as a place ("in Astana").
GPE/NORP entities that the lexicon does not cover are looked up in pycountry. Results go to `doc._.country_hits`.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from nlp.chrome import in_ranges
from nlp.countries import CountryLexicon, CountryTerm, load_countries
from nlp.doc_ext import CountryHit, chrome_ranges, register_extensions
from nlp.wordlists import event_words

register_extensions()

_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "poss"})
# Heads for which "with Beijing" / "between Moscow and Astana" means the governments.
_WORDS = event_words("en_context")
_RELATION_HEADS = _WORDS.words("relation_heads")
_LIST_WORDS = frozenset({"and", "or", ",", "as", "well"})
_FUNCTION_AFTER = frozenset(
    ["and", "or", "but", "as", "with", "by", "on", "at", "for", "to", "from", ",", ".", ";", ":", ")", "–"]
)


def _is_language(span: Span, lexicon: CountryLexicon) -> bool:
    """True when a demonym names a language: "Russian-language", "Kazakh speakers", "in Russian and Kazakh"."""
    doc = span.doc
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None and after.text in {"-", "‑", "–"} and span.end + 1 < len(doc):
        after = doc[span.end + 1]
    if after is not None and after.lower_ in lexicon.language_after_en:
        return True
    # Walk back over a list of demonyms ("in Russian, Kazakh and English") to the word before the list.
    index = span.start - 1
    while index >= 0 and (doc[index].lower_ in _LIST_WORDS or lexicon.term_for(doc[index].text)):
        index -= 1
    if index < 0 or doc[index].lower_ not in lexicon.language_before_en:
        return False
    return (
        after is None
        or not after.is_alpha
        or after.lower_ in _FUNCTION_AFTER
        or after.pos_ in {"VERB", "ADP"}
    )


def _acts_as_government(token: Token) -> bool:
    """True when a capital is the subject or possessor, or a party to talks ("talks with Beijing")."""
    doc = token.doc
    if token.i + 1 < len(doc) and doc[token.i + 1].lower_ in {"'s", "’s"}:
        return True
    if not doc.has_annotation("DEP"):
        return False
    while token.dep_ == "conj" and token.head is not token:
        token = token.head
    if token.dep_ in _SUBJECT_DEPS:
        return True
    if token.dep_ == "pobj":
        prep = token.head
        if prep.dep_ == "agent":
            return True
        if prep.lower_ in {"with", "between"}:
            return prep.head.lemma_.lower() in _RELATION_HEADS
    return False


class CountryDetector:
    """Finds country references and stores them as `CountryHit`s on `doc._.country_hits`."""

    def __init__(self, nlp: Language, name: str = "stanwire_countries_v1") -> None:
        self.nlp = nlp
        self.name = name
        self.ready = False

    def initialize(
        self, get_examples: object = None, *, nlp: Language | None = None, countries_path: str | None = None
    ) -> None:
        """Load the country vocabulary and build the matchers (spaCy's initialize step)."""
        self._setup(load_countries(Path(countries_path) if countries_path else None))

    def _setup(self, lexicon: CountryLexicon) -> None:
        nlp = self.nlp
        self.ready = True
        self.lexicon = lexicon
        self.terms: list[CountryTerm] = list(lexicon.en_terms)
        self.lower_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for index, term in enumerate(self.terms):
            matcher = self.exact_matcher if term.cased else self.lower_matcher
            pattern = nlp.make_doc(term.text if term.cased else term.text.lower())
            matcher.add(str(index), [pattern])

    def __call__(self, doc: Doc) -> Doc:
        if not self.ready:
            self.initialize()
        blocked = {
            i for ent in doc.ents if ent.label_ in {"ORG", "PERSON"} for i in range(ent.start, ent.end)
        }
        chrome = chrome_ranges(doc)
        place_tokens = {
            i for ent in doc.ents if ent.label_ in {"GPE", "LOC", "NORP"} for i in range(ent.start, ent.end)
        }
        hits: list[CountryHit] = []
        matches = self.lower_matcher(doc) + self.exact_matcher(doc)
        taken: set[int] = set()
        # Tokens the rules rejected (a language, a capital as a place) must not come back through the NER.
        rejected: set[int] = set()
        # Longest first, so "Russian Federation" wins over "Russian".
        for match_id, start, end in sorted(matches, key=lambda m: (m[1] - m[2], m[1])):
            span = doc[start:end]
            term = self.terms[int(doc.vocab.strings[match_id])]
            if taken & set(range(start, end)) or blocked & set(range(start, end)):
                continue
            if in_ranges(span.start_char, span.end_char, chrome) or not self._accept(
                span, term, place_tokens
            ):
                rejected.update(range(start, end))
                continue
            taken.update(range(start, end))
            hits.append(CountryHit(term.code, start, end, span.text, term.kind))
        for ent in doc.ents:
            if ent.label_ not in {"GPE", "NORP"} or (taken | rejected | blocked) & set(
                range(ent.start, ent.end)
            ):
                continue
            if in_ranges(ent.start_char, ent.end_char, chrome):
                continue
            code = self.lexicon.code_for(ent.text)
            if code is not None:
                taken.update(range(ent.start, ent.end))
                hits.append(CountryHit(code, ent.start, ent.end, ent.text, "ner"))
        doc._.country_hits = sorted(hits, key=lambda hit: hit.start)
        return doc

    def _accept(self, span: Span, term: CountryTerm, place_tokens: set[int]) -> bool:
        if not term.cased and not span.text[:1].isupper():
            return False
        if term.needs_ner and not place_tokens & set(range(span.start, span.end)):
            return False
        if term.kind == "demonym":
            return not _is_language(span, self.lexicon)
        if term.kind == "capital":
            return _acts_as_government(span.root)
        return True


@Language.factory(
    "stanwire_countries_v1",
    requires=["doc.ents"],
    assigns=["doc.ents", "doc._.country_hits"],
    default_config={},
)
def make_country_detector(nlp: Language, name: str) -> CountryDetector:
    """Country detection; add it after the organization filter (it skips tokens inside organizations). Its
    data loads in `initialize()`."""
    return CountryDetector(nlp, name)
