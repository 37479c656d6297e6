"""Export the warehouse as Parquet files for other tools (pandas, polars, Spark, R's arrow…)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from warehouse.db import connect, upgrade_if_needed
from warehouse.errors import WarehouseError, one_line

__all__ = ["ExportReport", "export_parquet"]

# Articles are many: one folder per ISO week of publication (week=2026-W47/…), readable as one dataset.
_ARTICLES = """
    SELECT *, strftime(coalesce(published_date, CAST(first_seen_at AS DATE)), '%G-W%V') AS week FROM articles
"""


@dataclass
class ExportReport:
    """Rows written per table, and where."""

    folder: Path
    tables: dict[str, int] = field(default_factory=dict)


def export_parquet(path: Path, folder: Path) -> ExportReport:
    """Write every table of the warehouse to `folder` as `<table>.parquet` (`articles/` partitioned by week).

    The export is written beside `folder` first and swapped in at the end, so a failed export leaves an
    earlier one whole.
    """
    upgrade_if_needed(path)
    folder = folder.resolve()
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    report = ExportReport(folder)
    conn = connect(path, read_only=True)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT internal "
                "ORDER BY table_name"
            ).fetchall()
        ]
        for table in tables:
            if table == "articles":
                conn.sql(_ARTICLES).write_parquet(str(staging / "articles"), partition_by=["week"])
            else:
                # The name comes from the catalog, not from the user.
                conn.table(table).write_parquet(str(staging / f"{table}.parquet"))
            count = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            report.tables[table] = int(count[0]) if count else 0
    except duckdb.Error as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise WarehouseError(f"export to {folder} failed, nothing replaced: {one_line(exc)}") from exc
    finally:
        conn.close()
    if folder.exists():
        shutil.rmtree(folder)
    staging.rename(folder)
    return report
