-- Enrichment batches claimed by the worker analysing them (warehouse.enrichment.claim_articles), on a warehouse
-- several machines enrich at once (DuckLake): an article claimed by a live claim is not handed to another worker;
-- a claim is dropped when the article's results are stored, and one older than the lease (the worker died) is
-- taken over by the next worker that asks.
CREATE TABLE enrich_claims (
    article_id VARCHAR PRIMARY KEY,
    worker VARCHAR NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE enrich_claims IS 'articles being enriched, and by which worker (host:pid) since when';
