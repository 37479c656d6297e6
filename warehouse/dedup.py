"""Duplicates and syndication: same-source title duplicates, and stories told by several outlets.

Exact copies (same text) get `duplicate_of` in the loader. Here:

- **Title duplicates**: an article of the same source with the same normalised title, published within 7 days of
  an earlier one, is a re-post: `duplicate_of` the earlier one. Titles of fewer than `MIN_TITLE_WORDS` words
  ("Briefing", "Новости дня") recur by design and are left alone.
- **Story clusters**: near-duplicate texts found with MinHash LSH (datasketch) over word shingles; a wire story
  reprinted by five outlets, each with its own intro or a paragraph cut, becomes one `story_cluster_id` (the id of
  the cluster's earliest article) shared by the five. The threshold was chosen by measurement
  (eval/dedup/measure.py; README, "Deduplication").
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import duckdb
import numpy as np
from datasketch import MinHash, MinHashLSH

from warehouse.errors import WarehouseError, one_line

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_THRESHOLD", "DedupReport", "deduplicate", "jaccard", "normalize_title", "signature"]

NUM_PERM = 128
SHINGLE_WORDS = 3
HASH_SCHEME = "affine32"  # datasketch's permutation scheme; stored values are only comparable within one
SCHEME = f"minhash-{HASH_SCHEME}/{NUM_PERM}/w{SHINGLE_WORDS}"
# Estimated Jaccard similarity of word 3-shingles from which two texts tell the same story; chosen on the demo
# corpus and the test fixtures by eval/dedup/measure.py: syndicated copies score 0.48 and more, distinct stories
# (same-topic ones and translations included) 0.05 at most; 0.3 sits in that gap with room on both sides.
DEFAULT_THRESHOLD = 0.3
TITLE_WINDOW = timedelta(days=7)
MIN_TITLE_WORDS = 4

_WORD = re.compile(r"\w+", re.UNICODE)


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


def signature(text: str) -> MinHash:
    """The MinHash of a text's shingles (fixed seed, so signatures are comparable across runs)."""
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=HASH_SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles(text)])
    return minhash


def jaccard(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two texts' shingles."""
    return float(signature(a).jaccard(signature(b)))


def normalize_title(title: str | None) -> str:
    """Case-folded words of a title, punctuation and spacing ignored."""
    return " ".join(_words(title or ""))


def deduplicate(conn: duckdb.DuckDBPyConnection, *, threshold: float = DEFAULT_THRESHOLD) -> DedupReport:
    """Mark title duplicates and (re)assign story clusters; idempotent, one transaction."""
    report = DedupReport()
    conn.execute("BEGIN TRANSACTION")
    try:
        report.signatures_computed = _store_missing_signatures(conn)
        report.title_duplicates = _mark_title_duplicates(conn)
        report.clusters_changed, report.stories_with_copies = _assign_clusters(conn, threshold)
        conn.execute("COMMIT")
    except duckdb.Error as exc:
        conn.execute("ROLLBACK")
        raise WarehouseError(f"deduplication failed, nothing changed: {one_line(exc)}") from exc
    return report


def _store_missing_signatures(conn: duckdb.DuckDBPyConnection) -> int:
    rows = conn.execute(
        """
        SELECT a.id, a.text FROM articles a
        LEFT JOIN article_signatures s ON s.article_id = a.id AND s.scheme = ?
        WHERE s.article_id IS NULL
        """,
        [SCHEME],
    ).fetchall()
    for article_id, text in rows:
        values = signature(text or "").hashvalues.astype("<u8").tobytes()
        conn.execute(
            "INSERT OR REPLACE INTO article_signatures (article_id, scheme, signature) VALUES (?, ?, ?)",
            [article_id, SCHEME, values],
        )
    return len(rows)


def _mark_title_duplicates(conn: duckdb.DuckDBPyConnection) -> int:
    rows = conn.execute(
        """
        SELECT id, source, title, coalesce(published_at, first_seen_at) AS seen_at
        FROM articles WHERE duplicate_of IS NULL AND title IS NOT NULL
        ORDER BY seen_at, id
        """
    ).fetchall()
    first_of: dict[tuple[str, str], tuple[str, object]] = {}
    marked = 0
    for article_id, source, title, at in rows:
        key = (source, normalize_title(title))
        if len(key[1].split()) < MIN_TITLE_WORDS:
            continue
        earlier = first_of.get(key)
        if earlier is not None and at - earlier[1] <= TITLE_WINDOW:  # type: ignore[operator]
            conn.execute("UPDATE articles SET duplicate_of = ? WHERE id = ?", [earlier[0], article_id])
            marked += 1
            continue
        first_of[key] = (article_id, at)
    return marked


def _assign_clusters(conn: duckdb.DuckDBPyConnection, threshold: float) -> tuple[int, int]:
    rows = conn.execute(
        """
        SELECT a.id, s.signature, a.story_cluster_id
        FROM articles a JOIN article_signatures s ON s.article_id = a.id AND s.scheme = ?
        ORDER BY coalesce(a.published_at, a.first_seen_at), a.id
        """,
        [SCHEME],
    ).fetchall()
    ids = [row[0] for row in rows]
    hashes = {row[0]: _minhash(row[1]) for row in rows}
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    parent = {article_id: article_id for article_id in ids}
    rank = {article_id: index for index, article_id in enumerate(ids)}  # earlier article = lower rank

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for article_id in ids:
        minhash = hashes[article_id]
        for other in lsh.query(minhash):
            # LSH finds candidates; the estimated Jaccard decides.
            if minhash.jaccard(hashes[other]) >= threshold:
                a, b = root(article_id), root(other)
                if a != b:
                    keep, drop = (a, b) if rank[a] < rank[b] else (b, a)
                    parent[drop] = keep
        lsh.insert(article_id, minhash)
    changed = 0
    sizes: dict[str, int] = {}
    for article_id, _, current in rows:
        cluster = root(article_id)
        sizes[cluster] = sizes.get(cluster, 0) + 1
        if current != cluster:
            conn.execute("UPDATE articles SET story_cluster_id = ? WHERE id = ?", [cluster, article_id])
            changed += 1
    return changed, sum(1 for size in sizes.values() if size > 1)


def _minhash(values: bytes) -> MinHash:
    hashvalues = np.frombuffer(values, dtype="<u8").astype(np.uint64)
    return MinHash(num_perm=NUM_PERM, seed=1, hashvalues=hashvalues, scheme=HASH_SCHEME)


def pairs_above(texts: dict[str, str], thresholds: Iterable[float]) -> dict[float, set[frozenset[str]]]:
    """For each threshold, the pairs of keys whose texts' estimated Jaccard reaches it (for measurement)."""
    signatures = {key: signature(text) for key, text in texts.items()}
    keys = sorted(signatures)
    similarity = {
        frozenset((a, b)): float(signatures[a].jaccard(signatures[b]))
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
    }
    return {t: {pair for pair, value in similarity.items() if value >= t} for t in thresholds}
