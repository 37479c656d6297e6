"""Canonical URLs are the articles' identity: the same story must always map to the same string."""

from __future__ import annotations

import hashlib

import pytest

from spiders.errors import InvalidURLError
from spiders.urls import (
    canonicalize_url,
    fetch_url,
    host_of,
    in_allowed_domains,
    registered_domain,
    same_site,
    url_key,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme and host lower-cased, default port dropped, fragment dropped
        (
            "HTTPS://WWW.Gazeta.UZ:443/ru/2026/11/17/uztelecom/#comments",
            "https://www.gazeta.uz/ru/2026/11/17/uztelecom",
        ),
        ("http://24.KG:80/obschestvo/312345_kyrgyztelecom/", "http://24.kg/obschestvo/312345_kyrgyztelecom"),
        # a non-default port is part of the address
        ("http://127.0.0.1:8123/news/a/", "http://127.0.0.1:8123/news/a"),
        # tracking parameters dropped, meaningful ones kept and sorted
        (
            "https://timesca.com/news/?utm_source=tg&utm_medium=social&utm_campaign=nov&id=77&fbclid=IwAR0",
            "https://timesca.com/news?id=77",
        ),
        (
            "https://akipress.com/news:812345/?gclid=Cj0&yclid=991&_ga=2.1.2&mc_cid=5f&mc_eid=a1&lang=en",
            "https://akipress.com/news:812345?lang=en",
        ),
        (
            "https://example.kz/list?page=2&category=telecom",
            "https://example.kz/list?category=telecom&page=2",
        ),
        # a bare host gets its root path; percent-encoding is normalised
        ("http://Example.com", "http://example.com/"),
        (
            "https://kaktus.media/doc/новости?q=связь",
            "https://kaktus.media/doc/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8?q=%D1%81%D0%B2%D1%8F%D0%B7%D1%8C",
        ),
        # mobile and AMP editions, and a trailing slash, are the plain page
        ("https://m.kaktus.media/doc/512345.html", "https://kaktus.media/doc/512345.html"),
        ("https://amp.gazeta.uz/ru/2026/11/17/uztelecom/", "https://gazeta.uz/ru/2026/11/17/uztelecom"),
        ("https://24.kg/amp/obschestvo/312345_x/", "https://24.kg/obschestvo/312345_x"),
        ("https://timesca.com/news/5g-deal/amp/?utm_source=tg", "https://timesca.com/news/5g-deal"),
        ("https://akipress.com/news:1/?amp=1&lang=ru", "https://akipress.com/news:1?lang=ru"),
        # a host that is only "m" plus a top-level domain is a site of its own
        ("https://m.kg/news/1", "https://m.kg/news/1"),
        # surrounding whitespace from a feed is not part of the URL
        (
            "  https://asiaplustj.info/ru/news/tajikistan/20261117/tcell  ",
            "https://asiaplustj.info/ru/news/tajikistan/20261117/tcell",
        ),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_canonicalize_url_is_idempotent() -> None:
    once = canonicalize_url("HTTPS://Www.Ozodlik.org:443/a/33123456.html?utm_source=x&b=2&a=1#top")
    assert canonicalize_url(once) == once == "https://www.ozodlik.org/a/33123456.html?a=1&b=2"


@pytest.mark.parametrize(
    "url", ["/news/1", "ftp://example.org/file", "mailto:desk@example.org", "javascript:void(0)", ""]
)
def test_canonicalize_url_rejects_what_cannot_be_crawled(url: str) -> None:
    with pytest.raises(InvalidURLError, match="not an absolute http"):
        canonicalize_url(url)


def test_url_key_is_sha1_prefix_of_the_url_as_given() -> None:
    url = "https://www.gazeta.uz/ru/2026/11/17/uztelecom"
    assert url_key(url) == hashlib.sha1(url.encode()).hexdigest()[:16]
    assert len(url_key(url)) == 16
    assert url_key(url) != url_key(url + "?utm_source=x")


def test_allowed_domains_follow_scrapy_rule() -> None:
    allowed = ["24.kg", "127.0.0.1:8000"]
    assert in_allowed_domains("https://24.kg/obschestvo/1/", allowed)
    assert in_allowed_domains("https://m.24.kg/obschestvo/1/", allowed)  # subdomain
    assert in_allowed_domains("http://127.0.0.1:9999/x", allowed)  # the port in the entry is not the point
    assert not in_allowed_domains("https://evil24.kg/obschestvo/1/", allowed)
    assert not in_allowed_domains("http://localhost:8000/x", allowed)
    assert not in_allowed_domains("/relative/path", allowed)


def test_same_site_compares_registered_domains() -> None:
    assert registered_domain("https://rus.azattyk.org/a/1.html") == "azattyk.org"
    assert registered_domain("https://news.bbc.co.uk/x") == "bbc.co.uk"
    assert registered_domain("http://127.0.0.1:8000/x") == "127.0.0.1"
    assert same_site("https://www.gazeta.uz/ru/a", "https://gazeta.uz/b")
    assert not same_site("https://cdn.elsewhere.example/a", "https://gazeta.uz/b")
    assert not same_site("http://localhost:1/a", "http://127.0.0.1:1/a")


@pytest.mark.parametrize(
    "url", ["http://[x/news/1", "http://example.org:x/news", "http://example.org:99999/"]
)
def test_a_url_python_cannot_even_split_is_an_invalid_url(url: str) -> None:
    # Found by tests/fuzz: these raised a bare ValueError (IPv6 bracket, port) past callers catching InvalidURLError.
    with pytest.raises(InvalidURLError, match="not an absolute http"):
        canonicalize_url(url)
    with pytest.raises(InvalidURLError):
        fetch_url(url)


def test_host_of_a_url_with_an_unclosed_ipv6_bracket_is_empty() -> None:
    assert host_of("http://[x/news/1") == ""


def test_canonical_urls_of_non_ascii_hosts_and_nested_amp_paths_are_idempotent() -> None:
    # Found by tests/fuzz: the default port stayed on an IDNA host, and only one AMP segment was dropped.
    assert canonicalize_url("http://¡:80/") == "http://xn--7a/" == canonicalize_url("http://xn--7a/")
    assert canonicalize_url("https://ёжик.рф:443/a") == "https://xn--f1aeg3g.xn--p1ai/a"
    assert canonicalize_url("http://example.org/amp/amp/0") == "http://example.org/0"
    assert canonicalize_url("http://example.org/0/amp/amp") == "http://example.org/0"


def test_a_url_whose_canonical_form_has_no_host_is_an_invalid_url() -> None:
    # Found by tests/fuzz: `http://\/` came out as `http:///`, a "canonical URL" without a host.
    with pytest.raises(InvalidURLError, match="not an absolute http"):
        canonicalize_url("http://\\/")
