"""Countries with the full model: capitals acting as governments need the dependency parse."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import nlp


def codes(analysis: nlp.DocumentAnalysis) -> list[str]:
    return [c.code for c in analysis.countries]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Moscow signed a deal with Beijing on satellite links.", ["RU", "CN"]),
        ("Tashkent insists that the tariff stays.", ["UZ"]),
        ("A Chinese company will supply the cable.", ["CN"]),
        ("The Tajik government declined to comment.", ["TJ"]),
        ("A telecom conference opened in Astana on Tuesday.", []),
        ("Russian-language channels covered the outage.", []),
        ("FC Astana signed the Georgian midfielder.", ["GE"]),
        ("The Swedish envoy, Karin Ericsson, visited Bishkek.", ["SE"]),
        ("The EU opened a digital office.", []),
    ],
)
def test_countries_in_context(
    analyze_text: Callable[..., nlp.DocumentAnalysis], text: str, expected: list[str]
) -> None:
    assert codes(analyze_text(text)) == expected


def test_country_records_carry_english_names_and_counts(
    analyze_text: Callable[..., nlp.DocumentAnalysis],
) -> None:
    analysis = analyze_text("Kyrgyzstan and Russia met. Kyrgyz officials said Kyrgyzstan would sign.")
    assert [(c.code, c.name, c.mentions) for c in analysis.countries] == [
        ("KG", "Kyrgyzstan", 3),
        ("RU", "Russia", 1),
    ]


def test_people_and_sports_clubs_are_not_organizations(
    analyze_text: Callable[..., nlp.DocumentAnalysis],
) -> None:
    analysis = analyze_text(
        "The Swedish envoy, Karin Ericsson, met FC Astana officials. President Trump was not there."
    )
    assert [(o.name, o.id) for o in analysis.organizations] == [("FC Astana", None)]
