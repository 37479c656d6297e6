"""Score stanwire's NLP on real published news with the gold set's own scorer, against the plain baseline.

    python eval/real_news/run.py [--dev-dir DIR] [--json OUT] [--errors] [--no-floors]

The real set (`../shared/nlp-dev/` beside the repository, or `--dev-dir`, or `$STANWIRE_NLP_DEV`) holds real
articles with gold annotations and `score.py`, the scoring whose numbers count. Its text belongs to its
publishers and stays outside this repository: this script only reads it. stanwire is run in-process exactly as
`stanwire extract --input-format jsonl` runs it (same inputs, same `analyze_many`, same JSON); the baseline is
plain en_core_web_sm NER plus trigger words (`eval/nlp/baseline.py`) on every language. Both are scored by the
set's `score.py`, per language.

Exit status: 0 when every figure is at or above its floor in `eval/real_news/floors.json` (or the set is not
there: the run says so and is skipped), 1 when a figure is below its floor, 2 when the evaluation cannot run.
`--errors` prints, per document, the organizations and events stanwire got wrong (for development; it quotes
the set's text on the terminal, never into a file of the repository).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script, the repository root is not on the path
    sys.path.insert(0, str(REPO))

DEFAULT_DEV_DIR = REPO.parent / "shared" / "nlp-dev"
FLOORS_FILE = Path(__file__).resolve().parent / "floors.json"
METRICS = ("organizations", "countries", "agreement", "censorship")
LANGUAGES = ("all", "en", "ru")


class EvaluationError(RuntimeError):
    """The evaluation cannot run: a malformed set, or stanwire's NLP failing."""


def dev_dir(given: str | None) -> Path:
    """The real set's folder: the argument, else $STANWIRE_NLP_DEV, else ../shared/nlp-dev beside the repo."""
    return Path(given or os.environ.get("STANWIRE_NLP_DEV") or DEFAULT_DEV_DIR).expanduser().resolve()


def load_scorer(folder: Path) -> ModuleType:
    """The set's own `score.py`, imported from its folder (never copied: its numbers are the ones that count)."""
    path = folder / "score.py"
    spec = importlib.util.spec_from_file_location("real_news_score", path)
    if spec is None or spec.loader is None:
        raise EvaluationError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stanwire_predictions(docs: list[dict[str, Any]], model: str | None) -> tuple[list[dict[str, Any]], str]:
    """What `stanwire extract --input-format jsonl` prints for the set's documents, one dict per document."""
    import nlp

    pipes = nlp.build_pipeline(model) if model else nlp.build_pipeline()
    inputs = [
        nlp.DocumentInput(
            id=d["id"],
            title=d["title"],
            text=d["text"],
            published=_date(d.get("published")),
            language=d.get("language") or None,
        )
        for d in docs
    ]
    try:
        analyses = nlp.analyze_many(pipes, inputs)
    except nlp.NlpError as exc:
        raise EvaluationError(f"stanwire's NLP failed on the real set: {exc}") from exc
    records = [json.loads(json.dumps(dataclasses.asdict(a), ensure_ascii=False)) for a in analyses]
    return records, str(nlp.NLP_VERSION)


def _date(value: str | None) -> Any:
    from datetime import date

    return date.fromisoformat(value[:10]) if value else None


