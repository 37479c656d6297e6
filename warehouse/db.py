"""Opening the warehouse: connections, numbered SQL migrations, views and the full-text search extension.

The schema lives in `warehouse/migrations/NNN_name.sql`, applied in order, each in its own transaction, and
recorded in `schema_migrations`. Views live in `warehouse/views/*.sql` as `CREATE OR REPLACE VIEW` statements and
are re-applied on every read-write connect, so a changed view reaches existing warehouses without a migration.
"""

from __future__ import annotations

import importlib.util
import itertools
import logging
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from warehouse.errors import MigrationError, WarehouseBusyError, WarehouseError, one_line

logger = logging.getLogger(__name__)


# DuckDB's Python client tries `import pandas` for every Python value it converts (query parameters) to see
# whether it is a pandas value; where pandas is not installed each attempt searches the whole sys.path again,
# which made a bulk INSERT of 400 articles spend 15 s in the import system. A module known to be absent fails at
# once: only done when pandas really cannot be imported, so an installation with pandas is left alone.
if "pandas" not in sys.modules and importlib.util.find_spec("pandas") is None:
    sys.modules["pandas"] = None  # type: ignore[assignment]

__all__ = [
    "apply_migrations",
    "apply_views",
    "begin_write",
    "connect",
    "connect_current",
    "extension_path",
    "fts_extension_path",
    "id_list",
    "is_conflict",
    "is_current",
    "is_lake",
    "load_fts",
    "retry_on_conflict",
    "rollback",
    "schema_version",
    "staged",
    "upgrade_if_needed",
    "write_transaction",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VIEWS_DIR = Path(__file__).parent / "views"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


def connect(
    path: Path, *, read_only: bool = False, config: dict[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at `path`; a read-write connection first applies pending migrations and the views.

    `config` is DuckDB's configuration for the new connection (settings that can only be given at start-up).

    Raises `WarehouseBusyError` when another process holds the file, `WarehouseError` when a read-only
    connection is asked for a warehouse that does not exist yet, `MigrationError` when the schema cannot be
    brought up to date.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path} yet: load some landing files into it first")
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(
                f"cannot create the folder of warehouse {path}: {exc.strerror or exc}"
            ) from exc
    try:
        conn = (
            duckdb.connect(str(path), read_only=True, config=config or {})
            if read_only
            else _attach(path, config)
        )
    except duckdb.IOException as exc:
        holder = _LOCK_HOLDER.search(str(exc))
        if holder:
            raise WarehouseBusyError(path, f"{holder.group(1)}, PID {holder.group(2)}") from exc
        raise WarehouseError(f"cannot open warehouse {path}: {one_line(exc)}") from exc
    except (duckdb.ConnectionException, duckdb.BinderException) as exc:
        if isinstance(exc, duckdb.BinderException) and "Unique file handle conflict" not in str(exc):
            raise WarehouseError(f"cannot open warehouse {path}: {one_line(exc)}") from exc
        # One process opens a file once at a time: a read-write connection attaches it (below), and a second
        # connection to it, read-only or read-write, is refused while the first is open.
        raise WarehouseBusyError(path, "an open connection of this process") from exc
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot open warehouse {path}: {one_line(exc)}") from exc
    try:
        # Timestamps come back in UTC whatever the machine's zone, so results do not depend on where they run.
        conn.execute("SET TimeZone = 'UTC'")
        if not read_only:
            apply_migrations(conn)
            apply_views(conn)
    except BaseException:
        conn.close()
        raise
    return conn


# Rows per row group of a read-write connection's tables. A checkpoint rewrites the last, partly filled row group of
# every table it appended to; at DuckDB's default of 122,880 rows, `articles` (text of 100,000 articles in one row
# group) cost 2.3 s to checkpoint after 100 new articles, against 0.04 s at 16,384 rows. The size is an option of
# ATTACH, not of a database file or of duckdb.connect, so read-write connections attach the file.
ROW_GROUP_SIZE = 16_384
CATALOG = "warehouse"


def _attach(path: Path, config: dict[str, Any] | None) -> duckdb.DuckDBPyConnection:
    """A read-write connection: an in-memory database with the file attached as `warehouse` and in use."""
    # DuckDB spills to `<file>.tmp` beside a database file it opens, to `./.tmp` for an in-memory one
    conn = duckdb.connect(config={"temp_directory": f"{path}.tmp", **(config or {})})
    try:
        conn.execute(f"ATTACH '{_quoted(str(path))}' AS {CATALOG} (ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
        conn.execute(f"USE {CATALOG}")
    except BaseException:
        conn.close()
        raise
    return conn


def _quoted(text: str) -> str:
    return text.replace("'", "''")


def _migration_files() -> list[tuple[int, str, Path]]:
    """The migrations shipped with this code, as (version, name, path) in version order."""
    found: dict[int, tuple[int, str, Path]] = {}
    for sql_file in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(sql_file.name)
        if not match:
            raise MigrationError(f"migration file {sql_file.name} is not named NNN_name.sql; rename it")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(
                f"migrations {found[version][2].name} and {sql_file.name} share version {version}; renumber one"
            )
        found[version] = (version, match.group(2), sql_file)
    return [found[v] for v in sorted(found)]


def schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    """The highest migration version applied to this warehouse (0 for a new one)."""
    row = conn.execute(
        "SELECT max(version) FROM schema_migrations"
        if _has_table(conn, "schema_migrations")
        else "SELECT NULL"
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def apply_migrations(
    conn: duckdb.DuckDBPyConnection, *, translate: Callable[[str], str] | None = None
) -> list[int]:
    """Apply the migrations this warehouse lacks, in order, one transaction each; return their versions.

    `translate` rewrites each script (and the `schema_migrations` table's DDL) before it runs: the DuckLake
    backend passes `warehouse.ducklake.translate_ddl`, since DuckLake has no sequences or constraints."""
    prepare = translate or (lambda sql: sql)
    conn.execute(
        prepare(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name VARCHAR NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
            )
            """
        )
    )
    applied = {int(row[0]) for row in conn.execute("SELECT version FROM schema_migrations").fetchall()}
    files = _migration_files()
    known = {version for version, _, _ in files}
    newer = sorted(applied - known)
    if newer:
        raise MigrationError(
            f"this warehouse has schema version {newer[-1]}, newer than this stanwire knows "
            f"({max(known, default=0)}): upgrade stanwire before writing to it"
        )
    done: list[int] = []
    for version, name, sql_file in files:
        if version in applied:
            continue
        script = prepare(sql_file.read_text(encoding="utf-8"))
        conn.execute("BEGIN TRANSACTION")
        try:
            conn.execute(script)
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
            conn.execute("COMMIT")
        except duckdb.Error as exc:
            rollback(conn)
            raise MigrationError(
                f"migration {sql_file.name} failed, the warehouse stays at version "
                f"{max(applied | set(done), default=0)}: {one_line(exc)}"
            ) from exc
        logger.info("applied migration version=%d name=%s", version, name)
        done.append(version)
    return done


def is_current(conn: duckdb.DuckDBPyConnection) -> bool:
    """True when this warehouse has every migration and view of this stanwire (or is not a warehouse at all:
    nothing to upgrade then)."""
    if not _has_table(conn, "schema_migrations"):
        return True
    version = schema_version(conn)
    views = {
        row[0] for row in conn.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    }
    latest = max((v for v, _, _ in _migration_files()), default=0)
    wanted = {f.stem for f in VIEWS_DIR.glob("*.sql")}
    return version >= latest and wanted <= views


def upgrade_if_needed(path: Path) -> bool:
    """Bring an existing warehouse written by an older stanwire up to date (migrations, views) before a read-only
    use; True if it was upgraded. When a writer holds the file it is left as it is: that writer has upgraded it."""
    path = Path(path)
    if not path.exists():
        return False
    try:
        conn = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return False  # busy or unreadable: the read-only connection that follows says why
    try:
        current = is_current(conn)
    finally:
        conn.close()
    if current:
        return False
    try:
        connect(path).close()
    except WarehouseBusyError:
        return False
    return True


def connect_current(
    path: Path, *, config: dict[str, Any] | None = None, upgrade: bool = True
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse at `path`, upgraded first when an older stanwire wrote it (and
    `upgrade` allows): one connection when it is current, which is the usual case."""
    conn = connect(path, read_only=True, config=config)
    try:
        current = not upgrade or is_current(conn)
    except BaseException:
        conn.close()
        raise
    if current:
        return conn
    conn.close()
    upgrade_if_needed(path)
    return connect(path, read_only=True, config=config)


def apply_views(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """(Re)create the views of `warehouse/views/*.sql` in one transaction; return the file names applied.

    A view built on another one (its file names the other view) is created after it."""
    files = _views_in_dependency_order(sorted(VIEWS_DIR.glob("*.sql")))
    current = ""
    conn.execute("BEGIN TRANSACTION")
    try:
        for view_file in files:
            current = view_file.name
            conn.execute(view_file.read_text(encoding="utf-8"))
        conn.execute("COMMIT")
    except duckdb.Error as exc:
        rollback(conn)
        raise MigrationError(f"view file {current} failed: {one_line(exc)}") from exc
    return [f.name for f in files]


def _views_in_dependency_order(files: list[Path]) -> list[Path]:
    # What a view's SQL names, comments left out ("-- … shown by v_agreements" is no dependency).
    texts = {f.stem: re.sub(r"--[^\n]*", "", f.read_text(encoding="utf-8")) for f in files}
    by_name = {f.stem: f for f in files}
    ordered: list[Path] = []
    state: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise MigrationError(f"views {' -> '.join((*path, name))} depend on each other; break the cycle")
        state[name] = "visiting"
        for other in by_name:
            if other != name and re.search(rf"\b{re.escape(other)}\b", texts[name]):
                visit(other, (*path, name))
        state[name] = "done"
        ordered.append(by_name[name])

    for f in files:
        visit(f.stem, ())
    return ordered


def extension_path(module: str, name: str) -> Path:
    """Where the PyPI package `module` (e.g. `duckdb_extension_fts`) keeps the DuckDB extension `name` built for
    the installed DuckDB: `<module dir>/extensions/v<duckdb version>/<name>.duckdb_extension`.

    Raises `WarehouseError` naming the package to install when it is missing or built for another DuckDB."""
    package = f"{module.replace('_', '-')}=={duckdb.__version__}"
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise WarehouseError(f"the {name} extension needs the package {package}: pip install {package}")
    path = Path(spec.origin).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        raise WarehouseError(
            f"no {name} extension for DuckDB {duckdb.__version__} at {path}: pip install {package} to match duckdb"
        )
    return path


def fts_extension_path() -> Path:
    """Where the PyPI package `duckdb-extension-fts` keeps the extension built for the installed DuckDB."""
    return extension_path("duckdb_extension_fts", "fts")


def load_fts(conn: duckdb.DuckDBPyConnection) -> None:
    """LOAD the full-text search extension from its PyPI package (DuckDB cannot download it here)."""
    path = fts_extension_path()
    literal = _quoted(str(path))  # LOAD takes no parameters; the path is ours, not the user's
    try:
        conn.execute(f"LOAD '{literal}'")
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot load the fts extension from {path}: {one_line(exc)}") from exc


def _has_table(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'", [name]
    ).fetchone()
    return bool(row and row[0])


# Up to this many ids are looked up as a list of values, which DuckDB pushes into the table scan so that only the
# matching rows' wide columns (text, signature) are read: O(ids). A longer list is joined instead, which reads the
# whole column once: O(table), cheaper from a few thousand ids on (measured at 50,000 stored articles: 100 ids
# 0.03 s as a list against 0.14 s joined; 3,000 ids about even).
ID_LIST_MAX = 1000


def id_list(ids: Sequence[str]) -> tuple[str, list[Any]]:
    """The SQL for `IN <here>` and its parameters, for a list of string ids: values while the list is short
    (only the matching rows are read), a join on the unnested list when it is long."""
    if not ids:
        return "(SELECT NULL::VARCHAR WHERE false)", []
    if len(ids) > ID_LIST_MAX:
        return "(SELECT unnest(?::VARCHAR[]))", [list(ids)]
    return "(" + ", ".join("?" * len(ids)) + ")", list(ids)


_STAGED_NAMES = itertools.count()
# SQL type → Arrow type of the columns `staged` takes.
_ARROW_TYPES = {
    "VARCHAR": "string",
    "BLOB": "binary",
    "BOOLEAN": "bool_",
    "INTEGER": "int32",
    "BIGINT": "int64",
    "DOUBLE": "float64",
    "DATE": "date32",
}


def _pyarrow() -> Any:
    """pyarrow, imported when first needed (only the commands that write in bulk pay for it).

    pyarrow asks once, on its first conversion, whether pandas is there, and takes the `None` that stands for
    pandas in `sys.modules` (above) for the module itself, and fails: that one question is asked here, with
    pandas plainly missing, and pyarrow remembers the answer."""
    import pyarrow as pa

    global _PYARROW_READY
    if not _PYARROW_READY:
        if "pandas" in sys.modules and sys.modules["pandas"] is None:
            del sys.modules["pandas"]
            try:
                pa.array([None])
            finally:
                sys.modules["pandas"] = None  # type: ignore[assignment]
        _PYARROW_READY = True
    return pa


_PYARROW_READY = False


def _arrow_type(sql_type: str) -> Any:
    pa = _pyarrow()

    if sql_type == "TIMESTAMPTZ":
        return pa.timestamp("us", tz="UTC")
    if sql_type.endswith("[]"):
        return pa.list_(_arrow_type(sql_type[:-2]))
    try:
        return getattr(pa, _ARROW_TYPES[sql_type])()
    except KeyError:
        raise ValueError(f"staged cannot pass a column of type {sql_type}") from None


@contextmanager
def staged(
    conn: duckdb.DuckDBPyConnection, columns: Mapping[str, Sequence[object]], types: Mapping[str, str]
) -> Iterator[str]:
    """Columns of values (lists of equal length) as a relation for the statements run in the `with` block:
    yields `(SELECT name, … FROM <registered>)`, to be used as a table (`INSERT … SELECT * FROM {staged}`,
    `UPDATE … FROM {staged} AS s`). `types` gives each column's SQL type (VARCHAR, BLOB, BOOLEAN, INTEGER,
    BIGINT, DOUBLE, DATE, TIMESTAMPTZ and lists of them, `VARCHAR[]`).

    The values go to DuckDB as an Arrow table: lists passed as query parameters are converted value by value in
    Python (3–16 µs a value here, most of it DuckDB looking for pandas; 1–3 s for a batch of 10,000 articles),
    an Arrow table is built and scanned at 0.1–0.9 µs a value."""
    pa = _pyarrow()
    sizes = {len(values) for values in columns.values()}
    if len(sizes) > 1:
        raise ValueError(f"staged columns differ in length: {sorted(sizes)}")
    table = pa.table(
        {name: pa.array(values, type=_arrow_type(types[name])) for name, values in columns.items()}
    )
    view = f"_staged_{next(_STAGED_NAMES)}"
    conn.register(view, table)
    try:
        yield "(SELECT " + ", ".join(f'"{name}"' for name in columns) + f" FROM {view})"
    finally:
        conn.unregister(view)


# --- writers on a shared (DuckLake) warehouse ------------------------------------------------------------------

# A write that lost its commit to another writer's (DuckLake, or DuckDB between threads) is tried again this many
# times, waiting CONFLICT_WAIT seconds the first time and half as long again each next time (about 4 minutes in
# all): long enough for another machine's load batch or enrichment batch to finish.
CONFLICT_ATTEMPTS = 16
CONFLICT_WAIT = 0.2


def is_lake(conn: duckdb.DuckDBPyConnection) -> bool:
    """True when `conn` works on a DuckLake warehouse (warehouse.ducklake), not a local file."""
    from warehouse.ducklake import LAKE

    row = conn.execute("SELECT current_database()").fetchone()
    return bool(row and row[0] == LAKE)


def rollback(conn: duckdb.DuckDBPyConnection) -> None:
    """ROLLBACK the transaction in progress, if there is still one: a COMMIT that failed (a DuckLake commit that
    lost to another writer's) has ended it already, and a second error would hide the first."""
    try:
        conn.execute("ROLLBACK")
    except duckdb.TransactionException as exc:
        if "no transaction is active" not in str(exc):
            raise


def begin_write(conn: duckdb.DuckDBPyConnection) -> None:
    """BEGIN a write transaction; on a lake, take the writer row first (migration 012), so that two writers
    conflict at commit instead of both adding the same rows."""
    conn.execute("BEGIN TRANSACTION")
    if is_lake(conn):
        import os
        import socket

        conn.execute(
            "UPDATE writer_lock SET holder = ?, taken_at = current_timestamp WHERE id = 1",
            [f"{socket.gethostname()}:{os.getpid()}"],
        )


@contextmanager
def write_transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One write transaction (`begin_write`): committed when the block ends, rolled back when anything is
    raised in it (or by its COMMIT), and the error raised on."""
    begin_write(conn)
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


def is_conflict(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) is a transaction that lost to a concurrent one: trying again helps."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, duckdb.TransactionException) or (
            isinstance(seen, duckdb.Error) and "conflict" in str(seen).lower()
        ):
            return True
        seen = seen.__cause__
    return False


def retry_on_conflict(work: Callable[[], Any], *, what: str, attempts: int | None = None) -> Any:
    """`work()`, tried again while it fails on a write conflict (`is_conflict`); its transactions must roll back
    on failure, as every writer here does. Other errors, and the last conflict, are raised as they are."""
    import time

    tries = attempts if attempts is not None else CONFLICT_ATTEMPTS
    wait = CONFLICT_WAIT
    for attempt in range(1, tries + 1):
        try:
            return work()
        except (duckdb.Error, WarehouseError) as exc:
            if attempt == tries or not is_conflict(exc):
                raise
            logger.info(
                "write conflict while %s (attempt %d of %d), retrying: %s",
                what,
                attempt,
                tries,
                one_line(exc),
            )
            time.sleep(wait)
            wait *= 1.5
    raise AssertionError("unreachable")
