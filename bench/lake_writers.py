"""Load throughput into a DuckLake warehouse with one writer against two writing at once (docs/SCALING.md).

    python bench/lake_writers.py [--articles 4000]

Starts a throwaway PostgreSQL for the catalog (tests/pg_server.py; needs Debian's postgresql, `make postgres`),
writes a synthetic corpus (bench/corpus.py, 20 outlets) as landing files split by outlet into two homes, as two
machines crawling different outlets would, then times `stanwire load` (load, dedup; no search index on a lake):

1. one process loading both homes, one after the other, into a new lake;
2. two processes, one per home, at the same time, into another new lake;
3. for reference, one process loading both into a local DuckDB file;
4. enrichment on the first lake: one `stanwire enrich --limit N` against two at once with `--limit N/2` each (they
   claim batches from the same articles: N different ones in all).

Prints articles per second of each and the ratios of two to one; each lake's article count is checked against the
corpus (nothing lost or doubled).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for extra in (REPO, REPO / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import corpus  # noqa: E402

STANWIRE = str(Path(sys.executable).with_name("stanwire"))


def _load(homes: list[Path], env: dict[str, str], *, together: bool) -> float:
    commands = [[STANWIRE, "--home", str(home), "load"] for home in homes]
    start = time.perf_counter()
    if together:
        running = [
            subprocess.Popen(c, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in commands
        ]
        for process in running:
            _, err = process.communicate()
            if process.returncode:
                raise SystemExit(f"stanwire load failed: {err.decode(errors='replace')[-2000:]}")
    else:
        for command in commands:
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _count(env: dict[str, str], home: Path) -> int:
    out = subprocess.run(
        [STANWIRE, "--home", str(home), "sql", "SELECT count(*) AS n FROM articles", "-f", "csv"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(out.split()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--enrich", type=int, default=160, help="articles enriched in (4); 0 to skip it")
    args = parser.parse_args(argv)

    from bench.run import FETCHED_AFTER
    from tests.pg_server import PgServer

    outlets = corpus.make_outlets()
    articles = corpus.make_articles(args.articles, outlets)
    server = PgServer.start()
    try:
        with tempfile.TemporaryDirectory(prefix="stanwire-lake-bench-") as work:
            root = Path(work)
            halves = [outlets[::2], outlets[1::2]]
            results = {}
            catalogs: dict[str, str] = {}
            for case in ("one writer", "two writers", "local file"):
                homes = [root / case.replace(" ", "-") / f"machine-{i}" for i in range(2)]
                for home, mine in zip(homes, halves, strict=True):
                    names = {o.name for o in mine}
                    corpus.write_landing(
                        home / "landing",
                        (a for a in articles if a.outlet.name in names),
                        fetched_after=FETCHED_AFTER,
                    )
                env = dict(os.environ)
                if case != "local file":
                    catalog = catalogs[case] = server.create_database(case.replace(" ", "_"))
                    env |= {
                        "STANWIRE_WAREHOUSE": f"ducklake:postgres:{catalog}",
                        "STANWIRE_DATA_PATH": str(root / case.replace(" ", "-") / "lake-data") + "/",
                    }
                    seconds = _load(homes, env, together=case == "two writers")
                    stored = _count(env, homes[0])
                else:  # one process, one file: the second home's landing moved beside the first's
                    for path in (homes[1] / "landing" / "articles").rglob("*.json"):
                        target = homes[0] / "landing" / "articles" / path.parent.name / path.name
                        target.parent.mkdir(parents=True, exist_ok=True)
                        path.rename(target)
                    seconds = _load(homes[:1], env, together=False)
                    stored = _count(env, homes[0])
                results[case] = (seconds, stored)
                print(
                    f"{case:>12}: {seconds:7.1f} s, {args.articles / seconds:7.1f} articles/s, {stored:,} stored"
                )
            one, two = results["one writer"][0], results["two writers"][0]
            print(f"load, two writers / one writer: {one / two:.2f}x the throughput")
            if len({stored for _, stored in results.values()}) != 1:
                raise SystemExit(f"the warehouses differ in articles stored: {results}")
            if args.enrich:
                homes = [root / "one-writer" / f"machine-{i}" for i in range(2)]
                env = dict(os.environ) | {
                    "STANWIRE_WAREHOUSE": f"ducklake:postgres:{catalogs['one writer']}",
                    "STANWIRE_DATA_PATH": str(root / "one-writer" / "lake-data") + "/",
                    "STANWIRE_NLP_PROCESSES": "1",
                }
                timing = {}
                for workers in (1, 2):
                    limit = str(args.enrich // workers)
                    commands = [
                        [STANWIRE, "--home", str(h), "enrich", "--limit", limit] for h in homes[:workers]
                    ]
                    start = time.perf_counter()
                    running = [
                        subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                        for c in commands
                    ]
                    for process in running:
                        _, err = process.communicate()
                        if process.returncode:
                            raise SystemExit(
                                f"stanwire enrich failed: {err.decode(errors='replace')[-2000:]}"
                            )
                    timing[workers] = time.perf_counter() - start
                    print(
                        f"enrich, {workers} worker{'s' if workers > 1 else ''}: {timing[workers]:6.1f} s for "
                        f"{args.enrich} articles, {args.enrich / timing[workers]:5.2f} articles/s"
                    )
                print(f"enrich, two workers / one worker: {timing[1] / timing[2]:.2f}x the throughput")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
