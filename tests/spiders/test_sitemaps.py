"""Sitemap backfill: indexes, gzip, Google News sitemaps, the date bound, and each bad sitemap recorded."""

from __future__ import annotations

import gzip
from datetime import date

import httpx

from spiders.sitemaps import read_sitemap

UA = "stanwire-test/0.1 (+tests)"
BASE = "http://sitemaps.test"
INDEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{BASE}/news.xml</loc><lastmod>2026-11-20</lastmod></sitemap>
  <sitemap><loc>{BASE}/2026-10.xml.gz</loc><lastmod>2026-10-31T23:00:00+05:00</lastmod></sitemap>
  <sitemap><loc>{BASE}/2025.xml</loc><lastmod>2025-12-31</lastmod></sitemap>
  <sitemap><loc>{BASE}/broken.xml</loc></sitemap>
  <sitemap><loc>{BASE}/missing.xml</loc></sitemap>
</sitemapindex>"""
NEWS = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>{BASE}/news/5g-deal</loc><lastmod>2026-11-21</lastmod>
    <news:news><news:publication_date>2026-11-19T10:00:00+06:00</news:publication_date><news:title>5G</news:title></news:news></url>
  <url><loc>{BASE}/news/undated</loc></url>
</urlset>"""
OCTOBER = f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{BASE}/news/oct-vpn</loc><lastmod>2026-10-15</lastmod></url>
  <url><loc>{BASE}/news/oct-old</loc><lastmod>2026-09-30</lastmod></url>
</urlset>"""
OLD = f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{BASE}/news/2025-story</loc><lastmod>2025-06-01</lastmod></url></urlset>"""


def handler(request: httpx.Request) -> httpx.Response:
    assert request.headers["user-agent"] == UA
    pages = {
        "/sitemap.xml": INDEX.encode(),
        "/news.xml": NEWS.encode(),
        "/2026-10.xml.gz": gzip.compress(OCTOBER.encode()),
        "/2025.xml": OLD.encode(),
        "/broken.xml": b"<urlset><url><loc>http://x</loc></ur",
        "/page.xml": b"<html><body>Not found</body></html>",
    }
    body = pages.get(request.url.path)
    return httpx.Response(200, content=body) if body is not None else httpx.Response(404)


def read(url: str, since: date | None):
    return read_sitemap(url, since=since, user_agent=UA, transport=httpx.MockTransport(handler))


def test_an_index_is_followed_and_articles_are_bounded_by_date() -> None:
    result = read(f"{BASE}/sitemap.xml", date(2026, 10, 1))
    urls = {e.url: e.published for e in result.entries}
    # The 2025 sitemap is skipped by its lastmod; inside the others, entries before 1 October are dropped.
    assert urls == {
        f"{BASE}/news/5g-deal": date(2026, 11, 19),  # the news publication date wins over lastmod
        f"{BASE}/news/undated": None,  # no date: nothing says it is old
        f"{BASE}/news/oct-vpn": date(2026, 10, 15),  # read from the gzipped sitemap
    }
    assert result.files_read == 3  # index, news, October; broken and missing failed


def test_each_bad_sitemap_is_recorded_and_the_others_still_read() -> None:
    errors = read(f"{BASE}/sitemap.xml", date(2026, 10, 1)).errors
    assert any(e.startswith(f"{BASE}/broken.xml: not well-formed XML") and "HTTP 200" in e for e in errors)
    assert f"{BASE}/missing.xml: HTTP 404" in errors
    assert len(errors) == 2


def test_without_a_bound_everything_is_read() -> None:
    result = read(f"{BASE}/sitemap.xml", None)
    assert f"{BASE}/news/2025-story" in {e.url for e in result.entries}
    assert len(result.entries) == 5


def test_a_page_that_is_not_a_sitemap_is_an_error() -> None:
    result = read(f"{BASE}/page.xml", None)
    assert result.entries == []
    assert result.errors == [f"{BASE}/page.xml: not a sitemap (root element <html>)"]
