"""Errors the warehouse raises on purpose.

`WarehouseError` is the base; `pipelines` catches it at the boundary of a stage or an article and reports it in
one line. Each message says what went wrong and what to do next. A bad landing file is not an exception: the
loader records it in `landing_files` and in its `LoadReport` and goes on with the other files.
"""

from __future__ import annotations

from pathlib import Path


class WarehouseError(Exception):
    """Base of every error the `warehouse` package raises on purpose.

    None is transient (see `pipelines.errors`): a busy warehouse means another run holds it, and runs take turns
    (the `run_wait` setting says how long to wait), so a task retry a few seconds later would only fail again.
    """

    transient: bool = False


class WarehouseBusyError(WarehouseError):
    """Another process (or another connection of this one) holds the warehouse file's write lock."""

    def __init__(self, path: Path, detail: str = "") -> None:
        holder = f" ({detail})" if detail else ""
        super().__init__(
            f"warehouse {path} is in use by another process{holder}: wait for that run to finish, "
            "or stop it, then try again"
        )
        self.path = path


class MigrationError(WarehouseError):
    """A schema migration file is malformed or failed; the warehouse keeps its previous schema version."""


class LoadError(WarehouseError):
    """A record handed to the warehouse (poll, analysis) does not follow its contract in docs/architecture.md."""


class QueryError(WarehouseError):
    """A user's SQL failed; the message is DuckDB's own, on one line."""


def one_line(exc: BaseException) -> str:
    """DuckDB's message on one line: its text and hints, without the echoed query and the caret under it."""
    lines = [line.strip() for line in str(exc).splitlines()]
    kept = [line for line in lines if line and not line.startswith("LINE ") and set(line) != {"^"}]
    return " ".join(kept)
