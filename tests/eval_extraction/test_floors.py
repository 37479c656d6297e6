"""Extraction stays at or above its pinned floors and ahead of trafilatura's defaults on our page set."""

from __future__ import annotations

import json
from pathlib import Path

import trafilatura

from eval.extraction.run_eval import (
    FLOORS_FILE,
    PAGES_DIR,
    evaluate,
    floor_failures,
    stanwire_extractor,
    trafilatura_extract,
)


def figures() -> dict:
    stanwire, version = stanwire_extractor()
    evaluation = evaluate(
        PAGES_DIR,
        {"stanwire": stanwire, "trafilatura": trafilatura_extract},
        {"stanwire": version, "trafilatura": f"trafilatura {trafilatura.__version__} defaults"},
    )
    return evaluation.to_dict()


def test_extraction_is_at_or_above_its_floors_and_ahead_of_trafilatura(tmp_path: Path) -> None:
    measured = figures()
    assert floor_failures(measured) == []
    # The check itself can fail: an unreachable floor is reported.
    strict = json.loads(FLOORS_FILE.read_text(encoding="utf-8")) | {"date_accuracy": 1.01}
    path = tmp_path / "floors.json"
    path.write_text(json.dumps(strict), encoding="utf-8")
    assert [f.split(" ")[0] for f in floor_failures(measured, path)] == ["date_accuracy"]
