"""The stanwire warehouse: one DuckDB file holding articles, crawl and feed bookkeeping, and NLP results.

- `warehouse.db` — `connect` (applies the numbered migrations and the views), `load_fts`
- `warehouse.loader` — `load_landing`: landing files → articles, crawl_errors (idempotent)
- `warehouse.feeds` — feed polls, feed state and the crawl queue
- `warehouse.enrichment` — articles for the NLP, and its analyses stored
- `warehouse.event_groups` — the same act reported by several articles as one event group
- `warehouse.queries` — totals, one week's digest data, a user's read-only SQL

This package knows nothing of `spiders`, `nlp` or `pipelines`: records cross over as the dicts and landing
files of docs/architecture.md.
"""
