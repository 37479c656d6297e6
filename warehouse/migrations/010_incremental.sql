-- Incremental upkeep of the deduplication and the search index: the loader notes each article it adds or whose
-- stored version changes, once per consumer (`dedup`: warehouse.dedup, `search`: warehouse.search), and each
-- consumer works on its notes alone, so a load of 100 articles costs the same in a warehouse of 1,000 or 100,000.
-- Every article stored before this migration is noted for both: the first run after it catches up in full.
CREATE TABLE article_changes (
    article_id VARCHAR NOT NULL,
    purpose VARCHAR NOT NULL CHECK (purpose IN ('dedup', 'search')),
    PRIMARY KEY (article_id, purpose)
);
INSERT INTO article_changes SELECT id, 'dedup' FROM articles;
INSERT INTO article_changes SELECT id, 'search' FROM articles;
COMMENT ON TABLE article_changes IS 'Articles added or changed since the deduplication (purpose dedup) or the search index (search) last caught up.';

-- The story clustering's LSH index, kept in the warehouse: one row per article and band (37 bands of 3 MinHash
-- values for threshold 0.3), so a new article's candidates are a join, not a rebuild from every signature.
CREATE TABLE article_bands (
    article_id VARCHAR NOT NULL,
    band SMALLINT NOT NULL,
    bucket UBIGINT NOT NULL
);
COMMENT ON TABLE article_bands IS 'LSH band keys of each article signature (warehouse.dedup: DuckDB hash of the band''s 3 values): articles sharing (band, bucket) are near-duplicate candidates.';

-- The normalised title of each article (case-folded words), for same-source re-posts found by title.
CREATE TABLE article_title_keys (
    article_id VARCHAR NOT NULL,
    title_key VARCHAR NOT NULL
);
COMMENT ON TABLE article_title_keys IS 'Each titled article''s title as warehouse.dedup.normalize_title writes it (re-posts share it).';

-- Landing folders whose every file was loaded, with their modification time then: a folder unchanged since is not
-- listed again, so a load's cost follows the new files, not every file ever crawled.
CREATE TABLE landing_folders (
    path VARCHAR PRIMARY KEY,
    mtime_ns BIGINT NOT NULL,
    files BIGINT NOT NULL
);
COMMENT ON TABLE landing_folders IS 'Landing folders loaded in full (warehouse.loader): path relative to the landing directory, its modification time (ns) and JSON files then.';
