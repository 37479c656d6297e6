"""A whole run (poll → crawl → load → enrich → digest) and its report, independent of Prefect."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import warehouse.queries
from pipelines import stages
from pipelines.settings import Settings
from pipelines.sources import Source

logger = logging.getLogger(__name__)

T = TypeVar("T")
StageRunner = Callable[..., Any]


def call_directly(stage: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return stage(*args, **kwargs)


@dataclass
class RunReport:
    """What one run did, stage by stage, and what the warehouse holds afterwards."""

    poll: stages.PollReport | None = None
    crawl: stages.CrawlReport | None = None
    load: Any = None
    enrich: stages.EnrichReport | None = None
    digest: stages.DigestResult | None = None
    totals: dict[str, Any] = field(default_factory=dict)


def run_all(
    settings: Settings,
    sources: list[Source],
    *,
    week: str | None = None,
    crawl_sections: bool = True,
    runner: StageRunner = call_directly,
) -> RunReport:
    """Run every stage in order. `runner` calls a stage; the Prefect flow passes one that runs it as a task."""
    report = RunReport()
    report.poll = runner(stages.poll, settings, sources)
    report.crawl = runner(stages.crawl, settings, sources, sections=crawl_sections)
    report.load = runner(stages.load, settings)
    report.enrich = runner(stages.enrich, settings)
    report.digest = runner(stages.digest, settings, week)
    with stages.open_warehouse(settings) as conn:
        report.totals = warehouse.queries.summary_counts(conn)
    return report


def summary_markdown(report: RunReport) -> str:
    """A short Markdown account of a run, used as the Prefect artifact and in logs."""
    lines = ["# stanwire run", ""]
    if report.poll:
        lines += [
            f"- feeds: {report.poll.feeds_ok} ok, {report.poll.feeds_failed} failed "
            f"({report.poll.sources_polled} sources), {report.poll.new_entries} new entries",
        ]
        for feed in report.poll.feeds:
            if feed.error:
                lines.append(f"  - **{feed.source}** {feed.feed_url}: {feed.error}")
    if report.crawl:
        lines.append(
            f"- crawl: {report.crawl.pages_fetched} pages, {report.crawl.articles_written} articles written, "
            f"{report.crawl.errors} errors"
        )
    if report.load is not None:
        lines.append(
            f"- load: {report.load.articles_new} new, {report.load.articles_duplicate} duplicates, "
            f"{report.load.articles_unchanged} unchanged, {len(report.load.files_failed)} bad files"
        )
    if report.enrich:
        lines.append(f"- enrich: {report.enrich.articles} articles ({len(report.enrich.failed)} failed)")
    if report.digest:
        lines.append(f"- digest {report.digest.week}: `{report.digest.path}`")
    if report.totals:
        lines += ["", "| warehouse | count |", "| --- | ---: |"]
        lines += [f"| {k} | {v} |" for k, v in report.totals.items()]
    return "\n".join(lines) + "\n"
