"""Render the demo corpus (`demo/corpus/*.yaml`, see demo/FORMAT.md) into the static demo site (`demo/site/`).

Run from the repository root: `python demo/build_site.py [--corpus DIR] [--out DIR]`. The output depends on the
corpus only (no clock, no randomness), so the same corpus renders byte-identical files.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import yaml

if str(Path(__file__).resolve().parent) not in sys.path:  # site_pages.py sits beside this script
    sys.path.append(str(Path(__file__).resolve().parent))  # appended: demo/site must not shadow stdlib `site`
from site_pages import (
    BASE,
    Article,
    Outlet,
    Section,
    article_tags,
    paragraphs,
    render_article,
    render_listing,
    render_maintenance,
    render_root,
    render_static,
    render_tag,
)

logger = logging.getLogger("build_site")

DEMO_DIR = Path(__file__).resolve().parent
STYLES = ("regional", "wire", "ru-news")
MARKUPS = ("jsonld", "og", "plain")
ARTICLE_KEYS = set(
    [
        "slug",
        "title",
        "published",
        "authors",
        "section",
        "markup",
        "summary",
        "body",
        "syndicated_from",
        "intro",
    ]
)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Listing pages live at /<outlet>/<section>/page/N/ beside /tag/, /about/…: a section with such a name would collide.
RESERVED_SECTIONS = {"page", "tag", "about", "privacy", "search", "newsletter"}


class CorpusError(Exception):
    """The corpus is invalid; the message lists every problem found, one per line."""


# ---------------------------------------------------------------- loading and validation


class _Problems(list[str]):
    """Collects validation problems so one run reports all of them, not just the first."""

    def take(
        self, entry: dict[str, Any], key: str, where: str, kind: type = str, required: bool = True
    ) -> Any:
        value = entry.get(key)
        if value is None:
            if required:
                self.append(f"{where}: missing key '{key}'")
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.append(f"{where}: key '{key}': expected {kind.__name__}, got {value!r}")
            return None
        if kind is str and not value.strip():
            self.append(f"{where}: key '{key}': is empty")
            return None
        return value

    def one_of(self, value: Any, allowed: tuple[str | None, ...], where: str, key: str) -> None:
        if value not in allowed:
            names = ", ".join(a for a in allowed if a)
            self.append(f"{where}: key '{key}': {value!r} is not one of {names}")


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: not valid YAML: {exc}") from exc


def load_outlets(path: Path) -> list[Outlet]:
    """Read and validate outlets.yaml (a list of outlets, or a mapping with an `outlets` list)."""
    data = _read_yaml(path)
    entries = data.get("outlets") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not entries:
        raise CorpusError(f"{path}: expected a non-empty list of outlets")
    problems, outlets = _Problems(), []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            problems.append(f"{path}: outlet #{number}: expected a mapping")
            continue
        where = f"{path}: outlet '{entry.get('name', f'#{number}')}'"
        take = problems.take
        name, title = take(entry, "name", where), take(entry, "title", where)
        language, style = take(entry, "language", where), take(entry, "style", where)
        country, broken, variant = (
            take(entry, key, where, required=False) for key in ("country", "broken", "variant")
        )
        page_size, feed = take(entry, "page_size", where, int), take(entry, "feed", where, dict) or {}
        feed_format, items = (
            take(feed, "format", f"{where}: feed"),
            take(feed, "items", f"{where}: feed", int),
        )
        if name is not None and (not SLUG.match(name) or name in {o.name for o in outlets}):
            problems.append(f"{where}: key 'name': {name!r} is not a unique slug (a-z, 0-9, -)")
        problems.one_of(language, (None, "en", "ru"), where, "language")
        problems.one_of(style, (None, *STYLES), where, "style")
        problems.one_of(broken, (None, "html-feed"), where, "broken")
        problems.one_of(variant, (None, "alt"), where, "variant")
        problems.one_of(feed_format, (None, "rss2", "atom"), f"{where}: feed", "format")
        for key, value in (("feed: key 'items'", items), ("key 'page_size'", page_size)):
            if value is not None and value < 1:
                problems.append(f"{where}: {key}: must be at least 1")
        sections: list[Section] = []
        for raw in take(entry, "sections", where, list) or []:
            slug, stitle = (raw.get("slug"), raw.get("title")) if isinstance(raw, dict) else (None, None)
            if not isinstance(slug, str) or not isinstance(stitle, str):
                problems.append(f"{where}: key 'sections': {raw!r} needs a slug and a title")
            elif not SLUG.match(slug) or slug in RESERVED_SECTIONS or slug in {s.slug for s in sections}:
                problems.append(f"{where}: key 'sections': {slug!r} is not a free slug")
            else:
                sections.append(Section(slug, stitle))
        if not sections and broken is None:
            problems.append(f"{where}: key 'sections': an outlet needs at least one section")
        if None not in (name, title, language, style, feed_format, items, page_size):
            fields = (name, title, language, country, style, feed_format, items, tuple(sections), page_size)
            outlets.append(Outlet(*fields, broken=broken, variant=variant))
    if problems:
        raise CorpusError("\n".join(problems))
    return outlets


def load_articles(path: Path, outlet: Outlet, problems: _Problems) -> list[Article]:
    """Read one `<outlet>.yaml`, appending its problems; syndicated copies are left without a body."""
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        problems.append(f"{path}: expected a mapping with 'outlet' and an 'articles' list")
        return []
    if data.get("outlet") != outlet.name:
        problems.append(f"{path}: key 'outlet': {data.get('outlet')!r} should be {outlet.name!r}")
    articles: list[Article] = []
    seen: set[str] = set()
    for number, entry in enumerate(data["articles"], 1):
        if not isinstance(entry, dict):
            problems.append(f"{path}: article #{number}: expected a mapping")
            continue
        where = f"{path}: article '{entry['slug']}'" if entry.get("slug") else f"{path}: article #{number}"
        take = problems.take
        slug = take(entry, "slug", where)
        if slug is not None and not SLUG.match(slug):
            problems.append(f"{where}: key 'slug': {slug!r} is not a latin slug (a-z, 0-9, -)")
        elif slug in seen:
            problems.append(f"{where}: key 'slug': duplicate slug (article #{number} of {outlet.name})")
        seen.add(slug)
        for key in sorted(set(entry) - ARTICLE_KEYS):
            problems.append(f"{where}: key '{key}': unknown key (known: {', '.join(sorted(ARTICLE_KEYS))})")
        copy_of = take(entry, "syndicated_from", where, required=False)
        title, markup = take(entry, "title", where), take(entry, "markup", where)
        summary = take(entry, "summary", where, required=copy_of is None)
        body = take(entry, "body", where, required=copy_of is None)
        intro = take(entry, "intro", where, required=False)
        if copy_of is not None and body is not None:
            problems.append(f"{where}: key 'body': a syndicated copy takes its body from {copy_of}")
        if copy_of is None and intro is not None:
            problems.append(f"{where}: key 'intro': only a syndicated copy has an intro")
        if markup is not None:
            problems.one_of(markup, MARKUPS, where, "markup")
        section_slug = take(entry, "section", where)
        section = outlet.section(section_slug) if section_slug is not None else None
        if section_slug is not None and section is None:
            known = ", ".join(s.slug for s in outlet.sections)
            problems.append(f"{where}: key 'section': unknown section {section_slug!r} (known: {known})")
        authors = take(entry, "authors", where, list, required=False) or []
        if not all(isinstance(a, str) and a.strip() for a in authors):
            problems.append(f"{where}: key 'authors': expected a list of names, got {authors!r}")
        published = _parse_published(entry.get("published"), where, problems)
        if None in (slug, title, section, published) or markup not in MARKUPS or (body or copy_of) is None:
            continue
        fields = (
            path,
            outlet,
            slug,
            title.strip(),
            published,
            tuple(authors),
            section,
            markup,
            summary,
            body,
        )
        articles.append(Article(*fields, syndicated_from=copy_of, intro=intro))
    return articles


def _parse_published(value: Any, where: str, problems: _Problems) -> datetime | None:
    if value is None:
        problems.append(f"{where}: missing key 'published'")
        return None
    try:
        # Unquoted in YAML, a timestamp arrives already parsed.
        published = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}: key 'published': {value!r} is not an ISO 8601 date-time")
        return None
    if published.tzinfo is None:
        problems.append(f"{where}: key 'published': {value!r} has no UTC offset (write e.g. +06:00)")
        return None
    return published


def _resolve_copies(articles: dict[tuple[str, str], Article], absent: set[str], problems: _Problems) -> None:
    """Give each syndicated copy its body: its intro + the original's body without its last paragraph."""
    for key, article in list(articles.items()):
        if article.syndicated_from and article.syndicated_from.partition("/")[0] in absent:
            logger.warning("%s: left out, %s has no corpus file", article.where, article.syndicated_from)
            del articles[key]

    failed: set[tuple[str, str]] = set()  # reported once, however many copies lead to them

    def resolve(key: tuple[str, str], trail: frozenset[tuple[str, str]]) -> bool:
        article = articles[key]
        if article.body is not None:
            return True
        if key in failed:
            return False
        failed.add(key)  # until proven otherwise
        assert article.syndicated_from is not None  # a body-less article is a copy (load_articles checks)
        outlet_name, _, slug = article.syndicated_from.partition("/")
        where = f"{article.where}: key 'syndicated_from'"
        if (outlet_name, slug) not in articles:
            problems.append(f"{where}: {article.syndicated_from!r} points to no article (write outlet/slug)")
            return False
        if (outlet_name, slug) in trail:
            problems.append(f"{where}: {article.syndicated_from!r} closes a syndication loop")
            return False
        if not resolve((outlet_name, slug), trail | {key}):
            return False
        original = articles[(outlet_name, slug)]
        assert original.body is not None
        article.body = "\n\n".join(
            ([article.intro] if article.intro else []) + paragraphs(original.body)[:-1]
        )
        article.summary = article.summary or original.summary
        if article.published < original.published:
            logger.warning("%s: the copy is dated before its original", where)
        failed.discard(key)
        return True

    for key in list(articles):
        resolve(key, frozenset())


