from pathlib import Path

import httpx
import pytest

from pipelines.demo import DemoServer
from pipelines.errors import RunError


def test_serves_files_with_the_placeholder_base_rewritten(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text('<html><a href="http://stanwire.test/a/x.html">x</a></html>')
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><link>http://stanwire.test/a/</link></channel></rss>'
    )
    (tmp_path / "a" / "broken.xml").write_text("<!DOCTYPE html><html><body>Maintenance</body></html>")
    with DemoServer(tmp_path) as server:
        assert server.base.startswith("http://127.0.0.1:")
        home = httpx.get(server.base + "/")
        assert home.status_code == 200
        assert f'href="{server.base}/a/x.html"' in home.text
        feed = httpx.get(server.base + "/a/feed.xml")
        assert feed.headers["content-type"].startswith("application/rss+xml")
        assert f"<link>{server.base}/a/</link>" in feed.text
        assert httpx.get(server.base + "/a/broken.xml").headers["content-type"].startswith("text/html")
        assert httpx.get(server.base + "/missing.html").status_code == 404
        assert httpx.get(server.base + "/../../etc/passwd").status_code == 404


def test_as_a_proxy_serves_the_placeholder_host_unchanged_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text('<html><a href="http://stanwire.test/a/x.html">x</a></html>')
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.html").write_text(
        '<html><link rel="canonical" href="http://stanwire.test/a/x.html"></html>'
    )
    with DemoServer(tmp_path) as server, httpx.Client(proxy=server.proxy, trust_env=False) as client:
        page = client.get("http://stanwire.test/a/x.html")
        assert page.status_code == 200
        assert 'href="http://stanwire.test/a/x.html"' in page.text  # stable URLs, not the server's port
        assert client.get("http://stanwire.test/").status_code == 200
        assert client.get("http://example.org/a/x.html").status_code == 404  # never a way out to the web
        assert client.get("http://stanwire.test/nothing.html").status_code == 404


def test_refuses_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    with pytest.raises(RunError, match="does not look like a rendered demo site"):
        DemoServer(tmp_path)
