"""The crawl job file (docs/architecture.md, "Crawl job"), read and checked before any crawling starts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from spiders.errors import CrawlJobError
from spiders.landing import Landing, open_landing
from spiders.records import DISCOVERY_KINDS
from spiders.urls import host_of

DEFAULT_MAX_PAGES = 3


@dataclass(frozen=True)
class CrawlRequest:
    """One queued article URL. `discovered_via` is optional in the job and defaults to `feed` (the queue's
    usual origin); a URL the user added gives `url`."""

    url: str
    source: str
    discovered_via: str = "feed"


@dataclass(frozen=True)
class JobSource:
    """A source as the crawl sees it: where it may go and which listing pages to walk."""

    name: str
    allowed_domains: tuple[str, ...]
    sections: tuple[str, ...] = ()
    max_pages: int = DEFAULT_MAX_PAGES
    language: str | None = None


@dataclass(frozen=True)
class CrawlJob:
    """A parsed, checked crawl job."""

    landing_dir: Landing  # a folder, or object storage (s3://bucket/prefix/)
    requests: tuple[CrawlRequest, ...]
    sources: tuple[JobSource, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    # Where the crawl's clock starts (the caller's "now"); None: the system clock of the crawl process.
    clock_start: datetime | None = None


def load_job(path: Path) -> CrawlJob:
    """Read and check the job file at `path`; raise `CrawlJobError` naming the first problem found."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CrawlJobError(f"crawl job file {path} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CrawlJobError(f"cannot read crawl job file {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise CrawlJobError(f"crawl job file {path} is not valid JSON: {exc}") from exc
    try:
        return parse_job(data)
    except CrawlJobError as exc:
        raise CrawlJobError(f"crawl job file {path}: {exc}") from exc


def parse_job(data: Any) -> CrawlJob:
    """Build a `CrawlJob` from the decoded JSON of a job file."""
    if not isinstance(data, dict):
        raise CrawlJobError("the job must be a JSON object")
    landing_dir = data.get("landing_dir")
    if not isinstance(landing_dir, str) or not landing_dir.strip():
        raise CrawlJobError("'landing_dir' must be a non-empty string (the landing folder)")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise CrawlJobError("'settings' must be an object")
    default_max_pages = _positive_int(settings.get("max_pages", DEFAULT_MAX_PAGES), "settings.max_pages")
    sources = tuple(_source(item, i, default_max_pages) for i, item in enumerate(_list(data, "sources")))
    names = {s.name for s in sources}
    if len(names) != len(sources):
        raise CrawlJobError("two sources have the same 'name'")
    requests = tuple(_request(item, i, names) for i, item in enumerate(_list(data, "requests")))
    return CrawlJob(
        landing_dir=open_landing(landing_dir.strip()),
        requests=requests,
        sources=sources,
        settings=settings,
        clock_start=_instant(data.get("clock_start"), "clock_start"),
    )


def _instant(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise CrawlJobError(f"'{where}' must be an ISO 8601 date-time with an offset, not {value!r}")
    return moment


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise CrawlJobError(f"'{key}' must be a list")
    return value


def _source(item: Any, index: int, default_max_pages: int) -> JobSource:
    where = f"sources[{index}]"
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
        raise CrawlJobError(f"{where} must be an object with a non-empty 'name'")
    sections = item.get("sections") or []
    if not isinstance(sections, list) or not all(_is_http_url(s) for s in sections):
        raise CrawlJobError(f"{where}.sections must be a list of absolute http(s) URLs")
    domains = item.get("allowed_domains") or []
    if not isinstance(domains, list) or not all(isinstance(d, str) and d.strip() for d in domains):
        raise CrawlJobError(f"{where}.allowed_domains must be a list of host names")
    if not domains:
        # Same default as sources.yaml: the hosts of the source's own URLs, never the whole web.
        domains = sorted({host_of(url) for url in sections})
    max_pages = item.get("max_pages")
    language = item.get("language")
    return JobSource(
        name=item["name"],
        allowed_domains=tuple(d.strip() for d in domains),
        sections=tuple(sections),
        max_pages=default_max_pages if max_pages is None else _positive_int(max_pages, f"{where}.max_pages"),
        language=language if isinstance(language, str) else None,
    )


def _request(item: Any, index: int, names: set[str]) -> CrawlRequest:
    where = f"requests[{index}]"
    if not isinstance(item, dict) or not _is_http_url(item.get("url")):
        raise CrawlJobError(f"{where} must be an object with an absolute http(s) 'url'")
    if item.get("source") not in names:
        raise CrawlJobError(f"{where}.source {item.get('source')!r} is not one of the job's sources")
    via = item.get("discovered_via", "feed")
    if via not in DISCOVERY_KINDS:
        raise CrawlJobError(f"{where}.discovered_via must be one of {', '.join(DISCOVERY_KINDS)}")
    return CrawlRequest(url=item["url"].strip(), source=item["source"], discovered_via=via)


def _positive_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise CrawlJobError(f"{where} must be a positive integer, not {value!r}")
    return value


def _is_http_url(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.strip().lower().startswith(("http://", "https://"))
        and bool(host_of(value))
    )
