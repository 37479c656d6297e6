"""Resolve date expressions ("on Monday", "in June", "12 ноября") against an article's publication date.

The result is as precise as the text: `2026-03-10`, `2026-06` or `2026`. Relative expressions need the
publication date; without it only expressions that carry their own year are resolved.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal

from dateparser.date import DateDataParser

Prefer = Literal["past", "future"]

_RU_MONTHS = {
    "январ": "январь",
    "феврал": "февраль",
    "март": "март",
    "апрел": "апрель",
    "ма": "май",
    "июн": "июнь",
    "июл": "июль",
    "август": "август",
    "сентябр": "сентябрь",
    "октябр": "октябрь",
    "ноябр": "ноябрь",
    "декабр": "декабрь",
}
# "в июне" / "в июне 2026 года": dateparser reads the nominative month ("июнь 2026"), not the prepositional case.
_RU_MONTH_PREPOSITIONAL = re.compile(
    r"\b(январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)е\b", re.IGNORECASE
)
_RU_NOISE = re.compile(r"^(в|во|на|к|с)\s+|\s*(года|году|год|г\.)\s*$", re.IGNORECASE)
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
# Durations and ranges are not the date of an act ("for five years", "2026-2030", "2025-26", "every month");
# ISO dates are dates ("2026-03-05", "2026-03").
_NOT_A_DATE = re.compile(
    r"\b(years|months|weeks|days|decades|annually|annual|every|each|per|hours|minutes|"
    r"лет|подряд|месяцев|недель|дней|ежегодно|каждый)\b|\d{4}\s*[-–]\s*(?:\d{4}|1[3-9]|[2-9]\d)\b(?!\s*[-–]\d)",
    re.IGNORECASE,
)
_AGO = re.compile(r"\b(ago|назад)\b", re.IGNORECASE)
# A decade is no date of an act ("the 1990s", "в 2010-х", "в 1990-е").
_DECADE = re.compile(r"\b(?:19|20)\d0(?:'?s\b|-?х\b|-е\b)", re.IGNORECASE)
# Words around a number that do not make it a date: "34" (an age the tagger called a DATE) is none, nor "in 34".
_FILLER = re.compile(r"\b(?:in|on|at|of|the|since|by|в|во|на|с|к)\b|[^\w]", re.IGNORECASE)
_THIS_YEAR = re.compile(
    r"\s*\b(?:of\s+)?this\s+year\b|\s*\b(?:этого|текущего|нынешнего)\s+года\b", re.IGNORECASE
)
_RU_RELATIVE_YEARS = (
    (re.compile(r"\s*\b(?:в\s+)?прошл(?:ом|ого)\s+год(?:у|а)\b", re.IGNORECASE), -1),
    (re.compile(r"\s*\b(?:в\s+)?(?:этом|текущем|нынешнем)\s+году\b", re.IGNORECASE), 0),
    (re.compile(r"\s*\b(?:в\s+)?следующ(?:ем|его)\s+год(?:у|а)\b", re.IGNORECASE), 1),
)
_WEEKDAY_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_RU = ("понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень")


@lru_cache(maxsize=256)
def _parser(language: str, base: date, prefer: Prefer) -> DateDataParser:
    settings = {
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        "PREFER_DATES_FROM": prefer,
        "PREFER_DAY_OF_MONTH": "first",
        # The region writes day before month ("12.03.2026" is 12 March), in English as in Russian.
        "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    return DateDataParser(languages=[language], settings=settings)


def _normalise_russian(text: str) -> str:
    text = _RU_NOISE.sub("", text.strip())
    text = _RU_NOISE.sub("", text)
    return _RU_MONTH_PREPOSITIONAL.sub(lambda m: _RU_MONTHS[m.group(1).lower()], text)


def _weekday_index(text: str, language: str) -> int | None:
    lowered = text.lower()
    names = _WEEKDAY_EN if language == "en" else _WEEKDAY_RU
    for index, name in enumerate(names):
        if name in lowered:
            return index
    return None


def resolve_date(
    text: str, published: date | None, language: str = "en", prefer: Prefer = "past"
) -> str | None:
    """ISO date (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`) for a date expression, or None if it is not one."""
    if not text or (_NOT_A_DATE.search(text) and not _AGO.search(text)):
        return None
    year = _YEAR.search(text)
    if _DECADE.search(text):
        return None
    if year is None and not re.search(r"[^\W\d_]", _FILLER.sub("", text)):
        return None  # digits alone: an age, a count, "12/03" without its year
    if published is None and year is None:
        return None
    # Without a publication date the text's own year anchors it (never the machine's clock): "12 March 2026"
    # reads the same on any day.
    base = published or date(int(year.group(0)), 1, 1)  # type: ignore[union-attr]
    has_year = year is not None
    if published is not None:
        # "February this year", "в марте этого года": the year of publication, written out.
        text = _THIS_YEAR.sub(f" {published.year}", text).strip()
        # "в прошлом году", "в следующем году": dateparser does not read the Russian relative years.
        for pattern, offset in _RU_RELATIVE_YEARS:
            text = pattern.sub(f" {published.year + offset}", text).strip()
    query = _normalise_russian(text) if language == "ru" else text.strip()
    weekday = _weekday_index(query, language)
    if weekday is not None and published is not None and not has_year:
        # News says "on Thursday" on a Thursday for the same day; dateparser would go back a week.
        delta = (base.weekday() - weekday) % 7 if prefer == "past" else (weekday - base.weekday()) % 7
        day = base - timedelta(days=delta) if prefer == "past" else base + timedelta(days=delta)
        return day.isoformat()
    data = _parser(language, base, prefer).get_date_data(query)
    if data.date_obj is None:
        return None
    found = data.date_obj.date()
    if data.period == "year":
        return f"{found.year:04d}"
    if data.period == "month":
        return f"{found.year:04d}-{found.month:02d}"
    if data.period == "day":
        return found.isoformat()
    return None
