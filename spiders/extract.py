"""Extract an article (title, body, date, authors, language, canonical URL) from one HTML page.

Order of evidence, most trusted first: JSON-LD (NewsArticle and kin), then OpenGraph and meta tags, then
trafilatura for the body, htmldate for a date in markup or URL, and last dateparser on a date printed in the
page ("17 ноября 2026, 10:30"). `extractor` in the result names the method that gave each field.
"""

from __future__ import annotations

import copy
import functools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import htmldate
import lxml.etree
import lxml.html
import trafilatura
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from spiders.dates import future_date_problem, parse_date_text
from spiders.errors import ExtractionError, InvalidURLError
from spiders.htmlmeta import (
    DATE_META_NAMES,
    clean_text,
    declared_canonical,
    decode_html,
    html_language,
    json_ld_article,
    meta_authors,
    meta_tags,
    parse_html,
)
from spiders.urls import canonicalize_url, same_site

logger = logging.getLogger(__name__)

__all__ = ["EXTRACTOR_VERSION", "LANGUAGES", "MIN_BODY_CHARS", "ExtractedArticle", "extract_article"]

EXTRACTOR_VERSION = (
    f"stanwire-extract/3 trafilatura/{trafilatura.__version__} htmldate/{htmldate.__version__}"
)
LANGUAGES = ("en", "ru", "kk", "ky", "tg", "uz")
# Below this the page is a listing, a stub or a page that needs JavaScript, not an article worth analysing.
MIN_BODY_CHARS = 200

# Blocks that sit inside article markup but are not the article. trafilatura drops most of them by itself;
# these catch the rest (a "Читайте также" paragraph between two real ones). The length guard keeps a long
# wrapper whose class merely mentions "share" or "related" (WordPress adds tag-* / category-* classes).
_BOILERPLATE_CLASS_WORDS = (
    "cookie", "consent", "gdpr", "newsletter", "subscribe", "subscription", "read-also", "readalso",
    "read-more", "readmore", "see-also", "also-read", "related", "recommended", "more-news", "share",
    "social", "promo", "advert", "sponsor", "popular", "most-read", "breadcrumb", "paywall", "banner",
)  # fmt: skip
_BOILERPLATE_STARTS = (
    "читайте также", "читайте еще", "читайте ещё", "смотрите также", "см. также", "по теме:", "подписывайтесь",
    "подпишитесь", "read also", "read more", "see also", "also read", "related:", "subscribe to",
    "sign up for", "shuningdek o'qing", "shuningdek oʻqing", "мы используем файлы cookie", "we use cookies",
)  # fmt: skip
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
_LOWER = "abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюя"


def _lower(expr: str) -> str:
    return f"translate({expr}, '{_UPPER}', '{_LOWER}')"


