"""Landing records (docs/architecture.md) checked and turned into warehouse rows before anything is written.

`parse_article` and `parse_crawl_error` raise `LoadError` with a message naming the field and what is wrong
with it; the loader records that message against the landing file and goes on with the next one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from warehouse.errors import LoadError

__all__ = [
    "CRAWL_ERROR_SCHEMA",
    "RAW_ARTICLE_SCHEMA",
    "ArticleRow",
    "CrawlErrorRow",
    "article_id",
    "content_hash",
    "parse_article",
    "parse_crawl_error",
    "parse_instant",
]

RAW_ARTICLE_SCHEMA = "stanwire.raw_article/1"
CRAWL_ERROR_SCHEMA = "stanwire.crawl_error/1"
# The fields of each record besides `schema` (docs/architecture.md); every one must be present, null or not.
RAW_ARTICLE_FIELDS = (
    "source",
    "url",
    "final_url",
    "canonical_url",
    "title",
    "text",
    "published_at",
    "authors",
    "language",
    "fetched_at",
    "http_status",
    "discovered_via",
    "html_file",
    "extractor",
)
CRAWL_ERROR_FIELDS = ("source", "url", "stage", "http_status", "message", "at")
DISCOVERY_KINDS = ("feed", "section", "sitemap", "url")
ERROR_STAGES = ("fetch", "extract", "robots", "offsite")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ArticleRow:
    """A raw article record as the `articles` table stores it."""

    id: str
    url: str
    final_url: str
    canonical_url: str
    source: str
    title: str | None
    text: str
    language: str | None
    published_at: datetime | None
    published_date: date | None
    authors: list[str]
    fetched_at: datetime
    content_hash: str
    discovered_via: str
    html_file: str
    landing_file: str
    date_note: str | None = None

    @property
    def has_text(self) -> bool:
        """False for an empty body, whose hash would make every empty article a copy of every other."""
        return bool(self.text.strip())


@dataclass(frozen=True)
class CrawlErrorRow:
    """A crawl error record as the `crawl_errors` table stores it."""

    source: str
    url: str
    stage: str
    http_status: int | None
    message: str
    failed_at: datetime
    landing_file: str


def article_id(canonical_url: str) -> str:
    """The article identity: the first 16 hex characters of sha1(canonical_url)."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def content_hash(text: str) -> str:
    """sha256 of the text with whitespace runs collapsed, so re-wrapped copies of one text hash alike."""
    normalised = " ".join(text.split())  # str.split splits where the regex \s matches: as re.sub(r"\s+", " ")
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def parse_instant(value: str, field: str) -> datetime:
    """An ISO 8601 date-time as an aware datetime; one without an offset is taken as UTC (the contract's zone)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise LoadError(f"{field} {value!r} is not an ISO 8601 date-time") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_published(value: str | None) -> tuple[datetime | None, date | None]:
    """`published_at` as (instant, the outlet's calendar date).

    A date alone has no instant. A date-time without an offset has no instant either (its zone is unknown),
    but its date is still the outlet's date.
    """
    if value is None:
        return None, None
    try:
        if _DATE_ONLY.match(value):
            return None, date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise LoadError(f"published_at {value!r} is not an ISO 8601 date or date-time") from exc
    return (moment if moment.tzinfo is not None else None), moment.date()


def parse_article(record: Any, landing_file: str) -> ArticleRow:
    """Check a raw article record against `stanwire.raw_article/1` and return its row."""
    _check_shape(record, RAW_ARTICLE_SCHEMA)
    _check_present(record, list(RAW_ARTICLE_FIELDS))
    for name in ("source", "url", "final_url", "canonical_url", "fetched_at", "html_file"):
        _check_text(record, name, nonempty=True)
    _check_text(record, "text")
    for name in ("title", "published_at", "language"):
        _check_text(record, name, nullable=True)
    authors = record["authors"]
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise LoadError(f"authors must be a list of strings, not {_describe(authors)}")
    _check_int(record, "http_status", nullable=False)
    if not isinstance(record["extractor"], dict):
        raise LoadError(f"extractor must be an object, not {_describe(record['extractor'])}")
    if record["discovered_via"] not in DISCOVERY_KINDS:
        raise LoadError(
            f"discovered_via {record['discovered_via']!r} is not one of {', '.join(DISCOVERY_KINDS)}"
        )
    html_file = record["html_file"]
    if "/" in html_file or "\\" in html_file:
        raise LoadError(f"html_file {html_file!r} must be a file name beside the JSON, not a path")
    published_at, published_date = parse_published(record["published_at"])
    folder = landing_file.rpartition("/")[0]
    return ArticleRow(
        id=article_id(record["canonical_url"]),
        url=record["url"],
        final_url=record["final_url"],
        canonical_url=record["canonical_url"],
        source=record["source"],
        title=record["title"],
        text=record["text"],
        language=record["language"],
        published_at=published_at,
        published_date=published_date,
        authors=list(authors),
        fetched_at=parse_instant(record["fetched_at"], "fetched_at"),
        content_hash=content_hash(record["text"]),
        discovered_via=record["discovered_via"],
        html_file=f"{folder}/{html_file}" if folder else html_file,
        landing_file=landing_file,
        date_note=_note(record["extractor"].get("date_note")),
    )


def _note(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def parse_crawl_error(record: Any, landing_file: str) -> CrawlErrorRow:
    """Check a crawl error record against `stanwire.crawl_error/1` and return its row."""
    _check_shape(record, CRAWL_ERROR_SCHEMA)
    _check_present(record, list(CRAWL_ERROR_FIELDS))
    for name in ("source", "url", "stage", "at"):
        _check_text(record, name, nonempty=True)
    _check_text(record, "message")
    _check_int(record, "http_status", nullable=True)
    if record["stage"] not in ERROR_STAGES:
        raise LoadError(f"stage {record['stage']!r} is not one of {', '.join(ERROR_STAGES)}")
    return CrawlErrorRow(
        source=record["source"],
        url=record["url"],
        stage=record["stage"],
        http_status=record["http_status"],
        message=record["message"],
        failed_at=parse_instant(record["at"], "at"),
        landing_file=landing_file,
    )


def _check_shape(record: Any, schema: str) -> None:
    if not isinstance(record, dict):
        raise LoadError(f"expected a JSON object, found {_describe(record)}")
    if "schema" not in record:
        raise LoadError(f"no 'schema' field; expected {schema!r}")
    if record["schema"] != schema:
        raise LoadError(f"schema is {record['schema']!r}, expected {schema!r}")


def _check_present(record: dict[str, Any], names: list[str]) -> None:
    missing = [name for name in names if name not in record]
    if missing:
        raise LoadError(f"missing field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")


def _check_text(record: dict[str, Any], name: str, *, nullable: bool = False, nonempty: bool = False) -> None:
    value = record[name]
    if value is None and nullable:
        return
    if not isinstance(value, str):
        expected = "a string or null" if nullable else "a string"
        raise LoadError(f"{name} must be {expected}, not {_describe(value)}")
    if nonempty and not value.strip():
        raise LoadError(f"{name} is empty")


def _check_int(record: dict[str, Any], name: str, *, nullable: bool) -> None:
    value = record[name]
    if value is None and nullable:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        expected = "an integer or null" if nullable else "an integer"
        raise LoadError(f"{name} must be {expected}, not {_describe(value)}")


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    kind = {dict: "object", list: "list", str: "string", bool: "boolean", int: "integer", float: "number"}
    return f"{kind.get(type(value), type(value).__name__)} {str(value)[:40]!r}"
