"""Gold documents for the NLP evaluation: the record format, loading and schema checks.

One JSON object per line (see docs/annotation-guidelines.md for what the annotations mean):
``{"id", "language", "title", "text", "published": "YYYY-MM-DD", "gold": {"organizations": [{"id", "name",
"aliases"?}], "countries": ["KZ", ...], "events": [{"type", "subtype", "status", "parties", "date"?}],
"topics": [...]}}``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVENT_TYPES = ("agreement", "censorship")
SUBTYPES: dict[str, tuple[str, ...]] = {
    "agreement": ("memorandum", "contract", "loan", "cooperation", "treaty", "agreement"),
    "censorship": ("block", "throttle", "shutdown", "vpn_ban", "law", "arrest", "fine"),
}
STATUSES: dict[str, tuple[str, ...]] = {
    "agreement": ("signed", "ratified", "planned", "in_force", "terminated"),
    "censorship": ("in_force", "planned", "lifted"),
}
TOPICS = ("telecom", "censorship", "surveillance", "cybersecurity", "infrastructure")
LANGUAGES = ("en", "ru", "kk", "ky", "tg", "uz")

ORG_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COUNTRY_CODE_PATTERN = re.compile(r"^[A-Z]{2}$")
# Event dates carry the precision the text gives: a year, a month or a day.
EVENT_DATE_PATTERN = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


class GoldFormatError(ValueError):
    """A gold record does not follow the format; the message names the file, line and field."""


@dataclass(frozen=True)
class GoldOrganization:
    """An organization of one document: gazetteer id (or None) and the names the document uses."""

    id: str | None
    name: str
    aliases: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The code events use for this organization: its id, or its name when it has none."""
        return self.id if self.id is not None else self.name


@dataclass(frozen=True)
class GoldEvent:
    """An agreement or censorship event; parties are org keys or ISO 3166-1 alpha-2 codes."""

    type: str
    subtype: str
    status: str
    parties: tuple[str, ...]
    date: str | None = None


@dataclass(frozen=True)
class GoldDocument:
    """A gold document: the input the NLP sees and the annotations it should produce."""

    id: str
    language: str
    title: str
    text: str
    published: dt.date
    organizations: tuple[GoldOrganization, ...]
    countries: tuple[str, ...]
    events: tuple[GoldEvent, ...]
    topics: tuple[str, ...]


