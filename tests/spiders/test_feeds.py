"""poll_feed against the local fixture server: every kind of feed, and every way a feed can be broken."""

from __future__ import annotations

import dataclasses
import socket
import time
from datetime import UTC

import httpx
import pytest

from spiders.feeds import PollResult, poll_feed
from tests.spiders.conftest import FETCHED_AT, FIXTURES, LAST_MODIFIED, FixtureServer

UA = "stanwire-test/0.1 (+tests)"


def test_rss2(fixture_server: FixtureServer) -> None:
    result = poll_feed(
        "steppe-signal", fixture_server.url("/feeds/rss2.xml"), user_agent=UA, polled_at=FETCHED_AT
    )
    base = fixture_server.base
    assert result.error is None
    assert result.http_status == 200
    assert result.bytes == len(
        (FIXTURES / "feeds/rss2.xml").read_bytes().replace(b"http://stanwire.test", base.encode())
    )
    assert result.polled_at.tzinfo is UTC
    assert result.etag
    assert result.etag.startswith('"')
    assert result.last_modified == LAST_MODIFIED
    assert result.not_modified is False
    # 4 entries, one without a link: skipped and counted
    assert result.entries == 4
    assert result.skipped_entries == 1
    assert [item.url for item in result.items] == [
        f"{base}/news/2026/11/kazakhtelecom-huawei-data-centre-astana/",  # utm_* parameters dropped
        f"{base}/news/2026/11/uzbekistan-restricts-vpn-services/",  # relative link resolved against the feed
        "https://steppe-signal.example/news/2026/11/beeline-kyrgyzstan-rural-4g-towers/",
    ]
    assert result.items[0].canonical_url == f"{base}/news/2026/11/kazakhtelecom-huawei-data-centre-astana"
    first = result.items[0]
    assert first.title == "Kazakhtelecom and Huawei agree to build a Tier III data centre in Astana"
    assert first.published_at == "2026-11-17T05:30:00+00:00"  # 10:30 +0500, in UTC
    assert first.summary == (
        "The operator says the 18 MW facility will host e-government systems & cloud services. "
        "Construction starts in spring."
    )
    assert result.items[2].summary is None
    # the request announced who we are and what we accept
    sent = fixture_server.requests[-1].headers
    assert sent["user-agent"] == UA
    assert "application/rss+xml" in sent["accept"]


def test_poll_result_serialises_to_the_contract(fixture_server: FixtureServer) -> None:
    record = dataclasses.asdict(
        poll_feed("steppe-signal", fixture_server.url("/feeds/rss2.xml"), user_agent=UA, polled_at=FETCHED_AT)
    )
    assert set(record) == {
        "source", "feed_url", "polled_at", "http_status", "bytes", "entries", "error", "etag",
        "last_modified", "not_modified", "declared_interval", "conditional", "items", "note",
    }  # fmt: skip
    assert set(record["items"][0]) == {"url", "canonical_url", "title", "published_at", "summary"}


def test_atom(fixture_server: FixtureServer) -> None:
    result = poll_feed(
        "silk-wire", fixture_server.url("/feeds/atom.xml"), user_agent=UA, polled_at=FETCHED_AT
    )
    assert result.error is None
    assert result.entries == 2
    assert [(i.url, i.published_at) for i in result.items] == [
        (f"{fixture_server.base}/news/2026/11/tajikistan-zte-fibre-backbone/", "2026-11-18T02:15:00+00:00"),
        (
            f"{fixture_server.base}/news/2026/11/turkmenistan-starlink-terminals-seized/",
            "2026-11-17T16:20:00+00:00",
        ),
    ]
    assert result.items[0].summary == "The 740-kilometre line is to link Khorog with the Chinese border."


def test_rss1(fixture_server: FixtureServer) -> None:
    result = poll_feed(
        "pamir-bulletin", fixture_server.url("/feeds/rss1.rdf"), user_agent=UA, polled_at=FETCHED_AT
    )
    assert result.error is None
    assert [(i.title, i.published_at) for i in result.items] == [
        ("Antimonopoly service reviews Tcell mobile data tariffs", "2026-11-12T06:00:00+00:00"),
        ("Dushanbe starts public Wi-Fi pilot in three parks", "2026-11-10T04:30:00+00:00"),
    ]


