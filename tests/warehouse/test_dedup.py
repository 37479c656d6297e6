"""Title duplicates and story clusters (warehouse.dedup) on articles loaded from landing files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.warehouse.conftest import write_article
from warehouse.dedup import DEFAULT_THRESHOLD, deduplicate, jaccard, normalize_title
from warehouse.loader import load_landing
from warehouse.records import article_id

WIRE = (
    "Uztelecom has signed a $118 million contract with Huawei for 1,450 5G base stations, the largest order of "
    "its kind in the region so far, the state operator said on Monday.\n\n"
    "The first 400 stations are due to go live in Tashkent by June 2027, followed by Samarkand, Bukhara and the "
    "Fergana valley. Huawei will also train 200 of the operator's engineers in Shenzhen.\n\n"
    "The ministry of digital technologies said the contract was financed by a loan from a Chinese state bank, "
    "whose terms were not disclosed. Rival operators Ucell and Mobiuz use equipment from Nokia and ZTE.\n\n"
    "Western diplomats have warned Tashkent about the security risks of Chinese equipment; officials say every "
    "vendor passes the same certification."
)
COPY = (
    "Uzbekistan's state operator has placed the region's largest 5G order so far with Huawei, Silk Road Wire "
    "reports.\n\n" + WIRE.rsplit("\n\n", 1)[0]
)
OTHER = (
    "Kyrgyzstan's digital ministry ordered providers to block six VPN services at the request of the GKNB, "
    "users in Bishkek and Osh said on Sunday after free VPN apps stopped connecting.\n\n"
    "Rights groups called the order an attempt to cut readers off from independent news sites blocked under "
    "the false-information law. The ministry did not say how long the block would last."
)
TRANSLATION = (
    "Узтелеком подписал с Huawei контракт на 118 миллионов долларов на 1450 базовых станций 5G — крупнейший "
    "заказ такого рода в регионе, сообщил в понедельник государственный оператор. Первые 400 станций должны "
    "заработать в Ташкенте к июню 2027 года."
)
TITLE = "Uztelecom hands Huawei $118 million 5G contract"


def clusters(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(conn.execute("SELECT url, story_cluster_id FROM articles").fetchall())


def test_a_syndicated_copy_joins_the_original_story_and_other_stories_stay_apart(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    original, copy = "https://silk.example/wire/5g", "https://steppe.example/2026/11/5g"
    write_article(landing, original, source="silk-wire", text=WIRE, published_at="2026-11-17T09:00:00+05:00")
    write_article(
        landing, copy, source="steppe-dispatch", text=COPY, published_at="2026-11-17T17:45:00+06:00"
    )
    write_article(landing, "https://steppe.example/vpn", text=OTHER, title="Kyrgyzstan orders VPN block")
    write_article(landing, "https://dala.example/5g", source="dala", text=TRANSLATION, language="ru")
    load_landing(conn, landing)
    report = deduplicate(conn)
    assert report.signatures_computed == 4
    assert report.stories_with_copies == 1
    found = clusters(conn)
    # The story's id is its earliest article's: the wire's.
    assert found[original] == found[copy] == article_id(original)
    assert found["https://steppe.example/vpn"] == article_id("https://steppe.example/vpn")
    assert found["https://dala.example/5g"] == article_id(
        "https://dala.example/5g"
    )  # a translation is not a copy
    assert jaccard(WIRE, COPY) >= DEFAULT_THRESHOLD > jaccard(WIRE, OTHER)


def test_deduplicating_again_changes_nothing_and_a_later_copy_joins_the_story(
    conn: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    write_article(landing, "https://silk.example/wire/5g", source="silk-wire", text=WIRE)
    load_landing(conn, landing)
    deduplicate(conn)
    again = deduplicate(conn)
    assert (again.signatures_computed, again.clusters_changed, again.title_duplicates) == (0, 0, 0)

    write_article(landing, "https://steppe.example/5g", source="steppe-dispatch", text=COPY)
    load_landing(conn, landing)
    later = deduplicate(conn)
    assert later.signatures_computed == 1
    assert set(clusters(conn).values()) == {article_id("https://silk.example/wire/5g")}


@pytest.mark.parametrize(
    ("second", "duplicate"),
    [
        ({"published_at": "2026-11-20T10:00:00+06:00"}, True),  # same source, same title, 3 days later
        (
            {"title": f"  {TITLE.upper()}!  ", "published_at": "2026-11-18T10:00:00+06:00"},
            True,
        ),  # case, punctuation
        ({"published_at": "2026-11-30T10:00:00+06:00"}, False),  # 13 days later: a new article
        ({"source": "dala", "published_at": "2026-11-18T10:00:00+06:00"}, False),  # another outlet
    ],
)
def test_same_source_title_duplicates_within_seven_days(
    conn: duckdb.DuckDBPyConnection, landing: Path, second: dict[str, str], duplicate: bool
) -> None:
    first = "https://steppe.example/a"
    write_article(landing, first, title=TITLE, text=WIRE, published_at="2026-11-17T10:00:00+06:00")
    write_article(landing, "https://steppe.example/b", **{"title": TITLE, "text": OTHER, **second})
    load_landing(conn, landing)
    assert deduplicate(conn).title_duplicates == int(duplicate)
    marked = conn.execute(
        "SELECT duplicate_of FROM articles WHERE url = 'https://steppe.example/b'"
    ).fetchone()
    assert marked == ((article_id(first) if duplicate else None),)


def test_short_recurring_titles_are_not_duplicates(conn: duckdb.DuckDBPyConnection, landing: Path) -> None:
    write_article(landing, "https://steppe.example/brief-1", title="Morning briefing", text=WIRE)
    write_article(landing, "https://steppe.example/brief-2", title="Morning briefing", text=OTHER)
    load_landing(conn, landing)
    assert deduplicate(conn).title_duplicates == 0
    assert normalize_title("  Morning — Briefing! ") == "morning briefing"


@pytest.mark.parametrize("wanted", [0, 1, 7, 1500])
def test_rows_by_id_are_the_same_as_a_list_of_values_and_as_a_join(wanted: int) -> None:
    # Short id lists are looked up as values (only the matching rows are read), long ones joined.
    import warehouse.db
    import warehouse.dedup as dedup

    db = duckdb.connect()
    db.execute("CREATE TABLE t (id VARCHAR PRIMARY KEY, kind VARCHAR, text VARCHAR)")
    db.execute(
        "INSERT INTO t SELECT 'a' || range, CASE WHEN range % 2 = 0 THEN 'even' ELSE 'odd' END, "
        "repeat('x', 50) FROM range(3000)"
    )
    ids = [f"a{n}" for n in range(0, 2 * wanted, 2)] + ["missing"]
    sql = "SELECT id, kind FROM t WHERE kind = ? AND id IN {ids}"
    got = sorted(dedup._select_by_ids(db, sql, ids, ["even"]))
    assert got == sorted((f"a{n}", "even") for n in range(0, 2 * wanted, 2))
    if wanted == 1500:  # the join path is the one taken
        assert len(ids) > warehouse.db.ID_LIST_MAX


def test_an_empty_id_list_selects_nothing() -> None:
    from warehouse.db import id_list

    fragment, params = id_list([])
    db = duckdb.connect()
    db.execute("CREATE TABLE t AS SELECT 'a' || range AS id FROM range(5)")
    assert db.execute(f"SELECT count(*) FROM t WHERE id IN {fragment}", params).fetchone() == (0,)


# --- signatures computed by worker processes -------------------------------------------------------------------


def _texts(count: int) -> list[str]:
    import random

    words = (WIRE + " " + OTHER + " " + TRANSLATION).split()
    return [" ".join(random.Random(i).sample(words, 60)) for i in range(count)] + ["", "one two"]


def test_signatures_from_worker_processes_equal_those_computed_here() -> None:
    from warehouse.dedup import _CHUNK, signature_blobs

    texts = _texts(2 * _CHUNK + 7)  # three chunks, the last one short
    here = signature_blobs(texts, processes=1)
    assert signature_blobs(texts, processes=2) == here
    # in order: each text's own signature, and texts drawn apart have signatures apart
    assert len(here) == len(texts)
    assert len(set(here)) == len(texts)
    assert here[-2] == signature_blobs([""], processes=1)[0]


def test_signatures_are_computed_here_when_the_workers_cannot_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from concurrent.futures.process import BrokenProcessPool

    import warehouse.dedup
    from warehouse.dedup import _CHUNK, signature_blobs

    class Broken:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def shutdown(self) -> None:
            return None

        def map(self, function: object, chunks: list[list[str]]) -> object:
            yield warehouse.dedup._signature_blobs_of(chunks[0])  # one chunk done, then a worker dies
            raise BrokenProcessPool("a worker died")

    texts = _texts(3 * _CHUNK)
    expected = signature_blobs(texts, processes=1)
    monkeypatch.setattr(warehouse.dedup, "ProcessPoolExecutor", Broken)
    assert signature_blobs(texts, processes=2) == expected
    assert "computing the rest in this process" in caplog.text
