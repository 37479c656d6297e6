"""`stanwire article`: the article extraction on saved HTML pages, no network."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import typer

from pipelines.cli import _fail, app, err_console, reports_errors


@app.command()
@reports_errors
def article(
    files: Annotated[list[Path], typer.Argument(help="Saved HTML pages.")],
    url: Annotated[
        str | None,
        typer.Option(
            help="The page's address (resolves relative links, canonical URL) [default: from the file name]."
        ),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="jsonl (one line per file) or json (an array).")
    ] = "jsonl",
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
    records, failed = [], 0
    for path in files:
        page_url = url or f"http://saved-page.invalid/{quote(path.name)}"
        try:
            html = path.read_bytes()
            found = extract_article(html, page_url)
        except OSError as exc:
            failed += 1
            message = f"[bold red]error:[/] {path}: cannot read the file: {exc.strerror or exc}"
            err_console.print(message, highlight=False, soft_wrap=True)
            continue
        except SpidersError as exc:
            failed += 1
            err_console.print(f"[bold red]error:[/] {path}: {exc}", highlight=False, soft_wrap=True)
            continue
        records.append(
            {
                "path": str(path),
                "url": page_url,
                "canonical_url": found.canonical_url,
                "title": found.title,
                "text": found.text,
                "published": found.published_at,
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
