"""The warehouse on DuckLake (issue 12's groundwork): a real PostgreSQL catalog, Parquet data in a temporary folder.

The PostgreSQL server is started once for the session (tests/pg_server.py); each test gets its own catalog
database and data folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from warehouse.db import connect, extension_path, load_fts
from warehouse.ducklake import (
    LAKE,
    Lake,
    apply_ducklake_migrations,
    attach_ducklake,
    open_lake,
    translate_ddl,
)
from warehouse.errors import WarehouseError

REPO = Path(__file__).resolve().parents[2]
VIEW_NAMES = sorted(f.stem for f in (REPO / "warehouse" / "views").glob("*.sql"))


@pytest.fixture
def lake_conn(lake: tuple[str, str]) -> Iterator[duckdb.DuckDBPyConnection]:
    conn = attach_ducklake(*lake)
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def migrated(lake_conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    apply_ducklake_migrations(lake_conn)
    return lake_conn


def columns(conn: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple[str, str]]]:
    """(column name, type) of every base table of `catalog`'s main schema, in column order, by table."""
    rows = conn.execute(
        """
        SELECT c.table_name, c.column_name, c.data_type
        FROM information_schema.columns AS c
        JOIN information_schema.tables AS t USING (table_catalog, table_schema, table_name)
        WHERE c.table_catalog = ? AND c.table_schema = 'main' AND t.table_type = 'BASE TABLE'
        ORDER BY c.table_name, c.ordinal_position
        """,
        [catalog],
    ).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        found.setdefault(table, []).append((column, data_type))
    return found


# --- attaching ----------------------------------------------------------------------------------------------


def test_attach_loads_both_extensions_from_their_packages_and_downloads_nothing(
    lake_conn: duckdb.DuckDBPyConnection,
) -> None:
    loaded = dict(
        lake_conn.execute(
            "SELECT extension_name, loaded FROM duckdb_extensions() "
            "WHERE extension_name IN ('ducklake', 'postgres_scanner')"
        ).fetchall()
    )
    assert loaded == {"ducklake": True, "postgres_scanner": True}
    settings = dict(
        lake_conn.execute(
            "SELECT name, value FROM duckdb_settings() "
            "WHERE name IN ('autoinstall_known_extensions', 'autoload_known_extensions')"
        ).fetchall()
    )
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
    assert lake_conn.execute("SELECT current_database()").fetchone() == (LAKE,)
    for module, name in (
        ("duckdb_extension_ducklake", "ducklake"),
        ("duckdb_extension_postgres_scanner", "postgres_scanner"),
    ):
        path = extension_path(module, name)
        assert path.is_file()
        assert path.parts[-2:] == (f"v{duckdb.__version__}", f"{name}.duckdb_extension")


def test_a_missing_extension_package_is_named_with_its_pip_install() -> None:
    with pytest.raises(WarehouseError, match=rf"pip install duckdb-extension-nothing=={duckdb.__version__}"):
        extension_path("duckdb_extension_nothing", "nothing")


def test_an_unreachable_catalog_is_a_warehouse_error(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="cannot attach the DuckLake catalog"):
        attach_ducklake("host=127.0.0.1 port=1 user=postgres dbname=nowhere", str(tmp_path) + "/")


# --- migrations and views -----------------------------------------------------------------------------------


