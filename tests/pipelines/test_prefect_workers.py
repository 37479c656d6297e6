"""Two Prefect workers on one process work pool, as docs/SCALING.md stands them up: a real Prefect server on
127.0.0.1, the deployments of prefect.yaml (`prefect deploy --all`), a tag limit of 1 per outlet, two
`prefect worker start --pool stanwire` processes with their own homes, a DuckLake warehouse in a real PostgreSQL
and a shared landing folder. They ingest the demo outlets (served on 127.0.0.1) at the same time while
`stanwire sql` reads the lake; one worker is killed with SIGKILL mid-run; the survivor finishes, the next ingest
picks up what the dead one left, two workers enrich; the lake then holds what one machine running the same
pipeline into a local file holds: the same articles, mentions and events, nothing doubled, nothing missing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from pipelines import stages
from pipelines.demo import DEMO_DIR, DEMO_NOW, DemoServer
from pipelines.settings import Settings
from tests.pipelines.test_lake_warehouse import ENRICH_TABLES, TABLES
from tests.prefect_server import (
    FINAL,
    clean_env,
    deploy,
    kill_tree,
    prefect_server,
    run_deployment,
    start_worker,
    state,
    stop,
    wait_final,
)

BIN = Path(sys.executable).parent
STANWIRE = str(BIN / "stanwire")
OUTLETS = [s["name"] for s in yaml.safe_load((DEMO_DIR / "sources.yaml").read_text())["sources"]]


def articles_in_lake(home: Path, env: dict[str, str]) -> int | None:
    """`stanwire sql` on the lake: its article count, or None before any worker has written it."""
    query = subprocess.run(
        [STANWIRE, "--home", str(home), "sql", "SELECT count(*) AS n FROM articles", "-f", "json"],
        env={**clean_env(), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if query.returncode != 0 and "no DuckLake warehouse" in query.stderr:
        return None
    assert query.returncode == 0, query.stderr
    return int(json.loads(query.stdout)[0]["n"])


def contents(settings: Settings) -> dict[str, list[Any]]:
    """What the comparison reads: every table the pipeline writes (without when it ran) and the NLP's tables."""
    queries = {**TABLES, **{name: f"SELECT * FROM {name}" for name in ENRICH_TABLES}}
    # two crawls of the same pages differ only in their fetch times (the crawl's clock runs on from `now`), which
    # the landing records and so their hashes hold
    queries["landing_files"] = "SELECT path, kind, status, message FROM landing_files"
    queries["crawl_errors"] = (
        "SELECT source, url, stage, http_status, message, landing_file FROM crawl_errors"
    )
    queries["not_enriched"] = "SELECT count(*) FROM articles WHERE nlp_version IS NULL"
    with stages.read_warehouse(settings) as conn:
        return {name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in queries.items()}


def test_two_prefect_workers_fill_the_lake_as_one_machine_does_and_survive_a_killed_worker(
    tmp_path: Path, lake: tuple[str, str]
) -> None:
    catalog, data_path = lake
    with DemoServer(DEMO_DIR / "site") as site:
        pipeline = {
            "STANWIRE_SOURCES": str(DEMO_DIR / "sources.yaml"),
            "STANWIRE_PROXY": site.proxy,
            "STANWIRE_NOW": DEMO_NOW,
            "STANWIRE_DOWNLOAD_DELAY": "0.1",  # a crawl long enough to be killed in the middle of
            "STANWIRE_AUTOTHROTTLE": "false",
            "STANWIRE_NLP_PROCESSES": "1",
        }
        # one machine, a local file: the reference
        single = tmp_path / "single"
        reference = subprocess.run(
            [STANWIRE, "--home", str(single), "run", "--no-prefect"],
            env={**clean_env(), **pipeline},
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert reference.returncode == 0, reference.stderr[-3000:]
        expected = contents(Settings(home=single, sources=DEMO_DIR / "sources.yaml"))
        assert len(expected["articles"]) > 20
        assert expected["events"]

        lake_settings = {
            "STANWIRE_WAREHOUSE": f"ducklake:postgres:{catalog}",
            "STANWIRE_DATA_PATH": data_path,
            "STANWIRE_LANDING_PATH": str(tmp_path / "shared-landing"),
            "STANWIRE_ENRICH_CLAIM_BATCH": "8",
        }
        with prefect_server(tmp_path / "server") as server:
            env = {**server, **pipeline, **lake_settings}
            deploy(env, OUTLETS)
            homes = {name: tmp_path / "workers" / name for name in ("a", "b")}
            for home in homes.values():
                home.mkdir(parents=True)
            workers = {name: start_worker(env, home, name) for name, home in homes.items()}
            try:
                # 1. both ingest at once, each every outlet: the tag limits keep them off the same outlet
                first = [run_deployment(env, "ingest"), run_deployment(env, "ingest")]
                landed: list[Path] = []
                deadline = time.monotonic() + 300
                while time.monotonic() < deadline:
                    states = [state(env, run_id) for run_id in first]
                    landed = list((tmp_path / "shared-landing" / "articles").glob("*/*.json"))
                    if any(s in FINAL for s in states) or (
                        states == ["RUNNING", "RUNNING"] and len(landed) >= 5
                    ):
                        break
                    time.sleep(0.2)
                # mid-run: both running, some pages crawled, most not, nothing loaded yet
                assert [state(env, run_id) for run_id in first] == ["RUNNING", "RUNNING"]
                assert 5 <= len(landed) < len(expected["articles"])
                kill_tree(workers["a"])  # the worker and the flow run it was executing
                # 2. the survivor finishes its run (an analyst's `stanwire sql` reading the lake meanwhile); the
                # killed one never does
                counts: list[int | None] = []
                deadline = time.monotonic() + 600
                while time.monotonic() < deadline:
                    counts.append(articles_in_lake(tmp_path / "analyst", {**pipeline, **lake_settings}))
                    if any(state(env, run_id) == "COMPLETED" for run_id in first):
                        break
                    time.sleep(0.5)
                ended = {run_id: state(env, run_id) for run_id in first}
                assert sorted(ended.values()).count("COMPLETED") == 1, ended
                assert any(n is not None for n in counts)  # read while the survivor wrote
                assert (articles_in_lake(tmp_path / "analyst", {**pipeline, **lake_settings}) or 0) > 0
                # 3. the next ingest, on the survivor, takes up what the dead one left (queued URLs, landing files)
                again = run_deployment(env, "ingest")
                assert wait_final(env, [again])[again] == "COMPLETED"
                # 4. the killed machine comes back; both enrich, claiming batches
                workers["a"] = start_worker(env, homes["a"], "a")
                enrich = [run_deployment(env, "enrich"), run_deployment(env, "enrich")]
                assert set(wait_final(env, enrich, timeout=900).values()) == {"COMPLETED"}
            finally:
                for worker in workers.values():
                    stop(worker)
        shared = Settings(
            home=tmp_path / "analyst",
            sources=DEMO_DIR / "sources.yaml",
            warehouse=lake_settings["STANWIRE_WAREHOUSE"],
            data_path=data_path,
        )
        got = contents(shared)
    assert got.keys() == expected.keys()
    for name in expected:
        assert got[name] == expected[name], name