def _require(record: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in record:
        raise GoldFormatError(f"{where}: missing field {key!r}")
    value = record[key]
    if not isinstance(value, kind):
        raise GoldFormatError(f"{where}: field {key!r} must be {kind.__name__}, got {type(value).__name__}")
    return value


def _nonempty_str(record: Mapping[str, Any], key: str, where: str) -> str:
    value: str = _require(record, key, str, where)
    if not value.strip():
        raise GoldFormatError(f"{where}: field {key!r} is empty")
    return value


def _parse_organization(raw: Any, where: str) -> GoldOrganization:
    if not isinstance(raw, dict):
        raise GoldFormatError(f"{where}: an organization must be an object")
    if "id" not in raw:
        raise GoldFormatError(f"{where}: missing field 'id' (use null for an organization not in ORG_IDS.md)")
    org_id = raw["id"]
    if org_id is not None and (not isinstance(org_id, str) or not ORG_ID_PATTERN.match(org_id)):
        raise GoldFormatError(
            f"{where}: organization id {org_id!r} is not a lower-case slug like 'kyrgyzstan-gknb'"
        )
    name = _nonempty_str(raw, "name", where)
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise GoldFormatError(f"{where}: 'aliases' must be a list of non-empty strings")
    return GoldOrganization(id=org_id, name=name, aliases=tuple(aliases))


def _parse_event(raw: Any, org_keys: set[str], where: str) -> GoldEvent:
    if not isinstance(raw, dict):
        raise GoldFormatError(f"{where}: an event must be an object")
    event_type = _require(raw, "type", str, where)
    if event_type not in EVENT_TYPES:
        raise GoldFormatError(f"{where}: event type {event_type!r} is not one of {EVENT_TYPES}")
    subtype = _require(raw, "subtype", str, where)
    if subtype not in SUBTYPES[event_type]:
        raise GoldFormatError(
            f"{where}: {event_type} subtype {subtype!r} is not one of {SUBTYPES[event_type]}"
        )
    status = _require(raw, "status", str, where)
    if status not in STATUSES[event_type]:
        raise GoldFormatError(f"{where}: {event_type} status {status!r} is not one of {STATUSES[event_type]}")
    parties = _require(raw, "parties", list, where)
    for party in parties:
        if not isinstance(party, str) or not (COUNTRY_CODE_PATTERN.match(party) or party in org_keys):
            raise GoldFormatError(
                f"{where}: party {party!r} is neither an ISO alpha-2 code nor an organization of this document"
            )
    if len(set(parties)) != len(parties):
        raise GoldFormatError(f"{where}: duplicate party in {parties}")
    if event_type == "agreement" and not parties:
        raise GoldFormatError(f"{where}: an agreement needs at least one named party")
    date = raw.get("date")
    if date is not None and (not isinstance(date, str) or not EVENT_DATE_PATTERN.match(date)):
        raise GoldFormatError(f"{where}: event date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return GoldEvent(event_type, subtype, status, tuple(parties), date)


def parse_gold_document(record: Any, where: str = "record") -> GoldDocument:
    """Check one decoded gold record and turn it into a GoldDocument."""
    if not isinstance(record, dict):
        raise GoldFormatError(f"{where}: a gold record must be a JSON object")
    doc_id = _nonempty_str(record, "id", where)
    where = f"{where} ({doc_id})"
    language = _require(record, "language", str, where)
    if language not in LANGUAGES:
        raise GoldFormatError(f"{where}: language {language!r} is not one of {LANGUAGES}")
    title = _nonempty_str(record, "title", where)
    text = _nonempty_str(record, "text", where)
    published_raw = _require(record, "published", str, where)
    try:
        published = dt.date.fromisoformat(published_raw)
    except ValueError as exc:
        raise GoldFormatError(f"{where}: published {published_raw!r} is not a YYYY-MM-DD date") from exc
    gold = _require(record, "gold", dict, where)
    orgs = tuple(
        _parse_organization(raw, f"{where} organization {i}")
        for i, raw in enumerate(_require(gold, "organizations", list, where))
    )
    keys = [org.key for org in orgs]
    if len(set(keys)) != len(keys):
        raise GoldFormatError(f"{where}: an organization is listed twice ({sorted(keys)})")
    countries = _require(gold, "countries", list, where)
    for code in countries:
        if not isinstance(code, str) or not COUNTRY_CODE_PATTERN.match(code):
            raise GoldFormatError(f"{where}: country {code!r} is not an ISO 3166-1 alpha-2 code")
    if len(set(countries)) != len(countries):
        raise GoldFormatError(f"{where}: duplicate country in {countries}")
    events = tuple(
        _parse_event(raw, set(keys), f"{where} event {i}")
        for i, raw in enumerate(_require(gold, "events", list, where))
    )
    topics = _require(gold, "topics", list, where)
    unknown = [t for t in topics if t not in TOPICS]
    if unknown:
        raise GoldFormatError(f"{where}: unknown topics {unknown}; allowed: {TOPICS}")
    return GoldDocument(
        id=doc_id,
        language=language,
        title=title,
        text=text,
        published=published,
        organizations=orgs,
        countries=tuple(countries),
        events=events,
        topics=tuple(topics),
    )


def load_gold_file(path: Path) -> list[GoldDocument]:
    """Read one JSONL gold file; errors name the file and line."""
    documents = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldFormatError(f"{where}: not valid JSON ({exc.msg})") from exc
            documents.append(parse_gold_document(record, where))
    return documents


def load_gold(directory: Path) -> list[GoldDocument]:
    """Read every ``*.jsonl`` file of a directory, in name order; document ids must be unique."""
    files = sorted(directory.glob("*.jsonl"))
    if not files:
        raise GoldFormatError(f"{directory}: no *.jsonl gold files found")
    documents: list[GoldDocument] = []
    seen: dict[str, Path] = {}
    for path in files:
        for document in load_gold_file(path):
            if document.id in seen:
                raise GoldFormatError(
                    f"{path}: document id {document.id!r} already used in {seen[document.id]}"
                )
            seen[document.id] = path
            documents.append(document)
    return documents
