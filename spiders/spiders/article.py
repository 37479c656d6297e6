"""The one generic spider: queued article URLs plus each source's section pages, walked with pagination.

Everything a page teaches is decided by plain functions (`spiders.links`, `spiders.extract`); the spider only
routes responses and failures to them and turns the outcome into landing items. Every failure becomes a crawl
error record; nothing is dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from http import HTTPStatus
from typing import Any

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding

from spiders.clock import clock_starting_at, system_clock
from spiders.errors import ExtractionError, InvalidURLError
from spiders.extract import extract_article
from spiders.htmlmeta import parse_html
from spiders.items import ArticleItem, CrawlErrorItem
from spiders.job import CrawlJob, JobSource
from spiders.links import is_article_link, listing_links, next_page_url, page_number
from spiders.records import article_record, error_record
from spiders.urls import canonicalize_url, host_of, in_allowed_domains

logger = logging.getLogger(__name__)

PAGES_FETCHED = "stanwire/pages_fetched"
LISTING_PAGES = "stanwire/listing_pages"
OFFSITE_LINKS = "stanwire/offsite_links_skipped"


class ArticleSpider(scrapy.Spider):
    """Crawl the job's article URLs and section pages; yield `ArticleItem`s and `CrawlErrorItem`s."""

    name = "article"

    def __init__(self, job: CrawlJob, **kwargs: Any):
        super().__init__(**kwargs)
        self.job = job
        # The caller's clock continued in this process: fetch times and the future-date check follow it.
        self.clock = clock_starting_at(job.clock_start) if job.clock_start else system_clock
        self.sources = {source.name: source for source in job.sources}
        # Canonical URLs of the articles already requested: Scrapy's duplicate filter sees `?utm_source=…`
        # variants of one story as different pages.
        self.requested_articles: set[str] = set()
        # Scrapy's OffsiteMiddleware guards redirects with the union of the sources' domains; the per-source
        # checks in `start` and `parse_listing` are the stricter ones.
        self.allowed_domains = sorted(
            {host_of(f"//{d}" if "//" not in d else d) for s in job.sources for d in s.allowed_domains}
        )

    async def start(self) -> AsyncIterator[Any]:
        for queued in self.job.requests:
            source = self.sources[queued.source]
            if not in_allowed_domains(queued.url, source.allowed_domains):
                yield self._error(
                    source.name, queued.url, "offsite", self._offsite_message(queued.url, source)
                )
                continue
            if self._first_request_for(queued.url):
                yield self._article_request(queued.url, source, queued.discovered_via)
        for source in self.job.sources:
            for section in source.sections:
                yield self._listing_request(
                    section, source, section=section, page_no=page_number(section) or 1
                )

    # --- requests ------------------------------------------------------------------------------------------

    def _article_request(self, url: str, source: JobSource, discovered_via: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            meta={
                "source": source.name,
                "requested_url": url,
                "discovered_via": discovered_via,
                "allowed_domains": source.allowed_domains,
            },
        )

    def _listing_request(self, url: str, source: JobSource, *, section: str, page_no: int) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.on_error,
            priority=10,  # listing pages first: they feed the queue of article pages
            meta={
                "source": source.name,
                "requested_url": url,
                "section": section,
                "page_no": page_no,
                "allowed_domains": source.allowed_domains,
            },
        )

    # --- callbacks -----------------------------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[Any]:
        """A section page: follow its article links and, within `max_pages`, its next page."""
        self._count(PAGES_FETCHED)
        source = self.sources[response.meta["source"]]
        if not isinstance(response, TextResponse):
            yield self._error(
                source.name,
                response.meta["requested_url"],
                "extract",
                f"section page is not HTML ({self._content_type(response)}); check the section URL",
                response.status,
            )
            return
        self._count(LISTING_PAGES)
        tree = parse_html(response.text)
        for url in listing_links(tree, response.url):
            if is_article_link(url, allowed_domains=source.allowed_domains, section_urls=source.sections):
                if self._first_request_for(url):
                    yield self._article_request(url, source, "section")
            elif not in_allowed_domains(url, source.allowed_domains):
                self._count(OFFSITE_LINKS)
        page_no = response.meta["page_no"]
        if page_no >= source.max_pages:
            return
        following = next_page_url(tree, response.url, page_no)
        if following and in_allowed_domains(following, source.allowed_domains):
            yield self._listing_request(
                following, source, section=response.meta["section"], page_no=page_no + 1
            )

    def parse_article(self, response: Response) -> Iterator[Any]:
        """An article page: extract it and yield the landing item, or an `extract` error."""
        self._count(PAGES_FETCHED)
        source = self.sources[response.meta["source"]]
        url = response.meta["requested_url"]
        if not isinstance(response, TextResponse):
            message = f"not an HTML page ({self._content_type(response)}); nothing to extract"
            yield self._error(source.name, url, "extract", message, response.status)
            return
        fetched_at = self.clock()
        try:
            article = extract_article(
                response.body,
                response.url,
                fetched_at=fetched_at,
                declared_encoding=http_content_type_encoding(self._content_type(response)),
                language_hint=source.language,
            )
        except ExtractionError as exc:
            yield self._error(source.name, url, "extract", str(exc), response.status)
            return
        record = article_record(
            source=source.name,
            url=url,
            final_url=response.url,
            article=article,
            http_status=response.status,
            discovered_via=response.meta.get("discovered_via", "url"),
            fetched_at=fetched_at,
        )
        yield ArticleItem(record=record, html=response.body)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """Any failed request (HTTP error after retries, network error, robots.txt, offsite redirect)."""
        request = failure.request  # type: ignore[attr-defined]
        source = request.meta["source"]
        url = request.meta.get("requested_url", request.url)
        if failure.check(HttpError):
            response = failure.value.response
            self._count(PAGES_FETCHED)
            yield self._error(source, url, "fetch", _http_message(response.status), response.status)
            return
        max_bytes = int(request.meta.get("download_maxsize") or self.settings.getint("DOWNLOAD_MAXSIZE"))
        stage, message = _failure_message(failure, request.url, max_bytes=max_bytes)
        logger.info("request failed url=%s stage=%s error=%s", url, stage, message)
        yield self._error(source, url, stage, message)

    # --- helpers -------------------------------------------------------------------------------------------

    def _error(
        self, source: str, url: str, stage: str, message: str, http_status: int | None = None
    ) -> CrawlErrorItem:
        return CrawlErrorItem(
            record=error_record(
                source=source, url=url, stage=stage, message=message, http_status=http_status, at=self.clock()
            )
        )

    def _first_request_for(self, url: str) -> bool:
        try:
            key = canonicalize_url(url)
        except InvalidURLError:
            return True  # let the request fail and be recorded with its own message
        if key in self.requested_articles:
            return False
        self.requested_articles.add(key)
        return True

    def _count(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key)

    @staticmethod
    def _content_type(response: Response) -> str:
        raw = response.headers.get(b"Content-Type") or b""
        return raw.decode("latin-1") or "no content type"

    @staticmethod
    def _offsite_message(url: str, source: JobSource) -> str:
        return (
            f"{host_of(url)} is not among the allowed domains of source {source.name} "
            f"({', '.join(source.allowed_domains)}); not fetched. Add the domain to the source to crawl it"
        )


