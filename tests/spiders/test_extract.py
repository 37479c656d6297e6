"""extract_article on fixture pages, each with its expected output in `<name>.expected.json` beside it.

When extraction changes on purpose, edit the expected JSON by hand and read the diff.
"""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from spiders.errors import ExtractionError
from spiders.extract import EXTRACTOR_VERSION, detect_language, extract_article
from tests.spiders.conftest import PAGES

FIXTURE_PAGES = ["jsonld", "opengraph", "plain-ru", "cp1251", "boilerplate"]


@pytest.mark.parametrize("name", FIXTURE_PAGES)
def test_fixture_page_matches_expected_json(name: str) -> None:
    spec = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    article = extract_article((PAGES / f"{name}.html").read_bytes(), spec["url"])
    result = dataclasses.asdict(article)
    assert result["extractor"].pop("version") == EXTRACTOR_VERSION
    assert result == spec["expected"]


def test_json_ld_wins_over_opengraph() -> None:
    article = extract_article((PAGES / "jsonld.html").read_bytes(), "https://steppe-signal.example/news/1/")
    # og:title and article:published_time differ on purpose in the fixture
    assert article.title == "Kazakhtelecom and Huawei agree to build a Tier III data centre in Astana"
    assert article.published_at == "2026-11-17T10:30:00+05:00"
    assert article.extractor["title"] == article.extractor["date"] == "json-ld"


def test_text_keeps_paragraphs_apart_and_drops_the_headline() -> None:
    article = extract_article((PAGES / "jsonld.html").read_bytes(), "https://steppe-signal.example/news/1/")
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("Kazakhtelecom and the Chinese equipment maker Huawei signed")
    assert all("\n" not in p for p in paragraphs)
    assert "Steppe Signal" not in article.text  # logo, nav and footer


def test_canonical_link_on_another_site_is_ignored() -> None:
    url = "https://tienshan-times.example/tech/2026/11/regulator-mirrors/?utm_medium=social#comments"
    article = extract_article((PAGES / "boilerplate.html").read_bytes(), url)
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
    article = extract_article(
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
    article = extract_article(
        (PAGES / "plain-ru.html").read_bytes(), "https://naryn-news.example/ru/news/beeline/"
    )
    assert article.published_at == "2026-11-17"  # "17 ноября 2026, 10:30": the offset is unknown, so a date
    assert article.extractor["date"] == "dateparser"


def test_windows_1251_page_is_decoded_from_its_meta_charset() -> None:
    raw = (PAGES / "cp1251.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    article = extract_article(raw, "https://dushanbe-daily.example/society/registry/")
    assert article.title == "Госкомсвязи предупредил о блокировке сайтов без регистрации"
    assert "Государственный комитет связи Таджикистана" in article.text


def test_windows_1251_page_without_any_declaration_is_detected() -> None:
    raw = re.sub(rb"<meta http-equiv[^>]+>", b"", (PAGES / "cp1251.html").read_bytes())
    assert b"charset" not in raw
    article = extract_article(raw, "https://dushanbe-daily.example/society/registry/")
    assert "Государственный комитет связи Таджикистана" in article.text


def test_declared_header_charset_wins_over_a_wrong_meta() -> None:
    raw = (PAGES / "cp1251.html").read_bytes().replace(b"charset=windows-1251", b"charset=utf-8")
    article = extract_article(raw, "https://dushanbe-daily.example/x/", declared_encoding="windows-1251")
    assert "Государственный комитет связи Таджикистана" in article.text


def test_page_without_an_article_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError, match=r"no article body at https://steppe-signal\.example/telecom/"):
        extract_article((PAGES / "no-article.html").read_bytes(), "https://steppe-signal.example/telecom/")


def test_empty_document_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError):
        extract_article(b"", "https://steppe-signal.example/empty/")


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
    article = extract_article(page, "https://example.kz/news/1/")
    assert (article.title, article.published_at) == ("H", "2026-11-02")
    assert article.extractor["title"] == "json-ld"


def test_broken_json_ld_falls_back_to_other_metadata() -> None:
    page = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
        '<meta property="og:title" content="From OpenGraph"></head>'
        f"<body><article><p>{BODY}</p></article></body></html>"
    )
    article = extract_article(page, "https://example.kz/news/1/")
    assert (article.title, article.extractor["title"]) == ("From OpenGraph", "opengraph")


def test_json_ld_article_body_is_used_when_the_markup_has_none() -> None:
    ld = {
        "@type": "NewsArticle",
        "headline": "H",
        "articleBody": f"{BODY}\n\nSecond paragraph of the story here.",
    }
    page = f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head><body><div id="app"></div></body></html>'
    article = extract_article(page, "https://example.kz/news/1/")
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
    article = extract_article(page, "https://example.kz/news/1/")
    assert article.text == BODY
