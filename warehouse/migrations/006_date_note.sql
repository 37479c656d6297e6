-- Why an article has no publication date, or why the date it has is not the first one its page gave: the
-- extractor's `date_note` (e.g. a JSON-LD date after the fetch, a scheduled post or a misread date).
ALTER TABLE articles ADD COLUMN date_note VARCHAR;
COMMENT ON COLUMN articles.date_note IS 'why a date the page gave was not taken as the publication date (a date after the fetch), or NULL';
COMMENT ON COLUMN articles.first_seen_at IS 'when stanwire first fetched the article (the fetched_at of its first stored version); the weekly views fall back to it for undated articles';
COMMENT ON COLUMN articles.updated_at IS 'when the stored version of the article was fetched (the fetched_at of the record that last changed it)';
