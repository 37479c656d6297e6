"""Full-text search over article titles and bodies: BM25 from DuckDB's `fts` extension.

The index (schema `fts_main_articles` in the warehouse) is rebuilt after each load, so a search sees every
stored article. One index serves both languages: the Porter stemmer folds English inflections ("blocked",
"blocking" → "block") and leaves Cyrillic words as written, so a Russian search matches the word form it is given
("блокировка" does not find "блокировки"); lower-casing and accent stripping apply to both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from warehouse.db import connect, load_fts, upgrade_if_needed
from warehouse.errors import QueryError, WarehouseError, one_line

__all__ = ["SearchHit", "has_index", "refresh_index", "search"]

SNIPPET_CHARS = 220


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


def refresh_index(conn: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the BM25 index over articles' titles and texts (a read-write connection)."""
    load_fts(conn)
    try:
        conn.execute(
            "PRAGMA create_fts_index('articles', 'id', 'title', 'text', stemmer = 'porter', "
            "stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)"
        )
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot build the full-text index: {one_line(exc)}") from exc


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
