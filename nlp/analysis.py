"""`analyze` / `analyze_many`: one `DocumentInput` in, one `DocumentAnalysis` out.

English documents go through the spaCy pipeline (in batches with `nlp.pipe`), Russian ones (language "ru", or
Cyrillic text with no language given) through the natasha-based analyzer. Both end in the same records.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from spacy.tokens import Doc

from nlp.doc_ext import TEXT_KEY, country_hits
from nlp.errors import InvalidDocumentError
from nlp.events import adapt_en, adapt_ru, document_events
from nlp.org_components import TITLE_END_KEY
from nlp.pipeline import Pipelines
from nlp.records import CountryMention, DocumentAnalysis, DocumentInput, Event, OrganizationMention
from nlp.russian import RuDoc
from nlp.text import alias_key, is_cyrillic_dominant
from nlp.topics import document_topics

logger = logging.getLogger(__name__)

# Languages written in Cyrillic in the region whose news is closest to Russian for these rules.
_CYRILLIC_LANGUAGES = frozenset({"kk", "ky", "tg"})


def _checked(doc: DocumentInput) -> tuple[str, date | None]:
    """The document's full text (title, blank line, body) and its publication date, or a clear error."""
    for name in ("id", "title", "text"):
        value = getattr(doc, name)
        if not isinstance(value, str) and not (name == "title" and value is None):
            raise InvalidDocumentError(
                f"document {doc.id!r}: field {name!r} must be a string, not {type(value).__name__}"
            )
    if doc.language is not None and not isinstance(doc.language, str):
        raise InvalidDocumentError(f"document {doc.id!r}: language must be an ISO 639-1 string or None")
    published = doc.published
    if isinstance(published, str):
        try:
            published = date.fromisoformat(published[:10])
        except ValueError as exc:
            raise InvalidDocumentError(
                f"document {doc.id!r}: published {published!r} is not an ISO date"
            ) from exc
    elif isinstance(published, datetime):
        published = published.date()
    elif published is not None and not isinstance(published, date):
        raise InvalidDocumentError(
            f"document {doc.id!r}: published must be a date, not {type(published).__name__}"
        )
    title = (doc.title or "").strip()
    return (f"{title}\n\n{doc.text}" if title else doc.text), published


def route(doc: DocumentInput, text: str) -> str:
    """ "ru" or "en": which analyzer a document goes through."""
    language = (doc.language or "").lower()
    if language == "ru":
        return "ru"
    if language in _CYRILLIC_LANGUAGES or not language:
        return "ru" if is_cyrillic_dominant(text) else "en"
    return "en"


def _organizations(
    found: Iterable[tuple[str | None, str, str | None, str | None, str | None]],
) -> list[OrganizationMention]:
    """Aggregate (id, surface, canonical, kind, country) mentions: one record per organization, first-seen order."""
    records: dict[str, OrganizationMention] = {}
    for org_id, surface, canonical, kind, country in found:
        key = org_id or f"name:{alias_key(canonical or surface)}"
        if key in records:
            records[key].mentions += 1
        else:
            records[key] = OrganizationMention(surface, canonical or surface, org_id, kind, country, 1)
    return list(records.values())


def _countries(pipes: Pipelines, codes: Iterable[str]) -> list[CountryMention]:
    records: dict[str, CountryMention] = {}
    for code in codes:
        if code in records:
            records[code].mentions += 1
        else:
            records[code] = CountryMention(code, pipes.lexicon.name_of(code), 1)
    return list(records.values())


def _english(
    pipes: Pipelines, doc: DocumentInput, spacy_doc: Doc, published: date | None
) -> DocumentAnalysis:
    found = []
    for ent in spacy_doc.ents:
        if ent.label_ != "ORG":
            continue
        surface = ent.text[4:] if ent.text.lower().startswith("the ") else ent.text
        org = pipes.gazetteer.by_id.get(ent.kb_id_)
        found.append(
            (org.id, surface, org.name, org.kind, org.country) if org else (None, surface, None, None, None)
        )
    countries = _countries(pipes, (hit.code for hit in country_hits(spacy_doc)))
    view = adapt_en.view_of(
        spacy_doc, pipes.gazetteer, pipes.lexicon, published, int(spacy_doc.user_data.get(TITLE_END_KEY, 0))
    )
    events = document_events(view, pipes.gazetteer, pipes.lexicon)
    organizations = _organizations(found)
    words = [(t.lower_, t.lemma_.lower()) for t in spacy_doc if not t.is_punct]
    return DocumentAnalysis(
        id=doc.id,
        language=doc.language or "en",
        organizations=organizations,
        countries=countries,
        events=events,
        topics=_topics(pipes, words, "en", organizations, events),
    )


