"""What every `stanwire` command module shares: the Typer app, the consoles, error reporting, settings, the run
lock and small helpers. `pipelines.cli` and the command modules (`cli_extraction`, `cli_nlp`, `cli_ops`) import
it; it imports none of them, and nothing heavy: the libraries a command needs (spaCy, natasha, datasketch,
matplotlib, Prefect, Scrapy…) are imported inside that command, so `stanwire sql`, `status` and `--help` start at
once (a test checks it)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from pipelines.clock import make_clock
from pipelines.errors import ConfigError, StanwireError
from pipelines.settings import Settings, load_settings

app = typer.Typer(
    name="stanwire",
    help="News monitoring for telecom and censorship stories in Central Asia: poll feeds, crawl outlets, "
    "extract organizations, countries and events, query them in SQL and read a weekly digest.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

SourceOption = Annotated[
    list[str] | None, typer.Option("--source", "-s", help="Only this source (repeat for several).")
]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `message` as one error line on stderr; return the exit to raise."""
    # The message is text, not markup: a YAML error or a URL may contain [brackets].
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _expected_errors() -> tuple[type[BaseException], ...]:
    """The error classes a command reports in one line. The NLP's is only looked up when the NLP was imported
    (importing `nlp` loads spaCy): a command that never imported it cannot have raised it."""
    from spiders.errors import SpidersError
    from warehouse.errors import WarehouseError

    found: list[type[BaseException]] = [StanwireError, WarehouseError, SpidersError]
    nlp_errors = sys.modules.get("nlp.errors")
    if nlp_errors is not None:
        found.append(nlp_errors.NlpError)
    return tuple(found)


def reports_errors(command: F) -> F:
    """Turn the errors a command can expect into one line on stderr and a non-zero exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except Exception as exc:
            if isinstance(exc, _expected_errors()):
                raise fail(str(exc)) from exc
            raise

    return wrapper  # type: ignore[return-value]


def settings_of(ctx: typer.Context, **overrides: Any) -> Settings:
    """The settings of this command: defaults, the settings file, STANWIRE_* variables, global options."""
    obj = ctx.obj or {}
    values = {"home": obj.get("home"), "sources": obj.get("sources"), **overrides}
    try:
        return load_settings(config_file=obj.get("config"), **values)
    except ConfigError as exc:
        raise fail(str(exc)) from exc


@contextmanager
def writing(settings: Settings, command: str) -> Iterator[None]:
    """Hold the home's run lock while a command writes (landing files, the warehouse): a command started during
    a run, or a run started during it, stops with the same one-line message instead of writing beside it."""
    from pipelines.runs import run_lock

    with run_lock(settings, started_at=make_clock(settings.now)(), command=command):
        yield


def require_writable_home(settings: Settings, command: str) -> None:
    """Stop with one line before anything starts when the home cannot be written."""
    from pipelines.runs import open_lock_file

    open_lock_file(settings, command).close()


def require_warehouse(settings: Settings) -> None:
    """Stop with one line when the home has no warehouse yet (a DuckLake warehouse says so when it is opened)."""
    if settings.lake is not None:
        return
    if not settings.warehouse_path.exists():
        raise fail(
            f"no warehouse at {settings.warehouse_path} yet: run `stanwire run` or `stanwire demo` first"
        )


def sources_of(settings: Settings, only: list[str] | None) -> list[Any]:
    """The sources of the sources file (only those named, when some are)."""
    from pipelines.sources import load_sources

    return load_sources(settings.sources, only=only or None)


def jsonable(value: Any) -> Any:
    """A query result's value as JSON can hold it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


__all__ = [
    "F",
    "SourceOption",
    "app",
    "console",
    "err_console",
    "fail",
    "jsonable",
    "reports_errors",
    "require_warehouse",
    "require_writable_home",
    "settings_of",
    "sources_of",
    "writing",
]

# Path is used by the command modules' annotations through this module's namespace in some tools.
_ = Path
