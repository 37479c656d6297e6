"""demo/build_site.py: corpus validation, and the committed demo site (up to date, feeds, pages, pagination)."""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import feedparser
import lxml.html
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "demo"
SITE = DEMO / "site"
BASE = "http://stanwire.test"


def _import_build_site() -> ModuleType:
    # demo/ is a folder of scripts, not a package: load the generator from its file.
    spec = importlib.util.spec_from_file_location("build_site", DEMO / "build_site.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_site"] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


build_site = _import_build_site()

OUTLETS = [
    {
        "name": "alpha",
        "title": "Alpha Times",
        "language": "en",
        "country": "KG",
        "style": "regional",
        "feed": {"format": "rss2", "items": 2},
        "sections": [{"slug": "news", "title": "News"}, {"slug": "tech", "title": "Tech"}],
        "page_size": 2,
    },
    {
        "name": "beta",
        "title": "Бета",
        "language": "ru",
        "country": "KZ",
        "style": "ru-news",
        "feed": {"format": "atom", "items": 5},
        "sections": [{"slug": "main", "title": "Главное"}],
        "page_size": 3,
    },
]
BODY = "First paragraph of the story.\n\nSecond paragraph, with a quote.\n\nLast paragraph: background."


def story(slug: str, **fields: Any) -> dict[str, Any]:
    """A valid article of outlet alpha, with `fields` replaced."""
    article = {
        "slug": slug,
        "title": f"Story {slug}",
        "published": "2026-11-17T10:30:00+06:00",
        "authors": ["Aida Sultanbekova"],
        "section": "news",
        "markup": "jsonld",
        "summary": "A summary.",
        "body": BODY,
    }
    article.update(fields)
    return article


def write_corpus(root: Path, alpha: list[dict[str, Any]], beta: list[dict[str, Any]] | None = None) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "outlets.yaml").write_text(yaml.safe_dump(OUTLETS, allow_unicode=True), encoding="utf-8")
    (corpus / "alpha.yaml").write_text(
        yaml.safe_dump({"outlet": "alpha", "articles": alpha}), encoding="utf-8"
    )
    if beta is not None:
        text = yaml.safe_dump({"outlet": "beta", "articles": beta}, allow_unicode=True)
        (corpus / "beta.yaml").write_text(text, encoding="utf-8")
    return corpus


def page_file(site: Path, url: str) -> Path:
    """The file a site URL (absolute or root-relative) is served from."""
    path = url.removeprefix(BASE)
    assert path.startswith("/"), url
    return site / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))


def tree_of(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("alpha", "beta", "expected"),
    [
        ([story("a1", published="2026-11-31T10:00:00+06:00")], None, "alpha.yaml: article 'a1': key 'published'"),
        ([story("a1", published="2026-11-17T10:30:00")], None, "article 'a1': key 'published': '2026-11-17T10:30:00' has no UTC offset"),
        ([story("a1", section="sport")], None, "alpha.yaml: article 'a1': key 'section': unknown section 'sport'"),
        ([story("a1"), story("a1")], None, "alpha.yaml: article 'a1': key 'slug': duplicate slug"),
        ([story("a1", title=None)], None, "alpha.yaml: article 'a1': missing key 'title'"),
        ([story("a1", markup="microdata")], None, "article 'a1': key 'markup': 'microdata' is not one of"),
        (
            [story("a1")],
            [{**story("b1", section="main", body=None), "syndicated_from": "alpha/nope"}],
            "beta.yaml: article 'b1': key 'syndicated_from': 'alpha/nope' points to no article",
        ),
        (
            [story("a1")],
            [{**story("b1", section="main", body=None), "syndicated_from": "gamma/a1"}],
            "beta.yaml: article 'b1': key 'syndicated_from': 'gamma/a1' points to no article",
        ),
        ([story("a1", summmary="typo")], None, "article 'a1': key 'summmary': unknown key"),
        ([story("a1", body=None)], None, "alpha.yaml: article 'a1': missing key 'body'"),
        (
            [{**story("a1", body=None), "syndicated_from": "beta/b1"}],
            [{**story("b1", section="main", body=None), "syndicated_from": "alpha/a1"}],
            "key 'syndicated_from': 'alpha/a1' closes a syndication loop",
        ),
    ],
)  # fmt: skip
def test_invalid_corpus_is_refused_with_file_article_and_key(
    tmp_path: Path, alpha: list[dict[str, Any]], beta: list[dict[str, Any]] | None, expected: str
) -> None:
    corpus = write_corpus(tmp_path, alpha, beta)
    out = tmp_path / "site"
    with pytest.raises(build_site.CorpusError) as raised:
        build_site.build(corpus, out)
    assert expected in str(raised.value)
    assert not out.exists()  # nothing is written from an invalid corpus


