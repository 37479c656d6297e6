"""The two things the crawl yields: an article to land, or a failure to record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticleItem:
    """A raw article record (without `html_file`) and the page's bytes as fetched."""

    record: dict[str, Any]
    html: bytes = field(repr=False)  # keeps Scrapy's debug log of items readable


@dataclass
class CrawlErrorItem:
    """A crawl error record (`stanwire.crawl_error/1`)."""

    record: dict[str, Any]
