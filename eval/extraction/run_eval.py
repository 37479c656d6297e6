"""Measure stanwire's article extraction and trafilatura's defaults on our evaluation pages, in one run.

    python eval/extraction/run_eval.py [--json OUT] [--pages DIR] [--worst N]

For every page, stanwire's `spiders.extract.extract_article(html, url)` and trafilatura 2.x with its defaults
(`trafilatura.extract(html, url=url)` for the body, `trafilatura.extract_metadata(html, default_url=url)` for
title and date) get the same bytes. Prints body precision/recall/F1 on tokens (micro and macro averages), date,
title and language accuracy for both systems, then the pages where stanwire does worst with the tokens it
missed or added. Exit status: 0 when the run completed, 1 when a system crashed on some page (the figures are
still printed, the crash listed), 2 when the evaluation could not run (bad page set, stanwire not importable).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script, the repository root is not on the path
    sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402

from eval.extraction.gold import PAGES_DIR, GoldFormatError, GoldPage, load_pages  # noqa: E402
from eval.extraction.score import (  # noqa: E402
    Extraction,
    PageScore,
    Summary,
    score_page,
    summarize,
    token_differences,
    worst_pages,
)

SYSTEMS = ("stanwire", "trafilatura")
# The page set is scored as if every page had been fetched at this moment, after the latest date any page
# gives: both systems judge dates against it, never against the machine's clock, so the figures are the same on
# any day.
FETCHED_AT = datetime(2026, 12, 15, tzinfo=UTC)
Extractor = Callable[[GoldPage], Extraction]


class EvaluationError(RuntimeError):
    """The evaluation could not run (stanwire's extractor cannot be imported)."""


def stanwire_extractor() -> tuple[Extractor, str]:
    """stanwire's `extract_article` wrapped as an `Extractor`, and the extractor version it reports."""
    try:
        from spiders.errors import ExtractionError
        from spiders.extract import EXTRACTOR_VERSION, extract_article
    except ImportError as exc:
        raise EvaluationError(
            f"cannot import spiders.extract ({exc}); is the spiders package installed?"
        ) from exc

    def extract(page: GoldPage) -> Extraction:
        try:
            article = extract_article(page.html(), page.url, fetched_at=FETCHED_AT)
        except ExtractionError as exc:  # the documented "no article here" answer: an empty extraction
            return Extraction(None, None, None, "", error=f"ExtractionError: {exc}")
        return Extraction(article.title, article.published_at, article.language, article.text or "")

    return extract, str(EXTRACTOR_VERSION)


def trafilatura_extract(page: GoldPage) -> Extraction:
    """trafilatura with its defaults: `extract` for the body, `extract_metadata` for title, date, language."""
    html = page.html()
    # trafilatura's own defaults, but for the latest date it accepts: its default is the machine's today
    dates = {"original_date": True, "extensive_search": True, "max_date": FETCHED_AT.strftime("%Y-%m-%d")}
    body = trafilatura.extract(html, url=page.url, date_extraction_params=dates) or ""
    metadata = trafilatura.extract_metadata(html, default_url=page.url, date_config=dates)
    error = None if body else "trafilatura.extract returned no text"
    return Extraction(metadata.title, metadata.date, getattr(metadata, "language", None), body, error=error)


def run_system(extractor: Extractor, page: GoldPage) -> tuple[Extraction, str | None]:
    """Run one system on one page; an unexpected exception becomes an empty extraction plus a crash message."""
    try:
        return extractor(page), None
    except Exception as exc:  # recorded and reported as a crash, the other pages still get measured
        message = f"{type(exc).__name__}: {exc}"
        return Extraction(None, None, None, "", error=f"crash: {message}"), message


@dataclass
class Evaluation:
    """Everything one run measured."""

    pages_dir: Path
    pages: list[GoldPage]
    versions: dict[str, str]
    summaries: dict[str, Summary]
    crashes: dict[str, dict[str, str]]

    def to_dict(self) -> dict[str, Any]:
        """The figures written by --json."""
        return {
            "pages_dir": str(self.pages_dir),
            "pages": len(self.pages),
            "languages": dict(sorted(Counter(p.expected.language for p in self.pages).items())),
            "versions": self.versions,
            "systems": {name: summary.to_dict() for name, summary in self.summaries.items()},
            "crashes": self.crashes,
        }


def evaluate(pages_dir: Path, extractors: dict[str, Extractor], versions: dict[str, str]) -> Evaluation:
    """Run every system on every page and score them."""
    pages = load_pages(pages_dir)
    summaries: dict[str, Summary] = {}
    crashes: dict[str, dict[str, str]] = {}
    for system, extractor in extractors.items():
        scores: list[PageScore] = []
        for page in pages:
            extraction, crash = run_system(extractor, page)
            if crash:
                crashes.setdefault(system, {})[page.name] = crash
            scores.append(score_page(page.name, extraction, page.expected))
        summaries[system] = summarize(scores)
    return Evaluation(pages_dir, pages, versions, summaries, crashes)


def _fraction(ok: int, total: int) -> str:
    return f"{ok / total:5.3f} ({ok}/{total})" if total else "  —"


def format_report(evaluation: Evaluation, worst: int) -> str:
    """The printed report: summary table, stanwire's misses, its worst pages, crashes."""
    lines = _summary_table(evaluation)
    if "stanwire" in evaluation.summaries:
        lines += _stanwire_misses(evaluation)
        lines += _stanwire_worst(evaluation, worst)
    for system, crashed in evaluation.crashes.items():
        lines += ["", f"{system} CRASHED on {len(crashed)} pages (scored as empty extractions):"]
        lines += [f"  {page}: {message}" for page, message in crashed.items()]
    return "\n".join(lines)


def _summary_table(evaluation: Evaluation) -> list[str]:
    systems = list(evaluation.summaries)
    summaries = [evaluation.summaries[name] for name in systems]
    languages = Counter(p.expected.language for p in evaluation.pages)
    lines = [
        f"stanwire extraction evaluation: {len(evaluation.pages)} pages in {evaluation.pages_dir} "
        f"({', '.join(f'{lang} {n}' for lang, n in sorted(languages.items()))})",
        *(f"  {name}: {evaluation.versions.get(name, '?')}" for name in systems),
        "",
        f"{'metric':<28}" + "".join(f"{name:>20}" for name in systems),
    ]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"{label:<28}" + "".join(f"{cell:>20}" for cell in cells))

    for average in ("micro", "macro"):
        for measure in ("precision", "recall", "f1"):
            row(
                f"body {measure} ({average})",
                [f"{getattr(getattr(s, average), measure):.3f}" for s in summaries],
            )
    for label, attr in (("date", "date_ok"), ("title", "title_ok"), ("language", "language_ok")):
        row(
            f"{label} accuracy",
            [_fraction(sum(getattr(x, attr) for x in s.scores), s.pages) for s in summaries],
        )
    row("pages with no body", [str(s.failures) for s in summaries])
    if "trafilatura" in systems:
        lines.append(
            "  (trafilatura's defaults detect no language: its `language` is set only with target_language)"
        )
    return lines


