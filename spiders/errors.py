"""Errors raised inside the ingestion stages.

`SpidersError` is the base; the crawl and the poller catch these at the boundary of one feed or one page, turn
them into a crawl error record or a `PollResult.error` and go on. Only `FetchError` with `retryable=True` is
worth retrying: the others will fail the same way next time until the page, the feed or the job changes.
"""

from __future__ import annotations


class SpidersError(Exception):
    """Base of every error the `spiders` package raises on purpose."""


class FetchError(SpidersError):
    """A network failure, a timeout, a 5xx or a 429: the page may answer if asked again later."""

    def __init__(self, message: str, *, url: str, http_status: int | None = None, retryable: bool = True):
        super().__init__(message)
        self.url = url
        self.http_status = http_status
        self.retryable = retryable


class FeedError(SpidersError):
    """The document at a feed URL is not a usable RSS/Atom feed (HTML page, empty, broken XML)."""


class ExtractionError(SpidersError):
    """No article title or body could be extracted from a page (a listing, a stub, a paywall, an error page)."""


class InvalidURLError(SpidersError, ValueError):
    """A URL that cannot be crawled: not absolute, not http(s), or without a host."""


class LandingError(SpidersError):
    """A landing record is incomplete or cannot be written; nothing was written for it."""


class CrawlJobError(SpidersError):
    """A crawl job file is unreadable or does not follow the crawl job contract (docs/architecture.md)."""


class CrawlError(SpidersError):
    """The crawl process did not finish (crashed, was killed, timed out or wrote no report)."""
