"""Sitemaps for backfill: sitemap indexes, plain and gzipped sitemaps, Google News sitemaps, bounded by date.

`read_sitemap(url, since=...)` follows a sitemap index to its sitemaps (skipping those whose `<lastmod>` is older
than `since`), and returns the article URLs whose `<news:publication_date>` or `<lastmod>` is on or after
`since`; an entry without any date is kept (nothing says it is old). A sitemap that cannot be fetched or parsed
is recorded with its URL and the reason, and the others are still read.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from datetime import date, datetime

import httpx
from lxml import etree

__all__ = ["SitemapEntry", "SitemapResult", "read_sitemap"]

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed file
_NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


@dataclass(frozen=True)
class SitemapEntry:
    """An article URL and the date the sitemap gives it (publication date, else last modification)."""

    url: str
    published: date | None


@dataclass
class SitemapResult:
    """The URLs found, the sitemap files read, and one message per sitemap that failed."""

    entries: list[SitemapEntry] = field(default_factory=list)
    files_read: int = 0
    errors: list[str] = field(default_factory=list)


def read_sitemap(
    url: str,
    *,
    since: date | None,
    user_agent: str,
    proxy: str | None = None,
    timeout: float = 30,
    max_files: int = 200,
    transport: httpx.BaseTransport | None = None,
) -> SitemapResult:
    """Read the sitemap (or sitemap index) at `url`; see the module docstring."""
    result = SitemapResult()
    queue, seen = [url], set()
    headers = {"User-Agent": user_agent, "Accept": "application/xml, text/xml;q=0.9, */*;q=0.1"}
    with httpx.Client(
        follow_redirects=True, timeout=timeout, headers=headers, proxy=proxy, transport=transport
    ) as client:
        while queue and result.files_read < max_files:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.add(current)
            root = _fetch(client, current, result)
            if root is None:
                continue
            result.files_read += 1
            if etree.QName(root).localname == "sitemapindex":
                for child in root.findall("sm:sitemap", _NS):
                    loc, modified = _text(child, "sm:loc"), _date(_text(child, "sm:lastmod"))
                    if loc and (since is None or modified is None or modified >= since):
                        queue.append(loc)
            elif etree.QName(root).localname == "urlset":
                for item in root.findall("sm:url", _NS):
                    loc = _text(item, "sm:loc")
                    day = _date(_text(item, "news:news/news:publication_date")) or _date(
                        _text(item, "sm:lastmod")
                    )
                    if loc and (since is None or day is None or day >= since):
                        result.entries.append(SitemapEntry(loc, day))
            else:
                result.errors.append(
                    f"{current}: not a sitemap (root element <{etree.QName(root).localname}>)"
                )
    if queue:
        result.errors.append(f"stopped after {max_files} sitemap files; {len(queue)} more not read")
    return result


def _fetch(client: httpx.Client, url: str, result: SitemapResult) -> etree._Element | None:
    try:
        response = client.get(url)
    except httpx.HTTPError as exc:
        result.errors.append(f"{url}: {type(exc).__name__}: {exc}")
        return None
    if response.status_code != 200:
        result.errors.append(f"{url}: HTTP {response.status_code}")
        return None
    body = response.content
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as exc:
            result.errors.append(f"{url}: broken gzip ({exc})")
            return None
    if len(body) > MAX_SITEMAP_BYTES:
        result.errors.append(f"{url}: {len(body)} bytes, over the {MAX_SITEMAP_BYTES}-byte sitemap limit")
        return None
    try:
        return etree.fromstring(
            body, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        )
    except etree.XMLSyntaxError as exc:
        result.errors.append(f"{url}: not well-formed XML ({exc}; {len(body)} bytes, HTTP 200)")
        return None


def _text(node: etree._Element, path: str) -> str | None:
    found = node.find(path, _NS)
    return found.text.strip() if found is not None and found.text else None


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
