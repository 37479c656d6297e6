"""Russian documents: natasha (segmenter, morphology, syntax, NER, lemmas) plus gazetteer matching on word forms.

Names are matched on every normal form pymorphy2 gives a word and on case endings, so «Казахтелекома»,
"Мегакомом" and "Госкомитета национальной безопасности" find their gazetteer entries; countries are found the same
way ("Кыргызстана" → KG, "Китаем" → CN, "российский" → RU).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from natasha import Doc as NatashaDoc
from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, NewsSyntaxParser, Segmenter
from razdel import tokenize as razdel_tokenize

from nlp.chrome import chrome_line_ranges, in_ranges
from nlp.countries import CountryLexicon, CountryTerm
from nlp.doc_ext import CountryHit
from nlp.formmatch import FormMatcher, PhraseEntry, phrase_token
from nlp.gazetteer import Gazetteer, Organization, SurfaceForm
from nlp.org_spans_ru import Hit
from nlp.org_spans_ru import repair as repair_ru
from nlp.org_spans_ru import surface as ru_surface
from nlp.text import alias_key
from nlp.trees import subtree_indexes
from nlp.wordlists import Filters, event_words

logger = logging.getLogger(__name__)

_LINE = re.compile(r"[^\n]*\S[^\n]*")
_SENTENCE_END = (".", "!", "?", "…", "»", '"', "”")

_SUBJECT_RELS = frozenset({"nsubj", "nsubj:pass"})
_WORDS = event_words("ru_context")
RELATION_HEADS_RU = _WORDS.words("relation_heads")


@dataclass
class RuToken:
    """One token of a Russian document, with its natasha analysis and every normal form of the word."""

    i: int
    text: str
    lemma: str
    pos: str
    feats: dict[str, str]
    rel: str
    head: int
    sent: int
    start: int
    stop: int
    forms: frozenset[str]

    @property
    def lower(self) -> str:
        return self.text.lower().replace("ё", "е")


@dataclass
class RuOrgHit:
    """An organization mention: token range, gazetteer entry (None if unknown), surface and nominative name."""

    start: int
    end: int
    org: Organization | None
    surface: str
    name: str
    org_ids: tuple[str, ...] = ()


@dataclass
class RuDoc:
    """A parsed Russian document with its organization and country mentions."""

    text: str
    tokens: list[RuToken]
    sentences: list[tuple[int, int]]
    orgs: list[RuOrgHit] = field(default_factory=list)
    countries: list[CountryHit] = field(default_factory=list)
    children: dict[int, list[int]] = field(default_factory=dict)
    people: list[tuple[int, int]] = field(default_factory=list)

    def sentence_text(self, index: int) -> str:
        start, end = self.sentences[index]
        return self.text[self.tokens[start].start : self.tokens[end - 1].stop].strip()

    def subtree(self, index: int) -> list[int]:
        """Token indexes of the subtree of a token, sorted."""
        return subtree_indexes(self.children, index)


class RussianAnalyzer:
    """natasha models plus form matchers for the gazetteer and the Russian country vocabulary."""

    def __init__(self, gazetteer: Gazetteer, lexicon: CountryLexicon, filters: Filters) -> None:
        self.gazetteer = gazetteer
        self.lexicon = lexicon
        self.filters = filters
        embedding = NewsEmbedding()
        self.segmenter = Segmenter()
        self.morph_tagger = NewsMorphTagger(embedding)
        self.syntax_parser = NewsSyntaxParser(embedding)
        self.ner_tagger = NewsNERTagger(embedding)
        self.morph_vocab = MorphVocab()
        self.org_matcher: FormMatcher[SurfaceForm] = FormMatcher(
            [self._entry(form.text, form, form.common_word) for form in gazetteer.surface_forms]
        )
        self.country_matcher: FormMatcher[CountryTerm] = FormMatcher(
            [self._entry(term.text, term, False, cased=term.cased) for term in lexicon.ru_terms]
        )
        self._known_names = {alias_key(f.text) for f in gazetteer.surface_forms}

    def forms(self, word: str) -> frozenset[str]:
        """Every normal form pymorphy2 gives a word, lower-cased, with ё as е."""
        return _forms(self.morph_vocab, word)

    def _entry(self, text: str, payload: object, common: bool, *, cased: bool = False) -> PhraseEntry:
        words = [t.text for t in razdel_tokenize(text)]
        tokens = tuple(phrase_token(w, self.forms(w), cased=cased) for w in words)
        return PhraseEntry(tokens, payload, common_word=common)

    def parse(self, text: str, *, title_end: int = 0) -> RuDoc:
        """Parse a Russian text and find its organizations and countries."""
        tokens: list[RuToken] = []
        sentences: list[tuple[int, int]] = []
        spans: list[tuple[int, int, str, object]] = []
        by_id: dict[str, int] = {}
        heads: list[str] = []
        # A title or paragraph without a final full stop must not run into the next one (see `_chunks`).
        for offset, chunk in _chunks(text):
            ndoc = NatashaDoc(chunk)
            ndoc.segment(self.segmenter)
            ndoc.tag_morph(self.morph_tagger)
            ndoc.parse_syntax(self.syntax_parser)
            ndoc.tag_ner(self.ner_tagger)
            spans += [(s.start + offset, s.stop + offset, s.type, s) for s in ndoc.spans]
            for sentence in ndoc.sents:
                first = len(tokens)
                prefix = f"{len(sentences)}:"
                for token in sentence.tokens:
                    token.lemmatize(self.morph_vocab)
                    by_id[prefix + token.id] = len(tokens)
                    heads.append(prefix + token.head_id)
                    lemma = (token.lemma or token.text).lower().replace("ё", "е")
                    tokens.append(
                        RuToken(
                            i=len(tokens),
                            text=token.text,
                            lemma=lemma,
                            pos=token.pos or "",
                            feats=dict(token.feats or {}),
                            rel=token.rel or "",
                            head=-1,
                            sent=len(sentences),
                            start=token.start + offset,
                            stop=token.stop + offset,
                            forms=self.forms(token.text) | {lemma},
                        )
                    )
                sentences.append((first, len(tokens)))
        doc = RuDoc(text=text, tokens=tokens, sentences=sentences)
        for token, head_id in zip(tokens, heads, strict=True):
            token.head = by_id.get(head_id, -1)
            if token.head >= 0:
                doc.children.setdefault(token.head, []).append(token.i)
        chrome = chrome_line_ranges(text, self.filters, self._is_known_name, skip_until=title_end)
        doc.orgs = self._repaired(doc, self._organizations(doc, spans, chrome), spans, chrome)
        doc.people = [self._token_range(doc, s, e) for s, e, kind, _ in spans if kind == "PER"]
        doc.countries = self._countries(doc, spans, chrome)
        self._resolve_shared_names(doc)
        return doc

    def _is_known_name(self, word: str) -> bool:
        key = alias_key(word)
        return (
            key in self._known_names or self.lexicon.term_for(word) is not None or key in self.lexicon.regions
        )

    def _token_range(self, doc: RuDoc, start_char: int, stop_char: int) -> tuple[int, int]:
        inside = [t.i for t in doc.tokens if t.start >= start_char and t.stop <= stop_char]
        return (inside[0], inside[-1] + 1) if inside else (0, 0)

    def _organizations(self, doc: RuDoc, spans: list[tuple], chrome: list[tuple[int, int]]) -> list[RuOrgHit]:
        people = [self._token_range(doc, s, e) for s, e, kind, _ in spans if kind == "PER"]
        hits: list[RuOrgHit] = []
        taken: set[int] = set()
        for start, end, form in self.org_matcher.match(doc.tokens, [s for s, _ in doc.sentences]):
            # "Карин Эрикссон" is a person even though "Эрикссон" is a vendor's name.
            if end - start == 1 and any(ps < start < pe or ps <= start < end < pe for ps, pe in people):
                continue
            if in_ranges(doc.tokens[start].start, doc.tokens[end - 1].stop, chrome):
                continue
            org = self.gazetteer.by_id[form.org_ids[0]] if not form.ambiguous else None
            surface = doc.text[doc.tokens[start].start : doc.tokens[end - 1].stop]
            hits.append(RuOrgHit(start, end, org, surface, form.text, form.org_ids))
            taken.update(range(start, end))
        for start_char, stop_char, kind, span in spans:
            if kind != "ORG" or in_ranges(start_char, stop_char, chrome):
                continue
            start, end = self._token_range(doc, start_char, stop_char)
            if end <= start or taken & set(range(start, end)):
                continue
            span.normalize(self.morph_vocab)
            name = span.normal or span.text
            if not self._is_organization_name(span.text, name):
                continue
            match = self.gazetteer.lookup(name) or self.gazetteer.lookup(span.text)
            ids = (match.org.id,) if match else ()
            hits.append(RuOrgHit(start, end, match.org if match else None, span.text, name, ids))
            taken.update(range(start, end))
        return sorted(hits, key=lambda hit: hit.start)

    def _repaired(
        self, doc: RuDoc, hits: list[RuOrgHit], spans: list[tuple], chrome: list[tuple[int, int]]
    ) -> list[RuOrgHit]:
        """Hits with their spans repaired and the names natasha missed added (nlp.org_spans_ru)."""
        country_tokens = {
            i
            for start, end, term in self.country_matcher.match(doc.tokens, [s for s, _ in doc.sentences])
            if term.kind == "name"
            for i in range(start, end)
        }
        people = {i for s, e, kind, _ in spans if kind == "PER" for i in range(*self._token_range(doc, s, e))}
        chrome_tokens = {t.i for t in doc.tokens if in_ranges(t.start, t.stop, chrome)}
        normal = {(h.start, h.end): h.name for h in hits}
        repaired = repair_ru(
            doc.tokens,
            doc.text,
            [Hit(h.start, h.end, h.org, h.org_ids) for h in hits],
            country_tokens=country_tokens,
            gazetteer=self.gazetteer,
            blocked=people | chrome_tokens,
        )
        result = []
        for hit in repaired:
            written = ru_surface(doc.tokens, doc.text, hit)
            # The nominative natasha gave the first part, then the words after it as written (a genitive country,
            # a quoted brand, "при …" do not change with the case of the head).
            base = next(((s, e) for (s, e) in normal if s == hit.start and e <= hit.end), None)
            if base is not None:
                tail = (
                    doc.text[doc.tokens[base[1] - 1].stop : doc.tokens[hit.end - 1].stop]
                    if base[1] < hit.end
                    else ""
                )
                name = normal[base] + tail
            else:
                name = written
            if hit.org is None and not hit.org_ids and not self._is_organization_name(written, name):
                continue
            result.append(RuOrgHit(hit.start, hit.end, hit.org, written, name, hit.org_ids))
        return result

    def _is_organization_name(self, text: str, normal: str) -> bool:
        key = alias_key(normal)
        if not any(c.isupper() for c in text) or key in self.filters.not_organizations:
            return False
        return not (
            self.lexicon.is_place(normal) or self.lexicon.is_place(text) or self.lexicon.term_for(normal)
        )

    def _countries(self, doc: RuDoc, spans: list[tuple], chrome: list[tuple[int, int]]) -> list[CountryHit]:
        blocked = {i for hit in doc.orgs for i in range(hit.start, hit.end)}
        for start_char, stop_char, kind, _ in spans:
            if kind == "PER":
                blocked.update(range(*self._token_range(doc, start_char, stop_char)))
        hits = []
        for start, end, term in self.country_matcher.match(doc.tokens, [s for s, _ in doc.sentences]):
            if blocked & set(range(start, end)):
                continue
            if in_ranges(doc.tokens[start].start, doc.tokens[end - 1].stop, chrome):
                continue
            if term.kind == "demonym" and self._is_language(doc, end):
                continue
            if term.kind == "capital" and not self._acts_as_government(doc, start):
                continue
            surface = doc.text[doc.tokens[start].start : doc.tokens[end - 1].stop]
            hits.append(CountryHit(term.code, start, end, surface, term.kind))
        return hits

    def _is_language(self, doc: RuDoc, end: int) -> bool:
        """ "на казахском языке", "на кыргызском и русском языках": the adjective names a language."""
        for token in doc.tokens[end : end + 4]:
            if token.lemma in self.lexicon.language_after_ru:
                return True
            if token.pos not in {"ADJ", "CCONJ", "PUNCT"}:
                return False
        return False

    def _acts_as_government(self, doc: RuDoc, index: int) -> bool:
        token = doc.tokens[index]
        for _ in range(5):  # bounded: the parse may contain cycles
            if token.rel != "conj" or token.head < 0:
                break
            token = doc.tokens[token.head]
        if token.rel in _SUBJECT_RELS:
            return True
        cases = {doc.tokens[c].lemma for c in doc.children.get(token.i, []) if doc.tokens[c].rel == "case"}
        if cases & {"с", "между"} and token.head >= 0:
            return doc.tokens[token.head].lemma in RELATION_HEADS_RU
        return False

    def _resolve_shared_names(self, doc: RuDoc) -> None:
        """Resolve "ГКНБ", "Билайн", "Минцифры" by the countries of the sentence and of the document."""
        weights: Counter[str] = Counter(hit.code for hit in doc.countries)
        weights.update(hit.org.country for hit in doc.orgs if hit.org is not None and hit.org.country)
        for hit in doc.orgs:
            if hit.org is not None or len(hit.org_ids) < 2:
                continue
            sentence = doc.tokens[hit.start].sent
            context = dict(weights)
            for country in doc.countries:
                if doc.tokens[country.start].sent == sentence:
                    context[country.code] = context.get(country.code, 0) + 3
            start, end = doc.sentences[sentence]
            for token in doc.tokens[start:end]:
                # "Билайн … в Бишкеке": a city or region says which country's Beeline.
                code = self.lexicon.place_country(token.lemma) if token.text[:1].isupper() else None
                if code:
                    context[code] = context.get(code, 0) + 2
            hit.org = self.gazetteer.resolve(hit.org_ids, context)


def _chunks(text: str) -> list[tuple[int, str]]:
    """Runs of lines to tag together, with their offsets: a line not ending a sentence closes its run.

    Lines that end in a full stop can share one natasha call (the segmenter splits them anyway); a title or a menu
    line without one would be glued to the next line, so it ends the run. Fewer calls keep Russian fast.
    """
    chunks: list[tuple[int, str]] = []
    start: int | None = None
    for line in _LINE.finditer(text):
        if start is None:
            start = line.start()
        if not line.group(0).rstrip().endswith(_SENTENCE_END):
            chunks.append((start, text[start : line.end()]))
            start = None
    if start is not None:
        chunks.append((start, text[start:].rstrip()))
    return chunks


@lru_cache(maxsize=50_000)
def _forms(morph_vocab: MorphVocab, word: str) -> frozenset[str]:
    lowered = word.lower().replace("ё", "е")
    if not any(c.isalpha() for c in lowered):
        return frozenset({lowered})
    return frozenset({lowered} | {form.normal.replace("ё", "е") for form in morph_vocab.parse(word)})
