"""`stanwire reextract`: the stored HTML extracted again, changed records rewritten and loaded, nothing lost."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from pipelines import stages
from pipelines.cli import app
from pipelines.settings import Settings
from spiders.extract import EXTRACTOR_VERSION
from spiders.landing import article_key
from warehouse.db import connect

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "demo/site/steppe-dispatch/2026/11/kazakhtelecom-content-filter-agreement/index.html"
URL = "http://stanwire.test/steppe-dispatch/2026/11/kazakhtelecom-content-filter-agreement/"
OLD_TEXT = (
    "Share: Facebook Telegram. Kazakhtelecom to build national content filter. Read also: weather in Astana. "
    * 3
)


def stored_page(landing: Path) -> Path:
    """A landing record as an older, worse extractor wrote it, beside the page's real HTML."""
    html = PAGE.read_bytes()
    key = article_key(URL, html)  # the crawl's file name, so a rewrite lands on the same file
    folder = landing / "articles" / "2026-11-24"
    folder.mkdir(parents=True)
    (folder / f"{key}.html.gz").write_bytes(gzip.compress(html, mtime=0))
    record = {
        "schema": "stanwire.raw_article/1",
        "source": "steppe-dispatch",
        "url": URL,
        "final_url": URL,
        "canonical_url": URL.rstrip("/"),
        "title": "Steppe Dispatch",
        "text": OLD_TEXT,
        "published_at": None,
        "authors": [],
        "language": "en",
        "fetched_at": "2026-11-24T08:00:00+00:00",
        "http_status": 200,
        "discovered_via": "feed",
        "html_file": f"{key}.html.gz",
        "extractor": {"version": "stanwire-extract/0", "title": "meta", "date": None, "body": "trafilatura"},
    }
    path = folder / f"{key}.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    (folder / "broken.json").write_text(json.dumps({**record, "html_file": "gone.html.gz"}), encoding="utf-8")
    return path


def test_reextract_updates_the_stored_article_once_and_keeps_what_it_cannot_read(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", sources=tmp_path / "sources.yaml")
    record_path = stored_page(settings.landing_dir)
    stages.load(settings)

    result = stages.reextract(settings)
    assert (result.landing.records, result.landing.changed, result.landing.unchanged) == (2, 1, 0)
    [(failed, reason)] = result.landing.failed
    assert failed.endswith("broken.json")
    assert "gone.html.gz" in reason
    assert result.load.articles_updated == 1
    rewritten = json.loads(record_path.read_text(encoding="utf-8"))
    assert (
        rewritten["title"] == "Kazakhtelecom to build national content filter under agreement with ministry"
    )
    assert rewritten["extractor"]["version"] == EXTRACTOR_VERSION
    conn = connect(settings.warehouse_path, read_only=True)
    try:
        title, text, published = conn.execute("SELECT title, text, published_date FROM articles").fetchone()  # type: ignore[misc]
    finally:
        conn.close()
    assert title == rewritten["title"]
    assert "Read also" not in text
    assert str(published) == "2026-11-24"

    again = stages.reextract(settings)
    assert (again.landing.changed, again.landing.unchanged, again.load.articles_updated) == (0, 1, 0)


def test_the_command_reports_what_it_did(tmp_path: Path) -> None:
    home = tmp_path / "home"
    stored_page(home / "landing")
    result = CliRunner().invoke(app, ["--home", str(home), "reextract"])
    assert result.exit_code == 0, result.output
    assert "2 stored pages: 1 extracted differently, 0 the same, 1 failed" in " ".join(result.stdout.split())
