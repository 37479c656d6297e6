"""Documents for `stanwire extract`: plain text, saved HTML pages or JSONL records, each read into a
`nlp.DocumentInput`, and every unreadable one reported with where it came from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from nlp import DocumentInput
from spiders.errors import SpidersError
from spiders.extract import extract_article

INPUT_FORMATS = ("txt", "html", "jsonl")
_SUFFIX_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".html": "html", ".htm": "html"}


@dataclass(frozen=True)
class InputError:
    """A document that could not be read: `where` is `FILE` or `FILE:LINE`."""

    where: str
    message: str


def input_format_of(path: str, given: str | None) -> str:
    """The format asked for, else the one the file name says (`.jsonl`, `.html`), else plain text; stdin is JSONL."""
    if given:
        return given
    if path == "-":
        return "jsonl"
    return _SUFFIX_FORMATS.get(Path(path).suffix.lower(), "txt")


def read_documents(
    path: str, fmt: str, stdin_text: str | None = None, *, fetched_at: datetime
) -> Iterator[DocumentInput | InputError]:
    """Yield the documents of one input (`-` is standard input, passed as `stdin_text`), or an error for each
    one that cannot be read; a bad line of a JSONL file does not stop the lines after it. A saved HTML page is
    taken as fetched at `fetched_at` (its publication date cannot be later)."""
    name = "<stdin>" if path == "-" else path
    if path == "-":
        data: bytes = (stdin_text or "").encode("utf-8")
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            yield InputError(name, f"cannot read the file: {exc.strerror or exc}")
            return
    if fmt == "jsonl":
        yield from _jsonl(name, data)
    elif fmt == "html":
        yield _html(name, path, data, fetched_at)
    else:
        yield _txt(name, path, data)


def _txt(name: str, path: str, data: bytes) -> DocumentInput | InputError:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return InputError(name, f"not UTF-8 text (byte {exc.start}); convert it or pass --input-format html")
    if not text.strip():
        return InputError(name, "the file is empty")
    return DocumentInput(id=Path(path).stem if path != "-" else "stdin", title="", text=text)


def _html(name: str, path: str, data: bytes, fetched_at: datetime) -> DocumentInput | InputError:
    # The extractor wants the page's web address (for relative links); a saved file has none.
    url = f"http://saved-page.invalid/{quote(Path(path).name if path != '-' else 'stdin')}"
    try:
        page = extract_article(data, url, fetched_at=fetched_at)
    except SpidersError as exc:
        return InputError(name, str(exc))
    published = _date(page.published_at)
    return DocumentInput(
        id=Path(path).stem if path != "-" else "stdin",
        title=page.title or "",
        text=page.text,
        published=published,
        language=page.language,
    )


def _jsonl(name: str, data: bytes) -> Iterator[DocumentInput | InputError]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield InputError(name, f"not UTF-8 (byte {exc.start}): JSONL input must be UTF-8")
        return
    # Lines end at "\n" (and "\r\n") only: `str.splitlines` would also cut at U+2028, U+0085 and the like,
    # which JSON allows unescaped inside a string.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(where, f"not valid JSON: {exc.msg} at column {exc.colno}")
            continue
        yield _record(where, record)


def _record(where: str, record: Any) -> DocumentInput | InputError:
    if not isinstance(record, dict):
        return InputError(where, "each line must be a JSON object with id, title, text, published")
    for key in ("id", "text"):
        if not isinstance(record.get(key), str) or not record[key].strip():
            return InputError(where, f"field {key!r} must be a non-empty string")
    title = record.get("title") or ""
    if not isinstance(title, str):
        return InputError(where, "field 'title' must be a string")
    language = record.get("language")
    if language is not None and not isinstance(language, str):
        return InputError(where, "field 'language' must be an ISO 639-1 code such as 'en' or 'ru'")
    published = record.get("published")
    parsed = _date(published) if isinstance(published, str) else None
    if published not in (None, "") and parsed is None:
        return InputError(where, f"field 'published' must be an ISO date (2026-11-17), not {published!r}")
    return DocumentInput(
        id=record["id"], title=title, text=record["text"], published=parsed, language=language or None
    )


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
