"""Landing files: names and layout per docs/architecture.md, written atomically, never half a pair."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from spiders.errors import LandingError
from spiders.extract import ExtractedArticle
from spiders.landing import write_article, write_error
from spiders.records import RAW_ARTICLE_FIELDS, article_record, error_record
from tests.spiders.conftest import FETCHED_AT

URL = "https://steppe-signal.kz/news/2026/11/kazakhtelecom-huawei-data-centre-astana/?utm_source=rss"
HTML = "<html><body><p>Kazakhtelecom и Huawei построят дата-центр в Астане.</p></body></html>".encode()


def make_record(fetched_at: str = "2026-11-17T23:30:00-02:00") -> dict[str, Any]:
    article = ExtractedArticle(
        title="Kazakhtelecom и Huawei построят дата-центр",
        text="Первый абзац.\n\nВторой абзац.",
        published_at="2026-11-17T10:30:00+05:00",
        authors=["Дана Серикбаева"],
        language="ru",
        canonical_url="https://steppe-signal.kz/news/2026/11/kazakhtelecom-huawei-data-centre-astana/",
        extractor={"version": "v", "title": "json-ld", "date": "json-ld", "body": "trafilatura"},
    )
    return article_record(
        source="steppe-signal",
        url=URL,
        final_url=URL,
        article=article,
        http_status=200,
        discovered_via="feed",
        fetched_at=fetched_at,
    )


def all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_write_article_layout_and_content(tmp_path: Path) -> None:
    path = write_article(tmp_path, make_record(), HTML)
    key = hashlib.sha1(URL.encode()).hexdigest()[:16] + "-" + hashlib.sha1(HTML).hexdigest()[:8]
    # the UTC date of the fetch: 23:30 at -02:00 is the next day in UTC
    assert path == tmp_path / "articles" / "2026-11-18" / f"{key}.json"
    assert all_files(tmp_path) == [f"articles/2026-11-18/{key}.html.gz", f"articles/2026-11-18/{key}.json"]
    raw = path.read_bytes()
    assert "Второй абзац".encode() in raw  # UTF-8, not \u escapes
    record = json.loads(raw)
    assert tuple(record) == (*RAW_ARTICLE_FIELDS[:13], "extractor", "html_file")
    assert set(record) == set(RAW_ARTICLE_FIELDS)
    assert record["schema"] == "stanwire.raw_article/1"
    assert record["html_file"] == f"{key}.html.gz"
    assert gzip.decompress((path.parent / record["html_file"]).read_bytes()) == HTML


def test_same_page_rewrites_the_same_files_and_a_changed_page_lands_beside(tmp_path: Path) -> None:
    first = write_article(tmp_path, make_record(), HTML)
    gz = first.with_name(first.name.replace(".json", ".html.gz")).read_bytes()
    again = write_article(tmp_path, make_record(), HTML)
    assert again == first
    assert first.with_name(first.name.replace(".json", ".html.gz")).read_bytes() == gz  # byte-identical gzip
    changed = write_article(tmp_path, make_record(), HTML + b"<!-- updated -->")
    assert changed != first
    assert changed.parent == first.parent
    assert changed.name[:16] == first.name[:16]
    assert len(all_files(tmp_path)) == 4


def test_write_error_layout(tmp_path: Path) -> None:
    record = error_record(
        source="steppe-signal",
        url="http://127.0.0.1:8000/news/gone/",
        stage="fetch",
        message="HTTP 404 Not Found",
        http_status=404,
        at="2026-11-17T10:00:00+00:00",
    )
    path = write_error(tmp_path, record)
    assert path.parent == tmp_path / "errors" / "2026-11-17"
    assert path.name.startswith(hashlib.sha1(record["url"].encode()).hexdigest()[:16] + "-")
    assert json.loads(path.read_text(encoding="utf-8")) == record
    assert set(record) == {"schema", "source", "url", "stage", "http_status", "message", "at"}
    assert write_error(tmp_path, record) == path  # the same failure again is the same file
    assert write_error(tmp_path, {**record, "stage": "extract", "message": "no article body"}) != path


def test_no_temporary_files_are_left(tmp_path: Path) -> None:
    for n in range(3):
        write_article(tmp_path, make_record(), HTML + bytes([n]))
    write_error(
        tmp_path, error_record(source="s", url="http://x.kz/a", stage="robots", message="m", at=FETCHED_AT)
    )
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".") or p.name.endswith(".tmp")]


def test_html_lands_before_json_and_a_failed_rename_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replaced: list[str] = []
    real_replace = os.replace

    def failing_replace(src: str, dst: str) -> None:
        replaced.append(Path(dst).name)
        if str(dst).endswith(".json"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(LandingError, match="No space left on device"):
        write_article(tmp_path, make_record(), HTML)
    assert replaced[0].endswith(".html.gz")
    assert replaced[1].endswith(".json")
    # the JSON never appeared and no temporary file is left; an orphan .html.gz is harmless (nothing names it)
    files = all_files(tmp_path)
    assert len(files) == 1
    assert files[0].endswith(".html.gz")


def test_incomplete_record_writes_nothing(tmp_path: Path) -> None:
    record = make_record()
    del record["canonical_url"]
    with pytest.raises(LandingError, match="lacks canonical_url"):
        write_article(tmp_path, record, HTML)
    with pytest.raises(LandingError, match=r"expected 'stanwire\.crawl_error/1'"):
        write_error(tmp_path, make_record())
    with pytest.raises(LandingError, match="no UTC offset"):
        write_article(tmp_path, make_record(fetched_at="2026-11-17T10:00:00"), HTML)
    assert all_files(tmp_path) == []


def test_record_builders_reject_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="stage must be one of"):
        error_record(source="s", url="http://x.kz/", stage="parse", message="m", at=FETCHED_AT)
    with pytest.raises(ValueError, match="discovered_via must be one of"):
        article_record(
            source="s",
            url="u",
            final_url="u",
            article=ExtractedArticle("t", "x", None),
            http_status=200,
            discovered_via="rss",
            fetched_at=FETCHED_AT,
        )
