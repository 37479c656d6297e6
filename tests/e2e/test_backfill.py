"""`stanwire crawl --source S --since DATE`: sitemap backfill through the CLI against the local demo server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.demo import DEMO_DIR, DemoServer
from tests.e2e.conftest import make_cli, sql_json

pytestmark = pytest.mark.e2e


def test_backfill_queues_and_stores_only_articles_since_the_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = make_cli(tmp_path / "home")
    sources = str(DEMO_DIR / "sources.yaml")
    with DemoServer(DEMO_DIR / "site") as server:
        # make_cli drops STANWIRE_* from the environment; the settings file carries the proxy instead.
        config = tmp_path / "stanwire.toml"
        config.write_text(
            f'proxy = "{server.proxy}"\ndownload_delay = 0.0\nautothrottle = false\n', encoding="utf-8"
        )
        out = cli(
            "--sources",
            sources,
            "--config",
            str(config),
            "crawl",
            "--source",
            "silk-wire",
            "--since",
            "2026-11-20",
            "--no-sections",
        )
        assert "Sitemaps: 1 files read, 5 articles since 2026-11-20, 5 new in the queue" in out.stdout
        again = cli(
            "--sources",
            sources,
            "--config",
            str(config),
            "crawl",
            "--source",
            "silk-wire",
            "--since",
            "2026-11-20",
            "--no-sections",
        )
        assert "0 new in the queue" in again.stdout  # queued once
        bad = cli("--sources", sources, "crawl", "--since", "20 Nov", check=False)
        assert bad.returncode == 1
        assert "expected a date like 2026-01-01" in bad.stderr
    cli("load")
    rows = sql_json(
        cli, "SELECT discovered_via, min(published_date) AS first, count(*) AS n FROM articles GROUP BY 1"
    )
    # silk-wire's sitemap lists 5 articles published on 20 November 2026 or later (demo/corpus/silk-wire.yaml).
    assert rows == [{"discovered_via": "sitemap", "first": "2026-11-20", "n": 5}]
    assert os.path.isdir(tmp_path / "home" / "landing" / "jobs")


def test_a_source_without_a_sitemap_is_refused_with_the_reason(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - {name: plain, title: Plain, language: en, feeds: ['http://127.0.0.1:9/feed.xml']}\n",
        encoding="utf-8",
    )
    result = make_cli(tmp_path / "home")(
        "--sources", str(sources), "crawl", "--since", "2026-01-01", check=False
    )
    assert result.returncode == 1
    assert "no `sitemap:` in sources.yaml for plain" in result.stderr
