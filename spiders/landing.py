"""Landing files: the crawl's only output, written so a reader never sees half a file.

The landing root is a folder (local, or shared and mounted by every machine) or S3-compatible object storage,
`s3://bucket/prefix/` (`spiders.storage`). In a folder each file is written under a temporary name
(`.<name>.<random>.tmp`) in its final directory, flushed to disk, then renamed over the final name with
`os.replace`, which is atomic on one file system; on object storage each file is one PUT, which readers see whole
or not at all. Either way the page's `.html.gz` lands before the `.json` that names it, so every JSON a loader
finds points at an HTML file that exists.
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
from spiders.storage import ObjectLanding, is_object_storage
from spiders.urls import url_key

__all__ = [
    "Landing",
    "article_key",
    "article_records",
    "error_key",
    "open_landing",
    "read_landing",
    "write_article",
    "write_error",
]

# A landing root: a folder, or object storage.
Landing = Path | ObjectLanding


def open_landing(location: str | Path | ObjectLanding) -> Landing:
    """The landing root a setting or job names: `s3://bucket/prefix/` is object storage, anything else a folder."""
    if isinstance(location, ObjectLanding | Path):
        return location
    return ObjectLanding(location) if is_object_storage(location) else Path(location)


def read_landing(root: Landing, relative: str) -> bytes:
    """The bytes of the landing file at `relative` (e.g. `articles/2026-05-01/<key>.html.gz`)."""
    if isinstance(root, ObjectLanding):
        return root.read(relative)
    return (root / relative).read_bytes()


def article_records(root: Landing) -> list[str]:
    """The relative paths of every article record (`articles/<day>/<key>.json`), sorted."""
    if isinstance(root, ObjectLanding):
        return [
            row.relative
            for row in root.listing("articles")
            if row.relative.endswith(".json") and row.relative.count("/") == 2
        ]
    return sorted(path.relative_to(root).as_posix() for path in (root / "articles").glob("*/*.json"))


TEMP_SUFFIX = ".tmp"


def article_key(url: str, html: bytes) -> str:
    """`sha1(url)[:16]-sha1(html)[:8]`: an unchanged page keeps its name, a changed one lands beside it."""
    return f"{url_key(url)}-{hashlib.sha1(html).hexdigest()[:8]}"


def error_key(record: dict[str, Any]) -> str:
    """`sha1(url)[:16]-sha1(stage|status|message)[:8]`: the same failure on the same day is one file."""
    what = f"{record['stage']}|{record['http_status']}|{record['message']}"
    return f"{url_key(record['url'])}-{hashlib.sha1(what.encode('utf-8')).hexdigest()[:8]}"


def write_article(landing_dir: str | Landing, record: dict[str, Any], html: bytes) -> Path | str:
    """Write `articles/<fetch date>/<key>.html.gz`, then `<key>.json`; return the JSON's path (its s3:// URL on
    object storage).

    `record` is a raw article record (records.article_record); its `html_file` is set here.
    """
    missing = [name for name in RAW_ARTICLE_FIELDS if name != "html_file" and name not in record]
    _check(record, RAW_ARTICLE_SCHEMA, missing)
    key = article_key(record["url"], html)
    folder = f"articles/{_utc_day(record['fetched_at'], 'fetched_at')}"
    root = open_landing(landing_dir)
    # mtime=0 keeps the gzip bytes a function of the page alone, so a re-fetch rewrites identical files.
    _put(root, f"{folder}/{key}.html.gz", gzip.compress(html, mtime=0))
    return _put(root, f"{folder}/{key}.json", _json_bytes({**record, "html_file": f"{key}.html.gz"}))


def write_error(landing_dir: str | Landing, record: dict[str, Any]) -> Path | str:
    """Write a crawl error record to `errors/<date of at>/<key>.json`; return its path."""
    missing = [name for name in CRAWL_ERROR_FIELDS if name not in record]
    _check(record, CRAWL_ERROR_SCHEMA, missing)
    relative = f"errors/{_utc_day(record['at'], 'at')}/{error_key(record)}.json"
    return _put(open_landing(landing_dir), relative, _json_bytes(record))


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


def _put(root: Landing, relative: str, data: bytes) -> Path | str:
    if isinstance(root, ObjectLanding):
        return root.write(relative, data)
    path = root / relative
    _atomic_write(path, data)
    return path


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
