"""Reading a section (listing) page: which links are articles, and which one is the next page.

courlan's filters reject what the web at large uses for navigation (`/tag/…`, `/category/…`, `/page/2`, login,
media files); a few path rules on top recognise the article URLs news sites use: a slug with several words
(`/kyrgyztelecom-4g-naryn/`) or a numeric id (`/a/33123456.html`, `/312345_slug/`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit

import lxml.html
from courlan.filters import extension_filter, is_navigation_page, is_not_crawlable, type_filter

from spiders.errors import InvalidURLError
from spiders.urls import canonicalize_url, in_allowed_domains

__all__ = ["is_article_link", "listing_links", "next_page_url", "page_number"]

# Path segments that name site structure rather than a story, in the languages of the region's outlets.
NON_ARTICLE_SEGMENTS = frozenset(
    {
        "tag", "tags", "category", "categories", "section", "sections", "topic", "topics", "theme", "themes",
        "author", "authors", "page", "search", "archive", "archives", "rubric", "rubrics", "rubrika", "rubriki",
        "feed", "rss", "about", "contact", "contacts", "login", "register", "subscribe", "privacy", "terms",
        "advertising", "static", "assets", "css", "js", "img", "images", "fonts", "cdn-cgi", "wp-json",
    }
)  # fmt: skip
NEXT_LINK_TEXTS = frozenset(
    {
        "next", "next page", "older", "older posts", "older entries", "older articles", "следующая",
        "следующая страница", "далее", "вперед", "вперёд", "дальше", "keyingi", "келесі", "кийинки",
    }
)  # fmt: skip
_ARROWS = "→»›>"
_PAGE_IN_PATH = re.compile(r"/page[/-](\d+)/?$", re.I)
_PAGE_PARAMS = re.compile(r"^(?:page|paged|pg|p|pagen_\d+)$", re.I)
_FILE_EXTENSION = re.compile(r"\.(?:s?html?|php|aspx?|jsp)$", re.I)
_DATED_PATH = re.compile(r"/(?:19|20)\d\d/(?:0?[1-9]|1[0-2])/|/(?:19|20)\d\d-?[01]\d-?[0-3]\d\b")


def page_number(url: str) -> int | None:
    """The listing page number a URL names (`?page=3`, `/page/3/`, Bitrix's `?PAGEN_1=3`), or None."""
    parts = urlsplit(url)
    match = _PAGE_IN_PATH.search(parts.path)
    if match:
        return int(match.group(1))
    for key, values in parse_qs(parts.query).items():
        if _PAGE_PARAMS.match(key) and values and values[0].isdigit():
            return int(values[0])
    return None


def is_article_link(url: str, *, allowed_domains: Iterable[str], section_urls: Iterable[str] = ()) -> bool:
    """True when `url` looks like an article of the source: same source, not navigation, not a file."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not in_allowed_domains(url, allowed_domains):
        return False
    if (
        page_number(url) is not None
        or is_navigation_page(url)
        or is_not_crawlable(url)
        or not type_filter(url, strict=True)
        or not extension_filter(parts.path)
    ):
        return False
    segments = [_FILE_EXTENSION.sub("", s) for s in parts.path.lower().split("/") if s]
    if not segments or NON_ARTICLE_SEGMENTS.intersection(segments):
        return False
    try:
        canonical = canonicalize_url(url)
        sections = [canonicalize_url(s) for s in section_urls]
    except InvalidURLError:
        return False
    # The section itself or one of its parents (the home page, /news/) is a listing, never an article.
    if any(section == canonical or section.startswith(canonical.rstrip("/") + "/") for section in sections):
        return False
    return _looks_like_story(parts.path)


def _looks_like_story(path: str) -> bool:
    last = [s for s in path.lower().split("/") if s][-1]
    stem = _FILE_EXTENSION.sub("", last)
    if stem.isdigit():
        return len(stem) >= 5  # a numeric id; 4 digits or fewer is a year, a month or a day
    words = [w for w in re.split(r"[-_.]+", stem) if w]
    if len(words) >= 3 or sum(ch.isdigit() for ch in stem) >= 4:
        return True
    # A two-word slug is a story when the path is dated or names a document (.html); otherwise it is as
    # likely a section ("/region/central-asia").
    return len(words) == 2 and (bool(_DATED_PATH.search(path)) or stem != last)


def listing_links(tree: lxml.html.HtmlElement, page_url: str) -> Iterator[str]:
    """Absolute http(s) URLs of the page's `<a href>` links, fragments removed, each once, in page order."""
    seen: set[str] = set()
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        url = urldefrag(urljoin(page_url, href)).url
        if url not in seen and urlsplit(url).scheme in ("http", "https"):
            seen.add(url)
            yield url


def next_page_url(tree: lxml.html.HtmlElement, page_url: str, page_no: int) -> str | None:
    """The URL of the listing page after `page_url` (page `page_no`), or None on the last page.

    Looks for `rel=next`, then a link reading Next/Следующая/Далее/Older/→/», then a link to page `page_no + 1`.
    """
    for element in tree.xpath("//link[@href] | //a[@href]"):
        rel = (element.get("rel") or "").lower().split()
        if "next" in rel:
            return _absolute(element.get("href"), page_url)
    for anchor in tree.xpath("//a[@href]"):
        label = " ".join(
            filter(None, [anchor.text_content(), anchor.get("aria-label"), anchor.get("title")])
        ).strip()
        if _reads_next(label):
            return _absolute(anchor.get("href"), page_url)
    for url in listing_links(tree, page_url):
        if page_number(url) == page_no + 1 and urlsplit(url).netloc == urlsplit(page_url).netloc:
            return url
    return None


def _reads_next(label: str) -> bool:
    text = re.sub(r"\s+", " ", label).strip().lower()
    if not text:
        return False
    if all(ch in _ARROWS or ch.isspace() for ch in text):
        return True
    words = text.strip(_ARROWS + " .:").strip()
    return words in NEXT_LINK_TEXTS


def _absolute(href: str, page_url: str) -> str:
    return urldefrag(urljoin(page_url, href.strip())).url
