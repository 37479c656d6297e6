"""Full-text search over article titles and bodies: BM25 from DuckDB's `fts` extension.

The index (schema `fts_main_articles` in the warehouse) is kept up to date after each load, so a search sees
every stored article, in its stored version, ranked as a freshly built index would rank it. DuckDB's
`create_fts_index` only builds an index from scratch (a cost that grows with the warehouse), so the articles the
loader added or changed (`article_changes`, purpose `search`) are added to the index's own tables instead: their
old entries removed, their terms tokenized, stop-worded and stemmed by the index's own macros, new words added to
its dictionary, document frequencies and the collection statistics (documents, average length) updated. That is
the same index a rebuild makes, up to the numbering of its rows (a test compares them), at a cost that follows
the new articles. A full rebuild is done only when it is the cheaper way: no index yet, or more than
`REBUILD_SHARE` of the indexed articles changed at once (a first load, a re-extraction).
One index serves both languages: the Porter stemmer folds English inflections ("blocked",
"blocking" → "block") and leaves Cyrillic words as written, so a Russian search matches the word form it is given
("блокировка" does not find "блокировки"); lower-casing and accent stripping apply to both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from warehouse.db import connect, id_list, is_lake, load_fts, upgrade_if_needed, write_transaction
from warehouse.errors import QueryError, WarehouseError, one_line

__all__ = ["SearchHit", "has_index", "refresh_index", "refresh_replica", "search"]

SNIPPET_CHARS = 220
# Above this share of changed articles (of all the index will then hold), rebuilding the whole index is cheaper
# than updating it in place. Measured by bench/fts_strategy.py (10,000 and 2,000 articles): an update costs
# 1.3–1.8 ms per changed article whatever the share, a rebuild 1.2 ms per stored one, so the two meet near 0.8;
# below it the cost follows the new articles.
REBUILD_SHARE = 0.75
# Changed articles applied to the index per transaction (`_update_index`): at 100,000 stored, re-indexing
# 50,000 of them 5,000 at a time ran out of a 512MB memory limit; 1,000 at a time peaked at 736 MiB.
UPDATE_BATCH = 1000
FTS = "fts_main_articles"


@dataclass(frozen=True)
class SearchHit:
    """One article found, best first: its BM25 score and where to read it."""

    score: float
    published_date: date | None
    source: str
    title: str | None
    url: str
    snippet: str


def has_index(conn: duckdb.DuckDBPyConnection) -> bool:
    """True when the warehouse has a full-text index of its articles."""
    found = conn.execute(
        "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'fts_main_articles'"
    ).fetchone()
    return bool(found and found[0])


def refresh_index(conn: duckdb.DuckDBPyConnection, *, rebuild: bool = False) -> str:
    """Bring the BM25 index over articles' titles and texts up to date (a read-write connection); return what
    it did: `current` (nothing had changed), `updated` (the changed articles only) or `rebuilt`; on a DuckLake
    warehouse `unavailable`: DuckDB's fts extension builds its index only in a DuckDB database file (docs/ducklake.md),
    and the changes noted for it are dropped."""
    if is_lake(conn):
        with write_transaction(conn):
            conn.execute("DELETE FROM article_changes WHERE purpose = 'search'")
        return "unavailable"
    found = conn.execute("SELECT count(*) FROM article_changes WHERE purpose = 'search'").fetchone()
    pending = int(found[0]) if found else 0
    indexed = has_index(conn)
    if indexed and not pending and not rebuild:
        return "current"
    load_fts(conn)
    try:
        if indexed and not rebuild:
            # The share of what the index will hold: a load that doubles the warehouse changes half of it.
            row = conn.execute("SELECT count(*) FROM articles").fetchone()
            if row is not None and pending <= REBUILD_SHARE * int(row[0]):
                _update_index(conn)
                return "updated"
        with _one_thread(conn), write_transaction(conn):
            conn.execute(
                "PRAGMA create_fts_index('articles', 'id', 'title', 'text', stemmer = 'porter', "
                "stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)"
            )
            conn.execute("DELETE FROM article_changes WHERE purpose = 'search'")
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot build the full-text index: {one_line(exc)}") from exc
    return "rebuilt"


@contextmanager
def _one_thread(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB on one thread for the duration: a rebuild's memory beyond `memory_limit` (what DuckDB does not
    count: each thread's tokenized texts) then does not grow with the cores. At 10,000 articles and 512MB the
    rebuild peaked at 716 MiB on one thread, 865 MiB on two, in the same time (docs/PERFORMANCE.md, "Memory")."""
    row = conn.execute("SELECT current_setting('threads')").fetchone()
    threads = int(row[0]) if row else 1
    conn.execute("SET threads = 1")
    try:
        yield
    finally:
        conn.execute("SET threads = ?", [threads])