def test_windows_1251_feed_with_russian_dates(fixture_server: FixtureServer) -> None:
    result = poll_feed(
        "naryn-news", fixture_server.url("/feeds/ru-cp1251.xml"), user_agent=UA, polled_at=FETCHED_AT
    )
    assert result.error is None
    assert [i.title for i in result.items] == [
        "«Кыргызтелеком» расширит сеть LTE в Нарынской области",
        "Госкомсвязи предупредил о блокировке сайтов без регистрации",
    ]
    assert result.items[0].url == f"{fixture_server.base}/ru/news/2026/11/kyrgyztelecom-lte-naryn/"
    assert result.items[0].summary == "Оператор установит 46 базовых станций до конца первого квартала."
    # feedparser cannot read Russian month names; dateparser can, and keeps the offset when there is one
    assert result.items[0].published_at == "2026-11-17T10:30:00+06:00"
    assert result.items[1].published_at == "2026-12-03"


def test_not_modified_with_etag(fixture_server: FixtureServer) -> None:
    url = fixture_server.url("/feeds/rss2.xml")
    first = poll_feed("steppe-signal", url, user_agent=UA, polled_at=FETCHED_AT)
    second = poll_feed(
        "steppe-signal",
        url,
        etag=first.etag,
        last_modified=first.last_modified,
        user_agent=UA,
        polled_at=FETCHED_AT,
    )
    assert second.http_status == 304
    assert second.not_modified is True
    assert second.error is None
    assert second.items == []
    assert second.entries == 0
    assert second.etag == first.etag
    assert second.last_modified == first.last_modified  # kept for the next poll
    sent = fixture_server.requests[-1].headers
    assert sent["if-none-match"] == first.etag
    assert sent["if-modified-since"] == LAST_MODIFIED


def test_http_404(fixture_server: FixtureServer) -> None:
    result = poll_feed(
        "steppe-signal",
        fixture_server.url("/feeds/gone.xml"),
        etag='"old"',
        user_agent=UA,
        polled_at=FETCHED_AT,
    )
    assert result.error == "HTTP 404 Not Found"
    assert result.http_status == 404
    assert result.items == []
    assert result.etag == '"old"'  # a failed poll does not reset the stored validators


def test_html_page_instead_of_feed(fixture_server: FixtureServer) -> None:
    size = (FIXTURES / "feeds/moved.xml").stat().st_size
    result = poll_feed(
        "steppe-signal", fixture_server.url("/feeds/moved.xml"), user_agent=UA, polled_at=FETCHED_AT
    )
    assert result.http_status == 200
    assert result.error == f"answered with an HTML page, not a feed (text/html, {size} bytes)"
    assert result.items == []


def test_empty_channel(fixture_server: FixtureServer) -> None:
    result = poll_feed(
        "steppe-signal", fixture_server.url("/feeds/empty.xml"), user_agent=UA, polled_at=FETCHED_AT
    )
    # A well-formed feed with no items is a quiet outlet: a usable poll with a note, not a failure.
    assert result.error is None
    assert result.note == "feed lists no entries"
    assert (result.http_status, result.entries, result.items) == (200, 0, [])


def test_empty_body(fixture_server: FixtureServer) -> None:
    result = poll_feed(
        "steppe-signal", fixture_server.url("/feeds/empty-body.xml"), user_agent=UA, polled_at=FETCHED_AT
    )
    assert result.http_status == 200
    assert result.bytes == 0
    assert result.error is not None
    assert result.error.startswith("empty response body")


def test_malformed_xml_with_entries_keeps_them(fixture_server: FixtureServer) -> None:
    result = poll_feed(
        "caspian-review", fixture_server.url("/feeds/bozo.xml"), user_agent=UA, polled_at=FETCHED_AT
    )
    assert result.error is None
    assert [i.url.rsplit("/", 2)[-2] for i in result.items] == [
        "kcell-tele2-tower-sharing",
        "regulator-fines-isps-blocking",
    ]


def test_malformed_xml_without_entries(fixture_server: FixtureServer) -> None:
    result = poll_feed(
        "steppe-signal", fixture_server.url("/feeds/broken.xml"), user_agent=UA, polled_at=FETCHED_AT
    )
    assert result.error is not None
    assert result.error.startswith("not a well-formed feed and no entries: ")
    assert "line" in result.error  # feedparser's own message, with where it stopped


def test_connection_refused() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = poll_feed(
        "steppe-signal", f"http://127.0.0.1:{port}/feed.xml", user_agent=UA, polled_at=FETCHED_AT, timeout=5
    )
    assert result.http_status is None
    assert result.error is not None
    assert result.error.startswith("connection error: ")


