"""The pipeline on a DuckLake warehouse (catalog in a real PostgreSQL, data under a data path), chosen by the
`warehouse` and `data_path` settings: the same results as on the local warehouse file, concurrent writers that
neither double nor lose anything, and `stanwire sql` reading it."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines import stages
from pipelines.cli import app
from pipelines.errors import ConfigError
from pipelines.settings import Settings, load_settings
from tests.warehouse.conftest import write_article, write_error
from warehouse.ducklake import Lake, open_lake

STANWIRE = str(Path(sys.executable).with_name("stanwire"))
WIRE = (
    "Uztelecom has signed a $118 million contract with Huawei for 1,450 5G base stations, the largest order of "
    "its kind in the region so far, the state operator said on Monday in Tashkent.\n\n"
    "The first 400 stations are due to go live in Tashkent by June 2027. Huawei will also train 200 of the "
    "operator's engineers in Shenzhen, and the ministry of digital technologies said China Development Bank "
    "financed the deal."
)
# What the comparison reads: every table the pipeline writes, without the columns that say when it ran.
TABLES = {
    "articles": "SELECT id, canonical_url, source, title, content_hash, duplicate_of, story_cluster_id, "
    "nlp_version IS NOT NULL FROM articles",
    "landing_files": "SELECT path, kind, sha256, status, message FROM landing_files",
    "crawl_errors": "SELECT source, url, stage, http_status, message, failed_at, landing_file FROM crawl_errors",
    "organizations": "SELECT id, name, kind, country, in_gazetteer FROM organizations",
    "article_organizations": "SELECT * FROM article_organizations",
    "article_countries": "SELECT * FROM article_countries",
    "events": "SELECT * FROM events",
    "event_parties": "SELECT * FROM event_parties",
    "article_topics": "SELECT * FROM article_topics",
    "article_signatures": "SELECT article_id, scheme, signature FROM article_signatures",
    "article_changes": "SELECT * FROM article_changes WHERE purpose = 'dedup'",
}


def write_landing(landing: Path) -> None:
    """Articles in both languages, an exact copy, a syndicated copy with its own intro, a crawl error and a
    file that is not JSON."""
    write_article(
        landing, "https://steppe.example/news/huawei", text=WIRE, title="Uztelecom picks Huawei for 5G"
    )
    write_article(
        landing,
        "https://dala.example/copy",
        source="dala",
        text=WIRE,
        title="Huawei wins Uzbek 5G order",
    )
    write_article(
        landing,
        "https://dala.example/rewrite",
        source="dala",
        text="Uzbekistan's state operator placed the region's largest 5G order with Huawei.\n\n"
        + WIRE.split("\n\n")[0],
        title="Uzbekistan places a record 5G order",
        fetched_at="2026-11-17T07:00:00+00:00",
    )
    write_article(
        landing,
        "https://steppe.example/news/vpn",
        text="Kyrgyzstan's digital ministry ordered providers to block six VPN services at the request of the "
        "GKNB, users in Bishkek and Osh said.",
        title="Kyrgyzstan blocks six VPN services",
    )
    write_article(
        landing,
        "https://dala.example/ru",
        source="dala",
        language="ru",
        title="Казахтелеком и ZTE подписали меморандум",
        text="Казахтелеком и китайская ZTE подписали в Астане меморандум о строительстве сети 5G в Казахстане.",
    )
    write_error(landing, "https://steppe.example/news/gone", http_status=404, message="HTTP 404 Not Found")
    bad = landing / "articles" / "2026-11-17" / "broken.json"
    bad.write_text("{not json", encoding="utf-8")


def local_settings(home: Path) -> Settings:
    return Settings(home=home, sources=home / "sources.yaml", nlp_processes=1)


def lake_settings(home: Path, lake: tuple[str, str]) -> Settings:
    catalog, data_path = lake
    return dataclasses.replace(
        local_settings(home), warehouse=f"ducklake:postgres:{catalog}", data_path=data_path
    )


def snapshot(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    return {name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in TABLES.items()}


def read(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    with stages.read_warehouse(settings) as conn:
        return snapshot(conn)


def test_a_lake_holds_what_the_local_warehouse_holds_after_load_and_enrich(
    tmp_path: Path, lake: tuple[str, str]
) -> None:
    here, shared = local_settings(tmp_path / "local"), lake_settings(tmp_path / "lake-home", lake)
    for settings in (here, shared):
        write_landing(settings.landing_dir)
        report = stages.load(settings)
        assert (report.articles_new, report.articles_duplicate, report.errors_loaded) == (4, 1, 1)
        assert [path for path, _ in report.files_failed] == ["articles/2026-11-17/broken.json"]
        enriched = stages.enrich(settings)
        assert enriched.articles == 4
        assert not enriched.failed
    expected = read(here)
    assert expected["events"]
    assert expected["article_organizations"]
    assert sum(row[5] is not None for row in expected["articles"]) == 1  # the exact copy
    assert read(shared) == expected
    # Loading and enriching again changes nothing, on the lake as on the file.
    assert stages.load(shared).articles_new == 0
    assert stages.enrich(shared).articles == 0
    assert read(shared) == expected
    # The lake is Parquet files under data_path and a catalog in PostgreSQL: no DuckDB file in the home.
    assert not shared.warehouse_path.exists()
    assert list(Path(lake[1]).rglob("*.parquet"))


def test_stanwire_sql_and_status_read_the_lake_and_search_says_it_cannot(
    tmp_path: Path, lake: tuple[str, str]
) -> None:
    settings = lake_settings(tmp_path / "home", lake)
    write_landing(settings.landing_dir)
    stages.load(settings)
    env = {"STANWIRE_WAREHOUSE": settings.warehouse, "STANWIRE_DATA_PATH": settings.data_path}
    base = ["--home", str(settings.home)]
    result = CliRunner().invoke(
        app,
        [*base, "sql", "SELECT source, count(*) AS n FROM articles GROUP BY 1 ORDER BY 1", "-f", "json"],
        env=env,
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"source": "dala", "n": 3}, {"source": "steppe-dispatch", "n": 2}]
    # still read-only, and no other file readable
    refused = CliRunner().invoke(app, [*base, "sql", "SELECT * FROM read_text('/etc/hostname')"], env=env)
    assert refused.exit_code == 1
    assert "error:" in refused.stderr
    status = CliRunner().invoke(app, [*base, "status"], env=env)
    assert status.exit_code == 0, status.stderr
    assert "ducklake:postgres:" in status.stdout
    search = CliRunner().invoke(app, [*base, "search", "Huawei"], env=env)
    assert search.exit_code == 1
    assert "local warehouse file only" in search.stderr
    assert "stanwire sql" in search.stderr


def test_two_processes_loading_the_same_landing_at_once_store_it_once(
    tmp_path: Path, lake: tuple[str, str]
) -> None:
    """Both see every file as new; the writer row makes one of each pair of batches lose its commit and load
    again against what the other stored. The result is a single load's, with nothing doubled or lost."""
    single = local_settings(tmp_path / "single")
    for i in range(40):
        write_article(
            single.landing_dir,
            f"https://steppe.example/news/{i}",
            text=f"Beeline raised tariffs in region {i}. " + WIRE.split("\n\n")[i % 2],
            title=f"Tariffs rise in region number {i}",
        )
    stages.load(single)
    expected = read(single)
    # Two machines, each with its own home (its own run lock) and the same landing files (a shared folder).
    homes = [tmp_path / "machine-a", tmp_path / "machine-b"]
    for home in homes:
        shutil.copytree(single.landing_dir, home / "landing")
    shared = lake_settings(homes[0], lake)
    open_lake(Lake.parse(shared.warehouse, shared.data_path)).close()  # migrated once, before the race
    env = {**os.environ, "STANWIRE_WAREHOUSE": shared.warehouse, "STANWIRE_DATA_PATH": shared.data_path}
    loaders = [
        subprocess.Popen(
            [STANWIRE, "--home", str(home), "load"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for home in homes
    ]
    outcomes = [(p.wait(timeout=300), *p.communicate()) for p in loaders]
    assert [code for code, _, _ in outcomes] == [0, 0], outcomes
    # Each article is new to exactly one of them (the other found it stored: unchanged, or its file loaded).
    new = [int(re.search(r"(\d+) new articles", " ".join(out.split())).group(1)) for _, out, _ in outcomes]  # type: ignore[union-attr]
    assert sum(new) == 40, outcomes
    assert read(shared) == expected


def test_a_bad_warehouse_setting_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a DuckLake warehouse"):
        load_settings(config_file=None, home=str(tmp_path), warehouse="postgres://db/stanwire")
    with pytest.raises(ConfigError, match="needs data_path"):
        load_settings(config_file=None, home=str(tmp_path), warehouse="ducklake:postgres:dbname=x host=y")
    with pytest.raises(ConfigError, match="libpq connection string"):
        load_settings(
            config_file=None, home=str(tmp_path), warehouse="ducklake:postgres:", data_path="/srv/x"
        )
    with pytest.raises(ConfigError, match="object storage"):
        load_settings(
            config_file=None, home=str(tmp_path), warehouse="ducklake:postgres:dbname=x", data_path="s3://b/x"
        )
