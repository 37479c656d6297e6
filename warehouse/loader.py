"""Load landing files (raw articles, crawl errors) into the warehouse: idempotent, deduplicated, batch by batch.

Each file is checked before anything is written. A bad file (not JSON, wrong schema, a missing or mistyped
field) is recorded in `landing_files` as failed with the reason, and the rest of its batch loads. Each batch is
one transaction; when the database refuses a batch it is rolled back and its files are retried one by one, so a
single file the database cannot take fails alone and nothing stored before is touched. A file already read with
the same sha256 is skipped, so loading twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

from warehouse.enrichment import delete_enrichment
from warehouse.errors import LoadError, one_line
from warehouse.records import ArticleRow, CrawlErrorRow, parse_article, parse_crawl_error

logger = logging.getLogger(__name__)

__all__ = ["LoadReport", "load_landing"]

ArticleOutcome = Literal["new", "duplicate", "updated", "unchanged"]

# Landing sub-folder → the kind recorded in landing_files.
LANDING_KINDS = (("articles", "article"), ("errors", "error"))


@dataclass
class LoadReport:
    """What one `load_landing` call did; `files_failed` holds (path relative to the landing dir, reason)."""

    files_seen: int = 0
    files_skipped: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_duplicate: int = 0
    errors_loaded: int = 0
    files_failed: list[tuple[str, str]] = field(default_factory=list)
    # Set by the deduplication that follows a load (warehouse.dedup): same-source re-posts found by title, and
    # stories that more than one article tells (syndicated copies).
    title_duplicates: int = 0
    stories_with_copies: int = 0

    def add(self, other: LoadReport) -> None:
        """Add the counts of one committed batch."""
        self.articles_new += other.articles_new
        self.articles_updated += other.articles_updated
        self.articles_unchanged += other.articles_unchanged
        self.articles_duplicate += other.articles_duplicate
        self.errors_loaded += other.errors_loaded
        self.files_failed.extend(other.files_failed)


@dataclass
class _LandingFile:
    path: str  # relative to the landing dir, with forward slashes
    kind: str
    sha256: str
    row: ArticleRow | CrawlErrorRow | None = None
    problem: str | None = None


def load_landing(
    conn: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    *,
    batch_size: int = 200,
    on_commit: Callable[[], None] | None = None,
) -> LoadReport:
    """Load every landing file under `landing_dir/articles` and `landing_dir/errors` not loaded yet.

    `on_commit` is called after each transaction that committed (the crash test's `load-batch-committed`)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    report = LoadReport()
    known = dict(conn.execute("SELECT path, sha256 FROM landing_files").fetchall())
    batch: list[_LandingFile] = []
    for landing_file in _new_files(Path(landing_dir), known, report):
        batch.append(landing_file)
        if len(batch) >= batch_size:
            _load_batch(conn, batch, report, on_commit)
            batch = []
    if batch:
        _load_batch(conn, batch, report, on_commit)
    logger.info(
        "load done files_seen=%d skipped=%d new=%d updated=%d unchanged=%d duplicate=%d errors=%d failed=%d",
        report.files_seen,
        report.files_skipped,
        report.articles_new,
        report.articles_updated,
        report.articles_unchanged,
        report.articles_duplicate,
        report.errors_loaded,
        len(report.files_failed),
    )
    return report


def _new_files(landing_dir: Path, known: dict[str, str], report: LoadReport) -> Iterator[_LandingFile]:
    """Read, hash and check each landing JSON not yet read with its current content."""
    for folder, kind in LANDING_KINDS:
        # Writers create `.<name>.<random>.tmp` and rename it: a `*.json` here is always complete.
        for path in sorted((landing_dir / folder).rglob("*.json")):
            report.files_seen += 1
            relative = path.relative_to(landing_dir).as_posix()
            try:
                data = path.read_bytes()
            except OSError as exc:
                # An empty hash never matches, so the file is read again on the next load.
                yield _LandingFile(relative, kind, "", problem=f"cannot read the file: {exc.strerror or exc}")
                continue
            sha256 = hashlib.sha256(data).hexdigest()
            if known.get(relative) == sha256:
                report.files_skipped += 1
                continue
            landing_file = _LandingFile(relative, kind, sha256)
            try:
                landing_file.row = _parse(data, relative, kind)
            except LoadError as exc:
                landing_file.problem = str(exc)
            yield landing_file


def _parse(data: bytes, relative: str, kind: str) -> ArticleRow | CrawlErrorRow:
    try:
        record = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise LoadError(f"not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    if kind == "article":
        return parse_article(record, relative)
    return parse_crawl_error(record, relative)


def _load_batch(
    conn: duckdb.DuckDBPyConnection,
    batch: list[_LandingFile],
    report: LoadReport,
    on_commit: Callable[[], None] | None = None,
) -> None:
    committed = on_commit or (lambda: None)
    try:
        report.add(_write_files(conn, batch))
        committed()
        return
    except duckdb.Error as exc:
        logger.warning("load batch rolled back, retrying file by file error=%s", one_line(exc))
    for landing_file in batch:
        try:
            report.add(_write_files(conn, [landing_file]))
            committed()
        except duckdb.Error as exc:
            # Not recorded in landing_files: the file itself may be fine, so the next load tries it again.
            message = f"database error (the next load retries it): {one_line(exc)}"
            logger.error("load failed file=%s error=%s", landing_file.path, message)
            report.files_failed.append((landing_file.path, message))


def _write_files(conn: duckdb.DuckDBPyConnection, files: list[_LandingFile]) -> LoadReport:
    """Store `files` in one transaction and return their counts; on a database error nothing is kept."""
    counts = LoadReport()
    conn.execute("BEGIN TRANSACTION")
    try:
        for landing_file in files:
            if landing_file.problem is not None or landing_file.row is None:
                problem = landing_file.problem or "nothing to load"
                logger.warning("bad landing file=%s problem=%s", landing_file.path, problem)
                counts.files_failed.append((landing_file.path, problem))
                _record_file(conn, landing_file, "failed", problem)
                continue
            if isinstance(landing_file.row, ArticleRow):
                outcome = _store_article(conn, landing_file.row)
                counts.articles_new += outcome == "new"
                counts.articles_duplicate += outcome == "duplicate"
                counts.articles_updated += outcome == "updated"
                counts.articles_unchanged += outcome == "unchanged"
            else:
                _store_crawl_error(conn, landing_file.row)
                counts.errors_loaded += 1
            _record_file(conn, landing_file, "loaded", None)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return counts


def _record_file(
    conn: duckdb.DuckDBPyConnection, landing_file: _LandingFile, status: str, message: str | None
) -> None:
    conn.execute(
        """
        INSERT INTO landing_files (path, kind, sha256, status, message, loaded_at)
        VALUES (?, ?, ?, ?, ?, current_timestamp)
        ON CONFLICT (path) DO UPDATE SET
            kind = excluded.kind, sha256 = excluded.sha256, status = excluded.status,
            message = excluded.message, loaded_at = excluded.loaded_at
        """,
        [landing_file.path, landing_file.kind, landing_file.sha256, status, message],
    )


def _store_article(conn: duckdb.DuckDBPyConnection, row: ArticleRow) -> ArticleOutcome:
    """Insert or update one article; return new, duplicate, updated or unchanged."""
    current = conn.execute(
        "SELECT content_hash, fetched_at, title, published_at, published_date, language, authors "
        "FROM articles WHERE id = ?",
        [row.id],
    ).fetchone()
    outcome: ArticleOutcome
    if current is None:
        original = _original_with_hash(conn, row)
        conn.execute(
            """
            INSERT INTO articles (id, url, final_url, canonical_url, source, title, text, language,
                published_at, published_date, authors, fetched_at, content_hash, discovered_via, html_file,
                landing_file, date_note, duplicate_of, first_seen_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            # first seen when first fetched, updated when the stored version was fetched, not when loaded:
            # what the views show follows from the landing files alone, whenever the loader runs
            [*_article_values(row), original, row.fetched_at, row.fetched_at],
        )
        outcome = "duplicate" if original else "new"
    elif row.fetched_at < current[1] or (
        current[0] == row.content_hash
        and tuple(current[2:])
        == (row.title, row.published_at, row.published_date, row.language, list(row.authors))
    ):
        # An older fetch of a page whose newer version is stored (files are read by fetch day, but within a day
        # by name, not time); or the same text and metadata. A re-extraction of the same fetch that changed only
        # a title or a date is an update.
        outcome = "unchanged"
    else:
        original = _original_with_hash(conn, row)
        conn.execute(
            """
            UPDATE articles SET url = ?, final_url = ?, canonical_url = ?, source = ?, title = ?, text = ?,
                language = ?, published_at = ?, published_date = ?, authors = ?, fetched_at = ?,
                content_hash = ?, discovered_via = ?, html_file = ?, landing_file = ?, date_note = ?,
                duplicate_of = ?,
                nlp_version = NULL, enriched_at = NULL, updated_at = ?
            WHERE id = ?
            """,
            [*_article_values(row)[1:], original, row.fetched_at, row.id],
        )
        # The stored entities and events describe the old text; the next enrich run replaces them.
        delete_enrichment(conn, row.id)
        _rehome_duplicates(conn, row.id, row.content_hash)
        outcome = "updated"
    conn.execute(
        """
        UPDATE crawl_queue SET status = 'done', last_error = NULL, updated_at = current_timestamp
        WHERE (url IN (?, ?, ?) OR canonical_url IN (?, ?, ?)) AND status <> 'done'
        """,
        [row.url, row.final_url, row.canonical_url] * 2,
    )
    return outcome


def _article_values(row: ArticleRow) -> list[object]:
    """The record's columns in the order the INSERT and UPDATE above name them."""
    return [
        row.id,
        row.url,
        row.final_url,
        row.canonical_url,
        row.source,
        row.title,
        row.text,
        row.language,
        row.published_at,
        row.published_date,
        row.authors,
        row.fetched_at,
        row.content_hash,
        row.discovered_via,
        row.html_file,
        row.landing_file,
        row.date_note,
    ]


def _original_with_hash(conn: duckdb.DuckDBPyConnection, row: ArticleRow) -> str | None:
    """The id of the first other article with this text, or None (always None for an empty text)."""
    if not row.has_text:
        return None
    found = conn.execute(
        """
        SELECT id FROM articles
        WHERE content_hash = ? AND duplicate_of IS NULL AND id <> ?
        ORDER BY first_seen_at, id LIMIT 1
        """,
        [row.content_hash, row.id],
    ).fetchone()
    return str(found[0]) if found else None


def _rehome_duplicates(conn: duckdb.DuckDBPyConnection, article_id: str, new_hash: str) -> None:
    """Copies of an article whose text just changed are copies no more: the first of each text becomes original."""
    orphans = conn.execute(
        """
        SELECT id, content_hash FROM articles
        WHERE duplicate_of = ? AND content_hash <> ?
        ORDER BY first_seen_at, id
        """,
        [article_id, new_hash],
    ).fetchall()
    new_original: dict[str, str] = {}
    for orphan_id, orphan_hash in orphans:
        original = new_original.setdefault(orphan_hash, orphan_id)
        conn.execute(
            "UPDATE articles SET duplicate_of = ? WHERE id = ?",
            [None if original == orphan_id else original, orphan_id],
        )


def _store_crawl_error(conn: duckdb.DuckDBPyConnection, row: CrawlErrorRow) -> None:
    conn.execute(
        """
        INSERT INTO crawl_errors (source, url, stage, http_status, message, failed_at, landing_file)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        [row.source, row.url, row.stage, row.http_status, row.message, row.failed_at, row.landing_file],
    )
    # A URL that has since loaded as an article stays done: the error was an earlier or a later bad fetch.
    conn.execute(
        """
        UPDATE crawl_queue SET status = 'failed', attempts = attempts + 1, last_error = ?,
            updated_at = current_timestamp
        WHERE url = ? AND status <> 'done'
        """,
        [f"{row.stage}: {row.message}", row.url],
    )