def load_corpus(corpus_dir: Path) -> tuple[list[Outlet], list[Article]]:
    """Read and validate the whole corpus; raise CorpusError listing every problem."""
    outlets = load_outlets(corpus_dir / "outlets.yaml")
    problems = _Problems()
    articles: dict[tuple[str, str], Article] = {}
    absent: set[str] = set()
    for outlet in outlets:
        path = corpus_dir / f"{outlet.name}.yaml"
        if not path.is_file():
            absent.add(outlet.name)
            if outlet.broken is None:
                logger.warning("%s: missing; outlet %s is rendered without articles", path, outlet.name)
            continue
        for article in load_articles(path, outlet, problems):
            articles.setdefault((outlet.name, article.slug), article)
    _resolve_copies(articles, absent, problems)
    if problems:
        raise CorpusError("\n".join(problems))
    for article in articles.values():
        body = article.body or ""
        words, count = len(body.split()), len(paragraphs(body))
        if article.syndicated_from is None and not (120 <= words <= 350 and 3 <= count <= 6):
            # FORMAT.md's length rule is editorial, not structural: the site still renders.
            logger.warning(
                "%s: body has %d words in %d paragraphs (FORMAT.md: 120-350, 3-6)",
                article.where,
                words,
                count,
            )
    return outlets, sorted(articles.values(), key=lambda a: (a.outlet.name, a.published, a.slug))


