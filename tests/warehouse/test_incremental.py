"""Incremental upkeep: a load touches only the new and changed articles, and the search index and the story
clusters it leaves are those a rebuild from scratch would make."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

import warehouse.dedup
import warehouse.loader
from tests.warehouse.conftest import write_article
from warehouse.db import connect
from warehouse.dedup import (
    BANDS,
    DEFAULT_THRESHOLD,
    NUM_PERM,
    ROWS,
    _fmix32,
    _permutations,
    deduplicate,
    signature_values,
)
from warehouse.loader import load_landing
from warehouse.search import FTS, refresh_index, search

STORIES = [
    "Kazakhtelecom and Huawei signed a memorandum on a 5G pilot in Astana, the operator's press office said.",
    "Kyrgyzstan's regulator ordered providers to block six VPN services; users in Osh and Bishkek complained.",
    "Uztelecom laid 1,200 km of fibre to villages in Karakalpakstan under a World Bank loan of $45 million.",
    "Министерство цифрового развития ограничило доступ к сорока VPN-сервисам и нескольким новостным сайтам.",
    "Tajik Telecom and ZTE agreed to build a data centre in Dushanbe; the café-style lobby was résumé material.",
    "Beeline Kyrgyzstan switched on 120 new 4G base stations in Naryn and Talas, reaching 40,000 users.",
    "Starlink received a licence in Kazakhstan after months of talks with the digital development ministry.",
    "Казахтелеком и Huawei подписали меморандум о пилотном проекте 5G в Астане, сообщила пресс-служба.",
]
WIRE = (
    "Uztelecom has signed a $118 million contract with Huawei for 1,450 5G base stations, the largest order of "
    "its kind in the region so far, the state operator said on Monday. The first 400 stations are due to go "
    "live in Tashkent by June 2027, followed by Samarkand, Bukhara and the Fergana valley. Huawei will also "
    "train 200 of the operator's engineers in Shenzhen. The ministry said the contract was financed by a loan "
    "from a Chinese state bank, whose terms were not disclosed."
)
COPY = "Silk Road Wire reports from Tashkent on the deal. " + WIRE.rsplit(".", 2)[0] + "."


def index_content(conn: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The index as BM25 sees it, whatever the numbering of its rows."""
    terms = conn.execute(
        f"SELECT d.name, t.fieldid, w.term, count(*) FROM {FTS}.terms t JOIN {FTS}.docs d USING (docid) "
        f"JOIN {FTS}.dict w USING (termid) GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    return {
        "docs": conn.execute(f"SELECT name, len FROM {FTS}.docs ORDER BY name").fetchall(),
        "terms": terms,
        "df": conn.execute(f"SELECT term, df FROM {FTS}.dict WHERE df > 0 ORDER BY term").fetchall(),
        "stats": conn.execute(f"SELECT num_docs, round(avgdl, 9) FROM {FTS}.stats").fetchall(),
    }


def load(conn: duckdb.DuckDBPyConnection, landing: Path) -> str:
    load_landing(conn, landing)
    deduplicate(conn)
    return refresh_index(conn)


