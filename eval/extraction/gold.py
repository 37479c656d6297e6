"""The evaluation pages and their hand-written expectations (`NAME.html` + `NAME.json`, see README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from eval.extraction.score import Expected

PAGES_DIR = Path(__file__).resolve().parent / "pages"
REQUIRED_KEYS = ("url", "title", "published", "language", "body")
OPTIONAL_KEYS = ("notes",)
LANGUAGES = ("en", "ru", "kk", "ky", "tg", "uz")


class GoldFormatError(ValueError):
    """A page or its expectation file is missing or does not follow the format in eval/extraction/README.md."""


@dataclass(frozen=True)
class GoldPage:
    """One evaluation page: where its HTML is, the URL it was "fetched" from, what a reader gets from it."""

    name: str
    html_path: Path
    url: str
    expected: Expected
    notes: str | None = None

    def html(self) -> bytes:
        """The page's bytes as a server would send them (encoding untouched)."""
        return self.html_path.read_bytes()


def load_page(json_path: Path) -> GoldPage:
    """Read and check one `NAME.json` and find its `NAME.html`."""
    try:
        record = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldFormatError(
            f"{json_path}: cannot read the expectation ({exc}); fix or remove the file"
        ) from exc
    if not isinstance(record, dict):
        raise GoldFormatError(f"{json_path}: must hold one JSON object with keys {', '.join(REQUIRED_KEYS)}")
    missing = [key for key in REQUIRED_KEYS if key not in record]
    unknown = sorted(set(record) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if missing or unknown:
        raise GoldFormatError(f"{json_path}: missing keys {missing}, unknown keys {unknown}")
    for key in (*REQUIRED_KEYS, *(k for k in OPTIONAL_KEYS if k in record)):
        if not isinstance(record[key], str) or not record[key].strip():
            raise GoldFormatError(f"{json_path}: {key!r} must be a non-empty string")
    try:
        date.fromisoformat(record["published"])
    except ValueError as exc:
        raise GoldFormatError(f"{json_path}: published {record['published']!r} is not YYYY-MM-DD") from exc
    if len(record["published"]) != 10:
        raise GoldFormatError(f"{json_path}: published {record['published']!r} is not YYYY-MM-DD")
    if record["language"] not in LANGUAGES:
        raise GoldFormatError(f"{json_path}: language {record['language']!r} is not one of {LANGUAGES}")
    parts = urlsplit(record["url"])
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GoldFormatError(f"{json_path}: url {record['url']!r} is not an absolute http(s) URL")
    html_path = json_path.with_suffix(".html")
    if not html_path.is_file():
        raise GoldFormatError(f"{json_path}: no page {html_path.name} beside it")
    return GoldPage(
        name=json_path.stem,
        html_path=html_path,
        url=record["url"],
        expected=Expected(
            title=record["title"],
            published=record["published"],
            language=record["language"],
            body=record["body"],
        ),
        notes=record.get("notes"),
    )


def load_pages(directory: Path = PAGES_DIR) -> list[GoldPage]:
    """Every page of `directory`, sorted by name; each `.html` must have its `.json` and the other way round."""
    if not directory.is_dir():
        raise GoldFormatError(f"{directory}: no such directory of evaluation pages")
    orphans = sorted(p.name for p in directory.glob("*.html") if not p.with_suffix(".json").is_file())
    if orphans:
        raise GoldFormatError(f"{directory}: pages without their expected JSON: {', '.join(orphans)}")
    pages = [load_page(path) for path in sorted(directory.glob("*.json"))]
    if not pages:
        raise GoldFormatError(f"{directory}: holds no NAME.html + NAME.json pairs")
    return pages
