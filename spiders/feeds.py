"""Poll one RSS/Atom feed with a conditional GET and list its article links.

`poll_feed` never raises for a broken feed: a feed that moved, answers with a web page or serves broken XML is
a fact about the source, recorded in `PollResult.error`, and the poll of the next feed goes on.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx
from w3lib.html import remove_tags, remove_tags_with_content, replace_entities

from spiders.dates import iso_from_struct_time, parse_date_text
from spiders.errors import FetchError, InvalidURLError
from spiders.htmlmeta import best_cyrillic_decoding, is_utf8_text, miscoded_cyrillic
from spiders.urls import canonicalize_url, fetch_url, host_of, in_allowed_domains

logger = logging.getLogger(__name__)

__all__ = ["FeedItem", "PollResult", "poll_feed"]

# Beyond this a "feed" is a mistake (an archive dump, a video): stop reading rather than fill memory.
MAX_FEED_BYTES = 20 * 1024 * 1024

_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html\b|<head\b|<body\b)", re.I | re.S)
_BLOCK_END = re.compile(r"<(?:br|/p|/div|/li|/h[1-6]|/tr|/blockquote)\b[^>]*>", re.I)
_SPACES = re.compile(r"\s+")


@dataclass
class FeedItem:
    """One usable entry of a feed: an absolute http(s) article URL and what the feed says about it.

    `url` is the link to fetch (`spiders.urls.fetch_url`: tracking parameters and fragment dropped, host
    lower-cased); `canonical_url` is the article's identity, which the crawl queue is keyed by.
    """

    url: str
    title: str | None
    published_at: str | None
    summary: str | None
    canonical_url: str = ""


@dataclass
class PollResult:
    """The outcome of one poll (docs/architecture.md, "Feed poll"); `error` is None when the feed was usable.

    `entries` counts the entries in the document; `items` holds those with a usable link, so
    `skipped_entries` is how many were dropped for having none (or a duplicate one).
    """

    source: str
    feed_url: str
    polled_at: datetime
    http_status: int | None = None
    bytes: int = 0
    entries: int = 0
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    # How often the feed says it changes (<ttl>, sy:updatePeriod / sy:updateFrequency), in seconds.
    declared_interval: int | None = None
    conditional: bool = True
    items: list[FeedItem] = field(default_factory=list)
    # A fact about a usable feed worth keeping (a well-formed feed listing no entries); never an error.
    note: str | None = None

    @property
    def skipped_entries(self) -> int:
        return self.entries - len(self.items)


def poll_feed(
    source: str,
    feed_url: str,
    *,
    polled_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 20,
    user_agent: str,
    proxy: str | None = None,
    transport: httpx.BaseTransport | None = None,
    allowed_domains: Iterable[str] | None = None,
    max_redirects: int = 5,
    retries: int = 0,
    retry_delay: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> PollResult:
    """Fetch `feed_url` (conditional GET with the stored `etag`/`last_modified`) and parse its entries.

    `polled_at` is when the poll starts, as the caller's clock reads it. A 304 gives `not_modified=True` and no
    items. Any failure gives a PollResult whose `error` says what went
    wrong; the stored validators are handed back unchanged then, so a failed poll does not reset them.

    The whole fetch, redirects and body included, must finish within `timeout` seconds. Redirects are followed
    (at most `max_redirects`) only within `allowed_domains` (default: the feed URL's host) and never to a
    loopback, private or link-local address unless the feed itself lives at one of that kind.

    A transient failure (a timeout, a connection error, 408, 429, 5xx) is tried again up to `retries` times,
    `retry_delay` seconds after the first, twice that after the second…; the result is the last attempt's.
    A permanent one (404, a refused redirect, an HTML page, broken XML) is not.
    """
    result = PollResult(
        source=source,
        feed_url=feed_url,
        polled_at=polled_at,
        etag=etag,
        last_modified=last_modified,
    )
    result.conditional = bool(etag or last_modified)
    headers = {"User-Agent": user_agent, "Accept": _ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    domains = tuple(allowed_domains) if allowed_domains is not None else (host_of(feed_url),)
    for attempt in range(1, retries + 2):
        try:
            fetched = _fetch_checked(
                feed_url,
                headers=headers,
                timeout=timeout,
                proxy=proxy,
                transport=transport,
                allowed_domains=domains,
                max_redirects=max_redirects,
            )
            break
        except FetchError as exc:
            result.http_status = exc.http_status
            if not exc.transient or attempt > retries:
                result.error = str(exc) + (f" ({attempt} attempts)" if attempt > 1 else "")
                result.bytes = 0
                return result
            logger.info(
                "feed %s: %s; asking again (attempt %d of %d)", feed_url, exc, attempt + 1, retries + 1
            )
            sleep(retry_delay * 2 ** (attempt - 1))

    response, body = fetched.response, fetched.body
    result.http_status = response.status_code
    result.bytes = len(body)
    if response.status_code == 304:
        result.not_modified = True
        result.etag = response.headers.get("etag", etag)
        result.last_modified = response.headers.get("last-modified", last_modified)
        return result
    result.etag = response.headers.get("etag")
    result.last_modified = response.headers.get("last-modified")
    # Relative links resolve against the response's Content-Location, then xml:base (feedparser), then the URL.
    base = str(response.url)
    location = response.headers.get("content-location", "").strip()
    if location:
        base = _joined(base, location) or base  # a Content-Location that is no URL is not a base
    _parse_into(result, body, content_type=response.headers.get("content-type", ""), base=base)
    return result


_TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}


def _fetch_checked(
    url: str,
    *,
    headers: dict[str, str],
    timeout: float,
    proxy: str | None,
    transport: httpx.BaseTransport | None,
    allowed_domains: tuple[str, ...],
    max_redirects: int,
) -> _Fetched:
    """`_fetch`, with every failure (an error status included) as a `FetchError` saying whether it is transient."""
    try:
        fetched = _fetch(
            url,
            headers=headers,
            timeout=timeout,
            proxy=proxy,
            transport=transport,
            allowed_domains=allowed_domains,
            max_redirects=max_redirects,
        )
    except (_RedirectRefused, _BodyTooLarge) as exc:
        raise FetchError(str(exc), url=url, http_status=exc.http_status, retryable=False) from exc
    except _TooManyRedirects as exc:
        raise FetchError(
            f"too many redirects (more than {max_redirects})",
            url=url,
            http_status=exc.http_status,
            retryable=False,
        ) from exc
    except _TotalTimeout as exc:
        raise FetchError(f"timed out after {timeout:g} s (total)", url=url) from exc
    except httpx.TimeoutException as exc:
        raise FetchError(f"{_timeout_kind(exc)} after {timeout:g}s", url=url) from exc
    except httpx.ConnectError as exc:
        raise FetchError(f"connection error: {str(exc) or type(exc).__name__}", url=url) from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise FetchError(f"invalid feed URL {url!r}: {exc}", url=url, retryable=False) from exc
    except httpx.HTTPError as exc:
        # A connection dropped or garbled on the way (TransportError) may go better next time; anything else not.
        raise FetchError(
            f"{type(exc).__name__}: {exc}", url=url, retryable=isinstance(exc, httpx.TransportError)
        ) from exc
    status = fetched.response.status_code
    if status >= 300 and status != 304:
        raise FetchError(
            f"HTTP {status} {fetched.response.reason_phrase}".rstrip(),
            url=url,
            http_status=status,
            retryable=status in _TRANSIENT_STATUS,
        )
    return fetched


class _BodyTooLarge(Exception):
    def __init__(self, message: str, http_status: int) -> None:
        super().__init__(message)
        self.http_status = http_status


class _RedirectRefused(Exception):
    def __init__(self, message: str, http_status: int) -> None:
        super().__init__(message)
        self.http_status = http_status


class _TooManyRedirects(Exception):
    def __init__(self, http_status: int) -> None:
        super().__init__("too many redirects")
        self.http_status = http_status


class _TotalTimeout(Exception):
    """The whole fetch (connection, headers, body) did not finish within the poll's timeout."""


@dataclass
class _Fetched:
    response: httpx.Response
    body: bytes


class _Deadline:
    """The moment a fetch must be over by, and the connections to cut when it is."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.cancelled = threading.Event()
        self._streams: list[Any] = []

    def expired(self) -> bool:
        return self.cancelled.is_set() or time.monotonic() >= self.at

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's `trace` extension: keep each network stream as it is opened (TCP, then TLS)."""
        stream = info.get("return_value")
        if event.endswith(("connect_tcp.complete", "start_tls.complete")) and stream is not None:
            self._streams.append(stream)
            if self.cancelled.is_set():
                self.abort()

    def abort(self) -> None:
        """Cut the connections, so a read blocked on a server that has gone quiet returns at once."""
        self.cancelled.set()
        for stream in self._streams:
            try:
                sock = stream.get_extra_info("socket")
                if sock is not None:
                    sock.shutdown(socket.SHUT_RDWR)
            except (OSError, AttributeError, ValueError):
                pass  # already closed, or not a socket (a test transport)


def _fetch(
    url: str,
    *,
    headers: dict[str, str],
    timeout: float,
    proxy: str | None,
    transport: httpx.BaseTransport | None,
    allowed_domains: tuple[str, ...],
    max_redirects: int,
) -> _Fetched:
    """GET `url` and read its body, all of it within `timeout` seconds in total.

    httpx's timeouts bound each connect and each read, so a server sending a byte now and then keeps a
    request alive for ever. The request runs in a worker thread; when the deadline passes, the worker's
    connection is cut and `_TotalTimeout` is raised here, whatever the worker was waiting for.

    Redirects are followed here, not by httpx, so that each `Location` is checked before it is asked for.
    """
    deadline = _Deadline(timeout)
    outcome: list[_Fetched | BaseException] = []

    def work() -> None:
        try:
            with httpx.Client(
                follow_redirects=False, timeout=timeout, headers=headers, transport=transport, proxy=proxy
            ) as client:
                current = url
                for _ in range(max_redirects + 1):
                    with client.stream("GET", current, extensions={"trace": deadline.trace}) as response:
                        location = response.headers.get("location")
                        if response.status_code not in _REDIRECTS or location is None:
                            outcome.append(_Fetched(response, _read_capped(response, deadline)))
                            return
                        target = _joined(str(response.url), location.strip()) or location.strip()
                        refusal = redirect_refusal(target, url, allowed_domains)
                        if refusal:
                            raise _RedirectRefused(
                                f"redirect to {target} refused: {refusal}", response.status_code
                            )
                        current = target
                raise _TooManyRedirects(response.status_code)
        except BaseException as exc:  # handed to the caller's thread, which raises it
            outcome.append(exc)

    worker = threading.Thread(target=work, name=f"feed-fetch {url}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive() or deadline.cancelled.is_set():
        deadline.abort()
        raise _TotalTimeout
    if not outcome:
        raise _TotalTimeout
    if isinstance(outcome[0], BaseException):
        if deadline.expired() and isinstance(outcome[0], httpx.TransportError):
            raise _TotalTimeout from outcome[0]
        raise outcome[0]
    return outcome[0]


_REDIRECTS = (301, 302, 303, 307, 308)


def _joined(base: str, link: str) -> str | None:
    """`link` resolved against `base`, or None when it cannot be (`http://[x`: an unclosed IPv6 bracket)."""
    try:
        return urljoin(base, link)
    except ValueError:
        return None


def _is_http_url(url: str) -> bool:
    """An absolute http(s) URL with a host and a valid port (not `http://[x`, `http://host:x/`)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def redirect_refusal(target: str, feed_url: str, allowed_domains: Iterable[str]) -> str | None:
    """Why a feed may not be redirected to `target`, or None when it may.

    A loopback, private or link-local address (cloud metadata lives at 169.254.169.254) is refused unless the
    feed's own host is an address of the same kind; a host outside `allowed_domains` is refused.
    """
    if not _is_http_url(target):
        return "not an http(s) URL"
    parts = urlsplit(target)
    kind = address_kind(parts.hostname or "")
    if kind is not None and kind != address_kind(host_of(feed_url)):
        return f"{kind} address"
    allowed = tuple(allowed_domains)
    if not in_allowed_domains(target, allowed):
        return f"outside the source's domains ({', '.join(allowed)})"
    return None


_IPV4_LEGACY = re.compile(r"^(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+)){0,3}$", re.I)


def address_kind(host: str) -> str | None:
    """'loopback', 'link-local', 'private' or 'reserved' for a host that names such an address (an IP literal
    in any spelling the resolver accepts, or `localhost`); None for a public address or a host name."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        if not _IPV4_LEGACY.match(host):
            return None
        try:  # 2852039166, 0xa9fea9fe, 169.254.43518: what getaddrinfo would make of it
            ip = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if ip.is_unspecified or ip.is_reserved or ip.is_multicast:
        return "reserved"
    return None


def _read_capped(response: httpx.Response, deadline: _Deadline) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        if deadline.expired():
            raise _TotalTimeout
        size += len(chunk)
        if size > MAX_FEED_BYTES:
            raise _BodyTooLarge(
                f"response larger than {MAX_FEED_BYTES // (1024 * 1024)} MB: not a news feed",
                response.status_code,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _timeout_kind(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timeout"
    if isinstance(exc, httpx.ReadTimeout):
        return "read timeout"
    if isinstance(exc, httpx.WriteTimeout):
        return "write timeout"
    if isinstance(exc, httpx.PoolTimeout):
        return "connection pool timeout"
    return "timeout"


def _parse_into(result: PollResult, body: bytes, *, content_type: str, base: str) -> None:
    """Fill `entries`, `items` and `error` of `result` from the feed document `body`."""
    if not body.strip():
        result.error = "empty response body: the server answered 200 with no document"
        return
    # Bytes, not text: feedparser sniffs the encoding from the XML declaration, BOM and HTTP header itself;
    # a Cyrillic feed whose bytes contradict its declaration is re-encoded to UTF-8 first.
    body, content_type = _cyrillic_checked(body, content_type)
    response_headers = {"content-location": base}
    if content_type:
        response_headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=response_headers)
    entries = parsed.entries
    result.entries = len(entries)
    result.declared_interval = declared_interval(parsed.feed)
    if not entries:
        mime = content_type.split(";")[0].strip().lower()
        if mime in ("text/html", "application/xhtml+xml") or _HTML_START.match(body):
            result.error = (
                f"answered with an HTML page, not a feed ({mime or 'no content type'}, {len(body)} bytes)"
            )
        elif parsed.bozo:
            result.error = (
                f"not a well-formed feed and no entries: {_bozo_message(parsed.get('bozo_exception'))}"
            )
        elif not parsed.version:
            result.error = f"not an RSS or Atom document ({mime or 'no content type'}, {len(body)} bytes)"
        else:
            # A well-formed feed with nothing in it is a quiet outlet, not a broken feed.
            result.note = "feed lists no entries"
        return
    if parsed.bozo:
        # Broken markup around usable entries is common (a stray '&'); the entries are worth keeping.
        logger.info("feed %s is not well-formed but has entries: %s", base, parsed.get("bozo_exception"))
    seen: set[str] = set()
    for entry in entries:
        link = _entry_url(entry, base)
        if link is None:
            continue
        try:
            url, canonical = fetch_url(link), canonicalize_url(link)
        except (InvalidURLError, ValueError):
            continue
        if canonical in seen:  # the same article again (a tracking parameter, a fragment, an upper-case host)
            continue
        seen.add(canonical)
        result.items.append(
            FeedItem(
                url=url,
                title=_plain_text(entry.get("title")),
                published_at=_entry_date(entry),
                summary=_plain_text(entry.get("summary")),
                canonical_url=canonical,
            )
        )
    if result.skipped_entries:
        logger.info("feed %s: skipped %d entries without a usable link", base, result.skipped_entries)


def _bozo_message(exc: Any) -> str:
    if exc is None:
        return "unknown parse error"
    line = getattr(exc, "getLineNumber", None)
    where = f" (line {line()})" if callable(line) else ""
    return f"{exc}{where}"


def _entry_url(entry: Any, base: str) -> str | None:
    candidates = [entry.get("link")]
    candidates += [
        link.get("href") for link in entry.get("links", []) if link.get("rel") in (None, "alternate")
    ]
    if entry.get("guidislink"):
        candidates.append(entry.get("id"))
    for candidate in candidates:
        if not candidate or not candidate.strip():
            continue
        url = _joined(base, candidate.strip())
        if url is not None and _is_http_url(url):
            return url
    return None


def _entry_date(entry: Any) -> str | None:
    for key in ("published", "updated", "created"):
        parsed: time.struct_time | None = entry.get(f"{key}_parsed")
        if parsed:
            return iso_from_struct_time(parsed)
    # feedparser reads RFC 822 and ISO dates only; outlets also write "17 ноября 2026 10:30 +0600".
    for key in ("published", "updated", "created"):
        iso = parse_date_text(entry.get(key))
        if iso:
            return iso
    return None


def _plain_text(markup: str | None) -> str | None:
    if not markup:
        return None
    text = remove_tags_with_content(markup, which_ones=("script", "style"))
    text = remove_tags(_BLOCK_END.sub(" ", text))
    text = _SPACES.sub(" ", replace_entities(text)).strip()
    return text or None


_PERIOD_SECONDS = {"hourly": 3600, "daily": 86400, "weekly": 604800, "monthly": 2592000, "yearly": 31536000}


def declared_interval(feed: Any) -> int | None:
    """The interval a feed declares, in seconds: RSS `<ttl>` (minutes), or syndication module's
    `sy:updatePeriod` divided by `sy:updateFrequency`; None when it says nothing usable."""
    ttl = _positive_number(feed.get("ttl"))
    if ttl:
        return ttl * 60
    period = _PERIOD_SECONDS.get(str(feed.get("sy_updateperiod") or "").strip().lower())
    if period is None:
        return None
    return period // (_positive_number(feed.get("sy_updatefrequency")) or 1)


def _positive_number(value: Any) -> int | None:
    """A whole number above 0 written in ASCII digits ("²" is a digit to `str.isdigit`, not to `int`)."""
    text = str(value or "").strip()
    return int(text) or None if re.fullmatch(r"[0-9]{1,9}", text) else None


_XML_ENCODING = re.compile(rb"""(<\?xml[^>]*?encoding=)["'][^"']*["']""")
_CHARSET = re.compile(r"charset=([\w.:-]+)", re.IGNORECASE)


def _cyrillic_checked(body: bytes, content_type: str) -> tuple[bytes, str]:
    """Bytes that are not UTF-8 yet decode to readable Russian only in another Cyrillic codepage than the one
    declared (or in any, when UTF-8 is declared) are re-encoded to UTF-8 with a declaration saying so."""
    if body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or body.isascii() or is_utf8_text(body):
        return body, content_type
    prolog = _XML_ENCODING.search(body[:200])
    header = _CHARSET.search(content_type or "")
    declared = (
        header.group(1)
        if header
        else prolog.group(0).split(b"=")[-1].strip(b"\"'").decode("ascii", "replace")
        if prolog
        else ""
    )
    try:
        as_declared = (
            body.decode(declared)
            if declared and declared.lower().replace("_", "-") not in ("utf-8", "utf8")
            else None
        )
    except (LookupError, UnicodeDecodeError):
        as_declared = None
    if as_declared is not None and not miscoded_cyrillic(as_declared):
        return body, content_type  # the declaration is right
    text = best_cyrillic_decoding(body)
    if text is None:
        return body, content_type  # not Russian text: leave it to feedparser's own detection
    return _XML_ENCODING.sub(rb'\1"utf-8"', text.encode("utf-8"), count=1), "application/xml; charset=utf-8"
