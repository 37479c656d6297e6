"""A synthetic corpus for the benchmarks, made from the demo corpus's vocabulary and page structure.

- 20 outlets: the demo's four working outlets (two English, two Russian; their themes, feeds and sections)
  four times over plus one more round, each at its own host `<outlet>.bench.test`, so the crawl's politeness
  (one download slot per site) applies per outlet as it would on the real web;
- articles of 300–1,500 words in 3–12 paragraphs, in each outlet's language, drawn from the demo corpus's words
  (names of operators, ministries and places included), with JSON-LD, OpenGraph or no metadata as the demo
  pages have; 5% are syndicated copies of an earlier article of another outlet of the same language (their own
  intro, the original's last paragraph cut), as the demo's copies are;
- pages rendered by the demo's own templates (demo/site_pages.py), one feed per outlet listing all its articles;
- `BenchServer`: a local HTTP server on 127.0.0.1 acting as the proxy for `*.bench.test` (like the demo's),
  answering conditional GETs with 304 so a second poll finds nothing new;
- `write_landing`: the same articles as landing files, as the crawl would have written them, for the loader's
  benchmarks at sizes a crawl on this machine would take too long to reach.

Everything is deterministic (fixed seeds, fixed dates): the same sizes give the same corpus.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np

REPO = Path(__file__).resolve().parents[1]
for extra in (REPO, REPO / "demo"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from build_site import load_corpus, render_feed  # noqa: E402
from site_pages import BASE, Article, Outlet, render_article  # noqa: E402

OUTLETS = 20
COPY_SHARE = 0.05
START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
STEP = timedelta(minutes=15)  # between two articles' publication: 10,000 articles span June to September 2026
HOST_SUFFIX = ".bench.test"
MARKUPS = ("jsonld",) * 6 + ("og",) * 3 + ("plain",)
LAST_MODIFIED = format_datetime(datetime(2026, 11, 1, tzinfo=UTC), usegmt=True)
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)


def host_of(outlet: Outlet) -> str:
    return f"{outlet.name}{HOST_SUFFIX}"


def outlet_url(outlet: Outlet, path: str) -> str:
    """The address of a page of `outlet` (`path` is root-relative, starting with /<outlet>/)."""
    return f"http://{host_of(outlet)}{path}"


def make_outlets() -> list[Outlet]:
    demo_outlets, _ = load_corpus(REPO / "demo" / "corpus")
    working = [o for o in demo_outlets if o.broken is None]
    outlets = []
    for i in range(OUTLETS):
        template = working[i % len(working)]
        number = i // len(working) + 1
        outlets.append(
            dataclasses.replace(
                template,
                name=f"{template.name}-{number}",
                title=f"{template.title} {number}",
                feed_items=10**9,
            )
        )
    return outlets


class Vocabulary:
    """Words of the demo corpus per language, drawn at random (so unrelated articles share almost no
    three-word shingle, as unrelated news rarely does)."""

    def __init__(self) -> None:
        _, articles = load_corpus(REPO / "demo" / "corpus")
        words: dict[str, set[str]] = {"en": set(), "ru": set()}
        for article in articles:
            words[article.outlet.language].update(_WORD.findall(f"{article.title} {article.body or ''}"))
        self.words = {lang: sorted(found) for lang, found in words.items()}

    def text(self, rng: np.random.Generator, language: str, words: int) -> str:
        vocabulary = self.words[language]
        picked = [vocabulary[i] for i in rng.integers(0, len(vocabulary), size=words)]
        sentences, at = [], 0
        while at < len(picked):
            size = int(rng.integers(9, 24))
            sentence = picked[at : at + size]
            at += size
            sentence[0] = sentence[0][:1].upper() + sentence[0][1:]
            if len(sentence) > 6:
                sentence[3] += ","
            sentences.append(" ".join(sentence) + ".")
        paragraphs, at = [], 0
        while at < len(sentences):
            size = int(rng.integers(3, 8))
            paragraphs.append(" ".join(sentences[at : at + size]))
            at += size
        return "\n\n".join(paragraphs)

    def title(self, rng: np.random.Generator, language: str) -> str:
        vocabulary = self.words[language]
        words = [vocabulary[i] for i in rng.integers(0, len(vocabulary), size=int(rng.integers(6, 11)))]
        return " ".join(words)[:1].upper() + " ".join(words)[1:]


def make_articles(count: int, outlets: list[Outlet], *, start: int = 0, seed: int = 11) -> list[Article]:
    """Articles number `start` … `start + count - 1` of the corpus (the same numbers give the same articles)."""
    vocabulary = Vocabulary()
    articles: list[Article] = []
    by_language: dict[str, list[Article]] = {"en": [], "ru": []}
    for number in range(start, start + count):
        rng = np.random.default_rng([seed, number])
        outlet = outlets[number % len(outlets)]
        language = outlet.language
        published = START + STEP * number
        earlier = [a for a in by_language[language][-400:] if a.outlet.name != outlet.name]
        if earlier and rng.random() < COPY_SHARE:
            original = earlier[int(rng.integers(0, len(earlier)))]
            kept = (original.body or "").split("\n\n")
            intro = vocabulary.text(rng, language, int(rng.integers(25, 45)))
            body = "\n\n".join([intro, *kept[:-1]]) if len(kept) > 1 else f"{intro}\n\n{kept[0]}"
            published = max(published, original.published + timedelta(hours=2))
        else:
            body = vocabulary.text(rng, language, int(rng.integers(300, 1501)))
        article = Article(
            file=Path("bench"),
            outlet=outlet,
            slug=f"story-{number:06d}",
            title=vocabulary.title(rng, language),
            published=published.astimezone(UTC),
            authors=(vocabulary.title(rng, language).split()[0],),
            section=outlet.sections[number % len(outlet.sections)],
            markup=MARKUPS[number % len(MARKUPS)],
            summary=body.split(". ")[0] + ".",
            body=body,
        )
        articles.append(article)
        by_language[language].append(article)
    return articles


def article_url(article: Article) -> str:
    return outlet_url(article.outlet, article.path)


def _on_own_host(text: str, outlet: Outlet) -> str:
    """The demo templates link to http://stanwire.test/<outlet>/…; each bench outlet lives at its own host."""
    return text.replace(f"{BASE}/{outlet.name}/", f"http://{host_of(outlet)}/{outlet.name}/")