def test_command_line_renders_into_out_or_prints_the_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_corpus(tmp_path, [story("a1")], [])
    assert build_site.main(["--corpus", str(corpus), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "alpha" / "feed.xml").is_file()
    (corpus / "alpha.yaml").write_text(
        yaml.safe_dump({"outlet": "alpha", "articles": [story("a1", section="x")]})
    )
    assert build_site.main(["--corpus", str(corpus), "--out", str(tmp_path / "out")]) == 1
    assert "alpha.yaml: article 'a1': key 'section': unknown section 'x'" in capsys.readouterr().err


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, [story("a1", section="sport"), story("a2", published="yesterday")])
    with pytest.raises(build_site.CorpusError) as raised:
        build_site.build(corpus, tmp_path / "site")
    lines = str(raised.value).splitlines()
    assert len(lines) == 2
    assert "'a1': key 'section'" in lines[0]
    assert "'a2': key 'published': 'yesterday' is not an ISO 8601 date-time" in lines[1]


def test_bad_outlet_definition_is_refused(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, [story("a1")])
    outlets = [{**OUTLETS[0], "style": "tabloid"}, {**OUTLETS[1], "feed": {"format": "json", "items": 5}}]
    (corpus / "outlets.yaml").write_text(yaml.safe_dump(outlets, allow_unicode=True), encoding="utf-8")
    with pytest.raises(build_site.CorpusError) as raised:
        build_site.build(corpus, tmp_path / "site")
    assert "outlet 'alpha': key 'style': 'tabloid' is not one of regional, wire, ru-news" in str(raised.value)
    assert "outlet 'beta': feed: key 'format': 'json' is not one of rss2, atom" in str(raised.value)


def test_missing_outlet_file_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = write_corpus(tmp_path, [story("a1")])  # no beta.yaml
    with caplog.at_level(logging.WARNING, logger="build_site"):
        build_site.build(corpus, tmp_path / "site")
    assert any("beta.yaml: missing" in r.getMessage() for r in caplog.records)
    assert (tmp_path / "site" / "beta" / "feed.xml").is_file()
    assert (tmp_path / "site" / "alpha" / "2026" / "11" / "a1" / "index.html").is_file()


def test_syndicated_copy_gets_intro_and_original_body_without_last_paragraph(tmp_path: Path) -> None:
    copy = {
        **story("b1", section="main", markup="plain", body=None, summary=None),
        "intro": "Своё вступление.",
    }
    corpus = write_corpus(tmp_path, [story("a1")], [{**copy, "syndicated_from": "alpha/a1"}])
    build_site.build(corpus, tmp_path / "site")
    page = tree_of(tmp_path / "site" / "beta" / "news" / "main" / "b1.html")
    body = [p.text_content() for p in page.xpath('//div[contains(@class, "news-item__text")]/p')]
    assert body == ["Своё вступление.", "First paragraph of the story.", "Second paragraph, with a quote."]
    assert page.get("lang") == "ru"
    assert "17 ноября 2026, 10:30" in page.text_content()  # plain markup: the date only as Russian text
    assert not page.xpath("//time | //script[@type='application/ld+json'] | //meta[@property]")


