"""`stanwire article`: the article extraction on saved HTML pages, no network."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import typer
from rich.markup import escape

from pipelines.cli_common import (
    SourceOption,
    app,
    console,
    err_console,
    reports_errors,
    settings_of,
    sources_of,
    writing,
)
from pipelines.cli_common import fail as _fail
from pipelines.clock import make_clock, parse_instant_setting


@app.command()
@reports_errors
def article(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Saved HTML pages.")],
    url: Annotated[
        str | None,
        typer.Option(
            help="The page's address, for relative links and the canonical URL (default: from the file name)."
        ),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="jsonl (one line per file) or json (an array).")
    ] = "jsonl",
    fetched_at: Annotated[
        str | None,
        typer.Option(
            help="When the pages were saved (ISO 8601); a date the page gives after it is not its publication "
            "date (default: now)."
        ),
    ] = None,
) -> None:
    """Extract the article of each saved HTML page, as the crawl does: title, text, date, authors, language,
    canonical URL. A page that cannot be read is reported on stderr and the others are still extracted; the exit
    code is 1 if any failed."""
    from spiders.errors import SpidersError
    from spiders.extract import extract_article

    if format not in {"jsonl", "json"}:
        raise _fail(f"--format {format!r}: expected jsonl or json")
    if url is not None and len(files) > 1:
        raise _fail("--url names one page: give one FILE with it")
    try:
        fetched = parse_instant_setting(fetched_at) if fetched_at else make_clock(settings_of(ctx).now)()
    except ValueError as exc:
        raise _fail(f"--fetched-at: {exc}") from exc
    records, failed = [], 0
    for path in files:
        page_url = url or f"http://saved-page.invalid/{quote(path.name)}"
        try:
            html = path.read_bytes()
            found = extract_article(html, page_url, fetched_at=fetched)
        except OSError as exc:
            failed += 1
            message = f"[bold red]error:[/] {path}: cannot read the file: {exc.strerror or exc}"
            err_console.print(message, highlight=False, soft_wrap=True)
            continue
        except SpidersError as exc:
            failed += 1
            err_console.print(
                f"[bold red]error:[/] {escape(str(path))}: {escape(str(exc))}",
                highlight=False,
                soft_wrap=True,
            )
            continue
        records.append(
            {
                "path": str(path),
                "url": page_url,
                "canonical_url": found.canonical_url,
                "title": found.title,
                "text": found.text,
                "published": found.published_at,
                "date_note": found.extractor.get("date_note"),
                "authors": found.authors,
                "language": found.language,
            }
        )
    if format == "json":
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    if failed:
        raise typer.Exit(1)


@app.command()
@reports_errors
def reextract(ctx: typer.Context, source: SourceOption = None) -> None:
    """Run the current extraction again on the HTML stored in the landing folder (no fetching), rewrite the
    records that change, and load them: an improved extractor reaches everything crawled before. Articles whose
    text changed are enriched again by the next `stanwire enrich`."""
    from pipelines import report as report_view
    from pipelines import stages

    settings = settings_of(ctx)
    chosen = sources_of(settings, source) if source else None
    with (
        writing(settings, "reextract"),
        report_view.progress_bar(console, "Extracting stored pages") as advance,
    ):
        result = stages.reextract(settings, chosen, progress=advance)
    landing, load = result.landing, result.load
    console.print(
        f"{landing.records} stored pages: {landing.changed} extracted differently, {landing.unchanged} the same, "
        f"{len(landing.failed)} failed; warehouse: {load.articles_updated} articles updated, "
        f"{load.articles_new} new, {load.articles_duplicate} duplicates"
    )
    for path, message in landing.failed:
        err_console.print(f"  {path}: {message}", highlight=False, soft_wrap=True, markup=False)
