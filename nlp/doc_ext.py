"""spaCy `Doc` extensions the stanwire components set, and the country hit record they share."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc


@dataclass(frozen=True)
class CountryHit:
    """A token range that refers to a country; `how` is name, demonym, capital or ner."""

    code: str
    start: int
    end: int
    text: str
    how: str


def register_extensions() -> None:
    """Register the extensions once per process (spaCy keeps them globally on the `Doc` class)."""
    for name in ("country_hits", "chrome_ranges", "org_methods"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


TEXT_KEY = "stanwire_text"


def text_of(doc: Doc) -> str:
    """`doc.text`, built once per document: spaCy joins it from the tokens on every call (a few ms for a long
    article), and four stanwire steps read it. A retokenized document keeps its text, so the copy stays true."""
    cached = doc.user_data.get(TEXT_KEY)
    if isinstance(cached, str):
        return cached
    text: str = doc.text
    doc.user_data[TEXT_KEY] = text
    return text


def country_hits(doc: Doc) -> list[CountryHit]:
    """The country hits the countries component found (empty when it has not run)."""
    return list(doc._.country_hits or [])


def chrome_ranges(doc: Doc) -> list[tuple[int, int]]:
    """Character ranges of chrome lines found by the organization filter (empty when it has not run)."""
    return list(doc._.chrome_ranges or [])


register_extensions()
