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
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines import stages
from pipelines.cli import app
from pipelines.errors import ConfigError, RunError
from pipelines.settings import Settings, load_settings
from tests.lake_fixtures import s3_client
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


def test_stanwire_sql_status_and_search_read_the_lake(tmp_path: Path, lake: tuple[str, str]) -> None:
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
    # search: the same hits as on a local warehouse of the same files, from a replica in the home
    local = local_settings(tmp_path / "local")
    write_landing(local.landing_dir)
    stages.load(local)

    def hits(home: Path, words: str, environment: dict[str, str]) -> list[dict[str, Any]]:
        found = CliRunner().invoke(app, ["--home", str(home), "search", words, "-f", "json"], env=environment)
        assert found.exit_code == 0, found.stderr
        return list(json.loads(found.stdout))

    expected = hits(local.home, "Huawei", {})
    assert len(expected) >= 2
    assert hits(settings.home, "Huawei", env) == expected
    assert settings.search_replica_path.exists()
    # what a later load adds or changes is in the next search (only that is copied)
    for target in (settings, local):
        write_article(
            target.landing_dir,
            "https://dala.example/news/zte-fibre",
            title="ZTE lays fibre to Khorog",
            text="ZTE and Huawei compete for the Pamir backbone, the ministry said on Friday in Dushanbe. "
            * 5,
        )
        stages.load(target)
    later = hits(local.home, "Huawei", {})
    assert len(later) == len(expected) + 1
    assert hits(settings.home, "Huawei", env) == later
    with stages.read_warehouse(settings) as lake_conn:
        from warehouse.search import refresh_replica

        assert refresh_replica(lake_conn, settings.search_replica_path) == {
            "copied": 0,
            "removed": 0,
            "index": "current",
        }


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
    with pytest.raises(ConfigError, match="s3://bucket/prefix/"):
        load_settings(
            config_file=None, home=str(tmp_path), warehouse="ducklake:postgres:dbname=x", data_path="gs://b/x"
        )


# --- data on S3-compatible storage (moto's server on 127.0.0.1) ------------------------------------------------


def test_a_lake_with_its_data_on_s3_holds_what_the_local_file_holds_and_sql_reads_it(
    tmp_path: Path, pg_server: Any, s3_server: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in s3_server.items():
        monkeypatch.setenv(name, value)
    here = local_settings(tmp_path / "local")
    catalog = pg_server.create_database(f"s3_lake_{os.getpid()}")
    shared = dataclasses.replace(
        local_settings(tmp_path / "lake-home"),
        warehouse=f"ducklake:postgres:{catalog}",
        data_path="s3://stanwire/lake/",
    )
    for settings in (here, shared):
        write_landing(settings.landing_dir)
        report = stages.load(settings)
        assert (report.articles_new, report.errors_loaded) == (4, 1)
    with stages.read_warehouse(here) as conn:
        expected = {
            name: sorted(conn.execute(TABLES[name]).fetchall(), key=repr)
            for name in ("articles", "landing_files")
        }
    with stages.read_warehouse(shared) as conn:
        got = {
            name: sorted(conn.execute(TABLES[name]).fetchall(), key=repr)
            for name in ("articles", "landing_files")
        }
    assert got == expected
    s3 = s3_client(s3_server)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="stanwire", Prefix="lake/").get("Contents", [])]
    assert any(key.endswith(".parquet") for key in keys)
    env = {**s3_server, "STANWIRE_WAREHOUSE": shared.warehouse, "STANWIRE_DATA_PATH": shared.data_path}
    result = CliRunner().invoke(
        app, ["--home", str(shared.home), "sql", "SELECT count(*) AS n FROM articles", "-f", "json"], env=env
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"n": 5}]


