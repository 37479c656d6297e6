"""Connections, migrations, views, the write lock and the fts extension."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import warehouse.db
from tests.warehouse.conftest import TABLES, count
from warehouse.db import apply_migrations, connect, fts_extension_path, load_fts, schema_version
from warehouse.errors import MigrationError, WarehouseBusyError, WarehouseError

# (version, name) of every file in warehouse/migrations, e.g. 002_story_clusters.sql → (2, "story_clusters").
MIGRATIONS_ON_DISK = sorted(
    (int(f.stem.split("_", 1)[0]), f.stem.split("_", 1)[1])
    for f in (Path(warehouse.db.__file__).parent / "migrations").glob("*.sql")
)


def test_first_connect_creates_the_folder_and_applies_each_migration_once(warehouse_path: Path) -> None:
    assert not warehouse_path.parent.exists()
    conn = connect(warehouse_path)
    rows = conn.execute("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").fetchall()
    assert [(v, n) for v, n, _ in rows] == MIGRATIONS_ON_DISK
    assert rows[0][:2] == (1, "init")
    assert all(applied_at is not None for _, _, applied_at in rows)
    assert apply_migrations(conn) == []
    tables = {r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert set(TABLES) | {"schema_migrations"} <= tables
    views = {r[0] for r in conn.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert {"v_agreements", "v_censorship_events"} <= views
    conn.close()

    again = connect(warehouse_path)
    assert count(again, "SELECT count(*) FROM schema_migrations") == len(MIGRATIONS_ON_DISK)
    assert schema_version(again) == MIGRATIONS_ON_DISK[-1][0]
    again.close()


def test_columns_have_the_documented_types_and_comments(conn: duckdb.DuckDBPyConnection) -> None:
    types = dict(
        conn.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'articles'"
        ).fetchall()
    )
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["published_date"] == "DATE"
    assert types["authors"] == "VARCHAR[]"
    assert types["fetched_at"] == "TIMESTAMP WITH TIME ZONE"
    assert (
        count(
            conn,
            "SELECT data_type FROM duckdb_columns() WHERE table_name = 'events' AND column_name = 'confidence'",
        )
        == "DOUBLE"
    )
    comment = count(
        conn,
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'articles' AND column_name = 'published_date'",
    )
    assert "calendar" in comment


def test_a_failing_migration_is_rolled_back_and_named(
    tmp_path: Path, warehouse_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "001_first.sql").write_text("CREATE TABLE first_table (x INTEGER);")
    (migrations / "002_broken.sql").write_text("CREATE TABLE half_made (x INTEGER);\nCREATE TABLE oops (;")
    monkeypatch.setattr(warehouse.db, "MIGRATIONS_DIR", migrations)
    with pytest.raises(MigrationError, match=r"002_broken\.sql failed, the warehouse stays at version 1"):
        connect(warehouse_path)
    conn = duckdb.connect(str(warehouse_path))
    tables = {r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "first_table" in tables
    assert "half_made" not in tables  # the broken migration left nothing behind
    assert conn.execute("SELECT version FROM schema_migrations").fetchall() == [(1,)]
    conn.close()


def test_badly_named_or_clashing_migration_files_are_refused(
    tmp_path: Path, warehouse_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    monkeypatch.setattr(warehouse.db, "MIGRATIONS_DIR", migrations)
    (migrations / "001_a.sql").write_text("SELECT 1;")
    (migrations / "001_b.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="share version 1"):
        connect(warehouse_path)
    (migrations / "001_b.sql").unlink()
    (migrations / "2_late.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"not named NNN_name\.sql"):
        connect(warehouse_path)


def test_a_warehouse_from_a_newer_stanwire_is_not_written(warehouse_path: Path) -> None:
    conn = connect(warehouse_path)
    conn.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')")
    conn.close()
    with pytest.raises(MigrationError, match="schema version 999, newer"):
        connect(warehouse_path)


def test_read_only_connection_refuses_writes(warehouse_path: Path) -> None:
    connect(warehouse_path).close()
    reader = connect(warehouse_path, read_only=True)
    assert count(reader, "SELECT count(*) FROM articles") == 0
    with pytest.raises(duckdb.Error, match="read-only"):
        reader.execute("DELETE FROM articles")
    reader.close()


def test_read_only_connection_to_a_missing_warehouse_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "warehouse.duckdb"
    with pytest.raises(WarehouseError, match=r"no warehouse at .*nowhere"):
        connect(missing, read_only=True)
    assert not missing.parent.exists()  # a reader creates nothing


HOLDER = """
import sys, duckdb
conn = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()  # hold the lock until the test closes our stdin
conn.close()
"""


def test_another_process_holding_the_warehouse_gives_busy_error(warehouse_path: Path) -> None:
    connect(warehouse_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(WarehouseBusyError) as caught:
            connect(warehouse_path)
        message = str(caught.value)
        assert str(warehouse_path) in message
        assert f"PID {holder.pid}" in message
        assert "wait" in message
        assert "stop it" in message
        with pytest.raises(WarehouseBusyError):
            connect(warehouse_path, read_only=True)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
    connect(warehouse_path).close()  # free again once the other process is gone


def test_a_second_connection_of_the_same_process_is_refused_as_busy(warehouse_path: Path) -> None:
    first = connect(warehouse_path)
    try:
        for read_only in (False, True):
            with pytest.raises(WarehouseBusyError) as caught:
                connect(warehouse_path, read_only=read_only)
            assert "an open connection of this process" in str(caught.value)
    finally:
        first.close()
    connect(warehouse_path, read_only=True).close()  # free again once it is closed


def test_a_read_write_connection_writes_small_row_groups_and_spills_beside_the_file(
    warehouse_path: Path,
) -> None:
    conn = connect(warehouse_path)
    try:
        assert (
            conn.execute("SELECT current_setting('temp_directory')").fetchone()[0] == f"{warehouse_path}.tmp"
        )
        conn.execute("CREATE TABLE numbers AS SELECT range AS n FROM range(40000)")
        conn.execute("CHECKPOINT")
        groups = conn.execute(
            "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('numbers')"
        ).fetchone()
    finally:
        conn.close()
    # 40,000 rows in row groups of 16,384: three (DuckDB's default of 122,880 would make one)
    assert warehouse.db.ROW_GROUP_SIZE == 16_384
    assert groups == (3,)
    reader = connect(warehouse_path, read_only=True)
    try:
        assert reader.execute("SELECT count(*), sum(n) FROM numbers").fetchone() == (40000, 799980000)
    finally:
        reader.close()


def test_fts_extension_loads_and_ranks_with_match_bm25() -> None:
    assert fts_extension_path().name == "fts.duckdb_extension"
    conn = duckdb.connect()
    load_fts(conn)
    conn.execute("CREATE TABLE docs (id VARCHAR, body VARCHAR)")
    conn.execute(
        "INSERT INTO docs VALUES ('a', 'Beeline builds rural 4G towers in Naryn'), "
        "('b', 'Regulator restricts VPN services after protests'), ('c', 'Wheat harvest up in Kostanay')"
    )
    conn.execute("PRAGMA create_fts_index('docs', 'id', 'body')")
    hits = conn.execute(
        "SELECT id FROM (SELECT id, fts_main_docs.match_bm25(id, 'vpn restricts') AS score FROM docs) "
        "WHERE score IS NOT NULL ORDER BY score DESC"
    ).fetchall()
    assert hits == [("b",)]


def test_missing_fts_package_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warehouse.db.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(WarehouseError, match="duckdb-extension-fts=="):
        load_fts(duckdb.connect())


def test_a_warehouse_of_an_older_version_is_upgraded_in_place_and_keeps_its_rows(
    warehouse_path: Path,
) -> None:
    warehouse_path.parent.mkdir(parents=True)
    old = duckdb.connect(str(warehouse_path))
    init = Path(warehouse.db.__file__).parent / "migrations" / "001_init.sql"
    old.execute(init.read_text(encoding="utf-8"))
    old.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
    )
    old.execute("INSERT INTO schema_migrations (version, name) VALUES (1, 'init')")
    old.execute(
        "INSERT INTO articles (id, url, final_url, canonical_url, source, text, fetched_at, content_hash,"
        " discovered_via, html_file, landing_file) VALUES ('a1', 'http://x.test/1', 'http://x.test/1',"
        " 'http://x.test/1', 'x', 'Body', now(), 'h', 'feed', 'h.html.gz', 'l.json')"
    )
    old.close()

    conn = connect(warehouse_path)
    assert schema_version(conn) == MIGRATIONS_ON_DISK[-1][0]
    assert conn.execute("SELECT id, text, story_cluster_id FROM articles").fetchall() == [
        ("a1", "Body", None)
    ]
    conn.close()


# --- staged: columns of values as a relation (Arrow), for bulk writes ----------------------------------------


def test_staged_columns_arrive_with_their_types_and_nulls() -> None:
    from datetime import UTC, date, datetime

    from warehouse.db import staged

    conn = duckdb.connect()
    conn.execute("SET TimeZone = 'UTC'")
    conn.execute(
        "CREATE TABLE t (id VARCHAR, seen TIMESTAMPTZ, day DATE, tags VARCHAR[], sig BLOB, n INTEGER, ok BOOLEAN)"
    )
    at = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    columns = {
        "id": ["a", "b", None],
        "seen": [at, None, at],
        "day": [date(2026, 3, 1), None, None],
        "tags": [["x", "y"], [], None],
        "sig": [b"\x00\xff", None, b""],
        "n": [1, None, -7],
        "ok": [True, False, None],
    }
    types = {"id": "VARCHAR", "seen": "TIMESTAMPTZ", "day": "DATE", "tags": "VARCHAR[]", "sig": "BLOB"}
    with staged(conn, columns, {**types, "n": "INTEGER", "ok": "BOOLEAN"}) as rows:
        conn.execute(f"INSERT INTO t SELECT * FROM {rows}")
    assert conn.execute("SELECT * FROM t ORDER BY n NULLS FIRST").fetchall() == [
        ("b", None, None, [], None, None, False),
        (None, at, None, None, b"", -7, None),
        ("a", at, date(2026, 3, 1), ["x", "y"], b"\x00\xff", 1, True),
    ]


def test_staged_relation_is_gone_after_the_block_and_names_do_not_clash() -> None:
    from warehouse.db import staged

    conn = duckdb.connect()
    with (
        staged(conn, {"id": ["a"]}, {"id": "VARCHAR"}) as outer,
        staged(conn, {"id": ["b"]}, {"id": "VARCHAR"}) as inner,
    ):
        assert conn.execute(f"SELECT * FROM {outer} UNION ALL SELECT * FROM {inner}").fetchall() == [
            ("a",),
            ("b",),
        ]
    view = outer.rsplit(" ", 1)[-1].rstrip(")")
    with pytest.raises(duckdb.CatalogException):
        conn.execute(f"SELECT * FROM {view}")


def test_staged_refuses_ragged_columns_and_unknown_types() -> None:
    from warehouse.db import staged

    conn = duckdb.connect()
    with (
        pytest.raises(ValueError, match="differ in length"),
        staged(conn, {"a": [1], "b": [1, 2]}, {"a": "INTEGER", "b": "INTEGER"}),
    ):
        pass
    with pytest.raises(ValueError, match="HUGEINT"), staged(conn, {"a": [1]}, {"a": "HUGEINT"}):
        pass


def test_staged_empty_columns_are_an_empty_relation() -> None:
    from warehouse.db import staged

    conn = duckdb.connect()
    with staged(conn, {"id": []}, {"id": "VARCHAR"}) as rows:
        assert conn.execute(f"SELECT count(*) FROM {rows}").fetchone() == (0,)


def test_pandas_shortcut_is_in_place_only_without_pandas_and_pyarrow_still_works() -> None:
    """Run in a fresh interpreter: whether pandas is installed decides what `warehouse.db` does."""
    script = """
import importlib.util, sys
installed = importlib.util.find_spec("pandas") is not None
import warehouse.db
from warehouse.db import staged
import duckdb
assert (sys.modules.get("pandas", 0) is None) == (not installed)
if not installed:
    try:
        import pandas
    except ImportError:
        pass
    else:
        raise AssertionError("pandas imported")
conn = duckdb.connect()
with staged(conn, {"id": ["a", None]}, {"id": "VARCHAR"}) as rows:
    assert conn.execute(f"SELECT count(id) FROM {rows}").fetchone() == (1,)
import pyarrow as pa
assert pa.array(["x", None]).null_count == 1
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