def _stanwire_misses(evaluation: Evaluation) -> list[str]:
    by_name = {p.name: p for p in evaluation.pages}
    misses = [
        s for s in evaluation.summaries["stanwire"].scores if not (s.date_ok and s.title_ok and s.language_ok)
    ]
    lines = ["", f"stanwire misses on date / title / language ({len(misses)} pages)"]
    for score in misses:
        expected, got = by_name[score.page].expected, score.extraction
        if not score.date_ok:
            lines.append(f"  {score.page:<34} date     got {got.published!s:<27} want {expected.published}")
        if not score.title_ok:
            lines.append(f"  {score.page:<34} title    got {got.title!r}")
            lines.append(f"  {'':<34}          want {expected.title!r}")
        if not score.language_ok:
            lines.append(f"  {score.page:<34} language got {got.language!s:<27} want {expected.language}")
    return lines


def _stanwire_worst(evaluation: Evaluation, worst: int) -> list[str]:
    by_name = {p.name: p for p in evaluation.pages}
    stanwire = evaluation.summaries["stanwire"]
    other = {s.page: s for s in evaluation.summaries.get("trafilatura", stanwire).scores}
    lines = [
        "",
        f"stanwire's {worst} worst pages by body F1 (trafilatura's F1 on the same page)",
        f"  {'page':<34}{'P':>7}{'R':>7}{'F1':>7}{'traf F1':>9}",
    ]
    for score in worst_pages(stanwire.scores, worst):
        c = score.counts
        lines.append(
            f"  {score.page:<34}{c.precision:7.3f}{c.recall:7.3f}{c.f1:7.3f}{other[score.page].counts.f1:9.3f}"
        )
        if score.extraction.error:
            lines.append(f"      error: {score.extraction.error[:160]}")
        missing, extra = token_differences(score.extraction.body, by_name[score.page].expected.body)
        if missing:
            lines.append(f"      missing: {' '.join(missing)}")
        if extra:
            lines.append(f"      extra:   {' '.join(extra)}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write all figures to this JSON file")
    parser.add_argument("--pages", type=Path, default=PAGES_DIR, help=f"page directory (default {PAGES_DIR})")
    parser.add_argument("--worst", type=int, default=8, metavar="N", help="how many worst pages to list (8)")
    args = parser.parse_args(argv)
    try:
        stanwire, stanwire_version = stanwire_extractor()
        evaluation = evaluate(
            args.pages,
            {"stanwire": stanwire, "trafilatura": trafilatura_extract},
            {"stanwire": stanwire_version, "trafilatura": f"trafilatura {trafilatura.__version__} defaults"},
        )
    except (GoldFormatError, EvaluationError) as exc:
        print(f"run_eval: {exc}", file=sys.stderr)
        return 2
    print(format_report(evaluation, args.worst))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"\nfigures written to {args.json}")
    if evaluation.crashes:
        return 1
    failures = floor_failures(evaluation.to_dict()) if args.pages.resolve() == PAGES_DIR.resolve() else []
    for failure in failures:
        print(f"run_eval: {failure} (eval/extraction/floors.json)", file=sys.stderr)
    return 1 if failures else 0


FLOORS_FILE = Path(__file__).with_name("floors.json")


def floor_failures(figures: dict[str, Any], floors_file: Path = FLOORS_FILE) -> list[str]:
    """Figures below their pinned floor, and a body F1 not ahead of trafilatura's, as messages."""
    floors = json.loads(floors_file.read_text(encoding="utf-8"))
    ours, theirs = figures["systems"]["stanwire"], figures["systems"]["trafilatura"]
    measured = {
        "body_f1_micro": ours["body_micro"]["f1"],
        "body_f1_macro": ours["body_macro"]["f1"],
        "date_accuracy": ours["date_accuracy"],
        "title_accuracy": ours["title_accuracy"],
        "language_accuracy": ours["language_accuracy"],
    }
    failures = [
        f"{name} {measured[name]} is below its floor {floor}"
        for name, floor in floors.items()
        if not name.startswith("_") and measured[name] < floor
    ]
    for kind in ("body_micro", "body_macro"):
        if ours[kind]["f1"] <= theirs[kind]["f1"]:
            failures.append(
                f"{kind} F1 {ours[kind]['f1']} is not ahead of trafilatura's {theirs[kind]['f1']}"
            )
    return failures


if __name__ == "__main__":
    sys.exit(main())
