"""Read-side questions: the warehouse's totals, one week's digest data, and a user's own read-only SQL."""

from __future__ import annotations

import logging
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb

from warehouse.db import connect_current, load_fts
from warehouse.errors import QueryError, one_line

if TYPE_CHECKING:
    from warehouse.ducklake import Lake

logger = logging.getLogger(__name__)

__all__ = [
    "READ_ONLY_STATEMENTS",
    "DigestData",
    "QueryInterrupted",
    "QueryResult",
    "SqlLimits",
    "check_read_only",
    "digest_data",
    "latest_published_date",
    "open_sandbox",
    "run_query",
    "summary_counts",
    "write_parquet",
]

# The fts extension is needed only by queries on a full-text index (schema fts_main_<table>, match_bm25).
_USES_FTS = re.compile(r"fts_|match_bm25|create_fts_index|drop_fts_index|\bstem\s*\(", re.IGNORECASE)

# Articles that count: syndicated copies are left out everywhere a reader sees totals.
_WEEK_ARTICLES = "a.duplicate_of IS NULL AND a.published_date BETWEEN $week_start AND $week_end"


# Stories of the week: syndicated copies collapsed, ranked by how many outlets ran them.
_STORIES = f"""
    SELECT coalesce(a.story_cluster_id, a.id) AS story_id,
        arg_min(a.title, coalesce(a.published_at, a.first_seen_at)) AS title,
        arg_min(a.canonical_url, coalesce(a.published_at, a.first_seen_at)) AS url,
        list(DISTINCT a.source ORDER BY a.source) AS outlets,
        count(DISTINCT a.source) AS outlet_count,
        count(*) AS articles,
        min(a.published_date) AS first_published
    FROM articles AS a
    WHERE {_WEEK_ARTICLES}
    GROUP BY story_id
    ORDER BY outlet_count DESC, articles DESC, first_published, title
    LIMIT $top
"""
# Organizations named for the first time in the warehouse's news this week.
_NEW_ORGANIZATIONS = """
    WITH firsts AS (
        SELECT ao.org_id, min(a.published_date) AS first_day, count(DISTINCT a.id) AS articles
        FROM article_organizations AS ao JOIN articles AS a ON a.id = ao.article_id
        WHERE a.duplicate_of IS NULL AND a.published_date IS NOT NULL
        GROUP BY ao.org_id
    )
    SELECT o.name, o.kind, o.country, o.in_gazetteer, f.articles
    FROM firsts AS f JOIN organizations AS o ON o.id = f.org_id
    WHERE f.first_day BETWEEN $week_start AND $week_end
    ORDER BY f.articles DESC, o.name
"""
# Articles per outlet this week and the week before; outlets silent this week that wrote in the four weeks before
# are listed with 0.
_OUTLET_COVERAGE = """
    SELECT source,
        count(*) FILTER (WHERE published_date BETWEEN $week_start AND $week_end) AS articles,
        count(*) FILTER (WHERE published_date BETWEEN $prev_start AND $prev_end) AS previous_articles,
        max(published_date) FILTER (WHERE published_date <= $week_end) AS last_published
    FROM articles
    WHERE duplicate_of IS NULL AND published_date BETWEEN $silent_since AND $week_end
    GROUP BY source
    ORDER BY articles DESC, source
"""
_PER_DAY = f"""
    SELECT a.published_date AS day, count(*) AS articles FROM articles AS a
    WHERE {_WEEK_ARTICLES} GROUP BY day ORDER BY day
"""