def write_site(root: Path, outlets: list[Outlet], articles: list[Article]) -> int:
    """Render each outlet's feed and article pages under `root/<outlet>/…`; return the pages written."""
    pages = 0
    for outlet in outlets:
        own = [a for a in articles if a.outlet.name == outlet.name]
        folder = root / outlet.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "feed.xml").write_text(_on_own_host(render_feed(outlet, own), outlet), encoding="utf-8")
        for article in own:
            path = root / article.path.lstrip("/")
            if article.path.endswith("/"):
                path = path / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_on_own_host(render_article(article, own), outlet), encoding="utf-8")
            pages += 1
    return pages


def write_sources(path: Path, outlets: list[Outlet]) -> None:
    """A sources file for the bench outlets (feeds only: the feed lists every article)."""
    lines = ["# The benchmark's synthetic outlets (bench/corpus.py), served by its local proxy.", "sources:"]
    for outlet in outlets:
        lines += [
            f"  - name: {outlet.name}",
            f"    title: {json.dumps(outlet.title, ensure_ascii=False)}",
            f"    language: {outlet.language}",
            f'    feeds: ["{outlet_url(outlet, f"/{outlet.name}/feed.xml")}"]',
            f"    allowed_domains: [{host_of(outlet)}]",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_landing(landing: Path, articles: Iterable[Article], *, fetched_after: timedelta) -> int:
    """Write each article as the crawl would have (`articles/<fetch day>/<key>.json`, record
    `stanwire.raw_article/1`); the HTML beside it is not written (the loader does not read it)."""
    written = 0
    for article in articles:
        url = article_url(article)
        fetched = article.published + fetched_after
        text = article.body or ""
        key = f"{hashlib.sha1(url.encode()).hexdigest()[:16]}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"
        record = {
            "schema": "stanwire.raw_article/1",
            "source": article.outlet.name,
            "url": url,
            "final_url": url,
            "canonical_url": url,
            "title": article.title,
            "text": text,
            "published_at": article.published.isoformat(),
            "authors": list(article.authors),
            "language": article.outlet.language,
            "fetched_at": fetched.isoformat(),
            "http_status": 200,
            "discovered_via": "feed",
            "html_file": f"{key}.html.gz",
            "extractor": {"version": "bench", "title": "json-ld", "date": "json-ld", "body": "trafilatura"},
        }
        folder = landing / "articles" / fetched.date().isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{key}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        written += 1
    return written


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        target = urlsplit(self.path)
        if not target.netloc.endswith(HOST_SUFFIX):
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        if target.path == "/robots.txt":
            self._send(b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
            return
        path = (self.server.root / unquote(target.path).lstrip("/")).resolve()
        if path.is_dir():
            path = path / "index.html"
        if self.server.root not in path.parents or not path.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        etag = f'"{path.stat().st_size:x}"'
        if (
            self.headers.get("If-None-Match") == etag
            or self.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        body = path.read_bytes()
        kind = "text/html; charset=utf-8"
        if path.suffix == ".xml":
            kind = "application/atom+xml" if b"<feed" in body[:300] else "application/rss+xml; charset=utf-8"
        self._send(body, kind, etag)

    def _send(self, body: bytes, kind: str, etag: str | None = None) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", LAST_MODIFIED)
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root.resolve()


class BenchServer:
    """Serve a written site on 127.0.0.1 as the HTTP proxy of `*.bench.test`, for a `with` block."""

    def __init__(self, root: Path) -> None:
        self._server = _Server(root)
        self._thread = threading.Thread(target=self._server.serve_forever, name="bench-server", daemon=True)
        self.proxy = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> BenchServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
