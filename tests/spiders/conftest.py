"""A local HTTP server for the spiders tests, serving tests/spiders/fixtures (feeds, pages, a small site).

Fixture files write absolute links as `http://stanwire.test/…` (this server) and `http://offsite.test/…`
(a host the crawl must never visit); the server rewrites both to its own address, `127.0.0.1:PORT` and
`localhost:PORT`, so a request that wrongly leaves the source still shows up in the request log.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = FIXTURES / "pages"
# The moment the fixture pages and feeds are "fetched": after every date they give. Tests pass it (or another
# fixed time) wherever code compares with "now", so they read the same on any day.
FETCHED_AT = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
LAST_MODIFIED = "Tue, 17 Nov 2026 06:00:00 GMT"
# Queued URLs that redirect, as feed links through a click tracker do: one to an article, one off the source.
REDIRECTS = {
    "/go/40277": "/news/2026/11/kazakh-regulator-blocks-telegram-mirrors/",
    "/go/40301": "http://offsite.test/offsite/2026/11/redirected-story-elsewhere/",
    # Feeds that moved: on the same host, to another host, and to the cloud metadata address.
    "/go/feed-renamed": "/feeds/rss2.xml",
    "/go/feed-offsite": "http://offsite.test/feeds/rss2.xml",
    "/go/feed-metadata": "http://169.254.169.254/latest/meta-data/",
}
CONTENT_TYPES = {
    ".xml": "application/rss+xml",
    ".rdf": "application/rdf+xml",
    ".html": "text/html",  # no charset: pages declare theirs in <meta>, as many outlets do
    ".txt": "text/plain; charset=utf-8",
}
TEXT_SUFFIXES = {".xml", ".rdf", ".html", ".txt"}
# /dribble/…: a feed sent one byte at a time, far slower than any timeout allows for the whole document.
DRIBBLE_PAUSE = 0.2
DRIBBLE_FOR = 30.0


@dataclass
class LoggedRequest:
    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


@dataclass
class FixtureServer:
    base: str
    offsite_base: str
    requests: list[LoggedRequest] = field(default_factory=list)
    dribbling: threading.Event = field(default_factory=threading.Event)  # set once a /dribble/ answer starts

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def url(self, path: str) -> str:
        return self.base + path


class _Server(ThreadingHTTPServer):
    log: FixtureServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.log.requests.append(
            LoggedRequest(self.path, {k.lower(): v for k, v in self.headers.items()})
        )
        path = unquote(urlsplit(self.path).path)
        if self._misbehave(path):
            return
        path = unquote(urlsplit(self.path).path)  # /flaky/… answers with an article once it recovers
        if path in REDIRECTS:
            self.send_response(HTTPStatus.FOUND)
            self.send_header(
                "Location", REDIRECTS[path].replace("http://offsite.test", self.server.log.offsite_base)
            )
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        file = (FIXTURES / path.lstrip("/")).resolve()
        if file.is_dir():
            file = file / "index.html"
        if FIXTURES.resolve() not in file.parents or not file.is_file():
            self._send(HTTPStatus.NOT_FOUND, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")
            return
        body = file.read_bytes()
        if file.suffix in TEXT_SUFFIXES:
            body = body.replace(b"http://stanwire.test", self.server.log.base.encode("ascii"))
            body = body.replace(b"http://offsite.test", self.server.log.offsite_base.encode("ascii"))
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        content_type = CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        if file.suffix != ".html" and body.lstrip()[:15].lower().startswith(b"<!doctype html"):
            content_type = "text/html; charset=utf-8"  # a feed URL answered with a web page
        self._send(HTTPStatus.OK, body, content_type, {"ETag": etag, "Last-Modified": LAST_MODIFIED})

    def _misbehave(self, path: str) -> bool:
        """Servers having a bad day: /flaky/… answers 429 once then the article, /down/… 503 for ever,
        /huge/… a page larger than any article, /loop/… redirects that never end, /dribble/… (and
        /dribble-headers/…) a feed one byte at a time."""
        if path.startswith("/flaky/"):
            first = sum(1 for r in self.server.log.requests if r.path == self.path) == 1
            if first:
                self._send(HTTPStatus.TOO_MANY_REQUESTS, b"slow down", "text/plain", {"Retry-After": "0"})
                return True
            self.path = "/news/2026/11/uzbekistan-restricts-vpn-services/"
            return False
        if path.startswith("/slowdown/"):
            if sum(1 for r in self.server.log.requests if r.path == self.path) == 1:
                self._send(HTTPStatus.TOO_MANY_REQUESTS, b"slow down", "text/plain", {"Retry-After": "2"})
                return True
            self.path = "/news/2026/11/uzbekistan-restricts-vpn-services/"
            return False
        if path.startswith("/down/"):
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"<html>maintenance</html>", "text/html")
            return True
        if path.startswith("/huge/"):
            self._send(
                HTTPStatus.OK, b"<html><body>" + b"<p>padding</p>" * 20_000 + b"</body></html>", "text/html"
            )
            return True
        if path.startswith(("/dribble/", "/dribble-headers/")):
            self._dribble(headers_too=path.startswith("/dribble-headers/"))
            return True
        if path.startswith("/hugechunked/"):  # no Content-Length: the size shows only while it downloads
            self.protocol_version = "HTTP/1.1"
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"<p>padding</p>" * 1000
            try:
                for _ in range(20):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the crawler hung up once the page outgrew its limit
            self.close_connection = True
            return True
        if path.startswith("/selfloop/"):
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        if path.startswith("/loop/"):
            # A redirect chain that never ends (a session parameter that changes each time).
            hops = sum(1 for r in self.server.log.requests if r.path.startswith(path))
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", f"{path}?session={hops}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        return False

    def _dribble(self, *, headers_too: bool) -> None:
        """A server that never stops and never finishes: one byte every DRIBBLE_PAUSE seconds (the headers
        too, with `headers_too`), until the client hangs up or DRIBBLE_FOR seconds have passed."""
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n"
        body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>slow</title>' + b" " * 99_000
        stream = head + body if headers_too else body
        if not headers_too:
            self.wfile.write(head)
        self.server.log.dribbling.set()
        ends = time.monotonic() + DRIBBLE_FOR
        try:
            for byte in stream:
                if time.monotonic() > ends:
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(DRIBBLE_PAUSE)
        except OSError:
            pass  # the client gave up, as it should
        self.close_connection = True

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log above is what tests read


@pytest.fixture
def fixture_server() -> Iterator[FixtureServer]:
    """Serve tests/spiders/fixtures on 127.0.0.1 (a free port) for one test."""
    server = _Server(("127.0.0.1", 0), _Handler)
    port = server.server_address[1]
    server.log = FixtureServer(base=f"http://127.0.0.1:{port}", offsite_base=f"http://localhost:{port}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.log
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
