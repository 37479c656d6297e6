"""run_eval drives the nlp package through its documented API and reports both systems and the goals.

A stand-in ``nlp`` module (the documented API, answering from the gold annotations) takes the place of the
real package, so these tests check the evaluation harness, not stanwire's NLP.
"""

import dataclasses
import datetime as dt
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from eval.nlp import run_eval
from eval.nlp.baseline import country_code

GOLD = [
    {
        "id": "en-1",
        "language": "en",
        "title": "Kazakhtelecom and Huawei sign memorandum",
        "text": "Kazakhtelecom and Huawei signed a memorandum of understanding in Kazakhstan on Tuesday.",
        "published": "2026-03-12",
        "gold": {
            "organizations": [
                {"id": "kazakhtelecom", "name": "Kazakhtelecom"},
                {"id": "huawei", "name": "Huawei"},
            ],
            "countries": ["KZ"],
            "events": [
                {
                    "type": "agreement",
                    "subtype": "memorandum",
                    "status": "signed",
                    "parties": ["kazakhtelecom", "huawei"],
                    "date": "2026-03-10",
                }
            ],
            "topics": ["telecom"],
        },
    },
    {
        "id": "ru-1",
        "language": "ru",
        "title": "Роскомнадзор заблокировал сайт",
        "text": "Роскомнадзор заблокировал сайт издания в России.",
        "published": "2026-03-12",
        "gold": {
            "organizations": [{"id": "roskomnadzor", "name": "Роскомнадзор"}],
            "countries": ["RU"],
            "events": [
                {"type": "censorship", "subtype": "block", "status": "in_force", "parties": ["roskomnadzor"]}
            ],
            "topics": ["censorship"],
        },
    },
]


@dataclasses.dataclass
class FakeInput:
    id: str
    title: str
    text: str
    published: dt.date | None
    language: str | None


@dataclasses.dataclass
class FakeAnalysis:
    id: str
    language: str
    organizations: list[dict[str, Any]]
    countries: list[dict[str, Any]]
    events: list[dict[str, Any]]
    topics: list[str]


def _perfect_analysis(record: dict[str, Any]) -> FakeAnalysis:
    gold = record["gold"]
    return FakeAnalysis(
        id=record["id"],
        language=record["language"],
        organizations=[
            {
                "name": o["name"],
                "canonical": o["name"],
                "id": o["id"],
                "kind": "x",
                "country": None,
                "mentions": 1,
            }
            for o in gold["organizations"]
        ],
        countries=[{"code": c, "name": c, "mentions": 1} for c in gold["countries"]],
        events=[
            {
                "type": e["type"],
                "subtype": e["subtype"],
                "status": e["status"],
                "parties": [
                    {"name": p, "canonical": p, "kind": "organization", "code": p} for p in e["parties"]
                ],
                "date": e.get("date"),
            }
            for e in gold["events"]
        ],
        topics=gold["topics"],
    )


@pytest.fixture
def gold_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "gold"
    directory.mkdir()
    lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in GOLD)
    (directory / "small.jsonl").write_text(lines, encoding="utf-8")
    return directory


@pytest.fixture
def fake_nlp(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    calls: dict[str, Any] = {}
    by_id = {record["id"]: record for record in GOLD}

    def build_pipeline(model: str | None = None) -> str:
        calls["model"] = model
        return "pipes"

    def analyze_many(pipes: str, docs: list[FakeInput]) -> list[FakeAnalysis]:
        calls["pipes"] = pipes
        calls["docs"] = list(docs)
        return [_perfect_analysis(by_id[doc.id]) for doc in calls["docs"]]

    module = types.ModuleType("nlp")
    module.build_pipeline = build_pipeline  # type: ignore[attr-defined]
    module.analyze_many = analyze_many  # type: ignore[attr-defined]
    module.DocumentInput = FakeInput  # type: ignore[attr-defined]
    module.NLP_VERSION = "test-1"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nlp", module)
    return calls


def test_run_eval_scores_stanwire_and_baseline_and_writes_json(
    gold_dir: Path, fake_nlp: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "figures" / "nlp.json"
    assert run_eval.main(["--gold", str(gold_dir), "--model", "my_model", "--json", str(out)]) == 0
    assert fake_nlp["model"] == "my_model"
    first = fake_nlp["docs"][0]
    assert (first.id, first.published, first.language) == ("en-1", dt.date(2026, 3, 12), "en")
    printed = capsys.readouterr().out
    assert "stanwire: nlp test-1 (model my_model)" in printed
    assert "[PASS] organizations F1 >= 0.90" in printed
    assert "[PASS] censorship_events F1 ru >= en - 0.10" in printed
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["documents"] == 2
    assert figures["languages"] == {"en": 1, "ru": 1}
    stanwire = figures["systems"]["stanwire"]
    assert {c["f1"] for c in stanwire["overall"].values()} == {1.0}
    assert stanwire["event_attributes"]["agreement"]["date_accuracy"] == 1.0
    baseline = figures["systems"]["baseline"]
    assert "topics" not in baseline["overall"]
    assert baseline["overall"]["organizations"]["f1"] < 1.0
    assert len(figures["goals"]) == 12
    assert all(goal["passed"] for goal in figures["goals"] if "ru >= en" in goal["name"])


def test_run_eval_exits_zero_when_goals_are_missed(
    gold_dir: Path,
    fake_nlp: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    module = sys.modules["nlp"]
    monkeypatch.setattr(module, "analyze_many", lambda pipes, docs: [_empty(doc) for doc in docs])
    assert run_eval.main(["--gold", str(gold_dir)]) == 0
    printed = capsys.readouterr().out
    assert "[FAIL] organizations F1 >= 0.90" in printed
    assert fake_nlp.get("model") is None  # no --model: the package's default


def _empty(doc: FakeInput) -> FakeAnalysis:
    return FakeAnalysis(doc.id, doc.language or "en", [], [], [], [])


def test_run_eval_without_nlp_package_fails_with_a_reason(
    gold_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "nlp", None)  # makes `import nlp` raise ImportError
    assert run_eval.main(["--gold", str(gold_dir)]) == 2
    assert "--baseline-only" in capsys.readouterr().err


def test_baseline_only_and_bad_gold(
    tmp_path: Path, gold_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_eval.main(["--gold", str(gold_dir), "--baseline-only"]) == 0
    printed = capsys.readouterr().out
    assert "stanwire:" not in printed
    assert "baseline" in printed
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")
    assert run_eval.main(["--gold", str(tmp_path / "bad")]) == 2
    assert "missing field 'language'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Kazakhstan", "KZ"),
        ("the United States", "US"),
        ("Kyrgyz Republic", "KG"),
        ("Astana", None),
        ("", None),
    ],
)
def test_baseline_country_names_via_pycountry(name: str, code: str | None) -> None:
    assert country_code(name) == code
