"""Load landing files (raw articles, crawl errors) into the warehouse: idempotent, deduplicated, batch by batch.

Each file is checked before anything is written. A bad file (not JSON, wrong schema, a missing or mistyped
field) is recorded in `landing_files` as failed with the reason, and the rest of its batch loads. Each batch is
one transaction; when the database refuses a batch it is rolled back and its files are retried one by one, so a
single file the database cannot take fails alone and nothing stored before is touched. A file already read with
the same sha256 is skipped, so loading twice changes nothing.

Files are parsed and checked in Python; a batch is then written in bulk. What each record does (new, an exact
copy of an earlier text, an update of a stored article, unchanged) is decided in memory, in file order, against
the few stored articles the batch can touch (its own ids, the articles with the same texts, their copies), read
in one query; the results are written by a handful of set-based statements (an INSERT and an UPDATE of articles
from columns passed as lists, the copies that change original, the enrichment to clear, the crawl queue, the
landing files). Each article added or changed is noted in `article_changes` for the deduplication and the
search index, which then work on those articles only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import duckdb

from warehouse.db import retry_on_conflict, staged, write_transaction
from warehouse.enrichment import delete_enrichment_of
from warehouse.errors import LoadError, one_line
from warehouse.ids import time_ordered_ids
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


class ObjectStore(Protocol):
    """A landing root on object storage (`spiders.storage.ObjectLanding` is one): objects named by their path
    relative to the root, each written whole by one PUT."""

    def listing(self, top: str) -> Sequence[Any]:
        """Every object under `top`: items with `.relative` (path) and `.modified_ns` (the server's write time)."""
        ...

    def read_many(self, relatives: Iterable[str]) -> Iterable[tuple[str, bytes | str]]:
        """(relative path, its bytes or why it could not be read), in order."""
        ...

    def server_now_ns(self) -> int:
        """The time the server stamps on an object written now (0 when it cannot be told)."""
        ...


def load_landing(
    conn: duckdb.DuckDBPyConnection,
    landing_dir: Path | ObjectStore,
    *,
    batch_size: int = 1000,
    on_commit: Callable[[], None] | None = None,
) -> LoadReport:
    """Load every landing file under `landing_dir/articles` and `landing_dir/errors` not loaded yet.

    `landing_dir` is a folder (local, or shared storage every machine mounts) or an `ObjectStore`.

    `on_commit` is called after each transaction that committed (the crash test's `load-batch-committed`)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    report = LoadReport()
    if isinstance(landing_dir, str | Path):
        landing_dir = Path(landing_dir)
        scan = _scan(conn, landing_dir, report)
    else:
        scan = _scan_objects(conn, landing_dir, report)
    known = _known_files(conn, sorted({path.rpartition("/")[0] for path, _ in scan.paths}))
    batch: list[_LandingFile] = []
    for landing_file in _new_files(landing_dir, scan.paths, known, report):
        batch.append(landing_file)
        if len(batch) >= batch_size:
            _load_batch(conn, batch, report, on_commit)
            batch = []
    if batch:
        _load_batch(conn, batch, report, on_commit)
    _record_folders(conn, scan, known, report)
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


@dataclass
class _Scan:
    """The landing files to look at, and the folders a finished load may then record as fully loaded."""

    paths: list[tuple[str, str]] = field(default_factory=list)  # (path relative to the landing dir, kind)
    folders: dict[str, tuple[int, int]] = field(default_factory=dict)  # folder -> (mtime_ns, json files)
    scanned: list[str] = field(default_factory=list)


def _scan(conn: duckdb.DuckDBPyConnection, landing_dir: Path, report: LoadReport) -> _Scan:
    """List the landing JSON files, leaving out the folders loaded in full before and not changed since.

    Writers add a file by renaming it into its folder, which changes the folder's modification time; a folder
    whose time is the one recorded when all its files were loaded holds the same files, so it is not listed
    again and the cost of a load follows the new files, not the whole landing folder. A folder holding a failed
    file is never recorded (a fixed file is looked at again), nor one changed in the last second (the clock of
    the file system may not tell a later change apart).
    """
    scan = _Scan()
    if not landing_dir.is_dir():
        return scan
    recorded = _recorded_folders(conn)
    settled_before = _file_system_now(landing_dir) - 1_000_000_000
    for top, kind in LANDING_KINDS:
        stack = [landing_dir / top]
        while stack:
            folder = stack.pop()
            try:
                mtime = folder.stat().st_mtime_ns
                entries = None
                relative = folder.relative_to(landing_dir).as_posix()
                known = recorded.get(relative)
                if known is not None and known[0] == mtime:
                    report.files_seen += known[1]
                    report.files_skipped += known[1]
                    continue
                entries = list(os.scandir(folder))
            except OSError:
                continue  # no such folder (yet): nothing to load from it
            names = []
            subfolders = False
            for entry in entries:
                # Writers create `.<name>.<random>.tmp` and rename it: a `*.json` here is always complete.
                if entry.is_dir(follow_symlinks=False):
                    subfolders = True
                    stack.append(Path(entry.path))
                elif entry.name.endswith(".json") and entry.is_file():
                    names.append(entry.name)
            scan.scanned.append(relative)
            scan.paths.extend((f"{relative}/{name}", kind) for name in names)
            if not subfolders and mtime < settled_before:
                scan.folders[relative] = (mtime, len(names))
    scan.paths.sort()
    return scan


def _scan_objects(conn: duckdb.DuckDBPyConnection, store: ObjectStore, report: LoadReport) -> _Scan:
    """`_scan` on object storage, which has no folders to stamp: a listing of every object, and a folder is left
    out when the newest write time and the number of its JSON objects are the ones recorded when all of them were
    loaded (a new or rewritten object carries a later time). The listing costs one request per 1,000 objects;
    only the files of changed folders are read."""
    scan = _Scan()
    recorded = _recorded_folders(conn)
    # S3 stamps whole seconds: a folder is recorded only when its newest object is two seconds old
    settled_before = store.server_now_ns() - 2_000_000_000
    for top, kind in LANDING_KINDS:
        folders: dict[str, list[Any]] = {}
        for row in store.listing(top):
            folder, _, name = row.relative.rpartition("/")
            if name.endswith(".json") and not name.startswith("."):
                folders.setdefault(folder, []).append(row)
        for folder, rows in sorted(folders.items()):
            latest = max(row.modified_ns for row in rows)
            if recorded.get(folder) == (latest, len(rows)):
                report.files_seen += len(rows)
                report.files_skipped += len(rows)
                continue
            scan.scanned.append(folder)
            scan.paths.extend((row.relative, kind) for row in rows)
            if latest < settled_before:
                scan.folders[folder] = (latest, len(rows))
    scan.paths.sort()
    return scan


def _recorded_folders(conn: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """folder -> (modification time in ns, JSON files) of the folders recorded as loaded in full."""
    return {
        path: (int(mtime), int(files))
        for path, mtime, files in conn.execute("SELECT path, mtime_ns, files FROM landing_folders").fetchall()
    }


def _file_system_now(landing_dir: Path) -> int:
    """The file system's own clock (the time it stamps on a file written now), or 0 when it cannot be read."""
    marker = landing_dir / ".stanwire-load"
    try:
        marker.touch()
        return marker.stat().st_mtime_ns
    except OSError:
        return 0


def _known_files(conn: duckdb.DuckDBPyConnection, folders: list[str]) -> dict[str, tuple[str, str]]:
    """path -> (sha256, status) of the files already read in these folders."""
    if not folders:
        return {}
    rows = conn.execute(
        "SELECT path, sha256, status FROM landing_files "
        "WHERE rtrim(parse_dirpath(path), '/') IN (SELECT unnest(?::VARCHAR[]))",
        [folders],
    ).fetchall()
    return {path: (sha256, status) for path, sha256, status in rows}


def _record_folders(
    conn: duckdb.DuckDBPyConnection, scan: _Scan, known: dict[str, tuple[str, str]], report: LoadReport
) -> None:
    """Record the folders whose every file is now loaded; forget the others that were listed."""
    if not scan.scanned:
        return
    failed = {path for path, _ in report.files_failed}
    failed |= {path for path, (_, status) in known.items() if status != "loaded"}
    unclean = {path.rpartition("/")[0] for path in failed}
    clean = {folder: value for folder, value in scan.folders.items() if folder not in unclean}
    try:
        with write_transaction(conn):
            conn.execute(
                "DELETE FROM landing_folders WHERE path IN (SELECT unnest(?::VARCHAR[]))", [scan.scanned]
            )
            if clean:
                conn.execute(
                    "INSERT INTO landing_folders (path, mtime_ns, files) "
                    "SELECT unnest(?::VARCHAR[]), unnest(?::BIGINT[]), unnest(?::BIGINT[])",
                    [list(clean), [v[0] for v in clean.values()], [v[1] for v in clean.values()]],
                )
    except duckdb.Error as exc:
        # Only a shortcut is lost: the next load lists these folders again.
        logger.warning("landing folders not recorded error=%s", one_line(exc))


def _read(
    landing_dir: Path | ObjectStore, paths: list[tuple[str, str]]
) -> Iterator[tuple[str, str, bytes | str]]:
    """(relative path, kind, its bytes or why it could not be read) of each of `paths`, in order."""
    if isinstance(landing_dir, Path):
        for relative, kind in paths:
            try:
                yield relative, kind, (landing_dir / relative).read_bytes()
            except OSError as exc:
                yield relative, kind, str(exc.strerror or exc)
        return
    kinds = dict(paths)
    for relative, data in landing_dir.read_many(relative for relative, _ in paths):
        yield relative, kinds[relative], data


def _new_files(
    landing_dir: Path | ObjectStore,
    paths: list[tuple[str, str]],
    known: dict[str, tuple[str, str]],
    report: LoadReport,
) -> Iterator[_LandingFile]:
    """Read, hash and check each landing JSON not yet read with its current content."""
    for relative, kind, data in _read(landing_dir, paths):
        report.files_seen += 1
        if isinstance(data, str):
            # An empty hash never matches, so the file is read again on the next load.
            yield _LandingFile(relative, kind, "", problem=f"cannot read the file: {data}")
            continue
        sha256 = hashlib.sha256(data).hexdigest()
        stored = known.get(relative)
        if stored is not None and stored[0] == sha256:
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
        # A batch that lost its commit to another writer (a shared warehouse) is written again as it is: what
        # each record does is decided anew against what the other writer stored.
        report.add(retry_on_conflict(lambda: _write_files(conn, batch), what="loading a batch"))
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
    """Store `files` in one transaction and return their counts; on a database error nothing is kept.

    The batch is written in bulk: Python decides what each record does (new, duplicate, updated, unchanged, in
    file order, exactly as storing them one by one would), then a few set-based statements write the results.
    """
    counts = LoadReport()
    articles: list[ArticleRow] = []
    errors: list[CrawlErrorRow] = []
    recorded: list[tuple[_LandingFile, str, str | None]] = []
    for landing_file in files:
        if landing_file.problem is not None or landing_file.row is None:
            problem = landing_file.problem or "nothing to load"
            logger.warning("bad landing file=%s problem=%s", landing_file.path, problem)
            counts.files_failed.append((landing_file.path, problem))
            recorded.append((landing_file, "failed", problem))
            continue
        if isinstance(landing_file.row, ArticleRow):
            articles.append(landing_file.row)
        else:
            errors.append(landing_file.row)
        recorded.append((landing_file, "loaded", None))
    with write_transaction(conn):
        for outcome in _store_articles(conn, articles):
            counts.articles_new += outcome == "new"
            counts.articles_duplicate += outcome == "duplicate"
            counts.articles_updated += outcome == "updated"
            counts.articles_unchanged += outcome == "unchanged"
        # Files are read articles first, then errors: an error loaded after the article of its URL leaves it done.
        _store_crawl_errors(conn, errors)
        counts.errors_loaded += len(errors)
        _record_files(conn, recorded)
    return counts


def _record_files(
    conn: duckdb.DuckDBPyConnection, recorded: list[tuple[_LandingFile, str, str | None]]
) -> None:
    if not recorded:
        return
    columns: dict[str, Sequence[object]] = {
        "path": [f.path for f, _, _ in recorded],
        "kind": [f.kind for f, _, _ in recorded],
        "sha256": [f.sha256 for f, _, _ in recorded],
        "status": [status for _, status, _ in recorded],
        "message": [message for _, _, message in recorded],
    }
    with staged(conn, columns, dict.fromkeys(columns, "VARCHAR")) as files_in:
        conn.execute(
            f"""
            MERGE INTO landing_files USING {files_in} AS f ON landing_files.path = f.path
            WHEN MATCHED THEN UPDATE SET kind = f.kind, sha256 = f.sha256, status = f.status,
                message = f.message, loaded_at = current_timestamp
            WHEN NOT MATCHED THEN INSERT (path, kind, sha256, status, message, loaded_at)
                VALUES (f.path, f.kind, f.sha256, f.status, f.message, current_timestamp)
            """
        )


@dataclass
class _Stored:
    """What deciding an article's outcome needs to know of a stored (or just written) article."""

    content_hash: str
    duplicate_of: str | None
    first_seen_at: datetime
    fetched_at: datetime | None = None
    meta: tuple[object, ...] | None = None  # title, published_at, published_date, language, authors


class _Batch:
    """The articles a batch can touch, in memory: its own ids, the articles sharing a text with its records,
    and the copies of its articles. Records are applied one by one, in file order, as `_store_article` did."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, rows: list[ArticleRow]) -> None:
        ids = sorted({row.id for row in rows})
        hashes = sorted({row.content_hash for row in rows if row.has_text})
        self.state: dict[str, _Stored] = {}
        self.stored: set[str] = set()
        with (
            staged(conn, {"id": ids}, {"id": "VARCHAR"}) as id_rows,
            staged(conn, {"hash": hashes}, {"hash": "VARCHAR"}) as hash_rows,
        ):
            touched = conn.execute(
                f"""
                SELECT id, content_hash, duplicate_of, first_seen_at, fetched_at, title, published_at,
                    published_date, language, authors
                FROM articles
                WHERE id IN (SELECT id FROM {id_rows}) OR content_hash IN (SELECT hash FROM {hash_rows})
                    OR duplicate_of IN (SELECT id FROM {id_rows})
                """
            ).fetchall()
        for article_id, content_hash, duplicate_of, first_seen, fetched, *meta in touched:
            self.state[article_id] = _Stored(content_hash, duplicate_of, first_seen, fetched, tuple(meta))
            self.stored.add(article_id)
        self.by_hash: dict[str, set[str]] = {}
        self.copies: dict[str, set[str]] = {}
        for article_id, known in self.state.items():
            self.by_hash.setdefault(known.content_hash, set()).add(article_id)
            if known.duplicate_of is not None:
                self.copies.setdefault(known.duplicate_of, set()).add(article_id)
        self.written: dict[str, ArticleRow] = {}  # id -> the version to store
        self.relinked: set[str] = set()  # articles whose duplicate_of changed
        self.cleared: set[str] = set()  # stored articles whose enrichment describes an old text

    def set(self, article_id: str, **changes: Any) -> None:
        known = self.state[article_id]
        if "content_hash" in changes:
            self.by_hash.get(known.content_hash, set()).discard(article_id)
            self.by_hash.setdefault(changes["content_hash"], set()).add(article_id)
        if "duplicate_of" in changes:
            if known.duplicate_of is not None:
                self.copies.get(known.duplicate_of, set()).discard(article_id)
            if changes["duplicate_of"] is not None:
                self.copies.setdefault(changes["duplicate_of"], set()).add(article_id)
            if changes["duplicate_of"] != known.duplicate_of:
                self.relinked.add(article_id)
        for name, value in changes.items():
            setattr(known, name, value)

    def original(self, row: ArticleRow) -> str | None:
        """The id of the first other article with this text, or None (always None for an empty text)."""
        if not row.has_text:
            return None
        candidates = [
            (self.state[other].first_seen_at, other)
            for other in self.by_hash.get(row.content_hash, ())
            if other != row.id and self.state[other].duplicate_of is None
        ]
        return min(candidates)[1] if candidates else None

    def apply(self, row: ArticleRow) -> ArticleOutcome:
        meta = (row.title, row.published_at, row.published_date, row.language, list(row.authors))
        known = self.state.get(row.id)
        if known is None:
            original = self.original(row)
            self.state[row.id] = _Stored(row.content_hash, None, row.fetched_at, row.fetched_at, meta)
            self.by_hash.setdefault(row.content_hash, set()).add(row.id)
            self.set(row.id, duplicate_of=original)
            self.written[row.id] = row
            return "duplicate" if original else "new"
        if known.fetched_at is not None and (
            row.fetched_at < known.fetched_at
            or (known.content_hash == row.content_hash and known.meta == meta)
        ):
            # An older fetch of a page whose newer version is stored (files are read by fetch day, but within a
            # day by name, not time); or the same text and metadata. A re-extraction of the same fetch that
            # changed only a title or a date is an update.
            return "unchanged"
        original = self.original(row)
        self.set(row.id, content_hash=row.content_hash, duplicate_of=original)
        known.fetched_at, known.meta = row.fetched_at, meta
        self.written[row.id] = row
        if row.id in self.stored:
            # The stored entities and events describe the old text; the next enrich run replaces them.
            self.cleared.add(row.id)
        self._rehome_copies(row.id, row.content_hash)
        return "updated"

    def _rehome_copies(self, article_id: str, new_hash: str) -> None:
        """Copies of an article whose text just changed are copies no more: the first of each text becomes
        original."""
        orphans = sorted(
            (self.state[other].first_seen_at, other)
            for other in self.copies.get(article_id, set())
            if self.state[other].content_hash != new_hash
        )
        new_original: dict[str, str] = {}
        for _, orphan in orphans:
            original = new_original.setdefault(self.state[orphan].content_hash, orphan)
            self.set(orphan, duplicate_of=None if original == orphan else original)


_ARTICLE_COLUMNS = (
    ("id", "VARCHAR"),
    ("url", "VARCHAR"),
    ("final_url", "VARCHAR"),
    ("canonical_url", "VARCHAR"),
    ("source", "VARCHAR"),
    ("title", "VARCHAR"),
    ("text", "VARCHAR"),
    ("language", "VARCHAR"),
    ("published_at", "TIMESTAMPTZ"),
    ("published_date", "DATE"),
    ("authors", "VARCHAR[]"),
    ("fetched_at", "TIMESTAMPTZ"),
    ("content_hash", "VARCHAR"),
    ("discovered_via", "VARCHAR"),
    ("html_file", "VARCHAR"),
    ("landing_file", "VARCHAR"),
    ("date_note", "VARCHAR"),
    ("duplicate_of", "VARCHAR"),
    ("first_seen_at", "TIMESTAMPTZ"),
    ("updated_at", "TIMESTAMPTZ"),
)
_TYPES = dict(_ARTICLE_COLUMNS)
_NAMES = ", ".join(name for name, _ in _ARTICLE_COLUMNS)
_UPDATED = ", ".join(f"{name} = s.{name}" for name, _ in _ARTICLE_COLUMNS[1:] if name != "first_seen_at")


def _store_articles(conn: duckdb.DuckDBPyConnection, rows: list[ArticleRow]) -> list[ArticleOutcome]:
    """Insert or update the batch's articles; return each record's outcome (new, duplicate, updated,
    unchanged)."""
    if not rows:
        return []
    batch = _Batch(conn, rows)
    outcomes = [batch.apply(row) for row in rows]
    inserted = [row for article_id, row in batch.written.items() if article_id not in batch.stored]
    updated = [row for article_id, row in batch.written.items() if article_id in batch.stored]
    if inserted:
        with staged(conn, _columns(inserted, batch), _TYPES) as rows_in:
            conn.execute(f"INSERT INTO articles ({_NAMES}) SELECT * FROM {rows_in}")
    if updated:
        with staged(conn, _columns(updated, batch), _TYPES) as rows_in:
            conn.execute(
                f"UPDATE articles SET {_UPDATED}, nlp_version = NULL, enriched_at = NULL "
                f"FROM {rows_in} AS s WHERE articles.id = s.id"
            )
    relinked = sorted(batch.relinked - set(batch.written))
    if relinked:
        conn.execute(
            "UPDATE articles SET duplicate_of = s.original FROM (SELECT unnest(?::VARCHAR[]) AS id, "
            "unnest(?::VARCHAR[]) AS original) AS s WHERE articles.id = s.id",
            [relinked, [batch.state[a].duplicate_of for a in relinked]],
        )
    if batch.cleared:
        delete_enrichment_of(conn, sorted(batch.cleared))
    # The deduplication and the search index catch up with these articles (and the copies that changed
    # original) on their next run, and with nothing else.
    with staged(conn, {"id": sorted(set(batch.written) | batch.relinked)}, {"id": "VARCHAR"}) as changed:
        conn.execute(
            f"""
            MERGE INTO article_changes
            USING (SELECT id, purpose FROM {changed}, (VALUES ('dedup'), ('search')) p(purpose)) AS c
            ON article_changes.article_id = c.id AND article_changes.purpose = c.purpose
            WHEN NOT MATCHED THEN INSERT (article_id, purpose) VALUES (c.id, c.purpose)
            """
        )
    # Every record's URLs (the one asked for, the one it ended at, its canonical URL) are done in the queue.
    urls = sorted({u for row in rows for u in (row.url, row.final_url, row.canonical_url)})
    with staged(conn, {"url": urls}, {"url": "VARCHAR"}) as url_rows:
        conn.execute(
            f"""
            UPDATE crawl_queue SET status = 'done', last_error = NULL, updated_at = current_timestamp
            WHERE status <> 'done'
                AND (url IN (SELECT url FROM {url_rows}) OR canonical_url IN (SELECT url FROM {url_rows}))
            """
        )
    return outcomes


def _columns(rows: list[ArticleRow], batch: _Batch) -> dict[str, list[object]]:
    """The rows' values column by column, as the staged SELECT above names them."""
    values: dict[str, list[object]] = {name: [] for name, _ in _ARTICLE_COLUMNS}
    for row in rows:
        known = batch.state[row.id]
        for name, value in (
            ("id", row.id),
            ("url", row.url),
            ("final_url", row.final_url),
            ("canonical_url", row.canonical_url),
            ("source", row.source),
            ("title", row.title),
            ("text", row.text),
            ("language", row.language),
            ("published_at", row.published_at),
            ("published_date", row.published_date),
            ("authors", list(row.authors)),
            ("fetched_at", row.fetched_at),
            ("content_hash", row.content_hash),
            ("discovered_via", row.discovered_via),
            ("html_file", row.html_file),
            ("landing_file", row.landing_file),
            ("date_note", row.date_note),
            ("duplicate_of", known.duplicate_of),
            # first seen when first fetched, updated when the stored version was fetched, not when loaded:
            # what the views show follows from the landing files alone, whenever the loader runs
            ("first_seen_at", known.first_seen_at),
            ("updated_at", row.fetched_at),
        ):
            values[name].append(value)
    return values


def _store_crawl_errors(conn: duckdb.DuckDBPyConnection, rows: list[CrawlErrorRow]) -> None:
    if not rows:
        return
    columns: dict[str, Sequence[object]] = {
        "id": time_ordered_ids(len(rows)),
        "source": [r.source for r in rows],
        "url": [r.url for r in rows],
        "stage": [r.stage for r in rows],
        "http_status": [r.http_status for r in rows],
        "message": [r.message for r in rows],
        "failed_at": [r.failed_at for r in rows],
        "landing_file": [r.landing_file for r in rows],
    }
    types = {**dict.fromkeys(columns, "VARCHAR"), "id": "BIGINT", "http_status": "INTEGER"}
    with staged(conn, columns, {**types, "failed_at": "TIMESTAMPTZ"}) as errors_in:
        conn.execute(
            "INSERT INTO crawl_errors (id, source, url, stage, http_status, message, failed_at, landing_file) "
            f"SELECT * FROM {errors_in}"
        )
    # A URL that has since loaded as an article stays done: the error was an earlier or a later bad fetch. Each
    # error counts one attempt; the last one read is the queue entry's last error.
    attempts: dict[str, list[object]] = {}
    for r in rows:
        entry = attempts.setdefault(r.url, [0, ""])
        entry[0] = int(entry[0]) + 1  # type: ignore[call-overload]
        entry[1] = f"{r.stage}: {r.message}"
    conn.execute(
        """
        UPDATE crawl_queue SET status = 'failed', attempts = attempts + s.n, last_error = s.message,
            updated_at = current_timestamp
        FROM (SELECT unnest($url::VARCHAR[]) AS url, unnest($n::INTEGER[]) AS n,
            unnest($message::VARCHAR[]) AS message) AS s
        WHERE crawl_queue.url = s.url AND crawl_queue.status <> 'done'
        """,
        {
            "url": list(attempts),
            "n": [entry[0] for entry in attempts.values()],
            "message": [entry[1] for entry in attempts.values()],
        },
    )