@dataclass
class QueryResult:
    """The result of a user's query: column names, and rows as tuples in that order."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


@dataclass
class DigestData:
    """What one week's digest shows; each list holds dicts keyed by column name.

    `agreements` / `censorship_events` are rows of v_agreements / v_censorship_events; `top_organizations` has
    name, id, kind, mentions, articles; `top_countries` has code, name, articles; `article_list` has id,
    published_date, source, title, url, language.
    """

    week_start: date
    week_end: date
    articles: int = 0
    outlets: int = 0
    agreements: list[dict[str, Any]] = field(default_factory=list)
    censorship_events: list[dict[str, Any]] = field(default_factory=list)
    top_organizations: list[dict[str, Any]] = field(default_factory=list)
    top_countries: list[dict[str, Any]] = field(default_factory=list)
    article_list: list[dict[str, Any]] = field(default_factory=list)
    # The week before, for changes; stories (syndicated copies collapsed), organizations first named this week,
    # and every outlet's count (with those silent this week that wrote in the four weeks before).
    previous_articles: int = 0
    previous_outlets: int = 0
    stories: list[dict[str, Any]] = field(default_factory=list)
    new_organizations: list[dict[str, Any]] = field(default_factory=list)
    outlet_coverage: list[dict[str, Any]] = field(default_factory=list)
    articles_per_day: list[dict[str, Any]] = field(default_factory=list)


def summary_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """What the warehouse holds, as named counts (for the run summary and `stanwire status`)."""
    cursor = conn.execute(
        """
        SELECT
            (SELECT count(*) FROM articles) AS articles,
            (SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL) AS duplicates,
            (SELECT count(DISTINCT source) FROM articles) AS sources,
            (SELECT count(*) FROM articles WHERE nlp_version IS NOT NULL) AS articles_enriched,
            (SELECT count(DISTINCT org_id) FROM article_organizations) AS organizations,
            (SELECT count(DISTINCT code) FROM article_countries) AS countries,
            (SELECT count(*) FROM events WHERE type = 'agreement') AS agreement_events,
            (SELECT count(*) FROM events WHERE type = 'censorship') AS censorship_events,
            (SELECT count(*) FROM feed_polls WHERE error IS NULL) AS feed_polls_ok,
            (SELECT count(*) FROM feed_polls WHERE error IS NOT NULL) AS feed_polls_failed,
            (SELECT count(*) FROM crawl_errors) AS crawl_errors,
            (SELECT count(*) FROM crawl_queue WHERE status = 'pending') AS urls_pending
        """
    )
    row = cursor.fetchone()
    assert row is not None  # a SELECT without FROM always yields one row
    return {d[0]: int(value) for d, value in zip(cursor.description, row, strict=True)}


def latest_published_date(conn: duckdb.DuckDBPyConnection) -> date | None:
    """The newest publication date among the articles (copies excluded), or None for an empty warehouse."""
    row = conn.execute("SELECT max(published_date) FROM articles WHERE duplicate_of IS NULL").fetchone()
    return row[0] if row else None


def digest_data(
    conn: duckdb.DuckDBPyConnection, week_start: date, week_end: date, *, top: int = 10
) -> DigestData:
    """Everything the digest of the days `week_start`..`week_end` (inclusive, by publication date) shows."""
    week = {"week_start": week_start, "week_end": week_end}
    counts = conn.execute(
        f"SELECT count(*), count(DISTINCT a.source) FROM articles AS a WHERE {_WEEK_ARTICLES}", week
    ).fetchone()
    assert counts is not None  # an aggregate without GROUP BY always yields one row
    in_week = "published_date BETWEEN $week_start AND $week_end"
    order = "ORDER BY published_date, source, title, event_id"
    previous = {"week_start": week_start - timedelta(days=7), "week_end": week_end - timedelta(days=7)}
    before = conn.execute(
        f"SELECT count(*), count(DISTINCT a.source) FROM articles AS a WHERE {_WEEK_ARTICLES}", previous
    ).fetchone()
    assert before is not None
    both = {**week, "prev_start": previous["week_start"], "prev_end": previous["week_end"], "top": top}
    return DigestData(
        previous_articles=int(before[0]),
        previous_outlets=int(before[1]),
        stories=_dicts(conn, _STORIES, {**week, "top": top}),
        new_organizations=_dicts(conn, _NEW_ORGANIZATIONS, week),
        outlet_coverage=_dicts(
            conn,
            _OUTLET_COVERAGE,
            {
                **week,
                "prev_start": previous["week_start"],
                "prev_end": previous["week_end"],
                "silent_since": week_start - timedelta(days=28),
            },
        ),
        articles_per_day=_dicts(conn, _PER_DAY, week),
        week_start=week_start,
        week_end=week_end,
        articles=int(counts[0]),
        outlets=int(counts[1]),
        agreements=_dicts(conn, f"SELECT * FROM v_agreements WHERE {in_week} {order}", week),
        censorship_events=_dicts(conn, f"SELECT * FROM v_censorship_events WHERE {in_week} {order}", week),
        top_organizations=_dicts(
            conn,
            f"""
            SELECT o.name, o.id, o.kind, sum(ao.mentions)::BIGINT AS mentions,
                count(DISTINCT ao.article_id) AS articles,
                (SELECT count(DISTINCT p.article_id) FROM article_organizations AS p
                 JOIN articles AS b ON b.id = p.article_id
                 WHERE p.org_id = o.id AND b.duplicate_of IS NULL
                   AND b.published_date BETWEEN $prev_start AND $prev_end) AS previous_articles
            FROM article_organizations AS ao
            JOIN articles AS a ON a.id = ao.article_id
            JOIN organizations AS o ON o.id = ao.org_id
            WHERE {_WEEK_ARTICLES}
            GROUP BY o.name, o.id, o.kind
            ORDER BY articles DESC, mentions DESC, o.name
            LIMIT $top
            """,
            both,
        ),
        top_countries=_dicts(
            conn,
            f"""
            SELECT ac.code, min(ac.name) AS name, count(DISTINCT ac.article_id) AS articles,
                (SELECT count(DISTINCT p.article_id) FROM article_countries AS p
                 JOIN articles AS b ON b.id = p.article_id
                 WHERE p.code = ac.code AND b.duplicate_of IS NULL
                   AND b.published_date BETWEEN $prev_start AND $prev_end) AS previous_articles
            FROM article_countries AS ac
            JOIN articles AS a ON a.id = ac.article_id
            WHERE {_WEEK_ARTICLES}
            GROUP BY ac.code
            ORDER BY articles DESC, sum(ac.mentions) DESC, ac.code
            LIMIT $top
            """,
            both,
        ),
        article_list=_dicts(
            conn,
            f"""
            SELECT a.id, a.published_date, a.source, a.title, a.canonical_url AS url, a.language
            FROM articles AS a
            WHERE {_WEEK_ARTICLES}
            ORDER BY a.published_date, a.source, a.title, a.id
            """,
            week,
        ),
    )


# What `stanwire sql` runs: one statement that only reads. Both the statement's first word and DuckDB's own parse
# of it must say so (a PRAGMA is parsed as a SELECT of its table function, so the word matters too).
READ_ONLY_STATEMENTS = (
    "SELECT",
    "WITH",
    "VALUES",
    "FROM",
    "TABLE",
    "DESCRIBE",
    "SHOW",
    "SUMMARIZE",
    "EXPLAIN",
    "PIVOT",
    "UNPIVOT",
)
_QUERY_TYPES = (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN)
_NEEDS_EXTENSION = re.compile(r"exists in the (\w+) extension")
_EMPTY = "the query is empty: give one SQL statement, e.g. SELECT count(*) FROM articles"


def check_read_only(sql: str) -> None:
    """Refuse anything but one read-only query, with a `QueryError` naming what was refused.

    DuckDB's parser counts and classifies the statements: exactly one, and a SELECT-like one
    (`READ_ONLY_STATEMENTS`); COPY, ATTACH, EXPORT, INSTALL, LOAD, SET, PRAGMA, CALL, writes and DDL are refused.
    """
    if not sql.strip():
        raise QueryError(_EMPTY)
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(one_line(exc)) from exc
    # A PIVOT without an IN list is parsed as a CREATE TYPE of its values (a temporary enum) and then its SELECT:
    # DuckDB writes those helper statements itself, they hold no text of the user's.
    helpers = [s for s in statements if s.type == duckdb.StatementType.CREATE and not s.query.strip()]
    own = [s for s in statements if s not in helpers]
    if not own:
        raise QueryError(_EMPTY)
    if len(own) > 1:
        names = ", ".join(_first_word(s.query) or s.type.name for s in own)
        raise QueryError(
            f"{len(own)} statements ({names}) refused: stanwire sql runs one read-only query at a time; "
            "give one statement"
        )
    word = _first_word(sql)
    if (
        word not in READ_ONLY_STATEMENTS
        or own[0].type not in _QUERY_TYPES
        or (helpers and word not in {"PIVOT", "UNPIVOT"})
    ):
        raise QueryError(
            f"{word or own[0].type.name} refused: stanwire sql runs read-only queries only "
            f"({', '.join(READ_ONLY_STATEMENTS)})"
        )
    if own[0].type == duckdb.StatementType.EXPLAIN:
        check_read_only(_after_explain(sql))  # EXPLAIN ANALYZE runs what it explains


def _words(sql: str) -> list[tuple[int, str]]:
    """Each token's offset and its first word (upper case) or character, comments left out."""
    try:
        tokens = duckdb.tokenize(sql)
    except duckdb.Error:
        return []
    found = []
    for offset, _ in tokens:
        match = re.match(r"[A-Za-z_]+|\S", sql[offset:])
        found.append((offset, match.group().upper() if match else ""))
    return found