@pytest.mark.parametrize("per_transaction", [5000, 1])
def test_the_index_updated_in_place_is_the_index_a_rebuild_makes(
    warehouse_path: Path, landing: Path, per_transaction: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import warehouse.search

    monkeypatch.setattr(warehouse.search, "UPDATE_BATCH", per_transaction)  # 1: each article on its own
    conn = connect(warehouse_path)
    for i, text in enumerate(STORIES):
        write_article(landing, f"https://steppe.example/{i}", text=text, title=f"Story {i} of the week")
    assert load(conn, landing) == "rebuilt"
    before = dict(conn.execute(f"SELECT name, docid FROM {FTS}.docs").fetchall())
    # One new article (no title) and one whose text changed: two of ten, the index is updated in place.
    write_article(landing, "https://dala.example/new", title=None, text="Kcell throttled Telegram in Almaty.")
    write_article(
        landing,
        "https://steppe.example/1",
        text="The regulator lifted the VPN block after a court ruling.",
        title="Story 1 of the week",
        fetched_at="2026-11-18T05:00:00+00:00",
    )
    assert load(conn, landing) == "updated"
    updated = index_content(conn)
    after = dict(conn.execute(f"SELECT name, docid FROM {FTS}.docs").fetchall())
    changed = {k for k in after if before.get(k) != after[k]}
    assert len(changed) == 2  # the new and the changed article; every other document kept its row
    conn.close()
    conn = connect(warehouse_path)
    try:
        assert refresh_index(conn, rebuild=True) == "rebuilt"
        assert index_content(conn) == updated
    finally:
        conn.close()
    assert [h.url for h in search(warehouse_path, "throttled telegram")] == ["https://dala.example/new"]
    assert [h.url for h in search(warehouse_path, "court")] == ["https://steppe.example/1"]
    assert "https://steppe.example/1" not in [h.url for h in search(warehouse_path, "Osh")]  # the old text


def test_the_index_is_updated_while_that_is_cheaper_and_rebuilt_when_most_articles_changed(
    warehouse_path: Path, landing: Path
) -> None:
    """bench/fts_strategy.py: an update costs about what a rebuild does per article only when nearly all of the
    index changed: up to REBUILD_SHARE (75 %) of the articles the index will hold, it is updated in place."""
    conn = connect(warehouse_path)
    for i, text in enumerate(STORIES):
        write_article(landing, f"https://steppe.example/{i}", text=text, title=f"Story {i} of the week")
    assert load(conn, landing) == "rebuilt"  # no index yet

    def add(prefix: str, count: int, text: str, title: str) -> None:
        for i in range(count):
            write_article(
                landing, f"https://steppe.example/{prefix}{i}", text=text.format(i), title=title.format(i)
            )

    stored = len(STORIES)
    # the warehouse triples: 2/3 of it changed, updated in place
    add("a", 2 * stored, "Beeline cut mobile data in region {}.", "Beeline outage, region {}")
    assert load(conn, landing) == "updated"
    stored *= 3
    # more than three times as many again: over 3/4 changed, rebuilt
    add("b", 3 * stored + 1, "Kazakhtelecom blocked a VPN in Zhezkazgan, order {}.", "VPN order {}")
    assert load(conn, landing) == "rebuilt"
    conn.close()
    rebuilt = {h.url for h in search(warehouse_path, "Zhezkazgan", limit=200)}
    assert rebuilt == {f"https://steppe.example/b{i}" for i in range(3 * stored + 1)}


def test_a_load_touches_only_the_new_articles_and_nothing_when_nothing_is_new(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    for i, text in enumerate(STORIES):
        write_article(landing, f"https://steppe.example/{i}", text=text, title=f"Story {i} of the week")
    load(conn, landing)
    assert conn.execute("SELECT count(*) FROM article_changes").fetchone() == (0,)
    signed_at = dict(conn.execute("SELECT article_id, computed_at FROM article_signatures").fetchall())

    write_article(landing, "https://steppe.example/new", text=WIRE)
    report = load_landing(conn, landing)
    assert (report.files_skipped, report.articles_new) == (len(STORIES), 1)
    noted = conn.execute("SELECT article_id, purpose FROM article_changes ORDER BY purpose").fetchall()
    assert [purpose for _, purpose in noted] == ["dedup", "search"]
    assert deduplicate(conn).signatures_computed == 1
    assert refresh_index(conn) == "updated"
    assert dict(
        conn.execute("SELECT article_id, computed_at FROM article_signatures").fetchall()
    ).items() >= (signed_at.items())  # the stored signatures were not recomputed

    again = load_landing(conn, landing)
    assert (again.files_skipped, again.articles_new) == (len(STORIES) + 1, 0)
    assert deduplicate(conn).signatures_computed == 0
    assert refresh_index(conn) == "current"


def full_clusters(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Story clusters computed from scratch, as before the band table: every signature into a datasketch
    MinHashLSH, candidates checked by their estimated Jaccard, each cluster named after its earliest article."""
    from datasketch import MinHash, MinHashLSH

    rows = conn.execute(
        "SELECT a.id, s.signature FROM articles a JOIN article_signatures s ON s.article_id = a.id "
        "ORDER BY coalesce(a.published_at, a.first_seen_at), a.id"
    ).fetchall()
    hashes = {
        i: MinHash(
            num_perm=NUM_PERM, seed=1, hashvalues=np.frombuffer(b, "<u8").astype(np.uint32), scheme="affine32"
        )
        for i, b in rows
    }
    lsh = MinHashLSH(threshold=DEFAULT_THRESHOLD, num_perm=NUM_PERM)
    first = {i: n for n, (i, _) in enumerate(rows)}
    cluster = {i: i for i, _ in rows}
    for i, _ in rows:
        for other in lsh.query(hashes[i]):
            if hashes[i].jaccard(hashes[other]) >= DEFAULT_THRESHOLD:
                a, b = cluster[i], cluster[other]
                keep, drop = (a, b) if first[a] < first[b] else (b, a)
                cluster = {k: keep if v == drop else v for k, v in cluster.items()}
        lsh.insert(i, hashes[i])
    return cluster


def test_clusters_kept_up_load_by_load_are_the_clusters_computed_from_scratch(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    write_article(
        landing, "https://silk.example/wire", source="silk-wire", text=WIRE, published_at="2026-11-17"
    )
    for i, text in enumerate(STORIES[:4]):
        write_article(landing, f"https://steppe.example/{i}", text=text, title=f"Story {i}")
    load(conn, landing)
    # A copy published earlier than the wire: the story is renamed after it.
    write_article(landing, "https://dala.example/copy", source="dala", text=COPY, published_at="2026-11-16")
    write_article(landing, "https://toolor.example/copy", source="toolor", text=COPY + " Updated.")
    load(conn, landing)
    clusters = dict(conn.execute("SELECT id, story_cluster_id FROM articles").fetchall())
    assert len(set(clusters.values())) == 5
    assert clusters == full_clusters(conn)
    # The earliest copy is rewritten into another story: it leaves, and the others stay together.
    write_article(
        landing,
        "https://dala.example/copy",
        source="dala",
        text=STORIES[6],
        published_at="2026-11-16",
        fetched_at="2026-11-19T05:00:00+00:00",
    )
    load(conn, landing)
    clusters = dict(conn.execute("SELECT id, story_cluster_id FROM articles").fetchall())
    assert clusters == full_clusters(conn)
    assert len(set(clusters.values())) == 6


def test_signatures_follow_datasketch_affine32_and_its_lsh_parameters() -> None:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=DEFAULT_THRESHOLD, num_perm=NUM_PERM)
    assert (lsh.b, lsh.r) == (BANDS, ROWS)
    reference = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32")
    a, b = _permutations()
    assert (reference.permutations[0] == a).all()
    assert (reference.permutations[1] == b).all()
    values = np.array([7, 123456789, 4294967295], dtype=np.uint32)
    reference_hashfunc = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=lambda v: v)
    reference_hashfunc.update_batch([int(v) for v in values])
    mine = (np.outer(_fmix32(values), a) + b).min(axis=0)
    assert (reference_hashfunc.hashvalues == mine).all()
    assert signature_values("").tolist() == [0xFFFFFFFF] * NUM_PERM


def _age(folder: Path) -> None:
    """Make a folder look written an hour ago (a load records only folders that settled)."""
    stamp = folder.stat().st_mtime - 3600
    os.utime(folder, (stamp, stamp))


def test_folders_loaded_in_full_are_not_listed_again_until_a_file_arrives(
    conn: duckdb.DuckDBPyConnection, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_article(landing, "https://steppe.example/a", text=STORIES[0])
    write_article(landing, "https://steppe.example/b", text=STORIES[1])
    day = first.parent
    _age(day)
    assert load_landing(conn, landing).articles_new == 2
    listed: list[str] = []
    real_scandir = os.scandir

    def spying_scandir(path: Any) -> Any:
        listed.append(Path(path).name)
        return real_scandir(path)

    monkeypatch.setattr(warehouse.loader.os, "scandir", spying_scandir)
    again = load_landing(conn, landing)
    assert (again.files_seen, again.files_skipped, again.articles_new) == (2, 2, 0)
    assert day.name not in listed  # the day's folder was not listed
    # A new file is renamed into the folder, as the crawl writes: the folder changed and is listed again.
    write_article(landing, "https://steppe.example/c", text=STORIES[2])
    third = load_landing(conn, landing)
    assert (third.files_seen, third.files_skipped, third.articles_new) == (3, 2, 1)
    assert day.name in listed


def test_a_folder_with_a_failed_file_is_always_listed(conn: duckdb.DuckDBPyConnection, landing: Path) -> None:
    write_article(landing, "https://steppe.example/a", text=STORIES[0])
    broken = landing / "articles" / "2026-11-17" / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    _age(broken.parent)
    assert len(load_landing(conn, landing).files_failed) == 1
    assert conn.execute("SELECT count(*) FROM landing_folders").fetchone() == (0,)
    broken.write_text("[]", encoding="utf-8")  # fixed in place: the folder's time does not change
    _age(broken.parent)
    assert load_landing(conn, landing).files_failed == [
        ("articles/2026-11-17/broken.json", "expected a JSON object, found list '[]'")
    ]


def test_signing_in_small_batches_stores_what_one_batch_stores(
    tmp_path: Path, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_article(
        landing, "https://silk.example/wire", source="silk-wire", text=WIRE, published_at="2026-11-17"
    )
    write_article(landing, "https://dala.example/copy", source="dala", text=COPY, published_at="2026-11-18")
    for i, text in enumerate(STORIES):
        write_article(
            landing, f"https://steppe.example/{i}", text=text, title=f"Kazakhtelecom story number {i}"
        )
    write_article(
        landing,
        "https://steppe.example/again",
        text=STORIES[2] + " Updated.",
        title="Kazakhtelecom story number 1",
    )
    stored = {}
    for batch in (1000, 3):
        monkeypatch.setattr(warehouse.dedup, "TEXT_BATCH", batch)
        conn = connect(tmp_path / f"batch-{batch}.duckdb")
        load_landing(conn, landing)
        report = deduplicate(conn)
        stored[batch] = (
            report.signatures_computed,
            report.title_duplicates,
            conn.execute(
                "SELECT article_id, scheme, signature FROM article_signatures ORDER BY 1"
            ).fetchall(),
            conn.execute("SELECT * FROM article_bands ORDER BY ALL").fetchall(),
            conn.execute("SELECT * FROM article_title_keys ORDER BY ALL").fetchall(),
            conn.execute("SELECT id, story_cluster_id, duplicate_of FROM articles ORDER BY id").fetchall(),
        )
        conn.close()
    assert stored[3] == stored[1000]
    computed, title_duplicates, signatures, _, _, articles = stored[3]
    assert computed == len(signatures) == len(STORIES) + 3
    assert title_duplicates == 1
    assert len({cluster for _, cluster, _ in articles}) < len(articles)  # the copy joined the wire story


def test_a_rebuild_runs_on_one_thread_and_gives_the_threads_back(
    conn: duckdb.DuckDBPyConnection, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i, text in enumerate(STORIES):
        write_article(landing, f"https://steppe.example/{i}", text=text, title=f"Story {i}")
    load_landing(conn, landing)
    conn.execute("SET threads = 3")
    seen: list[str] = []
    real = conn.execute

    class Watched:
        def execute(self, sql: str, *args: Any) -> Any:
            if "create_fts_index" in sql:
                seen.append(real("SELECT current_setting('threads')").fetchone()[0])
            return real(sql, *args)

        def __getattr__(self, name: str) -> Any:
            return getattr(conn, name)

    assert refresh_index(Watched()) == "rebuilt"  # type: ignore[arg-type]
    assert seen == [1]
    assert conn.execute("SELECT current_setting('threads')").fetchone() == (3,)
    assert conn.execute(f"SELECT count(*) FROM {FTS}.docs").fetchone() == (len(STORIES),)
