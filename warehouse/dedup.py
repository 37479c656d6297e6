"""Duplicates and syndication: same-source title duplicates, and stories told by several outlets.

Exact copies (same text) get `duplicate_of` in the loader. Here:

- **Title duplicates**: an article of the same source with the same normalised title, published within 7 days of
  an earlier one, is a re-post: `duplicate_of` the earlier one. Titles of fewer than `MIN_TITLE_WORDS` words
  ("Briefing", "Новости дня") recur by design and are left alone.
- **Story clusters**: near-duplicate texts found with MinHash LSH over word shingles; a wire story reprinted by
  five outlets, each with its own intro or a paragraph cut, becomes one `story_cluster_id` (the id of the
  cluster's earliest article) shared by the five. The threshold was chosen by measurement
  (eval/dedup/measure.py; README, "Deduplication").

**Incremental.** Each run works on the articles the loader added or changed since the last one
(`article_changes`, purpose `dedup`) and on nothing else it does not have to: their signatures are computed, their
LSH band keys stored in `article_bands` (the LSH index lives in the warehouse, so nothing is rebuilt from every
stored signature), the title groups they belong to are looked at again, and the story clusters they touch (the
ones they were in, and those of the articles sharing a band with them) are recomputed from the band table. A
run with nothing new reads two small queries and writes nothing. The clusters are the connected components of
"shares an LSH band and the estimated Jaccard reaches the threshold", so computing them piece by piece gives the
same clusters as computing them all at once (a test checks it).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np

from warehouse.db import id_list, staged, write_transaction
from warehouse.errors import WarehouseError, one_line

if TYPE_CHECKING:
    from datasketch import MinHash

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_THRESHOLD", "DedupReport", "deduplicate", "jaccard", "normalize_title", "signature"]

NUM_PERM = 128
SHINGLE_WORDS = 3
HASH_SCHEME = "affine32"  # datasketch's permutation scheme; stored values are only comparable within one
# Shingles are hashed from their words' CRC-32 (numpy combines the three), then mixed and permuted as datasketch's
# affine32 scheme does: 20× faster than hashing every shingle with SHA-1, and the same estimator.
SCHEME = f"minhash-{HASH_SCHEME}-crc32w/{NUM_PERM}/w{SHINGLE_WORDS}"
# Estimated Jaccard similarity of word 3-shingles from which two texts tell the same story; chosen on the demo
# corpus and the test fixtures by eval/dedup/measure.py: syndicated copies score 0.48 and more, distinct stories
# (same-topic ones and translations included) 0.05 at most; 0.3 sits in that gap with room on both sides.
DEFAULT_THRESHOLD = 0.3
# LSH bands × rows for the default threshold and 128 permutations: datasketch's optimal parameters
# (MinHashLSH(threshold=0.3, num_perm=128) has b=37, r=3; a test checks they agree).
BANDS, ROWS = 37, 3
TITLE_WINDOW = timedelta(days=7)
# Signatures of this many articles or more are computed by worker processes, one per core: a first load of a
# backfill spends most of its deduplication there, and starting the workers (~0.5 s) pays from about here.
PARALLEL_MIN_ARTICLES = 2000
_CHUNK = 250
# Texts read and signed at a time: a first load of 10,000 articles then holds a fifth of them, not all
# (measured by bench/run.py's end-to-end peak memory).
TEXT_BATCH = 2000
MIN_TITLE_WORDS = 4

_WORD = re.compile(r"\w+", re.UNICODE)
_U32 = np.uint64(0xFFFFFFFF)
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))
_PERMUTATIONS: tuple[np.ndarray, np.ndarray] | None = None


class _WordHashes(dict[str, int]):
    """CRC-32 (+1) of each word met, computed once: a hit is a C-level dict lookup."""

    def __missing__(self, word: str) -> int:
        if len(self) > 1_000_000:
            self.clear()
        value = self[word] = zlib.crc32(word.encode("utf-8")) + 1
        return value


_WORD_HASHES = _WordHashes()
# One scratch matrix (shingles × permutations) reused from text to text: a fresh one per text is large enough to
# be mapped and unmapped by the allocator each time, which costs more than the arithmetic.
_SCRATCH = np.empty((0, NUM_PERM), dtype=np.uint32)


@dataclass
class DedupReport:
    """What one `deduplicate` call changed."""

    signatures_computed: int = 0
    title_duplicates: int = 0
    clusters_changed: int = 0
    stories_with_copies: int = 0


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Word n-grams of the case-folded text; a text shorter than `size` words is one shingle."""
    words = _words(text)
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations for seed 1 (the same generator, without importing datasketch)."""
    global _PERMUTATIONS
    if _PERMUTATIONS is None:
        gen = np.random.RandomState(1)
        a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
        _PERMUTATIONS = (a, b)
    return _PERMUTATIONS


def _shingle_hashes(text: str) -> np.ndarray:
    """32-bit hashes of the text's word 3-shingles (one for a text shorter than three words); a shingle that
    recurs is there as often as it does, which changes no minimum (and sorting them out costs a fifth of the
    signature's time)."""
    words = _words(text)
    if not words:
        return np.empty(0, dtype=np.uint32)
    hashes = np.fromiter(map(_WORD_HASHES.__getitem__, words), dtype=np.uint64, count=len(words))
    with np.errstate(over="ignore"):
        if len(words) < SHINGLE_WORDS:
            combined = np.uint64(0)
            for value in hashes:
                combined = combined * _MIX[0] + value
            mixed = np.array([combined], dtype=np.uint64)
        else:
            mixed = hashes[:-2] * _MIX[0] + hashes[1:-1] * _MIX[1] + hashes[2:]
        folded = (mixed ^ (mixed >> np.uint64(32))) & _U32
    return folded.astype(np.uint32)


def _fmix32(values: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint32(16))
        values = values * np.uint32(0x85EBCA6B)
        values = values ^ (values >> np.uint32(13))
        values = values * np.uint32(0xC2B2AE35)
        return values ^ (values >> np.uint32(16))


def signature_values(text: str) -> np.ndarray:
    """The MinHash of a text's shingles: NUM_PERM uint32 values (fixed seed, comparable across runs)."""
    hashes = _shingle_hashes(text)
    if hashes.size == 0:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    global _SCRATCH
    a, b = _permutations()
    if _SCRATCH.shape[0] < hashes.size:
        _SCRATCH = np.empty((max(hashes.size, 2 * _SCRATCH.shape[0]), NUM_PERM), dtype=np.uint32)
    permuted = _SCRATCH[: hashes.size]
    with np.errstate(over="ignore"):
        # uint32 arithmetic wraps: the modulo 2^32 of datasketch's affine32 permutations
        np.multiply(_fmix32(hashes)[:, None], a, out=permuted)
        np.add(permuted, b, out=permuted)
    return permuted.min(axis=0)


def signature(text: str) -> MinHash:
    """The MinHash of a text's shingles as a datasketch MinHash (for measurement and comparisons)."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, hashvalues=signature_values(text), scheme=HASH_SCHEME)


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The MinHash estimate of two signatures' Jaccard similarity (the share of equal values)."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def jaccard(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two texts' shingles."""
    return estimated_jaccard(signature_values(a), signature_values(b))


def normalize_title(title: str | None) -> str:
    """Case-folded words of a title, punctuation and spacing ignored."""
    return " ".join(_words(title or ""))


def deduplicate(conn: duckdb.DuckDBPyConnection, *, threshold: float = DEFAULT_THRESHOLD) -> DedupReport:
    """Mark title duplicates and (re)assign story clusters for the articles changed since the last run;
    idempotent, one transaction."""
    if threshold != DEFAULT_THRESHOLD:
        raise ValueError(f"the stored LSH bands are made for threshold {DEFAULT_THRESHOLD}, not {threshold}")
    report = DedupReport()
    try:
        with write_transaction(conn):
            dirty = _changed_articles(conn)
            if dirty:
                # The changed ids are passed once, as a relation the statements below read (`IN (SELECT id …)`).
                with staged(conn, {"id": dirty}, {"id": "VARCHAR"}) as dirty_rows:
                    report.signatures_computed = _store_signatures(conn, dirty, dirty_rows)
                    report.title_duplicates = _mark_title_duplicates(conn, dirty_rows)
                    report.clusters_changed = _assign_clusters(conn, dirty_rows, threshold)
                    conn.execute(
                        "DELETE FROM article_changes WHERE purpose = 'dedup' "
                        f"AND article_id IN (SELECT id FROM {dirty_rows})"
                    )
            found = conn.execute(
                "SELECT count(*) FROM (SELECT story_cluster_id FROM articles WHERE story_cluster_id IS NOT NULL "
                "GROUP BY story_cluster_id HAVING count(*) > 1)"
            ).fetchone()
            report.stories_with_copies = int(found[0]) if found else 0
    except duckdb.Error as exc:
        raise WarehouseError(f"deduplication failed, nothing changed: {one_line(exc)}") from exc
    return report


def _changed_articles(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Articles to look at: changed since the last run, or without a signature of the current scheme."""
    rows = conn.execute(
        """
        SELECT c.article_id FROM article_changes c JOIN articles a ON a.id = c.article_id
        WHERE c.purpose = 'dedup'
        UNION
        SELECT a.id FROM articles a ANTI JOIN article_signatures s ON s.article_id = a.id AND s.scheme = ?
        """,
        [SCHEME],
    ).fetchall()
    return sorted(row[0] for row in rows)


def _signature_blobs_of(texts: list[str]) -> list[bytes]:
    return [signature_values(text).astype("<u8").tobytes() for text in texts]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Signer:
    """Computes signature blobs (`sign`), with worker processes when the work is large enough; used as a
    context manager, so that a run signing texts batch by batch starts its workers once."""

    def __init__(self, total: int, processes: int | None = None) -> None:
        self.workers = (
            processes if processes is not None else (_cores() if total >= PARALLEL_MIN_ARTICLES else 1)
        )
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Signer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown()

    def sign(self, texts: list[str]) -> list[bytes]:
        if self.workers <= 1 or len(texts) <= _CHUNK:
            return _signature_blobs_of(texts)
        chunks = [texts[i : i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
        blobs: list[bytes] = []
        try:
            if self.pool is None:
                self.pool = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
                )
            for part in self.pool.map(_signature_blobs_of, chunks):
                blobs.extend(part)
        except (BrokenProcessPool, OSError) as exc:
            logger.warning("signature workers failed (%s): computing the rest in this process", one_line(exc))
            self.workers = 1
            for chunk in chunks[len(blobs) // _CHUNK :]:
                blobs.extend(_signature_blobs_of(chunk))
        return blobs


def signature_blobs(texts: list[str], *, processes: int | None = None) -> list[bytes]:
    """The stored form of each text's signature (NUM_PERM little-endian uint64), in order.

    From `PARALLEL_MIN_ARTICLES` texts on, with more than one core (or `processes` > 1), worker processes share
    the work; they are started with "spawn", so nothing of the open warehouse is inherited. When they cannot
    start or one dies, the rest is computed here: the same values, only slower."""
    with _Signer(len(texts), processes) as signer:
        return signer.sign(texts)


def _store_signatures(conn: duckdb.DuckDBPyConnection, ids: list[str], id_rows: str) -> int:
    """Compute the signature, band keys and title key of each article in `ids` (`id_rows`: the same as a
    relation) and store them, `TEXT_BATCH` articles at a time: only that many texts are held in memory."""
    conn.execute(f"DELETE FROM article_bands WHERE article_id IN (SELECT id FROM {id_rows})")
    conn.execute(f"DELETE FROM article_title_keys WHERE article_id IN (SELECT id FROM {id_rows})")
    done = 0
    with _Signer(len(ids)) as signer:
        for start in range(0, len(ids), TEXT_BATCH):
            rows = _select_by_ids(
                conn,
                "SELECT id, text, title FROM articles WHERE id IN {ids}",
                ids[start : start + TEXT_BATCH],
            )
            blobs = signer.sign([text or "" for _, text, _ in rows])
            titles = [
                (article_id, normalize_title(title)) for article_id, _, title in rows if title is not None
            ]
            _store_batch([row[0] for row in rows], blobs, titles, conn)
            done += len(rows)
    return done


def _store_batch(
    ids: list[str], blobs: list[bytes], titles: list[tuple[str, str]], conn: duckdb.DuckDBPyConnection
) -> None:
    with staged(conn, {"id": ids, "signature": blobs}, {"id": "VARCHAR", "signature": "BLOB"}) as computed:
        conn.execute(
            f"""
            MERGE INTO article_signatures USING {computed} AS c ON article_signatures.article_id = c.id
            WHEN MATCHED THEN UPDATE SET scheme = ?, signature = c.signature
            WHEN NOT MATCHED THEN INSERT (article_id, scheme, signature) VALUES (c.id, ?, c.signature)
            """,
            [SCHEME, SCHEME],
        )
        # Band b is values 3b … 3b+2 of the signature, 8 bytes each: its key is DuckDB's hash of those 24 bytes.
        conn.execute(
            f"""
            INSERT INTO article_bands (article_id, band, bucket)
            SELECT s.id, b.band, hash(s.signature[{8 * ROWS} * b.band + 1 : {8 * ROWS} * (b.band + 1)])
            FROM {computed} AS s, (SELECT range AS band FROM range({BANDS})) AS b
            """
        )
    columns = {"id": [article_id for article_id, _ in titles], "key": [key for _, key in titles]}
    with staged(conn, columns, dict.fromkeys(columns, "VARCHAR")) as keys:
        conn.execute(f"INSERT INTO article_title_keys (article_id, title_key) SELECT id, key FROM {keys}")


def _mark_title_duplicates(conn: duckdb.DuckDBPyConnection, dirty_rows: str) -> int:
    """Re-posts among the title groups (source, normalised title) of the changed articles."""
    rows = conn.execute(
        f"""
        WITH groups AS (
            SELECT DISTINCT a.source, k.title_key FROM articles a JOIN article_title_keys k ON k.article_id = a.id
            WHERE a.id IN (SELECT id FROM {dirty_rows})
        )
        SELECT a.id, a.source, k.title_key, coalesce(a.published_at, a.first_seen_at) AS seen_at
        FROM articles a
        JOIN article_title_keys k ON k.article_id = a.id
        JOIN groups g ON g.source = a.source AND g.title_key = k.title_key
        WHERE a.duplicate_of IS NULL AND a.title IS NOT NULL
        ORDER BY seen_at, a.id
        """
    ).fetchall()
    first_of: dict[tuple[str, str], tuple[str, Any]] = {}
    marked_ids, originals = [], []
    for article_id, source, title_key, at in rows:
        key = (source, title_key)
        if len(title_key.split()) < MIN_TITLE_WORDS:
            continue
        earlier = first_of.get(key)
        if earlier is not None and at - earlier[1] <= TITLE_WINDOW:
            marked_ids.append(article_id)
            originals.append(earlier[0])
            continue
        first_of[key] = (article_id, at)
    if marked_ids:
        columns = {"id": marked_ids, "original": originals}
        with staged(conn, columns, dict.fromkeys(columns, "VARCHAR")) as marked:
            conn.execute(
                f"UPDATE articles SET duplicate_of = s.original FROM {marked} s WHERE articles.id = s.id"
            )
    return len(marked_ids)


def _assign_clusters(conn: duckdb.DuckDBPyConnection, dirty_rows: str, threshold: float) -> int:
    """Recompute the story clusters the changed articles touch; return how many articles changed cluster."""
    # The affected articles: the changed ones, those sharing an LSH band with them, and every member of the
    # clusters either belonged to. No other article can gain or lose a neighbour.
    affected_rows = conn.execute(
        f"""
        WITH seeds AS (
            SELECT id FROM {dirty_rows}
            UNION
            SELECT o.article_id FROM article_bands d
            JOIN article_bands o ON o.band = d.band AND o.bucket = d.bucket
            WHERE d.article_id IN (SELECT id FROM {dirty_rows})
        ),
        clusters AS (
            SELECT DISTINCT a.story_cluster_id FROM articles a JOIN seeds s ON s.id = a.id
            WHERE a.story_cluster_id IS NOT NULL
        )
        SELECT a.id, a.story_cluster_id, coalesce(a.published_at, a.first_seen_at) AS seen_at
        FROM articles a
        WHERE a.id IN (SELECT id FROM seeds) OR a.story_cluster_id IN (SELECT story_cluster_id FROM clusters)
        ORDER BY seen_at, a.id
        """
    ).fetchall()
    ids = [row[0] for row in affected_rows]
    rank = {article_id: index for index, article_id in enumerate(ids)}  # earlier article = lower rank
    with staged(conn, {"id": ids}, {"id": "VARCHAR"}) as affected:
        pairs = conn.execute(
            f"""
            WITH bands AS (SELECT b.* FROM article_bands b JOIN {affected} f ON f.id = b.article_id)
            SELECT DISTINCT x.article_id, y.article_id FROM bands x
            JOIN bands y ON y.band = x.band AND y.bucket = x.bucket AND x.article_id < y.article_id
            """
        ).fetchall()
    signatures = _signatures(conn, sorted({a for pair in pairs for a in pair}))
    parent = {article_id: article_id for article_id in ids}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a_id, b_id in pairs:
        # The bands find candidates; the estimated Jaccard decides.
        known = a_id in signatures and b_id in signatures
        if known and estimated_jaccard(signatures[a_id], signatures[b_id]) >= threshold:
            a, b = root(a_id), root(b_id)
            if a != b:
                keep, drop = (a, b) if rank[a] < rank[b] else (b, a)
                parent[drop] = keep
    changed_ids, clusters = [], []
    for article_id, current, _ in affected_rows:
        cluster = root(article_id)
        if current != cluster:
            changed_ids.append(article_id)
            clusters.append(cluster)
    if changed_ids:
        columns = {"id": changed_ids, "cluster": clusters}
        with staged(conn, columns, dict.fromkeys(columns, "VARCHAR")) as changed:
            conn.execute(
                f"UPDATE articles SET story_cluster_id = s.cluster FROM {changed} s WHERE articles.id = s.id"
            )
    return len(changed_ids)


def _signatures(conn: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> dict[str, np.ndarray]:
    if not ids:
        return {}
    # The scheme is checked here, not in the query: beside `scheme = ?` DuckDB makes the id list an optional
    # filter applied after reading every row's signature (0.1 s at 100,000 articles, against 1 ms by the key).
    rows = _select_by_ids(
        conn,
        "SELECT article_id, scheme, signature FROM article_signatures WHERE article_id IN {ids}",
        list(ids),
    )
    return {
        article_id: np.frombuffer(blob, dtype="<u8").astype(np.uint32)
        for article_id, scheme, blob in rows
        if scheme == SCHEME
    }


def pairs_above(texts: dict[str, str], thresholds: Iterable[float]) -> dict[float, set[frozenset[str]]]:
    """For each threshold, the pairs of keys whose texts' estimated Jaccard reaches it (for measurement)."""
    signatures = {key: signature_values(text) for key, text in texts.items()}
    keys = sorted(signatures)
    similarity = {
        frozenset((a, b)): estimated_jaccard(signatures[a], signatures[b])
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
    }
    return {t: {pair for pair, value in similarity.items() if value >= t} for t in thresholds}


def _select_by_ids(
    conn: duckdb.DuckDBPyConnection, sql: str, ids: Sequence[str], params: Sequence[Any] = ()
) -> list[Any]:
    """Rows of `sql`, whose `{ids}` stands where the id list goes (`… WHERE id IN {ids}`), for the `ids`."""
    if not ids:
        return []
    fragment, id_params = id_list(ids)
    return conn.execute(sql.format(ids=fragment), [*params, *id_params]).fetchall()
