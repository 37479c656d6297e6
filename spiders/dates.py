"""Dates as the record contract wants them: ISO 8601 with an offset, or a bare date when the offset is unknown."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

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


# How far a page's date may lie ahead of the moment it was fetched and still be its publication date. A date
# without a time is a calendar day somewhere: the furthest-ahead time zone (UTC+14) is in "tomorrow" for
# fourteen hours of every UTC day, and the region's outlets (UTC+5/+6) for five or six. A date with its offset
# is an instant: a server's clock may run a few minutes fast, no more. Anything later is a scheduled post, a
# typo or a misread date: not the publication date.
DAY_AHEAD = timedelta(hours=14)
INSTANT_AHEAD = timedelta(minutes=15)


def future_date_problem(iso: str, fetched_at: datetime) -> str | None:
    """Why `iso` (a contract date) cannot be the publication date of a page fetched at `fetched_at`, or None.

    `fetched_at` must be aware. Only dates after the fetch are judged here: a page cannot have been published
    after it was read.
    """
    if fetched_at.tzinfo is None:
        raise ValueError(f"fetched_at {fetched_at!r} has no time zone")
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        latest_day = (fetched_at.astimezone(UTC) + DAY_AHEAD).date()
        if moment.date() > latest_day:
            days = (moment.date() - fetched_at.astimezone(UTC).date()).days
            return f"{iso} is {days} days after the page was fetched ({fetched_at:%Y-%m-%d})"
        return None
    if moment > fetched_at + INSTANT_AHEAD:
        ahead = moment - fetched_at
        hours = ahead.total_seconds() / 3600
        span = f"{hours:.1f} hours" if hours < 48 else f"{ahead.days} days"
        return f"{iso} is {span} after the page was fetched ({fetched_at.isoformat(timespec='seconds')})"
    return None