@pytest.mark.parametrize(
    ("exception", "message"),
    [
        (httpx.ReadTimeout("timed out"), "read timeout after 7s"),
        (httpx.ConnectTimeout("timed out"), "connect timeout after 7s"),
    ],
)
def test_timeouts_say_which(exception: Exception, message: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exception

    result = poll_feed(
        "steppe-signal",
        "http://feeds.invalid/rss",
        user_agent=UA,
        polled_at=FETCHED_AT,
        timeout=7,
        transport=httpx.MockTransport(handler),
    )
    assert result.error == message


def test_a_redirect_within_the_sources_domains_is_followed_and_links_resolve_against_the_final_url() -> None:
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title><link>story-one/</link></item></channel></rss>'

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/rss":
            return httpx.Response(301, headers={"Location": "https://new.example/feeds/main/"})
        return httpx.Response(200, content=feed, headers={"Content-Type": "application/rss+xml"})

    result = poll_feed(
        "x",
        "https://old.example/rss",
        user_agent=UA,
        polled_at=FETCHED_AT,
        transport=httpx.MockTransport(handler),
        allowed_domains=["old.example", "new.example"],
    )
    assert result.error is None
    assert [i.url for i in result.items] == ["https://new.example/feeds/main/story-one/"]


def test_rss_091_and_092_with_entities_and_html_in_descriptions(fixture_server: FixtureServer) -> None:
    old = poll_feed(
        "pamir-wire", fixture_server.url("/feeds/rss091.xml"), user_agent=UA, polled_at=FETCHED_AT
    )
    assert old.error is None
    [item] = old.items
    assert item.title == "Tcell restores mobile internet in Khorog & Rushan"  # &amp; decoded once
    assert item.published_at is None  # RSS 0.91 items have no date: the article page's own date will count
    newer = poll_feed(
        "aral-bulletin", fixture_server.url("/feeds/rss092.xml"), user_agent=UA, polled_at=FETCHED_AT
    )
    [item] = newer.items
    assert item.url == f"{fixture_server.base}/news/2026/11/kazakhtelecom-fibre-aralsk/"
    assert (
        item.summary == "The line reaches 14 villages."
    )  # markup in an escaped description is text, not tags


def test_xml_base_and_relative_links_and_escaped_html_titles(fixture_server: FixtureServer) -> None:
    result = poll_feed(
        "ferghana-signal", fixture_server.url("/feeds/xmlbase.xml"), user_agent=UA, polled_at=FETCHED_AT
    )
    assert result.error is None
    base = fixture_server.base
    assert [i.url for i in result.items] == [
        f"{base}/uz/news/2026/11/ucell-uztelecom-towers/",  # entry xml:base on top of the feed's
        f"{base}/uz/news/2026/11/tariffs-unchanged/",
    ]
    # type="html": the escaped <sharing> is a tag of the title's HTML, so it goes; &amp;amp; is one "&".
    assert result.items[0].title == "Ucell & Uztelecom agree on tower in Fergana"
    assert result.items[1].published_at is None  # no date at all: kept, undated


def test_a_feed_in_koi8_r_declared_as_utf_8_is_still_read(fixture_server: FixtureServer) -> None:
    result = poll_feed(
        "dushanbe-vesti",
        fixture_server.url("/feeds/koi8-declared-utf8.xml"),
        user_agent=UA,
        polled_at=FETCHED_AT,
    )
    assert result.error is None
    [item] = result.items
    assert item.title == "Тарифы на мобильный интернет вырастут с февраля"
    assert item.published_at == "2026-01-12"  # a time without an offset is not an instant: the day is kept


def test_a_truncated_feed_keeps_the_entries_before_the_cut_or_says_what_happened(
    fixture_server: FixtureServer,
) -> None:
    result = poll_feed(
        "steppe-signal", fixture_server.url("/feeds/truncated.xml"), user_agent=UA, polled_at=FETCHED_AT
    )
    assert result.http_status == 200
    assert result.bytes > 0
    if result.items:
        assert result.error is None
        assert all(item.url.startswith(fixture_server.base) for item in result.items)
    else:
        assert result.error is not None
        assert result.error.startswith("not a well-formed feed and no entries: ")


@pytest.mark.realtime
@pytest.mark.parametrize("path", ["/dribble/feed.xml", "/dribble-headers/feed.xml"])
def test_a_feed_sent_a_byte_at_a_time_fails_at_the_timeout_for_the_whole_fetch(
    fixture_server: FixtureServer, path: str
) -> None:
    # Every byte arrives well within the read timeout, so only a deadline for the whole fetch can stop it.
    started = time.monotonic()
    result = poll_feed(
        "steppe-signal", fixture_server.url(path), user_agent=UA, polled_at=FETCHED_AT, timeout=2
    )
    took = time.monotonic() - started
    assert fixture_server.dribbling.is_set()
    assert result.error == "timed out after 2 s (total)"
    assert result.items == []
    assert took < 2 + 3


def test_a_redirect_to_the_cloud_metadata_address_is_refused_before_it_is_followed(
    fixture_server: FixtureServer,
) -> None:
    # The feed lives on 127.0.0.1, so loopback is the source's own kind of address; link-local is not.
    result = poll_feed(
        "steppe-signal", fixture_server.url("/go/feed-metadata"), user_agent=UA, polled_at=FETCHED_AT
    )
    assert result.http_status == 302
    assert result.error == (
        "redirect to http://169.254.169.254/latest/meta-data/ refused: link-local address"
    )
    assert result.items == []


def test_a_redirect_off_the_sources_domains_is_refused_unless_they_allow_it(
    fixture_server: FixtureServer,
) -> None:
    moved = fixture_server.url("/go/feed-offsite")
    refused = poll_feed("steppe-signal", moved, user_agent=UA, polled_at=FETCHED_AT)
    assert refused.error == (
        f"redirect to {fixture_server.offsite_base}/feeds/rss2.xml refused: outside the source's domains "
        "(127.0.0.1)"
    )
    assert "/feeds/rss2.xml" not in fixture_server.paths()  # refused before it was asked for
    allowed = poll_feed(
        "steppe-signal",
        moved,
        user_agent=UA,
        polled_at=FETCHED_AT,
        allowed_domains=["127.0.0.1", "localhost"],
    )
    assert allowed.error is None
    assert len(allowed.items) == 3
    renamed = poll_feed(
        "steppe-signal", fixture_server.url("/go/feed-renamed"), user_agent=UA, polled_at=FETCHED_AT
    )
    assert (renamed.error, len(renamed.items)) == (None, 3)  # on the same host: followed


@pytest.mark.parametrize(
    ("feed_url", "location", "message"),
    [
        ("https://feeds.example/rss", "http://10.0.0.7/admin", "private address"),
        ("https://feeds.example/rss", "http://localhost:8080/", "loopback address"),
        ("https://feeds.example/rss", "http://[::ffff:169.254.169.254]/", "link-local address"),
        ("https://feeds.example/rss", "http://2852039166/latest/", "link-local address"),  # 169.254.169.254
        ("https://feeds.example/rss", "file:///etc/passwd", "not an http(s) URL"),
        ("http://10.0.0.5/rss", "http://169.254.169.254/", "link-local address"),
    ],
)
def test_redirects_to_internal_addresses_are_refused(feed_url: str, location: str, message: str) -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(302, headers={"Location": location})

    result = poll_feed(
        "x", feed_url, user_agent=UA, polled_at=FETCHED_AT, transport=httpx.MockTransport(handler)
    )
    assert result.error is not None
    assert result.error.endswith(f"refused: {message}")
    assert asked == [feed_url]


def test_a_feed_on_a_private_address_may_redirect_within_it() -> None:
    feed = b'<rss version="2.0"><channel><title>t</title><item><link>/news/1</link></item></channel></rss>'

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/rss":
            return httpx.Response(301, headers={"Location": "http://10.0.0.6/feeds/main.xml"})
        return httpx.Response(200, content=feed)

    result = poll_feed(
        "x",
        "http://10.0.0.5/rss",
        user_agent=UA,
        polled_at=FETCHED_AT,
        transport=httpx.MockTransport(handler),
        allowed_domains=["10.0.0.5", "10.0.0.6"],
    )
    assert result.error is None
    assert [i.url for i in result.items] == ["http://10.0.0.6/news/1"]


def test_endless_redirects_stop_at_max_redirects(fixture_server: FixtureServer) -> None:
    result = poll_feed(
        "steppe-signal",
        fixture_server.url("/loop/feed.xml"),
        user_agent=UA,
        polled_at=FETCHED_AT,
        max_redirects=3,
    )
    assert result.error == "too many redirects (more than 3)"
    assert sum(1 for p in fixture_server.paths() if p.startswith("/loop/")) == 4


def test_relative_links_resolve_against_content_location_then_xml_base() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>a</title><link>story-one/</link></item>
    <item xml:base="../sport/"><title>b</title><link>story-two/</link></item>
    </channel></rss>"""

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/rss+xml", "Content-Location": "/ru/news/feed.xml"}
        return httpx.Response(200, content=feed, headers=headers)

    result = poll_feed(
        "x",
        "https://feeds.example/rss",
        user_agent=UA,
        polled_at=FETCHED_AT,
        transport=httpx.MockTransport(handler),
    )
    assert result.error is None
    assert [i.url for i in result.items] == [
        "https://feeds.example/ru/news/story-one/",  # against Content-Location, not the feed URL
        "https://feeds.example/ru/sport/story-two/",  # the entry's xml:base, itself against Content-Location
    ]


FEED_ONE = b'<rss version="2.0"><channel><title>t</title><item><link>https://feeds.example/news/1</link></item></channel></rss>'


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(503, text="maintenance"),
        httpx.Response(429, headers={"Retry-After": "0"}),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("connection refused"),
    ],
    ids=["503", "429", "read-timeout", "connect-error"],
)
def test_a_transient_failure_is_retried_and_only_the_final_outcome_counts(
    failure: httpx.Response | Exception,
) -> None:
    asked: list[str] = []
    pauses: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if len(asked) < 3:
            if isinstance(failure, Exception):
                raise failure
            return failure
        return httpx.Response(200, content=FEED_ONE, headers={"Content-Type": "application/rss+xml"})

    result = poll_feed(
        "x",
        "https://feeds.example/rss",
        user_agent=UA,
        polled_at=FETCHED_AT,
        transport=httpx.MockTransport(handler),
        retries=2,
        retry_delay=0.5,
        sleep=pauses.append,
    )
    assert (result.error, result.http_status, len(result.items)) == (None, 200, 1)
    assert len(asked) == 3
    assert pauses == [0.5, 1.0]


def test_a_feed_failing_every_attempt_says_how_often_it_was_asked() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out")

    result = poll_feed(
        "x",
        "https://feeds.example/rss",
        user_agent=UA,
        polled_at=FETCHED_AT,
        timeout=7,
        transport=httpx.MockTransport(handler),
        retries=2,
        sleep=lambda seconds: None,
    )
    assert result.error == "read timeout after 7s (3 attempts)"


@pytest.mark.parametrize(
    ("status", "content", "headers", "message"),
    [
        (404, b"", {}, "HTTP 404 Not Found"),
        (
            200,
            b"<!doctype html><html><body>hi</body></html>",
            {"Content-Type": "text/html"},
            "answered with an HTML",
        ),
        (
            200,
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</ti',
            {"Content-Type": "application/rss+xml"},
            "not a well-formed feed",
        ),
        (302, b"", {"Location": "http://169.254.169.254/"}, "redirect to http://169.254.169.254/ refused"),
    ],
    ids=["404", "html", "broken-xml", "refused-redirect"],
)
def test_a_permanent_failure_is_not_retried(
    status: int, content: bytes, headers: dict[str, str], message: str
) -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(status, content=content, headers=headers)

    result = poll_feed(
        "x",
        "https://feeds.example/rss",
        user_agent=UA,
        polled_at=FETCHED_AT,
        transport=httpx.MockTransport(handler),
        retries=2,
        sleep=lambda seconds: None,
    )
    assert result.error is not None
    assert result.error.startswith(message)
    assert len(asked) == 1


def _serve(body: bytes, status: int = 200, **headers: str) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, content=body, headers=headers))


def test_what_the_fuzzer_found_is_a_failed_poll_or_ignored_never_an_exception() -> None:
    # Found by tests/fuzz: each of these raised out of poll_feed (ValueError) and failed the source's whole poll.
    def poll(transport: httpx.MockTransport) -> PollResult:
        return poll_feed(
            "x", "http://feeds.example/rss", user_agent=UA, polled_at=FETCHED_AT, transport=transport
        )

    item = b"<item><title>a</title><link>http://feeds.example/news/1</link></item>"
    superscript_ttl = poll(
        _serve(b'<rss version="2.0"><channel><ttl>\xc2\xb2</ttl>' + item + b"</channel></rss>")
    )
    assert superscript_ttl.error is None
    assert superscript_ttl.declared_interval is None  # "²" is a digit to str.isdigit, not a number of minutes
    bad_base = poll(
        _serve(
            b'<rss version="2.0"><channel><item><link>/news/2</link></item></channel></rss>',
            **{"content-location": "http://[x"},
        )
    )
    assert [i.url for i in bad_base.items] == [
        "http://feeds.example/news/2"
    ]  # resolved against the feed's URL
    bad_redirect = poll(_serve(b"", 302, location="http://[x/feed"))
    assert bad_redirect.error == "redirect to http://[x/feed refused: not an http(s) URL"
    bad_links = poll(
        _serve(
            b'<rss version="2.0"><channel><item><link>http://feeds.example:x/1</link></item>'
            b"<item><link>http://feeds.example/3</link></item></channel></rss>"
        )
    )
    assert [i.url for i in bad_links.items] == ["http://feeds.example/3"]
    assert bad_links.skipped_entries == 1
