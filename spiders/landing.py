"""Landing files: the crawl's only output, written so a reader never sees half a file.

Each file is written under a temporary name (`.<name>.<random>.tmp`) in its final directory, flushed to disk,
then renamed over the final name with `os.replace`, which is atomic on one file system. The page's `.html.gz`
lands before the `.json` that names it, so every JSON a loader finds points at an HTML file that exists.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spiders.errors import LandingError
from spiders.records import (
    CRAWL_ERROR_FIELDS,
    CRAWL_ERROR_SCHEMA,
    RAW_ARTICLE_FIELDS,
    RAW_ARTICLE_SCHEMA,
)
from spiders.urls import url_key

__all__ = ["article_key", "error_key", "write_article", "write_error"]

TEMP_SUFFIX = ".tmp"


def article_key(url: str, html: bytes) -> str:
    """`sha1(url)[:16]-sha1(html)[:8]`: an unchanged page keeps its name, a changed one lands beside it."""
    return f"{url_key(url)}-{hashlib.sha1(html).hexdigest()[:8]}"


def error_key(record: dict[str, Any]) -> str:
    """`sha1(url)[:16]-sha1(stage|status|message)[:8]`: the same failure on the same day is one file."""
    what = f"{record['stage']}|{record['http_status']}|{record['message']}"
    return f"{url_key(record['url'])}-{hashlib.sha1(what.encode('utf-8')).hexdigest()[:8]}"


def write_article(landing_dir: Path, record: dict[str, Any], html: bytes) -> Path:
    """Write `articles/<fetch date>/<key>.html.gz`, then `<key>.json`; return the JSON's path.

    `record` is a raw article record (records.article_record); its `html_file` is set here.
    """
    missing = [name for name in RAW_ARTICLE_FIELDS if name != "html_file" and name not in record]
    _check(record, RAW_ARTICLE_SCHEMA, missing)
    key = article_key(record["url"], html)
    folder = Path(landing_dir) / "articles" / _utc_day(record["fetched_at"], "fetched_at")
    html_path = folder / f"{key}.html.gz"
    json_path = folder / f"{key}.json"
    # mtime=0 keeps the gzip bytes a function of the page alone, so a re-fetch rewrites identical files.
    _atomic_write(html_path, gzip.compress(html, mtime=0))
    _atomic_write(json_path, _json_bytes({**record, "html_file": html_path.name}))
    return json_path


def write_error(landing_dir: Path, record: dict[str, Any]) -> Path:
    """Write a crawl error record to `errors/<date of at>/<key>.json`; return its path."""
    missing = [name for name in CRAWL_ERROR_FIELDS if name not in record]
    _check(record, CRAWL_ERROR_SCHEMA, missing)
    folder = Path(landing_dir) / "errors" / _utc_day(record["at"], "at")
    path = folder / f"{error_key(record)}.json"
    _atomic_write(path, _json_bytes(record))
    return path


def _check(record: dict[str, Any], schema: str, missing: list[str]) -> None:
    if record.get("schema") != schema:
        raise LandingError(
            f"record schema is {record.get('schema')!r}, expected {schema!r}; nothing was written"
        )
    if missing:
        raise LandingError(
            f"{schema} record for {record.get('url')!r} lacks {', '.join(missing)}; nothing was written"
        )


def _utc_day(value: Any, name: str) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise LandingError(f"{name} {value!r} is not an ISO 8601 date-time; nothing was written") from exc
    if moment.tzinfo is None:
        raise LandingError(f"{name} {value!r} has no UTC offset; write it with +00:00; nothing was written")
    return moment.astimezone(UTC).date().isoformat()


def _json_bytes(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _atomic_write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise LandingError(
            f"cannot create {path.parent}: {exc}; check the landing directory's permissions"
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp creates 0600; landing files are read by the loader's user too
        os.replace(temp_name, path)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise LandingError(f"cannot write {path}: {exc}; check free space and permissions") from exc
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
