"""Listing pages: which links are articles, and where the next page is."""

from __future__ import annotations

import pytest

from spiders.htmlmeta import parse_html
from spiders.links import is_article_link, listing_links, next_page_url, page_number

SECTION = "https://steppe-signal.example/telecom/"
ALLOWED = ["steppe-signal.example"]


@pytest.mark.parametrize(
    "url",
    [
        "https://steppe-signal.example/news/2026/11/kazakhtelecom-huawei-data-centre-astana/",
        "https://steppe-signal.example/a/33123456.html",
        "https://www.steppe-signal.example/obschestvo/312345_kyrgyztelecom/",
        "https://steppe-signal.example/ru/news/2026/11/17/uztelecom-huawei-5g.html",
        "https://steppe-signal.example/2026/11/starlink-ban/",  # two words, dated path
        "https://steppe-signal.example/news/telecom/starlink-ban.html",  # two words, a document
    ],
)
def test_article_links(url: str) -> None:
    assert is_article_link(url, allowed_domains=ALLOWED, section_urls=[SECTION])


@pytest.mark.parametrize(
    "url",
    [
        "https://steppe-signal.example/",  # home page
        "https://steppe-signal.example/telecom/",  # the section itself
        "https://steppe-signal.example/internet/",  # another section
        "https://steppe-signal.example/telecom/page/2/",  # pagination
        "https://steppe-signal.example/telecom/?page=3",
        "https://steppe-signal.example/tag/huawei/",
        "https://steppe-signal.example/category/telecom-and-internet/",
        "https://steppe-signal.example/author/dana-serikbayeva/",
        "https://steppe-signal.example/news/2026/11/",  # a date archive
        "https://steppe-signal.example/files/annual-report-2025.pdf",
        "https://steppe-signal.example/static/site-main-bundle.css",
        "https://steppe-signal.example/contacts/",
        "https://steppe-signal.example/about.html",
        "https://steppe-signal.example/region/central-asia",  # two words, neither dated nor a document
        "https://steppe-signal.example/about-us-and-our-team/contact",
        "https://other-outlet.example/news/2026/11/kazakhtelecom-huawei-data-centre-astana/",  # offsite
        "mailto:desk@steppe-signal.example",
    ],
)
def test_non_article_links(url: str) -> None:
    assert not is_article_link(url, allowed_domains=ALLOWED, section_urls=[SECTION])


@pytest.mark.parametrize(
    ("url", "number"),
    [
        ("https://x.example/telecom/page/3/", 3),
        ("https://x.example/telecom/page-4", 4),
        ("https://x.example/telecom/?page=2", 2),
        ("https://x.example/news/?PAGEN_1=5", 5),
        ("https://x.example/telecom/", None),
        ("https://x.example/news/2026/11/page-turner-story/", None),
    ],
)
def test_page_number(url: str, number: int | None) -> None:
    assert page_number(url) == number


PAGE = "https://x.example/telecom/"


@pytest.mark.parametrize(
    ("pager", "expected"),
    [
        ('<link rel="next" href="/telecom/page/2/">', "https://x.example/telecom/page/2/"),
        (
            '<a href="/t?p=9">9</a> <a rel="nofollow next" href="/telecom/?page=2">2</a>',
            "https://x.example/telecom/?page=2",
        ),
        (
            '<a href="/telecom/">1</a> <a href="/telecom/list-b/">Next</a>',
            "https://x.example/telecom/list-b/",
        ),
        ('<a href="/telecom/list-b/">Следующая страница</a>', "https://x.example/telecom/list-b/"),
        ('<a href="/telecom/list-b/">Далее →</a>', "https://x.example/telecom/list-b/"),
        ('<a href="/telecom/list-b/">→</a>', "https://x.example/telecom/list-b/"),
        ('<a href="/telecom/list-b/">»</a>', "https://x.example/telecom/list-b/"),
        ('<a href="/telecom/list-b/">Older posts</a>', "https://x.example/telecom/list-b/"),
        (
            '<a href="/telecom/list-b/" aria-label="Next page"><svg></svg></a>',
            "https://x.example/telecom/list-b/",
        ),
        (
            '<a href="/telecom/?page=1">1</a> <a href="/telecom/?page=2">2</a> <a href="/telecom/?page=3">3</a>',
            "https://x.example/telecom/?page=2",
        ),
        ('<a href="/telecom/page/2/">2</a>', "https://x.example/telecom/page/2/"),
        ('<a href="/telecom/">« Previous</a> <a href="/telecom/news-of-the-day/">Read the story</a>', None),
    ],
)
def test_next_page_url(pager: str, expected: str | None) -> None:
    tree = parse_html(f"<html><head></head><body><main><p>Stories</p></main><div>{pager}</div></body></html>")
    assert next_page_url(tree, PAGE, page_no=1) == expected


def test_next_page_by_number_needs_the_following_number() -> None:
    tree = parse_html(
        '<html><body><a href="/telecom/?page=2">2</a><a href="/telecom/?page=4">4</a></body></html>'
    )
    assert (
        next_page_url(tree, "https://x.example/telecom/?page=3", page_no=3)
        == "https://x.example/telecom/?page=4"
    )
    assert next_page_url(tree, "https://x.example/telecom/?page=4", page_no=4) is None


def test_listing_links_are_absolute_unique_and_without_fragments() -> None:
    tree = parse_html(
        '<html><body><a href="/a-b-c/#top">1</a><a href="https://x.example/a-b-c/">2</a>'
        '<a href="javascript:void(0)">3</a><a href="mailto:a@x.example">4</a><a href="../d-e-f/">5</a>'
        '<a href="#comments">6</a><a>7</a></body></html>'
    )
    assert list(listing_links(tree, "https://x.example/telecom/")) == [
        "https://x.example/a-b-c/",
        "https://x.example/d-e-f/",
    ]