# What a search reads of an article, the text by its hash (`content_hash`, sha256 of the text with whitespace
# collapsed): when any of it changes, the replica's copy is replaced. Comparing the hash, not the text, keeps each
# search from reading every article's text from the lake.
_SEARCHED = (
    "md5(concat_ws('|', title, content_hash, source, canonical_url, published_date::VARCHAR, duplicate_of))"
)
REPLICA_BATCH = 1000


def refresh_replica(source: duckdb.DuckDBPyConnection, path: Path) -> dict[str, int | str]:
    """Bring the local search replica at `path` up to date with the articles of `source` (a DuckLake warehouse,
    where DuckDB's fts extension cannot build an index): a warehouse file of its own holding a copy of the
    articles and their index. Articles new or changed since the last refresh are copied (those gone removed)
    and the index updated as after a load, so the cost follows what changed; return the counts and what the
    index did."""
    theirs = source.execute(f"SELECT id, {_SEARCHED} AS searched FROM articles").to_arrow_table()
    conn = connect(path)
    try:
        conn.register("lake_articles", theirs)
        changed = [
            row[0]
            for row in conn.execute(
                f"""
                SELECT l.id FROM lake_articles AS l
                LEFT JOIN (SELECT id, {_SEARCHED} AS searched FROM articles) AS m USING (id)
                WHERE m.searched IS DISTINCT FROM l.searched ORDER BY l.id
                """
            ).fetchall()
        ]
        gone = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM articles WHERE id NOT IN (SELECT id FROM lake_articles) ORDER BY id"
            ).fetchall()
        ]
        conn.unregister("lake_articles")
        for start in range(0, max(len(changed), len(gone)), REPLICA_BATCH):
            batch, dropped = changed[start : start + REPLICA_BATCH], gone[start : start + REPLICA_BATCH]
            if batch:
                wanted, params = id_list(batch)
                rows = source.execute(f"SELECT * FROM articles WHERE id IN {wanted}", params).to_arrow_table()
            with write_transaction(conn):
                out, out_params = id_list(batch + dropped)
                conn.execute(f"DELETE FROM articles WHERE id IN {out}", out_params)
                if batch:
                    conn.register("lake_rows", rows)
                    conn.execute("INSERT INTO articles BY NAME SELECT * FROM lake_rows")
                    conn.unregister("lake_rows")
                conn.execute(
                    "INSERT INTO article_changes (article_id, purpose) "
                    "SELECT unnest(?::VARCHAR[]), 'search' ON CONFLICT DO NOTHING",
                    [batch + dropped],
                )
        index = refresh_index(conn)
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot bring the search replica {path} up to date: {one_line(exc)}") from exc
    finally:
        conn.close()
    return {"copied": len(changed), "removed": len(gone), "index": index}


def _update_index(conn: duckdb.DuckDBPyConnection) -> None:
    """Apply the changed articles to the index tables, as `create_fts_index` would have indexed them,
    `UPDATE_BATCH` articles per transaction: the texts being tokenized, and what one transaction deletes and
    inserts, are then bounded whatever the load, and an interrupted update leaves a consistent index with the rest
    still noted as changed."""
    while _update_index_batch(conn):
        pass


