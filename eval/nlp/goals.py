"""The goals of issue 4 ("Measured, not assumed"), checked against scored reports."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eval.nlp.score import Report

# F1 floors per category, the margin over the baseline, and how far Russian may trail English.
F1_TARGETS = {
    "organizations": 0.90,
    "countries": 0.95,
    "agreement_events": 0.80,
    "censorship_events": 0.75,
}
BASELINE_MARGIN = 0.15
LANGUAGE_GAP = 0.10


@dataclass(frozen=True)
class GoalResult:
    """One goal: what was measured, what it had to reach, and whether it did."""

    name: str
    value: float | None
    target: float
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        result = asdict(self)
        result["value"] = None if self.value is None else round(self.value, 4)
        result["target"] = round(self.target, 4)
        return result


def evaluate_goals(system: Report, baseline: Report | None) -> list[GoalResult]:
    """Check F1 floors, the margin over the baseline (when given) and the English–Russian gap."""
    results = []
    for category, floor in F1_TARGETS.items():
        value = system.f1(category)
        results.append(
            GoalResult(f"{category} F1 >= {floor:.2f}", value, floor, value is not None and value >= floor)
        )
    if baseline is not None:
        for category in F1_TARGETS:
            value, base = system.f1(category), baseline.f1(category)
            target = (base or 0.0) + BASELINE_MARGIN
            results.append(
                GoalResult(
                    f"{category} F1 >= baseline + {BASELINE_MARGIN:.2f}",
                    value,
                    target,
                    value is not None and value >= target,
                )
            )
    for category in F1_TARGETS:
        english, russian = system.f1(category, "en"), system.f1(category, "ru")
        target = (english or 0.0) - LANGUAGE_GAP
        results.append(
            GoalResult(
                f"{category} F1 ru >= en - {LANGUAGE_GAP:.2f}",
                russian,
                target,
                russian is not None and english is not None and russian >= target,
            )
        )
    return results


FLOORS_FILE = Path(__file__).with_name("floors.json")


def floor_failures(figures: dict[str, Any], floors_file: Path = FLOORS_FILE) -> list[str]:
    """Each figure of `Evaluation.to_dict()["systems"]["stanwire"]` below its pinned floor, as a message."""
    floors = json.loads(floors_file.read_text(encoding="utf-8"))
    failures = []
    scopes = [("overall", figures["overall"], floors["overall"])]
    scopes += [
        (language, figures["by_language"].get(language, {}), wanted)
        for language, wanted in floors["by_language"].items()
    ]
    for scope, measured, wanted in scopes:
        for category, floor in wanted.items():
            value = measured.get(category, {}).get("f1")
            if value is None or value < floor:
                failures.append(f"{category} F1 ({scope}) {value} is below its floor {floor}")
    return failures
