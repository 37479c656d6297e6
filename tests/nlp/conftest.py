"""Shared fixtures: the full pipelines load once per test session; unit tests use `spacy.blank("en")`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import spacy
from spacy.language import Language

import nlp
from nlp.pipeline import add_components

# A Thursday: "on Monday" is 2026-03-09, "on Tuesday" 2026-03-10.
PUBLISHED = date(2026, 3, 12)


@pytest.fixture(scope="session")
def pipes() -> nlp.Pipelines:
    """The full English model plus the Russian analyzer, built once for the whole session."""
    return nlp.build_pipeline()


@pytest.fixture(scope="session")
def blank_en() -> Language:
    """`spacy.blank("en")` with the stanwire components: no tagger, parser or NER, so it is fast."""
    return add_components(spacy.blank("en"))


@pytest.fixture(scope="session")
def analyze_text(pipes: nlp.Pipelines) -> Callable[..., nlp.DocumentAnalysis]:
    """Analyse one invented text: `analyze_text("…", language="ru", published=date(…))`."""

    def run(
        text: str, *, language: str | None = "en", published: date | None = PUBLISHED, title: str = ""
    ) -> nlp.DocumentAnalysis:
        return nlp.analyze(pipes, nlp.DocumentInput("doc-1", title, text, published, language))

    return run
