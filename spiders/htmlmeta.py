"""Reading an HTML page's own statements about itself: charset, JSON-LD, OpenGraph and meta tags, canonical link.

Standard metadata comes before any guessing from the layout: an outlet that says `datePublished` in JSON-LD
means it, while a date found in running text may be any date the article mentions.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import charset_normalizer
import lxml.html
from w3lib.encoding import html_to_unicode

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "backgroundnewsarticle",
        "opinionnewsarticle",
        "blogposting",
        "liveblogposting",
        "report",
    }
)
# Meta names outlets use for the publication date, besides OpenGraph's `article:published_time`.
DATE_META_NAMES = (
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "dcterms.issued",
    "sailthru.date",
    "parsely-pub-date",
    "citation_publication_date",
)
AUTHOR_META_NAMES = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")
_SPACES = re.compile(r"\s+")


def decode_html(html: bytes | str, declared_encoding: str | None = None) -> str:
    """Decode page bytes: BOM, then the declared (HTTP header) charset, then `<meta charset>`, then detection.

    Detection tries strict UTF-8 first (most of the web) and then charset-normalizer, which recognises the
    windows-1251 and KOI8-R pages still common in the region.
    """
    if isinstance(html, str):
        return html
    if not html.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) and is_utf8_text(html):
        # Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the page declares: a single-byte Cyrillic page is
        # practically never valid UTF-8, while sites moved to UTF-8 often keep an old charset in the template.
        return html.decode("utf-8")
    content_type = f"text/html; charset={declared_encoding}" if declared_encoding else None
    _, text = html_to_unicode(content_type, html, default_encoding="utf-8", auto_detect_fun=_detect_encoding)
    if miscoded_cyrillic(text):
        # A wrong single-byte declaration (koi8-r for windows-1251 and back) turns Russian into mostly capitals.
        text = best_cyrillic_decoding(html) or text
    return text


CYRILLIC_CODECS = ("cp1251", "koi8_r")  # the two the region's older sites use


def is_utf8_text(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def capital_share(text: str) -> float:
    """Share of capitals among the Cyrillic letters of `text` (0 when there are fewer than 30 of them)."""
    letters = [c for c in text if "\u0400" <= c <= "\u04ff"]
    return sum(c.isupper() for c in letters) / len(letters) if len(letters) >= 30 else 0.0


def best_cyrillic_decoding(data: bytes) -> str | None:
    """`data` decoded with the Cyrillic codepage that gives readable Russian (fewest capitals); None when neither
    gives any Russian text to judge by."""
    candidates = [data.decode(codec, errors="replace") for codec in CYRILLIC_CODECS]
    if all(capital_share(text) == 0.0 for text in candidates):
        return None
    return min(candidates, key=capital_share)


def miscoded_cyrillic(text: str) -> bool:
    """Russian text is a few percent capitals; more than a third means the bytes were decoded with the wrong
    Cyrillic codepage."""
    return capital_share(text) > 0.35


def _detect_encoding(data: bytes) -> str | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(data).best()
        return best.encoding if best else None
    return "utf-8"


def parse_html(text: str) -> lxml.html.HtmlElement:
    """Parse decoded HTML into an lxml tree (the text is re-encoded so an XML declaration cannot upset lxml)."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    return lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)


def clean_text(value: Any) -> str | None:
    """Collapse whitespace in a metadata value; None for empty or non-text values."""
    if not isinstance(value, str):
        return None
    text = _SPACES.sub(" ", value).strip()
    return text or None


@dataclass
class JsonLdArticle:
    """The fields of the first article-typed JSON-LD object of a page."""

    headline: str | None = None
    date_published: str | None = None
    authors: list[str] = field(default_factory=list)
    body: str | None = None
    language: str | None = None


def json_ld_article(tree: lxml.html.HtmlElement, url: str) -> JsonLdArticle | None:
    """Return the first NewsArticle/Article/ReportageNewsArticle/BlogPosting object of the page's JSON-LD.

    Objects may sit at the top level, in a list or in an `@graph`, or as the `mainEntity` of a WebPage.
    """
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        raw = (script.text or "").strip()
        if raw.startswith("<!--"):
            raw = raw.removeprefix("<!--").removesuffix("-->").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except json.JSONDecodeError as exc:
            logger.info("invalid JSON-LD block ignored url=%s error=%s", url, exc)
            continue
        for node in _json_ld_nodes(data):
            if _types(node) & ARTICLE_TYPES:
                return JsonLdArticle(
                    headline=clean_text(node.get("headline")) or clean_text(node.get("name")),
                    date_published=clean_text(node.get("datePublished"))
                    or clean_text(node.get("dateCreated")),
                    authors=_people(node.get("author") or node.get("creator")),
                    body=node.get("articleBody") if isinstance(node.get("articleBody"), str) else None,
                    language=_language_value(node.get("inLanguage")),
                )
    return None


def _json_ld_nodes(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_nodes(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(data.get(key), dict | list):
                yield from _json_ld_nodes(data[key])


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


def _people(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = clean_text(item.get("name")) if isinstance(item, dict) else clean_text(item)
        if name and not name.startswith(("http://", "https://")) and name not in names:
            names.append(name)
    return names


def _language_value(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    return clean_text(value)


def meta_tags(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """Map each `<meta>` property/name/itemprop (lower-cased) to its non-empty contents, in page order."""
    tags: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        value = clean_text(meta.get("content"))
        if key and value:
            tags.setdefault(key.strip().lower(), []).append(value)
    return tags


def meta_authors(tags: dict[str, list[str]]) -> list[str]:
    """Author names from meta tags; `article:author` is often a profile URL, which is no name."""
    names: list[str] = []
    for key in AUTHOR_META_NAMES:
        for value in tags.get(key, []):
            if not value.startswith(("http://", "https://")) and value not in names:
                names.append(value)
    return names


def html_language(tree: lxml.html.HtmlElement) -> str | None:
    """The primary language subtag of `<html lang>` (`ru-RU` → `ru`, `uz-Latn` → `uz`), lower-cased."""
    value = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not value:
        tags = meta_tags(tree)
        declared = tags.get("content-language") or tags.get("og:locale") or []
        value = declared[0] if declared else None
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip())[0].lower()
    return primary or None


def declared_canonical(tree: lxml.html.HtmlElement, page_url: str) -> list[str]:
    """Absolute `rel=canonical` and `og:url` candidates of the page, in that order."""
    hrefs = [
        link.get("href").strip()
        for link in tree.xpath(
            '//link[@href][contains(concat(" ", translate(@rel, "CANONIL", "canonil"), " "), " canonical ")]'
        )
    ]
    candidates: list[str] = []
    for href in hrefs + meta_tags(tree).get("og:url", []):
        try:
            candidates.append(urljoin(page_url, href))
        except ValueError:  # not a URL at all (`http://[x`): no candidate
            continue
    return candidates
