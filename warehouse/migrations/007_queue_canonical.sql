-- The crawl queue is keyed by the article's identity, its canonical URL (tracking parameters, fragment, host case
-- and editions ignored), so one article listed three ways in a feed is fetched once. `url` stays the URL to fetch.
ALTER TABLE crawl_queue ADD COLUMN canonical_url VARCHAR;
UPDATE crawl_queue SET canonical_url = url;
COMMENT ON COLUMN crawl_queue.canonical_url IS 'the article''s canonical URL (spiders.urls.canonicalize_url): one queue row per article';
COMMENT ON COLUMN crawl_queue.url IS 'the URL to fetch: the link as found, tracking parameters and fragment dropped';
