"""`export_parquet` deletes nothing it did not write: new, empty and earlier-export folders only (issue 10).

Before, `--to DIR` deleted DIR whatever it held: `--to` the home deleted the warehouse and the landing files,
`--to .` a user's files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import warehouse.export
from pipelines.cli import app
from tests.warehouse.conftest import write_article
from warehouse.db import connect
from warehouse.errors import WarehouseError
from warehouse.export import MARKER, export_parquet
from warehouse.loader import load_landing


@pytest.fixture
def filled(warehouse_path: Path, landing: Path) -> Path:
    write_article(landing, "https://steppe.example/dc", published_at="2026-11-17T09:30:00+06:00")
    write_article(landing, "https://dala.example/vpn", source="dala", text="VPN", published_at="2026-11-10")
    conn = connect(warehouse_path)
    try:
        load_landing(conn, landing)
    finally:
        conn.close()
    return warehouse_path


def tree(root: Path) -> dict[str, str]:
    """Every file under `root` with a hash of its bytes."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def marker(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / MARKER).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_new_folder_gets_the_export_and_its_marker(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "exports" / "nov"
    report = export_parquet(filled, out)
    assert report.tables["articles"] == 2
    written = marker(out)
    assert written["schema"] == "stanwire.export/1"
    assert written["tables"] == report.tables
    assert set(written["files"]) == set(tree(out)) - {MARKER}
    assert "feed_polls.parquet" in written["files"]
    assert any(name.startswith("articles/week=2026-W47/") for name in written["files"])
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == ["nov"]  # no staging folder left


def test_an_empty_folder_is_used(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    export_parquet(filled, out)
    assert (out / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "home"]


def test_an_earlier_export_is_replaced_file_by_file_and_nothing_else_goes(
    filled: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    export_parquet(filled, out)
    # A table of an older schema, written by that export: listed in its marker, so the next export removes it.
    (out / "dropped_table.parquet").write_bytes(b"PAR1")
    old = marker(out)
    old["files"].append("dropped_table.parquet")
    (out / MARKER).write_text(json.dumps(old), encoding="utf-8")
    export_parquet(filled, out)
    assert not (out / "dropped_table.parquet").exists()
    assert set(marker(out)["files"]) == set(tree(out)) - {MARKER}
    # The user's own notes in the export folder are not the export's: they stay, the export is renewed beside them.
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "articles" / "README").write_text("also mine", encoding="utf-8")
    export_parquet(filled, out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "articles" / "README").read_text(encoding="utf-8") == "also mine"
    assert set(marker(out)["files"]) == set(tree(out)) - {MARKER, "notes.txt", "articles/README"}
    back = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{out}/articles/*/*.parquet', hive_partitioning = true)"
    )
    assert back.fetchone() == (2,)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export", "home"]


def test_a_failed_export_leaves_the_earlier_one_whole(
    filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "export"
    export_parquet(filled, out)
    before = tree(out)
    real = warehouse.export._write_tables

    def half_then_fail(path: Path, staging: Path, folder: Path) -> warehouse.export.ExportReport:
        real(path, staging, folder)
        raise WarehouseError(f"export to {folder} failed, nothing replaced: disk full")

    monkeypatch.setattr(warehouse.export, "_write_tables", half_then_fail)
    with pytest.raises(WarehouseError, match="nothing replaced"):
        export_parquet(filled, out)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export", "home"]  # the staging folder is gone


def test_a_foreign_folder_is_refused_and_untouched(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "photos"
    out.mkdir()
    (out / "cat.jpg").write_bytes(b"\xff\xd8 a cat")
    (out / "sub").mkdir()
    (out / "sub" / "dog.jpg").write_bytes(b"\xff\xd8 a dog")
    before = tree(out)
    with pytest.raises(WarehouseError) as refused:
        export_parquet(filled, out)
    assert str(refused.value) == (
        f"refusing to export to {out}: it is not empty and holds no earlier stanwire export; choose a new or "
        "empty folder, or add --force to write into it (its files are kept)"
    )
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "photos"]
    # --force writes the export beside the files, which stay.
    export_parquet(filled, out, force=True)
    assert {k: v for k, v in tree(out).items() if k in before} == before
    assert "articles.parquet" not in tree(out)
    assert (out / MARKER).is_file()
    # ... and a later export there replaces only the export's files.
    export_parquet(filled, out)
    assert {k: v for k, v in tree(out).items() if k in before} == before


def test_force_never_overwrites_a_file_it_did_not_write(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "mixed"
    out.mkdir()
    (out / "feed_polls.parquet").write_text("my own feed_polls", encoding="utf-8")
    with pytest.raises(WarehouseError, match="is not from a stanwire export and would be overwritten"):
        export_parquet(filled, out, force=True)
    assert tree(out) == {"feed_polls.parquet": hashlib.sha256(b"my own feed_polls").hexdigest()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "mixed"]


def test_a_forged_marker_cannot_point_outside(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    out.mkdir()
    for listed in (["../home/warehouse.duckdb"], ["/etc/passwd"], "everything"):
        forged = {"schema": "stanwire.export/1", "files": listed}
        (out / MARKER).write_text(json.dumps(forged), encoding="utf-8")
        with pytest.raises(WarehouseError, match="holds no earlier stanwire export"):
            export_parquet(filled, out)
    assert filled.is_file()


@pytest.mark.parametrize("where", ["home", "parent"])
def test_the_home_and_folders_holding_it_are_refused_even_with_force(
    filled: Path, tmp_path: Path, where: str
) -> None:
    home = filled.parent
    target = home if where == "home" else tmp_path
    before = tree(tmp_path)
    for force in (False, True):
        with pytest.raises(WarehouseError) as refused:
            export_parquet(filled, target, force=force)
        assert str(refused.value).startswith(
            f"refusing to export to {target}: it holds the stanwire home and warehouse {filled}; choose a folder"
        )
    assert tree(tmp_path) == before  # the warehouse and the landing files are all there


def invoke(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--home", str(home), "export", *args])
    return result.exit_code, result.stderr


def test_the_cli_refuses_the_home_and_the_current_folder_with_a_users_file(
    filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = filled.parent
    code, err = invoke(home, "--to", str(home), "--force")
    assert code == 1
    assert err.startswith("error: refusing to export to")
    assert len(err.strip().splitlines()) == 1
    assert filled.is_file()
    work = tmp_path / "work"
    work.mkdir()
    (work / "thesis.docx").write_text("three years of work", encoding="utf-8")
    monkeypatch.chdir(work)
    code, err = invoke(home, "--to", ".")
    assert code == 1
    assert "is not empty and holds no earlier stanwire export" in err
    assert sorted(p.name for p in work.iterdir()) == ["thesis.docx"]
    assert (work / "thesis.docx").read_text(encoding="utf-8") == "three years of work"
    code, err = invoke(home, "--to", str(tmp_path / "fresh"))
    assert code == 0, err
    assert (tmp_path / "fresh" / MARKER).is_file()
