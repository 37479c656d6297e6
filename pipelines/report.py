"""How commands show their results in the terminal (rich tables, progress)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import warehouse.feeds
import warehouse.queries
import warehouse.runs
from pipelines.runs import interrupted_runs
from pipelines.settings import Settings

if TYPE_CHECKING:
    from pipelines.run import RunReport
    from pipelines.stages import CrawlReport, PollReport


@contextmanager
def progress_bar(console: Console, label: str) -> Iterator[Callable[[int, int], None]]:
    """Yield a `progress(done, total)` callback drawing a bar for long stages."""
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task_id = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task_id, completed=done, total=total)

        yield advance


def print_poll(console: Console, report: PollReport) -> None:
    table = Table("source", "feed", "status", "entries", "new", "error", title="Feeds polled")
    for feed in report.feeds:
        status = "304" if feed.not_modified else str(feed.http_status or "—")
        table.add_row(
            feed.source,
            feed.feed_url,
            status,
            str(feed.entries),
            str(feed.new_entries),
            feed.error or feed.note or "",
            style="red" if feed.error else None,
        )
    console.print(table)
    console.print(
        f"{report.sources_polled} sources, {report.feeds_ok} feeds ok, {report.feeds_failed} failed, "
        f"{report.new_entries} new article URLs queued"
        + (
            f"; {report.skipped} feed{'s' if report.skipped != 1 else ''} not due yet "
            "(stanwire poll --all polls them now)"
            if report.skipped
            else ""
        )
    )


def print_crawl(console: Console, report: CrawlReport) -> None:
    console.print(
        f"Crawled {report.pages_fetched} pages ({report.queued_urls} queued URLs, {report.sections} sections, "
        f"{report.listing_pages} listing pages): {report.articles_written} articles written, "
        f"{report.errors} errors recorded"
        + (f", {report.processes} crawl processes" if report.processes > 1 else "")
        + f". Job: {report.job_dir}"
    )


def print_load(console: Console, report: Any) -> None:
    console.print(
        f"Loaded {report.files_seen - report.files_skipped} new landing files "
        f"({report.files_skipped} already loaded): {report.articles_new} new articles, "
        f"{report.articles_updated} updated, {report.articles_unchanged} unchanged, "
        f"{report.articles_duplicate} duplicates, {report.errors_loaded} crawl errors"
    )
    for path, message in report.files_failed:
        console.print(f"  [red]bad landing file[/] {escape(str(path))}: {escape(message)}", highlight=False)


def print_run(console: Console, report: RunReport, settings: Settings) -> None:
    """The end-of-run summary: what each stage did and what the warehouse now holds."""
    totals = report.totals
    table = Table(title="stanwire run summary", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    if report.poll:
        table.add_row("sources polled", str(report.poll.sources_polled))
        table.add_row("feeds ok / failed", f"{report.poll.feeds_ok} / {report.poll.feeds_failed}")
    if report.crawl:
        table.add_row("pages fetched", str(report.crawl.pages_fetched))
    if report.load is not None:
        table.add_row(
            "articles new / duplicate", f"{report.load.articles_new} / {report.load.articles_duplicate}"
        )
    if report.enrich:
        table.add_row("articles enriched", str(report.enrich.articles))
    for key in ("articles", "organizations", "countries", "agreement_events", "censorship_events"):
        if key in totals:
            table.add_row(f"warehouse: {key.replace('_', ' ')}", str(totals[key]))
        if key == "articles" and report.load is not None:
            table.add_row("warehouse: stories told by several", str(report.load.stories_with_copies))
    console.print(table)
    if report.poll:
        for feed in report.poll.feeds:
            if feed.error:
                console.print(
                    f"[red]feed failed[/] {feed.source} {escape(feed.feed_url)}: {escape(feed.error)}",
                    highlight=False,
                )
    if report.load is not None:
        for path, message in report.load.files_failed:
            console.print(f"[red]bad landing file[/] {escape(str(path))}: {escape(message)}", highlight=False)
    if report.digest:
        paths = report.digest.paths or [report.digest.path]
        console.print(f"Digest {report.digest.week}: {', '.join(str(p) for p in paths)}")
    console.print(f"Warehouse: {settings.warehouse_label}")


def print_next_steps(console: Console, settings: Settings) -> None:
    home = f"--home {settings.home} " if settings.home.name != "stanwire-data" else ""
    console.print("\nTry next:")
    command = _command_name()
    for query in (
        "SELECT source, count(*) AS articles FROM articles GROUP BY source ORDER BY articles DESC",
        "SELECT date, parties, subtype, status, subject FROM v_agreements ORDER BY date",
        "SELECT o.name, count(*) AS articles FROM article_organizations ao JOIN organizations o "
        "ON o.id = ao.org_id GROUP BY o.name ORDER BY articles DESC LIMIT 10",
    ):
        console.print(f'  {command} {home}sql "{query}"', highlight=False, soft_wrap=True)


def _command_name() -> str:
    """`stanwire` when it is on PATH, else the script's path as typed from here (`.venv/bin/stanwire` after make)."""
    if shutil.which("stanwire"):
        return "stanwire"
    script = Path(sys.executable).with_name("stanwire")
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def print_status(
    console: Console,
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    now: datetime,
    interrupted: dict[int, str] | None = None,
) -> None:
    """Counts, each feed's health and schedule (a feed whose next poll is not after `now` is due), the last runs.

    A run still recorded as `running` whose process is gone (`interrupted`, default: found by
    `pipelines.runs.interrupted_runs`) is shown as `interrupted`, with the reason.
    """
    if interrupted is None:
        interrupted = interrupted_runs(conn, settings.home, shared=settings.lake is not None)
    counts = warehouse.queries.summary_counts(conn)
    table = Table("what", "count", title=f"Warehouse {settings.warehouse_label}")
    for key, value in counts.items():
        table.add_row(key.replace("_", " "), str(value))
    console.print(table)
    health = warehouse.feeds.feed_health(conn)
    feeds = Table(
        "source",
        "feed",
        "health",
        "last ok",
        "failures in a row",
        "every",
        "next poll",
        "last error",
        title="Feeds",
    )
    for row in health:
        failing = bool(row.get("consecutive_failures"))
        interval = row.get("interval_seconds")
        next_poll = row.get("next_poll_at")
        feeds.add_row(
            str(row.get("source")),
            str(row.get("feed_url")),
            str(row.get("health") or "ok"),
            f"{row['last_ok_at']:%Y-%m-%d %H:%M}" if row.get("last_ok_at") else "never",
            str(row.get("consecutive_failures") or 0),
            f"{interval // 60} min" if interval else "—",
            f"{next_poll:%Y-%m-%d %H:%M}" if next_poll and next_poll > now else "due now",
            str(row.get("last_error") or ""),
            style="red" if row.get("unhealthy") else "yellow" if failing else None,
        )
    console.print(feeds)
    runs = warehouse.runs.last_runs(conn, limit=5)
    recent = Table(
        "run", "flow", "started (UTC)", "took", "status", "new articles", "errors", title="Last runs"
    )
    for run in runs:
        if run["status"] == "running" and run["id"] in interrupted:
            run = {**run, "status": "interrupted", "message": interrupted[run["id"]]}
        took = (
            f"{(run['ended_at'] - run['started_at']).total_seconds():.0f} s"
            if run["ended_at"]
            else "running…"
            if run["status"] == "running"
            else "—"
        )
        errors = run["errors"]
        detail = "; ".join(f"{e['source']} {e['stage']}" for e in errors[:3]) + (
            " …" if len(errors) > 3 else ""
        )
        recent.add_row(
            str(run["id"]),
            run["flow"],
            f"{run['started_at']:%Y-%m-%d %H:%M}",
            took,
            run["status"] + (f": {run['message']}" if run["message"] else ""),
            str(run["counts"].get("load", {}).get("articles_new", "")),
            f"{len(errors)} ({detail})" if errors else "0",
            style="red"
            if run["status"] == "failed"
            else "yellow"
            if run["status"] == "interrupted"
            else None,
        )
    console.print(recent if runs else "No runs recorded yet.")
