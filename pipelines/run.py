"""A whole run (poll → crawl → load → enrich → digest) and its report, independent of Prefect."""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import warehouse.db
import warehouse.queries
import warehouse.runs
from pipelines import stages
from pipelines.clock import Clock
from pipelines.errors import RunError
from pipelines.runs import run_lock, runs_of_this_home, this_host
from pipelines.settings import Settings
from pipelines.sources import Source

logger = logging.getLogger(__name__)

T = TypeVar("T")
StageRunner = Callable[..., Any]


def call_directly(stage: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return stage(*args, **kwargs)


@dataclass
class SourceError:
    """A stage that failed for one source; the run went on with the others."""

    source: str
    stage: str
    message: str


@dataclass
class RunReport:
    """What one run did, stage by stage, and what the warehouse holds afterwards."""

    poll: stages.PollReport | None = None
    crawl: stages.CrawlReport | None = None
    load: Any = None
    enrich: stages.EnrichReport | None = None
    digest: stages.DigestResult | None = None
    totals: dict[str, Any] = field(default_factory=dict)
    source_errors: list[SourceError] = field(default_factory=list)
    run_id: int | None = None


def run_all(
    settings: Settings,
    sources: list[Source],
    *,
    clock: Clock,
    week: str | None = None,
    crawl_sections: bool = True,
    runner: StageRunner = call_directly,
    flow: str = "run",
    through: str = "digest",
    every_feed: bool = False,
) -> RunReport:
    """Run every stage in order, one source at a time for poll and crawl, and record the run in `runs`.

    `runner` calls a stage; the Prefect flow passes one that runs it as a task. `through="load"` stops after
    the load (the `ingest` flow). Feeds are polled when due (adaptive schedule) unless `every_feed`. A source whose poll or crawl
    fails is recorded (run report, `runs.errors`, the log) and the others go on; a failure of load, enrich or
    digest stops the run, which is then recorded as failed. Every stage reads the time from `clock`.
    """
    report = RunReport()
    started_at = clock()
    with run_lock(settings, started_at=started_at):
        with stages.open_warehouse(settings) as conn:
            # This run holds the lock: a run still marked `running` is one whose process died before it ended.
            # On a shared (DuckLake) warehouse other machines' and homes' runs are running too: only those this
            # machine recorded in this home are this lock's to judge.
            running = warehouse.runs.running_runs(conn)
            if settings.lake is not None:
                running = runs_of_this_home(running, settings.home)
            stale = [int(r["id"]) for r in running]
            report.run_id = warehouse.db.retry_on_conflict(
                lambda: warehouse.runs.start_run(
                    conn,
                    flow,
                    started_at=started_at,
                    pid=os.getpid(),
                    host=this_host(),
                    home=str(settings.home),
                ),
                what="recording the run",
            )
            warehouse.runs.mark_interrupted(
                conn,
                stale,
                message=f"its process ended before the run did (killed or stopped); found by run {report.run_id}",
            )
        try:
            _ingest(settings, sources, report, runner, crawl_sections, every_feed, clock)
            report.load = runner(stages.load, settings)
            if through == "digest":  # the `ingest` flow stops after the load
                report.enrich = runner(stages.enrich, settings)
                report.digest = runner(stages.digest, settings, week, today=clock().date())
        except Exception as exc:
            _finish(settings, report, "failed", f"{type(exc).__name__}: {exc}", clock)
            raise
        with stages.open_warehouse(settings) as conn:
            report.totals = warehouse.queries.summary_counts(conn)
        _finish(settings, report, "ok", None, clock)
    return report


def _ingest(
    settings: Settings,
    sources: list[Source],
    report: RunReport,
    runner: StageRunner,
    crawl_sections: bool,
    every_feed: bool,
    clock: Clock,
) -> None:
    report.poll = stages.PollReport()
    crawls: list[stages.CrawlReport] = []
    for source in sources:
        polled = _for_source(
            report,
            source,
            "poll",
            runner,
            stages.poll,
            settings,
            [source],
            clock=clock,
            every_feed=every_feed,
        )
        if polled is not None:
            report.poll.feeds += polled.feeds
            report.poll.skipped += polled.skipped
    for source in sources:
        crawled = _for_source(
            report,
            source,
            "crawl",
            runner,
            stages.crawl,
            settings,
            [source],
            clock=clock,
            sections=crawl_sections,
        )
        if crawled is not None:
            crawls.append(crawled)
    if crawls:
        report.crawl = stages.CrawlReport(
            queued_urls=sum(c.queued_urls for c in crawls),
            sections=sum(c.sections for c in crawls),
            pages_fetched=sum(c.pages_fetched for c in crawls),
            articles_written=sum(c.articles_written for c in crawls),
            errors=sum(c.errors for c in crawls),
            listing_pages=sum(c.listing_pages for c in crawls),
            job_dir=crawls[-1].job_dir,
        )


def _for_source(
    report: RunReport,
    source: Source,
    stage: str,
    runner: StageRunner,
    function: Callable[..., T],
    *args: Any,
    **kwargs: Any,
) -> T | None:
    try:
        return runner(function, *args, **kwargs)
    except Exception as exc:  # one outlet's failure is recorded and never stops the others
        logger.exception("%s failed for source=%s", stage, source.name)
        report.source_errors.append(SourceError(source.name, stage, f"{type(exc).__name__}: {exc}"))
        return None


def _finish(settings: Settings, report: RunReport, status: str, message: str | None, clock: Clock) -> None:
    if report.run_id is None:
        return
    errors = [dataclasses.asdict(e) for e in report.source_errors]
    if report.poll:
        errors += [
            {"source": f.source, "stage": "poll", "message": f.error} for f in report.poll.feeds if f.error
        ]
    try:
        with stages.open_warehouse(settings) as conn:
            run_id = report.run_id
            warehouse.db.retry_on_conflict(
                lambda: warehouse.runs.finish_run(
                    conn,
                    run_id,
                    status=status,
                    counts=run_counts(report),
                    errors=errors,
                    ended_at=clock(),
                    message=message,
                ),
                what="recording the end of the run",
            )
    except RunError as exc:  # the run's own outcome matters more than its bookkeeping
        logger.error("could not record the end of run %s: %s", report.run_id, exc)


def run_counts(report: RunReport) -> dict[str, Any]:
    """Counts per stage, as stored in `runs.counts`."""
    counts: dict[str, Any] = {}
    if report.poll:
        counts["poll"] = {
            "sources": report.poll.sources_polled,
            "feeds_ok": report.poll.feeds_ok,
            "feeds_failed": report.poll.feeds_failed,
            "new_entries": report.poll.new_entries,
        }
    if report.crawl:
        counts["crawl"] = {
            "pages_fetched": report.crawl.pages_fetched,
            "articles_written": report.crawl.articles_written,
            "errors": report.crawl.errors,
        }
    if report.load is not None:
        counts["load"] = {
            "articles_new": report.load.articles_new,
            "articles_updated": report.load.articles_updated,
            "articles_duplicate": report.load.articles_duplicate,
            "files_failed": len(report.load.files_failed),
        }
    if report.enrich:
        counts["enrich"] = {"articles": report.enrich.articles, "failed": len(report.enrich.failed)}
    if report.digest:
        counts["digest"] = {"week": report.digest.week, "articles": report.digest.articles}
    return counts


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
    for error in report.source_errors:
        lines.append(f"  - **{error.source}** {error.stage} failed: {error.message}")
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
