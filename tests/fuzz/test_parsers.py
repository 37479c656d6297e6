"""Fuzzing the parsing entry points with Hypothesis: whatever the bytes, each one answers with its result or its
own documented error, never another exception.

The budgets are small and derandomized (the same examples on every run, no example database), so the file runs
in seconds and a failure is reproducible; `FUZZ_SCALE=20 pytest tests/fuzz` searches twenty times harder.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp import DocumentInput
from pipelines.errors import ConfigError
from pipelines.nlp_inputs import InputError, read_documents
from pipelines.settings import Settings, load_settings
from pipelines.sources import KNOWN_KEYS, Source, load_sources
from spiders.errors import ExtractionError, InvalidURLError
from spiders.extract import extract_article
from spiders.feeds import PollResult, poll_feed
from spiders.urls import canonicalize_url

FETCHED_AT = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


# FUZZ_SCALE=20 searches twenty times harder (still derandomized); the suite runs with 1.
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def budget(examples: int) -> settings:
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# Text that survives being a file: no lone surrogates.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
# Pieces that break parsers: markup, URL syntax, digits that are not ASCII, control characters.
NASTY = st.sampled_from(
    [
        "",
        " ",
        "&",
        "<",
        "]]>",
        "[",
        "http://[x",
        "http://a.b:99999/",
        "//",
        "²",
        "٣",
        "\x00",
        "\u2028",
        "\ufeff",
        "%",
        "%zz",
        "#frag",
        "?utm_source=x",
        "javascript:alert(1)",
        "xn--",
        "ёжик",
        "1e400",
        "nan",
        "-1",
        "99999999999999999999",
    ]
)
FIELD = st.one_of(NASTY, TEXT, st.lists(NASTY, max_size=4).map("".join))
HEADER = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)


# --- the feed wrapper -----------------------------------------------------------------------------------------


def _xml_escape(value: str, raw: bool) -> str:
    return value if raw else value.replace("&", "&amp;").replace("<", "&lt;")


@st.composite
def feed_documents(draw: st.DrawFn) -> bytes:
    """RSS or Atom with fields drawn from FIELD (escaped or, sometimes, raw), or any bytes at all."""
    if draw(st.booleans()) and draw(st.booleans()):
        return draw(st.binary(max_size=300))
    raw = draw(st.booleans())
    items = []
    for _ in range(draw(st.integers(0, 4))):
        title, link, date, guid = (_xml_escape(draw(FIELD), raw) for _ in range(4))
        items.append(
            f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate>"
            f'<guid isPermaLink="true">{guid}</guid><description>{title}</description></item>'
        )
    ttl, period, frequency = (_xml_escape(draw(FIELD), raw) for _ in range(3))
    if draw(st.booleans()):
        text = (
            '<?xml version="1.0"?><rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">'
            f"<channel><title>t</title><ttl>{ttl}</ttl><sy:updatePeriod>{period}</sy:updatePeriod>"
            f"<sy:updateFrequency>{frequency}</sy:updateFrequency>{''.join(items)}</channel></rss>"
        )
    else:
        entries = "".join(
            re.sub(r"<link>(.*?)</link>", r'<link href="\1"/>', i).replace("item>", "entry>") for i in items
        )
        text = f'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{_xml_escape(draw(FIELD), raw)}">{entries}</feed>'
    encoding = draw(st.sampled_from(["utf-8", "windows-1251", "koi8-r", "utf-16"]))
    return text.encode(encoding, errors="replace")


@given(
    body=feed_documents(),
    status=st.sampled_from([200, 200, 200, 301, 302, 304, 404, 500]),
    content_type=st.one_of(
        st.sampled_from(["application/rss+xml", "text/html", "text/xml; charset=koi8-r", ""]), HEADER
    ),
    location=st.one_of(NASTY, HEADER),
    content_location=st.one_of(st.none(), NASTY, HEADER),
)
@budget(120)
def test_poll_feed_never_raises(
    body: bytes, status: int, content_type: str, location: str, content_location: str | None
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        # Header bytes as a server may send them: UTF-8 where the value is not ASCII.
        headers = {"content-type": content_type.encode()}
        if status in (301, 302):
            headers["location"] = location.encode()
        if content_location is not None:
            headers["content-location"] = content_location.encode()
        return httpx.Response(status, content=body, headers=headers)

    result = poll_feed(
        "fuzz",
        "http://feeds.example/rss",
        polled_at=FETCHED_AT,
        user_agent="stanwire-fuzz",
        transport=httpx.MockTransport(handler),
        timeout=10,
    )
    assert isinstance(result, PollResult)
    assert result.error is None or (isinstance(result.error, str) and result.error)
    if result.error is not None:
        assert result.items == []
    for item in result.items:
        assert urlsplit(item.url).scheme in ("http", "https")
        assert canonicalize_url(item.canonical_url) == item.canonical_url
    assert result.declared_interval is None or result.declared_interval > 0


# --- canonical URLs -------------------------------------------------------------------------------------------

URL_PART = st.one_of(NASTY, st.text(st.characters(blacklist_categories=("Cs",)), max_size=12))


@st.composite
def urls(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 4)) == 0:
        return draw(TEXT)
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "ftp", "", "http:"]))
    host = draw(
        st.one_of(
            st.sampled_from(["example.org", "M.Example.ORG", "amp.a.kz", "127.0.0.1", "[::1]"]), URL_PART
        )
    )
    port = draw(st.sampled_from(["", ":80", ":443", ":8080", ":0", ":99999", ":x"]))
    path = "/".join(draw(st.lists(st.one_of(URL_PART, st.just("amp")), max_size=4)))
    params = draw(
        st.lists(
            st.tuples(
                st.one_of(st.sampled_from(["utm_source", "UTM_Medium", "fbclid", "amp", "id"]), URL_PART),
                URL_PART,
            ),
            max_size=4,
        )
    )
    query = "&".join(f"{k}={v}" for k, v in params)
    fragment = draw(st.one_of(st.just(""), URL_PART.map(lambda f: "#" + f)))
    return f"{scheme}://{host}{port}/{path}{'?' + query if query else ''}{fragment}"


@given(url=urls())
@budget(400)
def test_canonicalize_url_raises_only_invalid_url_error_and_is_idempotent(url: str) -> None:
    try:
        canonical = canonicalize_url(url)
    except InvalidURLError:
        return
    assert canonicalize_url(canonical) == canonical
    parts = urlsplit(canonical)
    assert parts.scheme in ("http", "https")
    assert parts.hostname
    assert not parts.fragment
    assert not any(k.lower().startswith("utm_") for k, _ in parse_qsl(parts.query, keep_blank_values=True))


# --- article extraction ---------------------------------------------------------------------------------------

PARAGRAPH = st.one_of(
    FIELD, st.sampled_from(["Kazakhtelecom signed a memorandum with Huawei on 5G in Astana. " * 4])
)


@st.composite
def pages(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 3)) == 0:
        return draw(st.binary(max_size=400))
    raw = draw(st.booleans())
    paragraphs = "".join(
        f"<p>{_xml_escape(draw(PARAGRAPH), raw)}</p>" for _ in range(draw(st.integers(0, 5)))
    )
    date, title, canonical, lang = (_xml_escape(draw(FIELD), raw).replace('"', "") for _ in range(4))
    ld = json.dumps(
        {"@type": "NewsArticle", "headline": title, "datePublished": date, "articleBody": paragraphs}
    )
    if draw(st.booleans()):
        ld = ld[: draw(st.integers(0, len(ld)))]  # broken JSON-LD
    html = (
        f'<html lang="{lang}"><head><meta charset="{draw(st.sampled_from(["utf-8", "koi8-r", "x-nonsense"]))}">'
        f'<title>{title}</title><link rel="canonical" href="{canonical}">'
        f'<meta property="article:published_time" content="{date}">'
        f'<script type="application/ld+json">{ld}</script></head>'
        f"<body><article><h1>{title}</h1><time>{date}</time>{paragraphs}</article></body></html>"
    )
    return html.encode(draw(st.sampled_from(["utf-8", "windows-1251", "koi8-r"])), errors="replace")


@given(html=pages(), declared=st.one_of(st.none(), st.sampled_from(["utf-8", "koi8-r", "nonsense"])))
@budget(60)
def test_extract_article_raises_only_extraction_error(html: bytes, declared: str | None) -> None:
    try:
        article = extract_article(
            html, "https://news.example/a/1", fetched_at=FETCHED_AT, declared_encoding=declared
        )
    except ExtractionError:
        return
    assert isinstance(article.text, str)
    assert article.text
    assert canonicalize_url(article.canonical_url) == article.canonical_url
    if article.published_at:  # never after the fetch (a calendar date may be up to 14 hours ahead in UTC)
        assert article.published_at[:10] <= "2026-11-30"


# --- `stanwire extract` input ---------------------------------------------------------------------------------

JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT, NASTY),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=6,
)
RECORD = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(TEXT, JSON_VALUE),
        "title": st.one_of(TEXT, JSON_VALUE),
        "text": st.one_of(TEXT, JSON_VALUE),
        "published": st.one_of(st.sampled_from(["2026-11-17", "2026-13-01", "17.11.2026", ""]), JSON_VALUE),
        "language": st.one_of(st.sampled_from(["en", "ru", ""]), JSON_VALUE),
    },
)


@st.composite
def jsonl_bytes(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 3)) == 0:
        return draw(st.binary(max_size=300))
    lines = [
        json.dumps(draw(st.one_of(RECORD, JSON_VALUE)), ensure_ascii=draw(st.booleans()))
        if draw(st.integers(0, 4))
        else draw(FIELD)
        for _ in range(draw(st.integers(0, 5)))
    ]
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


def _read(data: bytes, fmt: str) -> list[DocumentInput | InputError]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input.{fmt}"
        path.write_bytes(data)
        return list(read_documents(str(path), fmt, fetched_at=FETCHED_AT))


@given(data=jsonl_bytes(), fmt=st.sampled_from(["jsonl", "jsonl", "txt", "html"]))
@budget(150)
def test_read_documents_yields_documents_or_input_errors(data: bytes, fmt: str) -> None:
    for read in _read(data, fmt):
        assert isinstance(read, DocumentInput | InputError)
        if isinstance(read, InputError):
            assert read.where.startswith(str(Path(tempfile.gettempdir())))
            assert read.message


GOOD_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(str.strip)


@given(
    records=st.lists(
        st.fixed_dictionaries(
            {"id": GOOD_TEXT, "title": TEXT, "text": GOOD_TEXT, "published": st.just("2026-11-17")}
        ),
        min_size=1,
        max_size=4,
    ),
    ascii_only=st.booleans(),
)
@budget(60)
def test_every_valid_jsonl_record_is_read_as_written(records: list[dict[str, str]], ascii_only: bool) -> None:
    data = "\n".join(json.dumps(r, ensure_ascii=ascii_only) for r in records).encode("utf-8")
    read = _read(data, "jsonl")
    assert read == [
        DocumentInput(id=r["id"], title=r["title"], text=r["text"], published=datetime(2026, 11, 17).date())
        for r in records
    ]


# --- sources.yaml ---------------------------------------------------------------------------------------------

SOURCE_VALUE = st.one_of(
    FIELD,
    st.sampled_from(
        ["https://news.example/rss", "en", "ru", "kg-news", "3", "true", "${HOME}", "${NOPE_NOT_SET}"]
    ),
    st.lists(st.one_of(FIELD, st.just("https://news.example/rss")), max_size=3),
    st.integers(-3, 5),
    st.none(),
)
SOURCE = st.dictionaries(st.one_of(st.sampled_from(sorted(KNOWN_KEYS)), TEXT), SOURCE_VALUE, max_size=8)
YAML_LINE = re.compile(r"sources\.yaml:\d+")


@st.composite
def sources_texts(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 3)) == 0:  # anything at all, YAML syntax included
        return draw(
            st.lists(
                st.one_of(
                    TEXT,
                    st.sampled_from(
                        ["sources:", "  - ", ": ", "[", "{", "&a", "*a", "!!binary", "\t", "---"]
                    ),
                ),
                max_size=8,
            ).map("\n".join)
        )
    document = {"sources": draw(st.lists(SOURCE, max_size=3))} if draw(st.integers(0, 5)) else draw(SOURCE)
    return yaml.safe_dump(document, allow_unicode=draw(st.booleans()))


@given(text=sources_texts())
@budget(200)
def test_load_sources_gives_sources_or_a_config_error_with_its_line(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sources.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            loaded = load_sources(path)
        except ConfigError as exc:
            message = str(exc)
            assert "\n" not in message
            assert YAML_LINE.search(message) or message.endswith(
                "the file is empty; it needs a 'sources:' list"
            )
            return
    assert all(isinstance(s, Source) and s.name and (s.feeds or s.sections or s.sitemap) for s in loaded)


# --- settings -------------------------------------------------------------------------------------------------

SETTING_NAMES = st.sampled_from(sorted(f.name for f in Settings.__dataclass_fields__.values()))
TOML_VALUE = st.one_of(
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.floats().map(lambda f: repr(f).replace("inf", "inf").replace("nan", "nan")),
    st.sampled_from(
        ["true", "false", "inf", "-inf", "nan", "1e400", "[1, 2]", "{a = 1}", "1979-05-27", '"2GB"', '"٣GB"']
    ),
    st.sampled_from(['"a\\u0000b"', '"~nobody-here/x"', '"a\\nb"', '"mailto:ёж@x.kz"', '"http://[x"']),
    TEXT.map(json.dumps),
)


@st.composite
def toml_texts(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 4)) == 0:
        return draw(
            st.lists(
                st.one_of(TEXT, st.sampled_from(["[settings]", "=", '"', "timeout = ", "[[x]]"])), max_size=5
            ).map("\n".join)
        )
    lines = [
        f"{draw(st.one_of(SETTING_NAMES, SETTING_NAMES, TEXT.map(json.dumps)))} = {draw(TOML_VALUE)}"
        for _ in range(draw(st.integers(0, 4)))
    ]
    return "\n".join(lines)


ENVIRONMENT = st.dictionaries(
    st.one_of(SETTING_NAMES.map(lambda n: "STANWIRE_" + n.upper()), st.just("STANWIRE_X"), st.just("HOME")),
    st.one_of(FIELD, TOML_VALUE).map(lambda v: v.replace("\x00", "")),  # the environment cannot hold a NUL
    max_size=3,
)


@given(text=toml_texts(), environ=ENVIRONMENT)
@budget(250)
def test_load_settings_gives_settings_or_a_config_error(text: str, environ: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stanwire.toml"
        path.write_text(text, encoding="utf-8")
        environ = {**environ, "STANWIRE_HOME": environ.get("STANWIRE_HOME") or folder}
        try:
            loaded = load_settings(config_file=path, environ=environ)
        except ConfigError as exc:
            message = str(exc)
            assert message
            assert "\n" not in message
            return
    assert isinstance(loaded, Settings)
    assert loaded.full_user_agent.isascii()
    assert loaded.full_user_agent.isprintable()
    assert loaded.home.is_absolute()
    assert loaded.sources.is_absolute()
