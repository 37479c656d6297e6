"""The `runs` table: one row per pipeline run, written when it starts and completed when it ends."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb

__all__ = ["finish_run", "last_runs", "start_run"]


def start_run(conn: duckdb.DuckDBPyConnection, flow: str, *, started_at: datetime) -> int:
    """Record a run as running since `started_at`; return its id."""
    row = conn.execute(
        "INSERT INTO runs (flow, started_at, status) VALUES (?, ?, 'running') RETURNING id",
        [flow, started_at],
    ).fetchone()
    assert row is not None
    return int(row[0])


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


def last_runs(conn: duckdb.DuckDBPyConnection, limit: int = 5) -> list[dict[str, Any]]:
    """The latest runs, newest first, with counts and errors decoded."""
    cursor = conn.execute(
        "SELECT id, flow, started_at, ended_at, status, counts, errors, message FROM runs "
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
