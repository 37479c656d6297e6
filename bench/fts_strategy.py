"""When is rebuilding the full-text index cheaper than updating it? (warehouse.search.REBUILD_SHARE)

    python bench/fts_strategy.py [--articles 10000]

Loads a synthetic warehouse (bench/corpus.py), builds its index, then for shares of changed articles (10 %, 25 %,
50 %, 100 %) times `refresh_index` updating the changed articles in place against rebuilding from scratch, each on
a fresh copy of the same warehouse. Prints ms per changed article for each; the rebuild costs the same whatever
changed, the update follows the changed articles, so the break-even share is update cost / rebuild cost.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for extra in (REPO, REPO / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import corpus  # noqa: E402

SHARES = (0.1, 0.25, 0.5, 1.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args(argv)

    import warehouse.loader
    import warehouse.search
    from bench.run import FETCHED_AFTER
    from warehouse.db import connect

    with tempfile.TemporaryDirectory(prefix="stanwire-fts-") as work:
        home = Path(work)
        corpus.write_landing(
            home / "landing",
            corpus.make_articles(args.articles, corpus.make_outlets()),
            fetched_after=FETCHED_AFTER,
        )
        base = home / "base.duckdb"
        conn = connect(base)
        warehouse.loader.load_landing(conn, home / "landing")
        warehouse.search.refresh_index(conn, rebuild=True)
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]  # type: ignore[index]
        conn.close()
        print(f"{stored:,} articles indexed")
        print(f"{'changed':>10} {'update ms/changed':>18} {'rebuild ms/changed':>19}")
        for share in SHARES:
            changed = int(share * stored)
            times = {}
            for mode in ("update", "rebuild"):
                path = home / "trial.duckdb"
                shutil.copy(base, path)
                conn = connect(path)
                conn.execute("DELETE FROM article_changes")
                conn.execute(
                    f"INSERT INTO article_changes (article_id, purpose) "
                    f"SELECT id, 'search' FROM articles ORDER BY id LIMIT {changed}"
                )
                kept = warehouse.search.REBUILD_SHARE
                warehouse.search.REBUILD_SHARE = 2.0  # never rebuild unless asked: time each way on its own
                try:
                    start = time.perf_counter()
                    warehouse.search.refresh_index(conn, rebuild=mode == "rebuild")
                    times[mode] = time.perf_counter() - start
                finally:
                    warehouse.search.REBUILD_SHARE = kept
                    conn.close()
            print(
                f"{share:>9.0%} {1000 * times['update'] / changed:>18.2f} {1000 * times['rebuild'] / changed:>19.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
