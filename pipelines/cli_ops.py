"""`stanwire search` (BM25 full-text search) and `stanwire export` (Parquet) over the warehouse."""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pipelines.cli_common import (
    app,
    console,
    jsonable,
    reports_errors,
    require_warehouse,
    settings_of,
)
from pipelines.cli_common import fail as _fail


@app.command()
@reports_errors
def search(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help='Words to look for, e.g. "Huawei 5G" (any of them; BM25 ranking).')
    ],
    since: Annotated[
        str | None, typer.Option(help="Only articles published on or after this date (2026-01-01).")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", "-s", help="Only this source.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many articles.")] = 20,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Search article titles and bodies (DuckDB full-text search, BM25), best matches first.

    On a DuckLake warehouse the index is kept in a local replica of its articles (<home>/search-index.duckdb),
    brought up to date with what changed before each search.
    """
    import warehouse.search

    if format not in {"table", "json"}:
        raise _fail(f"--format {format!r}: expected table or json")
    try:
        since_date = date.fromisoformat(since) if since else None
    except ValueError as exc:
        raise _fail(f"--since {since!r}: expected a date like 2026-01-01") from exc
    if limit < 1:
        raise _fail("--limit must be at least 1")
    settings = settings_of(ctx)
    require_warehouse(settings)
    index_path = settings.warehouse_path
    if settings.lake is not None:
        # DuckDB's fts extension builds an index only in a database file: a local replica of the lake's articles
        # in the home, brought up to date (what changed since the last search) before each search.
        from pipelines import stages

        index_path = settings.search_replica_path
        with console.status("Updating the local search replica…"), stages.read_warehouse(settings) as lake:
            warehouse.search.refresh_replica(lake, index_path)
    hits = warehouse.search.search(index_path, query, since=since_date, source=source, limit=limit)
    if format == "json":
        rows = [{k: jsonable(v) for k, v in dataclasses.asdict(hit).items()} for hit in hits]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("score", "date", "source", "title", "url", show_lines=True)
    for hit in hits:
        table.add_row(f"{hit.score:.2f}", str(hit.published_date or ""), hit.source, hit.title or "", hit.url)
    console.print(table)
    console.print(f"{len(hits)} article{'s' if len(hits) != 1 else ''} found", style="dim")


@app.command()
@reports_errors
def export(
    ctx: typer.Context,
    to: Annotated[
        Path,
        typer.Option(
            "--to",
            help="Folder for the Parquet files: new, empty, or an earlier export (its files are replaced).",
        ),
    ],
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Also write into a non-empty folder that is not an export; its files are kept."
        ),
    ] = False,
) -> None:
    """Write every warehouse table as Parquet (articles partitioned by ISO week) for other tools.

    Each export holds a .stanwire-export file listing what it wrote; the next export into the folder removes only
    those files. Nothing else is ever deleted, and the stanwire home or a folder holding the warehouse is refused.
    """
    import warehouse.export

    settings = settings_of(ctx)
    require_warehouse(settings)
    source = None
    if settings.lake is not None:  # the lake's current snapshot
        from warehouse.ducklake import open_lake

        source = functools.partial(open_lake, settings.lake, read_only=True)

    report = warehouse.export.export_parquet(
        settings.warehouse_path, to, force=force, source=source, label=settings.warehouse_label
    )
    table = Table("table", "rows", title=f"Parquet export in {report.folder}")
    for name, rows in report.tables.items():
        table.add_row(name + ("/ (week=…)" if name == "articles" else ".parquet"), str(rows))
    console.print(table)
