"""Dates as the record contract wants them: ISO 8601 with an offset, or a bare date when the offset is unknown."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timezone

import dateparser

# The languages of the region's outlets that dateparser knows (it has no Tajik locale).
DATE_LANGUAGES = ["ru", "en", "kk", "ky", "uz"]

# Absolute dates only: a relative "вчера"/"2 hours ago" would be resolved against the crawl's clock, which is
# not the article's date; and a month without a day ("ноябрь 2026") is not a publication date.
_DATEPARSER_SETTINGS = {
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "DATE_ORDER": "DMY",
}


def iso_from_datetime(moment: datetime) -> str:
    """ISO 8601 with offset for an aware datetime; the date alone for a naive one (its offset is unknown)."""
    offset = moment.utcoffset()
    if offset is None:
        return moment.date().isoformat()
    return moment.replace(tzinfo=timezone(offset) if offset else UTC).isoformat()


def iso_from_struct_time(value: time.struct_time) -> str:
    """ISO 8601 for feedparser's `*_parsed` values, which are UTC."""
    return datetime(*value[:6], tzinfo=UTC).isoformat()


def parse_date_text(text: str | None, languages: list[str] | None = None) -> str | None:
    """Parse a date written by a machine or a person (`2026-11-17T09:30:00+06:00`, `17 ноября 2026, 10:30`).

    Returns the contract's ISO form, or None when the text holds no absolute date with day, month and year.
    """
    if not text or not text.strip():
        return None
    value = text.strip()
    try:
        return iso_from_datetime(datetime.fromisoformat(value))
    except ValueError:
        pass
    parsed = dateparser.parse(value, languages=languages or DATE_LANGUAGES, settings=_DATEPARSER_SETTINGS)
    return iso_from_datetime(parsed) if parsed else None