def baseline_predictions(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Plain en_core_web_sm NER plus trigger words, in the scorer's prediction format."""
    import spacy

    from eval.nlp.baseline import BASELINE_MODEL, predict_document

    pipeline = spacy.load(BASELINE_MODEL)
    texts = (f"{d['title']}\n\n{d['text']}" for d in docs)
    records = []
    for d, parsed in zip(docs, pipeline.pipe(texts), strict=True):
        prediction = predict_document(parsed, d["id"])
        records.append(
            {
                "id": prediction.id,
                "organizations": [
                    {"name": o.names[0], "canonical": o.names[0]} for o in prediction.organizations
                ],
                "countries": [{"code": code} for code in prediction.countries],
                "events": [
                    {
                        "type": e.type,
                        "parties": [
                            {"name": p.name, "code": p.code, "kind": _kind(p.code)} for p in e.parties
                        ],
                    }
                    for e in prediction.events
                ],
            }
        )
    return records


def _kind(code: str | None) -> str:
    return "country" if code and len(code) == 2 and code.isupper() else "organization"


def score_all(scorer: ModuleType, gold: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> dict:
    """{language: {metric: {f1, p, r, tp, fp, fn}}} for all, en and ru."""
    return {lang: scorer.score(gold, predictions, lang) for lang in LANGUAGES}


def floor_failures(figures: dict[str, dict[str, dict[str, float]]], path: Path = FLOORS_FILE) -> list[str]:
    """Every figure below its floor in `path` ({language: {metric: F1}}), as one line each."""
    floors = json.loads(path.read_text(encoding="utf-8"))
    failures = []
    for lang, metrics in floors.items():
        if lang.startswith("_"):
            continue
        for metric, floor in metrics.items():
            value = figures[lang][metric]["f1"]
            if value + 1e-9 < floor:
                failures.append(f"{lang} {metric} F1 {value:.3f} is below its floor {floor:.3f}")
    return failures


def format_table(figures: dict[str, dict], baseline: dict[str, dict], counts: dict[str, int]) -> str:
    lines = [f"{'':<14}{'':<10}" + "".join(f"{lang + f' ({counts[lang]})':>22}" for lang in LANGUAGES)]
    lines.append(f"{'':<14}{'':<10}" + "".join(f"{'P     R     F1':>22}" for _ in LANGUAGES))
    for metric in METRICS:
        for n, (system, table) in enumerate((("stanwire", figures), ("baseline", baseline))):
            cells = "".join(
                f"{table[lang][metric]['p']:>10.3f}{table[lang][metric]['r']:>6.3f}{table[lang][metric]['f1']:>6.3f}"
                for lang in LANGUAGES
            )
            lines.append(f"{metric if n == 0 else '':<14}{system:<10}{cells}")
    return "\n".join(lines)


def print_errors(scorer: ModuleType, gold: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> None:
    """Per document: organizations and events predicted wrongly or missed (development aid)."""
    by_id = {p["id"]: p for p in predictions}
    for g in gold:
        p = by_id.get(g["id"], {})
        aliases = scorer.aliases_of(g)
        lines = []
        hits = set()
        for o in p.get("organizations", []):
            names = {scorer.norm(o.get(k)) for k in ("name", "canonical") if o.get(k)}
            hit = next((aliases[n] for n in names if n in aliases), None)
            if hit:
                hits.add(hit)
            else:
                lines.append(f"  org  FP  {o.get('name')!r} (canonical {o.get('canonical')!r})")
        lines += [f"  org  FN  {o['name']!r}" for o in g.get("organizations", []) if o["name"] not in hits]
        predicted = {c["code"] for c in p.get("countries", [])}
        if predicted != set(g.get("countries", [])):
            lines.append(
                f"  ctry FP {sorted(predicted - set(g['countries']))} FN {sorted(set(g['countries']) - predicted)}"
            )
        for kind in ("agreement", "censorship"):
            wanted = [e for e in g.get("events", []) if e["type"] == kind]
            found = [e for e in p.get("events", []) if e.get("type") == kind]
            used: set[int] = set()
            for e in found:
                keys = {scorer.party_key(x, aliases) for x in e.get("parties", [])}
                match = next(
                    (
                        i
                        for i, w in enumerate(wanted)
                        if i not in used
                        and len(keys & {scorer.party_key(x, aliases) for x in w["parties"]})
                        >= (min(2, len(w["parties"])) if w["parties"] else 0)
                    ),
                    None,
                )
                if match is not None:
                    used.add(match)
                tag = "ok" if match is not None else "FP"
                lines.append(
                    f"  {kind[:5]} {tag}  {sorted(keys)} {e.get('subtype')}/{e.get('status')}: {e.get('sentence', '')[:140]!r}"
                )
            for i, w in enumerate(wanted):
                if i not in used:
                    lines.append(
                        f"  {kind[:5]} FN  {w['parties']} {w['subtype']}/{w['status']}: {w['evidence'][:140]!r}"
                    )
        if lines:
            print(f"{g['id']} ({g.get('language')})")
            print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dev-dir", help="the real set's folder [default: $STANWIRE_NLP_DEV or ../shared/nlp-dev]"
    )
    parser.add_argument("--model", help="spaCy English model [default: the pipeline's default]")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--errors", action="store_true", help="print what stanwire got wrong, per document")
    parser.add_argument("--no-floors", action="store_true", help="do not compare with floors.json")
    args = parser.parse_args(argv)
    folder = dev_dir(args.dev_dir)
    if not (folder / "score.py").is_file() or not (folder / "gold.jsonl").is_file():
        print(f"real-news evaluation skipped: no gold set with score.py at {folder} (set STANWIRE_NLP_DEV)")
        return 0
    try:
        scorer = load_scorer(folder)
        gold, docs = scorer.load(folder)
        predictions, version = stanwire_predictions(docs, args.model)
        baseline = baseline_predictions(docs)
    except (EvaluationError, OSError, ValueError, KeyError) as exc:
        print(f"error: the real-news evaluation cannot run: {exc}", file=sys.stderr)
        return 2
    figures = score_all(scorer, gold, predictions)
    base = score_all(scorer, gold, baseline)
    counts = {lang: sum(1 for g in gold if lang == "all" or g.get("language") == lang) for lang in LANGUAGES}
    print(f"Real news ({folder}): {counts['all']} articles, scored by its score.py (strict, micro-averaged)")
    print(f"  stanwire: NLP {version}; baseline: plain en_core_web_sm NER + trigger words")
    print(format_table(figures, base, counts))
    if args.errors:
        print()
        print_errors(scorer, gold, predictions)
    if args.json:
        args.json.write_text(
            json.dumps(
                {"dev_dir": str(folder), "nlp_version": version, "stanwire": figures, "baseline": base},
                indent=2,
            ),
            encoding="utf-8",
        )
    if args.no_floors:
        return 0
    failures = floor_failures(figures)
    for failure in failures:
        print(f"BELOW FLOOR: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
