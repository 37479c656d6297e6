"""spiders package: ingestion — feed polling, article extraction, the Scrapy crawl and its landing files.

Public API (each a plain function with tests; Scrapy is only needed by the crawl itself):

- `spiders.feeds.poll_feed(source, feed_url, *, polled_at, etag, last_modified, timeout, user_agent, transport) -> PollResult`
- `spiders.extract.extract_article(html, url, *, fetched_at, declared_encoding, language_hint) -> ExtractedArticle`
- `spiders.urls.canonicalize_url(url) -> str`, `spiders.urls.url_key(url) -> str`
- `spiders.landing.write_article(landing_dir, record, html) -> Path | str`, `write_error(landing_dir, record)`
  (a folder, or `s3://bucket/prefix/` object storage: `spiders.storage`)
- `spiders.records.article_record(...)`, `error_record(...)`: the landing records of docs/architecture.md
- `spiders.run.run_crawl_subprocess(job_path, *, python, timeout) -> dict` (or `python -m spiders.run JOB_JSON`)
- `spiders.errors`: `SpidersError` and its subclasses

This package imports nothing from `nlp`, `warehouse` or `pipelines`.
"""
