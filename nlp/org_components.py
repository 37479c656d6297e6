"""spaCy components for organizations: gazetteer ruler (before "ner"), filter and canonicalizer (after it).

- `stanwire_org_ruler_v1` marks every gazetteer name as ORG with its id as `kb_id` (empty for shared names such as
  "GKNB"), so the statistical NER cannot call "Piter IX" a person or miss "Cifra".
- `stanwire_org_filter_v1` drops ORG spans that are page chrome, people, places, products or governments.
- `stanwire_org_canonicalizer_v1` gives every remaining ORG span a gazetteer id where one matches (exact, alias,
  acronym, fuzzy), resolving shared names by the countries of the sentence and the document.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp.chrome import chrome_line_ranges, in_ranges
from nlp.countries import load_countries
from nlp.doc_ext import country_hits, register_extensions, text_of
from nlp.gazetteer import SurfaceForm, load_gazetteer
from nlp.text import alias_key, is_acronym, is_all_caps
from nlp.wordlists import event_words, load_filters

register_extensions()

# Words that may precede an organization's name in Title Case without being a first name ("Rival Ucell").
_WORDS = event_words("en_context")
_NOT_FIRST_NAMES = _WORDS.words("not_first_names")
TITLE_END_KEY = "stanwire_title_end"
_CLUB_PREFIXES = frozenset({"FC", "FK", "SC", "PFC", "ФК"})
# Nouns that stand for the state itself even when capitalised ("the Government", "Authorities").
_STATE_ITSELF = frozenset(
    {
        "government",
        "governments",
        "authorities",
        "authority",
        "administration",
        "regime",
        "leadership",
        "state",
        "officials",
        "cabinet",
        "side",
        "sides",
        "delegation",
        "republic",
    }
)
# "newsru.com", "orda.kz": a news site's lower-case name (nlp.org_spans finds them).
_SITE_NAME = re.compile(r"^(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,6}$")


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _is_cased(form: SurfaceForm) -> bool:
    """Acronyms, all-capital names and common words match only as written; other names in any case."""
    return form.common_word or is_acronym(form.text) or is_all_caps(form.text)


class _DataComponent:
    """A component whose data (gazetteer, countries, filter words) loads in `initialize()`, as spaCy asks of
    components with data; called before that, it loads the packaged data itself."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self.name = name
        self.ready = False

    def initialize(
        self,
        get_examples: object = None,
        *,
        nlp: Language | None = None,
        organizations_path: str | None = None,
        countries_path: str | None = None,
        filters_path: str | None = None,
    ) -> None:
        """Load the data files (spaCy's initialize step); the packaged ones unless paths are given."""
        self.gazetteer = load_gazetteer(_path(organizations_path))
        self.lexicon = load_countries(_path(countries_path))
        self.filters = load_filters(_path(filters_path))
        self.setup()
        self.ready = True

    def setup(self) -> None:
        """What the component builds from its data (matchers, name sets)."""

    def ensure_ready(self) -> None:
        if not self.ready:
            self.initialize()


class OrgRuler(_DataComponent):
    """Marks gazetteer names as ORG entities with their gazetteer id as `kb_id`.

    Two PhraseMatchers (exact case, lower case) do the search; the guards that a token pattern would express
    (a capitalised first word, no sentence start for common words) are checked on the few matches instead,
    which keeps the ruler fast with a thousand names.
    """

    def setup(self) -> None:
        """Two PhraseMatchers over the gazetteer's surface forms."""
        nlp = self.nlp
        self.forms = list(self.gazetteer.surface_forms)
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._first_tokens: set[str] = set()
        for index, form in enumerate(self.forms):
            tokens = [t.text for t in nlp.make_doc(form.text)]
            self._first_tokens.add(tokens[0].lower())
            variants = {tuple(tokens), tuple(t for t in tokens if t != "-")}  # "ZET-Mobile" / "ZET Mobile"
            cased = _is_cased(form)
            docs = [Doc(nlp.vocab, words=[w if cased else w.lower() for w in v]) for v in variants if v]
            (self.exact if cased else self.lower).add(str(index), docs)

    def __call__(self, doc: Doc) -> Doc:
        self.ensure_ready()
        spans = []
        for match_id, start, end in [*self.exact(doc), *self.lower(doc)]:
            form = self.forms[int(doc.vocab.strings[match_id])]
            if not self._first_word_ok(doc, start, form) or self._follows_first_name(doc, start, end, form):
                continue
            kb_id = "" if form.ambiguous else form.org_ids[0]
            spans.append(Span(doc, start, end, label="ORG", kb_id=kb_id))
        doc.ents = filter_spans([*spans, *doc.ents])
        return doc

    @staticmethod
    def _first_word_ok(doc: Doc, start: int, form: SurfaceForm) -> bool:
        first = doc[start]
        if form.common_word:
            # "Signal", "Meta", "Цифра": the name only with its capital and not opening a sentence.
            return start > 0 and not first.is_sent_start
        if not _is_cased(form) and form.text[:1].isupper():
            # "made a beeline for", "users can access now": the lower-case word is not the name.
            return not first.is_lower
        return True

    def _follows_first_name(self, doc: Doc, start: int, end: int, form: SurfaceForm) -> bool:
        """True for "Karin Ericsson": a one-word name right after what looks like a first name."""
        if end - start != 1 or start == 0 or is_acronym(form.text):
            return False
        before = doc[start - 1]
        if not (before.is_title and before.is_alpha and len(before) > 1) or before.is_sent_start:
            return False
        if before.lower_ in _NOT_FIRST_NAMES or before.lower_ in self._first_tokens:
            return False
        if self.lexicon.term_for(before.text) is not None:
            return False
        return not doc.has_annotation("TAG") or before.tag_ == "NNP"


