"""Scoring of extracted articles against the hand-written expectations: pure functions, no I/O.

Body text is scored as a bag of tokens (the measure of the CleanEval/ScrapingHub article-extraction benchmarks):
a token is a run of characters between whitespace after NFKC normalisation, case folding and turning every
punctuation or symbol character into a space, so "Kazakhtelecom's" gives `kazakhtelecom` and `s`, and
"«Билайн»" gives `билайн`. Precision is the share of extracted tokens that the expected body holds (with
multiplicity), recall the share of expected tokens that were extracted.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

_SPACES = re.compile(r"\s+")
# Typographic variants a human would not call a different title: «» „“ ”, ’, – —.
_TITLE_CHARS = str.maketrans(
    {"«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "’": "'", "‘": "'", "–": "-", "—": "-"}
)


def tokens(text: str | None) -> Counter[str]:
    """The bag of tokens of `text`: NFKC, case-folded, punctuation and symbols removed."""
    if not text:
        return Counter()
    folded = unicodedata.normalize("NFKC", text).casefold()
    spaced = "".join(" " if unicodedata.category(char)[0] in "PS" else char for char in folded)
    return Counter(spaced.split())


@dataclass(frozen=True)
class TokenCounts:
    """Token overlap of one extracted body with its expected body."""

    overlap: int
    predicted: int
    expected: int

    @property
    def precision(self) -> float:
        """Share of extracted tokens that are in the expected body; an empty extraction earns 0 (1 if none expected)."""
        if self.predicted == 0:
            return 1.0 if self.expected == 0 else 0.0
        return self.overlap / self.predicted

    @property
    def recall(self) -> float:
        """Share of expected tokens that were extracted; 1 when nothing was expected."""
        if self.expected == 0:
            return 1.0
        return self.overlap / self.expected

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0 when both are 0)."""
        return harmonic_mean(self.precision, self.recall)


def harmonic_mean(precision: float, recall: float) -> float:
    """F1 of a precision and a recall."""
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def token_counts(predicted: str | None, expected: str | None) -> TokenCounts:
    """Count tokens of both bodies and their overlap (a token counts as often as it occurs in both)."""
    got, want = tokens(predicted), tokens(expected)
    return TokenCounts(
        overlap=sum((got & want).values()), predicted=sum(got.values()), expected=sum(want.values())
    )


def token_differences(
    predicted: str | None, expected: str | None, limit: int = 8
) -> tuple[list[str], list[str]]:
    """The most frequent tokens missing from the extraction and those extracted in excess (for diagnosis)."""
    got, want = tokens(predicted), tokens(expected)
    missing = [token for token, _ in (want - got).most_common(limit)]
    extra = [token for token, _ in (got - want).most_common(limit)]
    return missing, extra


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 of one averaging."""

    precision: float
    recall: float
    f1: float


def micro_average(counts: Sequence[TokenCounts]) -> PRF:
    """Pool the tokens of all pages, then compute P/R/F1: long pages weigh more."""
    total = TokenCounts(
        overlap=sum(c.overlap for c in counts),
        predicted=sum(c.predicted for c in counts),
        expected=sum(c.expected for c in counts),
    )
    return PRF(total.precision, total.recall, total.f1)


def macro_average(counts: Sequence[TokenCounts]) -> PRF:
    """Mean of the per-page P, R and F1: every page weighs the same. All zero for no pages."""
    if not counts:
        return PRF(0.0, 0.0, 0.0)
    n = len(counts)
    return PRF(
        sum(c.precision for c in counts) / n, sum(c.recall for c in counts) / n, sum(c.f1 for c in counts) / n
    )


def date_day(value: str | None) -> date | None:
    """The calendar day of an ISO 8601 date or date-time as written (its own offset, not converted to UTC).

    A page saying `2026-11-17T01:30:00+06:00` was published on the 17th for its readers, whatever the UTC day.
    Returns None for a missing or unparseable value.
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def date_correct(predicted: str | None, expected: str) -> bool:
    """Whether the extracted date falls on the expected day (`expected` is YYYY-MM-DD)."""
    day = date_day(predicted)
    return day is not None and day == date.fromisoformat(expected)


def normalize_title(title: str | None) -> str:
    """NFKC, case-folded, typographic quotes and dashes unified, whitespace collapsed, trimmed."""
    if not title:
        return ""
    text = unicodedata.normalize("NFKC", title).casefold().translate(_TITLE_CHARS)
    return _SPACES.sub(" ", text).strip()


