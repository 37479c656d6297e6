"""Ingest and enrich through Prefect workers: one worker against two on this machine (docs/SCALING.md).

    python bench/prefect_workers.py [--delay 0.5]

Stands up what docs/SCALING.md describes (tests/prefect_server.py, tests/pg_server.py): a throwaway PostgreSQL
for the DuckLake catalog, a Prefect server on 127.0.0.1, the work pool, prefect.yaml's deployments, a tag limit of
1 per outlet, and the demo outlets served on 127.0.0.1 with `download_delay` seconds between requests to a site
(the politeness that bounds a real crawl). Then, for one worker and for two, each time into a new lake with a
new shared landing folder:

1. ingest: one `ingest` run per outlet (parameter `only`), all created at once for the workers to take; timed
   from their creation to the end of the last. (Two runs each for every outlet do not spread: both take the
   outlets in the same order, so the second waits on the first's tag slot for each: measured 0.73× one worker.)
2. enrich: one `enrich` run per worker, at once (they claim batches of the same articles).

Prints the times and the ratios of one worker's time to two's; writes bench/prefect_workers.json. Each lake's
article and enrichment counts are checked (nothing lost or doubled).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from pipelines.demo import DEMO_DIR, DEMO_NOW, DemoServer  # noqa: E402
from tests.pg_server import PgServer  # noqa: E402
from tests.prefect_server import (  # noqa: E402
    deploy,
    prefect_server,
    run_deployment,
    start_worker,
    stop,
    wait_final,
)

STANWIRE = str(Path(sys.executable).with_name("stanwire"))


def _count(env: dict[str, str], home: Path) -> dict[str, int]:
    import subprocess

    out = subprocess.run(
        [
            STANWIRE,
            "--home",
            str(home),
            "sql",
            "SELECT count(*) AS articles, count(nlp_version) AS enriched FROM articles",
            "-f",
            "json",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out)[0])


def _timed_runs(env: dict[str, str], deployment: str, parameters: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    runs = [run_deployment(env, deployment, p) for p in parameters]
    states = wait_final(env, runs, timeout=3600)
    if set(states.values()) != {"COMPLETED"}:
        raise SystemExit(f"{deployment} runs did not all complete: {states}")
    return time.perf_counter() - start


def scenario(
    work: Path,
    server: dict[str, str],
    pg: PgServer,
    site: DemoServer,
    outlets: list[str],
    workers: int,
    delay: float,
) -> dict[str, Any]:
    root = work / f"{workers}-workers"
    catalog = pg.create_database(f"bench_workers_{workers}_{os.getpid()}")
    settings = {
        "STANWIRE_SOURCES": str(DEMO_DIR / "sources.yaml"),
        "STANWIRE_PROXY": site.proxy,
        "STANWIRE_NOW": DEMO_NOW,
        "STANWIRE_DOWNLOAD_DELAY": str(delay),
        "STANWIRE_AUTOTHROTTLE": "false",
        "STANWIRE_NLP_PROCESSES": "1",
        "STANWIRE_WAREHOUSE": f"ducklake:postgres:{catalog}",
        "STANWIRE_DATA_PATH": str(root / "lake-data") + "/",
        "STANWIRE_LANDING_PATH": str(root / "shared-landing"),
        "STANWIRE_ENRICH_CLAIM_BATCH": "8",
    }
    env = {**server, **settings}
    running = [start_worker(env, root / "homes" / f"w{i}", f"w{i}-of-{workers}") for i in range(workers)]
    try:
        ingest_s = _timed_runs(env, "ingest", [{"only": [outlet]} for outlet in outlets])
        after_ingest = _count(env, root / "analyst")
        enrich_s = _timed_runs(env, "enrich", [{}] * workers)
        after_enrich = _count(env, root / "analyst")
    finally:
        for worker in running:
            stop(worker)
    return {
        "workers": workers,
        "ingest_s": ingest_s,
        "enrich_s": enrich_s,
        "articles": after_ingest["articles"],
        "enriched": after_enrich["enriched"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--delay", type=float, default=0.5, help="download_delay, seconds between requests to a site"
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "prefect_workers.json")
    options = parser.parse_args(argv)
    import yaml

    outlets = [s["name"] for s in yaml.safe_load((DEMO_DIR / "sources.yaml").read_text())["sources"]]
    pg = PgServer.start()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="stanwire-workers-") as tmp,
            DemoServer(DEMO_DIR / "site") as site,
            prefect_server(Path(tmp) / "server") as server,
        ):
            deploy(server, outlets)
            results = [scenario(Path(tmp), server, pg, site, outlets, n, options.delay) for n in (1, 2)]
    finally:
        pg.stop()
    one, two = results
    for result in results:
        if (result["articles"], result["enriched"]) != (one["articles"], one["articles"]):
            raise SystemExit(f"counts differ: {results}")
    summary = {
        "delay_s": options.delay,
        "outlets": len(outlets),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "runs": results,
        "ingest_speedup": one["ingest_s"] / two["ingest_s"],
        "enrich_speedup": one["enrich_s"] / two["enrich_s"],
    }
    options.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"demo outlets: {len(outlets)}, {one['articles']} articles, download_delay {options.delay} s")
    print(f"{'':24}{'one worker':>14}{'two workers':>14}{'one / two':>12}")
    print(
        f"{'ingest (poll+crawl+load)':24}{one['ingest_s']:>13.1f}s{two['ingest_s']:>13.1f}s{summary['ingest_speedup']:>11.2f}×"
    )
    print(
        f"{'enrich':24}{one['enrich_s']:>13.1f}s{two['enrich_s']:>13.1f}s{summary['enrich_speedup']:>11.2f}×"
    )
    print(f"results: {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
