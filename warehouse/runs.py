"""The `runs` table: one row per pipeline run, written when it starts and completed when it ends."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb

from warehouse.ids import time_ordered_id

__all__ = ["finish_run", "last_runs", "mark_interrupted", "running_runs", "start_run"]


def start_run(
    conn: duckdb.DuckDBPyConnection,
    flow: str,
    *,
    started_at: datetime,
    pid: int | None = None,
    host: str | None = None,
    home: str | None = None,
) -> int:
    """Record a run as running since `started_at` in process `pid` on machine `host`, home `home`; return its id
    (warehouse.ids)."""
    run_id = time_ordered_id()
    conn.execute(
        "INSERT INTO runs (id, flow, started_at, status, pid, host, home) VALUES (?, ?, ?, 'running', ?, ?, ?)",
        [run_id, flow, started_at, pid, host, home],
    )
    return run_id


def finish_run(
    conn: duckdb.DuckDBPyConnection,
    run_id: int,
    *,
    status: str,
    counts: dict[str, Any],
    errors: list[dict[str, Any]],
    ended_at: datetime,
    message: str | None = None,
) -> None:
    """Complete a run's row with its end, status, counts per stage and errors per source."""
    conn.execute(
        "UPDATE runs SET ended_at = ?, status = ?, counts = ?, errors = ?, message = ? WHERE id = ?",
        [ended_at, status, json.dumps(counts, default=str), json.dumps(errors), message, run_id],
    )


def running_runs(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The runs still marked `running`: `id`, `flow`, `started_at`, `pid`, `host`, `home` (None for runs recorded
    before these were)."""
    optional = ", ".join(
        name if _has_column(conn, name) else f"NULL AS {name}" for name in ("pid", "host", "home")
    )
    cursor = conn.execute(
        f"SELECT id, flow, started_at, {optional} FROM runs WHERE status = 'running' ORDER BY id"
    )
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def mark_interrupted(conn: duckdb.DuckDBPyConnection, run_ids: list[int], *, message: str) -> int:
    """Record runs whose process died before they ended as `interrupted` (only those still `running`)."""
    if not run_ids:
        return 0
    # Counted, then updated (a DuckLake table takes no UPDATE … RETURNING), in one transaction unless the caller
    # holds one already.
    marks = ", ".join("?" for _ in run_ids)
    found = conn.execute(
        f"SELECT count(*) FROM runs WHERE status = 'running' AND id IN ({marks})", run_ids
    ).fetchone()
    conn.execute(
        f"UPDATE runs SET status = 'interrupted', message = ? WHERE status = 'running' AND id IN ({marks})",
        [message, *run_ids],
    )
    return int(found[0]) if found else 0


def _has_column(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    """A read-only connection to a warehouse of an older stanwire may lack `runs.pid` (migration 009),
    `runs.host` and `runs.home` (014)."""
    row = conn.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'runs' AND column_name = ? "
        "AND table_catalog = current_database()",
        [name],
    ).fetchone()
    return bool(row and row[0])


def last_runs(conn: duckdb.DuckDBPyConnection, limit: int = 5) -> list[dict[str, Any]]:
    """The latest runs, newest first, with counts and errors decoded."""
    pid = "pid" if _has_column(conn, "pid") else "NULL AS pid"
    cursor = conn.execute(
        f"SELECT id, flow, started_at, ended_at, status, counts, errors, message, {pid} FROM runs "
        "ORDER BY started_at DESC, id DESC LIMIT ?",
        [limit],
    )
    columns = [d[0] for d in cursor.description]
    runs = []
    for row in cursor.fetchall():
        run = dict(zip(columns, row, strict=True))
        run["counts"] = json.loads(run["counts"]) if run["counts"] else {}
        run["errors"] = json.loads(run["errors"]) if run["errors"] else []
        runs.append(run)
    return runs
