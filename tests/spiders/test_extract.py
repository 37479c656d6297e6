"""extract_article on fixture pages, each with its expected output in `<name>.expected.json` beside it.

When extraction changes on purpose, edit the expected JSON by hand and read the diff.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from datetime import UTC, datetime

import pytest

from spiders.errors import ExtractionError
from spiders.extract import EXTRACTOR_VERSION, detect_language, extract_article
from tests.spiders.conftest import FETCHED_AT, PAGES

extract = functools.partial(extract_article, fetched_at=FETCHED_AT)

FIXTURE_PAGES = ["jsonld", "opengraph", "plain-ru", "cp1251", "boilerplate"]


@pytest.mark.parametrize("name", FIXTURE_PAGES)
def test_fixture_page_matches_expected_json(name: str) -> None:
    spec = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    article = extract((PAGES / f"{name}.html").read_bytes(), spec["url"])
    result = dataclasses.asdict(article)
    assert result["extractor"].pop("version") == EXTRACTOR_VERSION
    assert result == spec["expected"]


def test_json_ld_wins_over_opengraph() -> None:
    article = extract((PAGES / "jsonld.html").read_bytes(), "https://steppe-signal.example/news/1/")
    # og:title and article:published_time differ on purpose in the fixture
    assert article.title == "Kazakhtelecom and Huawei agree to build a Tier III data centre in Astana"
    assert article.published_at == "2026-11-17T10:30:00+05:00"
    assert article.extractor["title"] == article.extractor["date"] == "json-ld"


def test_text_keeps_paragraphs_apart_and_drops_the_headline() -> None:
    article = extract((PAGES / "jsonld.html").read_bytes(), "https://steppe-signal.example/news/1/")
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("Kazakhtelecom and the Chinese equipment maker Huawei signed")
    assert all("\n" not in p for p in paragraphs)
    assert "Steppe Signal" not in article.text  # logo, nav and footer


def test_canonical_link_on_another_site_is_ignored() -> None:
    url = "https://tienshan-times.example/tech/2026/11/regulator-mirrors/?utm_medium=social#comments"
    article = extract((PAGES / "boilerplate.html").read_bytes(), url)
    assert article.canonical_url == "https://tienshan-times.example/tech/2026/11/regulator-mirrors"


BOILERPLATE = [
    "cookie",
    "Accept all",
    "Subscribe",
    "Home",
    "Share on",
    "Read also",
    "Two VPN apps vanish",
    "Kazakhstan tests new internet filtering rules",
    "newsletter",
    "Sign up",
    "Most read",
    "Related stories",
    "Telegram channels face new registration rules",
    "Comments are closed",
    "All rights reserved",
    "Privacy policy",
    "Tags:",
]


def test_boilerplate_stays_out_of_the_text() -> None:
    article = extract(
        (PAGES / "boilerplate.html").read_bytes(),
        "https://tienshan-times.example/tech/2026/11/regulator-mirrors/",
    )
    leaked = [snippet for snippet in BOILERPLATE if snippet.lower() in article.text.lower()]
    assert leaked == []
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("The State Communications Agency of Kyrgyzstan has ordered")
    assert paragraphs[2].endswith("said one of the lawyers, Nurlan Osmonov.")
    assert paragraphs[3].startswith("Providers contacted on Thursday confirmed")


def test_visible_russian_date_when_the_page_has_no_metadata() -> None:
    article = extract((PAGES / "plain-ru.html").read_bytes(), "https://naryn-news.example/ru/news/beeline/")
    assert article.published_at == "2026-11-17"  # "17 ноября 2026, 10:30": the offset is unknown, so a date
    assert article.extractor["date"] == "dateparser"


def test_windows_1251_page_is_decoded_from_its_meta_charset() -> None:
    raw = (PAGES / "cp1251.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    article = extract(raw, "https://dushanbe-daily.example/society/registry/")
    assert article.title == "Госкомсвязи предупредил о блокировке сайтов без регистрации"
    assert "Государственный комитет связи Таджикистана" in article.text


def test_windows_1251_page_without_any_declaration_is_detected() -> None:
    raw = re.sub(rb"<meta http-equiv[^>]+>", b"", (PAGES / "cp1251.html").read_bytes())
    assert b"charset" not in raw
    article = extract(raw, "https://dushanbe-daily.example/society/registry/")
    assert "Государственный комитет связи Таджикистана" in article.text


def test_declared_header_charset_wins_over_a_wrong_meta() -> None:
    raw = (PAGES / "cp1251.html").read_bytes().replace(b"charset=windows-1251", b"charset=utf-8")
    article = extract(raw, "https://dushanbe-daily.example/x/", declared_encoding="windows-1251")
    assert "Государственный комитет связи Таджикистана" in article.text


def test_page_without_an_article_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError, match=r"no article body at https://steppe-signal\.example/telecom/"):
        extract((PAGES / "no-article.html").read_bytes(), "https://steppe-signal.example/telecom/")


def test_empty_document_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError):
        extract(b"", "https://steppe-signal.example/empty/")


BODY = " ".join(
    ["Kazakhtelecom said on Monday it had finished laying fibre to 300 villages in the Turkestan region."] * 4
)


@pytest.mark.parametrize(
    "json_ld",
    [
        # a top-level list with a breadcrumb first
        [
            {"@type": "BreadcrumbList"},
            {"@type": "ReportageNewsArticle", "headline": "H", "datePublished": "2026-11-02"},
        ],
        # a WebPage whose mainEntity is the article, with @type as a list
        {
            "@type": "WebPage",
            "mainEntity": {"@type": ["BlogPosting", "Thing"], "headline": "H", "datePublished": "2026-11-02"},
        },
        # a full schema.org type URL
        {"@type": "http://schema.org/NewsArticle", "headline": "H", "dateCreated": "2026-11-02"},
    ],
)
def test_json_ld_shapes(json_ld: object) -> None:
    page = (
        f'<html><head><script type="application/ld+json">{json.dumps(json_ld)}</script></head>'
        f"<body><article><h1>H</h1><p>{BODY}</p></article></body></html>"
    )
    article = extract(page, "https://example.kz/news/1/")
    assert (article.title, article.published_at) == ("H", "2026-11-02")
    assert article.extractor["title"] == "json-ld"


def test_broken_json_ld_falls_back_to_other_metadata() -> None:
    page = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
        '<meta property="og:title" content="From OpenGraph"></head>'
        f"<body><article><p>{BODY}</p></article></body></html>"
    )
    article = extract(page, "https://example.kz/news/1/")
    assert (article.title, article.extractor["title"]) == ("From OpenGraph", "opengraph")


def test_json_ld_article_body_is_used_when_the_markup_has_none() -> None:
    ld = {
        "@type": "NewsArticle",
        "headline": "H",
        "articleBody": f"{BODY}\n\nSecond paragraph of the story here.",
    }
    page = f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head><body><div id="app"></div></body></html>'
    article = extract(page, "https://example.kz/news/1/")
    assert article.extractor["body"] == "json-ld"
    assert article.text == f"{BODY}\n\nSecond paragraph of the story here."


@pytest.mark.parametrize(
    ("text", "html_lang", "expected"),
    [
        ("Kazakhtelecom and Huawei signed an agreement to build a data centre in Astana.", None, "en"),
        ("Государственный оператор объявил о запуске новых базовых станций в Нарынской области.", None, "ru"),
        (
            "Қазақтелеком компаниясы Астанада жаңа деректер орталығын салу туралы келісімге қол қойды.",
            None,
            "kk",
        ),
        (
            "Кыргызтелеком Нарын облусунда жаңы базалык станцияларды куруу боюнча келишимге кол койду.",
            None,
            "ky",
        ),
        ("Ширкати Тоҷиктелеком дар шаҳри Душанбе шабакаи нави 4G-ро ба истифода супорид.", None, "tg"),
        (
            "Uztelecom va Huawei kompaniyalari Toshkentda 5G tarmog'ini qurish bo'yicha shartnoma imzoladi.",
            None,
            "uz",
        ),
        # clear text wins over a template's lang attribute; an ambiguous snippet follows the page
        ("Kazakhtelecom and Huawei signed an agreement to build a data centre in Astana.", "ru", "en"),
        ("Huawei, ZTE, Beeline", "kk", "kk"),
        ("", "ky", "ky"),
        ("", None, None),
    ],
)
def test_detect_language(text: str, html_lang: str | None, expected: str | None) -> None:
    assert detect_language(text, html_lang=html_lang) == expected


def test_a_paragraph_starting_with_the_title_words_is_kept_whole() -> None:
    page = (
        '<html><head><meta property="og:title" content="Kazakhtelecom"></head>'
        f"<body><article><p>{BODY}</p></article></body></html>"
    )
    article = extract(page, "https://example.kz/news/1/")
    assert article.text == BODY


# --- dates after the fetch ------------------------------------------------------------------------------------


def dated_page(*, ld_date: str | None = None, visible: str | None = None, video: bool = False) -> str:
    ld: dict[str, object] = {"@type": "VideoObject" if video else "NewsArticle", "headline": "H"}
    if ld_date:
        ld["uploadDate" if video else "datePublished"] = ld_date
    dateline = f'<div class="news-date">{visible}</div>' if visible else ""
    return (
        f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head>'
        f"<body><article><h1>H</h1>{dateline}<p>{BODY}</p></article></body></html>"
    )


def test_a_date_months_after_the_fetch_is_not_a_publication_date() -> None:
    fetched = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    article = extract_article(
        dated_page(ld_date="2026-11-17T10:30:00+05:00"), "https://example.kz/news/1/", fetched_at=fetched
    )
    assert article.published_at is None
    assert article.extractor["date"] is None
    note = article.extractor["date_note"]
    assert "json-ld 2026-11-17T10:30:00+05:00 is 260 days after the page was fetched" in note
    assert note.endswith("no publication date")


def test_the_fetch_day_is_never_invented_when_every_date_is_ahead() -> None:
    # What a TV channel's page looks like: a VideoObject's uploadDate, the date in the URL and a visible
    # "09.12.2026 19:30", all a week after the fetch. htmldate alone answers the fetch day's month start.
    url = "https://tv.example.kz/en/news/2026/12/09/messenger/"
    fetched = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    page = dated_page(ld_date="2026-12-09T19:05:00+05:00", visible="09.12.2026 19:30", video=True)
    article = extract_article(page, url, fetched_at=fetched)
    assert article.published_at is None
    assert "2026-12-09 is 8 days after the page was fetched (2026-12-01)" in article.extractor["date_note"]
    # The same page fetched after its date gets its date.
    later = extract_article(page, url, fetched_at=datetime(2026, 12, 10, tzinfo=UTC))
    assert later.published_at is not None
    assert later.published_at.startswith("2026-12-09")


def test_tomorrow_in_the_outlets_time_zone_is_today_for_a_utc_clock() -> None:
    # 20:00 UTC is 02:00 the next day in Almaty (UTC+6): a page dated that day is not in the future.
    fetched = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    bare = extract_article(dated_page(visible="02.12.2026"), "https://example.kz/news/1/", fetched_at=fetched)
    assert bare.published_at == "2026-12-02"
    assert "date_note" not in bare.extractor
    instant = extract_article(
        dated_page(ld_date="2026-12-02T01:40:00+06:00"), "https://example.kz/news/1/", fetched_at=fetched
    )
    assert instant.published_at == "2026-12-02T01:40:00+06:00"
    # Two calendar days ahead is no time zone's today.
    ahead = extract_article(
        dated_page(visible="03.12.2026"), "https://example.kz/news/1/", fetched_at=fetched
    )
    assert ahead.published_at is None


def test_a_future_first_date_gives_way_to_the_next_evidence() -> None:
    # A scheduled-post timestamp in the metadata, the real dateline on the page.
    fetched = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    page = dated_page(ld_date="2027-01-05T09:00:00+05:00", visible="17 ноября 2026, 10:30")
    article = extract_article(page, "https://example.kz/news/1/", fetched_at=fetched)
    assert article.published_at == "2026-11-17"
    assert article.extractor["date"] == "dateparser"
    assert article.extractor["date_note"].startswith("json-ld 2027-01-05T09:00:00+05:00 is 45 days after")


def test_an_instant_a_few_minutes_ahead_is_clock_skew_not_the_future() -> None:
    fetched = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    skewed = extract_article(
        dated_page(ld_date="2026-11-20T14:10:00+05:00"), "https://example.kz/news/1/", fetched_at=fetched
    )
    assert skewed.published_at == "2026-11-20T14:10:00+05:00"  # 10 minutes ahead of the fetch
    hours = extract_article(
        dated_page(ld_date="2026-11-20T17:00:00+05:00"), "https://example.kz/news/1/", fetched_at=fetched
    )
    # Three hours ahead is no clock skew: the instant is not taken; the day, read again by htmldate, is today's.
    assert hours.published_at == "2026-11-20"
    assert hours.extractor["date"] == "htmldate"
    assert "3.0 hours after the page was fetched" in hours.extractor["date_note"]


def test_fetched_at_must_be_aware() -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        extract_article(
            dated_page(ld_date="2026-11-02"), "https://example.kz/news/1/", fetched_at=datetime(2026, 12, 1)
        )


def test_a_canonical_link_that_is_no_url_is_ignored() -> None:
    # Found by tests/fuzz: `<link rel=canonical href="http://[x">` raised ValueError out of extract_article.
    body = "<p>" + "Kazakhtelecom signed a memorandum with Huawei on 5G in Astana. " * 5 + "</p>"
    html = (
        '<html><head><title>Memorandum</title><link rel="canonical" href="http://[x">'
        '<meta property="og:url" content="http://[y"></head>'
        f"<body><article><h1>Memorandum</h1>{body}</article></body></html>"
    )
    article = extract(html.encode(), "https://news.example/a/1")
    assert article.canonical_url == "https://news.example/a/1"
