"""Scrapy item pipeline: every item becomes a landing file, written atomically by `spiders.landing`."""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from spiders.crashpoints import crash_point
from spiders.errors import LandingError
from spiders.items import ArticleItem, CrawlErrorItem
from spiders.landing import Landing, open_landing, write_article, write_error

logger = logging.getLogger(__name__)

ARTICLES_WRITTEN = "stanwire/articles_written"
ERRORS_WRITTEN = "stanwire/errors"
WRITE_FAILURES = "stanwire/write_failures"


class LandingPipeline:
    """Write `ArticleItem`s to `landing/articles/…` and `CrawlErrorItem`s to `landing/errors/…`."""

    def __init__(self, landing_dir: Landing, stats: StatsCollector):
        self.landing_dir = landing_dir
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        landing_dir = crawler.settings.get("STANWIRE_LANDING_DIR")
        if not landing_dir:
            # Without a landing folder every page would be fetched for nothing.
            raise ValueError(
                "STANWIRE_LANDING_DIR is not set; run crawls through `python -m spiders.run JOB`"
            )
        assert crawler.stats is not None
        return cls(open_landing(landing_dir), crawler.stats)

    def process_item(self, item: Any) -> Any:
        try:
            if isinstance(item, ArticleItem):
                path = write_article(self.landing_dir, item.record, item.html)
                self.stats.inc_value(ARTICLES_WRITTEN)
            elif isinstance(item, CrawlErrorItem):
                path = write_error(self.landing_dir, item.record)
                self.stats.inc_value(ERRORS_WRITTEN)
            else:
                raise DropItem(
                    f"unexpected item type {type(item).__name__}; the crawl yields only landing items"
                )
        except LandingError as exc:
            self.stats.inc_value(WRITE_FAILURES)
            logger.error("landing write failed url=%s error=%s", item.record.get("url"), exc)
            raise DropItem(str(exc)) from exc
        logger.debug("landed %s", path)
        crash_point("landing-file-written")
        return item