class OrgFilter(_DataComponent):
    """Drops or relabels ORG spans that are not organizations (chrome, people, places, products)."""

    def setup(self) -> None:
        self._known_names = {alias_key(f.text) for f in self.gazetteer.surface_forms}

    def is_known_name(self, word: str) -> bool:
        """A word that is a country, region or gazetteer name: such words make up menus and tag lists."""
        key = alias_key(word)
        return (
            key in self._known_names or self.lexicon.term_for(word) is not None or key in self.lexicon.regions
        )

    def __call__(self, doc: Doc) -> Doc:
        self.ensure_ready()
        chrome = chrome_line_ranges(
            text_of(doc), self.filters, self.is_known_name, skip_until=doc.user_data.get(TITLE_END_KEY, 0)
        )
        doc._.chrome_ranges = chrome
        ents = [
            self._relabel_person(ent) if ent.label_ == "PERSON" else ent for ent in self._sports_clubs(doc)
        ]
        people = [ent for ent in ents if ent.label_ == "PERSON"]
        person_texts = {ent.text for ent in people} | {ent[-1].text for ent in people if len(ent) > 1}
        kept: list[Span] = []
        for ent in ents:
            if ent.label_ != "ORG":
                kept.append(ent)
                continue
            if in_ranges(ent.start_char, ent.end_char, chrome):
                continue
            label = ent.label_ if ent.kb_id_ else self._label_for_unknown(ent, person_texts)
            if label is None:
                continue
            kept.append(ent if label == ent.label_ else Span(doc, ent.start, ent.end, label=label))
        doc.ents = kept
        return doc

    def _sports_clubs(self, doc: Doc) -> list[Span]:
        """Entities with "FC Astana" made one ORG span (NER tends to read the club's town as a person or place)."""
        ents: list[Span] = []
        for ent in doc.ents:
            before = doc[ent.start - 1] if ent.start > 0 else None
            if before is not None and before.text in _CLUB_PREFIXES and not before.ent_type_:
                ents.append(Span(doc, ent.start - 1, ent.end, label="ORG"))
            else:
                ents.append(ent)
        return filter_spans(ents)

    def _relabel_person(self, ent: Span) -> Span:
        """NER reads "Kazakh" or "Kyrgyz Telekom" as a person now and then."""
        term = self.lexicon.term_for(ent.text)
        if term is not None:
            return Span(ent.doc, ent.start, ent.end, label="NORP" if term.kind == "demonym" else "GPE")
        if len(ent) > 1 and self._is_misread_organization(ent):
            return Span(ent.doc, ent.start, ent.end, label="ORG")
        return ent

    def _is_misread_organization(self, ent: Span) -> bool:
        """True for a PERSON span that is a gazetteer name or a close variant of one ("Kyrgyz Telekom")."""
        if ent.start > 0 and alias_key(ent.doc[ent.start - 1].text) in self.filters.person_titles:
            return False
        return bool(self.gazetteer.candidates(ent.text)[0] or self.gazetteer.fuzzy(ent.text)[0])

    def _label_for_unknown(self, ent: Span, person_texts: set[str]) -> str | None:
        """ORG to keep, another label to relabel, None to drop an ORG span not in the gazetteer."""
        tokens = [t for t in ent if not (t.i == ent.start and t.lower_ == "the")]
        text = ent.doc[tokens[0].i : ent.end].text if tokens else ""
        key = alias_key(text)
        if not tokens or len(tokens) > 10:
            return None
        if not any(c.isupper() for c in text) and not _SITE_NAME.match(text):
            return None
        if key in self.filters.not_organizations:
            return None
        if self.gazetteer.candidates(text)[0] or self.gazetteer.fuzzy(text)[0]:
            return "ORG"
        term = self.lexicon.term_for(text)
        if term is not None:
            return "NORP" if term.kind == "demonym" else "GPE"
        if self.lexicon.is_place(text):
            return "LOC" if key in self.lexicon.regions else "GPE"
        if ent.start > 0 and alias_key(ent.doc[ent.start - 1].text) in self.filters.person_titles:
            return "PERSON"
        if ent.text in person_texts or text in person_texts:
            return "PERSON"
        words = [t for t in tokens if t.is_alpha]
        # "the Kazakh government", "Tajik authorities": the state acting, found by the countries component.
        # A body written as a proper name ("the Parliament of the country", "the Senate") is an organization.
        if (
            words
            and alias_key(words[-1].text) in self.filters.government_nouns
            and all(self.lexicon.term_for(w.text) or w.is_lower for w in words[:-1])
            and (words[-1].is_lower or alias_key(words[-1].text) in _STATE_ITSELF or len(words) > 1)
        ):
            return None
        if len(words) >= 3:
            chrome_like = sum(
                1
                for w in words
                if alias_key(w.text) in self.filters.chrome_words or self.is_known_name(w.text)
            )
            if chrome_like >= 0.6 * len(words):
                return None
        return "ORG"


