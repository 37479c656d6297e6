"""The landing records the crawl writes (docs/architecture.md): raw article and crawl error.

Built here as plain dicts of the documented shape so the Scrapy spider, the tests and any other writer agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spiders.extract import ExtractedArticle

RAW_ARTICLE_SCHEMA = "stanwire.raw_article/1"
CRAWL_ERROR_SCHEMA = "stanwire.crawl_error/1"
RAW_ARTICLE_FIELDS = (
    "schema",
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
CRAWL_ERROR_FIELDS = ("schema", "source", "url", "stage", "http_status", "message", "at")
ERROR_STAGES = ("fetch", "extract", "robots", "offsite")
DISCOVERY_KINDS = ("feed", "section", "sitemap", "url")


def iso_instant(moment: datetime) -> str:
    """An instant as the records write it: ISO 8601 in UTC with seconds."""
    if moment.tzinfo is None:
        raise ValueError(f"record times need a time zone: {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def article_record(
    *,
    source: str,
    url: str,
    final_url: str,
    article: ExtractedArticle,
    http_status: int,
    discovered_via: str,
    fetched_at: datetime | str,
) -> dict[str, Any]:
    """A raw article record without `html_file`, which `landing.write_article` fills in when it names the file."""
    if discovered_via not in DISCOVERY_KINDS:
        raise ValueError(f"discovered_via must be one of {DISCOVERY_KINDS}, not {discovered_via!r}")
    return {
        "schema": RAW_ARTICLE_SCHEMA,
        "source": source,
        "url": url,
        "final_url": final_url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "text": article.text,
        "published_at": article.published_at,
        "authors": list(article.authors),
        "language": article.language,
        "fetched_at": fetched_at if isinstance(fetched_at, str) else iso_instant(fetched_at),
        "http_status": http_status,
        "discovered_via": discovered_via,
        "extractor": dict(article.extractor),
    }


def error_record(
    *,
    source: str,
    url: str,
    stage: str,
    message: str,
    at: datetime | str,
    http_status: int | None = None,
) -> dict[str, Any]:
    """A crawl error record: what failed (`stage`), with which status, and a message saying why."""
    if stage not in ERROR_STAGES:
        raise ValueError(f"stage must be one of {ERROR_STAGES}, not {stage!r}")
    return {
        "schema": CRAWL_ERROR_SCHEMA,
        "source": source,
        "url": url,
        "stage": stage,
        "http_status": http_status,
        "message": message,
        "at": at if isinstance(at, str) else iso_instant(at),
    }
