"""Downloader middlewares that close two gaps of the pinned Scrapy (2.19).

Robots: `RobotsTxtMiddleware.robot_parser` awaits one shared Deferred per host with `maybe_deferred_to_future`; under
the asyncio reactor that is `Deferred.asFuture`, whose callback swallows the result, so only the first request
waiting for a host's robots.txt gets the parser and every other request waiting at the same time gets None,
which Scrapy reads as "no robots.txt: allow all". A crawl's start requests all wait together, so pages the site
forbids were fetched. (The regression came with scrapy/scrapy PR #6802, which noted the path was untested.)

Offsite redirects: Scrapy drops them silently; `OffsiteRedirectMiddleware` turns them into crawl error records.

Proxy: `ProxyMiddleware` sends every request through the `STANWIRE_PROXY` setting when one is set.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from spiders.urls import in_allowed_domains


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every waiting request getting the host's parser."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        if parser is None:
            # The parser is stored before the shared Deferred fires; None stays None when robots.txt failed.
            stored = self._parsers.get(urlparse_cached(request).netloc)
            if not isinstance(stored, Deferred):
                return stored
        return parser


class OffsiteRedirectMiddleware:
    """Refuse a redirect that leaves the source's `allowed_domains` (request meta), before it is followed.

    Scrapy's OffsiteMiddleware drops such a redirect when it is scheduled, without calling the request's
    errback, so the page would vanish without a crawl error record. Raising here, before RedirectMiddleware
    sees the response, hands the failure to the errback, which records it with stage `offsite`.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        allowed = request.meta.get("allowed_domains")
        location = response.headers.get(b"Location")
        if allowed is None or location is None or response.status not in (301, 302, 303, 307, 308):
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        if not in_allowed_domains(target, allowed):
            raise IgnoreRequest(f"offsite redirect to {target}")
        # A loop would end in Scrapy's duplicate filter, silently; name it so the errback records it.
        seen = {request.url, *request.meta.get("redirect_urls", ())}
        if target in seen:
            raise IgnoreRequest(f"redirect loop: {request.url} redirects back to {target}")
        return response


class ProxyMiddleware:
    """Route every request (robots.txt included) through the proxy in the `STANWIRE_PROXY` setting."""

    def __init__(self, proxy: str | None) -> None:
        self.proxy = proxy or None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProxyMiddleware:
        return cls(crawler.settings.get("STANWIRE_PROXY"))

    def process_request(self, request: Request, spider: Any = None) -> None:
        if self.proxy and "proxy" not in request.meta:
            request.meta["proxy"] = self.proxy


class RetryAfterMiddleware:
    """Honour `Retry-After` on 429 and 503: the site's whole download slot waits that long between requests
    (up to `RETRY_AFTER_MAX` seconds) before Scrapy's RetryMiddleware sends the retry. Scrapy itself ignores the
    header; a polite crawler slows down when told to."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("RETRY_AFTER_MAX", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status not in (429, 503):
            return response
        seconds = retry_after_seconds(response.headers.get(b"Retry-After"), response.headers.get(b"Date"))
        if seconds is None:
            return response
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None:
            # The slot's pause varies by ±jitter; set it so that even the shortest pause lasts `seconds`.
            wanted = min(self.cap, seconds) / max(0.1, 1.0 - (slot.jitter or 0.0))
            slot.delay = max(slot.delay, wanted)
            self.crawler.stats.inc_value("stanwire/retry_after_honoured")
        return response


def retry_after_seconds(value: bytes | None, server_date: bytes | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable.

    An HTTP date is measured from the response's own `Date` header: both come from the server's clock, so
    the pause is what the server meant whatever our clock says. Without a readable `Date`, the pause is
    unknown and None is returned (Scrapy's own backoff applies).
    """
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    moment, sent = _http_date(text), _http_date(server_date.decode("latin-1")) if server_date else None
    if moment is None or sent is None:
        return None
    return max(0.0, (moment - sent).total_seconds())


def _http_date(text: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
