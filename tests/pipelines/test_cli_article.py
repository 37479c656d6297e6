"""`stanwire article`: extraction on saved HTML files, one record per file, no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "demo/site/steppe-dispatch/2026/11/kazakhtelecom-content-filter-agreement/index.html"
URL = "http://stanwire.test/steppe-dispatch/2026/11/kazakhtelecom-content-filter-agreement/?utm_source=tg"
KEYS = {"path", "url", "canonical_url", "title", "text", "published", "date_note", "authors", "language"}
SAVED = "2026-11-30T06:00:00+06:00"  # when the demo's pages are taken to be saved: after every date they give


def test_a_saved_page_gives_the_documented_record() -> None:
    result = CliRunner().invoke(app, ["article", str(PAGE), "--url", URL, "--fetched-at", SAVED])
    assert result.exit_code == 0, result.output
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(record) == KEYS
    assert record["date_note"] is None
    # Checked against demo/corpus/steppe-dispatch.yaml, where the article is written.
    assert record["title"] == "Kazakhtelecom to build national content filter under agreement with ministry"
    assert (
        record["canonical_url"]
        == "http://stanwire.test/steppe-dispatch/2026/11/kazakhtelecom-content-filter-agreement"
    )
    assert record["published"].startswith("2026-11-24")
    assert record["language"] == "en"
    assert record["text"].startswith("Kazakhtelecom")


def test_bad_files_are_reported_and_the_good_ones_still_extracted(tmp_path: Path) -> None:
    empty = tmp_path / "menu.html"
    empty.write_text("<html><body><nav>Home News</nav></body></html>", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["article", str(empty), str(PAGE), str(tmp_path / "gone.html"), "-f", "json", "--fetched-at", SAVED],
    )
    assert result.exit_code == 1
    assert [r["path"] for r in json.loads(result.stdout)] == [str(PAGE)]
    assert f"{empty}: no article body" in result.stderr
    assert "gone.html: cannot read the file" in result.stderr


def test_one_url_for_several_files_is_refused() -> None:
    result = CliRunner().invoke(app, ["article", str(PAGE), str(PAGE), "--url", URL])
    assert result.exit_code == 1
    assert "--url names one page" in result.stderr


def test_a_page_saved_before_its_date_has_no_date_and_says_why() -> None:
    result = CliRunner().invoke(app, ["article", str(PAGE), "--url", URL, "--fetched-at", "2026-11-01"])
    assert result.exit_code == 0, result.output
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["published"] is None
    assert "after the page was fetched (2026-11-01" in record["date_note"]


def test_the_fetch_time_defaults_to_the_now_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANWIRE_NOW", "2026-11-01T00:00:00Z")
    [record] = [
        json.loads(line) for line in CliRunner().invoke(app, ["article", str(PAGE)]).stdout.splitlines()
    ]
    assert record["published"] is None
    monkeypatch.setenv("STANWIRE_NOW", SAVED)
    [record] = [
        json.loads(line) for line in CliRunner().invoke(app, ["article", str(PAGE)]).stdout.splitlines()
    ]
    assert record["published"].startswith("2026-11-24")


def test_a_malformed_fetch_time_is_refused() -> None:
    result = CliRunner().invoke(app, ["article", str(PAGE), "--fetched-at", "yesterday"])
    assert result.exit_code == 1
    assert "--fetched-at: expected an ISO 8601 date or date-time" in result.stderr
