"""`stanwire sql` through the command line: refused statements, result files written by stanwire, limits."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from tests.warehouse.conftest import write_article
from warehouse.db import connect
from warehouse.loader import load_landing

STANWIRE = str(Path(sys.executable).with_name("stanwire"))
# A cross join of 10^16 rows: hours of work, in constant memory.
ENDLESS = "SELECT count(*) FROM generate_series(1, 100000000) AS a, generate_series(1, 100000000) AS b"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A stanwire home whose warehouse holds two articles."""
    home = tmp_path / "home"
    landing = home / "landing"
    write_article(landing, "https://steppe-dispatch.test/news/dc")
    write_article(
        landing, "https://toolor.test/news/5g", source="toolor", text="Huawei 5G towers in Bishkek."
    )
    conn = connect(home / "warehouse.duckdb")
    try:
        load_landing(conn, landing)
    finally:
        conn.close()
    return home


def sql(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--home", str(home), "sql", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_write_is_refused_in_one_line_and_the_warehouse_kept(home: Path) -> None:
    warehouse = home / "warehouse.duckdb"
    before = warehouse.read_bytes()
    code, _, err = sql(home, f"COPY (SELECT 'x') TO '{warehouse}' (FORMAT csv)")
    assert code == 1
    assert err.startswith("error: COPY refused: stanwire sql runs read-only queries only")
    assert len(err.strip().splitlines()) == 1
    assert warehouse.read_bytes() == before
    code, out, _ = sql(home, "SELECT count(*) AS n FROM articles", "--format", "json")
    assert (code, json.loads(out)) == (0, [{"n": 2}])


@pytest.mark.parametrize("format", ["csv", "json", "table"])
def test_results_are_written_to_the_file_asked_and_nothing_else(
    home: Path, tmp_path: Path, format: str
) -> None:
    out = tmp_path / f"result.{format}"
    code, _, err = sql(
        home, "SELECT source FROM articles ORDER BY source", "--format", format, "--out", str(out)
    )
    assert code == 0, err
    assert "2 rows written to" in err
    text = out.read_text(encoding="utf-8")
    assert "steppe-dispatch" in text
    assert "toolor" in text
    if format == "csv":
        assert text.splitlines() == ["source", "steppe-dispatch", "toolor"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", out.name]  # no temporary file left


def test_ctrl_c_stops_a_runaway_query_at_once(home: Path) -> None:
    """SIGINT to a `stanwire sql` running a cross join of 10^16 rows: it stops within seconds, exit code 130."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STANWIRE_")}
    proc = subprocess.Popen(
        [STANWIRE, "--home", str(home), "-v", "sql", ENDLESS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    watchdog = threading.Timer(60, proc.kill)  # never hang the suite, whatever happens
    watchdog.start()
    try:
        assert proc.stderr is not None
        # -v logs the moment the query starts under the Ctrl-C handler; signal it then, not during start-up.
        for line in proc.stderr:
            if "running the query (Ctrl-C stops it)" in line:
                break
        time.sleep(0.5)
        assert proc.poll() is None  # still counting
        signalled = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
        assert time.monotonic() - signalled < 5
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == "error: query interrupted"


def test_the_timeout_setting_stops_a_query(home: Path) -> None:
    result = CliRunner().invoke(
        app, ["--home", str(home), "sql", ENDLESS], env={"STANWIRE_SQL_TIMEOUT": "0.5"}
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: query stopped after 0.5 s (sql_timeout)")


@pytest.mark.parametrize("format", ["parquet", "csv", "json", "table"])
def test_an_out_that_cannot_be_a_file_is_one_line_and_leaves_nothing(
    home: Path, tmp_path: Path, format: str
) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    code, _, err = sql(home, "SELECT 1 AS one", "--format", format, "--out", f"{folder}/")
    assert code == 1
    assert err.startswith(f"error: --out {folder} is a folder: give a file name")
    assert len(err.strip().splitlines()) == 1
    assert list(folder.iterdir()) == []
    code, _, err = sql(home, "SELECT 1 AS one", "--format", format, "--out", "/nonexistent/x.csv")
    assert code == 1
    assert err.strip() == (
        "error: --out /nonexistent/x.csv: the folder /nonexistent does not exist; create it or choose another"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "results"]
