"""Two Prefect workers on one process work pool, as docs/SCALING.md stands them up: a real Prefect server on
127.0.0.1, the deployments of prefect.yaml (`prefect deploy --all`), a tag limit of 1 per outlet, two
`prefect worker start --pool stanwire` processes with their own homes, a DuckLake warehouse in a real PostgreSQL
and a shared landing folder. They ingest the demo outlets (served on 127.0.0.1) at the same time while
`stanwire sql` reads the lake; one worker is killed with SIGKILL mid-run; the survivor finishes, the next ingest
picks up what the dead one left, two workers enrich; the lake then holds what one machine running the same
pipeline into a local file holds: the same articles, mentions and events, nothing doubled, nothing missing."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from pipelines import stages
from pipelines.demo import DEMO_DIR, DEMO_NOW, DemoServer
from pipelines.settings import Settings
from tests.pipelines.test_lake_warehouse import ENRICH_TABLES, TABLES

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PREFECT, STANWIRE = str(BIN / "prefect"), str(BIN / "stanwire")
OUTLETS = [
    s["name"] for s in __import__("yaml").safe_load((DEMO_DIR / "sources.yaml").read_text())["sources"]
]
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("STANWIRE_", "PREFECT_"))}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def prefect_server(root: Path) -> Iterator[dict[str, str]]:
    """`prefect server start` on a loopback port, its scheduler off (only the runs the test makes), and the
    environment that points Prefect's CLI and workers at it."""
    port = free_port()
    env = {
        **clean_env(),
        "PREFECT_HOME": str(root / "prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
        # a task waiting for its outlet's slot asks again after 1 s, not 10
        "PREFECT_SERVER_TASKS_TAG_CONCURRENCY_SLOT_WAIT_SECONDS": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_WORKER_QUERY_SECONDS": "1",  # workers look for runs every second, not every 10
    }
    (root / "prefect").mkdir(parents=True)
    log = (root / "prefect-server.log").open("wb")
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        import httpx

        while True:
            try:
                if httpx.get(f"{env['PREFECT_API_URL']}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(
                    f"the Prefect server did not start: {(root / 'prefect-server.log').read_text()[-2000:]}"
                )
            time.sleep(0.5)
        yield env
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        log.close()


def prefect(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PREFECT, "--no-prompt", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, (
        f"prefect {' '.join(args)}: {result.stdout[-2000:]} {result.stderr[-2000:]}"
    )
    return result.stdout


def api(env: dict[str, str], method: str, path: str, body: Any = None) -> Any:
    import httpx

    response = httpx.request(method, env["PREFECT_API_URL"] + path, json=body, timeout=30)
    response.raise_for_status()
    return response.json() if response.content else None


def run_deployment(env: dict[str, str], name: str) -> str:
    [deployment] = [d for d in api(env, "POST", "/deployments/filter", {}) if d["name"] == name]
    return str(api(env, "POST", f"/deployments/{deployment['id']}/create_flow_run", {})["id"])


def state(env: dict[str, str], run_id: str) -> str:
    return str(api(env, "GET", f"/flow_runs/{run_id}")["state_type"])


def wait_final(env: dict[str, str], run_ids: list[str], timeout: float = 600) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while True:
        states = {run_id: state(env, run_id) for run_id in run_ids}
        if all(s in FINAL for s in states.values()) or time.monotonic() > deadline:
            return states
        time.sleep(1)


def start_worker(env: dict[str, str], home: Path, name: str) -> subprocess.Popen[bytes]:
    log = (home.parent / f"worker-{name}.log").open("ab")
    return subprocess.Popen(
        [PREFECT, "worker", "start", "--pool", "stanwire", "--name", name, "--limit", "1"],
        cwd=REPO,
        env={**env, "STANWIRE_HOME": str(home)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (Linux /proc): the worker's flow-run processes run in sessions of their own."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    for pid in [process.pid, *descendants(process.pid)]:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_tree(process)


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
            prefect(env, "work-pool", "create", "stanwire", "--type", "process")
            prefect(env, "deploy", "--all")
            for outlet in OUTLETS:
                prefect(env, "concurrency-limit", "create", f"source:{outlet}", "1")
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
                    if any(state(env, run_id) in FINAL for run_id in first):
                        break
                    time.sleep(0.5)
                states = {run_id: state(env, run_id) for run_id in first}
                assert sorted(states.values()).count("COMPLETED") == 1, states
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