def _update_index_batch(conn: duckdb.DuckDBPyConnection) -> bool:
    """Index up to `UPDATE_BATCH` of the changed articles; False when none were left."""
    with write_transaction(conn):
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE fts_changed AS "
            "SELECT DISTINCT article_id AS name FROM article_changes WHERE purpose = 'search' "
            "ORDER BY name LIMIT ?",
            [UPDATE_BATCH],
        )
        if conn.execute("SELECT count(*) FROM fts_changed").fetchone() == (0,):
            conn.execute("DROP TABLE IF EXISTS temp.fts_changed")
            return False
        # The old versions out: their terms, and their share of each term's document frequency.
        conn.execute(
            f"CREATE OR REPLACE TEMP TABLE fts_old AS SELECT docid FROM {FTS}.docs "
            "WHERE name IN (SELECT name FROM fts_changed)"
        )
        if conn.execute("SELECT count(*) FROM fts_old").fetchone() != (0,):
            conn.execute(
                f"""
                UPDATE {FTS}.dict SET df = dict.df - gone.n
                FROM (SELECT termid, count(DISTINCT docid) AS n FROM {FTS}.terms
                      WHERE docid IN (SELECT docid FROM fts_old) GROUP BY termid) AS gone
                WHERE dict.termid = gone.termid
                """
            )
            conn.execute(f"DELETE FROM {FTS}.terms WHERE docid IN (SELECT docid FROM fts_old)")
            conn.execute(f"DELETE FROM {FTS}.docs WHERE docid IN (SELECT docid FROM fts_old)")
        # The current versions in, tokenized, stop-worded and stemmed by the index's own macros.
        # The changed ids as values, so that only their texts are read (not the whole text column).
        changed, params = id_list([row[0] for row in conn.execute("SELECT name FROM fts_changed").fetchall()])
        conn.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE fts_new_docs AS
            SELECT (SELECT coalesce(max(docid), -1) FROM {FTS}.docs) + row_number() OVER (ORDER BY a.id) AS docid,
                a.id AS name, a.title, a.text
            FROM articles a WHERE a.id IN {changed}
            """,
            params,
        )
        conn.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE fts_new_terms AS
            WITH tokens AS (
                SELECT docid, 0 AS fieldid, unnest({FTS}.tokenize(title)) AS w FROM fts_new_docs
                UNION ALL
                SELECT docid, 1 AS fieldid, unnest({FTS}.tokenize(text)) AS w FROM fts_new_docs
            )
            SELECT docid, fieldid, stem(w, 'porter') AS term FROM tokens
            WHERE w IS NOT NULL AND len(w) > 0 AND w NOT IN (SELECT sw FROM {FTS}.stopwords)
            """
        )
        conn.execute(
            f"""
            INSERT INTO {FTS}.dict (termid, term, df)
            SELECT (SELECT coalesce(max(termid), -1) FROM {FTS}.dict) + row_number() OVER (ORDER BY term), term, 0
            FROM (SELECT DISTINCT term FROM fts_new_terms) AS t
            WHERE term NOT IN (SELECT term FROM {FTS}.dict)
            """
        )
        conn.execute(
            f"""
            UPDATE {FTS}.dict SET df = dict.df + added.n
            FROM (SELECT term, count(DISTINCT docid) AS n FROM fts_new_terms GROUP BY term) AS added
            WHERE dict.term = added.term
            """
        )
        conn.execute(
            f"INSERT INTO {FTS}.terms (docid, fieldid, termid) SELECT n.docid, n.fieldid, d.termid "
            f"FROM fts_new_terms n JOIN {FTS}.dict d ON d.term = n.term"
        )
        conn.execute(
            f"""
            INSERT INTO {FTS}.docs (docid, name, len)
            SELECT d.docid, d.name, count(t.term) FROM fts_new_docs d LEFT JOIN fts_new_terms t ON t.docid = d.docid
            GROUP BY d.docid, d.name
            """
        )
        conn.execute(
            f"UPDATE {FTS}.stats SET num_docs = s.num_docs, avgdl = s.avgdl FROM "
            f"(SELECT count(docid) AS num_docs, sum(len) / count(len) AS avgdl FROM {FTS}.docs) AS s"
        )
        conn.execute(
            "DELETE FROM article_changes WHERE purpose = 'search' AND article_id IN (SELECT name FROM fts_changed)"
        )
        for table in ("fts_changed", "fts_old", "fts_new_docs", "fts_new_terms"):
            conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    return True


def search(
    path: Path,
    query: str,
    *,
    since: date | None = None,
    source: str | None = None,
    limit: int = 20,
) -> list[SearchHit]:
    """Articles matching `query` (any of its words, ranked by BM25), syndicated exact copies left out."""
    if not query.strip():
        raise QueryError('the search is empty: give one or more words, e.g. stanwire search "Huawei 5G"')
    upgrade_if_needed(path)
    conn = connect(path, read_only=True)
    try:
        load_fts(conn)
        if not has_index(conn):
            raise QueryError("the warehouse has no search index yet: run `stanwire load` (or a run) once")
        rows = conn.execute(
            """
            SELECT score, published_date, source, title, canonical_url, text FROM (
                SELECT a.*, fts_main_articles.match_bm25(a.id, $query) AS score FROM articles AS a
            )
            WHERE score IS NOT NULL AND duplicate_of IS NULL
              AND ($since IS NULL OR published_date >= $since)
              AND ($source IS NULL OR source = $source)
            ORDER BY score DESC, published_date DESC NULLS LAST
            LIMIT $limit
            """,
            {"query": query, "since": since, "source": source, "limit": limit},
        ).fetchall()
    except duckdb.Error as exc:
        raise QueryError(one_line(exc)) from exc
    finally:
        conn.close()
    return [
        SearchHit(float(score), day, src, title, url, snippet(text, query))
        for score, day, src, title, url, text in rows
    ]


def snippet(text: str, query: str) -> str:
    """About `SNIPPET_CHARS` characters of `text` around the first word of `query` it contains."""
    flat = " ".join(text.split())
    position = -1
    for word in re.findall(r"\w+", query.casefold()):
        position = flat.casefold().find(word)
        if position >= 0:
            break
    start = max(0, position - SNIPPET_CHARS // 3) if position >= 0 else 0
    piece = flat[start : start + SNIPPET_CHARS]
    return ("…" if start else "") + piece + ("…" if start + SNIPPET_CHARS < len(flat) else "")
