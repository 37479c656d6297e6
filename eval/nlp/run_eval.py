"""Measure stanwire's NLP and the en_core_web_sm baseline on the gold set, in one run.

    python eval/nlp/run_eval.py [--model M] [--json OUT] [--gold DIR] [--baseline-only]

Prints precision/recall/F1 per category for both systems, F1 per language, event attribute accuracies and the
goals of issue 4 with pass/fail marks. Exits 1 when a figure drops below its floor in eval/nlp/floors.json, 2 when
the evaluation itself cannot run (bad gold file, NLP package failing); missing a goal alone does not fail.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script, the repository root is not on the path
    sys.path.insert(0, str(REPO))

from eval.nlp.baseline import BASELINE_MODEL, run_baseline  # noqa: E402
from eval.nlp.goals import GoalResult, evaluate_goals, floor_failures  # noqa: E402
from eval.nlp.gold_set import GoldDocument, GoldFormatError, load_gold  # noqa: E402
from eval.nlp.score import (  # noqa: E402
    CATEGORIES,
    Prediction,
    PredictionFormatError,
    Report,
    prediction_from_analysis,
    score_all,
)

GOLD_DIR = Path(__file__).resolve().parent / "gold"
LABELS = {
    "organizations": "organizations",
    "countries": "countries",
    "agreement_events": "agreement events",
    "censorship_events": "censorship events",
    "topics": "topics",
}


class EvaluationError(RuntimeError):
    """The evaluation could not run (the NLP package is missing or failed)."""


def run_stanwire(documents: Sequence[GoldDocument], model: str | None) -> tuple[dict[str, Prediction], str]:
    """Run ``nlp.build_pipeline`` + ``nlp.analyze_many`` on the gold documents; returns predictions and version."""
    try:
        import nlp
    except ImportError as exc:
        raise EvaluationError(f"cannot import stanwire's nlp package ({exc}); use --baseline-only") from exc
    pipes = nlp.build_pipeline(model) if model else nlp.build_pipeline()
    inputs = [
        nlp.DocumentInput(id=d.id, title=d.title, text=d.text, published=d.published, language=d.language)
        for d in documents
    ]
    predictions: dict[str, Prediction] = {}
    for analysis in nlp.analyze_many(pipes, inputs):
        is_instance = dataclasses.is_dataclass(analysis) and not isinstance(analysis, type)
        record = dataclasses.asdict(analysis) if is_instance else analysis
        if not isinstance(record, dict):
            raise EvaluationError(
                f"nlp.analyze_many returned {type(analysis).__name__}, not a DocumentAnalysis"
            )
        prediction = prediction_from_analysis(record)
        predictions[prediction.id] = prediction
    return predictions, str(getattr(nlp, "NLP_VERSION", "unknown"))


def _num(value: float | None) -> str:
    return "  —  " if value is None else f"{value:5.3f}"


def format_report(
    reports: dict[str, Report], goals: Sequence[GoalResult], languages: Counter[str], header: str
) -> str:
    """The printed table: categories × systems × P/R/F1, F1 per language, event attributes, goals."""
    systems = list(reports)
    lines = [header, ""]
    lines.append(f"{'category':<19}{'system':<10}{'P':>7}{'R':>7}{'F1':>7}   {'tp/fp/fn':<14}")
    for category in CATEGORIES:
        for n, system in enumerate(systems):
            counts = reports[system].overall.get(category)
            label = LABELS[category] if n == 0 else ""
            if counts is None:
                lines.append(f"{label:<19}{system:<10}{'not scored':>21}")
                continue
            lines.append(
                f"{label:<19}{system:<10} {_num(counts.precision)} {_num(counts.recall)} {_num(counts.f1)}"
                f"   {counts.tp}/{counts.fp}/{counts.fn}"
            )
    langs = sorted(languages)
    lines += ["", "F1 per language (" + ", ".join(f"{lang}: {languages[lang]} docs" for lang in langs) + ")"]
    lines.append(f"{'category':<19}{'system':<10}" + "".join(f"{lang:>7}" for lang in langs))
    for category in CATEGORIES:
        for n, system in enumerate(systems):
            if category not in reports[system].overall:
                continue
            label = LABELS[category] if n == 0 else ""
            cells = "".join(f" {_num(reports[system].f1(category, lang))}" for lang in langs)
            lines.append(f"{label:<19}{system:<10}{cells}")
    lines += ["", "Event attributes on matched events (accuracy)"]
    lines.append(f"{'type':<19}{'system':<10}{'matched':>8}{'subtype':>9}{'status':>8}{'date':>8}")
    for event_type in ("agreement", "censorship"):
        for n, system in enumerate(systems):
            attrs = reports[system].attributes.get(event_type)
            if attrs is None:
                continue
            label = event_type if n == 0 else ""
            lines.append(
                f"{label:<19}{system:<10}{attrs.matched:>8}   {_num(attrs.subtype_accuracy)}"
                f"  {_num(attrs.status_accuracy)}  {_num(attrs.date_accuracy)}"
            )
    if goals:
        passed = sum(g.passed for g in goals)
        lines += ["", f"Goals (issue 4): {passed}/{len(goals)} met"]
        for goal in goals:
            mark = "PASS" if goal.passed else "FAIL"
            lines.append(f"  [{mark}] {goal.name:<48} {_num(goal.value)}  (needs {goal.target:.3f})")
    return "\n".join(lines)


@dataclasses.dataclass
class Evaluation:
    """Everything one run measured."""

    gold_dir: Path
    languages: Counter[str]
    model: str | None
    nlp_version: str | None
    reports: dict[str, Report]
    goals: list[GoalResult]

    def header(self) -> str:
        systems = f"baseline: plain {BASELINE_MODEL} NER + trigger words"
        if "stanwire" in self.reports:
            systems = f"stanwire: nlp {self.nlp_version} (model {self.model or 'default'}); " + systems
        return f"stanwire NLP evaluation: {sum(self.languages.values())} gold documents in {self.gold_dir}\n{systems}"

    def to_dict(self) -> dict[str, Any]:
        """The figures written by --json."""
        return {
            "gold_dir": str(self.gold_dir),
            "documents": sum(self.languages.values()),
            "languages": dict(sorted(self.languages.items())),
            "nlp_version": self.nlp_version,
            "model": self.model,
            "baseline_model": BASELINE_MODEL,
            "systems": {name: report.to_dict() for name, report in self.reports.items()},
            "goals": [goal.to_dict() for goal in self.goals],
        }


def evaluate(gold_dir: Path, model: str | None, baseline_only: bool = False) -> Evaluation:
    """Run both systems on the gold set and score them."""
    documents = load_gold(gold_dir)
    reports: dict[str, Report] = {}
    nlp_version = None
    if not baseline_only:
        stanwire_predictions, nlp_version = run_stanwire(documents, model)
        reports["stanwire"] = score_all(documents, stanwire_predictions, org_match="id")
    reports["baseline"] = score_all(documents, run_baseline(documents), org_match="name")
    goals = evaluate_goals(reports["stanwire"], reports["baseline"]) if "stanwire" in reports else []
    languages = Counter(d.language for d in documents)
    return Evaluation(gold_dir, languages, model, nlp_version, reports, goals)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", help="spaCy model for stanwire's pipeline (default: the nlp package's own)"
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures to this JSON file")
    parser.add_argument("--gold", type=Path, default=GOLD_DIR, help=f"gold directory (default {GOLD_DIR})")
    parser.add_argument("--baseline-only", action="store_true", help="score only the baseline")
    args = parser.parse_args(argv)
    try:
        evaluation = evaluate(args.gold, args.model, args.baseline_only)
    except (GoldFormatError, PredictionFormatError, EvaluationError) as exc:
        print(f"run_eval: {exc}", file=sys.stderr)
        return 2
    print(format_report(evaluation.reports, evaluation.goals, evaluation.languages, evaluation.header()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"\nfigures written to {args.json}")
    if not args.baseline_only and args.gold.resolve() == GOLD_DIR.resolve():
        # The floors were measured on the committed gold set; another gold directory is only reported on.
        failures = floor_failures(evaluation.to_dict()["systems"]["stanwire"])
        for failure in failures:
            print(f"run_eval: {failure} (eval/nlp/floors.json)", file=sys.stderr)
        if failures:
            return 1
        print("\nAll figures at or above their floors (eval/nlp/floors.json).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
