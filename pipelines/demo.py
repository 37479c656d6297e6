"""The bundled demo: a local HTTP server for the demo corpus and the sources that point at it."""

from __future__ import annotations

import logging
import mimetypes
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from pipelines.errors import RunError

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO_ROOT / "demo"
PLACEHOLDER_BASE = b"http://stanwire.test"
# The corpus is the demo outlets as they stood on one morning: the Monday after its last week (2026-W48), at the
# hour the weekly digest runs in Almaty. `stanwire demo` runs with its clock starting here (the `now` setting),
# so it reads the same pages the same way on any day.
DEMO_NOW = "2026-11-30T06:00:00+06:00"
TEXT_SUFFIXES = {".html", ".xml", ".txt", ".json", ".rss", ".atom", ""}


class _CorpusHandler(SimpleHTTPRequestHandler):
    """Serve files of the corpus: as a web server at this address (the placeholder base rewritten to it), and as
    an HTTP proxy for http://stanwire.test/… (files as they are; any other host is not found)."""

    server: DemoHTTPServer

    def do_GET(self) -> None:
        body, content_type = self._resolve()
        if body is None:
            self.send_error(HTTPStatus.NOT_FOUND, "Not Found")
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        body, content_type = self._resolve()
        if body is None:
            self.send_error(HTTPStatus.NOT_FOUND, "Not Found")
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()

    def _resolve(self) -> tuple[bytes | None, str]:
        root = self.server.root
        target = urlsplit(self.path)
        # As a proxy (absolute URL in the request line) the server answers only for the placeholder host, and
        # serves files as they are: URLs stay http://stanwire.test/…, the same on every run whatever the port.
        proxied = bool(target.scheme)
        if proxied and f"{target.scheme}://{target.netloc}".encode("ascii") != PLACEHOLDER_BASE:
            return None, ""
        rel = unquote(target.path).lstrip("/")
        path = (root / rel).resolve()
        if root not in path.parents and path != root:
            return None, ""
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            return None, ""
        body = path.read_bytes()
        suffix = path.suffix.lower()
        if suffix in TEXT_SUFFIXES and not proxied:
            body = body.replace(PLACEHOLDER_BASE, self.server.base.encode("ascii"))
        head = body[:200].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")):
            # A misconfigured outlet answering its feed URL with a web page is served as one.
            content_type = "text/html; charset=utf-8"
        elif suffix == ".xml":
            content_type = (
                "application/rss+xml; charset=utf-8" if b"<rss" in body[:500] else "application/xml"
            )
            if b"<feed" in body[:500]:
                content_type = "application/atom+xml; charset=utf-8"
        else:
            guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            content_type = f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed
        return body, content_type

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("demo server: " + format, *args)


class DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), _CorpusHandler)
        self.root = root.resolve()
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.proxy = self.base


class DemoServer:
    """Serve a corpus directory on 127.0.0.1 at a free port for the duration of a `with` block."""

    def __init__(self, root: Path) -> None:
        if not (root / "index.html").is_file() and not any(root.glob("*/feed.xml")):
            raise RunError(f"{root} does not look like a rendered demo site (run: python demo/build_site.py)")
        self._server = DemoHTTPServer(root)
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-server", daemon=True)

    @property
    def base(self) -> str:
        """This server's own address: files served from it link to it."""
        return self._server.base

    @property
    def proxy(self) -> str:
        """Use as an HTTP proxy to fetch the site at its stable placeholder address, http://stanwire.test/…"""
        return self._server.proxy

    def __enter__(self) -> DemoServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
