"""The NLP's figures on the gold set stay at or above the floors pinned in eval/nlp/floors.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.nlp.goals import FLOORS_FILE, floor_failures
from eval.nlp.run_eval import GOLD_DIR, evaluate


@pytest.fixture(scope="module")
def figures() -> dict:
    return evaluate(GOLD_DIR, model=None).to_dict()["systems"]["stanwire"]


def test_every_figure_is_at_or_above_its_floor(figures: dict) -> None:
    assert floor_failures(figures) == []


def test_a_figure_below_its_floor_is_reported(figures: dict, tmp_path: Path) -> None:
    floors = json.loads(FLOORS_FILE.read_text(encoding="utf-8"))
    floors["overall"]["countries"] = 1.01  # no system reaches it
    strict = tmp_path / "floors.json"
    strict.write_text(json.dumps(floors), encoding="utf-8")
    [failure] = floor_failures(figures, strict)
    assert failure.startswith("countries F1 (overall)")
    assert "below its floor 1.01" in failure


def test_floors_are_at_least_the_goals_of_issue_4() -> None:
    floors = json.loads(FLOORS_FILE.read_text(encoding="utf-8"))["overall"]
    goals = {"organizations": 0.90, "countries": 0.95, "agreement_events": 0.80, "censorship_events": 0.75}
    assert all(floors[category] >= goal for category, goal in goals.items())