def test_every_migration_applies_and_the_tables_equal_a_local_warehouses(
    lake_conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    done = apply_ducklake_migrations(lake_conn)
    local = connect(tmp_path / "w.duckdb")
    try:
        local_versions = local.execute("SELECT version, name FROM schema_migrations ORDER BY 1").fetchall()
        local_columns = columns(local, local.execute("SELECT current_database()").fetchone()[0])
    finally:
        local.close()
    assert done == [version for version, _ in local_versions]
    assert (
        lake_conn.execute("SELECT version, name FROM schema_migrations ORDER BY 1").fetchall()
        == local_versions
    )
    lake_columns = columns(lake_conn, LAKE)
    assert sorted(lake_columns) == sorted(local_columns)
    for table, wanted in local_columns.items():
        assert lake_columns[table] == wanted, table
    # A second run finds nothing to do.
    assert apply_ducklake_migrations(lake_conn) == []


def test_every_translated_migration_statement_is_accepted_one_by_one(
    lake_conn: duckdb.DuckDBPyConnection,
) -> None:
    refused = []
    total = 0
    for script in sorted((REPO / "warehouse" / "migrations").glob("*.sql")):
        for statement in translate_ddl(script.read_text(encoding="utf-8")).split(";\n\n"):
            total += 1
            try:
                lake_conn.execute(statement)
            except duckdb.Error as exc:
                refused.append((script.name, statement[:80], str(exc).splitlines()[0]))
    assert total > 100
    assert refused == []


def test_the_views_exist_on_the_lake_and_select(migrated: duckdb.DuckDBPyConnection) -> None:
    views = sorted(
        row[0]
        for row in migrated.execute(
            "SELECT view_name FROM duckdb_views() WHERE database_name = ? AND NOT internal", [LAKE]
        ).fetchall()
    )
    assert views == VIEW_NAMES
    for view in VIEW_NAMES:
        assert migrated.execute(f"SELECT count(*) FROM {view}").fetchone() == (0,)


def test_defaults_survive_the_translation(migrated: duckdb.DuckDBPyConnection) -> None:
    migrated.execute("INSERT INTO feed_polls (id, source, feed_url, polled_at) VALUES (1, 's', 'u', now())")
    assert migrated.execute("SELECT bytes, not_modified, conditional FROM feed_polls").fetchall() == [
        (0, False, True)
    ]
    migrated.execute("INSERT INTO feed_state (feed_url, source) VALUES ('u', 's')")
    assert migrated.execute(
        "SELECT consecutive_failures, unchanged_polls, unhealthy FROM feed_state"
    ).fetchall() == [(0, 0, False)]


# --- several writers and readers ----------------------------------------------------------------------------


def test_a_row_written_by_one_attach_is_read_by_another_process(
    migrated: duckdb.DuckDBPyConnection, lake: tuple[str, str]
) -> None:
    migrated.execute("INSERT INTO feed_state (feed_url, source) VALUES ('https://a.example/rss', 'steppe')")
    second = attach_ducklake(*lake)
    try:
        assert second.execute("SELECT feed_url, source FROM feed_state").fetchall() == [
            ("https://a.example/rss", "steppe")
        ]
    finally:
        second.close()
    reader = textwrap.dedent(
        """
        import sys
        from warehouse.ducklake import attach_ducklake
        conn = attach_ducklake(sys.argv[1], sys.argv[2])
        print(conn.execute("SELECT feed_url || ' ' || source FROM feed_state").fetchall()[0][0])
        conn.execute("INSERT INTO feed_state (feed_url, source) VALUES ('https://b.example/rss', 'other')")
        conn.close()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", reader, *lake],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://a.example/rss steppe"
    # And the other way round: the other process's row is seen here.
    assert migrated.execute("SELECT feed_url FROM feed_state ORDER BY 1").fetchall() == [
        ("https://a.example/rss",),
        ("https://b.example/rss",),
    ]


def test_merge_into_upserts_a_lake_table(migrated: duckdb.DuckDBPyConnection) -> None:
    merge = """
        MERGE INTO feed_state AS t
        USING (SELECT ? AS feed_url, 'steppe' AS source, ? AS consecutive_failures) AS s
        ON t.feed_url = s.feed_url
        WHEN MATCHED THEN UPDATE SET consecutive_failures = s.consecutive_failures
        WHEN NOT MATCHED THEN INSERT (feed_url, source, consecutive_failures)
            VALUES (s.feed_url, s.source, s.consecutive_failures)
    """
    migrated.execute(merge, ["https://a.example/rss", 1])
    migrated.execute(merge, ["https://a.example/rss", 2])
    migrated.execute(merge, ["https://b.example/rss", 5])
    assert migrated.execute(
        "SELECT feed_url, consecutive_failures FROM feed_state ORDER BY 1"
    ).fetchall() == [
        ("https://a.example/rss", 2),
        ("https://b.example/rss", 5),
    ]


def test_fts_index_cannot_be_built_on_a_lake_table_but_on_an_in_memory_copy(
    migrated: duckdb.DuckDBPyConnection,
) -> None:
    """What docs/ducklake.md records: the fts extension's index tables have a column DuckLake cannot store."""
    load_fts(migrated)
    migrated.execute("CREATE TABLE docs (id VARCHAR, body VARCHAR)")
    migrated.execute(
        "INSERT INTO docs VALUES ('a', 'Regulator restricts VPN services'), ('b', 'Wheat harvest')"
    )
    with pytest.raises(duckdb.Error, match='unsupported type "NULL"'):
        migrated.execute("PRAGMA create_fts_index('docs', 'id', 'body')")
    migrated.execute("USE memory")
    migrated.execute("CREATE TABLE docs_copy AS SELECT * FROM lake.main.docs")
    migrated.execute("PRAGMA create_fts_index('docs_copy', 'id', 'body')")
    hits = migrated.execute(
        "SELECT id FROM (SELECT id, fts_main_docs_copy.match_bm25(id, 'vpn') AS s FROM docs_copy) "
        "WHERE s IS NOT NULL"
    ).fetchall()
    assert hits == [("a",)]


# --- translate_ddl ------------------------------------------------------------------------------------------


def test_translate_drops_sequences_and_their_defaults() -> None:
    sql = "CREATE SEQUENCE runs_id_seq START 1;\nCREATE TABLE runs (id BIGINT PRIMARY KEY DEFAULT nextval('runs_id_seq'), flow VARCHAR);"
    assert translate_ddl(sql) == "CREATE TABLE runs (id BIGINT NOT NULL, flow VARCHAR);\n"


def test_translate_turns_primary_keys_into_not_null() -> None:
    assert translate_ddl("CREATE TABLE t (id VARCHAR PRIMARY KEY, n INTEGER)") == (
        "CREATE TABLE t (id VARCHAR NOT NULL, n INTEGER);\n"
    )
    assert translate_ddl("CREATE TABLE t (a VARCHAR NOT NULL, b INTEGER, PRIMARY KEY (a, b))") == (
        "CREATE TABLE t (a VARCHAR NOT NULL, b INTEGER NOT NULL);\n"
    )


def test_translate_drops_check_and_unique_and_list_defaults() -> None:
    sql = (
        "CREATE TABLE t (\n"
        "    status VARCHAR NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),\n"
        "    code VARCHAR UNIQUE,\n"
        "    authors VARCHAR[] NOT NULL DEFAULT [],\n"
        "    CHECK (length(code) = 2)\n"
        ")"
    )
    assert translate_ddl(sql) == (
        "CREATE TABLE t (\n"
        "    status VARCHAR NOT NULL DEFAULT 'pending',\n"
        "    code VARCHAR,\n"
        "    authors VARCHAR[] NOT NULL\n"
        ");\n"
    )


def test_translate_quotes_boolean_defaults_of_added_columns_only() -> None:
    assert translate_ddl("ALTER TABLE feed_polls ADD COLUMN conditional BOOLEAN DEFAULT true") == (
        "ALTER TABLE feed_polls ADD COLUMN conditional BOOLEAN DEFAULT 'true';\n"
    )
    assert translate_ddl("CREATE TABLE t (b BOOLEAN NOT NULL DEFAULT false)") == (
        "CREATE TABLE t (b BOOLEAN NOT NULL DEFAULT false);\n"
    )


def test_translate_leaves_strings_comments_and_other_statements_alone() -> None:
    sql = (
        "-- PRIMARY KEY in a comment; CHECK (x)\n"
        "UPDATE t SET note = 'UNIQUE; PRIMARY KEY';\n"
        "COMMENT ON COLUMN t.note IS 'a CHECK (it''s text)';"
    )
    assert translate_ddl(sql) == (
        "-- PRIMARY KEY in a comment; CHECK (x)\n"
        "UPDATE t SET note = 'UNIQUE; PRIMARY KEY';\n\n"
        "COMMENT ON COLUMN t.note IS 'a CHECK (it''s text)';\n"
    )


def test_translate_added_columns_and_constraints() -> None:
    sql = (
        "ALTER TABLE runs ADD COLUMN IF NOT EXISTS n BIGINT DEFAULT nextval('s') CHECK (n > 0);\n"
        "ALTER TABLE runs ADD CONSTRAINT one UNIQUE (n);\n"
        "ALTER TABLE t ADD tags VARCHAR[] DEFAULT ['a']"
    )
    assert translate_ddl(sql) == (
        "ALTER TABLE runs ADD COLUMN IF NOT EXISTS n BIGINT;\n\nALTER TABLE t ADD tags VARCHAR[];\n"
    )


def test_writers_opening_a_new_lake_at_once_all_get_it_migrated(lake: tuple[str, str]) -> None:
    """Each applies the migrations it finds missing; the ones that lose a race read the version again."""
    import threading

    from warehouse.db import schema_version
    from warehouse.ducklake import Lake, open_lake

    spec = Lake(*lake)
    start = threading.Barrier(3)
    outcomes: list[object] = []

    def open_one() -> None:
        start.wait()
        try:
            conn = open_lake(spec)
            outcomes.append(schema_version(conn))
            conn.close()
        except Exception as exc:  # recorded, and asserted below
            outcomes.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    latest = max(int(f.name[:3]) for f in (REPO / "warehouse" / "migrations").glob("*.sql"))
    assert outcomes == [latest] * 3


def test_reading_a_lake_nobody_has_written_yet_says_so(lake: tuple[str, str]) -> None:
    catalog, data_path = lake
    with pytest.raises(
        WarehouseError, match=r"no DuckLake warehouse in catalog .* yet: load some landing files"
    ):
        open_lake(Lake.parse(f"ducklake:postgres:{catalog}", data_path), read_only=True)
