-- Near-duplicate detection: one MinHash signature per article text, kept so that each load only hashes the
-- articles it added. `scheme` names the shingling and hashing the signature was made with; a signature of another
-- scheme is recomputed.
CREATE TABLE article_signatures (
    article_id VARCHAR PRIMARY KEY,
    scheme VARCHAR NOT NULL,
    signature BLOB NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
COMMENT ON TABLE article_signatures IS 'MinHash signature of each article text (warehouse.dedup), used to cluster syndicated copies into stories.';
COMMENT ON COLUMN article_signatures.scheme IS 'shingling and hashing parameters, e.g. minhash/128/w3';
COMMENT ON COLUMN article_signatures.signature IS 'the MinHash hash values, little-endian uint64';
