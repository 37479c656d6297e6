"""The crawl end to end: `python -m spiders.run JOB` in its own process against the local fixture site.

The job crawls the /telecom/ section (max_pages=2 of 3 listing pages) plus queued URLs: one that redirects to
an article, one that redirects to another host, one that is gone (404), one that robots.txt forbids and one on
another host.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from spiders.errors import CrawlError, CrawlJobError
from spiders.middlewares import retry_after_seconds
from spiders.run import run_crawl_subprocess
from tests.lake_fixtures import s3_client
from tests.spiders.conftest import FETCHED_AT, FixtureServer

ARTICLES_FROM_SECTION = {
    "kazakhtelecom-huawei-data-centre-astana",  # listing page 1 (linked twice, fetched once)
    "uzbekistan-restricts-vpn-services",
    "beeline-kyrgyzstan-rural-4g-towers",
    "tajikistan-zte-fibre-backbone",  # listing page 2
    "turkmenistan-starlink-terminals-seized",
}
QUEUED_ARTICLE = "kazakh-regulator-blocks-telegram-mirrors"
REPO = Path(__file__).resolve().parents[2]


def make_job(tmp_path: Path, server: FixtureServer) -> Path:
    job = {
        "landing_dir": str(tmp_path / "landing"),
        "clock_start": FETCHED_AT.isoformat(),
        "requests": [
            {"url": server.url("/go/40277"), "source": "steppe-signal"},
            {"url": server.url("/go/40301"), "source": "steppe-signal"},
            {"url": server.url("/news/2026/11/deleted-story-about-tele2/"), "source": "steppe-signal"},
            {
                "url": server.url("/private/drafts/embargoed-spectrum-auction-results/"),
                "source": "steppe-signal",
            },
            {
                "url": server.offsite_base + "/offsite/queued-story-elsewhere/",
                "source": "steppe-signal",
                "discovered_via": "url",
            },
        ],
        "sources": [
            {
                "name": "steppe-signal",
                "allowed_domains": ["127.0.0.1"],
                "sections": [server.url("/telecom/")],
                "max_pages": 2,
            }
        ],
        "settings": {
            "user_agent": "stanwire-test/0.1 (+tests)",
            "obey_robots": True,
            "concurrency_per_domain": 4,
            "download_delay": 0,
            "autothrottle": False,
            "timeout": 20,
            "max_pages": 3,
        },
    }
    job_dir = tmp_path / "landing" / "jobs" / "test-job"
    job_dir.mkdir(parents=True)
    path = job_dir / "job.json"
    path.write_text(json.dumps(job), encoding="utf-8")
    return path


def read_json_files(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.rglob("*.json"))]


def slug(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_crawl_job_end_to_end(tmp_path: Path, fixture_server: FixtureServer) -> None:
    job_path = make_job(tmp_path, fixture_server)
    report = run_crawl_subprocess(job_path, timeout=120)
    landing = tmp_path / "landing"

    articles = read_json_files(landing / "articles")
    assert {slug(a["final_url"]) for a in articles} == ARTICLES_FROM_SECTION | {QUEUED_ARTICLE}
    assert len(articles) == 6
    for article in articles:
        assert article["schema"] == "stanwire.raw_article/1"
        assert article["source"] == "steppe-signal"
        assert article["http_status"] == 200
        assert len(article["text"]) >= 200
        assert "Read also" not in article["text"]
        assert article["language"] == "en"
        assert article["canonical_url"].startswith(fixture_server.base + "/news/2026/")
        assert (landing / "articles").glob(f"*/{article['html_file']}")
    by_slug = {slug(a["final_url"]): a for a in articles}
    # The crawl's clock continues the job's, not the machine's: fetch times start at clock_start.
    fetched = [datetime.fromisoformat(a["fetched_at"]) for a in articles]
    assert all(FETCHED_AT <= moment < FETCHED_AT + timedelta(minutes=10) for moment in fetched)
    queued = by_slug[QUEUED_ARTICLE]
    assert queued["url"] == fixture_server.url("/go/40277")  # as requested; final_url after the redirect
    assert queued["discovered_via"] == "feed"
    assert queued["published_at"] == "2026-11-19T11:00:00+05:00"
    vpn = by_slug["uzbekistan-restricts-vpn-services"]
    assert vpn["discovered_via"] == "section"
    assert vpn["url"] == fixture_server.url(
        "/news/2026/11/uzbekistan-restricts-vpn-services/"
    )  # no #comments
    assert vpn["extractor"]["date"] == "opengraph"
    # og:url without its utm_source and trailing slash
    assert vpn["canonical_url"] == fixture_server.url("/news/2026/11/uzbekistan-restricts-vpn-services")
    for html_gz in (landing / "articles").rglob("*.html.gz"):
        assert html_gz.with_name(html_gz.name.replace(".html.gz", ".json")).exists()

    errors = {(e["stage"], slug(e["url"])): e for e in read_json_files(landing / "errors")}
    assert set(errors) == {
        ("fetch", "deleted-story-about-tele2"),
        ("robots", "embargoed-spectrum-auction-results"),
        ("offsite", "queued-story-elsewhere"),
        ("offsite", "40301"),  # the redirect to another host is refused before it is followed
        ("extract", "photo-gallery-tashkent-ict-week"),
    }
    gone = errors[("fetch", "deleted-story-about-tele2")]
    assert (gone["http_status"], gone["message"]) == (404, "HTTP 404 Not Found")
    assert errors[("extract", "photo-gallery-tashkent-ict-week")]["http_status"] == 200
    assert errors[("robots", "embargoed-spectrum-auction-results")]["http_status"] is None
    assert all(e["schema"] == "stanwire.crawl_error/1" for e in errors.values())

    paths = fixture_server.paths()
    assert "/robots.txt" in paths
    assert not [p for p in paths if p.startswith(("/offsite/", "/private/"))]  # never fetched
    assert "/telecom/page/3/" not in paths  # max_pages=2
    assert "/news/2026/10/kyrgyz-parliament-false-information-law/" not in paths  # only linked from page 3
    assert not [p for p in paths if p.startswith(("/tag/", "/about/", "/contacts/", "/files/", "/static/"))]
    assert paths.count("/news/2026/11/kazakhtelecom-huawei-data-centre-astana/") == 1
    assert {r.headers.get("user-agent") for r in fixture_server.requests} == {"stanwire-test/0.1 (+tests)"}

    # 2 listing pages + 6 articles + 1 gallery stub + 1 404; redirect hops are not pages
    assert report == {
        "pages_fetched": 10,
        "articles_written": 6,
        "errors": 5,
        "listing_pages": 2,
        "write_failures": 0,
    }
    assert json.loads((job_path.parent / "report.json").read_text()) == report
    assert (job_path.parent / "crawl.log").stat().st_size > 0


def test_a_crawl_lands_the_same_files_on_s3_compatible_storage(
    tmp_path: Path, fixture_server: FixtureServer, s3_server: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in s3_server.items():
        monkeypatch.setenv(name, value)  # the crawl process inherits them
    local_job = make_job(tmp_path / "local", fixture_server)
    run_crawl_subprocess(local_job, timeout=120)
    local = tmp_path / "local" / "landing"
    expected = {
        path.relative_to(local).as_posix(): path.read_bytes()
        for top in ("articles", "errors")
        for path in (local / top).rglob("*")
        if path.is_file()
    }
    job_path = make_job(tmp_path / "remote", fixture_server)
    job = json.loads(job_path.read_text(encoding="utf-8"))
    job["landing_dir"] = f"s3://stanwire/crawl-{os.getpid()}/"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    report = run_crawl_subprocess(job_path, timeout=120)
    assert (report["articles_written"], report["errors"], report["write_failures"]) == (6, 5, 0)
    s3 = s3_client(s3_server)
    prefix = f"crawl-{os.getpid()}/"
    listed = s3.list_objects_v2(Bucket="stanwire", Prefix=prefix).get("Contents", [])
    got = {
        o["Key"][len(prefix) :]: s3.get_object(Bucket="stanwire", Key=o["Key"])["Body"].read() for o in listed
    }
    # the same objects, byte for byte, as the files of the same crawl into a folder; no temporary names
    assert len(expected) == 6 * 2 + 5
    assert got.keys() == expected.keys()
    for name, data in got.items():
        if name.endswith(".json"):  # only the fetch times may differ between the two crawls
            mine, theirs = json.loads(data), json.loads(expected[name])
            mine.pop("fetched_at", None), theirs.pop("fetched_at", None)
            mine.pop("at", None), theirs.pop("at", None)
            assert mine == theirs, name
        else:
            assert data == expected[name], name
    assert not (tmp_path / "remote" / "landing" / "articles").exists()


def test_bad_job_file_exits_2_with_one_line(tmp_path: Path) -> None:
    job = tmp_path / "job.json"
    job.write_text('{"landing_dir": "x", "requests": [{"url": "http://a.test/1", "source": "nobody"}]}')
    proc = subprocess.run(
        [sys.executable, "-m", "spiders.run", str(job)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "requests[0].source 'nobody' is not one of the job's sources" in proc.stderr
    with pytest.raises(CrawlJobError, match="is not one of the job's sources"):
        run_crawl_subprocess(job, timeout=120)


def test_crawl_that_cannot_start_raises_crawl_error(tmp_path: Path) -> None:
    blocker = tmp_path / "landing"
    blocker.write_text("a file where the landing folder should be")
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"landing_dir": str(blocker), "requests": [], "sources": []}))
    with pytest.raises(CrawlError, match=r"crawl process exited with code 1: .*FileExistsError.*crawl\.log"):
        run_crawl_subprocess(job, timeout=120)
    assert not (tmp_path / "report.json").exists()


def test_politeness_limits_retry_what_is_transient_and_record_the_rest(
    tmp_path: Path, fixture_server: FixtureServer
) -> None:
    server = fixture_server
    job = {
        "landing_dir": str(tmp_path / "landing"),
        "clock_start": FETCHED_AT.isoformat(),
        "requests": [
            {"url": server.url(f"/{kind}/story-{kind}/"), "source": "steppe-signal"}
            for kind in ("flaky", "down", "huge", "hugechunked", "loop", "selfloop")
        ],
        "sources": [{"name": "steppe-signal", "allowed_domains": ["127.0.0.1"]}],
        "settings": {
            "user_agent": "stanwire-test/0.1 (+tests)",
            "obey_robots": True,
            "download_delay": 0,
            "autothrottle": False,
            "retry_times": 2,
            "max_page_bytes": 100_000,
            "max_redirects": 3,
        },
    }
    path = tmp_path / "landing" / "jobs" / "limits" / "job.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(job), encoding="utf-8")
    run_crawl_subprocess(path, timeout=120)

    [article] = read_json_files(tmp_path / "landing" / "articles")
    assert article["url"] == server.url("/flaky/story-flaky/")  # 429 once, retried, stored
    errors = {slug(e["url"]): e for e in read_json_files(tmp_path / "landing" / "errors")}
    assert set(errors) == {"story-down", "story-huge", "story-hugechunked", "story-loop", "story-selfloop"}
    # A page redirecting to itself would end in Scrapy's duplicate filter without a word; it is recorded.
    assert "redirect loop" in errors["story-selfloop"]["message"]
    assert (errors["story-down"]["stage"], errors["story-down"]["http_status"]) == ("fetch", 503)
    assert server.paths().count("/down/story-down/") == 3  # the first try and 2 retries, then given up
    assert errors["story-huge"]["stage"] == "fetch"
    assert "size" in errors["story-huge"]["message"].lower()
    # Without Content-Length the page is cancelled mid-download, which Scrapy reports with an empty message.
    chunked = errors["story-hugechunked"]
    assert chunked["stage"] == "fetch"
    assert "larger than the size limit of 100000 bytes (max_page_bytes" in chunked["message"]
    assert errors["story-loop"]["stage"] == "fetch"
    assert "redirect" in errors["story-loop"]["message"].lower()
    assert sum(p.startswith("/loop/") for p in server.paths()) == 4  # the request and 3 redirects, no more


def test_retry_after_is_honoured_before_the_retry(tmp_path: Path, fixture_server: FixtureServer) -> None:
    server = fixture_server
    job = {
        "landing_dir": str(tmp_path / "landing"),
        "clock_start": FETCHED_AT.isoformat(),
        "requests": [{"url": server.url("/slowdown/story-slowdown/"), "source": "steppe-signal"}],
        "sources": [{"name": "steppe-signal", "allowed_domains": ["127.0.0.1"]}],
        "settings": {"user_agent": "stanwire-test/0.1 (+tests)", "download_delay": 0, "autothrottle": False},
    }
    path = tmp_path / "landing" / "jobs" / "slowdown" / "job.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(job), encoding="utf-8")
    run_crawl_subprocess(path, timeout=120)

    [article] = read_json_files(tmp_path / "landing" / "articles")
    assert article["url"] == server.url("/slowdown/story-slowdown/")
    first, retry = [r.at for r in server.requests if r.path.startswith("/slowdown/")]
    assert retry - first >= 1.9  # the site said "Retry-After: 2"; Scrapy alone would have retried at once


SENT = b"Wed, 21 Oct 2015 07:28:00 GMT"


@pytest.mark.parametrize(
    ("header", "date", "seconds"),
    [
        (b"120", None, 120.0),
        (b" 0 ", SENT, 0.0),
        (b"Wed, 21 Oct 2015 07:30:30 GMT", SENT, 150.0),  # measured from the response's own Date
        (b"Wed, 21 Oct 2015 07:20:00 GMT", SENT, 0.0),  # a date before the response's means "now"
        (b"Wed, 21 Oct 2015 07:30:30 GMT", None, None),  # without a Date the pause is unknown
        (b"Wed, 21 Oct 2015 07:30:30 GMT", b"garbage", None),
        (b"soon", SENT, None),
        (None, SENT, None),
    ],
)
def test_retry_after_header_values(header: bytes | None, date: bytes | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, date) == seconds


class _CountingHandler(BaseHTTPRequestHandler):
    """Answers every page after a pause, counting how many requests are in flight at once."""

    lock = threading.Lock()
    in_flight = 0
    most = 0
    served: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.in_flight += 1
            cls.most = max(cls.most, cls.in_flight)
            cls.served.append(self.path)
        try:
            if self.path == "/robots.txt":
                body, content_type = b"User-agent: *\nAllow: /\n", "text/plain"
            else:
                time.sleep(0.3)
                body = b"<html><head><title>A story</title></head><body><article><h1>A story</h1>"
                body += b"<p>" + b"word " * 150 + b"</p></article></body></html>"
                content_type = "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            with cls.lock:
                cls.in_flight -= 1

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.parametrize("per_domain", [1, 2])
def test_no_more_requests_in_flight_to_a_site_than_concurrency_per_domain(
    tmp_path: Path, per_domain: int
) -> None:
    # Without a delay and AutoThrottle, Scrapy's downloader used to start every queued request at once (16 in
    # parallel to one host): the per-site limit must hold whatever the delay.
    handler = type("Handler", (_CountingHandler,), {"in_flight": 0, "most": 0, "served": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    job = {
        "landing_dir": str(tmp_path / "landing"),
        "clock_start": FETCHED_AT.isoformat(),
        "requests": [{"url": f"{base}/news/story-{i}/", "source": "steppe-signal"} for i in range(8)],
        "sources": [{"name": "steppe-signal", "allowed_domains": ["127.0.0.1"]}],
        "settings": {
            "user_agent": "stanwire-test/0.1 (+tests)",
            "concurrency_per_domain": per_domain,
            "download_delay": 0,
            "autothrottle": False,
        },
    }
    path = tmp_path / "landing" / "jobs" / "concurrency" / "job.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(job), encoding="utf-8")
    try:
        report = run_crawl_subprocess(path, timeout=120)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert report["pages_fetched"] == 8
    assert len([p for p in handler.served if p.startswith("/news/")]) == 8
    assert handler.most == per_domain  # parallel up to the limit, never beyond it


RUN_LIKE = """
import sys
from spiders.run import run_crawl_subprocess
print("started", flush=True)
run_crawl_subprocess(sys.argv[1], timeout=600)
"""


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _gone(pid: int) -> bool:
    """True when `pid` no longer runs: no such process, or a zombie waiting for its new parent to reap it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return True
    return fields[0] in {"Z", "X"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux-only")
def test_the_crawl_process_dies_with_a_killed_parent(tmp_path: Path) -> None:
    # A run killed with kill -9 used to leave its Scrapy crawler fetching on its own, reparented to PID 1.
    handler = type("Handler", (_CountingHandler,), {"in_flight": 0, "most": 0, "served": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    job = {
        "landing_dir": str(tmp_path / "landing"),
        "clock_start": FETCHED_AT.isoformat(),
        "requests": [{"url": f"{base}/news/story-{i}/", "source": "steppe-signal"} for i in range(200)],
        "sources": [{"name": "steppe-signal", "allowed_domains": ["127.0.0.1"]}],
        "settings": {"concurrency_per_domain": 1, "download_delay": 0, "autothrottle": False},
    }
    path = tmp_path / "landing" / "jobs" / "killed" / "job.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(job), encoding="utf-8")
    parent = subprocess.Popen(
        [sys.executable, "-c", RUN_LIKE, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    crawler = None
    try:
        deadline = time.monotonic() + 60
        while not any(p.startswith("/news/") for p in handler.served):  # the crawl is fetching
            assert time.monotonic() < deadline, "the crawl never started"
            assert parent.poll() is None, "the run-like parent ended early"
            time.sleep(0.05)
        [crawler] = _children(parent.pid)
        parent.kill()  # kill -9: the parent gets no chance to clean up
        parent.wait()
        deadline = time.monotonic() + 5
        while not _gone(crawler) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(crawler), "the crawl process outlived the process that started it"
        fetched = len(handler.served)
        time.sleep(1)
        assert len(handler.served) == fetched  # and nothing is fetched any more
        assert fetched < 50
    finally:
        if crawler is not None and not _gone(crawler):
            os.kill(crawler, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        server.shutdown()
        server.server_close()
        thread.join()
