"""The HTML digest in a real browser: headless Chromium (Debian's `chromium`, installed by .ci/run) renders it,
every section is visible, nothing is logged to the console, hostile titles stay text, and a screenshot is saved."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from pipelines.digest import Digest, ReportedEvent
from pipelines.digest_html import render_html

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]
SECTIONS = [
    "numbers",
    "agreements",
    "censorship",
    "organizations",
    "countries",
    "stories",
    "new-organizations",
    "outlets",
]
HOSTILE = '<script>console.error("xss")</script> & <b>Co</b>'
# Appended to a copy of the page by the test only: reports, in the DOM, which sections the browser lays out.
PROBE = """<script>
document.body.setAttribute("data-visible", Array.from(document.querySelectorAll("main > section"))
  .filter(s => getComputedStyle(s).display !== "none" && s.getBoundingClientRect().height > 0)
  .map(s => s.id).join(","));
</script>"""


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM, (
        "Debian's chromium is needed for this test (.ci/run installs it: apt-get install chromium)"
    )
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def digest(articles: int = 12) -> Digest:
    event = ReportedEvent(
        date="2026-11-17",
        parties="Uztelecom; Huawei",
        subtype="contract",
        subject="5G base stations",
        status="signed",
        outlets=["silk-wire", "steppe-dispatch"],
        links=[(HOSTILE, "http://stanwire.test/a?x=1&y=2"), ("Copy", "http://stanwire.test/b")],
    )
    return Digest(
        label="2026-W47",
        week_start=date(2026, 11, 16),
        week_end=date(2026, 11, 22),
        articles=articles,
        outlets=3,
        previous_articles=9,
        previous_outlets=3,
        agreements=[event] if articles else [],
        censorship_events=[],
        top_organizations=[{"name": HOSTILE, "kind": "vendor", "articles": 3, "previous_articles": 1}]
        if articles
        else [],
        top_countries=[{"name": "Uzbekistan", "code": "UZ", "articles": 4, "previous_articles": 4}]
        if articles
        else [],
        stories=[
            {
                "title": "Uztelecom and Huawei sign",
                "url": "http://stanwire.test/a",
                "outlets": ["silk-wire"],
                "articles": 2,
            }
        ],
        new_organizations=[{"name": "Tarmoq Net", "kind": None, "country": None, "articles": 1}],
        outlet_coverage=[
            {
                "source": "silk-wire",
                "articles": articles,
                "previous_articles": 5,
                "last_published": date(2026, 11, 20),
            },
            {"source": "dala", "articles": 0, "previous_articles": 4, "last_published": date(2026, 11, 12)},
        ],
        articles_per_day=[{"day": date(2026, 11, 17), "articles": articles}] if articles else [],
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("digest") / "2026-W47.html"
    path.write_text(render_html(digest()), encoding="utf-8")
    return path


def test_every_section_is_visible_and_the_console_stays_silent(page: Path, tmp_path: Path) -> None:
    probed = tmp_path / "probed.html"
    probed.write_text(
        page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    result = chromium(tmp_path, "--dump-dom", probed.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    visible = re.search(r'data-visible="([^"]*)"', result.stdout)
    assert visible is not None
    assert visible.group(1).split(",") == SECTIONS
    assert console_messages(result.stderr) == []


def test_titles_are_text_not_markup(page: Path, tmp_path: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert "&lt;script&gt;console.error(&#34;xss&#34;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;" in html
    assert "<script" not in html  # the page itself has no script at all
    assert 'href="http://stanwire.test/a?x=1&amp;y=2"' in html
    result = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert console_messages(result.stderr) == []  # the hostile title did not run


def test_the_console_check_catches_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><script>console.error('boom')</script></body></html>", encoding="utf-8")
    assert any(
        '"boom"' in line
        for line in console_messages(chromium(tmp_path, "--dump-dom", broken.as_uri()).stderr)
    )


def test_a_screenshot_on_a_phone_sized_window(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "digest-phone.png"
    result = chromium(tmp_path, "--window-size=390,2400", f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a page with content, not a blank image


def test_an_empty_week_is_a_short_honest_page(tmp_path: Path) -> None:
    html = render_html(digest(articles=0))
    assert "No articles published in this week are in the warehouse" in html
    assert "dala" in html  # the outlet that went silent is named
    assert 'id="agreements"' not in html
    assert "<svg" not in html
