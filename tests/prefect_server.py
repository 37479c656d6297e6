"""A real Prefect server and process workers on this machine, as docs/SCALING.md stands them up, for the
Prefect workers test and bench/prefect_workers.py:

    with prefect_server(root) as env:          # `prefect server start` on 127.0.0.1, the scheduler off
        deploy(env, outlets)                   # work pool `stanwire`, `prefect deploy --all`, tag limits
        worker = start_worker(env, home, "a")  # `prefect worker start --pool stanwire --limit 1`
        run_id = run_deployment(env, "ingest")
        wait_final(env, [run_id])
        kill_tree(worker)                      # SIGKILL the worker and the flow runs it started

Linux only (`descendants` reads /proc).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).with_name("prefect"))
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class PrefectServerError(RuntimeError):
    """The Prefect server or a Prefect command did not do what was asked; the message has its output."""


def clean_env() -> dict[str, str]:
    """This process's environment without stanwire's or Prefect's settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("STANWIRE_", "PREFECT_"))}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def prefect_server(root: Path) -> Iterator[dict[str, str]]:
    """`prefect server start` on a loopback port, its scheduler off (only the runs asked for), state under
    `root`; yields the environment that points Prefect's CLI and workers at it. Stopped on leaving."""
    port = _free_port()
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
    (root / "prefect").mkdir(parents=True, exist_ok=True)
    log_path = root / "prefect-server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{env['PREFECT_API_URL']}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise PrefectServerError(
                        f"the Prefect server did not start: {log_path.read_text()[-2000:]}"
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


def prefect(env: dict[str, str], *args: str) -> str:
    """Run the prefect CLI from the repository (where prefect.yaml is); its output, or PrefectServerError."""
    result = subprocess.run(
        [PREFECT, "--no-prompt", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise PrefectServerError(f"prefect {' '.join(args)}: {result.stdout[-2000:]} {result.stderr[-2000:]}")
    return result.stdout


def deploy(env: dict[str, str], outlets: Iterable[str]) -> None:
    """The work pool, prefect.yaml's deployments, and a tag limit of 1 for each outlet (docs/SCALING.md)."""
    prefect(env, "work-pool", "create", "stanwire", "--type", "process")
    prefect(env, "deploy", "--all")
    for outlet in outlets:
        prefect(env, "concurrency-limit", "create", f"source:{outlet}", "1")


# What Prefect's own client tries again (prefect.client.base: 429, 502, 503): the server answers 503 while its
# SQLite database is busy, which a loaded CI machine makes happen.
RETRY_STATUS = (429, 502, 503)


def api(env: dict[str, str], method: str, path: str, body: Any = None) -> Any:
    for attempt in range(6):
        response = httpx.request(method, env["PREFECT_API_URL"] + path, json=body, timeout=30)
        if response.status_code not in RETRY_STATUS or attempt == 5:
            break
        time.sleep(0.5 * 2**attempt)
    response.raise_for_status()
    return response.json() if response.content else None


def run_deployment(env: dict[str, str], name: str, parameters: dict[str, Any] | None = None) -> str:
    """Create a flow run of deployment `name` (for the workers to take); its id."""
    [deployment] = [d for d in api(env, "POST", "/deployments/filter", {}) if d["name"] == name]
    body = {"parameters": parameters} if parameters else {}
    return str(api(env, "POST", f"/deployments/{deployment['id']}/create_flow_run", body)["id"])


def state(env: dict[str, str], run_id: str) -> str:
    return str(api(env, "GET", f"/flow_runs/{run_id}")["state_type"])


def wait_final(env: dict[str, str], run_ids: list[str], timeout: float = 600) -> dict[str, str]:
    """The runs' states once all are final, or as they are after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        states = {run_id: state(env, run_id) for run_id in run_ids}
        if all(s in FINAL for s in states.values()) or time.monotonic() > deadline:
            return states
        time.sleep(0.5)


def start_worker(env: dict[str, str], home: Path, name: str) -> subprocess.Popen[bytes]:
    """`prefect worker start --pool stanwire --limit 1` with `home` as its STANWIRE_HOME (log beside it)."""
    home.mkdir(parents=True, exist_ok=True)
    with (home.parent / f"worker-{name}.log").open("ab") as log:
        return subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", "stanwire", "--name", name, "--limit", "1"],
            cwd=REPO,
            env={**env, "STANWIRE_HOME": str(home)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (Linux /proc): a worker's flow-run processes run in sessions of their own."""
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
    """SIGKILL `process` and everything under it, as a machine that dies."""
    for pid in [process.pid, *descendants(process.pid)]:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a worker as an operator would (SIGTERM), or kill it when it does not stop within 30 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_tree(process)
