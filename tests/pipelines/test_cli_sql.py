"""`stanwire sql` through the command line: refused statements, result files written by stanwire, limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from tests.warehouse.conftest import write_article
from warehouse.db import connect
from warehouse.loader import load_landing


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
