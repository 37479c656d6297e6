"""`stanwire extract`: the NLP on documents outside the warehouse (text, HTML or JSONL in, JSONL out)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipelines.cli_common import (
    app,
    err_console,
    reports_errors,
    settings_of,
)
from pipelines.cli_common import fail as _fail
from pipelines.clock import make_clock


@app.command()
@reports_errors
def extract(
    ctx: typer.Context,
    files: Annotated[
        list[str] | None,
        typer.Argument(help="Documents to analyse; '-' or none reads JSONL from standard input."),
    ] = None,
    input_format: Annotated[
        str | None,
        typer.Option(
            "--input-format",
            help="txt (a whole document), html (a saved page) or jsonl (one {id, title, text, published, "
            "language} per line) (default: by file name: .jsonl, .html, else txt; stdin: jsonl).",
        ),
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="Output format: jsonl.")] = "jsonl",
    model: Annotated[
        str | None, typer.Option(help="spaCy model for English (default: the `model` setting).")
    ] = None,
) -> None:
    """Find organizations, countries, agreement and censorship events and topics in documents, no warehouse.

    Prints one JSON line per document: {id, language, organizations, countries, events, topics}. A document
    that cannot be read is reported on stderr with its file (and line) and the others are still analysed; the
    exit code is 1 if any was unreadable.
    """
    import nlp  # spaCy, natasha: only this command loads them
    from pipelines.nlp_inputs import INPUT_FORMATS, InputError, input_format_of, read_documents

    if input_format is not None and input_format not in INPUT_FORMATS:
        raise _fail(f"--input-format {input_format!r}: expected one of {', '.join(INPUT_FORMATS)}")
    if format != "jsonl":
        raise _fail(f"--format {format!r}: expected jsonl")
    paths = files or ["-"]
    for path in paths:
        if path != "-" and not Path(path).is_file():
            raise _fail(f"{path}: no such file")
    settings = settings_of(ctx, model=model)
    stdin_text = sys.stdin.read() if "-" in paths else None
    documents: list[nlp.DocumentInput] = []
    errors: list[InputError] = []
    for path in paths:
        found = read_documents(
            path, input_format_of(path, input_format), stdin_text, fetched_at=make_clock(settings.now)()
        )
        for item in found:
            (errors if isinstance(item, InputError) else documents).append(item)  # type: ignore[arg-type]
    for error in errors:
        err_console.print(
            f"[bold red]error:[/] {error.where}: {error.message}", highlight=False, soft_wrap=True
        )
    if documents:
        pipes = nlp.build_pipeline(settings.model)
        for analysis in nlp.analyze_many(pipes, documents):
            sys.stdout.write(json.dumps(dataclasses.asdict(analysis), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if errors:
        raise typer.Exit(1)