def _russian(
    pipes: Pipelines, doc: DocumentInput, ru_doc: RuDoc, published: date | None, title_end: int
) -> DocumentAnalysis:
    # Gazetteer names as the gazetteer writes them; unknown names as written first, their nominative canonical.
    found = [
        (hit.org.id, hit.name, hit.org.name, hit.org.kind, hit.org.country)
        if hit.org
        else (None, hit.surface, hit.name, None, None)
        for hit in ru_doc.orgs
    ]
    countries = _countries(pipes, (hit.code for hit in ru_doc.countries))
    view = adapt_ru.view_of(ru_doc, pipes.lexicon, published, title_end)
    events = document_events(view, pipes.gazetteer, pipes.lexicon)
    organizations = _organizations(found)
    words = [(t.lower, t.lemma) for t in ru_doc.tokens if t.pos != "PUNCT"]
    return DocumentAnalysis(
        id=doc.id,
        language=doc.language or "ru",
        organizations=organizations,
        countries=countries,
        events=events,
        topics=_topics(pipes, words, "ru", organizations, events),
    )


def _topics(
    pipes: Pipelines,
    words: list[tuple[str, str]],
    language: str,
    orgs: list[OrganizationMention],
    events: list[Event],
) -> list[str]:
    kinds = [org.kind for org in orgs if org.kind]
    return document_topics(pipes.topics, words, language, kinds, [event.type for event in events])


@dataclass(frozen=True)
class _Prepared:
    """A checked document with its full text, where its title ends, and the analyzer it goes to."""

    doc: DocumentInput
    text: str
    title_end: int
    published: date | None
    route: str


def _prepare(pipes: Pipelines, doc: DocumentInput) -> _Prepared:
    text, published = _checked(doc)
    language = route(doc, text)
    if language == "ru" and pipes.russian is None:
        logger.warning("russian analyzer disabled; analysing document=%s with the English pipeline", doc.id)
        language = "en"
    return _Prepared(doc, text, len((doc.title or "").strip()), published, language)


def analyze(pipes: Pipelines, doc: DocumentInput) -> DocumentAnalysis:
    """Organizations, countries, events and topics of one document."""
    return analyze_many(pipes, [doc])[0]


# spaCy batches by documents; its memory follows the tokens of a batch: 32 news analyses of 1,200 words took
# 600 MiB more than 5,000 tokens at a time, at the same speed (docs/PERFORMANCE.md, "Memory").
TOKENS_PER_BATCH = 5000


def _by_tokens(docs: list[Doc], most: int) -> Iterator[list[Doc]]:
    """`docs` in order, in groups of at most `most` documents and `TOKENS_PER_BATCH` tokens (a longer document
    is a group of its own)."""
    group: list[Doc] = []
    tokens = 0
    for doc in docs:
        if group and (tokens + len(doc) > TOKENS_PER_BATCH or len(group) >= most):
            yield group
            group, tokens = [], 0
        group.append(doc)
        tokens += len(doc)
    if group:
        yield group


def analyze_many(
    pipes: Pipelines, docs: Sequence[DocumentInput], batch_size: int = 32
) -> list[DocumentAnalysis]:
    """Analyse documents in input order; English ones are batched through `nlp.pipe` for speed.

    Raises `InvalidDocumentError` (naming the document) before any work if a document is malformed.
    """
    prepared = [_prepare(pipes, doc) for doc in docs]
    results: dict[int, DocumentAnalysis] = {}
    english = [(index, item) for index, item in enumerate(prepared) if item.route == "en"]
    spacy_docs = []
    for _, item in english:
        spacy_doc = pipes.english.make_doc(item.text)
        spacy_doc.user_data[TITLE_END_KEY] = item.title_end
        spacy_doc.user_data[TEXT_KEY] = item.text  # spaCy keeps the text as given: doc.text == item.text
        spacy_docs.append(spacy_doc)
    parsed = (
        parsed_doc
        for group in _by_tokens(spacy_docs, batch_size)
        for parsed_doc in pipes.english.pipe(group, batch_size=len(group))
    )
    for (index, item), spacy_doc in zip(english, parsed, strict=True):
        results[index] = _english(pipes, item.doc, spacy_doc, item.published)
    for index, item in enumerate(prepared):
        if item.route == "ru" and pipes.russian is not None:
            ru_doc = pipes.russian.parse(item.text, title_end=item.title_end)
            results[index] = _russian(pipes, item.doc, ru_doc, item.published, item.title_end)
    return [results[index] for index in range(len(prepared))]
