-- A usable feed's poll may carry a note (a well-formed feed listing no entries): a health observation, not an error.
ALTER TABLE feed_polls ADD COLUMN note VARCHAR;
COMMENT ON COLUMN feed_polls.note IS 'a fact about a usable feed worth showing (e.g. feed lists no entries); NULL otherwise';
