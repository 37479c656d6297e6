"""Date expressions resolved against the publication date, as precise as the text."""

from __future__ import annotations

from datetime import date

import pytest

from nlp.dates import resolve_date

THURSDAY = date(2026, 3, 12)


@pytest.mark.parametrize(
    ("text", "language", "prefer", "expected"),
    [
        ("Monday", "en", "past", "2026-03-09"),
        ("Thursday", "en", "past", "2026-03-12"),
        ("Monday", "en", "future", "2026-03-16"),
        ("June", "en", "past", "2025-06"),
        ("June", "en", "future", "2026-06"),
        ("12 November", "en", "past", "2025-11-12"),
        ("November 12, 2027", "en", "past", "2027-11-12"),
        ("2025", "en", "past", "2025"),
        ("last year", "en", "past", "2025"),
        ("next month", "en", "future", "2026-04"),
        ("в понедельник", "ru", "past", "2026-03-09"),
        ("в июне", "ru", "future", "2026-06"),
        ("в июне 2027 года", "ru", "future", "2027-06"),
        ("12 ноября", "ru", "past", "2025-11-12"),
        ("вчера", "ru", "past", "2026-03-11"),
        ("в 2025 году", "ru", "past", "2025"),
        ("в прошлом году", "ru", "past", "2025"),
        ("в следующем году", "ru", "future", "2027"),
        ("12.03.2025", "en", "past", "2025-03-12"),  # day before month, as the region writes it
        ("2025-11-05", "en", "past", "2025-11-05"),
        ("2025-11", "en", "past", "2025-11"),
    ],
)
def test_resolves_against_the_publication_date(text: str, language: str, prefer: str, expected: str) -> None:
    assert resolve_date(text, THURSDAY, language, prefer) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "five years",
        "2026-2030",
        "2025-26",
        "every month",
        "last week",
        "три года подряд",
        "34",  # an age the tagger took for a date
        "the 1990s",
        "в 2010-х",
    ],
)
def test_durations_ranges_and_vague_periods_are_not_dates(text: str) -> None:
    assert resolve_date(text, THURSDAY, "ru" if text[0] > "z" else "en") is None


def test_without_a_publication_date_only_dated_expressions_resolve() -> None:
    assert resolve_date("Monday", None) is None
    assert resolve_date("June 2025", None) == "2025-06"
    assert resolve_date("12 March 2031", None) == "2031-03-12"  # years ahead of any clock: the text says so
    assert resolve_date("17 ноября 2026 года", None, "ru") == "2026-11-17"
    assert resolve_date("in December 2019", None) == "2019-12"
