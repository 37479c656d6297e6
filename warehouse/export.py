"""Export the warehouse as Parquet files for other tools (pandas, polars, Spark, R's arrow…)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import duckdb

from warehouse.db import connect, upgrade_if_needed
from warehouse.errors import WarehouseError, one_line

__all__ = ["MARKER", "ExportReport", "export_parquet"]

# Every export holds this file: what it wrote (JSON), so the next export replaces exactly those files.
MARKER = ".stanwire-export"
MARKER_SCHEMA = "stanwire.export/1"

# Articles are many: one folder per ISO week of publication (week=2026-W47/…), readable as one dataset.
_ARTICLES = """
    SELECT *, strftime(coalesce(published_date, CAST(first_seen_at AS DATE)), '%G-W%V') AS week FROM articles
"""


@dataclass
class ExportReport:
    """Rows written per table, and where."""

    folder: Path
    tables: dict[str, int] = field(default_factory=dict)


def export_parquet(
    path: Path,
    folder: Path,
    *,
    force: bool = False,
    source: Callable[[], duckdb.DuckDBPyConnection] | None = None,
    label: str | None = None,
) -> ExportReport:
    """Write every table of the warehouse to `folder` as `<table>.parquet` (`articles/` partitioned by week).

    `folder` may be new, empty, or an earlier export (it has a `MARKER` file listing what that export wrote):
    only those files are replaced. A folder with other files is refused unless `force`, and then its other files
    are kept (a file of the same name as one the export writes is never overwritten). The stanwire home, the
    warehouse and any folder holding them are refused whatever `force` says. The export is written into a
    temporary folder beside `folder` and moved into place at the end, so a failed export leaves an earlier one
    whole.

    `source` opens the connection to read instead of the file at `path` (a DuckLake warehouse: its tables, the
    current snapshot; `label` names it in the export's marker); `path` then names the home's warehouse file, which
    stays protected as above.
    """
    if source is None:
        upgrade_if_needed(path)
    path = Path(path).resolve()
    folder = Path(folder).resolve()
    previous = _check_target(path, folder, force=force)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    except OSError as exc:
        raise WarehouseError(f"cannot export to {folder}: {exc.strerror or exc}") from exc
    try:
        report = _write_tables(source or (lambda: connect(path, read_only=True)), staging, folder)
        written = sorted(str(p.relative_to(staging).as_posix()) for p in staging.rglob("*") if p.is_file())
        marker = {
            "schema": MARKER_SCHEMA,
            "warehouse": label or str(path),
            "tables": report.tables,
            "files": written,
        }
        (staging / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        _move_into_place(staging, folder, previous)
    except OSError as exc:
        raise WarehouseError(f"export to {folder} failed: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # ours, and gone already when the export went into place
    return report


def _write_tables(
    source: Callable[[], duckdb.DuckDBPyConnection], staging: Path, folder: Path
) -> ExportReport:
    report = ExportReport(folder)
    conn = source()
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT internal "
                "AND database_name = current_database() ORDER BY table_name"
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
        raise WarehouseError(f"export to {folder} failed, nothing replaced: {one_line(exc)}") from exc
    finally:
        conn.close()
    return report


def _check_target(path: Path, folder: Path, *, force: bool) -> set[str] | None:
    """Refuse a folder the export must not write into; return what an earlier export there wrote (None: none)."""
    home = path.parent
    if folder == home or path.is_relative_to(folder):
        raise WarehouseError(
            f"refusing to export to {folder}: it holds the stanwire home and warehouse {path}; "
            f"choose a folder of its own, e.g. {home / 'export'}"
        )
    if not folder.exists():
        return None
    if not folder.is_dir():
        raise WarehouseError(f"cannot export to {folder}: it is a file, not a folder; choose a folder")
    previous = _previous_export(folder)
    if previous is None and any(folder.iterdir()) and not force:
        raise WarehouseError(
            f"refusing to export to {folder}: it is not empty and holds no earlier stanwire export; choose a new "
            "or empty folder, or add --force to write into it (its files are kept)"
        )
    return previous


def _previous_export(folder: Path) -> set[str] | None:
    """The files an earlier export in `folder` wrote, from its marker; None if there is no valid one.

    Each listed path must stay inside `folder` (no absolute path, no `..`, no symlink leading out), or the marker
    is not one stanwire wrote and nothing it lists is touched.
    """
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(data, dict)
        or data.get("schema") != MARKER_SCHEMA
        or not isinstance(data.get("files"), list)
    ):
        return None
    files: set[str] = set()
    for name in data["files"]:
        if not isinstance(name, str):
            return None
        relative = PurePosixPath(name)
        if relative.is_absolute() or not relative.parts or ".." in relative.parts or name == MARKER:
            return None
        try:
            inside = (folder / relative).resolve().is_relative_to(folder)
        except OSError:
            return None
        if not inside:
            return None
        files.add(relative.as_posix())
    return files


def _contents(root: Path) -> tuple[set[str], bool]:
    """The files under `root` (relative, POSIX style), and whether anything else is there too: a symlink, or a
    folder holding no file."""
    files: set[str] = set()
    other = False
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        other = other or (base != root and not filenames and not dirnames)
        for name in dirnames:
            other = other or (base / name).is_symlink()
        for name in filenames:
            item = base / name
            if item.is_symlink() or not item.is_file():
                other = True
            files.add(item.relative_to(root).as_posix())
    return files, other


def _move_into_place(staging: Path, folder: Path, previous: set[str] | None) -> None:
    """Put the new export at `folder`, removing only the files the earlier export (if any) wrote."""
    if not folder.exists():
        staging.rename(folder)
        return
    if not any(folder.iterdir()):
        folder.rmdir()
        staging.rename(folder)
        return
    owned = (previous or set()) | ({MARKER} if previous is not None else set())
    present, other = _contents(folder)
    if previous is not None and not other and present <= owned:
        # Only the earlier export is there: swap the folders, then clear the old one's files.
        retired = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
        folder.rename(retired / folder.name)
        try:
            staging.rename(folder)
        except OSError:
            (retired / folder.name).rename(folder)
            retired.rmdir()
            raise
        _remove(retired / folder.name, owned)
        _remove_empty(retired / folder.name)
        _remove_empty(retired)
        return
    # Other files live here too: they stay, and the new export's files are moved in beside them, none over a
    # file that is not the earlier export's.
    written = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    for name in written:
        target = folder / name
        steps = [
            folder / Path(*PurePosixPath(name).parts[:i]) for i in range(1, len(PurePosixPath(name).parts))
        ]
        blocked = next((step for step in steps if step.is_symlink() or step.is_file()), None)
        if blocked is not None and blocked.relative_to(folder).as_posix() not in owned:
            target = blocked
        elif not ((target.exists() or target.is_symlink()) and name not in owned):
            continue
        raise WarehouseError(
            f"cannot export to {folder}: {target} is not from a stanwire export and would be overwritten; "
            "move it away or choose another folder"
        )
    _remove(folder, owned)
    for name in written:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).rename(folder / name)


def _remove(root: Path, files: set[str]) -> None:
    """Delete the listed files under `root`, then the folders they leave empty (never anything else)."""
    folders: set[Path] = set()
    for name in files:
        item = root / name
        if item.is_file() or item.is_symlink():
            item.unlink()
        folders.update(p for p in (root / name).parents if p.is_relative_to(root) and p != root)
    for item in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        _remove_empty(item)


def _remove_empty(item: Path) -> None:
    with contextlib.suppress(OSError):  # not empty: something not ours is in it, and stays
        item.rmdir()
