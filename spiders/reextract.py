"""Re-run extraction on the HTML already in the landing folder, so an improved extractor reaches everything that
was crawled before, without fetching a page again."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from spiders.errors import SpidersError
from spiders.extract import extract_article
from spiders.landing import article_records, open_landing, read_landing, write_article
from spiders.records import RAW_ARTICLE_SCHEMA, article_record
from spiders.storage import ObjectLanding

__all__ = ["ReextractReport", "reextract_landing"]

# The fields extraction produces: a record whose fields are all unchanged is left as it is.
_EXTRACTED = ("canonical_url", "title", "text", "published_at", "authors", "language")


@dataclass
class ReextractReport:
    """Landing article records seen, rewritten, left as they were, and those that failed (path, reason)."""

    records: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def reextract_landing(
    landing_dir: str | Path | ObjectLanding,
    *,
    sources: set[str] | None = None,
    language_hints: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReextractReport:
    """Extract every stored page again (of `sources`, or all) and rewrite the records whose result changed.

    A record is rewritten in place, atomically, with the new extractor version; a page the new extractor cannot
    read keeps its old record and is reported, so nothing stored is lost.
    """
    report = ReextractReport()
    root = open_landing(landing_dir)
    paths = article_records(root)
    for done, path in enumerate(paths, start=1):
        try:
            record = json.loads(read_landing(root, path).decode("utf-8"))
            if record.get("schema") != RAW_ARTICLE_SCHEMA:
                raise ValueError(f"schema {record.get('schema')!r} is not {RAW_ARTICLE_SCHEMA}")
            if sources is not None and record.get("source") not in sources:
                continue
            report.records += 1
            html = gzip.decompress(read_landing(root, f"{path.rpartition('/')[0]}/{record['html_file']}"))
            hint = (language_hints or {}).get(record["source"])
            fetched_at = datetime.fromisoformat(record["fetched_at"])
            if fetched_at.tzinfo is None:
                fetched_at = fetched_at.replace(tzinfo=UTC)  # the record contract's zone
            article = extract_article(html, record["final_url"], fetched_at=fetched_at, language_hint=hint)
        except (OSError, ValueError, KeyError, EOFError, SpidersError) as exc:
            # json.JSONDecodeError and gzip's BadGzipFile are ValueError/OSError.
            report.failed.append((path, f"{type(exc).__name__}: {exc}"))
            continue
        finally:
            if progress:
                progress(done, len(paths))
        fresh = article_record(
            source=record["source"],
            url=record["url"],
            final_url=record["final_url"],
            article=article,
            http_status=record["http_status"],
            discovered_via=record["discovered_via"],
            fetched_at=record["fetched_at"],
        )
        if all(fresh[k] == record.get(k) for k in _EXTRACTED):
            report.unchanged += 1
            continue
        write_article(root, fresh, html)
        report.changed += 1
    return report
