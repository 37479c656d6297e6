"""Whole invented articles (fixtures/<name>.json) against the expected results beside them.

The expectation lists gazetteer ids, country codes and events as (type, subtype, status, party codes, date); when
behaviour changes on purpose, edit the `.expected.json` by hand and read the diff.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import nlp

FIXTURES = Path(__file__).parent / "fixtures"
NAMES = sorted(
    p.name.removesuffix(".json") for p in FIXTURES.glob("*.json") if not p.name.endswith(".expected.json")
)


def summary(analysis: nlp.DocumentAnalysis) -> dict:
    return {
        "organizations": [o.id or o.name for o in analysis.organizations],
        "countries": [c.code for c in analysis.countries],
        "events": [
            [e.type, e.subtype, e.status, [p.code or p.name for p in e.parties], e.date]
            for e in analysis.events
        ],
        "topics": analysis.topics,
    }


@pytest.mark.parametrize("name", NAMES)
def test_document_matches_expected(pipes: nlp.Pipelines, name: str) -> None:
    record = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    doc = nlp.DocumentInput(
        record["id"],
        record["title"],
        record["text"],
        date.fromisoformat(record["published"]),
        record["language"],
    )
    assert summary(nlp.analyze(pipes, doc)) == expected


def test_fixtures_are_paired() -> None:
    assert NAMES
    for name in NAMES:
        assert (FIXTURES / f"{name}.expected.json").is_file(), name