def _literal(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


def _prune_xpath() -> list[str]:
    keep = "not(self::html or self::body or self::main or self::article)"
    short = "string-length(normalize-space(.)) < 600"
    by_class = " or ".join(
        f"contains({_lower(attr)}, {_literal(word)})"
        for attr in ("@class", "@id")
        for word in _BOILERPLATE_CLASS_WORDS
    )
    blocks = (
        "self::p or self::div or self::li or self::aside or self::section or self::h2 or self::h3 or self::h4"
    )
    by_text = " or ".join(
        f"starts-with({_lower('normalize-space(.)')}, {_literal(start)})" for start in _BOILERPLATE_STARTS
    )
    # Predicates apply in order, cheapest first: `by_text` lowers the block's text once per phrase, so a test of
    # its first letter (any phrase's, either case) comes before it and leaves it few blocks to look at.
    firsts = {start[0] for start in _BOILERPLATE_STARTS}
    firsts |= {_UPPER[_LOWER.index(c)] for c in firsts if c in _LOWER}
    first = f"contains({_literal(''.join(sorted(firsts)))}, substring(normalize-space(.), 1, 1))"
    return [f"//*[@class or @id][{keep}][{by_class}][{short}]", f"//*[{blocks}][{short}][{first}][{by_text}]"]


PRUNE_XPATH = _prune_xpath()
_DATE_IN_TEXT = re.compile(
    r"\b\d{1,2}\s+(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
    r"|january|february|march|april|may|june|july|august|september|october|november|december)\s+\d{4}"
    r"(?:\s*г\.?)?(?:[,\s]+(?:в\s+)?\d{1,2}:\d{2})?"
    r"|\b\d{1,2}\.\d{1,2}\.\d{4}(?:[,\s]+\d{1,2}:\d{2})?",
    re.I,
)
_DATE_CLASS = re.compile(r"date|time|publish|posted|dateline", re.I)


@dataclass
class ExtractedArticle:
    """What a page says about its article; `extractor` has the keys of the raw record's `extractor` field."""

    title: str | None
    text: str
    published_at: str | None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    canonical_url: str = ""
    extractor: dict[str, str | None] = field(default_factory=dict)


def extract_article(
    html: bytes | str,
    url: str,
    *,
    fetched_at: datetime,
    declared_encoding: str | None = None,
    language_hint: str | None = None,
) -> ExtractedArticle:
    """Extract the article of the page at `url` (its final URL, after redirects), fetched at `fetched_at`.

    `fetched_at` (aware) bounds the publication date: a date after it is not taken (see `spiders.dates`).
    `declared_encoding` is the charset of the HTTP Content-Type header, `language_hint` the source's language.
    Raises `ExtractionError` when the page has no article body of at least `MIN_BODY_CHARS` characters.
    """
    text = decode_html(html, declared_encoding)
    try:
        tree = parse_html(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractionError(
            f"page at {url} is not parseable HTML ({exc}); check what the server returned"
        ) from exc
    ld = json_ld_article(tree, url)
    tags = meta_tags(tree)
    body_text, body_src, doc = _body(tree, url, ld.body if ld else None, fetched_at)

    title, title_src = _title(ld, tags, doc)
    first, _, rest = body_text.partition("\n\n")
    if title and first == title:
        body_text = rest  # a headline repeated as a heading inside the article markup
    if len(body_text) < MIN_BODY_CHARS:
        raise ExtractionError(
            f"no article body at {url}: {len(body_text)} characters of text after removing boilerplate "
            f"(need {MIN_BODY_CHARS}); probably a listing, index or error page, or one that needs JavaScript"
        )
    published_at, date_src, date_note = _published(ld, tags, tree, url, fetched_at)
    authors = (ld.authors if ld else []) or meta_authors(tags) or _split_authors(doc.author if doc else None)
    return ExtractedArticle(
        title=title,
        text=body_text,
        published_at=published_at,
        authors=authors,
        language=detect_language(
            f"{title or ''}\n{body_text}", html_lang=html_language(tree), hint=language_hint
        ),
        canonical_url=_canonical(tree, url),
        extractor={
            "version": EXTRACTOR_VERSION,
            "title": title_src,
            "date": date_src,
            "body": body_src,
            **({"date_note": date_note} if date_note else {}),
        },
    )


def _extract(
    tree: lxml.html.HtmlElement, url: str, fetched_at: datetime, *, precision: bool
) -> tuple[str, Any]:
    # trafilatura edits the tree it is given; the metadata steps still need the original. Its own date search
    # (unused: `_published` decides) is bounded by the fetch, not by the machine's today.
    doc = trafilatura.bare_extraction(
        copy.deepcopy(tree),
        url=url,
        date_extraction_params={
            "original_date": True,
            "extensive_search": False,
            "max_date": (fetched_at + _HTMLDATE_ROOM).strftime("%Y-%m-%d"),
        },
        favor_precision=precision,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        with_metadata=True,
        prune_xpath=PRUNE_XPATH,
    )
    body = getattr(doc, "body", None)
    return "\n\n".join(_paragraphs(body) if body is not None else []), doc


# The precision pass keeping less than this share of what the balanced pass finds dropped real text (a live blog
# of many short updates, an old table layout), not boilerplate.
_PRECISION_LOSS = 0.4


def _body(
    tree: lxml.html.HtmlElement, url: str, ld_body: str | None, fetched_at: datetime
) -> tuple[str, str, Any]:
    body_text, doc = _extract(tree, url, fetched_at, precision=True)
    if len(body_text) < MIN_BODY_CHARS and ld_body and len(ld_body.strip()) >= MIN_BODY_CHARS:
        # An app shell whose text is only in JSON-LD: its articleBody keeps the paragraphs.
        ld_paragraphs = [clean_text(p) for p in re.split(r"\n\s*\n|\r?\n", ld_body)]
        return "\n\n".join(p for p in ld_paragraphs if p), "json-ld", doc
    balanced_text, balanced_doc = _extract(tree, url, fetched_at, precision=False)
    if len(body_text) < max(MIN_BODY_CHARS, _PRECISION_LOSS * len(balanced_text)):
        body_text, doc = balanced_text, balanced_doc
    return body_text, "trafilatura", doc


def _paragraphs(body: Any) -> list[str]:
    """One string per block of trafilatura's output tree (p, head, list, quote); list items on their own lines."""
    paragraphs: list[str] = []
    for position, block in enumerate(body):
        if position == 0 and block.tag == "head" and block.get("rend") == "h1":
            continue  # the headline: the record has it in `title`
        if block.tag == "list":
            lines = [clean_text("".join(item.itertext())) for item in block.iter("item")]
            text = "\n".join(line for line in lines if line)
        else:
            text = clean_text("".join(block.itertext())) or ""
        if text:
            paragraphs.append(text)
    return paragraphs


def _title(ld: Any, tags: dict[str, list[str]], doc: Any) -> tuple[str | None, str | None]:
    if ld and ld.headline:
        return ld.headline, "json-ld"
    if tags.get("og:title"):
        return tags["og:title"][0], "opengraph"
    if tags.get("twitter:title"):
        return tags["twitter:title"][0], "meta"
    title = clean_text(doc.title) if doc is not None else None
    return (title, "trafilatura") if title else (None, None)


def _published(
    ld: Any, tags: dict[str, list[str]], tree: lxml.html.HtmlElement, url: str, fetched_at: datetime
) -> tuple[str | None, str | None, str | None]:
    """The first date the page gives that can be its publication date, the method that found it, and why the
    dates before it were not taken (a date after the fetch is a scheduled post or a misread date; the next
    evidence is asked instead). Never the fetch date itself: no date is better than an invented one."""
    rejected: list[str] = []
    for iso, source in _date_candidates(ld, tags, tree, url, fetched_at):
        problem = future_date_problem(iso, fetched_at)
        if problem is None:
            return iso, source, "; ".join(rejected) or None
        rejected.append(f"{source} {problem}")
    return None, None, ("; ".join(rejected) + ": no publication date") if rejected else None


def _date_candidates(
    ld: Any, tags: dict[str, list[str]], tree: lxml.html.HtmlElement, url: str, fetched_at: datetime
) -> Iterator[tuple[str, str]]:
    if ld and (iso := parse_date_text(ld.date_published)):
        yield iso, "json-ld"
    for value in tags.get("article:published_time", []):
        if iso := parse_date_text(value):
            yield iso, "opengraph"
    for name in DATE_META_NAMES:
        for value in tags.get(name, []):
            if iso := parse_date_text(value):
                yield iso, "meta"
    # Markup and URL only: htmldate's extensive text search takes any date on the page (a "2026/11" in a
    # link becomes 1 November), while the visible dateline below is read with its day and month names.
    # htmldate's latest allowed date defaults to the machine's today, and a page whose only dates lie beyond
    # it gets a first-of-the-month guess instead; given a year's room it reports what the page says, and the
    # caller judges that against the fetch time.
    found = htmldate.find_date(
        copy.deepcopy(tree),
        extensive_search=False,
        original_date=True,
        url=url,
        outputformat="%Y-%m-%d",
        max_date=(fetched_at + _HTMLDATE_ROOM).strftime("%Y-%m-%d"),
    )
    if found:
        yield found, "htmldate"
    for iso in _visible_dates(tree):
        yield iso, "dateparser"


_HTMLDATE_ROOM = timedelta(days=366)


def _visible_dates(tree: lxml.html.HtmlElement) -> Iterator[str]:
    """Dates printed near the headline: a <time>, a date-classed element, then date-like text, in that order."""
    candidates: list[str] = []
    for element in tree.iter("time"):
        candidates += [element.get("datetime") or "", element.text_content()]
    for element in tree.iter(tag=lxml.etree.Element):
        marker = f"{element.get('class', '')} {element.get('id', '')} {element.get('itemprop', '')}"
        if _DATE_CLASS.search(marker):
            text = clean_text(element.text_content())
            if text and len(text) < 100:
                candidates.append(text)
    headline = next(iter(tree.iter("h1")), None)
    scope = headline.getparent() if headline is not None and headline.getparent() is not None else tree
    candidates += [m.group(0) for m in _DATE_IN_TEXT.finditer(scope.text_content()[:5000])]
    for candidate in candidates:
        match = _DATE_IN_TEXT.search(candidate)
        if iso := parse_date_text(candidate) or (parse_date_text(match.group(0)) if match else None):
            yield iso


def _split_authors(value: str | None) -> list[str]:
    return [name for part in (value or "").split(";") if (name := clean_text(part))]


def _canonical(tree: lxml.html.HtmlElement, page_url: str) -> str:
    for candidate in declared_canonical(tree, page_url):
        if same_site(candidate, page_url):
            try:
                return canonicalize_url(candidate)
            except InvalidURLError:
                continue
    return canonicalize_url(page_url)


@functools.cache
def _language_identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str, *, html_lang: str | None = None, hint: str | None = None) -> str | None:
    """ISO 639-1 code of `text` among `LANGUAGES`; the page's `<html lang>` (then `hint`) decides close calls."""
    hints = [h for h in (html_lang, hint) if h in LANGUAGES]
    sample = text[:3000].strip()
    if not sample:
        return hints[0] if hints else None
    language, confidence = _language_identifier().classify(sample)
    if language in hints or not hints:
        return str(language)
    # A Russian-language outlet often declares lang="ru" for pages quoting Kazakh or Kyrgyz: trust the text
    # when it is clear, the declaration when the text is ambiguous (short, mixed, full of names).
    return str(language) if confidence >= 0.9 else hints[0]
