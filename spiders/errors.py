"""Errors raised inside the ingestion stages.

`SpidersError` is the base; the crawl and the poller catch these at the boundary of one feed or one page, turn
them into a crawl error record or a `PollResult.error` and go on. Every class says whether it is worth retrying
in its `transient` attribute (the classification `pipelines.errors` documents for the whole project): only a
`FetchError` (timeout, connection failure, 429, 5xx) and a crawl process killed by a signal are; the others will
fail the same way next time until the page, the feed or the job changes.
"""

from __future__ import annotations


class SpidersError(Exception):
    """Base of every error the `spiders` package raises on purpose."""

    transient: bool = False  # True: the same request may succeed if made again a little later


class FetchError(SpidersError):
    """A fetch that failed: transient for a network failure, a timeout, a 5xx or a 429 (the page may answer if
    asked again later); `retryable=False` for one that will fail the same way (a 404, a refused redirect)."""

    transient = True

    def __init__(self, message: str, *, url: str, http_status: int | None = None, retryable: bool = True):
        super().__init__(message)
        self.url = url
        self.http_status = http_status
        self.transient = retryable

    @property
    def retryable(self) -> bool:
        return self.transient


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
    """The crawl process did not finish (crashed, was killed, timed out or wrote no report).

    Transient only when the process was killed by a signal (out of memory, a restart): a crash is a bug and a
    crawl that ran out of time would run out of it again."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
