"""The user's SQL runs in a sandbox: one read-only query on the warehouse, no files, no network, no settings.

Each escape below worked before the sandbox (issue 10): it overwrote or emptied the warehouse, wrote or read
files anywhere, or changed the connection's settings. Now each is refused, and the warehouse is byte for byte
what it was.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.warehouse.conftest import table_counts, write_article
from warehouse.db import connect
from warehouse.errors import QueryError
from warehouse.loader import load_landing
from warehouse.queries import (
    QueryInterrupted,
    SqlLimits,
    check_read_only,
    open_sandbox,
    run_query,
    write_parquet,
)
from warehouse.search import refresh_index

VPN = "https://dala.test/ru/news/uzbekistan-vpn"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with three articles and its full-text index, built once for the module."""
    root = tmp_path_factory.mktemp("built")
    landing = root / "landing"
    write_article(landing, "https://steppe-dispatch.test/news/dc", published_at="2026-11-17T09:30:00+06:00")
    write_article(
        landing, "https://toolor.test/news/5g", source="toolor", text="Huawei 5G towers in Bishkek."
    )
    write_article(landing, VPN, source="dala", text="Uzkomnazorat restricted VPN services.", title="VPN")
    conn = connect(root / "warehouse.duckdb")
    try:
        load_landing(conn, landing)
        refresh_index(conn)
    finally:
        conn.close()
    return root / "warehouse.duckdb"


@pytest.fixture
def warehouse(built: Path, warehouse_path: Path) -> Path:
    """A copy of the built warehouse in this test's home, closed (as `stanwire sql` finds it)."""
    warehouse_path.parent.mkdir(parents=True)
    shutil.copyfile(built, warehouse_path)
    return warehouse_path


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def untouched(warehouse: Path) -> Iterator[Path]:
    """The warehouse, checked after the test to be byte-identical and to hold the same rows."""
    before = fingerprint(warehouse)
    conn = duckdb.connect(str(warehouse), read_only=True)
    counts = table_counts(conn)
    conn.close()
    yield warehouse
    assert fingerprint(warehouse) == before
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert table_counts(conn) == counts
        assert counts["articles"] == 3
    finally:
        conn.close()


def test_copy_over_the_warehouse_is_refused(untouched: Path) -> None:
    with pytest.raises(QueryError, match=r"^COPY refused: stanwire sql runs read-only queries only \(SELECT"):
        run_query(untouched, f"COPY (SELECT 'x') TO '{untouched}' (FORMAT csv)")


