"""The records that cross the package boundary: `DocumentInput` in, `DocumentAnalysis` out.

`dataclasses.asdict(analysis)` gives exactly the JSON documented in docs/architecture.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

EventType = Literal["agreement", "censorship"]
PartyKind = Literal["organization", "country"]


@dataclass(frozen=True)
class DocumentInput:
    """One document to analyse: `published` anchors relative dates, `language` is ISO 639-1 or None."""

    id: str
    title: str
    text: str
    published: date | None = None
    language: str | None = None


@dataclass
class OrganizationMention:
    """An organization named in the document, once per organization.

    `name` is the surface form as written (nominative for Russian where known), `canonical` the gazetteer's
    English name (or the cleaned surface form when `id` is None), `kind`/`country` come from the gazetteer.
    """

    name: str
    canonical: str
    id: str | None
    kind: str | None
    country: str | None
    mentions: int


@dataclass
class CountryMention:
    """A country referred to by name, demonym or capital-as-government, once per ISO alpha-2 code."""

    code: str
    name: str
    mentions: int


@dataclass
class EventParty:
    """A signatory, lender or acting state body: `code` is the gazetteer id or the ISO alpha-2 code."""

    name: str
    canonical: str
    kind: PartyKind
    code: str | None


@dataclass
class Event:
    """An agreement or censorship act; `date` is `YYYY-MM-DD`, `YYYY-MM` or `YYYY` as precise as the text."""

    type: EventType
    subtype: str
    status: str
    parties: list[EventParty]
    date: str | None
    date_text: str | None
    subject: str | None
    sentence: str
    confidence: float


@dataclass
class DocumentAnalysis:
    """Everything the NLP found in one document."""

    id: str
    language: str | None
    organizations: list[OrganizationMention] = field(default_factory=list)
    countries: list[CountryMention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
