"""What of stanwire's warehouse DuckLake accepts today (issue 12's groundwork; not used by the product yet).

    python tools/ducklake_probe.py --catalog "dbname=postgres host=127.0.0.1 port=54329 user=postgres" \
        --data-path /tmp/ducklake-data/

Attaches a DuckLake warehouse whose catalog lives in that PostgreSQL database, with both extensions loaded from
their PyPI packages (`pip install duckdb-extension-ducklake==<duckdb version>
duckdb-extension-postgres-scanner==<duckdb version>`; nothing is downloaded at run time), then runs every
statement of `warehouse/migrations/*.sql` in order and prints each one DuckLake refuses, with its error, and the
count of refused statements by kind of error. It also checks that `MERGE INTO` (the replacement for the
`INSERT … ON CONFLICT` the warehouse code uses, which DuckLake has no constraint for) works on DuckLake.
Exit code 0 when every statement was accepted, 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: `python tools/ducklake_probe.py`
    sys.path.insert(0, str(REPO))

from warehouse.db import extension_path  # noqa: E402


def attach(catalog: str, data_path: str) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    for module, name in (
        ("duckdb_extension_postgres_scanner", "postgres_scanner"),
        ("duckdb_extension_ducklake", "ducklake"),
    ):
        path = str(extension_path(module, name)).replace("'", "''")
        conn.execute(f"LOAD '{path}'")
    conn.execute(
        f"ATTACH 'ducklake:postgres:{catalog.replace(chr(39), chr(39) * 2)}' AS lake "
        f"(DATA_PATH '{data_path.replace(chr(39), chr(39) * 2)}')"
    )
    conn.execute("USE lake")
    return conn


def kind_of(error: str) -> str:
    """The error without the names in it, so that refusals of one kind count together."""
    return re.sub(r"(with name|at or near) .*", r"\1 …", error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", required=True, help="libpq connection string of the catalog database")
    parser.add_argument("--data-path", required=True, help="where DuckLake writes its Parquet files")
    options = parser.parse_args(argv)
    conn = attach(options.catalog, options.data_path)
    refused: Counter[str] = Counter()
    total = 0
    for script in sorted((REPO / "warehouse" / "migrations").glob("*.sql")):
        for statement in conn.extract_statements(script.read_text(encoding="utf-8")):
            total += 1
            try:
                conn.execute(statement)
            except duckdb.Error as exc:
                error = str(exc).splitlines()[0]
                refused[kind_of(error)] += 1
                print(f"{script.name}: {' '.join(statement.query.split())[:80]}\n    {error[:160]}")
    conn.execute("CREATE TABLE probe_merge (k VARCHAR, v INTEGER)")
    for value in (1, 2):
        conn.execute(
            "MERGE INTO probe_merge AS t USING (SELECT 'a' AS k, ? AS v) AS s ON t.k = s.k "
            "WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT VALUES (s.k, s.v)",
            [value],
        )
    merged = conn.execute("SELECT k, v FROM probe_merge").fetchall()
    print(f"\nMERGE INTO on DuckLake, the same key twice: {merged} (one row, the second value: an upsert)")
    print(f"{total - sum(refused.values())} of {total} migration statements accepted; refused by kind:")
    for kind, count in refused.most_common():
        print(f"  {count:4d}  {kind}")
    return 0 if not refused else 1


if __name__ == "__main__":
    sys.exit(main())