def test_several_statements_are_refused_before_any_runs(untouched: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    escape = (
        f"ATTACH '{other}' AS other (READ_WRITE); USE other; DETACH warehouse; "
        f"ATTACH '{untouched}' AS w2 (READ_WRITE); DELETE FROM w2.articles WHERE true"
    )
    with pytest.raises(QueryError) as refused:
        run_query(untouched, escape)
    assert str(refused.value) == (
        "5 statements (ATTACH, USE, DETACH, ATTACH, DELETE) refused: stanwire sql runs one read-only query at a "
        "time; give one statement"
    )
    assert not other.exists()
    with pytest.raises(QueryError, match=r"^2 statements \(SELECT, SELECT\) refused"):
        run_query(untouched, "SELECT 1; SELECT 2")


@pytest.mark.parametrize(
    ("template", "word"),
    [
        ("EXPORT DATABASE '{tmp}/dump'", "EXPORT"),
        ("ATTACH '{tmp}/new.duckdb' AS new", "ATTACH"),
        ("ATTACH '{warehouse}' AS w2 (READ_WRITE)", "ATTACH"),
        ("COPY articles TO '{tmp}/articles.csv'", "COPY"),
        ("INSTALL httpfs FROM 'http://127.0.0.1:9/'", "INSTALL"),
        ("LOAD httpfs", "LOAD"),
        ("SET enable_external_access = true", "SET"),
        ("SET threads = 64", "SET"),
        ("RESET memory_limit", "RESET"),
        ("PRAGMA version", "PRAGMA"),
        ("PRAGMA database_list", "PRAGMA"),
        ("CALL pragma_version()", "CALL"),
        ("DELETE FROM articles", "DELETE"),
        ("CREATE TEMP TABLE t AS SELECT 1", "CREATE"),
        ("CHECKPOINT", "CHECKPOINT"),
        ("USE memory", "USE"),
        ("EXPLAIN ANALYZE COPY (SELECT 1) TO '{tmp}/x.csv'", "COPY"),
    ],
)
def test_every_statement_but_a_query_is_refused_by_name(
    untouched: Path, tmp_path: Path, template: str, word: str
) -> None:
    query = template.format(tmp=tmp_path, warehouse=untouched)
    with pytest.raises(QueryError) as refused:
        run_query(untouched, query)
    assert str(refused.value).startswith(f"{word} refused: stanwire sql runs read-only queries only")
    assert "\n" not in str(refused.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]  # no file written beside it


def test_files_outside_the_warehouse_cannot_be_read(untouched: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("user,password\nroot,hunter2\n", encoding="utf-8")
    for query in (
        f"SELECT * FROM read_csv('{secret}')",
        f"SELECT * FROM read_text('{secret}')",
        f"SELECT * FROM '{secret}'",
        f"SELECT * FROM glob('{tmp_path}/*')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM 'http://127.0.0.1:9/x.csv'",  # no network either (nothing listens there anyway)
    ):
        with pytest.raises(QueryError, match=r"^stanwire sql reads only the warehouse: Permission Error"):
            run_query(untouched, query)


def test_no_extension_is_installed_or_loaded_on_demand(untouched: Path) -> None:
    installed = Path.home() / ".duckdb" / "extensions" / f"v{duckdb.__version__}"
    before = sorted(p.name for p in installed.rglob("*")) if installed.exists() else []
    with pytest.raises(QueryError) as refused:
        run_query(untouched, "SELECT * FROM sqlite_scan('/tmp/x.db', 't')")
    # DuckDB says so one of two ways, depending on whether it looked for installed extensions first.
    assert str(refused.value) in (
        'Catalog Error: Table Function with name "sqlite_scan" is not in the catalog: it needs DuckDB\'s '
        "sqlite_scanner extension, and stanwire sql loads none but fts (it reads only the warehouse); open a copy of "
        "the warehouse in duckdb for that",
        f'stanwire sql reads only the warehouse: Permission Error: Cannot access directory "{installed}/'
        f'{duckdb.execute("PRAGMA platform").fetchone()[0]}" - file system operations are disabled by configuration',  # type: ignore[index]
    )
    assert (sorted(p.name for p in installed.rglob("*")) if installed.exists() else []) == before
    assert run_query(untouched, "SELECT stem('signing', 'porter')").rows == [
        ("sign",)
    ]  # fts, from its package


def test_the_sandbox_itself_has_no_file_access_and_a_locked_configuration(
    untouched: Path, tmp_path: Path
) -> None:
    """Under the statement check: the connection refuses the escapes even when asked directly."""
    with open_sandbox(untouched, "SELECT 1") as conn:
        settings = dict(
            conn.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', "
                "'lock_configuration', 'autoinstall_known_extensions', 'autoload_known_extensions', "
                "'temp_directory')"
            ).fetchall()
        )
        assert settings == {
            "enable_external_access": "false",
            "lock_configuration": "true",
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
            "temp_directory": "",
        }
        for escape in (
            f"COPY (SELECT 'x') TO '{untouched}' (FORMAT csv)",
            f"COPY (SELECT 'x') TO '{tmp_path}/x.csv' (FORMAT csv)",
            f"ATTACH '{tmp_path}/new.duckdb' AS new",
            f"EXPORT DATABASE '{tmp_path}/dump'",
            "INSTALL httpfs FROM 'http://127.0.0.1:9/'",
            "SELECT * FROM read_text('/etc/passwd')",
            "SET enable_external_access = true",
            "SET lock_configuration = false",
            "SET memory_limit = '100GB'",
            "DELETE FROM articles",
        ):
            with pytest.raises(duckdb.Error):
                conn.execute(escape)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT count(*) FROM articles",
        "  -- the articles\n  WITH a AS (SELECT * FROM articles) SELECT count(*) FROM a;",
        "(SELECT count(*) FROM articles)",
        "FROM articles SELECT count(*)",
        "VALUES (3)",
        "TABLE articles",
        "DESCRIBE articles",
        "SHOW TABLES",
        "SUMMARIZE articles",
        "EXPLAIN SELECT count(*) FROM articles",
        "EXPLAIN ANALYZE SELECT count(*) FROM articles",
        "PIVOT articles ON source USING count(*)",
        "SELECT count(*) FROM v_stories",
        "SELECT * FROM pragma_table_info('articles')",
    ],
)
def test_read_only_queries_run(untouched: Path, query: str) -> None:
    check_read_only(query)
    result = run_query(untouched, query)
    assert result.rows


