"""The enrich stage: results stored once, re-enrichment of an older NLP version idempotent, bad articles recorded."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

import nlp
import nlp.parallel
from pipelines import stages
from pipelines.settings import Settings
from tests.warehouse.conftest import table_counts, write_article
from warehouse.db import connect

URLS = ("https://steppe.example/news/1", "https://steppe.example/news/2")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(home=tmp_path / "home", sources=tmp_path / "sources.yaml")
    write_article(settings.landing_dir, URLS[0])
    write_article(
        settings.landing_dir,
        URLS[1],
        title="Узбекистан ограничил VPN",
        text="Власти Узбекистана ограничили доступ к VPN-сервисам и нескольким сайтам.",
        language="ru",
        source="dala",
    )
    stages.load(settings)
    return settings


def nlp_tables(settings: Settings) -> dict[str, int]:
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        counts = table_counts(conn)
        versions = {row[0] for row in conn.execute("SELECT nlp_version FROM articles").fetchall()}
    finally:
        conn.close()
    keep = ("organizations", "article_organizations", "article_countries", "events", "event_parties")
    return {name: counts[name] for name in keep} | {"versions": len(versions)}


def test_enrich_stores_results_once_and_reprocess_of_an_old_version_changes_nothing_twice(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = stages.enrich(settings)
    assert first.articles == 2
    assert first.failed == []
    stored = nlp_tables(settings)
    assert stored["events"] >= 2  # the agreement and the VPN restriction
    assert stored["article_countries"] >= 1
    assert stages.enrich(settings).articles == 0  # nothing new

    monkeypatch.setattr(nlp, "NLP_VERSION", "0.0.0+older")
    assert stages.enrich(settings).articles == 0  # an older version is redone only when asked
    assert stages.enrich(settings, reprocess=True).articles == 2
    assert stages.enrich(settings, reprocess=True).articles == 0
    assert nlp_tables(settings) == stored  # same rows, no duplicates, one version for all


def test_an_article_the_nlp_cannot_read_is_recorded_and_the_others_are_enriched(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = nlp.analyze

    def picky(pipes: nlp.Pipelines, doc: nlp.DocumentInput) -> nlp.DocumentAnalysis:
        if doc.language == "ru":
            raise nlp.InvalidDocumentError(f"document {doc.id!r}: unreadable")
        return real(pipes, doc)

    def failing_batch(*args: object, **kwargs: object) -> list[nlp.DocumentAnalysis]:
        raise nlp.InvalidDocumentError("one document of the batch is unreadable")

    monkeypatch.setattr(nlp.parallel, "analyze_many", failing_batch)
    monkeypatch.setattr(nlp.parallel, "analyze", picky)
    report = stages.enrich(settings)
    assert report.articles == 1
    [(article_id, message)] = report.failed
    assert "unreadable" in message
    assert article_id != ""


def stored_results(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    """What the NLP stored, row by row (article and event ids are derived from the content)."""
    tables = ("article_organizations", "article_countries", "events", "event_parties", "article_topics")
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        return {name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr) for name in tables}
    finally:
        conn.close()


def test_worker_processes_store_what_one_process_stores(settings: Settings, tmp_path: Path) -> None:
    shared = dataclasses.replace(settings, home=tmp_path / "shared", nlp_processes=2)
    shutil.copytree(settings.home, shared.home)  # the same loaded warehouse, not yet enriched

    alone = dataclasses.replace(settings, nlp_processes=1)
    one = stages.enrich(alone, parallel_min=1)
    assert (one.articles, one.processes) == (2, 1)
    expected = stored_results(alone)
    assert expected["events"]
    assert expected["article_organizations"]

    report = stages.enrich(shared, parallel_min=1)
    assert (report.articles, report.processes, report.failed, report.worker_errors) == (2, 2, [], [])
    assert stored_results(shared) == expected


def test_when_the_workers_die_this_process_does_the_rest_and_nothing_is_doubled(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STANWIRE_CRASH_AT", "enrich-worker-batch:1")  # every worker dies at its first batch
    report = stages.enrich(dataclasses.replace(settings, nlp_processes=2), batch_size=1, parallel_min=1)
    assert report.articles == 2
    assert report.failed == []
    assert report.worker_errors
    assert "worker process died" in report.worker_errors[0]
    monkeypatch.delenv("STANWIRE_CRASH_AT")
    assert stages.enrich(settings).articles == 0  # all stored, once
    counts = nlp_tables(settings)
    assert counts["versions"] == 1
    assert counts["events"] >= 2


def test_texts_are_read_a_few_articles_at_a_time_and_all_are_enriched_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import warehouse.enrichment

    for i in range(3):
        write_article(
            settings.landing_dir,
            f"https://steppe.example/news/more-{i}",
            title=f"Kcell signs its deal number {i}",
            text=f"Kcell signed deal {i} with Nokia.",
        )
    stages.load(settings)
    asked: list[int] = []
    real = warehouse.enrichment.articles_of

    def articles_of(conn: object, ids: list[str]) -> list[dict[str, object]]:
        asked.append(len(ids))
        return real(conn, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(warehouse.enrichment, "articles_of", articles_of)
    monkeypatch.setattr(stages, "READ_BATCH", 2)
    report = stages.enrich(settings, batch_size=1)
    assert report.articles == 5
    assert asked == [2, 2, 1]  # five articles, two texts at a time
    assert stages.enrich(settings).articles == 0
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        enriched = conn.execute("SELECT count(*) FROM articles WHERE nlp_version IS NOT NULL").fetchone()
    finally:
        conn.close()
    assert enriched == (5,)
