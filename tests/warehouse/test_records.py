"""Landing records turned into rows: identity, content hash, the two readings of published_at."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.warehouse.conftest import article_record
from warehouse.errors import LoadError
from warehouse.records import article_id, content_hash, parse_article, parse_published

URL = "https://silk-wire.test/news/20261117-uzbektelecom-fibre.html"


def test_identity_and_content_hash() -> None:
    assert article_id(URL) == hashlib.sha1(URL.encode()).hexdigest()[:16]
    assert content_hash("Uzbektelecom  lays\n\nfibre.\t") == content_hash("Uzbektelecom lays fibre.")
    assert content_hash("Uzbektelecom lays fibre.") == hashlib.sha256(b"Uzbektelecom lays fibre.").hexdigest()


SPACES = "".join(chr(c) for c in range(0x3100) if chr(c).isspace()) + "\u3000\ufeff"


@given(st.text(alphabet=st.sampled_from("abЖ " + SPACES), max_size=40))
def test_content_hash_of_stored_warehouses_is_unchanged(text: str) -> None:
    """The hash stored for every article so far collapsed `\\s+` runs with a regex; the same hash still."""
    old = re.sub(r"\s+", " ", text).strip()
    assert content_hash(text) == hashlib.sha256(old.encode("utf-8")).hexdigest()
    assert content_hash("Uzbektelecom lays fibre.") != content_hash("Uzbektelecom lays cable.")


@pytest.mark.parametrize(
    ("published_at", "instant", "day"),
    [
        ("2026-11-17T09:30:00+06:00", dt.datetime(2026, 11, 17, 3, 30, tzinfo=dt.UTC), dt.date(2026, 11, 17)),
        ("2026-11-17T01:00:00+05:00", dt.datetime(2026, 11, 16, 20, 0, tzinfo=dt.UTC), dt.date(2026, 11, 17)),
        ("2026-11-17T23:30:00Z", dt.datetime(2026, 11, 17, 23, 30, tzinfo=dt.UTC), dt.date(2026, 11, 17)),
        ("2026-11-17", None, dt.date(2026, 11, 17)),
        (
            "2026-11-17T09:30:00",
            None,
            dt.date(2026, 11, 17),
        ),  # no offset: the zone, so the instant, is unknown
        (None, None, None),
    ],
)
def test_published_at_gives_an_instant_and_the_outlets_date(
    published_at: str | None, instant: dt.datetime | None, day: dt.date | None
) -> None:
    assert parse_published(published_at) == (instant, day)


def test_fetched_at_without_offset_is_utc_as_the_contract_says() -> None:
    record = article_record(URL, fetched_at="2026-11-17T05:00:00", html_file="k.html.gz")
    row = parse_article(record, "articles/2026-11-17/k.json")
    assert row.fetched_at == dt.datetime(2026, 11, 17, 5, 0, tzinfo=dt.UTC)
    assert (
        row.html_file == "articles/2026-11-17/k.html.gz"
    )  # stored relative to the landing dir, like the JSON


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"html_file": "../../etc/passwd"}, "must be a file name beside the JSON"),
        ({"canonical_url": " "}, "canonical_url is empty"),
        ({"discovered_via": "rss"}, "discovered_via 'rss' is not one of feed, section, sitemap, url"),
        ({"title": 7}, "title must be a string or null, not integer '7'"),
        ({"fetched_at": "yesterday"}, "fetched_at 'yesterday' is not an ISO 8601 date-time"),
        ({"http_status": True}, "http_status must be an integer, not boolean 'True'"),
        ({"extractor": None}, "extractor must be an object, not null"),
    ],
)
def test_bad_fields_are_named(overrides: dict[str, object], message: str) -> None:
    record = article_record(URL, **{"html_file": "k.html.gz", **overrides})
    with pytest.raises(LoadError) as caught:
        parse_article(record, "articles/2026-11-17/k.json")
    assert message in str(caught.value)