def _first_word(sql: str) -> str:
    """The statement's first keyword, past opening parentheses: SELECT for `(SELECT 1)`."""
    return next((word for _, word in _words(sql) if word != "("), "")


def _after_explain(sql: str) -> str:
    """The statement an EXPLAIN [ANALYZE] explains."""
    words = _words(sql)
    skip = 1 + (len(words) > 1 and words[1][1] in {"ANALYZE", "ANALYSE"})
    return sql[words[skip][0] :] if len(words) > skip else ""


@dataclass(frozen=True)
class SqlLimits:
    """What one user query may use: DuckDB's memory limit ("2GB"), its threads, and seconds before it is stopped
    (0: no limit). The settings `sql_memory_limit`, `sql_threads`, `sql_timeout`."""

    memory_limit: str = "2GB"
    threads: int = 2
    timeout: float = 0.0


class QueryInterrupted(QueryError):
    """The user stopped the query (Ctrl-C)."""


@contextmanager
def open_sandbox(
    path: Path | Lake, sql: str, *, limits: SqlLimits | None = None, writable: Path | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for the user's query that reads the warehouse and nothing else; DuckDB errors become one line.

    Read-only, no extension installed or loaded on demand (fts is loaded first, from its package), memory and
    threads limited, then no file or network access at all (only `writable`, a folder stanwire made for a
    result file), and the configuration locked so the query cannot undo any of it. DuckDB 1.5 refuses LOAD once
    external access is off, hence this order; its temporary files are off too (nothing spills to disk, a query
    needing more memory than the limit stops).
    """
    limits = limits or SqlLimits()
    check_read_only(sql)
    if limits.threads < 1:
        raise QueryError(f"setting sql_threads={limits.threads}: give at least 1")
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False, "temp_directory": ""}
    readable: list[str] = []
    if isinstance(path, Path):
        conn = connect_current(path, config=config)
    else:  # a DuckLake warehouse: attached read-only, its Parquet files the only ones the query may read
        from warehouse.ducklake import open_lake

        conn = open_lake(path, read_only=True, config=config)
        readable.append(path.data_path.rstrip("/") + "/")
    if writable is not None:
        readable.append(str(writable) + "/")
    try:
        if _USES_FTS.search(sql) and isinstance(path, Path):
            # Only a query that uses full-text search pays for loading the extension (about 70 ms).
            load_fts(conn)
        try:
            conn.execute("SET memory_limit = ?", [limits.memory_limit])
        except duckdb.Error as exc:
            raise QueryError(
                f"setting sql_memory_limit={limits.memory_limit!r}: {one_line(exc)}; give a size such as 2GB"
            ) from exc
        try:
            conn.execute("SET threads = ?", [limits.threads])
            if readable:
                conn.execute("SET allowed_directories = ?", [readable])
            conn.execute("SET enable_external_access = false")
            conn.execute("SET lock_configuration = true")
        except duckdb.Error as exc:
            raise QueryError(f"cannot set up the read-only sandbox: {one_line(exc)}") from exc
        try:
            yield conn
        except duckdb.PermissionException as exc:
            raise QueryError(f"stanwire sql reads only the warehouse: {one_line(exc)}") from exc
        except duckdb.Error as exc:
            extension = _NEEDS_EXTENSION.search(str(exc))
            if extension:
                # DuckDB's advice (INSTALL, LOAD, SET autoinstall…) cannot apply here: say what can.
                raise QueryError(
                    f"{str(exc).split(',')[0]}: it needs DuckDB's {extension.group(1)} extension, and stanwire sql "
                    "loads none but fts (it reads only the warehouse); open a copy of the warehouse in duckdb for that"
                ) from exc
            raise QueryError(one_line(exc)) from exc
    finally:
        conn.close()


T = TypeVar("T")
_FETCH_ROWS = 10_000


class _Stopped(Exception):
    """Raised in the query's thread between fetches once the query was asked to stop."""


def _guarded(
    conn: duckdb.DuckDBPyConnection, limits: SqlLimits, work: Callable[[Callable[[], bool]], T]
) -> T:
    """Run `work` (given a function telling whether to stop) in a thread of its own while this one waits.

    Ctrl-C (SIGINT, when called from the main thread) and the `limits.timeout` timer both interrupt the
    query with `conn.interrupt()`: DuckDB stops at once. Python runs a signal handler only in the main thread
    and only between its own instructions, never while the main thread is inside DuckDB, hence the thread.
    """
    outcome: dict[str, Any] = {}
    done = threading.Event()
    why: list[str] = []

    def stop(reason: str) -> None:
        if not why:
            why.append(reason)
        conn.interrupt()

    def target() -> None:
        try:
            outcome["value"] = work(lambda: bool(why))
        except BaseException as exc:  # handed to the waiting thread, which raises it
            outcome["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=target, name="stanwire-sql", daemon=True)
    timer = threading.Timer(limits.timeout, stop, ["timeout"]) if limits.timeout > 0 else None
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda signum, frame: stop("interrupt")) if in_main else None
    try:
        worker.start()
        if timer is not None:
            timer.daemon = True
            timer.start()
        logger.info("running the query (Ctrl-C stops it)")
        while not done.wait(0.05):
            pass
    finally:
        if timer is not None:
            timer.cancel()
        if in_main:
            signal.signal(signal.SIGINT, previous)
    error = outcome.get("error")
    if error is None:
        return outcome["value"]  # type: ignore[no-any-return]
    if why == ["interrupt"]:
        raise QueryInterrupted("query interrupted") from error
    if why == ["timeout"]:
        raise QueryError(
            f"query stopped after {limits.timeout:g} s (sql_timeout): narrow it (WHERE, LIMIT) or raise sql_timeout"
        ) from error
    if isinstance(error, duckdb.OutOfMemoryException):
        first = str(error).splitlines()[0].strip()
        raise QueryError(
            f"query needs more memory than sql_memory_limit={limits.memory_limit} allows: {first}; narrow it "
            "(WHERE, LIMIT, fewer columns) or raise sql_memory_limit"
        ) from error
    raise error


def run_query(path: Path | Lake, sql: str, *, limits: SqlLimits | None = None) -> QueryResult:
    """Run the user's read-only query in the sandbox within `limits`; refused statements, DuckDB errors, a
    timeout and too little memory are `QueryError`s, Ctrl-C is `QueryInterrupted`."""
    limits = limits or SqlLimits()
    with open_sandbox(path, sql, limits=limits) as conn:

        def work(stopping: Callable[[], bool]) -> QueryResult:
            cursor = conn.execute(sql)
            if cursor.description is None:
                return QueryResult(columns=[], rows=[])
            rows: list[tuple[Any, ...]] = []
            while chunk := cursor.fetchmany(_FETCH_ROWS):
                if stopping():
                    raise _Stopped
                rows.extend(chunk)
            return QueryResult(columns=[d[0] for d in cursor.description], rows=rows)

        return _guarded(conn, limits, work)


def write_parquet(path: Path | Lake, sql: str, out: Path, *, limits: SqlLimits | None = None) -> int:
    """Write the result of the user's read-only query to the Parquet file `out` (atomically); return its rows.

    DuckDB writes into a private folder beside `out`, the one place the sandbox may write, and stanwire moves
    the file into place; nothing is left behind on failure.
    """
    limits = limits or SqlLimits()
    out = Path(out)
    try:
        private = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise QueryError(f"cannot write {out}: {exc.strerror or exc}") from exc
    try:
        result = private / "result.parquet"
        with open_sandbox(path, sql, limits=limits, writable=private) as conn:

            def work(stopping: Callable[[], bool]) -> int:
                conn.sql(sql).write_parquet(str(result))
                count = conn.execute("SELECT count(*) FROM read_parquet(?)", [str(result)]).fetchone()
                return int(count[0]) if count else 0

            rows = _guarded(conn, limits, work)
        try:
            result.replace(out)
        except OSError as exc:
            raise QueryError(f"cannot write {out}: {exc.strerror or exc}") from exc
        return rows
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _dicts(conn: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