class OrgCanonicalizer(_DataComponent):
    """Sets `kb_id` of every ORG span that the gazetteer knows; records how it was matched."""

    def __call__(self, doc: Doc) -> Doc:
        self.ensure_ready()
        hits = country_hits(doc)
        doc_weights: Counter[str] = Counter(hit.code for hit in hits)
        for ent in doc.ents:
            if ent.label_ == "ORG" and ent.kb_id_:
                country = self.gazetteer.by_id[ent.kb_id_].country
                if country:
                    doc_weights[country] += 1
        methods: dict[tuple[int, int], str] = {}
        ents: list[Span] = []
        for ent in doc.ents:
            if ent.label_ != "ORG" or ent.kb_id_:
                if ent.label_ == "ORG":
                    methods[(ent.start, ent.end)] = "ruler"
                ents.append(ent)
                continue
            context = dict(doc_weights)
            sentence = ent.sent if doc.has_annotation("SENT_START") else doc[:]
            for hit in hits:
                if sentence.start <= hit.start < sentence.end:
                    # A country in the same sentence ("Kyrgyzstan's GKNB") outweighs the rest of the document.
                    context[hit.code] = context.get(hit.code, 0) + 3
            for place in sentence.ents:
                # "Beeline … in Bishkek": a city or region says which country's Beeline.
                code = (
                    self.lexicon.place_country(place.text) if place.label_ in {"GPE", "LOC", "FAC"} else None
                )
                if code:
                    context[code] = context.get(code, 0) + 2
            match = self.gazetteer.lookup(ent.text, context)
            if match is None:
                ents.append(ent)
                continue
            methods[(ent.start, ent.end)] = match.method
            ents.append(Span(doc, ent.start, ent.end, label="ORG", kb_id=match.org.id))
        doc.ents = ents
        doc._.org_methods = methods
        return doc


@Language.factory(
    "stanwire_org_ruler_v1",
    requires=[],
    assigns=["doc.ents", "token.ent_kb_id"],
    default_config={},
)
def make_org_ruler(nlp: Language, name: str) -> OrgRuler:
    """Gazetteer entity ruler; add it before "ner". Its data loads in `initialize()`."""
    return OrgRuler(nlp, name)


@Language.factory(
    "stanwire_org_filter_v1",
    requires=["doc.ents"],
    assigns=["doc.ents"],
    default_config={},
)
def make_org_filter(nlp: Language, name: str) -> OrgFilter:
    """Filter of ORG spans that are not organizations; add it after "ner". Its data loads in `initialize()`."""
    return OrgFilter(nlp, name)


@Language.factory(
    "stanwire_org_canonicalizer_v1",
    requires=["doc.ents", "doc._.country_hits"],
    assigns=["doc.ents", "token.ent_kb_id", "doc._.org_methods"],
    default_config={},
)
def make_org_canonicalizer(nlp: Language, name: str) -> OrgCanonicalizer:
    """Gazetteer ids for ORG spans; add it after the countries component (it uses their countries). Its data
    loads in `initialize()`."""
    return OrgCanonicalizer(nlp, name)