def test_views_and_full_text_search_work_in_the_sandbox(untouched: Path) -> None:
    stories = run_query(untouched, "SELECT count(*) FROM v_stories")
    assert stories.rows == [(3,)]
    found = run_query(
        untouched,
        "SELECT canonical_url FROM (SELECT *, fts_main_articles.match_bm25(id, 'vpn') AS score FROM articles) "
        "WHERE score IS NOT NULL",
    )
    assert found.rows == [(VPN,)]
    assert run_query(untouched, "SELECT stem('signing', 'porter')").rows == [("sign",)]  # fts, unnamed


def test_a_parquet_result_is_written_only_where_asked(untouched: Path, tmp_path: Path) -> None:
    out = tmp_path / "by_source.parquet"
    assert write_parquet(untouched, "SELECT source, count(*) AS n FROM articles GROUP BY source", out) == 3
    assert duckdb.sql(f"SELECT sum(n) FROM '{out}'").fetchone() == (3,)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["by_source.parquet", "home"]
    with pytest.raises(QueryError, match=r"^COPY refused"):
        write_parquet(untouched, f"COPY articles TO '{tmp_path}/x.csv'", tmp_path / "y.parquet")
    with pytest.raises(QueryError, match=r"^stanwire sql reads only the warehouse"):
        write_parquet(untouched, f"SELECT * FROM read_text('{out}')", tmp_path / "z.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["by_source.parquet", "home"]  # no .tmp left


def test_parse_errors_stay_duckdbs_own_message(untouched: Path) -> None:
    with pytest.raises(QueryError) as syntax:
        run_query(untouched, "SELEC count(*) FROM articles")
    assert str(syntax.value) == 'Parser Error: syntax error at or near "SELEC"'
    with pytest.raises(QueryError, match="empty"):
        run_query(untouched, " ;; ")


# A cross join of 10^16 rows: hours of work, in constant memory.
ENDLESS = "SELECT count(*) FROM generate_series(1, 100000000) AS a, generate_series(1, 100000000) AS b"


@pytest.mark.realtime
def test_a_query_over_its_time_is_stopped_promptly(untouched: Path) -> None:
    started = time.monotonic()
    with pytest.raises(QueryError) as stopped:
        run_query(untouched, ENDLESS, limits=SqlLimits(timeout=0.5))
    assert str(stopped.value).startswith("query stopped after 0.5 s (sql_timeout)")
    assert not isinstance(stopped.value, QueryInterrupted)
    assert time.monotonic() - started < 5


def test_a_query_over_its_memory_is_stopped_with_the_setting_named(untouched: Path) -> None:
    with pytest.raises(QueryError) as stopped:
        run_query(
            untouched,
            "SELECT count(DISTINCT range) FROM range(50000000)",
            limits=SqlLimits(memory_limit="20MB", threads=1),
        )
    message = str(stopped.value)
    assert message.startswith(
        "query needs more memory than sql_memory_limit=20MB allows: Out of Memory Error"
    )
    assert "\n" not in message
    assert "SET " not in message  # DuckDB's advice to SET something does not apply here
    # The same query within the default limits.
    assert run_query(untouched, "SELECT count(DISTINCT range) FROM range(1000000)").rows == [(1000000,)]


def test_the_limits_are_those_of_the_settings(untouched: Path) -> None:
    with open_sandbox(untouched, "SELECT 1", limits=SqlLimits(memory_limit="300MB", threads=1)) as conn:
        row = conn.execute("SELECT current_setting('threads'), current_setting('memory_limit')").fetchone()
    assert row == (1, "286.1 MiB")
    with pytest.raises(QueryError, match=r"^setting sql_memory_limit='lots': .*give a size such as 2GB$"):
        run_query(untouched, "SELECT 1", limits=SqlLimits(memory_limit="lots"))
    with pytest.raises(QueryError, match=r"^setting sql_threads=0: give at least 1$"):
        run_query(untouched, "SELECT 1", limits=SqlLimits(threads=0))


@pytest.mark.realtime
def test_a_parquet_result_is_stopped_by_the_timeout_and_leaves_nothing(
    untouched: Path, tmp_path: Path
) -> None:
    out = tmp_path / "endless.parquet"
    with pytest.raises(QueryError, match=r"^query stopped after 0.5 s \(sql_timeout\)"):
        write_parquet(untouched, ENDLESS, out, limits=SqlLimits(timeout=0.5))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]