def title_correct(predicted: str | None, expected: str) -> bool:
    """Normalised exact match: a site name appended to the headline ("… | Outlet") is a wrong title."""
    return bool(predicted) and normalize_title(predicted) == normalize_title(expected)


def language_code(value: str | None) -> str | None:
    """Primary subtag of a language tag, lower-cased (`ru-RU` → `ru`); None when absent."""
    if not value or not value.strip():
        return None
    return value.strip().replace("_", "-").split("-")[0].lower()


def language_correct(predicted: str | None, expected: str) -> bool:
    """Whether the extracted language is the expected ISO 639-1 code."""
    return language_code(predicted) == language_code(expected)


def accuracy(outcomes: Iterable[bool]) -> float:
    """Share of True outcomes; 0 for none."""
    values = list(outcomes)
    return sum(values) / len(values) if values else 0.0


@dataclass(frozen=True)
class Expected:
    """What a careful human reads on one page (from its hand-written JSON)."""

    title: str
    published: str
    language: str
    body: str


@dataclass(frozen=True)
class Extraction:
    """What one system extracted from one page; `error` says why nothing was extracted."""

    title: str | None
    published: str | None
    language: str | None
    body: str
    error: str | None = None


@dataclass(frozen=True)
class PageScore:
    """One system's score on one page."""

    page: str
    counts: TokenCounts
    date_ok: bool
    title_ok: bool
    language_ok: bool
    extraction: Extraction

    def to_dict(self) -> dict[str, Any]:
        """The per-page figures written by --json."""
        return {
            "page": self.page,
            "precision": round(self.counts.precision, 4),
            "recall": round(self.counts.recall, 4),
            "f1": round(self.counts.f1, 4),
            "tokens": {
                "overlap": self.counts.overlap,
                "predicted": self.counts.predicted,
                "expected": self.counts.expected,
            },
            "date_ok": self.date_ok,
            "title_ok": self.title_ok,
            "language_ok": self.language_ok,
            "published": self.extraction.published,
            "title": self.extraction.title,
            "language": self.extraction.language,
            "error": self.extraction.error,
        }


def score_page(page: str, extraction: Extraction, expected: Expected) -> PageScore:
    """Score one system's extraction of one page."""
    return PageScore(
        page=page,
        counts=token_counts(extraction.body, expected.body),
        date_ok=date_correct(extraction.published, expected.published),
        title_ok=title_correct(extraction.title, expected.title),
        language_ok=language_correct(extraction.language, expected.language),
        extraction=extraction,
    )


@dataclass(frozen=True)
class Summary:
    """One system's figures over all pages."""

    pages: int
    micro: PRF
    macro: PRF
    date_accuracy: float
    title_accuracy: float
    language_accuracy: float
    failures: int
    scores: list[PageScore] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The system's figures written by --json."""

        def prf(value: PRF) -> dict[str, float]:
            return {k: round(v, 4) for k, v in vars(value).items()}

        return {
            "pages": self.pages,
            "body_micro": prf(self.micro),
            "body_macro": prf(self.macro),
            "date_accuracy": round(self.date_accuracy, 4),
            "title_accuracy": round(self.title_accuracy, 4),
            "language_accuracy": round(self.language_accuracy, 4),
            "failures": self.failures,
            "per_page": [score.to_dict() for score in self.scores],
        }


def summarize(scores: Sequence[PageScore]) -> Summary:
    """Micro- and macro-averaged body figures and the date/title/language accuracies of one system."""
    counts = [score.counts for score in scores]
    return Summary(
        pages=len(scores),
        micro=micro_average(counts),
        macro=macro_average(counts),
        date_accuracy=accuracy(score.date_ok for score in scores),
        title_accuracy=accuracy(score.title_ok for score in scores),
        language_accuracy=accuracy(score.language_ok for score in scores),
        failures=sum(score.extraction.error is not None for score in scores),
        scores=list(scores),
    )


def worst_pages(scores: Sequence[PageScore], limit: int) -> list[PageScore]:
    """The `limit` pages with the lowest body F1 (ties: lower recall first, then name)."""
    return sorted(scores, key=lambda s: (s.counts.f1, s.counts.recall, s.page))[:limit]