def _http_message(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "unknown status"
    return f"HTTP {status} {phrase}"


def _failure_message(failure: Failure, url: str, *, max_bytes: int = 0) -> tuple[str, str]:
    """(stage, message) for a request that got no usable response (`max_bytes`: the download size limit)."""
    value = failure.value
    if failure.check(IgnoreRequest):
        text = str(value)
        if "robots.txt" in text:
            return (
                "robots",
                f"forbidden by the robots.txt of {host_of(url)}; the site asks crawlers to keep out",
            )
        if "offsite" in text.lower():
            return "offsite", f"{text}: not among the source's allowed domains; not fetched"
        return "fetch", f"request dropped: {text or type(value).__name__}"
    if failure.check(DownloadTimeoutError):
        return "fetch", f"timeout: {value}"
    if failure.check(CannotResolveHostError):
        return "fetch", f"DNS lookup failed for {host_of(url)}: {value}"
    if failure.check(DownloadConnectionRefusedError):
        return "fetch", f"connection refused by {host_of(url)}"
    if failure.check(DownloadCancelledError) and not str(value).strip() and max_bytes:
        # A response without Content-Length (chunked) that outgrows the limit is cancelled with no message.
        return "fetch", (
            f"response larger than the size limit of {max_bytes} bytes (max_page_bytes; no Content-Length "
            f"announced it): a file, not an article; not downloaded"
        )
    return "fetch", f"{type(value).__name__}: {str(value).strip() or 'no reason given'}"