# ---------------------------------------------------------------- feeds, sitemaps, the whole site


def _newest_first(articles: list[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (a.published, a.slug), reverse=True)


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_feed(outlet: Outlet, articles: list[Article]) -> str:
    """The outlet's RSS 2.0 or Atom 1.0 feed with its `feed_items` newest articles."""
    items = _newest_first(articles)[: outlet.feed_items]
    home, feed_url = f"{BASE}/{outlet.name}/", f"{BASE}/{outlet.name}/feed.xml"
    newest = items[0].published if items else datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    if outlet.feed_format == "rss2":
        root = ET.Element("rss", {"version": "2.0", "xmlns:atom": "http://www.w3.org/2005/Atom"})
        root.set("xmlns:dc", "http://purl.org/dc/elements/1.1/")
        channel = ET.SubElement(root, "channel")
        for tag, text in (("title", outlet.title), ("link", home), ("description", outlet.title)):
            ET.SubElement(channel, tag).text = text
        ET.SubElement(channel, "language").text = outlet.language
        ET.SubElement(channel, "lastBuildDate").text = format_datetime(newest)
        ET.SubElement(channel, "atom:link", {"href": feed_url, "rel": "self", "type": "application/rss+xml"})
        for a in items:
            item = ET.SubElement(channel, "item")
            ET.SubElement(item, "title").text = a.title
            ET.SubElement(item, "link").text = a.url
            ET.SubElement(item, "guid", {"isPermaLink": "true"}).text = a.url
            ET.SubElement(item, "pubDate").text = format_datetime(a.published)
            ET.SubElement(item, "description").text = a.summary
            ET.SubElement(item, "category").text = a.section.title
            for name in a.authors:
                ET.SubElement(item, "dc:creator").text = name
        return _xml(root)
    root = ET.Element("feed", {"xmlns": "http://www.w3.org/2005/Atom", "xml:lang": outlet.language})
    ET.SubElement(root, "title").text = outlet.title
    ET.SubElement(root, "id").text = home
    ET.SubElement(root, "updated").text = newest.isoformat()
    ET.SubElement(root, "link", {"rel": "self", "type": "application/atom+xml", "href": feed_url})
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html", "href": home})
    for a in items:
        entry = ET.SubElement(root, "entry")
        ET.SubElement(entry, "title").text = a.title
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": a.url})
        ET.SubElement(entry, "id").text = a.url
        ET.SubElement(entry, "published").text = a.published.isoformat()
        ET.SubElement(entry, "updated").text = a.published.isoformat()
        for name in a.authors or (outlet.title,):
            ET.SubElement(ET.SubElement(entry, "author"), "name").text = name
        ET.SubElement(entry, "category", {"term": a.section.slug, "label": a.section.title})
        ET.SubElement(entry, "summary", {"type": "text"}).text = a.summary
    return _xml(root)


def render_sitemap(articles: list[Article]) -> str:
    """A sitemap of the outlet's article pages."""
    root = ET.Element("urlset", {"xmlns": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    for a in _newest_first(articles):
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = a.url
        ET.SubElement(url, "lastmod").text = a.published.isoformat()
    return _xml(root)


def render_site(outlets: list[Outlet], articles: list[Article]) -> dict[str, str]:
    """Every file of the site: path relative to the site folder → text."""
    files: dict[str, str] = {}

    def put(path: str, text: str) -> None:
        rel = path.strip("/") + ("/index.html" if path.endswith("/") else "")
        if rel in files:
            raise CorpusError(f"two pages would be written to {rel}: change a slug or a section")
        files[rel.lstrip("/")] = text

    robots = ["User-agent: *", *(f"Disallow: /{o.name}/search" for o in outlets), "Allow: /", ""]
    for outlet in outlets:
        own = [a for a in articles if a.outlet is outlet]
        if outlet.broken == "html-feed":
            put(f"/{outlet.name}/", render_maintenance(outlet))
            put(f"/{outlet.name}/feed.xml", render_maintenance(outlet))
            continue
        robots.append(f"Sitemap: {BASE}/{outlet.name}/sitemap.xml")
        newest = _newest_first(own)
        put(f"/{outlet.name}/", render_listing(outlet, None, newest[:10], 1, 1))
        put(f"/{outlet.name}/feed.xml", render_feed(outlet, own))
        put(f"/{outlet.name}/sitemap.xml", render_sitemap(own))
        for kind in ("about", "privacy"):
            put(f"/{outlet.name}/{kind}/", render_static(outlet, kind))
        for section in outlet.sections:
            in_section = [a for a in newest if a.section == section]
            pages = [
                in_section[i : i + outlet.page_size] for i in range(0, len(in_section), outlet.page_size)
            ] or [[]]
            for number, page in enumerate(pages, 1):
                path = f"/{outlet.name}/{section.slug}/" + (f"page/{number}/" if number > 1 else "")
                put(path, render_listing(outlet, section, page, number, len(pages)))
        tags: dict[tuple[str, str], list[Article]] = {}
        for article in newest:
            put(article.path, render_article(article, own))
            for tag in article_tags(article):
                tags.setdefault(tag, []).append(article)
        for (slug, label), tagged in sorted(tags.items()):
            put(f"/{outlet.name}/tag/{slug}/", render_tag(outlet, label, tagged))
    put("/robots.txt", "\n".join(robots) + "\n")
    put("/", render_root(outlets))
    return files


def build(corpus_dir: Path, out_dir: Path) -> list[Path]:
    """Validate the corpus in `corpus_dir` and render the site into `out_dir`; return the files of the site.

    Files in `out_dir` that the corpus no longer produces are removed: the folder always equals a fresh render.
    """
    outlets, articles = load_corpus(corpus_dir)
    files = render_site(outlets, articles)
    out_dir.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        if not target.is_file() or target.read_bytes() != data:  # leave unchanged files untouched
            target.write_bytes(data)
    keep = {out_dir / rel for rel in files}
    for stale in sorted(out_dir.rglob("*"), reverse=True):  # children before their folders
        if stale.is_file() and stale not in keep:
            stale.unlink()
        elif stale.is_dir() and not any(stale.iterdir()):
            stale.rmdir()
    return sorted(keep)


def main(argv: list[str] | None = None) -> int:
    """Command line: render the corpus; print the number of files, or every validation problem."""
    parser = argparse.ArgumentParser(description="Render demo/corpus into the static demo site.")
    parser.add_argument(
        "--corpus", type=Path, default=DEMO_DIR / "corpus", help="corpus folder [demo/corpus]"
    )
    parser.add_argument("--out", type=Path, default=DEMO_DIR / "site", help="output folder [demo/site]")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    try:
        written = build(args.corpus, args.out)
    except CorpusError as exc:
        print(f"error: the corpus is invalid:\n{exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
