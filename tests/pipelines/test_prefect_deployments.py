"""prefect.yaml: every deployment's entrypoint imports and is a flow, every schedule parses; and the `ingest`
flow runs through Prefect (ephemeral server) against the local demo server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]

CHECK_DEPLOYMENTS = """
import importlib.util, json, sys
from pathlib import Path
from pipelines.prefect_env import configure
configure(Path(sys.argv[1]))
import yaml
from prefect import Flow
from prefect.client.schemas.schedules import CronSchedule
spec = yaml.safe_load(Path("prefect.yaml").read_text())
out = {}
for d in spec["deployments"]:
    path, _, name = d["entrypoint"].partition(":")
    module = importlib.util.spec_from_file_location("entry_" + d["name"].replace("-", "_"), path)
    loaded = importlib.util.module_from_spec(module)
    module.loader.exec_module(loaded)
    flow = getattr(loaded, name)
    schedules = [CronSchedule(cron=s["cron"], timezone=s["timezone"]) for s in d.get("schedules", [])]
    out[d["name"]] = {"is_flow": isinstance(flow, Flow), "schedules": [[s.cron, s.timezone] for s in schedules],
                      "pool": d["work_pool"]["name"]}
print(json.dumps(out))
"""

RUN_INGEST = """
import json, sys
from pathlib import Path
from pipelines.prefect_env import configure
home = Path(sys.argv[1])
configure(home)
from pipelines.demo import DEMO_DIR, DemoServer
from pipelines.flows import ingest_flow
with DemoServer(DEMO_DIR / "site") as server:
    report = ingest_flow(
        home=str(home), sources_file=str(DEMO_DIR / "sources.yaml"), only=["silk-wire", "ghost-gazette"],
        settings_overrides={"proxy": server.proxy, "download_delay": 0.0, "autothrottle": False},
    )
import asyncio
from prefect.client.orchestration import get_client
async def task_tags():
    async with get_client() as client:
        return sorted({(t.name.split("-")[0], tuple(sorted(t.tags))) for t in await client.read_task_runs()})
print(json.dumps({"run_id": report.run_id, "new": report.load.articles_new, "enriched": report.enrich is None,
                  "feeds_failed": report.poll.feeds_failed, "tags": asyncio.run(task_tags())}))
"""


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("STANWIRE_", "PREFECT_"))}


def test_every_deployment_imports_a_flow_and_its_schedules_parse(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK_DEPLOYMENTS, str(tmp_path)],
        cwd=REPO,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    deployments = json.loads(result.stdout.strip().splitlines()[-1])
    assert all(d["is_flow"] for d in deployments.values())
    assert all(d["pool"] == "stanwire" for d in deployments.values())
    assert deployments["ingest"]["schedules"] == [["*/30 * * * *", "Asia/Almaty"]]
    assert deployments["enrich"]["schedules"] == [["15 * * * *", "Asia/Almaty"]]  # hourly
    assert deployments["weekly-digest"]["schedules"] == [["0 6 * * 1", "Asia/Almaty"]]  # Mondays 06:00
    assert {"backfill", "run"} <= set(deployments)


def test_prefect_yaml_names_a_process_work_pool_in_its_instructions() -> None:
    text = (REPO / "prefect.yaml").read_text(encoding="utf-8")
    assert "prefect work-pool create stanwire --type process" in text
    assert yaml.safe_load(text)["name"] == "stanwire"


def test_ingest_runs_through_prefect_against_the_local_server(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = subprocess.run(
        [sys.executable, "-c", RUN_INGEST, str(home)],
        cwd=REPO,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    run_id = outcome.pop("run_id")
    # Each outlet's poll and crawl carry its tag (a concurrency limit of 1 on it: one worker per outlet at a time);
    # the load, for every outlet at once, carries none.
    tags = {(name, tuple(tags)) for name, tags in outcome.pop("tags")}
    assert ("poll", ("source:silk-wire",)) in tags
    assert ("crawl", ("source:silk-wire",)) in tags
    assert ("poll", ("source:ghost-gazette",)) in tags
    assert ("load", ()) in tags
    assert outcome == {
        "new": 20,
        "enriched": True,
        "feeds_failed": 1,
    }  # silk-wire has 20 articles

    import duckdb

    conn = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        flow, status, errors = conn.execute(  # type: ignore[misc]
            "SELECT flow, status, errors FROM runs WHERE id = ?", [run_id]
        ).fetchone()
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (1,)
        sources = dict(conn.execute("SELECT source, count(*) FROM articles GROUP BY 1").fetchall())
        enriched = conn.execute("SELECT count(*) FROM articles WHERE nlp_version IS NOT NULL").fetchone()
    finally:
        conn.close()
    assert (flow, status) == ("ingest", "ok")
    assert [e["source"] for e in json.loads(errors)] == ["ghost-gazette"]
    assert sources == {"silk-wire": 20}
    assert enriched == (0,)  # ingest stops after the load; enrichment is its own flow