def test_s3_without_credentials_is_one_clear_error(
    tmp_path: Path, pg_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    catalog = pg_server.create_database(f"s3_nokey_{os.getpid()}")
    settings = dataclasses.replace(
        local_settings(tmp_path / "home"),
        warehouse=f"ducklake:postgres:{catalog}",
        data_path="s3://stanwire/x/",
    )
    with pytest.raises(RunError, match="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"):
        stages.load(settings)


# --- enrichment shared by several workers --------------------------------------------------------------------

ENRICH_TABLES = ("article_organizations", "article_countries", "events", "event_parties", "article_topics")


def _enrichable(landing: Path, count: int) -> None:
    vendors = ("Huawei", "ZTE", "Nokia", "Ericsson")
    for i in range(count):
        write_article(
            landing,
            f"https://steppe.example/news/deal-{i}",
            title=f"Operator signs 5G deal number {i}",
            text=f"Kazakhtelecom signed a memorandum with {vendors[i % 4]} on a 5G network in region {i}, the "
            f"ministry said in Astana. Kyrgyzstan's regulator blocked {i + 2} VPN services at the GKNB's request.",
        )


def _nlp_rows(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    with stages.read_warehouse(settings) as conn:
        rows = {
            name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr) for name in ENRICH_TABLES
        }
        rows["enriched"] = conn.execute(
            "SELECT count(*) FROM articles WHERE nlp_version IS NOT NULL"
        ).fetchall()
        rows["claims"] = conn.execute("SELECT count(*) FROM enrich_claims").fetchall()
    return rows


def _enrich_processes(
    settings: Settings, homes: list[Path], extra: list[dict[str, str]]
) -> list[tuple[int, str, str]]:
    env = {
        **os.environ,
        "STANWIRE_WAREHOUSE": settings.warehouse,
        "STANWIRE_DATA_PATH": settings.data_path,
        "STANWIRE_NLP_PROCESSES": "1",
    }
    workers = [
        subprocess.Popen(
            [STANWIRE, "--home", str(home), "enrich"],
            env={**env, **more},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for home, more in zip(homes, extra, strict=True)
    ]
    return [(w.wait(timeout=600), *w.communicate()) for w in workers]


def _enriched_count(out: str) -> int:
    found = re.search(r"Enriched (\d+) articles", out)
    return int(found.group(1)) if found else -1


@pytest.fixture
def shared_lake(tmp_path: Path, lake: tuple[str, str]) -> tuple[Settings, dict[str, list[tuple[Any, ...]]]]:
    """A lake holding 12 loaded articles not enriched yet, and what one process enriching them stores."""
    single = local_settings(tmp_path / "single")
    _enrichable(single.landing_dir, 12)
    stages.load(single)
    stages.enrich(single, batch_size=5)
    expected = _nlp_rows(single)
    assert expected["enriched"] == [(12,)]
    assert expected["events"]
    shared = lake_settings(tmp_path / "loader", lake)
    _enrichable(shared.landing_dir, 12)
    stages.load(shared)
    return shared, expected


def test_two_workers_enriching_one_lake_share_the_articles_and_store_what_one_stores(
    tmp_path: Path, shared_lake: tuple[Settings, dict[str, list[tuple[Any, ...]]]]
) -> None:
    shared, expected = shared_lake
    outcomes = _enrich_processes(shared, [tmp_path / "a", tmp_path / "b"], [{}, {}])
    assert [code for code, _, _ in outcomes] == [0, 0], outcomes
    # Every article analysed by exactly one of them (a claimed batch is nobody else's).
    assert sum(_enriched_count(out) for _, out, _ in outcomes) == 12, outcomes
    assert _nlp_rows(shared) == expected


def test_a_worker_killed_mid_batch_loses_nothing_the_other_takes_its_claims_over(
    tmp_path: Path, shared_lake: tuple[Settings, dict[str, list[tuple[Any, ...]]]]
) -> None:
    """Batches of 4. Worker a claims the first batch and is killed with SIGKILL before analysing it; worker b,
    started once a's claims are in, enriches the other 8, finds a's 4 still claimed, waits, and takes them over
    once they are older than the lease (2 s)."""
    shared, expected = shared_lake
    env = {
        **os.environ,
        "STANWIRE_WAREHOUSE": shared.warehouse,
        "STANWIRE_DATA_PATH": shared.data_path,
        "STANWIRE_NLP_PROCESSES": "1",
        "STANWIRE_ENRICH_CLAIM_LEASE": "2",
        "STANWIRE_ENRICH_CLAIM_BATCH": "4",
    }

    def start(home: Path, **more: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [STANWIRE, "--home", str(home), "enrich"],
            env={**env, **more},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    doomed = start(tmp_path / "a", STANWIRE_CRASH_AT="enrich-batch-claimed:1")
    deadline = time.monotonic() + 120
    claims = 0
    while not claims and time.monotonic() < deadline:
        time.sleep(0.1)
        with stages.read_warehouse(shared) as conn:
            claims = conn.execute("SELECT count(*) FROM enrich_claims").fetchone()[0]  # type: ignore[index]
    assert claims == 4, doomed.communicate()
    survivor = start(tmp_path / "b")
    assert doomed.wait(timeout=300) == -9  # killed holding 4 claims, nothing analysed
    out, err = survivor.communicate(timeout=300)
    assert survivor.returncode == 0, err
    assert _enriched_count(out) == 12  # the other 8, then a's 4 once their claims expired
    assert _nlp_rows(shared) == expected  # nothing lost, nothing doubled, no claim left


# --- runs killed on one machine of several ------------------------------------------------------------------------


def test_only_this_machines_runs_in_this_home_are_judged_interrupted_on_a_lake(
    tmp_path: Path, lake: tuple[str, str]
) -> None:
    from datetime import UTC, datetime

    import warehouse.runs
    from pipelines.run import run_all
    from pipelines.runs import interrupted_runs, this_host

    settings = lake_settings(tmp_path / "home", lake)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    started = datetime(2026, 11, 30, 6, tzinfo=UTC)
    with stages.open_warehouse(settings) as conn:
        killed = warehouse.runs.start_run(
            conn, "ingest", started_at=started, pid=gone.pid, host=this_host(), home=str(settings.home)
        )
        # a run of another home on this machine, and one of another machine whose PID means nothing here
        elsewhere = warehouse.runs.start_run(
            conn, "ingest", started_at=started, pid=os.getpid(), host=this_host(), home="/srv/other-home"
        )
        other_machine = warehouse.runs.start_run(
            conn,
            "ingest",
            started_at=started,
            pid=gone.pid,
            host="worker-b.internal",
            home=str(settings.home),
        )
    with stages.read_warehouse(settings) as conn:
        found = interrupted_runs(conn, settings.home, shared=True)
    assert list(found) == [killed]
    assert f"PID {gone.pid}" in found[killed]
    report = run_all(settings, [], clock=lambda: started, through="load")
    with stages.read_warehouse(settings) as conn:
        status = dict(conn.execute("SELECT id, status FROM runs").fetchall())
        recorded = conn.execute("SELECT host, home FROM runs WHERE id = ?", [report.run_id]).fetchone()
    assert status == {
        killed: "interrupted",
        elsewhere: "running",
        other_machine: "running",
        report.run_id: "ok",
    }
    assert recorded == (this_host(), str(settings.home))


def test_export_of_a_lake_writes_the_tables_a_local_warehouse_exports(
    tmp_path: Path, lake: tuple[str, str]
) -> None:
    exported = {}
    for name, settings in (
        ("local", local_settings(tmp_path / "local")),
        ("lake", lake_settings(tmp_path / "lake-home", lake)),
    ):
        write_landing(settings.landing_dir)
        stages.load(settings)
        env = {"STANWIRE_WAREHOUSE": settings.warehouse, "STANWIRE_DATA_PATH": settings.data_path}
        target = tmp_path / f"export-{name}"
        result = CliRunner().invoke(
            app, ["--home", str(settings.home), "export", "--to", str(target)], env=env
        )
        assert result.exit_code == 0, result.stderr
        marker = json.loads((target / ".stanwire-export").read_text(encoding="utf-8"))
        conn = duckdb.connect()
        articles = conn.execute(
            f"SELECT id, title, week FROM read_parquet('{target}/articles/*/*.parquet', hive_partitioning = true)"
        ).fetchall()
        exported[name] = (marker["tables"], sorted(articles))
    for tables, _ in exported.values():
        tables.pop("landing_folders")  # recorded once a folder is a second old: a matter of timing
    assert exported["lake"] == exported["local"]
    tables, articles = exported["lake"]
    assert tables["articles"] == len(articles) == 5
    assert tables["landing_files"] == 7