def test_rendering_is_deterministic_and_removes_stale_files(tmp_path: Path) -> None:
    corpus = write_corpus(
        tmp_path, [story(f"a{i}", published=f"2026-11-{10 + i}T10:30:00+06:00") for i in range(5)]
    )
    first, second = tmp_path / "one", tmp_path / "two"
    build_site.build(corpus, first)
    (second / "old").mkdir(parents=True)
    (second / "old" / "page.html").write_text("stale")
    build_site.build(corpus, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    assert not (second / "old").exists()


# ---------------------------------------------------------------- the committed demo site


@pytest.fixture(scope="module")
def demo_corpus() -> tuple[list[Any], list[Any]]:
    return build_site.load_corpus(DEMO / "corpus")


def test_committed_site_is_up_to_date_with_the_corpus(tmp_path: Path) -> None:
    build_site.build(DEMO / "corpus", tmp_path)
    fresh = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(SITE): p.read_bytes() for p in SITE.rglob("*") if p.is_file()}
    hint = "demo/site is stale: run `python demo/build_site.py`"
    assert sorted(map(str, committed)) == sorted(map(str, fresh)), hint
    assert [str(f) for f in fresh if fresh[f] != committed[f]] == [], hint


def test_feeds_carry_the_newest_articles_with_absolute_links(
    demo_corpus: tuple[list[Any], list[Any]],
) -> None:
    outlets, articles = demo_corpus
    for outlet in outlets:
        raw = (SITE / outlet.name / "feed.xml").read_bytes()
        if outlet.broken:
            assert raw.lstrip().lower().startswith(b"<!doctype html")
            continue
        feed = feedparser.parse(raw)
        assert not feed.bozo, (outlet.name, feed.get("bozo_exception"))
        assert feed.version == ("rss20" if outlet.feed_format == "rss2" else "atom10")
        own = sorted(
            (a for a in articles if a.outlet.name == outlet.name), key=lambda a: a.published, reverse=True
        )
        assert len(feed.entries) == min(outlet.feed_items, len(own))
        assert [e.link for e in feed.entries] == [a.url for a in own[: outlet.feed_items]]
        for entry in feed.entries:
            assert entry.link.startswith(f"{BASE}/{outlet.name}/")
            assert entry.published_parsed is not None
            assert entry.summary
            assert page_file(SITE, entry.link).is_file()


def test_every_article_page_has_one_h1_and_its_markup(demo_corpus: tuple[list[Any], list[Any]]) -> None:
    _, articles = demo_corpus
    assert articles, "the demo corpus has no articles"
    for article in articles:
        page = tree_of(page_file(SITE, article.url))
        assert len(page.xpath("//h1")) == 1, article.url
        assert page.get("lang") == article.outlet.language
        assert page.xpath("//meta[@charset='utf-8']")
        ld = page.xpath("//script[@type='application/ld+json']/text()")
        og_time = page.xpath("//meta[@property='article:published_time']/@content")
        canonical = page.xpath("//link[@rel='canonical']/@href")
        if article.markup == "jsonld":
            data = json.loads(ld[0])
            assert (data["@type"], data["datePublished"]) == ("NewsArticle", article.published.isoformat())
            assert canonical == [article.url]
        elif article.markup == "og":
            assert og_time == [article.published.isoformat()]
            assert canonical == [article.url]
            assert not ld
        else:  # plain: nothing machine-readable, the date only as text
            assert (ld, og_time, canonical, page.xpath("//time")) == ([], [], [], [])


def test_pagination_links_chain_through_every_article_of_a_section(
    demo_corpus: tuple[list[Any], list[Any]],
) -> None:
    outlets, articles = demo_corpus
    for outlet in (o for o in outlets if not o.broken):
        for section in outlet.sections:
            expected = {a.path for a in articles if a.outlet is outlet and a.section == section}
            seen: list[str] = []
            url: str | None = f"/{outlet.name}/{section.slug}/"
            pages = 0
            while url is not None:
                page = tree_of(page_file(SITE, url))
                pages += 1
                links = [href.removeprefix(BASE) for href in page.xpath("//main//ul/li/a/@href")]
                seen += [href for href in links if href in expected]
                nexts = page.xpath("//a[@rel='next']/@href")
                heads = page.xpath("//link[@rel='next']/@href")
                assert [h.removeprefix(BASE) for h in heads] == [n.removeprefix(BASE) for n in nexts]
                assert not nexts or ("Next" in page.text_content() or "Следующая" in page.text_content())
                url = nexts[0] if nexts else None
            assert sorted(seen) == sorted(expected), (outlet.name, section.slug)
            assert pages == max(1, math.ceil(len(expected) / outlet.page_size))
